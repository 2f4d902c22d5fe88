// A small in-memory stand-in for the Rust commands, installed with mockIPC.
import { mockIPC } from '@tauri-apps/api/mocks';
import type { CommandArgs, CommandName } from '../src/lib/commands';
import { callsByCommand, runFake, type Call, type CallsByCommand, type FakeCommands } from './fake-commands';
import type {
  BackupInfo,
  BackupStatus,
  DoctorReport,
  ErrorPayload,
  RestorePreview,
  RestoreReport,
  SandboxText,
  Settings,
  SettingsUpdate,
  SetupDefaults,
  SetupInput,
} from '../src/lib/bindings';
import { AppointmentStore } from './fake-appointments';
import { ClientStore } from './fake-clients';
import { FeedStore } from './fake-feeds';
import { InboxStore } from './fake-inbox';
import { InsightsStore } from './fake-insights';
import { ProviderStore } from './fake-provider';
import { ReminderStore } from './fake-reminders';
import { UpdateStore } from './fake-updates';

export type { Call } from './fake-commands';

export function settingsFixture(overrides: Partial<Settings> = {}): Settings {
  return {
    business_name: 'Harbour Hair',
    timezone: 'Europe/London',
    phone_region: 'GB',
    quiet_hours: { start: '21:00', end: '08:00' },
    caps: { max_texts_per_day: 2, max_texts_per_week: 5 },
    provider: 'sandbox',
    setup_completed_at: '2025-06-01T09:00:00Z',
    no_sundays: false,
    business_phone: '01632 960000',
    backup_folder: '',
    twilio: null,
    send_rate_per_second: 1,
    send_keyword_replies_with_twilio: false,
    follow_up_hours: null,
    ...overrides,
  };
}

export const defaultsFixture: SetupDefaults = {
  timezone: 'Europe/London',
  phone_region: 'GB',
  zones: [
    { id: 'Europe/London', country: 'GB', comment: null },
    { id: 'Europe/Dublin', country: 'IE', comment: null },
    { id: 'America/New_York', country: 'US', comment: 'Eastern (most areas)' },
    { id: 'America/Chicago', country: 'US', comment: 'Central (most areas)' },
    { id: 'America/Los_Angeles', country: 'US', comment: 'Pacific' },
    { id: 'Asia/Tokyo', country: 'JP', comment: null },
    { id: 'Australia/Sydney', country: 'AU', comment: 'New South Wales (most areas)' },
  ],
  regions: [
    { code: 'GB', calling_code: 44, example_national: '07400 123456', example_international: '+44 7400 123456' },
    { code: 'IE', calling_code: 353, example_national: '085 012 3456', example_international: '+353 85 012 3456' },
    { code: 'US', calling_code: 1, example_national: '(201) 555-0123', example_international: '+1 201-555-0123' },
    { code: 'AU', calling_code: 61, example_national: '0412 345 678', example_international: '+61 412 345 678' },
  ],
};

export const DEFAULT_BACKUP_FOLDER = '/home/desk/.local/share/tidings/backups';

export function backupFixture(overrides: Partial<BackupInfo> = {}): BackupInfo {
  return {
    path: `${DEFAULT_BACKUP_FOLDER}/tidings-2025-06-02-daily.sqlite3`,
    bytes: 512 * 1024,
    created_at: '2025-06-02T08:00:00Z',
    reason: 'daily',
    verified: true,
    error: null,
    ...overrides,
  };
}

/** Backups on "disk", newest first; `overdue` is set by the test, cleared by a good backup. */
export class BackupStore {
  recent: BackupInfo[] = [backupFixture()];
  overdue = false;
  /** Set to make `backup_now` fail with this error. */
  failWith: ErrorPayload | null = null;
  /** Set to make `preview_restore` (and so `restore_backup`) fail with this error. */
  previewFailWith: ErrorPayload | null = null;
  /** Set to make `restore_backup` fail with this error after a good preview. */
  restoreFailWith: ErrorPayload | null = null;
  private n = 0;

  constructor(private folderSetting: () => string) {}

  folder(): string {
    return this.folderSetting() || DEFAULT_BACKUP_FOLDER;
  }

  status(): BackupStatus {
    return {
      folder: this.folder(),
      last_good: this.recent.find((b) => b.verified && b.error === null) ?? null,
      recent: this.recent,
      overdue: this.overdue,
    };
  }

  backupNow(): BackupInfo {
    if (this.failWith) throw this.failWith;
    this.n += 1;
    const info = backupFixture({
      path: `${this.folder()}/tidings-2025-06-03-manual-${this.n}.sqlite3`,
      bytes: 3 * 1024 * 1024 + 512 * 1024,
      created_at: '2025-06-03T13:05:00Z',
      reason: 'manual',
    });
    this.recent = [info, ...this.recent];
    this.overdue = false;
    return info;
  }

