import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { emit } from '@tauri-apps/api/event';
import { describe, expect, test } from 'vitest';
import App from '../src/App.svelte';
import type { ChangeBatch } from '../src/lib/bindings';
import { splitSnippet } from '../src/lib/inbox';
import { fakeBackend, type Backend } from './fake';
import { FLAG } from './fake-inbox';

/** Ann (known, needs a reply), an unknown number, Ben (reschedule) and a resolved thread with Cat. */
function seed(b: Backend) {
  const ann = b.store.seed('Ann Carter', '07400 123456', {
    events: [{ purpose: 'service', action: 'granted', channel: 'front_desk_verbal', recorded_by: 'Jo' }],
  });
  const ben = b.store.seed('Ben Doyle', '07400 654321');
  const cat = b.store.seed('Cat Evans', '07400 111222');
  const cut = b.appts.service('Cut', 45);
  b.appts.seed({
    client_id: ann.id,
    starts_at: '2025-06-03T09:00:00Z',
    ends_at: '2025-06-03T09:45:00Z',
    service_id: cut.id,
  });

  const annThread = b.inbox.seed({
    phone: ann.phone,
    unread: 2,
    needs_reply: true,
    texts: [
      { author: 'reminder', body: 'Hi Ann, see you Tue at 10:00. Reply YES to confirm.', at: '2025-06-02T08:00:00Z' },
      {
        author: 'automatic',
        body: 'Sorry, we could not send that.',
        status: 'failed',
        reason_text: 'Carrier rejected the text',
        at: '2025-06-02T08:01:00Z',
      },
      { body: 'Can I bring my daughter too?', at: '2025-06-02T09:30:00Z' },
    ],
  });
  const stranger = b.inbox.seed({
    phone: '+447700900123',
    unread: 1,
    needs_reply: true,
    texts: [{ body: 'Hello, is this the salon?', at: '2025-06-02T09:00:00Z' }],
  });
  const benThread = b.inbox.seed({
    phone: ben.phone,
    reschedule_requested: true,
    assignee: 'Jo',
    texts: [{ body: 'Can we move to Friday?', at: '2025-06-02T07:00:00Z' }],
  });
  const catThread = b.inbox.seed({
    phone: cat.phone,
    resolved: true,
    texts: [{ body: 'Thanks, all sorted', at: '2025-06-01T07:00:00Z' }],
  });
  return { ann, ben, cat, annThread, stranger, benThread, catThread };
}

async function openInbox() {
  await fireEvent.click(await screen.findByTestId('nav-inbox'));
  return screen.findByTestId('inbox-screen');
}

const rowIds = () =>
  within(screen.getByTestId('inbox-list'))
    .queryAllByTestId(/^inbox-thread-\d+$/)
    .map((r) => Number(r.dataset.testid?.replace('inbox-thread-', '')));
const composer = () => screen.getByTestId('thread-composer') as HTMLTextAreaElement;
const changes = (batch: ChangeBatch) => emit('tidings://changes', batch);

async function openThreadRow(id: number) {
  await fireEvent.click(await screen.findByTestId(`inbox-thread-${id}`));
  await waitFor(() => expect(screen.getByTestId('thread-title')).toBeTruthy());
  return screen.getByTestId('thread');
}

