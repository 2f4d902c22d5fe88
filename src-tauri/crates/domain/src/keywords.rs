//! What a customer's reply means, per DESIGN's keyword table: the whole message, with case,
//! accents, spaces and punctuation ignored, in each language of `crate::language`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::language::{keyword_in, opt_out_language, squeeze};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum Keyword {
    Stop,
    Start,
    Help,
    Yes,
    No,
}

/// The keyword a whole reply is, if it is one, in any language Tidings knows (see
/// `crate::language` for the words, and `keyword_in` for the language it was written in).
pub fn keyword(text: &str) -> Option<Keyword> {
    keyword_in(text).map(|(k, _)| k)
}

/// An answer to "how did your visit go?": a rating "1" to "5" (also "5/5", "4 stars"), or
/// "yes" / "no". Anything longer is free text for staff.
pub fn feedback_answer(text: &str) -> Option<String> {
    let squeezed = squeeze(text);
    let rating = squeezed
        .strip_suffix("STARS")
        .or_else(|| squeezed.strip_suffix("STAR"))
        .or_else(|| {
            squeezed
                .strip_suffix('5')
                .filter(|r| r.len() == 1 && text.contains('/'))
        })
        .unwrap_or(&squeezed);
    match rating {
        "1" | "2" | "3" | "4" | "5" => Some(rating.to_owned()),
        _ => match keyword(text) {
            Some(Keyword::Yes) => Some("yes".to_owned()),
            Some(Keyword::No) => Some("no".to_owned()),
            _ => None,
        },
    }
}

/// Whether a follow-up answer says the visit went badly (staff should get in touch).
pub fn feedback_is_poor(answer: &str) -> bool {
    matches!(answer, "1" | "2" | "no")
}

/// Free text that reasonably reads as "stop texting me", in any language Tidings knows (flagged
/// for staff to review; the law asks for opt-outs by any reasonable means to be honoured).
pub fn looks_like_opt_out(text: &str) -> bool {
    opt_out_language(text).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follow_up_answers_are_ratings_or_yes_no() {
        for (text, want) in [
            ("5", Some("5")),
            (" 4! ", Some("4")),
            ("5/5", Some("5")),
            ("3 stars", Some("3")),
            ("1", Some("1")),
            ("Yes", Some("yes")),
            ("n", Some("no")),
            ("6", None),
            ("10", None),
            ("it was great", None),
            ("STOP", None),
        ] {
            assert_eq!(feedback_answer(text).as_deref(), want, "{text:?}");
        }
        assert!(feedback_is_poor("2") && feedback_is_poor("no") && !feedback_is_poor("4"));
    }

    #[test]
    fn the_keyword_table_case_by_case() {
        for (text, want) in [
            ("STOP", Keyword::Stop),
            ("stop", Keyword::Stop),
            ("Stop.", Keyword::Stop),
            (" s t o p ", Keyword::Stop),
            ("STOPALL", Keyword::Stop),
            ("Unsubscribe", Keyword::Stop),
            ("cancel", Keyword::Stop),
            ("END", Keyword::Stop),
            ("quit!", Keyword::Stop),
            ("revoke", Keyword::Stop),
            ("OPTOUT", Keyword::Stop),
            ("Opt out", Keyword::Stop),
            ("opt-out", Keyword::Stop),
            ("START", Keyword::Start),
            ("unstop", Keyword::Start),
            ("HELP", Keyword::Help),
            ("info?", Keyword::Help),
            ("YES", Keyword::Yes),
            ("y", Keyword::Yes),
            ("1", Keyword::Yes),
            ("C", Keyword::Yes),
            ("Confirm!", Keyword::Yes),
            ("Yes.", Keyword::Yes),
            ("NO", Keyword::No),
            ("n", Keyword::No),
            ("2", Keyword::No),
            ("R", Keyword::No),
            ("reschedule", Keyword::No),
        ] {
            assert_eq!(keyword(text), Some(want), "{text:?}");
        }
    }

    #[test]
    fn near_misses_are_not_keywords() {
        for text in [
            "yesterday",
            "Yes please, but can we move it?",
            "STOP IT",
            "stopped",
            "nope",
            "12",
            "help me find parking",
            "no way",
            "Cancelled?!",
            "",
        ] {
            assert_eq!(keyword(text), None, "{text:?}");
        }
    }

    #[test]
    fn free_text_opt_outs_are_noticed() {
        assert!(looks_like_opt_out("Please stop texting me"));
        assert!(looks_like_opt_out("REMOVE ME from your list"));
        assert!(looks_like_opt_out("don't text me again"));
        assert!(!looks_like_opt_out("Can you text me the address?"));
        assert!(!looks_like_opt_out("Running 5 min late"));
    }
}
