/* The per-session thread pool behind qc_rt_parallel_for (see ThreadPool.h):
   a step is published by bumping a generation counter; workers spin on it
   for a few tens of microseconds, then block on a condition variable. Each
   thread's chunk is claimed (CAS on a per-chunk generation) before it runs:
   the caller, done with its own chunk, runs the chunks of workers that have
   not started yet, so a descheduled worker (oversubscribed or noisy VM)
   delays a step by one chunk at most, never by a scheduler time slice. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "runtime/ThreadPool.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

struct qc_worker {
  struct qc_pool *pool;
  int32_t index; /* 1..num_threads-1; the caller is 0 */
  pthread_t thread;
};

/* The generation a chunk was last claimed for. */
struct qc_chunk {
  _Alignas(64) _Atomic uint64_t claimed;
};

struct qc_pool {
  int32_t num_threads;
  struct qc_chunk *chunks; /* num_threads */
  int64_t spin_ns;
  struct qc_worker *workers;
  pthread_mutex_t mutex;
  pthread_cond_t wake; /* workers wait here for a new generation */
  pthread_cond_t finished; /* the caller waits here for done == num_threads */

  /* The current step; written by the caller before it bumps `generation`,
     read by workers after they see the new generation. */
  const qc_exec *exec;
  qc_task_fn fn;
  int64_t num_tasks;

  /* Each on its own cache line: workers poll `generation` while the
     caller polls `done`. */
  _Alignas(64) _Atomic uint64_t generation;
  _Alignas(64) _Atomic int32_t done; /* chunks of the current step finished */
  _Alignas(64) _Atomic int32_t sleepers; /* workers blocked on `wake` */
  _Atomic int32_t caller_sleeping;
  _Atomic int32_t stop;

  /* QC_PROFILE: wall time of each step of a run, summed over runs (only
     the calling thread touches these). */
  int64_t *profile_ns;
  int32_t profile_steps, profile_step;
};

/* Set on pool threads and on a caller inside parallel_for: a nested
   parallel_for then runs inline instead of deadlocking. */
static _Thread_local int tl_inside_pool;

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Chunk `index` of a balanced static split of [0, n) in `parts` parts. */
static void run_chunk(const struct qc_pool *pool, int32_t index) {
  int64_t parts = pool->num_threads, n = pool->num_tasks;
  int64_t base = n / parts, rem = n % parts;
  int64_t begin = index * base + (index < rem ? index : rem);
  int64_t end = begin + base + (index < rem ? 1 : 0);
  if (begin < end)
    pool->fn(pool->exec, begin, end);
}

/* Claims chunk `index` for step `gen`; fails when someone already has (or
   when `gen` is stale: every chunk of an old step was claimed). */
static int claim_chunk(struct qc_pool *pool, int32_t index, uint64_t gen) {
  uint64_t last = atomic_load_explicit(&pool->chunks[index].claimed, memory_order_relaxed);
  return last < gen && atomic_compare_exchange_strong(&pool->chunks[index].claimed, &last, gen);
}

/* Spins, then blocks, until the generation differs from `seen`. */
static uint64_t wait_for_step(struct qc_pool *pool, uint64_t seen) {
  uint64_t gen = atomic_load_explicit(&pool->generation, memory_order_acquire);
  if (gen != seen)
    return gen;
  int64_t start = now_ns();
  for (uint32_t i = 1;; ++i) {
    cpu_relax();
    gen = atomic_load_explicit(&pool->generation, memory_order_acquire);
    if (gen != seen)
      return gen;
    if ((i & 63) == 0) {
      if (now_ns() - start > pool->spin_ns)
        break;
      sched_yield(); /* lets the thread we wait for run if it shares our core */
    }
  }
  /* Announce the sleep before re-checking (seq_cst on both sides): the
     caller bumps the generation, then reads `sleepers`; one of the two
     sees the other. */
  pthread_mutex_lock(&pool->mutex);
  atomic_fetch_add(&pool->sleepers, 1);
  while ((gen = atomic_load(&pool->generation)) == seen)
    pthread_cond_wait(&pool->wake, &pool->mutex);
  atomic_fetch_sub(&pool->sleepers, 1);
  pthread_mutex_unlock(&pool->mutex);
  return gen;
}

