//! An appointment CSV of any bytes: read, columns guessed, every row parsed in two zones and
//! both date orders. Never a panic; every row is an appointment or a reason.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use tidings_domain::appointment_import::{guess_columns, parse_csv};
use tidings_domain::import::read_csv;

fuzz_target!(|bytes: &[u8]| {
    let Ok(table) = read_csv(bytes) else { return };
    let columns = guess_columns(&table.headers);
    let Some(now) = Utc.with_ymd_and_hms(2027, 3, 1, 12, 0, 0).single() else {
        return;
    };
    for (zone, region) in [
        (chrono_tz::America::New_York, "US"),
        (chrono_tz::Europe::Madrid, "ES"),
    ] {
        let parsed = parse_csv(&table, &columns, &zone, region, now);
        assert!(parsed.appointments.len() + parsed.rejected.len() <= table.rows.len());
        for a in &parsed.appointments {
            assert!(a.ends_at > a.starts_at, "an appointment ends after it starts");
        }
    }
});
