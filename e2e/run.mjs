// End-to-end tests of the built site (dist/, a release build) in headless Chromium via
// playwright-core. Serves dist/ on 127.0.0.1, drives the page like a user (keyboard included),
// saves a screenshot to e2e/artifacts/, and prints "e2e: N passed, N failed".
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const artifacts = join(root, 'e2e', 'artifacts');
mkdirSync(artifacts, { recursive: true });

const freePort = () => new Promise((resolve, reject) => {
  const srv = createServer();
  srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  srv.on('error', reject);
});

const port = await freePort();
const base = `http://127.0.0.1:${port}/`;
const server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', join(root, 'dist')], { stdio: 'ignore' });
for (let i = 0; i < 50; i++) {
  try { await fetch(base); break; } catch { await new Promise(r => setTimeout(r, 100)); }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});

const results = [];
async function test(name, body) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', e => problems.push(`page error: ${e.message}`));
  page.on('console', m => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('request', r => { if (!r.url().startsWith(base) && !r.url().startsWith('data:')) problems.push(`request left the page's origin: ${r.url()}`); });
  try {
    await page.goto(base);
    await page.waitForSelector('#fill_volume');
    await body(page);
    if (problems.length) throw new Error(problems.join('; '));
    results.push([name, null]);
    console.log(`ok   ${name}`);
  } catch (e) {
    results.push([name, e]);
    console.log(`FAIL ${name}\n     ${e.message.split('\n').join('\n     ')}`);
  } finally {
    await context.close();
  }
}

function assertEq(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}
function assertTrue(cond, what) { if (!cond) throw new Error(what); }

/** The <dd> for the <dt> named `name` in the results list. */
const result = (page, name) => page.evaluate(n => {
  const dt = [...document.querySelectorAll('#results dt')].find(d => d.textContent === n);
  return dt ? dt.nextElementSibling.textContent : null;
}, name);

/** Opaque non-white pixels on the chart canvas. */
const inked = page => page.evaluate(() => {
  const c = document.querySelector('#reservoir-chart');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200)) n++;
  return n;
});

async function enterExample(page) {
  await page.selectOption('#pump', 'synchromed-ii-40');
  await page.fill('#fill_date', '2026-11-25');
  await page.fill('#fill_time', '09:00');
  await page.fill('#fill_volume', '40');
  await page.fill('#concentration', '10');
  await page.fill('#daily_dose', '2');
  await page.fill('#low_reservoir_alarm', '2');
}

await test('issue example: 40 mL, 10 mg/mL, 2 mg/day, alarm 2 mL gives 0.2 mL/day and 190 days, chart drawn', async page => {
  await enterExample(page);
  assertEq(await result(page, 'Flow rate'), '0.2 mL/day', 'flow rate');
  assertEq(await result(page, 'Days to low-reservoir alarm'), '190 days', 'days to alarm');
  assertEq(await result(page, 'Low-reservoir alarm date'), 'Thu 3 Jun 2027, 09:00', 'alarm date');
  assertEq(await result(page, 'Empty date'), 'Sun 13 Jun 2027, 09:00', 'empty date');
  const pixels = await inked(page);
  assertTrue(pixels > 2000, `chart drawn (${pixels} inked pixels)`);
  await page.screenshot({ path: join(artifacts, 'issue-example.png'), fullPage: true });
});

await test('keyboard only: Tab through the form and type the example', async page => {
  await page.focus('#pump');
  await page.keyboard.press('ArrowDown'); // to the next pump; then back, proving the select is keyboard-operable
  await page.keyboard.press('ArrowUp');
  const order = [];
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('Tab');
    order.push(await page.evaluate(() => document.activeElement.id));
  }
  assertEq(order.slice(0, 4).join(','), 'fill_volume,concentration,daily_dose,low_reservoir_alarm', 'tab order');
  await page.focus('#fill_volume');
  await page.keyboard.type('40');
  await page.keyboard.press('Tab');
  await page.keyboard.type('10');
  await page.keyboard.press('Tab');
  await page.keyboard.type('2');
  assertEq(await result(page, 'Flow rate'), '0.2 mL/day', 'flow rate typed by keyboard');
});

await test('bad input: message next to the field, last valid result kept, and stale banner', async page => {
  await enterExample(page);
  await page.fill('#fill_volume', '4o');
  const msg = await page.textContent('#fill_volume-error');
  assertTrue(msg.includes('is not a number'), `message at the field: ${msg}`);
  assertEq(await result(page, 'Flow rate'), '0.2 mL/day', 'last valid flow rate kept');
  assertTrue((await page.textContent('#stale-banner')).includes('last valid result'), 'stale banner');
  await page.screenshot({ path: join(artifacts, 'bad-input.png'), fullPage: true });
  await page.selectOption('#pump', 'synchromed-ii-20');
  await page.fill('#fill_volume', '40');
  assertEq(await page.textContent('#fill_volume-error'), 'Fill volume: 40 mL is above the pump capacity of 20 mL', 'capacity block');
});

await test('work survives a reload', async page => {
  await enterExample(page);
  await page.fill('#daily_dose', '2.5');
  await page.waitForFunction(() => document.querySelector('#save-status').textContent === 'Saved on this device');
  await page.reload();
  await page.waitForSelector('#fill_volume');
  assertEq(await page.inputValue('#daily_dose'), '2.5', 'dose after reload');
  assertEq(await page.inputValue('#fill_date'), '2026-11-25', 'fill date after reload');
  // 2.5 mg/day ÷ 10 mg/mL = 0.25 mL/day; (40 − 2) ÷ 0.25 = 152 days
  assertEq(await result(page, 'Days to low-reservoir alarm'), '152 days', 'days after reload');
  // The "Saved" message clears itself.
  await page.fill('#daily_dose', '2');
  await page.waitForFunction(() => document.querySelector('#save-status').textContent === 'Saved on this device');
  await page.waitForFunction(() => document.querySelector('#save-status').textContent === '', null, { timeout: 5000 });
});

await test('every input has a visible label; figures are in a <dl>; catalogue shows sources and marks', async page => {
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select')]
    .filter(el => { const l = document.querySelector(`label[for="${el.id}"]`); return !l || l.offsetParent === null; })
    .map(el => el.id));
  assertEq(unlabelled.join(','), '', 'inputs without a visible label');
  const info = await page.textContent('.pump-info');
  assertTrue(info.includes('0.048 mL/day') && info.includes('verified in the cited source'), 'catalogue value with mark');
  assertTrue(info.includes('24 mL/day') && info.includes('unverified'), 'unverified maximum rate shown as such');
  await enterExample(page);
  assertEq(await page.evaluate(() => document.querySelectorAll('dl#results > div > dt + dd').length), 7, 'dt/dd pairs');
  const text = await page.evaluate(() => document.body.innerText);
  assertTrue(!/\d\.0\b/.test(text.replace(/\d{4}-\d{2}-\d{2}/g, '')), 'no trailing zero anywhere on the page');
  assertTrue(!text.includes('µg') && !/\bcc\b/.test(text), 'ISMP units');
});

await browser.close();
server.kill();

const failed = results.filter(([, e]) => e).length;
console.log(`e2e: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
