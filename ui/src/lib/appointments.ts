// Pure helpers between appointments, the calendar library and the backend. Kept free of Svelte so
// the drag, resize and select handlers can be tested without a browser.
import type { Appointment, AppointmentInput, AppointmentOutcome, AppointmentStatus } from './bindings';
import { addMinutes, wallOf, wallOfFields, wallToUtc, type Wall } from './time';

/** Words for a status, shown beside its colour so colour is never the only signal. */
export const STATUS_LABEL: Record<AppointmentStatus, string> = {
  booked: 'Booked',
  confirmed: '✓ Confirmed',
  reschedule_requested: 'Reschedule?',
  cancelled: 'Cancelled',
  completed: 'Completed',
  no_show: 'No-show',
};

/** Still ahead and not cancelled: the appointment can be sent an update. */
export const isLive = (s: AppointmentStatus): boolean =>
  s === 'booked' || s === 'confirmed' || s === 'reschedule_requested';

/**
 * The customer's answer to "how did it go?" in words: "Customer's rating: 4 / 5" for 1–5,
 * "Customer said: yes" for yes/no; '' when there is no answer.
 */
export function feedbackText(feedback: string | null | undefined): string {
  const answer = feedback?.trim() ?? '';
  if (answer === '') return '';
  if (/^[1-5]$/.test(answer)) return `Customer's rating: ${answer} / 5`;
  return `Customer said: ${answer.toLowerCase()}`;
}

/** "Client name · Service", or just the name when there is no service. */
export function appointmentTitle(a: Pick<Appointment, 'client_name' | 'service'>): string {
  return a.service ? `${a.client_name} · ${a.service}` : a.client_name;
}

/** The subset of the library's event input we produce. */
export type CalendarEventInput = {
  id: string;
  start: Wall;
  end: Wall;
  title: string;
  classNames: string[];
  editable: boolean;
  extendedProps: { appointment: Appointment };
};

/**
 * An appointment as a calendar event. Times are given as floating wall times in the business's
 * zone, which the library shows as they are.
 */
export function toCalendarEvent(a: Appointment, timeZone: string): CalendarEventInput {
  const classNames = ['appt', `appt-${a.status}`];
  if (a.overlaps) classNames.push('appt-overlaps');
  if (a.reminder_warning) classNames.push('appt-reminder-warning');
  return {
    id: String(a.id),
    start: wallOf(a.starts_at, timeZone),
    end: wallOf(a.ends_at, timeZone),
    title: appointmentTitle(a),
    classNames,
    editable: a.status !== 'cancelled',
    extendedProps: { appointment: a },
  };
}

/** The appointment's own input with new times: every other field kept as it is. */
export function withTimes(a: Appointment, starts_at: string, ends_at: string): AppointmentInput {
  const input: AppointmentInput = { client_id: a.client_id, starts_at, ends_at, location: a.location, notes: a.notes };
  if (a.service_id !== null) input.service_id = a.service_id;
  if (a.staff_id !== null) input.staff_id = a.staff_id;
  return input;
}

/** What the library hands to eventDrop / eventResize, as far as we use it. */
export type MovedEvent = {
  event: { start: Date; end: Date; extendedProps: Record<string, unknown> };
  revert: () => void;
};

/** Turn a drop or resize into update_appointment arguments, or null if the event isn't ours. */
export function moveToUpdate(info: MovedEvent, timeZone: string): { id: number; input: AppointmentInput } | null {
  const a = info.event.extendedProps.appointment as Appointment | undefined;
  if (!a) return null;
  const starts = wallToUtc(wallOfFields(info.event.start), timeZone);
  const ends = wallToUtc(wallOfFields(info.event.end), timeZone);
  if (!starts || !ends) return null;
  return { id: a.id, input: withTimes(a, starts, ends) };
}

/**
 * Save a drop or resize. On failure the event goes back where it was and the message is returned
 * for the status line; on success the saved appointment is returned.
 */
export async function saveMove(
  info: MovedEvent,
  timeZone: string,
  update: (id: number, input: AppointmentInput) => Promise<Appointment>,
): Promise<{ ok: true; appointment: Appointment } | { ok: false; message: string }> {
  const args = moveToUpdate(info, timeZone);
  if (!args) {
    info.revert();
    return { ok: false, message: 'That appointment could not be moved.' };
  }
  try {
    return { ok: true, appointment: await update(args.id, args.input) };
  } catch (err) {
    info.revert();
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}

/** A new-appointment draft from a selection. A whole-day pick (month view) starts at 09:00 for 30 minutes. */
export function selectionToDraft(sel: { start: Date; end: Date; allDay: boolean }): { start: Wall; end: Wall } {
  if (sel.allDay) {
    const start = `${wallOfFields(sel.start).slice(0, 10)}T09:00:00`;
    return { start, end: addMinutes(start, 30) };
  }
  return { start: wallOfFields(sel.start), end: wallOfFields(sel.end) };
}

/** A booking started by clicking one time in the calendar: half an hour from there. */
export function clickToDraft(click: { date: Date; allDay: boolean }): { start: Wall; end: Wall } {
  return selectionToDraft({
    start: click.date,
    end: new Date(click.date.getTime() + 30 * 60_000),
    allDay: click.allDay,
  });
}

/**
 * Where "New appointment" starts a booking, before the desk changes it: the next half hour
 * from now when the calendar shows today (09:00 before the day's hours, the next day at 09:00
 * after them), else 09:00 on the first day shown. Half an hour long.
 */
export function newBookingDraft(now: Wall, shownFrom: string, shownTo: string): { start: Wall; end: Wall } {
  const day = now.slice(0, 10);
  let start: Wall;
  if (day >= shownFrom.slice(0, 10) && day < shownTo.slice(0, 10)) {
    const [h, m] = [Number(now.slice(11, 13)), Number(now.slice(14, 16))];
    const next = h * 60 + (m < 30 ? 30 : 60);
    if (h < 7) start = `${day}T09:00:00`;
    else if (next > 20 * 60 + 30) start = addMinutes(`${day}T09:00:00`, 24 * 60);
    else start = addMinutes(`${day}T00:00:00`, next);
  } else {
    start = `${shownFrom.slice(0, 10)}T09:00:00`;
  }
  return { start, end: addMinutes(start, 30) };
}

/**
 * The range the calendar asks for, as UTC instants for list_appointments. The library gives it as
 * floating wall times ("2025-06-02T00:00:00") in the zone it shows, which is the business's.
 */
export function fetchRange(
  info: { startStr: string; endStr: string },
  timeZone: string,
): { from: string; to: string } | null {
  const from = wallToUtc(info.startStr, timeZone);
  const to = wallToUtc(info.endStr, timeZone);
  return from && to ? { from, to } : null;
}

/** What an import row will do, in words. */
export function importOutcomeText(o: AppointmentOutcome): string {
  switch (o.kind) {
    case 'new':
      return 'New appointment';
    case 'update':
      return 'Updates an appointment';
    case 'unchanged':
      return 'Already up to date';
    case 'cancel':
      return 'Cancels an appointment';
    case 'skipped':
      return `Skipped: ${o.reason}`;
    case 'no_client':
      return 'No phone number — add it by hand';
  }
}