static void *worker_main(void *arg) {
  struct qc_worker *worker = arg;
  struct qc_pool *pool = worker->pool;
  tl_inside_pool = 1;
  uint64_t seen = 0;
  for (;;) {
    seen = wait_for_step(pool, seen);
    if (atomic_load_explicit(&pool->stop, memory_order_acquire))
      break;
    if (!claim_chunk(pool, worker->index, seen))
      continue; /* the caller ran it, or this step is long over */
    run_chunk(pool, worker->index);
    if (atomic_fetch_add(&pool->done, 1) + 1 == pool->num_threads &&
        atomic_load(&pool->caller_sleeping)) {
      pthread_mutex_lock(&pool->mutex);
      pthread_cond_broadcast(&pool->finished);
      pthread_mutex_unlock(&pool->mutex);
    }
  }
  return NULL;
}

static void stop_workers(struct qc_pool *pool, int32_t started) {
  atomic_store(&pool->stop, 1);
  pthread_mutex_lock(&pool->mutex);
  atomic_fetch_add(&pool->generation, 1);
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->mutex);
  for (int32_t i = 0; i < started; ++i)
    pthread_join(pool->workers[i].thread, NULL);
}

struct qc_pool *qc_pool_create(int32_t num_threads) {
  if (num_threads < 1)
    return NULL;
  struct qc_pool *pool = aligned_alloc(64, (sizeof(struct qc_pool) + 63) / 64 * 64);
  if (!pool)
    return NULL;
  pool->num_threads = num_threads;
  pool->spin_ns = QC_POOL_DEFAULT_SPIN_NS;
  const char *spin = getenv("QC_SPIN_US");
  if (spin && *spin) {
    char *end;
    long us = strtol(spin, &end, 10);
    if (*end == 0 && us >= 0 && us <= 1000000)
      pool->spin_ns = (int64_t)us * 1000;
  }
  pool->profile_ns = NULL;
  pool->profile_steps = pool->profile_step = 0;
  pool->exec = NULL;
  pool->fn = NULL;
  pool->num_tasks = 0;
  atomic_init(&pool->generation, 0);
  atomic_init(&pool->done, 0);
  atomic_init(&pool->sleepers, 0);
  atomic_init(&pool->caller_sleeping, 0);
  atomic_init(&pool->stop, 0);
  /* More threads than cores: a spinning thread only delays the one it
     waits for; block at once. */
  cpu_set_t cpus;
  if (sched_getaffinity(0, sizeof cpus, &cpus) == 0 && num_threads > CPU_COUNT(&cpus))
    pool->spin_ns = 0;
  pool->workers = NULL;
  pool->chunks = aligned_alloc(64, sizeof(struct qc_chunk) * (size_t)num_threads);
  if (!pool->chunks || pthread_mutex_init(&pool->mutex, NULL) != 0) {
    free(pool->chunks);
    free(pool);
    return NULL;
  }
  for (int32_t i = 0; i < num_threads; ++i)
    atomic_init(&pool->chunks[i].claimed, 0);
  pthread_cond_init(&pool->wake, NULL);
  pthread_cond_init(&pool->finished, NULL);
  if (num_threads == 1)
    return pool;

  pool->workers = calloc((size_t)num_threads - 1, sizeof(struct qc_worker));
  if (!pool->workers) {
    qc_pool_destroy(pool);
    return NULL;
  }
  /* Workers take no signals: the application's handlers run on its own
     threads. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int32_t started = 0;
  for (; started < num_threads - 1; ++started) {
    struct qc_worker *w = &pool->workers[started];
    w->pool = pool;
    w->index = started + 1;
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
      break;
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (started != num_threads - 1) {
    stop_workers(pool, started);
    pool->num_threads = 1; /* nothing left to join */
    qc_pool_destroy(pool);
    return NULL;
  }
  return pool;
}