describe('inbox navigation badge', () => {
  test('counts conversations waiting for a reply, as the Inbox does, and follows change events', async () => {
    const b = fakeBackend();
    const { annThread, stranger, catThread } = seed(b);
    catThread.needs_reply = true; // Resolved: not counted.
    render(App);
    const badge = await screen.findByTestId('nav-inbox-badge');
    expect(badge.textContent).toBe('2');
    expect(b.called.get_inbox_counts.length).toBeGreaterThan(0);

    // Reading a text does not answer it: the badge stays.
    annThread.unread = 0;
    await changes({ source: 'background', changes: [{ kind: 'thread', id: annThread.id }] });
    await waitFor(() => expect(b.called.get_inbox_counts.length).toBeGreaterThan(1));
    expect(screen.getByTestId('nav-inbox-badge').textContent).toBe('2');

    annThread.needs_reply = false;
    stranger.needs_reply = false;
    await changes({ source: 'background', changes: [{ kind: 'thread', id: annThread.id }] });
    await waitFor(() => expect(screen.queryByTestId('nav-inbox-badge')).toBeNull());

    b.inbox.text(stranger, { body: 'Hello?' });
    stranger.needs_reply = true;
    await changes({
      source: 'background',
      changes: [{ kind: 'reply', thread_id: stranger.id, from: '+447700900123', preview: 'Hello?' }],
    });
    await waitFor(() => expect(screen.getByTestId('nav-inbox-badge').textContent).toBe('1'));
  });

  test('no badge when nothing waits for a reply', async () => {
    const b = fakeBackend();
    b.inbox.seed({ phone: '+447700900123', texts: [{ body: 'hi' }] });
    render(App);
    await screen.findByTestId('nav-inbox');
    await waitFor(() => expect(b.called.get_inbox_counts.length).toBeGreaterThan(0));
    expect(screen.queryByTestId('nav-inbox-badge')).toBeNull();
  });
});

describe('inbox list', () => {
  test('opens on Open with counts on every filter, and each row says who, what and why', async () => {
    const b = fakeBackend();
    const { annThread, stranger, benThread, catThread } = seed(b);
    render(App);
    await openInbox();
    await waitFor(() => expect(rowIds()).toEqual([annThread.id, stranger.id, benThread.id]));
    expect(b.called.get_inbox[0].args).toEqual({ filter: 'open' });
    expect(screen.getByTestId('inbox-filter-open').getAttribute('aria-pressed')).toBe('true');

    const count = (f: string) => screen.getByTestId(`inbox-filter-${f}`).textContent?.replace(/\s+/g, ' ').trim();
    expect(count('needs_reply')).toBe('Needs reply 2');
    expect(count('reschedule')).toBe('Reschedule requests 1');
    expect(count('possible_opt_out')).toBe('Possible opt-outs 0');
    expect(count('unknown')).toBe('Unknown numbers 1');
    expect(count('open')).toBe('Open 3');
    expect(count('all')).toBe('All');
    expect(count('resolved')).toBe('Resolved');

    const ann = screen.getByTestId(`inbox-thread-${annThread.id}`);
    expect(ann.textContent).toContain('Ann Carter');
    expect(ann.textContent).toContain('Can I bring my daughter too?');
    expect(ann.textContent).toContain('Needs reply');
    expect(screen.getByTestId(`inbox-thread-unread-${annThread.id}`).textContent).toBe('2');
    expect(ann.classList.contains('unread')).toBe(true);

    const unknown = screen.getByTestId(`inbox-thread-${stranger.id}`);
    expect(unknown.textContent).toContain('+44 7700 900123');
    expect(unknown.textContent).toContain('Unknown number');

    const ben = screen.getByTestId(`inbox-thread-${benThread.id}`);
    expect(ben.textContent).toContain('Reschedule requested');
    expect(ben.textContent).toContain('Jo');
    expect(ben.textContent).not.toContain('Needs reply');
    expect(screen.queryByTestId(`inbox-thread-unread-${benThread.id}`)).toBeNull();

    await fireEvent.click(screen.getByTestId('inbox-filter-reschedule'));
    await waitFor(() => expect(rowIds()).toEqual([benThread.id]));
    expect(b.called.get_inbox.at(-1)?.args).toEqual({ filter: 'reschedule' });
    expect(screen.getByTestId('inbox-filter-reschedule').getAttribute('aria-pressed')).toBe('true');

    await fireEvent.click(screen.getByTestId('inbox-filter-unknown'));
    await waitFor(() => expect(rowIds()).toEqual([stranger.id]));

    await fireEvent.click(screen.getByTestId('inbox-filter-resolved'));
    await waitFor(() => expect(rowIds()).toEqual([catThread.id]));

    await fireEvent.click(screen.getByTestId('inbox-filter-all'));
    await waitFor(() => expect(rowIds()).toHaveLength(4));

    await fireEvent.click(screen.getByTestId('inbox-filter-possible_opt_out'));
    await waitFor(() => expect(rowIds()).toEqual([]));
    expect(screen.getByTestId('inbox-empty')).toBeTruthy();
  });

  test('a change event reloads the list', async () => {
    const b = fakeBackend();
    const { annThread } = seed(b);
    render(App);
    await openInbox();
    await waitFor(() => expect(rowIds()).toHaveLength(3));
    const newcomer = b.inbox.seed({
      phone: '+447700900999',
      unread: 1,
      needs_reply: true,
      texts: [{ body: 'New here', at: '2025-06-02T11:00:00Z' }],
    });
    await changes({
      source: 'background',
      changes: [{ kind: 'reply', thread_id: newcomer.id, from: '+447700900999', preview: 'New here' }],
    });
    await waitFor(() => expect(rowIds()).toEqual([newcomer.id, annThread.id, 2, 3]));
  });
});

