// Pure helpers for the Insights screen: periods, figures in words and the charts' data.
import type { Funnel, Rate, WeekPoint } from './bindings';
import { deskFormat, wallOf } from './time';

export type Preset = '7' | '30' | '90' | 'year' | 'custom';
export type Period = { from: string; to: string };

export const PRESETS: { id: Exclude<Preset, 'custom'>; label: string }[] = [
  { id: '7', label: 'Last 7 days' },
  { id: '30', label: 'Last 30 days' },
  { id: '90', label: 'Last 90 days' },
  { id: 'year', label: 'This year' },
];

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Is this a real "YYYY-MM-DD" day? */
export function isDay(text: string): boolean {
  const m = DAY.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

/** Calendar arithmetic on "YYYY-MM-DD" (no time zone involved). */
export function addDays(day: string, days: number): string {
  const m = DAY.exec(day);
  if (!m) return day;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3] + days)).toISOString().slice(0, 10);
}

/** The period a preset covers, ending (inclusive) on the business's `today`. */
export function presetPeriod(preset: Exclude<Preset, 'custom'>, today: string): Period {
  switch (preset) {
    case 'year':
      return { from: `${today.slice(0, 4)}-01-01`, to: today };
    default:
      return { from: addDays(today, -(Number(preset) - 1)), to: today };
  }
}

/** Today in `timeZone` as "YYYY-MM-DD" (falls back to this computer's zone if it is unknown). */
export const dayIn = (timeZone: string, now: Date = new Date()): string => wallOf(now, timeZone).slice(0, 10);

/** "3 Jun 2025" for a "YYYY-MM-DD" day (no zone shift). */
export function dayLabel(day: string, withYear = true): string {
  const m = DAY.exec(day);
  if (!m) return day;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return deskFormat({
    day: 'numeric',
    month: 'short',
    ...(withYear ? { year: 'numeric' } : {}),
    timeZone: 'UTC',
  }).format(d);
}

/** A share as a percentage with one decimal ("92.5%"), or "—" when there is nothing to divide by. */
export function percent(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '—' : `${(value * 100).toFixed(1)}%`;
}

/** The base of a rate: "12 of 40". */
export function countsOf(rate: Rate): string {
  return `${rate.count} of ${rate.out_of}`;
}

/** "x% (n of m)", as in the template versions table. */
export function rateWithCounts(rate: Rate): string {
  return `${percent(rate.value)} (${countsOf(rate)})`;
}

/** A number with one decimal, or "—". */
export function oneDecimal(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '—' : value.toFixed(1);
}

/** A wait in words: "45 s", "18 min", "2 h 5 min", "1 d 3 h"; "—" when unknown. */
export function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    const m = minutes % 60;
    return m === 0 ? `${hours} h` : `${hours} h ${m} min`;
  }
  const days = Math.floor(hours / 24);
  const h = hours % 24;
  return h === 0 ? `${days} d` : `${days} d ${h} h`;
}

/** The journey's steps, in order, with each step's share of those reminded. */
export type FunnelStep = { key: keyof Funnel; label: string; count: number; share: number | null };

export function funnelSteps(funnel: Funnel): FunnelStep[] {
  const steps: { key: keyof Funnel; label: string }[] = [
    { key: 'reminded', label: 'Reminded' },
    { key: 'replied', label: 'Replied' },
    { key: 'confirmed', label: 'Confirmed' },
    { key: 'attended', label: 'Attended' },
  ];
  return steps.map(({ key, label }) => ({
    key,
    label,
    count: funnel[key],
    share: funnel.reminded > 0 ? funnel[key] / funnel.reminded : null,
  }));
}

// The palette of app.css: a canvas can't read CSS variables, so the values are repeated here.
const TEAL = '#0f5e63';
const TEAL_SOFT = '#8cc3c0';
const AMBER = '#b7791f';

/** The data handed to Chart.js for the funnel (a horizontal bar chart). */
export type FunnelChartData = {
  labels: string[];
  datasets: { label: string; data: number[]; backgroundColor: string; borderColor: string; borderWidth: number }[];
};

export function funnelChartData(funnel: Funnel): FunnelChartData {
  const steps = funnelSteps(funnel);
  return {
    labels: steps.map((s) => s.label),
    datasets: [
      {
        label: 'Reminders',
        data: steps.map((s) => s.count),
        backgroundColor: TEAL_SOFT,
        borderColor: TEAL,
        borderWidth: 1,
      },
    ],
  };
}

/** The data handed to Chart.js for the weekly trend: texts sent as bars, confirmation % as a line. */
export type WeeklyChartData = {
  labels: string[];
  datasets: (
    | { type: 'bar'; label: string; data: number[]; yAxisID: 'y'; backgroundColor: string; order: number }
    | {
        type: 'line';
        label: string;
        data: (number | null)[];
        yAxisID: 'y1';
        borderColor: string;
        backgroundColor: string;
        spanGaps: boolean;
        order: number;
      }
  )[];
};

/** A rate's value as a percentage rounded to one decimal, or null. */
function percentValue(value: number | null): number | null {
  return value === null || !Number.isFinite(value) ? null : Math.round(value * 1000) / 10;
}

export function weeklyChartData(weeks: WeekPoint[]): WeeklyChartData {
  return {
    labels: weeks.map((w) => dayLabel(w.week_of, false)),
    datasets: [
      {
        type: 'bar',
        label: 'Texts sent',
        data: weeks.map((w) => w.sent),
        yAxisID: 'y',
        backgroundColor: TEAL_SOFT,
        order: 2,
      },
      {
        type: 'line',
        label: 'Confirmation rate (%)',
        data: weeks.map((w) => percentValue(w.confirmation.value)),
        yAxisID: 'y1',
        borderColor: AMBER,
        backgroundColor: AMBER,
        spanGaps: false,
        order: 1,
      },
    ],
  };
}
