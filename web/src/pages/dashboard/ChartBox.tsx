// A chart's place on the page: a skeleton while the first answer is on its way, the API's error,
// an empty state when the range has nothing to draw, or the chart.
import type { ReactNode } from 'react';
import { Empty, Skeleton } from 'antd';
import { Chart, type ChartOption } from '../../components/Chart';
import { ErrorAlert } from '../../components/ErrorAlert';

export function ChartBox({
  loading,
  error,
  onRetry,
  empty,
  emptyText,
  option,
  height = 240,
  ariaLabel,
  testId,
}: {
  loading: boolean;
  error: unknown;
  onRetry?: () => void;
  empty: boolean;
  emptyText: ReactNode;
  option: ChartOption | null;
  height?: number;
  ariaLabel: string;
  testId?: string;
}) {
  if (error) return <ErrorAlert error={error} onRetry={onRetry} />;
  if (loading || !option) {
    return (
      <div style={{ height }} className="flex items-center" data-testid={testId ? `${testId}-loading` : undefined}>
        <Skeleton active paragraph={{ rows: 4 }} title={false} />
      </div>
    );
  }
  if (empty) {
    return (
      <div style={{ height }} className="flex items-center justify-center" data-testid={testId ? `${testId}-empty` : undefined}>
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={emptyText} />
      </div>
    );
  }
  return (
    <div data-testid={testId}>
      <Chart option={option} height={height} ariaLabel={ariaLabel} />
    </div>
  );
}
