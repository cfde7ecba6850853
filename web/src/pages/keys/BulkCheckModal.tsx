// A bulk check: starts the background task, polls its status with a live progress bar, then lists
// each key's outcome with actions on the results (disable or delete the invalid keys, enable the
// valid ones).
import { useEffect, useMemo, useState } from 'react';
import { App, Button, Grid, Modal, Popconfirm, Progress, Table, Tag, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ErrorAlert, errorText } from '../../components/ErrorAlert';
import { bulkDeleteKeys, bulkUpdateKeys, fetchBulkCheck, startBulkCheck, type CheckResult } from './api';
import { groupResults, outcomeOf, plannedActions, sortResults, taskDone, taskPercent, type Outcome, type PlannedAction } from './checkResults';
import { StatusTag } from './StatusTag';

const OUTCOME_COLOR: Record<Outcome, string> = { valid: 'success', invalid: 'error', exhausted: 'warning', inconclusive: 'default' };

export function BulkCheckModal({
  ids,
  onClose,
  onChanged,
}: {
  // The keys to check (null: closed).
  ids: number[] | null;
  onClose: () => void;
  onChanged: () => void;
}) {
  const { t } = useTranslation('keys');
  const { t: tc } = useTranslation();
  const { message } = App.useApp();
  const screens = Grid.useBreakpoint();
  const [taskId, setTaskId] = useState<string | null>(null);
  const [startError, setStartError] = useState<unknown>(null);
  const [acting, setActing] = useState<string | null>(null);
  const [done, setDone] = useState<Set<string>>(new Set());

  // Start the task when opened with keys.
  useEffect(() => {
    if (!ids?.length) return;
    let cancelled = false;
    setTaskId(null);
    setStartError(null);
    setDone(new Set());
    startBulkCheck(ids).then(
      (r) => !cancelled && setTaskId(r.task_id),
      (e) => !cancelled && setStartError(e),
    );
    return () => {
      cancelled = true;
    };
  }, [ids]);

  const task = useQuery({
    queryKey: ['keys', 'bulk-check', taskId],
    queryFn: ({ signal }) => fetchBulkCheck(taskId as string, signal),
    enabled: taskId !== null,
    refetchInterval: (q) => (taskDone(q.state.data) ? false : 400),
    refetchIntervalInBackground: true,
  });
  const finished = taskDone(task.data);
  useEffect(() => {
    if (finished) onChanged();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [finished]);

  const groups = useMemo(() => groupResults(task.data?.results ?? []), [task.data?.results]);
  const actions = useMemo(() => (finished ? plannedActions(groups) : []), [finished, groups]);
  const percent = taskPercent(task.data);
  const sortedResults = useMemo(() => sortResults(task.data?.results ?? []), [task.data?.results]);

  const act = async (a: PlannedAction) => {
    setActing(a.action);
    try {
      if (a.action === 'deleteInvalid') {
        const r = await bulkDeleteKeys(a.ids);
        void message.success(t('check.deleted', { count: r.deleted }));
      } else {
        const r = await bulkUpdateKeys(a.ids, { status: a.action === 'enableValid' ? 'active' : 'disabled' });
        void message.success(t(a.action === 'enableValid' ? 'check.enabled' : 'check.disabled', { count: r.total_updated }));
      }
      setDone((d) => new Set(d).add(a.action));
      onChanged();
    } catch (e) {
      void message.error(errorText(e));
    } finally {
      setActing(null);
    }
  };

  const running = !finished && !startError && !task.error;
  return (
    <Modal
      open={ids !== null}
      title={t('check.title', { count: ids?.length ?? 0 })}
      onCancel={onClose}
      width={screens.md ? 820 : '100%'}
      destroyOnHidden
      footer={
        <Button onClick={onClose} type={finished ? 'primary' : 'default'}>
          {running ? t('check.background') : tc('actions.close')}
        </Button>
      }
    >
      {startError ? <ErrorAlert error={startError} /> : null}
      {task.error ? <ErrorAlert error={task.error} onRetry={() => void task.refetch()} /> : null}
      {!startError ? (
        <div data-testid="check-progress" data-percent={percent} data-status={task.data?.status ?? 'starting'} className="mb-4">
          <Progress
            percent={percent}
            status={task.data?.status === 'failed' ? 'exception' : finished ? 'success' : 'active'}
            aria-label={t('check.progress')}
          />
          <Typography.Text type="secondary" data-testid="check-progress-text">
            {task.data
              ? t('check.progressText', { done: task.data.completed_keys, total: task.data.total_keys, status: t(`check.task.${task.data.status}`) })
              : t('check.starting')}
          </Typography.Text>
          {task.data?.error ? <ErrorAlert error={new Error(task.data.error)} /> : null}
        </div>
      ) : null}

      {task.data?.results.length ? (
        <>
          <div className="mb-3 flex flex-wrap gap-2" data-testid="check-counts">
            {(['valid', 'invalid', 'exhausted', 'inconclusive'] as Outcome[]).map((o) => (
              <Tag key={o} color={OUTCOME_COLOR[o]}>
                {t(`check.outcome.${o}`)}: {groups[o].length}
              </Tag>
            ))}
          </div>
          {finished && actions.length ? (
            <div className="mb-3 flex flex-wrap gap-2" data-testid="check-actions">
              {actions.map((a) =>
                a.action === 'deleteInvalid' ? (
                  <Popconfirm
                    key={a.action}
                    title={t('check.confirmDelete', { count: a.ids.length })}
                    okText={tc('actions.delete')}
                    okButtonProps={{ danger: true }}
                    cancelText={tc('actions.cancel')}
                    onConfirm={() => act(a)}
                  >
                    <Button danger loading={acting === a.action} disabled={done.has(a.action)} data-testid={`check-action-${a.action}`}>
                      {t(`check.action.${a.action}`, { count: a.ids.length })}
                    </Button>
                  </Popconfirm>
                ) : (
                  <Button
                    key={a.action}
                    type={a.action === 'disableInvalid' ? 'primary' : 'default'}
                    loading={acting === a.action}
                    disabled={done.has(a.action) || (a.action === 'disableInvalid' && done.has('deleteInvalid'))}
                    onClick={() => act(a)}
                    data-testid={`check-action-${a.action}`}
                  >
                    {t(`check.action.${a.action}`, { count: a.ids.length })}
                  </Button>
                ),
              )}
            </div>
          ) : null}
          <Table<CheckResult>
            size="small"
            rowKey="key_id"
            dataSource={sortedResults}
            pagination={task.data.results.length > 10 ? { pageSize: 10, size: 'small' } : false}
            scroll={{ x: 700 }}
            data-testid="check-results"
            columns={[
              { title: t('columns.id'), dataIndex: 'key_id', width: 64, render: (id: number) => `#${id}` },
              { title: t('columns.key'), dataIndex: 'key_value', render: (v: string) => <code>{v}</code>, width: 160 },
              {
                title: t('check.outcomeColumn'),
                key: 'outcome',
                width: 120,
                render: (_, r) => <Tag color={OUTCOME_COLOR[outcomeOf(r)]}>{t(`check.outcome.${outcomeOf(r)}`)}</Tag>,
              },
              { title: t('check.nowColumn'), dataIndex: 'key_status', width: 110, render: (s: string) => <StatusTag status={s} /> },
              { title: t('check.message'), dataIndex: 'message' },
            ]}
          />
        </>
      ) : null}
    </Modal>
  );
}
