// The webhook form's values and their mapping to and from the API's fields: the events with
// their thresholds, and the custom headers, whose secret-looking values the API shows masked
// (a prefix and ****). Headers are replaced whole on update, so an edit that leaves them alone
// does not send them, and one that changes them must re-enter every masked value.
import type { AlertEvent, AlertFields, AlertWebhook } from './api';

export interface HeaderRow {
  name: string;
  value: string;
  // The masked value the API showed for this header (edit only): the real one is kept by the
  // gateway and cannot be sent back.
  masked?: string;
}

export interface AlertFormValues {
  name: string;
  url: string;
  enabled: boolean;
  headers: HeaderRow[];
  keyError: boolean;
  keyExhausted: boolean;
  poolLow: boolean;
  activeKeysBelow: number | null;
  activePercentBelow: number | null;
  errorRate: boolean;
  errorRatePercent: number | null;
  errorRateMinRequests: number | null;
  validationFailures: boolean;
}

export const DEFAULT_MIN_REQUESTS = 20;

export const EMPTY_ALERT_FORM: AlertFormValues = {
  name: '',
  url: '',
  enabled: true,
  headers: [],
  keyError: true,
  keyExhausted: true,
  poolLow: false,
  activeKeysBelow: null,
  activePercentBelow: null,
  errorRate: false,
  errorRatePercent: null,
  errorRateMinRequests: DEFAULT_MIN_REQUESTS,
  validationFailures: false,
};

export const isMasked = (v: string) => v.endsWith('****');

export function fromWebhook(w: AlertWebhook): AlertFormValues {
  const has = (e: AlertEvent) => w.events.includes(e);
  return {
    name: w.name,
    url: w.url,
    enabled: w.enabled,
    headers: Object.entries(w.headers ?? {}).map(([name, value]) =>
      isMasked(value) ? { name, value: '', masked: value } : { name, value },
    ),
    keyError: has('key.error'),
    keyExhausted: has('key.exhausted'),
    poolLow: has('pool.active_low'),
    activeKeysBelow: w.active_keys_below,
    activePercentBelow: w.active_percent_below,
    errorRate: has('error_rate.high'),
    errorRatePercent: w.error_rate_percent_above,
    errorRateMinRequests: w.error_rate_min_requests,
    validationFailures: has('validation.failures'),
  };
}

export function eventsOf(v: AlertFormValues): AlertEvent[] {
  const out: AlertEvent[] = [];
  if (v.keyError) out.push('key.error');
  if (v.keyExhausted) out.push('key.exhausted');
  if (v.poolLow) out.push('pool.active_low');
  if (v.errorRate) out.push('error_rate.high');
  if (v.validationFailures) out.push('validation.failures');
  return out;
}

// Problems are message keys of the alerts namespace, by form field ('headers.<i>' for a row).
export type AlertProblems = Record<string, string>;

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const RESERVED = new Set(['host', 'content-type', 'content-length', 'transfer-encoding', 'connection', 'user-agent', 'te', 'trailer', 'upgrade', 'keep-alive', 'proxy-connection', 'expect']);

function headersChanged(rows: HeaderRow[], original: AlertWebhook | null): boolean {
  if (!original) return rows.length > 0;
  const before = Object.entries(original.headers ?? {});
  if (before.length !== rows.length) return true;
  return rows.some((r, i) => {
    const [name, value] = before[i];
    if (r.name.trim() !== name) return true;
    return r.masked !== undefined ? r.value !== '' : r.value !== value;
  });
}

// Form values -> the API body, or the problems that keep it from being sent. `original` is the
// webhook being edited (null: create).
export function toAlertFields(
  v: AlertFormValues,
  original: AlertWebhook | null,
): { body: AlertFields; problems: AlertProblems } {
  const problems: AlertProblems = {};
  const events = eventsOf(v);
  if (!v.name.trim()) problems.name = 'form.nameRequired';
  const url = v.url.trim();
  if (!url) problems.url = 'form.urlRequired';
  else if (!/^https?:\/\/[^\s/?#@]+/i.test(url) || /^https?:\/\/[^/]*@/i.test(url) || url.includes('#')) problems.url = 'form.urlInvalid';
  if (events.length === 0) problems.events = 'form.eventsRequired';
  if (v.poolLow && v.activeKeysBelow == null && v.activePercentBelow == null) problems.activeKeysBelow = 'form.poolThreshold';
  if (v.errorRate && v.errorRatePercent == null) problems.errorRatePercent = 'form.errorRateThreshold';

  const body: AlertFields = {
    name: v.name.trim(),
    url,
    enabled: v.enabled,
    events,
    // An event's thresholds only while it is chosen.
    active_keys_below: v.poolLow ? v.activeKeysBelow : null,
    active_percent_below: v.poolLow ? v.activePercentBelow : null,
    error_rate_percent_above: v.errorRate ? v.errorRatePercent : null,
  };
  if (v.errorRate) body.error_rate_min_requests = v.errorRateMinRequests ?? DEFAULT_MIN_REQUESTS;

  const rows = v.headers ?? [];
  if (headersChanged(rows, original)) {
    const headers: Record<string, string> = {};
    const seen = new Set<string>();
    rows.forEach((r, i) => {
      const name = r.name.trim();
      const lower = name.toLowerCase();
      if (!name || !HEADER_NAME.test(name)) problems[`headers.${i}.name`] = 'form.headerName';
      else if (RESERVED.has(lower)) problems[`headers.${i}.name`] = 'form.headerReserved';
      else if (seen.has(lower)) problems[`headers.${i}.name`] = 'form.headerDuplicate';
      seen.add(lower);
      if (r.masked !== undefined && r.value === '') problems[`headers.${i}.value`] = 'form.headerReenter';
      else if (/[\r\n\0]/.test(r.value)) problems[`headers.${i}.value`] = 'form.headerValue';
      headers[name] = r.value;
    });
    if (rows.length > 16) problems.headers = 'form.headersTooMany';
    body.headers = rows.length ? headers : null;
  }
  return { body, problems };
}

// An event's key in the locale files (dots separate i18next keys).
export const evKey = (e: string) => e.replace(/\./g, '_');
