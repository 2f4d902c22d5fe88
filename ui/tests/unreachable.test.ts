import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';
import App from '../src/App.svelte';
import { fakeBackend } from './fake';

const REASON = "The number can't receive texts: it is a landline or not in service (Twilio 21614)";

async function openClients() {
  await fireEvent.click(await screen.findByTestId('nav-clients'));
  await screen.findByTestId('clients-screen');
}

const text = (el: HTMLElement) => el.textContent?.replace(/\s+/g, ' ').trim();

describe('unreachable numbers', () => {
  test('the list marks only the unreachable client with a "Number unreachable" badge', async () => {
    const b = fakeBackend();
    const ann = b.store.seed('Ann Carter', '07400 123456', { unreachable: REASON });
    const ben = b.store.seed('Ben Doyle', '+1 212 555 0123');
    render(App);
    await openClients();

    const annRow = await screen.findByTestId(`client-row-${ann.id}`);
    const badge = within(annRow).getByTestId('client-unreachable-badge');
    expect(text(badge)).toBe('Number unreachable');
    expect(badge.getAttribute('title')).toBe(REASON);
    expect(within(screen.getByTestId(`client-row-${ben.id}`)).queryByTestId('client-unreachable-badge')).toBeNull();
    expect(screen.getAllByTestId('client-unreachable-badge')).toHaveLength(1);
  });

  test('the detail says texts cannot reach the number, with the reason as plain text', async () => {
    const b = fakeBackend();
    const reason = '<b>Landline</b> (Twilio 21614)';
    const ann = b.store.seed('Ann Carter', '07400 123456', { unreachable: reason });
    render(App);
    await openClients();
    await fireEvent.click(await screen.findByTestId(`client-row-${ann.id}`));

    const warning = await screen.findByTestId('client-unreachable');
    expect(text(warning)).toBe(
      "Texts can't reach this number: <b>Landline</b> (Twilio 21614). Nothing more will be sent to it until the number is changed.",
    );
    expect(warning.querySelector('b')).toBeNull();
  });

  test('the carrier reason from the example reads as one sentence', async () => {
    const b = fakeBackend();
    const ann = b.store.seed('Ann Carter', '07400 123456', {
      unreachable: "The number can't receive texts… (Twilio 21614).",
    });
    render(App);
    await openClients();
    await fireEvent.click(await screen.findByTestId(`client-row-${ann.id}`));
    expect(text(await screen.findByTestId('client-unreachable'))).toBe(
      "Texts can't reach this number: The number can't receive texts… (Twilio 21614). Nothing more will be sent to it until the number is changed.",
    );
  });

  test('a reachable client (null from the backend) shows no warning, and a new number clears it', async () => {
    const b = fakeBackend();
    const ben = b.store.seed('Ben Doyle', '+1 212 555 0123');
    // The Rust side sends null rather than leaving the field out.
    (ben as { unreachable?: string | null }).unreachable = null;
    const ann = b.store.seed('Ann Carter', '07400 123456', { unreachable: REASON });
    render(App);
    await openClients();
    await fireEvent.click(await screen.findByTestId(`client-row-${ben.id}`));
    await screen.findByTestId('client-detail-name');
    expect(screen.queryByTestId('client-unreachable')).toBeNull();

    await fireEvent.click(screen.getByTestId('back-to-clients'));
    await fireEvent.click(await screen.findByTestId(`client-row-${ann.id}`));
    await screen.findByTestId('client-unreachable');
    await fireEvent.click(screen.getByTestId('edit-client'));
    await fireEvent.input(screen.getByTestId('client-phone'), { target: { value: '07400 999888' } });
    await fireEvent.click(screen.getByTestId('client-save'));
    await waitFor(() => expect(b.called.update_client).toHaveLength(1));
    await waitFor(() => expect(screen.getByTestId('client-detail-phone').textContent).toBe('+44 7400 999888'));
    expect(screen.queryByTestId('client-unreachable')).toBeNull();
  });
});
