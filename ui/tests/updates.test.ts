import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { emit } from '@tauri-apps/api/event';
import { describe, expect, test, vi } from 'vitest';
import App from '../src/App.svelte';
import type { ChangeBatch, ConsentInput } from '../src/lib/bindings';
import { wallOf, wallToUtc } from '../src/lib/time';
import { fakeBackend, type Backend } from './fake';
import { NOTICE_SUGGESTION } from './fake-updates';

const GRANTED: Omit<ConsentInput, 'client_id'> = {
  purpose: 'service',
  action: 'granted',
  channel: 'front_desk_verbal',
  recorded_by: 'Jo',
};
const REVOKED: Omit<ConsentInput, 'client_id'> = {
  ...GRANTED,
  action: 'revoked',
  channel: 'sms_keyword',
  recorded_by: 'engine',
};

const byId = (id: string) => screen.getByTestId(id);
const value = (id: string) => (screen.getByTestId(id) as HTMLInputElement).value;

/** Ann (texts allowed) at 10:00 and Ben (opted out) at 11:30 on the fake's today, 3 June. */
function desk() {
  const b = fakeBackend();
  const ann = b.store.seed('Ann Carter', '07400 123456', { events: [GRANTED] });
  const ben = b.store.seed('Ben Doyle', '07400 222333', { events: [GRANTED, REVOKED] });
  const cut = b.appts.service('Cut', 45);
  const jo = b.appts.person('Jo');
  const sam = b.appts.person('Sam');
  const annAt10 = b.appts.seed({
    client_id: ann.id,
    starts_at: '2025-06-03T09:00:00Z',
    ends_at: '2025-06-03T09:45:00Z',
    service_id: cut.id,
    staff_id: jo.id,
  });
  const benAt1130 = b.appts.seed({
    client_id: ben.id,
    starts_at: '2025-06-03T10:30:00Z',
    ends_at: '2025-06-03T11:00:00Z',
    staff_id: sam.id,
  });
  return { b, ann, ben, jo, sam, annAt10, benAt1130 };
}

async function openUpdate(id: number) {
  render(App);
  await fireEvent.click(await screen.findByTestId(`today-send-update-${id}`));
  return screen.findByTestId('update-dialog');
}

