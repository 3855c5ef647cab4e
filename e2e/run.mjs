// End-to-end tests of the built site (dist/, a release build) in headless Chromium via
// playwright-core. Serves dist/ on 127.0.0.1, drives the page like a user (keyboard included),
// saves a screenshot to e2e/artifacts/, and prints "e2e: N passed, N failed".
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
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
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
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

/** Opaque non-white pixels on a chart canvas (the reservoir chart unless another is named). */
const inked = (page, selector = '#reservoir-chart') => page.evaluate(sel => {
  const c = document.querySelector(sel);
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200)) n++;
  return n;
}, selector);

/** Pump, fill on Wed 25 Nov 2026 at 09:00, and fill volume. */
async function enterFill(page, pump, volume) {
  await page.selectOption('#pump', pump);
  await page.fill('#fill_date', '2026-11-25');
  await page.fill('#fill_time', '09:00');
  await page.fill('#fill_volume', volume);
}

async function enterExample(page) {
  await enterFill(page, 'synchromed-ii-40', '40');
  await page.fill('#drug-0-concentration', '10');
  await page.fill('#drug-0-daily_dose', '2');
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
  // Date and time inputs take several Tab presses (one per segment); keep each element once.
  const order = [];
  for (let i = 0; i < 30 && order.length < 6; i++) {
    await page.keyboard.press('Tab');
    const id = await page.evaluate(() => document.activeElement.id);
    if (order[order.length - 1] !== id) order.push(id);
  }
  assertEq(order.join(','), 'fill_volume,low_reservoir_alarm,fill_date,fill_time,new-pump-yes,end_of_service', 'tab order');
  await page.focus('#fill_volume');
  await page.keyboard.type('40');
  await page.focus('#drug-0-concentration');
  await page.keyboard.type('10');
  await page.keyboard.press('Tab'); // to the unit select
  await page.keyboard.press('Tab'); // to the daily dose
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
  await page.fill('#drug-0-daily_dose', '2.5');
  await page.waitForFunction(() => document.querySelector('#save-status').textContent === 'Saved on this device');
  await page.reload();
  await page.waitForSelector('#fill_volume');
  assertEq(await page.inputValue('#drug-0-daily_dose'), '2.5', 'dose after reload');
  assertEq(await page.inputValue('#fill_date'), '2026-11-25', 'fill date after reload');
  // 2.5 mg/day ÷ 10 mg/mL = 0.25 mL/day; (40 − 2) ÷ 0.25 = 152 days
  assertEq(await result(page, 'Days to low-reservoir alarm'), '152 days', 'days after reload');
  // The "Saved" message clears itself.
  await page.fill('#drug-0-daily_dose', '2');
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
  assertEq(await page.evaluate(() => document.querySelectorAll('dl#results > div > dt + dd').length), 8, 'dt/dd pairs');
  const text = await page.evaluate(() => document.body.innerText);
  assertTrue(!/\d\.0\b/.test(text.replace(/\d{4}-\d{2}-\d{2}/g, '')), 'no trailing zero anywhere on the page');
  assertTrue(!text.includes('µg') && !/\bcc\b/.test(text), 'ISMP units');
});

/** The <dd> for the <dt> named `name` in the <dl> with id `list`. */
const figureIn = (page, list, name) => page.evaluate(([l, n]) => {
  const dt = [...document.querySelectorAll(`#${l} dt`)].find(d => d.textContent === n);
  return dt ? dt.nextElementSibling.textContent : null;
}, [list, name]);

await test('admixture: per-drug doses follow the lead drug', async page => {
  await enterFill(page, 'synchromed-ii-20', '20');
  await page.fill('#drug-0-concentration', '5');
  await page.fill('#drug-0-daily_dose', '1');
  await page.click('#add-drug');
  await page.selectOption('#drug-1-drug', 'bupivacaine');
  await page.fill('#drug-1-concentration', '2.5');
  await page.click('#add-drug');
  await page.selectOption('#drug-2-drug', 'clonidine');
  await page.fill('#drug-2-concentration', '100');
  assertEq(await figureIn(page, 'drug-2-results', 'cloNIDine daily dose'), '20 mcg/day', 'cloNIDine at 1 mg/day morphine');
  await page.fill('#drug-0-daily_dose', '2');
  assertEq(await figureIn(page, 'drug-1-results', 'bupivacaine daily dose'), '1 mg/day', 'bupivacaine at 2 mg/day morphine');
  assertEq(await figureIn(page, 'drug-2-results', 'cloNIDine daily dose'), '40 mcg/day', 'cloNIDine at 2 mg/day morphine');
  await page.screenshot({ path: join(artifacts, 'admixture.png'), fullPage: true });
});

