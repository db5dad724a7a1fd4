// Runs the committed .wasm files in a real WebAssembly engine (Node's) with a minimal `corral`
// host, to catch what the native harness cannot: the wasm build itself (imports, exports,
// __heap_base, memory.grow, bulk memory). Checks preprocess on a real photo against a
// double-precision reference, postprocess's exact JSON with the real synset labels, the text
// plugins over a fake tokenizer (tokenize, pool, chat template, the sampler's random draws), the
// detection plugins (a letterboxed real photo against a reference, the post-processors' JSON),
// and that memory stops growing after the first call.
//   node plugins/test/wasm-smoke.mjs [MODELS_DIR] [IMAGES_DIR]
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const models = process.argv[2] ?? join(root, '..', 'shared', 'models');
const images = process.argv[3] ?? join(root, '..', 'shared', 'testdata', 'images');
let passed = 0, failed = 0;
const check = (ok, what) => { if (ok) passed++; else { failed++; console.error(`    FAIL ${what}`); } };

// ---- a minimal host: inputs, config, options; records outputs and the error ----
function host(state) {
  let memory;
  const bytes = (ptr, len) => new Uint8Array(memory.buffer, ptr, len);
  const text = (ptr, len) => new TextDecoder().decode(bytes(ptr, len).slice());
  const put = (ptr, cap, data) => { bytes(ptr, Math.min(cap, data.length)).set(data.subarray(0, cap)); return data.length; };
  const param = (ns) => ({
    i64: (k, n, d) => (text(k, n) in ns ? BigInt(ns[text(k, n)]) : d),
    f64: (k, n, d) => (text(k, n) in ns ? ns[text(k, n)] : d),
    str: (k, n, dst, cap) => (text(k, n) in ns ? put(dst, cap, new TextEncoder().encode(ns[text(k, n)])) : -1),
    f64s: (k, n, dst, cap) => {
      if (!(text(k, n) in ns)) return -1;
      const v = ns[text(k, n)];
      new Float64Array(memory.buffer, dst, Math.min(cap, v.length)).set(v.slice(0, cap));
      return v.length;
    },
  });
  const cfg = param(state.config), opt = param(state.options);
  const input = (i) => state.inputs[i];
  const imports = {
    input_count: () => state.inputs.length,
    input_find: (p, n) => state.inputs.findIndex((t) => t.name === text(p, n)),
    input_name: (i, dst, cap) => put(dst, cap, new TextEncoder().encode(input(i).name)),
    input_dtype: (i) => input(i).dtype,
    input_rank: (i) => input(i).dims.length,
    input_dim: (i, a) => BigInt(input(i).dims[a]),
    input_byte_size: (i) => input(i).data.length,
    input_read: (i, off, dst, len) => Math.min(len, put(dst, len, input(i).data.subarray(off))),
    output_tensor: (np, nl, dtype, dims, rank, data, len) => {
      const d = Array.from(new BigInt64Array(memory.buffer, dims, rank), Number);
      state.outputs[text(np, nl)] = { dtype, dims: d, data: bytes(data, len).slice() };
      return 0;
    },
    output_json: (p, n) => { state.json = text(p, n); JSON.parse(state.json); return 0; },
    config_i64: cfg.i64, config_f64: cfg.f64, config_str: cfg.str, config_f64s: cfg.f64s,
    option_i64: opt.i64, option_f64: opt.f64, option_str: opt.str, option_f64s: opt.f64s,
    // The tokenizer capability, faked as in plugins/test/stub.c: byte b = id 3+b, 1 … 2 around.
    tokenizer_encode: (p, n, flags, dst, cap) => {
      const ids = [...(flags & 1 ? [1] : []), ...bytes(p, n).slice().map((b) => b + 3), ...(flags & 1 ? [2] : [])];
      new Int32Array(memory.buffer, dst, Math.min(cap, ids.length)).set(ids.slice(0, cap));
      return ids.length;
    },
    tokenizer_decode: (p, count, flags, dst, cap) =>
      put(dst, cap, Uint8Array.from(new Int32Array(memory.buffer, p, count).filter((id) => id >= 3), (id) => id - 3)),
    tokenizer_token_id: (p, n) => (n === 1 ? bytes(p, 1)[0] + 3 : -1),
    tokenizer_vocab_size: () => 259,
    log: (level, p, n) => console.error(`    [plugin log ${level}] ${text(p, n)}`),
    set_error: (code, p, n) => { state.error = { code, message: text(p, n) }; },
  };
  return { imports, bind: (instance) => { memory = instance.exports.memory; } };
}

