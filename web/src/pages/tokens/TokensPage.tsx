// Client tokens: the table (status, limits, expiry, last use, usage), create and edit with every
// limit, enable/disable, rotate and delete (confirmed), the value shown once after create and
// rotate, and a usage drawer per token. Viewers read only.
import { useState } from 'react';
import { App, Button, Card, Empty, Grid, Input, Select, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import {
  BarChartOutlined,
  DeleteOutlined,
  EditOutlined,
  PauseCircleOutlined,
  PlayCircleOutlined,
  PlusOutlined,
  ReloadOutlined,
  SyncOutlined,
} from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useCanWrite } from '../../auth/session';
import { AdaptiveRowActions, rowActionsWidth, type RowAction } from '../../components/AdaptiveRowActions';
import { ErrorAlert, errorText } from '../../components/ErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { ShownOnceSecretModal } from '../../components/ShownOnceSecretModal';
import { formatCompact, formatNumber, formatRelative, formatTime } from '../../components/format';
import { useTokenMutations, useTokens, type ClientToken, type ClientTokenWithValue } from './api';
import { toTokenFields, type TokenFormValues } from './limits';
import { TokenFormModal } from './TokenFormModal';
import { TokenUsageDrawer } from './TokenUsageDrawer';

type StatusFilter = 'all' | 'true' | 'false';

export function TokenStatus({ token }: { token: ClientToken }) {
  const { t } = useTranslation('tokens');
  if (!token.enabled) return <Tag>{t('status.disabled')}</Tag>;
  if (token.expired) return <Tag color="warning">{t('status.expired')}</Tag>;
  return <Tag color="success">{t('status.active')}</Tag>;
}

function Limits({ token }: { token: ClientToken }) {
  const { t } = useTranslation('tokens');
  const parts: string[] = [];
  if (token.rpm_limit !== null) parts.push(t('limits.rpm', { n: formatNumber(token.rpm_limit) }));
  if (token.daily_request_quota !== null) parts.push(t('limits.dailyRequests', { n: formatCompact(token.daily_request_quota) }));
  if (token.daily_token_quota !== null) parts.push(t('limits.dailyTokens', { n: formatCompact(token.daily_token_quota) }));
  const scope: string[] = [];
  if (token.allowed_models.length) scope.push(t('limits.models', { list: token.allowed_models.join(', ') }));
  if (token.allowed_protocols.length) scope.push(t('limits.protocols', { list: token.allowed_protocols.map((p) => t(`protocols.${p}`)).join(', ') }));
  if (token.allowed_cidrs.length) scope.push(t('limits.cidrs', { list: token.allowed_cidrs.join(', ') }));
  if (!parts.length && !scope.length) return <Typography.Text type="secondary">{t('limits.none')}</Typography.Text>;
  return (
    <div className="flex flex-wrap gap-1">
      {parts.map((p) => (
        <Tag key={p} color="blue">
          {p}
        </Tag>
      ))}
      {scope.map((s) => (
        <Tooltip key={s} title={s}>
          <Tag className="max-w-[220px] truncate">{s}</Tag>
        </Tooltip>
      ))}
    </div>
  );
}