describe('a thread', () => {
  test('opening shows the conversation, the client panel and marks it read', async () => {
    const b = fakeBackend();
    const { annThread } = seed(b);
    render(App);
    await openInbox();
    expect(screen.getByTestId('thread-placeholder')).toBeTruthy();
    const thread = await openThreadRow(annThread.id);

    expect(b.called.open_thread[0].args).toEqual({ id: annThread.id });
    expect(screen.getByTestId('thread-title').textContent).toBe('Ann Carter');
    expect(screen.getByTestId('thread-phone').textContent).toBe('+44 7400 123456');

    const [reminder, automatic, customer] = annThread.texts.map((t) => screen.getByTestId(`thread-text-${t.id}`));
    expect(reminder.textContent).toContain('Reminder');
    expect(reminder.textContent).toContain('Delivered');
    expect(reminder.classList.contains('customer')).toBe(false);
    expect(automatic.textContent).toContain('Automatic reply');
    expect(automatic.textContent).toContain('Failed: Carrier rejected the text');
    expect(automatic.classList.contains('failed')).toBe(true);
    expect(customer.classList.contains('customer')).toBe(true);
    expect(customer.textContent).toContain('Ann Carter');
    expect(customer.querySelector('.text')?.textContent).toBe('Can I bring my daughter too?');

    expect(within(thread).getByTestId('thread-consent-service').textContent).toBe('Service: granted');
    expect(within(thread).getByTestId('thread-consent-marketing').textContent).toBe('Marketing: none');
    const appt = screen.getByTestId('thread-next-appointment');
    expect(appt.textContent).toContain('Cut');
    expect(appt.textContent).toContain('Booked');
    expect(appt.textContent).toContain('10:00');

    // Read now: the row's unread mark goes; the navigation badge still counts both
    // conversations waiting for a reply.
    await waitFor(() => expect(screen.queryByTestId(`inbox-thread-unread-${annThread.id}`)).toBeNull());
    await waitFor(() => expect(screen.getByTestId('nav-inbox-badge').textContent).toBe('2'));
    expect(screen.getByTestId(`inbox-thread-${annThread.id}`).getAttribute('aria-current')).toBe('true');
  });

  test('sending an answer clears the composer and shows the bubble; the counter follows typing', async () => {
    const b = fakeBackend();
    const { annThread } = seed(b);
    render(App);
    await openInbox();
    await openThreadRow(annThread.id);
    expect((screen.getByTestId('thread-send') as HTMLButtonElement).disabled).toBe(true);

    const text = 'Of course, see you both tomorrow at 10!';
    await fireEvent.input(composer(), { target: { value: text } });
    await waitFor(() =>
      expect(screen.getByTestId('thread-segments').textContent?.trim()).toBe(`GSM-7 · 1 text · ${text.length}/160`),
    );
    await fireEvent.click(screen.getByTestId('thread-send'));

    await waitFor(() => expect(composer().value).toBe(''));
    expect(b.called.reply_in_thread[0].args).toEqual({ id: annThread.id, body: text });
    const sent = annThread.texts.at(-1)!;
    const bubble = await screen.findByTestId(`thread-text-${sent.id}`);
    expect(bubble.textContent).toContain(text);
    expect(bubble.textContent).toContain('Staff');
    expect(bubble.classList.contains('customer')).toBe(false);
    expect(screen.queryByTestId('thread-error')).toBeNull();
    // No longer needs a reply.
    await waitFor(() =>
      expect(screen.getByTestId(`inbox-thread-${annThread.id}`).textContent).not.toContain('Needs reply'),
    );
  });

  test('a refused answer shows the reason beside the composer and keeps the text', async () => {
    const b = fakeBackend();
    const { annThread } = seed(b);
    b.inbox.replyFailWith = {
      code: 'invalid_input',
      message: 'The answer was not sent: the provider is unreachable.',
      field: 'body',
      related_id: null,
    };
    render(App);
    await openInbox();
    await openThreadRow(annThread.id);
    await fireEvent.input(composer(), { target: { value: 'Yes, that is fine' } });
    await fireEvent.click(screen.getByTestId('thread-send'));

    expect((await screen.findByTestId('thread-error')).textContent).toBe(
      'The answer was not sent: the provider is unreachable.',
    );
    expect(composer().value).toBe('Yes, that is fine');
    expect(composer().getAttribute('aria-invalid')).toBe('true');
    expect(annThread.texts).toHaveLength(3);
  });

  test('an answer over three texts is flagged and cannot be sent', async () => {
    const b = fakeBackend();
    const { annThread } = seed(b);
    render(App);
    await openInbox();
    await openThreadRow(annThread.id);
    await fireEvent.input(composer(), { target: { value: 'a'.repeat(470) } });
    await waitFor(() =>
      expect(screen.getByTestId('thread-segments').textContent?.trim()).toBe('GSM-7 · 4 texts · 470/612'),
    );
    expect(screen.getByTestId('thread-too-long').textContent).toContain('limited to 3 texts');
    expect((screen.getByTestId('thread-send') as HTMLButtonElement).disabled).toBe(true);
  });

  test('quick replies fill the composer', async () => {
    const b = fakeBackend();
    const { annThread } = seed(b);
    render(App);
    await openInbox();
    await openThreadRow(annThread.id);
    expect(screen.getByTestId('thread-quick-1').textContent?.trim()).toBe("We'll call you");
    await fireEvent.click(screen.getByTestId('thread-quick-1'));
    expect(composer().value).toBe("Thanks, we'll call you shortly to sort that out. Harbour Hair");
    expect(document.activeElement).toBe(composer());
  });

  test('cannot_reply disables the composer, send and quick replies and says why', async () => {
    const b = fakeBackend();
    const { ben, benThread } = seed(b);
    b.store.record({
      client_id: ben.id,
      purpose: 'service',
      action: 'revoked',
      channel: 'sms_keyword',
      recorded_by: 'engine',
    });
    render(App);
    await openInbox();
    await openThreadRow(benThread.id);
    expect(screen.getByTestId('thread-cannot-reply').textContent).toBe(
      'Ben Doyle has opted out of texts. Nothing can be sent until they text START.',
    );
    expect(composer().disabled).toBe(true);
    expect((screen.getByTestId('thread-send') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('thread-quick-0') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('thread-consent-service').textContent).toBe('Service: opted out');
  });

  test('resolve, reopen and assign', async () => {
    const b = fakeBackend();
    const { benThread } = seed(b);
    render(App);
    await openInbox();
    await openThreadRow(benThread.id);
    expect((screen.getByTestId('thread-assignee') as HTMLInputElement).value).toBe('Jo');

    await fireEvent.input(screen.getByTestId('thread-assignee'), { target: { value: '  Sam   Lee ' } });
    await fireEvent.click(screen.getByTestId('thread-assign'));
    await waitFor(() => expect(screen.getByTestId('thread-assigned').textContent).toBe('Assigned to Sam Lee'));
    expect(b.called.assign_thread[0].args).toEqual({ id: benThread.id, assignee: '  Sam   Lee ' });
    await waitFor(() => expect(screen.getByTestId(`inbox-thread-${benThread.id}`).textContent).toContain('Sam Lee'));

    expect(screen.getByTestId('thread-resolve').textContent?.trim()).toBe('Resolve');
    await fireEvent.click(screen.getByTestId('thread-resolve'));
    await waitFor(() => expect(screen.getByTestId('thread-resolve').textContent?.trim()).toBe('Reopen'));
    expect(b.called.resolve_thread[0].args).toEqual({ id: benThread.id, resolved: true });
    // Gone from Open; the thread stays on screen.
    await waitFor(() => expect(screen.queryByTestId(`inbox-thread-${benThread.id}`)).toBeNull());
    expect(screen.getByTestId('thread-resolved')).toBeTruthy();

    await fireEvent.click(screen.getByTestId('thread-resolve'));
    await waitFor(() => expect(screen.getByTestId('thread-resolve').textContent?.trim()).toBe('Resolve'));
    expect(b.called.resolve_thread[1].args).toEqual({ id: benThread.id, resolved: false });
  });

  test('a reply event refreshes the open thread', async () => {
    const b = fakeBackend();
    const { annThread } = seed(b);
    render(App);
    await openInbox();
    await openThreadRow(annThread.id);
    const t = b.inbox.text(annThread, { body: 'Also, can I park outside?' });
    annThread.unread = 1;
    await changes({
      source: 'background',
      changes: [{ kind: 'reply', thread_id: annThread.id, from: 'Ann Carter', preview: 'Also' }],
    });
    expect((await screen.findByTestId(`thread-text-${t.id}`)).textContent).toContain('Also, can I park outside?');
  });
});

describe('unknown numbers and possible opt-outs', () => {
  test('creating a client from an unknown number', async () => {
    const b = fakeBackend();
    const { stranger } = seed(b);
    render(App);
    await openInbox();
    await openThreadRow(stranger.id);
    expect(screen.getByTestId('thread-title').textContent).toBe('+44 7700 900123');
    expect(screen.getByTestId('thread').textContent).toContain('Unknown number');

    await fireEvent.click(screen.getByTestId('thread-create-client'));
    expect((await screen.findByTestId('thread-create-client-error')).textContent).toBe('Enter a name.');

    await fireEvent.input(screen.getByTestId('thread-new-client-name'), { target: { value: 'Dee Fox' } });
    await fireEvent.click(screen.getByTestId('thread-create-client'));
    await waitFor(() => expect(screen.getByTestId('thread-title').textContent).toBe('Dee Fox'));
    expect(b.called.create_client_from_thread.at(-1)?.args).toEqual({ id: stranger.id, name: 'Dee Fox' });
    expect(screen.queryByTestId('thread-new-client-name')).toBeNull();
    expect(screen.getByTestId('thread-consent-service').textContent).toBe('Service: none');
    expect(screen.getByTestId('thread-no-appointment')).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId(`inbox-thread-${stranger.id}`).textContent).toContain('Dee Fox'));
    expect(screen.getByTestId(`inbox-thread-${stranger.id}`).textContent).not.toContain('Unknown number');
    expect(b.store.clients.some((c) => c.name === 'Dee Fox' && c.phone === '+447700900123')).toBe(true);
  });

  function flagged(b: Backend) {
    const dee = b.store.seed('Dee Fox', '07400 333444', {
      events: [{ purpose: 'service', action: 'granted', channel: 'paper_form', recorded_by: 'Jo' }],
    });
    const t = b.inbox.seed({
      phone: dee.phone,
      unread: 1,
      needs_reply: true,
      possible_opt_out: true,
      texts: [{ body: 'please stop texting me thanks', flagged: FLAG }],
    });
    return { dee, t, text: t.texts[0] };
  }

  test('recording the possible opt-out needs a name and writes the opt-out', async () => {
    const b = fakeBackend();
    const { dee, t, text } = flagged(b);
    render(App);
    await openInbox();
    const row = await screen.findByTestId(`inbox-thread-${t.id}`);
    expect(row.textContent).toContain('Possible opt-out');
    await openThreadRow(t.id);
    expect(screen.getByTestId(`thread-flag-${text.id}`).textContent).toBe('Possible opt-out — review');

    await fireEvent.click(screen.getByTestId('thread-record-opt-out'));
    expect((await screen.findByTestId('thread-opt-out-error')).textContent).toBe(
      'Enter the name of the person recording this.',
    );

    await fireEvent.input(screen.getByTestId('thread-recorded-by'), { target: { value: 'Jo' } });
    await fireEvent.click(screen.getByTestId('thread-record-opt-out'));
    await waitFor(() => expect(screen.queryByTestId('thread-record-opt-out')).toBeNull());
    expect(b.called.review_possible_opt_out.at(-1)?.args).toEqual({ id: t.id, record: true, recordedBy: 'Jo' });
    expect(dee.consent.service).toBe('revoked');
    expect(screen.getByTestId('thread-consent-service').textContent).toBe('Service: opted out');
    expect(screen.getByTestId('thread-cannot-reply')).toBeTruthy();
    expect(screen.queryByTestId(`thread-flag-${text.id}`)).toBeNull();
  });

  test('dismissing the flag records nothing', async () => {
    const b = fakeBackend();
    const { dee, t } = flagged(b);
    render(App);
    await openInbox();
    await openThreadRow(t.id);
    await fireEvent.click(screen.getByTestId('thread-dismiss-opt-out'));
    await waitFor(() => expect(screen.queryByTestId('thread-dismiss-opt-out')).toBeNull());
    expect(b.called.review_possible_opt_out.at(-1)?.args).toEqual({ id: t.id, record: false, recordedBy: '' });
    expect(dee.consent.service).toBe('granted');
    expect(composer().disabled).toBe(false);
    await waitFor(() =>
      expect(screen.getByTestId(`inbox-thread-${t.id}`).textContent).not.toContain('Possible opt-out'),
    );
  });
});

