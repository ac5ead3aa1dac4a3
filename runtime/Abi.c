/* The exported C ABI of a compiled model .so (include/qc/model.h) over the
   model's own descriptor, which the generated code defines (hidden). */
#include "qc/model.h"
#include "runtime/Session.h"

#define QC_EXPORT __attribute__((visibility("default")))

extern const qc_model_desc qc_model_desc_v1 __attribute__((visibility("hidden")));

static const qc_tensor_desc *input_at(int32_t index) {
  return index >= 0 && index < qc_model_desc_v1.num_inputs ? &qc_model_desc_v1.inputs[index]
                                                            : 0;
}

static const qc_tensor_desc *output_at(int32_t index) {
  return index >= 0 && index < qc_model_desc_v1.num_outputs ? &qc_model_desc_v1.outputs[index]
                                                             : 0;
}

static int64_t dim_of(const qc_tensor_desc *t, int32_t axis) {
  return t && axis >= 0 && axis < t->rank ? t->dims[axis] : -1;
}

static const char *dim_name_of(const qc_tensor_desc *t, int32_t axis) {
  return t && axis >= 0 && axis < t->rank && t->dim_names ? t->dim_names[axis] : 0;
}

QC_EXPORT uint32_t qc_abi_version(void) { return QC_ABI_VERSION; }
QC_EXPORT const char *qc_model_name(void) {
  return qc_model_desc_v1.name ? qc_model_desc_v1.name : "";
}
QC_EXPORT const char *qc_target_cpu(void) {
  return qc_model_desc_v1.target_cpu ? qc_model_desc_v1.target_cpu : "";
}

QC_EXPORT int32_t qc_num_inputs(void) { return qc_model_desc_v1.num_inputs; }
QC_EXPORT int32_t qc_num_outputs(void) { return qc_model_desc_v1.num_outputs; }

QC_EXPORT const char *qc_input_name(int32_t index) {
  const qc_tensor_desc *t = input_at(index);
  return t ? t->name : 0;
}
QC_EXPORT const char *qc_output_name(int32_t index) {
  const qc_tensor_desc *t = output_at(index);
  return t ? t->name : 0;
}
QC_EXPORT int32_t qc_input_elem_type(int32_t index) {
  const qc_tensor_desc *t = input_at(index);
  return t ? t->elem_type : 0;
}
QC_EXPORT int32_t qc_output_elem_type(int32_t index) {
  const qc_tensor_desc *t = output_at(index);
  return t ? t->elem_type : 0;
}
QC_EXPORT int32_t qc_input_rank(int32_t index) {
  const qc_tensor_desc *t = input_at(index);
  return t ? t->rank : -1;
}
QC_EXPORT int32_t qc_output_rank(int32_t index) {
  const qc_tensor_desc *t = output_at(index);
  return t ? t->rank : -1;
}
QC_EXPORT int64_t qc_input_dim(int32_t index, int32_t axis) {
  return dim_of(input_at(index), axis);
}
QC_EXPORT int64_t qc_output_dim(int32_t index, int32_t axis) {
  return dim_of(output_at(index), axis);
}
QC_EXPORT const char *qc_input_dim_name(int32_t index, int32_t axis) {
  return dim_name_of(input_at(index), axis);
}
QC_EXPORT const char *qc_output_dim_name(int32_t index, int32_t axis) {
  return dim_name_of(output_at(index), axis);
}

QC_EXPORT qc_status qc_session_create(int32_t num_threads, qc_session **out) {
  return qc_rt_session_create(&qc_model_desc_v1, num_threads, out);
}
QC_EXPORT qc_status qc_session_reserve(qc_session *session, int64_t max_batch) {
  return qc_rt_session_reserve(session, max_batch);
}
QC_EXPORT qc_status qc_run(qc_session *session, const qc_tensor *inputs, int32_t num_inputs,
                           qc_tensor *outputs, int32_t num_outputs) {
  return qc_rt_run(session, inputs, num_inputs, outputs, num_outputs);
}
QC_EXPORT void qc_session_destroy(qc_session *session) { qc_rt_session_destroy(session); }
QC_EXPORT const char *qc_last_error(void) { return qc_rt_last_error(); }
