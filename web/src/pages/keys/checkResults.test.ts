import { describe, expect, it } from 'vitest';
import type { CheckResult } from './api';
import { groupResults, outcomeOf, plannedActions, sortResults, taskDone, taskPercent } from './checkResults';
import { parseImport, splitKeys } from './keyText';

const r = (key_id: number, status: string, key_status: string, message = ''): CheckResult => ({
  key_id,
  key_value: `k${key_id}`,
  status,
  key_status,
  message,
});

describe('check outcomes', () => {
  it('sorts each result into valid, invalid, exhausted or inconclusive', () => {
    expect(outcomeOf(r(1, 'valid', 'active'))).toBe('valid');
    expect(outcomeOf(r(2, 'error', 'error', 'The upstream rejected the key (400 API_KEY_INVALID).'))).toBe('invalid');
    expect(outcomeOf(r(3, 'exhausted', 'active'))).toBe('exhausted');
    expect(outcomeOf(r(4, 'error', 'active', 'Inconclusive (503 UNAVAILABLE): the key is unchanged.'))).toBe('inconclusive');
    expect(outcomeOf(r(5, 'timeout', 'active'))).toBe('inconclusive');
    expect(outcomeOf(r(6, 'network_error', 'active'))).toBe('inconclusive');
  });

  it('offers actions only where there are keys to act on', () => {
    const g = groupResults([
      r(1, 'valid', 'active'),
      r(2, 'valid', 'disabled'),
      r(3, 'error', 'error', 'rejected'),
      r(4, 'error', 'disabled', 'rejected'),
      r(5, 'exhausted', 'active'),
      r(3, 'error', 'error', 'rejected'), // a repeat counts once
    ]);
    expect(g.invalid.map((x) => x.key_id)).toEqual([3, 4]);
    expect(plannedActions(g)).toEqual([
      { action: 'disableInvalid', ids: [3] }, // 4 is already disabled
      { action: 'deleteInvalid', ids: [3, 4] },
      { action: 'enableValid', ids: [2] }, // 1 is already active
    ]);
    expect(plannedActions(groupResults([r(1, 'valid', 'active')]))).toEqual([]);
  });

  it('lists what needs attention first', () => {
    const sorted = sortResults([r(1, 'valid', 'active'), r(9, 'exhausted', 'active'), r(5, 'error', 'error', 'x'), r(2, 'error', 'error', 'y')]);
    expect(sorted.map((x) => x.key_id)).toEqual([2, 5, 9, 1]);
  });

  it('turns the task into a percentage and knows when it is done', () => {
    expect(taskPercent(undefined)).toBe(0);
    expect(taskPercent({ status: 'running', progress: 33.33, completed_keys: 1, total_keys: 3 })).toBe(33.3);
    expect(taskPercent({ status: 'running', progress: 0, completed_keys: 1, total_keys: 4 })).toBe(25);
    expect(taskPercent({ status: 'completed', progress: 99, completed_keys: 4, total_keys: 4 })).toBe(100);
    expect(taskPercent({ status: 'running', progress: 140, completed_keys: 1, total_keys: 1 })).toBe(100);
    expect(taskDone({ status: 'running' })).toBe(false);
    expect(taskDone({ status: 'completed' })).toBe(true);
    expect(taskDone({ status: 'failed' })).toBe(true);
  });
});

describe('key text', () => {
  it('splits pasted keys on commas, spaces and line breaks and counts repeats', () => {
    expect(splitKeys(' a, b\nc\r\n\n a ;"d"\t')).toEqual({ keys: ['a', 'b', 'c', 'd'], repeated: 1 });
    expect(splitKeys('   ')).toEqual({ keys: [], repeated: 0 });
  });

  it('reads the first column of a CSV, skipping a header row', () => {
    expect(parseImport('keys.csv', 'key,description\nk1,team a\n"k2",b\nk1,again\n')).toEqual({ keys: ['k1', 'k2'], repeated: 1 });
    expect(parseImport('keys.txt', 'k1\nk2,k3')).toEqual({ keys: ['k1', 'k2', 'k3'], repeated: 0 });
  });
});
