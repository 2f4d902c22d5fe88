import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, test, vi } from 'vitest';
import App from '../src/App.svelte';
import {
  clickToDraft,
  fetchRange,
  moveToUpdate,
  newBookingDraft,
  saveMove,
  selectionToDraft,
  toCalendarEvent,
  withTimes,
  type MovedEvent,
} from '../src/lib/appointments';
import type { Appointment } from '../src/lib/bindings';
import { wallOf, wallToUtc } from '../src/lib/time';
import { pinNow } from './clock';
import { fakeBackend, rejectWith, type Backend } from './fake';

const LONDON = 'Europe/London';

/** Today in London (the pinned day, for the calendar screen's tests) at hh:mm, as a UTC instant. */
function todayAt(hhmm: string): string {
  return wallToUtc(`${wallOf(new Date(), LONDON).slice(0, 10)}T${hhmm}:00`, LONDON) as string;
}

function appointment(overrides: Partial<Appointment> = {}): Appointment {
  return {
    id: 7,
    client_id: 3,
    client_name: 'Ann Carter',
    client_phone: '+447400123456',
    starts_at: '2025-06-03T09:00:00Z',
    ends_at: '2025-06-03T09:45:00Z',
    timezone: LONDON,
    service_id: 2,
    service: 'Cut',
    staff_id: 5,
    staff: 'Jo',
    location: 'Room 2',
    notes: 'Fringe only',
    status: 'booked',
    source: 'desk',
    external_id: null,
    created_at: '2025-06-01T09:00:00Z',
    updated_at: '2025-06-01T09:00:00Z',
    overlaps: false,
    ...overrides,
  };
}

/** What the library hands to eventDrop: Dates whose local fields are the wall time it shows. */
function dropped(
  a: Appointment,
  start: Date,
  end: Date,
  revert = vi.fn(),
): MovedEvent & { revert: ReturnType<typeof vi.fn> } {
  return { event: { start, end, extendedProps: { appointment: a } }, revert };
}

describe('times in the business zone', () => {
  test('wall time to UTC and back, on both sides of a clock change', () => {
    expect(wallToUtc('2025-06-03T10:00', LONDON)).toBe('2025-06-03T09:00:00Z');
    expect(wallToUtc('2025-01-14T10:00:00', LONDON)).toBe('2025-01-14T10:00:00Z');
    expect(wallToUtc('2025-03-30T12:00:00', 'America/New_York')).toBe('2025-03-30T16:00:00Z');
    expect(wallOf('2025-06-03T09:00:00Z', LONDON)).toBe('2025-06-03T10:00:00');
    expect(wallOf('2025-10-26T01:30:00Z', LONDON)).toBe('2025-10-26T01:30:00');
    expect(wallToUtc('not a time', LONDON)).toBeNull();
  });
});

