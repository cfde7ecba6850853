// Alert webhooks: the table (URL, events with thresholds, enabled, last delivery), create and
// edit, "send test" with its result, delete (confirmed), and the delivery log. Viewers read only.
import { useMemo, useState } from 'react';
import { App, Button, Card, Empty, Grid, Select, Space, Switch, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { DeleteOutlined, EditOutlined, PlusOutlined, ReloadOutlined, SendOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useCanWrite } from '../../auth/session';
import { AdaptiveRowActions, rowActionsWidth } from '../../components/AdaptiveRowActions';
import { ErrorAlert, errorText } from '../../components/ErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { formatNumber, formatRelative, formatTime } from '../../components/format';
import { useAlertMutations, useDeliveries, useWebhooks, type AlertDelivery, type AlertFields, type AlertWebhook } from './api';
import { AlertFormModal } from './AlertFormModal';
import { evKey } from './events';

function DeliveryStatus({ d }: { d: AlertDelivery }) {
  const { t } = useTranslation('alerts');
  const label = d.last_status !== null ? `HTTP ${d.last_status}` : null;
  return d.delivered ? (
    <Tag color="success">{label ?? t('deliveries.delivered')}</Tag>
  ) : (
    <Tooltip title={d.last_error || undefined}>
      <Tag color="error">{label ?? t('deliveries.failed')}</Tag>
    </Tooltip>
  );
}

function EventTags({ w }: { w: AlertWebhook }) {
  const { t } = useTranslation('alerts');
  return (
    <div className="flex flex-wrap gap-1">
      {w.events.map((e) => {
        let extra = '';
        if (e === 'pool.active_low') {
          const parts = [];
          if (w.active_keys_below !== null) parts.push(t('thresholds.keys', { n: w.active_keys_below }));
          if (w.active_percent_below !== null) parts.push(`${w.active_percent_below} %`);
          extra = parts.length ? ` < ${parts.join(' / ')}` : '';
        } else if (e === 'error_rate.high' && w.error_rate_percent_above !== null) {
          extra = ` > ${w.error_rate_percent_above} %`;
        }
        return (
          <Tooltip key={e} title={t(`events.${evKey(e)}.help`)}>
            <Tag>
              {t(`events.${evKey(e)}.short`)}
              {extra}
            </Tag>
          </Tooltip>
        );
      })}
    </div>
  );
}

export default function AlertsPage() {
  const { t } = useTranslation('alerts');
  const { t: tc } = useTranslation();
  const { message, modal } = App.useApp();
  const screens = Grid.useBreakpoint();
  const wide = screens.md ?? true;
  const canWrite = useCanWrite();
  const webhooks = useWebhooks();
  const m = useAlertMutations();
  const [logFilter, setLogFilter] = useState<number | undefined>(undefined);
  const deliveries = useDeliveries(logFilter);
  // The newest delivery of each webhook, from the unfiltered log's first page.
  const latestAll = useDeliveries(undefined, 200);

  const [formOpen, setFormOpen] = useState(false);
  const [editing, setEditing] = useState<AlertWebhook | null>(null);
  const [formError, setFormError] = useState<unknown>(null);

  const latest = useMemo(() => {
    const map = new Map<number, AlertDelivery>();
    for (const d of latestAll.data?.pages[0]?.items ?? []) if (!map.has(d.webhook_id)) map.set(d.webhook_id, d);
    return map;
  }, [latestAll.data]);
  const names = useMemo(() => new Map((webhooks.data?.items ?? []).map((w) => [w.id, w.name])), [webhooks.data]);

  const openForm = (w: AlertWebhook | null) => {
    setEditing(w);
    setFormError(null);
    setFormOpen(true);
  };

  const submit = async (body: AlertFields) => {
    setFormError(null);
    try {
      if (editing) await m.update.mutateAsync({ id: editing.id, body });
      else await m.create.mutateAsync(body);
      void message.success(t(editing ? 'msg.saved' : 'msg.created', { name: body.name }));
      setFormOpen(false);
    } catch (e) {
      setFormError(e);
    }
  };

  const sendTest = async (w: AlertWebhook) => {
    try {
      const r = await m.test.mutateAsync(w.id);
      const content = (
        <div data-testid="alert-test-result" className="flex flex-col gap-1">
          <div>{t('test.attempts', { n: r.attempts })}</div>
          {r.status !== null ? <div>{t('test.status', { status: r.status })}</div> : null}
          {r.error ? <Typography.Text type="danger">{r.error}</Typography.Text> : null}
        </div>
      );
      if (r.delivered) modal.success({ title: t('test.delivered', { name: w.name }), content, okText: tc('actions.close') });
      else modal.error({ title: t('test.failed', { name: w.name }), content, okText: tc('actions.close') });
    } catch (e) {
      void message.error(errorText(e));
    }
  };

  const columns: ColumnsType<AlertWebhook> = [
    {
      title: t('cols.webhook'),
      dataIndex: 'name',
      width: 260,
      render: (_, w) => (
        <div className="min-w-0">
          <div className="font-medium break-all">{w.name}</div>
          <div className="text-xs break-all" style={{ color: 'var(--poise-muted)' }}>
            {w.url}
          </div>
          {Object.keys(w.headers ?? {}).length ? (
            <div className="text-xs" style={{ color: 'var(--poise-muted)' }}>
              {t('cols.headers', { list: Object.keys(w.headers).join(', ') })}
            </div>
          ) : null}
        </div>
      ),
    },
    { title: t('cols.events'), key: 'events', width: 260, render: (_, w) => <EventTags w={w} /> },
    {
      title: t('cols.enabled'),
      dataIndex: 'enabled',
      width: 90,
      render: (v: boolean, w) =>
        canWrite ? (
          <Switch
            size="small"
            checked={v}
            data-write=""
            aria-label={t('cols.enabled')}
            loading={m.update.isPending && m.update.variables?.id === w.id}
            onChange={(on) =>
              void m.update
                .mutateAsync({ id: w.id, body: { enabled: on } })
                .then(() => message.success(t(on ? 'msg.enabled' : 'msg.disabled', { name: w.name })))
                .catch((e: unknown) => message.error(errorText(e)))
            }
          />
        ) : v ? (
          <Tag color="success">{t('on')}</Tag>
        ) : (
          <Tag>{t('off')}</Tag>
        ),
    },
    {
      title: t('cols.lastDelivery'),
      key: 'last',
      width: 170,
      render: (_, w) => {
        const d = latest.get(w.id);
        if (!d) return <Typography.Text type="secondary">{t('deliveries.none')}</Typography.Text>;
        return (
          <Space size={4} wrap>
            <DeliveryStatus d={d} />
            <Tooltip title={formatTime(d.time)}>
              <span className="text-xs" style={{ color: 'var(--poise-muted)' }}>
                {formatRelative(d.time)}
              </span>
            </Tooltip>
          </Space>
        );
      },
    },
  ];
  if (canWrite) {
    columns.push({
      title: wide ? t('cols.actions') : '',
      key: 'actions',
      fixed: 'right',
      width: rowActionsWidth(3, wide),
      render: (_, w) => (
        <AdaptiveRowActions
          moreLabel={t('cols.actions')}
          actions={[
            {
              key: 'test',
              label: t('test.action'),
              icon: <SendOutlined />,
              write: true,
              testId: `alert-test-${w.id}`,
              loading: m.test.isPending && m.test.variables === w.id,
              onClick: () => void sendTest(w),
            },
            { key: 'edit', label: tc('actions.edit'), icon: <EditOutlined />, write: true, testId: `alert-edit-${w.id}`, onClick: () => openForm(w) },
            {
              key: 'delete',
              label: tc('actions.delete'),
              icon: <DeleteOutlined />,
              danger: true,
              write: true,
              testId: `alert-delete-${w.id}`,
              onClick: () =>
                modal.confirm({
                  title: t('delete.title'),
                  content: t('delete.body', { name: w.name }),
                  okText: tc('actions.delete'),
                  cancelText: tc('actions.cancel'),
                  okButtonProps: { danger: true, ...({ 'data-testid': 'alert-delete-confirm' } as object) },
                  onOk: () =>
                    m.remove
                      .mutateAsync(w.id)
                      .then(() => message.success(t('msg.deleted', { name: w.name })))
                      .catch((e: unknown) => message.error(errorText(e))),
                }),
            },
          ]}
        />
      ),
    });
  }

  const deliveryColumns: ColumnsType<AlertDelivery> = [
    {
      title: t('deliveries.time'),
      dataIndex: 'time',
      width: 170,
      render: (v: string) => <Tooltip title={formatRelative(v)}>{formatTime(v)}</Tooltip>,
    },
    { title: t('deliveries.webhook'), dataIndex: 'webhook_id', width: 140, render: (id: number) => names.get(id) ?? `#${id}` },
    {
      title: t('deliveries.event'),
      dataIndex: 'event',
      width: 150,
      render: (e: string) => <Tag>{t(`events.${evKey(e)}.short`, { defaultValue: e })}</Tag>,
    },
    { title: t('deliveries.status'), key: 'status', width: 110, render: (_, d) => <DeliveryStatus d={d} /> },
    { title: t('deliveries.attempts'), dataIndex: 'attempts', width: 90, align: 'right', render: (n: number) => formatNumber(n) },
    {
      title: t('deliveries.summary'),
      key: 'summary',
      render: (_, d) => (
        <div className="min-w-0 text-sm">
          <div className="break-all">{d.summary}</div>
          {d.last_error ? (
            <Typography.Text type="danger" className="text-xs break-all">
              {d.last_error}
            </Typography.Text>
          ) : null}
        </div>
      ),
    },
  ];

  const items = webhooks.data?.items ?? [];
  const logRows = deliveries.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <PageHeader
        title={tc('nav.alerts')}
        subtitle={t('subtitle')}
        extra={
          <>
            <Button
              icon={<ReloadOutlined />}
              onClick={() => {
                void webhooks.refetch();
                void deliveries.refetch();
                void latestAll.refetch();
              }}
              loading={webhooks.isFetching && !webhooks.isPending}
            >
              {tc('actions.refresh')}
            </Button>
            {canWrite ? (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => openForm(null)} data-write="" data-testid="alert-create">
                {t('create')}
              </Button>
            ) : null}
          </>
        }
      />
      <div className="flex flex-col gap-4">
        <Card title={t('webhooks')}>
          {webhooks.isError ? (
            <div className="mb-4">
              <ErrorAlert error={webhooks.error} onRetry={() => void webhooks.refetch()} />
            </div>
          ) : null}
          {webhooks.data && webhooks.data.dropped > 0 ? (
            <Typography.Paragraph type="warning">{t('dropped', { count: webhooks.data.dropped })}</Typography.Paragraph>
          ) : null}
          <Table<AlertWebhook>
            rowKey="id"
            size="middle"
            data-testid="alerts-table"
            columns={columns}
            dataSource={items}
            loading={webhooks.isPending}
            scroll={{ x: canWrite ? 780 + rowActionsWidth(3, wide) : 780 }}
            pagination={items.length > 20 ? { pageSize: 20 } : false}
            locale={{ emptyText: webhooks.isPending ? ' ' : <Empty description={canWrite ? t('empty.admin') : t('empty.viewer')} /> }}
          />
        </Card>
        <Card
          title={t('deliveries.title')}
          extra={
            <Select<number | 'all'>
              size="small"
              value={logFilter ?? 'all'}
              style={{ width: 180, maxWidth: '40vw' }}
              aria-label={t('deliveries.webhook')}
              onChange={(v) => setLogFilter(v === 'all' ? undefined : v)}
              options={[{ value: 'all' as const, label: t('deliveries.all') }, ...items.map((w) => ({ value: w.id, label: w.name }))]}
            />
          }
        >
          {deliveries.isError ? (
            <div className="mb-4">
              <ErrorAlert error={deliveries.error} onRetry={() => void deliveries.refetch()} />
            </div>
          ) : null}
          <Table<AlertDelivery>
            rowKey="id"
            size="small"
            data-testid="deliveries-table"
            columns={deliveryColumns}
            dataSource={logRows}
            loading={deliveries.isPending}
            scroll={{ x: 900 }}
            pagination={false}
            locale={{ emptyText: deliveries.isPending ? ' ' : <Empty description={t('deliveries.empty')} /> }}
          />
          {deliveries.hasNextPage ? (
            <div className="mt-3 flex justify-center">
              <Button onClick={() => void deliveries.fetchNextPage()} loading={deliveries.isFetchingNextPage}>
                {t('deliveries.more')}
              </Button>
            </div>
          ) : null}
        </Card>
      </div>
      <AlertFormModal
        open={formOpen}
        webhook={editing}
        busy={m.create.isPending || m.update.isPending}
        error={formError}
        onSubmit={(b) => void submit(b)}
        onCancel={() => setFormOpen(false)}
      />
    </>
  );
}
