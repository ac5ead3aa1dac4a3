// Printer for the IR text form (grammar: docs/ir-text-format.md). Everything
// printed is read back by ir/Parser.cpp to the same graph, constants bit for bit.
#include "ir/Printer.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "ir/Lexer.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"

namespace qc::ir {

namespace {
/// Tensors with more elements than this print as hex unless they are splats.
constexpr int64_t kMaxDecimalElements = 64;

std::string formatG(int precision, double v) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << llvm::format("%.*g", precision, v);
  return s;
}

/// Appends ".0" to a decimal that would otherwise read as an integer.
std::string markFloat(std::string s) {
  if (s.find_first_of(".eEn") == std::string::npos)
    s += ".0";
  return s;
}

/// The fewest significant digits (up to maxDigits) for which `readsBack`
/// accepts the text, laid out like Python's float repr: fixed notation for
/// decimal exponents in [-4, 16), scientific otherwise. nullopt when no text reads
/// back (a NaN with a payload).
template <typename ReadsBack>
std::optional<std::string> formatShortest(double v, int maxDigits, ReadsBack readsBack) {
  for (int digits = 1; digits <= maxDigits; ++digits) {
    std::string s = formatG(digits, v);
    if (!readsBack(s))
      continue;
    if (!std::isfinite(v) || v == 0)
      return s;
    // %g switches to scientific once the exponent reaches the digit count;
    // below 1e16 pad with zeros instead ("100", not "1e+02"), as repr does.
    std::string sci;
    llvm::raw_string_ostream os(sci);
    os << llvm::format("%.*e", digits - 1, v);
    size_t ePos = sci.find('e');
    int exponent = std::atoi(sci.c_str() + ePos + 1);
    if (exponent >= digits && exponent < 16) {
      std::string fixed = v < 0 ? "-" : "";
      for (char c : llvm::StringRef(sci).take_front(ePos))
        if (llvm::isDigit(c))
          fixed += c;
      return fixed + std::string(size_t(exponent + 1 - digits), '0');
    }
    return s;
  }
  return std::nullopt;
}

/// Decimal text of element i that reads back to the same storage bits, or
/// nullopt when there is none (NaN payloads, invalid int4/bool storage).
std::optional<std::string> formatElement(const Tensor &t, int64_t i) {
  ElemType e = t.elemType();
  size_t bytes = elemTypeStorageBytes(e);
  const std::byte *bits = t.raw() + size_t(i) * bytes;
  if (isFloatType(e)) {
    Tensor scratch(e, {1});
    std::optional<std::string> s =
        formatShortest(t.getDouble(i), 17, [&](const std::string &text) {
          text::storeFloatLiteral(scratch, 0, text);
          return std::memcmp(scratch.raw(), bits, bytes) == 0;
        });
    if (!s)
      return std::nullopt;
    return markFloat(*s);
  }
  switch (e) {
  case ElemType::Bool: {
    uint8_t b = t.data<uint8_t>()[i];
    if (b > 1)
      return std::nullopt;
    return std::string(b ? "true" : "false");
  }
  case ElemType::U64:
    return std::to_string(t.data<uint64_t>()[i]);
  case ElemType::I4:
  case ElemType::U4: {
    int64_t v = t.getInt(i);
    if (v < elemTypeMin(e) || v > elemTypeMax(e))
      return std::nullopt;
    return std::to_string(v);
  }
  default:
    return std::to_string(t.getInt(i));
  }
}

std::string hexData(const Tensor &t) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(t.raw()), t.byteSize());
  return "dense_hex<\"" + llvm::toHex(bytes, /*LowerCase=*/true) + "\">";
}

void printAttrValue(const AttrValue &value, llvm::raw_ostream &os) {
  auto list = [&](const auto &items, auto fmt) {
    os << '[';
    for (size_t i = 0; i < items.size(); ++i)
      os << (i ? ", " : "") << fmt(items[i]);
    os << ']';
  };
  switch (attrKindOf(value)) {
  case AttrKind::Int:
    os << std::get<int64_t>(value);
    return;
  case AttrKind::Float:
    os << formatFloatExact(std::get<float>(value));
    return;
  case AttrKind::String:
    os << quoteString(std::get<std::string>(value));
    return;
  case AttrKind::Ints:
    list(std::get<std::vector<int64_t>>(value), [](int64_t v) { return std::to_string(v); });
    return;
  case AttrKind::Floats:
    list(std::get<std::vector<float>>(value), formatFloatExact);
    return;
  case AttrKind::Strings:
    list(std::get<std::vector<std::string>>(value),
         [](const std::string &s) { return quoteString(s); });
    return;
  case AttrKind::Tensor: {
    const Tensor &t = std::get<Tensor>(value);
    os << formatTensorData(t) << " : " << t.type().str();
    return;
  }
  case AttrKind::Elem:
    os << elemTypeName(std::get<ElemType>(value));
    return;
  }
}

std::string operandText(const Value *v) { return v ? formatValueName(v->name()) : "_"; }

