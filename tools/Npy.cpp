// .npy reader and writer.
#include "tools/Npy.h"

#include "tools/ToolSupport.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

namespace qc::tools {

using ir::ElemType;

namespace {
struct DescrRow {
  const char *descr;
  ElemType type;
};
// int4/uint4 have no NumPy dtype: they travel as i1/u1 (one value a byte).
const DescrRow kDescrs[] = {
    {"<f4", ElemType::F32}, {"<f8", ElemType::F64}, {"<f2", ElemType::F16},
    {"|i1", ElemType::I8},  {"|u1", ElemType::U8},  {"<i2", ElemType::I16},
    {"<u2", ElemType::U16}, {"<i4", ElemType::I32}, {"<u4", ElemType::U32},
    {"<i8", ElemType::I64}, {"<u8", ElemType::U64}, {"|b1", ElemType::Bool},
};

llvm::Error npyError(llvm::StringRef name, const llvm::Twine &why) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "'" + name + "': " + why);
}

// Value of `key` in the header dict, e.g. 'descr': '<f4' -> <f4.
std::optional<std::string> headerField(llvm::StringRef header, llvm::StringRef key) {
  std::string quoted = ("'" + key + "'").str();
  size_t at = header.find(quoted);
  if (at == llvm::StringRef::npos)
    return std::nullopt;
  llvm::StringRef rest = header.drop_front(at + quoted.size()).ltrim();
  if (!rest.consume_front(":"))
    return std::nullopt;
  rest = rest.ltrim();
  if (rest.consume_front("'")) {
    size_t end = rest.find('\'');
    return end == llvm::StringRef::npos ? std::nullopt
                                        : std::optional<std::string>(rest.take_front(end).str());
  }
  if (rest.consume_front("(")) {
    size_t end = rest.find(')');
    return end == llvm::StringRef::npos ? std::nullopt
                                        : std::optional<std::string>(rest.take_front(end).str());
  }
  size_t end = rest.find_first_of(",}");
  return rest.take_front(end).trim().str();
}
} // namespace

llvm::Expected<ir::Tensor> parseNpy(llvm::StringRef bytes, llvm::StringRef name) {
  if (!bytes.starts_with("\x93NUMPY") || bytes.size() < 10)
    return npyError(name, "not a .npy file (bad magic)");
  unsigned major = uint8_t(bytes[6]);
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = uint8_t(bytes[8]) | (uint8_t(bytes[9]) << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return npyError(name, "truncated .npy header");
    headerLen = uint32_t(uint8_t(bytes[8])) | uint32_t(uint8_t(bytes[9])) << 8 |
                uint32_t(uint8_t(bytes[10])) << 16 | uint32_t(uint8_t(bytes[11])) << 24;
    headerStart = 12;
  } else {
    return npyError(name, llvm::formatv("unsupported .npy version {0}", major));
  }
  if (headerStart + headerLen > bytes.size())
    return npyError(name, "truncated .npy header");
  llvm::StringRef header = bytes.substr(headerStart, headerLen);
  auto descr = headerField(header, "descr");
  auto fortran = headerField(header, "fortran_order");
  auto shapeText = headerField(header, "shape");
  if (!descr || !fortran || !shapeText)
    return npyError(name, "malformed .npy header");
  if (*fortran != "False")
    return npyError(name, "Fortran-order arrays are not supported (save with C order)");
  std::optional<ElemType> type;
  for (const DescrRow &row : kDescrs)
    if (*descr == row.descr || (descr->size() == 3 && (*descr)[0] == '=' &&
                                llvm::StringRef(row.descr).drop_front() == llvm::StringRef(*descr).drop_front()))
      type = row.type;
  if (!type)
    return npyError(name, "unsupported dtype '" + *descr + "'");
  std::vector<int64_t> dims;
  llvm::SmallVector<llvm::StringRef> parts;
  llvm::StringRef(*shapeText).split(parts, ',', -1, false);
  int64_t count = 1;
  for (llvm::StringRef p : parts) {
    p = p.trim();
    if (p.empty())
      continue;
    int64_t d;
    if (p.getAsInteger(10, d) || d < 0)
      return npyError(name, "malformed shape '(" + *shapeText + ")'");
    if (d && count > (int64_t(1) << 40) / d)
      return npyError(name, "array too large");
    count *= d;
    dims.push_back(d);
  }
  ir::Tensor t(*type, dims);
  llvm::StringRef data = bytes.drop_front(headerStart + headerLen);
  if (data.size() != t.byteSize())
    return npyError(name, llvm::formatv("data has {0} bytes, shape and dtype need {1}",
                                        data.size(), t.byteSize()));
  std::memcpy(t.raw(), data.data(), data.size());
  return t;
}

llvm::Expected<ir::Tensor> readNpy(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return npyError(path, "cannot read: " + buffer.getError().message());
  return parseNpy((*buffer)->getBuffer(), path);
}

std::string serializeNpy(const ir::Tensor &tensor) {
  ElemType type = tensor.elemType();
  if (type == ElemType::BF16)
    type = ElemType::U16; // no NumPy dtype: raw bit patterns
  if (type == ElemType::I4)
    type = ElemType::I8;
  if (type == ElemType::U4)
    type = ElemType::U8;
  const char *descr = "<u2";
  for (const DescrRow &row : kDescrs)
    if (row.type == type)
      descr = row.descr;
  std::string shape; // "()", "(4,)", "(2, 3)"
  for (size_t i = 0; i < tensor.rank(); ++i)
    shape += (i ? ", " : "") + std::to_string(tensor.dims()[i]);
  if (tensor.rank() == 1)
    shape += ',';
  std::string header =
      llvm::formatv("{{'descr': '{0}', 'fortran_order': False, 'shape': ({1}), }", descr, shape)
          .str();
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += char(1);
  out += char(0);
  out += char(header.size() & 0xFF);
  out += char(header.size() >> 8);
  out += header;
  out.append(reinterpret_cast<const char *>(tensor.raw()), tensor.byteSize());
  return out;
}

llvm::Error writeNpy(const ir::Tensor &tensor, llvm::StringRef path) {
  return writeFileAtomically(path, serializeNpy(tensor));
}

} // namespace qc::tools
