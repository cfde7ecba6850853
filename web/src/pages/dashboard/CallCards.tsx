// Upstream calls per minute, hour, day and month, with a sparkline of the last hour's minutes.
import { useMemo } from 'react';
import { Card, Statistic, Tooltip, Typography } from 'antd';
import { InfoCircleOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Chart } from '../../components/Chart';
import { formatNumber } from '../../components/format';
import type { CallStats, CallsByMinute } from './api';
import { minuteTotals } from './series';
import { timeChartOption } from './charts';
import { useDashboardColors } from './colors';

export function CallCards({
  calls,
  loading,
  byMinute,
}: {
  calls: CallStats | undefined;
  loading: boolean;
  byMinute: CallsByMinute | undefined;
}) {
  const { t } = useTranslation('dashboard');
  const colors = useDashboardColors();
  const spark = useMemo(() => {
    if (!byMinute || byMinute.logs.length === 0) return null;
    const m = minuteTotals(byMinute.logs);
    return timeChartOption({
      series: [
        { name: t('calls.title'), data: m.calls, color: colors.requests, bar: true, stack: 'c' },
      ],
      axisFormat: 'HH:mm',
      tooltipFormat: 'HH:mm',
      format: (v) => formatNumber(v),
      legend: false,
      compact: true,
    });
  }, [byMinute, colors.requests, t]);

  const items: Array<{ id: string; title: string; value: number | undefined; extra?: React.ReactNode }> = [
    { id: 'minute', title: t('calls.minute'), value: calls?.calls_last_1_minute },
    { id: 'hour', title: t('calls.hour'), value: calls?.calls_last_1_hour },
    {
      id: 'day',
      title: t('calls.day'),
      value: calls?.calls_last_24_hours,
      extra:
        calls && calls.failures_last_24_hours > 0 ? (
          <Typography.Text type="danger" className="text-xs">
            {t('calls.failures', { value: formatNumber(calls.failures_last_24_hours) })}
          </Typography.Text>
        ) : null,
    },
    { id: 'month', title: t('calls.month'), value: calls?.monthly_usage },
  ];

  return (
    <div className="grid grid-cols-2 gap-3 xl:grid-cols-4" data-testid="call-cards">
      {items.map((it) => (
        <Card key={it.id} size="small" className="h-full" data-testid={`calls-${it.id}`}>
          <Statistic
            loading={loading}
            title={
              <span className="flex items-center gap-1">
                {it.title}
                {it.id === 'minute' ? (
                  <Tooltip title={t('calls.hint')}>
                    <InfoCircleOutlined aria-label={t('calls.hint')} className="opacity-60" />
                  </Tooltip>
                ) : null}
              </span>
            }
            value={it.value ?? 0}
            formatter={(v) => formatNumber(Number(v))}
          />
          {it.extra}
          {it.id === 'hour' && spark ? (
            <div className="mt-1" title={t('calls.sparkline')}>
              <Chart option={spark} height={32} ariaLabel={t('calls.sparkline')} />
            </div>
          ) : null}
        </Card>
      ))}
    </div>
  );
}
