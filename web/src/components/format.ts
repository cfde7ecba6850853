// Number, time and duration formatting shared by the pages, in the console's language.
import dayjs from 'dayjs';
import relativeTime from 'dayjs/plugin/relativeTime';
import 'dayjs/locale/zh-cn';
import i18n from '../i18n';

dayjs.extend(relativeTime);

const dayjsLocale = () => (i18n.language === 'zh' ? 'zh-cn' : 'en');
const numberLocale = () => (i18n.language === 'zh' ? 'zh-CN' : 'en-US');

export function formatNumber(n: number | null | undefined, digits = 0): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  return n.toLocaleString(numberLocale(), { maximumFractionDigits: digits });
}

export function formatCompact(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  return new Intl.NumberFormat(numberLocale(), { notation: 'compact', maximumFractionDigits: 1 }).format(n);
}

export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined || Number.isNaN(ratio)) return '–';
  return `${(ratio * 100).toFixed(digits)} %`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

// "2026-12-03 05:31:02" in local time.
export function formatTime(t: string | number | null | undefined): string {
  if (t === null || t === undefined || t === '') return '–';
  const d = dayjs(t);
  return d.isValid() ? d.format('YYYY-MM-DD HH:mm:ss') : String(t);
}

// "3 minutes ago" / "3 分钟前".
export function formatRelative(t: string | number | null | undefined): string {
  if (t === null || t === undefined || t === '') return '–';
  const d = dayjs(t);
  return d.isValid() ? d.locale(dayjsLocale()).fromNow() : String(t);
}
