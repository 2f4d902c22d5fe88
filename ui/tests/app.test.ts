import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { emit } from '@tauri-apps/api/event';
import { describe, expect, test, vi } from 'vitest';
import App from '../src/App.svelte';
import type { ChangeBatch } from '../src/lib/bindings';
import { fakeBackend, rejectWith, settingsFixture } from './fake';

describe('app shell', () => {
  test('opens on Today with the business name, the date in the business zone and an honest empty state', async () => {
    // 00:30 on Wednesday 4 June in London is still Tuesday 3 June in UTC.
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2025-06-03T23:30:00Z') });
    fakeBackend();
    render(App);
    expect((await screen.findByTestId('today-heading')).textContent).toBe('Today at Harbour Hair');
    expect(screen.getByTestId('header-business-name').textContent).toBe('Harbour Hair');
    // A British desk writes the day first, whatever the computer's language.
    expect(screen.getByTestId('today-date').textContent).toMatch(/^Wednesday,? 4 June 2025$/);
    expect(screen.getByText('Nothing needs your attention.')).toBeTruthy();
    expect(screen.getByTestId('nav-today').getAttribute('aria-current')).toBe('page');
  });

  test('shows the sandbox banner only while the provider is the sandbox', async () => {
    fakeBackend();
    const { unmount } = render(App);
    const banner = await screen.findByTestId('sandbox-banner');
    expect(banner.textContent).toContain('Sandbox mode — no real texts are sent');
    expect(banner.textContent).toContain('Texts go to the built-in test phone until an SMS provider is connected.');
    unmount();

    fakeBackend({ settings: settingsFixture({ provider: 'twilio' }) });
    render(App);
    await screen.findByTestId('today-heading');
    expect(screen.queryByTestId('sandbox-banner')).toBeNull();
  });

  test('reloads settings when a settings change event arrives, but not for other changes', async () => {
    const backend = fakeBackend();
    render(App);
    await screen.findByTestId('today-heading');
    const loads = () => backend.called.get_settings.length;
    expect(loads()).toBe(1);

    await emit('tidings://changes', {
      source: 'background',
      changes: [{ kind: 'sandbox_message', id: 4 }],
    } satisfies ChangeBatch);
    backend.settings = { ...backend.settings, business_name: 'Quay Clinic' };
    await emit('tidings://changes', { source: 'cli', changes: [{ kind: 'settings' }] } satisfies ChangeBatch);

    await waitFor(() => expect(screen.getByTestId('today-heading').textContent).toBe('Today at Quay Clinic'));
    expect(loads()).toBe(2);
  });

  test('a second launch shows a dismissible notice', async () => {
    fakeBackend();
    render(App);
    await screen.findByTestId('today-heading');
    await emit('tidings://second-instance', null);
    const notice = await screen.findByTestId('second-instance-notice');
    expect(notice.textContent).toContain('Tidings is already open — this is it.');
    await fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByTestId('second-instance-notice')).toBeNull();
  });

  test('a storage failure on start shows the full-window error, and Try again recovers', async () => {
    let fail = true;
    const backend = fakeBackend({
      getSettings: (b) =>
        fail ? rejectWith('database_busy', 'Another program holds the database. Close it and try again.') : b.settings,
    });
    render(App);
    const fatal = await screen.findByTestId('fatal-error');
    expect(fatal.querySelector('h1')?.textContent).toBe('The data is busy');
    expect(fatal.textContent).toContain("Tidings can't open its data.");
    expect(fatal.textContent).toContain('Another program holds the database. Close it and try again.');
    expect(screen.queryByTestId('nav-today')).toBeNull();

    fail = false;
    await fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect((await screen.findByTestId('today-heading')).textContent).toBe('Today at Harbour Hair');
    expect(screen.queryByTestId('fatal-error')).toBeNull();
    expect(backend.called.get_settings).toHaveLength(2);
  });
});
