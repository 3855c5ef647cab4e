// The built site (dist/) served on 127.0.0.1 at a free port, and headless Chromium: shared by the
// end-to-end tests (e2e/run.mjs) and the speed figures (scripts/perf.mjs).
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const freePort = () => new Promise((resolve, reject) => {
  const srv = createServer();
  srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  srv.on('error', reject);
});

/** Serves dist/ or the directory `from` (under `subPath`, e.g. 'clinic/itdose/', when given, as a static host would);
 * returns its base URL and the server process (kill it when done). */
export async function serveDist(subPath = '', from = join(root, 'dist')) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}/${subPath}`;
  let directory = from;
  if (subPath) {
    directory = mkdtempSync(join(tmpdir(), 'itdose-host-'));
    mkdirSync(join(directory, dirname(subPath.replace(/\/$/, ''))), { recursive: true });
    symlinkSync(from, join(directory, subPath.replace(/\/$/, '')));
  }
  const server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', directory], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    try { await fetch(base); break; } catch { await new Promise(r => setTimeout(r, 100)); }
  }
  return { base, server };
}

/** Headless Chromium ($CHROMIUM or /usr/bin/chromium), with nothing reaching out on its own. */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
