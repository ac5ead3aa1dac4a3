// ONNX AttributeProto -> ir::AttrValue of the kind ir/OpAttrs.def declares.
// The AttributeProto map is consumed here and never reaches passes.
#include "frontend/ImportDetail.h"

namespace qc::frontend::detail {

int attributeType(const onnx::AttributeProto &a) {
  if (a.type() != onnx::AttributeProto::UNDEFINED)
    return a.type();
  // IR version 1 models may leave the type out: take the populated field.
  if (a.has_f())
    return onnx::AttributeProto::FLOAT;
  if (a.has_i())
    return onnx::AttributeProto::INT;
  if (a.has_s())
    return onnx::AttributeProto::STRING;
  if (a.has_t())
    return onnx::AttributeProto::TENSOR;
  if (a.has_g())
    return onnx::AttributeProto::GRAPH;
  if (a.floats_size())
    return onnx::AttributeProto::FLOATS;
  if (a.ints_size())
    return onnx::AttributeProto::INTS;
  if (a.strings_size())
    return onnx::AttributeProto::STRINGS;
  return onnx::AttributeProto::UNDEFINED;
}

std::string attributeTypeName(int type) {
  if (onnx::AttributeProto_AttributeType_IsValid(type))
    return onnx::AttributeProto_AttributeType_Name(
        static_cast<onnx::AttributeProto_AttributeType>(type));
  return "type " + std::to_string(type);
}

namespace {
int expectedProtoType(ir::AttrKind kind) {
  switch (kind) {
  case ir::AttrKind::Int:
    return onnx::AttributeProto::INT;
  case ir::AttrKind::Float:
    return onnx::AttributeProto::FLOAT;
  case ir::AttrKind::String:
    return onnx::AttributeProto::STRING;
  case ir::AttrKind::Ints:
    return onnx::AttributeProto::INTS;
  case ir::AttrKind::Floats:
    return onnx::AttributeProto::FLOATS;
  case ir::AttrKind::Strings:
    return onnx::AttributeProto::STRINGS;
  case ir::AttrKind::Tensor:
    return onnx::AttributeProto::TENSOR;
  case ir::AttrKind::Elem:
    return onnx::AttributeProto::INT; // a dtype code
  }
  return onnx::AttributeProto::UNDEFINED;
}
} // namespace

llvm::Expected<ir::AttrValue> convertAttribute(const onnx::AttributeProto &a, ir::AttrKind kind,
                                               llvm::StringRef modelDir, llvm::StringRef where) {
  std::string what = where.str() + ": attribute '" + a.name() + "'";
  if (!a.ref_attr_name().empty())
    return makeError(what + " refers to function attribute '" + a.ref_attr_name() +
                     "' (functions are unsupported)");
  int type = attributeType(a);
  switch (type) {
  case onnx::AttributeProto::GRAPH:
  case onnx::AttributeProto::GRAPHS:
    return makeError(what + ": graph attributes are unsupported");
  case onnx::AttributeProto::SPARSE_TENSOR:
  case onnx::AttributeProto::SPARSE_TENSORS:
    return makeError(what + ": sparse tensor attributes are unsupported");
  default:
    break;
  }
  int expected = expectedProtoType(kind);
  if (type != expected)
    return makeError(what + " has type " + attributeTypeName(type) + ", expected " +
                     attributeTypeName(expected));
  switch (kind) {
  case ir::AttrKind::Int:
    return ir::AttrValue(int64_t(a.i()));
  case ir::AttrKind::Float:
    return ir::AttrValue(a.f());
  case ir::AttrKind::String:
    return ir::AttrValue(a.s());
  case ir::AttrKind::Ints:
    return ir::AttrValue(std::vector<int64_t>(a.ints().begin(), a.ints().end()));
  case ir::AttrKind::Floats:
    return ir::AttrValue(std::vector<float>(a.floats().begin(), a.floats().end()));
  case ir::AttrKind::Strings:
    return ir::AttrValue(std::vector<std::string>(a.strings().begin(), a.strings().end()));
  case ir::AttrKind::Tensor: {
    auto t = decodeTensor(a.t(), modelDir, what);
    if (!t)
      return t.takeError();
    return ir::AttrValue(std::move(*t));
  }
  case ir::AttrKind::Elem: {
    if (a.i() < INT32_MIN || a.i() > INT32_MAX)
      return makeError(what + ": data type code " + llvm::Twine(a.i()) + " is invalid");
    auto elem = elemTypeFromOnnx(int32_t(a.i()), what);
    if (!elem)
      return elem.takeError();
    return ir::AttrValue(*elem);
  }
  }
  return makeError(what + ": unhandled attribute kind");
}

} // namespace qc::frontend::detail
