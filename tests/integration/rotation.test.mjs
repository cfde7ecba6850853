// Key rotation and failure handling on the native route, against the scripted fake upstream:
// which failures switch keys, which blame a key, which are returned at once, and how broken or
// abandoned streams end. Each test runs its own gateway (fresh key pool, cooldowns and counters)
// in front of one shared fake that is reset between tests.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '@google/genai';

import { randomToken, request, startFake, startPoise, waitFor } from './lib/harness.mjs';
import {
  MODEL, OTHER_MODEL, candidateText, drain, genaiClient, nativeCall, sseEvents, textBody,
} from './lib/gemini.mjs';

// Quiet background validation (it would consume scripted responses) and roomy token buckets (so
// bursts of test requests never run a bucket dry); retries as documented.
const BASE_CONFIG = {
  proxy_retry_max_count: '3',
  key_validation_active_interval_seconds: '86400',
  key_validation_exhausted_interval_seconds: '86400',
  key_validation_error_interval_seconds: '86400',
  token_bucket_default_capacity: '1000',
  token_bucket_default_refill_rate: '100',
};

let fake;

before(async () => {
  fake = await startFake();
});

after(async () => {
  await fake?.stop();
});

beforeEach(async () => {
  await fake.reset();
});

/** Runs fn(poise) against a fresh gateway over the shared fake; stops it (exit code 0) after. */
async function withGateway({ keys, config = {} }, fn) {
  const poise = await startPoise({
    upstreamUrl: fake.url,
    keys,
    config: { ...BASE_CONFIG, ...config },
  });
  try {
    await fn(poise);
  } finally {
    await poise.stop();
  }
}

/** Upstream requests whose body contains the marker, in arrival order. */
async function attemptsFor(marker) {
  return (await fake.requests()).filter((r) => JSON.stringify(r.body ?? '').includes(marker));
}

const keyOf = (rec) => rec.headers['x-goog-api-key'];

/**
 * Sends generateContent requests (each with its own marker) until one of them was tried on
 * `key` upstream; every request must succeed. Returns the attempts of the request that hit it.
 */
async function sendUntilKeyTried(poise, key, { model = MODEL, max = 16 } = {}) {
  for (let i = 0; i < max; i++) {
    const marker = randomToken('try');
    const res = await nativeCall(poise.url, {
      model, token: poise.gatewayToken, text: marker,
    });
    assert.equal(res.status, 200, `request ${i} succeeds: ${res.text}`);
    assert.ok(candidateText(res.body).length > 0);
    const attempts = await attemptsFor(marker);
    if (attempts.some((a) => keyOf(a) === key)) return { attempts, res };
  }
  assert.fail(`key ${key.slice(0, 12)}… was never tried in ${max} requests`);
}

/**
 * The admin listing row of one key (found through reveal), once the gateway has persisted its
 * use: key state is written behind the request path, so the listing may lag by a moment. Waits
 * until `until(row)` holds (default: the key's attempts are counted), then returns the row.
 */
async function rowOf(poise, key, until = (row) => row.usage_count >= 1) {
  let row;
  try {
    await waitFor(async () => until((row = await poise.keyRow(key))), {
      timeoutMs: 5000, intervalMs: 100, what: 'the key row to be persisted',
    });
  } catch {
    // Fall through: the caller's assertion on the last row reports what was seen.
  }
  return row;
}

/** The reply the fake gives for this request when called directly with `key`. */
function direct(key, opts) {
  return nativeCall(fake.url, { token: key, auth: 'goog', ...opts });
}

