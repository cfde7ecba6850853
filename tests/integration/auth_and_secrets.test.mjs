// Client authentication on the proxy, and secret hygiene: what reaches the upstream, what the
// admin API shows, and what lands in the gateway's own logs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import {
  findLeaks, googleShapedKey, queryParams, randomToken, request, startStack, waitFor,
} from './lib/harness.mjs';
import { dbRun } from './lib/database.mjs';
import { MODEL, candidateText, genaiClient, nativeCall } from './lib/gemini.mjs';

// Canaries: two keys shaped like real Google keys, one that is not (the log scrubber's regex
// cannot catch it, so only real hygiene keeps it out of the logs), and two failing keys so error
// paths run too.
const GOOD_KEYS = [googleShapedKey(), googleShapedKey(), randomToken('plainkey', 20)];
const BAD_KEYS = [`invalid-${randomToken('k')}`, `internal-${randomToken('k')}`];
const POOL = [...GOOD_KEYS, ...BAD_KEYS];

let stack;
let poise;
let fake;

before(async () => {
  stack = await startStack({
    keys: POOL,
    // Bodies captured into the request log, so the canary sweep covers them too.
    config: { proxy_retry_max_count: '3', request_log_body_capture_kb: '4' },
    env: { POISE_REQUEST_LOG_INTERVAL_MS: '20' },
  });
  ({ poise, fake } = stack);
});

after(async () => {
  await stack?.stop().catch(() => {});
});

/** Asserts a Gemini-shaped 401: {"error":{"code":401,"message":...,"status":"UNAUTHENTICATED"}}. */
function assertGemini401(res, context) {
  assert.equal(res.status, 401, `${context}: status (${res.text})`);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/, `${context}: JSON`);
  assert.ok(res.body?.error, `${context}: Gemini error envelope (${res.text})`);
  assert.equal(res.body.error.code, 401, context);
  assert.equal(res.body.error.status, 'UNAUTHENTICATED', context);
  assert.equal(typeof res.body.error.message, 'string', context);
  assert.ok(res.body.error.message.length > 0, context);
}

describe('gateway token on the native routes', () => {
  const routes = [
    { version: 'v1beta', method: 'generateContent' },
    { version: 'v1', method: 'generateContent' },
    { version: 'v1beta', method: 'streamGenerateContent', query: { alt: 'sse' } },
    { version: 'v1beta', method: 'countTokens' },
  ];

  it('a missing token is a Gemini-shaped 401 and nothing goes upstream', async () => {
    const before = (await fake.requests()).length;
    for (const r of routes) {
      const res = await nativeCall(poise.url, { ...r, auth: 'none', text: 'no token' });
      assertGemini401(res, `${r.version} ${r.method} without token`);
    }
    const list = await request(`${poise.url}/v1beta/models`);
    assertGemini401(list, 'GET /v1beta/models without token');
    assert.equal((await fake.requests()).length, before, 'no upstream request');
  });

  it('a wrong token is a 401 in every carrier, never echoed back', async () => {
    const before = (await fake.requests()).length;
    const wrong = randomToken('wrong');
    for (const auth of ['key', 'goog', 'bearer', 'x-api-key']) {
      for (const r of routes) {
        const res = await nativeCall(poise.url, { ...r, token: wrong, auth, text: 'bad token' });
        assertGemini401(res, `${r.version} ${r.method} wrong token via ${auth}`);
        assert.ok(!res.text.includes(wrong), 'the wrong token is not echoed');
      }
    }
    // A pool key is not a gateway token either.
    const res = await nativeCall(poise.url, { token: GOOD_KEYS[0], auth: 'goog', text: 'key' });
    assertGemini401(res, 'upstream key used as gateway token');
    assert.equal((await fake.requests()).length, before, 'no upstream request');
  });

  it('the right token works in every carrier', async () => {
    for (const auth of ['key', 'goog', 'bearer', 'x-api-key']) {
      const res = await nativeCall(poise.url, {
        token: poise.gatewayToken, auth, text: `ok via ${auth}`,
      });
      assert.equal(res.status, 200, `${auth}: ${res.text}`);
      assert.ok(candidateText(res.body).length > 0);
    }
  });
});

