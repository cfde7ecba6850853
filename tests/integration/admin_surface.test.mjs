// The rest of the seed's admin surface (bulk-update, calls_by_minute, config create/delete, the
// key-pool "cache" routes), the audit log's filters and cursor, the audit sweep over every admin
// write, and the master key: a wrong one stops start-up, `poise keys rekey` moves every key.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  POISE_BIN, googleShapedKey, randomToken, spawnPoise, startFake, startPoise, startStack, waitFor,
} from './lib/harness.mjs';
import { candidateText, nativeCall } from './lib/gemini.mjs';

let stack;
let poise;

before(async () => {
  stack = await startStack({
    config: {
      key_validation_active_interval_seconds: '0',
      key_validation_exhausted_interval_seconds: '0',
      key_validation_error_interval_seconds: '0',
    },
  });
  ({ poise } = stack);
});

after(async () => {
  await stack?.stop();
});

function assertAdminError(res, status, code, context) {
  assert.equal(res.status, status, `${context}: ${res.text}`);
  assert.equal(typeof res.body?.detail, 'string', `${context}: ${res.text}`);
  if (code) assert.equal(res.body?.code, code, `${context}: ${res.text}`);
}

/** Adds keys and returns their ids, in the order given. */
async function addKeys(values) {
  const ids = [];
  for (const v of values) {
    const res = await poise.admin('POST', '/api/v1/api_keys', { key_value: v });
    assert.equal(res.status, 201, res.text);
    ids.push(res.body.id);
  }
  return ids;
}

/** The newest audit entries matching `query` (written off the request path, so polled). */
async function auditEntries(query, { atLeast = 1 } = {}) {
  let body;
  await waitFor(async () => {
    const res = await poise.admin('GET', `/api/v1/audit?${new URLSearchParams(query)}`);
    assert.equal(res.status, 200, res.text);
    body = res.body;
    return body.items.length >= atLeast;
  }, { timeoutMs: 5000, what: `audit entries ${JSON.stringify(query)}` });
  return body;
}

describe('PUT /api/v1/api_keys/bulk-update', () => {
  it('changes known keys in the live pool and reports unknown ids', async () => {
    const [a, b] = await addKeys([googleShapedKey(), googleShapedKey()]);
    for (const path of ['/api/v1/api_keys/bulk-update', '/api/v1/api_keys/bulk-update/']) {
      const res = await poise.admin('PUT', path, {
        key_ids: [a, b, 987654, a], updates: { status: 'disabled', description: 'bulk' },
      });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { total_requested: 3, total_updated: 2, failed_ids: [987654] });
    }
    const row = await poise.admin('GET', `/api/v1/api_keys/${a}`);
    assert.equal(row.body.status, 'disabled');
    assert.equal(row.body.description, 'bulk');
    // The pool took it at once: nothing is selectable with both keys disabled.
    const stats = await poise.admin('GET', '/api/v1/api_keys/cache/status');
    assert.equal(stats.body.pool.disabled >= 2, true, stats.text);
    const back = await poise.admin('PUT', '/api/v1/api_keys/bulk-update', {
      key_ids: [a, b], updates: { status: 'active', priority: 'high' },
    });
    assert.equal(back.body.total_updated, 2);
    assert.equal((await poise.admin('GET', `/api/v1/api_keys/${b}`)).body.status, 'active');
  });

  it('refuses bad statuses, priorities, key values and empty updates', async () => {
    const [a] = await addKeys([googleShapedKey()]);
    const cases = [
      [{ key_ids: [a], updates: { status: 'paused' } }, 'invalid_status'],
      [{ key_ids: [a], updates: { priority: 'urgent' } }, 'invalid_priority'],
      [{ key_ids: [a], updates: { key_value: googleShapedKey() } }, 'validation_error'],
      [{ key_ids: [a], updates: {} }, 'validation_error'],
      [{ key_ids: [], updates: { status: 'active' } }, 'validation_error'],
      [{ key_ids: ['x'], updates: { status: 'active' } }, 'validation_error'],
    ];
    for (const [body, code] of cases) {
      assertAdminError(await poise.admin('PUT', '/api/v1/api_keys/bulk-update', body), 422, code,
        JSON.stringify(body));
    }
  });
});

