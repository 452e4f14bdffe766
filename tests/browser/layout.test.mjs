// Issue 22, the pages half: SPOT on a phone, in a real browser.
//   - at 360 × 640 the first post of a thread, the first search result and the first card of
//     the library and of the directory show without scrolling;
//   - no page scrolls sideways at 320, 360, 768 or 1280 px; axe-core finds nothing at 360 px;
//   - the menu, the nav links, the search button and the buttons are at least 44 px tall;
//   - the menu opens and closes with JavaScript off and on, and is simply open at 1280 px;
//   - a reply sent with JavaScript off lands in its thread;
//   - the manifest and the icons are served.
import { startSpot, launchBrowser, newContext, signIn, axeViolations, test, after, assert } from './harness.mjs';

const spot = await startSpot();
const browser = await launchBrowser();
after(() => browser.close());
after(() => spot.stop());

// A signed-in member's page at a given size, JavaScript on or off.
async function memberPage({ width = 360, height = 640, javaScript = true } = {}) {
  const context = await newContext(browser, { width, height, javaScript });
  const page = await context.newPage();
  await signIn(page, spot.base, spot.accounts.member, spot.password);
  return { page, close: () => context.close() };
}

// The pages the issue names, found in the demo community.
async function paths(page) {
  await page.goto(`${spot.base}/forum`);
  const category = await page.locator('main a[href^="/forum/"]').first().getAttribute('href');
  await page.goto(`${spot.base}${category}`);
  const thread = await page.locator('main a[href^="/threads/"]').first().getAttribute('href');
  return {
    home: '/',
    thread,
    search: '/search?q=referral',
    library: '/resources',
    directory: '/members',
    course: '/courses/1',
  };
}

// What must show first on each page: its first post, result or card.
const FIRST = {
  thread: '.posts .post',
  search: '.search-results > li',
  library: 'main .card-list > li',
  directory: 'main .card-list.directory > li',
};

let where;
test('at 360 × 640 the first post, result and cards show without scrolling', async () => {
  const { page, close } = await memberPage();
  where = await paths(page);
  for (const [name, selector] of Object.entries(FIRST)) {
    await page.goto(`${spot.base}${where[name]}`);
    const box = await page.locator(selector).first().boundingBox();
    assert(box, `${name}: nothing matches ${selector}`);
    // Its top, and a line or two of it, on the first screen.
    assert(box.y + 48 <= 640, `${name}: the first item starts at ${Math.round(box.y)} px, below the fold`);
    const scrolled = await page.evaluate(() => window.scrollY);
    assert(scrolled === 0, `${name}: the page scrolled itself to ${scrolled}`);
  }
  await close();
});

test('no page scrolls sideways at 320, 360, 768 or 1280 px', async () => {
  const { page, close } = await memberPage();
  const wide = [];
  for (const width of [320, 360, 768, 1280]) {
    await page.setViewportSize({ width, height: 800 });
    for (const [name, path] of Object.entries(where)) {
      await page.goto(`${spot.base}${path}`);
      for (const menu of [false, true]) {
        if (menu && width < 768) await page.click('.menu-toggle');
        const { scroll, client } = await page.evaluate(() => ({
          scroll: document.documentElement.scrollWidth,
          client: document.documentElement.clientWidth,
        }));
        if (scroll > client) wide.push(`${name} at ${width}px${menu ? ' (menu open)' : ''}: ${scroll}px wide`);
      }
    }
  }
  assert(!wide.length, wide.join('; '));
  await close();
});

test('axe-core finds no WCAG A/AA violation at 360 px, menu closed or open', async () => {
  const { page, close } = await memberPage();
  const found = [];
  for (const [name, path] of Object.entries(where)) {
    await page.goto(`${spot.base}${path}`);
    found.push(...(await axeViolations(page)).map((v) => `${name}: ${v}`));
  }
  await page.goto(`${spot.base}${where.thread}`);
  await page.click('.menu-toggle');
  found.push(...(await axeViolations(page)).map((v) => `thread, menu open: ${v}`));
  assert(!found.length, found.join('\n'));
  await close();
});

// Heights (and widths) under 44 px of what `selector` matches on the page as it is.
async function smallTargets(page, selector) {
  return page.$$eval(selector, (elements) => elements
    .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
    .map((el) => ({ el, box: el.getBoundingClientRect() }))
    .filter(({ box }) => box.height < 44 || box.width < 44)
    .map(({ el, box }) => `${el.tagName.toLowerCase()} "${(el.innerText || el.value || '').trim().slice(0, 30)}" ${Math.round(box.width)}×${Math.round(box.height)}`));
}

