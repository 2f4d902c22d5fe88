//! Tests of the business settings: reading, checking and changing them.

use super::*;
use chrono::{NaiveTime, TimeZone};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap()
}

#[test]
fn setup_validates_and_normalises_every_answer() {
    let done = Settings::default()
        .complete_setup(
            &SetupInput {
                business_name: "  Harbour   Hair  ".into(),
                timezone: "Europe/London".into(),
                phone_region: "gb".into(),
                business_phone: None,
            },
            now(),
        )
        .unwrap();
    assert_eq!(done.business_name, "Harbour Hair");
    assert_eq!(done.timezone, "Europe/London");
    assert_eq!(done.phone_region, "GB");
    assert_eq!(done.setup_completed_at, Some(now()));
    assert!(done.is_setup_complete());

    // The business phone is kept as typed (it reads better in a text), once it is known to
    // be a number in the region; an empty one can be added later.
    let with_phone = |phone: &str| {
        Settings::default().complete_setup(
            &SetupInput {
                business_name: "Quay Clinic".into(),
                timezone: "America/Chicago".into(),
                phone_region: "US".into(),
                business_phone: Some(phone.into()),
            },
            now(),
        )
    };
    assert_eq!(
        with_phone(" (312) 555-2600 ").unwrap().business_phone,
        "(312) 555-2600"
    );
    assert_eq!(with_phone("").unwrap().business_phone, "");
    let err = with_phone("12").unwrap_err();
    assert_eq!(err, ValidationError::BadBusinessPhone("12".into()));
    assert_eq!(err.field(), "business_phone");
    assert!(err.to_string().contains("area code"), "{err}");
}

#[test]
fn setup_refuses_bad_answers_with_the_field_named() {
    let base = Settings::default();
    let mut input = SetupInput {
        business_name: "   ".into(),
        timezone: "Europe/London".into(),
        phone_region: "GB".into(),
        business_phone: None,
    };
    let err = base.complete_setup(&input, now()).unwrap_err();
    assert_eq!(err, ValidationError::EmptyBusinessName);
    assert_eq!(err.field(), "business_name");

    input.business_name = "Harbour Hair".into();
    input.timezone = "Mars/Olympus_Mons".into();
    let err = base.complete_setup(&input, now()).unwrap_err();
    assert_eq!(err.field(), "timezone");
    assert!(err.to_string().contains("Mars/Olympus_Mons"));

    input.timezone = "Europe/London".into();
    input.phone_region = "XX".into();
    assert_eq!(
        base.complete_setup(&input, now()).unwrap_err(),
        ValidationError::UnknownPhoneRegion("XX".into())
    );

    input.phone_region = "GB".into();
    input.business_name = "x".repeat(81);
    assert_eq!(
        base.complete_setup(&input, now()).unwrap_err(),
        ValidationError::BusinessNameTooLong(81)
    );
}

#[test]
fn quiet_hours_wrap_past_midnight() {
    let q = QuietHours::parse_range("21:00-08:00").unwrap();
    let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
    assert!(q.contains(t(21, 0)).unwrap());
    assert!(q.contains(t(2, 30)).unwrap());
    assert!(!q.contains(t(8, 0)).unwrap());
    assert!(!q.contains(t(20, 59)).unwrap());

    let day = QuietHours::new("12:00", "13:00").unwrap();
    assert!(day.contains(t(12, 30)).unwrap());
    assert!(!day.contains(t(13, 0)).unwrap());

    assert_eq!(
        QuietHours::new("9:00", "9:00"),
        Err(ValidationError::EmptyQuietHours)
    );
    assert!(matches!(
        QuietHours::parse_range("late"),
        Err(ValidationError::BadTimeOfDay(_))
    ));
    assert_eq!(QuietHours::new("7:5", "22:00").unwrap().start, "07:05");
}

