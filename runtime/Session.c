/* Sessions over a model descriptor (runtime/Session.h): creation with the
   CPU and version checks, the arena, argument validation of a run, and the
   thread-local last error. Nothing here allocates in a steady-state run. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "runtime/Session.h"

#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/ThreadPool.h"

struct qc_session {
  const qc_model_desc *desc;
  pthread_mutex_t mutex; /* serializes runs (and reserve) on this session */
  struct qc_pool *pool;
  uint8_t *arena;
  int64_t arena_batch; /* the batch the arena is sized for */
  const void **input_ptrs;
  void **output_ptrs;
  int32_t *step_status; /* qc_exec::step_status: desc->num_steps words */
  int64_t profiled_runs; /* QC_PROFILE: runs whose steps the pool timed */
};

/* Generous: a session beyond this many threads is a caller bug. */
#define QC_MAX_THREADS 1024

static _Thread_local char tl_error[1024];

qc_status qc_rt_fail(qc_status status, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(tl_error, sizeof tl_error, format, args);
  va_end(args);
  return status;
}

const char *qc_rt_last_error(void) { return tl_error; }

static size_t elem_size(int32_t elem_type) {
  switch (elem_type) {
  case QC_ELEM_U8:
  case QC_ELEM_I8:
  case QC_ELEM_BOOL:
    return 1;
  case QC_ELEM_U16:
  case QC_ELEM_I16:
  case QC_ELEM_F16:
  case QC_ELEM_BF16:
    return 2;
  case QC_ELEM_F32:
  case QC_ELEM_I32:
    return 4;
  case QC_ELEM_I64:
  case QC_ELEM_F64:
    return 8;
  default:
    return 0;
  }
}

static int32_t online_cores(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
    return CPU_COUNT(&set);
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (int32_t)(n < QC_MAX_THREADS ? n : QC_MAX_THREADS) : 1;
}

/* Arena bytes for `batch`, or 0 with an error set on overflow. */
static int arena_bytes(const qc_model_desc *desc, int64_t batch, uint64_t *bytes) {
  uint64_t per_batch, total;
  if (__builtin_mul_overflow(desc->arena_batch_bytes, (uint64_t)batch, &per_batch) ||
      __builtin_add_overflow(desc->arena_static_bytes, per_batch, &total) ||
      total > UINT64_MAX - 127 || total + 64 > (uint64_t)PTRDIFF_MAX)
    return 0;
  *bytes = (total + 63) / 64 * 64;
  if (*bytes == 0)
    *bytes = 64; /* a non-null arena even for models that need none */
  return 1;
}

/* Makes the arena hold `batch`; called with the session's mutex held. */
static qc_status grow_arena(qc_session *s, int64_t batch) {
  if (s->arena && batch <= s->arena_batch)
    return QC_OK;
  uint64_t bytes;
  if (!arena_bytes(s->desc, batch, &bytes))
    return qc_rt_fail(QC_ERROR_OUT_OF_MEMORY,
                      "model '%s': working memory for batch %lld overflows (%llu + %llu per batch "
                      "bytes)",
                      s->desc->name ? s->desc->name : "", (long long)batch,
                      (unsigned long long)s->desc->arena_static_bytes,
                      (unsigned long long)s->desc->arena_batch_bytes);
  uint8_t *arena = aligned_alloc(64, (size_t)bytes);
  if (!arena)
    return qc_rt_fail(QC_ERROR_OUT_OF_MEMORY,
                      "model '%s': cannot allocate %llu bytes of working memory for batch %lld",
                      s->desc->name ? s->desc->name : "", (unsigned long long)bytes,
                      (long long)batch);
  free(s->arena);
  s->arena = arena;
  s->arena_batch = batch;
  return QC_OK;
}

static const char *model_name(const qc_model_desc *desc) {
  return desc->name && *desc->name ? desc->name : "(unnamed)";
}

