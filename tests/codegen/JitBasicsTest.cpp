// The code generator's plumbing on graphs of data-movement kernels only:
// JIT for every ISA, batch splitting of task ranges, graph I/O binding, the
// descriptor; and AOT: a .so that dlopen loads, with only libc/libm/
// libpthread as dependencies, running through the exported C ABI.
#include <dlfcn.h>

#include <cstdio>
#include <cstring>
#include <numeric>

#include "codegen/Codegen.h"
#include "ir/Parser.h"
#include "runtime/Session.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "gtest/gtest.h"

using namespace qc;

namespace {

// y = x viewed as [N, 60] (a copy into the output), z = x again.
const char *kCopyGraph = R"(
graph @copies(%x: tensor<Nx3x4x5xu8>) {
  %s = const dense<[-1, 60]> : tensor<2xi64>
  %y = Reshape(%x, %s) : tensor<Nx60xu8>
  return %y, %x
}
)";

struct IsaCase {
  const char *cpu;
  const char *features;
};
const IsaCase kIsas[] = {
    {"x86-64", ""}, {"x86-64-v3", ""}, {"x86-64-v3", "+avxvnni"}, {"native", ""}};

std::unique_ptr<ir::Graph> parse(const char *text) {
  auto g = ir::parseGraph(text);
  if (!g) {
    ADD_FAILURE() << llvm::toString(g.takeError());
    return nullptr;
  }
  return std::move(*g);
}

TEST(Target, ResolvesCpuNamesAndIsa) {
  codegen::CodegenOptions o;
  o.targetCpu = "x86-64";
  auto t = codegen::resolveTarget(o);
  ASSERT_TRUE(bool(t)) << llvm::toString(t.takeError());
  EXPECT_EQ(t->isa, codegen::Isa::Generic);
  EXPECT_EQ(t->requiredFeatures, "");
  o.targetCpu = "x86-64-v3";
  t = codegen::resolveTarget(o);
  ASSERT_TRUE(bool(t));
  EXPECT_EQ(t->isa, codegen::Isa::Avx2);
  EXPECT_NE(t->requiredFeatures.find("avx2"), std::string::npos);
  EXPECT_EQ(t->requiredFeatures.find("avx512f"), std::string::npos);
  o.targetFeatures = "+avxvnni";
  t = codegen::resolveTarget(o);
  ASSERT_TRUE(bool(t));
  EXPECT_EQ(t->isa, codegen::Isa::AvxVnni);
  o.targetCpu = "znver5";
  o.targetFeatures = "";
  t = codegen::resolveTarget(o);
  ASSERT_TRUE(bool(t));
  EXPECT_EQ(t->isa, codegen::Isa::Avx512Vnni);
  EXPECT_NE(t->requiredFeatures.find("avx512vnni"), std::string::npos);
  o.targetFeatures = "-avx512vnni,-avxvnni";
  t = codegen::resolveTarget(o);
  ASSERT_TRUE(bool(t));
  EXPECT_EQ(t->isa, codegen::Isa::Avx2);

  o.targetCpu = "pentium-9000";
  t = codegen::resolveTarget(o);
  ASSERT_FALSE(bool(t));
  EXPECT_NE(llvm::toString(t.takeError()).find("unknown target CPU 'pentium-9000'"),
            std::string::npos);
  o.targetCpu = "x86-64";
  o.targetFeatures = "+nosuchfeature";
  t = codegen::resolveTarget(o);
  ASSERT_FALSE(bool(t));
  EXPECT_NE(llvm::toString(t.takeError()).find("nosuchfeature"), std::string::npos);
}

// Runs the copy graph through `run` for batch 1 and 3.
template <class RunFn> void checkCopyGraph(RunFn &&run) {
  for (int64_t batch : {1, 3}) {
    std::vector<uint8_t> x(batch * 60), y(batch * 60, 0), z(batch * 60, 0);
    std::iota(x.begin(), x.end(), 1);
    int64_t xShape[] = {batch, 3, 4, 5}, yShape[2] = {0, 0}, zShape[4] = {0, 0, 0, 0};
    qc_tensor in[] = {{x.data(), xShape, 4, 0, x.size()}};
    qc_tensor out[] = {{y.data(), yShape, 2, 0, y.size()}, {z.data(), zShape, 4, 0, z.size()}};
    ASSERT_TRUE(run(in, out));
    EXPECT_EQ(y, x) << "batch " << batch;
    EXPECT_EQ(z, x) << "batch " << batch;
    EXPECT_EQ(yShape[0], batch);
    EXPECT_EQ(yShape[1], 60);
  }
}

