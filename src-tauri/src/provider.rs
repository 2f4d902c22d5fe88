//! Commands for Settings → Provider: Sandbox or Twilio, test connection, a test text, and
//! resuming after sending was paused.

use tauri::State;
use tidings_engine::domain::{SmsGateInput, TwilioInput, WriteSource};
use tidings_engine::{ConnectionCheck, GatewayStatus, OutboxMessage, ProviderHealth, ProviderView};

use crate::commands::{Reply, DESK};
use crate::AppState;

#[tauri::command]
pub async fn get_provider(state: State<'_, AppState>) -> Reply<ProviderView> {
    state.engine()?.provider_view().map_err(|e| e.payload())
}

#[tauri::command]
pub async fn test_twilio_connection(
    state: State<'_, AppState>,
    input: TwilioInput,
) -> Reply<ConnectionCheck> {
    state
        .engine()?
        .test_connection(&input)
        .await
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn connect_twilio(state: State<'_, AppState>, input: TwilioInput) -> Reply<ProviderView> {
    state
        .engine()?
        .connect_twilio(&input, WriteSource::Ui, DESK)
        .await
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn use_sandbox(state: State<'_, AppState>, forget: bool) -> Reply<ProviderView> {
    state
        .engine()?
        .use_sandbox(forget, WriteSource::Ui, DESK)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn send_test_text(state: State<'_, AppState>, to: String) -> Reply<OutboxMessage> {
    state
        .engine()?
        .send_test_text(&to, WriteSource::Ui, DESK)
        .await
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn resume_sending(state: State<'_, AppState>) -> Reply<ProviderView> {
    state
        .engine()?
        .resume_sending(WriteSource::Ui)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn test_smsgate_connection(
    state: State<'_, AppState>,
    input: SmsGateInput,
) -> Reply<GatewayStatus> {
    state
        .engine()?
        .test_smsgate(&input)
        .await
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn connect_smsgate(
    state: State<'_, AppState>,
    input: SmsGateInput,
) -> Reply<ProviderView> {
    state
        .engine()?
        .connect_smsgate(&input, WriteSource::Ui, DESK)
        .await
        .map_err(|e| e.payload())
}

/// Today's "the provider has not answered since …": no keyring, no network.
#[tauri::command]
pub async fn get_provider_health(state: State<'_, AppState>) -> Reply<ProviderHealth> {
    state.engine()?.provider_health().map_err(|e| e.payload())
}
