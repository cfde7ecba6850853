// Users and roles (issue 13): admins manage console users over /api/v1/users; viewers read but
// never write or reveal; a generated password must be changed before anything else; a reset or a
// disable ends the user's sessions; the last active admin stays; and behind a trusted proxy
// (POISE_TRUSTED_PROXIES) the login throttle, the audit log and the request log see the
// forwarded client, and the session cookie becomes __Host-poise_session over HTTPS.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  googleShapedKey, randomToken, request, sharedFake, spawnPoise, startPoise, waitFor,
} from './lib/harness.mjs';

const shared = sharedFake();

const CHOSEN = 'a-long-chosen-passphrase-7';

function assertError(res, status, code, context) {
  assert.equal(res.status, status, `${context}: ${res.text}`);
  assert.equal(res.body?.code, code, `${context}: ${res.text}`);
  assert.equal(typeof res.body?.detail, 'string', `${context}: ${res.text}`);
}

function assertUserShape(user, context) {
  assert.deepEqual(Object.keys(user).filter((k) => k !== 'password').sort(),
    ['created_at', 'id', 'is_active', 'must_change_password', 'role', 'updated_at', 'username'],
    `${context}: ${JSON.stringify(user)}`);
}

function login(poise, username, password, headers = {}) {
  return request(`${poise.url}/api/v1/login`,
    { method: 'POST', body: { username, password }, headers });
}

/** Creates a user as the admin; returns the 201 body. */
async function createUser(poise, body) {
  const res = await poise.admin('POST', '/api/v1/users', body);
  assert.equal(res.status, 201, `create ${body.username}: ${res.text}`);
  assertUserShape(res.body, 'created');
  return res.body;
}

/** Creates a user with a chosen password and logs in; returns {user, token}. */
async function userSession(poise, username, role) {
  const user = await createUser(poise, { username, password: CHOSEN, role });
  const res = await login(poise, username, CHOSEN);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.must_change_password, false);
  return { user, token: res.body.access_token };
}

async function auditEntries(poise) {
  const res = await poise.admin('GET', '/api/v1/audit?page=1&page_size=1000');
  assert.equal(res.status, 200, res.text);
  return res.body.items;
}