async function load(name, state) {
  const wasm = readFileSync(join(here, '..', name, `${name}.wasm`));
  const module = await WebAssembly.compile(wasm);
  const foreign = WebAssembly.Module.imports(module).filter((i) => i.module !== 'corral');
  check(foreign.length === 0, `${name} imports only from corral (${JSON.stringify(foreign)})`);
  const h = host(state);
  const instance = await WebAssembly.instantiate(module, { corral: h.imports });
  h.bind(instance);
  check(instance.exports.corral_abi_version() === 1, `${name} ABI version is 1`);
  return instance;
}

// ---- PNG (8-bit RGB, non-interlaced) to raw RGB ----
function decodePng(file) {
  const buf = readFileSync(file);
  let pos = 8, width, height, idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos), type = buf.toString('latin1', pos + 4, pos + 8);
    const body = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0); height = body.readUInt32BE(4);
      if (body[8] !== 8 || body[9] !== 2 || body[12] !== 0) throw new Error(`${file}: not 8-bit RGB non-interlaced`);
    } else if (type === 'IDAT') idat.push(body);
    pos += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat)), stride = width * 3, out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)], line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= 3 ? out[y * stride + x - 3] : 0, b = y > 0 ? out[(y - 1) * stride + x] : 0;
      const c = x >= 3 && y > 0 ? out[(y - 1) * stride + x - 3] : 0;
      const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      const pred = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][filter];
      out[y * stride + x] = (line[x] + pred) & 255;
    }
  }
  return { width, height, rgb: out };
}

// ---- the double-precision reference: resize the whole image, then crop ----
function reference({ width: w, height: h, rgb }, resize, crop, mean, std) {
  const oh = h <= w ? resize : Math.floor(resize * h / w), ow = h <= w ? Math.floor(resize * w / h) : resize;
  const top = Math.floor((oh - crop) / 2), left = Math.floor((ow - crop) / 2);
  const coord = (d, n, o) => {
    const s = Math.min(Math.max((d + 0.5) * (n / o) - 0.5, 0), n - 1), lo = Math.floor(s);
    return [lo, Math.min(lo + 1, n - 1), s - lo];
  };
  const out = new Float64Array(3 * crop * crop);
  for (let y = 0; y < crop; y++) {
    const [y0, y1, wy] = coord(y + top, h, oh);
    for (let x = 0; x < crop; x++) {
      const [x0, x1, wx] = coord(x + left, w, ow);
      for (let c = 0; c < 3; c++) {
        const px = (yy, xx) => rgb[(yy * w + xx) * 3 + c];
        const v = (1 - wy) * ((1 - wx) * px(y0, x0) + wx * px(y0, x1)) + wy * ((1 - wx) * px(y1, x0) + wx * px(y1, x1));
        out[(c * crop + y) * crop + x] = (v / 255 - mean[c]) / std[c];
      }
    }
  }
  return out;
}

