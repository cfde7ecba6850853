// Create or edit a client token: every field and limit the API takes, validated before sending
// (limits.ts), the API's own refusal shown in the form.
import { useEffect, useState } from 'react';
import { Checkbox, DatePicker, Divider, Form, Grid, Input, InputNumber, Modal, Select, Switch } from 'antd';
import type { Rule } from 'antd/es/form';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PROTOCOLS, type ClientToken } from './api';
import {
  EMPTY_TOKEN_FORM,
  LIMITS,
  checkCidrs,
  checkExpiry,
  checkLimit,
  checkModels,
  checkName,
  fromToken,
  type LimitField,
  type Problem,
  type TokenFormValues,
} from './limits';

export function TokenFormModal({
  open,
  token,
  busy,
  error,
  onSubmit,
  onCancel,
}: {
  open: boolean;
  token: ClientToken | null; // null: create
  busy: boolean;
  error: unknown;
  onSubmit: (values: TokenFormValues) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation('tokens');
  const { t: tc } = useTranslation();
  const screens = Grid.useBreakpoint();
  const [form] = Form.useForm<TokenFormValues>();
  const [initialExpiry, setInitialExpiry] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    const v = token ? fromToken(token) : EMPTY_TOKEN_FORM;
    form.resetFields();
    form.setFieldsValue(v);
    setInitialExpiry(token?.expires_at ?? null);
  }, [open, token, form]);

  const rule = (check: (v: never) => Problem | null): Rule => ({
    validator: (_, value) => {
      const p = check(value as never);
      return p ? Promise.reject(new Error(t(p.key, p.values ?? {}))) : Promise.resolve();
    },
  });
  const limitRule = (f: LimitField) => rule((v: number | null) => checkLimit(f, v));

  const limitInput = (f: LimitField, unit: string) => (
    <Form.Item name={f} label={t(`fields.${f}`)} extra={t(`help.${f}`)} rules={[limitRule(f)]}>
      <InputNumber
        min={1}
        max={LIMITS[f]}
        precision={0}
        style={{ width: '100%' }}
        placeholder={t('form.noLimit')}
        suffix={unit}
        data-testid={`token-${f}`}
      />
    </Form.Item>
  );

  return (
    <Modal
      open={open}
      title={token ? t('editTitle', { name: token.name }) : t('createTitle')}
      okText={token ? tc('actions.save') : tc('actions.create')}
      cancelText={tc('actions.cancel')}
      onOk={() => form.submit()}
      onCancel={onCancel}
      confirmLoading={busy}
      width={screens.md ? 680 : '100%'}
      mask={{ closable: false }}
      destroyOnHidden
      okButtonProps={{ ...({ 'data-testid': 'token-form-submit', 'data-write': '' } as object) }}
    >
      <Form<TokenFormValues>
        form={form}
        layout="vertical"
        requiredMark={false}
        onFinish={onSubmit}
        initialValues={EMPTY_TOKEN_FORM}
        data-testid="token-form"
      >
        <div className="grid gap-x-4 md:grid-cols-2">
          <Form.Item name="name" label={t('fields.name')} rules={[rule(checkName)]}>
            <Input maxLength={LIMITS.name} autoFocus data-testid="token-name" placeholder={t('form.namePlaceholder')} />
          </Form.Item>
          <Form.Item name="expires_at" label={t('fields.expires_at')} extra={t('help.expires_at')}
            rules={[rule((v: TokenFormValues['expires_at']) =>
              checkExpiry(v, dayjs(), !!v && initialExpiry !== null && v.isSame(dayjs(initialExpiry))))]}>
            <DatePicker
              showTime={{ format: 'HH:mm' }}
              format="YYYY-MM-DD HH:mm"
              style={{ width: '100%' }}
              placeholder={t('form.never')}
              disabledDate={(d) => d.isBefore(dayjs().startOf('day'))}
              presets={[
                { label: t('form.in7d'), value: dayjs().add(7, 'day') },
                { label: t('form.in30d'), value: dayjs().add(30, 'day') },
                { label: t('form.in90d'), value: dayjs().add(90, 'day') },
                { label: t('form.in1y'), value: dayjs().add(1, 'year') },
              ]}
            />
          </Form.Item>
        </div>
        <Form.Item name="note" label={t('fields.note')} rules={[{ max: LIMITS.note, message: t('form.tooLong', { max: LIMITS.note }) }]}>
          <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} maxLength={LIMITS.note} />
        </Form.Item>
        <Form.Item name="enabled" label={t('fields.enabled')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Divider titlePlacement="start" plain>
          {t('form.limits')}
        </Divider>
        <div className="grid gap-x-4 md:grid-cols-3">
          {limitInput('rpm_limit', t('units.perMin'))}
          {limitInput('daily_request_quota', t('units.perDay'))}
          {limitInput('daily_token_quota', t('units.perDay'))}
        </div>
        <Divider titlePlacement="start" plain>
          {t('form.restrictions')}
        </Divider>
        <Form.Item name="allowed_models" label={t('fields.allowed_models')} extra={t('help.allowed_models')}
          rules={[rule(checkModels)]}>
          <Select mode="tags" tokenSeparators={[',', ' ']} placeholder={t('form.anyModel')} open={false}
            suffixIcon={null} data-testid="token-models" />
        </Form.Item>
        <Form.Item name="allowed_protocols" label={t('fields.allowed_protocols')} extra={t('help.allowed_protocols')}>
          <Checkbox.Group options={PROTOCOLS.map((p) => ({ value: p, label: t(`protocols.${p}`) }))} />
        </Form.Item>
        <Form.Item name="allowed_cidrs" label={t('fields.allowed_cidrs')} extra={t('help.allowed_cidrs')}
          rules={[rule(checkCidrs)]}>
          <Select mode="tags" tokenSeparators={[',', ' ']} placeholder={t('form.anyAddress')} open={false}
            suffixIcon={null} data-testid="token-cidrs" />
        </Form.Item>
        {error ? <ErrorAlert error={error} /> : null}
      </Form>
    </Modal>
  );
}
