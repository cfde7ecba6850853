// /openapi.json and /docs (issue 13): the document is a valid OpenAPI 3.1 document generated from
// the fully wired route table (no route undocumented, no doc without a route), every operation
// answers its example request (lib/openapi.mjs) with a documented status and a body that matches
// the documented schema, and Swagger UI is served from the binary with its security headers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';

import { Validator } from '@seriousme/openapi-schema-validator';

import { rawRequest as rawGet, request, startStack } from './lib/harness.mjs';
import {
  EXAMPLES, gatewayHeaders, operations, responseChecker, sendExample, setUp,
} from './lib/openapi.mjs';

let stack;
let poise;
let doc;

before(async () => {
  // Metrics on, so that GET /metrics answers its example with the series.
  stack = await startStack({ env: { POISE_METRICS: 'on' } });
  poise = stack.poise;
  const res = await request(`${poise.url}/openapi.json`);
  assert.equal(res.status, 200, res.text);
  doc = res.body;
});

after(async () => {
  await stack?.stop();
});

describe('/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    assert.equal(doc.openapi, '3.1.0');
    const validator = new Validator();
    const result = await validator.validate(doc);
    assert.ok(result.valid, `not valid OpenAPI 3.1: ${JSON.stringify(result.errors, null, 1)}`);
  });

  it('documents every route of the wired table, and only those', () => {
    assert.deepEqual(doc['x-poise-coverage'], { undocumented: [], unrouted: [] },
      'add the route\'s OperationDoc in src/openapi/ (see operation_docs.h)');
    assert.doesNotMatch(poise.logs(), /has no OpenAPI documentation|names no route/);
  });

  it('declares access, security and tags on every operation', () => {
    const access = new Set(['anyone', 'gateway_token', 'viewer', 'admin']);
    for (const o of operations(doc)) {
      assert.ok(access.has(o.op['x-poise-access']), `${o.key}: x-poise-access ${o.op['x-poise-access']}`);
      assert.ok(Array.isArray(o.op.security), `${o.key}: security`);
      assert.ok(o.op.tags?.length > 0, `${o.key}: tags`);
      if (o.op['x-poise-access'] === 'gateway_token') {
        const schemes = o.op.security.flatMap((r) => Object.keys(r)).sort();
        assert.deepEqual(schemes, ['gatewayAnthropicKey', 'gatewayBearer', 'gatewayGoogApiKey', 'gatewayKeyQuery'], o.key);
      }
      if (o.path.startsWith('/api/v1/') && o.op['x-poise-access'] !== 'anyone') {
        assert.ok(o.op.responses['401'], `${o.key}: 401`);
      }
    }
  });

  it('answers HEAD and revalidation with the ETag', async () => {
    const get = await rawGet(`${poise.url}/openapi.json`);
    const etag = get.headers.etag;
    assert.match(etag, /^"[0-9a-f]{32}"$/);
    assert.equal(get.headers['cache-control'], 'no-cache');
    const head = await rawGet(`${poise.url}/openapi.json`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal(Number(head.headers['content-length']), get.body.length);
    const again = await rawGet(`${poise.url}/openapi.json`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    // A 304's Content-Length, when sent, may only be the 200's (RFC 9110 §8.6).
    assert.equal(Number(again.headers['content-length']), get.body.length);
    assert.equal(again.headers.etag, etag);
  });
});

