// The request log (SPEC §3, issue 14): the rows GET /api/v1/logs shows after a mixed run through
// the real SDKs match, request by request, what the fake upstream saw; a stalled database drops
// rows (counted) and never slows a request; retention prunes by age and by count; captured
// bodies are scrubbed; LOG_FORMAT=json writes one JSON object per line. Runs on SQLite, and on
// PostgreSQL and MariaDB through tests/with-database-server.sh (IT_DATABASE_URL).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';

import {
  QUIET_VALIDATION, findLeaks, googleShapedKey, randomToken, request, startFake, startPoise, waitFor,
} from './lib/harness.mjs';
import { MODEL, nativeCall } from './lib/gemini.mjs';
import { dbCount, dbRun, holdLock } from './lib/database.mjs';

const KEYS = [googleShapedKey(), googleShapedKey()];
// Rows reach the database within 20 ms of a request's end, not 200.
const FAST_WRITER = { POISE_REQUEST_LOG_INTERVAL_MS: '20' };

let fake;

before(async () => {
  fake = await startFake();
});

after(async () => {
  await fake?.stop();
});

/** Every row of GET /api/v1/logs (all pages) with the given filters. */
async function allLogs(poise, query = {}) {
  const out = [];
  let cursor;
  for (;;) {
    const params = new URLSearchParams({ limit: '200', ...query, ...(cursor ? { cursor } : {}) });
    const res = await poise.admin('GET', `/api/v1/logs?${params}`);
    assert.equal(res.status, 200, res.text);
    out.push(...res.body.items);
    if (!res.body.next_cursor) return out;
    cursor = res.body.next_cursor;
  }
}

/** The one row of a request id, once the writer has written it. */
async function rowOf(poise, requestId) {
  let rows = [];
  await waitFor(async () => {
    rows = await allLogs(poise, { request_id: requestId });
    return rows.length > 0;
  }, { timeoutMs: 10000, what: `a request_logs row for ${requestId}` });
  assert.equal(rows.length, 1, `one row for ${requestId}`);
  return rows[0];
}

/** The key ids of the pool, by key value (admin reveal). */
async function keyIds(poise) {
  const ids = new Map();
  for (const k of KEYS) ids.set(k, (await poise.keyRow(k)).id);
  return ids;
}

/** Runs fn and returns {status, usage} from its answer, or the status of the error it threw. */
async function outcome(fn) {
  try {
    return { status: 200, ...(await fn()) };
  } catch (err) {
    assert.ok(err?.status, `an HTTP error from the SDK, not ${err}`);
    return { status: err.status };
  }
}

