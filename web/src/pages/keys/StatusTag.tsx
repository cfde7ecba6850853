import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';

const STATUS_COLOR: Record<string, string> = {
  active: 'success',
  exhausted: 'warning',
  error: 'error',
  disabled: 'default',
};
const PRIORITY_COLOR: Record<string, string> = { high: 'magenta', normal: 'blue', low: 'default' };

export function StatusTag({ status }: { status: string }) {
  const { t } = useTranslation('keys');
  return (
    <Tag color={STATUS_COLOR[status] ?? 'default'} data-testid="key-status">
      {t(`status.${status}`, { defaultValue: status })}
    </Tag>
  );
}

export function PriorityTag({ priority }: { priority: string }) {
  const { t } = useTranslation('keys');
  return (
    <Tag color={PRIORITY_COLOR[priority] ?? 'default'} variant="outlined">
      {t(`priority.${priority}`, { defaultValue: priority })}
    </Tag>
  );
}
