//! The languages customers are texted in. Each is a row of data: its code and names, the words
//! dates are written with, the words a template falls back to, and the keywords and free-text
//! phrases its speakers answer with. Adding a language is adding a row here (and its texts to
//! the shipped templates); nothing else switches on a language.
//!
//! Dates are written from these tables rather than through a locale library: chrono's locale
//! tables would add over a megabyte to a binary kept under 15 MB, for some 20 words a language.

use chrono::{DateTime, Datelike, Timelike};

use crate::keywords::Keyword;
use crate::template::DateStyle;

/// One language customers can be texted in.
#[derive(Debug, PartialEq, Eq)]
pub struct Language {
    /// ISO 639-1 code, as stored ("en", "es").
    pub code: &'static str,
    /// Its name in English, for the desk's screens ("Spanish").
    pub name: &'static str,
    /// Its name in itself ("Español").
    pub native_name: &'static str,
    months: [&'static str; 12],
    /// Monday first.
    weekdays: [&'static str; 7],
    /// "14 March" / "March 14" as the region writes it (English), or always "14 de marzo".
    date_order: DateOrder,
    /// Between a date and a time: " at " / " a las ".
    pub at: &'static str,
    /// What `{first_name}`, `{service}`, `{staff}` and `{minutes}` read when there is nothing.
    pub fallback_name: &'static str,
    pub fallback_service: &'static str,
    pub fallback_staff: &'static str,
    pub fallback_minutes: &'static str,
    /// Whole-message keywords, written without accents, spaces or punctuation.
    keywords: &'static [(&'static str, Keyword)],
    /// Phrases in free text that read as "stop texting me", lower case, without accents.
    opt_out_phrases: &'static [&'static str],
}

#[derive(Debug, PartialEq, Eq)]
enum DateOrder {
    /// English: the region decides ("March 14" in the US, "14 March" in the UK).
    ByRegion,
    /// "14 de marzo".
    DayDeMonth,
}

/// English, the language Tidings falls back to.
pub const ENGLISH: Language = Language {
    code: "en",
    name: "English",
    native_name: "English",
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    weekdays: [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ],
    date_order: DateOrder::ByRegion,
    at: " at ",
    fallback_name: "there",
    fallback_service: "appointment",
    fallback_staff: "us",
    fallback_minutes: "a few",
    keywords: &[
        ("STOP", Keyword::Stop),
        ("STOPALL", Keyword::Stop),
        ("UNSUBSCRIBE", Keyword::Stop),
        ("CANCEL", Keyword::Stop),
        ("END", Keyword::Stop),
        ("QUIT", Keyword::Stop),
        ("REVOKE", Keyword::Stop),
        ("OPTOUT", Keyword::Stop),
        ("START", Keyword::Start),
        ("UNSTOP", Keyword::Start),
        ("HELP", Keyword::Help),
        ("INFO", Keyword::Help),
        ("YES", Keyword::Yes),
        ("Y", Keyword::Yes),
        ("1", Keyword::Yes),
        ("C", Keyword::Yes),
        ("CONFIRM", Keyword::Yes),
        ("NO", Keyword::No),
        ("N", Keyword::No),
        ("2", Keyword::No),
        ("R", Keyword::No),
        ("RESCHEDULE", Keyword::No),
    ],
    opt_out_phrases: &[
        "stop texting",
        "stop messaging",
        "stop sending",
        "stop contacting",
        "remove me",
        "take me off",
        "dont text",
        "don t text",
        "do not text",
        "dont message",
        "do not message",
        "no more texts",
        "no more messages",
        "unsubscribe me",
        "opt me out",
        "leave me alone",
    ],
};

