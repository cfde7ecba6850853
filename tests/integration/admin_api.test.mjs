// The admin API (/api/v1) as outside scripts use it, and the operational endpoints.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { randomToken, request, startStack } from './lib/harness.mjs';
import { candidateText, nativeCall } from './lib/gemini.mjs';

let stack;
let poise;

before(async () => {
  stack = await startStack({ config: { proxy_retry_max_count: '3' } });
  ({ poise } = stack);
});

after(async () => {
  await stack?.stop();
});

/** Asserts the admin error envelope {"detail": string, "code": string}. */
function assertAdminError(res, status, context) {
  assert.equal(res.status, status, `${context}: ${res.text}`);
  assert.equal(typeof res.body?.detail, 'string', `${context}: detail (${res.text})`);
  assert.equal(typeof res.body?.code, 'string', `${context}: code (${res.text})`);
}

/** Deletes every key, so each test starts from an empty pool. */
async function clearKeys() {
  const { items } = await poise.keys();
  for (const item of items) {
    const res = await poise.admin('DELETE', `/api/v1/api_keys/${item.id}`);
    assert.ok(res.status === 200 || res.status === 204, res.text);
  }
}

describe('login and session', () => {
  it('a wrong password is 401 {"detail","code"}', async () => {
    const res = await request(`${poise.url}/api/v1/login`, {
      method: 'POST', body: { username: 'admin', password: 'not-the-password' },
    });
    assertAdminError(res, 401, 'wrong password');
    assert.equal(res.body.access_token, undefined);
  });

  it('an unknown user gets the same answer as a wrong password', async () => {
    const wrong = await request(`${poise.url}/api/v1/login`, {
      method: 'POST', body: { username: 'admin', password: 'nope-nope-nope' },
    });
    const unknown = await request(`${poise.url}/api/v1/login`, {
      method: 'POST', body: { username: `ghost-${randomToken('u', 4)}`, password: 'nope-nope-nope' },
    });
    assert.equal(unknown.status, wrong.status);
    assert.deepEqual(unknown.body, wrong.body);
  });

  it('a good login returns a bearer token and an HttpOnly SameSite=Strict cookie', async () => {
    const res = await request(`${poise.url}/api/v1/login`, {
      method: 'POST', body: { username: 'admin', password: poise.adminPassword },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.token_type, 'bearer');
    assert.equal(typeof res.body.access_token, 'string');
    assert.ok(res.body.access_token.length >= 32);
    const cookie = res.headers.get('set-cookie') ?? '';
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Strict/i);
  });

  it('logout revokes the session token', async () => {
    const login = await request(`${poise.url}/api/v1/login`, {
      method: 'POST', body: { username: 'admin', password: poise.adminPassword },
    });
    const token = login.body.access_token;
    const ok = await poise.admin('GET', '/api/v1/config/', undefined, { token });
    assert.equal(ok.status, 200, ok.text);
    const out = await poise.admin('POST', '/api/v1/logout', undefined, { token });
    assert.equal(out.status, 200, out.text);
    const after = await poise.admin('GET', '/api/v1/config/', undefined, { token });
    assertAdminError(after, 401, 'revoked token');
    // The harness's own session is untouched.
    assert.equal((await poise.admin('GET', '/api/v1/config/')).status, 200);
  });
});

