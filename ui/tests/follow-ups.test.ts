import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';
import App from '../src/App.svelte';
import { feedbackText } from '../src/lib/appointments';
import AppointmentPanel from '../src/lib/AppointmentPanel.svelte';
import type { Appointment, Settings, SettingsUpdate } from '../src/lib/bindings';
import ProviderSettings from '../src/lib/ProviderSettings.svelte';
import Reminders from '../src/screens/Reminders.svelte';
import { fakeBackend, rejectWith, settingsFixture, type Backend } from './fake';

const input = (id: string) => screen.getByTestId(id) as HTMLInputElement;
const text = (id: string) => screen.getByTestId(id).textContent?.replace(/\s+/g, ' ').trim();

const BAD_FOLLOW_UP = '"0" is not a follow-up delay Tidings uses. Use a whole number of hours from 1 to 72, or off.';

/** Like the Rust side: 0 turns follow-ups off (null), more than 72 hours is refused on the field. */
function realisticUpdate(update: SettingsUpdate, b: Backend): Settings {
  const next = { ...b.settings, ...update };
  if (update.follow_up_hours !== undefined) {
    if (update.follow_up_hours > 72) {
      rejectWith(
        'invalid_input',
        `"${update.follow_up_hours}" is not a follow-up delay Tidings uses.`,
        'follow_up_hours',
      );
    }
    next.follow_up_hours = update.follow_up_hours > 0 ? update.follow_up_hours : null;
  }
  return next;
}

function renderReminders(b: Backend) {
  let saved: Settings | null = null;
  render(Reminders, { settings: b.settings, onSettingsSaved: (s: Settings) => (saved = s) });
  return () => saved;
}

