#!/usr/bin/env node
// Screenshots of the map page for the user guide (docs/images/), at desktop width and at
// 320 CSS pixels, signed in as a member of a running SPOT (e.g. one filled by `spot demo`):
//   SPOT_BASE=http://127.0.0.1:8097 SPOT_EMAIL=admin@spot.example \
//     SPOT_PASSWORD='demo password please change' node docs/tools/a11y/map-shots.mjs
// Also a shot with keyboard focus on a borough, to check that focus shows.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.env.SPOT_SHOTS || join(here, '../../images'));
const base = process.env.SPOT_BASE || 'http://127.0.0.1:8097';
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await page.goto(`${base}/login`);
await page.fill('#email', process.env.SPOT_EMAIL || 'admin@spot.example');
await page.fill('#password', process.env.SPOT_PASSWORD || 'demo password please change');
await page.click('main button[type=submit]');
await page.waitForURL((url) => !url.pathname.startsWith('/login'));
await page.goto(`${base}/map`);
await page.screenshot({ path: join(out, 'map-desktop.png'), fullPage: true });
// Keyboard focus on a borough: tab until a map link has it.
for (let i = 0; i < 60; i++) {
  await page.keyboard.press('Tab');
  const onMap = await page.evaluate(() => !!document.activeElement?.closest('figure.gm-map'));
  if (onMap) {
    for (let j = 0; j < 5; j++) await page.keyboard.press('Tab');
    break;
  }
}
const figure = page.locator('figure.gm-map');
await figure.screenshot({ path: join(out, 'map-keyboard-focus.png') });
await page.setViewportSize({ width: 320, height: 640 });
await page.goto(`${base}/map`);
await page.screenshot({ path: join(out, 'map-320px.png'), fullPage: true });
const sideways = await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1);
console.log(`shots in ${out}; sideways scrolling at 320px: ${sideways}`);
await browser.close();
