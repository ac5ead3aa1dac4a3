// Character-level scanning for the IR text parser (whitespace, `//` comments,
// identifiers, quoted strings, numbers, line:col messages), and the literal
// conversions the printer and parser share so constants round-trip exactly.
#pragma once

#include <cstdint>
#include <string>

#include "ir/Tensor.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

namespace qc::ir::text {

/// A numeric literal as written: `-3`, `0.5`, `1e-05`, `inf`, `-nan`.
struct NumberToken {
  llvm::StringRef text;
  size_t pos = 0;
  bool isFloat = false; // has '.', 'e', or is inf/nan
};

class Lexer {
public:
  Lexer(llvm::StringRef buffer, llvm::StringRef bufferName)
      : buffer_(buffer), bufferName_(bufferName) {}

  size_t pos() const { return pos_; }
  bool atEnd() const { return pos_ >= buffer_.size(); }
  /// The character `ahead` places after the cursor, '\0' past the end.
  char peek(size_t ahead = 0) const {
    return pos_ + ahead < buffer_.size() ? buffer_[pos_ + ahead] : '\0';
  }
  void advance(size_t n = 1) {
    pos_ = std::min(buffer_.size(), pos_ + n);
    tokenEnd_ = pos_;
  }
  /// The text between two offsets.
  llvm::StringRef slice(size_t begin, size_t end) const { return buffer_.slice(begin, end); }

  /// Skips whitespace and `//` comments.
  void skipSpace();
  /// Skips space, then consumes `c` if it is next.
  bool consume(char c);
  /// Skips space, then consumes `c` or fails with "expected 'c' <context>"
  /// located right after the previous token.
  llvm::Error expect(char c, llvm::StringRef context = "");
  /// Skips space, then consumes the identifier `word` if it is next (and not
  /// merely a prefix of a longer identifier).
  bool consumeKeyword(llvm::StringRef word);
  /// Skips space, then lexes [A-Za-z_][A-Za-z0-9_]*; empty when none is next.
  llvm::StringRef lexIdentifier();
  /// Skips space, then lexes identifiers joined by dots, as a domain-qualified
  /// op name (`qc.QConv`); empty when none is next.
  llvm::StringRef lexDottedIdentifier();
  /// Lexes a name right after its sigil (`%`, `@`): [A-Za-z0-9_.]+ or a
  /// quoted string. No space is skipped.
  llvm::Expected<std::string> lexName();
  /// Skips space, then lexes a quoted string with escapes (\\ \" \n \t \XX).
  llvm::Expected<std::string> lexString();
  /// Skips space, then lexes a numeric literal.
  llvm::Expected<NumberToken> lexNumber();
  /// Whether a numeric literal starts at the cursor (after space).
  bool atNumber();

  /// "<buffer>:line:col: message" at a byte offset / at the cursor.
  llvm::Error error(size_t at, const llvm::Twine &message) const;
  llvm::Error error(const llvm::Twine &message) const { return error(pos_, message); }
  /// An error just after the last consumed token (for "expected ..." errors,
  /// so they point at the line that lacks something, not the next one).
  llvm::Error errorAfterToken(const llvm::Twine &message) const {
    return error(tokenEnd_, message);
  }

private:
  llvm::StringRef buffer_;
  llvm::StringRef bufferName_;
  size_t pos_ = 0;
  size_t tokenEnd_ = 0; // where the last consumed token ended
};

/// Integer value of an integer literal; false when it is not one or does not
/// fit. Unsigned accepts 0 .. 2^64-1.
bool parseInt64(llvm::StringRef text, int64_t &out);
bool parseUInt64(llvm::StringRef text, uint64_t &out);

/// Stores the float literal `text` (a NumberToken text: decimal, inf, nan,
/// optionally signed) into element i of a float tensor (F32, F64, F16, BF16).
/// F32 converts with strtof, F64 with strtod, F16/BF16 through float. The
/// printer checks its output with this same function.
void storeFloatLiteral(Tensor &t, int64_t i, llvm::StringRef text);

/// Whether `name` can be written without quotes after `%` or `@`.
bool isBareName(llvm::StringRef name);

} // namespace qc::ir::text
