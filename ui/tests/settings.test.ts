import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { emit } from '@tauri-apps/api/event';
import { describe, expect, test } from 'vitest';
import App from '../src/App.svelte';
import type { ChangeBatch } from '../src/lib/bindings';
import { fakeBackend, rejectWith } from './fake';

async function openSettings() {
  await fireEvent.click(await screen.findByTestId('nav-settings'));
  await screen.findByTestId('settings-screen');
  expect(screen.getByTestId('nav-settings').getAttribute('aria-current')).toBe('page');
  expect(screen.getByTestId('nav-today').getAttribute('aria-current')).toBeNull();
}

const input = (id: string) => screen.getByTestId(id) as HTMLInputElement;
const save = () => screen.getByTestId('settings-save') as HTMLButtonElement;

describe('settings screen', () => {
  test('shows the saved values; Save stays disabled until something changes', async () => {
    fakeBackend();
    render(App);
    await openSettings();
    expect(input('settings-business-name').value).toBe('Harbour Hair');
    expect(input('settings-quiet-start').value).toBe('21:00');
    expect(input('settings-quiet-end').value).toBe('08:00');
    expect(input('settings-cap-day').value).toBe('2');
    expect(input('settings-cap-week').value).toBe('5');
    await waitFor(() => expect((screen.getByTestId('settings-region') as HTMLSelectElement).value).toBe('GB'));
    expect((screen.getByTestId('settings-timezone') as HTMLSelectElement).value).toBe('Europe/London');
    expect(screen.getByTestId('settings-timezone-search')).toBeTruthy();
    expect(save().disabled).toBe(true);

    await fireEvent.input(input('settings-business-name'), { target: { value: 'Harbour Hair & Beauty' } });
    expect(save().disabled).toBe(false);
    await fireEvent.input(input('settings-business-name'), { target: { value: 'Harbour Hair' } });
    expect(save().disabled).toBe(true);
  });

  test('sends only the changed fields and confirms with "Saved."', async () => {
    const backend = fakeBackend();
    render(App);
    await openSettings();
    await fireEvent.input(input('settings-business-name'), { target: { value: 'Harbour Hair & Beauty' } });
    await fireEvent.input(input('settings-cap-week'), { target: { value: '7' } });
    await fireEvent.click(save());

    await waitFor(() => expect(backend.called.update_settings).toHaveLength(1));
    expect(backend.called.update_settings[0].args).toEqual({
      update: {
        business_name: 'Harbour Hair & Beauty',
        caps: { max_texts_per_day: 0, max_texts_per_week: 7 },
      },
    });
    const status = await screen.findByText('Saved.');
    expect(status).toBe(screen.getByTestId('settings-saved'));
    expect(status.getAttribute('role')).toBe('status');
    expect(save().disabled).toBe(true);
    expect(screen.getByTestId('header-business-name').textContent).toBe('Harbour Hair & Beauty');
  });

  test('quiet hours are sent as a pair when one end changes', async () => {
    const backend = fakeBackend();
    render(App);
    await openSettings();
    await fireEvent.input(input('settings-quiet-start'), { target: { value: '20:30' } });
    await fireEvent.click(save());
    await waitFor(() => expect(backend.called.update_settings).toHaveLength(1));
    expect(backend.called.update_settings[0].args).toEqual({
      update: { quiet_hours: { start: '20:30', end: '08:00' } },
    });
  });

  test('the language of texts is English until changed, and only a change is sent', async () => {
    const backend = fakeBackend();
    render(App);
    await openSettings();
    const language = screen.getByTestId('settings-language') as HTMLSelectElement;
    expect(language.value).toBe('en');
    expect(Array.from(language.options).map((o) => o.textContent)).toEqual(['English', 'Español (Spanish)']);
    await fireEvent.change(language, { target: { value: 'es' } });
    await fireEvent.click(save());
    await waitFor(() => expect(backend.called.update_settings).toHaveLength(1));
    expect(backend.called.update_settings[0].args).toEqual({ update: { default_language: 'es' } });
  });

  test('a stricter quiet-hours preset fills both times and is saved as a pair', async () => {
    const backend = fakeBackend();
    render(App);
    await openSettings();
    expect(screen.getByTestId('quiet-preset-2100-0800').getAttribute('aria-pressed')).toBe('true');
    await fireEvent.click(screen.getByTestId('quiet-preset-2000-0900'));
    expect(input('settings-quiet-start').value).toBe('20:00');
    expect(input('settings-quiet-end').value).toBe('09:00');
    expect(screen.getByTestId('quiet-preset-2000-0900').getAttribute('aria-pressed')).toBe('true');
    await fireEvent.click(save());
    await waitFor(() => expect(backend.called.update_settings).toHaveLength(1));
    expect(backend.called.update_settings[0].args).toEqual({
      update: { quiet_hours: { start: '20:00', end: '09:00' } },
    });
  });

  test('a backend error is shown beside its field and the typed values are kept', async () => {
    const backend = fakeBackend({
      updateSettings: () =>
        rejectWith('invalid_input', 'Quiet hours must not start and end at the same time.', 'quiet_hours'),
    });
    render(App);
    await openSettings();
    await fireEvent.input(input('settings-business-name'), { target: { value: 'Harbour Hair & Beauty' } });
    await fireEvent.input(input('settings-quiet-start'), { target: { value: '08:00' } });
    await fireEvent.click(save());

    const error = await screen.findByTestId('settings-error');
    expect(error.textContent).toBe('Quiet hours must not start and end at the same time.');
    expect(error.id).toBe('settings-quiet-error');
    expect(input('settings-quiet-start').getAttribute('aria-describedby')).toContain('settings-quiet-error');
    expect(input('settings-business-name').value).toBe('Harbour Hair & Beauty');
    expect(input('settings-quiet-start').value).toBe('08:00');
    expect(screen.getByTestId('settings-saved').textContent?.trim()).toBe('');
    expect(save().disabled).toBe(false);
    expect(backend.settings.business_name).toBe('Harbour Hair');
  });

  test('an out-of-range cap is refused without calling the backend', async () => {
    const backend = fakeBackend();
    render(App);
    await openSettings();
    await fireEvent.input(input('settings-cap-day'), { target: { value: '80' } });
    await fireEvent.click(save());
    expect((await screen.findByTestId('settings-error')).textContent).toMatch(/1 to 50/);
    expect(backend.called.update_settings).toHaveLength(0);
    expect(input('settings-cap-day').value).toBe('80');
  });

  test('a settings change made elsewhere shows up live without losing unsaved typing', async () => {
    const backend = fakeBackend();
    render(App);
    await openSettings();
    await fireEvent.input(input('settings-business-name'), { target: { value: 'Typed but not saved' } });

    backend.settings = {
      ...backend.settings,
      business_name: 'Renamed by CLI',
      caps: { max_texts_per_day: 3, max_texts_per_week: 5 },
    };
    await emit('tidings://changes', { source: 'cli', changes: [{ kind: 'settings' }] } satisfies ChangeBatch);

    await waitFor(() => expect(input('settings-cap-day').value).toBe('3'));
    expect(input('settings-business-name').value).toBe('Typed but not saved');
    expect(screen.getByTestId('header-business-name').textContent).toBe('Renamed by CLI');
  });

  test('leaving with unsaved edits asks first: stay keeps them, leave drops them', async () => {
    const b = fakeBackend();
    render(App);
    await openSettings();
    const name = screen.getByTestId('settings-business-name') as HTMLInputElement;
    await fireEvent.input(name, { target: { value: 'Harbour Hair & Beauty' } });
    // The Save bar stays in view while there are unsaved edits.
    expect(screen.getByTestId('settings-actions').classList.contains('pending')).toBe(true);
    expect(screen.getByTestId('settings-unsaved').textContent).toBe('Unsaved changes');

    await fireEvent.click(screen.getByTestId('nav-today'));
    const dialog = await screen.findByTestId('leave-settings');
    expect(dialog.textContent).toContain('not saved yet');
    await fireEvent.click(screen.getByTestId('leave-settings-stay'));
    await waitFor(() => expect(screen.queryByTestId('leave-settings')).toBeNull());
    expect(screen.getByTestId('settings-screen')).toBeTruthy();
    expect((screen.getByTestId('settings-business-name') as HTMLInputElement).value).toBe('Harbour Hair & Beauty');

    await fireEvent.click(screen.getByTestId('nav-today'));
    await fireEvent.click(await screen.findByTestId('leave-settings-discard'));
    expect(await screen.findByTestId('today-heading')).toBeTruthy();
    expect(b.called.update_settings).toHaveLength(0);

    // Nothing typed: no question.
    await openSettings();
    await fireEvent.click(screen.getByTestId('nav-today'));
    expect(await screen.findByTestId('today-heading')).toBeTruthy();
    expect(screen.queryByTestId('leave-settings')).toBeNull();
  });

  test('"About this desk" shows the doctor report', async () => {
    fakeBackend();
    render(App);
    await openSettings();
    expect((await screen.findByTestId('about-db-path')).textContent).toBe(
      '/home/desk/.local/share/tidings/tidings.sqlite3',
    );
    expect(screen.getByTestId('about-provider').textContent).toBe('Sandbox (simulated carrier)');
    expect(screen.getByTestId('about-version').textContent).toBe('0.1.0 (build 1a2b3c4d5)');
  });
});