describe('every documented operation', () => {
  it('has an example request (tests/integration/lib/openapi.mjs)', () => {
    const missing = operations(doc).map((o) => o.key).filter((k) => !EXAMPLES[k]);
    assert.deepEqual(missing, [], 'add an example for each new operation to EXAMPLES');
    const stale = Object.keys(EXAMPLES).filter((k) => !operations(doc).some((o) => o.key === k));
    assert.deepEqual(stale, [], 'examples for operations the document does not have');
  });

  it('answers its example with a documented status and a body matching its schema', async () => {
    await poise.login();
    const fx = await setUp(poise);
    const check = responseChecker(doc);
    const ops = operations(doc).filter((o) => EXAMPLES[o.key]);
    const ordered = [...ops.filter((o) => !EXAMPLES[o.key].last), ...ops.filter((o) => EXAMPLES[o.key].last)];
    const problems = [];
    for (const o of ordered) {
      const ex = EXAMPLES[o.key];
      let headers = {};
      const auth = ex.auth ?? 'admin';
      if (auth === 'admin') {
        const token = ex.token ? ex.token(fx) : poise.accessToken;
        headers = { authorization: `Bearer ${token}` };
      } else if (auth === 'gateway') {
        headers = gatewayHeaders(poise.gatewayToken, ex.gatewayAs);
      }
      const res = await sendExample(poise.url, o, ex, fx, headers);
      const expected = [ex.status ?? []].flat();
      if (expected.length ? !expected.includes(res.status) : (res.status < 200 || res.status > 299)) {
        problems.push(`${o.key}: status ${res.status}, expected ${expected.join('|') || '2xx'}: ${res.text.slice(0, 300)}`);
      }
      const sent = typeof ex.body === 'function' ? ex.body(fx) : ex.body;
      for (const p of check(o, res, sent)) problems.push(`${o.key}: ${p}`);
      if (ex.after && res.status < 300) await ex.after(res, fx);
    }
    assert.deepEqual(problems, []);
  });
});

describe('/docs', () => {
  it('serves our page with the security headers and no inline script', async () => {
    for (const path of ['/docs', '/docs/']) {
      const res = await rawGet(`${poise.url}${path}`);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(res.headers['cache-control'], 'no-cache');
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      const csp = res.headers['content-security-policy'];
      assert.match(csp, /(^|; )script-src 'self'(;|$)/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.match(csp, /(^|; )default-src 'none'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
      const html = res.body.toString('utf8');
      // Every <script> has a same-origin src and no body; no inline handlers or styles.
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
      assert.ok(scripts.length >= 2);
      for (const [, attrs, body] of scripts) {
        assert.match(attrs, /\bsrc="\/docs\/[^"]+\.js"/);
        assert.equal(body.trim(), '');
      }
      assert.doesNotMatch(html, /\son[a-z]+\s*=|<style|style=|https?:\/\//i);
    }
    const head = await rawGet(`${poise.url}/docs`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.ok(Number(head.headers['content-length']) > 0);
  });

  it('serves the assets the page names, gzip when accepted, revalidated by ETag', async () => {
    const page = (await rawGet(`${poise.url}/docs`)).body.toString('utf8');
    const urls = [...page.matchAll(/(?:src|href)="(\/docs\/[^"]+)"/g)].map((m) => m[1]);
    assert.ok(urls.includes('/docs/swagger-ui-bundle.js') && urls.includes('/docs/poise-docs.js'));
    for (const url of urls) {
      const plain = await rawGet(`${poise.url}${url}`);
      assert.equal(plain.status, 200, url);
      assert.equal(plain.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(plain.headers['cache-control'], 'no-cache', url);
      assert.equal(plain.headers['content-encoding'], undefined, url);
      assert.ok(plain.body.length > 0, url);
      const type = plain.headers['content-type'];
      if (url.endsWith('.js')) assert.equal(type, 'text/javascript; charset=utf-8', url);
      if (url.endsWith('.css')) assert.equal(type, 'text/css; charset=utf-8', url);
      if (url.endsWith('.png')) assert.equal(type, 'image/png', url);
      const again = await rawGet(`${poise.url}${url}`, { headers: { 'if-none-match': plain.headers.etag } });
      assert.equal(again.status, 304, url);
      if (plain.body.length > 100000) {
        const gz = await rawGet(`${poise.url}${url}`, { headers: { 'accept-encoding': 'gzip, br' } });
        assert.equal(gz.headers['content-encoding'], 'gzip', url);
        assert.equal(gz.headers.vary, 'Accept-Encoding', url);
        assert.notEqual(gz.headers.etag, plain.headers.etag, url);
        assert.ok(gz.body.length < plain.body.length / 2, url);
        assert.deepEqual(gunzipSync(gz.body), plain.body, url);
      }
    }
    // The initializer points Swagger UI at our own document, not at any other origin.
    const init = (await rawGet(`${poise.url}/docs/poise-docs.js`)).body.toString('utf8');
    assert.match(init, /url: '\/openapi\.json'/);
    assert.equal((await rawGet(`${poise.url}/docs/nothing.js`)).status, 404);
    assert.equal((await rawGet(`${poise.url}/docs/index.html`)).status, 404);
    assert.equal((await request(`${poise.url}/docs/swagger-ui.css`, { method: 'POST' })).status, 405);
  });
});
