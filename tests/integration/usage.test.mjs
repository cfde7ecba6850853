// Usage aggregates end to end: real traffic through the fake upstream with two client tokens and
// two keys, then /api/v1/usage/timeseries, /usage/top, /usage/keys/{id}, /usage/tokens/{id} and
// the seed's statistics/calls and calls_by_minute checked exactly against what the clients got
// and the request log says, before and after a restart of the gateway on the same data.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { googleShapedKey, randomToken, startFake, startPoise, waitFor } from './lib/harness.mjs';
import { MODEL, OTHER_MODEL, nativeCall } from './lib/gemini.mjs';

// The histogram of src/usage/latency_histogram.h: upper bounds (ms) of buckets 0..22.
const BOUNDS = [5, 10, 20, 35, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000, 3000,
  5000, 7500, 10000, 15000, 30000, 60000, 120000];

/** The gateway's percentile of `latencies` (ms), computed the same way from bucket counts. */
function percentile(latencies, p) {
  if (latencies.length === 0) return null;
  const counts = new Array(BOUNDS.length + 1).fill(0);
  for (const l of latencies) {
    let i = 0;
    while (i < BOUNDS.length && l > BOUNDS[i]) ++i;
    counts[i] += 1;
  }
  const rank = Math.max(1, Math.ceil(p * latencies.length - 1e-9));
  let below = 0;
  for (let i = 0; i < counts.length; ++i) {
    const n = counts[i];
    if (n === 0 || below + n < rank) {
      below += n;
      continue;
    }
    const lower = i === 0 ? 0 : BOUNDS[i - 1];
    if (i === BOUNDS.length) return lower;
    return Math.round(lower + ((BOUNDS[i] - lower) * (rank - below)) / n);
  }
  return null;
}

/** What the aggregates must say for a set of request log rows. */
function expected(rows, keyId = null) {
  const out = {
    requests: rows.length, errors: 0, errors_by_class: {}, attempts: 0, failed_attempts: 0,
    prompt_tokens: 0, completion_tokens: 0, thought_tokens: 0, cached_tokens: 0,
  };
  for (const r of rows) {
    if (r.error_class !== 'none') {
      out.errors += 1;
      out.errors_by_class[r.error_class] = (out.errors_by_class[r.error_class] ?? 0) + 1;
    }
    const attempts = r.keys_tried.split(',').filter(Boolean).map((a) => {
      const [id, outcome] = a.split(':');
      return { id: Number(id), failed: outcome !== 'success' && outcome !== 'client_error' };
    });
    const mine = keyId === null ? attempts : attempts.filter((a) => a.id === keyId);
    out.attempts += mine.length;
    out.failed_attempts += mine.filter((a) => a.failed).length;
    // A key gets the tokens of the requests it served (the last attempt) only.
    if (keyId === null || attempts.at(-1)?.id === keyId) {
      for (const f of ['prompt_tokens', 'completion_tokens', 'thought_tokens', 'cached_tokens']) {
        out[f] += r[f];
      }
    }
  }
  const latencies = rows.map((r) => r.latency_ms);
  out.latency_ms = {
    avg: rows.length ? Math.round(latencies.reduce((a, b) => a + b, 0) / rows.length) : null,
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    p99: percentile(latencies, 0.99),
  };
  return out;
}

/** The count fields of a usage answer (a point sum, totals or a top item). */
function countsOf(o) {
  const {
    requests, errors, errors_by_class: byClass, attempts, failed_attempts: failed,
    prompt_tokens: prompt, completion_tokens: completion, thought_tokens: thought,
    cached_tokens: cached, latency_ms: latency,
  } = o;
  return {
    requests, errors, errors_by_class: byClass, attempts, failed_attempts: failed,
    prompt_tokens: prompt, completion_tokens: completion, thought_tokens: thought,
    cached_tokens: cached, latency_ms: latency,
  };
}

/** Sums the points of a series (all but latency, which does not add). */
function sumPoints(points) {
  const sum = {
    requests: 0, errors: 0, attempts: 0, failed_attempts: 0, prompt_tokens: 0,
    completion_tokens: 0, thought_tokens: 0, cached_tokens: 0,
  };
  for (const p of points) for (const f of Object.keys(sum)) sum[f] += p[f];
  return sum;
}

function withoutLatency(c) {
  const { latency_ms: _latency, errors_by_class: _classes, ...rest } = c;
  return rest;
}

const WHOLE = 600;  // a step longer than all the traffic

