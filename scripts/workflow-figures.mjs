// The refill visit's page figures on the release build (dist/): page height, where the visit inputs
// start and the "Review and confirm" button ends, where the sticky summary and the new fill's
// figures are, and the review's height, at desktop, tablet portrait and tablet landscape sizes,
// with docs/example-plan.json as the last fill. Prints figures; asserts nothing (the e2e tests do).
// Run after a release build: `node scripts/workflow-figures.mjs`. Screenshots go to e2e/artifacts/.
import { launchChromium, serveDist, root } from '../e2e/site.mjs';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
mkdirSync(join(root, 'e2e', 'artifacts'), { recursive: true });
const { base, server } = await serveDist();
const browser = await launchChromium();
for (const [w, h] of [[1440, 900], [820, 1180], [1180, 820]]) {
  const ctx = await browser.newContext({ viewport: { width: w, height: h } });
  const page = await ctx.newPage();
  await page.goto(base + '#/');
  await page.waitForSelector('#import-plan');
  await page.setInputFiles('#import-plan', join(root, 'docs', 'example-plan.json'));
  await page.waitForFunction(() => document.querySelector('#plan-files-status').textContent === 'Plan imported');
  await page.goto(base + '#/refill');
  await page.waitForSelector('#visit-date');
  await page.fill('#visit-date', '2027-02-10'); await page.fill('#visit-time', '09:00');
  await page.fill('#visit-withdrawn', '4.6'); await page.fill('#visit-new_fill', '20');
  await page.waitForTimeout(300);
  const m = await page.evaluate(() => {
    const y = sel => { const e = document.querySelector(sel); return e ? Math.round(e.getBoundingClientRect().top + scrollY) : null; };
    const b = sel => { const e = document.querySelector(sel); return e ? Math.round(e.getBoundingClientRect().bottom + scrollY) : null; };
    return { height: document.documentElement.scrollHeight, summaryBottom: b('.summary'), visitDate: y('#visit-date'), newFill: y('#visit-new_fill'), toReview: b('#to-review'), afterRefill: y('#after-refill'), scrollW: document.documentElement.scrollWidth };
  });
  console.log(`${w}x${h}`, JSON.stringify(m));
  await page.screenshot({ path: join(root, 'e2e', 'artifacts', `refill-typed-${w}.png`), fullPage: true });
  await page.goto(base + '#/review');
  await page.waitForSelector('#review-table');
  await page.waitForTimeout(300);
  console.log(`${w}x${h} review height`, await page.evaluate(() => document.documentElement.scrollHeight));
  await page.screenshot({ path: join(root, 'e2e', 'artifacts', `review-${w}.png`), fullPage: true });
  await page.goto(base + '#/card');
  await page.waitForSelector('#card-figures');
  await page.screenshot({ path: join(root, 'e2e', 'artifacts', `card-${w}.png`), fullPage: true });
  await ctx.close();
}
await browser.close(); server.kill();
