// In-memory stand-in for Settings › Provider: the Twilio settings live in the settings, secrets in
// a pretend keyring, and test texts land in the reminders outbox like the real ones do.
import type { CommandName } from '../src/lib/commands';
import { runFake, type FakeCommands } from './fake-commands';
import type {
  ConnectionCheck,
  ErrorPayload,
  KeyringState,
  MessageStatus,
  OutboxMessage,
  ProviderView,
  Settings,
  SmsGateInput,
  SmsGateSettings,
  TwilioInput,
  TwilioSettings,
} from '../src/lib/bindings';
import type { ReminderStore } from './fake-reminders';

function fail(code: ErrorPayload['code'], message: string, field: string | null = null): never {
  throw { code, message, field, related_id: null } satisfies ErrorPayload;
}

export const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
export const API_KEY_SID = 'SK0123456789abcdef0123456789abcdef';
export const SERVICE_SID = 'MG0123456789abcdef0123456789abcdef';

function sid(text: string, prefix: string): string | null {
  const t = text.trim();
  return new RegExp(`^${prefix}[0-9a-fA-F]{32}$`).test(t) ? t : null;
}

function filled(value: string | undefined): string | null {
  const v = value?.trim() ?? '';
  return v === '' ? null : v;
}

function keyringAccount(t: TwilioSettings): string {
  return `twilio:${t.account_sid}:${t.api_key_sid ?? 'auth-token'}`;
}

export class ProviderStore {
  /** The pretend OS keyring: account → secret. */
  secrets = new Map<string, string>();
  keyring: KeyringState = 'available';
  keyringMessage: string | null = null;
  paused: string | null = null;
  /** Since when the provider has not answered (Today warns after 5 minutes). */
  silentSince: string | null = null;
  /** Set to make test_twilio_connection and connect_twilio fail after the form checks out. */
  failWith: ErrorPayload | null = null;
  /** What Twilio says about the account. */
  account: ConnectionCheck = { account_name: 'Harbour Hair', account_status: 'active' };
  /** What a test text comes back as. */
  testStatus: MessageStatus = 'sent';

  constructor(
    private settings: () => Settings,
    private save: (s: Settings) => void,
    private reminders: ReminderStore,
  ) {}

  /** Seed a connected account whose secret is in the keyring. */
  connect(twilio: Partial<TwilioSettings> = {}, secret = 'stored-secret'): TwilioSettings {
    const t: TwilioSettings = {
      account_sid: ACCOUNT_SID,
      api_key_sid: API_KEY_SID,
      from_number: '+14155552671',
      messaging_service_sid: null,
      base_url: null,
      ...twilio,
    };
    this.secrets.set(keyringAccount(t), secret);
    this.save({ ...this.settings(), provider: 'twilio', twilio: t });
    return t;
  }

  view(): ProviderView {
    const s = this.settings();
    const t = s.twilio ?? null;
    return {
      kind: s.provider,
      twilio: t,
      secret_stored: t !== null && this.secrets.has(keyringAccount(t)),
      smsgate: s.smsgate ?? null,
      smsgate_password_stored: !!s.smsgate,
      keyring: this.keyring,
      keyring_message: this.keyringMessage,
      paused: this.paused,
      silent_since: this.silentSince,
      send_rate_per_second: s.send_rate_per_second ?? 1,
      hands_off: s.provider === 'twilio' && !!t?.messaging_service_sid,
    };
  }

  /** Like SmsGateInput::validate and the phone's sign-in: plain http only on the local network. */
  private gateway(input: SmsGateInput): SmsGateSettings {
    const base = input.base_url.includes('://') ? input.base_url : `http://${input.base_url}`;
    if (!/^http:\/\/(192\.168\.|10\.|127\.|localhost)/.test(base) && !base.startsWith('https://')) {
      throw {
        code: 'invalid_input',
        message: 'Plain http:// only reaches a phone on this network.',
        field: 'base_url',
        related_id: null,
      } satisfies ErrorPayload;
    }
    if (input.password === 'wrong') {
      throw {
        code: 'credentials_rejected',
        message: 'The SMS provider rejected the credentials. Sending is paused until they are updated in Settings.',
        field: null,
        related_id: null,
      } satisfies ErrorPayload;
    }
    return {
      base_url: base.replace(/\/+$/, ''),
      username: input.username,
      seconds_between_texts: input.seconds_between_texts ?? 4,
    };
  }

