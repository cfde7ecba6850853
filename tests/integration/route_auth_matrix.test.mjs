// The route-auth matrix, generated from /openapi.json: every documented operation is called with
// each kind of credential, and whether it is refused (401 or 403) must follow the operation's
// declared x-poise-access. A new operation joins by having its example in lib/openapi.mjs; a new
// kind of credential is one entry of COLUMNS (and its fixture in the before hook).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { request, startStack } from './lib/harness.mjs';
import { EXAMPLES, gatewayHeaders, operations, sendExample, setUp } from './lib/openapi.mjs';

const isRead = (o) => o.method === 'get' || o.method === 'head';
const bearer = (token) => ({ authorization: `Bearer ${token}` });

/**
 * Each column: the credential's headers for operation `o` (example `ex`), and whether an
 * operation of `access` lets it through.
 */
const COLUMNS = [
  {
    name: 'no credential',
    headers: () => ({}),
    allows: (access) => access === 'anyone',
  },
  {
    name: 'gateway token',
    headers: (fx, o, ex) => gatewayHeaders(fx.gatewayToken, ex.gatewayAs),
    allows: (access) => access === 'anyone' || access === 'gateway_token',
  },
  {
    name: 'admin session (Bearer)',
    headers: (fx, o, ex) => bearer(ex.token ? ex.token(fx) : fx.adminToken),
    allows: (access) => access !== 'gateway_token',
  },
  {
    name: 'admin session cookie without X-Poise-Request',
    headers: (fx) => ({ cookie: fx.adminCookie }),
    allows: (access, o) => access === 'anyone' || ((access === 'viewer' || access === 'admin') && isRead(o)),
  },
  {
    name: 'client token',
    headers: (fx, o, ex) => gatewayHeaders(fx.clientToken, ex.gatewayAs),
    allows: (access) => access === 'anyone' || access === 'gateway_token',
  },
  {
    // A viewer's logout ends a session of its own, not the one the other calls use.
    name: 'viewer session (Bearer)',
    headers: (fx, o) => bearer(o.key === 'POST /api/v1/logout' ? fx.spareViewerToken : fx.viewerToken),
    allows: (access) => access === 'anyone' || access === 'viewer',
  },
];

let stack;
let poise;
let doc;
let fx;

before(async () => {
  stack = await startStack();
  poise = stack.poise;
  doc = (await request(`${poise.url}/openapi.json`)).body;
  await poise.login();
  fx = await setUp(poise);
  fx.gatewayToken = poise.gatewayToken;
  fx.adminToken = poise.accessToken;
  const cookieLogin = await request(`${poise.url}/api/v1/login`, {
    method: 'POST', body: { username: 'admin', password: fx.password },
  });
  assert.equal(cookieLogin.status, 200, cookieLogin.text);
  fx.adminCookie = cookieLogin.headers.get('set-cookie').split(';')[0];
  // A viewer with two sessions, from a user that is not deleted by any example, and a client
  // token that is not rotated or deleted by any example.
  const viewer = await poise.admin('POST', '/api/v1/users',
    { username: 'matrix-viewer', password: fx.viewerPassword, role: 'viewer' });
  assert.equal(viewer.status, 201, viewer.text);
  for (const name of ['viewerToken', 'spareViewerToken']) {
    const login = await request(`${poise.url}/api/v1/login`, {
      method: 'POST', body: { username: 'matrix-viewer', password: fx.viewerPassword },
    });
    assert.equal(login.status, 200, login.text);
    assert.equal(login.body.must_change_password, false);
    fx[name] = login.body.access_token;
  }
  const token = await poise.admin('POST', '/api/v1/tokens', { name: 'matrix client token' });
  assert.equal(token.status, 201, token.text);
  fx.clientToken = token.body.token;
});

after(async () => {
  await stack?.stop();
});

describe('route-auth matrix from /openapi.json', () => {
  it('refuses exactly the credentials each operation\'s x-poise-access excludes', async () => {
    const ops = operations(doc).filter((o) => EXAMPLES[o.key]);
    assert.ok(ops.length > 40, `only ${ops.length} operations with examples`);
    const ordered = [...ops.filter((o) => !EXAMPLES[o.key].last), ...ops.filter((o) => EXAMPLES[o.key].last)];
    const wrong = [];
    let calls = 0;
    for (const o of ordered) {
      const ex = { ...EXAMPLES[o.key], ...EXAMPLES[o.key].probe };
      const access = o.op['x-poise-access'];
      for (const column of COLUMNS) {
        const res = await sendExample(poise.url, o, ex, fx, column.headers(fx, o, ex));
        calls += 1;
        const refused = res.status === 401 || res.status === 403;
        if (refused === column.allows(access, o)) {
          wrong.push(`${o.key} (${access}) with ${column.name}: ${res.status} ${res.text.slice(0, 120)}`);
        }
      }
    }
    assert.deepEqual(wrong, []);
    assert.equal(calls, ordered.length * COLUMNS.length);
  });
});
