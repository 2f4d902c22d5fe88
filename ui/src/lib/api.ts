// The one place the UI talks to the Rust side. Every command is wrapped in a typed function and
// every failure is turned into an ApiError, so screens only ever branch on `code` and `field`.
import { invoke, type InvokeArgs } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type {
  ChangeBatch,
  DoctorReport,
  ErrorCode,
  ErrorPayload,
  Settings,
  SettingsUpdate,
  SetupDefaults,
  SetupInput,
} from './bindings';

const ERROR_CODES: readonly ErrorCode[] = [
  'invalid_input',
  'setup_required',
  'data_folder',
  'database_corrupt',
  'database_too_new',
  'database_busy',
  'storage',
  'provider',
  'internal',
];

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly field: string | null;

  constructor(code: ErrorCode, message: string, field: string | null = null) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.field = field;
  }
}

function isErrorPayload(value: unknown): value is ErrorPayload {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.code === 'string' &&
    typeof v.message === 'string' &&
    (v.field === undefined || v.field === null || typeof v.field === 'string')
  );
}

/** Turn whatever a failed `invoke` rejected with into an ApiError. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (isErrorPayload(err)) {
    const code = ERROR_CODES.includes(err.code) ? err.code : 'internal';
    return new ApiError(code, err.message, err.field ?? null);
  }
  if (typeof err === 'string') return new ApiError('internal', err);
  if (err instanceof Error) return new ApiError('internal', err.message);
  return new ApiError('internal', String(err));
}

async function call<T>(cmd: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (err) {
    throw toApiError(err);
  }
}

export function getSettings(): Promise<Settings> {
  return call<Settings>('get_settings');
}

export function getSetupDefaults(): Promise<SetupDefaults> {
  return call<SetupDefaults>('get_setup_defaults');
}

export function completeSetup(input: SetupInput): Promise<Settings> {
  return call<Settings>('complete_setup', { input });
}

/** Only the fields present change; a cap of 0 means "keep". */
export function updateSettings(update: SettingsUpdate): Promise<Settings> {
  return call<Settings>('update_settings', { update });
}

export function getDoctor(): Promise<DoctorReport> {
  return call<DoctorReport>('get_doctor');
}

export const CHANGES_EVENT = 'tidings://changes';
export const SECOND_INSTANCE_EVENT = 'tidings://second-instance';

export function onChanges(handler: (batch: ChangeBatch) => void): Promise<UnlistenFn> {
  return listen<ChangeBatch>(CHANGES_EVENT, (event) => handler(event.payload));
}

export function onSecondInstance(handler: () => void): Promise<UnlistenFn> {
  return listen<null>(SECOND_INSTANCE_EVENT, () => handler());
}
