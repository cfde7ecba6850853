// The console's Users, Alerts and Audit log pages in a real browser against the real binary,
// SQLite and the fake upstream (which also receives the webhooks): add a user with a generated
// password shown once, change the role, reset the password, delete (never oneself); add a webhook
// with events, thresholds and a secret header, send a test and see it in the delivery log, edit it
// without the secret ever shown back, delete it; filter the audit log by action (kept in the URL).
// Screenshots of each page in both languages and both themes, and Alerts at 390×844. Zero console
// errors, CSP violations or foreign requests.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { randomToken, request, startStack, waitFor } from './lib/harness.mjs';
import {
  PHONE, UI_TIMEOUT_MS, assertClean, waitExplained, waitGone, consoleBase, launchBrowser, openConsole, screenshot, signIn, waitForShell,
} from './lib/console.mjs';

const SECRET_HEADER = 'Bearer receiver-secret-4711';
let browser;
let stack;
let base;

before(async () => {
  browser = await launchBrowser();
  stack = await startStack({ keys: [randomToken('ad-a'), randomToken('ad-b')], env: { POISE_ALERTS_ALLOW_PRIVATE: 'on' } });
  base = await consoleBase(stack.poise);
});

after(async () => {
  await browser?.close();
  await base?.stop();
  await stack?.stop();
});

async function adminPage() {
  const opened = await openConsole(browser, base.url);
  await signIn(opened.page, 'admin', stack.poise.adminPassword);
  await waitForShell(opened.page);
  return opened;
}

async function shootAll(page, area, ready) {
  for (const [lang, theme] of [['en', 'light'], ['en', 'dark'], ['zh', 'light'], ['zh', 'dark']]) {
    await page.evaluate(([l, t]) => {
      localStorage.setItem('poise.lang', l);
      localStorage.setItem('poise.theme', t);
    }, [lang, theme]);
    await page.reload();
    await ready();
    await screenshot(page, `${area}-${lang}-${theme}`);
  }
  await page.evaluate(() => {
    localStorage.setItem('poise.lang', 'en');
    localStorage.setItem('poise.theme', 'light');
  });
  await page.reload();
  await ready();
}

describe('users page', () => {
  it('adds a user with a generated password, changes the role, resets the password and deletes the user', async () => {
    const { poise } = stack;
    const { context, page, problems } = await adminPage();
    await page.goto('/users');
    const table = page.locator('[data-testid=users-table]');
    const row = (name) => table.locator('tbody tr', { hasText: name });
    await row('admin').waitFor();
    // One cannot disable or delete oneself.
    const { body: me } = await poise.admin('GET', '/api/v1/users/me');
    assert.ok(await page.locator(`[data-testid=user-delete-${me.id}]`).isDisabled());
    assert.ok(await page.locator(`[data-testid=user-toggle-${me.id}]`).isDisabled());

    await page.locator('[data-testid=user-create]').click();
    await page.locator('#username').fill('operator-two');
    await page.locator('[data-testid=user-create-submit]').click();
    await waitExplained(page, page.locator('[data-testid=user-secret]'), 'visible',
      'the new user\'s password did not show', page.locator('.ant-modal').first());
    const generated = await page.locator('[data-testid=user-secret-value]').inputValue();
    assert.ok(generated.length >= 12);
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.locator('[data-testid=user-secret]').waitFor({ state: 'detached' });
    await row('operator-two').waitFor();
    const login = await request(`${poise.url}/api/v1/login`, { method: 'POST', body: { username: 'operator-two', password: generated } });
    assert.equal(login.status, 200);
    assert.equal(login.body.must_change_password, true);
    assert.match(await row('operator-two').innerText(), /Must change password/);

    // Role: viewer -> admin.
    const { body: list } = await poise.admin('GET', '/api/v1/users');
    const id = list.items.find((u) => u.username === 'operator-two').id;
    await row('operator-two').locator('.ant-select').click();
    await page.locator('.ant-select-item-option', { hasText: 'Admin' }).click();
    await waitFor(async () => (await poise.admin('GET', `/api/v1/users/${id}`)).body.role === 'admin',
      { timeoutMs: UI_TIMEOUT_MS, what: 'role admin' });

    await shootAll(page, 'users', () => row('operator-two').waitFor());

    // Reset: a new temporary password, shown once.
    await page.locator(`[data-testid=user-reset-${id}]`).click();
    await page.locator('[data-testid=user-reset-confirm]').click();
    await page.locator('[data-testid=user-secret]').waitFor();
    const reset = await page.locator('[data-testid=user-secret-value]').inputValue();
    assert.notEqual(reset, generated);
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.locator('[data-testid=user-secret]').waitFor({ state: 'detached' });
    const again = await request(`${poise.url}/api/v1/login`, { method: 'POST', body: { username: 'operator-two', password: reset } });
    assert.equal(again.status, 200);

    // Delete, confirmed.
    await page.locator(`[data-testid=user-delete-${id}]`).click();
    await page.locator('[data-testid=user-delete-confirm]').click();
    await page.getByText('operator-two deleted').waitFor();
    await row('operator-two').waitFor({ state: 'detached' });
    assertClean(problems, 'users flow');
    await context.close();
  });
});

