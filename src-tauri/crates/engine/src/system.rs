//! What the computer says about where it is, for first-run defaults.

use tidings_domain::{region_from_locale, validate_timezone};

/// The computer's IANA time zone, when it has one we know.
pub fn timezone() -> Option<String> {
    iana_time_zone::get_timezone()
        .ok()
        .and_then(|tz| validate_timezone(&tz).ok())
}

/// The phone region named by the user's locale (LANG, LC_ALL, ...), when it names one.
pub fn phone_region() -> Option<String> {
    sys_locale::get_locales().find_map(|locale| region_from_locale(&locale))
}