describe('request log rows', () => {
  let poise;
  let tokenId;
  let clientToken;

  before(async () => {
    poise = await startPoise({ upstreamUrl: fake.url, keys: KEYS, env: FAST_WRITER, config: QUIET_VALIDATION });
    const created = await poise.admin('POST', '/api/v1/tokens', { name: 'reqlog' });
    assert.equal(created.status, 201, created.text);
    tokenId = created.body.id;
    clientToken = created.body.token;
  });

  after(async () => {
    await poise?.stop();
  });

  it('match what the fake upstream saw, request by request, through the three SDKs', async () => {
    await fake.reset();
    const run = randomToken('run', 4);
    const calls = [];
    // Each call: its request id, a marker in its prompt, the expected protocol/stream/token, and
    // a function that makes it and returns {usage: {prompt, completion, thoughts}} when reported.
    const add = (name, { protocol, stream, token = poise.gatewayToken, id = 0, model = MODEL, fn }) => {
      const rid = `${run}-${name}`;
      calls.push({ name, rid, marker: `<${rid}>`, protocol, stream, token, tokenId: id, model, fn });
    };
    const genai = (c) => new GoogleGenAI({
      apiKey: c.token, httpOptions: { baseUrl: poise.url, apiVersion: 'v1beta', headers: { 'x-request-id': c.rid } },
    });
    const openai = (c) => new OpenAI({ baseURL: `${poise.url}/v1`, apiKey: c.token, maxRetries: 0 });
    const anthropic = (c) => new Anthropic({ baseURL: poise.url, apiKey: c.token, maxRetries: 0 });
    const genaiUsage = (u) => ({ prompt: u?.promptTokenCount, completion: u?.candidatesTokenCount, thoughts: u?.thoughtsTokenCount ?? 0 });

    add('genai', {
      protocol: 'gemini', stream: false,
      fn: async (c) => {
        const r = await genai(c).models.generateContent({
          model: MODEL, contents: `say ${c.marker} now`,
          config: { thinkingConfig: { thinkingBudget: 8 } },
        });
        return { usage: genaiUsage(r.usageMetadata) };
      },
    });
    add('genai-stream', {
      protocol: 'gemini', stream: true, id: () => tokenId, token: () => clientToken,
      fn: async (c) => {
        let last;
        for await (const chunk of await genai(c).models.generateContentStream({ model: MODEL, contents: `stream ${c.marker}` })) {
          last = chunk.usageMetadata ?? last;
        }
        return { usage: genaiUsage(last) };
      },
    });
    add('openai', {
      protocol: 'openai', stream: false, id: () => tokenId, token: () => clientToken,
      fn: async (c) => {
        const r = await openai(c).chat.completions.create(
          { model: MODEL, messages: [{ role: 'user', content: `hi ${c.marker}` }] },
          { headers: { 'x-request-id': c.rid } });
        return { usage: { prompt: r.usage.prompt_tokens, completion: r.usage.completion_tokens } };
      },
    });
    add('openai-stream', {
      protocol: 'openai', stream: true,
      fn: async (c) => {
        const s = await openai(c).chat.completions.create(
          { model: MODEL, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: `hi ${c.marker}` }] },
          { headers: { 'x-request-id': c.rid } });
        let usage;
        for await (const chunk of s) usage = chunk.usage ?? usage;
        return { usage: { prompt: usage?.prompt_tokens, completion: usage?.completion_tokens } };
      },
    });
    add('anthropic', {
      protocol: 'anthropic', stream: false,
      fn: async (c) => {
        const r = await anthropic(c).messages.create(
          { model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: `hi ${c.marker}` }] },
          { headers: { 'x-request-id': c.rid } });
        return { usage: { prompt: r.usage.input_tokens, completion: r.usage.output_tokens } };
      },
    });
    add('anthropic-stream', {
      protocol: 'anthropic', stream: true, id: () => tokenId, token: () => clientToken,
      fn: async (c) => {
        const s = anthropic(c).messages.stream(
          { model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: `hi ${c.marker}` }] },
          { headers: { 'x-request-id': c.rid } });
        const m = await s.finalMessage();
        return { usage: { prompt: m.usage.input_tokens, completion: m.usage.output_tokens } };
      },
    });
    // Failures: both keys answer 503 (two attempts, the last error passed on); a model the
    // gateway refuses before any key (no attempt); a wrong token (401); one key answers 500
    // (one or two attempts, whichever key is picked first).
    add('both-503', {
      protocol: 'gemini', stream: false,
      fn: async (c) => {
        for (const k of KEYS) await fake.script(k, [{ status: 503 }]);
        await genai(c).models.generateContent({ model: MODEL, contents: `fail ${c.marker}` });
      },
    });
    add('bad-model', {
      protocol: 'openai', stream: false, model: '',
      fn: async (c) => {
        await openai(c).chat.completions.create(
          { model: 'not a model!', messages: [{ role: 'user', content: `x ${c.marker}` }] },
          { headers: { 'x-request-id': c.rid } });
      },
    });
    add('wrong-token', {
      protocol: 'anthropic', stream: false, token: 'wrong-token-value-123456', model: '',
      fn: async (c) => {
        await anthropic(c).messages.create(
          { model: MODEL, max_tokens: 8, messages: [{ role: 'user', content: `x ${c.marker}` }] },
          { headers: { 'x-request-id': c.rid } });
      },
    });
    add('one-500', {
      protocol: 'gemini', stream: true,
      fn: async (c) => {
        await fake.script(KEYS[0], [{ status: 500 }]);
        let last;
        for await (const chunk of await genai(c).models.generateContentStream({ model: MODEL, contents: `retry ${c.marker}` })) {
          last = chunk.usageMetadata ?? last;
        }
        return { usage: genaiUsage(last) };
      },
    });

    for (const c of calls) {
      if (typeof c.token === 'function') c.token = c.token();
      if (typeof c.tokenId === 'function') c.tokenId = c.tokenId();
      c.result = await outcome(() => c.fn(c));
    }
    const ids = await keyIds(poise);
    const seen = await fake.requests();
    const statuses = calls.map((c) => `${c.name}:${c.result.status}`).join(' ');
    assert.match(statuses, /genai:200 genai-stream:200 openai:200 openai-stream:200 anthropic:200 anthropic-stream:200 both-503:503 bad-model:400 wrong-token:401 one-500:200/);

    for (const c of calls) {
      const row = await rowOf(poise, c.rid);
      const upstream = seen.filter((r) => (r.body ?? '').includes(c.marker));
      const what = `${c.name} (${JSON.stringify(row)})`;
      assert.equal(row.protocol, c.protocol, what);
      assert.equal(row.stream, c.stream, what);
      assert.equal(row.status, c.result.status, what);
      assert.equal(row.model, c.model, what);
      assert.equal(row.token_id, c.result.status === 401 ? 0 : c.tokenId, what);
      assert.equal(row.method, 'POST', what);
      assert.equal(row.client_ip, '127.0.0.1', what);
      assert.ok(row.user_agent.length > 0, what);
      assert.ok(row.latency_ms >= 0, what);
      assert.equal(typeof row.ttfb_ms, 'number', `${what}: an answer was sent`);
      assert.ok(row.ttfb_ms <= row.latency_ms, what);
      // The attempts are the fake's requests for this call, in order: the same keys, and the
      // one the fake answered 200 is the success.
      assert.equal(row.attempts, upstream.length, what);
      const tried = row.keys_tried === '' ? [] : row.keys_tried.split(',').map((t) => t.split(':'));
      assert.deepEqual(tried.map(([id]) => Number(id)), upstream.map((r) => ids.get(r.key)), what);
      tried.forEach(([, word], i) => {
        assert.equal(word === 'success', upstream[i].status === 200, `${what}: attempt ${i} ${word} vs ${upstream[i].status}`);
      });
      assert.deepEqual([...row.key_ids].sort(), [...new Set(upstream.map((r) => ids.get(r.key)))].sort(), what);
      assert.equal(row.error_class === 'none', c.result.status === 200, what);
      if (c.result.status === 200) {
        const u = c.result.usage;
        assert.ok(u.prompt > 0, `${c.name}: the SDK reported usage`);
        assert.equal(row.prompt_tokens, u.prompt, what);
        // Anthropic and OpenAI report thoughts inside the completion count.
        assert.equal(row.completion_tokens + (c.protocol === 'gemini' ? 0 : row.thought_tokens), u.completion, what);
        if (c.protocol === 'gemini') assert.equal(row.thought_tokens, u.thoughts, what);
      } else {
        assert.ok(row.error_message.length > 0, what);
      }
    }
    // The thinking budget reached the row; the listing never carries bodies (capture is off).
    assert.equal((await rowOf(poise, calls[0].rid)).thought_tokens, 8);
    const one = await poise.admin('GET', `/api/v1/logs/${(await rowOf(poise, calls[0].rid)).id}`);
    assert.equal(one.status, 200, one.text);
    assert.equal(one.body.request_body, undefined, 'no capture while request_log_body_capture_kb is 0');
    // The admin API's own requests are not request-log rows (they have the audit log).
    assert.deepEqual(await allLogs(poise, { protocol: 'admin' }), []);
  });
});

