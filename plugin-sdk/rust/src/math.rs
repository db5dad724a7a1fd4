//! Numbers without libm, deterministic (plain IEEE arithmetic, no fused multiply-add), so the
//! same inputs give the same bits whether the host compiles or interprets the plugin
//! (ABI.md §8).

/// e^x for float32, within 1 ulp: computed in float64 and rounded once, like the C SDK's
/// `corral_expf` (the same steps, so both give the same bits).
pub fn expf(xf: f32) -> f32 {
    if xf.is_nan() {
        return xf;
    }
    let x = xf as f64;
    if x > 88.72283935546875 {
        return f32::INFINITY; // above ln(f32::MAX)
    }
    if x < -103.97208404541016 {
        return 0.0; // below ln(smallest subnormal / 2)
    }
    // x = k·ln2 + r with |r| <= ln2/2; e^r by its degree-11 Taylor polynomial (truncation
    // error below 1e-14, far under float32 precision); 2^k from the exponent bits.
    let kd = x * 1.4426950408889634; // log2(e)
    let k = (if kd < 0.0 { kd - 0.5 } else { kd + 0.5 }) as i32;
    let r = x - k as f64 * 0.6931471805599453;
    let p = 1.0
        + r * (1.0
            + r * (1.0 / 2.0
                + r * (1.0 / 6.0
                    + r * (1.0 / 24.0
                        + r * (1.0 / 120.0
                            + r * (1.0 / 720.0
                                + r * (1.0 / 5040.0
                                    + r * (1.0 / 40320.0
                                        + r * (1.0 / 362880.0 + r * (1.0 / 3628800.0 + r * (1.0 / 39916800.0)))))))))));
    // 2^k is a normal float64 for every k reached here (-150 .. 128).
    (p * f64::from_bits(((k + 1023) as u64) << 52)) as f32
}

/// The SplitMix64 mix of ABI.md §4.7 (arithmetic modulo 2^64).
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The sampler's draw `u` in `[0, 1)` for `seed` and `step` (ABI.md §4.7): the `(step+1)`-th
/// `nextDouble()` of Java's `SplittableRandom(seed)`.
pub fn sampler_uniform(seed: i64, step: i64) -> f64 {
    let x = (seed as u64).wrapping_add((step as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    (splitmix64(x) >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}
