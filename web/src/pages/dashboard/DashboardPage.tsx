// The dashboard: key counts by status, upstream calls, the key survival trend, traffic (requests,
// errors, tokens, latency) and the top models, tokens and keys over a chosen range. Every part
// refreshes itself while the tab is visible; a fresh install says what to do first.
import { Button, Tooltip, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { useIsFetching, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { DASHBOARD_KEY, REFRESH_MS, useCallStats, useCallsByMinute, useKeyCounts } from './api';
import { DEFAULT_USAGE_RANGE, USAGE_RANGES } from './ranges';
import { useRangeParam } from './useRangeParam';
import { awaitsTraffic, isFreshInstall } from './series';
import { KeyCards } from './KeyCards';
import { CallCards } from './CallCards';
import { SurvivalCard } from './SurvivalCard';
import { TrafficCharts } from './TrafficCharts';
import { TopTables } from './TopTables';
import { AwaitingTraffic, FreshInstall } from './Onboarding';
import { RangePicker } from './RangePicker';
import { UpdatedAgo } from './UpdatedAgo';

export default function DashboardPage() {
  const { t } = useTranslation('dashboard');
  const { t: tc } = useTranslation();
  const qc = useQueryClient();
  const [range, setRange] = useRangeParam('range', DEFAULT_USAGE_RANGE, USAGE_RANGES);
  const keys = useKeyCounts();
  const calls = useCallStats();
  const byMinute = useCallsByMinute();
  const fetching = useIsFetching({ queryKey: DASHBOARD_KEY }) > 0;
  const updatedAt = Math.max(keys.dataUpdatedAt, calls.dataUpdatedAt, byMinute.dataUpdatedAt);
  const fresh = isFreshInstall(keys.data, calls.data);
  const awaiting = awaitsTraffic(keys.data, calls.data);

  return (
    <div className="min-w-0" data-testid="dashboard">
      <PageHeader
        title={tc('nav.dashboard')}
        subtitle={<UpdatedAgo at={updatedAt} />}
        extra={
          <Tooltip placement="bottomRight" title={t('autoRefresh', { value: REFRESH_MS / 1000 })}>
            <Button
              icon={<ReloadOutlined spin={fetching} />}
              onClick={() => void qc.refetchQueries({ queryKey: DASHBOARD_KEY, type: 'active' })}
              data-testid="dashboard-refresh"
            >
              {t('refresh')}
            </Button>
          </Tooltip>
        }
      />
      <div className="flex min-w-0 flex-col gap-4">
        {fresh ? <FreshInstall /> : null}
        {awaiting ? <AwaitingTraffic /> : null}

        <section aria-label={t('keys.title')} className="min-w-0">
          {keys.error ? (
            <ErrorAlert error={keys.error} onRetry={() => void keys.refetch()} />
          ) : (
            <KeyCards counts={keys.data} loading={keys.isPending} />
          )}
        </section>

        <section aria-label={t('calls.title')} className="min-w-0">
          {calls.error ? (
            <ErrorAlert error={calls.error} onRetry={() => void calls.refetch()} />
          ) : (
            <CallCards calls={calls.data} loading={calls.isPending} byMinute={byMinute.data} />
          )}
        </section>

        {fresh ? null : (
          <>
            <SurvivalCard />
            <section aria-label={t('traffic.title')} className="flex min-w-0 flex-col gap-3">
              <div className="flex flex-wrap items-center justify-between gap-2">
                <Typography.Title level={5} style={{ margin: 0 }}>
                  {t('traffic.title')}
                </Typography.Title>
                <RangePicker value={range} options={USAGE_RANGES} onChange={setRange} testId="traffic-range" />
              </div>
              <TrafficCharts range={range} />
              <TopTables range={range} />
            </section>
          </>
        )}
      </div>
    </div>
  );
}
