// Adding keys: one (a form), many pasted (comma- or line-separated), or a .txt/.csv file read in
// the browser. Each ends with a summary, from the API's answer, of what was added and skipped.
import { useState } from 'react';
import { Alert, App, Button, Form, Grid, Input, Modal, Select, Tabs, Typography, Upload } from 'antd';
import { InboxOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { ErrorAlert, errorText } from '../../components/ErrorAlert';
import { KEY_PRIORITIES, addKey, addKeyList, bulkAddKeys, fetchKeyPage, type KeyPriority } from './api';
import { parseImport, splitKeys } from './keyText';

export type AddMode = 'one' | 'paste' | 'file';

interface Summary {
  mode: AddMode;
  submitted: number; // distinct keys sent
  repeated: number; // repeats inside the input, dropped before sending
  added: number;
  skipped: number; // already present or rejected by the gateway
  file?: string;
}

export function summaryFrom(mode: AddMode, sent: number, repeated: number, answer: { total_processed: number; total_added: number }, file?: string): Summary {
  return {
    mode,
    submitted: sent,
    repeated,
    added: answer.total_added,
    skipped: Math.max(0, answer.total_processed - answer.total_added) + Math.max(0, sent - answer.total_processed),
    file,
  };
}

function SummaryView({ s }: { s: Summary }) {
  const { t } = useTranslation('keys');
  const skipped = s.skipped + s.repeated;
  return (
    <Alert
      data-testid="add-summary"
      type={s.added > 0 ? 'success' : 'warning'}
      showIcon
      title={t('add.summaryTitle', { count: s.added })}
      description={
        <div>
          {s.file ? <div>{t('add.summaryFile', { name: s.file })}</div> : null}
          <div>{t('add.summaryLine', { submitted: s.submitted + s.repeated, added: s.added, skipped })}</div>
          {s.skipped > 0 ? <div>{t('add.summaryExisting', { count: s.skipped })}</div> : null}
          {s.repeated > 0 ? <div>{t('add.summaryRepeated', { count: s.repeated })}</div> : null}
        </div>
      }
    />
  );
}

export function AddKeysModal({ open, onClose, onAdded }: { open: boolean; onClose: () => void; onAdded: () => void }) {
  const { t } = useTranslation('keys');
  const { t: tc } = useTranslation();
  const screens = Grid.useBreakpoint();
  const { message } = App.useApp();
  const [tab, setTab] = useState<AddMode>('one');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [summary, setSummary] = useState<Summary | null>(null);
  const [pasted, setPasted] = useState('');
  const [file, setFile] = useState<{ name: string; keys: string[]; repeated: number } | null>(null);
  const [form] = Form.useForm<{ key_value: string; priority: KeyPriority; description?: string }>();

  const reset = () => {
    setError(null);
    setSummary(null);
  };
  const close = () => {
    reset();
    setPasted('');
    setFile(null);
    form.resetFields();
    onClose();
  };

  const run = async (fn: () => Promise<Summary>) => {
    setBusy(true);
    reset();
    try {
      const s = await fn();
      setSummary(s);
      if (s.added > 0) {
        onAdded();
        void message.success(t('add.added', { count: s.added }));
      }
    } catch (e) {
      setError(e);
      void message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const addOne = (v: { key_value: string; priority: KeyPriority; description?: string }) =>
    run(async () => {
      const value = v.key_value.trim();
      // Already in the pool (search matches a whole key): a skip, said without a failed request.
      const existing = await fetchKeyPage({ page: 1, pageSize: 1, q: value });
      if (existing.total > 0) return { mode: 'one', submitted: 1, repeated: 0, added: 0, skipped: 1 };
      try {
        await addKey({ key_value: value, priority: v.priority, description: v.description?.trim() || undefined });
        form.resetFields();
        return { mode: 'one', submitted: 1, repeated: 0, added: 1, skipped: 0 };
      } catch (e) {
        // A duplicate is a skip, not a failure: say so in the summary.
        if (e instanceof ApiError && e.code === 'duplicate_key') return { mode: 'one', submitted: 1, repeated: 0, added: 0, skipped: 1 };
        throw e;
      }
    });

  const parsedPaste = splitKeys(pasted);
  const addPasted = () =>
    run(async () => {
      const answer = await bulkAddKeys(parsedPaste.keys.join('\n'));
      setPasted('');
      return summaryFrom('paste', parsedPaste.keys.length, parsedPaste.repeated, answer);
    });

  const addFile = () =>
    run(async () => {
      if (!file) throw new Error(t('add.noFile'));
      const answer = await addKeyList(file.keys);
      const s = summaryFrom('file', file.keys.length, file.repeated, answer, file.name);
      setFile(null);
      return s;
    });

  const footer = (
    <div className="flex flex-wrap justify-end gap-2">
      <Button onClick={close}>{tc('actions.close')}</Button>
      {tab === 'one' ? (
        <Button type="primary" loading={busy} onClick={() => form.submit()} data-testid="add-one-submit">
          {t('add.addOne')}
        </Button>
      ) : tab === 'paste' ? (
        <Button type="primary" loading={busy} disabled={!parsedPaste.keys.length} onClick={addPasted} data-testid="add-paste-submit">
          {t('add.addMany', { count: parsedPaste.keys.length })}
        </Button>
      ) : (
        <Button type="primary" loading={busy} disabled={!file?.keys.length} onClick={addFile} data-testid="add-file-submit">
          {t('add.import', { count: file?.keys.length ?? 0 })}
        </Button>
      )}
    </div>
  );

  return (
    <Modal open={open} title={t('add.title')} onCancel={close} footer={footer} width={screens.md ? 620 : '100%'} destroyOnHidden>
      <Tabs
        activeKey={tab}
        onChange={(k) => {
          setTab(k as AddMode);
          reset();
        }}
        items={[
          {
            key: 'one',
            label: t('add.tabOne'),
            children: (
              <Form form={form} layout="vertical" onFinish={addOne} initialValues={{ priority: 'normal' }} requiredMark={false}>
                <Form.Item name="key_value" label={t('add.keyValue')} rules={[{ required: true, whitespace: true, message: t('add.keyRequired') }]}>
                  <Input autoComplete="off" spellCheck={false} placeholder="AIza…" data-testid="add-one-key" />
                </Form.Item>
                <Form.Item name="priority" label={t('columns.priority')}>
                  <Select options={KEY_PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`) }))} />
                </Form.Item>
                <Form.Item name="description" label={t('add.description')}>
                  <Input maxLength={200} placeholder={t('add.descriptionHint')} />
                </Form.Item>
              </Form>
            ),
          },
          {
            key: 'paste',
            label: t('add.tabPaste'),
            children: (
              <div className="flex flex-col gap-2">
                <Typography.Text type="secondary">{t('add.pasteHint')}</Typography.Text>
                <Input.TextArea
                  value={pasted}
                  onChange={(e) => setPasted(e.target.value)}
                  rows={7}
                  spellCheck={false}
                  placeholder={'AIza…\nAIza…, AIza…'}
                  data-testid="add-paste-text"
                  style={{ fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace' }}
                />
                <Typography.Text type="secondary" data-testid="add-paste-count">
                  {t('add.found', { count: parsedPaste.keys.length })}
                  {parsedPaste.repeated ? ` · ${t('add.repeatedInInput', { count: parsedPaste.repeated })}` : ''}
                </Typography.Text>
              </div>
            ),
          },
          {
            key: 'file',
            label: t('add.tabFile'),
            children: (
              <div className="flex flex-col gap-2">
                <Upload.Dragger
                  accept=".txt,.csv,text/plain,text/csv"
                  multiple={false}
                  showUploadList={false}
                  beforeUpload={async (f) => {
                    reset();
                    try {
                      const text = await f.text();
                      setFile({ name: f.name, ...parseImport(f.name, text) });
                    } catch (e) {
                      setError(e);
                    }
                    return Upload.LIST_IGNORE;
                  }}
                  data-testid="add-file-drop"
                >
                  <p className="ant-upload-drag-icon">
                    <InboxOutlined />
                  </p>
                  <p className="ant-upload-text">{t('add.dropTitle')}</p>
                  <p className="ant-upload-hint">{t('add.dropHint')}</p>
                </Upload.Dragger>
                {file ? (
                  <Typography.Text data-testid="add-file-count">
                    {t('add.fileRead', { name: file.name, count: file.keys.length })}
                    {file.repeated ? ` · ${t('add.repeatedInInput', { count: file.repeated })}` : ''}
                  </Typography.Text>
                ) : null}
              </div>
            ),
          },
        ]}
      />
      {error ? <ErrorAlert error={error} /> : null}
      {summary ? <SummaryView s={summary} /> : null}
    </Modal>
  );
}
