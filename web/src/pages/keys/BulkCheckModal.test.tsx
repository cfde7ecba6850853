import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, fireEvent } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App } from 'antd';
import '../../i18n';
import i18n from '../../i18n';
import { BulkCheckModal } from './BulkCheckModal';

afterEach(() => vi.unstubAllGlobals());

// jsdom implements no pseudo-element styles (antd measures the scrollbar with one): ask for the
// element's own style instead, so the run stays free of "Not implemented" noise.
const ownStyle = window.getComputedStyle.bind(window);
window.getComputedStyle = (elt: Element) => ownStyle(elt);

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('BulkCheckModal', () => {
  it('starts the task, follows its progress, then disables the invalid key from the results', async () => {
    await i18n.changeLanguage('en');
    const calls: Array<{ url: string; method: string; body?: string }> = [];
    let polls = 0;
    const results = [
      { key_id: 1, key_value: 'AIza...aaaa', status: 'valid', message: 'The key is valid.', key_status: 'active' },
      { key_id: 2, key_value: 'inva...bbbb', status: 'error', message: 'The upstream rejected the key (400 API_KEY_INVALID).', key_status: 'error' },
    ];
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      const method = init.method ?? 'GET';
      calls.push({ url, method, body: init.body as string | undefined });
      if (url === '/api/v1/api_keys/bulk-check') return json({ message: 'ok', task_id: 't1', total_keys: 2 }, 202);
      if (url.startsWith('/api/v1/api_keys/bulk-check/t1/status')) {
        polls++;
        const done = polls >= 2;
        return json({
          task_id: 't1', key_ids: [1, 2], status: done ? 'completed' : 'running', progress: done ? 100 : 50,
          total_keys: 2, completed_keys: done ? 2 : 1, results: done ? results : results.slice(0, 1),
          created_at: '2026-12-03T05:00:00Z', started_at: '2026-12-03T05:00:00Z', finished_at: null, error: null,
        });
      }
      if (url === '/api/v1/api_keys/bulk-update') return json({ total_requested: 1, total_updated: 1, failed_ids: [] });
      return json({ detail: 'unexpected', code: 'test' }, 500);
    });
    const onChanged = vi.fn();
    const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={qc}>
        <App>
          <BulkCheckModal ids={[1, 2]} onClose={() => {}} onChanged={onChanged} />
        </App>
      </QueryClientProvider>,
    );
    const progress = await screen.findByTestId('check-progress');
    await waitFor(() => expect(progress.getAttribute('data-percent')).toBe('50'));
    expect(screen.getByTestId('check-progress-text').textContent).toContain('1 of 2 checked');
    await waitFor(() => expect(screen.getByTestId('check-progress').getAttribute('data-percent')).toBe('100'), { timeout: 3000 });
    const disable = await screen.findByTestId('check-action-disableInvalid');
    expect(disable.textContent).toContain('Disable the 1 invalid key');
    expect(screen.queryByTestId('check-action-enableValid')).toBeNull();
    fireEvent.click(disable);
    await waitFor(() => expect(calls.some((c) => c.url === '/api/v1/api_keys/bulk-update')).toBe(true));
    const update = calls.find((c) => c.url === '/api/v1/api_keys/bulk-update');
    expect(update?.method).toBe('PUT');
    expect(JSON.parse(update?.body ?? '{}')).toEqual({ key_ids: [2], updates: { status: 'disabled' } });
    expect(JSON.parse(calls[0].body ?? '{}')).toEqual({ key_ids: [1, 2] });
    await waitFor(() => expect(onChanged).toHaveBeenCalled());
  });
});
