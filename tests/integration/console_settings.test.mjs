// The console's Settings page in a real browser (Debian's Chromium through playwright-core)
// against the real binary, SQLite and the fake upstream: a model alias added in the UI and saved
// takes effect on the next proxied call through the openai SDK; leaving with an unsaved edit asks
// first; the gateway's 422 shows on the field; a viewer sees no save controls. Screenshots in
// both languages and themes, and on a phone.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

import { QUIET_VALIDATION, googleShapedKey, startStack, waitFor } from './lib/harness.mjs';
import {
  PHONE, UI_TIMEOUT_MS, assertClean, consoleBase, launchBrowser, openConsole, screenshot, signIn, waitForShell,
} from './lib/console.mjs';

const ALIAS = 'house-model';
const VIEWER_PASSWORD = 'Viewer-Reads-Only-2026';

let browser;
let stack;
let base;
let openai;

before(async () => {
  browser = await launchBrowser();
  stack = await startStack({ keys: [googleShapedKey()], config: QUIET_VALIDATION });
  base = await consoleBase(stack.poise);
  openai = new OpenAI({ baseURL: `${stack.poise.url}/v1`, apiKey: stack.poise.gatewayToken, maxRetries: 0 });
});

after(async () => {
  await base?.stop();
  await stack?.stop();
  await browser?.close();
});

async function openSettings(opts = {}, user = 'admin', password = stack.poise.adminPassword) {
  const session = await openConsole(browser, base.url, opts);
  await signIn(session.page, user, password);
  await waitForShell(session.page);
  // Through the menu, so that the history entry before Settings is one of the console's own (the
  // Back button test below needs an in-console navigation to block).
  const menuButton = session.page.locator('[data-testid=menu-button]');
  if (await menuButton.isVisible()) await menuButton.click();
  await session.page.locator('.ant-menu a[href="/settings"]').click();
  await session.page.locator('[data-testid=settings-tabs]').waitFor();
  return session;
}

