// The console's Logs page in a real browser (Debian's Chromium through playwright-core) against the
// real binary, SQLite and the fake upstream: traffic through the openai SDK and native calls,
// a 5xx among it; the status filter through the UI changes the URL; a deep link restores the
// filters; the detail drawer shows the attempts per key; Back closes it; the phone layout keeps
// the table inside its card. Screenshots in both languages and themes, the drawer and the phone.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

import { QUIET_VALIDATION, googleShapedKey, startStack, waitFor } from './lib/harness.mjs';
import { nativeCall } from './lib/gemini.mjs';
import {
  PHONE, UI_TIMEOUT_MS, assertClean, consoleBase, launchBrowser, openConsole, screenshot, signIn, waitForShell,
} from './lib/console.mjs';

const KEYS = [googleShapedKey(), googleShapedKey()];
const FAILING_MODEL = 'gemini-2.5-pro';

let browser;
let stack;
let base;

before(async () => {
  browser = await launchBrowser();
  stack = await startStack({
    keys: KEYS,
    config: { ...QUIET_VALIDATION, request_log_body_capture_kb: '2' },
    env: { POISE_REQUEST_LOG_INTERVAL_MS: '20' },
  });
  base = await consoleBase(stack.poise);
  // Every key answers 503 for one model: a request for it fails after trying both keys.
  for (const key of KEYS) await stack.fake.script(key, [{ status: 503, model: FAILING_MODEL, times: -1 }]);

  const { poise } = stack;
  const openai = new OpenAI({ baseURL: `${poise.url}/v1`, apiKey: poise.gatewayToken, maxRetries: 0 });
  const ok = await openai.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'hello from the openai sdk' }] });
  assert.ok(ok.choices[0].message.content);
  await assert.rejects(
    openai.chat.completions.create({ model: FAILING_MODEL, messages: [{ role: 'user', content: 'this one fails' }] }),
    (err) => err.status === 503,
  );
  const native = await nativeCall(poise.url, { token: poise.gatewayToken, text: 'a native call' });
  assert.equal(native.status, 200, native.text);
  const missing = await nativeCall(poise.url, { token: poise.gatewayToken, model: 'no-such-model' });
  assert.equal(missing.status, 404, missing.text);
  const nativeFail = await nativeCall(poise.url, { token: poise.gatewayToken, model: FAILING_MODEL });
  assert.equal(nativeFail.status, 503, nativeFail.text);

  // The writer has written all five rows.
  await waitFor(async () => {
    const res = await poise.admin('GET', '/api/v1/logs?limit=50');
    return res.status === 200 && res.body.items.length >= 5;
  }, { timeoutMs: 15000, what: 'five request log rows' });
});

after(async () => {
  await base?.stop();
  await stack?.stop();
  await browser?.close();
});

async function openLogs(opts = {}, path = '/logs') {
  const session = await openConsole(browser, base.url, opts);
  await signIn(session.page, 'admin', stack.poise.adminPassword);
  await waitForShell(session.page);
  await session.page.goto(path);
  await waitForShell(session.page);
  return session;
}

const rows = (page) => page.locator('[data-testid=logs-table] tbody tr[data-testid=log-row]');

async function statusTexts(page) {
  return rows(page).locator('[data-testid=status-tag]').allTextContents();
}

async function pickOption(page, selectTestId, label) {
  await page.locator(`[data-testid=${selectTestId}]`).click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: label }).first().click();
}

