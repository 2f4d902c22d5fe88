import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { emit } from '@tauri-apps/api/event';
import { describe, expect, test } from 'vitest';
import App from '../src/App.svelte';
import { toApiError } from '../src/lib/api';
import ProviderSettings from '../src/lib/ProviderSettings.svelte';
import type { ChangeBatch, OutboxMessage, Settings } from '../src/lib/bindings';
import { fakeBackend } from './fake';
import { ACCOUNT_SID, API_KEY_SID, SERVICE_SID } from './fake-provider';

const input = (id: string) => screen.getByTestId(id) as HTMLInputElement;
const button = (id: string) => screen.getByTestId(id) as HTMLButtonElement;
const text = (id: string) => screen.getByTestId(id).textContent?.replace(/\s+/g, ' ').trim();

async function type(id: string, value: string) {
  await fireEvent.input(input(id), { target: { value } });
}

async function ready() {
  await screen.findByTestId('provider-status');
}

describe('provider error codes', () => {
  test('keyring, credentials_rejected and provider_offline keep their code', () => {
    for (const code of ['keyring', 'credentials_rejected', 'provider_offline'] as const) {
      expect(toApiError({ code, message: 'm', field: null, related_id: null })).toMatchObject({ code, message: 'm' });
    }
  });
});

