// The Keys page's view of the admin API (exact shapes: /openapi.json): types, fetchers and the
// TanStack Query hooks, every query key under ['keys', …].
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { del, get, post, put } from '../../api/client';

export const KEY_STATUSES = ['active', 'exhausted', 'error', 'disabled'] as const;
export type KeyStatus = (typeof KEY_STATUSES)[number];
export const KEY_PRIORITIES = ['high', 'normal', 'low'] as const;
export type KeyPriority = (typeof KEY_PRIORITIES)[number];

export interface ApiKey {
  id: number;
  key_value: string; // masked
  status: KeyStatus;
  description: string | null;
  priority: KeyPriority;
  created_at: string;
  updated_at: string;
  last_used_at: string | null;
  usage_count: number;
  failed_count: number;
}

// A listed key also carries its live cooldowns that have not ended.
export interface ListedKey extends ApiKey {
  cooldowns: { model: string; until: string }[];
}

export interface ApiKeyPage {
  total: number;
  items: ListedKey[];
}

export interface KeysAdded {
  total_processed: number;
  total_added: number;
}

export interface Cooldown {
  model: string;
  until: string;
  reason: string;
}

export interface KeyDetail extends ApiKey {
  live: {
    status: KeyStatus;
    failed_count: number;
    cooldowns: Cooldown[];
    bucket?: { capacity: number; tokens: number; refill_rate: number; priority: KeyPriority; overridden: boolean };
    usage_last_24_hours?: number;
    failures_last_24_hours?: number;
  };
  status_history: { from_status: string; to_status: string; reason: string; created_at: string }[];
}

export interface Bucket {
  api_key_id: number;
  capacity: number;
  tokens: number;
  refill_rate: number;
  last_refill: string;
  priority: KeyPriority;
  overridden: boolean;
}

export interface CheckResult {
  key_id: number;
  key_value: string;
  status: string; // valid, error, exhausted, timeout, network_error, …
  message: string;
  key_status: string;
}

export interface BulkCheckTask {
  task_id: string;
  key_ids: number[];
  status: 'pending' | 'running' | 'completed' | 'failed';
  progress: number;
  total_keys: number;
  completed_keys: number;
  results: CheckResult[];
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
}

export interface UsageCounts {
  requests: number;
  errors: number;
  attempts: number;
  failed_attempts: number;
  prompt_tokens: number;
  completion_tokens: number;
}
export interface KeyUsage {
  key_id: number;
  key_value: string | null;
  from: string;
  to: string;
  step_seconds: number;
  granularity: 'minute' | 'hour' | 'day';
  totals: UsageCounts;
  points: (UsageCounts & { timestamp: string })[];
}

export interface BulkUpdateAnswer {
  total_requested: number;
  total_updated: number;
  failed_ids: number[];
}

export interface KeyListQuery {
  page: number;
  pageSize: number;
  status?: KeyStatus;
  q?: string;
  minFailed?: number;
}

// Fetchers.
export const fetchKeyPage = (q: KeyListQuery, signal?: AbortSignal) =>
  get<ApiKeyPage>(
    '/api_keys/paginated',
    { page: q.page, page_size: q.pageSize, status: q.status, search_key: q.q, min_failed_count: q.minFailed },
    signal,
  );
export const fetchKeyDetail = (id: number, signal?: AbortSignal) => get<KeyDetail>(`/api_keys/${id}/detail`, undefined, signal);
export const fetchBucket = (id: number, signal?: AbortSignal) =>
  get<Bucket>(`/token-bucket/api-keys/${id}/status`, undefined, signal);
export const fetchKeyUsage = (id: number, signal?: AbortSignal) =>
  get<KeyUsage>(`/usage/keys/${id}`, { step: 'hour' }, signal);
export const revealKey = (id: number) => get<{ id: number; key_value: string }>(`/api_keys/${id}/reveal`);

export const addKey = (body: { key_value: string; priority?: KeyPriority; description?: string }) =>
  post<ApiKey>('/api_keys', body);
export const bulkAddKeys = (keys_string: string) => post<KeysAdded>('/api_keys/bulk-add', { keys_string });
export const addKeyList = (keys: string[]) => post<KeysAdded>('/api_keys/add-list', { keys });
export const bulkUpdateKeys = (key_ids: number[], updates: { status?: KeyStatus; priority?: KeyPriority }) =>
  put<BulkUpdateAnswer>('/api_keys/bulk-update', { key_ids, updates });
export const bulkDeleteKeys = (ids: number[]) => del<{ detail: string; deleted: number }>('/api_keys/bulk-delete', { ids });
export const updateKey = (id: number, body: { status?: KeyStatus; priority?: KeyPriority; description?: string }) =>
  put<ApiKey>(`/api_keys/${id}`, body);
export const deleteKey = (id: number) => del<{ detail: string }>(`/api_keys/${id}`);
export const checkKey = (id: number) => post<CheckResult>(`/api_keys/check/${id}`);
export const startBulkCheck = (key_ids: number[]) =>
  post<{ message: string; task_id: string; total_keys: number }>('/api_keys/bulk-check', { key_ids });
export const fetchBulkCheck = (taskId: string, signal?: AbortSignal) =>
  get<BulkCheckTask>(`/api_keys/bulk-check/${encodeURIComponent(taskId)}/status`, undefined, signal);

// Every id the current filters select, page by page (for "check all"). At most `limit` ids.
export async function fetchAllIds(q: Omit<KeyListQuery, 'page' | 'pageSize'>, limit = 20000): Promise<number[]> {
  const ids: number[] = [];
  for (let page = 1; ids.length < limit; page++) {
    const p = await fetchKeyPage({ ...q, page, pageSize: 1000 });
    ids.push(...p.items.map((k) => k.id));
    if (p.items.length < 1000 || ids.length >= p.total) break;
  }
  return ids.slice(0, limit);
}

// Hooks.
export const keysRoot = ['keys'] as const;

export function useKeyPage(q: KeyListQuery) {
  return useQuery({
    queryKey: ['keys', 'page', q],
    queryFn: ({ signal }) => fetchKeyPage(q, signal),
    placeholderData: keepPreviousData,
  });
}

export function useKeyDetail(id: number | null) {
  return useQuery({
    queryKey: ['keys', 'detail', id],
    queryFn: ({ signal }) => fetchKeyDetail(id as number, signal),
    enabled: id !== null,
    refetchInterval: 15_000,
  });
}

export function useBucket(id: number | null) {
  return useQuery({
    queryKey: ['keys', 'bucket', id],
    queryFn: ({ signal }) => fetchBucket(id as number, signal),
    enabled: id !== null,
    refetchInterval: 5_000,
  });
}

export function useKeyUsage(id: number | null) {
  return useQuery({
    queryKey: ['keys', 'usage', id],
    queryFn: ({ signal }) => fetchKeyUsage(id as number, signal),
    enabled: id !== null,
    staleTime: 30_000,
  });
}

export function useInvalidateKeys() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: keysRoot });
}
