// Speed of the release build in headless Chromium, printed as figures (never a test that fails on
// time): the first complete render, and the keystroke latency on every workflow's heaviest screen.
//
// First render: 20 fresh page loads each (alternating) of the start screen (#/, what the app's address
// opens on: the task list and the record note) and of #/plan (the heaviest screen: every input and
// result), with a saved plan (docs/example-schedule-plan.json, in this browser's storage as a
// returning user has it), each timed from navigation start (the page's time origin) to the first
// animation frame at which the screen is complete: for #/plan, the results list holds its figures
// and the reservoir chart's canvas has been drawn on.
//
// Keystrokes: per workflow screen, 200 edits of one input (about one every 20 ms), each timed from
// the input event until every effect it queued has run (evaluation, report, every figure and the
// reservoir chart: the end of the microtasks the edit queued, before any rendering can come in
// between), and checked to have changed the figures. The plan screen has the CSF model switched on
// (weight 70 kg, 89 cm Prometra catheter, 19.5 mL filled onto 0.5 mL of 2.5 mg/mL): every input and
// result on one page; its CSF chart is computed after a pause in typing, timed separately.
//
// Usage: node scripts/perf.mjs [DIST] (default dist/, from `trunk build --release`). Each figure is
// also printed as a line "PERF {json}" for scripts/benchmark.sh.
import { join } from 'node:path';
import { launchChromium, root, serveDist } from '../e2e/site.mjs';

const EDITS = 200;
const LOADS = 20;
const CSF_EDITS = 20;
const CSF_PAUSE_MS = 300; // src/ui/csf.rs CSF_PAUSE_MS

const dist = process.argv[2] || join(root, 'dist');
const { base, server } = await serveDist('', dist);
const browser = await launchChromium();

const stats = xs => {
  const s = [...xs].sort((a, b) => a - b);
  const at = q => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  return { median: at(0.5), p95: at(0.95), max: s[s.length - 1], n: s.length };
};
const f = x => x.toFixed(1).padStart(6);
const report = (key, words, s, extra = {}) => {
  console.log(`perf: ${words.padEnd(48)} median ${f(s.median)} ms   p95 ${f(s.p95)} ms   max ${f(s.max)} ms   (${s.n})`);
  console.log(`PERF ${JSON.stringify({ key, ...s, ...extra })}`);
};

/** A context whose storage holds the schedule example as the saved plan. */
async function saved() {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await ctx.newPage();
  await page.goto(base + '#/');
  await page.waitForSelector('#import-plan');
  await page.setInputFiles('#import-plan', join(root, 'docs', 'example-schedule-plan.json'));
  await page.waitForFunction(() => document.querySelector('#plan-files-status').textContent === 'Plan imported');
  const state = await ctx.storageState();
  await ctx.close();
  return state;
}

/** Has the screen's first complete render happened? Returns its time (ms since navigation) or false. */
function rendered(screen) {
  if (screen === 'start') {
    const tasks = document.querySelector('.tasks');
    return tasks && tasks.querySelectorAll('li').length > 0 && document.querySelector('#record-note') ? performance.now() : false;
  }
  const results = document.querySelector('#results');
  const canvas = document.querySelector('#reservoir-chart');
  if (!results || !results.querySelector('dd') || !canvas || !canvas.width) return false;
  const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  for (let p = 0; p < d.length; p += 4 * 61) if (d[p] !== 255 || d[p + 1] !== 255 || d[p + 2] !== 255) return performance.now();
  return false;
}

/** Fresh page loads (a new browser context each: nothing cached), the two screens alternating. */
async function firstRender(state) {
  const screens = { start: '#/', plan: '#/plan' };
  const times = { start: [], plan: [] };
  for (let i = 0; i < LOADS; i++) {
    for (const [screen, fragment] of Object.entries(screens)) {
      const ctx = await browser.newContext({ viewport: { width: 1440, height: 1000 }, storageState: state });
      const page = await ctx.newPage();
      await page.goto(base + fragment, { waitUntil: 'commit' });
      const handle = await page.waitForFunction(rendered, screen, { polling: 'raf', timeout: 30000 });
      times[screen].push(await handle.jsonValue());
      await ctx.close();
    }
  }
  report('first_render_start', 'first complete render, start screen (#/)', stats(times.start));
  report('first_render', 'first complete render, #/plan, saved plan', stats(times.plan));
}

const setup = () => {
  // Effects run in microtasks queued by the edit; no rendering can come between microtasks.
  window.__microtasks = async () => { for (let i = 0; i < 20; i++) await Promise.resolve(); };
  window.__settle = () => new Promise(r => { const ch = new MessageChannel(); ch.port1.onmessage = r; ch.port2.postMessage(0); });
  window.__edit = (sel, value) => {
    const el = document.querySelector(sel);
    el.value = value;
    el.dispatchEvent(new Event('input', { bubbles: true }));
  };
};

