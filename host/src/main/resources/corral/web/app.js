// Corral's text-generation page: lists the text-generation models from GET /models, streams a
// completion from GET /infer/text/stream through EventSource and shows it as it arrives.
// Model output only ever reaches the page as text nodes (never as HTML).

const $ = (id) => document.getElementById(id);
const form = $('generate-form');
const modelSelect = $('model');
const modelNote = $('model-note');
const promptInput = $('prompt');
const maxTokensInput = $('max-tokens');
const temperatureInput = $('temperature');
const generateButton = $('generate');
const stopButton = $('stop');
const output = $('output');
const statusLine = $('status');
const announcer = $('announce');

const TEXT_GENERATION = 'text-generation';
const MODEL_LIST_RETRY_MS = 2000;

/** The generation in flight, or null. */
let run = null;
/** name → description from GET /models, for the models offered in the list. */
let modelsByName = new Map();

/** Sets the status line; `announce` also tells screen readers (only at the start and the end, not per token). */
function setStatus(text, { announce = false, error = false } = {}) {
  statusLine.textContent = text;
  statusLine.classList.toggle('error', error);
  if (announce) {
    announcer.textContent = text;
  }
}

async function loadModels() {
  let models;
  try {
    const response = await fetch('models', { headers: { Accept: 'application/json' } });
    if (!response.ok) {
      throw new Error(await errorText(response));
    }
    models = (await response.json()).models.filter((m) => m.task === TEXT_GENERATION);
  } catch (e) {
    setStatus(`Could not list the models (GET /models): ${e.message}`, { announce: true, error: true });
    return;
  }
  const previous = modelSelect.value;
  modelsByName = new Map(models.map((m) => [m.name, m]));
  modelSelect.replaceChildren(...models.map((m) => {
    const option = document.createElement('option');
    option.value = m.name;
    option.textContent = m.state === 'ready' ? `${m.name} (version ${m.version})` : `${m.name} — ${m.state}`;
    option.disabled = m.state !== 'ready';
    return option;
  }));
  const ready = models.filter((m) => m.state === 'ready');
  if (ready.length > 0) {
    modelSelect.value = ready.some((m) => m.name === previous) ? previous : ready[0].name;
  }
  modelSelect.disabled = models.length === 0;
  applyModelOptions();
  if (models.some((m) => m.state === 'loading')) {
    setTimeout(loadModels, MODEL_LIST_RETRY_MS); // a model still loading becomes selectable when ready
  }
  if (!run) {
    generateButton.disabled = ready.length === 0;
    if (models.length === 0) {
      setStatus('This server has no text-generation model.', { announce: true, error: true });
    } else if (ready.length === 0) {
      setStatus('No text-generation model is ready yet.', { announce: true });
    } else {
      setStatus('Ready: type a prompt and press Generate.', { announce: true });
    }
  }
}

/** Bounds the temperature input by what the selected model's manifest allows. */
function applyModelOptions() {
  const model = modelsByName.get(modelSelect.value);
  const temperature = model?.options?.temperature;
  temperatureInput.min = temperature?.min ?? 0;
  temperatureInput.max = temperature?.max ?? '';
  modelNote.textContent = model?.description ?? '';
}

/** Reads the form; returns the query parameters, or null after saying what is wrong. */
function readRequest() {
  const model = modelSelect.value;
  const prompt = promptInput.value;
  const maxTokens = Number(maxTokensInput.value);
  const temperature = Number(temperatureInput.value);
  let problem = null;
  if (!model) {
    problem = 'Pick a model first.';
  } else if (maxTokensInput.value === '' || !Number.isInteger(maxTokens) || maxTokens < 1) {
    problem = 'Max tokens must be a whole number of at least 1.';
  } else if (temperatureInput.value === '' || !Number.isFinite(temperature) || temperature < 0) {
    problem = 'Temperature must be a number of at least 0.';
  }
  if (problem) {
    setStatus(problem, { announce: true, error: true });
    return null;
  }
  return new URLSearchParams({ model, prompt, max_tokens: String(maxTokens), temperature: String(temperature) });
}

function start() {
  if (run) {
    return;
  }
  const params = readRequest();
  if (!params) {
    return;
  }
  const url = `infer/text/stream?${params}`;
  run = { url, source: new EventSource(url), tokens: 0, started: performance.now(), firstTokenAt: 0, received: false };
  output.replaceChildren();
  output.setAttribute('aria-busy', 'true');
  const hadFocus = document.activeElement === generateButton;
  generateButton.disabled = true;
  stopButton.disabled = false;
  if (hadFocus) {
    stopButton.focus();
  }
  setStatus(`Generating with ${params.get('model')}…`, { announce: true });
  const current = run;
  current.source.onmessage = (event) => onEvent(current, event.data);
  current.source.onerror = () => onStreamError(current);
}

