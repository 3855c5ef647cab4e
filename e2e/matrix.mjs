// The bad-input matrix, end to end (issue 13): every text input of every screen gets empty, "-1",
// "0", "1,5", "1e308", "abc", a value in the wrong unit family and a paste of 10,000 characters.
// For each: no crash (the runner fails a test on any page error or console error), a message
// next to the field once it is left (or once its form is submitted, where a button applies it),
// the last valid result kept on screen (marked stale where the app marks it), and what was typed
// still in the field after a reload (checked once per input, with the paste). A value that is
// legitimately valid for a field is listed, with the reason, in that field's row. A last test
// fails when a screen shows a text input that no row covers.
//
// Then imported plans, records, libraries, MME factor tables and share links get truncated,
// oversized, wrong-version and hostile JSON: each is refused with a visible message and nothing in
// force changes (compared before and after).

import { readFileSync } from 'node:fs';
import { compressToEncodedURIComponent } from './lz.mjs';

/** 10,000 characters, all digits: a number too large for any field, and too long to echo. */
export const PASTE = '1234567890'.repeat(1000);

/** The eight values of a number or free-text input; `wrong` is the row's wrong-unit value. */
const textValues = wrong => [['empty', ''], ['-1', '-1'], ['0', '0'], ['1,5', '1,5'], ['1e308', '1e308'], ['abc', 'abc'],
  ['wrong unit', wrong], ['10,000 characters', PASTE]];
/** A date input holds a valid date or nothing (the browser drops "abc", "-1" and the paste), so
 * it gets nothing and the ends of what its picker allows. */
const dateValues = [['empty', ''], ['year 1', '0001-01-01'], ['year 9999', '9999-12-31'], ['year 275760', '275760-09-13']];
/** A time input likewise: nothing, and the ends of the day. */
const timeValues = [['empty', ''], ['00:00', '00:00'], ['23:59', '23:59']];

/** Each row's values: [name, value, accepted (the reason) or null (refused)]. */
function valuesOf(row) {
  const values = row.kind === 'date' ? dateValues : row.kind === 'time' ? timeValues : textValues(row.wrong ?? '5 mcg');
  return values.map(([name, value]) => {
    const free = row.kind === 'free' && !row.refuses?.[name];
    const why = row.accepts?.[name] ?? (free ? 'free text' : null);
    return [name, value, why];
  });
}

/** The value typed before a reload: the paste, or for a date the first day of year 1 and for a
 * time 23:59. */
const reloadValue = row => (row.kind === 'date' ? '0001-01-01' : row.kind === 'time' ? '23:59' : PASTE);

/**
 * Runs one case in the page, in one round trip: types `value` into the input as a paste does (the
 * input event), leaves the field (focus, then blur), presses the row's button if it has one, and
 * waits for the app to react; then reads the message at the field, the result and its stale mark;
 * then, when `restore`, puts the original value back and waits until the result is the baseline
 * again and the message has gone.
 */
function runCase(page, c) {
  return page.evaluate(async c => {
    // A task: the app's effects (microtasks) have run by then.
    const frame = () => new Promise(r => setTimeout(r, 0));
    const el = document.getElementById(c.id);
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
    const type = async (v, submit) => {
      el.focus();
      setter.call(el, v);
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
      el.blur();
      if (submit && c.submit) document.querySelector(c.submit)?.click();
      await frame();
    };
    const result = () => c.results.map(s => [...document.querySelectorAll(s)].map(e => e.textContent).join('\n')).join('\n--\n');
    const stale = () => (c.stale ? c.stale.every(s => document.querySelector(s)) : null);
    const message = () => document.querySelector(c.error)?.textContent ?? '';
    const until = async (ok, ms) => {
      const end = Date.now() + ms;
      while (!ok() && Date.now() < end) await frame();
    };
    const prefill = async () => {
      for (const [id, v] of c.prefill ?? []) {
        const other = document.getElementById(id);
        setter.call(other, v);
        other.dispatchEvent(new Event('input', { bubbles: true }));
      }
    };
    await prefill();
    await type(c.value, true);
    if (c.refused) await until(() => message().trim() !== '' && result() === c.baseline && stale() !== false, 600);
    const seen = { message: message(), result: result(), stale: stale(), value: el.value };
    // From one refused value to the next, the last valid result stays as it is: the original is
    // put back after an accepted value, after a value applied by a button, and after the last.
    if (!c.restore) return { ...seen, back: c.baseline, after: '' };
    await prefill();
    await type(c.original, c.refused === false || c.resubmit);
    await until(() => (result() === c.baseline || c.rebase) && message().trim() === '', 2000);
    return { ...seen, back: result(), after: message() };
  }, c);
}

/** The result a group reads, in the page (the same text `runCase` compares). */
const resultIn = (page, results) => page.evaluate(rs => rs.map(s => [...document.querySelectorAll(s)].map(e => e.textContent).join('\n')).join('\n--\n'), results);

/**
 * Runs the rows of one group on the page as it is. `group.results`: selectors of what the app
 * shows as its result (it must be the same after a refused value as before); `group.stale`:
 * selectors that must all be present while the app shows the last valid result (absent: the app
 * has no such mark there, because a refused value is never applied). Returns the failures, one
 * line each, and the count of cases.
 */