describe('search', () => {
  test('hits replace the list, the match is a <mark>, and a hit opens its thread', async () => {
    const b = fakeBackend();
    const { benThread } = seed(b);
    render(App);
    await openInbox();
    await waitFor(() => expect(rowIds()).toHaveLength(3));

    await fireEvent.input(screen.getByTestId('inbox-search'), { target: { value: 'friday' } });
    const textId = benThread.texts[0].id;
    const hit = await screen.findByTestId(`inbox-hit-${textId}`);
    expect(screen.queryByTestId('inbox-list')).toBeNull();
    expect(b.called.search_inbox.at(-1)?.args).toEqual({ query: 'friday' });
    const marks = hit.querySelectorAll('mark');
    expect(marks).toHaveLength(1);
    expect(marks[0].textContent).toBe('Friday');
    expect(screen.getByTestId(`inbox-hit-snippet-${textId}`).textContent).toContain('Can we move to Friday?');
    expect(hit.textContent).not.toContain('«');
    expect(hit.textContent).toContain('Ben Doyle');

    await fireEvent.click(hit);
    await waitFor(() => expect(screen.getByTestId('thread-title').textContent).toBe('Ben Doyle'));
    expect(b.called.open_thread.at(-1)?.args).toEqual({ id: benThread.id });

    await fireEvent.input(screen.getByTestId('inbox-search'), { target: { value: 'nothing like this' } });
    expect((await screen.findByTestId('inbox-no-hits')).textContent).toContain('nothing like this');

    await fireEvent.input(screen.getByTestId('inbox-search'), { target: { value: '' } });
    await waitFor(() => expect(rowIds()).toHaveLength(3));
  });

  test('snippets split on « and » into text parts; stray markers stay literal', () => {
    expect(splitSnippet('…move to «Friday» please')).toEqual([
      { text: '…move to ', match: false },
      { text: 'Friday', match: true },
      { text: ' please', match: false },
    ]);
    expect(splitSnippet('a » b «c» «d')).toEqual([
      { text: 'a » b ', match: false },
      { text: 'c', match: true },
      { text: ' ', match: false },
      { text: '«d', match: false },
    ]);
  });
});

