// Reports which ISA a kernel variant was compiled for (tests check that the
// four variants really are four: see KernelAbi.h's detection).
#include "codegen/kernels/KernelAbi.h"

QC_KERNEL_EXTERN int32_t QC_KERNEL(isa_vector_bytes)(void) {
#if defined(QC_ISA_AVX512VNNI)
  return 64;
#elif defined(QC_ISA_AVXVNNI) || defined(QC_ISA_AVX2)
  return 32;
#else
  return 16;
#endif
}
