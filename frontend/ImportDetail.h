// Internal interfaces shared by the frontend's translation units: ONNX
// TensorProto / AttributeProto decoding. Not installed; protobuf types stay here.
#pragma once

#include <cstdint>
#include <string>

#include "ir/Op.h"
#include "ir/Tensor.h"
#include "onnx/onnx_pb.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

namespace qc::frontend::detail {

inline llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// The largest element count a tensor may have (2^40): far beyond any real
/// model, small enough that byte sizes cannot overflow.
constexpr int64_t kMaxElements = int64_t(1) << 40;

/// ONNX TensorProto.DataType codes (onnx.proto; this libonnx predates some).
enum OnnxDataType : int32_t {
  kOnnxUndefined = 0,
  kOnnxFloat = 1,
  kOnnxUint8 = 2,
  kOnnxInt8 = 3,
  kOnnxUint16 = 4,
  kOnnxInt16 = 5,
  kOnnxInt32 = 6,
  kOnnxInt64 = 7,
  kOnnxString = 8,
  kOnnxBool = 9,
  kOnnxFloat16 = 10,
  kOnnxDouble = 11,
  kOnnxUint32 = 12,
  kOnnxUint64 = 13,
  kOnnxComplex64 = 14,
  kOnnxComplex128 = 15,
  kOnnxBfloat16 = 16,
  kOnnxFloat8E4M3FN = 17,
  kOnnxFloat8E4M3FNUZ = 18,
  kOnnxFloat8E5M2 = 19,
  kOnnxFloat8E5M2FNUZ = 20,
  kOnnxUint4 = 21,
  kOnnxInt4 = 22,
  kOnnxFloat4E2M1 = 23,
};

/// Human-readable name of an ONNX data type code ("FLOAT", "STRING", ...).
std::string onnxDataTypeName(int32_t code);

/// Maps an ONNX data type code to qc's element type; `what` names the
/// tensor/attribute/value for the error.
llvm::Expected<ir::ElemType> elemTypeFromOnnx(int32_t code, const llvm::Twine &what);
int32_t onnxFromElemType(ir::ElemType type);

/// Checks dims (non-negative, product within kMaxElements) and returns the
/// element count; `what` names the tensor.
llvm::Expected<int64_t> checkedElementCount(llvm::ArrayRef<int64_t> dims, const llvm::Twine &what);

/// Decodes a TensorProto (raw or typed fields, or external data resolved
/// against `modelDir`; empty modelDir refuses external data). `what` names
/// the tensor in errors, e.g. "initializer 'w'".
llvm::Expected<ir::Tensor> decodeTensor(const onnx::TensorProto &proto, llvm::StringRef modelDir,
                                        const llvm::Twine &what);

/// Encodes a tensor as a TensorProto with raw_data (int4 packed).
void encodeTensor(const ir::Tensor &tensor, llvm::StringRef name, onnx::TensorProto &proto);

/// Reads the external data file of a TensorProto: the location must stay
/// inside `modelDir` (no absolute path, no '..' escape, no symlink leaving
/// it) and offset/length must lie within the file.
llvm::Expected<std::string> readExternalData(const onnx::TensorProto &proto,
                                             llvm::StringRef modelDir, const llvm::Twine &what);

/// Converts one AttributeProto to the kind `kind` the IR schema declares.
/// `where` names the node (Node::describe() style) for errors.
llvm::Expected<ir::AttrValue> convertAttribute(const onnx::AttributeProto &attr, ir::AttrKind kind,
                                               llvm::StringRef modelDir, llvm::StringRef where);

/// The AttributeProto type, inferring it from the set field when the
/// (very old) model leaves it UNDEFINED.
int attributeType(const onnx::AttributeProto &attr);
std::string attributeTypeName(int type);

} // namespace qc::frontend::detail
