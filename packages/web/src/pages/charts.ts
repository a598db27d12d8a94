// Options of the dashboards' charts (drawn by components/Chart.tsx: bar and pie only, for the JS budget).
import type { ChartOption } from '../components/Chart.js';

/** A bar chart of named series over categories (units, slots, states); percent: values are 0–100. */
export function barOption(categories: string[], series: { name: string; data: number[]; color?: string; stack?: string }[], opts: { percent?: boolean; horizontal?: boolean } = {}): ChartOption {
  const cat = { type: 'category' as const, data: categories, axisLabel: { interval: 0, rotate: opts.horizontal || categories.length <= 6 ? 0 : 40 } };
  const val = { type: 'value' as const, ...(opts.percent ? { max: 100, axisLabel: { formatter: '{value}%' } } : {}) };
  return {
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: series.length > 1 ? { top: 0 } : undefined,
    grid: { left: 8, right: 16, top: series.length > 1 ? 32 : 16, bottom: 8, containLabel: true },
    xAxis: opts.horizontal ? val : cat,
    yAxis: opts.horizontal ? cat : val,
    series: series.map((s) => ({ type: 'bar' as const, name: s.name, data: s.data, stack: s.stack, itemStyle: s.color ? { color: s.color } : undefined })),
  } as ChartOption;
}

/** A ring of named values. */
export function pieOption(items: { name: string; value: number; color?: string }[]): ChartOption {
  return {
    animation: false,
    tooltip: { trigger: 'item' },
    legend: { bottom: 0 },
    series: [{ type: 'pie', radius: ['40%', '68%'], top: 0, bottom: 32, label: { formatter: '{b}: {c}' },
      data: items.map((i) => ({ name: i.name, value: i.value, itemStyle: i.color ? { color: i.color } : undefined })) }],
  };
}
