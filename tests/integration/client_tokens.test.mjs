// Client tokens (SPEC §4): the /api/v1/tokens admin routes, and every limit a token carries as
// the real `openai`, `@google/genai` and `@anthropic-ai/sdk` clients see it. For each refusal the
// SDK must surface the right error class and status, and the fake upstream must see nothing of
// the request. Usage and the daily quotas survive a restart; a token's value appears only in the
// answer that created or rotated it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';

import { findLeaks, randomToken, request, startPoise, startStack, waitFor } from './lib/harness.mjs';
import { genaiClient, nativeCall, upstreamWith } from './lib/gemini.mjs';

const POOL = [randomToken('tk-a'), randomToken('tk-b')];
const ALIASES = { 'gpt-4o-mini': 'gemini-2.5-flash', 'old-model': 'gemini-2.0-flash' };

let stack;
let poise;
let fake;
// Every token value minted in this file, for the canary sweep at the end.
const minted = {};

before(async () => {
  // Large key buckets: the bursts here test the token's limits, not the keys'.
  stack = await startStack({
    keys: POOL,
    config: {
      model_aliases: JSON.stringify(ALIASES),
      token_bucket_default_capacity: 1000,
      token_bucket_default_refill_rate: 100,
    },
  });
  ({ poise, fake } = stack);
});

after(async () => {
  if (stack) await stack.stop();
});

/** Creates a token; returns {id, value, body}. */
async function createToken(fields) {
  const res = await poise.admin('POST', '/api/v1/tokens', { name: randomToken('app'), ...fields });
  assert.equal(res.status, 201, res.text);
  assert.match(res.body.token, /^gp_[A-Za-z0-9_-]{43}$/);
  minted[`token ${res.body.id}`] = res.body.token;
  return { id: res.body.id, value: res.body.token, body: res.body };
}

function openai(token) {
  return new OpenAI({ baseURL: `${poise.url}/v1`, apiKey: token, maxRetries: 0 });
}
function anthropic(token) {
  return new Anthropic({ baseURL: poise.url, apiKey: token, maxRetries: 0 });
}

async function chat(token, marker, model = 'gemini-2.5-flash') {
  return openai(token).chat.completions.create({
    model,
    messages: [{ role: 'user', content: `hello ${marker}` }],
  });
}

/** Runs `fn`, expects it to throw an SDK error of `cls` with `status`; returns the error. */
async function refused(fn, cls, status) {
  const err = await fn().then(() => null, (e) => e);
  assert.ok(err, `expected a ${status} refusal`);
  assert.ok(err instanceof cls, `${err?.constructor?.name}: ${err?.message}`);
  assert.equal(err.status, status, err.message);
  return err;
}

async function nothingUpstream(marker) {
  assert.deepEqual(await upstreamWith(fake, marker), [], `nothing with ${marker} reached the upstream`);
}

async function tokenRow(id) {
  const res = await poise.admin('GET', `/api/v1/tokens/${id}`);
  assert.equal(res.status, 200, res.text);
  return res.body;
}

