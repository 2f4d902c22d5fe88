// The UI's one way to show data from the backend: a resource loads, loads again when a change
// it declares arrives (from this window, another window or another process), keeps only the
// newest answer when loads overlap, and says the same things everywhere: `loading` until the
// first answer, `error` when the last load failed (the last good `value` stays on screen).
import { untrack } from 'svelte';
import { onChanges, touches, type ChangeKind } from './api';
import type { ChangeBatch } from './bindings';
import { toApiError, type ApiError } from './errors';

export type ResourceOptions = {
  /** Load again when a change batch touches one of these kinds. */
  on?: readonly ChangeKind[];
  /** Or decide from the whole batch (a change to this appointment, say). */
  when?: (batch: ChangeBatch) => boolean;
  /** Wait for `refresh()` instead of loading at once. */
  lazy?: boolean;
};

/**
 * For answers that are not a resource (a live preview as the desk types): only the newest of
 * overlapping requests may land. `const current = previews.next(); …await…; if (!current()) return;`
 */
export class Latest {
  #n = 0;

  /** Starts a request; the function says whether it is still the newest. */
  next(): () => boolean {
    const mine = ++this.#n;
    return () => mine === this.#n;
  }

  /** Makes every request on its way stale (a newer value came another way). */
  drop(): void {
    this.#n++;
  }
}

export class Resource<T> {
  /** The newest answer; kept while a later load runs or after it fails. */
  value = $state<T | undefined>(undefined);
  /** Why the last load failed, or null. */
  error = $state<ApiError | null>(null);
  /** True while a load is on its way. */
  loading = $state(false);
  /** True once any load has answered (well or not): "nothing yet" vs "still loading". */
  loaded = $state(false);

  #load: () => Promise<T>;
  #latest = new Latest();

  constructor(load: () => Promise<T>) {
    this.#load = load;
  }

  /** The error's message, or '' (for the screens' one-line error notes). */
  get message(): string {
    return this.error?.message ?? '';
  }

  /** Loads now. An answer that comes back after a newer load was started is dropped. */
  async refresh(): Promise<void> {
    const current = this.#latest.next();
    this.loading = true;
    try {
      const value = await this.#load();
      if (!current()) return;
      this.value = value;
      this.error = null;
    } catch (err) {
      if (current()) this.error = toApiError(err);
    } finally {
      if (current()) {
        this.loading = false;
        this.loaded = true;
      }
    }
  }

  /** Puts a value the screen already has (a command's answer) in place of the loaded one. */
  set(value: T): void {
    this.#latest.drop(); // An older load still on its way must not overwrite it.
    this.value = value;
    this.error = null;
    this.loading = false;
    this.loaded = true;
  }
}

/**
 * For what is not a resource (the calendar library's own fetch, a badge): runs `handler` for
 * each change batch touching `kinds` while the calling component lives.
 */
export function whenChanged(kinds: readonly ChangeKind[], handler: (batch: ChangeBatch) => void): void {
  $effect(() => {
    const unlisten = onChanges((batch) => {
      if (touches(batch, kinds)) untrack(() => handler(batch));
    });
    return () => {
      unlisten.then(
        (u) => u(),
        () => {},
      );
    };
  });
}

/**
 * A resource for a component: call it in the component's script. It loads at once (unless
 * `lazy`), and again whenever the reactive values `load` reads before its first `await` change
 * (an id from props, say), or a declared change arrives. It stops listening when the component
 * goes away.
 */
export function resource<T>(load: () => Promise<T>, options: ResourceOptions = {}): Resource<T> {
  const r = new Resource(load);
  if (!options.lazy) {
    $effect(() => {
      // `load` runs inside `refresh`; what it reads synchronously is what this effect follows.
      void r.refresh();
    });
  }
  const { on, when } = options;
  if (on || when) {
    $effect(() => {
      const unlisten = onChanges((batch) => {
        if ((on && touches(batch, on)) || (when && when(batch))) void untrack(() => r.refresh());
      });
      return () => {
        unlisten.then(
          (u) => u(),
          () => {},
        );
      };
    });
  }
  return r;
}