/// Spanish (Latin American usage: "ustedes", "celular").
pub const SPANISH: Language = Language {
    code: "es",
    name: "Spanish",
    native_name: "Español",
    months: [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    weekdays: [
        "lunes",
        "martes",
        "miércoles",
        "jueves",
        "viernes",
        "sábado",
        "domingo",
    ],
    date_order: DateOrder::DayDeMonth,
    at: " a las ",
    fallback_name: "",
    fallback_service: "cita",
    fallback_staff: "nosotros",
    fallback_minutes: "unos",
    keywords: &[
        ("ALTO", Keyword::Stop),
        ("PARAR", Keyword::Stop),
        ("PARE", Keyword::Stop),
        ("CANCELAR", Keyword::Stop),
        ("BAJA", Keyword::Stop),
        ("NOMAS", Keyword::Stop),
        ("DETENER", Keyword::Stop),
        ("COMENZAR", Keyword::Start),
        ("INICIAR", Keyword::Start),
        ("REANUDAR", Keyword::Start),
        ("AYUDA", Keyword::Help),
        ("SI", Keyword::Yes),
        ("CONFIRMAR", Keyword::Yes),
        ("CONFIRMO", Keyword::Yes),
        // "NO" is the same word in English and is read as English's; the answer is the same.
        ("NO", Keyword::No),
        ("CAMBIAR", Keyword::No),
    ],
    opt_out_phrases: &[
        "ya no me manden",
        "ya no me envien",
        "ya no me escriban",
        "no me manden mas",
        "no me envien mas",
        "no me escriban mas",
        "no me manden mensajes",
        "no me envien mensajes",
        "no quiero mas mensajes",
        "no quiero recibir",
        "dejen de mandar",
        "dejen de enviar",
        "dejen de escribir",
        "borrenme",
        "quitenme de",
        "sacarme de",
    ],
};

/// Every language Tidings can text in, English first.
pub const LANGUAGES: [&Language; 2] = [&ENGLISH, &SPANISH];

/// The language with this code ("es", "ES", " es "), if Tidings has it.
pub fn language(code: &str) -> Option<&'static Language> {
    let code = code.trim().to_ascii_lowercase();
    LANGUAGES.into_iter().find(|l| l.code == code)
}

/// A language named the way a person or a spreadsheet would: a code ("es"), its English name
/// ("Spanish") or its own ("Español", "espanol").
pub fn language_named(text: &str) -> Option<&'static Language> {
    // Every mark off, ñ's too: "Espanol" names Español.
    let bare = |t: &str| -> String {
        use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};
        t.trim()
            .to_lowercase()
            .nfd()
            .filter(|c| !is_combining_mark(*c))
            .collect()
    };
    let folded = bare(text);
    if folded.is_empty() {
        return None;
    }
    LANGUAGES.into_iter().find(|l| {
        l.code == folded
            || bare(l.name) == folded
            || bare(l.native_name) == folded
            // "es-US", "es_MX", "en-GB"
            || folded.split(['-', '_']).next() == Some(l.code)
    })
}

/// Letters without their accents ("sí" → "si", "MÁS" → "MAS"); ñ stays ñ. Compatibility
/// forms become their plain letters too: a phone's full-width "ＳＴＯＰ" is "STOP".
pub fn fold(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfkd()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c) || *c == '\u{303}')
        .collect::<String>()
        .nfc()
        .collect()
}

impl Language {
    /// "14 March" / "March 14" / "14 de marzo".
    pub fn date<Tz: chrono::TimeZone>(&self, t: &DateTime<Tz>, style: DateStyle) -> String {
        let month = self.months[t.month0() as usize];
        match self.date_order {
            DateOrder::ByRegion if style.month_first => format!("{month} {}", t.day()),
            DateOrder::ByRegion => format!("{} {month}", t.day()),
            DateOrder::DayDeMonth => format!("{} de {month}", t.day()),
        }
    }

    /// "09:00" / "9:00 AM" (English), "15:00" / "3:00 p. m." (Spanish), by the region's clock.
    pub fn time<Tz: chrono::TimeZone>(&self, t: &DateTime<Tz>, style: DateStyle) -> String {
        if !style.twelve_hour {
            return format!("{:02}:{:02}", t.hour(), t.minute());
        }
        let (pm, hour) = t.hour12();
        let suffix = match (self.code, pm) {
            ("es", false) => "a. m.",
            ("es", true) => "p. m.",
            (_, false) => "AM",
            (_, true) => "PM",
        };
        format!("{hour}:{:02} {suffix}", t.minute())
    }

    /// "Monday" / "lunes".
    pub fn weekday<Tz: chrono::TimeZone>(&self, t: &DateTime<Tz>) -> &'static str {
        self.weekdays[t.weekday().num_days_from_monday() as usize]
    }

    /// The keyword a whole message is in this language.
    fn keyword(&self, squeezed: &str) -> Option<Keyword> {
        self.keywords
            .iter()
            .find(|(word, _)| *word == squeezed)
            .map(|(_, k)| *k)
    }
}

