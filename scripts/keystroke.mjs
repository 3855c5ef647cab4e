// Keystroke latency of the release build in headless Chromium, printed as figures (never a test
// that fails on time). The docs schedule example (docs/example-schedule-plan.json) is imported
// and the CSF model switched on (weight 70 kg, 89 cm Prometra catheter, 19.5 mL filled onto a
// 0.5 mL residual of 2.5 mg/mL);
// then 200 edits of the lead drug's daily dose, about one every 20 ms. Each edit is timed from the
// input event until every effect has run (evaluation, report, every figure and the reservoir chart:
// the end of the microtasks the edit queued, before any rendering can come in between), and
// checked to have changed the figures and the chart's pixels. The browser's own style and layout
// work per edit is read from Chromium's performance metrics.
// The CSF chart is computed after a pause in typing: 20 further edits time the model from the end
// of the pause to its redrawn chart.
// Usage: node scripts/keystroke.mjs (expects dist/ from `trunk build --release`).
import { join } from 'node:path';
import { launchChromium, root, serveDist } from '../e2e/site.mjs';

const EDITS = 200;
const CSF_EDITS = 20;
const CSF_PAUSE_MS = 300; // src/ui/csf.rs CSF_PAUSE_MS

const { base, server } = await serveDist();
const browser = await launchChromium();
const page = await (await browser.newContext({ viewport: { width: 1440, height: 1000 } })).newPage();
await page.goto(base + '#/');
await page.waitForSelector('#import-plan');
await page.setInputFiles('#import-plan', join(root, 'docs', 'example-schedule-plan.json'));
await page.waitForFunction(() => document.querySelector('#plan-files-status').textContent === 'Plan imported');
// The heaviest screen: every input and result on one page.
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
const status = await page.textContent('#plan-status');
if (status.startsWith('Input not valid')) {
  console.error(`keystroke: the example did not load as valid input: ${status}`);
  process.exit(1);
}

const setup = () => {
  window.__settle = () => new Promise(r => { const ch = new MessageChannel(); ch.port1.onmessage = r; ch.port2.postMessage(0); });
  // Effects run in microtasks queued by the edit; no rendering can come between microtasks.
  window.__microtasks = async () => { for (let i = 0; i < 20; i++) await Promise.resolve(); };
  window.__pixels = sel => {
    const c = document.querySelector(sel);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let h = 0;
    for (let i = 0; i < d.length; i += 97) h = (h * 31 + d[i]) | 0;
    return h;
  };
  window.__edit = value => {
    const el = document.querySelector('#drug-0-daily_dose');
    el.value = value;
    el.dispatchEvent(new Event('input', { bubbles: true }));
  };
};
await page.evaluate(setup);

const dose = i => (2.5 + (i % 100) * 0.01 + (i >= 100 ? 0.005 : 0)).toFixed(3).replace(/0+$/, '');
const cdp = await page.context().newCDPSession(page);
await cdp.send('Performance.enable');
const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map(m => [m.name, m.value]));
const m0 = await metrics();
const times = [];
let unchanged = 0;
for (let i = 1; i <= EDITS; i++) {
  const [work, changed] = await page.evaluate(async value => {
    const figures = document.querySelector('#results').textContent;
    const chart = window.__pixels('#reservoir-chart');
    const t0 = performance.now();
    window.__edit(value);
    await window.__microtasks();
    const t1 = performance.now();
    return [t1 - t0, document.querySelector('#results').textContent !== figures && window.__pixels('#reservoir-chart') !== chart];
  }, dose(i));
  times.push(work);
  if (!changed) unchanged++;
  await page.waitForTimeout(20); // a keystroke every 20 ms or so: the pause never comes
}
const m1 = await metrics();
const perEdit = name => ((m1[name] - m0[name]) * 1000 / EDITS).toFixed(1).padStart(6);

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
    window.__edit(value);
    await changed;
    await window.__settle();
    return performance.now() - t0;
  }, dose(EDITS + i * 7 + 3));
  csf.push(ms - CSF_PAUSE_MS);
}
await browser.close();
server.kill();

const stats = xs => {
  const s = [...xs].sort((a, b) => a - b);
  const at = q => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  return { median: at(0.5), p95: at(0.95), max: s[s.length - 1] };
};
const f = x => x.toFixed(1).padStart(6);
const k = stats(times);
const c = stats(csf);
console.log(`keystroke: ${EDITS} edits of the daily dose, docs/example-schedule-plan.json with the CSF model on (release build, headless Chromium)`);
console.log(`keystroke: figures + reservoir chart   median ${f(k.median)} ms   p95 ${f(k.p95)} ms   max ${f(k.max)} ms   (budget p95 16 ms)`);
console.log(`keystroke: then the browser's style ${perEdit('RecalcStyleDuration')} ms and layout ${perEdit('LayoutDuration')} ms per edit (mean)`);
console.log(`keystroke: CSF model + chart after the ${CSF_PAUSE_MS} ms pause   median ${f(c.median)} ms   p95 ${f(c.p95)} ms   max ${f(c.max)} ms   (${CSF_EDITS} edits)`);
if (unchanged) console.log(`keystroke: WARNING ${unchanged} of ${EDITS} edits had not changed the figures and the chart when timed: the work figure is not valid`);