export default function TokensPage() {
  const { t } = useTranslation('tokens');
  const { t: tc } = useTranslation();
  const { message, modal } = App.useApp();
  const screens = Grid.useBreakpoint();
  const wide = screens.md ?? true;
  const canWrite = useCanWrite();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<StatusFilter>('all');
  const list = useTokens({ page, page_size: pageSize, search: search || undefined, enabled: status === 'all' ? undefined : status });
  const m = useTokenMutations();

  const [formOpen, setFormOpen] = useState(false);
  const [editing, setEditing] = useState<ClientToken | null>(null);
  const [formError, setFormError] = useState<unknown>(null);
  // The value of a token just created or rotated: kept only while its modal is open.
  const [secret, setSecret] = useState<{ token: ClientTokenWithValue; rotated: boolean } | null>(null);
  const [usageOf, setUsageOf] = useState<ClientToken | null>(null);

  const openForm = (tok: ClientToken | null) => {
    setEditing(tok);
    setFormError(null);
    setFormOpen(true);
  };

  const submit = async (v: TokenFormValues) => {
    setFormError(null);
    const body = toTokenFields(v);
    try {
      if (editing) {
        await m.update.mutateAsync({ id: editing.id, body });
        void message.success(t('msg.saved', { name: body.name }));
      } else {
        const created = await m.create.mutateAsync(body);
        setSecret({ token: created, rotated: false });
      }
      setFormOpen(false);
    } catch (e) {
      setFormError(e);
    }
  };

  const act = async (what: () => Promise<unknown>, ok: string) => {
    try {
      await what();
      void message.success(ok);
    } catch (e) {
      void message.error(errorText(e));
    }
  };

  const columns: ColumnsType<ClientToken> = [
    {
      title: t('cols.name'),
      dataIndex: 'name',
      width: 200,
      render: (_, r) => (
        <div className="min-w-0">
          <div className="font-medium break-all">{r.name}</div>
          <Typography.Text code className="text-xs">{`${r.prefix}…`}</Typography.Text>
          {r.note ? (
            <div className="truncate text-xs" style={{ color: 'var(--poise-muted)' }} title={r.note}>
              {r.note}
            </div>
          ) : null}
        </div>
      ),
    },
    { title: t('cols.status'), key: 'status', width: 90, render: (_, r) => <TokenStatus token={r} /> },
    { title: t('cols.limits'), key: 'limits', width: 220, render: (_, r) => <Limits token={r} /> },
    {
      title: t('cols.expires'),
      dataIndex: 'expires_at',
      width: 110,
      render: (v: string | null, r) =>
        v ? (
          <Tooltip title={formatTime(v)}>
            <Typography.Text type={r.expired ? 'danger' : undefined}>{formatRelative(v)}</Typography.Text>
          </Tooltip>
        ) : (
          <Typography.Text type="secondary">{t('never')}</Typography.Text>
        ),
    },
    {
      title: t('cols.usage'),
      key: 'usage',
      width: 180,
      render: (_, r) => (
        <div className="text-xs leading-5">
          <div>{t('usageCell.today', { requests: formatNumber(r.usage.today.requests), tokens: formatCompact(r.usage.today.tokens) })}</div>
          <div style={{ color: 'var(--poise-muted)' }}>
            {t('usageCell.total', { requests: formatNumber(r.usage.requests), errors: formatNumber(r.usage.errors) })}
          </div>
          <div style={{ color: 'var(--poise-muted)' }}>
            {r.last_used_at ? (
              <Tooltip title={formatTime(r.last_used_at)}>{t('usageCell.lastUsed', { when: formatRelative(r.last_used_at) })}</Tooltip>
            ) : (
              t('usageCell.neverUsed')
            )}
          </div>
        </div>
      ),
    },
    {
      title: wide ? t('cols.actions') : '',
      key: 'actions',
      fixed: 'right',
      width: rowActionsWidth(canWrite ? 5 : 1, wide),
      render: (_, r) => {
        const actions: RowAction[] = [
          { key: 'usage', label: t('actions.usage'), icon: <BarChartOutlined />, onClick: () => setUsageOf(r), testId: `token-usage-${r.id}` },
        ];
        if (canWrite) {
          actions.push(
            { key: 'edit', label: tc('actions.edit'), icon: <EditOutlined />, write: true, testId: `token-edit-${r.id}`, onClick: () => openForm(r) },
            {
              key: 'toggle',
              label: r.enabled ? tc('actions.disable') : tc('actions.enable'),
              icon: r.enabled ? <PauseCircleOutlined /> : <PlayCircleOutlined />,
              write: true,
              testId: `token-toggle-${r.id}`,
              loading: m.setEnabled.isPending && m.setEnabled.variables?.id === r.id,
              onClick: () =>
                void act(
                  () => m.setEnabled.mutateAsync({ id: r.id, enabled: !r.enabled }),
                  t(r.enabled ? 'msg.disabled' : 'msg.enabled', { name: r.name }),
                ),
            },
            {
              key: 'rotate',
              label: t('actions.rotate'),
              icon: <SyncOutlined />,
              write: true,
              testId: `token-rotate-${r.id}`,
              onClick: () =>
                modal.confirm({
                  title: t('rotate.title'),
                  content: t('rotate.body', { name: r.name }),
                  okText: t('actions.rotate'),
                  cancelText: tc('actions.cancel'),
                  okButtonProps: { danger: true, ...({ 'data-testid': 'token-rotate-confirm' } as object) },
                  onOk: async () => {
                    try {
                      const res = await m.rotate.mutateAsync(r.id);
                      setSecret({ token: res, rotated: true });
                    } catch (e) {
                      void message.error(errorText(e));
                    }
                  },
                }),
            },
            {
              key: 'delete',
              label: tc('actions.delete'),
              icon: <DeleteOutlined />,
              danger: true,
              write: true,
              testId: `token-delete-${r.id}`,
              onClick: () =>
                modal.confirm({
                  title: t('delete.title'),
                  content: t('delete.body', { name: r.name }),
                  okText: tc('actions.delete'),
                  cancelText: tc('actions.cancel'),
                  okButtonProps: { danger: true, ...({ 'data-testid': 'token-delete-confirm' } as object) },
                  onOk: () => act(() => m.remove.mutateAsync(r.id), t('msg.deleted', { name: r.name })),
                }),
            },
          );
        }
        return <AdaptiveRowActions actions={actions} moreLabel={t('cols.actions')} />;
      },
    },
  ];

  const filtered = search !== '' || status !== 'all';

  return (
    <>
      <PageHeader
        title={tc('nav.tokens')}
        subtitle={t('subtitle')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => void list.refetch()} loading={list.isFetching && !list.isPending}>
              {tc('actions.refresh')}
            </Button>
            {canWrite ? (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => openForm(null)} data-write="" data-testid="token-create">
                {t('actions.create')}
              </Button>
            ) : null}
          </>
        }
      />
      <Card>
        <div className="mb-4 flex flex-wrap gap-2">
          <Input.Search
            allowClear
            placeholder={t('searchPlaceholder')}
            onSearch={(v) => {
              setSearch(v.trim());
              setPage(1);
            }}
            style={{ width: 260, maxWidth: '100%' }}
          />
          <Select<StatusFilter>
            value={status}
            onChange={(v) => {
              setStatus(v);
              setPage(1);
            }}
            style={{ width: 160 }}
            options={[
              { value: 'all', label: t('filter.all') },
              { value: 'true', label: t('filter.enabled') },
              { value: 'false', label: t('filter.disabled') },
            ]}
            aria-label={t('cols.status')}
          />
        </div>
        {list.isError ? (
          <div className="mb-4">
            <ErrorAlert error={list.error} onRetry={() => void list.refetch()} />
          </div>
        ) : null}
        <Table<ClientToken>
          rowKey="id"
          size="middle"
          data-testid="tokens-table"
          columns={columns}
          dataSource={list.data?.items ?? []}
          loading={list.isPending || (list.isFetching && list.isPlaceholderData)}
          scroll={{ x: 800 + rowActionsWidth(canWrite ? 5 : 1, wide) }}
          locale={{
            emptyText: list.isPending ? ' ' : (
              <Empty description={filtered ? t('empty.filtered') : canWrite ? t('empty.admin') : t('empty.viewer')} />
            ),
          }}
          pagination={{
            current: page,
            pageSize,
            total: list.data?.total ?? 0,
            showSizeChanger: true,
            pageSizeOptions: [10, 20, 50, 100],
            showTotal: (n) => t('total', { count: n }),
            onChange: (p, s) => {
              setPage(s !== pageSize ? 1 : p);
              setPageSize(s);
            },
          }}
        />
      </Card>

      <TokenFormModal
        open={formOpen}
        token={editing}
        busy={m.create.isPending || m.update.isPending}
        error={formError}
        onSubmit={(v) => void submit(v)}
        onCancel={() => setFormOpen(false)}
      />
      <ShownOnceSecretModal
        open={secret !== null}
        testId="token-secret"
        title={secret ? t(secret.rotated ? 'secret.rotatedTitle' : 'secret.createdTitle', { name: secret.token.name }) : ''}
        warning={t('secret.warning')}
        value={secret?.token.token ?? ''}
        copyLabel={tc('actions.copy')}
        closeLabel={t('secret.done')}
        extra={<Typography.Text type="secondary">{t('secret.howto')}</Typography.Text>}
        onClose={() => setSecret(null)}
      />
      <TokenUsageDrawer token={usageOf} onClose={() => setUsageOf(null)} />
    </>
  );
}
