import { launchChromium, serveDist, root } from './site.mjs';
import { join } from 'node:path';
const { base, server } = await serveDist();
const browser = await launchChromium();
const file = process.argv[2] || 'example-plan.json';
const screens = (process.argv[3] || 'start,refill,change,new-pump,mri,review,card,library,convert,plan').split(',');
for (const [w, h] of [[1440, 900], [820, 1180]]) {
  const ctx = await browser.newContext({ viewport: { width: w, height: h } });
  const page = await ctx.newPage();
  page.on('pageerror', e => console.log('PAGEERROR', e.message));
  page.on('console', m => { if (m.type() === 'error') console.log('CONSOLE', m.text()); });
  await page.goto(base + '#/');
  await page.waitForSelector('#screen-heading');
  await page.setInputFiles('#import-plan', join(root, 'docs', file));
  await page.waitForFunction(() => document.querySelector('#plan-files-status')?.textContent === 'Plan imported');
  for (const s of screens) {
    await page.goto(base + '#/' + (s === 'start' ? '' : s));
    await page.waitForTimeout(500);
    const dims = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth, document.documentElement.scrollHeight]);
    console.log(w, s, 'scrollW', dims[0], 'clientW', dims[1], 'height', dims[2]);
    await page.screenshot({ path: `/tmp/itd/shots/${s}-${w}.png`, fullPage: true });
  }
  await ctx.close();
}
await browser.close(); server.kill();
