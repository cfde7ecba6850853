// Live admin views and exact Retry-After (issue 11). Every admin view of a key (the paginated
// listing, the single read, the detail and the key statistics) shows the pool's state the moment
// a request or a check returns, not after the next flush; and when every key cools for a model,
// every route and every spelling of the model gets 429 with Retry-After = the whole seconds left
// until a key can take it. Each test runs its own gateway over one shared fake upstream.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { randomToken, request, sharedFake, withQuietGateway } from './lib/harness.mjs';
import { MODEL, EMBED_MODEL, nativeCall } from './lib/gemini.mjs';

const shared = sharedFake();

// Background validation off: only the requests below touch the keys.
const withGateway = (options, fn) => withQuietGateway(shared, options, fn);

async function get(poise, path) {
  const res = await poise.admin('GET', path);
  assert.equal(res.status, 200, `${path}: ${res.text}`);
  return res.body;
}

/** The key as each admin view shows it, read one after the other with no pause. */
async function views(poise, id) {
  const page = await get(poise, '/api/v1/api_keys/paginated?page=1&page_size=100');
  const listed = page.items.find((k) => k.id === id);
  assert.ok(listed, `key ${id} is listed`);
  const single = await get(poise, `/api/v1/api_keys/${id}`);
  const detail = await get(poise, `/api/v1/api_keys/${id}/detail`);
  const stats = await get(poise, '/api/v1/api_keys/statistics/keys');
  return { listed, single, detail, stats };
}

const FIELDS = ['status', 'usage_count', 'failed_count', 'last_used_at'];

/** Every view agrees with `expected` (status, usage_count, failed_count; last_used_at set or null). */
function assertViews(v, expected, what) {
  for (const [name, row] of [['paginated', v.listed], ['single read', v.single], ['detail', v.detail]]) {
    assert.equal(row.status, expected.status, `${what}: ${name} status`);
    assert.equal(row.usage_count, expected.usage_count, `${what}: ${name} usage_count`);
    assert.equal(row.failed_count, expected.failed_count, `${what}: ${name} failed_count`);
    assert.equal(row.last_used_at !== null, expected.used, `${what}: ${name} last_used_at`);
  }
  for (const f of FIELDS) assert.deepEqual(v.single[f], v.listed[f], `${what}: single read = listing (${f})`);
  assert.equal(v.detail.live.status, expected.status, `${what}: detail live.status`);
  assert.equal(v.detail.live.failed_count, expected.failed_count, `${what}: detail live.failed_count`);
  assert.equal(v.stats[`${expected.status}_keys`], expected.count ?? 1, `${what}: statistics ${expected.status}_keys`);
}

describe('admin views show the pool live', () => {
  it('a key rejected as API_KEY_INVALID is error in every view as soon as the request returns', async () => {
    const bad = randomToken('invalid-live');
    await withGateway({ keys: [bad] }, async (poise) => {
      const id = (await poise.keys()).items[0].id;
      assertViews(await views(poise, id), { status: 'active', usage_count: 0, failed_count: 0, used: false }, 'before');
      const res = await nativeCall(poise.url, { token: poise.gatewayToken, text: 'live-invalid' });
      assert.equal(res.status, 400, res.text);
      assert.match(res.text, /API_KEY_INVALID/);
      // No pause: the flusher runs once a second, the views must not wait for it.
      const v = await views(poise, id);
      assertViews(v, { status: 'error', usage_count: 1, failed_count: 1, used: true }, 'after the rejection');
      assert.equal(v.stats.active_keys, 0);
      const change = v.detail.status_history[0];
      assert.ok(change, 'the detail history shows the change before the flush');
      assert.equal(change.from_status, 'active');
      assert.equal(change.to_status, 'error');
      assert.match(change.reason, /API_KEY_INVALID/);
      const filtered = await get(poise, '/api/v1/api_keys/paginated?page=1&page_size=100&status=active');
      for (const row of filtered.items) assert.equal(row.status, 'error', 'a row shown carries the live status');
    });
  });

  it('a success shows its use, last_used_at and reset failures in every view at once', async () => {
    const good = randomToken('live-good');
    await withGateway({ keys: [good] }, async (poise) => {
      const id = (await poise.keys()).items[0].id;
      for (let i = 1; i <= 3; i++) {
        const res = await nativeCall(poise.url, { token: poise.gatewayToken, text: `live-ok-${i}` });
        assert.equal(res.status, 200, res.text);
        const v = await views(poise, id);
        assertViews(v, { status: 'active', usage_count: i, failed_count: 0, used: true }, `after success ${i}`);
        assert.equal(v.listed.last_used_at, v.detail.last_used_at);
      }
    });
  });

  it('POST /api_keys/check/{id} shows in every view as soon as it returns', async () => {
    const bad = randomToken('invalid-check');
    await withGateway({ keys: [bad] }, async (poise) => {
      const id = (await poise.keys()).items[0].id;
      const check = await poise.admin('POST', `/api/v1/api_keys/check/${id}`);
      assert.equal(check.status, 200, check.text);
      assert.equal(check.body.key_status, 'error');
      // A check counts no use.
      assertViews(await views(poise, id), { status: 'error', usage_count: 0, failed_count: 1, used: false }, 'after the check');
    });
  });
});

