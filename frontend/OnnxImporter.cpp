// ONNX ModelProto -> ir::Graph: version checks, initializers, graph inputs and
// outputs, nodes in dependency order (with opset normalization), then shape
// inference. Tensor and attribute decoding live in TensorImport/AttrImport.
#include "frontend/OnnxImporter.h"

#include <climits>
#include <queue>
#include <set>

#include "frontend/ImportDetail.h"
#include "frontend/OpsetNormalize.h"
#include "ir/ShapeInference.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

namespace qc::frontend {

using namespace detail;

namespace {

constexpr int64_t kMinIrVersion = 3;
constexpr int64_t kMaxIrVersion = 11;
// Opsets 1-6 are accepted: their forms either equal the newest ones or are
// rewritten or rejected by normalization (unknown legacy attributes fail).
constexpr int64_t kMinOpset = 1;
constexpr int64_t kMaxOpset = 21;

bool isDefaultDomain(llvm::StringRef domain) { return domain.empty() || domain == "ai.onnx"; }

// "Conv 'name'", or "Conv producing 'y'" for unnamed nodes: matches
// ir::Node::describe() so messages read the same before and after import.
std::string describeNode(const onnx::NodeProto &n) {
  std::string s = n.op_type();
  if (!n.name().empty())
    return s + " '" + n.name() + "'";
  for (const std::string &out : n.output())
    if (!out.empty())
      return s + " producing '" + out + "'";
  return s;
}

// "(node 'a')" for the unsupported-ops list.
std::string nodeRef(const onnx::NodeProto &n) {
  if (!n.name().empty())
    return "node '" + n.name() + "'";
  for (const std::string &out : n.output())
    if (!out.empty())
      return "node producing '" + out + "'";
  return "unnamed node";
}

// Declared type of a value; nullopt when the declaration says nothing usable.
llvm::Expected<std::optional<ir::Type>> parseValueType(const onnx::ValueInfoProto &vi,
                                                       const std::string &what, bool required) {
  if (!vi.has_type()) {
    if (required)
      return makeError(what + " has no type");
    return std::nullopt;
  }
  const onnx::TypeProto &type = vi.type();
  if (type.value_case() != onnx::TypeProto::kTensorType) {
    if (required)
      return makeError(what + " has a non-tensor type (sequence, map, optional or "
                              "sparse), which is unsupported");
    return std::nullopt;
  }
  const onnx::TypeProto::Tensor &tensor = type.tensor_type();
  if (tensor.elem_type() == kOnnxUndefined) {
    if (required)
      return makeError(what + " has no element type");
    return std::nullopt;
  }
  auto elem = elemTypeFromOnnx(tensor.elem_type(), what);
  if (!elem)
    return elem.takeError();
  if (!tensor.has_shape())
    return ir::Type(*elem, ir::Shape::unranked());
  std::vector<ir::Dim> dims;
  for (const onnx::TensorShapeProto::Dimension &d : tensor.shape().dim()) {
    if (d.has_dim_value()) {
      if (d.dim_value() < 0)
        return makeError(what + ": dimension " + llvm::Twine(dims.size()) + " is " +
                         llvm::Twine(d.dim_value()) + " (negative)");
      dims.emplace_back(d.dim_value());
    } else if (d.has_dim_param() && !d.dim_param().empty()) {
      dims.push_back(ir::Dim::symbol(d.dim_param()));
    } else {
      dims.push_back(ir::Dim::unknown());
    }
  }
  return ir::Type(*elem, ir::Shape(std::move(dims)));
}

class ModelImporter {
public:
  ModelImporter(const onnx::ModelProto &model, llvm::StringRef modelDir,
                const ImportOptions &options)
      : model_(model), proto_(model.graph()), modelDir_(modelDir.str()), options_(options),
        graph_(std::make_unique<ir::Graph>()) {}

