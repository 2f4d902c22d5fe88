// In-memory stand-in for status updates and day-wide notices. Like the real ones: a client
// needs service consent, no opt-out and a reachable number; "quiet hours" is a switch the test
// flips; a sent update lands in the outbox; a notice's texts go out one per progress check.
import type { CommandName } from '../src/lib/commands';
import { runFake, type FakeCommands } from './fake-commands';
import type {
  Appointment,
  Client,
  ErrorPayload,
  NoticeExclusion,
  NoticeInput,
  NoticePreview,
  NoticeProgress,
  NoticeRecipient,
  UpdateInput,
  UpdatePreview,
  UpdateTemplate,
} from '../src/lib/bindings';
import type { AppointmentStore } from './fake-appointments';
import type { ClientStore } from './fake-clients';
import { countSegments, type ReminderStore } from './fake-reminders';

function fail(code: ErrorPayload['code'], message: string, field: string | null = null): never {
  throw { code, message, field, related_id: null } satisfies ErrorPayload;
}

export const UPDATE_TEMPLATES: UpdateTemplate[] = [
  {
    key: 'update_running_late',
    name: 'Running late',
    body: "Hi {first_name}, we're running about {minutes} minutes late for your {time} {service}. Sorry for the wait! {business}",
  },
  {
    key: 'update_ready',
    name: 'Ready for you',
    body: "Hi {first_name}, we're ready for you now. See you in a moment! {business}",
  },
  {
    key: 'update_arrive_early',
    name: 'Please arrive early',
    body: 'Hi {first_name}, please arrive 10 minutes early for your {time} {service} so we can start on time. {business}',
  },
  {
    key: 'update_staff_changed',
    name: 'Staff member changed',
    body: "Hi {first_name}, your {time} {service} will now be with {staff}. Reply if that doesn't suit. {business}",
  },
];

export const NOTICE_SUGGESTION =
  "{business}: sorry, we're closed on {weekday} {date}, so your {time} {service} can't go ahead. Reply 1 to pick a new time.";

const EXCLUSION_TEXT: Record<NoticeExclusion, string> = {
  no_consent: 'no consent for appointment texts on record',
  opted_out: 'opted out of texts',
  invalid_number: "the number can't receive texts",
};

const MAX_SEGMENTS = 3;
const NOW = '2025-06-03T09:30:00Z';

type Notice = NoticeProgress;

export class UpdateStore {
  /** Flip on to be inside quiet hours "now". */
  quietHours = false;
  /** When quiet hours end (for a notice's waits_until). */
  quietUntil = '2025-06-03T07:00:00Z';
  /** Set to make `send_update` fail with this error (after the checks pass). */
  sendFailWith: ErrorPayload | null = null;
  /** Set to make `send_notice` fail with this error. */
  noticeFailWith: ErrorPayload | null = null;
  /** How many of a notice's texts go out per `get_notice_progress` call. */
  perCheck = 1;
  notices: Notice[] = [];
  /** The inputs notices were sent with, by id. */
  sentInputs = new Map<number, NoticeInput>();
  private nextNotice = 1;

  constructor(
    private clients: ClientStore,
    private appts: AppointmentStore,
    private reminders: ReminderStore,
    private business: () => string,
  ) {}

  handles(cmd: CommandName): boolean {
    return cmd in this.commands;
  }

  handle(cmd: CommandName, args: unknown): unknown {
    return runFake(this.commands, cmd, args);
  }

  readonly commands: FakeCommands = {
    list_update_templates: () => UPDATE_TEMPLATES.map((t) => ({ ...t })),
    get_notice_suggestion: () => NOTICE_SUGGESTION,
    preview_update: (a) => this.previewUpdate(a.appointmentId as number, a.input as UpdateInput),
    send_update: (a) => this.sendUpdate(a.appointmentId as number, a.input as UpdateInput),
    preview_notice: (a) => this.previewNotice(a.input as NoticeInput),
    send_notice: (a) => this.sendNotice(a.input as NoticeInput),
    get_notice_progress: (a) => this.progress(a.noticeId as number),
  };

