// The upstream transport and the gateway's own limits: HTTPS to the upstream with certificate and
// host-name verification (nginx terminates TLS in front of the fake, with a CA made for the test),
// the first-byte deadline, and the request size and header limits.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { randomToken, request, startFake, startPoise, waitFor } from './lib/harness.mjs';
import { MODEL, nativeCall } from './lib/gemini.mjs';

const QUIET = {
  key_validation_active_interval_seconds: '86400',
  key_validation_exhausted_interval_seconds: '86400',
  key_validation_error_interval_seconds: '86400',
};

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A CA and a server certificate for DNS name "localhost" only (no IP address). */
function makeCertificates(dir) {
  const run = (args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem',
    '-days', '2', '-subj', '/CN=poise-test-ca']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr',
    '-subj', '/CN=localhost']);
  execFileSync('sh', ['-c', 'printf "subjectAltName=DNS:localhost\\n" > ext.cnf'], { cwd: dir });
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
    '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf']);
}

/** nginx terminating TLS on 127.0.0.1 and proxying to the fake. */
async function startTlsFront(dir, upstreamPort) {
  const port = await freePort();
  const conf = `
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${dir}/server.pem;
    ssl_certificate_key ${dir}/server.key;
    location / {
      proxy_pass http://127.0.0.1:${upstreamPort};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}`;
  await writeFile(join(dir, 'nginx.conf'), conf);
  const child = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
  await waitFor(async () => {
    try {
      await new Promise((resolve, reject) => {
        const s = connect(port, '127.0.0.1', () => { s.end(); resolve(); });
        s.once('error', reject);
      });
      return true;
    } catch {
      return false;
    }
  }, { timeoutMs: 10000, what: 'nginx TLS front to listen' });
  return { port, stop: () => new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); }) };
}

describe('HTTPS upstream', () => {
  let dir;
  let fake;
  let front;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'poise-tls-'));
    makeCertificates(dir);
    fake = await startFake();
    front = await startTlsFront(dir, fake.port);
  });

  after(async () => {
    await front?.stop();
    await fake?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('verifies the certificate against the trusted CAs and sends SNI', async () => {
    const key = randomToken('tlskey');
    const poise = await startPoise({
      upstreamUrl: `https://localhost:${front.port}`,
      env: { SSL_CERT_FILE: join(dir, 'ca.pem') },
      keys: [key],
      config: QUIET,
    });
    try {
      const res = await nativeCall(poise.url, { token: poise.gatewayToken, auth: 'key' });
      assert.equal(res.status, 200, res.text);
      const seen = (await fake.requests()).filter((r) => r.key === key);
      assert.ok(seen.length >= 1, 'the request crossed TLS to the fake with the upstream key');
    } finally {
      await poise.stop();
    }
  });

  it('refuses an upstream whose certificate is not trusted, without blaming the key', async () => {
    const poise = await startPoise({
      upstreamUrl: `https://localhost:${front.port}`,
      keys: [randomToken('tlskey')],
      config: { ...QUIET, proxy_retry_max_count: '0' },
    });
    try {
      const res = await nativeCall(poise.url, { token: poise.gatewayToken, auth: 'key' });
      assert.equal(res.status, 502, res.text);
      assert.match(res.text, /TLS/);
      const { items } = await poise.keys();
      assert.equal(items[0].status, 'active');
    } finally {
      await poise.stop();
    }
  });

  it('refuses a certificate issued for another host name', async () => {
    // The certificate names DNS:localhost only; connecting by IP must fail host-name verification.
    const poise = await startPoise({
      upstreamUrl: `https://127.0.0.1:${front.port}`,
      env: { SSL_CERT_FILE: join(dir, 'ca.pem') },
      keys: [randomToken('tlskey')],
      config: { ...QUIET, proxy_retry_max_count: '0' },
    });
    try {
      const res = await nativeCall(poise.url, { token: poise.gatewayToken, auth: 'key' });
      assert.equal(res.status, 502, res.text);
    } finally {
      await poise.stop();
    }
  });
});

