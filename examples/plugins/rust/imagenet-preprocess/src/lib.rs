//! imagenet-preprocess in Rust: the classic ImageNet input pipeline as a Corral plugin, giving
//! the same bytes as the built-in C plugin (plugins/imagenet-preprocess) for the same image
//! and config: every operation below is the C plugin's, in its order and float type.
//!
//! uint8 RGB [H,W,3] -> resize the shorter side to `resize` (bilinear, half-pixel centres, no
//! antialias) -> centre crop `crop`×`crop` -> x·scale, minus mean, over std per channel ->
//! float32 NCHW [1,3,crop,crop].
//!
//! Only the crop window of the resized image is computed, straight from the source pixels, and
//! only the source rows it needs are read from the host, two at a time: memory is O(width)
//! plus the output, whatever the image's size.
//!
//! Config (all optional):
//!   input_name  string     "image"             the uint8 [H,W,3] input
//!   output_name string     "input"             the float32 [1,3,crop,crop] output
//!   resize      int        256                 the shorter side after resizing; the longer
//!                                              becomes floor(resize · longer / shorter)
//!   crop        int        224                 side of the centre crop, at most `resize`;
//!                                              it starts at floor((resized - crop) / 2)
//!   scale       number     1/255               applied to 0..255 before mean and std
//!   mean        3 numbers  0.485 0.456 0.406   (R, G, B)
//!   std         3 numbers  0.229 0.224 0.225   (R, G, B), none zero
#![no_std]

use corral::input::{self, Input};
use corral::{config, entry, fail, output, Call, Code, DType, Result};

entry!(preprocess);

/// Limits that keep every size computation within 32 bits (the ABI's offsets are i32).
const MAX_RESIZE: i64 = 65536;
const MAX_CROP: i64 = 16384;

struct Params<'c> {
    input_name: &'c str,
    output_name: &'c str,
    resize: i32,
    crop: i32,
    /// out = value · gain + bias, i.e. (value·scale − mean) / std, per channel.
    gain: [f32; 3],
    bias: [f32; 3],
}

/// One axis of the crop: for each output position, the two source samples and the weight of
/// the second (source coordinate = (dst + 0.5)·in/out − 0.5, clamped to the image).
struct Axis<'c> {
    lo: &'c mut [i32],
    hi: &'c mut [i32],
    w: &'c mut [f32],
}

/// Two source rows, already interpolated horizontally to the crop's columns, planar (3 × crop
/// floats each), keyed by their source row index.
struct RowCache<'c> {
    row: [i32; 2],
    values: [&'c mut [f32]; 2],
    /// One source row's span of columns, as read from the host.
    bytes: &'c mut [u8],
}

fn preprocess(call: &Call) -> Result<()> {
    let p = read_params(call)?;
    let (image, height, width) = find_image(&p)?;

    // Resized size: the shorter side becomes `resize`, the other keeps the aspect ratio.
    let (out_h, out_w) = if height <= width {
        (p.resize as i64, p.resize as i64 * width as i64 / height as i64)
    } else {
        (p.resize as i64 * height as i64 / width as i64, p.resize as i64)
    };
    let crop = p.crop;
    let rows = plan_axis(call, height, out_h, ((out_h - crop as i64) / 2) as i32, crop)?;
    let cols = plan_axis(call, width, out_w, ((out_w - crop as i64) / 2) as i32, crop)?;

    let n = crop as usize;
    let mut cache = RowCache {
        row: [-1, -1],
        values: [call.alloc::<f32>(n * 3)?, call.alloc::<f32>(n * 3)?],
        bytes: call.alloc::<u8>((cols.hi[n - 1] - cols.lo[0] + 1) as usize * 3)?,
    };
    let out = call.alloc::<f32>(n * n * 3)?;

    let plane = n * n;
    for y in 0..n {
        let top = load_row(&mut cache, image, width, rows.lo[y], rows.hi[y], &cols, crop)?;
        let bottom = load_row(&mut cache, image, width, rows.hi[y], rows.lo[y], &cols, crop)?;
        let (t, b) = (&*cache.values[top], &*cache.values[bottom]);
        let wy = rows.w[y];
        for c in 0..3 {
            let (t, b) = (&t[c * n..(c + 1) * n], &b[c * n..(c + 1) * n]);
            let o = &mut out[c * plane + y * n..c * plane + (y + 1) * n];
            let (gain, bias) = (p.gain[c], p.bias[c]);
            for x in 0..n {
                o[x] = (t[x] + (b[x] - t[x]) * wy) * gain + bias;
            }
        }
    }
    output::tensor(p.output_name, &[1, 3, crop as i64, crop as i64], out)
}