describe('what the upstream receives', () => {
  it('the upstream key travels in x-goog-api-key only; the gateway token never', async () => {
    const marker = randomToken('hyg');
    const token = poise.gatewayToken;
    // Every carrier, both versions, stream and not, plus the SDK.
    for (const auth of ['key', 'goog', 'bearer', 'x-api-key']) {
      for (const version of ['v1beta', 'v1']) {
        const res = await nativeCall(poise.url, {
          version, token, auth, text: `${marker} ${auth} ${version}`,
          headers: { cookie: `session=${token}` },
        });
        assert.equal(res.status, 200, res.text);
      }
    }
    const stream = await nativeCall(poise.url, {
      method: 'streamGenerateContent', token, auth: 'key',
      query: { alt: 'sse' }, text: `${marker} stream`,
    });
    assert.equal(stream.status, 200, stream.text);
    await genaiClient(poise.url, token, 'v1beta').models.generateContent({
      model: MODEL, contents: `${marker} sdk`,
    });
    await genaiClient(poise.url, token, 'v1beta').models.get({ model: MODEL });

    const all = await fake.requests();
    const ours = all.filter((r) => JSON.stringify(r.body ?? '').includes(marker));
    assert.ok(ours.length >= 10, `requests reached the upstream (${ours.length})`);
    for (const rec of all) {
      // Nothing of the gateway token anywhere: path, query, any header, body.
      assert.ok(!JSON.stringify(rec).includes(token),
        `gateway token found in upstream request ${rec.method} ${rec.path}`);
      const headerKey = rec.headers['x-goog-api-key'];
      assert.ok(POOL.includes(headerKey), `x-goog-api-key is a pool key on ${rec.path}`);
      for (const k of POOL) {
        assert.ok(!rec.path.includes(k), 'no key in the upstream path');
        assert.ok(!queryParams(rec).toString().includes(encodeURIComponent(k)) &&
          !queryParams(rec).toString().includes(k), 'no key in the upstream query');
      }
      assert.equal(queryParams(rec).get('key'), null, 'the client ?key= was stripped');
      assert.equal(rec.headers.authorization, undefined, 'no Authorization upstream');
      assert.equal(rec.headers['x-api-key'], undefined, 'no x-api-key upstream');
      assert.equal(rec.headers.cookie, undefined, 'no client cookie upstream');
    }
    // Other query parameters survive the stripping.
    const sse = ours.find((r) => r.path.endsWith(':streamGenerateContent'));
    assert.ok(sse, 'the stream request reached the upstream');
    assert.equal(queryParams(sse).get('alt'), 'sse');
  });
});

describe('admin views of the keys', () => {
  /** True when the displayed value shows 12 or more consecutive characters of the secret. */
  function showsTooMuch(displayed, secret) {
    for (let i = 0; i + 12 <= secret.length; i++) {
      if (displayed.includes(secret.slice(i, i + 12))) return true;
    }
    return false;
  }

  it('the listing shows masked keys only', async () => {
    const { total, items } = await poise.keys();
    assert.equal(total, POOL.length);
    for (const item of items) {
      assert.equal(typeof item.key_value, 'string');
      for (const k of POOL) {
        assert.ok(!showsTooMuch(item.key_value, k), `key ${item.id} is masked in the listing`);
      }
      const one = await poise.admin('GET', `/api/v1/api_keys/${item.id}`);
      assert.equal(one.status, 200, one.text);
      for (const k of POOL) assert.ok(!showsTooMuch(one.text, k), `GET /api_keys/${item.id} masks`);
    }
    const plain = await poise.admin('GET', '/api/v1/api_keys/');
    assert.equal(plain.status, 200, plain.text);
    for (const k of POOL) assert.ok(!showsTooMuch(plain.text, k), 'GET /api_keys/ masks');
  });

  it('reveal returns each full value', async () => {
    const { items } = await poise.keys();
    const revealed = new Set();
    for (const item of items) {
      const res = await poise.admin('GET', `/api/v1/api_keys/${item.id}/reveal`);
      assert.equal(res.status, 200, res.text);
      const hit = POOL.find((k) => res.text.includes(JSON.stringify(k)));
      assert.ok(hit, `reveal of ${item.id} carries a full key`);
      revealed.add(hit);
    }
    assert.deepEqual([...revealed].sort(), [...POOL].sort());
  });

  it('reveal needs an admin session', async () => {
    const { items } = await poise.keys();
    const res = await poise.admin('GET', `/api/v1/api_keys/${items[0].id}/reveal`, undefined,
      { token: poise.gatewayToken });
    assert.equal(res.status, 401);
    for (const k of POOL) assert.ok(!res.text.includes(k));
  });

  it('the config listing does not show the gateway token (SPEC §3)', async () => {
    const res = await poise.admin('GET', '/api/v1/config/');
    assert.equal(res.status, 200, res.text);
    assert.ok(!res.text.includes(poise.gatewayToken), 'api_token is masked in GET /config/');
  });
});

