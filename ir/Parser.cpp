// Parser for the IR text form.
#include "ir/Parser.h"

namespace qc::ir {

llvm::Expected<std::unique_ptr<Graph>> parseGraph(llvm::StringRef text,
                                                  llvm::StringRef bufferName) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "parser not implemented");
}

} // namespace qc::ir