describe('the admin routes', () => {
  it('create shows the value once; list and read show the prefix only', async () => {
    const { id, value, body } = await createToken({
      note: 'ci job', allowed_models: ['gemini-2.5-*'], allowed_protocols: ['openai', 'native'],
      rpm_limit: 100, daily_request_quota: 1000, daily_token_quota: 500000,
      allowed_cidrs: ['127.0.0.0/8', '::1'],
    });
    assert.equal(body.prefix, value.slice(0, 10));
    assert.equal(body.enabled, true);
    assert.equal(body.owner, 'admin');
    assert.deepEqual(body.allowed_protocols, ['openai', 'native']);
    assert.deepEqual(body.usage, {
      requests: 0, errors: 0, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0,
      today: { requests: 0, tokens: 0 },
    });
    const one = await poise.admin('GET', `/api/v1/tokens/${id}`);
    const list = await poise.admin('GET', '/api/v1/tokens?page=1&page_size=100');
    assert.equal(list.status, 200, list.text);
    assert.ok(list.body.total >= 1);
    assert.ok(list.body.items.some((t) => t.id === id && t.prefix === body.prefix));
    for (const res of [one, list]) {
      assert.ok(!res.text.includes(value), 'the value is not shown again');
      assert.equal(res.body.token, undefined);
    }
    const search = await poise.admin('GET', `/api/v1/tokens?search=${encodeURIComponent(body.name)}`);
    assert.deepEqual(search.body.items.map((t) => t.id), [id]);
  });

  it('refuses bad fields with 422 in the admin envelope, and unknown ids with 404', async () => {
    const cases = [
      [{ name: '' }, /name/],
      [{ name: 'x', rpm: 5 }, /unknown field 'rpm'/],
      [{ name: 'x', rpm_limit: 0 }, /rpm_limit/],
      [{ name: 'x', rpm_limit: 1.5 }, /rpm_limit/],
      [{ name: 'x', allowed_models: ['gemini 2.5'] }, /allowed_models/],
      [{ name: 'x', allowed_protocols: ['grpc'] }, /allowed_protocols/],
      [{ name: 'x', allowed_cidrs: ['10.0.0.0/33'] }, /allowed_cidrs/],
      [{ name: 'x', allowed_cidrs: ['10.0.0.1,10.0.0.2'] }, /allowed_cidrs/],
      [{ name: 'x', expires_at: 'tomorrow' }, /expires_at/],
      [{ name: 'x', owner_id: 99999 }, /owner_id/],
    ];
    for (const [body, detail] of cases) {
      const res = await poise.admin('POST', '/api/v1/tokens', body);
      assert.equal(res.status, 422, `${JSON.stringify(body)} → ${res.text}`);
      assert.equal(res.body.code, 'validation_error');
      assert.match(res.body.detail, detail);
    }
    for (const [method, path] of [['GET', '/api/v1/tokens/424242'], ['PUT', '/api/v1/tokens/424242'],
      ['POST', '/api/v1/tokens/424242/rotate'], ['DELETE', '/api/v1/tokens/abc']]) {
      const res = await poise.admin(method, path, method === 'PUT' ? { note: 'x' } : undefined);
      assert.equal(res.status, 404, `${method} ${path} → ${res.text}`);
      assert.equal(res.body.code, 'not_found');
    }
  });

  it('update, disable, enable, rotate and delete take effect on the next request', async () => {
    const { id, value } = await createToken({});
    assert.equal((await chat(value, 'upd-1')).choices[0].message.content, 'echo: hello upd-1');

    const put = await poise.admin('PUT', `/api/v1/tokens/${id}`, { name: 'renamed', allowed_models: ['none-*'] });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.name, 'renamed');
    await refused(() => chat(value, 'upd-2'), OpenAI.PermissionDeniedError, 403);

    await poise.admin('PUT', `/api/v1/tokens/${id}`, { allowed_models: [] });
    const off = await poise.admin('POST', `/api/v1/tokens/${id}/disable`);
    assert.equal(off.body.enabled, false);
    const err = await refused(() => chat(value, 'upd-3'), OpenAI.AuthenticationError, 401);
    assert.match(err.message, /disabled/);
    const on = await poise.admin('POST', `/api/v1/tokens/${id}/enable`);
    assert.equal(on.body.enabled, true);
    assert.equal((await chat(value, 'upd-4')).object, 'chat.completion');

    const rotated = await poise.admin('POST', `/api/v1/tokens/${id}/rotate`);
    assert.equal(rotated.status, 200, rotated.text);
    const next = rotated.body.token;
    minted[`rotated ${id}`] = next;
    assert.notEqual(next, value);
    assert.equal(rotated.body.prefix, next.slice(0, 10));
    await refused(() => chat(value, 'upd-5'), OpenAI.AuthenticationError, 401);
    assert.equal((await chat(next, 'upd-6')).object, 'chat.completion');

    const del = await poise.admin('DELETE', `/api/v1/tokens/${id}`);
    assert.equal(del.status, 204, del.text);
    await refused(() => chat(next, 'upd-7'), OpenAI.AuthenticationError, 401);
    await nothingUpstream('upd-2');
    await nothingUpstream('upd-3');
    await nothingUpstream('upd-5');
    await nothingUpstream('upd-7');

    const audit = await poise.admin('GET', '/api/v1/audit');
    assert.equal(audit.status, 200, audit.text);
    const actions = JSON.stringify(audit.body);
    for (const a of ['token.create', 'token.update', 'token.disable', 'token.enable', 'token.rotate',
      'token.delete']) {
      assert.ok(actions.includes(a), `${a} is audited`);
    }
    assert.deepEqual(findLeaks(audit.text, { value, next }), []);
  });
});