void printNode(const Node &node, llvm::raw_ostream &os, const PrintOptions &options) {
  os << "  ";
  for (size_t i = 0; i < node.numResults(); ++i)
    os << (i ? ", " : "") << formatValueName(node.result(i)->name());
  if (node.numResults())
    os << " = ";
  os << opName(node.kind()) << '(';
  for (size_t i = 0; i < node.numOperands(); ++i)
    os << (i ? ", " : "") << operandText(node.operand(i));
  os << ')';
  if (!node.attrs().empty()) {
    os << " {";
    bool first = true;
    for (const auto &[name, value] : node.attrs()) {
      os << (first ? "" : ", ") << attrNameString(name) << " = ";
      printAttrValue(value, os);
      first = false;
    }
    os << '}';
  }
  if (!node.name().empty())
    os << " name " << quoteString(node.name());
  for (size_t i = 0; i < node.numResults(); ++i)
    os << (i ? ", " : " : ") << node.result(i)->type().str();
  // A comment runs to the end of the line: the remark must stay on one.
  if (options.remarks && !node.remark().empty()) {
    std::string remark = node.remark();
    std::replace(remark.begin(), remark.end(), '\n', ' ');
    os << "  // remark: " << remark;
  }
  os << '\n';
}
} // namespace

void printGraph(const Graph &graph, llvm::raw_ostream &os, const PrintOptions &options) {
  os << "graph @"
     << (text::isBareName(graph.name()) ? graph.name() : quoteString(graph.name())) << '(';
  for (size_t i = 0; i < graph.inputs().size(); ++i) {
    const Value *v = graph.inputs()[i];
    os << (i ? ", " : "") << formatValueName(v->name()) << ": " << v->type().str();
  }
  os << ") {\n";
  for (const auto &[domain, version] : graph.opsets())
    os << "  opset " << quoteString(domain) << ' ' << version << '\n';
  for (const Value *c : graph.constants())
    os << "  " << formatValueName(c->name()) << " = const "
       << formatTensorData(*c->constant()) << " : " << c->type().str() << '\n';
  for (const Node *node : graph.nodes())
    printNode(*node, os, options);
  os << "  return";
  for (size_t i = 0; i < graph.outputs().size(); ++i)
    os << (i ? ", " : " ") << operandText(graph.outputs()[i]);
  os << "\n}\n";
}

std::string printGraph(const Graph &graph, const PrintOptions &options) {
  std::string s;
  llvm::raw_string_ostream os(s);
  printGraph(graph, os, options);
  return s;
}

std::string formatDoubleExact(double v) {
  std::optional<std::string> s = formatShortest(v, 17, [&](const std::string &text) {
    double back = std::strtod(text.c_str(), nullptr);
    return std::memcmp(&back, &v, sizeof v) == 0;
  });
  return s ? *s : formatG(17, v); // a NaN with a payload: "nan" is the closest
}

std::string formatFloatShortest(float v) {
  std::optional<std::string> s = formatShortest(v, 9, [&](const std::string &text) {
    float back = std::strtof(text.c_str(), nullptr);
    return std::memcmp(&back, &v, sizeof v) == 0;
  });
  return s ? *s : formatG(9, v); // NaN payload: "nan" is the closest
}

std::string formatFloatExact(float v) { return markFloat(formatFloatShortest(v)); }

std::string quoteString(llvm::StringRef s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
    case '\\': out += "\\\\"; break;
    case '"': out += "\\\""; break;
    case '\n': out += "\\n"; break;
    case '\t': out += "\\t"; break;
    default:
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        out += '\\';
        out += llvm::hexdigit(static_cast<unsigned char>(c) >> 4);
        out += llvm::hexdigit(static_cast<unsigned char>(c) & 0xF);
      } else {
        out += c;
      }
    }
  }
  return out + "\"";
}

std::string formatSymbolName(llvm::StringRef name) {
  bool bare = !name.empty() && (llvm::isAlpha(name[0]) || name[0] == '_');
  for (char c : name)
    bare &= (llvm::isAlnum(c) || c == '_') && c != 'x';
  return bare ? name.str() : quoteString(name);
}

std::string formatValueName(llvm::StringRef name) {
  return "%" + (text::isBareName(name) ? name.str() : quoteString(name));
}

std::string formatTensorData(const Tensor &t) {
  int64_t n = t.numElements();
  size_t bytes = elemTypeStorageBytes(t.elemType());
  bool splat = n > 1;
  for (int64_t i = 1; splat && i < n; ++i)
    splat = std::memcmp(t.raw(), t.raw() + size_t(i) * bytes, bytes) == 0;
  if (t.rank() == 0 || splat) {
    if (std::optional<std::string> s = formatElement(t, 0))
      return "dense<" + *s + ">";
    return hexData(t);
  }
  if (n > kMaxDecimalElements)
    return hexData(t);
  std::string out = "dense<[";
  for (int64_t i = 0; i < n; ++i) {
    std::optional<std::string> s = formatElement(t, i);
    if (!s)
      return hexData(t);
    out += (i ? ", " : "") + *s;
  }
  return out + "]>";
}

} // namespace qc::ir
