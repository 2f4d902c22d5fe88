// The provider panel's words and the Twilio form's own checks, without a screen.
import { describe, expect, test } from 'vitest';
import type { OutboxMessage, ProviderView } from '../src/lib/bindings';
import { joinIds, keyringNote, statusLine, testStatusLine } from '../src/lib/provider';
import {
  EMPTY_FIELDS,
  canKeepSecret,
  checkFields,
  fieldsFromView,
  isSid,
  mergeFields,
  placeField,
  twilioInput,
  type TwilioFields,
} from '../src/lib/twilio';
import { ACCOUNT_SID, API_KEY_SID, SERVICE_SID } from './fake-provider';

function view(over: Partial<ProviderView> = {}): ProviderView {
  return {
    kind: 'sandbox',
    twilio: null,
    secret_stored: false,
    smsgate: null,
    smsgate_password_stored: false,
    keyring: 'available',
    keyring_message: null,
    paused: null,
    hands_off: false,
    send_rate_per_second: 1,
    ...over,
  } as ProviderView;
}

const twilio = (over: Partial<NonNullable<ProviderView['twilio']>> = {}) =>
  ({
    account_sid: ACCOUNT_SID,
    api_key_sid: API_KEY_SID,
    from_number: '+14155552671',
    messaging_service_sid: null,
    base_url: null,
    ...over,
  }) as NonNullable<ProviderView['twilio']>;

const fields = (over: Partial<TwilioFields> = {}): TwilioFields => ({ ...EMPTY_FIELDS, ...over });

describe('provider words', () => {
  test('the status line says where texts go', () => {
    expect(statusLine(view())).toBe('Sandbox — no real texts are sent');
    expect(statusLine(view({ kind: 'twilio', twilio: twilio() }))).toBe('Twilio — texts go from +14155552671');
    expect(
      statusLine(view({ kind: 'twilio', twilio: twilio({ from_number: null, messaging_service_sid: SERVICE_SID }) })),
    ).toBe(`Twilio — texts go from Messaging Service ${SERVICE_SID}`);
    expect(statusLine(view({ kind: 'twilio' }))).toBe('Twilio');
    expect(statusLine(view({ kind: 'smsgate' }))).toBe('Android phone (SMSGate)');
    expect(
      statusLine(
        view({
          kind: 'smsgate',
          smsgate: { base_url: 'http://192.168.1.20:8080', username: 'sms', seconds_between_texts: 4 },
        } as Partial<ProviderView>),
      ),
    ).toBe('Android phone (SMSGate) at http://192.168.1.20:8080 — a text every 4 s');
  });

  test('the keyring note says what is wrong, with the backend’s advice', () => {
    expect(keyringNote(view())).toBe('');
    expect(keyringNote(view({ keyring: 'locked', keyring_message: 'Unlock it.' }))).toBe(
      "This computer's keyring is locked, so Tidings can't read the Twilio secret. Unlock it.",
    );
    expect(keyringNote(view({ keyring: 'unavailable' }))).toBe(
      'This computer has no keyring Tidings can use to keep the Twilio secret.',
    );
  });

  test('a test text’s status reads with its reason, or what it waits for', () => {
    const m = { to: '+447400123456', status: 'sent', reason_text: null } as OutboxMessage;
    expect(testStatusLine(m)).toBe('Test text to +447400123456: sent — waiting for the carrier to confirm delivery');
    expect(testStatusLine({ ...m, status: 'delivered' })).toBe('Test text to +447400123456: delivered');
    expect(testStatusLine({ ...m, status: 'failed', reason_text: 'a landline' })).toBe(
      'Test text to +447400123456: failed — a landline',
    );
  });

  test('described-by ids leave out the empty ones', () => {
    expect(joinIds('a', '')).toBe('a');
    expect(joinIds('a', 'b c')).toBe('a b c');
    expect(joinIds('', '')).toBeUndefined();
  });
});

