// The Live API (BidiGenerateContent over WebSocket) through the gateway with the real
// @google/genai SDK's ai.live.connect, against the fake upstream's Live endpoint: a text turn;
// failover to another key when the upstream, like Google's, takes the upgrade of an exhausted or
// invalid key and closes in answer to the setup (1011 quota, 1007 "API key not valid"), or
// refuses the upgrade (503); a bad gateway token refused before the upgrade; an upstream close
// relayed; and one request log row per session.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { GoogleGenAI, Modality } from '@google/genai';

import {
  QUIET_VALIDATION, findLeaks, queryParams, raceTimeout, randomToken, request, startFake,
  startPoise, waitFor,
} from './lib/harness.mjs';

const LIVE_MODEL = 'gemini-live-2.5-flash-preview';
const LIVE_PATH = (version) =>
  `/ws/google.ai.generativelanguage.${version}.GenerativeService.BidiGenerateContent`;

let fake;

before(async () => {
  fake = await startFake();
});

after(async () => {
  await fake?.stop();
});

async function withGateway(keys, fn) {
  const poise = await startPoise({ upstreamUrl: fake.url, keys, config: QUIET_VALIDATION });
  try {
    await fn(poise);
  } finally {
    await poise.stop();
  }
}

/**
 * Opens a Live session through `baseUrl`; resolves to {session, messages, closed} where
 * `messages` fills as the server sends and `closed` resolves with the close event.
 */
async function connect(baseUrl, apiKey, { version = 'v1beta', model = LIVE_MODEL } = {}) {
  const ai = new GoogleGenAI({ apiKey, httpOptions: { baseUrl, apiVersion: version } });
  const messages = [];
  let onClose;
  const closed = new Promise((resolve) => { onClose = resolve; });
  const session = await raceTimeout(ai.live.connect({
    model,
    config: { responseModalities: [Modality.TEXT] },
    callbacks: {
      onmessage: (m) => messages.push(m),
      onerror: () => {},
      onclose: (e) => onClose({ code: e.code, reason: e.reason }),
    },
  }), 5000);
  return { session, messages, closed };
}

/** Sends one user text turn and waits for the turn to complete; returns the answer's text. */
async function turn(live, text) {
  const start = live.messages.length;
  live.session.sendClientContent({ turns: [{ role: 'user', parts: [{ text }] }], turnComplete: true });
  await waitFor(() => live.messages.slice(start).some((m) => m.serverContent?.turnComplete),
    { timeoutMs: 5000, what: 'turnComplete' });
  return live.messages.slice(start)
    .flatMap((m) => m.serverContent?.modelTurn?.parts ?? [])
    .map((p) => p.text ?? '').join('');
}

/** The fake's records of Live upgrade requests, oldest first. */
async function upgrades() {
  return (await fake.requests()).filter((r) => r.path.includes('BidiGenerateContent'));
}

/** A raw upgrade request (or a plain GET with `upgrade: false`): {status, body}. */
function rawUpgrade(url, { headers = {}, upgrade = true } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, {
      headers: upgrade ? {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        ...headers,
      } : headers,
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode, body: null });
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, body: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timed out')));
  });
}

/** The request log rows of Live sessions, newest first, once `n` are written. */
async function liveRows(poise, n) {
  let rows = [];
  await waitFor(async () => {
    const res = await poise.admin('GET', '/api/v1/logs?limit=50');
    assert.equal(res.status, 200, res.text);
    rows = res.body.items.filter((r) => String(r.path).includes('BidiGenerateContent'));
    return rows.length >= n;
  }, { timeoutMs: 10000, what: `${n} Live request log rows` });
  return rows;
}

