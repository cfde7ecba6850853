// Sign in. When the gateway's answer says the password must change (the generated first-run
// password, or one an admin reset), the same card asks for the new one before anything else.
import { useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { Button, Card, Form, Input, Typography } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { LoginAnswer } from '../../api/types';
import { ME_KEY, setSignedInHint, useSession } from '../../auth/session';
import { ErrorAlert } from '../../components/ErrorAlert';
import { ChangePasswordForm } from '../../components/ChangePasswordForm';
import { LanguageSwitch, ThemeSwitch } from '../../app/Layout';

export default function LoginPage() {
  const { t } = useTranslation('login');
  const { user } = useSession();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // Kept in memory only, for the forced change that may follow.
  const [typed, setTyped] = useState<string | undefined>(undefined);
  const from = (location.state as { from?: string } | null)?.from ?? '/';

  if (user && !user.must_change_password) return <Navigate to={from} replace />;
  const mustChange = !!user?.must_change_password;

  const signIn = async (v: { username: string; password: string }) => {
    setBusy(true);
    setError(null);
    try {
      await api<LoginAnswer>('/login', { method: 'POST', body: v, quiet401: true });
      setSignedInHint(true);
      setTyped(v.password);
      await qc.invalidateQueries({ queryKey: ME_KEY });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="flex min-h-screen flex-col items-center justify-center bg-[var(--poise-page)] px-4 py-8">
      <div className="absolute right-4 top-4 flex items-center gap-2">
        <LanguageSwitch />
        <ThemeSwitch />
      </div>
      <div className="mb-6 flex items-center gap-3">
        <img src="/favicon.svg" alt="" width={40} height={40} />
        <Typography.Title level={2} style={{ margin: 0 }}>
          Gemini Poise
        </Typography.Title>
      </div>
      <Card className="w-full max-w-sm shadow-sm">
        {mustChange ? (
          <>
            <Typography.Title level={4}>{t('forcedTitle')}</Typography.Title>
            <Typography.Paragraph type="secondary">{t('forcedIntro')}</Typography.Paragraph>
            <ChangePasswordForm
              submitLabel={t('forcedSubmit')}
              knownCurrent={typed}
              onChanged={async () => {
                await qc.invalidateQueries({ queryKey: ME_KEY });
                navigate(from, { replace: true });
              }}
            />
          </>
        ) : (
          <>
            <Typography.Title level={4}>{t('title')}</Typography.Title>
            <Form layout="vertical" onFinish={signIn} requiredMark={false} data-testid="login-form">
              <Form.Item name="username" label={t('username')} rules={[{ required: true, message: t('required') }]}>
                <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
              </Form.Item>
              <Form.Item name="password" label={t('password')} rules={[{ required: true, message: t('required') }]}>
                <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
              </Form.Item>
              {error ? (
                <div className="mb-4">
                  <ErrorAlert error={error} />
                </div>
              ) : null}
              <Button type="primary" htmlType="submit" loading={busy} block>
                {t('submit')}
              </Button>
            </Form>
            <Typography.Paragraph type="secondary" className="mt-4 mb-0 text-xs">
              {t('firstRun')}
            </Typography.Paragraph>
          </>
        )}
      </Card>
    </div>
  );
}
