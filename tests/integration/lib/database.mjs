// Direct access to a running gateway's database, through the database's own command-line client
// (sqlite3, psql, mariadb): read rows the admin API does not show, write rows with past dates,
// and hold a lock that stalls the gateway's writes. For poise instances from startPoise().
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnTracked } from './harness.mjs';

function clientOf(poise) {
  if (!poise.databaseUrl) {
    return { kind: 'sqlite', bin: 'sqlite3', args: [join(poise.dataDir, 'poise.db')], env: {} };
  }
  const u = new URL(poise.databaseUrl);
  const user = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  const db = u.pathname.slice(1);
  if (u.protocol.startsWith('postgres')) {
    const psql = existsSync('/usr/lib/postgresql/15/bin/psql') ? '/usr/lib/postgresql/15/bin/psql' : 'psql';
    return {
      kind: 'postgresql',
      bin: psql,
      args: ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', u.hostname, '-p', u.port || '5432',
        '-U', user, '-d', db],
      env: { PGPASSWORD: password },
    };
  }
  return {
    kind: 'mariadb',
    bin: 'mariadb',
    args: ['--no-defaults', '--unbuffered', '-N', '-B', '-h', u.hostname, '-P', u.port || '3306', '-u', user, db],
    env: { MYSQL_PWD: password },
  };
}

/** Runs `sql` on poise's database; returns the client's text output. */
export function dbRun(poise, sql) {
  const c = clientOf(poise);
  const flag = c.kind === 'sqlite' ? [] : c.kind === 'postgresql' ? ['-c'] : ['-e'];
  return execFileSync(c.bin, [...c.args, ...flag, sql], {
    env: { ...process.env, ...c.env }, stdio: ['ignore', 'pipe', 'pipe'],
  }).toString();
}

/** A whole number from a one-value query. */
export function dbCount(poise, sql) {
  return Number(dbRun(poise, sql).trim());
}

/**
 * Holds a lock on `table` from another connection until release(): SQLite's write lock (every
 * write of the gateway waits, then fails at its busy timeout), PostgreSQL's ACCESS EXCLUSIVE
 * table lock, MariaDB's LOCK TABLES … WRITE. Resolves once the lock is held.
 */
export async function holdLock(poise, table) {
  const c = clientOf(poise);
  const child = spawnTracked(c.bin, c.args, {
    env: { ...process.env, ...c.env }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lock = {
    sqlite: 'BEGIN EXCLUSIVE;\nSELECT \'locked\';\n',
    postgresql: `BEGIN;\nLOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE;\nSELECT 'locked';\n`,
    mariadb: `LOCK TABLES ${table} WRITE;\nSELECT 'locked';\n`,
  }[c.kind];
  const unlock = {
    sqlite: 'COMMIT;\n.quit\n',
    postgresql: 'COMMIT;\n\\q\n',
    mariadb: 'UNLOCK TABLES;\nexit\n',
  }[c.kind];
  let out = '';
  let err = '';
  const locked = new Promise((resolveLocked, rejectLocked) => {
    child.stdout.on('data', (d) => {
      out += d.toString();
      if (out.includes('locked')) resolveLocked();
    });
    child.stderr.on('data', (d) => { err += d.toString(); });
    child.exited.then(({ code }) => rejectLocked(new Error(`lock client exited ${code}: ${err}`)));
  });
  child.stdin.write(lock);
  await locked;
  return {
    release: async () => {
      child.stdin.end(unlock);
      await child.exited;
    },
  };
}
