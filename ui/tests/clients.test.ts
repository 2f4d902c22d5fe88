import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { emit } from '@tauri-apps/api/event';
import { describe, expect, test } from 'vitest';
import App from '../src/App.svelte';
import type { ChangeBatch, ConsentInput } from '../src/lib/bindings';
import { fakeBackend, type Backend } from './fake';

async function openClients() {
  await fireEvent.click(await screen.findByTestId('nav-clients'));
  await screen.findByTestId('clients-screen');
}

const value = (id: string) => screen.getByTestId(id) as HTMLInputElement;

function seedThree(b: Backend) {
  const ann = b.store.seed('Ann Carter', '07400 123456', {
    events: [
      { purpose: 'service', action: 'granted', channel: 'paper_form', recorded_by: 'Jo' },
      { purpose: 'marketing', action: 'granted', channel: 'front_desk_verbal', recorded_by: 'Jo' },
      { purpose: 'marketing', action: 'revoked', channel: 'sms_keyword', recorded_by: 'engine' },
    ],
  });
  const ben = b.store.seed('Ben Doyle', '+1 212 555 0123');
  const cat = b.store.seed('Cat Evans', '+353 85 123 4567', { archived: true });
  return { ann, ben, cat };
}

describe('clients list', () => {
  test('the nav has Clients between Today and Settings, with Reminders after it', async () => {
    fakeBackend();
    render(App);
    await screen.findByTestId('nav-clients');
    const labels = screen
      .getAllByRole('button')
      .filter((b) => b.className.includes('nav-item'))
      .map((b) => b.textContent?.trim());
    expect(labels).toEqual(['Today', 'Inbox', 'Calendar', 'Clients', 'Reminders', 'Insights', 'Settings']);
  });

  test('shows each client with a spaced number and both consent badges in words', async () => {
    const b = fakeBackend();
    const { ann, ben, cat } = seedThree(b);
    render(App);
    await openClients();

    const annRow = await screen.findByTestId(`client-row-${ann.id}`);
    expect(annRow.textContent).toContain('Ann Carter');
    expect(annRow.textContent).toContain('+44 7400 123456');
    expect(screen.getByTestId(`badge-service-${ann.id}`).textContent).toBe('Service: granted');
    expect(screen.getByTestId(`badge-marketing-${ann.id}`).textContent).toBe('Marketing: opted out');
    expect(screen.getByTestId(`badge-service-${ben.id}`).textContent).toBe('Service: none');
    expect(screen.getByTestId(`badge-marketing-${ben.id}`).textContent).toBe('Marketing: none');
    expect(screen.getByTestId(`client-row-${ben.id}`).textContent).toContain('+1 212 555 0123');
    // Distinct styling per state, as well as the words.
    expect(screen.getByTestId(`badge-service-${ann.id}`).className).toContain('granted');
    expect(screen.getByTestId(`badge-marketing-${ann.id}`).className).toContain('revoked');

    // Archived clients only with "Show archived".
    expect(screen.queryByTestId(`client-row-${cat.id}`)).toBeNull();
    await fireEvent.click(screen.getByLabelText('Show archived'));
    expect((await screen.findByTestId(`client-row-${cat.id}`)).textContent).toContain('Archived');
    expect(b.called.list_clients.at(-1)?.args).toEqual({ query: '', includeArchived: true });
  });

  test('search calls list_clients with the typed query after a short pause, and says when nothing matches', async () => {
    const b = fakeBackend();
    const { ann } = seedThree(b);
    render(App);
    await openClients();
    await screen.findByTestId(`client-row-${ann.id}`);
    const before = b.called.list_clients.length;

    await fireEvent.input(screen.getByTestId('clients-search'), { target: { value: 'A' } });
    await fireEvent.input(screen.getByTestId('clients-search'), { target: { value: 'Ann' } });
    expect(b.called.list_clients).toHaveLength(before); // debounced
    await waitFor(() => expect(b.called.list_clients).toHaveLength(before + 1));
    expect(b.called.list_clients.at(-1)?.args).toEqual({ query: 'Ann', includeArchived: false });
    await waitFor(() => expect(screen.queryByText('Ben Doyle')).toBeNull());
    expect(screen.getByTestId(`client-row-${ann.id}`)).toBeTruthy();

    await fireEvent.input(screen.getByTestId('clients-search'), { target: { value: 'Zed' } });
    expect((await screen.findByTestId('clients-empty')).textContent).toContain('No client matches “Zed”.');
  });

  test('an empty book says how to start', async () => {
    fakeBackend();
    render(App);
    await openClients();
    expect((await screen.findByTestId('clients-empty')).textContent).toContain(
      'No clients yet — add one or import a CSV.',
    );
  });

  test('a row opens the client with the keyboard too', async () => {
    const b = fakeBackend();
    const { ann } = seedThree(b);
    render(App);
    await openClients();
    const row = await screen.findByTestId(`client-row-${ann.id}`);
    expect(row.getAttribute('tabindex')).toBe('0');
    await fireEvent.keyDown(row, { key: 'Enter' });
    expect((await screen.findByTestId('client-detail-name')).textContent).toContain('Ann Carter');
  });

  test('reloads when clients change elsewhere', async () => {
    const b = fakeBackend();
    render(App);
    await openClients();
    await screen.findByTestId('clients-empty');
    const added = b.store.seed('Dee Fox', '07400 999888');
    await emit('tidings://changes', { source: 'import', changes: [{ kind: 'clients' }] } satisfies ChangeBatch);
    expect(await screen.findByTestId(`client-row-${added.id}`)).toBeTruthy();
  });
});