describe('key-specific failures switch keys at once', () => {
  it('429 on key A: retried on B; A then cools down for that model only', async () => {
    const a = randomToken('cool-a');
    const b = randomToken('cool-b');
    await fake.script(a, [{ status: 429, retryDelay: '120s', model: MODEL }]);
    await withGateway({ keys: [a, b] }, async (poise) => {
      const { attempts } = await sendUntilKeyTried(poise, a);
      assert.deepEqual(attempts.map(keyOf), [a, b], 'A answered 429, then B served it');

      // For that model, A is now cooling down: B serves everything.
      for (let i = 0; i < 6; i++) {
        const marker = randomToken('after429');
        const res = await nativeCall(poise.url, { token: poise.gatewayToken, text: marker });
        assert.equal(res.status, 200, res.text);
        assert.deepEqual((await attemptsFor(marker)).map(keyOf), [b], 'A not used for MODEL');
      }
      // Another model is a different quota: A still serves it.
      const other = await sendUntilKeyTried(poise, a, { model: OTHER_MODEL });
      assert.deepEqual(other.attempts.map(keyOf), [a], 'A served the other model at once');
      const row = await rowOf(poise, a);
      assert.equal(row.status, 'active', 'a per-model cooldown leaves the key active');

      // The cooldown is visible through the key detail API: that model only, with its end time.
      const detail = await poise.admin('GET', `/api/v1/api_keys/${row.id}/detail`);
      assert.equal(detail.status, 200, detail.text);
      assert.equal(detail.body.live.status, 'active');
      assert.deepEqual(detail.body.live.cooldowns.map((c) => c.model), [MODEL]);
      const until = Date.parse(detail.body.live.cooldowns[0].until);
      assert.ok(until > Date.now() + 100_000 && until <= Date.now() + 121_000,
        `cools until RetryInfo's 120 s (got ${detail.body.live.cooldowns[0].until})`);
      assert.equal(JSON.stringify(detail.body).includes(a), false, 'the detail never shows the key');
    });
  });

  // API_KEY_INVALID retires a key at once; a 401 or 403 after key_validation_max_failed_count
  // of them in a row (here 1; key_intelligence.test.mjs covers the default 3).
  const ONE = { key_validation_max_failed_count: '1' };
  const rejections = [
    { name: '400 API_KEY_INVALID', key: () => `invalid-${randomToken('k')}`, script: null },
    { name: '401', key: () => randomToken('k401'), script: { status: 401, times: -1 }, config: ONE },
    {
      name: '403 (forbidden- key)', key: () => `forbidden-${randomToken('k')}`, script: null,
      config: ONE,
    },
    {
      name: '403 (scripted)', key: () => randomToken('k403'), script: { status: 403, times: -1 },
      config: ONE,
    },
  ];
  for (const { name, key: makeKey, script, config } of rejections) {
    it(`${name}: the request succeeds on another key and the key is marked error`, async () => {
      const bad = makeKey();
      const good = randomToken('good');
      if (script) await fake.script(bad, [script]);
      await withGateway({ keys: [bad, good], config }, async (poise) => {
        const { attempts } = await sendUntilKeyTried(poise, bad);
        assert.deepEqual(attempts.map(keyOf), [bad, good]);
        const row = await rowOf(poise, bad, (r) => r.status === 'error');
        assert.equal(row.status, 'error', `a ${name} marks the key error`);
        // The change is in the key's history, with its reason.
        const detail = await poise.admin('GET', `/api/v1/api_keys/${row.id}/detail`);
        assert.equal(detail.status, 200, detail.text);
        assert.equal(detail.body.live.status, 'error');
        const change = detail.body.status_history[0];
        assert.equal(change.from_status, 'active');
        assert.equal(change.to_status, 'error');
        assert.ok(change.reason.length > 0, 'the history says why');
        // An error key is no longer picked.
        for (let i = 0; i < 4; i++) {
          const marker = randomToken('post');
          const res = await nativeCall(poise.url, { token: poise.gatewayToken, text: marker });
          assert.equal(res.status, 200, res.text);
          assert.deepEqual((await attemptsFor(marker)).map(keyOf), [good]);
        }
      });
    });
  }
});

describe('transient upstream failures', () => {
  const transients = [
    { name: '503', key: () => `overloaded-${randomToken('k')}` },
    { name: '500', key: () => `internal-${randomToken('k')}` },
    // A reset on a pooled keep-alive connection looks like a stale connection, and the gateway
    // may replay the attempt once on a fresh connection with the same key before moving on.
    { name: 'connection reset', key: () => `reset-${randomToken('k')}`, replay: true },
    {
      name: 'scripted reset',
      key: () => randomToken('sreset'),
      script: { action: 'reset', times: -1 },
      replay: true,
    },
  ];
  for (const { name, key: makeKey, script, replay } of transients) {
    it(`${name}: next key after a short backoff; the key stays active`, async () => {
      const bad = makeKey();
      const good = randomToken('good');
      if (script) await fake.script(bad, [script]);
      await withGateway({ keys: [bad, good] }, async (poise) => {
        const started = Date.now();
        const { attempts } = await sendUntilKeyTried(poise, bad);
        const keys = attempts.map(keyOf);
        if (replay && keys.length === 3) {
          assert.deepEqual(keys, [bad, bad, good], 'at most one same-key replay, then B');
        } else {
          assert.deepEqual(keys, [bad, good]);
        }
        assert.ok(Date.now() - started < 10000, 'the backoff is short');
        const row = await rowOf(poise, bad);
        assert.equal(row.status, 'active', `one ${name} does not disable the key`);
      });
    });
  }
});

