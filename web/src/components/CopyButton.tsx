import { useState } from 'react';
import { Button, Tooltip } from 'antd';
import { CheckOutlined, CopyOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';

// Copies `text` to the clipboard (falls back to a hidden textarea where the Clipboard API is
// unavailable, e.g. plain HTTP on another host).
export async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  document.execCommand('copy');
  area.remove();
}

export function CopyButton({ text, label, size }: { text: string; label?: string; size?: 'small' | 'middle' }) {
  const { t } = useTranslation();
  const [done, setDone] = useState(false);
  return (
    <Tooltip title={done ? t('actions.copied') : t('actions.copy')}>
      <Button
        size={size}
        icon={done ? <CheckOutlined /> : <CopyOutlined />}
        aria-label={label ?? t('actions.copy')}
        onClick={async () => {
          await copyText(text);
          setDone(true);
          window.setTimeout(() => setDone(false), 1500);
        }}
      >
        {label}
      </Button>
    </Tooltip>
  );
}
