// ONNX ModelProto -> ir::Graph.
#include "frontend/OnnxImporter.h"

namespace qc::frontend {

namespace {
llvm::Error notYet() {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "importer not implemented");
}
} // namespace

llvm::Expected<std::unique_ptr<ir::Graph>> importOnnxFile(llvm::StringRef path,
                                                          const ImportOptions &options) {
  return notYet();
}

llvm::Expected<std::unique_ptr<ir::Graph>> importOnnxBytes(llvm::StringRef bytes,
                                                           llvm::StringRef modelDir,
                                                           const ImportOptions &options) {
  return notYet();
}

llvm::Expected<ir::Tensor> readTensorProtoFile(llvm::StringRef path) { return notYet(); }

llvm::Error writeTensorProtoFile(const ir::Tensor &tensor, llvm::StringRef name,
                                 llvm::StringRef path) {
  return notYet();
}

} // namespace qc::frontend
