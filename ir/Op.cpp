// Tables generated from Ops.def, AttrNames.def and OpAttrs.def.
#include "ir/Op.h"

#include <cassert>

namespace qc::ir {

namespace {
const OpInfo kOps[] = {
#define QC_OP(Kind, Name, MinIn, MaxIn, MinOut, MaxOut)                        \
  {OpKind::Kind, Name, MinIn, MaxIn, MinOut, MaxOut},
#include "ir/Ops.def"
};

const char *const kAttrNames[] = {
#define QC_ATTR_NAME(Name) #Name,
#include "ir/AttrNames.def"
};

// No arguments: no default. One argument: the default, as the kind's type.
template <AttrKind K> std::optional<AttrValue> makeDefault() { return std::nullopt; }
template <AttrKind K, typename T> std::optional<AttrValue> makeDefault(T v) {
  if constexpr (K == AttrKind::Int)
    return AttrValue(int64_t(v));
  else if constexpr (K == AttrKind::Float)
    return AttrValue(float(v));
  else if constexpr (K == AttrKind::String)
    return AttrValue(std::string(v));
  else
    return AttrValue(v);
}

const std::vector<AttrSchema> &schemaTable() {
  static const std::vector<AttrSchema> table = {
#define QC_OP_ATTR(Op, Name, Kind, ...)                                        \
  {OpKind::Op, AttrName::Name, AttrKind::Kind,                                 \
   makeDefault<AttrKind::Kind>(__VA_ARGS__)},
#include "ir/OpAttrs.def"
  };
  return table;
}
} // namespace

const OpInfo &opInfo(OpKind kind) { return kOps[static_cast<size_t>(kind)]; }
llvm::StringRef opName(OpKind kind) { return opInfo(kind).name; }
llvm::ArrayRef<OpInfo> allOps() { return kOps; }

std::optional<OpKind> lookupOp(llvm::StringRef name) {
  for (const OpInfo &info : kOps)
    if (info.name == name)
      return info.kind;
  return std::nullopt;
}

llvm::StringRef attrNameString(AttrName name) {
  return kAttrNames[static_cast<size_t>(name)];
}

std::optional<AttrName> lookupAttrName(llvm::StringRef name) {
  for (size_t i = 0; i < std::size(kAttrNames); ++i)
    if (name == kAttrNames[i])
      return static_cast<AttrName>(i);
  return std::nullopt;
}

llvm::StringRef attrKindName(AttrKind kind) {
  static const char *const names[] = {"int",     "float",  "string", "ints",
                                      "floats",  "strings", "tensor", "elem"};
  return names[static_cast<size_t>(kind)];
}

const AttrSchema *findAttrSchema(OpKind op, AttrName name) {
  for (const AttrSchema &s : schemaTable())
    if (s.op == op && s.name == name)
      return &s;
  return nullptr;
}

std::vector<const AttrSchema *> attrSchemas(OpKind op) {
  std::vector<const AttrSchema *> out;
  for (const AttrSchema &s : schemaTable())
    if (s.op == op)
      out.push_back(&s);
  return out;
}

} // namespace qc::ir