describe('GET /api/v1/api_keys/statistics/calls_by_minute', () => {
  it('counts proxied attempts per key and minute, masked', async () => {
    const key = googleShapedKey();
    const [id] = await addKeys([key]);
    // Only this key is active for the call.
    const { items } = await poise.keys();
    const others = items.map((k) => k.id).filter((k) => k !== id);
    if (others.length) {
      await poise.admin('PUT', '/api/v1/api_keys/bulk-update',
        { key_ids: others, updates: { status: 'disabled' } });
    }
    const call = await nativeCall(poise.url, { token: poise.gatewayToken });
    assert.equal(call.status, 200, call.text);
    assert.ok(candidateText(call.body));
    for (const path of ['/api/v1/api_keys/statistics/calls_by_minute?hours_ago=1',
      '/api/v1/api_keys/statistics/calls_by_minute/']) {
      // Served from the usage aggregates, which the request log writer adds to in batches.
      const res = await waitFor(async () => {
        const r = await poise.admin('GET', path);
        assert.equal(r.status, 200, r.text);
        return r.body.logs.some((l) => l.api_key_id === id) ? r : null;
      }, { timeoutMs: 10_000, intervalMs: 100, what: `the key's minute in ${path}` });
      const mine = res.body.logs.filter((l) => l.api_key_id === id);
      assert.equal(mine.length, 1, res.text);
      assert.equal(mine[0].call_count, 1);
      assert.match(mine[0].timestamp, /T\d\d:\d\d:00(\.000)?Z$/);
      assert.ok(!res.text.includes(key), 'the key value is masked');
    }
    assertAdminError(await poise.admin('GET',
      '/api/v1/api_keys/statistics/calls_by_minute?hours_ago=0'), 422, 'validation_error', '0 h');
  });
});

describe('POST and DELETE /api/v1/config', () => {
  it('deletes (204), creates (201), refuses a duplicate (409) and a bad value (422)', async () => {
    // Defaults are seeded at first start: delete one, then create it again.
    const first = await poise.admin('DELETE', '/api/v1/config/key_validation_timeout_seconds');
    assert.equal(first.status, 204, first.text);
    assertAdminError(await poise.admin('GET', '/api/v1/config/key_validation_timeout_seconds'),
      404, 'not_found', 'after delete');
    assertAdminError(await poise.admin('POST', '/api/v1/config',
      { key: 'key_validation_timeout_seconds', value: 'many' }), 422, 'invalid_config', 'bad value');
    for (const path of ['/api/v1/config', '/api/v1/config/']) {
      const res = await poise.admin('POST', path,
        { key: 'key_validation_timeout_seconds', value: '17' });
      if (path.endsWith('/')) {
        assertAdminError(res, 409, 'conflict', 'duplicate');
      } else {
        assert.equal(res.status, 201, res.text);
        assert.equal(res.body.key, 'key_validation_timeout_seconds');
        assert.equal(res.body.value, '17');
        assert.equal(typeof res.body.id, 'number');
      }
    }
    const del = await poise.admin('DELETE', '/api/v1/config/key_validation_timeout_seconds/');
    assert.equal(del.status, 204, del.text);
    assert.equal(del.text, '');
    assertAdminError(await poise.admin('GET', '/api/v1/config/key_validation_timeout_seconds'),
      404, 'not_found', 'after delete');
    assertAdminError(await poise.admin('DELETE', '/api/v1/config/key_validation_timeout_seconds'),
      404, 'not_found', 'delete twice');
  });

  it('takes effect at once and keeps secrets masked', async () => {
    assert.equal((await poise.admin('DELETE', '/api/v1/config/proxy_retry_max_count')).status, 204);
    const res = await poise.admin('POST', '/api/v1/config',
      { key: 'proxy_retry_max_count', value: '1' });
    assert.equal(res.status, 201, res.text);
    const got = await poise.admin('GET', '/api/v1/config/proxy_retry_max_count');
    assert.equal(got.body.value, '1');
    const token = await poise.admin('GET', '/api/v1/config/api_token');
    assert.notEqual(token.body.value, poise.gatewayToken, 'api_token is masked');
  });

  it('refuses to delete the gateway token and the upstream URL (422 config_required)', async () => {
    for (const key of ['api_token', 'target_api_url']) {
      assertAdminError(await poise.admin('DELETE', `/api/v1/config/${key}`), 422,
        'config_required', key);
    }
    const call = await nativeCall(poise.url, { token: poise.gatewayToken });
    assert.notEqual(call.status, 401);
  });
});

