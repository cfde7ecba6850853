// The OpenAI Responses API (POST /v1/responses) through the real `openai` SDK (7.57.0, pinned):
// responses.create (text, a function tool round trip with function_call_output on a model that
// needs thought signatures, json_schema, reasoning summaries, the token limit), responses.stream
// (event order and sequence numbers), refusals in OpenAI's envelope, a raw request shaped like
// codex's (stream, developer role, function tools), and stored responses (previous_response_id
// chains, responses.retrieve/delete, store: false, one token's response hidden from another).
// The fake upstream answers like Gemini.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

import { randomToken, request, startStack } from './lib/harness.mjs';
import { PNG_1X1, upstreamWith } from './lib/gemini.mjs';

const POOL = [randomToken('rs-a'), randomToken('rs-b')];

let stack;
let fake;
let client;

before(async () => {
  stack = await startStack({ keys: POOL });
  fake = stack.fake;
  client = new OpenAI({ baseURL: `${stack.poise.url}/v1`, apiKey: stack.poise.gatewayToken, maxRetries: 0 });
});

after(async () => {
  if (stack) await stack.stop();
});

const WEATHER = {
  type: 'function',
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
  strict: true,
};

describe('responses.create', () => {
  it('answers text with instructions, an image, usage and metadata echoed', async () => {
    const res = await client.responses.create({
      model: 'gemini-2.5-flash',
      instructions: 'be terse r-sys1',
      input: [{
        role: 'user',
        content: [
          { type: 'input_text', text: 'hello r-plain1' },
          { type: 'input_image', image_url: `data:image/png;base64,${PNG_1X1}`, detail: 'auto' },
        ],
      }],
      max_output_tokens: 64,
      temperature: 0.2,
      metadata: { run: 'r1' },
      store: false,
    });
    assert.equal(res.object, 'response');
    assert.match(res.id, /^resp_/);
    assert.equal(res.status, 'completed');
    assert.equal(res.output_text, 'echo: hello r-plain1');
    assert.equal(res.output[0].type, 'message');
    assert.deepEqual(res.output[0].content[0].annotations, []);
    assert.deepEqual(res.metadata, { run: 'r1' });
    assert.ok(res.usage.input_tokens > 0 && res.usage.output_tokens > 0);
    assert.equal(res.usage.total_tokens, res.usage.input_tokens + res.usage.output_tokens);
    assert.equal(typeof res.usage.input_tokens_details.cached_tokens, 'number');
    assert.equal(typeof res.usage.output_tokens_details.reasoning_tokens, 'number');
    const [rec] = await upstreamWith(fake, 'r-plain1');
    assert.equal(rec.path, '/v1beta/models/gemini-2.5-flash:generateContent');
    assert.ok(POOL.includes(rec.headers['x-goog-api-key']));
    assert.deepEqual(rec.json.systemInstruction, { parts: [{ text: 'be terse r-sys1' }] });
    assert.ok(rec.json.contents[0].parts.some((p) => p.inlineData?.data === PNG_1X1));
    assert.equal(rec.json.generationConfig.maxOutputTokens, 64);
  });

  it('round-trips a function call with function_call_output, keeping the thought signature', async () => {
    const model = 'gemini-3-flash-preview';
    const input = [{ role: 'user', content: 'call_tool {"city":"Paris"} r-tool1' }];
    const first = await client.responses.create({ model, input, tools: [WEATHER], store: false });
    const call = first.output.find((o) => o.type === 'function_call');
    assert.ok(call, JSON.stringify(first.output));
    assert.equal(call.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.arguments), { city: 'Paris' });
    assert.match(call.id, /^fc_/);
    assert.ok(call.call_id.length > 0);

    const second = await client.responses.create({
      model,
      tools: [WEATHER],
      store: false,
      input: [...input, call, { type: 'function_call_output', call_id: call.call_id, output: '{"temp_c":21}' }],
    });
    assert.equal(second.output_text, 'tool result: get_weather => {"temp_c":21}');
    const follow = (await upstreamWith(fake, 'r-tool1')).at(-1);
    const modelTurn = follow.json.contents.find((c) => c.role === 'model');
    assert.equal(modelTurn.parts[0].functionCall.name, 'get_weather');
    assert.ok(modelTurn.parts[0].thoughtSignature, 'the signature went back upstream');
    assert.notEqual(modelTurn.parts[0].thoughtSignature, 'skip_thought_signature_validator');
    assert.equal(follow.json.contents.at(-1).parts[0].functionResponse.name, 'get_weather');
  });

  it('asks for JSON with text.format json_schema', async () => {
    const res = await client.responses.create({
      model: 'gemini-2.5-flash',
      input: 'give json r-json1',
      text: {
        format: {
          type: 'json_schema',
          name: 'out',
          strict: true,
          schema: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false },
        },
      },
      store: false,
    });
    assert.equal(res.status, 'completed');
    assert.doesNotThrow(() => JSON.parse(res.output_text));
    const [rec] = await upstreamWith(fake, 'r-json1');
    assert.equal(rec.json.generationConfig.responseMimeType, 'application/json');
    assert.ok(rec.json.generationConfig.responseJsonSchema || rec.json.generationConfig.responseSchema);
  });

  it('returns thought summaries as a reasoning item when reasoning.summary is set', async () => {
    const res = await client.responses.create({
      model: 'gemini-2.5-flash',
      input: 'think about it r-reason1',
      reasoning: { effort: 'low', summary: 'auto' },
      store: false,
    });
    const reasoning = res.output.find((o) => o.type === 'reasoning');
    assert.ok(reasoning, JSON.stringify(res.output));
    assert.equal(reasoning.summary[0].type, 'summary_text');
    assert.match(reasoning.summary[0].text, /r-reason1/);
    assert.equal(res.output.at(-1).type, 'message');
    const [rec] = await upstreamWith(fake, 'r-reason1');
    assert.equal(rec.json.generationConfig.thinkingConfig.includeThoughts, true);
    assert.equal(rec.json.generationConfig.thinkingConfig.thinkingBudget, 1024);
  });

  it('is incomplete with max_output_tokens when Gemini stops at the limit', async () => {
    const res = await client.responses.create({
      model: 'gemini-2.5-flash',
      input: 'a long answer please with many words r-limit1',
      max_output_tokens: 2,
      store: false,
    });
    assert.equal(res.status, 'incomplete');
    assert.deepEqual(res.incomplete_details, { reason: 'max_output_tokens' });
  });

  it('refuses other tool types and unknown call ids with a 400 in OpenAI\'s envelope', async () => {
    await assert.rejects(
      client.responses.create({ model: 'gemini-2.5-flash', input: 'x', tools: [{ type: 'web_search' }] }),
      (err) => err instanceof OpenAI.BadRequestError && /web_search/.test(err.message)
        && err.error?.type === 'invalid_request_error',
    );
    await assert.rejects(
      client.responses.create({
        model: 'gemini-2.5-flash',
        input: [{ type: 'function_call_output', call_id: 'call_none', output: 'x' }],
      }),
      (err) => err instanceof OpenAI.BadRequestError && /call_none/.test(err.message),
    );
  });
});

