import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, test, vi } from 'vitest';
import App from '../src/App.svelte';
import { fakeBackend } from './fake';

/** jsdom's File has no arrayBuffer(); give it one that reads the real contents. */
function file(text: string, name: string, type: string): File {
  const bytes = new TextEncoder().encode(text);
  const f = new File([bytes], name, { type });
  Object.defineProperty(f, 'arrayBuffer', { value: vi.fn(async () => bytes.buffer.slice(0)) });
  return f;
}

const ICS = [
  'BEGIN:VCALENDAR',
  'BEGIN:VEVENT',
  'UID:evt-1',
  'SUMMARY:Ann Carter',
  'DESCRIPTION:Mobile 07400 123456',
  'DTSTART:20250603T090000Z',
  'DTEND:20250603T094500Z',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:evt-2',
  'SUMMARY:Walk-in',
  'DTSTART:20250603T110000Z',
  'DTEND:20250603T113000Z',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:evt-3',
  'SUMMARY:Broken',
  'END:VEVENT',
  'END:VCALENDAR',
].join('\r\n');

async function openImport() {
  render(App);
  await fireEvent.click(await screen.findByTestId('nav-calendar'));
  await fireEvent.click(await screen.findByTestId('import-appointments'));
  return screen.findByTestId('appt-import-screen');
}

const choose = (f: File) => fireEvent.change(screen.getByTestId('appt-import-file'), { target: { files: [f] } });

describe('appointment import', () => {
  test('previews an ICS file with reasons, imports it and reports what needs a hand', async () => {
    const b = fakeBackend();
    await openImport();
    expect(screen.getByTestId('appt-import-file').getAttribute('accept')).toBe('.csv,.ics,.txt,text/csv,text/calendar');
    await choose(file(ICS, 'diary.ics', 'text/calendar'));

    const summary = await screen.findByTestId('appt-import-summary');
    expect(b.called.preview_appointment_import[0].args).toEqual({ token: 1, options: {} });
    expect(summary.textContent).toBe('1 new, 0 updated, 0 unchanged, 0 cancelled, 1 skipped, 1 without a phone number');
    expect(screen.queryByTestId('appt-map-date')).toBeNull(); // no mapping for calendar files
    const row1 = screen.getByTestId('appt-import-row-1').textContent ?? '';
    expect(row1).toContain('Ann Carter');
    expect(row1).toContain('10:00'); // 09:00 UTC in London summer time
    expect(row1).toContain('2025');
    expect(row1).toContain('New appointment');
    expect(screen.getByTestId('appt-import-row-2').textContent).toContain('No phone number — add it by hand');
    expect(screen.getByTestId('appt-import-row-3').textContent).toContain('Skipped: No start or end time');

    await fireEvent.click(screen.getByTestId('appt-import-run'));
    const report = await screen.findByTestId('appt-import-report');
    expect(b.called.run_appointment_import[0].args).toEqual({
      token: 1,
      options: { title_rule: 'service_then_name' },
    });
    const text = report.textContent?.replace(/\s+/g, ' ') ?? '';
    expect(text).toContain('1 new, 0 updated, 0 unchanged, 0 cancelled, 1 skipped, 1 without a phone number');
    expect(text).toContain('1 new client was added.');
    expect(text).toContain('Row 3: No start or end time');
    expect(text).toContain('Add these by hand from the calendar.');
    expect(text).toContain('Row 2: Walk-in: no phone number');
    expect(b.appts.appointments).toHaveLength(1);

    await fireEvent.click(within(report).getByTestId('appt-import-finish'));
    expect(await screen.findByTestId('calendar-screen')).toBeTruthy();
  });

  test('a calendar preview shows who each event is for and where it was read, and the title rule can change', async () => {
    const b = fakeBackend();
    await openImport();
    const titled = ICS.replace('SUMMARY:Ann Carter', 'SUMMARY:Haircut - Ann Carter');
    await choose(file(titled, 'diary.ics', 'text/calendar'));
    const read = await screen.findByTestId('appt-import-read-1');
    expect(read.textContent?.replace(/\s+/g, ' ').trim()).toBe(
      'Ann Carter · Haircut · +447400123456 name: title · service: title',
    );
    expect((screen.getByTestId('appt-title-rule') as HTMLSelectElement).value).toBe('service_then_name');
    await fireEvent.change(screen.getByTestId('appt-title-rule'), { target: { value: 'name_then_service' } });
    await waitFor(() => expect(b.called.preview_appointment_import).toHaveLength(2));
    expect(b.called.preview_appointment_import[1].args).toEqual({
      token: 1,
      options: { title_rule: 'name_then_service' },
    });
  });

  test('refuses a file over 25 MB before reading, and shows the backend message for a bad one', async () => {
    const b = fakeBackend();
    await openImport();
    const big = file('BEGIN:VCALENDAR', 'huge.ics', 'text/calendar');
    Object.defineProperty(big, 'size', { value: 26 * 1024 * 1024 });
    await choose(big);
    expect((await screen.findByTestId('appt-import-error')).textContent).toContain('up to 25 MB');
    expect(big.arrayBuffer).not.toHaveBeenCalled();
    expect(b.called.stage_import_file).toHaveLength(0);

    await choose(file('hello', 'notes.txt', 'text/plain'));
    await waitFor(() =>
      expect(screen.getByTestId('appt-import-error').textContent).toBe('This is not a calendar file or a CSV export.'),
    );
    await choose(file(ICS, 'diary.ics', 'text/calendar'));
    expect(await screen.findByTestId('appt-import-summary')).toBeTruthy();
    expect(screen.queryByTestId('appt-import-error')).toBeNull();
  });

  test('a CSV preview shows the mapping and re-previews with the full mapping on a change', async () => {
    const mapping = {
      date: 0,
      start_time: 1,
      end_time: null,
      duration_minutes: null,
      client_name: 2,
      last_name: null,
      phone: 3,
      service: null,
      staff: null,
      status: null,
      external_id: null,
      notes: null,
    };
    const b = fakeBackend({
      commands: {
        preview_appointment_import: () => ({
          kind: 'csv',
          headers: ['Date', 'Time', 'Client', 'Mobile'],
          mapping,
          total_rows: 0,
          rows: [],
          report: {
            created: 0,
            updated: 0,
            unchanged: 0,
            cancelled: 0,
            clients_created: 0,
            skipped: [],
            no_client: [],
            missing: [],
            overlapping: [],
            dry_run: true,
          },
        }),
      },
    });
    await openImport();
    await choose(file('Date,Time,Client,Mobile\n', 'export.csv', 'text/csv'));
    const client = (await screen.findByTestId('appt-map-client_name')) as HTMLSelectElement;
    expect(client.value).toBe('2');
    expect((screen.getByTestId('appt-map-end_time') as HTMLSelectElement).value).toBe('');
    await fireEvent.change(screen.getByTestId('appt-map-notes'), { target: { value: '3' } });
    await waitFor(() => expect(b.called.preview_appointment_import).toHaveLength(2));
    expect(b.called.preview_appointment_import[1].args).toEqual({
      token: 1,
      options: { mapping: { ...mapping, notes: 3 } },
    });
  });
});