await test('Prometra II 40 mL shows its catalogue values and sources', async page => {
  await page.selectOption('#pump', 'prometra-ii-40');
  const values = await page.textContent('#pump-values');
  for (const expected of ['40 mL', 'Prometra MRI safety information PL-21604-02', '3 mL', '0.0026 mL/cm', 'Empty the pump before MRI']) {
    assertTrue(values.includes(expected), `${expected} shown`);
  }
});

await test('hard limit blocks; soft limit is acknowledged, recorded and exported with the plan', async page => {
  await enterExample(page);
  await page.selectOption('#drug-0-drug', 'ziconotide');
  assertTrue((await page.textContent('#new_pump-error')).includes('answer whether this is the first fill of a new pump'), 'ziconotide asks about a new pump');
  await page.check('#new-pump-no');
  await page.fill('#drug-0-concentration', '100');
  await page.fill('#drug-0-daily_dose', '25');
  assertTrue((await page.textContent('#plan-status')).startsWith('Not valid'), 'hard limit blocks');
  assertTrue(await page.isDisabled('#export-plan'), 'blocked plan cannot be exported');
  await page.screenshot({ path: join(artifacts, 'hard-limit.png'), fullPage: true });
  await page.selectOption('#drug-0-drug', 'morphine');
  await page.fill('#drug-0-concentration', '10');
  await page.fill('#drug-0-daily_dose', '16');
  assertTrue((await page.textContent('#plan-status')).startsWith('Not yet valid'), 'soft limit needs acknowledgement');
  await page.fill('#finding-0-reason', 'opioid-tolerant, titrated over 6 months');
  await page.click('#finding-0-ack');
  assertTrue((await page.textContent('#plan-status')).startsWith('Valid'), 'acknowledged plan is valid');
  await page.screenshot({ path: join(artifacts, 'soft-limit-acknowledged.png'), fullPage: true });
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-plan')]);
  const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assertEq(exported.format, 'itdose-plan', 'exported format');
  assertEq(exported.acknowledgements.length, 1, 'one acknowledgement recorded');
  assertEq(exported.acknowledgements[0].reason, 'opioid-tolerant, titrated over 6 months', 'reason recorded');
  assertTrue(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(exported.acknowledgements[0].at), 'time recorded');
  assertEq(exported.drugs[0].daily_dose.unit, 'mg/day', 'unit stated in the file');
});

await test('the app and `itdose report` agree on the docs example plan', async page => {
  await page.setInputFiles('#import-plan', join(root, 'docs', 'example-plan.json'));
  await page.waitForFunction(() => document.querySelector('#plan-files-status').textContent === 'Plan imported');
  const report = JSON.parse(execFileSync('cargo', ['run', '--quiet', '--bin', 'itdose', '--', 'report', 'docs/example-plan.json'], { cwd: root, encoding: 'utf8' }));
  let compared = 0;
  for (const f of report.figures) { assertEq(await figureIn(page, 'results', f.name), f.display, f.name); compared++; }
  for (const [i, d] of report.drugs.entries()) {
    for (const f of d.figures) { assertEq(await figureIn(page, `drug-${i}-results`, f.name), f.display, f.name); compared++; }
  }
  assertTrue(compared >= 14, `compared ${compared} figures`);
  const sheet = await page.textContent('#worksheet');
  for (const l of report.compounding.lines) assertTrue(sheet.includes(l.stock_volume + ' mL') || sheet.includes(String(l.stock_volume).slice(0, 5)), `worksheet line for ${l.drug}`);
  assertTrue(sheet.includes('5.867 mL'), 'diluent');
  await page.screenshot({ path: join(artifacts, 'example-plan.png'), fullPage: true });
});

await test('a rejected library import names the drug and field and leaves the library in force', async page => {
  const good = readFileSync(join(root, 'data', 'drugs.json'), 'utf8');
  const bad = good.replace('"severity": "soft"', '"severity": "hard"');
  const badPath = join(artifacts, 'bad-library.json');
  writeFileSync(badPath, bad);
  await page.setInputFiles('#import-library', badPath);
  await page.waitForFunction(() => document.querySelector('#import-library-error').textContent !== '');
  const msg = await page.textContent('#import-library-error');
  assertTrue(msg.includes('drug “morphine”, limits[0].severity') && msg.includes('previous library stays in force'), msg);
  assertTrue((await page.textContent('#library-heading')).includes('itdose default drug library'), 'library still in force');
  const edited = good.replace('"name": "itdose default drug library"', '"name": "St Elsewhere IT library"');
  const goodPath = join(artifacts, 'edited-library.json');
  writeFileSync(goodPath, edited);
  await page.setInputFiles('#import-library', goodPath);
  await page.waitForFunction(() => document.querySelector('#library-heading').textContent.includes('St Elsewhere'));
  await page.reload();
  await page.waitForSelector('#library-heading');
  assertTrue((await page.textContent('#library-heading')).includes('St Elsewhere'), 'imported library survives a reload');
});