describe('the Settings page', () => {
  it('saves a model alias that the next proxied call uses, and guards unsaved changes', async () => {
    // Before: the upstream does not know the name.
    await assert.rejects(
      openai.chat.completions.create({ model: ALIAS, messages: [{ role: 'user', content: 'before the alias' }] }),
      (err) => err.status === 404,
    );

    const { context, page, problems } = await openSettings();
    await screenshot(page, 'settings-en-light');
    // The console describes every key the gateway has: none lands in the catch-all "Other" tab.
    assert.equal(await page.locator('[data-testid=tab-other]').count(), 0, 'a config key the console does not describe');
    await page.locator('[data-testid=tab-translation]').click();
    const editor = page.locator('[data-testid=alias-editor]');
    await editor.waitFor();
    await editor.locator('[data-testid=alias-new-name]').fill(ALIAS);
    await editor.locator('[data-testid=alias-new-target]').fill('gemini-2.5-flash');
    await editor.locator('[data-testid=alias-add]').click();
    await editor.getByText(ALIAS, { exact: true }).waitFor();
    await page.locator('[data-testid=unsaved-count]').waitFor();

    // Leaving through the menu with the edit unsaved asks first; Stay keeps the page and the edit.
    await page.locator('.ant-menu a[href="/logs"]').click();
    const guard = page.locator('.ant-modal-confirm');
    await guard.locator('.ant-modal-confirm-title').getByText('Leave without saving?').waitFor();
    await guard.getByRole('button', { name: 'Stay' }).click();
    await guard.waitFor({ state: 'detached' });
    assert.match(new URL(page.url()).pathname, /^\/settings$/);
    await editor.getByText(ALIAS, { exact: true }).waitFor();
    // The browser's Back button is guarded the same way.
    await page.evaluate(() => window.history.back());
    await guard.locator('.ant-modal-confirm-title').getByText('Leave without saving?').waitFor();
    await guard.getByRole('button', { name: 'Stay' }).click();
    await guard.waitFor({ state: 'detached' });
    assert.match(new URL(page.url()).pathname, /^\/settings$/);
    await editor.getByText(ALIAS, { exact: true }).waitFor();

    // Save: only the changed key goes, and it is stored.
    const saves = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/config/bulk-save')) saves.push(JSON.parse(r.postData() || '{}'));
    });
    await page.locator('[data-testid=settings-save]').click();
    await page.locator('.ant-message').getByText(/Saved 1 setting/).waitFor();
    await page.locator('[data-testid=unsaved-count]').waitFor({ state: 'detached' });
    assert.deepEqual(saves.map((s) => s.items.map((i) => i.key)), [['model_aliases']]);
    const stored = await stack.poise.admin('GET', '/api/v1/config/model_aliases');
    assert.equal(stored.status, 200, stored.text);
    assert.deepEqual(JSON.parse(stored.body.value), { [ALIAS]: 'gemini-2.5-flash' });

    // The next proxied call uses the alias.
    const answer = await openai.chat.completions.create({ model: ALIAS, messages: [{ role: 'user', content: 'after the alias' }] });
    assert.match(answer.choices[0].message.content, /after the alias/);

    // With nothing unsaved, the menu leaves at once.
    await page.locator('.ant-menu a[href="/logs"]').click();
    await page.waitForURL('**/logs');
    assertClean(problems, 'settings alias flow');
    await context.close();
  });

  it("shows the gateway's refusal on the field and resets a value to its default", async () => {
    const { context, page, problems } = await openSettings();
    // A link-local upstream passes the form's check but not the gateway's: its 422 detail shows.
    const url = page.locator('#setting-target_api_url');
    const before = await url.inputValue();
    await url.fill('http://169.254.169.254');
    await page.locator('[data-testid=settings-save]').click();
    await page.locator('[data-testid=problem-target_api_url]').waitFor();
    assert.match(await page.locator('[data-testid=problem-target_api_url]').textContent(), /target_api_url/);
    await page.locator('[role=alert].ant-alert-error').waitFor();
    await page.locator('[data-testid=settings-discard]').click();
    assert.equal(await url.inputValue(), before);

    // The form refuses an empty model before sending anything.
    let sent = 0;
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/config/bulk-save')) sent += 1;
    });
    await page.locator('[data-testid=tab-translation]').click();
    await page.locator('#setting-anthropic_model_opus').fill('');
    await page.locator('[data-testid=settings-save]').click();
    await page.locator('[data-testid=problem-anthropic_model_opus]').getByText('Required').waitFor();
    assert.equal(sent, 0, 'nothing sent while a value is invalid');
    await page.locator('[data-testid=settings-discard]').click();

    // A saved value that differs from its default can be reset to it (DELETE /config/{key}).
    await page.locator('[data-testid=tab-proxy]').click();
    const retries = page.locator('#setting-proxy_retry_max_count');
    await retries.fill('7');
    await page.locator('[data-testid=settings-save]').click();
    await page.locator('.ant-message').getByText(/Saved 1 setting/).waitFor();
    await page.locator('[data-testid=reset-proxy_retry_max_count]').click();
    await waitFor(async () => (await retries.inputValue()) === '3', { timeoutMs: UI_TIMEOUT_MS, what: 'the default 3 back' });
    const gone = await stack.poise.admin('GET', '/api/v1/config/proxy_retry_max_count');
    assert.equal(gone.status, 404, 'reset deletes the stored value');
    // The browser logs the expected 422 of the refused save as a failed load: only that one is allowed.
    const unexpected = problems.filter((p) => !(p.includes('status of 422') && p.includes('/api/v1/config/bulk-save')));
    assert.equal(problems.length - unexpected.length, 1, problems.join('\n'));
    assertClean(unexpected, 'settings refusal flow');
    await context.close();
  });

  for (const [lang, theme] of [['en', 'dark'], ['zh', 'light'], ['zh', 'dark']]) {
    it(`looks right in ${lang}/${theme}`, async () => {
      const { context, page, problems } = await openSettings({ colorScheme: theme, storage: { 'poise.lang': lang, 'poise.theme': theme } });
      await screenshot(page, `settings-${lang}-${theme}`);
      assertClean(problems, `settings ${lang}/${theme}`);
      await context.close();
    });
  }

  it('on a phone nothing overflows sideways', async () => {
    const { context, page, problems } = await openSettings({ viewport: PHONE });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page overflows sideways by ${overflow}px`);
    await screenshot(page, 'settings-phone');
    assertClean(problems, 'settings phone');
    await context.close();
  });

  it('a viewer sees the values with no save controls', async () => {
    const created = await stack.poise.admin('POST', '/api/v1/users', { username: 'reader', password: VIEWER_PASSWORD, role: 'viewer' });
    assert.equal(created.status, 201, created.text);
    const { context, page, problems } = await openSettings({}, 'reader', VIEWER_PASSWORD);
    await page.locator('[data-testid=setting-target_api_url]').waitFor();
    assert.equal(await page.locator('[data-testid=settings-save]').count(), 0);
    assert.equal(await page.locator('[data-testid^=reset-]').count(), 0);
    await page.locator('[data-testid=tab-translation]').click();
    await page.locator('[data-testid=alias-editor]').waitFor();
    assert.equal(await page.locator('[data-testid=alias-add]').count(), 0);
    assertClean(problems, 'settings viewer');
    await context.close();
  });
});
