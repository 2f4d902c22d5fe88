import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { emit } from '@tauri-apps/api/event';
import { describe, expect, test } from 'vitest';
import App from '../src/App.svelte';
import type { ChangeBatch } from '../src/lib/bindings';
import { fakeBackend, settingsFixture } from './fake';

describe('today', () => {
  test("lists today's appointments in order with time, client, service, staff and status", async () => {
    const b = fakeBackend();
    const ann = b.store.seed('Ann Carter', '07400 123456');
    const ben = b.store.seed('Ben Doyle', '07400 222333');
    const cut = b.appts.service('Cut', 45);
    const jo = b.appts.person('Jo');
    const late = b.appts.seed(
      {
        client_id: ann.id,
        starts_at: '2025-06-03T15:00:00Z',
        ends_at: '2025-06-03T15:45:00Z',
        service_id: cut.id,
        staff_id: jo.id,
      },
      { status: 'confirmed' },
    );
    const early = b.appts.seed(
      { client_id: ben.id, starts_at: '2025-06-03T08:30:00Z', ends_at: '2025-06-03T09:00:00Z' },
      { status: 'reschedule_requested' },
    );
    const gone = b.appts.seed(
      { client_id: ben.id, starts_at: '2025-06-03T12:00:00Z', ends_at: '2025-06-03T12:30:00Z' },
      { status: 'cancelled' },
    );
    b.appts.seed({ client_id: ann.id, starts_at: '2025-06-04T09:00:00Z', ends_at: '2025-06-04T09:30:00Z' });
    render(App);

    const list = await screen.findByTestId('today-list');
    const rows = within(list).getAllByRole('listitem');
    expect(rows.map((r) => r.dataset.testid)).toEqual([
      `today-appt-${early.id}`,
      `today-appt-${gone.id}`,
      `today-appt-${late.id}`,
    ]);
    const text = (id: number) => screen.getByTestId(`today-appt-${id}`).textContent?.replace(/\s+/g, ' ').trim();
    expect(text(early.id)).toBe('09:30–10:00 Ben Doyle Reschedule? Send update');
    expect(text(late.id)).toBe('16:00–16:45 Ann Carter Cut with Jo ✓ Confirmed Send update');
    expect(screen.getByTestId(`today-send-update-${late.id}`).getAttribute('aria-label')).toBe(
      'Send an update to Ann Carter',
    );
    expect(screen.queryByTestId(`today-send-update-${gone.id}`)).toBeNull();
    expect(screen.getByTestId(`today-status-${gone.id}`).textContent).toBe('Cancelled');
    expect(screen.getByTestId('today-heading').textContent).toBe('Today at Harbour Hair');
    expect(screen.getByTestId('today-attention').textContent).toContain('Nothing needs your attention.');
  });

  test("a reminder that won't go is flagged on its row, with the reason", async () => {
    const b = fakeBackend();
    const ann = b.store.seed('Ann Carter', '07400 123456');
    const a = b.appts.seed(
      { client_id: ann.id, starts_at: '2025-06-03T15:00:00Z', ends_at: '2025-06-03T15:30:00Z' },
      { reminder_warning: 'no consent for appointment texts' },
    );
    render(App);
    const flag = await screen.findByTestId(`today-reminder-warning-${a.id}`);
    expect(flag.textContent).toBe('⚠ no reminder: no consent for appointment texts');
  });

  test('says so when there are none, and reloads when appointments change', async () => {
    const b = fakeBackend();
    render(App);
    expect((await screen.findByTestId('today-empty')).textContent).toBe('No appointments today.');

    const ann = b.store.seed('Ann Carter', '07400 123456');
    const a = b.appts.seed({ client_id: ann.id, starts_at: '2025-06-03T09:00:00Z', ends_at: '2025-06-03T09:30:00Z' });
    await emit('tidings://changes', {
      source: 'cli',
      changes: [{ kind: 'appointment', id: a.id }],
    } satisfies ChangeBatch);
    await waitFor(() => expect(screen.getByTestId(`today-appt-${a.id}`).textContent).toContain('Booked'));
    expect(screen.queryByTestId('today-empty')).toBeNull();
  });

  test('asks for the business phone while it is empty, since the texts that give it are held back', async () => {
    fakeBackend({ settings: settingsFixture({ business_phone: '  ' }) });
    render(App);
    const card = await screen.findByTestId('today-no-business-phone');
    expect(card.textContent).toContain('Add your business phone in Settings');
    expect(screen.getByTestId('today-attention').textContent).not.toContain('Nothing needs your attention.');
  });

  test("lists customers waiting for a reply with the Inbox's own counts, and opens the Inbox", async () => {
    const b = fakeBackend();
    b.inbox.seed({ phone: '+447700900123', needs_reply: true, texts: [{ body: 'Running 10 min late, sorry!' }] });
    b.inbox.seed({
      phone: '+447700900124',
      needs_reply: true,
      reschedule_requested: true,
      texts: [{ body: 'Can we move it?' }],
    });
    b.inbox.seed({ phone: '+447700900125', texts: [{ body: 'Thanks!' }] });
    render(App);
    const card = await screen.findByTestId('today-waiting-replies');
    expect(card.textContent).toContain('2 conversations wait for a reply; 1 asks to reschedule.');
    expect(screen.getByTestId('nav-inbox-badge').textContent).toBe('2');
    expect(screen.getByTestId('today-attention').textContent).not.toContain('Nothing needs your attention.');
    await fireEvent.click(screen.getByTestId('today-open-inbox'));
    expect(await screen.findByTestId('inbox-screen')).toBeTruthy();
  });
});
