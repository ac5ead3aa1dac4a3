// Parser for the IR text form (grammar: docs/ir-text-format.md). Checks the
// syntax, names (defined before use, never twice), types, and attributes
// against the op tables; arity and type consistency are the verifier's job.
#include "ir/Parser.h"

#include <cstdlib>
#include <cstring>
#include <set>

#include "ir/Lexer.h"
#include "ir/Printer.h"
#include "llvm/ADT/StringExtras.h"

namespace qc::ir {

namespace {

using text::Lexer;
using text::NumberToken;

/// One element of a constant as written: a number, `true` or `false`.
struct ElementToken {
  size_t pos = 0;
  std::string text;
  bool isNumber = true;
  bool isFloat = false;
};

/// A constant's data as written; it becomes a Tensor once its type is read.
struct DataLiteral {
  enum Form { Splat, List, Hex } form = List;
  std::vector<ElementToken> elements; // Splat: exactly one
  std::string hex;
  size_t hexPos = 0;
};

/// Constants with more elements than this (2^28) are rejected as malformed.
constexpr int64_t kMaxConstantElements = int64_t(1) << 28;

struct ResultName {
  std::string name;
  size_t pos;
};

llvm::StringRef kindPhrase(AttrKind kind) {
  switch (kind) {
  case AttrKind::Int: return "an int";
  case AttrKind::Float: return "a float";
  case AttrKind::String: return "a string";
  case AttrKind::Ints: return "a list of ints";
  case AttrKind::Floats: return "a list of floats";
  case AttrKind::Strings: return "a list of strings";
  case AttrKind::Tensor: return "a tensor (dense<...> : tensor<...>)";
  case AttrKind::Elem: return "an element type (e.g. i8)";
  }
  return "a value";
}

class Parser {
public:
  Parser(llvm::StringRef text, llvm::StringRef bufferName) : lex_(text, bufferName) {}
  llvm::Expected<std::unique_ptr<Graph>> run();

private:
  llvm::Error parseHeader();
  llvm::Error parseBody();
  llvm::Error parseOpset();
  llvm::Error parseReturn();
  llvm::Error parseDefinition();
  llvm::Error parseConstant(const ResultName &result);
  llvm::Error parseNode(llvm::StringRef opText, size_t opPos,
                        const std::vector<ResultName> &results);
  llvm::Error parseAttrs(OpKind op, std::vector<std::pair<AttrName, AttrValue>> &attrs);
  llvm::Expected<AttrValue> parseAttrValue(OpKind op, AttrName name, AttrKind kind);
  llvm::Expected<ResultName> parseNewValueName();
  llvm::Expected<Value *> parseValueRef(bool allowAbsent);

  llvm::Expected<Type> parseType();
  llvm::Error parseDims(Type &type);
  llvm::Expected<QuantParams> parseQuant();
  llvm::Expected<DataLiteral> parseDataLiteral();
  llvm::Expected<ElementToken> parseElement();
  llvm::Expected<Tensor> buildTensor(const DataLiteral &data, const Type &type,
                                     size_t typePos);
  llvm::Error storeElement(Tensor &t, int64_t i, const ElementToken &tok);