#[test]
fn key_value_updates_change_one_setting_and_keep_the_rest() {
    let base = Settings::default();
    let next = base
        .apply(&SettingsUpdate::from_key_value("max_texts_per_week", "5").unwrap())
        .unwrap();
    assert_eq!(next.caps.max_texts_per_week, 5);
    assert_eq!(next.caps.max_texts_per_day, base.caps.max_texts_per_day);
    assert!(matches!(
        SettingsUpdate::from_key_value("max_texts_per_day", "0"),
        Err(ValidationError::BadCap(_))
    ));
    assert!(matches!(
        SettingsUpdate::from_key_value("colour", "blue"),
        Err(ValidationError::UnknownSetting(_))
    ));
    let q = base
        .apply(&SettingsUpdate::from_key_value("quiet_hours", "22:00-07:30").unwrap())
        .unwrap();
    assert_eq!(q.quiet_hours, QuietHours::new("22:00", "07:30").unwrap());

    // Texts to clients without a language of their own: English unless the desk says.
    assert_eq!(base.language().code, "en");
    let es = base
        .apply(&SettingsUpdate::from_key_value("default_language", "Español").unwrap())
        .unwrap();
    assert_eq!(es.default_language.as_deref(), Some("es"));
    assert_eq!(es.language().code, "es");
    let back = es
        .apply(&SettingsUpdate::from_key_value("default_language", "").unwrap())
        .unwrap();
    assert_eq!(back.language().code, "en");
    assert!(matches!(
        base.apply(&SettingsUpdate::from_key_value("default_language", "fr").unwrap()),
        Err(ValidationError::UnknownLanguage(_))
    ));
}

#[test]
fn region_comes_from_common_locale_forms() {
    assert_eq!(region_from_locale("en-GB").as_deref(), Some("GB"));
    assert_eq!(region_from_locale("de_DE.UTF-8").as_deref(), Some("DE"));
    assert_eq!(region_from_locale("fr-Latn-CA").as_deref(), Some("CA"));
    assert_eq!(region_from_locale("C"), None);
    assert_eq!(region_from_locale("en"), None);
}

#[test]
fn regions_and_zones_lists_hold_the_usual_places() {
    let regions = RegionInfo::all();
    let us = regions.iter().find(|r| r.code == "US").unwrap();
    assert_eq!(us.calling_code, 1);
    assert!(regions
        .iter()
        .any(|r| r.code == "GB" && r.calling_code == 44));
    assert!(!regions.iter().any(|r| r.code == "001"));
    // Hints show numbers the way each country writes them.
    assert_eq!(us.example_national.as_deref(), Some("(201) 555-0123"));
    assert_eq!(us.example_international.as_deref(), Some("+1 201-555-0123"));
    let gb = regions.iter().find(|r| r.code == "GB").unwrap();
    assert_eq!(gb.example_national.as_deref(), Some("07400 123456"));
}

#[test]
fn yes_no_settings_read_any_case_and_refuse_other_words() {
    for (typed, want) in [
        ("TRUE", true),
        ("Yes", true),
        ("on", true),
        ("1", true),
        ("False", false),
        ("NO", false),
        ("off", false),
        ("0", false),
    ] {
        let update = SettingsUpdate::from_key_value("no_sundays", typed).unwrap();
        assert_eq!(update.no_sundays, Some(want), "{typed}");
    }
    for typed in ["maybe", "banana", ""] {
        let err = SettingsUpdate::from_key_value("send_keyword_replies_with_twilio", typed);
        assert!(
            matches!(
                &err,
                Err(ValidationError::BadYesNo {
                    key: "send_keyword_replies_with_twilio",
                    ..
                })
            ),
            "{typed}: {err:?}"
        );
    }
}

#[test]
fn quiet_hours_must_cover_the_night_whatever_the_desk_types() {
    let base = Settings::default();
    for (typed, first_open) in [
        ("00:00-23:59", "23:59"),
        ("08:00-21:00", "22:00"),
        ("23:00-07:00", "22:00"),
        ("21:00-06:30", "06:30"),
        ("12:00-13:00", "22:00"),
    ] {
        let update = SettingsUpdate::from_key_value("quiet_hours", typed).unwrap();
        match base.apply(&update) {
            Err(ValidationError::QuietHoursLeaveNight { at, .. }) => {
                assert_eq!(at, first_open, "{typed}")
            }
            other => panic!("{typed}: {other:?}"),
        }
    }
    for typed in [
        "21:00-08:00",
        "22:00-07:00",
        "20:30-07:00",
        "18:00-09:30",
        "22:00-07:30",
    ] {
        let update = SettingsUpdate::from_key_value("quiet_hours", typed).unwrap();
        assert!(base.apply(&update).is_ok(), "{typed}");
    }
    let err = base
        .apply(&SettingsUpdate::from_key_value("quiet_hours", "08:00-21:00").unwrap())
        .unwrap_err();
    assert_eq!(err.field(), "quiet_hours");
    assert!(err.to_string().contains("at least 22:00 to 07:00"), "{err}");
}
