// English and Chinese must say the same things: every namespace exists in both, with the same
// keys, no empty text, and the same {{placeholders}} in each pair.
import { describe, expect, it } from 'vitest';
import { resources } from './index';

function flatten(obj: Record<string, unknown>, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object') Object.assign(out, flatten(v as Record<string, unknown>, key));
    else out[key] = String(v);
  }
  return out;
}

// i18next plural forms: English has `_one` and `_other`, Chinese only `_other`. Compare by the
// base key, each form against the base's `_other`.
const PLURAL = /_(zero|one|two|few|many|other)$/;
function byBase(flat: Record<string, string>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(flat)) (out[k.replace(PLURAL, '')] ??= []).push(v);
  return out;
}

const placeholders = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

describe('locale files', () => {
  it('have the same namespaces in English and Chinese', () => {
    expect(Object.keys(resources.zh).sort()).toEqual(Object.keys(resources.en).sort());
    expect(Object.keys(resources.en)).toContain('common');
  });

  for (const ns of Object.keys(resources.en)) {
    it(`${ns}: same keys, no empty text, same placeholders`, () => {
      const en = byBase(flatten(resources.en[ns]));
      const zh = byBase(flatten(resources.zh[ns] ?? {}));
      expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
      for (const [key, texts] of Object.entries(en)) {
        for (const text of [...texts, ...zh[key]]) expect(text.trim(), `${ns}:${key}`).not.toBe('');
        const enPlaceholders = [...new Set(texts.flatMap(placeholders))].sort();
        const zhPlaceholders = [...new Set(zh[key].flatMap(placeholders))].sort();
        // "count" may be left out of a singular form ("one token"); every other name must match.
        const named = (list: string[]) => list.filter((p) => p !== 'count');
        expect(named(zhPlaceholders), `placeholders of ${ns}:${key}`).toEqual(named(enPlaceholders));
      }
    });
  }
});