describe('users and roles', () => {
  let poise;
  let keyId;
  before(async () => {
    poise = await startPoise({ upstreamUrl: shared.fake.url, keys: [googleShapedKey()] });
    keyId = (await poise.keys()).items[0].id;
  });
  after(async () => {
    await poise?.stop();
  });

  it('the first admin is an admin, and nobody registers without a session', async () => {
    const me = await poise.admin('GET', '/api/v1/users/me');
    assert.equal(me.status, 200, me.text);
    assertUserShape(me.body, 'users/me');
    assert.equal(me.body.role, 'admin');
    const open = await request(`${poise.url}/api/v1/users`,
      { method: 'POST', body: { username: 'intruder', password: CHOSEN } });
    assertError(open, 401, 'unauthorized', 'anonymous create');
  });

  it('a generated password logs in but must be changed before anything else', async () => {
    const created = await createUser(poise, { username: 'viewer-gen' });
    assert.equal(created.role, 'viewer', 'viewer unless asked otherwise');
    assert.equal(created.must_change_password, true);
    assert.equal(typeof created.password, 'string');
    assert.ok(created.password.length >= 20);
    assert.ok(!JSON.stringify(created).includes('argon2'));

    const first = await login(poise, 'viewer-gen', created.password);
    assert.equal(first.status, 200, first.text);
    assert.equal(first.body.must_change_password, true);
    const token = first.body.access_token;
    for (const path of ['/api/v1/api_keys/paginated', '/api/v1/users', '/api/v1/config/']) {
      const res = await poise.admin('GET', path, undefined, { token });
      assertError(res, 403, 'password_change_required', `GET ${path}`);
    }
    const me = await poise.admin('GET', '/api/v1/users/me', undefined, { token });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.must_change_password, true);
    assert.equal(me.body.role, 'viewer');

    const second = await login(poise, 'viewer-gen', created.password);
    assert.equal(second.status, 200, second.text);
    const changed = await poise.admin('POST', '/api/v1/users/change-password',
      { current_password: created.password, new_password: CHOSEN }, { token });
    assert.equal(changed.status, 200, changed.text);
    // The session that changed it goes on, now unrestricted; the other one is revoked.
    const keys = await poise.admin('GET', '/api/v1/api_keys/paginated', undefined, { token });
    assert.equal(keys.status, 200, keys.text);
    const other = await poise.admin('GET', '/api/v1/users/me', undefined,
      { token: second.body.access_token });
    assertError(other, 401, 'unauthorized', 'the other session after a change');
    const again = await login(poise, 'viewer-gen', CHOSEN);
    assert.equal(again.status, 200, again.text);
    assert.equal(again.body.must_change_password, false);

    // An admin with a generated password may not write either until it is changed.
    const admin = await createUser(poise, { username: 'admin-gen', role: 'admin' });
    assert.equal(admin.role, 'admin');
    const adminLogin = await login(poise, 'admin-gen', admin.password);
    assert.equal(adminLogin.body.must_change_password, true);
    const write = await poise.admin('POST', '/api/v1/api_keys/bulk-add',
      { keys_string: googleShapedKey() }, { token: adminLogin.body.access_token });
    assertError(write, 403, 'password_change_required', 'a write before the change');
    assert.equal((await poise.keys()).total, 1, 'nothing was added');

    const audit = await auditEntries(poise);
    const entry = audit.find((e) => e.action === 'user.create' && e.target === 'viewer-gen');
    assert.ok(entry, JSON.stringify(audit.slice(0, 5)));
    assert.equal(entry.username, 'admin');
    assert.ok(!JSON.stringify(audit).includes(created.password), 'no password in the audit log');
  });

  it('viewers read everything but the key reveal, and write nothing', async () => {
    const { user, token } = await userSession(poise, 'viewer-ro', 'viewer');
    for (const path of ['/api/v1/api_keys/paginated', '/api/v1/config/', '/api/v1/users',
      `/api/v1/users/${user.id}`, `/api/v1/api_keys/${keyId}`, '/api/v1/audit',
      '/api/v1/api_keys/statistics/keys']) {
      const res = await poise.admin('GET', path, undefined, { token });
      assert.equal(res.status, 200, `GET ${path}: ${res.text}`);
    }
    const listing = await poise.admin('GET', '/api/v1/users', undefined, { token });
    assert.equal(listing.body.total, listing.body.items.length);
    for (const u of listing.body.items) assertUserShape(u, 'listing');
    const writes = [
      ['GET', `/api/v1/api_keys/${keyId}/reveal`],
      ['POST', '/api/v1/api_keys/bulk-add', { keys_string: googleShapedKey() }],
      ['PUT', `/api/v1/api_keys/${keyId}`, { description: 'viewer was here' }],
      ['DELETE', `/api/v1/api_keys/${keyId}`],
      ['POST', '/api/v1/config/bulk-save', { items: [{ key: 'proxy_retry_max_count', value: '1' }] }],
      ['POST', '/api/v1/users', { username: 'made-by-viewer' }],
      ['PUT', `/api/v1/users/${user.id}`, { role: 'admin' }],
      ['POST', `/api/v1/users/${user.id}/reset-password`],
      ['DELETE', `/api/v1/users/${user.id}`],
    ];
    for (const [method, path, body] of writes) {
      const res = await poise.admin(method, path, body, { token });
      assertError(res, 403, 'forbidden', `${method} ${path}`);
    }
    const me = await poise.admin('GET', '/api/v1/users/me', undefined, { token });
    assert.equal(me.body.role, 'viewer', 'the viewer did not promote itself');
    assert.equal((await poise.keys()).total, 1, 'no key was added or deleted');
    // Promoted by an admin, the same session may write at once.
    const promoted = await poise.admin('PUT', `/api/v1/users/${user.id}`, { role: 'admin' });
    assert.equal(promoted.status, 200, promoted.text);
    assert.equal(promoted.body.role, 'admin');
    const reveal = await poise.admin('GET', `/api/v1/api_keys/${keyId}/reveal`, undefined, { token });
    assert.equal(reveal.status, 200, reveal.text);
  });

  it('a viewer may log out', async () => {
    const { token } = await userSession(poise, 'viewer-out', 'viewer');
    const out = await poise.admin('POST', '/api/v1/logout', undefined, { token });
    assert.equal(out.status, 200, out.text);
    assertError(await poise.admin('GET', '/api/v1/users/me', undefined, { token }), 401,
      'unauthorized', 'after logout');
  });

  it('a reset ends every session of the user and forces a change', async () => {
    const { user, token } = await userSession(poise, 'reset-me', 'viewer');
    const second = await login(poise, 'reset-me', CHOSEN);
    const reset = await poise.admin('POST', `/api/v1/users/${user.id}/reset-password`);
    assert.equal(reset.status, 200, reset.text);
    assert.deepEqual(Object.keys(reset.body), ['password']);
    for (const t of [token, second.body.access_token]) {
      const res = await poise.admin('GET', '/api/v1/users/me', undefined, { token: t });
      assertError(res, 401, 'unauthorized', 'a session after the reset');
    }
    assertError(await login(poise, 'reset-me', CHOSEN), 401, 'invalid_credentials', 'old password');
    const fresh = await login(poise, 'reset-me', reset.body.password);
    assert.equal(fresh.status, 200, fresh.text);
    assert.equal(fresh.body.must_change_password, true);
    const read = await poise.admin('GET', `/api/v1/users/${user.id}`);
    assert.equal(read.body.must_change_password, true);
    const audit = await auditEntries(poise);
    assert.ok(audit.some((e) => e.action === 'user.reset_password' && e.target === 'reset-me'));
    assert.ok(!JSON.stringify(audit).includes(reset.body.password));
  });

  it('a disabled user cannot log in and its session stops working', async () => {
    const { user, token } = await userSession(poise, 'disable-me', 'admin');
    const off = await poise.admin('PUT', `/api/v1/users/${user.id}`, { is_active: false });
    assert.equal(off.status, 200, off.text);
    assert.equal(off.body.is_active, false);
    assertError(await poise.admin('GET', '/api/v1/users/me', undefined, { token }), 401,
      'unauthorized', 'the disabled user\'s session');
    assertError(await login(poise, 'disable-me', CHOSEN), 401, 'inactive', 'disabled login');
    const on = await poise.admin('PUT', `/api/v1/users/${user.id}`, { is_active: true });
    assert.equal(on.status, 200, on.text);
    assert.equal((await login(poise, 'disable-me', CHOSEN)).status, 200);
    const audit = await auditEntries(poise);
    assert.ok(audit.some((e) => e.action === 'user.update' && e.target === 'disable-me' &&
      e.detail === 'is_active=false'), JSON.stringify(audit.slice(0, 5)));
  });

  it('bad input is 422, a taken username 409, an unknown user 404', async () => {
    const cases = [
      [{ username: 'x', role: 'root' }, 'validation_error'],
      [{ username: 'x', password: 'short' }, 'weak_password'],
      [{ username: 'x', password: 12345678901234 }, 'validation_error'],
      [{ password: CHOSEN }, 'validation_error'],
      [{ username: ' padded' }, 'validation_error'],
    ];
    for (const [body, code] of cases) {
      assertError(await poise.admin('POST', '/api/v1/users', body), 422, code, JSON.stringify(body));
    }
    assertError(await poise.admin('POST', '/api/v1/users', { username: 'admin' }), 409, 'conflict',
      'duplicate');
    assertError(await poise.admin('PUT', '/api/v1/users/1', {}), 422, 'validation_error', 'empty');
    assertError(await poise.admin('PUT', '/api/v1/users/1', { is_active: 'no' }), 422,
      'validation_error', 'is_active type');
    assertError(await poise.admin('GET', '/api/v1/users/999999'), 404, 'not_found', 'unknown');
    assertError(await poise.admin('DELETE', '/api/v1/users/999999'), 404, 'not_found', 'unknown');
    assertError(await poise.admin('POST', '/api/v1/users/999999/reset-password'), 404, 'not_found',
      'unknown');
  });

  it('the last active admin stays, and no admin disables or deletes themself', async () => {
    const me = (await poise.admin('GET', '/api/v1/users/me')).body;
    assertError(await poise.admin('PUT', `/api/v1/users/${me.id}`, { is_active: false }), 409,
      'own_account', 'disable self');
    assertError(await poise.admin('DELETE', `/api/v1/users/${me.id}`), 409, 'own_account',
      'delete self');
    // Make the admin the only active one: demote or disable the others.
    for (const u of (await poise.admin('GET', '/api/v1/users')).body.items) {
      if (u.id !== me.id && u.role === 'admin') {
        const res = await poise.admin('PUT', `/api/v1/users/${u.id}`, { role: 'viewer' });
        assert.equal(res.status, 200, res.text);
      }
    }
    assertError(await poise.admin('PUT', `/api/v1/users/${me.id}`, { role: 'viewer' }), 409,
      'last_admin', 'demote the last admin');
    // A second admin may demote the first; then the second is the last one.
    const { user: second, token } = await userSession(poise, 'second-admin', 'admin');
    const demoted = await poise.admin('PUT', `/api/v1/users/${me.id}`, { role: 'viewer' },
      { token });
    assert.equal(demoted.status, 200, demoted.text);
    assertError(await poise.admin('DELETE', `/api/v1/users/${second.id}`, undefined, { token }), 409,
      'own_account', 'the second deletes itself');
    assertError(await poise.admin('PUT', `/api/v1/users/${second.id}`, { role: 'viewer' },
      { token }), 409, 'last_admin', 'the second demotes itself');
    const back = await poise.admin('PUT', `/api/v1/users/${me.id}`, { role: 'admin' }, { token });
    assert.equal(back.status, 200, back.text);
    const removed = await poise.admin('DELETE', `/api/v1/users/${second.id}`);
    assert.equal(removed.status, 204, removed.text);
    assertError(await poise.admin('GET', '/api/v1/users/me', undefined, { token }), 401,
      'unauthorized', 'a deleted user\'s session');
    assertError(await poise.admin('GET', `/api/v1/users/${second.id}`), 404, 'not_found', 'gone');
    const audit = await auditEntries(poise);
    assert.ok(audit.some((e) => e.action === 'user.delete' && e.target === 'second-admin'));
  });
});