describe('through the SDKs', () => {
  it('an allowed token works on all three protocols, with the api_token still the default', async () => {
    const { value } = await createToken({ allowed_models: ['gemini-2.5-*'] });
    assert.equal((await chat(value, 'ok-oa', 'gpt-4o-mini')).choices[0].message.content, 'echo: hello ok-oa');
    const msg = await anthropic(value).messages.create({
      model: 'gemini-2.5-flash', max_tokens: 50, messages: [{ role: 'user', content: 'hi ok-an' }],
    });
    assert.equal(msg.type, 'message');
    const res = await genaiClient(poise.url, value).models.generateContent({
      model: 'gemini-2.5-flash', contents: 'hi ok-ge',
    });
    assert.match(res.text, /ok-ge/);
    // The other two carriers of SPEC §1.2: ?key= and Authorization: Bearer on a native call.
    for (const auth of ['key', 'bearer']) {
      const r = await nativeCall(poise.url, { token: value, auth, text: `ok-${auth}` });
      assert.equal(r.status, 200, `${auth}: ${r.text}`);
    }
    // The config api_token has no limits and no model list.
    assert.equal((await chat(poise.gatewayToken, 'ok-default', 'old-model')).object, 'chat.completion');
  });

  it('an unknown, expired or disabled token is 401 in each protocol', async () => {
    const expired = await createToken({ expires_at: new Date(Date.now() - 1000).toISOString() });
    const disabled = await createToken({ enabled: false });
    const unknown = `gp_${'A'.repeat(43)}`;
    for (const [token, why] of [[unknown, /not valid/], [expired.value, /expired/], [disabled.value, /disabled/]]) {
      const e1 = await refused(() => chat(token, 'dead-oa'), OpenAI.AuthenticationError, 401);
      assert.match(e1.message, why);
      await refused(() => anthropic(token).messages.create({
        model: 'gemini-2.5-flash', max_tokens: 5, messages: [{ role: 'user', content: 'dead-an' }],
      }), Anthropic.AuthenticationError, 401);
      const e3 = await genaiClient(poise.url, token).models.generateContent({
        model: 'gemini-2.5-flash', contents: 'dead-ge',
      }).then(() => null, (e) => e);
      assert.equal(e3?.status, 401, String(e3));
      assert.match(e3.message, /UNAUTHENTICATED|not valid|expired|disabled/);
    }
    for (const m of ['dead-oa', 'dead-an', 'dead-ge']) await nothingUpstream(m);
  });

  it('a model outside the patterns is 403, checked after alias resolution', async () => {
    const { value } = await createToken({ allowed_models: ['gemini-2.5-*'] });
    // "old-model" is an alias of gemini-2.0-flash: the pattern sees the Gemini model.
    const e = await refused(() => chat(value, 'deny-alias', 'old-model'), OpenAI.PermissionDeniedError, 403);
    assert.match(e.message, /gemini-2\.0-flash/);
    await refused(() => anthropic(value).messages.create({
      model: 'gemini-2.0-flash', max_tokens: 5, messages: [{ role: 'user', content: 'deny-an' }],
    }), Anthropic.PermissionDeniedError, 403);
    const native = await nativeCall(poise.url, { token: value, model: 'gemini-2.0-flash', text: 'deny-native' });
    assert.equal(native.status, 403, native.text);
    assert.equal(native.body.error.status, 'PERMISSION_DENIED');
    const emb = await openai(value).embeddings.create({ model: 'text-embedding-004', input: 'deny-emb' })
      .then(() => null, (err) => err);
    assert.equal(emb?.status, 403);
    // A native call that names its model in the body (Google's OpenAI-compatible surface).
    const compat = await request(`${poise.url}/v1beta/openai/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${value}` },
      body: { model: 'gemini-2.0-flash', messages: [{ role: 'user', content: 'deny-body' }] },
    });
    assert.equal(compat.status, 403, compat.text);
    // A huge model name in a body is neither echoed nor logged whole.
    const huge = `deny-huge-${'x'.repeat(200000)}`;
    const big = await request(`${poise.url}/v1beta/openai/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${value}` },
      body: { model: huge, messages: [{ role: 'user', content: 'deny-huge' }] },
    });
    assert.equal(big.status, 403, big.text.slice(0, 300));
    assert.ok(big.text.length < 1000, `a short answer (${big.text.length} bytes)`);
    const compatLines = () => poise.logs().split('\n')
      .filter((l) => l.includes('path=/v1beta/openai/chat/completions'));
    await waitFor(async () => compatLines().length >= 2, { what: 'both access lines' });
    assert.ok(!poise.logs().includes('deny-huge-xxxxxxxx'), 'the huge model is not logged');
    for (const l of compatLines()) assert.ok(l.length < 4000, `a bounded log line (${l.length} bytes)`);
    for (const m of ['deny-alias', 'deny-an', 'deny-native', 'deny-emb', 'deny-body']) {
      await nothingUpstream(m);
    }
  });

  it('a protocol or a client address the token does not allow is 403', async () => {
    const native = await createToken({ allowed_protocols: ['native'] });
    await refused(() => chat(native.value, 'proto-oa'), OpenAI.PermissionDeniedError, 403);
    await refused(() => anthropic(native.value).messages.create({
      model: 'gemini-2.5-flash', max_tokens: 5, messages: [{ role: 'user', content: 'proto-an' }],
    }), Anthropic.PermissionDeniedError, 403);
    const ok = await genaiClient(poise.url, native.value).models.generateContent({
      model: 'gemini-2.5-flash', contents: 'proto-ge',
    });
    assert.match(ok.text, /proto-ge/);

    const elsewhere = await createToken({ allowed_cidrs: ['10.0.0.0/8'] });
    const e = await refused(() => chat(elsewhere.value, 'cidr-oa'), OpenAI.PermissionDeniedError, 403);
    assert.match(e.message, /address/);
    const here = await createToken({ allowed_cidrs: ['127.0.0.1/32', '::1'] });
    assert.equal((await chat(here.value, 'cidr-ok')).object, 'chat.completion');
    for (const m of ['proto-oa', 'proto-an', 'cidr-oa']) await nothingUpstream(m);
  });

  it('the RPM limit answers 429 with Retry-After, and a parallel burst admits the limit', async () => {
    const { id, value } = await createToken({ rpm_limit: 10 });
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) =>
      request(`${poise.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${value}` },
        body: { model: 'gemini-2.5-flash', messages: [{ role: 'user', content: `burst-${i}` }] },
      })));
    const ok = results.filter((r) => r.status === 200).length;
    const limited = results.filter((r) => r.status === 429);
    assert.ok(ok >= 9 && ok <= 11, `about 10 admitted (got ${ok})`);
    assert.equal(ok + limited.length, 25);
    for (const r of limited) {
      const wait = Number(r.headers.get('retry-after'));
      assert.ok(wait >= 1 && wait <= 60, `Retry-After ${r.headers.get('retry-after')}`);
      assert.equal(r.body.error.type, 'rate_limit_error');
    }
    const upstream = (await fake.requests()).filter((r) => (r.body ?? '').includes('burst-'));
    assert.equal(upstream.length, ok, 'only admitted requests reached the upstream');
    const err = await refused(() => chat(value, 'rpm-sdk'), OpenAI.RateLimitError, 429);
    assert.match(err.message, /10 requests per minute/);
    await nothingUpstream('rpm-sdk');
    await waitFor(async () => (await tokenRow(id)).usage.today.requests === ok,
      { what: 'today.requests counts the admitted requests' });
  });

  it('the daily request quota and the daily token quota answer 429 in each protocol', async () => {
    const requests = await createToken({ daily_request_quota: 2 });
    await chat(requests.value, 'quota-1');
    await chat(requests.value, 'quota-2');
    const e = await refused(() => chat(requests.value, 'quota-3'), OpenAI.RateLimitError, 429);
    assert.match(e.message, /daily quota of 2 requests/);
    const wait = Number(e.headers.get('retry-after'));
    assert.ok(wait >= 1 && wait <= 86400, `Retry-After ${wait}`);
    await refused(() => anthropic(requests.value).messages.create({
      model: 'gemini-2.5-flash', max_tokens: 5, messages: [{ role: 'user', content: 'quota-an' }],
    }), Anthropic.RateLimitError, 429);
    await nothingUpstream('quota-3');
    await nothingUpstream('quota-an');

    const tokens = await createToken({ daily_token_quota: 5 });
    const first = await genaiClient(poise.url, tokens.value).models.generateContent({
      model: 'gemini-2.5-flash', contents: 'tokens-1 with a few more words to count',
    });
    const used = first.usageMetadata.promptTokenCount + first.usageMetadata.candidatesTokenCount;
    assert.ok(used >= 5, `the first call uses the quota (${used} tokens)`);
    await waitFor(async () => (await tokenRow(tokens.id)).usage.today.tokens === used,
      { what: 'today.tokens counts the upstream usage' });
    const e2 = await genaiClient(poise.url, tokens.value).models.generateContent({
      model: 'gemini-2.5-flash', contents: 'tokens-2',
    }).then(() => null, (err) => err);
    assert.equal(e2?.status, 429, String(e2));
    assert.match(e2.message, /daily quota of 5 tokens/);
    await nothingUpstream('tokens-2');
  });
});