  llvm::Expected<std::unique_ptr<ir::Graph>> run();

private:
  llvm::Error checkVersions();
  llvm::Error checkOps();
  llvm::Error importInitializers();
  llvm::Error importInputs();
  llvm::Error collectDeclarations();
  llvm::Expected<std::vector<const onnx::NodeProto *>> orderNodes();
  llvm::Error importNode(const onnx::NodeProto &n);
  llvm::Error importConstantNode(const onnx::NodeProto &n);
  llvm::Error importOutputs();
  llvm::Expected<const ir::Type *> knownType(ir::Value *v);
  ir::Type resultType(const std::string &name) const;
  std::string freshName(const std::string &base) const;

  const onnx::ModelProto &model_;
  const onnx::GraphProto &proto_;
  std::string modelDir_;
  const ImportOptions &options_;
  std::unique_ptr<ir::Graph> graph_;
  int64_t opset_ = 0;
  /// value_info and graph output declarations by name.
  std::map<std::string, ir::Type> declared_;
  /// Every name some node will produce (to keep generated names fresh).
  std::set<std::string> producedNames_;
  /// Node count when shape inference last ran during import.
  size_t inferredNodes_ = 0;
};

llvm::Error ModelImporter::checkVersions() {
  int64_t ir = model_.ir_version();
  if (ir < kMinIrVersion || ir > kMaxIrVersion)
    return makeError("model ir_version " + llvm::Twine(ir) + " is unsupported (supported: " +
                     llvm::Twine(kMinIrVersion) + " to " + llvm::Twine(kMaxIrVersion) + ")");
  std::optional<int64_t> defaultVersion;
  for (const onnx::OperatorSetIdProto &op : model_.opset_import()) {
    std::string domain = isDefaultDomain(op.domain()) ? "" : op.domain();
    auto [it, inserted] = graph_->opsets().emplace(domain, op.version());
    if (!inserted && it->second != op.version())
      return makeError("model imports domain '" + op.domain() + "' twice (versions " +
                       llvm::Twine(it->second) + " and " + llvm::Twine(op.version()) + ")");
    if (domain.empty())
      defaultVersion = op.version();
  }
  if (!defaultVersion)
    return makeError("model does not import the default ONNX opset (domain ai.onnx)");
  if (*defaultVersion < kMinOpset || *defaultVersion > kMaxOpset)
    return makeError("default-domain opset version " + llvm::Twine(*defaultVersion) +
                     " is unsupported (supported: " + llvm::Twine(kMinOpset) + " to " +
                     llvm::Twine(kMaxOpset) + ")");
  opset_ = *defaultVersion;
  return llvm::Error::success();
}

llvm::Error ModelImporter::checkOps() {
  std::string list;
  for (const onnx::NodeProto &n : proto_.node()) {
    std::string entry;
    if (!isDefaultDomain(n.domain()))
      entry = n.op_type() + " (" + nodeRef(n) + ", domain '" + n.domain() + "')";
    else if (n.op_type() != "Constant" && !ir::lookupOp(n.op_type()))
      entry = n.op_type() + " (" + nodeRef(n) + ")";
    if (entry.empty())
      continue;
    list += (list.empty() ? "" : ", ") + entry;
  }
  if (!list.empty())
    return makeError("unsupported ops: " + list);
  return llvm::Error::success();
}

llvm::Error ModelImporter::importInitializers() {
  if (proto_.sparse_initializer_size() > 0) {
    const onnx::SparseTensorProto &s = proto_.sparse_initializer(0);
    return makeError("sparse initializer '" + s.values().name() + "' is unsupported");
  }
  for (int i = 0; i < proto_.initializer_size(); ++i) {
    const onnx::TensorProto &t = proto_.initializer(i);
    if (t.name().empty())
      return makeError("initializer #" + llvm::Twine(i) + " has no name");
    if (graph_->findValue(t.name()))
      return makeError("duplicate initializer '" + t.name() + "'");
    auto tensor = decodeTensor(t, modelDir_, "initializer '" + t.name() + "'");
    if (!tensor)
      return tensor.takeError();
    graph_->addConstant(t.name(), std::move(*tensor));
  }
  return llvm::Error::success();
}

llvm::Error ModelImporter::importInputs() {
  std::set<std::string> seen;
  for (const onnx::ValueInfoProto &vi : proto_.input()) {
    std::string what = "graph input '" + vi.name() + "'";
    if (vi.name().empty())
      return makeError("a graph input has no name");
    if (!seen.insert(vi.name()).second)
      return makeError("duplicate graph input '" + vi.name() + "'");
    if (ir::Value *c = graph_->findValue(vi.name())) {
      // An input with an initializer is a constant (a default, in ONNX
      // terms); its declaration must agree with the data.
      auto type = parseValueType(vi, what, /*required=*/false);
      if (!type)
        return type.takeError();
      if (*type && (*type)->elem != c->type().elem)
        return makeError(what + " is declared " + ir::elemTypeName((*type)->elem) +
                         " but its initializer is " + ir::elemTypeName(c->type().elem));
      continue;
    }
    auto type = parseValueType(vi, what, /*required=*/true);
    if (!type)
      return type.takeError();
    ir::Type t = **type;
    auto override = options_.inputShapes.find(vi.name());
    if (override != options_.inputShapes.end()) {
      const ir::Shape &shape = override->second;
      if (t.shape.isRanked() && shape.rank() != t.shape.rank())
        return makeError(what + ": shape override " + shape.str() + " has rank " +
                         llvm::Twine(shape.rank()) + ", the model declares rank " +
                         llvm::Twine(t.shape.rank()) + " (" + t.shape.str() + ")");
      t.shape = shape;
    }
    graph_->addInput(vi.name(), std::move(t));
  }
  for (const auto &[name, shape] : options_.inputShapes) {
    ir::Value *v = graph_->findValue(name);
    if (!v)
      return makeError("input shape override names '" + name + "', which is not a graph input");
    if (v->isConstant())
      return makeError("input shape override names '" + name +
                       "', which is an initializer, not a runtime input");
  }
  return llvm::Error::success();
}

llvm::Error ModelImporter::collectDeclarations() {
  for (const onnx::ValueInfoProto &vi : proto_.value_info()) {
    auto type = parseValueType(vi, "value_info '" + vi.name() + "'", /*required=*/false);
    if (!type)
      return type.takeError();
    if (*type)
      declared_[vi.name()] = **type;
  }
  for (const onnx::ValueInfoProto &vi : proto_.output()) {
    auto type = parseValueType(vi, "graph output '" + vi.name() + "'", /*required=*/false);
    if (!type)
      return type.takeError();
    if (*type)
      declared_[vi.name()] = **type;
  }
  return llvm::Error::success();
}

// Nodes in a dependency order, stable w.r.t. the file's order (ONNX requires
// topological order; unsorted files are tolerated). Checks every input is
// defined and every value name is produced once.
llvm::Expected<std::vector<const onnx::NodeProto *>> ModelImporter::orderNodes() {
  size_t count = size_t(proto_.node_size());
  std::map<std::string, size_t> producer;
  for (size_t i = 0; i < count; ++i) {
    const onnx::NodeProto &n = proto_.node(int(i));
    for (const std::string &out : n.output()) {
      if (out.empty())
        continue;
      if (graph_->findValue(out))
        return makeError(describeNode(n) + ": output '" + out +
                         "' has the name of a graph input or initializer");
      auto [it, inserted] = producer.emplace(out, i);
      if (!inserted)
        return makeError(describeNode(n) + ": output '" + out + "' is already produced by " +
                         describeNode(proto_.node(int(it->second))));
      producedNames_.insert(out);
    }
  }
  std::vector<std::vector<size_t>> users(count);
  std::vector<size_t> pending(count, 0);
  for (size_t i = 0; i < count; ++i) {
    const onnx::NodeProto &n = proto_.node(int(i));
    std::set<size_t> deps;
    for (const std::string &in : n.input()) {
      if (in.empty() || graph_->findValue(in))
        continue;
      auto it = producer.find(in);
      if (it == producer.end())
        return makeError(describeNode(n) + ": input '" + in + "' is undefined");
      deps.insert(it->second);
    }
    pending[i] = deps.size();
    for (size_t d : deps)
      users[d].push_back(i);
  }
  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
  for (size_t i = 0; i < count; ++i)
    if (pending[i] == 0)
      ready.push(i);
  std::vector<const onnx::NodeProto *> order;
  while (!ready.empty()) {
    size_t i = ready.top();
    ready.pop();
    order.push_back(&proto_.node(int(i)));
    for (size_t u : users[i])
      if (--pending[u] == 0)
        ready.push(u);
  }
  if (order.size() != count)
    for (size_t i = 0; i < count; ++i)
      if (pending[i] != 0)
        return makeError(describeNode(proto_.node(int(i))) +
                         ": is on a cycle (its inputs depend on its outputs)");
  return order;
}

ir::Type ModelImporter::resultType(const std::string &name) const {
  auto it = declared_.find(name);
  if (it != declared_.end())
    return it->second;
  return ir::Type(ir::ElemType::F32, ir::Shape::unranked());
}

std::string ModelImporter::freshName(const std::string &base) const {
  std::string candidate = base;
  for (size_t i = 1; graph_->findValue(candidate) || producedNames_.count(candidate); ++i)
    candidate = base + "." + std::to_string(i);
  return candidate;
}

llvm::Expected<const ir::Type *> ModelImporter::knownType(ir::Value *v) {
  if (!v->producer())
    return &v->type();
  if (options_.inferShapes) {
    // Infer what has been imported so far (nodes are imported in dependency
    // order, so v's producer is included).
    if (graph_->numNodes() != inferredNodes_) {
      if (llvm::Error e = ir::inferGraphTypes(*graph_))
        return e;
      inferredNodes_ = graph_->numNodes();
    }
    return &v->type();
  }
  return declared_.count(v->name()) ? &v->type() : nullptr;
}

llvm::Error ModelImporter::importConstantNode(const onnx::NodeProto &n) {
  std::string where = describeNode(n);
  if (n.output_size() != 1 || n.output(0).empty())
    return makeError(where + ": expected 1 output, got " + llvm::Twine(n.output_size()));
  if (n.input_size() != 0)
    return makeError(where + ": expected no inputs, got " + llvm::Twine(n.input_size()));
  if (n.attribute_size() != 1)
    return makeError(where + ": expected exactly one value attribute, got " +
                     llvm::Twine(n.attribute_size()));
  const onnx::AttributeProto &a = n.attribute(0);
  std::string what = where + ": attribute '" + a.name() + "'";
  int type = attributeType(a);
  auto expect = [&](int wanted) -> llvm::Error {
    if (type == wanted)
      return llvm::Error::success();
    return makeError(what + " has type " + attributeTypeName(type) + ", expected " +
                     attributeTypeName(wanted));
  };
  const std::string &name = a.name();
  ir::Tensor value;
  if (name == "value") {
    if (llvm::Error e = expect(onnx::AttributeProto::TENSOR))
      return e;
    auto t = decodeTensor(a.t(), modelDir_, what);
    if (!t)
      return t.takeError();
    value = std::move(*t);
  } else if (name == "value_float") {
    if (llvm::Error e = expect(onnx::AttributeProto::FLOAT))
      return e;
    value = ir::Tensor::scalarFloat(ir::ElemType::F32, a.f());
  } else if (name == "value_floats") {
    if (llvm::Error e = expect(onnx::AttributeProto::FLOATS))
      return e;
    std::vector<double> values(a.floats().begin(), a.floats().end());
    value = ir::Tensor::fromDoubles(ir::ElemType::F32, {int64_t(values.size())}, values);
  } else if (name == "value_int") {
    if (llvm::Error e = expect(onnx::AttributeProto::INT))
      return e;
    value = ir::Tensor::scalarInt(ir::ElemType::I64, a.i());
  } else if (name == "value_ints") {
    if (llvm::Error e = expect(onnx::AttributeProto::INTS))
      return e;
    std::vector<int64_t> values(a.ints().begin(), a.ints().end());
    value = ir::Tensor::fromInts(ir::ElemType::I64, {int64_t(values.size())}, values);
  } else if (name == "value_string" || name == "value_strings") {
    return makeError(what + ": string constants are unsupported");
  } else if (name == "sparse_value") {
    return makeError(what + ": sparse constants are unsupported");
  } else {
    return makeError(where + ": unknown attribute '" + name + "'");
  }
  graph_->addConstant(n.output(0), std::move(value));
  return llvm::Error::success();
}

llvm::Error ModelImporter::importNode(const onnx::NodeProto &n) {
  if (n.op_type() == "Constant")
    return importConstantNode(n);
  PendingNode p;
  p.proto = &n;
  p.kind = *ir::lookupOp(n.op_type());
  p.where = describeNode(n);
  p.nameBase = n.name();
  for (const std::string &out : n.output())
    if (p.nameBase.empty() && !out.empty())
      p.nameBase = out;
  if (p.nameBase.empty())
    p.nameBase = n.op_type();

  for (const std::string &in : n.input())
    p.operands.push_back(in.empty() ? nullptr : graph_->findValue(in));
  while (!p.operands.empty() && !p.operands.back())
    p.operands.pop_back(); // trailing absent optional inputs
  size_t numResults = size_t(n.output_size());
  while (numResults > 0 && n.output(int(numResults - 1)).empty())
    --numResults; // trailing unused optional outputs
  for (size_t i = 0; i < numResults; ++i) {
    const std::string &out = n.output(int(i));
    p.resultNames.push_back(out.empty() ? freshName(p.nameBase + ".unused" + std::to_string(i))
                                        : out);
  }
  std::set<std::string> attrNames;
  for (const onnx::AttributeProto &a : n.attribute()) {
    if (!attrNames.insert(a.name()).second)
      return makeError(p.where + ": attribute '" + a.name() + "' is given twice");
    p.attrs.push_back(&a);
  }

  NormalizeContext ctx{*graph_,
                       opset_,
                       modelDir_,
                       [this](ir::Value *v) { return knownType(v); },
                       [this](const std::string &name) { return resultType(name); },
                       [this](const std::string &base) { return freshName(base); }};
  if (llvm::Error e = normalizeNode(p, ctx))
    return e;
  if (p.handled)
    return llvm::Error::success();

  std::vector<std::pair<ir::AttrName, ir::AttrValue>> attrs;
  for (const onnx::AttributeProto *a : p.attrs) {
    auto name = ir::lookupAttrName(a->name());
    const ir::AttrSchema *schema = name ? ir::findAttrSchema(p.kind, *name) : nullptr;
    if (!schema)
      return makeError(p.where + ": unknown attribute '" + a->name() + "'");
    auto value = convertAttribute(*a, schema->kind, modelDir_, p.where);
    if (!value)
      return value.takeError();
    attrs.emplace_back(*name, std::move(*value));
  }
  for (auto &attr : p.setAttrs)
    attrs.push_back(std::move(attr));

  std::vector<std::pair<std::string, ir::Type>> results;
  for (const std::string &name : p.resultNames) {
    if (graph_->findValue(name))
      return makeError(p.where + ": output '" + name + "' is defined twice");
    results.emplace_back(name, resultType(name));
  }
  ir::Node *node = graph_->createNode(p.kind, p.operands, results);
  node->setName(n.name());
  for (auto &[name, value] : attrs)
    node->setAttr(name, std::move(value));
  return llvm::Error::success();
}

llvm::Error ModelImporter::importOutputs() {
  for (const onnx::ValueInfoProto &vi : proto_.output()) {
    ir::Value *v = graph_->findValue(vi.name());
    if (!v)
      return makeError("graph output '" + vi.name() + "' is undefined");
    graph_->addOutput(v);
  }
  return llvm::Error::success();
}

llvm::Expected<std::unique_ptr<ir::Graph>> ModelImporter::run() {
  if (!model_.has_graph())
    return makeError("model has no graph");
  if (llvm::Error e = checkVersions())
    return e;
  graph_->setName(proto_.name());
  if (llvm::Error e = checkOps())
    return e;
  if (llvm::Error e = importInitializers())
    return e;
  if (llvm::Error e = importInputs())
    return e;
  if (llvm::Error e = collectDeclarations())
    return e;
  auto order = orderNodes();
  if (!order)
    return order.takeError();
  for (const onnx::NodeProto *n : *order)
    if (llvm::Error e = importNode(*n))
      return e;
  if (llvm::Error e = importOutputs())
    return e;
  if (llvm::Error e = graph_->sortTopologically())
    return e;
  if (options_.inferShapes)
    if (llvm::Error e = ir::inferGraphTypes(*graph_))
      return e;
  return std::move(graph_);
}

// Reads a whole file, with clear errors for missing files and directories.
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> readFile(llvm::StringRef path,
                                                             llvm::StringRef what) {
  llvm::sys::fs::file_status status;
  if (std::error_code ec = llvm::sys::fs::status(path, status))
    return makeError("cannot open " + what + " '" + path + "': " + ec.message());
  if (status.type() != llvm::sys::fs::file_type::regular_file)
    return makeError(what + " '" + path + "' is not a regular file");
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeError("cannot read " + what + " '" + path + "': " + buffer.getError().message());
  return std::move(*buffer);
}

std::string parentDir(llvm::StringRef path) {
  llvm::StringRef dir = llvm::sys::path::parent_path(path);
  return dir.empty() ? "." : dir.str();
}

} // namespace

llvm::Expected<std::unique_ptr<ir::Graph>> importOnnxFile(llvm::StringRef path,
                                                          const ImportOptions &options) {
  auto buffer = readFile(path, "model");
  if (!buffer)
    return buffer.takeError();
  auto graph = importOnnxBytes((*buffer)->getBuffer(), parentDir(path), options);
  if (!graph)
    return makeError("'" + path + "': " + llvm::toString(graph.takeError()));
  return graph;
}

llvm::Expected<std::unique_ptr<ir::Graph>>
importOnnxBytes(llvm::StringRef bytes, llvm::StringRef modelDir, const ImportOptions &options) {
  if (bytes.empty())
    return makeError("model is empty (0 bytes)");
  if (bytes.size() > size_t(INT_MAX))
    return makeError("model protobuf is larger than 2 GiB (use external data)");
  onnx::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), int(bytes.size())))
    return makeError("malformed ONNX model: protobuf parsing failed (truncated or not an "
                     "ONNX file?)");
  return ModelImporter(model, modelDir, options).run();
}