  Lexer lex_;
  std::unique_ptr<Graph> graph_ = std::make_unique<Graph>();
};

llvm::Expected<std::unique_ptr<Graph>> Parser::run() {
  if (llvm::Error e = parseHeader())
    return e;
  if (llvm::Error e = parseBody())
    return e;
  lex_.skipSpace();
  if (!lex_.atEnd())
    return lex_.error("unexpected text after the graph");
  return std::move(graph_);
}

// graph @name(%in: type, ...) {
llvm::Error Parser::parseHeader() {
  if (!lex_.consumeKeyword("graph"))
    return lex_.error("expected 'graph'");
  if (!lex_.consume('@'))
    return lex_.error("expected '@' and the graph name");
  llvm::Expected<std::string> name = lex_.lexName();
  if (!name)
    return name.takeError();
  graph_->setName(*name);
  if (llvm::Error e = lex_.expect('(', "before the graph inputs"))
    return e;
  if (!lex_.consume(')')) {
    do {
      llvm::Expected<ResultName> input = parseNewValueName();
      if (!input)
        return input.takeError();
      if (llvm::Error e = lex_.expect(':', "after the input name"))
        return e;
      llvm::Expected<Type> type = parseType();
      if (!type)
        return type.takeError();
      graph_->addInput(input->name, std::move(*type));
    } while (lex_.consume(','));
    if (llvm::Error e = lex_.expect(')', "after the graph inputs"))
      return e;
  }
  return lex_.expect('{', "to open the graph body");
}

// Statements up to and including `return ... }`.
llvm::Error Parser::parseBody() {
  while (true) {
    lex_.skipSpace();
    if (lex_.atEnd())
      return lex_.error("unexpected end of input: expected 'return'");
    if (lex_.peek() == '%') {
      if (llvm::Error e = parseDefinition())
        return e;
      continue;
    }
    size_t pos = lex_.pos();
    llvm::StringRef word = lex_.lexIdentifier();
    if (word == "opset") {
      if (llvm::Error e = parseOpset())
        return e;
    } else if (word == "return") {
      return parseReturn();
    } else if (!word.empty()) {
      if (llvm::Error e = parseNode(word, pos, {}))
        return e;
    } else {
      return lex_.error("expected a statement (%name = ..., an op, 'opset' or 'return')");
    }
  }
}

// opset "domain" version
llvm::Error Parser::parseOpset() {
  lex_.skipSpace();
  size_t pos = lex_.pos();
  llvm::Expected<std::string> domain = lex_.lexString();
  if (!domain)
    return domain.takeError();
  llvm::Expected<NumberToken> version = lex_.lexNumber();
  if (!version)
    return version.takeError();
  int64_t v;
  if (!text::parseInt64(version->text, v))
    return lex_.error(version->pos, "opset version must be an integer");
  if (!graph_->opsets().emplace(*domain, v).second)
    return lex_.error(pos, "opset for domain " + quoteString(*domain) + " given twice");
  return llvm::Error::success();
}

// return %a, %b }
llvm::Error Parser::parseReturn() {
  lex_.skipSpace();
  if (lex_.peek() == '%') {
    do {
      llvm::Expected<Value *> v = parseValueRef(/*allowAbsent=*/false);
      if (!v)
        return v.takeError();
      graph_->addOutput(*v);
    } while (lex_.consume(','));
  }
  return lex_.expect('}', "after 'return' (it must be the last statement)");
}

// %a, %b = Op(...) ...   or   %c = const dense<...> : type
llvm::Error Parser::parseDefinition() {
  std::vector<ResultName> results;
  std::set<std::string> seen;
  do {
    llvm::Expected<ResultName> r = parseNewValueName();
    if (!r)
      return r.takeError();
    if (!seen.insert(r->name).second)
      return lex_.error(r->pos, "value %" + r->name + " is defined twice");
    results.push_back(std::move(*r));
  } while (lex_.consume(','));
  if (llvm::Error e = lex_.expect('=', "after the result names"))
    return e;
  lex_.skipSpace();
  size_t pos = lex_.pos();
  if (lex_.consumeKeyword("const")) {
    if (results.size() != 1)
      return lex_.error(results[1].pos, "a constant defines exactly one value");
    return parseConstant(results[0]);
  }
  llvm::StringRef op = lex_.lexDottedIdentifier();
  if (op.empty())
    return lex_.error("expected an op name or 'const'");
  return parseNode(op, pos, results);
}

llvm::Error Parser::parseConstant(const ResultName &result) {
  llvm::Expected<DataLiteral> data = parseDataLiteral();
  if (!data)
    return data.takeError();
  if (llvm::Error e = lex_.expect(':', "before the constant's type"))
    return e;
  lex_.skipSpace();
  size_t typePos = lex_.pos();
  llvm::Expected<Type> type = parseType();
  if (!type)
    return type.takeError();
  llvm::Expected<Tensor> tensor = buildTensor(*data, *type, typePos);
  if (!tensor)
    return tensor.takeError();
  Value *v = graph_->addConstant(result.name, std::move(*tensor));
  if (type->quant)
    v->setType(std::move(*type));
  return llvm::Error::success();
}

// Op(%x, _, %y) {attr = value, ...} name "n" : type, type
llvm::Error Parser::parseNode(llvm::StringRef opText, size_t opPos,
                              const std::vector<ResultName> &results) {
  std::optional<OpKind> kind = lookupOp(opText);
  if (!kind)
    return lex_.error(opPos, "unknown op '" + opText + "'");
  if (llvm::Error e = lex_.expect('(', "after the op name"))
    return e;
  std::vector<Value *> operands;
  if (!lex_.consume(')')) {
    do {
      llvm::Expected<Value *> v = parseValueRef(/*allowAbsent=*/true);
      if (!v)
        return v.takeError();
      operands.push_back(*v);
    } while (lex_.consume(','));
    if (llvm::Error e = lex_.expect(')', "after the operands"))
      return e;
  }

  std::vector<std::pair<AttrName, AttrValue>> attrs;
  std::optional<std::string> nodeName;
  bool sawAttrs = false;
  while (true) {
    lex_.skipSpace();
    if (lex_.peek() == '{' && !sawAttrs) {
      sawAttrs = true;
      if (llvm::Error e = parseAttrs(*kind, attrs))
        return e;
    } else if (!nodeName && lex_.consumeKeyword("name")) {
      llvm::Expected<std::string> n = lex_.lexString();
      if (!n)
        return n.takeError();
      nodeName = std::move(*n);
    } else {
      break;
    }
  }

  std::vector<std::pair<std::string, Type>> resultTypes;
  if (lex_.consume(':')) {
    do {
      lex_.skipSpace();
      size_t typePos = lex_.pos();
      if (resultTypes.size() == results.size())
        return lex_.error(typePos, llvm::Twine(opText) + " has " +
                                       llvm::Twine(results.size()) +
                                       " results but more result types are given");
      llvm::Expected<Type> type = parseType();
      if (!type)
        return type.takeError();
      resultTypes.emplace_back(results[resultTypes.size()].name, std::move(*type));
    } while (lex_.consume(','));
  }
  if (resultTypes.size() != results.size())
    return lex_.errorAfterToken(llvm::Twine(opText) + " has " + llvm::Twine(results.size()) +
                      " results but " + llvm::Twine(resultTypes.size()) +
                      " result types are given");

  Node *node = graph_->createNode(*kind, operands, resultTypes);
  for (auto &[name, value] : attrs)
    node->setAttr(name, std::move(value));
  if (nodeName)
    node->setName(std::move(*nodeName));
  return llvm::Error::success();
}

// {name = value, ...}; names and kinds checked against OpAttrs.def.
llvm::Error Parser::parseAttrs(OpKind op,
                               std::vector<std::pair<AttrName, AttrValue>> &attrs) {
  if (llvm::Error e = lex_.expect('{'))
    return e;
  if (lex_.consume('}'))
    return llvm::Error::success();
  do {
    lex_.skipSpace();
    size_t pos = lex_.pos();
    llvm::StringRef word = lex_.lexIdentifier();
    if (word.empty())
      return lex_.error("expected an attribute name");
    std::optional<AttrName> name = lookupAttrName(word);
    const AttrSchema *schema = name ? findAttrSchema(op, *name) : nullptr;
    if (!schema)
      return lex_.error(pos, "op " + opName(op) + " has no attribute '" + word + "'");
    for (const auto &a : attrs)
      if (a.first == *name)
        return lex_.error(pos, "attribute '" + word + "' given twice");
    if (llvm::Error e = lex_.expect('=', "after the attribute name"))
      return e;
    llvm::Expected<AttrValue> value = parseAttrValue(op, *name, schema->kind);
    if (!value)
      return value.takeError();
    attrs.emplace_back(*name, std::move(*value));
  } while (lex_.consume(','));
  return lex_.expect('}', "after the attributes");
}

llvm::Expected<AttrValue> Parser::parseAttrValue(OpKind op, AttrName name, AttrKind kind) {
  lex_.skipSpace();
  size_t pos = lex_.pos();
  auto mismatch = [&] {
    return lex_.error(pos, "attribute '" + attrNameString(name) + "' of " + opName(op) +
                               " expects " + kindPhrase(kind));
  };
  auto parseInt = [&]() -> llvm::Expected<int64_t> {
    if (!lex_.atNumber())
      return mismatch();
    llvm::Expected<NumberToken> tok = lex_.lexNumber();
    if (!tok)
      return tok.takeError();
    int64_t v;
    if (!text::parseInt64(tok->text, v))
      return tok->isFloat ? mismatch() : lex_.error(tok->pos, "integer out of range");
    return v;
  };
  auto parseFloat = [&]() -> llvm::Expected<float> {
    if (!lex_.atNumber())
      return mismatch();
    llvm::Expected<NumberToken> tok = lex_.lexNumber();
    if (!tok)
      return tok.takeError();
    Tensor scratch(ElemType::F32, {1});
    text::storeFloatLiteral(scratch, 0, tok->text);
    return scratch.data<float>()[0];
  };
  auto parseString = [&]() -> llvm::Expected<std::string> {
    lex_.skipSpace();
    if (lex_.peek() != '"')
      return mismatch();
    return lex_.lexString();
  };
  // '[' item (',' item)* ']' or '[]'.
  auto parseList = [&](auto parseItem, auto &out) -> llvm::Error {
    if (!lex_.consume('['))
      return mismatch();
    if (lex_.consume(']'))
      return llvm::Error::success();
    do {
      auto item = parseItem();
      if (!item)
        return item.takeError();
      out.push_back(std::move(*item));
    } while (lex_.consume(','));
    return lex_.expect(']', "to close the list");
  };

  switch (kind) {
  case AttrKind::Int: {
    llvm::Expected<int64_t> v = parseInt();
    if (!v)
      return v.takeError();
    return AttrValue(*v);
  }
  case AttrKind::Float: {
    llvm::Expected<float> v = parseFloat();
    if (!v)
      return v.takeError();
    return AttrValue(*v);
  }
  case AttrKind::String: {
    llvm::Expected<std::string> v = parseString();
    if (!v)
      return v.takeError();
    return AttrValue(std::move(*v));
  }
  case AttrKind::Ints: {
    std::vector<int64_t> v;
    if (llvm::Error e = parseList(parseInt, v))
      return e;
    return AttrValue(std::move(v));
  }
  case AttrKind::Floats: {
    std::vector<float> v;
    if (llvm::Error e = parseList(parseFloat, v))
      return e;
    return AttrValue(std::move(v));
  }
  case AttrKind::Strings: {
    std::vector<std::string> v;
    if (llvm::Error e = parseList(parseString, v))
      return e;
    return AttrValue(std::move(v));
  }
  case AttrKind::Tensor: {
    if (lex_.peek() != 'd')
      return mismatch();
    llvm::Expected<DataLiteral> data = parseDataLiteral();
    if (!data)
      return data.takeError();
    if (llvm::Error e = lex_.expect(':', "before the tensor's type"))
      return e;
    lex_.skipSpace();
    size_t typePos = lex_.pos();
    llvm::Expected<Type> type = parseType();
    if (!type)
      return type.takeError();
    if (type->quant)
      return lex_.error(typePos, "a tensor attribute cannot have a quantized type");
    llvm::Expected<Tensor> t = buildTensor(*data, *type, typePos);
    if (!t)
      return t.takeError();
    return AttrValue(std::move(*t));
  }
  case AttrKind::Elem: {
    llvm::StringRef word = lex_.lexIdentifier();
    if (word.empty())
      return mismatch();
    std::optional<ElemType> e = parseElemType(word);
    if (!e)
      return lex_.error(pos, "unknown element type '" + word + "'");
    return AttrValue(*e);
  }
  }
  return mismatch();
}

// %name of a value being defined: must not exist yet.
llvm::Expected<ResultName> Parser::parseNewValueName() {
  if (!lex_.consume('%'))
    return lex_.error("expected a value name (%name)");
  size_t pos = lex_.pos() - 1;
  llvm::Expected<std::string> name = lex_.lexName();
  if (!name)
    return name.takeError();
  if (graph_->findValue(*name))
    return lex_.error(pos, "value %" + *name + " is defined twice");
  return ResultName{std::move(*name), pos};
}

// %name of a defined value, or `_` for an absent optional operand.
llvm::Expected<Value *> Parser::parseValueRef(bool allowAbsent) {
  lex_.skipSpace();
  size_t pos = lex_.pos();
  if (allowAbsent && lex_.consumeKeyword("_"))
    return nullptr;
  if (!lex_.consume('%'))
    return lex_.error(allowAbsent ? "expected an operand (%name or _)"
                                  : "expected a value (%name)");
  llvm::Expected<std::string> name = lex_.lexName();
  if (!name)
    return name.takeError();
  Value *v = graph_->findValue(*name);
  if (!v)
    return lex_.error(pos, "undefined value %" + *name);
  return v;
}

// tensor<dims x elem [, quant<...>]>
llvm::Expected<Type> Parser::parseType() {
  if (!lex_.consumeKeyword("tensor"))
    return lex_.error("expected a type like tensor<2x3xf32>");
  if (lex_.peek() != '<')
    return lex_.error("expected '<' after 'tensor'");
  lex_.advance();
  Type type;
  if (llvm::Error e = parseDims(type))
    return e;
  if (lex_.consume(',')) {
    llvm::Expected<QuantParams> quant = parseQuant();
    if (!quant)
      return quant.takeError();
    type.quant = std::move(*quant);
  }
  if (llvm::Error e = lex_.expect('>', "to close the type"))
    return e;
  return type;
}

// The shape and element type, written without spaces: `1xNx?xf32`, `*xi8`,
// `f32`, `"max_len"x4xf32` (symbols with an 'x' or other characters quoted).
llvm::Error Parser::parseDims(Type &type) {
  std::vector<Dim> dims;
  bool ranked = true;
  if (lex_.peek() == '*') {
    lex_.advance();
    if (lex_.peek() != 'x')
      return lex_.error("expected 'x' after '*'");
    lex_.advance();
    ranked = false;
  }
  auto expectX = [&]() -> llvm::Error {
    if (lex_.peek() != 'x')
      return lex_.error("expected 'x' after a dimension");
    lex_.advance();
    return llvm::Error::success();
  };
  while (true) {
    size_t pos = lex_.pos();
    char c = lex_.peek();
    if (c == '"') {
      llvm::Expected<std::string> symbol = lex_.lexString();
      if (!symbol)
        return symbol.takeError();
      if (symbol->empty())
        return lex_.error(pos, "empty dimension name (use ? for an unknown dimension)");
      dims.push_back(Dim::symbol(std::move(*symbol)));
      if (llvm::Error e = expectX())
        return e;
      continue;
    }
    if (c == '?') {
      lex_.advance();
      dims.push_back(Dim::unknown());
      if (llvm::Error e = expectX())
        return e;
      continue;
    }
    while ((llvm::isAlnum(lex_.peek()) || lex_.peek() == '_') && lex_.peek() != 'x')
      lex_.advance();
    llvm::StringRef word = lex_.slice(pos, lex_.pos());
    if (word.empty())
      return lex_.error(pos, "expected a dimension or an element type");
    if (lex_.peek() == 'x') {
      lex_.advance();
      if (llvm::isDigit(word[0])) {
        int64_t extent;
        if (!text::parseInt64(word, extent))
          return lex_.error(pos, "malformed dimension '" + word + "'");
        dims.emplace_back(extent);
      } else {
        dims.push_back(Dim::symbol(word.str()));
      }
      continue;
    }
    std::optional<ElemType> elem = parseElemType(word);
    if (!elem)
      return lex_.error(pos, "unknown element type '" + word + "'");
    if (!ranked && !dims.empty())
      return lex_.error(pos, "an unranked type (*) has no dimensions");
    type.elem = *elem;
    type.shape = ranked ? Shape(std::move(dims)) : Shape::unranked();
    return llvm::Error::success();
  }
}

// quant<axis=A, block=B, scale=S or [S, ...], zp=Z or [Z, ...]>
llvm::Expected<QuantParams> Parser::parseQuant() {
  if (!lex_.consumeKeyword("quant"))
    return lex_.error("expected 'quant<...>' after ',' in a type");
  if (llvm::Error e = lex_.expect('<', "after 'quant'"))
    return e;
  QuantParams q;
  std::set<std::string> seen;
  auto parseNumbers = [&](bool integers, auto store) -> llvm::Error {
    bool list = lex_.consume('[');
    if (list && lex_.consume(']'))
      return llvm::Error::success();
    do {
      llvm::Expected<NumberToken> tok = lex_.lexNumber();
      if (!tok)
        return tok.takeError();
      if (integers) {
        int64_t v;
        if (!text::parseInt64(tok->text, v))
          return lex_.error(tok->pos, "expected an integer");
        store(double(0), v);
      } else {
        store(std::strtod(tok->text.str().c_str(), nullptr), int64_t(0));
      }
    } while (list && lex_.consume(','));
    return list ? lex_.expect(']', "to close the list") : llvm::Error::success();
  };
  do {
    lex_.skipSpace();
    size_t pos = lex_.pos();
    llvm::StringRef key = lex_.lexIdentifier();
    if (key != "axis" && key != "block" && key != "scale" && key != "zp")
      return lex_.error(pos, "expected axis=, block=, scale= or zp= in quant<...>");
    if (!seen.insert(key.str()).second)
      return lex_.error(pos, "'" + key + "' given twice in quant<...>");
    if (llvm::Error e = lex_.expect('=', "after '" + key.str() + "'"))
      return e;
    llvm::Error e = llvm::Error::success();
    if (key == "axis" || key == "block") {
      int64_t v = 0;
      e = parseNumbers(true, [&](double, int64_t i) { v = i; });
      if (key == "axis")
        q.axis = v;
      else
        q.blockSize = v;
    } else if (key == "scale") {
      // Scales are fp32 values (ir/Type.h): "0.02" reads as float(0.02).
      e = parseNumbers(false, [&](double d, int64_t) { q.scales.push_back(double(float(d))); });
    } else {
      e = parseNumbers(true, [&](double, int64_t i) { q.zeroPoints.push_back(i); });
    }
    if (e)
      return e;
  } while (lex_.consume(','));
  if (!seen.count("scale") || !seen.count("zp"))
    return lex_.error("quant<...> needs scale= and zp=");
  if (llvm::Error e = lex_.expect('>', "to close quant<...>"))
    return e;
  return q;
}

// dense<elem> (splat or scalar), dense<[elem, ...]>, dense_hex<"bytes">
llvm::Expected<DataLiteral> Parser::parseDataLiteral() {
  DataLiteral data;
  if (lex_.consumeKeyword("dense_hex")) {
    if (llvm::Error e = lex_.expect('<', "after 'dense_hex'"))
      return e;
    lex_.skipSpace();
    data.form = DataLiteral::Hex;
    data.hexPos = lex_.pos();
    llvm::Expected<std::string> hex = lex_.lexString();
    if (!hex)
      return hex.takeError();
    data.hex = std::move(*hex);
  } else if (lex_.consumeKeyword("dense")) {
    if (llvm::Error e = lex_.expect('<', "after 'dense'"))
      return e;
    if (lex_.consume('[')) {
      data.form = DataLiteral::List;
      if (!lex_.consume(']')) {
        do {
          llvm::Expected<ElementToken> tok = parseElement();
          if (!tok)
            return tok.takeError();
          data.elements.push_back(std::move(*tok));
        } while (lex_.consume(','));
        if (llvm::Error e = lex_.expect(']', "to close the element list"))
          return e;
      }
    } else {
      data.form = DataLiteral::Splat;
      llvm::Expected<ElementToken> tok = parseElement();
      if (!tok)
        return tok.takeError();
      data.elements.push_back(std::move(*tok));
    }
  } else {
    return lex_.error("expected dense<...> or dense_hex<\"...\">");
  }
  if (llvm::Error e = lex_.expect('>', "to close the constant data"))
    return e;
  return data;
}

llvm::Expected<ElementToken> Parser::parseElement() {
  lex_.skipSpace();
  ElementToken tok;
  tok.pos = lex_.pos();
  if (lex_.consumeKeyword("true") || lex_.consumeKeyword("false")) {
    tok.isNumber = false;
    tok.text = lex_.slice(tok.pos, lex_.pos()).str();
    return tok;
  }
  llvm::Expected<NumberToken> num = lex_.lexNumber();
  if (!num)
    return num.takeError();
  tok.text = num->text.str();
  tok.isFloat = num->isFloat;
  return tok;
}

llvm::Expected<Tensor> Parser::buildTensor(const DataLiteral &data, const Type &type,
                                           size_t typePos) {
  if (!type.shape.isStatic())
    return lex_.error(typePos, "constant type " + type.str() + " must have a static shape");
  // Size the data before allocating it: a typo in a dim must not exhaust memory.
  int64_t n = 1;
  for (int64_t d : type.shape.staticDims())
    if (__builtin_mul_overflow(n, d, &n) || n > kMaxConstantElements)
      return lex_.error(typePos, "constant type " + type.str() + " is too large");
  if (data.form == DataLiteral::List && int64_t(data.elements.size()) != n)
    return lex_.error(typePos, "constant has " + llvm::Twine(data.elements.size()) +
                                   " values but " + type.str() + " has " + llvm::Twine(n) +
                                   " elements");
  if (data.form == DataLiteral::Hex) {
    if (data.hex.size() % 2 || !llvm::all_of(data.hex, llvm::isHexDigit))
      return lex_.error(data.hexPos, "dense_hex data must be an even number of hex digits");
    uint64_t bytes = uint64_t(n) * elemTypeStorageBytes(type.elem);
    if (data.hex.size() / 2 != bytes)
      return lex_.error(data.hexPos, "dense_hex data has " + llvm::Twine(data.hex.size() / 2) +
                                         " bytes but " + type.str() + " needs " +
                                         llvm::Twine(bytes));
  }
  Tensor t(type.elem, type.shape.staticDims());
  switch (data.form) {
  case DataLiteral::Hex: {
    std::string bytes = llvm::fromHex(data.hex);
    std::memcpy(t.raw(), bytes.data(), bytes.size());
    // Sub-byte and bool storage must hold valid values (one element a byte).
    if (type.elem == ElemType::I4 || type.elem == ElemType::U4 || type.elem == ElemType::Bool)
      for (int64_t i = 0; i < n; ++i) {
        int64_t v = t.getInt(i);
        if (v < elemTypeMin(type.elem) || v > elemTypeMax(type.elem))
          return lex_.error(data.hexPos, "dense_hex element " + llvm::Twine(i) + " (" +
                                             llvm::Twine(v) + ") is out of range for " +
                                             elemTypeName(type.elem));
      }
    return t;
  }
  case DataLiteral::Splat:
    for (int64_t i = 0; i < n; ++i)
      if (llvm::Error e = storeElement(t, i, data.elements[0]))
        return e;
    if (n == 0) { // still check the literal against the type
      Tensor one(type.elem, {1});
      if (llvm::Error e = storeElement(one, 0, data.elements[0]))
        return e;
    }
    return t;
  case DataLiteral::List:
    for (int64_t i = 0; i < n; ++i)
      if (llvm::Error e = storeElement(t, i, data.elements[size_t(i)]))
        return e;
    return t;
  }
  return t;
}

llvm::Error Parser::storeElement(Tensor &t, int64_t i, const ElementToken &tok) {
  ElemType elem = t.elemType();
  llvm::StringRef name = elemTypeName(elem);
  if (isFloatType(elem)) {
    if (!tok.isNumber)
      return lex_.error(tok.pos, "expected a number for " + name + ", got '" + tok.text + "'");
    text::storeFloatLiteral(t, i, tok.text);
    return llvm::Error::success();
  }
  if (elem == ElemType::Bool) {
    if (!tok.isNumber) {
      t.setInt(i, tok.text == "true");
      return llvm::Error::success();
    }
    if (tok.text != "0" && tok.text != "1")
      return lex_.error(tok.pos, "expected true, false, 0 or 1 for bool, got '" + tok.text + "'");
    t.setInt(i, tok.text == "1");
    return llvm::Error::success();
  }
  if (!tok.isNumber || tok.isFloat)
    return lex_.error(tok.pos, "expected an integer for " + name + ", got '" + tok.text + "'");
  if (elem == ElemType::U64) {
    uint64_t v;
    if (!text::parseUInt64(tok.text, v))
      return lex_.error(tok.pos, "value " + tok.text + " is out of range for u64");
    t.data<uint64_t>()[i] = v;
    return llvm::Error::success();
  }
  int64_t v;
  if (!text::parseInt64(tok.text, v) || v < elemTypeMin(elem) || v > elemTypeMax(elem))
    return lex_.error(tok.pos, "value " + tok.text + " is out of range for " + name);
  t.setInt(i, v);
  return llvm::Error::success();
}

} // namespace

llvm::Expected<std::unique_ptr<Graph>> parseGraph(llvm::StringRef text,
                                                  llvm::StringRef bufferName) {
  return Parser(text, bufferName).run();
}

} // namespace qc::ir
