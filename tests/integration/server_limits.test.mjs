// The listener and start-up: one poise per port and per data directory, the open-file limit,
// and slow clients (head and body deadlines answered 408, the per-address connection cap and its
// trusted-proxy exemption). Traffic goes to 127.0.0.1 and 127.0.0.2 only; a client socket bound
// to 127.0.0.2 stands for a second client address.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  HOST, raceTimeout, randomToken, sharedFake, spawnPoise, startPoise, waitFor,
} from './lib/harness.mjs';
import { MODEL, nativeCall } from './lib/gemini.mjs';

const SANITIZED = ['POISE_IT_SANITIZED', 'ASAN_OPTIONS', 'TSAN_OPTIONS']
  .some((v) => process.env[v] !== undefined);

const shared = sharedFake();

const QUIET = {
  key_validation_active_interval_seconds: '86400',
  key_validation_exhausted_interval_seconds: '86400',
  key_validation_error_interval_seconds: '86400',
  proxy_retry_max_count: '0',
};

/** A gateway on the shared fake, quiet (no validation runs, no retries), with `env` added. */
function gateway(env = {}, keys = []) {
  return startPoise({ upstreamUrl: shared.fake.url, config: QUIET, env, keys });
}

/** {soft, hard} of "Max open files" in a /proc/<pid>/limits file. */
function nofileOf(pid) {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8').split('\n')
    .find((l) => l.startsWith('Max open files'));
  const [soft, hard] = line.replace('Max open files', '').trim().split(/\s+/);
  return { soft: Number(soft), hard: Number(hard) };
}

/**
 * A raw client connection from `localAddress`. Collects what the server sends; `closed` resolves
 * with {text, ms} (ms since connect) when the server closes or resets the connection.
 */
function rawClient(port, { localAddress = HOST, onConnect } = {}) {
  const started = Date.now();
  const socket = connect({ host: HOST, port, localAddress });
  const client = { socket, text: '', connected: false };
  client.ready = new Promise((resolveReady, rejectReady) => {
    socket.once('connect', () => {
      client.connected = true;
      onConnect?.(socket);
      resolveReady(client);
    });
    socket.once('error', (err) => {
      if (!client.connected) rejectReady(err);
    });
  });
  socket.setEncoding('utf8');
  socket.on('data', (d) => { client.text += d; });
  client.closed = new Promise((resolveClosed) => {
    socket.once('close', () => resolveClosed({ text: client.text, ms: Date.now() - started }));
  });
  socket.on('error', () => {});  // a reset after the answer; 'close' follows
  return client;
}

/** Status code and parsed JSON body of a raw HTTP/1.1 answer. */
function parseAnswer(text) {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
  const bodyAt = text.indexOf('\r\n\r\n');
  let body;
  try {
    body = JSON.parse(text.slice(bodyAt + 4));
  } catch {
    body = undefined;
  }
  return { status: m ? Number(m[1]) : 0, body };
}

/** Resolves with the answer once `closed` does, or fails the test after ms. */
async function answerWithin(client, ms, what) {
  const r = await raceTimeout(client.closed, ms);
  if (r === 'timeout') {
    client.socket.destroy();
    assert.fail(`${what}: no answer and no close within ${ms} ms ` +
      `(got ${JSON.stringify(client.text)})`);
  }
  return { ...parseAnswer(r.text), ms: r.ms, text: r.text };
}

/** GET /health on a new connection from localAddress; resolves with the status (0: refused). */
async function health(port, localAddress) {
  const c = rawClient(port, {
    localAddress,
    onConnect: (s) => s.write('GET /health HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'),
  });
  const r = await raceTimeout(c.closed, 3000);
  c.socket.destroy();
  return r === 'timeout' ? -1 : parseAnswer(r.text).status;
}

/** Keeps sending one byte of a never-ending header every `everyMs`; stop() ends it. */
function trickle(port, { localAddress = HOST, everyMs = 300 } = {}) {
  let timer;
  const c = rawClient(port, {
    localAddress,
    onConnect: (s) => {
      s.write('GET /health HTTP/1.1\r\nHost: a\r\n');
      timer = setInterval(() => {
        if (!s.destroyed) s.write('X');
      }, everyMs);
    },
  });
  c.closed.then(() => clearInterval(timer));
  c.stop = () => {
    clearInterval(timer);
    c.socket.destroy();
  };
  return c;
}

