#!/usr/bin/env node
// SPOT accessibility and HTML check, with real clients, of the account, data export, directory,
// "my service", counterparts and map, after-the-course (feedback, results, certificate),
// programme report, admin, forum, course, resource library, search, notification, private
// message and published pages, and the contact form (threads, replies, course runs, bookings, file uploads, shared links, watching,
// following and contact messages go through the real forms; the
// unsubscribe page is opened from a real email's List-Unsubscribe header in the outbox folder;
// with SQLite, `sqlite3` marks one letter given up so /admin/outbox shows its table):
//   - headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core,
//   - axe-core (WCAG 2.0/2.1/2.2 A and AA rules, plus best-practice as information),
//   - the Nu Html Checker (vnu-jar, needs Java) on the HTML the server sent, and on spot.css,
//   - screenshots (1280 and 390 wide) and keyboard-focus screenshots to look at by eye,
//   - a reflow check at 320 CSS pixels (WCAG 1.4.10): no sideways scrolling.
//
// Needs Debian's chromium and a Java runtime (apt-get install -y chromium default-jre-headless).
// Usage (from the repository root, after `cargo build`):
//   (cd docs/tools/a11y && npm ci) && node docs/tools/a11y/check.mjs
// By default it starts ./target/debug/spot itself on a fresh database in a new temporary folder
// (port SPOT_A11Y_PORT, default 8096) and removes both when done.
// To check a server that is already running instead, give its address and its data:
//   SPOT_A11Y_BASE=http://127.0.0.1:8095 DATABASE_URL=sqlite:///tmp/a11y/spot.db \
//     SPOT_DATA_DIR=/tmp/a11y node docs/tools/a11y/check.mjs
// Output goes to SPOT_A11Y_OUT (default /tmp/a11y): html/ (pages as sent), shots/ (PNG),
// report.json (everything), and a summary on stdout. Exit code 0 when clean; 1 when axe found
// WCAG violations, vnu found errors, a page scrolls sideways at 320px or answered an unexpected
// HTTP status; 2 when the check itself could not run.

import { chromium } from 'playwright-core';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const repo = resolve(here, '../../..');
const spotBin = process.env.SPOT_BIN || join(repo, 'target/debug/spot');
const out = resolve(process.env.SPOT_A11Y_OUT || '/tmp/a11y');
const htmlDir = join(out, 'html');
const shotDir = join(out, 'shots');
for (const dir of [htmlDir, shotDir]) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const vnuJar = join(dirname(require.resolve('vnu-jar/package.json')), 'build/dist/vnu.jar');
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

// ---------------------------------------------------------------- the server
let server = null;
let ownDataDir = null;
let base = process.env.SPOT_A11Y_BASE;
let serverEnv = {
  DATABASE_URL: process.env.DATABASE_URL,
  SPOT_DATA_DIR: process.env.SPOT_DATA_DIR,
};

async function healthy(url) {
  try {
    const res = await fetch(`${url}/healthz`);
    return res.ok;
  } catch {
    return false;
  }
}

async function startServer() {
  if (!existsSync(spotBin)) throw new Error(`${spotBin} missing: run cargo build first`);
  const dataDir = mkdtempSync(join(tmpdir(), 'spot-a11y-'));
  ownDataDir = dataDir;
  const port = process.env.SPOT_A11Y_PORT || '8096';
  serverEnv = { DATABASE_URL: `sqlite://${dataDir}/spot.db`, SPOT_DATA_DIR: dataDir };
  base = `http://127.0.0.1:${port}`;
  if (await healthy(base)) throw new Error(`something already listens on ${base}`);
  server = spawn(spotBin, [], {
    env: { ...process.env, ...serverEnv, SPOT_BIND: `127.0.0.1:${port}`, SPOT_UPLOADS: join(dataDir, 'uploads'), RUST_LOG: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 100; i++) {
    if (await healthy(base)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('spot did not start within 20 s');
}

async function stopServer() {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
  ownDataDir = null;
}

// ---------------------------------------------------------------- collecting results
const notes = []; // problems found on the way that are not a page's axe, vnu or reflow result
const pages = []; // { name, url, status, axe: {violations, incomplete, bestPractice}, reflow, htmlFile }

function slug(name) {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

async function runAxe(page) {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(async (tags) => {
    const summarise = (list) =>
      list.map((r) => ({
        id: r.id,
        impact: r.impact,
        help: r.help,
        helpUrl: r.helpUrl,
        tags: r.tags.filter((t) => t.startsWith('wcag')),
        nodes: r.nodes.map((n) => ({
          target: n.target.join(' '),
          html: n.html.slice(0, 200),
          summary: n.failureSummary || (n.any[0] && n.any[0].message) || '',
        })),
      }));
    const wcag = await window.axe.run(document, { runOnly: { type: 'tag', values: tags } });
    const bp = await window.axe.run(document, { runOnly: { type: 'tag', values: ['best-practice'] } });
    return {
      violations: summarise(wcag.violations),
      incomplete: summarise(wcag.incomplete),
      bestPractice: summarise(bp.violations),
    };
  }, WCAG_TAGS);
}

// Sideways scrolling at 320 CSS px (WCAG 1.4.10 Reflow), and the elements that stick out.
async function reflowAt320(page) {
  const before = page.viewportSize();
  await page.setViewportSize({ width: 320, height: 640 });
  const result = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const overflow = document.documentElement.scrollWidth > width + 1;
    const culprits = [];
    const describe = (el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : ''}`;
    // Content that sticks out inside a sideways-scrolling box (e.g. a data table in
    // .table-scroll) does not make the page scroll, so it is not a culprit.
    const inScroller = (el) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(p).overflowX)) return true;
      }
      return false;
    };
    if (overflow) {
      for (const el of document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect();
        if (r.right > width + 1 && r.width > 0 && getComputedStyle(el).position !== 'absolute' && !inScroller(el)) {
          culprits.push(`${el.parentElement ? describe(el.parentElement) + ' > ' : ''}${describe(el)}${el.children.length ? '' : ` "${(el.textContent || '').trim().slice(0, 30)}"`} (right edge ${Math.round(r.right)}px)`);
        }
      }
      // Unbreakable text (a long address or file name) can stick out of a box that fits.
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.textContent.trim() || !node.parentElement || inScroller(node.parentElement)) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        const r = range.getBoundingClientRect();
        if (r.right > width + 1 && r.width > 0) {
          culprits.push(`text in ${describe(node.parentElement)} "${node.textContent.trim().slice(0, 30)}" (right edge ${Math.round(r.right)}px)`);
        }
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, clientWidth: width, overflow, culprits: culprits.slice(0, 8) };
  });
  await page.setViewportSize(before);
  return result;
}

// Records one page that is already loaded: its HTML as the server sent it, axe, reflow.
async function record(page, name, response, expectStatus = 200) {
  const status = response ? response.status() : null;
  let source = null;
  try {
    source = response ? await response.text() : null;
  } catch {
    source = null;
  }
  if (!source) source = await page.content();
  const htmlFile = join(htmlDir, `${String(pages.length + 1).padStart(2, '0')}-${slug(name)}.html`);
  writeFileSync(htmlFile, source);
  const axe = await runAxe(page);
  const reflow = await reflowAt320(page);
  const entry = { name, url: page.url().replace(base, ''), status, expectStatus, axe, reflow, htmlFile };
  pages.push(entry);
  const flag = status === expectStatus ? '' : `  (expected HTTP ${expectStatus})`;
  console.log(`checked ${name.padEnd(34)} HTTP ${status}${flag}  axe: ${axe.violations.length} violation(s), ${axe.bestPractice.length} best-practice`);
  return entry;
}

async function visit(page, name, path, expectStatus = 200) {
  const response = await page.goto(base + path, { waitUntil: 'load' });
  return record(page, name, response, expectStatus);
}

// Submits a real form by clicking its submit button; returns the final response.
async function submit(page, buttonName) {
  const [response] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.getByRole('button', { name: buttonName, exact: true }).click(),
  ]);
  return response;
}

async function shots(page, name) {
  const size = page.viewportSize();
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: join(shotDir, `${slug(name)}-desktop.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(shotDir, `${slug(name)}-mobile.png`), fullPage: true });
  await page.setViewportSize(size);
}

// Presses Tab from the top of the page until `test(activeElement)` holds; screenshots the
// element's surroundings so the focus indicator can be judged by eye.
async function focusShot(page, name, test, { width = 1280, maxTabs = 60, menu = false } = {}) {
  await page.setViewportSize({ width, height: 900 });
  // On a phone the header's links are inside the Menu disclosure: `menu` opens it first, as
  // a member pressing Menu does.
  if (menu) await page.evaluate(() => document.querySelector('details.site-menu')?.setAttribute('open', ''));
  // Start keyboard navigation at the very top of the document, as after a fresh page load:
  // focus a throw-away element placed before everything else (tabindex -1: not a tab stop).
  await page.evaluate(() => {
    document.getElementById('a11y-start')?.remove();
    const start = document.createElement('span');
    start.id = 'a11y-start';
    start.tabIndex = -1;
    document.body.prepend(start);
    start.focus();
    window.scrollTo(0, 0);
  });
  for (let i = 0; i < maxTabs; i++) {
    await page.keyboard.press('Tab');
    const hit = await page.evaluate(`(${test})(document.activeElement)`);
    if (hit) {
      const box = await page.evaluate(() => {
        const el = document.activeElement;
        el.scrollIntoView({ block: 'center' });
        const r = el.getBoundingClientRect();
        return { x: r.x, y: r.y, width: r.width, height: r.height, tag: el.tagName.toLowerCase(), text: (el.innerText || el.value || el.name || '').trim().slice(0, 40) };
      });
      const vp = page.viewportSize();
      const pad = 40;
      const clip = {
        x: Math.max(0, box.x - pad),
        y: Math.max(0, box.y - pad),
        width: Math.min(vp.width - Math.max(0, box.x - pad), box.width + 2 * pad),
        height: Math.min(vp.height - Math.max(0, box.y - pad), box.height + 2 * pad),
      };
      const file = join(shotDir, `focus-${slug(name)}.png`);
      await page.screenshot({ path: file, clip });
      await page.evaluate(() => document.getElementById('a11y-start')?.remove());
      console.log(`focus   ${name.padEnd(34)} reached with ${i + 1} Tab(s): <${box.tag}> "${box.text}"`);
      return { name, tabs: i + 1, element: box, file };
    }
  }
  console.log(`focus   ${name.padEnd(34)} NOT REACHED by keyboard within ${maxTabs} Tabs`);
  return { name, tabs: null, file: null };
}

// ---------------------------------------------------------------- forum helpers
// Opens every <details> (moderation tools, the Report and Hide forms) so that axe, the reflow
// check and the screenshots see what is inside them, as someone who opened them would.
async function openAllDetails(page) {
  return page.evaluate(() => {
    const all = [...document.querySelectorAll('details')];
    for (const d of all) d.open = true;
    return all.length;
  });
}

// Where keyboard focus is after a page loads (e.g. does an error or warning take focus?).
async function focusedAfterLoad(page, name) {
  const where = await page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'nothing (body)';
    return `<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className ? '.' + String(el.className).trim().split(/\s+/).join('.') : ''}>`;
  });
  console.log(`focus   ${name.padEnd(34)} after load: ${where}`);
  return where;
}

// The post ids on a thread page, in page order.
async function postIds(page) {
  return page.$$eval('article.post', (els) => els.map((e) => Number(e.id.replace('post-', ''))));
}

function threadIdOf(page) {
  const m = new URL(page.url()).pathname.match(/^\/threads\/(\d+)/);
  if (!m) throw new Error(`expected a thread page, got ${page.url()}`);
  return Number(m[1]);
}

// Starts a thread through the real form; returns its id.
async function startThread(page, slug, title, body) {
  await page.goto(`${base}/forum/${slug}/new`);
  await page.getByLabel('Title', { exact: true }).fill(title);
  await page.getByLabel('Your post', { exact: true }).fill(body);
  const res = await submit(page, 'Post thread');
  if (!/\/threads\/\d+/.test(page.url())) {
    throw new Error(`starting "${title}" did not land on a thread but ${page.url()} (HTTP ${res && res.status()})`);
  }
  return threadIdOf(page);
}

// Answers a post with the "Reply to this" link on the thread page and the reply form it leads
// to; `onForm(response)` runs on the reply form before it is filled in.
async function replyTo(page, threadId, postId, body, onForm) {
  await page.goto(`${base}/threads/${threadId}`);
  const [formRes] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.locator(`#post-${postId} .post-actions a`, { hasText: 'Reply to this' }).click(),
  ]);
  if (!page.url().includes(`/threads/${threadId}/reply?to=${postId}`)) {
    throw new Error(`"Reply to this" led to ${page.url()}`);
  }
  if (onForm) await onForm(formRes);
  await page.getByLabel('Your post', { exact: true }).fill(body);
  await submit(page, 'Post reply');
  if (threadIdOf(page) !== threadId) throw new Error(`reply landed on ${page.url()}`);
}