test('the menu, its links, search and the buttons are at least 44 px tall (WCAG 2.5.5 size)', async () => {
  const { page, close } = await memberPage();
  const small = [];
  const primary = '.menu-toggle, .site-nav a, .account-links a, .account-links button, .header-search-button, '
    + 'main .button, .filters-toggle, .footer-links a';
  for (const width of [360, 1280]) {
    await page.setViewportSize({ width, height: 800 });
    for (const [name, path] of Object.entries(where)) {
      await page.goto(`${spot.base}${path}`);
      if (width === 360) await page.click('.menu-toggle');
      small.push(...(await smallTargets(page, primary)).map((s) => `${name} at ${width}px: ${s}`));
    }
  }
  assert(!small.length, small.join('\n'));
  await close();
});

for (const javaScript of [false, true]) {
  test(`the menu opens and closes with JavaScript ${javaScript ? 'on' : 'off'}, and is open on a desktop`, async () => {
    const { page, close } = await memberPage({ javaScript });
    await page.goto(`${spot.base}${where.thread}`);
    const forum = page.locator('.site-nav a[href="/forum"]');
    const toggle = page.locator('.menu-toggle');
    assert(await toggle.isVisible(), 'a Menu button on a phone');
    assert(!(await forum.isVisible()), 'the sections are folded away at first');
    assert(await toggle.evaluate((el) => el.getBoundingClientRect().bottom) <= 80, 'the header is one short row');
    await toggle.click();
    assert(await forum.isVisible(), 'Menu shows the sections');
    assert(await page.locator('.menu-panel input[type=search]').isVisible(), 'and search');
    assert(await page.locator('.menu-panel .account-links a[href="/messages"]').isVisible(), 'and the account');
    await forum.click();
    await page.waitForURL(`${spot.base}/forum`);
    await page.goto(`${spot.base}${where.thread}`);
    await toggle.click();
    assert(await forum.isVisible(), 'opened again');
    await toggle.click();
    assert(!(await forum.isVisible()), 'and closed');
    // The keyboard: Enter on the focused toggle opens it too.
    await toggle.focus();
    await page.keyboard.press('Enter');
    assert(await forum.isVisible(), 'Enter opens the menu');

    await page.setViewportSize({ width: 1280, height: 800 });
    await page.reload();
    assert(!(await toggle.isVisible()), 'no Menu button on a desktop');
    assert(await forum.isVisible(), 'the sections show in the header');
    assert(await page.locator('.header-search input[type=search]').isVisible(), 'and search');
    await close();
  });
}

test('a reply sent with JavaScript off lands in its thread', async () => {
  const { page, close } = await memberPage({ javaScript: false });
  await page.goto(`${spot.base}${where.thread}`);
  const words = `Sent from a phone with scripts off ${Date.now()}`;
  await page.fill('.reply-box textarea[name=body]', words);
  await Promise.all([page.waitForLoadState('load'), page.click('.reply-box button[value=post]')]);
  assert(page.url().includes('/threads/'), `landed on ${page.url()}`);
  assert(await page.locator('.post', { hasText: words }).count() === 1, 'the reply is in the thread');
  await close();
});

test('a phone can add SPOT to its home screen: manifest and icons are served', async () => {
  const { page, close } = await memberPage();
  await page.goto(`${spot.base}/`);
  const manifestHref = await page.locator('link[rel=manifest]').getAttribute('href');
  const manifest = await page.request.get(`${spot.base}${manifestHref}`);
  assert(manifest.ok(), `manifest ${manifest.status()}`);
  assert(manifest.headers()['content-type'] === 'application/manifest+json', manifest.headers()['content-type']);
  const json = await manifest.json();
  assert(json.short_name === 'SPOT' && json.display === 'standalone', JSON.stringify(json));
  for (const icon of json.icons) {
    const loaded = await page.evaluate(async (src) => {
      const img = new Image();
      img.src = src;
      await img.decode();
      return `${img.naturalWidth}x${img.naturalHeight}`;
    }, icon.src);
    assert(loaded === icon.sizes, `${icon.src} is ${loaded}, not ${icon.sizes}`);
  }
  for (const href of await page.locator('link[rel~=icon]').evaluateAll((links) => links.map((l) => l.href))) {
    const response = await page.request.get(href);
    assert(response.ok(), `${href}: ${response.status()}`);
  }
  assert((await page.request.get(`${spot.base}/favicon.ico`)).ok(), '/favicon.ico');
  await close();
});
