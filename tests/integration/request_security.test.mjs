// What a hostile client can put into the upstream request: model names on the translated
// routes, native paths, headers; and what a client that leaves early costs. Each case is one the
// gateway once got wrong (issue 10); the comments say what used to happen.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

import { HOST, request, startStack, waitFor } from './lib/harness.mjs';
import { MODEL, candidateText, nativeCall } from './lib/gemini.mjs';

const KEYS = ['k-alpha-0001', 'k-bravo-0002', 'k-charlie-0003'];

let stack;
let poise;
let fake;

before(async () => {
  stack = await startStack({
    keys: KEYS,
    config: {
      proxy_retry_max_count: '3',
      token_bucket_default_capacity: '1000',
      token_bucket_default_refill_rate: '100',
    },
  });
  ({ poise, fake } = stack);
});

after(async () => {
  await stack?.stop().catch(() => {});
});

/** A raw HTTP/1.1 request with the path exactly as given (fetch would normalise "..").*/
function rawRequest(path, { method = 'GET', headers = {}, body } = {}) {
  const { port } = new URL(poise.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: HOST, port, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => {
        let parsed;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode, headers: res.headers, text, body: parsed });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const chat = (model, text = 'hello', extra = {}) =>
  request(`${poise.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${poise.gatewayToken}` },
    body: { model, messages: [{ role: 'user', content: text }], ...extra },
  });

async function apiRequestCount() {
  return (await fake.requests()).length;
}

async function allKeysActive() {
  const { items } = await poise.keys();
  return items.filter((k) => k.status === 'active').length === KEYS.length;
}

