// Console users: role and active state; admins create users (a chosen password under the policy,
// or a generated one shown once), change roles, disable/enable, reset passwords (the temporary
// password shown once) and delete. The signed-in admin cannot disable or delete themself.
import { useState } from 'react';
import { App, Button, Card, Empty, Form, Grid, Input, Modal, Radio, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { DeleteOutlined, KeyOutlined, PauseCircleOutlined, PlayCircleOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { Role, User } from '../../api/types';
import { useCanWrite, useSession } from '../../auth/session';
import { AdaptiveRowActions, rowActionsWidth, type RowAction } from '../../components/AdaptiveRowActions';
import { ErrorAlert, errorText } from '../../components/ErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { ShownOnceSecretModal } from '../../components/ShownOnceSecretModal';
import { formatRelative, formatTime } from '../../components/format';
import { useUserMutations, useUsers, type NewUser } from './api';

interface CreateValues {
  username: string;
  role: Role;
  passwordMode: 'generate' | 'set';
  password?: string;
  confirm?: string;
}

function CreateUserModal({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (u: string, pw?: string) => void }) {
  const { t } = useTranslation('users');
  const { t: tc } = useTranslation();
  const screens = Grid.useBreakpoint();
  const [form] = Form.useForm<CreateValues>();
  const mode = Form.useWatch('passwordMode', form);
  const { create } = useUserMutations();
  const [error, setError] = useState<unknown>(null);

  const submit = async (v: CreateValues) => {
    setError(null);
    const body: NewUser = { username: v.username.trim(), role: v.role };
    if (v.passwordMode === 'set' && v.password) body.password = v.password;
    try {
      const res = await create.mutateAsync(body);
      form.resetFields();
      onCreated(res.username, res.password);
    } catch (e) {
      setError(e);
    }
  };

  return (
    <Modal
      open={open}
      title={t('create.title')}
      okText={tc('actions.create')}
      cancelText={tc('actions.cancel')}
      onOk={() => form.submit()}
      onCancel={() => {
        setError(null);
        onClose();
      }}
      confirmLoading={create.isPending}
      width={screens.md ? 520 : '100%'}
      mask={{ closable: false }}
      destroyOnHidden
      okButtonProps={{ ...({ 'data-testid': 'user-create-submit' } as object) }}
    >
      <Form<CreateValues>
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={{ role: 'viewer', passwordMode: 'generate' }}
        onFinish={(v) => void submit(v)}
        data-testid="user-create-form"
      >
        <Form.Item
          name="username"
          label={t('fields.username')}
          rules={[
            { required: true, whitespace: true, message: t('create.usernameRequired') },
            { max: 64, message: t('create.tooLong', { max: 64 }) },
          ]}
        >
          <Input autoComplete="off" autoFocus />
        </Form.Item>
        <Form.Item name="role" label={t('fields.role')} extra={t('create.roleHelp')}>
          <Radio.Group
            optionType="button"
            options={[
              { value: 'viewer', label: tc('header.roleViewer') },
              { value: 'admin', label: tc('header.roleAdmin') },
            ]}
          />
        </Form.Item>
        <Form.Item name="passwordMode" label={t('fields.password')}>
          <Radio.Group
            options={[
              { value: 'generate', label: t('create.generate') },
              { value: 'set', label: t('create.set') },
            ]}
          />
        </Form.Item>
        {mode === 'set' ? (
          <>
            <Form.Item
              name="password"
              extra={t('create.policy')}
              rules={[
                { required: true, message: t('create.passwordRequired') },
                { min: 12, message: t('create.tooShort', { min: 12 }) },
              ]}
            >
              <Input.Password autoComplete="new-password" placeholder={t('fields.password')} />
            </Form.Item>
            <Form.Item
              name="confirm"
              dependencies={['password']}
              rules={[
                { required: true, message: t('create.passwordRequired') },
                ({ getFieldValue }) => ({
                  validator: (_, value) =>
                    !value || getFieldValue('password') === value ? Promise.resolve() : Promise.reject(new Error(t('create.mismatch'))),
                }),
              ]}
            >
              <Input.Password autoComplete="new-password" placeholder={t('create.confirm')} />
            </Form.Item>
          </>
        ) : (
          <Typography.Paragraph type="secondary">{t('create.generateHelp')}</Typography.Paragraph>
        )}
        {error ? <ErrorAlert error={error} /> : null}
      </Form>
    </Modal>
  );
}

export default function UsersPage() {
  const { t } = useTranslation('users');
  const { t: tc } = useTranslation();
  const { message, modal } = App.useApp();
  const screens = Grid.useBreakpoint();
  const wide = screens.md ?? true;
  const canWrite = useCanWrite();
  const { user: me } = useSession();
  const users = useUsers();
  const m = useUserMutations();
  const [createOpen, setCreateOpen] = useState(false);
  // A password the gateway generated: kept only while its modal is open.
  const [secret, setSecret] = useState<{ username: string; password: string; reset: boolean } | null>(null);

  const act = async (what: () => Promise<unknown>, ok: string) => {
    try {
      await what();
      void message.success(ok);
    } catch (e) {
      void message.error(errorText(e));
    }
  };

  const columns: ColumnsType<User> = [
    {
      title: t('fields.username'),
      dataIndex: 'username',
      width: 200,
      render: (v: string, r) => (
        <Space size={4} wrap>
          <span className="font-medium">{v}</span>
          {r.id === me?.id ? <Tag color="processing">{t('you')}</Tag> : null}
          {r.must_change_password ? (
            <Tooltip title={t('mustChangeHelp')}>
              <Tag color="warning">{t('mustChange')}</Tag>
            </Tooltip>
          ) : null}
        </Space>
      ),
    },
    {
      title: t('fields.role'),
      dataIndex: 'role',
      width: 150,
      render: (role: Role, r) =>
        canWrite && r.id !== me?.id ? (
          <Select<Role>
            size="small"
            value={role}
            style={{ width: 120 }}
            data-write=""
            aria-label={t('fields.role')}
            loading={m.update.isPending && m.update.variables?.id === r.id && m.update.variables.body.role !== undefined}
            onChange={(v) => void act(() => m.update.mutateAsync({ id: r.id, body: { role: v } }), t('msg.role', { name: r.username }))}
            options={[
              { value: 'viewer', label: tc('header.roleViewer') },
              { value: 'admin', label: tc('header.roleAdmin') },
            ]}
          />
        ) : (
          <Tag color={role === 'admin' ? 'blue' : 'default'}>{role === 'admin' ? tc('header.roleAdmin') : tc('header.roleViewer')}</Tag>
        ),
    },
    {
      title: t('fields.state'),
      dataIndex: 'is_active',
      width: 110,
      render: (v: boolean) => (v ? <Tag color="success">{t('active')}</Tag> : <Tag>{t('disabled')}</Tag>),
    },
    {
      title: t('fields.created'),
      dataIndex: 'created_at',
      width: 170,
      render: (v: string) => <Tooltip title={formatTime(v)}>{formatRelative(v)}</Tooltip>,
    },
    {
      title: t('fields.updated'),
      dataIndex: 'updated_at',
      width: 170,
      render: (v: string) => <Tooltip title={formatTime(v)}>{formatRelative(v)}</Tooltip>,
    },
  ];
  if (canWrite) {
    columns.push({
      title: wide ? t('fields.actions') : '',
      key: 'actions',
      fixed: 'right',
      width: rowActionsWidth(3, wide),
      render: (_, r) => {
        const self = r.id === me?.id;
        const actions: RowAction[] = [
          {
            key: 'toggle',
            label: r.is_active ? tc('actions.disable') : tc('actions.enable'),
            icon: r.is_active ? <PauseCircleOutlined /> : <PlayCircleOutlined />,
            disabled: self,
            disabledReason: t('selfHint'),
            write: true,
            testId: `user-toggle-${r.id}`,
            onClick: () =>
              void act(
                () => m.update.mutateAsync({ id: r.id, body: { is_active: !r.is_active } }),
                t(r.is_active ? 'msg.disabled' : 'msg.enabled', { name: r.username }),
              ),
          },
          {
            key: 'reset',
            label: t('reset.action'),
            icon: <KeyOutlined />,
            write: true,
            testId: `user-reset-${r.id}`,
            onClick: () =>
              modal.confirm({
                title: t('reset.title'),
                content: t('reset.body', { name: r.username }),
                okText: t('reset.ok'),
                cancelText: tc('actions.cancel'),
                okButtonProps: { danger: true, ...({ 'data-testid': 'user-reset-confirm' } as object) },
                onOk: async () => {
                  try {
                    const res = await m.resetPassword.mutateAsync(r.id);
                    setSecret({ username: r.username, password: res.password, reset: true });
                  } catch (e) {
                    void message.error(errorText(e));
                  }
                },
              }),
          },
          {
            key: 'delete',
            label: tc('actions.delete'),
            icon: <DeleteOutlined />,
            danger: true,
            disabled: self,
            disabledReason: t('selfHint'),
            write: true,
            testId: `user-delete-${r.id}`,
            onClick: () =>
              modal.confirm({
                title: t('delete.title'),
                content: t('delete.body', { name: r.username }),
                okText: tc('actions.delete'),
                cancelText: tc('actions.cancel'),
                okButtonProps: { danger: true, ...({ 'data-testid': 'user-delete-confirm' } as object) },
                onOk: () => act(() => m.remove.mutateAsync(r.id), t('msg.deleted', { name: r.username })),
              }),
          },
        ];
        return <AdaptiveRowActions actions={actions} moreLabel={t('fields.actions')} />;
      },
    });
  }

  return (
    <>
      <PageHeader
        title={tc('nav.users')}
        subtitle={t('subtitle')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => void users.refetch()} loading={users.isFetching && !users.isPending}>
              {tc('actions.refresh')}
            </Button>
            {canWrite ? (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreateOpen(true)} data-write="" data-testid="user-create">
                {t('create.action')}
              </Button>
            ) : null}
          </>
        }
      />
      <Card>
        {users.isError ? (
          <div className="mb-4">
            <ErrorAlert error={users.error} onRetry={() => void users.refetch()} />
          </div>
        ) : null}
        <Table<User>
          rowKey="id"
          data-testid="users-table"
          columns={columns}
          dataSource={users.data?.items ?? []}
          loading={users.isPending}
          scroll={{ x: canWrite ? 800 + rowActionsWidth(3, wide) : 800 }}
          pagination={(users.data?.total ?? 0) > 50 ? { pageSize: 50, showTotal: (n) => t('total', { count: n }) } : false}
          locale={{ emptyText: users.isPending ? ' ' : <Empty description={t('empty')} /> }}
        />
      </Card>
      <CreateUserModal
        open={createOpen}
        onClose={() => setCreateOpen(false)}
        onCreated={(username, password) => {
          setCreateOpen(false);
          void message.success(t('msg.created', { name: username }));
          if (password) setSecret({ username, password, reset: false });
        }}
      />
      <ShownOnceSecretModal
        open={secret !== null}
        testId="user-secret"
        title={secret ? t(secret.reset ? 'secret.resetTitle' : 'secret.createdTitle', { name: secret.username }) : ''}
        warning={t('secret.warning')}
        value={secret?.password ?? ''}
        copyLabel={tc('actions.copy')}
        closeLabel={t('secret.done')}
        extra={<Typography.Text type="secondary">{t('secret.mustChange')}</Typography.Text>}
        onClose={() => setSecret(null)}
      />
    </>
  );
}
