//! Loading centres without a signed-in person: the demo country, and `lango import centres`
//! run by an operator on the server (audited as `cli`).

use crate::calendar;
use crate::model::{Kind, Visit};
use crate::{store, Problems};
use lango_core::audit::{self, Entry};
use lango_core::db::{begin_write, Db};
use lango_core::{Error, Result};

/// Writes every centre of a spreadsheet as `by` (`cli`, `seed`), all or nothing; answers
/// how many. The same checks as a person's import.
pub async fn load_csv(db: &Db, bytes: &[u8], by: &str) -> Result<usize> {
    let inputs = crate::csv::read(bytes).map_err(Error::from)?;
    let mut centres = Vec::new();
    for (row, input) in inputs.iter().enumerate() {
        let c = input.parse().map_err(|p| row_problem(row, p))?;
        centres.push(c);
    }
    let mut conn = db.pool().acquire().await?;
    let mut tx = begin_write(&mut conn).await?;
    for (row, c) in centres.iter().enumerate() {
        crate::check_references(&mut tx, c)
            .await
            .map_err(|p| row_problem(row, p))?;
        store::put(&mut tx, c).await?;
        audit::append(
            &mut tx,
            Entry {
                actor: by,
                action: "centre.import",
                object: &format!("centre:{}", c.code),
                subject: "",
                detail: "",
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(centres.len())
}

fn row_problem(row: usize, p: Problems) -> Error {
    let (field, message) = p.0.into_iter().next().unwrap_or_default();
    Error::invalid("file", format!("row {} ({field}): {message}", row + 2))
}

/// Gives each mobile centre without stops ahead a stop on each of the next `days` weekdays,
/// going round `places` (`(county, place)`), so the demo always has a schedule.
pub async fn schedule_mobile(db: &Db, places: &[(&str, &str)], days: i64) -> Result<()> {
    if places.is_empty() {
        return Ok(());
    }
    let today = calendar::today();
    let mut conn = db.pool().acquire().await?;
    for mut c in store::all(&mut conn)
        .await?
        .into_iter()
        .filter(|c| c.kind == Kind::Mobile)
    {
        if c.schedule.iter().any(|v| v.date >= today) {
            continue;
        }
        let mut n = 0;
        for d in 0..days {
            let date = calendar::add_days(&today, d);
            if calendar::weekday(&date) >= 5 {
                continue;
            }
            let (county, place) = places[n % places.len()];
            n += 1;
            c.schedule.push(Visit {
                date,
                place: place.into(),
                county: county.into(),
                opens: 9 * 60,
                closes: 16 * 60,
            });
        }
        let mut tx = begin_write(&mut conn).await?;
        store::put(&mut tx, &c).await?;
        tx.commit().await?;
    }
    Ok(())
}
