// The dashboard's colors, from the antd theme so light and dark both read well.
import { useMemo } from 'react';
import { theme } from 'antd';
import type { KeyStatus } from './api';

export function useDashboardColors() {
  const { token } = theme.useToken();
  return useMemo(() => {
    const status: Record<KeyStatus | 'total', string> = {
      total: token.colorPrimary,
      active: token.colorSuccess,
      exhausted: token.colorWarning,
      error: token.colorError,
      disabled: token.colorTextQuaternary,
    };
    return {
      status,
      requests: token.colorPrimary,
      errors: token.colorError,
      prompt: token.colorPrimary,
      completion: token.colorSuccess,
      thought: token['purple-5'] ?? token.colorInfo,
      p50: token.colorSuccess,
      p95: token.colorWarning,
      p99: token.colorError,
    };
  }, [token]);
}
