//! The Sandbox phone: what one number's phone shows, and texting as the customer, so the whole
//! journey can be tried with no provider connected.

use crate::reminders::TickItem;
use crate::{Engine, EngineError};

/// One text on the Sandbox phone.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct SandboxText {
    /// True for texts the customer sent.
    pub from_customer: bool,
    pub body: String,
    /// "delivered", "scheduled", "canceled" or "received".
    pub status: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

impl Engine {
    /// What the Sandbox phone of one number shows: texts to and from it, oldest first.
    pub fn sandbox_conversation(
        &self,
        typed_number: &str,
    ) -> Result<Vec<SandboxText>, EngineError> {
        let region = self.settings()?.phone_region;
        let number = tidings_domain::parse_phone(typed_number, &region)
            .map_err(tidings_domain::ClientError::from)?;
        Ok(self
            .store
            .sandbox_thread(&number, 200)?
            .into_iter()
            .map(|r| SandboxText {
                from_customer: r.direction == tidings_store::SandboxDirection::Inbound,
                body: r.body,
                status: r.status,
                at: chrono::DateTime::parse_from_rfc3339(&r.created_at)
                    .map(|t| t.with_timezone(&chrono::Utc))
                    .unwrap_or_default(),
            })
            .collect())
    }

    /// The Sandbox phone sends a text as the customer; it is routed at once like a real reply.
    pub async fn sandbox_send(
        &self,
        typed_number: &str,
        body: &str,
    ) -> Result<Vec<TickItem>, EngineError> {
        let body = body.trim();
        if body.is_empty() {
            return Err(EngineError::BadInput {
                field: "text",
                message: "Type the customer's message.".into(),
            });
        }
        let region = self.settings()?.phone_region;
        let number = tidings_domain::parse_phone(typed_number, &region)
            .map_err(tidings_domain::ClientError::from)?;
        let sandbox = self.sandbox().ok_or_else(|| EngineError::BadInput {
            field: "text",
            message: "The Sandbox phone works only in Sandbox mode.".into(),
        })?;
        sandbox.customer_sends(&number, body)?;
        self.poll_inbound().await
    }
}
