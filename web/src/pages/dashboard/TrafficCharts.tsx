// Requests and errors, tokens, and latency p50/p95/p99 over the chosen range.
import { useMemo } from 'react';
import { Card, Statistic } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatCompact, formatMs, formatNumber, formatPercent } from '../../components/format';
import { useTimeseries } from './api';
import { axisTimeFormat, tooltipTimeFormat, type RangeKey } from './ranges';
import { errorRate, hasLatency, hasRequests, hasTokens, latencySeries, requestSeries, tokenSeries, totals } from './series';
import { timeChartOption } from './charts';
import { useDashboardColors } from './colors';
import { ChartBox } from './ChartBox';

export function TrafficCharts({ range }: { range: RangeKey }) {
  const { t } = useTranslation('dashboard');
  const colors = useDashboardColors();
  const q = useTimeseries(range);
  const points = q.data?.points;
  const options = useMemo(() => {
    if (!q.data) return null;
    const pts = q.data.points;
    const common = {
      axisFormat: axisTimeFormat(range),
      tooltipFormat: tooltipTimeFormat(range),
      min: Date.parse(q.data.from),
      max: Date.parse(q.data.to),
    };
    const r = requestSeries(pts);
    const tk = tokenSeries(pts);
    const l = latencySeries(pts);
    return {
      requests: timeChartOption({
        ...common,
        series: [
          { name: t('traffic.requests'), data: r.requests, color: colors.requests, area: true },
          { name: t('traffic.errors'), data: r.errors, color: colors.errors, area: true },
        ],
        format: (v) => formatNumber(v),
      }),
      tokens: timeChartOption({
        ...common,
        series: [
          { name: t('traffic.prompt'), data: tk.prompt, color: colors.prompt, area: true, stack: 'tokens' },
          { name: t('traffic.completion'), data: tk.completion, color: colors.completion, area: true, stack: 'tokens' },
          { name: t('traffic.thought'), data: tk.thought, color: colors.thought, area: true, stack: 'tokens' },
        ],
        format: (v) => formatCompact(v),
      }),
      latency: timeChartOption({
        ...common,
        series: [
          { name: t('traffic.p50'), data: l.p50, color: colors.p50, symbols: true },
          { name: t('traffic.p95'), data: l.p95, color: colors.p95, symbols: true },
          { name: t('traffic.p99'), data: l.p99, color: colors.p99, symbols: true },
        ],
        format: (v) => formatMs(v),
      }),
    };
  }, [q.data, range, colors, t]);

  const sum = totals(points);
  const loading = q.isPending;
  const retry = () => void q.refetch();

  return (
    <div className="grid min-w-0 gap-3 lg:grid-cols-2">
      <Card size="small" title={t('traffic.requestsTitle')} className="min-w-0 lg:col-span-2" data-testid="requests-card">
        <div className="mb-2 grid grid-cols-2 gap-3 sm:grid-cols-4" data-testid="traffic-totals">
          <Statistic loading={loading} title={t('traffic.requests')} value={formatNumber(sum.requests)} data-testid="total-requests" />
          <Statistic
            loading={loading}
            title={t('traffic.errors')}
            value={formatNumber(sum.errors)}
            styles={{ content: sum.errors > 0 ? { color: colors.errors } : undefined }}
          />
          <Statistic loading={loading} title={t('traffic.errorRate')} value={formatPercent(errorRate(sum))} />
          <Statistic loading={loading} title={t('traffic.tokens')} value={formatCompact(sum.tokens)} />
        </div>
        <ChartBox
          loading={loading}
          error={q.error}
          onRetry={retry}
          empty={!hasRequests(points)}
          emptyText={t('traffic.emptyRequests')}
          option={options?.requests ?? null}
          ariaLabel={t('traffic.requestsTitle')}
          testId="requests-chart"
        />
      </Card>
      <Card size="small" title={t('traffic.tokensTitle')} className="min-w-0" data-testid="tokens-card">
        <ChartBox
          loading={loading}
          error={q.error}
          onRetry={retry}
          empty={!hasTokens(points)}
          emptyText={t('traffic.emptyTokens')}
          option={options?.tokens ?? null}
          ariaLabel={t('traffic.tokensTitle')}
          testId="tokens-chart"
        />
      </Card>
      <Card size="small" title={t('traffic.latencyTitle')} className="min-w-0" data-testid="latency-card">
        <ChartBox
          loading={loading}
          error={q.error}
          onRetry={retry}
          empty={!hasLatency(points)}
          emptyText={t('traffic.emptyLatency')}
          option={options?.latency ?? null}
          ariaLabel={t('traffic.latencyTitle')}
          testId="latency-chart"
        />
      </Card>
    </div>
  );
}
