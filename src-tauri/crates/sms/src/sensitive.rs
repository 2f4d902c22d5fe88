//! A value that must never reach a log, an error message, a serialized payload or the UI.

use std::fmt;

/// Wraps a secret. It has no `Display` and no `Serialize`; `Debug` prints a placeholder, so a
/// stray `{:?}` or `tracing` field cannot leak it. The only way to the value is [`expose`].
///
/// [`expose`]: Sensitive::expose
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The secret itself, for the one place that needs it (the Authorization header, the
    /// keyring).
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sensitive(<redacted>)")
    }
}

impl From<String> for Sensitive<String> {
    fn from(value: String) -> Self {
        Self(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Sensitive::new("hunter2-very-secret".to_owned());
        let shown = format!("{secret:?} {:?}", Some(&secret));
        assert!(!shown.contains("hunter2"), "{shown}");
        assert_eq!(secret.expose(), "hunter2-very-secret");
    }
}