describe('alerts page', () => {
  it('adds a webhook with thresholds and a secret header, sends a test, edits and deletes it', async () => {
    const { poise, fake } = stack;
    const { context, page, problems } = await adminPage();
    await page.goto('/alerts');
    await page.getByText('No webhooks yet').waitFor();
    await page.locator('[data-testid=alert-create]').click();
    await page.locator('[data-testid=alert-name]').fill('ops-hook');
    await page.locator('[data-testid=alert-url]').fill(`${fake.url}/hook`);
    await page.locator('[data-testid="alert-event-pool.active_low"]').click();
    // A threshold event without its threshold is refused by the form.
    await page.locator('[data-testid=alert-form-submit]').click();
    await page.getByText('Set a number of keys, a percentage, or both.').waitFor();
    await page.locator('#activeKeysBelow').fill('2');
    await page.getByRole('button', { name: 'Add header' }).click();
    await page.getByRole('textbox', { name: 'Header name' }).fill('Authorization');
    await page.getByRole('textbox', { name: 'Value' }).fill(SECRET_HEADER);
    await page.locator('[data-testid=alert-form-submit]').click();
    await waitGone(page, page.locator('[data-testid=alert-form]'), 'alert-form');

    const { body: hooks } = await poise.admin('GET', '/api/v1/alerts');
    const hook = hooks.items.find((h) => h.name === 'ops-hook');
    assert.deepEqual(hook.events, ['key.error', 'key.exhausted', 'pool.active_low']);
    assert.equal(hook.active_keys_below, 2);
    assert.match(hook.headers.Authorization, /\*\*\*\*$/);
    const row = page.locator('[data-testid=alerts-table] tbody tr', { hasText: 'ops-hook' });
    await row.waitFor();
    assert.match(await row.innerText(), /Active keys low < 2 keys/);

    // Send test: the result is shown, and the delivery is in the log.
    await page.locator(`[data-testid=alert-test-${hook.id}]`).click();
    const result = page.locator('[data-testid=alert-test-result]');
    await result.waitFor();
    assert.match(await result.innerText(), /Attempts: 1/);
    await page.getByRole('button', { name: 'Close' }).click();
    await page.locator('[data-testid=deliveries-table] tbody tr', { hasText: 'Test' }).waitFor();

    // Edit: the secret header value is never shown back; a rename keeps it.
    await page.locator(`[data-testid=alert-edit-${hook.id}]`).click();
    await page.locator('[data-testid=alert-form]').waitFor();
    assert.ok(!(await page.content()).includes('receiver-secret-4711'), 'the secret header value is not in the page');
    await page.getByPlaceholder(/Hidden \(Bearer/).waitFor();
    await page.locator('[data-testid=alert-name]').fill('ops-hook-renamed');
    await page.locator('[data-testid=alert-form-submit]').click();
    await waitGone(page, page.locator('[data-testid=alert-form]'), 'alert-form');
    const renamed = page.locator('[data-testid=alerts-table] tbody tr', { hasText: 'ops-hook-renamed' });
    await renamed.waitFor();
    const { body: after1 } = await poise.admin('GET', `/api/v1/alerts/${hook.id}`);
    assert.equal(after1.headers.Authorization, hook.headers.Authorization, 'the header is kept');

    await shootAll(page, 'alerts', () => renamed.waitFor());

    // On a phone: tables scroll inside their cards.
    const phone = await openConsole(browser, base.url, { viewport: PHONE });
    await signIn(phone.page, 'admin', poise.adminPassword);
    await waitForShell(phone.page);
    await phone.page.goto('/alerts');
    await phone.page.locator('[data-testid=alerts-table] tbody tr', { hasText: 'ops-hook-renamed' }).waitFor();
    const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page overflows by ${overflow}px`);
    await screenshot(phone.page, 'alerts-phone');
    assertClean(phone.problems, 'alerts on a phone');
    await phone.context.close();

    // Delete, confirmed.
    await page.locator(`[data-testid=alert-delete-${hook.id}]`).click();
    await page.locator('[data-testid=alert-delete-confirm]').click();
    await renamed.waitFor({ state: 'detached' });
    assertClean(problems, 'alerts flow');
    await context.close();
  });
});

describe('audit log page', () => {
  it('lists the changes and filters them by action, in the URL', async () => {
    const { poise } = stack;
    await poise.admin('POST', '/api/v1/tokens', { name: 'audited-token' });
    const { context, page, problems } = await adminPage();
    await page.goto('/audit');
    const table = page.locator('[data-testid=audit-table]');
    await table.locator('tbody tr', { hasText: 'token.create' }).waitFor();
    await page.getByRole('textbox', { name: /^Action/ }).fill('token.create');
    await page.getByRole('textbox', { name: /^Action/ }).press('Enter');
    await page.waitForURL(/action=token\.create/);
    await waitFor(async () => {
      const rows = await table.locator('tbody tr.ant-table-row').allInnerTexts();
      return rows.length >= 1 && rows.every((r) => r.includes('token.create'));
    }, { timeoutMs: UI_TIMEOUT_MS, what: 'only token.create rows' });
    assert.match(await table.innerText(), /audited-token/);
    // A deep link keeps the filter.
    await page.reload();
    assert.equal(await page.getByRole('textbox', { name: /^Action/ }).inputValue(), 'token.create');
    await page.goto('/audit');
    await shootAll(page, 'audit', () => table.locator('tbody tr', { hasText: 'token.create' }).first().waitFor());
    assertClean(problems, 'audit flow');
    await context.close();
  });
});