describe('calendar handlers', () => {
  test('an appointment becomes an event at its wall time, with its status as a class', () => {
    const ev = toCalendarEvent(appointment({ status: 'cancelled', overlaps: true }), LONDON);
    expect(ev).toMatchObject({
      id: '7',
      start: '2025-06-03T10:00:00',
      end: '2025-06-03T10:45:00',
      title: 'Ann Carter · Cut',
      classNames: ['appt', 'appt-cancelled', 'appt-overlaps'],
      editable: false,
    });
    expect(toCalendarEvent(appointment({ service: null }), LONDON).title).toBe('Ann Carter');
  });

  test('a drop becomes update_appointment arguments that keep every other field', () => {
    const a = appointment();
    const args = moveToUpdate(dropped(a, new Date(2025, 5, 4, 11, 15), new Date(2025, 5, 4, 12, 0)), LONDON);
    expect(args).toEqual({
      id: 7,
      input: {
        client_id: 3,
        starts_at: '2025-06-04T10:15:00Z',
        ends_at: '2025-06-04T11:00:00Z',
        service_id: 2,
        staff_id: 5,
        location: 'Room 2',
        notes: 'Fringe only',
      },
    });
    expect(withTimes(appointment({ service_id: null, staff_id: null }), 'a', 'b')).toEqual({
      client_id: 3,
      starts_at: 'a',
      ends_at: 'b',
      location: 'Room 2',
      notes: 'Fringe only',
    });
  });

  test('a refused move is reverted and its message returned; a saved one is not reverted', async () => {
    const a = appointment();
    const info = dropped(a, new Date(2025, 5, 3, 10, 0), new Date(2025, 5, 3, 9, 0));
    const refuse = vi.fn(async () => {
      throw new Error('The appointment ends before it starts.');
    });
    expect(await saveMove(info, LONDON, refuse)).toEqual({
      ok: false,
      message: 'The appointment ends before it starts.',
    });
    expect(info.revert).toHaveBeenCalledOnce();

    const ok = dropped(a, new Date(2025, 5, 3, 11, 0), new Date(2025, 5, 3, 11, 45));
    const saved = appointment({ starts_at: '2025-06-03T10:00:00Z', ends_at: '2025-06-03T10:45:00Z' });
    const update = vi.fn(async () => saved);
    expect(await saveMove(ok, LONDON, update)).toEqual({ ok: true, appointment: saved });
    expect(update).toHaveBeenCalledWith(7, expect.objectContaining({ starts_at: '2025-06-03T10:00:00Z' }));
    expect(ok.revert).not.toHaveBeenCalled();
  });

  test('a selection becomes a draft; a whole-day pick starts at 09:00', () => {
    expect(
      selectionToDraft({ start: new Date(2025, 5, 3, 14, 15), end: new Date(2025, 5, 3, 15, 0), allDay: false }),
    ).toEqual({
      start: '2025-06-03T14:15:00',
      end: '2025-06-03T15:00:00',
    });
    expect(selectionToDraft({ start: new Date(2025, 5, 3), end: new Date(2025, 5, 4), allDay: true })).toEqual({
      start: '2025-06-03T09:00:00',
      end: '2025-06-03T09:30:00',
    });
    expect(fetchRange({ startStr: '2025-06-02T00:00:00', endStr: '2025-06-09T00:00:00' }, LONDON)).toEqual({
      from: '2025-06-01T23:00:00Z',
      to: '2025-06-08T23:00:00Z',
    });
  });
});

async function openCalendar(b: Backend) {
  render(App);
  await fireEvent.click(await screen.findByTestId('nav-calendar'));
  await screen.findByTestId('calendar-screen');
  await waitFor(() => expect(b.called.list_appointments.length).toBeGreaterThan(0));
}

function seeded() {
  const b = fakeBackend();
  const ann = b.store.seed('Ann Carter', '07400 123456');
  const cut = b.appts.service('Cut', 45);
  const jo = b.appts.person('Jo');
  const a = b.appts.seed(
    { client_id: ann.id, starts_at: todayAt('10:00'), ends_at: todayAt('10:45'), service_id: cut.id, staff_id: jo.id },
    { overlaps: true },
  );
  return { b, a, jo };
}

describe('where a new booking starts', () => {
  test('the next half hour today, 09:00 outside the day, or the first day shown', () => {
    const week = ['2025-06-02T00:00:00', '2025-06-09T00:00:00'] as const;
    expect(newBookingDraft('2025-06-03T10:10:00', ...week)).toEqual({
      start: '2025-06-03T10:30:00',
      end: '2025-06-03T11:00:00',
    });
    expect(newBookingDraft('2025-06-03T10:30:00', ...week).start).toBe('2025-06-03T11:00:00');
    expect(newBookingDraft('2025-06-03T06:15:00', ...week).start).toBe('2025-06-03T09:00:00');
    expect(newBookingDraft('2025-06-03T20:40:00', ...week).start).toBe('2025-06-04T09:00:00');
    expect(newBookingDraft('2025-05-28T10:10:00', ...week).start).toBe('2025-06-02T09:00:00');
  });

  test('one click books half an hour from the time clicked', () => {
    expect(clickToDraft({ date: new Date(2025, 5, 3, 14, 0), allDay: false })).toEqual({
      start: '2025-06-03T14:00:00',
      end: '2025-06-03T14:30:00',
    });
  });
});

