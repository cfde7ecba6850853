// Shaping the API's answers into what the dashboard draws: [time, value] pairs for the charts,
// minute totals for the calls sparkline, and the small decisions (is there anything to draw? is
// this a fresh install?). Pure functions, unit-tested.
import type { CallStats, CallsByMinute, KeyCounts, KeyStatus, SurvivalPoint, TopItem, UsageCounts, UsagePoint } from './api';

export type Pair = [number, number | null];

const ms = (iso: string) => Date.parse(iso);

export interface RequestSeries {
  requests: Pair[];
  errors: Pair[];
}

export function requestSeries(points: UsagePoint[]): RequestSeries {
  return {
    requests: points.map((p) => [ms(p.timestamp), p.requests]),
    errors: points.map((p) => [ms(p.timestamp), p.errors]),
  };
}

export interface TokenSeries {
  prompt: Pair[];
  completion: Pair[];
  thought: Pair[];
}

export function tokenSeries(points: UsagePoint[]): TokenSeries {
  return {
    prompt: points.map((p) => [ms(p.timestamp), p.prompt_tokens]),
    completion: points.map((p) => [ms(p.timestamp), p.completion_tokens]),
    thought: points.map((p) => [ms(p.timestamp), p.thought_tokens]),
  };
}

export interface LatencySeries {
  p50: Pair[];
  p95: Pair[];
  p99: Pair[];
}

// Steps without requests have no latency (null): the line breaks there instead of dropping to 0.
export function latencySeries(points: UsagePoint[]): LatencySeries {
  return {
    p50: points.map((p) => [ms(p.timestamp), p.latency_ms.p50]),
    p95: points.map((p) => [ms(p.timestamp), p.latency_ms.p95]),
    p99: points.map((p) => [ms(p.timestamp), p.latency_ms.p99]),
  };
}

export const hasRequests = (points: UsagePoint[] | undefined) => !!points?.some((p) => p.requests > 0);
export const hasTokens = (points: UsagePoint[] | undefined) =>
  !!points?.some((p) => p.prompt_tokens + p.completion_tokens + p.thought_tokens > 0);
export const hasLatency = (points: UsagePoint[] | undefined) => !!points?.some((p) => p.latency_ms.p50 !== null);

export interface Totals {
  requests: number;
  errors: number;
  tokens: number;
}

// The range's totals, shown above the charts.
export function totals(points: UsagePoint[] | undefined): Totals {
  const out = { requests: 0, errors: 0, tokens: 0 };
  for (const p of points ?? []) {
    out.requests += p.requests;
    out.errors += p.errors;
    out.tokens += totalTokens(p);
  }
  return out;
}

export const totalTokens = (c: Pick<UsageCounts, 'prompt_tokens' | 'completion_tokens' | 'thought_tokens'>) =>
  c.prompt_tokens + c.completion_tokens + c.thought_tokens;

export const errorRate = (c: Pick<UsageCounts, 'requests' | 'errors'>) => (c.requests > 0 ? c.errors / c.requests : null);

export type SurvivalSeries = Record<KeyStatus, Pair[]>;

export function survivalSeries(stats: SurvivalPoint[]): SurvivalSeries {
  return {
    active: stats.map((s) => [ms(s.timestamp), s.active_keys]),
    exhausted: stats.map((s) => [ms(s.timestamp), s.exhausted_keys]),
    error: stats.map((s) => [ms(s.timestamp), s.error_keys]),
    disabled: stats.map((s) => [ms(s.timestamp), s.disabled_keys]),
  };
}

export interface MinuteTotals {
  calls: Pair[];
  failures: Pair[];
}

// Upstream attempts per minute over the last `minutes` minutes ending with the current one,
// summed over the keys, zeros where nothing happened.
export function minuteTotals(logs: CallsByMinute['logs'], now: number = Date.now(), minutes = 60): MinuteTotals {
  const last = Math.floor(now / 60_000) * 60_000;
  const first = last - (minutes - 1) * 60_000;
  const calls = new Map<number, number>();
  const failures = new Map<number, number>();
  for (const row of logs) {
    const t = Math.floor(ms(row.timestamp) / 60_000) * 60_000;
    if (t < first || t > last) continue;
    calls.set(t, (calls.get(t) ?? 0) + row.call_count);
    failures.set(t, (failures.get(t) ?? 0) + row.failure_count);
  }
  const out: MinuteTotals = { calls: [], failures: [] };
  for (let t = first; t <= last; t += 60_000) {
    out.calls.push([t, calls.get(t) ?? 0]);
    out.failures.push([t, failures.get(t) ?? 0]);
  }
  return out;
}

export interface StatusCard {
  status: KeyStatus | 'total';
  count: number;
  // Where the card leads: the Keys page, filtered to that status.
  href: string;
}

export function statusCards(c: KeyCounts): StatusCard[] {
  return [
    { status: 'total', count: c.total_keys, href: '/keys' },
    { status: 'active', count: c.active_keys, href: '/keys?status=active' },
    { status: 'exhausted', count: c.exhausted_keys, href: '/keys?status=exhausted' },
    { status: 'error', count: c.error_keys, href: '/keys?status=error' },
    { status: 'disabled', count: c.disabled_keys, href: '/keys?status=disabled' },
  ];
}

// A fresh install: no key in the pool and no call this month. The dashboard then says what to do.
export function isFreshInstall(keys: KeyCounts | undefined, calls: CallStats | undefined): boolean {
  if (!keys || !calls) return false;
  return keys.total_keys === 0 && calls.monthly_usage === 0 && calls.calls_last_24_hours === 0;
}

// Keys but no traffic yet: the dashboard says how to send the first request.
export function awaitsTraffic(keys: KeyCounts | undefined, calls: CallStats | undefined): boolean {
  if (!keys || !calls) return false;
  return keys.total_keys > 0 && calls.monthly_usage === 0 && calls.calls_last_24_hours === 0;
}

// A client token's name in the top-tokens table: 0 is the gateway's default api_token; a token
// that no longer exists (or whose name is not loaded yet) is shown by its id.
export type TokenLabel = { kind: 'default' } | { kind: 'named'; name: string } | { kind: 'id'; id: number };

export function tokenLabel(item: TopItem, names: Map<number, string> | undefined): TokenLabel {
  const id = item.token_id ?? Number(item.value);
  if (id === 0) return { kind: 'default' };
  const name = names?.get(id);
  return name ? { kind: 'named', name } : { kind: 'id', id };
}
