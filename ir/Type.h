// Element types, shapes (static and symbolic dimensions), quantization
// parameters and tensor types: the vocabulary every stage of qc shares.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace qc::ir {

// X(Enum, textName, bits, isFloat, isSigned)
#define QC_ELEM_TYPES(X)                                                       \
  X(F32, "f32", 32, true, true)                                                \
  X(F64, "f64", 64, true, true)                                                \
  X(F16, "f16", 16, true, true)                                                \
  X(BF16, "bf16", 16, true, true)                                              \
  X(I4, "i4", 4, false, true)                                                  \
  X(U4, "u4", 4, false, false)                                                 \
  X(I8, "i8", 8, false, true)                                                  \
  X(U8, "u8", 8, false, false)                                                 \
  X(I16, "i16", 16, false, true)                                               \
  X(U16, "u16", 16, false, false)                                              \
  X(I32, "i32", 32, false, true)                                               \
  X(U32, "u32", 32, false, false)                                              \
  X(I64, "i64", 64, false, true)                                               \
  X(U64, "u64", 64, false, false)                                              \
  X(Bool, "bool", 8, false, false)

enum class ElemType : uint8_t {
#define QC_X(E, N, B, F, S) E,
  QC_ELEM_TYPES(QC_X)
#undef QC_X
};

llvm::StringRef elemTypeName(ElemType t);
std::optional<ElemType> parseElemType(llvm::StringRef name);
/// Bits of one element as ONNX stores it (4 for int4, 8 for bool).
unsigned elemTypeBits(ElemType t);
/// Bytes of one element in qc's in-memory Tensor (int4/uint4 are unpacked to
/// one byte per element, f16/bf16 are kept as their 16-bit patterns).
unsigned elemTypeStorageBytes(ElemType t);
bool isFloatType(ElemType t);
bool isIntegerType(ElemType t); // excludes Bool
bool isSignedType(ElemType t);
/// Representable range of an integer type, as int64 (u64 max is clamped).
int64_t elemTypeMin(ElemType t);
int64_t elemTypeMax(ElemType t);

/// One dimension: a static extent, a named symbolic extent (`N`, `seq`), or
/// unknown (`?`, e.g. a data-dependent extent).
class Dim {
public:
  Dim() = default; // unknown
  Dim(int64_t value) : value_(value) {}
  static Dim symbol(std::string name) {
    Dim d;
    d.symbol_ = std::move(name);
    return d;
  }
  static Dim unknown() { return Dim(); }

  bool isStatic() const { return value_ >= 0; }
  bool isSymbolic() const { return value_ < 0 && !symbol_.empty(); }
  bool isUnknown() const { return value_ < 0 && symbol_.empty(); }
  int64_t value() const { return value_; } // -1 unless static
  const std::string &symbolName() const { return symbol_; }

  bool operator==(const Dim &o) const {
    return value_ == o.value_ && symbol_ == o.symbol_;
  }
  std::string str() const; // "4", "N", "?"

private:
  int64_t value_ = -1;
  std::string symbol_;
};

/// A tensor shape. Unranked shapes exist only where an op's output rank
/// cannot be known before running it.
class Shape {
public:
  Shape() = default; // rank 0 (scalar)
  Shape(std::vector<Dim> dims) : dims_(std::move(dims)) {}
  Shape(std::initializer_list<int64_t> dims);
  static Shape fromStatic(llvm::ArrayRef<int64_t> dims);
  static Shape unranked() {
    Shape s;
    s.ranked_ = false;
    return s;
  }

  bool isRanked() const { return ranked_; }
  size_t rank() const { return dims_.size(); }
  const std::vector<Dim> &dims() const { return dims_; }
  std::vector<Dim> &dims() { return dims_; }
  const Dim &operator[](size_t i) const { return dims_[i]; }
  bool isStatic() const; // ranked and every dim static
  /// Static extents; only valid when isStatic().
  std::vector<int64_t> staticDims() const;
  /// Product of the dims, or -1 when not static.
  int64_t numElements() const;

  bool operator==(const Shape &o) const {
    return ranked_ == o.ranked_ && dims_ == o.dims_;
  }
  std::string str() const; // "1x3x224x224", "Nx768", "" for scalars, "*"

private:
  std::vector<Dim> dims_;
  bool ranked_ = true;
};

/// Quantization parameters carried by a quantized tensor type: per-tensor
/// (axis unset, one scale) or per-axis (one scale per slice along axis),
/// optionally blocked along the axis. Scales are always fp32 values held in
/// doubles (double(float(s))): ONNX scales are fp32 and the reference computes
/// in fp32; the text form prints them as the shortest text that reads back as
/// the same float ("0.02").
struct QuantParams {
  std::vector<double> scales; // each float-exact
  std::vector<int64_t> zeroPoints; // same length as scales
  std::optional<int64_t> axis;     // set for per-axis quantization
  int64_t blockSize = 0;           // 0: not blocked

  bool isPerTensor() const { return !axis.has_value(); }
  bool operator==(const QuantParams &o) const {
    return scales == o.scales && zeroPoints == o.zeroPoints &&
           axis == o.axis && blockSize == o.blockSize;
  }
};

/// The type of an SSA value: element type and shape; integer tensors that
/// represent quantized reals also carry their QuantParams.
struct Type {
  ElemType elem = ElemType::F32;
  Shape shape;
  std::optional<QuantParams> quant;

  Type() = default;
  Type(ElemType e, Shape s) : elem(e), shape(std::move(s)) {}
  bool operator==(const Type &o) const {
    return elem == o.elem && shape == o.shape && quant == o.quant;
  }
  bool operator!=(const Type &o) const { return !(*this == o); }
  /// Text form, e.g. "tensor<1x3x8x8xf32>", "tensor<f32>" for a scalar,
  /// "tensor<*xf32>" unranked; see ir/Printer.h for the quantized form.
  std::string str() const;
};

} // namespace qc::ir