async function runRows(page, group, rows) {
  const failures = [];
  let cases = 0;
  for (const row of rows) {
    const input = page.locator(`#${row.id}`);
    if (await input.count() !== 1) { failures.push(`#${row.id}: not on screen`); continue; }
    const original = await input.inputValue();
    const results = row.results ?? group.results;
    const stale = row.stale === undefined ? group.stale : row.stale;
    let baseline = await resultIn(page, results);
    if (!baseline.replace(/[\s-]/g, '')) failures.push(`#${row.id}: no result on screen to keep`);
    const values = valuesOf(row);
    for (const [index, [name, value, accepted]] of values.entries()) {
      cases++;
      const restore = !!row.submit || accepted !== null || index === values.length - 1;
      const where = `#${row.id} ← ${name}`;
      const error = row.errorAt?.[name] ?? row.error ?? `#${row.id}-error`;
      const seen = await runCase(page, { id: row.id, value, original, error, submit: row.submit, results, stale, prefill: row.prefill,
        refused: accepted === null, resubmit: !!row.submit, baseline, rebase: !!row.submit && !!group.recordsEach, restore });
      if (accepted === null) {
        if (!seen.message.trim()) failures.push(`${where}: no message at ${error}`);
        else if (seen.message.length > 400) failures.push(`${where}: the message at ${error} is ${seen.message.length} characters long`);
        else if (['-1', '0'].includes(value) && seen.message.includes('finite')) failures.push(`${where}: the message calls a finite number not finite: ${seen.message}`);
        if (seen.result !== baseline) failures.push(`${where}: the last valid result is not kept: ${seen.result.slice(0, 200)}`);
        else if (seen.stale === false) failures.push(`${where}: the kept result is not marked as the last valid one`);
      } else if (seen.message.trim()) {
        failures.push(`${where}: accepted (${accepted}) but a message says: ${seen.message.slice(0, 200)}`);
      }
      if (seen.after.trim()) failures.push(`${where}: the message stays once ${JSON.stringify(original)} is back: ${seen.after.slice(0, 200)}`);
      if (row.submit && group.recordsEach) {
        // Each value applied is recorded (a visit, the record's details): the result once the
        // original is applied again is the next case's baseline.
        baseline = seen.back;
      } else if (seen.back !== baseline) {
        failures.push(`${where}: the result did not come back with ${JSON.stringify(original)}: ${seen.back.slice(0, 200)}`);
        return { failures, cases };
      }
    }
  }
  return { failures, cases };
}

/**
 * Types each row's reload value (the paste), waits until it is stored, reloads and checks every
 * input holds what was typed. A row whose `persists` is a string is not kept by design (the string
 * says why) and is not checked.
 */
async function survivesReload(page, rows, { reopen }) {
  const failures = [];
  const kept = rows.filter(r => r.persists === undefined);
  for (const row of kept) {
    await page.locator(`#${row.id}`).evaluate((el, v) => {
      el.focus();
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(el, v);
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
      el.blur();
    }, reloadValue(row));
  }
  await saved(page, kept);
  await page.reload();
  await reopen(page);
  for (const row of kept) {
    const input = page.locator(`#${row.id}`);
    if (await input.count() !== 1) { failures.push(`#${row.id}: not on screen after a reload`); continue; }
    const value = await input.inputValue();
    if (value !== reloadValue(row)) failures.push(`#${row.id}: after a reload holds ${JSON.stringify(value.slice(0, 40))} (${value.length} characters), not what was typed`);
  }
  return failures;
}

/** Polls `read` (node side) until `ok(value)`; returns the last value. */
async function until(read, ok, ms = 1500) {
  const end = Date.now() + ms;
  let value = await read();
  while (!ok(value) && Date.now() < end) {
    await new Promise(r => setTimeout(r, 25));
    value = await read();
  }
  return value;
}

/** How many times `token` occurs in this browser's storage. */
const storedCount = (page, token) => page.evaluate(t => Object.values(localStorage).join('\n').split(t).length - 1, token);

/** Waits until this browser's storage holds the paste once per row that types it (the plan form
 * is saved after a pause), then a little longer for the dates typed with them. */
const saved = async (page, rows) => {
  const want = rows.filter(r => reloadValue(r) === PASTE).length;
  const got = await until(() => storedCount(page, PASTE), n => n >= want, 4000);
  if (got < want) throw new Error(`the storage holds the paste ${got} times, not ${want}`);
  await new Promise(r => setTimeout(r, 500));
};

// ---------------------------------------------------------------------------------------------
// The rows. `kind`: number (default), date, time, free (free text: every value accepted but those
// in `refuses`). `wrong`: the value in the wrong unit family. `accepts`: values valid for the field in
// the plan the group sets up, with the reason. `errorAt`: where the message of a value belongs
// when it is about another field. `persists`: why the field is not kept across a reload, where it
// is not by design.

const optional = 'optional: empty means not given';
const aTime = { '00:00': 'a time of day', '23:59': 'a time of day' };
const volume = (id, extra = {}) => ({ id, wrong: '5 mg', ...extra });

/** The plan's inputs, on the one-page plan with `richForm` (every plan input is there; the
 * workflow screens show the same inputs, bound to the same store, with the same ids). */
