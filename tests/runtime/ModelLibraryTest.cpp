// The C ABI of a model .so through include/qc/model.hpp, on the hand-written
// model of TestModel.c: metadata, runs, the batch dimension, every error
// path, thread counts, concurrent runs, versions and CPU features.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <random>
#include <thread>

#include "qc/model.hpp"

namespace {

constexpr int64_t kRows = 3, kCols = 5, kSample = kRows * kCols;

qc::Model loadModel(const char *path = QC_TEST_MODEL_SO) {
  auto model = qc::Model::load(path);
  EXPECT_TRUE(model.ok()) << model.status().message;
  return std::move(model).value();
}

qc::Session makeSession(const qc::Model &model, int32_t threads) {
  auto session = model.createSession(threads);
  EXPECT_TRUE(session.ok()) << session.status().message;
  return std::move(session).value();
}

// Random inputs for `batch` samples, and the outputs TestModel.c computes.
struct Case {
  std::vector<qc::Tensor> inputs, expected;
};

Case makeCase(int64_t batch, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> dist(-100, 100);
  Case c;
  qc::Tensor x = qc::Tensor::zeros(QC_ELEM_F32, {batch, kRows, kCols});
  qc::Tensor y = qc::Tensor::zeros(QC_ELEM_I8, {batch, kCols});
  for (int64_t i = 0; i < x.numElements(); ++i)
    x.data<float>()[i] = float(dist(rng)) * 0.25f;
  for (int64_t i = 0; i < y.numElements(); ++i)
    y.data<int8_t>()[i] = int8_t(dist(rng));
  qc::Tensor z = qc::Tensor::zeros(QC_ELEM_F32, {batch, kRows, kCols});
  qc::Tensor s = qc::Tensor::zeros(QC_ELEM_I64, {batch});
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t i = 0; i < kSample; ++i) {
      float v = 2.0f * x.data<float>()[b * kSample + i] +
                float(y.data<int8_t>()[b * kCols + i % kCols]);
      z.data<float>()[b * kSample + i] = v;
      s.data<int64_t>()[b] += int64_t(v);
    }
  c.inputs = {std::move(x), std::move(y)};
  c.expected = {std::move(z), std::move(s)};
  return c;
}

void expectOutputs(const std::vector<qc::Tensor> &actual, const std::vector<qc::Tensor> &expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    EXPECT_EQ(actual[i].elemType, expected[i].elemType) << "output " << i;
    EXPECT_EQ(actual[i].shape, expected[i].shape) << "output " << i;
    EXPECT_TRUE(actual[i].bytes == expected[i].bytes) << "output " << i;
  }
}

TEST(ModelLibrary, Metadata) {
  qc::Model model = loadModel();
  EXPECT_EQ(model.name(), "test_model");
  EXPECT_EQ(model.targetCpu(), "x86-64-v3");
  ASSERT_EQ(model.inputs().size(), 2u);
  ASSERT_EQ(model.outputs().size(), 2u);
  const qc::TensorInfo &x = model.inputs()[0];
  EXPECT_EQ(x.name, "x");
  EXPECT_EQ(x.elemType, QC_ELEM_F32);
  EXPECT_EQ(x.dims, (std::vector<int64_t>{-1, 3, 5}));
  EXPECT_EQ(x.dimNames, (std::vector<std::string>{"N", "", ""}));
  EXPECT_EQ(model.inputs()[1].elemType, QC_ELEM_I8);
  EXPECT_EQ(model.outputs()[1].name, "s");
  EXPECT_EQ(model.outputs()[1].elemType, QC_ELEM_I64);
  EXPECT_EQ(model.outputs()[1].dims, (std::vector<int64_t>{-1}));
}

