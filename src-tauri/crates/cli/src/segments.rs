//! `tidings-cli segments`: how a text is encoded and how many segments it takes.

use tidings_engine::domain::{segments, Encoding};
use tidings_engine::ErrorPayload;

use crate::output::print_json;

pub(crate) fn run(text: &str, json: bool) -> Result<(), ErrorPayload> {
    let info = segments(text);
    if json {
        return print_json(&info);
    }
    out!(
        "{} · {} segment{} · {} units{}",
        if info.encoding == Encoding::Gsm7 {
            "GSM-7"
        } else {
            "UCS-2"
        },
        info.segments,
        if info.segments == 1 { "" } else { "s" },
        info.units,
        if info.non_gsm.is_empty() {
            String::new()
        } else {
            format!(" · UCS-2 because of {}", info.non_gsm.join(" "))
        }
    );
    Ok(())
}
