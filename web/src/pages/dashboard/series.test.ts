import { describe, expect, it } from 'vitest';
import type { CallStats, KeyCounts, TopItem, UsagePoint } from './api';
import {
  awaitsTraffic,
  errorRate,
  hasLatency,
  hasRequests,
  hasTokens,
  isFreshInstall,
  latencySeries,
  minuteTotals,
  requestSeries,
  statusCards,
  survivalSeries,
  tokenLabel,
  tokenSeries,
  totals,
} from './series';
import { timeChartOption } from './charts';

function point(timestamp: string, over: Partial<UsagePoint> = {}): UsagePoint {
  return {
    timestamp,
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
  };
}

// As the API answers (see the openapi example): a busy minute and an empty one.
const POINTS: UsagePoint[] = [
  point('2026-11-26T10:00:00.000Z', {
    requests: 3,
    errors: 1,
    errors_by_class: { upstream_error: 1 },
    attempts: 4,
    failed_attempts: 2,
    prompt_tokens: 30,
    completion_tokens: 60,
    thought_tokens: 5,
    latency_ms: { avg: 140, p50: 117, p95: 150, p99: 150 },
  }),
  point('2026-11-26T10:01:00.000Z'),
];
const T0 = Date.parse('2026-11-26T10:00:00.000Z');
const T1 = T0 + 60_000;

describe('timeseries → chart series', () => {
  it('gives requests and errors per step, zeros kept', () => {
    expect(requestSeries(POINTS)).toEqual({
      requests: [
        [T0, 3],
        [T1, 0],
      ],
      errors: [
        [T0, 1],
        [T1, 0],
      ],
    });
  });

  it('gives prompt, completion and thought tokens per step', () => {
    const s = tokenSeries(POINTS);
    expect(s.prompt).toEqual([
      [T0, 30],
      [T1, 0],
    ]);
    expect(s.completion[0]).toEqual([T0, 60]);
    expect(s.thought[0]).toEqual([T0, 5]);
  });

  it('keeps latency gaps as null (no request, no latency) so the line breaks', () => {
    const s = latencySeries(POINTS);
    expect(s.p50).toEqual([
      [T0, 117],
      [T1, null],
    ]);
    expect(s.p95[0]).toEqual([T0, 150]);
    expect(s.p99[1]).toEqual([T1, null]);
  });

  it('tells an empty range from one with traffic', () => {
    const empty = [point('2026-11-26T10:00:00.000Z'), point('2026-11-26T10:01:00.000Z')];
    expect(hasRequests(empty)).toBe(false);
    expect(hasTokens(empty)).toBe(false);
    expect(hasLatency(empty)).toBe(false);
    expect(hasRequests(undefined)).toBe(false);
    expect(hasRequests(POINTS)).toBe(true);
    expect(hasTokens(POINTS)).toBe(true);
    expect(hasLatency(POINTS)).toBe(true);
  });

  it('sums the range', () => {
    expect(totals(POINTS)).toEqual({ requests: 3, errors: 1, tokens: 95 });
    expect(totals(undefined)).toEqual({ requests: 0, errors: 0, tokens: 0 });
    expect(errorRate({ requests: 4, errors: 1 })).toBe(0.25);
    expect(errorRate({ requests: 0, errors: 0 })).toBeNull();
  });
});

describe('survival → chart series', () => {
  it('gives one series per status', () => {
    const s = survivalSeries([
      { timestamp: '2026-11-26T10:00:00.000Z', active_keys: 3, exhausted_keys: 1, error_keys: 0, disabled_keys: 2, total_keys: 6 },
    ]);
    expect(s).toEqual({ active: [[T0, 3]], exhausted: [[T0, 1]], error: [[T0, 0]], disabled: [[T0, 2]] });
  });
});

