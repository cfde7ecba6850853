// The real `@anthropic-ai/sdk` (1.14.0, pinned) against the gateway's Messages routes
// (/v1/messages and /claude/v1/messages): plain and streamed messages with the full event
// sequence, system prompts, tools round trip, images, stop sequences and max_tokens, thinking,
// claude-* model mapping, both auth headers, and errors in Anthropic's envelope.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';

import { randomToken, request, startStack } from './lib/harness.mjs';
import { PNG_1X1, upstreamWith } from './lib/gemini.mjs';

const POOL = [randomToken('an-a'), randomToken('an-b')];

let stack;
let fake;
let client;

before(async () => {
  stack = await startStack({
    keys: POOL,
    config: { anthropic_model_haiku: 'gemini-2.5-flash-lite', model_aliases: '{"my-claude":"gemini-2.5-pro"}' },
  });
  fake = stack.fake;
  client = new Anthropic({ baseURL: stack.poise.url, apiKey: stack.poise.gatewayToken, maxRetries: 0 });
});

after(async () => {
  if (stack) await stack.stop();
});


describe('messages', () => {
  it('answers a plain message with system, usage and end_turn', async () => {
    const msg = await client.messages.create({
      model: 'gemini-2.5-flash',
      max_tokens: 100,
      system: 'you are terse a-sys1',
      messages: [{ role: 'user', content: 'hello a-plain1' }],
    });
    assert.equal(msg.type, 'message');
    assert.equal(msg.role, 'assistant');
    assert.match(msg.id, /^msg_/);
    assert.deepEqual(msg.content, [{ type: 'text', text: 'echo: hello a-plain1' }]);
    assert.equal(msg.stop_reason, 'end_turn');
    assert.ok(msg.usage.input_tokens > 0 && msg.usage.output_tokens > 0);
    const [rec] = await upstreamWith(fake, 'a-plain1');
    assert.equal(rec.path, '/v1beta/models/gemini-2.5-flash:generateContent');
    assert.ok(POOL.includes(rec.headers['x-goog-api-key']));
    assert.deepEqual(rec.json.systemInstruction, { parts: [{ text: 'you are terse a-sys1' }] });
    assert.equal(rec.json.generationConfig.maxOutputTokens, 100);
  });

  it('streams the full event sequence, and the SDK assembles the same message', async () => {
    const stream = client.messages.stream({
      model: 'gemini-2.5-flash',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'stream it a-stream1' }],
    });
    const types = [];
    stream.on('streamEvent', (e) => types.push(e.type));
    const final = await stream.finalMessage();
    assert.equal(final.content[0].text, 'echo: stream it a-stream1');
    assert.equal(final.stop_reason, 'end_turn');
    assert.ok(final.usage.output_tokens > 0);
    assert.equal(types[0], 'message_start');
    assert.equal(types.filter((t) => t === 'content_block_start').length, 1);
    assert.ok(types.filter((t) => t === 'content_block_delta').length >= 2);
    assert.deepEqual(types.slice(-3), ['content_block_stop', 'message_delta', 'message_stop']);
    const [rec] = await upstreamWith(fake, 'a-stream1');
    assert.equal(rec.path, '/v1beta/models/gemini-2.5-flash:streamGenerateContent');
  });

  it('sends message_start, ping, the block events, message_delta and message_stop on the wire', async () => {
    const res = await fetch(`${stack.poise.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': stack.poise.gatewayToken, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gemini-2.5-flash', max_tokens: 50, stream: true,
        messages: [{ role: 'user', content: 'raw a-raw1' }],
      }),
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/event-stream/);
    const events = (await res.text()).split('\n\n').filter(Boolean).map((block) => {
      const [eventLine, dataLine] = block.split('\n');
      const data = JSON.parse(dataLine.slice('data: '.length));
      assert.equal(eventLine, `event: ${data.type}`, 'event name matches data.type');
      return data.type;
    });
    assert.deepEqual(events, [
      'message_start', 'ping', 'content_block_start', 'content_block_delta', 'content_block_delta',
      'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop',
    ]);
  });

  it('maps claude-* names by family and honours aliases', async () => {
    await client.messages.create({
      model: 'claude-3-5-haiku-latest', max_tokens: 20, messages: [{ role: 'user', content: 'a-haiku1' }],
    });
    await client.messages.create({
      model: 'my-claude', max_tokens: 20, messages: [{ role: 'user', content: 'a-alias1' }],
    });
    assert.equal((await upstreamWith(fake, 'a-haiku1'))[0].path, '/v1beta/models/gemini-2.5-flash-lite:generateContent');
    assert.equal((await upstreamWith(fake, 'a-alias1'))[0].path, '/v1beta/models/gemini-2.5-pro:generateContent');
  });

  it('round-trips a tool call: tool_use, stop_reason tool_use, then tool_result', async () => {
    const tools = [{
      name: 'get_weather',
      description: 'Weather for a city',
      input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    }];
    const messages = [{ role: 'user', content: 'call_tool {"city":"Oslo"} a-tool1' }];
    const first = await client.messages.create({ model: 'gemini-3-flash-preview', max_tokens: 200, tools, messages });
    assert.equal(first.stop_reason, 'tool_use');
    const use = first.content.find((b) => b.type === 'tool_use');
    assert.ok(use.id.length > 0);
    assert.equal(use.name, 'get_weather');
    assert.deepEqual(use.input, { city: 'Oslo' });
    messages.push({ role: 'assistant', content: first.content });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: '{"temp_c":3}' }] });
    const second = await client.messages.create({ model: 'gemini-3-flash-preview', max_tokens: 200, tools, messages });
    assert.equal(second.stop_reason, 'end_turn');
    assert.equal(second.content.at(-1).text, 'tool result: get_weather => {"temp_c":3}');
  });

  it('streams a tool call as tool_use with input_json_delta', async () => {
    const stream = client.messages.stream({
      model: 'gemini-2.5-flash',
      max_tokens: 200,
      tools: [{ name: 'lookup', input_schema: { type: 'object', properties: { q: { type: 'string' } } } }],
      messages: [{ role: 'user', content: 'call_tool {"q":"x"} a-tool2' }],
    });
    const deltas = [];
    stream.on('streamEvent', (e) => {
      if (e.type === 'content_block_delta') deltas.push(e.delta.type);
    });
    const final = await stream.finalMessage();
    assert.equal(final.stop_reason, 'tool_use');
    const use = final.content.find((b) => b.type === 'tool_use');
    assert.deepEqual(use.input, { q: 'x' });
    assert.ok(deltas.includes('input_json_delta'));
  });

  it('sends a base64 image as inlineData', async () => {
    await client.messages.create({
      model: 'gemini-2.5-flash',
      max_tokens: 50,
      messages: [{
        role: 'user',
        content: [
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1X1 } },
          { type: 'text', text: 'what is it a-image1' },
        ],
      }],
    });
    const [rec] = await upstreamWith(fake, 'a-image1');
    const inline = rec.json.contents[0].parts.find((p) => p.inlineData);
    assert.deepEqual(inline.inlineData, { mimeType: 'image/png', data: PNG_1X1 });
  });

  it('passes stop_sequences and reports max_tokens when the answer is cut', async () => {
    const msg = await client.messages.create({
      model: 'gemini-2.5-flash',
      max_tokens: 2,
      stop_sequences: ['STOP'],
      messages: [{ role: 'user', content: 'one two three four a-max1' }],
    });
    assert.equal(msg.stop_reason, 'max_tokens');
    const [rec] = await upstreamWith(fake, 'a-max1');
    assert.deepEqual(rec.json.generationConfig.stopSequences, ['STOP']);
  });

  it('maps thinking to a thinking budget and returns a thinking block', async () => {
    const msg = await client.messages.create({
      model: 'gemini-2.5-flash',
      max_tokens: 2000,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [{ role: 'user', content: 'ponder a-think1' }],
    });
    const [rec] = await upstreamWith(fake, 'a-think1');
    assert.equal(rec.json.generationConfig.thinkingConfig.thinkingBudget, 1024);
    assert.equal(rec.json.generationConfig.thinkingConfig.includeThoughts, true);
    assert.equal(msg.content[0].type, 'thinking');
    assert.equal(msg.content.at(-1).text, 'echo: ponder a-think1');
  });

  it('serves /claude/v1/messages too, and accepts a Bearer token', async () => {
    const viaClaude = new Anthropic({
      baseURL: `${stack.poise.url}/claude`, authToken: stack.poise.gatewayToken, apiKey: null, maxRetries: 0,
    });
    const msg = await viaClaude.messages.create({
      model: 'gemini-2.5-flash', max_tokens: 20, messages: [{ role: 'user', content: 'a-claude-path' }],
    });
    assert.equal(msg.content[0].text, 'echo: a-claude-path');
  });
});

describe('count_tokens', () => {
  it('counts a Messages body through Gemini countTokens with generateContentRequest', async () => {
    const res = await client.messages.countTokens({
      model: 'claude-haiku-4-5',
      system: 'Be terse ct-sys.',
      messages: [
        { role: 'user', content: 'count these five words ct-one' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: [{ type: 'text', text: 'and two ct-two' }] },
      ],
    });
    // The fake counts the words of every text part, the system instruction included.
    assert.deepEqual(res, { input_tokens: 3 + 5 + 1 + 3 });
    const [rec] = await upstreamWith(fake, 'ct-one');
    assert.equal(rec.path, '/v1beta/models/gemini-2.5-flash-lite:countTokens', 'anthropic_model_haiku applies');
    assert.ok(POOL.includes(rec.headers['x-goog-api-key']));
    const gcr = rec.json.generateContentRequest;
    assert.deepEqual(Object.keys(rec.json), ['generateContentRequest']);
    assert.equal(gcr.model, 'models/gemini-2.5-flash-lite');
    assert.deepEqual(gcr.systemInstruction, { parts: [{ text: 'Be terse ct-sys.' }] });
    assert.deepEqual(gcr.contents.map((c) => c.role), ['user', 'model', 'user']);
  });

  it('counts tool declarations and images too, on /claude/v1 as well', async () => {
    const plain = await client.messages.countTokens({
      model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'look ct-img' }] });
    const claude = new Anthropic({ baseURL: `${stack.poise.url}/claude`, apiKey: stack.poise.gatewayToken, maxRetries: 0 });
    const withImage = await claude.messages.countTokens({
      model: 'gemini-2.5-flash',
      messages: [{ role: 'user', content: [
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1X1 } },
        { type: 'text', text: 'look ct-img' },
      ] }],
    });
    assert.equal(withImage.input_tokens, plain.input_tokens + 258, 'an image part counts 258');
  });

  it('refuses what /v1/messages refuses, in Anthropic\'s envelope, without an upstream call', async () => {
    const before = (await fake.requests()).length;
    await assert.rejects(
      client.messages.countTokens({ model: 'gemini-2.5-flash', messages: 'not a list' }),
      (err) => err instanceof Anthropic.BadRequestError && err.error?.error?.type === 'invalid_request_error',
    );
    const bad = new Anthropic({ baseURL: stack.poise.url, apiKey: 'wrong', maxRetries: 0 });
    await assert.rejects(
      bad.messages.countTokens({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'x' }] }),
      (err) => err instanceof Anthropic.AuthenticationError && err.status === 401,
    );
    assert.equal((await fake.requests()).length, before);
  });

  it('passes an upstream refusal on in Anthropic\'s envelope', async () => {
    await assert.rejects(
      client.messages.countTokens({ model: 'no-such-model-1', messages: [{ role: 'user', content: 'x' }] }),
      (err) => err instanceof Anthropic.NotFoundError && err.error?.type === 'error' &&
        /not found/.test(err.error?.error?.message ?? ''),
    );
  });
});

describe('errors, with maxRetries 0', () => {
  it('rejects a wrong token with AuthenticationError', async () => {
    const bad = new Anthropic({ baseURL: stack.poise.url, apiKey: 'wrong', maxRetries: 0 });
    await assert.rejects(
      bad.messages.create({ model: 'gemini-2.5-flash', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
      (err) => err instanceof Anthropic.AuthenticationError && err.status === 401,
    );
  });

  it('answers a malformed request with a 400 in Anthropic\'s envelope, without an upstream call', async () => {
    const before = (await fake.requests()).length;
    const res = await request(`${stack.poise.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': stack.poise.gatewayToken, 'content-type': 'application/json' },
      body: { model: 'gemini-2.5-flash', messages: 'not a list' },
    });
    assert.equal(res.status, 400);
    assert.equal(res.body.type, 'error');
    assert.equal(res.body.error.type, 'invalid_request_error');
    assert.equal((await fake.requests()).length, before);
    await assert.rejects(
      client.messages.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'x' }] }),
      (err) => err instanceof Anthropic.BadRequestError,
    );
  });

  it('turns an upstream overload into an overloaded error after trying every key', async () => {
    const { poise, stop } = await startStack({ keys: [`overloaded-${randomToken('o1')}`] });
    try {
      const c = new Anthropic({ baseURL: poise.url, apiKey: poise.gatewayToken, maxRetries: 0 });
      await assert.rejects(
        c.messages.create({ model: 'gemini-2.5-flash', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
        (err) => err instanceof Anthropic.APIError && err.status === 503 && err.error?.error?.type === 'overloaded_error',
      );
    } finally {
      await stop();
    }
  });

  it('ends a stream whose upstream fails in-band with an error event the SDK raises', async () => {
    const { poise, stop } = await startStack({ keys: [`midstreamerr-${randomToken('me')}`] });
    try {
      const c = new Anthropic({ baseURL: poise.url, apiKey: poise.gatewayToken, maxRetries: 0 });
      const stream = c.messages.stream({
        model: 'gemini-2.5-flash', max_tokens: 50, messages: [{ role: 'user', content: 'x y z' }],
      });
      await assert.rejects(stream.finalMessage(), (err) => err instanceof Anthropic.APIError);
    } finally {
      await stop();
    }
  });
});
