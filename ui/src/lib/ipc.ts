// The one place that calls `invoke`. Commands are named and their arguments typed by the
// generated client (`commands.ts`); every failure becomes an ApiError.
import { invoke } from '@tauri-apps/api/core';
import type { CommandArgs, CommandName, CommandResult } from './commands';
import { toApiError } from './errors';

export async function call<K extends CommandName>(cmd: K, args: CommandArgs[K]): Promise<CommandResult[K]> {
  try {
    return await invoke<CommandResult[K]>(cmd, args as Record<string, unknown>);
  } catch (err) {
    throw toApiError(err);
  }
}

/** A command whose whole request body is raw bytes (a file), not JSON arguments. */
export async function callRaw<K extends CommandName>(cmd: K, bytes: Uint8Array): Promise<CommandResult[K]> {
  try {
    return await invoke<CommandResult[K]>(cmd, bytes);
  } catch (err) {
    throw toApiError(err);
  }
}
