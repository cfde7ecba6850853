// The range presets as a segmented control.
import { Segmented } from 'antd';
import { useTranslation } from 'react-i18next';
import type { RangeKey } from './ranges';

export function RangePicker({
  value,
  options,
  onChange,
  testId,
}: {
  value: RangeKey;
  options: RangeKey[];
  onChange: (v: RangeKey) => void;
  testId?: string;
}) {
  const { t } = useTranslation('dashboard');
  return (
    <Segmented<RangeKey>
      size="small"
      aria-label={t('range.label')}
      data-testid={testId}
      value={value}
      onChange={onChange}
      options={options.map((k) => ({ value: k, label: t(`range.${k}`) }))}
    />
  );
}
