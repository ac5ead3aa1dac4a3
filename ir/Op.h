// Op kinds and their attribute schemas, generated from Ops.def,
// AttrNames.def and OpAttrs.def: the one place ops and attributes are listed.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ir/Tensor.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace qc::ir {

enum class OpKind : uint16_t {
#define QC_OP(Kind, Name, MinIn, MaxIn, MinOut, MaxOut) Kind,
#include "ir/Ops.def"
};

struct OpInfo {
  OpKind kind;
  llvm::StringRef name; // the ONNX op type
  int minInputs, maxInputs, minOutputs, maxOutputs; // -1: variadic
};

const OpInfo &opInfo(OpKind kind);
llvm::StringRef opName(OpKind kind);
std::optional<OpKind> lookupOp(llvm::StringRef name);
/// All ops, in Ops.def order.
llvm::ArrayRef<OpInfo> allOps();

enum class AttrName : uint16_t {
#define QC_ATTR_NAME(Name) Name,
#include "ir/AttrNames.def"
};
llvm::StringRef attrNameString(AttrName name);
std::optional<AttrName> lookupAttrName(llvm::StringRef name);

enum class AttrKind : uint8_t { Int, Float, String, Ints, Floats, Strings, Tensor, Elem };
llvm::StringRef attrKindName(AttrKind kind);

/// An attribute value; the alternative's index follows AttrKind.
using AttrValue =
    std::variant<int64_t, float, std::string, std::vector<int64_t>,
                 std::vector<float>, std::vector<std::string>, Tensor, ElemType>;
inline AttrKind attrKindOf(const AttrValue &v) {
  return static_cast<AttrKind>(v.index());
}

struct AttrSchema {
  OpKind op;
  AttrName name;
  AttrKind kind;
  std::optional<AttrValue> defaultValue;
};

/// The schema of `name` on `op`, or null when the op has no such attribute.
const AttrSchema *findAttrSchema(OpKind op, AttrName name);
/// All attribute schemas of `op`, in OpAttrs.def order.
std::vector<const AttrSchema *> attrSchemas(OpKind op);

} // namespace qc::ir
