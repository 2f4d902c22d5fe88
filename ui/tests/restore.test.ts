import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { emit } from '@tauri-apps/api/event';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import App from '../src/App.svelte';
import type { ChangeBatch } from '../src/lib/bindings';
import { backupFixture, DEFAULT_BACKUP_FOLDER, fakeBackend } from './fake';

async function openSettings() {
  await fireEvent.click(await screen.findByTestId('nav-settings'));
  await screen.findByTestId('settings-screen');
}

const button = (id: string) => screen.getByTestId(id) as HTMLButtonElement;
const text = (id: string) => screen.getByTestId(id).textContent?.replace(/\s+/g, ' ').trim();

// jsdom can't reload; stand in for the window's location so the tests can see the reload.
let reload: ReturnType<typeof vi.fn>;
beforeEach(() => {
  reload = vi.fn();
  vi.stubGlobal('location', { ...window.location, reload });
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('restoring a backup', () => {
  test('only checked backups can be restored; the preview shows what it holds and then enables Restore', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const b = fakeBackend({
      commands: {
        preview_restore: async (args, b) => {
          await gate;
          return b.backups.previewRestore((args as { path: string }).path);
        },
      },
    });
    b.backups.recent = [
      backupFixture({ path: '/b/2.sqlite3', created_at: '2025-06-02T08:00:00Z', error: 'disk full', verified: false }),
      backupFixture({ path: '/b/1.sqlite3', created_at: '2025-06-01T08:00:00Z' }),
    ];
    render(App);
    await openSettings();
    await screen.findByTestId('backup-list');
    expect(screen.queryByTestId('restore-0')).toBeNull();

    await fireEvent.click(screen.getByTestId('restore-1'));
    const dialog = await screen.findByTestId('restore-dialog');
    expect(button('restore-confirm').disabled).toBe(true);
    expect(screen.queryByTestId('restore-preview')).toBeNull();
    expect(b.called.preview_restore[0].args).toEqual({ path: '/b/1.sqlite3' });

    release();
    await screen.findByTestId('restore-preview');
    // 08:00 UTC is 09:00 in London in June.
    expect(text('restore-preview')).toMatch(
      /^Backup from .*Jun.*2025, 09:00: 42 clients, 118 appointments, 230 texts, 57 consent records$/,
    );
    expect(dialog.textContent).toContain(
      'Clients, appointments, templates and settings go back to how they were then. Texts that went out, replies that came in and consent recorded since are kept: they happened.',
    );
    expect(button('restore-confirm').disabled).toBe(false);
    expect(b.called.restore_backup).toHaveLength(0);

    await fireEvent.click(within(dialog).getByText('Cancel'));
    expect(screen.queryByTestId('restore-dialog')).toBeNull();
    expect(b.called.restore_backup).toHaveLength(0);
  });

  test("a damaged file's error is shown and nothing is restored", async () => {
    const b = fakeBackend();
    const message = "That file isn't a readable Tidings backup (it looks damaged). Nothing was changed.";
    b.backups.previewFailWith = { code: 'database_corrupt', message, field: null, related_id: null };
    render(App);
    await openSettings();
    expect(button('restore-path-open').disabled).toBe(true);
    await fireEvent.input(screen.getByTestId('restore-path'), { target: { value: '  /media/usb/old.sqlite3 ' } });
    await fireEvent.click(screen.getByTestId('restore-path-open'));

    expect((await screen.findByTestId('restore-error')).textContent).toBe(message);
    expect(b.called.preview_restore[0].args).toEqual({ path: '/media/usb/old.sqlite3' });
    expect(screen.queryByTestId('restore-preview')).toBeNull();
    expect(button('restore-confirm').disabled).toBe(true);
    await fireEvent.click(screen.getByTestId('restore-confirm'));
    expect(b.called.restore_backup).toHaveLength(0);
    expect(reload).not.toHaveBeenCalled();
  });

  test('a restore says where the old data went, then reloads the window', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const b = fakeBackend({
      commands: {
        restore_backup: async (args, b) => {
          await gate;
          return b.backups.restore((args as { path: string }).path);
        },
      },
    });
    render(App);
    await openSettings();
    await fireEvent.click(await screen.findByTestId('restore-0'));
    await screen.findByTestId('restore-preview');
    await fireEvent.click(screen.getByTestId('restore-confirm'));

    await waitFor(() => expect(button('restore-confirm').textContent?.trim()).toBe('Restoring…'));
    expect(button('restore-confirm').disabled).toBe(true);
    release();

    expect(await screen.findByTestId('restore-done')).toBeTruthy();
    expect(text('restore-done')).toBe(
      `Restored. The data as it was before is kept in ${DEFAULT_BACKUP_FOLDER}/tidings-2025-06-03-pre-restore.sqlite3.`,
    );
    // What happened after the backup was kept, and the desk is told.
    expect(text('restore-kept')).toBe(
      'Kept from after the backup, because it happened: 2 texts sent, 1 reply received.',
    );
    expect(b.called.restore_backup[0].args).toEqual({
      path: `${DEFAULT_BACKUP_FOLDER}/tidings-2025-06-02-daily.sqlite3`,
    });
    expect(screen.queryByTestId('restore-error')).toBeNull();
    // The message stays up for a moment before the reload.
    expect(reload).not.toHaveBeenCalled();
    await waitFor(() => expect(reload).toHaveBeenCalledTimes(1), { timeout: 3000 });
  });

  test('a failed restore shows why and can be tried again', async () => {
    const b = fakeBackend();
    b.backups.restoreFailWith = {
      code: 'database_busy',
      message: 'Tidings is busy writing. Try again in a moment; nothing was changed.',
      field: null,
      related_id: null,
    };
    render(App);
    await openSettings();
    await fireEvent.click(await screen.findByTestId('restore-0'));
    await screen.findByTestId('restore-preview');
    await fireEvent.click(screen.getByTestId('restore-confirm'));
    expect((await screen.findByTestId('restore-error')).textContent).toBe(
      'Tidings is busy writing. Try again in a moment; nothing was changed.',
    );
    expect(button('restore-confirm').disabled).toBe(false);
    expect(screen.queryByTestId('restore-done')).toBeNull();
    expect(reload).not.toHaveBeenCalled();
  });

  test('a restore from the command line reloads the window; the dialog handles its own', async () => {
    fakeBackend();
    render(App);
    await screen.findByTestId('today-empty');
    await emit('tidings://changes', { source: 'ui', changes: [{ kind: 'restored' }] } satisfies ChangeBatch);
    expect(reload).not.toHaveBeenCalled();
    await emit('tidings://changes', { source: 'cli', changes: [{ kind: 'restored' }] } satisfies ChangeBatch);
    await waitFor(() => expect(reload).toHaveBeenCalledTimes(1));
  });
});