TEST(ModelLibrary, MetadataEntriesRejectBadIndices) {
  void *handle = dlopen(QC_TEST_MODEL_SO, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr);
  auto name = reinterpret_cast<const char *(*)(int32_t)>(dlsym(handle, "qc_input_name"));
  auto rank = reinterpret_cast<int32_t (*)(int32_t)>(dlsym(handle, "qc_output_rank"));
  auto dim = reinterpret_cast<int64_t (*)(int32_t, int32_t)>(dlsym(handle, "qc_input_dim"));
  auto dimName =
      reinterpret_cast<const char *(*)(int32_t, int32_t)>(dlsym(handle, "qc_input_dim_name"));
  auto lastError = reinterpret_cast<const char *(*)()>(dlsym(handle, "qc_last_error"));
  ASSERT_TRUE(name && rank && dim && dimName && lastError);
  EXPECT_EQ(name(-1), nullptr);
  EXPECT_EQ(name(2), nullptr);
  EXPECT_EQ(rank(7), -1);
  EXPECT_EQ(dim(0, 3), -1);
  EXPECT_EQ(dim(0, 1), 3);
  EXPECT_EQ(dimName(0, -1), nullptr);
  EXPECT_STREQ(dimName(0, 0), "N");
  EXPECT_EQ(dimName(0, 2), nullptr);
  EXPECT_STREQ(lastError(), ""); // nothing failed on this thread yet
  dlclose(handle);
}

TEST(ModelLibrary, RunsAndGrowsWithTheBatch) {
  qc::Model model = loadModel();
  qc::Session session = makeSession(model, 2);
  for (int64_t batch : {1, 4, 2, 9, 1}) {
    Case c = makeCase(batch, uint64_t(batch));
    std::vector<qc::Tensor> outputs;
    qc::Status st = session.run(c.inputs, outputs);
    ASSERT_TRUE(st.ok()) << st.message;
    expectOutputs(outputs, c.expected);
  }
  ASSERT_TRUE(session.reserve(64).ok());
  Case c = makeCase(64, 3);
  std::vector<qc::Tensor> outputs;
  ASSERT_TRUE(session.run(c.inputs, outputs).ok());
  expectOutputs(outputs, c.expected);
}

TEST(ModelLibrary, ThreadCountsGiveIdenticalResults) {
  qc::Model model = loadModel();
  Case c = makeCase(13, 42);
  for (int32_t threads : {1, 2, 3, 7, 16, 0}) {
    qc::Session session = makeSession(model, threads);
    for (int repeat = 0; repeat < 3; ++repeat) {
      std::vector<qc::Tensor> outputs;
      qc::Status st = session.run(c.inputs, outputs);
      ASSERT_TRUE(st.ok()) << st.message;
      expectOutputs(outputs, c.expected);
    }
  }
}

// Runs `c` on caller-owned buffers with the low-level entry, so that each
// argument can be broken on purpose.
struct RawRun {
  std::vector<qc::InputView> in;
  std::vector<qc::OutputView> out;
  std::vector<std::vector<int64_t>> inShapes, outShapes;
  std::vector<std::vector<uint8_t>> outData;

  explicit RawRun(const Case &c) {
    for (const qc::Tensor &t : c.inputs)
      inShapes.push_back(t.shape);
    for (const qc::Tensor &t : c.expected) {
      outShapes.emplace_back(t.shape.size(), 0);
      outData.emplace_back(t.bytes.size());
    }
    for (size_t i = 0; i < c.inputs.size(); ++i)
      in.push_back({c.inputs[i].bytes.data(), inShapes[i].data(), int32_t(inShapes[i].size()),
                    c.inputs[i].bytes.size()});
    for (size_t i = 0; i < c.expected.size(); ++i)
      out.push_back({outData[i].data(), outData[i].size(), outShapes[i].data(),
                     int32_t(outShapes[i].size())});
  }
  qc::Status run(qc::Session &s) { return s.run(in.data(), in.size(), out.data(), out.size()); }
};