TEST(Jit, CopyGraphOnEveryIsa) {
  auto g = parse(kCopyGraph);
  ASSERT_TRUE(g);
  for (const IsaCase &isa : kIsas) {
    SCOPED_TRACE(std::string(isa.cpu) + isa.features);
    codegen::CodegenOptions opts;
    opts.targetCpu = isa.cpu;
    opts.targetFeatures = isa.features;
    opts.modelName = "copies";
    auto jit = codegen::JitModel::create(*g, opts);
    ASSERT_TRUE(bool(jit)) << llvm::toString(jit.takeError());
    const qc_model_desc *d = (*jit)->desc();
    EXPECT_EQ(d->desc_version, QC_DESC_VERSION);
    EXPECT_STREQ(d->name, "copies");
    EXPECT_STREQ(d->batch_dim_name, "N");
    ASSERT_EQ(d->num_inputs, 1);
    ASSERT_EQ(d->num_outputs, 2);
    EXPECT_STREQ(d->inputs[0].name, "x");
    EXPECT_EQ(d->inputs[0].elem_type, QC_ELEM_U8);
    EXPECT_EQ(d->inputs[0].dims[0], -1);
    EXPECT_STREQ(d->inputs[0].dim_names[0], "N");
    EXPECT_EQ(d->outputs[0].dims[1], 60);
    EXPECT_EQ(d->outputs[0].dim_names[1], nullptr);
    for (int threads : {1, 2}) {
      qc_session *s = nullptr;
      qc_status st = qc_rt_session_create(d, threads, &s);
      if (st == QC_ERROR_UNSUPPORTED_CPU) {
        // Compiled for features this CPU lacks (e.g. AVX-VNNI in some VMs):
        // the session refuses clearly, naming them.
        EXPECT_NE(std::string(qc_rt_last_error()).find("lacks"), std::string::npos);
        std::printf("[   info   ] %s%s: %s\n", isa.cpu, isa.features, qc_rt_last_error());
        break;
      }
      ASSERT_EQ(st, QC_OK) << qc_rt_last_error();
      checkCopyGraph([&](qc_tensor *in, qc_tensor *out) {
        qc_status st = qc_rt_run(s, in, 1, out, 2);
        EXPECT_EQ(st, QC_OK) << qc_rt_last_error();
        return st == QC_OK;
      });
      qc_rt_session_destroy(s);
    }
  }
}

// A run-time Gather index out of range fails the run with an error naming
// the node (the kernel reports it through qc_exec::step_status); the next
// good run succeeds again.
TEST(Jit, GatherIndexOutOfRangeFailsTheRun) {
  auto g = parse(R"(
graph @g(%ids: tensor<1x3xi64>) {
  %table = const dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]> : tensor<4x2xf32>
  %e = Gather(%table, %ids) name "embed" {axis = 0} : tensor<1x3x2xf32>
  return %e
}
)");
  ASSERT_TRUE(g);
  auto jit = codegen::JitModel::create(*g, {});
  ASSERT_TRUE(bool(jit)) << llvm::toString(jit.takeError());
  qc_session *s = nullptr;
  ASSERT_EQ(qc_rt_session_create((*jit)->desc(), 2, &s), QC_OK) << qc_rt_last_error();
  int64_t ids[3] = {3, -4, 1}, inShape[2] = {1, 3}, outShape[3];
  float out[6];
  qc_tensor in{ids, inShape, 2, 0, sizeof ids};
  qc_tensor o{out, outShape, 3, 0, sizeof out};
  ASSERT_EQ(qc_rt_run(s, &in, 1, &o, 1), QC_OK) << qc_rt_last_error();
  EXPECT_EQ(out[0], 7.0f);
  EXPECT_EQ(out[2], 1.0f);
  EXPECT_EQ(out[5], 4.0f);
  for (int64_t bad : {int64_t(4), int64_t(-5)}) {
    ids[1] = bad;
    EXPECT_EQ(qc_rt_run(s, &in, 1, &o, 1), QC_ERROR_INVALID_ARGUMENT) << bad;
    std::string msg = qc_rt_last_error();
    EXPECT_NE(msg.find("embed"), std::string::npos) << msg;
    EXPECT_NE(msg.find("out of range"), std::string::npos) << msg;
  }
  ids[1] = 0;
  EXPECT_EQ(qc_rt_run(s, &in, 1, &o, 1), QC_OK) << qc_rt_last_error();
  qc_rt_session_destroy(s);
}