  /** Like TwilioInput::validate plus the secret lookup. */
  private check(input: TwilioInput): [TwilioSettings, string] {
    const account_sid =
      sid(input.account_sid, 'AC') ??
      fail(
        'invalid_input',
        "The Account SID starts with AC followed by 32 letters and digits; copy it from the Twilio Console's home page.",
        'account_sid',
      );
    const key = filled(input.api_key_sid);
    const api_key_sid = key
      ? (sid(key, 'SK') ??
        fail(
          'invalid_input',
          'An API key SID starts with SK followed by 32 letters and digits; leave it empty to sign in with the Auth Token instead.',
          'api_key_sid',
        ))
      : null;
    const from = filled(input.from_number);
    const mg = filled(input.messaging_service_sid);
    if (!from && !mg)
      fail('invalid_input', 'Give either the Twilio number texts come from or a Messaging Service SID.', 'from_number');
    if (from && mg)
      fail(
        'invalid_input',
        'Give the Twilio number or the Messaging Service, not both: Tidings sends from exactly one.',
        'from_number',
      );
    if (from && !/^\+\d{7,15}$/.test(from)) {
      fail('invalid_input', "The sending number doesn't read as a phone number: too short", 'from_number');
    }
    const messaging_service_sid = mg
      ? (sid(mg, 'MG') ??
        fail(
          'invalid_input',
          'A Messaging Service SID starts with MG followed by 32 letters and digits.',
          'messaging_service_sid',
        ))
      : null;
    const base = filled(input.base_url);
    if (base && !base.startsWith('https://') && !base.startsWith('http://127.0.0.1')) {
      fail(
        'invalid_input',
        'The API address must start with https:// (or http:// for a server on this computer).',
        'base_url',
      );
    }
    const settings: TwilioSettings = {
      account_sid,
      api_key_sid,
      from_number: from,
      messaging_service_sid,
      base_url: base,
    };
    const typed = input.secret.trim();
    const secret =
      typed ||
      this.secrets.get(keyringAccount(settings)) ||
      fail(
        'invalid_input',
        "Enter the secret: the API key's secret, or the Auth Token when no API key is given.",
        'secret',
      );
    return [settings, secret];
  }

  handles(cmd: CommandName): boolean {
    return cmd in this.commands;
  }

  handle(cmd: CommandName, args: unknown): unknown {
    return runFake(this.commands, cmd, args);
  }

  readonly commands: FakeCommands = {
    get_provider: () => this.view(),
    get_provider_health: () => ({ kind: this.settings().provider, silent_since: this.silentSince }),
    test_smsgate_connection: (a) => {
      this.gateway(a.input as SmsGateInput);
      return { version: '1.40.0', warnings: ['Battery level in percent: 12 percent'] };
    },
    connect_smsgate: (a) => {
      const gateway = this.gateway(a.input as SmsGateInput);
      this.save({ ...this.settings(), provider: 'smsgate', smsgate: gateway });
      this.paused = null;
      return this.view();
    },
    test_twilio_connection: (a) => {
      this.check(a.input as TwilioInput);
      if (this.failWith) throw this.failWith;
      return { ...this.account };
    },
    connect_twilio: (a) => {
      const [twilio, secret] = this.check(a.input as TwilioInput);
      if (this.failWith) throw this.failWith;
      this.secrets.set(keyringAccount(twilio), secret);
      this.save({ ...this.settings(), provider: 'twilio', twilio });
      this.paused = null;
      return this.view();
    },
    use_sandbox: (a) => {
      const s = this.settings();
      let twilio = s.twilio ?? null;
      if (a.forget === true) {
        if (twilio) this.secrets.delete(keyringAccount(twilio));
        twilio = null;
      }
      this.save({ ...s, provider: 'sandbox', twilio });
      this.paused = null;
      return this.view();
    },
    resume_sending: () => {
      this.paused = null;
      return this.view();
    },
    send_test_text: (a) => {
      const to = String(a.to ?? '').trim();
      if (!/^\+\d{7,15}$/.test(to)) fail('invalid_input', "That doesn't look like a mobile number.", 'to');
      const m: OutboxMessage = this.reminders.message({
        appointment_id: null,
        appointment_starts_at: null,
        rule_name: null,
        client_id: null,
        client_name: '',
        to,
        status: this.testStatus,
        send_at: null,
        sent_at: '2025-06-02T10:00:00Z',
        body: 'Test text from Harbour Hair via Tidings.',
      });
      return { ...m };
    },
  };
}
