import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, api, onUnauthorized, withQuery } from './client';

afterEach(() => vi.unstubAllGlobals());

describe('withQuery', () => {
  it('leaves out empty values and repeats arrays', () => {
    expect(withQuery('/logs', { a: 1, b: '', c: undefined, d: null, e: ['x', 'y'], f: false })).toBe('/logs?a=1&e=x&e=y&f=false');
    expect(withQuery('/logs', {})).toBe('/logs');
  });
});

describe('api', () => {
  it('sends the CSRF header on writes only and parses the error envelope', async () => {
    const calls: Array<{ url: string; init: RequestInit }> = [];
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      if (init.method === 'POST')
        return new Response(JSON.stringify({ detail: 'key exists', code: 'duplicate_key' }), { status: 409 });
      return new Response(JSON.stringify({ ok: 1 }), { status: 200 });
    });
    await expect(api('/x', { query: { page: 2 } })).resolves.toEqual({ ok: 1 });
    const err = await api('/x', { method: 'POST', body: { a: 1 } }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, code: 'duplicate_key', detail: 'key exists' });
    expect(calls[0].url).toBe('/api/v1/x?page=2');
    expect((calls[0].init.headers as Record<string, string>)['X-Poise-Request']).toBeUndefined();
    expect((calls[1].init.headers as Record<string, string>)['X-Poise-Request']).toBe('1');
    expect(calls[1].init.body).toBe('{"a":1}');
  });

  it('tells listeners about a 401 unless asked to stay quiet', async () => {
    vi.stubGlobal('fetch', async () => new Response('{"detail":"no","code":"unauthorized"}', { status: 401 }));
    const seen = vi.fn();
    const off = onUnauthorized(seen);
    await api('/a').catch(() => {});
    await api('/login', { method: 'POST', quiet401: true }).catch(() => {});
    off();
    expect(seen).toHaveBeenCalledTimes(1);
  });

  it('turns a failed fetch into a network_error', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(api('/a')).rejects.toMatchObject({ code: 'network_error', status: 0 });
  });
});
