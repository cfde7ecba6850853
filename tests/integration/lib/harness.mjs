// Test harness: spawns the fake Gemini upstream and the real poise binary on 127.0.0.1 port 0,
// and gives tests small typed helpers over their control and admin APIs.
//
// Every child process is tracked; they are killed when the test process exits for any reason, so
// a failing or interrupted test never leaves a server behind. Nothing here uses any address but
// 127.0.0.1.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, beforeEach } from 'node:test';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const FAKE_BIN =
  process.env.FAKE_GEMINI_BIN || join(REPO_ROOT, 'build/tools/fake_gemini/fake-gemini');
export const POISE_BIN = process.env.POISE_BIN || join(REPO_ROOT, 'build/poise');
export const HOST = '127.0.0.1';

// Generous start-up deadline: sanitizer builds start several times slower.
const START_TIMEOUT_MS = Number(process.env.IT_START_TIMEOUT_MS || 20000);
const STOP_TIMEOUT_MS = Number(process.env.IT_STOP_TIMEOUT_MS || 30000);

// ---------------------------------------------------------------------------------------------
// Child-process bookkeeping

const children = new Set();

function killAll() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill('SIGKILL');
      } catch {
        // The child may already be gone; there is nothing else to clean up.
      }
    }
  }
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    killAll();
    process.kill(process.pid, sig);
  });
}

/**
 * Spawns a tracked child (killed when the test process exits); resolves `exited` with
 * {code, signal}. Its stdin is closed unless options.stdio says otherwise.
 */
export function spawnTracked(bin, args, options) {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  children.add(child);
  child.exited = new Promise((resolveExit) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolveExit({ code, signal });
    });
  });
  // A spawn failure (missing binary) surfaces through 'error'; keep it for the waiter.
  child.spawnError = null;
  child.once('error', (err) => {
    child.spawnError = err;
    children.delete(child);
  });
  return child;
}

/**
 * Collects a child's output into `sink.text` and resolves with the first regex match found in
 * the combined text of `stream`, or rejects on exit/timeout with the output so far.
 */
function waitForOutput(child, sink, stream, regex, what) {
  return new Promise((resolveMatch, rejectMatch) => {
    let done = false;
    const finish = (fn, value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stream.off('data', onData);
      fn(value);
    };
    const onData = () => {
      const m = regex.exec(sink.text);
      if (m) finish(resolveMatch, m);
    };
    const timer = setTimeout(() => {
      finish(rejectMatch, new Error(`${what}: no start-up line within ${START_TIMEOUT_MS} ms.\n` +
        `output so far:\n${sink.text.slice(-4000)}`));
    }, START_TIMEOUT_MS);
    stream.on('data', onData);
    child.once('error', (err) =>
      finish(rejectMatch, new Error(`${what}: cannot start: ${err.message}`)));
    child.exited.then(({ code, signal }) =>
      finish(rejectMatch, new Error(`${what} exited early (code ${code}, signal ${signal}).\n` +
        `output:\n${sink.text.slice(-4000)}`)));
    onData();
  });
}

function capture(stream, sink) {
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    sink.text += chunk;
  });
}

/** Resolves with the promise's value, or 'timeout' after ms; leaves no timer behind. */
export async function raceTimeout(promise, ms) {
  const ac = new AbortController();
  const timer = sleep(ms, 'timeout', { signal: ac.signal }).catch(() => 'aborted');
  try {
    return await Promise.race([promise, timer]);
  } finally {
    ac.abort();
  }
}

