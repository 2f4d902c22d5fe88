// What the chart component hands to Chart.js, with Chart.js itself replaced: pixels aren't tested.
import { render, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { funnelConfig, weeklyConfig } from '../src/lib/chart';
import { funnelChartData, weeklyChartData } from '../src/lib/insights';
import InsightsChart from '../src/lib/InsightsChart.svelte';
import { insightsFixture } from './fake-insights';

const made = vi.hoisted(() => ({ charts: [] as { config: unknown; updates: number; destroyed: boolean }[] }));

vi.mock('../src/lib/chart-runtime', () => {
  class FakeChart {
    record: { config: unknown; updates: number; destroyed: boolean };
    data: unknown;
    options: unknown;
    constructor(_ctx: unknown, config: { data: unknown; options: unknown }) {
      this.record = { config, updates: 0, destroyed: false };
      this.data = config.data;
      this.options = config.options;
      made.charts.push(this.record);
    }
    update() {
      this.record.updates += 1;
      this.record.config = { ...(this.record.config as object), data: this.data };
    }
    destroy() {
      this.record.destroyed = true;
    }
  }
  return { Chart: FakeChart };
});

afterEach(() => {
  made.charts.length = 0;
  vi.restoreAllMocks();
});

describe('insights chart', () => {
  test('draws nothing, and breaks nothing, without a 2D canvas', () => {
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
    const { getByTestId } = render(InsightsChart, {
      config: funnelConfig(funnelChartData(insightsFixture().funnel)),
      label: 'Reminder journey',
      testid: 'insights-funnel',
    });
    expect(getByTestId('insights-funnel').getAttribute('aria-label')).toBe('Reminder journey');
    expect(made.charts).toHaveLength(0);
  });

  test('hands Chart.js plain copies of the funnel and weekly data, and cleans up', async () => {
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue({} as CanvasRenderingContext2D);
    const report = insightsFixture();
    const funnel = render(InsightsChart, {
      config: funnelConfig(funnelChartData(report.funnel)),
      label: 'Reminder journey',
      testid: 'insights-funnel',
    });
    render(InsightsChart, {
      config: weeklyConfig(weeklyChartData(report.weekly)),
      label: 'Weekly',
      testid: 'insights-weekly',
    });
    await waitFor(() => expect(made.charts).toHaveLength(2));
    const [f, w] = made.charts.map((c) => c.config as ReturnType<typeof weeklyConfig>);
    expect(f.type).toBe('bar');
    expect(f.options?.indexAxis).toBe('y');
    expect(f.data.labels).toEqual(['Reminded', 'Replied', 'Confirmed', 'Attended']);
    expect(f.data.datasets[0].data).toEqual([120, 84, 72, 69]);
    expect(w.data.datasets.map((d) => [d.type, d.data])).toEqual([
      ['bar', [90, 110, 0]],
      ['line', [75, 81.8, null]],
    ]);

    // A new period's numbers redraw the same chart.
    await funnel.rerender({
      config: funnelConfig(funnelChartData({ reminded: 10, replied: 5, confirmed: 4, attended: 3 })),
    });
    await waitFor(() => expect(made.charts[0].updates).toBe(1));
    expect((made.charts[0].config as typeof f).data.datasets[0].data).toEqual([10, 5, 4, 3]);
    expect(made.charts).toHaveLength(2);

    funnel.unmount();
    expect(made.charts[0].destroyed).toBe(true);
  });
});
