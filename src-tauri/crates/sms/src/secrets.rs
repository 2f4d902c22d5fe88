//! Provider secrets in the OS keyring (Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows). Nothing else ever holds them: no database, no file, no fallback.

use std::sync::Arc;

use keyring_core::{CredentialStore, Entry, Error as KeyringError};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Sensitive;

/// Debug and release builds keep their secrets apart, so a developer's test account can never
/// be picked up by an installed copy (or the other way round).
pub const SERVICE: &str = if cfg!(debug_assertions) {
    "app.tidings.desk.debug"
} else {
    "app.tidings.desk"
};

/// Why the keyring could not be used, each with what the person at the desk can do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("This computer has no keyring service running (Tidings keeps provider secrets only there, never in a file). Install or start GNOME Keyring or KWallet, sign out and in again, then try once more. Detail: {0}")]
    NoKeyring(String),
    #[error("The keyring is locked. Unlock it (your computer's login password usually does) and try again.")]
    Locked,
    #[error(
        "No secret is stored for this provider account. Enter it again in Settings → Provider."
    )]
    Missing,
    #[error("The keyring refused the request: {0}")]
    Failed(String),
}

impl SecretError {
    /// A short state for `doctor` and the Settings screen.
    pub fn state(&self) -> KeyringState {
        match self {
            Self::NoKeyring(_) => KeyringState::Unavailable,
            Self::Locked => KeyringState::Locked,
            Self::Missing => KeyringState::Available,
            Self::Failed(_) => KeyringState::Unavailable,
        }
    }
}

/// The keyring as far as Tidings needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum KeyringState {
    Available,
    Locked,
    Unavailable,
}

fn classify(err: KeyringError) -> SecretError {
    match err {
        KeyringError::NoEntry => SecretError::Missing,
        KeyringError::NoStorageAccess(_) => SecretError::Locked,
        KeyringError::NoDefaultStore => {
            SecretError::NoKeyring("no credential store could be opened".into())
        }
        KeyringError::PlatformFailure(detail) => {
            let text = detail.to_string();
            // zbus reports a locked collection as a platform failure naming it.
            if text.contains("locked") || text.contains("Locked") {
                SecretError::Locked
            } else {
                SecretError::NoKeyring(text)
            }
        }
        other => SecretError::Failed(other.to_string()),
    }
}

#[derive(Clone)]
enum Backend {
    /// The platform's keyring, opened afresh for each use so that a keyring started or
    /// unlocked after Tidings is picked up without a restart.
    Os,
    /// A given store (the in-memory mock in unit tests).
    Store(Arc<CredentialStore>),
}

/// Where provider secrets live.
#[derive(Clone)]
pub struct Keyring {
    backend: Backend,
    service: String,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

impl Keyring {
    /// The operating system's keyring.
    pub fn os() -> Self {
        Self {
            backend: Backend::Os,
            service: SERVICE.to_owned(),
        }
    }

    /// A specific credential store, such as `keyring_core::mock::Store` in tests.
    pub fn with_store(store: Arc<CredentialStore>) -> Self {
        Self {
            backend: Backend::Store(store),
            service: SERVICE.to_owned(),
        }
    }

    fn entry(&self, account: &str) -> Result<Entry, SecretError> {
        match &self.backend {
            Backend::Store(store) => {
                Entry::new_in_store(store, &self.service, account).map_err(classify)
            }
            Backend::Os => os_store()
                .and_then(|store| Entry::new_in_store(&store, &self.service, account))
                .map_err(classify),
        }
    }

    pub fn get(&self, account: &str) -> Result<Sensitive<String>, SecretError> {
        self.entry(account)?
            .get_password()
            .map(Sensitive::new)
            .map_err(classify)
    }

    pub fn set(&self, account: &str, secret: &Sensitive<String>) -> Result<(), SecretError> {
        self.entry(account)?
            .set_password(secret.expose())
            .map_err(classify)
    }

    /// Forgets a secret; forgetting one that is not there is fine.
    pub fn delete(&self, account: &str) -> Result<(), SecretError> {
        match self.entry(account)?.delete_credential().map_err(classify) {
            Ok(()) | Err(SecretError::Missing) => Ok(()),
            Err(err) => Err(err),
        }
    }

    /// Whether secrets can be read and written right now (an absent entry still means yes).
    pub fn state(&self) -> Result<KeyringState, SecretError> {
        match self.get("tidings-keyring-probe") {
            Ok(_) | Err(SecretError::Missing) => Ok(KeyringState::Available),
            Err(err) => Err(err),
        }
    }
}

#[cfg(target_os = "linux")]
fn os_store() -> keyring_core::Result<Arc<CredentialStore>> {
    // The same Secret Service store the `keyring` crate uses on Linux, opened for each use
    // (`keyring::Entry` would cache a failed start-up for the life of the process).
    let store: Arc<CredentialStore> = zbus_secret_service_keyring_store::Store::new()?;
    Ok(store)
}

#[cfg(not(target_os = "linux"))]
fn os_store() -> keyring_core::Result<Arc<CredentialStore>> {
    // Keychain or Credential Manager, as the `keyring` crate sets them up.
    keyring::Entry::store_status().as_ref().map_err(|err| {
        KeyringError::NoStorageAccess(Box::new(std::io::Error::other(err.to_string())))
    })?;
    keyring_core::get_default_store().ok_or(KeyringError::NoDefaultStore)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mock() -> Keyring {
        let store: Arc<CredentialStore> = keyring_core::mock::Store::new().unwrap();
        Keyring::with_store(store)
    }

    #[test]
    fn stores_reads_and_forgets_a_secret() {
        let keyring = mock();
        assert_eq!(keyring.get("twilio:AC1"), Err(SecretError::Missing));
        keyring
            .set("twilio:AC1", &Sensitive::new("s3cret".to_owned()))
            .unwrap();
        assert_eq!(keyring.get("twilio:AC1").unwrap().expose(), "s3cret");
        keyring.delete("twilio:AC1").unwrap();
        keyring.delete("twilio:AC1").unwrap();
        assert_eq!(keyring.get("twilio:AC1"), Err(SecretError::Missing));
    }

    #[test]
    fn each_keyring_failure_has_its_own_message() {
        let locked = classify(KeyringError::NoStorageAccess(Box::new(
            std::io::Error::other("collection is locked"),
        )));
        assert_eq!(locked, SecretError::Locked);
        let none = classify(KeyringError::PlatformFailure(Box::new(std::io::Error::other(
            "org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided",
        ))));
        assert!(matches!(none, SecretError::NoKeyring(_)));
        assert_ne!(locked.to_string(), none.to_string());
        assert_ne!(SecretError::Missing.to_string(), none.to_string());
    }
}
