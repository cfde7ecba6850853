// One request in depth: every field of its row, the attempts per key, timings, usage, the error,
// the client, and the captured bodies when body capture was on.
import { Descriptions, Drawer, Empty, Grid, Skeleton, Table, Tag, Tooltip, Typography, theme } from 'antd';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { CopyButton } from '../../components/CopyButton';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatMs, formatNumber, formatRelative, formatTime } from '../../components/format';
import { parseKeysTried, useLogEntry, type Attempt, type RequestLogEntry } from './api';
import { ErrorClassTag, OutcomeTag, StatusTag, StreamMark } from './LogBits';

function Body({ label, text }: { label: string; text?: string }) {
  const { token } = theme.useToken();
  const { t } = useTranslation('logs');
  if (text === undefined || text === null) return null;
  return (
    <div className="mb-4" data-testid="log-body">
      <div className="mb-1 flex items-center justify-between gap-2">
        <Typography.Text strong>{label}</Typography.Text>
        <CopyButton text={text} size="small" />
      </div>
      {text === '' ? (
        <Typography.Text type="secondary">{t('detail.emptyBody')}</Typography.Text>
      ) : (
        <pre
          className="m-0 max-h-80 overflow-auto whitespace-pre-wrap break-all rounded p-3 text-xs"
          style={{
            fontFamily: token.fontFamilyCode,
            background: token.colorFillQuaternary,
            border: `1px solid ${token.colorBorderSecondary}`,
          }}
        >
          {text}
        </pre>
      )}
    </div>
  );
}

function AttemptsTable({ entry }: { entry: RequestLogEntry }) {
  const { t } = useTranslation('logs');
  const attempts = parseKeysTried(entry.keys_tried);
  if (attempts.length === 0)
    return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('detail.noAttempts')} />;
  return (
    <Table<Attempt & { n: number }>
      size="small"
      pagination={false}
      rowKey="n"
      data-testid="log-attempts"
      scroll={{ x: 360 }}
      dataSource={attempts.map((a, i) => ({ ...a, n: i + 1 }))}
      columns={[
        { title: '#', dataIndex: 'n', width: 48 },
        {
          title: t('detail.key'),
          dataIndex: 'keyId',
          render: (id: number | null) =>
            id === null ? '–' : <Link to={`/keys?key=${id}`} data-testid="attempt-key">{t('detail.keyId', { id })}</Link>,
        },
        { title: t('detail.outcome'), dataIndex: 'outcome', render: (o: string) => <OutcomeTag outcome={o} /> },
      ]}
    />
  );
}

