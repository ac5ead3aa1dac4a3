/* CPU feature check of a model's required_features: cpuid for what the CPU
   implements, xgetbv (XCR0) for what the OS saves on context switches
   (AVX and AVX-512 state). Unknown feature names count as missing. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "runtime/Session.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define QC_X86 1
#endif

enum { kEax, kEbx, kEcx, kEdx };

/* Where a feature bit lives: cpuid leaf/subleaf, register, bit; and which
   XCR0 state components the OS must enable for it. */
typedef struct FeatureBit {
  const char *name;
  uint32_t leaf, subleaf;
  int reg, bit;
  uint64_t xcr0_mask;
} FeatureBit;

#define XCR0_AVX 0x6ull     /* SSE and AVX (YMM) state */
#define XCR0_AVX512 0xe6ull /* plus opmask, ZMM_Hi256, Hi16_ZMM */

static const FeatureBit kFeatures[] = {
    {"sse", 1, 0, kEdx, 25, 0},
    {"sse2", 1, 0, kEdx, 26, 0},
    {"cx8", 1, 0, kEdx, 8, 0},
    {"sse3", 1, 0, kEcx, 0, 0},
    {"pclmul", 1, 0, kEcx, 1, 0},
    {"ssse3", 1, 0, kEcx, 9, 0},
    {"fma", 1, 0, kEcx, 12, XCR0_AVX},
    {"cx16", 1, 0, kEcx, 13, 0},
    {"sse4.1", 1, 0, kEcx, 19, 0},
    {"sse4.2", 1, 0, kEcx, 20, 0},
    {"movbe", 1, 0, kEcx, 22, 0},
    {"popcnt", 1, 0, kEcx, 23, 0},
    {"aes", 1, 0, kEcx, 25, 0},
    {"xsave", 1, 0, kEcx, 26, 0},
    {"avx", 1, 0, kEcx, 28, XCR0_AVX},
    {"f16c", 1, 0, kEcx, 29, XCR0_AVX},
    {"bmi", 7, 0, kEbx, 3, 0},
    {"avx2", 7, 0, kEbx, 5, XCR0_AVX},
    {"bmi2", 7, 0, kEbx, 8, 0},
    {"avx512f", 7, 0, kEbx, 16, XCR0_AVX512},
    {"avx512dq", 7, 0, kEbx, 17, XCR0_AVX512},
    {"avx512ifma", 7, 0, kEbx, 21, XCR0_AVX512},
    {"avx512cd", 7, 0, kEbx, 28, XCR0_AVX512},
    {"avx512bw", 7, 0, kEbx, 30, XCR0_AVX512},
    {"avx512vl", 7, 0, kEbx, 31, XCR0_AVX512},
    {"avx512vbmi", 7, 0, kEcx, 1, XCR0_AVX512},
    {"avx512vbmi2", 7, 0, kEcx, 6, XCR0_AVX512},
    {"avx512vnni", 7, 0, kEcx, 11, XCR0_AVX512},
    {"avx512bitalg", 7, 0, kEcx, 12, XCR0_AVX512},
    {"avx512vpopcntdq", 7, 0, kEcx, 14, XCR0_AVX512},
    {"avx512fp16", 7, 0, kEdx, 23, XCR0_AVX512},
    {"avxvnni", 7, 1, kEax, 4, XCR0_AVX},
    {"avx512bf16", 7, 1, kEax, 5, XCR0_AVX512},
    {"lzcnt", 0x80000001u, 0, kEcx, 5, 0},
};

/* Whether the CPU (and OS) support feature `name` of length `len`. */
static int has_feature(const char *name, size_t len) {
#ifdef QC_X86
  for (size_t i = 0; i < sizeof kFeatures / sizeof kFeatures[0]; ++i) {
    const FeatureBit *f = &kFeatures[i];
    if (strlen(f->name) != len || memcmp(f->name, name, len) != 0)
      continue;
    uint32_t max_leaf = __get_cpuid_max(f->leaf & 0x80000000u, NULL);
    if (max_leaf < f->leaf)
      return 0;
    uint32_t regs[4];
    __cpuid_count(f->leaf, f->subleaf, regs[kEax], regs[kEbx], regs[kEcx], regs[kEdx]);
    if (!((regs[f->reg] >> f->bit) & 1))
      return 0;
    if (f->xcr0_mask) {
      uint32_t a, b, c, d;
      __cpuid(1, a, b, c, d);
      if (!((c >> 27) & 1)) /* OSXSAVE: xgetbv usable */
        return 0;
      uint32_t lo, hi;
      __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
      uint64_t xcr0 = ((uint64_t)hi << 32) | lo;
      if ((xcr0 & f->xcr0_mask) != f->xcr0_mask)
        return 0;
    }
    return 1;
  }
#endif
  (void)name;
  (void)len;
  return 0;
}

static _Thread_local char tl_missing[512];

const char *qc_rt_missing_cpu_features(const char *required_features) {
  if (!required_features)
    return NULL;
  size_t used = 0;
  int any = 0;
  tl_missing[0] = 0;
  const char *p = required_features;
  while (*p) {
    /* One comma-separated name; blanks and an LLVM-style '+' are ignored. */
    while (*p == ' ' || *p == ',' || *p == '+')
      ++p;
    const char *begin = p;
    while (*p && *p != ',')
      ++p;
    const char *end = p;
    while (end > begin && end[-1] == ' ')
      --end;
    if (end == begin || has_feature(begin, (size_t)(end - begin)))
      continue;
    int n = snprintf(tl_missing + used, sizeof tl_missing - used, "%s%.*s", any ? ", " : "",
                     (int)(end - begin), begin);
    any = 1;
    if (n > 0)
      used = used + (size_t)n < sizeof tl_missing ? used + (size_t)n : sizeof tl_missing - 1;
  }
  return any ? tl_missing : NULL;
}
