// Streams that stay alive and end honestly (issue 16), on the native, OpenAI and Anthropic
// routes, through the real SDKs (`@google/genai`, `openai`, `@anthropic-ai/sdk`) and raw fetch:
// - keep-alive: with stream_keepalive_seconds=1, an upstream silent for 2.5 s before its first
//   chunk and between chunks (the fake's fake_ttft_ms / fake_chunk_delay_ms knobs) gives the
//   client `: keep-alive` comments (native, OpenAI) or `event: ping` (Anthropic) on the wire, and
//   every SDK still reads the whole answer;
// - truncation: the fake's midstream_truncate action ends a stream cleanly without any
//   finishReason; every client gets its protocol's error event (no [DONE], no message_stop), the
//   key is not blamed, the request log says `truncated` and /metrics counts it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

import { randomToken, request, startStack, waitFor } from './lib/harness.mjs';
import { MODEL, drain, genaiClient, sseEvents, textBody } from './lib/gemini.mjs';

const POOL = [randomToken('st-a'), randomToken('st-b')];
const METRICS_TOKEN = randomToken('metrics');
// Silent 2.5 s before the first chunk and between chunks: at 1 s keep-alive, two beats each.
const SILENT = 'fake_ttft_ms=2500 fake_chunk_delay_ms=2500 fake_chunks=2';

let stack;
let poise;
let fake;

before(async () => {
  stack = await startStack({
    keys: POOL,
    config: { stream_keepalive_seconds: '1' },
    env: { POISE_METRICS: 'on', POISE_METRICS_TOKEN: METRICS_TOKEN },
  });
  ({ poise, fake } = stack);
});

after(async () => {
  if (stack) await stack.stop();
});

const openai = () => new OpenAI({ baseURL: `${poise.url}/v1`, apiKey: poise.gatewayToken, maxRetries: 0 });
const anthropic = () => new Anthropic({ baseURL: poise.url, apiKey: poise.gatewayToken, maxRetries: 0 });
const genai = () => genaiClient(poise.url, poise.gatewayToken);

// Raw streamed calls, one per protocol: the bytes as they went on the wire.
function rawNative(text, headers = {}) {
  return request(`${poise.url}/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`, {
    method: 'POST', headers: { 'x-goog-api-key': poise.gatewayToken, ...headers }, body: textBody(text),
  });
}
function rawOpenAi(text, headers = {}) {
  return request(`${poise.url}/v1/chat/completions`, {
    method: 'POST', headers: { authorization: `Bearer ${poise.gatewayToken}`, ...headers },
    body: { model: MODEL, stream: true, messages: [{ role: 'user', content: text }] },
  });
}
function rawAnthropic(text, headers = {}) {
  return request(`${poise.url}/v1/messages`, {
    method: 'POST', headers: { 'x-api-key': poise.gatewayToken, 'anthropic-version': '2023-06-01', ...headers },
    body: { model: MODEL, max_tokens: 256, stream: true, messages: [{ role: 'user', content: text }] },
  });
}

/** Every request_logs row of one request id, once written. */
async function logRow(requestId) {
  let rows = [];
  await waitFor(async () => {
    const res = await poise.admin('GET', `/api/v1/logs?request_id=${requestId}`);
    rows = res.body?.items ?? [];
    return rows.length > 0;
  }, { timeoutMs: 10000, what: `the request log row of ${requestId}` });
  return rows[0];
}

