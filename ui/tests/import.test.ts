import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, test, vi } from 'vitest';
import App from '../src/App.svelte';
import { fakeBackend, type Backend } from './fake';

/** jsdom's File has no arrayBuffer(); give it one that reads the real contents. */
function csvFile(text: string, name = 'clients.csv'): File {
  const bytes = new TextEncoder().encode(text);
  const file = new File([bytes], name, { type: 'text/csv' });
  Object.defineProperty(file, 'arrayBuffer', { value: vi.fn(async () => bytes.buffer.slice(0)) });
  return file;
}

const CSV = [
  'Client,Mobile,Notes',
  'Ann Carter,07400 123456,VIP',
  'Ben Doyle,07400 222333,',
  'Cat Evans,12,',
  ',07400 444555,',
  'Dee Fox,+353 85 123 4567,',
].join('\n');

async function openImport() {
  await fireEvent.click(await screen.findByTestId('nav-clients'));
  await fireEvent.click(await screen.findByTestId('import-clients'));
  return screen.findByTestId('import-screen');
}

async function choose(file: File) {
  await fireEvent.change(screen.getByTestId('import-file'), { target: { files: [file] } });
}

const select = (id: string) => screen.getByTestId(id) as HTMLSelectElement;

async function staged(b: Backend) {
  render(App);
  await openImport();
  const file = csvFile(CSV);
  await choose(file);
  await screen.findByTestId('import-summary');
  return b;
}

