// The official OpenAI Node client, configured only with Corral's base URL, against Corral's
// OpenAI-compatible routes: models, completions and chat completions (plain and streamed) with
// the tiny stories260k Llama, and embeddings with all-MiniLM-L6-v2.
// Usage: CORRAL_URL=http://127.0.0.1:8080 node client.mjs
import OpenAI from 'openai';
import { VERSION } from 'openai/version';

const BASE = (process.env.CORRAL_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
const TEXT_MODEL = 'stories260k';
const EMBEDDING_MODEL = 'all-minilm-l6-v2';
const PROMPT = 'Once upon a time';
const MAX_TOKENS = 20;
// /work/shared/models/stories260k/expected_greedy.json: greedy after "Once upon a time"
const GREEDY_START = ', there was a little girl';
const DIMENSIONS = 384;
const GUITAR = 'A man is playing a guitar.';
const INSTRUMENT = 'Someone plays an instrument.';
const STOCKS = 'The stock market fell today.';

const client = new OpenAI({ baseURL: `${BASE}/v1`, apiKey: 'unused' });

class CheckFailed extends Error {}

function check(condition, message) {
  if (!condition) {
    throw new CheckFailed(message);
  }
}

const show = (value) => JSON.stringify(value);

function checkUsage(usage, what) {
  check(usage && Number.isInteger(usage.prompt_tokens) && usage.prompt_tokens > 0,
    `${what}: usage.prompt_tokens should be a positive integer, got ${show(usage)}`);
  check(usage.completion_tokens === MAX_TOKENS,
    `${what}: a run ended by length should report completion_tokens = max_tokens = ${MAX_TOKENS}, got ${show(usage)}`);
  check(usage.total_tokens === usage.prompt_tokens + usage.completion_tokens,
    `${what}: usage.total_tokens should be prompt_tokens + completion_tokens, got ${show(usage)}`);
}

async function listModels() {
  const ids = [];
  for await (const model of client.models.list()) {
    ids.push(model.id);
  }
  for (const id of [TEXT_MODEL, EMBEDDING_MODEL]) {
    check(ids.includes(id), `GET /v1/models should list ${id}, it lists ${show(ids)}`);
  }
  return `models: ${ids.join(', ')}`;
}

async function completion() {
  const request = { model: TEXT_MODEL, prompt: PROMPT, max_tokens: MAX_TOKENS, temperature: 0 };
  const plain = await client.completions.create(request);
  const choice = plain.choices?.[0];
  check(choice, `completions: no choices in ${show(plain)}`);
  check(choice.text.startsWith(GREEDY_START), `completions: the greedy text should start with "${GREEDY_START}", got "${choice.text}"`);
  check(choice.finish_reason === 'length', `completions: finish_reason should be "length", got "${choice.finish_reason}"`);
  checkUsage(plain.usage, 'completions');

  let streamed = '';
  let chunks = 0;
  let finishReason = null;
  for await (const chunk of await client.completions.create({ ...request, stream: true })) {
    chunks++;
    streamed += chunk.choices?.[0]?.text ?? '';
    finishReason = chunk.choices?.[0]?.finish_reason ?? finishReason;
  }
  check(chunks > 1, `completions stream: expected one chunk per token, got ${chunks} chunk(s)`);
  check(streamed === choice.text,
    `completions stream: the chunks should concatenate to the non-streamed text\n  streamed: "${streamed}"\n  plain:    "${choice.text}"`);
  check(finishReason === 'length', `completions stream: the last finish_reason should be "length", got "${finishReason}"`);
  return `completion (${chunks} chunks streamed): "${PROMPT}${choice.text}"`;
}

async function chat() {
  const request = { model: TEXT_MODEL, messages: [{ role: 'user', content: PROMPT }], max_tokens: MAX_TOKENS, temperature: 0 };
  const plain = await client.chat.completions.create(request);
  const message = plain.choices?.[0]?.message;
  check(message?.role === 'assistant', `chat: the reply should be an assistant message, got ${show(plain.choices)}`);
  check(typeof message.content === 'string' && message.content.length > 0, `chat: the reply has no content: ${show(message)}`);
  check(plain.choices[0].finish_reason === 'length', `chat: finish_reason should be "length", got "${plain.choices[0].finish_reason}"`);
  checkUsage(plain.usage, 'chat');

  let streamed = '';
  let chunks = 0;
  for await (const chunk of await client.chat.completions.create({ ...request, stream: true })) {
    chunks++;
    streamed += chunk.choices?.[0]?.delta?.content ?? '';
  }
  check(chunks > 1, `chat stream: expected one chunk per token, got ${chunks} chunk(s)`);
  check(streamed === message.content,
    `chat stream: the deltas should concatenate to the non-streamed content\n  streamed: "${streamed}"\n  plain:    "${message.content}"`);
  return `chat (${chunks} chunks streamed): "${message.content}"`;
}

const dot = (a, b) => a.reduce((sum, x, i) => sum + x * b[i], 0);
const norm = (a) => Math.sqrt(dot(a, a));

function checkVectors(response, count, what) {
  check(response.data?.length === count, `${what}: expected ${count} embeddings, got ${response.data?.length}`);
  response.data.forEach((item, i) => {
    check(item.index === i, `${what}: embedding ${i} has index ${item.index}`);
    check(item.embedding.length === DIMENSIONS, `${what}: embedding ${i} has ${item.embedding.length} dimensions, expected ${DIMENSIONS}`);
    const n = norm(item.embedding);
    check(Math.abs(n - 1) < 1e-3, `${what}: embedding ${i} should be L2-normalised, its norm is ${n}`);
  });
  return response.data.map((item) => Array.from(item.embedding));
}

async function embeddings() {
  // no encoding_format: the client asks for base64 and decodes it to float32 itself
  const base64 = checkVectors(await client.embeddings.create({ model: EMBEDDING_MODEL, input: [GUITAR, INSTRUMENT] }),
    2, 'embeddings (base64)');
  const float = await client.embeddings.create({ model: EMBEDDING_MODEL, input: [GUITAR, INSTRUMENT, STOCKS], encoding_format: 'float' });
  const [guitar, instrument, stocks] = checkVectors(float, 3, 'embeddings (float)');
  const drift = Math.max(...base64.flatMap((v, i) => v.map((x, j) => Math.abs(x - [guitar, instrument][i][j]))));
  // the two requests batch differently, so allow float noise; a decoding mistake is far larger
  check(drift < 1e-4, `embeddings: base64 and float encodings of the same sentences differ by up to ${drift}`);
  const near = dot(guitar, instrument);
  const far = dot(guitar, stocks);
  check(near > far, `embeddings: "${GUITAR}" should be closer to "${INSTRUMENT}" (cosine ${near.toFixed(4)}) `
    + `than to "${STOCKS}" (cosine ${far.toFixed(4)})`);
  check(float.usage?.prompt_tokens > 0, `embeddings: usage.prompt_tokens should be positive, got ${show(float.usage)}`);
  return `embeddings: ${DIMENSIONS}-d, unit norm; cosine(guitar, instrument) = ${near.toFixed(4)} > cosine(guitar, stocks) = ${far.toFixed(4)}`;
}

async function unknownModel() {
  try {
    await client.completions.create({ model: 'no-such-model', prompt: PROMPT, max_tokens: 1 });
  } catch (e) {
    check(e instanceof OpenAI.APIError, `unknown model: expected an APIError, got ${e}`);
    check(e.status === 404, `unknown model: expected HTTP 404, got ${e.status} (${e.message})`);
    check(e.message.includes('no-such-model'), `unknown model: the error should name the model, it says "${e.message}"`);
    return `unknown model: ${e.message}`;
  }
  throw new CheckFailed('unknown model: the request succeeded');
}

async function main() {
  const lines = [];
  for (const step of [listModels, completion, chat, embeddings, unknownModel]) {
    try {
      lines.push(await step());
    } catch (e) {
      const why = e instanceof CheckFailed ? e.message
        : e instanceof OpenAI.APIError ? `HTTP ${e.status ?? '(no response)'}: ${e.message}` : e.stack;
      throw new CheckFailed(`${step.name}: ${why}`);
    }
  }
  console.log(lines.map((l) => `  ${l}`).join('\n'));
  console.log(`OpenAI client (openai ${VERSION}) against ${BASE}/v1: all checks passed`);
}

main().catch((e) => {
  console.error(`OpenAI client FAILED against ${BASE}/v1: ${e.message}`);
  process.exit(1);
});
