import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { emit } from '@tauri-apps/api/event';
import { describe, expect, test } from 'vitest';
import App from '../src/App.svelte';
import AppointmentPanel from '../src/lib/AppointmentPanel.svelte';
import type { Appointment } from '../src/lib/bindings';
import { lineDiff, segmentLabel } from '../src/lib/reminders';
import { dateTimeIn } from '../src/lib/time';
import { fakeBackend, settingsFixture, type Backend } from './fake';
import { render as renderSample } from './fake-reminders';

const text = (id: string) => screen.getByTestId(id).textContent?.replace(/\s+/g, ' ').trim();
/** Business-zone date and time, as the rows show it (the words depend on the locale). */
const at = (iso: string) => dateTimeIn(iso, 'Europe/London');
const body = () => screen.getByTestId('template-body') as HTMLTextAreaElement;

async function openReminders() {
  await fireEvent.click(await screen.findByTestId('nav-reminders'));
  await screen.findByTestId('reminders-screen');
}

async function openTemplate(b: Backend, key = 'reminder_plain') {
  render(App);
  await openReminders();
  await fireEvent.click(await screen.findByTestId(`template-${key}`));
  await screen.findByTestId('template-editor');
  return b;
}

async function typeBody(value: string) {
  await fireEvent.input(body(), { target: { value } });
}

describe('segment helpers', () => {
  test('label counts against the capacity of the current number of segments', () => {
    expect(segmentLabel({ encoding: 'GSM-7', segments: 1, units: 96, non_gsm: [], remaining: 64 })).toBe(
      'GSM-7 · 1 segment · 96/160',
    );
    expect(segmentLabel({ encoding: 'GSM-7', segments: 2, units: 200, non_gsm: [], remaining: 106 })).toBe(
      'GSM-7 · 2 segments · 200/306',
    );
    expect(segmentLabel({ encoding: 'UCS-2', segments: 2, units: 80, non_gsm: ['’'], remaining: 54 })).toBe(
      'UCS-2 · 2 segments · 80/134',
    );
    expect(segmentLabel({ encoding: 'UCS-2', segments: 1, units: 20, non_gsm: ['’'], remaining: 50 })).toBe(
      'UCS-2 · 1 segment · 20/70',
    );
  });

  test('line diff marks removed and added lines', () => {
    expect(lineDiff('Hi\nold line\nBye', 'Hi\nnew line\nBye')).toEqual([
      { kind: 'same', text: 'Hi' },
      { kind: 'removed', text: 'old line' },
      { kind: 'added', text: 'new line' },
      { kind: 'same', text: 'Bye' },
    ]);
  });
});

