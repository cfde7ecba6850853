// A range preset kept in the URL (?range=7d, ?survival=1h), so a reload or a shared link shows the
// same view; an unknown or missing value falls back to the default.
import { useCallback } from 'react';
import { useSearchParams } from 'react-router';
import { isRangeKey, type RangeKey } from './ranges';

export function useRangeParam(name: string, fallback: RangeKey, allowed: RangeKey[]): [RangeKey, (v: RangeKey) => void] {
  const [params, setParams] = useSearchParams();
  const raw = params.get(name);
  const value = isRangeKey(raw) && allowed.includes(raw) ? raw : fallback;
  const set = useCallback(
    (v: RangeKey) =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          if (v === fallback) next.delete(name);
          else next.set(name, v);
          return next;
        },
        { replace: true },
      ),
    [name, fallback, setParams],
  );
  return [value, set];
}