export const planRows = [
  volume('fill_volume'),
  volume('low_reservoir_alarm'),
  // A fill in year 9999 puts the MRI of 2026 before the fill: the message is at the MRI's date.
  { id: 'fill_date', kind: 'date', accepts: { 'year 1': 'a calendar date: every figure follows it, and the findings say the visit is long after the pump could be empty' },
    errorAt: { 'year 9999': '#mri-date-error' } },
  { id: 'fill_time', kind: 'time', accepts: aTime },
  { id: 'end_of_service', kind: 'date', accepts: { empty: optional, 'year 9999': 'an end of service far ahead binds nothing' } },
  { id: 'end_of_service_time', kind: 'time', accepts: { empty: 'empty: 00:00', ...aTime } },
  ...[0, 1].flatMap(i => [
    { id: `drug-${i}-concentration`, wrong: '5 mcg/mL' },
    ...(i === 0 ? [{ id: 'drug-0-daily_dose', wrong: '5 mL' }] : []),
    { id: `drug-${i}-stock_strength`, wrong: '25 mcg', accepts: { empty: optional } },
    // The bridge bolus needs the lead drug's (line 1's) old concentration, and more than none.
    { id: `drug-${i}-previous`, wrong: '4 mcg/mL', accepts: i === 0 ? {} : { empty: optional, 0: 'the solution being replaced held none of this drug' } },
    // Half-life and volume go together, as do k12 and k21: one of a pair alone is refused.
    { id: `drug-${i}-half_life`, wrong: '90 min' },
    { id: `drug-${i}-csf_volume`, wrong: '140 mg' },
    { id: `drug-${i}-k12`, wrong: '0.5 /min' },
    { id: `drug-${i}-k21`, wrong: '0.3 /min' },
  ]),
  volume('extra_volume', { accepts: { empty: optional, 0: 'no extra volume' } }),
  volume('periodic-0-volume', { accepts: { 0: 'a bolus of 0 mL delivers nothing' } }),
  { id: 'periodic-0-duration', wrong: '1 h' },
  { id: 'periodic-0-interval', wrong: '1 day' },
  { id: 'periodic-0-date', kind: 'date', accepts: { 'year 1': 'a first bolus before the fill: it repeats from then on',
    'year 9999': 'a first bolus after the pump is empty delivers nothing from this fill' } },
  { id: 'periodic-0-time', kind: 'time', accepts: aTime },
  volume('single-0-volume', { accepts: { 0: 'a bolus of 0 mL delivers nothing' } }),
  { id: 'single-0-duration', wrong: '1 h' },
  { id: 'single-0-date', kind: 'date', accepts: { 'year 9999': 'a bolus after the pump is empty delivers nothing from this fill' } },
  { id: 'single-0-time', kind: 'time', accepts: aTime },
  volume('ptm-volume', { accepts: { 0: 'a patient bolus of 0 mL delivers nothing' } }),
  { id: 'ptm-duration', wrong: '1 h' },
  { id: 'ptm-lockout', wrong: '240 min' },
  { id: 'ptm-max_per_day', wrong: '3 mL', accepts: { 0: 'no patient bolus allowed in 24 hours' } },
  { id: 'ptm-typical_per_day', wrong: '1 mL', accepts: { empty: 'optional: no typical use given', 0: 'no typical use' } },
  { id: 'priming-date', kind: 'date', accepts: { 'year 9999': 'a priming bolus after the pump is empty delivers nothing from this fill' } },
  { id: 'priming-time', kind: 'time', accepts: aTime },
  { id: 'priming-duration', wrong: '1 h' },
  { id: 'bridge-date', kind: 'date', accepts: { 'year 9999': 'a bridge bolus after the pump is empty delivers nothing from this fill' } },
  { id: 'bridge-time', kind: 'time', accepts: aTime },
  // The date and the time of the last change go together: one alone is refused.
  { id: 'titration-date', kind: 'date', accepts: { 'year 1': 'morphine has no titration rule in the library: the history is not used',
    'year 9999': 'morphine has no titration rule in the library: the history is not used' } },
  { id: 'titration-time', kind: 'time', accepts: aTime },
  { id: 'titration-rises', wrong: '1 mg', accepts: { empty: optional, 0: 'no rise in the past week' } },
  volume('csf-tubing', { accepts: { empty: optional, 0: 'no tubing ahead of the catheter' } }),
  { id: 'csf-length', wrong: '40 mm', accepts: { empty: optional, 0: 'no catheter volume: the priming fills the tubing alone' } },
  { id: 'csf-per_cm', wrong: '0.003 mL/mm', accepts: { empty: optional, 0: 'no catheter volume: the priming fills the tubing alone' } },
  volume('csf-residual', { accepts: { empty: optional, 0: 'aspirated to dryness' } }),
  { id: 'csf-weight', wrong: '154 lb', accepts: { empty: optional } },
  { id: 'mri-date', kind: 'date', accepts: { 'year 9999': 'a scan long after the pump is empty' } },
  { id: 'mri-time', kind: 'time', accepts: aTime },
  { id: 'mri-duration', wrong: '0.5 h' },
  { id: 'visit-date', kind: 'date', accepts: { 'year 9999': 'a visit long after the fill: the findings say the pump may be empty by then' } },
  { id: 'visit-time', kind: 'time', accepts: aTime },
  volume('visit-pump_expected', { accepts: { empty: optional, 0: 'the pump may expect an empty reservoir' } }),
  { id: 'visit-patient_boluses', wrong: '3 mL', accepts: { empty: optional, 0: 'no patient bolus logged' } },
  volume('visit-withdrawn', { accepts: { 0: 'nothing could be withdrawn' } }),
  // The volume confirmed after the refill is entered, so the injected volume is needed.
  volume('visit-new_fill', { accepts: { 0: 'nothing injected: the residual is all there is' } }),
  volume('visit-confirmed', { accepts: { empty: optional, 0: 'a reading of an empty reservoir' } }),
  // The CSF model's window: its result is the modelled figures, not the plan's.
  { id: 'csf_window', wrong: '2 weeks', results: ['#csf-figures'], stale: ['#csf-figures.stale'],
    persists: 'a view of the chart (14 days on opening), not part of the plan' },
];

/** A plan form with every input filled and valid (SynchroMed II 40 mL, morphine and bupivacaine,
 * boluses of every kind, priming and bridge, a visit, the CSF model and an MRI). */
