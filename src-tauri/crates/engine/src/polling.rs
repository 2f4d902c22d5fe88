//! How often the reply poller asks a real provider for replies, from whether the window is
//! open, when a text last went out and how many polls failed.

use std::sync::atomic::Ordering;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration};
use tidings_domain::ProviderKind;

use crate::Engine;

/// How long the reply poller waits between polls of a real provider (a desk has no public
/// address for webhooks): every 15 s while someone has the window open or a text went out in
/// the last 30 minutes (answers come soon after), every 2 minutes otherwise, doubling after
/// each failed poll up to 10 minutes. The Sandbox needs no polling: its phone delivers at once.
pub fn poll_interval(
    real_provider: bool,
    window_open: bool,
    since_last_sent: Option<Duration>,
    failures: u32,
) -> StdDuration {
    if !real_provider {
        return StdDuration::from_secs(300);
    }
    let busy = window_open || since_last_sent.is_some_and(|d| d < Duration::minutes(30));
    let base: u64 = if busy { 15 } else { 120 };
    let backed_off = base.saturating_mul(1 << failures.min(10));
    StdDuration::from_secs(backed_off.min(600))
}

impl Engine {
    /// The window was shown or hidden (the shell tells the engine).
    pub fn set_window_open(&self, open: bool) {
        self.window_open.store(open, Ordering::SeqCst);
        if open {
            self.wake.notify_one();
        }
    }

    pub(crate) fn note_sent(&self) {
        self.last_sent
            .store(self.now().timestamp(), Ordering::SeqCst);
    }

    /// How long ago a text last went out, if one has since this process started.
    fn since_last_sent(&self) -> Option<Duration> {
        let last = self.last_sent.load(Ordering::SeqCst);
        (last > 0).then(|| self.now() - DateTime::from_timestamp(last, 0).unwrap_or_default())
    }

    /// Whether a text went out in the last `within`.
    pub(crate) fn sent_within(&self, within: Duration) -> bool {
        self.since_last_sent().is_some_and(|since| since <= within)
    }

    pub(crate) fn reply_poll_interval(&self) -> StdDuration {
        poll_interval(
            self.is_real_provider(),
            self.window_open.load(Ordering::SeqCst),
            self.since_last_sent(),
            self.poll_failures.load(Ordering::SeqCst),
        )
    }

    pub(crate) fn is_real_provider(&self) -> bool {
        self.provider().kind() != ProviderKind::Sandbox
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reply_poller_speeds_up_when_answers_are_likely_and_backs_off_on_errors() {
        let secs = |d: StdDuration| d.as_secs();
        assert_eq!(secs(poll_interval(false, true, None, 0)), 300, "Sandbox");
        assert_eq!(secs(poll_interval(true, false, None, 0)), 120, "idle");
        assert_eq!(secs(poll_interval(true, true, None, 0)), 15, "window open");
        assert_eq!(
            secs(poll_interval(true, false, Some(Duration::minutes(5)), 0)),
            15,
            "a text just went out"
        );
        assert_eq!(
            secs(poll_interval(true, false, Some(Duration::hours(2)), 0)),
            120
        );
        assert_eq!(secs(poll_interval(true, true, None, 1)), 30);
        assert_eq!(secs(poll_interval(true, true, None, 3)), 120);
        assert_eq!(secs(poll_interval(true, true, None, 30)), 600, "capped");
    }
}