await test('a flex step entered per hour shows the 24-hour total and the jump against the current programme', async page => {
  await enterExample(page);
  await page.click('#set-current');
  assertTrue((await page.textContent('#current-programme')).includes('morphine 2 mg/day'), 'current programme recorded');
  await page.check('#flex-enabled');
  await page.fill('#flex-0-start', '00:00');
  await page.fill('#flex-0-dose', '2');
  await page.click('#add-flex-step');
  await page.fill('#flex-1-start', '08:00');
  await page.fill('#flex-1-dose', '2');
  await page.selectOption('#flex-1-per', 'hour');
  await page.click('#add-flex-step');
  await page.fill('#flex-2-start', '20:00');
  await page.fill('#flex-2-dose', '2');
  // 2 × 8/24 + 48 × 12/24 + 2 × 4/24 = 25 mg in 24 h
  assertEq(await figureIn(page, 'drug-0-results', 'morphine daily dose'), '25 mg/day', '24-hour total');
  const findings = await page.textContent('#findings');
  assertTrue(findings.includes('morphine maximum 24-hour total changes from 2 mg/day (current programme) to 25 mg/day (proposed): +1,150 %, 12.5 times the current.'), findings);
  assertTrue((await page.textContent('#plan-status')).startsWith('Not yet valid'), 'the jump needs an acknowledgement');
  assertEq(await figureIn(page, 'comparison', 'morphine maximum per 24 h'), 'current 2 mg/day → proposed 25 mg/day (12.5 times)', 'current vs proposed');
  // The step typed per hour is named next to it: 2 mg/h = 48 mg/day, 24 times the current 2 mg/day.
  assertTrue((await page.textContent('#flex-1-note')).includes('48 mg/day is more than 2 times the current programme'), 'step note');
  assertEq(await page.textContent('#flex-0-note'), '', 'no note on a step near the current dose');
  await page.screenshot({ path: join(artifacts, 'flex-per-hour.png'), fullPage: true });
});

await test('patient boluses: three scenarios, the accuracy band and markers on the reservoir chart, with a read-out', async page => {
  await enterExample(page);
  await page.check('#ptm-enabled');
  await page.fill('#ptm-volume', '0.1');
  await page.fill('#ptm-duration', '10');
  await page.fill('#ptm-lockout', '4');
  await page.fill('#ptm-max', '4');
  await page.fill('#ptm-typical', '2');
  const scenarios = await page.textContent('#scenarios');
  assertTrue(scenarios.includes('All allowed patient boluses: low-reservoir alarm'), scenarios);
  assertTrue((await figureIn(page, 'results', 'Refill by')).includes('with every allowed patient bolus'), 'refill-by names its reason');
  assertTrue((await figureIn(page, 'results', 'Low-reservoir alarm, flow accuracy band')).includes('±14.5 %'), 'band shown');
  const text = await page.textContent('#reservoir-chart-text');
  assertTrue(text.includes('With every allowed patient bolus the alarm comes on') && text.includes('Refill by'), text);
  const box = await page.locator('#reservoir-chart').boundingBox();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
  const readout = await page.textContent('#reservoir-readout');
  assertTrue(/\d{4}, \d{2}:\d{2}: [\d.,]+ mL no patient boluses; [\d.,]+ mL typical/.test(readout), readout);
  await page.focus('#reservoir-chart');
  await page.keyboard.press('ArrowRight');
  assertTrue((await page.textContent('#reservoir-readout')).includes(' mL no patient boluses'), 'keyboard read-out');
  const pixels = await inked(page);
  assertTrue(pixels > 4000, `chart drawn (${pixels})`);
  await page.screenshot({ path: join(artifacts, 'scenarios-chart.png'), fullPage: true });
});

