/*
 * imagenet-preprocess in AssemblyScript: the built-in C plugin (plugins/imagenet-preprocess)
 * written with the Corral AssemblyScript SDK, giving the same bytes on the same image and config.
 *
 * uint8 RGB [H,W,3] -> resize the shorter side to `resize` (bilinear, half-pixel centres,
 * no antialias) -> centre crop `crop`×`crop` -> x·scale, minus mean, over std per channel
 * -> float32 NCHW [1,3,crop,crop].
 *
 * Config (all optional): input_name ("image"), output_name ("input"), resize (256),
 * crop (224, at most resize), scale (1/255), mean (0.485 0.456 0.406), std (0.229 0.224 0.225).
 *
 * Same bytes as the C plugin means the same arithmetic: sample positions in f64, then every
 * interpolation and the normalisation in f32, in the same order. AssemblyScript keeps f32
 * arithmetic in f32 (no widening), so each line below is the C line with explicit types.
 */
import {
  configInt, configNumber, configNumbers, configString, corral_abi_version, DType, entry, ErrorCode, fail, formatNumber, Input,
  outputTensor,
} from "@corral/plugin-sdk";
export { corral_abi_version };

// Limits that keep every size computation within 32 bits (the ABI's offsets are i32).
const MAX_RESIZE: i64 = 65536;
const MAX_CROP: i64 = 16384;
const DEFAULT_MEAN: StaticArray<f64> = [0.485, 0.456, 0.406]; // R, G, B
const DEFAULT_STD: StaticArray<f64> = [0.229, 0.224, 0.225];

export function preprocess(): i32 {
  return entry(run);
}

class Params {
  inputName: string = "image";
  outputName: string = "input";
  resize: i32 = 256;
  crop: i32 = 224;
  // out = value · gain + bias, i.e. (value·scale − mean) / std
  gain: StaticArray<f32> = new StaticArray<f32>(3);
  bias: StaticArray<f32> = new StaticArray<f32>(3);
}

/** The config, checked; null when it is unusable (error set, ErrorCode.PLUGIN). */
function readParams(): Params | null {
  const p = new Params();
  const inputName = configString("input_name");
  if (inputName != null && inputName.length > 0) p.inputName = inputName;
  const outputName = configString("output_name");
  if (outputName != null && outputName.length > 0) p.outputName = outputName;

  const resize = configInt("resize", 256);
  const crop = configInt("crop", 224);
  if (resize < 1 || resize > MAX_RESIZE)
    return failed("config 'resize' must be 1.." + MAX_RESIZE.toString() + ", got " + resize.toString());
  if (crop < 1 || crop > MAX_CROP)
    return failed("config 'crop' must be 1.." + MAX_CROP.toString() + ", got " + crop.toString());
  if (crop > resize)
    return failed("config 'crop' (" + crop.toString() + ") must not exceed 'resize' (" + resize.toString() + ")");
  p.resize = <i32>resize;
  p.crop = <i32>crop;

  const scale = configNumber("scale", 1.0 / 255.0);
  if (!isFinite(scale)) return failed("config 'scale' must be a finite number");
  const mean = configNumbers("mean");
  if (mean != null && mean.length != 3)
    return failed("config 'mean' must have 3 values (R, G, B), got " + mean.length.toString());
  const std = configNumbers("std");
  if (std != null && std.length != 3)
    return failed("config 'std' must have 3 values (R, G, B), got " + std.length.toString());
  for (let c = 0; c < 3; c++) {
    const m = mean != null ? mean[c] : DEFAULT_MEAN[c];
    const s = std != null ? std[c] : DEFAULT_STD[c];
    if (s == 0 || !isFinite(s) || !isFinite(m))
      return failed("config 'std'/'mean' channel " + c.toString() + " must be finite with std non-zero, got mean "
        + formatNumber(m) + " std " + formatNumber(s));
    p.gain[c] = <f32>(scale / s);
    p.bias[c] = <f32>(-m / s);
  }
  return p;
}

function failed(message: string): Params | null {
  fail(ErrorCode.PLUGIN, message);
  return null;
}

/** The image, checked to be uint8 [H,W,3]; null when it is unusable (error set, ErrorCode.INPUT). */
function findImage(name: string): Input | null {
  const image = Input.require(name);
  if (image == null || !image.expectDtype(DType.UINT8)) return null;
  const rank = image.rank;
  if (rank != 3 || image.dim(2) != 3) {
    fail(ErrorCode.INPUT, "input '" + name + "' must be an RGB image of shape [H,W,3], got rank " + rank.toString()
      + (rank == 3 ? " with last dimension " + image.dim(2).toString() : ""));
    return null;
  }
  const h = image.dim(0), w = image.dim(1);
  if (h < 1 || w < 1) {
    fail(ErrorCode.INPUT, "input '" + name + "' is an empty image (" + h.toString() + " x " + w.toString() + ")");
    return null;
  }
  if (h * w * 3 > <i64>i32.MAX_VALUE) {
    fail(ErrorCode.INPUT, "input '" + name + "' is too large (" + h.toString() + " x " + w.toString() + " pixels)");
    return null;
  }
  return image;
}