void qc_pool_destroy(struct qc_pool *pool) {
  if (!pool)
    return;
  if (pool->num_threads > 1 && pool->workers)
    stop_workers(pool, pool->num_threads - 1);
  free(pool->workers);
  free(pool->chunks);
  free(pool->profile_ns);
  pthread_cond_destroy(&pool->wake);
  pthread_cond_destroy(&pool->finished);
  pthread_mutex_destroy(&pool->mutex);
  free(pool);
}

int32_t qc_pool_num_threads(const struct qc_pool *pool) { return pool ? pool->num_threads : 1; }

int qc_pool_enable_profile(struct qc_pool *pool, int32_t num_steps) {
  if (!pool || num_steps <= 0)
    return 0;
  pool->profile_ns = calloc((size_t)num_steps, sizeof(int64_t));
  pool->profile_steps = pool->profile_ns ? num_steps : 0;
  return pool->profile_ns != NULL;
}

void qc_pool_profile_run_begins(struct qc_pool *pool) {
  if (pool)
    pool->profile_step = 0;
}

const int64_t *qc_pool_profile(const struct qc_pool *pool) {
  return pool ? pool->profile_ns : NULL;
}

static void parallel_for(struct qc_pool *pool, const qc_exec *exec, int64_t num_tasks,
                         qc_task_fn fn);

void qc_rt_parallel_for(const qc_exec *exec, int64_t num_tasks, qc_task_fn fn) {
  struct qc_pool *pool = exec->pool;
  if (!pool || !pool->profile_ns || tl_inside_pool) {
    parallel_for(pool, exec, num_tasks, fn);
    return;
  }
  int64_t start = now_ns();
  parallel_for(pool, exec, num_tasks, fn);
  if (pool->profile_step < pool->profile_steps)
    pool->profile_ns[pool->profile_step] += now_ns() - start;
  ++pool->profile_step;
}

static void parallel_for(struct qc_pool *pool, const qc_exec *exec, int64_t num_tasks,
                         qc_task_fn fn) {
  if (num_tasks <= 0)
    return;
  if (!pool || pool->num_threads == 1 || num_tasks == 1 || tl_inside_pool) {
    fn(exec, 0, num_tasks);
    return;
  }
  pool->exec = exec;
  pool->fn = fn;
  pool->num_tasks = num_tasks;
  atomic_store_explicit(&pool->done, 0, memory_order_relaxed);
  uint64_t gen = atomic_fetch_add(&pool->generation, 1) + 1; /* publishes the step */
  if (atomic_load(&pool->sleepers) > 0) {
    pthread_mutex_lock(&pool->mutex);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->mutex);
  }

  /* Chunk 0, then whatever chunks no worker has started. */
  tl_inside_pool = 1;
  int32_t mine = 0;
  for (int32_t i = 0; i < pool->num_threads; ++i)
    if (claim_chunk(pool, i, gen)) {
      run_chunk(pool, i);
      ++mine;
    }
  tl_inside_pool = 0;

  int32_t all = pool->num_threads;
  if (atomic_fetch_add(&pool->done, mine) + mine == all)
    return;
  int64_t start = now_ns();
  for (uint32_t i = 1;; ++i) {
    cpu_relax();
    if (atomic_load_explicit(&pool->done, memory_order_acquire) == all)
      return;
    if ((i & 63) == 0) {
      if (now_ns() - start > pool->spin_ns)
        break;
      sched_yield();
    }
  }
  pthread_mutex_lock(&pool->mutex);
  atomic_store(&pool->caller_sleeping, 1);
  while (atomic_load(&pool->done) != all)
    pthread_cond_wait(&pool->finished, &pool->mutex);
  atomic_store(&pool->caller_sleeping, 0);
  pthread_mutex_unlock(&pool->mutex);
}
