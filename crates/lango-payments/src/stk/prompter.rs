//! Where every M-Pesa Express prompt starts, whichever channel asks (the payment page, the
//! cashier's desk, USSD): the node's Daraja client and the callback address it hands Daraja.

use super::{start, Refusal, StkRequest};
use crate::callbacks::{Callback, CallbackPaths};
use crate::daraja_api::DarajaClient;
use lango_core::db::Db;
use lango_core::Result;
use std::sync::Arc;

/// Starts prompts for a node: its Daraja client (`None` when M-Pesa is not set up) and the
/// STK callback URL under its public address.
#[derive(Clone)]
pub struct Prompter {
    daraja: Option<Arc<DarajaClient>>,
    callback_url: String,
}

impl Prompter {
    /// A prompter over `daraja`, with Daraja calling back at `paths` under `public_url`.
    pub fn new(
        daraja: Option<Arc<DarajaClient>>,
        paths: &CallbackPaths,
        public_url: &str,
    ) -> Prompter {
        Prompter {
            daraja,
            callback_url: paths.url(public_url, Callback::Stk),
        }
    }

    /// True when prompts can be sent at all.
    pub fn is_configured(&self) -> bool {
        self.daraja.is_some()
    }

    /// Sends a prompt for the balance of bill `reference` (canonical) to `phone`; refused as
    /// unavailable when M-Pesa is not set up. The rules are [`start`]'s.
    pub async fn start(
        &self,
        db: &Db,
        reference: &str,
        phone: &str,
    ) -> Result<std::result::Result<StkRequest, Refusal>> {
        match &self.daraja {
            Some(daraja) => start(db, daraja, &self.callback_url, reference, phone).await,
            None => Ok(Err(Refusal::Unavailable)),
        }
    }

    /// The prompt `checkout` as it stands: asked of Daraja when its callback is late (see
    /// [`super::refresh`]), else as stored.
    pub async fn status(&self, db: &Db, checkout: &str) -> Result<Option<StkRequest>> {
        match &self.daraja {
            Some(d) => super::refresh(db, d, checkout, super::QUERY_AFTER_MS).await,
            None => super::get(db, checkout).await,
        }
    }
}
