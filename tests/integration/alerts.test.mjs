// Alert webhooks end to end: a local receiver (node http on 127.0.0.1, so the gateway runs with
// POISE_ALERTS_ALLOW_PRIVATE=on) gets key.error with the key masked when the fake upstream
// rejects a key as invalid; a receiver that answers 500 twice gets the event on the third
// attempt and the delivery log says so; "send test" answers with the delivery's result. Without
// the switch, a loopback URL is refused when saved (422) and a name that resolves to loopback is
// refused when sent.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';

import {
  QUIET_VALIDATION, findLeaks, randomToken, sharedFake, startPoise, waitFor,
} from './lib/harness.mjs';
import { nativeCall } from './lib/gemini.mjs';

const shared = sharedFake();

/** A receiver answering the statuses of `plan` in turn, then 200; `got` keeps each delivery. */
async function startReceiver(plan = []) {
  const got = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      got.push({ method: req.method, url: req.url, headers: req.headers, text: body });
      res.writeHead(plan.length > 0 ? plan.shift() : 200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    port: server.address().port,
    got,
    close: () => new Promise((resolve) => { server.close(resolve); }),
  };
}

async function createHook(poise, fields) {
  const res = await poise.admin('POST', '/api/v1/alerts', fields);
  assert.equal(res.status, 201, res.text);
  return res.body;
}

async function deliveries(poise, webhookId) {
  const res = await poise.admin('GET', `/api/v1/alerts/deliveries?webhook_id=${webhookId}&limit=50`);
  assert.equal(res.status, 200, res.text);
  return res.body.items;
}

describe('alerts with private targets allowed', () => {
  const invalidKey = `invalid-${randomToken('k')}`;
  const goodKey = randomToken('good');
  let poise;
  let steady;
  let flaky;
  let steadyHook;
  let flakyHook;

  before(async () => {
    steady = await startReceiver();
    flaky = await startReceiver([500, 500]);
    poise = await startPoise({
      upstreamUrl: shared.fake.url,
      keys: [invalidKey, goodKey],
      config: { ...QUIET_VALIDATION, key_selection_strategy: 'round_robin', proxy_retry_max_count: '2' },
      env: { POISE_ALERTS_ALLOW_PRIVATE: 'on' },
    });
    await poise.login();
    steadyHook = await createHook(poise, {
      name: 'ops', url: `${steady.url}/hooks/poise?team=ops`, events: ['key.error', 'key.exhausted'],
      headers: { Authorization: 'Bearer receiver-secret-123456', 'X-Team': 'ops' },
    });
    flakyHook = await createHook(poise, { name: 'flaky', url: `${flaky.url}/hook`, events: ['key.error'] });
  });

  after(async () => {
    await poise?.stop();
    await steady?.close();
    await flaky?.close();
  });

  it('lists webhooks with secret-looking header values masked', async () => {
    const res = await poise.admin('GET', `/api/v1/alerts/${steadyHook.id}`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.headers['X-Team'], 'ops');
    assert.ok(res.body.headers.Authorization.startsWith('Bearer '));
    assert.ok(!res.body.headers.Authorization.includes('receiver-secret-123456'));
    const list = await poise.admin('GET', '/api/v1/alerts');
    assert.equal(list.status, 200, list.text);
    assert.ok(!list.text.includes('receiver-secret-123456'));
  });

  it('a key the upstream calls invalid becomes error and the webhooks get key.error, masked', async () => {
    // Round robin: within a few requests the invalid key is tried and retired at once.
    for (let i = 0; i < 4; i++) {
      await nativeCall(poise.url, { token: poise.gatewayToken, text: `alert ${i}` });
    }
    await waitFor(() => steady.got.some((d) => JSON.parse(d.text).event === 'key.error'),
      { timeoutMs: 10000, what: 'key.error at the receiver' });
    const delivery = steady.got.find((d) => JSON.parse(d.text).event === 'key.error');
    assert.equal(delivery.method, 'POST');
    assert.equal(delivery.url, '/hooks/poise?team=ops');
    assert.equal(delivery.headers.authorization, 'Bearer receiver-secret-123456');
    assert.equal(delivery.headers['x-team'], 'ops');
    assert.match(delivery.headers['content-type'], /^application\/json/);
    const payload = JSON.parse(delivery.text);
    assert.equal(payload.gateway.service, 'gemini-poise');
    assert.equal(payload.webhook.id, steadyHook.id);
    assert.ok(!Number.isNaN(Date.parse(payload.time)));
    assert.equal(payload.data.to, 'error');
    assert.equal(payload.data.from, 'active');
    assert.ok(payload.data.reason.length > 0);
    assert.ok(Number.isInteger(payload.data.key_id));
    assert.notEqual(payload.data.key, invalidKey);
    assert.deepEqual(findLeaks(delivery.text, { invalidKey, goodKey }), []);

    // The status change is logged at warn with the key's id and reason, never its value.
    const line = poise.logs().split('\n').find((l) => l.includes('msg="key status changed"')
      && l.includes(`key_id=${payload.data.key_id}`));
    assert.ok(line, 'a key status line');
    assert.match(line, /warn/);
    assert.match(line, /from=active to=error reason=/);
    assert.deepEqual(findLeaks(poise.logs(), { invalidKey, goodKey }), []);

    // The delivery log: delivered on the first attempt.
    await waitFor(async () => (await deliveries(poise, steadyHook.id)).length > 0, { what: 'delivery row' });
    const [row] = await deliveries(poise, steadyHook.id);
    assert.equal(row.event, 'key.error');
    assert.equal(row.delivered, true);
    assert.equal(row.attempts, 1);
    assert.equal(row.last_status, 200);
    assert.ok(row.summary.includes(`key ${payload.data.key_id}`));
    assert.deepEqual(findLeaks(JSON.stringify(row), { invalidKey }), []);
  });

  it('a receiver that answers 500 twice gets the event on the third attempt, logged', async () => {
    // The same key.error went to the flaky receiver too: 500, then 1 s, 500, then 4 s, 200.
    await waitFor(async () => (await deliveries(poise, flakyHook.id)).length > 0,
      { timeoutMs: 20000, what: 'the flaky webhook delivery row' });
    const [row] = await deliveries(poise, flakyHook.id);
    assert.equal(row.event, 'key.error');
    assert.equal(row.attempts, 3);
    assert.equal(row.delivered, true);
    assert.equal(row.last_status, 200);
    assert.equal(flaky.got.length, 3);
    assert.deepEqual(new Set(flaky.got.map((d) => d.text)).size, 1, 'the same payload each time');
  });

  it('send test answers with the delivery result and logs it', async () => {
    const before = steady.got.length;
    const res = await poise.admin('POST', `/api/v1/alerts/${steadyHook.id}/test`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.delivered, true);
    assert.equal(res.body.status, 200);
    assert.equal(res.body.attempts, 1);
    assert.equal(steady.got.length, before + 1);
    assert.equal(JSON.parse(steady.got.at(-1).text).event, 'test');
    const rows = await deliveries(poise, steadyHook.id);
    assert.equal(rows[0].event, 'test');
    assert.equal(rows[0].delivered, true);

    const missing = await poise.admin('POST', '/api/v1/alerts/999999/test');
    assert.equal(missing.status, 404, missing.text);
  });

  it('a disabled webhook gets nothing; an edit and a delete are audited', async () => {
    const res = await poise.admin('PUT', `/api/v1/alerts/${flakyHook.id}`, { enabled: false });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.enabled, false);
    const removed = await poise.admin('DELETE', `/api/v1/alerts/${flakyHook.id}`);
    assert.equal(removed.status, 204, removed.text);
    assert.equal((await poise.admin('GET', `/api/v1/alerts/${flakyHook.id}`)).status, 404);
    const audit = await poise.admin('GET', '/api/v1/audit?page=1&page_size=50');
    const actions = audit.body.items.map((e) => e.action);
    for (const action of ['alert.create', 'alert.update', 'alert.delete', 'alert.test']) {
      assert.ok(actions.includes(action), action);
    }
    assert.ok(!audit.text.includes('receiver-secret-123456'));
  });
});

