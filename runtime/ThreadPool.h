/* The per-session thread pool behind qc_rt_parallel_for: N-1 worker
   pthreads plus the calling thread, a static contiguous split of each task
   space, spin-then-block hand-off between steps. Internal to the runtime. */
#ifndef QC_RUNTIME_THREADPOOL_H
#define QC_RUNTIME_THREADPOOL_H

#include <stdint.h>

#include "runtime/ModelDesc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Creates a pool of `num_threads` threads in all (the caller counts as one,
   so num_threads - 1 workers are started). Null when a thread or memory
   cannot be had. */
struct qc_pool *qc_pool_create(int32_t num_threads);
/* Stops and joins the workers. Null is fine. */
void qc_pool_destroy(struct qc_pool *pool);
int32_t qc_pool_num_threads(const struct qc_pool *pool);

/* Profiling (QC_PROFILE, runtime/Session.c): after this, every
   qc_rt_parallel_for call adds its wall time to the slot of its position in
   the run; 0 when memory is short. */
int qc_pool_enable_profile(struct qc_pool *pool, int32_t num_steps);
/* Marks the start of a run: the next call is step 0. */
void qc_pool_profile_run_begins(struct qc_pool *pool);
/* The per-step sums (num_steps of them), or null when not profiling. */
const int64_t *qc_pool_profile(const struct qc_pool *pool);

/* How long a worker (or the waiting caller) spins before it blocks, in
   nanoseconds. The default suits steps of a few to a few hundred
   microseconds; QC_SPIN_US in the environment overrides it at pool
   creation. */
#define QC_POOL_DEFAULT_SPIN_NS 50000

#ifdef __cplusplus
}
#endif

#endif /* QC_RUNTIME_THREADPOOL_H */