describe('/api/v1/api_keys/cache/* (the key pool)', () => {
  it('status compares the pool with the database; refresh and invalidate reload it', async () => {
    const status = await poise.admin('GET', '/api/v1/api_keys/cache/status/');
    assert.equal(status.status, 200, status.text);
    for (const field of ['cache_status', 'cached_keys_count', 'actual_active_keys_count',
      'cache_accuracy', 'cache_ttl_seconds', 'statistics', 'pool', 'database']) {
      assert.ok(field in status.body, `${field} in ${status.text}`);
    }
    assert.equal(status.body.cached_keys_count, status.body.database.total);

    const refresh = await poise.admin('POST', '/api/v1/api_keys/cache/refresh');
    assert.equal(refresh.status, 200, refresh.text);
    assert.equal(refresh.body.cached_keys_count, status.body.database.total);
    const invalidate = await poise.admin('POST', '/api/v1/api_keys/cache/invalidate/');
    assert.equal(invalidate.status, 200, invalidate.text);
    const after = await poise.admin('GET', '/api/v1/api_keys/cache/status');
    assert.equal(after.body.statistics.total_requests, 2);
    assert.equal(after.body.cache_accuracy, true);

    const reset = await poise.admin('POST', '/api/v1/api_keys/cache/reset-stats');
    assert.equal(reset.status, 200, reset.text);
    const zero = await poise.admin('GET', '/api/v1/api_keys/cache/status');
    assert.equal(zero.body.statistics.total_requests, 0);
    assert.notEqual(zero.body.statistics.last_reset_time, null);
  });
});

describe('GET /api/v1/audit filters and cursor', () => {
  it('filters by user, action, target and time, and pages newest first by cursor', async () => {
    const start = new Date(Date.now() - 1000).toISOString();
    const [id] = await addKeys([googleShapedKey()]);
    for (let i = 0; i < 5; ++i) {
      const res = await poise.admin('PUT', `/api/v1/api_keys/${id}`, { description: `d${i}` });
      assert.equal(res.status, 200, res.text);
    }
    const filtered = await auditEntries(
      { user: 'admin', action: 'key.update', target: String(id), since: start }, { atLeast: 5 });
    assert.equal(filtered.items.length, 5);
    assert.equal(filtered.total, 5);
    assert.equal(filtered.next_cursor, null);
    for (const e of filtered.items) {
      assert.equal(e.action, 'key.update');
      assert.equal(e.target, String(id));
      assert.equal(e.username, 'admin');
    }
    const ids = [];
    let cursor;
    for (let page = 0; page < 5; ++page) {
      const q = { action: 'key.update', target: String(id), limit: '2' };
      if (cursor) q.cursor = cursor;
      const res = await poise.admin('GET', `/api/v1/audit/?${new URLSearchParams(q)}`);
      assert.equal(res.status, 200, res.text);
      ids.push(...res.body.items.map((e) => e.id));
      cursor = res.body.next_cursor;
      if (!cursor) break;
    }
    assert.equal(ids.length, 5);
    assert.deepEqual([...ids].sort((x, y) => y - x), ids, 'newest first');
    assert.equal(new Set(ids).size, 5);

    const future = new Date(Date.now() + 3600_000).toISOString();
    const none = await poise.admin('GET', `/api/v1/audit?since=${future}`);
    assert.equal(none.body.items.length, 0);
    const old = await poise.admin('GET', `/api/v1/audit?until=${start}&action=key.update&target=${id}`);
    assert.equal(old.body.items.length, 0);
    // The first form of the route still works.
    const paged = await poise.admin('GET', '/api/v1/audit?page=1&page_size=3');
    assert.equal(paged.status, 200);
    assert.equal(paged.body.items.length, 3);
    assert.equal(typeof paged.body.total, 'number');

    for (const q of ['limit=0', 'limit=201', 'since=yesterday', 'cursor=abc']) {
      assertAdminError(await poise.admin('GET', `/api/v1/audit?${q}`), 422, 'validation_error', q);
    }
  });
});

