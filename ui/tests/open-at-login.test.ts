import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';
import App from '../src/App.svelte';
import { fakeBackend } from './fake';

async function openSettings() {
  await fireEvent.click(await screen.findByTestId('nav-settings'));
  await screen.findByTestId('settings-screen');
}

const box = () => screen.getByTestId('open-at-login') as HTMLInputElement;

/** The checkbox is usable once the current state has been read. */
async function ready() {
  await waitFor(() => expect(box().disabled).toBe(false));
}

describe('Settings › Open Tidings when I log in', () => {
  test('shows the current state, with its label and help', async () => {
    const b = fakeBackend();
    b.login.enabled = true;
    render(App);
    await openSettings();
    await ready();
    expect(box().checked).toBe(true);
    expect(screen.getByLabelText('Open Tidings when I log in')).toBe(box());
    const hint = document.getElementById(box().getAttribute('aria-describedby') ?? '');
    expect(hint?.textContent?.replace(/\s+/g, ' ').trim()).toBe(
      'So reminders go out even if nobody opens Tidings after restarting the computer. Closing the window keeps Tidings running in the tray.',
    );
    expect(b.called.get_open_at_login).toHaveLength(1);
    expect(screen.queryByTestId('open-at-login-error')).toBeNull();
  });

  test('ticking it calls set_open_at_login with enabled true, at once and without Save', async () => {
    const b = fakeBackend();
    render(App);
    await openSettings();
    await ready();
    expect(box().checked).toBe(false);

    await fireEvent.click(box());
    await waitFor(() => expect(b.called.set_open_at_login).toHaveLength(1));
    expect(b.called.set_open_at_login[0].args).toEqual({ enabled: true });
    await ready();
    expect(box().checked).toBe(true);
    expect(b.login.enabled).toBe(true);
    expect(b.called.update_settings).toHaveLength(0);
    expect((screen.getByTestId('settings-save') as HTMLButtonElement).disabled).toBe(true);

    await fireEvent.click(box());
    await waitFor(() => expect(b.called.set_open_at_login).toHaveLength(2));
    expect(b.called.set_open_at_login[1].args).toEqual({ enabled: false });
    await ready();
    expect(box().checked).toBe(false);
  });

  test('a failure shows the message beside the checkbox and puts the tick back', async () => {
    const b = fakeBackend();
    b.login.setFailWith = {
      code: 'internal',
      message:
        "Tidings could not change opening at login: permission denied. Check that your desktop's autostart folder can be written.",
      field: null,
      related_id: null,
    };
    render(App);
    await openSettings();
    await ready();

    await fireEvent.click(box());
    const error = await screen.findByTestId('open-at-login-error');
    expect(error.textContent).toBe(
      "Tidings could not change opening at login: permission denied. Check that your desktop's autostart folder can be written.",
    );
    await ready();
    expect(box().checked).toBe(false);
    expect(box().getAttribute('aria-describedby')).toContain(error.id);
    expect(b.called.set_open_at_login[0].args).toEqual({ enabled: true });

    // Trying again once it works clears the message.
    b.login.setFailWith = null;
    await fireEvent.click(box());
    await waitFor(() => expect(screen.queryByTestId('open-at-login-error')).toBeNull());
    await ready();
    expect(box().checked).toBe(true);
  });

  test('turning it off and failing leaves it ticked', async () => {
    const b = fakeBackend();
    b.login.enabled = true;
    b.login.setFailWith = { code: 'internal', message: 'No autostart here.', field: null, related_id: null };
    render(App);
    await openSettings();
    await ready();
    await fireEvent.click(box());
    expect((await screen.findByTestId('open-at-login-error')).textContent).toBe('No autostart here.');
    await ready();
    expect(box().checked).toBe(true);
    expect(b.called.set_open_at_login[0].args).toEqual({ enabled: false });
  });

  test('when the state cannot be read, says so', async () => {
    const b = fakeBackend();
    b.login.getFailWith = {
      code: 'internal',
      message: "Tidings can't tell whether it opens at login: no session bus",
      field: null,
      related_id: null,
    };
    render(App);
    await openSettings();
    expect((await screen.findByTestId('open-at-login-error')).textContent).toBe(
      "Tidings can't tell whether it opens at login: no session bus",
    );
  });
});