describe('keyboard', () => {
  test('j / k step through the list, r focuses the composer, e resolves; not while typing', async () => {
    const b = fakeBackend();
    const { annThread, stranger, benThread } = seed(b);
    render(App);
    await openInbox();
    await waitFor(() => expect(rowIds()).toEqual([annThread.id, stranger.id, benThread.id]));
    const title = () => screen.queryByTestId('thread-title')?.textContent;

    await fireEvent.keyDown(document.body, { key: 'j' });
    await waitFor(() => expect(title()).toBe('Ann Carter'));
    await fireEvent.keyDown(document.body, { key: 'j' });
    await waitFor(() => expect(title()).toBe('+44 7700 900123'));
    await fireEvent.keyDown(document.body, { key: 'j' });
    await waitFor(() => expect(title()).toBe('Ben Doyle'));
    await fireEvent.keyDown(document.body, { key: 'j' }); // At the end: stays.
    await fireEvent.keyDown(document.body, { key: 'k' });
    await waitFor(() => expect(title()).toBe('+44 7700 900123'));

    await fireEvent.keyDown(document.body, { key: 'r' });
    expect(document.activeElement).toBe(composer());
    // Typing j in the composer types; it doesn't move.
    const opens = b.called.open_thread.length;
    await fireEvent.keyDown(composer(), { key: 'j' });
    await fireEvent.keyDown(composer(), { key: 'e' });
    expect(b.called.open_thread).toHaveLength(opens);
    expect(b.called.resolve_thread).toHaveLength(0);
    composer().blur();

    await fireEvent.keyDown(document.body, { key: 'e' });
    await waitFor(() => expect(b.called.resolve_thread).toHaveLength(1));
    expect(b.called.resolve_thread[0].args).toEqual({ id: stranger.id, resolved: true });
    await waitFor(() => expect(rowIds()).toEqual([annThread.id, benThread.id]));
    expect(screen.getByTestId('thread-resolve').textContent?.trim()).toBe('Reopen');

    // The resolved thread left the list: j goes on to the one that took its place.
    await fireEvent.keyDown(document.body, { key: 'j' });
    await waitFor(() => expect(title()).toBe('Ben Doyle'));
    await fireEvent.keyDown(document.body, { key: 'k' });
    await waitFor(() => expect(title()).toBe('Ann Carter'));

    // Modifier keys are left to the system.
    const before = b.called.open_thread.length;
    await fireEvent.keyDown(document.body, { key: 'j', ctrlKey: true });
    expect(b.called.open_thread).toHaveLength(before);
  });
});

