// The Keys page's filters, page and open key live in the URL query, so every view is a deep link:
// /keys?status=error&q=abc&min_failed=3&page=2&size=50&key=12
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { KEY_STATUSES, type KeyStatus } from './api';

export const PAGE_SIZES = [10, 20, 50, 100] as const;
export const DEFAULT_PAGE_SIZE = 20;

export interface KeyFilters {
  page: number;
  pageSize: number;
  status?: KeyStatus;
  q?: string;
  minFailed?: number;
  key?: number; // the key whose drawer is open
}

function positiveInt(text: string | null): number | undefined {
  if (text === null || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

// Reads the filters from a query string; anything malformed falls back to the default.
export function parseFilters(params: URLSearchParams): KeyFilters {
  const status = params.get('status');
  const page = positiveInt(params.get('page'));
  const size = positiveInt(params.get('size'));
  const q = params.get('q')?.trim();
  const minFailed = positiveInt(params.get('min_failed'));
  const key = positiveInt(params.get('key'));
  return {
    page: page && page >= 1 ? page : 1,
    pageSize: size && (PAGE_SIZES as readonly number[]).includes(size) ? size : DEFAULT_PAGE_SIZE,
    status: status && (KEY_STATUSES as readonly string[]).includes(status) ? (status as KeyStatus) : undefined,
    q: q ? q : undefined,
    minFailed: minFailed && minFailed > 0 ? minFailed : undefined,
    key: key && key > 0 ? key : undefined,
  };
}

// Writes the filters as a query string, leaving defaults out so links stay short.
export function filtersToParams(f: KeyFilters): URLSearchParams {
  const p = new URLSearchParams();
  if (f.status) p.set('status', f.status);
  if (f.q) p.set('q', f.q);
  if (f.minFailed) p.set('min_failed', String(f.minFailed));
  if (f.page > 1) p.set('page', String(f.page));
  if (f.pageSize !== DEFAULT_PAGE_SIZE) p.set('size', String(f.pageSize));
  if (f.key) p.set('key', String(f.key));
  return p;
}

// Merges a change into the filters: a change of status, search, minimum failures or page size
// goes back to page 1 (the old page may not exist any more).
export function applyChange(f: KeyFilters, change: Partial<KeyFilters>): KeyFilters {
  const next = { ...f, ...change };
  const refilters = ['status', 'q', 'minFailed', 'pageSize'].some(
    (k) => k in change && change[k as keyof KeyFilters] !== f[k as keyof KeyFilters],
  );
  if (refilters && !('page' in change)) next.page = 1;
  if (next.q !== undefined) next.q = next.q.trim() || undefined;
  return next;
}

export function useKeyFilters() {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => parseFilters(params), [params]);
  const update = useCallback(
    (change: Partial<KeyFilters>, opts?: { replace?: boolean }) => {
      setParams((prev) => filtersToParams(applyChange(parseFilters(prev), change)), { replace: opts?.replace });
    },
    [setParams],
  );
  const hasFilters = Boolean(filters.status || filters.q || filters.minFailed);
  return { filters, update, hasFilters };
}