describe('every /api/v1 route needs a session', () => {
  const routes = [
    ['GET', '/api/v1/users/me'],
    ['POST', '/api/v1/users/', { username: 'intruder', password: 'intruder-password' }],
    ['POST', '/api/v1/users/change-password', { current_password: 'a', new_password: 'b' }],
    ['POST', '/api/v1/logout'],
    ['GET', '/api/v1/api_keys/'],
    ['POST', '/api/v1/api_keys/', { key_value: 'unauth-key' }],
    ['GET', '/api/v1/api_keys/paginated'],
    ['GET', '/api/v1/api_keys/1'],
    ['PUT', '/api/v1/api_keys/1', { status: 'disabled' }],
    ['DELETE', '/api/v1/api_keys/1'],
    ['GET', '/api/v1/api_keys/1/reveal'],
    ['PUT', '/api/v1/api_keys/bulk-update', { key_ids: [1], updates: { status: 'disabled' } }],
    ['DELETE', '/api/v1/api_keys/bulk-delete', [1]],
    ['POST', '/api/v1/api_keys/bulk-add', { keys_string: 'unauth-a,unauth-b' }],
    ['POST', '/api/v1/api_keys/add-list', { keys: ['unauth-c'] }],
    ['POST', '/api/v1/api_keys/bulk-check', { key_ids: [1] }],
    ['POST', '/api/v1/api_keys/check/1'],
    ['GET', '/api/v1/api_keys/statistics/keys'],
    ['GET', '/api/v1/api_keys/statistics/calls'],
    ['GET', '/api/v1/api_keys/statistics/survival'],
    ['GET', '/api/v1/config/'],
    ['GET', '/api/v1/config/api_token'],
    ['POST', '/api/v1/config/', { key: 'x_unauth', value: '1' }],
    ['PUT', '/api/v1/config/proxy_retry_max_count', { value: '0' }],
    ['DELETE', '/api/v1/config/proxy_retry_max_count'],
    ['POST', '/api/v1/config/bulk-save', { items: [{ key: 'api_token', value: 'hijack' }] }],
    ['GET', '/api/v1/token-bucket/config'],
    ['POST', '/api/v1/token-bucket/api-keys/1/reset'],
  ];

  for (const [method, path, body] of routes) {
    it(`${method} ${path}`, async () => {
      const none = await request(`${poise.url}${path}`, { method, body });
      assertAdminError(none, 401, `${method} ${path} without a token`);
      const bad = await poise.admin(method, path, body, { token: randomToken('bogus', 32) });
      assertAdminError(bad, 401, `${method} ${path} with an invalid token`);
      const gw = await poise.admin(method, path, body, { token: poise.gatewayToken });
      assert.ok(gw.status === 401 || gw.status === 403,
        `${method} ${path}: the gateway token is not an admin session (${gw.status})`);
    });
  }

  it('nothing was changed by those calls', async () => {
    const { total } = await poise.keys();
    assert.equal(total, 0);
    const res = await nativeCall(poise.url, { token: 'hijack', auth: 'key' });
    assert.equal(res.status, 401, 'api_token was not overwritten');
  });
});