describe('the gateway log', () => {
  it('holds no upstream key, gateway token, admin password or session token', async () => {
    // Exercise the failing keys too, so error paths are in the log: loop until both were tried.
    const tried = new Set();
    for (let i = 0; i < 30 && tried.size < BAD_KEYS.length; i++) {
      const res = await nativeCall(poise.url, {
        token: poise.gatewayToken, auth: 'key', text: `loop ${i}`,
      });
      assert.equal(res.status, 200, res.text);
      for (const r of await fake.requests()) {
        if (BAD_KEYS.includes(r.headers['x-goog-api-key'])) tried.add(r.headers['x-goog-api-key']);
      }
    }
    assert.equal(tried.size, BAD_KEYS.length, 'both failing keys were tried');
    // A client token, sent every way a client can, a refused call among them: its value stays
    // out of the log and never reaches the upstream.
    const created = await poise.admin('POST', '/api/v1/tokens', { name: 'canary', allowed_models: ['gemini-2.5-*'] });
    assert.equal(created.status, 201, created.text);
    const clientToken = created.body.token;
    for (const auth of ['key', 'goog', 'bearer', 'x-api-key']) {
      const res = await nativeCall(poise.url, { token: clientToken, auth, text: `client ${auth}` });
      assert.equal(res.status, 200, `${auth}: ${res.text}`);
    }
    const refused = await nativeCall(poise.url, { token: clientToken, auth: 'key', model: 'gemini-2.0-flash' });
    assert.equal(refused.status, 403, refused.text);
    assert.ok(!refused.text.includes(clientToken), 'not echoed in a refusal');
    assert.deepEqual(findLeaks(JSON.stringify(await fake.requests()), { clientToken }), [],
      'the client token never reaches the upstream');
    const accessToken = poise.accessToken;
    const adminPassword = poise.adminPassword;
    const secrets = { gatewayToken: poise.gatewayToken, adminPassword, accessToken, clientToken };
    POOL.forEach((k, i) => { secrets[`upstreamKey${i}`] = k; });
    // The request log: a prompt that quotes the tokens and a key (the fake echoes it back, so
    // the answer carries them too), then every listing page, every entry with its captured
    // bodies, and the database rows themselves.
    const quoting = await nativeCall(poise.url, {
      token: clientToken, auth: 'goog', headers: { 'x-request-id': 'canary-quote' },
      text: `quote ${clientToken} ${poise.gatewayToken} ${GOOD_KEYS[0]}`,
    });
    assert.equal(quoting.status, 200, quoting.text);
    let quoted;
    await waitFor(async () => {
      const r = await poise.admin('GET', '/api/v1/logs?request_id=canary-quote');
      quoted = r.body?.items?.[0];
      return quoted;
    }, { what: 'the quoting request in the request log' });
    let sweep = '';
    let cursor;
    let entries = 0;
    do {
      const page = await poise.admin('GET', `/api/v1/logs?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.status, 200, page.text);
      sweep += page.text;
      for (const item of page.body.items) {
        const one = await poise.admin('GET', `/api/v1/logs/${item.id}`);
        assert.equal(one.status, 200, one.text);
        sweep += one.text;
        entries += 1;
      }
      cursor = page.body.next_cursor;
    } while (cursor);
    assert.ok(entries > 10, 'the run left request log rows');
    const entry = await poise.admin('GET', `/api/v1/logs/${quoted.id}`);
    assert.match(entry.body.request_body, /quote /, 'bodies are captured');
    assert.match(entry.body.response_body, /quote /, 'the echo is captured');
    sweep += dbRun(poise, 'SELECT * FROM request_logs');
    assert.deepEqual(findLeaks(sweep, secrets), [], 'secrets found in the request log');
    assert.doesNotMatch(sweep, /AIza[0-9A-Za-z_-]{35}/, 'no Google-shaped key in the request log');
    // Stopping flushes every log line (and checks the exit code).
    await poise.stop();
    const logs = poise.logs();
    assert.ok(logs.length > 0, 'poise logged something');
    const leaks = findLeaks(logs, secrets);
    assert.deepEqual(leaks, [], 'secrets found in the log');
    assert.doesNotMatch(logs, /AIza[0-9A-Za-z_-]{35}/, 'no Google-shaped key in the log');
  });
});
