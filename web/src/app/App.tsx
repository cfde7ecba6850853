// Providers and the router. Signed-out visitors land on /login and come back where they were;
// a user who must change the password is held on /login until they do.
import { Suspense, useMemo } from 'react';
import { Navigate, Outlet, Route, RouterProvider, createBrowserRouter, createRoutesFromElements, useLocation } from 'react-router';
import { App as AntApp, ConfigProvider, Result, Button, Spin } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError } from '../api/client';
import { SessionProvider, useSession } from '../auth/session';
import { ErrorAlert } from '../components/ErrorAlert';
import { ThemeStateProvider, antdThemeFor, useThemeState } from '../theme/theme';
import { AppLayout } from './Layout';
import { pageRoutes } from './routes';
import LoginPage from '../pages/login/LoginPage';

export function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // A 4xx will not change by asking again; a network blip or 5xx may.
        retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
        refetchOnWindowFocus: true,
        staleTime: 5_000,
      },
    },
  });
}

function FullPageSpin() {
  return (
    <div className="flex min-h-screen items-center justify-center">
      <Spin size="large" />
    </div>
  );
}

function RequireSession() {
  const { user, loading, error, refresh } = useSession();
  const location = useLocation();
  if (loading) return <FullPageSpin />;
  if (error && !user)
    return (
      <div className="mx-auto max-w-lg p-8">
        <ErrorAlert error={error} onRetry={() => void refresh()} />
      </div>
    );
  if (!user || user.must_change_password)
    return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return <AppLayout />;
}

function NotFound() {
  const { t } = useTranslation();
  return (
    <Result
      status="404"
      title={t('notFound.title')}
      extra={
        <Link to="/">
          <Button type="primary">{t('notFound.back')}</Button>
        </Link>
      }
    />
  );
}

function Themed({ children }: { children: React.ReactNode }) {
  const { dark } = useThemeState();
  const { i18n } = useTranslation();
  const theme = useMemo(() => antdThemeFor(dark), [dark]);
  return (
    <ConfigProvider theme={theme} locale={i18n.language === 'zh' ? zhCN : enUS}>
      <AntApp>{children}</AntApp>
    </ConfigProvider>
  );
}

// The route table as a data router, so pages can use useBlocker (unsaved changes) and the
// browser's Back button is guarded too.
export const appRoutes = createRoutesFromElements(
  <Route element={<SuspendedOutlet />}>
    <Route path="/login" element={<LoginPage />} />
    <Route element={<RequireSession />}>
      {pageRoutes.map((r) => (
        <Route key={r.path} path={r.path === '/' ? undefined : r.path} index={r.path === '/'} element={<r.page />} />
      ))}
      <Route path="*" element={<NotFound />} />
    </Route>
  </Route>,
);

function SuspendedOutlet() {
  return (
    <Suspense fallback={<FullPageSpin />}>
      <Outlet />
    </Suspense>
  );
}

export function App({ queryClient }: { queryClient?: QueryClient }) {
  const client = useMemo(() => queryClient ?? makeQueryClient(), [queryClient]);
  const router = useMemo(() => createBrowserRouter(appRoutes), []);
  return (
    <ThemeStateProvider>
      <QueryClientProvider client={client}>
        <Themed>
          <SessionProvider>
            <RouterProvider router={router} />
          </SessionProvider>
        </Themed>
      </QueryClientProvider>
    </ThemeStateProvider>
  );
}
