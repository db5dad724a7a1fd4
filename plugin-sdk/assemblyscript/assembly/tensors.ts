/** Tensors: the step's inputs (ABI §4.1) and its outputs (§4.2). */
import {
  input_byte_size, input_count, input_dim, input_dtype, input_find, input_name, input_rank, input_read,
  output_json, output_tensor,
} from "./abi";
import { ErrorCode, fail } from "./errors";
import { stringAt, utf8 } from "./text";

/** Data types (ABI §3): ONNX TensorProto.DataType numbers. */
export enum DType {
  FLOAT32 = 1,
  UINT8 = 2,
  INT8 = 3,
  INT32 = 6,
  INT64 = 7,
  BOOL = 9,
  FLOAT64 = 11,
}

/** Bytes per element of a dtype, or 0 for a code ABI v1 does not define. */
export function dtypeSize(dtype: i32): i32 {
  switch (dtype) {
    case DType.FLOAT32: case DType.INT32: return 4;
    case DType.UINT8: case DType.INT8: case DType.BOOL: return 1;
    case DType.INT64: case DType.FLOAT64: return 8;
    default: return 0;
  }
}

/** One input tensor of the call, by its index. Reads go to the host each time: nothing is cached. */
export class Input {
  constructor(readonly index: i32) {}

  /** Number of input tensors of this call. */
  static count(): i32 {
    return input_count();
  }

  /** The input called `name`, or null when the call has none. */
  static find(name: string): Input | null {
    const n = utf8(name);
    const index = input_find(changetype<usize>(n), n.byteLength);
    return index < 0 ? null : new Input(index);
  }

  /**
   * The input called `name`; when there is none, fails the call with ErrorCode.INPUT
   * ("input 'NAME' is missing (the step has N inputs)") and returns null.
   */
  static require(name: string): Input | null {
    const input = Input.find(name);
    if (input == null) fail(ErrorCode.INPUT, "input '" + name + "' is missing (the step has " + input_count().toString() + " inputs)");
    return input;
  }

  /** The input's name. */
  get name(): string {
    const len = input_name(this.index, 0, 0);
    const buf = new Uint8Array(len);
    input_name(this.index, buf.dataStart, len);
    return stringAt(buf.dataStart, len);
  }

  /** Its dtype code (see DType). */
  get dtype(): i32 {
    return input_dtype(this.index);
  }

  /** Its number of dimensions. */
  get rank(): i32 {
    return input_rank(this.index);
  }

  /** The size of dimension `axis` (0 .. rank-1; anything else is an ABI violation). */
  dim(axis: i32): i64 {
    return input_dim(this.index, axis);
  }

  /** All its dimensions. */
  shape(): StaticArray<i64> {
    const dims = new StaticArray<i64>(this.rank);
    for (let i = 0; i < dims.length; i++) dims[i] = input_dim(this.index, i);
    return dims;
  }

  /** Bytes of its data. */
  get byteSize(): i32 {
    return input_byte_size(this.index);
  }

  /**
   * Copies data starting at byte `offset` into `dst` (as much as fits); returns the bytes
   * copied, fewer than dst's length only at the end of the data. For large tensors: read a
   * piece at a time so that memory stays bounded.
   */
  read(offset: i32, dst: ArrayBufferView): i32 {
    return input_read(this.index, offset, dst.dataStart, dst.byteLength);
  }

  /** All its data as bytes. Fine for small inputs (text, token ids); read images in pieces. */
  bytes(): Uint8Array {
    const data = new Uint8Array(this.byteSize);
    this.read(0, data);
    return data;
  }

  /**
   * Fails the call with ErrorCode.INPUT and returns false unless the input has this dtype:
   * "input 'NAME' must be float32 (dtype 1), got dtype 2".
   */
  expectDtype(dtype: i32): bool {
    const actual = this.dtype;
    if (actual == dtype) return true;
    fail(ErrorCode.INPUT, "input '" + this.name + "' must be " + dtypeName(dtype) + " (dtype " + dtype.toString()
      + "), got dtype " + actual.toString());
    return false;
  }

  /** Its data as float32 values, or null when it is not float32 (error set, ErrorCode.INPUT). */
  float32s(): Float32Array | null {
    if (!this.expectDtype(DType.FLOAT32)) return null;
    const data = new Float32Array(this.byteSize >> 2);
    this.read(0, data);
    return data;
  }

  /** Its data as float64 values, or null when it is not float64 (error set). */
  float64s(): Float64Array | null {
    if (!this.expectDtype(DType.FLOAT64)) return null;
    const data = new Float64Array(this.byteSize >> 3);
    this.read(0, data);
    return data;
  }

  /** Its data as int32 values, or null when it is not int32 (error set). */
  int32s(): Int32Array | null {
    if (!this.expectDtype(DType.INT32)) return null;
    const data = new Int32Array(this.byteSize >> 2);
    this.read(0, data);
    return data;
  }

  /** Its data as int64 values, or null when it is not int64 (error set). */
  int64s(): Int64Array | null {
    if (!this.expectDtype(DType.INT64)) return null;
    const data = new Int64Array(this.byteSize >> 3);
    this.read(0, data);
    return data;
  }
}

/** The name of a dtype code as ABI §3 writes it ("float32", …), or "dtype N". */
export function dtypeName(dtype: i32): string {
  switch (dtype) {
    case DType.FLOAT32: return "float32";
    case DType.UINT8: return "uint8";
    case DType.INT8: return "int8";
    case DType.INT32: return "int32";
    case DType.INT64: return "int64";
    case DType.BOOL: return "bool";
    case DType.FLOAT64: return "float64";
    default: return "dtype " + dtype.toString();
  }
}

/**
 * Writes the output tensor `name` with `dims` over `data` (the host copies it at once).
 * Returns 0, or ErrorCode.PLUGIN with the error set when dims × the dtype's size is not
 * data's byte length or does not fit the ABI's i32 — the host would call either an ABI
 * violation without saying which output.
 */
export function outputTensor(name: string, dtype: i32, dims: StaticArray<i64>, data: ArrayBufferView): i32 {
  let bytes = <i64>dtypeSize(dtype);
  if (bytes == 0) return fail(ErrorCode.PLUGIN, "output '" + name + "': dtype " + dtype.toString() + " is not one of ABI v1");
  for (let i = 0; i < dims.length; i++) {
    const d = dims[i];
    if (d < 0 || (d > 0 && bytes > <i64>i32.MAX_VALUE / d))
      return fail(ErrorCode.PLUGIN, "output '" + name + "' is too large for ABI v1 (dimension " + i.toString()
        + " is " + d.toString() + ")");
    bytes *= d;
  }
  if (bytes != <i64>data.byteLength)
    return fail(ErrorCode.PLUGIN, "output '" + name + "': dims give " + bytes.toString() + " bytes of "
      + dtypeName(dtype) + ", the data has " + data.byteLength.toString());
  const n = utf8(name);
  return output_tensor(changetype<usize>(n), n.byteLength, dtype, changetype<usize>(dims), dims.length,
    data.dataStart, data.byteLength);
}

/** Writes the step's JSON result (one object; at most one per call). Returns 0. See JsonWriter. */
export function outputJson(json: string): i32 {
  const bytes = utf8(json);
  return output_json(changetype<usize>(bytes), bytes.byteLength);
}
