// The shell around every signed-in page: the menu (a side bar on wide screens, a drawer on a
// phone), the header with language, theme and the user's menu, and a read-only notice for viewers.
import { Suspense, useState, type ReactNode } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { Alert, Button, Drawer, Dropdown, Grid, Layout, Menu, Segmented, Spin, Tag, Tooltip } from 'antd';
import {
  ExportOutlined,
  LogoutOutlined,
  MenuOutlined,
  MoonOutlined,
  SunOutlined,
  DesktopOutlined,
  UserOutlined,
  ApiOutlined,
} from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { DOCS_URL, pageRoutes } from './routes';
import { useSession } from '../auth/session';
import { useThemeState, type ThemeChoice } from '../theme/theme';
import { setLanguage, type Language } from '../i18n';

function Logo({ compact }: { compact?: boolean }) {
  const { t } = useTranslation();
  return (
    <Link to="/" className="flex items-center gap-2 px-4 py-4 no-underline" aria-label={t('appName')}>
      <img src="/favicon.svg" alt="" width={28} height={28} />
      {compact ? null : <span className="text-base font-semibold text-[var(--poise-text)]">{t('appName')}</span>}
    </Link>
  );
}

function currentSection(pathname: string): string {
  const match = pageRoutes
    .filter((r) => r.path !== '/' && (pathname === r.path || pathname.startsWith(`${r.path}/`)))
    .sort((a, b) => b.path.length - a.path.length)[0];
  return match ? match.path : '/';
}

function NavMenu({ onNavigate }: { onNavigate?: () => void }) {
  const { t } = useTranslation();
  const location = useLocation();
  const items = [
    ...pageRoutes
      .filter((r) => r.inMenu)
      .map((r) => ({ key: r.path, icon: r.icon, label: <Link to={r.path} onClick={onNavigate}>{t(`nav.${r.navKey}`)}</Link> })),
    {
      key: DOCS_URL,
      icon: <ApiOutlined />,
      label: (
        <a href={DOCS_URL} target="_blank" rel="noopener" onClick={onNavigate}>
          {t('nav.docs')} <ExportOutlined className="text-xs opacity-60" />
        </a>
      ),
    },
  ];
  return <Menu mode="inline" selectedKeys={[currentSection(location.pathname)]} items={items} style={{ borderInlineEnd: 0 }} />;
}

export function ThemeSwitch() {
  const { t } = useTranslation();
  const { choice, setChoice } = useThemeState();
  const icons: Record<ThemeChoice, ReactNode> = { system: <DesktopOutlined />, light: <SunOutlined />, dark: <MoonOutlined /> };
  return (
    <Dropdown
      trigger={['click']}
      menu={{
        selectable: true,
        selectedKeys: [choice],
        items: (['system', 'light', 'dark'] as const).map((c) => ({
          key: c,
          icon: icons[c],
          label: t(`header.theme${c[0].toUpperCase()}${c.slice(1)}`),
          onClick: () => setChoice(c),
        })),
      }}
    >
      <Tooltip title={t('header.theme')}>
        <Button type="text" icon={icons[choice]} aria-label={t('header.theme')} data-testid="theme-switch" />
      </Tooltip>
    </Dropdown>
  );
}

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <Segmented
      size="small"
      aria-label={t('header.language')}
      data-testid="language-switch"
      value={i18n.language === 'zh' ? 'zh' : 'en'}
      onChange={(v) => setLanguage(v as Language)}
      options={[
        { label: 'EN', value: 'en' },
        { label: '中文', value: 'zh' },
      ]}
    />
  );
}

export function AppLayout() {
  const { t } = useTranslation();
  const screens = Grid.useBreakpoint();
  const wide = screens.lg ?? true;
  const [drawer, setDrawer] = useState(false);
  const { user, canWrite, signOut } = useSession();
  const navigate = useNavigate();

  const userMenu = {
    items: [
      { key: 'account', icon: <UserOutlined />, label: t('nav.account'), onClick: () => navigate('/account') },
      {
        key: 'signout',
        icon: <LogoutOutlined />,
        label: t('header.signOut'),
        onClick: async () => {
          await signOut();
        },
      },
    ],
  };

  return (
    <Layout className="min-h-screen">
      {wide ? (
        <Layout.Sider width={220} theme="light" className="border-r border-[var(--poise-border)]" style={{ position: 'sticky', top: 0, height: '100vh', overflow: 'auto' }}>
          <Logo />
          <NavMenu />
        </Layout.Sider>
      ) : (
        <Drawer placement="left" open={drawer} onClose={() => setDrawer(false)} size={260} styles={{ body: { padding: 0 } }} title={null} closable={false}>
          <Logo />
          <NavMenu onNavigate={() => setDrawer(false)} />
        </Drawer>
      )}
      <Layout>
        <Layout.Header className="sticky top-0 z-10 flex items-center gap-2 border-b border-[var(--poise-border)]" style={{ paddingInline: wide ? 24 : 12, height: 56, lineHeight: '56px' }}>
          {wide ? null : (
            <>
              <Button type="text" icon={<MenuOutlined />} aria-label={t('header.menu')} onClick={() => setDrawer(true)} data-testid="menu-button" />
              <Logo compact />
            </>
          )}
          <div className="flex-1" />
          <LanguageSwitch />
          <ThemeSwitch />
          <Dropdown menu={userMenu} trigger={['click']}>
            <Button type="text" icon={<UserOutlined />} data-testid="user-menu">
              {wide ? (
                <span className="ml-1">
                  {user?.username}{' '}
                  <Tag className="ml-1" color={canWrite ? 'blue' : 'default'}>
                    {canWrite ? t('header.roleAdmin') : t('header.roleViewer')}
                  </Tag>
                </span>
              ) : null}
            </Button>
          </Dropdown>
        </Layout.Header>
        <Layout.Content style={{ padding: wide ? 24 : 12 }}>
          {canWrite ? null : <Alert className="mb-4" type="info" showIcon title={t('state.readOnly')} />}
          <Suspense fallback={<div className="flex justify-center p-16"><Spin /></div>}>
            <Outlet />
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
