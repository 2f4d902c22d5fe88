import { cleanup } from '@testing-library/svelte';
import { clearMocks } from '@tauri-apps/api/mocks';
import { afterEach, vi } from 'vitest';

afterEach(async () => {
  // Unmount first and let the components' async unlisten calls settle while the mocks still exist.
  cleanup();
  await new Promise((resolve) => setTimeout(resolve, 0));
  clearMocks();
  localStorage.clear();
  vi.useRealTimers();
});

// jsdom has no layout, so it has neither observer the calendar library uses: ResizeObserver
// for its grid and IntersectionObserver for the now indicator (drawn only while the current
// time falls inside the visible hours). Both only need to exist; nothing is ever observed.
if (!('ResizeObserver' in globalThis)) {
  globalThis.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
}
if (!('IntersectionObserver' in globalThis)) {
  globalThis.IntersectionObserver = class {
    readonly root = null;
    readonly rootMargin = '0px';
    readonly thresholds = [0];
    observe() {}
    unobserve() {}
    disconnect() {}
    takeRecords() {
      return [];
    }
  } as unknown as typeof IntersectionObserver;
}