describe('body capture and the canary sweep', () => {
  it('stores the first KiB of both bodies with every key and token masked, in /logs/{id} only', async () => {
    await fake.reset();
    const poise = await startPoise({
      upstreamUrl: fake.url, keys: KEYS, env: FAST_WRITER,
      config: { ...QUIET_VALIDATION, request_log_body_capture_kb: '1' },
    });
    try {
      const created = await poise.admin('POST', '/api/v1/tokens', { name: 'capture' });
      assert.equal(created.status, 201, created.text);
      const clientToken = created.body.token;
      const plainKey = randomToken('plain-secret', 12);
      const secrets = { gatewayToken: poise.gatewayToken, clientToken, key0: KEYS[0], key1: KEYS[1] };
      const rids = [];
      // Each carrier of a token, and bodies that quote the secrets themselves (the fake echoes
      // the prompt, so the answer carries them too).
      for (const [i, auth] of ['goog', 'key', 'bearer', 'x-api-key'].entries()) {
        for (const token of [poise.gatewayToken, clientToken]) {
          const rid = `cap-${i}-${token === clientToken ? 'c' : 'g'}-${randomToken('r', 3)}`;
          rids.push(rid);
          const res = await nativeCall(poise.url, {
            token, auth, headers: { 'x-request-id': rid },
            text: `echo ${token} and ${KEYS[1]} and key=${plainKey} ${'é'.repeat(700)}`,
          });
          assert.equal(res.status, 200, res.text);
        }
      }
      const refused = await nativeCall(poise.url, {
        token: clientToken, auth: 'goog', model: 'bad model', headers: { 'x-request-id': 'cap-refused' },
        text: `refused ${clientToken}`,
      });
      assert.equal(refused.status, 400);
      rids.push('cap-refused');

      let listingText = '';
      let entryText = '';
      for (const rid of rids) {
        const row = await rowOf(poise, rid);
        assert.equal(row.request_body, undefined, 'listings never carry bodies');
        const one = await poise.admin('GET', `/api/v1/logs/${row.id}`);
        assert.equal(one.status, 200, one.text);
        entryText += one.text;
        const { request_body: req, response_body: res } = one.body;
        assert.equal(typeof req, 'string', `${rid}: request body captured`);
        assert.equal(typeof res, 'string', `${rid}: response body captured`);
        assert.ok(Buffer.byteLength(req) <= 1024 && Buffer.byteLength(res) <= 1024, `${rid}: cut to 1 KiB`);
        assert.ok(!req.includes('\ufffd') && !res.includes('\ufffd'), `${rid}: cut on a character boundary`);
        assert.match(req, /"contents"/, rid);
      }
      listingText = JSON.stringify(await allLogs(poise));
      const dbText = dbRun(poise, 'SELECT * FROM request_logs');
      assert.match(dbText, /cap-0-g/, 'the database dump holds the rows');
      assert.deepEqual(findLeaks(listingText, { ...secrets, plainKey }), [], 'GET /api/v1/logs');
      assert.deepEqual(findLeaks(entryText, { ...secrets, plainKey }), [], 'GET /api/v1/logs/{id}');
      assert.deepEqual(findLeaks(dbText, { ...secrets, plainKey }), [], 'request_logs rows');
    } finally {
      await poise.stop();
    }
  });
});