describe('send update', () => {
  test('previews the exact text with its segments, sends it and confirms', async () => {
    const { b, annAt10 } = desk();
    const dialog = await openUpdate(annAt10.id);
    await waitFor(() => expect(within(dialog).getAllByRole('radio')).toHaveLength(5));
    expect(within(dialog).getByTestId('update-send')).toHaveProperty('disabled', true);

    await fireEvent.click(within(dialog).getByTestId('update-template-update_ready'));
    await waitFor(() =>
      expect(byId('update-preview').textContent).toBe(
        "Hi Ann, we're ready for you now. See you in a moment! Harbour Hair",
      ),
    );
    expect(byId('update-segments').textContent).toBe('GSM-7 · 1 segment · 66/160');
    expect(b.called.preview_update.at(-1)?.args).toEqual({
      appointmentId: annAt10.id,
      input: { template_key: 'update_ready' },
    });
    expect(screen.queryByTestId('update-blocked')).toBeNull();

    await fireEvent.click(byId('update-send'));
    await waitFor(() => expect(screen.queryByTestId('update-dialog')).toBeNull());
    expect(b.called.send_update[0].args).toEqual({
      appointmentId: annAt10.id,
      input: { template_key: 'update_ready' },
    });
    expect(byId('update-sent').textContent).toBe('Update sent to Ann Carter.');
    expect(b.reminders.outbox.at(-1)).toMatchObject({
      appointment_id: annAt10.id,
      status: 'sent',
      body: "Hi Ann, we're ready for you now. See you in a moment! Harbour Hair",
    });
  });

  test('running late needs the minutes before it can go', async () => {
    const { b, annAt10 } = desk();
    await openUpdate(annAt10.id);
    await fireEvent.click(await screen.findByTestId('update-template-update_running_late'));
    expect((await screen.findByTestId('update-minutes-error')).textContent).toBe(
      'Say how many minutes late, from 1 to 240.',
    );
    expect(screen.queryByTestId('update-preview')).toBeNull();

    await fireEvent.click(byId('update-send'));
    await waitFor(() => expect(b.called.send_update).toHaveLength(1));
    expect((await screen.findByTestId('update-minutes-error')).textContent).toContain('how many minutes');
    expect(b.reminders.outbox).toHaveLength(0);

    await fireEvent.input(byId('update-minutes'), { target: { value: '15' } });
    await waitFor(() =>
      expect(byId('update-preview').textContent).toBe(
        "Hi Ann, we're running about 15 minutes late for your 10:00 Cut. Sorry for the wait! Harbour Hair",
      ),
    );
    expect(screen.queryByTestId('update-minutes-error')).toBeNull();
    await fireEvent.click(byId('update-send'));
    await waitFor(() => expect(screen.queryByTestId('update-dialog')).toBeNull());
    expect(b.called.send_update.at(-1)?.args).toEqual({
      appointmentId: annAt10.id,
      input: { template_key: 'update_running_late', minutes: 15 },
    });
  });

  test('a client who opted out is named as the reason and Send stays off', async () => {
    const { b, benAt1130 } = desk();
    await openUpdate(benAt1130.id);
    await fireEvent.click(await screen.findByTestId('update-template-update_ready'));
    expect((await screen.findByTestId('update-blocked')).textContent).toBe(
      'Ben Doyle has opted out of texts; call them instead.',
    );
    expect(byId('update-send')).toHaveProperty('disabled', true);
    await fireEvent.click(byId('update-send'));
    expect(b.called.send_update).toHaveLength(0);
  });

  test('quiet hours block an update too', async () => {
    const { b, annAt10 } = desk();
    b.updates.quietHours = true;
    await openUpdate(annAt10.id);
    await fireEvent.click(await screen.findByTestId('update-template-update_arrive_early'));
    expect((await screen.findByTestId('update-blocked')).textContent).toContain("It's quiet hours");
    expect(byId('update-send')).toHaveProperty('disabled', true);
  });

  test('own words replace the ready update; a refusal keeps them and says why beside them', async () => {
    const { b, annAt10 } = desk();
    b.updates.sendFailWith = {
      code: 'invalid_input',
      message: 'The update was not sent: the carrier is down.',
      field: 'text',
      related_id: null,
    };
    const dialog = await openUpdate(annAt10.id);
    await fireEvent.click(await within(dialog).findByTestId('update-template-update_ready'));
    await screen.findByTestId('update-preview');

    await fireEvent.input(byId('update-text'), { target: { value: 'Pop in <b>whenever</b>, {first_name}!' } });
    expect((byId('update-template-update_ready') as HTMLInputElement).checked).toBe(false);
    expect((byId('update-template-free') as HTMLInputElement).checked).toBe(true);
    await waitFor(() => expect(byId('update-preview').textContent).toBe('Pop in <b>whenever</b>, Ann!'));
    expect(byId('update-preview').querySelector('b')).toBeNull();
    expect(b.called.preview_update.at(-1)?.args).toEqual({
      appointmentId: annAt10.id,
      input: { text: 'Pop in <b>whenever</b>, {first_name}!' },
    });

    await fireEvent.click(byId('update-send'));
    expect((await screen.findByTestId('update-error')).textContent).toBe(
      'The update was not sent: the carrier is down.',
    );
    expect(value('update-text')).toBe('Pop in <b>whenever</b>, {first_name}!');
    expect(screen.getByTestId('update-dialog')).toBeTruthy();
    expect(screen.queryByTestId('update-sent')).toBeNull();
  });

  test('from the appointment panel: the sent text shows in its message timeline', async () => {
    // The calendar opens on today's week: pin today (Tuesday 3 June 2025, 15:00 in London).
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2025-06-03T14:00:00Z') });
    const b = fakeBackend();
    const ann = b.store.seed('Ann Carter', '07400 123456', { events: [GRANTED] });
    const today = wallOf(new Date(), 'Europe/London').slice(0, 10);
    expect(today).toBe('2025-06-03');
    const a = b.appts.seed({
      client_id: ann.id,
      starts_at: wallToUtc(`${today}T10:00:00`, 'Europe/London') as string,
      ends_at: wallToUtc(`${today}T10:45:00`, 'Europe/London') as string,
    });
    render(App);
    await fireEvent.click(await screen.findByTestId('nav-calendar'));
    await fireEvent.click(await screen.findByTestId(`cal-event-${a.id}`));
    const panel = await screen.findByTestId('appointment-panel');
    expect(panel.textContent).toContain('No texts yet.');

    await fireEvent.click(within(panel).getByTestId('send-update'));
    await screen.findByTestId('update-dialog');
    await fireEvent.input(byId('update-text'), { target: { value: 'Your room is 2 today, {first_name}.' } });
    await waitFor(() => expect(byId('update-preview').textContent).toBe('Your room is 2 today, Ann.'));
    await fireEvent.click(byId('update-send'));
    await waitFor(() => expect(screen.queryByTestId('update-dialog')).toBeNull());

    expect(within(panel).getByTestId('update-sent').textContent).toBe('Update sent to Ann Carter.');
    const sent = b.reminders.outbox.at(-1);
    await waitFor(() =>
      expect(within(panel).getByTestId(`appt-message-${sent?.id}`).textContent).toContain('Your room is 2 today, Ann.'),
    );
    expect(within(panel).getByTestId(`appt-message-${sent?.id}`).textContent).toContain('Sent');
  });

  test('no update button for a cancelled appointment', async () => {
    const { b, annAt10, benAt1130 } = desk();
    b.appts.find(benAt1130.id).status = 'cancelled';
    render(App);
    await screen.findByTestId(`today-send-update-${annAt10.id}`);
    expect(screen.queryByTestId(`today-send-update-${benAt1130.id}`)).toBeNull();
  });
});

