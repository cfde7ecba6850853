// Operator paper cuts: `poise keys import` from another working directory uses the key material
// of POISE_DATA_DIR; an API key row that does not decrypt marks that key error without stopping
// start-up; POISE_API_TOKEN / POISE_UPSTREAM_URL set later to other values are reported; the data
// directory and the initial password file are private from creation; an unknown LOG_LEVEL is
// refused.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  POISE_BIN, googleShapedKey, randomToken, sharedFake, spawnPoise, startPoise,
} from './lib/harness.mjs';

const shared = sharedFake();

/** Runs a poise subcommand synchronously with a minimal environment; returns {status, stdout, stderr}. */
function poiseCli(args, { env = {}, cwd, input } = {}) {
  const r = spawnSync(POISE_BIN, args, {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LOG_LEVEL: 'info', ...env },
    cwd,
    input,
    encoding: 'utf8',
    timeout: 30000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('key material comes from POISE_DATA_DIR', () => {
  it('keys imported from another working directory are used by serve', async () => {
    const first = await startPoise({ upstreamUrl: shared.fake.url });
    const dataDir = first.dataDir;
    const password = first.adminPassword;
    // Stop the first instance without removing its data directory.
    first.signal('SIGTERM');
    await first.exited;

    const elsewhere = await mkdtemp(join(tmpdir(), 'poise-cwd-'));
    try {
      const keys = [googleShapedKey(), googleShapedKey()];
      const r = poiseCli(['keys', 'import', '-'], {
        env: { POISE_DATA_DIR: dataDir }, cwd: elsewhere, input: keys.join('\n'),
      });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /added 2/);
      // Nothing was created in the other working directory.
      assert.throws(() => execFileSync('test', ['-e', join(elsewhere, 'data')]));

      const again = await startPoise({
        upstreamUrl: shared.fake.url, adminPassword: password, env: { POISE_DATA_DIR: dataDir },
      });
      try {
        const { items } = await again.keys();
        assert.equal(items.length, 2);
        assert.ok(items.every((k) => k.status === 'active'), JSON.stringify(items));
        assert.doesNotMatch(again.logs(), /do not decrypt/);
      } finally {
        await again.stop();
      }
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('import with no secret.key next to stored keys is refused, and creates none', async () => {
    const poise = await startPoise({ upstreamUrl: shared.fake.url, keys: [googleShapedKey()] });
    const databaseUrl = poise.databaseUrl ?? `sqlite:///${poise.dataDir}/poise.db`;
    const elsewhere = await mkdtemp(join(tmpdir(), 'poise-cwd-'));
    try {
      const r = poiseCli(['keys', 'import', '-'], {
        env: { DATABASE_URL: databaseUrl }, cwd: elsewhere, input: googleShapedKey(),
      });
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /no secret\.key in .*POISE_DATA_DIR/);
      assert.throws(() => execFileSync('test', ['-e', join(elsewhere, 'data', 'secret.key')]));
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
      await poise.stop();
    }
  });

  it('a row that does not decrypt marks that key error; start-up goes on', async (t) => {
    if (process.env.IT_DATABASE_URL) t.skip('edits the SQLite file directly');
    const keys = [googleShapedKey(), googleShapedKey()];
    const first = await startPoise({ upstreamUrl: shared.fake.url, keys });
    const { dataDir, adminPassword } = first;
    const rows = (await first.keys()).items.sort((a, b) => a.id - b.id);
    first.signal('SIGTERM');
    await first.exited;
    // Flip a byte of the first key's ciphertext.
    execFileSync('sqlite3', [join(dataDir, 'poise.db'),
      `UPDATE api_keys SET key_ciphertext = zeroblob(length(key_ciphertext)) WHERE id = ${rows[0].id}`]);

    const again = await startPoise({
      upstreamUrl: shared.fake.url, adminPassword, env: { POISE_DATA_DIR: dataDir },
    });
    try {
      const warnings = again.logs().split('\n').filter((l) => /do not decrypt/.test(l));
      assert.equal(warnings.length, 1, again.logs());
      assert.match(warnings[0], new RegExp(`ids=${rows[0].id}\\b`));
      const { items } = await again.keys();
      const byId = new Map(items.map((k) => [k.id, k]));
      assert.equal(byId.get(rows[0].id).status, 'error');
      assert.equal(byId.get(rows[1].id).status, 'active');
    } finally {
      await again.stop();
    }
  });
});

describe('start-up reports', () => {
  it('POISE_API_TOKEN and POISE_UPSTREAM_URL changed after the first start: one warning each', async () => {
    const first = await startPoise({ upstreamUrl: shared.fake.url });
    const { dataDir, adminPassword } = first;
    first.signal('SIGTERM');
    await first.exited;
    const newToken = randomToken('gwt');
    const again = await startPoise({
      upstreamUrl: 'http://127.0.0.1:9',
      adminPassword,
      env: { POISE_DATA_DIR: dataDir, POISE_API_TOKEN: newToken },
    });
    try {
      const logs = again.logs();
      assert.equal(logs.split('\n').filter((l) => /POISE_API_TOKEN differs/.test(l)).length, 1, logs);
      assert.equal(logs.split('\n').filter((l) => /POISE_UPSTREAM_URL differs/.test(l)).length, 1, logs);
      assert.ok(!logs.includes(newToken), 'the new token is never printed');
      assert.ok(!logs.includes(first.gatewayToken), 'the stored token is never printed');
    } finally {
      await again.stop();
    }
    // Same values as stored: no warning.
    const same = await startPoise({ upstreamUrl: shared.fake.url, env: {} });
    try {
      assert.doesNotMatch(same.logs(), /differs from the stored/);
    } finally {
      await same.stop();
    }
  });

  it('the data directory is 0700 and the initial password file 0600 from creation', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'poise-perm-'));
    const dataDir = join(parent, 'fresh', 'data');
    const p = await spawnPoise({ env: { POISE_DATA_DIR: dataDir, POISE_ADMIN_PASSWORD: '' } });
    try {
      await p.waitForLog(/First admin created/);
      assert.equal((await stat(dataDir)).mode & 0o777, 0o700);
      assert.equal((await stat(join(parent, 'fresh'))).mode & 0o077, 0);
      assert.equal((await stat(join(dataDir, 'initial-admin-password'))).mode & 0o777, 0o600);
      assert.equal((await stat(join(dataDir, 'secret.key'))).mode & 0o777, 0o600);
    } finally {
      await p.stop();
      await rm(parent, { recursive: true, force: true });
    }
  });

  it('an unknown LOG_LEVEL is refused, with the valid names', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'poise-log-'));
    try {
      await writeFile(join(dir, '.keep'), '');
      const r = poiseCli(['serve'], { env: { LOG_LEVEL: 'inof', POISE_DATA_DIR: dir }, cwd: dir });
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /LOG_LEVEL.*"inof".*trace, debug, info, warn/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
