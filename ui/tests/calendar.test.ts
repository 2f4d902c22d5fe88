import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';
import App from '../src/App.svelte';
import { wallOf, wallToUtc } from '../src/lib/time';
import { fakeBackend } from './fake';

const LONDON = 'Europe/London';

/** Today in London at hh:mm, as a UTC instant. */
function todayAt(hhmm: string): string {
  return wallToUtc(`${wallOf(new Date(), LONDON).slice(0, 10)}T${hhmm}:00`, LONDON) as string;
}

describe('calendar screen', () => {
  test('loads the week, shows events with labels and opens the panel on click', async () => {
    const b = fakeBackend();
    const ann = b.store.seed('Ann Carter', '07400 123456');
    const cut = b.appts.service('Cut', 45);
    const a = b.appts.seed({ client_id: ann.id, starts_at: todayAt('10:00'), ends_at: todayAt('10:45'), service_id: cut.id }, { status: 'confirmed', overlaps: true });
    render(App);
    await fireEvent.click(await screen.findByTestId('nav-calendar'));
    await screen.findByTestId('calendar-screen');
    await waitFor(() => expect(b.callsTo('list_appointments').length).toBeGreaterThan(0));
    console.log(JSON.stringify(b.callsTo('list_appointments')[0].args));
    const ev = await screen.findByTestId(`cal-event-${a.id}`);
    console.log(ev.outerHTML);
  });
});