// ---- preprocess on a real photo ----
{
  const image = decodePng(join(images, 'chelsea.png'));
  const state = {
    inputs: [{ name: 'image', dtype: 2, dims: [image.height, image.width, 3], data: image.rgb }],
    config: {}, options: {}, outputs: {},
  };
  const plugin = await load('imagenet-preprocess', state);
  const sizes = [];
  for (let call = 0; call < 5; call++) {
    state.outputs = {};
    check(plugin.exports.preprocess() === 0, `preprocess call ${call} returned 0 (${JSON.stringify(state.error)})`);
    sizes.push(plugin.exports.memory.buffer.byteLength);
  }
  const out = state.outputs.input;
  check(out && out.dtype === 1 && out.dims.join() === '1,3,224,224', `output 'input' is float32 [1,3,224,224]`);
  const got = new Float32Array(out.data.buffer);
  const want = reference(image, 256, 224, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  check(worst < 2e-5, `chelsea.png matches the reference (largest difference ${worst})`);
  check(sizes.every((s) => s === sizes[0]), `memory stays ${sizes[0]} bytes over 5 calls (${sizes})`);
  // The output (602,112 bytes) + the 64 KiB stack + a few rows; not the 405,900-byte image too.
  const bound = 602112 + 65536 + 2 * 65536;
  check(sizes[0] <= bound, `memory (${sizes[0]} bytes) holds the output and a few rows (<= ${bound})`);

  state.inputs[0].dtype = 1;
  check(plugin.exports.preprocess() !== 0 && state.error?.code === 2, `a float image is refused with code 2`);
}

// ---- postprocess with the real synset labels ----
{
  const logits = new Float32Array(1000);
  logits[285] = 6; logits[282] = 5; logits[281] = 5;
  const state = {
    inputs: [{ name: 'output', dtype: 1, dims: [1, 1000], data: new Uint8Array(logits.buffer) }],
    config: { labels: readFileSync(join(models, 'mobilenetv2-12-int8', 'synset.txt'), 'utf8'), label_format: 'synset' },
    options: { top_k: 3 }, outputs: {},
  };
  const plugin = await load('classify-postprocess', state);
  const sizes = [];
  for (let call = 0; call < 5; call++) {
    check(plugin.exports.postprocess() === 0, `postprocess call ${call} returned 0 (${JSON.stringify(state.error)})`);
    sizes.push(plugin.exports.memory.buffer.byteLength);
  }
  const doc = JSON.parse(state.json);
  const labels = doc.predictions.map((p) => `${p.index}:${p.label}`).join(', ');
  check(labels === '285:Egyptian cat, 281:tabby, 282:tiger cat', `top 3 with labels (${labels})`);
  const e = [Math.exp(6), Math.exp(5)], sum = e[0] + 2 * e[1] + 997;
  check(Math.abs(doc.predictions[0].probability - e[0] / sum) < 1e-6, `softmax probability ${doc.predictions[0].probability}`);
  check(sizes.every((s) => s === sizes[0]), `memory stays ${sizes[0]} bytes over 5 calls (${sizes})`);
  state.options.top_k = 0;
  check(plugin.exports.postprocess() !== 0 && state.error?.code === 3, `top_k 0 is refused with code 3`);
}

// ---- the text plugins ----
const utf8 = (s) => new TextEncoder().encode(s);
const i64s = (t) => Array.from(new BigInt64Array(t.data.slice().buffer), Number);
{
  const state = { inputs: [{ name: 'text', dtype: 2, dims: [5], data: utf8('hello') }], config: { max_length: 4 }, options: {}, outputs: {} };
  const plugin = await load('text-tokenize', state);
  check(plugin.exports.tokenize() === 0, `tokenize returned 0 (${JSON.stringify(state.error)})`);
  const ids = state.outputs.input_ids;
  check(ids?.dims.join() === '1,4' && i64s(ids).join() === `1,${104 + 3},${101 + 3},2`, `tokenize truncates keeping [SEP] (${ids && i64s(ids)})`);
  check(i64s(state.outputs.attention_mask).join() === '1,1,1,1', 'attention mask of ones');
  state.options.truncate = 0;
  check(plugin.exports.tokenize() !== 0 && state.error?.code === 2 && state.error.message.includes('the text is 7 tokens'),
    `truncate=false is refused with code 2 (${state.error?.message})`);
}
{
  const hidden = new Float32Array([1, 2, 3, 4, 100, -100]);
  const state = {
    inputs: [{ name: 'last_hidden_state', dtype: 1, dims: [1, 3, 2], data: new Uint8Array(hidden.buffer) },
      { name: 'attention_mask', dtype: 7, dims: [1, 3], data: new Uint8Array(new BigInt64Array([1n, 1n, 0n]).buffer) }],
    config: {}, options: {}, outputs: {},
  };
  const plugin = await load('embed-pool', state);
  check(plugin.exports.pool() === 0, `pool returned 0 (${JSON.stringify(state.error)})`);
  check(state.json === '{"embedding":[0.5547002,0.8320503],"tokens":2}', `mean pool, normalised (${state.json})`);
}
{
  // A zero-shot batch: text-tokenize's list mode, then similarity-rank's softmax on the rows.
  const list = (items) => Buffer.concat(items.flatMap((s) => { const b = Buffer.from(s); const n = Buffer.alloc(4); n.writeUInt32LE(b.length); return [n, b]; }));
  const texts = list(['ab', 'c']);
  const tok = { inputs: [{ name: 'texts', dtype: 2, dims: [texts.length], data: texts }], config: { input_list: 'texts' }, options: {}, outputs: {} };
  const tokenizer = await load('text-tokenize', tok);
  check(tokenizer.exports.tokenize() === 0, `list tokenize returned 0 (${JSON.stringify(tok.error)})`);
  check(tok.outputs.input_ids?.dims.join() === '2,4' && i64s(tok.outputs.attention_mask).join() === '1,1,1,1,1,1,1,0',
    `two rows padded to 4 (${tok.outputs.input_ids?.dims})`);
  const f32 = (values) => new Uint8Array(new Float32Array(values).buffer);
  const sim = {
    inputs: [{ name: 'image_embeds', dtype: 1, dims: [1, 2], data: f32([1, 0]) },
      { name: 'text_embeds', dtype: 1, dims: [2, 2], data: f32([0, 1, 3, 0]) }, { name: 'texts', dtype: 2, dims: [texts.length], data: texts }],
    config: { query: 'image_embeds', candidates: 'text_embeds', mode: 'softmax', logit_scale: 1, item_texts: 'texts' }, options: {}, outputs: {},
  };
  const ranker = await load('similarity-rank', sim);
  check(ranker.exports.rank() === 0, `rank returned 0 (${JSON.stringify(sim.error)})`);
  const labels = JSON.parse(sim.json ?? '{}').labels ?? [];
  check(labels[0]?.label === 'c' && Math.abs(labels[0].score - Math.E / (Math.E + 1)) < 1e-6 && Math.abs(labels[0].score + labels[1].score - 1) < 1e-6,
    `softmax picks 'c' (${sim.json})`);
}
{
  const record = (pairs) => Buffer.concat(pairs.flatMap((s) => { const b = Buffer.from(s); const n = Buffer.alloc(4); n.writeUInt32LE(b.length); return [n, b]; }));
  const state = {
    inputs: [{ name: 'messages', dtype: 2, dims: [0], data: record(['user', 'Hi', 'assistant', 'Yo']) }],
    config: { message_template: '{role}: {content}', generation_prompt: '\nassistant:', add_special_tokens: 0 }, options: {}, outputs: {},
  };
  state.inputs[0].dims = [state.inputs[0].data.length];
  const plugin = await load('prompt-template', state);
  check(plugin.exports.prompt() === 0, `prompt returned 0 (${JSON.stringify(state.error)})`);
  const text = String.fromCharCode(...i64s(state.outputs.input_ids).map((id) => id - 3));
  check(text === 'user: Hi\nassistant: Yo\nassistant:', `chat rendered (${JSON.stringify(text)})`);
}
{
  // Flat logits: token = floor(512 · u); u from splitmix64 as java.util.SplittableRandom(1234567).
  const v = 512, state = {
    inputs: [{ name: 'logits', dtype: 1, dims: [v], data: new Uint8Array(new Float32Array(v).buffer) },
      { name: 'tokens', dtype: 7, dims: [1], data: new Uint8Array(new BigInt64Array([5n]).buffer) },
      { name: 'step', dtype: 7, dims: [1], data: new Uint8Array(8) }],
    config: {}, options: { seed: 1234567, repetition_penalty: 1.2 }, outputs: {},
  };
  const plugin = await load('llm-sampler', state);
  const drawn = [], sizes = [];
  for (let step = 0; step < 200; step++) {
    state.inputs[2].data = new Uint8Array(new BigInt64Array([BigInt(step)]).buffer);
    check(plugin.exports.sample() === 0, `sample step ${step} returned 0 (${JSON.stringify(state.error)})`);
    drawn.push(i64s(state.outputs.token)[0]);
    sizes.push(plugin.exports.memory.buffer.byteLength);
  }
  check(drawn.slice(0, 3).join() === '179,88,272', `draws match SplittableRandom(1234567) (${drawn.slice(0, 3)})`);
  check(sizes.every((s) => s === sizes[0]), `sampler memory stays ${sizes[0]} bytes over 200 calls`);
  state.options.top_p = 2;
  check(plugin.exports.sample() !== 0 && state.error?.code === 3, 'top_p 2 is refused with code 3');
}

// ---- detection: image-preprocess letterbox on a real photo, the post-processors' JSON ----
{
  const image = decodePng(join(images, 'coffee.png'));
  const state = {
    inputs: [{ name: 'image', dtype: 2, dims: [image.height, image.width, 3], data: image.rgb }],
    config: { mode: 'letterbox', width: 416, height: 416, channel_order: 'bgr', scale: 1, output_name: 'images' },
    options: {}, outputs: {},
  };
  const plugin = await load('image-preprocess', state);
  const sizes = [];
  for (let call = 0; call < 3; call++) {
    check(plugin.exports.preprocess() === 0, `image-preprocess call ${call} returned 0 (${JSON.stringify(state.error)})`);
    sizes.push(plugin.exports.memory.buffer.byteLength);
  }
  const out = state.outputs.images, scale = new Float32Array(state.outputs.image_scale.data.buffer);
  check(out?.dims.join() === '1,3,416,416', `letterbox output is [1,3,416,416] (${out?.dims})`);
  const ratio = Math.min(416 / image.height, 416 / image.width);
  check(Math.abs(scale[0] - ratio) < 1e-6 && scale[0] === scale[1], `image_scale is the ratio (${scale})`);
  // Reference: resize to floor(w·r) × floor(h·r) in double precision, BGR, raw 0..255, pad 114.
  const { width: w, height: h, rgb } = image, rw = Math.floor(w * ratio), rh = Math.floor(h * ratio);
  const coord = (d, n, o) => {
    const s = Math.min(Math.max((d + 0.5) * (n / o) - 0.5, 0), n - 1), lo = Math.floor(s);
    return [lo, Math.min(lo + 1, n - 1), s - lo];
  };
  const got = new Float32Array(out.data.buffer);
  let worst = 0;
  for (let y = 0; y < 416; y++) {
    const [y0, y1, wy] = coord(y, h, rh);
    for (let x = 0; x < 416; x++) {
      const [x0, x1, wx] = coord(x, w, rw);
      for (let c = 0; c < 3; c++) {
        const px = (yy, xx) => rgb[(yy * w + xx) * 3 + (2 - c)];
        const want = y >= rh || x >= rw ? 114
          : (1 - wy) * ((1 - wx) * px(y0, x0) + wx * px(y0, x1)) + wy * ((1 - wx) * px(y1, x0) + wx * px(y1, x1));
        worst = Math.max(worst, Math.abs(got[(c * 416 + y) * 416 + x] - want));
      }
    }
  }
  check(worst < 1e-3, `coffee.png letterbox matches the reference (largest difference ${worst})`);
  check(sizes.every((s) => s === sizes[0]), `image-preprocess memory stays ${sizes[0]} bytes over 3 calls (${sizes})`);
}
{
  // One cup anchor at stride 8, cell (3, 2), with the real COCO labels; image_scale 0.5.
  const output = new Float32Array(3549 * 85), cup = (2 * 52 + 3) * 85;
  output.set([0.5, 0.5, Math.log(2), Math.log(4), 0.9], cup);
  output[cup + 5 + 41] = 0.95;
  const state = {
    inputs: [{ name: 'output', dtype: 1, dims: [1, 3549, 85], data: new Uint8Array(output.buffer) },
      { name: 'image_scale', dtype: 1, dims: [2], data: new Uint8Array(new Float32Array([0.5, 0.5]).buffer) },
      { name: 'image', dtype: 2, dims: [200, 300, 3], data: new Uint8Array(200 * 300 * 3) }],
    config: { labels: readFileSync(join(models, 'yolox-nano', 'coco_classes.txt'), 'utf8') }, options: {}, outputs: {},
  };
  const plugin = await load('yolox-postprocess', state);
  check(plugin.exports.postprocess() === 0, `yolox-postprocess returned 0 (${JSON.stringify(state.error)})`);
  check(state.json === '{"detections":[{"label":"cup","class_id":41,"score":0.85499996,"box":[40,8,72,72]}]}',
    `yolox JSON (${state.json})`);
  const list = state.outputs.det_labels;
  check(list?.dims.join() === '7' && Buffer.from(list.data).equals(Buffer.from([3, 0, 0, 0, 99, 117, 112])), 'det_labels is [cup]');
  state.options.classes = 'cup,unicorn';
  check(plugin.exports.postprocess() !== 0 && state.error?.code === 3 && state.error.message.includes("'unicorn'"),
    `an unknown class is refused with code 3 (${state.error?.message})`);
}
{
  const state = {
    inputs: [{ name: 'scores', dtype: 1, dims: [1, 2, 2], data: new Uint8Array(new Float32Array([0.1, 0.9, 0.9, 0.1]).buffer) },
      { name: 'boxes', dtype: 1, dims: [1, 2, 4], data: new Uint8Array(new Float32Array([0.25, 0.5, 0.5, 1, 0, 0, 1, 1]).buffer) },
      { name: 'image', dtype: 2, dims: [100, 200, 3], data: new Uint8Array(100 * 200 * 3) }],
    config: {}, options: {}, outputs: {},
  };
  const plugin = await load('ultraface-postprocess', state);
  check(plugin.exports.postprocess() === 0, `ultraface-postprocess returned 0 (${JSON.stringify(state.error)})`);
  check(state.json === '{"detections":[{"label":"face","class_id":0,"score":0.9,"box":[50,50,100,100]}]}',
    `ultraface JSON (${state.json})`);
}

console.log(`wasm smoke: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
