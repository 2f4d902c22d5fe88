// In-memory stand-in for the reply inbox commands. Threads hold their texts; names, consent and
// the next appointment come from the client and appointment fakes, as the real ones come from the
// database. Segment counting is the reminders fake's real GSM-7 / UCS-2 arithmetic.
import type { CommandName } from '../src/lib/commands';
import { runFake, type FakeCommands } from './fake-commands';
import type {
  Appointment,
  Author,
  ErrorPayload,
  InboxCounts,
  InboxFilter,
  InboxSearchHit,
  InboxView,
  MessageStatus,
  QuickReply,
  ThreadSummary,
  ThreadText,
  ThreadView,
} from '../src/lib/bindings';
import type { AppointmentStore } from './fake-appointments';
import type { ClientStore } from './fake-clients';
import { countSegments } from './fake-reminders';

function fail(code: ErrorPayload['code'], message: string, field: string | null = null): never {
  throw { code, message, field, related_id: null } satisfies ErrorPayload;
}

const NOW = '2025-06-02T10:00:00Z';
export const MAX_REPLY_SEGMENTS = 3;
export const FLAG = 'Possible opt-out — review';

export type FakeThread = {
  id: number;
  phone: string;
  client_id: number | null;
  resolved: boolean;
  unread: number;
  assignee: string | null;
  needs_reply: boolean;
  reschedule_requested: boolean;
  possible_opt_out: boolean;
  texts: ThreadText[];
};

export type TextSeed = {
  author?: Author;
  body: string;
  status?: MessageStatus;
  reason_text?: string | null;
  at?: string;
  flagged?: string | null;
};

export type ThreadSeed = Partial<Omit<FakeThread, 'id' | 'texts'>> & { phone: string; texts?: TextSeed[] };

export class InboxStore {
  threads: FakeThread[] = [];
  quickReplies: QuickReply[] = [
    { name: 'Thanks', body: 'Thanks, see you then! Harbour Hair' },
    { name: "We'll call you", body: "Thanks, we'll call you shortly to sort that out. Harbour Hair" },
  ];
  /** Set to make `reply_in_thread` fail with this error (after the usual checks). */
  replyFailWith: ErrorPayload | null = null;
  private nextThread = 1;
  private nextText = 100;

  constructor(
    private clients: ClientStore,
    private appts: AppointmentStore,
  ) {}

  /** Seed a thread; texts default to the customer's, received at NOW, oldest first. */
  seed(seed: ThreadSeed): FakeThread {
    const { texts = [], ...rest } = seed;
    const t: FakeThread = {
      id: this.nextThread++,
      client_id: this.clients.clients.find((c) => c.phone === seed.phone)?.id ?? null,
      resolved: false,
      unread: 0,
      assignee: null,
      needs_reply: false,
      reschedule_requested: false,
      possible_opt_out: false,
      ...rest,
      texts: [],
    };
    for (const s of texts) this.text(t, s);
    this.threads.push(t);
    return t;
  }

  /** Add a text to a thread (a customer text is unread and needs a reply unless said otherwise). */
  text(t: FakeThread, s: TextSeed): ThreadText {
    const author = s.author ?? 'customer';
    const text: ThreadText = {
      id: this.nextText++,
      author,
      body: s.body,
      status: s.status ?? (author === 'customer' ? 'received' : 'delivered'),
      reason_text: s.reason_text ?? null,
      at: s.at ?? NOW,
      flagged: s.flagged ?? null,
    };
    t.texts.push(text);
    return text;
  }

  handles(cmd: CommandName): boolean {
    return cmd in this.commands;
  }

  handle(cmd: CommandName, args: unknown): unknown {
    return runFake(this.commands, cmd, args);
  }

  readonly commands: FakeCommands = {
    get_inbox: (a) => this.inbox(a.filter as InboxFilter),
    get_inbox_counts: () => this.counts(),
    open_thread: (a) => {
      const t = this.find(a.id);
      t.unread = 0;
      return this.view(t);
    },
    reply_in_thread: (a) => this.reply(this.find(a.id), String(a.body ?? '')),
    resolve_thread: (a) => {
      const t = this.find(a.id);
      t.resolved = a.resolved === true;
      if (t.resolved) {
        t.unread = 0;
        t.possible_opt_out = false;
      }
      return this.view(t);
    },
    assign_thread: (a) => {
      const t = this.find(a.id);
      const name = String(a.assignee ?? '')
        .split(/\s+/)
        .filter(Boolean)
        .join(' ');
      if (name.length > 80) fail('invalid_input', 'Keep the name to 80 characters or fewer.', 'assignee');
      t.assignee = name === '' ? null : name;
      return this.view(t);
    },
    review_possible_opt_out: (a) => this.review(this.find(a.id), a.record === true, String(a.recordedBy ?? '')),
    create_client_from_thread: (a) => {
      const t = this.find(a.id);
      if (t.client_id !== null) fail('invalid_input', 'This conversation already belongs to a client.', 'name');
      const client = this.clients.save(null, { name: String(a.name ?? ''), phone: t.phone });
      t.client_id = client.id;
      return this.view(t);
    },
    search_inbox: (a) => this.search(String(a.query ?? '')),
  };

  find(id: unknown): FakeThread {
    return this.threads.find((t) => t.id === id) ?? fail('not_found', 'That conversation is gone; reload the inbox.');
  }

  private clientOf(t: FakeThread) {
    return t.client_id === null ? null : (this.clients.clients.find((c) => c.id === t.client_id) ?? null);
  }

