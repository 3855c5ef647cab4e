// End-to-end tests of the built site (dist/, a release build) in headless Chromium via
// playwright-core: only what a built site can show (the browser tests in tests/browser.rs check
// the screen's behaviour): the release bundle loads and keeps to its origin, real keyboard and
// pointer, a real reload, files downloaded and uploaded, the app and `itdose report` agreeing on
// every docs example, print media and the layout at desktop and tablet widths. Saves screenshots
// to e2e/artifacts/ and prints "e2e: N passed, N failed".
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { launchChromium, root, serveDist } from './site.mjs';
import { registerImports, registerMatrix } from './matrix.mjs';

const artifacts = join(root, 'e2e', 'artifacts');
mkdirSync(artifacts, { recursive: true });

const { base, server } = await serveDist();
const browser = await launchChromium();

const results = [];
async function test(name, body) {
  // E2E_ONLY=text runs only the tests whose name contains it (while working on them).
  if (process.env.E2E_ONLY && !name.includes(process.env.E2E_ONLY)) return;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', e => problems.push(`page error: ${e.message}`));
  page.on('console', m => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('request', r => { if (!r.url().startsWith(base) && !r.url().startsWith('data:')) problems.push(`request left the page's origin: ${r.url()}`); });
  try {
    await page.goto(base + '#/plan');
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


/** Imports a plan file from the start screen, then opens `screen` (the one-page plan unless named). */
async function importPlan(page, path, screen = 'plan') {
  await page.goto(base + '#/');
  await page.waitForSelector('#import-plan');
  await page.setInputFiles('#import-plan', path);
  await page.waitForFunction(() => document.querySelector('#plan-files-status').textContent === 'Plan imported');
  await page.goto(base + '#/' + screen);
  await page.waitForSelector('#screen-heading');
}

/** The <dd> for the <dt> named `name` in the <dl> with id `list`. */
const figureIn = (page, list, name) => page.evaluate(([l, n]) => {
  const dt = [...document.querySelectorAll(`#${l} dt`)].find(d => d.textContent === n);
  return dt ? dt.nextElementSibling.textContent : null;
}, [list, name]);

/** Every (name, display) pair of the <dl> with id `list`. */
const listed = (page, list) => page.evaluate(l => [...document.querySelectorAll(`#${l} dt`)]
  .map(dt => [dt.textContent, dt.nextElementSibling.textContent]), list);

await test('the release build loads, computes the example and draws the chart, and nothing leaves the origin', async page => {
  await enterExample(page);
  assertEq(await result(page, 'Flow rate'), '0.2 mL/day', 'flow rate');
  assertEq(await result(page, 'Days to low-reservoir alarm'), '190 days', 'days to alarm');
  assertEq(await result(page, 'Low-reservoir alarm date'), 'Thu 3 Jun 2027, 09:00', 'alarm date');
  const pixels = await inked(page);
  assertTrue(pixels > 2000, `chart drawn (${pixels} inked pixels)`);
  // Where the work lives, and the browser's answer to the request for persistent storage.
  await page.waitForFunction(() => /may clear|keeps this storage/.test(document.querySelector('#storage-note').textContent));
  assertTrue((await page.textContent('#storage-note')).includes('on this device only'), 'says where the work lives');
});

await test('keyboard only: Tab through the form and type the example', async page => {
  // A message appears only once the user leaves an emptied field, not while typing in it.
  await page.fill('#low_reservoir_alarm', '');
  assertEq(await page.textContent('#low_reservoir_alarm-error'), '', 'no message while the field is being typed in');
  await page.keyboard.press('Tab');
  assertEq(await page.textContent('#low_reservoir_alarm-error'), 'Low-reservoir alarm: enter a value', 'message after leaving the field');
  await page.fill('#low_reservoir_alarm', '2');
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

await test('work survives a reload', async page => {
  await enterExample(page);
  await page.fill('#drug-0-daily_dose', '2.5');
  await page.fill('#fill_volume', '4o');
  await page.waitForFunction(() => document.querySelector('#save-status').textContent === 'Saved on this device');
  await page.reload();
  await page.waitForSelector('#fill_volume');
  assertEq(await page.inputValue('#drug-0-daily_dose'), '2.5', 'dose after reload');
  assertEq(await page.inputValue('#fill_volume'), '4o', 'an invalid entry survives as typed');
  assertTrue((await page.textContent('#fill_volume-error')).includes('is not a number'), 'and its message is at the field');
  await page.fill('#fill_volume', '40');
  // 2.5 mg/day ÷ 10 mg/mL = 0.25 mL/day; (40 − 2) ÷ 0.25 = 152 days
  assertEq(await result(page, 'Days to low-reservoir alarm'), '152 days', 'days after reload');
  // The "Saved" message clears itself.
  await page.waitForFunction(() => document.querySelector('#save-status').textContent === 'Saved on this device');
  await page.waitForFunction(() => document.querySelector('#save-status').textContent === '', null, { timeout: 5000 });
});

await test('work saved by the first version is carried over, asking for the drug', async page => {
  await page.evaluate(() => {
    localStorage.clear();
    localStorage.setItem('itdose.form.v1', JSON.stringify({ pump_id: 'synchromed-ii-20', fill_volume: '18', concentration: '0.5', daily_dose: '1.2', low_reservoir_alarm: '2', fill_date: '2026-11-25', fill_time: '09:00' }));
  });
  await page.reload();
  await page.waitForSelector('#fill_volume');
  assertEq(await page.inputValue('#fill_volume'), '18', 'fill volume carried over');
  assertEq(await page.inputValue('#drug-0-concentration'), '0.5', 'concentration carried over');
  assertEq(await page.inputValue('#drug-0-daily_dose'), '1.2', 'dose carried over');
  await page.goto(base + '#/');
  assertTrue((await page.textContent('.plan-files')).includes('choose the drug of line 1'), 'the note says what to do');
  await page.goto(base + '#/plan');
  await page.waitForSelector('#drug-0-drug');
  assertEq(await page.inputValue('#drug-0-drug'), '', 'no drug guessed');
  // Choosing the drug keeps what was typed: 0.5 mg/mL at 1.2 mg/day = 2.4 mL/day.
  await page.selectOption('#drug-0-drug', 'morphine');
  assertEq(await page.inputValue('#drug-0-concentration'), '0.5', 'concentration kept when the drug is chosen');
  assertEq(await page.inputValue('#drug-0-daily_dose'), '1.2', 'dose kept when the drug is chosen');
  assertEq(await result(page, 'Flow rate'), '2.4 mL/day', 'computed once the drug is chosen');
});

await test('every input has a visible label; figures are in a <dl>; ISMP text on the whole page', async page => {
  await enterExample(page);
  await page.click('#csf-inputs summary');
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select')]
    .filter(el => { const l = document.querySelector(`label[for="${el.id}"]`); return !l || l.offsetParent === null; })
    .map(el => el.id));
  assertEq(unlabelled.join(','), '', 'inputs without a visible label');
  assertTrue(await page.evaluate(() => document.querySelectorAll('dl#results > div > dt + dd').length) >= 8, 'dt/dd pairs');
  const text = await page.evaluate(() => document.body.innerText);
  assertTrue(!/\d\.0\b/.test(text.replace(/\d{4}-\d{2}-\d{2}/g, '')), 'no trailing zero anywhere on the page');
  assertTrue(!/(^|[^\d.])\.\d/.test(text.replace(/\.\.\./g, '')), 'no naked decimal point anywhere on the page');
  assertTrue(!text.includes('µg') && !/\bcc\b/.test(text), 'ISMP units');
});

await test('a plan with an acknowledgement is exported as a file, and the file imports with the same figures', async page => {
  await enterExample(page);
  await page.fill('#drug-0-daily_dose', '16');
  for (let i = 0; await page.$(`#finding-${i}-reason`); i++) {
    await page.fill(`#finding-${i}-reason`, 'opioid-tolerant, titrated over 6 months');
    await page.click(`#finding-${i}-ack`);
  }
  assertTrue((await page.textContent('#plan-status')).startsWith('Valid'), 'acknowledged plan is valid');
  const before = await listed(page, 'results');
  await page.goto(base + '#/');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-plan')]);
  const path = await download.path();
  const exported = JSON.parse(readFileSync(path, 'utf8'));
  assertEq(exported.format, 'itdose-plan', 'exported format');
  assertEq(exported.version, 3, 'plan format version 3');
  assertTrue(exported.acknowledgements.length >= 1, 'acknowledgements recorded');
  const ack = exported.acknowledgements[0];
  assertEq(ack.reason, 'opioid-tolerant, titrated over 6 months', 'reason recorded');
  assertTrue(typeof ack.finding === 'object' && typeof ack.finding.rule === 'string', `structured key: ${JSON.stringify(ack.finding)}`);
  assertTrue(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(ack.at), 'time recorded');
  assertEq(exported.drugs[0].daily_dose.unit, 'mg/day', 'unit stated in the file');
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.waitForSelector('#screen-heading');
  await importPlan(page, path);
  assertEq(JSON.stringify(await listed(page, 'results')), JSON.stringify(before), 'same figures after the round trip');
  assertTrue((await page.textContent('#plan-status')).startsWith('Valid'), 'acknowledgements still match their findings');
});

const examples = ['example-plan.json', 'example-schedule-plan.json', 'example-ziconotide-refill.json', 'example-prometra-transit.json', 'example-new-pump-cautions.json'];
for (const file of examples) {
  await test(`the app shows every figure and finding of \`itdose report\` for docs/${file}`, async page => {
    await importPlan(page, join(root, 'docs', file));
    const report = JSON.parse(execFileSync('cargo', ['run', '--quiet', '--bin', 'itdose', '--', 'report', `docs/${file}`], { cwd: root, encoding: 'utf8' }));
    assertEq(report.format, 'itdose-report', 'report format');
    assertTrue((await page.textContent('#plan-status')).startsWith(report.status.text), `status: ${report.status.text}`);
    const sections = [['results', report.figures], ['comparison', report.comparison || []], ['scenarios', report.scenarios || []],
      ['refill-constraints', report.refill_constraints], ['reconciliation', report.reconciliation || []],
      ['worksheet', report.worksheet || []], ['mri-figures', report.mri ? report.mri.figures : []],
      ...report.drugs.map((d, i) => [`drug-${i}-results`, d.figures])];
    let compared = 0;
    for (const [list, figures] of sections) {
      assertEq(JSON.stringify(await listed(page, list)), JSON.stringify(figures.map(f => [f.name, f.display])), `section ${list}`);
      compared += figures.length;
    }
    const shown = await page.evaluate(() => [...document.querySelectorAll('#findings > li')].map(li => li.textContent));
    assertEq(shown.length, report.findings.length, 'as many findings on screen as in the report');
    for (const [i, f] of report.findings.entries()) {
      assertTrue(shown[i].includes(f.message), `finding ${i}: ${f.message}\n--- on screen: ${shown[i]}`);
      if (f.source) assertTrue(shown[i].includes(`Source: ${f.source}`), `finding ${i} source`);
      if (f.mark) assertTrue(shown[i].includes(`[${f.mark}:`), `finding ${i} mark ${f.mark}`);
    }
    if (file === 'example-new-pump-cautions.json') {
      // Issue 8: at least five findings of the audit's new rules, each with its source and mark.
      const fresh = ['start', 'new_pump.concentration', 'new_pump.rinse', 'avoid_with', 'off_label', 'off_label.admixture', 'no_current_programme'];
      const rules = report.findings.map(f => f.key.rule).filter(r => fresh.includes(r));
      assertTrue(rules.length >= 5, `at least five findings of the new rules: ${rules.join(', ')}`);
    }
    assertEq(await page.textContent('#reservoir-chart-text'), report.reservoir_chart.description, 'chart text alternative');
    assertTrue(compared >= 8, `compared ${compared} figures`);
    await page.screenshot({ path: join(artifacts, file.replace('.json', '.png')), fullPage: true });
  });
}

await test('a rejected library import names the drug and field and leaves the library in force', async page => {
  const good = readFileSync(join(root, 'data', 'drugs.json'), 'utf8');
  const bad = good.replace('"severity": "soft"', '"severity": "hard"');
  const badPath = join(artifacts, 'bad-library.json');
  await page.goto(base + '#/library');
  await page.waitForSelector('#import-library');
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

await test('the reservoir chart reads out date and volume under the pointer and by keyboard', async page => {
  await enterExample(page);
  await page.check('#ptm-enabled');
  await page.fill('#ptm-volume', '0.1');
  await page.fill('#ptm-duration', '10');
  await page.fill('#ptm-lockout', '4');
  await page.fill('#ptm-max_per_day', '4');
  await page.fill('#ptm-typical_per_day', '2');
  await page.focus('#reservoir-chart');
  await page.keyboard.press('ArrowRight');
  const byKey = await page.textContent('#reservoir-readout');
  assertTrue(byKey.startsWith('Thu 26 Nov 2026, 09:00: ') && byKey.includes(' mL no patient boluses'), `keyboard read-out at day 1: ${byKey}`);
  const box = await page.locator('#reservoir-chart').boundingBox();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
  const readout = await page.textContent('#reservoir-readout');
  assertTrue(/\d{4}, \d{2}:\d{2}: [\d.,]+ mL no patient boluses; [\d.,]+ mL typical/.test(readout), readout);
  assertTrue((await inked(page)) > 4000, 'chart drawn');
});

await test('print: the figures, findings and charts print; the controls do not', async page => {
  await importPlan(page, join(root, 'docs', 'example-plan.json'));
  await page.emulateMedia({ media: 'print' });
  const hidden = await page.evaluate(() => [...document.querySelectorAll('.no-print')].every(el => getComputedStyle(el).display === 'none'));
  assertTrue(hidden, 'controls hidden in print');
  assertTrue(await page.isVisible('#results') && await page.isVisible('#findings') && await page.isVisible('#reservoir-chart'), 'figures, findings and chart print');
  await page.screenshot({ path: join(artifacts, 'print.png'), fullPage: true });
});

for (const [label, width] of [['desktop', 1440], ['tablet', 820]]) {
  await test(`layout at ${width} px (${label}): nothing wider than the window`, async page => {
    await page.setViewportSize({ width, height: 1000 });
    await importPlan(page, join(root, 'docs', 'example-schedule-plan.json'));
    await page.click('#csf-inputs summary');
    const wide = await page.evaluate(() => [...document.querySelectorAll('body *')]
      .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
      .map(el => el.id || el.tagName).slice(0, 5));
    assertEq(wide.join(','), '', 'elements past the right edge');
    assertTrue(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no horizontal scroll');
    await page.screenshot({ path: join(artifacts, `layout-${label}.png`), fullPage: true });
  });
}

/** Presses Tab (Shift+Tab when `back`) until the element with id `id` has focus. */
async function tabTo(page, id, back = false) {
  for (let i = 0; i < 80; i++) {
    if (await page.evaluate(() => document.activeElement && document.activeElement.id) === id) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`Tab never reached #${id}`);
}

/** Tabs to the link whose text is `text` (links carry no id). */
async function tabToLink(page, text) {
  for (let i = 0; i < 80; i++) {
    if (await page.evaluate(t => document.activeElement && document.activeElement.tagName === 'A' && document.activeElement.textContent.trim().startsWith(t), text)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached the link "${text}"`);
}

await test('refill visit by keyboard alone, from the start screen to the confirmed review: the new fill gives the new alarm and refill-by dates', async page => {
  // The last fill: docs/example-plan.json (20 mL on Wed 25 Nov 2026, 09:00 at 0.2 mL/day; alarm at 2 mL).
  await importPlan(page, join(root, 'docs', 'example-plan.json'), '');
  await page.evaluate(() => document.activeElement.blur());
  const actions = { tabs: 0, keys: 0 };
  const counted = page.keyboard.press.bind(page.keyboard);
  page.keyboard.press = async key => { if (key.includes('Tab')) actions.tabs++; else actions.keys++; return counted(key); };
  await tabToLink(page, 'Refill visit');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#visit-date');
  // Visit on Wed 10 Feb 2027 at 09:00, 77 days after the fill: 20 − 77 × 0.2 = 4.6 mL expected.
  const typed = async (id, text) => { await tabTo(page, id); await page.keyboard.type(text); actions.keys++; };
  await typed('visit-date', '02102027');
  await typed('visit-time', '0900A');
  await typed('visit-withdrawn', '4.6');
  await typed('visit-new_fill', '20');
  assertEq(await figureIn(page, 'reconciliation', 'Expected residual'), '4.6 mL', 'expected residual');
  // The plan rolls forward to the new fill: 20 mL from 10 Feb 2027 09:00, (20 − 2) ÷ 0.2 = 90 days
  // to the alarm: Tue 11 May 2027, 09:00; at the fast edge (0.2 × 1.145 = 0.229 mL/day) 18 ÷ 0.229
  // = 78.6 days: Thu 29 Apr 2027, 23:27.
  assertEq(await figureIn(page, 'summary', 'After this refill: Low-reservoir alarm date'), 'Tue 11 May 2027, 09:00', 'new alarm date in the summary');
  assertEq(await figureIn(page, 'summary', 'After this refill: Refill by'), 'Thu 29 Apr 2027, 23:27', 'new refill-by in the summary');
  await tabTo(page, 'to-review');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#review-table');
  const row = name => page.evaluate(n => {
    const th = [...document.querySelectorAll('#review-table tbody th')].find(t => t.firstChild.textContent === n);
    return th ? [th.parentElement.children[1].textContent, th.parentElement.children[2].textContent, th.parentElement.classList.contains('changed')] : null;
  }, name);
  assertEq(JSON.stringify(await row('Fill date')), JSON.stringify(['Wed 25 Nov 2026, 09:00', 'Wed 10 Feb 2027, 09:00', true]), 'fill date row');
  assertEq(JSON.stringify(await row('Low-reservoir alarm date')), JSON.stringify(['Tue 23 Feb 2027, 09:00', 'Tue 11 May 2027, 09:00', true]), 'alarm row');
  assertEq(JSON.stringify(await row('Refill by')), JSON.stringify(['Thu 11 Feb 2027, 23:27', 'Thu 29 Apr 2027, 23:27', true]), 'refill-by row');
  assertEq(JSON.stringify(await row('Flow rate')), JSON.stringify(['0.2 mL/day', '0.2 mL/day', false]), 'rate unchanged');
  await tabTo(page, 'confirm');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#confirmed');
  assertTrue((await page.textContent('#sessions')).includes('Refill visit: Fill date: Wed 25 Nov 2026, 09:00 → Wed 10 Feb 2027, 09:00'), 'session recorded with what changed');
  assertEq(await figureIn(page, 'programme-full', 'Low-reservoir alarm date'), 'Tue 11 May 2027, 09:00', 'the confirmed plan is the new fill');
  assertEq(JSON.stringify(await row('Refill by')), JSON.stringify(['Thu 11 Feb 2027, 23:27', 'Thu 29 Apr 2027, 23:27', true]), 'the confirmed review stays on screen (and on paper)');
  assertTrue((await page.textContent('#review-visit-log')).includes('withdrawn 4.6 mL, expected 4.6 mL, discrepancy 0 mL; injected 20 mL'), 'the visit is in the log');
  assertEq(await figureIn(page, 'summary', 'Refill by'), 'Thu 29 Apr 2027, 23:27', 'summary after confirming');
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  console.log(`     refill visit: ${actions.tabs} Tab presses, ${actions.keys} other keys or typed entries; review page ${height} px tall at 1280 px`);
  page.keyboard.press = counted;
  // The visit is in the log, and a log entry can be deleted.
  await page.goto(base + '#/refill');
  await page.waitForSelector('#visit-log');
  assertEq((await listed(page, 'visit-log')).length, 1, 'one visit logged');
  await page.click('#delete-visit-0');
  await page.waitForFunction(() => !document.querySelector('#visit-log'));
});

await test('a dose change: the review shows every changed parameter, and confirming records them', async page => {
  await importPlan(page, join(root, 'docs', 'example-plan.json'), 'change');
  // Morphine 1 → 1.2 mg/day (lead drug, 5 mg/mL): 0.24 mL/day; the other drugs follow the rate.
  await page.fill('#drug-0-daily_dose', '1.2');
  await page.check('#ptm-enabled');
  await page.fill('#ptm-volume', '0.05');
  await page.fill('#ptm-duration', '10');
  await page.fill('#ptm-lockout', '4');
  await page.fill('#ptm-max_per_day', '3');
  await page.click('#to-review');
  await page.waitForSelector('#review-table');
  const changed = await page.evaluate(() => [...document.querySelectorAll('#review-table tr.changed th, #review-totals tr.changed th')].map(th => th.firstChild.textContent));
  const expected = ['morphine daily dose', 'bupivacaine daily dose', 'cloNIDine daily dose', 'Flow rate',
    'Patient bolus (myPTM)', 'morphine per patient bolus', 'bupivacaine per patient bolus', 'cloNIDine per patient bolus',
    'Low-reservoir alarm date', 'Empty date', 'Earliest possible empty date (every allowed patient bolus, fast edge of the flow accuracy)', 'Refill by',
    'morphine maximum possible per 24 h', 'bupivacaine maximum possible per 24 h', 'cloNIDine maximum possible per 24 h'];
  assertEq(JSON.stringify(changed), JSON.stringify(expected), 'every changed parameter, and only those');
  const row = await page.evaluate(() => [...document.querySelectorAll('#review-table tr.changed')].map(tr => [...tr.children].map(c => c.textContent)));
  assertEq(JSON.stringify(row[0]), JSON.stringify(['morphine daily dose changed', '1 mg/day', '1.2 mg/day']), 'the dose row');
  assertEq(JSON.stringify(row[5]), JSON.stringify(['morphine per patient bolus changed', 'not set', '0.25 mg']), 'dose per press: 0.05 mL × 5 mg/mL = 0.25 mg');
  assertEq(await page.textContent('#review-intro'), '15 of the parameters below change (marked “changed”).', 'count');
  // The 24-hour totals rise 1.95 times (the patient boluses count): each needs an acknowledgement.
  assertTrue(await page.isDisabled('#confirm'), 'unacknowledged soft limits block confirming');
  for (let n = 0; n < 10; n++) {
    const id = await page.evaluate(() => document.querySelector('input[id^="finding-"][id$="-reason"]')?.id);
    if (!id) break;
    await page.fill(`#${id}`, 'reviewed with the patient');
    await page.click(`#${id.replace('-reason', '-ack')}`);
  }
  if (await page.isDisabled('#confirm')) throw new Error(`cannot confirm: ${await page.textContent('#confirm-why')} / ${await page.textContent('#findings')}`);
  await page.click('#confirm');
  await page.waitForSelector('#confirmed');
  const sessions = await page.textContent('#sessions');
  assertTrue(sessions.includes('Change the programme: morphine daily dose: 1 mg/day → 1.2 mg/day'), sessions);
});

await test('"New patient" leaves nothing of the previous plan: fill, drugs, visits, sessions, acknowledgements, open session', async page => {
  // A plan with acknowledgements, then a confirmed refill (a visit in the log and a session), then
  // an open session with an unconfirmed change.
  await importPlan(page, join(root, 'docs', 'example-plan.json'), 'refill');
  await page.fill('#visit-date', '2027-02-10');
  await page.fill('#visit-time', '09:00');
  await page.fill('#visit-withdrawn', '4.6');
  await page.fill('#visit-new_fill', '20');
  await page.click('#to-review');
  await page.click('#confirm');
  await page.waitForSelector('#confirmed');
  await page.goto(base + '#/change');
  await page.fill('#drug-0-daily_dose', '1.1');
  await page.waitForFunction(() => document.querySelector('#save-status').textContent === 'Saved on this device');
  const before = await page.evaluate(() => Object.values(localStorage).join('\n'));
  for (const trace of ['bupivacaine', 'visits":[{', 'sessions":[{', 'reason', '"1.1"']) assertTrue(before.includes(trace), `the plan had ${trace}`);
  assertTrue(await page.evaluate(() => localStorage.getItem('itdose.session.v1') !== null), 'a session was open');
  await page.goto(base + '#/');
  await page.click('#new-patient');
  await page.click('#new-patient-confirm');
  await page.goto(base + '#/plan');
  await page.waitForSelector('#fill_volume');
  for (const id of ['fill_volume', 'drug-0-concentration', 'drug-0-daily_dose', 'end_of_service']) {
    assertEq(await page.inputValue(`#${id}`), '', `${id} empty`);
  }
  assertEq(await page.inputValue('#drug-0-drug'), 'morphine', 'the default drug line');
  assertEq(await page.evaluate(() => document.querySelectorAll('[id^="drug-"][id$="-drug"]').length), 1, 'one drug line');
  assertTrue(!(await page.isChecked('#ptm-enabled')) && !(await page.isChecked('#flex-enabled')), 'no flex, no patient boluses');
  assertTrue(!(await page.$('#visit-log')) && !(await page.$('#findings .ack-done')), 'no visits, no acknowledgements on screen');
  await page.waitForTimeout(600);
  const stored = await page.evaluate(() => Object.values(localStorage).join('\n'));
  for (const trace of ['bupivacaine', 'visits":[{', 'sessions":[{', 'reason', '"1.1"']) {
    assertTrue(!stored.includes(trace), `nothing of the previous patient stored (${trace})`);
  }
  assertTrue(await page.evaluate(() => localStorage.getItem('itdose.session.v1') === null), 'no open session');
  await page.goto(base + '#/review');
  await page.waitForSelector('#no-session');
});

await test('an open session survives a reload; discarding it brings the plan back as it was', async page => {
  await importPlan(page, join(root, 'docs', 'example-plan.json'), 'change');
  await page.fill('#drug-0-daily_dose', '1.2');
  await page.waitForFunction(() => document.querySelector('#save-status').textContent === 'Saved on this device');
  await page.reload();
  await page.goto(base + '#/review');
  await page.waitForSelector('#review-table');
  assertTrue((await page.textContent('#review-table')).includes('1 mg/day1.2 mg/day'), 'the change is still under review after a reload');
  assertTrue((await figureIn(page, 'summary', 'Status')).endsWith('Changes not yet confirmed.'), 'the summary says so');
  await page.click('#discard');
  await page.waitForFunction(() => document.querySelector('#no-session'), null, { timeout: 5000 }).catch(async () => {
    throw new Error(`after Discard: ${await page.evaluate(() => document.querySelector('.review-screen').innerText.slice(0, 400))}`);
  });
  await page.goto(base + '#/change');
  assertEq(await page.inputValue('#drug-0-daily_dose'), '1', 'the dose as it was');
  assertTrue(!(await figureIn(page, 'summary', 'Status')).includes('not yet confirmed'), 'nothing waits');
});

await test('a visit reconciled against a programme changed in the same session cannot be confirmed', async page => {
  await importPlan(page, join(root, 'docs', 'example-plan.json'), 'refill');
  await page.fill('#visit-date', '2027-02-10');
  await page.fill('#visit-time', '09:00');
  await page.fill('#visit-withdrawn', '4.6');
  await page.fill('#visit-new_fill', '20');
  await page.goto(base + '#/change');
  await page.fill('#drug-0-daily_dose', '1.2');
  await page.goto(base + '#/review');
  await page.waitForSelector('#confirm');
  assertTrue(await page.isDisabled('#confirm'), 'confirming is blocked');
  assertTrue((await page.textContent('#confirm-why')).includes('reconciled against the programme in force since the last fill'), await page.textContent('#confirm-why'));
});

await test('a finding that only the refill raises is listed on the review and can be acknowledged there', async page => {
  // A new SynchroMed II 20 mL with 18 mL: confirmed. At the refill 20 mL is injected: 20 mL with the
  // residual the pump can keep (up to 1.4 mL, not entered) would exceed 20 mL: a soft finding of
  // the new fill only.
  await page.goto(base + '#/new-pump');
  await page.selectOption('#pump', 'synchromed-ii-20');
  await page.fill('#fill_date', '2026-11-25');
  await page.fill('#fill_time', '09:00');
  await page.fill('#fill_volume', '18');
  await page.fill('#drug-0-concentration', '10');
  await page.fill('#drug-0-daily_dose', '1');
  await page.click('#new-pump-no');
  await page.goto(base + '#/review');
  for (let n = 0; n < 10; n++) {
    const id = await page.evaluate(() => document.querySelector('input[id^="finding-"][id$="-reason"]')?.id);
    if (!id) break;
    await page.fill(`#${id}`, 'starting dose discussed');
    await page.click(`#${id.replace('-reason', '-ack')}`);
  }
  await page.click('#confirm');
  await page.waitForSelector('#confirmed');
  await page.goto(base + '#/refill');
  await page.fill('#visit-date', '2026-12-20');
  await page.fill('#visit-time', '09:00');
  await page.fill('#visit-withdrawn', '15.5');
  await page.fill('#visit-new_fill', '20');
  await page.goto(base + '#/review');
  await page.waitForSelector('#after-refill-findings');
  assertTrue(await page.isDisabled('#confirm'), 'blocked until the new fill\'s finding is acknowledged');
  assertTrue((await page.textContent('#after-refill-findings')).includes('would exceed the 20 mL reservoir'), 'the finding is named');
  const id = await page.evaluate(() => document.querySelector('#after-refill-findings input').id);
  await page.fill(`#${id}`, 'residual aspirated to dryness');
  await page.click(`#${id.replace('-reason', '-ack')}`);
  await page.waitForFunction(() => !document.querySelector('#confirm').disabled);
  await page.click('#confirm');
  await page.waitForSelector('#confirmed');
  assertTrue((await page.textContent('#sessions')).includes('1 acknowledgement(s) recorded'), await page.textContent('#sessions'));
});

await test('a share link opened in a fresh browser gives the same plan; a damaged one is refused; one pasted over work asks first', async page => {
  await importPlan(page, join(root, 'docs', 'example-plan.json'));
  const figures = await listed(page, 'results');
  await page.goto(base + '#/');
  await page.click('#make-share-link');
  const link = await page.inputValue('#share-link');
  assertTrue(link.startsWith(base) && link.includes('#/plan?share=1.'), link);
  const fresh = await page.context().browser().newContext({ viewport: { width: 1280, height: 900 } });
  const other = await fresh.newPage();
  const requests = [];
  other.on('request', r => requests.push(r.url()));
  await other.goto(link);
  await other.waitForSelector('#shared-plan');
  assertTrue((await other.textContent('#shared-plan')).startsWith('The shared plan is on screen'), await other.textContent('#shared-plan'));
  assertEq(JSON.stringify(await listed(other, 'results')), JSON.stringify(figures), 'the same figures');
  assertTrue(!(await other.evaluate(() => location.hash)).includes('share='), 'the payload is removed from the address');
  assertTrue(requests.every(u => u.startsWith(base)), 'no request leaves the origin');
  // Damaged: refused, nothing on screen changed.
  await other.goto(link.slice(0, link.length - 40) + 'zz');
  await other.waitForFunction(() => document.querySelector('#shared-plan')?.textContent.startsWith('The shared link was not opened'));
  assertEq(JSON.stringify(await listed(other, 'results')), JSON.stringify(figures), 'the plan on screen is unchanged');
  // Over work on screen: asks; "Keep" keeps.
  await other.goto(base + '#/plan');
  await other.fill('#drug-0-daily_dose', '1.1');
  await other.goto(link);
  await other.waitForSelector('#shared-plan-keep');
  await other.click('#shared-plan-keep');
  assertEq(await other.inputValue('#drug-0-daily_dose'), '1.1', 'the work on screen is kept');
  await fresh.close();
});

await test('corrupt saved work: the app starts with a message, keeps it aside and offers it for download, byte for byte', async page => {
  const broken = '{"pump_id": "synchromed-ii-20", "fill_volume": "18", "drugs": [{"drug_id": "morph';
  await page.evaluate(b => localStorage.setItem('itdose.form.v2', b), broken);
  await page.reload();
  await page.goto(base + '#/');
  await page.waitForSelector('#download-set-aside-0');
  assertTrue((await page.textContent('.plan-files')).includes('could not be read'), 'the message says so');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-set-aside-0')]);
  assertEq(readFileSync(await download.path(), 'utf8'), broken, 'the kept text, byte for byte');
  // Reloading again does not make a second copy, and new work does not overwrite it.
  await page.reload();
  await page.goto(base + '#/plan');
  await page.fill('#fill_volume', '20');
  await page.waitForFunction(() => document.querySelector('#save-status').textContent === 'Saved on this device');
  const kept = await page.evaluate(() => Object.keys(localStorage).filter(k => k.includes('unreadable')).map(k => localStorage.getItem(k)));
  assertEq(JSON.stringify(kept), JSON.stringify([broken]), 'one copy, kept');
});

/** On the records screen, keeps the plan on screen as a new record named `name`. */
async function keepAsRecord(page, name, identifier = '') {
  await page.goto(base + '#/records');
  await page.waitForSelector('#save-record');
  await page.fill('#record-name', name);
  await page.fill('#record-identifier', identifier);
  await page.fill('#implanted_on', '2025-03-14');
  await page.fill('#record-catheter', 'tip T10, 40 cm');
  await page.click('#save-record');
  await page.waitForFunction(n => document.querySelector('#open-record-heading')?.textContent === `Open record: ${n}`, name);
}

/** Every stored record: [key, text]. */
const storedRecords = page => page.evaluate(() => Object.keys(localStorage).filter(k => k.startsWith('itdose.record.v1.')).sort().map(k => [k, localStorage.getItem(k)]));

/** FNV-1a 64 of the UTF-8 bytes, as 16 hex digits (the stored envelope's checksum). */
const fnv1a64 = text => {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(text)) { h ^= BigInt(b); h = (h * 0x100000001b3n) & 0xffffffffffffffffn; }
  return h.toString(16).padStart(16, '0');
};

/** Acknowledges every open finding on the review with a reason. */
async function acknowledgeAll(page) {
  for (let n = 0; n < 10; n++) {
    const id = await page.evaluate(() => document.querySelector('input[id^="finding-"][id$="-reason"]')?.id);
    if (!id) break;
    await page.fill(`#${id}`, 'reviewed with the patient');
    await page.click(`#${id.replace('-reason', '-ack')}`);
  }
}

await test('a patient record keeps the plan and each confirmed session, survives a reload, and is found by search', async page => {
  await importPlan(page, join(root, 'docs', 'example-plan.json'), '');
  await keepAsRecord(page, 'Ada Example', 'MRN 0042');
  await page.goto(base + '#/change');
  await page.fill('#drug-0-daily_dose', '1.2');
  await page.click('#to-review');
  await page.waitForSelector('#review-table');
  await acknowledgeAll(page);
  await page.click('#confirm');
  await page.waitForSelector('#confirmed');
  const said = await page.textContent('#confirmed');
  assertTrue(said.includes('Recorded in the patient record “Ada Example”.'), said);
  await page.reload();
  await page.goto(base + '#/records');
  await page.waitForSelector('.record-history');
  const history = await page.textContent('.record-history');
  assertTrue(history.includes('Change the programme') && history.includes('Changed: morphine daily dose: 1 mg/day → 1.2 mg/day'), history);
  assertTrue(history.includes('Record created') && history.includes('Fill: 20 mL on Wed 25 Nov 2026, 09:00'), history);
  assertEq(await page.inputValue('#record-identifier'), 'MRN 0042', 'the details, after a reload');
  assertEq(await page.inputValue('#implanted_on'), '2025-03-14', 'the implant date');
  const item = await page.textContent('.record-item h4');
  assertEq(item, 'Ada Example (open)', 'the open record in the list');
  assertTrue((await page.textContent('.record-item dl')).includes('Sessions2'), await page.textContent('.record-item dl'));
  // The plan on screen after the reload is the record's (the confirmed dose), and the summary
  // names the record.
  await page.goto(base + '#/plan');
  assertEq(await figureIn(page, 'summary', 'Patient record'), 'Ada Example', 'the summary names the record');
  assertEq(await page.inputValue('#drug-0-daily_dose'), '1.2', 'the confirmed dose');
  for (const [label, width, height] of [['desktop', 1440, 900], ['tablet', 820, 1180]]) {
    await page.setViewportSize({ width, height });
    await page.goto(base + '#/records');
    await page.waitForSelector('.record-history');
    await page.screenshot({ path: join(artifacts, `records-${label}.png`), fullPage: true });
  }
  await page.fill('#record-search', 'mrn 0042 morphine');
  assertEq(await page.locator('.record-item').count(), 1, 'found by identifier and drug');
  await page.fill('#record-search', 'ziconotide');
  await page.waitForSelector('#no-records');
  assertEq(await page.locator('.record-item').count(), 0, 'no match');
});

await test('a record exported then imported is the same record; delete has undo; duplicate makes a copy', async page => {
  await importPlan(page, join(root, 'docs', 'example-plan.json'), '');
  await keepAsRecord(page, 'Ben Example');
  const [first] = await Promise.all([page.waitForEvent('download'), page.click('.export-record')]);
  const exported = readFileSync(await first.path(), 'utf8');
  assertEq(JSON.parse(exported).patient.name, 'Ben Example', 'the file is the record');
  const before = await storedRecords(page);
  await page.click('.delete-record');
  await page.waitForSelector('#undo-delete');
  assertEq((await storedRecords(page)).length, 0, 'deleted');
  await page.click('#undo-delete');
  await page.waitForSelector('.record-item');
  assertEq(JSON.stringify(await storedRecords(page)), JSON.stringify(before), 'undo restores it byte for byte');
  await page.click('.delete-record');
  await page.waitForSelector('#no-records');
  const file = join(artifacts, 'record-export.json');
  writeFileSync(file, exported);
  await page.setInputFiles('#import-record', file);
  await page.waitForFunction(() => document.querySelector('#import-record-status').textContent.startsWith('Imported “Ben Example”.'));
  const [second] = await Promise.all([page.waitForEvent('download'), page.click('.export-record')]);
  assertEq(readFileSync(await second.path(), 'utf8'), exported, 'export → import → export gives the same record');
  // Importing it again does not replace it: another record.
  await page.setInputFiles('#import-record', file);
  await page.waitForFunction(() => document.querySelectorAll('.record-item').length === 2);
  await page.click('.duplicate-record >> nth=0');
  await page.waitForFunction(() => document.querySelectorAll('.record-item').length === 3);
  assertTrue((await page.textContent('.records-list')).includes('Ben Example (copy)'), 'the copy');
  // A broken file is refused with a message; nothing changes.
  writeFileSync(file, '{"format": "itdose-record", "version": 1, "id": "x"');
  await page.setInputFiles('#import-record', file);
  await page.waitForFunction(() => document.querySelector('#import-record-error').textContent.includes('Nothing was imported'));
  assertEq(await page.locator('.record-item').count(), 3, 'nothing imported');
});

await test('a stored record tampered over a hard limit is still blocked; damaged and newer stored records are kept and offered for download', async page => {
  await importPlan(page, join(root, 'docs', 'example-plan.json'), '');
  await keepAsRecord(page, 'Cy Example');
  const [[key, text]] = await storedRecords(page);
  const envelope = JSON.parse(text);
  const record = JSON.parse(envelope.record);
  // Ziconotide 25 mcg/day: above the US hard maximum of 19.2 mcg/day.
  record.plan.drugs = [{ drug: 'ziconotide', concentration: { unit: 'mcg/mL', value: 25 }, daily_dose: { unit: 'mcg/day', value: 25 } }];
  record.plan.acknowledgements = [];
  envelope.record = JSON.stringify(record);
  envelope.checksum = fnv1a64(envelope.record);
  const damaged = text.replace('Cy Example', 'Cy Exampl3');
  const newer = text.replace('"version":1', '"version":2');
  await page.evaluate(([k, t, d, n]) => {
    localStorage.setItem(k, t);
    localStorage.setItem('itdose.record.v1.damaged', d);
    localStorage.setItem('itdose.record.v1.newer', n);
  }, [key, JSON.stringify(envelope), damaged, newer]);
  await page.reload();
  await page.goto(base + '#/');
  await page.waitForSelector('#unreadable-records-note');
  // Another patient on screen, then the tampered record opened from the list.
  await page.click('#new-patient');
  await page.click('#new-patient-confirm');
  await page.goto(base + '#/records');
  await page.waitForSelector('#unreadable-records');
  const why = await page.textContent('#unreadable-records');
  assertTrue(why.includes('checksum does not match') && why.includes('saved by a newer itdose'), why);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-unreadable-record-0')]);
  assertEq(readFileSync(await download.path(), 'utf8'), damaged, 'the damaged text, byte for byte');
  await page.click('.open-record-button');
  await page.click('.confirm-open');
  await page.waitForFunction(() => document.querySelector('#open-record-heading')?.textContent === 'Open record: Cy Example');
  // As opened, before anything is typed: the stored 25 mcg/day is blocked.
  await page.goto(base + '#/plan');
  await page.waitForSelector('#summary');
  assertEq(await figureIn(page, 'summary', 'Status'), 'Not valid: a hard limit is crossed', 'the opened record is blocked');
  assertEq(await page.inputValue('#drug-0-daily_dose'), '25', 'the stored dose, as stored');
  await page.goto(base + '#/change');
  await page.waitForSelector('#drug-0-daily_dose');
  await page.fill('#drug-0-daily_dose', '20');
  await page.click('#to-review');
  await page.waitForSelector('#review-table');
  assertTrue(await page.isDisabled('#confirm'), 'a hard limit blocks confirming');
  assertTrue((await page.textContent('#findings')).toLowerCase().includes('hard'), await page.textContent('#findings'));
  // The unreadable texts are still there, untouched.
  const kept = Object.fromEntries(await storedRecords(page));
  assertEq(kept['itdose.record.v1.damaged'], damaged, 'damaged text kept');
  assertEq(kept['itdose.record.v1.newer'], newer, 'newer text kept');
});

await test('after one visit the app reloads and computes with the server stopped (service worker)', async page => {
  const hosted = await serveDist();
  const ctx = await page.context().browser().newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const p = await ctx.newPage();
    await p.goto(hosted.base + '#/plan');
    await p.waitForSelector('#fill_volume');
    await p.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    hosted.server.kill();
    await new Promise(r => setTimeout(r, 300));
    await p.reload();
    await p.waitForSelector('#fill_volume');
    await p.selectOption('#pump', 'synchromed-ii-40');
    await p.fill('#fill_date', '2026-11-25');
    await p.fill('#fill_time', '09:00');
    await p.fill('#fill_volume', '40');
    await p.fill('#drug-0-concentration', '10');
    await p.fill('#drug-0-daily_dose', '2');
    assertEq(await result(p, 'Flow rate'), '0.2 mL/day', 'computed offline');
    const manifest = await p.evaluate(() => fetch('manifest.webmanifest').then(r => r.json()));
    assertEq(manifest.short_name, 'itdose', 'the web app manifest, offline too');
  } finally {
    hosted.server.kill();
    await ctx.close();
  }
});

await test('conversion: a regimen gives the MME and the proposal with its arithmetic; using it needs an explicit action; bad input is marked at the field and survives a reload', async page => {
  await importPlan(page, join(root, 'docs', 'example-plan.json'), 'convert');
  await page.selectOption('#regimen-0-opioid', 'oxycodone');
  await page.fill('#regimen-0-amount', '40');
  await page.click('#regimen-add');
  await page.selectOption('#regimen-1-opioid', 'fentanyl-patch');
  await page.fill('#regimen-1-amount', '25');
  assertTrue(await page.isVisible('#conversion-empty'), 'no proposal before the ratio and the reduction are chosen');
  await page.check('#ratio-100');
  await page.fill('#reduction', '30');
  // 40 × 1.5 + 25 × 2.4 = 60 + 60 = 120 MME; ÷ 100 = 1.2 mg/day; × 0.7 = 0.84 mg/day.
  assertEq(await figureIn(page, 'conversion', 'Total MME'), '120 mg/day', 'MME');
  assertEq(await figureIn(page, 'conversion', 'Proposed intrathecal morphine'), '0.84 mg/day', 'proposal');
  const arithmetic = await page.textContent('#conversion-arithmetic');
  assertTrue(arithmetic.includes('fentaNYL (transdermal patch) 25 mcg/h × 2.4 = 60 MME') && arithmetic.includes('1.2 × 0.7 = 0.84 mg/day'), arithmetic);
  assertTrue((await page.textContent('#conversion-cautions')).includes('Transdermal fentaNYL: the CDC asks for extra caution'), 'caution');
  // The optional systemic taper: 120 MME, 25 % of it every 7 days: 90, 60, 30, 0.
  await page.click('#taper-plan summary');
  await page.fill('#taper_percent', '25');
  await page.fill('#taper_days', '7');
  await page.fill('#taper_start', '2026-12-01');
  await page.waitForSelector('#taper-steps');
  assertEq(JSON.stringify((await listed(page, 'taper-steps')).map(([, v]) => v)),
    JSON.stringify(['90 mg/day MME', '60 mg/day MME', '30 mg/day MME', '0 mg/day MME']), 'the taper');
  for (const [label, width, height] of [['desktop', 1440, 900], ['tablet', 820, 1180]]) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: join(artifacts, `convert-${label}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  // The factor table is editable: oxyCODONE 1.5 → 2 gives 40 × 2 + 60 = 140 MME; 150 (outside a
  // tenth to four times the CDC's 1.5) is refused at the factor and changes nothing; the edit survives a reload; restoring gives the CDC's 1.5 back.
  await page.click('#conversion-factors summary');
  await page.fill('#factor-oxycodone-value', '150');
  await page.click('#factor-oxycodone-set');
  await page.waitForFunction(() => document.querySelector('#factor-oxycodone-error').textContent.includes('outside 0.15 to 6'));
  assertEq(await figureIn(page, 'conversion', 'Total MME'), '120 mg/day', 'a refused factor changes nothing');
  await page.fill('#factor-oxycodone-value', '2');
  await page.click('#factor-oxycodone-set');
  await page.waitForFunction(() => [...document.querySelectorAll('#conversion dt')].some(dt => dt.textContent === 'Total MME' && dt.nextElementSibling.textContent.startsWith('140')));
  assertTrue((await page.textContent('#conversion-factors')).includes('set in itdose on'), 'the source says the factor was set here');
  await page.reload();
  await page.goto(base + '#/convert');
  assertEq(await figureIn(page, 'conversion', 'Total MME'), '140 mg/day', 'the edited factor survives a reload');
  await page.click('#conversion-factors summary');
  await page.click('#factors-restore');
  await page.waitForFunction(() => [...document.querySelectorAll('#conversion dt')].some(dt => dt.textContent === 'Total MME' && dt.nextElementSibling.textContent.startsWith('120')));
  // Nothing entered the plan yet.
  await page.goto(base + '#/plan');
  assertEq(await page.inputValue('#drug-0-daily_dose'), '1', 'the plan is unchanged');
  await page.goto(base + '#/convert');
  await page.fill('#regimen-0-amount', 'abc');
  await page.focus('#reduction');
  assertTrue((await page.textContent('#regimen-0-amount-error')).includes('is not a number'), await page.textContent('#regimen-0-amount-error'));
  assertTrue(await page.isVisible('#conversion-stale'), 'the last valid proposal is kept, marked');
  assertTrue(await page.isDisabled('#conversion-use'), 'a stale proposal cannot be used');
  await page.reload();
  await page.goto(base + '#/convert');
  assertEq(await page.inputValue('#regimen-0-amount'), 'abc', 'what was typed survives a reload');
  await page.fill('#regimen-0-amount', '40');
  await page.click('#conversion-use');
  const question = await page.textContent('#conversion-question');
  assertTrue(question.startsWith('Drug line 1: morphine daily dose 1 mg/day → 0.84 mg/day. The concentration (5 mg/mL) is not changed'), question);
  await page.click('#conversion-use-confirm');
  await page.waitForSelector('#screen-heading');
  assertEq(await page.evaluate(() => location.hash), '#/new-pump', 'on to the new-pump screen');
  assertEq(await page.inputValue('#drug-0-daily_dose'), '0.84', 'the dose, in drug line 1');
  assertEq(await page.inputValue('#drug-0-drug'), 'morphine', 'morphine');
  // A plan with no morphine line: the dose cannot be put in, and the screen says why.
  await importPlan(page, join(root, 'docs', 'example-ziconotide-refill.json'), 'convert');
  assertTrue(await page.isDisabled('#conversion-use'), 'no line for the dose');
  assertTrue((await page.textContent('#conversion-use-why')).startsWith('The plan on screen has no morphine line'), await page.textContent('#conversion-use-why'));
});

await test('titration planner: ziconotide 2.4 → 9.6 mcg/day in rises of at most 2.4 mcg/day, with dates, rates and the alarm', async page => {
  await importPlan(page, join(root, 'docs', 'example-ziconotide-refill.json'), 'change');
  await page.click('#titration-planner summary');
  await page.fill('#titration-target', '9.6');
  await page.fill('#titration-start', '2026-12-01');
  await page.waitForSelector('#titration-steps');
  const steps = await listed(page, 'titration-steps');
  assertEq(JSON.stringify(steps), JSON.stringify([
    ['Tue 1 Dec 2026, 09:00', '4.8 mcg/day (+2.4 mcg/day), 0.192 mL/day'],
    ['Sat 5 Dec 2026, 09:00', '7.2 mcg/day (+2.4 mcg/day), 0.288 mL/day'],
    ['Wed 9 Dec 2026, 09:00', '9.6 mcg/day (+2.4 mcg/day), 0.384 mL/day'],
  ]), 'the rises');
  const said = await page.textContent('#titration-notes');
  assertTrue(said.includes('Each rise at most 2.4 mcg/day, at least 4 days apart.') && said.includes('low-reservoir alarm sounds on'), said);
  // Where the refill falls: 25 Nov + 40 days (ziconotide diluted, the dilution not known) binds.
  const refills = await listed(page, 'titration-refills');
  assertEq(refills.length, 1, JSON.stringify(refills));
  assertEq(refills[0][0], 'Mon 4 Jan 2027, 09:00', JSON.stringify(refills));
  assertTrue(refills[0][1].startsWith('ziconotide stability in the pump: 40 days'), JSON.stringify(refills));
  await page.screenshot({ path: join(artifacts, 'titration-desktop.png'), fullPage: true });
  // A drug the library gives no rule: the planner asks for the clinician's own.
  await importPlan(page, join(root, 'docs', 'example-plan.json'), 'change');
  await page.click('#titration-planner summary');
  await page.fill('#titration-own-step', '');
  await page.fill('#titration-own-percent', '');
  await page.fill('#titration-own-days', '');
  await page.fill('#titration-target', '1.5');
  await page.waitForSelector('#titration-error');
  assertTrue((await page.textContent('#titration-error')).includes('set your own'), await page.textContent('#titration-error'));
  await page.fill('#titration-own-percent', '20');
  await page.fill('#titration-own-days', '7');
  await page.waitForSelector('#titration-steps');
  assertEq((await listed(page, 'titration-steps')).length, 3, '1 → 1.2 → 1.44 → 1.5 mg/day');
});

await test('outcomes: visits with pain and MME in a record, markers, bad scores at the field, the timeline with thresholds and sessions, the CSV', async page => {
  await importPlan(page, join(root, 'docs', 'example-plan.json'), '');
  await keepAsRecord(page, 'Dee Example');
  const visit = async (date, pain, mme) => {
    await page.fill('#outcome_date', date);
    await page.fill('#pain_now', pain);
    await page.fill('#systemic_mme', mme);
    await page.click('#outcome-add');
  };
  // Visit dates after today: the record is kept now, and a visit shows the doses in force then.
  const day = n => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);
  await visit(day(5), '11', '360');
  await page.waitForSelector('#pain_now-error p');
  assertTrue((await page.textContent('#pain_now-error')).includes('10 of 10'), await page.textContent('#pain_now-error'));
  assertEq(await page.inputValue('#pain_now'), '11', 'what was typed stays');
  await page.fill('#pain_now', '-1');
  await page.click('#outcome-add');
  await page.waitForFunction(() => document.querySelector('#pain_now-error').textContent.includes('negative'));
  await page.fill('#pain_now', '');
  await page.fill('#systemic_mme', '');
  await page.click('#outcome-add');
  await page.waitForFunction(() => document.querySelector('#pain_now-error').textContent.includes('enter at least'));
  await visit(day(5), '8', '360');
  await page.waitForFunction(() => document.querySelector('#outcome-log')?.textContent.includes('severe pain'));
  await visit(day(40), '6.4', '60');
  await page.waitForFunction(() => document.querySelector('#outcome-log')?.textContent.includes('responder'));
  await visit(day(90), '3', '0');
  await page.waitForFunction(() => document.querySelector('#outcome-log')?.textContent.includes('systemic opioids stopped'));
  const log = await page.textContent('#outcome-log');
  assertTrue(log.includes('Pain now 6.4 of 10') && log.includes('Intrathecal (basal): morphine 1 mg/day, bupivacaine 0.5 mg/day, cloNIDine 20 mcg/day'), log);
  const svg = await page.evaluate(() => decodeURIComponent(document.querySelector('#timeline img').src.split(',')[1]));
  assertTrue(svg.includes('mild below 4') && svg.includes('severe from 7'), 'the thresholds are drawn');
  writeFileSync(join(artifacts, 'timeline.svg'), svg);
  assertTrue(svg.includes('Systemic MME (mg/day)') && />\s*R\s*</.test(svg), 'the MME axis and the session marker');
  assertTrue(svg.includes('Intrathecal morphine, basal (mg/day)') && svg.includes('Intrathecal cloNIDine, basal (mcg/day)'), 'a strip per intrathecal drug');
  assertEq(await page.textContent('#timeline-legend'), 'Session markers: R: Record created.', 'the legend');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#outcome-csv')]);
  const csvText = readFileSync(await download.path(), 'utf8').trim().split('\n');
  assertEq(csvText.length, 4, 'a header and three visits');
  assertEq(csvText[2], `${day(40)},00:00,6.4,,60,"morphine 1 mg/day, bupivacaine 0.5 mg/day, cloNIDine 20 mcg/day",no,no,yes,no,`, 'the responder visit');
  for (const [label, width, height] of [['desktop', 1440, 900], ['tablet', 820, 1180]]) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: join(artifacts, `outcomes-${label}.png`), fullPage: true });
  }
  await page.reload();
  await page.goto(base + '#/records');
  await page.waitForSelector('#outcome-log');
  assertTrue((await page.textContent('#outcome-log')).includes('systemic opioids stopped'), 'the log survives a reload');
});

await test('a new version is offered, never forced: taking it keeps the work on screen', async page => {
  const dir = mkdtempSync(join(tmpdir(), 'itdose-update-'));
  cpSync(join(root, 'dist'), dir, { recursive: true });
  const hosted = await serveDist('', dir);
  const ctx = await page.context().browser().newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const p = await ctx.newPage();
    await p.goto(hosted.base + '#/plan');
    await p.waitForSelector('#fill_volume');
    await p.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await p.reload();
    await p.waitForSelector('#fill_volume');
    assertTrue(await p.evaluate(() => !!navigator.serviceWorker.controller), 'the page is served by the worker');
    assertEq(await p.locator('#update-offer').count(), 0, 'no offer while there is no new version');
    await p.fill('#fill_volume', '37');
    // A new build on the host: its list of assets (and so the worker's cache) changes.
    const assets = join(dir, 'sw-assets.js');
    writeFileSync(assets, readFileSync(assets, 'utf8').replace(/version: "([0-9a-f]+)"/, 'version: "$1-next"'));
    await p.evaluate(() => navigator.serviceWorker.getRegistration().then(r => r.update()));
    await p.waitForSelector('#update-offer', { timeout: 15000 });
    assertEq(await p.inputValue('#fill_volume'), '37', 'nothing on screen changes until the user accepts');
    await Promise.all([p.waitForEvent('load'), p.click('#update-take')]);
    await p.waitForSelector('#fill_volume');
    assertEq(await p.inputValue('#fill_volume'), '37', 'the work, after the update');
    const names = await p.evaluate(() => caches.keys());
    assertTrue(names.some(k => k.endsWith('-next')) && names.length === 1, `the new version's cache only: ${names.join(', ')}`);
    assertEq(await p.locator('#update-offer').count(), 0, 'the offer is gone');
  } finally {
    hosted.server.kill();
    await ctx.close();
  }
});

await test('deep links open each workflow directly, also with dist/ under a sub-path of a static host', async page => {
  const hosted = await serveDist('clinic/itdose/');
  try {
    for (const [path, heading] of [['mri', 'MRI'], ['refill', 'Refill visit'], ['review', 'Review and confirm'], ['nowhere', 'What are you doing today?']]) {
      const fresh = await page.context().browser().newContext();
      const p = await fresh.newPage();
      const errors = [];
      p.on('pageerror', e => errors.push(e.message));
      p.on('response', r => { if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`); });
      await p.goto(`${hosted.base}#/${path}`);
      await p.waitForSelector('#screen-heading');
      assertEq(await p.textContent('h2#screen-heading'), heading, `#/${path} under /clinic/itdose/`);
      if (path === 'nowhere') assertTrue((await p.textContent('.start')).includes('The address names no screen'), 'an unknown address says so');
      assertEq(errors.join('; '), '', 'nothing failed to load');
      await fresh.close();
    }
  } finally {
    hosted.server.kill();
  }
});

await test('the printout: patient lines, date printed, versions, the programme in full, the review, findings with acknowledgements, worksheet, both charts as vector images, signature lines', async page => {
  // Prometra II, morphine 10 mg/mL at 1 → 1.2 mg/day, with a catheter and weight for the CSF model,
  // and a 25 mg/mL stock for the worksheet.
  await importPlan(page, join(root, 'docs', 'example-prometra-transit.json'), 'change');
  await page.fill('#drug-0-daily_dose', '1.2');
  await page.fill('#drug-0-stock_strength', '25');
  await page.goto(base + '#/review');
  await page.waitForSelector('#review-table');
  await page.waitForSelector('#csf-chart-0');
  await page.emulateMedia({ media: 'print' });
  await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
  await page.waitForSelector('#reservoir-chart-print');
  const text = await page.evaluate(() => document.body.innerText);
  for (const words of ['Patient name', 'Date of birth', 'Hospital number', 'Printed ', 'itdose 0.', 'drug library: itdose default drug library',
    'Current and proposed programme', 'morphine daily dose changed', 'The programme in full', 'Limits and cautions', 'Compounding worksheet',
    'Prepared by (name, signature)', 'Checked by (name, signature)']) {
    assertTrue(text.toLowerCase().includes(words.toLowerCase()), `printout has "${words}"`);
  }
  const images = await page.evaluate(() => [...document.querySelectorAll('img.chart-print')].map(i => [i.naturalWidth, decodeURIComponent(i.src).includes('<svg')]));
  assertTrue(images.length >= 2 && images.every(([w, svg]) => w > 0 && svg), `both charts as SVG images: ${JSON.stringify(images)}`);
  assertTrue(await page.evaluate(() => [...document.querySelectorAll('.chart canvas')].every(c => getComputedStyle(c).display === 'none')), 'no bitmap canvas on paper');
  assertTrue(await page.evaluate(() => [...document.querySelectorAll('.no-print, nav, button')].every(el => getComputedStyle(el).display === 'none')), 'no controls on paper');
  await page.screenshot({ path: join(artifacts, 'printout.png'), fullPage: true });
  await page.goto(base + '#/card');
  await page.waitForSelector('#card-figures');
  for (const words of ['Your pump', 'Medicine: morphine', 'Your next refill is due by', 'Low-reservoir alarm', 'Critical alarm', 'MRI', 'Who to call']) {
    assertTrue((await page.evaluate(() => document.body.innerText)).includes(words), `card has "${words}"`);
  }
  await page.screenshot({ path: join(artifacts, 'patient-card-print.png'), fullPage: true });
});

await test('a new patient: no message in red on any screen before a field is touched; one appears when a touched field is left empty', async page => {
  await page.evaluate(() => localStorage.clear());
  const red = () => page.evaluate(() => [...document.querySelectorAll('.field-error p, .field-error li, .error-summary li, .banner-error, [aria-invalid="true"]')]
    .filter(el => el.offsetParent !== null).map(el => el.id || el.textContent.slice(0, 60)));
  for (const screen of ['refill', 'change', 'new-pump', 'mri', 'review', 'card', 'plan']) {
    await page.goto(base + '#/' + screen);
    await page.reload();
    await page.waitForSelector('#screen-heading');
    assertEq(JSON.stringify(await red()), '[]', `#/${screen} before anything is touched`);
  }
  await page.goto(base + '#/new-pump');
  await page.focus('#fill_volume');
  await page.keyboard.press('Tab');
  assertEq(await page.textContent('#fill_volume-error'), 'Fill volume: enter a value', 'the message once the field is left empty');
});

// The bad-input matrix and hostile imports (e2e/matrix.mjs).
await registerMatrix({ test, base, root, importPlan });
await registerImports({ test, base, root, importPlan });

const screens = ['', 'refill', 'change', 'new-pump', 'mri', 'review', 'card', 'records', 'library', 'convert', 'plan'];
for (const [label, width, height] of [['desktop', 1440, 900], ['tablet', 820, 1180]]) {
  await test(`axe-core finds no violation on any screen, print media included, and nothing scrolls sideways at ${width} px (${label})`, async page => {
    await page.setViewportSize({ width, height });
    await importPlan(page, join(root, 'docs', 'example-schedule-plan.json'), '');
    const found = [];
    for (const screen of screens) {
      await page.goto(base + '#/' + screen);
      await page.waitForSelector('#screen-heading');
      await page.waitForTimeout(400);
      for (const media of ['screen', 'print']) {
        await page.emulateMedia({ media });
        const r = await new AxeBuilder({ page }).analyze();
        for (const v of r.violations) found.push(`#/${screen} (${media}): ${v.id} at ${v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')}`);
      }
      await page.emulateMedia({ media: 'screen' });
      const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (wide > 0) found.push(`#/${screen}: ${wide} px of horizontal scroll`);
      await page.screenshot({ path: join(artifacts, `screen-${screen || 'start'}-${label}.png`), fullPage: true });
    }
    assertEq(found.join('\n'), '', 'violations');
  });
}

await browser.close();
server.kill();

const failed = results.filter(([, e]) => e).length;
console.log(`e2e: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
