// The signed-in user: who they are, a password change, and sign out.
import { App, Button, Card, Descriptions, Tag } from 'antd';
import { LogoutOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { ChangePasswordForm } from '../../components/ChangePasswordForm';
import { formatTime } from '../../components/format';

export default function AccountPage() {
  const { t } = useTranslation('account');
  const { t: tc } = useTranslation();
  const { user, signOut } = useSession();
  const { message } = App.useApp();
  if (!user) return null;
  return (
    <>
      <PageHeader
        title={tc('nav.account')}
        extra={
          <Button
            icon={<LogoutOutlined />}
            onClick={async () => {
              await signOut();
            }}
          >
            {tc('header.signOut')}
          </Button>
        }
      />
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title={t('profile')}>
          <Descriptions column={1} size="small">
            <Descriptions.Item label={t('username')}>{user.username}</Descriptions.Item>
            <Descriptions.Item label={t('role')}>
              <Tag color={user.role === 'admin' ? 'blue' : 'default'}>
                {user.role === 'admin' ? tc('header.roleAdmin') : tc('header.roleViewer')}
              </Tag>
            </Descriptions.Item>
            <Descriptions.Item label={t('created')}>{formatTime(user.created_at)}</Descriptions.Item>
          </Descriptions>
        </Card>
        <Card title={t('changeTitle')}>
          <ChangePasswordForm onChanged={() => void message.success(t('changed'))} />
        </Card>
      </div>
    </>
  );
}
