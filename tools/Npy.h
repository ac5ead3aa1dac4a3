// Reading and writing tensors as NumPy .npy files (format versions 1-3,
// little-endian, C order), the exchange format of qcrun.
#pragma once

#include "ir/Tensor.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace qc::tools {

llvm::Expected<ir::Tensor> readNpy(llvm::StringRef path);
llvm::Expected<ir::Tensor> parseNpy(llvm::StringRef bytes, llvm::StringRef nameForErrors);
/// Writes atomically (temporary file + rename): no half-written output.
llvm::Error writeNpy(const ir::Tensor &tensor, llvm::StringRef path);
std::string serializeNpy(const ir::Tensor &tensor);

} // namespace qc::tools
