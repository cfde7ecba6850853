// The dashboard's time ranges: the presets the operator picks from, the step each one asks the
// usage API for, and the window each one covers (its right edge is always now).

export type RangeKey = '1h' | '6h' | '24h' | '7d' | '30d';

export interface RangePreset {
  key: RangeKey;
  seconds: number;
  // The usage timeseries step, in seconds (a multiple of 60, as the API asks). Minute cells are
  // kept 48 h and hour cells 90 days, so the short ranges read minutes and the long ones hours.
  stepSeconds: number;
}

const HOUR = 3600;
const DAY = 24 * HOUR;

export const RANGE_PRESETS: Record<RangeKey, RangePreset> = {
  '1h': { key: '1h', seconds: HOUR, stepSeconds: 60 }, // 60 points of a minute
  '6h': { key: '6h', seconds: 6 * HOUR, stepSeconds: 5 * 60 }, // 72 points of 5 minutes
  '24h': { key: '24h', seconds: DAY, stepSeconds: 15 * 60 }, // 96 points of 15 minutes
  '7d': { key: '7d', seconds: 7 * DAY, stepSeconds: HOUR }, // 168 points of an hour
  '30d': { key: '30d', seconds: 30 * DAY, stepSeconds: 6 * HOUR }, // 120 points of 6 hours
};

// The presets each chart offers, in order.
export const USAGE_RANGES: RangeKey[] = ['1h', '6h', '24h', '7d', '30d'];
export const SURVIVAL_RANGES: RangeKey[] = ['1h', '24h', '7d', '30d'];
export const DEFAULT_USAGE_RANGE: RangeKey = '24h';
export const DEFAULT_SURVIVAL_RANGE: RangeKey = '24h';

export function isRangeKey(v: unknown): v is RangeKey {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(RANGE_PRESETS, v);
}

// The window of a preset ending at `now`: ISO-8601 instants for the API.
export function rangeWindow(key: RangeKey, now: number = Date.now()): { from: string; to: string } {
  const preset = RANGE_PRESETS[key];
  return { from: new Date(now - preset.seconds * 1000).toISOString(), to: new Date(now).toISOString() };
}

// The usage timeseries query of a preset: from (now − range), to (now), step in seconds.
export function usageQuery(key: RangeKey, now: number = Date.now()): { from: string; to: string; step: string } {
  const w = rangeWindow(key, now);
  return { ...w, step: String(RANGE_PRESETS[key].stepSeconds) };
}

// The survival query of a preset: start (now − range) to end (now).
export function survivalQuery(key: RangeKey, now: number = Date.now()): { start_time: string; end_time: string } {
  const w = rangeWindow(key, now);
  return { start_time: w.from, end_time: w.to };
}

// How a chart's time axis labels read: clock times up to a day, dates beyond.
export function axisTimeFormat(key: RangeKey): string {
  return RANGE_PRESETS[key].seconds <= DAY ? 'HH:mm' : 'MM-DD';
}

// How a tooltip names one point: with the date once the range spans days.
export function tooltipTimeFormat(key: RangeKey): string {
  return RANGE_PRESETS[key].seconds <= DAY ? 'HH:mm' : 'YYYY-MM-DD HH:mm';
}
