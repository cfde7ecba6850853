// Key validation against the scripted fake upstream: the three scheduled jobs (rescheduled as soon
// as the config changes), single and bulk checks with progress, both validation methods, the
// concurrency limit, and that a key never travels in a URL nor comes back in a response.
// Each test runs its own gateway over one shared fake that is reset between tests.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import {
  findLeaks, googleShapedKey, queryParams, randomToken, sharedFake, startPoise, waitFor,
} from './lib/harness.mjs';
import { MODEL } from './lib/gemini.mjs';

// Every schedule quiet until a test turns one on; roomy buckets.
const BASE_CONFIG = {
  key_validation_active_interval_seconds: '86400',
  key_validation_exhausted_interval_seconds: '86400',
  key_validation_error_interval_seconds: '86400',
  key_validation_concurrent_count: '5',
  key_validation_timeout_seconds: '10',
  token_bucket_default_capacity: '1000',
  token_bucket_default_refill_rate: '100',
};

const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const shared = sharedFake();

/**
 * Runs fn(ctx) against a fresh gateway with `keys`; ctx.api records every response body so the
 * test can prove that no key came back, and ctx.ids maps each key to its id. Afterwards it checks
 * that no key reached the upstream in a URL, none is in a response body or the log, and the
 * gateway exits 0.
 */
async function withGateway({ keys, config = {} }, fn) {
  const poise = await startPoise({ upstreamUrl: shared.fake.url, keys, config: { ...BASE_CONFIG, ...config } });
  const bodies = [];
  const api = async (method, path, body) => {
    const res = await poise.admin(method, path, body);
    bodies.push(`${method} ${path} → ${res.status}: ${res.text}`);
    return res;
  };
  const ids = {};
  for (const k of keys) ids[k] = (await poise.keyRow(k)).id;
  try {
    await fn({ poise, api, ids });
    const secrets = Object.fromEntries(keys.map((k, i) => [`key${i}`, k]));
    for (const rec of await shared.fake.requests()) {
      assert.equal(queryParams(rec).has('key'), false, `no key= in ${rec.path}?${rec.query}`);
      assert.deepEqual(findLeaks(`${rec.path}?${rec.query}`, secrets), [], 'no key in a URL');
      assert.equal(rec.key_source, 'header', 'the key travels in x-goog-api-key');
    }
    assert.deepEqual(findLeaks(bodies.join('\n'), secrets), [], 'no key in a response body');
    assert.deepEqual(findLeaks(poise.logs(), secrets), [], 'no key in the log');
  } finally {
    await poise.stop();
  }
}

/** The fake's recorded requests made with `key`. */
async function upstreamCallsWith(key) {
  return (await shared.fake.requests()).filter((r) => r.key === key);
}

async function keyStatus(api, id) {
  const res = await api('GET', `/api/v1/api_keys/${id}`);
  assert.equal(res.status, 200, res.text);
  return res.body.status;
}

async function waitForStatus(api, id, status, what) {
  await waitFor(async () => (await keyStatus(api, id)) === status, {
    timeoutMs: 15000, intervalMs: 100, what,
  });
}

async function history(api, id) {
  const res = await api('GET', `/api/v1/api_keys/${id}/detail`);
  assert.equal(res.status, 200, res.text);
  return res.body.status_history;
}

