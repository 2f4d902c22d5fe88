//! Insights: is texting helping? Every figure comes from the local database and says what it
//! counts; the definitions shown in the UI are the `definitions` here.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use tidings_domain::metrics::{median, negative_signals, percentile, Rate, Signal};
use ts_rs::TS;

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
    pub confirmation: Rate,
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
    pub funnel: Funnel,
    pub weekly: Vec<WeekPoint>,
    pub versions: Vec<VersionResult>,
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
        ("Deflection", "Numbers that texted in the period and needed no staff text: automation (confirmations, keyword answers) handled them."),
    ]
    .into_iter()
    .map(|(m, d)| Definition {
        metric: m.to_owned(),
        meaning: d.to_owned(),
    })
    .collect()
}

impl InsightsReport {
    /// One CSV: every figure with its counts and definition, then the weekly trend and the
    /// template versions.
    pub fn to_csv(&self) -> Result<String, EngineError> {
        let fail =
            |e: csv::Error| EngineError::Store(tidings_store::StoreError::Decode(e.to_string()));
        let mut out = csv::Writer::from_writer(Vec::new());
        out.write_record([
            "section",
            "metric",
            "count",
            "out_of",
            "value",
            "definition",
        ])
        .map_err(fail)?;
        let meaning = |name: &str| {
            self.definitions
                .iter()
                .find(|d| d.metric == name)
                .map(|d| d.meaning.clone())
                .unwrap_or_default()
        };
        let value = |v: Option<f64>| v.map(|v| format!("{v:.4}")).unwrap_or_default();
        let rates: [(&str, &Rate); 9] = [
            ("Delivered", &self.delivered),
            ("Delivery failures", &self.delivery_failures),
            ("Response rate", &self.response),
            ("Confirmation rate", &self.confirmation),
            ("Reschedule requests", &self.reschedule_requests),
            ("No-shows, reminded", &self.no_show_reminded),
            ("No-shows, not reminded", &self.no_show_not_reminded),
            ("Opt-outs per 100 texts", &self.opt_outs),
            ("Deflection", &self.deflection),
        ];
        out.write_record([
            "period",
            "Sent",
            &self.sent.to_string(),
            "",
            "",
            &meaning("Sent"),
        ])
        .map_err(fail)?;
        for (name, rate) in rates {
            let definition = meaning(name.split(',').next().unwrap_or(name));
            let shown = if name.starts_with("Opt-outs") {
                value(rate.per_hundred())
            } else {
                value(rate.value)
            };
            out.write_record([
                "period",
                name,
                &rate.count.to_string(),
                &rate.out_of.to_string(),
                &shown,
                &definition,
            ])
            .map_err(fail)?;
        }
        for (name, seconds) in [
            (
                "First response, median (s)",
                self.first_response.median_seconds,
            ),
            (
                "First response, 90th percentile (s)",
                self.first_response.p90_seconds,
            ),
        ] {
            out.write_record([
                "period",
                name,
                &self.first_response.answered.to_string(),
                "",
                &seconds.map(|s| s.to_string()).unwrap_or_default(),
                &meaning("Time to first staff response"),
            ])
            .map_err(fail)?;
        }
        for w in &self.weekly {
            out.write_record([
                "week",
                &w.week_of,
                &w.sent.to_string(),
                "",
                &value(w.confirmation.value),
                "texts sent; value = confirmation rate",
            ])
            .map_err(fail)?;
        }
        for v in &self.versions {
            out.write_record([
                "template",
                &format!("{} v{}", v.template, v.version),
                &v.sent.to_string(),
                "",
                &value(v.confirmation.value),
                "reminders sent; value = confirmation rate",
            ])
            .map_err(fail)?;
        }
        let bytes = out
            .into_inner()
            .map_err(|e| EngineError::Store(tidings_store::StoreError::Decode(e.to_string())))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

impl Engine {
    /// Writes the period's insights as CSV into `folder`, never over an existing file.
    pub fn export_insights(
        &self,
        from: &str,
        to: &str,
        folder: &std::path::Path,
    ) -> Result<crate::ExportedFile, EngineError> {
        let report = self.insights(from, to)?;
        let body = report.to_csv()?;
        crate::clients::write_new_file(
            folder,
            &format!("insights-{}-to-{}", report.from, report.to),
            "csv",
            body.as_bytes(),
        )
    }

    fn local_day_start(&self, day: NaiveDate) -> Result<DateTime<Utc>, EngineError> {
        let zone: chrono_tz::Tz = self.settings()?.timezone.parse().unwrap_or(chrono_tz::UTC);
        zone.from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| bad_input("from", "That day has no midnight in this time zone."))
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
        let start = self.local_day_start(first)?;
        let end = self.local_day_start(last + Duration::days(1))?;

        let texts = self.store.text_counts(start, end)?;
        let reminders = self.store.reminder_counts(start, end)?;
        let shows = self.store.no_show_counts(start, end)?;
        let ((rn, rh), (nn, nh)) = (shows.reminded, shows.not_reminded);
        let opt_outs = Rate::of(self.store.text_opt_outs(start, end)?, texts.sent);
        let waits = self.store.first_response_seconds(start, end)?;
        let (deflected, talkers) = self.store.deflection_counts(start, end)?;

        let mut weekly = Vec::new();
        let monday =
            |d: NaiveDate| d - Duration::days(i64::from(d.weekday().num_days_from_monday()));
        let mut week = monday(first);
        while week <= last && weekly.len() < 120 {
            let (ws, we) = (
                self.local_day_start(week)?,
                self.local_day_start(week + Duration::days(7))?,
            );
            let (sent, asked, confirmed) = self.store.week_counts(ws, we)?;
            weekly.push(WeekPoint {
                week_of: week.format("%Y-%m-%d").to_string(),
                sent,
                confirmation: Rate::of(confirmed, asked),
                opt_outs: Rate::of(self.store.text_opt_outs(ws, we)?, sent),
            });
            week += Duration::days(7);
        }

        // Signals compare the last seven days with the seven before, whatever the period.
        let now = self.now();
        let (a, b, c) = (now - Duration::days(14), now - Duration::days(7), now);
        let last_week = self.store.text_counts(a, b)?;
        let this_week = self.store.text_counts(b, c)?;
        let signals = negative_signals(
            &Rate::of(self.store.text_opt_outs(a, b)?, last_week.sent),
            &Rate::of(self.store.text_opt_outs(b, c)?, this_week.sent),
            &Rate::of(this_week.filtered, this_week.sent),
            &Rate::of(last_week.failed, last_week.sent),
            &Rate::of(this_week.failed, this_week.sent),
        );

        Ok(InsightsReport {
            from: first.format("%Y-%m-%d").to_string(),
            to: last.format("%Y-%m-%d").to_string(),
            sent: texts.sent,
            delivered: Rate::of(texts.delivered, texts.sent),
            delivery_failures: Rate::of(texts.failed, texts.sent),
            top_failure_reasons: texts
                .top_reasons
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
            reminders_sent: reminders.sent,
            response: Rate::of(reminders.replied, reminders.sent),
            confirmation: Rate::of(reminders.confirmed, reminders.asked),
            reschedule_requests: Rate::of(reminders.reschedule_requested, reminders.sent),
            no_show_reminded: Rate::of(rn, rh),
            no_show_not_reminded: Rate::of(nn, nh),
            opt_outs_per_100: opt_outs.per_hundred(),
            opt_outs,
            first_response: ResponseTimes {
                answered: waits.len() as u32,
                median_seconds: median(&waits),
                p90_seconds: percentile(&waits, 90),
            },
            deflection: Rate::of(deflected, talkers),
            funnel: Funnel {
                reminded: reminders.sent,
                replied: reminders.replied,
                confirmed: reminders.confirmed,
                attended: reminders.attended,
            },
            weekly,
            versions: self
                .store
                .version_counts(start, end)?
                .into_iter()
                .map(|v| VersionResult {
                    response: Rate::of(v.replied, v.sent),
                    confirmation: Rate::of(v.confirmed, v.sent),
                    template: v.template_name,
                    version: v.version,
                    sent: v.sent,
                })
                .collect(),
            signals,
            definitions: definitions(),
        })
    }
}
