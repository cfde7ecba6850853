import { describe, expect, it } from 'vitest';
import dayjs from 'dayjs';
import {
  EMPTY_TOKEN_FORM,
  checkCidrs,
  checkExpiry,
  checkLimit,
  checkModels,
  fromToken,
  isAddressOrCidr,
  toTokenFields,
  validateTokenForm,
} from './limits';
import type { ClientToken } from './api';

const now = dayjs('2026-12-03T06:00:00Z');

describe('token limit validation', () => {
  it('requires a name and bounds its length', () => {
    expect(validateTokenForm({ ...EMPTY_TOKEN_FORM, name: '  ' }, now).name?.key).toBe('form.nameRequired');
    expect(validateTokenForm({ ...EMPTY_TOKEN_FORM, name: 'x'.repeat(256) }, now).name?.key).toBe('form.tooLong');
    expect(validateTokenForm({ ...EMPTY_TOKEN_FORM, name: 'mobile-app' }, now)).toEqual({});
  });

  it('takes empty limits as none and checks the API bounds', () => {
    expect(checkLimit('rpm_limit', null)).toBeNull();
    expect(checkLimit('rpm_limit', 1)).toBeNull();
    expect(checkLimit('rpm_limit', 1_000_000)).toBeNull();
    expect(checkLimit('rpm_limit', 0)).toEqual({ key: 'form.range', values: { min: 1, max: 1_000_000 } });
    expect(checkLimit('rpm_limit', 1_000_001)?.key).toBe('form.range');
    expect(checkLimit('daily_request_quota', 1_000_000_000)).toBeNull();
    expect(checkLimit('daily_request_quota', 1_000_000_001)?.key).toBe('form.range');
    expect(checkLimit('daily_token_quota', 1_000_000_000_000)).toBeNull();
    expect(checkLimit('daily_token_quota', 1.5)?.key).toBe('form.wholeNumber');
  });

  it('checks model patterns like the API', () => {
    expect(checkModels(['gemini-2.5-*', 'models/gemini-?.0-pro'])).toBeNull();
    expect(checkModels(['gemini 2.5'])).toEqual({ key: 'form.badModel', values: { value: 'gemini 2.5' } });
    expect(checkModels(['a'.repeat(129)])?.key).toBe('form.badModel');
    expect(checkModels(Array.from({ length: 65 }, (_, i) => `m${i}`))?.key).toBe('form.tooMany');
  });

  it('accepts IPv4 and IPv6 addresses and CIDR blocks only', () => {
    for (const ok of ['10.0.0.0/8', '127.0.0.1', '192.168.1.0/24', '::1', '2001:db8::/32', 'fe80::1', '::ffff:10.0.0.1', '0.0.0.0/0']) {
      expect(isAddressOrCidr(ok), ok).toBe(true);
    }
    for (const bad of ['10.0.0.0/33', '256.1.1.1', '10.0.0', 'example.com', '2001:db8::/129', '1:2:3:4:5:6:7:8:9', '10.0.0.0/8/1', '']) {
      expect(isAddressOrCidr(bad), bad).toBe(false);
    }
    expect(checkCidrs(['10.0.0.0/8', 'nope'])).toEqual({ key: 'form.badCidr', values: { value: 'nope' } });
  });

  it('wants a new expiry in the future but keeps an unchanged past one', () => {
    expect(checkExpiry(null, now)).toBeNull();
    expect(checkExpiry(now.add(1, 'hour'), now)).toBeNull();
    expect(checkExpiry(now.subtract(1, 'minute'), now)?.key).toBe('form.expiryPast');
    expect(checkExpiry(now.subtract(1, 'day'), now, true)).toBeNull();
  });
});

describe('token form mapping', () => {
  it('sends empty lists and limits as null (none), trims and de-duplicates', () => {
    const body = toTokenFields({
      ...EMPTY_TOKEN_FORM,
      name: ' app ',
      allowed_models: ['gemini-2.5-*', ' gemini-2.5-* ', ''],
      allowed_protocols: ['native', 'openai', 'anthropic'],
      rpm_limit: 60,
      expires_at: dayjs('2027-06-30T00:00:00Z'),
    });
    expect(body).toEqual({
      name: 'app',
      note: '',
      enabled: true,
      expires_at: '2027-06-30T00:00:00.000Z',
      allowed_models: ['gemini-2.5-*'],
      allowed_protocols: null,
      allowed_cidrs: null,
      rpm_limit: 60,
      daily_request_quota: null,
      daily_token_quota: null,
    });
  });

  it('round-trips a token', () => {
    const token = {
      id: 1, name: 'mobile', note: 'n', owner_id: 1, owner: 'admin', prefix: 'gp_abcdefg', enabled: false,
      expires_at: '2027-01-01T00:00:00.000Z', expired: false, allowed_models: ['gemini-*'], allowed_protocols: ['openai'],
      allowed_cidrs: ['10.0.0.0/8'], rpm_limit: 5, daily_request_quota: 100, daily_token_quota: null,
      created_at: '', updated_at: '', last_used_at: null,
      usage: { requests: 0, errors: 0, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, today: { requests: 0, tokens: 0 } },
    } satisfies ClientToken;
    const body = toTokenFields(fromToken(token));
    expect(body).toMatchObject({
      name: 'mobile', enabled: false, expires_at: '2027-01-01T00:00:00.000Z', allowed_models: ['gemini-*'],
      allowed_protocols: ['openai'], allowed_cidrs: ['10.0.0.0/8'], rpm_limit: 5, daily_request_quota: 100, daily_token_quota: null,
    });
  });
});
