// TensorProto decoding: every element type through raw_data (hand-encoded
// little-endian bytes) and the typed fields, int4 packing, size checks, and
// TensorProto file round trips.
#include "OnnxTestUtil.h"

#include "frontend/ImportDetail.h"
#include "llvm/Support/MemoryBuffer.h"

namespace qc::frontend::test {
namespace {

using ir::ElemType;

onnx::TensorProto rawTensor(int dataType, std::vector<int64_t> dims, std::string bytes) {
  onnx::TensorProto t;
  t.set_name("t");
  t.set_data_type(dataType);
  for (int64_t d : dims)
    t.add_dims(d);
  t.set_raw_data(std::move(bytes));
  return t;
}

ir::Tensor decodeOk(const onnx::TensorProto &t) {
  auto result = detail::decodeTensor(t, "", "tensor 't'");
  if (!result) {
    ADD_FAILURE() << llvm::toString(result.takeError());
    return ir::Tensor();
  }
  return std::move(*result);
}

std::string decodeError(const onnx::TensorProto &t) {
  return errorOf(detail::decodeTensor(t, "", "initializer 'w'"));
}

std::vector<int64_t> ints(const ir::Tensor &t) {
  std::vector<int64_t> out;
  for (int64_t i = 0; i < t.numElements(); ++i)
    out.push_back(t.getInt(i));
  return out;
}

std::vector<double> doubles(const ir::Tensor &t) {
  std::vector<double> out;
  for (int64_t i = 0; i < t.numElements(); ++i)
    out.push_back(t.getDouble(i));
  return out;
}

using B = std::string;

TEST(TensorImport, RawFloatTypes) {
  // 1.0f = 0x3F800000, -2.5f = 0xC0200000, little-endian.
  ir::Tensor f32 = decodeOk(rawTensor(1, {2}, B("\x00\x00\x80\x3f\x00\x00\x20\xc0", 8)));
  EXPECT_EQ(f32.elemType(), ElemType::F32);
  EXPECT_EQ(doubles(f32), (std::vector<double>{1.0, -2.5}));
  // 1.0 = 0x3FF0000000000000.
  ir::Tensor f64 = decodeOk(rawTensor(11, {1}, B("\x00\x00\x00\x00\x00\x00\xf0\x3f", 8)));
  EXPECT_EQ(f64.elemType(), ElemType::F64);
  EXPECT_EQ(doubles(f64), (std::vector<double>{1.0}));
  // half 1.0 = 0x3C00, -2.0 = 0xC000.
  ir::Tensor f16 = decodeOk(rawTensor(10, {2}, B("\x00\x3c\x00\xc0", 4)));
  EXPECT_EQ(f16.elemType(), ElemType::F16);
  EXPECT_EQ(f16.data<uint16_t>()[0], 0x3C00);
  EXPECT_EQ(doubles(f16), (std::vector<double>{1.0, -2.0}));
  // bfloat16 1.0 = 0x3F80, 3.0 = 0x4040.
  ir::Tensor bf16 = decodeOk(rawTensor(16, {2}, B("\x80\x3f\x40\x40", 4)));
  EXPECT_EQ(bf16.elemType(), ElemType::BF16);
  EXPECT_EQ(doubles(bf16), (std::vector<double>{1.0, 3.0}));
}

TEST(TensorImport, RawIntegerTypes) {
  ir::Tensor i8 = decodeOk(rawTensor(3, {3}, B("\x80\xff\x7f", 3)));
  EXPECT_EQ(i8.elemType(), ElemType::I8);
  EXPECT_EQ(ints(i8), (std::vector<int64_t>{-128, -1, 127}));
  ir::Tensor u8 = decodeOk(rawTensor(2, {2}, B("\xff\x01", 2)));
  EXPECT_EQ(u8.elemType(), ElemType::U8);
  EXPECT_EQ(ints(u8), (std::vector<int64_t>{255, 1}));
  ir::Tensor i16 = decodeOk(rawTensor(5, {2}, B("\xfe\xff\x00\x80", 4)));
  EXPECT_EQ(i16.elemType(), ElemType::I16);
  EXPECT_EQ(ints(i16), (std::vector<int64_t>{-2, -32768}));
  ir::Tensor u16 = decodeOk(rawTensor(4, {1}, B("\x34\x12", 2)));
  EXPECT_EQ(u16.elemType(), ElemType::U16);
  EXPECT_EQ(ints(u16), (std::vector<int64_t>{0x1234}));
  ir::Tensor i32 = decodeOk(rawTensor(6, {2}, B("\xff\xff\xff\xff\x00\x01\x00\x00", 8)));
  EXPECT_EQ(i32.elemType(), ElemType::I32);
  EXPECT_EQ(ints(i32), (std::vector<int64_t>{-1, 256}));
  ir::Tensor u32 = decodeOk(rawTensor(12, {1}, B("\x00\x00\x00\x80", 4)));
  EXPECT_EQ(u32.elemType(), ElemType::U32);
  EXPECT_EQ(ints(u32), (std::vector<int64_t>{int64_t(0x80000000u)}));
  ir::Tensor i64 = decodeOk(rawTensor(7, {1}, B("\x02\x01\x00\x00\x00\x00\x00\x00", 8)));
  EXPECT_EQ(i64.elemType(), ElemType::I64);
  EXPECT_EQ(ints(i64), (std::vector<int64_t>{258}));
  ir::Tensor u64 = decodeOk(rawTensor(13, {1}, B("\x01\x00\x00\x00\x00\x00\x00\x80", 8)));
  EXPECT_EQ(u64.elemType(), ElemType::U64);
  EXPECT_EQ(u64.data<uint64_t>()[0], 0x8000000000000001ull);
  ir::Tensor b = decodeOk(rawTensor(9, {3}, B("\x01\x00\x01", 3)));
  EXPECT_EQ(b.elemType(), ElemType::Bool);
  EXPECT_EQ(ints(b), (std::vector<int64_t>{1, 0, 1}));
}

TEST(TensorImport, RawInt4PackedLowNibbleFirst) {
  // 0x9F: element 0 = 0xF, element 1 = 0x9; 0x07: element 2 = 7 (the high
  // nibble of the last byte is padding).
  ir::Tensor i4 = decodeOk(rawTensor(22, {3}, B("\x9f\x07", 2)));
  EXPECT_EQ(i4.elemType(), ElemType::I4);
  EXPECT_EQ(ints(i4), (std::vector<int64_t>{-1, -7, 7}));
  ir::Tensor u4 = decodeOk(rawTensor(21, {3}, B("\x9f\x07", 2)));
  EXPECT_EQ(u4.elemType(), ElemType::U4);
  EXPECT_EQ(ints(u4), (std::vector<int64_t>{15, 9, 7}));
  ir::Tensor even = decodeOk(rawTensor(22, {2, 2}, B("\x81\x7f", 2)));
  EXPECT_EQ(ints(even), (std::vector<int64_t>{1, -8, -1, 7}));
  EXPECT_NE(decodeError(rawTensor(22, {3}, B("\x9f", 1))).find("data size mismatch"),
            std::string::npos);
}

TEST(TensorImport, TypedFields) {
  onnx::TensorProto t;
  t.set_data_type(1);
  t.add_dims(2);
  t.add_float_data(0.5f);
  t.add_float_data(-1.0f);
  EXPECT_EQ(doubles(decodeOk(t)), (std::vector<double>{0.5, -1.0}));

  t.Clear();
  t.set_data_type(11);
  t.add_double_data(0.25);
  EXPECT_EQ(doubles(decodeOk(t)), (std::vector<double>{0.25})); // scalar

  t.Clear();
  t.set_data_type(7);
  t.add_dims(2);
  t.add_int64_data(-5);
  t.add_int64_data(int64_t(1) << 40);
  EXPECT_EQ(ints(decodeOk(t)), (std::vector<int64_t>{-5, int64_t(1) << 40}));

  t.Clear();
  t.set_data_type(12); // UINT32 in uint64_data
  t.add_dims(1);
  t.add_uint64_data(4000000000u);
  ir::Tensor u32 = decodeOk(t);
  EXPECT_EQ(u32.elemType(), ElemType::U32);
  EXPECT_EQ(ints(u32), (std::vector<int64_t>{4000000000}));

  t.Clear();
  t.set_data_type(13);
  t.add_dims(1);
  t.add_uint64_data(18446744073709551615ull);
  EXPECT_EQ(decodeOk(t).data<uint64_t>()[0], 18446744073709551615ull);
}

TEST(TensorImport, Int32DataCarriesNarrowTypes) {
  auto make = [](int type, std::vector<int64_t> dims, std::vector<int32_t> values) {
    onnx::TensorProto t;
    t.set_name("t");
    t.set_data_type(type);
    for (int64_t d : dims)
      t.add_dims(d);
    for (int32_t v : values)
      t.add_int32_data(v);
    return t;
  };
  EXPECT_EQ(ints(decodeOk(make(6, {2}, {-7, 2147483647}))), (std::vector<int64_t>{-7, 2147483647}));
  EXPECT_EQ(ints(decodeOk(make(3, {2}, {-128, 127}))), (std::vector<int64_t>{-128, 127}));
  EXPECT_EQ(ints(decodeOk(make(2, {2}, {0, 255}))), (std::vector<int64_t>{0, 255}));
  EXPECT_EQ(ints(decodeOk(make(5, {1}, {-32768}))), (std::vector<int64_t>{-32768}));
  EXPECT_EQ(ints(decodeOk(make(4, {1}, {65535}))), (std::vector<int64_t>{65535}));
  EXPECT_EQ(ints(decodeOk(make(9, {2}, {1, 0}))), (std::vector<int64_t>{1, 0}));
  // float16 / bfloat16 as bit patterns: 0x3C00 = 1.0 half, 0xBF80 = -1.0 bf16.
  EXPECT_EQ(doubles(decodeOk(make(10, {1}, {0x3C00}))), (std::vector<double>{1.0}));
  EXPECT_EQ(doubles(decodeOk(make(16, {1}, {0xBF80}))), (std::vector<double>{-1.0}));
  // int4: one packed byte per int32 value.
  EXPECT_EQ(ints(decodeOk(make(22, {3}, {0x9F, 0x07}))), (std::vector<int64_t>{-1, -7, 7}));
  EXPECT_EQ(ints(decodeOk(make(21, {2}, {0x9F}))), (std::vector<int64_t>{15, 9}));

  std::string e = decodeError(make(3, {1}, {200}));
  EXPECT_NE(e.find("initializer 'w'"), std::string::npos) << e;
  EXPECT_NE(e.find("out of range for i8"), std::string::npos) << e;
  e = decodeError(make(3, {3}, {1, 2}));
  EXPECT_NE(e.find("initializer 'w': data size mismatch: 2 values in int32_data"),
            std::string::npos)
      << e;
}

TEST(TensorImport, SizeMismatchNamesTensor) {
  std::string e = decodeError(rawTensor(1, {2}, B("\x00\x00\x80", 3)));
  EXPECT_NE(e.find("initializer 'w': data size mismatch: 3 bytes"), std::string::npos) << e;
  EXPECT_NE(e.find("needs 8"), std::string::npos) << e;
  onnx::TensorProto noData;
  noData.set_data_type(1);
  noData.add_dims(4);
  e = decodeError(noData);
  EXPECT_NE(e.find("initializer 'w': data size mismatch: 0 values in float_data"),
            std::string::npos)
      << e;
  // Data in the wrong typed field.
  onnx::TensorProto wrongField;
  wrongField.set_data_type(7);
  wrongField.add_dims(1);
  wrongField.add_int32_data(1);
  EXPECT_NE(decodeError(wrongField).find("0 values in int64_data"), std::string::npos);
}

TEST(TensorImport, EmptyTensorNeedsNoData) {
  ir::Tensor t = decodeOk(rawTensor(1, {0, 3}, ""));
  EXPECT_EQ(t.numElements(), 0);
  EXPECT_EQ(t.dims(), (std::vector<int64_t>{0, 3}));
}

TEST(TensorImport, UnsupportedTypesNameTheTensor) {
  onnx::TensorProto s;
  s.set_data_type(8);
  s.add_string_data("x");
  EXPECT_EQ(decodeError(s), "initializer 'w': string tensors are unsupported");
  EXPECT_EQ(decodeError(rawTensor(17, {1}, B("\x01", 1))),
            "initializer 'w': element type FLOAT8E4M3FN is unsupported");
  EXPECT_EQ(decodeError(rawTensor(14, {1}, B(8, '\0'))),
            "initializer 'w': element type COMPLEX64 is unsupported");
  EXPECT_EQ(decodeError(rawTensor(0, {1}, B("\x01", 1))),
            "initializer 'w': element type is undefined");
  onnx::TensorProto seg = rawTensor(1, {1}, B(4, '\0'));
  seg.mutable_segment()->set_begin(0);
  EXPECT_EQ(decodeError(seg), "initializer 'w': segmented tensors are unsupported");
}

TEST(TensorImport, RejectsBadDims) {
  EXPECT_EQ(decodeError(rawTensor(1, {2, -1}, "")), "initializer 'w': dimension -1 is negative");
  // 2^21 * 2^21 = 2^42 elements: refused before any allocation.
  std::string e = decodeError(rawTensor(1, {int64_t(1) << 21, int64_t(1) << 21}, ""));
  EXPECT_NE(e.find("initializer 'w'"), std::string::npos) << e;
  EXPECT_NE(e.find("more than 2^40 elements"), std::string::npos) << e;
  // The product overflows int64.
  e = decodeError(rawTensor(1, {int64_t(1) << 40, int64_t(1) << 40, 4}, ""));
  EXPECT_NE(e.find("more than 2^40 elements"), std::string::npos) << e;
}

TEST(TensorImport, RawAndTypedTogetherIsAnError) {
  onnx::TensorProto t = rawTensor(1, {1}, B(4, '\0'));
  t.add_float_data(1.0f);
  EXPECT_EQ(decodeError(t), "initializer 'w': has both raw_data and typed data fields");
}

TEST(TensorProtoFile, WriteThenReadEveryType) {
  TempDir dir;
  std::vector<ir::Tensor> tensors = {
      ir::Tensor::fromDoubles(ElemType::F32, {2}, {1.5, -3}),
      ir::Tensor::fromDoubles(ElemType::F64, {1}, {0.1}),
      ir::Tensor::fromDoubles(ElemType::F16, {2}, {1, -0.5}),
      ir::Tensor::fromDoubles(ElemType::BF16, {1}, {2}),
      ir::Tensor::fromInts(ElemType::I4, {3}, {-8, 7, -1}),
      ir::Tensor::fromInts(ElemType::U4, {2, 2}, {0, 15, 3, 9}),
      ir::Tensor::fromInts(ElemType::I8, {2}, {-128, 5}),
      ir::Tensor::fromInts(ElemType::U8, {1}, {200}),
      ir::Tensor::fromInts(ElemType::I16, {1}, {-300}),
      ir::Tensor::fromInts(ElemType::U16, {1}, {60000}),
      ir::Tensor::fromInts(ElemType::I32, {1}, {-70000}),
      ir::Tensor::fromInts(ElemType::U32, {1}, {4000000000}),
      ir::Tensor::fromInts(ElemType::I64, {2}, {-1, int64_t(1) << 50}),
      ir::Tensor::fromInts(ElemType::U64, {1}, {12345}),
      ir::Tensor::fromInts(ElemType::Bool, {2}, {1, 0}),
      ir::Tensor::scalarFloat(ElemType::F32, 7),
  };
  for (const ir::Tensor &t : tensors) {
    std::string path = dir.file("t.pb");
    ASSERT_FALSE(llvm::errorToBool(writeTensorProtoFile(t, "x", path)));
    auto back = readTensorProtoFile(path);
    ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
    EXPECT_TRUE(back->identical(t)) << ir::elemTypeName(t.elemType()).str();
  }
  // The int4 file is packed: 3 elements in 2 bytes, -8 = 0x8, 7 = 0x7.
  ASSERT_FALSE(llvm::errorToBool(writeTensorProtoFile(tensors[4], "x", dir.file("i4.pb"))));
  onnx::TensorProto p;
  auto buffer = llvm::MemoryBuffer::getFile(dir.file("i4.pb"));
  ASSERT_TRUE(bool(buffer));
  ASSERT_TRUE(p.ParseFromString((*buffer)->getBuffer().str()));
  EXPECT_EQ(p.data_type(), 22);
  EXPECT_EQ(p.raw_data(), B("\x78\x0f", 2));
}

TEST(TensorProtoFile, Errors) {
  TempDir dir;
  std::string e = errorOf(readTensorProtoFile(dir.file("missing.pb")));
  EXPECT_NE(e.find("cannot open tensor file"), std::string::npos) << e;
  e = errorOf(readTensorProtoFile(dir.path()));
  EXPECT_NE(e.find("is not a regular file"), std::string::npos) << e;
  dir.write("bad.pb", B("\xff\xff\xff", 3));
  e = errorOf(readTensorProtoFile(dir.file("bad.pb")));
  EXPECT_NE(e.find("is not a valid TensorProto"), std::string::npos) << e;
  e = llvm::toString(writeTensorProtoFile(ir::Tensor::scalarInt(ElemType::I8, 1), "x",
                                          dir.file("no/such/dir/t.pb")));
  EXPECT_NE(e.find("cannot create"), std::string::npos) << e;
}

} // namespace
} // namespace qc::frontend::test
