// A viewer is unable to write, in a real browser against the real binary: an admin creates a
// viewer through the API, the viewer signs in, and no page of the console (/, /keys, /tokens,
// /logs, /settings, /alerts, /users, /audit) offers a write control. By convention every write
// control in the console carries a `data-write` attribute; the flow counts them: zero for the
// viewer on every page, more than zero for an admin on the pages that have some. The server
// refuses a viewer's writes anyway (route_auth_matrix); this is about the console not offering
// them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { randomToken, startStack } from './lib/harness.mjs';
import { assertClean, consoleBase, launchBrowser, openConsole, signIn, waitForShell } from './lib/console.mjs';

const VIEWER = 'viewer-flow';
const VIEWER_PASSWORD = 'Quiet-Harbor-Lantern-42';
const PAGES = ['/', '/keys', '/tokens', '/logs', '/settings', '/alerts', '/users', '/audit'];
// The pages of this flow's author that must show write controls to an admin (the audit log is
// read-only for everyone).
const ADMIN_WRITE_PAGES = ['/keys', '/tokens', '/settings', '/alerts', '/users'];

let browser;
let stack;
let base;

before(async () => {
  browser = await launchBrowser();
  stack = await startStack({ keys: [randomToken('vw-a')], env: { POISE_ALERTS_ALLOW_PRIVATE: 'on' } });
  base = await consoleBase(stack.poise);
  const { poise } = stack;
  // Something on every page, so that row controls would show if they were offered.
  const ok = (res, what) => assert.ok(res.status >= 200 && res.status < 300, `${what}: ${res.status} ${res.text}`);
  ok(await poise.admin('POST', '/api/v1/users', { username: VIEWER, role: 'viewer', password: VIEWER_PASSWORD }), 'create viewer');
  ok(await poise.admin('POST', '/api/v1/tokens', { name: 'viewer-visible', rpm_limit: 10 }), 'create token');
  ok(await poise.admin('POST', '/api/v1/alerts', {
    name: 'viewer-visible', url: `${stack.fake.url}/hook`, events: ['key.error'],
  }), 'create webhook');
});

after(async () => {
  await browser?.close();
  await base?.stop();
  await stack?.stop();
});

/** Opens a console path and waits until its page (title, and any table) has rendered. */
async function visit(page, path) {
  await page.goto(path);
  await waitForShell(page);
  await page.locator('h3').first().waitFor();
  const table = page.locator('.ant-table');
  if (await table.count()) await table.first().waitFor();
  // Lazy rows and their controls: wait until no table is loading any more.
  await page.waitForFunction(() => document.querySelectorAll('.ant-spin-spinning, .ant-skeleton').length === 0, null, { timeout: 30000 });
}

describe('viewer', () => {
  it('an admin sees write controls on Keys, Tokens, Settings, Alerts and Users', async () => {
    const { context, page, problems } = await openConsole(browser, base.url);
    await signIn(page, 'admin', stack.poise.adminPassword);
    await waitForShell(page);
    for (const path of ADMIN_WRITE_PAGES) {
      await visit(page, path);
      assert.ok(await page.locator('[data-write]').count() > 0, `an admin sees write controls on ${path}`);
    }
    assertClean(problems, 'admin pages');
    await context.close();
  });

  it('a viewer sees no write control on any page', async () => {
    const { context, page, problems } = await openConsole(browser, base.url);
    await signIn(page, VIEWER, VIEWER_PASSWORD);
    await waitForShell(page);
    assert.match(await page.locator('[data-testid=user-menu]').innerText(), /Viewer/);
    for (const path of PAGES) {
      await visit(page, path);
      const writes = page.locator('[data-write]');
      const n = await writes.count();
      const what = n ? await writes.evaluateAll((els) => els.map((e) => e.outerHTML.slice(0, 120))) : [];
      assert.equal(n, 0, `a viewer is offered ${n} write control(s) on ${path}: ${what.join(' | ')}`);
      // Independently of the convention: no row selection for bulk writes and no button that
      // names a write.
      assert.equal(await page.locator('.ant-table-selection-column').count(), 0, `row selection on ${path}`);
      const verbs = await page.locator('button:visible').evaluateAll((els) => els.map((e) => e.innerText.trim())
        .filter((text) => /^(Add|Create|Delete|Save|Enable|Disable|Rotate|Send test|Check|Import|Reveal|Reset|New)\b/.test(text)));
      assert.deepEqual(verbs, [], `write buttons offered to a viewer on ${path}`);
    }
    // The rows are there, read-only.
    await visit(page, '/tokens');
    await page.locator('[data-testid=tokens-table] tbody tr', { hasText: 'viewer-visible' }).waitFor();
    await visit(page, '/alerts');
    await page.locator('[data-testid=alerts-table] tbody tr', { hasText: 'viewer-visible' }).waitFor();
    await visit(page, '/users');
    await page.locator('[data-testid=users-table] tbody tr', { hasText: VIEWER }).waitFor();
    assertClean(problems, 'viewer pages');
    await context.close();
  });
});