  summary(t: FakeThread): ThreadSummary {
    const last = t.texts.at(-1);
    return {
      id: t.id,
      phone: t.phone,
      client_id: t.client_id,
      client_name: this.clientOf(t)?.name ?? null,
      resolved: t.resolved,
      unread: t.unread,
      assignee: t.assignee,
      needs_reply: t.needs_reply,
      reschedule_requested: t.reschedule_requested,
      possible_opt_out: t.possible_opt_out,
      last_message_at: last?.at ?? NOW,
      last_preview: last?.body.slice(0, 80) ?? '',
    };
  }

  private matches(t: FakeThread, filter: InboxFilter): boolean {
    const open = !t.resolved;
    switch (filter) {
      case 'needs_reply':
        return open && t.needs_reply;
      case 'reschedule':
        return open && t.reschedule_requested;
      case 'possible_opt_out':
        return open && t.possible_opt_out;
      case 'unknown':
        return open && t.client_id === null;
      case 'open':
        return open;
      case 'all':
        return true;
      case 'resolved':
        return t.resolved;
      default:
        return fail('invalid_input', `Unknown filter ${String(filter)}.`, 'filter');
    }
  }

  inbox(filter: InboxFilter): InboxView {
    const threads = this.threads
      .filter((t) => this.matches(t, filter))
      .map((t) => this.summary(t))
      .sort((x, y) => y.last_message_at.localeCompare(x.last_message_at) || y.id - x.id);
    return { threads, counts: this.counts() };
  }

  counts(): InboxCounts {
    const n = (f: InboxFilter) => this.threads.filter((t) => this.matches(t, f)).length;
    return {
      needs_reply: n('needs_reply'),
      reschedule: n('reschedule'),
      possible_opt_out: n('possible_opt_out'),
      unknown: n('unknown'),
      open: n('open'),
      unread: this.threads.filter((t) => !t.resolved).reduce((sum, t) => sum + t.unread, 0),
    };
  }

  private cannotReply(t: FakeThread): string | null {
    const c = this.clientOf(t);
    if (c?.consent.service === 'revoked') {
      return `${c.name} has opted out of texts. Nothing can be sent until they text START.`;
    }
    if (c?.unreachable) return `Texts can't reach ${c.name}'s number. Change the number on the client first.`;
    return null;
  }

  private nextAppointment(t: FakeThread): Appointment | null {
    if (t.client_id === null) return null;
    const live = ['booked', 'confirmed', 'reschedule_requested'];
    return (
      this.appts.appointments
        .filter((a) => a.client_id === t.client_id && a.starts_at > NOW && live.includes(a.status))
        .sort((x, y) => x.starts_at.localeCompare(y.starts_at))[0] ?? null
    );
  }

  view(t: FakeThread): ThreadView {
    return {
      thread: this.summary(t),
      client: this.clientOf(t),
      next_appointment: this.nextAppointment(t),
      texts: t.texts.map((x) => ({ ...x })),
      quick_replies: this.quickReplies,
      cannot_reply: this.cannotReply(t),
    };
  }

  private reply(t: FakeThread, typed: string): ThreadView {
    const body = typed.trim();
    if (body === '') fail('invalid_input', 'Type an answer first.', 'body');
    const cost = countSegments(body);
    if (cost.segments > MAX_REPLY_SEGMENTS) {
      fail('invalid_input', `That answer is ${cost.segments} texts long; keep it to ${MAX_REPLY_SEGMENTS}.`, 'body');
    }
    const refused = this.cannotReply(t);
    if (refused) fail('invalid_input', refused, 'body');
    if (this.replyFailWith) throw this.replyFailWith;
    this.text(t, { author: 'staff', body, status: 'delivered' });
    t.needs_reply = false;
    t.unread = 0;
    return this.view(t);
  }

  private review(t: FakeThread, record: boolean, typedBy: string): ThreadView {
    const by = typedBy.split(/\s+/).filter(Boolean).join(' ');
    if (record) {
      if (by === '') fail('invalid_input', 'Enter the name of the person recording this.', 'recorded_by');
      if (t.client_id === null)
        fail('invalid_input', 'This number has no client yet; create the client first.', 'recorded_by');
      const evidence =
        [...t.texts].reverse().find((x) => x.flagged) ?? [...t.texts].reverse().find((x) => x.author === 'customer');
      for (const purpose of ['service', 'marketing'] as const) {
        this.clients.record({
          client_id: t.client_id,
          purpose,
          action: 'revoked',
          channel: 'sms_keyword',
          recorded_by: by,
          evidence: evidence ? `Texted "${evidence.body}" (reviewed by ${by})` : undefined,
        });
      }
    }
    t.possible_opt_out = false;
    return this.view(t);
  }

  /** Case-insensitive substring search; the match goes between « and », with a little context. */
  search(typed: string): InboxSearchHit[] {
    const q = typed.trim().toLowerCase();
    if (q === '') return [];
    const hits: InboxSearchHit[] = [];
    for (const t of this.threads) {
      for (const x of t.texts) {
        const at = x.body.toLowerCase().indexOf(q);
        if (at < 0) continue;
        const from = Math.max(0, at - 20);
        const to = Math.min(x.body.length, at + q.length + 20);
        const snippet =
          (from > 0 ? '…' : '') +
          x.body.slice(from, at) +
          '«' +
          x.body.slice(at, at + q.length) +
          '»' +
          x.body.slice(at + q.length, to) +
          (to < x.body.length ? '…' : '');
        hits.push({
          message_id: x.id,
          thread_id: t.id,
          phone: t.phone,
          client_name: this.clientOf(t)?.name ?? null,
          snippet,
          at: x.at,
          from_customer: x.author === 'customer',
        });
      }
    }
    return hits.sort((x, y) => y.message_id - x.message_id);
  }
}
