// The fakes' side of the generated command list: a fake command is keyed by its name as the
// generated `CommandName` type knows it and gets its arguments typed, so a command renamed or
// removed in src-tauri/src/command_list.rs fails `npm run check` here too.
import type { CommandArgs, CommandName } from '../src/lib/commands';

/** Fake commands by name. The answers are not typed: fixtures may leave out what a test ignores. */
export type FakeCommands = { [K in CommandName]?: (a: CommandArgs[K]) => unknown };

/** One call the window made: which command and its arguments. */
export type Call<K extends CommandName = CommandName> = { cmd: K; args: CommandArgs[K] };

/** The calls made so far, by command: `backend.called.list_clients`. */
export type CallsByCommand = { [K in CommandName]: Call<K>[] };

export function callsByCommand(calls: Call[]): CallsByCommand {
  return new Proxy({} as CallsByCommand, {
    get: (_, cmd) => calls.filter((c) => c.cmd === cmd),
  });
}

/** Runs the fake for `cmd` from a table that has one (check with `cmd in table` first). */
export function runFake(table: FakeCommands, cmd: CommandName, args: unknown): unknown {
  const fake = table[cmd] as ((a: unknown) => unknown) | undefined;
  if (fake === undefined) throw `no fake for ${cmd}`;
  return fake(args ?? {});
}
