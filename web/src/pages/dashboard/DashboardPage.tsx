import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/PageHeader';

// Placeholder until this page is built.
export default function DashboardPage() {
  const { t } = useTranslation();
  return <PageHeader title={t('nav.dashboard')} />;
}