describe('reminders screen', () => {
  test('with no rules, one click on a preset sets it up and shows its rules', async () => {
    const b = fakeBackend();
    render(App);
    await openReminders();
    const card = await screen.findByTestId('preset-card');
    await waitFor(() => expect(within(card).getByTestId('preset-standard').textContent?.trim()).toBe('Use Standard'));
    expect(card.textContent).toContain('24 h before asking YES/NO, and 2 h before.');
    expect(within(card).getByTestId('preset-clinic')).toBeTruthy();
    expect(within(card).getByTestId('preset-light')).toBeTruthy();
    expect(screen.queryByTestId('rules')).toBeNull();
    expect(text('outbox')).toBe('No reminders planned. Book an appointment to see its reminders here.');

    await fireEvent.click(screen.getByTestId('preset-standard'));
    const rules = await screen.findByTestId('rules');
    expect(b.called.apply_preset[0].args).toEqual({ preset: 'standard' });
    expect(screen.queryByTestId('preset-card')).toBeNull();
    const [day, twoHours] = b.reminders.rules;
    expect(within(rules).getAllByRole('listitem')).toHaveLength(2);
    expect(text(`rule-${day.id}`)).toContain('Day before 24 h before “Reminder asking YES/NO” asks YES/NO');
    expect(text(`rule-${twoHours.id}`)).toContain('Two hours before 2 h before “Reminder”');
    expect(text(`rule-${twoHours.id}`)).not.toContain('asks YES/NO');
    expect((screen.getByTestId(`rule-enabled-${day.id}`) as HTMLInputElement).checked).toBe(true);
  });

  test('switching to another preset asks first, and Keep leaves the rules alone', async () => {
    const b = fakeBackend();
    b.reminders.commands.apply_preset!({ preset: 'standard' });
    render(App);
    await openReminders();
    await screen.findByTestId('rules');
    expect(screen.queryByTestId('preset-card')).toBeNull();

    await fireEvent.click(await screen.findByTestId('preset-light'));
    expect(b.called.apply_preset).toHaveLength(0);
    await fireEvent.click(screen.getByTestId('preset-keep'));
    expect(screen.queryByTestId('preset-confirm')).toBeNull();

    await fireEvent.click(screen.getByTestId('preset-light'));
    await fireEvent.click(screen.getByTestId('preset-confirm'));
    await waitFor(() => expect(within(screen.getByTestId('rules')).getAllByRole('listitem')).toHaveLength(1));
    expect(b.called.apply_preset[0].args).toEqual({ preset: 'light' });
  });

  test('a rule can be switched off and edited inline', async () => {
    const b = fakeBackend();
    b.reminders.commands.apply_preset!({ preset: 'light' });
    const [rule] = b.reminders.rules;
    render(App);
    await openReminders();
    await screen.findByTestId(`rule-${rule.id}`);

    await fireEvent.click(screen.getByTestId(`rule-enabled-${rule.id}`));
    await waitFor(() =>
      expect((screen.getByTestId(`rule-enabled-${rule.id}`) as HTMLInputElement).checked).toBe(false),
    );
    expect((b.called.save_reminder_rule[0].args as { input: { enabled: boolean } }).input.enabled).toBe(false);

    await fireEvent.click(screen.getByTestId(`rule-edit-${rule.id}`));
    await fireEvent.input(screen.getByTestId('rule-offset-hours'), { target: { value: '48' } });
    await fireEvent.input(screen.getByTestId('rule-offset-minutes'), { target: { value: '30' } });
    await fireEvent.click(screen.getByTestId('rule-asks'));
    await fireEvent.click(screen.getByTestId('rule-save'));
    await waitFor(() => expect(text(`rule-${rule.id}`)).toContain('48 h 30 min before'));
    expect(b.called.save_reminder_rule[1].args).toEqual({
      input: {
        id: rule.id,
        name: 'Day before',
        offset_minutes: 48 * 60 + 30,
        min_lead_minutes: 120,
        template_id: rule.template_id,
        asks_confirmation: true,
        enabled: false,
      },
    });
    expect(text(`rule-${rule.id}`)).toContain('asks YES/NO');
    expect(screen.queryByTestId('rule-save')).toBeNull();
  });

  test('a rule error from the backend is shown in the form', async () => {
    const b = fakeBackend();
    b.reminders.commands.apply_preset!({ preset: 'light' });
    const [rule] = b.reminders.rules;
    render(App);
    await openReminders();
    await fireEvent.click(await screen.findByTestId(`rule-edit-${rule.id}`));
    await fireEvent.input(screen.getByTestId('rule-offset-hours'), { target: { value: '0' } });
    await fireEvent.input(screen.getByTestId('rule-offset-minutes'), { target: { value: '1' } });
    await fireEvent.click(screen.getByTestId('rule-save'));
    expect((await screen.findByTestId('rule-error')).textContent).toBe('Send at least 5 minutes before.');
  });

  test('upcoming sends list planned texts; Skip and Send now act on them', async () => {
    const b = fakeBackend({
      commands: {
        send_message_now: (args, back) => {
          const m = back.reminders.outbox.find((x) => x.id === (args as { id: number }).id)!;
          Object.assign(m, {
            status: 'suppressed',
            reason: 'quiet_hours_missed',
            reason_text: "It's inside quiet hours for Ben.",
          });
          return { ...m };
        },
      },
    });
    const ann = b.reminders.message({ send_at: '2025-06-02T09:00:00Z' });
    const ben = b.reminders.message({
      client_name: 'Ben Doyle',
      rule_name: 'Two hours before',
      send_at: '2025-06-03T07:00:00Z',
    });
    const old = b.reminders.message({
      client_name: 'Cara Eve',
      status: 'suppressed',
      reason: 'no_consent',
      reason_text: 'Cara has not agreed to texts.',
    });
    render(App);
    await openReminders();
    await screen.findByTestId(`outbox-${ann.id}`);
    expect(text(`outbox-${ann.id}`)).toContain(
      `${at('2025-06-02T09:00:00Z')} Ann Carter Day before Planned Skip Send now`,
    );
    expect(text(`outbox-${old.id}`)).toContain('Not sent');
    expect(text(`outbox-reason-${old.id}`)).toBe('Cara has not agreed to texts.');
    expect(screen.queryByTestId(`outbox-skip-${old.id}`)).toBeNull();

    await fireEvent.click(screen.getByTestId(`outbox-skip-${ann.id}`));
    await waitFor(() => expect(text(`outbox-status-${ann.id}`)).toBe('Not sent'));
    expect(b.called.skip_message[0].args).toEqual({ id: ann.id });
    expect(screen.queryByTestId(`outbox-skip-${ann.id}`)).toBeNull();
    expect(text('outbox-note')).toBe('Skipped the text to Ann Carter.');

    await fireEvent.click(screen.getByTestId(`outbox-send-${ben.id}`));
    await waitFor(() => expect(text(`outbox-reason-${ben.id}`)).toBe("It's inside quiet hours for Ben."));
    expect(text('outbox-note')).toBe("Not sent to Ben Doyle: It's inside quiet hours for Ben.");
  });

  test('reloads the outbox when messages change elsewhere', async () => {
    const b = fakeBackend();
    render(App);
    await openReminders();
    await waitFor(() => expect(text('outbox')).toContain('No reminders planned.'));
    const m = b.reminders.message();
    await emit('tidings://changes', { source: 'background', changes: [{ kind: 'messages' }] });
    expect((await screen.findByTestId(`outbox-${m.id}`)).textContent).toContain('Ann Carter');
  });
});