export function LogDetailDrawer({ id, onClose }: { id: number | undefined; onClose: () => void }) {
  const { t } = useTranslation('logs');
  const screens = Grid.useBreakpoint();
  const entry = useLogEntry(id);
  const e = entry.data;
  const notFound = entry.error instanceof ApiError && entry.error.status === 404;

  return (
    <Drawer
      open={id !== undefined}
      onClose={onClose}
      size={screens.md ? 720 : '100%'}
      title={id !== undefined ? t('detail.title', { id }) : ''}
      destroyOnHidden
      data-testid="log-drawer"
      rootClassName="poise-log-drawer"
    >
      {entry.isPending ? (
        <Skeleton active paragraph={{ rows: 10 }} />
      ) : notFound ? (
        <Empty description={t('detail.notFound')} />
      ) : entry.error ? (
        <ErrorAlert error={entry.error} onRetry={() => void entry.refetch()} />
      ) : e ? (
        <div data-testid="log-detail">
          <div className="mb-4 flex flex-wrap items-center gap-2">
            <StatusTag status={e.status} />
            <Tag>{t(`protocol.${e.protocol}`, { defaultValue: e.protocol })}</Tag>
            {e.stream ? <StreamMark /> : null}
            <ErrorClassTag errorClass={e.error_class} />
            <Typography.Text type="secondary">{formatTime(e.created_at)} · {formatRelative(e.created_at)}</Typography.Text>
          </div>

          {e.error_message ? (
            <div style={{ marginBottom: 16 }}>
              <Typography.Title level={5}>{t('detail.error')}</Typography.Title>
              <Typography.Paragraph className="!mb-0" data-testid="log-error-message">
                <Typography.Text code>{e.error_class}</Typography.Text> {e.error_message}
              </Typography.Paragraph>
            </div>
          ) : null}

          <Typography.Title level={5}>
            {t('detail.attempts')} <Typography.Text type="secondary">({e.attempts})</Typography.Text>
          </Typography.Title>
          <Typography.Paragraph type="secondary" className="!mb-2 text-xs">
            {t('detail.attemptsHint')}
          </Typography.Paragraph>
          <div style={{ marginBottom: 16 }}>
            <AttemptsTable entry={e} />
          </div>

          <Typography.Title level={5}>{t('detail.request')}</Typography.Title>
          <Descriptions size="small" bordered column={1} style={{ marginBottom: 16 }} styles={{ label: { width: 160 } }}>
            <Descriptions.Item label={t('detail.requestId')}>
              <span className="break-all">{e.request_id}</span> <CopyButton text={e.request_id} size="small" />
            </Descriptions.Item>
            <Descriptions.Item label={t('detail.route')}>
              <span className="break-all">
                <Typography.Text code>{e.method}</Typography.Text> {e.path || e.route}
              </span>
            </Descriptions.Item>
            <Descriptions.Item label={t('detail.routeGroup')}>{e.route || '–'}</Descriptions.Item>
            <Descriptions.Item label={t('columns.model')}>{e.model || '–'}</Descriptions.Item>
            <Descriptions.Item label={t('columns.stream')}>{e.stream ? t('detail.yes') : t('detail.no')}</Descriptions.Item>
            <Descriptions.Item label={t('columns.token')}>
              {e.token_name || t('detail.noToken')} <Typography.Text type="secondary">(#{e.token_id})</Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label={t('detail.clientIp')}>{e.client_ip || '–'}</Descriptions.Item>
            <Descriptions.Item label={t('detail.userAgent')}>
              <span className="break-all">{e.user_agent || '–'}</span>
            </Descriptions.Item>
          </Descriptions>

          <Typography.Title level={5}>{t('detail.timings')}</Typography.Title>
          <Descriptions size="small" bordered column={{ xs: 1, sm: 2 }} style={{ marginBottom: 16 }}>
            <Descriptions.Item label={t('columns.latency')}>{formatMs(e.latency_ms)}</Descriptions.Item>
            <Descriptions.Item label={t('columns.ttfb')}>
              {e.ttfb_ms === null ? <Tooltip title={t('detail.noTtfb')}>–</Tooltip> : formatMs(e.ttfb_ms)}
            </Descriptions.Item>
          </Descriptions>

          <Typography.Title level={5}>{t('detail.usage')}</Typography.Title>
          <Descriptions size="small" bordered column={{ xs: 2, sm: 4 }} style={{ marginBottom: 16 }} layout="vertical">
            <Descriptions.Item label={t('tokens.prompt')}>{formatNumber(e.prompt_tokens)}</Descriptions.Item>
            <Descriptions.Item label={t('tokens.completion')}>{formatNumber(e.completion_tokens)}</Descriptions.Item>
            <Descriptions.Item label={t('tokens.thought')}>{formatNumber(e.thought_tokens)}</Descriptions.Item>
            <Descriptions.Item label={t('tokens.cached')}>{formatNumber(e.cached_tokens)}</Descriptions.Item>
          </Descriptions>

          {e.request_body !== undefined || e.response_body !== undefined ? (
            <>
              <Typography.Title level={5}>{t('detail.bodies')}</Typography.Title>
              <Body label={t('detail.requestBody')} text={e.request_body} />
              <Body label={t('detail.responseBody')} text={e.response_body} />
            </>
          ) : (
            <Typography.Paragraph type="secondary" className="text-xs">
              {t('detail.noBodies')}
            </Typography.Paragraph>
          )}
        </div>
      ) : null}
    </Drawer>
  );
}