// Replies with the box at the foot of the thread page.
async function replyInThread(page, threadId, body) {
  await page.goto(`${base}/threads/${threadId}`);
  await page.locator('.reply-box').getByLabel('Your post', { exact: true }).fill(body);
  await submit(page, 'Post reply');
  if (threadIdOf(page) !== threadId) throw new Error(`reply landed on ${page.url()}`);
}

const TABLE_AND_LIST_POST = `Hello everyone. I am an occupational therapist with the Salford post-COVID rehabilitation service.

What our clinic offers each week:

| Session | Length | Who runs it |
| --- | --- | --- |
| Fatigue and pacing group | 90 minutes | Occupational therapy |
| Breathing pattern retraining | 45 minutes | Physiotherapy |
| Return-to-work planning | 60 minutes | Vocational rehabilitation |

Things I would like from SPOT:

- ideas for **graded activity** plans that people can keep to at home;
- local groups for carers;
- how other teams measure fatigue:
  1. a scale used at every visit,
  2. a diary between visits.

> Pacing is the thing people tell us helps most.`;

// Links that the visitor has been to (:visited) can lose their focus colours to a more specific
// :visited rule. Playwright's ordinary contexts keep no history, so this uses a persistent
// context on a fresh user-data-dir, follows real links by clicking, then tabs to them.
async function visitedFocus() {
  const profile = mkdtempSync(join(tmpdir(), 'spot-a11y-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    bypassCSP: true,
    viewport: { width: 1280, height: 900 },
    args: CHROMIUM_ARGS,
  });
  const results = [];
  try {
    const page = await context.newPage();
    await page.goto(`${base}/`);
    for (const selector of ['.account-links a[href="/login"]', '.site-nav a[href="/members"]', '.brand']) {
      await Promise.all([page.waitForNavigation(), page.click(selector)]);
    }
    await page.waitForTimeout(1000); // history reaches the renderer asynchronously
    results.push(await focusShot(page, 'brand link (visited)', (el) => el.classList.contains('brand')));
    results.push(await focusShot(page, 'header link Sign in (visited)', (el) => el.matches('.account-links a[href="/login"]')));
    results.push(await focusShot(page, 'nav link Home (visited)', (el) => el.matches('.site-nav a[href="/"]')));
    results.push(await focusShot(page, 'button link Sign in (visited)', (el) => el.matches('a.button[href="/login"]')));
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
  return results;
}

// ---------------------------------------------------------------- resource library
// A small but real PDF (the server judges uploads by their content: "%PDF" first).
function tinyPdf(name = 'fatigue-diary.pdf', comment = 'SPOT a11y check') {
  const dir = mkdtempSync(join(tmpdir(), 'spot-a11y-pdf-'));
  const file = join(dir, name);
  writeFileSync(file, [
    '%PDF-1.4',
    `% ${comment}`,
    '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj',
    '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj',
    '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj',
    'trailer << /Root 1 0 R >>',
    '%%EOF',
  ].join('\n') + '\n');
  return { dir, file };
}

// Rewrites an upload form's multipart request so that its boundary is all lower case, in the
// Content-Type header and in the body alike (same meaning). Used only when the server refuses
// the browser's own mixed-case boundary (----WebKitFormBoundaryAbC...). Chromium hands an
// intercepted request over without the bytes of chosen files, so `files` (file name -> bytes,
// the files given to setInputFiles) puts them back into their parts.
const uploadFiles = new Map();
async function lowercaseBoundary(context) {
  await context.route(/\/resources\/new$/, async (route, request) => {
    const type = request.headers()['content-type'] || '';
    const m = type.match(/boundary=([^;]+)/i);
    const body = request.postDataBuffer();
    if (request.method() !== 'POST' || !m || !body) {
      if (request.method() === 'POST') console.log('WARNING: could not rewrite the upload request (no body seen)');
      return route.continue();
    }
    const boundary = m[1];
    const lower = boundary.toLowerCase();
    let text = body.toString('latin1').split(boundary).join(lower);
    for (const [name, bytes] of uploadFiles) {
      const head = new RegExp(`(name="file"; filename="${name.replace(/[.]/g, '\\.')}"\r\nContent-Type: [^\r]*\r\n\r\n)(\r\n--)`);
      text = text.replace(head, (_, a, b) => a + bytes.toString('latin1') + b);
    }
    await route.continue({
      headers: { ...request.headers(), 'content-type': type.replace(boundary, lower) },
      postData: Buffer.from(text, 'latin1'),
    });
  });
}

function resourceIdOf(page) {
  const m = new URL(page.url()).pathname.match(/^\/resources\/(\d+)$/);
  if (!m) throw new Error(`expected a resource page, got ${page.url()}`);
  return Number(m[1]);
}

// Shares a link resource through the real form; returns its id.
async function shareLink(page, { title, description = '', tags, url, audience, borough }) {
  await page.goto(`${base}/resources/new`);
  await page.locator('#title').fill(title);
  if (description) await page.locator('#description').fill(description);
  await page.locator('#tags').fill(tags);
  if (audience) await page.locator('#audience').selectOption({ label: audience });
  if (borough) await page.locator('#borough').selectOption({ label: borough });
  await page.locator('#url').fill(url);
  const res = await submit(page, 'Share');
  return { id: resourceIdOf(page), response: res };
}

// `page` is a member who shares a file and a link; `page2` another member who shares a link
// and starts nothing else. Returns the ids for the admin part.
async function resourceWalk(page, page2, focus) {
  await visit(page, 'Resources (empty library)', '/resources');
  await shots(page, 'resources-empty');

  await visit(page, 'Resources: share form', '/resources/new');
  await shots(page, 'resource-new');
  focus.push(await focusShot(page, 'file input', (el) => el.id === 'file', { maxTabs: 80 }));
  page.once('request', (r) => { if (r.method() === 'POST') console.log(`upload form sent Content-Type: ${r.headers()['content-type']}`); });
  const realTry = await submit(page, 'Share');
  if (realTry && realTry.status() === 403) {
    // The browser's own multipart request was refused as a CSRF failure: record it (it fails
    // the status check), then carry on with the boundary lower-cased so the rest can be seen.
    await record(page, 'Resources: share, empty (browser boundary, refused)', realTry, 422);
    await shots(page, 'resource-new-refused');
    notes.push('POST /resources/new from Chromium answered 403 "This form has expired": the upload form cannot be used from a real browser. '
      + 'The rest of the resource walk lower-cases the multipart boundary (header and body) in flight to get past it.');
    await lowercaseBoundary(page.context());
    await lowercaseBoundary(page2.context());
    await page.goto(`${base}/resources/new`);
    await record(page, 'Resources: share, empty (errors)', await submit(page, 'Share'), 422);
  } else {
    await record(page, 'Resources: share, empty (errors)', realTry, 422);
  }
  await focusedAfterLoad(page, 'share resource errors');
  await shots(page, 'resource-new-errors');

  // a PDF through the real form, tags "fatigue, long covid"
  const pdf = tinyPdf();
  let fileId;
  try {
    await page.locator('#title').fill('Fatigue and activity diary (one week)');
    await page.locator('#description').fill('A one-week diary for recording **energy**, activity and rest, to plan pacing with an occupational therapist.\n\n- one page per day\n- space for notes');
    await page.locator('#tags').fill('fatigue, long covid');
    await page.locator('#file').setInputFiles(pdf.file);
    uploadFiles.set('fatigue-diary.pdf', readFileSync(pdf.file));
    const uploaded = await submit(page, 'Share');
    if (!/\/resources\/\d+$/.test(page.url())) {
      const why = await page.locator('.error-summary, main').first().innerText().catch(() => '');
      throw new Error(`uploading the PDF stayed on ${page.url()} (HTTP ${uploaded && uploaded.status()}): ${why.replace(/\s+/g, ' ').slice(0, 300)}`);
    }
    fileId = resourceIdOf(page);
    await record(page, 'Resources: file resource (just shared)', uploaded);
    await shots(page, 'resource-file');
  } finally {
    rmSync(pdf.dir, { recursive: true, force: true });
  }
  const dl = await page.request.get(`${base}/resources/${fileId}/download`);
  console.log(`download: HTTP ${dl.status()} ${dl.headers()['content-type']} (${(await dl.body()).length} bytes)`);

  // a link resource
  const link = await shareLink(page, {
    title: 'NHS conditions A to Z',
    description: 'The NHS website pages on health conditions, for checking plain-language explanations.',
    tags: 'fatigue, patient information',
    url: 'https://www.nhs.uk/conditions/',
    audience: null,
  });
  await record(page, 'Resources: link resource (just shared)', link.response);
  await shots(page, 'resource-link');
  // from the other member: a local link with a long address, and a file with a long name
  // (neither has spaces to break at: both probe reflow on their detail pages)
  const longLink = await shareLink(page2, {
    title: 'Wigan walking groups and community activities directory',
    tags: 'wigan, social prescribing, walking groups',
    url: 'https://www.example.org/Resident/Health-Social-Care/Adults/Community-activities/WalkingForHealthProgrammeTimetable2026.aspx',
    borough: 'Wigan',
  });
  const longName = 'Salford_long_COVID_fatigue_management_and_pacing_leaflet_v3_FINAL.pdf';
  const pdf2 = tinyPdf(longName, 'a second, different file');
  let longFileId;
  try {
    await page2.goto(`${base}/resources/new`);
    await page2.locator('#title').fill('Pacing leaflet (Salford)');
    await page2.locator('#tags').fill('fatigue, pacing, salford');
    await page2.locator('#borough').selectOption({ label: 'Salford' });
    await page2.locator('#file').setInputFiles(pdf2.file);
    uploadFiles.set(longName, readFileSync(pdf2.file));
    await submit(page2, 'Share');
    longFileId = resourceIdOf(page2);
  } finally {
    rmSync(pdf2.dir, { recursive: true, force: true });
  }

  await visit(page, 'Resources (four resources)', '/resources');
  await shots(page, 'resources');
  focus.push(await focusShot(page, 'resource tag link', (el) => el.matches('.card .tag-list a.tag'), { maxTabs: 80 }));
  await visit(page, 'Resources: tag fatigue', '/resources?tag=fatigue');
  await shots(page, 'resources-tag-fatigue');
  await visit(page, 'Resources: file resource', `/resources/${fileId}`);
  await visit(page, 'Resources: link resource', `/resources/${link.id}`);
  await visit(page2, 'Resources: file resource (other member)', `/resources/${fileId}`);
  await shots(page2, 'resource-file-other-member');
  await visit(page2, 'Resources: link with a long address', `/resources/${longLink.id}`);
  await shots(page2, 'resource-long-link');
  await visit(page2, 'Resources: file with a long name', `/resources/${longFileId}`);
  await shots(page2, 'resource-long-file-name');
  const editRes = await page.goto(`${base}/resources/${fileId}/edit`);
  await openAllDetails(page); // "Tags already in use"
  await record(page, 'Resources: edit file resource (tags open)', editRes);
  await shots(page, 'resource-edit-file');
  await visit(page, 'Resources: edit link resource', `/resources/${link.id}/edit`);
  await shots(page, 'resource-edit-link');

  // a forum thread whose post links the resources (shown as resource cards under the post)
  const threadR = await startThread(page, 'introductions', 'A fatigue diary that worked for our group',
    `We have been using this [fatigue and activity diary](/resources/${fileId}) with our pacing group.\n\nThe [NHS conditions pages](/resources/${link.id}) are handy for plain-language explanations.`);
  await visit(page2, 'Forum: thread linking resources', `/threads/${threadR}`);
  await shots(page2, 'forum-thread-resource-cards');
  if (!(await page2.locator('.resource-card').count())) console.log('WARNING: no resource card on the thread that links resources');
  // "Discuss this resource" starts a thread in Resource discussions
  await page2.goto(`${base}/resources/${fileId}`);
  const discussed = await submit(page2, 'Discuss this resource');
  await record(page2, 'Forum: resource discussion thread', discussed);
  await shots(page2, 'forum-resource-discussion');
  return { fileId, linkId: link.id };
}

// ---------------------------------------------------------------- notifications
// Signs in through the real form in a fresh context; returns its page.
async function signIn(newContext, who) {
  const ctx = await newContext();
  const page = await ctx.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel('Email address').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await submit(page, 'Sign in');
  if (page.url().includes('/login')) throw new Error(`signing in as ${who.email} stayed on ${page.url()}`);
  return page;
}

// The first email to `address` in the server's outbox folder that carries a
// `List-Unsubscribe: <...>` header; waits for the mail worker (every ~5 s).
async function unsubscribeLinkFor(address, seconds = 30) {
  const dir = join(serverEnv.SPOT_DATA_DIR || 'data', 'outbox');
  for (let i = 0; i < seconds * 2; i++) {
    if (existsSync(dir)) {
      for (const name of readdirSync(dir).filter((n) => n.endsWith('.eml')).sort()) {
        const raw = readFileSync(join(dir, name), 'utf8');
        const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
        const to = head.match(/^To:(.*)$/im);
        const link = head.match(/^List-Unsubscribe:\s*<([^>]+)>/im);
        if (to && link && to[1].toLowerCase().includes(address.toLowerCase())) {
          return { file: name, url: link[1], path: new URL(link[1]).pathname };
        }
      }
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return null;
}

// The confirmation link of the newest joining letter to `address` in the server's outbox
// folder; waits for the mail worker.
async function confirmationLinkFor(address, seconds = 30) {
  return linkFor(address, /https?:\/\/[^\s"<>]+\/confirm\/[A-Za-z0-9_\-]+/, seconds);
}

// The newest link matching `pattern` in a letter to `address` in the outbox folder.
async function linkFor(address, pattern, seconds = 30) {
  const dir = join(serverEnv.SPOT_DATA_DIR || 'data', 'outbox');
  for (let i = 0; i < seconds * 2; i++) {
    if (existsSync(dir)) {
      for (const name of readdirSync(dir).filter((n) => n.endsWith('.eml')).sort().reverse()) {
        const raw = readFileSync(join(dir, name), 'utf8');
        const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
        const to = head.match(/^To:(.*)$/im);
        // quoted-printable: soft line breaks out, "=3D" back to "="
        const body = raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
        const link = body.match(pattern);
        if (to && link && to[1].toLowerCase().includes(address.toLowerCase())) return link[0];
      }
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return null;
}

// Registration, as a newcomer does it: the form, then the link in the joining letter. The
// addresses are in a work domain, so the confirmed member is in at once.
async function registerAndConfirm(page, who, { role, borough, organisation }, onCheckEmail) {
  await page.goto(`${base}/register`);
  await page.getByLabel('Email address').fill(who.email);
  await page.getByLabel('Your name').fill(who.name);
  await page.getByLabel('Your role').selectOption(role);
  await page.getByLabel('The borough you work in').selectOption(borough);
  await page.getByLabel('Organisation or service').fill(organisation);
  await page.getByLabel('Create a password').fill(who.password);
  const registered = await submit(page, 'Create account');
  if (onCheckEmail) await onCheckEmail(registered);
  const link = await confirmationLinkFor(who.email);
  if (!link) throw new Error(`no confirmation letter reached ${who.email}`);
  await page.goto(link.replace(/^https?:\/\/[^/]+/, base));
  const confirmed = await submit(page, 'Confirm my email address');
  if (!page.url().endsWith('/account')) {
    throw new Error(`confirming ${who.email} did not land on /account but ${page.url()} (HTTP ${confirmed && confirmed.status()})`);
  }
  return confirmed;
}

// `admin` is the promoted admin's page (also a facilitator), who wrote threadA; `sam` the
// second member, who replied in threadA (post samPost) and was answered and mentioned there.
// Sam is the member whose notifications are checked; a fresh member shows the empty states.
async function notificationWalk(newContext, admin, sam, fresh, { threadA, samPost }, focus) {
  const page = await signIn(newContext, sam);
  const anon = await (await newContext()).newPage();

  // Sam watches a category and follows a tag with the buttons on their pages
  await visit(page, 'Forum: category (watch button)', '/forum/introductions');
  focus.push(await focusShot(page, 'Watch this category button', (el) => el.matches('.watch-form button'), { maxTabs: 120 }));
  await record(page, 'Forum: category, watching (flash)', await submit(page, 'Watch this category'));
  await shots(page, 'forum-category-watching');
  await visit(page, 'Resources: tag pacing (follow button)', '/resources?tag=pacing');
  await shots(page, 'resources-tag-follow');
  focus.push(await focusShot(page, 'Follow tag button', (el) => el.matches('form[action="/resources/follow"] button'), { maxTabs: 80 }));
  await record(page, 'Resources: tag pacing, following (flash)', await submit(page, 'Follow “pacing”'));

  // the admin hides Sam's reply with a reason, with the Hide form on the post
  await admin.goto(`${base}/threads/${threadA}`);
  await admin.locator(`#post-${samPost} .moderator-actions details > summary`).click();
  await admin.locator(`#hide-${samPost}`).fill('Names a local group that asked not to be named online.');
  await Promise.all([
    admin.waitForNavigation({ waitUntil: 'load' }),
    admin.locator(`#post-${samPost} .moderator-actions details`).getByRole('button', { name: 'Hide post' }).click(),
  ]);
  // ... starts a thread in the category Sam watches, mentioning Sam
  await startThread(admin, 'introductions', 'Pacing group materials: who has what?',
    'Collecting what our groups use. @Sam Jones, could you add the Wigan walking-group list here?');
  // ... replies in threadA, which Sam watches since replying there
  await replyInThread(admin, threadA, 'Thanks both. I have added the diary to the library.');
  // ... and shares a link with the tag Sam follows
  await shareLink(admin, {
    title: 'Pacing for people with long COVID (video)',
    tags: 'pacing, video',
    url: 'https://www.example.org/pacing-video',
  });

  // Sam's notifications: all unread; then one marked read with its button, one opened
  await visit(page, 'Notifications (all unread)', '/notifications');
  await shots(page, 'notifications-unread');
  focus.push(await focusShot(page, 'header Notifications link (unread badge)', (el) => el.matches('.account-links a[href="/notifications"]')));
  focus.push(await focusShot(page, 'header Notifications link (390px)', (el) => el.matches('.account-links a[href="/notifications"]'), { width: 390, menu: true }));
  focus.push(await focusShot(page, 'header search box', (el) => el.id === 'site-search'));
  focus.push(await focusShot(page, 'header search box (390px)', (el) => el.id === 'site-search', { width: 390, menu: true }));
  focus.push(await focusShot(page, 'header Search button', (el) => el.matches('.header-search-button')));
  focus.push(await focusShot(page, 'Mark all as read button', (el) => el.matches('form[action="/notifications/read"] button')));
  focus.push(await focusShot(page, 'notification link', (el) => el.matches('.notification a')));
  focus.push(await focusShot(page, 'Mark as read link-button', (el) => el.matches('.notification .link-button'), { maxTabs: 80 }));
  const unreadBefore = await page.locator('li.notification.unread').count();
  console.log(`notifications: ${await page.locator('li.notification').count()} listed, ${unreadBefore} unread`);
  if (unreadBefore < 3) notes.push(`Sam had only ${unreadBefore} unread notification(s) after the replies, mention, hide, new thread and resource`);
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.locator('li.notification.unread').first().locator('.link-button').click(),
  ]);
  const [opened] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.locator('li.notification.unread').last().locator('a').first().click(),
  ]);
  await record(page, 'Notifications: opened one (its page)', opened);
  await visit(page, 'Notifications (read and unread)', '/notifications');
  await shots(page, 'notifications');

  // the thread Sam watches (watch button), as Sam
  await visit(page, 'Forum: thread (watching, hidden post)', `/threads/${threadA}`);
  await shots(page, 'forum-thread-watching');
  focus.push(await focusShot(page, 'Stop watching this thread button', (el) => el.matches('.watch-form button'), { maxTabs: 80 }));

  // settings: the page, a bad value (422), then saved
  await visit(page, 'Notification settings (watching things)', '/account/notifications');
  await shots(page, 'notification-settings');
  focus.push(await focusShot(page, 'settings select', (el) => el.id === 'replies', { maxTabs: 80 }));
  focus.push(await focusShot(page, 'Stop watching link-button', (el) => el.matches('.plain-list .link-button'), { maxTabs: 120 }));
  // A form sent with a value the page never offers (as a stale or tampered form would):
  // replies=sometimes.
  await page.evaluate(() => {
    const select = document.getElementById('replies');
    const option = document.createElement('option');
    option.value = 'sometimes';
    option.textContent = 'Sometimes';
    select.append(option);
    select.value = 'sometimes';
  });
  await record(page, 'Notification settings, bad value (error)', await submit(page, 'Save choices'), 422);
  await focusedAfterLoad(page, 'settings error');
  await shots(page, 'notification-settings-error');
  focus.push(await focusShot(page, 'settings error summary link', (el) => el.matches('.error-summary a')));
  const target = await page.locator('.error-summary a').first().getAttribute('href').catch(() => null);
  if (!target || !(await page.locator(target).count())) notes.push(`settings error summary links to ${target}, which is not on the page`);
  await page.locator('#replies').selectOption('daily');
  await record(page, 'Notification settings, saved (flash)', await submit(page, 'Save choices'));

  // an unsubscribe link from a real email in the outbox folder, opened signed out
  const link = await unsubscribeLinkFor(sam.email);
  if (!link) {
    notes.push(`no email to ${sam.email} with a List-Unsubscribe header appeared in the outbox folder within 30 s`);
  } else {
    console.log(`unsubscribe link from ${link.file}: ${link.url}`);
    await visit(anon, 'Unsubscribe (from an email)', link.path);
    await shots(anon, 'unsubscribe');
    focus.push(await focusShot(anon, 'Unsubscribe button', (el) => el.matches('main button')));
    const button = await anon.locator('main form button').innerText();
    await record(anon, 'Unsubscribed', await submit(anon, button.trim()));
    await shots(anon, 'unsubscribed');
  }

  await page.goto(`${base}/notifications`);
  await record(page, 'Notifications: all marked read (flash)', await submit(page, 'Mark all as read'));
  await shots(page, 'notifications-all-read');
  await page.context().close();
  await anon.context().close();

  // a member with nothing yet: the empty states
  const ctx = await newContext();
  const empty = await ctx.newPage();
  await registerAndConfirm(empty, fresh, { role: { index: 2 }, borough: { index: 5 }, organisation: 'Bolton Community Link' });
  await visit(empty, 'Notifications (none yet)', '/notifications');
  await shots(empty, 'notifications-empty');
  await visit(empty, 'Notification settings (nothing watched)', '/account/notifications');
  await shots(empty, 'notification-settings-empty');
  await ctx.close();

  // the admin's outbox page; with SQLite, one letter is marked given up first (as after
  // MAX_ATTEMPTS failed tries), so that the table of given-up letters is seen too
  const db = (serverEnv.DATABASE_URL || '').match(/^sqlite:\/\/(.*)$/);
  if (db) {
    const sql = `UPDATE outbox SET failed_at = COALESCE(sent_at, created_at), sent_at = NULL, attempts = 8,
      last_error = 'permanent error (550): 5.1.1 <${sam.email}>: Recipient address rejected: User unknown in virtual mailbox table'
      WHERE id = (SELECT MIN(id) FROM outbox WHERE to_address = '${sam.email}');`;
    const res = spawnSync('sqlite3', [db[1], sql], { encoding: 'utf8' });
    if (res.status !== 0) notes.push(`could not mark a letter given up: ${res.stderr || res.error}`);
  }
  await visit(admin, 'Admin: outgoing email', '/admin/outbox');
  await shots(admin, 'admin-outbox');
}

// After the course. With SQLite, `sqlite3` moves the run's sessions a month into the past (as
// if the weeks had gone by); the admin takes the three registers on the roster, the admin's
// questions page is seen, the learner answers the feedback form (empty first, for its errors)
// and opens the certificate (also as printed), and the admin reads the run's results and the
// programme report. With PostgreSQL only the pages that need no past course are seen.
async function afterCourseWalk(newContext, admin, learner, runId, firstStart, focus) {
  await visit(admin, 'Admin: feedback questions', `/admin/courses/${runId}/feedback`);
  await shots(admin, 'admin-feedback-questions');
  await record(admin, 'Admin: add a question, empty (errors)', await submit(admin, 'Add the question'), 422);
  await focusedAfterLoad(admin, 'feedback question errors');
  const db = (serverEnv.DATABASE_URL || '').match(/^sqlite:\/\/(.*)$/);
  if (!db) {
    notes.push('the feedback form and certificate were not checked: moving a course into the past needs SQLite');
    await visit(admin, 'Programme report', '/admin/report');
    return;
  }
  const days = Math.ceil((new Date(`${firstStart}:00Z`) - new Date()) / 86400000) + 30;
  const sql = `UPDATE course_sessions SET starts_at = datetime(starts_at, '-${days} days') WHERE run_id = ${runId};`;
  const moved = spawnSync('sqlite3', [db[1], sql], { encoding: 'utf8' });
  if (moved.status !== 0) throw new Error(`could not move the sessions: ${moved.stderr || moved.error}`);
  for (let n = 0; n < 3; n++) {
    await admin.goto(`${base}/courses/${runId}/roster`);
    const form = admin.locator(`form[action^="/courses/${runId}/attendance/"]`).nth(n);
    await form.locator('input[name="present"]').first().check();
    await Promise.all([admin.waitForNavigation({ waitUntil: 'load' }), form.getByRole('button').click()]);
  }
  const page = await signIn(newContext, learner);
  await visit(page, 'Course run (after the course)', `/courses/${runId}`);
  await shots(page, 'course-run-after');
  await visit(page, 'Feedback form', `/courses/${runId}/feedback`);
  await shots(page, 'feedback-form');
  focus.push(await focusShot(page, 'rating radio', (el) => el.matches('input[type="radio"]'), { maxTabs: 80 }));
  await page.locator('input[type="radio"][value="5"]').nth(0).check();
  await page.locator('textarea').nth(0).fill('x'.repeat(2001));
  await record(page, 'Feedback form, too long (errors)', await submit(page, 'Send my feedback'), 422);
  await focusedAfterLoad(page, 'feedback errors');
  await shots(page, 'feedback-form-errors');
  await page.locator('input[type="radio"][value="2"]').nth(0).check();
  await page.locator('input[type="radio"][value="5"]').nth(1).check();
  await page.locator('input[type="radio"][value="4"]').nth(2).check();
  await page.locator('textarea').nth(0).fill('A monthly joint clinic with the OT team at Salford Royal.');
  await page.locator('textarea').nth(1).fill('Longer breaks between the exercises.');
  await page.getByLabel('Answer anonymously').check();
  await record(page, 'Course run (feedback given)', await submit(page, 'Send my feedback'));
  await visit(page, 'Certificate of attendance', `/courses/${runId}/certificate`);
  await shots(page, 'certificate');
  await page.emulateMedia({ media: 'print' });
  await page.setViewportSize({ width: 900, height: 1200 });
  await page.screenshot({ path: join(shotDir, 'certificate-print.png'), fullPage: true });
  await page.emulateMedia({ media: 'screen' });
  await page.context().close();
  await visit(admin, 'Feedback results', `/courses/${runId}/feedback/results`);
  await shots(admin, 'feedback-results');
  await visit(admin, 'Programme report', '/admin/report');
  await shots(admin, 'programme-report');
}

// ---------------------------------------------------------------- the walk
async function main() {
  if (base) {
    if (!(await healthy(base))) throw new Error(`no SPOT answers at ${base}/healthz`);
    if (!serverEnv.DATABASE_URL) throw new Error('with SPOT_A11Y_BASE, set DATABASE_URL (and SPOT_DATA_DIR) as the server has them, for `spot user promote`');
  } else {
    await startServer();
  }
  console.log(`SPOT at ${base}; output in ${out}`);

  // playwright gives every launch a fresh temporary user-data-dir of its own (and refuses
  // --user-data-dir with launch(), which would share one profile between the contexts).
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const newContext = () => browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 }, locale: 'en-GB' });

  const stamp = Date.now().toString(36);
  const member = { email: `a11y-${stamp}@example.nhs.uk`, name: 'Alex Accessibility', password: 'correct horse battery staple' };
  const other = { email: `a11y-${stamp}-b@example.nhs.uk`, name: 'Sam Jones', password: 'another long passphrase here' };
  const learner = { email: `a11y-${stamp}-c@example.nhs.uk`, name: 'Priya Patel', password: 'a third long passphrase' };
  const newcomer = { email: `a11y-${stamp}-d@example.nhs.uk`, name: 'Dana Okafor', password: 'a fourth long passphrase' };
  const focus = [];

  try {
    // ---- anonymous visitor
    const anon = await (await newContext()).newPage();
    await visit(anon, 'Home (signed out)', '/');
    await shots(anon, 'home');
    focus.push(await focusShot(anon, 'skip link', (el) => el.classList.contains('skip-link')));
    focus.push(await focusShot(anon, 'brand link', (el) => el.classList.contains('brand')));
    focus.push(await focusShot(anon, 'header link Sign in', (el) => el.matches('.account-links a') && el.textContent.includes('Sign in')));
    focus.push(await focusShot(anon, 'nav link Members', (el) => el.matches('.site-nav a') && el.textContent.includes('Members')));
    focus.push(await focusShot(anon, 'button link Join SPOT', (el) => el.matches('a.button') && el.textContent.includes('Join')));
    focus.push(await focusShot(anon, 'nav link Home (mobile)', (el) => el.matches('.site-nav a') && el.textContent.includes('Home'), { width: 390, menu: true }));

    await visit(anon, 'Register', '/register');
    focus.push(await focusShot(anon, 'text input', (el) => el.id === 'email'));
    focus.push(await focusShot(anon, 'select', (el) => el.id === 'role'));
    focus.push(await focusShot(anon, 'submit button Create account', (el) => el.matches('main button.button')));
    await record(anon, 'Register, empty form (errors)', await submit(anon, 'Create account'), 422);
    await shots(anon, 'register-errors');
    focus.push(await focusShot(anon, 'error summary link', (el) => el.matches('.error-summary a')));

    await visit(anon, 'Sign in', '/login');
    await visit(anon, 'Password reset', '/password-reset');
    await visit(anon, 'Page not found', '/does-not-exist', 404);
    await shots(anon, 'not-found');

    // ---- the published pages and the contact form, as a visitor
    for (const [name, path] of [['Privacy notice', '/privacy'], ['Terms of use', '/terms'],
      ['Community guidelines', '/guidelines'], ['Accessibility statement', '/accessibility']]) {
      await visit(anon, name, path);
      await shots(anon, path.slice(1));
    }
    await visit(anon, 'Contact', '/contact');
    await shots(anon, 'contact');
    await record(anon, 'Contact, empty form (errors)', await submit(anon, 'Send message'), 422);
    await shots(anon, 'contact-errors');
    await anon.getByLabel('Your name').fill('Jo Bloggs');
    await anon.getByLabel('Your email address').fill('jo@example.org');
    await anon.getByLabel('Subject').fill('Cannot sign in');
    await anon.getByLabel('Your message').fill('My account says it is suspended.\nCan you help?');
    await record(anon, 'Contact (message sent)', await submit(anon, 'Send message'));

    // ---- a member registers through the real form
    const ctx = await newContext();
    const page = await ctx.newPage();
    const registered = await registerAndConfirm(page, member,
      { role: { index: 1 }, borough: { index: 3 }, organisation: 'Salford Royal OT team' },
      async (res) => {
        await record(page, 'Registered: check your email', res);
        await shots(page, 'register-check-email');
      });
    await record(page, 'Account (after confirming)', registered);
    await shots(page, 'account-welcome');
    const ownId = (await page.getByRole('link', { name: 'See your profile as others see it' }).getAttribute('href')).split('/').pop();
    focus.push(await focusShot(page, 'Sign out link-button', (el) => el.matches('button.link-button')));
    focus.push(await focusShot(page, 'checkbox', (el) => el.id === 'listed'));
    await visit(page, 'Account', '/account');
    await visit(page, 'Delete your account (confirmation page)', '/account/delete');
    await shots(page, 'account-delete');
    await visit(page, 'Change password', '/account/password');
    await record(page, 'Change password, empty form (errors)', await submit(page, 'Change password'), 422);

    // a second member, so the directory has more than one card
    const ctx2 = await newContext();
    const page2 = await ctx2.newPage();
    await registerAndConfirm(page2, other, { role: { index: 2 }, borough: { index: 9 }, organisation: 'Wigan Social Prescribing Service' });
    const otherId = (await page2.getByRole('link', { name: 'See your profile as others see it' }).getAttribute('href')).split('/').pop();
    // page2 stays signed in as the second member: the forum part writes and reports with it.

    // ---- wrong password (a signed-out visitor, the member's real email)
    await anon.goto(`${base}/login`);
    await anon.getByLabel('Email address').fill(member.email);
    await anon.getByLabel('Password').fill('not the right password');
    const wrong = await submit(anon, 'Sign in');
    await record(anon, 'Sign in, wrong password (error)', wrong, wrong ? wrong.status() : 200);

    await visit(page, 'Member directory', '/members');
    await shots(page, 'directory');
    focus.push(await focusShot(page, 'directory card link', (el) => el.matches('.card a')));
    await visit(page, 'Own profile', `/members/${ownId}`);

    // ---- connecting the professions: "my service" (a flagged text first), counterparts, map
    await visit(page, 'Your service (empty form)', '/account/service');
    await page.locator('#offers').fill('Walking groups and **befriending** across the borough.');
    await page.locator('#who_for').fill('Mrs Patel, born 12/03/1954, enjoys the walks.');
    await page.locator('#boroughs').check();
    await record(page, 'Your service, patient data (errors)', await submit(page, 'Save your service'), 422);
    focus.push(await focusShot(page, 'service area checkbox', (el) => el.id === 'boroughs-salford', { maxTabs: 80 }));
    await page.locator('#who_for').fill('Adults who are lonely or isolated.');
    await record(page, 'Your service (saved)', await submit(page, 'Save your service'));
    await visit(page2, 'Profile with a service (other member)', `/members/${ownId}`);
    await visit(page, 'Your counterparts', '/counterparts');
    await visit(page2, 'Your counterparts (other member)', '/counterparts');
    focus.push(await focusShot(page2, 'counterpart contact button', (el) => el.matches('a.contact-button'), { maxTabs: 80 }));
    await visit(page, 'Map of members', '/map');
    await shots(page, 'map');
    focus.push(await focusShot(page, 'map borough link', (el) => !!el.closest('figure.gm-map'), { maxTabs: 80 }));

    // ---- forum, as members (threads and replies go through the real forms)
    // the new-thread form: empty, then patient data, then a preview, then posted
    await visit(page, 'Forum: new thread form', '/forum/introductions/new');
    await record(page, 'Forum: new thread, empty (errors)', await submit(page, 'Post thread'), 422);
    await focusedAfterLoad(page, 'new thread errors');
    await shots(page, 'forum-new-thread-errors');
    focus.push(await focusShot(page, 'forum error summary link', (el) => el.matches('.error-summary a')));
    await page.getByLabel('Title', { exact: true }).fill('Checking a referral');
    await page.getByLabel('Your post', { exact: true }).fill('Has anyone seen the referral for NHS number 943 476 5919? It has been waiting a month.');
    await record(page, 'Forum: new thread, patient-data warning', await submit(page, 'Post thread'), 422);
    await focusedAfterLoad(page, 'patient-data warning');
    await shots(page, 'forum-patient-data-warning');
    focus.push(await focusShot(page, 'patient-data checkbox', (el) => el.id === 'confirm_patient_data' || el.name === 'confirm_patient_data'));
    await page.getByLabel('Title', { exact: true }).fill('Hello from Salford: OT in post-COVID rehabilitation');
    await page.getByLabel('Your post', { exact: true }).fill(TABLE_AND_LIST_POST);
    // The page script previews in place, without a navigation: wait for the preview itself.
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await page.waitForSelector('#preview-heading');
    // Its HTML for vnu: the page as it is now, less axe-core, which the check before put in it.
    const previewed = {
      status: () => 200,
      text: () => page.evaluate(() => {
        const copy = document.documentElement.cloneNode(true);
        copy.querySelectorAll('script:not([src])').forEach((s) => s.remove());
        return `<!DOCTYPE html>\n${copy.outerHTML}`;
      }),
    };
    await record(page, 'Forum: new thread, preview', previewed, 200);
    await focusedAfterLoad(page, 'preview');
    await shots(page, 'forum-preview');
    await submit(page, 'Post thread');
    const threadA = threadIdOf(page);
    await startThread(page2, 'introductions', 'Social prescriber in Wigan, new to SPOT', 'Hi all, I link people in Wigan with community groups. Happy to share our list of walking groups.');
    await startThread(page, 'introductions', 'Anyone running a long COVID peer support group?', 'We are thinking of starting one in Salford and would value advice on format and facilitation.');

    // replies: the second member answers the first post with "Reply to this" (its form is
    // checked too), the first member answers that reply, the second adds a plain reply
    await page2.goto(`${base}/threads/${threadA}`);
    const [firstPost] = await postIds(page2);
    await replyTo(page2, threadA, firstPost, 'Welcome! We run a similar pacing group in Wigan: *fatigue diaries* made the biggest difference for us.',
      async (res) => {
        await record(page2, 'Forum: reply form (answering a post)', res);
        await shots(page2, 'forum-reply-form');
      });
    const samReply = (await postIds(page2)).at(-1);
    await replyTo(page, threadA, samReply, 'Thank you @Sam Jones, could you share the diary template you use?');
    const alexReply = (await postIds(page)).at(-1);
    await replyInThread(page2, threadA, 'Of course, I will post it here next week.\n\n1. Morning energy\n2. Afternoon energy\n3. Evening energy');
    // the second member finds the first post helpful
    await page2.goto(`${base}/threads/${threadA}`);
    await Promise.all([page2.waitForNavigation(), page2.locator(`#post-${firstPost} .post-actions button.link-action`, { hasText: 'Helpful' }).click()]);
    // a reply the patient-data check holds: warned, confirmed, then seen only by its author
    await page2.goto(`${base}/threads/${threadA}/reply`);
    await page2.getByLabel('Your post', { exact: true }).fill('Mrs Patel, born 12/03/1954, is waiting for the same assessment.');
    await record(page2, 'Forum: reply, patient-data warning', await submit(page2, 'Post reply'), 422);
    await page2.getByLabel(/I have checked/).check();
    await submit(page2, 'Post reply');
    await visit(page2, 'Forum: thread with a held reply (its author)', `/threads/${threadA}`);
    await shots(page2, 'forum-held-reply');

    await visit(anon, 'Forum (signed out)', '/forum');
    await visit(page, 'Forum', '/forum');
    await visit(page, 'Search: diary (every kind)', '/search?q=diary');
    await shots(page, 'search');
    await visit(page, 'Search: discussions only, filters open', '/search?q=energy&kind=posts&role=link_worker');
    await shots(page, 'search-filters');
    focus.push(await focusShot(page, 'search Filters summary', (el) => el.matches('.search-filters > summary')));
    await visit(page, 'Search: a bad date', '/search?q=diary&from=2026-02-30', 422);
    await shots(page, 'search-bad-date');
    await visit(anon, 'Search (signed out)', '/search?q=diary');
    await shots(page, 'forum');
    await visit(page, 'Forum: category with threads', '/forum/introductions');
    await shots(page, 'forum-category');
    focus.push(await focusShot(page, 'thread title link', (el) => el.matches('a.thread-title'), { maxTabs: 120 }));
    await visit(page, 'Forum: thread (member)', `/threads/${threadA}`);
    await shots(page, 'forum-thread');
    focus.push(await focusShot(page, 'Reply to this link', (el) => el.matches('.post-actions a') && el.textContent.includes('Reply to this'), { maxTabs: 150 }));
    focus.push(await focusShot(page, 'Helpful link-button', (el) => el.matches('button.link-action') && el.textContent.includes('Helpful'), { maxTabs: 150 }));
    focus.push(await focusShot(page, 'Report summary', (el) => el.matches('details.report > summary'), { maxTabs: 150 }));

    // the second member reports the first member's reply through the Report form on it
    const threadRes = await page2.goto(`${base}/threads/${threadA}`);
    await openAllDetails(page2);
    await record(page2, 'Forum: thread, Report forms open', threadRes);
    await shots(page2, 'forum-thread-report-open');
    await page2.goto(`${base}/threads/${threadA}`);
    await page2.locator(`#post-${alexReply} details.report > summary`).click();
    await page2.locator(`#post-${alexReply} details.report textarea`).fill('This names a local service user group that asked not to be named online.');
    const [reported] = await Promise.all([
      page2.waitForNavigation({ waitUntil: 'load' }),
      page2.locator(`#post-${alexReply} details.report`).getByRole('button', { name: 'Send report' }).click(),
    ]);
    // what the member sees first: the redirect goes to /posts/N, i.e. the thread at #post-N
    await page2.screenshot({ path: join(shotDir, 'forum-thread-reported-viewport.png') });
    const flashSeen = await page2.evaluate(() => {
      const flash = document.querySelector('.flash');
      if (!flash) return 'no flash message';
      const r = flash.getBoundingClientRect();
      return r.bottom > 0 && r.top < innerHeight ? 'in view' : `out of view (scrolled to ${location.hash}, ${Math.round(scrollY)}px down)`;
    });
    console.log(`after reporting: flash message ${flashSeen}`);
    await record(page2, 'Forum: thread after reporting (flash)', reported);
    await shots(page2, 'forum-thread-reported');

    // ---- resource library, as members (uploads and links go through the real form)
    const library = await resourceWalk(page, page2, focus);

    // ---- private messages: Alex writes to Sam through the real forms, Sam reads and reports
    await visit(page, 'Messages: new message to Sam', `/messages/new?to=${otherId}`);
    await shots(page, 'messages-new');
    await record(page, 'Messages: new message, empty (errors)', await submit(page, 'Send message'), 422);
    await page.locator('#body').fill('Hello Sam, could we compare **referral pathways** for falls this week?\n\n- your form\n- our form');
    const sentRes = await submit(page, 'Send message');
    const conversationPath = new URL(page.url()).pathname;
    await record(page, 'Messages: conversation (sender)', sentRes);
    await visit(page2, 'Messages: inbox with one unread', '/messages');
    await shots(page2, 'messages-inbox');
    await visit(page2, 'Messages: conversation', conversationPath);
    await page2.locator('#body').fill('Yes please: Thursday afternoon suits me. I will bring *our* form.');
    await record(page2, 'Messages: conversation after a reply', await submit(page2, 'Send reply'));
    await shots(page2, 'messages-conversation');
    await page.goto(`${base}/messages`);
    await shots(page, 'messages-inbox-sender');
    const convRes = await page2.goto(base + conversationPath);
    await openAllDetails(page2);
    await record(page2, 'Messages: conversation, Report and Block open', convRes);
    await page2.goto(base + conversationPath);
    const firstMessage = page2.locator('article.message:not(.message-mine)').first();
    await firstMessage.locator('details.report > summary').click();
    await firstMessage.locator('details.report input[name="reason"]').fill('Checking the report form works');
    await record(page2, 'Messages: after reporting (flash)', await submit(page2, 'Report to the facilitators'));
    await visit(page, 'Messages: who can message you', '/messages/settings');
    await shots(page, 'messages-settings');
    await ctx2.close();

    // ---- promote to admin with the real command, then the admin pages
    const promoted = spawnSync(spotBin, ['user', 'promote', member.email, 'admin'], {
      cwd: repo,
      env: { ...process.env, ...serverEnv },
      encoding: 'utf8',
    });
    if (promoted.status !== 0) throw new Error(`spot user promote failed: ${promoted.stderr}`);
    let adminRes = await page.goto(`${base}/admin/members`);
    if (adminRes.status() !== 200) {
      // the session may hold the old staff level: sign in again
      await page.goto(`${base}/login`);
      await page.getByLabel('Email address').fill(member.email);
      await page.getByLabel('Password').fill(member.password);
      await submit(page, 'Sign in');
    }
    await visit(page, 'Admin: members', '/admin/members');
    await shots(page, 'admin-members');
    await visit(page, 'Admin: member (self, admin)', `/admin/members/${ownId}`);
    await visit(page, 'Admin: member (other)', `/admin/members/${otherId}`);
    await shots(page, 'admin-member');
    await record(page, 'Admin: suspend, empty form (errors)', await submit(page, 'Suspend member'), 422);
    await visit(page, 'Admin: audit log', '/admin/audit');
    await shots(page, 'admin-audit');
    await visit(page, 'Admin: site settings', '/admin/settings');
    await page.locator('#map_on_home').check();
    await record(page, 'Admin: site settings (map on the home page)', await submit(page, 'Save settings'));
    await visit(anon, 'Home with the map (visitor)', '/');
    await visit(page, 'Home with the map (member)', '/');
    await visit(page, 'Admin: published pages', '/admin/pages');
    await visit(page, 'Admin: change the privacy notice', '/admin/pages/privacy');
    await shots(page, 'admin-page-edit');
    await page.locator('#body').fill('');
    await record(page, 'Admin: change a page, empty (errors)', await submit(page, 'Save and publish'), 422);

    // ---- a copy of one's data, and of a member's for a subject access request (the export
    // worker builds it within SPOT_EXPORT_EVERY_SECONDS; the page refreshes itself meanwhile)
    await visit(page, 'Download your data (none yet)', '/account/export');
    await record(page, 'Download your data (asked for)', await submit(page, 'Ask for a copy'));
    await shots(page, 'export-asked');
    let exportPage = await page.goto(`${base}/account/export`);
    for (let i = 0; i < 100 && !(await page.content()).includes('The copy is ready'); i++) {
      await page.waitForTimeout(200);
      exportPage = await page.goto(`${base}/account/export`);
    }
    await record(page, 'Download your data (ready)', exportPage);
    await shots(page, 'export-ready');
    await visit(page, "Admin: a member's data (none yet)", `/admin/members/${otherId}/export`);
    await record(page, "Admin: a member's data (asked for)", await submit(page, 'Ask for a copy'));
    await visit(page, 'Export link that no longer works', '/account/export/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 404);

    // ---- resource library, as the promoted admin (a facilitator too)
    await visit(page, 'Resources: tags (admin)', '/resources/tags');
    await shots(page, 'resources-tags');
    await record(page, 'Resources: rename tag, empty (errors)', await submit(page, 'Rename or merge'), 422);
    await shots(page, 'resources-tags-errors');
    await visit(page, 'Resources: file resource (admin)', `/resources/${library.fileId}`);
    await shots(page, 'resource-file-admin');

    // ---- forum, as the promoted admin (who is also a facilitator)
    const modRes = await page.goto(`${base}/threads/${threadA}`);
    if (!(await page.locator('details.thread-tools').count())) throw new Error('no moderation tools on the thread page for the admin');
    focus.push(await focusShot(page, 'Moderate this thread summary', (el) => el.matches('details.thread-tools > summary'), { maxTabs: 120 }));
    console.log(`opened ${await openAllDetails(page)} <details> on the thread page`);
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    await record(page, 'Forum: thread, moderation tools open', modRes);
    await shots(page, 'forum-thread-moderation');
    focus.push(await focusShot(page, 'Delete as spam link-button', (el) => el.matches('button.link-action.danger'), { maxTabs: 150 }));
    await visit(page, 'Moderation queue (one report)', '/moderation');
    await visit(page, 'Contact messages', '/moderation/contact');
    await shots(page, 'moderation-contact');
    await shots(page, 'moderation-queue');
    await visit(page, 'Reported messages', '/moderation/messages');
    await shots(page, 'moderation-messages');
    await visit(page, 'Held items', '/moderation/held');
    await shots(page, 'moderation-held');
    const redactHref = await page.locator('a[href$="/redact"]').first().getAttribute('href');
    await visit(page, 'Held item: take the details out', redactHref);
    await shots(page, 'moderation-redact');
    await record(page, 'Held item: take the details out, no note (errors)', await submit(page, 'Publish without the details'), 422);
    // a moderation action for the log: pin a thread with the real tool
    await page.goto(`${base}/threads/${threadA}`);
    await page.locator('details.thread-tools > summary').click();
    await submit(page, 'Pin');
    await visit(page, 'Moderation: a member\'s history', `/members/${otherId}/history`);
    await shots(page, 'member-history');
    await record(page, 'Moderation: empty note (errors)', await submit(page, 'Add note'), 422);
    await visit(page, 'Admin: moderation statistics', '/admin/moderation');
    await shots(page, 'moderation-statistics');
    await visit(page, 'Moderation log', '/moderation/log');
    await shots(page, 'moderation-log');
    await visit(page, 'Admin: categories', '/admin/categories');
    await shots(page, 'admin-categories');
    const categoryHref = await page.locator('a[href^="/admin/categories/"]', { hasText: 'Introductions' }).getAttribute('href');
    await record(page, 'Admin: categories, empty form (errors)', await submit(page, 'Add category'), 422);
    await shots(page, 'admin-categories-errors');
    await visit(page, 'Admin: category', categoryHref);
    await shots(page, 'admin-category');
    await record(page, 'Admin: category, someone put in charge', await submit(page, 'Save who moderates'));
    await visit(page, 'What you look after', '/facilitating');
    await shots(page, 'facilitating');
    await visit(page, 'Suspend a member (forum)', `/members/${otherId}/suspend`);
    await shots(page, 'suspend-member');
    await record(page, 'Suspend a member, empty form (errors)', await submit(page, 'Suspend'), 422);

    // ---- courses: the admin creates a run through the real form, a member books it
    // A third member registers in Salford; the run serves Salford and Manchester (the admin's
    // borough), so the member may book it.
    const ctx3 = await newContext();
    const page3 = await ctx3.newPage();
    await registerAndConfirm(page3, learner, { role: { index: 1 }, borough: { label: 'Salford' }, organisation: 'Salford Community Rehab' });

    await visit(page, 'Admin: course runs (none yet)', '/admin/courses');
    await shots(page, 'admin-courses-empty');
    await visit(page, 'Admin: new course run form', '/admin/courses/new');
    await shots(page, 'admin-course-new');
    focus.push(await focusShot(page, 'borough checkbox', (el) => el.id === 'boroughs-salford', { maxTabs: 80 }));
    await record(page, 'Admin: new course run, empty (errors)', await submit(page, 'Create run'), 422);
    await focusedAfterLoad(page, 'new course run errors');
    await shots(page, 'admin-course-new-errors');
    focus.push(await focusShot(page, 'course run error summary link', (el) => el.matches('.error-summary a')));
    const firstStart = new Date('2027-03-23T14:00:00Z') > new Date()
      ? '2027-03-23T14:00'
      : `${new Date().getUTCFullYear() + 1}-03-23T14:00`;
    await page.getByLabel('Title', { exact: true }).fill('Living well with long COVID: pacing and return to work');
    await page.getByLabel('Description (optional)').fill('Practical pacing, fatigue diaries and planning a return to work, for staff who support people with long COVID.');
    await page.getByLabel('Salford', { exact: true }).check();
    await page.getByLabel('Manchester', { exact: true }).check();
    await page.getByLabel('Places', { exact: true }).fill('2');
    await page.getByLabel('First session starts (London time)').fill(firstStart);
    await page.getByLabel('Online meeting link').fill('https://meet.example.org/x');
    // The admin co-delivers it, so the certificate is signed by name.
    await page.getByLabel('Link worker facilitator').selectOption({ index: 1 });
    const created = await submit(page, 'Create run');
    const runMatch = new URL(page.url()).pathname.match(/^\/admin\/courses\/(\d+)$/);
    if (!runMatch) throw new Error(`creating the run landed on ${page.url()} (HTTP ${created && created.status()})`);
    const runId = Number(runMatch[1]);
    await record(page, 'Admin: course run (just created)', created);
    await shots(page, 'admin-course-run');
    await visit(page, 'Admin: course runs (one run)', '/admin/courses');
    await shots(page, 'admin-courses');

    await visit(page3, 'Courses (member)', '/courses');
    await shots(page3, 'courses');
    await visit(page3, 'Course run (before booking)', `/courses/${runId}`);
    await shots(page3, 'course-run');
    focus.push(await focusShot(page3, 'manager agreed checkbox', (el) => el.id === 'manager_agreed', { maxTabs: 80 }));
    await page3.getByLabel("Your manager's name").fill('Jo Manager');
    await record(page3, 'Course run, booking without agreement or manager email (errors)', await submit(page3, 'Book my place'), 422);
    await focusedAfterLoad(page3, 'booking errors');
    await shots(page3, 'course-run-book-errors');
    await page3.getByLabel(/I have agreed the time for all/).check();
    await page3.getByLabel("Your manager's work email address").fill('jo.manager@nhs.net');
    const booked = await submit(page3, 'Book my place');
    if (!(await page3.getByText('You are booked on this run.').count())) {
      throw new Error(`booking did not show the booked state at ${page3.url()} (HTTP ${booked && booked.status()})`);
    }
    await record(page3, 'Course run (booked)', booked);
    await shots(page3, 'course-run-booked');
    await visit(page3, 'Cancel a place (asks first)', `/courses/${runId}/cancel`);
    await shots(page3, 'course-cancel');
    await ctx3.close();

    // the manager's page, opened from the real letter, signed out
    const managerLink = await linkFor('jo.manager@nhs.net', /https?:\/\/[^\s"<>]+\/manager\/[A-Za-z0-9_\-]+/);
    if (!managerLink) throw new Error('no letter to the manager with a /manager/ link appeared in the outbox folder');
    const ctx4 = await newContext();
    const page4 = await ctx4.newPage();
    await visit(page4, "Manager: confirm a booking", new URL(managerLink).pathname);
    await shots(page4, 'manager-confirm');
    await record(page4, 'Manager: no answer chosen (errors)', await submit(page4, 'Send my answer'), 422);
    await page4.getByLabel(/I confirm/).check();
    await record(page4, 'Manager: confirmed', await submit(page4, 'Send my answer'));
    await shots(page4, 'manager-confirmed');
    await ctx4.close();

    await visit(page, 'Course roster (one booked)', `/courses/${runId}/roster`);
    await shots(page, 'course-roster');
    focus.push(await focusShot(page, 'attendance checkbox', (el) => el.matches('input[name="present"]'), { maxTabs: 80 }));

    // ---- after the course: feedback, the certificate, the results and the programme report
    await afterCourseWalk(newContext, page, learner, runId, firstStart, focus);

    // ---- notifications: the second member's, after replies, a mention, a hidden post...
    await notificationWalk(newContext, page, other, newcomer, { threadA, samPost: samReply }, focus);
    await browser.close();
    focus.push(...(await visitedFocus()));
  } catch (error) {
    await browser.close();
    throw error;
  }

  // ---------------------------------------------------------------- vnu
  const files = pages.map((p) => p.htmlFile);
  const cssFile = join(out, 'spot.css');
  writeFileSync(cssFile, await (await fetch(`${base}/assets/spot.css`)).text());
  await stopServer();
  const vnu = (args) => {
    const res = spawnSync('java', ['-jar', vnuJar, '--errors-only', '--format', 'json', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (res.error) throw res.error;
    return JSON.parse(res.stderr || '{"messages":[]}').messages;
  };
  const htmlMessages = vnu(files);
  const cssMessages = vnu(['--css', cssFile]);
  for (const p of pages) {
    const url = 'file:' + p.htmlFile;
    p.vnu = htmlMessages.filter((m) => m.url === url).map((m) => ({ line: m.lastLine, message: m.message, extract: (m.extract || '').trim() }));
  }
  const css = cssMessages.map((m) => ({ line: m.lastLine, message: m.message }));

  // ---------------------------------------------------------------- summary
  writeFileSync(join(out, 'report.json'), JSON.stringify({ base, pages, css, focus, notes }, null, 2));
  let failures = 0;
  const rules = new Map();
  console.log('\n=== axe-core WCAG 2.0/2.1/2.2 A+AA violations ===');
  for (const p of pages) {
    for (const v of p.axe.violations) {
      failures++;
      for (const n of v.nodes) {
        const key = `[${v.impact}] ${v.id} (${v.tags.join(', ')}): ${v.help}\n    element: ${n.target}\n    ${n.html}\n    ${n.summary.replace(/\n/g, ' ')}`;
        if (!rules.has(key)) rules.set(key, []);
        rules.get(key).push(`${p.name} (${p.url})`);
      }
    }
  }
  for (const [key, names] of rules) console.log(`${key}\n    on ${names.length} page(s): ${names.join('; ')}`);
  if (!failures) console.log('none');
  console.log('\n=== axe-core best-practice (information) ===');
  const bp = new Map();
  for (const p of pages) for (const v of p.axe.bestPractice) for (const n of v.nodes) {
    const key = `[${v.impact}] ${v.id}: ${n.target}`;
    if (!bp.has(key)) bp.set(key, []);
    bp.get(key).push(p.name);
  }
  for (const [key, names] of bp) console.log(`${key}  (${names.length} page(s))`);
  if (!bp.size) console.log('none');
  console.log('\n=== axe-core needs review (incomplete) ===');
  const inc = new Map();
  for (const p of pages) for (const v of p.axe.incomplete) {
    inc.set(v.id, (inc.get(v.id) || 0) + v.nodes.length);
  }
  for (const [id, count] of inc) console.log(`${id}: ${count} node(s)`);
  if (!inc.size) console.log('none');
  console.log('\n=== Reflow at 320 px (WCAG 1.4.10) ===');
  let reflowFails = 0;
  for (const p of pages) if (p.reflow.overflow) {
    reflowFails++;
    console.log(`"${p.name}": page is ${p.reflow.scrollWidth}px wide in a ${p.reflow.clientWidth}px viewport; ${p.reflow.culprits.join(', ')}`);
  }
  if (!reflowFails) console.log('no sideways scrolling');
  console.log('\n=== vnu (Nu Html Checker) errors ===');
  let vnuErrors = 0;
  for (const p of pages) for (const m of p.vnu) {
    vnuErrors++;
    console.log(`"${p.name}" line ${m.line}: ${m.message}\n    ${m.extract}`);
  }
  for (const m of css) {
    vnuErrors++;
    console.log(`spot.css line ${m.line}: ${m.message}`);
  }
  if (!vnuErrors) console.log('none');
  if (notes.length) {
    console.log('\n=== Notes ===');
    for (const n of notes) console.log(`- ${n}`);
  }
  const statusMismatches = pages.filter((p) => p.status !== p.expectStatus);
  for (const p of statusMismatches) console.log(`\nHTTP status: "${p.name}" answered ${p.status}, expected ${p.expectStatus}`);
  console.log(`\nScreenshots: ${shotDir}\nReport: ${join(out, 'report.json')}`);
  const failed = failures + vnuErrors + reflowFails + statusMismatches.length;
  console.log(`${pages.length - pages.filter((p) => p.axe.violations.length || p.vnu.length || p.reflow.overflow).length} passed, ${pages.filter((p) => p.axe.violations.length || p.vnu.length || p.reflow.overflow).length} failed`);
  process.exitCode = failed ? 1 : 0;
}

main().catch(async (error) => {
  console.error(error);
  await stopServer();
  process.exitCode = 2;
});