/** A raw native generateContent (or streamed) request with the gateway token. */
function rawGenerate(token, text, { stream = false, close = false } = {}) {
  const body = JSON.stringify({ contents: [{ parts: [{ text }] }] });
  const method = stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
  return `POST /v1beta/models/${MODEL}:${method} HTTP/1.1\r\nHost: a\r\n` +
    `x-goog-api-key: ${token}\r\ncontent-type: application/json\r\n` +
    `${close ? 'connection: close\r\n' : ''}` +
    `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** Waits (5 s at most) for a poise that must not start to exit non-zero; returns its one line. */
async function refusal(p) {
  const exit = await raceTimeout(p.exited, 5000);
  assert.notEqual(exit, 'timeout', `the second poise must not start:\n${p.logs()}`);
  assert.notEqual(exit.code, 0);
  const lines = p.logs().trim().split('\n');
  assert.equal(lines.length, 1, `one line:\n${p.logs()}`);
  assert.match(lines[0], /level=critical msg="cannot start"/);
  return lines[0];
}

function countMatches(text, regex) {
  return (text.match(new RegExp(regex.source, 'g')) ?? []).length;
}

describe('one poise per port and per data directory', () => {
  it('a second poise on the same port, with its own data directory, fails with one clear line',
    async () => {
      const a = await gateway();
      const b = await spawnPoise({ env: { POISE_LISTEN: `${HOST}:${a.port}` } });
      try {
        const line = await refusal(b);
        assert.match(line, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${a.port}: ` +
          'Address already in use'));
        // Every request with A's session still reaches A.
        for (let i = 0; i < 20; i++) {
          const res = await a.admin('GET', '/api/v1/api_keys/paginated?page=1&page_size=10');
          assert.equal(res.status, 200, res.text);
        }
      } finally {
        await b.stop();
        await a.stop();
      }
    });

  it('a second poise on the same data directory, on another port, fails and names the holder',
    async () => {
      const a = await gateway();
      const b = await spawnPoise({ env: { POISE_DATA_DIR: a.dataDir } });
      try {
        const line = await refusal(b);
        assert.ok(line.includes(`data directory ${a.dataDir} is in use by another poise ` +
          `(pid ${a.process.pid})`), line);
        const res = await a.admin('GET', '/api/v1/api_keys/paginated?page=1&page_size=10');
        assert.equal(res.status, 200, res.text);
      } finally {
        await b.stop();
        await a.stop();
      }
    });
});

describe('the open-file limit', () => {
  it('raises the soft nofile limit to the hard one at start', async () => {
    const { hard } = nofileOf('self');
    const soft = Math.min(1024, Math.floor(hard / 2));
    assert.ok(soft < hard, `this test needs a hard nofile limit above ${soft} (it is ${hard})`);
    const p = await spawnPoise({
      prefix: ['prlimit', `--nofile=${soft}:${hard}`, '--'],
      env: { POISE_MAX_CONNECTIONS: '100' },
    });
    try {
      await p.waitForLog(/poise ready/);
      assert.deepEqual(nofileOf(p.pid), { soft: hard, hard }, 'soft raised to the hard limit');
      assert.match(p.logs(), new RegExp(`poise starting.* nofile=${hard}\\b`));
      assert.doesNotMatch(p.logs(), /open-file limit is too low/, '100 connections fit');
    } finally {
      await p.stop();
    }
  });

  it('warns when POISE_MAX_CONNECTIONS does not fit the hard limit', async () => {
    const p = await spawnPoise({
      prefix: ['prlimit', '--nofile=256:256', '--'],
      env: { POISE_MAX_CONNECTIONS: '1000' },
    });
    try {
      await p.waitForLog(/poise ready/);
      const warnings = p.logs().split('\n').filter((l) => /open-file limit is too low/.test(l));
      assert.equal(warnings.length, 1, p.logs());
      assert.match(warnings[0], /level=warn/);
      assert.match(warnings[0], /nofile=256 needed=\d+ max_connections=1000/);
    } finally {
      await p.stop();
    }
  });

  // Skipped under ASan+UBSan: there, running the process out of descriptors draws a UBSan vptr
  // report inside Boost.System/Asio's error path (open in the issue-10 closing note); the plain
  // build runs it in every CI run.
  it('names the cause when descriptors run out, and logs failed accepts once per burst',
    { skip: SANITIZED && 'UBSan vptr report in the EMFILE error path under sanitizers' },
    async () => {
      const keys = [1, 2, 3, 4].map(() => randomToken('fd'));
      const poise = await gateway(
        { POISE_WORKERS: '1', POISE_HEADER_TIMEOUT_SECONDS: '30', LOG_LEVEL: 'info' }, keys);
      const pid = poise.process.pid;
      const { soft } = nofileOf(pid);
      const requests = [];
      try {
        // A first call resolves and caches the upstream's address (a resolve needs descriptors
        // too); the client leaves mid-stream, so no pooled connection is left to reuse.
        const warm = rawClient(poise.port, {
          onConnect: (s) => s.write(rawGenerate(poise.gatewayToken, 'slow_stream fake_chunks=50',
            { stream: true })),
        });
        await waitFor(() => warm.text.includes('data:'), { what: 'the first stream event' });
        warm.socket.destroy();
        await waitFor(async () => (await shared.fake.stats()).open_connections === 0,
          { what: 'the upstream connection to close' });
        await sleep(300);

        // No descriptor left: the requests below wait in the backlog while accept() fails. (The
        // limit caps descriptor numbers: a new one takes the lowest free number.)
        const numbers = new Set(readdirSync(`/proc/${pid}/fd`).map(Number));
        let used = 0;
        while (numbers.has(used)) used++;
        execFileSync('prlimit', ['--pid', String(pid), `--nofile=${used}:`]);
        for (let i = 0; i < 3; i++) {
          requests.push(rawClient(poise.port, {
            onConnect: (s) => s.write(rawGenerate(poise.gatewayToken, 'hello', { close: true })),
          }));
        }
        await sleep(800);  // about 16 failed accepts, one every 50 ms
        const failedLines = countMatches(poise.logs(), /accept failed/);
        assert.ok(failedLines >= 1, 'the failed accepts are logged');
        assert.ok(failedLines < 5 &&
          failedLines <= countMatches(poise.logs(), /accepting again/) + 1,
          `one line per burst, not per accept:\n${poise.logs().slice(-3000)}`);

        // One descriptor: each waiting client is accepted in turn, and finds none left for its
        // upstream connection.
        execFileSync('prlimit', ['--pid', String(pid), `--nofile=${used + 1}:`]);
        const answers = [];
        for (const r of requests) answers.push(await answerWithin(r, 5000, 'a starved request'));
        const named = answers.filter((a) => a.status === 502 &&
          /too many open files \(raise the nofile limit\)/.test(a.body?.error?.message ?? ''));
        assert.ok(named.length >= 1, `a 502 names the cause: ${JSON.stringify(answers)}`);
        for (const a of answers) {
          assert.doesNotMatch(a.text, /Operation canceled/i);
        }
        assert.match(poise.logs(), /accepting again after running out of file descriptors/);

        execFileSync('prlimit', ['--pid', String(pid), `--nofile=${soft}:`]);
        const ok = await nativeCall(poise.url, { token: poise.gatewayToken });
        assert.equal(ok.status, 200, `served again once descriptors are back: ${ok.text}`);
      } finally {
        for (const r of requests) r.socket.destroy();
        try {
          execFileSync('prlimit', ['--pid', String(pid), `--nofile=${soft}:`]);
        } catch {
          // The process may be gone after a failed assertion; stop() reports that.
        }
        await poise.stop();
      }
    });
});

