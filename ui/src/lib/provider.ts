// Settings › Provider in words: the status line, the keyring note and a test text's progress.
import type { OutboxMessage, ProviderView } from './bindings';
import { MESSAGE_STATUS_LABEL } from './reminders';

/** What the provider panel is doing; while one runs, the others wait. */
export type ProviderBusy = 'test' | 'save' | 'sandbox' | 'remove' | 'resume';

/** Where texts go now, in one line. */
export function statusLine(view: ProviderView): string {
  if (view.kind === 'sandbox') return 'Sandbox — no real texts are sent';
  if (view.kind === 'smsgate') {
    const g = view.smsgate;
    return g
      ? `Android phone (SMSGate) at ${g.base_url} — a text every ${g.seconds_between_texts} s`
      : 'Android phone (SMSGate)';
  }
  const t = view.twilio;
  if (t?.messaging_service_sid) return `Twilio — texts go from Messaging Service ${t.messaging_service_sid}`;
  if (t?.from_number) return `Twilio — texts go from ${t.from_number}`;
  return 'Twilio';
}

/** Why the Twilio secret can't be kept or read, or '' when the keyring works. */
export function keyringNote(view: ProviderView): string {
  if (view.keyring === 'available') return '';
  const what =
    view.keyring === 'locked'
      ? "This computer's keyring is locked, so Tidings can't read the Twilio secret."
      : 'This computer has no keyring Tidings can use to keep the Twilio secret.';
  return view.keyring_message ? `${what} ${view.keyring_message}` : what;
}

/** "Test text to +44…: delivered", with why it failed or what it waits for. */
export function testStatusLine(message: OutboxMessage): string {
  const word = MESSAGE_STATUS_LABEL[message.status]?.toLowerCase() ?? message.status;
  let line = `Test text to ${message.to}: ${word}`;
  if (message.reason_text) line += ` — ${message.reason_text}`;
  else if (message.status === 'sent') line += ' — waiting for the carrier to confirm delivery';
  return line;
}

/** Ids for an aria-describedby, or undefined when there are none. */
export function joinIds(base: string, extra: string): string | undefined {
  return [base, extra].filter(Boolean).join(' ') || undefined;
}
