// Claude Code and structured output on the Anthropic route (issue 11), with the real
// `@anthropic-ai/sdk` (1.14.0, pinned) against the gateway and the fake upstream:
// - Claude Code 2.1.332's first request, as captured on loopback (fixtures/, texts replaced by
//   placeholders), replayed through the SDK's beta Messages API: system-role entries inside
//   `messages`, adaptive thinking with `display: "omitted"`, `output_config.effort`,
//   `context_management`, `metadata`, `max_tokens: 128000`, tool schemas with `$schema`;
// - max_tokens clamped below the model's outputTokenLimit, from the models list (the fake refuses
//   a value at or above it, as Google does);
// - structured output: `output_config.format` json_schema, through the SDK's `messages.parse` and in
//   the shape the AI SDK's generateObject sends.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Anthropic from '@anthropic-ai/sdk';
import { jsonSchemaOutputFormat } from '@anthropic-ai/sdk/helpers/json-schema';

import { queryParams, randomToken, request, startStack } from './lib/harness.mjs';
import { upstreamWith } from './lib/gemini.mjs';

const CAPTURE = JSON.parse(
  readFileSync(new URL('./fixtures/claude-code-2.1.332-messages.json', import.meta.url), 'utf8'));
const BETAS = CAPTURE.headers['anthropic-beta'].split(',');

let stack;
let fake;
let client;

before(async () => {
  stack = await startStack({
    keys: [randomToken('cc-a'), randomToken('cc-b')],
    config: {
      anthropic_model_opus: 'gemini-2.5-pro',
      anthropic_model_sonnet: 'gemini-2.5-flash',
      anthropic_model_haiku: 'gemini-3-flash-preview',
    },
  });
  fake = stack.fake;
  client = new Anthropic({
    baseURL: stack.poise.url,
    apiKey: stack.poise.gatewayToken,
    maxRetries: 0,
    defaultHeaders: { 'x-app': 'cli', 'user-agent': CAPTURE.headers['user-agent'] },
  });
});

after(async () => {
  if (stack) await stack.stop();
});

/** The captured body with a marker appended to the last user text, and `changes` applied. */
function capturedBody(marker, changes = {}) {
  const body = structuredClone(CAPTURE.body);
  const userTexts = body.messages[0].content;
  userTexts[userTexts.length - 1].text += ` ${marker}`;
  return { ...body, ...changes };
}

/** The gateway's own models-list calls (key validation, if it ran, asks for pageSize=1). */
async function modelListCalls() {
  return (await fake.requests()).filter((r) => r.method === 'GET' && r.path === '/v1beta/models' &&
    queryParams(r).get('pageSize') === '1000');
}

describe('output-token limit', () => {
  it('costs no models-list call while max_tokens is within the limit the gateway knows', async () => {
    await client.messages.create({
      model: 'claude-opus-5-5', max_tokens: 64000, messages: [{ role: 'user', content: 'cc-within1' }],
    }, { timeout: 60_000 });
    const [rec] = await upstreamWith(fake, 'cc-within1');
    assert.equal(rec.json.generationConfig.maxOutputTokens, 64000);
    assert.equal((await modelListCalls()).length, 0);
  });

  it('clamps max_tokens below the limit of a model only the models list knows, fetching the list once', async () => {
    for (const marker of ['cc-gemma1', 'cc-gemma2']) {
      const msg = await client.messages.create({
        model: 'gemma-3-27b-it', max_tokens: 10000, messages: [{ role: 'user', content: `hello ${marker}` }],
      });
      assert.equal(msg.content[0].text, `echo: hello ${marker}`);
      const [rec] = await upstreamWith(fake, marker);
      assert.equal(rec.json.generationConfig.maxOutputTokens, 8191, 'gemma-3-27b-it lists 8192');
    }
    // Fetched for the first request, reused by the second: no call per request.
    assert.equal((await modelListCalls()).length, 1);
  });
});