let fake;
let dataDir;
let poise;
const keyValues = [googleShapedKey(), googleShapedKey()];
let keyIds;  // [A, B]
const tokens = [];  // [{id, value}]
let since;

async function admin(path) {
  const res = await poise.admin('GET', path);
  assert.equal(res.status, 200, `${path}: ${res.text}`);
  return res.body;
}

async function setKeyStatus(id, status) {
  const res = await poise.admin('PUT', `/api/v1/api_keys/${id}`, { status });
  assert.equal(res.status, 200, res.text);
}

async function call(token, model, text) {
  return nativeCall(poise.url, { token, model, text });
}

/** Every request log row of the traffic, oldest first. */
async function logRows() {
  const body = await admin('/api/v1/logs?limit=200');
  return body.items.filter((r) => r.protocol !== 'admin').reverse();
}

const range = () => `from=${encodeURIComponent(since)}&to=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`;

before(async () => {
  fake = await startFake();
  dataDir = await mkdtemp(join(tmpdir(), 'poise-usage-'));
  poise = await startPoise({ upstreamUrl: fake.url, keys: keyValues, env: { POISE_DATA_DIR: dataDir } });
  const { items } = await poise.keys();
  keyIds = [];
  for (const value of keyValues) keyIds.push((await poise.keyRow(value)).id);
  assert.equal(items.length, 2);
  for (let i = 0; i < 2; ++i) {
    const res = await poise.admin('POST', '/api/v1/tokens', { name: randomToken('usage') });
    assert.equal(res.status, 201, res.text);
    tokens.push({ id: res.body.id, value: res.body.token });
  }
  since = new Date(Date.now() - 60_000).toISOString();
});

after(async () => {
  await poise?.stop();
  await rm(dataDir, { recursive: true, force: true });
  await fake?.stop();
});