describe('the generated first-admin password', () => {
  it('logs in, but nothing else works until it is changed', async () => {
    const run = await spawnPoise({
      env: { POISE_ADMIN_PASSWORD: '', POISE_API_TOKEN: randomToken('gwt') },
    });
    try {
      const m = await run.waitForLog(/\blisten="?127\.0\.0\.1:([1-9]\d*)/);
      await run.waitForLog(/First admin created/);
      const poise = { url: `http://127.0.0.1:${m[1]}` };
      await waitFor(async () => (await request(`${poise.url}/ready`)).status === 200,
        { what: 'GET /ready → 200' });
      const initial = readFileSync(join(run.dataDir, 'initial-admin-password'), 'utf8').trim();
      const first = await login(poise, 'admin', initial);
      assert.equal(first.status, 200, first.text);
      assert.equal(first.body.must_change_password, true);
      const auth = { authorization: `Bearer ${first.body.access_token}` };
      assertError(await request(`${poise.url}/api/v1/api_keys/paginated`, { headers: auth }), 403,
        'password_change_required', 'a read before the change');
      assertError(await request(`${poise.url}/api/v1/users`,
        { method: 'POST', headers: auth, body: { username: 'early' } }), 403,
      'password_change_required', 'a write before the change');
      const changed = await request(`${poise.url}/api/v1/users/change-password`, {
        method: 'POST', headers: auth, body: { current_password: initial, new_password: CHOSEN },
      });
      assert.equal(changed.status, 200, changed.text);
      const keys = await request(`${poise.url}/api/v1/api_keys/paginated`, { headers: auth });
      assert.equal(keys.status, 200, keys.text);
    } finally {
      await run.stop();
    }
  });
});

/** Fails logins from the forwarded address `ip` with unknown usernames until it is locked. */
async function lockForwardedIp(poise, ip) {
  for (let i = 0; i < 10; i += 1) {
    const res = await login(poise, randomToken('nobody'), 'wrong-password-here',
      { 'x-forwarded-for': ip });
    if (res.status === 429) return res;
    assert.equal(res.status, 401, res.text);
  }
  assert.fail(`forwarded address ${ip} was never locked`);
}

describe('behind a trusted proxy', () => {
  let poise;
  before(async () => {
    poise = await startPoise({
      upstreamUrl: shared.fake.url, env: { POISE_TRUSTED_PROXIES: '127.0.0.1/32' },
    });
  });
  after(async () => {
    await poise?.stop();
  });

  it('the login throttle, the audit log and the request log key on the forwarded client', async () => {
    const locked = await lockForwardedIp(poise, '203.0.113.10');
    assert.equal(locked.body.code, 'locked', locked.text);
    const same = await login(poise, 'admin', poise.adminPassword,
      { 'x-forwarded-for': '203.0.113.10' });
    assertError(same, 429, 'locked', 'the locked forwarded address');
    const other = await login(poise, 'admin', poise.adminPassword,
      { 'x-forwarded-for': '198.51.100.1, 203.0.113.11' });
    assert.equal(other.status, 200, `another forwarded address logs in: ${other.text}`);
    const audit = await auditEntries(poise);
    assert.ok(audit.some((e) => e.action === 'login' && e.ip === '203.0.113.11'),
      JSON.stringify(audit.slice(0, 5)));
    assert.ok(audit.some((e) => e.action === 'login.failed' && e.ip === '203.0.113.10'));
    assert.match(poise.logs(), /msg=access .*path=\/api\/v1\/login.* ip="?203\.0\.113\.11/);
    // A malformed header is ignored: the client is the proxy itself.
    const garbage = await login(poise, 'admin', poise.adminPassword,
      { 'x-forwarded-for': '203.0.113.10, <script>' });
    assert.equal(garbage.status, 200, garbage.text);
    assert.ok(!poise.logs().includes('<script>'), 'the malformed value is never logged');
  });

  it('over HTTPS the session cookie is __Host-poise_session, Secure', async () => {
    const https = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.30' };
    const res = await login(poise, 'admin', poise.adminPassword, https);
    assert.equal(res.status, 200, res.text);
    const setCookie = String(res.headers.get('set-cookie'));
    assert.match(setCookie, /^__Host-poise_session=[0-9a-f]+; Path=\/; Secure; HttpOnly; SameSite=Strict/);
    const cookie = setCookie.split(';')[0];
    const token = cookie.split('=')[1];
    const me = await request(`${poise.url}/api/v1/users/me`, { headers: { cookie, ...https } });
    assert.equal(me.status, 200, me.text);
    // The __Host- name means nothing over plain HTTP, and the plain name nothing over HTTPS.
    const plainHttp = await request(`${poise.url}/api/v1/users/me`, { headers: { cookie } });
    assertError(plainHttp, 401, 'unauthorized', '__Host- cookie over http');
    const planted = await request(`${poise.url}/api/v1/users/me`,
      { headers: { cookie: `poise_session=${token}`, ...https } });
    assertError(planted, 401, 'unauthorized', 'plain cookie over https');
    const out = await request(`${poise.url}/api/v1/logout`,
      { method: 'POST', headers: { cookie, 'x-poise-request': '1', ...https } });
    assert.equal(out.status, 200, out.text);
    assert.match(String(out.headers.get('set-cookie')),
      /^__Host-poise_session=; Path=\/; Secure; HttpOnly; SameSite=Strict; Max-Age=0/);
    // Plain HTTP through the proxy keeps the plain cookie.
    const plain = await login(poise, 'admin', poise.adminPassword,
      { 'x-forwarded-proto': 'http', 'x-forwarded-for': '203.0.113.31' });
    assert.match(String(plain.headers.get('set-cookie')), /^poise_session=[0-9a-f]+; Path=\/; HttpOnly/);
  });
});

describe('without trusted proxies', () => {
  let poise;
  before(async () => {
    poise = await startPoise({ upstreamUrl: shared.fake.url });
  });
  after(async () => {
    await poise?.stop();
  });

  it('X-Forwarded-For and X-Forwarded-Proto are ignored', async () => {
    const res = await login(poise, 'admin', poise.adminPassword,
      { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.40' });
    assert.equal(res.status, 200, res.text);
    const setCookie = String(res.headers.get('set-cookie'));
    assert.match(setCookie, /^poise_session=/);
    assert.ok(!setCookie.includes('Secure'), setCookie);
    const logins = (await auditEntries(poise)).filter((e) => e.action === 'login');
    assert.ok(logins.length >= 2, JSON.stringify(logins));
    for (const e of logins) assert.equal(e.ip, '127.0.0.1', JSON.stringify(e));
    // Failures "from" one forwarded address lock the real one: another forwarded address is
    // locked out too.
    await lockForwardedIp(poise, '203.0.113.41');
    const other = await login(poise, 'admin', poise.adminPassword,
      { 'x-forwarded-for': '203.0.113.42' });
    assertError(other, 429, 'locked', 'XFF does not escape the lock');
  });
});
