// What a bulk check found, sorted into the groups the results dialog acts on.
import type { BulkCheckTask, CheckResult } from './api';

export type Outcome = 'valid' | 'invalid' | 'exhausted' | 'inconclusive';

// A check's outcome: `valid`; `invalid` when the upstream rejected the key (an `error` that is
// not marked inconclusive); `exhausted` (valid, out of quota); anything else (timeouts, network
// errors, 5xx answers the gateway calls inconclusive) leaves the key as it was.
export function outcomeOf(r: CheckResult): Outcome {
  if (r.status === 'valid') return 'valid';
  if (r.status === 'exhausted') return 'exhausted';
  if (r.status === 'error' && !/inconclusive/i.test(r.message)) return 'invalid';
  return 'inconclusive';
}

export interface ResultGroups {
  valid: CheckResult[];
  invalid: CheckResult[];
  exhausted: CheckResult[];
  inconclusive: CheckResult[];
}

export function groupResults(results: CheckResult[]): ResultGroups {
  const g: ResultGroups = { valid: [], invalid: [], exhausted: [], inconclusive: [] };
  const seen = new Set<number>();
  for (const r of results) {
    if (seen.has(r.key_id)) continue;
    seen.add(r.key_id);
    g[outcomeOf(r)].push(r);
  }
  return g;
}

export type ResultAction = 'disableInvalid' | 'deleteInvalid' | 'enableValid';

export interface PlannedAction {
  action: ResultAction;
  ids: number[];
}

// The actions the dialog offers: only those with keys to act on. Enabling the valid ones is
// offered only for valid keys that are not active after the check (e.g. disabled keys, which a
// check never re-enables).
export function plannedActions(g: ResultGroups): PlannedAction[] {
  const out: PlannedAction[] = [];
  const invalid = g.invalid.map((r) => r.key_id);
  if (invalid.length) {
    const notDisabled = g.invalid.filter((r) => r.key_status !== 'disabled').map((r) => r.key_id);
    if (notDisabled.length) out.push({ action: 'disableInvalid', ids: notDisabled });
    out.push({ action: 'deleteInvalid', ids: invalid });
  }
  const toEnable = g.valid.filter((r) => r.key_status !== 'active').map((r) => r.key_id);
  if (toEnable.length) out.push({ action: 'enableValid', ids: toEnable });
  return out;
}

// The progress to show, 0–100, from the task (its own figure, else completed / total).
export function taskPercent(task: Pick<BulkCheckTask, 'progress' | 'completed_keys' | 'total_keys' | 'status'> | undefined): number {
  if (!task) return 0;
  if (task.status === 'completed') return 100;
  let p = Number.isFinite(task.progress) ? task.progress : 0;
  if (!p && task.total_keys > 0) p = (task.completed_keys / task.total_keys) * 100;
  return Math.max(0, Math.min(100, Math.round(p * 10) / 10));
}

export const taskDone = (task: Pick<BulkCheckTask, 'status'> | undefined) =>
  task?.status === 'completed' || task?.status === 'failed';

const OUTCOME_ORDER: Record<Outcome, number> = { invalid: 0, exhausted: 1, inconclusive: 2, valid: 3 };

// Results with what needs attention first (invalid, then out of quota, inconclusive, valid), by
// key id within each group.
export function sortResults(results: CheckResult[]): CheckResult[] {
  return [...results].sort((a, b) => OUTCOME_ORDER[outcomeOf(a)] - OUTCOME_ORDER[outcomeOf(b)] || a.key_id - b.key_id);
}
