// The real @google/genai SDK against the gateway, for both API versions it can speak, plus raw
// native calls with the other ways a client may carry the gateway token.
//
// IT_DIRECT_FAKE=1 points the same tests straight at the fake upstream (no gateway): a check of
// the harness and of the fake itself while the gateway is not built.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '@google/genai';

import { startFake, startStack, queryParams, randomToken } from './lib/harness.mjs';
import {
  EMBED_MODEL, MODEL, candidateText, drain, genaiClient, nativeCall, sseEvents,
} from './lib/gemini.mjs';

const DIRECT = process.env.IT_DIRECT_FAKE === '1';
// Four keys, so bursts of requests never drain one key's token bucket.
const POOL = [randomToken('sdk-a'), randomToken('sdk-b'), randomToken('sdk-c'), randomToken('sdk-d')];

let stack;
let fake;
let base;
let token;

before(async () => {
  if (DIRECT) {
    fake = await startFake();
    base = fake.url;
    token = POOL[0];
  } else {
    stack = await startStack({ keys: POOL });
    fake = stack.fake;
    base = stack.poise.url;
    token = stack.poise.gatewayToken;
  }
});

after(async () => {
  if (stack) await stack.stop();
  else if (fake) await fake.stop();
});

/** Upstream requests whose body carries the marker (each test uses its own). */
async function upstreamWith(marker) {
  return (await fake.requests()).filter((r) => JSON.stringify(r.body ?? '').includes(marker));
}

/** In gateway mode: the upstream saw a pool key in x-goog-api-key, and nothing else of ours. */
function assertUpstreamCredentials(rec) {
  if (DIRECT) return;
  const headerKey = rec.headers['x-goog-api-key'];
  assert.ok(POOL.includes(headerKey), `upstream x-goog-api-key is a pool key (got ${headerKey})`);
  assert.equal(queryParams(rec).get('key'), null, 'no key in the upstream query');
  assert.ok(!JSON.stringify(rec).includes(token), 'gateway token never reaches the upstream');
}

for (const apiVersion of ['v1beta', 'v1']) {
  describe(`@google/genai 3.3.0, apiVersion ${apiVersion}`, () => {
    const ai = () => genaiClient(base, token, apiVersion);

    it('generateContent returns text and reaches the upstream on the same version', async () => {
      const marker = randomToken('gen');
      const res = await ai().models.generateContent({ model: MODEL, contents: `say hi ${marker}` });
      assert.equal(typeof res.text, 'string');
      assert.ok(res.text.length > 0, 'non-empty text');
      assert.ok(res.candidates?.length >= 1);
      const seen = await upstreamWith(marker);
      assert.equal(seen.length, 1, 'exactly one upstream attempt');
      assert.equal(seen[0].method, 'POST');
      assert.equal(seen[0].path, `/${apiVersion}/models/${MODEL}:generateContent`);
      assertUpstreamCredentials(seen[0]);
    });

    it('generateContentStream yields chunks whose text equals the non-stream text', async () => {
      const prompt = `tell me a story ${randomToken('stream')}`;
      const whole = await ai().models.generateContent({ model: MODEL, contents: prompt });
      const stream = await ai().models.generateContentStream({ model: MODEL, contents: prompt });
      const { chunks, error, timedOut } = await drain(stream);
      assert.equal(timedOut, false, 'stream ends');
      assert.equal(error, undefined, `stream completes without error: ${error}`);
      assert.ok(chunks.length >= 1, 'at least one chunk');
      assert.equal(chunks.map((c) => c.text ?? '').join(''), whole.text);
      const last = chunks.at(-1);
      assert.equal(last.candidates?.[0]?.finishReason, 'STOP', 'last chunk has finishReason');
      const seen = (await fake.requests()).filter(
        (r) => r.path.endsWith(':streamGenerateContent') && JSON.stringify(r.body ?? '').includes(prompt));
      assert.equal(seen.length, 1);
      assert.equal(seen[0].path, `/${apiVersion}/models/${MODEL}:streamGenerateContent`);
      assert.equal(queryParams(seen[0]).get('alt'), 'sse');
      assertUpstreamCredentials(seen[0]);
    });

    it('countTokens returns a positive totalTokens', async () => {
      const res = await ai().models.countTokens({ model: MODEL, contents: 'count these words' });
      assert.equal(typeof res.totalTokens, 'number');
      assert.ok(res.totalTokens > 0);
    });

    it('embedContent (sent as :batchEmbedContents) returns one embedding per input', async () => {
      const marker = randomToken('emb');
      const res = await ai().models.embedContent({
        model: EMBED_MODEL, contents: [`first ${marker}`, `second ${marker}`],
      });
      assert.equal(res.embeddings?.length, 2);
      for (const e of res.embeddings) {
        assert.ok(Array.isArray(e.values) && e.values.length > 0, 'non-empty vector');
        assert.ok(e.values.every((v) => typeof v === 'number' && Number.isFinite(v)));
      }
      const one = await ai().models.embedContent({ model: EMBED_MODEL, contents: 'single' });
      assert.equal(one.embeddings?.length, 1);
      const seen = await upstreamWith(marker);
      assert.equal(seen.length, 1);
      assert.equal(seen[0].path, `/${apiVersion}/models/${EMBED_MODEL}:batchEmbedContents`);
      assertUpstreamCredentials(seen[0]);
    });

    it('models.get returns the Gemini model object', async () => {
      const m = await ai().models.get({ model: MODEL });
      assert.equal(m.name, `models/${MODEL}`);
      assert.equal(typeof m.displayName, 'string');
      assert.ok(m.inputTokenLimit > 0);
    });

    it('models.list pager walks every page', async () => {
      const pager = await ai().models.list({ config: { pageSize: 2 } });
      const names = [];
      for await (const m of pager) names.push(m.name);
      assert.ok(names.includes(`models/${MODEL}`), `list contains ${MODEL}: ${names}`);
      assert.ok(names.length > 2, `more than one page was walked (${names.length} models)`);
      assert.equal(new Set(names).size, names.length, 'no model repeated across pages');
      const listCalls = (await fake.requests()).filter(
        (r) => r.method === 'GET' && r.path === `/${apiVersion}/models`);
      assert.ok(listCalls.some((r) => queryParams(r).get('pageToken')),
        'the page token travelled to the upstream');
      for (const r of listCalls) assertUpstreamCredentials(r);
    });

    it('an unknown model is an ApiError 404 carrying the upstream message', async () => {
      await assert.rejects(
        ai().models.generateContent({ model: 'gemini-0-nonexistent', contents: 'x' }),
        (err) => {
          assert.ok(err instanceof ApiError, `ApiError, got ${err?.constructor?.name}`);
          assert.equal(err.status, 404);
          assert.match(err.message, /NOT_FOUND/);
          return true;
        });
    });
  });
}

