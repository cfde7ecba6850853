// Key affinity for stateful Gemini resources, through the real @google/genai SDK: a file uploaded
// with files.upload (the resumable protocol, its upload URL rewritten to the gateway) and a cache
// made with caches.create are served only by the key that created them. The fake upstream keeps
// files and caches per key like Google (another key gets 403 "You do not have permission to
// access the File …"), and its request log says which key served each call.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, createPartFromUri, createUserContent } from '@google/genai';
import OpenAI from 'openai';

import { randomToken, request, startStack } from './lib/harness.mjs';
import { MODEL, genaiClient } from './lib/gemini.mjs';

const POOL = [randomToken('aff-a'), randomToken('aff-b'), randomToken('aff-c'), randomToken('aff-d')];

let stack;
let fake;
let base;
let token;
const ai = () => genaiClient(base, token);

before(async () => {
  stack = await startStack({ keys: POOL });
  fake = stack.fake;
  base = stack.poise.url;
  token = stack.poise.gatewayToken;
});

after(async () => {
  if (stack) await stack.stop();
});

/** The key each upstream request carrying `marker` in its body was sent with. */
async function keysFor(marker) {
  return (await fake.requests())
    .filter((r) => (r.body ?? '').includes(marker))
    .map((r) => r.headers['x-goog-api-key']);
}

/** The key that created a file: the one its finalize call went upstream with. */
async function uploadKeys() {
  return (await fake.requests())
    .filter((r) => r.path === '/upload/v1beta/files')
    .map((r) => ({ key: r.headers['x-goog-api-key'], query: r.query ?? '' }));
}

async function upload(text) {
  const file = await ai().files.upload({
    file: new Blob([text], { type: 'text/plain' }),
    config: { mimeType: 'text/plain', displayName: `notes ${randomToken('n', 4)}` },
  });
  assert.match(file.name, /^files\/fake\d+$/);
  return file;
}

/** Which pool key holds a file, from the fake's log of its finalize call. */
async function keyOfUpload(before) {
  const after = await uploadKeys();
  const fresh = after.slice(before.length);
  assert.ok(fresh.length >= 2, 'a start and a finalize call went upstream');
  const keys = new Set(fresh.map((r) => r.key));
  assert.equal(keys.size, 1, 'every call of one upload used one key');
  return [...keys][0];
}

