// The Insights charts' Chart.js configurations. Only types come from Chart.js here: the library
// itself is registered in chart-runtime.ts and loaded when a chart is first drawn.
import type { ChartConfiguration } from 'chart.js';
import type { FunnelChartData, WeeklyChartData } from './insights';

export type InsightsChartConfig = ChartConfiguration<'bar' | 'line', (number | null)[], string>;

const TEXT = '#1f2328';
const GRID = '#d9d2c7';

/** Reminded → replied → confirmed → attended, as horizontal bars. */
export function funnelConfig(data: FunnelChartData): InsightsChartConfig {
  return {
    type: 'bar',
    data,
    options: {
      indexAxis: 'y',
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: false } },
      scales: {
        x: { beginAtZero: true, ticks: { precision: 0, color: TEXT }, grid: { color: GRID } },
        y: { ticks: { color: TEXT }, grid: { display: false } },
      },
    },
  } as InsightsChartConfig;
}

/** Texts sent per week (bars, left axis) and the confirmation rate (line, right axis, 0–100%). */
export function weeklyConfig(data: WeeklyChartData): InsightsChartConfig {
  return {
    type: 'bar',
    data,
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: 'index', intersect: false },
      plugins: { legend: { position: 'bottom', labels: { color: TEXT } } },
      scales: {
        x: { ticks: { color: TEXT }, grid: { display: false } },
        y: {
          beginAtZero: true,
          position: 'left',
          title: { display: true, text: 'Texts sent', color: TEXT },
          ticks: { precision: 0, color: TEXT },
          grid: { color: GRID },
        },
        y1: {
          min: 0,
          max: 100,
          position: 'right',
          title: { display: true, text: 'Confirmation %', color: TEXT },
          ticks: { color: TEXT },
          grid: { drawOnChartArea: false },
        },
      },
    },
  } as InsightsChartConfig;
}
