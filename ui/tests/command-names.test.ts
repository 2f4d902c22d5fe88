// Commands are named once: in src-tauri/src/command_list.rs, from which src/lib/commands.ts is
// generated. Nothing else in ui/ may write a command's name as a string or call `invoke`
// itself: the screens call the generated functions, and the test fakes key their handlers by
// the generated `CommandName` type, so a renamed or removed command fails to compile.
import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from '../src/lib/commands';

// Every source file of the UI and its tests, as text (Vite reads them at test time).
const sourceFiles = import.meta.glob(['../src/**/*.{ts,svelte}', './**/*.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;

// The generated files, and this test (its own examples are names in strings).
const EXEMPT = new Set(['../src/lib/commands.ts', '../src/lib/bindings.ts', './command-names.test.ts']);

const files = Object.entries(sourceFiles)
  .map(([path, text]) => ({ path: path.replace(/^\.\.\//, '').replace(/^\.\//, 'tests/'), text, raw: path }))
  .filter((f) => !EXEMPT.has(f.raw));

/** Every quoted string in a file ('…' or "…"; a `…` in a comment is prose), with its line. */
function strings(text: string): { value: string; line: number }[] {
  const found: { value: string; line: number }[] = [];
  const quoted = /(['"])((?:\\.|(?!\1)[^\\\n])*)\1/g;
  for (const m of text.matchAll(quoted)) {
    found.push({ value: m[2], line: text.slice(0, m.index).split('\n').length });
  }
  return found;
}

describe('command names are written once', () => {
  it('reads the generated list of commands', () => {
    expect(COMMAND_NAMES.length).toBeGreaterThan(50);
    expect(COMMAND_NAMES).toContain('list_clients');
    expect(files.length).toBeGreaterThan(50);
  });

  it('no hand-written file in ui/ names a command in a string', () => {
    const names = new Set<string>(COMMAND_NAMES);
    const offences = files.flatMap((f) =>
      strings(f.text)
        .filter((s) => names.has(s.value))
        .map((s) => `${f.path}:${s.line} '${s.value}'`),
    );
    expect(offences).toEqual([]);
  });

  it('only the generated client calls invoke', () => {
    const callers = files
      .filter((f) => /import\s*\{[^}]*\binvoke\b[^}]*\}\s*from\s*'@tauri-apps\/api\/core'/.test(f.text))
      .map((f) => f.path);
    expect(callers).toEqual(['src/lib/ipc.ts']);
  });

  it('would catch a name in a string', () => {
    expect(strings('call(\'list_clients\', {})\nx = "get_today"').map((s) => s.value)).toEqual([
      'list_clients',
      'get_today',
    ]);
  });
});
