// In-memory stand-in for the client, consent, disclosure and import commands. Simple on purpose:
// numbers are read as UK national ("07…") or international ("+…"), CSV cells are split on commas.
import type { CommandName } from '../src/lib/commands';
import { runFake, type FakeCommands } from './fake-commands';
import { emit } from '@tauri-apps/api/event';
import type {
  Client,
  ClientDetail,
  ClientInput,
  ColumnMapping,
  ConsentEvent,
  ConsentInput,
  DisclosureView,
  Disclosures,
  ErrorPayload,
  ImportConsent,
  ImportOptions,
  ImportPreview,
  ImportReport,
  Purpose,
  RowPlan,
} from '../src/lib/bindings';

function fail(
  code: ErrorPayload['code'],
  message: string,
  field: string | null = null,
  related_id: number | null = null,
): never {
  throw { code, message, field, related_id } satisfies ErrorPayload;
}

const NOW = '2025-06-02T10:00:00Z';

/** "07400 123456" or "+44 7400 123456" → "+447400123456"; null when it can't be a number. */
export function toE164(typed: string): string | null {
  const trimmed = typed.trim();
  const digits = trimmed.replace(/\D/g, '');
  let e164: string;
  if (trimmed.startsWith('+')) e164 = `+${digits}`;
  else if (digits.startsWith('0')) e164 = `+44${digits.slice(1)}`;
  else return null;
  return /^\+\d{10,15}$/.test(e164) ? e164 : null;
}

export type Csv = { headers: string[]; rows: string[][] };

export function parseCsv(bytes: Uint8Array): Csv {
  if (bytes.length === 0) fail('import_file', 'The file is empty. Choose the CSV file that holds your clients.');
  if (bytes.includes(0)) {
    fail('import_file', 'This is not a text file. Save the spreadsheet as CSV and choose that file.');
  }
  const lines = new TextDecoder()
    .decode(bytes)
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  const [head, ...rest] = lines.map((l) => l.split(',').map((c) => c.trim()));
  return { headers: head ?? [], rows: rest };
}

export function guessMapping(headers: string[]): ColumnMapping {
  const find = (...names: string[]) => {
    const i = headers.findIndex((h) => names.includes(h.toLowerCase()));
    return i === -1 ? null : i;
  };
  return {
    name: find('name', 'full name', 'client'),
    first_name: find('first name', 'first'),
    last_name: find('last name', 'surname'),
    phone: find('phone', 'mobile', 'mobile number'),
    notes: find('notes'),
    timezone: find('time zone', 'timezone'),
  };
}

export class ClientStore {
  clients: Client[] = [];
  ledgers = new Map<number, ConsentEvent[]>();
  disclosureHistory: DisclosureView[] = [];
  staged = new Map<number, Uint8Array>();
  /** When set, run_import waits for it after the first progress event. */
  importGate: Promise<void> | null = null;
  private nextId = 1;
  private nextEvent = 1;

  constructor(private businessName: () => string) {
    this.addDisclosure(
      'service',
      'Reply STOP to stop. {business} will text you about your appointments.',
      '2025-06-01T09:00:00Z',
    );
    this.addDisclosure(
      'marketing',
      '{business} may text you offers, at most twice a month. Reply STOP to stop.',
      '2025-06-01T09:00:00Z',
    );
  }

  /** Seed a client directly, with optional consent history (oldest first). */
  seed(
    name: string,
    phone: string,
    opts: Partial<Pick<Client, 'timezone' | 'notes' | 'archived' | 'unreachable'>> & {
      events?: Omit<ConsentInput, 'client_id'>[];
    } = {},
  ): Client {
    const client: Client = {
      id: this.nextId++,
      name,
      phone: toE164(phone) ?? phone,
      timezone: opts.timezone ?? null,
      notes: opts.notes ?? '',
      archived: opts.archived ?? false,
      created_at: NOW,
      updated_at: NOW,
      consent: { service: 'none', marketing: 'none' },
      unreachable: opts.unreachable,
    };
    this.clients.push(client);
    this.ledgers.set(client.id, []);
    for (const e of opts.events ?? []) this.record({ ...e, client_id: client.id });
    return client;
  }

  handles(cmd: CommandName): boolean {
    return cmd in this.commands;
  }

  handle(cmd: CommandName, args: unknown): unknown {
    return runFake(this.commands, cmd, args);
  }

