// Failures from the Rust side, as the screens see them. Every error code has a headline here:
// `ERROR_HEADLINES` is a Record over the generated `ErrorCode`, so a code Rust adds (and
// bindings.ts then lists) fails `npm run check` until it has its words.
import type { ErrorCode, ErrorPayload } from './bindings';

/** What kind of trouble it is, in the desk's words; the message says what to do. */
export const ERROR_HEADLINES: Record<ErrorCode, string> = {
  invalid_input: 'Check what you typed',
  setup_required: 'Tidings is not set up yet',
  data_folder: "Tidings can't use its data folder",
  database_corrupt: "Tidings' data file is damaged",
  database_too_new: 'This data is from a newer Tidings',
  database_busy: 'The data is busy',
  storage: "Tidings can't read or write its data",
  provider: 'The text service refused',
  not_found: 'That is no longer here',
  conflict: 'That clashes with something already saved',
  import_file: "That file can't be imported",
  internal: 'Something went wrong inside Tidings',
  keyring: "Tidings can't reach this computer's keyring",
  credentials_rejected: 'The text service did not accept the sign-in',
  provider_offline: "The text service can't be reached",
  sender_busy: 'Another Tidings is sending right now',
};

const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(ERROR_HEADLINES, code);

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly field: string | null;
  /** The record the error points at, e.g. the client who already has a number. */
  readonly relatedId: number | null;

  constructor(code: ErrorCode, message: string, field: string | null = null, relatedId: number | null = null) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.field = field;
    this.relatedId = relatedId;
  }

  /** The headline for this kind of failure. */
  get headline(): string {
    return ERROR_HEADLINES[this.code];
  }
}

function isErrorPayload(value: unknown): value is ErrorPayload {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.code === 'string' &&
    typeof v.message === 'string' &&
    (v.field === undefined || v.field === null || typeof v.field === 'string') &&
    (v.related_id === undefined || v.related_id === null || typeof v.related_id === 'number')
  );
}

/** Turn whatever a failed `invoke` rejected with into an ApiError. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (isErrorPayload(err)) {
    const code = isErrorCode(err.code) ? err.code : 'internal';
    return new ApiError(code, err.message, err.field ?? null, err.related_id ?? null);
  }
  if (typeof err === 'string') return new ApiError('internal', err);
  if (err instanceof Error) return new ApiError('internal', err.message);
  return new ApiError('internal', String(err));
}