void expectError(qc::Status st, qc_status code, const std::string &text) {
  EXPECT_EQ(st.code, code) << st.message;
  EXPECT_NE(st.message.find(text), std::string::npos)
      << "message: '" << st.message << "', expected to contain '" << text << "'";
}

TEST(ModelLibrary, RawRunWritesShapes) {
  qc::Model model = loadModel();
  qc::Session session = makeSession(model, 1);
  Case c = makeCase(3, 1);
  RawRun r(c);
  ASSERT_TRUE(r.run(session).ok());
  r.in[0].sizeBytes = 0; // an input's size is optional
  ASSERT_TRUE(r.run(session).ok());
  EXPECT_EQ(r.outShapes[0], (std::vector<int64_t>{3, 3, 5}));
  EXPECT_EQ(r.outShapes[1], (std::vector<int64_t>{3}));
  EXPECT_TRUE(r.outData[0] == c.expected[0].bytes);
  EXPECT_TRUE(r.outData[1] == c.expected[1].bytes);
}

TEST(ModelLibrary, BadArgumentsAreErrorsNamingTheTensor) {
  qc::Model model = loadModel();
  qc::Session session = makeSession(model, 2);
  Case c = makeCase(3, 1);
  {
    RawRun r(c);
    expectError(session.run(r.in.data(), 1, r.out.data(), 2), QC_ERROR_INVALID_ARGUMENT,
                "1 inputs given, the model has 2");
    std::vector<qc::OutputView> threeOutputs = r.out;
    threeOutputs.push_back(r.out[0]);
    expectError(session.run(r.in.data(), 2, threeOutputs.data(), 3), QC_ERROR_INVALID_ARGUMENT,
                "3 outputs given, the model has 2");
    expectError(session.run(nullptr, 2, r.out.data(), 2), QC_ERROR_INVALID_ARGUMENT,
                "the inputs array is null");
    expectError(session.run(r.in.data(), 2, nullptr, 2), QC_ERROR_INVALID_ARGUMENT,
                "the outputs array is null");
  }
  auto broken = [&](auto breakIt, qc_status code, const std::string &text) {
    RawRun r(c);
    breakIt(r);
    expectError(r.run(session), code, text);
  };
  broken([](RawRun &r) { r.in[0].rank = 2; }, QC_ERROR_SHAPE,
         "input 'x': rank 2 given, the model needs 3");
  broken([](RawRun &r) { r.inShapes[0][1] = 4; }, QC_ERROR_SHAPE,
         "input 'x': dim 1 is 4, the model needs 3");
  broken([](RawRun &r) { r.inShapes[1][0] = 2; }, QC_ERROR_SHAPE,
         "input 'y': dim 0 (N) is 2, but input 'x' gave N = 3");
  broken([](RawRun &r) { r.inShapes[0][0] = 0; }, QC_ERROR_SHAPE,
         "input 'x': dim 0 (N) is 0; expected >= 1");
  broken([](RawRun &r) { r.inShapes[0][0] = -5; }, QC_ERROR_SHAPE, "is -5");
  broken([](RawRun &r) { r.inShapes[0][0] = int64_t(1) << 62; }, QC_ERROR_SHAPE,
         "input 'x': the shape's element count overflows");
  broken([](RawRun &r) { r.in[1].data = nullptr; }, QC_ERROR_INVALID_ARGUMENT,
         "input 'y': the data pointer is null");
  broken([](RawRun &r) { r.in[0].shape = nullptr; }, QC_ERROR_INVALID_ARGUMENT,
         "input 'x': the shape pointer is null");
  broken([](RawRun &r) { r.out[1].rank = 0; }, QC_ERROR_SHAPE,
         "output 's': rank 0 given, the model's is 1");
  broken([](RawRun &r) { r.out[0].shape = nullptr; }, QC_ERROR_INVALID_ARGUMENT,
         "output 'z': the shape pointer is null");
  broken([](RawRun &r) { r.out[1].data = nullptr; }, QC_ERROR_INVALID_ARGUMENT,
         "output 's': the data pointer is null");
  broken([](RawRun &r) { r.in[0].sizeBytes -= 1; }, QC_ERROR_SHAPE,
         "input 'x': the buffer holds");
  broken([](RawRun &r) { r.out[0].sizeBytes -= 1; }, QC_ERROR_SHAPE,
         "output 'z': the buffer holds 179 bytes, 180 needed");

  // A too small output still learns its shape, and nothing was written.
  RawRun r(c);
  r.out[1].sizeBytes = 8;
  ASSERT_FALSE(r.run(session).ok());
  EXPECT_EQ(r.outShapes[1], (std::vector<int64_t>{3}));
  EXPECT_EQ(r.outData[0], std::vector<uint8_t>(r.outData[0].size(), 0));
  // The session still works after all that.
  ASSERT_TRUE(RawRun(c).run(session).ok());
}