describe('scheduled validation', () => {
  it('brings an exhausted key back to active once its schedule is turned on (PUT config)', async () => {
    const key = googleShapedKey();
    await withGateway({ keys: [key] }, async ({ api, ids }) => {
      const id = ids[key];
      const put = await api('PUT', `/api/v1/api_keys/${id}`, { status: 'exhausted' });
      assert.equal(put.status, 200, put.text);
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal((await upstreamCallsWith(key)).length, 0, 'nothing checks it while quiet');

      const cfg = await api('PUT', '/api/v1/config/key_validation_exhausted_interval_seconds',
        { value: '1' });
      assert.equal(cfg.status, 200, cfg.text);
      await waitForStatus(api, id, 'active', 'the exhausted job to revive the key');

      const change = (await history(api, id))[0];
      assert.equal(change.from_status, 'exhausted');
      assert.equal(change.to_status, 'active');
      assert.equal(change.reason, 'validation: ok');

      // What went upstream: the seed's 1-token generateContent on the validation model.
      const [call] = await upstreamCallsWith(key);
      assert.equal(call.method, 'POST');
      assert.equal(call.path, `/v1beta/models/${MODEL}:generateContent`);
      const body = JSON.parse(call.body);
      assert.deepEqual(body.generationConfig, { maxOutputTokens: 1 });
      assert.equal(body.contents[0].parts[0].text, 'hi');
      assert.equal(call.headers['x-goog-api-key'], key);
    });
  });

  it('moves an invalid key found by the active job to error, with the reason', async () => {
    const good = googleShapedKey();
    const bad = `invalid-${randomToken('k')}`;
    await withGateway({ keys: [good, bad] }, async ({ poise, api, ids }) => {
      await poise.setConfig({ key_validation_active_interval_seconds: 1 });
      await waitForStatus(api, ids[bad], 'error', 'the active job to reject the invalid key');
      const change = (await history(api, ids[bad]))[0];
      assert.equal(change.from_status, 'active');
      assert.equal(change.to_status, 'error');
      assert.equal(change.reason, 'validation: 400 API_KEY_INVALID');
      assert.ok((await upstreamCallsWith(good)).length >= 1, 'the good key was checked too');
      assert.equal(await keyStatus(api, ids[good]), 'active');
      assert.deepEqual(await history(api, ids[good]), []);
    });
  });

  it('leaves the status alone when the upstream answers 503', async () => {
    const key = googleShapedKey();
    await shared.fake.script(key, [{ status: 503, times: -1 }]);
    await withGateway({ keys: [key] }, async ({ poise, api, ids }) => {
      await poise.setConfig({ key_validation_active_interval_seconds: 1 });
      await waitFor(async () => (await upstreamCallsWith(key)).length >= 2, {
        timeoutMs: 10000, intervalMs: 100, what: 'two validation runs',
      });
      await new Promise((r) => setTimeout(r, 1200));  // past one flush
      assert.equal(await keyStatus(api, ids[key]), 'active');
      assert.deepEqual(await history(api, ids[key]), []);
      const check = await api('POST', `/api/v1/api_keys/check/${ids[key]}`);
      assert.equal(check.status, 200, check.text);
      assert.equal(check.body.status, 'error');
      assert.match(check.body.message, /503/);
      assert.match(check.body.message, /unchanged/);
      assert.equal(check.body.key_status, 'active');
    });
  });

  it('keeps at most key_validation_concurrent_count checks in flight and never overlaps a run', async () => {
    const keys = Array.from({ length: 8 }, () => googleShapedKey());
    for (const k of keys) await shared.fake.script(k, [{ status: 200, delayMs: 600, times: -1 }]);
    await withGateway({ keys, config: { key_validation_concurrent_count: '3' } },
      async ({ poise }) => {
        await poise.setConfig({ key_validation_active_interval_seconds: 1 });
        // 8 keys, 3 at a time, 600 ms each: a run takes about 1.8 s, so the 1 s schedule skips.
        await waitFor(async () => {
          const seen = new Set((await shared.fake.requests()).map((r) => r.key));
          return keys.every((k) => seen.has(k));
        }, { timeoutMs: 15000, intervalMs: 100, what: 'every key checked' });
        await waitFor(() => /validation run skipped/.test(poise.logs()), {
          timeoutMs: 5000, intervalMs: 100, what: 'a skipped tick in the log',
        });
        const stats = await shared.fake.stats();
        assert.equal(stats.max_active_requests, 3, 'the limit is reached and never passed');
        await poise.setConfig({ key_validation_active_interval_seconds: 86400 });
      });
  });
});

