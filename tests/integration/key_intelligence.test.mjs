// Key intelligence end to end (issue 5): token buckets that really limit (tiers, overrides, the
// /api/v1/token-bucket routes), the full-pool 429 with Retry-After in each protocol's envelope,
// selection strategies, per-day cooldowns, the exhausted window, configurable error actions and
// the key detail. Each test runs its own gateway over one shared fake upstream.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { randomToken, request, sharedFake, startPoise, withQuietGateway, waitFor } from './lib/harness.mjs';
import { MODEL, OTHER_MODEL, candidateText, nativeCall } from './lib/gemini.mjs';

const shared = sharedFake();

// Background validation off: only the requests below touch the keys.
const withGateway = (options, fn) => withQuietGateway(shared, options, fn);

const keyOf = (rec) => rec.headers['x-goog-api-key'];

async function attemptsFor(marker) {
  return (await shared.fake.requests()).filter((r) => JSON.stringify(r.body ?? '').includes(marker));
}

/** The admin id of a key, by its value. */
async function idOf(poise, key) {
  return (await poise.keyRow(key)).id;
}

async function bucketOf(poise, id) {
  const res = await poise.admin('GET', `/api/v1/token-bucket/api-keys/${id}/status`);
  assert.equal(res.status, 200, res.text);
  return res.body;
}

function chat(poise, text = 'hi') {
  return request(`${poise.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${poise.gatewayToken}` },
    body: { model: MODEL, messages: [{ role: 'user', content: text }] },
  });
}

