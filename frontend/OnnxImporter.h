// Imports an ONNX model (protobuf, libonnx-dev's schema) into qc's IR:
// initializers (every element type, raw and typed fields, int4 packing,
// external data confined to the model's directory), graph inputs/outputs,
// value_info, opset imports, symbolic dims. Older opset forms are rewritten
// into the newest-opset semantics ir/Ops.def defines; then shape inference
// runs. Every error names the node or tensor.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "ir/Graph.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace qc::frontend {

struct ImportOptions {
  /// Overrides of graph input shapes by input name (e.g. from
  /// --input-shape x=1x3x224x224); symbolic dims stay symbolic otherwise.
  std::map<std::string, ir::Shape> inputShapes;
  /// Run shape inference after import (on by default).
  bool inferShapes = true;
};

/// Reads and imports a .onnx file. External data files are resolved
/// relative to the file's directory and must stay inside it.
llvm::Expected<std::unique_ptr<ir::Graph>> importOnnxFile(llvm::StringRef path,
                                                          const ImportOptions &options = {});

/// Imports a serialized ModelProto held in memory; `modelDir` anchors
/// external data (empty: external data is refused).
llvm::Expected<std::unique_ptr<ir::Graph>>
importOnnxBytes(llvm::StringRef bytes, llvm::StringRef modelDir, const ImportOptions &options = {});

/// Reads a serialized TensorProto file (the ONNX test-data .pb format).
llvm::Expected<ir::Tensor> readTensorProtoFile(llvm::StringRef path);

/// Writes a tensor as a serialized TensorProto file.
llvm::Error writeTensorProtoFile(const ir::Tensor &tensor, llvm::StringRef name,
                                 llvm::StringRef path);

} // namespace qc::frontend