describe('usage', () => {
  it('is counted per token off the request path and survives a restart with the quotas', async () => {
    const own = await startStack({ keys: [randomToken('tk-r')] });
    try {
      const first = own.poise;
      const res = await first.admin('POST', '/api/v1/tokens', { name: 'restart', daily_request_quota: 3 });
      assert.equal(res.status, 201, res.text);
      const { id, token } = res.body;
      minted.restart = token;
      for (const m of ['r-1', 'r-2']) {
        const r = await nativeCall(first.url, { token, text: m });
        assert.equal(r.status, 200, r.text);
      }
      const bad = await nativeCall(first.url, { token, model: 'bad model!', text: 'r-bad' });
      assert.equal(bad.status, 400);
      await waitFor(async () => (await first.admin('GET', `/api/v1/tokens/${id}`)).body.usage.requests === 3,
        { what: 'usage flushed' });
      const row = (await first.admin('GET', `/api/v1/tokens/${id}`)).body;
      assert.equal(row.usage.errors, 1);
      assert.ok(row.usage.prompt_tokens > 0 && row.usage.completion_tokens > 0);
      assert.ok(row.last_used_at);

      first.signal('SIGTERM');
      assert.equal((await first.exited).code, 0);
      const second = await startPoise({
        upstreamUrl: own.fake.url,
        env: {
          DATABASE_URL: first.databaseUrl ?? `sqlite:///${first.dataDir}/poise.db`,
          POISE_SECRET_KEY: readFileSync(join(first.dataDir, 'secret.key'), 'utf8').trim(),
        },
        adminPassword: first.adminPassword,
      });
      try {
        const after = (await second.admin('GET', `/api/v1/tokens/${id}`)).body;
        assert.equal(after.usage.requests, 3);
        assert.equal(after.usage.today.requests, 2, 'the two admitted requests');
        const third = await nativeCall(second.url, { token, text: 'r-3' });
        assert.equal(third.status, 200, third.text);
        const fourth = await nativeCall(second.url, { token, text: 'r-4' });
        assert.equal(fourth.status, 429, 'the daily quota remembers the first gateway');
        assert.equal(fourth.body.error.status, 'RESOURCE_EXHAUSTED');
        assert.deepEqual(findLeaks(second.logs(), { token }), []);
      } finally {
        await second.stop();
      }
      assert.deepEqual(findLeaks(first.logs(), { token }), []);
      if (!first.databaseUrl) {
        for (const f of readdirSync(first.dataDir).filter((n) => n.startsWith('poise.db'))) {
          assert.ok(!readFileSync(join(first.dataDir, f)).includes(token), `${f} holds no token in clear`);
        }
      }
      await rm(first.dataDir, { recursive: true, force: true });
    } finally {
      await own.fake.stop();
    }
  });
});

describe('canary', () => {
  it('no token value appears in the logs or in the SQLite files', async () => {
    assert.ok(Object.keys(minted).length >= 10, 'the tests above minted tokens');
    assert.deepEqual(findLeaks(poise.logs(), minted), []);
    if (!poise.databaseUrl) {
      const files = readdirSync(poise.dataDir).filter((f) => f.startsWith('poise.db'));
      assert.ok(files.length > 0);
      for (const f of files) {
        const bytes = readFileSync(join(poise.dataDir, f)).toString('latin1');
        assert.deepEqual(findLeaks(bytes, minted), [], `${f}`);
      }
    }
  });
});
