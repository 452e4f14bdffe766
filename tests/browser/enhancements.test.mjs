// Issue 22's enhancements in a real browser: drafts kept through a reload or a closed tab and
// cleared once sent, names offered after @, preview without leaving the page, the notice of
// new replies, and every enhanced form still working with JavaScript off.
import {
  startSpot, launchBrowser, newContext, signIn, axeViolations, test, after, assert,
} from './harness.mjs';

const spot = await startSpot();
const browser = await launchBrowser();
after(() => browser.close());
after(() => spot.stop());

const member = spot.accounts.member; // Jasmine Campbell
const facilitator = spot.accounts.facilitators[0]; // Priya Shah
let threadPath = null; // made by the first draft test, used by the rest

async function signedIn(email, options = {}) {
  const context = await newContext(browser, options);
  const page = await context.newPage();
  await signIn(page, spot.base, email, spot.password);
  return { context, page };
}

async function draftKeys(page) {
  return page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('spot-draft:')));
}

// The script saves a moment after the last keystroke.
const settle = (page) => page.waitForTimeout(700);

test('the page script is our own file, under 20 KB, and the policy lets it run', async () => {
  const { context, page } = await signedIn(member);
  const refused = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) refused.push(m.text()); });
  await page.goto(`${spot.base}/forum`);
  const src = await page.getAttribute('head script[src]', 'src');
  assert(src.startsWith('/assets/spot.js?v='), src);
  const response = await page.request.get(`${spot.base}${src}`);
  const size = (await response.body()).length;
  assert(size < 20 * 1024, `spot.js is ${size} bytes`);
  assert(/^application\/javascript/.test(response.headers()['content-type']), response.headers()['content-type']);
  assert(refused.length === 0, refused.join('\n'));
  await context.close();
});

test('a new thread being written survives a closed tab, stays through an error, and is cleared once posted', async () => {
  const { context, page } = await signedIn(member);
  const form = `${spot.base}/forum/practice-questions/new`;
  await page.goto(form);
  await page.fill('#title', 'Drafts in the browser');
  await page.locator('#body').pressSequentially('Typed on a phone, and the tab was closed.');
  await settle(page);
  await page.close();

  const again = await context.newPage();
  await again.goto(form);
  const offer = again.locator('.draft-offer');
  await offer.waitFor();
  assert((await offer.innerText()).includes('Restore your unsent text?'), await offer.innerText());
  assert((await again.inputValue('#body')) === '', 'nothing filled in until asked');
  const violations = await axeViolations(again);
  assert(violations.length === 0, `axe with the offer open:\n${violations.join('\n')}`);
  // By keyboard: Tab to Restore from the offer's start, Enter.
  await offer.getByRole('button', { name: 'Restore' }).focus();
  await again.keyboard.press('Enter');
  assert(await offer.count() === 0, 'the offer goes once answered');
  assert((await again.inputValue('#title')) === 'Drafts in the browser');
  assert((await again.inputValue('#body')) === 'Typed on a phone, and the tab was closed.');
  assert(await again.evaluate(() => document.activeElement.id) === 'body', 'focus goes to the text');

  // The server refuses it (no title) and shows it again: the draft is kept.
  await again.fill('#title', '');
  await settle(again);
  await again.click('button[value=post]');
  await again.locator('.error-summary').waitFor();
  assert((await draftKeys(again)).length === 1, 'kept while not yet posted');

  await again.fill('#title', 'Drafts in the browser');
  await Promise.all([again.waitForURL(/\/threads\/\d+$/), again.click('button[value=post]')]);
  threadPath = new URL(again.url()).pathname;
  assert((await again.locator('.post').first().innerText()).includes('the tab was closed'), 'posted');
  assert((await draftKeys(again)).length === 0, `cleared once posted: ${await draftKeys(again)}`);
  await again.goto(form);
  assert(await again.locator('.draft-offer').count() === 0, 'nothing offered once posted');
  await context.close();
});