llvm::Expected<ir::Tensor> readTensorProtoFile(llvm::StringRef path) {
  auto buffer = readFile(path, "tensor file");
  if (!buffer)
    return buffer.takeError();
  llvm::StringRef bytes = (*buffer)->getBuffer();
  if (bytes.size() > size_t(INT_MAX))
    return makeError("tensor file '" + path + "' is larger than 2 GiB");
  onnx::TensorProto proto;
  if (!proto.ParseFromArray(bytes.data(), int(bytes.size())))
    return makeError("tensor file '" + path + "' is not a valid TensorProto");
  std::string what = "tensor file '" + path.str() + "'";
  if (!proto.name().empty())
    what += " (tensor '" + proto.name() + "')";
  return decodeTensor(proto, parentDir(path), what);
}

llvm::Error writeTensorProtoFile(const ir::Tensor &tensor, llvm::StringRef name,
                                 llvm::StringRef path) {
  onnx::TensorProto proto;
  encodeTensor(tensor, name, proto);
  std::string bytes;
  if (!proto.SerializeToString(&bytes))
    return makeError("cannot serialize tensor '" + name + "'");
  // Write a temporary file and rename it, so no partial file is left behind.
  llvm::SmallString<256> temp;
  int fd = -1;
  if (std::error_code ec = llvm::sys::fs::createUniqueFile(path + ".tmp-%%%%%%", fd, temp))
    return makeError("cannot create '" + path + "': " + ec.message());
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << bytes;
    os.close();
    if (os.has_error()) {
      std::string message = os.error().message();
      os.clear_error();
      llvm::sys::fs::remove(temp);
      return makeError("cannot write '" + path + "': " + message);
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(temp, path)) {
    llvm::sys::fs::remove(temp);
    return makeError("cannot write '" + path + "': " + ec.message());
  }
  return llvm::Error::success();
}

} // namespace qc::frontend
