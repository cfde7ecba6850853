// A secret the gateway returns exactly once (a new client token, a rotated one, a generated
// password): shown in a read-only field with copy and a warning that it will not be shown again.
// The caller keeps the value in state only while the modal is open and forgets it on close.
import { Alert, Button, Grid, Input, Modal, Space } from 'antd';
import type { ReactNode } from 'react';
import { CopyButton } from './CopyButton';

export function ShownOnceSecretModal({
  open,
  title,
  warning,
  value,
  closeLabel,
  copyLabel,
  extra,
  onClose,
  testId,
}: {
  open: boolean;
  title: ReactNode;
  warning: ReactNode;
  value: string;
  closeLabel: string;
  copyLabel: string;
  extra?: ReactNode;
  onClose: () => void;
  testId?: string;
}) {
  const screens = Grid.useBreakpoint();
  return (
    <Modal
      open={open}
      title={title}
      onCancel={onClose}
      mask={{ closable: false }}
      width={screens.md ? 600 : '100%'}
      destroyOnHidden
      footer={
        <Button type="primary" onClick={onClose}>
          {closeLabel}
        </Button>
      }
    >
      <div data-testid={testId} className="flex flex-col gap-3">
        <Alert type="warning" showIcon title={warning} />
        <Space.Compact style={{ width: '100%' }}>
          <Input readOnly value={value} data-testid={testId ? `${testId}-value` : undefined} className="font-mono" />
          <CopyButton text={value} label={copyLabel} />
        </Space.Compact>
        {extra}
      </div>
    </Modal>
  );
}