test('a reply survives a reload, is restored, and is cleared after sending; Discard forgets it', async () => {
  const { context, page } = await signedIn(member);
  await page.goto(`${spot.base}${threadPath}`);
  await page.locator('#body').pressSequentially('A reply that must not be lost.');
  await settle(page);
  await page.reload();
  await page.getByRole('button', { name: 'Restore' }).click();
  assert((await page.inputValue('#body')) === 'A reply that must not be lost.');
  await Promise.all([page.waitForURL(/\/threads\/\d+\?page=1#post-\d+$/), page.click('button[value=post]')]);
  assert((await page.locator('.posts').innerText()).includes('A reply that must not be lost.'));
  await page.reload();
  assert(await page.locator('.draft-offer').count() === 0, 'sent, so not offered again');
  assert((await draftKeys(page)).length === 0);

  await page.locator('#body').pressSequentially('Second thoughts.');
  await settle(page);
  await page.reload();
  await page.getByRole('button', { name: 'Discard' }).click();
  assert((await page.inputValue('#body')) === '');
  assert((await draftKeys(page)).length === 0, 'discarded');
  await page.reload();
  assert(await page.locator('.draft-offer').count() === 0);
  await context.close();
});

test('@ and two letters offers at most eight matching members; choosing one inserts the mention', async () => {
  const { context, page } = await signedIn(member);
  await page.goto(`${spot.base}${threadPath}`);
  await page.locator('#body').pressSequentially('Thanks @fl');
  const list = page.getByRole('listbox', { name: 'Members to mention' });
  await list.waitFor();
  const options = await list.getByRole('option').allInnerTexts();
  assert(options.length >= 1 && options.length <= 8, options.join(' | '));
  for (const option of options) {
    assert(/(^|\s)fl/i.test(option.split('\n')[0]), `${option} matches "fl"`);
  }
  assert(options[0].startsWith('Harpreet Fletcher'), options.join(' | '));
  const violations = await axeViolations(page);
  assert(violations.length === 0, `axe with the names open:\n${violations.join('\n')}`);
  await page.keyboard.press('ArrowDown');
  assert(await page.getAttribute('#body', 'aria-activedescendant'), 'the chosen name is announced');
  await page.keyboard.press('Enter');
  assert((await page.inputValue('#body')) === 'Thanks @Harpreet Fletcher ', await page.inputValue('#body'));
  assert(await list.isHidden(), 'the list closes');
  await page.locator('#body').pressSequentially('for this.');
  await Promise.all([page.waitForURL(/#post-\d+$/), page.click('button[value=post]')]);
  const id = new URL(page.url()).hash.slice(1);
  const mention = page.locator(`#${id} a`, { hasText: '@Harpreet Fletcher' });
  assert(await mention.count() === 1, 'the saved post links the member');
  await context.close();
});

test('preview shows the rendered Markdown in place, without the script and without leaving the page', async () => {
  const { context, page } = await signedIn(member);
  await page.goto(`${spot.base}${threadPath}`);
  let navigations = 0;
  page.on('framenavigated', (frame) => { if (frame === page.mainFrame()) navigations++; });
  await page.fill('#body', '**Bold** and a list:\n\n- one\n\n<script>window.previewRan = true</script><img src=x onerror="window.previewRan = true">');
  await page.click('button[value=preview]');
  const preview = page.locator('section.preview .prose');
  await preview.waitFor();
  assert(await preview.locator('strong', { hasText: 'Bold' }).count() === 1, await preview.innerHTML());
  assert(await preview.locator('li', { hasText: 'one' }).count() === 1);
  assert(await preview.locator('script').count() === 0, await preview.innerHTML());
  assert(!(await preview.innerHTML()).includes('onerror'), await preview.innerHTML());
  assert(await page.evaluate(() => window.previewRan === undefined), 'nothing ran');
  assert(navigations === 0, `no page load (${navigations})`);
  assert((await page.inputValue('#body')).startsWith('**Bold**'), 'the text stays in the box');
  assert(await page.evaluate(() => document.activeElement.matches('section.preview')), 'focus moves to the preview');
  await context.close();
});

test('a reply from someone else shows a polite notice on the open thread, which links to it', async () => {
  const reader = await signedIn(member);
  await reader.page.clock.install();
  await reader.page.goto(`${spot.base}${threadPath}`);
  const notice = reader.page.locator('.new-replies');
  assert(await notice.getAttribute('aria-live') === 'polite');
  assert(await notice.isHidden(), 'nothing to say yet');

  const writer = await signedIn(facilitator);
  await writer.page.goto(`${spot.base}${threadPath}`);
  await writer.page.fill('#body', 'A reply from another browser.');
  await Promise.all([writer.page.waitForURL(/#post-\d+$/), writer.page.click('button[value=post]')]);
  const posted = new URL(writer.page.url()).hash;

  await reader.page.clock.fastForward(46000);
  await notice.locator('a').waitFor();
  assert((await notice.innerText()).startsWith('1 new reply since you opened this page'), await notice.innerText());
  const violations = await axeViolations(reader.page);
  assert(violations.length === 0, `axe with the notice open:\n${violations.join('\n')}`);
  await Promise.all([reader.page.waitForURL(/#post-\d+$/), notice.locator('a').click()]);
  assert(new URL(reader.page.url()).hash === posted, `${reader.page.url()} ends ${posted}`);
  assert((await reader.page.locator(posted).innerText()).includes('A reply from another browser.'));
  await reader.context.close();
  await writer.context.close();
});

test('with JavaScript off every enhanced form still submits and lands its text', async () => {
  const { context, page } = await signedIn(member, { javaScript: false });
  // New thread.
  await page.goto(`${spot.base}/forum/practice-questions/new`);
  await page.fill('#title', 'Written without JavaScript');
  await page.fill('#body', 'A thread from a locked-down browser.');
  await Promise.all([page.waitForURL(/\/threads\/\d+$/), page.click('button[value=post]')]);
  assert((await page.locator('h1').innerText()) === 'Written without JavaScript');
  // Preview falls back to the server's page.
  await page.fill('#body', 'A **previewed** reply');
  await page.click('button[value=preview]');
  await page.locator('section.preview strong', { hasText: 'previewed' }).waitFor();
  // Reply (kept through the preview by the server).
  assert((await page.inputValue('#body')) === 'A **previewed** reply');
  await Promise.all([page.waitForURL(/#post-\d+$/), page.click('button[value=post]')]);
  assert((await page.locator('.posts').innerText()).includes('previewed reply'));
  assert(await page.locator('.new-replies').isHidden(), 'the empty notice takes no room');
  // A private message, then a reply in the conversation.
  await page.goto(`${spot.base}/members`);
  const priya = await page.locator('a', { hasText: 'Priya Shah' }).first().getAttribute('href');
  await page.goto(`${spot.base}/messages/new?to=${priya.split('/').pop()}`);
  await page.fill('#body', 'A message without JavaScript.');
  await Promise.all([page.waitForURL(/\/messages\/\d+/), page.click('form[action="/messages/new"] button[type=submit]')]);
  assert((await page.locator('.message-list').innerText()).includes('A message without JavaScript.'));
  await page.fill('#body', 'And a reply to it.');
  await page.click('form[action$="/reply"] button[type=submit]');
  await page.locator('.message-list', { hasText: 'And a reply to it.' }).waitFor();
  // The search box in the header.
  await page.fill('#site-search', 'Written without JavaScript');
  await Promise.all([page.waitForURL(/\/search\?q=/), page.press('#site-search', 'Enter')]);
  assert((await page.locator('main').innerText()).includes('Written without JavaScript'), 'found');
  await context.close();
});
