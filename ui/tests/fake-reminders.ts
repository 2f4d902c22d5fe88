// In-memory stand-in for templates, reminder rules, presets and the outbox. Segment counting is
// real GSM-7 / UCS-2 arithmetic on the rendered text; rendering fills variables from a sample.
import type { CommandName } from '../src/lib/commands';
import { runFake, type FakeCommands } from './fake-commands';
import type {
  ErrorPayload,
  OutboxMessage,
  Preset,
  PresetInfo,
  ReminderRule,
  ReminderRuleInput,
  SegmentInfo,
  Template,
  TemplatePreview,
  TemplateVersion,
} from '../src/lib/bindings';

function fail(code: ErrorPayload['code'], message: string, field: string | null = null): never {
  throw { code, message, field, related_id: null } satisfies ErrorPayload;
}

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '^{}\\[~]|€\f';

export function countSegments(text: string): SegmentInfo {
  const nonGsm: string[] = [];
  let septets = 0;
  for (const ch of text) {
    if (GSM_BASIC.includes(ch)) septets += 1;
    else if (GSM_EXTENDED.includes(ch)) septets += 2;
    else if (!nonGsm.includes(ch)) nonGsm.push(ch);
  }
  if (nonGsm.length === 0) {
    const segments = septets <= 160 ? 1 : Math.ceil(septets / 153);
    const cap = segments === 1 ? 160 : segments * 153;
    return { encoding: 'GSM-7', segments, units: septets, non_gsm: [], remaining: cap - septets };
  }
  const units = text.length; // UTF-16 code units
  const segments = units <= 70 ? 1 : Math.ceil(units / 67);
  const cap = segments === 1 ? 70 : segments * 67;
  return { encoding: 'UCS-2', segments, units, non_gsm: nonGsm, remaining: cap - units };
}

export function fixPunctuation(text: string): string {
  return text
    .replace(/[‘’]/g, "'")
    .replace(/[“”]/g, '"')
    .replace(/[–—]/g, '-')
    .replace(/…/g, '...')
    .replace(/\u00a0/g, ' ');
}

