// The console's shell in a real browser (Debian's Chromium through playwright-core) against the
// real binary and SQLite: the first login with the generated password and the forced change,
// the account page, signing out, switching to Chinese and to dark mode (and both surviving a
// reload), the phone menu, an unknown console path. Every flow ends with zero console errors or
// warnings, zero CSP violations and no request to another origin. Screenshots of the login and
// account pages in both languages and both themes go to SCREENSHOT_DIR.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { randomToken, request, spawnPoise, startStack, waitFor } from './lib/harness.mjs';
import {
  PHONE, assertClean, consoleBase, launchBrowser, openConsole, screenshot, signIn, waitForShell,
} from './lib/console.mjs';

const CHOSEN = 'Quiet-Harbor-Lantern-42';
let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

describe('first login', () => {
  it('signs in with the generated password, must change it, then reaches the dashboard', async () => {
    const run = await spawnPoise({ env: { POISE_ADMIN_PASSWORD: '', POISE_API_TOKEN: randomToken('gwt') } });
    let base;
    try {
      const m = await run.waitForLog(/\blisten="?127\.0\.0\.1:([1-9]\d*)/);
      await run.waitForLog(/First admin created/);
      const poise = { url: `http://127.0.0.1:${m[1]}` };
      await waitFor(async () => (await request(`${poise.url}/ready`)).status === 200, { what: 'GET /ready → 200' });
      const initial = readFileSync(join(run.dataDir, 'initial-admin-password'), 'utf8').trim();
      base = await consoleBase(poise);

      const { context, page, problems } = await openConsole(browser, base.url);
      // Not signed in: any console path lands on the login page.
      await page.goto('/keys');
      await page.waitForURL('**/login');
      await screenshot(page, 'login-en-light');
      await signIn(page, 'admin', initial);
      // The forced change: only the new password is asked for (the current one was just typed).
      await page.locator('[data-testid=change-password-form]').waitFor();
      assert.equal(await page.locator('#current_password').count(), 0);
      await screenshot(page, 'login-forced-change');
      await page.locator('#new_password').fill(CHOSEN);
      await page.locator('#confirm').fill(CHOSEN);
      await page.locator('[data-testid=change-password-form] button[type=submit]').click();
      await waitForShell(page);
      // Back where the visitor was going.
      await page.waitForURL('**/keys');
      assert.ok(!existsInitialPassword(run.dataDir), 'the initial password file is removed after the change');

      // The new password works through the API, the generated one does not.
      const ok = await request(`${poise.url}/api/v1/login`, { method: 'POST', body: { username: 'admin', password: CHOSEN } });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.body.must_change_password, false);
      const old = await request(`${poise.url}/api/v1/login`, { method: 'POST', body: { username: 'admin', password: initial } });
      assert.equal(old.status, 401);
      assertClean(problems, 'first login');
      await context.close();
    } finally {
      await base?.stop();
      await run.stop();
    }
  });
});

function existsInitialPassword(dir) {
  try {
    readFileSync(join(dir, 'initial-admin-password'));
    return true;
  } catch {
    return false;
  }
}

