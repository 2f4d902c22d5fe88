//! Insights written out: the report as one CSV, and exporting it into a folder.

use tidings_domain::metrics::Rate;

use super::InsightsReport;
use crate::{Engine, EngineError};

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
        for (name, rate) in [
            ("Follow-ups answered", &self.follow_ups.answered),
            ("Follow-up answers that were poor", &self.follow_ups.poor),
        ] {
            out.write_record([
                "period",
                name,
                &rate.count.to_string(),
                &rate.out_of.to_string(),
                &value(rate.value),
                &meaning("Follow-ups"),
            ])
            .map_err(fail)?;
        }
        out.write_record([
            "period",
            "Follow-up rating, average (1-5)",
            &self.follow_ups.ratings.to_string(),
            "",
            &value(self.follow_ups.average_rating),
            &meaning("Follow-ups"),
        ])
        .map_err(fail)?;
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
        for r in &self.rules {
            out.write_record([
                "rule",
                &r.rule,
                &r.sent.to_string(),
                "",
                &value(r.confirmation.value),
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
        crate::consent::write_new_file(
            folder,
            &format!("insights-{}-to-{}", report.from, report.to),
            "csv",
            body.as_bytes(),
        )
    }
}
