// Small, pure formatting helpers shared by screens.

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
    return new Intl.DateTimeFormat(undefined, {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
    }).format(now);
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
    return new Intl.DateTimeFormat(undefined, { ...opts, timeZone }).format(now);
  } catch {
    return new Intl.DateTimeFormat(undefined, opts).format(now);
  }
}

/** Does an IANA zone name match what the user typed? "new york" finds "America/New_York". */
export function zoneMatches(zone: string, query: string): boolean {
  const q = query.trim().toLowerCase().replace(/[_\s]+/g, ' ');
  if (q === '') return true;
  return zone.toLowerCase().replace(/_/g, ' ').includes(q);
}
