// Process lifecycle: graceful shutdown on SIGTERM; SIGHUP does not stop the gateway.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';

import { HOST, raceTimeout, randomToken, startStack, waitFor } from './lib/harness.mjs';
import { MODEL, drain, genaiClient } from './lib/gemini.mjs';

let stack;

afterEach(async () => {
  // Normally the process is gone already; this only cleans up after a failed assertion.
  await stack?.stop().catch(() => {});
  stack = undefined;
});

/** Resolves 'refused' when a TCP connect is refused, 'open' when it succeeds. */
function probe(port) {
  return new Promise((resolveProbe) => {
    const socket = connect({ host: HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolveProbe('open');
    });
    socket.once('error', (err) => {
      resolveProbe(err.code === 'ECONNREFUSED' ? 'refused' : `error ${err.code}`);
    });
  });
}

/** Waits for the process to exit on its own (no further signal); returns {code, signal, at}. */
async function exitWithin(poise, ms) {
  const result = await raceTimeout(poise.exited.then((r) => ({ ...r, at: Date.now() })), ms);
  assert.notEqual(result, 'timeout', `poise exits within ${ms} ms`);
  return result;
}

describe('SIGTERM', () => {
  it('lets an in-flight stream finish, refuses new connections, then exits 0', async () => {
    stack = await startStack({ keys: [randomToken('life')] });
    const { poise } = stack;
    const ai = genaiClient(poise.url, poise.gatewayToken, 'v1beta');
    // The fake streams 15 chunks 200 ms apart: about 3 s in flight.
    const prompt = 'slow_stream fake_chunks=15 shutdown';
    const reference = await ai.models.generateContent({ model: MODEL, contents: prompt });
    const stream = await ai.models.generateContentStream({ model: MODEL, contents: prompt });

    let signalledAt;
    let refusedAt;
    const probing = [];
    const drained = drain(stream, {
      timeoutMs: 30000,
      onChunk: (_chunk, n) => {
        if (n !== 1) return;
        // Mid-stream: ask for shutdown, then watch the listener close while the stream goes on.
        poise.signal('SIGTERM');
        signalledAt = Date.now();
        probing.push(waitFor(async () => (await probe(poise.port)) === 'refused', {
          timeoutMs: 2000, intervalMs: 20, what: 'new connections to be refused',
        }).then(() => { refusedAt = Date.now(); }));
      },
    });
    const { chunks, error, timedOut } = await drained;
    const streamEndedAt = Date.now();
    assert.equal(timedOut, false, 'the stream ends');
    assert.equal(error, undefined, `the in-flight stream completes normally: ${error?.message}`);
    assert.equal(chunks.length, 15, 'every chunk arrived');
    assert.equal(chunks.map((c) => c.text ?? '').join(''), reference.text, 'nothing was cut');
    assert.equal(chunks.at(-1).candidates?.[0]?.finishReason, 'STOP');

    await Promise.all(probing);
    assert.ok(refusedAt !== undefined, 'new connections were refused');
    assert.ok(refusedAt <= streamEndedAt, 'the listener closed while the stream was in flight');
    assert.ok(refusedAt - signalledAt <= 1000, `refused ${refusedAt - signalledAt} ms after SIGTERM`);

    const exit = await exitWithin(poise, 10000);
    assert.equal(exit.signal, null, `exited by itself, not by signal ${exit.signal}`);
    assert.equal(exit.code, 0, 'exit code 0');
    assert.ok(exit.at >= streamEndedAt - 50, 'the process outlived the in-flight stream');
  });

  it('streams still open when the grace runs out end with a terminal error event', async () => {
    // They used to end with a TCP reset, logged as "upstream stream broke".
    stack = await startStack({
      keys: [randomToken('life')], env: { POISE_SHUTDOWN_GRACE_SECONDS: '1' },
    });
    const { poise } = stack;
    const text = 'slow_stream fake_chunks=40 cut by shutdown';
    const native = fetch(`${poise.url}/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`, {
      method: 'POST',
      headers: { 'x-goog-api-key': poise.gatewayToken, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text }] }] }),
    });
    const openai = fetch(`${poise.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${poise.gatewayToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, stream: true, messages: [{ role: 'user', content: text }] }),
    });
    const [nativeRes, openaiRes] = await Promise.all([native, openai]);
    assert.equal(nativeRes.status, 200);
    assert.equal(openaiRes.status, 200);
    poise.signal('SIGTERM');
    // Both bodies end cleanly (a reset would reject text()) with the protocol's error event.
    const [nativeText, openaiText] = await Promise.all([nativeRes.text(), openaiRes.text()]);
    const lastNative = nativeText.trim().split('\n').filter((l) => l.startsWith('data: ')).at(-1);
    const nativeError = JSON.parse(lastNative.slice(6)).error;
    assert.equal(nativeError?.code, 503, lastNative);
    assert.match(nativeError.message, /shutting down/);
    assert.ok(!nativeText.includes('"finishReason"'), 'the stream was cut before its end');
    const openaiEvents = openaiText.trim().split('\n').filter((l) => l.startsWith('data: '));
    const openaiError = openaiEvents.map((l) => l.slice(6)).filter((d) => d !== '[DONE]')
      .map((d) => JSON.parse(d)).find((e) => e.error);
    assert.ok(openaiError, `an OpenAI error event: ${openaiText.slice(-300)}`);
    assert.match(openaiError.error.message, /shutting down/);
    const exit = await exitWithin(poise, 10000);
    assert.equal(exit.code, 0, 'exit code 0');
    assert.match(poise.logs(), /stream cut by shutdown/);
    assert.doesNotMatch(poise.logs(), /upstream stream broke/);
  });

  it('an idle gateway exits 0 promptly', async () => {
    stack = await startStack({});
    const { poise } = stack;
    const started = Date.now();
    poise.signal('SIGTERM');
    const exit = await exitWithin(poise, 5000);
    assert.equal(exit.signal, null, `exited by itself, not by signal ${exit.signal}`);
    assert.equal(exit.code, 0, 'exit code 0');
    assert.ok(Date.now() - started < 3000, 'no needless wait when nothing is in flight');
    assert.equal(await probe(poise.port), 'refused');
  });

  it('closes an idle keep-alive connection at once and exits 0 without waiting for the grace', async () => {
    // A client holding a kept-alive connection between requests must not hold the shutdown for
    // the grace period (20 s by default) or the idle timeout.
    stack = await startStack({});
    const { poise } = stack;
    const socket = connect({ host: HOST, port: poise.port });
    await new Promise((resolveConnect, rejectConnect) => {
      socket.once('connect', resolveConnect);
      socket.once('error', rejectConnect);
    });
    let received = '';
    socket.on('data', (d) => { received += d.toString(); });
    const closed = new Promise((resolveClose) => socket.once('close', () => resolveClose(Date.now())));
    socket.write(`GET /health HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    await waitFor(async () => received.includes('healthy'), {
      timeoutMs: 3000, intervalMs: 10, what: 'the /health answer',
    });
    assert.match(received, /^HTTP\/1\.1 200 /);
    const signalledAt = Date.now();
    poise.signal('SIGTERM');
    const closedAt = await raceTimeout(closed, 3000);
    assert.notEqual(closedAt, 'timeout', 'the idle connection is closed by the shutdown');
    const exit = await exitWithin(poise, 5000);
    assert.equal(exit.signal, null, `exited by itself, not by signal ${exit.signal}`);
    assert.equal(exit.code, 0, 'exit code 0');
    assert.ok(exit.at - signalledAt < 3000, `exited ${exit.at - signalledAt} ms after SIGTERM`);
  });
});

describe('SIGHUP', () => {
  it('is logged and ignored: the gateway keeps serving, and SIGTERM still stops it with 0', async () => {
    stack = await startStack({ keys: [randomToken('hup')] });
    const { poise } = stack;
    const ai = genaiClient(poise.url, poise.gatewayToken, 'v1beta');
    poise.signal('SIGHUP');
    await waitFor(async () => /SIGHUP ignored/.test(poise.logs()), {
      timeoutMs: 3000, intervalMs: 20, what: 'the SIGHUP log line',
    });
    // Twice: the handler re-arms after the first one.
    poise.signal('SIGHUP');
    const reply = await ai.models.generateContent({ model: MODEL, contents: 'still there?' });
    assert.ok(reply.text.length > 0, 'answers after two SIGHUPs');
    assert.equal(await probe(poise.port), 'open');
    poise.signal('SIGTERM');
    const exit = await exitWithin(poise, 5000);
    assert.equal(exit.signal, null, `exited by itself, not by signal ${exit.signal}`);
    assert.equal(exit.code, 0, 'exit code 0');
  });
});
