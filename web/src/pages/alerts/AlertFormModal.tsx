// Create or edit an alert webhook: name, URL, custom headers (masked values are never shown back),
// enabled, and the events with their thresholds. The mapping and its checks live in events.ts.
import { useEffect, useState } from 'react';
import { Button, Checkbox, Divider, Form, Grid, Input, InputNumber, Modal, Switch, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import type { NamePath } from 'antd/es/form/interface';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../components/ErrorAlert';
import type { AlertFields, AlertWebhook } from './api';
import { EMPTY_ALERT_FORM, evKey, fromWebhook, toAlertFields, type AlertFormValues } from './events';

export function AlertFormModal({
  open,
  webhook,
  busy,
  error,
  onSubmit,
  onCancel,
}: {
  open: boolean;
  webhook: AlertWebhook | null;
  busy: boolean;
  error: unknown;
  onSubmit: (body: AlertFields) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation('alerts');
  const { t: tc } = useTranslation();
  const screens = Grid.useBreakpoint();
  const [form] = Form.useForm<AlertFormValues>();
  const [eventsProblem, setEventsProblem] = useState<string | null>(null);
  const poolLow = Form.useWatch('poolLow', form);
  const errorRate = Form.useWatch('errorRate', form);

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue(webhook ? fromWebhook(webhook) : EMPTY_ALERT_FORM);
    setEventsProblem(null);
  }, [open, webhook, form]);

  const finish = () => {
    // The whole store: the header rows keep their masked values, which no field shows.
    const v = form.getFieldsValue(true) as AlertFormValues;
    const { body, problems } = toAlertFields({ ...EMPTY_ALERT_FORM, ...v, headers: v.headers ?? [] }, webhook);
    setEventsProblem(problems.events ? t(problems.events) : null);
    const fields = Object.entries(problems)
      .filter(([k]) => k !== 'events')
      .map(([k, msg]) => ({
        name: (k.startsWith('headers.') && k.split('.').length === 3
          ? ['headers', Number(k.split('.')[1]), k.split('.')[2]]
          : k) as NamePath,
        errors: [t(msg)],
      }));
    if (fields.length) form.setFields(fields);
    if (Object.keys(problems).length) return;
    onSubmit(body);
  };

  const eventRow = (name: keyof AlertFormValues, event: string, children?: React.ReactNode) => (
    <div className="rounded-md px-3 py-2" style={{ border: '1px solid var(--poise-border)' }}>
      <Form.Item name={name} valuePropName="checked" className="!mb-0">
        <Checkbox data-testid={`alert-event-${event}`} onChange={() => setEventsProblem(null)}>
          <span className="font-medium">{t(`events.${evKey(event)}.label`)}</span>
        </Checkbox>
      </Form.Item>
      <div className="ml-6 text-xs" style={{ color: 'var(--poise-muted)' }}>
        {t(`events.${evKey(event)}.help`)}
      </div>
      {children}
    </div>
  );

  return (
    <Modal
      open={open}
      title={webhook ? t('form.editTitle', { name: webhook.name }) : t('form.createTitle')}
      okText={webhook ? tc('actions.save') : tc('actions.create')}
      cancelText={tc('actions.cancel')}
      onOk={() => form.submit()}
      onCancel={onCancel}
      confirmLoading={busy}
      width={screens.md ? 680 : '100%'}
      mask={{ closable: false }}
      destroyOnHidden
      okButtonProps={{ ...({ 'data-testid': 'alert-form-submit' } as object) }}
    >
      <Form<AlertFormValues> form={form} layout="vertical" requiredMark={false} onFinish={finish} initialValues={EMPTY_ALERT_FORM} data-testid="alert-form">
        <div className="grid gap-x-4 md:grid-cols-[1fr_2fr]">
          <Form.Item name="name" label={t('fields.name')} rules={[{ required: true, whitespace: true, message: t('form.nameRequired') }, { max: 255 }]}>
            <Input placeholder={t('form.namePlaceholder')} data-testid="alert-name" />
          </Form.Item>
          <Form.Item name="url" label={t('fields.url')} extra={t('form.urlHelp')} rules={[{ required: true, whitespace: true, message: t('form.urlRequired') }, { max: 2048 }]}>
            <Input placeholder="https://hooks.example.com/poise" inputMode="url" data-testid="alert-url" />
          </Form.Item>
        </div>
        <Form.Item name="enabled" label={t('fields.enabled')} valuePropName="checked">
          <Switch />
        </Form.Item>

        <Divider titlePlacement="start" plain>
          {t('fields.events')}
        </Divider>
        <div className="flex flex-col gap-2">
          {eventRow('keyError', 'key.error')}
          {eventRow('keyExhausted', 'key.exhausted')}
          {eventRow(
            'poolLow',
            'pool.active_low',
            poolLow ? (
              <div className="ml-6 mt-2 grid gap-x-4 sm:grid-cols-2">
                <Form.Item name="activeKeysBelow" label={t('form.activeKeysBelow')} className="!mb-2">
                  <InputNumber min={1} max={1_000_000} precision={0} style={{ width: '100%' }} suffix={t('units.keys')} data-testid="alert-active-keys" />
                </Form.Item>
                <Form.Item name="activePercentBelow" label={t('form.activePercentBelow')} className="!mb-2">
                  <InputNumber min={1} max={100} precision={0} style={{ width: '100%' }} suffix="%" data-testid="alert-active-percent" />
                </Form.Item>
              </div>
            ) : null,
          )}
          {eventRow(
            'errorRate',
            'error_rate.high',
            errorRate ? (
              <div className="ml-6 mt-2 grid gap-x-4 sm:grid-cols-2">
                <Form.Item name="errorRatePercent" label={t('form.errorRatePercent')} className="!mb-2">
                  <InputNumber min={0} max={99} precision={0} style={{ width: '100%' }} suffix="%" data-testid="alert-error-rate" />
                </Form.Item>
                <Form.Item name="errorRateMinRequests" label={t('form.errorRateMinRequests')} className="!mb-2">
                  <InputNumber min={1} max={1_000_000_000} precision={0} style={{ width: '100%' }} />
                </Form.Item>
              </div>
            ) : null,
          )}
          {eventRow('validationFailures', 'validation.failures')}
          {eventsProblem ? (
            <Typography.Text type="danger" role="alert">
              {eventsProblem}
            </Typography.Text>
          ) : null}
        </div>

        <Divider titlePlacement="start" plain>
          {t('fields.headers')}
        </Divider>
        <Typography.Paragraph type="secondary" className="text-sm">
          {webhook ? t('form.headersHelpEdit') : t('form.headersHelp')}
        </Typography.Paragraph>
        <Form.List name="headers">
          {(rows, { add, remove }) => (
            <div className="flex flex-col gap-2">
              {rows.map((row) => {
                const masked = form.getFieldValue(['headers', row.name, 'masked']) as string | undefined;
                return (
                  <div key={row.key} className="flex items-start gap-2">
                    <Form.Item name={[row.name, 'name']} className="!mb-0 min-w-0 flex-1">
                      <Input placeholder={t('form.headerNamePlaceholder')} aria-label={t('form.headerNamePlaceholder')} />
                    </Form.Item>
                    <Form.Item name={[row.name, 'value']} className="!mb-0 min-w-0 flex-[2]">
                      <Input
                        placeholder={masked ? t('form.headerMasked', { masked }) : t('form.headerValuePlaceholder')}
                        aria-label={t('form.headerValuePlaceholder')}
                      />
                    </Form.Item>
                    <Button type="text" icon={<DeleteOutlined />} aria-label={tc('actions.delete')} onClick={() => remove(row.name)} />
                  </div>
                );
              })}
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ name: '', value: '' })} disabled={rows.length >= 16}>
                {t('form.addHeader')}
              </Button>
            </div>
          )}
        </Form.List>
        {error ? (
          <div className="mt-4">
            <ErrorAlert error={error} />
          </div>
        ) : null}
      </Form>
    </Modal>
  );
}
