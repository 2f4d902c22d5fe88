import { MONTH_FIRST_REGIONS, TWELVE_HOUR_REGIONS } from './bindings';

// Wall-clock times in the business's zone. Appointments travel as UTC instants; the calendar,
// the dialog's inputs and every label work in the business's wall time, converted here with Intl,
// so what the desk sees does not depend on the computer's own clock zone.

/** "YYYY-MM-DDTHH:mm:ss" — a wall-clock time with no zone. */
export type Wall = string;

const partsCache = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = partsCache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsCache.set(timeZone, f);
  }
  return f;
}

/** The zone if this webview knows it, else the webview's own zone. */
export function safeZone(timeZone: string): string {
  try {
    formatter(timeZone);
    return timeZone;
  } catch {
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
  }
}

const pad = (n: number, len = 2) => String(n).padStart(len, '0');

/** The wall-clock time of an instant in `timeZone`. */
export function wallOf(instant: Date | string, timeZone: string): Wall {
  const d = typeof instant === 'string' ? new Date(instant) : instant;
  const p: Record<string, string> = {};
  for (const part of formatter(safeZone(timeZone)).formatToParts(d)) p[part.type] = part.value;
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
}

/** Minutes `timeZone` is ahead of UTC at an instant. */
function offsetAt(ms: number, timeZone: string): number {
  const wall = wallOf(new Date(ms), timeZone);
  return Math.round((wallMs(wall) - ms) / 60_000);
}

/** A wall time read as if it were UTC, in milliseconds. */
function wallMs(wall: Wall): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(wall);
  if (!m) return NaN;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0));
}

/** ISO-8601 UTC without milliseconds: "2025-06-03T09:00:00Z". */
export function isoUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The UTC instant of a wall time in `timeZone`, or null if it isn't a time. A time inside a
 * spring-forward gap (which no clock shows) lands beside the gap.
 */
export function wallToUtc(wall: Wall, timeZone: string): string | null {
  const guess = wallMs(wall);
  if (Number.isNaN(guess)) return null;
  const zone = safeZone(timeZone);
  let ms = guess - offsetAt(guess, zone) * 60_000;
  const second = guess - offsetAt(ms, zone) * 60_000;
  if (second !== ms && wallOf(new Date(second), zone).slice(0, 16) === wall.slice(0, 16)) ms = second;
  return isoUtc(ms);
}

/** The calendar library hands out Dates whose local fields are the wall time it shows. */
export function wallOfFields(d: Date): Wall {
  return (
    `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}

/** Add minutes to a wall time (plain arithmetic on the clock face). */
export function addMinutes(wall: Wall, minutes: number): Wall {
  const ms = wallMs(wall);
  if (Number.isNaN(ms)) return wall;
  return new Date(ms + minutes * 60_000).toISOString().slice(0, 19);
}

/** Wall time as a datetime-local input value ("YYYY-MM-DDTHH:mm"). */
export function toInputValue(wall: Wall): string {
  return wall.slice(0, 16);
}

/** Minutes from one wall time to another. */
export function minutesBetween(from: Wall, to: Wall): number {
  return Math.round((wallMs(to) - wallMs(from)) / 60_000);
}

function fmt(iso: string, timeZone: string, opts: Intl.DateTimeFormatOptions): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return deskFormat({ ...opts, timeZone: safeZone(timeZone) }).format(d);
}

/**
 * The hour cycle of a business region, as its people write times: 12-hour in the US, 24-hour
 * in the UK. The table is the backend's, which writes customers' texts (generated into
 * bindings.ts), so the desk's screens and the texts never disagree.
 */
export function hourCycleOf(region: string): 'h12' | 'h23' {
  return TWELVE_HOUR_REGIONS.includes(region.trim().toUpperCase()) ? 'h12' : 'h23';
}

/** English as the region writes dates: "March 14" (month first) or "14 March". */
export function localeOf(region: string): 'en-US' | 'en-GB' {
  return MONTH_FIRST_REGIONS.includes(region.trim().toUpperCase()) ? 'en-US' : 'en-GB';
}

let cycle: 'h12' | 'h23' = 'h23';
let locale: 'en-US' | 'en-GB' = 'en-GB';

/**
 * Dates and times on every screen follow the business's region from now on (set when settings
 * load), whatever the computer's own language.
 */
export function useClockOf(region: string): void {
  cycle = hourCycleOf(region);
  locale = localeOf(region);
}

/** A formatter in the desk's way of writing dates and times (see `useClockOf`). */
export function deskFormat(opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const withTime = opts.hour !== undefined || opts.timeStyle !== undefined;
  return new Intl.DateTimeFormat(locale, withTime ? { hourCycle: cycle, ...opts } : opts);
}

/** Options for an hour and minute in the desk's clock: "14:05" or "2:05 PM". */
export function timeOptions(): Intl.DateTimeFormatOptions {
  return cycle === 'h12'
    ? { hour: 'numeric', minute: '2-digit', hourCycle: 'h12' }
    : { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
}

/** "14:05" (or "2:05 PM" for a 12-hour region) in the business zone. */
export function clock(iso: string, timeZone: string): string {
  return fmt(iso, timeZone, timeOptions());
}

/** "Tuesday 3 June, 10:00–10:45" in the business zone. */
export function timeInWords(startIso: string, endIso: string, timeZone: string): string {
  const day = fmt(startIso, timeZone, { weekday: 'long', day: 'numeric', month: 'long' });
  const sameDay = wallOf(startIso, timeZone).slice(0, 10) === wallOf(endIso, timeZone).slice(0, 10);
  const end = sameDay
    ? clock(endIso, timeZone)
    : `${fmt(endIso, timeZone, { weekday: 'short', day: 'numeric', month: 'short' })}, ${clock(endIso, timeZone)}`;
  return `${day}, ${clock(startIso, timeZone)}–${end}`;
}

/** "3 Jun 2025, 14:05" in the business zone. */
export function dateTimeIn(iso: string, timeZone: string): string {
  return fmt(iso, timeZone, { day: 'numeric', month: 'short', year: 'numeric', ...timeOptions() });
}
