// ONNX TensorProto <-> ir::Tensor: element types, raw and typed data fields,
// int4 packing, external data confined to the model directory, size checks.
#include "frontend/ImportDetail.h"

#include <cstring>

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SwapByteOrder.h"

namespace qc::frontend::detail {

using ir::ElemType;

std::string onnxDataTypeName(int32_t code) {
  static const char *const kNames[] = {
      "UNDEFINED",      "FLOAT",      "UINT8",          "INT8",       "UINT16",   "INT16",
      "INT32",          "INT64",      "STRING",         "BOOL",       "FLOAT16",  "DOUBLE",
      "UINT32",         "UINT64",     "COMPLEX64",      "COMPLEX128", "BFLOAT16", "FLOAT8E4M3FN",
      "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4",      "INT4",     "FLOAT4E2M1"};
  if (code >= 0 && size_t(code) < std::size(kNames))
    return kNames[code];
  return "type code " + std::to_string(code);
}

llvm::Expected<ElemType> elemTypeFromOnnx(int32_t code, const llvm::Twine &what) {
  switch (code) {
  case kOnnxFloat:
    return ElemType::F32;
  case kOnnxDouble:
    return ElemType::F64;
  case kOnnxFloat16:
    return ElemType::F16;
  case kOnnxBfloat16:
    return ElemType::BF16;
  case kOnnxInt4:
    return ElemType::I4;
  case kOnnxUint4:
    return ElemType::U4;
  case kOnnxInt8:
    return ElemType::I8;
  case kOnnxUint8:
    return ElemType::U8;
  case kOnnxInt16:
    return ElemType::I16;
  case kOnnxUint16:
    return ElemType::U16;
  case kOnnxInt32:
    return ElemType::I32;
  case kOnnxUint32:
    return ElemType::U32;
  case kOnnxInt64:
    return ElemType::I64;
  case kOnnxUint64:
    return ElemType::U64;
  case kOnnxBool:
    return ElemType::Bool;
  default:
    break;
  }
  if (code == kOnnxUndefined)
    return makeError(what + ": element type is undefined");
  return makeError(what + ": element type " + onnxDataTypeName(code) + " is unsupported");
}

int32_t onnxFromElemType(ElemType type) {
  switch (type) {
  case ElemType::F32:
    return kOnnxFloat;
  case ElemType::F64:
    return kOnnxDouble;
  case ElemType::F16:
    return kOnnxFloat16;
  case ElemType::BF16:
    return kOnnxBfloat16;
  case ElemType::I4:
    return kOnnxInt4;
  case ElemType::U4:
    return kOnnxUint4;
  case ElemType::I8:
    return kOnnxInt8;
  case ElemType::U8:
    return kOnnxUint8;
  case ElemType::I16:
    return kOnnxInt16;
  case ElemType::U16:
    return kOnnxUint16;
  case ElemType::I32:
    return kOnnxInt32;
  case ElemType::U32:
    return kOnnxUint32;
  case ElemType::I64:
    return kOnnxInt64;
  case ElemType::U64:
    return kOnnxUint64;
  case ElemType::Bool:
    return kOnnxBool;
  }
  return kOnnxUndefined;
}

llvm::Expected<int64_t> checkedElementCount(llvm::ArrayRef<int64_t> dims, const llvm::Twine &what) {
  int64_t count = 1;
  for (int64_t d : dims)
    if (d < 0)
      return makeError(what + ": dimension " + llvm::Twine(d) + " is negative");
  for (int64_t d : dims) {
    if (d == 0)
      return 0;
  }
  for (int64_t d : dims) {
    if (count > kMaxElements / d)
      return makeError(what + ": " + llvm::Twine(dims.size()) +
                       "-d shape has more than 2^40 elements");
    count *= d;
  }
  return count;
}

namespace {

// Bytes ONNX uses to store `count` elements in raw_data (int4: two per byte).
int64_t rawByteSize(ElemType type, int64_t count) {
  if (ir::elemTypeBits(type) == 4)
    return (count + 1) / 2;
  return count * int64_t(ir::elemTypeStorageBytes(type));
}

// Copies little-endian fixed-width elements into the tensor's storage.
void copyLittleEndian(ir::Tensor &t, llvm::StringRef bytes) {
  std::memcpy(t.raw(), bytes.data(), t.byteSize());
  unsigned width = ir::elemTypeStorageBytes(t.elemType());
  if (!llvm::sys::IsBigEndianHost || width == 1)
    return;
  auto *p = reinterpret_cast<unsigned char *>(t.raw());
  for (size_t i = 0; i < t.byteSize(); i += width)
    std::reverse(p + i, p + i + width);
}

// Unpacks int4/uint4 pairs (element 0 in the low nibble), sign-extending int4.
void unpackNibbles(ir::Tensor &t, llvm::ArrayRef<uint8_t> packed) {
  bool isSigned = t.elemType() == ElemType::I4;
  auto *out = reinterpret_cast<uint8_t *>(t.raw());
  for (int64_t i = 0; i < t.numElements(); ++i) {
    uint8_t nibble = (packed[size_t(i / 2)] >> ((i % 2) * 4)) & 0xF;
    out[i] = isSigned && (nibble & 0x8) ? uint8_t(nibble | 0xF0) : nibble;
  }
}

// Decodes raw_data (or external bytes) of `count` elements.
llvm::Expected<ir::Tensor> decodeRaw(ElemType type, std::vector<int64_t> dims, int64_t count,
                                     llvm::StringRef bytes, const std::string &what) {
  int64_t expected = rawByteSize(type, count);
  if (int64_t(bytes.size()) != expected)
    return makeError(what + ": data size mismatch: " + llvm::Twine(bytes.size()) +
                     " bytes of data, its " + ir::elemTypeName(type) + " shape " +
                     ir::Shape::fromStatic(dims).str() + " needs " + llvm::Twine(expected));
  ir::Tensor t(type, std::move(dims));
  if (ir::elemTypeBits(type) == 4) {
    unpackNibbles(t, llvm::ArrayRef(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size()));
    return t;
  }
  copyLittleEndian(t, bytes);
  if (type == ElemType::Bool) {
    auto *p = reinterpret_cast<uint8_t *>(t.raw());
    for (int64_t i = 0; i < count; ++i)
      p[i] = p[i] != 0;
  }
  return t;
}

llvm::Error countMismatch(const std::string &what, llvm::StringRef field, size_t have, int64_t need,
                          llvm::ArrayRef<int64_t> dims) {
  return makeError(what + ": data size mismatch: " + llvm::Twine(have) + " values in " + field +
                   ", shape " + ir::Shape::fromStatic(dims).str() + " needs " + llvm::Twine(need));
}

// Decodes int32_data, which carries every type narrower than 32 bits (and
// int32 itself): values, float16/bfloat16 bit patterns, or packed int4 bytes.
llvm::Expected<ir::Tensor> decodeInt32Field(const onnx::TensorProto &p, ElemType type,
                                            std::vector<int64_t> dims, int64_t count,
                                            const std::string &what) {
  bool packed = ir::elemTypeBits(type) == 4;
  int64_t need = packed ? (count + 1) / 2 : count;
  if (p.int32_data_size() != need)
    return countMismatch(what, "int32_data", size_t(p.int32_data_size()), need, dims);
  int64_t lo = 0, hi = 0;
  switch (type) {
  case ElemType::F16:
  case ElemType::BF16:
    lo = INT16_MIN, hi = UINT16_MAX; // bit patterns, either signedness
    break;
  case ElemType::I4:
  case ElemType::U4:
    lo = INT8_MIN, hi = UINT8_MAX; // packed bytes, either signedness
    break;
  case ElemType::Bool:
    lo = 0, hi = 1;
    break;
  default:
    lo = ir::elemTypeMin(type), hi = ir::elemTypeMax(type);
  }
  for (int64_t i = 0; i < need; ++i) {
    int64_t v = p.int32_data(int(i));
    if (v < lo || v > hi)
      return makeError(what + ": int32_data value " + llvm::Twine(v) + " at index " +
                       llvm::Twine(i) + " is out of range for " + ir::elemTypeName(type));
  }
  ir::Tensor t(type, std::move(dims));
  if (packed) {
    std::vector<uint8_t> bytes(static_cast<size_t>(need));
    for (int64_t i = 0; i < need; ++i)
      bytes[size_t(i)] = uint8_t(p.int32_data(int(i)));
    unpackNibbles(t, bytes);
    return t;
  }
  for (int64_t i = 0; i < count; ++i) {
    int64_t v = p.int32_data(int(i));
    if (type == ElemType::F16 || type == ElemType::BF16)
      t.data<uint16_t>()[i] = uint16_t(v);
    else
      t.setInt(i, v);
  }
  return t;
}

llvm::Expected<ir::Tensor> decodeTyped(const onnx::TensorProto &p, ElemType type,
                                       std::vector<int64_t> dims, int64_t count,
                                       const std::string &what) {
  switch (type) {
  case ElemType::F32: {
    if (p.float_data_size() != count)
      return countMismatch(what, "float_data", size_t(p.float_data_size()), count, dims);
    ir::Tensor t(type, std::move(dims));
    std::copy(p.float_data().begin(), p.float_data().end(), t.data<float>());
    return t;
  }
  case ElemType::F64: {
    if (p.double_data_size() != count)
      return countMismatch(what, "double_data", size_t(p.double_data_size()), count, dims);
    ir::Tensor t(type, std::move(dims));
    std::copy(p.double_data().begin(), p.double_data().end(), t.data<double>());
    return t;
  }
  case ElemType::I64: {
    if (p.int64_data_size() != count)
      return countMismatch(what, "int64_data", size_t(p.int64_data_size()), count, dims);
    ir::Tensor t(type, std::move(dims));
    std::copy(p.int64_data().begin(), p.int64_data().end(), t.data<int64_t>());
    return t;
  }
  case ElemType::U32:
  case ElemType::U64: {
    if (p.uint64_data_size() != count)
      return countMismatch(what, "uint64_data", size_t(p.uint64_data_size()), count, dims);
    ir::Tensor t(type, std::move(dims));
    for (int64_t i = 0; i < count; ++i) {
      uint64_t v = p.uint64_data(int(i));
      if (type == ElemType::U32) {
        if (v > UINT32_MAX)
          return makeError(what + ": uint64_data value " + llvm::Twine(v) + " at index " +
                           llvm::Twine(i) + " is out of range for u32");
        t.data<uint32_t>()[i] = uint32_t(v);
      } else {
        t.data<uint64_t>()[i] = v;
      }
    }
    return t;
  }
  default:
    return decodeInt32Field(p, type, std::move(dims), count, what);
  }
}

bool hasTypedData(const onnx::TensorProto &p) {
  return p.float_data_size() || p.int32_data_size() || p.int64_data_size() ||
         p.double_data_size() || p.uint64_data_size() || p.string_data_size();
}

} // namespace

llvm::Expected<std::string> readExternalData(const onnx::TensorProto &proto,
                                             llvm::StringRef modelDir, const llvm::Twine &whatT) {
  std::string what = whatT.str();
  std::string location;
  std::optional<uint64_t> offset, length;
  for (const onnx::StringStringEntryProto &kv : proto.external_data()) {
    llvm::StringRef key = kv.key(), value = kv.value();
    if (key == "location") {
      location = value.str();
    } else if (key == "offset" || key == "length") {
      uint64_t n = 0;
      if (value.getAsInteger(10, n))
        return makeError(what + ": external data " + key + " '" + value +
                         "' is not a non-negative integer");
      (key == "offset" ? offset : length) = n;
    } else if (key != "checksum") {
      return makeError(what + ": unknown external data key '" + key + "'");
    }
  }
  if (location.empty())
    return makeError(what + ": external data has no location");
  if (modelDir.empty())
    return makeError(what + ": external data '" + location +
                     "' cannot be resolved without a model directory");
  namespace path = llvm::sys::path;
  if (path::is_absolute(location) || path::is_absolute(location, path::Style::windows) ||
      location.front() == '/' || location.front() == '\\')
    return makeError(what + ": external data location '" + location +
                     "' is an absolute path (must be relative to the model directory)");
  for (auto it = path::begin(location), end = path::end(location); it != end; ++it)
    if (*it == "..")
      return makeError(what + ": external data location '" + location +
                       "' escapes the model directory");
  if (location.find('\0') != std::string::npos)
    return makeError(what + ": external data location contains a NUL byte");

  llvm::SmallString<256> realDir, joined, realFile;
  if (std::error_code ec = llvm::sys::fs::real_path(modelDir, realDir))
    return makeError(what + ": cannot resolve model directory '" + modelDir + "': " + ec.message());
  joined = modelDir;
  path::append(joined, location);
  if (std::error_code ec = llvm::sys::fs::real_path(joined, realFile))
    return makeError(what + ": cannot open external data file '" + location + "': " + ec.message());
  llvm::SmallString<256> prefix = realDir;
  if (!prefix.ends_with("/"))
    prefix += "/";
  if (!llvm::StringRef(realFile).starts_with(prefix))
    return makeError(what + ": external data location '" + location +
                     "' resolves outside the model directory (to '" + realFile + "')");
  llvm::sys::fs::file_status status;
  if (std::error_code ec = llvm::sys::fs::status(realFile, status))
    return makeError(what + ": cannot stat external data file '" + location + "': " + ec.message());
  if (status.type() != llvm::sys::fs::file_type::regular_file)
    return makeError(what + ": external data location '" + location + "' is not a regular file");
  uint64_t fileSize = status.getSize();
  uint64_t start = offset.value_or(0);
  if (start > fileSize)
    return makeError(what + ": external data offset " + llvm::Twine(start) +
                     " is past the end of '" + location + "' (" + llvm::Twine(fileSize) +
                     " bytes)");
  uint64_t size = length.value_or(fileSize - start);
  if (size > fileSize - start)
    return makeError(what + ": external data range [" + llvm::Twine(start) + ", " +
                     llvm::Twine(start) + "+" + llvm::Twine(size) + ") exceeds '" + location +
                     "' (" + llvm::Twine(fileSize) + " bytes)");
  if (size == 0)
    return std::string();
  auto buffer = llvm::MemoryBuffer::getFileSlice(realFile, size, start,
                                                 /*IsVolatile=*/false);
  if (!buffer)
    return makeError(what + ": cannot read external data file '" + location +
                     "': " + buffer.getError().message());
  return (*buffer)->getBuffer().str();
}

llvm::Expected<ir::Tensor> decodeTensor(const onnx::TensorProto &p, llvm::StringRef modelDir,
                                        const llvm::Twine &whatT) {
  std::string what = whatT.str();
  if (p.has_segment())
    return makeError(what + ": segmented tensors are unsupported");
  if (p.data_type() == kOnnxString)
    return makeError(what + ": string tensors are unsupported");
  auto type = elemTypeFromOnnx(p.data_type(), what);
  if (!type)
    return type.takeError();
  std::vector<int64_t> dims(p.dims().begin(), p.dims().end());
  auto count = checkedElementCount(dims, what);
  if (!count)
    return count.takeError();

  if (p.data_location() == onnx::TensorProto::EXTERNAL) {
    if (p.has_raw_data() || hasTypedData(p))
      return makeError(what + ": has both external data and inline data");
    auto bytes = readExternalData(p, modelDir, what);
    if (!bytes)
      return bytes.takeError();
    return decodeRaw(*type, std::move(dims), *count, *bytes, what);
  }
  if (p.data_location() != onnx::TensorProto::DEFAULT)
    return makeError(what + ": unknown data_location " + llvm::Twine(int(p.data_location())));
  if (p.has_raw_data()) {
    if (hasTypedData(p))
      return makeError(what + ": has both raw_data and typed data fields");
    return decodeRaw(*type, std::move(dims), *count, p.raw_data(), what);
  }
  return decodeTyped(p, *type, std::move(dims), *count, what);
}

void encodeTensor(const ir::Tensor &tensor, llvm::StringRef name, onnx::TensorProto &proto) {
  proto.Clear();
  proto.set_name(name.str());
  proto.set_data_type(onnxFromElemType(tensor.elemType()));
  for (int64_t d : tensor.dims())
    proto.add_dims(d);
  std::string bytes;
  if (ir::elemTypeBits(tensor.elemType()) == 4) {
    bytes.assign(size_t(rawByteSize(tensor.elemType(), tensor.numElements())), '\0');
    auto *in = reinterpret_cast<const uint8_t *>(tensor.raw());
    for (int64_t i = 0; i < tensor.numElements(); ++i)
      bytes[size_t(i / 2)] =
          char(uint8_t(bytes[size_t(i / 2)]) | uint8_t((in[i] & 0xF) << ((i % 2) * 4)));
  } else {
    bytes.assign(reinterpret_cast<const char *>(tensor.raw()), tensor.byteSize());
    unsigned width = ir::elemTypeStorageBytes(tensor.elemType());
    if (llvm::sys::IsBigEndianHost && width > 1)
      for (size_t i = 0; i < bytes.size(); i += width)
        std::reverse(bytes.begin() + i, bytes.begin() + i + width);
  }
  proto.set_raw_data(std::move(bytes));
}

} // namespace qc::frontend::detail
