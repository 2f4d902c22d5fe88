//! Change events: every write is tagged with where it came from, and the UI applies one batch
//! per write instead of polling.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Who made a write. Stored with every audit entry and sent with every change batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum WriteSource {
    /// A person at the desk, through the app's window.
    Ui,
    /// The engine's own tasks (scheduler, dispatcher, poller).
    Background,
    /// A file import.
    Import,
    /// The command line.
    Cli,
}

impl WriteSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ui => "ui",
            Self::Background => "background",
            Self::Import => "import",
            Self::Cli => "cli",
        }
    }
}

/// One thing that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// Business settings changed (any field).
    Settings,
    /// A text was recorded by the Sandbox carrier.
    SandboxMessage { id: i64 },
    /// A client was added or changed (details, archive flag).
    Client { id: i64 },
    /// A client's consent ledger grew.
    Consent { client_id: i64 },
    /// Many clients changed at once (an import): reload client lists.
    Clients,
    /// The consent disclosures changed.
    Disclosures,
    /// An appointment was booked or changed (time, status, details).
    Appointment { id: i64 },
    /// Many appointments changed at once (an import): reload the calendar.
    Appointments,
    /// The services or staff lists changed.
    Catalog,
    /// A template's wording changed.
    Templates,
    /// The reminder rules changed.
    Rules,
    /// Texts were planned, sent or suppressed.
    Messages,
    /// A backup was made.
    Backups,
    /// A calendar feed was added, removed or read.
    Feeds,
    /// The whole database was replaced from a backup: reload everything.
    Restored,
    /// A thread changed (read, resolved, assigned, answered).
    Thread { id: i64 },
    /// A customer's text arrived on a thread: the window and a desktop notification show it.
    Reply {
        thread_id: i64,
        /// The client's name, or the number when it is unknown.
        from: String,
        /// The start of the text, as plain text.
        preview: String,
    },
}

impl Change {
    /// Every kind of change a screen reloads on, for when what changed is not known (another
    /// program wrote to the database, or the window fell behind on events): everything shown
    /// is read again, and nothing typed is lost (unlike `Restored`, which reloads the window).
    pub fn everything() -> Vec<Change> {
        vec![
            Change::Settings,
            Change::Clients,
            Change::Disclosures,
            Change::Appointments,
            Change::Catalog,
            Change::Templates,
            Change::Rules,
            Change::Messages,
            Change::Backups,
            Change::Feeds,
        ]
    }
}

/// Everything one write changed, sent to the UI as a single event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChangeBatch {
    pub source: WriteSource,
    pub changes: Vec<Change>,
}
