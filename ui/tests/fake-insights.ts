// In-memory stand-in for the Insights commands. The figures are a fixed report the test can
// change; like the real ones, the period must be two "YYYY-MM-DD" days in order, and the report
// comes back for exactly the days asked for.
import type { CommandName } from '../src/lib/commands';
import { runFake, type FakeCommands } from './fake-commands';
import type { ErrorPayload, ExportedFile, InsightsReport, Rate } from '../src/lib/bindings';

function fail(code: ErrorPayload['code'], message: string, field: string | null = null): never {
  throw { code, message, field, related_id: null } satisfies ErrorPayload;
}

export function rate(count: number, out_of: number): Rate {
  return { count, out_of, value: out_of === 0 ? null : count / out_of };
}

/** The real backend's definitions, by metric name. */
export const DEFINITIONS: InsightsReport['definitions'] = [
  { metric: 'Sent', meaning: 'Texts handed to the SMS provider in the period (replies and updates included).' },
  { metric: 'Delivered', meaning: 'Of those, the ones the carrier reported delivered.' },
  {
    metric: 'Delivery failures',
    meaning:
      'Of those sent, the ones the carrier reported undelivered or failed; the most frequent reasons are listed.',
  },
  { metric: 'Response rate', meaning: 'Reminders the customer answered (any text) within 48 hours.' },
  {
    metric: 'Confirmation rate',
    meaning: 'Reminders that asked YES or NO whose appointment ended up confirmed (or completed).',
  },
  { metric: 'Reschedule requests', meaning: 'Reminders whose appointment ended up "reschedule requested".' },
  {
    metric: 'No-shows, reminded vs not',
    meaning:
      'Appointments that started in the period and were completed or missed: the share missed, with and without a reminder sent.',
  },
  {
    metric: 'Opt-outs per 100 texts',
    meaning: 'Customers who opted out by text (STOP, or the carrier reporting it) per 100 texts sent.',
  },
  {
    metric: 'Time to first staff response',
    meaning:
      "From a customer's text that needed an answer to the next text staff sent that number (median and 90th percentile; counts every hour, not only opening hours).",
  },
  {
    metric: 'Follow-ups',
    meaning:
      'Texts asking how a visit went (sent in the period): the share answered with a rating or YES/NO, the share of answers that were poor (1, 2 or NO; those open the thread for staff), and the average of the 1-5 ratings.',
  },
  {
    metric: 'Deflection',
    meaning:
      'Conversations customers started in the period (their first text since staff last wrote) that ended with no staff text: automation (confirmations, keyword answers) handled them. Ones still waiting for a reply in the inbox are left out until they are answered or resolved.',
  },
];

export function insightsFixture(overrides: Partial<InsightsReport> = {}): InsightsReport {
  return {
    from: '2025-05-05',
    to: '2025-06-03',
    sent: 400,
    delivered: rate(388, 400),
    delivery_failures: rate(12, 400),
    top_failure_reasons: [
      { reason: 'Unknown destination handset (30005)', count: 7 },
      { reason: 'Landline or unreachable carrier (30006)', count: 5 },
    ],
    reminders_sent: 120,
    response: rate(84, 120),
    confirmation: rate(72, 90),
    reschedule_requests: rate(6, 120),
    no_show_reminded: rate(3, 100),
    no_show_not_reminded: rate(4, 20),
    opt_outs: rate(3, 400),
    opt_outs_per_100: 0.75,
    first_response: { answered: 42, median_seconds: 1080, p90_seconds: 7500 },
    deflection: rate(30, 50),
    follow_ups: { sent: 40, answered: rate(25, 40), poor: rate(2, 25), average_rating: 4.36, ratings: 22 },
    funnel: { reminded: 120, replied: 84, confirmed: 72, attended: 69 },
    weekly: [
      { week_of: '2025-05-05', sent: 90, confirmation: rate(15, 20), opt_outs: rate(1, 90) },
      { week_of: '2025-05-12', sent: 110, confirmation: rate(18, 22), opt_outs: rate(0, 110) },
      { week_of: '2025-05-19', sent: 0, confirmation: rate(0, 0), opt_outs: rate(0, 0) },
    ],
    versions: [
      { template: 'Reminder asking YES/NO', version: 2, sent: 60, response: rate(45, 60), confirmation: rate(40, 60) },
      { template: 'Reminder asking YES/NO', version: 3, sent: 8, response: rate(5, 8), confirmation: rate(6, 8) },
    ],
    rules: [
      {
        rule: 'Day before',
        sent: 90,
        response: rate(66, 90),
        confirmation: rate(58, 70),
        reschedule_requests: rate(5, 90),
      },
      {
        rule: 'Two hours before',
        sent: 30,
        response: rate(18, 30),
        confirmation: rate(14, 20),
        reschedule_requests: rate(1, 30),
      },
    ],
    signals: [],
    definitions: DEFINITIONS,
    ...overrides,
  };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export class InsightsStore {
  /** The figures every period gets (its from/to are replaced by the ones asked for). */
  report: InsightsReport = insightsFixture();
  /** Set to make `get_insights` fail with this error. */
  failWith: ErrorPayload | null = null;
  /** Set to make `export_insights` fail with this error. */
  exportFailWith: ErrorPayload | null = null;
  /** The periods exported, in order. */
  exported: { from: string; to: string }[] = [];

  handles(cmd: CommandName): boolean {
    return cmd in this.commands;
  }

  handle(cmd: CommandName, args: unknown): unknown {
    return runFake(this.commands, cmd, args);
  }

  private period(a: Record<string, unknown>): { from: string; to: string } {
    const from = String(a.from ?? '');
    const to = String(a.to ?? '');
    if (!DAY.test(from)) fail('invalid_input', 'Give the day as YYYY-MM-DD, such as 2027-03-01.', 'from');
    if (!DAY.test(to)) fail('invalid_input', 'Give the day as YYYY-MM-DD, such as 2027-03-01.', 'to');
    if (to < from) fail('invalid_input', 'The end of the period is before its start.', 'to');
    return { from, to };
  }

  readonly commands: FakeCommands = {
    get_insights: (a): InsightsReport => {
      if (this.failWith) throw this.failWith;
      return { ...this.report, ...this.period(a) };
    },
    export_insights: (a): ExportedFile => {
      const { from, to } = this.period(a);
      if (this.exportFailWith) throw this.exportFailWith;
      this.exported.push({ from, to });
      return { path: `/home/desk/Downloads/insights-${from}-to-${to}.csv` };
    },
  };
}