  /** Fills {placeholders} for one appointment; an unknown one fails on field "text". */
  render(body: string, a: Appointment, minutes?: number): string {
    const zone = this.appts.timezone;
    const at = new Date(a.starts_at);
    const values: Record<string, string> = {
      first_name: a.client_name.split(' ')[0],
      business: this.business(),
      time: new Intl.DateTimeFormat('en-GB', {
        timeZone: zone,
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }).format(at),
      date: new Intl.DateTimeFormat('en-GB', { timeZone: zone, day: 'numeric', month: 'long' }).format(at),
      weekday: new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'long' }).format(at),
      service: a.service ?? 'appointment',
      staff: a.staff ?? 'us',
      location: a.location,
      business_phone: '01632 960000',
    };
    if (minutes !== undefined) values.minutes = String(minutes);
    return body.replace(/\{([^{}]*)\}/g, (_, name: string) => {
      if (name in values) return values[name];
      fail('invalid_input', `Unknown variable {${name}}.`, 'text');
    });
  }

  private client(a: Appointment): Client | null {
    return this.clients.clients.find((c) => c.id === a.client_id) ?? null;
  }

  private exclusion(c: Client | null): NoticeExclusion | null {
    if (!c || c.consent.service === 'none') return 'no_consent';
    if (c.consent.service === 'revoked') return 'opted_out';
    if (c.unreachable) return 'invalid_number';
    return null;
  }

  private body(input: UpdateInput): string {
    const text = input.text?.trim();
    if (text) return text;
    if (input.template_key !== undefined) {
      const t = UPDATE_TEMPLATES.find((x) => x.key === input.template_key);
      if (!t) fail('invalid_input', `There is no update called "${input.template_key}".`, 'template_key');
      if (t.key === 'update_running_late' && (!input.minutes || input.minutes > 240)) {
        fail('invalid_input', 'Say how many minutes late, from 1 to 240.', 'minutes');
      }
      return t.body;
    }
    fail('invalid_input', 'Choose a ready update or type the text.', 'text');
  }

  private blocked(a: Appointment): string | null {
    const c = this.client(a);
    const name = a.client_name;
    switch (this.exclusion(c)) {
      case 'opted_out':
        return `${name} has opted out of texts; call them instead.`;
      case 'no_consent':
        return `${name} hasn't agreed to appointment texts. Record their consent first, or call them.`;
      case 'invalid_number':
        return `Texts can't reach ${name}'s number; call them instead.`;
      default:
        return this.quietHours ? `It's quiet hours where ${name} is; updates are not sent at night.` : null;
    }
  }

  previewUpdate(id: number, input: UpdateInput): UpdatePreview {
    const a = this.appts.find(id);
    const text = this.render(this.body(input), a, input.minutes);
    return { text, segments: countSegments(text), blocked: this.blocked(a) };
  }

  sendUpdate(id: number, input: UpdateInput) {
    const a = this.appts.find(id);
    if (!['booked', 'confirmed', 'reschedule_requested'].includes(a.status)) {
      fail('invalid_input', 'This appointment is cancelled or over; there is nothing to update.', 'appointment');
    }
    const p = this.previewUpdate(id, input);
    if (p.blocked) fail('invalid_input', p.blocked, 'text');
    if (p.segments.segments > MAX_SEGMENTS) {
      fail('invalid_input', `That is ${p.segments.segments} texts long; keep it to ${MAX_SEGMENTS}.`, 'text');
    }
    if (this.sendFailWith) throw this.sendFailWith;
    const m = this.reminders.message({
      appointment_id: a.id,
      appointment_starts_at: a.starts_at,
      rule_name: null,
      client_id: a.client_id,
      client_name: a.client_name,
      to: a.client_phone,
      status: 'sent',
      send_at: NOW,
      sent_at: NOW,
      body: p.text,
      segments: p.segments.segments,
      encoding: p.segments.encoding,
    });
    return { ...m };
  }

  private noticeAppointments(input: NoticeInput): Appointment[] {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(input.date.trim())) {
      fail('invalid_input', 'Give the day as YYYY-MM-DD, such as 2027-03-04.', 'date');
    }
    const hhmm = (v: string | undefined, fallback: string, field: string) => {
      const t = v?.trim() ?? '';
      if (t === '') return fallback;
      if (!/^\d{2}:\d{2}$/.test(t)) fail('invalid_input', 'Use 24-hour HH:MM, such as 09:00.', field);
      return t;
    };
    const from = hhmm(input.from_time, '00:00', 'from_time');
    const to = hhmm(input.to_time, '23:59', 'to_time');
    if (to <= from) fail('invalid_input', 'The end must be after the start.', 'to_time');
    const zone = this.appts.timezone;
    const wall = (iso: string) => {
      const p = Object.fromEntries(
        new Intl.DateTimeFormat('en-CA', {
          timeZone: zone,
          year: 'numeric',
          month: '2-digit',
          day: '2-digit',
          hour: '2-digit',
          minute: '2-digit',
          hourCycle: 'h23',
        })
          .formatToParts(new Date(iso))
          .map((x) => [x.type, x.value]),
      );
      return { day: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
    };
    return this.appts.appointments
      .filter((a) => ['booked', 'confirmed', 'reschedule_requested'].includes(a.status))
      .filter((a) => input.staff_id === undefined || a.staff_id === input.staff_id)
      .filter((a) => {
        const w = wall(a.starts_at);
        return w.day === input.date.trim() && w.time >= from && w.time <= to;
      })
      .sort((x, y) => x.starts_at.localeCompare(y.starts_at));
  }

  previewNotice(input: NoticeInput): NoticePreview {
    const text = input.text.trim();
    if (text === '') fail('invalid_input', 'Type the notice first.', 'text');
    const appointments = this.noticeAppointments(input);
    if (appointments.length === 0) {
      fail('invalid_input', 'There are no booked appointments then; nobody would get this notice.', 'date');
    }
    let longest = countSegments('');
    const recipients = appointments.map((a): NoticeRecipient => {
      const excluded = this.exclusion(this.client(a));
      const rendered = this.render(text, a);
      const cost = countSegments(rendered);
      if (cost.segments > longest.segments || (cost.segments === longest.segments && cost.units > longest.units))
        longest = cost;
      return {
        appointment_id: a.id,
        client_id: a.client_id,
        client_name: a.client_name,
        phone: a.client_phone,
        starts_at: a.starts_at,
        text: rendered,
        excluded,
        excluded_text: excluded ? EXCLUSION_TEXT[excluded] : null,
      };
    });
    const sending = recipients.filter((r) => r.excluded === null).length;
    return {
      recipients,
      sending,
      skipped: recipients.length - sending,
      segments: longest,
      waits_until: this.quietHours && !input.urgent ? this.quietUntil : null,
    };
  }

  sendNotice(input: NoticeInput): NoticeProgress {
    const p = this.previewNotice(input);
    if (p.sending === 0) {
      fail(
        'invalid_input',
        "Nobody can get this notice: every affected client has opted out, has no consent on record or can't receive texts. Call them instead.",
        'text',
      );
    }
    if (p.segments.segments > MAX_SEGMENTS) {
      fail('invalid_input', `That is ${p.segments.segments} texts long; keep it to ${MAX_SEGMENTS}.`, 'text');
    }
    if (this.noticeFailWith) throw this.noticeFailWith;
    const notice: Notice = { notice_id: this.nextNotice++, total: p.sending, sent: 0, waiting: p.sending, failed: 0 };
    this.notices.push(notice);
    this.sentInputs.set(notice.notice_id, input);
    return { ...notice };
  }

  /** Each check, `perCheck` more texts have gone out (none while quiet hours hold a non-urgent one). */
  progress(id: number): NoticeProgress {
    const n = this.notices.find((x) => x.notice_id === id) ?? fail('not_found', 'That notice no longer exists.');
    if (!this.quietHours || this.sentInputs.get(id)?.urgent) {
      const step = Math.min(this.perCheck, n.waiting);
      n.sent += step;
      n.waiting -= step;
    }
    return { ...n };
  }
}
