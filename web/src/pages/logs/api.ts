// The request log's admin routes (GET /api/v1/logs, GET /api/v1/logs/{id}) and the client-token
// list the token filter offers. Shapes: /openapi.json (RequestLogEntry).
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { get } from '../../api/client';
import { toApiQuery, type LogFilters } from './filters';

export interface RequestLogEntry {
  id: number;
  created_at: string;
  request_id: string;
  token_id: number;
  token_name: string;
  protocol: string;
  route: string;
  method: string;
  path: string;
  model: string;
  stream: boolean;
  status: number;
  attempts: number;
  keys_tried: string;
  key_ids: number[];
  latency_ms: number;
  ttfb_ms: number | null;
  prompt_tokens: number;
  completion_tokens: number;
  thought_tokens: number;
  cached_tokens: number;
  error_class: string;
  error_message: string;
  client_ip: string;
  user_agent: string;
  request_body?: string;
  response_body?: string;
}

export interface LogPage {
  items: RequestLogEntry[];
  next_cursor: string | null;
}

export interface ClientTokenBrief {
  id: number;
  name: string;
  prefix?: string;
  enabled?: boolean;
}

export const PAGE_SIZE = 50;

// One attempt of `keys_tried` ("12:cooldown,15:success"), in order.
export interface Attempt {
  keyId: number | null;
  outcome: string;
}

export function parseKeysTried(text: string): Attempt[] {
  if (!text) return [];
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const colon = part.indexOf(':');
      const id = colon < 0 ? part : part.slice(0, colon);
      const outcome = colon < 0 ? '' : part.slice(colon + 1);
      return { keyId: /^\d+$/.test(id) ? Number(id) : null, outcome };
    });
}

// `now` is fixed while the filters stay the same, so a range preset's `since` does not slide
// between the pages of one listing; refresh() picks a new one.
export function useLogs(filters: LogFilters, now: number) {
  return useInfiniteQuery({
    queryKey: ['logs', 'list', filters, now],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      get<LogPage>('/logs', { ...toApiQuery(filters, now), limit: PAGE_SIZE, cursor: pageParam }, signal),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
}

export function useLogEntry(id: number | undefined) {
  return useQuery({
    queryKey: ['logs', 'entry', id],
    queryFn: ({ signal }) => get<RequestLogEntry>(`/logs/${id}`, undefined, signal),
    enabled: id !== undefined,
    staleTime: 60_000,
  });
}

export function useClientTokens() {
  return useQuery({
    queryKey: ['logs', 'tokens'],
    queryFn: ({ signal }) => get<{ total: number; items: ClientTokenBrief[] }>('/tokens', { page: 1, page_size: 1000 }, signal),
    staleTime: 60_000,
  });
}