describe('a stalled database', () => {
  it('drops rows (counted) and never slows a request', async () => {
    await fake.reset();
    const poise = await startPoise({
      upstreamUrl: fake.url, keys: KEYS, config: { ...QUIET_VALIDATION, token_bucket_enable_token_bucket: 'false' },
      env: { POISE_REQUEST_LOG_QUEUE: '16', POISE_REQUEST_LOG_BATCH: '4', POISE_REQUEST_LOG_INTERVAL_MS: '10' },
    });
    let stopped = false;
    try {
      const lock = await holdLock(poise, 'request_logs');
      const total = 60;
      try {
        // Every request is answered while the table stays locked: none waits for the log.
        for (let i = 0; i < total; i++) {
          const res = await nativeCall(poise.url, { token: poise.gatewayToken, text: `stall ${i}` });
          assert.equal(res.status, 200, res.text);
        }
        await waitFor(() => /request log queue full/.test(poise.logs()), { timeoutMs: 10000, what: 'the drop warning' })
          .catch((err) => { throw new Error(`${err.message}\n${poise.logs().slice(-3000)}`); });
      } finally {
        await lock.release();
      }
      // Whatever the writer held is written (or failed) now; wait until the count settles.
      let rows = -1;
      let same = 0;
      await waitFor(async () => {
        const n = (await allLogs(poise)).length;
        same = n === rows ? same + 1 : 0;
        rows = n;
        return same >= 5;
      }, { timeoutMs: 30000, intervalMs: 200, what: 'the request log to settle' });
      stopped = true;
      await poise.stop();
      const logs = poise.logs();
      const dropped = Math.max(0, ...[...logs.matchAll(/request log queue full.*dropped_total=(\d+)/g)].map((m) => Number(m[1])));
      const failed = [...logs.matchAll(/could not write request logs" rows=(\d+)/g)].reduce((s, m) => s + Number(m[1]), 0);
      assert.ok(dropped > 0, 'rows were dropped while the table was locked');
      assert.equal(rows + dropped + failed, total, `every request is a row, a drop or a failed row (rows ${rows}, dropped ${dropped}, failed ${failed})`);
    } finally {
      if (!stopped) await poise.stop();
    }
  });
});

describe('retention', () => {
  it('prunes rows older than the retention and beyond the row limit', async () => {
    await fake.reset();
    const poise = await startPoise({
      upstreamUrl: fake.url, keys: KEYS, config: { ...QUIET_VALIDATION, request_log_max_rows: '0' },
      env: { ...FAST_WRITER, POISE_REQUEST_LOG_PRUNE_SECONDS: '1' },
    });
    try {
      for (let i = 0; i < 6; i++) {
        const res = await nativeCall(poise.url, { token: poise.gatewayToken, headers: { 'x-request-id': `keep-${i}` }, text: `r ${i}` });
        assert.equal(res.status, 200, res.text);
      }
      await rowOf(poise, 'keep-5');
      // Two rows from long ago, written behind the gateway's back.
      dbRun(poise, "INSERT INTO request_logs (created_at, request_id, protocol, method, path, status, latency_ms) VALUES " +
        "('2020-01-01T00:00:00.000Z', 'ancient-1', 'gemini', 'POST', '/x', 200, 5), " +
        "('2020-01-02T00:00:00.000Z', 'ancient-2', 'gemini', 'POST', '/x', 200, 5)");
      assert.equal(dbCount(poise, "SELECT COUNT(*) FROM request_logs WHERE request_id LIKE 'ancient-%'"), 2);
      // By age: the default 30 days removes them within a prune period; the fresh rows stay.
      await waitFor(() => dbCount(poise, "SELECT COUNT(*) FROM request_logs WHERE request_id LIKE 'ancient-%'") === 0,
        { timeoutMs: 15000, intervalMs: 200, what: 'the old rows pruned' });
      assert.equal((await allLogs(poise)).length, 6);
      // By count: the newest 3 stay.
      await poise.setConfig({ request_log_max_rows: 3 });
      await waitFor(async () => (await allLogs(poise)).length === 3,
        { timeoutMs: 15000, intervalMs: 200, what: 'the table cut to 3 rows' });
      assert.deepEqual((await allLogs(poise)).map((r) => r.request_id), ['keep-5', 'keep-4', 'keep-3']);
      // Key rows went with their logs.
      assert.equal(dbCount(poise, 'SELECT COUNT(*) FROM request_log_keys WHERE log_id NOT IN (SELECT id FROM request_logs)'), 0);
      const bad = await poise.admin('PUT', '/api/v1/config/request_log_max_rows', { value: '-1' });
      assert.equal(bad.status, 422, bad.text);
      const tooBig = await poise.admin('PUT', '/api/v1/config/request_log_body_capture_kb', { value: '65' });
      assert.equal(tooBig.status, 422, tooBig.text);
    } finally {
      await poise.stop();
    }
  });
});

describe('LOG_FORMAT=json', () => {
  it('writes one JSON object per line, and a hostile user agent or path stays inside its string', async () => {
    await fake.reset();
    const poise = await startPoise({ upstreamUrl: fake.url, keys: KEYS, config: QUIET_VALIDATION, env: { LOG_FORMAT: 'json' } });
    const hostile = 'evil" level="error" injected="1 \\" } {"x":1}';
    try {
      const res = await nativeCall(poise.url, {
        token: poise.gatewayToken, headers: { 'user-agent': hostile, 'x-request-id': 'json-line' },
      });
      assert.equal(res.status, 200, res.text);
      const odd = await request(`${poise.url}/v1beta/models/${MODEL}:generateContent%22%20injected=1`, {
        method: 'POST', headers: { 'x-goog-api-key': poise.gatewayToken, 'user-agent': hostile }, body: {},
      });
      assert.ok(odd.status >= 400, odd.text);
    } finally {
      await poise.stop();
    }
    const lines = poise.logs().split('\n').filter((l) => l.length > 0);
    assert.ok(lines.length > 5, 'poise logged');
    const objects = lines.map((l) => {
      try {
        return JSON.parse(l);
      } catch (err) {
        assert.fail(`not JSON: ${l} (${err.message})`);
      }
    });
    for (const o of objects) {
      assert.equal(typeof o.ts, 'string');
      assert.equal(typeof o.level, 'string');
      assert.equal(typeof o.msg, 'string');
      assert.equal(o.injected, undefined, 'no member injected by a client value');
    }
    const access = objects.filter((o) => o.msg === 'access');
    const mine = access.find((o) => o.request_id === 'json-line');
    assert.ok(mine, 'the access line of the request');
    assert.equal(mine.user_agent, hostile);
    assert.equal(mine.level, 'info');
    assert.equal(mine.status, 200);
    assert.equal(mine.stream, false);
    assert.equal(mine.protocol, 'gemini');
    assert.equal(mine.model, MODEL);
    assert.equal(typeof mine.ms, 'number');
    assert.equal(typeof mine.ttfb_ms, 'number');
    assert.equal(mine.attempts, 1);
    assert.match(mine.keys, /^\d+:success$/);
    assert.equal(typeof mine.prompt_tokens, 'number');
    assert.ok(access.some((o) => o.path?.includes('%22%20injected=1') && o.user_agent === hostile), 'the odd path stays a string');
  });
});
