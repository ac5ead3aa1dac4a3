// The host runtime (runtime/Session.h) over descriptors built here: the CPU
// feature check, the arena, and qc_rt_parallel_for's split, hand-off and
// nesting, as the JIT uses them.
#include <gtest/gtest.h>

#include <pthread.h>

#include <atomic>
#include <cstring>
#include <ctime>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "runtime/Session.h"

namespace {

TEST(CpuFeatures, PresentMissingAndUnknown) {
  EXPECT_EQ(qc_rt_missing_cpu_features(nullptr), nullptr);
  EXPECT_EQ(qc_rt_missing_cpu_features(""), nullptr);
  EXPECT_EQ(qc_rt_missing_cpu_features("sse2"), nullptr);
  EXPECT_STREQ(qc_rt_missing_cpu_features("bogus"), "bogus");
  EXPECT_STREQ(qc_rt_missing_cpu_features("sse2, bogus ,+also_bogus,,"), "bogus, also_bogus");
  // Every name the runtime knows agrees with the compiler's own detection.
  struct Known {
    const char *name;
    bool present;
  };
  __builtin_cpu_init();
  const Known known[] = {
      {"sse4.1", bool(__builtin_cpu_supports("sse4.1"))},
      {"sse4.2", bool(__builtin_cpu_supports("sse4.2"))},
      {"avx", bool(__builtin_cpu_supports("avx"))},
      {"avx2", bool(__builtin_cpu_supports("avx2"))},
      {"fma", bool(__builtin_cpu_supports("fma"))},
      {"bmi2", bool(__builtin_cpu_supports("bmi2"))},
      {"avx512f", bool(__builtin_cpu_supports("avx512f"))},
      {"avx512bw", bool(__builtin_cpu_supports("avx512bw"))},
      {"avx512vl", bool(__builtin_cpu_supports("avx512vl"))},
      {"avx512vnni", bool(__builtin_cpu_supports("avx512vnni"))},
      {"avx512bf16", bool(__builtin_cpu_supports("avx512bf16"))},
      {"avx512vbmi", bool(__builtin_cpu_supports("avx512vbmi"))},
      {"avxvnni", bool(__builtin_cpu_supports("avxvnni"))},
      {"avx512fp16", bool(__builtin_cpu_supports("avx512fp16"))},
  };
  for (const Known &k : known) {
    const char *missing = qc_rt_missing_cpu_features(k.name);
    if (k.present)
      EXPECT_EQ(missing, nullptr) << k.name;
    else
      EXPECT_STREQ(missing, k.name);
  }
}

// A descriptor whose run() is a test-provided function.
struct TestModel {
  qc_model_desc desc{};
  std::string features;

