// The dashboard against a stubbed admin API: a fresh install says what to do; a gateway with
// traffic shows the counts, the charts and the top tables with their links.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen, within } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { MemoryRouter } from 'react-router';
import { App as AntApp } from 'antd';
import '../../i18n';
import i18n from '../../i18n';
import { SessionProvider } from '../../auth/session';
import { ThemeStateProvider } from '../../theme/theme';
import DashboardPage from './DashboardPage';

// jsdom has no canvas: the chart is a marker carrying its series names.
vi.mock('../../components/Chart', () => ({
  Chart: ({ option, ariaLabel }: { option: { series: Array<{ name: string }> }; ariaLabel?: string }) => (
    <div data-testid="chart" aria-label={ariaLabel}>
      {option.series.map((s) => s.name).join(',')}
    </div>
  ),
}));

type Answers = Record<string, unknown>;

function stubApi(answers: Answers) {
  const calls: string[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL) => {
      const url = new URL(String(input), 'http://console.test');
      calls.push(url.pathname + url.search);
      const key = url.pathname.replace('/api/v1', '') + (url.searchParams.get('by') ? `?by=${url.searchParams.get('by')}` : '');
      const body = answers[key];
      if (body === undefined) return new Response(JSON.stringify({ detail: `no stub for ${key}`, code: 'not_found' }), { status: 404 });
      return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    }),
  );
  return calls;
}

const ME = { id: 1, username: 'admin', role: 'admin', is_active: true, must_change_password: false, created_at: '', updated_at: '' };
const ZERO_KEYS = { total_keys: 0, active_keys: 0, exhausted_keys: 0, error_keys: 0, disabled_keys: 0 };
const ZERO_CALLS = { calls_last_1_minute: 0, calls_last_1_hour: 0, calls_last_24_hours: 0, monthly_usage: 0, failures_last_24_hours: 0 };
const counts = (over: Record<string, unknown> = {}) => ({
  requests: 0,
  errors: 0,
  errors_by_class: {},
  attempts: 0,
  failed_attempts: 0,
  prompt_tokens: 0,
  completion_tokens: 0,
  thought_tokens: 0,
  cached_tokens: 0,
  latency_ms: { avg: null, p50: null, p95: null, p99: null },
  ...over,
});
const now = new Date().toISOString();
const series = (points: unknown[]) => ({ from: now, to: now, step_seconds: 900, granularity: 'minute', dimension: 'all', value: null, points });
const top = (by: string, items: unknown[]) => ({ by, from: now, to: now, items });

const busy = (): Answers => ({
  '/users/me': ME,
  '/api_keys/statistics/keys': { total_keys: 4, active_keys: 3, exhausted_keys: 0, error_keys: 0, disabled_keys: 1 },
  '/api_keys/statistics/calls': { ...ZERO_CALLS, calls_last_1_minute: 5, calls_last_1_hour: 20, calls_last_24_hours: 20, monthly_usage: 1234, failures_last_24_hours: 3 },
  '/api_keys/statistics/calls_by_minute': { logs: [], complete_since: null },
  '/api_keys/statistics/survival': {
    statistics: [{ timestamp: now, total_keys: 4, active_keys: 3, exhausted_keys: 0, error_keys: 0, disabled_keys: 1 }],
    resolution: '300',
    bucket_seconds: 300,
    start_time: now,
    end_time: now,
  },
  '/usage/timeseries': series([
    { timestamp: now, ...counts({ requests: 18, errors: 1, prompt_tokens: 40, completion_tokens: 45, latency_ms: { avg: 40, p50: 3, p95: 700, p99: 750 } }) },
  ]),
  '/usage/top?by=model': top('model', [{ value: 'gemini-2.5-flash', ...counts({ requests: 13, errors: 1 }) }]),
  '/usage/top?by=token': top('token', [
    { value: '0', token_id: 0, ...counts({ requests: 13 }) },
    { value: '7', token_id: 7, ...counts({ requests: 5 }) },
  ]),
  '/usage/top?by=key': top('key', [{ value: '2', key_id: 2, key_value: 'AIzaSy...BBB2', ...counts({ requests: 9, failed_attempts: 1 }) }]),
  '/tokens': { total: 1, items: [{ id: 7, name: 'mobile-app' }] },
});

function renderPage(path = '/') {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={qc}>
      <ThemeStateProvider>
        <AntApp>
          <MemoryRouter initialEntries={[path]}>
            <SessionProvider>
              <DashboardPage />
            </SessionProvider>
          </MemoryRouter>
        </AntApp>
      </ThemeStateProvider>
    </QueryClientProvider>,
  );
}

// antd's table measures the scrollbar with a pseudo-element style jsdom does not implement:
// answer with the element's own style, quietly.
const computedStyle = window.getComputedStyle;
beforeEach(async () => {
  window.getComputedStyle = (elt: Element) => computedStyle(elt);
  localStorage.setItem('poise.signedIn', '1');
  await i18n.changeLanguage('en');
});

