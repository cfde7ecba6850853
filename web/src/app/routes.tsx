// The console's one route table: the path, the menu entry (label key in common.json's `nav`,
// icon) and the page, loaded on first visit. The layout's menu and the router are both built from
// it.
import { lazy, type ComponentType, type LazyExoticComponent, type ReactNode } from 'react';
import {
  AlertOutlined,
  AuditOutlined,
  DashboardOutlined,
  FileTextOutlined,
  KeyOutlined,
  SafetyCertificateOutlined,
  SettingOutlined,
  TeamOutlined,
  UserOutlined,
} from '@ant-design/icons';

export interface PageRoute {
  path: string;
  navKey: string;
  icon: ReactNode;
  page: LazyExoticComponent<ComponentType>;
  // Shown in the main menu (the account page sits in the user menu instead).
  inMenu: boolean;
}

export const pageRoutes: PageRoute[] = [
  { path: '/', navKey: 'dashboard', icon: <DashboardOutlined />, inMenu: true, page: lazy(() => import('../pages/dashboard/DashboardPage')) },
  { path: '/keys', navKey: 'keys', icon: <KeyOutlined />, inMenu: true, page: lazy(() => import('../pages/keys/KeysPage')) },
  { path: '/tokens', navKey: 'tokens', icon: <SafetyCertificateOutlined />, inMenu: true, page: lazy(() => import('../pages/tokens/TokensPage')) },
  { path: '/logs', navKey: 'logs', icon: <FileTextOutlined />, inMenu: true, page: lazy(() => import('../pages/logs/LogsPage')) },
  { path: '/settings', navKey: 'settings', icon: <SettingOutlined />, inMenu: true, page: lazy(() => import('../pages/settings/SettingsPage')) },
  { path: '/alerts', navKey: 'alerts', icon: <AlertOutlined />, inMenu: true, page: lazy(() => import('../pages/alerts/AlertsPage')) },
  { path: '/users', navKey: 'users', icon: <TeamOutlined />, inMenu: true, page: lazy(() => import('../pages/users/UsersPage')) },
  { path: '/audit', navKey: 'audit', icon: <AuditOutlined />, inMenu: true, page: lazy(() => import('../pages/audit/AuditPage')) },
  { path: '/account', navKey: 'account', icon: <UserOutlined />, inMenu: false, page: lazy(() => import('../pages/account/AccountPage')) },
];

// The API reference is the gateway's own /docs (Swagger UI), opened beside the console.
export const DOCS_URL = '/docs';
