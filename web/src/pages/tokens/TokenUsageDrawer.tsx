// One token's usage over a range: totals and a chart of requests, errors and tokens per step.
import { useMemo, useState } from 'react';
import { Drawer, Empty, Grid, Segmented, Skeleton, Statistic, theme } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Chart, type ChartOption } from '../../components/Chart';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatCompact, formatMs, formatNumber } from '../../components/format';
import { useTokenUsage, type ClientToken, type TokenUsageSeries } from './api';

type Range = '24h' | '7d' | '30d';
const RANGES: Record<Range, { hours: number; step: string }> = {
  '24h': { hours: 24, step: 'hour' },
  '7d': { hours: 24 * 7, step: '21600' },
  '30d': { hours: 24 * 30, step: 'day' },
};

export function usageChartOption(
  data: TokenUsageSeries,
  labels: { requests: string; errors: string; tokens: string },
  colors: { requests: string; errors: string; tokens: string },
): ChartOption {
  const fmt = data.granularity === 'day' ? 'MM-DD' : 'MM-DD HH:mm';
  const x = data.points.map((p) => dayjs(p.timestamp).format(fmt));
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 8, right: 8, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: x },
    yAxis: [
      { type: 'value', minInterval: 1 },
      { type: 'value', splitLine: { show: false }, axisLabel: { formatter: (v: number) => formatCompact(v) } },
    ],
    series: [
      { name: labels.requests, type: 'bar', stack: 'r', data: data.points.map((p) => p.requests - p.errors), itemStyle: { color: colors.requests } },
      { name: labels.errors, type: 'bar', stack: 'r', data: data.points.map((p) => p.errors), itemStyle: { color: colors.errors } },
      {
        name: labels.tokens,
        type: 'line',
        yAxisIndex: 1,
        showSymbol: false,
        data: data.points.map((p) => p.prompt_tokens + p.completion_tokens),
        itemStyle: { color: colors.tokens },
      },
    ],
  };
}

export function TokenUsageDrawer({ token, onClose }: { token: ClientToken | null; onClose: () => void }) {
  const { t } = useTranslation('tokens');
  const screens = Grid.useBreakpoint();
  const { token: tk } = theme.useToken();
  const [range, setRange] = useState<Range>('24h');
  // The window is fixed when the drawer opens or the range changes; its right edge is now.
  const window = useMemo(() => {
    const to = dayjs();
    return { from: to.subtract(RANGES[range].hours, 'hour').toISOString(), to: to.toISOString(), step: RANGES[range].step };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [range, token?.id]);
  const usage = useTokenUsage(token?.id ?? null, window);

  const option = useMemo(
    () =>
      usage.data
        ? usageChartOption(
            usage.data,
            { requests: t('usage.succeeded'), errors: t('usage.errors'), tokens: t('usage.tokens') },
            { requests: tk.colorPrimary, errors: tk.colorError, tokens: tk.colorWarning },
          )
        : null,
    [usage.data, t, tk.colorPrimary, tk.colorError, tk.colorWarning],
  );
  const totals = usage.data?.totals;

  return (
    <Drawer
      open={token !== null}
      onClose={onClose}
      title={token ? t('usage.title', { name: token.name }) : ''}
      size={screens.md ? 640 : '100%'}
      destroyOnHidden
    >
      <div data-testid="token-usage" className="flex flex-col gap-4">
        <Segmented<Range>
          value={range}
          onChange={setRange}
          options={(Object.keys(RANGES) as Range[]).map((r) => ({ value: r, label: t(`usage.range.${r}`) }))}
        />
        {usage.isError ? <ErrorAlert error={usage.error} onRetry={() => void usage.refetch()} /> : null}
        {usage.isPending ? <Skeleton active /> : null}
        {totals ? (
          <div className="grid grid-cols-2 gap-4 sm:grid-cols-4">
            <Statistic title={t('usage.requests')} value={formatNumber(totals.requests)} />
            <Statistic title={t('usage.errors')} value={formatNumber(totals.errors)} />
            <Statistic title={t('usage.tokens')} value={formatCompact(totals.prompt_tokens + totals.completion_tokens)} />
            <Statistic title={t('usage.p95')} value={formatMs(totals.latency_ms.p95)} />
          </div>
        ) : null}
        {usage.data && option ? (
          usage.data.points.length === 0 ? (
            <Empty description={t('usage.none')} />
          ) : (
            <Chart option={option} height={280} ariaLabel={t('usage.chart')} />
          )
        ) : null}
        {token ? (
          <div className="text-sm" style={{ color: 'var(--poise-muted)' }}>
            {t('usage.allTime', {
              requests: formatNumber(token.usage.requests),
              errors: formatNumber(token.usage.errors),
              tokens: formatNumber(token.usage.total_tokens),
            })}
          </div>
        ) : null}
      </div>
    </Drawer>
  );
}
