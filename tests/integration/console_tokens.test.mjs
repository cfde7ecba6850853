// The console's Tokens page in a real browser (Debian's Chromium through playwright-core)
// against the real binary, SQLite and the fake upstream: create a token with limits in the UI,
// read its shown-once value, use it through the real `openai` SDK, see that request counted on the
// page (and in the request log and usage), edit its limits, disable it (the SDK is refused with
// 401), rotate it (the old value stops, the new one works), delete it. Screenshots of the page in
// both languages and both themes and at 390×844. Zero console errors, CSP violations or foreign
// requests.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

import { randomToken, startStack, waitFor } from './lib/harness.mjs';
import {
  PHONE, UI_TIMEOUT_MS, assertClean, waitGone, consoleBase, launchBrowser, openConsole, screenshot, signIn, waitForShell,
} from './lib/console.mjs';

const NAME = 'console-flow-app';
const VALUE = /^gp_[A-Za-z0-9_-]{43}$/;
let browser;
let stack;
let base;

before(async () => {
  browser = await launchBrowser();
  stack = await startStack({ keys: [randomToken('ct-a'), randomToken('ct-b')] });
  base = await consoleBase(stack.poise);
});

after(async () => {
  await browser?.close();
  await base?.stop();
  await stack?.stop();
});

const sdk = (apiKey) => new OpenAI({ baseURL: `${stack.poise.url}/v1`, apiKey, maxRetries: 0 });
const chat = (apiKey) =>
  sdk(apiKey).chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'hello from the console flow' }] });

async function refusedWith(apiKey) {
  try {
    await chat(apiKey);
  } catch (err) {
    return err.status;
  }
  return 200;
}

const row = (page, name) => page.locator('[data-testid=tokens-table] tbody tr', { hasText: name });

/** Reads the shown-once value from its modal, checks the warning, closes it; returns the value. */
async function takeSecret(page) {
  const modal = page.locator('[data-testid=token-secret]');
  await modal.waitFor();
  assert.match(await modal.innerText(), /will not be shown again/);
  const value = await page.locator('[data-testid=token-secret-value]').inputValue();
  assert.match(value, VALUE);
  await page.getByRole('button', { name: 'I have copied it' }).click();
  // Closed and forgotten: the value is no longer anywhere in the page.
  await page.locator('[data-testid=token-secret]').waitFor({ state: 'detached' });
  assert.ok(!(await page.content()).includes(value), 'the token value is gone from the page after closing');
  return value;
}

