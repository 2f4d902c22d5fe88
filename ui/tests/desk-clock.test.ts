import { afterEach, describe, expect, test } from 'vitest';
import { dateIn, dateTime } from '../src/lib/format';
import { clock, dateTimeIn, hourCycleOf, timeInWords, timeOptions, useClockOf } from '../src/lib/time';

// Times on the desk's screens follow the business's region, as customers' texts do.
describe('the desk clock', () => {
  afterEach(() => useClockOf('GB'));

  test('a region writes times its own way: 12-hour in the US, 24-hour in the UK', () => {
    expect(hourCycleOf('US')).toBe('h12');
    expect(hourCycleOf('CA')).toBe('h12');
    expect(hourCycleOf('GB')).toBe('h23');
    expect(hourCycleOf('DE')).toBe('h23');
    expect(hourCycleOf('not a region')).toBe('h23');
  });

  test('every time on screen changes with it', () => {
    const at = '2027-03-14T18:30:00Z'; // 14:30 in New York, 18:30 in London
    useClockOf('US');
    expect(clock(at, 'America/New_York')).toBe('2:30 PM');
    expect(dateTimeIn(at, 'America/New_York')).toContain('2:30 PM');
    expect(timeInWords(at, '2027-03-14T19:15:00Z', 'America/New_York')).toContain('2:30 PM–3:15 PM');
    expect(timeOptions().hourCycle).toBe('h12');
    useClockOf('GB');
    expect(clock(at, 'Europe/London')).toBe('18:30');
    expect(dateTimeIn(at, 'Europe/London')).toContain('18:30');
    expect(timeOptions().hourCycle).toBe('h23');
  });

  test('dates follow the region too, not the computer: month first in the US', () => {
    const at = '2027-03-14T18:30:00Z';
    useClockOf('US');
    expect(dateIn('America/New_York', new Date(at))).toBe('Sunday, March 14, 2027');
    expect(dateTime(at)).toMatch(/^Mar 14, 2027, \d{1,2}:30\s?[AP]M$/);
    useClockOf('AU'); // day first, 12-hour
    expect(dateIn('Australia/Sydney', new Date(at))).toMatch(/^Monday,? 15 March 2027$/);
    expect(clock(at, 'Australia/Sydney')).toMatch(/^5:30\s?am$/i);
    useClockOf('GB');
    expect(dateIn('Europe/London', new Date(at))).toMatch(/^Sunday,? 14 March 2027$/);
  });
});
