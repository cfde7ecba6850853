// The Keys page in a real browser (Debian's Chromium through playwright-core) against the real
// binary, SQLite and the fake upstream: adding keys three ways (one, pasted, an imported file) with
// their summaries; a bulk check whose progress is seen moving (the fake's `slow-` keys answer after
// 3 s and the check runs one key at a time), then the results dialog disabling the invalid key
// (the fake rejects keys starting with `invalid`), verified through the admin API; deep links;
// the drawer with an audited reveal; a viewer sees no write controls; the 390×844 layout.
// Screenshots keys-{en,zh}-{light,dark}, keys-phone and keys-drawer go to SCREENSHOT_DIR. Every
// flow ends with zero console errors or warnings, zero CSP violations and no foreign request.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { QUIET_VALIDATION, googleShapedKey, request, startStack, waitFor } from './lib/harness.mjs';
import {
  PHONE, UI_TIMEOUT_MS, assertClean, consoleBase, launchBrowser, openConsole, screenshot, signIn, waitForShell,
} from './lib/console.mjs';

const VALID = [googleShapedKey(), googleShapedKey()];
const INVALID = `invalid-${googleShapedKey()}`;
const SLOW = [`slow-${googleShapedKey()}`, `slow-${googleShapedKey()}`];
const VIEWER = { username: 'watcher', password: 'Silent-Meadow-Orchard-77' };

let browser;
let stack;
let base;