describe('Retry-After is exact when every key cools for the model', () => {
  it('two quota keys (RetryInfo 17 s): every route and spelling gets 429 with the seconds left', async () => {
    const keys = [randomToken('quota-a'), randomToken('quota-b')];
    const config = { model_aliases: JSON.stringify({ 'live-alias': MODEL }) };
    await withGateway({ keys, config }, async (poise) => {
      const started = Date.now();
      // Every route is checked; the wrong ones are listed together at the end.
      const wrong = [];
      /** Retry-After is ceil(17 s - time since the keys were cooled): 17, or 16 past a second. */
      const assertRetryAfter = (res, what) => {
        const raw = res.headers.get('retry-after');
        const ra = Number(raw);
        const elapsed = (Date.now() - started) / 1000;
        if (res.status !== 429 || !(ra === 17 || ra === 16) || ra < Math.ceil(17 - elapsed)) {
          wrong.push(`${what}: ${res.status} Retry-After ${raw} after ${elapsed}s`);
        }
      };

      // The first request tries both keys; the last upstream 429 comes back with the wait.
      const first = await nativeCall(poise.url, { token: poise.gatewayToken, text: 'live-quota' });
      assertRetryAfter(first, 'native, the upstream 429');
      assert.match(first.text, /RESOURCE_EXHAUSTED/);
      const upstreamCalls = (await shared.fake.requests()).length;

      const chat = (model) => request(`${poise.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${poise.gatewayToken}` },
        body: { model, messages: [{ role: 'user', content: 'hi' }] },
      });
      const messages = (model, path = '/claude/v1/messages') => request(`${poise.url}${path}`, {
        method: 'POST',
        headers: { 'x-api-key': poise.gatewayToken, 'anthropic-version': '2023-06-01' },
        body: { model, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] },
      });

      assertRetryAfter(await nativeCall(poise.url, { token: poise.gatewayToken }), 'native generateContent');
      assertRetryAfter(await nativeCall(poise.url, {
        token: poise.gatewayToken, method: 'streamGenerateContent', query: { alt: 'sse' },
      }), 'native stream');
      assertRetryAfter(await nativeCall(poise.url, { token: poise.gatewayToken, version: 'v1' }), 'native /v1');
      for (const model of [MODEL, `models/${MODEL}`, 'live-alias']) {
        assertRetryAfter(await chat(model), `chat completions, model ${model}`);
        assertRetryAfter(await messages(model), `claude messages, model ${model}`);
      }
      assertRetryAfter(await messages(MODEL, '/v1/messages'), '/v1/messages');
      // None of these reached the upstream: no key could take them.
      assert.equal((await shared.fake.requests()).length, upstreamCalls);

      // Embeddings: the first call cools the embedding model on both keys, the next one waits.
      const embed = () => request(`${poise.url}/v1/embeddings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${poise.gatewayToken}` },
        body: { model: EMBED_MODEL, input: 'hi' },
      });
      // The first translated call also gets the wait with the upstream's last 429.
      assertRetryAfter(await embed(), 'embeddings, the upstream 429');
      assertRetryAfter(await embed(), 'embeddings');
      assert.deepEqual(wrong, []);
    });
  });
});
