// Tensor: a dense, row-major block of elements with a static shape. Holds
// constants (initializers) in the IR and all data in the interpreter.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "ir/Type.h"

namespace qc::ir {

/// Storage layout per element type (elemTypeStorageBytes):
///   F32 float, F64 double, F16/BF16 uint16_t bit patterns, I4 int8_t and U4
///   uint8_t (unpacked, one element per byte), I8 int8_t, U8 uint8_t, I16,
///   U16, I32, U32, I64, U64 the matching <cstdint> type, Bool uint8_t (0/1).
class Tensor {
public:
  Tensor() = default;
  /// Zero-initialized tensor.
  Tensor(ElemType type, std::vector<int64_t> dims);

  ElemType elemType() const { return type_; }
  const std::vector<int64_t> &dims() const { return dims_; }
  size_t rank() const { return dims_.size(); }
  int64_t numElements() const { return numElements_; }
  size_t byteSize() const { return bytes_.size(); }
  Type type() const { return Type(type_, Shape::fromStatic(dims_)); }

  std::byte *raw() { return bytes_.data(); }
  const std::byte *raw() const { return bytes_.data(); }

  template <typename T> T *data() {
    assert(sizeof(T) == elemTypeStorageBytes(type_) && "storage type mismatch");
    return reinterpret_cast<T *>(bytes_.data());
  }
  template <typename T> const T *data() const {
    assert(sizeof(T) == elemTypeStorageBytes(type_) && "storage type mismatch");
    return reinterpret_cast<const T *>(bytes_.data());
  }

  /// Generic element access, converting through double / int64. Slow; for
  /// the reference interpreter, constant folding and tests, not kernels.
  /// F16/BF16 convert their bit patterns; Bool reads 0/1.
  double getDouble(int64_t i) const;
  void setDouble(int64_t i, double v); // float types: rounds to the type;
                                       // integer types: truncates (C cast)
  int64_t getInt(int64_t i) const;     // float types: truncates
  void setInt(int64_t i, int64_t v);   // wraps like a C cast for ints

  /// Same dims, type and bytes.
  bool identical(const Tensor &o) const {
    return type_ == o.type_ && dims_ == o.dims_ && bytes_ == o.bytes_;
  }
  /// A copy with new dims of the same element count (Reshape).
  Tensor reshaped(std::vector<int64_t> dims) const;

  /// Scalars and 1-D tensors from values, for tests and constant building.
  static Tensor scalarFloat(ElemType t, double v);
  static Tensor scalarInt(ElemType t, int64_t v);
  static Tensor fromInts(ElemType t, std::vector<int64_t> dims,
                         llvm::ArrayRef<int64_t> values);
  static Tensor fromDoubles(ElemType t, std::vector<int64_t> dims,
                            llvm::ArrayRef<double> values);

private:
  ElemType type_ = ElemType::F32;
  std::vector<int64_t> dims_;
  int64_t numElements_ = 1;
  std::vector<std::byte> bytes_ = std::vector<std::byte>(4);
};

/// IEEE half / bfloat16 conversions (round to nearest even).
float halfToFloat(uint16_t h);
uint16_t floatToHalf(float f);
float bf16ToFloat(uint16_t b);
uint16_t floatToBf16(float f);

/// Row-major strides of dims (in elements).
std::vector<int64_t> rowMajorStrides(llvm::ArrayRef<int64_t> dims);

} // namespace qc::ir
