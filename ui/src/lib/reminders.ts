// Pure helpers for the reminders screen, the template editor and the outbox rows.
import type { MessageStatus, OutboxMessage, SegmentInfo } from './bindings';
import { dateTimeIn } from './time';

/** The variables a template may use, in palette order. */
export const TEMPLATE_VARIABLES = [
  'first_name',
  'business',
  'date',
  'time',
  'weekday',
  'service',
  'staff',
  'location',
  'business_phone',
] as const;

/** How many units the text's current number of segments can hold. */
export function segmentCapacity(info: Pick<SegmentInfo, 'encoding' | 'segments'>): number {
  const n = Math.max(1, info.segments);
  if (info.encoding === 'GSM-7') return n === 1 ? 160 : 153 * n;
  return n === 1 ? 70 : 67 * n;
}

/** "GSM-7 · 1 segment · 96/160". */
export function segmentLabel(info: SegmentInfo, unit = 'segment'): string {
  const n = Math.max(1, info.segments);
  return `${info.encoding} · ${n} ${n === 1 ? unit : `${unit}s`} · ${info.units}/${segmentCapacity(info)}`;
}

/** "24 h before", "1 h 30 min before", "45 min before". */
export function offsetLabel(minutes: number): string {
  return `${duration(minutes)} before`;
}

/** "2 h", "1 h 30 min", "45 min", "0 min". */
export function duration(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h > 0 && m > 0) return `${h} h ${m} min`;
  if (h > 0) return `${h} h`;
  return `${m} min`;
}

export const MESSAGE_STATUS_LABEL: Record<MessageStatus, string> = {
  planned: 'Planned',
  sending: 'Sending',
  retry_wait: 'Retrying',
  scheduled_at_provider: 'Scheduled',
  sent: 'Sent',
  delivered: 'Delivered',
  undelivered: 'Not delivered',
  failed: 'Failed',
  suppressed: 'Not sent',
  cancelled: 'Cancelled',
  received: 'Received',
};

/**
 * What the desk is told about one text, wherever it appears: its status in a word, and for a
 * text still waiting to go, what will happen to it as things stand (the send gate run ahead
 * of time). `blocked` marks a text that will not go unless something changes;
 * `needsConsent` one that recording the customer's consent would let go.
 */
export function messageState(
  m: Pick<OutboxMessage, 'status' | 'reason_text' | 'outlook'>,
  timeZone: string,
): { label: string; note: string | null; blocked: boolean; needsConsent: boolean } {
  const o = m.outlook;
  if (o?.kind === 'wont_go') {
    return { label: "Won't be sent", note: o.text, blocked: true, needsConsent: o.reason === 'no_consent' };
  }
  if (o?.kind === 'moved') {
    return {
      label: MESSAGE_STATUS_LABEL[m.status],
      note: `Goes ${dateTimeIn(o.at, timeZone)} instead: outside the customer's allowed hours`,
      blocked: false,
      needsConsent: false,
    };
  }
  if (o?.kind === 'held') {
    return {
      label: 'On hold',
      note: 'Waits until staff review a possible opt-out in the inbox',
      blocked: true,
      needsConsent: false,
    };
  }
  return { label: MESSAGE_STATUS_LABEL[m.status], note: m.reason_text, blocked: false, needsConsent: false };
}

/** Insert `text` over the selection [start, end) of `value`; returns the new value and caret. */
export function insertAt(value: string, start: number, end: number, text: string): { value: string; caret: number } {
  const s = Math.max(0, Math.min(start, value.length));
  const e = Math.max(s, Math.min(end, value.length));
  return { value: value.slice(0, s) + text + value.slice(e), caret: s + text.length };
}

export type DiffLine = { kind: 'same' | 'added' | 'removed'; text: string };

/** A line diff from `before` to `after` (longest common subsequence of lines). */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before.split('\n');
  const b = after.split('\n');
  // lcs[i][j]: common lines of a[i..] and b[j..].
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => Array.from({ length: b.length + 1 }, () => 0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ kind: 'same', text: a[i] });
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
      out.push({ kind: 'removed', text: a[i++] });
    } else {
      out.push({ kind: 'added', text: b[j++] });
    }
  }
  while (i < a.length) out.push({ kind: 'removed', text: a[i++] });
  while (j < b.length) out.push({ kind: 'added', text: b[j++] });
  return out;
}