describe('key affinity (files, caches) with @google/genai 3.3.0', () => {
  let file;
  let fileKey;

  it('files.upload: the resumable upload runs on one key, behind the gateway\'s own upload URL', async () => {
    const before = await uploadKeys();
    file = await upload(`hello ${randomToken('up')}`);
    fileKey = await keyOfUpload(before);
    assert.ok(POOL.includes(fileKey));
    assert.equal(file.state, 'ACTIVE');
  });

  it('50 generateContent calls naming the file all land on the key that holds it', async () => {
    const marker = randomToken('pin');
    for (let i = 0; i < 50; i += 1) {
      const res = await ai().models.generateContent({
        model: MODEL,
        contents: createUserContent([createPartFromUri(file.uri, file.mimeType), `summarise ${marker} #${i}`]),
      });
      assert.ok(res.text.length > 0, `call ${i} answered`);
    }
    const keys = await keysFor(marker);
    assert.equal(keys.length, 50, 'one upstream attempt per call');
    assert.deepEqual(new Set(keys), new Set([fileKey]), '50 of 50 on the file\'s key');
  });

  it('a bare "files/…" fileUri and countTokens are pinned too', async () => {
    const marker = randomToken('bare');
    const res = await ai().models.countTokens({
      model: MODEL,
      contents: [{ role: 'user', parts: [{ fileData: { fileUri: file.name, mimeType: 'text/plain' } }, { text: marker }] }],
    });
    assert.ok(res.totalTokens > 0);
    assert.deepEqual(await keysFor(marker), [fileKey]);
  });

  it('files.get, files.list (merged across keys, paged) and files.delete', async () => {
    const got = await ai().files.get({ name: file.name });
    assert.equal(got.name, file.name);
    // More files, until at least two keys hold one.
    const names = [file.name];
    const holders = new Set([fileKey]);
    for (let i = 0; i < 12 && (names.length < 3 || holders.size < 2); i += 1) {
      const before = await uploadKeys();
      const f = await upload(`more ${i}`);
      holders.add(await keyOfUpload(before));
      names.push(f.name);
    }
    assert.ok(holders.size >= 2, 'files on at least two keys');
    // One item per page: the pager walks every key's files through the gateway's page tokens.
    const listed = [];
    const pager = await ai().files.list({ config: { pageSize: 1 } });
    for await (const f of pager) listed.push(f.name);
    assert.deepEqual([...listed].sort(), [...names].sort(), 'every file once, from every key');

    const res = await request(`${base}/v1beta/files?pageSize=1`, { headers: { 'x-goog-api-key': token } });
    assert.equal(res.status, 200);
    const pageToken = res.body.nextPageToken;
    assert.match(pageToken, /^[A-Za-z0-9_-]{43}$/, 'an opaque page token');
    for (const k of POOL) assert.ok(!res.text.includes(k), 'no key in a listing');
    const forged = await request(`${base}/v1beta/files?pageToken=${'A'.repeat(43)}`, {
      headers: { 'x-goog-api-key': token },
    });
    assert.equal(forged.status, 400);

    await ai().files.delete({ name: names[1] });
    await assert.rejects(ai().files.get({ name: names[1] }), (err) => err instanceof ApiError && err.status === 403);
  });

  it('the upload URL the client gets is the gateway\'s, with an opaque id; unknown ids are refused', async () => {
    const res = await request(`${base}/upload/v1beta/files`, {
      method: 'POST',
      headers: {
        'x-goog-api-key': token,
        'x-goog-upload-protocol': 'resumable',
        'x-goog-upload-command': 'start',
        'x-goog-upload-header-content-length': '5',
        'x-goog-upload-header-content-type': 'text/plain',
      },
      body: { file: { displayName: 'raw' } },
    });
    assert.equal(res.status, 200);
    const url = res.headers.get('x-goog-upload-url');
    assert.ok(url.startsWith(`${base}/upload/v1beta/files?upload_id=`), url);
    const id = new URL(url).searchParams.get('upload_id');
    assert.match(id, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(!url.includes('UPLOAD-'), 'the upstream upload id stays behind the gateway');
    for (const k of POOL) assert.ok(!url.includes(k));

    const done = await request(url, {
      method: 'POST',
      headers: { 'x-goog-api-key': token, 'x-goog-upload-command': 'upload, finalize', 'x-goog-upload-offset': '0' },
      body: 'hello',
    });
    assert.equal(done.status, 200);
    assert.equal(done.headers.get('x-goog-upload-status'), 'final');
    assert.match(done.body.file.name, /^files\//);

    const unknown = await request(`${base}/upload/v1beta/files?upload_id=${'B'.repeat(43)}&upload_protocol=resumable`, {
      method: 'POST',
      headers: { 'x-goog-api-key': token, 'x-goog-upload-command': 'upload, finalize', 'x-goog-upload-offset': '0' },
      body: 'hello',
    });
    assert.equal(unknown.status, 404);
    const noToken = await request(url, { method: 'POST', body: 'x' });
    assert.equal(noToken.status, 401, 'the upload URL still needs the gateway token');
  });

  it('a file larger than one SDK chunk (8 MiB) uploads in two calls, both on the start call\'s key', async () => {
    const before = await uploadKeys();
    const big = await ai().files.upload({
      file: new Blob([new Uint8Array(9 * 1024 * 1024)], { type: 'application/octet-stream' }),
      config: { mimeType: 'application/octet-stream' },
    });
    assert.equal(big.sizeBytes, String(9 * 1024 * 1024));
    const calls = (await uploadKeys()).slice(before.length);
    assert.equal(calls.length, 3, 'start, upload, upload+finalize');
    assert.equal(new Set(calls.map((c) => c.key)).size, 1);
  });

  it('a cachedContent round trip: create, generate with it (pinned), get, list, delete', async () => {
    const cache = await ai().caches.create({
      model: MODEL,
      config: { contents: createUserContent('a long document'), ttl: '600s', displayName: 'doc' },
    });
    assert.match(cache.name, /^cachedContents\//);
    const marker = randomToken('cache');
    for (let i = 0; i < 10; i += 1) {
      await ai().models.generateContent({
        model: MODEL,
        contents: `question ${marker}`,
        config: { cachedContent: cache.name },
      });
    }
    const keys = await keysFor(marker);
    assert.equal(keys.length, 10);
    assert.equal(new Set(keys).size, 1, 'every call on the cache\'s key');
    assert.equal((await ai().caches.get({ name: cache.name })).name, cache.name);
    const listed = [];
    for await (const c of await ai().caches.list()) listed.push(c.name);
    assert.ok(listed.includes(cache.name));
    await ai().caches.delete({ name: cache.name });
  });

  it('the OpenAI route: extra_body.google.cached_content is pinned too, and refused in OpenAI\'s envelope', async () => {
    const cache = await ai().caches.create({
      model: MODEL,
      config: { contents: createUserContent('shared context'), ttl: '600s' },
    });
    const openai = new OpenAI({ baseURL: `${base}/v1`, apiKey: token, maxRetries: 0 });
    const marker = randomToken('oai');
    for (let i = 0; i < 10; i += 1) {
      const chat = await openai.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: `question ${marker}` }],
        extra_body: { google: { cached_content: cache.name } },
      });
      assert.ok(chat.choices[0].message.content.length > 0);
    }
    const keys = await keysFor(marker);
    assert.equal(keys.length, 10);
    assert.equal(new Set(keys).size, 1, 'every call on the cache\'s key');

    const row = await stack.poise.keyRow(keys[0]);
    const off = await stack.poise.admin('PUT', `/api/v1/api_keys/${row.id}`, { status: 'disabled' });
    assert.equal(off.status, 200, off.text);
    try {
      await assert.rejects(
        openai.chat.completions.create({
          model: MODEL,
          messages: [{ role: 'user', content: 'again' }],
          extra_body: { google: { cached_content: cache.name } },
        }),
        (err) => {
          assert.equal(err.status, 409);
          assert.equal(err.code, 'resource_key_unavailable');
          assert.ok(err.message.includes(cache.name));
          return true;
        },
      );
    } finally {
      const on = await stack.poise.admin('PUT', `/api/v1/api_keys/${row.id}`, { status: 'active' });
      assert.equal(on.status, 200, on.text);
    }
  });

  it('batches: create records the batch; get, cancel, list (merged) and delete go to its key', async () => {
    const call = (method, path, body) => request(`${base}/v1beta/${path}`, {
      method, headers: { 'x-goog-api-key': token }, body,
    });
    const marker = randomToken('batch');
    const made = await call('POST', `models/${MODEL}:batchGenerateContent`, {
      batch: { displayName: marker, inputConfig: { requests: { requests: [{ request: { contents: [{ parts: [{ text: 'hi' }] }] } }] } } },
    });
    assert.equal(made.status, 200, made.text);
    const { name } = made.body;
    assert.match(name, /^batches\//);
    const [creator] = await keysFor(marker);
    for (let i = 0; i < 5; i += 1) {
      const got = await call('GET', name);
      assert.equal(got.status, 200, got.text);
    }
    assert.equal((await call('POST', `${name}:cancel`, {})).status, 200);
    const listed = await call('GET', 'batches?pageSize=50');
    assert.equal(listed.status, 200);
    assert.ok(listed.body.operations.some((op) => op.name === name));
    assert.equal((await call('DELETE', name)).status, 200);
    const calls = (await fake.requests()).filter((r) => r.path.startsWith(`/v1beta/${name}`));
    assert.equal(calls.length, 7);
    assert.deepEqual(new Set(calls.map((r) => r.headers['x-goog-api-key'])), new Set([creator]));
  });

  it('interactions: a follow-up naming previous_interaction_id goes to the first one\'s key', async () => {
    const call = (method, path, body) => request(`${base}/v1beta/${path}`, {
      method, headers: { 'x-goog-api-key': token }, body,
    });
    const first = await call('POST', 'interactions', { model: MODEL, input: `start ${randomToken('int')}` });
    assert.equal(first.status, 200, first.text);
    const id = first.body.id;
    const marker = randomToken('follow');
    let previous = id;
    for (let i = 0; i < 10; i += 1) {
      const next = await call('POST', 'interactions', { model: MODEL, input: `${marker} ${i}`, previous_interaction_id: previous });
      assert.equal(next.status, 200, next.text);
      previous = next.body.id;  // a chain: each turn is recorded in turn
    }
    const keys = await keysFor(marker);
    assert.equal(keys.length, 10);
    assert.equal(new Set(keys).size, 1, 'the whole chain on one key');
    const got = await call('GET', `interactions/${id}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.id, id);
  });

  it('two resources held by different keys in one request: a clear 400', async () => {
    const held = new Map();  // key → a file it holds
    for (let i = 0; i < 16 && held.size < 2; i += 1) {
      const before = await uploadKeys();
      const f = await upload(`pair ${i}`);
      held.set(await keyOfUpload(before), f);
    }
    assert.equal(held.size, 2, 'files on two keys');
    const [a, b] = [...held.values()];
    const marker = randomToken('pair');
    const res = await request(`${base}/v1beta/models/${MODEL}:countTokens`, {
      method: 'POST',
      headers: { 'x-goog-api-key': token },
      body: { contents: [{ role: 'user', parts: [{ fileData: { fileUri: a.uri } }, { fileData: { fileUri: b.name } }, { text: marker }] }] },
    });
    assert.equal(res.status, 400);
    assert.ok(res.text.includes(a.name) && res.text.includes(b.name), res.text);
    assert.match(res.body.error.message, /different upstream keys/);
    assert.deepEqual(await keysFor(marker), [], 'nothing went upstream');
  });

  it('the file\'s key disabled: resource_key_unavailable, no other key is tried', async () => {
    const row = await stack.poise.keyRow(fileKey);
    const off = await stack.poise.admin('PUT', `/api/v1/api_keys/${row.id}`, { status: 'disabled' });
    assert.equal(off.status, 200, off.text);
    const marker = randomToken('off');
    await assert.rejects(
      ai().models.generateContent({
        model: MODEL,
        contents: createUserContent([createPartFromUri(file.uri, file.mimeType), marker]),
      }),
      (err) => {
        assert.ok(err instanceof ApiError);
        assert.equal(err.status, 409);
        assert.match(err.message, /resource_key_unavailable/);
        assert.ok(err.message.includes(file.name), 'the message names the file');
        assert.match(err.message, /disabled/);
        return true;
      },
    );
    assert.deepEqual(await keysFor(marker), [], 'nothing went upstream');
    const on = await stack.poise.admin('PUT', `/api/v1/api_keys/${row.id}`, { status: 'active' });
    assert.equal(on.status, 200, on.text);
  });

  it('an unknown file goes through normal picking; the upstream\'s 403 does not blame the key', async () => {
    const res = await request(`${base}/v1beta/models/${MODEL}:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': token },
      body: { contents: [{ role: 'user', parts: [{ fileData: { fileUri: 'files/neverseen' } }, { text: 'x' }] }] },
    });
    assert.equal(res.status, 403);
    assert.match(res.text, /You do not have permission to access the File neverseen/);
    const { items } = await stack.poise.keys();
    assert.ok(items.every((k) => k.status === 'active'), 'every key still active');
  });
});