describe('responses.stream', () => {
  it('streams the documented events in order with increasing sequence numbers', async () => {
    const stream = client.responses.stream({
      model: 'gemini-2.5-flash',
      input: 'stream me r-stream1',
      store: false,
    });
    const events = [];
    for await (const event of stream) events.push(event);
    const final = await stream.finalResponse();
    assert.deepEqual(events.map((e) => e.sequence_number), events.map((_, i) => i));
    const types = events.map((e) => e.type);
    assert.deepEqual(types.slice(0, 4), [
      'response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added',
    ]);
    assert.deepEqual(types.slice(-4), [
      'response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed',
    ]);
    const deltas = events.filter((e) => e.type === 'response.output_text.delta');
    assert.ok(deltas.length >= 2, 'text arrives in several deltas');
    assert.equal(deltas.map((e) => e.delta).join(''), 'echo: stream me r-stream1');
    assert.equal(final.status, 'completed');
    assert.equal(final.output_text, 'echo: stream me r-stream1');
    assert.ok(final.usage.total_tokens > 0);
    const [rec] = await upstreamWith(fake, 'r-stream1');
    assert.equal(rec.path, '/v1beta/models/gemini-2.5-flash:streamGenerateContent');
  });

  it('streams thought summaries as reasoning_summary events before the message', async () => {
    const stream = client.responses.stream({
      model: 'gemini-2.5-flash',
      input: 'think then answer r-stream-reason',
      reasoning: { effort: 'low', summary: 'auto' },
      store: false,
    });
    const types = [];
    for await (const event of stream) types.push(event.type);
    const final = await stream.finalResponse();
    const firstSummary = types.indexOf('response.reasoning_summary_text.delta');
    assert.ok(firstSummary > 0, types.join(' '));
    assert.ok(firstSummary < types.indexOf('response.output_text.delta'));
    assert.deepEqual(final.output.map((o) => o.type), ['reasoning', 'message']);
    assert.match(final.output[0].summary[0].text, /r-stream-reason/);
    assert.equal(final.output_text, 'echo: think then answer r-stream-reason');
  });

  it('streams function calls as arguments events', async () => {
    const stream = client.responses.stream({
      model: 'gemini-2.5-flash',
      input: 'call_tool {"city":"Oslo"} r-stream-tool',
      tools: [WEATHER],
      store: false,
    });
    const types = [];
    for await (const event of stream) types.push(event.type);
    const final = await stream.finalResponse();
    assert.ok(types.includes('response.function_call_arguments.delta'));
    assert.ok(types.includes('response.function_call_arguments.done'));
    const call = final.output.find((o) => o.type === 'function_call');
    assert.deepEqual(JSON.parse(call.arguments), { city: 'Oslo' });
  });
});