qc_status qc_rt_session_create(const qc_model_desc *desc, int32_t num_threads,
                               qc_session **out) {
  if (!out)
    return qc_rt_fail(QC_ERROR_INVALID_ARGUMENT, "qc_session_create: the session pointer is null");
  *out = NULL;
  if (!desc)
    return qc_rt_fail(QC_ERROR_INVALID_ARGUMENT, "qc_session_create: the model descriptor is null");
  if (desc->desc_version != QC_DESC_VERSION || desc->abi_version != QC_ABI_VERSION)
    return qc_rt_fail(QC_ERROR_ABI_MISMATCH,
                      "model '%s' has descriptor version %u and ABI version %u; this runtime "
                      "expects %u and %u",
                      model_name(desc), desc->desc_version, desc->abi_version, QC_DESC_VERSION,
                      QC_ABI_VERSION);
  if (!desc->run || desc->num_inputs < 0 || desc->num_outputs < 0 ||
      (desc->num_inputs && !desc->inputs) || (desc->num_outputs && !desc->outputs))
    return qc_rt_fail(QC_ERROR_INTERNAL, "model '%s': malformed descriptor", model_name(desc));
  if (num_threads < 0 || num_threads > QC_MAX_THREADS)
    return qc_rt_fail(QC_ERROR_INVALID_ARGUMENT,
                      "qc_session_create: %d threads asked for; expected 0 (one per core) to %d",
                      num_threads, QC_MAX_THREADS);
  const char *missing = qc_rt_missing_cpu_features(desc->required_features);
  if (missing)
    return qc_rt_fail(QC_ERROR_UNSUPPORTED_CPU,
                      "this model was compiled for %s and needs %s; this CPU lacks: %s",
                      desc->target_cpu && *desc->target_cpu ? desc->target_cpu : "(unknown)",
                      desc->required_features, missing);
  if (num_threads == 0)
    num_threads = online_cores();

  qc_session *s = calloc(1, sizeof *s);
  if (!s)
    return qc_rt_fail(QC_ERROR_OUT_OF_MEMORY, "qc_session_create: out of memory");
  s->desc = desc;
  s->input_ptrs = calloc((size_t)desc->num_inputs + 1, sizeof(void *));
  s->output_ptrs = calloc((size_t)desc->num_outputs + 1, sizeof(void *));
  s->step_status = calloc((size_t)(desc->num_steps > 0 ? desc->num_steps : 0) + 1,
                          sizeof(int32_t));
  if (!s->input_ptrs || !s->output_ptrs || !s->step_status ||
      pthread_mutex_init(&s->mutex, NULL) != 0) {
    free(s->input_ptrs);
    free(s->output_ptrs);
    free(s->step_status);
    free(s);
    return qc_rt_fail(QC_ERROR_OUT_OF_MEMORY, "qc_session_create: out of memory");
  }
  qc_status st = grow_arena(s, 1);
  if (st == QC_OK) {
    s->pool = qc_pool_create(num_threads);
    if (!s->pool)
      st = qc_rt_fail(QC_ERROR_OUT_OF_MEMORY, "qc_session_create: cannot start %d threads",
                      num_threads);
  }
  const char *profile = getenv("QC_PROFILE");
  if (st == QC_OK && profile && *profile && strcmp(profile, "0") != 0)
    qc_pool_enable_profile(s->pool, desc->num_steps);
  if (st != QC_OK) {
    qc_rt_session_destroy(s);
    return st;
  }
  *out = s;
  return QC_OK;
}

qc_status qc_rt_session_reserve(qc_session *session, int64_t max_batch) {
  if (!session)
    return qc_rt_fail(QC_ERROR_INVALID_ARGUMENT, "qc_session_reserve: the session is null");
  if (max_batch < 1)
    return qc_rt_fail(QC_ERROR_INVALID_ARGUMENT,
                      "qc_session_reserve: batch %lld asked for; expected >= 1",
                      (long long)max_batch);
  pthread_mutex_lock(&session->mutex);
  qc_status st = grow_arena(session, max_batch);
  pthread_mutex_unlock(&session->mutex);
  return st;
}

typedef struct StepTime {
  int64_t ns;
  int32_t index;
} StepTime;

static int slower_first(const void *a, const void *b) {
  int64_t x = ((const StepTime *)a)->ns, y = ((const StepTime *)b)->ns;
  return x < y ? 1 : x > y ? -1 : 0;
}

/* QC_PROFILE's report on stderr: each step's mean wall time per run, the
   slowest first. */
static void print_profile(const qc_session *s) {
  const int64_t *ns = qc_pool_profile(s->pool);
  int32_t n = s->desc->num_steps;
  if (!ns || s->profiled_runs == 0 || n <= 0)
    return;
  StepTime *order = malloc(sizeof(StepTime) * (size_t)n);
  if (!order)
    return;
  int64_t total = 0;
  for (int32_t i = 0; i < n; ++i) {
    order[i].ns = ns[i];
    order[i].index = i;
    total += ns[i];
  }
  qsort(order, (size_t)n, sizeof *order, slower_first);
  double runs = (double)s->profiled_runs;
  fprintf(stderr, "qc profile: model '%s', %lld runs, %d threads, %.3f ms per run in %d steps\n",
          model_name(s->desc), (long long)s->profiled_runs, qc_pool_num_threads(s->pool),
          (double)total / runs * 1e-6, n);
  fprintf(stderr, "%6s %10s %6s %6s  %s\n", "step", "us/run", "%", "cum%", "node (op, kernel)");
  int64_t cumulative = 0;
  for (int32_t i = 0; i < n; ++i) {
    const StepTime *t = &order[i];
    cumulative += t->ns;
    const char *name = s->desc->step_names ? s->desc->step_names[t->index] : NULL;
    fprintf(stderr, "%6d %10.1f %6.2f %6.2f  %s\n", t->index, (double)t->ns / runs * 1e-3,
            total ? 100.0 * (double)t->ns / (double)total : 0.0,
            total ? 100.0 * (double)cumulative / (double)total : 0.0, name ? name : "");
  }
  free(order);
}

