//! How a text travels: GSM-7 or UCS-2, and how many segments it costs.
//!
//! Written here because no maintained crate counts SMS segments: the rules are the GSM 03.38
//! character tables (the basic set, and the extension set whose characters take two septets)
//! and the segment sizes of 3GPP 23.040 (160/153 septets, 70/67 UCS-2 units).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTENSION: &str = "^{}\\[~]|€\u{c}";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum Encoding {
    #[serde(rename = "GSM-7")]
    #[ts(rename = "GSM-7")]
    Gsm7,
    #[serde(rename = "UCS-2")]
    #[ts(rename = "UCS-2")]
    Ucs2,
}

impl Encoding {
    /// The name stored with a text ("GSM-7" or "UCS-2").
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Gsm7 => "GSM-7",
            Encoding::Ucs2 => "UCS-2",
        }
    }

    /// The encoding a stored name stands for; anything but "UCS-2" is GSM-7.
    pub fn parse(text: &str) -> Self {
        if text == "UCS-2" {
            Encoding::Ucs2
        } else {
            Encoding::Gsm7
        }
    }
}

/// What a text costs to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SegmentInfo {
    pub encoding: Encoding,
    pub segments: u32,
    /// Septets (GSM-7) or UTF-16 units (UCS-2).
    pub units: u32,
    /// The characters that force UCS-2, each once, in order of appearance.
    pub non_gsm: Vec<String>,
    /// How many units are left in the last segment before another one starts.
    pub remaining: u32,
}

fn gsm_units(c: char) -> Option<u32> {
    if GSM_BASIC.contains(c) {
        Some(1)
    } else if GSM_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Encoding, segment count and the characters that force UCS-2.
pub fn segments(text: &str) -> SegmentInfo {
    let mut non_gsm: Vec<String> = Vec::new();
    let mut septets = 0u32;
    for c in text.chars() {
        match gsm_units(c) {
            Some(n) => septets += n,
            None => {
                let s = c.to_string();
                if !non_gsm.contains(&s) {
                    non_gsm.push(s);
                }
            }
        }
    }
    let (encoding, units, single, multi) = if non_gsm.is_empty() {
        (Encoding::Gsm7, septets, 160, 153)
    } else {
        let units = u32::try_from(text.encode_utf16().count()).unwrap_or(u32::MAX);
        (Encoding::Ucs2, units, 70, 67)
    };
    let segments = if units == 0 {
        0
    } else if units <= single {
        1
    } else {
        units.div_ceil(multi)
    };
    let capacity = match segments {
        0 => single,
        1 => single,
        n => n * multi,
    };
    SegmentInfo {
        encoding,
        segments,
        units,
        non_gsm,
        remaining: capacity.saturating_sub(units),
    }
}

/// Replaces the typographic characters word processors insert (curly quotes, dashes,
/// ellipses, non-breaking spaces) with their plain GSM equivalents, and accented letters GSM-7
/// lacks with the letter without its accent ("á" → "a", "Í" → "I"; "é", "ñ" and "ü" are GSM and
/// stay). The editor offers it, per template, when a text would be UCS-2 (70 characters a
/// segment instead of 160); it is never applied on its own.
pub fn plain_punctuation(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let text: String = text
        .chars()
        .map(|c| {
            if gsm_units(c).is_some() {
                return c;
            }
            // The base letter, when it is a GSM letter and the rest are accents.
            let mut parts = std::iter::once(c).nfd();
            match (
                parts.next(),
                parts.all(unicode_normalization::char::is_combining_mark),
            ) {
                (Some(base), true)
                    if base != c && base.is_alphabetic() && gsm_units(base).is_some() =>
                {
                    base
                }
                _ => c,
            }
        })
        .collect();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{2032}' | '\u{00B4}' | '`' => out.push('\''),
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{2033}' | '\u{00AB}' | '\u{00BB}' => {
                out.push('"')
            }
            '\u{2013}' | '\u{2014}' | '\u{2012}' | '\u{2212}' | '\u{2010}' | '\u{2011}' => {
                out.push('-')
            }
            '\u{2026}' => out.push_str("..."),
            '\u{00A0}' | '\u{2007}' | '\u{202F}' | '\u{2009}' | '\u{200A}' => out.push(' '),
            '\u{200B}' | '\u{FEFF}' => {}
            '\u{2022}' => out.push('-'),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spanish_accents_gsm_lacks_are_taken_off_on_request_and_the_text_fits_one_segment() {
        let text = "Responda SÍ para confirmar o NO para cambiarla. Responda ALTO para no recibir más mensajes. ¿Dudas? Llame al teléfono de la clínica, señora Núñez.";
        assert_eq!(segments(text).encoding, Encoding::Ucs2);
        let plain = plain_punctuation(text);
        assert_eq!(
            plain,
            "Responda SI para confirmar o NO para cambiarla. Responda ALTO para no recibir mas mensajes. ¿Dudas? Llame al teléfono de la clinica, señora Nuñez."
        );
        let cost = segments(&plain);
        assert_eq!((cost.encoding, cost.segments), (Encoding::Gsm7, 1));
        // Letters with no plain GSM form are left as they are (and the text stays UCS-2).
        assert_eq!(plain_punctuation("Zoë, Łódź, 你好"), "Zoe, Łodz, 你好");
    }

    #[test]
    fn plain_text_is_gsm_and_counts_by_160_then_153() {
        let s = segments("Hi Ann, see you at 10:00 tomorrow. Reply YES to confirm.");
        assert_eq!(s.encoding, Encoding::Gsm7);
        assert_eq!(s.segments, 1);
        assert_eq!(segments(&"a".repeat(160)).segments, 1);
        assert_eq!(segments(&"a".repeat(161)).segments, 2);
        assert_eq!(segments(&"a".repeat(306)).segments, 2);
        assert_eq!(segments(&"a".repeat(307)).segments, 3);
        assert_eq!(segments("").segments, 0);
    }

    #[test]
    fn extension_characters_count_double() {
        let s = segments("€10 {deposit}");
        assert_eq!(s.encoding, Encoding::Gsm7);
        assert_eq!(s.units, 13 + 3);
        assert_eq!(segments(&"€".repeat(80)).segments, 1);
        assert_eq!(segments(&"€".repeat(81)).segments, 2);
    }

    #[test]
    fn one_smart_quote_makes_it_ucs2_and_is_named() {
        let s = segments("See you tomorrow – it’s at 10:00…");
        assert_eq!(s.encoding, Encoding::Ucs2);
        assert_eq!(s.non_gsm, vec!["–", "’", "…"]);
        assert_eq!(segments(&"é".repeat(70)).encoding, Encoding::Gsm7);
        assert_eq!(segments(&"ą".repeat(70)).segments, 1);
        assert_eq!(segments(&"ą".repeat(71)).segments, 2);
        assert_eq!(segments("👋").units, 2, "an emoji is two UTF-16 units");

        let fixed = plain_punctuation("See you tomorrow – it’s at 10:00…");
        assert_eq!(fixed, "See you tomorrow - it's at 10:00...");
        assert_eq!(segments(&fixed).encoding, Encoding::Gsm7);
    }
}
