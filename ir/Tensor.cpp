// Tensor storage, generic element access and half-precision conversions.
#include "ir/Tensor.h"

#include <bit>
#include <cmath>

namespace qc::ir {

Tensor::Tensor(ElemType type, std::vector<int64_t> dims)
    : type_(type), dims_(std::move(dims)) {
  numElements_ = 1;
  for (int64_t d : dims_) {
    assert(d >= 0 && "negative tensor dimension");
    numElements_ *= d;
  }
  bytes_.assign(size_t(numElements_) * elemTypeStorageBytes(type_), std::byte{0});
}

double Tensor::getDouble(int64_t i) const {
  assert(i >= 0 && i < numElements_);
  switch (type_) {
  case ElemType::F32: return data<float>()[i];
  case ElemType::F64: return data<double>()[i];
  case ElemType::F16: return halfToFloat(data<uint16_t>()[i]);
  case ElemType::BF16: return bf16ToFloat(data<uint16_t>()[i]);
  case ElemType::U64: return double(data<uint64_t>()[i]);
  default: return double(getInt(i));
  }
}

void Tensor::setDouble(int64_t i, double v) {
  assert(i >= 0 && i < numElements_);
  switch (type_) {
  case ElemType::F32: data<float>()[i] = float(v); return;
  case ElemType::F64: data<double>()[i] = v; return;
  case ElemType::F16: data<uint16_t>()[i] = floatToHalf(float(v)); return;
  case ElemType::BF16: data<uint16_t>()[i] = floatToBf16(float(v)); return;
  case ElemType::Bool: data<uint8_t>()[i] = v != 0.0; return;
  case ElemType::U64: data<uint64_t>()[i] = uint64_t(v); return;
  default: setInt(i, int64_t(v)); return;
  }
}

int64_t Tensor::getInt(int64_t i) const {
  assert(i >= 0 && i < numElements_);
  switch (type_) {
  case ElemType::I4:
  case ElemType::I8: return data<int8_t>()[i];
  case ElemType::U4:
  case ElemType::U8:
  case ElemType::Bool: return data<uint8_t>()[i];
  case ElemType::I16: return data<int16_t>()[i];
  case ElemType::U16: return data<uint16_t>()[i];
  case ElemType::I32: return data<int32_t>()[i];
  case ElemType::U32: return data<uint32_t>()[i];
  case ElemType::I64: return data<int64_t>()[i];
  case ElemType::U64: return int64_t(data<uint64_t>()[i]);
  default: return int64_t(getDouble(i));
  }
}

void Tensor::setInt(int64_t i, int64_t v) {
  assert(i >= 0 && i < numElements_);
  switch (type_) {
  case ElemType::I4: data<int8_t>()[i] = int8_t(((v & 0xF) ^ 0x8) - 0x8); return;
  case ElemType::U4: data<uint8_t>()[i] = uint8_t(v & 0xF); return;
  case ElemType::I8: data<int8_t>()[i] = int8_t(v); return;
  case ElemType::U8: data<uint8_t>()[i] = uint8_t(v); return;
  case ElemType::Bool: data<uint8_t>()[i] = v != 0; return;
  case ElemType::I16: data<int16_t>()[i] = int16_t(v); return;
  case ElemType::U16: data<uint16_t>()[i] = uint16_t(v); return;
  case ElemType::I32: data<int32_t>()[i] = int32_t(v); return;
  case ElemType::U32: data<uint32_t>()[i] = uint32_t(v); return;
  case ElemType::I64: data<int64_t>()[i] = v; return;
  case ElemType::U64: data<uint64_t>()[i] = uint64_t(v); return;
  default: setDouble(i, double(v)); return;
  }
}

Tensor Tensor::reshaped(std::vector<int64_t> dims) const {
  Tensor t = *this;
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  assert(n == numElements_ && "reshape changes the element count");
  (void)n;
  t.dims_ = std::move(dims);
  return t;
}

Tensor Tensor::scalarFloat(ElemType t, double v) {
  Tensor r(t, {});
  r.setDouble(0, v);
  return r;
}

Tensor Tensor::scalarInt(ElemType t, int64_t v) {
  Tensor r(t, {});
  r.setInt(0, v);
  return r;
}

Tensor Tensor::fromInts(ElemType t, std::vector<int64_t> dims,
                        llvm::ArrayRef<int64_t> values) {
  Tensor r(t, std::move(dims));
  assert(int64_t(values.size()) == r.numElements());
  for (size_t i = 0; i < values.size(); ++i)
    r.setInt(int64_t(i), values[i]);
  return r;
}

Tensor Tensor::fromDoubles(ElemType t, std::vector<int64_t> dims,
                           llvm::ArrayRef<double> values) {
  Tensor r(t, std::move(dims));
  assert(int64_t(values.size()) == r.numElements());
  for (size_t i = 0; i < values.size(); ++i)
    r.setDouble(int64_t(i), values[i]);
  return r;
}

float halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16;
  uint32_t exponent = (h >> 10) & 0x1F;
  uint32_t mantissa = h & 0x3FF;
  uint32_t bits;
  if (exponent == 0x1F) {
    bits = sign | 0x7F800000 | (mantissa << 13);
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    bits = sign;
  } else { // subnormal: value = mantissa * 2^-24
    float v = std::ldexp(float(mantissa), -24);
    return sign ? -v : v;
  }
  return std::bit_cast<float>(bits);
}

uint16_t floatToHalf(float f) {
  uint32_t bits = std::bit_cast<uint32_t>(f);
  uint16_t sign = uint16_t((bits >> 16) & 0x8000);
  uint32_t absBits = bits & 0x7FFFFFFF;
  if (absBits >= 0x7F800000) // Inf or NaN
    return sign | 0x7C00 | (absBits > 0x7F800000 ? 0x200 : 0);
  if (absBits >= 0x477FF000) // rounds to >= 65520: overflow to Inf
    return sign | 0x7C00;
  if (absBits < 0x38800000) { // below the smallest normal half: subnormal
    float a = std::bit_cast<float>(absBits);
    // Multiply into the subnormal's integer units, round half to even.
    float scaled = a * 16777216.0f; // 2^24
    return sign | uint16_t(std::nearbyint(scaled));
  }
  // Normal: rebias the exponent, round the 13 dropped mantissa bits to even.
  uint32_t rounded = absBits + 0xFFF + ((absBits >> 13) & 1);
  return sign | uint16_t((rounded - 0x38000000) >> 13);
}

float bf16ToFloat(uint16_t b) { return std::bit_cast<float>(uint32_t(b) << 16); }

uint16_t floatToBf16(float f) {
  uint32_t bits = std::bit_cast<uint32_t>(f);
  if ((bits & 0x7FFFFFFF) > 0x7F800000) // NaN: keep it quiet
    return uint16_t((bits >> 16) | 0x40);
  bits += 0x7FFF + ((bits >> 16) & 1);
  return uint16_t(bits >> 16);
}

std::vector<int64_t> rowMajorStrides(llvm::ArrayRef<int64_t> dims) {
  std::vector<int64_t> strides(dims.size(), 1);
  for (size_t i = dims.size(); i-- > 1;)
    strides[i - 1] = strides[i] * dims[i];
  return strides;
}

} // namespace qc::ir