void qc_rt_session_destroy(qc_session *session) {
  if (!session)
    return;
  print_profile(session);
  qc_pool_destroy(session->pool);
  pthread_mutex_destroy(&session->mutex);
  free(session->arena);
  free(session->input_ptrs);
  free(session->output_ptrs);
  free(session->step_status);
  free(session);
}

/* The symbolic dimension's value: the first input that has one binds it,
   later ones must agree (`name` is the input that bound it). */
typedef struct BatchBinding {
  int64_t value; /* -1 until bound */
  const char *kind, *name;
} BatchBinding;

/* Checks `shape` against the model's tensor `t`; on success stores the
   tensor's byte size in *bytes. */
static qc_status check_input_shape(const qc_model_desc *desc, const qc_tensor_desc *t,
                                   const int64_t *shape, BatchBinding *batch, uint64_t *bytes) {
  const char *sym = desc->batch_dim_name ? desc->batch_dim_name : "batch";
  uint64_t count = 1;
  for (int32_t a = 0; a < t->rank; ++a) {
    int64_t d = shape[a];
    if (t->dims[a] >= 0) {
      if (d != t->dims[a])
        return qc_rt_fail(QC_ERROR_SHAPE, "input '%s': dim %d is %lld, the model needs %lld",
                          t->name, a, (long long)d, (long long)t->dims[a]);
    } else {
      if (d < 1)
        return qc_rt_fail(QC_ERROR_SHAPE, "input '%s': dim %d (%s) is %lld; expected >= 1",
                          t->name, a, sym, (long long)d);
      if (batch->value < 0) {
        batch->value = d;
        batch->name = t->name;
      } else if (d != batch->value) {
        return qc_rt_fail(QC_ERROR_SHAPE,
                          "input '%s': dim %d (%s) is %lld, but input '%s' gave %s = %lld",
                          t->name, a, sym, (long long)d, batch->name, sym,
                          (long long)batch->value);
      }
    }
    if (__builtin_mul_overflow(count, (uint64_t)d, &count))
      return qc_rt_fail(QC_ERROR_SHAPE, "input '%s': the shape's element count overflows",
                        t->name);
  }
  if (__builtin_mul_overflow(count, (uint64_t)elem_size(t->elem_type), bytes))
    return qc_rt_fail(QC_ERROR_SHAPE, "input '%s': the byte size overflows", t->name);
  return QC_OK;
}

static qc_status validate_inputs(const qc_model_desc *desc, const qc_tensor *inputs,
                                 int32_t num_inputs, BatchBinding *batch) {
  if (num_inputs != desc->num_inputs)
    return qc_rt_fail(QC_ERROR_INVALID_ARGUMENT, "qc_run: %d inputs given, the model has %d",
                      num_inputs, desc->num_inputs);
  if (num_inputs > 0 && !inputs)
    return qc_rt_fail(QC_ERROR_INVALID_ARGUMENT, "qc_run: the inputs array is null");
  for (int32_t i = 0; i < num_inputs; ++i) {
    const qc_tensor_desc *t = &desc->inputs[i];
    const qc_tensor *in = &inputs[i];
    if (in->rank != t->rank)
      return qc_rt_fail(QC_ERROR_SHAPE, "input '%s': rank %d given, the model needs %d", t->name,
                        in->rank, t->rank);
    if (t->rank > 0 && !in->shape)
      return qc_rt_fail(QC_ERROR_INVALID_ARGUMENT, "input '%s': the shape pointer is null",
                        t->name);
    uint64_t bytes = 0;
    qc_status st = check_input_shape(desc, t, in->shape, batch, &bytes);
    if (st != QC_OK)
      return st;
    if (!in->data && bytes > 0)
      return qc_rt_fail(QC_ERROR_INVALID_ARGUMENT, "input '%s': the data pointer is null",
                        t->name);
    if (in->size_bytes != 0 && in->size_bytes < bytes)
      return qc_rt_fail(QC_ERROR_SHAPE, "input '%s': the buffer holds %llu bytes, %llu needed",
                        t->name, (unsigned long long)in->size_bytes, (unsigned long long)bytes);
  }
  return QC_OK;
}

/* Writes every output's shape (so that a caller whose buffer is too small
   learns the size it needs), then checks the buffers. */
