// What every browser test needs: a SPOT server of its own on a fresh SQLite database filled
// by `spot demo`, Debian's Chromium with JavaScript on or off, and signing in as a demo member.
//
// The binary is SPOT_BIN, else debug/spot in CARGO_TARGET_DIR, else ./target/debug/spot (run
// `cargo build` first).

import { chromium } from 'playwright-core';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
export const repo = resolve(here, '../..');
const spotBin = resolve(
  repo,
  process.env.SPOT_BIN || join(process.env.CARGO_TARGET_DIR || 'target', 'debug/spot'),
);
const CHROMIUM = process.env.SPOT_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

async function freePort() {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}

async function healthy(base) {
  try {
    return (await fetch(`${base}/healthz`)).ok;
  } catch {
    return false;
  }
}

// Starts SPOT on a demo community. Returns { base, accounts, password, dataDir, stop }, where
// accounts = { admin, facilitators: [email…], member }.
export async function startSpot({ scale = '0.02', env = {} } = {}) {
  if (!existsSync(spotBin)) throw new Error(`${spotBin} missing: run cargo build first`);
  const dataDir = mkdtempSync(join(tmpdir(), 'spot-browser-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const serverEnv = {
    ...process.env,
    DATABASE_URL: `sqlite://${dataDir}/spot.db`,
    SPOT_DATA_DIR: dataDir,
    SPOT_UPLOADS: join(dataDir, 'uploads'),
    SPOT_BIND: `127.0.0.1:${port}`,
    RUST_LOG: 'warn',
    ...env,
  };
  const demo = spawnSync(spotBin, ['demo', '--scale', scale], { env: serverEnv, encoding: 'utf8' });
  if (demo.status !== 0) throw new Error(`spot demo failed: ${demo.stderr}`);
  const line = (label) => (demo.stdout.match(new RegExp(`${label}:\\s+(\\S+)`, 'g')) || [])
    .map((l) => l.split(/\s+/).pop());
  const accounts = { admin: line('admin')[0], facilitators: line('facilitator'), member: line('member')[0] };
  const password = demo.stdout.split('\n').find((l, i, all) => i > 0 && all[i - 1].includes('the password:')).trim();
  const server = spawn(spotBin, [], { env: serverEnv, stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 150 && !(await healthy(base)); i++) {
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!(await healthy(base))) throw new Error('spot did not start within 30 s');
  const stop = async () => {
    if (server.exitCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { base, accounts, password, dataDir, stop };
}

// Debian's Chromium; never a downloaded browser.
export async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

// A fresh browser context (its own cookies and localStorage) at a given size, JavaScript on or off.
export async function newContext(browser, { width = 1280, height = 800, javaScript = true } = {}) {
  return browser.newContext({ viewport: { width, height }, javaScriptEnabled: javaScript });
}

// Signs `page` in through the real form.
export async function signIn(page, base, email, password) {
  await page.goto(`${base}/login`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  // Waiting for the 'load' state alone would return at once (the sign-in page is loaded
  // already): wait for the page the form's answer brings, then for it to load.
  const answered = page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame());
  await page.click('form[action="/login"] button[type=submit]');
  await answered;
  await page.waitForLoadState('load');
  if (new URL(page.url()).pathname === '/login') throw new Error(`could not sign in as ${email}`);
}

const axeSource = () => readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// WCAG 2.0–2.2 A and AA violations axe-core finds on the loaded page (an empty list is clean).
// axe-core is evaluated through the DevTools protocol, not added as a <script>: SPOT's
// Content-Security-Policy (script-src 'self') rightly refuses an inline script, and the tests
// keep that policy on rather than bypass it.
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(axeSource());
  return page.evaluate(async () => {
    const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: tags } });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

// A tiny test runner: `test(name, fn)` collects, `run()` runs them in order and reports.
const tests = [];
const cleanups = [];
export function test(name, fn) {
  tests.push({ name, fn });
}

// Runs `fn` after every test (stopping a server, closing a browser), even when tests failed.
export function after(fn) {
  cleanups.push(fn);
}

export async function run() {
  let failed = 0;
  for (const { name, fn } of tests) {
    const started = Date.now();
    try {
      await fn();
      console.log(`ok    ${name} (${Date.now() - started} ms)`);
    } catch (error) {
      failed++;
      console.log(`FAIL  ${name}\n      ${String(error && error.stack || error).split('\n').join('\n      ')}`);
    }
  }
  for (const fn of cleanups.reverse()) {
    try {
      await fn();
    } catch (error) {
      console.log(`cleanup failed: ${error}`);
    }
  }
  console.log(`${tests.length - failed} passed, ${failed} failed`);
  return failed;
}

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}
