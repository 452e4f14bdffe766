// Screenshots for the docs: home, a thread, the library and a course page, as a signed-in
// member sees them on a phone (360 px) and a desktop (1280 px), the first screen of each.
//   cargo build && cd tests/browser && npm ci && node screenshots.mjs [out-dir]
// writes docs/screenshots/{home,thread,library,course}-{360,1280}.png (or into out-dir).
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startSpot, launchBrowser, newContext, signIn, repo } from './harness.mjs';

const out = resolve(process.argv[2] || join(repo, 'docs/screenshots'));
mkdirSync(out, { recursive: true });
const spot = await startSpot();
const browser = await launchBrowser();
try {
  const sizes = [{ width: 360, height: 720 }, { width: 1280, height: 800 }];
  for (const size of sizes) {
    const context = await newContext(browser, size);
    const page = await context.newPage();
    await signIn(page, spot.base, spot.accounts.member, spot.password);
    await page.goto(`${spot.base}/forum`);
    const category = await page.locator('main a[href^="/forum/"]').first().getAttribute('href');
    await page.goto(`${spot.base}${category}`);
    const thread = await page.locator('main a[href^="/threads/"]').first().getAttribute('href');
    const shots = { home: '/', thread, library: '/resources', course: '/courses/1' };
    for (const [name, path] of Object.entries(shots)) {
      await page.goto(`${spot.base}${path}`);
      const file = join(out, `${name}-${size.width}.png`);
      await page.screenshot({ path: file });
      console.log(`wrote ${file}`);
    }
    await context.close();
  }
} finally {
  await browser.close();
  await spot.stop();
}