describe('template editor', () => {
  test('shows a live preview and a GSM-7 counter; a smart quote switches to UCS-2 and names it', async () => {
    const b = fakeBackend();
    await openTemplate(b);
    await waitFor(() =>
      expect(screen.getByTestId('template-preview').textContent).toBe(renderSample(b.reminders.templates[1].body)),
    );
    expect(screen.getByText(`Preview with ${b.reminders.sampleOf}`)).toBeTruthy();

    await typeBody('Hi {first_name}, see you at {time}. Reply STOP to opt out.');
    const rendered = 'Hi Ann, see you at 10:00. Reply STOP to opt out.';
    await waitFor(() => expect(screen.getByTestId('template-preview').textContent).toBe(rendered));
    expect(text('segment-count')).toBe(`GSM-7 · 1 segment · ${rendered.length}/160`);
    expect(screen.queryByTestId('non-gsm')).toBeNull();
    expect(screen.queryByTestId('template-warnings')).toBeNull();

    await typeBody('Hi {first_name}, we’re expecting you at {time} – see you soon');
    await waitFor(() => expect(text('segment-count')).toMatch(/^UCS-2 · 1 segment · \d+\/70$/));
    expect(text('non-gsm')).toBe(
      'These characters make the text UCS-2, so a text holds 70 characters instead of 160: ’ –',
    );
    expect(text('template-warnings')).toContain('No opt-out hint');

    await fireEvent.click(screen.getByTestId('fix-punctuation'));
    await waitFor(() => expect(body().value).toBe("Hi {first_name}, we're expecting you at {time} - see you soon"));
    expect(b.called.fix_punctuation[0].args).toEqual({
      text: 'Hi {first_name}, we’re expecting you at {time} – see you soon',
    });
    await waitFor(() => expect(text('segment-count')).toMatch(/^GSM-7 · 1 segment · \d+\/160$/));
    expect(screen.queryByTestId('non-gsm')).toBeNull();
  });

  test('warns when the text runs past two segments', async () => {
    const b = fakeBackend();
    await openTemplate(b);
    await typeBody('x'.repeat(400));
    await waitFor(() => expect(text('segment-count')).toBe('GSM-7 · 3 segments · 400/459'));
    expect(text('segment-warning')).toContain('3 texts');
  });

  test('variable buttons insert at the cursor', async () => {
    const b = fakeBackend();
    await openTemplate(b);
    await typeBody('Hi , see you');
    body().setSelectionRange(3, 3);
    await fireEvent.click(screen.getByTestId('var-first_name'));
    expect(body().value).toBe('Hi {first_name}, see you');
    expect(body().selectionStart).toBe(15);
    for (const v of ['business', 'date', 'time', 'weekday', 'service', 'staff', 'location', 'business_phone']) {
      expect(screen.getByTestId(`var-${v}`).textContent?.trim()).toBe(`{${v}}`);
    }
  });

  test('an unknown variable on save shows the backend message and keeps the text', async () => {
    const b = fakeBackend();
    await openTemplate(b);
    await typeBody('Hi {frist_name}, see you soon');
    await fireEvent.click(screen.getByTestId('template-save'));
    expect((await screen.findByTestId('template-error')).textContent).toBe(
      'Unknown variable {frist_name}. Did you mean {first_name}?',
    );
    expect(body().getAttribute('aria-invalid')).toBe('true');
    expect(body().value).toBe('Hi {frist_name}, see you soon');
    expect(b.reminders.templates[1].version).toBe(1);
  });

  test('each language has its own wording, saved together; an empty one says its clients get the English', async () => {
    const b = fakeBackend();
    await openTemplate(b);
    const english = b.reminders.templates[1].body;
    await fireEvent.click(screen.getByTestId('template-lang-es'));
    expect(screen.getByTestId('template-lang-es').textContent).toContain('(uses English)');
    expect(body().value).toBe('');
    expect(text('template-fallback')).toContain('clients who read Español get the English text');
    // The preview is the English text its clients would get.
    await waitFor(() => expect(b.called.preview_template.at(-1)?.args).toEqual({ body: english }));

    await typeBody('Hola {first_name}, le esperamos a las {time}. Responda ALTO para darse de baja.');
    expect(screen.queryByTestId('template-fallback')).toBeNull();
    await waitFor(() =>
      expect(b.called.preview_template.at(-1)?.args).toEqual({
        body: 'Hola {first_name}, le esperamos a las {time}. Responda ALTO para darse de baja.',
        language: 'es',
      }),
    );
    // Switching back keeps both.
    await fireEvent.click(screen.getByTestId('template-lang-en'));
    expect(body().value).toBe(english);
    await fireEvent.click(screen.getByTestId('template-save'));
    await waitFor(() => expect(text('template-saved')).toBe('Saved as version 2.'));
    expect(b.called.save_template[0].args).toEqual({
      templateId: b.reminders.templates[1].id,
      body: english,
      translations: { es: 'Hola {first_name}, le esperamos a las {time}. Responda ALTO para darse de baja.' },
    });
    expect(b.reminders.templates[1].translations.es).toContain('Hola {first_name}');
  });

  test('saving makes a new version; history shows the change and Restore brings the old wording back', async () => {
    const b = fakeBackend();
    await openTemplate(b);
    const original = b.reminders.templates[1].body;
    await typeBody('Hi {first_name}, see you at {time}.');
    await fireEvent.click(screen.getByTestId('template-save'));
    await waitFor(() => expect(text('template-saved')).toBe('Saved as version 2.'));
    expect(b.called.save_template[0].args).toEqual({
      templateId: b.reminders.templates[1].id,
      body: 'Hi {first_name}, see you at {time}.',
      translations: { es: '' },
    });
    expect(text('template-reminder_plain')).toContain('Hi {first_name}, see you at {time}.');

    const history = await screen.findByTestId('template-history');
    await waitFor(() => expect(within(history).getAllByRole('listitem')).toHaveLength(2));
    const v1 = within(history).getByTestId('version-1');
    expect(v1.textContent).toContain(`− ${original}`);
    expect(v1.textContent).toContain('+ Hi {first_name}, see you at {time}.');
    expect(within(history).queryByTestId('restore-2')).toBeNull();

    await fireEvent.click(within(history).getByTestId('restore-1'));
    await waitFor(() => expect(body().value).toBe(original));
    expect(b.called.restore_template_version[0].args).toEqual({
      templateId: b.reminders.templates[1].id,
      version: 1,
    });
    expect(text('template-saved')).toBe('Version 1 restored as version 3.');
  });
});

