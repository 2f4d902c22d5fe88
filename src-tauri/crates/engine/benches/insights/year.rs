//! The year 2026 at the business the insights bench measures: its size, the business, and the
//! appointments and texts generated for it (what happened, not yet what the texts say).

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

use crate::words::{SERVICES, STAFF};

pub const CLIENTS: usize = 20_000;
pub const APPOINTMENTS: usize = 150_000;
pub const MESSAGES: usize = 1_000_000;
/// One client in this many texts STOP during the year (0.5%).
const OPT_OUT_EVERY: usize = 200;
pub const BUSINESS: &str = "Quay Clinic";
pub const BUSINESS_NUMBER: &str = "+18005550199";
pub const ZONE: Tz = chrono_tz::America::New_York;
/// The staff member answering texts in the inbox.
pub const STAFF_SENDER: &str = "Sam";

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, 1, 12, 0, 0).unwrap()
}

pub fn stamp(t: i64) -> String {
    Utc.timestamp_opt(t, 0)
        .unwrap()
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Seconds since the epoch of `minutes` past local midnight on `day`, business time.
pub fn local(day: NaiveDate, minutes: u32) -> i64 {
    let t = day.and_hms_opt(minutes / 60, minutes % 60, 0).unwrap();
    ZONE.from_local_datetime(&t).earliest().unwrap().timestamp()
}

pub fn phone(client: usize) -> String {
    format!("+1415{:07}", 2_000_000 + client)
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Booked,
    Confirmed,
    RescheduleRequested,
    Cancelled,
    Completed,
    NoShow,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Booked => "booked",
            Self::Confirmed => "confirmed",
            Self::RescheduleRequested => "reschedule_requested",
            Self::Cancelled => "cancelled",
            Self::Completed => "completed",
            Self::NoShow => "no_show",
        }
    }
}

#[derive(Clone, Copy)]
pub struct Appointment {
    pub client: u32,
    pub starts: i64,
    pub service: u8,
    pub staff: u8,
    pub status: Status,
    pub created: i64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Outbound, automated: 0 is "24 hours before" (asks YES/NO), 1 is "2 hours before".
    Reminder(u8),
    /// Inbound answers to a reminder.
    Yes,
    No,
    Reschedule,
    Late,
    Thanks,
    /// Inbound: a question, in answer to a reminder or out of the blue.
    Question,
    /// Outbound, automatic answers to YES and NO.
    AutoConfirmed,
    AutoReschedule,
    /// Outbound, typed by staff in the inbox.
    StaffAnswer,
    /// Outbound after a visit, and the customer's answer.
    FollowUp,
    Feedback,
    Stop,
    OptOutConfirmation,
}

impl Kind {
    pub fn inbound(self) -> bool {
        matches!(
            self,
            Self::Yes
                | Self::No
                | Self::Reschedule
                | Self::Late
                | Self::Thanks
                | Self::Question
                | Self::Feedback
                | Self::Stop
        )
    }
}

/// One text to insert; the body is written at insert time.
#[derive(Clone, Copy)]
pub struct Text {
    /// When the row was created (reminders: when the appointment was booked); rows are
    /// inserted in this order, so ids follow it as they would in use.
    pub created: i64,
    pub sent: i64,
    pub kind: Kind,
    pub client: u32,
    /// Index into the appointments, for texts about one.
    pub appointment: Option<u32>,
}

/// How long a customer takes to answer a reminder.
fn reply_delay(rng: &mut fastrand::Rng) -> i64 {
    match rng.u32(0..10) {
        0..=5 => rng.i64(60..1_800),
        6..=8 => rng.i64(1_800..14_400),
        _ => rng.i64(14_400..108_000),
    }
}

/// How long staff take to answer a customer's text (overnight for some).
fn staff_delay(rng: &mut fastrand::Rng) -> i64 {
    match rng.u32(0..20) {
        0..=9 => rng.i64(120..1_800),
        10..=16 => rng.i64(1_800..10_800),
        _ => rng.i64(10_800..72_000),
    }
}

pub struct Year {
    pub appointments: Vec<Appointment>,
    pub texts: Vec<Text>,
    /// When each client texted STOP, for the 0.5% who did.
    pub opted_out: Vec<Option<i64>>,
}

