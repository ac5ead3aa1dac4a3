// Pieces shared by the qc command-line tools: shape syntax, error exit.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ir/Type.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace qc::tools {

/// Parses "name=1x3x224x224" (dims static or symbolic names) from
/// --input-shape flags into a name -> shape map.
llvm::Expected<std::map<std::string, ir::Shape>>
parseInputShapes(const std::vector<std::string> &specs);

/// Writes a file atomically: a temporary beside it, then rename.
llvm::Error writeFileAtomically(llvm::StringRef path, llvm::StringRef contents);

/// Prints "<tool>: error: <message>" to stderr and returns exit code 1.
int reportError(llvm::StringRef tool, llvm::Error error);

} // namespace qc::tools
