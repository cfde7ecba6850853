// Key counts by status: one card each (total, active, exhausted, error, disabled), each leading
// to the Keys page filtered to that status.
import { Card, Statistic } from 'antd';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { KeyCounts } from './api';
import { statusCards, type StatusCard } from './series';
import { useDashboardColors } from './colors';

const PLACEHOLDER: KeyCounts = { total_keys: 0, active_keys: 0, exhausted_keys: 0, error_keys: 0, disabled_keys: 0 };

export function KeyCards({ counts, loading }: { counts: KeyCounts | undefined; loading: boolean }) {
  const { t } = useTranslation('dashboard');
  const colors = useDashboardColors();
  const cards: StatusCard[] = statusCards(counts ?? PLACEHOLDER);
  return (
    <div className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-5" data-testid="key-cards">
      {cards.map((c) => (
        <Link
          key={c.status}
          to={c.href}
          data-testid={`key-card-${c.status}`}
          aria-label={`${t(`keys.${c.status}`)}: ${c.count}. ${t('keys.open')}`}
          className={`block min-w-0 ${c.status === 'total' ? 'col-span-2 md:col-span-1' : ''}`}
        >
          <Card size="small" hoverable className="h-full" style={{ borderTop: `3px solid ${colors.status[c.status]}` }}>
            <Statistic
              loading={loading}
              title={
                <span className="flex items-center gap-2">
                  <span
                    aria-hidden
                    className="inline-block h-2 w-2 rounded-full"
                    style={{ background: colors.status[c.status] }}
                  />
                  {t(`keys.${c.status}`)}
                </span>
              }
              value={c.count}
              styles={{ content: c.status === 'total' || c.count === 0 ? undefined : { color: colors.status[c.status] } }}
            />
          </Card>
        </Link>
      ))}
    </div>
  );
}