  readonly commands: FakeCommands = {
    list_clients: (a) => this.list(String(a.query ?? ''), Boolean(a.includeArchived)),
    get_client: (a) => this.detail(a.id as number),
    create_client: (a) => this.save(null, a.input as ClientInput),
    update_client: (a) => this.save(a.id as number, a.input as ClientInput),
    set_client_archived: (a) => {
      const c = this.find(a.id as number);
      c.archived = a.archived as boolean;
      return c;
    },
    record_consent: (a) => {
      const input = a.input as ConsentInput;
      if (!input.recorded_by?.trim()) fail('invalid_input', 'Say who is recording this.', 'recorded_by');
      return this.record(input);
    },
    get_disclosures: () => this.disclosures(),
    update_disclosure: (a) => {
      const template = String(a.template ?? '');
      if (!template.includes('{business}')) {
        fail('invalid_input', 'The wording must name your business: include {business}.', 'template');
      }
      this.addDisclosure(a.purpose as Purpose, template, NOW);
      return this.disclosures();
    },
    stage_import_file: (a) => {
      const bytes = a as unknown as Uint8Array;
      const token = this.staged.size + 1;
      this.staged.set(token, bytes);
      return { token, bytes: bytes.length };
    },
    preview_import: (a) => this.preview(a.token as number, a.options as ImportOptions),
    run_import: (a) => this.runImport(a.token as number, a.options as ImportOptions, a.dryRun as boolean),
    export_consent: (a) => ({ path: `/home/desk/Documents/Tidings/consent-${a.clientId}.${a.format}` }),
  };

  find(id: number): Client {
    return this.clients.find((c) => c.id === id) ?? fail('not_found', 'That client no longer exists.');
  }

  list(query: string, includeArchived: boolean): Client[] {
    const q = query.trim().toLowerCase();
    const asNumber = toE164(q);
    const digits = q.replace(/\D/g, '');
    return this.clients
      .filter((c) => includeArchived || !c.archived)
      .filter(
        (c) =>
          q === '' ||
          c.name.toLowerCase().includes(q) ||
          (asNumber !== null && c.phone === asNumber) ||
          (digits.length >= 3 && c.phone.includes(digits)),
      )
      .slice(0, 500);
  }

  detail(id: number): ClientDetail {
    return { client: this.find(id), ledger: [...(this.ledgers.get(id) ?? [])] };
  }

  save(id: number | null, input: ClientInput): Client {
    if (!input.name.trim()) fail('invalid_input', 'Enter a name.', 'name');
    const phone = toE164(input.phone);
    if (!phone) fail('invalid_input', `“${input.phone}” isn't a mobile number we can text.`, 'phone');
    const other = this.clients.find((c) => c.phone === phone && c.id !== id);
    if (other) fail('conflict', `${other.name} already has this number.`, 'phone', other.id);
    if (id === null) {
      return this.seed(input.name.trim(), phone, { timezone: input.timezone ?? null, notes: input.notes ?? '' });
    }
    const c = this.find(id);
    // Like the real one: a new number is worth trying again.
    if (c.phone !== phone) c.unreachable = undefined;
    Object.assign(c, {
      name: input.name.trim(),
      phone,
      timezone: input.timezone ?? null,
      notes: input.notes ?? '',
      updated_at: NOW,
    });
    return c;
  }

  record(input: ConsentInput, occurredAt = NOW): ConsentEvent {
    const c = this.find(input.client_id);
    const d = this.disclosures().current.find((x) => x.purpose === input.purpose) as DisclosureView;
    const event: ConsentEvent = {
      id: this.nextEvent++,
      client_id: c.id,
      purpose: input.purpose,
      action: input.action,
      channel: input.channel,
      disclosure_text: d.text,
      disclosure_version: d.version,
      recorded_by: input.recorded_by,
      occurred_at: input.occurred_at ?? occurredAt,
      recorded_at: NOW,
      evidence: input.evidence ?? null,
      message_id: null,
    };
    this.ledgers.get(c.id)?.push(event);
    c.consent[input.purpose] = input.action === 'granted' ? 'granted' : 'revoked';
    return event;
  }

  addDisclosure(purpose: Purpose, template: string, createdAt: string) {
    const version = this.disclosureHistory.filter((d) => d.purpose === purpose).length + 1;
    this.disclosureHistory.unshift({ purpose, version, template, text: '', created_at: createdAt });
  }

  disclosures(): Disclosures {
    const history = this.disclosureHistory.map((d) => ({
      ...d,
      text: d.template.replaceAll('{business}', this.businessName()),
    }));
    const current = (['service', 'marketing'] as Purpose[]).map(
      (p) => history.find((d) => d.purpose === p) as DisclosureView,
    );
    return { current, history };
  }