/** Sends SIGTERM, waits for the exit, then SIGKILL as a last resort. Returns {code, signal}. */
async function terminate(child, timeoutMs = STOP_TIMEOUT_MS) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return { code: child.exitCode, signal: child.signalCode };
  }
  child.kill('SIGTERM');
  const result = await raceTimeout(child.exited, timeoutMs);
  if (result === 'timeout') {
    child.kill('SIGKILL');
    await child.exited;
    return { code: null, signal: 'SIGKILL', timedOut: true };
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Small HTTP helpers

/**
 * fetch() that never follows redirects and returns {status, headers, text, body}, where body is
 * the parsed JSON when the text parses, else undefined.
 */
export async function request(url, { method = 'GET', headers = {}, body, signal } = {}) {
  const init = { method, headers: { ...headers }, redirect: 'manual', signal };
  if (body !== undefined) {
    if (typeof body === 'string' || body instanceof Uint8Array) {
      init.body = body;
    } else {
      init.body = JSON.stringify(body);
      if (!Object.keys(init.headers).some((h) => h.toLowerCase() === 'content-type')) {
        init.headers['content-type'] = 'application/json';
      }
    }
  }
  const res = await fetch(url, init);
  const text = await res.text();
  let parsed;
  try {
    parsed = text.length ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

/**
 * A request whose answer stays raw bytes (fetch would decode gzip): {status, headers (Node's
 * lower-case object), body (a Buffer)}. For GET and HEAD of static files.
 */
export function rawRequest(url, { method = 'GET', headers = {} } = {}) {
  return new Promise((resolveRaw, rejectRaw) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolveRaw({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', rejectRaw);
    req.end();
  });
}

export function randomToken(prefix = 'tok', bytes = 18) {
  return `${prefix}-${randomBytes(bytes).toString('hex')}`;
}

/** A key shaped like a real Google API key: "AIza" + 35 characters of [0-9A-Za-z_-]. */
export function googleShapedKey() {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-';
  const bytes = randomBytes(35);
  let out = 'AIza';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

/** Polls fn() until it returns a truthy value or the deadline passes; returns the last value. */
export async function waitFor(fn, { timeoutMs = 5000, intervalMs = 25, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

// ---------------------------------------------------------------------------------------------
// Fake upstream

/** Query of a recorded request as URLSearchParams, whatever form the fake reports it in. */
export function queryParams(rec) {
  const q = rec.query;
  if (q === undefined || q === null || q === '') return new URLSearchParams();
  if (typeof q === 'string') return new URLSearchParams(q.startsWith('?') ? q.slice(1) : q);
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    for (const one of Array.isArray(v) ? v : [v]) params.append(k, String(one));
  }
  return params;
}

/** The request body of a recorded request as text (the fake may report it parsed or raw). */
export function bodyText(rec) {
  if (rec.body === undefined || rec.body === null) return '';
  return typeof rec.body === 'string' ? rec.body : JSON.stringify(rec.body);
}

/**
 * Starts the fake Gemini upstream on 127.0.0.1 with an ephemeral port.
 * @returns {Promise<{url:string, port:number, stop:Function, script:Function, reset:Function,
 *   requests:Function, stats:Function, output:Function}>}
 */
export async function startFake({ args = [] } = {}) {
  const sink = { text: '' };
  const errSink = { text: '' };
  const child = spawnTracked(FAKE_BIN, ['--port', '0', ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...sanitizerEnv() },
  });
  capture(child.stdout, sink);
  capture(child.stderr, errSink);
  let m;
  try {
    m = await waitForOutput(child, sink, child.stdout,
      /fake-gemini listening on 127\.0\.0\.1:(\d+)/, `fake-gemini (${FAKE_BIN})`);
  } catch (err) {
    child.kill('SIGKILL');
    err.message += `\nstderr:\n${errSink.text.slice(-2000)}`;
    throw err;
  }
  const port = Number(m[1]);
  const url = `http://${HOST}:${port}`;

  const control = async (method, path, body) => {
    const res = await request(`${url}${path}`, { method, body });
    if (res.status < 200 || res.status >= 300) {
      throw new Error(`fake ${method} ${path} → ${res.status}: ${res.text}`);
    }
    return res.body;
  };

  return {
    url,
    port,
    process: child,
    /** Queues scripted responses (FIFO) for one upstream key. */
    script: (key, responses) => control('POST', '/_fake/script', { key, responses }),
    /** Clears scripts and the request log. */
    reset: () => control('POST', '/_fake/reset'),
    /** Every request the fake received: [{method,path,query,headers,key,body_size,body}]. */
    requests: async () => {
      const body = await control('GET', '/_fake/requests');
      return Array.isArray(body) ? body : (body?.requests ?? []);
    },
    /** {requests, open_connections}. */
    stats: () => control('GET', '/_fake/stats'),
    output: () => sink.text + errSink.text,
    stop: async () => terminate(child, 5000),
  };
}

// ---------------------------------------------------------------------------------------------
// The gateway

function sanitizerEnv() {
  const out = {};
  for (const name of ['ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS', 'TSAN_OPTIONS']) {
    if (process.env[name] !== undefined) out[name] = process.env[name];
  }
  return out;
}

let serverDbCounter = 0;

/**
 * Creates an empty database on the PostgreSQL or MySQL/MariaDB server `url` names, with the
 * server's own command-line client, and returns {url, drop()} for it.
 */
/**
 * One fake upstream for every test of the calling file: registers node:test hooks that start it
 * before the tests, reset it (scripts, log, counters) before each and stop it after them. The
 * returned object's `fake` is the running fake.
 */
export function sharedFake(options) {
  const shared = { fake: undefined };
  before(async () => {
    shared.fake = await startFake(options);
  });
  after(async () => {
    await shared.fake?.stop();
  });
  beforeEach(async () => {
    await shared.fake.reset();
  });
  return shared;
}

export function createServerDatabase(url) {
  const u = new URL(url);
  const name = `poise_it_${process.pid}_${serverDbCounter++}_${randomBytes(3).toString('hex')}`;
  const user = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  const scheme = u.protocol.replace(/:$/, '').split('+')[0];
  let run;
  if (scheme === 'postgresql' || scheme === 'postgres') {
    const psql = existsSync('/usr/lib/postgresql/15/bin/psql') ? '/usr/lib/postgresql/15/bin/psql' : 'psql';
    run = (sql) => execFileSync(psql, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', u.hostname,
      '-p', u.port || '5432', '-U', user, '-d', u.pathname.slice(1) || 'postgres', '-c', sql],
    { env: { ...process.env, PGPASSWORD: password }, stdio: 'pipe' });
    run(`CREATE DATABASE "${name}"`);
  } else if (scheme === 'mysql' || scheme === 'mariadb') {
    run = (sql) => execFileSync('mariadb', ['--no-defaults', '-h', u.hostname, '-P', u.port || '3306',
      '-u', user, '-e', sql], { env: { ...process.env, MYSQL_PWD: password }, stdio: 'pipe' });
    run(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  } else {
    throw new Error(`IT_DATABASE_URL: unsupported scheme ${scheme}`);
  }
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${name}`;
  return {
    url: dbUrl.toString(),
    drop: () => {
      try {
        run(scheme.startsWith('postgres') ? `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`
          : `DROP DATABASE IF EXISTS \`${name}\``);
      } catch { /* best effort: the throw-away server is removed after the run anyway */ }
    },
  };
}

/**
 * Starts `poise serve` with a fresh data directory, logs in as the admin and returns helpers.
 *
 * @param {object} opts
 * @param {string} opts.upstreamUrl  base URL of the fake upstream (POISE_UPSTREAM_URL)
 * @param {object} [opts.env]        extra environment, applied last
 * @param {string[]} [opts.keys]     upstream keys to bulk-add right after login
 * @param {object} [opts.config]     runtime config to bulk-save right after login
 * @param {string} [opts.adminPassword] the admin password to log in with (default: a random one,
 *                                   which creates the first admin); pass another instance's to
 *                                   start a second poise on its data (`env.POISE_DATA_DIR`)
 */
export async function startPoise({
  upstreamUrl, env = {}, keys, config, adminPassword = randomBytes(18).toString('base64url'),
} = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), 'poise-it-'));
  // IT_DATABASE_URL (postgresql://… or mysql://…) runs this poise on a fresh database of that
  // server instead of SQLite in the data dir; the database is dropped when poise stops cleanly.
  const serverDb = process.env.IT_DATABASE_URL ? createServerDatabase(process.env.IT_DATABASE_URL) : null;
  const gatewayToken = randomToken('gwt');
  const childEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dataDir,
    ...sanitizerEnv(),
    POISE_DATA_DIR: dataDir,
    POISE_LISTEN: `${HOST}:0`,
    POISE_ADMIN_USERNAME: 'admin',
    POISE_ADMIN_PASSWORD: adminPassword,
    POISE_API_TOKEN: gatewayToken,
    LOG_LEVEL: 'debug',
    ...(upstreamUrl ? { POISE_UPSTREAM_URL: upstreamUrl } : {}),
    ...(serverDb ? { DATABASE_URL: serverDb.url } : {}),
    ...env,
  };
  const sink = { text: '' };
  const outSink = { text: '' };
  // cwd is the temp dir, so no stray .env of the developer's checkout is read.
  const child = spawnTracked(POISE_BIN, ['serve'], { env: childEnv, cwd: dataDir });
  capture(child.stderr, sink);
  capture(child.stdout, outSink);

  let port;
  try {
    const m = await waitForOutput(child, sink, child.stderr,
      /\blisten"?[=:]"?127\.0\.0\.1:([1-9]\d*)/, `poise (${POISE_BIN})`);
    port = Number(m[1]);
  } catch (err) {
    child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const url = `http://${HOST}:${port}`;

  const poise = {
    url,
    port,
    dataDir,
    /** DATABASE_URL when poise runs on a server database (IT_DATABASE_URL), else undefined. */
    databaseUrl: serverDb?.url,
    process: child,
    gatewayToken,
    adminPassword,
    accessToken: undefined,
    /** Everything poise wrote to stderr (and stdout) so far. */
    logs: () => sink.text + outSink.text,

    /** Admin API call with the session token. Returns {status, headers, text, body}. */
    admin: (method, path, body, { token = poise.accessToken, headers = {} } = {}) =>
      request(`${url}${path}`, {
        method,
        body,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      }),

    /** POST /api/v1/api_keys/bulk-add; returns {total_processed, total_added}. */
    addKeys: async (list) => {
      const res = await poise.admin('POST', '/api/v1/api_keys/bulk-add',
        { keys_string: list.join(',') });
      expectOk(res, 'bulk-add');
      return res.body;
    },

    /** GET /api/v1/api_keys/paginated (page 1, 1000 rows); returns {total, items}. */
    keys: async (query = {}) => {
      const params = new URLSearchParams({ page: '1', page_size: '1000', ...query });
      const res = await poise.admin('GET', `/api/v1/api_keys/paginated?${params}`);
      expectOk(res, 'paginated');
      return res.body;
    },

    /** The listing row of a key, found by its masked value's first and last characters. */
    keyRow: async (fullKey) => {
      const { items } = await poise.keys();
      const revealed = [];
      for (const item of items) {
        const res = await poise.admin('GET', `/api/v1/api_keys/${item.id}/reveal`);
        expectOk(res, 'reveal');
        if (JSON.stringify(res.body).includes(JSON.stringify(fullKey))) return item;
        revealed.push(item.id);
      }
      throw new Error(`key not found in the admin listing (checked ids ${revealed.join(',')})`);
    },

    /** POST /api/v1/config/bulk-save with {key: value} pairs (values sent as strings). */
    setConfig: async (pairs) => {
      const items = Object.entries(pairs).map(([key, value]) => ({ key, value: String(value) }));
      const res = await poise.admin('POST', '/api/v1/config/bulk-save', { items });
      expectOk(res, 'config bulk-save');
      return res.body;
    },

    /** Logs in and stores the access token. Returns the login response. */
    login: async (username = 'admin', password = adminPassword) => {
      const res = await request(`${url}/api/v1/login`, {
        method: 'POST',
        body: { username, password },
      });
      if (res.status === 200) poise.accessToken = res.body?.access_token;
      return res;
    },

    /** Sends a signal without waiting. */
    signal: (sig) => child.kill(sig),
    exited: child.exited,

    /**
     * SIGTERM, waits for the exit and throws unless the exit code is 0. Removes the data dir.
     * Safe to call more than once.
     */
    stop: async ({ expectCode = 0 } = {}) => {
      const result = await terminate(child);
      const abnormal = result.timedOut || (expectCode !== null && result.code !== expectCode);
      // After a crash the data dir (the process's cwd, so also any core file) is kept for a
      // post-mortem; otherwise it is removed.
      if (!abnormal) {
        await rm(dataDir, { recursive: true, force: true });
        serverDb?.drop();
      }
      if (result.timedOut) {
        throw new Error(`poise did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM; killed. ` +
          `Data dir kept: ${dataDir}\nlast log lines:\n${sink.text.slice(-3000)}`);
      }
      if (abnormal) {
        throw new Error(`poise exited with code ${result.code} signal ${result.signal}, ` +
          `expected ${expectCode}. Data dir kept: ${dataDir}\n` +
          `last log lines:\n${sink.text.slice(-3000)}`);
      }
      return result;
    },
  };

  try {
    await waitFor(async () => {
      try {
        const res = await request(`${url}/health`);
        return res.status === 200;
      } catch {
        return false;
      }
    }, { timeoutMs: START_TIMEOUT_MS, intervalMs: 50, what: 'GET /health → 200' });

    const login = await poise.login();
    if (login.status !== 200 || !poise.accessToken) {
      throw new Error(`admin login failed: ${login.status} ${login.text}`);
    }
    if (config) await poise.setConfig(config);
    if (keys?.length) await poise.addKeys(keys);
  } catch (err) {
    child.kill('SIGKILL');
    await child.exited;
    await rm(dataDir, { recursive: true, force: true });
    serverDb?.drop();
    err.message += `\npoise log:\n${sink.text.slice(-4000)}`;
    throw err;
  }
  return poise;
}

