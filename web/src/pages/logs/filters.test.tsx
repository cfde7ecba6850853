import { describe, expect, it } from 'vitest';
import { act, renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter, useLocation } from 'react-router';
import { activeFilterCount, parseFilters, toApiQuery, useLogFilters, writeFilters } from './filters';
import { parseKeysTried } from './api';
import { shortPath } from './LogsPage';

describe('parseFilters / writeFilters', () => {
  it('reads a deep link and leaves out values that make no sense', () => {
    const f = parseFilters(new URLSearchParams('status=5xx&model=gemini-2.5-flash&protocol=openai&stream=true&key_id=12&min_latency_ms=abc&token_id=0&range=1h&bogus=1'));
    expect(f).toEqual({ status: '5xx', model: 'gemini-2.5-flash', protocol: 'openai', stream: true, key_id: 12, token_id: 0, range: '1h' });
    expect(parseFilters(new URLSearchParams('status=6xx&protocol=smtp&stream=maybe'))).toEqual({});
  });

  it('keeps a custom range only without a preset, and round-trips', () => {
    const f = parseFilters(new URLSearchParams('since=2026-12-01T00:00:00.000Z&until=2026-12-02T00:00:00.000Z&error=quota'));
    expect(f).toEqual({ since: '2026-12-01T00:00:00.000Z', until: '2026-12-02T00:00:00.000Z', error: 'quota' });
    expect(parseFilters(writeFilters(f))).toEqual(f);
    expect(writeFilters({ range: '24h', since: '2026-12-01T00:00:00.000Z' }).toString()).toBe('range=24h');
    expect(parseFilters(new URLSearchParams('since=yesterday'))).toEqual({});
  });

  it('keeps other parameters (the open entry) when writing', () => {
    expect(writeFilters({ status: '4xx' }, new URLSearchParams('id=7&status=5xx')).toString()).toBe('id=7&status=4xx');
  });

  it('turns a preset into since measured back from now', () => {
    const now = Date.parse('2026-12-03T06:00:00.000Z');
    expect(toApiQuery({ range: '1h', status: '5xx' }, now)).toMatchObject({ since: '2026-12-03T05:00:00.000Z', until: undefined, status: '5xx' });
    expect(toApiQuery({ since: 'a', until: 'b' }, now)).toMatchObject({ since: 'a', until: 'b' });
  });

  it('counts the time range as one filter', () => {
    expect(activeFilterCount({})).toBe(0);
    expect(activeFilterCount({ since: 'a', until: 'b', model: 'm' })).toBe(2);
    expect(activeFilterCount({ range: '1h', token_id: 0 })).toBe(2);
  });
});

describe('useLogFilters', () => {
  it('reads the URL, writes changes as new history entries and drops the open entry on a filter change', () => {
    let location: ReturnType<typeof useLocation> | undefined;
    const wrapper = ({ children }: { children: ReactNode }) => (
      <MemoryRouter initialEntries={['/logs?status=5xx&model=gemini-2.5-flash&id=4']}>{children}</MemoryRouter>
    );
    const { result } = renderHook(
      () => {
        location = useLocation();
        return useLogFilters();
      },
      { wrapper },
    );
    expect(result.current.filters).toEqual({ status: '5xx', model: 'gemini-2.5-flash' });
    expect(result.current.openId).toBe(4);
    act(() => result.current.patchFilters({ status: '4xx' }));
    expect(result.current.filters).toEqual({ status: '4xx', model: 'gemini-2.5-flash' });
    expect(result.current.openId).toBeUndefined();
    expect(location?.search).toBe('?model=gemini-2.5-flash&status=4xx');
    act(() => result.current.openEntry(9));
    expect(location?.search).toBe('?model=gemini-2.5-flash&status=4xx&id=9');
    act(() => result.current.patchFilters({ model: undefined }));
    expect(result.current.filters).toEqual({ status: '4xx' });
  });
});

describe('log cells', () => {
  it('parses keys_tried in order', () => {
    expect(parseKeysTried('17:transient,4:success')).toEqual([
      { keyId: 17, outcome: 'transient' },
      { keyId: 4, outcome: 'success' },
    ]);
    expect(parseKeysTried('')).toEqual([]);
  });

  it('shortens a native path', () => {
    expect(shortPath({ path: '/v1beta/models/gemini-2.5-flash:streamGenerateContent', route: '/v1beta/' })).toBe('v1beta …:streamGenerateContent');
    expect(shortPath({ path: '/v1/chat/completions', route: '/v1/chat/completions' })).toBe('/v1/chat/completions');
  });
});