describe('slow clients', () => {
  it('answers 408 to a head that stalls or trickles past its deadline, in the route\'s envelope',
    async () => {
      const poise = await gateway({ POISE_HEADER_TIMEOUT_SECONDS: '1' });
      const clients = [];
      const track = (c) => {
        clients.push(c);
        return c;
      };
      try {
        const stalled = track(rawClient(poise.port, {
          onConnect: (s) =>
            s.write(`POST /v1beta/models/${MODEL}:generateContent HTTP/1.1\r\nHost: a\r\n`),
        }));
        // The request line in two reads: the target is still found for the envelope.
        const openai = track(rawClient(poise.port, {
          onConnect: (s) => {
            s.write('POST /v1/chat/comp');
            setTimeout(() => s.write('letions HTTP/1.1\r\nHost: a\r\n'), 100);
          },
        }));
        const partialLine = track(rawClient(poise.port, { onConnect: (s) => s.write('GET /hea') }));
        const trickling = track(trickle(poise.port, { everyMs: 200 }));

        const g = await answerWithin(stalled, 4000, 'a stalled head');
        assert.equal(g.status, 408, g.text);
        assert.equal(g.body?.error?.code, 408, 'Gemini envelope');
        assert.ok(g.ms >= 900 && g.ms < 3000, `answered after ${g.ms} ms`);
        const o = await answerWithin(openai, 4000, 'a stalled OpenAI head');
        assert.equal(o.status, 408, o.text);
        assert.equal(typeof o.body?.error?.type, 'string', 'OpenAI envelope');
        const p = await answerWithin(partialLine, 4000, 'a partial request line');
        assert.equal(p.status, 408, p.text);
        const t = await answerWithin(trickling, 4000, 'a trickling head');
        assert.equal(t.status, 408, `bytes every 200 ms do not extend the deadline: ${t.text}`);
        assert.ok(t.ms < 3000, `answered after ${t.ms} ms`);

        // A connection that never sends anything is closed at the deadline, without an answer.
        const silent = track(rawClient(poise.port));
        const s = await answerWithin(silent, 4000, 'a silent connection');
        assert.equal(s.text, '');
        assert.equal(await health(poise.port), 200, 'still serving');
      } finally {
        for (const c of clients) c.socket.destroy();
        await poise.stop();
      }
    });

  it('answers 408 to a body that stalls past REQUEST_TIMEOUT', async () => {
    const poise = await gateway({ REQUEST_TIMEOUT: '1' });
    try {
      // The head is whole; the body stops 10 bytes short of its Content-Length.
      const c = rawClient(poise.port, {
        onConnect: (s) => s.write(rawGenerate(poise.gatewayToken, 'hello').slice(0, -10)),
      });
      const a = await answerWithin(c, 4000, 'a stalled body');
      assert.equal(a.status, 408, a.text);
      assert.equal(a.body?.error?.code, 408, 'Gemini envelope');
      assert.match(a.body.error.message, /request body not received within 1 s\b/);
      assert.ok(a.ms >= 900 && a.ms < 3000, `answered after ${a.ms} ms`);
      c.socket.destroy();
      // An answer the server gives itself leaves an access line too, without the token.
      const access = poise.logs().split('\n').filter((l) => /msg=access .*status=408/.test(l));
      assert.equal(access.length, 1, poise.logs().slice(-2000));
      assert.match(access[0], new RegExp(`path=/v1beta/models/${MODEL}:generateContent `));
      assert.match(access[0], /error=bad_request/);
      assert.ok(!poise.logs().includes(poise.gatewayToken), 'the gateway token is never logged');
    } finally {
      await poise.stop();
    }
  });

  it('caps one trickling address; another address is still served', async () => {
    const poise = await gateway({
      POISE_MAX_CONNECTIONS: '40', POISE_MAX_CONNECTIONS_PER_IP: '10',
    });
    // The slow-drip clients come from 127.0.0.3, the valid ones from 127.0.0.2 (127.0.0.1 is the
    // harness's, which may keep a connection alive).
    const ATTACKER = '127.0.0.3';
    const tricklers = [];
    try {
      // 50 slow-drip clients: more than POISE_MAX_CONNECTIONS.
      for (let i = 0; i < 50; i++) {
        tricklers.push(trickle(poise.port, { localAddress: ATTACKER, everyMs: 500 }));
      }
      await Promise.all(tricklers.map((t) => t.ready));
      await waitFor(() => tricklers.filter((t) => t.text.startsWith('HTTP/1.1 503')).length === 40,
        { timeoutMs: 3000, what: '40 of the 50 to be refused' });
      for (const t of tricklers.filter((x) => x.text)) {
        assert.match(t.text, /too many connections from your address/);
      }

      // The other address is served at once, while the ten keep trickling; the first is not.
      for (let i = 0; i < 5; i++) assert.equal(await health(poise.port, '127.0.0.2'), 200);
      assert.equal(await health(poise.port, ATTACKER), 503);

      // Counts are given back: once the tricklers leave, their address is served again, and
      // gets exactly ten connections.
      for (const t of tricklers) t.stop();
      await waitFor(async () => (await health(poise.port, ATTACKER)) === 200,
        { timeoutMs: 3000, what: `${ATTACKER} to be served again` });
      // The server learns of each trickler's close in its own time: until it has seen all of
      // them, some of ten new connections are still refused. Try again until none is (bounded).
      let ten = [];
      await waitFor(async () => {
        for (const c of ten) c.socket.destroy();
        ten = await Promise.all(Array.from({ length: 10 },
          () => rawClient(poise.port, { localAddress: ATTACKER }).ready));
        await sleep(100);
        return ten.every((c) => c.text === '');
      }, { timeoutMs: 5000, intervalMs: 200, what: `ten connections from ${ATTACKER} accepted` });
      assert.equal(await health(poise.port, ATTACKER), 503, 'exactly ten again, nothing leaked');
      for (const c of ten) c.socket.destroy();
    } finally {
      for (const t of tricklers) t.stop();
      await poise.stop();
    }
  });

  it('exempts POISE_TRUSTED_PROXIES from the per-address cap', async () => {
    const poise = await gateway({
      POISE_MAX_CONNECTIONS_PER_IP: '2', POISE_TRUSTED_PROXIES: '::1, 127.0.0.1/32',
    });
    const open = [];
    try {
      // Five kept-alive connections from the trusted proxy, all open at once, all served.
      for (let i = 0; i < 5; i++) {
        const c = await rawClient(poise.port).ready;
        open.push(c);
        c.socket.write('GET /health HTTP/1.1\r\nHost: a\r\n\r\n');
      }
      await waitFor(() => open.every((c) => c.text.startsWith('HTTP/1.1 200')),
        { what: 'five answers on five open connections' });
      // An untrusted address gets two.
      for (let i = 0; i < 2; i++) {
        open.push(await rawClient(poise.port, { localAddress: '127.0.0.2' }).ready);
      }
      await sleep(100);
      assert.equal(await health(poise.port, '127.0.0.2'), 503);
    } finally {
      for (const c of open) c.socket.destroy();
      await poise.stop();
    }
  });
});