describe('model names on the translated routes', () => {
  const INJECTED_KEY =
    'gemini-2.5-flash:generateContent HTTP/1.1\r\nx-goog-api-key: invalid-injected\r\nX-Pad: ';
  const SMUGGLED = 'gemini-2.5-flash:generateContent HTTP/1.1\r\nHost: x\r\n' +
    'x-goog-api-key: k-alpha-0001\r\nContent-Type: application/json\r\nContent-Length: 66\r\n\r\n' +
    '{"contents":[{"role":"user","parts":[{"text":"attacker-chosen"}]}]}\r\n' +
    'POST /v1beta/models/gemini-2.5-flash';

  it('a model holding CR/LF is a 400 in each envelope, before any key is used', async () => {
    const before = await apiRequestCount();
    const res = await chat(INJECTED_KEY);
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body?.error?.type, 'invalid_request_error', res.text);
    assert.match(res.body.error.message, /not a valid Gemini model id/);
    assert.ok(!res.body.error.message.includes('\r'), 'the name is not echoed');

    const anth = await request(`${poise.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': poise.gatewayToken, 'anthropic-version': '2023-06-01' },
      body: { model: INJECTED_KEY, max_tokens: 10, messages: [{ role: 'user', content: 'x' }] },
    });
    assert.equal(anth.status, 400, anth.text);
    assert.equal(anth.body?.type, 'error');
    assert.equal(anth.body?.error?.type, 'invalid_request_error');

    const emb = await request(`${poise.url}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${poise.gatewayToken}` },
      body: { model: 'gemini-embedding-001\r\nX: y', input: 'x' },
    });
    assert.equal(emb.status, 400, emb.text);
    const img = await request(`${poise.url}/v1/images/generations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${poise.gatewayToken}` },
      body: { model: 'gemini-2.5-flash-image\r\nX: y', prompt: 'x' },
    });
    assert.equal(img.status, 400, img.text);
    assert.equal(await apiRequestCount(), before, 'nothing reached the upstream');
  });

  it('one injected request no longer retires the pool', async () => {
    // It used to: every key it tried was answered API_KEY_INVALID (the injected header won).
    for (let i = 0; i < 3; i += 1) {
      const res = await chat(INJECTED_KEY);
      assert.equal(res.status, 400, res.text);
    }
    assert.ok(await allKeysActive(), 'every key is still active');
    const ok = await chat(MODEL, 'still served');
    assert.equal(ok.status, 200, ok.text);
  });

  it('a smuggled second request cannot hand its answer to other clients', async () => {
    // It used to leave an extra upstream answer on a pooled connection: 14-18 of the next 30
    // requests from other clients got the previous request's answer.
    const res = await chat(SMUGGLED);
    assert.equal(res.status, 400, res.text);
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) =>
      chat(MODEL, `client-${i}`)));
    answers.forEach((a, i) => {
      assert.equal(a.status, 200, a.text);
      assert.equal(a.body.choices[0].message.content, `echo: client-${i}`);
    });
  });

  it('path-like and oversized model names are refused', async () => {
    const before = await apiRequestCount();
    for (const model of ['../../v1beta/models/gemini-2.5-pro', 'models/../x', 'a/b',
      'gemini-2.5-flash?alt=sse', 'x'.repeat(200 * 1024)]) {
      const res = await chat(model);
      assert.equal(res.status, 400, `${model.slice(0, 40)}: ${res.text.slice(0, 200)}`);
      assert.equal(res.body?.error?.type, 'invalid_request_error');
    }
    assert.equal(await apiRequestCount(), before);
    // The prefixed spelling still works.
    const ok = await chat(`models/${MODEL}`);
    assert.equal(ok.status, 200, ok.text);
  });
});

describe('native paths', () => {
  const goog = () => ({ 'x-goog-api-key': poise.gatewayToken });

  it('traversal, raw or encoded, is refused and never forwarded with a key', async () => {
    const before = await apiRequestCount();
    for (const path of [
      '/v1beta/../_fake/requests',
      '/v1beta/%2e%2e/_fake/requests',
      '/v1beta/%2E%2E/_fake/requests',
      '/v1beta/models/x/../../../_fake/requests',
      '/v1beta/models/.%2e/.%2E/_fake/requests',
      '/v1beta/models%2f..%2f..%2f_fake/requests',
      '/v1beta/models/%5c..%5cx',
      '/v1beta/./models',
      '/v1beta/models//gemini-2.5-flash:generateContent',
      '/v1beta/models/%zz',
    ]) {
      const res = await rawRequest(path, { headers: goog() });
      assert.equal(res.status, 400, `${path}: ${res.text}`);
      assert.equal(res.body?.error?.status, 'INVALID_ARGUMENT', `${path}: ${res.text}`);
    }
    assert.equal(await apiRequestCount(), before, 'nothing was forwarded');
  });

  it('a malformed model in a native path is a 400', async () => {
    const res = await rawRequest('/v1beta/models/gemini%0d%0aX:generateContent', {
      method: 'POST', headers: { ...goog(), 'content-type': 'application/json' }, body: '{}',
    });
    assert.equal(res.status, 400, res.text);
  });

  it('normal native calls still pass, and x-goog-user-project is not forwarded', async () => {
    const since = await apiRequestCount();
    const res = await nativeCall(poise.url, {
      token: poise.gatewayToken, text: 'project header', headers: { 'x-goog-user-project': 'p-1' },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(candidateText(res.body), 'echo: project header');
    const recs = (await fake.requests()).slice(since);
    assert.equal(recs.length, 1);
    assert.equal(recs[0].headers['x-goog-user-project'], undefined);
  });
});

describe('a client that leaves before the answer', () => {
  /** Starts n native calls that the upstream delays, and aborts each after abortMs. */
  async function leaveEarly(n, { stream = false, abortMs = 500 } = {}) {
    const calls = Array.from({ length: n }, async (_, i) => {
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(), abortMs);
      try {
        await nativeCall(poise.url, {
          token: poise.gatewayToken,
          method: stream ? 'streamGenerateContent' : 'generateContent',
          query: stream ? { alt: 'sse' } : {},
          text: `leaver-${i} fake_delay_ms=6000`,
          signal: ac.signal,
        });
      } catch {
        // Aborted, as intended.
      } finally {
        clearTimeout(timer);
      }
    });
    await Promise.all(calls);
  }

  for (const stream of [false, true]) {
    it(`cancels its upstream call at once and retries nothing (${stream ? 'stream' : 'unary'})`,
      async () => {
        await fake.reset();
        const left = Date.now();
        await leaveEarly(10, { stream });
        // The upstream sees every one of its requests end within a second of the client leaving.
        await waitFor(async () => (await fake.stats()).active_requests === 0,
          { timeoutMs: 1500, what: 'upstream requests to end' });
        assert.ok(Date.now() - left < 2500, 'freed within a second of the aborts');
        await sleep(1000);
        const recs = await fake.requests();
        assert.equal(recs.length, 10, 'one upstream attempt per client request, no retry');
        assert.ok(recs.every((r) => r.client_aborted), 'the gateway hung up on each');
        assert.ok(await allKeysActive(), 'no key was blamed');
      });
  }
});
