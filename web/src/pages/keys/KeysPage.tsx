// The key pool: a server-side paginated table with filters kept in the URL, adding keys (one,
// pasted, a file), bulk actions on the selection, bulk checks with live progress, and a drawer per
// key (?key=<id>). Viewers see the same data and no write controls.
import { useEffect, useMemo, useState } from 'react';
import {
  App, Button, Card, Dropdown, Empty, Grid, Input, InputNumber, Popconfirm, Select, Space, Table, Tag, Tooltip, Typography,
} from 'antd';
import type { ButtonProps, TableColumnsType } from 'antd';
import {
  CheckCircleOutlined, DeleteOutlined, DownOutlined, PlusOutlined, ReloadOutlined, SafetyCertificateOutlined, SearchOutlined, StopOutlined,
} from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useCanWrite } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert, errorText } from '../../components/ErrorAlert';
import { formatNumber, formatRelative, formatTime } from '../../components/format';
import {
  KEY_PRIORITIES, KEY_STATUSES, bulkDeleteKeys, bulkUpdateKeys, fetchAllIds, useInvalidateKeys, useKeyPage,
  type ListedKey, type KeyPriority, type KeyStatus,
} from './api';
import { PAGE_SIZES, useKeyFilters } from './filters';
import { AddKeysModal } from './AddKeysModal';
import { BulkCheckModal } from './BulkCheckModal';
import { KeyDrawer } from './KeyDrawer';
import { PriorityTag, StatusTag } from './StatusTag';
import { countdown, useNow } from './useNow';

