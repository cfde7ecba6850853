// The real `openai` SDK (7.57.0, pinned) against the gateway's OpenAI routes: chat completions
// (plain, streamed, tools round trip with thought signatures, images, JSON schema, reasoning,
// max_tokens clamped below the model's output limit), embeddings (the SDK's default base64
// decoded), images, models, and errors with maxRetries: 0.
// The fake upstream answers like Gemini; every request it saw is checked for what the gateway
// sent.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

import { randomToken, request, startStack } from './lib/harness.mjs';
import { PNG_1X1, upstreamWith } from './lib/gemini.mjs';

const POOL = [randomToken('oa-a'), randomToken('oa-b'), randomToken('oa-c')];
const ALIASES = { 'gpt-4o-mini': 'gemini-2.5-flash', 'smart-model': 'gemini-2.5-pro' };

let stack;
let fake;
let client;

before(async () => {
  stack = await startStack({ keys: POOL, config: { model_aliases: JSON.stringify(ALIASES) } });
  fake = stack.fake;
  client = new OpenAI({ baseURL: `${stack.poise.url}/v1`, apiKey: stack.poise.gatewayToken, maxRetries: 0 });
});

after(async () => {
  if (stack) await stack.stop();
});


function assertPoolKey(rec) {
  assert.ok(POOL.includes(rec.headers['x-goog-api-key']), 'a pool key went upstream in the header');
  assert.ok(!JSON.stringify(rec).includes(stack.poise.gatewayToken), 'the gateway token stays here');
}