describe('adding and editing clients', () => {
  test('creating a client sends what was typed and opens the new client', async () => {
    const b = fakeBackend();
    render(App);
    await openClients();
    await fireEvent.click(screen.getByTestId('add-client'));
    const form = await screen.findByTestId('client-form');
    expect(form.getAttribute('role')).toBe('dialog');
    expect(document.activeElement).toBe(value('client-name'));
    expect(screen.getByText('National or international, such as 07400 123456 or +44 7400 123456')).toBeTruthy();

    await fireEvent.input(value('client-name'), { target: { value: 'Eve Green' } });
    await fireEvent.input(value('client-phone'), { target: { value: '07400 555111' } });
    const zone = screen.getByTestId('client-timezone') as HTMLSelectElement;
    await waitFor(() => expect(zone.options.length).toBeGreaterThan(1));
    expect(zone.options[0].textContent).toBe('Same as the business');
    await fireEvent.change(zone, { target: { value: 'Asia/Tokyo' } });
    await fireEvent.input(value('client-notes'), { target: { value: 'Prefers mornings' } });
    // Texts in Spanish; "Same as the business" names the business's language.
    const language = screen.getByTestId('client-language') as HTMLSelectElement;
    expect(language.options[0].textContent).toBe('Same as the business (English)');
    expect(Array.from(language.options).map((o) => o.value)).toEqual(['', 'en', 'es']);
    await fireEvent.change(language, { target: { value: 'es' } });
    await fireEvent.click(screen.getByTestId('client-save'));

    await waitFor(() => expect(b.called.create_client).toHaveLength(1));
    expect(b.called.create_client[0].args).toEqual({
      input: {
        name: 'Eve Green',
        phone: '07400 555111',
        timezone: 'Asia/Tokyo',
        notes: 'Prefers mornings',
        language: 'es',
      },
    });
    expect((await screen.findByTestId('client-detail-name')).textContent).toContain('Eve Green');
    expect(screen.getByTestId('client-detail-phone').textContent).toBe('+44 7400 555111');
    expect(screen.getByTestId('client-detail-timezone').textContent).toBe('Asia/Tokyo');
    expect(screen.queryByTestId('client-form')).toBeNull();
  });

  test('a taken number shows the message and an Open button for the client who has it', async () => {
    const b = fakeBackend();
    const { ann } = seedThree(b);
    render(App);
    await openClients();
    await fireEvent.click(screen.getByTestId('add-client'));
    await fireEvent.input(value('client-name'), { target: { value: 'Annie C' } });
    await fireEvent.input(value('client-phone'), { target: { value: '+44 7400 123456' } });
    await fireEvent.click(screen.getByTestId('client-save'));

    expect((await screen.findByTestId('client-error')).textContent).toBe('Ann Carter already has this number.');
    expect(value('client-phone').getAttribute('aria-invalid')).toBe('true');
    expect(value('client-name').value).toBe('Annie C'); // typed values kept
    const open = await screen.findByTestId('open-existing-client');
    await waitFor(() => expect(open.textContent?.trim()).toBe('Open Ann Carter'));
    await fireEvent.click(open);
    expect((await screen.findByTestId('client-detail-name')).textContent).toContain('Ann Carter');
    expect(b.called.get_client.at(-1)?.args).toEqual({ id: ann.id });
    expect(screen.queryByTestId('client-form')).toBeNull();
  });

  test('an invalid number is shown beside the phone field; an empty name never reaches the backend', async () => {
    const b = fakeBackend();
    render(App);
    await openClients();
    await fireEvent.click(screen.getByTestId('add-client'));
    await fireEvent.click(screen.getByTestId('client-save'));
    expect(screen.getByTestId('client-error').textContent).toMatch(/name/);
    expect(b.called.create_client).toHaveLength(0);

    await fireEvent.input(value('client-name'), { target: { value: 'Fay' } });
    await fireEvent.input(value('client-phone'), { target: { value: '12' } });
    await fireEvent.click(screen.getByTestId('client-save'));
    const err = await screen.findByTestId('client-error');
    expect(err.textContent).toBe("“12” isn't a mobile number we can text.");
    expect(err.id).toBe('client-phone-error');
    expect(value('client-phone').getAttribute('aria-describedby')).toContain('client-phone-error');
  });

  test('Escape closes the form', async () => {
    fakeBackend();
    render(App);
    await openClients();
    await fireEvent.click(screen.getByTestId('add-client'));
    await fireEvent.keyDown(await screen.findByTestId('client-name'), { key: 'Escape' });
    expect(screen.queryByTestId('client-form')).toBeNull();
  });

  test('Edit saves with update_client and shows the new values; Archive toggles', async () => {
    const b = fakeBackend();
    const { ben } = seedThree(b);
    render(App);
    await openClients();
    await fireEvent.click(await screen.findByTestId(`client-row-${ben.id}`));
    await fireEvent.click(await screen.findByTestId('edit-client'));
    expect(value('client-name').value).toBe('Ben Doyle');
    await fireEvent.input(value('client-name'), { target: { value: 'Benedict Doyle' } });
    await fireEvent.click(screen.getByTestId('client-save'));
    await waitFor(() => expect(b.called.update_client).toHaveLength(1));
    expect(b.called.update_client[0].args).toEqual({
      id: ben.id,
      input: { name: 'Benedict Doyle', phone: '+12125550123', notes: '', language: '' },
    });
    await waitFor(() => expect(screen.getByTestId('client-detail-name').textContent).toContain('Benedict Doyle'));

    await fireEvent.click(screen.getByTestId('archive-client'));
    await waitFor(() => expect(screen.getByTestId('archive-client').textContent?.trim()).toBe('Unarchive'));
    expect(b.called.set_client_archived[0].args).toEqual({ id: ben.id, archived: true });
  });
});

