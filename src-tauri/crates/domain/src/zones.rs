//! The time zones a desk chooses from.
//!
//! chrono-tz knows every name in the time zone database, old aliases included ("US/Eastern",
//! "EST5EDT", "Etc/GMT+5"). A person choosing where their business is wants places: the zones
//! tzdb's own `zone.tab` lists, each with the country it serves and, where a country has several,
//! the area it covers ("Central (most areas)"). That table ships with the app (`data/zone.tab`)
//! rather than read from the computer, so every desk sees the same list.
//!
//! Any zone chrono-tz knows is still accepted when saved: a desk set up with an alias keeps it.

use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

const ZONE_TAB: &str = include_str!("../data/zone.tab");

/// One zone a person can choose, with the country it serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ZoneInfo {
    /// The IANA name, as saved ("America/Chicago").
    pub id: String,
    /// The two-letter code of the country the zone serves ("US"); empty for UTC.
    pub country: String,
    /// Which part of the country, where it has several zones ("Central (most areas)").
    pub comment: Option<String>,
}

/// The zones of `zone.tab` that chrono-tz knows, in the table's order (by country, and within a
/// country roughly from the most populous area), then UTC, which belongs to no country but is
/// what a computer without a zone reports (and what a desk that keeps UTC chooses).
pub fn desk_zones() -> Vec<ZoneInfo> {
    let mut zones: Vec<ZoneInfo> = Vec::new();
    for (country, id, comment) in rows() {
        if chrono_tz::Tz::from_str(id).is_err() || zones.iter().any(|z| z.id == id) {
            continue;
        }
        zones.push(ZoneInfo {
            id: id.to_owned(),
            country: country.to_owned(),
            comment: comment.map(str::to_owned),
        });
    }
    zones.push(ZoneInfo {
        id: "UTC".to_owned(),
        country: String::new(),
        comment: None,
    });
    zones
}

/// The country a zone serves, when `zone.tab` lists it ("America/Chicago" → "US").
pub fn country_of_zone(id: &str) -> Option<&'static str> {
    rows()
        .find(|(_, zone, _)| *zone == id)
        .map(|(country, _, _)| country)
}

/// (country, zone, comment) for each line of the table.
fn rows() -> impl Iterator<Item = (&'static str, &'static str, Option<&'static str>)> {
    ZONE_TAB
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .filter_map(|line| {
            let mut cols = line.split('\t');
            let country = cols.next()?;
            let _coordinates = cols.next()?;
            let zone = cols.next()?;
            let comment = cols.next().map(str::trim).filter(|c| !c.is_empty());
            Some((country, zone, comment))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_has_places_and_no_aliases() {
        let zones = desk_zones();
        let ids: Vec<&str> = zones.iter().map(|z| z.id.as_str()).collect();
        for place in [
            "America/New_York",
            "America/Chicago",
            "Europe/London",
            "Europe/Oslo",
            "Australia/Sydney",
        ] {
            assert!(ids.contains(&place), "{place} missing");
        }
        for alias in [
            "US/Eastern",
            "EST5EDT",
            "Etc/GMT+5",
            "GB",
            "Etc/UTC",
            "America/Buenos_Aires",
        ] {
            assert!(!ids.contains(&alias), "{alias} listed");
        }
        assert!(zones.len() > 300, "{} zones", zones.len());
        assert_eq!(
            zones.last().map(|z| (z.id.as_str(), z.country.as_str())),
            Some(("UTC", ""))
        );
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "a zone is listed twice");
    }

    #[test]
    fn a_zone_names_its_country_and_area() {
        let chicago = desk_zones()
            .into_iter()
            .find(|z| z.id == "America/Chicago")
            .unwrap();
        assert_eq!(chicago.country, "US");
        assert_eq!(chicago.comment.as_deref(), Some("Central (most areas)"));
        assert_eq!(country_of_zone("Europe/London"), Some("GB"));
        assert_eq!(country_of_zone("America/Toronto"), Some("CA"));
        assert_eq!(country_of_zone("US/Eastern"), None);
        assert_eq!(country_of_zone(""), None);
    }
}