  previewRestore(path: string): RestorePreview {
    if (this.previewFailWith) throw this.previewFailWith;
    const known = this.recent.find((b) => b.path === path);
    return {
      path,
      created_at: known ? known.created_at : null,
      schema_version: 1,
      clients: 42,
      appointments: 118,
      messages: 230,
      consent_events: 57,
    };
  }

  /** Texts sent after the backup that a restore keeps. */
  keptTexts = 2;

  /** Like the real one: the current data is backed up first. */
  restore(path: string): RestoreReport {
    const restored = this.previewRestore(path);
    if (this.restoreFailWith) throw this.restoreFailWith;
    const safety = backupFixture({
      path: `${this.folder()}/tidings-2025-06-03-pre-restore.sqlite3`,
      created_at: '2025-06-03T13:10:00Z',
      reason: 'manual',
    });
    this.recent = [safety, ...this.recent];
    return {
      restored,
      safety_backup: safety,
      reconciled: 0,
      kept: { texts: this.keptTexts, replies: 1, consent_events: 0 },
    };
  }
}

/** The simulated carrier: texts per E.164 number, oldest first. */
export class SandboxStore {
  texts = new Map<string, SandboxText[]>();
  /** Set to make `sandbox_send` fail with this error. */
  sendFailWith: ErrorPayload | null = null;

  conversation(phone: string): SandboxText[] {
    return [...(this.texts.get(phone) ?? [])];
  }

  add(phone: string, text: SandboxText): void {
    this.texts.set(phone, [...(this.texts.get(phone) ?? []), text]);
  }

  /** Like the real one: an empty text is refused; no replies are routed here. */
  send(phone: string, text: string): number {
    if (this.sendFailWith) throw this.sendFailWith;
    if (text.trim() === '') rejectWith('invalid_input', 'Type a text to send.', 'text');
    if (!/^\+\d{7,15}$/.test(phone)) rejectWith('invalid_input', 'That is not a phone number.', 'phone');
    this.add(phone, { from_customer: true, body: text, status: 'received', at: '2025-06-03T13:05:00Z' });
    return 0;
  }
}

/** Whether the OS starts Tidings at login (the autostart entry). */
export class LoginStore {
  enabled = false;
  /** Set to make `get_open_at_login` fail with this error. */
  getFailWith: ErrorPayload | null = null;
  /** Set to make `set_open_at_login` fail with this error (the state stays as it was). */
  setFailWith: ErrorPayload | null = null;

  get(): boolean {
    if (this.getFailWith) throw this.getFailWith;
    return this.enabled;
  }

  /** Like the real one: resolves to the state now in effect. */
  set(enabled: boolean): boolean {
    if (this.setFailWith) throw this.setFailWith;
    this.enabled = enabled;
    return this.enabled;
  }
}

export type Backend = {
  calls: Call[];
  settings: Settings;
  /** Clients, consent ledgers, disclosures and staged imports. */
  store: ClientStore;
  /** Appointments, services, staff, today and appointment imports. */
  appts: AppointmentStore;
  /** Templates, reminder rules, presets and the outbox. */
  reminders: ReminderStore;
  backups: BackupStore;
  /** The Sandbox carrier's conversations. */
  sandbox: SandboxStore;
  /** Settings › Provider: Twilio settings, the pretend keyring, pauses and test texts. */
  provider: ProviderStore;
  /** Settings › Open Tidings when I log in. */
  login: LoginStore;
  /** The reply inbox: threads, their texts, answers, search. */
  inbox: InboxStore;
  /** Status updates and day-wide notices. */
  updates: UpdateStore;
  /** The Insights figures and their CSV export. */
  insights: InsightsStore;
  /** Settings › Calendar feeds, and their status on Today. */
  feeds: FeedStore;
  /** Set to make `export_all_data` fail with this error. */
  exportFailure?: unknown;
  /** The calls made so far, by command: `backend.called.list_clients`. */
  called: CallsByCommand;
};

type Handlers = {
  settings?: Settings;
  defaults?: SetupDefaults;
  getSettings?: (b: Backend) => Settings;
  completeSetup?: (input: SetupInput, b: Backend) => Settings;
  updateSettings?: (update: SettingsUpdate, b: Backend) => Settings;
  /** Replace any command; return undefined to fall through to the default fake. */
  commands?: { [K in CommandName]?: (args: CommandArgs[K], b: Backend) => unknown };
};

export function rejectWith(
  code: ErrorPayload['code'],
  message: string,
  field: string | null = null,
  related_id: number | null = null,
): never {
  throw { code, message, field, related_id } satisfies ErrorPayload;
}