describe('Settings › Provider', () => {
  test('shows the Sandbox plainly, with nothing to switch back from', async () => {
    fakeBackend();
    render(ProviderSettings);
    await ready();
    expect(text('provider-status')).toBe('Sandbox — no real texts are sent');
    expect(button('provider-choose-sandbox').getAttribute('aria-pressed')).toBe('true');
    expect(button('provider-choose-twilio').getAttribute('aria-pressed')).toBe('false');
    expect(screen.queryByTestId('provider-paused')).toBeNull();
    expect(screen.queryByTestId('provider-keyring')).toBeNull();
    expect(screen.queryByTestId('provider-use-sandbox')).toBeNull();
    expect(screen.queryByTestId('provider-remove')).toBeNull();
    expect(screen.queryByTestId('provider-account-sid')).toBeNull();
    // The test text and the sending rate work on the Sandbox too.
    expect(button('provider-send-test').disabled).toBe(false);
    expect(input('provider-send-rate').value).toBe('1');
  });

  test('a fresh Twilio form suggests an API key and sends the key, secret and number', async () => {
    const b = fakeBackend();
    render(ProviderSettings);
    await ready();
    await fireEvent.click(button('provider-choose-twilio'));
    expect(input('provider-auth-key').checked).toBe(true);
    expect(input('provider-send-number').checked).toBe(true);
    expect(input('provider-secret').type).toBe('password');
    expect(input('provider-secret').value).toBe('');
    expect(input('provider-base-url').placeholder).toBe('https://api.twilio.com');
    expect(screen.getByLabelText('Account SID')).toBe(input('provider-account-sid'));
    expect(screen.getByLabelText('API key secret')).toBe(input('provider-secret'));
    expect(
      screen.getByText(/Messaging Service lets Twilio send reminders even when this computer is off/),
    ).toBeTruthy();

    await type('provider-account-sid', ` ${ACCOUNT_SID} `);
    await type('provider-api-key-sid', API_KEY_SID);
    await type('provider-secret', 'key-secret');
    await type('provider-from-number', '+14155552671');
    await fireEvent.click(button('provider-save'));

    await waitFor(() => expect(b.called.connect_twilio).toHaveLength(1));
    expect(b.called.connect_twilio[0].args).toEqual({
      input: { account_sid: ACCOUNT_SID, api_key_sid: API_KEY_SID, from_number: '+14155552671', secret: 'key-secret' },
    });
    await waitFor(() => expect(text('provider-status')).toBe('Twilio — texts go from +14155552671'));
    expect(text('provider-note')).toBe('Saved. Texts now go out through Twilio.');
    // The secret is never shown again; the keyring holds it.
    expect(input('provider-secret').value).toBe('');
    expect(screen.getByText("Secret saved in this computer's keyring — leave empty to keep it")).toBeTruthy();
    expect(button('provider-use-sandbox')).toBeTruthy();
  });

  test('with the Auth Token no API key SID is sent; a Messaging Service replaces the number', async () => {
    const b = fakeBackend();
    render(ProviderSettings);
    await ready();
    await fireEvent.click(button('provider-choose-twilio'));
    await type('provider-api-key-sid', API_KEY_SID); // typed, then the token chosen instead
    await fireEvent.click(input('provider-auth-token'));
    expect(screen.queryByTestId('provider-api-key-sid')).toBeNull();
    expect(screen.getByLabelText('Auth Token')).toBe(input('provider-secret'));
    await fireEvent.click(input('provider-send-service'));
    expect(screen.queryByTestId('provider-from-number')).toBeNull();

    await type('provider-account-sid', ACCOUNT_SID);
    await type('provider-secret', 'auth-token');
    await type('provider-messaging-service', SERVICE_SID);
    await fireEvent.click(button('provider-save'));

    await waitFor(() => expect(b.called.connect_twilio).toHaveLength(1));
    const sent = b.called.connect_twilio[0].args as { input: Record<string, unknown> };
    expect(sent).toEqual({
      input: { account_sid: ACCOUNT_SID, messaging_service_sid: SERVICE_SID, secret: 'auth-token' },
    });
    expect('api_key_sid' in sent.input).toBe(false);
    await waitFor(() =>
      expect(text('provider-status')).toBe(`Twilio — texts go from Messaging Service ${SERVICE_SID}`),
    );
    expect(screen.getByTestId('provider-hands-off')).toBeTruthy();
  });

  test('a field error from Twilio is shown beside its field and everything typed stays', async () => {
    const b = fakeBackend();
    render(ProviderSettings);
    await ready();
    await fireEvent.click(button('provider-choose-twilio'));
    await type('provider-account-sid', 'AC123');
    await type('provider-api-key-sid', API_KEY_SID);
    await type('provider-secret', 'key-secret');
    await type('provider-from-number', '+14155552671');
    await fireEvent.click(button('provider-save'));

    const error = await screen.findByTestId('provider-account-sid-error');
    expect(error.textContent).toContain('The Account SID starts with AC');
    expect(input('provider-account-sid').getAttribute('aria-invalid')).toBe('true');
    expect(input('provider-account-sid').getAttribute('aria-describedby')).toContain(error.id);
    expect(input('provider-account-sid').value).toBe('AC123');
    expect(input('provider-api-key-sid').value).toBe(API_KEY_SID);
    expect(input('provider-secret').value).toBe('key-secret');
    expect(input('provider-from-number').value).toBe('+14155552671');
    expect(screen.queryByTestId('provider-error')).toBeNull();
    expect(text('provider-status')).toBe('Sandbox — no real texts are sent');
    expect(b.settings.provider).toBe('sandbox');
  });

  test('a number error for a Messaging Service form shows beside the service; the API address opens Advanced', async () => {
    fakeBackend({
      commands: {
        connect_twilio: () => {
          throw {
            code: 'invalid_input',
            message: 'Give either the Twilio number or a Messaging Service SID.',
            field: 'from_number',
            related_id: null,
          };
        },
        test_twilio_connection: () => {
          throw {
            code: 'invalid_input',
            message: 'The API address must start with https://.',
            field: 'base_url',
            related_id: null,
          };
        },
      },
    });
    render(ProviderSettings);
    await ready();
    await fireEvent.click(button('provider-choose-twilio'));
    await fireEvent.click(input('provider-auth-token'));
    await fireEvent.click(input('provider-send-service'));
    await type('provider-account-sid', ACCOUNT_SID);
    await type('provider-secret', 'auth-token');
    await type('provider-messaging-service', SERVICE_SID);
    await fireEvent.click(button('provider-save'));
    expect((await screen.findByTestId('provider-messaging-service-error')).textContent).toBe(
      'Give either the Twilio number or a Messaging Service SID.',
    );

    const details = screen.getByTestId('provider-advanced') as HTMLDetailsElement;
    expect(details.open).toBe(false);
    await type('provider-base-url', 'ftp://example');
    await fireEvent.click(button('provider-test-connection'));
    expect(await screen.findByTestId('provider-base-url-error')).toBeTruthy();
    await waitFor(() => expect(details.open).toBe(true));
    expect(input('provider-base-url').value).toBe('ftp://example');
  });

  test('rejected credentials and an offline Twilio are shown above the buttons with their words', async () => {
    const b = fakeBackend();
    b.provider.failWith = {
      code: 'credentials_rejected',
      message: 'Twilio rejected the Account SID and secret. Check them in the Twilio Console.',
      field: null,
      related_id: null,
    };
    render(ProviderSettings);
    await ready();
    await fireEvent.click(button('provider-choose-twilio'));
    await type('provider-account-sid', ACCOUNT_SID);
    await type('provider-api-key-sid', API_KEY_SID);
    await type('provider-secret', 'wrong');
    await type('provider-from-number', '+14155552671');
    await fireEvent.click(button('provider-save'));
    expect((await screen.findByTestId('provider-error')).textContent).toBe(
      'Twilio rejected the Account SID and secret. Check them in the Twilio Console.',
    );
    expect(input('provider-secret').value).toBe('wrong');
    expect(b.settings.provider).toBe('sandbox');

    b.provider.failWith = {
      code: 'provider_offline',
      message: "Can't reach Twilio. Check the internet connection.",
      field: null,
      related_id: null,
    };
    await fireEvent.click(button('provider-test-connection'));
    await waitFor(() => expect(text('provider-error')).toBe("Can't reach Twilio. Check the internet connection."));
    expect(screen.queryByTestId('provider-check-result')).toBeNull();
  });

  test('checks the form before asking Twilio: an API key needs its SID', async () => {
    const b = fakeBackend();
    render(ProviderSettings);
    await ready();
    await fireEvent.click(button('provider-choose-twilio'));
    await type('provider-account-sid', ACCOUNT_SID);
    await type('provider-secret', 'key-secret');
    await type('provider-from-number', '+14155552671');
    await fireEvent.click(button('provider-save'));
    expect(text('provider-api-key-sid-error')).toBe('Enter the API key SID (it starts with SK), or choose Auth Token.');
    expect(b.called.connect_twilio).toHaveLength(0);
  });

  test('one click shows every problem the form can see, and the keyboard goes to the first', async () => {
    const b = fakeBackend();
    render(ProviderSettings);
    await ready();
    await fireEvent.click(button('provider-choose-twilio'));
    await type('provider-account-sid', 'AC123');
    await type('provider-api-key-sid', 'SK-not-a-key');
    await fireEvent.click(button('provider-save'));
    expect(text('provider-account-sid-error')).toContain('The Account SID starts with AC followed by 32');
    expect(text('provider-api-key-sid-error')).toBe('An API key SID starts with SK followed by 32 letters and digits.');
    expect(text('provider-secret-error')).toBe("Enter the API key's secret.");
    expect(text('provider-from-number-error')).toBe('Enter the Twilio number texts come from, like +14155552671.');
    await waitFor(() => expect(document.activeElement).toBe(input('provider-account-sid')));
    expect(b.called.connect_twilio).toHaveLength(0);

    // Fixing them clears each on the next try.
    await type('provider-account-sid', ACCOUNT_SID);
    await type('provider-api-key-sid', API_KEY_SID);
    await type('provider-secret', 'key-secret');
    await type('provider-from-number', '+14155552671');
    await fireEvent.click(button('provider-save'));
    await waitFor(() => expect(b.called.connect_twilio).toHaveLength(1));
    expect(screen.queryByTestId('provider-account-sid-error')).toBeNull();
    expect(screen.queryByTestId('provider-secret-error')).toBeNull();
  });

  test('Test connection says which account answered', async () => {
    const b = fakeBackend();
    b.provider.account = { account_name: 'Harbour Hair Ltd', account_status: 'active' };
    render(ProviderSettings);
    await ready();
    await fireEvent.click(button('provider-choose-twilio'));
    await type('provider-account-sid', ACCOUNT_SID);
    await type('provider-api-key-sid', API_KEY_SID);
    await type('provider-secret', 'key-secret');
    await type('provider-from-number', '+14155552671');
    await fireEvent.click(button('provider-test-connection'));
    expect((await screen.findByTestId('provider-check-result')).textContent).toBe(
      'Connected to Harbour Hair Ltd (active)',
    );
    expect(b.called.test_twilio_connection[0].args).toEqual({
      input: { account_sid: ACCOUNT_SID, api_key_sid: API_KEY_SID, from_number: '+14155552671', secret: 'key-secret' },
    });
    // Testing saves nothing.
    expect(b.called.connect_twilio).toHaveLength(0);
    expect(text('provider-status')).toBe('Sandbox — no real texts are sent');
  });

  test('a connected account is prefilled (Auth Token when it has no key) and an empty secret keeps the stored one', async () => {
    const b = fakeBackend();
    b.provider.connect({ api_key_sid: null });
    render(ProviderSettings);
    await ready();
    expect(text('provider-status')).toBe('Twilio — texts go from +14155552671');
    expect(button('provider-choose-twilio').getAttribute('aria-pressed')).toBe('true');
    expect(input('provider-auth-token').checked).toBe(true);
    expect(input('provider-account-sid').value).toBe(ACCOUNT_SID);
    expect(input('provider-from-number').value).toBe('+14155552671');
    expect(input('provider-secret').value).toBe('');
    expect(screen.getByText("Secret saved in this computer's keyring — leave empty to keep it")).toBeTruthy();

    await fireEvent.click(button('provider-save'));
    await waitFor(() => expect(b.called.connect_twilio).toHaveLength(1));
    expect(b.called.connect_twilio[0].args).toEqual({
      input: { account_sid: ACCOUNT_SID, from_number: '+14155552671', secret: '' },
    });
  });

  test('a saved API key opens the form on the API key', async () => {
    const b = fakeBackend();
    b.provider.connect();
    render(ProviderSettings);
    await ready();
    expect(input('provider-auth-key').checked).toBe(true);
    expect(input('provider-api-key-sid').value).toBe(API_KEY_SID);
  });

  test('switching back to the Sandbox keeps the account; removing it asks first and forgets it', async () => {
    const b = fakeBackend();
    b.provider.connect();
    render(ProviderSettings);
    await ready();
    await fireEvent.click(button('provider-use-sandbox'));
    await waitFor(() => expect(text('provider-status')).toBe('Sandbox — no real texts are sent'));
    expect(b.called.use_sandbox[0].args).toEqual({ forget: false });
    expect(b.settings.twilio?.account_sid).toBe(ACCOUNT_SID);
    expect(screen.queryByTestId('provider-use-sandbox')).toBeNull();

    await fireEvent.click(button('provider-remove'));
    expect(b.called.use_sandbox).toHaveLength(1);
    await fireEvent.click(button('provider-remove-cancel'));
    expect(screen.queryByTestId('provider-remove-confirm')).toBeNull();
    await fireEvent.click(button('provider-remove'));
    await fireEvent.click(button('provider-remove-confirm'));
    await waitFor(() => expect(b.called.use_sandbox).toHaveLength(2));
    expect(b.called.use_sandbox[1].args).toEqual({ forget: true });
    await waitFor(() => expect(screen.queryByTestId('provider-remove')).toBeNull());
    expect(b.settings.twilio).toBeNull();
    expect(b.provider.secrets.size).toBe(0);
  });

  test('a pause shows its reason and Resume sending calls resume_sending', async () => {
    const b = fakeBackend();
    b.provider.connect();
    b.provider.paused = 'Twilio rejected the credentials (20003). Enter the secret again, then resume.';
    render(ProviderSettings);
    await ready();
    const banner = screen.getByTestId('provider-paused');
    expect(banner.getAttribute('role')).toBe('alert');
    expect(banner.textContent).toContain(
      'Twilio rejected the credentials (20003). Enter the secret again, then resume.',
    );
    await fireEvent.click(button('provider-resume'));
    await waitFor(() => expect(b.called.resume_sending).toHaveLength(1));
    await waitFor(() => expect(screen.queryByTestId('provider-paused')).toBeNull());
  });

  test('a locked keyring is explained', async () => {
    const b = fakeBackend();
    b.provider.keyring = 'locked';
    b.provider.keyringMessage = 'Unlock the login keyring, then press Resume sending.';
    render(ProviderSettings);
    await ready();
    expect(text('provider-keyring')).toContain('Unlock the login keyring, then press Resume sending.');
  });

  test('a test text shows its status and follows delivery reports', async () => {
    const b = fakeBackend();
    render(ProviderSettings);
    await ready();
    await fireEvent.click(button('provider-send-test'));
    expect(text('provider-test-to-error')).toBe('Enter the mobile number to send the test text to.');

    await type('provider-test-to', '07400');
    await fireEvent.click(button('provider-send-test'));
    await waitFor(() => expect(text('provider-test-to-error')).toBe("That doesn't look like a mobile number."));
    expect(input('provider-test-to').value).toBe('07400');

    await type('provider-test-to', '+447400123456');
    await fireEvent.click(button('provider-send-test'));
    await waitFor(() => expect(b.called.send_test_text).toHaveLength(2));
    expect(b.called.send_test_text[1].args).toEqual({ to: '+447400123456' });
    const status = await screen.findByTestId('provider-test-status');
    expect(status.getAttribute('data-status')).toBe('sent');
    expect(status.textContent).toContain('Test text to +447400123456: sent');

    const m = b.reminders.outbox[b.reminders.outbox.length - 1];
    m.status = 'failed';
    m.reason_text = "the number is a landline or can't receive texts";
    await emit('tidings://changes', { source: 'background', changes: [{ kind: 'messages' }] } satisfies ChangeBatch);
    await waitFor(() => expect(screen.getByTestId('provider-test-status').getAttribute('data-status')).toBe('failed'));
    expect(text('provider-test-status')).toBe(
      "Test text to +447400123456: failed — the number is a landline or can't receive texts",
    );
  });

  test('a delivery report that comes before the send has answered still shows', async () => {
    const b = fakeBackend({
      commands: {
        // The provider reports delivery while the send's own answer ("sent") is on its way.
        send_test_text: async (args, backend) => {
          const sent = backend.provider.commands.send_test_text!(args) as OutboxMessage;
          backend.reminders.outbox[backend.reminders.outbox.length - 1].status = 'delivered';
          await emit('tidings://changes', {
            source: 'background',
            changes: [{ kind: 'messages' }],
          } satisfies ChangeBatch);
          return sent;
        },
      },
    });
    render(ProviderSettings);
    await ready();
    await type('provider-test-to', '+447400123456');
    await fireEvent.click(button('provider-send-test'));
    await waitFor(() => expect(b.called.send_test_text).toHaveLength(1));
    await waitFor(() =>
      expect(screen.getByTestId('provider-test-status').getAttribute('data-status')).toBe('delivered'),
    );
    expect(text('provider-test-status')).toContain('Test text to +447400123456: delivered');
  });

  test("the desk's Android phone is connected from its own form, with errors beside the fields", async () => {
    const b = fakeBackend();
    render(ProviderSettings);
    await ready();
    await fireEvent.click(button('provider-choose-smsgate'));
    await screen.findByTestId('smsgate-form');
    expect(text('smsgate-form')).toContain('turn off RCS');
    expect(input('smsgate-seconds').value).toBe('4');

    await type('smsgate-address', 'http://203.0.113.9:8080');
    await type('smsgate-username', 'sms');
    await type('smsgate-password', 'gateway-pass');
    await fireEvent.click(button('smsgate-test'));
    await waitFor(() => expect(text('smsgate-address-error')).toContain('only reaches a phone on this network'));
    expect(input('smsgate-address').getAttribute('aria-invalid')).toBe('true');

    await type('smsgate-address', '192.168.1.20:8080');
    await fireEvent.click(button('smsgate-test'));
    await waitFor(() =>
      expect(text('smsgate-check')).toBe(
        'The phone answered (SMSGate 1.40.0) and took the password. Check on the phone: Battery level in percent: 12 percent.',
      ),
    );
    expect(b.called.test_smsgate_connection[1].args).toEqual({
      input: { base_url: '192.168.1.20:8080', username: 'sms', password: 'gateway-pass', seconds_between_texts: 4 },
    });

    await fireEvent.click(button('smsgate-save'));
    await waitFor(() =>
      expect(text('provider-status')).toContain('Android phone (SMSGate) at http://192.168.1.20:8080'),
    );
    expect(text('provider-status')).toContain('a text every 4 s');
    expect(screen.getByTestId('provider-use-sandbox')).toBeTruthy();
  });

  test('the sending rate is saved through update_settings', async () => {
    const b = fakeBackend();
    let saved: Settings | null = null;
    render(ProviderSettings, { onSettingsSaved: (s: Settings) => (saved = s) });
    await ready();
    expect(screen.getByText('1 for an ordinary US number; ask Twilio before raising it.')).toBeTruthy();
    expect(button('provider-rate-save').disabled).toBe(true);
    await type('provider-send-rate', '250');
    await fireEvent.click(button('provider-rate-save'));
    expect(text('provider-send-rate-error')).toBe('Enter a whole number from 1 to 100.');
    expect(b.called.update_settings).toHaveLength(0);

    await type('provider-send-rate', '10');
    await fireEvent.click(button('provider-rate-save'));
    await waitFor(() => expect(b.called.update_settings).toHaveLength(1));
    expect(b.called.update_settings[0].args).toEqual({ update: { send_rate_per_second: 10 } });
    await waitFor(() => expect(text('provider-rate-saved')).toBe('Saved.'));
    expect(saved).not.toBeNull();
    expect(saved!.send_rate_per_second).toBe(10);
  });

  test('reloads on a settings change without losing what is being typed', async () => {
    const b = fakeBackend();
    render(ProviderSettings);
    await ready();
    await fireEvent.click(button('provider-choose-twilio'));
    await type('provider-secret', 'typed-secret');
    b.provider.connect({ from_number: '+14155550000' });
    await emit('tidings://changes', { source: 'cli', changes: [{ kind: 'settings' }] } satisfies ChangeBatch);
    await waitFor(() => expect(text('provider-status')).toBe('Twilio — texts go from +14155550000'));
    expect(input('provider-from-number').value).toBe('+14155550000');
    expect(input('provider-secret').value).toBe('typed-secret');
  });

  test('is part of the Settings screen', async () => {
    fakeBackend();
    render(App);
    await fireEvent.click(await screen.findByTestId('nav-settings'));
    await screen.findByTestId('settings-screen');
    expect(await screen.findByTestId('provider-settings')).toBeTruthy();
    await waitFor(() => expect(text('provider-status')).toBe('Sandbox — no real texts are sent'));
  });
});
