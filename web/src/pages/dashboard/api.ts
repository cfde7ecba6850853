// The dashboard's admin API: shapes (exact: /openapi.json), fetchers and TanStack Query hooks.
// Every query key starts with 'dashboard'; every query refreshes itself every REFRESH_MS while the
// tab is visible (never in the background).
import { useQuery } from '@tanstack/react-query';
import { get } from '../../api/client';
import { type RangeKey, survivalQuery, usageQuery, rangeWindow } from './ranges';

export const REFRESH_MS = 15_000;
export const DASHBOARD_KEY = ['dashboard'] as const;

export type KeyStatus = 'active' | 'exhausted' | 'error' | 'disabled';
export const KEY_STATUSES: KeyStatus[] = ['active', 'exhausted', 'error', 'disabled'];

export interface KeyCounts {
  active_keys: number;
  exhausted_keys: number;
  error_keys: number;
  disabled_keys: number;
  total_keys: number;
}

export interface CallStats {
  calls_last_1_minute: number;
  calls_last_1_hour: number;
  calls_last_24_hours: number;
  monthly_usage: number;
  failures_last_24_hours: number;
}

export interface CallsByMinute {
  complete_since: string | null;
  logs: Array<{ api_key_id: number; key_value: string; timestamp: string; call_count: number; failure_count: number }>;
}

export interface SurvivalPoint extends KeyCounts {
  timestamp: string;
}

export interface Survival {
  statistics: SurvivalPoint[];
  resolution: string;
  bucket_seconds: number;
  start_time: string;
  end_time: string;
}

export interface Latency {
  avg: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface UsageCounts {
  requests: number;
  errors: number;
  errors_by_class: Record<string, number>;
  attempts: number;
  failed_attempts: number;
  prompt_tokens: number;
  completion_tokens: number;
  thought_tokens: number;
  cached_tokens: number;
  latency_ms: Latency;
}

export interface UsagePoint extends UsageCounts {
  timestamp: string;
}

export interface Timeseries {
  from: string;
  to: string;
  step_seconds: number;
  granularity: 'minute' | 'hour' | 'day';
  dimension: 'all' | 'model' | 'token' | 'key';
  value: string | null;
  points: UsagePoint[];
}

export type TopBy = 'model' | 'token' | 'key';

export interface TopItem extends UsageCounts {
  value: string;
  token_id?: number;
  key_id?: number;
  key_value?: string | null;
}

export interface Top {
  by: TopBy;
  from: string;
  to: string;
  items: TopItem[];
}

// Only what the dashboard reads of a client token: its name.
export interface TokenName {
  id: number;
  name: string;
}

const live = { refetchInterval: REFRESH_MS, refetchIntervalInBackground: false } as const;

export const useKeyCounts = () =>
  useQuery({
    queryKey: [...DASHBOARD_KEY, 'keys'],
    queryFn: ({ signal }) => get<KeyCounts>('/api_keys/statistics/keys', undefined, signal),
    ...live,
  });

export const useCallStats = () =>
  useQuery({
    queryKey: [...DASHBOARD_KEY, 'calls'],
    queryFn: ({ signal }) => get<CallStats>('/api_keys/statistics/calls', undefined, signal),
    ...live,
  });

export const useCallsByMinute = () =>
  useQuery({
    queryKey: [...DASHBOARD_KEY, 'calls_by_minute'],
    queryFn: ({ signal }) => get<CallsByMinute>('/api_keys/statistics/calls_by_minute', { hours_ago: 1 }, signal),
    ...live,
  });

// The window is computed when the query runs, so each refresh moves the right edge to now.
export const useSurvival = (range: RangeKey) =>
  useQuery({
    queryKey: [...DASHBOARD_KEY, 'survival', range],
    queryFn: ({ signal }) => get<Survival>('/api_keys/statistics/survival', survivalQuery(range), signal),
    placeholderData: (prev) => prev,
    ...live,
  });

export const useTimeseries = (range: RangeKey) =>
  useQuery({
    queryKey: [...DASHBOARD_KEY, 'timeseries', range],
    queryFn: ({ signal }) => get<Timeseries>('/usage/timeseries', usageQuery(range), signal),
    placeholderData: (prev) => prev,
    ...live,
  });

export const TOP_LIMIT = 5;

export const useTop = (by: TopBy, range: RangeKey) =>
  useQuery({
    queryKey: [...DASHBOARD_KEY, 'top', by, range],
    queryFn: ({ signal }) => get<Top>('/usage/top', { by, limit: TOP_LIMIT, ...rangeWindow(range) }, signal),
    placeholderData: (prev) => prev,
    ...live,
  });

// Client token names for the top-tokens table (the usage API gives ids). Only asked when the
// table has tokens to name; a deleted token keeps its id.
export const useTokenNames = (enabled: boolean) =>
  useQuery({
    queryKey: [...DASHBOARD_KEY, 'token_names'],
    queryFn: async ({ signal }) => {
      const page = await get<{ total: number; items: TokenName[] }>('/tokens', { page: 1, page_size: 1000 }, signal);
      return new Map(page.items.map((t) => [t.id, t.name]));
    },
    enabled,
    staleTime: 60_000,
  });