describe('tokens page', () => {
  it('creates a token, uses it through the openai SDK, edits, disables, rotates and deletes it', async () => {
    const { poise } = stack;
    const { context, page, problems } = await openConsole(browser, base.url);
    await signIn(page, 'admin', poise.adminPassword);
    await waitForShell(page);
    await page.goto('/tokens');
    await page.locator('[data-testid=tokens-table]').waitFor();
    // Empty state with its hint.
    await page.getByText('No client tokens yet').waitFor();
    assert.ok(await page.locator('[data-write]').count() > 0, 'an admin sees write controls');

    // Create, with limits; an invalid address is refused by the form before anything is sent.
    await page.locator('[data-testid=token-create]').click();
    await page.locator('[data-testid=token-name]').fill(NAME);
    await page.locator('#rpm_limit').fill('60');
    await page.locator('#daily_request_quota').fill('5000');
    await page.locator('#allowed_models').fill('gemini-2.5-*');
    await page.locator('#allowed_models').press('Enter');
    await page.locator('#allowed_cidrs').fill('not-an-address');
    await page.locator('#allowed_cidrs').press('Enter');
    await page.locator('[data-testid=token-form-submit]').click();
    await page.getByText('"not-an-address" is not an IP address or CIDR block.').waitFor();
    // Remove the bad address (its tag's close icon) and add loopback instead.
    await page.locator('[data-testid=token-form] .ant-select-selection-item-remove').last().click();
    await page.locator('#allowed_cidrs').fill('127.0.0.1');
    await page.locator('#allowed_cidrs').press('Enter');
    await page.locator('[data-testid=token-form-submit]').click();
    const value = await takeSecret(page);

    const r = row(page, NAME);
    await r.waitFor();
    const rowText = await r.innerText();
    assert.match(rowText, /60\/min/);
    assert.match(rowText, /Models: gemini-2\.5-\*/);
    assert.match(rowText, new RegExp(value.slice(0, 10).replace(/[-_]/g, '.')));
    assert.ok(!rowText.includes(value), 'the table shows the prefix only');

    // The value works through the real OpenAI SDK against the fake upstream.
    const res = await chat(value);
    assert.equal(res.object, 'chat.completion');
    assert.ok(res.choices[0].message.content.length > 0);

    // That request, counted on this page once its usage is written (about a second).
    const { body: list } = await poise.admin('GET', `/api/v1/tokens?search=${NAME}`);
    const id = list.items[0].id;
    await waitFor(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      return /Today: 1 req/.test(await row(page, NAME).innerText());
    }, { timeoutMs: UI_TIMEOUT_MS, intervalMs: 500, what: 'the token row counting the request' });

    // The usage drawer: totals and the chart (once the usage aggregates have the request).
    await waitFor(async () => (await poise.admin('GET', `/api/v1/usage/tokens/${id}`)).body.totals?.requests === 1,
      { timeoutMs: UI_TIMEOUT_MS, intervalMs: 250, what: 'the usage aggregates' });
    await page.locator(`[data-testid=token-usage-${id}]`).click();
    const drawer = page.locator('[data-testid=token-usage]');
    await drawer.locator('canvas').waitFor();
    assert.match(await drawer.innerText(), /Requests\s*1/);
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });

    // The request log shows it under this token: wait until the background writer has stored
    // it, then open the Logs page filtered by the token and the request's detail drawer.
    await waitFor(async () => {
      const { body } = await poise.admin('GET', `/api/v1/logs?token_id=${id}`);
      return body.items?.some((e) => e.token_name === NAME && e.model === 'gemini-2.5-flash' && e.status === 200);
    }, { timeoutMs: UI_TIMEOUT_MS, intervalMs: 250, what: 'the request in /api/v1/logs' });
    await page.goto(`/logs?token_id=${id}`);
    await waitForShell(page);
    const logRow = page.locator('.ant-table-tbody tr.ant-table-row').filter({ hasText: 'gemini-2.5-flash' });
    await logRow.first().waitFor();
    assert.equal(await page.locator('.ant-table-tbody tr.ant-table-row').count(), 1, 'one request under this token');
    assert.match(await logRow.first().innerText(), /200/);
    await logRow.first().click();
    await page.locator('[data-testid=log-detail]').getByText(NAME).first().waitFor();

    // The Dashboard's top tokens name it.
    await page.goto('/');
    await waitForShell(page);
    await page.locator('[data-testid=top-token]').getByText(NAME).waitFor();
    const { body: top } = await poise.admin('GET', '/api/v1/usage/top?by=token');
    assert.ok(top.items.some((i) => i.token_id === id && i.requests === 1), `top tokens: ${JSON.stringify(top.items)}`);

    // Edit a limit.
    await page.goto('/tokens');
    await row(page, NAME).waitFor();
    await page.locator(`[data-testid=token-edit-${id}]`).click();
    await page.locator('#rpm_limit').fill('120');
    assert.equal(await page.locator('#rpm_limit').inputValue(), '120');
    await page.locator('[data-testid=token-form-submit]').click();
    await waitGone(page, page.locator('[data-testid=token-form]'), 'token-edit-form');
    await waitFor(async () => /120\/min/.test(await row(page, NAME).innerText()), { timeoutMs: UI_TIMEOUT_MS, what: 'the new limit' });

    // Screenshots with data, in both languages and both themes.
    for (const [lang, theme] of [['en', 'light'], ['en', 'dark'], ['zh', 'light'], ['zh', 'dark']]) {
      await page.evaluate(([l, t]) => {
        localStorage.setItem('poise.lang', l);
        localStorage.setItem('poise.theme', t);
      }, [lang, theme]);
      await page.reload();
      await row(page, NAME).waitFor();
      await screenshot(page, `tokens-${lang}-${theme}`);
    }
    await page.evaluate(() => {
      localStorage.setItem('poise.lang', 'en');
      localStorage.setItem('poise.theme', 'light');
    });
    await page.reload();
    await row(page, NAME).waitFor();

    // Disable: the SDK is refused.
    await page.locator(`[data-testid=token-toggle-${id}]`).click();
    await waitFor(async () => /Disabled/.test(await row(page, NAME).innerText()), { timeoutMs: UI_TIMEOUT_MS, what: 'disabled' });
    assert.ok([401, 403].includes(await refusedWith(value)), 'a disabled token is refused');

    // Enable again, then rotate: the old value stops, the new one works.
    await page.locator(`[data-testid=token-toggle-${id}]`).click();
    await waitFor(async () => /Active/.test(await row(page, NAME).innerText()), { timeoutMs: UI_TIMEOUT_MS, what: 'enabled' });
    await page.locator(`[data-testid=token-rotate-${id}]`).click();
    await page.locator('[data-testid=token-rotate-confirm]').click();
    const rotated = await takeSecret(page);
    assert.notEqual(rotated, value);
    assert.equal(await refusedWith(value), 401);
    assert.equal((await chat(rotated)).object, 'chat.completion');

    // Delete, confirmed.
    await page.locator(`[data-testid=token-delete-${id}]`).click();
    await page.locator('[data-testid=token-delete-confirm]').click();
    await row(page, NAME).waitFor({ state: 'detached' });
    assert.equal(await refusedWith(rotated), 401);

    assertClean(problems, 'tokens flow');
    await context.close();
  });

  it('fits a phone', async () => {
    const { poise } = stack;
    await poise.admin('POST', '/api/v1/tokens', { name: 'phone-app', rpm_limit: 30, allowed_models: ['gemini-2.5-*'] });
    const { context, page, problems } = await openConsole(browser, base.url, { viewport: PHONE });
    await signIn(page, 'admin', poise.adminPassword);
    await waitForShell(page);
    await page.goto('/tokens');
    await row(page, 'phone-app').waitFor();
    // Nothing wider than the screen: the table scrolls inside its card.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page overflows by ${overflow}px`);
    await screenshot(page, 'tokens-phone');
    // The create form uses the whole width.
    await page.locator('[data-testid=token-create]').click();
    await page.locator('[data-testid=token-form]').waitFor();
    // Once its opening animation is over, the modal takes the screen's width.
    await waitFor(async () => ((await page.locator('.ant-modal').boundingBox())?.width ?? 0) >= PHONE.width - 40,
      { timeoutMs: UI_TIMEOUT_MS, what: 'a full-width modal' });
    await screenshot(page, 'tokens-phone-create');
    assertClean(problems, 'tokens on a phone');
    await context.close();
  });
});
