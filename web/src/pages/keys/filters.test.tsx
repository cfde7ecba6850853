import { describe, expect, it } from 'vitest';
import { act, renderHook } from '@testing-library/react';
import { MemoryRouter, useLocation } from 'react-router';
import type { ReactNode } from 'react';
import { applyChange, filtersToParams, parseFilters, useKeyFilters } from './filters';

describe('parseFilters / filtersToParams', () => {
  it('reads a deep link and writes it back the same', () => {
    const p = new URLSearchParams('status=error&q=abc&page=2&size=50&min_failed=3&key=12');
    const f = parseFilters(p);
    expect(f).toEqual({ status: 'error', q: 'abc', page: 2, pageSize: 50, minFailed: 3, key: 12 });
    expect(filtersToParams(f).toString()).toBe('status=error&q=abc&min_failed=3&page=2&size=50&key=12');
  });

  it('falls back to defaults on anything malformed and leaves defaults out of the URL', () => {
    const f = parseFilters(new URLSearchParams('status=bogus&page=-1&size=7&min_failed=x&key=0&q=%20%20'));
    expect(f).toEqual({ page: 1, pageSize: 20, status: undefined, q: undefined, minFailed: undefined, key: undefined });
    expect(filtersToParams(f).toString()).toBe('');
  });

  it('goes back to page 1 when a filter or the page size changes, not when the drawer opens', () => {
    const f = parseFilters(new URLSearchParams('page=3&status=active'));
    expect(applyChange(f, { status: 'error' }).page).toBe(1);
    expect(applyChange(f, { q: ' abc ' })).toMatchObject({ page: 1, q: 'abc' });
    expect(applyChange(f, { pageSize: 50 }).page).toBe(1);
    expect(applyChange(f, { key: 9 })).toMatchObject({ page: 3, key: 9 });
    expect(applyChange(f, { status: 'active' }).page).toBe(3); // unchanged value: same page
    expect(applyChange(f, { page: 4 }).page).toBe(4);
  });
});

describe('useKeyFilters', () => {
  function setup(initial: string) {
    const wrapper = ({ children }: { children: ReactNode }) => <MemoryRouter initialEntries={[initial]}>{children}</MemoryRouter>;
    return renderHook(() => ({ ...useKeyFilters(), location: useLocation() }), { wrapper });
  }

  it('exposes the URL filters and writes changes to the URL', () => {
    const { result } = setup('/keys?status=error&q=abc&page=2');
    expect(result.current.filters).toMatchObject({ status: 'error', q: 'abc', page: 2, pageSize: 20 });
    expect(result.current.hasFilters).toBe(true);

    act(() => result.current.update({ page: 3 }));
    expect(result.current.location.search).toBe('?status=error&q=abc&page=3');

    act(() => result.current.update({ minFailed: 2 }));
    expect(result.current.location.search).toBe('?status=error&q=abc&min_failed=2');

    act(() => result.current.update({ key: 7 }));
    expect(result.current.filters.key).toBe(7);
    act(() => result.current.update({ key: undefined }));
    expect(result.current.location.search).toBe('?status=error&q=abc&min_failed=2');

    act(() => result.current.update({ status: undefined, q: undefined, minFailed: undefined }));
    expect(result.current.location.search).toBe('');
    expect(result.current.hasFilters).toBe(false);
  });
});