describe('the Twilio form', () => {
  test('a saved account fills it, on the Auth Token when it has no key; never the secret', () => {
    expect(fieldsFromView(view())).toEqual(EMPTY_FIELDS);
    expect(fieldsFromView(view({ twilio: twilio(), secret_stored: true }))).toMatchObject({
      account_sid: ACCOUNT_SID,
      api_key_sid: API_KEY_SID,
      secret: '',
      auth: 'key',
      send: 'number',
    });
    expect(
      fieldsFromView(view({ twilio: twilio({ api_key_sid: null, messaging_service_sid: SERVICE_SID }) })),
    ).toMatchObject({ auth: 'token', send: 'service', messaging_service_sid: SERVICE_SID });
  });

  test('a fresh view replaces only what the desk has not typed over, and never the secret', () => {
    const synced = fields({ from_number: '+1415' });
    const form = fields({ from_number: '+1415', account_sid: 'typed', secret: 'typed-secret' });
    mergeFields(form, synced, fields({ from_number: '+1999', account_sid: 'AC-new', secret: 'x' }));
    expect(form).toMatchObject({ from_number: '+1999', account_sid: 'typed', secret: 'typed-secret' });
  });

  test('the stored secret is kept only for the saved account and key', () => {
    const saved = view({ twilio: twilio(), secret_stored: true });
    const same = fields({ account_sid: ` ${ACCOUNT_SID} `, api_key_sid: API_KEY_SID });
    expect(canKeepSecret(saved, same)).toBe(true);
    expect(canKeepSecret(view({ twilio: twilio() }), same)).toBe(false);
    expect(canKeepSecret(saved, { ...same, api_key_sid: 'SK-other' })).toBe(false);
    expect(canKeepSecret(saved, { ...same, auth: 'token' })).toBe(false);
    expect(canKeepSecret(null, same)).toBe(false);
  });

  test('a backend field error goes where that field is shown', () => {
    expect(placeField('from_number', fields({ send: 'service' }))).toBe('messaging_service_sid');
    expect(placeField('messaging_service_sid', fields())).toBe('from_number');
    expect(placeField('api_key_sid', fields({ auth: 'token' }))).toBeNull();
    expect(placeField('base_url', fields())).toBe('base_url');
    expect(placeField('to', fields())).toBeNull();
    expect(placeField(null, fields())).toBeNull();
  });

  test('SIDs are their prefix and 32 hexadecimal digits', () => {
    expect(isSid(ACCOUNT_SID, 'AC')).toBe(true);
    expect(isSid(` ${ACCOUNT_SID} `, 'AC')).toBe(true);
    expect(isSid(ACCOUNT_SID, 'SK')).toBe(false);
    expect(isSid('AC123', 'AC')).toBe(false);
  });

  test('the form’s own check finds every problem at once', () => {
    expect(checkFields(fields(), false).map((p) => p.field)).toEqual([
      'account_sid',
      'api_key_sid',
      'secret',
      'from_number',
    ]);
    expect(checkFields(fields({ auth: 'token', send: 'service' }), false).map((p) => p.message)).toEqual([
      'Enter the Account SID from the Twilio Console (it starts with AC).',
      'Enter the Auth Token.',
      'Enter the Messaging Service SID (it starts with MG).',
    ]);
    const good = fields({ account_sid: ACCOUNT_SID, api_key_sid: API_KEY_SID, from_number: '+14155552671' });
    expect(checkFields(good, true)).toEqual([]);
    expect(checkFields(good, false)).toEqual([{ field: 'secret', message: "Enter the API key's secret." }]);
    expect(checkFields({ ...good, send: 'service', messaging_service_sid: 'MG1' }, true)).toEqual([
      {
        field: 'messaging_service_sid',
        message: 'A Messaging Service SID starts with MG followed by 32 letters and digits.',
      },
    ]);
  });

  test('what is sent follows the form’s choices, trimmed', () => {
    const form = fields({
      account_sid: ` ${ACCOUNT_SID} `,
      api_key_sid: API_KEY_SID,
      secret: ' s ',
      from_number: '+1415',
      messaging_service_sid: SERVICE_SID,
      base_url: ' ',
    });
    expect(twilioInput(form)).toEqual({
      account_sid: ACCOUNT_SID,
      api_key_sid: API_KEY_SID,
      secret: 's',
      from_number: '+1415',
    });
    expect(twilioInput({ ...form, auth: 'token', send: 'service', base_url: 'https://x.test' })).toEqual({
      account_sid: ACCOUNT_SID,
      secret: 's',
      messaging_service_sid: SERVICE_SID,
      base_url: 'https://x.test',
    });
  });
});
