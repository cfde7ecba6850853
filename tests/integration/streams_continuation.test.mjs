// Continuation of truncated streams (config stream_continue_on_truncation, issue 16), end to end
// through the `openai` and `@anthropic-ai/sdk` SDKs: the fake's `truncate-` keys end every stream
// after 2 chunks without a finishReason. The gateway then asks another key to go on, with the
// text so far as a model turn and the continue instruction, and splices that answer into the same
// client stream: one role chunk / message_start, the text of both answers in order, one normal
// end. After stream_continue_max continuations that all truncate, the client gets the truncation
// error event.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

import { randomToken, request, startStack, waitFor } from './lib/harness.mjs';
import { MODEL, drain, sseEvents } from './lib/gemini.mjs';

const CONTINUE = /^Continue exactly where you stopped\./;

/** A gateway over the fake with these keys, continuation on (max 2), round-robin picks. */
async function gateway(keys) {
  return startStack({
    keys,
    config: {
      stream_continue_on_truncation: 'true', stream_continue_max: '2', key_selection_strategy: 'round_robin',
    },
  });
}

/** The fake's recorded requests whose body carries `marker`, with their JSON bodies. */
async function upstreamCalls(fake, marker) {
  return (await fake.requests())
    .filter((r) => (r.body ?? '').includes(marker))
    .map((r) => ({ ...r, json: JSON.parse(r.body) }));
}

describe('continuation on another key', () => {
  let stack;
  const truncating = `truncate-${randomToken('ct')}`;
  const healthy = randomToken('ok');
  before(async () => {
    stack = await gateway([truncating, healthy]);
  });
  after(async () => {
    if (stack) await stack.stop();
  });

  it('OpenAI: a truncated stream goes on seamlessly; the continuation carries the text so far', async () => {
    const client = new OpenAI({ baseURL: `${stack.poise.url}/v1`, apiKey: stack.poise.gatewayToken, maxRetries: 0 });
    let continued = 0;
    // Round robin: of three calls, at least one starts on the truncating key.
    for (const n of [1, 2, 3]) {
      const marker = `co-openai-${n}`;
      const out = await drain(await client.chat.completions.create({
        model: MODEL, stream: true, messages: [{ role: 'user', content: `tell me a story ${marker}` }] }));
      assert.equal(out.error, undefined, String(out.error));
      const calls = await upstreamCalls(stack.fake, marker);
      const text = out.chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
      const roles = out.chunks.filter((c) => c.choices[0]?.delta?.role === 'assistant');
      const finishes = out.chunks.map((c) => c.choices[0]?.finish_reason).filter(Boolean);
      assert.equal(roles.length, 1, 'one role chunk');
      assert.deepEqual(finishes, ['stop'], 'one finish');
      if (calls[0].key !== truncating) {
        assert.equal(calls.length, 1);
        assert.equal(text, `echo: tell me a story ${marker}`);
        continue;
      }
      continued += 1;
      assert.equal(calls.length, 2, 'one continuation');
      assert.equal(calls[1].key, healthy, 'on another key');
      const contents = calls[1].json.contents;
      assert.equal(contents.length, 3);
      const sofar = contents[1].parts[0].text;
      assert.equal(contents[1].role, 'model');
      assert.ok(sofar.length > 0 && `echo: tell me a story ${marker}`.startsWith(sofar), `the text so far: ${sofar}`);
      assert.notEqual(sofar, `echo: tell me a story ${marker}`, 'the first answer was cut');
      assert.equal(contents[2].role, 'user');
      assert.match(contents[2].parts[0].text, CONTINUE);
      // The client saw the cut text, then the continuation's whole answer, as one stream.
      assert.equal(text, sofar + `echo: ${contents[2].parts[0].text}`);
    }
    assert.ok(continued >= 1, 'some call was continued');
  });

  it('Anthropic: one message_start, the text of both answers in one block, end_turn', async () => {
    const client = new Anthropic({ baseURL: stack.poise.url, apiKey: stack.poise.gatewayToken, maxRetries: 0 });
    let continued = 0;
    for (const n of [1, 2, 3]) {
      const marker = `co-anthropic-${n}`;
      const stream = client.messages.stream({
        model: MODEL, max_tokens: 256, messages: [{ role: 'user', content: `tell me ${marker}` }] });
      const message = await stream.finalMessage();
      assert.equal(message.stop_reason, 'end_turn');
      assert.equal(message.content.length, 1, 'one text block');
      const calls = await upstreamCalls(stack.fake, marker);
      if (calls[0].key !== truncating) continue;
      continued += 1;
      assert.equal(calls.length, 2);
      const sofar = calls[1].json.contents[1].parts[0].text;
      assert.equal(message.content[0].text, sofar + `echo: ${calls[1].json.contents[2].parts[0].text}`);
    }
    assert.ok(continued >= 1, 'some call was continued');
  });
});

describe('continuation limits', () => {
  let stack;
  const keys = [1, 2, 3, 4].map((i) => `truncate-${randomToken(`all${i}`)}`);
  before(async () => {
    stack = await gateway(keys);
  });
  after(async () => {
    if (stack) await stack.stop();
  });

  it('gives up after stream_continue_max continuations: the truncation error, no [DONE]', async () => {
    const res = await request(`${stack.poise.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.poise.gatewayToken}`, 'x-request-id': 'co-limit' },
      body: { model: MODEL, stream: true, messages: [{ role: 'user', content: 'never ends co-limit' }] },
    });
    assert.equal(res.status, 200);
    assert.doesNotMatch(res.text, /\[DONE\]/);
    const events = sseEvents(res.text);
    assert.match(events.at(-1).error.message, /ended without a finish reason/);
    const calls = await upstreamCalls(stack.fake, 'co-limit');
    assert.equal(calls.length, 3, 'the first answer and 2 continuations');
    assert.equal(new Set(calls.map((c) => c.key)).size, 3, 'each on its own key');
    // Each continuation carries all the text the client has had so far.
    const texts = events.slice(0, -1).map((e) => e.choices[0]?.delta?.content ?? '').join('');
    assert.ok(texts.startsWith(calls[2].json.contents[1].parts[0].text));
    let row;
    await waitFor(async () => {
      const r = await stack.poise.admin('GET', '/api/v1/logs?request_id=co-limit');
      row = r.body?.items?.[0];
      return row !== undefined;
    }, { timeoutMs: 10000, what: 'the request log row' });
    assert.equal(row.error_class, 'truncated');
    assert.equal(row.attempts, 3);
  });
});
