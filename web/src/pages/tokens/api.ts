// Client tokens: the admin API's shapes (GET/POST /tokens, /tokens/{id}, enable/disable/rotate,
// /usage/tokens/{id}) and the TanStack Query hooks this page uses. Query keys start with 'tokens'.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { del, get, post, put } from '../../api/client';

export type Protocol = 'native' | 'openai' | 'anthropic';
export const PROTOCOLS: Protocol[] = ['native', 'openai', 'anthropic'];

export interface TokenUsage {
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  today: { requests: number; tokens: number };
}

export interface ClientToken {
  id: number;
  name: string;
  note: string;
  owner_id: number | null;
  owner: string | null;
  prefix: string;
  enabled: boolean;
  expires_at: string | null;
  expired: boolean;
  allowed_models: string[];
  allowed_protocols: Protocol[];
  allowed_cidrs: string[];
  rpm_limit: number | null;
  daily_request_quota: number | null;
  daily_token_quota: number | null;
  created_at: string;
  updated_at: string;
  last_used_at: string | null;
  usage: TokenUsage;
}

export interface ClientTokenWithValue extends ClientToken {
  token: string;
}

// The writable fields (POST and PUT bodies).
export interface TokenFields {
  name?: string;
  note?: string;
  enabled?: boolean;
  expires_at?: string | null;
  allowed_models?: string[] | null;
  allowed_protocols?: Protocol[] | null;
  allowed_cidrs?: string[] | null;
  rpm_limit?: number | null;
  daily_request_quota?: number | null;
  daily_token_quota?: number | null;
}

export interface TokenList {
  total: number;
  items: ClientToken[];
}

export interface TokenListQuery {
  page: number;
  page_size: number;
  search?: string;
  enabled?: 'true' | 'false';
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
  latency_ms: { avg: number | null; p50: number | null; p95: number | null; p99: number | null };
}

export interface TokenUsageSeries {
  token_id: number;
  from: string;
  to: string;
  step_seconds: number;
  granularity: 'minute' | 'hour' | 'day';
  totals: UsageCounts;
  points: Array<UsageCounts & { timestamp: string }>;
}

export const tokensKey = ['tokens'] as const;

export function useTokens(q: TokenListQuery) {
  return useQuery({
    queryKey: [...tokensKey, 'list', q],
    queryFn: ({ signal }) => get<TokenList>('/tokens', { ...q }, signal),
    placeholderData: keepPreviousData,
  });
}

export function useTokenUsage(id: number | null, range: { from: string; to: string; step?: string }) {
  return useQuery({
    queryKey: [...tokensKey, 'usage', id, range],
    queryFn: ({ signal }) => get<TokenUsageSeries>(`/usage/tokens/${id}`, { ...range }, signal),
    enabled: id !== null,
  });
}

export function useTokenMutations() {
  const qc = useQueryClient();
  // A write is done when the server answers; the lists reload in the background, so a form
  // closes at once instead of waiting for (or hanging on) the refetch.
  const done = () => {
    void qc.invalidateQueries({ queryKey: tokensKey });
  };
  return {
    create: useMutation({ mutationFn: (b: TokenFields) => post<ClientTokenWithValue>('/tokens', b), onSuccess: done }),
    update: useMutation({
      mutationFn: ({ id, body }: { id: number; body: TokenFields }) => put<ClientToken>(`/tokens/${id}`, body),
      onSuccess: done,
    }),
    setEnabled: useMutation({
      mutationFn: ({ id, enabled }: { id: number; enabled: boolean }) =>
        post<ClientToken>(`/tokens/${id}/${enabled ? 'enable' : 'disable'}`),
      onSuccess: done,
    }),
    rotate: useMutation({ mutationFn: (id: number) => post<ClientTokenWithValue>(`/tokens/${id}/rotate`), onSuccess: done }),
    remove: useMutation({ mutationFn: (id: number) => del<void>(`/tokens/${id}`), onSuccess: done }),
  };
}
