// The Logs page's filters and where they live: the URL's query string, so that a link such as
// /logs?status=5xx&model=gemini-2.5-flash restores them and the browser's back button steps
// through them. `id` (the open detail drawer) lives there too.
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';

export const RANGE_PRESETS = ['15m', '1h', '6h', '24h', '7d', '30d'] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];
export const PROTOCOLS = ['gemini', 'openai', 'anthropic'] as const;
export const STATUS_CLASSES = ['2xx', '3xx', '4xx', '5xx'] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];

const PRESET_MS: Record<RangePreset, number> = {
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '6h': 6 * 3_600_000,
  '24h': 24 * 3_600_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
};

export interface LogFilters {
  // A preset ("1h") or, when absent, the custom since/until (ISO 8601), or all time.
  range?: RangePreset;
  since?: string;
  until?: string;
  model?: string;
  protocol?: string;
  status?: StatusClass;
  stream?: boolean;
  token_id?: number;
  key_id?: number;
  min_latency_ms?: number;
  error?: string;
  request_id?: string;
}

// The URL parameter names, in the order they are written.
export const FILTER_PARAMS = [
  'range',
  'since',
  'until',
  'model',
  'protocol',
  'status',
  'stream',
  'token_id',
  'key_id',
  'min_latency_ms',
  'error',
  'request_id',
] as const;

function wholeNumber(v: string | null): number | undefined {
  if (v === null || !/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}

function isoTime(v: string | null): string | undefined {
  if (!v) return undefined;
  return Number.isNaN(Date.parse(v)) ? undefined : v;
}

function text(v: string | null): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

// Reads the filters from a query string; values that make no sense are left out, never guessed.
export function parseFilters(params: URLSearchParams): LogFilters {
  const f: LogFilters = {};
  const range = params.get('range');
  if (range && (RANGE_PRESETS as readonly string[]).includes(range)) f.range = range as RangePreset;
  else {
    f.since = isoTime(params.get('since'));
    f.until = isoTime(params.get('until'));
  }
  f.model = text(params.get('model'));
  const protocol = params.get('protocol');
  if (protocol && (PROTOCOLS as readonly string[]).includes(protocol)) f.protocol = protocol;
  const status = params.get('status');
  if (status && (STATUS_CLASSES as readonly string[]).includes(status)) f.status = status as StatusClass;
  const stream = params.get('stream');
  if (stream === 'true' || stream === 'false') f.stream = stream === 'true';
  f.token_id = wholeNumber(params.get('token_id'));
  f.key_id = wholeNumber(params.get('key_id'));
  f.min_latency_ms = wholeNumber(params.get('min_latency_ms'));
  f.error = text(params.get('error'));
  f.request_id = text(params.get('request_id'));
  for (const k of Object.keys(f) as Array<keyof LogFilters>) if (f[k] === undefined) delete f[k];
  return f;
}

// Writes the filters into `base` (other parameters, such as `id`, are kept).
export function writeFilters(filters: LogFilters, base = new URLSearchParams()): URLSearchParams {
  const out = new URLSearchParams(base);
  for (const name of FILTER_PARAMS) out.delete(name);
  for (const name of FILTER_PARAMS) {
    const v = filters[name];
    if (v === undefined || v === null || v === '') continue;
    if ((name === 'since' || name === 'until') && filters.range) continue;
    out.set(name, String(v));
  }
  return out;
}

// How many filters are set, the time range counting as one (shown on the phone's Filters button).
export function activeFilterCount(f: LogFilters): number {
  const time = f.range || f.since || f.until ? 1 : 0;
  return time + FILTER_PARAMS.filter((n) => n !== 'range' && n !== 'since' && n !== 'until' && f[n] !== undefined).length;
}

// The query sent to GET /api/v1/logs: a preset becomes `since` measured back from `now`.
export function toApiQuery(f: LogFilters, now: number): Record<string, string | number | boolean | undefined> {
  const since = f.range ? new Date(now - PRESET_MS[f.range]).toISOString() : f.since;
  return {
    since,
    until: f.range ? undefined : f.until,
    model: f.model,
    protocol: f.protocol,
    status: f.status,
    stream: f.stream,
    token_id: f.token_id,
    key_id: f.key_id,
    min_latency_ms: f.min_latency_ms,
    error: f.error,
    request_id: f.request_id,
  };
}

// The filters and the open entry, read from and written to the URL. Every change is a new
// history entry, so Back undoes it.
export function useLogFilters() {
  const [params, setParams] = useSearchParams();
  const key = params.toString();
  const filters = useMemo(() => parseFilters(new URLSearchParams(key)), [key]);
  const openId = wholeNumber(params.get('id'));

  const setFilters = useCallback(
    (next: LogFilters) => {
      setParams((prev) => {
        const out = writeFilters(next, prev);
        out.delete('id');
        return out;
      });
    },
    [setParams],
  );
  const patchFilters = useCallback(
    (patch: Partial<LogFilters>) => {
      setParams((prev) => {
        const out = writeFilters({ ...parseFilters(prev), ...patch }, prev);
        out.delete('id');
        return out;
      });
    },
    [setParams],
  );
  const openEntry = useCallback(
    (id: number | undefined) => {
      setParams((prev) => {
        const out = new URLSearchParams(prev);
        if (id === undefined) out.delete('id');
        else out.set('id', String(id));
        return out;
      });
    },
    [setParams],
  );
  return { filters, setFilters, patchFilters, openId, openEntry, queryString: key };
}