describe('keys', () => {
  it('bulk-add and add-list count processed and added, skipping duplicates', async () => {
    await clearKeys();
    const [k1, k2, k3, k4] = [1, 2, 3, 4].map((i) => randomToken(`bulk${i}`));
    const first = await poise.admin('POST', '/api/v1/api_keys/bulk-add', {
      keys_string: `${k1},${k2}\n${k3},,${k1}\n`,
    });
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(
      { p: first.body.total_processed, a: first.body.total_added }, { p: 4, a: 3 },
      'duplicates in the input are counted as processed, not added');
    const second = await poise.admin('POST', '/api/v1/api_keys/add-list', { keys: [k3, k4] });
    assert.equal(second.status, 200, second.text);
    assert.deepEqual({ p: second.body.total_processed, a: second.body.total_added }, { p: 2, a: 1 });
    const { total, items } = await poise.keys();
    assert.equal(total, 4);
    assert.equal(items.length, 4);
    for (const item of items) {
      assert.equal(item.status, 'active');
      assert.equal(item.failed_count, 0);
      assert.equal(item.usage_count, 0);
      assert.equal(typeof item.id, 'number');
    }
  });

  it('paginated honours page, page_size and the status filter', async () => {
    await clearKeys();
    const keys = [1, 2, 3, 4, 5].map((i) => randomToken(`page${i}`));
    await poise.addKeys(keys);
    const p1 = await poise.admin('GET', '/api/v1/api_keys/paginated?page=1&page_size=2');
    const p3 = await poise.admin('GET', '/api/v1/api_keys/paginated?page=3&page_size=2');
    assert.equal(p1.status, 200, p1.text);
    assert.equal(p1.body.total, 5);
    assert.equal(p1.body.items.length, 2);
    assert.equal(p3.body.total, 5);
    assert.equal(p3.body.items.length, 1);
    const ids = new Set([...p1.body.items, ...p3.body.items].map((i) => i.id));
    assert.equal(ids.size, 3, 'pages do not overlap');

    const { items } = await poise.keys();
    const target = items[0];
    const upd = await poise.admin('PUT', `/api/v1/api_keys/${target.id}`, { status: 'disabled' });
    assert.equal(upd.status, 200, upd.text);
    const disabled = await poise.keys({ status: 'disabled' });
    assert.equal(disabled.total, 1);
    assert.deepEqual(disabled.items.map((i) => i.id), [target.id]);
    assert.equal(disabled.items[0].status, 'disabled');
    const active = await poise.keys({ status: 'active' });
    assert.equal(active.total, 4);
    assert.ok(active.items.every((i) => i.status === 'active'));
  });

  it('single create, duplicate 409, get, update, delete', async () => {
    await clearKeys();
    const value = randomToken('single');
    const created = await poise.admin('POST', '/api/v1/api_keys/', {
      key_value: value, description: 'integration test',
    });
    assert.ok(created.status === 200 || created.status === 201, created.text);
    const id = created.body.id;
    assert.equal(typeof id, 'number');
    assert.equal(created.body.status, 'active');

    const dup = await poise.admin('POST', '/api/v1/api_keys/', { key_value: value });
    assertAdminError(dup, 409, 'duplicate key');
    assert.ok(!dup.text.includes(value), 'the 409 does not echo the key');

    const got = await poise.admin('GET', `/api/v1/api_keys/${id}`);
    assert.equal(got.status, 200, got.text);
    assert.equal(got.body.id, id);
    assert.equal(got.body.description, 'integration test');
    assert.ok(!got.text.includes(value), 'GET masks the key');

    for (const status of ['exhausted', 'error', 'disabled', 'active']) {
      const upd = await poise.admin('PUT', `/api/v1/api_keys/${id}`, { status });
      assert.equal(upd.status, 200, `${status}: ${upd.text}`);
      assert.equal(upd.body.status, status);
    }
    const bad = await poise.admin('PUT', `/api/v1/api_keys/${id}`, { status: 'bogus' });
    assert.ok(bad.status === 422 || bad.status === 400, `unknown status rejected: ${bad.status}`);
    assert.equal(typeof bad.body?.detail, 'string');
    assert.equal((await poise.admin('GET', `/api/v1/api_keys/${id}`)).body.status, 'active',
      'the rejected update changed nothing');
    const badCreate = await poise.admin('POST', '/api/v1/api_keys/', {
      key_value: randomToken('badstatus'), status: 'whatever',
    });
    assert.ok(badCreate.status === 422 || badCreate.status === 400,
      `unknown status on create rejected: ${badCreate.status}`);

    const del = await poise.admin('DELETE', `/api/v1/api_keys/${id}`);
    assert.ok(del.status === 200 || del.status === 204, del.text);
    assertAdminError(await poise.admin('GET', `/api/v1/api_keys/${id}`), 404, 'deleted key');
    assertAdminError(await poise.admin('DELETE', `/api/v1/api_keys/${id}`), 404, 'second delete');
    assertAdminError(await poise.admin('GET', '/api/v1/api_keys/999999'), 404, 'unknown id');
  });

  it('bulk-delete removes exactly the given ids', async () => {
    await clearKeys();
    await poise.addKeys([1, 2, 3].map((i) => randomToken(`bd${i}`)));
    const { items } = await poise.keys();
    const doomed = items.slice(0, 2).map((i) => i.id);
    const res = await poise.admin('DELETE', '/api/v1/api_keys/bulk-delete', doomed);
    assert.equal(res.status, 200, res.text);
    const left = await poise.keys();
    assert.equal(left.total, 1);
    assert.equal(left.items[0].id, items[2].id);
  });

  // statistics/calls and statistics/survival arrive with key intelligence (issue 5).
  it('statistics answer', async () => {
    for (const path of ['keys']) {
      const res = await poise.admin('GET', `/api/v1/api_keys/statistics/${path}`);
      assert.equal(res.status, 200, `${path}: ${res.text}`);
      assert.equal(typeof res.body, 'object');
    }
    const keys = await poise.admin('GET', '/api/v1/api_keys/statistics/keys');
    assert.equal(keys.body.total_keys, (await poise.keys()).total);
  });
});

