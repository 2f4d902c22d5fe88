// In-memory stand-in for the appointment, catalog, today and appointment-import commands.
// Deliberately simple: ICS files are read line by line, a phone number is any "07…"/"+…" run in
// the event's DESCRIPTION, and there is no CSV appointment import (tests use calendar files).
import type { CommandName } from '../src/lib/commands';
import { runFake, type FakeCommands } from './fake-commands';
import type {
  Appointment,
  AppointmentImportOptions,
  AppointmentImportPreview,
  AppointmentImportReport,
  AppointmentInput,
  AppointmentRowPlan,
  AppointmentStatus,
  ErrorPayload,
  Service,
  Staff,
  TodayView,
} from '../src/lib/bindings';
import { toE164, type ClientStore } from './fake-clients';

function fail(code: ErrorPayload['code'], message: string, field: string | null = null): never {
  throw { code, message, field, related_id: null } satisfies ErrorPayload;
}

const NOW = '2025-06-02T10:00:00Z';

export class AppointmentStore {
  appointments: Appointment[] = [];
  services: Service[] = [];
  staff: Staff[] = [];
  /** The business's "today" for get_today. */
  today = '2025-06-03';
  timezone = 'Europe/London';
  private nextId = 1;
  private nextCatalogId = 1;

  constructor(private clients: ClientStore) {}

  service(name: string, minutes: number): Service {
    const s: Service = { id: this.nextCatalogId++, name, minutes, archived: false };
    this.services.push(s);
    return s;
  }

  person(name: string): Staff {
    const s: Staff = { id: this.nextCatalogId++, name, archived: false };
    this.staff.push(s);
    return s;
  }

  /** Seed an appointment for an existing client. */
  seed(
    input: AppointmentInput,
    extra: Partial<Pick<Appointment, 'status' | 'overlaps' | 'external_id' | 'source' | 'reminder_warning'>> = {},
  ): Appointment {
    const a = this.build(this.nextId++, input);
    Object.assign(a, extra);
    this.appointments.push(a);
    return a;
  }

  handles(cmd: CommandName): boolean {
    return cmd in this.commands;
  }

  handle(cmd: CommandName, args: unknown): unknown {
    return runFake(this.commands, cmd, args);
  }

  readonly commands: FakeCommands = {
    list_appointments: (a) => {
      const from = Date.parse(String(a.from));
      const to = Date.parse(String(a.to));
      return this.appointments
        .filter((x) => Date.parse(x.starts_at) < to && Date.parse(x.ends_at) > from)
        .filter((x) => a.staffId == null || x.staff_id === a.staffId)
        .sort((x, y) => x.starts_at.localeCompare(y.starts_at));
    },
    get_appointment: (a) => this.find(a.id as number),
    create_appointment: (a) => {
      const created = this.build(this.nextId++, a.input as AppointmentInput);
      this.appointments.push(created);
      return created;
    },
    update_appointment: (a) => {
      const old = this.find(a.id as number);
      const next = this.build(old.id, a.input as AppointmentInput);
      Object.assign(old, {
        ...next,
        status: old.status,
        source: old.source,
        external_id: old.external_id,
        created_at: old.created_at,
      });
      return old;
    },
    set_appointment_status: (a) => {
      const x = this.find(a.id as number);
      x.status = a.status as AppointmentStatus;
      return x;
    },
    list_services: () => this.services,
    save_service: (a) => {
      const name = String(a.name ?? '').trim();
      if (!name) fail('invalid_input', 'Enter a name.', 'name');
      const minutes = Number(a.minutes);
      if (!(minutes >= 5 && minutes <= 720)) fail('invalid_input', 'A service lasts 5 minutes to 12 hours.', 'minutes');
      if (a.id === null) return this.service(name, minutes);
      const s = this.services.find((x) => x.id === a.id) ?? fail('not_found', 'That service no longer exists.');
      Object.assign(s, { name, minutes });
      return s;
    },
    list_staff: () => this.staff,
    save_staff: (a) => {
      const name = String(a.name ?? '').trim();
      if (!name) fail('invalid_input', 'Enter a name.', 'name');
      if (a.id === null) return this.person(name);
      const s = this.staff.find((x) => x.id === a.id) ?? fail('not_found', 'That person no longer exists.');
      s.name = name;
      return s;
    },
    get_today: (): TodayView => ({
      date: this.today,
      timezone: this.timezone,
      appointments: this.appointments
        .filter((x) => this.dayOf(x.starts_at) === this.today)
        .sort((x, y) => x.starts_at.localeCompare(y.starts_at)),
    }),
    preview_appointment_import: (a) => this.importIcs(a.token as number, a.options as AppointmentImportOptions, true),
    run_appointment_import: (a) =>
      this.importIcs(a.token as number, a.options as AppointmentImportOptions, false).report,
  };

