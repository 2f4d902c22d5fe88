// How a calendar feed's reads are told to the desk, on Settings and on Today alike.
import type { Feed, FeedChangeCounts } from './bindings';
import { dateTime } from './format';

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "2 new, 1 moved or changed, 1 removed" — or "no changes". */
export function describeChanges(c: FeedChangeCounts): string {
  const parts: string[] = [];
  if (c.created) parts.push(`${c.created} new`);
  if (c.updated) parts.push(`${c.updated} moved or changed`);
  if (c.cancelled) parts.push(`${c.cancelled} cancelled`);
  if (c.removed) parts.push(`${c.removed} removed`);
  if (c.skipped + c.no_client) parts.push(`${plural(c.skipped + c.no_client, 'event')} not imported`);
  return parts.length ? parts.join(', ') : 'no changes';
}

/** One line about a feed's last read: when, and what it did or why it failed. */
export function feedStatus(feed: Feed): string {
  if (!feed.last_read_at) return 'Not read yet';
  const when = dateTime(feed.last_read_at);
  if (feed.problem) {
    const good = feed.last_ok_at ? ` Last read that worked: ${dateTime(feed.last_ok_at)}.` : '';
    return `Not read at ${when}: ${feed.problem}${good}`;
  }
  return `Read ${when}: ${feed.last_result ? describeChanges(feed.last_result) : 'no changes'}`;
}
