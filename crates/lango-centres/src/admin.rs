//! What the centres' administration pages need besides [`Centres::save`] and
//! [`Centres::import`]: the centres an actor may change, their spreadsheet, and making a
//! centre that must be new (the form for a new centre never overwrites one that exists).

use crate::model::Centre;
use crate::{csv, store, CentreInput, Centres, Problems, SaveError, Saved};
use lango_core::db::begin_write;
use lango_core::{Error, Result};
use lango_identity::policy::{check, may, Action, Actor, Object};

impl Centres {
    /// The centres `actor` may change, by county then name: every one for a platform
    /// administrator, their own for a centre's manager. Anyone else is refused.
    pub async fn editable(&self, actor: &Actor) -> Result<Vec<Centre>> {
        let mine: Vec<Centre> = self
            .all()
            .await?
            .into_iter()
            .filter(|c| Centres::check(actor, Action::Edit, c).is_ok())
            .collect();
        if mine.is_empty() && !may(actor, Action::Edit, Object::Platform) {
            return Err(Error::Forbidden("you do not manage a centre".into()));
        }
        Ok(mine)
    }

    /// The spreadsheet of the centres `actor` may change, which [`Centres::import`] takes
    /// back.
    pub async fn export_for(&self, actor: &Actor) -> Result<Vec<u8>> {
        csv::write(&self.editable(actor).await?)
    }

    /// Makes a new centre from `input` (platform administrators). A code already in use is
    /// a problem on `code`, and nothing changes.
    pub async fn create(
        &self,
        actor: &Actor,
        input: &CentreInput,
    ) -> std::result::Result<Saved, SaveError> {
        check(actor, Action::Edit, Object::Platform)?;
        let c = input.parse().map_err(SaveError::Problems)?;
        let mut conn = self.db.pool().acquire().await?;
        let mut tx = begin_write(&mut conn).await?;
        if store::get(&mut tx, &c.code).await?.is_some() {
            return Err(SaveError::Problems(Problems(vec![(
                "code".into(),
                format!(
                    "{} is already a centre's code: choose another, or change that centre",
                    c.code
                ),
            )])));
        }
        self.save_in(&mut tx, actor, &c).await?;
        tx.commit().await?;
        self.changed();
        Ok(Saved {
            code: c.code,
            created: true,
        })
    }
}
