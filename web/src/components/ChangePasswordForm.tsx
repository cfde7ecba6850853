// Change the signed-in user's password: used by the forced change after the first login and by
// the account page. The gateway checks the policy and answers in its envelope; the form shows it.
import { useState } from 'react';
import { Button, Form, Input } from 'antd';
import { useTranslation } from 'react-i18next';
import { post } from '../api/client';
import { ErrorAlert } from './ErrorAlert';

interface Values {
  current_password: string;
  new_password: string;
  confirm: string;
}

// `knownCurrent`: the password the user has just signed in with (the forced change), so the form
// does not ask for it again.
export function ChangePasswordForm({
  onChanged,
  submitLabel,
  knownCurrent,
}: {
  onChanged: () => void;
  submitLabel?: string;
  knownCurrent?: string;
}) {
  const { t } = useTranslation('account');
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (v: Values) => {
    setBusy(true);
    setError(null);
    try {
      await post('/users/change-password', { current_password: knownCurrent ?? v.current_password, new_password: v.new_password });
      form.resetFields();
      onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Form form={form} layout="vertical" onFinish={submit} requiredMark={false} data-testid="change-password-form">
      {knownCurrent === undefined ? (
        <Form.Item name="current_password" label={t('currentPassword')} rules={[{ required: true, message: t('required') }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
      ) : null}
      <Form.Item
        name="new_password"
        label={t('newPassword')}
        extra={t('policy')}
        rules={[
          { required: true, message: t('required') },
          { min: 12, message: t('tooShort', { min: 12 }) },
        ]}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      <Form.Item
        name="confirm"
        label={t('confirmPassword')}
        dependencies={['new_password']}
        rules={[
          { required: true, message: t('required') },
          ({ getFieldValue }) => ({
            validator: (_, value) =>
              !value || getFieldValue('new_password') === value ? Promise.resolve() : Promise.reject(new Error(t('mismatch'))),
          }),
        ]}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      {error ? (
        <div className="mb-4">
          <ErrorAlert error={error} />
        </div>
      ) : null}
      <Button type="primary" htmlType="submit" loading={busy} block>
        {submitLabel ?? t('change')}
      </Button>
    </Form>
  );
}