  explicit TestModel(void (*run)(const qc_exec *), uint64_t staticBytes = 0,
                     uint64_t batchBytes = 0, const char *requiredFeatures = "") {
    features = requiredFeatures;
    desc.desc_version = QC_DESC_VERSION;
    desc.abi_version = QC_ABI_VERSION;
    desc.name = "host_test";
    desc.target_cpu = "x86-64";
    desc.required_features = features.c_str();
    desc.arena_static_bytes = staticBytes;
    desc.arena_batch_bytes = batchBytes;
    desc.run = run;
  }
};

qc_session *create(const qc_model_desc &desc, int32_t threads) {
  qc_session *s = nullptr;
  qc_status st = qc_rt_session_create(&desc, threads, &s);
  EXPECT_EQ(st, QC_OK) << qc_rt_last_error();
  return s;
}

qc_status runNoIo(qc_session *s) { return qc_rt_run(s, nullptr, 0, nullptr, 0); }

// What the tasks of one parallel_for saw.
struct Recorder {
  std::vector<pthread_t> threadOfTask;
  std::vector<std::atomic<int>> hits;
  explicit Recorder(int64_t n) : threadOfTask(size_t(n)), hits(size_t(n)) {}
};
Recorder *gRecorder;
int64_t gTasks;

void recordTasks(const qc_exec *, int64_t begin, int64_t end) {
  for (int64_t t = begin; t < end; ++t) {
    gRecorder->threadOfTask[size_t(t)] = pthread_self();
    gRecorder->hits[size_t(t)]++;
  }
}

void runRecorded(const qc_exec *exec) { qc_rt_parallel_for(exec, gTasks, recordTasks); }

TEST(ThreadPool, StaticBalancedContiguousSplit) {
  TestModel model(runRecorded);
  for (int32_t threads : {1, 2, 3, 5}) {
    qc_session *s = create(model.desc, threads);
    for (int64_t tasks : {1, 2, 3, 7, 10, 64, 1001}) {
      Recorder rec(tasks);
      gRecorder = &rec;
      gTasks = tasks;
      ASSERT_EQ(runNoIo(s), QC_OK);
      // Every task once; chunks are the balanced contiguous split, each run
      // by one thread; the caller runs chunk 0 (and may run a chunk whose
      // worker had not started: see ThreadPool.c).
      std::set<pthread_t> used;
      int64_t base = tasks / threads, rem = tasks % threads;
      for (int64_t chunk = 0, begin = 0; chunk < threads; ++chunk) {
        int64_t end = begin + base + (chunk < rem ? 1 : 0);
        for (int64_t t = begin; t < end; ++t) {
          EXPECT_EQ(rec.hits[size_t(t)].load(), 1);
          EXPECT_TRUE(pthread_equal(rec.threadOfTask[size_t(t)], rec.threadOfTask[size_t(begin)]))
              << "chunk " << chunk << " of " << tasks << " tasks split over threads";
          used.insert(rec.threadOfTask[size_t(t)]);
        }
        if (chunk == 0) {
          EXPECT_TRUE(pthread_equal(rec.threadOfTask[0], pthread_self()));
        }
        begin = end;
      }
      EXPECT_LE(used.size(), size_t(std::min<int64_t>(tasks, threads)));
    }
    qc_rt_session_destroy(s);
  }
}

std::atomic<int64_t> gSum;
void addTasks(const qc_exec *, int64_t begin, int64_t end) {
  int64_t local = 0;
  for (int64_t t = begin; t < end; ++t)
    local += t;
  gSum += local;
}

void manySteps(const qc_exec *exec) {
  for (int step = 0; step < 5000; ++step)
    qc_rt_parallel_for(exec, 1 + step % 9, addTasks);
}

TEST(ThreadPool, ManyShortStepsLoseNothing) {
  TestModel model(manySteps);
  int64_t expected = 0;
  for (int step = 0; step < 5000; ++step) {
    int64_t n = 1 + step % 9;
    expected += n * (n - 1) / 2;
  }
  for (int32_t threads : {2, 3, 8}) {
    qc_session *s = create(model.desc, threads);
    gSum = 0;
    ASSERT_EQ(runNoIo(s), QC_OK);
    EXPECT_EQ(gSum.load(), expected) << threads << " threads";
    qc_rt_session_destroy(s);
  }
}

void nestedInner(const qc_exec *exec, int64_t begin, int64_t end) {
  // A parallel_for from inside a task runs inline, on this thread.
  pthread_t self = pthread_self();
  gRecorder->threadOfTask[size_t(begin)] = self;
  qc_rt_parallel_for(exec, 4, [](const qc_exec *, int64_t b, int64_t e) {
    EXPECT_EQ(b, 0);
    EXPECT_EQ(e, 4);
  });
  gRecorder->hits[size_t(begin)] += int(end - begin);
}

void runNested(const qc_exec *exec) { qc_rt_parallel_for(exec, 2, nestedInner); }

TEST(ThreadPool, NestedParallelForRunsInline) {
  TestModel model(runNested);
  qc_session *s = create(model.desc, 2);
  Recorder rec(2);
  gRecorder = &rec;
  ASSERT_EQ(runNoIo(s), QC_OK);
  EXPECT_EQ(rec.hits[0].load() + rec.hits[1].load(), 2);
  qc_rt_session_destroy(s);
}

// The arena: 64-byte aligned, sized static + batch * per-batch bytes.
uint8_t *gArena;
int64_t gBatch;
void touchArena(const qc_exec *exec) {
  gArena = exec->arena;
  gBatch = exec->batch;
  memset(exec->arena, 0x5a, 100 + 1000 * size_t(exec->batch));
}

TEST(Session, ArenaAlignedAndSizedForTheBatch) {
  TestModel model(touchArena, 100, 1000);
  static const int64_t dims[] = {-1, 2};
  static const char *const names[] = {"batch", nullptr};
  qc_tensor_desc input{"in", QC_ELEM_U8, 2, dims, names};
  model.desc.num_inputs = 1;
  model.desc.inputs = &input;
  model.desc.batch_dim_name = "batch";
  qc_session *s = create(model.desc, 1);
  for (int64_t batch : {1, 5, 3, 40}) {
    std::vector<uint8_t> data(size_t(batch) * 2);
    int64_t shape[] = {batch, 2};
    qc_tensor in{data.data(), shape, 2, 0, data.size()};
    ASSERT_EQ(qc_rt_run(s, &in, 1, nullptr, 0), QC_OK) << qc_rt_last_error();
    EXPECT_EQ(reinterpret_cast<uintptr_t>(gArena) % 64, 0u);
    EXPECT_EQ(gBatch, batch);
  }
  // Reserved once, the arena stays where it is for smaller batches.
  ASSERT_EQ(qc_rt_session_reserve(s, 64), QC_OK);
  std::set<uint8_t *> arenas;
  for (int64_t batch : {64, 1, 17}) {
    std::vector<uint8_t> data(size_t(batch) * 2);
    int64_t shape[] = {batch, 2};
    qc_tensor in{data.data(), shape, 2, 0, data.size()};
    ASSERT_EQ(qc_rt_run(s, &in, 1, nullptr, 0), QC_OK);
    arenas.insert(gArena);
  }
  EXPECT_EQ(arenas.size(), 1u);
  // The symbolic dimension's name appears in errors.
  int64_t shape[] = {0, 2};
  uint8_t byte = 0;
  qc_tensor in{&byte, shape, 2, 0, 1};
  EXPECT_EQ(qc_rt_run(s, &in, 1, nullptr, 0), QC_ERROR_SHAPE);
  EXPECT_STREQ(qc_rt_last_error(), "input 'in': dim 0 (batch) is 0; expected >= 1");
  qc_rt_session_destroy(s);
}

void doNothing(const qc_exec *) {}

TEST(Session, CreateChecksTheDescriptor) {
  qc_session *s = nullptr;
  EXPECT_EQ(qc_rt_session_create(nullptr, 1, &s), QC_ERROR_INVALID_ARGUMENT);
  TestModel features(doNothing, 0, 0, "sse2,qc_missing_thing");
  EXPECT_EQ(qc_rt_session_create(&features.desc, 1, &s), QC_ERROR_UNSUPPORTED_CPU);
  EXPECT_STREQ(qc_rt_last_error(), "this model was compiled for x86-64 and needs "
                                   "sse2,qc_missing_thing; this CPU lacks: qc_missing_thing");
  EXPECT_EQ(s, nullptr);
  TestModel abi(doNothing);
  abi.desc.abi_version = QC_ABI_VERSION + 1;
  EXPECT_EQ(qc_rt_session_create(&abi.desc, 1, &s), QC_ERROR_ABI_MISMATCH);
  TestModel noRun(nullptr);
  EXPECT_EQ(qc_rt_session_create(&noRun.desc, 1, &s), QC_ERROR_INTERNAL);
  TestModel huge(doNothing, UINT64_MAX - 10, 0);
  EXPECT_EQ(qc_rt_session_create(&huge.desc, 1, &s), QC_ERROR_OUT_OF_MEMORY);
  EXPECT_NE(std::string(qc_rt_last_error()).find("host_test"), std::string::npos);
  TestModel ok(doNothing);
  EXPECT_EQ(qc_rt_session_create(&ok.desc, 0, &s), QC_OK); // one thread per core
  qc_rt_session_destroy(s);
}

// QC_PROFILE: at session destruction, stderr gets each step's mean time per
// run under its name, the slowest first.
void sleepTask(const qc_exec *, int64_t begin, int64_t end) {
  struct timespec ts = {0, 2000000 * (end - begin)};
  nanosleep(&ts, nullptr);
}
void runTwoProfiledSteps(const qc_exec *exec) {
  qc_rt_parallel_for(exec, 1, sleepTask); // ~2 ms
  qc_rt_parallel_for(exec, 0, sleepTask); // no tasks, still a step
}

TEST(Profile, ReportsEveryStepByName) {
  TestModel model(runTwoProfiledSteps);
  const char *const names[] = {"slow step", "empty step"};
  model.desc.num_steps = 2;
  model.desc.step_names = names;
  setenv("QC_PROFILE", "1", 1);
  qc_session *s = create(model.desc, 2);
  unsetenv("QC_PROFILE");
  ASSERT_NE(s, nullptr);
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(runNoIo(s), QC_OK);
  testing::internal::CaptureStderr();
  qc_rt_session_destroy(s);
  std::string report = testing::internal::GetCapturedStderr();
  EXPECT_NE(report.find("3 runs, 2 threads"), std::string::npos) << report;
  size_t slow = report.find("slow step"), empty = report.find("empty step");
  ASSERT_NE(slow, std::string::npos) << report;
  ASSERT_NE(empty, std::string::npos) << report;
  EXPECT_LT(slow, empty) << "the slowest step comes first:\n" << report;

  // Without QC_PROFILE nothing is printed.
  qc_session *quiet = create(model.desc, 1);
  ASSERT_EQ(runNoIo(quiet), QC_OK);
  testing::internal::CaptureStderr();
  qc_rt_session_destroy(quiet);
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

} // namespace
