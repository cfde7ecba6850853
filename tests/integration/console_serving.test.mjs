// The web console at / against the real binary and whatever bundle it embeds (web/dist, built by
// scripts/build-web.sh): nothing here names a file of the bundle; the asset URLs come from the
// served index.html. index.html at / with the console's CSP and security headers, revalidated
// every time; its fingerprinted assets cached for a year, gzip when accepted, 304 on a matching
// If-None-Match; History-API pages (/keys, /logs/abc, /settings/advanced?x=1) get index.html;
// API and operational paths, unknown files and other methods keep their own answers; and
// POISE_CONSOLE=off turns it all off. In Debian's Chromium, the app loads from / and from deep
// links under that CSP with no violation, console error or request to another origin.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';

import { assertClean, launchBrowser, openConsole } from './lib/console.mjs';
import { rawRequest as raw, request, startPoise } from './lib/harness.mjs';

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; " +
  "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

let poise;
let index; // GET / as served

/** The same-origin URLs index.html loads (script src, link href), e.g. /assets/index-….js. */
function loadedUrls(html) {
  return [...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="(\/[^"]+)"/gi)].map((m) => m[1]);
}

function assertPageHeaders(res, what) {
  assert.equal(res.status, 200, what);
  assert.equal(res.headers['content-type'], 'text/html; charset=utf-8', what);
  assert.equal(res.headers['cache-control'], 'no-cache', what);
  assert.equal(res.headers['content-security-policy'], CSP, what);
  assert.equal(res.headers['x-content-type-options'], 'nosniff', what);
  assert.equal(res.headers['referrer-policy'], 'no-referrer', what);
  assert.equal(res.headers['x-frame-options'], 'DENY', what);
  assert.match(res.headers.etag, /^"[0-9a-f]{32}"$/, what);
}

before(async () => {
  poise = await startPoise({});
  index = await raw(`${poise.url}/`);
});

after(async () => {
  await poise?.stop();
});