fn read_params(call: &Call) -> Result<Params> {
    let input_name = config::text(call, "input_name")?.filter(|s| !s.is_empty()).unwrap_or("image");
    let output_name = config::text(call, "output_name")?.filter(|s| !s.is_empty()).unwrap_or("input");

    let resize = config::int("resize", 256);
    let crop = config::int("crop", 224);
    if !(1..=MAX_RESIZE).contains(&resize) {
        return Err(fail!(Code::Plugin, "config 'resize' must be 1..{}, got {}", MAX_RESIZE, resize));
    }
    if !(1..=MAX_CROP).contains(&crop) {
        return Err(fail!(Code::Plugin, "config 'crop' must be 1..{}, got {}", MAX_CROP, crop));
    }
    if crop > resize {
        return Err(fail!(Code::Plugin, "config 'crop' ({}) must not exceed 'resize' ({})", crop, resize));
    }

    let scale = config::num("scale", 1.0 / 255.0);
    if !scale.is_finite() {
        return Err(fail!(Code::Plugin, "config 'scale' must be a finite number"));
    }
    let mut mean = [0.485, 0.456, 0.406];
    let mut std = [0.229, 0.224, 0.225];
    for (key, values) in [("mean", &mut mean), ("std", &mut std)] {
        match config::nums_into(key, values) {
            Some(n) if n != 3 => {
                return Err(fail!(Code::Plugin, "config '{}' must have 3 values (R, G, B), got {}", key, n))
            }
            _ => {}
        }
    }
    let mut gain = [0f32; 3];
    let mut bias = [0f32; 3];
    for c in 0..3 {
        if std[c] == 0.0 || !std[c].is_finite() || !mean[c].is_finite() {
            return Err(fail!(
                Code::Plugin,
                "config 'std'/'mean' channel {} must be finite with std non-zero, got mean {} std {}",
                c,
                mean[c],
                std[c]
            ));
        }
        gain[c] = (scale / std[c]) as f32;
        bias[c] = (-mean[c] / std[c]) as f32;
    }
    Ok(Params { input_name, output_name, resize: resize as i32, crop: crop as i32, gain, bias })
}

/// The image input, checked to be uint8 [H,W,3], with its height and width.
fn find_image(p: &Params) -> Result<(Input, i32, i32)> {
    let name = p.input_name;
    let image = input::find(name)
        .ok_or_else(|| fail!(Code::Input, "input '{}' is missing (the step has {} inputs)", name, input::count()))?;
    let dtype = image.dtype_code();
    if dtype != DType::Uint8.code() {
        return Err(fail!(Code::Input, "input '{}' must be uint8 (dtype 2), got dtype {}", name, dtype));
    }
    let mut dims = [0i64; 3];
    let rank = image.shape_into(&mut dims);
    if rank != 3 {
        return Err(fail!(Code::Input, "input '{}' must be an RGB image of shape [H,W,3], got rank {}", name, rank));
    }
    if dims[2] != 3 {
        return Err(fail!(
            Code::Input,
            "input '{}' must be an RGB image of shape [H,W,3], got rank 3 with last dimension {}",
            name,
            dims[2]
        ));
    }
    if dims[0] < 1 || dims[1] < 1 {
        return Err(fail!(Code::Input, "input '{}' is an empty image ({} x {})", name, dims[0], dims[1]));
    }
    if dims[0] * dims[1] * 3 > i32::MAX as i64 {
        return Err(fail!(Code::Input, "input '{}' is too large ({} x {} pixels)", name, dims[0], dims[1]));
    }
    Ok((image, dims[0] as i32, dims[1] as i32))
}

/// Sample positions for `crop` outputs starting at `first` on an axis resized from `len` to
/// `out`.
fn plan_axis(call: &Call, len: i32, out: i64, first: i32, crop: i32) -> Result<Axis> {
    let n = crop as usize;
    let axis = Axis { lo: call.alloc::<i32>(n)?, hi: call.alloc::<i32>(n)?, w: call.alloc::<f32>(n)? };
    let step = len as f64 / out as f64;
    for i in 0..n {
        let mut s = ((first + i as i32) as f64 + 0.5) * step - 0.5;
        if s < 0.0 {
            s = 0.0;
        }
        if s > (len - 1) as f64 {
            s = (len - 1) as f64;
        }
        let lo = s as i32;
        axis.lo[i] = lo;
        axis.hi[i] = if lo + 1 < len { lo + 1 } else { lo };
        axis.w[i] = (s - lo as f64) as f32;
    }
    Ok(axis)
}

/// The cache slot holding source row `y`, loading it if needed without evicting row `keep`.
fn load_row(cache: &mut RowCache, image: Input, width: i32, y: i32, keep: i32, cols: &Axis, crop: i32) -> Result<usize> {
    if cache.row[0] == y {
        return Ok(0);
    }
    if cache.row[1] == y {
        return Ok(1);
    }
    let slot = if cache.row[0] == keep { 1 } else { 0 };
    // Columns lo[0] ..= hi[crop-1] are all the crop needs: read only that span.
    let n = crop as usize;
    let first = cols.lo[0];
    let span = cols.hi[n - 1] - first + 1;
    let offset = ((y * width + first) * 3) as usize;
    let len = (span * 3) as usize;
    if image.read(offset, &mut cache.bytes[..len]) != len {
        return Err(fail!(Code::Input, "input image data ends before row {}", y));
    }
    let values = &mut *cache.values[slot];
    let (r, rest) = values.split_at_mut(n);
    let (g, b) = rest.split_at_mut(n);
    let pixels = &cache.bytes[..len];
    for x in 0..n {
        let p0 = rgb(pixels, cols.lo[x] - first);
        let p1 = rgb(pixels, cols.hi[x] - first);
        let w = cols.w[x];
        r[x] = p0[0] as f32 + (p1[0] as f32 - p0[0] as f32) * w;
        g[x] = p0[1] as f32 + (p1[1] as f32 - p0[1] as f32) * w;
        b[x] = p0[2] as f32 + (p1[2] as f32 - p0[2] as f32) * w;
    }
    cache.row[slot] = y;
    Ok(slot)
}

/// The three bytes of pixel `x` of a row (one bounds check instead of three).
fn rgb(row: &[u8], x: i32) -> [u8; 3] {
    let p = &row[x as usize * 3..x as usize * 3 + 3];
    [p[0], p[1], p[2]]
}
