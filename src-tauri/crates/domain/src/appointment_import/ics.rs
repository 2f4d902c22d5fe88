//! iCalendar files: events with zones, UTC or floating times, recurrences and cancellations.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use chrono_tz::Tz;
use icalendar::{CalendarDateTime, Component, DatePerhapsTime, EventLike};

use super::titles::{who, TitleRule, Who};
use super::{
    within_reach, ParsedAppointment, ParsedFile, RejectedRow, MAX_FIELD_CHARS, MAX_MINUTES,
    MAX_YEARS_AWAY, RECURRENCE_WINDOW_DAYS,
};
use crate::appointment::{check_span, local_to_utc, AppointmentStatus};
use crate::import::ImportFileError;

fn ics_instant(value: &CalendarDateTime, zone: &Tz) -> Result<DateTime<Utc>, String> {
    match value {
        CalendarDateTime::Utc(t) => Ok(*t),
        CalendarDateTime::Floating(n) => local_to_utc(*n, zone).map_err(|e| e.to_string()),
        CalendarDateTime::WithTimezone { date_time, tzid } => {
            let tz = ics_zone(tzid).ok_or_else(|| format!("unknown time zone \"{tzid}\""))?;
            local_to_utc(*date_time, &tz).map_err(|e| e.to_string())
        }
    }
}

/// An IANA zone from a TZID, including the "/vendor/…/Europe/London" forms some calendars use.
fn ics_zone(tzid: &str) -> Option<Tz> {
    let tzid = tzid.trim().trim_matches('"');
    tzid.parse::<Tz>().ok().or_else(|| {
        let parts: Vec<&str> = tzid.split('/').collect();
        (0..parts.len()).find_map(|i| parts[i..].join("/").parse::<Tz>().ok())
    })
}

/// How to read an iCalendar file's events.
#[derive(Debug, Clone, Copy, Default)]
pub struct IcsRules<'a> {
    pub title: TitleRule,
    /// The desk's services: a title part that names one is the service, whatever the rule.
    pub services: &'a [String],
}

