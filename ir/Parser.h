// Parses the IR text form written by ir/Printer.h. Errors name the line and
// column: "<name>:12:7: expected ')'".
#pragma once

#include <memory>

#include "ir/Graph.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace qc::ir {

llvm::Expected<std::unique_ptr<Graph>> parseGraph(llvm::StringRef text,
                                                  llvm::StringRef bufferName = "<input>");

} // namespace qc::ir
