// One key in depth: its live state, cooldowns per model with countdowns, the bucket level, the
// last 24 hours of usage, the status history with reasons, and (admins only) reveal and checks.
import { useMemo, useState } from 'react';
import {
  Alert, App, Button, Card, Descriptions, Drawer, Empty, Grid, Input, Popconfirm, Progress, Select, Skeleton, Space, Tag, Timeline, Tooltip, Typography, theme,
} from 'antd';
import { EyeOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { WriteOnly } from '../../auth/session';
import { Chart, type ChartOption } from '../../components/Chart';
import { CopyButton } from '../../components/CopyButton';
import { ErrorAlert, errorText } from '../../components/ErrorAlert';
import { formatNumber, formatRelative, formatTime } from '../../components/format';
import {
  KEY_PRIORITIES, checkKey, deleteKey, revealKey, updateKey, useBucket, useKeyDetail, useKeyUsage, type KeyPriority, type KeyUsage,
} from './api';
import { outcomeOf } from './checkResults';
import { PriorityTag, StatusTag } from './StatusTag';
import { countdown, useNow } from './useNow';

function UsageChart({ usage }: { usage: KeyUsage }) {
  const { t } = useTranslation('keys');
  const { token } = theme.useToken();
  const option = useMemo<ChartOption>(
    () => ({
      grid: { left: 40, right: 12, top: 28, bottom: 28 },
      tooltip: { trigger: 'axis' },
      legend: { top: 0, textStyle: { color: token.colorTextSecondary } },
      xAxis: {
        type: 'category',
        data: usage.points.map((p) => formatTime(p.timestamp).slice(11, 16)),
        axisLabel: { color: token.colorTextSecondary },
      },
      yAxis: { type: 'value', minInterval: 1, axisLabel: { color: token.colorTextSecondary }, splitLine: { lineStyle: { color: token.colorBorderSecondary } } },
      series: [
        { name: t('drawer.attempts'), type: 'bar', data: usage.points.map((p) => p.attempts), itemStyle: { color: token.colorPrimary } },
        { name: t('drawer.failed'), type: 'bar', data: usage.points.map((p) => p.failed_attempts), itemStyle: { color: token.colorError } },
      ],
    }),
    [usage, t, token],
  );
  return <Chart option={option} height={220} ariaLabel={t('drawer.usageTitle')} />;
}

export function KeyDrawer({ id, onClose }: { id: number | null; onClose: () => void }) {
  const { t } = useTranslation('keys');
  const { t: tc } = useTranslation();
  const screens = Grid.useBreakpoint();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const detail = useKeyDetail(id);
  const bucket = useBucket(id);
  const usage = useKeyUsage(id);
  const [revealed, setRevealed] = useState<{ id: number; value: string } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const d = detail.data;
  const cooldowns = d?.live.cooldowns ?? [];
  const now = useNow(1000, id !== null && cooldowns.length > 0);

  const changed = () => qc.invalidateQueries({ queryKey: ['keys'] });
  const run = async (what: string, fn: () => Promise<unknown>, ok: string) => {
    setBusy(what);
    try {
      await fn();
      void message.success(ok);
      await changed();
    } catch (e) {
      void message.error(errorText(e));
    } finally {
      setBusy(null);
    }
  };

  const b = bucket.data ?? (d?.live.bucket ? { ...d.live.bucket } : undefined);
  const bucketPercent = b && b.capacity > 0 ? Math.round((b.tokens / b.capacity) * 1000) / 10 : 0;
  const shownValue = revealed && revealed.id === id ? revealed.value : null;

  return (
    <Drawer
      open={id !== null}
      onClose={() => {
        setRevealed(null);
        onClose();
      }}
      size={screens.md ? 640 : '100%'}
      title={d ? <code>{d.key_value}</code> : t('drawer.title')}
      extra={d ? <StatusTag status={d.status} /> : null}
      destroyOnHidden
      data-testid="key-drawer"
    >
      {detail.isPending ? <Skeleton active paragraph={{ rows: 8 }} /> : null}
      {detail.error ? <ErrorAlert error={detail.error} onRetry={() => void detail.refetch()} /> : null}
      {d ? (
        <div className="flex flex-col gap-4" data-testid="key-drawer-body">
          <Descriptions size="small" column={screens.sm ? 2 : 1} bordered>
            <Descriptions.Item label={t('drawer.id')}>{d.id}</Descriptions.Item>
            <Descriptions.Item label={t('columns.key')}>
              <Space size={4} wrap>
                <code>{d.key_value}</code>
                <CopyButton text={d.key_value} size="small" />
              </Space>
            </Descriptions.Item>
            <Descriptions.Item label={t('columns.priority')}>
              <PriorityTag priority={d.priority} />
            </Descriptions.Item>
            <Descriptions.Item label={t('columns.usage')}>{formatNumber(d.usage_count)}</Descriptions.Item>
            <Descriptions.Item label={t('columns.failures')}>{formatNumber(d.live.failed_count)}</Descriptions.Item>
            <Descriptions.Item label={t('columns.lastUsed')}>
              {d.last_used_at ? <Tooltip title={formatTime(d.last_used_at)}>{formatRelative(d.last_used_at)}</Tooltip> : tc('time.never')}
            </Descriptions.Item>
            <Descriptions.Item label={t('drawer.last24h')}>
              {t('drawer.last24hValue', { calls: formatNumber(d.live.usage_last_24_hours ?? 0), failures: formatNumber(d.live.failures_last_24_hours ?? 0) })}
            </Descriptions.Item>
            <Descriptions.Item label={t('drawer.created')}>{formatTime(d.created_at)}</Descriptions.Item>
            {d.description ? (
              <Descriptions.Item label={t('add.description')} span={2}>
                {d.description}
              </Descriptions.Item>
            ) : null}
          </Descriptions>

          <WriteOnly>
            <Card size="small" title={t('drawer.manage')} data-write>
              <div className="flex flex-wrap items-center gap-2">
                {d.status === 'disabled' ? (
                  <Button loading={busy === 'enable'} onClick={() => run('enable', () => updateKey(d.id, { status: 'active' }), t('bulk.enabled', { count: 1 }))}>
                    {tc('actions.enable')}
                  </Button>
                ) : (
                  <Button loading={busy === 'disable'} onClick={() => run('disable', () => updateKey(d.id, { status: 'disabled' }), t('bulk.disabled', { count: 1 }))}>
                    {tc('actions.disable')}
                  </Button>
                )}
                <Select<KeyPriority>
                  value={d.priority}
                  style={{ width: 130 }}
                  aria-label={t('columns.priority')}
                  options={KEY_PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`) }))}
                  onChange={(p) => run('priority', () => updateKey(d.id, { priority: p }), t('bulk.priorityDone', { count: 1 }))}
                />
                <Button
                  icon={<SafetyCertificateOutlined />}
                  loading={busy === 'check'}
                  onClick={async () => {
                    setBusy('check');
                    try {
                      const r = await checkKey(d.id);
                      void message.info(`${t(`check.outcome.${outcomeOf(r)}`)}: ${r.message}`);
                      await changed();
                    } catch (e) {
                      void message.error(errorText(e));
                    } finally {
                      setBusy(null);
                    }
                  }}
                >
                  {t('actions.checkOne')}
                </Button>
                <Popconfirm
                  title={t('bulk.confirmDelete', { count: 1 })}
                  okText={tc('actions.delete')}
                  okButtonProps={{ danger: true }}
                  cancelText={tc('actions.cancel')}
                  onConfirm={() =>
                    run('delete', async () => {
                      await deleteKey(d.id);
                      onClose();
                    }, t('bulk.deleted', { count: 1 }))
                  }
                >
                  <Button danger loading={busy === 'delete'}>
                    {tc('actions.delete')}
                  </Button>
                </Popconfirm>
              </div>
              <div className="mt-3">
                {shownValue ? (
                  <div className="flex flex-col gap-2" data-testid="revealed">
                    <Space.Compact className="w-full">
                      <Input
                        readOnly
                        value={shownValue}
                        aria-label={t('drawer.fullValue')}
                        data-testid="revealed-value"
                        style={{ fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace' }}
                      />
                      <CopyButton text={shownValue} />
                    </Space.Compact>
                    <Typography.Text type="secondary">{t('drawer.revealAudited')}</Typography.Text>
                  </div>
                ) : (
                  <Popconfirm
                    title={t('drawer.revealConfirm')}
                    description={t('drawer.revealAudited')}
                    okText={t('drawer.reveal')}
                    cancelText={tc('actions.cancel')}
                    onConfirm={async () => {
                      try {
                        const r = await revealKey(d.id);
                        setRevealed({ id: d.id, value: r.key_value });
                      } catch (e) {
                        void message.error(errorText(e));
                      }
                    }}
                  >
                    <Button icon={<EyeOutlined />} data-testid="reveal">
                      {t('drawer.reveal')}
                    </Button>
                  </Popconfirm>
                )}
              </div>
            </Card>
          </WriteOnly>

          <Card size="small" title={t('drawer.cooldowns')}>
            {cooldowns.length ? (
              <div className="flex flex-col gap-2" data-testid="cooldowns">
                {cooldowns.map((c) => {
                  const until = new Date(c.until).getTime();
                  return (
                    <div key={c.model} className="flex flex-wrap items-center justify-between gap-2">
                      <div className="min-w-0">
                        <code>{c.model}</code>
                        <div>
                          <Typography.Text type="secondary">{c.reason}</Typography.Text>
                        </div>
                      </div>
                      <Tooltip title={formatTime(c.until)}>
                        <Tag color={until > now ? 'orange' : 'default'}>{until > now ? countdown(until, now) : t('drawer.cooldownOver')}</Tag>
                      </Tooltip>
                    </div>
                  );
                })}
              </div>
            ) : (
              <Typography.Text type="secondary">{t('drawer.noCooldowns')}</Typography.Text>
            )}
          </Card>

          <Card size="small" title={t('drawer.bucket')}>
            {b ? (
              <div data-testid="bucket">
                <Progress percent={bucketPercent} format={() => `${formatNumber(b.tokens, 1)} / ${formatNumber(b.capacity)}`} />
                <Typography.Text type="secondary">
                  {t('drawer.bucketLine', { rate: formatNumber(b.refill_rate, 2), tier: t(`priority.${b.priority}`) })}
                  {b.overridden ? ` · ${t('drawer.bucketOwn')}` : ''}
                </Typography.Text>
              </div>
            ) : bucket.error ? (
              <ErrorAlert error={bucket.error} />
            ) : (
              <Skeleton active paragraph={{ rows: 1 }} />
            )}
          </Card>

          <Card size="small" title={t('drawer.usageTitle')}>
            {usage.error ? <ErrorAlert error={usage.error} onRetry={() => void usage.refetch()} /> : null}
            {usage.isPending ? <Skeleton active paragraph={{ rows: 4 }} /> : null}
            {usage.data ? (
              usage.data.totals.attempts > 0 ? (
                <>
                  <UsageChart usage={usage.data} />
                  <Typography.Text type="secondary">
                    {t('drawer.usageTotals', {
                      attempts: formatNumber(usage.data.totals.attempts),
                      failed: formatNumber(usage.data.totals.failed_attempts),
                      tokens: formatNumber(usage.data.totals.prompt_tokens + usage.data.totals.completion_tokens),
                    })}
                  </Typography.Text>
                </>
              ) : (
                <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('drawer.noUsage')} />
              )
            ) : null}
          </Card>

          <Card size="small" title={t('drawer.history')}>
            {d.status_history.length ? (
              <Timeline
                data-testid="history"
                items={d.status_history.map((h, i) => ({
                  key: i,
                  color: h.to_status === 'active' ? 'green' : h.to_status === 'error' ? 'red' : h.to_status === 'disabled' ? 'gray' : 'blue',
                  title: (
                    <Tooltip title={formatTime(h.created_at)}>
                      <span>{formatRelative(h.created_at)}</span>
                    </Tooltip>
                  ),
                  content: (
                    <div>
                      <Space size={4} wrap>
                        <StatusTag status={h.from_status} />→<StatusTag status={h.to_status} />
                      </Space>
                      <div>
                        <Typography.Text type="secondary">{h.reason}</Typography.Text>
                      </div>
                    </div>
                  ),
                }))}
              />
            ) : (
              <Alert type="info" showIcon title={t('drawer.noHistory')} />
            )}
          </Card>
        </div>
      ) : null}
    </Drawer>
  );
}
