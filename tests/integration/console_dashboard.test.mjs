// The dashboard in a real browser (Debian's Chromium through playwright-core) against the real
// binary, SQLite and the fake upstream: traffic sent through the gateway (native generateContent
// with the gateway token and with a client token, one request every key answers with a 500) shows
// up as request counts, charts, the top models, tokens and keys; a status card leads to Keys; the
// page refreshes itself; a fresh install shows what to do first. Screenshots of the dashboard in
// both languages and both themes, and on a phone. Every flow ends with zero console errors or
// warnings, zero CSP violations and no request to another origin.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { googleShapedKey, request, startStack, waitFor } from './lib/harness.mjs';
import {
  PHONE, UI_TIMEOUT_MS, assertClean, consoleBase, launchBrowser, openConsole, screenshot, signIn, waitForShell,
} from './lib/console.mjs';

const MODEL = 'gemini-2.5-flash';
// The request log's writer adds to the usage aggregates in batches: poll the API, never sleep.
const AGGREGATE_TIMEOUT_MS = 30000;
// The dashboard refreshes itself every 15 s while visible.
const REFRESH_TIMEOUT_MS = 60000;

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

async function generate(poise, token, text) {
  return request(`${poise.url}/v1beta/models/${MODEL}:generateContent`, {
    method: 'POST',
    headers: { 'x-goog-api-key': token },
    body: { contents: [{ parts: [{ text }] }] },
  });
}

async function adminOk(poise, method, path, body) {
  const res = await poise.admin(method, path, body);
  assert.ok(res.status >= 200 && res.status < 300, `${method} ${path} → ${res.status}: ${res.text}`);
  return res.body;
}

// The dashboard's first requests total (the usage range's sum) as the page shows it.
async function shownRequests(page) {
  const text = await page.locator('[data-testid=total-requests] .ant-statistic-content-value').innerText();
  return Number(text.replace(/[^\d]/g, ''));
}

async function chartsDrawn(page) {
  for (const id of ['requests-chart', 'tokens-chart', 'latency-chart', 'survival-chart']) {
    await page.locator(`[data-testid=${id}] canvas`).first().waitFor();
  }
  await page.locator('[data-testid=top-model]').getByText(MODEL).waitFor();
}

