import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { emit } from '@tauri-apps/api/event';
import { describe, expect, test } from 'vitest';
import App from '../src/App.svelte';
import type { ChangeBatch } from '../src/lib/bindings';
import FeedSettings from '../src/lib/FeedSettings.svelte';
import { pinNow } from './clock';
import { fakeBackend } from './fake';

const text = (id: string) => screen.getByTestId(id).textContent?.replace(/\s+/g, ' ').trim() ?? '';
const type = (id: string, value: string) => fireEvent.input(screen.getByTestId(id), { target: { value } });

describe('calendar feeds', () => {
  test('an address is added after its first read, which says what it brought', async () => {
    const b = fakeBackend();
    b.feeds.reads.push({ changes: { created: 12, skipped: 1 } });
    render(FeedSettings);
    await fireEvent.click(await screen.findByTestId('feed-add'));
    expect(text('feed-add-error')).toContain("Paste the calendar's ICS address");
    expect(b.called.add_feed).toHaveLength(0);

    await type('feed-address', '  https://calendar.google.com/calendar/ical/x/private-y/basic.ics ');
    await type('feed-name', 'Front desk');
    await fireEvent.click(screen.getByTestId('feed-add'));
    await waitFor(() => expect(text('feed-note')).toBe('Added. Front desk: 12 new, 1 event not imported.'));
    expect(b.called.add_feed[0].args).toEqual({
      input: { address: 'https://calendar.google.com/calendar/ical/x/private-y/basic.ics', name: 'Front desk' },
    });
    expect((screen.getByTestId('feed-address') as HTMLInputElement).value).toBe('');
    await waitFor(() => expect(screen.getByTestId('feed-1')).toBeTruthy());
    expect(text('feed-1')).toContain('calendar.google.com/…/basic.ics');
    expect(text('feed-status')).toMatch(/^Read .+: 12 new, 1 event not imported$/);
  });

  test('a refused address keeps what was typed and says why beside it', async () => {
    const b = fakeBackend();
    b.feeds.refuseAdd = 'Google Calendar answered “not found” (404 Not Found): copy its address again.';
    render(FeedSettings);
    await type('feed-address', 'https://calendar.google.com/old.ics');
    await fireEvent.click(await screen.findByTestId('feed-add'));
    await waitFor(() => expect(text('feed-add-error')).toContain('not found'));
    expect((screen.getByTestId('feed-address') as HTMLInputElement).value).toBe('https://calendar.google.com/old.ics');
    expect(screen.getByTestId('feed-address').getAttribute('aria-invalid')).toBe('true');
    expect(screen.queryByTestId('feed-list')).toBeNull();
  });

  test('read now shows a failed read and the last one that worked; remove keeps the bookings', async () => {
    const b = fakeBackend();
    render(FeedSettings);
    await type('feed-address', '/home/desk/Bookings');
    await fireEvent.click(await screen.findByTestId('feed-add'));
    await waitFor(() => expect(screen.getByTestId('feed-1')).toBeTruthy());
    expect(text('feed-1')).toContain('Bookings');

    b.feeds.now = '2025-06-02T10:15:00Z';
    b.feeds.reads.push({ problem: 'There is no CSV or ICS file in /home/desk/Bookings yet.' });
    await fireEvent.click(screen.getByTestId('feed-read-now'));
    await waitFor(() => expect(text('feed-status')).toContain('Not read at'));
    expect(text('feed-status')).toContain(
      'There is no CSV or ICS file in /home/desk/Bookings yet. Last read that worked:',
    );
    expect(text('feed-note')).toBe('Bookings: There is no CSV or ICS file in /home/desk/Bookings yet.');

    await fireEvent.click(screen.getByTestId('feed-remove'));
    await waitFor(() => expect(screen.queryByTestId('feed-list')).toBeNull());
    expect(text('feed-note')).toBe('Removed Bookings. Its bookings stay; they are no longer kept up to date.');
    expect(b.called.remove_feed[0].args).toEqual({ id: 1 });
  });

  test("Today shows each feed's last read, and a failed one under Needs attention", async () => {
    const b = fakeBackend();
    b.feeds.feeds.push({
      id: 3,
      kind: 'ics_url',
      name: 'Google Calendar',
      shown: 'calendar.google.com/…/basic.ics',
      created_at: '2025-06-01T09:00:00Z',
      last_read_at: '2025-06-02T09:45:00Z',
      last_ok_at: '2025-06-02T09:45:00Z',
      last_result: { created: 2, updated: 1, unchanged: 30, cancelled: 0, removed: 1, skipped: 0, no_client: 0 },
      problem: null,
      next_read_at: '2025-06-02T10:00:00Z',
    });
    render(App);
    await waitFor(() => expect(screen.getByTestId('today-feed-3')).toBeTruthy());
    expect(text('today-feed-3')).toMatch(/^Google Calendar — Read .+: 2 new, 1 moved or changed, 1 removed$/);
    expect(screen.queryByTestId('today-feed-problem-3')).toBeNull();

    b.feeds.feeds[0].problem =
      'Google Calendar did not answer within 20 seconds; Tidings will try again at the next read.';
    await emit('tidings://changes', { source: 'background', changes: [{ kind: 'feeds' }] } satisfies ChangeBatch);
    await waitFor(() => expect(screen.getByTestId('today-feed-problem-3')).toBeTruthy());
    expect(text('today-feed-problem-3')).toBe(
      'Google Calendar could not be read. Google Calendar did not answer within 20 seconds; Tidings will try again at the next read.',
    );
    expect(screen.queryByText('Nothing needs your attention.')).toBeNull();
  });
});

describe('a provider that stopped answering', () => {
  pinNow('2025-06-02T10:00:00Z');

  test('Today says since when the gateway phone is silent, after 5 minutes of it', async () => {
    const b = fakeBackend();
    b.settings = {
      ...b.settings,
      provider: 'smsgate',
      smsgate: { base_url: 'http://192.168.1.20:8080', username: 'sms', seconds_between_texts: 4 },
    };
    b.provider.silentSince = '2025-06-02T09:58:00Z';
    render(App);
    await screen.findByTestId('today-attention');
    await waitFor(() => expect(b.called.get_provider_health.length).toBeGreaterThan(0));
    expect(screen.queryByTestId('today-provider-silent')).toBeNull();

    b.provider.silentSince = '2025-06-02T09:48:00Z';
    await emit('tidings://changes', { source: 'background', changes: [{ kind: 'settings' }] } satisfies ChangeBatch);
    await waitFor(() => expect(screen.getByTestId('today-provider-silent')).toBeTruthy());
    expect(text('today-provider-silent')).toMatch(
      /^The gateway phone has not answered since .+\. Check it is on its charger and the salon's Wi-Fi, and that the SMSGate app is open; texts wait until it answers\.$/,
    );
    expect(screen.queryByText('Nothing needs your attention.')).toBeNull();
  });
});