describe('every admin write is audited, without secrets', () => {
  it('each write leaves an entry with its action and no key or token in it', async () => {
    const keyA = googleShapedKey();
    const keyB = googleShapedKey();
    const keyC = googleShapedKey();
    const newToken = randomToken('gwt', 24);
    const [idA] = await addKeys([keyA]);
    // [method, path, body, action, target (or undefined: any)]
    const writes = [
      ['POST', '/api/v1/api_keys', { key_value: keyB }, 'key.create'],
      ['PUT', `/api/v1/api_keys/${idA}`, { description: 'x', status: 'active' }, 'key.update',
        String(idA)],
      ['PUT', '/api/v1/api_keys/bulk-update', { key_ids: [idA], updates: { priority: 'low' } },
        'key.bulk_update'],
      ['GET', `/api/v1/api_keys/${idA}/reveal`, undefined, 'key.reveal', String(idA)],
      ['POST', '/api/v1/api_keys/bulk-add', { keys_string: keyC }, 'key.bulk_add'],
      ['POST', '/api/v1/api_keys/add-list', { keys: [googleShapedKey()] }, 'key.bulk_add'],
      ['POST', `/api/v1/api_keys/check/${idA}`, undefined, 'key.check', String(idA)],
      ['POST', '/api/v1/api_keys/bulk-check', { key_ids: [idA] }, 'key.bulk_check'],
      ['POST', '/api/v1/api_keys/bulk-check-sync', { key_ids: [idA] }, 'key.bulk_check_sync'],
      ['POST', '/api/v1/config/bulk-save', { items: [{ key: 'api_token', value: newToken }] },
        'config.update', 'api_token'],
      ['PUT', '/api/v1/config/proxy_retry_max_count', { value: '2' }, 'config.update',
        'proxy_retry_max_count'],
      ['DELETE', '/api/v1/config/anthropic_model_default', undefined, 'config.delete',
        'anthropic_model_default'],
      ['POST', '/api/v1/config', { key: 'anthropic_model_default', value: 'gemini-2.5-pro' },
        'config.create', 'anthropic_model_default'],
      ['PUT', '/api/v1/token-bucket/config', { default_capacity: 50 }, 'config.update'],
      ['POST', `/api/v1/token-bucket/api-keys/${idA}/configure`,
        { capacity: 5, refill_rate: 1 }, 'token_bucket.configure', String(idA)],
      ['DELETE', `/api/v1/token-bucket/api-keys/${idA}/configure`, undefined,
        'token_bucket.unconfigure', String(idA)],
      ['POST', `/api/v1/token-bucket/api-keys/${idA}/reset`, undefined, 'token_bucket.reset',
        String(idA)],
      ['POST', '/api/v1/token-bucket/batch-configure',
        { key_ids: [idA], capacity: 5, refill_rate: 1 }, 'token_bucket.batch_configure'],
      ['POST', '/api/v1/token-bucket/cleanup', undefined, 'token_bucket.cleanup'],
      ['POST', '/api/v1/token-bucket/test-selection?use_token_bucket=false', undefined,
        'token_bucket.test_selection'],
      ['POST', '/api/v1/api_keys/cache/refresh', undefined, 'pool.reload'],
      ['POST', '/api/v1/api_keys/cache/reset-stats', undefined, 'pool.reset_stats'],
      ['DELETE', `/api/v1/api_keys/${idA}`, undefined, 'key.delete', String(idA)],
      ['DELETE', '/api/v1/api_keys/bulk-delete', [987654], 'key.bulk_delete'],
    ];
    const secrets = [keyA, keyB, keyC, newToken, poise.gatewayToken, poise.adminPassword];
    for (const [method, path, body, action, target] of writes) {
      const before = await poise.admin('GET', `/api/v1/audit?action=${action}&limit=1`);
      const newest = before.body.items[0]?.id ?? 0;
      const res = await poise.admin(method, path, body);
      assert.ok(res.status >= 200 && res.status < 300, `${method} ${path}: ${res.status} ${res.text}`);
      let entry;
      await waitFor(async () => {
        const got = await poise.admin('GET', `/api/v1/audit?action=${action}&limit=1`);
        entry = got.body.items[0];
        return entry && entry.id > newest;
      }, { timeoutMs: 5000, what: `an audit entry for ${method} ${path}` });
      assert.equal(entry.username, 'admin', path);
      if (target !== undefined) assert.equal(entry.target, target, path);
      const text = JSON.stringify(entry);
      for (const s of secrets) assert.ok(!text.includes(s), `${method} ${path} audit leaks a secret`);
    }

    // Sessions: a second login, then its logout; a failed login.
    const other = await poise.login();
    assert.equal(other.status, 200);
    const logout = await poise.admin('POST', '/api/v1/logout');
    assert.ok(logout.status === 200 || logout.status === 204, logout.text);
    await poise.login();
    await poise.admin('POST', '/api/v1/login', { username: 'admin', password: 'wrong-password' });
    for (const action of ['login', 'logout', 'login.failed']) {
      const got = await auditEntries({ action });
      assert.ok(!JSON.stringify(got).includes('wrong-password'));
      assert.ok(!JSON.stringify(got).includes(poise.adminPassword));
    }
  });
});