describe('the console at /', () => {
  it('serves index.html with the CSP, nosniff, no referrer, no framing, revalidated every time', async () => {
    assertPageHeaders(index, '/');
    const html = index.body.toString('utf8');
    assert.match(html, /<!doctype html>/i);
    // No inline script: every <script> loads a same-origin file and has no body.
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    assert.ok(scripts.length >= 1, 'index.html loads a script');
    for (const [, attrs, body] of scripts) {
      assert.match(attrs, /\bsrc="\/[^/"][^"]*"/, attrs);
      assert.equal(body.trim(), '', attrs);
    }
    const same = await raw(`${poise.url}/index.html`);
    assertPageHeaders(same, '/index.html');
    assert.deepEqual(same.body, index.body);
    const again = await raw(`${poise.url}/`, { headers: { 'if-none-match': index.headers.etag } });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    assert.equal(again.headers.etag, index.headers.etag);
    const head = await raw(`${poise.url}/`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal(Number(head.headers['content-length']), index.body.length);
  });

  it('serves the files index.html loads; fingerprinted ones immutable, gzip when accepted, 304 on a match', async () => {
    const urls = loadedUrls(index.body.toString('utf8'));
    const assets = urls.filter((u) => u.startsWith('/assets/'));
    assert.ok(assets.some((u) => u.endsWith('.js')), `a script under /assets/: ${urls}`);
    let gzipped = 0;
    for (const url of urls) {
      const plain = await raw(`${poise.url}${url}`);
      assert.equal(plain.status, 200, url);
      assert.equal(plain.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(plain.headers['content-encoding'], undefined, url);
      if (url.endsWith('.js')) assert.equal(plain.headers['content-type'], 'text/javascript; charset=utf-8', url);
      if (url.endsWith('.css')) assert.equal(plain.headers['content-type'], 'text/css; charset=utf-8', url);
      if (assets.includes(url)) {
        assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable', url);
      }
      const again = await raw(`${poise.url}${url}`, { headers: { 'if-none-match': plain.headers.etag } });
      assert.equal(again.status, 304, url);
      assert.equal(again.body.length, 0, url);
      if (url.endsWith('.js') && plain.body.length > 2048) {
        gzipped += 1;
        const gz = await raw(`${poise.url}${url}`, { headers: { 'accept-encoding': 'gzip, br' } });
        assert.equal(gz.status, 200, url);
        assert.equal(gz.headers['content-encoding'], 'gzip', url);
        assert.equal(gz.headers.vary, 'Accept-Encoding', url);
        assert.notEqual(gz.headers.etag, plain.headers.etag, url);
        assert.ok(gz.body.length < plain.body.length, url);
        assert.deepEqual(gunzipSync(gz.body), plain.body, url);
        const gz304 = await raw(`${poise.url}${url}`,
          { headers: { 'accept-encoding': 'gzip', 'if-none-match': gz.headers.etag } });
        assert.equal(gz304.status, 304, url);
      }
    }
    assert.ok(gzipped > 0, `a script above 2 KiB to fetch gzip-compressed: ${urls}`);
  });

  it('answers the app\'s History-API pages with index.html', async () => {
    for (const path of ['/keys', '/logs/abc', '/logs?status=5xx', '/settings/advanced', '/tokens/',
      '/login']) {
      const res = await raw(`${poise.url}${path}`);
      assertPageHeaders(res, path);
      assert.deepEqual(res.body, index.body, path);
    }
    const head = await raw(`${poise.url}/keys`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
  });

  it('leaves API and operational paths, unknown files and other methods their own answers', async () => {
    // The admin API's envelope, with its session check first (no session: 401).
    const api = await request(`${poise.url}/api/v1/nope`);
    assert.equal(api.status, 401, api.text);
    assert.equal(typeof api.body.detail, 'string');
    for (const path of ['/v1/nope', '/v1beta/models/x:nope', '/v1alpha/nope', '/upload/v1beta/files',
      '/assets/missing.js', '/assets/missing', '/favicon.ico.map', '/docs/nothing.js', '/metrics',
      '/healthz', '/readyz', '/openapi.json/x']) {
      const res = await request(`${poise.url}${path}`);
      assert.notEqual(res.status, 200, path);
      assert.doesNotMatch(res.headers.get('content-type') ?? '', /text\/html/, path);
      assert.ok(!res.text.includes('<!doctype') && !res.text.includes('<!DOCTYPE'), path);
    }
    assert.equal((await request(`${poise.url}/assets/missing.js`)).status, 404);
    // POISE_METRICS is off: /metrics is its own 404, not the console.
    assert.equal((await request(`${poise.url}/metrics`)).status, 404);
    // The operational routes still answer.
    assert.equal((await request(`${poise.url}/health`)).status, 200);
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await request(`${poise.url}/keys`, { method, body: {} });
      assert.ok(res.status === 404 || res.status === 405, `${method} /keys → ${res.status}`);
      assert.equal(typeof res.body?.detail, 'string', `${method} /keys answers in the envelope`);
    }
    const post = await request(`${poise.url}/`, { method: 'POST', body: {} });
    assert.equal(post.status, 404);
  });
});

describe('the console in a browser', () => {
  it('loads from / and from deep links under the CSP, with nothing blocked or failing', async () => {
    const browser = await launchBrowser();
    try {
      for (const path of ['/', '/keys', '/settings/advanced?tab=1']) {
        const { context, page, problems } = await openConsole(browser, poise.url);
        try {
          const res = await page.goto(path);
          assert.equal(res.status(), 200, path);
          // The app rendered: React filled #root (signed out, it shows its login page).
          await page.locator('#root > *').first().waitFor();
          await page.waitForLoadState('networkidle');
          assertClean(problems, path);
        } finally {
          await context.close();
        }
      }
    } finally {
      await browser.close();
    }
  });
});

describe('POISE_CONSOLE=off', () => {
  it('answers / and the console\'s pages and files 404 like any unknown path', async () => {
    const off = await startPoise({ env: { POISE_CONSOLE: 'off' } });
    try {
      const urls = ['/', '/index.html', '/keys', ...loadedUrls(index.body.toString('utf8'))];
      for (const url of urls) {
        const res = await request(`${off.url}${url}`);
        assert.equal(res.status, 404, url);
        assert.equal(typeof res.body?.detail, 'string', url);
      }
      assert.equal((await request(`${off.url}/health`)).status, 200);
    } finally {
      await off.stop();
    }
  });
});
