// Scanning primitives of the IR text form and the shared literal conversions.
#include "ir/Lexer.h"

#include <cstdlib>

#include "llvm/ADT/StringExtras.h"

namespace qc::ir::text {

namespace {
bool isIdentStart(char c) { return llvm::isAlpha(c) || c == '_'; }
bool isIdentChar(char c) { return llvm::isAlnum(c) || c == '_'; }
bool isNameChar(char c) { return llvm::isAlnum(c) || c == '_' || c == '.'; }
} // namespace

void Lexer::skipSpace() {
  while (!atEnd()) {
    char c = peek();
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++pos_; // not advance(): space is not a token
    } else if (c == '/' && peek(1) == '/') {
      while (!atEnd() && peek() != '\n')
        ++pos_;
    } else {
      return;
    }
  }
}

bool Lexer::consume(char c) {
  skipSpace();
  if (peek() != c || atEnd())
    return false;
  advance();
  return true;
}

llvm::Error Lexer::expect(char c, llvm::StringRef context) {
  if (consume(c))
    return llvm::Error::success();
  std::string what = "expected '" + std::string(1, c) + "'";
  if (!context.empty())
    what += " " + context.str();
  return errorAfterToken(what);
}

bool Lexer::consumeKeyword(llvm::StringRef word) {
  skipSpace();
  llvm::StringRef rest = buffer_.substr(pos_);
  if (!rest.starts_with(word) || isIdentChar(rest.size() > word.size() ? rest[word.size()] : '\0'))
    return false;
  advance(word.size());
  return true;
}

llvm::StringRef Lexer::lexIdentifier() {
  skipSpace();
  if (!isIdentStart(peek()))
    return {};
  size_t start = pos_;
  while (isIdentChar(peek()) && !atEnd())
    advance();
  return buffer_.slice(start, pos_);
}

llvm::StringRef Lexer::lexDottedIdentifier() {
  llvm::StringRef first = lexIdentifier();
  if (first.empty())
    return {};
  size_t start = pos_ - first.size();
  while (peek() == '.' && isIdentStart(peek(1))) {
    advance();
    lexIdentifier();
  }
  return buffer_.slice(start, pos_);
}

llvm::Expected<std::string> Lexer::lexName() {
  if (peek() == '"')
    return lexString();
  size_t start = pos_;
  while (!atEnd() && isNameChar(peek()))
    advance();
  if (start == pos_)
    return error("expected a name ([A-Za-z0-9_.]+ or a quoted string)");
  return buffer_.slice(start, pos_).str();
}

llvm::Expected<std::string> Lexer::lexString() {
  skipSpace();
  if (peek() != '"')
    return error("expected a quoted string");
  size_t start = pos_;
  advance();
  std::string out;
  while (true) {
    if (atEnd() || peek() == '\n')
      return error(start, "unterminated string");
    char c = peek();
    advance();
    if (c == '"')
      return out;
    if (c != '\\') {
      out += c;
      continue;
    }
    char e = peek();
    if (e == '\\' || e == '"') {
      out += e;
      advance();
    } else if (e == 'n') {
      out += '\n';
      advance();
    } else if (e == 't') {
      out += '\t';
      advance();
    } else if (llvm::isHexDigit(e) && llvm::isHexDigit(peek(1))) {
      out += char(llvm::hexFromNibbles(e, peek(1)));
      advance(2);
    } else {
      return error(pos_ - 1, "unknown escape in string (use \\\\, \\\", \\n, \\t or \\XX)");
    }
  }
}

bool Lexer::atNumber() {
  skipSpace();
  size_t i = 0;
  if (peek() == '-' || peek() == '+')
    ++i;
  char c = peek(i);
  if (llvm::isDigit(c) || (c == '.' && llvm::isDigit(peek(i + 1))))
    return true;
  llvm::StringRef rest = buffer_.substr(pos_ + i);
  return (rest.starts_with("inf") || rest.starts_with("nan")) &&
         !isIdentChar(rest.size() > 3 ? rest[3] : '\0');
}

llvm::Expected<NumberToken> Lexer::lexNumber() {
  skipSpace();
  if (!atNumber())
    return error("expected a number");
  NumberToken tok;
  tok.pos = pos_;
  size_t start = pos_;
  if (peek() == '-' || peek() == '+')
    advance();
  if (peek() == 'i' || peek() == 'n') { // inf / nan, checked by atNumber
    advance(3);
    tok.isFloat = true;
    tok.text = buffer_.slice(start, pos_);
    return tok;
  }
  while (llvm::isDigit(peek()))
    advance();
  if (peek() == '.') {
    tok.isFloat = true;
    advance();
    while (llvm::isDigit(peek()))
      advance();
  }
  if (peek() == 'e' || peek() == 'E') {
    size_t digits = (peek(1) == '+' || peek(1) == '-') ? 2 : 1;
    if (!llvm::isDigit(peek(digits)))
      return error("malformed exponent in number");
    tok.isFloat = true;
    advance(digits);
    while (llvm::isDigit(peek()))
      advance();
  }
  if (isIdentChar(peek()) || peek() == '.')
    return error(start, "malformed number '" + buffer_.slice(start, pos_ + 1) + "'");
  tok.text = buffer_.slice(start, pos_);
  return tok;
}

llvm::Error Lexer::error(size_t at, const llvm::Twine &message) const {
  at = std::min(at, buffer_.size());
  size_t line = 1, lineStart = 0;
  for (size_t i = 0; i < at; ++i)
    if (buffer_[i] == '\n') {
      ++line;
      lineStart = i + 1;
    }
  size_t col = at - lineStart + 1;
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 bufferName_ + ":" + llvm::Twine(line) + ":" +
                                     llvm::Twine(col) + ": " + message);
}

bool parseInt64(llvm::StringRef text, int64_t &out) {
  text.consume_front("+");
  if (text.empty() || text.contains_insensitive("e") || text.contains('.'))
    return false;
  return !text.getAsInteger(10, out);
}

bool parseUInt64(llvm::StringRef text, uint64_t &out) {
  text.consume_front("+");
  if (text.empty() || text.starts_with("-") || text.contains_insensitive("e") ||
      text.contains('.'))
    return false;
  return !text.getAsInteger(10, out);
}

void storeFloatLiteral(Tensor &t, int64_t i, llvm::StringRef text) {
  std::string s = text.str();
  switch (t.elemType()) {
  case ElemType::F64:
    t.data<double>()[i] = std::strtod(s.c_str(), nullptr);
    return;
  case ElemType::F32:
    t.data<float>()[i] = std::strtof(s.c_str(), nullptr);
    return;
  case ElemType::F16:
    t.data<uint16_t>()[i] = floatToHalf(std::strtof(s.c_str(), nullptr));
    return;
  case ElemType::BF16:
    t.data<uint16_t>()[i] = floatToBf16(std::strtof(s.c_str(), nullptr));
    return;
  default:
    assert(false && "storeFloatLiteral on a non-float tensor");
  }
}

bool isBareName(llvm::StringRef name) {
  if (name.empty())
    return false;
  for (char c : name)
    if (!isNameChar(c))
      return false;
  return true;
}

} // namespace qc::ir::text
