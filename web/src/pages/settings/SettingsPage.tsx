// Every runtime setting, grouped in tabs, with its description, default and the right input;
// the token-bucket tiers; the model aliases. Only what changed is saved (config bulk-save, and
// PUT /token-bucket/config for the bucket settings); a stored value can be reset to its default
// (DELETE /config/{key}); unsaved changes are guarded. Viewers read only.
import { useEffect, useMemo, useRef, useState } from 'react';
import { App, Alert, Button, Card, InputNumber, Skeleton, Table, Tabs, Tag, Typography } from 'antd';
import { SaveOutlined, UndoOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { useCanWrite } from '../../auth/session';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { resetKey, saveBuckets, saveConfig, SETTINGS_KEY, useSettings } from './api';
import { changedEntries, effectiveValues, rebase, keyOfDetail, sameValue, splitChanges, validateChanges, type Problem, type Values } from './logic';
import { GROUPS, SETTINGS, specOf, type GroupId } from './schema';
import { AliasEditor } from './AliasEditor';
import { SettingRow, problemText } from './SettingField';
import { useUnsavedGuard } from './useUnsavedGuard';

const TIERS = [
  { tier: 'high', capacity: 'token_bucket_high_priority_capacity', rate: 'token_bucket_high_priority_refill_rate' },
  { tier: 'normal', capacity: 'token_bucket_default_capacity', rate: 'token_bucket_default_refill_rate' },
  { tier: 'low', capacity: 'token_bucket_low_priority_capacity', rate: 'token_bucket_low_priority_refill_rate' },
];
const TIER_KEYS = new Set(TIERS.flatMap((t) => [t.capacity, t.rate]));

export default function SettingsPage() {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const canWrite = useCanWrite();
  const readOnly = !canWrite;
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const settings = useSettings();

  const original = useMemo(() => (settings.data ? effectiveValues(settings.data.stored) : null), [settings.data]);
  const storedKeys = useMemo(() => new Set(settings.data?.items.map((i) => i.key) ?? []), [settings.data]);
  const [draft, setDraft] = useState<Values>({});
  const [serverProblems, setServerProblems] = useState<Record<string, string>>({});
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const [resetting, setResetting] = useState<string | null>(null);
  const [tab, setTab] = useState<GroupId>('upstream');

  // New stored values (after a save, a reset, or a reload): edits not yet saved stay on top.
  const previous = useRef<Values | null>(null);
  const justSaved = useRef(false);
  useEffect(() => {
    if (!original) return;
    const before = previous.current;
    previous.current = original;
    // After a save the stored values are the truth (the gateway may normalize what it stored).
    const replace = !before || justSaved.current;
    justSaved.current = false;
    setDraft((d) => (replace ? original : rebase(before, d, original)));
  }, [original]);

  const changes = useMemo(() => (original ? changedEntries(original, draft) : []), [original, draft]);
  const changedKeys = useMemo(() => new Set(changes.map((c) => c.key)), [changes]);
  const problems = useMemo(() => validateChanges(changes), [changes]);
  const dirty = changes.length > 0;

  useUnsavedGuard(dirty, (proceed, stay) =>
    modal.confirm({
      title: t('guard.title'),
      content: tc('state.unsaved'),
      okText: t('guard.leave'),
      cancelText: t('guard.stay'),
      okButtonProps: { danger: true },
      onOk: proceed,
      onCancel: stay,
    }),
  );

  const setValue = (key: string, value: string) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setServerProblems((p) => {
      if (!(key in p)) return p;
      const next = { ...p };
      delete next[key];
      return next;
    });
  };

  const problemOf = (key: string): string | undefined =>
    serverProblems[key] ?? (changedKeys.has(key) ? problemText((k, o) => t(k, o as Record<string, string>), problems[key] as Problem) : undefined);

  const save = async () => {
    setSaveError(null);
    if (Object.keys(problems).length > 0) {
      const first = Object.keys(problems)[0];
      setTab(specOf(first).group);
      void message.error(t('fixProblems'));
      return;
    }
    const { bucket, config } = splitChanges(changes);
    setSaving(true);
    try {
      if (config.length > 0) await saveConfig(config);
      if (Object.keys(bucket).length > 0) await saveBuckets(bucket);
      setServerProblems({});
      justSaved.current = true;
      await qc.invalidateQueries({ queryKey: SETTINGS_KEY });
      void message.success(t('saved', { count: changes.length }));
    } catch (e) {
      // The refusal names the key: show it on the field too.
      if (e instanceof ApiError) {
        const key = keyOfDetail(e.detail, changes.map((c) => c.key));
        if (key) {
          setServerProblems({ [key]: e.detail });
          setTab(specOf(key).group);
        }
      }
      setSaveError(e);
      void message.error(t('saveFailed'));
      // What was saved before the refusal is in effect: reload the stored values, keep the draft.
      void qc.invalidateQueries({ queryKey: SETTINGS_KEY });
    } finally {
      setSaving(false);
    }
  };

  const reset = async (key: string) => {
    setResetting(key);
    try {
      await resetKey(key);
      await qc.invalidateQueries({ queryKey: SETTINGS_KEY });
      void message.success(t('resetDone', { key }));
    } catch (e) {
      void message.error(e instanceof ApiError ? e.detail : String(e));
    } finally {
      setResetting(null);
    }
  };

  if (settings.isPending)
    return (
      <>
        <PageHeader title={tc('nav.settings')} subtitle={t('subtitle')} />
        <Card>
          <Skeleton active paragraph={{ rows: 12 }} />
        </Card>
      </>
    );
  if (settings.error || !original)
    return (
      <>
        <PageHeader title={tc('nav.settings')} subtitle={t('subtitle')} />
        <ErrorAlert error={settings.error} onRetry={() => void settings.refetch()} />
      </>
    );

  const stored = settings.data.stored;
  const row = (key: string) => {
    const spec = specOf(key);
    const overridden = storedKeys.has(key) && spec.default !== null && !sameValue(spec, stored[key], spec.default);
    return (
      <SettingRow
        key={key}
        spec={spec}
        value={draft[key]}
        onChange={(v) => setValue(key, v)}
        readOnly={readOnly}
        problem={problemOf(key)}
        changed={changedKeys.has(key)}
        overridden={overridden}
        onReset={() => void reset(key)}
        resetting={resetting === key}
        masked={spec.type === 'secret' ? original[key] : undefined}
      />
    );
  };

  const otherKeys = Object.keys(original).filter((k) => specOf(k).group === 'other').sort();
  const groupKeys = (g: GroupId) => (g === 'other' ? otherKeys : SETTINGS.filter((s) => s.group === g).map((s) => s.key));
  const changedIn = (g: GroupId) => groupKeys(g).filter((k) => changedKeys.has(k)).length;

  const tierTable = (
    <Table
      size="small"
      rowKey="tier"
      pagination={false}
      dataSource={TIERS}
      scroll={{ x: 480 }}
      data-testid="bucket-tiers"
      columns={[
        {
          title: t('tiers.tier'),
          dataIndex: 'tier',
          render: (tier: string) => (
            <div>
              <div className="font-medium">{t(`tiers.${tier}`)}</div>
              <Typography.Text type="secondary" className="text-xs">
                {t(`tiers.${tier}Hint`)}
              </Typography.Text>
            </div>
          ),
        },
        ...(['capacity', 'rate'] as const).map((col) => ({
          title: t(`tiers.${col}`),
          key: col,
          render: (_: unknown, r: (typeof TIERS)[number]) => {
            const key = r[col];
            const spec = specOf(key);
            const p = problemOf(key);
            return (
              <div data-testid={`setting-${key}`}>
                <InputNumber
                  id={`setting-${key}`}
                  aria-label={`${t(`tiers.${r.tier}`)} ${t(`tiers.${col}`)}`}
                  value={draft[key] === '' || draft[key] === undefined ? null : Number(draft[key])}
                  min={spec.min}
                  max={spec.max}
                  step={col === 'rate' ? 0.1 : 1}
                  precision={col === 'capacity' ? 0 : undefined}
                  disabled={readOnly}
                  status={p ? 'error' : undefined}
                  suffix={t(`units.${spec.unit}`)}
                  style={{ width: 170 }}
                  onChange={(v) => setValue(key, v === null || v === undefined ? '' : String(v))}
                />
                <div className="text-xs text-[var(--poise-muted)]">
                  {t('default', { value: spec.default })}
                  {changedKeys.has(key) ? <Tag className="ms-2" color="processing">{t('changed')}</Tag> : null}
                </div>
                {p ? (
                  <Typography.Text type="danger" className="text-xs" role="alert">
                    {p}
                  </Typography.Text>
                ) : null}
              </div>
            );
          },
        })),
      ]}
    />
  );

  const tabBody = (g: GroupId) => {
    const keys = groupKeys(g);
    return (
      <div>
        <Typography.Paragraph type="secondary">{t(`groups.${g}.desc`)}</Typography.Paragraph>
        {g === 'tokenBucket' ? (
          <Card size="small" title={t('tiers.title')} className="mb-4" style={{ marginBottom: 16 }}>
            {tierTable}
          </Card>
        ) : null}
        {g === 'translation' ? (
          <Card size="small" title={t('keys.model_aliases.label')} style={{ marginBottom: 16 }} data-testid="setting-model_aliases">
            <Typography.Paragraph type="secondary" className="text-sm">
              {t('keys.model_aliases.desc')}
            </Typography.Paragraph>
            <AliasEditor value={draft.model_aliases ?? '{}'} onChange={(v) => setValue('model_aliases', v)} readOnly={readOnly} />
            {problemOf('model_aliases') ? (
              <Typography.Text type="danger" role="alert">
                {problemOf('model_aliases')}
              </Typography.Text>
            ) : null}
          </Card>
        ) : null}
        <Card size="small" styles={{ body: { paddingBlock: 0 } }}>
          {keys.filter((k) => k !== 'model_aliases' && !TIER_KEYS.has(k)).map(row)}
          {keys.length === 0 ? <Typography.Paragraph className="py-4">{t('groups.other.none')}</Typography.Paragraph> : null}
        </Card>
      </div>
    );
  };

  const groups = GROUPS.filter((g) => g !== 'other' || otherKeys.length > 0);

  return (
    <>
      <PageHeader
        title={tc('nav.settings')}
        subtitle={t('subtitle')}
        extra={
          canWrite ? (
            <>
              {dirty ? (
                <Tag color="warning" data-testid="unsaved-count">
                  {t('unsaved', { count: changes.length })}
                </Tag>
              ) : null}
              <Button
                icon={<UndoOutlined />}
                disabled={!dirty || saving}
                onClick={() => {
                  setDraft(original);
                  setServerProblems({});
                  setSaveError(null);
                }}
                data-testid="settings-discard"
                data-write
              >
                {t('discard')}
              </Button>
              <Button type="primary" icon={<SaveOutlined />} disabled={!dirty} loading={saving} onClick={() => void save()} data-testid="settings-save" data-write>
                {tc('actions.save')}
              </Button>
            </>
          ) : null
        }
      />
      {readOnly ? <Alert className="mb-4" style={{ marginBottom: 16 }} type="info" showIcon title={t('readOnly')} /> : null}
      {saveError ? (
        <div className="mb-4" style={{ marginBottom: 16 }}>
          <ErrorAlert error={saveError} />
        </div>
      ) : null}
      <Tabs
        activeKey={tab}
        onChange={(k) => setTab(k as GroupId)}
        data-testid="settings-tabs"
        items={groups.map((g) => ({
          key: g,
          label: (
            <span data-testid={`tab-${g}`}>
              {t(`groups.${g}.title`)}
              {changedIn(g) > 0 ? <Tag className="ms-1" color="processing">{changedIn(g)}</Tag> : null}
            </span>
          ),
          children: tabBody(g),
        }))}
      />
    </>
  );
}