describe('deadlines and limits', () => {
  let fake;
  before(async () => {
    fake = await startFake();
  });
  after(async () => {
    await fake?.stop();
  });

  it('gives up on an upstream that does not answer within the first-byte deadline', async () => {
    const poise = await startPoise({
      upstreamUrl: fake.url,
      keys: [`slow-${randomToken('k')}`],
      config: { ...QUIET, upstream_first_byte_timeout_seconds: '1', proxy_retry_max_count: '0' },
    });
    try {
      const started = Date.now();
      const res = await nativeCall(poise.url, { token: poise.gatewayToken, auth: 'key' });
      const elapsed = Date.now() - started;
      assert.equal(res.status, 504, res.text);
      assert.equal(res.body.error.status, 'DEADLINE_EXCEEDED');
      assert.ok(elapsed < 2900, `answered after ${elapsed} ms, before the 3 s upstream delay`);
      const { items } = await poise.keys();
      assert.equal(items[0].status, 'active', 'a timeout does not blame the key');
    } finally {
      await poise.stop();
    }
  });

  it('rejects an oversized body with 413 and oversized headers with 431, in Gemini shape', async () => {
    const poise = await startPoise({
      upstreamUrl: fake.url,
      keys: [randomToken('k')],
      config: QUIET,
      env: { MAX_REQUEST_SIZE: '1024' },
    });
    try {
      const url = `${poise.url}/v1beta/models/${MODEL}:generateContent`;
      const big = await request(url, {
        method: 'POST',
        headers: { 'x-goog-api-key': poise.gatewayToken, 'content-type': 'application/json' },
        body: JSON.stringify({ contents: [{ parts: [{ text: 'x'.repeat(4096) }] }] }),
      });
      assert.equal(big.status, 413, big.text);
      assert.equal(JSON.parse(big.text).error.code, 413);
      const huge = await request(url, {
        method: 'POST',
        headers: { 'x-goog-api-key': poise.gatewayToken, 'x-padding': 'y'.repeat(20000) },
        body: '{}',
      });
      assert.equal(huge.status, 431, huge.text);
      // The gateway is still healthy afterwards.
      const ok = await nativeCall(poise.url, { token: poise.gatewayToken, auth: 'key' });
      assert.equal(ok.status, 200, ok.text);
    } finally {
      await poise.stop();
    }
  });

  it('closes a connection whose request header drips in slower than REQUEST_TIMEOUT', async () => {
    const poise = await startPoise({
      upstreamUrl: fake.url,
      keys: [randomToken('k')],
      config: QUIET,
      env: { REQUEST_TIMEOUT: '1' },
    });
    try {
      const started = Date.now();
      const closedAfter = await new Promise((resolve, reject) => {
        const sock = connect(poise.port, '127.0.0.1', () => {
          sock.write('POST /v1beta/models/x:generateContent HTTP/1.1\r\nHost: a\r\n');
        });
        sock.on('data', () => {});
        sock.once('close', () => resolve(Date.now() - started));
        sock.once('error', reject);
        setTimeout(() => { sock.destroy(); reject(new Error('still open after 5 s')); }, 5000);
      });
      assert.ok(closedAfter < 3000, `closed after ${closedAfter} ms`);
    } finally {
      await poise.stop();
    }
  });

  it('refuses connections beyond POISE_MAX_CONNECTIONS with 503 and keeps serving', async () => {
    const poise = await startPoise({
      upstreamUrl: fake.url,
      keys: [randomToken('k')],
      config: QUIET,
      env: { POISE_MAX_CONNECTIONS: '2', POISE_WORKERS: '1' },
    });
    const held = [];
    try {
      for (let i = 0; i < 2; i++) {
        held.push(await new Promise((resolve, reject) => {
          const s = connect(poise.port, '127.0.0.1', () => resolve(s));
          s.once('error', reject);
        }));
      }
      // Give the server a moment to count both.
      await new Promise((r) => setTimeout(r, 200));
      const answer = await new Promise((resolve, reject) => {
        let text = '';
        const s = connect(poise.port, '127.0.0.1', () => s.write('GET /health HTTP/1.1\r\nHost: a\r\n\r\n'));
        s.on('data', (d) => { text += d; });
        s.once('close', () => resolve(text));
        s.once('error', reject);
      });
      assert.match(answer, /^HTTP\/1\.1 503/);
      for (const s of held) s.destroy();
      await waitFor(async () => (await request(`${poise.url}/health`)).status === 200,
        { what: 'health after the held connections closed' });
    } finally {
      for (const s of held) s.destroy();
      await poise.stop();
    }
  });
});

describe('hop-by-hop headers', () => {
  it('drops headers the client names in Connection, and the standard hop-by-hop ones', async () => {
    const fake = await startFake();
    const key = randomToken('hop');
    const poise = await startPoise({ upstreamUrl: fake.url, keys: [key], config: QUIET });
    try {
      // fetch() refuses to set Connection, so this goes through node:http.
      const res = await new Promise((resolve, reject) => {
        const body = JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] });
        const r = httpRequest({
          host: '127.0.0.1',
          port: poise.port,
          method: 'POST',
          path: `/v1beta/models/${MODEL}:generateContent`,
          headers: {
            'x-goog-api-key': poise.gatewayToken,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            connection: 'keep-alive, x-trace-hop',
            'x-trace-hop': 'private',
            'x-kept-header': 'kept',
          },
        }, (resp) => {
          let text = '';
          resp.on('data', (d) => { text += d; });
          resp.on('end', () => resolve({ status: resp.statusCode, text }));
        });
        r.once('error', reject);
        r.end(body);
      });
      assert.equal(res.status, 200, res.text);
      const [seen] = (await fake.requests()).filter((r) => r.key === key);
      assert.ok(seen, 'the request reached the fake');
      assert.equal(seen.headers['x-trace-hop'], undefined, 'a Connection-nominated header is dropped');
      assert.equal(seen.headers['x-kept-header'], 'kept', 'end-to-end headers pass');
      assert.notEqual(seen.headers.connection, 'keep-alive, x-trace-hop');
    } finally {
      await poise.stop();
      await fake.stop();
    }
  });
});

