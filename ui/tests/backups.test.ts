import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { emit } from '@tauri-apps/api/event';
import { describe, expect, test } from 'vitest';
import App from '../src/App.svelte';
import type { ChangeBatch } from '../src/lib/bindings';
import { fileSize } from '../src/lib/format';
import { backupFixture, DEFAULT_BACKUP_FOLDER, fakeBackend } from './fake';

async function openSettings() {
  await fireEvent.click(await screen.findByTestId('nav-settings'));
  await screen.findByTestId('settings-screen');
}

const input = (id: string) => screen.getByTestId(id) as HTMLInputElement;
const text = (id: string) => screen.getByTestId(id).textContent?.replace(/\s+/g, ' ').trim();

describe('backups in settings', () => {
  test('shows where backups go, the last good one and the recent list', async () => {
    const b = fakeBackend();
    b.backups.recent = [
      backupFixture({ path: '/b/2.sqlite3', created_at: '2025-06-02T08:00:00Z', error: 'disk full', verified: false }),
      backupFixture({ path: '/b/1.sqlite3', created_at: '2025-06-01T08:00:00Z', bytes: 2 * 1024 * 1024 }),
    ];
    render(App);
    await openSettings();
    const box = screen.getByTestId('backups');
    expect(await within(box).findByText(DEFAULT_BACKUP_FOLDER)).toBeTruthy();
    expect(input('settings-backup-folder').placeholder).toBe('Default: beside the database');
    expect(input('settings-backup-folder').value).toBe('');
    // 08:00 UTC is 09:00 in London in June; the failed one doesn't count as good.
    expect(text('backup-last')).toMatch(/^Last good backup: .*Jun.*2025, 09:00, 2\.0 MB$/);
    const rows = within(screen.getByTestId('backup-list')).getAllByRole('listitem');
    expect(rows).toHaveLength(2);
    expect(rows[0].textContent).toContain('failed: disk full');
    expect(rows[1].textContent).toContain('checked');
    expect(rows[1].textContent).toContain('2.0 MB');
    expect(box.textContent).toContain('keeps 14 daily and 6 monthly copies');
  });

  test('"No backup yet." before the first one', async () => {
    const b = fakeBackend();
    b.backups.recent = [];
    render(App);
    await openSettings();
    await waitFor(() => expect(text('backup-last')).toBe('No backup yet.'));
    expect(screen.queryByTestId('backup-list')).toBeNull();
  });

  test('Back up now shows the result and refreshes the last backup line', async () => {
    const b = fakeBackend();
    render(App);
    await openSettings();
    await waitFor(() => expect(text('backup-last')).toContain('512 KB'));
    await fireEvent.click(screen.getByTestId('backup-now'));

    expect(await screen.findByTestId('backup-result')).toBeTruthy();
    expect(text('backup-result')).toBe(`Backed up: ${DEFAULT_BACKUP_FOLDER}/tidings-2025-06-03-manual-1.sqlite3`);
    expect(b.called.backup_now).toHaveLength(1);
    // 13:05 UTC is 14:05 in London.
    await waitFor(() => expect(text('backup-last')).toMatch(/14:05, 3\.5 MB$/));
    expect(within(screen.getByTestId('backup-list')).getAllByRole('listitem')).toHaveLength(2);
    expect(screen.queryByTestId('backup-error')).toBeNull();
  });

  test('a failed backup shows what to do', async () => {
    const b = fakeBackend();
    b.backups.failWith = {
      code: 'data_folder',
      message: "Can't write to E:\\Backups. Plug the USB drive back in or pick another folder.",
      field: null,
      related_id: null,
    };
    render(App);
    await openSettings();
    await fireEvent.click(screen.getByTestId('backup-now'));
    const error = await screen.findByTestId('backup-error');
    expect(error.textContent).toBe("Can't write to E:\\Backups. Plug the USB drive back in or pick another folder.");
    expect(screen.queryByTestId('backup-result')).toBeNull();
    expect((screen.getByTestId('backup-now') as HTMLButtonElement).disabled).toBe(false);
  });

  test('the folder is sent only when changed, and the new place is shown', async () => {
    const b = fakeBackend();
    render(App);
    await openSettings();
    await fireEvent.input(input('settings-business-name'), { target: { value: 'Harbour Hair & Beauty' } });
    await fireEvent.click(screen.getByTestId('settings-save'));
    await waitFor(() => expect(b.called.update_settings).toHaveLength(1));
    expect(b.called.update_settings[0].args).toEqual({ update: { business_name: 'Harbour Hair & Beauty' } });

    await screen.findByText('Saved.');
    await fireEvent.input(input('settings-backup-folder'), { target: { value: '  /media/usb/tidings ' } });
    await fireEvent.click(screen.getByTestId('settings-save'));
    await waitFor(() => expect(b.called.update_settings).toHaveLength(2));
    expect(b.called.update_settings[1].args).toEqual({ update: { backup_folder: '/media/usb/tidings' } });
    await waitFor(() => expect(text('backup-folder-current')).toBe('/media/usb/tidings'));
    expect(input('settings-backup-folder').value).toBe('/media/usb/tidings');
  });

  test('a folder error from the backend is shown beside the folder', async () => {
    fakeBackend({
      updateSettings: () => {
        throw {
          code: 'invalid_input',
          message: 'That folder does not exist.',
          field: 'backup_folder',
          related_id: null,
        };
      },
    });
    render(App);
    await openSettings();
    await fireEvent.input(input('settings-backup-folder'), { target: { value: 'Z:\\nowhere' } });
    await fireEvent.click(screen.getByTestId('settings-save'));
    const error = await screen.findByTestId('settings-error');
    expect(error.textContent).toBe('That folder does not exist.');
    expect(input('settings-backup-folder').getAttribute('aria-describedby')).toContain(error.id);
  });
});

