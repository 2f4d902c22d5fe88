//! A customer's reply of any text: the keyword table, the feedback answer, the opt-out check
//! and the segment count the inbox shows. Never a panic, and a keyword is the same whatever
//! spaces or punctuation surround it ("STOP", " stop! ").
#![no_main]

use libfuzzer_sys::fuzz_target;
use tidings_domain::keywords::{feedback_answer, keyword, looks_like_opt_out};
use tidings_domain::segments;

fuzz_target!(|text: &str| {
    let word = keyword(text);
    assert_eq!(keyword(&format!("  {text} !")), word);
    let _ = feedback_answer(text);
    let _ = looks_like_opt_out(text);
    let info = segments(text);
    assert_eq!(info.segments == 0, text.is_empty());
});
