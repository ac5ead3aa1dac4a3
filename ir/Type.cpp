// Element type tables, Dim/Shape helpers and the text form of types.
#include "ir/Type.h"

#include "ir/Printer.h"

#include <cmath>
#include <limits>

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

namespace qc::ir {

namespace {
struct ElemTypeRow {
  const char *name;
  unsigned bits;
  bool isFloat, isSigned;
};
const ElemTypeRow kElemTypes[] = {
#define QC_X(E, N, B, F, S) {N, B, F, S},
    QC_ELEM_TYPES(QC_X)
#undef QC_X
};
const ElemTypeRow &row(ElemType t) { return kElemTypes[static_cast<int>(t)]; }
} // namespace

llvm::StringRef elemTypeName(ElemType t) { return row(t).name; }

std::optional<ElemType> parseElemType(llvm::StringRef name) {
  for (size_t i = 0; i < std::size(kElemTypes); ++i)
    if (name == kElemTypes[i].name)
      return static_cast<ElemType>(i);
  return std::nullopt;
}

unsigned elemTypeBits(ElemType t) { return row(t).bits; }

unsigned elemTypeStorageBytes(ElemType t) {
  unsigned bits = row(t).bits;
  return bits < 8 ? 1 : bits / 8;
}

bool isFloatType(ElemType t) { return row(t).isFloat; }
bool isIntegerType(ElemType t) { return !row(t).isFloat && t != ElemType::Bool; }
bool isSignedType(ElemType t) { return row(t).isSigned; }

int64_t elemTypeMin(ElemType t) {
  if (t == ElemType::Bool || !isSignedType(t))
    return 0;
  unsigned bits = elemTypeBits(t);
  return bits == 64 ? std::numeric_limits<int64_t>::min() : -(int64_t(1) << (bits - 1));
}

int64_t elemTypeMax(ElemType t) {
  if (t == ElemType::Bool)
    return 1;
  unsigned bits = elemTypeBits(t);
  if (isSignedType(t))
    return bits == 64 ? std::numeric_limits<int64_t>::max() : (int64_t(1) << (bits - 1)) - 1;
  return bits >= 63 ? std::numeric_limits<int64_t>::max() : (int64_t(1) << bits) - 1;
}

std::string Dim::str() const {
  if (isStatic())
    return std::to_string(value_);
  return isSymbolic() ? formatSymbolName(symbol_) : "?";
}

Shape::Shape(std::initializer_list<int64_t> dims) {
  for (int64_t d : dims)
    dims_.emplace_back(d);
}

Shape Shape::fromStatic(llvm::ArrayRef<int64_t> dims) {
  Shape s;
  for (int64_t d : dims)
    s.dims_.emplace_back(d);
  return s;
}

bool Shape::isStatic() const {
  if (!ranked_)
    return false;
  for (const Dim &d : dims_)
    if (!d.isStatic())
      return false;
  return true;
}

std::vector<int64_t> Shape::staticDims() const {
  std::vector<int64_t> out;
  for (const Dim &d : dims_)
    out.push_back(d.value());
  return out;
}

int64_t Shape::numElements() const {
  if (!isStatic())
    return -1;
  int64_t n = 1;
  for (const Dim &d : dims_)
    n *= d.value();
  return n;
}

std::string Shape::str() const {
  if (!ranked_)
    return "*";
  std::string s;
  for (size_t i = 0; i < dims_.size(); ++i) {
    if (i)
      s += 'x';
    s += dims_[i].str();
  }
  return s;
}

namespace {
template <typename T, typename F>
void printList(llvm::raw_ostream &os, const std::vector<T> &values, F fmt) {
  if (values.size() == 1) {
    os << fmt(values[0]);
    return;
  }
  os << '[';
  for (size_t i = 0; i < values.size(); ++i)
    os << (i ? ", " : "") << fmt(values[i]);
  os << ']';
}
} // namespace

std::string Type::str() const {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "tensor<";
  std::string shapeText = shape.str();
  if (!shapeText.empty())
    os << shapeText << 'x';
  os << elemTypeName(elem);
  if (quant) {
    os << ", quant<";
    if (quant->axis)
      os << "axis=" << *quant->axis << ", ";
    if (quant->blockSize)
      os << "block=" << quant->blockSize << ", ";
    os << "scale=";
    printList(os, quant->scales, [](double v) { return formatFloatShortest(float(v)); });
    os << ", zp=";
    printList(os, quant->zeroPoints, [](int64_t v) { return std::to_string(v); });
    os << '>';
  }
  os << '>';
  return s;
}

} // namespace qc::ir
