//! The commands the window may call, made from the one list in `command_list.rs`. Each is a
//! thin translation to one engine call; failures reach the UI as `{code, message, field}`.
//!
//! Synchronous engine work (every SQLite read and write) runs on tauri's blocking pool, here and
//! nowhere else, so a long import or a busy database never holds up the async workers that
//! carry the window's other calls and the scheduler.

use std::any::Any;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use tauri::ipc::Request;
use tauri::{AppHandle, State};
use tidings_engine::domain::import::ImportReport;
use tidings_engine::domain::{
    plain_punctuation, segments, AppointmentStatus, ClientInput, ConsentInput, Purpose,
    SegmentInfo, Settings, SettingsUpdate, SetupInput, SmsGateInput, TwilioInput, WriteSource,
};
use tidings_engine::domain::{Appointment, AppointmentInput, Client, ConsentEvent, Service, Staff};
use tidings_engine::{
    AppointmentImportOptions, AppointmentImportPreview, AppointmentImportReport, BackupInfo,
    BackupStatus, ClientDetail, ConnectionCheck, Disclosures, DoctorReport, Engine, ErrorCode,
    ErrorPayload, ExportFormat, ExportSummary, ExportedFile, Feed, FeedInput, FeedRead,
    GatewayStatus, ImportOptions, ImportPreview, InboxCounts, InboxFilter, InboxSearchHit,
    InboxView, InsightsReport, NoticeInput, NoticePreview, NoticeProgress, OutboxMessage, Preset,
    PresetInfo, ProviderHealth, ProviderView, ReminderRule, ReminderRuleInput, RestorePreview,
    RestoreReport, SandboxText, SetupDefaults, StagedFile, Template, TemplatePreview,
    TemplateVersion, ThreadView, TodayView, UpdateInput, UpdatePreview, UpdateTemplate,
    NOTICE_SUGGESTION,
};

use crate::{imports, tray, AppState};

/// Who the audit log names for changes made in the window. (Staff accounts come later.)
pub(crate) const DESK: &str = "desk";

pub(crate) type Reply<T> = Result<T, ErrorPayload>;

/// A failure that is a bug, not something the person did.
pub(crate) fn internal(message: String) -> ErrorPayload {
    ErrorPayload::new(ErrorCode::Internal, message)
}

/// Where exports go: Downloads (or the home folder; `TIDINGS_EXPORT_DIR` in tests).
fn export_folder() -> Reply<std::path::PathBuf> {
    tidings_engine::paths::export_folder().ok_or_else(|| {
        ErrorPayload::new(
            ErrorCode::DataFolder,
            "There is no Downloads or home folder to save the export in.",
        )
    })
}

/// Engine work with its answer boxed, so the blocking pool is entered through one function.
type BoxedWork = Box<dyn FnOnce(&Engine) -> Reply<Box<dyn Any + Send>> + Send>;

/// Runs synchronous engine work on the blocking pool.
///
/// The work is boxed on its way in and its answer on its way out, so the pool's task
/// machinery is compiled once rather than once per command (about seventy copies, which
/// cost the release binary more than its budget allows).
pub(crate) async fn blocking<T: Send + 'static>(
    engine: std::sync::Arc<Engine>,
    work: impl FnOnce(&Engine) -> Reply<T> + Send + 'static,
) -> Reply<T> {
    let answer = on_blocking_pool(
        engine,
        Box::new(move |e: &Engine| work(e).map(|v| Box::new(v) as Box<dyn Any + Send>)),
    )
    .await?;
    answer
        .downcast::<T>()
        .map(|v| *v)
        .map_err(|_| internal("The work's answer was not of the kind asked for.".to_owned()))
}

async fn on_blocking_pool(
    engine: std::sync::Arc<Engine>,
    work: BoxedWork,
) -> Reply<Box<dyn Any + Send>> {
    tauri::async_runtime::spawn_blocking(move || work(&engine))
        .await
        .map_err(|e| internal(format!("The work stopped before it finished: {e}")))?
}

/// The tauri command for one entry of the list, by how it runs.
macro_rules! command_fn {
    (blocking $name:ident ($($arg:ident : $ty:ty),*) -> $ret:ty { |$e:ident| $body:expr }) => {
        #[tauri::command]
        pub async fn $name(state: State<'_, AppState>, $($arg: $ty),*) -> Reply<$ret> {
            blocking(state.engine()?, move |$e: &Engine| Ok($body?)).await
        }
    };
    (value $name:ident ($($arg:ident : $ty:ty),*) -> $ret:ty { |$e:ident| $body:expr }) => {
        #[tauri::command]
        pub async fn $name(state: State<'_, AppState>, $($arg: $ty),*) -> Reply<$ret> {
            blocking(state.engine()?, move |$e: &Engine| Ok($body)).await
        }
    };
    (awaits $name:ident ($($arg:ident : $ty:ty),*) -> $ret:ty { |$e:ident| $body:expr }) => {
        #[tauri::command]
        pub async fn $name(state: State<'_, AppState>, $($arg: $ty),*) -> Reply<$ret> {
            let $e = state.engine()?;
            Ok($body.await?)
        }
    };
    (shell $name:ident ($($arg:ident : $ty:ty),*) -> $ret:ty { $path:path }) => {
        #[tauri::command]
        pub async fn $name(
            app: AppHandle,
            state: State<'_, AppState>,
            $($arg: $ty),*
        ) -> Reply<$ret> {
            $path(&app, &state, $($arg),*).await
        }
    };
    (raw $name:ident () -> $ret:ty { $path:path }) => {
        #[tauri::command]
        pub async fn $name(state: State<'_, AppState>, request: Request<'_>) -> Reply<$ret> {
            $path(&state, &request)
        }
    };
}

macro_rules! tidings_commands {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident ($($arg:ident : $ty:ty),* $(,)?) -> $ret:ty = $kind:ident { $($body:tt)* };
    )*) => {
        $( command_fn!($kind $name ($($arg : $ty),*) -> $ret { $($body)* }); )*

        /// Every command, registered with tauri.
        pub(crate) fn invoke_handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }
    };
}

include!("command_list.rs");

/// Commands that are more than one engine call.
mod custom {
    use super::{AppHandle, AppState, FeedInput, FeedRead, Reply, WriteSource, DESK};

    /// The Sandbox phone texts the business as this customer; the answer is how many replies it
    /// routed.
    pub(crate) async fn sandbox_send(
        _app: &AppHandle,
        state: &AppState,
        phone: String,
        text: String,
    ) -> Reply<u32> {
        let received = state.engine()?.sandbox_send(&phone, &text).await?;
        Ok(u32::try_from(received.len()).unwrap_or(u32::MAX))
    }

    /// Adds a feed after reading it once; a feed that cannot be read is refused with why.
    pub(crate) async fn add_feed(
        _app: &AppHandle,
        state: &AppState,
        input: FeedInput,
    ) -> Reply<FeedRead> {
        let (_, read) = state
            .engine()?
            .add_feed(&input, WriteSource::Ui, DESK)
            .await?;
        Ok(read)
    }
}
