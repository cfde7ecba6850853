// The audit log: who did what to what, when and from where; filters by user, action, target and
// time range (kept in the URL), server-side pages. Read-only for everyone.
import { useMemo, useState, useEffect } from 'react';
import { Button, Card, DatePicker, Empty, Input, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { ReloadOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { formatRelative, formatTime } from '../../components/format';
import { filtersFromParams, paramsFromFilters, useAudit, type AuditEntry, type AuditQuery } from './api';

function actionColor(action: string): string | undefined {
  if (/delete|disable|revoke|reset/.test(action)) return 'red';
  if (/create|add|enable/.test(action)) return 'green';
  if (/reveal|rotate|login/.test(action)) return 'orange';
  return 'blue';
}

export default function AuditPage() {
  const { t } = useTranslation('audit');
  const { t: tc } = useTranslation();
  const [params, setParams] = useSearchParams();
  const query = useMemo(() => filtersFromParams(params), [params]);
  const audit = useAudit(query);
  // The text filters are typed first and applied on Enter / blur.
  const [draft, setDraft] = useState({ user: query.user ?? '', action: query.action ?? '', target: query.target ?? '' });
  useEffect(() => setDraft({ user: query.user ?? '', action: query.action ?? '', target: query.target ?? '' }), [query.user, query.action, query.target]);

  const apply = (next: Partial<AuditQuery>) => setParams(paramsFromFilters({ ...query, page: 1, ...next }));
  const applyText = (name: 'user' | 'action' | 'target') => {
    const v = draft[name].trim();
    if ((query[name] ?? '') !== v) apply({ [name]: v || undefined });
  };
  const filtered = !!(query.user || query.action || query.target || query.since || query.until);

  const columns: ColumnsType<AuditEntry> = [
    {
      title: t('cols.time'),
      dataIndex: 'created_at',
      width: 170,
      render: (v: string) => <Tooltip title={formatRelative(v)}>{formatTime(v)}</Tooltip>,
    },
    {
      title: t('cols.actor'),
      dataIndex: 'username',
      width: 110,
      render: (v: string) =>
        v ? (
          <a onClick={() => apply({ user: v })} title={t('filterBy', { value: v })}>
            {v}
          </a>
        ) : (
          <Typography.Text type="secondary">{t('system')}</Typography.Text>
        ),
    },
    {
      title: t('cols.action'),
      dataIndex: 'action',
      width: 150,
      render: (v: string) => (
        <Tag color={actionColor(v)} className="cursor-pointer" onClick={() => apply({ action: v })}>
          {v}
        </Tag>
      ),
    },
    {
      title: t('cols.target'),
      dataIndex: 'target',
      width: 130,
      render: (v: string) => (v ? <Typography.Text code className="break-all">{v}</Typography.Text> : '–'),
    },
    {
      title: t('cols.details'),
      dataIndex: 'detail',
      render: (v: string) =>
        v ? (
          <Typography.Paragraph className="!mb-0 break-all text-sm" ellipsis={{ rows: 2, expandable: true, symbol: t('more') }}>
            {v}
          </Typography.Paragraph>
        ) : (
          '–'
        ),
    },
    { title: t('cols.ip'), dataIndex: 'ip', width: 120, render: (v: string) => v || '–' },
  ];

  const range: [Dayjs | null, Dayjs | null] = [query.since ? dayjs(query.since) : null, query.until ? dayjs(query.until) : null];

  return (
    <>
      <PageHeader
        title={tc('nav.audit')}
        subtitle={t('subtitle')}
        extra={
          <Button icon={<ReloadOutlined />} onClick={() => void audit.refetch()} loading={audit.isFetching && !audit.isPending}>
            {tc('actions.refresh')}
          </Button>
        }
      />
      <Card>
        <div className="mb-4 flex flex-wrap gap-2" data-testid="audit-filters">
          {(['user', 'action', 'target'] as const).map((name) => (
            <Input
              key={name}
              allowClear
              value={draft[name]}
              placeholder={t(`filters.${name}`)}
              aria-label={t(`filters.${name}`)}
              onChange={(e) => {
                const v = e.target.value;
                setDraft((d) => ({ ...d, [name]: v }));
                if (v === '' && query[name]) apply({ [name]: undefined });
              }}
              onPressEnter={() => applyText(name)}
              onBlur={() => applyText(name)}
              style={{ width: 180, maxWidth: '100%' }}
            />
          ))}
          <DatePicker.RangePicker
            showTime={{ format: 'HH:mm' }}
            format="YYYY-MM-DD HH:mm"
            value={range}
            allowEmpty={[true, true]}
            placeholder={[t('filters.since'), t('filters.until')]}
            onChange={(v) => apply({ since: v?.[0]?.toISOString(), until: v?.[1]?.toISOString() })}
            presets={[
              { label: t('presets.hour'), value: [dayjs().subtract(1, 'hour'), dayjs()] },
              { label: t('presets.day'), value: [dayjs().subtract(1, 'day'), dayjs()] },
              { label: t('presets.week'), value: [dayjs().subtract(7, 'day'), dayjs()] },
            ]}
            style={{ maxWidth: '100%' }}
          />
          {filtered ? <Button onClick={() => setParams(new URLSearchParams())}>{tc('actions.clear')}</Button> : null}
        </div>
        {audit.isError ? (
          <div className="mb-4">
            <ErrorAlert error={audit.error} onRetry={() => void audit.refetch()} />
          </div>
        ) : null}
        <Table<AuditEntry>
          rowKey="id"
          size="middle"
          data-testid="audit-table"
          columns={columns}
          dataSource={audit.data?.items ?? []}
          loading={audit.isPending || (audit.isFetching && audit.isPlaceholderData)}
          scroll={{ x: 920 }}
          locale={{ emptyText: audit.isPending ? ' ' : <Empty description={filtered ? t('empty.filtered') : t('empty.none')} /> }}
          pagination={{
            current: query.page,
            pageSize: query.page_size,
            total: audit.data?.total ?? 0,
            showSizeChanger: true,
            pageSizeOptions: [20, 50, 100, 200],
            showTotal: (n) => t('total', { count: n }),
            onChange: (page, size) => setParams(paramsFromFilters({ ...query, page: size !== query.page_size ? 1 : page, page_size: size })),
          }}
        />
      </Card>
    </>
  );
}