describe('calendar screen', () => {
  // Tuesday 3 June 2025, 10:30 in London: inside the visible hours, so the now indicator is
  // drawn, and the fake backend's "today".
  pinNow('2025-06-03T09:30:00Z');

  test('opens on the pinned week with the now indicator drawn in today', async () => {
    const { b } = seeded();
    await openCalendar(b);
    expect(b.called.list_appointments[0].args).toMatchObject({
      from: '2025-06-01T23:00:00Z',
      to: '2025-06-08T23:00:00Z',
    });
    await waitFor(() => expect(document.querySelector('.ec-now-indicator')).not.toBeNull());
  });

  test('loads the week, labels events and opens the panel on click', async () => {
    const { b, a } = seeded();
    await openCalendar(b);
    const ev = await screen.findByTestId(`cal-event-${a.id}`);
    expect(ev.textContent).toContain('Ann Carter · Cut');
    expect(ev.textContent).toContain('⚠ overlaps');
    expect(ev.classList.contains('appt-booked')).toBe(true);

    await fireEvent.click(ev);
    const panel = await screen.findByTestId('appointment-panel');
    expect(within(panel).getByTestId('appt-status').textContent).toBe('Booked');
    expect(within(panel).getByTestId('appt-staff-name').textContent).toBe('Jo');
    expect(within(panel).getByTestId('appt-overlap-warning').textContent).toContain(
      'overlaps another appointment with Jo',
    );
    expect(panel.textContent).toContain('No texts yet.');

    await fireEvent.click(within(panel).getByTestId('appt-client-link'));
    expect((await screen.findByTestId('client-detail-name')).textContent).toContain('Ann Carter');
    expect(screen.getByTestId('nav-clients').getAttribute('aria-current')).toBe('page');
  });

  test("a reminder that won't go says why, and consent recorded from the panel lets it go", async () => {
    const { b, a } = seeded();
    const m = b.reminders.message({
      appointment_id: a.id,
      client_id: a.client_id,
      outlook: { kind: 'wont_go', reason: 'no_consent', text: 'no consent for appointment texts' },
    });
    await openCalendar(b);
    await fireEvent.click(await screen.findByTestId(`cal-event-${a.id}`));
    const panel = await screen.findByTestId('appointment-panel');
    await waitFor(() =>
      expect(within(panel).getByTestId(`appt-message-status-${m.id}`).textContent).toBe("Won't be sent"),
    );
    expect(within(panel).getByTestId(`appt-message-note-${m.id}`).textContent).toBe('no consent for appointment texts');
    expect(within(panel).getByTestId('appt-needs-consent').textContent).toContain('no consent on record');

    await fireEvent.click(within(panel).getByTestId('appt-record-consent'));
    const dialog = await screen.findByTestId('consent-dialog');
    expect(dialog.textContent).toContain('Record consent');
    await fireEvent.input(within(dialog).getByTestId('consent-recorded-by'), { target: { value: 'Sam' } });
    // What the backend does on recording it: the gate now lets the reminder go.
    m.outlook = { kind: 'goes' };
    await fireEvent.click(within(dialog).getByTestId('consent-confirm'));
    await waitFor(() => expect(b.called.record_consent).toHaveLength(1));
    expect(b.called.record_consent[0].args).toMatchObject({
      input: { client_id: a.client_id, purpose: 'service', action: 'granted', recorded_by: 'Sam' },
    });
    await waitFor(() => expect(within(panel).getByTestId(`appt-message-status-${m.id}`).textContent).toBe('Planned'));
    expect(within(panel).queryByTestId('appt-needs-consent')).toBeNull();
    expect(screen.queryByTestId('consent-dialog')).toBeNull();
  });

  test('a reminder moved by quiet hours says when it goes instead', async () => {
    const { b, a } = seeded();
    const m = b.reminders.message({
      appointment_id: a.id,
      client_id: a.client_id,
      send_at: '2025-06-02T06:00:00Z',
      outlook: { kind: 'moved', at: '2025-06-02T07:00:00Z' },
    });
    await openCalendar(b);
    await fireEvent.click(await screen.findByTestId(`cal-event-${a.id}`));
    const panel = await screen.findByTestId('appointment-panel');
    const note = await within(panel).findByTestId(`appt-message-note-${m.id}`);
    expect(note.textContent).toContain('instead');
    expect(note.textContent).toContain('08:00');
    expect(within(panel).getByTestId(`appt-message-status-${m.id}`).textContent).toBe('Planned');
  });

  test('next and the staff filter ask for the right appointments', async () => {
    const { b, jo } = seeded();
    await openCalendar(b);
    const first = b.called.list_appointments[0].args as { from: string; to: string };
    const thisWeek = screen.getByTestId('cal-title').textContent;
    await fireEvent.click(screen.getByTestId('cal-next'));
    await waitFor(() => expect(b.called.list_appointments.length).toBe(2));
    const next = b.called.list_appointments[1].args as { from: string };
    expect(Date.parse(next.from) - Date.parse(first.from)).toBeGreaterThanOrEqual(6.9 * 86_400_000);

    expect(screen.getByTestId('cal-title').textContent).not.toBe(thisWeek);
    await fireEvent.keyDown(window, { key: 't' });
    await waitFor(() => expect(screen.getByTestId('cal-title').textContent).toBe(thisWeek));
    await fireEvent.keyDown(window, { key: 'PageDown' });
    await waitFor(() => expect(screen.getByTestId('cal-title').textContent).not.toBe(thisWeek));
    await waitFor(() => expect(screen.getByTestId('cal-staff').querySelectorAll('option')).toHaveLength(2));
    await fireEvent.change(screen.getByTestId('cal-staff'), { target: { value: String(jo.id) } });
    await waitFor(() => expect(b.called.list_appointments.at(-1)?.args).toMatchObject({ staffId: jo.id }));
  });

  test('the panel status buttons call set_appointment_status; cancelling asks first', async () => {
    const { b, a } = seeded();
    await openCalendar(b);
    await fireEvent.click(await screen.findByTestId(`cal-event-${a.id}`));
    await fireEvent.click(await screen.findByTestId('appt-mark-confirmed'));
    await waitFor(() => expect(screen.getByTestId('appt-status').textContent).toBe('✓ Confirmed'));
    expect(b.called.set_appointment_status[0].args).toEqual({ id: a.id, status: 'confirmed' });

    await fireEvent.click(screen.getByTestId('appt-mark-no_show'));
    await waitFor(() => expect(screen.getByTestId('appt-status').textContent).toBe('No-show'));
    await fireEvent.click(screen.getByTestId('appt-mark-completed'));
    await waitFor(() => expect(screen.getByTestId('appt-status').textContent).toBe('Completed'));

    await fireEvent.click(screen.getByTestId('appt-mark-cancelled'));
    expect(b.called.set_appointment_status).toHaveLength(3);
    await fireEvent.click(screen.getByTestId('appt-cancel-confirm'));
    await waitFor(() => expect(screen.getByTestId('appt-status').textContent).toBe('Cancelled'));
    expect(b.called.set_appointment_status.map((c) => (c.args as { status: string }).status)).toEqual([
      'confirmed',
      'no_show',
      'completed',
      'cancelled',
    ]);
    await waitFor(() => expect(screen.getByTestId(`cal-event-${a.id}`).textContent).toContain('Cancelled'));
  });

  test('a failed status change shows the message and leaves the status as it was', async () => {
    const { b, a } = seeded();
    b.appts.commands.set_appointment_status = () => rejectWith('database_busy', 'The database is busy. Try again.');
    await openCalendar(b);
    await fireEvent.click(await screen.findByTestId(`cal-event-${a.id}`));
    await fireEvent.click(await screen.findByTestId('appt-mark-confirmed'));
    expect((await screen.findByTestId('appt-panel-error')).textContent).toBe('The database is busy. Try again.');
    expect(screen.getByTestId('appt-status').textContent).toBe('Booked');
  });

  test('New appointment, or N from the keyboard, opens the booking dialog at the next half hour', async () => {
    const { b } = seeded();
    await openCalendar(b);
    // 10:30 in London: the next half hour is 11:00, today.
    await fireEvent.click(screen.getByTestId('new-appointment'));
    let dialog = await screen.findByTestId('appointment-dialog');
    expect((within(dialog).getByTestId('appt-start') as HTMLInputElement).value).toBe('2025-06-03T11:00');
    expect((within(dialog).getByTestId('appt-end') as HTMLInputElement).value).toBe('2025-06-03T11:30');
    await fireEvent.click(within(dialog).getByTestId('appt-cancel'));
    await waitFor(() => expect(screen.queryByTestId('appointment-dialog')).toBeNull());

    // Next week shown: the booking starts on its first day at 09:00.
    await fireEvent.click(screen.getByTestId('cal-next'));
    await waitFor(() => expect(b.called.list_appointments.length).toBe(2));
    await fireEvent.keyDown(window, { key: 'n' });
    dialog = await screen.findByTestId('appointment-dialog');
    expect((within(dialog).getByTestId('appt-start') as HTMLInputElement).value).toBe('2025-06-09T09:00');
  });

  test("an appointment whose reminder won't go is flagged on the calendar, with the reason", async () => {
    const b = fakeBackend();
    const ann = b.store.seed('Ann Carter', '07400 123456');
    const a = b.appts.seed(
      { client_id: ann.id, starts_at: todayAt('15:00'), ends_at: todayAt('15:30') },
      { reminder_warning: 'no consent for appointment texts' },
    );
    await openCalendar(b);
    const flag = await screen.findByTestId(`cal-reminder-warning-${a.id}`);
    expect(flag.textContent).toBe('⚠ no reminder');
    expect(flag.getAttribute('title')).toBe("A reminder won't be sent: no consent for appointment texts");
    expect(screen.getByTestId(`cal-event-${a.id}`).classList.contains('appt-reminder-warning')).toBe(true);
  });

  test("Escape closes an open appointment's panel", async () => {
    const { b, a } = seeded();
    await openCalendar(b);
    await fireEvent.click(await screen.findByTestId(`cal-event-${a.id}`));
    expect(await screen.findByTestId('appointment-panel')).toBeTruthy();
    await fireEvent.keyDown(window, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('appointment-panel')).toBeNull());
  });

  test('Edit reopens the dialog with the values and saves with update_appointment', async () => {
    const { b, a } = seeded();
    await openCalendar(b);
    await fireEvent.click(await screen.findByTestId(`cal-event-${a.id}`));
    await fireEvent.click(await screen.findByTestId('appt-edit'));
    const dialog = await screen.findByTestId('appointment-dialog');
    expect(within(dialog).getByTestId('appt-client-chosen').textContent).toContain('Ann Carter');
    const start = within(dialog).getByTestId('appt-start') as HTMLInputElement;
    expect(start.value).toBe(wallOf(a.starts_at, LONDON).slice(0, 16));
    await fireEvent.input(within(dialog).getByTestId('appt-end'), {
      target: { value: start.value.replace('10:00', '11:00') },
    });
    await fireEvent.click(within(dialog).getByTestId('appt-save'));
    await waitFor(() => expect(screen.queryByTestId('appointment-dialog')).toBeNull());
    expect(b.called.update_appointment[0].args).toEqual({
      id: a.id,
      input: {
        client_id: a.client_id,
        starts_at: a.starts_at,
        ends_at: todayAt('11:00'),
        service_id: a.service_id,
        staff_id: a.staff_id,
        location: '',
        notes: '',
      },
    });
    expect(b.called.create_appointment).toHaveLength(0);
  });

  test('Services & staff adds a service and a staff member', async () => {
    const { b } = seeded();
    await openCalendar(b);
    await fireEvent.click(screen.getByTestId('manage-catalog'));
    const dialog = await screen.findByTestId('catalog-dialog');
    await fireEvent.input(within(dialog).getByTestId('service-name'), { target: { value: 'Colour' } });
    await fireEvent.input(within(dialog).getByTestId('service-minutes'), { target: { value: '90' } });
    await fireEvent.click(within(dialog).getByTestId('service-add'));
    await waitFor(() => expect(b.called.save_service[0].args).toEqual({ id: null, name: 'Colour', minutes: 90 }));
    await fireEvent.input(within(dialog).getByTestId('staff-name'), { target: { value: 'Sam' } });
    await fireEvent.click(within(dialog).getByTestId('staff-add'));
    await waitFor(() => expect(b.called.save_staff[0].args).toEqual({ id: null, name: 'Sam' }));
    await waitFor(() => expect(within(dialog).getAllByRole('listitem')).toHaveLength(4));
  });
});
