//! `tidings-cli report`: Insights for a period of the business's days.

use chrono::Duration;
use tidings_engine::domain::metrics::Rate;
use tidings_engine::{Engine, ErrorPayload};

use crate::output::print_json;

// No doc comment here: the command's help is the one on `Command::Report`.
#[derive(Debug, clap::Args)]
pub(crate) struct ReportArgs {
    #[arg(long)]
    from: Option<String>,
    #[arg(long)]
    to: Option<String>,
}

pub(crate) fn run(engine: &Engine, args: ReportArgs, json: bool) -> Result<(), ErrorPayload> {
    let zone = engine.business_zone()?;
    let today = engine.now().with_timezone(&zone).date_naive();
    let to = args
        .to
        .unwrap_or_else(|| today.format("%Y-%m-%d").to_string());
    let from = args
        .from
        .unwrap_or_else(|| (today - Duration::days(29)).format("%Y-%m-%d").to_string());
    let report = engine.insights(&from, &to)?;
    if json {
        return print_json(&report);
    }
    let pct = |r: &Rate| match r.value {
        Some(v) => format!("{:.1}% ({} of {})", v * 100.0, r.count, r.out_of),
        None => "—".to_owned(),
    };
    out!("{} to {}", report.from, report.to);
    out!("sent          {}", report.sent);
    out!("delivered     {}", pct(&report.delivered));
    out!("response      {}", pct(&report.response));
    out!("confirmed     {}", pct(&report.confirmation));
    out!(
        "no-shows      reminded {} · not reminded {}",
        pct(&report.no_show_reminded),
        pct(&report.no_show_not_reminded)
    );
    out!("opt-outs      {}", pct(&report.opt_outs));
    for s in &report.signals {
        out!("! {} {}", s.message, s.what_to_check);
    }
    Ok(())
}