afterEach(() => {
  window.getComputedStyle = computedStyle;
  vi.unstubAllGlobals();
  localStorage.clear();
});

describe('DashboardPage', () => {
  it('on a fresh install tells the operator to add keys and send a request', async () => {
    stubApi({
      '/users/me': ME,
      '/api_keys/statistics/keys': ZERO_KEYS,
      '/api_keys/statistics/calls': ZERO_CALLS,
      '/api_keys/statistics/calls_by_minute': { logs: [], complete_since: null },
    });
    renderPage();
    expect(await screen.findByText('Welcome to Gemini Poise')).toBeTruthy();
    expect(screen.getByText('1. Add your Gemini API keys')).toBeTruthy();
    expect(await screen.findByTestId('fresh-add-keys')).toBeTruthy();
    expect(screen.getByTestId('sample-request').textContent).toContain('/v1beta/models/gemini-2.5-flash:generateContent');
    // The charts wait for traffic.
    expect(screen.queryByTestId('survival-card')).toBeNull();
  });

  it('with traffic shows the counts, the charts and the top tables with their links', async () => {
    const calls = stubApi(busy());
    renderPage();

    const active = await screen.findByTestId('key-card-active');
    expect(active.getAttribute('href')).toBe('/keys?status=active');
    await within(active).findByText('3');
    expect(screen.getByTestId('key-card-disabled').getAttribute('href')).toBe('/keys?status=disabled');
    expect(await within(screen.getByTestId('calls-month')).findByText('1,234')).toBeTruthy();
    expect(screen.getByText('3 failed')).toBeTruthy();

    expect((await screen.findByTestId('requests-chart')).textContent).toBe('Requests,Errors');
    expect((await screen.findByTestId('tokens-chart')).textContent).toBe('Prompt,Completion,Thought');
    expect((await screen.findByTestId('latency-chart')).textContent).toBe('p50,p95,p99');
    expect((await screen.findByTestId('survival-chart')).textContent).toBe('Active,Exhausted,Error,Disabled');

    expect(await within(screen.getByTestId('top-model')).findByText('gemini-2.5-flash')).toBeTruthy();
    expect(await within(screen.getByTestId('top-token')).findByText('mobile-app')).toBeTruthy();
    expect(within(screen.getByTestId('top-token')).getByText('Gateway token (api_token)')).toBeTruthy();
    const key = await screen.findByTestId('top-key-2');
    expect(key.getAttribute('href')).toBe('/keys?key=2');
    expect(key.textContent).toBe('AIzaSy...BBB2');

    // The usage range is the last 24 h in 15-minute steps, its right edge now.
    const ts = calls.find((c) => c.startsWith('/api/v1/usage/timeseries'))!;
    const q = new URLSearchParams(ts.split('?')[1]);
    expect(q.get('step')).toBe('900');
    expect(Date.parse(q.get('to')!) - Date.parse(q.get('from')!)).toBe(24 * 3600 * 1000);
    expect(screen.queryByTestId('fresh-install')).toBeNull();
  });

  it('shows the API error with its code', async () => {
    stubApi({
      '/users/me': ME,
      '/api_keys/statistics/calls': ZERO_CALLS,
      '/api_keys/statistics/calls_by_minute': { logs: [], complete_since: null },
    });
    renderPage();
    const alert = await screen.findByText('no stub for /api_keys/statistics/keys');
    expect(alert).toBeTruthy();
    expect(screen.getAllByText('not_found').length).toBeGreaterThan(0);
  });

  it('keeps the ranges in the URL: ?range=7d asks for hours over 7 days, ?survival=1h for the last hour', async () => {
    const calls = stubApi(busy());
    renderPage('/?range=7d&survival=1h');
    await screen.findByTestId('requests-chart');
    await screen.findByTestId('survival-chart');
    const ts = new URLSearchParams(calls.find((c) => c.startsWith('/api/v1/usage/timeseries'))!.split('?')[1]);
    expect(ts.get('step')).toBe('3600');
    expect(Date.parse(ts.get('to')!) - Date.parse(ts.get('from')!)).toBe(7 * 24 * 3600 * 1000);
    const sv = new URLSearchParams(calls.find((c) => c.startsWith('/api/v1/api_keys/statistics/survival'))!.split('?')[1]);
    expect(Date.parse(sv.get('end_time')!) - Date.parse(sv.get('start_time')!)).toBe(3600 * 1000);
  });

  it('falls back to 24 h for a range it does not offer', async () => {
    const calls = stubApi(busy());
    renderPage('/?range=2h&survival=6h');
    await screen.findByTestId('requests-chart');
    const ts = new URLSearchParams(calls.find((c) => c.startsWith('/api/v1/usage/timeseries'))!.split('?')[1]);
    expect(ts.get('step')).toBe('900');
    const sv = new URLSearchParams(calls.find((c) => c.startsWith('/api/v1/api_keys/statistics/survival'))!.split('?')[1]);
    expect(Date.parse(sv.get('end_time')!) - Date.parse(sv.get('start_time')!)).toBe(24 * 3600 * 1000);
  });
});