describe('Live API through the gateway', () => {
  it('relays setup, a text turn and its answer, with a pool key upstream and one log row', async () => {
    await fake.reset();
    const keys = [randomToken('live-a'), randomToken('live-b')];
    await withGateway(keys, async (poise) => {
      for (const version of ['v1beta', 'v1alpha']) {
        const live = await connect(poise.url, poise.gatewayToken, { version });
        assert.ok(live.messages.some((m) => m.setupComplete), 'setupComplete came through');
        assert.equal(await turn(live, 'hello live world'), 'echo: hello live world');
        assert.equal(await turn(live, 'second turn'), 'echo: second turn');
        live.session.close();
        const closed = await raceTimeout(live.closed, 5000);
        assert.equal(closed.code, 1000);
      }
      const seen = await upgrades();
      assert.equal(seen.length, 2);
      for (const [i, rec] of seen.entries()) {
        assert.equal(rec.path, LIVE_PATH(i === 0 ? 'v1beta' : 'v1alpha'));
        assert.equal(rec.status, 101);
        assert.ok(keys.includes(rec.headers['x-goog-api-key']), 'a pool key in x-goog-api-key');
        assert.equal(queryParams(rec).get('key'), null, 'no key in the upstream URL');
        assert.deepEqual(findLeaks(JSON.stringify(rec), { gateway: poise.gatewayToken }), []);
      }
      const rows = await liveRows(poise, 2);
      for (const row of rows) {
        assert.equal(row.protocol, 'gemini');
        assert.equal(row.model, LIVE_MODEL);
        assert.equal(row.status, 101);
        assert.equal(row.attempts, 1);
        assert.ok(row.prompt_tokens > 0, `usage recorded: ${JSON.stringify(row)}`);
        assert.deepEqual(findLeaks(JSON.stringify(row), { a: keys[0], b: keys[1] }), []);
      }
    });
  });

  it('fails over when the upstream closes the setup of an exhausted or invalid key, or refuses the upgrade', async () => {
    const quota = `quota-${randomToken('k')}`;
    const invalid = `invalid-${randomToken('k')}`;
    const overloaded = `overloaded-${randomToken('k')}`;
    const good = randomToken('good');
    await withGateway([quota, invalid, overloaded, good], async (poise) => {
      const failed = new Set();
      // Each session picks its first key at random; a cooled key rests only for its model, so
      // each session names another model until every failing key was tried.
      for (let i = 0; i < 24 && failed.size < 3; i++) {
        await fake.reset();
        const live = await connect(poise.url, poise.gatewayToken, { model: `gemini-live-fo-${i}` });
        // The client saw nothing of the failed attempts: its first message is setupComplete.
        assert.ok(live.messages[0]?.setupComplete, `first message: ${JSON.stringify(live.messages[0])}`);
        assert.equal(await turn(live, `session ${i}`), `echo: session ${i}`);
        live.session.close();
        await raceTimeout(live.closed, 5000);
        const seen = await upgrades();
        assert.equal(seen.at(-1).status, 101);
        assert.equal(seen.at(-1).headers['x-goog-api-key'], good, 'the session runs on the good key');
        for (const rec of seen.slice(0, -1)) {
          const key = rec.headers['x-goog-api-key'];
          // Google takes the upgrade of an exhausted or invalid key (then closes); the fake's
          // overloaded key is refused with 503 before the upgrade.
          assert.equal(rec.status, key === overloaded ? 503 : 101, `upgrade of ${key.split('-')[0]}`);
          failed.add(key);
        }
      }
      assert.equal(failed.size, 3, 'every failing key was tried');
      const rows = await liveRows(poise, 1);
      assert.ok(rows.some((r) => r.attempts > 1), 'a row with several attempts');
      // The invalid key is out of rotation; the exhausted one only rests (per model).
      const invalidRow = await poise.keyRow(invalid);
      assert.equal(invalidRow.status, 'error', JSON.stringify(invalidRow));
      assert.notEqual((await poise.keyRow(quota)).status, 'error');
    });
  });

  it('passes the last close on when every key closes the setup', async () => {
    await fake.reset();
    await withGateway([`quota-${randomToken('k')}`], async (poise) => {
      // The SDK's connect fails with the close, before any message reached the client.
      await assert.rejects(connect(poise.url, poise.gatewayToken, { model: 'gemini-live-all-quota' }),
        /before setup completed \(code 1011\): You exceeded your current quota/);
      const [row] = await liveRows(poise, 1);
      assert.equal(row.status, 500);
      assert.match(row.error_message ?? '', /1011/);
    });
  });

  it('refuses a bad gateway token before the upgrade, and applies client token rules', async () => {
    await fake.reset();
    await withGateway([randomToken('k')], async (poise) => {
      const url = `${poise.url}${LIVE_PATH('v1beta')}`;
      const bad = await rawUpgrade(`${url}?key=${randomToken('wrong')}`);
      assert.equal(bad.status, 401);
      assert.equal(bad.body.error.status, 'UNAUTHENTICATED');
      const none = await rawUpgrade(url);
      assert.equal(none.status, 401);
      // The token as x-goog-api-key works too; a plain GET is not an upgrade.
      const ok = await rawUpgrade(url, { headers: { 'x-goog-api-key': poise.gatewayToken } });
      assert.equal(ok.status, 101);
      const plain = await request(url, { headers: { 'x-goog-api-key': poise.gatewayToken } });
      assert.equal(plain.status, 400);
      assert.match(plain.body.error.message, /WebSocket/);
      await assert.rejects(connect(poise.url, randomToken('wrong')), /Live connection/);

      // A client token's model patterns apply to the setup's model (1008), its protocols to the
      // upgrade (403).
      const created = await poise.admin('POST', '/api/v1/tokens',
        { name: randomToken('live'), allowed_models: ['gemini-2.5-*'] });
      assert.equal(created.status, 201, created.text);
      await assert.rejects(connect(poise.url, created.body.token), /code 1008/);
      const openaiOnly = await poise.admin('POST', '/api/v1/tokens',
        { name: randomToken('live'), allowed_protocols: ['openai'] });
      assert.equal(openaiOnly.status, 201, openaiOnly.text);
      const denied = await rawUpgrade(`${url}?key=${openaiOnly.body.token}`);
      assert.equal(denied.status, 403);
      assert.equal((await upgrades()).length, 0, 'nothing reached the upstream');
    });
  });

  it('relays the upstream close code and reason, and closes 1013 when no key can take it', async () => {
    await fake.reset();
    const key = randomToken('k');
    await withGateway([key], async (poise) => {
      const live = await connect(poise.url, poise.gatewayToken);
      live.session.sendClientContent({
        turns: [{ role: 'user', parts: [{ text: 'please fake_close=1011' }] }], turnComplete: true,
      });
      const closed = await raceTimeout(live.closed, 5000);
      assert.equal(closed.code, 1011);
      assert.equal(closed.reason, 'closed by the fake (fake_close)');

      // A setup without a valid model id is refused with 1007 before any key is used.
      await assert.rejects(connect(poise.url, poise.gatewayToken, { model: 'bad model' }),
        /code 1007/);

      // Every key refused: the client learns why in the close frame. First the upstream's own
      // close (its quota, in answer to the setup), then, the key resting, the gateway's 1013.
      await fake.script(key, [{ status: 429, times: -1 }]);
      await assert.rejects(connect(poise.url, poise.gatewayToken, { model: 'gemini-live-x' }),
        /code 1011\): You exceeded your current quota/);
      await assert.rejects(connect(poise.url, poise.gatewayToken, { model: 'gemini-live-x' }),
        /code 1013/);
      // An upgrade the upstream refuses (503 from its front end) is 1011 when no key is left.
      await fake.reset();
      await fake.script(key, [{ status: 503, times: -1 }]);
      await assert.rejects(connect(poise.url, poise.gatewayToken, { model: 'gemini-live-y' }),
        /code 1011/);
    });
  });
});