describe('customer text is text', () => {
  test('markup in bodies, previews, snippets and names renders literally', async () => {
    const b = fakeBackend();
    const img = '<img src=x onerror=alert(1)>';
    const script = '<script>x</script>';
    const evil = b.store.seed(`<b>${img}</b>`, '07400 999888');
    const t = b.inbox.seed({
      phone: evil.phone,
      unread: 1,
      needs_reply: true,
      texts: [{ body: script }, { body: img }],
    });
    const stranger = b.inbox.seed({ phone: '+447700900555', texts: [{ body: `${script} ${img}` }] });
    render(App);
    await openInbox();

    const row = await screen.findByTestId(`inbox-thread-${t.id}`);
    expect(row.textContent).toContain(img); // the preview
    expect(row.textContent).toContain(`<b>${img}</b>`); // the name
    expect(screen.getByTestId(`inbox-thread-${stranger.id}`).textContent).toContain(`${script} ${img}`);

    await openThreadRow(t.id);
    expect(screen.getByTestId(`thread-text-${t.texts[0].id}`).querySelector('.text')?.textContent).toBe(script);
    expect(screen.getByTestId(`thread-text-${t.texts[1].id}`).querySelector('.text')?.textContent).toBe(img);
    expect(screen.getByTestId('thread-title').textContent).toBe(`<b>${img}</b>`);

    await fireEvent.input(screen.getByTestId('inbox-search'), { target: { value: 'onerror' } });
    const hit = await screen.findByTestId(`inbox-hit-${t.texts[1].id}`);
    expect(hit.textContent).toContain('<img src=x ');
    expect(hit.querySelector('mark')?.textContent).toBe('onerror');

    const app = document.body;
    expect(app.querySelector('img')).toBeNull();
    expect(app.querySelector('script')).toBeNull();
    expect(app.querySelector('b')).toBeNull();
  });
});
