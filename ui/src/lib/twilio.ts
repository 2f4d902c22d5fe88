// The Twilio form of Settings › Provider, without the screen: what it holds, how it takes a fresh
// view from the backend, what it can check before asking Twilio, and what it sends.
import type { ProviderView, TwilioInput } from './bindings';

export type AuthMode = 'key' | 'token';
export type SendMode = 'number' | 'service';
export type TwilioFields = {
  account_sid: string;
  api_key_sid: string;
  secret: string;
  from_number: string;
  messaging_service_sid: string;
  base_url: string;
  auth: AuthMode;
  send: SendMode;
};
export type TwilioField =
  'account_sid' | 'api_key_sid' | 'secret' | 'from_number' | 'messaging_service_sid' | 'base_url';
/** A problem beside its field, or (field null) above the buttons. */
export type Problem = { field: TwilioField | null; message: string };

const FORM_FIELDS: readonly string[] = [
  'account_sid',
  'api_key_sid',
  'secret',
  'from_number',
  'messaging_service_sid',
  'base_url',
];

export const KEEP_SECRET = "Secret saved in this computer's keyring — leave empty to keep it";

/** The form's controls, by field, to take the keyboard to the first problem. */
export const CONTROL: Record<TwilioField, string> = {
  account_sid: 'provider-account-sid',
  api_key_sid: 'provider-api-key-sid',
  secret: 'provider-secret',
  from_number: 'provider-from-number',
  messaging_service_sid: 'provider-messaging-service',
  base_url: 'provider-base-url',
};

export const EMPTY_FIELDS: TwilioFields = {
  account_sid: '',
  api_key_sid: '',
  secret: '',
  from_number: '',
  messaging_service_sid: '',
  base_url: '',
  auth: 'key',
  send: 'number',
};

/** The form as the saved account fills it (never the secret). */
export function fieldsFromView(v: ProviderView): TwilioFields {
  const t = v.twilio;
  return {
    account_sid: t?.account_sid ?? '',
    api_key_sid: t?.api_key_sid ?? '',
    secret: '',
    from_number: t?.from_number ?? '',
    messaging_service_sid: t?.messaging_service_sid ?? '',
    base_url: t?.base_url ?? '',
    // An account saved without a key signs in with its Auth Token; a fresh form suggests a key.
    auth: t && !t.api_key_sid ? 'token' : 'key',
    send: t?.messaging_service_sid ? 'service' : 'number',
  };
}

/**
 * Takes `incoming` into `form` where the desk has not changed a field since `synced` (what the
 * form last took from the backend); typed but unsaved values stay, and the secret is never
 * overwritten.
 */
export function mergeFields(form: TwilioFields, synced: TwilioFields, incoming: TwilioFields): void {
  for (const key of Object.keys(incoming) as (keyof TwilioFields)[]) {
    if (key !== 'secret' && form[key] === synced[key])
      (form as Record<keyof TwilioFields, unknown>)[key] = incoming[key];
  }
}

/** The stored secret belongs to the saved account and key: only then can the box stay empty. */
export function canKeepSecret(view: ProviderView | null, form: TwilioFields): boolean {
  const t = view?.twilio;
  if (!view?.secret_stored || !t) return false;
  if (form.account_sid.trim() !== t.account_sid) return false;
  return form.auth === 'key' ? form.api_key_sid.trim() === (t.api_key_sid ?? '') : t.api_key_sid === null;
}

/** Where a backend field error belongs in the form as it is shown now. */
export function placeField(field: string | null, form: TwilioFields): TwilioField | null {
  if (!field || !FORM_FIELDS.includes(field)) return null;
  if (field === 'from_number' && form.send === 'service') return 'messaging_service_sid';
  if (field === 'messaging_service_sid' && form.send === 'number') return 'from_number';
  if (field === 'api_key_sid' && form.auth === 'token') return null;
  return field as TwilioField;
}

/** A Twilio SID: its two-letter prefix and 32 hexadecimal digits (Twilio's own format). */
export function isSid(text: string, prefix: string): boolean {
  return new RegExp(`^${prefix}[0-9a-fA-F]{32}$`).test(text.trim());
}

/**
 * What the form can tell before asking Twilio, every field at once so one click shows all of
 * it. The backend checks the same again (and reads the number), field by field.
 */
export function checkFields(form: TwilioFields, keepSecret: boolean): Problem[] {
  const found: Problem[] = [];
  const account = form.account_sid.trim();
  if (!account) {
    found.push({ field: 'account_sid', message: 'Enter the Account SID from the Twilio Console (it starts with AC).' });
  } else if (!isSid(account, 'AC')) {
    found.push({
      field: 'account_sid',
      message:
        "The Account SID starts with AC followed by 32 letters and digits; copy it from the Twilio Console's home page.",
    });
  }
  if (form.auth === 'key') {
    const key = form.api_key_sid.trim();
    if (!key) {
      found.push({ field: 'api_key_sid', message: 'Enter the API key SID (it starts with SK), or choose Auth Token.' });
    } else if (!isSid(key, 'SK')) {
      found.push({ field: 'api_key_sid', message: 'An API key SID starts with SK followed by 32 letters and digits.' });
    }
  }
  if (!form.secret.trim() && !keepSecret) {
    found.push({
      field: 'secret',
      message: form.auth === 'key' ? "Enter the API key's secret." : 'Enter the Auth Token.',
    });
  }
  if (form.send === 'number' && !form.from_number.trim()) {
    found.push({ field: 'from_number', message: 'Enter the Twilio number texts come from, like +14155552671.' });
  }
  if (form.send === 'service') {
    const service = form.messaging_service_sid.trim();
    if (!service) {
      found.push({ field: 'messaging_service_sid', message: 'Enter the Messaging Service SID (it starts with MG).' });
    } else if (!isSid(service, 'MG')) {
      found.push({
        field: 'messaging_service_sid',
        message: 'A Messaging Service SID starts with MG followed by 32 letters and digits.',
      });
    }
  }
  return found;
}

/** What goes to the backend: only the sign-in and sender the form's choices use, trimmed. */
export function twilioInput(form: TwilioFields): TwilioInput {
  const input: TwilioInput = { account_sid: form.account_sid.trim(), secret: form.secret.trim() };
  if (form.auth === 'key') input.api_key_sid = form.api_key_sid.trim();
  if (form.send === 'number') input.from_number = form.from_number.trim();
  else input.messaging_service_sid = form.messaging_service_sid.trim();
  const base = form.base_url.trim();
  if (base) input.base_url = base;
  return input;
}
