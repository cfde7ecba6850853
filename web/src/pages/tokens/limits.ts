// The token form's values, their validation and their mapping to and from the API's fields.
// Pure functions, so the rules are unit-tested without a browser.
import dayjs, { type Dayjs } from 'dayjs';
import type { ClientToken, Protocol, TokenFields } from './api';

export interface TokenFormValues {
  name: string;
  note: string;
  enabled: boolean;
  expires_at: Dayjs | null;
  allowed_models: string[];
  allowed_protocols: Protocol[];
  allowed_cidrs: string[];
  rpm_limit: number | null;
  daily_request_quota: number | null;
  daily_token_quota: number | null;
}

// The API's bounds (openapi.json, ClientTokenFields).
export const LIMITS = {
  name: 255,
  note: 1024,
  listItems: 64,
  rpm_limit: 1_000_000,
  daily_request_quota: 1_000_000_000,
  daily_token_quota: 1_000_000_000_000,
} as const;

export type LimitField = 'rpm_limit' | 'daily_request_quota' | 'daily_token_quota';

const MODEL_PATTERN = /^[A-Za-z0-9._/*?-]{1,128}$/;

// Problems are message keys of the tokens namespace (with their values), or null when fine.
export interface Problem {
  key: string;
  values?: Record<string, string | number>;
}

export function checkName(name: string | undefined): Problem | null {
  const v = (name ?? '').trim();
  if (!v) return { key: 'form.nameRequired' };
  if (v.length > LIMITS.name) return { key: 'form.tooLong', values: { max: LIMITS.name } };
  return null;
}

export function checkLimit(field: LimitField, value: number | null | undefined): Problem | null {
  if (value === null || value === undefined) return null;
  if (!Number.isInteger(value)) return { key: 'form.wholeNumber' };
  if (value < 1 || value > LIMITS[field]) return { key: 'form.range', values: { min: 1, max: LIMITS[field] } };
  return null;
}

export function checkModels(models: string[] | undefined): Problem | null {
  const list = models ?? [];
  if (list.length > LIMITS.listItems) return { key: 'form.tooMany', values: { max: LIMITS.listItems } };
  const bad = list.find((m) => !MODEL_PATTERN.test(m));
  return bad !== undefined ? { key: 'form.badModel', values: { value: bad } } : null;
}

function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

function isIPv6(s: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(s) || !s.includes(':')) return false;
  const double = s.split('::');
  if (double.length > 2) return false;
  const groups = (x: string) => (x === '' ? [] : x.split(':'));
  let parts = [...groups(double[0]), ...(double.length === 2 ? groups(double[1]) : [])];
  let slots = 8;
  const last = parts[parts.length - 1];
  if (last !== undefined && last.includes('.')) {
    if (!isIPv4(last)) return false;
    parts = parts.slice(0, -1);
    slots = 6;
  }
  if (!parts.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  return double.length === 2 ? parts.length < slots : parts.length === slots;
}

// A client address or CIDR block, IPv4 or IPv6.
export function isAddressOrCidr(s: string): boolean {
  const [addr, bits, ...rest] = s.trim().split('/');
  if (rest.length) return false;
  const v4 = isIPv4(addr);
  const v6 = !v4 && isIPv6(addr);
  if (!v4 && !v6) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (v4 ? 32 : 128);
}

export function checkCidrs(cidrs: string[] | undefined): Problem | null {
  const list = cidrs ?? [];
  if (list.length > LIMITS.listItems) return { key: 'form.tooMany', values: { max: LIMITS.listItems } };
  const bad = list.find((c) => !isAddressOrCidr(c));
  return bad !== undefined ? { key: 'form.badCidr', values: { value: bad } } : null;
}

// A new expiry must lie in the future; an unchanged one of an existing token may be past.
export function checkExpiry(value: Dayjs | null | undefined, now: Dayjs = dayjs(), unchanged = false): Problem | null {
  if (!value || unchanged) return null;
  return value.isAfter(now) ? null : { key: 'form.expiryPast' };
}

// Every problem of a whole form, by field (empty when the form can be sent).
export function validateTokenForm(v: Partial<TokenFormValues>, now: Dayjs = dayjs()): Partial<Record<keyof TokenFormValues, Problem>> {
  const out: Partial<Record<keyof TokenFormValues, Problem>> = {};
  const add = (k: keyof TokenFormValues, p: Problem | null) => {
    if (p) out[k] = p;
  };
  add('name', checkName(v.name));
  if ((v.note ?? '').length > LIMITS.note) out.note = { key: 'form.tooLong', values: { max: LIMITS.note } };
  add('expires_at', checkExpiry(v.expires_at ?? null, now));
  add('allowed_models', checkModels(v.allowed_models));
  add('allowed_cidrs', checkCidrs(v.allowed_cidrs));
  add('rpm_limit', checkLimit('rpm_limit', v.rpm_limit));
  add('daily_request_quota', checkLimit('daily_request_quota', v.daily_request_quota));
  add('daily_token_quota', checkLimit('daily_token_quota', v.daily_token_quota));
  return out;
}

const clean = (list: string[] | undefined) =>
  Array.from(new Set((list ?? []).map((s) => s.trim()).filter(Boolean)));

// Form values -> the API body. Empty lists and empty limits are sent as null ("none"), so that
// clearing a limit in the form clears it on the gateway.
export function toTokenFields(v: TokenFormValues): TokenFields {
  const models = clean(v.allowed_models);
  const cidrs = clean(v.allowed_cidrs);
  const protocols = v.allowed_protocols ?? [];
  const num = (n: number | null | undefined) => (n === null || n === undefined ? null : n);
  return {
    name: v.name.trim(),
    note: (v.note ?? '').trim(),
    enabled: v.enabled,
    expires_at: v.expires_at ? v.expires_at.toISOString() : null,
    allowed_models: models.length ? models : null,
    // All three allowed is the same as none given.
    allowed_protocols: protocols.length && protocols.length < 3 ? protocols : null,
    allowed_cidrs: cidrs.length ? cidrs : null,
    rpm_limit: num(v.rpm_limit),
    daily_request_quota: num(v.daily_request_quota),
    daily_token_quota: num(v.daily_token_quota),
  };
}

export function fromToken(t: ClientToken): TokenFormValues {
  return {
    name: t.name,
    note: t.note,
    enabled: t.enabled,
    expires_at: t.expires_at ? dayjs(t.expires_at) : null,
    allowed_models: t.allowed_models ?? [],
    allowed_protocols: t.allowed_protocols ?? [],
    allowed_cidrs: t.allowed_cidrs ?? [],
    rpm_limit: t.rpm_limit,
    daily_request_quota: t.daily_request_quota,
    daily_token_quota: t.daily_token_quota,
  };
}

export const EMPTY_TOKEN_FORM: TokenFormValues = {
  name: '',
  note: '',
  enabled: true,
  expires_at: null,
  allowed_models: [],
  allowed_protocols: [],
  allowed_cidrs: [],
  rpm_limit: null,
  daily_request_quota: null,
  daily_token_quota: null,
};
