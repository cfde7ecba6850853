// Small cells of the Logs page: the colored status, an attempt's outcome, the error class, the
// stream mark and the compact token counts.
import { Tag, Tooltip } from 'antd';
import { ThunderboltOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { formatCompact, formatNumber } from '../../components/format';
import type { RequestLogEntry } from './api';

export function statusColor(status: number): string {
  if (status === 499) return 'default';
  if (status >= 500) return 'error';
  if (status === 429) return 'orange';
  if (status >= 400) return 'warning';
  if (status >= 300) return 'processing';
  if (status >= 200) return 'success';
  return 'default';
}

export function StatusTag({ status }: { status: number }) {
  const { t } = useTranslation('logs');
  const tag = (
    <Tag color={statusColor(status)} className="!me-0 tabular-nums" data-testid="status-tag">
      {status}
    </Tag>
  );
  return status === 499 ? <Tooltip title={t('status499')}>{tag}</Tooltip> : tag;
}

const OUTCOME_COLORS: Record<string, string> = {
  success: 'success',
  cooldown: 'orange',
  rejected: 'error',
  transient: 'warning',
  client_error: 'default',
};

export function OutcomeTag({ outcome }: { outcome: string }) {
  const { t } = useTranslation('logs');
  return (
    <Tooltip title={t(`outcomeHelp.${outcome}`, { defaultValue: '' }) || undefined}>
      <Tag color={OUTCOME_COLORS[outcome] ?? 'default'}>{t(`outcome.${outcome}`, { defaultValue: outcome || '–' })}</Tag>
    </Tooltip>
  );
}

export function ErrorClassTag({ errorClass }: { errorClass: string }) {
  const { t } = useTranslation('logs');
  if (!errorClass || errorClass === 'none') return null;
  return (
    <Tooltip title={t(`errorClass.${errorClass}`, { defaultValue: '' }) || undefined}>
      <Tag color={errorClass === 'client_gone' ? 'default' : 'red'} bordered={false} data-testid="error-class">
        {errorClass}
      </Tag>
    </Tooltip>
  );
}

export function StreamMark() {
  const { t } = useTranslation('logs');
  return (
    <Tooltip title={t('streamed')}>
      <ThunderboltOutlined aria-label={t('streamed')} className="text-[var(--poise-muted)]" data-testid="stream-mark" />
    </Tooltip>
  );
}

export function TokensCell({ e }: { e: RequestLogEntry }) {
  const { t } = useTranslation('logs');
  const total = e.prompt_tokens + e.completion_tokens + e.thought_tokens;
  if (total === 0 && e.cached_tokens === 0) return <span className="text-[var(--poise-muted)]">–</span>;
  return (
    <Tooltip
      title={
        <div className="tabular-nums">
          <div>{t('tokens.prompt')}: {formatNumber(e.prompt_tokens)}</div>
          <div>{t('tokens.completion')}: {formatNumber(e.completion_tokens)}</div>
          <div>{t('tokens.thought')}: {formatNumber(e.thought_tokens)}</div>
          <div>{t('tokens.cached')}: {formatNumber(e.cached_tokens)}</div>
        </div>
      }
    >
      <span className="whitespace-nowrap tabular-nums" data-testid="tokens-cell">
        {formatCompact(e.prompt_tokens)} → {formatCompact(e.completion_tokens)}
        {e.thought_tokens > 0 ? <span className="text-[var(--poise-muted)]"> +{formatCompact(e.thought_tokens)}</span> : null}
        {e.cached_tokens > 0 ? <span className="text-[var(--poise-muted)]"> ({formatCompact(e.cached_tokens)})</span> : null}
      </span>
    </Tooltip>
  );
}
