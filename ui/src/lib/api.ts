// What the UI calls on the Rust side: the generated, typed commands (`commands.ts`), the
// errors they fail with, and the events the backend sends.
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { Change, ChangeBatch, ImportProgress } from './bindings';

export * from './commands';
export { ApiError, ERROR_HEADLINES, toApiError } from './errors';

/** A kind of change the backend announces ('clients', 'messages', 'settings', …). */
export type ChangeKind = Change['kind'];

/** Did any change in the batch touch one of these kinds? */
export function touches(batch: ChangeBatch, kinds: readonly ChangeKind[]): boolean {
  return batch.changes.some((c) => kinds.includes(c.kind));
}

export const CHANGES_EVENT = 'tidings://changes';
export const SECOND_INSTANCE_EVENT = 'tidings://second-instance';
export const IMPORT_PROGRESS_EVENT = 'tidings://import-progress';

export function onChanges(handler: (batch: ChangeBatch) => void): Promise<UnlistenFn> {
  return listen<ChangeBatch>(CHANGES_EVENT, (event) => handler(event.payload));
}

export function onSecondInstance(handler: () => void): Promise<UnlistenFn> {
  return listen<null>(SECOND_INSTANCE_EVENT, () => handler());
}

export function onImportProgress(handler: (progress: ImportProgress) => void): Promise<UnlistenFn> {
  return listen<ImportProgress>(IMPORT_PROGRESS_EVENT, (event) => handler(event.payload));
}