function onEvent(current, data) {
  if (run !== current) {
    return;
  }
  current.received = true;
  if (data === '[DONE]') {
    finish(current, null); // the final event already said how it ended; [DONE] only ends the stream
    return;
  }
  let event;
  try {
    event = JSON.parse(data);
  } catch {
    finish(current, { text: `The server sent an event that is not JSON: ${data.slice(0, 200)}`, error: true });
    return;
  }
  if (event.error) {
    finish(current, { text: `Error (${event.error.code}): ${event.error.message}`, error: true });
  } else if (event.finish_reason !== undefined) {
    output.textContent = event.text; // the whole text, including anything held back while streaming
    finish(current, { text: finalSummary(current, event) });
  } else {
    if (current.tokens === 0) {
      current.firstTokenAt = performance.now();
    }
    current.tokens = event.index + 1;
    output.append(event.text);
    setStatus(`Generating… ${progress(current)}`);
  }
}

/** "N tokens, R tokens/s", the rate measured since the first token arrived. */
function progress(current) {
  const seconds = (performance.now() - current.firstTokenAt) / 1000;
  const rate = current.tokens > 1 && seconds > 0 ? ((current.tokens - 1) / seconds).toFixed(1) : '–';
  return `${current.tokens} token${current.tokens === 1 ? '' : 's'}, ${rate} tokens/s`;
}

function finalSummary(current, event) {
  const tokens = event.usage?.completion_tokens ?? current.tokens;
  const rate = event.timings?.tokens_per_second;
  const firstToken = event.timings?.time_to_first_token_ms;
  return `Done: ${tokens} token${tokens === 1 ? '' : 's'}`
    + (rate !== undefined ? `, ${Number(rate).toFixed(1)} tokens/s` : '')
    + (firstToken !== undefined ? `, first token after ${Math.round(firstToken)} ms` : '')
    + ` — finish reason: ${event.finish_reason}`;
}

function stop() {
  if (run) {
    const current = run;
    finish(current, { text: `Stopped after ${progress(current)}.` });
  }
}

/** Ends the run: closes the EventSource (it would otherwise reconnect and generate again). */
function finish(current, status) {
  current.source.close();
  if (run !== current) {
    return;
  }
  run = null;
  if (status) {
    setStatus(status.text, { announce: true, error: status.error });
  }
  output.setAttribute('aria-busy', 'false');
  const hadFocus = document.activeElement === stopButton;
  stopButton.disabled = true;
  generateButton.disabled = !modelSelect.value;
  if (hadFocus) {
    generateButton.focus();
  }
}

/**
 * EventSource hides why a request failed: a refusal before the stream began (4xx/5xx with a JSON
 * body) only shows as an error with the source closed. Asking again with fetch reads that body;
 * should the second request be accepted after all, it is aborted at once.
 */
async function onStreamError(current) {
  if (run !== current) {
    return;
  }
  const refused = current.source.readyState === EventSource.CLOSED && !current.received;
  if (!refused) {
    finish(current, { text: `The connection to the server was lost after ${current.tokens} tokens.`, error: true });
    return;
  }
  current.source.close();
  const probe = new AbortController();
  let text;
  try {
    const response = await fetch(current.url, { signal: probe.signal, headers: { Accept: 'text/event-stream' } });
    text = response.ok ? 'The server closed the stream before sending anything.' : await errorText(response);
  } catch (e) {
    text = `The server cannot be reached: ${e.message}`;
  } finally {
    probe.abort();
  }
  finish(current, { text, error: true });
}

/** "HTTP 429 too_many_generations: … (retry after 1 s)" from a Corral error response. */
async function errorText(response) {
  let detail = response.statusText;
  try {
    const body = await response.json();
    if (body?.error) {
      detail = `${body.error.code}: ${body.error.message}`;
    }
  } catch {
    // not JSON: the status line says enough
  }
  const retryAfter = response.headers.get('Retry-After');
  return `HTTP ${response.status} ${detail}${retryAfter ? ` (retry after ${retryAfter} s)` : ''}`;
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  start();
});
stopButton.addEventListener('click', stop);
modelSelect.addEventListener('change', applyModelOptions);
promptInput.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    form.requestSubmit();
  }
});
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && run) {
    stop();
  }
});

loadModels();
