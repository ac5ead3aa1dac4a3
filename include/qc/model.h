/* qc compiled-model C ABI: what a shared library produced by
   `qcompile model.onnx -o model.so` exports. Stable, C only, no exceptions.

   Every entry that can fail returns a qc_status; the text of the most recent
   failure on the calling thread is qc_last_error(). A model library depends
   on libc, libm and libpthread only. */
#ifndef QC_MODEL_H
#define QC_MODEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on any incompatible change of this header. */
#define QC_ABI_VERSION 1u

typedef enum qc_status {
  QC_OK = 0,
  QC_ERROR_INVALID_ARGUMENT = 1, /* null pointer, bad index, wrong count */
  QC_ERROR_SHAPE = 2,            /* input shape/size does not match the model */
  QC_ERROR_UNSUPPORTED_CPU = 3,  /* the CPU lacks features the code was built for */
  QC_ERROR_OUT_OF_MEMORY = 4,
  QC_ERROR_ABI_MISMATCH = 5,     /* used by wrappers (model.hpp) */
  QC_ERROR_INTERNAL = 6
} qc_status;

/* Element types; the numbering is part of the ABI. */
typedef enum qc_elem_type {
  QC_ELEM_F32 = 1,
  QC_ELEM_U8 = 2,
  QC_ELEM_I8 = 3,
  QC_ELEM_I32 = 4,
  QC_ELEM_I64 = 5,
  QC_ELEM_F64 = 6,
  QC_ELEM_U16 = 7,
  QC_ELEM_I16 = 8,
  QC_ELEM_BOOL = 9,
  QC_ELEM_F16 = 10,
  QC_ELEM_BF16 = 11
} qc_elem_type;

/* A tensor passed to qc_run: dense, row-major, in the model's declared
   (logical) layout, e.g. NCHW for an NCHW model input.
   Inputs: data, rank and shape are read; size_bytes, when not 0, is the
   size of data and must cover the shape (0: not checked). Outputs: data is
   written, shape must point to `rank` writable entries that receive the
   output's shape, and size_bytes is the capacity of data. */
typedef struct qc_tensor {
  void *data;
  int64_t *shape;
  int32_t rank;
  int32_t reserved; /* 0 */
  size_t size_bytes;
} qc_tensor;

typedef struct qc_session qc_session;

/* QC_ABI_VERSION of the header the library was built with. */
uint32_t qc_abi_version(void);
/* The model's name and the target CPU it was compiled for ("znver5", ...). */
const char *qc_model_name(void);
const char *qc_target_cpu(void);

int32_t qc_num_inputs(void);
int32_t qc_num_outputs(void);
/* Metadata of input/output `index`; null / 0 / -1 on a bad index. */
const char *qc_input_name(int32_t index);
const char *qc_output_name(int32_t index);
int32_t qc_input_elem_type(int32_t index);  /* qc_elem_type */
int32_t qc_output_elem_type(int32_t index);
int32_t qc_input_rank(int32_t index);
int32_t qc_output_rank(int32_t index);
/* Dimension `axis`: its size, or -1 when symbolic (given at run time). */
int64_t qc_input_dim(int32_t index, int32_t axis);
int64_t qc_output_dim(int32_t index, int32_t axis);
/* Name of a symbolic dimension ("N"), or null for a static one. */
const char *qc_input_dim_name(int32_t index, int32_t axis);
const char *qc_output_dim_name(int32_t index, int32_t axis);

/* Creates a session that runs with `num_threads` threads (0: one per core).
   Fails with QC_ERROR_UNSUPPORTED_CPU, naming the missing features, when the
   CPU cannot run the code. Sessions are independent. */
qc_status qc_session_create(int32_t num_threads, qc_session **out);
/* Reserves working memory for runs of batch (symbolic dimension) up to
   `max_batch`, so that such runs allocate nothing. Optional. */
qc_status qc_session_reserve(qc_session *session, int64_t max_batch);
/* Runs the model. inputs/outputs in model order. A session may be used from
   several threads; its runs are serialized (use one session per thread to
   run concurrently). */
qc_status qc_run(qc_session *session, const qc_tensor *inputs,
                 int32_t num_inputs, qc_tensor *outputs, int32_t num_outputs);
void qc_session_destroy(qc_session *session);

/* Text of the last failure on this thread ("" when none). */
const char *qc_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* QC_MODEL_H */
