// The Logs page's filter bar. Every field reads and writes the URL (through useLogFilters):
// selects apply at once, typed fields when Enter is pressed or the field is left.
import { useEffect, useState, type CSSProperties } from 'react';
import { AutoComplete, Button, DatePicker, Input, InputNumber, Select } from 'antd';
import { ClearOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { PROTOCOLS, RANGE_PRESETS, STATUS_CLASSES, type LogFilters, type RangePreset, type StatusClass } from './filters';
import { useClientTokens } from './api';

// A field whose typed value is applied on Enter or when the field is left (not on every key).
function CommitText({
  value,
  onCommit,
  placeholder,
  testId,
  style,
}: {
  value?: string;
  onCommit: (v: string | undefined) => void;
  placeholder: string;
  testId: string;
  style?: CSSProperties;
}) {
  const [draft, setDraft] = useState(value ?? '');
  useEffect(() => setDraft(value ?? ''), [value]);
  const commit = () => {
    const v = draft.trim() || undefined;
    if (v !== value) onCommit(v);
  };
  return (
    <Input
      allowClear
      style={style}
      value={draft}
      placeholder={placeholder}
      aria-label={placeholder}
      data-testid={testId}
      onChange={(e) => {
        setDraft(e.target.value);
        // The clear button empties the field: apply that at once.
        if (e.type === 'click' && value !== undefined) onCommit(undefined);
      }}
      onPressEnter={commit}
      onBlur={commit}
    />
  );
}

function CommitNumber({
  value,
  onCommit,
  placeholder,
  testId,
  suffix,
  style,
}: {
  value?: number;
  onCommit: (v: number | undefined) => void;
  placeholder: string;
  testId: string;
  suffix?: string;
  style?: CSSProperties;
}) {
  const [draft, setDraft] = useState<number | null>(value ?? null);
  useEffect(() => setDraft(value ?? null), [value]);
  const commit = () => {
    const v = draft === null || draft === undefined ? undefined : Math.max(0, Math.floor(draft));
    if (v !== value) onCommit(v);
  };
  return (
    <InputNumber
      style={style}
      min={0}
      precision={0}
      value={draft}
      placeholder={placeholder}
      aria-label={placeholder}
      data-testid={testId}
      suffix={suffix}
      onChange={(v) => setDraft(typeof v === 'number' ? v : null)}
      onPressEnter={commit}
      onBlur={commit}
    />
  );
}

// The model: free text with the models seen so far offered.
function ModelField({
  value,
  models,
  onCommit,
  placeholder,
  style,
}: {
  value?: string;
  models: string[];
  onCommit: (v: string | undefined) => void;
  placeholder: string;
  style?: CSSProperties;
}) {
  const [draft, setDraft] = useState(value ?? '');
  useEffect(() => setDraft(value ?? ''), [value]);
  const commit = (text: string) => {
    const v = text.trim() || undefined;
    if (v !== value) onCommit(v);
  };
  const options = models.filter((m) => m.toLowerCase().includes(draft.toLowerCase())).map((m) => ({ value: m }));
  return (
    <AutoComplete
      allowClear
      style={style}
      value={draft}
      options={options}
      placeholder={placeholder}
      aria-label={placeholder}
      data-testid="filter-model"
      onChange={(v: string | undefined) => {
        setDraft(v ?? '');
        if (!v && value !== undefined) onCommit(undefined);
      }}
      onSelect={(v?: string) => commit(v ?? '')}
      onBlur={() => commit(draft)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit(draft);
      }}
    />
  );
}