describe('on-demand checks', () => {
  it('bulk check runs in the background and shows its progress', async () => {
    const keys = Array.from({ length: 6 }, () => googleShapedKey());
    for (const k of keys) await shared.fake.script(k, [{ status: 200, delayMs: 700 }]);
    await withGateway({ keys, config: { key_validation_concurrent_count: '2' } },
      async ({ api, ids }) => {
        const keyIds = keys.map((k) => ids[k]);
        const created = await api('POST', '/api/v1/api_keys/bulk-check', { key_ids: keyIds });
        assert.equal(created.status, 202, created.text);
        assert.equal(created.body.message, 'apiKeys.bulkCheckTaskCreated');
        assert.match(created.body.task_id, UUID4);
        assert.equal(created.body.total_keys, 6);

        const statusPath = `/api/v1/api_keys/bulk-check/${created.body.task_id}/status`;
        let midway;
        const done = await waitFor(async () => {
          const res = await api('GET', statusPath);
          assert.equal(res.status, 200, res.text);
          const t = res.body;
          if (t.status === 'running' && t.completed_keys > 0 && t.completed_keys < t.total_keys) {
            midway ??= t;
          }
          return t.status === 'completed' ? t : null;
        }, { timeoutMs: 15000, intervalMs: 50, what: 'the bulk check to complete' });

        assert.ok(midway, 'the task was seen running with 0 < completed_keys < total_keys');
        assert.equal(midway.progress, Math.round((midway.completed_keys / 6) * 10000) / 100);
        assert.ok(midway.started_at && !midway.finished_at);
        assert.equal(done.progress, 100);
        assert.equal(done.completed_keys, 6);
        assert.deepEqual(done.key_ids, keyIds);
        assert.equal(done.error, null);
        assert.ok(Date.parse(done.finished_at) >= Date.parse(done.started_at));
        assert.deepEqual(done.results.map((r) => r.key_id).sort((a, b) => a - b),
          [...keyIds].sort((a, b) => a - b));
        for (const r of done.results) {
          assert.equal(r.status, 'valid');
          assert.match(r.key_value, /^AIza.{2}\.\.\..{4}$/, 'masked');
        }
        assert.equal((await shared.fake.stats()).max_active_requests, 2, 'same concurrency limit');

        const unknown = await api('GET',
          '/api/v1/api_keys/bulk-check/00000000-0000-4000-8000-000000000000/status');
        assert.equal(unknown.status, 404);
        assert.equal(unknown.body.detail, 'Task not found');
        assert.ok(unknown.body.code);
      });
  });

  it('check/{id} validates one key inline; bulk-check-sync answers with every result', async () => {
    const good = googleShapedKey();
    const bad = `invalid-${randomToken('k')}`;
    await withGateway({ keys: [good, bad] }, async ({ api, ids }) => {
      const ok = await api('POST', `/api/v1/api_keys/check/${ids[good]}`);
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.body.key_id, ids[good]);
      assert.equal(ok.body.status, 'valid');
      assert.equal(ok.body.key_status, 'active');
      assert.ok(ok.body.message.length > 0);
      assert.equal(ok.body.key_value.slice(0, 4), 'AIza');

      const rejected = await api('POST', `/api/v1/api_keys/check/${ids[bad]}/`);
      assert.equal(rejected.status, 200, rejected.text);
      assert.equal(rejected.body.status, 'error');
      assert.match(rejected.body.message, /API_KEY_INVALID/);
      assert.equal(rejected.body.key_status, 'error');
      await waitForStatus(api, ids[bad], 'error', 'the rejection to be persisted');

      const sync = await api('POST', '/api/v1/api_keys/bulk-check-sync',
        { key_ids: [ids[good], ids[bad], ids[good]] });
      assert.equal(sync.status, 200, sync.text);
      assert.deepEqual(sync.body.results.map((r) => [r.key_id, r.status]),
        [[ids[good], 'valid'], [ids[bad], 'error']]);

      const missing = await api('POST', '/api/v1/api_keys/check/999999');
      assert.equal(missing.status, 404);
      assert.ok(missing.body.detail && missing.body.code);
      for (const body of [{}, { key_ids: 'x' }, { key_ids: [] }, { key_ids: [1.5] }, 'not json']) {
        for (const path of ['/api/v1/api_keys/bulk-check', '/api/v1/api_keys/bulk-check-sync']) {
          const res = await api('POST', path, body);
          assert.equal(res.status, 422, `${path} ${JSON.stringify(body)}: ${res.text}`);
          assert.ok(res.body.detail && res.body.code);
        }
      }
      const unknownIds = await api('POST', '/api/v1/api_keys/bulk-check', { key_ids: [999999] });
      assert.equal(unknownIds.status, 404, unknownIds.text);
      // The literal routes do not collide with /api_keys/{id}.
      assert.equal((await api('GET', `/api/v1/api_keys/${ids[good]}`)).status, 200);
    });
  });

  it('a check the upstream never answers times out and changes nothing', async () => {
    const key = googleShapedKey();
    await shared.fake.script(key, [{ action: 'hang' }]);
    await withGateway({ keys: [key], config: { key_validation_timeout_seconds: '1' } },
      async ({ api, ids }) => {
        const started = Date.now();
        const res = await api('POST', `/api/v1/api_keys/check/${ids[key]}`);
        assert.equal(res.status, 200, res.text);
        assert.equal(res.body.status, 'timeout');
        assert.equal(res.body.key_status, 'active');
        assert.ok(Date.now() - started < 5000, 'within key_validation_timeout_seconds');
        assert.deepEqual(await history(api, ids[key]), []);
      });
  });

  it('the models method lists one model with the key in the header', async () => {
    const key = googleShapedKey();
    const quota = googleShapedKey();
    await shared.fake.script(quota, [{ status: 429, retryDelay: '30s' }]);
    await withGateway({ keys: [key, quota], config: { key_validation_method: 'models' } },
      async ({ api, ids }) => {
        const ok = await api('POST', `/api/v1/api_keys/check/${ids[key]}`);
        assert.equal(ok.status, 200, ok.text);
        assert.equal(ok.body.status, 'valid');
        const [call] = await upstreamCallsWith(key);
        assert.equal(call.method, 'GET');
        assert.equal(call.path, '/v1beta/models');
        assert.equal(queryParams(call).get('pageSize'), '1');
        assert.equal(call.headers['x-goog-api-key'], key);

        const limited = await api('POST', `/api/v1/api_keys/check/${ids[quota]}`);
        assert.equal(limited.body.status, 'exhausted');
        assert.equal(limited.body.key_status, 'active', 'a 429 rests the key for one model only');
        const detail = await api('GET', `/api/v1/api_keys/${ids[quota]}/detail`);
        assert.deepEqual(detail.body.live.cooldowns.map((c) => c.model), [MODEL]);
      });
  });

  it('needs an admin session', async () => {
    const key = googleShapedKey();
    await withGateway({ keys: [key] }, async ({ poise, ids }) => {
      for (const [method, path] of [
        ['POST', `/api/v1/api_keys/check/${ids[key]}`],
        ['POST', '/api/v1/api_keys/bulk-check'],
        ['POST', '/api/v1/api_keys/bulk-check-sync'],
        ['GET', '/api/v1/api_keys/bulk-check/00000000-0000-4000-8000-000000000000/status'],
      ]) {
        const body = method === 'POST' ? { key_ids: [ids[key]] } : undefined;
        const res = await poise.admin(method, path, body, { token: '' });
        assert.equal(res.status, 401, `${method} ${path}`);
      }
      assert.equal((await upstreamCallsWith(key)).length, 0);
    });
  });
});