async function openNotice(b: Backend) {
  render(App);
  await fireEvent.click(await screen.findByTestId('today-notice'));
  const dialog = await screen.findByTestId('notice-dialog');
  await waitFor(() => expect(value('notice-text')).toBe(NOTICE_SUGGESTION));
  await waitFor(() => expect(b.called.list_staff.length).toBeGreaterThan(0));
  return dialog;
}

describe('day-wide notice', () => {
  test('starts from today and the suggestion, and previews who gets it and who does not', async () => {
    const { b, annAt10, benAt1130 } = desk();
    const dialog = await openNotice(b);
    expect(value('notice-date')).toBe('2025-06-03');
    expect(value('notice-staff')).toBe('');
    expect(within(dialog).getByTestId('notice-urgent-warning').textContent).toContain('recorded');
    await waitFor(() => expect(byId('notice-segments').textContent).toContain('segment'));
    expect(screen.queryByTestId('notice-send')).toBeNull();

    await fireEvent.click(byId('notice-preview'));
    const list = await screen.findByTestId('notice-recipients');
    expect(b.called.preview_notice[0].args).toEqual({
      input: { date: '2025-06-03', text: NOTICE_SUGGESTION, urgent: false },
    });
    expect(
      within(list)
        .getAllByRole('listitem')
        .map((li) => li.dataset.testid),
    ).toEqual([`notice-recipient-${annAt10.id}`, `notice-recipient-${benAt1130.id}`]);
    const row = (id: number) => byId(`notice-recipient-${id}`).textContent?.replace(/\s+/g, ' ').trim();
    expect(row(annAt10.id)).toBe('10:00 Ann Carter Gets it');
    expect(row(benAt1130.id)).toBe("11:30 Ben Doyle Won't get it: opted out of texts");
    expect(byId('notice-totals').textContent).toBe("1 will get it · 1 won't");
    expect(screen.queryByTestId('notice-waits')).toBeNull();
    expect(byId('notice-sample').textContent).toBe(
      "Harbour Hair: sorry, we're closed on Tuesday 3 June, so your 10:00 Cut can't go ahead. Reply 1 to pick a new time.",
    );
    expect(byId('notice-send').textContent?.trim()).toBe('Send to 1');
  });

  test('says when quiet hours hold the texts; urgent sends now', async () => {
    const { b } = desk();
    b.updates.quietHours = true;
    await openNotice(b);
    await fireEvent.click(byId('notice-preview'));
    expect((await screen.findByTestId('notice-waits')).textContent?.trim()).toBe(
      "It's quiet hours now; texts wait until 08:00",
    );

    await fireEvent.click(byId('notice-urgent'));
    await fireEvent.click(byId('notice-preview'));
    await waitFor(() => expect(b.called.preview_notice).toHaveLength(2));
    expect(b.called.preview_notice[1].args).toMatchObject({ input: { urgent: true } });
    await waitFor(() => expect(screen.queryByTestId('notice-waits')).toBeNull());
    expect(byId('notice-send')).toBeTruthy();
  });

  test('any edit means previewing again; staff and hours narrow it', async () => {
    const { b, sam, annAt10, benAt1130 } = desk();
    await openNotice(b);
    await fireEvent.click(byId('notice-preview'));
    await screen.findByTestId('notice-send');

    await fireEvent.input(byId('notice-text'), { target: { value: 'Closed today, {first_name}. Sorry!' } });
    expect(screen.queryByTestId('notice-send')).toBeNull();
    expect(screen.queryByTestId('notice-recipients')).toBeNull();
    expect(byId('notice-stale')).toBeTruthy();

    await fireEvent.change(byId('notice-staff'), { target: { value: String(sam.id) } });
    await fireEvent.input(byId('notice-from'), { target: { value: '11:00' } });
    await fireEvent.input(byId('notice-to'), { target: { value: '17:00' } });
    await fireEvent.click(byId('notice-preview'));
    await screen.findByTestId('notice-recipients');
    expect(b.called.preview_notice.at(-1)?.args).toEqual({
      input: {
        date: '2025-06-03',
        staff_id: sam.id,
        from_time: '11:00',
        to_time: '17:00',
        text: 'Closed today, {first_name}. Sorry!',
        urgent: false,
      },
    });
    expect(screen.queryByTestId(`notice-recipient-${annAt10.id}`)).toBeNull();
    expect(byId(`notice-recipient-${benAt1130.id}`)).toBeTruthy();
    expect(byId('notice-totals').textContent).toBe("0 will get it · 1 won't");
    expect(byId('notice-send')).toHaveProperty('disabled', true);

    await fireEvent.click(byId('notice-urgent'));
    expect(screen.queryByTestId('notice-send')).toBeNull();
  });

  test('sending shows progress as the texts go out', async () => {
    const { b, ben } = desk();
    b.store.record({ ...GRANTED, client_id: ben.id });
    await openNotice(b);
    await fireEvent.click(byId('notice-preview'));
    expect((await screen.findByTestId('notice-totals')).textContent).toBe("2 will get it · 0 won't");
    await fireEvent.click(byId('notice-send'));

    expect((await screen.findByTestId('notice-progress')).textContent).toContain('Sent 0 of 2');
    expect(b.called.send_notice[0].args).toEqual({
      input: { date: '2025-06-03', text: NOTICE_SUGGESTION, urgent: false },
    });
    expect(screen.queryByTestId('notice-send')).toBeNull();
    expect((byId('notice-text').closest('fieldset') as HTMLFieldSetElement).disabled).toBe(true);

    const messages: ChangeBatch = { source: 'background', changes: [{ kind: 'messages' }] };
    await emit('tidings://changes', messages);
    await waitFor(() => expect(byId('notice-progress').textContent).toContain('Sent 1 of 2'));
    expect(b.called.get_notice_progress[0].args).toEqual({ noticeId: 1 });
    await emit('tidings://changes', messages);
    await waitFor(() => expect(byId('notice-progress').textContent?.trim()).toBe('Sent 2 of 2 — done.'));

    const calls = b.called.get_notice_progress.length;
    await emit('tidings://changes', messages);
    await new Promise((r) => setTimeout(r, 20));
    expect(b.called.get_notice_progress).toHaveLength(calls);
    await fireEvent.click(byId('notice-close'));
    expect(screen.queryByTestId('notice-dialog')).toBeNull();
  });

  test('errors show beside the field or below, and nothing typed is lost', async () => {
    const { b } = desk();
    await openNotice(b);
    await fireEvent.input(byId('notice-date'), { target: { value: '2025-06-04' } });
    await fireEvent.input(byId('notice-text'), { target: { value: 'Closed, {first_name}.' } });
    await fireEvent.click(byId('notice-preview'));
    const err = await screen.findByTestId('notice-error');
    expect(err.textContent).toBe('There are no booked appointments then; nobody would get this notice.');
    expect(err.id).toBe('notice-date-error');
    expect(byId('notice-date').getAttribute('aria-invalid')).toBe('true');
    expect(value('notice-text')).toBe('Closed, {first_name}.');

    await fireEvent.input(byId('notice-date'), { target: { value: '2025-06-03' } });
    expect(screen.queryByTestId('notice-error')).toBeNull();
    await fireEvent.input(byId('notice-text'), { target: { value: 'Closed, {frist_name}.' } });
    await fireEvent.click(byId('notice-preview'));
    expect((await screen.findByTestId('notice-error')).id).toBe('notice-text-error');
    expect(byId('notice-text').getAttribute('aria-invalid')).toBe('true');
    expect(value('notice-text')).toBe('Closed, {frist_name}.');

    await fireEvent.input(byId('notice-text'), { target: { value: 'Closed, {first_name}.' } });
    b.updates.noticeFailWith = {
      code: 'database_busy',
      message: 'The database is busy. Try again.',
      field: null,
      related_id: null,
    };
    await fireEvent.click(byId('notice-preview'));
    await fireEvent.click(await screen.findByTestId('notice-send'));
    expect((await screen.findByTestId('notice-error')).textContent).toBe('The database is busy. Try again.');
    expect(screen.queryByTestId('notice-progress')).toBeNull();
    expect(value('notice-text')).toBe('Closed, {first_name}.');
    expect(value('notice-date')).toBe('2025-06-03');

    b.updates.noticeFailWith = null;
    await fireEvent.click(byId('notice-send'));
    expect((await screen.findByTestId('notice-progress')).textContent).toContain('Sent 0 of 1');
    // With no change events at all, it still checks every 2 s.
    await waitFor(() => expect(byId('notice-progress').textContent?.trim()).toBe('Sent 1 of 1 — done.'), {
      timeout: 3500,
    });
  });
});