export const richForm = (() => {
  const drug = (id, unit, c, d, s, csf) => ({ drug_id: id, concentration: c, concentration_unit: unit, daily_dose: d, dose_unit: unit,
    stock: s, stock_unit: unit, csf, condition: '' });
  return {
    pump_id: 'synchromed-ii-40', fill_volume: '20', low_reservoir_alarm: '2', fill_date: '2026-11-25', fill_time: '09:00',
    mode: 'lead_dose', lead: 0,
    drugs: [drug('morphine', 'mg', '5', '1', '25', { previous: '4', half_life_hours: '1.5', volume_ml: '140', k12: '0.5', k21: '0.3' }),
      drug('bupivacaine', 'mg', '2.5', '', '7.5', { previous: '2', half_life_hours: '2', volume_ml: '140', k12: '0.4', k21: '0.2' })],
    extra_volume: '2', new_pump: false, end_of_service: '2031-01-01', end_of_service_time: '00:00',
    periodic: [{ volume: '0.1', duration_minutes: '10', interval_hours: '24', first_date: '2026-11-26', first_time: '09:00' }],
    single: [{ volume: '0.1', duration_minutes: '10', date: '2026-11-27', time: '09:00' }],
    patient: { enabled: true, volume: '0.05', duration_minutes: '10', lockout_hours: '4', max_per_day: '3', typical_per_day: '1' },
    titration: { last_change_date: '2026-11-01', last_change_time: '09:00', increases_past_week: '0' },
    priming: { enabled: true, date: '2026-11-25', time: '09:30', duration_minutes: '60' },
    bridge: { enabled: true, date: '2026-11-25', time: '09:00', duration_minutes: '' },
    visit: { date: '2026-12-10', time: '09:00', withdrawn: '15', new_fill: '20', pump_expected: '17', patient_boluses: '3', confirmed_after_refill: '20' },
    csf: { pump_tubing: '0.2', catheter_length_cm: '40', catheter_ml_per_cm: '0.003', residual: '0', weight_kg: '70', mri_date: '2026-12-01', mri_time: '10:00', mri_minutes: '30' },
  };
})();

/** A plain plan: SynchroMed II 20 mL, 20 mL of morphine 5 mg/mL at 1 mg/day, with `extra`. */
const plainForm = extra => ({
  pump_id: 'synchromed-ii-20', fill_volume: '20', low_reservoir_alarm: '2', fill_date: '2026-11-25', fill_time: '09:00', mode: 'lead_dose', lead: 0,
  drugs: [{ drug_id: 'morphine', concentration: '5', concentration_unit: 'mg', daily_dose: '1', dose_unit: 'mg', stock: '', stock_unit: 'mg', condition: '' }],
  new_pump: false, ...extra,
});

/** The inputs only some programmes show, each with the plan that shows it. */
export const programmeRows = [
  [plainForm({ mode: 'rate', flow_rate: '0.2' }), [{ id: 'flow_rate', wrong: '0.2 mL/h' }]],
  [plainForm({ flex: { enabled: true, cycle: 'day', steps: [{ day: 0, start: '00:00', dose: '1', unit: 'mg', per: 'day' }, { day: 0, start: '12:00', dose: '1.5', unit: 'mg', per: 'day' }] } }), [
    // Step 1 starts at 00:00 and step 2 at 12:00: a second step at 00:00 is the same start. A
    // dose of 0 is below the pump's minimum rate.
    { id: 'flex-0-start', kind: 'time', accepts: aTime },
    { id: 'flex-0-dose', wrong: '1 mL' },
    { id: 'flex-1-start', kind: 'time', accepts: { '23:59': 'a time of day' } },
    { id: 'flex-1-dose', wrong: '1.5 mL' },
  ]],
  [plainForm({ pump_id: 'custom', custom_capacity: '20' }), [volume('pump_capacity')]],
  [plainForm({ pump_id: 'constant-flow', custom_capacity: '20', fixed_rate: '1' }), [{ id: 'fixed_rate', wrong: '1 mL/h' }]],
];

/** Puts `form` in this browser's saved work (with `more` stored items) and opens `screen` with it. */
async function openWith(page, base, form, screen = 'plan', more = {}) {
  await page.evaluate(([f, m]) => {
    localStorage.clear();
    localStorage.setItem('itdose.form.v2', JSON.stringify(f));
    for (const [k, v] of Object.entries(m)) localStorage.setItem(k, v);
  }, [form, more]);
  await page.goto(base + '#/' + screen);
  await page.reload();
  await page.waitForSelector('#screen-heading');
  await openDetails(page);
}

/** Opens every <details> panel (the inputs inside are part of the matrix). */
const openDetails = page => page.evaluate(() => document.querySelectorAll('details').forEach(d => { d.open = true; }));

/** The plan's figures, and its mark while they are the last valid result. */
const planGroup = { results: ['#results'], stale: ['#results.stale', '#stale-banner'] };

/** Throws the failures, if any, with the count of cases. */
function report(failures, cases, what) {
  if (failures.length) throw new Error(`${failures.length} failures in ${cases} cases (${what}):\n${failures.join('\n')}`);
  console.log(`     ${what}: ${cases} cases`);
}

/** The runner's `test`, saying how long each took. */
const timed = test => (name, body) => test(name, async page => {
  const start = Date.now();
  await body(page);
  console.log(`     ${((Date.now() - start) / 1000).toFixed(1)} s`);
});

/** Every case of `rows` on the page, then the reload; throws what failed. */
async function matrix(page, group, rows, reload, what) {
  const { failures, cases } = await runRows(page, group, rows);
  failures.push(...await survivesReload(page, rows, reload));
  report(failures, cases, what);
  return cases;
}

/** The reload of the plan's inputs: saved with the plan, and on the one-page plan after it. */
const planReload = { reopen: async p => { await p.waitForSelector('#fill_volume'); await openDetails(p); } };