function expectOk(res, what) {
  if (res.status < 200 || res.status >= 300) {
    throw new Error(`${what} → HTTP ${res.status}: ${res.text}`);
  }
}

/**
 * Starts a fake and a gateway wired to it, for tests that need both. stop() stops both, the
 * gateway first, and throws if the gateway's exit code is not 0.
 */
export async function startStack({ env, keys, config, fakeArgs } = {}) {
  const fake = await startFake({ args: fakeArgs });
  let poise;
  try {
    poise = await startPoise({ upstreamUrl: fake.url, env, keys, config });
  } catch (err) {
    await fake.stop();
    throw err;
  }
  return {
    fake,
    poise,
    stop: async () => {
      try {
        await poise.stop();
      } finally {
        await fake.stop();
      }
    },
  };
}

/**
 * Asserts that none of the given secrets appears in text. Returns the list of leaks (name and
 * a short context with the secret masked) so the assertion message itself never prints one.
 */
export function findLeaks(text, secrets) {
  const leaks = [];
  for (const [name, value] of Object.entries(secrets)) {
    if (!value) continue;
    let idx = text.indexOf(value);
    while (idx !== -1) {
      const line = text.slice(text.lastIndexOf('\n', idx) + 1, idx).slice(-120);
      leaks.push(`${name} after: ${line}`);
      idx = text.indexOf(value, idx + value.length);
    }
  }
  return leaks;
}