describe('Claude Code 2.1.332', () => {
  it('streams an answer to its captured first request, folding system-role messages into systemInstruction', async () => {
    const body = capturedBody('cc-replay1');
    const stream = await client.beta.messages.create({ ...body, betas: BETAS });
    const types = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    assert.equal(types[0], 'message_start');
    assert.deepEqual(types.slice(-2), ['message_delta', 'message_stop']);
    const userTexts = body.messages[0].content.map((b) => b.text);
    assert.equal(text, `echo: ${userTexts.join(' ')}`);

    const [rec] = await upstreamWith(fake, 'cc-replay1');
    assert.equal(rec.path, '/v1beta/models/gemini-2.5-pro:streamGenerateContent');
    // The top-level system blocks, then the system-role message of `messages`, in order.
    const systemRole = body.messages.find((m) => m.role === 'system');
    assert.ok(systemRole, 'the capture carries a system-role message');
    assert.deepEqual(rec.json.systemInstruction.parts.map((p) => p.text),
      [...body.system.map((b) => b.text), ...systemRole.content.map((b) => b.text)]);
    assert.deepEqual(rec.json.contents, [{ role: 'user', parts: userTexts.map((t) => ({ text: t })) }]);
    // max_tokens 128000 → below gemini-2.5-pro's listed 65536; effort medium → Google's medium
    // budget; display "omitted" → no thought summaries asked for.
    assert.equal(rec.json.generationConfig.maxOutputTokens, 65535);
    assert.deepEqual(rec.json.generationConfig.thinkingConfig, { thinkingBudget: 8192 });
    const declared = rec.json.tools[0].functionDeclarations.map((d) => d.name);
    assert.deepEqual(declared, body.tools.map((t) => t.name));
    assert.ok(!rec.body.includes('$schema') && !rec.body.includes('additionalProperties'),
      'tool schemas reduced to what Gemini accepts');
  });

  it('answers the same request with haiku (a Gemini 3 model here): effort becomes a thinking level', async () => {
    const body = capturedBody('cc-haiku1', { model: 'claude-haiku-4-5-20251001', stream: false });
    // The SDK refuses a non-streamed 128000-token request unless a timeout is given.
    const msg = await client.beta.messages.create({ ...body, betas: BETAS }, { timeout: 60_000 });
    assert.equal(msg.type, 'message');
    assert.equal(msg.stop_reason, 'end_turn');
    assert.equal(msg.content.at(-1).type, 'text');
    assert.match(msg.content.at(-1).text, /cc-haiku1$/);
    assert.ok(!msg.content.some((b) => b.type === 'thinking'), 'display "omitted": no thinking blocks');

    const [rec] = await upstreamWith(fake, 'cc-haiku1');
    assert.equal(rec.path, '/v1beta/models/gemini-3-flash-preview:generateContent');
    assert.equal(rec.json.generationConfig.maxOutputTokens, 65535);
    assert.deepEqual(rec.json.generationConfig.thinkingConfig, { thinkingLevel: 'MEDIUM' });
    assert.equal(rec.json.systemInstruction.parts.length, 4);
  });

  it('takes the effort of the latest system-role message, and shows thoughts unless omitted', async () => {
    const body = capturedBody('cc-effort1', {
      model: 'claude-sonnet-5-5', stream: false, max_tokens: 2000, thinking: { type: 'adaptive' },
    });
    body.messages[1].output_config = { effort: 'low' };
    const msg = await client.beta.messages.create({ ...body, betas: BETAS });
    assert.equal(msg.content[0].type, 'thinking');
    const [rec] = await upstreamWith(fake, 'cc-effort1');
    assert.equal(rec.path, '/v1beta/models/gemini-2.5-flash:generateContent');
    assert.deepEqual(rec.json.generationConfig.thinkingConfig, { thinkingBudget: 1024, includeThoughts: true });
  });

  it('refuses an unknown effort with a 400 in Anthropic\'s envelope, before any upstream call', async () => {
    const before = (await fake.requests()).length;
    await assert.rejects(
      client.beta.messages.create({
        ...capturedBody('cc-bad1', { stream: false, max_tokens: 10, output_config: { effort: 'extreme' } }),
        betas: BETAS,
      }),
      (err) => err instanceof Anthropic.BadRequestError && /output_config\.effort/.test(err.message),
    );
    assert.equal((await fake.requests()).length, before);
  });
});

const RECIPE = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    servings: { type: 'integer' },
    steps: { type: 'array', items: { type: 'string' } },
  },
  required: ['name', 'servings', 'steps'],
  additionalProperties: false,
};

describe('structured output (output_config.format)', () => {
  it('gives messages.parse a parsed_output that follows the schema', async () => {
    const msg = await client.messages.parse({
      model: 'claude-sonnet-5-5',
      max_tokens: 1024,
      messages: [{ role: 'user', content: 'a lasagna recipe cc-json1' }],
      output_config: { format: jsonSchemaOutputFormat(RECIPE) },
    });
    const echo = 'echo: a lasagna recipe cc-json1';
    assert.deepEqual(msg.parsed_output, { name: echo, servings: 5, steps: [echo] });
    const [rec] = await upstreamWith(fake, 'cc-json1');
    assert.equal(rec.json.generationConfig.responseMimeType, 'application/json');
    assert.deepEqual(rec.json.generationConfig.responseJsonSchema.required, ['name', 'servings', 'steps']);
    assert.ok(!('additionalProperties' in rec.json.generationConfig.responseJsonSchema));
  });

  it('answers the AI SDK generateObject shape with JSON text', async () => {
    const res = await request(`${stack.poise.url}/v1/messages`, {
      method: 'POST',
      headers: {
        'x-api-key': stack.poise.gatewayToken,
        'anthropic-version': '2023-06-01',
        'anthropic-beta': 'structured-outputs-2025-11-13',
      },
      body: {
        model: 'claude-sonnet-5-5',
        max_tokens: 64000,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Generate a lasagna recipe. cc-aisdk1' }] }],
        output_config: {
          format: {
            type: 'json_schema',
            schema: { $schema: 'http://json-schema.org/draft-07/schema#', ...RECIPE },
          },
        },
      },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.stop_reason, 'end_turn');
    const object = JSON.parse(res.body.content[0].text);
    assert.deepEqual(Object.keys(object).sort(), ['name', 'servings', 'steps']);
    const [rec] = await upstreamWith(fake, 'cc-aisdk1');
    assert.equal(rec.json.generationConfig.responseMimeType, 'application/json');
    assert.equal(rec.json.generationConfig.responseJsonSchema.type, 'object');
    assert.ok(!('$schema' in rec.json.generationConfig.responseJsonSchema));
  });
});
