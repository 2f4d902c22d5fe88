//! Insights: is texting helping? Every figure comes from the local database and says what it
//! counts; the definitions shown in the UI are the `definitions` here.

mod days;
mod export;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use tidings_domain::metrics::{median, negative_signals, percentile, Rate, Signal};
use tidings_store::{DayTotals, ReminderGroup};
use ts_rs::TS;

pub(crate) use self::days::INSIGHTS_WARM_DAYS;
use self::days::{day_name, day_window};
use crate::error::bad_input;
use crate::{Engine, EngineError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ReasonCount {
    pub reason: String,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ResponseTimes {
    pub answered: u32,
    pub median_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Funnel {
    pub reminded: u32,
    pub replied: u32,
    pub confirmed: u32,
    pub attended: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct WeekPoint {
    /// Monday of the week (business time zone).
    pub week_of: String,
    pub sent: u32,
    pub confirmation: Rate,
    pub opt_outs: Rate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct VersionResult {
    pub template: String,
    pub version: u32,
    pub sent: u32,
    pub response: Rate,
    /// Of its reminders that asked YES/NO.
    pub confirmation: Rate,
}

/// One reminder rule's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RuleResult {
    pub rule: String,
    pub sent: u32,
    pub response: Rate,
    /// Of its reminders that asked YES/NO.
    pub confirmation: Rate,
    pub reschedule_requests: Rate,
}

/// Answers to "how did your visit go?".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FollowUpResults {
    /// Follow-up texts sent in the period.
    pub sent: u32,
    /// Of those, answered with a rating or YES/NO.
    pub answered: Rate,
    /// Of the answers, poor ones (1, 2 or NO).
    pub poor: Rate,
    /// The mean of the 1-5 ratings, and how many there were.
    pub average_rating: Option<f64>,
    pub ratings: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Definition {
    pub metric: String,
    pub meaning: String,
}

/// Insights for one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct InsightsReport {
    /// Business-local days, inclusive.
    pub from: String,
    pub to: String,
    pub sent: u32,
    pub delivered: Rate,
    pub delivery_failures: Rate,
    pub top_failure_reasons: Vec<ReasonCount>,
    pub reminders_sent: u32,
    pub response: Rate,
    pub confirmation: Rate,
    pub reschedule_requests: Rate,
    pub no_show_reminded: Rate,
    pub no_show_not_reminded: Rate,
    pub opt_outs: Rate,
    /// Opt-outs per 100 texts sent.
    pub opt_outs_per_100: Option<f64>,
    pub first_response: ResponseTimes,
    pub deflection: Rate,
    pub follow_ups: FollowUpResults,
    pub funnel: Funnel,
    pub weekly: Vec<WeekPoint>,
    pub versions: Vec<VersionResult>,
    /// Reminder results per rule.
    pub rules: Vec<RuleResult>,
    pub signals: Vec<Signal>,
    pub definitions: Vec<Definition>,
}

fn definitions() -> Vec<Definition> {
    [
        ("Sent", "Texts handed to the SMS provider in the period (replies and updates included)."),
        ("Delivered", "Of those, the ones the carrier reported delivered."),
        ("Delivery failures", "Of those sent, the ones the carrier reported undelivered or failed; the most frequent reasons are listed."),
        ("Response rate", "Reminders the customer answered (any text) within 48 hours."),
        ("Confirmation rate", "Reminders that asked YES or NO whose appointment ended up confirmed (or completed)."),
        ("Reschedule requests", "Reminders whose appointment ended up \"reschedule requested\"."),
        ("No-shows, reminded vs not", "Appointments that started in the period and were completed or missed: the share missed, with and without a reminder sent."),
        ("Opt-outs per 100 texts", "Customers who opted out by text (STOP, or the carrier reporting it) per 100 texts sent."),
        ("Time to first staff response", "From a customer's text that needed an answer to the next text staff sent that number (median and 90th percentile; counts every hour, not only opening hours)."),
        ("Follow-ups", "Texts asking how a visit went (sent in the period): the share answered with a rating or YES/NO, the share of answers that were poor (1, 2 or NO; those open the thread for staff), and the average of the 1-5 ratings."),
        ("Deflection", "Conversations customers started in the period (their first text since staff last wrote) that ended with no staff text: automation (confirmations, keyword answers) handled them. Ones still waiting for a reply in the inbox are left out until they are answered or resolved."),
    ]
    .into_iter()
    .map(|(m, d)| Definition {
        metric: m.to_owned(),
        meaning: d.to_owned(),
    })
    .collect()
}

impl Engine {
    /// The business's time zone (UTC when the setting names none this build knows).
    pub fn business_zone(&self) -> Result<Tz, EngineError> {
        Ok(self.settings()?.zone())
    }
    /// Insights from `from` to `to` (business-local days, inclusive; both "YYYY-MM-DD").
    pub fn insights(&self, from: &str, to: &str) -> Result<InsightsReport, EngineError> {
        let parse = |text: &str, field: &'static str| {
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                .map_err(|_| bad_input(field, "Give the day as YYYY-MM-DD, such as 2027-03-01."))
        };
        let (first, last) = (parse(from, "from")?, parse(to, "to")?);
        if last < first {
            return Err(bad_input(
                "to",
                "The end of the period is before its start.",
            ));
        }
        if (last - first).num_days() > 800 {
            return Err(bad_input("from", "Keep the period to two years or less."));
        }
        let zone = self.business_zone()?;
        let start = day_window(zone, first)?.start;
        let end = day_window(zone, last)?.end;

        // Whole weeks (Monday to Sunday) around the period, for the weekly trend.
        let monday =
            |d: NaiveDate| d - Duration::days(i64::from(d.weekday().num_days_from_monday()));
        let weeks_first = monday(first);
        let weeks_last = monday(last) + Duration::days(6);
        self.prepare_kept_days(zone)?;
        let (days, _) = self.day_totals(zone, weeks_first, weeks_last)?;
        let in_period = |d: &DayTotals| {
            let name = d.day.as_str();
            name >= day_name(first).as_str() && name <= day_name(last).as_str()
        };
        let mut total = DayTotals::default();
        for d in days.iter().filter(|d| in_period(d)) {
            total.add(d);
        }

        let revocations = self.store.text_opt_outs(
            day_window(zone, weeks_first)?.start,
            day_window(zone, weeks_last)?.end,
        )?;
        let opt_outs_between =
            |a: NaiveDate, b: NaiveDate| distinct_clients(&revocations, zone, a, b);
        let opt_outs = Rate::of(opt_outs_between(first, last), total.sent);
        let waits: Vec<i64> = total
            .response_seconds
            .iter()
            .map(|s| i64::from(*s))
            .collect();
        let waiting = self.store.waiting_conversations(start, end)?;

        let mut weekly = Vec::new();
        for (week, chunk) in days.chunks(7).enumerate().take(120) {
            let week_of = weeks_first + Duration::days(7 * week as i64);
            let mut sum = DayTotals::default();
            for d in chunk {
                sum.add(d);
            }
            weekly.push(WeekPoint {
                week_of: day_name(week_of),
                sent: sum.sent,
                confirmation: Rate::of(sum.confirmed, sum.asked),
                opt_outs: Rate::of(
                    opt_outs_between(week_of, week_of + Duration::days(6)),
                    sum.sent,
                ),
            });
        }

        // Signals compare the last seven days (today included) with the seven before, whatever
        // the period.
        let today = self.now().with_timezone(&zone).date_naive();
        let (fortnight, _) = self.day_totals(zone, today - Duration::days(13), today)?;
        let (mut last_week, mut this_week) = (DayTotals::default(), DayTotals::default());
        for (i, d) in fortnight.iter().enumerate() {
            if i < 7 {
                last_week.add(d)
            } else {
                this_week.add(d)
            }
        }
        let recent = self.store.text_opt_outs(
            day_window(zone, today - Duration::days(13))?.start,
            day_window(zone, today)?.end,
        )?;
        let signals = negative_signals(
            &Rate::of(
                distinct_clients(
                    &recent,
                    zone,
                    today - Duration::days(13),
                    today - Duration::days(7),
                ),
                last_week.sent,
            ),
            &Rate::of(
                distinct_clients(&recent, zone, today - Duration::days(6), today),
                this_week.sent,
            ),
            &Rate::of(this_week.filtered, this_week.sent),
            &Rate::of(last_week.failed, last_week.sent),
            &Rate::of(this_week.failed, this_week.sent),
        );

        let mut reasons = total.reasons.clone();
        reasons.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        reasons.truncate(5);

        // The period's reminders by template version, and by rule.
        let mut by_version: Vec<ReminderGroup> = Vec::new();
        let mut by_rule: Vec<ReminderGroup> = Vec::new();
        for g in &total.reminder_groups {
            if let Some(version) = g.template_version_id {
                match by_version
                    .iter_mut()
                    .find(|v| v.template_version_id == Some(version))
                {
                    Some(v) => v.add(g),
                    None => by_version.push(ReminderGroup {
                        rule_id: 0,
                        ..g.clone()
                    }),
                }
            }
            match by_rule.iter_mut().find(|r| r.rule_id == g.rule_id) {
                Some(r) => r.add(g),
                None => by_rule.push(ReminderGroup {
                    template_version_id: None,
                    ..g.clone()
                }),
            }
        }
        let ids: Vec<i64> = by_version
            .iter()
            .filter_map(|v| v.template_version_id)
            .collect();
        let names = self.store.version_names(&ids)?;
        let mut versions: Vec<VersionResult> = by_version
            .iter()
            .filter_map(|v| {
                let name = names
                    .iter()
                    .find(|n| Some(n.template_version_id) == v.template_version_id)?;
                Some(VersionResult {
                    template: name.template_name.clone(),
                    version: name.version,
                    sent: v.sent,
                    response: Rate::of(v.replied, v.sent),
                    confirmation: Rate::of(v.confirmed, v.asked),
                })
            })
            .collect();
        let rule_rows = self.store.rules()?;
        let rules: Vec<RuleResult> = rule_rows
            .iter()
            .filter_map(|rule| {
                let g = by_rule.iter().find(|g| g.rule_id == rule.id)?;
                Some(RuleResult {
                    rule: rule.name.clone(),
                    sent: g.sent,
                    response: Rate::of(g.replied, g.sent),
                    confirmation: Rate::of(g.confirmed, g.asked),
                    reschedule_requests: Rate::of(g.reschedule_requested, g.sent),
                })
            })
            .collect();
        versions.sort_by(|a, b| a.template.cmp(&b.template).then(a.version.cmp(&b.version)));

        Ok(InsightsReport {
            from: day_name(first),
            to: day_name(last),
            sent: total.sent,
            delivered: Rate::of(total.delivered, total.sent),
            delivery_failures: Rate::of(total.failed, total.sent),
            top_failure_reasons: reasons
                .into_iter()
                .map(|(reason, count)| ReasonCount {
                    reason: if reason.chars().all(|c| c.is_ascii_digit()) {
                        format!(
                            "{} ({reason})",
                            tidings_domain::describe_error_code(&reason)
                        )
                    } else {
                        reason
                    },
                    count,
                })
                .collect(),
            reminders_sent: total.reminders,
            response: Rate::of(total.replied, total.reminders),
            confirmation: Rate::of(total.confirmed, total.asked),
            reschedule_requests: Rate::of(total.reschedule_requested, total.reminders),
            no_show_reminded: Rate::of(total.no_show_reminded, total.happened_reminded),
            no_show_not_reminded: Rate::of(total.no_show_not_reminded, total.happened_not_reminded),
            opt_outs_per_100: opt_outs.per_hundred(),
            opt_outs,
            first_response: ResponseTimes {
                answered: waits.len() as u32,
                median_seconds: median(&waits),
                p90_seconds: percentile(&waits, 90),
            },
            deflection: Rate::of(
                total.unanswered.saturating_sub(waiting),
                total.conversations.saturating_sub(waiting),
            ),
            follow_ups: FollowUpResults {
                sent: total.follow_ups,
                answered: Rate::of(total.follow_up_answers, total.follow_ups),
                poor: Rate::of(total.follow_up_poor, total.follow_up_answers),
                average_rating: (total.ratings > 0)
                    .then(|| f64::from(total.rating_sum) / f64::from(total.ratings)),
                ratings: total.ratings,
            },
            funnel: Funnel {
                reminded: total.reminders,
                replied: total.replied,
                confirmed: total.confirmed,
                attended: total.attended,
            },
            weekly,
            versions,
            rules,
            signals,
            definitions: definitions(),
        })
    }
}

/// Clients with a revocation on a business day from `first` to `last`.
fn distinct_clients(
    revocations: &[(i64, DateTime<Utc>)],
    zone: Tz,
    first: NaiveDate,
    last: NaiveDate,
) -> u32 {
    let mut clients: Vec<i64> = revocations
        .iter()
        .filter(|(_, at)| {
            let day = at.with_timezone(&zone).date_naive();
            day >= first && day <= last
        })
        .map(|(client, _)| *client)
        .collect();
    clients.sort_unstable();
    clients.dedup();
    clients.len() as u32
}
