//! An ICS calendar of any bytes: parsed with each title rule. Never a panic; an appointment
//! always ends after it starts and never lasts more than a day.
#![no_main]

use chrono::{Duration, TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use tidings_domain::appointment_import::{parse_ics, IcsRules, TitleRule};

fuzz_target!(|bytes: &[u8]| {
    let Some(now) = Utc.with_ymd_and_hms(2027, 3, 1, 12, 0, 0).single() else {
        return;
    };
    let services = ["Haircut".to_owned()];
    for title in [
        TitleRule::ServiceThenName,
        TitleRule::NameThenService,
        TitleRule::NameOnly,
    ] {
        let rules = IcsRules {
            title,
            services: &services,
        };
        if let Ok(parsed) = parse_ics(bytes, &chrono_tz::America::New_York, "US", now, &rules) {
            for a in &parsed.appointments {
                assert!(a.ends_at > a.starts_at);
                assert!(a.ends_at - a.starts_at <= Duration::hours(24));
            }
        }
    }
});