/**
 * One axis of the crop: for each output position, the two source samples and the weight of
 * the second (source coordinate = (dst + 0.5)·in/out − 0.5, clamped to the image).
 */
class Axis {
  lo: Int32Array;
  hi: Int32Array;
  w: Float32Array;

  constructor(size: i32, out: i64, first: i32, crop: i32) {
    this.lo = new Int32Array(crop);
    this.hi = new Int32Array(crop);
    this.w = new Float32Array(crop);
    const step = <f64>size / <f64>out;
    for (let i = 0; i < crop; i++) {
      let s = (<f64>(first + i) + 0.5) * step - 0.5;
      if (s < 0) s = 0;
      if (s > <f64>(size - 1)) s = <f64>(size - 1);
      const lo = <i32>s;
      unchecked(this.lo[i] = lo);
      unchecked(this.hi[i] = lo + 1 < size ? lo + 1 : lo);
      unchecked(this.w[i] = <f32>(s - <f64>lo));
    }
  }
}

/**
 * Two source rows, already interpolated horizontally to the crop's columns, planar
 * (3 × crop floats each), keyed by their source row index. Only the rows the crop needs are
 * read from the host, two at a time: memory is O(width) plus the output.
 */
class RowCache {
  row: StaticArray<i32> = [-1, -1];
  values: StaticArray<Float32Array>;
  bytes: Uint8Array; // one source row's span of columns, as read from the host
  first: i32;

  constructor(readonly image: Input, readonly width: i32, readonly cols: Axis, readonly crop: i32) {
    this.values = [new Float32Array(crop * 3), new Float32Array(crop * 3)];
    const first = unchecked(cols.lo[0]);
    this.first = first;
    this.bytes = new Uint8Array((unchecked(cols.hi[crop - 1]) - first + 1) * 3);
  }

  /** The row for source row y, loading it if needed without evicting row `keep`; null when the data ends (error set). */
  get(y: i32, keep: i32): Float32Array | null {
    if (this.row[0] == y) return this.values[0];
    if (this.row[1] == y) return this.values[1];
    const slot = this.row[0] == keep ? 1 : 0;
    // Columns lo[0] .. hi[crop-1] are all the crop needs: read only that span.
    const bytes = this.bytes;
    if (this.image.read((y * this.width + this.first) * 3, bytes) != bytes.length) {
      fail(ErrorCode.INPUT, "input image data ends before row " + y.toString());
      return null;
    }
    const values = this.values[slot];
    const crop = this.crop, lo = this.cols.lo, hi = this.cols.hi, w = this.cols.w;
    const src = bytes.dataStart, dst = values.dataStart;
    for (let x = 0; x < crop; x++) {
      const p0 = src + <usize>((unchecked(lo[x]) - this.first) * 3);
      const p1 = src + <usize>((unchecked(hi[x]) - this.first) * 3);
      const wx = unchecked(w[x]);
      for (let c = 0; c < 3; c++) {
        const a = <f32>load<u8>(p0 + c), b = <f32>load<u8>(p1 + c);
        store<f32>(dst + (<usize>(c * crop + x) << 2), a + (b - a) * wx);
      }
    }
    this.row[slot] = y;
    return values;
  }
}

function run(): i32 {
  const p = readParams();
  if (p == null) return ErrorCode.PLUGIN;
  const image = findImage(p.inputName);
  if (image == null) return ErrorCode.INPUT;
  const height = <i32>image.dim(0), width = <i32>image.dim(1);

  // Resized size: the shorter side becomes `resize`, the other keeps the aspect ratio.
  let outH: i64, outW: i64;
  if (height <= width) {
    outH = p.resize;
    outW = <i64>p.resize * width / height;
  } else {
    outW = p.resize;
    outH = <i64>p.resize * height / width;
  }
  const crop = p.crop;
  const rows = new Axis(height, outH, <i32>((outH - crop) / 2), crop);
  const cols = new Axis(width, outW, <i32>((outW - crop) / 2), crop);
  const cache = new RowCache(image, width, cols, crop);
  const out = new Float32Array(crop * crop * 3);
  const plane = crop * crop;

  for (let y = 0; y < crop; y++) {
    const lo = unchecked(rows.lo[y]), hi = unchecked(rows.hi[y]);
    const top = cache.get(lo, hi);
    if (top == null) return ErrorCode.INPUT;
    const bottom = cache.get(hi, lo);
    if (bottom == null) return ErrorCode.INPUT;
    const wy = unchecked(rows.w[y]);
    for (let c = 0; c < 3; c++) {
      const t = top.dataStart + (<usize>(c * crop) << 2), b = bottom.dataStart + (<usize>(c * crop) << 2);
      const o = out.dataStart + (<usize>(c * plane + y * crop) << 2);
      const gain = unchecked(p.gain[c]), bias = unchecked(p.bias[c]);
      for (let x = 0; x < crop; x++) {
        const tv = load<f32>(t + (<usize>x << 2)), bv = load<f32>(b + (<usize>x << 2));
        store<f32>(o + (<usize>x << 2), (tv + (bv - tv) * wy) * gain + bias);
      }
    }
  }
  const dims: StaticArray<i64> = [1, 3, crop, crop];
  return outputTensor(p.outputName, DType.FLOAT32, dims, out);
}