  find(id: number): Appointment {
    return this.appointments.find((x) => x.id === id) ?? fail('not_found', 'That appointment no longer exists.');
  }

  private dayOf(iso: string): string {
    return new Intl.DateTimeFormat('en-CA', { timeZone: this.timezone }).format(new Date(iso));
  }

  private build(id: number, input: AppointmentInput): Appointment {
    const client =
      this.clients.clients.find((c) => c.id === input.client_id) ??
      fail('invalid_input', 'Choose a client for the appointment.', 'client_id');
    const start = Date.parse(input.starts_at);
    const end = Date.parse(input.ends_at);
    if (Number.isNaN(start) || Number.isNaN(end))
      fail('invalid_input', 'Give the start and end as dates and times.', 'ends_at');
    if (end <= start) fail('invalid_input', 'The appointment ends before it starts.', 'ends_at');
    const service =
      input.service_id === undefined
        ? null
        : (this.services.find((s) => s.id === input.service_id) ??
          fail('invalid_input', 'That service no longer exists.', 'service_id'));
    const staff =
      input.staff_id === undefined
        ? null
        : (this.staff.find((s) => s.id === input.staff_id) ??
          fail('invalid_input', 'That staff member no longer exists.', 'staff_id'));
    return {
      id,
      client_id: client.id,
      client_name: client.name,
      client_phone: client.phone,
      starts_at: input.starts_at,
      ends_at: input.ends_at,
      timezone: this.timezone,
      service_id: service?.id ?? null,
      service: service?.name ?? null,
      staff_id: staff?.id ?? null,
      staff: staff?.name ?? null,
      location: input.location ?? '',
      notes: input.notes ?? '',
      status: 'booked',
      source: 'desk',
      external_id: null,
      created_at: NOW,
      updated_at: NOW,
      overlaps: false,
    };
  }

  /** "20250603T090000Z" → ISO; only UTC times are understood. */
  private icsTime(v: string | undefined): string | null {
    const m = v && /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(v);
    return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z` : null;
  }

  private importIcs(token: number, _options: AppointmentImportOptions, dryRun: boolean): AppointmentImportPreview {
    const bytes =
      this.clients.staged.get(token) ?? fail('import_file', 'The file is no longer staged. Choose it again.');
    const text = new TextDecoder().decode(bytes);
    if (!text.includes('BEGIN:VCALENDAR')) fail('import_file', 'This is not a calendar file or a CSV export.');
    const events = text
      .split('BEGIN:VEVENT')
      .slice(1)
      .map((chunk) => {
        const fields: Record<string, string> = {};
        for (const line of chunk.split(/\r?\n/)) {
          const i = line.indexOf(':');
          if (i > 0) fields[line.slice(0, i).split(';')[0]] = line.slice(i + 1).trim();
        }
        return fields;
      });
    const report: AppointmentImportReport = {
      created: 0,
      updated: 0,
      unchanged: 0,
      cancelled: 0,
      clients_created: 0,
      skipped: [],
      no_client: [],
      missing: [],
      overlapping: [],
      dry_run: dryRun,
    };
    const rows = events.map((e, i): AppointmentRowPlan => {
      const row = i + 1;
      const label = e.SUMMARY ?? '';
      const starts_at = this.icsTime(e.DTSTART);
      const ends_at = this.icsTime(e.DTEND);
      const phoneText = /(\+?\d[\d ]{8,})/.exec(e.DESCRIPTION ?? '')?.[1] ?? null;
      const phone = phoneText ? toE164(phoneText) : null;
      // Like the real reader: a "Service - Name" title gives the service and the client.
      const [service, name] = label.includes(' - ') ? label.split(' - ', 2) : [null, label];
      const read_from = service ? 'name: title · service: title' : 'name: title';
      const base = {
        row,
        label,
        client_name: name,
        service,
        read_from,
        phone,
        starts_at,
        ends_at,
        external_id: e.UID ?? null,
      };
      if (!starts_at || !ends_at) {
        const reason = 'No start or end time';
        report.skipped.push({ row, reason });
        return { ...base, outcome: { kind: 'skipped', reason } };
      }
      if (!phone) {
        report.no_client.push({ row, reason: `${label}: no phone number` });
        return { ...base, outcome: { kind: 'no_client' } };
      }
      report.created += 1;
      if (!dryRun) {
        const client =
          this.clients.clients.find((c) => c.phone === phone) ??
          (report.clients_created++, this.clients.seed(label, phone));
        this.seed({ client_id: client.id, starts_at, ends_at }, { external_id: e.UID ?? null, source: 'ics_import' });
      }
      return { ...base, outcome: { kind: 'new' } };
    });
    return { kind: 'ics', headers: [], mapping: null, total_rows: events.length, rows, report };
  }
}
