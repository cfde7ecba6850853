// Time to first content chunk of an OpenAI chat stream (P2): sends N streamed chat requests one
// after another (after 5 warm-up requests) and prints one JSON line with the median and p90 of
// (a) the time from sending to the first SSE event that carries delta content and (b) the whole
// stream. Fails when a stream carries no content; counts the streams that end with [DONE].
//   node ttfc.mjs URL HEADERS_JSON BODY_FILE [N]
import { readFileSync } from 'node:fs';

const [url, headersJson, bodyFile, nArg] = process.argv.slice(2);
const headers = { 'content-type': 'application/json', ...JSON.parse(headersJson) };
const body = JSON.stringify({ ...JSON.parse(readFileSync(bodyFile, 'utf8')), stream: true });
const n = Number(nArg ?? 50);

async function once() {
  const start = performance.now();
  const res = await fetch(url, { method: 'POST', headers, body });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
  const decoder = new TextDecoder();
  let buffer = '';
  let first;
  let done = false;
  let raw = '';
  for await (const piece of res.body) {
    const text = decoder.decode(piece, { stream: true });
    if (raw.length < 2000) raw += text;
    buffer += text;
    let cut;
    while ((cut = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const event = buffer.slice(0, cut);
      buffer = buffer.slice(cut).replace(/^\r?\n\r?\n/, '');
      const data = event.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('');
      if (data === '[DONE]') { done = true; continue; }
      if (!data || first !== undefined) continue;
      const delta = JSON.parse(data).choices?.[0]?.delta;
      if (delta?.content) first = performance.now() - start;
    }
  }
  if (first === undefined) throw new Error(`stream without content: ${raw.slice(0, 600)}`);
  return { first, total: performance.now() - start, done };
}

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
for (let i = 0; i < 5; i++) await once();
const firsts = [];
const totals = [];
let withDone = 0;
for (let i = 0; i < n; i++) {
  const r = await once();
  firsts.push(r.first);
  totals.push(r.total);
  if (r.done) withDone++;
}
console.log(JSON.stringify({
  requests: n,
  ended_with_done: withDone,
  ttfc_ms: { p50: +pct(firsts, 0.5).toFixed(2), p90: +pct(firsts, 0.9).toFixed(2) },
  total_ms: { p50: +pct(totals, 0.5).toFixed(2), p90: +pct(totals, 0.9).toFixed(2) },
}));
