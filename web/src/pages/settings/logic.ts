// The Settings form's logic, free of React: the values shown (stored, else the default), what
// changed, validation before anything is sent, and which key a 422 from the API is about.
import { SETTINGS, specOf, isBucketKey, BUCKET_PREFIX, type SettingSpec } from './schema';

export type Values = Record<string, string>;

// What each key shows: its stored value, else its default. Unknown stored keys are kept.
export function effectiveValues(stored: Values): Values {
  const out: Values = {};
  for (const s of SETTINGS) {
    const v = stored[s.key] ?? s.default;
    if (v !== null) out[s.key] = v;
  }
  for (const [k, v] of Object.entries(stored)) if (!(k in out)) out[k] = v;
  return out;
}

// Two values of one key mean the same: "1.0" and "1" for numbers, JSON objects by content.
export function sameValue(spec: SettingSpec, a: string | undefined, b: string | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  if ((spec.type === 'int' || spec.type === 'float') && a.trim() !== '' && b.trim() !== '') return Number(a) === Number(b);
  if (spec.type === 'aliases' || spec.type === 'json') {
    try {
      return JSON.stringify(JSON.parse(a || '{}')) === JSON.stringify(JSON.parse(b || '{}'));
    } catch {
      return false;
    }
  }
  return false;
}

// The keys whose draft differs from what was loaded, with their new values.
export function changedEntries(original: Values, draft: Values): Array<{ key: string; value: string }> {
  const out: Array<{ key: string; value: string }> = [];
  for (const [key, value] of Object.entries(draft)) {
    if (!sameValue(specOf(key), original[key], value)) out.push({ key, value });
  }
  return out;
}

// The draft over new stored values: what the user changed since `before` was loaded stays, the rest
// follows `after`.
export function rebase(before: Values, draft: Values, after: Values): Values {
  const out: Values = { ...after };
  for (const { key, value } of changedEntries(before, draft)) out[key] = value;
  return out;
}

// The changes split by where they are saved: token-bucket settings through
// PUT /token-bucket/config (names without the prefix, typed), the rest through config bulk-save.
export function splitChanges(changes: Array<{ key: string; value: string }>) {
  const bucket: Record<string, number | boolean> = {};
  const config: Array<{ key: string; value: string }> = [];
  for (const c of changes) {
    if (isBucketKey(c.key)) {
      const spec = specOf(c.key);
      bucket[c.key.slice(BUCKET_PREFIX.length)] = spec.type === 'bool' ? c.value === 'true' : Number(c.value);
    } else config.push(c);
  }
  return { bucket, config };
}

export type Problem = { code: string; params?: Record<string, string | number> } | null;

// Parses a model_aliases value into rows; null when it is not a JSON object of strings.
export function parseAliases(text: string): Array<{ alias: string; target: string }> | null {
  if (!text.trim()) return [];
  try {
    const v: unknown = JSON.parse(text);
    if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
    const rows: Array<{ alias: string; target: string }> = [];
    for (const [alias, target] of Object.entries(v as Record<string, unknown>)) {
      if (typeof target !== 'string') return null;
      rows.push({ alias, target });
    }
    return rows;
  } catch {
    return null;
  }
}

export function aliasesText(rows: Array<{ alias: string; target: string }>): string {
  const o: Record<string, string> = {};
  for (const r of rows) o[r.alias] = r.target;
  return JSON.stringify(o);
}

// Checks a value as the gateway will, so the form refuses it before saving. Codes are locale keys
// under `validation.`.
export function validateValue(spec: SettingSpec, value: string): Problem {
  const v = value ?? '';
  switch (spec.type) {
    case 'int': {
      if (!/^-?\d+$/.test(v.trim())) return { code: 'wholeNumber' };
      const n = Number(v);
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max))
        return { code: 'range', params: { min: spec.min ?? '', max: spec.max ?? '' } };
      return null;
    }
    case 'float': {
      if (v.trim() === '' || !Number.isFinite(Number(v))) return { code: 'number' };
      const n = Number(v);
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max))
        return { code: 'range', params: { min: spec.min ?? '', max: spec.max ?? '' } };
      return null;
    }
    case 'bool':
      return v === 'true' || v === 'false' ? null : { code: 'bool' };
    case 'enum':
      return spec.options?.includes(v) ? null : { code: 'oneOf', params: { options: (spec.options ?? []).join(', ') } };
    case 'url': {
      if (!/^https?:\/\/[^\s/]+/i.test(v.trim())) return { code: 'url' };
      if (/^https?:\/\/[^/]*@/i.test(v.trim()) || /[?#]/.test(v)) return { code: 'urlParts' };
      return null;
    }
    case 'secret': {
      if (v.length < 16 || v.length > 512) return { code: 'tokenLength' };
      if (!/^[\x21-\x7e]+$/.test(v)) return { code: 'tokenChars' };
      return null;
    }
    case 'json': {
      if (!v.trim()) return null;
      try {
        const o: unknown = JSON.parse(v);
        return o && typeof o === 'object' && !Array.isArray(o) ? null : { code: 'jsonObject' };
      } catch {
        return { code: 'json' };
      }
    }
    case 'aliases': {
      const rows = parseAliases(v);
      if (rows === null) return { code: 'jsonObject' };
      if (rows.some((r) => !r.alias.trim() || !r.target.trim())) return { code: 'aliasEmpty' };
      return null;
    }
    case 'text':
      if (spec.group !== 'other' && !v.trim()) return { code: 'required' };
      return null;
    default:
      return null;
  }
}

// The problems of every changed key (a masked secret left as shown is not a change).
export function validateChanges(changes: Array<{ key: string; value: string }>): Record<string, Problem> {
  const out: Record<string, Problem> = {};
  for (const c of changes) {
    const p = validateValue(specOf(c.key), c.value);
    if (p) out[c.key] = p;
  }
  return out;
}

// The key a refusal names: the gateway's config details start with the key ("proxy_retry_max_count
// must be between 0 and 20", "target_api_url refused: …"); the token-bucket route adds an
// `errors` map by setting name.
export function keyOfDetail(detail: string, candidates: string[]): string | undefined {
  const sorted = [...candidates].sort((a, b) => b.length - a.length);
  return sorted.find((k) => detail.startsWith(k) || detail.includes(`'${k}'`) || detail.includes(` ${k} `));
}
