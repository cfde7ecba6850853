// The request log: filters kept in the URL, newest first, a page at a time through the API's
// cursor ("Load more" keeps the pages already loaded), and a drawer with one request in depth.
import { useMemo, useState } from 'react';
import { Badge, Button, Card, Drawer, Empty, Grid, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { FilterOutlined, ReloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { formatMs, formatRelative, formatTime } from '../../components/format';
import { useLogs, type RequestLogEntry } from './api';
import { activeFilterCount, useLogFilters } from './filters';
import { LogFilterBar } from './LogFilterBar';
import { LogDetailDrawer } from './LogDetailDrawer';
import { ErrorClassTag, StatusTag, StreamMark, TokensCell } from './LogBits';

const KNOWN_MODELS = ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-2.5-flash-lite', 'gemini-2.0-flash'];

// The path without what other columns already say: "/v1beta/models/gemini-2.5-flash:generateContent"
// becomes "v1beta …:generateContent" (the whole path is in the tooltip).
export function shortPath(e: Pick<RequestLogEntry, 'path' | 'route'>): string {
  const path = e.path || e.route;
  const m = /^\/(v1beta|v1alpha|v1)\/models\/[^/:]+(:[A-Za-z]+)$/.exec(path);
  return m ? `${m[1]} …${m[2]}` : path;
}

export default function LogsPage() {
  const { t } = useTranslation('logs');
  const { t: tc } = useTranslation();
  const screens = Grid.useBreakpoint();
  const narrow = !(screens.lg ?? true);
  const { filters, patchFilters, openId, openEntry } = useLogFilters();
  const [now, setNow] = useState(() => Date.now());
  const [filtersOpen, setFiltersOpen] = useState(false);
  const logs = useLogs(filters, now);

  const items = useMemo(() => logs.data?.pages.flatMap((p) => p.items) ?? [], [logs.data]);
  const models = useMemo(
    () => Array.from(new Set([...items.map((i) => i.model).filter(Boolean), ...KNOWN_MODELS])).sort(),
    [items],
  );
  const count = activeFilterCount(filters);
  const logOff = logs.error instanceof ApiError && logs.error.status === 404;

  const columns: ColumnsType<RequestLogEntry> = [
    {
      title: t('columns.time'),
      dataIndex: 'created_at',
      width: 124,
      render: (v: string) => (
        <Tooltip title={`${formatTime(v)} · ${formatRelative(v)}`}>
          <span className="whitespace-nowrap tabular-nums">{formatTime(v).slice(5)}</span>
        </Tooltip>
      ),
    },
    { title: t('columns.status'), dataIndex: 'status', width: 68, render: (s: number) => <StatusTag status={s} /> },
    {
      title: t('columns.route'),
      key: 'route',
      width: 220,
      render: (_, e) => (
        <div className="flex min-w-0 items-center gap-1">
          <Tag bordered={false} className="!me-1 shrink-0">
            {t(`protocol.${e.protocol}`, { defaultValue: e.protocol })}
          </Tag>
          <Typography.Text ellipsis={{ tooltip: `${e.method} ${e.path}` }} className="min-w-0 text-xs">
            {shortPath(e)}
          </Typography.Text>
          {e.stream ? <span className="ms-1 shrink-0"><StreamMark /></span> : null}
        </div>
      ),
    },
    {
      title: t('columns.model'),
      dataIndex: 'model',
      width: 132,
      render: (m: string) => (m ? <Typography.Text ellipsis={{ tooltip: m }}>{m}</Typography.Text> : '–'),
    },
    {
      title: t('columns.latencyTtfb'),
      key: 'latency',
      width: 124,
      align: 'right',
      render: (_, e) => (
        <span className="whitespace-nowrap tabular-nums">
          {formatMs(e.latency_ms)}
          <span className="text-[var(--poise-muted)]"> / {e.ttfb_ms === null ? '–' : formatMs(e.ttfb_ms)}</span>
        </span>
      ),
    },
    { title: t('columns.tokens'), key: 'tokens', width: 96, render: (_, e) => <TokensCell e={e} /> },
    { title: t('columns.attempts'), dataIndex: 'attempts', width: 96, align: 'right', render: (n: number) => <span className="tabular-nums">{n}</span> },
    {
      title: t('columns.token'),
      dataIndex: 'token_name',
      width: 110,
      // Shown on wide screens; the filter and the drawer name it everywhere.
      responsive: ['xxl'],
      render: (n: string, e) => <Typography.Text ellipsis={{ tooltip: n }}>{n || (e.token_id === 0 ? '–' : `#${e.token_id}`)}</Typography.Text>,
    },
    { title: t('columns.error'), dataIndex: 'error_class', width: 136, render: (c: string) => <ErrorClassTag errorClass={c} /> },
  ];

  const filterBar = <LogFilterBar filters={filters} onChange={patchFilters} models={models} vertical={narrow} />;

  const empty = (
    <Empty
      image={Empty.PRESENTED_IMAGE_SIMPLE}
      data-testid="logs-empty"
      description={
        <div className="mx-auto max-w-md">
          <div className="font-medium">{count > 0 ? t('empty.filteredTitle') : t('empty.title')}</div>
          <div className="text-[var(--poise-muted)]">{count > 0 ? t('empty.filteredHint') : t('empty.hint')}</div>
        </div>
      }
    />
  );

  return (
    <>
      <PageHeader
        title={tc('nav.logs')}
        subtitle={t('subtitle')}
        extra={
          <>
            {narrow ? (
              <Badge count={count} size="small">
                <Button icon={<FilterOutlined />} onClick={() => setFiltersOpen(true)} data-testid="filters-button">
                  {t('filters.title')}
                </Button>
              </Badge>
            ) : null}
            <Button
              icon={<ReloadOutlined />}
              loading={logs.isFetching && !logs.isFetchingNextPage}
              onClick={() => setNow(Date.now())}
              data-testid="logs-refresh"
            >
              {tc('actions.refresh')}
            </Button>
          </>
        }
      />
      {narrow ? (
        <Drawer
          open={filtersOpen}
          onClose={() => setFiltersOpen(false)}
          placement="bottom"
          size="auto"
          title={t('filters.title')}
          data-testid="filters-drawer"
          styles={{ body: { paddingBottom: 24 } }}
        >
          {filterBar}
        </Drawer>
      ) : (
        <Card size="small" className="mb-4">
          {filterBar}
        </Card>
      )}

      {logOff ? (
        <Card>
          <Empty description={<div className="mx-auto max-w-md">{t('empty.off')}</div>} />
        </Card>
      ) : (
        <Card size="small" styles={{ body: { padding: 0 } }}>
          {logs.error && !logs.data ? (
            <div className="p-4">
              <ErrorAlert error={logs.error} onRetry={() => void logs.refetch()} />
            </div>
          ) : (
            <>
              <Table<RequestLogEntry>
                data-testid="logs-table"
                rowKey="id"
                size="small"
                columns={columns}
                dataSource={items}
                loading={logs.isPending || (logs.isPlaceholderData && logs.isFetching)}
                pagination={false}
                scroll={{ x: 1000 }}
                tableLayout="fixed"
                locale={{ emptyText: logs.isPending ? ' ' : empty }}
                onRow={(e) => ({
                  onClick: () => openEntry(e.id),
                  className: 'cursor-pointer',
                  'data-testid': 'log-row',
                })}
              />
              {logs.error && logs.data ? (
                <div className="p-4">
                  <ErrorAlert error={logs.error} onRetry={() => void logs.fetchNextPage()} />
                </div>
              ) : null}
              {items.length > 0 ? (
                <div className="flex flex-wrap items-center justify-between gap-2 border-t border-[var(--poise-border)] px-4 py-3">
                  <Typography.Text type="secondary" data-testid="logs-count">
                    {t('shown', { count: items.length })}
                  </Typography.Text>
                  {logs.hasNextPage ? (
                    <Button onClick={() => void logs.fetchNextPage()} loading={logs.isFetchingNextPage} data-testid="logs-more">
                      {t('loadMore')}
                    </Button>
                  ) : (
                    <Typography.Text type="secondary">{t('end')}</Typography.Text>
                  )}
                </div>
              ) : null}
            </>
          )}
        </Card>
      )}

      <LogDetailDrawer id={openId} onClose={() => openEntry(undefined)} />
    </>
  );
}
