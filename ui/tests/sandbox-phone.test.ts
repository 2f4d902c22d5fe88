import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { emit } from '@tauri-apps/api/event';
import { describe, expect, test, vi } from 'vitest';
import App from '../src/App.svelte';
import type { ChangeBatch } from '../src/lib/bindings';
import { dateTimeIn } from '../src/lib/time';
import { fakeBackend, settingsFixture, type Backend } from './fake';

function seed(b: Backend) {
  const ann = b.store.seed('Ann Carter', '07400 123456');
  const ben = b.store.seed('Ben Doyle', '07400 654321');
  b.sandbox.add(ann.phone, {
    from_customer: false,
    body: 'Harbour Hair: see you Tue 3 Jun at 10:00. Reply YES to confirm.',
    status: 'delivered',
    at: '2025-06-02T09:00:00Z',
  });
  b.sandbox.add(ann.phone, { from_customer: true, body: 'YES', status: 'received', at: '2025-06-02T09:05:00Z' });
  b.sandbox.add(ben.phone, {
    from_customer: true,
    body: 'Who is this?',
    status: 'received',
    at: '2025-06-02T10:00:00Z',
  });
  return { ann, ben };
}

async function openPhone() {
  await fireEvent.click(await screen.findByTestId('open-sandbox-phone'));
  return screen.findByTestId('sandbox-phone');
}

const bodies = () => screen.queryAllByTestId('sandbox-text').map((t) => t.querySelector('.body')?.textContent);
const input = () => screen.getByTestId('sandbox-phone-input') as HTMLInputElement;

describe('sandbox phone', () => {
  test('opens from the banner only in Sandbox mode, and Escape or Close shuts it', async () => {
    const b = fakeBackend();
    seed(b);
    const { unmount } = render(App);
    const phone = await openPhone();
    expect(phone.getAttribute('role')).toBe('dialog');
    expect(phone.getAttribute('aria-label')).toBe('Sandbox phone');
    expect(phone.textContent).toContain('Try YES, NO, STOP, START or HELP.');
    expect(input().placeholder).toBe('Text as the customer, e.g. YES');
    await fireEvent.keyDown(phone, { key: 'Escape' });
    expect(screen.queryByTestId('sandbox-phone')).toBeNull();

    await openPhone();
    await fireEvent.click(screen.getByTestId('sandbox-phone-close'));
    expect(screen.queryByTestId('sandbox-phone')).toBeNull();
    unmount();

    fakeBackend({ settings: settingsFixture({ provider: 'twilio' }) });
    render(App);
    await screen.findByTestId('today-heading');
    expect(screen.queryByTestId('open-sandbox-phone')).toBeNull();
  });

  test('lists the clients and the chosen client’s conversation, customer on the right', async () => {
    const b = fakeBackend();
    const { ann, ben } = seed(b);
    render(App);
    await openPhone();

    const select = screen.getByTestId('sandbox-phone-client') as HTMLSelectElement;
    await waitFor(() => expect(select.options.length).toBe(2));
    expect(Array.from(select.options).map((o) => [o.textContent, o.value])).toEqual([
      ['Ann Carter (+44 7400 123456)', ann.phone],
      ['Ben Doyle (+44 7400 654321)', ben.phone],
    ]);
    await waitFor(() =>
      expect(bodies()).toEqual(['Harbour Hair: see you Tue 3 Jun at 10:00. Reply YES to confirm.', 'YES']),
    );
    const [business, customer] = screen.getAllByTestId('sandbox-text');
    expect(business.classList.contains('customer')).toBe(false);
    expect(customer.classList.contains('customer')).toBe(true);
    expect(customer.textContent).toContain(dateTimeIn('2025-06-02T09:05:00Z', 'Europe/London'));
    expect(b.called.sandbox_conversation.at(-1)?.args).toEqual({ phone: ann.phone });

    await fireEvent.change(select, { target: { value: ben.phone } });
    await waitFor(() => expect(bodies()).toEqual(['Who is this?']));
    expect(b.called.sandbox_conversation.at(-1)?.args).toEqual({ phone: ben.phone });
  });

  test('customer text is shown literally, never as HTML', async () => {
    const b = fakeBackend();
    const ann = b.store.seed('Ann Carter', '07400 123456');
    const evil = '<img src=x onerror=alert(1)>';
    b.sandbox.add(ann.phone, { from_customer: true, body: evil, status: 'received', at: '2025-06-02T09:05:00Z' });
    render(App);
    const phone = await openPhone();
    await waitFor(() => expect(bodies()).toEqual([evil]));
    expect(within(phone).getByTestId('sandbox-phone-thread').querySelector('img')).toBeNull();
    expect(document.querySelector('img')).toBeNull();
  });

  test('sending calls sandbox_send with the phone and text, clears the input and reloads', async () => {
    const b = fakeBackend();
    const { ann } = seed(b);
    render(App);
    await openPhone();
    await waitFor(() => expect(bodies()).toHaveLength(2));

    await fireEvent.input(input(), { target: { value: 'STOP' } });
    await fireEvent.click(screen.getByTestId('sandbox-phone-send'));
    await waitFor(() => expect(b.called.sandbox_send).toHaveLength(1));
    expect(b.called.sandbox_send[0].args).toEqual({ phone: ann.phone, text: 'STOP' });
    await waitFor(() =>
      expect(bodies()).toEqual(['Harbour Hair: see you Tue 3 Jun at 10:00. Reply YES to confirm.', 'YES', 'STOP']),
    );
    expect(input().value).toBe('');
    expect(screen.queryByTestId('sandbox-phone-error')).toBeNull();
  });

  test('a refused send shows the error and keeps what was typed', async () => {
    const b = fakeBackend();
    seed(b);
    render(App);
    await openPhone();
    await waitFor(() => expect(bodies()).toHaveLength(2));

    await fireEvent.input(input(), { target: { value: '   ' } });
    await fireEvent.click(screen.getByTestId('sandbox-phone-send'));
    expect((await screen.findByTestId('sandbox-phone-error')).textContent).toBe('Type a text to send.');
    expect(input().value).toBe('   ');
    expect(bodies()).toHaveLength(2);
  });

  test('reloads the conversation when a messages change arrives', async () => {
    const b = fakeBackend();
    const { ann } = seed(b);
    render(App);
    await openPhone();
    await waitFor(() => expect(bodies()).toHaveLength(2));

    b.sandbox.add(ann.phone, {
      from_customer: false,
      body: 'Thanks, you are confirmed.',
      status: 'delivered',
      at: '2025-06-02T09:06:00Z',
    });
    await emit('tidings://changes', { source: 'background', changes: [{ kind: 'messages' }] } satisfies ChangeBatch);
    await waitFor(() => expect(bodies()).toContain('Thanks, you are confirmed.'));
  });

  test('polls every 3 seconds while open, and stops once closed', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const b = fakeBackend();
      const { ann } = seed(b);
      render(App);
      await openPhone();
      await waitFor(() => expect(bodies()).toHaveLength(2));

      b.sandbox.add(ann.phone, {
        from_customer: false,
        body: 'Reply HELP for help.',
        status: 'delivered',
        at: '2025-06-02T09:07:00Z',
      });
      await vi.advanceTimersByTimeAsync(3000);
      await waitFor(() => expect(bodies()).toContain('Reply HELP for help.'));

      await fireEvent.click(screen.getByTestId('sandbox-phone-close'));
      const loads = b.called.sandbox_conversation.length;
      await vi.advanceTimersByTimeAsync(9000);
      expect(b.called.sandbox_conversation).toHaveLength(loads);
    } finally {
      vi.useRealTimers();
    }
  });
});
