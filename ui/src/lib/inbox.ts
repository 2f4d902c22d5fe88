// Pure helpers for the reply inbox: filters, labels, search snippets and the keyboard guard.
// Customer text only ever passes through here as plain strings; nothing builds markup.
import type { Author, InboxCounts, InboxFilter, MessageStatus, SegmentInfo, ThreadSummary } from './bindings';
import { segmentLabel } from './reminders';
import { deskFormat, safeZone, timeOptions, wallOf } from './time';

/** Longest staff answer, in texts (the engine's MAX_REPLY_SEGMENTS). */
export const MAX_REPLY_SEGMENTS = 3;

export const INBOX_FILTERS: { id: InboxFilter; label: string }[] = [
  { id: 'needs_reply', label: 'Needs reply' },
  { id: 'reschedule', label: 'Reschedule requests' },
  { id: 'possible_opt_out', label: 'Possible opt-outs' },
  { id: 'unknown', label: 'Unknown numbers' },
  { id: 'open', label: 'Open' },
  { id: 'all', label: 'All' },
  { id: 'resolved', label: 'Resolved' },
];

/** The count shown beside a filter, when the backend counts it ("all" and "resolved" it doesn't). */
export function filterCount(counts: InboxCounts | null, filter: InboxFilter): number | null {
  if (counts === null) return null;
  switch (filter) {
    case 'needs_reply':
    case 'reschedule':
    case 'possible_opt_out':
    case 'unknown':
    case 'open':
      return counts[filter];
    default:
      return null;
  }
}

export const AUTHOR_LABEL: Record<Exclude<Author, 'customer'>, string> = {
  staff: 'Staff',
  automatic: 'Automatic reply',
  reminder: 'Reminder',
};

/** Words for how one of our texts fared; null when there is nothing worth saying. */
export function deliveryLabel(status: MessageStatus): string | null {
  switch (status) {
    case 'delivered':
      return 'Delivered';
    case 'sent':
    case 'scheduled_at_provider':
      return 'Sent';
    case 'planned':
    case 'sending':
      return 'Sending';
    case 'retry_wait':
      return 'Retrying';
    case 'failed':
      return 'Failed';
    case 'undelivered':
      return 'Not delivered';
    case 'suppressed':
      return 'Not sent';
    case 'cancelled':
      return 'Cancelled';
    default:
      return null;
  }
}

/** Did this text fail to arrive (shown in the danger colour, with the reason)? */
export function isFailure(status: MessageStatus): boolean {
  return status === 'failed' || status === 'undelivered' || status === 'retry_wait' || status === 'suppressed';
}

/** "GSM-7 · 1 text · 42/160" — the composer's counter. */
export function replyCostLabel(info: SegmentInfo): string {
  return segmentLabel(info, 'text');
}

/** Who a thread is with: the client's name, else the number. */
export function threadTitle(
  t: Pick<ThreadSummary, 'client_name' | 'phone'>,
  formatPhone: (p: string) => string,
): string {
  return t.client_name ?? formatPhone(t.phone);
}

export type SnippetPart = { text: string; match: boolean };

/**
 * A search snippet split into plain-text parts, the matches (between « and ») flagged. A marker
 * out of place (a » with no «, a second «) is kept as an ordinary character.
 */
export function splitSnippet(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  let text = '';
  let inMatch = false;
  const flush = () => {
    if (text !== '') parts.push({ text, match: inMatch });
    text = '';
  };
  for (const ch of snippet) {
    if (ch === '«' && !inMatch) {
      flush();
      inMatch = true;
    } else if (ch === '»' && inMatch) {
      flush();
      inMatch = false;
    } else {
      text += ch;
    }
  }
  if (inMatch) {
    // An unclosed «: show it as written rather than highlighting the rest.
    parts.push({ text: `«${text}`, match: false });
  } else {
    flush();
  }
  return parts;
}

/** "14:05" for today (in the business zone), "Mon 2 Jun" this year, else "2 Jun 2024". */
export function listTime(iso: string, timeZone: string, now: Date = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const zone = safeZone(timeZone);
  const day = wallOf(d, zone).slice(0, 10);
  const today = wallOf(now, zone).slice(0, 10);
  if (day === today) {
    return deskFormat({ timeZone: zone, ...timeOptions() }).format(d);
  }
  const opts: Intl.DateTimeFormatOptions =
    day.slice(0, 4) === today.slice(0, 4)
      ? { timeZone: zone, weekday: 'short', day: 'numeric', month: 'short' }
      : { timeZone: zone, day: 'numeric', month: 'short', year: 'numeric' };
  return deskFormat(opts).format(d);
}

/** Is the key press meant for a field (or a dialog) rather than the inbox's shortcuts? */
export function typingInto(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  if (target.closest('[role="dialog"]')) return true;
  if (target instanceof HTMLElement && target.isContentEditable) return true;
  return target.matches('input, textarea, select, [contenteditable=""], [contenteditable="true"]');
}
