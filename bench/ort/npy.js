// Minimal NumPy .npy reader/writer (C order, little-endian) for run_ort.js; no dependencies.
// Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
'use strict';

const fs = require('fs');
const os = require('os');

// .npy descr <-> onnxruntime tensor type and typed array. '|' means byte order does not apply.
const DTYPES = [
  { descr: ['<f4'], ort: 'float32', Array: Float32Array, size: 4 },
  { descr: ['<f8'], ort: 'float64', Array: Float64Array, size: 8 },
  { descr: ['<f2'], ort: 'float16', Array: Uint16Array, size: 2 },
  { descr: ['|i1', '<i1'], ort: 'int8', Array: Int8Array, size: 1 },
  { descr: ['|u1', '<u1'], ort: 'uint8', Array: Uint8Array, size: 1 },
  { descr: ['<i2'], ort: 'int16', Array: Int16Array, size: 2 },
  { descr: ['<u2'], ort: 'uint16', Array: Uint16Array, size: 2 },
  { descr: ['<i4'], ort: 'int32', Array: Int32Array, size: 4 },
  { descr: ['<u4'], ort: 'uint32', Array: Uint32Array, size: 4 },
  { descr: ['<i8'], ort: 'int64', Array: BigInt64Array, size: 8 },
  { descr: ['<u8'], ort: 'uint64', Array: BigUint64Array, size: 8 },
  { descr: ['|b1'], ort: 'bool', Array: Uint8Array, size: 1 },
];

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // "\x93NUMPY"

function checkHostEndianness() {
  if (os.endianness() !== 'LE') {
    throw new Error('npy: only little-endian hosts are supported');
  }
}

function numElements(shape) {
  return shape.reduce((a, b) => a * b, 1);
}

// Parses the header dict, e.g. "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }".
function parseHeader(text, file) {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !fortran || !shape) {
    throw new Error(`${file}: malformed .npy header: ${text.trim()}`);
  }
  if (fortran[1] === 'True') {
    throw new Error(`${file}: fortran_order arrays are not supported (save a C-contiguous array)`);
  }
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s.length > 0).map((s) => {
    if (!/^\d+$/.test(s)) throw new Error(`${file}: bad dimension '${s}' in .npy shape`);
    return Number(s);
  });
  return { descr: descr[1], shape: dims };
}

// Returns { type, data, shape } where type is the onnxruntime tensor type name.
function readNpy(file) {
  checkHostEndianness();
  const buf = fs.readFileSync(file);
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) {
    throw new Error(`${file}: not a .npy file (bad magic)`);
  }
  const major = buf[6];
  let headerLen;
  let offset;
  if (major === 1) {
    headerLen = buf.readUInt16LE(8);
    offset = 10;
  } else if (major === 2 || major === 3) {
    if (buf.length < 12) throw new Error(`${file}: truncated .npy header`);
    headerLen = buf.readUInt32LE(8);
    offset = 12;
  } else {
    throw new Error(`${file}: unsupported .npy format version ${major}.${buf[7]}`);
  }
  if (offset + headerLen > buf.length) throw new Error(`${file}: truncated .npy header`);
  const header = parseHeader(buf.toString(major === 3 ? 'utf8' : 'latin1', offset, offset + headerLen), file);
  const dt = DTYPES.find((d) => d.descr.includes(header.descr));
  if (!dt) throw new Error(`${file}: unsupported .npy dtype '${header.descr}'`);
  const dataStart = offset + headerLen;
  const count = numElements(header.shape);
  const bytes = count * dt.size;
  if (buf.length - dataStart !== bytes) {
    throw new Error(`${file}: expected ${bytes} data bytes for shape (${header.shape}) ` +
                    `${header.descr}, found ${buf.length - dataStart}`);
  }
  // Copy into a fresh, aligned ArrayBuffer (the file buffer's data offset need not be aligned).
  const ab = new ArrayBuffer(bytes);
  buf.copy(Buffer.from(ab), 0, dataStart, dataStart + bytes);
  return { type: dt.ort, data: new dt.Array(ab), shape: header.shape };
}

// Writes a version 1.0 .npy file; type is an onnxruntime tensor type name.
function writeNpy(file, type, data, shape) {
  checkHostEndianness();
  const dt = DTYPES.find((d) => d.ort === type);
  if (!dt) throw new Error(`cannot write tensor of type '${type}' as .npy`);
  if (data.length !== numElements(shape)) {
    throw new Error(`tensor data has ${data.length} elements but shape (${shape}) needs ${numElements(shape)}`);
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${dt.descr[0]}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad with spaces and a final newline so that magic + version + length + header is a multiple of 64.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header + ' '.repeat(total - 10 - header.length - 1) + '\n';
  if (header.length > 0xffff) throw new Error('npy: header too long for format version 1.0');
  const pre = Buffer.alloc(10);
  MAGIC.copy(pre, 0);
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), body]));
}

module.exports = { readNpy, writeNpy };