function messages(poise, text = 'hi') {
  return request(`${poise.url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': poise.gatewayToken, 'anthropic-version': '2023-06-01' },
    body: { model: MODEL, max_tokens: 16, messages: [{ role: 'user', content: text }] },
  });
}

describe('token buckets really limit', () => {
  it('an empty bucket makes the key ineligible: 429 + Retry-After in every envelope', async () => {
    const k = randomToken('bucket');
    await withGateway({ keys: [k] }, async (poise) => {
      const put = await poise.admin('PUT', '/api/v1/token-bucket/config', {
        default_capacity: 3, default_refill_rate: 0.1, fallback_to_random: false,
      });
      assert.equal(put.status, 200, put.text);
      assert.equal(put.body.success, true);

      for (let i = 0; i < 3; i++) {
        const res = await nativeCall(poise.url, { token: poise.gatewayToken, text: `b${i}` });
        assert.equal(res.status, 200, res.text);
      }
      const upstreamBefore = (await shared.fake.requests()).length;
      const native = await nativeCall(poise.url, { token: poise.gatewayToken });
      assert.equal(native.status, 429, native.text);
      assert.equal(native.body.error.status, 'RESOURCE_EXHAUSTED');
      const wait = Number(native.headers.get('retry-after'));
      assert.ok(wait >= 1 && wait <= 10, `Retry-After ${wait}: one token at 0.1/s`);

      const openai = await chat(poise);
      assert.equal(openai.status, 429, openai.text);
      assert.equal(openai.body.error.type, 'rate_limit_error');
      assert.ok(Number(openai.headers.get('retry-after')) >= 1);

      const anthropic = await messages(poise);
      assert.equal(anthropic.status, 429, anthropic.text);
      assert.equal(anthropic.body.type, 'error');
      assert.equal(anthropic.body.error.type, 'rate_limit_error');
      assert.ok(Number(anthropic.headers.get('retry-after')) >= 1);

      assert.equal((await shared.fake.requests()).length, upstreamBefore, 'refused without an upstream call');
      const id = await idOf(poise, k);
      const bucket = await bucketOf(poise, id);
      assert.equal(bucket.capacity, 3);
      assert.ok(bucket.tokens < 1, `bucket drained: ${bucket.tokens}`);

      // Resetting the bucket makes the key eligible again at once.
      const reset = await poise.admin('POST', `/api/v1/token-bucket/api-keys/${id}/reset`);
      assert.equal(reset.status, 200, reset.text);
      assert.equal(reset.body.data.tokens, 3);
      const again = await nativeCall(poise.url, { token: poise.gatewayToken });
      assert.equal(again.status, 200, again.text);

      // fallback_to_random lets requests through when every bucket is empty.
      await poise.admin('POST', `/api/v1/token-bucket/api-keys/${id}/configure`,
        { capacity: 1, refill_rate: 0.1 });
      await nativeCall(poise.url, { token: poise.gatewayToken });
      const refused = await nativeCall(poise.url, { token: poise.gatewayToken });
      assert.equal(refused.status, 429);
      await poise.admin('PUT', '/api/v1/token-bucket/config', { fallback_to_random: true });
      const through = await nativeCall(poise.url, { token: poise.gatewayToken });
      assert.equal(through.status, 200, through.text);
    });
  });

  it('tiers by priority, per-key overrides, and the settings persist in config', async () => {
    const high = randomToken('tier-high');
    const normal = randomToken('tier-normal');
    await withGateway({ keys: [high, normal] }, async (poise) => {
      const cfg = await poise.admin('GET', '/api/v1/token-bucket/config');
      assert.equal(cfg.status, 200, cfg.text);
      assert.deepEqual(
        [cfg.body.data.default_capacity, cfg.body.data.default_refill_rate,
          cfg.body.data.high_priority_capacity, cfg.body.data.high_priority_refill_rate,
          cfg.body.data.low_priority_capacity, cfg.body.data.low_priority_refill_rate,
          cfg.body.data.enable_token_bucket],
        [10, 1, 20, 2, 5, 0.5, true], 'the seed\'s defaults');
      assert.equal(Object.keys(cfg.body.data).length, 18);

      const highId = await idOf(poise, high);
      const normalId = await idOf(poise, normal);
      const upd = await poise.admin('PUT', `/api/v1/api_keys/${highId}`, { priority: 'high' });
      assert.equal(upd.status, 200, upd.text);
      assert.equal((await bucketOf(poise, highId)).capacity, 20);
      assert.equal((await bucketOf(poise, normalId)).capacity, 10);

      const put = await poise.admin('PUT', '/api/v1/token-bucket/config',
        { high_priority_capacity: 40, high_priority_refill_rate: 4 });
      assert.equal(put.status, 200, put.text);
      assert.equal((await bucketOf(poise, highId)).capacity, 40);
      const stored = await poise.admin('GET', '/api/v1/config/token_bucket_high_priority_capacity');
      assert.equal(stored.status, 200, stored.text);
      assert.equal(stored.body.value, '40');

      const conf = await poise.admin('POST', `/api/v1/token-bucket/api-keys/${normalId}/configure`,
        { capacity: 7, refill_rate: 0.5 });
      assert.equal(conf.status, 200, conf.text);
      const b = await bucketOf(poise, normalId);
      assert.deepEqual([b.capacity, b.refill_rate, b.overridden], [7, 0.5, true]);
      const cleared = await poise.admin('DELETE',
        `/api/v1/token-bucket/api-keys/${normalId}/configure`);
      assert.equal(cleared.status, 200, cleared.text);
      assert.equal((await bucketOf(poise, normalId)).capacity, 10);

      const batch = await poise.admin('POST', '/api/v1/token-bucket/batch-configure',
        { capacity: 12, refill_rate: 3 });
      assert.equal(batch.status, 200, batch.text);
      assert.equal(batch.body.configured_count, 2);
      const all = await poise.admin('GET', '/api/v1/token-bucket/api-keys/status');
      assert.equal(all.status, 200, all.text);
      assert.deepEqual(all.body.map((x) => x.capacity), [12, 12]);

      const stats = await poise.admin('GET', '/api/v1/token-bucket/statistics');
      assert.equal(stats.status, 200, stats.text);
      assert.equal(stats.body.data.total_api_keys, 2);
      assert.equal(stats.body.data.configured_keys, 2);
      assert.equal(stats.body.data.total_capacity, 24);

      const pick = await poise.admin('POST', '/api/v1/token-bucket/test-selection?required_tokens=2');
      assert.equal(pick.status, 200, pick.text);
      assert.equal(pick.body.success, true);
      assert.ok([highId, normalId].includes(pick.body.selected_api_key_id));
      assert.ok(pick.body.token_info.tokens <= 10.01, 'two tokens taken');
      assert.ok(!pick.text.includes(high) && !pick.text.includes(normal), 'no key in the answer');

      const cleanup = await poise.admin('POST', '/api/v1/token-bucket/cleanup');
      assert.equal(cleanup.status, 200, cleanup.text);
    });
  });

  it('bucket settings and overrides survive a restart', async () => {
    const k = randomToken('persist');
    await withGateway({ keys: [k] }, async (first) => {
      const id = await idOf(first, k);
      const put = await first.admin('PUT', '/api/v1/token-bucket/config', { default_capacity: 33 });
      assert.equal(put.status, 200, put.text);
      const conf = await first.admin('POST', `/api/v1/token-bucket/api-keys/${id}/configure`,
        { capacity: 44, refill_rate: 4.5 });
      assert.equal(conf.status, 200, conf.text);
      // A second gateway on the same database and master key loads what the first stored. It
      // has its own data directory: one directory takes one gateway at a time.
      const second = await startPoise({
        upstreamUrl: shared.fake.url,
        env: {
          DATABASE_URL: first.databaseUrl ?? `sqlite:///${first.dataDir}/poise.db`,
          POISE_SECRET_KEY: readFileSync(join(first.dataDir, 'secret.key'), 'utf8').trim(),
        },
        adminPassword: first.adminPassword,
      });
      try {
        const cfg = await second.admin('GET', '/api/v1/token-bucket/config');
        assert.equal(cfg.status, 200, cfg.text);
        assert.equal(cfg.body.data.default_capacity, 33);
        const b = await bucketOf(second, id);
        assert.deepEqual([b.capacity, b.refill_rate, b.overridden], [44, 4.5, true]);
      } finally {
        await second.stop();
      }
    });
  });

  it('bad bucket input is a clear 422 or 404 in the admin envelope', async () => {
    const k = randomToken('bucket-bad');
    await withGateway({ keys: [k] }, async (poise) => {
      const id = await idOf(poise, k);
      const bad = await poise.admin('PUT', '/api/v1/token-bucket/config',
        { default_capacity: 0, default_refill_rate: 500, nonsense: 1 });
      assert.equal(bad.status, 422, bad.text);
      assert.equal(bad.body.code, 'invalid_config');
      assert.equal(typeof bad.body.detail, 'string');
      assert.equal(bad.body.success, undefined, 'the admin envelope, not success:false');
      assert.deepEqual(Object.keys(bad.body.errors).sort(),
        ['default_capacity', 'default_refill_rate', 'nonsense']);
      const unchanged = await poise.admin('GET', '/api/v1/token-bucket/config');
      assert.equal(unchanged.body.data.default_capacity, 10, 'nothing stored');

      const cap = await poise.admin('POST', `/api/v1/token-bucket/api-keys/${id}/configure`,
        { capacity: 5000, refill_rate: 1 });
      assert.equal(cap.status, 422, cap.text);
      assert.match(cap.body.detail, /capacity/);
      const missing = await poise.admin('POST', '/api/v1/token-bucket/api-keys/999999/configure',
        { capacity: 5, refill_rate: 1 });
      assert.equal(missing.status, 404, missing.text);
      assert.equal((await poise.admin('GET', '/api/v1/token-bucket/api-keys/999999/status')).status,
        404);
      const sel = await poise.admin('POST', '/api/v1/token-bucket/test-selection?required_tokens=x');
      assert.equal(sel.status, 422, sel.text);
      const anon = await request(`${poise.url}/api/v1/token-bucket/config`);
      assert.equal(anon.status, 401);
      const strategy = await poise.setConfig({ key_selection_strategy: 'fastest' }).catch((e) => e);
      assert.ok(strategy instanceof Error || strategy?.status === 422, 'bad strategy refused');
    });
  });

  it('test-selection with no key to pick is a 409 in the admin envelope, never 200 success:false', async () => {
    const k = randomToken('bucket-none');
    await withGateway({ keys: [k] }, async (poise) => {
      const id = await idOf(poise, k);
      const put = await poise.admin('PUT', '/api/v1/token-bucket/config',
        { default_capacity: 1, default_refill_rate: 0.1, fallback_to_random: false });
      assert.equal(put.status, 200, put.text);
      const first = await poise.admin('POST', '/api/v1/token-bucket/test-selection');
      assert.equal(first.status, 200, first.text);
      assert.equal(first.body.selected_api_key_id, id);

      // The only bucket is empty: the key is back within 10 s, and Retry-After says so.
      const empty = await poise.admin('POST', '/api/v1/token-bucket/test-selection');
      assert.equal(empty.status, 409, empty.text);
      assert.equal(empty.body.code, 'no_key_available');
      assert.equal(typeof empty.body.detail, 'string');
      assert.equal(empty.body.success, undefined);
      const wait = Number(empty.headers.get('retry-after'));
      assert.ok(wait >= 1 && wait <= 10, `Retry-After ${empty.headers.get('retry-after')}`);

      // No active key at all: nothing to wait for.
      const off = await poise.admin('PUT', `/api/v1/api_keys/${id}`, { status: 'disabled' });
      assert.equal(off.status, 200, off.text);
      const none = await poise.admin('POST',
        '/api/v1/token-bucket/test-selection?use_token_bucket=false');
      assert.equal(none.status, 409, none.text);
      assert.equal(none.body.code, 'no_key_available');
      assert.equal(none.headers.get('retry-after'), null);
    });
  });
});