export const SAMPLE: Record<string, string> = {
  first_name: 'Ann',
  business: 'Harbour Hair',
  date: '3 June',
  time: '10:00',
  weekday: 'Tuesday',
  service: 'Cut',
  staff: 'Jo',
  location: 'Quay Street',
  business_phone: '01632 960000',
};

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array.from({ length: b.length }, () => 0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

export function render(body: string): string {
  return body.replace(/\{([^{}]*)\}/g, (_, name: string) => {
    if (name in SAMPLE) return SAMPLE[name];
    const best = Object.keys(SAMPLE).sort((x, y) => distance(name, x) - distance(name, y))[0];
    fail('invalid_input', `Unknown variable {${name}}. Did you mean {${best}}?`, 'body');
  });
}

const PRESETS: PresetInfo[] = [
  { preset: 'standard', name: 'Standard', description: '24 h before asking YES/NO, and 2 h before.' },
  { preset: 'clinic', name: 'Clinic', description: '48 h and 24 h before; at most 1 text a day and 3 a week.' },
  { preset: 'light', name: 'Light', description: '24 h before only.' },
];

const NOW = '2025-06-02T10:00:00Z';

export class ReminderStore {
  templates: Template[] = [];
  versions: TemplateVersion[] = [];
  rules: ReminderRule[] = [];
  outbox: OutboxMessage[] = [];
  /** Whose appointment previews use. */
  sampleOf = 'Ann Carter (Tue 3 Jun, 10:00)';
  private nextId = 1;

  constructor() {
    this.template(
      'reminder_confirm',
      'Reminder asking YES/NO',
      'Hi {first_name}, see you {weekday} at {time} at {business}. Reply YES to confirm or NO to change.',
    );
    this.template(
      'reminder_plain',
      'Reminder',
      'Hi {first_name}, a reminder of your {service} at {time} today at {business}.',
    );
    this.template(
      'help_reply',
      'Help reply',
      '{business}: call us on {business_phone}. Reply STOP to opt out.',
      'help_reply',
    );
  }

  template(key: string, name: string, body: string, kind: Template['kind'] = 'reminder'): Template {
    const id = this.nextId++;
    const t: Template = {
      id,
      key,
      kind,
      name,
      purpose: 'service',
      version: 1,
      version_id: this.nextId++,
      body,
      translations: {},
      updated_at: NOW,
    };
    this.templates.push(t);
    this.versions.push({
      id: t.version_id,
      template_id: id,
      version: 1,
      body,
      translations: {},
      created_at: NOW,
      created_by: 'Tidings',
    });
    return t;
  }

  /** Seed an outbox row; defaults make a planned reminder for Ann. */
  message(extra: Partial<OutboxMessage> = {}): OutboxMessage {
    const m: OutboxMessage = {
      id: this.nextId++,
      appointment_id: 1,
      appointment_starts_at: '2025-06-03T09:00:00Z',
      rule_id: null,
      rule_name: 'Day before',
      client_id: 1,
      client_name: 'Ann Carter',
      to: '+447400123456',
      status: 'planned',
      reason: null,
      reason_text: null,
      send_at: '2025-06-02T09:00:00Z',
      sent_at: null,
      body: '',
      segments: 1,
      encoding: 'GSM-7',
      template_version: null,
      // What the gate says ahead of time: a waiting text goes unless a test says otherwise.
      outlook:
        extra.status === undefined || extra.status === 'planned' || extra.status === 'retry_wait'
          ? { kind: 'goes' }
          : null,
      ...extra,
    };
    this.outbox.push(m);
    return m;
  }

  handles(cmd: CommandName): boolean {
    return cmd in this.commands;
  }

  handle(cmd: CommandName, args: unknown): unknown {
    return runFake(this.commands, cmd, args);
  }

  private findTemplate(id: unknown): Template {
    return this.templates.find((t) => t.id === id) ?? fail('not_found', 'That template no longer exists.');
  }

  private findMessage(id: unknown): OutboxMessage {
    return this.outbox.find((m) => m.id === id) ?? fail('not_found', 'That text no longer exists.');
  }

  private newVersion(t: Template, body: string, translations?: Record<string, string>): Template {
    render(body);
    const kept: Record<string, string> = {};
    for (const [code, text] of Object.entries(translations ?? t.translations)) {
      if (text?.trim()) kept[code] = render(text) && text.trim();
    }
    t.version += 1;
    t.version_id = this.nextId++;
    t.body = body;
    t.translations = kept;
    t.updated_at = NOW;
    this.versions.push({
      id: t.version_id,
      template_id: t.id,
      version: t.version,
      body,
      translations: kept,
      created_at: NOW,
      created_by: 'desk',
    });
    return { ...t, translations: { ...kept } };
  }

  private rule(input: Omit<ReminderRuleInput, 'id'>): ReminderRule {
    const t = this.findTemplate(input.template_id);
    return { ...input, id: this.nextId++, template_name: t.name };
  }

  readonly commands: FakeCommands = {
    count_segments: (a) => countSegments(String(a.text)),
    fix_punctuation: (a) => fixPunctuation(String(a.text)),
    list_templates: () => this.templates.map((t) => ({ ...t, translations: { ...t.translations } })),
    template_history: (a) =>
      this.versions.filter((v) => v.template_id === a.templateId).sort((x, y) => y.version - x.version),
    save_template: (a) => this.newVersion(this.findTemplate(a.templateId), String(a.body), a.translations ?? undefined),
    restore_template_version: (a) => {
      const t = this.findTemplate(a.templateId);
      const v =
        this.versions.find((x) => x.template_id === t.id && x.version === a.version) ??
        fail('not_found', 'No such version.');
      return this.newVersion(t, v.body, v.translations as Record<string, string>);
    },
    preview_template: (a): TemplatePreview => {
      const body = String(a.body);
      const text = render(body);
      const warnings = /STOP|ALTO/.test(body) ? [] : ['No opt-out hint: consider adding "Reply STOP to opt out".'];
      return { text, sample_of: this.sampleOf, segments: countSegments(text), warnings };
    },
    list_presets: () => PRESETS,
    apply_preset: (a) => {
      const preset = a.preset as Preset;
      const [confirm, plain] = this.templates;
      const day = { min_lead_minutes: 120, enabled: true };
      const specs: Record<Preset, Omit<ReminderRuleInput, 'id'>[]> = {
        standard: [
          { ...day, name: 'Day before', offset_minutes: 1440, template_id: confirm.id, asks_confirmation: true },
          {
            ...day,
            name: 'Two hours before',
            offset_minutes: 120,
            min_lead_minutes: 30,
            template_id: plain.id,
            asks_confirmation: false,
          },
        ],
        clinic: [
          { ...day, name: 'Two days before', offset_minutes: 2880, template_id: confirm.id, asks_confirmation: true },
          { ...day, name: 'Day before', offset_minutes: 1440, template_id: plain.id, asks_confirmation: false },
        ],
        light: [{ ...day, name: 'Day before', offset_minutes: 1440, template_id: plain.id, asks_confirmation: false }],
      };
      if (!specs[preset]) fail('invalid_input', 'Unknown preset.', 'preset');
      this.rules = specs[preset].map((s) => this.rule(s));
      return this.rules.map((r) => ({ ...r }));
    },
    list_reminder_rules: () => this.rules.map((r) => ({ ...r })),
    save_reminder_rule: (a) => {
      const input = a.input as ReminderRuleInput;
      if (input.name.trim() === '') fail('invalid_input', 'Give the rule a name.', 'name');
      if (input.offset_minutes < 5) fail('invalid_input', 'Send at least 5 minutes before.', 'offset_minutes');
      const saved = this.rule(input);
      if (input.id === undefined) {
        this.rules.push(saved);
        return saved;
      }
      const i = this.rules.findIndex((r) => r.id === input.id);
      if (i < 0) fail('not_found', 'That rule no longer exists.');
      this.rules[i] = { ...saved, id: input.id };
      return { ...this.rules[i] };
    },
    list_outbox: (a) =>
      this.outbox.filter((m) => a.appointmentId == null || m.appointment_id === a.appointmentId).map((m) => ({ ...m })),
    skip_message: (a) => {
      const m = this.findMessage(a.id);
      Object.assign(m, {
        status: 'suppressed',
        reason: 'staff_cancelled',
        reason_text: 'Skipped by the desk.',
        outlook: null,
      });
      return { ...m };
    },
    send_message_now: (a) => {
      const m = this.findMessage(a.id);
      Object.assign(m, { status: 'sent', sent_at: NOW, outlook: null });
      return { ...m };
    },
  };
}