/** Runs `poise ARGS` to its end; resolves {code, stdout, stderr}. */
function runPoise(args, env) {
  return new Promise((resolveRun) => {
    execFile(POISE_BIN, args, { env: { PATH: process.env.PATH, ...env }, timeout: 60000 },
      (err, stdout, stderr) => resolveRun({ code: err ? err.code : 0, stdout, stderr }));
  });
}

describe('the master key', () => {
  let fake;
  before(async () => { fake = await startFake(); });
  after(async () => { await fake?.stop(); });

  /** A gateway on its own data dir with one key; stopped without removing its data. */
  const RECEIVER_SECRET = 'receiver-secret-7f3a9c';

  async function gatewayWithKey(env = {}, { webhook = false } = {}) {
    const dataDir = await mkdtemp(join(tmpdir(), 'poise-mk-'));
    const key = googleShapedKey();
    const first = await startPoise({ upstreamUrl: fake.url, keys: [key],
      env: { POISE_DATA_DIR: dataDir, ...env } });
    const call = await nativeCall(first.url, { token: first.gatewayToken });
    assert.equal(call.status, 200, call.text);
    if (webhook) {
      const hook = await first.admin('POST', '/api/v1/alerts', {
        name: 'ops', url: 'https://hooks.example.com/poise', events: ['key.error'],
        headers: { 'X-Receiver-Token': RECEIVER_SECRET },
      });
      assert.equal(hook.status, 201, hook.text);
    }
    first.signal('SIGTERM');
    assert.equal((await first.exited).code, 0);
    const dbEnv = first.databaseUrl ? { DATABASE_URL: first.databaseUrl } : {};
    return { dataDir, key, first, env: { POISE_DATA_DIR: dataDir, ...dbEnv, ...env } };
  }

  it('a wrong secret.key stops start-up with one line naming the file', async () => {
    const g = await gatewayWithKey();
    try {
      await writeFile(join(g.dataDir, 'secret.key'), `${randomBytes(32).toString('hex')}\n`,
        { mode: 0o600 });
      const p = await spawnPoise({ env: g.env });
      const { code } = await p.exited;
      assert.notEqual(code, 0);
      const lines = p.logs().split('\n').filter((l) => /secret_key_mismatch/.test(l));
      assert.equal(lines.length, 1, p.logs());
      assert.ok(lines[0].includes(join(g.dataDir, 'secret.key')), lines[0]);
      await p.stop();
    } finally {
      await rm(g.dataDir, { recursive: true, force: true });
    }
  });

  it('a wrong POISE_SECRET_KEY stops start-up with one line naming it', async () => {
    const key = randomBytes(32).toString('hex');
    const g = await gatewayWithKey({ POISE_SECRET_KEY: key });
    try {
      const p = await spawnPoise({
        env: { ...g.env, POISE_SECRET_KEY: randomBytes(32).toString('hex') },
      });
      const { code } = await p.exited;
      assert.notEqual(code, 0);
      const lines = p.logs().split('\n').filter((l) => /secret_key_mismatch/.test(l));
      assert.equal(lines.length, 1, p.logs());
      assert.match(lines[0], /POISE_SECRET_KEY/);
      assert.ok(!p.logs().includes(key));
      await p.stop();
    } finally {
      await rm(g.dataDir, { recursive: true, force: true });
    }
  });

  it('`poise keys rekey` moves the keys to a new secret.key that still proxies', async () => {
    const g = await gatewayWithKey({}, { webhook: true });
    try {
      const oldKey = (await readFile(join(g.dataDir, 'secret.key'), 'utf8')).trim();
      const run = await runPoise(['keys', 'rekey'], g.env);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /re-encrypted 1 API key\(s\), 1 config secret\(s\) and the headers of 1 alert webhook\(s\)/);
      assert.ok(!run.stderr.includes(RECEIVER_SECRET));
      // On SQLite the database lives in the data directory: the header value is nowhere in it.
      for (const f of await readdir(g.dataDir)) {
        const bytes = await readFile(join(g.dataDir, f)).catch(() => Buffer.alloc(0));
        assert.ok(!bytes.includes(RECEIVER_SECRET), `${f} holds the webhook header in the clear`);
      }
      const newKey = (await readFile(join(g.dataDir, 'secret.key'), 'utf8')).trim();
      assert.notEqual(newKey, oldKey);
      assert.ok(!run.stdout.includes(newKey) && !run.stderr.includes(newKey), 'no key printed');
      assert.ok(!run.stderr.includes(oldKey));
      assert.equal((await stat(join(g.dataDir, 'secret.key'))).mode & 0o777, 0o600);
      const kept = (await readdir(g.dataDir)).filter((f) => f.startsWith('secret.key.old-'));
      assert.equal(kept.length, 1);
      assert.equal((await readFile(join(g.dataDir, kept[0]), 'utf8')).trim(), oldKey);

      const again = await startPoise({ upstreamUrl: fake.url, adminPassword: g.first.adminPassword,
        env: g.env });
      try {
        const call = await nativeCall(again.url, { token: g.first.gatewayToken });
        assert.equal(call.status, 200, call.text);
        const { items } = await again.keys();
        assert.equal(items[0].status, 'active');
        const reveal = await again.admin('GET', `/api/v1/api_keys/${items[0].id}/reveal`);
        assert.equal(reveal.body.key_value, g.key);
        // The webhook's headers opened under the new key (shown masked).
        const hooks = await again.admin('GET', '/api/v1/alerts');
        assert.equal(hooks.status, 200, hooks.text);
        assert.equal(hooks.body.items.length, 1);
        assert.match(hooks.body.items[0].headers['X-Receiver-Token'], /^r/);
        assert.ok(!hooks.text.includes(RECEIVER_SECRET));
      } finally {
        again.signal('SIGTERM');
        await again.exited;
      }
      // The old key no longer opens the database.
      await writeFile(join(g.dataDir, 'secret.key'), `${oldKey}\n`, { mode: 0o600 });
      const p = await spawnPoise({ env: g.env });
      assert.notEqual((await p.exited).code, 0);
      await p.stop();
    } finally {
      await rm(g.dataDir, { recursive: true, force: true });
    }
  });

  it('rekey with POISE_SECRET_KEY takes the new key from --new-key-file and prints none', async () => {
    const oldKey = randomBytes(32).toString('hex');
    const g = await gatewayWithKey({ POISE_SECRET_KEY: oldKey });
    try {
      const newKey = randomBytes(32).toString('base64');
      const file = join(g.dataDir, 'next.key');
      await writeFile(file, newKey, { mode: 0o600 });
      const run = await runPoise(['keys', 'rekey', '--new-key-file', file], g.env);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /POISE_SECRET_KEY/);
      assert.equal(run.stdout, '');
      const again = await startPoise({ upstreamUrl: fake.url, adminPassword: g.first.adminPassword,
        env: { ...g.env, POISE_SECRET_KEY: newKey } });
      try {
        const call = await nativeCall(again.url, { token: g.first.gatewayToken });
        assert.equal(call.status, 200, call.text);
      } finally {
        again.signal('SIGTERM');
        await again.exited;
      }
    } finally {
      await rm(g.dataDir, { recursive: true, force: true });
    }
  });
});
