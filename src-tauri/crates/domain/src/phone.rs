//! Phone numbers: whatever a person typed, read against the business's default region and
//! stored as E.164. Parsing and validation are libphonenumber's (the `phonenumber` crate);
//! what is ours is the wording of each refusal.

use std::str::FromStr;

use phonenumber::country::Id;
use phonenumber::{Mode, ParseError};

/// Why a typed number can't be used, worded for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("Enter a phone number.")]
    Empty,
    #[error("\"{0}\" is not a phone number: use digits, spaces, dashes or brackets, with + and the country code for numbers abroad.")]
    NotANumber(String),
    #[error("\"{0}\" is too short to be a phone number.")]
    TooShort(String),
    #[error("\"{0}\" is too long to be a phone number.")]
    TooLong(String),
    #[error("\"{0}\" starts with a country code that doesn't exist.")]
    BadCountryCode(String),
    #[error("\"{input}\" is not a valid {region} number: check for a missing or extra digit. If it is from another country, start it with + and the country code.")]
    WrongCountry { input: String, region: String },
    #[error("\"{0}\" is not a valid number in its country.")]
    Invalid(String),
    #[error("\"{input}\" has an extension ({extension}); texts can't reach an extension. Use the customer's mobile number.")]
    HasExtension { input: String, extension: String },
}

/// Reads `input` as a phone number, national numbers in `region` (two-letter code), and returns
/// it in E.164 (`+14155550123`).
pub fn parse_phone(input: &str, region: &str) -> Result<String, PhoneError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(PhoneError::Empty);
    }
    let owned = || trimmed.to_owned();
    if trimmed.chars().any(|c| c.is_alphabetic())
        && !trimmed.to_ascii_lowercase().contains("ext")
        && !trimmed.contains(['x', 'X'])
    {
        return Err(PhoneError::NotANumber(owned()));
    }
    let default_region = Id::from_str(region).ok();
    let number = phonenumber::parse(default_region, trimmed).map_err(|err| match err {
        ParseError::NoNumber | ParseError::MalformedInteger(_) => PhoneError::NotANumber(owned()),
        ParseError::InvalidCountryCode => PhoneError::BadCountryCode(owned()),
        ParseError::TooShortAfterIdd | ParseError::TooShortNsn => PhoneError::TooShort(owned()),
        ParseError::TooLong => PhoneError::TooLong(owned()),
    })?;
    if let Some(extension) = number.extension() {
        return Err(PhoneError::HasExtension {
            input: owned(),
            extension: extension.to_string(),
        });
    }
    if !number.is_valid() {
        // Judge the length against the numbering plan of the number's own country.
        let digits = number.national().value().to_string().len();
        let lengths = possible_lengths(number.code().value());
        let shortest = lengths.iter().min().map_or(6, |n| usize::from(*n));
        let longest = lengths.iter().max().map_or(15, |n| usize::from(*n));
        if digits < shortest {
            return Err(PhoneError::TooShort(owned()));
        }
        if digits > longest {
            return Err(PhoneError::TooLong(owned()));
        }
        let international = trimmed.starts_with('+') || trimmed.starts_with("00");
        return Err(match default_region {
            Some(id) if !international => PhoneError::WrongCountry {
                input: owned(),
                region: id.as_ref().to_owned(),
            },
            _ => PhoneError::Invalid(owned()),
        });
    }
    Ok(number.format().mode(Mode::E164).to_string())
}

/// Every national number length the numbering plans of a calling code allow.
fn possible_lengths(calling_code: u16) -> Vec<u16> {
    let metas = phonenumber::metadata::DATABASE
        .by_code(&calling_code)
        .unwrap_or_default();
    metas
        .iter()
        .flat_map(|meta| {
            let d = meta.descriptors();
            [
                Some(d.general()),
                d.fixed_line(),
                d.mobile(),
                d.toll_free(),
                d.premium_rate(),
                d.shared_cost(),
                d.personal_number(),
                d.voip(),
                d.pager(),
                d.uan(),
            ]
            .into_iter()
            .flatten()
            .flat_map(|desc| desc.possible_length().to_vec())
            .collect::<Vec<_>>()
        })
        .collect()
}

/// Digits of a search query that may be part of a phone number, with national trunk zeros
/// removed so "020 7946 0958" finds "+442079460958". `None` when the query has fewer than three
/// digits (then it is a name search).
pub fn phone_search_digits(query: &str) -> Option<String> {
    let digits: String = query.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 3 || query.chars().any(char::is_alphabetic) {
        return None;
    }
    Some(digits.trim_start_matches('0').to_owned()).filter(|d| !d.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_numbers_are_read_in_the_default_region() {
        assert_eq!(parse_phone("(415) 555-2671", "US").unwrap(), "+14155552671");
        assert_eq!(parse_phone("415.555.2671", "US").unwrap(), "+14155552671");
        assert_eq!(parse_phone("07400 123123", "GB").unwrap(), "+447400123123");
        assert_eq!(
            parse_phone("0151 2345 6789", "DE").unwrap(),
            "+4915123456789"
        );
    }

    #[test]
    fn international_numbers_ignore_the_default_region() {
        assert_eq!(
            parse_phone("+44 7400 123123", "US").unwrap(),
            "+447400123123"
        );
        assert_eq!(
            parse_phone("+1-415-555-2671", "GB").unwrap(),
            "+14155552671"
        );
        assert_eq!(
            parse_phone("0044 7400 123123", "DE").unwrap(),
            "+447400123123"
        );
        assert_eq!(
            parse_phone("  +14155552671 ", "US").unwrap(),
            "+14155552671"
        );
    }

    #[test]
    fn every_refusal_says_why() {
        assert_eq!(parse_phone("   ", "US"), Err(PhoneError::Empty));
        assert!(matches!(
            parse_phone("call me maybe", "US"),
            Err(PhoneError::NotANumber(_))
        ));
        assert!(matches!(
            parse_phone("12", "US"),
            Err(PhoneError::TooShort(_) | PhoneError::NotANumber(_))
        ));
        assert!(matches!(
            parse_phone("555-12", "US"),
            Err(PhoneError::TooShort(_))
        ));
        assert!(matches!(
            parse_phone("+1 415 555 2671 3333 4444 5555", "US"),
            Err(PhoneError::TooLong(_) | PhoneError::Invalid(_))
        ));
        assert!(matches!(
            parse_phone("+999 1234 5678", "US"),
            Err(PhoneError::BadCountryCode(_))
        ));
        // A UK mobile typed without +44 by a US desk.
        let err = parse_phone("07400 123123", "US").unwrap_err();
        assert!(matches!(err, PhoneError::WrongCountry { .. }), "{err:?}");
        assert!(err.to_string().contains("US number"));
    }

    #[test]
    fn extensions_are_refused_because_texts_cannot_reach_them() {
        let err = parse_phone("(415) 555-2671 ext. 204", "US").unwrap_err();
        assert_eq!(
            err,
            PhoneError::HasExtension {
                input: "(415) 555-2671 ext. 204".into(),
                extension: "204".into()
            }
        );
        assert!(matches!(
            parse_phone("415-555-2671 x12", "US"),
            Err(PhoneError::HasExtension { .. })
        ));
    }

    #[test]
    fn search_digits_drop_punctuation_and_trunk_zeros() {
        assert_eq!(phone_search_digits("(415) 555").as_deref(), Some("415555"));
        assert_eq!(phone_search_digits("020 7946").as_deref(), Some("207946"));
        assert_eq!(phone_search_digits("Ann"), None);
        assert_eq!(phone_search_digits("41"), None);
    }
}