describe('the dashboard with traffic', () => {
  const keys = [googleShapedKey(), googleShapedKey(), googleShapedKey()];
  let stack;
  let base;
  let requestsSent = 0;

  before(async () => {
    // A survival snapshot every second, so the trend shows the keys added just now.
    stack = await startStack({ keys, config: { key_survival_snapshot_interval_seconds: 1 } });
    base = await consoleBase(stack.poise);
    const { poise, fake } = stack;

    // A client token, and one key disabled so more than one status has keys.
    const token = await adminOk(poise, 'POST', '/api/v1/tokens', { name: 'dashboard-flow' });
    const { items } = await poise.keys();
    await adminOk(poise, 'PUT', `/api/v1/api_keys/${items[2].id}`, { status: 'disabled' });

    for (let i = 0; i < 6; i++) {
      const res = await generate(poise, poise.gatewayToken, `hello ${i}`);
      assert.equal(res.status, 200, res.text);
      requestsSent++;
    }
    for (let i = 0; i < 3; i++) {
      const res = await generate(poise, token.token, `from the client token ${i}`);
      assert.equal(res.status, 200, res.text);
      requestsSent++;
    }
    // One error: every key answers 500 once.
    for (const k of keys) await fake.script(k, [{ status: 500 }]);
    const failed = await generate(poise, poise.gatewayToken, 'this one fails');
    assert.ok(failed.status >= 500, `expected an upstream error, got ${failed.status}`);
    requestsSent++;

    await waitFor(async () => {
      const top = await poise.admin('GET', '/api/v1/usage/top?by=model');
      const calls = await poise.admin('GET', '/api/v1/api_keys/statistics/calls');
      const row = top.body?.items?.find((i) => i.value === MODEL);
      return row?.requests === requestsSent && row.errors >= 1 && calls.body?.calls_last_24_hours > 0;
    }, { timeoutMs: AGGREGATE_TIMEOUT_MS, intervalMs: 200, what: `${requestsSent} requests in the usage aggregates` });
    await waitFor(async () => {
      const res = await poise.admin('GET', '/api/v1/api_keys/statistics/survival');
      const last = res.body?.statistics?.at(-1);
      return last?.total_keys === 3 && last.disabled_keys === 1;
    }, { timeoutMs: AGGREGATE_TIMEOUT_MS, intervalMs: 200, what: 'a survival snapshot with the three keys' });
  });

  after(async () => {
    await base?.stop();
    await stack?.stop();
  });

  it('shows the counts, the charts and the top tables, and leads to Keys', async () => {
    const { context, page, problems } = await openConsole(browser, base.url);
    await signIn(page, 'admin', stack.poise.adminPassword);
    await waitForShell(page);
    await page.goto('/');
    await page.locator('[data-testid=dashboard]').waitFor();

    // Key counts: 3 in all, 2 active, 1 disabled.
    await page.locator('[data-testid=key-card-total]').getByText('3', { exact: true }).waitFor();
    await page.locator('[data-testid=key-card-active]').getByText('2', { exact: true }).waitFor();
    await page.locator('[data-testid=key-card-disabled]').getByText('1', { exact: true }).waitFor();
    // Upstream calls: non-zero.
    await waitFor(async () => {
      const t = await page.locator('[data-testid=calls-day] .ant-statistic-content-value').innerText();
      return Number(t.replace(/[^\d]/g, '')) > 0;
    }, { timeoutMs: UI_TIMEOUT_MS, what: 'calls in the last 24 hours shown' });

    // Traffic: the requests sent, the error among them, charts drawn on canvases.
    await waitFor(async () => (await shownRequests(page)) === requestsSent,
      { timeoutMs: UI_TIMEOUT_MS, intervalMs: 200, what: `${requestsSent} requests shown` });
    await chartsDrawn(page);
    assert.equal(await page.locator('[data-testid=requests-chart-empty]').count(), 0);

    // Top tables: the model, the tokens by name, the keys masked and linking to Keys.
    await page.locator('[data-testid=top-token]').getByText('dashboard-flow').waitFor();
    await page.locator('[data-testid=top-token]').getByText('Gateway token (api_token)').waitFor();
    const keyLink = page.locator('[data-testid=top-key] a[href^="/keys?key="]').first();
    await keyLink.waitFor();
    const masked = await keyLink.innerText();
    assert.ok(!keys.some((k) => masked.includes(k)), `the top keys show masked keys, got ${masked}`);
    assert.match(masked, /\.\.\./);

    // Refresh by hand, and the "updated" line.
    await page.locator('[data-testid=dashboard-refresh]').click();
    await page.locator('[data-testid=updated-ago]').waitFor();
    // Away from the button, so its tooltip closes.
    await page.mouse.move(0, 0);
    await page.locator('.ant-tooltip').filter({ hasText: 'Refreshes every' }).waitFor({ state: 'hidden' });

    await screenshot(page, 'dashboard-en-light');
    await page.locator('[data-testid=theme-switch]').click();
    await page.getByRole('menuitem', { name: 'Dark' }).click();
    await waitFor(async () => page.evaluate(() => document.documentElement.classList.contains('dark')), { what: 'dark class' });
    await chartsDrawn(page);
    await screenshot(page, 'dashboard-en-dark');
    await page.locator('[data-testid=language-switch]').getByText('中文').click();
    await page.locator('[data-testid=top-token]').getByText('网关令牌（api_token）').waitFor();
    await chartsDrawn(page);
    await screenshot(page, 'dashboard-zh-dark');
    await page.locator('[data-testid=theme-switch]').click();
    await page.getByRole('menuitem', { name: '浅色' }).click();
    await waitFor(async () => !(await page.evaluate(() => document.documentElement.classList.contains('dark'))), { what: 'light again' });
    await chartsDrawn(page);
    await screenshot(page, 'dashboard-zh-light');
    await page.locator('[data-testid=language-switch]').getByText('EN').click();

    // Another range: kept in the URL, the charts drawn again with the same traffic.
    await page.locator('[data-testid=traffic-range]').getByText('1 h', { exact: true }).click();
    await page.waitForURL('**/?range=1h');
    await waitFor(async () => (await shownRequests(page)) === requestsSent,
      { timeoutMs: UI_TIMEOUT_MS, intervalMs: 200, what: `${requestsSent} requests shown over 1 h` });
    await chartsDrawn(page);

    // A status card leads to the Keys page filtered by that status.
    const active = page.locator('[data-testid=key-card-active]');
    assert.equal(await active.getAttribute('href'), '/keys?status=active');
    await active.click();
    await page.waitForURL('**/keys?status=active');
    await page.goBack();
    await page.locator('[data-testid=dashboard]').waitFor();
    assert.match(await keyLink.getAttribute('href'), /^\/keys\?key=\d+$/);

    assertClean(problems, 'dashboard');
    await context.close();
  });

  it('refreshes itself while the tab is visible', async () => {
    const { context, page, problems } = await openConsole(browser, base.url);
    await signIn(page, 'admin', stack.poise.adminPassword);
    await waitForShell(page);
    await page.goto('/');
    await waitFor(async () => (await shownRequests(page)) === requestsSent,
      { timeoutMs: UI_TIMEOUT_MS, intervalMs: 200, what: `${requestsSent} requests shown` });
    const res = await generate(stack.poise, stack.poise.gatewayToken, 'one more');
    assert.equal(res.status, 200, res.text);
    requestsSent++;
    // No reload, no click: the page asks again by itself.
    await waitFor(async () => (await shownRequests(page)) === requestsSent,
      { timeoutMs: REFRESH_TIMEOUT_MS, intervalMs: 500, what: 'the new request shown without a reload' });
    assertClean(problems, 'auto refresh');
    await context.close();
  });

  it('fits a phone: cards two per row, charts full width, no sideways page scroll', async () => {
    const { context, page, problems } = await openConsole(browser, base.url, { viewport: PHONE });
    await signIn(page, 'admin', stack.poise.adminPassword);
    await waitForShell(page);
    await page.goto('/');
    await chartsDrawn(page);
    const widths = await page.evaluate(() => {
      const w = (sel) => document.querySelector(sel)?.getBoundingClientRect().width ?? 0;
      return {
        page: document.documentElement.scrollWidth,
        card: w('[data-testid=key-card-active]'),
        cards: w('[data-testid=key-cards]'),
        chart: w('[data-testid=requests-chart]'),
      };
    });
    assert.ok(widths.page <= 390, `page scrolls sideways: ${widths.page}`);
    assert.ok(widths.card < widths.cards * 0.55 && widths.card > widths.cards * 0.4, `two cards per row: ${JSON.stringify(widths)}`);
    assert.ok(widths.chart > 300, `charts take the full width: ${JSON.stringify(widths)}`);
    await screenshot(page, 'dashboard-phone');
    assertClean(problems, 'dashboard on a phone');
    await context.close();
  });
});

describe('the dashboard of a fresh install', () => {
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

  it('tells the operator to add keys and send a request', async () => {
    const { context, page, problems } = await openConsole(browser, base.url);
    await signIn(page, 'admin', stack.poise.adminPassword);
    await waitForShell(page);
    await page.goto('/');
    await page.locator('[data-testid=fresh-install]').getByText('Add your Gemini API keys').waitFor();
    const sample = await page.locator('[data-testid=sample-request]').innerText();
    assert.match(sample, /\/v1beta\/models\/gemini-2\.5-flash:generateContent/);
    await page.locator('[data-testid=fresh-add-keys]').click();
    await page.waitForURL('**/keys');
    await page.goBack();
    await page.locator('[data-testid=fresh-install]').waitFor();
    await screenshot(page, 'dashboard-fresh');
    assertClean(problems, 'fresh dashboard');
    await context.close();
  });
});