/// The keyword a whole reply is, and the language it was written in (the first language,
/// English first, that has it).
pub fn keyword_in(text: &str) -> Option<(Keyword, &'static Language)> {
    let squeezed = squeeze(text);
    let found = LANGUAGES
        .into_iter()
        .find_map(|l| l.keyword(&squeezed).map(|k| (k, l)));
    if found.is_some() {
        return found;
    }
    // One keyword said twice or more ("STOP STOP", "yes yes!") is that keyword.
    let words = words(text);
    match words.split_first() {
        Some((first, rest)) if !rest.is_empty() && rest.iter().all(|w| w == first) => LANGUAGES
            .into_iter()
            .find_map(|l| l.keyword(first).map(|k| (k, l))),
        _ => None,
    }
}

/// The words of a text, folded and upper case: "Stop, please!" → ["STOP", "PLEASE"].
fn words(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_uppercase)
        .collect()
}

/// Words that open or close a longer text asking to stop ("Stop please", "STOP IT", "please
/// unsubscribe me"): the opt-out keywords that mean nothing else. "Cancel", "End" and "Quit"
/// are not among them: "Cancel my 3pm" is about an appointment.
const OPT_OUT_EDGE_WORDS: [&str; 4] = ["STOP", "STOPALL", "UNSUBSCRIBE", "OPTOUT"];