describe('today reminders card', () => {
  test('appears while there are no rules and applies a preset in one click', async () => {
    const b = fakeBackend();
    render(App);
    const card = await screen.findByTestId('today-reminders-card');
    expect(card.textContent).toContain('Turn on reminders?');
    await waitFor(() => expect(within(card).getByTestId('today-preset-clinic').textContent?.trim()).toBe('Use Clinic'));
    await fireEvent.click(within(card).getByTestId('today-preset-clinic'));
    await waitFor(() => expect(text('today-reminders-done')).toContain('2 reminder rules are set up.'));
    expect(b.called.apply_preset[0].args).toEqual({ preset: 'clinic' });
    expect(b.reminders.rules).toHaveLength(2);

    await fireEvent.click(screen.getByTestId('today-open-reminders'));
    await screen.findByTestId('rules');
  });

  test('"Not now" hides it without setting anything up', async () => {
    const b = fakeBackend();
    render(App);
    await fireEvent.click(await screen.findByTestId('today-reminders-dismiss'));
    expect(screen.queryByTestId('today-reminders-card')).toBeNull();
    expect(b.called.apply_preset).toHaveLength(0);
  });

  test('is not shown once reminders are set up', async () => {
    const b = fakeBackend();
    b.reminders.commands.apply_preset!({ preset: 'light' });
    render(App);
    await screen.findByTestId('today-heading');
    await waitFor(() => expect(b.called.list_reminder_rules.length).toBeGreaterThan(0));
    expect(screen.queryByTestId('today-reminders-card')).toBeNull();
  });
});

