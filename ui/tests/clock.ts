import { afterEach, beforeEach, vi } from 'vitest';

/**
 * Pins "now" for every test of the enclosing describe (or file) at `instant`, so what a test
 * expects never depends on when it runs. Only `Date` is faked: timers stay real, so
 * testing-library's waits and the components' own timeouts behave as usual.
 */
export function pinNow(instant: string): void {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date(instant) });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}
