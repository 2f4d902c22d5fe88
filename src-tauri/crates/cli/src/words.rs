//! Options that take one of a fixed set of words: each set is a clap `ValueEnum`.
//!
//! The option itself is read as text and looked up here, so a word outside the set fails like
//! every other bad value: one line saying what to use, exit status 1, and the JSON failure
//! with `--json` (clap's own rejection would print a usage error and exit 2).

use clap::ValueEnum;

/// The member of `T` spelled exactly `text` (by its name or one of its aliases).
pub(crate) fn word<T: ValueEnum>(text: &str) -> Option<T> {
    T::from_str(text, false).ok()
}

/// Every member of `T` with the word the command line takes for it.
#[cfg(test)]
pub(crate) fn words_of<T: ValueEnum>() -> Vec<(T, String)> {
    T::value_variants()
        .iter()
        .filter_map(|v| Some((v.clone(), v.to_possible_value()?.get_name().to_owned())))
        .collect()
}
