// The audit log: GET /audit with user, action, target, since, until and page/page_size.
// Query keys start with 'audit'.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { get } from '../../api/client';

export interface AuditEntry {
  id: number;
  user_id: number | null;
  username: string;
  action: string;
  target: string;
  detail: string;
  ip: string;
  created_at: string;
}

export interface AuditPage {
  total: number;
  items: AuditEntry[];
  next_cursor: string | null;
}

export interface AuditFilters {
  user?: string;
  action?: string;
  target?: string;
  since?: string;
  until?: string;
}

export interface AuditQuery extends AuditFilters {
  page: number;
  page_size: number;
}

export function useAudit(q: AuditQuery) {
  return useQuery({
    queryKey: ['audit', q],
    queryFn: ({ signal }) => get<AuditPage>('/audit', { ...q }, signal),
    placeholderData: keepPreviousData,
  });
}

// The filters as URL search parameters and back, so that a filtered view can be linked.
const FILTER_NAMES = ['user', 'action', 'target', 'since', 'until'] as const;

export function filtersFromParams(p: URLSearchParams): AuditQuery {
  const out: AuditQuery = { page: 1, page_size: 50 };
  for (const n of FILTER_NAMES) {
    const v = p.get(n);
    if (v) out[n] = v;
  }
  const page = Number(p.get('page'));
  if (Number.isInteger(page) && page >= 1) out.page = page;
  const size = Number(p.get('page_size'));
  if ([20, 50, 100, 200].includes(size)) out.page_size = size;
  return out;
}

export function paramsFromFilters(q: AuditQuery): URLSearchParams {
  const p = new URLSearchParams();
  for (const n of FILTER_NAMES) {
    const v = q[n];
    if (v) p.set(n, v);
  }
  if (q.page > 1) p.set('page', String(q.page));
  if (q.page_size !== 50) p.set('page_size', String(q.page_size));
  return p;
}
