// Gemini-side helpers for the tests: an SDK client factory, raw native calls, SSE parsing.
import { GoogleGenAI } from '@google/genai';
import { request } from './harness.mjs';

export const MODEL = 'gemini-2.5-flash';
export const OTHER_MODEL = 'gemini-2.5-pro';
export const EMBED_MODEL = 'gemini-embedding-001';

/** The real SDK, pointed at baseUrl (host root) with an explicit API version. */
export function genaiClient(baseUrl, apiKey, apiVersion = 'v1beta') {
  return new GoogleGenAI({ apiKey, httpOptions: { baseUrl, apiVersion } });
}

/** A generateContent body with one user text part. */
export function textBody(text) {
  return { contents: [{ role: 'user', parts: [{ text }] }] };
}

/** Concatenated text of the first candidate of a GenerateContentResponse JSON. */
export function candidateText(json) {
  const parts = json?.candidates?.[0]?.content?.parts ?? [];
  return parts.map((p) => p.text ?? '').join('');
}

/**
 * Raw native call: POST {base}/{version}/models/{model}:{method}[?query] with a JSON body.
 * `auth` chooses how the token travels: 'key' (?key=), 'goog' (x-goog-api-key), 'bearer',
 * 'x-api-key', or 'none'.
 */
export async function nativeCall(base, {
  version = 'v1beta', model = MODEL, method = 'generateContent', body, text = 'hello',
  token, auth = 'goog', query = {}, headers = {}, signal,
} = {}) {
  const params = new URLSearchParams(query);
  const h = { 'content-type': 'application/json', ...headers };
  if (auth === 'key') params.set('key', token);
  if (auth === 'goog') h['x-goog-api-key'] = token;
  if (auth === 'bearer') h.authorization = `Bearer ${token}`;
  if (auth === 'x-api-key') h['x-api-key'] = token;
  const qs = params.toString();
  const url = `${base}/${version}/models/${model}:${method}${qs ? `?${qs}` : ''}`;
  return request(url, { method: 'POST', headers: h, body: body ?? textBody(text), signal });
}

/** Splits an SSE body into the JSON payloads of its `data:` events (any of the 3 terminators). */
export function sseEvents(text) {
  const out = [];
  for (const block of text.split(/\r\n\r\n|\n\n|\r\r/)) {
    const data = block
      .split(/\r\n|\n|\r/)
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).replace(/^ /, ''))
      .join('\n');
    if (data) out.push(JSON.parse(data));
  }
  return out;
}

/** Runs an async iterable to its end, with a deadline; returns {chunks, error, timedOut}. */
export async function drain(iterable, { timeoutMs = 15000, onChunk } = {}) {
  const chunks = [];
  let timer;
  const deadline = new Promise((resolveDeadline) => {
    timer = setTimeout(() => resolveDeadline('timeout'), timeoutMs);
  });
  const run = (async () => {
    try {
      for await (const chunk of iterable) {
        chunks.push(chunk);
        if (onChunk) await onChunk(chunk, chunks.length);
      }
      return { chunks, error: undefined };
    } catch (error) {
      return { chunks, error };
    }
  })();
  const result = await Promise.race([run, deadline]);
  clearTimeout(timer);
  if (result === 'timeout') return { chunks, error: undefined, timedOut: true };
  return { ...result, timedOut: false };
}

/** A 1×1 PNG, base64 (the smallest real image for image-input tests). */
export const PNG_1X1 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

/** The fake's recorded requests whose body contains `marker`, each with its body parsed as `json`. */
export async function upstreamWith(fake, marker) {
  return (await fake.requests())
    .filter((r) => (r.body ?? '').includes(marker))
    .map((r) => ({ ...r, json: JSON.parse(r.body) }));
}