describe('usage aggregates', () => {
  const sent = [];  // {token, model, status, usage}

  it('counts real traffic exactly by token, model and key', async () => {
    const [a, b] = keyIds;
    const [t1, t2] = tokens;
    const send = async (token, model, text) => {
      const res = await call(token.value, model, text);
      sent.push({ token: token.id, model, status: res.status, usage: res.body?.usageMetadata });
      return res;
    };
    // Key A alone: token 1 three times on MODEL, token 2 twice on OTHER_MODEL.
    await setKeyStatus(b, 'disabled');
    for (let i = 0; i < 3; ++i) assert.equal((await send(t1, MODEL, `a-${i} ${'x'.repeat(i * 40)}`)).status, 200);
    for (let i = 0; i < 2; ++i) assert.equal((await send(t2, OTHER_MODEL, `b-${i}`)).status, 200);
    // Key B alone: token 1 once more; token 2 asks for a model the upstream does not know.
    await setKeyStatus(b, 'active');
    await setKeyStatus(a, 'disabled');
    assert.equal((await send(t1, MODEL, 'c-0')).status, 200);
    assert.equal((await send(t2, 'gemini-9-unknown', 'd-0')).status, 404);
    // Key A alone again, and the upstream refuses it once: a failed attempt and an error.
    await setKeyStatus(a, 'active');
    await setKeyStatus(b, 'disabled');
    await fake.script(keyValues[0], [{ status: 429, retryDelay: '1s', model: MODEL }]);
    const refused = await send(t1, MODEL, 'e-0');
    assert.ok(refused.status >= 400, refused.text);

    // The request log and the aggregates come from the same records, written by one writer.
    const rows = await waitFor(async () => {
      const r = await logRows();
      return r.length === sent.length ? r : null;
    }, { timeoutMs: 10_000, intervalMs: 100, what: 'every request in the log' });
    const all = expected(rows);
    await waitFor(async () => {
      const s = await admin(`/api/v1/usage/timeseries?step=minute&${range()}`);
      return sumPoints(s.points).requests === sent.length;
    }, { timeoutMs: 10_000, intervalMs: 100, what: 'the aggregates to count every request' });

    // The log agrees with what the clients saw.
    assert.deepEqual(rows.map((r) => r.status), sent.map((s) => s.status));
    assert.equal(all.requests, 8);
    assert.equal(all.errors, 2);
    assert.equal(all.attempts, 8);
    assert.equal(all.failed_attempts, 1);
    const served = sent.filter((s) => s.status === 200);
    assert.equal(all.prompt_tokens, served.reduce((n, s) => n + (s.usage?.promptTokenCount ?? 0), 0));
    assert.equal(all.completion_tokens,
      served.reduce((n, s) => n + (s.usage?.candidatesTokenCount ?? 0), 0));
    assert.ok(all.prompt_tokens > 0);

    // Ten-minute steps from `since` (a minute before the traffic): the first point holds
    // everything, latency too, whatever UTC hour or day boundary the traffic crossed.
    const day = await admin(`/api/v1/usage/timeseries?step=${WHOLE}&${range()}`);
    const dayTotal = day.points.filter((p) => p.requests > 0);
    assert.equal(dayTotal.length, 1, JSON.stringify(day.points));
    assert.deepEqual(countsOf(dayTotal[0]), all);

    // Minute points add up to the same, and each point's numbers are its own rows'.
    const minute = await admin(`/api/v1/usage/timeseries?step=minute&${range()}`);
    assert.equal(minute.granularity, 'minute');
    assert.deepEqual(sumPoints(minute.points), withoutLatency(all));
    for (const p of minute.points.filter((q) => q.requests > 0)) {
      const start = Date.parse(p.timestamp);
      const mine = rows.filter((r) => {
        const t = Date.parse(r.created_at);
        return t >= start && t < start + 60_000;
      });
      assert.deepEqual(countsOf(p), expected(mine), p.timestamp);
    }

    // Filtered series: per token, per model, per key.
    for (const t of tokens) {
      const s = await admin(`/api/v1/usage/timeseries?step=${WHOLE}&token_id=${t.id}&${range()}`);
      assert.equal(s.dimension, 'token');
      assert.equal(s.value, String(t.id));
      assert.deepEqual(countsOf(s.points.find((p) => p.requests > 0)),
        expected(rows.filter((r) => r.token_id === t.id)));
    }
    for (const model of [MODEL, OTHER_MODEL, 'gemini-9-unknown']) {
      const s = await admin(`/api/v1/usage/timeseries?step=${WHOLE}&model=${model}&${range()}`);
      assert.deepEqual(countsOf(s.points.find((p) => p.requests > 0)),
        expected(rows.filter((r) => r.model === model)), model);
    }
    for (const id of keyIds) {
      const s = await admin(`/api/v1/usage/timeseries?step=${WHOLE}&key_id=${id}&${range()}`);
      assert.deepEqual(countsOf(s.points.find((p) => p.requests > 0)),
        expected(rows.filter((r) => r.key_ids.includes(id)), id), `key ${id}`);
    }
  });

  async function checkReads(label) {
    const rows = await logRows();
    const [a, b] = keyIds;
    const [t1, t2] = tokens;
    // Top lists, most requests first; keys by id with the masked value only.
    const byToken = await admin(`/api/v1/usage/top?by=token&${range()}`);
    assert.deepEqual(byToken.items.map((i) => [i.token_id, i.requests]), [[t1.id, 5], [t2.id, 3]], label);
    assert.deepEqual(countsOf(byToken.items[0]), expected(rows.filter((r) => r.token_id === t1.id)));
    const byKey = await admin(`/api/v1/usage/top?by=key&${range()}`);
    assert.deepEqual(byKey.items.map((i) => [i.key_id, i.requests]), [[a, 6], [b, 2]], label);
    assert.deepEqual(countsOf(byKey.items[0]), expected(rows.filter((r) => r.key_ids.includes(a)), a));
    for (const item of byKey.items) {
      assert.match(item.key_value, /\.\.\./);
      for (const v of keyValues) assert.ok(!JSON.stringify(byKey).includes(v), 'no key value');
    }
    const byModel = await admin(`/api/v1/usage/top?by=model&limit=2&${range()}`);
    assert.deepEqual(byModel.items.map((i) => [i.value, i.requests]), [[MODEL, 5], [OTHER_MODEL, 2]], label);

    // Per key and per token over the range.
    const keyA = await admin(`/api/v1/usage/keys/${a}?step=hour&${range()}`);
    assert.equal(keyA.key_id, a);
    assert.match(keyA.key_value, /\.\.\./);
    assert.deepEqual(countsOf(keyA.totals), expected(rows.filter((r) => r.key_ids.includes(a)), a));
    assert.equal(keyA.totals.attempts, 6);
    assert.equal(keyA.totals.failed_attempts, 1);
    const keyB = await admin(`/api/v1/usage/keys/${b}?step=hour&${range()}`);
    assert.deepEqual(countsOf(keyB.totals), expected(rows.filter((r) => r.key_ids.includes(b)), b));
    const tok2 = await admin(`/api/v1/usage/tokens/${t2.id}?step=hour&${range()}`);
    assert.equal(tok2.token_id, t2.id);
    assert.deepEqual(countsOf(tok2.totals), expected(rows.filter((r) => r.token_id === t2.id)));
    assert.equal(tok2.totals.errors, 1);

    // The seed's call statistics count the same attempts (8, one failed) ...
    const calls = await admin('/api/v1/api_keys/statistics/calls');
    assert.equal(calls.calls_last_24_hours, 8, label);
    assert.equal(calls.calls_last_1_hour, 8);
    const now = new Date();
    const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    assert.equal(calls.monthly_usage,
      expected(rows.filter((r) => Date.parse(r.created_at) >= monthStart)).attempts);
    assert.equal(calls.failures_last_24_hours, 1);
    // ... and per key and minute.
    const byMinute = await admin('/api/v1/api_keys/statistics/calls_by_minute?hours_ago=1');
    const perKey = (id) => byMinute.logs.filter((l) => l.api_key_id === id)
      .reduce((n, l) => [n[0] + l.call_count, n[1] + l.failure_count], [0, 0]);
    assert.deepEqual(perKey(a), [6, 1], label);
    assert.deepEqual(perKey(b), [2, 0], label);
  }

  it('answers top, per-key, per-token and call statistics from the same cells', async () => {
    await checkReads('before the restart');
  });

  it('keeps every number across a restart on the same data', async () => {
    const password = poise.adminPassword;
    const dbEnv = poise.databaseUrl ? { DATABASE_URL: poise.databaseUrl } : {};
    poise.signal('SIGTERM');
    assert.equal((await poise.exited).code, 0);
    poise = await startPoise({
      upstreamUrl: fake.url, adminPassword: password,
      env: { POISE_DATA_DIR: dataDir, ...dbEnv },
    });
    await checkReads('after the restart');
  });

  it('still counts with the request log off', async () => {
    const quiet = await startPoise({
      upstreamUrl: fake.url, keys: [googleShapedKey()], env: { POISE_REQUEST_LOG: 'off' },
    });
    try {
      for (const text of ['q-1', 'q-2']) {
        const res = await nativeCall(quiet.url, { token: quiet.gatewayToken, text });
        assert.equal(res.status, 200, res.text);
      }
      const usage = await waitFor(async () => {
        const r = await quiet.admin('GET', `/api/v1/usage/top?by=token&${range()}`);
        assert.equal(r.status, 200, r.text);
        return r.body.items[0]?.requests === 2 ? r.body : null;
      }, { timeoutMs: 10_000, intervalMs: 100, what: 'two requests counted' });
      assert.equal(usage.items.length, 1);
      assert.equal(usage.items[0].token_id, 0);  // the default api_token
      assert.equal(usage.items[0].attempts, 2);
      const logs = await quiet.admin('GET', '/api/v1/logs');
      assert.equal(logs.status, 200, logs.text);
      assert.deepEqual(logs.body.items, []);
    } finally {
      await quiet.stop();
    }
  });

  it('refuses bad parameters with 422 and a code', async () => {
    for (const path of [
      '/api/v1/usage/timeseries?from=yesterday',
      '/api/v1/usage/timeseries?step=90',
      '/api/v1/usage/timeseries?step=week',
      '/api/v1/usage/timeseries?step=minute&from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z',
      '/api/v1/usage/timeseries?from=2026-03-01T00:00:00Z&to=2026-01-01T00:00:00Z',
      '/api/v1/usage/timeseries?model=a/b',
      '/api/v1/usage/timeseries?token_id=-1',
      '/api/v1/usage/timeseries?token_id=1&key_id=2',
      '/api/v1/usage/top',
      '/api/v1/usage/top?by=user',
      '/api/v1/usage/top?by=key&limit=0',
      '/api/v1/usage/top?by=key&limit=101',
      '/api/v1/usage/top?by=key&from=2020-01-01T00:00:00Z',
      '/api/v1/usage/keys/0',
      '/api/v1/usage/keys/abc',
      '/api/v1/usage/tokens/-3',
      '/api/v1/api_keys/statistics/calls_by_minute?hours_ago=49',
    ]) {
      const res = await poise.admin('GET', path);
      assert.equal(res.status, 422, `${path}: ${res.text}`);
      assert.equal(res.body.code, 'validation_error', path);
      assert.equal(typeof res.body.detail, 'string', path);
    }
  });
});
