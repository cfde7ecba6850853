// Keys in each status over time, with range presets whose right edge is now.
import { useMemo } from 'react';
import { Card, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../../components/format';
import { KEY_STATUSES, useSurvival } from './api';
import { DEFAULT_SURVIVAL_RANGE, SURVIVAL_RANGES, axisTimeFormat, tooltipTimeFormat } from './ranges';
import { survivalSeries } from './series';
import { timeChartOption } from './charts';
import { useDashboardColors } from './colors';
import { RangePicker } from './RangePicker';
import { ChartBox } from './ChartBox';
import { useRangeParam } from './useRangeParam';

export function SurvivalCard() {
  const { t } = useTranslation('dashboard');
  const colors = useDashboardColors();
  const [range, setRange] = useRangeParam('survival', DEFAULT_SURVIVAL_RANGE, SURVIVAL_RANGES);
  const q = useSurvival(range);
  const option = useMemo(() => {
    if (!q.data) return null;
    const s = survivalSeries(q.data.statistics);
    return timeChartOption({
      series: KEY_STATUSES.map((status) => ({
        name: t(`keys.${status}`),
        data: s[status],
        color: colors.status[status],
        // Not stacked: each line is that status's own count (a stack would draw the empty
        // statuses on top of the others and read as keys in error).
      })),
      axisFormat: axisTimeFormat(range),
      tooltipFormat: tooltipTimeFormat(range),
      format: (v) => formatNumber(v),
      min: Date.parse(q.data.start_time),
      max: Date.parse(q.data.end_time),
    });
  }, [q.data, range, colors, t]);

  return (
    <Card size="small" title={t('survival.title')} data-testid="survival-card">
      <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
        <Typography.Text type="secondary" className="text-xs">
          {t('survival.hint')}
        </Typography.Text>
        <RangePicker value={range} options={SURVIVAL_RANGES} onChange={setRange} testId="survival-range" />
      </div>
      <ChartBox
        loading={q.isPending}
        error={q.error}
        onRetry={() => void q.refetch()}
        empty={(q.data?.statistics.length ?? 0) === 0}
        emptyText={t('survival.empty')}
        option={option}
        ariaLabel={t('survival.title')}
        testId="survival-chart"
      />
    </Card>
  );
}
