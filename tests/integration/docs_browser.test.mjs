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
    // Chromium will not run as root with its sandbox on, and CI containers run the tests as
    // root: there it runs with --no-sandbox, which is safe enough for the only page it loads,
    // our own from 127.0.0.1. As any other user the sandbox stays on.
    chromiumSandbox: process.getuid() !== 0,
  });
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

/**
 * Opens /docs in a fresh context at `viewport`, waits until Swagger UI has rendered the
 * document's operations and runs fn(page). Meanwhile it records everything that must never
 * happen on /docs: console errors and warnings (Chromium reports each CSP violation there:
 * "… violates the following Content Security Policy directive"), uncaught exceptions, failed
 * requests, HTTP errors and requests to any origin but the gateway's. Fails when any was
 * recorded; a failure of fn lists them too (a refused script explains a missing element).
 */
async function withDocs(viewport, fn) {
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
  try {
    const res = await page.goto(`${poise.url}/docs`);
    assert.equal(res.status(), 200);
    // The policy under test is the one the browser got.
    assert.match(res.headers()['content-security-policy'], /(^|; )script-src 'self'(;|$)/);
    await page.locator('.opblock').first().waitFor();
    await fn(page);
  } catch (err) {
    if (problems.length) err.message += `\nin the page:\n${problems.join('\n')}`;
    throw err;
  } finally {
    await context.close();
  }
  assert.deepEqual(problems, []);
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
      await withDocs(viewport, async (page) => {
        // First, so that a page that fails the checks is there to look at too.
        await page.screenshot({ path: join(tmpdir(), `docs-${viewport.width}.png`) });

        // Swagger UI lists an operation once under each of its tags.
        const expected = operations(doc)
          .flatMap((o) => (o.op.tags?.length ? o.op.tags : ['default']).map(() => o.key)).sort();
        const rendered = (await renderedOperations(page)).sort();
        assert.deepEqual(rendered, expected);
        for (const key of ['POST /v1/chat/completions', 'GET /api/v1/tokens']) {
          assert.ok(rendered.includes(key), key);
        }
        const title = await page.locator('.info .title').textContent();
        assert.ok(title.startsWith(doc.info.title), title);

        // Both style sheets applied (ours, then Swagger UI's), the inline SVG icons drawn, and
        // nothing wider than the viewport.
        const look = await page.evaluate(() => {
          const style = (sel) => getComputedStyle(document.querySelector(sel));
          const width = (sel) => document.querySelector(sel)?.getBoundingClientRect().width ?? 0;
          return {
            bodyBackground: style('body').backgroundColor,
            postBorder: style('.opblock.opblock-post').borderColor,
            methodColor: style('.opblock-summary-method').color,
            expandIcon: width('.opblock-control-arrow svg'),
            lockIcon: width('.authorization__btn svg'),
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
      });
    });
  }

  it('tries GET /api/v1/tokens out, authorized through the Authorize dialog', async () => {
    await withDocs({ width: 1280, height: 800 }, async (page) => {
      await page.locator('.auth-wrapper .authorize').click();
      const form = page.locator('.auth-container')
        .filter({ has: page.locator('h4 code', { hasText: /^sessionBearer$/ }) });
      await form.locator('input').fill(poise.accessToken);
      await form.locator('button.authorize').click();
      await page.locator('.modal-ux .close-modal').click();

      const op = operationBlock(page, 'GET /api/v1/tokens');
      await op.locator('.opblock-summary-control').click();
      // Swagger UI draws the select's arrow as a data: image (the policy's img-src data:).
      const arrow = await op.locator('select').first()
        .evaluate((select) => getComputedStyle(select).backgroundImage);
      assert.match(arrow, /^url\("data:image\/svg\+xml/);

      await op.locator('.try-out__btn').click();
      await op.locator('.execute').click();
      const live = op.locator('.live-responses-table .response');
      await live.first().waitFor();
      const status = await live.locator('.response-col_status').first().textContent();
      assert.equal(status.trim(), '200');
      const body = await op.locator('.live-responses-table .microlight').first().textContent();
      assert.deepEqual(Object.keys(JSON.parse(body)).sort(), ['items', 'total']);
      assert.match(await op.locator('.curl-command').textContent(), /Authorization: Bearer /);
    });
  });
});