/** 200 edits of `input` on `screen`; `figures` must change at each. */
async function keystrokes(page, { screen, input, figures, value, words }) {
  await page.goto(base + '#/' + screen);
  await page.waitForSelector(input);
  await page.evaluate(setup);
  await page.waitForTimeout(200);
  const times = [];
  let unchanged = 0;
  for (let i = 1; i <= EDITS; i++) {
    const [work, changed] = await page.evaluate(async ([sel, fig, v]) => {
      const before = document.querySelector(fig).textContent;
      const t0 = performance.now();
      window.__edit(sel, v);
      await window.__microtasks();
      const t1 = performance.now();
      return [t1 - t0, document.querySelector(fig).textContent !== before];
    }, [input, figures, value(i)]);
    times.push(work);
    if (!changed) unchanged++;
    await page.waitForTimeout(20); // a keystroke every 20 ms or so
  }
  report(`keystroke_${screen.replace('-', '_')}`, `keystroke, ${words}`, stats(times), { unchanged });
  if (unchanged) console.log(`perf: WARNING ${unchanged} of ${EDITS} edits on ${screen} had not changed the figures when timed: that figure is not valid`);
}

async function csfAfterPause(page) {
  const csf = [];
  for (let i = 0; i < CSF_EDITS; i++) {
    await page.waitForTimeout(CSF_PAUSE_MS * 2);
    const ms = await page.evaluate(async value => {
      const list = document.querySelector('#csf-figures');
      const before = list.textContent;
      const changed = new Promise(resolve => {
        const observer = new MutationObserver(() => {
          if (list.textContent !== before) { observer.disconnect(); resolve(); }
        });
        observer.observe(list, { subtree: true, childList: true, characterData: true });
        setTimeout(resolve, 10000);
      });
      const t0 = performance.now();
      window.__edit('#drug-0-daily_dose', value);
      await changed;
      await window.__settle();
      return performance.now() - t0;
    }, (2.6 + i * 0.013).toFixed(3));
    csf.push(ms - CSF_PAUSE_MS);
  }
  report('csf_after_pause', `CSF model + chart after the ${CSF_PAUSE_MS} ms pause`, stats(csf));
}

const state = await saved();
await firstRender(state);

const ctx = await browser.newContext({ viewport: { width: 1440, height: 1000 }, storageState: state });
const page = await ctx.newPage();
// The heaviest screen: every input and result on one page, the CSF model on.
await page.goto(base + '#/plan');
await page.waitForSelector('#fill_volume');
await page.click('#csf-inputs summary');
await page.fill('#csf-weight', '70');
await page.fill('#csf-length', '89');
await page.click('#csf-prometra-catheter');
await page.fill('#fill_volume', '19.5');
await page.fill('#csf-residual', '0.5');
await page.click('details.drug-csf summary');
await page.fill('#drug-0-previous', '2.5');
await page.waitForSelector('#csf-chart-0');
await page.waitForTimeout(CSF_PAUSE_MS * 3);
if ((await page.textContent('#plan-status')).startsWith('Input not valid')) {
  console.error(`perf: the example did not load as valid input: ${await page.textContent('#plan-status')}`);
  process.exit(1);
}
const dose = i => (2.5 + (i % 100) * 0.01 + (i >= 100 ? 0.005 : 0)).toFixed(3).replace(/0+$/, '');
await keystrokes(page, { screen: 'plan', input: '#drug-0-daily_dose', figures: '#results', value: dose, words: 'plan (every input, CSF on)' });
await page.evaluate(setup);
await csfAfterPause(page);
await keystrokes(page, { screen: 'change', input: '#drug-0-daily_dose', figures: '#results', value: dose, words: 'change the programme' });
await keystrokes(page, { screen: 'new-pump', input: '#fill_volume', figures: '#results', value: i => (18 + (i % 100) * 0.01).toFixed(2), words: 'new pump (fill volume)' });
// The refill visit: a visit on 20 Dec with 4.6 mL withdrawn; then edits of the new fill.
await page.goto(base + '#/refill');
await page.waitForSelector('#visit-date');
await page.fill('#visit-date', '2026-12-20');
await page.fill('#visit-time', '09:00');
await page.fill('#visit-withdrawn', '4.6');
await page.fill('#visit-new_fill', '18');
await page.waitForTimeout(300);
await keystrokes(page, { screen: 'refill', input: '#visit-new_fill', figures: '#after-refill', value: i => (17 + (i % 100) * 0.02).toFixed(2), words: 'refill visit (new fill)' });
// An MRI on 10 Dec at 10:00; then edits of its duration.
await page.goto(base + '#/mri');
await page.waitForSelector('#mri-date');
await page.fill('#mri-date', '2026-12-10');
await page.fill('#mri-time', '10:00');
await page.fill('#mri-duration', '30');
await page.waitForSelector('#mri-figures');
await keystrokes(page, { screen: 'mri', input: '#mri-duration', figures: '#mri-figures', value: i => String(31 + (i % 100)), words: 'MRI (scan duration)' });
// The conversion screen: a regimen, the ratio and the reduction; then edits of the amount.
await page.goto(base + '#/convert');
await page.waitForSelector('#regimen-0-opioid');
await page.selectOption('#regimen-0-opioid', 'oxycodone');
await page.fill('#regimen-0-amount', '40');
await page.check('#ratio-100');
await page.fill('#reduction', '30');
await page.waitForSelector('#conversion dd');
await keystrokes(page, { screen: 'convert', input: '#regimen-0-amount', figures: '#conversion', value: i => String(40 + (i % 100)), words: 'conversion (an amount)' });
await browser.close();
server.kill();