describe('client errors are returned at once, and no key is blamed', () => {
  const cases = [
    {
      name: 'unknown model → 404',
      status: 404,
      opts: (marker) => ({ model: 'gemini-0-nonexistent', text: marker }),
      path: ':generateContent',
    },
    {
      name: 'malformed JSON body → 400',
      status: 400,
      opts: (marker) => ({ body: `{"contents": [ {"parts": [ {"text": "${marker}"` }),
      path: ':generateContent',
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const keys = [randomToken('ce-a'), randomToken('ce-b')];
      await withGateway({ keys }, async (poise) => {
        const expected = await direct(keys[0], c.opts(randomToken('ref')));
        assert.equal(expected.status, c.status, `the fake answers ${c.status} directly`);
        // The marker may not survive in a malformed body the fake cannot parse, so count
        // attempts by path across the gateway call.
        const before = (await fake.requests()).length;
        const res = await nativeCall(poise.url, {
          token: poise.gatewayToken, ...c.opts(randomToken('ce')),
        });
        const during = (await fake.requests()).slice(before).filter((r) => r.path.includes(c.path));
        assert.equal(res.status, c.status, res.text);
        assert.equal(during.length, 1, 'exactly one upstream attempt');
        assert.equal(res.text, expected.text, 'the upstream body is passed through unchanged');
        assert.match(res.headers.get('content-type') ?? '', /application\/json/);
        // Wait until the attempt is persisted (usage counted), so the check below means something.
        let items = [];
        await waitFor(async () => {
          ({ items } = await poise.keys());
          return items.reduce((n, i) => n + (i.usage_count ?? 0), 0) >= 1;
        }, { timeoutMs: 5000, intervalMs: 100, what: 'the attempt to be counted' });
        for (const item of items) {
          assert.equal(item.failed_count, 0, `key ${item.id} not blamed`);
          assert.equal(item.status, 'active');
        }
      });
    });
  }
});

describe('when every key fails', () => {
  it('the client gets the last upstream error, status and body unchanged', async () => {
    const keys = [`overloaded-${randomToken('k')}`, `internal-${randomToken('k')}`];
    await withGateway({ keys }, async (poise) => {
      const marker = randomToken('allfail');
      const res = await nativeCall(poise.url, { token: poise.gatewayToken, text: marker });
      const attempts = await attemptsFor(marker);
      assert.deepEqual(attempts.map(keyOf).sort(), [...keys].sort(),
        'each key tried once, none twice');
      const last = keyOf(attempts.at(-1));
      const expected = await direct(last, { text: randomToken('ref') });
      assert.equal(res.status, expected.status, `status of the last attempt (${res.text})`);
      assert.equal(res.text, expected.text, 'body of the last attempt, unchanged');
    });
  });

  it('429 from every key: the quota error is returned unchanged', async () => {
    const keys = [`quota-${randomToken('k')}`, `quota-${randomToken('k')}`];
    await withGateway({ keys }, async (poise) => {
      const marker = randomToken('allquota');
      const res = await nativeCall(poise.url, { token: poise.gatewayToken, text: marker });
      assert.equal((await attemptsFor(marker)).length, 2);
      const expected = await direct(keys[0], { text: randomToken('ref') });
      assert.equal(res.status, 429, res.text);
      assert.equal(res.text, expected.text);
    });
  });

  it('proxy_retry_max_count bounds the attempts', async () => {
    const keys = [1, 2, 3, 4].map(() => `overloaded-${randomToken('k')}`);
    await withGateway({ keys, config: { proxy_retry_max_count: '1' } }, async (poise) => {
      const marker = randomToken('bounded');
      const res = await nativeCall(poise.url, { token: poise.gatewayToken, text: marker });
      assert.equal(res.status, 503, res.text);
      const attempts = await attemptsFor(marker);
      assert.equal(attempts.length, 2, 'one attempt plus one retry');
      assert.notEqual(keyOf(attempts[0]), keyOf(attempts[1]), 'the retry uses another key');
    });
  });
});