/// Reads the VEVENTs of an iCalendar file. Recurring events are expanded from `now` over the
/// next [`RECURRENCE_WINDOW_DAYS`]; each occurrence's external id is the UID and its start.
/// Occurrences after the window are reported, to be added by a later import.
pub fn parse_ics(
    bytes: &[u8],
    zone: &Tz,
    region: &str,
    now: DateTime<Utc>,
    rules: &IcsRules<'_>,
) -> Result<ParsedFile, ImportFileError> {
    let text =
        String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).into_owned();
    let calendar: icalendar::Calendar = text.parse().map_err(|e: String| {
        ImportFileError::Malformed(e.lines().next().unwrap_or("not iCalendar").to_owned())
    })?;
    let mut out = ParsedFile::default();
    // An event with a RECURRENCE-ID replaces one occurrence of its series (RFC 5545 3.8.4.4):
    // moved, retitled or cancelled. The series leaves that occurrence to it, and it keeps the
    // occurrence's id, so a re-import finds the same booking. Said once, the series' client
    // stands for its replacements that do not name one.
    let mut replaced: std::collections::HashSet<(String, DateTime<Utc>)> =
        std::collections::HashSet::new();
    let mut series_who: std::collections::HashMap<String, Who> = std::collections::HashMap::new();
    for event in calendar.events() {
        let Some(uid) = event.get_uid() else { continue };
        if let Some(DatePerhapsTime::DateTime(at)) = event.get_recurrence_id() {
            if let Ok(at) = ics_instant(&at, zone) {
                replaced.insert((uid.to_owned(), at));
            }
        } else if event.property_value("RRULE").is_some() {
            let attendees = event
                .multi_properties()
                .get("ATTENDEE")
                .cloned()
                .unwrap_or_default();
            let summary = event.get_summary().unwrap_or_default().trim().to_owned();
            let description = event.get_description().unwrap_or_default().to_owned();
            if summary.chars().count() <= MAX_FIELD_CHARS
                && description.chars().count() <= MAX_FIELD_CHARS * 4
            {
                let who = who(
                    &summary,
                    &description,
                    &attendees,
                    event.property_value("ORGANIZER"),
                    region,
                    rules,
                );
                series_who.insert(uid.to_owned(), who);
            }
        }
    }
    for (index, event) in calendar.events().enumerate() {
        let row = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let summary = event.get_summary().unwrap_or_default().trim().to_owned();
        let description = event.get_description().unwrap_or_default().to_owned();
        let label: String = summary.chars().take(80).collect();
        let reject = |reason: String| RejectedRow {
            row,
            label: label.clone(),
            reason,
        };
        if summary.chars().count() > MAX_FIELD_CHARS
            || description.chars().count() > MAX_FIELD_CHARS * 4
        {
            out.rejected.push(reject(format!(
                "the event's title or description is longer than this importer reads ({MAX_FIELD_CHARS} characters for a title)"
            )));
            continue;
        }
        let Some(uid) = event.get_uid().map(str::to_owned) else {
            out.rejected.push(reject(
                "the event has no UID, so a re-import could not find it again".into(),
            ));
            continue;
        };
        let start = match event.get_start() {
            Some(DatePerhapsTime::DateTime(dt)) => dt,
            Some(DatePerhapsTime::Date(_)) => {
                out.rejected
                    .push(reject("an all-day event has no appointment time".into()));
                continue;
            }
            None => {
                out.rejected
                    .push(reject("the event has no start (DTSTART)".into()));
                continue;
            }
        };
        let starts_at = match ics_instant(&start, zone) {
            Ok(t) => t,
            Err(reason) => {
                out.rejected.push(reject(reason));
                continue;
            }
        };
        let recurring = event.property_value("RRULE");
        if recurring.is_none() {
            if let Err(reason) = within_reach(starts_at, now) {
                out.rejected.push(reject(reason));
                continue;
            }
        } else if starts_at > now + Duration::days(366 * MAX_YEARS_AWAY) {
            out.rejected.push(reject(format!(
                "the series starts {}, more than {MAX_YEARS_AWAY} years from today; check the year",
                starts_at.format("%Y-%m-%d")
            )));
            continue;
        }
        let length = match event.get_end() {
            Some(DatePerhapsTime::DateTime(end)) => match ics_instant(&end, zone) {
                Ok(t) if t > starts_at && t - starts_at <= Duration::minutes(MAX_MINUTES) => {
                    t - starts_at
                }
                Ok(t) if t <= starts_at => {
                    out.rejected
                        .push(reject("the event ends before it starts".into()));
                    continue;
                }
                Ok(_) => {
                    out.rejected.push(reject(
                        "the event is longer than an appointment can be (24 hours)".into(),
                    ));
                    continue;
                }
                Err(reason) => {
                    out.rejected.push(reject(reason));
                    continue;
                }
            },
            _ => match event.property_value("DURATION") {
                None => Duration::hours(1),
                Some(text) => match iso_duration(text) {
                    Some(d) if d > Duration::zero() => d,
                    _ => {
                        out.rejected.push(reject(format!(
                            "the length \"{}\" is not one an appointment can have (up to 24 hours)",
                            text.chars().take(40).collect::<String>()
                        )));
                        continue;
                    }
                },
            },
        };
        if let Err(e) = check_span(starts_at, starts_at + length) {
            out.rejected.push(reject(e.to_string()));
            continue;
        }
        // STATUS says whether the event is firm (CONFIRMED), pencilled in (TENTATIVE) or off
        // (CANCELLED): nothing about whether the customer confirmed. Only their YES does.
        let status = match event
            .property_value("STATUS")
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            Some("CANCELLED") => AppointmentStatus::Cancelled,
            _ => AppointmentStatus::Booked,
        };
        let attendees = event
            .multi_properties()
            .get("ATTENDEE")
            .cloned()
            .unwrap_or_default();
        let organizer = event.property_value("ORGANIZER");
        let mut who = who(&summary, &description, &attendees, organizer, region, rules);
        let replaces = match event.get_recurrence_id() {
            Some(DatePerhapsTime::DateTime(at)) => ics_instant(&at, zone).ok(),
            _ => None,
        };
        if replaces.is_some() && who.phone.is_none() {
            if let Some(series) = series_who.get(&uid) {
                who = Who {
                    read_from: series
                        .read_from
                        .iter()
                        .map(|from| format!("{from} (of the series)"))
                        .collect(),
                    ..series.clone()
                };
            }
        }
        let external_id = match replaces {
            Some(at) => format!("{uid}/{}", at.format("%Y%m%dT%H%M%SZ")),
            None => uid.clone(),
        };
        let base = ParsedAppointment {
            row,
            label: label.clone(),
            client_name: who.name,
            phone: who.phone,
            starts_at,
            ends_at: starts_at + length,
            service: who.service,
            staff: None,
            location: event.get_location().unwrap_or_default().to_owned(),
            notes: description.clone(),
            status,
            external_id: Some(external_id),
            read_from: who.read_from.join(" · "),
        };
        let Some(rule) = recurring else {
            out.appointments.push(base);
            continue;
        };
        match occurrences(&start, rule, event, zone, now) {
            Ok((starts, later)) => {
                for occurrence in starts.iter().copied() {
                    if replaced.contains(&(uid.clone(), occurrence)) {
                        continue;
                    }
                    out.appointments.push(ParsedAppointment {
                        starts_at: occurrence,
                        ends_at: occurrence + length,
                        external_id: Some(format!("{uid}/{}", occurrence.format("%Y%m%dT%H%M%SZ"))),
                        ..base.clone()
                    });
                }
                if let Some(next) = later {
                    let next = next.with_timezone(zone).format("%-d %b %Y");
                    out.rejected.push(reject(if starts.is_empty() {
                        format!(
                            "starts {next}: will be added on a later import (Tidings reads \
                             {RECURRENCE_WINDOW_DAYS} days ahead)"
                        )
                    } else {
                        format!(
                            "repeats beyond the next {RECURRENCE_WINDOW_DAYS} days: occurrences \
                             from {next} will be added on a later import"
                        )
                    }));
                }
            }
            Err(reason) => out.rejected.push(reject(reason)),
        }
    }
    Ok(out)
}