describe('the shell', () => {
  let stack;
  let base;
  before(async () => {
    stack = await startStack();
    base = await consoleBase(stack.poise);
  });
  after(async () => {
    await base?.stop();
    await stack?.stop();
  });

  it('switches to Chinese and to dark mode, and keeps both across a reload', async () => {
    const { context, page, problems } = await openConsole(browser, base.url);
    await signIn(page, 'admin', stack.poise.adminPassword);
    await waitForShell(page);
    const menu = page.locator('.ant-menu');
    await menu.getByText('Keys', { exact: true }).waitFor();

    await page.locator('[data-testid=language-switch]').getByText('中文').click();
    await menu.getByText('密钥', { exact: true }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');

    await page.locator('[data-testid=theme-switch]').click();
    await page.getByRole('menuitem', { name: '深色' }).click();
    await waitFor(async () => page.evaluate(() => document.documentElement.classList.contains('dark')), { what: 'dark class' });
    // The page really is dark, not just flagged: the layout's background is a dark color.
    const bg = await page.evaluate(() => getComputedStyle(document.querySelector('.ant-layout')).backgroundColor);
    const [r, g, b] = bg.match(/\d+/g).map(Number);
    assert.ok(r + g + b < 120, `dark background expected, got ${bg}`);

    await page.reload();
    await waitForShell(page);
    await menu.getByText('密钥', { exact: true }).waitFor();
    assert.ok(await page.evaluate(() => document.documentElement.classList.contains('dark')));

    await page.goto('/account');
    await page.locator('[data-testid=change-password-form]').waitFor();
    await screenshot(page, 'account-zh-dark');
    await page.locator('[data-testid=language-switch]').getByText('EN').click();
    await screenshot(page, 'account-en-dark');
    await page.locator('[data-testid=theme-switch]').click();
    await page.getByRole('menuitem', { name: 'Light' }).click();
    await screenshot(page, 'account-en-light');
    await page.locator('[data-testid=language-switch]').getByText('中文').click();
    await screenshot(page, 'account-zh-light');
    assertClean(problems, 'language and theme');
    await context.close();
  });

  it('follows the system theme until the user chooses', async () => {
    const { context, page, problems } = await openConsole(browser, base.url, { colorScheme: 'dark' });
    await page.goto('/login');
    await page.locator('[data-testid=login-form]').waitFor();
    assert.ok(await page.evaluate(() => document.documentElement.classList.contains('dark')));
    await screenshot(page, 'login-en-dark');
    await page.locator('[data-testid=language-switch]').getByText('中文').click();
    await screenshot(page, 'login-zh-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await waitFor(async () => !(await page.evaluate(() => document.documentElement.classList.contains('dark'))), { what: 'light again' });
    await screenshot(page, 'login-zh-light');
    assertClean(problems, 'system theme');
    await context.close();
  });

  it('changes the password on the account page and signs out', async () => {
    const { context, page, problems } = await openConsole(browser, base.url);
    await signIn(page, 'admin', stack.poise.adminPassword);
    await waitForShell(page);
    await page.goto('/account');
    await page.locator('#current_password').fill(stack.poise.adminPassword);
    await page.locator('#new_password').fill(CHOSEN);
    await page.locator('#confirm').fill(CHOSEN);
    await page.locator('[data-testid=change-password-form] button[type=submit]').click();
    await page.locator('.ant-message-success').waitFor();
    const res = await request(`${stack.poise.url}/api/v1/login`, { method: 'POST', body: { username: 'admin', password: CHOSEN } });
    assert.equal(res.status, 200, res.text);
    stack.poise.adminPassword = CHOSEN;

    await page.locator('[data-testid=user-menu]').click();
    const signOut = page.getByRole('menuitem', { name: 'Sign out' });
    await signOut.waitFor();
    await signOut.click();
    await page.locator('[data-testid=login-form]').waitFor();
    assert.match(new URL(page.url()).pathname, /^\/login$/);
    // The console's pages ask for a login again, and the cookie it held no longer opens the API.
    await page.goto('/tokens');
    await page.waitForURL('**/login');
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name.endsWith('poise_session'));
    if (session) {
      const me = await request(`${stack.poise.url}/api/v1/users/me`, { headers: { cookie: `${session.name}=${session.value}` } });
      assert.equal(me.status, 401, 'the signed-out session is revoked on the server');
    }
    assertClean(problems, 'account');
    await context.close();
  });

  it('goes back to the login page when the session ends on the server', async () => {
    const { context, page, problems } = await openConsole(browser, base.url);
    await signIn(page, 'admin', stack.poise.adminPassword);
    await waitForShell(page);
    // The session is revoked behind the console's back (as an expiry or a sign-out elsewhere).
    const session = (await context.cookies()).find((c) => c.name.endsWith('poise_session'));
    assert.ok(session, 'the console holds a session cookie');
    const out = await request(`${stack.poise.url}/api/v1/logout`, {
      method: 'POST', headers: { cookie: `${session.name}=${session.value}`, 'x-poise-request': '1' },
    });
    assert.equal(out.status, 200, out.text);
    // The next call the console makes is refused: a click on Keys, unless the dashboard's own
    // refresh got there first (then the menu is already gone and the click has nothing to do).
    await page.locator('.ant-menu a[href="/keys"]').click({ timeout: 5000 }).catch(() => {});
    await page.locator('[data-testid=login-form]').waitFor();
    // The refused calls are the only complaints: the browser logs each 401 it was answered.
    const others = problems.filter((p) => !/status of 401/.test(p));
    assertClean(others, 'session ended');
    assert.ok(problems.length >= 1, 'the page did ask the API and was refused');
    await context.close();
  });

  it('opens the menu as a drawer on a phone, and shows a 404 page for an unknown console path', async () => {
    const { context, page, problems } = await openConsole(browser, base.url, { viewport: PHONE });
    await signIn(page, 'admin', stack.poise.adminPassword);
    await waitForShell(page);
    await page.locator('[data-testid=menu-button]').click();
    await page.locator('.ant-drawer .ant-menu').getByText('Logs', { exact: true }).click();
    await page.waitForURL('**/logs');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390));
    await page.goto('/no-such-page');
    await page.getByText('Page not found').waitFor();
    assertClean(problems, 'phone menu');
    await context.close();
  });
});
