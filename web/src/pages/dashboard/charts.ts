// ECharts options for the dashboard's time charts: a time axis whose labels and tooltips read in
// the console's format, one line (or area) per series, colors from the antd theme.
import dayjs from 'dayjs';
import type { ChartOption } from '../../components/Chart';
import type { Pair } from './series';

export interface LineSpec {
  name: string;
  data: Pair[];
  color: string;
  area?: boolean;
  stack?: string;
  // Bars instead of a line (the calls sparkline).
  bar?: boolean;
  // Dots on the points: for series with gaps (latency has none where no request finished), where
  // a lone point would otherwise draw nothing. By default only when there are very few points.
  symbols?: boolean;
}

export interface TimeChartSpec {
  series: LineSpec[];
  axisFormat: string;
  tooltipFormat: string;
  // Number formatting for the y axis and the tooltip.
  format: (v: number) => string;
  min?: number;
  max?: number;
  legend?: boolean;
  compact?: boolean;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function timeChartOption(spec: TimeChartSpec): ChartOption {
  const legend = spec.legend ?? true;
  const compact = spec.compact ?? false;
  return {
    animation: false,
    color: spec.series.map((s) => s.color),
    legend: legend ? { top: 0, left: 0, icon: 'roundRect', itemWidth: 12, itemHeight: 8 } : { show: false },
    grid: compact
      ? { left: 0, right: 0, top: 4, bottom: 0, outerBoundsMode: 'none' }
      : { left: 4, right: 12, top: legend ? 36 : 12, bottom: 4 },
    tooltip: {
      trigger: 'axis',
      confine: true,
      formatter: (params: unknown) => {
        const list = (Array.isArray(params) ? params : [params]) as Array<{ marker: string; seriesName: string; value: Pair }>;
        if (list.length === 0) return '';
        const head = escape(dayjs(list[0].value[0]).format(spec.tooltipFormat));
        const rows = list.map((p) => {
          const v = p.value[1];
          return `${p.marker}${escape(p.seriesName)}&nbsp;&nbsp;<b>${v === null || v === undefined ? '–' : escape(spec.format(v))}</b>`;
        });
        return [head, ...rows].join('<br/>');
      },
    },
    xAxis: {
      type: 'time',
      min: spec.min,
      max: spec.max,
      show: !compact,
      axisLabel: { hideOverlap: true, formatter: (v: number) => dayjs(v).format(spec.axisFormat) },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      show: !compact,
      minInterval: 1,
      axisLabel: { formatter: (v: number) => spec.format(v) },
      splitLine: { lineStyle: { opacity: 0.4 } },
    },
    series: spec.series.map((s) =>
      s.bar
        ? { type: 'bar', name: s.name, data: s.data, stack: s.stack, barMaxWidth: 12, itemStyle: { color: s.color } }
        : {
            type: 'line',
            name: s.name,
            data: s.data,
            stack: s.stack,
            showSymbol: s.symbols ?? s.data.length <= 3,
            showAllSymbol: true,
            symbolSize: 5,
            connectNulls: false,
            smooth: false,
            lineStyle: { width: 2, color: s.color },
            itemStyle: { color: s.color },
            areaStyle: s.area ? { opacity: 0.18, color: s.color } : undefined,
          },
    ),
  };
}
