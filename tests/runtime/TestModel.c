/* A hand-written "compiled model" for the runtime tests: a descriptor and a
   run function in two parallel steps through the arena, built into a .so
   with qc_runtime_pic exactly like a qcompile'd model.
     inputs:  x f32 [N, 3, 5], y i8 [N, 5]
     outputs: z f32 [N, 3, 5] = 2 * x + y (broadcast over axis 1),
              s i64 [N]       = sum over a sample of (int64)z
   QC_TEST_FEATURES (a string) overrides the required CPU features,
   QC_TEST_NAME the model name, QC_TEST_DESC_VERSION the descriptor
   version. */
#include <stdint.h>
#include <string.h>

#include "runtime/ModelDesc.h"
#include "qc/model.h"

#ifndef QC_TEST_FEATURES
#define QC_TEST_FEATURES "sse2,avx2"
#endif
#ifndef QC_TEST_NAME
#define QC_TEST_NAME "test_model"
#endif
#ifndef QC_TEST_DESC_VERSION
#define QC_TEST_DESC_VERSION QC_DESC_VERSION
#endif

enum { kRows = 3, kCols = 5, kSample = kRows * kCols };

static const int64_t kXDims[] = {-1, kRows, kCols};
static const int64_t kYDims[] = {-1, kCols};
static const int64_t kSDims[] = {-1};
static const char *const kXNames[] = {"N", 0, 0};
static const char *const kYNames[] = {"N", 0};
static const char *const kSNames[] = {"N"};

static const qc_tensor_desc kInputs[] = {
    {"x", QC_ELEM_F32, 3, kXDims, kXNames},
    {"y", QC_ELEM_I8, 2, kYDims, kYNames},
};
static const qc_tensor_desc kOutputs[] = {
    {"z", QC_ELEM_F32, 3, kXDims, kXNames},
    {"s", QC_ELEM_I64, 1, kSDims, kSNames},
};

/* The arena: 64 static bytes (a marker), then per sample kSample floats. */
enum { kStaticBytes = 64, kBatchBytes = kSample * sizeof(float) };

/* Step 1, one task per row of a sample: arena = 2 * x + y. */
static void scale_rows(const qc_exec *exec, int64_t begin, int64_t end) {
  const float *x = exec->inputs[0];
  const int8_t *y = exec->inputs[1];
  float *tmp = (float *)(exec->arena + kStaticBytes);
  for (int64_t task = begin; task < end; ++task) {
    int64_t sample = task / kRows;
    for (int c = 0; c < kCols; ++c)
      tmp[task * kCols + c] = 2.0f * x[task * kCols + c] + (float)y[sample * kCols + c];
  }
}

/* Step 2, one task per sample: z = arena, s = sum. */
static void finish_samples(const qc_exec *exec, int64_t begin, int64_t end) {
  const float *tmp = (const float *)(exec->arena + kStaticBytes);
  float *z = exec->outputs[0];
  int64_t *s = exec->outputs[1];
  for (int64_t sample = begin; sample < end; ++sample) {
    int64_t sum = 0;
    for (int i = 0; i < kSample; ++i) {
      z[sample * kSample + i] = tmp[sample * kSample + i];
      sum += (int64_t)tmp[sample * kSample + i];
    }
    s[sample] = sum;
  }
}

static void run(const qc_exec *exec) {
  memset(exec->arena, 0xab, kStaticBytes);
  qc_rt_parallel_for(exec, exec->batch * kRows, scale_rows);
  qc_rt_parallel_for(exec, exec->batch, finish_samples);
}

static const char *const kStepNames[] = {"scale_rows", "finish_samples"};

__attribute__((visibility("hidden"))) const qc_model_desc qc_model_desc_v1 = {
    QC_TEST_DESC_VERSION, QC_ABI_VERSION, QC_TEST_NAME, "x86-64-v3", QC_TEST_FEATURES,
    2, 2, kInputs, kOutputs, "N", kStaticBytes, kBatchBytes, run, 2, kStepNames,
};