describe('alerts from validation runs and the pool', () => {
  it('a validation run that finds an invalid key sends validation.failures and pool.active_low', async () => {
    const receiver = await startReceiver();
    const good = randomToken('good');
    const bad = `invalid-${randomToken('k')}`;
    const poise = await startPoise({
      upstreamUrl: shared.fake.url,
      keys: [good, bad],
      config: QUIET_VALIDATION,
      env: { POISE_ALERTS_ALLOW_PRIVATE: 'on' },
    });
    try {
      await poise.login();
      const hook = await createHook(poise, {
        name: 'validation', url: `${receiver.url}/v`, events: ['validation.failures', 'pool.active_low'],
        active_percent_below: 100,
      });
      await poise.setConfig({ key_validation_active_interval_seconds: 1 });
      const events = () => receiver.got.map((d) => JSON.parse(d.text));
      await waitFor(() => events().some((e) => e.event === 'validation.failures'),
        { timeoutMs: 15000, intervalMs: 100, what: 'validation.failures at the receiver' });
      const run = events().find((e) => e.event === 'validation.failures');
      assert.equal(run.data.schedule, 'active');
      assert.equal(run.data.failures, 1);
      assert.equal(run.data.error, 1);
      assert.equal(run.data.keys, 2);
      // One of two keys active: below 100 %, once however many seconds it stays so.
      await waitFor(() => events().some((e) => e.event === 'pool.active_low'),
        { timeoutMs: 10000, intervalMs: 100, what: 'pool.active_low at the receiver' });
      const low = events().find((e) => e.event === 'pool.active_low');
      assert.equal(low.data.active, 1);
      assert.equal(low.data.total, 2);
      assert.equal(low.data.active_percent_below, 100);
      await poise.setConfig({ key_validation_active_interval_seconds: 86400 });
      await waitFor(async () => (await deliveries(poise, hook.id)).length >= 2, { what: 'delivery rows' });
      assert.equal(events().filter((e) => e.event === 'pool.active_low').length, 1);
      assert.deepEqual(findLeaks(receiver.got.map((d) => d.text).join('\n'), { good, bad }), []);
    } finally {
      await poise.stop();
      await receiver.close();
    }
  });
});