describe('raw native calls with the other token carriers', () => {
  for (const version of ['v1beta', 'v1']) {
    it(`${version}: ?key= carries the token`, async () => {
      const marker = randomToken('qkey');
      const res = await nativeCall(base, { version, token, auth: 'key', text: marker });
      assert.equal(res.status, 200, res.text);
      assert.ok(candidateText(res.body).length > 0);
      const [rec] = await upstreamWith(marker);
      assert.ok(rec, 'request reached the upstream');
      assertUpstreamCredentials(rec);
    });
  }

  it('Authorization: Bearer carries the token on a native route', { skip: DIRECT }, async () => {
    const marker = randomToken('bearer');
    const res = await nativeCall(base, { token, auth: 'bearer', text: marker });
    assert.equal(res.status, 200, res.text);
    assert.ok(candidateText(res.body).length > 0);
    const [rec] = await upstreamWith(marker);
    assertUpstreamCredentials(rec);
    assert.equal(rec.headers.authorization, undefined, 'client Authorization is not forwarded');
  });

  it('x-api-key carries the token on a native route', { skip: DIRECT }, async () => {
    const res = await nativeCall(base, { token, auth: 'x-api-key', text: randomToken('xak') });
    assert.equal(res.status, 200, res.text);
  });

  it('raw streamGenerateContent?alt=sse&key= relays well-formed SSE', async () => {
    const res = await nativeCall(base, {
      method: 'streamGenerateContent', token, auth: 'key', query: { alt: 'sse' },
      text: randomToken('rawsse'),
    });
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events = sseEvents(res.text);
    assert.ok(events.length >= 1);
    assert.ok(events.every((e) => e.candidates && !e.error));
    assert.equal(events.at(-1).candidates[0].finishReason, 'STOP');
    assert.match(res.text, /(\r\n\r\n|\n\n)$/, 'every event ends with a blank line');
  });

  it('GET /v1beta/models?key= returns the Gemini list shape', async () => {
    const res = await fetch(`${base}/v1beta/models?key=${encodeURIComponent(token)}`);
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.ok(Array.isArray(body.models));
    assert.ok(body.models.some((m) => m.name === `models/${MODEL}`));
  });
});