before(async () => {
  browser = await launchBrowser();
  stack = await startStack({
    keys: [...VALID, INVALID, ...SLOW],
    // No background checks (only the test's own touch the keys); one check at a time, so the
    // slow keys hold the progress between 0 and 100 for a few seconds.
    config: { ...QUIET_VALIDATION, key_validation_concurrent_count: '1', key_validation_method: 'models' },
  });
  base = await consoleBase(stack.poise);
  const res = await stack.poise.admin('POST', '/api/v1/users', { ...VIEWER, role: 'viewer' });
  assert.ok(res.status === 200 || res.status === 201, `create viewer: ${res.status} ${res.text}`);
  // A little traffic through the gateway, for the usage chart and "last used".
  for (let i = 0; i < 3; i++) {
    const r = await request(`${stack.poise.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': stack.poise.gatewayToken },
      body: { contents: [{ parts: [{ text: 'hello keys page' }] }] },
    });
    assert.equal(r.status, 200, r.text);
  }
});

after(async () => {
  await base?.stop();
  await stack?.stop();
  await browser?.close();
});

async function openKeys(opts = {}, user = { username: 'admin', password: stack.poise.adminPassword }) {
  const session = await openConsole(browser, base.url, opts);
  await signIn(session.page, user.username, user.password);
  await waitForShell(session.page);
  await session.page.goto('/keys');
  await session.page.locator('[data-testid=keys-table] .ant-table-row').first().waitFor();
  return session;
}

async function keyId(fullKey) {
  return (await stack.poise.keyRow(fullKey)).id;
}

describe('keys page', () => {
  it('adds keys one at a time, pasted and from a file, each with a summary', async () => {
    const { context, page, problems } = await openKeys();
    const before = (await stack.poise.keys()).total;

    // One key.
    const one = googleShapedKey();
    await page.locator('[data-testid=add-keys]').click();
    await page.locator('[data-testid=add-one-key]').fill(one);
    await page.locator('[data-testid=add-one-submit]').click();
    await page.locator('[data-testid=add-summary]', { hasText: '1 key added' }).waitFor();

    // The same key again: skipped, said so.
    await page.locator('[data-testid=add-one-key]').fill(one);
    await page.locator('[data-testid=add-one-submit]').click();
    await page.locator('[data-testid=add-summary]', { hasText: '0 keys added' }).waitFor();
    assert.match(await page.locator('[data-testid=add-summary]').innerText(), /1 skipped: already in the pool/);

    // Pasted: two new ones, one repeated in the paste, one already in the pool.
    const pasted = [googleShapedKey(), googleShapedKey()];
    await page.getByRole('tab', { name: 'Paste many' }).click();
    await page.locator('[data-testid=add-paste-text]').fill(`${pasted[0]}, ${pasted[1]}\n${pasted[0]}\n${VALID[0]}`);
    await page.locator('[data-testid=add-paste-count]', { hasText: '3 keys found · 1 repeat dropped' }).waitFor();
    await page.locator('[data-testid=add-paste-submit]').click();
    const pasteSummary = page.locator('[data-testid=add-summary]', { hasText: '2 keys added' });
    await pasteSummary.waitFor();
    assert.match(await pasteSummary.innerText(), /Submitted 4 · added 2 · skipped 2/);

    // A CSV file, read in the browser: a header row, three new keys, one already present.
    const filed = [googleShapedKey(), googleShapedKey(), googleShapedKey()];
    await page.getByRole('tab', { name: 'Import a file' }).click();
    const csv = `key,description\n${filed.map((k, i) => `${k},team ${i}`).join('\n')}\n${pasted[1]},again\n`;
    await page.locator('.ant-modal input[type=file]').setInputFiles({
      name: 'keys.csv', mimeType: 'text/csv', buffer: Buffer.from(csv),
    });
    await page.locator('[data-testid=add-file-count]', { hasText: 'keys.csv: 4 keys found' }).waitFor();
    await page.locator('[data-testid=add-file-submit]').click();
    const fileSummary = page.locator('[data-testid=add-summary]', { hasText: '3 keys added' });
    await fileSummary.waitFor();
    assert.match(await fileSummary.innerText(), /From keys\.csv/);
    assert.match(await fileSummary.innerText(), /1 skipped: already in the pool/);

    assert.equal((await stack.poise.keys()).total, before + 1 + 2 + 3);
    for (const k of [one, ...pasted, ...filed]) await keyId(k); // each is really in the pool
    await page.keyboard.press('Escape');
    assertClean(problems, 'add keys');
    await context.close();
  });

  it('runs a bulk check with live progress and disables the invalid key from the results', async () => {
    const { context, page, problems } = await openKeys();
    const invalidId = await keyId(INVALID);

    await page.locator('[data-testid=check-menu]').hover();
    await page.getByText('Check every key', { exact: true }).click();
    const progress = page.locator('[data-testid=check-progress]');
    await progress.waitFor();
    // The progress is seen moving: some value strictly between 0 and 100 while the task runs.
    const seen = new Set();
    await waitFor(async () => {
      const p = Number(await progress.getAttribute('data-percent'));
      seen.add(p);
      return p > 0 && p < 100;
    }, { timeoutMs: UI_TIMEOUT_MS, intervalMs: 50, what: 'the check progress between 0 and 100' });
    await page.locator('[data-testid=check-progress][data-status=completed]').waitFor();
    assert.equal(await progress.getAttribute('data-percent'), '100');
    const seenValues = [...seen].sort((a, b) => a - b);
    assert.ok(seenValues.some((p) => p > 0 && p < 100), `progress values seen: ${seenValues.join(', ')}`);

    // The results: one invalid key, listed first, with the actions on it.
    await page.locator('[data-testid=check-counts]', { hasText: 'Invalid: 1' }).waitFor();
    const firstRow = page.locator('[data-testid=check-results] .ant-table-row').first();
    assert.match(await firstRow.innerText(), new RegExp(`#${invalidId}[\\s\\S]*Invalid`));
    const disable = page.locator('[data-testid=check-action-disableInvalid]');
    assert.match(await disable.innerText(), /Disable the 1 invalid key/);
    await disable.click();
    await page.locator('.ant-message', { hasText: '1 key disabled' }).waitFor();

    // Verified through the admin API.
    await waitFor(async () => {
      const r = await stack.poise.admin('GET', `/api/v1/api_keys/${invalidId}`);
      return r.body?.status === 'disabled';
    }, { timeoutMs: UI_TIMEOUT_MS, what: 'the invalid key disabled' });
    await page.locator('.ant-modal-footer button').click();

    // A deep link to the disabled keys shows it, with the filter set.
    await page.goto('/keys?status=disabled');
    const rows = page.locator('[data-testid=keys-table] .ant-table-row');
    await rows.filter({ hasText: `#${invalidId}` }).waitFor();
    assert.equal(await rows.count(), 1);
    assert.match(await page.locator('[data-testid=filter-status]').innerText(), /Disabled/);

    // The drawer: opened by a click on the row, kept in the URL, with its status history.
    await rows.first().locator('td').nth(3).click();
    await page.waitForURL(`**/keys?status=disabled&key=${invalidId}`);
    const drawer = page.locator('[data-testid=key-drawer-body]');
    await drawer.waitFor();
    await drawer.locator('[data-testid=history]', { hasText: 'API_KEY_INVALID' }).waitFor();
    await drawer.locator('[data-testid=bucket]').waitFor();
    // Reveal: admin only, audited.
    await drawer.locator('[data-testid=reveal]').click();
    await page.locator('.ant-popconfirm .ant-btn-primary').click();
    await drawer.locator('[data-testid=revealed-value]').waitFor();
    assert.equal(await drawer.locator('[data-testid=revealed-value]').inputValue(), INVALID);
    const audit = await stack.poise.admin('GET', '/api/v1/audit?limit=20');
    assert.match(audit.text, /reveal/i);
    await screenshot(page, 'keys-drawer');

    // Closing the drawer takes ?key= out of the URL.
    await page.locator('.ant-drawer-close').click();
    await page.waitForURL((u) => !u.search.includes('key='));
    assertClean(problems, 'bulk check');
    await context.close();
  });

  it('a viewer sees the keys and no write control', async () => {
    const { context, page, problems } = await openKeys({}, VIEWER);
    assert.equal(await page.locator('[data-testid=add-keys]').count(), 0);
    assert.equal(await page.locator('[data-testid=check-menu]').count(), 0);
    assert.equal(await page.locator('[data-testid=keys-table] .ant-checkbox').count(), 0);
    await page.locator('[data-testid=keys-table] .ant-table-row td').nth(3).click();
    await page.locator('[data-testid=key-drawer-body]').waitFor();
    await page.locator('[data-testid=bucket]').waitFor();
    assert.equal(await page.locator('[data-testid=reveal]').count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Delete' }).count(), 0);
    assertClean(problems, 'viewer');
    await context.close();
  });

  for (const lang of ['en', 'zh']) {
    for (const theme of ['light', 'dark']) {
      it(`looks right in ${lang}, ${theme}`, async () => {
        const { context, page, problems } = await openKeys({ storage: { 'poise.lang': lang, 'poise.theme': theme } });
        await page.locator('[data-testid=cooldown-cell], [data-testid=keys-table] .ant-table-row').first().waitFor();
        const title = await page.locator('h3').first().innerText();
        assert.equal(title, lang === 'zh' ? '密钥' : 'Keys');
        await screenshot(page, `keys-${lang}-${theme}`);
        assertClean(problems, `keys ${lang} ${theme}`);
        await context.close();
      });
    }
  }

  it('fits a 390×844 phone: the table scrolls in its card, the drawer takes the width', async () => {
    const { context, page, problems } = await openKeys({ viewport: PHONE });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(overflow <= PHONE.width, `page scrollWidth ${overflow} > ${PHONE.width}`);
    // The table itself is wider than the phone and scrolls inside its card.
    const scroller = await page.locator('[data-testid=keys-table] .ant-table-content, [data-testid=keys-table] .ant-table-body').first()
      .evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    assert.ok(scroller.scroll > scroller.client, `table scrolls sideways: ${JSON.stringify(scroller)}`);
    await screenshot(page, 'keys-phone');
    await page.locator('[data-testid=keys-table] .ant-table-row td').nth(3).click();
    await page.locator('[data-testid=key-drawer-body]').waitFor();
    const width = await page.locator('.ant-drawer-content-wrapper, .ant-drawer-section').first().evaluate((el) => el.getBoundingClientRect().width);
    assert.ok(width >= PHONE.width - 1, `drawer width ${width}`);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= PHONE.width);
    assertClean(problems, 'phone');
    await context.close();
  });
});