/**
 * Spawns `poise serve` without logging in or waiting for health, for tests of start-up itself
 * (a second instance, process limits). The environment is a minimal one (PATH, sanitizer options,
 * 127.0.0.1 port 0, a fresh data dir, an admin password) with `env` applied last; `prefix` runs
 * the binary through another command (e.g. ['prlimit', '--nofile=1024:4096', '--'], which execs
 * it, so the pid stays poise's). The fresh data dir is removed by stop() unless `env` named one.
 * @returns {{process, pid:number, dataDir:string, logs:Function, exited:Promise,
 *   waitForLog:Function, stop:Function}}
 */
export async function spawnPoise({ env = {}, prefix = [] } = {}) {
  const ownDir = await mkdtemp(join(tmpdir(), 'poise-it-'));
  const dataDir = env.POISE_DATA_DIR ?? ownDir;
  const childEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: ownDir,
    ...sanitizerEnv(),
    POISE_DATA_DIR: dataDir,
    POISE_LISTEN: `${HOST}:0`,
    POISE_ADMIN_PASSWORD: randomBytes(18).toString('base64url'),
    LOG_LEVEL: 'info',
    ...env,
  };
  const [bin, ...args] = [...prefix, POISE_BIN, 'serve'];
  const child = spawnTracked(bin, args, { env: childEnv, cwd: ownDir });
  const sink = { text: '' };
  capture(child.stderr, sink);
  capture(child.stdout, sink);
  return {
    process: child,
    pid: child.pid,
    dataDir,
    exited: child.exited,
    logs: () => sink.text,
    /** Resolves with the first match of regex in the output; rejects on exit or after ms. */
    waitForLog: (regex, ms = START_TIMEOUT_MS) => new Promise((resolveLog, rejectLog) => {
      const timer = setInterval(check, 20);
      const deadline = Date.now() + ms;
      function check() {
        const m = regex.exec(sink.text);
        if (m) {
          clearInterval(timer);
          resolveLog(m);
        } else if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
          clearInterval(timer);
          rejectLog(new Error(`no ${regex} in poise's output (exit ${child.exitCode}):\n` +
            sink.text.slice(-3000)));
        }
      }
      check();
    }),
    /** SIGTERM (then SIGKILL); removes the data dir this call made. Returns {code, signal}. */
    stop: async () => {
      const result = await terminate(child, 10000);
      await rm(ownDir, { recursive: true, force: true });
      return result;
    },
  };
}

/** Config that turns the background validation jobs off, so only a test's requests touch keys. */
export const QUIET_VALIDATION = {
  key_validation_active_interval_seconds: '0',
  key_validation_exhausted_interval_seconds: '0',
  key_validation_error_interval_seconds: '0',
};

/**
 * Runs fn(poise) against a gateway on `fake` (a sharedFake() result) with background validation
 * off, and stops the gateway afterwards whatever happens.
 */
export async function withQuietGateway(shared, { keys, config = {} }, fn) {
  const poise = await startPoise({
    upstreamUrl: shared.fake.url, keys, config: { ...QUIET_VALIDATION, ...config },
  });
  try {
    await fn(poise);
  } finally {
    await poise.stop();
  }
}