describe('config', () => {
  it('GET /config/ lists items; bulk-save changes api_token at once', async () => {
    await poise.addKeys([randomToken('cfg')]);
    const list = await poise.admin('GET', '/api/v1/config/');
    assert.equal(list.status, 200, list.text);
    assert.ok(Array.isArray(list.body), 'a list of config items');
    assert.ok(list.body.every((i) => typeof i.key === 'string' && 'value' in i));

    const oldToken = poise.gatewayToken;
    const ok = await nativeCall(poise.url, { token: oldToken, auth: 'key' });
    assert.equal(ok.status, 200, ok.text);

    const newToken = randomToken('gwt2');
    await poise.setConfig({ api_token: newToken });
    const stale = await nativeCall(poise.url, { token: oldToken, auth: 'key' });
    assert.equal(stale.status, 401, 'the old gateway token stops working immediately');
    const fresh = await nativeCall(poise.url, { token: newToken, auth: 'key' });
    assert.equal(fresh.status, 200, fresh.text);
    assert.ok(candidateText(fresh.body).length > 0);

    const back = await poise.admin('GET', '/api/v1/config/proxy_retry_max_count');
    assert.equal(back.status, 200, back.text);
    assert.equal(back.body.value, '3');
    await poise.setConfig({ proxy_retry_max_count: '2' });
    const again = await poise.admin('GET', '/api/v1/config/proxy_retry_max_count');
    assert.equal(again.body.value, '2', 'bulk-save is visible at once');
    poise.gatewayToken = newToken;
  });
});

describe('paths', () => {
  const paths = [
    '/api/v1/config',
    '/api/v1/api_keys',
    '/api/v1/api_keys/paginated',
    '/api/v1/api_keys/statistics/keys',
    '/api/v1/users/me',
  ];
  for (const path of paths) {
    it(`${path} answers with and without a trailing slash, no redirect`, async () => {
      const bare = await poise.admin('GET', path);
      const slash = await poise.admin('GET', `${path}/`);
      assert.equal(bare.status, 200, `${path}: ${bare.status} ${bare.headers.get('location') ?? ''}`);
      assert.equal(slash.status, 200, `${path}/: ${slash.status} ${slash.headers.get('location') ?? ''}`);
      // The same resource: compared without usage counters and timestamps, which the background
      // flusher may update between the two calls.
      const stable = (body) => JSON.parse(JSON.stringify(body, (k, v) =>
        (['usage_count', 'last_used_at', 'failed_count', 'updated_at'].includes(k) ? undefined : v)));
      assert.deepEqual(stable(bare.body), stable(slash.body));
    });
  }

  it('login answers with a trailing slash too', async () => {
    const res = await request(`${poise.url}/api/v1/login/`, {
      method: 'POST', body: { username: 'admin', password: poise.adminPassword },
    });
    assert.equal(res.status, 200, res.text);
  });
});

describe('operational endpoints', () => {
  it('GET /health', async () => {
    const res = await request(`${poise.url}/health`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'healthy', service: 'gemini-poise' });
  });

  it('GET /ready', async () => {
    const res = await request(`${poise.url}/ready`);
    assert.equal(res.status, 200, res.text);
  });
});
