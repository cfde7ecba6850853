// /docs in a real browser: Debian's Chromium, driven by playwright-core, loads Swagger UI from the
// binary under the page's strict Content-Security-Policy and must render every operation of
// /openapi.json, at a desktop and a phone width, without a console error or warning, an uncaught
// exception, a CSP violation, a failed request or a request to any other origin; "Try it out" on
// GET /api/v1/tokens, authorized through the Authorize dialog, must show the live 200 answer.
// Screenshots of both widths are left in the temp dir (docs-1280.png, docs-390.png) for a human.
//
// The browser is Debian's `chromium` package (scripts/bootstrap.sh --with-test-deps installs it);
// playwright-core downloads nothing. IT_CHROMIUM names another Chromium binary.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium } from 'playwright-core';

import { request, startStack } from './lib/harness.mjs';
import { operations } from './lib/openapi.mjs';

// The browser itself, not /usr/bin/chromium: that is Debian's shell launcher, which sources
// /etc/chromium.d (Debian's Google API keys, extension and GPU flags) before exec'ing this.
const CHROMIUM = process.env.IT_CHROMIUM || '/usr/lib/chromium/chromium';
// Chromium's first start (profile, font cache) takes seconds on a busy 2-core CI machine.
const LAUNCH_TIMEOUT_MS = 60000;
// Swagger UI parses a 1.5 MB bundle and a ~70-operation document; slower under a sanitizer build.
const RENDER_TIMEOUT_MS = 30000;

let stack;
let poise;
let doc;
let browser;

before(async () => {
  assert.ok(existsSync(CHROMIUM),
    `no Chromium at ${CHROMIUM}: run scripts/bootstrap.sh --with-test-deps (Debian's chromium)`);
  stack = await startStack();
  poise = stack.poise;
  const res = await request(`${poise.url}/openapi.json`);
  assert.equal(res.status, 200, res.text);
  doc = res.body;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: LAUNCH_TIMEOUT_MS,
    // Chromium refuses to start its sandbox as root (CI containers run as root), so it runs
    // without one there (--no-sandbox); the only page it loads is our own, from 127.0.0.1.
    // As any other user the sandbox stays on.
    chromiumSandbox: process.getuid() !== 0,
  });
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

/**
 * Opens a page of its own context at `viewport` and records everything that should never
 * happen on /docs into the returned `problems`: console errors and warnings (Chromium reports
 * each CSP violation there as "Refused to … because it violates the following Content Security
 * Policy directive"), uncaught exceptions, failed requests, HTTP errors, and requests to any
 * origin but the gateway's.
 */