async function truncationCount(protocol) {
  const res = await request(`${poise.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  assert.equal(res.status, 200);
  const m = res.text.match(new RegExp(`^poise_stream_truncations_total\\{protocol="${protocol}"\\} (\\d+)`, 'm'));
  assert.ok(m, `the truncation series for ${protocol}`);
  return Number(m[1]);
}

// Both keys truncate their next stream, whichever the gateway picks.
async function truncateNext() {
  for (const key of POOL) await fake.script(key, [{ action: 'midstream_truncate', afterChunks: 2, chunks: 3 }]);
}

describe('keep-alive', () => {
  it('puts keep-alives on the wire while the upstream is silent, and every SDK reads the whole answer', async () => {
    const prompt = (tag) => `keep me alive ${tag} ${SILENT}`;
    // fake_chunks=2: the echo, then " 2" (each chunk ends with its number).
    const answer = (tag) => `echo: ${prompt(tag)} 2`;
    // All six calls at once: one silent stretch for the whole test.
    const [native, chat, messages, sdkGenai, sdkOpenai, sdkAnthropic] = await Promise.all([
      rawNative(prompt('ka-native')),
      rawOpenAi(prompt('ka-openai')),
      rawAnthropic(prompt('ka-anthropic')),
      drain(await genai().models.generateContentStream({ model: MODEL, contents: prompt('ka-sdk-genai') })),
      (async () => drain(await openai().chat.completions.create({
        model: MODEL, stream: true, messages: [{ role: 'user', content: prompt('ka-sdk-openai') }] })))(),
      (async () => {
        const stream = anthropic().messages.stream({
          model: MODEL, max_tokens: 256, messages: [{ role: 'user', content: prompt('ka-sdk-anthropic') }] });
        return { message: await stream.finalMessage() };
      })(),
    ]);

    for (const [name, res] of [['native', native], ['openai', chat], ['anthropic', messages]]) {
      assert.equal(res.status, 200, `${name}: ${res.text}`);
    }
    assert.match(native.text, /^: keep-alive\n\n/m, 'a comment line on the native stream');
    assert.equal(sseEvents(native.text).map((e) => e.candidates[0].content.parts[0].text).join(''),
      answer('ka-native'));
    assert.match(chat.text, /^: keep-alive\n\n/m, 'a comment line on the OpenAI stream');
    assert.match(chat.text, /data: \[DONE\]\n\n$/);
    const pings = messages.text.match(/^event: ping\ndata: \{"type":"ping"\}\n\n/gm) ?? [];
    assert.ok(pings.length >= 2, `pings beyond the one after message_start (got ${pings.length})`);
    assert.match(messages.text, /event: message_stop/);
    assert.doesNotMatch(messages.text, /keep-alive/, 'no SSE comment on the Anthropic stream');

    assert.equal(sdkGenai.error, undefined, String(sdkGenai.error));
    assert.equal(sdkGenai.chunks.map((c) => c.text ?? '').join(''), answer('ka-sdk-genai'));
    assert.equal(sdkOpenai.error, undefined, String(sdkOpenai.error));
    assert.equal(sdkOpenai.chunks.map((c) => c.choices[0]?.delta?.content ?? '').join(''),
      answer('ka-sdk-openai'));
    assert.equal(sdkAnthropic.message.content[0].text, answer('ka-sdk-anthropic'));
    assert.equal(sdkAnthropic.message.stop_reason, 'end_turn');
  });

  it('sends none when stream_keepalive_seconds is 0', async () => {
    await poise.setConfig({ stream_keepalive_seconds: 0 });
    try {
      const res = await rawOpenAi('quiet please fake_ttft_ms=1500');
      assert.equal(res.status, 200);
      assert.doesNotMatch(res.text, /keep-alive/);
      assert.match(res.text, /data: \[DONE\]/);
    } finally {
      await poise.setConfig({ stream_keepalive_seconds: 1 });
    }
  });
});

describe('truncation', () => {
  it('OpenAI: an error chunk and no [DONE]; the SDK throws', async () => {
    const before = await truncationCount('openai');
    await truncateNext();
    const raw = await rawOpenAi('cut me tr-openai-raw', { 'x-request-id': 'tr-openai-raw' });
    assert.equal(raw.status, 200);
    assert.doesNotMatch(raw.text, /\[DONE\]/);
    const events = sseEvents(raw.text);
    assert.ok(events.length >= 2, 'the text before the cut arrived');
    const last = events.at(-1);
    assert.match(last.error.message, /ended without a finish reason/);
    assert.equal(last.error.type, 'server_error');
    assert.ok(events.slice(0, -1).every((e) => e.choices.every((c) => c.finish_reason === null)),
      'no chunk claims a finish');

    await truncateNext();
    const sdk = await drain(await openai().chat.completions.create({
      model: MODEL, stream: true, messages: [{ role: 'user', content: 'cut me tr-openai-sdk' }] }));
    assert.ok(sdk.error, 'the SDK throws');
    assert.match(String(sdk.error.message), /ended without a finish reason/);
    assert.equal(await truncationCount('openai'), before + 2);

    const row = await logRow('tr-openai-raw');
    assert.equal(row.error_class, 'truncated');
    assert.equal(row.status, 200);
    assert.match(row.keys_tried, /^\d+:success$/, 'the key answered; it is not blamed');
    await fake.reset();
  });

  it('Anthropic: event: error with an api_error and no message_stop; the SDK throws', async () => {
    const before = await truncationCount('anthropic');
    await truncateNext();
    const raw = await rawAnthropic('cut me tr-anthropic-raw', { 'x-request-id': 'tr-anthropic-raw' });
    assert.equal(raw.status, 200);
    assert.doesNotMatch(raw.text, /message_stop/);
    assert.doesNotMatch(raw.text, /message_delta/);
    const m = raw.text.match(/event: error\ndata: (.*)\n\n$/);
    assert.ok(m, raw.text);
    const err = JSON.parse(m[1]);
    assert.equal(err.type, 'error');
    assert.equal(err.error.type, 'api_error');
    assert.match(err.error.message, /ended without a finish reason/);

    await truncateNext();
    const stream = anthropic().messages.stream({
      model: MODEL, max_tokens: 256, messages: [{ role: 'user', content: 'cut me tr-anthropic-sdk' }] });
    await assert.rejects(stream.finalMessage(), /ended without a finish reason/);
    assert.equal(await truncationCount('anthropic'), before + 2);
    assert.equal((await logRow('tr-anthropic-raw')).error_class, 'truncated');
    await fake.reset();
  });

  it('native: the bytes pass through, then an error event in Gemini\'s envelope; @google/genai throws', async () => {
    const before = await truncationCount('gemini');
    await truncateNext();
    const raw = await rawNative('cut me tr-native-raw', { 'x-request-id': 'tr-native-raw' });
    assert.equal(raw.status, 200);
    const events = sseEvents(raw.text);
    assert.equal(events.length, 3, 'two upstream chunks, then the error event');
    assert.ok(events.slice(0, 2).every((e) => e.candidates[0].finishReason === undefined));
    assert.deepEqual(Object.keys(events[2]), ['error']);
    assert.equal(events[2].error.code, 502);
    assert.equal(events[2].error.status, 'UNAVAILABLE');
    assert.match(events[2].error.message, /ended without a finish reason/);

    await truncateNext();
    const sdk = await drain(await genai().models.generateContentStream({ model: MODEL, contents: 'cut me tr-native-sdk' }));
    assert.ok(sdk.error, 'the SDK throws');
    assert.equal(sdk.chunks.length, 2, 'after the text that came');
    assert.equal(await truncationCount('gemini'), before + 2);
    const row = await logRow('tr-native-raw');
    assert.equal(row.error_class, 'truncated');
    assert.match(row.error_message, /ended without a finish reason/);
    await fake.reset();
  });

  it('a complete stream is not a truncation, and neither is a blocked prompt', async () => {
    const before = await truncationCount('openai');
    const done = await rawOpenAi('all fine tr-none');
    assert.match(done.text, /data: \[DONE\]\n\n$/);
    const blocked = await rawOpenAi('fake_block tr-blocked');
    assert.match(blocked.text, /"finish_reason":"content_filter"/);
    assert.match(blocked.text, /data: \[DONE\]\n\n$/);
    assert.equal(await truncationCount('openai'), before);
    for (const key of POOL) {
      const row = await poise.keyRow(key);
      assert.equal(row.status, 'active');
      assert.equal(row.failed_count, 0, 'truncations never counted against a key');
    }
  });
});