export function fakeBackend(h: Handlers = {}): Backend {
  const backend: Backend = {
    calls: [],
    settings: h.settings ?? settingsFixture(),
    store: new ClientStore(() => backend.settings.business_name),
    appts: undefined as unknown as AppointmentStore,
    reminders: new ReminderStore(),
    backups: new BackupStore(() => backend.settings.backup_folder),
    sandbox: new SandboxStore(),
    provider: undefined as unknown as ProviderStore,
    login: new LoginStore(),
    inbox: undefined as unknown as InboxStore,
    updates: undefined as unknown as UpdateStore,
    insights: new InsightsStore(),
    feeds: new FeedStore(),
    called: undefined as unknown as CallsByCommand,
  };
  backend.called = callsByCommand(backend.calls);
  backend.appts = new AppointmentStore(backend.store);
  backend.inbox = new InboxStore(backend.store, backend.appts);
  backend.updates = new UpdateStore(
    backend.store,
    backend.appts,
    backend.reminders,
    () => backend.settings.business_name,
  );
  backend.provider = new ProviderStore(
    () => backend.settings,
    (s) => (backend.settings = s),
    backend.reminders,
  );
  const doctor = (): DoctorReport => ({
    db_path: '/home/desk/.local/share/tidings/tidings.sqlite3',
    schema_version: 1,
    schema_version_supported: 1,
    provider: backend.settings.provider,
    sandbox: backend.settings.provider === 'sandbox',
    setup_complete: backend.settings.setup_completed_at !== null,
    business_name: backend.settings.business_name,
    keyring: 'not needed',
    version: '0.1.0',
    build: '1a2b3c4d5',
    profile: 'release',
  });

  const core: FakeCommands = {
    get_settings: () => (h.getSettings ? h.getSettings(backend) : backend.settings),
    get_setup_defaults: () => h.defaults ?? defaultsFixture,
    get_doctor: () => doctor(),
    sandbox_conversation: (a) => backend.sandbox.conversation(a.phone),
    sandbox_send: (a) => backend.sandbox.send(a.phone, a.text),
    get_open_at_login: () => backend.login.get(),
    set_open_at_login: (a) => backend.login.set(a.enabled),
    get_backup_status: () => backend.backups.status(),
    backup_now: () => backend.backups.backupNow(),
    preview_restore: (a) => backend.backups.previewRestore(a.path),
    restore_backup: (a) => backend.backups.restore(a.path),
    export_all_data: () => {
      if (backend.exportFailure) throw backend.exportFailure;
      return {
        path: '/home/desk/Downloads/tidings-export-2025-06-02.zip',
        clients: 3,
        appointments: 5,
        texts: 8,
        consent_events: 2,
      };
    },
    complete_setup: (a) => {
      const input = a?.input as SetupInput;
      backend.settings = h.completeSetup
        ? h.completeSetup(input, backend)
        : { ...backend.settings, ...input, setup_completed_at: '2025-06-01T09:00:00Z' };
      return backend.settings;
    },
    update_settings: (a) => {
      const update = a?.update as SettingsUpdate;
      if (h.updateSettings) {
        backend.settings = h.updateSettings(update, backend);
      } else {
        const s = backend.settings;
        backend.settings = {
          ...s,
          ...update,
          caps: update.caps
            ? {
                max_texts_per_day: update.caps.max_texts_per_day || s.caps.max_texts_per_day,
                max_texts_per_week: update.caps.max_texts_per_week || s.caps.max_texts_per_week,
              }
            : s.caps,
        };
      }
      return backend.settings;
    },
  };

  mockIPC(
    (command, args) => {
      // mockIPC gives any string; a command the list lacks fails below like a real unknown one.
      const cmd = command as CommandName;
      backend.calls.push({ cmd, args: args as CommandArgs[typeof cmd] });
      const override = h.commands?.[cmd] as ((a: unknown, b: Backend) => unknown) | undefined;
      const custom = override?.(args ?? {}, backend);
      if (custom !== undefined) return custom;
      if (backend.store.handles(cmd)) return backend.store.handle(cmd, args);
      if (backend.appts.handles(cmd)) return backend.appts.handle(cmd, args);
      if (backend.reminders.handles(cmd)) return backend.reminders.handle(cmd, args);
      if (backend.provider.handles(cmd)) return backend.provider.handle(cmd, args);
      if (backend.inbox.handles(cmd)) return backend.inbox.handle(cmd, args);
      if (backend.updates.handles(cmd)) return backend.updates.handle(cmd, args);
      if (backend.insights.handles(cmd)) return backend.insights.handle(cmd, args);
      if (backend.feeds.handles(cmd)) return backend.feeds.handle(cmd, args);
      if (cmd in core) return runFake(core, cmd, args);
      throw `unknown command ${cmd}`;
    },
    { shouldMockEvents: true },
  );
  return backend;
}
