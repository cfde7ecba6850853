// Alert webhooks and their delivery log. Query keys start with 'alerts'.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { del, get, post, put } from '../../api/client';

export type AlertEvent = 'key.error' | 'key.exhausted' | 'pool.active_low' | 'error_rate.high' | 'validation.failures';
export const ALERT_EVENTS: AlertEvent[] = ['key.error', 'key.exhausted', 'pool.active_low', 'error_rate.high', 'validation.failures'];

export interface AlertWebhook {
  id: number;
  name: string;
  url: string;
  headers: Record<string, string>;
  enabled: boolean;
  events: AlertEvent[];
  active_keys_below: number | null;
  active_percent_below: number | null;
  error_rate_percent_above: number | null;
  error_rate_min_requests: number;
  created_at: string;
  updated_at: string;
}

export interface AlertFields {
  name?: string;
  url?: string;
  headers?: Record<string, string> | null;
  enabled?: boolean;
  events?: AlertEvent[];
  active_keys_below?: number | null;
  active_percent_below?: number | null;
  error_rate_percent_above?: number | null;
  error_rate_min_requests?: number;
}

export interface AlertDelivery {
  id: number;
  webhook_id: number;
  event: string;
  time: string;
  attempts: number;
  delivered: boolean;
  last_status: number | null;
  last_error: string;
  summary: string;
}

export interface TestResult {
  webhook_id: number;
  event: 'test';
  delivered: boolean;
  attempts: number;
  status: number | null;
  error: string;
}

export const alertsKey = ['alerts'] as const;

export function useWebhooks() {
  return useQuery({
    queryKey: [...alertsKey, 'webhooks'],
    queryFn: ({ signal }) => get<{ items: AlertWebhook[]; dropped: number }>('/alerts', undefined, signal),
  });
}

export function useDeliveries(webhookId: number | undefined, limit = 50) {
  return useInfiniteQuery({
    queryKey: [...alertsKey, 'deliveries', webhookId ?? null, limit],
    queryFn: ({ pageParam, signal }) =>
      get<{ items: AlertDelivery[]; next_cursor: number | null }>(
        '/alerts/deliveries',
        { webhook_id: webhookId, limit, cursor: pageParam ?? undefined },
        signal,
      ),
    initialPageParam: null as number | null,
    getNextPageParam: (last) => last.next_cursor,
  });
}

export function useAlertMutations() {
  const qc = useQueryClient();
  // A write is done when the server answers; the lists reload in the background, so a form
  // closes at once instead of waiting for (or hanging on) the refetch.
  const done = () => {
    void qc.invalidateQueries({ queryKey: alertsKey });
  };
  return {
    create: useMutation({ mutationFn: (b: AlertFields) => post<AlertWebhook>('/alerts', b), onSuccess: done }),
    update: useMutation({
      mutationFn: ({ id, body }: { id: number; body: AlertFields }) => put<AlertWebhook>(`/alerts/${id}`, body),
      onSuccess: done,
    }),
    remove: useMutation({ mutationFn: (id: number) => del<void>(`/alerts/${id}`), onSuccess: done }),
    test: useMutation({ mutationFn: (id: number) => post<TestResult>(`/alerts/${id}/test`), onSuccess: done }),
  };
}