describe('settings for reminders', () => {
  test('business phone and no-Sundays are sent only when changed', async () => {
    const b = fakeBackend({ settings: settingsFixture({ business_phone: '' }) });
    render(App);
    await fireEvent.click(await screen.findByTestId('nav-settings'));
    const phone = (await screen.findByTestId('settings-business-phone')) as HTMLInputElement;
    expect(screen.getByText('Shown in help texts as {business_phone}')).toBeTruthy();
    const sundays = screen.getByTestId('settings-no-sundays') as HTMLInputElement;
    expect(sundays.checked).toBe(false);
    expect(screen.getByLabelText('No automated texts on Sundays')).toBe(sundays);

    await fireEvent.input(phone, { target: { value: '01632 960000' } });
    await fireEvent.click(sundays);
    await fireEvent.click(screen.getByTestId('settings-save'));
    await waitFor(() => expect(b.called.update_settings).toHaveLength(1));
    expect(b.called.update_settings[0].args).toEqual({
      update: { business_phone: '01632 960000', no_sundays: true },
    });
    await screen.findByText('Saved.');

    await fireEvent.input(screen.getByTestId('settings-business-name'), { target: { value: 'Harbour Hair & Beauty' } });
    await fireEvent.click(screen.getByTestId('settings-save'));
    await waitFor(() => expect(b.called.update_settings).toHaveLength(2));
    expect(b.called.update_settings[1].args).toEqual({ update: { business_name: 'Harbour Hair & Beauty' } });
  });
});

describe('appointment panel messages', () => {
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
    status: 'booked',
    source: 'desk',
    external_id: null,
    created_at: '2025-06-01T09:00:00Z',
    updated_at: '2025-06-01T09:00:00Z',
    overlaps: false,
  };
  const props = {
    appointment: appt,
    timezone: 'Europe/London',
    onChanged() {},
    onEdit() {},
    onOpenClient() {},
    onClose() {},
  };

  test("lists the appointment's texts with when, rule and status", async () => {
    const b = fakeBackend();
    const m = b.reminders.message({ appointment_id: 7 });
    const stopped = b.reminders.message({
      appointment_id: 7,
      rule_name: 'Two hours before',
      status: 'suppressed',
      reason_text: 'Ann opted out.',
      send_at: '2025-06-03T07:00:00Z',
    });
    b.reminders.message({ appointment_id: 8, client_name: 'Someone else' });
    render(AppointmentPanel, props);
    const list = await screen.findByTestId('appt-messages');
    expect(b.called.list_outbox[0].args).toEqual({ appointmentId: 7 });
    expect(within(list).getAllByRole('listitem')).toHaveLength(2);
    expect(text(`appt-message-${m.id}`)).toBe(`${at('2025-06-02T09:00:00Z')} Day before Planned`);
    expect(text(`appt-message-${stopped.id}`)).toBe(
      `${at('2025-06-03T07:00:00Z')} Two hours before Not sent Ann opted out.`,
    );
    expect(screen.queryByText('No texts yet.')).toBeNull();
  });

  test('keeps "No texts yet." when there are none', async () => {
    const b = fakeBackend();
    render(AppointmentPanel, props);
    await waitFor(() => expect(b.called.list_outbox).toHaveLength(1));
    expect(screen.getByText('No texts yet.')).toBeTruthy();
    expect(screen.queryByTestId('appt-messages')).toBeNull();
  });
});
