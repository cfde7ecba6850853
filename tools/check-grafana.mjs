#!/usr/bin/env node
// Checks a Grafana dashboard against what the gateway really exports: the file is valid JSON with a
// schemaVersion, every panel and target uses the ${DS_PROMETHEUS} input, panel ids are unique,
// and every metric name in every PromQL expression exists in a /metrics scrape (a sample name, or
// a family's name from its "# TYPE" line with the suffixes of its type: _bucket/_sum/_count for a
// histogram). With promtool on PATH, every expression (Grafana's variables replaced by plain
// values) is also parsed by `promtool check rules`. Exits 1 listing each problem, 0 when none.
//
//   node tools/check-grafana.mjs DASHBOARD.json SCRAPE.txt
//   node tools/check-grafana.mjs DASHBOARD.json http://127.0.0.1:8080/metrics [BEARER_TOKEN]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// PromQL words that are not metric names: functions are recognised by the "(" after them.
const kKeywords = new Set([
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'and', 'or',
  'unless', 'inf', 'nan', 'sum', 'avg', 'min', 'max', 'count', 'stddev', 'stdvar', 'topk',
  'bottomk', 'quantile', 'count_values', 'group',
]);

// The metric names an expression reads.
export function metricNames(expr) {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // string literals
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // range and subquery selectors ([5m], [$__rate_interval])
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ') // label lists
    .replace(/\$\{?\w+\}?/g, ' '); // Grafana variables
  const names = new Set();
  const re = /[A-Za-z_:][A-Za-z0-9_:]*/g;
  let m;
  while ((m = re.exec(stripped)) !== null) {
    const word = m[0];
    const before = stripped[m.index - 1];
    if (before !== undefined && /[0-9.]/.test(before)) continue; // 1e3, 0.95, 5m
    const rest = stripped.slice(m.index + word.length);
    if (/^\s*\(/.test(rest)) continue; // a function or aggregation
    if (kKeywords.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return [...names];
}

// Every sample name a scrape can answer for.
export function exportedNames(scrape) {
  const names = new Set();
  const suffixes = { histogram: ['_bucket', '_sum', '_count'], summary: ['_sum', '_count', ''] };
  for (const line of scrape.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type) {
      names.add(type[1]);
      for (const s of suffixes[type[2]] ?? []) names.add(type[1] + s);
      continue;
    }
    const sample = /^([A-Za-z_:][A-Za-z0-9_:]*)/.exec(line);
    if (sample) names.add(sample[1]);
  }
  return names;
}

function panelsOf(dashboard) {
  const out = [];
  const walk = (list) => {
    for (const p of list ?? []) {
      out.push(p);
      walk(p.panels);
    }
  };
  walk(dashboard.panels);
  return out;
}

export function check(dashboard, scrape) {
  const problems = [];
  if (typeof dashboard.schemaVersion !== 'number') problems.push('no schemaVersion');
  const exported = exportedNames(scrape);
  const ids = new Set();
  for (const p of panelsOf(dashboard)) {
    const where = `panel ${p.id} "${p.title}"`;
    if (ids.has(p.id)) problems.push(`${where}: duplicate id`);
    ids.add(p.id);
    if (p.type === 'row') continue;
    if (p.datasource?.uid !== '${DS_PROMETHEUS}') problems.push(`${where}: datasource is not \${DS_PROMETHEUS}`);
    if (!p.targets?.length) problems.push(`${where}: no targets`);
    for (const t of p.targets ?? []) {
      if (t.datasource?.uid !== '${DS_PROMETHEUS}') problems.push(`${where} ${t.refId}: datasource is not \${DS_PROMETHEUS}`);
      const names = metricNames(t.expr ?? '');
      if (names.length === 0) problems.push(`${where} ${t.refId}: no metric in "${t.expr}"`);
      for (const n of names) {
        if (!exported.has(n)) problems.push(`${where} ${t.refId}: ${n} is not in the scrape`);
      }
    }
  }
  for (const v of dashboard.templating?.list ?? []) {
    const q = typeof v.query === 'string' ? v.query : v.query?.query ?? '';
    const inner = /label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)/.exec(q);
    if (inner && !exported.has(inner[1])) problems.push(`variable ${v.name}: ${inner[1]} is not in the scrape`);
  }
  return problems;
}

// PromQL syntax, by promtool (skipped when it is not installed): each expression becomes a
// recording rule with Grafana's variables replaced.
function promtoolProblems(dashboard) {
  const exprs = panelsOf(dashboard).flatMap((p) =>
    (p.targets ?? []).map((t) => ({ where: `panel ${p.id} "${p.title}" ${t.refId}`, expr: t.expr ?? '' })));
  const plain = (e) =>
    e.replace(/\$__rate_interval|\$__interval|\$__range/g, '5m').replace(/\$\{?\w+\}?/g, '.*');
  const dir = mkdtempSync(join(tmpdir(), 'check-grafana-'));
  try {
    const problems = [];
    for (const { where, expr } of exprs) {
      const file = join(dir, 'rules.json');
      // JSON is YAML: one group, one rule per expression.
      writeFileSync(file, JSON.stringify({ groups: [{ name: 'g', rules: [{ record: 'r', expr: plain(expr) }] }] }));
      try {
        execFileSync('promtool', ['check', 'rules', file], { stdio: 'pipe' });
      } catch (e) {
        if (e.code === 'ENOENT') return [];
        problems.push(`${where}: promtool: ${String(e.stderr).trim().split('\n').pop()}`);
      }
    }
    return problems;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const [file, source, token] = process.argv.slice(2);
  if (!file || !source) {
    console.error('usage: check-grafana.mjs DASHBOARD.json (SCRAPE.txt | http://…/metrics [TOKEN])');
    process.exit(2);
  }
  const dashboard = JSON.parse(readFileSync(file, 'utf8'));
  let scrape;
  if (/^https?:\/\//.test(source)) {
    const res = await fetch(source, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    if (!res.ok) throw new Error(`GET ${source}: ${res.status}`);
    scrape = await res.text();
  } else {
    scrape = readFileSync(source, 'utf8');
  }
  const problems = [...check(dashboard, scrape), ...promtoolProblems(dashboard)];
  for (const p of problems) console.error(`${file}: ${p}`);
  if (problems.length > 0) process.exit(1);
  const exprs = panelsOf(dashboard).flatMap((p) => p.targets ?? []).length;
  console.log(`${file}: ${exprs} expressions, every metric exported`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    console.error(e.message);
    process.exit(1);
  });
}