export function LogFilterBar({
  filters,
  onChange,
  models,
  vertical,
}: {
  filters: LogFilters;
  onChange: (patch: Partial<LogFilters>) => void;
  models: string[];
  vertical?: boolean;
}) {
  const { t } = useTranslation('logs');
  const tokens = useClientTokens();
  const [customOpen, setCustomOpen] = useState(false);
  const custom = !filters.range && (filters.since !== undefined || filters.until !== undefined);
  const rangeValue = filters.range ?? (custom || customOpen ? 'custom' : 'all');
  const full = { width: '100%' };
  const wide = (px: number) => (vertical ? full : { width: px });

  const tokenOptions = [
    { value: 0, label: t('filters.defaultToken') },
    ...(tokens.data?.items ?? []).map((tk) => ({ value: tk.id, label: `${tk.name} (#${tk.id})` })),
  ];

  return (
    <div className={vertical ? 'flex flex-col gap-3' : 'flex flex-wrap items-center gap-2'} data-testid="log-filters">
      <Select
        style={wide(164)}
        value={rangeValue}
        aria-label={t('filters.range')}
        data-testid="filter-range"
        onChange={(v: string) => {
          if (v === 'custom') {
            setCustomOpen(true);
            return;
          }
          setCustomOpen(false);
          if (v === 'all') onChange({ range: undefined, since: undefined, until: undefined });
          else onChange({ range: v as RangePreset, since: undefined, until: undefined });
        }}
        options={[
          { value: 'all', label: t('filters.allTime') },
          ...RANGE_PRESETS.map((p) => ({ value: p, label: t(`filters.last.${p}`) })),
          { value: 'custom', label: t('filters.custom') },
        ]}
      />
      {rangeValue === 'custom' ? (
        <DatePicker.RangePicker
          style={vertical ? full : undefined}
          showTime={{ format: 'HH:mm' }}
          format="YYYY-MM-DD HH:mm"
          allowEmpty={[true, true]}
          data-testid="filter-custom-range"
          value={[filters.since ? dayjs(filters.since) : null, filters.until ? dayjs(filters.until) : null]}
          onChange={(v: [Dayjs | null, Dayjs | null] | null) =>
            onChange({
              range: undefined,
              since: v?.[0] ? v[0].toISOString() : undefined,
              until: v?.[1] ? v[1].toISOString() : undefined,
            })
          }
        />
      ) : null}
      <Select
        allowClear
        style={wide(128)}
        placeholder={t('filters.status')}
        aria-label={t('filters.status')}
        data-testid="filter-status"
        value={filters.status}
        onChange={(v?: StatusClass) => onChange({ status: v })}
        options={STATUS_CLASSES.map((s) => ({ value: s, label: s }))}
      />
      <ModelField
        style={wide(192)}
        value={filters.model}
        models={models}
        placeholder={t('filters.model')}
        onCommit={(v) => onChange({ model: v })}
      />
      <Select
        allowClear
        style={wide(128)}
        placeholder={t('filters.protocol')}
        aria-label={t('filters.protocol')}
        data-testid="filter-protocol"
        value={filters.protocol}
        onChange={(v?: string) => onChange({ protocol: v })}
        options={PROTOCOLS.map((p) => ({ value: p, label: t(`protocol.${p}`) }))}
      />
      <Select
        allowClear
        style={wide(128)}
        placeholder={t('filters.stream')}
        aria-label={t('filters.stream')}
        data-testid="filter-stream"
        value={filters.stream === undefined ? undefined : String(filters.stream)}
        onChange={(v?: string) => onChange({ stream: v === undefined ? undefined : v === 'true' })}
        options={[
          { value: 'true', label: t('filters.streamOnly') },
          { value: 'false', label: t('filters.unaryOnly') },
        ]}
      />
      <Select
        allowClear
        showSearch={{ optionFilterProp: 'label' }}
        style={wide(180)}
        placeholder={t('filters.token')}
        aria-label={t('filters.token')}
        data-testid="filter-token"
        loading={tokens.isPending}
        value={filters.token_id}
        onChange={(v?: number) => onChange({ token_id: v })}
        options={tokenOptions}
      />
      <CommitNumber
        style={wide(128)}
        value={filters.key_id}
        onCommit={(v) => onChange({ key_id: v })}
        placeholder={t('filters.keyId')}
        testId="filter-key"
      />
      <CommitNumber
        style={wide(160)}
        value={filters.min_latency_ms}
        onCommit={(v) => onChange({ min_latency_ms: v })}
        placeholder={t('filters.minLatency')}
        suffix="ms"
        testId="filter-latency"
      />
      <CommitText
        style={wide(192)}
        value={filters.error}
        onCommit={(v) => onChange({ error: v })}
        placeholder={t('filters.error')}
        testId="filter-error"
      />
      <Button
        icon={<ClearOutlined />}
        data-testid="filter-clear"
        onClick={() => {
          setCustomOpen(false);
          onChange({
            range: undefined,
            since: undefined,
            until: undefined,
            model: undefined,
            protocol: undefined,
            status: undefined,
            stream: undefined,
            token_id: undefined,
            key_id: undefined,
            min_latency_ms: undefined,
            error: undefined,
            request_id: undefined,
          });
        }}
      >
        {t('filters.clear')}
      </Button>
    </div>
  );
}