describe('alerts from the error rate', () => {
  it('fires error_rate.high once the failed share of enough requests crosses the threshold', async () => {
    const receiver = await startReceiver();
    const key = randomToken('k');
    await shared.fake.script(key, [{ status: 500, times: -1 }]);
    const poise = await startPoise({
      upstreamUrl: shared.fake.url,
      keys: [key],
      config: { ...QUIET_VALIDATION, proxy_retry_max_count: '0' },
      env: { POISE_ALERTS_ALLOW_PRIVATE: 'on' },
    });
    try {
      await poise.login();
      await createHook(poise, {
        name: 'rate', url: `${receiver.url}/r`, events: ['error_rate.high'],
        error_rate_percent_above: 50, error_rate_min_requests: 3,
      });
      const events = () => receiver.got.map((d) => JSON.parse(d.text));
      // One failed request of one is below the minimum: nothing is judged yet.
      await nativeCall(poise.url, { token: poise.gatewayToken, text: 'first' });
      for (let i = 0; i < 3; i++) await nativeCall(poise.url, { token: poise.gatewayToken, text: `rate ${i}` });
      await waitFor(() => events().some((e) => e.event === 'error_rate.high'),
        { timeoutMs: 10000, intervalMs: 100, what: 'error_rate.high at the receiver' });
      const [high] = events().filter((e) => e.event === 'error_rate.high');
      assert.ok(high.data.requests >= 3);
      assert.equal(high.data.errors, high.data.requests);
      assert.equal(high.data.error_rate_percent, 100);
      assert.equal(high.data.window_seconds, 300);
      // Still high a few flushes later: not sent again.
      await nativeCall(poise.url, { token: poise.gatewayToken, text: 'more' });
      await new Promise((resolve) => { setTimeout(resolve, 2500); });
      assert.equal(events().filter((e) => e.event === 'error_rate.high').length, 1);
    } finally {
      await poise.stop();
      await receiver.close();
    }
  });
});

describe('alerts without private targets', () => {
  let poise;
  let receiver;

  before(async () => {
    receiver = await startReceiver();
    poise = await startPoise({ upstreamUrl: shared.fake.url, config: QUIET_VALIDATION });
    await poise.login();
  });

  after(async () => {
    await poise?.stop();
    await receiver?.close();
  });

  it('refuses loopback, private and metadata addresses when saved (422)', async () => {
    for (const url of [
      `${receiver.url}/hook`, 'http://10.0.0.1/hook', 'http://169.254.169.254/latest/meta-data',
      'http://[::1]:8080/', 'http://100.64.0.1/', 'http://0.0.0.0/',
    ]) {
      const res = await poise.admin('POST', '/api/v1/alerts', { name: 'x', url, events: ['key.error'] });
      assert.equal(res.status, 422, `${url}: ${res.text}`);
      assert.equal(res.body.code, 'validation_error');
      assert.match(res.body.detail, /POISE_ALERTS_ALLOW_PRIVATE/);
    }
  });

  it('refuses other schemes, credentials, injected headers and missing thresholds (422)', async () => {
    const bad = [
      { name: 'x', url: 'ftp://example.com/', events: ['key.error'] },
      { name: 'x', url: 'https://user:pw@example.com/', events: ['key.error'] },
      { name: 'x', url: 'https://example.com/', events: ['key.error'], headers: { 'X-A': 'v\r\nHost: evil' } },
      { name: 'x', url: 'https://example.com/', events: ['key.error'], headers: { Host: 'evil' } },
      { name: 'x', url: 'https://example.com/', events: ['nope'] },
      { name: 'x', url: 'https://example.com/', events: ['pool.active_low'] },
      { name: 'x', url: 'https://example.com/', events: ['error_rate.high'] },
      { name: 'x', url: 'https://example.com/', events: ['key.error'], surprise: 1 },
    ];
    for (const body of bad) {
      const res = await poise.admin('POST', '/api/v1/alerts', body);
      assert.equal(res.status, 422, `${JSON.stringify(body)}: ${res.text}`);
    }
  });

  it('refuses a name that resolves to loopback when sending', async () => {
    const hook = await createHook(poise, {
      name: 'by name', url: `http://localhost:${receiver.port}/hook`, events: ['key.error'],
    });
    const res = await poise.admin('POST', `/api/v1/alerts/${hook.id}/test`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.delivered, false);
    assert.equal(res.body.status, null);
    assert.match(res.body.error, /loopback/);
    assert.equal(receiver.got.length, 0, 'nothing reached the receiver');
    const [row] = await deliveries(poise, hook.id);
    assert.equal(row.delivered, false);
    assert.match(row.last_error, /loopback/);
  });
});
