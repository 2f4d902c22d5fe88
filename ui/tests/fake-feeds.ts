// In-memory stand-in for the calendar feed commands. Like the real ones: an address is read
// before it is kept (a test queues what each read answers), a read that fails keeps the last
// good result and says why, and removing keeps the bookings.
import type { CommandName } from '../src/lib/commands';
import { runFake, type FakeCommands } from './fake-commands';
import type { ErrorPayload, Feed, FeedChangeCounts, FeedRead } from '../src/lib/bindings';

function fail(code: ErrorPayload['code'], message: string, field: string | null = null): never {
  throw { code, message, field, related_id: null } satisfies ErrorPayload;
}

export const NO_CHANGES: FeedChangeCounts = {
  created: 0,
  updated: 0,
  unchanged: 0,
  cancelled: 0,
  removed: 0,
  skipped: 0,
  no_client: 0,
};

/** What the next read of a feed finds: changes, or a problem. */
export type NextRead = { changes: Partial<FeedChangeCounts> } | { problem: string };

export class FeedStore {
  feeds: Feed[] = [];
  /** Answers for the next reads, in order; an empty queue reads "no changes". */
  reads: NextRead[] = [];
  /** When set, adding refuses with this message beside the address. */
  refuseAdd: string | null = null;
  now = '2025-06-02T10:00:00Z';
  private nextId = 1;

  handles(cmd: CommandName): boolean {
    return cmd in this.commands;
  }

  handle(cmd: CommandName, args: unknown): unknown {
    return runFake(this.commands, cmd, args);
  }

  private read(feed: Feed): FeedRead {
    const next = this.reads.shift() ?? { changes: {} };
    feed.last_read_at = this.now;
    if ('problem' in next) {
      feed.problem = next.problem;
      return { feed_id: feed.id, name: feed.name, changes: null, problem: next.problem, report: null, removed: [] };
    }
    const changes = { ...NO_CHANGES, ...next.changes };
    feed.problem = null;
    feed.last_ok_at = this.now;
    feed.last_result = changes;
    return { feed_id: feed.id, name: feed.name, changes, problem: null, report: null, removed: [] };
  }

  private byId(a: Record<string, unknown>): Feed {
    const feed = this.feeds.find((f) => f.id === a.id);
    if (!feed) fail('not_found', `There is no feed ${String(a.id)}. It may have been removed; reload the list.`);
    return feed;
  }

  readonly commands: FakeCommands = {
    list_feeds: (): Feed[] => this.feeds.map((f) => ({ ...f })),
    add_feed: (a): FeedRead => {
      const input = a.input as { address: string; name?: string };
      if (this.refuseAdd) fail('invalid_input', this.refuseAdd, 'address');
      const url = input.address.startsWith('http') ? new URL(input.address) : null;
      const feed: Feed = {
        id: this.nextId++,
        kind: url ? 'ics_url' : 'csv_folder',
        name: input.name || (url ? url.hostname : input.address.split('/').pop() || input.address),
        shown: url ? `${url.host}/…/${url.pathname.split('/').pop()}` : input.address,
        created_at: this.now,
        last_read_at: null,
        last_ok_at: null,
        last_result: null,
        problem: null,
        next_read_at: this.now,
      };
      this.feeds.push(feed);
      return this.read(feed);
    },
    sync_feed: (a): FeedRead => this.read(this.byId(a)),
    remove_feed: (a): null => {
      const feed = this.byId(a);
      this.feeds = this.feeds.filter((f) => f !== feed);
      return null;
    },
  };
}
