// JIT end to end: each QDQ test model and the digits example, folded by the
// default pipeline, JIT-compiled for every kernel ISA (forced through the
// target CPU/features), run through the runtime's session API with batch 1
// and 3 and 1 and 2 threads, against the interpreter on the same folded
// graph: integer outputs and DequantizeLinear outputs exactly, float
// kernels within 1e-4 relative.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>

#include "codegen/Codegen.h"
#include "frontend/OnnxImporter.h"
#include "interp/Interpreter.h"
#include "passes/Pipeline.h"
#include "runtime/Session.h"
#include "tests/ModelInputs.h"
#include "llvm/Support/Error.h"
#include "gtest/gtest.h"

using namespace qc;

namespace {

struct IsaCase {
  const char *name;
  const char *cpu;
  const char *features;
  codegen::Isa isa;
};

const IsaCase kIsas[] = {
    {"generic", "x86-64", "", codegen::Isa::Generic},
    {"avx2", "x86-64-v3", "", codegen::Isa::Avx2},
    {"avxvnni", "x86-64-v3", "+avxvnni", codegen::Isa::AvxVnni},
    {"native", "native", "", codegen::Isa::Avx512Vnni},
};

const char *kModels[] = {
    "tests/models/resnet_block_ort.onnx",      "tests/models/resnet_block_torch.onnx",
    "tests/models/mobilenetv2_block_ort.onnx", "tests/models/mobilenetv2_block_torch.onnx",
    "tests/models/mlp_ort.onnx",               "tests/models/mlp_torch.onnx",
    "tests/models/encoder_block_ort.onnx",     "tests/models/encoder_block_torch.onnx",
    "examples/digits/model.onnx",
};

struct Param {
  const char *model;
  IsaCase isa;
};

void PrintTo(const Param &p, std::ostream *os) { *os << p.model << " for " << p.isa.name; }

std::string paramName(const ::testing::TestParamInfo<Param> &info) {
  std::string s = info.param.model;
  s = s.substr(s.find_last_of('/') + 1);
  s = s.substr(0, s.find('.'));
  if (s == "model")
    s = "digits";
  return s + "_" + info.param.isa.name;
}

std::vector<Param> allParams() {
  std::vector<Param> ps;
  for (const char *m : kModels)
    for (const IsaCase &i : kIsas)
      ps.push_back({m, i});
  return ps;
}

bool hasSymbolicDim(const ir::Graph &graph) {
  for (const ir::Value *in : graph.inputs())
    for (const ir::Dim &d : in->type().shape.dims())
      if (!d.isStatic())
        return true;
  return false;
}

// Float outputs computed by a float kernel (not DequantizeLinear, which is
// exact) are compared with a tolerance.
bool isExactOutput(const ir::Graph &graph, size_t index) {
  const ir::Value *v = graph.outputs()[index];
  if (!ir::isFloatType(v->type().elem))
    return true;
  const ir::Node *p = v->producer();
  while (p && (p->kind() == ir::OpKind::Reshape || p->kind() == ir::OpKind::Flatten ||
               p->kind() == ir::OpKind::Identity || p->kind() == ir::OpKind::Squeeze ||
               p->kind() == ir::OpKind::Unsqueeze))
    p = p->operand(0)->producer();
  return p && p->kind() == ir::OpKind::DequantizeLinear;
}

class JitModelTest : public ::testing::TestWithParam<Param> {};

TEST_P(JitModelTest, MatchesInterpreter) {
  const Param &param = GetParam();
  auto graph = frontend::importOnnxFile(std::string(QC_SOURCE_DIR) + "/" + param.model);
  ASSERT_TRUE(bool(graph)) << llvm::toString(graph.takeError());
  passes::PassManager pm;
  ASSERT_FALSE(bool(passes::addDefaultPipeline(pm)));
  llvm::Error folded = pm.run(**graph);
  ASSERT_FALSE(bool(folded)) << llvm::toString(std::move(folded));

  codegen::CodegenOptions opts;
  opts.targetCpu = param.isa.cpu;
  opts.targetFeatures = param.isa.features;
  auto target = codegen::resolveTarget(opts);
  ASSERT_TRUE(bool(target)) << llvm::toString(target.takeError());
  if (std::string(param.isa.cpu) == "native" && target->isa != codegen::Isa::Avx512Vnni)
    GTEST_SKIP() << "this CPU has no AVX-512 VNNI";
  ASSERT_EQ(target->isa, param.isa.isa);

  auto jit = codegen::JitModel::create(**graph, opts);
  if (!jit) {
    std::string msg = llvm::toString(jit.takeError());
    if (msg.find("no kernel") != std::string::npos)
      GTEST_SKIP() << msg;
    FAIL() << msg;
  }
  const qc_model_desc *desc = (*jit)->desc();
  ASSERT_EQ(desc->num_inputs, int32_t((*graph)->inputs().size()));
  ASSERT_EQ(desc->num_outputs, int32_t((*graph)->outputs().size()));

  std::vector<int64_t> batches = {1};
  if (hasSymbolicDim(**graph))
    batches.push_back(3);
  for (int32_t threads : {1, 2}) {
    qc_session *session = nullptr;
    qc_status created = qc_rt_session_create(desc, threads, &session);
    if (created == QC_ERROR_UNSUPPORTED_CPU)
      GTEST_SKIP() << qc_rt_last_error();
    ASSERT_EQ(created, QC_OK) << qc_rt_last_error();
    for (int64_t batch : batches) {
      SCOPED_TRACE("threads " + std::to_string(threads) + ", batch " + std::to_string(batch));
      std::vector<ir::Tensor> inputs = qc::testing::randomInputs(**graph, 11 + batch, batch);
      auto expected = interp::run(**graph, inputs);
      ASSERT_TRUE(bool(expected)) << llvm::toString(expected.takeError());

      std::vector<std::vector<int64_t>> inShapes, outShapes;
      std::vector<qc_tensor> in, out;
      for (ir::Tensor &t : inputs)
        inShapes.push_back(t.dims());
      for (size_t i = 0; i < inputs.size(); ++i)
        in.push_back(qc_tensor{inputs[i].raw(), inShapes[i].data(),
                               int32_t(inShapes[i].size()), 0, inputs[i].byteSize()});
      std::vector<ir::Tensor> actual;
      for (const ir::Tensor &e : *expected) {
        actual.emplace_back(e.elemType(), e.dims());
        std::memset(actual.back().raw(), 0xA5, actual.back().byteSize());
        outShapes.emplace_back(e.rank(), 0);
      }
      for (size_t o = 0; o < actual.size(); ++o)
        out.push_back(qc_tensor{actual[o].raw(), outShapes[o].data(),
                                int32_t(outShapes[o].size()), 0, actual[o].byteSize()});
      ASSERT_EQ(qc_rt_run(session, in.data(), int32_t(in.size()), out.data(),
                          int32_t(out.size())),
                QC_OK)
          << qc_rt_last_error();

      for (size_t o = 0; o < actual.size(); ++o) {
        const ir::Tensor &e = (*expected)[o], &a = actual[o];
        EXPECT_EQ(outShapes[o], e.dims()) << "output " << o;
        bool exact = isExactOutput(**graph, o);
        int64_t bad = 0;
        for (int64_t i = 0; i < e.numElements() && bad < 5; ++i) {
          double x = e.getDouble(i), y = a.getDouble(i);
          bool ok = exact ? std::memcmp(e.raw() + i * ir::elemTypeStorageBytes(e.elemType()),
                                        a.raw() + i * ir::elemTypeStorageBytes(a.elemType()),
                                        ir::elemTypeStorageBytes(e.elemType())) == 0
                          : std::fabs(x - y) <= 1e-4 * std::max(1.0, std::fabs(x));
          if (!ok) {
            ++bad;
            ADD_FAILURE() << "output " << o << " element " << i << ": expected " << x
                          << ", got " << y;
          }
        }
      }
    }
    qc_rt_session_destroy(session);
  }
}

INSTANTIATE_TEST_SUITE_P(Models, JitModelTest, ::testing::ValuesIn(allParams()), paramName);

} // namespace