await test('a refill visit that does not reconcile is flagged and logged', async page => {
  await enterExample(page);
  // 40 mL at 0.2 mL/day; after 100 days 20 mL expected; threshold min(2, 0.145 × 20 = 2.9) = 2 mL (ASRA 2017)
  await page.fill('#visit-date', '2027-03-05');
  await page.fill('#visit-time', '09:00');
  await page.fill('#visit-withdrawn', '16.5');
  assertEq(await figureIn(page, 'reconciliation', 'Expected residual'), '20 mL', 'expected');
  assertEq(await figureIn(page, 'reconciliation', 'Discrepancy (withdrawn − expected)'), '-3.5 mL', 'discrepancy');
  assertTrue((await figureIn(page, 'reconciliation', 'Reconciliation')).startsWith('FLAGGED: less withdrawn than expected — possible over-infusion'), 'flagged as a shortfall');
  assertEq(await figureIn(page, 'reconciliation', 'Expected from'), 'the programme as set', 'basis named');
  assertTrue((await page.textContent('#findings')).includes('3.5 mL less than the expected 20 mL'), 'finding');
  await page.click('#record-visit');
  assertTrue((await page.textContent('#visit-log')).includes('discrepancy -3.5 mL (flagged)'), 'logged');
  await page.screenshot({ path: join(artifacts, 'refill-visit.png'), fullPage: true });
});

await test('CSF model: a refill with a new concentration shows the delayed change and the tip marker; a Prometra emptied for an MRI', async page => {
  await enterFill(page, 'prometra-ii-20', '20');
  await page.check('#new-pump-no');
  await page.fill('#drug-0-concentration', '10');
  await page.fill('#drug-0-daily_dose', '1');
  await page.click('#csf-inputs summary');
  await page.fill('#csf-length', '89');
  await page.click('#csf-prometra-catheter');
  await page.fill('#csf-weight', '70');
  await page.click('details.drug-csf summary');
  await page.fill('#drug-0-previous', '5');
  // 89 cm × 0.0026 mL/cm = 0.2314 mL at 1 ÷ 10 = 0.1 mL/day → 2.314 days
  assertEq(await figureIn(page, 'csf-figures', 'New solution reaches the catheter tip'), 'Fri 27 Nov 2026, 16:32 (2.314 days after the fill)', 'tip arrival');
  assertTrue((await page.textContent('#csf-chart-0-text')).includes('not a measurement'), 'model caption');
  const csfPixels = await inked(page, '#csf-chart-0');
  assertTrue(csfPixels > 2000, `concentration chart drawn (${csfPixels})`);
  await page.fill('#mri-date', '2026-12-03');
  await page.fill('#mri-time', '09:00');
  await page.fill('#mri-minutes', '60');
  // Emptied before the scan: a caution among the findings, refill-by at the scan, the chart falls to 0.
  const findings = await page.textContent('#findings');
  assertTrue(findings.includes('MRI Thu 3 Dec 2026, 09:00: empty the Prometra II (20 mL) before the scan'), findings);
  assertTrue((await figureIn(page, 'results', 'Refill by')).startsWith('Thu 3 Dec 2026, 09:00 (MRI: the pump is emptied'), 'refill-by is the scan');
  assertTrue((await page.textContent('#reservoir-chart-text')).includes('The pump is emptied for the MRI on Thu 3 Dec 2026, 09:00'), 'chart text');
  await page.locator('#csf-chart-0').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifacts, 'csf-refill-mri.png'), fullPage: true });
});

await test('the app shows every finding of `itdose report` with the same source and mark (new-pump cautions plan)', async page => {
  await page.setInputFiles('#import-plan', join(root, 'docs', 'example-new-pump-cautions.json'));
  await page.waitForFunction(() => document.querySelector('#plan-files-status').textContent === 'Plan imported');
  const report = JSON.parse(execFileSync('cargo', ['run', '--quiet', '--bin', 'itdose', '--', 'report', 'docs/example-new-pump-cautions.json'], { cwd: root, encoding: 'utf8' }));
  const shown = await page.evaluate(() => [...document.querySelectorAll('#findings > li')].map(li => li.textContent));
  assertEq(shown.length, report.findings.length, 'as many findings on screen as in the report');
  const fresh = ['/start/', '/new_pump/', 'avoid_with', 'off_label/', 'info/no-current-programme'];
  let newRules = 0;
  for (const [i, f] of report.findings.entries()) {
    const li = shown[i];
    assertTrue(li.includes(f.message), `finding ${i} message: ${f.message}\n--- on screen: ${li}`);
    if (f.source) assertTrue(li.includes(`Source: ${f.source}`), `finding ${i} source`);
    if (f.mark) assertTrue(li.includes(`[${f.mark}:`), `finding ${i} mark ${f.mark}`);
    if (fresh.some(k => f.key.includes(k))) newRules++;
  }
  assertTrue(newRules >= 5, `at least five findings of the new rules (${newRules})`);
  assertTrue((await page.textContent('#worksheet')).includes('3 × 2 mL of 25 mcg/mL (6 mL in all, 150 mcg)'), 'rinse on the worksheet');
  await page.screenshot({ path: join(artifacts, 'new-pump-cautions.png'), fullPage: true });
});

await browser.close();
server.kill();

const failed = results.filter(([, e]) => e).length;
console.log(`e2e: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