describe('import wizard', () => {
  test('stages the raw bytes, previews with no mapping and shows the guessed mapping', async () => {
    const b = fakeBackend();
    b.store.seed('Ann Carter', '07400 123456', {
      events: [{ purpose: 'service', action: 'revoked', channel: 'sms_keyword', recorded_by: 'engine' }],
    });
    render(App);
    await openImport();
    expect(screen.getByTestId('import-file').getAttribute('accept')).toBe('.csv,.txt,text/csv');
    await choose(csvFile(CSV));

    const summary = await screen.findByTestId('import-summary');
    const staged = b.called.stage_import_file[0].args as unknown as Uint8Array;
    expect(staged).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(staged)).toBe(CSV);
    expect(b.called.preview_import[0].args).toEqual({ token: 1, options: {} });

    const detected = screen.getByTestId('import-detected').textContent?.replace(/\s+/g, ' ');
    expect(detected).toContain('clients.csv: 5 rows, read as UTF-8, columns separated by commas.');
    expect(select('map-name').value).toBe('0');
    expect(select('map-phone').value).toBe('1');
    expect(select('map-notes').value).toBe('2');
    expect(select('map-first_name').value).toBe('');
    expect(select('map-timezone').selectedOptions[0].textContent).toBe('(not in this file)');
    expect(Array.from(select('map-phone').options).map((o) => o.textContent)).toEqual([
      '(not in this file)',
      'Client',
      'Mobile',
      'Notes',
    ]);

    expect(summary.textContent?.replace(/\s+/g, ' ').trim()).toBe('2 new, 0 updated, 1 unchanged, 2 skipped');
    expect(screen.getByTestId('import-row-2').textContent).toContain('Already up to date');
    expect(screen.getByTestId('import-row-3').textContent).toContain('New client');
    expect(screen.getByTestId('import-row-4').textContent).toContain('Skipped: “12” is not a mobile number');
    expect(screen.getByTestId('import-row-5').textContent).toContain('Skipped: No name');
    expect(screen.getByTestId('import-run').textContent?.trim()).toBe('Import 3 clients');
  });

  test('changing a mapping previews again with the full mapping', async () => {
    const b = await staged(fakeBackend());
    await fireEvent.change(select('map-phone'), { target: { value: '' } });
    await waitFor(() => expect(b.called.preview_import).toHaveLength(2));
    expect(b.called.preview_import[1].args).toEqual({
      token: 1,
      options: {
        mapping: { name: 0, first_name: null, last_name: null, phone: null, notes: 2, timezone: null, language: null },
      },
    });
    await waitFor(() =>
      expect(screen.getByTestId('import-summary').textContent?.replace(/\s+/g, ' ').trim()).toBe(
        '0 new, 0 updated, 0 unchanged, 5 skipped',
      ),
    );
    expect(screen.getByTestId('import-row-3').textContent).toContain('No phone number');
    expect((screen.getByTestId('import-run') as HTMLButtonElement).disabled).toBe(true);
  });

  test('runs the import with a progress bar, then reports counts, skipped rows and consent', async () => {
    const b = fakeBackend();
    b.store.seed('Ann Carter', '07400 123456', {
      events: [{ purpose: 'marketing', action: 'revoked', channel: 'sms_keyword', recorded_by: 'engine' }],
    });
    await staged(b);

    await fireEvent.click(screen.getByTestId('import-consent-toggle'));
    expect(screen.getByText('Consent is recorded only for clients who have not opted out.')).toBeTruthy();
    await fireEvent.change(select('import-consent-purpose'), { target: { value: 'marketing' } });
    await fireEvent.input(screen.getByTestId('import-consent-source'), { target: { value: 'Paper forms' } });
    await fireEvent.change(screen.getByTestId('import-consent-source'));
    await fireEvent.input(screen.getByTestId('import-consent-date'), { target: { value: '2025-05-20' } });
    await fireEvent.change(screen.getByTestId('import-consent-date'));
    await waitFor(() =>
      expect(screen.getByTestId('import-consent-summary').textContent?.replace(/\s+/g, ' ')).toContain(
        'Consent will be recorded for 2; not for 1.',
      ),
    );

    let open!: () => void;
    b.store.importGate = new Promise((resolve) => (open = resolve));
    await fireEvent.click(screen.getByTestId('import-run'));
    const bar = (await screen.findByTestId('import-progress')) as HTMLProgressElement;
    await waitFor(() => expect(bar.getAttribute('max')).toBe('5'));
    expect(screen.queryByTestId('import-run')).toBeNull();
    open();

    const report = await screen.findByTestId('import-report');
    expect(b.called.run_import[0].args).toEqual({
      token: 1,
      options: {
        mapping: { name: 0, first_name: null, last_name: null, phone: 1, notes: 2, timezone: null, language: null },
        consent: { purpose: 'marketing', source: 'Paper forms', obtained_on: '2025-05-20' },
      },
      dryRun: false,
    });
    const text = report.textContent?.replace(/\s+/g, ' ') ?? '';
    expect(text).toContain('2 new, 0 updated, 1 unchanged, 2 skipped');
    expect(text).toContain('Row 4: “12” is not a mobile number');
    expect(text).toContain('Row 5: No name');
    expect(text).toContain('Consent recorded for 2 clients.');
    expect(text).toContain('Row 2: The client opted out');
    expect(b.store.clients.map((c) => c.name)).toEqual(['Ann Carter', 'Ben Doyle', 'Dee Fox']);

    await fireEvent.click(within(report).getByText('Back to clients'));
    expect(await screen.findByTestId('clients-screen')).toBeTruthy();
    expect(await screen.findByText('Dee Fox')).toBeTruthy();
  });

  test('consent without a source is refused before running', async () => {
    const b = await staged(fakeBackend());
    await fireEvent.click(screen.getByTestId('import-consent-toggle'));
    await fireEvent.click(screen.getByTestId('import-run'));
    expect(screen.getByTestId('import-consent-error').textContent).toBe('Say where the consent came from.');
    expect(b.called.run_import).toHaveLength(0);
  });

  test('a file over 25 MB is refused before it is read', async () => {
    const b = fakeBackend();
    render(App);
    await openImport();
    const big = csvFile('Name,Phone\n');
    Object.defineProperty(big, 'size', { value: 26 * 1024 * 1024 });
    await choose(big);
    expect((await screen.findByTestId('import-error')).textContent).toContain('up to 25 MB');
    expect(big.arrayBuffer).not.toHaveBeenCalled();
    expect(b.called.stage_import_file).toHaveLength(0);
  });

  test('an unreadable file shows the backend message and another file can be chosen', async () => {
    const b = fakeBackend();
    render(App);
    await openImport();
    await choose(csvFile('\u0000\u0001binary'));
    expect((await screen.findByTestId('import-error')).textContent).toBe(
      'This is not a text file. Save the spreadsheet as CSV and choose that file.',
    );
    expect(b.called.preview_import).toHaveLength(1); // the backend reads the bytes at preview
    expect(screen.queryByTestId('map-name')).toBeNull();

    await choose(csvFile(CSV));
    expect(await screen.findByTestId('import-summary')).toBeTruthy();
    expect(screen.queryByTestId('import-error')).toBeNull();
  });
});