// What codex sends (wire_api = "responses"): stream, a developer message, function tools,
// parallel_tool_calls, include, store false; read here as raw SSE.
it('takes a codex-like raw request', async () => {
  const res = await request(`${stack.poise.url}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.poise.gatewayToken}` },
    body: {
      model: 'gemini-2.5-flash',
      instructions: 'You are a coding agent.',
      input: [
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'sandbox rules r-codex' }] },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'call_tool {"command":["ls"]} r-codex' }] },
      ],
      tools: [{
        type: 'function', name: 'shell', description: 'Runs a command', strict: false,
        parameters: { type: 'object', properties: { command: { type: 'array', items: { type: 'string' } } }, required: ['command'] },
      }],
      tool_choice: 'auto',
      parallel_tool_calls: false,
      reasoning: { effort: 'medium', summary: 'auto' },
      store: false,
      stream: true,
      include: ['reasoning.encrypted_content'],
      prompt_cache_key: 'abc',
    },
  });
  assert.equal(res.status, 200, res.text);
  assert.match(res.headers.get('content-type'), /text\/event-stream/);
  const blocks = res.text.split('\n\n').filter(Boolean);
  const events = blocks.map((b) => {
    const [eventLine, dataLine] = b.split('\n');
    assert.match(eventLine, /^event: /);
    const data = JSON.parse(dataLine.replace(/^data: /, ''));
    assert.equal(eventLine.slice(7), data.type);
    return data;
  });
  assert.equal(events.at(-1).type, 'response.completed');
  const call = events.at(-1).response.output.find((o) => o.type === 'function_call');
  assert.equal(call.name, 'shell');
  const [rec] = await upstreamWith(fake, 'r-codex');
  assert.deepEqual(rec.json.systemInstruction.parts.map((p) => p.text), ['You are a coding agent.', 'sandbox rules r-codex']);
});

describe('store and previous_response_id', () => {
  it('stores by default, chains with previous_response_id, retrieves and deletes', async () => {
    const first = await client.responses.create({
      model: 'gemini-2.5-flash',
      instructions: 'first instructions r-store-sys',
      input: 'remember the word r-store1',
      metadata: { step: '1' },
    });
    assert.equal(first.store, true);
    const got = await client.responses.retrieve(first.id);
    assert.equal(got.id, first.id);
    assert.equal(got.output_text, 'echo: remember the word r-store1');
    assert.deepEqual(got.metadata, { step: '1' });

    const second = await client.responses.create({
      model: 'gemini-2.5-flash',
      previous_response_id: first.id,
      input: 'and now r-store2',
    });
    assert.equal(second.previous_response_id, first.id);
    const [rec] = await upstreamWith(fake, 'r-store2');
    assert.deepEqual(rec.json.contents, [
      { role: 'user', parts: [{ text: 'remember the word r-store1' }] },
      { role: 'model', parts: [{ text: 'echo: remember the word r-store1' }] },
      { role: 'user', parts: [{ text: 'and now r-store2' }] },
    ]);
    assert.equal(rec.json.systemInstruction, undefined, 'instructions are not carried over');

    // A streamed response is stored too, and can be chained at once.
    const stream = client.responses.stream({ model: 'gemini-2.5-flash', previous_response_id: second.id, input: 'third r-store3' });
    const third = await stream.finalResponse();
    const fourth = await client.responses.create({ model: 'gemini-2.5-flash', previous_response_id: third.id, input: 'fourth r-store4' });
    assert.equal(fourth.status, 'completed');
    const [rec4] = await upstreamWith(fake, 'r-store4');
    assert.equal(rec4.json.contents.length, 7);

    const deleted = await client.responses.delete(first.id);
    assert.deepEqual(deleted, { id: first.id, object: 'response', deleted: true });
    await assert.rejects(client.responses.retrieve(first.id), (err) => err instanceof OpenAI.NotFoundError);
    await assert.rejects(
      client.responses.create({ model: 'gemini-2.5-flash', previous_response_id: first.id, input: 'x' }),
      (err) => err instanceof OpenAI.NotFoundError && err.error?.type === 'not_found_error',
    );
  });

  it('keeps nothing with store: false, and shows a response only to the token that made it', async () => {
    const unstored = await client.responses.create({ model: 'gemini-2.5-flash', input: 'r-nostore', store: false });
    await assert.rejects(client.responses.retrieve(unstored.id), (err) => err instanceof OpenAI.NotFoundError);

    const mine = await client.responses.create({ model: 'gemini-2.5-flash', input: 'r-owner' });
    const other = await stack.poise.admin('POST', '/api/v1/tokens', { name: 'responses-other' });
    assert.equal(other.status, 201, other.text);
    const otherClient = new OpenAI({ baseURL: `${stack.poise.url}/v1`, apiKey: other.body.token, maxRetries: 0 });
    await assert.rejects(otherClient.responses.retrieve(mine.id), (err) => err instanceof OpenAI.NotFoundError);
    await assert.rejects(otherClient.responses.delete(mine.id), (err) => err instanceof OpenAI.NotFoundError);
    assert.equal((await client.responses.retrieve(mine.id)).id, mine.id);
  });
});