describe('backup warning on Today', () => {
  test('no warning when backups are up to date', async () => {
    fakeBackend();
    render(App);
    await screen.findByTestId('today-empty');
    await waitFor(() =>
      expect(screen.getByTestId('today-attention').textContent).toContain('Nothing needs your attention.'),
    );
    expect(screen.queryByTestId('backup-warning')).toBeNull();
  });

  test('shows when overdue and disappears after backing up', async () => {
    const b = fakeBackend();
    b.backups.overdue = true;
    render(App);
    const warning = await screen.findByTestId('backup-warning');
    expect(warning.textContent).toContain('No good backup for 3 days.');
    expect(screen.getByTestId('today-attention').textContent).not.toContain('Nothing needs your attention.');

    await fireEvent.click(screen.getByTestId('today-backup-now'));
    await waitFor(() => expect(screen.queryByTestId('backup-warning')).toBeNull());
    expect(b.called.backup_now).toHaveLength(1);
    expect(screen.getByTestId('today-attention').textContent).toContain('Nothing needs your attention.');
  });

  test('says "No backup yet." with none, keeps the warning and shows an error when backing up fails', async () => {
    const b = fakeBackend();
    b.backups.recent = [];
    b.backups.overdue = true;
    b.backups.failWith = {
      code: 'data_folder',
      message: 'The backup folder is gone. Pick another in Settings.',
      field: null,
      related_id: null,
    };
    render(App);
    expect((await screen.findByTestId('backup-warning')).textContent).toContain('No backup yet.');
    await fireEvent.click(screen.getByTestId('today-backup-now'));
    expect((await screen.findByTestId('today-backup-error')).textContent).toBe(
      'The backup folder is gone. Pick another in Settings.',
    );
    expect(screen.getByTestId('backup-warning')).toBeTruthy();
  });

  test('a backups change reloads the status', async () => {
    const b = fakeBackend();
    render(App);
    await screen.findByTestId('today-empty');
    b.backups.overdue = true;
    await emit('tidings://changes', { source: 'cli', changes: [{ kind: 'backups' }] } satisfies ChangeBatch);
    expect(await screen.findByTestId('backup-warning')).toBeTruthy();
  });
});

describe('fileSize', () => {
  test('KB below a megabyte, MB above', () => {
    expect(fileSize(200)).toBe('1 KB');
    expect(fileSize(512 * 1024)).toBe('512 KB');
    expect(fileSize(3.5 * 1024 * 1024)).toBe('3.5 MB');
  });
});

describe('export everything', () => {
  test('exports one zip and says what it holds and where it went', async () => {
    const b = fakeBackend();
    render(App);
    await openSettings();
    await fireEvent.click(screen.getByTestId('export-all'));
    await waitFor(() => expect(screen.getByTestId('export-all-result')).toBeTruthy());
    expect(b.called.export_all_data).toHaveLength(1);
    expect(text('export-all-result')).toBe(
      'Exported 3 clients, 5 appointments, 8 texts and 2 consent records saved to /home/desk/Downloads/tidings-export-2025-06-02.zip',
    );
  });

  test('a failure says what to do and nothing else happens', async () => {
    const b = fakeBackend();
    b.exportFailure = {
      code: 'data_folder',
      message: 'There is no Downloads or home folder to save the export in.',
      field: null,
      related_id: null,
    };
    render(App);
    await openSettings();
    await fireEvent.click(screen.getByTestId('export-all'));
    await waitFor(() => expect(screen.getByTestId('export-all-error')).toBeTruthy());
    expect(text('export-all-error')).toContain('no Downloads or home folder');
    expect(screen.queryByTestId('export-all-result')).toBeNull();
  });
});
