// Drives Corral's browser page (GET /) in Debian's chromium: a completion streams into the page
// event by event, a finished run closes its EventSource, Stop ends a run and nothing arrives
// afterwards, and a refused request shows the server's error.
// Usage: CORRAL_URL=http://127.0.0.1:8080 node stream-test.mjs   (needs /usr/bin/chromium)
import { chromium } from 'playwright-core';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const BASE = (process.env.CORRAL_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
const MODEL = process.env.CORRAL_TEXT_MODEL ?? 'stories260k';
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const TARGET = fileURLToPath(new URL('./target/', import.meta.url));
const PROMPT = 'Once upon a time';
const GREEDY_START = ', there was a little girl'; // /work/shared/models/stories260k/expected_greedy.json
const GROWTHS_BEFORE_STOP = 3;
const WAIT_MS = 60_000; // bounded waits for the page and the server, generous for a slow machine
const QUIET_MS = 1_000; // how long the page must stay unchanged after a run has ended

class TestFailure extends Error {}

function check(condition, message) {
  if (!condition) {
    throw new TestFailure(message);
  }
}

/** Counts the page's EventSources and lets the test read their state (CLOSED = 2). */
function recordEventSources() {
  const Original = window.EventSource;
  window.__eventSources = [];
  window.EventSource = class extends Original {
    constructor(...args) {
      super(...args);
      window.__eventSources.push(this);
    }
  };
}

/**
 * Watches #output from inside the page and presses Stop once its text has grown
 * `growths` times. The tiny model makes hundreds of tokens a second, so a click sent from
 * outside the page could land after the last token; a mutation observer runs before the
 * page handles its next event, which makes "Stop before the end" deterministic.
 */
function stopAfterGrowths(growths) {
  const output = document.getElementById('output');
  const lengths = [];
  window.__stopped = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      const length = output.textContent.length;
      if (length > (lengths.at(-1) ?? 0)) {
        lengths.push(length);
      }
      if (document.getElementById('stop').disabled) { // the run ended on its own before enough growth
        observer.disconnect();
        resolve({ lengths, statusAtStop: null });
      } else if (lengths.length >= growths) {
        observer.disconnect();
        const statusAtStop = document.getElementById('status').textContent;
        document.getElementById('stop').click();
        resolve({ lengths, statusAtStop });
      }
    });
    observer.observe(output, { childList: true, characterData: true, subtree: true });
  });
}

async function setForm(page, { maxTokens, temperature }) {
  await page.fill('#prompt', PROMPT);
  await page.fill('#max-tokens', String(maxTokens));
  await page.fill('#temperature', String(temperature));
}

// every element read here exists once the page has loaded; a short wait keeps failures quick
const text = (page, selector) => page.locator(selector).textContent({ timeout: 5_000 });

async function lastSourceState(page) {
  return page.evaluate(() => ({ count: window.__eventSources.length, state: window.__eventSources.at(-1)?.readyState }));
}

/** Waits QUIET_MS, then checks that the output and the status did not change. */
async function assertQuiet(page, what) {
  const before = { output: await text(page, '#output'), status: await text(page, '#status') };
  await page.waitForTimeout(QUIET_MS);
  const after = { output: await text(page, '#output'), status: await text(page, '#status') };
  check(after.output === before.output,
    `${what}: the output changed after the run had ended (${before.output.length} → ${after.output.length} characters)`);
  check(after.status === before.status, `${what}: the status changed after the run had ended: "${before.status}" → "${after.status}"`);
}

async function openPage(page) {
  const response = await page.goto(`${BASE}/`, { waitUntil: 'load', timeout: WAIT_MS });
  check(response.ok(), `GET / should serve the page, it answered HTTP ${response.status()}: ${(await response.text()).slice(0, 200)}`);
  await page.locator('#generate:enabled').waitFor({ timeout: WAIT_MS }).catch(async () => {
    throw new TestFailure(`the Generate button never became enabled; status: "${await text(page, '#status')}"`);
  });
  const models = await page.locator('#model option').evaluateAll((os) => os.map((o) => o.value));
  check(models.includes(MODEL), `the model list offers ${JSON.stringify(models)}, not ${MODEL}`);
  await page.selectOption('#model', MODEL);
}

