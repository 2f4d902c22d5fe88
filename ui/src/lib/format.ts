// Small, pure formatting helpers shared by screens.

import { deskFormat, timeOptions } from './time';

/** Display name for an ISO 3166 region code, falling back to the code itself. */
export function regionName(code: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** Current wall-clock time in `timeZone`, or null if the zone is unknown to this webview. */
export function timeIn(timeZone: string, now: Date = new Date()): string | null {
  try {
    return deskFormat({ timeZone, weekday: 'short', ...timeOptions() }).format(now);
  } catch {
    return null;
  }
}

/** A long date ("Tuesday 3 June 2025") in `timeZone`, falling back to the local zone. */
export function dateIn(timeZone: string, now: Date = new Date()): string {
  const opts: Intl.DateTimeFormatOptions = {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  };
  try {
    return deskFormat({ ...opts, timeZone }).format(now);
  } catch {
    return deskFormat(opts).format(now);
  }
}

/** Does an IANA zone name match what the user typed? "new york" finds "America/New_York". */
/** The place a zone is named after: "America/Argentina/Buenos_Aires" → "Buenos Aires". */
export function zoneCity(id: string): string {
  return (id.split('/').pop() ?? id).replace(/_/g, ' ');
}

const genericNames = new Map<string, string>();
// A fixed winter day: the generic name ("Central European Time") is the one for a zone that
// keeps summer time today; a date when it did not (1970 for Berlin) would read "Standard Time".
const NAMING_DAY = new Date(Date.UTC(2025, 0, 15));

/**
 * The name people use for a zone's time, summer and winter alike ("Eastern Time"), from the
 * web view's ICU data; null where the zone is unknown to it.
 */
export function zoneGenericName(id: string): string | null {
  const known = genericNames.get(id);
  if (known !== undefined) return known;
  try {
    const part = new Intl.DateTimeFormat('en-US', { timeZone: id, timeZoneName: 'longGeneric' })
      .formatToParts(NAMING_DAY)
      .find((p) => p.type === 'timeZoneName');
    const name = part?.value ?? '';
    genericNames.set(id, name);
    return name || null;
  } catch {
    return null;
  }
}

/** How a zone is listed: "Eastern Time — New York"; the bare name where ICU has none. */
export function zoneLabel(id: string): string {
  const generic = zoneGenericName(id);
  const city = zoneCity(id);
  return generic && generic !== city ? `${generic} — ${city}` : id.replace(/_/g, ' ');
}

function folded(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[_\s]+/g, ' ');
}

/** A zone as a picker lists it, with everything a search may match. */
export type ZoneChoice = { id: string; label: string; country: string; comment: string | null };

/** Whether a search ("eastern", "chicago", "united states", "us/") finds this zone. */
export function zoneMatches(zone: ZoneChoice, query: string): boolean {
  const q = folded(query.trim());
  if (q === '') return true;
  const haystack = [zone.label, zone.id, zone.comment ?? '', zone.country, zone.country ? regionName(zone.country) : '']
    .map(folded)
    .join('\n');
  return q.split(' ').every((word) => haystack.includes(word));
}

/**
 * An E.164 number spaced for reading, for the few plans where that is a fixed pattern
 * (+44 with 10 digits, +1 with 10 digits). Anything else is shown exactly as stored.
 */
export function formatPhone(e164: string): string {
  let m = /^\+44(\d{4})(\d{6})$/.exec(e164);
  if (m) return `+44 ${m[1]} ${m[2]}`;
  m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  if (m) return `+1 ${m[1]} ${m[2]} ${m[3]}`;
  return e164;
}

export const PURPOSE_LABEL = { service: 'Service', marketing: 'Marketing' } as const;

/** Lower-case words for a consent state, as used in badges and the detail panel. */
export const STATE_WORDS = { granted: 'granted', revoked: 'opted out', none: 'none' } as const;

export const CHANNEL_LABEL = {
  front_desk_verbal: 'At the front desk',
  paper_form: 'Paper form',
  web_form: 'Web form',
  sms_keyword: 'Text keyword',
  provider_report: 'Carrier report',
  import: 'Import',
} as const;

/** A local date and time ("3 Jun 2025, 14:05"), or the input itself if it isn't a date. */
export function dateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return deskFormat({ dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

/** A file size in KB below a megabyte, else in MB with one decimal ("1.5 MB"). */
export function fileSize(bytes: number): string {
  const kb = bytes / 1024;
  if (kb < 1024) return `${Math.max(1, Math.round(kb))} KB`;
  return `${(kb / 1024).toFixed(1)} MB`;
}

/** "1 client", "3 clients": a count with the word that fits it. */
export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
