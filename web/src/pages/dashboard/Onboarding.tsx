// What the operator sees before anything has gone through the gateway: the three steps to the
// first request (admins get the buttons; viewers are told whom to ask), and, once keys exist but
// no request has come, the request to send.
import { Alert, Button, Card, Typography } from 'antd';
import { KeyOutlined, RocketOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { WriteOnly, useCanWrite } from '../../auth/session';

export function sampleRequest(origin: string): string {
  return [
    `curl ${origin}/v1beta/models/gemini-2.5-flash:generateContent \\`,
    `  -H 'x-goog-api-key: YOUR_TOKEN' -H 'content-type: application/json' \\`,
    `  -d '{"contents":[{"parts":[{"text":"Hello"}]}]}'`,
  ].join('\n');
}

function Sample() {
  return (
    <pre
      className="m-0 overflow-x-auto rounded p-3 text-xs"
      style={{ background: 'var(--poise-page)', border: '1px solid var(--poise-border)' }}
      data-testid="sample-request"
    >
      {sampleRequest(window.location.origin)}
    </pre>
  );
}

export function FreshInstall() {
  const { t } = useTranslation('dashboard');
  const navigate = useNavigate();
  const canWrite = useCanWrite();
  const steps = [
    { icon: <KeyOutlined />, title: t('fresh.step1'), hint: t('fresh.step1Hint') },
    { icon: <SafetyCertificateOutlined />, title: t('fresh.step2'), hint: t('fresh.step2Hint') },
    { icon: <RocketOutlined />, title: t('fresh.step3'), hint: t('fresh.step3Hint') },
  ];
  return (
    <Card data-testid="fresh-install">
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('fresh.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('fresh.description')}</Typography.Paragraph>
      <ol className="m-0 grid list-none gap-4 p-0 md:grid-cols-3">
        {steps.map((s, i) => (
          <li key={i} className="flex min-w-0 gap-3">
            <span
              aria-hidden
              className="flex h-8 w-8 shrink-0 items-center justify-center rounded-full text-base"
              style={{ border: '1px solid var(--poise-border)' }}
            >
              {s.icon}
            </span>
            <div className="min-w-0">
              <Typography.Text strong>
                {i + 1}. {s.title}
              </Typography.Text>
              <Typography.Paragraph type="secondary" className="text-sm" style={{ marginBottom: 0 }}>
                {s.hint}
              </Typography.Paragraph>
            </div>
          </li>
        ))}
      </ol>
      <div className="mt-4">
        <Sample />
      </div>
      <div className="mt-4 flex flex-wrap gap-2">
        <WriteOnly>
          <Button type="primary" icon={<KeyOutlined />} onClick={() => navigate('/keys')} data-testid="fresh-add-keys" data-write>
            {t('fresh.addKeys')}
          </Button>
          <Button icon={<SafetyCertificateOutlined />} onClick={() => navigate('/tokens')} data-write>
            {t('fresh.createToken')}
          </Button>
        </WriteOnly>
        {canWrite ? null : <Typography.Text type="secondary">{t('fresh.viewerHint')}</Typography.Text>}
      </div>
    </Card>
  );
}

export function AwaitingTraffic() {
  const { t } = useTranslation('dashboard');
  return (
    <Alert
      type="info"
      showIcon
      data-testid="awaiting-traffic"
      title={t('awaiting.title')}
      description={
        <div className="min-w-0">
          <div className="mb-2">{t('awaiting.description')}</div>
          <Sample />
        </div>
      }
    />
  );
}