/// An iCalendar DURATION (PT1H30M, PT45M, P1D, P1W) within what an appointment can last;
/// anything else is `None`.
fn iso_duration(text: &str) -> Option<Duration> {
    let t = text.trim().strip_prefix('P')?;
    let (days, time) = t.split_once('T').unwrap_or((t, ""));
    let mut minutes: i64 = 0;
    let mut add = |n: &str, per: i64| -> Option<()> {
        minutes = minutes.checked_add(n.parse::<i64>().ok()?.checked_mul(per)?)?;
        Some(())
    };
    let mut number = String::new();
    for c in days.chars() {
        match c {
            '0'..='9' => number.push(c),
            'W' => add(&std::mem::take(&mut number), 7 * 24 * 60)?,
            'D' => add(&std::mem::take(&mut number), 24 * 60)?,
            _ => return None,
        }
    }
    let mut seconds = String::new();
    for c in time.chars() {
        match c {
            '0'..='9' => number.push(c),
            'H' => add(&std::mem::take(&mut number), 60)?,
            'M' => add(&std::mem::take(&mut number), 1)?,
            'S' => seconds = std::mem::take(&mut number),
            _ => return None,
        }
    }
    if !number.is_empty() || minutes > MAX_MINUTES {
        return None;
    }
    let seconds: i64 = if seconds.is_empty() {
        0
    } else {
        seconds.parse().ok()?
    };
    Some(Duration::minutes(minutes) + Duration::seconds(seconds.min(MAX_MINUTES * 60)))
}

/// A series' starts inside the window, and its first start after it.
type Occurrences = (Vec<DateTime<Utc>>, Option<DateTime<Utc>>);

fn occurrences(
    start: &CalendarDateTime,
    rule: &str,
    event: &icalendar::Event,
    zone: &Tz,
    now: DateTime<Utc>,
) -> Result<Occurrences, String> {
    // A repeat rule is short printable ASCII (RFC 5545 3.3.10); anything else is refused here,
    // before the rule parser sees it (it slices text by bytes and would panic on "BYDAY=TU»").
    if rule.len() > 500 || !rule.chars().all(|c| c.is_ascii_graphic()) {
        return Err(
            "the repeat rule (RRULE) is not one a calendar writes; check the event's repeat".into(),
        );
    }
    let (local, tz) = match start {
        CalendarDateTime::Utc(t) => (t.naive_utc(), chrono_tz::UTC),
        CalendarDateTime::Floating(n) => (*n, *zone),
        CalendarDateTime::WithTimezone { date_time, tzid } => (
            *date_time,
            ics_zone(tzid).ok_or_else(|| format!("unknown time zone \"{tzid}\""))?,
        ),
    };
    let mut spec = format!(
        "DTSTART;TZID={}:{}\nRRULE:{}",
        tz.name(),
        local.format("%Y%m%dT%H%M%S"),
        rule
    );
    // EXDATEs in UTC are moved into the rule's zone, so one TZID covers them all.
    let exdates = event
        .multi_properties()
        .get("EXDATE")
        .into_iter()
        .flatten()
        .map(|p| p.value().to_owned())
        .chain(event.property_value("EXDATE").map(str::to_owned));
    for value in exdates {
        for one in value.split(',') {
            let local = match one.strip_suffix('Z') {
                Some(utc) => NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S")
                    .ok()
                    .map(|n| n.and_utc().with_timezone(&tz).naive_local()),
                None => NaiveDateTime::parse_from_str(one, "%Y%m%dT%H%M%S").ok(),
            };
            if let Some(local) = local {
                spec.push_str(&format!(
                    "\nEXDATE;TZID={}:{}",
                    tz.name(),
                    local.format("%Y%m%dT%H%M%S")
                ));
            }
        }
    }
    let set: rrule::RRuleSet = spec
        .parse()
        .map_err(|e: rrule::RRuleError| format!("the repeat rule can't be read: {e}"))?;
    let rtz = rrule::Tz::Tz(tz);
    let from = now.with_timezone(&rtz) - Duration::seconds(1);
    let to = (now + Duration::days(RECURRENCE_WINDOW_DAYS)).with_timezone(&rtz);
    let within = set.clone().after(from).before(to).all(1000);
    let later = set.after(to).all(1);
    Ok((
        within.dates.iter().map(|d| d.with_timezone(&Utc)).collect(),
        later.dates.first().map(|d| d.with_timezone(&Utc)),
    ))
}
