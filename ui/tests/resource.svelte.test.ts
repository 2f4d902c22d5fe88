// The data layer every screen uses: stale answers dropped, errors kept apart from the last good
// value, reloads on the declared change kinds only, and on the inputs `load` reads.
import { emit } from '@tauri-apps/api/event';
import { mockIPC } from '@tauri-apps/api/mocks';
import { flushSync } from 'svelte';
import { describe, expect, test, vi } from 'vitest';
import type { ChangeBatch } from '../src/lib/bindings';
import { Resource, resource } from '../src/lib/resource.svelte';

const batch = (...kinds: ('clients' | 'settings' | 'feeds')[]): ChangeBatch => ({
  source: 'cli',
  changes: kinds.map((kind) => ({ kind })),
});

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('resource', () => {
  test('an answer that comes back after a newer load started is dropped', async () => {
    const first = deferred<string>();
    const second = deferred<string>();
    const answers = [first.promise, second.promise];
    const r = new Resource(() => answers.shift()!);
    const a = r.refresh();
    const b = r.refresh();
    second.resolve('new');
    await b;
    first.resolve('old');
    await a;
    expect(r.value).toBe('new');
    expect(r.loading).toBe(false);
  });

  test('a failed load keeps the last good value and says why', async () => {
    let fail = false;
    const r = new Resource(async () => {
      if (fail) throw { code: 'database_busy', message: 'The database is busy. Try again.', field: null };
      return [1, 2];
    });
    await r.refresh();
    fail = true;
    await r.refresh();
    expect(r.value).toEqual([1, 2]);
    expect(r.error?.code).toBe('database_busy');
    expect(r.message).toBe('The database is busy. Try again.');
    expect(r.loaded).toBe(true);
    fail = false;
    await r.refresh();
    expect(r.error).toBeNull();
  });

  test('a value set by the screen wins over a load still on its way', async () => {
    const slow = deferred<string>();
    const r = new Resource(() => slow.promise);
    const pending = r.refresh();
    r.set('saved');
    slow.resolve('loaded before the save');
    await pending;
    expect(r.value).toBe('saved');
  });

  test('loads at once, again on its change kinds only, and stops when its owner goes', async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const load = vi.fn(async () => 'x');
    let r!: Resource<string>;
    const cleanup = $effect.root(() => {
      r = resource(load, { on: ['clients'] });
    });
    flushSync();
    await vi.waitFor(() => expect(r.value).toBe('x'));
    expect(load).toHaveBeenCalledTimes(1);
    await emit('tidings://changes', batch('settings'));
    await emit('tidings://changes', batch('feeds', 'clients'));
    await vi.waitFor(() => expect(load).toHaveBeenCalledTimes(2));
    cleanup();
    await new Promise((done) => setTimeout(done, 0));
    await emit('tidings://changes', batch('clients'));
    await new Promise((done) => setTimeout(done, 0));
    expect(load).toHaveBeenCalledTimes(2);
  });

  test('loads again when an input it reads changes', async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    let id = $state(1);
    const seen: number[] = [];
    let r!: Resource<number>;
    const cleanup = $effect.root(() => {
      r = resource(async () => {
        const mine = id;
        seen.push(mine);
        return mine * 10;
      });
    });
    flushSync();
    await vi.waitFor(() => expect(r.value).toBe(10));
    id = 2;
    flushSync();
    await vi.waitFor(() => expect(r.value).toBe(20));
    expect(seen).toEqual([1, 2]);
    cleanup();
  });
});
