import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { emit } from '@tauri-apps/api/event';
import { describe, expect, test } from 'vitest';
import App from '../src/App.svelte';
import type { ChangeBatch } from '../src/lib/bindings';
import { fakeBackend } from './fake';

const area = (id: string) => screen.getByTestId(id) as HTMLTextAreaElement;

async function openSettings() {
  await fireEvent.click(await screen.findByTestId('nav-settings'));
  await screen.findByTestId('settings-screen');
  await screen.findByTestId('disclosure-service');
}

describe('consent wording in settings', () => {
  test('shows the current templates with their version; saving makes a new version with history', async () => {
    const b = fakeBackend();
    render(App);
    await openSettings();
    expect(area('disclosure-service').value).toBe(
      'Reply STOP to stop. {business} will text you about your appointments.',
    );
    expect(area('disclosure-marketing').value).toBe(
      '{business} may text you offers, at most twice a month. Reply STOP to stop.',
    );
    expect(screen.getByTestId('disclosure-version-marketing').textContent).toContain('Version 1');
    expect(screen.getByLabelText('Marketing texts')).toBe(area('disclosure-marketing'));
    const save = screen.getByTestId('disclosure-save-marketing') as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    expect(screen.queryByTestId('disclosure-history-marketing')).toBeNull();

    await fireEvent.input(area('disclosure-marketing'), {
      target: { value: '{business} sends offers monthly. Reply STOP to stop.' },
    });
    await fireEvent.click(save);
    await waitFor(() => expect(b.called.update_disclosure).toHaveLength(1));
    expect(b.called.update_disclosure[0].args).toEqual({
      purpose: 'marketing',
      template: '{business} sends offers monthly. Reply STOP to stop.',
    });
    await waitFor(() => expect(screen.getByTestId('disclosure-version-marketing').textContent).toContain('Version 2'));
    const history = screen.getByTestId('disclosure-history-marketing');
    expect(history.textContent).toContain('Earlier versions (1)');
    expect(within(history).getByText(/at most twice a month/).textContent).toBe(
      'Harbour Hair may text you offers, at most twice a month. Reply STOP to stop.',
    );
    expect(screen.getByTestId('disclosure-version-service').textContent).toContain('Version 1');
  });

  test('a backend refusal is shown beside that wording and the text is kept', async () => {
    const b = fakeBackend();
    render(App);
    await openSettings();
    await fireEvent.input(area('disclosure-service'), { target: { value: 'We text you reminders.' } });
    await fireEvent.click(screen.getByTestId('disclosure-save-service'));
    expect((await screen.findByTestId('disclosure-error')).textContent).toBe(
      'The wording must name your business: include {business}.',
    );
    expect(area('disclosure-service').value).toBe('We text you reminders.');
    expect(area('disclosure-service').getAttribute('aria-invalid')).toBe('true');
    expect(b.store.disclosures().current[0].version).toBe(1);
  });

  test('reloads on a disclosures change without losing unsaved typing in the other box', async () => {
    const b = fakeBackend();
    render(App);
    await openSettings();
    await fireEvent.input(area('disclosure-service'), { target: { value: 'Typed, not saved {business}' } });
    b.store.addDisclosure('marketing', 'From the CLI: {business} offers.', '2025-06-03T10:00:00Z');
    await emit('tidings://changes', { source: 'cli', changes: [{ kind: 'disclosures' }] } satisfies ChangeBatch);
    await waitFor(() => expect(area('disclosure-marketing').value).toBe('From the CLI: {business} offers.'));
    expect(area('disclosure-service').value).toBe('Typed, not saved {business}');
  });
});