describe('client detail and consent', () => {
  async function openAnn(b: Backend) {
    const ids = seedThree(b);
    render(App);
    await openClients();
    await fireEvent.click(await screen.findByTestId(`client-row-${ids.ann.id}`));
    await screen.findByTestId('client-detail-name');
    return ids;
  }

  test('shows the state per purpose and the whole ledger newest first, with the words shown', async () => {
    const b = fakeBackend();
    const ann = b.store.seed('Ann Carter', '07400 123456');
    b.store.record({
      client_id: ann.id,
      purpose: 'service',
      action: 'granted',
      channel: 'paper_form',
      recorded_by: 'Jo',
      evidence: 'Form 17',
      occurred_at: '2025-05-01T09:00:00Z',
    });
    b.store.record({
      client_id: ann.id,
      purpose: 'marketing',
      action: 'granted',
      channel: 'web_form',
      recorded_by: 'Sam',
      occurred_at: '2025-05-02T09:00:00Z',
    });
    b.store.record({
      client_id: ann.id,
      purpose: 'marketing',
      action: 'revoked',
      channel: 'sms_keyword',
      recorded_by: 'engine',
      occurred_at: '2025-05-03T09:00:00Z',
    });
    render(App);
    await openClients();
    await fireEvent.click(await screen.findByTestId(`client-row-${ann.id}`));

    expect((await screen.findByTestId('consent-state-service')).textContent).toContain('granted');
    expect(screen.getByTestId('consent-state-marketing').textContent).toContain('opted out');
    const entries = within(screen.getByTestId('ledger')).getAllByTestId('ledger-entry');
    expect(entries).toHaveLength(3);
    expect(entries[0].textContent).toContain('Opted out');
    expect(entries[0].textContent).toContain('Text keyword');
    expect(entries[0].textContent).toContain('recorded by engine');
    expect(entries[1].textContent).toContain('Web form');
    expect(entries[1].textContent).toContain('Marketing');
    expect(entries[2].textContent).toContain('Paper form');
    expect(entries[2].textContent).toContain('Evidence: Form 17');
    expect(entries[2].textContent).toContain('Words shown (version 1)');
    expect(entries[2].querySelector('blockquote')?.textContent).toBe(
      'Reply STOP to stop. Harbour Hair will text you about your appointments.',
    );
    // In the desk's way of writing (a British desk; the test computer keeps UTC).
    expect(entries[2].querySelector('time')?.textContent).toBe('1 May 2025, 09:00');
  });

  test('a client without consent says so', async () => {
    const b = fakeBackend();
    const { ben } = seedThree(b);
    render(App);
    await openClients();
    await fireEvent.click(await screen.findByTestId(`client-row-${ben.id}`));
    expect((await screen.findByTestId('consent-state-service')).textContent).toContain('no consent');
    expect(screen.getByTestId('consent-state-marketing').textContent).toContain('no consent');
  });

  test('the consent dialog shows the exact words and sends the right ConsentInput', async () => {
    localStorage.clear();
    const b = fakeBackend();
    const { ann } = await openAnn(b);
    await fireEvent.click(screen.getByTestId('record-consent-marketing'));
    const dialog = await screen.findByTestId('consent-dialog');
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    const words = await within(dialog).findByTestId('consent-disclosure');
    expect(words.textContent).toContain('Harbour Hair may text you offers, at most twice a month. Reply STOP to stop.');
    expect(words.textContent).toContain('Version 1');

    await fireEvent.change(screen.getByTestId('consent-channel'), { target: { value: 'paper_form' } });
    await fireEvent.input(value('consent-recorded-by'), { target: { value: 'Jo Bloggs' } });
    await fireEvent.input(value('consent-evidence'), { target: { value: 'Form 42' } });
    await fireEvent.click(screen.getByTestId('consent-confirm'));

    await waitFor(() => expect(b.called.record_consent).toHaveLength(1));
    expect(b.called.record_consent[0].args).toEqual({
      input: {
        client_id: ann.id,
        purpose: 'marketing',
        action: 'granted',
        channel: 'paper_form',
        recorded_by: 'Jo Bloggs',
        evidence: 'Form 42',
      } satisfies ConsentInput,
    });
    await waitFor(() => expect(screen.queryByTestId('consent-dialog')).toBeNull());
    await waitFor(() => expect(screen.getByTestId('consent-state-marketing').textContent).toContain('granted'));
    expect(within(screen.getByTestId('ledger')).getAllByTestId('ledger-entry')[0].textContent).toContain('Form 42');

    // The name is remembered for next time.
    await fireEvent.click(screen.getByTestId('record-optout-service'));
    expect(value('consent-recorded-by').value).toBe('Jo Bloggs');
  });

  test('an opt-out says what it records and an empty "Recorded by" never reaches the backend', async () => {
    localStorage.clear();
    const b = fakeBackend();
    const { ann } = await openAnn(b);
    await fireEvent.click(screen.getByTestId('record-optout-service'));
    expect((await screen.findByTestId('consent-disclosure')).textContent?.trim()).toBe(
      'Record that the customer asked to stop service texts.',
    );
    await fireEvent.click(screen.getByTestId('consent-confirm'));
    expect(screen.getByTestId('consent-error').textContent).toMatch(/name/);
    expect(value('consent-recorded-by').getAttribute('aria-invalid')).toBe('true');
    expect(b.called.record_consent).toHaveLength(0);

    await fireEvent.input(value('consent-recorded-by'), { target: { value: 'Sam' } });
    await fireEvent.click(screen.getByTestId('consent-confirm'));
    await waitFor(() => expect(b.called.record_consent).toHaveLength(1));
    expect(b.called.record_consent[0].args).toEqual({
      input: {
        client_id: ann.id,
        purpose: 'service',
        action: 'revoked',
        channel: 'front_desk_verbal',
        recorded_by: 'Sam',
      },
    });
    await waitFor(() => expect(screen.getByTestId('consent-state-service').textContent).toContain('opted out'));
  });

  test('Escape closes the consent dialog and focus returns to the button that opened it', async () => {
    const b = fakeBackend();
    await openAnn(b);
    const opener = screen.getByTestId('record-consent-service');
    opener.focus();
    await fireEvent.click(opener);
    const dialog = await screen.findByTestId('consent-dialog');
    expect(dialog.contains(document.activeElement)).toBe(true);
    await fireEvent.keyDown(document.activeElement as Element, { key: 'Escape' });
    expect(screen.queryByTestId('consent-dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  test('exports say where the file was saved', async () => {
    const b = fakeBackend();
    const { ann } = await openAnn(b);
    await fireEvent.click(screen.getByTestId('export-json'));
    await waitFor(() =>
      expect(screen.getByTestId('export-result').textContent?.trim()).toBe(
        `Saved to /home/desk/Documents/Tidings/consent-${ann.id}.json`,
      ),
    );
    await fireEvent.click(screen.getByTestId('export-csv'));
    expect(b.called.export_consent.map((c) => c.args)).toEqual([
      { clientId: ann.id, format: 'json' },
      { clientId: ann.id, format: 'csv' },
    ]);
  });

  test('a consent change made elsewhere shows up on the open client', async () => {
    const b = fakeBackend();
    const { ann } = await openAnn(b);
    b.store.record({
      client_id: ann.id,
      purpose: 'service',
      action: 'revoked',
      channel: 'sms_keyword',
      recorded_by: 'engine',
    });
    await emit('tidings://changes', {
      source: 'background',
      changes: [{ kind: 'consent', client_id: ann.id }],
    } satisfies ChangeBatch);
    await waitFor(() => expect(screen.getByTestId('consent-state-service').textContent).toContain('opted out'));
  });
});