/// The year 2026 at the business: appointments Monday to Saturday, 9:00 to 17:30, their
/// reminders and what followed, plus customers texting out of the blue, up to `MESSAGES`.
pub fn year(rng: &mut fastrand::Rng) -> Year {
    let first_day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let days: Vec<NaiveDate> = first_day.iter_days().take(365).collect();
    let open_days: Vec<NaiveDate> = days
        .iter()
        .copied()
        .filter(|d| d.weekday() != Weekday::Sun)
        .collect();
    let end = now().timestamp();

    let opted_out: Vec<Option<i64>> = (0..CLIENTS)
        .map(|c| {
            (c % OPT_OUT_EVERY == 37).then(|| {
                local(days[rng.usize(..days.len())], rng.u32(8 * 60..21 * 60)) + rng.i64(0..60)
            })
        })
        .collect();
    let texting = |c: u32, at: i64| opted_out[c as usize].is_none_or(|t| at < t);

    let mut appointments: Vec<(Appointment, bool)> = (0..APPOINTMENTS)
        .map(|_| {
            let starts = local(
                open_days[rng.usize(..open_days.len())],
                9 * 60 + 15 * rng.u32(0..35),
            );
            // A fifth of the clients are regulars, with more than their share of visits.
            let client = if rng.u32(0..10) < 3 {
                rng.usize(..CLIENTS / 5)
            } else {
                rng.usize(..CLIENTS)
            } as u32;
            let reminded = texting(client, starts - 86_400) && rng.u32(0..100) < 92;
            // Reminders cut no-shows: 4.5% with one, 11% without (about 5% overall).
            let no_shows = if reminded { 45 } else { 110 };
            let r = rng.u32(0..1000);
            let status = if r < no_shows {
                Status::NoShow
            } else if r < no_shows + 50 {
                Status::Cancelled
            } else if r < no_shows + 60 {
                Status::RescheduleRequested
            } else if r < no_shows + 120 {
                Status::Confirmed
            } else if r < no_shows + 150 {
                Status::Booked
            } else {
                Status::Completed
            };
            let appointment = Appointment {
                client,
                starts,
                service: rng.u8(0..SERVICES.len() as u8),
                staff: rng.u8(0..STAFF.len() as u8),
                status,
                created: starts - rng.i64(2 * 86_400..45 * 86_400),
            };
            (appointment, reminded)
        })
        .collect();
    appointments.sort_by_key(|(a, _)| a.starts);

    let mut texts = Vec::with_capacity(MESSAGES + 16);
    let push = |texts: &mut Vec<Text>,
                sent: i64,
                created: i64,
                kind: Kind,
                client: u32,
                appointment: Option<u32>| {
        if sent < end
            && (matches!(kind, Kind::Stop | Kind::OptOutConfirmation) || texting(client, sent))
        {
            texts.push(Text {
                created,
                sent,
                kind,
                client,
                appointment,
            });
        }
    };
    for (i, (a, reminded)) in appointments.iter().enumerate() {
        let (c, at) = (a.client, Some(i as u32));
        if *reminded {
            let sent = a.starts - 86_400 + rng.i64(0..120);
            push(&mut texts, sent, a.created, Kind::Reminder(0), c, at);
            let answer = match a.status {
                Status::Cancelled => (rng.u32(0..10) < 7).then_some(Kind::No),
                Status::RescheduleRequested => (rng.u32(0..10) < 8).then_some(Kind::Reschedule),
                _ if rng.u32(0..100) < 44 => Some(if rng.u32(0..100) < 78 {
                    Kind::Yes
                } else {
                    Kind::Question
                }),
                _ => None,
            };
            if let Some(kind) = answer {
                let replied = sent + reply_delay(rng);
                push(&mut texts, replied, replied, kind, c, None);
                match kind {
                    Kind::Yes => push(
                        &mut texts,
                        replied + 2,
                        replied + 2,
                        Kind::AutoConfirmed,
                        c,
                        None,
                    ),
                    Kind::No | Kind::Reschedule => {
                        push(
                            &mut texts,
                            replied + 2,
                            replied + 2,
                            Kind::AutoReschedule,
                            c,
                            None,
                        );
                        let answered = replied + staff_delay(rng);
                        push(&mut texts, answered, answered, Kind::StaffAnswer, c, None);
                    }
                    _ => {
                        if rng.u32(0..10) < 9 {
                            let answered = replied + staff_delay(rng);
                            push(&mut texts, answered, answered, Kind::StaffAnswer, c, None);
                            if rng.u32(0..10) < 3 {
                                let thanks = answered + rng.i64(60..3_600);
                                push(&mut texts, thanks, thanks, Kind::Thanks, c, None);
                            }
                        }
                    }
                }
            }
            if a.status != Status::Cancelled && rng.u32(0..100) < 95 {
                let sent = a.starts - 7_200 + rng.i64(0..120);
                push(&mut texts, sent, a.created, Kind::Reminder(1), c, at);
                if rng.u32(0..10) < 3 {
                    let replied = sent + rng.i64(60..5_400);
                    let kind = if rng.u32(0..10) < 6 {
                        Kind::Late
                    } else {
                        Kind::Thanks
                    };
                    push(&mut texts, replied, replied, kind, c, None);
                    if kind == Kind::Late && rng.bool() {
                        let answered = replied + rng.i64(60..1_200);
                        push(&mut texts, answered, answered, Kind::StaffAnswer, c, None);
                    }
                }
            }
        }
        if a.status == Status::Completed && rng.u32(0..10) < 4 {
            let sent = a.starts + SERVICES[a.service as usize].1 * 60 + 7_200 + rng.i64(0..120);
            push(&mut texts, sent, a.starts, Kind::FollowUp, c, at);
            if rng.u32(0..100) < 35 {
                let answered = sent + rng.i64(300..21_600);
                push(&mut texts, answered, answered, Kind::Feedback, c, None);
            }
        }
    }
    for (c, at) in opted_out.iter().enumerate() {
        if let Some(at) = *at {
            push(&mut texts, at, at, Kind::Stop, c as u32, None);
            push(
                &mut texts,
                at + 2,
                at + 2,
                Kind::OptOutConfirmation,
                c as u32,
                None,
            );
        }
    }
    // Customers texting out of the blue, and the back-and-forth with staff, up to the total.
    while texts.len() < MESSAGES {
        let c = rng.usize(..CLIENTS) as u32;
        let mut at =
            local(days[rng.usize(..days.len())], rng.u32(8 * 60..21 * 60)) + rng.i64(0..60);
        push(&mut texts, at, at, Kind::Question, c, None);
        while rng.u32(0..100) < 88 {
            at += staff_delay(rng);
            push(&mut texts, at, at, Kind::StaffAnswer, c, None);
            if rng.u32(0..100) >= 45 {
                break;
            }
            at += rng.i64(60..3_600);
            let kind = if rng.bool() {
                Kind::Question
            } else {
                Kind::Thanks
            };
            push(&mut texts, at, at, kind, c, None);
        }
    }
    texts.truncate(MESSAGES);
    texts.sort_by_key(|t| (t.created, t.sent));
    Year {
        appointments: appointments.into_iter().map(|(a, _)| a).collect(),
        texts,
        opted_out,
    }
}