static qc_status validate_outputs(const qc_model_desc *desc, qc_tensor *outputs,
                                  int32_t num_outputs, int64_t batch) {
  if (num_outputs != desc->num_outputs)
    return qc_rt_fail(QC_ERROR_INVALID_ARGUMENT, "qc_run: %d outputs given, the model has %d",
                      num_outputs, desc->num_outputs);
  if (num_outputs > 0 && !outputs)
    return qc_rt_fail(QC_ERROR_INVALID_ARGUMENT, "qc_run: the outputs array is null");
  for (int32_t i = 0; i < num_outputs; ++i) {
    const qc_tensor_desc *t = &desc->outputs[i];
    qc_tensor *out = &outputs[i];
    if (out->rank != t->rank)
      return qc_rt_fail(QC_ERROR_SHAPE, "output '%s': rank %d given, the model's is %d", t->name,
                        out->rank, t->rank);
    if (t->rank > 0 && !out->shape)
      return qc_rt_fail(QC_ERROR_INVALID_ARGUMENT, "output '%s': the shape pointer is null",
                        t->name);
    for (int32_t a = 0; a < t->rank; ++a)
      out->shape[a] = t->dims[a] >= 0 ? t->dims[a] : batch;
  }
  for (int32_t i = 0; i < num_outputs; ++i) {
    const qc_tensor_desc *t = &desc->outputs[i];
    const qc_tensor *out = &outputs[i];
    uint64_t bytes = elem_size(t->elem_type);
    for (int32_t a = 0; a < t->rank; ++a)
      if (__builtin_mul_overflow(bytes, (uint64_t)out->shape[a], &bytes))
        return qc_rt_fail(QC_ERROR_SHAPE, "output '%s': the byte size overflows", t->name);
    if (bytes > 0 && !out->data)
      return qc_rt_fail(QC_ERROR_INVALID_ARGUMENT, "output '%s': the data pointer is null",
                        t->name);
    if (out->size_bytes < bytes)
      return qc_rt_fail(QC_ERROR_SHAPE, "output '%s': the buffer holds %llu bytes, %llu needed",
                        t->name, (unsigned long long)out->size_bytes, (unsigned long long)bytes);
  }
  return QC_OK;
}

/* What kernels reported through qc_exec::step_status: the first failed
   step as an error naming it, or QC_OK. */
static qc_status check_steps(const qc_model_desc *desc, const int32_t *status) {
  for (int32_t i = 0; i < desc->num_steps; ++i) {
    if (status[i] == QC_STEP_OK)
      continue;
    const char *name = desc->step_names && desc->step_names[i] ? desc->step_names[i] : "?";
    if (status[i] == QC_STEP_INDEX_OUT_OF_RANGE)
      return qc_rt_fail(QC_ERROR_INVALID_ARGUMENT,
                        "step %d, node %s: an index is out of range (the outputs are not "
                        "valid)",
                        i, name);
    return qc_rt_fail(QC_ERROR_INTERNAL, "step %d, node %s: failed with code %d", i, name,
                      status[i]);
  }
  return QC_OK;
}

qc_status qc_rt_run(qc_session *session, const qc_tensor *inputs, int32_t num_inputs,
                    qc_tensor *outputs, int32_t num_outputs) {
  if (!session)
    return qc_rt_fail(QC_ERROR_INVALID_ARGUMENT, "qc_run: the session is null");
  const qc_model_desc *desc = session->desc;
  BatchBinding batch = {-1, "", ""};
  qc_status st = validate_inputs(desc, inputs, num_inputs, &batch);
  if (st != QC_OK)
    return st;
  if (batch.value < 0)
    batch.value = 1; /* no symbolic dimension among the inputs */
  st = validate_outputs(desc, outputs, num_outputs, batch.value);
  if (st != QC_OK)
    return st;

  pthread_mutex_lock(&session->mutex);
  st = grow_arena(session, batch.value);
  if (st == QC_OK) {
    for (int32_t i = 0; i < num_inputs; ++i)
      session->input_ptrs[i] = inputs[i].data;
    for (int32_t i = 0; i < num_outputs; ++i)
      session->output_ptrs[i] = outputs[i].data;
    int32_t steps = desc->num_steps > 0 ? desc->num_steps : 0;
    memset(session->step_status, 0, sizeof(int32_t) * (size_t)steps);
    qc_exec exec = {session->arena, session->input_ptrs, session->output_ptrs, batch.value,
                    session->pool, session->step_status};
    qc_pool_profile_run_begins(session->pool);
    desc->run(&exec);
    ++session->profiled_runs;
    st = check_steps(desc, session->step_status);
  }
  pthread_mutex_unlock(&session->mutex);
  return st;
}
