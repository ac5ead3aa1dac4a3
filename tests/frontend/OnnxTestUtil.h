// Helpers for frontend tests: build ONNX ModelProtos in C++, import them,
// and manage per-test temporary directories.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "frontend/OnnxImporter.h"
#include "ir/Graph.h"
#include "onnx/onnx_pb.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

namespace qc::frontend::test {

/// A dim of a declared shape: a static extent or a symbol name ("" unknown).
using TestDim = std::variant<int64_t, std::string>;

/// Builds a ModelProto with one default-domain opset import.
class ModelBuilder {
public:
  explicit ModelBuilder(int64_t opset = 21, int64_t irVersion = 10) {
    model.set_ir_version(irVersion);
    auto *op = model.add_opset_import();
    op->set_domain("");
    op->set_version(opset);
    model.mutable_graph()->set_name("test");
  }

  onnx::GraphProto &graph() { return *model.mutable_graph(); }

  static void setType(onnx::ValueInfoProto &vi, int elemType, const std::vector<TestDim> *dims) {
    auto *tensor = vi.mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(elemType);
    if (!dims)
      return;
    auto *shape = tensor->mutable_shape();
    for (const TestDim &d : *dims) {
      auto *dim = shape->add_dim();
      if (const int64_t *v = std::get_if<int64_t>(&d))
        dim->set_dim_value(*v);
      else if (!std::get<std::string>(d).empty())
        dim->set_dim_param(std::get<std::string>(d));
    }
  }

  onnx::ValueInfoProto &input(const std::string &name, int elemType, std::vector<TestDim> dims) {
    auto *vi = graph().add_input();
    vi->set_name(name);
    setType(*vi, elemType, &dims);
    return *vi;
  }
  onnx::ValueInfoProto &output(const std::string &name) {
    auto *vi = graph().add_output();
    vi->set_name(name);
    return *vi;
  }
  onnx::ValueInfoProto &output(const std::string &name, int elemType, std::vector<TestDim> dims) {
    auto &vi = output(name);
    setType(vi, elemType, &dims);
    return vi;
  }
  onnx::NodeProto &node(const std::string &op, std::vector<std::string> inputs,
                        std::vector<std::string> outputs, const std::string &name = "") {
    auto *n = graph().add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (auto &i : inputs)
      n->add_input(i);
    for (auto &o : outputs)
      n->add_output(o);
    return *n;
  }
  onnx::TensorProto &initializer(const std::string &name, int dataType, std::vector<int64_t> dims) {
    auto *t = graph().add_initializer();
    t->set_name(name);
    t->set_data_type(dataType);
    for (int64_t d : dims)
      t->add_dims(d);
    return *t;
  }
  /// A float initializer with float_data.
  onnx::TensorProto &floats(const std::string &name, std::vector<int64_t> dims,
                            std::vector<float> values) {
    auto &t = initializer(name, onnx::TensorProto::FLOAT, std::move(dims));
    for (float v : values)
      t.add_float_data(v);
    return t;
  }
  /// An int64 initializer with int64_data.
  onnx::TensorProto &int64s(const std::string &name, std::vector<int64_t> dims,
                            std::vector<int64_t> values) {
    auto &t = initializer(name, onnx::TensorProto::INT64, std::move(dims));
    for (int64_t v : values)
      t.add_int64_data(v);
    return t;
  }

  std::string bytes() const {
    std::string out;
    EXPECT_TRUE(model.SerializeToString(&out));
    return out;
  }

  onnx::ModelProto model;
};

inline onnx::AttributeProto &addAttr(onnx::NodeProto &n, const std::string &name) {
  auto *a = n.add_attribute();
  a->set_name(name);
  return *a;
}
inline void attrInt(onnx::NodeProto &n, const std::string &name, int64_t v) {
  auto &a = addAttr(n, name);
  a.set_type(onnx::AttributeProto::INT);
  a.set_i(v);
}
inline void attrFloat(onnx::NodeProto &n, const std::string &name, float v) {
  auto &a = addAttr(n, name);
  a.set_type(onnx::AttributeProto::FLOAT);
  a.set_f(v);
}
inline void attrString(onnx::NodeProto &n, const std::string &name, const std::string &v) {
  auto &a = addAttr(n, name);
  a.set_type(onnx::AttributeProto::STRING);
  a.set_s(v);
}
inline void attrInts(onnx::NodeProto &n, const std::string &name, std::vector<int64_t> v) {
  auto &a = addAttr(n, name);
  a.set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v)
    a.add_ints(x);
}
inline void attrFloats(onnx::NodeProto &n, const std::string &name, std::vector<float> v) {
  auto &a = addAttr(n, name);
  a.set_type(onnx::AttributeProto::FLOATS);
  for (float x : v)
    a.add_floats(x);
}

/// Imports the model from memory (no model directory).
inline llvm::Expected<std::unique_ptr<ir::Graph>> importModel(const ModelBuilder &b,
                                                              const ImportOptions &options = {}) {
  return importOnnxBytes(b.bytes(), "", options);
}

/// Options without shape inference: isolates the importer from the
/// inference rules when a test only checks the imported structure.
inline ImportOptions noInference() {
  ImportOptions o;
  o.inferShapes = false;
  return o;
}

/// The error message of a failed import; "" (and a test failure) on success.
template <typename T> std::string errorOf(llvm::Expected<T> result) {
  if (result) {
    ADD_FAILURE() << "expected an error";
    return "";
  }
  return llvm::toString(result.takeError());
}

/// A fresh temporary directory, removed with its contents at destruction.
class TempDir {
public:
  TempDir() {
    std::error_code ec = llvm::sys::fs::createUniqueDirectory("qc-frontend-test", path_);
    EXPECT_FALSE(ec) << ec.message();
  }
  ~TempDir() { llvm::sys::fs::remove_directories(path_); }
  std::string path() const { return std::string(path_); }
  std::string file(llvm::StringRef name) const {
    llvm::SmallString<256> p = path_;
    llvm::sys::path::append(p, name);
    return std::string(p);
  }
  void write(llvm::StringRef name, llvm::StringRef bytes) const {
    std::error_code ec;
    llvm::raw_fd_ostream os(file(name), ec);
    ASSERT_FALSE(ec) << ec.message();
    os << bytes;
  }

private:
  llvm::SmallString<256> path_;
};

} // namespace qc::frontend::test
