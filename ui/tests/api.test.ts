import { mockIPC } from '@tauri-apps/api/mocks';
import { describe, expect, test } from 'vitest';
import {
  ApiError,
  completeSetup,
  createClient,
  exportConsent,
  getSettings,
  listClients,
  runImport,
  stageImportFile,
  toApiError,
  updateSettings,
} from '../src/lib/api';
import { settingsFixture } from './fake';

describe('api wrapper', () => {
  test('a rejected ErrorPayload becomes an ApiError with its code, message and field', async () => {
    mockIPC(() => {
      throw { code: 'invalid_input', message: 'Unknown time zone "Mars/Base".', field: 'timezone' };
    });
    const err = await completeSetup({ business_name: 'X', timezone: 'Mars/Base', phone_region: 'GB' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ code: 'invalid_input', field: 'timezone', message: 'Unknown time zone "Mars/Base".' });
  });

  test('a payload without a field gets field null', async () => {
    mockIPC(() =>
      Promise.reject({ code: 'database_busy', message: 'Another program holds the database.', field: null }),
    );
    await expect(getSettings()).rejects.toMatchObject({ code: 'database_busy', field: null });
  });

  test('a plain string rejection becomes code internal with the string as message', async () => {
    mockIPC(() => {
      throw 'command get_settings not found';
    });
    const err = await getSettings().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'internal', message: 'command get_settings not found', field: null });
  });

  test('other shapes are reported as internal too', () => {
    expect(toApiError(new TypeError('boom'))).toMatchObject({ code: 'internal', message: 'boom' });
    expect(toApiError({ code: 'nonsense', message: 'odd' })).toMatchObject({ code: 'internal', message: 'odd' });
    expect(toApiError(42)).toMatchObject({ code: 'internal', message: '42' });
  });

  // The calls are recorded as { command: arguments }, so no command is named in a string here.
  test('commands are invoked by name with their arguments wrapped as the Rust side expects', async () => {
    const seen: Record<string, unknown>[] = [];
    mockIPC((cmd, args) => {
      seen.push({ [cmd]: args });
      return settingsFixture();
    });
    await completeSetup({ business_name: 'A', timezone: 'UTC', phone_region: 'GB' });
    await updateSettings({ business_name: 'B' });
    expect(seen).toEqual([
      { complete_setup: { input: { business_name: 'A', timezone: 'UTC', phone_region: 'GB' } } },
      { update_settings: { update: { business_name: 'B' } } },
    ]);
  });

  test('a conflict keeps the id of the related record', async () => {
    mockIPC(() => {
      throw { code: 'conflict', message: 'Ann Carter already has this number.', field: 'phone', related_id: 7 };
    });
    const err = await createClient({ name: 'A', phone: '07400 123456' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'conflict', field: 'phone', relatedId: 7 });
    expect(toApiError({ code: 'import_file', message: 'Empty.', field: null })).toMatchObject({
      code: 'import_file',
      relatedId: null,
    });
  });

  test('client and import commands use camelCase arguments; staging sends the raw bytes as the body', async () => {
    const seen: Record<string, unknown>[] = [];
    mockIPC((cmd, args) => {
      seen.push({ [cmd]: args });
      return {};
    });
    const bytes = new Uint8Array([78, 97, 109, 101]);
    await listClients('ann', true);
    await stageImportFile(bytes);
    await runImport(3, {}, true);
    await exportConsent(9, 'csv');
    expect(seen).toEqual([
      { list_clients: { query: 'ann', includeArchived: true } },
      { stage_import_file: bytes },
      { run_import: { token: 3, options: {}, dryRun: true } },
      { export_consent: { clientId: 9, format: 'csv' } },
    ]);
  });
});