describe('Reminders › Ask how it went', () => {
  test('off by default; ticking it saves 2 hours, and the App takes the new settings', async () => {
    const b = fakeBackend({ updateSettings: realisticUpdate });
    render(App);
    await fireEvent.click(await screen.findByTestId('nav-reminders'));
    const card = await screen.findByTestId('follow-up-card');
    expect(card.querySelector('h2')?.textContent).toBe('Ask how it went');
    expect(text('follow-up-explain')).toBe(
      'A text 2 hours after a visit is marked completed asks the customer to rate it 1–5. ' +
        'Never after a no-show or cancellation; a poor answer lands in the inbox for you.',
    );
    expect(text('follow-up-wording')).toContain('Its wording is the template “Ask how it went”, under Wording below.');
    expect(input('follow-up-toggle').checked).toBe(false);
    expect(input('follow-up-hours').value).toBe('2');
    expect(screen.queryByTestId('follow-up-save')).toBeNull();

    await fireEvent.click(input('follow-up-toggle'));
    await waitFor(() => expect(b.called.update_settings).toHaveLength(1));
    expect(b.called.update_settings[0].args).toEqual({ update: { follow_up_hours: 2 } });
    await waitFor(() => expect(input('follow-up-toggle').checked).toBe(true));
    expect(b.settings.follow_up_hours).toBe(2);
    expect(text('follow-up-saved')).toBe('Saved.');

    // The App now holds the new settings: coming back to the screen shows it on.
    await fireEvent.click(screen.getByTestId('nav-today'));
    await fireEvent.click(screen.getByTestId('nav-reminders'));
    await screen.findByTestId('follow-up-card');
    expect(input('follow-up-toggle').checked).toBe(true);
    expect(screen.queryByTestId('follow-up-error')).toBeNull();
  });

  test('shows the saved hours; changing them saves the new number, unticking saves 0', async () => {
    const b = fakeBackend({ settings: settingsFixture({ follow_up_hours: 4 }), updateSettings: realisticUpdate });
    const saved = renderReminders(b);
    await screen.findByTestId('follow-up-card');
    expect(input('follow-up-toggle').checked).toBe(true);
    expect(input('follow-up-hours').value).toBe('4');
    expect(text('follow-up-explain')).toContain('A text 4 hours after a visit is marked completed');
    const save = screen.getByTestId('follow-up-save') as HTMLButtonElement;
    expect(save.disabled).toBe(true);

    await fireEvent.input(input('follow-up-hours'), { target: { value: '1' } });
    expect(save.disabled).toBe(false);
    await fireEvent.click(save);
    await waitFor(() => expect(b.called.update_settings).toHaveLength(1));
    expect(b.called.update_settings[0].args).toEqual({ update: { follow_up_hours: 1 } });
    await waitFor(() => expect(text('follow-up-explain')).toContain('A text 1 hour after'));
    expect(saved()?.follow_up_hours).toBe(1);

    await fireEvent.click(input('follow-up-toggle'));
    await waitFor(() => expect(b.called.update_settings).toHaveLength(2));
    expect(b.called.update_settings[1].args).toEqual({ update: { follow_up_hours: 0 } });
    await waitFor(() => expect(input('follow-up-toggle').checked).toBe(false));
    expect(b.settings.follow_up_hours).toBeNull();
    expect(saved()?.follow_up_hours).toBeNull();
    expect(screen.queryByTestId('follow-up-save')).toBeNull();
    expect(text('follow-up-saved')).toBe('Turned off.');
  });

  test('hours outside 1–72 are explained beside the box and not sent', async () => {
    const b = fakeBackend({ settings: settingsFixture({ follow_up_hours: 2 }) });
    renderReminders(b);
    await screen.findByTestId('follow-up-card');
    await fireEvent.input(input('follow-up-hours'), { target: { value: '80' } });
    await fireEvent.click(screen.getByTestId('follow-up-save'));
    expect(text('follow-up-error')).toBe('Enter a whole number of hours from 1 to 72.');
    expect(input('follow-up-hours').getAttribute('aria-invalid')).toBe('true');
    expect(b.called.update_settings).toHaveLength(0);
  });

  test("the backend's refusal is shown beside it and the box stays off", async () => {
    const b = fakeBackend({
      updateSettings: () => rejectWith('invalid_input', BAD_FOLLOW_UP, 'follow_up_hours'),
    });
    renderReminders(b);
    await screen.findByTestId('follow-up-card');
    await fireEvent.click(input('follow-up-toggle'));
    await waitFor(() => expect(text('follow-up-error')).toBe(BAD_FOLLOW_UP));
    expect(screen.getByTestId('follow-up-error').getAttribute('role')).toBe('alert');
    expect(input('follow-up-toggle').checked).toBe(false);
    expect(b.called.update_settings[0].args).toEqual({ update: { follow_up_hours: 2 } });
  });

  test('links to the "Ask how it went" wording in the templates', async () => {
    const b = fakeBackend();
    b.reminders.template(
      'follow_up_ask',
      'Ask how it went',
      'Hi {first_name}, how was your visit to {business}? Reply 1-5.',
      'follow_up',
    );
    renderReminders(b);
    await screen.findByTestId('template-follow_up_ask');
    await fireEvent.click(await screen.findByTestId('follow-up-edit-wording'));
    const editor = await screen.findByTestId('template-editor');
    expect(editor.textContent).toContain('Ask how it went');
  });
});