describe('calls by minute → the last hour', () => {
  it('sums the keys per minute and fills the quiet minutes with zeros', () => {
    const now = Date.parse('2026-11-26T10:59:40.000Z');
    const m = minuteTotals(
      [
        { api_key_id: 1, key_value: 'AIza...1', timestamp: '2026-11-26T10:59:00.000Z', call_count: 2, failure_count: 1 },
        { api_key_id: 2, key_value: 'AIza...2', timestamp: '2026-11-26T10:59:00.000Z', call_count: 3, failure_count: 0 },
        { api_key_id: 1, key_value: 'AIza...1', timestamp: '2026-11-26T10:00:00.000Z', call_count: 7, failure_count: 0 },
        // Older than the hour shown: left out.
        { api_key_id: 1, key_value: 'AIza...1', timestamp: '2026-11-26T09:59:00.000Z', call_count: 100, failure_count: 0 },
      ],
      now,
    );
    expect(m.calls).toHaveLength(60);
    expect(m.calls[0]).toEqual([Date.parse('2026-11-26T10:00:00.000Z'), 7]);
    expect(m.calls[59]).toEqual([Date.parse('2026-11-26T10:59:00.000Z'), 5]);
    expect(m.failures[59][1]).toBe(1);
    expect(m.calls[30][1]).toBe(0);
  });
});

describe('key counts → status cards', () => {
  it('lead to the Keys page filtered by status', () => {
    const cards = statusCards({ total_keys: 6, active_keys: 3, exhausted_keys: 1, error_keys: 0, disabled_keys: 2 });
    expect(cards.map((c) => [c.status, c.count, c.href])).toEqual([
      ['total', 6, '/keys'],
      ['active', 3, '/keys?status=active'],
      ['exhausted', 1, '/keys?status=exhausted'],
      ['error', 0, '/keys?status=error'],
      ['disabled', 2, '/keys?status=disabled'],
    ]);
  });
});

describe('fresh install', () => {
  const noKeys: KeyCounts = { total_keys: 0, active_keys: 0, exhausted_keys: 0, error_keys: 0, disabled_keys: 0 };
  const someKeys: KeyCounts = { ...noKeys, total_keys: 2, active_keys: 2 };
  const quiet: CallStats = { calls_last_1_minute: 0, calls_last_1_hour: 0, calls_last_24_hours: 0, monthly_usage: 0, failures_last_24_hours: 0 };
  const busy: CallStats = { ...quiet, calls_last_24_hours: 4, monthly_usage: 9 };

  it('is no key and no call', () => {
    expect(isFreshInstall(noKeys, quiet)).toBe(true);
    expect(isFreshInstall(someKeys, quiet)).toBe(false);
    expect(isFreshInstall(noKeys, busy)).toBe(false);
    expect(isFreshInstall(undefined, quiet)).toBe(false);
  });

  it('with keys but no call yet, waits for traffic', () => {
    expect(awaitsTraffic(someKeys, quiet)).toBe(true);
    expect(awaitsTraffic(someKeys, busy)).toBe(false);
    expect(awaitsTraffic(noKeys, quiet)).toBe(false);
  });
});

describe('top tokens', () => {
  const item = (token_id: number): TopItem => ({ ...point('x'), value: String(token_id), token_id });
  it('name the default token, known tokens by name and deleted ones by id', () => {
    const names = new Map([[4, 'mobile-app']]);
    expect(tokenLabel(item(0), names)).toEqual({ kind: 'default' });
    expect(tokenLabel(item(4), names)).toEqual({ kind: 'named', name: 'mobile-app' });
    expect(tokenLabel(item(9), names)).toEqual({ kind: 'id', id: 9 });
    expect(tokenLabel(item(4), undefined)).toEqual({ kind: 'id', id: 4 });
  });
});

describe('chart options', () => {
  it('draw one series per line on a time axis bounded by the range', () => {
    const opt = timeChartOption({
      series: [{ name: 'Requests', data: requestSeries(POINTS).requests, color: '#123456', area: true }],
      axisFormat: 'HH:mm',
      tooltipFormat: 'HH:mm',
      format: String,
      min: T0,
      max: T1,
    }) as {
      xAxis: { type: string; min: number; max: number; axisLabel: { formatter: (v: number) => string } };
      series: Array<{ type: string; name: string; data: unknown; areaStyle?: unknown }>;
      tooltip: { formatter: (p: unknown) => string };
    };
    expect(opt.xAxis.type).toBe('time');
    expect([opt.xAxis.min, opt.xAxis.max]).toEqual([T0, T1]);
    expect(opt.series).toHaveLength(1);
    expect(opt.series[0]).toMatchObject({ type: 'line', name: 'Requests' });
    expect(opt.series[0].areaStyle).toBeDefined();
    const tip = opt.tooltip.formatter([{ marker: '', seriesName: '<b>x</b>', value: [T0, null] }]);
    // Names are escaped, missing values shown as a dash.
    expect(tip).toContain('&#60;b&#62;x&#60;/b&#62;');
    expect(tip).toContain('–');
  });
});