/// Upper case letters and digits only, accents taken off: "¡Sí!" → "SI", "No más" → "NOMAS".
pub(crate) fn squeeze(text: &str) -> String {
    fold(text)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

/// Free text that reads as "stop texting me" in any language, and which.
pub fn opt_out_language(text: &str) -> Option<&'static Language> {
    let t: String = fold(&text.to_lowercase())
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == ' ' {
                c
            } else {
                ' '
            }
        })
        .collect();
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    let by_phrase = LANGUAGES
        .into_iter()
        .find(|l| l.opt_out_phrases.iter().any(|p| t.contains(p)));
    if by_phrase.is_some() {
        return by_phrase;
    }
    let words = words(text);
    let edge = |pair: Option<String>, one: Option<&String>| {
        one.is_some_and(|w| OPT_OUT_EDGE_WORDS.contains(&w.as_str()))
            || pair.is_some_and(|p| OPT_OUT_EDGE_WORDS.contains(&p.as_str()))
    };
    let opening = edge(words.get(..2).map(|w| w.concat()), words.first());
    let closing = edge(
        words.len().checked_sub(2).map(|i| words[i..].concat()),
        words.last(),
    );
    // Which language the rest is in is not known; English is Tidings' fallback.
    (opening || closing).then_some(&ENGLISH)
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    #[test]
    fn spanish_keywords_whatever_the_case_accents_and_punctuation() {
        for (text, want) in [
            ("ALTO", Keyword::Stop),
            ("alto", Keyword::Stop),
            ("Parar", Keyword::Stop),
            ("PARE!", Keyword::Stop),
            ("cancelar", Keyword::Stop),
            ("Baja", Keyword::Stop),
            ("NO MÁS", Keyword::Stop),
            ("no mas", Keyword::Stop),
            ("No más.", Keyword::Stop),
            ("detener", Keyword::Stop),
            ("COMENZAR", Keyword::Start),
            ("iniciar", Keyword::Start),
            ("Reanudar", Keyword::Start),
            ("AYUDA", Keyword::Help),
            ("ayuda?", Keyword::Help),
            ("¿Ayuda?", Keyword::Help),
            ("SÍ", Keyword::Yes),
            ("sí", Keyword::Yes),
            ("Si", Keyword::Yes),
            ("¡Sí!", Keyword::Yes),
            ("confirmo", Keyword::Yes),
        ] {
            let (k, lang) = keyword_in(text).unwrap_or_else(|| panic!("{text:?} not read"));
            assert_eq!((k, lang.code), (want, "es"), "{text:?}");
        }
        // The words both languages share are read as English's (the answer is the same).
        assert_eq!(
            keyword_in("NO").map(|(k, l)| (k, l.code)),
            Some((Keyword::No, "en"))
        );
        assert_eq!(
            keyword_in("stop").map(|(k, l)| (k, l.code)),
            Some((Keyword::Stop, "en"))
        );
        for near in [
            "sí, pero más tarde",
            "no más tarde",
            "alto ahí",
            "ayudame",
            "sin",
        ] {
            assert_eq!(keyword_in(near), None, "{near:?}");
        }
    }

    #[test]
    fn spanish_free_text_asking_to_stop_is_noticed() {
        for text in [
            "Ya no me manden mensajes",
            "no me escriban más por favor",
            "Por favor dejen de enviarme mensajes",
            "BÓRRENME de su lista",
        ] {
            assert_eq!(
                opt_out_language(text).map(|l| l.code),
                Some("es"),
                "{text:?}"
            );
        }
        assert_eq!(
            opt_out_language("please stop texting me").map(|l| l.code),
            Some("en")
        );
        for text in [
            "¿Me pueden mandar la dirección?",
            "Llego 5 minutos tarde",
            "No puedo ir",
        ] {
            assert_eq!(opt_out_language(text), None, "{text:?}");
        }
    }

    #[test]
    fn a_keyword_said_twice_or_in_full_width_letters_is_that_keyword() {
        for (text, want) in [
            ("STOP STOP", Keyword::Stop),
            ("stop, stop!!", Keyword::Stop),
            ("ＳＴＯＰ", Keyword::Stop),
            ("ｓｔｏｐ", Keyword::Stop),
            ("yes yes", Keyword::Yes),
            ("ALTO ALTO", Keyword::Stop),
        ] {
            assert_eq!(keyword_in(text).map(|(k, _)| k), Some(want), "{text:?}");
        }
        for text in ["stop yes", "yes no", "no no no way"] {
            assert_eq!(keyword_in(text), None, "{text:?}");
        }
    }

    #[test]
    fn stop_opening_or_closing_a_longer_text_is_a_possible_opt_out() {
        for text in [
            "Stop please",
            "STOP IT",
            "please stop",
            "Stop!! I never signed up",
            "unsubscribe me",
            "Opt out please",
            "ＳＴＯＰ ｐｌｅａｓｅ",
        ] {
            assert!(opt_out_language(text).is_some(), "{text:?}");
        }
        for text in [
            "Cancel my 3pm please",
            "Can I stop by at 3?",
            "End of the day works",
            "Quit worrying, I'll be there",
            "I'll stop at the pharmacy first",
        ] {
            assert_eq!(opt_out_language(text), None, "{text:?}");
        }
    }

    #[test]
    fn dates_in_spanish_read_as_a_spanish_speaker_writes_them() {
        let monday = Utc.with_ymd_and_hms(2027, 5, 10, 15, 0, 0).unwrap();
        let uk = DateStyle::for_region("ES");
        let us = DateStyle::for_region("US");
        assert_eq!(SPANISH.weekday(&monday), "lunes");
        assert_eq!(SPANISH.date(&monday, uk), "10 de mayo");
        assert_eq!(SPANISH.date(&monday, us), "10 de mayo");
        assert_eq!(SPANISH.time(&monday, uk), "15:00");
        assert_eq!(SPANISH.time(&monday, us), "3:00 p. m.");
        assert_eq!(ENGLISH.date(&monday, us), "May 10");
        assert_eq!(ENGLISH.date(&monday, uk), "10 May");
        assert_eq!(ENGLISH.time(&monday, us), "3:00 PM");
        let morning = Utc.with_ymd_and_hms(2027, 5, 10, 9, 5, 0).unwrap();
        assert_eq!(SPANISH.time(&morning, us), "9:05 a. m.");
        assert_eq!(ENGLISH.time(&morning, uk), "09:05");
    }

    #[test]
    fn languages_are_found_by_code_or_name() {
        for text in [
            "es", "ES", "Spanish", "español", "Espanol", "es-US", "es_MX",
        ] {
            assert_eq!(language_named(text).map(|l| l.code), Some("es"), "{text:?}");
        }
        for text in ["en", "English", "en-GB"] {
            assert_eq!(language_named(text).map(|l| l.code), Some("en"), "{text:?}");
        }
        for text in ["", "fr", "Klingon"] {
            assert_eq!(language_named(text), None, "{text:?}");
        }
        assert_eq!(language(" ES ").map(|l| l.code), Some("es"));
        assert_eq!(fold("Sí, mañana"), "Si, mañana");
    }
}
