// GET /metrics against the real binary: off (404) by default; with POISE_METRICS=on and a metrics
// token, a scrape without the token is refused (401) and one with it passes `promtool check
// metrics` (Debian's prometheus package) and shows the series a few requests through the fake
// upstream produced: requests by status class and model, attempts by outcome (a 429 counts as
// quota), the key cooling for its model, histograms and process figures. Then a real Prometheus
// server (same package) on 127.0.0.1 scrapes the gateway with the token, and its HTTP API is
// asked for the series (traffic, attempts, keys, bucket levels, the request log queue and the
// database pool). The same scrape checks deploy/grafana/poise.json (tools/check-grafana.mjs).
// With POISE_METRICS_KEY_LABELS=on, attempts by key id and requests by token id.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  HOST, QUIET_VALIDATION, googleShapedKey, randomToken, request, spawnTracked, startFake, startPoise,
  waitFor,
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
    // The bucket summary, the request log writer and the database pool.
    assert.equal(s.poise_key_bucket_capacity, 1000);
    assert.ok(s.poise_key_bucket_tokens > 0 && s.poise_key_bucket_tokens <= 1000);
    assert.ok(s.poise_request_log_queue_capacity > 0, 'queue capacity');
    assert.ok(s.poise_request_log_queue_depth >= 0, 'queue depth');
    assert.equal(s.poise_request_log_dropped_total, 0);
    assert.equal(s.poise_request_log_failed_total, 0);
    assert.ok(s.poise_request_log_written_total >= 0, 'rows written');
    assert.ok(s.poise_db_pool_connections >= 1, 'pool size');
    assert.ok(s.poise_db_pool_in_use >= 0 && s.poise_db_pool_in_use <= s.poise_db_pool_connections);
    for (const name of ['poise_db_pool_waits_total', 'poise_db_pool_wait_seconds_total', 'poise_db_pool_timeouts_total']) {
      assert.ok(s[name] >= 0, name);
    }
    // Bounded labels: no series per key or per token unless POISE_METRICS_KEY_LABELS is on.
    assert.ok(!res.text.includes('poise_key_attempts_total'), 'per-key series while the switch is off');
    assert.ok(!res.text.includes('poise_token_requests_total'), 'per-token series while the switch is off');
    // No key value or token anywhere in the exposition.
    for (const secret of [KEY, poise.gatewayToken, METRICS_TOKEN]) assert.ok(!res.text.includes(secret));

    // deploy/grafana/poise.json reads only series this scrape has, in expressions promtool parses.
    const dir = await mkdtemp(join(tmpdir(), 'poise-grafana-'));
    try {
      await writeFile(join(dir, 'scrape.txt'), res.text);
      const root = fileURLToPath(new URL('../..', import.meta.url));
      const grafana = spawnSync(process.execPath, [join(root, 'tools/check-grafana.mjs'),
        join(root, 'deploy/grafana/poise.json'), join(dir, 'scrape.txt')], { encoding: 'utf8' });
      assert.equal(grafana.status, 0, `check-grafana: ${grafana.stdout}${grafana.stderr}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('POISE_METRICS_KEY_LABELS=on', () => {
  it('adds attempts by key id and requests by token id, and the exposition still passes promtool', async () => {
    const key2 = googleShapedKey();
    const labelled = await startPoise({
      upstreamUrl: fake.url,
      keys: [key2],
      config: QUIET_VALIDATION,
      env: { POISE_METRICS: 'on', POISE_METRICS_KEY_LABELS: 'on' },
    });
    try {
      const ok = await nativeCall(labelled.url, { token: labelled.gatewayToken });
      assert.equal(ok.status, 200, ok.text);
      await fake.script(key2, [{ status: 429, retryDelay: '300s', model: OTHER_MODEL }]);
      const limited = await nativeCall(labelled.url, { token: labelled.gatewayToken, model: OTHER_MODEL });
      assert.equal(limited.status, 429, limited.text);
      const res = await request(`${labelled.url}/metrics`);
      assert.equal(res.status, 200, res.text);
      const check = spawnSync('promtool', ['check', 'metrics'], { input: res.text, encoding: 'utf8' });
      assert.equal(check.status, 0, `promtool: ${check.stdout}${check.stderr}`);
      const s = samples(res.text);
      const keyId = Object.keys(s).find((k) => k.startsWith('poise_key_attempts_total{') && k.includes('outcome="success"'));
      assert.ok(keyId, res.text);
      assert.equal(s[keyId], 1);
      assert.equal(s[keyId.replace('outcome="success"', 'outcome="quota"')], 1);
      // The default api_token is token id 0.
      assert.equal(s['poise_token_requests_total{token_id="0",status_class="2xx"}'], 1, res.text);
      assert.equal(s['poise_token_requests_total{token_id="0",status_class="4xx"}'], 1, res.text);
      assert.ok(!res.text.includes(key2) && !res.text.includes(labelled.gatewayToken));
    } finally {
      await labelled.stop();
    }
  });
});

/** A TCP port free on 127.0.0.1 now (Prometheus cannot report the port it got for :0). */
async function freePort() {
  const server = createServer();
  await new Promise((resolveListen) => server.listen(0, HOST, resolveListen));
  const { port } = server.address();
  await new Promise((resolveClose) => server.close(resolveClose));
  return port;
}

describe('a real Prometheus server', () => {
  it('scrapes the gateway with the metrics token and answers queries for its series', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'poise-prom-'));
    const port = await freePort();
    const target = new URL(poise.url).host;
    await writeFile(join(dir, 'prometheus.yml'), [
      'global:',
      '  scrape_interval: 1s',
      'scrape_configs:',
      '  - job_name: poise',
      '    scrape_interval: 1s',
      '    authorization:',
      '      type: Bearer',
      '      credentials_file: token',
      '    static_configs:',
      `      - targets: ['${target}']`,
      '',
    ].join('\n'));
    await writeFile(join(dir, 'token'), METRICS_TOKEN);
    const prom = spawnTracked('prometheus', [
      `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=${HOST}:${port}`, '--log.level=warn',
    ], { cwd: dir });
    let logs = '';
    prom.stderr.on('data', (d) => { logs += d; });
    t.after(async () => {
      prom.kill('SIGTERM');
      await prom.exited;
      await rm(dir, { recursive: true, force: true });
    });
    // No result until Prometheus listens (a refused connection) and has scraped.
    const query = async (q) => {
      const url = `http://${HOST}:${port}/api/v1/query?query=${encodeURIComponent(q)}`;
      const res = await request(url).catch(() => null);
      return res?.status === 200 ? res.body.data.result : [];
    };
    // A little traffic while it scrapes.
    for (let i = 0; i < 3; i += 1) {
      const ok = await nativeCall(poise.url, { token: poise.gatewayToken });
      assert.equal(ok.status, 200, ok.text);
    }
    await waitFor(async () => (await query('up{job="poise"} == 1')).length === 1,
      { timeoutMs: 20000, intervalMs: 250, what: `Prometheus scraping the gateway; its log: ${logs}` });
    const value = async (q) => {
      const r = await query(q);
      assert.equal(r.length, 1, `${q}: ${JSON.stringify(r)}`);
      return Number(r[0].value[1]);
    };
    await waitFor(async () => (await query(
      `poise_requests_total{model="${MODEL}",status_class="2xx"} >= 5`)).length === 1,
    { timeoutMs: 10000, intervalMs: 250, what: 'the requests series in Prometheus' });
    assert.equal(await value('poise_upstream_attempts_total{outcome="quota"}'), 1);
    assert.ok(await value('poise_upstream_attempts_total{outcome="success"}') >= 5);
    assert.equal(await value('poise_keys{status="active"}'), 1);
    assert.equal(await value(`poise_keys_cooling{model="${OTHER_MODEL}"}`), 1);
    assert.ok(await value(`sum(poise_request_duration_seconds_count{model="${MODEL}"})`) >= 5);
    assert.ok(await value('histogram_quantile(0.5, sum by (le) (poise_request_duration_seconds_bucket))') > 0);
    assert.ok(await value('process_resident_memory_bytes{job="poise"}') > 1e6);
    assert.ok(await value('poise_request_log_queue_capacity{job="poise"}') > 0);
    assert.equal(await value('poise_request_log_dropped_total{job="poise"}'), 0);
    assert.ok(await value('poise_db_pool_connections{job="poise"}') >= 1);
    assert.ok(await value('poise_db_pool_wait_seconds_total{job="poise"}') >= 0);
    assert.ok(await value('poise_key_bucket_capacity{job="poise"}') > 0);
    // The gateway answered every scrape (no 401: the token file was read).
    assert.equal(await value('scrape_samples_scraped{job="poise"} > 0') > 0, true);
  });
});