// Titration planner (change screen): example-plan.json's morphine has no rule in the library, so
// the planner follows the clinician's own (20 % at most, 7 days apart) to 1.5 mg/day.
const titrationForm = { target: '1.5', start: '2026-12-01', own_step: '', own_percent: '20', own_days: '7' };
export const titrationRows = [
  { id: 'titration-target', wrong: '1.5 mL' },
  { id: 'titration-start', wrong: '1 week', accepts: { empty: 'empty: the fill date' } },
  { id: 'titration-own-step', wrong: '0.2 mL', accepts: { empty: 'optional: the percentage alone limits each rise' } },
  // With no step either, no rule is left: said once, under the rule.
  { id: 'titration-own-percent', wrong: '20 mg', errorAt: { empty: '#titration-error' } },
  { id: 'titration-own-days', wrong: '1 week' },
];
const titrationGroup = { results: ['#titration-steps', '#titration-refills'], stale: ['#titration-steps.stale', '#titration-stale'] };

// Conversion screen: oxyCODONE 40 mg/day, your ratio 100 : 1, 30 % reduction, to HYDROmorphone at
// the table's potency, with a taper of 25 % every 7 days from 1 Dec 2026.
const convertForm = { items: [{ opioid: 'oxycodone', amount: '40' }], ratio: 'custom', custom_ratio: '100', reduction: '30', target: 'hydromorphone',
  potency: '5', taper_percent: '25', taper_days: '7', taper_start: '2026-12-01' };
export const convertRows = [
  { id: 'regimen-0-amount', wrong: '40 mcg' },
  { id: 'conversion_ratio', wrong: '100 mg' },
  { id: 'reduction', wrong: '30 mg', accepts: { 0: 'no reduction' } },
  { id: 'potency', wrong: '5 mg' },
  { id: 'taper_percent', wrong: '25 mg', results: ['#taper-steps'], stale: ['#taper-steps.stale', '#taper-stale'] },
  { id: 'taper_days', wrong: '1 week', results: ['#taper-steps'], stale: ['#taper-steps.stale', '#taper-stale'] },
  { id: 'taper_start', wrong: '1 week', results: ['#taper-steps'], stale: ['#taper-steps.stale', '#taper-stale'] },
];
const convertGroup = { results: ['#conversion'], stale: ['#conversion.stale', '#conversion-stale'] };
const opioids = ['morphine', 'oxycodone', 'hydromorphone', 'hydrocodone', 'oxymorphone', 'tapentadol', 'tramadol', 'codeine', 'methadone', 'fentanyl-patch'];
/** Each factor is applied by its Set button; a refused one changes nothing in the table in force. */
export const factorRows = opioids.map(o => ({ id: `factor-${o}-value`, wrong: o === 'fentanyl-patch' ? '2.4 mg' : '1.5 mcg', submit: `#factor-${o}-set`,
  error: `#factor-${o}-error` }));
const factorGroup = { results: ['#conversion-factors dt', '#conversion-factors .value', '#conversion'], stale: null };

export const recordRows = [
  // Free text, saved with the record by its button: a name or identifier of at most 200
  // characters, a catheter's description of at most 2,000.
  { id: 'record-name', kind: 'free', submit: '#save-record', error: '#record-details-error', refuses: { '10,000 characters': 'at most 200' } },
  { id: 'record-identifier', kind: 'free', submit: '#save-record', error: '#record-details-error', refuses: { '10,000 characters': 'at most 200' } },
  { id: 'implanted_on', kind: 'date', submit: '#save-record', error: '#record-details-error',
    accepts: { empty: optional, 'year 1': 'a date the calendar holds', 'year 9999': 'a date the calendar holds' } },
  { id: 'record-catheter', kind: 'free', submit: '#save-record', error: '#record-details-error', refuses: { '10,000 characters': 'at most 2,000' } },
  { id: 'record-search', kind: 'free', results: ['#open-record-heading'], persists: 'a search of the list, not work' },
  // A visit's outcome: recorded by its button, which empties the scores, the MME and the side
  // effects (each case types them again); what is typed is kept as a draft until then.
  { id: 'outcome_date', kind: 'date', submit: '#outcome-add', accepts: { 'year 1': 'a visit before the record\'s first session (the log says so)',
    'year 9999': 'a visit date the calendar holds' } },
  { id: 'outcome_time', kind: 'time', submit: '#outcome-add', accepts: { empty: 'optional: 00:00', ...aTime } },
  { id: 'pain_now', submit: '#outcome-add', wrong: '5 mg', accepts: { empty: 'optional: the worst pain and the MME are given', 0: 'no pain' } },
  { id: 'pain_worst', submit: '#outcome-add', wrong: '7 mg', accepts: { empty: 'optional: pain now and the MME are given', 0: 'no pain' } },
  { id: 'systemic_mme', submit: '#outcome-add', wrong: '60 mcg', accepts: { empty: 'optional: the scores are given', 0: 'systemic opioids stopped' } },
  { id: 'outcome-side-effects', kind: 'free', submit: '#outcome-add', error: '#pain_now-error' },
];
const recordGroup = { results: ['.records-list', '#outcome-log'], stale: null, recordsEach: true };
/** The visit every outcome case starts from (the button empties all but the date and time). */
const visitDraft = [['outcome_date', '2026-12-01'], ['outcome_time', '09:00'], ['pain_now', '6'], ['pain_worst', '8'], ['systemic_mme', '60'], ['outcome-side-effects', 'none']];
for (const row of recordRows.filter(r => r.submit === '#outcome-add')) row.prefill = visitDraft.filter(([id]) => id !== row.id);

const libraryLimits = { morphine: 3, hydromorphone: 2, bupivacaine: 2, clonidine: 2, ziconotide: 3, baclofen: 5 };
export const libraryRows = Object.entries(libraryLimits).flatMap(([drug, n]) => [...Array(n).keys()].map(i => ({
  id: `lib-${drug}-${i}-value`, wrong: drug === 'clonidine' || drug === 'ziconotide' || drug === 'baclofen' ? '5 mg' : '5 mcg', submit: `#lib-${drug}-${i}-set`,
  error: `#lib-${drug}-${i}-error`,
})));
const libraryGroup = { results: ['.library-grid dt'], stale: null };