TEST(ModelLibrary, NullSessionAndBadThreadCounts) {
  void *handle = dlopen(QC_TEST_MODEL_SO, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr);
  auto create = reinterpret_cast<qc_status (*)(int32_t, qc_session **)>(
      dlsym(handle, "qc_session_create"));
  auto run = reinterpret_cast<qc_status (*)(qc_session *, const qc_tensor *, int32_t,
                                            qc_tensor *, int32_t)>(dlsym(handle, "qc_run"));
  auto reserve =
      reinterpret_cast<qc_status (*)(qc_session *, int64_t)>(dlsym(handle, "qc_session_reserve"));
  auto destroy = reinterpret_cast<void (*)(qc_session *)>(dlsym(handle, "qc_session_destroy"));
  auto lastError = reinterpret_cast<const char *(*)()>(dlsym(handle, "qc_last_error"));
  EXPECT_EQ(run(nullptr, nullptr, 0, nullptr, 0), QC_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(lastError(), "qc_run: the session is null");
  EXPECT_EQ(create(1, nullptr), QC_ERROR_INVALID_ARGUMENT);
  qc_session *s = reinterpret_cast<qc_session *>(0x1);
  EXPECT_EQ(create(-1, &s), QC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(s, nullptr);
  EXPECT_NE(std::string(lastError()).find("-1 threads"), std::string::npos) << lastError();
  EXPECT_EQ(reserve(nullptr, 4), QC_ERROR_INVALID_ARGUMENT);
  ASSERT_EQ(create(1, &s), QC_OK);
  EXPECT_EQ(reserve(s, 0), QC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(reserve(s, int64_t(1) << 62), QC_ERROR_OUT_OF_MEMORY);
  EXPECT_NE(std::string(lastError()).find("overflows"), std::string::npos) << lastError();
  destroy(s);
  destroy(nullptr);
  dlclose(handle);
}

TEST(ModelLibrary, ErrorsAreThreadLocal) {
  qc::Model model = loadModel();
  qc::Session session = makeSession(model, 1);
  RawRun bad(makeCase(1, 1));
  bad.inShapes[0][2] = 6;
  ASSERT_FALSE(bad.run(session).ok());
  std::string other;
  std::thread([&] {
    auto again = qc::Model::load(QC_TEST_MODEL_SO);
    ASSERT_TRUE(again.ok());
    auto s = again->createSession(1);
    RawRun b(makeCase(1, 1));
    b.in[0].rank = 1;
    other = b.run(*s).message;
  }).join();
  EXPECT_EQ(other, "input 'x': rank 1 given, the model needs 3");
}

TEST(ModelLibrary, UnsupportedCpuFeatures) {
  qc::Model model = loadModel(QC_TEST_MODEL_FP16_SO);
  EXPECT_EQ(model.name(), "test_model_fp16");
  auto session = model.createSession(1);
  ASSERT_FALSE(session.ok());
  std::string lacks = __builtin_cpu_supports("avx512fp16") ? "qc_no_such_feature"
                                                           : "avx512fp16, qc_no_such_feature";
  expectError(session.status(), QC_ERROR_UNSUPPORTED_CPU,
              "this model was compiled for x86-64-v3 and needs "
              "avx2,avx512fp16,qc_no_such_feature; this CPU lacks: " +
                  lacks);
}

TEST(ModelLibrary, DescriptorVersionMismatch) {
  qc::Model model = loadModel(QC_TEST_MODEL_DESC99_SO);
  auto session = model.createSession(1);
  ASSERT_FALSE(session.ok());
  expectError(session.status(), QC_ERROR_ABI_MISMATCH, "descriptor version 99");
}

TEST(ModelLibrary, AbiVersionMismatch) {
  auto model = qc::Model::load(QC_TEST_ABI_MISMATCH_SO);
  ASSERT_FALSE(model.ok());
  expectError(model.status(), QC_ERROR_ABI_MISMATCH,
              "was built for qc ABI version " + std::to_string(QC_ABI_VERSION + 1) +
                  ", this program for " + std::to_string(QC_ABI_VERSION));
}

TEST(ModelLibrary, NotAModel) {
  auto missing = qc::Model::load("/nonexistent/model.so");
  ASSERT_FALSE(missing.ok());
  expectError(missing.status(), QC_ERROR_INVALID_ARGUMENT, "cannot load '/nonexistent/model.so'");
  auto libm = qc::Model::load("libm.so.6");
  ASSERT_FALSE(libm.ok());
  expectError(libm.status(), QC_ERROR_INVALID_ARGUMENT, "is not a qc model library");
}

TEST(ModelLibrary, SeveralModelsLoadedAtOnce) {
  qc::Model a = loadModel(QC_TEST_MODEL_SO);
  qc::Model b = loadModel(QC_TEST_MODEL_FP16_SO);
  qc::Model c = loadModel(QC_TEST_MODEL_DESC99_SO);
  EXPECT_EQ(a.name(), "test_model");
  EXPECT_EQ(b.name(), "test_model_fp16");
  EXPECT_TRUE(a.createSession(1).ok());
  EXPECT_FALSE(b.createSession(1).ok());
  EXPECT_FALSE(c.createSession(1).ok());
  // A session keeps its library loaded after the Model is gone.
  qc::Session s = makeSession(a, 2);
  { qc::Model gone = std::move(a); }
  Case k = makeCase(2, 9);
  std::vector<qc::Tensor> outputs;
  ASSERT_TRUE(s.run(k.inputs, outputs).ok());
  expectOutputs(outputs, k.expected);
}

TEST(ModelLibrary, ConcurrentRunsOnSeparateSessions) {
  qc::Model model = loadModel();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      qc::Session session = makeSession(model, t % 2 + 1);
      for (int i = 0; i < 200; ++i) {
        Case c = makeCase(1 + (t + i) % 5, uint64_t(t * 1000 + i));
        std::vector<qc::Tensor> outputs;
        if (!session.run(c.inputs, outputs).ok() || outputs[0].bytes != c.expected[0].bytes ||
            outputs[1].bytes != c.expected[1].bytes)
          ++failures;
      }
    });
  for (std::thread &t : threads)
    t.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(ModelLibrary, ConcurrentRunsOnOneSession) {
  qc::Model model = loadModel();
  qc::Session session = makeSession(model, 2);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        Case c = makeCase(1 + (t * 3 + i) % 7, uint64_t(t * 1000 + i));
        std::vector<qc::Tensor> outputs;
        if (!session.run(c.inputs, outputs).ok() || outputs[0].bytes != c.expected[0].bytes ||
            outputs[1].bytes != c.expected[1].bytes)
          ++failures;
      }
    });
  for (std::thread &t : threads)
    t.join();
  EXPECT_EQ(failures.load(), 0);
}

} // namespace