describe('chat completions', () => {
  it('answers a plain chat with usage, and sends system as systemInstruction', async () => {
    const res = await client.chat.completions.create({
      model: 'gemini-2.5-flash',
      messages: [
        { role: 'system', content: 'be terse m-sys1' },
        { role: 'user', content: 'hello there m-plain1' },
      ],
      temperature: 0.2,
      max_tokens: 50,
      stop: ['END'],
    });
    assert.equal(res.object, 'chat.completion');
    assert.match(res.id, /^chatcmpl-/);
    assert.equal(res.model, 'gemini-2.5-flash');
    assert.equal(res.choices[0].message.role, 'assistant');
    assert.equal(res.choices[0].message.content, 'echo: hello there m-plain1');
    assert.equal(res.choices[0].finish_reason, 'stop');
    assert.ok(res.usage.prompt_tokens > 0 && res.usage.completion_tokens > 0);
    assert.equal(res.usage.total_tokens, res.usage.prompt_tokens + res.usage.completion_tokens);
    const [rec] = await upstreamWith(fake, 'm-plain1');
    assert.equal(rec.path, '/v1beta/models/gemini-2.5-flash:generateContent');
    assertPoolKey(rec);
    assert.deepEqual(rec.json.systemInstruction, { parts: [{ text: 'be terse m-sys1' }] });
    assert.ok(rec.json.contents.every((c) => c.role !== 'system'));
    assert.equal(rec.json.generationConfig.temperature, 0.2);
    assert.equal(rec.json.generationConfig.maxOutputTokens, 50);
    assert.deepEqual(rec.json.generationConfig.stopSequences, ['END']);
  });

  it('streams: role first, text in order, usage chunk with empty choices when asked', async () => {
    const stream = await client.chat.completions.create({
      model: 'gemini-2.5-flash',
      messages: [{ role: 'user', content: 'stream me m-stream1' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.ok(chunks.length >= 3, `several chunks (got ${chunks.length})`);
    assert.equal(chunks[0].choices[0].delta.role, 'assistant');
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    assert.equal(text, 'echo: stream me m-stream1');
    const finishes = chunks.map((c) => c.choices[0]?.finish_reason).filter(Boolean);
    assert.deepEqual(finishes, ['stop']);
    const last = chunks.at(-1);
    assert.deepEqual(last.choices, []);
    assert.ok(last.usage.total_tokens > 0);
    assert.ok(new Set(chunks.map((c) => c.id)).size === 1, 'one id for the whole stream');
    const [rec] = await upstreamWith(fake, 'm-stream1');
    assert.equal(rec.path, '/v1beta/models/gemini-2.5-flash:streamGenerateContent');
    assert.equal(rec.query, 'alt=sse');
  });

  it('resolves a configured alias for the upstream call and echoes the client name', async () => {
    const res = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'alias m-alias1' }],
    });
    // Like Gemini's own OpenAI layer, the answer names the model that served it.
    assert.equal(res.model, 'gemini-2.5-flash');
    const [rec] = await upstreamWith(fake, 'm-alias1');
    assert.equal(rec.path, '/v1beta/models/gemini-2.5-flash:generateContent');
  });

  for (const model of ['gemini-2.5-flash', 'gemini-3-flash-preview']) {
    it(`round-trips a tool call on ${model} (ids, finish_reason, thought signature)`, async () => {
      const tools = [{
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather for a city',
          parameters: {
            type: 'object',
            properties: { city: { type: 'string' } },
            required: ['city'],
            additionalProperties: false,
          },
          strict: true,
        },
      }];
      const marker = `m-tool-${model}`;
      const messages = [{ role: 'user', content: `call_tool {"city":"Paris"} ${marker}` }];
      const first = await client.chat.completions.create({ model, messages, tools, tool_choice: 'auto' });
      const choice = first.choices[0];
      assert.equal(choice.finish_reason, 'tool_calls');
      assert.equal(choice.message.tool_calls.length, 1);
      const call = choice.message.tool_calls[0];
      assert.ok(call.id && call.id.length > 0, 'non-empty tool call id');
      assert.equal(call.function.name, 'get_weather');
      assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris' });
      const [sent] = await upstreamWith(fake, marker);
      const decl = sent.json.tools[0].functionDeclarations[0];
      assert.equal(decl.name, 'get_weather');
      assert.equal(JSON.stringify(decl).includes('additionalProperties'), false, 'schema cleaned');

      // The follow-up carries the result; on gemini-3 the signature must come back upstream.
      // The client drops unknown fields (only id, type, function are sent back).
      messages.push({
        role: 'assistant',
        content: null,
        tool_calls: [{ id: call.id, type: 'function', function: call.function }],
      });
      messages.push({ role: 'tool', tool_call_id: call.id, content: '{"temp_c":21}' });
      const second = await client.chat.completions.create({ model, messages, tools });
      assert.equal(second.choices[0].finish_reason, 'stop');
      assert.equal(second.choices[0].message.content, 'tool result: get_weather => {"temp_c":21}');
      const follow = (await upstreamWith(fake, marker)).at(-1);
      const modelTurn = follow.json.contents.find((c) => c.role === 'model');
      assert.equal(modelTurn.parts[0].functionCall.name, 'get_weather');
      if (model.startsWith('gemini-3')) assert.ok(modelTurn.parts[0].thoughtSignature);
      const fnTurn = follow.json.contents.at(-1);
      assert.equal(fnTurn.parts[0].functionResponse.name, 'get_weather');
    });
  }

  it('streams tool calls with an index and finish_reason tool_calls', async () => {
    const stream = await client.chat.completions.create({
      model: 'gemini-2.5-flash',
      messages: [{ role: 'user', content: 'call_tools_all m-tool-stream' }],
      tools: [
        { type: 'function', function: { name: 'a', parameters: { type: 'object', properties: {} } } },
        { type: 'function', function: { name: 'b', parameters: { type: 'object', properties: {} } } },
      ],
      stream: true,
    });
    const deltas = [];
    let finish;
    for await (const chunk of stream) {
      for (const tc of chunk.choices[0]?.delta?.tool_calls ?? []) deltas.push(tc);
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.deepEqual(deltas.map((d) => d.index), [0, 1]);
    assert.deepEqual(deltas.map((d) => d.function.name), ['a', 'b']);
    assert.ok(deltas.every((d) => d.id && d.type === 'function'));
    assert.equal(finish, 'tool_calls');
  });

  it('sends a data: image URL as inlineData and refuses an http image URL with a 400', async () => {
    const res = await client.chat.completions.create({
      model: 'gemini-2.5-flash',
      messages: [{
        role: 'user',
        content: [
          { type: 'text', text: 'describe m-image1' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_1X1}` } },
        ],
      }],
    });
    assert.equal(res.choices[0].message.content, 'echo: describe m-image1');
    const [rec] = await upstreamWith(fake, 'm-image1');
    const inline = rec.json.contents[0].parts.find((p) => p.inlineData);
    assert.deepEqual(inline.inlineData, { mimeType: 'image/png', data: PNG_1X1 });

    const before = (await fake.requests()).length;
    await assert.rejects(
      client.chat.completions.create({
        model: 'gemini-2.5-flash',
        messages: [{
          role: 'user',
          content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }],
        }],
      }),
      (err) => err instanceof OpenAI.BadRequestError && err.status === 400 && /image/i.test(err.message),
    );
    assert.equal((await fake.requests()).length, before, 'a bad request never reaches the upstream');
  });

  it('maps response_format json_schema to responseJsonSchema', async () => {
    await client.chat.completions.create({
      model: 'gemini-2.5-flash',
      messages: [{ role: 'user', content: 'json please m-schema1' }],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'answer',
          strict: true,
          schema: {
            $schema: 'http://json-schema.org/draft-07/schema#',
            type: 'object',
            properties: { a: { type: 'string' } },
            required: ['a'],
            additionalProperties: false,
          },
        },
      },
    });
    const [rec] = await upstreamWith(fake, 'm-schema1');
    const gc = rec.json.generationConfig;
    assert.equal(gc.responseMimeType, 'application/json');
    assert.equal(gc.responseJsonSchema.type, 'object');
    assert.deepEqual(gc.responseJsonSchema.required, ['a']);
    assert.equal(JSON.stringify(gc.responseJsonSchema).includes('$schema'), false);
  });

  it('maps reasoning_effort to a thinking budget and reports reasoning tokens', async () => {
    const res = await client.chat.completions.create({
      model: 'gemini-2.5-flash',
      messages: [{ role: 'user', content: 'think m-reason1' }],
      reasoning_effort: 'low',
    });
    const [rec] = await upstreamWith(fake, 'm-reason1');
    assert.ok(rec.json.generationConfig.thinkingConfig.thinkingBudget > 0);
    assert.ok(res.usage.completion_tokens_details.reasoning_tokens > 0);
    assert.equal(res.choices[0].message.content, 'echo: think m-reason1');
  });

  it('clamps max_tokens below the model\'s outputTokenLimit, which Gemini treats as exclusive', async () => {
    await client.chat.completions.create({
      model: 'gpt-4o-mini', max_tokens: 128000, messages: [{ role: 'user', content: 'm-clamp1' }],
    });
    // gemma-3-27b-it is unknown to the gateway's static model traits: its 8192 comes from the
    // models list. The fake refuses a value at or above the listed limit, as Google does.
    const res = await client.chat.completions.create({
      model: 'gemma-3-27b-it', max_completion_tokens: 9000, messages: [{ role: 'user', content: 'm-clamp2' }],
    });
    assert.equal(res.choices[0].message.content, 'echo: m-clamp2');
    assert.equal((await upstreamWith(fake, 'm-clamp1'))[0].json.generationConfig.maxOutputTokens, 65535);
    assert.equal((await upstreamWith(fake, 'm-clamp2'))[0].json.generationConfig.maxOutputTokens, 8191);
  });

  it('reports a blocked prompt as finish_reason content_filter', async () => {
    const res = await client.chat.completions.create({
      model: 'gemini-2.5-flash',
      messages: [{ role: 'user', content: 'fake_block m-block1' }],
    });
    assert.equal(res.choices[0].finish_reason, 'content_filter');
    assert.equal(res.choices[0].message.content, null);
  });

  it('passes n, seed and penalties, and returns one choice per candidate', async () => {
    const res = await client.chat.completions.create({
      model: 'gemini-2.5-flash',
      messages: [{ role: 'user', content: 'two please m-n2' }],
      n: 2,
      seed: 7,
      presence_penalty: 0.5,
      frequency_penalty: 0.25,
    });
    assert.deepEqual(res.choices.map((c) => c.index), [0, 1]);
    assert.ok(res.choices.every((c) => c.message.content === 'echo: two please m-n2'));
    const [rec] = await upstreamWith(fake, 'm-n2');
    const gc = rec.json.generationConfig;
    assert.equal(gc.candidateCount, 2);
    assert.equal(gc.seed, 7);
    assert.equal(gc.presencePenalty, 0.5);
    assert.equal(gc.frequencyPenalty, 0.25);
  });

  it('exposes thoughts as reasoning_content only when the client asks (extra_body.google)', async () => {
    const asked = await client.chat.completions.create({
      model: 'gemini-2.5-flash',
      messages: [{ role: 'user', content: 'think aloud m-thought1' }],
      extra_body: { google: { thinking_config: { thinking_budget: 512, include_thoughts: true } } },
    });
    assert.equal(typeof asked.choices[0].message.reasoning_content, 'string');
    assert.ok(asked.choices[0].message.reasoning_content.length > 0);
    assert.equal(asked.choices[0].message.content, 'echo: think aloud m-thought1');
    const [rec] = await upstreamWith(fake, 'm-thought1');
    assert.equal(rec.json.generationConfig.thinkingConfig.includeThoughts, true);
    assert.equal(rec.json.generationConfig.thinkingConfig.thinkingBudget, 512);

    const quiet = await client.chat.completions.create({
      model: 'gemini-2.5-flash',
      messages: [{ role: 'user', content: 'think quietly m-thought2' }],
      reasoning_effort: 'low',
    });
    assert.equal(quiet.choices[0].message.reasoning_content, undefined);
  });

  it('fails over to another key on a per-minute quota error', async () => {
    const quotaKey = `quota-${randomToken('oa')}`;
    const { poise, fake: f, stop } = await startStack({ keys: [quotaKey, randomToken('ok')] });
    try {
      const c = new OpenAI({ baseURL: `${poise.url}/v1`, apiKey: poise.gatewayToken, maxRetries: 0 });
      for (let i = 0; i < 3; i++) {
        const res = await c.chat.completions.create({
          model: 'gemini-2.5-flash',
          messages: [{ role: 'user', content: `failover ${i}` }],
        });
        assert.equal(res.choices[0].message.content, `echo: failover ${i}`);
      }
      // The quota key was tried at most once: it cools down for the model after its 429.
      const quota = (await f.requests()).filter((r) => r.headers['x-goog-api-key'] === quotaKey);
      assert.ok(quota.length <= 1, `quota key tried ${quota.length} times`);
    } finally {
      await stop();
    }
  });
});

describe('errors, with maxRetries 0', () => {
  it('rejects a wrong gateway token with a 401 AuthenticationError', async () => {
    const bad = new OpenAI({ baseURL: `${stack.poise.url}/v1`, apiKey: 'wrong', maxRetries: 0 });
    await assert.rejects(
      bad.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'x' }] }),
      (err) => err instanceof OpenAI.AuthenticationError && err.status === 401,
    );
  });

  it('answers a malformed request with a 400 in the OpenAI envelope', async () => {
    const err = await client.chat.completions
      .create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'x' }], stop: ['1', '2', '3', '4', '5', '6'] })
      .catch((e) => e);
    assert.ok(err instanceof OpenAI.BadRequestError, String(err));
    assert.equal(err.error?.type ?? err.type, 'invalid_request_error');
    const raw = await request(`${stack.poise.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.poise.gatewayToken}`, 'content-type': 'application/json' },
      body: '{not json',
    });
    assert.equal(raw.status, 400);
    assert.equal(typeof raw.body.error.message, 'string');
    assert.equal(raw.body.error.type, 'invalid_request_error');
  });

  it('passes an upstream 404 for an unknown model through as NotFoundError', async () => {
    await assert.rejects(
      client.chat.completions.create({ model: 'gemini-no-such', messages: [{ role: 'user', content: 'x' }] }),
      (err) => err instanceof OpenAI.NotFoundError && err.status === 404 && /not found/i.test(err.message),
    );
  });

  it('answers 429 with Retry-After when every key is cooling down', async () => {
    const { poise, stop } = await startStack({ keys: [`quota-${randomToken('q1')}`, `quota-${randomToken('q2')}`] });
    try {
      const c = new OpenAI({ baseURL: `${poise.url}/v1`, apiKey: poise.gatewayToken, maxRetries: 0 });
      await assert.rejects(
        c.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'x' }] }),
        (err) => err instanceof OpenAI.RateLimitError && err.status === 429,
      );
      const err = await c.chat.completions
        .create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'y' }] })
        .catch((e) => e);
      assert.ok(err instanceof OpenAI.RateLimitError);
      assert.ok(Number(err.headers.get('retry-after')) >= 1, 'Retry-After names the first cool-down end');
    } finally {
      await stop();
    }
  });

  it('ends a stream cut mid-way with an error the SDK raises, never a silent end', async () => {
    const { poise, stop } = await startStack({ keys: [`midstream-${randomToken('ms')}`] });
    try {
      const c = new OpenAI({ baseURL: `${poise.url}/v1`, apiKey: poise.gatewayToken, maxRetries: 0 });
      const stream = await c.chat.completions.create({
        model: 'gemini-2.5-flash',
        messages: [{ role: 'user', content: 'cut me' }],
        stream: true,
      });
      const got = [];
      await assert.rejects(async () => {
        for await (const chunk of stream) got.push(chunk);
      }, (err) => err instanceof OpenAI.APIError && /interrupted/i.test(err.message));
      assert.ok(got.length >= 1, 'the chunks before the cut arrived');
    } finally {
      await stop();
    }
  });
});

describe('embeddings, images, models', () => {
  it('embeds with the SDK default (base64, decoded by the SDK) and with float', async () => {
    const res = await client.embeddings.create({ model: 'gemini-embedding-001', input: ['one m-emb1', 'two'] });
    assert.equal(res.object, 'list');
    assert.equal(res.data.length, 2);
    assert.equal(res.data[0].embedding.length, 3072);
    assert.ok(res.data[0].embedding.every((x) => Number.isFinite(x)));
    assert.ok(res.usage.prompt_tokens > 0);
    const [rec] = await upstreamWith(fake, 'm-emb1');
    assert.equal(rec.path, '/v1beta/models/gemini-embedding-001:batchEmbedContents');

    const floats = await client.embeddings.create({
      model: 'gemini-embedding-001', input: 'single m-emb2', encoding_format: 'float', dimensions: 256,
    });
    assert.equal(floats.data.length, 1);
    assert.equal(floats.data[0].embedding.length, 256);
    const [rec2] = await upstreamWith(fake, 'm-emb2');
    assert.equal(rec2.json.requests[0].outputDimensionality, 256);
    // The SDK's base64 and the float form carry the same numbers.
    const again = await client.embeddings.create({ model: 'gemini-embedding-001', input: 'single m-emb2', dimensions: 256 });
    for (let i = 0; i < 256; i++) {
      assert.ok(Math.abs(again.data[0].embedding[i] - floats.data[0].embedding[i]) < 1e-6);
    }
  });

  it('generates n images as b64_json from an image model', async () => {
    const res = await client.images.generate({ model: 'gemini-2.5-flash-image', prompt: 'a dot m-img1', n: 2 });
    assert.equal(res.data.length, 2);
    for (const item of res.data) {
      const bytes = Buffer.from(item.b64_json, 'base64');
      assert.equal(bytes.subarray(1, 4).toString(), 'PNG');
    }
    const recs = await upstreamWith(fake, 'm-img1');
    assert.equal(recs.length, 2);
    assert.equal(recs[0].path, '/v1beta/models/gemini-2.5-flash-image:generateContent');
  });

  it('lists models in the OpenAI shape, aliases included, and retrieves one', async () => {
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    assert.ok(ids.includes('gemini-2.5-flash'));
    assert.ok(ids.includes('gemini-embedding-001'));
    assert.ok(ids.includes('gpt-4o-mini') && ids.includes('smart-model'), 'aliases listed');
    assert.ok(ids.every((id) => !id.startsWith('models/')));
    const one = await client.models.retrieve('gemini-2.5-pro');
    assert.equal(one.id, 'gemini-2.5-pro');
    assert.equal(one.object, 'model');
    const alias = await client.models.retrieve('smart-model');
    assert.equal(alias.id, 'smart-model');
    await assert.rejects(client.models.retrieve('nope-model'), (err) => err instanceof OpenAI.NotFoundError);
  });
});
