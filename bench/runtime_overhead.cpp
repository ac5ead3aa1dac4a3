// Thread-pool overhead of qc_rt_parallel_for (runtime/ThreadPool.c): the
// cost of one step with empty tasks (hand-off + join latency), and the
// time of a step of ~20 us of work split over 1 and 2 threads, the shape of
// a model's conv step. Google Benchmark; not a timed test.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdint>

#include "runtime/Session.h"

namespace {

int64_t gSteps, gTasks, gSpinPerTask;
std::atomic<int64_t> gSink;

void work(const qc_exec *, int64_t begin, int64_t end) {
  int64_t acc = 0;
  for (int64_t t = begin; t < end; ++t)
    for (int64_t i = 0; i < gSpinPerTask; ++i)
      acc = acc * 6364136223846793005 + i; // serial dependency chain: not vectorized away
  gSink.fetch_add(acc, std::memory_order_relaxed);
}

void steps(const qc_exec *exec) {
  for (int64_t s = 0; s < gSteps; ++s)
    qc_rt_parallel_for(exec, gTasks, work);
}

// Runs `steps` parallel_for steps per iteration; reports the time per step.
void runSteps(benchmark::State &state, int32_t threads, int64_t tasks, int64_t spinPerTask) {
  qc_model_desc desc{};
  desc.desc_version = QC_DESC_VERSION;
  desc.abi_version = QC_ABI_VERSION;
  desc.name = "overhead";
  desc.required_features = "";
  desc.run = steps;
  qc_session *session = nullptr;
  if (qc_rt_session_create(&desc, threads, &session) != QC_OK) {
    state.SkipWithError(qc_rt_last_error());
    return;
  }
  gSteps = 100;
  gTasks = tasks;
  gSpinPerTask = spinPerTask;
  for (auto _ : state)
    qc_rt_run(session, nullptr, 0, nullptr, 0);
  state.SetItemsProcessed(state.iterations() * gSteps);
  state.counters["s_per_step"] = benchmark::Counter(
      double(gSteps), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  qc_rt_session_destroy(session);
}

// Empty steps: pure hand-off and join cost.
void BM_EmptyStep(benchmark::State &state) { runSteps(state, int32_t(state.range(0)), 64, 0); }
BENCHMARK(BM_EmptyStep)->Arg(1)->Arg(2)->UseRealTime();

// ~20 us of single-thread work per step, 64 tasks.
void BM_WorkStep(benchmark::State &state) {
  runSteps(state, int32_t(state.range(0)), 64, 300);
}
BENCHMARK(BM_WorkStep)->Arg(1)->Arg(2)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
