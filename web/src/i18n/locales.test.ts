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

const placeholders = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

describe('locale files', () => {
  it('have the same namespaces in English and Chinese', () => {
    expect(Object.keys(resources.zh).sort()).toEqual(Object.keys(resources.en).sort());
    expect(Object.keys(resources.en)).toContain('common');
  });

  for (const ns of Object.keys(resources.en)) {
    it(`${ns}: same keys, no empty text, same placeholders`, () => {
      const en = flatten(resources.en[ns]);
      const zh = flatten(resources.zh[ns] ?? {});
      expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
      for (const [key, text] of Object.entries(en)) {
        expect(text.trim(), `en ${ns}:${key}`).not.toBe('');
        expect(zh[key].trim(), `zh ${ns}:${key}`).not.toBe('');
        expect(placeholders(zh[key]), `placeholders of ${ns}:${key}`).toEqual(placeholders(text));
      }
    });
  }
});