describe('streams', () => {
  const broken = [
    { name: 'upstream drops the connection mid-stream', key: () => `midstream-${randomToken('k')}` },
    {
      name: 'scripted midstream_reset',
      key: () => randomToken('msr'),
      script: { action: 'midstream_reset' },
    },
    { name: 'upstream sends an error event mid-stream', key: () => `midstreamerr-${randomToken('k')}` },
  ];
  for (const { name, key: makeKey, script } of broken) {
    it(`${name}: not retried; the SDK iterator throws an ApiError`, async () => {
      const key = makeKey();
      if (script) await fake.script(key, [script]);
      await withGateway({ keys: [key] }, async (poise) => {
        const marker = randomToken('mid');
        const ai = genaiClient(poise.url, poise.gatewayToken, 'v1beta');
        const stream = await ai.models.generateContentStream({ model: MODEL, contents: marker });
        const { chunks, error, timedOut } = await drain(stream, { timeoutMs: 10000 });
        assert.equal(timedOut, false, 'the stream ends, never hangs');
        assert.ok(error, 'the iterator throws');
        assert.ok(error instanceof ApiError,
          `an ApiError from a final error event, got ${error?.constructor?.name}: ${error?.message}`);
        assert.equal(chunks.length, 2, 'the chunks sent before the failure arrive');
        assert.ok(chunks.every((c) => (c.text ?? '').length > 0));
        assert.equal((await attemptsFor(marker)).length, 1, 'exactly one upstream attempt');
      });
    });
  }

  it('the broken stream ends with a data: {"error":…} event on a 200', async () => {
    const key = `midstream-${randomToken('k')}`;
    await withGateway({ keys: [key] }, async (poise) => {
      const res = await nativeCall(poise.url, {
        method: 'streamGenerateContent', query: { alt: 'sse' },
        token: poise.gatewayToken, text: randomToken('rawmid'),
      });
      assert.equal(res.status, 200, 'headers were already sent');
      const events = sseEvents(res.text);
      assert.equal(events.filter((e) => e.candidates).length, 2);
      const last = events.at(-1);
      assert.ok(last.error, 'the last event is an error');
      assert.equal(typeof last.error.code, 'number');
      assert.equal(typeof last.error.message, 'string');
      assert.equal(typeof last.error.status, 'string');
      assert.match(res.text, /(\r\n\r\n|\n\n)$/, 'the error event is terminated');
    });
  });

  it('a 429 before the first byte is retried on another key', async () => {
    const quota = `quota-${randomToken('k')}`;
    const good = randomToken('good');
    await withGateway({ keys: [quota, good] }, async (poise) => {
      const ai = genaiClient(poise.url, poise.gatewayToken, 'v1beta');
      for (let i = 0; i < 16; i++) {
        const marker = randomToken('s429');
        const stream = await ai.models.generateContentStream({ model: MODEL, contents: marker });
        const { chunks, error, timedOut } = await drain(stream);
        assert.equal(timedOut, false);
        assert.equal(error, undefined, `stream ${i} succeeds: ${error?.message}`);
        assert.ok(chunks.map((c) => c.text ?? '').join('').length > 0);
        const attempts = await attemptsFor(marker);
        if (attempts.some((a) => keyOf(a) === quota)) {
          assert.deepEqual(attempts.map(keyOf), [quota, good]);
          return;
        }
      }
      assert.fail('the quota key was never tried');
    });
  });

  it('a client that disconnects mid-stream frees the upstream connection within 1 s', async () => {
    // Not 'slow-…': that prefix makes the fake wait 3 s before answering.
    const key = randomToken('abort');
    await withGateway({ keys: [key] }, async (poise) => {
      const ai = genaiClient(poise.url, poise.gatewayToken, 'v1beta');
      const controller = new AbortController();
      const marker = randomToken('dis');
      // 50 chunks, 200 ms apart: 10 s of stream, aborted after the second chunk.
      const stream = await ai.models.generateContentStream({
        model: MODEL,
        contents: `slow_stream long_stream ${marker}`,
        config: { abortSignal: controller.signal },
      });
      let during;
      let abortedAt;
      const { chunks } = await drain(stream, {
        timeoutMs: 15000,
        onChunk: async (_chunk, n) => {
          if (n === 2) {
            during = await fake.stats();
            abortedAt = Date.now();
            controller.abort();
          }
        },
      });
      assert.equal(chunks.length, 2, 'aborted after the second chunk');
      assert.ok(during.open_connections >= 1 && during.active_requests >= 1,
        `the stream holds an upstream connection (${JSON.stringify(during)})`);
      await waitFor(async () => {
        const now = await fake.stats();
        return now.active_requests === 0 && now.open_connections < during.open_connections;
      }, { timeoutMs: 1000, intervalMs: 20, what: 'the upstream connection to close' });
      assert.ok(Date.now() - abortedAt <= 1200, 'closed within about a second');
      const [rec] = await attemptsFor(marker);
      assert.equal(rec.client_aborted, true, 'the upstream saw its client (the gateway) go away');
      // The gateway is still healthy afterwards.
      const res = await nativeCall(poise.url, { token: poise.gatewayToken, text: 'after' });
      assert.equal(res.status, 200, res.text);
    });
  });
});

describe('sanity of the scripted fake (direct)', () => {
  it('answers a scripted 429 with RetryInfo and then recovers', async () => {
    const key = randomToken('direct');
    await fake.script(key, [{ status: 429, retryDelay: '2s', model: MODEL }]);
    const first = await request(`${fake.url}/v1beta/models/${MODEL}:generateContent`, {
      method: 'POST', headers: { 'x-goog-api-key': key }, body: textBody('x'),
    });
    assert.equal(first.status, 429, first.text);
    const details = first.body?.error?.details ?? [];
    assert.ok(details.some((d) => d.retryDelay === '2s'), 'RetryInfo.retryDelay');
    const second = await direct(key, { text: 'y' });
    assert.equal(second.status, 200);
  });
});