async function openPage(viewport) {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(RENDER_TIMEOUT_MS);
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') {
      problems.push(`console ${msg.type()}: ${msg.text()} (${msg.location().url})`);
    }
  });
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.stack || err.message}`));
  page.on('requestfailed', (req) =>
    problems.push(`request failed: ${req.url()}: ${req.failure()?.errorText}`));
  page.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith(`${poise.url}/`) && !url.startsWith('data:')) {
      problems.push(`request to another origin: ${url}`);
    }
  });
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return { context, page, problems };
}

/** Loads /docs and waits until Swagger UI has rendered the document's operations. */
async function loadDocs(page) {
  const res = await page.goto(`${poise.url}/docs`);
  assert.equal(res.status(), 200);
  // The policy under test is the one the browser got.
  assert.match(res.headers()['content-security-policy'], /(^|; )script-src 'self'(;|$)/);
  await page.locator('.opblock').first().waitFor();
}

/** The operations the page shows, as "METHOD /path", one per tag it is listed under. */
function renderedOperations(page) {
  return page.locator('.opblock').evaluateAll((blocks) => blocks.map((b) => {
    const method = b.querySelector('.opblock-summary-method')?.textContent.trim();
    const path = b.querySelector('.opblock-summary-path')?.getAttribute('data-path');
    return `${method} ${path}`;
  }));
}

/** The operation block of `key` ("METHOD /path"). */
function operationBlock(page, key) {
  const [method, path] = key.split(' ');
  return page.locator(`.opblock.opblock-${method.toLowerCase()}`)
    .filter({ has: page.locator(`.opblock-summary-path[data-path="${path}"]`) });
}

describe('/docs in Chromium', () => {
  for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
    it(`renders every operation, styled, at ${viewport.width}×${viewport.height}`, async () => {
      const { context, page, problems } = await openPage(viewport);
      try {
        await loadDocs(page);
        // Swagger UI lists an operation once under each of its tags.
        const expected = operations(doc)
          .flatMap((o) => (o.op.tags?.length ? o.op.tags : ['default']).map(() => o.key)).sort();
        const rendered = (await renderedOperations(page)).sort();
        assert.deepEqual(rendered, expected);
        for (const key of ['POST /v1/chat/completions', 'GET /api/v1/tokens']) {
          assert.equal(await operationBlock(page, key).count(), 1, key);
        }
        assert.equal((await page.locator('.info .title').textContent()).trim().startsWith(doc.info.title), true);

        // Both style sheets applied (ours, then Swagger UI's), the inline SVG icons drawn, and
        // nothing wider than the viewport.
        const look = await page.evaluate(() => {
          const style = (sel) => getComputedStyle(document.querySelector(sel));
          const box = (sel) => document.querySelector(sel)?.getBoundingClientRect();
          return {
            bodyBackground: style('body').backgroundColor,
            postBorder: style('.opblock.opblock-post').borderColor,
            methodColor: style('.opblock-summary-method').color,
            expandIcon: box('.opblock-control-arrow svg')?.width ?? 0,
            lockIcon: box('.authorization__btn svg')?.width ?? 0,
            scrollWidth: document.documentElement.scrollWidth,
            innerWidth: window.innerWidth,
          };
        });
        assert.equal(look.bodyBackground, 'rgb(250, 250, 250)', 'poise-docs.css');
        assert.equal(look.postBorder, 'rgb(73, 204, 144)', 'swagger-ui.css');
        assert.equal(look.methodColor, 'rgb(255, 255, 255)', 'swagger-ui.css');
        assert.ok(look.expandIcon > 0, 'expand icon');
        assert.ok(look.lockIcon > 0, 'lock icon');
        assert.ok(look.scrollWidth <= look.innerWidth,
          `page is ${look.scrollWidth} px wide in a ${look.innerWidth} px viewport`);

        await page.screenshot({ path: join(tmpdir(), `docs-${viewport.width}.png`) });
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });
  }

  it('tries GET /api/v1/tokens out, authorized through the Authorize dialog', async () => {
    const { context, page, problems } = await openPage({ width: 1280, height: 800 });
    try {
      await loadDocs(page);
      await page.locator('.auth-wrapper .authorize').click();
      const form = page.locator('.auth-container')
        .filter({ has: page.locator('h4 code', { hasText: /^sessionBearer$/ }) });
      await form.locator('input').fill(poise.accessToken);
      await form.locator('button.authorize').click();
      await page.locator('.modal-ux .close-modal').click();

      const op = operationBlock(page, 'GET /api/v1/tokens');
      await op.locator('.opblock-summary-control').click();
      // Swagger UI draws the select's arrow as a data: image (the policy's img-src data:).
      assert.match(await op.locator('select').first().evaluate((e) => getComputedStyle(e).backgroundImage),
        /^url\("data:image\/svg\+xml/);
      await op.locator('.try-out__btn').click();
      await op.locator('.execute').click();
      const live = op.locator('.live-responses-table .response');
      await live.first().waitFor();
      assert.equal((await live.locator('.response-col_status').first().textContent()).trim(), '200');
      const body = JSON.parse(await op.locator('.live-responses-table .microlight').first().textContent());
      assert.deepEqual(Object.keys(body).sort(), ['items', 'total']);
      assert.match(await op.locator('.curl-command').textContent(), /Authorization: Bearer /);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