TEST(Jit, UnsupportedOpIsReported) {
  auto g = parse(R"(
graph @g(%x: tensor<1x4xbool>) {
  %a = Not(%x) name "s1" : tensor<1x4xbool>
  return %a
}
)");
  ASSERT_TRUE(g);
  auto jit = codegen::JitModel::create(*g, {});
  ASSERT_FALSE(bool(jit));
  std::string msg = llvm::toString(jit.takeError());
  EXPECT_NE(msg.find("no kernel"), std::string::npos) << msg;
  EXPECT_NE(msg.find("s1"), std::string::npos) << msg;
}

std::string tempPath(const char *name) {
  llvm::SmallString<128> dir;
  llvm::sys::fs::createUniqueDirectory("qc-codegen-test", dir);
  return std::string(dir) + "/" + name;
}

// Machine code in one serial pass, and in partitions that share the model's
// locals as hidden symbols (none may leak into the exports or clash with the
// runtime's).
class AotPartitions : public ::testing::TestWithParam<unsigned> {};
INSTANTIATE_TEST_SUITE_P(Aot, AotPartitions, ::testing::Values(1u, 4u));

TEST_P(AotPartitions, SharedLibraryLoadsAndRuns) {
  auto g = parse(kCopyGraph);
  ASSERT_TRUE(g);
  std::string so = tempPath("copies.so");
  codegen::CodegenOptions opts;
  opts.modelName = "copies";
  opts.codegenPartitions = GetParam();
  llvm::Error e = codegen::compileToFile(*g, opts, codegen::EmitKind::So, so);
  ASSERT_FALSE(bool(e)) << llvm::toString(std::move(e));

  // Only libc, libm, libpthread (and the loader).
  std::string cmd = "ldd " + so;
  FILE *p = popen(cmd.c_str(), "r");
  ASSERT_TRUE(p);
  char line[512];
  while (fgets(line, sizeof line, p)) {
    std::string l(line);
    bool allowed = l.find("libc.so") != std::string::npos ||
                   l.find("libm.so") != std::string::npos ||
                   l.find("libpthread.so") != std::string::npos ||
                   l.find("ld-linux") != std::string::npos ||
                   l.find("linux-vdso") != std::string::npos;
    EXPECT_TRUE(allowed) << "unexpected dependency: " << l;
  }
  pclose(p);

  void *lib = dlopen(so.c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_TRUE(lib) << dlerror();
  auto sym = [&](const char *name) {
    void *f = dlsym(lib, name);
    EXPECT_TRUE(f) << name;
    return f;
  };
  // Only the C ABI is exported.
  EXPECT_EQ(dlsym(lib, "qc_model_desc_v1"), nullptr);
  EXPECT_EQ(dlsym(lib, "qc_rt_parallel_for"), nullptr);
  auto abiVersion = reinterpret_cast<uint32_t (*)()>(sym("qc_abi_version"));
  auto name = reinterpret_cast<const char *(*)()>(sym("qc_model_name"));
  auto create = reinterpret_cast<qc_status (*)(int32_t, qc_session **)>(sym("qc_session_create"));
  auto run = reinterpret_cast<qc_status (*)(qc_session *, const qc_tensor *, int32_t,
                                            qc_tensor *, int32_t)>(sym("qc_run"));
  auto destroy = reinterpret_cast<void (*)(qc_session *)>(sym("qc_session_destroy"));
  auto lastError = reinterpret_cast<const char *(*)()>(sym("qc_last_error"));
  ASSERT_TRUE(abiVersion && name && create && run && destroy && lastError);
  EXPECT_EQ(abiVersion(), QC_ABI_VERSION);
  EXPECT_STREQ(name(), "copies");
  qc_session *s = nullptr;
  ASSERT_EQ(create(2, &s), QC_OK) << lastError();
  checkCopyGraph([&](qc_tensor *in, qc_tensor *out) {
    qc_status st = run(s, in, 1, out, 2);
    EXPECT_EQ(st, QC_OK) << lastError();
    return st == QC_OK;
  });
  destroy(s);
  dlclose(lib);
  llvm::sys::fs::remove_directories(llvm::sys::path::parent_path(so));
}

TEST(Aot, FailedCompileLeavesNoFile) {
  auto g = parse(R"(
graph @g(%x: tensor<1x4xbool>) {
  %a = Not(%x) name "s1" : tensor<1x4xbool>
  return %a
}
)");
  ASSERT_TRUE(g);
  std::string so = tempPath("bad.so");
  for (codegen::EmitKind kind : {codegen::EmitKind::So, codegen::EmitKind::Obj}) {
    llvm::Error e = codegen::compileToFile(*g, {}, kind, so);
    EXPECT_TRUE(bool(e));
    llvm::consumeError(std::move(e));
    EXPECT_FALSE(llvm::sys::fs::exists(so));
  }
  llvm::sys::fs::remove_directories(llvm::sys::path::parent_path(so));
}

} // namespace