describe('appointment feedback', () => {
  const appt: Appointment = {
    id: 7,
    client_id: 3,
    client_name: 'Ann Carter',
    client_phone: '+447400123456',
    starts_at: '2025-06-03T09:00:00Z',
    ends_at: '2025-06-03T09:45:00Z',
    timezone: 'Europe/London',
    service_id: null,
    service: null,
    staff_id: null,
    staff: null,
    location: '',
    notes: '',
    status: 'completed',
    source: 'desk',
    external_id: null,
    created_at: '2025-06-01T09:00:00Z',
    updated_at: '2025-06-01T09:00:00Z',
    overlaps: false,
  };
  const props = (a: Appointment) => ({
    appointment: a,
    timezone: 'Europe/London',
    onChanged() {},
    onEdit() {},
    onOpenClient() {},
    onClose() {},
  });

  test('feedbackText puts the answer in words', () => {
    expect(feedbackText('4')).toBe("Customer's rating: 4 / 5");
    expect(feedbackText('1')).toBe("Customer's rating: 1 / 5");
    expect(feedbackText('yes')).toBe('Customer said: yes');
    expect(feedbackText('no')).toBe('Customer said: no');
    expect(feedbackText(null)).toBe('');
    expect(feedbackText(undefined)).toBe('');
    expect(feedbackText('')).toBe('');
  });

  test('a rating shows as "Customer\'s rating: 4 / 5"', async () => {
    fakeBackend();
    render(AppointmentPanel, props({ ...appt, feedback: '4' }));
    expect(text('appt-feedback')).toBe("Customer's rating: 4 / 5");
  });

  test('a yes or no shows as what the customer said, as plain text', async () => {
    fakeBackend();
    render(AppointmentPanel, props({ ...appt, feedback: 'no' }));
    expect(text('appt-feedback')).toBe('Customer said: no');
    expect(screen.getByTestId('appt-feedback').children).toHaveLength(0);
  });

  test('nothing is shown before the customer answers', async () => {
    fakeBackend();
    render(AppointmentPanel, props(appt));
    expect(screen.queryByTestId('appt-feedback')).toBeNull();
    const withNull = { ...appt, feedback: null } as unknown as Appointment;
    render(AppointmentPanel, props(withNull));
    expect(screen.queryByTestId('appt-feedback')).toBeNull();
  });
});

describe('Settings › Provider › keyword replies', () => {
  const LABEL = "Also send Tidings' own replies to STOP, START and HELP";
  const HELP = "Off by default: Twilio's opt-out handling already answers these, so customers would get two replies.";

  test('is not offered on the Sandbox', async () => {
    const b = fakeBackend();
    render(ProviderSettings);
    await screen.findByTestId('provider-status');
    await waitFor(() => expect(b.called.get_settings.length).toBeGreaterThan(0));
    await new Promise((r) => setTimeout(r, 0));
    expect(screen.queryByTestId('provider-keyword-replies')).toBeNull();
    expect(screen.queryByText(LABEL)).toBeNull();
  });

  test('with Twilio, is off by default and ticking it saves through update_settings', async () => {
    const b = fakeBackend();
    b.provider.connect();
    let saved: Settings | null = null;
    render(ProviderSettings, { onSettingsSaved: (s: Settings) => (saved = s) });
    const box = (await screen.findByTestId('provider-keyword-replies')) as HTMLInputElement;
    expect(screen.getByLabelText(LABEL)).toBe(box);
    expect(screen.getByText(HELP)).toBeTruthy();
    expect(box.getAttribute('aria-describedby')).toBe('provider-keyword-replies-hint');
    expect(box.checked).toBe(false);

    await fireEvent.click(box);
    await waitFor(() => expect(b.called.update_settings).toHaveLength(1));
    expect(b.called.update_settings[0].args).toEqual({ update: { send_keyword_replies_with_twilio: true } });
    await waitFor(() => expect(input('provider-keyword-replies').checked).toBe(true));
    expect(b.settings.send_keyword_replies_with_twilio).toBe(true);
    expect(saved!.send_keyword_replies_with_twilio).toBe(true);
    expect(text('provider-keyword-replies-saved')).toBe('Saved.');

    await fireEvent.click(input('provider-keyword-replies'));
    await waitFor(() => expect(b.called.update_settings).toHaveLength(2));
    expect(b.called.update_settings[1].args).toEqual({ update: { send_keyword_replies_with_twilio: false } });
    await waitFor(() => expect(input('provider-keyword-replies').checked).toBe(false));
  });

  test('shows the saved setting, and a failed save says why and keeps it', async () => {
    const b = fakeBackend({
      settings: settingsFixture({ send_keyword_replies_with_twilio: true }),
      updateSettings: () => rejectWith('database_busy', 'Another program holds the database. Close it and try again.'),
    });
    b.provider.connect();
    render(ProviderSettings);
    const box = (await screen.findByTestId('provider-keyword-replies')) as HTMLInputElement;
    await waitFor(() => expect(box.checked).toBe(true));
    await fireEvent.click(box);
    await waitFor(() =>
      expect(text('provider-keyword-replies-error')).toBe(
        'Another program holds the database. Close it and try again.',
      ),
    );
    expect(input('provider-keyword-replies').checked).toBe(true);
  });
});
