import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, test, vi } from 'vitest';
import AppointmentDialog from '../src/lib/AppointmentDialog.svelte';
import { fakeBackend } from './fake';

const draft = { start: '2025-06-03T10:00:00', end: '2025-06-03T10:30:00' };

function open(b = fakeBackend()) {
  const onSaved = vi.fn();
  render(AppointmentDialog, {
    draft,
    services: b.appts.services,
    staff: b.appts.staff,
    timezone: 'Europe/London',
    onSaved,
    onCancel: () => {},
  });
  return { b, onSaved };
}

const input = (id: string) => screen.getByTestId(id) as HTMLInputElement;

describe('new appointment dialog', () => {
  test('is prefilled with the selection, creates a client inline and sends times as UTC', async () => {
    const b = fakeBackend();
    const cut = b.appts.service('Cut and blow-dry', 45);
    const jo = b.appts.person('Jo');
    const { onSaved } = open(b);
    expect(input('appt-start').value).toBe('2025-06-03T10:00');
    expect(input('appt-end').value).toBe('2025-06-03T10:30');

    expect(screen.queryByTestId('appt-new-client-consent-note')).toBeNull();
    await fireEvent.input(input('appt-new-client-name'), { target: { value: 'Bea Lane' } });
    expect(screen.getByTestId('appt-new-client-consent-note').textContent).toContain('A new client has no consent');
    await fireEvent.input(input('appt-new-client-phone'), { target: { value: '07400 999888' } });
    await fireEvent.change(screen.getByTestId('appt-service'), { target: { value: String(cut.id) } });
    expect(input('appt-end').value).toBe('2025-06-03T10:45');
    await fireEvent.change(screen.getByTestId('appt-staff'), { target: { value: String(jo.id) } });
    await fireEvent.input(screen.getByTestId('appt-notes'), { target: { value: 'First visit' } });
    await fireEvent.click(screen.getByTestId('appt-save'));

    await waitFor(() => expect(onSaved).toHaveBeenCalledOnce());
    expect(b.called.create_client[0].args).toEqual({ input: { name: 'Bea Lane', phone: '07400 999888' } });
    const client = b.store.clients.find((c) => c.name === 'Bea Lane');
    expect(b.called.create_appointment[0].args).toEqual({
      input: {
        client_id: client?.id,
        starts_at: '2025-06-03T09:00:00Z',
        ends_at: '2025-06-03T09:45:00Z',
        service_id: cut.id,
        staff_id: jo.id,
        notes: 'First visit',
      },
    });
  });

  test('a service leaves an end the desk typed alone', async () => {
    const b = fakeBackend();
    const cut = b.appts.service('Cut', 45);
    open(b);
    await fireEvent.input(input('appt-end'), { target: { value: '2025-06-03T11:30' } });
    await fireEvent.change(screen.getByTestId('appt-service'), { target: { value: String(cut.id) } });
    expect(input('appt-end').value).toBe('2025-06-03T11:30');
  });

  test('picks an existing client from the search', async () => {
    const b = fakeBackend();
    const ann = b.store.seed('Ann Carter', '07400 123456');
    b.store.seed('Ben Doyle', '07400 222333');
    const { onSaved } = open(b);
    await fireEvent.input(screen.getByTestId('appt-client-search'), { target: { value: 'ann' } });
    await fireEvent.click(await screen.findByTestId(`appt-client-option-${ann.id}`));
    expect(screen.getByTestId('appt-client-chosen').textContent).toContain('Ann Carter');
    expect(screen.queryByTestId('appt-new-client-name')).toBeNull();
    // Before booking, the desk sees that her reminders won't go, and what fixes it.
    expect(screen.getByTestId('appt-no-consent-note').textContent).toMatch(
      /Reminders won't be sent to Ann Carter: no consent for appointment texts is on record\.\s+Record it from the appointment/,
    );
    await fireEvent.click(screen.getByTestId('appt-save'));
    await waitFor(() => expect(onSaved).toHaveBeenCalledOnce());
    expect(b.called.create_client).toHaveLength(0);
    expect(b.called.create_appointment[0].args).toMatchObject({ input: { client_id: ann.id } });
  });

  test('Enter in the client search picks the first client found, without booking yet', async () => {
    const b = fakeBackend();
    const ann = b.store.seed('Ann Carter', '07400 123456');
    const { onSaved } = open(b);
    const search = screen.getByTestId('appt-client-search');
    await fireEvent.input(search, { target: { value: 'carter' } });
    await screen.findByTestId(`appt-client-option-${ann.id}`);
    await fireEvent.keyDown(search, { key: 'Enter' });
    expect(screen.getByTestId('appt-client-chosen').textContent).toContain('Ann Carter');
    expect(onSaved).not.toHaveBeenCalled();
    expect(b.called.create_appointment).toHaveLength(0);
  });

  test('errors show inline; a client created before the failure is not created twice', async () => {
    const b = fakeBackend();
    const { onSaved } = open(b);
    await fireEvent.click(screen.getByTestId('appt-save'));
    expect(screen.getByTestId('appt-error').textContent).toContain('Choose a client');

    await fireEvent.input(input('appt-new-client-name'), { target: { value: 'Bea Lane' } });
    await fireEvent.input(input('appt-new-client-phone'), { target: { value: '07400 999888' } });
    await fireEvent.input(input('appt-end'), { target: { value: '2025-06-03T09:00' } });
    await fireEvent.click(screen.getByTestId('appt-save'));
    expect((await screen.findByTestId('appt-error')).textContent).toBe('The appointment ends before it starts.');
    expect(input('appt-end').getAttribute('aria-invalid')).toBe('true');

    await fireEvent.input(input('appt-end'), { target: { value: '2025-06-03T10:30' } });
    await fireEvent.click(screen.getByTestId('appt-save'));
    await waitFor(() => expect(onSaved).toHaveBeenCalledOnce());
    expect(b.called.create_client).toHaveLength(1);
  });
});