/** A short greedy run to its end: the text, the finish reason, and a closed EventSource. */
async function completeRun(page) {
  await setForm(page, { maxTokens: 20, temperature: 0 });
  await page.click('#generate');
  await page.waitForFunction(() => !/^Generating/.test(document.getElementById('status').textContent)
    && document.getElementById('stop').disabled, null, { timeout: WAIT_MS });
  const status = await text(page, '#status');
  const output = await text(page, '#output');
  check(status.startsWith('Done'), `a 20-token run should end with "Done…", the status says "${status}"`);
  check(status.includes('finish reason: length'), `a 20-token run should stop for length, the status says "${status}"`);
  check(output.startsWith(GREEDY_START), `greedy text after "${PROMPT}" should start with "${GREEDY_START}", got "${output}"`);
  const source = await lastSourceState(page);
  check(source.state === 2, `the EventSource should be closed after [DONE] (readyState 2), it is ${source.state}`);
  await assertQuiet(page, 'after [DONE]');
  check((await lastSourceState(page)).count === source.count, 'the page opened another EventSource after [DONE]');
  return { output, status };
}

/** A long run stopped after a few events: the text grew event by event, then stops growing. */
async function stoppedRun(page) {
  const maxTokens = 200;
  await setForm(page, { maxTokens, temperature: 0 });
  await page.evaluate(stopAfterGrowths, GROWTHS_BEFORE_STOP);
  await page.click('#generate');
  const { lengths, statusAtStop } = await page.evaluate((ms) => Promise.race([window.__stopped,
    new Promise((resolve) => setTimeout(() => resolve({ lengths: null }), ms))]), WAIT_MS);
  const status = await text(page, '#status');
  check(lengths !== null && statusAtStop !== null,
    `the output did not grow ${GROWTHS_BEFORE_STOP} times before the run ended (within ${WAIT_MS} ms); status: "${status}"`);
  check(lengths.every((l, i) => i === 0 || l > lengths[i - 1]),
    `output lengths should increase event by event, got ${JSON.stringify(lengths)}`);
  check(statusAtStop.startsWith('Generating'), `while streaming the status should say "Generating…", it said "${statusAtStop}"`);
  check(/^Stopped after \d+ tokens?\b/.test(status), `after Stop the status should say "Stopped after N tokens", it says "${status}"`);
  const tokens = Number(status.match(/\d+/)[0]);
  check(tokens < maxTokens, `Stop should land before the end: ${tokens} of ${maxTokens} tokens had arrived`);
  check((await lastSourceState(page)).state === 2, 'the EventSource should be closed after Stop');
  check(await page.locator('#stop').isDisabled(), 'Stop should be disabled once the run has stopped');
  check(await page.locator('#generate').isEnabled(), 'Generate should be enabled again once the run has stopped');
  const output = await text(page, '#output');
  check(output.length === lengths.at(-1), `the output grew after Stop was pressed (${lengths.at(-1)} → ${output.length} characters)`);
  await assertQuiet(page, 'after Stop');
  return { lengths, status };
}

/** A request the server refuses before streaming: the page shows its HTTP status and error. */
async function refusedRun(page) {
  await setForm(page, { maxTokens: 1_000_000, temperature: 0 });
  await page.click('#generate');
  await page.waitForFunction(() => document.getElementById('status').classList.contains('error'), null, { timeout: WAIT_MS });
  const status = await text(page, '#status');
  check(/^HTTP 4\d\d /.test(status), `max tokens 1000000 should be refused with a 4xx shown in the status, it says "${status}"`);
  return { status };
}

async function main() {
  await mkdir(TARGET, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const problems = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      // a refused request logs "Failed to load resource"; that one is expected in refusedRun
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
        problems.push(`console error: ${m.text()}`);
      }
    });
    await page.addInitScript(recordEventSources);
    try {
      await openPage(page);
      const complete = await completeRun(page);
      console.log(`completed run : "${complete.output}" — ${complete.status}`);
      const stopped = await stoppedRun(page);
      console.log(`stopped run   : output lengths ${JSON.stringify(stopped.lengths)} — ${stopped.status}`);
      await page.screenshot({ path: `${TARGET}stream-test.png`, fullPage: true });
      const refused = await refusedRun(page);
      console.log(`refused run   : ${refused.status}`);
      check(problems.length === 0, `the page reported problems:\n  ${problems.join('\n  ')}`);
    } catch (e) {
      await page.screenshot({ path: `${TARGET}stream-test-failure.png`, fullPage: true }).catch(() => {});
      throw e;
    }
  } finally {
    await browser.close();
  }
  console.log(`web stream test passed (screenshot: ${TARGET}stream-test.png)`);
}

main().catch((e) => {
  console.error(`web stream test FAILED against ${BASE}/: ${e instanceof TestFailure ? e.message : e.stack}`);
  process.exit(1);
});
