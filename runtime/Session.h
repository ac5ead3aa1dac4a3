/* The runtime's session API over an explicit model descriptor. The exported
   C ABI (include/qc/model.h, runtime/Abi.c) forwards to it with the model's
   own descriptor; the JIT (codegen/Jit.cpp) calls it with the descriptor it
   looked up in the JIT-compiled code. */
#ifndef QC_RUNTIME_SESSION_H
#define QC_RUNTIME_SESSION_H

#include "qc/model.h"
#include "runtime/ModelDesc.h"

#ifdef __cplusplus
extern "C" {
#endif

qc_status qc_rt_session_create(const qc_model_desc *desc, int32_t num_threads,
                               qc_session **out);
qc_status qc_rt_session_reserve(qc_session *session, int64_t max_batch);
qc_status qc_rt_run(qc_session *session, const qc_tensor *inputs,
                    int32_t num_inputs, qc_tensor *outputs,
                    int32_t num_outputs);
void qc_rt_session_destroy(qc_session *session);
/* Sets the calling thread's last error (printf-style); returns `status`. */
qc_status qc_rt_fail(qc_status status, const char *format, ...);
const char *qc_rt_last_error(void);
/* Null when the CPU has every feature in the comma-separated list; else a
   comma-separated list of the missing ones (thread-local storage). */
const char *qc_rt_missing_cpu_features(const char *required_features);

#ifdef __cplusplus
}
#endif

#endif /* QC_RUNTIME_SESSION_H */
