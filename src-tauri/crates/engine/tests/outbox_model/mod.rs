//! The model test's steps (`Op`) and how they are drawn, and the network between the engine and
//! the Sandbox carrier: faults queued by the test, and points where a pass can be stopped dead.

mod world;

pub use world::World;

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use proptest::prelude::*;
use tidings_engine::domain::ProviderKind;
use tidings_sms::{
    InboundPage, OutboundText, Provider, ProviderError, ProviderRecord, SendReceipt, StatusReport,
};

/// What the network does to the next send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The provider takes the text and the answer is lost on the way back.
    AnswerLost,
    /// The request never arrives (a timeout before the provider saw it).
    NeverArrived,
    /// 429: slow down.
    TooMany,
    /// 503: down for a moment.
    Down,
}

#[derive(Debug, Clone)]
pub enum Op {
    Book {
        client: usize,
        hours: u16,
    },
    Pass {
        minutes: u16,
    },
    /// A scheduler pass; with `Some(n)` the process stops dead after `n` steps.
    Tick {
        kill_after: Option<u8>,
    },
    Fault(Fault),
    Stop {
        client: usize,
    },
    Yes {
        client: usize,
    },
    Move {
        nth: usize,
    },
    Cancel {
        nth: usize,
    },
    NewPhone {
        client: usize,
    },
    Pause,
    Resume,
    Backup,
    Restore,
}

pub fn op() -> impl Strategy<Value = Op> {
    let client = 0..CLIENTS;
    prop_oneof![
        3 => (client.clone(), 20u16..60).prop_map(|(client, hours)| Op::Book { client, hours }),
        4 => (5u16..900).prop_map(|minutes| Op::Pass { minutes }),
        6 => proptest::option::weighted(0.4, 0u8..6).prop_map(|kill_after| Op::Tick { kill_after }),
        3 => prop_oneof![
            Just(Fault::AnswerLost),
            Just(Fault::NeverArrived),
            Just(Fault::TooMany),
            Just(Fault::Down)
        ]
        .prop_map(Op::Fault),
        1 => client.clone().prop_map(|client| Op::Stop { client }),
        2 => client.clone().prop_map(|client| Op::Yes { client }),
        1 => (0usize..8).prop_map(|nth| Op::Move { nth }),
        1 => (0usize..8).prop_map(|nth| Op::Cancel { nth }),
        1 => client.prop_map(|client| Op::NewPhone { client }),
        1 => Just(Op::Pause),
        1 => Just(Op::Resume),
        1 => Just(Op::Backup),
        1 => Just(Op::Restore),
    ]
}

const CLIENTS: usize = 3;

/// The engine's provider with the network in between: faults queued by the test, and a pause
/// before and after the provider call where a pass can be stopped dead.
struct Network {
    inner: Arc<dyn Provider>,
    faults: Arc<Mutex<VecDeque<Fault>>>,
}

/// Gives the pass a point to be stopped at (one poll).
async fn step() {
    tokio::task::yield_now().await;
}

#[async_trait]
impl Provider for Network {
    fn kind(&self) -> ProviderKind {
        self.inner.kind()
    }

    async fn send(&self, text: &OutboundText) -> Result<SendReceipt, ProviderError> {
        step().await;
        let fault = self.faults.lock().unwrap().pop_front();
        let answer = match fault {
            None => self.inner.send(text).await,
            Some(Fault::AnswerLost) => {
                self.inner.send(text).await?;
                Err(ProviderError::Ambiguous(
                    "the connection was cut before the answer".into(),
                ))
            }
            Some(Fault::NeverArrived) => Err(ProviderError::Ambiguous("timed out".into())),
            Some(Fault::TooMany) => Err(ProviderError::Transient {
                reason: "429 Too Many Requests".into(),
                retry_after: Some(std::time::Duration::from_secs(60)),
            }),
            Some(Fault::Down) => Err(ProviderError::Transient {
                reason: "503 Service Unavailable".into(),
                retry_after: None,
            }),
        };
        step().await;
        answer
    }

    async fn cancel_scheduled(&self, provider_id: &str) -> Result<(), ProviderError> {
        step().await;
        self.inner.cancel_scheduled(provider_id).await
    }

    async fn fetch_status(&self, provider_id: &str) -> Result<StatusReport, ProviderError> {
        self.inner.fetch_status(provider_id).await
    }

    async fn list_inbound(&self, cursor: Option<&str>) -> Result<InboundPage, ProviderError> {
        step().await;
        self.inner.list_inbound(cursor).await
    }

    fn records_lag(&self) -> std::time::Duration {
        self.inner.records_lag()
    }

    async fn messages_to(
        &self,
        to: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<ProviderRecord>, ProviderError> {
        step().await;
        self.inner.messages_to(to, since).await
    }
}

/// Runs a future for at most `polls` polls; `None` when it was stopped first.
struct Budget<F> {
    inner: Pin<Box<F>>,
    polls: Option<u8>,
}

impl<F: Future> Future for Budget<F> {
    type Output = Option<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Some(left) = self.polls {
            if left == 0 {
                return Poll::Ready(None);
            }
            self.polls = Some(left - 1);
        }
        self.inner.as_mut().poll(cx).map(Some)
    }
}
