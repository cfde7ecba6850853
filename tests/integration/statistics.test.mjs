// Statistics routes: survival snapshots on the configured cadence reflecting key status changes,
// call counters rising with proxied requests, query validation (422) and authentication (401).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { googleShapedKey, request, startStack, waitFor } from './lib/harness.mjs';
import { candidateText, nativeCall } from './lib/gemini.mjs';

const SURVIVAL = '/api/v1/api_keys/statistics/survival';
const CALLS = '/api/v1/api_keys/statistics/calls';

let stack;
let poise;

before(async () => {
  stack = await startStack({ keys: [googleShapedKey(), googleShapedKey(), googleShapedKey()] });
  ({ poise } = stack);
});

after(async () => {
  await stack?.stop();
});

function assertAdminError(res, status, context) {
  assert.equal(res.status, status, `${context}: ${res.text}`);
  assert.equal(typeof res.body?.detail, 'string', `${context}: detail (${res.text})`);
  assert.equal(typeof res.body?.code, 'string', `${context}: code (${res.text})`);
}

async function survival(query = '') {
  const res = await poise.admin('GET', `${SURVIVAL}${query}`);
  assert.equal(res.status, 200, res.text);
  return res.body;
}

describe('survival statistics', () => {
  it('snapshots every second once configured, and show a status change', async () => {
    await poise.setConfig({ key_survival_snapshot_interval_seconds: '1' });
    const since = new Date(Date.now() - 60_000).toISOString();
    const query = `?start_time=${encodeURIComponent(since)}`;
    const last = (body) => body.statistics[body.statistics.length - 1];

    const before = await waitFor(async () => {
      const body = await survival(query);
      const p = body.statistics.length ? last(body) : null;
      return p && p.total_keys === 3 && p.active_keys === 3 ? body : null;
    }, { timeoutMs: 10_000, intervalMs: 200, what: 'a snapshot of three active keys' });
    assert.equal(before.resolution, 'raw');
    for (const field of ['timestamp', 'active_keys', 'exhausted_keys', 'error_keys',
      'disabled_keys', 'total_keys']) {
      assert.ok(field in last(before), `${field} in ${JSON.stringify(last(before))}`);
    }

    const { items } = await poise.keys();
    const put = await poise.admin('PUT', `/api/v1/api_keys/${items[0].id}`, { status: 'disabled' });
    assert.equal(put.status, 200, put.text);

    const after = await waitFor(async () => {
      const body = await survival(query);
      const p = last(body);
      return p.disabled_keys === 1 && p.active_keys === 2 && p.total_keys === 3 ? body : null;
    }, { timeoutMs: 10_000, intervalMs: 200, what: 'a snapshot with the disabled key' });
    // Snapshots keep coming at about one a second, ascending.
    const times = after.statistics.map((p) => Date.parse(p.timestamp));
    assert.ok(times.every((t, i) => i === 0 || t > times[i - 1]), 'ascending timestamps');
    assert.ok(after.statistics.length >= 2, JSON.stringify(after.statistics));
  });

  it('defaults to the last 12 hours, down-sampled', async () => {
    const body = await survival();
    assert.ok(Array.isArray(body.statistics));
    assert.ok(body.statistics.length >= 1 && body.statistics.length <= 500);
    assert.equal(body.resolution, '120');  // 2-minute buckets: finer than 72 points, at most 500
    const span = Date.parse(body.end_time) - Date.parse(body.start_time);
    assert.equal(span, 12 * 3600 * 1000);
  });

  it('a week-long range stays under 500 points', async () => {
    const end = new Date();
    const start = new Date(end.getTime() - 7 * 24 * 3600 * 1000);
    const body = await survival(`?start_time=${start.toISOString()}&end_time=${end.toISOString()}`);
    assert.equal(body.resolution, '1800');
    assert.ok(body.statistics.length <= 500);
  });

  it('bad datetimes and an inverted range are 422', async () => {
    for (const query of ['?start_time=yesterday', '?end_time=2026-13-45T00:00:00Z',
      '?start_time=2026-11-26T10:00:00Z&end_time=2026-11-26T09:00:00Z']) {
      assertAdminError(await poise.admin('GET', `${SURVIVAL}${query}`), 422, query);
    }
  });

  it('needs an admin session', async () => {
    for (const path of [SURVIVAL, CALLS]) {
      assertAdminError(await request(`${poise.url}${path}`), 401, path);
      const gateway = await request(`${poise.url}${path}`, {
        headers: { authorization: `Bearer ${poise.gatewayToken}` },
      });
      assertAdminError(gateway, 401, `${path} with the gateway token`);
    }
  });
});

describe('call statistics', () => {
  it('has the seed\'s fields plus failures, all integers', async () => {
    const res = await poise.admin('GET', CALLS);
    assert.equal(res.status, 200, res.text);
    for (const field of ['calls_last_1_minute', 'calls_last_1_hour', 'calls_last_24_hours',
      'monthly_usage', 'failures_last_24_hours']) {
      assert.ok(Number.isInteger(res.body[field]), `${field}: ${res.text}`);
    }
  });

  // Passes once the proxy records every upstream attempt into the CallCounters.
  it('counts proxied generateContent calls', async () => {
    const before = (await poise.admin('GET', CALLS)).body;
    for (let i = 0; i < 3; ++i) {
      const res = await nativeCall(poise.url, { token: poise.gatewayToken, text: `stats ${i}` });
      assert.equal(res.status, 200, res.text);
      assert.equal(typeof candidateText(res.body), 'string');
    }
    const after = await waitFor(async () => {
      const body = (await poise.admin('GET', CALLS)).body;
      return body.calls_last_1_minute >= before.calls_last_1_minute + 3 ? body : null;
    }, { timeoutMs: 5000, intervalMs: 100, what: 'calls_last_1_minute to rise by 3' });
    assert.ok(after.calls_last_1_hour >= before.calls_last_1_hour + 3);
    assert.ok(after.calls_last_24_hours >= before.calls_last_24_hours + 3);
    assert.ok(after.monthly_usage >= before.monthly_usage + 3);
  });
});
