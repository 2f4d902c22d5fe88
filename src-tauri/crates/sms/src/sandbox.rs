//! The Sandbox carrier: a simulated provider whose messages live in the app's own database.
//! Texts sent now are "delivered" at once; scheduled texts wait at the carrier until they are
//! due or cancelled; the Sandbox phone in the UI answers as the customer would.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tidings_domain::ProviderKind;
use tidings_store::{NewSandboxRecord, SandboxDirection, SandboxRecord, Store, StoreError};

use crate::{
    InboundPage, InboundText, OutboundText, Provider, ProviderError, ProviderRecord,
    ProviderStatus, SendReceipt, StatusReport,
};

/// The number the Sandbox carrier sends from (a reserved fictional number).
pub const SANDBOX_NUMBER: &str = "+15555550100";

const PAGE: u32 = 200;

/// The simulated carrier. `now` is injected so the engine's clock governs it too.
pub struct SandboxProvider {
    store: Arc<Store>,
    now: Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>,
}

impl std::fmt::Debug for SandboxProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxProvider").finish_non_exhaustive()
    }
}

fn storage(err: StoreError) -> ProviderError {
    ProviderError::Storage(err.to_string())
}

fn parse_time(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn status_of(record: &SandboxRecord) -> ProviderStatus {
    match record.status.as_str() {
        "scheduled" => ProviderStatus::Scheduled,
        "canceled" => ProviderStatus::Canceled,
        _ => ProviderStatus::Delivered,
    }
}

impl SandboxProvider {
    pub fn new(store: Arc<Store>, now: Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>) -> Self {
        Self { store, now }
    }

    fn new_id() -> String {
        format!("SB{}", uuid::Uuid::new_v4().simple())
    }

    /// A text from a customer's phone to the business, as the Sandbox phone sends it.
    pub fn customer_sends(&self, from: &str, body: &str) -> Result<InboundText, ProviderError> {
        let now = (self.now)();
        let record = self
            .store
            .insert_sandbox_record(&NewSandboxRecord {
                provider_id: &Self::new_id(),
                direction: SandboxDirection::Inbound,
                from_number: from,
                to_number: SANDBOX_NUMBER,
                body,
                status: "received",
                send_at: None,
                created_at: now,
            })
            .map_err(storage)?;
        Ok(inbound(&record))
    }

    /// The status a record has at `now`: a scheduled text whose time has come is delivered.
    fn status_now(&self, record: &SandboxRecord) -> ProviderStatus {
        match (status_of(record), record.send_at.as_deref()) {
            (ProviderStatus::Scheduled, Some(at)) if parse_time(at) <= (self.now)() => {
                ProviderStatus::Delivered
            }
            (status, _) => status,
        }
    }
}

fn inbound(record: &SandboxRecord) -> InboundText {
    InboundText {
        provider_id: record.provider_id.clone(),
        from: record.from_number.clone(),
        to: record.to_number.clone(),
        body: record.body.clone(),
        received_at: parse_time(&record.created_at),
    }
}

#[async_trait]
impl Provider for SandboxProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Sandbox
    }

    async fn send(&self, text: &OutboundText) -> Result<SendReceipt, ProviderError> {
        let now = (self.now)();
        let scheduled = text.send_at.filter(|at| *at > now);
        let record = self
            .store
            .insert_sandbox_record(&NewSandboxRecord {
                provider_id: &Self::new_id(),
                direction: SandboxDirection::Outbound,
                from_number: SANDBOX_NUMBER,
                to_number: &text.to,
                body: &text.body,
                status: if scheduled.is_some() {
                    "scheduled"
                } else {
                    "delivered"
                },
                send_at: scheduled,
                created_at: now,
            })
            .map_err(storage)?;
        Ok(SendReceipt {
            status: status_of(&record),
            provider_id: record.provider_id,
        })
    }

    async fn cancel_scheduled(&self, provider_id: &str) -> Result<(), ProviderError> {
        let record = self
            .store
            .sandbox_record(provider_id)
            .map_err(storage)?
            .ok_or_else(|| ProviderError::NotFound(provider_id.to_owned()))?;
        match self.status_now(&record) {
            ProviderStatus::Scheduled => {
                self.store
                    .set_sandbox_status(provider_id, "scheduled", "canceled")
                    .map_err(storage)?;
                Ok(())
            }
            ProviderStatus::Canceled => Ok(()),
            _ => Err(ProviderError::Permanent {
                code: "already_sent".into(),
                message: "the text has already gone out and can't be cancelled".into(),
            }),
        }
    }

    async fn fetch_status(&self, provider_id: &str) -> Result<StatusReport, ProviderError> {
        let record = self
            .store
            .sandbox_record(provider_id)
            .map_err(storage)?
            .ok_or_else(|| ProviderError::NotFound(provider_id.to_owned()))?;
        Ok(StatusReport::of(self.status_now(&record)))
    }

    async fn list_inbound(&self, cursor: Option<&str>) -> Result<InboundPage, ProviderError> {
        let after = cursor.and_then(|c| c.parse::<i64>().ok()).unwrap_or(0);
        let records = self
            .store
            .sandbox_records_after(SandboxDirection::Inbound, after, PAGE)
            .map_err(storage)?;
        let next_cursor = records.last().map(|r| r.id.to_string());
        Ok(InboundPage {
            texts: records.iter().map(inbound).collect(),
            next_cursor: next_cursor.or_else(|| cursor.map(str::to_owned)),
        })
    }

    async fn messages_to(
        &self,
        to: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<ProviderRecord>, ProviderError> {
        let mut found = Vec::new();
        let mut after = 0;
        loop {
            let page = self
                .store
                .sandbox_records_after(SandboxDirection::Outbound, after, PAGE)
                .map_err(storage)?;
            let Some(last) = page.last() else { break };
            after = last.id;
            found.extend(
                page.iter()
                    .filter(|r| r.to_number == to && parse_time(&r.created_at) >= since)
                    .map(|r| ProviderRecord {
                        provider_id: r.provider_id.clone(),
                        to: r.to_number.clone(),
                        body: r.body.clone(),
                        status: self.status_now(r),
                        created_at: parse_time(&r.created_at),
                    }),
            );
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};
    use std::sync::Mutex;

    struct Fixture {
        _dir: tempfile::TempDir,
        now: Arc<Mutex<DateTime<Utc>>>,
        sandbox: SandboxProvider,
    }

    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(&dir.path().join("t.sqlite3")).unwrap());
        let now = Arc::new(Mutex::new(
            Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap(),
        ));
        let clock = now.clone();
        let sandbox = SandboxProvider::new(store, Arc::new(move || *clock.lock().unwrap()));
        Fixture {
            _dir: dir,
            now,
            sandbox,
        }
    }

    fn text(send_at: Option<DateTime<Utc>>) -> OutboundText {
        OutboundText {
            to: "+447700900123".into(),
            body: "Reminder: 10:00 tomorrow. Reply YES to confirm.".into(),
            send_at,
            key: None,
        }
    }

    #[tokio::test]
    async fn a_text_sent_now_is_delivered_and_found_when_reconciling() {
        let f = fixture();
        let receipt = f.sandbox.send(&text(None)).await.unwrap();
        assert_eq!(receipt.status, ProviderStatus::Delivered);
        assert!(receipt.provider_id.starts_with("SB"));
        assert_eq!(
            f.sandbox
                .fetch_status(&receipt.provider_id)
                .await
                .unwrap()
                .status,
            ProviderStatus::Delivered
        );
        let since = *f.now.lock().unwrap() - Duration::minutes(1);
        let found = f.sandbox.messages_to("+447700900123", since).await.unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].provider_id, receipt.provider_id);
        assert!(f
            .sandbox
            .messages_to("+447700900999", since)
            .await
            .unwrap()
            .is_empty());
    }

    #[tokio::test]
    async fn a_scheduled_text_waits_can_be_cancelled_and_goes_out_when_due() {
        let f = fixture();
        let later = *f.now.lock().unwrap() + Duration::hours(2);
        let kept = f.sandbox.send(&text(Some(later))).await.unwrap();
        let dropped = f.sandbox.send(&text(Some(later))).await.unwrap();
        assert_eq!(kept.status, ProviderStatus::Scheduled);

        f.sandbox
            .cancel_scheduled(&dropped.provider_id)
            .await
            .unwrap();
        assert_eq!(
            f.sandbox
                .fetch_status(&dropped.provider_id)
                .await
                .unwrap()
                .status,
            ProviderStatus::Canceled
        );

        *f.now.lock().unwrap() = later;
        assert_eq!(
            f.sandbox
                .fetch_status(&kept.provider_id)
                .await
                .unwrap()
                .status,
            ProviderStatus::Delivered
        );
        assert!(matches!(
            f.sandbox.cancel_scheduled(&kept.provider_id).await,
            Err(ProviderError::Permanent { .. })
        ));
        assert_eq!(
            f.sandbox
                .fetch_status(&dropped.provider_id)
                .await
                .unwrap()
                .status,
            ProviderStatus::Canceled
        );
        assert!(matches!(
            f.sandbox.fetch_status("SBnothing").await,
            Err(ProviderError::NotFound(_))
        ));
    }

    #[tokio::test]
    async fn inbound_texts_page_forward_from_a_cursor() {
        let f = fixture();
        f.sandbox.customer_sends("+447700900123", "YES").unwrap();
        let first = f.sandbox.list_inbound(None).await.unwrap();
        assert_eq!(first.texts.len(), 1);
        assert_eq!(first.texts[0].body, "YES");

        let cursor = first.next_cursor.clone();
        let empty = f.sandbox.list_inbound(cursor.as_deref()).await.unwrap();
        assert!(empty.texts.is_empty());
        assert_eq!(
            empty.next_cursor, cursor,
            "cursor stays put when nothing is new"
        );

        f.sandbox
            .customer_sends("+447700900123", "Running late")
            .unwrap();
        let next = f.sandbox.list_inbound(cursor.as_deref()).await.unwrap();
        assert_eq!(next.texts.len(), 1);
        assert_eq!(next.texts[0].body, "Running late");
    }
}
