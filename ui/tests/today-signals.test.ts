import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { emit } from '@tauri-apps/api/event';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import App from '../src/App.svelte';
import type { ChangeBatch, Signal } from '../src/lib/bindings';
import { fakeBackend } from './fake';

const OPT_OUTS: Signal = {
  kind: 'opt_outs_rising',
  message: 'Opt-outs are up: 4 per 100 texts this week against 1 the week before.',
  what_to_check: 'Look at the reminder wording and how often customers are texted.',
};

// jsdom has no canvas: the Insights charts take their no-drawing path.
beforeEach(() => {
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('today: Insights signals', () => {
  test('shows each signal with its message and what to check, for the last 7 days, and opens Insights', async () => {
    const b = fakeBackend();
    b.insights.report = { ...b.insights.report, signals: [OPT_OUTS] };
    render(App);

    const banner = await screen.findByTestId('today-signal-opt_outs_rising');
    expect(banner.textContent).toContain(OPT_OUTS.message);
    expect(banner.textContent).toContain(OPT_OUTS.what_to_check);
    expect(screen.getByTestId('today-attention').textContent).not.toContain('Nothing needs your attention.');
    expect(b.called.get_insights.at(-1)?.args).toEqual({ from: '2025-05-28', to: '2025-06-03' });

    await fireEvent.click(screen.getByTestId('today-signal-open'));
    await screen.findByTestId('insights-screen');
  });

  test('shows nothing when there are no signals, and picks them up when messages change', async () => {
    const b = fakeBackend();
    render(App);
    await screen.findByTestId('today-empty');
    await waitFor(() => expect(b.called.get_insights.length).toBeGreaterThan(0));
    expect(screen.queryByTestId('today-signal-open')).toBeNull();
    expect(screen.getByTestId('today-attention').textContent).toContain('Nothing needs your attention.');

    b.insights.report = { ...b.insights.report, signals: [OPT_OUTS] };
    await emit('tidings://changes', { source: 'cli', changes: [{ kind: 'messages' }] } satisfies ChangeBatch);
    await screen.findByTestId('today-signal-opt_outs_rising');
  });

  test('a failing Insights call shows nothing and leaves Today working', async () => {
    const b = fakeBackend();
    b.insights.report = { ...b.insights.report, signals: [OPT_OUTS] };
    b.insights.failWith = {
      code: 'database_busy',
      message: 'The data is busy; try again in a moment.',
      field: null,
      related_id: null,
    };
    render(App);
    expect((await screen.findByTestId('today-empty')).textContent).toBe('No appointments today.');
    await waitFor(() => expect(b.called.get_insights.length).toBeGreaterThan(0));
    expect(screen.queryByTestId('today-signal-opt_outs_rising')).toBeNull();
    expect(screen.queryByTestId('today-signal-open')).toBeNull();
    expect(screen.queryByTestId('today-error')).toBeNull();
    expect(screen.getByTestId('today-attention').textContent).toContain('Nothing needs your attention.');
  });
});
