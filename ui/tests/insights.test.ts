import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { emit } from '@tauri-apps/api/event';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import App from '../src/App.svelte';
import type { ChangeBatch } from '../src/lib/bindings';
import {
  addDays,
  dayIn,
  duration,
  funnelChartData,
  funnelSteps,
  isDay,
  percent,
  presetPeriod,
  rateWithCounts,
  weeklyChartData,
} from '../src/lib/insights';
import { fakeBackend, type Backend } from './fake';
import { insightsFixture, rate } from './fake-insights';

const text = (id: string) => screen.getByTestId(id).textContent?.replace(/\s+/g, ' ').trim();
/** A table row's cells, one space apart. */
const cells = (row: HTMLElement) =>
  [...row.querySelectorAll('th, td')].map((c) => c.textContent?.replace(/\s+/g, ' ').trim()).join(' ');
const rowsOf = (id: string) => within(screen.getByTestId(id)).getAllByRole('row').map(cells);
const row = (id: string) => cells(screen.getByTestId(id));

// jsdom has no canvas: make that explicit (and quiet) so the charts take their no-drawing path.
beforeEach(() => {
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function openInsights(b: Backend) {
  render(App);
  // Today asks for the last 7 days' signals first; let that settle so it can be told apart.
  await waitFor(() => expect(b.called.get_insights).toHaveLength(1));
  await fireEvent.click(await screen.findByTestId('nav-insights'));
  await screen.findByTestId('insights-metric-sent');
  return b;
}

const lastPeriod = (b: Backend) => b.called.get_insights.at(-1)?.args;
/** The Insights screen's own loads (Today's signals check comes first). */
const screenLoads = (b: Backend) => b.called.get_insights.slice(1);

describe('insights helpers', () => {
  test('percentages have one decimal and a dash when there is no base', () => {
    expect(percent(0.925)).toBe('92.5%');
    expect(percent(1 / 3)).toBe('33.3%');
    expect(percent(0)).toBe('0.0%');
    expect(percent(null)).toBe('—');
    expect(rateWithCounts(rate(6, 8))).toBe('75.0% (6 of 8)');
    expect(rateWithCounts(rate(0, 0))).toBe('— (0 of 0)');
  });

  test('waits read as seconds, minutes, hours and days', () => {
    expect(duration(null)).toBe('—');
    expect(duration(45)).toBe('45 s');
    expect(duration(1080)).toBe('18 min');
    expect(duration(7500)).toBe('2 h 5 min');
    expect(duration(7200)).toBe('2 h');
    expect(duration(97200)).toBe('1 d 3 h');
  });

  test('presets end on the business day and include it', () => {
    expect(presetPeriod('7', '2025-06-03')).toEqual({ from: '2025-05-28', to: '2025-06-03' });
    expect(presetPeriod('30', '2025-06-03')).toEqual({ from: '2025-05-05', to: '2025-06-03' });
    expect(presetPeriod('90', '2025-06-03')).toEqual({ from: '2025-03-06', to: '2025-06-03' });
    expect(presetPeriod('year', '2025-06-03')).toEqual({ from: '2025-01-01', to: '2025-06-03' });
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(isDay('2025-02-30')).toBe(false);
    expect(isDay('2025-06-03')).toBe(true);
    // 23:30 UTC on 3 June is already 4 June in Sydney.
    expect(dayIn('Australia/Sydney', new Date('2025-06-03T23:30:00Z'))).toBe('2025-06-04');
    expect(dayIn('Europe/London', new Date('2025-06-03T22:30:00Z'))).toBe('2025-06-03');
  });

  test('the funnel chart gets the four steps in order', () => {
    const funnel = { reminded: 120, replied: 84, confirmed: 72, attended: 69 };
    const data = funnelChartData(funnel);
    expect(data.labels).toEqual(['Reminded', 'Replied', 'Confirmed', 'Attended']);
    expect(data.datasets).toHaveLength(1);
    expect(data.datasets[0].data).toEqual([120, 84, 72, 69]);
    expect(funnelSteps(funnel).map((s) => percent(s.share))).toEqual(['100.0%', '70.0%', '60.0%', '57.5%']);
    expect(funnelSteps({ reminded: 0, replied: 0, confirmed: 0, attended: 0 })[0].share).toBeNull();
  });

  test('the weekly chart gets texts sent as bars and the confirmation rate as a line', () => {
    const data = weeklyChartData(insightsFixture().weekly);
    expect(data.labels).toHaveLength(3);
    const [bars, line] = data.datasets;
    expect(bars).toMatchObject({ type: 'bar', label: 'Texts sent', data: [90, 110, 0], yAxisID: 'y' });
    // A week with nothing to divide by is a gap in the line, not a zero.
    expect(line).toMatchObject({ type: 'line', label: 'Confirmation rate (%)', data: [75, 81.8, null], yAxisID: 'y1' });
  });
});

describe('insights screen', () => {
  test('sits before Settings in the navigation', async () => {
    fakeBackend();
    render(App);
    await screen.findByTestId('nav-insights');
    const ids = screen
      .getAllByRole('button')
      .map((el) => el.dataset.testid)
      .filter((id) => id?.startsWith('nav-'));
    expect(ids.indexOf('nav-insights')).toBe(ids.indexOf('nav-settings') - 1);
  });

  test('opens on the last 30 days and shows every figure with its base and definition', async () => {
    const b = await openInsights(fakeBackend());
    expect(screenLoads(b)).toHaveLength(1);
    expect(lastPeriod(b)).toEqual({ from: '2025-05-05', to: '2025-06-03' });
    expect(screen.getByTestId('insights-preset-30').getAttribute('aria-pressed')).toBe('true');
    expect((screen.getByTestId('insights-from') as HTMLInputElement).value).toBe('2025-05-05');
    expect((screen.getByTestId('insights-to') as HTMLInputElement).value).toBe('2025-06-03');

    expect(text('insights-metric-sent-value')).toBe('400');
    expect(text('insights-metric-sent-counts')).toBe('120 reminders among them');
    expect(text('insights-metric-delivered-value')).toBe('97.0%');
    expect(text('insights-metric-delivered-counts')).toBe('388 of 400 texts sent');
    expect(text('insights-metric-failures-value')).toBe('3.0%');
    expect(text('insights-metric-failures-counts')).toBe('12 of 400 texts sent');
    expect(text('insights-failure-reasons')).toContain('Unknown destination handset (30005) 7');
    expect(text('insights-failure-reasons')).toContain('Landline or unreachable carrier (30006) 5');
    expect(text('insights-metric-response-value')).toBe('70.0%');
    expect(text('insights-metric-response-counts')).toBe('84 of 120 reminders');
    expect(text('insights-metric-confirmation-value')).toBe('80.0%');
    expect(text('insights-metric-confirmation-counts')).toBe('72 of 90 YES/NO reminders');
    expect(text('insights-metric-reschedule-value')).toBe('5.0%');
    expect(text('insights-metric-reschedule-counts')).toBe('6 of 120 reminders');
    expect(text('insights-no-show-reminded')).toBe('Reminded 3.0% 3 of 100 missed');
    expect(text('insights-no-show-not-reminded')).toBe('Not reminded 20.0% 4 of 20 missed');
    expect(text('insights-metric-opt_outs-value')).toBe('0.8 per 100 texts');
    expect(text('insights-metric-opt_outs-counts')).toBe('3 of 400 texts sent');
    expect(text('insights-metric-first_response-value')).toBe('18 min median');
    expect(text('insights-metric-first_response-counts')).toBe('90th percentile: 2 h 5 min · 42 answered');
    expect(text('insights-metric-deflection-value')).toBe('60.0%');
    expect(text('insights-metric-deflection-counts')).toBe('30 of 50 conversations');
    expect(text('insights-metric-follow_ups-value')).toBe('4.4 average of 5');
    expect(text('insights-metric-follow_ups-counts')).toBe('25 of 40 answered · 2 poor answers · 22 ratings');

    // Every card says what its number means, from the backend's definitions.
    for (const key of [
      'sent',
      'delivered',
      'failures',
      'response',
      'confirmation',
      'reschedule',
      'no_show',
      'opt_outs',
      'first_response',
      'deflection',
      'follow_ups',
    ]) {
      expect(screen.getByTestId(`insights-metric-${key}-definition`).textContent?.length).toBeGreaterThan(10);
    }
    expect(text('insights-metric-confirmation-definition')).toBe(
      'Reminders that asked YES or NO whose appointment ended up confirmed (or completed).',
    );
    expect(text('insights-metric-no_show-definition')).toContain('with and without a reminder sent');
    expect(screen.queryByTestId('insights-error')).toBeNull();
    expect(screen.queryByTestId('insights-signal-opt_outs_high')).toBeNull();
  });

  test('a figure with nothing to divide by shows a dash, still with its base', async () => {
    const b = fakeBackend();
    b.insights.report = insightsFixture({
      response: rate(0, 0),
      no_show_not_reminded: rate(0, 0),
      opt_outs: rate(0, 0),
      opt_outs_per_100: null,
      first_response: { answered: 0, median_seconds: null, p90_seconds: null },
      follow_ups: { sent: 0, answered: rate(0, 0), poor: rate(0, 0), average_rating: null, ratings: 0 },
      top_failure_reasons: [],
    });
    await openInsights(b);
    expect(text('insights-metric-response-value')).toBe('—');
    expect(text('insights-metric-response-counts')).toBe('0 of 0 reminders');
    expect(text('insights-no-show-not-reminded')).toBe('Not reminded — 0 of 0 missed');
    expect(text('insights-metric-opt_outs-value')).toBe('—');
    expect(text('insights-metric-first_response-value')).toBe('—');
    expect(text('insights-metric-first_response-counts')).toBe('90th percentile: — · 0 answered');
    expect(text('insights-metric-follow_ups-value')).toBe('—');
    expect(text('insights-metric-follow_ups-counts')).toBe('0 of 0 answered · 0 poor answers · 0 ratings');
    expect(screen.queryByTestId('insights-failure-reasons')).toBeNull();
  });

  test('signals show as banners with what to check', async () => {
    const b = fakeBackend();
    b.insights.report = insightsFixture({
      signals: [
        {
          kind: 'opt_outs_rising',
          message: 'Opt-outs rose from 0.2 to 1.4 per 100 texts this week.',
          what_to_check: 'Check how often reminders go out and whether the wording still fits.',
        },
        {
          kind: 'carrier_filtering',
          message: '9 texts this week were blocked by the carrier as possible spam.',
          what_to_check: 'Check the wording for link shorteners or all-caps.',
        },
      ],
    });
    await openInsights(b);
    const banner = screen.getByTestId('insights-signal-opt_outs_rising');
    expect(banner.getAttribute('role')).toBe('alert');
    expect(banner.textContent).toContain('Opt-outs rose from 0.2 to 1.4 per 100 texts this week.');
    expect(banner.textContent).toContain(
      'What to check: Check how often reminders go out and whether the wording still fits.',
    );
    expect(text('insights-signal-carrier_filtering')).toContain('blocked by the carrier');
  });

  test('text from the data is shown as text, never as markup', async () => {
    const b = fakeBackend();
    b.insights.report = insightsFixture({
      signals: [{ kind: 'failures_rising', message: '<b>bold</b> claim', what_to_check: '<img src=x>' }],
      versions: [{ template: '<i>Reminder</i>', version: 1, sent: 3, response: rate(1, 3), confirmation: rate(1, 3) }],
    });
    await openInsights(b);
    const banner = screen.getByTestId('insights-signal-failures_rising');
    expect(banner.querySelector('b, img')).toBeNull();
    expect(banner.textContent).toContain('<b>bold</b> claim');
    expect(screen.getByTestId('insights-version-0').querySelector('i')).toBeNull();
    expect(row('insights-version-0')).toContain('<i>Reminder</i>');
  });

  test('choosing a period asks for the right business days', async () => {
    const b = await openInsights(fakeBackend());

    await fireEvent.click(screen.getByTestId('insights-preset-7'));
    await waitFor(() => expect(lastPeriod(b)).toEqual({ from: '2025-05-28', to: '2025-06-03' }));
    expect(screen.getByTestId('insights-preset-7').getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByTestId('insights-preset-30').getAttribute('aria-pressed')).toBe('false');

    await fireEvent.click(screen.getByTestId('insights-preset-90'));
    await waitFor(() => expect(lastPeriod(b)).toEqual({ from: '2025-03-06', to: '2025-06-03' }));

    await fireEvent.click(screen.getByTestId('insights-preset-year'));
    await waitFor(() => expect(lastPeriod(b)).toEqual({ from: '2025-01-01', to: '2025-06-03' }));
    await waitFor(() => expect(text('insights-period')).toContain('2025'));

    // Custom days: the presets let go, and the period is exactly what was typed.
    await fireEvent.change(screen.getByTestId('insights-from'), { target: { value: '2025-04-01' } });
    await waitFor(() => expect(lastPeriod(b)).toEqual({ from: '2025-04-01', to: '2025-06-03' }));
    await fireEvent.change(screen.getByTestId('insights-to'), { target: { value: '2025-04-30' } });
    await waitFor(() => expect(lastPeriod(b)).toEqual({ from: '2025-04-01', to: '2025-04-30' }));
    for (const id of ['7', '30', '90', 'year']) {
      expect(screen.getByTestId(`insights-preset-${id}`).getAttribute('aria-pressed')).toBe('false');
    }
  });

  test("today is the backend's business day", async () => {
    const b = fakeBackend();
    b.appts.today = '2025-12-31';
    await openInsights(b);
    expect(lastPeriod(b)).toEqual({ from: '2025-12-02', to: '2025-12-31' });
    await fireEvent.click(screen.getByTestId('insights-preset-year'));
    await waitFor(() => expect(lastPeriod(b)).toEqual({ from: '2025-01-01', to: '2025-12-31' }));
  });

  test('an end before the start is caught without asking', async () => {
    const b = await openInsights(fakeBackend());
    const before = b.called.get_insights.length;
    await fireEvent.change(screen.getByTestId('insights-to'), { target: { value: '2025-05-01' } });
    expect(await screen.findByTestId('insights-error')).toHaveProperty(
      'textContent',
      'The end of the period is before its start.',
    );
    expect(b.called.get_insights).toHaveLength(before);
    // Fixing it clears the error.
    await fireEvent.click(screen.getByTestId('insights-preset-30'));
    await waitFor(() => expect(screen.queryByTestId('insights-error')).toBeNull());
  });

  test('a failure to load is shown', async () => {
    const b = fakeBackend();
    b.insights.failWith = {
      code: 'database_busy',
      message: 'The data is busy; try again in a moment.',
      field: null,
      related_id: null,
    };
    render(App);
    await fireEvent.click(await screen.findByTestId('nav-insights'));
    expect((await screen.findByTestId('insights-error')).textContent).toBe('The data is busy; try again in a moment.');
    expect(screen.queryByTestId('insights-metric-sent')).toBeNull();
  });

  test('export saves a CSV for the period and says where', async () => {
    const b = await openInsights(fakeBackend());
    await fireEvent.click(screen.getByTestId('insights-preset-7'));
    await waitFor(() => expect(lastPeriod(b)).toEqual({ from: '2025-05-28', to: '2025-06-03' }));
    await fireEvent.click(screen.getByTestId('insights-export'));
    await screen.findByTestId('insights-export-result');
    expect(text('insights-export-result')).toBe('Saved to /home/desk/Downloads/insights-2025-05-28-to-2025-06-03.csv');
    expect(b.insights.exported).toEqual([{ from: '2025-05-28', to: '2025-06-03' }]);
  });

  test('a failed export says why', async () => {
    const b = fakeBackend();
    b.insights.exportFailWith = {
      code: 'data_folder',
      message: 'There is no Downloads or home folder to save the export in.',
      field: null,
      related_id: null,
    };
    await openInsights(b);
    await fireEvent.click(screen.getByTestId('insights-export'));
    expect((await screen.findByTestId('insights-export-error')).textContent).toBe(
      'There is no Downloads or home folder to save the export in.',
    );
    expect(screen.queryByTestId('insights-export-result')).toBeNull();
  });

  test('the charts are there, and their tables carry the same numbers', async () => {
    await openInsights(fakeBackend());
    expect(screen.getByTestId('insights-funnel').querySelector('canvas')).not.toBeNull();
    expect(screen.getByTestId('insights-weekly').querySelector('canvas')).not.toBeNull();

    expect(rowsOf('insights-funnel-table')).toEqual([
      'Step Count Of those reminded',
      'Reminded 120 100.0%',
      'Replied 84 70.0%',
      'Confirmed 72 60.0%',
      'Attended 69 57.5%',
    ]);
    const weeks = rowsOf('insights-weekly-table');
    expect(weeks[0]).toBe('Week of Texts sent Confirmation rate');
    expect(row('insights-week-2025-05-05')).toMatch(/ 90 75\.0% \(15 of 20\)$/);
    expect(row('insights-week-2025-05-12')).toMatch(/ 110 81\.8% \(18 of 22\)$/);
    expect(row('insights-week-2025-05-19')).toMatch(/ 0 — \(0 of 0\)$/);
  });

  test('template versions show each rate with its counts, and warn about small numbers', async () => {
    await openInsights(fakeBackend());
    expect(row('insights-version-0')).toBe('Reminder asking YES/NO v2 60 75.0% (45 of 60) 66.7% (40 of 60)');
    expect(row('insights-version-1')).toBe('Reminder asking YES/NO v3 8 62.5% (5 of 8) 75.0% (6 of 8)');
    expect(text('insights-versions')).toContain('Small counts: differences under ~20 texts are noise.');
  });

  test('each reminder rule shows its rates with their counts', async () => {
    await openInsights(fakeBackend());
    expect(row('insights-rule-0')).toBe('Day before 90 73.3% (66 of 90) 82.9% (58 of 70) 5.6% (5 of 90)');
    expect(row('insights-rule-1')).toBe('Two hours before 30 60.0% (18 of 30) 70.0% (14 of 20) 3.3% (1 of 30)');
  });

  test('a period without reminders says so for rules and versions', async () => {
    const b = fakeBackend();
    b.insights.report = insightsFixture({ rules: [], versions: [] });
    await openInsights(b);
    expect(text('insights-rules-empty')).toBe('No reminders went out in this period.');
    expect(text('insights-versions-empty')).toBe('No reminders went out in this period.');
  });

  test('reloads when texts, appointments, consent or settings change', async () => {
    const b = await openInsights(fakeBackend());
    expect(screenLoads(b)).toHaveLength(1);

    b.insights.report = insightsFixture({ sent: 401 });
    await emit('tidings://changes', { source: 'cli', changes: [{ kind: 'messages' }] } as ChangeBatch);
    await waitFor(() => expect(text('insights-metric-sent-value')).toBe('401'));

    b.insights.report = insightsFixture({ sent: 402 });
    await emit('tidings://changes', { source: 'ui', changes: [{ kind: 'appointment', id: 1 }] } as ChangeBatch);
    await waitFor(() => expect(text('insights-metric-sent-value')).toBe('402'));

    b.insights.report = insightsFixture({ sent: 403 });
    await emit('tidings://changes', { source: 'ui', changes: [{ kind: 'consent', client_id: 1 }] } as ChangeBatch);
    await waitFor(() => expect(text('insights-metric-sent-value')).toBe('403'));

    // Settings may move the business's day: today is asked for again.
    const todays = b.called.get_today.length;
    b.appts.today = '2025-06-04';
    await emit('tidings://changes', { source: 'ui', changes: [{ kind: 'settings' }] } as ChangeBatch);
    await waitFor(() => expect(lastPeriod(b)).toEqual({ from: '2025-05-06', to: '2025-06-04' }));
    expect(b.called.get_today.length).toBeGreaterThan(todays);

    const before = b.called.get_insights.length;
    await emit('tidings://changes', { source: 'ui', changes: [{ kind: 'backups' }] } as ChangeBatch);
    await new Promise((r) => setTimeout(r, 20));
    expect(b.called.get_insights).toHaveLength(before);
  });
});
