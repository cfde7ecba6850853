// A table row's actions: icon buttons with tooltips on a wide screen, one "more" menu on a phone
// (so that a fixed actions column does not take half the screen). Write actions carry
// `data-write` (the console's convention for controls a viewer must never see).
import type { ReactNode } from 'react';
import { Button, Dropdown, Grid, Space, Tooltip } from 'antd';
import { MoreOutlined } from '@ant-design/icons';

export interface RowAction {
  key: string;
  label: string;
  icon: ReactNode;
  onClick: () => void;
  danger?: boolean;
  disabled?: boolean;
  // Shown instead of the label when the action is disabled.
  disabledReason?: string;
  loading?: boolean;
  write?: boolean;
  testId?: string;
}

export function AdaptiveRowActions({ actions, moreLabel }: { actions: RowAction[]; moreLabel: string }) {
  const screens = Grid.useBreakpoint();
  const wide = screens.md ?? true;
  if (wide) {
    return (
      <Space size={2} wrap={false}>
        {actions.map((a) => (
          <Tooltip key={a.key} title={a.disabled && a.disabledReason ? a.disabledReason : a.label}>
            <Button
              type="text"
              danger={a.danger}
              disabled={a.disabled}
              loading={a.loading}
              icon={a.icon}
              aria-label={a.label}
              data-write={a.write ? '' : undefined}
              data-testid={a.testId}
              onClick={a.onClick}
            />
          </Tooltip>
        ))}
      </Space>
    );
  }
  return (
    <Dropdown
      trigger={['click']}
      menu={{
        items: actions.map((a) => ({
          key: a.key,
          label: a.disabled && a.disabledReason ? a.disabledReason : a.label,
          icon: a.icon,
          danger: a.danger,
          disabled: a.disabled,
          onClick: a.onClick,
        })),
      }}
    >
      <Button type="text" icon={<MoreOutlined />} aria-label={moreLabel} data-write={actions.some((a) => a.write) ? '' : undefined} />
    </Dropdown>
  );
}

// The width of the actions column for `n` buttons (or the one menu button on a phone).
export function rowActionsWidth(n: number, wide: boolean): number {
  return wide ? Math.max(64, n * 34 + 20) : 56;
}
