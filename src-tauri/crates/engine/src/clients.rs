//! Clients as the window and the command line use them: listing, finding, adding, changing
//! and archiving.

use serde::{Deserialize, Serialize};
use tidings_domain::phone::phone_search_digits;
use tidings_domain::{parse_phone, Change, Client, ClientInput, ConsentEvent, WriteSource};
use tidings_store::ClientSearch;
use ts_rs::TS;

use crate::{Engine, EngineError};

/// The most clients one list shows; a search narrows it.
pub const CLIENT_LIST_LIMIT: u32 = 500;

/// A client with the whole consent ledger, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ClientDetail {
    pub client: Client,
    pub ledger: Vec<ConsentEvent>,
}

impl Engine {
    pub(crate) fn region(&self) -> Result<String, EngineError> {
        let settings = self.settings()?;
        if settings.phone_region.is_empty() {
            return Err(EngineError::SetupRequired);
        }
        Ok(settings.phone_region)
    }

    /// Clients whose name or number matches `query` (any form of the number: national,
    /// international, with or without punctuation). An empty query lists everyone.
    pub fn list_clients(
        &self,
        query: &str,
        include_archived: bool,
    ) -> Result<Vec<Client>, EngineError> {
        let query = query.trim();
        let region = self.settings()?.phone_region;
        let mut search = ClientSearch {
            include_archived,
            limit: CLIENT_LIST_LIMIT,
            ..ClientSearch::default()
        };
        if !query.is_empty() {
            search.text = Some(query.to_owned());
            // A whole number matches exactly; part of one matches as digits.
            search.digits = parse_phone(query, &region)
                .ok()
                .map(|e164| e164.trim_start_matches('+').to_owned())
                .or_else(|| phone_search_digits(query));
        }
        Ok(self.store.search_clients(&search)?)
    }

    pub fn client_detail(&self, id: i64) -> Result<ClientDetail, EngineError> {
        let client = self
            .store
            .client(id)?
            .ok_or_else(|| EngineError::ClientNotFound(id.to_string()))?;
        let ledger = self.store.consent_events(id)?;
        Ok(ClientDetail { client, ledger })
    }

    /// The client with this number, typed in any form.
    pub fn client_by_phone(&self, typed: &str) -> Result<ClientDetail, EngineError> {
        let phone =
            parse_phone(typed, &self.region()?).map_err(tidings_domain::ClientError::from)?;
        let client = self
            .store
            .client_by_phone(&phone)?
            .ok_or(EngineError::ClientNotFound(phone))?;
        self.client_detail(client.id)
    }

    fn refuse_taken_number(&self, phone: &str, except: Option<i64>) -> Result<(), EngineError> {
        match self.store.client_by_phone(phone)? {
            Some(other) if Some(other.id) != except => Err(EngineError::DuplicatePhone {
                phone: phone.to_owned(),
                name: other.name,
                client_id: other.id,
            }),
            _ => Ok(()),
        }
    }

    pub fn create_client(
        &self,
        input: &ClientInput,
        source: WriteSource,
        actor: &str,
    ) -> Result<Client, EngineError> {
        let valid = input.validate(&self.region()?)?;
        self.refuse_taken_number(&valid.phone, None)?;
        let client = self.store.insert_client(
            &valid,
            self.now(),
            self.audit(actor, source, "client", "create"),
        )?;
        let client = if self.carry_number_opt_out(client.id)? {
            self.store.client(client.id)?.unwrap_or(client)
        } else {
            client
        };
        self.publish(source, vec![Change::Client { id: client.id }]);
        Ok(client)
    }

    pub fn update_client(
        &self,
        id: i64,
        input: &ClientInput,
        source: WriteSource,
        actor: &str,
    ) -> Result<Client, EngineError> {
        let valid = input.validate(&self.region()?)?;
        self.refuse_taken_number(&valid.phone, Some(id))?;
        let old_phone = self.store.client(id)?.map(|c| c.phone);
        let client = self
            .store
            .update_client(
                id,
                &valid,
                self.now(),
                self.audit(actor, source, "client", "update"),
            )?
            .ok_or_else(|| EngineError::ClientNotFound(id.to_string()))?;
        let changed = old_phone.is_some_and(|old| old != client.phone);
        if changed {
            // Nothing more goes to the old number, at the provider either; the plan is made
            // again for the new one.
            self.store.cancel_live_for_client(
                id,
                tidings_domain::SuppressReason::NumberChanged.as_str(),
                self.now(),
            )?;
        }
        let client = if changed && self.carry_number_opt_out(id)? {
            self.store.client(id)?.unwrap_or(client)
        } else {
            client
        };
        self.replan_client(id)?;
        self.publish(source, vec![Change::Client { id }]);
        Ok(client)
    }

    pub fn set_client_archived(
        &self,
        id: i64,
        archived: bool,
        source: WriteSource,
        actor: &str,
    ) -> Result<Client, EngineError> {
        let action = if archived { "archive" } else { "unarchive" };
        let client = self
            .store
            .set_client_archived(
                id,
                archived,
                self.now(),
                self.audit(actor, source, "client", action),
            )?
            .ok_or_else(|| EngineError::ClientNotFound(id.to_string()))?;
        if archived {
            // What waited for them is taken back (at the provider too, if handed off).
            self.store.cancel_live_for_client(
                id,
                tidings_domain::SuppressReason::ClientArchived.as_str(),
                self.now(),
            )?;
        } else {
            self.replan_client(id)?;
        }
        self.publish(source, vec![Change::Client { id }, Change::Messages]);
        Ok(client)
    }
}