/** Every row of the matrix, for the coverage test. */
const allRows = [...planRows, ...programmeRows.flatMap(([, rows]) => rows), ...titrationRows, ...convertRows, ...factorRows, ...recordRows, ...libraryRows];

/**
 * The reason of a soft finding: free text, and needed (acknowledging without one is refused at
 * the reason). Each value is acknowledged, then withdrawn again. A reason typed and not yet
 * acknowledged survives a reload.
 */
async function reasonRows(page) {
  const failures = [];
  const id = await page.evaluate(() => document.querySelector('input[id^="finding-"][id$="-reason"]')?.id);
  if (!id) return { failures: ['no soft finding to acknowledge'], cases: 0 };
  const finding = id.replace(/-reason$/, '');
  const text = selector => page.evaluate(s => document.querySelector(s)?.textContent ?? '', selector);
  let cases = 0;
  for (const [name, value] of textValues('5 mcg')) {
    cases++;
    const where = `#${id} ← ${name}`;
    await page.fill(`#${id}`, value);
    await page.click(`#${finding}-ack`);
    if (value === '') {
      if (!(await until(() => text(`#${id}-error`), t => t.trim() !== '')).trim()) failures.push(`${where}: no message at #${id}-error`);
      continue;
    }
    const done = await until(() => text(`#${finding} .ack-done`), t => t !== '');
    if (!done.includes(value.slice(0, 50))) failures.push(`${where}: the acknowledgement does not hold the reason: ${done.slice(0, 120)}`);
    await page.click(`#${finding} .ack-done button`);
    await page.waitForSelector(`#${id}`);
  }
  await page.fill(`#${id}`, PASTE);
  await until(() => storedCount(page, PASTE), n => n >= 1, 3000);
  await page.reload();
  await page.waitForSelector('#fill_volume');
  const kept = await page.locator(`#${id}`).inputValue().catch(() => '');
  if (kept !== PASTE) failures.push(`#${id}: after a reload holds ${kept.length} characters, not what was typed`);
  return { failures, cases };
}

/** Registers the matrix's tests with the runner's `test`. */
export async function registerMatrix({ test: untimed, base, root, importPlan }) {
  const test = timed(untimed);
  await test('bad-input matrix: every plan input on the one-page plan: a message at the field, the last valid result kept, and what was typed survives a reload', async page => {
    page.setDefaultTimeout(5000);
    await openWith(page, base, richForm);
    const { failures, cases } = await runRows(page, planGroup, planRows);
    const reasons = await reasonRows(page);
    await openDetails(page);
    failures.push(...reasons.failures, ...await survivesReload(page, planRows, planReload));
    report(failures, cases + reasons.cases, `${planRows.length} plan inputs and a finding's reason`);
  });

  await test('bad-input matrix: the inputs only some programmes show (flow rate, flex steps, custom capacity, constant-flow rate)', async page => {
    page.setDefaultTimeout(5000);
    const failures = [];
    let cases = 0;
    for (const [form, rows] of programmeRows) {
      await openWith(page, base, form);
      const r = await runRows(page, planGroup, rows);
      cases += r.cases;
      failures.push(...r.failures, ...await survivesReload(page, rows, planReload));
    }
    report(failures, cases, `${programmeRows.flatMap(([, r]) => r).length} programme inputs`);
  });

  await test('bad-input matrix: the titration planner (change screen)', async page => {
    page.setDefaultTimeout(5000);
    await importPlan(page, `${root}/docs/example-plan.json`, 'change');
    await page.evaluate(f => localStorage.setItem('itdose.titration.v1', JSON.stringify(f)), titrationForm);
    await page.reload();
    await page.waitForSelector('#titration-planner');
    await openDetails(page);
    await page.waitForSelector('#titration-steps');
    await matrix(page, titrationGroup, titrationRows, {
      reopen: async p => { await p.waitForSelector('#titration-planner'); await openDetails(p); },
    }, `${titrationRows.length} planner inputs`);
  });

  await test('bad-input matrix: the conversion screen (regimen, ratio, reduction, potency, taper plan, MME factors)', async page => {
    page.setDefaultTimeout(5000);
    await openWith(page, base, plainForm({}), 'convert', { 'itdose.convert.v1': JSON.stringify(convertForm) });
    await page.waitForSelector('#conversion');
    await page.waitForSelector('#taper-steps');
    const { failures, cases } = await runRows(page, convertGroup, convertRows);
    const factors = await runRows(page, factorGroup, factorRows);
    failures.push(...factors.failures, ...await survivesReload(page, [...convertRows, ...factorRows], {
      reopen: async p => { await p.waitForSelector('#regimen-0-amount'); await openDetails(p); },
    }));
    report(failures, cases + factors.cases, `${convertRows.length + factorRows.length} conversion inputs`);
  });

  await test('bad-input matrix: the drug library\'s limits', async page => {
    page.setDefaultTimeout(5000);
    await page.goto(base + '#/library');
    await page.waitForSelector('#lib-morphine-0-value');
    await matrix(page, libraryGroup, libraryRows, { reopen: p => p.waitForSelector('#lib-morphine-0-value') }, `${libraryRows.length} library limits`);
  });

  await test('bad-input matrix: patient records (details, search, visits and outcomes)', async page => {
    page.setDefaultTimeout(5000);
    await importPlan(page, `${root}/docs/example-plan.json`, 'records');
    await page.fill('#record-name', 'Eve Example');
    await page.click('#save-record');
    await page.waitForSelector('#outcome_date');
    for (const [id, value] of visitDraft) await page.fill(`#${id}`, value);
    await matrix(page, recordGroup, recordRows, {
      reopen: p => p.waitForSelector('#outcome_date'),
    }, `${recordRows.length} record inputs`);
  });

  await test('bad-input matrix: every text input of every screen is in the matrix\'s table', async page => {
    const covered = new Set(allRows.map(r => r.id));
    const seen = new Map();
    const collect = async screen => {
      await openDetails(page);
      await settleFrames(page);
      for (const id of await page.evaluate(() => [...document.querySelectorAll('input')]
        .filter(i => !['file', 'radio', 'checkbox', 'hidden', 'button', 'submit'].includes(i.type) && !i.readOnly).map(i => i.id))) {
        if (!seen.has(id)) seen.set(id, screen);
      }
    };
    await openWith(page, base, richForm, 'plan', { 'itdose.convert.v1': JSON.stringify(convertForm), 'itdose.titration.v1': JSON.stringify(titrationForm) });
    for (const screen of ['', 'refill', 'change', 'new-pump', 'mri', 'review', 'card', 'library', 'convert', 'plan']) {
      await page.goto(base + '#/' + screen);
      await page.waitForSelector('#screen-heading');
      await collect(screen || 'start');
    }
    for (const [form] of programmeRows) {
      await openWith(page, base, form);
      await collect('plan');
    }
    await importPlan(page, `${root}/docs/example-plan.json`, 'records');
    await page.click('#save-record');
    await page.waitForSelector('#outcome_date');
    await collect('records');
    // A soft finding's reason (its index follows the findings on screen) is checked by the plan
    // test's reason cases.
    const missing = [...seen].filter(([id]) => !covered.has(id) && !/^finding-\d+-reason$/.test(id)).map(([id, s]) => `#${id} (#/${s})`);
    if (missing.length) throw new Error(`text inputs no row of the matrix covers: ${missing.join(', ')}`);
    console.log(`     ${seen.size} text inputs on screen, every one in the table (${allRows.length} rows)`);
  });
}