describe('the Logs page', () => {
  it('filters by status class through the UI (the URL follows), restores a deep link, and opens the drawer', async () => {
    const { context, page, problems } = await openLogs();
    await rows(page).first().waitFor();
    await waitFor(async () => (await rows(page).count()) >= 5, { timeoutMs: UI_TIMEOUT_MS, what: 'five rows' });
    const all = await statusTexts(page);
    assert.ok(all.includes('200') && all.includes('503') && all.includes('404'), `statuses: ${all}`);
    await screenshot(page, 'logs-en-light');

    // Status class 5xx through the filter bar: the URL says so and only 503s remain.
    await pickOption(page, 'filter-status', '5xx');
    await page.waitForURL(/[?&]status=5xx/);
    await waitFor(async () => {
      const s = await statusTexts(page);
      return s.length === 2 && s.every((x) => x === '503');
    }, { timeoutMs: UI_TIMEOUT_MS, what: 'only the two 503 rows' });

    // The detail drawer: ?id= in the URL, both keys tried, each linking to the key.
    await rows(page).first().click();
    await page.waitForURL(/[?&]id=\d+/);
    const drawer = page.locator('[data-testid=log-detail]');
    await drawer.waitFor();
    const attemptLinks = drawer.locator('[data-testid=log-attempts] [data-testid=attempt-key]');
    await waitFor(async () => (await attemptLinks.count()) === 2, { timeoutMs: UI_TIMEOUT_MS, what: 'two attempts' });
    const hrefs = await attemptLinks.evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.ok(hrefs.every((h) => /^\/keys\?key=\d+$/.test(h)), `attempt links: ${hrefs}`);
    await drawer.getByText('upstream_error').first().waitFor();
    // Body capture was on: the request's body is shown.
    await drawer.locator('[data-testid=log-body]').first().waitFor();
    await screenshot(page, 'logs-drawer');

    // Back closes the drawer and keeps the filter.
    await page.goBack();
    await waitFor(async () => !/[?&]id=/.test(page.url()), { timeoutMs: UI_TIMEOUT_MS, what: 'id gone from the URL' });
    assert.match(page.url(), /status=5xx/);
    await drawer.waitFor({ state: 'detached' });
    // Back again: no filter.
    await page.goBack();
    await waitFor(async () => !/status=/.test(page.url()), { timeoutMs: UI_TIMEOUT_MS, what: 'the filter undone by Back' });
    await waitFor(async () => (await rows(page).count()) >= 5, { timeoutMs: UI_TIMEOUT_MS, what: 'every row again' });

    // A deep link restores the filters in the bar and in the table.
    await page.goto('/logs?status=4xx&model=no-such-model');
    await waitForShell(page);
    await waitFor(async () => {
      const s = await statusTexts(page);
      return s.length === 1 && s[0] === '404';
    }, { timeoutMs: UI_TIMEOUT_MS, what: 'the one 404 row' });
    await page.locator('[data-testid=filter-status]').getByText('4xx').waitFor();
    assert.equal(await page.locator('[data-testid=filter-model] input').inputValue(), 'no-such-model');

    // A filter nothing matches: the empty state explains.
    await page.goto('/logs?model=never-used-model');
    await page.locator('[data-testid=logs-empty]').waitFor();
    assertClean(problems, 'logs flow');
    await context.close();
  });

  for (const [lang, theme] of [['en', 'dark'], ['zh', 'light'], ['zh', 'dark']]) {
    it(`looks right in ${lang}/${theme}`, async () => {
      const { context, page, problems } = await openLogs({ colorScheme: theme, storage: { 'poise.lang': lang, 'poise.theme': theme } });
      await rows(page).first().waitFor();
      await waitFor(async () => (await rows(page).count()) >= 5, { timeoutMs: UI_TIMEOUT_MS, what: 'five rows' });
      await screenshot(page, `logs-${lang}-${theme}`);
      assertClean(problems, `logs ${lang}/${theme}`);
      await context.close();
    });
  }

  it('on a phone: the table scrolls inside its card, the filters open in a drawer', async () => {
    const { context, page, problems } = await openLogs({ viewport: PHONE });
    await rows(page).first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page overflows sideways by ${overflow}px`);
    await screenshot(page, 'logs-phone');
    await page.locator('[data-testid=filters-button]').click();
    await page.locator('.ant-drawer [data-testid=log-filters]').waitFor();
    await pickOption(page, 'filter-status', '5xx');
    await page.waitForURL(/[?&]status=5xx/);
    assertClean(problems, 'logs phone');
    await context.close();
  });
});
