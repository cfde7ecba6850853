// One setting: its label, key, description and default, the input its type calls for, its
// problem, and "Reset to default" when a stored value overrides the default.
import { Button, Input, InputNumber, Select, Switch, Tag, Tooltip, Typography } from 'antd';
import { UndoOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { SettingSpec } from './schema';
import type { Problem } from './logic';

export function problemText(t: (k: string, o?: Record<string, unknown>) => string, p: Problem | string | undefined): string | undefined {
  if (!p) return undefined;
  if (typeof p === 'string') return p;
  return t(`validation.${p.code}`, p.params);
}

export function SettingInput({
  spec,
  value,
  onChange,
  readOnly,
  invalid,
  masked,
}: {
  spec: SettingSpec;
  value: string | undefined;
  onChange: (v: string) => void;
  readOnly: boolean;
  invalid: boolean;
  // A secret's masked stored form: the field is empty while the value is unchanged.
  masked?: string;
}) {
  const { t } = useTranslation('settings');
  const status = invalid ? 'error' : undefined;
  const id = `setting-${spec.key}`;
  switch (spec.type) {
    case 'bool':
      return <Switch id={id} checked={value === 'true'} disabled={readOnly} onChange={(c) => onChange(c ? 'true' : 'false')} />;
    case 'int':
    case 'float':
      return (
        <InputNumber
          id={id}
          className="poise-setting-number"
          style={{ width: 200, maxWidth: '100%' }}
          value={value === undefined || value === '' ? null : Number(value)}
          min={spec.min}
          max={spec.max}
          step={spec.type === 'float' ? 0.1 : 1}
          precision={spec.type === 'int' ? 0 : undefined}
          status={status}
          disabled={readOnly}
          suffix={spec.unit ? t(`units.${spec.unit}`) : undefined}
          onChange={(v) => onChange(v === null || v === undefined ? '' : String(v))}
        />
      );
    case 'enum':
      return (
        <Select
          id={id}
          style={{ width: 240, maxWidth: '100%' }}
          value={value}
          status={status}
          disabled={readOnly}
          onChange={(v: string) => onChange(v)}
          options={(spec.options ?? []).map((o) => ({ value: o, label: t(`options.${o}`, { defaultValue: o }) }))}
        />
      );
    case 'secret':
      return readOnly ? (
        <Typography.Text code>{value}</Typography.Text>
      ) : (
        <Input.Password
          id={id}
          style={{ width: 320, maxWidth: '100%' }}
          autoComplete="new-password"
          status={status}
          placeholder={t('secretPlaceholder', { masked: masked ?? value })}
          visibilityToggle
          value={value === masked ? '' : value}
          onChange={(e) => onChange(e.target.value === '' && masked !== undefined ? masked : e.target.value)}
        />
      );
    case 'json':
      return (
        <Input.TextArea
          id={id}
          value={value}
          status={status}
          readOnly={readOnly}
          autoSize={{ minRows: 2, maxRows: 10 }}
          className="font-mono"
          placeholder='{"404": "retry-other-key"}'
          onChange={(e) => onChange(e.target.value)}
        />
      );
    default:
      return (
        <Input
          id={id}
          style={{ width: spec.type === 'url' ? 360 : 260, maxWidth: '100%' }}
          value={value}
          status={status}
          readOnly={readOnly}
          onChange={(e) => onChange(e.target.value)}
        />
      );
  }
}

export function SettingRow({
  spec,
  value,
  onChange,
  readOnly,
  problem,
  changed,
  overridden,
  onReset,
  resetting,
  masked,
}: {
  masked?: string;
  spec: SettingSpec;
  value: string | undefined;
  onChange: (v: string) => void;
  readOnly: boolean;
  problem?: string;
  changed: boolean;
  overridden: boolean;
  onReset?: () => void;
  resetting?: boolean;
}) {
  const { t } = useTranslation('settings');
  const known = spec.group !== 'other';
  const defaultText =
    spec.default === null
      ? null
      : spec.type === 'bool'
        ? t(spec.default === 'true' ? 'on' : 'off')
        : spec.default === ''
          ? t('builtIn')
          : `${spec.default}${spec.unit ? ` ${t(`units.${spec.unit}`)}` : ''}`;
  return (
    <div
      className="flex flex-col gap-2 border-b border-[var(--poise-border)] py-4 last:border-b-0 md:flex-row md:items-start md:gap-6"
      data-testid={`setting-${spec.key}`}
    >
      <div className="min-w-0 md:w-1/2">
        <div className="flex flex-wrap items-center gap-2">
          <label htmlFor={`setting-${spec.key}`} className="font-medium">
            {known ? t(`keys.${spec.key}.label`) : spec.key}
          </label>
          {changed ? <Tag color="processing">{t('changed')}</Tag> : null}
          {!changed && overridden ? (
            <Tooltip title={t('overriddenHint')}>
              <Tag>{t('overridden')}</Tag>
            </Tooltip>
          ) : null}
        </div>
        <Typography.Text type="secondary" className="block text-xs">
          <code>{spec.key}</code>
          {defaultText !== null ? <> · {t('default', { value: defaultText })}</> : null}
          {spec.min !== undefined && spec.max !== undefined ? <> · {t('rangeHint', { min: spec.min, max: spec.max })}</> : null}
        </Typography.Text>
        {known ? (
          <Typography.Paragraph type="secondary" className="!mb-0 mt-1 text-sm">
            {t(`keys.${spec.key}.desc`)}
          </Typography.Paragraph>
        ) : null}
      </div>
      <div className="min-w-0 md:w-1/2">
        <div className="flex flex-wrap items-center gap-2">
          <div className={spec.type === 'json' ? 'w-full' : 'min-w-0 max-w-full'}>
            <SettingInput spec={spec} value={value} onChange={onChange} readOnly={readOnly} invalid={!!problem} masked={masked} />
          </div>
          {!readOnly && overridden && onReset && spec.default !== null && !spec.required ? (
            <Tooltip title={t('resetHint', { value: defaultText })}>
              <Button size="small" type="text" icon={<UndoOutlined />} onClick={onReset} loading={resetting} data-testid={`reset-${spec.key}`} data-write>
                {t('reset')}
              </Button>
            </Tooltip>
          ) : null}
        </div>
        {problem ? (
          <Typography.Text type="danger" className="mt-1 block text-sm" role="alert" data-testid={`problem-${spec.key}`}>
            {problem}
          </Typography.Text>
        ) : null}
      </div>
    </div>
  );
}