  private csv(token: number): Csv {
    const bytes = this.staged.get(token) ?? fail('import_file', 'The file is no longer staged. Choose it again.');
    return parseCsv(bytes);
  }

  private checkConsent(consent: ImportConsent | undefined) {
    if (!consent) return;
    if (!consent.source.trim()) fail('invalid_input', 'Say where the consent came from.', 'consent_source');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(consent.obtained_on)) {
      fail('invalid_input', 'Give the date as YYYY-MM-DD.', 'consent_date');
    }
  }

  private plan(csv: Csv, mapping: ColumnMapping, consent?: ImportConsent): { rows: RowPlan[]; report: ImportReport } {
    const cell = (row: string[], i: number | null) => (i === null ? '' : (row[i] ?? ''));
    const seen = new Map<string, number>();
    const report: ImportReport = {
      imported: 0,
      updated: 0,
      unchanged: 0,
      skipped: [],
      consent_recorded: 0,
      consent_not_recorded: [],
      dry_run: true,
    };
    const rows = csv.rows.map((cells, i): RowPlan => {
      const row = i + 2; // Row 1 is the header.
      const name =
        cell(cells, mapping.name) ||
        [cell(cells, mapping.first_name), cell(cells, mapping.last_name)].filter(Boolean).join(' ');
      const typed = cell(cells, mapping.phone);
      const phone = toE164(typed);
      const skip = (reason: string): RowPlan => {
        report.skipped.push({ row, reason });
        return { row, name, phone: typed, outcome: { kind: 'skipped', reason } };
      };
      if (!name) return skip('No name');
      if (!phone) return skip(typed ? `“${typed}” is not a mobile number` : 'No phone number');
      if (seen.has(phone)) return skip(`Same number as row ${seen.get(phone)}`);
      seen.set(phone, row);
      const existing = this.clients.find((c) => c.phone === phone);
      if (consent) {
        const state = existing?.consent[consent.purpose];
        if (state === 'revoked') report.consent_not_recorded.push({ row, reason: 'The client opted out' });
        else if (state === 'granted') report.consent_not_recorded.push({ row, reason: 'Already granted' });
        else report.consent_recorded += 1;
      }
      if (!existing) {
        report.imported += 1;
        return { row, name, phone, outcome: { kind: 'new' } };
      }
      if (existing.name === name) {
        report.unchanged += 1;
        return { row, name, phone, outcome: { kind: 'unchanged', client_id: existing.id } };
      }
      report.updated += 1;
      return { row, name, phone, outcome: { kind: 'update', client_id: existing.id } };
    });
    return { rows, report };
  }

  preview(token: number, options: ImportOptions): ImportPreview {
    const csv = this.csv(token);
    this.checkConsent(options.consent);
    const mapping = options.mapping ?? guessMapping(csv.headers);
    const { rows, report } = this.plan(csv, mapping, options.consent);
    return {
      headers: csv.headers,
      delimiter: ',',
      encoding: 'UTF-8',
      mapping,
      total_rows: csv.rows.length,
      rows: rows.filter((r, i) => i < 300 || r.outcome.kind === 'skipped'),
      report,
    };
  }

  async runImport(token: number, options: ImportOptions, dryRun: boolean): Promise<ImportReport> {
    const csv = this.csv(token);
    this.checkConsent(options.consent);
    const mapping = options.mapping ?? guessMapping(csv.headers);
    const { rows, report } = this.plan(csv, mapping, options.consent);
    const total = rows.length;
    await emit('tidings://import-progress', { done: 0, total });
    if (this.importGate) await this.importGate;
    if (!dryRun) {
      for (const r of rows) {
        let id: number | null = null;
        if (r.outcome.kind === 'new') id = this.seed(r.name, r.phone).id;
        if (r.outcome.kind === 'update') {
          id = r.outcome.client_id;
          this.find(id).name = r.name;
        }
        if (r.outcome.kind === 'unchanged') id = r.outcome.client_id;
        const c = options.consent;
        if (c && id !== null && this.find(id).consent[c.purpose] === 'none') {
          this.record(
            {
              client_id: id,
              purpose: c.purpose,
              action: 'granted',
              channel: 'import',
              recorded_by: 'import',
              evidence: c.source,
            },
            `${c.obtained_on}T00:00:00Z`,
          );
        }
      }
    }
    await emit('tidings://import-progress', { done: total, total });
    return { ...report, dry_run: dryRun };
  }
}