const settleFrames = page => page.evaluate(() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 50))));

// ---------------------------------------------------------------------------------------------
// Imported files and share links.

const MB = 1 << 20;
/** A number no file holds, replaced in the text by the hostile number. */
const SENTINEL = 424242.4242;

/**
 * The hostile variants of the valid JSON file `text`: [name, text]. `at` names, as dotted paths,
 * the number that becomes 1e999 or "NaN", the name that becomes 1 MB long, and the text that
 * makes the file 3 MB.
 */
export function hostileFiles(text, at) {
  const json = JSON.parse(text);
  const variant = (path, value) => {
    const copy = structuredClone(json);
    const keys = path.split('.');
    let o = copy;
    for (const k of keys.slice(0, -1)) o = o[k];
    if (!(keys.at(-1) in o)) throw new Error(`no ${path} in the file`);
    o[keys.at(-1)] = value;
    return JSON.stringify(copy, null, 1);
  };
  return [
    ['truncated JSON', text.slice(0, Math.floor(text.length / 2))],
    ['3 MB file', variant(at.big, 'x'.repeat(3 * MB))],
    ['newer version', JSON.stringify({ ...json, version: 99 })],
    ['100,000 nested [', `{"format": ${JSON.stringify(json.format)}, "version": ${json.version}, "nested": ${'['.repeat(100000)}${']'.repeat(100000)}}`],
    ['number 1e999', variant(at.number, SENTINEL).replace(String(SENTINEL), '1e999')],
    ['"NaN" for a number', variant(at.number, 'NaN')],
    ['1 MB of text for a number', variant(at.number, 'x'.repeat(MB))],
    ['"__proto__" and "constructor" keys', `{"__proto__": ${text}, "constructor": {"prototype": {"polluted": true}}}`],
    ['1 MB name', variant(at.name, 'x'.repeat(MB))],
  ];
}

/** Checks a refusal: a message shown, not too long to read, and no object polluted (E2E_SAY=1
 * prints each message). */
async function refusal(page, selector, name, failures, must = /./) {
  const message = await until(() => page.evaluate(s => document.querySelector(s)?.textContent ?? '', selector), m => m.trim() !== '', 15000);
  if (!message.trim()) failures.push(`${name}: no message at ${selector}`);
  else if (message.length > 600) failures.push(`${name}: the message is ${message.length} characters long`);
  else if (!must.test(message)) failures.push(`${name}: the message does not say it: ${message.slice(0, 200)}`);
  if (await page.evaluate(() => ({}).polluted !== undefined)) failures.push(`${name}: Object.prototype was polluted`);
  if (process.env.E2E_SAY) console.log(`     ${name}: ${message.slice(0, 300)}`);
  return message;
}

/** Compares what is in force before and after. */
function unchanged(before, after, name, failures) {
  for (const [k, v] of Object.entries(before)) {
    if (after[k] !== v) failures.push(`${name}: ${k} changed: ${String(after[k]).slice(0, 160)}`);
  }
}

/** A file for a file input, from text. */
const file = (name, text) => ({ name, mimeType: 'application/json', buffer: Buffer.from(text) });

