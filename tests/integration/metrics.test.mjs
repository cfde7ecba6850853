// GET /metrics against the real binary: off (404) by default; with POISE_METRICS=on and a metrics
// token, a scrape without the token is refused (401) and one with it passes `promtool check
// metrics` (Debian's prometheus package) and shows the series a few requests through the fake
// upstream produced: requests by status class and model, attempts by outcome (a 429 counts as
// quota), the key cooling for its model, histograms and process figures.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

import {
  QUIET_VALIDATION, googleShapedKey, randomToken, request, startFake, startPoise,
} from './lib/harness.mjs';
import { MODEL, OTHER_MODEL, nativeCall } from './lib/gemini.mjs';

const METRICS_TOKEN = randomToken('metrics');
const KEY = googleShapedKey();

let fake;
let poise;

before(async () => {
  fake = await startFake();
  poise = await startPoise({
    upstreamUrl: fake.url,
    keys: [KEY],
    config: { ...QUIET_VALIDATION, token_bucket_default_capacity: '1000' },
    env: { POISE_METRICS: 'on', POISE_METRICS_TOKEN: METRICS_TOKEN },
  });
});

after(async () => {
  await poise?.stop();
  await fake?.stop();
});

/** The exposition's samples: {'name{labels}': value}. */
function samples(text) {
  const out = {};
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out[line.slice(0, at)] = Number(line.slice(at + 1));
  }
  return out;
}

async function scrape(headers = { authorization: `Bearer ${METRICS_TOKEN}` }) {
  return request(`${poise.url}/metrics`, { headers });
}

describe('/metrics', () => {
  it('is 404 when POISE_METRICS is not on', async () => {
    const off = await startPoise({ upstreamUrl: fake.url });
    try {
      const res = await request(`${off.url}/metrics`);
      assert.equal(res.status, 404);
    } finally {
      await off.stop();
    }
  });

  it('refuses a scrape without its bearer token, or with another one', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { 'x-goog-api-key': poise.gatewayToken },
      { authorization: `Bearer ${poise.gatewayToken}` }]) {
      const res = await scrape(headers);
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.equal(res.headers.get('www-authenticate'), 'Bearer');
    }
  });

  it('passes promtool and counts the requests, attempts and cooldowns it saw', async () => {
    for (let i = 0; i < 2; i += 1) {
      const ok = await nativeCall(poise.url, { token: poise.gatewayToken });
      assert.equal(ok.status, 200, ok.text);
    }
    // The only key answers 429 for the other model: a quota attempt, the key cools for it.
    await fake.script(KEY, [{ status: 429, retryDelay: '300s', model: OTHER_MODEL }]);
    const limited = await nativeCall(poise.url, { token: poise.gatewayToken, model: OTHER_MODEL });
    assert.equal(limited.status, 429, limited.text);

    const res = await scrape();
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const check = spawnSync('promtool', ['check', 'metrics'], { input: res.text, encoding: 'utf8' });
    assert.equal(check.error, undefined, 'promtool (Debian package prometheus) must be installed');
    assert.equal(check.status, 0, `promtool: ${check.stdout}${check.stderr}\n${res.text}`);

    const s = samples(res.text);
    const flash = `protocol="gemini",route="/v1beta/",model="${MODEL}"`;
    assert.equal(s[`poise_requests_total{${flash},status_class="2xx"}`], 2, res.text);
    // A quota (429) for the other model: Gemini knows it, so it is a label of its own.
    assert.equal(s[`poise_requests_total{protocol="gemini",route="/v1beta/",model="${OTHER_MODEL}",status_class="4xx"}`], 1, res.text);
    assert.equal(s[`poise_request_duration_seconds_count{${flash}}`], 2);
    assert.equal(s[`poise_request_duration_seconds_bucket{${flash},le="+Inf"}`], 2);
    assert.equal(s[`poise_request_first_byte_seconds_count{${flash}}`], 2);
    assert.equal(s['poise_upstream_attempts_total{outcome="success"}'], 2);
    assert.equal(s['poise_upstream_attempts_total{outcome="quota"}'], 1);
    assert.equal(s['poise_upstream_attempts_total{outcome="invalid"}'], 0);
    assert.equal(s['poise_keys{status="active"}'], 1);
    assert.equal(s['poise_keys{status="error"}'], 0);
    assert.equal(s[`poise_keys_cooling{model="${OTHER_MODEL}"}`], 1);
    assert.ok(s.process_resident_memory_bytes > 1e6, 'resident memory');
    assert.ok(s.process_open_fds > 3, 'open fds');
    assert.ok(Math.abs(s.process_start_time_seconds - Date.now() / 1000) < 3600, 'start time');
    // No key value or token anywhere in the exposition.
    for (const secret of [KEY, poise.gatewayToken, METRICS_TOKEN]) assert.ok(!res.text.includes(secret));
  });
});
