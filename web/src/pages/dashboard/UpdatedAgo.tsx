// "Updated 5 s ago", ticking each second, from the newest answer among the dashboard's queries.
import { useEffect, useState } from 'react';
import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatRelative } from '../../components/format';

export function UpdatedAgo({ at }: { at: number }) {
  const { t } = useTranslation('dashboard');
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(id);
  }, []);
  if (!at) return null;
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  return (
    <Typography.Text type="secondary" className="text-xs" data-testid="updated-ago">
      {seconds < 60 ? t('updatedAgo', { value: seconds }) : t('updatedAt', { value: formatRelative(at) })}
    </Typography.Text>
  );
}
