// The models, client tokens and keys with the most requests over the chosen range.
import type { ReactNode } from 'react';
import { Card, Empty, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatCompact, formatNumber } from '../../components/format';
import { type TopBy, type TopItem, useTokenNames, useTop } from './api';
import type { RangeKey } from './ranges';
import { tokenLabel, totalTokens } from './series';

function TopCard({
  by,
  range,
  title,
  first,
  extra,
  showErrors = true,
}: {
  by: TopBy;
  range: RangeKey;
  title: string;
  first: ColumnsType<TopItem>[number];
  extra: ColumnsType<TopItem>;
  showErrors?: boolean;
}) {
  const { t } = useTranslation('dashboard');
  const q = useTop(by, range);
  const columns: ColumnsType<TopItem> = [
    first,
    {
      key: 'requests',
      title: t('top.requests'),
      align: 'right',
      render: (_, r) => (
        <span className="whitespace-nowrap">
          {formatNumber(r.requests)}
          {showErrors && r.errors > 0 ? (
            <Typography.Text type="danger" className="ml-1 text-xs" title={t('top.errorsTitle', { value: r.errors })}>
              {t('top.errorsShort', { value: formatNumber(r.errors) })}
            </Typography.Text>
          ) : null}
        </span>
      ),
    },
    ...extra,
  ];
  let body: ReactNode;
  if (q.error) body = <ErrorAlert error={q.error} onRetry={() => void q.refetch()} />;
  else
    body = (
      <Table<TopItem>
        size="small"
        rowKey="value"
        loading={q.isPending}
        columns={columns}
        dataSource={q.data?.items ?? []}
        pagination={false}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('top.empty')} /> }}
      />
    );
  return (
    <Card size="small" title={title} className="min-w-0" data-testid={`top-${by}`} styles={{ body: { padding: 8 } }}>
      {body}
    </Card>
  );
}

export function TopTables({ range }: { range: RangeKey }) {
  const { t } = useTranslation('dashboard');
  const tokens = useTop('token', range);
  const needNames = (tokens.data?.items ?? []).some((i) => (i.token_id ?? Number(i.value)) !== 0);
  const names = useTokenNames(needNames);

  const tokensColumn: ColumnsType<TopItem>[number] = {
    key: 'tokens',
    title: t('top.tokensUsed'),
    align: 'right',
    render: (_, r) => <span title={formatNumber(totalTokens(r))}>{formatCompact(totalTokens(r))}</span>,
  };
  return (
    <div className="grid min-w-0 gap-3 lg:grid-cols-3">
      <TopCard
        by="model"
        range={range}
        title={t('top.models')}
        first={{
          key: 'model',
          title: t('top.model'),
          render: (_, r) => <span className="break-all font-mono text-xs">{r.value}</span>,
        }}
        extra={[tokensColumn]}
      />
      <TopCard
        by="token"
        range={range}
        title={t('top.tokens')}
        first={{
          key: 'token',
          title: t('top.token'),
          render: (_, r) => {
            const l = tokenLabel(r, names.data);
            if (l.kind === 'default') return <Typography.Text type="secondary">{t('top.defaultToken')}</Typography.Text>;
            if (l.kind === 'named') return <span className="break-all">{l.name}</span>;
            return t('top.tokenId', { id: l.id });
          },
        }}
        extra={[tokensColumn]}
      />
      <TopCard
        by="key"
        range={range}
        title={t('top.keys')}
        showErrors={false}
        first={{
          key: 'key',
          title: t('top.key'),
          render: (_, r) => {
            const id = r.key_id ?? Number(r.value);
            if (!r.key_value) return <Typography.Text type="secondary">{t('top.deletedKey', { id })}</Typography.Text>;
            return (
              <Link to={`/keys?key=${id}`} className="font-mono text-xs" data-testid={`top-key-${id}`}>
                {r.key_value}
              </Link>
            );
          },
        }}
        extra={[
          {
            key: 'failed',
            title: t('top.failedAttempts'),
            align: 'right',
            render: (_, r) =>
              r.failed_attempts > 0 ? (
                <Typography.Text type="danger">{formatNumber(r.failed_attempts)}</Typography.Text>
              ) : (
                '0'
              ),
          },
        ]}
      />
    </div>
  );
}
