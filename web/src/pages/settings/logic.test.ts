import { describe, expect, it } from 'vitest';
import { aliasesText, rebase, changedEntries, effectiveValues, keyOfDetail, parseAliases, splitChanges, validateChanges, validateValue } from './logic';
import { SETTINGS, specOf } from './schema';

describe('settings table', () => {
  it('knows every key once, with a default inside its range', () => {
    const keys = SETTINGS.map((s) => s.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.filter((k) => k.startsWith('token_bucket_'))).toHaveLength(18);
    for (const s of SETTINGS) {
      if (s.default === null) continue;
      expect(validateValue(s, s.default), s.key).toBeNull();
    }
  });
});

describe('effectiveValues / changedEntries', () => {
  it('shows defaults for keys not stored and keeps unknown keys', () => {
    const v = effectiveValues({ proxy_retry_max_count: '5', custom_thing: 'x' });
    expect(v.proxy_retry_max_count).toBe('5');
    expect(v.key_cooldown_default_seconds).toBe('60');
    expect(v.custom_thing).toBe('x');
    expect('api_token' in v).toBe(false);
  });

  it('finds only what changed, comparing numbers and JSON by meaning', () => {
    const original = effectiveValues({ token_bucket_default_refill_rate: '1', model_aliases: '{"a":"b"}', api_token: 'gwt-lo...7890' });
    const draft: Record<string, string> = { ...original, token_bucket_default_refill_rate: '1.0', model_aliases: '{ "a": "b" }' };
    expect(changedEntries(original, draft)).toEqual([]);
    draft.proxy_retry_max_count = '0';
    draft.token_bucket_enable_token_bucket = 'false';
    draft.model_aliases = aliasesText([{ alias: 'a', target: 'b' }, { alias: 'my-model', target: 'gemini-2.5-flash' }]);
    const changes = changedEntries(original, draft);
    expect(changes.map((c) => c.key).sort()).toEqual(['model_aliases', 'proxy_retry_max_count', 'token_bucket_enable_token_bucket']);
    const { bucket, config } = splitChanges(changes);
    expect(bucket).toEqual({ enable_token_bucket: false });
    expect(config.map((c) => c.key).sort()).toEqual(['model_aliases', 'proxy_retry_max_count']);
  });
});

describe('rebase', () => {
  it('keeps unsaved edits over newly loaded values', () => {
    const before = { a: '1', b: '2', c: '3' };
    const draft = { a: '1', b: '20', c: '3' };
    expect(rebase(before, draft, { a: '5', b: '2', c: '3' })).toEqual({ a: '5', b: '20', c: '3' });
  });
});

describe('validation', () => {
  it('checks ranges, types and shapes as the gateway does', () => {
    expect(validateValue(specOf('proxy_retry_max_count'), '21')).toEqual({ code: 'range', params: { min: 0, max: 20 } });
    expect(validateValue(specOf('proxy_retry_max_count'), '2.5')).toEqual({ code: 'wholeNumber' });
    expect(validateValue(specOf('token_bucket_default_refill_rate'), '0.05')?.code).toBe('range');
    expect(validateValue(specOf('token_bucket_default_refill_rate'), '2.5')).toBeNull();
    expect(validateValue(specOf('key_selection_strategy'), 'fastest')?.code).toBe('oneOf');
    expect(validateValue(specOf('target_api_url'), 'ftp://x')?.code).toBe('url');
    expect(validateValue(specOf('target_api_url'), 'http://u:p@host')?.code).toBe('urlParts');
    expect(validateValue(specOf('api_token'), 'short')?.code).toBe('tokenLength');
    expect(validateValue(specOf('api_token'), 'has a space in it, long enough')?.code).toBe('tokenChars');
    expect(validateValue(specOf('key_error_actions'), '')).toBeNull();
    expect(validateValue(specOf('key_error_actions'), '[1]')?.code).toBe('jsonObject');
    expect(validateValue(specOf('key_error_actions'), '{bad')?.code).toBe('json');
    expect(validateValue(specOf('model_aliases'), '{"x":""}')?.code).toBe('aliasEmpty');
    expect(validateValue(specOf('anthropic_model_opus'), ' ')?.code).toBe('required');
    expect(validateChanges([{ key: 'proxy_retry_max_count', value: '3' }, { key: 'request_log_body_capture_kb', value: '65' }])).toEqual({
      request_log_body_capture_kb: { code: 'range', params: { min: 0, max: 64 } },
    });
  });

  it('reads aliases and names the key of a refusal', () => {
    expect(parseAliases('{"gpt-4o":"gemini-2.5-pro"}')).toEqual([{ alias: 'gpt-4o', target: 'gemini-2.5-pro' }]);
    expect(parseAliases('[]')).toBeNull();
    expect(parseAliases('')).toEqual([]);
    expect(keyOfDetail('proxy_retry_max_count must be between 0 and 20', ['model_aliases', 'proxy_retry_max_count'])).toBe('proxy_retry_max_count');
    expect(keyOfDetail('target_api_url refused: link-local', ['target_api_url'])).toBe('target_api_url');
    expect(keyOfDetail('something else', ['target_api_url'])).toBeUndefined();
  });
});