/** Registers the tests of imported files and share links. */
export async function registerImports({ test: untimed, base, root, importPlan }) {
  const test = timed(untimed);
  const read = path => readFileSync(`${root}/${path}`, 'utf8');
  const plan = async page => ({
    stored: await page.evaluate(() => localStorage.getItem('itdose.form.v2')),
    figures: await (async () => {
      await page.goto(base + '#/plan');
      await page.waitForSelector('#fill_volume');
      return page.evaluate(() => document.querySelector('#results')?.textContent ?? 'no result');
    })(),
  });

  await test('hostile files and links: plan files are refused with a message, and the plan on screen stays as it was', async page => {
    page.setDefaultTimeout(15000);
    await importPlan(page, `${root}/docs/example-schedule-plan.json`);
    const before = await plan(page);
    const failures = [];
    const cases = hostileFiles(read('docs/example-plan.json'), { number: 'fill.volume', name: 'drugs.0.drug', big: 'acknowledgements.0.reason' });
    for (const [name, text] of cases) {
      await page.goto(base + '#/');
      await page.waitForSelector('#import-plan');
      await page.setInputFiles('#import-plan', file('plan.json', text));
      await refusal(page, '#import-plan-error', name, failures, /unchanged/);
      unchanged(before, await plan(page), name, failures);
    }
    report(failures, cases.length, 'hostile plan files');
  });

  await test('hostile files and links: record files are refused with a message, and the records stay as they were', async page => {
    page.setDefaultTimeout(15000);
    await page.goto(base + '#/records');
    const good = read('docs/record-example.json');
    await page.setInputFiles('#import-record', file('record.json', good));
    await page.waitForSelector('.record-item');
    const records = () => page.evaluate(() => JSON.stringify(Object.keys(localStorage).filter(k => k.startsWith('itdose.record.v1.')).sort()
      .map(k => [k, localStorage.getItem(k)])));
    const before = { records: await records() };
    const failures = [];
    const cases = hostileFiles(good, { number: 'plan.fill.volume', name: 'patient.name', big: 'implant.catheter' });
    for (const [name, text] of cases) {
      await page.goto(base + '#/');
      await page.goto(base + '#/records');
      await page.waitForSelector('#import-record');
      await page.setInputFiles('#import-record', file('record.json', text));
      await refusal(page, '#import-record-error', name, failures);
      unchanged(before, { records: await records() }, name, failures);
    }
    report(failures, cases.length, 'hostile record files');
  });

  await test('hostile files and links: drug libraries are refused with a message, and the library in force stays', async page => {
    page.setDefaultTimeout(15000);
    const library = async () => {
      await page.goto(base + '#/library');
      await page.waitForSelector('#library-heading');
      return {
        stored: await page.evaluate(() => localStorage.getItem('itdose.library.v1')),
        shown: await page.evaluate(() => document.querySelector('#library-heading').textContent + [...document.querySelectorAll('.library-grid dt')].map(d => d.textContent).join('|')),
      };
    };
    const before = await library();
    const failures = [];
    const cases = hostileFiles(read('data/drugs.json'), { number: 'drugs.0.limits.0.value', name: 'name', big: 'note' });
    for (const [name, text] of cases) {
      await page.goto(base + '#/');
      await page.goto(base + '#/library');
      await page.setInputFiles('#import-library', file('library.json', text));
      await refusal(page, '#import-library-error', name, failures, /previous library stays in force/);
      unchanged(before, await library(), name, failures);
    }
    report(failures, cases.length, 'hostile libraries');
  });

  await test('hostile files and links: MME factor tables are refused with a message, and the table in force stays', async page => {
    page.setDefaultTimeout(15000);
    const table = async () => {
      await page.goto(base + '#/convert');
      await page.waitForSelector('#conversion-factors');
      return {
        stored: await page.evaluate(() => localStorage.getItem('itdose.opioids.v1')),
        shown: await page.evaluate(() => [...document.querySelectorAll('#conversion-factors dt, #conversion-factors .value, #conversion-factors .source')].map(d => d.textContent).join('|')),
      };
    };
    const before = await table();
    const failures = [];
    const cases = hostileFiles(read('data/opioids.json'), { number: 'opioids.1.factor', name: 'opioids.0.display_name', big: 'opioids.0.source' });
    for (const [name, text] of cases) {
      await page.goto(base + '#/');
      await page.goto(base + '#/convert');
      await page.click('#conversion-factors summary');
      await page.setInputFiles('#factors-import', file('factors.json', text));
      await refusal(page, '#factors-problem', name, failures, /table in force is unchanged/);
      unchanged(before, await table(), name, failures);
    }
    report(failures, cases.length, 'hostile factor tables');
  });

  await test('hostile files and links: share links are refused with a message, and the plan on screen stays as it was', async page => {
    page.setDefaultTimeout(15000);
    // The link writer is checked first: a link of docs/example-plan.json written here opens with
    // the figures of the file imported.
    await importPlan(page, `${root}/docs/example-plan.json`);
    const imported = (await plan(page)).figures;
    await importPlan(page, `${root}/docs/example-schedule-plan.json`);
    const before = await plan(page);
    const good = read('docs/example-plan.json');
    const link = payload => `${base}#/plan?share=${payload}`;
    const failures = [];
    const cases = [
      ...hostileFiles(good, { number: 'fill.volume', name: 'drugs.0.drug', big: 'acknowledgements.0.reason' })
        .map(([name, text]) => [name, `1.${compressToEncodedURIComponent(text)}`]),
      ['truncated link', `1.${compressToEncodedURIComponent(good).slice(0, 200)}`],
      // Browsers cap an address at 2 MB: 1 MB of payload is what a link can bring.
      ['1 MB link', `1.${'A'.repeat(MB)}`],
      ['newer link version', `2.${compressToEncodedURIComponent(good)}`],
    ];
    for (const [name, value] of cases) {
      await page.goto('about:blank');
      await page.goto(link(value));
      await page.waitForSelector('#shared-plan');
      const said = await refusal(page, '#shared-plan', name, failures, /^The shared link was not opened: .*unchanged/);
      if (said.startsWith('A shared plan was opened')) await page.click('#shared-plan-keep');
      unchanged(before, await plan(page), name, failures);
    }
    await page.goto('about:blank');
    await page.goto(link(`1.${compressToEncodedURIComponent(good)}`));
    await page.click('#shared-plan-open');
    const opened = (await plan(page)).figures;
    if (opened !== imported) failures.push(`the link writer: a link of docs/example-plan.json opens with other figures: ${opened.slice(0, 200)}`);
    report(failures, cases.length, 'hostile share links');
  });
}
