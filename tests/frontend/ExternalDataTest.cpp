// External tensor data: resolved relative to the model file, confined to the
// model's directory (no absolute paths, '..' or symlink escapes), and
// bounds-checked against the data file.
#include "OnnxTestUtil.h"

namespace qc::frontend::test {
namespace {

constexpr int kFloat = onnx::TensorProto::FLOAT;

// A model whose f32[2] initializer 'w' lives in external data.
ModelBuilder externalModel(const std::string &location, const std::string &offset = "",
                           const std::string &length = "") {
  ModelBuilder b(13);
  b.input("x", kFloat, {2});
  auto &w = b.initializer("w", kFloat, {2});
  w.set_data_location(onnx::TensorProto::EXTERNAL);
  auto add = [&](const std::string &key, const std::string &value) {
    auto *kv = w.add_external_data();
    kv->set_key(key);
    kv->set_value(value);
  };
  add("location", location);
  if (!offset.empty())
    add("offset", offset);
  if (!length.empty())
    add("length", length);
  b.node("Add", {"x", "w"}, {"y"});
  b.output("y");
  return b;
}

// 4 junk bytes, then 1.0f and 2.0f little-endian, then 4 more junk bytes.
const std::string kDataFile("\xAA\xAA\xAA\xAA\x00\x00\x80\x3f\x00\x00\x00\x40\xBB\xBB\xBB\xBB", 16);

std::string importError(const TempDir &dir, const ModelBuilder &b,
                        const std::string &modelName = "model.onnx") {
  dir.write(modelName, b.bytes());
  return errorOf(importOnnxFile(dir.file(modelName)));
}

TEST(ExternalData, ReadsRangeRelativeToModel) {
  TempDir dir;
  ASSERT_FALSE(llvm::sys::fs::create_directory(dir.file("sub")));
  dir.write("sub/weights.bin", kDataFile);
  ModelBuilder b = externalModel("sub/weights.bin", "4", "8");
  dir.write("model.onnx", b.bytes());
  auto g = importOnnxFile(dir.file("model.onnx"));
  ASSERT_TRUE(bool(g)) << llvm::toString(g.takeError());
  const ir::Tensor *w = (*g)->findValue("w")->constant();
  ASSERT_TRUE(w);
  EXPECT_EQ(w->getDouble(0), 1.0);
  EXPECT_EQ(w->getDouble(1), 2.0);
}

TEST(ExternalData, SymlinkInsideTheDirectoryIsFine) {
  TempDir dir;
  dir.write("real.bin", kDataFile.substr(4, 8));
  ASSERT_FALSE(llvm::sys::fs::create_link("real.bin", dir.file("alias.bin")));
  dir.write("model.onnx", externalModel("alias.bin").bytes());
  auto g = importOnnxFile(dir.file("model.onnx"));
  ASSERT_TRUE(bool(g)) << llvm::toString(g.takeError());
  EXPECT_EQ((*g)->findValue("w")->constant()->getDouble(1), 2.0);
}

TEST(ExternalData, DotDotEscapeIsRejected) {
  TempDir outer;
  ASSERT_FALSE(llvm::sys::fs::create_directory(outer.file("model")));
  outer.write("secret.bin", kDataFile.substr(4, 8));
  std::string e = importError(outer, externalModel("../secret.bin"), "model/m.onnx");
  EXPECT_EQ(e.substr(e.find(": ") + 2),
            "initializer 'w': external data location '../secret.bin' escapes the model "
            "directory");
  e = importError(outer, externalModel("a/../../secret.bin"), "model/m.onnx");
  EXPECT_NE(e.find("escapes the model directory"), std::string::npos) << e;
}

TEST(ExternalData, AbsolutePathIsRejected) {
  TempDir dir;
  dir.write("w.bin", kDataFile.substr(4, 8));
  std::string e = importError(dir, externalModel(dir.file("w.bin")));
  EXPECT_NE(e.find("initializer 'w': external data location '"), std::string::npos) << e;
  EXPECT_NE(e.find("is an absolute path"), std::string::npos) << e;
}

TEST(ExternalData, SymlinkEscapeIsRejected) {
  TempDir outside, dir;
  outside.write("secret.bin", kDataFile.substr(4, 8));
  ASSERT_FALSE(llvm::sys::fs::create_link(outside.file("secret.bin"), dir.file("link.bin")));
  std::string e = importError(dir, externalModel("link.bin"));
  EXPECT_NE(e.find("initializer 'w': external data location 'link.bin' resolves outside "
                   "the model directory"),
            std::string::npos)
      << e;
  // A symlinked directory leading outside is caught the same way.
  ASSERT_FALSE(llvm::sys::fs::create_link(outside.path(), dir.file("linkdir")));
  e = importError(dir, externalModel("linkdir/secret.bin"));
  EXPECT_NE(e.find("resolves outside the model directory"), std::string::npos) << e;
}

TEST(ExternalData, OutOfBoundsRangesAreRejected) {
  TempDir dir;
  dir.write("w.bin", kDataFile);
  std::string e = importError(dir, externalModel("w.bin", "100"));
  EXPECT_NE(e.find("initializer 'w': external data offset 100 is past the end of 'w.bin' "
                   "(16 bytes)"),
            std::string::npos)
      << e;
  e = importError(dir, externalModel("w.bin", "12", "8"));
  EXPECT_NE(e.find("initializer 'w': external data range [12, 12+8) exceeds 'w.bin' (16 "
                   "bytes)"),
            std::string::npos)
      << e;
  // In bounds, but not the 8 bytes the tensor needs.
  e = importError(dir, externalModel("w.bin", "0", "12"));
  EXPECT_NE(e.find("initializer 'w': data size mismatch: 12 bytes of data"), std::string::npos)
      << e;
  e = importError(dir, externalModel("w.bin", "-4"));
  EXPECT_NE(e.find("external data offset '-4' is not a non-negative integer"), std::string::npos)
      << e;
}

TEST(ExternalData, MissingFileAndNoModelDirectory) {
  TempDir dir;
  std::string e = importError(dir, externalModel("absent.bin"));
  EXPECT_NE(e.find("initializer 'w': cannot open external data file 'absent.bin'"),
            std::string::npos)
      << e;
  // From memory there is no directory to resolve against.
  e = errorOf(importOnnxBytes(externalModel("w.bin").bytes(), ""));
  EXPECT_EQ(e, "initializer 'w': external data 'w.bin' cannot be resolved without a model "
               "directory");
}

} // namespace
} // namespace qc::frontend::test