describe('selection strategies', () => {
  it('round_robin takes the keys in turn', async () => {
    const keys = [randomToken('rr-a'), randomToken('rr-b'), randomToken('rr-c')];
    await withGateway({ keys, config: { key_selection_strategy: 'round_robin' } }, async (poise) => {
      const seen = [];
      for (let i = 0; i < 6; i++) {
        const marker = randomToken('rr');
        const res = await nativeCall(poise.url, { token: poise.gatewayToken, text: marker });
        assert.equal(res.status, 200, res.text);
        seen.push(keyOf((await attemptsFor(marker))[0]));
      }
      assert.equal(new Set(seen.slice(0, 3)).size, 3, 'three different keys first');
      assert.deepEqual(seen.slice(3), seen.slice(0, 3), 'then the same order again');
    });
  });

  it('weighted (default) spreads picks over the keys', async () => {
    const keys = [randomToken('w-a'), randomToken('w-b')];
    await withGateway({ keys, config: { token_bucket_default_capacity: '1000' } }, async (poise) => {
      const counts = new Map();
      for (let i = 0; i < 40; i++) {
        const marker = randomToken('w');
        const res = await nativeCall(poise.url, { token: poise.gatewayToken, text: marker });
        assert.equal(res.status, 200, res.text);
        const k = keyOf((await attemptsFor(marker))[0]);
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      // Binomial(40, 0.5): P(either count < 8) is about 1e-4.
      for (const k of keys) assert.ok((counts.get(k) ?? 0) >= 8, `${[...counts.values()]}`);
    });
  });
});

describe('cooldowns and retirement', () => {
  it('a per-day quota cools the key for that model until midnight US Pacific', async () => {
    const k = randomToken('quotaday');
    const good = randomToken('good');
    await withGateway({ keys: [k, good], config: { key_selection_strategy: 'round_robin' } },
      async (poise) => {
        // Round robin starts at the first key (the per-day one): its 429 is retried on the other.
        const res = await nativeCall(poise.url, { token: poise.gatewayToken });
        assert.equal(res.status, 200, res.text);
        const id = await idOf(poise, k);
        const detail = await poise.admin('GET', `/api/v1/api_keys/${id}/detail`);
        assert.equal(detail.status, 200, detail.text);
        const cd = detail.body.live.cooldowns;
        assert.equal(cd.length, 1, detail.text);
        assert.equal(cd[0].model, MODEL);
        const until = new Date(cd[0].until);
        const pacific = until.toLocaleTimeString('en-US', {
          timeZone: 'America/Los_Angeles', hour12: false,
        });
        assert.match(pacific, /^(00|24):00:00$/, `ends at Pacific midnight, got ${pacific}`);
        assert.ok(until - Date.now() <= 25 * 3600 * 1000);
        assert.equal(detail.body.live.status, 'active', 'other models still served');
        assert.ok(detail.body.live.bucket.capacity >= 1);
        assert.ok(detail.body.live.usage_last_24_hours >= 1);
        assert.ok(detail.body.live.failures_last_24_hours >= 1);
      });
  });

  it('a key whose every attempt over the window is a 429 becomes exhausted', async () => {
    const k = randomToken('quota');
    await withGateway({
      keys: [k],
      config: { key_exhausted_window_seconds: '1', key_exhausted_min_429s: '2' },
    }, async (poise) => {
      const first = await nativeCall(poise.url, { token: poise.gatewayToken, model: MODEL });
      assert.equal(first.status, 429);
      await new Promise((r) => setTimeout(r, 1100));
      const second = await nativeCall(poise.url, { token: poise.gatewayToken, model: OTHER_MODEL });
      assert.equal(second.status, 429);
      const id = await idOf(poise, k);
      let detail;
      await waitFor(async () => {
        detail = await poise.admin('GET', `/api/v1/api_keys/${id}/detail`);
        return detail.body.status === 'exhausted' && detail.body.status_history.length > 0;
      }, { timeoutMs: 5000, intervalMs: 100, what: 'the key to be exhausted' });
      assert.equal(detail.body.live.status, 'exhausted');
      assert.match(detail.body.status_history[0].reason, /every attempt for 1s was a 429 \(2 attempts/);
      // No active key left: the client is told so.
      const none = await nativeCall(poise.url, { token: poise.gatewayToken, model: 'gemini-2.0-flash' });
      assert.equal(none.status, 503, none.text);
    });
  });

  it('API_KEY_INVALID retires a key at once; a 403 after 3 in a row', async () => {
    const invalid = `invalid-${randomToken('k')}`;
    const forbidden = `forbidden-${randomToken('k')}`;
    const good = randomToken('good');
    await withGateway({
      keys: [invalid, forbidden, good],
      config: { key_selection_strategy: 'round_robin', proxy_retry_max_count: '3' },
    }, async (poise) => {
      const statusOf = async (k) => (await poise.admin('GET',
        `/api/v1/api_keys/${await idOf(poise, k)}/detail`)).body.live;
      // Round robin: each request starts at the next key, so the forbidden key is tried often.
      let tried = 0;
      for (let i = 0; i < 12 && tried < 2; i++) {
        const marker = randomToken('rej');
        const res = await nativeCall(poise.url, { token: poise.gatewayToken, text: marker });
        assert.equal(res.status, 200, res.text);
        if ((await attemptsFor(marker)).some((a) => keyOf(a) === forbidden)) tried++;
      }
      assert.equal(tried, 2);
      assert.equal((await statusOf(invalid)).status, 'error', 'API_KEY_INVALID: at once');
      const after2 = await statusOf(forbidden);
      assert.equal(after2.status, 'active', 'two 403s in a row: still active');
      assert.equal(after2.failed_count, 2);
      for (let i = 0; i < 12 && tried < 3; i++) {
        const marker = randomToken('rej');
        await nativeCall(poise.url, { token: poise.gatewayToken, text: marker });
        if ((await attemptsFor(marker)).some((a) => keyOf(a) === forbidden)) tried++;
      }
      const after3 = await statusOf(forbidden);
      assert.equal(after3.status, 'error', 'the third 403 in a row retires it');
      await waitFor(async () => (await poise.admin('GET',
        `/api/v1/api_keys/${await idOf(poise, forbidden)}/detail`)).body.status_history.length > 0,
      { timeoutMs: 5000, intervalMs: 100, what: 'the history row' });
      const history = (await poise.admin('GET',
        `/api/v1/api_keys/${await idOf(poise, forbidden)}/detail`)).body.status_history;
      assert.match(history[0].reason, /^403 .*\(3 in a row\)$/);
    });
  });

  it('a flaky 503 never disables a key; configured error actions apply', async () => {
    const a = randomToken('flaky');
    const b = randomToken('steady');
    await shared.fake.script(a, [{ status: 503, times: 5 }, { status: 404 }]);
    await withGateway({
      keys: [a, b],
      config: {
        key_selection_strategy: 'round_robin', proxy_retry_backoff_ms: '0',
        key_validation_max_failed_count: '1', key_error_actions: '{"404": "retry-other-key"}',
      },
    }, async (poise) => {
      for (let i = 0; i < 12; i++) {
        const res = await nativeCall(poise.url, { token: poise.gatewayToken, text: `f${i}` });
        assert.equal(res.status, 200, `request ${i}: ${res.text}`);
        assert.ok(candidateText(res.body).length > 0);
      }
      const rowA = await poise.keyRow(a);
      assert.equal(rowA.status, 'active', 'five 503s and a 404 did not retire key A');
      const statuses = (await shared.fake.requests()).filter((r) => keyOf(r) === a).map((r) => r.status);
      assert.ok(statuses.includes(404), `A answered the scripted 404: ${statuses}`);

      const refused = await poise.admin('PUT', '/api/v1/config/key_error_actions',
        { value: '{"503": "disable"}' });
      assert.equal(refused.status, 422, refused.text);
      assert.match(refused.body.detail, /never disable/);
    });
  });
});