const SEARCH_DEBOUNCE_MS = 350;
const mono = { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace' };

function CooldownCell({ cooldowns, now }: { cooldowns: ListedKey['cooldowns']; now: number }) {
  const { t } = useTranslation('keys');
  const live = cooldowns.filter((c) => new Date(c.until).getTime() > now);
  if (!live.length) return <Typography.Text type="secondary">–</Typography.Text>;
  const soonest = Math.min(...live.map((c) => new Date(c.until).getTime()));
  return (
    <Tooltip title={live.map((c) => `${c.model}: ${formatTime(c.until)}`).join(' · ')}>
      <Tag color="orange" data-testid="cooldown-cell">
        {t('cooldownCell', { count: live.length, left: countdown(soonest, now) })}
      </Tag>
    </Tooltip>
  );
}

export default function KeysPage() {
  const { t } = useTranslation('keys');
  const { t: tc } = useTranslation();
  const { message } = App.useApp();
  const canWrite = useCanWrite();
  const screens = Grid.useBreakpoint();
  const { filters, update, hasFilters } = useKeyFilters();
  const invalidate = useInvalidateKeys();

  // Search typed into a local box, sent to the URL once typing pauses.
  const [search, setSearch] = useState(filters.q ?? '');
  // Follow the URL (back/forward, a cleared filter) without undoing what is being typed.
  useEffect(() => setSearch((prev) => ((prev.trim() || undefined) === filters.q ? prev : (filters.q ?? ''))), [filters.q]);
  useEffect(() => {
    if ((search.trim() || undefined) === filters.q) return;
    const id = window.setTimeout(() => update({ q: search }, { replace: true }), SEARCH_DEBOUNCE_MS);
    return () => window.clearTimeout(id);
  }, [search, filters.q, update]);

  const listQuery = { page: filters.page, pageSize: filters.pageSize, status: filters.status, q: filters.q, minFailed: filters.minFailed };
  const list = useKeyPage(listQuery);
  const items = useMemo(() => list.data?.items ?? [], [list.data]);
  const anyCooling = items.some((k) => k.cooldowns.length > 0);
  const now = useNow(1000, anyCooling);

  const [selected, setSelected] = useState<number[]>([]);
  // The selection is per page: a new page or new filters start from none.
  useEffect(() => setSelected([]), [filters.page, filters.pageSize, filters.status, filters.q, filters.minFailed]);

  const [adding, setAdding] = useState(false);
  const [checkIds, setCheckIds] = useState<number[] | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [priority, setPriority] = useState<KeyPriority>('high');

  const bulk = async (what: string, fn: () => Promise<string>) => {
    setBusy(what);
    try {
      void message.success(await fn());
      setSelected([]);
      await invalidate();
    } catch (e) {
      void message.error(errorText(e));
    } finally {
      setBusy(null);
    }
  };
  const setStatus = (status: KeyStatus) =>
    bulk(status, async () => {
      const r = await bulkUpdateKeys(selected, { status });
      return t(status === 'active' ? 'bulk.enabled' : 'bulk.disabled', { count: r.total_updated });
    });
  const checkAll = async () => {
    setBusy('checkAll');
    try {
      const ids = await fetchAllIds({ status: filters.status, q: filters.q, minFailed: filters.minFailed });
      if (!ids.length) void message.info(t('check.none'));
      else setCheckIds(ids);
    } catch (e) {
      void message.error(errorText(e));
    } finally {
      setBusy(null);
    }
  };

  const columns: TableColumnsType<ListedKey> = [
    { title: t('columns.id'), dataIndex: 'id', width: 60, render: (id: number) => <Typography.Text type="secondary">#{id}</Typography.Text> },
    {
      title: t('columns.key'),
      dataIndex: 'key_value',
      width: 170,
      render: (v: string, k) => (
        <div className="min-w-0">
          <code style={mono}>{v}</code>
          {k.description ? (
            <div>
              <Typography.Text type="secondary" ellipsis={{ tooltip: k.description }} style={{ maxWidth: 160 }}>
                {k.description}
              </Typography.Text>
            </div>
          ) : null}
        </div>
      ),
    },
    { title: t('columns.status'), dataIndex: 'status', width: 100, render: (s: string) => <StatusTag status={s} /> },
    { title: t('columns.priority'), dataIndex: 'priority', width: 90, render: (p: string) => <PriorityTag priority={p} /> },
    { title: t('columns.usage'), dataIndex: 'usage_count', width: 80, align: 'right', render: (n: number) => formatNumber(n) },
    {
      title: t('columns.failures'),
      dataIndex: 'failed_count',
      width: 80,
      align: 'right',
      render: (n: number) => (n > 0 ? <Typography.Text type="danger">{formatNumber(n)}</Typography.Text> : formatNumber(n)),
    },
    {
      title: t('columns.lastUsed'),
      dataIndex: 'last_used_at',
      width: 130,
      ellipsis: true,
      render: (v: string | null) =>
        v ? (
          <Tooltip title={formatTime(v)}>
            <span>{formatRelative(v)}</span>
          </Tooltip>
        ) : (
          <Typography.Text type="secondary">{tc('time.never')}</Typography.Text>
        ),
    },
    { title: t('columns.cooldowns'), key: 'cooldowns', width: 170, render: (_, k) => <CooldownCell cooldowns={k.cooldowns} now={now} /> },
  ];

  const total = list.data?.total ?? 0;
  const n = selected.length;
  const toolbar = (
    <div className="mb-3 flex flex-wrap items-center gap-2" data-testid="keys-filters">
      <Select<KeyStatus>
        allowClear
        placeholder={t('filters.status')}
        aria-label={t('filters.status')}
        value={filters.status}
        onChange={(v) => update({ status: v })}
        style={{ width: screens.sm ? 150 : 'calc(50% - 26px)' }}
        options={KEY_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
        data-testid="filter-status"
      />
      <Input
        allowClear
        prefix={<SearchOutlined />}
        placeholder={t('filters.search')}
        aria-label={t('filters.search')}
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        className={screens.sm ? undefined : 'order-first'}
        style={{ width: screens.sm ? 240 : '100%' }}
        data-testid="filter-search"
      />
      <InputNumber<number>
        min={0}
        precision={0}
        placeholder={t('filters.minFailures')}
        aria-label={t('filters.minFailures')}
        value={filters.minFailed ?? null}
        onChange={(v) => update({ minFailed: v && v > 0 ? v : undefined })}
        style={{ width: screens.sm ? 150 : 'calc(50% - 26px)' }}
        data-testid="filter-min-failed"
      />
      {hasFilters ? (
        <Button
          onClick={() => {
            setSearch('');
            update({ status: undefined, q: undefined, minFailed: undefined });
          }}
        >
          {t('filters.clear')}
        </Button>
      ) : null}
      <div className="hidden flex-1 sm:block" />
      <Tooltip title={tc('actions.refresh')}>
        <Button icon={<ReloadOutlined />} aria-label={tc('actions.refresh')} loading={list.isFetching && !list.isPending} onClick={() => void invalidate()} />
      </Tooltip>
    </div>
  );

  const bulkBar =
    canWrite && n > 0 ? (
      <div className="mb-3 flex flex-wrap items-center gap-2 rounded-md p-2" style={{ border: '1px solid var(--poise-border)' }} data-testid="bulk-bar" data-write>
        <Typography.Text strong>{t('bulk.selected', { count: n })}</Typography.Text>
        <Button size="small" icon={<CheckCircleOutlined />} loading={busy === 'active'} onClick={() => setStatus('active')} data-testid="bulk-enable">
          {tc('actions.enable')}
        </Button>
        <Button size="small" icon={<StopOutlined />} loading={busy === 'disabled'} onClick={() => setStatus('disabled')} data-testid="bulk-disable">
          {tc('actions.disable')}
        </Button>
        <Space.Compact size="small">
          <Select<KeyPriority>
            size="small"
            value={priority}
            onChange={setPriority}
            style={{ width: 110 }}
            aria-label={t('columns.priority')}
            options={KEY_PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`) }))}
          />
          <Button
            size="small"
            loading={busy === 'priority'}
            onClick={() =>
              bulk('priority', async () => {
                const r = await bulkUpdateKeys(selected, { priority });
                return t('bulk.priorityDone', { count: r.total_updated });
              })
            }
            data-testid="bulk-priority"
          >
            {t('bulk.setPriority')}
          </Button>
        </Space.Compact>
        <Button size="small" icon={<SafetyCertificateOutlined />} onClick={() => setCheckIds([...selected])} data-testid="bulk-check">
          {t('bulk.check')}
        </Button>
        <Popconfirm
          title={t('bulk.confirmDelete', { count: n })}
          description={t('bulk.confirmDeleteHint')}
          okText={tc('actions.delete')}
          okButtonProps={{ danger: true, 'data-testid': 'bulk-delete-confirm' } as ButtonProps}
          cancelText={tc('actions.cancel')}
          onConfirm={() =>
            bulk('delete', async () => {
              const r = await bulkDeleteKeys(selected);
              return t('bulk.deleted', { count: r.deleted });
            })
          }
        >
          <Button size="small" danger icon={<DeleteOutlined />} loading={busy === 'delete'} data-testid="bulk-delete">
            {t('bulk.delete', { count: n })}
          </Button>
        </Popconfirm>
        <Button size="small" type="link" onClick={() => setSelected([])}>
          {t('bulk.clearSelection')}
        </Button>
      </div>
    ) : null;

  return (
    <>
      <PageHeader
        title={tc('nav.keys')}
        subtitle={list.data ? t('subtitle', { count: total }) : t('subtitleLoading')}
        extra={
          canWrite ? (
            <>
              <Dropdown
                menu={{
                  items: [
                    { key: 'all', label: hasFilters ? t('check.allFiltered') : t('check.all') },
                  ],
                  onClick: () => void checkAll(),
                }}
              >
                <Button icon={<SafetyCertificateOutlined />} loading={busy === 'checkAll'} data-testid="check-menu" data-write>
                  {t('check.button')} <DownOutlined />
                </Button>
              </Dropdown>
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="add-keys" data-write>
                {t('add.button')}
              </Button>
            </>
          ) : null
        }
      />
      <Card>
        {toolbar}
        {bulkBar}
        {list.error ? (
          <div className="mb-3">
            <ErrorAlert error={list.error} onRetry={() => void list.refetch()} />
          </div>
        ) : null}
        <Table<ListedKey>
          rowKey="id"
          size={screens.md ? 'middle' : 'small'}
          columns={columns}
          dataSource={items}
          loading={list.isPending || (list.isFetching && list.isPlaceholderData)}
          scroll={{ x: 920 }}
          data-testid="keys-table"
          rowSelection={
            canWrite
              ? {
                  selectedRowKeys: selected,
                  onChange: (keys) => setSelected(keys as number[]),
                  columnWidth: 40,
                }
              : undefined
          }
          onRow={(k) => ({
            onClick: (e) => {
              // Clicks on the selection checkbox or a control stay theirs.
              if ((e.target as HTMLElement).closest('.ant-checkbox-wrapper, .ant-table-selection-column, button, a')) return;
              update({ key: k.id });
            },
            style: { cursor: 'pointer' },
          })}
          locale={{
            emptyText: (
              <Empty
                image={Empty.PRESENTED_IMAGE_SIMPLE}
                description={hasFilters ? t('empty.filtered') : canWrite ? t('empty.none') : t('empty.noneViewer')}
              >
                {!hasFilters && canWrite ? (
                  <Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding(true)}>
                    {t('add.button')}
                  </Button>
                ) : null}
              </Empty>
            ),
          }}
          pagination={{
            current: filters.page,
            pageSize: filters.pageSize,
            total,
            showSizeChanger: true,
            pageSizeOptions: PAGE_SIZES.map(String),
            showTotal: (n2, range) => t('pageTotal', { from: range[0], to: range[1], total: n2 }),
            size: screens.md ? 'medium' : 'small',
            onChange: (page, pageSize) => update(pageSize !== filters.pageSize ? { pageSize } : { page }),
          }}
        />
      </Card>
      {canWrite ? <AddKeysModal open={adding} onClose={() => setAdding(false)} onAdded={() => void invalidate()} /> : null}
      {canWrite ? (
        <BulkCheckModal
          ids={checkIds}
          onClose={() => {
            setCheckIds(null);
            void invalidate();
          }}
          onChanged={() => void invalidate()}
        />
      ) : null}
      <KeyDrawer id={filters.key ?? null} onClose={() => update({ key: undefined })} />
    </>
  );
}
