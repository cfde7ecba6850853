import { describe, expect, it } from 'vitest';
import {
  RANGE_PRESETS,
  SURVIVAL_RANGES,
  USAGE_RANGES,
  axisTimeFormat,
  isRangeKey,
  rangeWindow,
  survivalQuery,
  tooltipTimeFormat,
  usageQuery,
} from './ranges';

const NOW = Date.parse('2026-12-03T06:00:30.000Z');

describe('range presets', () => {
  it('end at now and start the range before', () => {
    expect(rangeWindow('1h', NOW)).toEqual({ from: '2026-12-03T05:00:30.000Z', to: '2026-12-03T06:00:30.000Z' });
    expect(rangeWindow('7d', NOW).from).toBe('2026-11-26T06:00:30.000Z');
    expect(survivalQuery('24h', NOW)).toEqual({ start_time: '2026-12-02T06:00:30.000Z', end_time: '2026-12-03T06:00:30.000Z' });
  });

  it('ask the usage API for a step it accepts: a multiple of 60 s, at most 500 points, in kept cells', () => {
    for (const key of USAGE_RANGES) {
      const p = RANGE_PRESETS[key];
      expect(p.stepSeconds % 60, key).toBe(0);
      const points = p.seconds / p.stepSeconds;
      expect(points, key).toBeGreaterThanOrEqual(24);
      expect(points, key).toBeLessThanOrEqual(500);
      // Minute cells are kept 48 h: steps finer than an hour only on ranges within that.
      if (p.stepSeconds < 3600) expect(p.seconds, key).toBeLessThanOrEqual(48 * 3600);
    }
  });

  it('pick a minute for 1 h, finer than an hour for 24 h, hours for 7 d and 30 d', () => {
    expect(usageQuery('1h', NOW)).toEqual({ from: '2026-12-03T05:00:30.000Z', to: '2026-12-03T06:00:30.000Z', step: '60' });
    expect(usageQuery('6h', NOW).step).toBe('300');
    expect(usageQuery('24h', NOW).step).toBe('900');
    expect(usageQuery('7d', NOW).step).toBe('3600');
    expect(usageQuery('30d', NOW).step).toBe('21600');
  });

  it('offer the presets the brief names for the survival trend', () => {
    expect(SURVIVAL_RANGES).toEqual(['1h', '24h', '7d', '30d']);
  });

  it('label clock times up to a day and dates beyond', () => {
    expect(axisTimeFormat('24h')).toBe('HH:mm');
    expect(axisTimeFormat('7d')).toBe('MM-DD');
    expect(tooltipTimeFormat('1h')).toBe('HH:mm');
    expect(tooltipTimeFormat('30d')).toBe('YYYY-MM-DD HH:mm');
  });

  it('recognise their own keys only', () => {
    expect(isRangeKey('6h')).toBe(true);
    expect(isRangeKey('2h')).toBe(false);
    expect(isRangeKey('toString')).toBe(false);
    expect(isRangeKey(undefined)).toBe(false);
  });
});
