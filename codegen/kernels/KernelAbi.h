// The calling convention of qc's kernel templates (codegen/kernels/*.cpp).
//
// Kernel sources are C++ compiled by clang-19 once per ISA into LLVM bitcode
// (codegen/kernels/CMakeLists.txt); at model compile time codegen links the
// bitcode of the target's ISA, calls an entry from a per-node wrapper with a
// constant params block and constant blobs, and inlines it, so shapes,
// strides and quantization parameters become constants of the specialized
// code. The same sources are also compiled natively per ISA for tests/kernels.
//
// Rules for kernel sources: plain C++20 with <immintrin.h>, no exceptions,
// RTTI, allocation, globals with constructors, libstdc++ or libc calls other
// than memcpy/memset (the code ends up in a .so that needs only libc/libm).
#pragma once

#include <stddef.h>
#include <stdint.h>

// The ISA this translation unit is compiled for, from the compiler's target
// macros. Codegen picks the bitcode whose ISA the target CPU supports best.
#if defined(__AVX512VNNI__) && defined(__AVX512BW__) && defined(__AVX512VL__)
#define QC_ISA avx512vnni
#define QC_ISA_AVX512VNNI 1
#elif defined(__AVXVNNI__) && defined(__AVX2__)
#define QC_ISA avxvnni
#define QC_ISA_AVXVNNI 1
#elif defined(__AVX2__) && defined(__FMA__)
#define QC_ISA avx2
#define QC_ISA_AVX2 1
#else
#define QC_ISA generic
#define QC_ISA_GENERIC 1
#endif

#define QC_KERNEL_CAT2(a, b) a##__##b
#define QC_KERNEL_CAT(a, b) QC_KERNEL_CAT2(a, b)
// QC_KERNEL(qs8_conv2d) names the entry qc_qs8_conv2d__avx512vnni (or
// __avxvnni, __avx2, __generic): what, then how (STYLE.md).
#define QC_KERNEL(name) QC_KERNEL_CAT(qc_##name, QC_ISA)

// Every entry has this signature:
//   params   the kernel's params struct (a constant block per node),
//   consts   constant blobs (pre-packed weights, biases, tables), in the
//            order the host emitter produced them,
//   in, out  activation buffers of ONE batch sample, in the physical layout
//            the emitter was given (see codegen/Emit.h),
//   [task_begin, task_end)  the part of the sample's task space to do; the
//            emitter declares the number of tasks per sample.
// Entries are extern "C" so the host finds them by name.
#define QC_KERNEL_PARAMS                                                       \
  const void *params_, const void *const *consts, const void *const *in,       \
      void *const *out, int64_t task_begin, int64_t task_end

#ifdef __cplusplus
#define QC_KERNEL_EXTERN extern "C"
#else
#define QC_KERNEL_EXTERN
#endif

typedef void (*qc_kernel_fn)(const void *params, const void *const *consts,
                             const void *const *in, void *const *out,
                             int64_t task_begin, int64_t task_end);
