//! Raising a bill inside a caller's transaction (an application's submission raises its
//! fee's bill in the same commit), with the same rules as [`crate::bills::raise`].

use crate::bills::{text, Payer};
use crate::fees::FeeTable;
use crate::reference::BillReference;
use lango_core::clock::now_ms;
use lango_core::db::{pow2_chunks, values_list};
use lango_core::money::Money;
use lango_core::{Error, Result};

/// A bill checked and priced, ready to be written in someone else's transaction.
#[derive(Debug, Clone)]
pub struct NewBill {
    /// Its reference (fresh and random; see [`NewBill::renew_reference`]).
    pub reference: String,
    /// The agency owed.
    pub agency: String,
    /// The catalogue service paid for.
    pub service_code: String,
    /// The raiser's own reference (an application's reference).
    pub agency_reference: String,
    /// What it is for.
    pub description: String,
    /// Who pays.
    pub payer: Payer,
    /// What the agency asks for.
    pub amount: Money,
    /// The convenience fee on top.
    pub fee: Money,
    /// Who raised it (`application`, an account…).
    pub created_by: String,
}

impl NewBill {
    /// Checks a bill as [`crate::bills::raise`] does (a positive amount, texts within their
    /// limits; the caller vouches for the service and agency) and prices its convenience fee
    /// from `fees`. Cheap and without the database, so callers do it before their transaction.
    #[allow(clippy::too_many_arguments)]
    pub fn prepare(
        agency: &str,
        service_code: &str,
        amount: Money,
        agency_reference: &str,
        description: &str,
        payer: &Payer,
        created_by: &str,
        fees: &FeeTable,
    ) -> Result<NewBill> {
        if amount.minor() <= 0 {
            return Err(Error::invalid("amount", "amount must be more than zero"));
        }
        fees.check_currency(amount.currency())?;
        Ok(NewBill {
            reference: fresh_reference(),
            agency: agency.to_string(),
            service_code: service_code.trim().to_string(),
            agency_reference: text("agency_reference", agency_reference, 100)?,
            description: text("description", description, 500)?,
            payer: Payer {
                name: text("payer.name", &payer.name, 200)?,
                phone: text("payer.phone", &payer.phone, 30)?,
                email: text("payer.email", &payer.email, 254)?,
            },
            amount,
            fee: fees.fee_for(amount),
            created_by: created_by.to_string(),
        })
    }

    /// Draws another reference (after one was found taken).
    pub fn renew_reference(&mut self) {
        self.reference = fresh_reference();
    }

    /// What the payer owes in all.
    pub fn total(&self) -> Money {
        Money::from_minor(
            self.amount.minor() + self.fee.minor(),
            self.amount.currency(),
        )
    }
}

fn fresh_reference() -> String {
    BillReference::generate(&mut rand::thread_rng())
        .as_str()
        .to_string()
}

/// Writes many bills inside `tx` with multi-row statements (submissions committed in
/// groups). A taken reference fails the whole call with [`Error::Conflict`]; the caller
/// renews it and tries again (its transaction is then spoiled on PostgreSQL, so it starts
/// afresh). The caller emits each bill's `bill.raised` ([`crate::bill_events::Raised::event`])
/// with its own events, so that a group takes the event counter once.
pub async fn raise_many_in(tx: &mut sqlx::AnyConnection, bills: &[&NewBill]) -> Result<()> {
    if bills.is_empty() {
        return Ok(());
    }
    let now = now_ms();
    for chunk in pow2_chunks(bills) {
        let sql = format!(
            "INSERT INTO bills (reference, agency_code, service_code, agency_reference, description, payer_name, \
             payer_phone, payer_email, currency, service_amount, fee, service_paid, fee_paid, excess, status, \
             created_by, created_at, updated_at) VALUES {}",
            rows_sql(chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for b in chunk {
            q = q
                .bind(&b.reference)
                .bind(&b.agency)
                .bind(&b.service_code)
                .bind(&b.agency_reference)
                .bind(&b.description)
                .bind(&b.payer.name)
                .bind(&b.payer.phone)
                .bind(&b.payer.email)
                .bind(b.amount.currency().code())
                .bind(b.amount.minor())
                .bind(b.fee.minor())
                .bind(&b.created_by)
                .bind(now);
        }
        match q.execute(&mut *tx).await {
            Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
                return Err(Error::Conflict("a bill reference is already taken".into()))
            }
            other => {
                other?;
            }
        }
    }
    Ok(())
}

/// `($1, …, $11, 0, 0, 0, 'open', $12, $13, $13), …`: 13 bound values a row.
fn rows_sql(rows: usize) -> String {
    let plain = values_list(rows, 13);
    // values_list numbers each row's 13 values in turn; splice the constants in.
    plain
        .split("), (")
        .map(|row| {
            let row = row.trim_start_matches('(').trim_end_matches(')');
            let v: Vec<&str> = row.split(", ").collect();
            format!(
                "({}, 0, 0, 0, 'open', {}, {}, {})",
                v[..11].join(", "),
                v[11],
                v[12],
                v[12]
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use lango_core::money::Currency;

    #[test]
    fn rows_splice_the_constants() {
        assert_eq!(
            rows_sql(2),
            "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, 0, 0, 'open', $12, $13, $13), \
             ($14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, 0, 0, 0, 'open', $25, $26, $26)"
        );
    }

    #[test]
    fn prepare_checks_like_raise_and_prices_the_fee() {
        let payer = Payer {
            name: "Wanjiku Kamau".into(),
            phone: "+254712345678".into(),
            email: String::new(),
        };
        let fees = FeeTable::kenya();
        let kes = |s| Money::parse_decimal(s, Currency::Kes).unwrap();
        let b = NewBill::prepare(
            "DIS",
            "DIS-PASSPORT",
            kes("4550.00"),
            "A2345",
            "Passport",
            &payer,
            "application",
            &fees,
        )
        .unwrap();
        assert_eq!(b.fee, kes("50.00"));
        assert_eq!(b.total(), kes("4600.00"));
        assert!(BillReference::parse(&b.reference).is_ok());
        assert!(NewBill::prepare("DIS", "X", kes("0.00"), "", "", &payer, "a", &fees).is_err());
        let long = Payer {
            name: "x".repeat(201),
            ..payer
        };
        assert!(NewBill::prepare("DIS", "X", kes("1.00"), "", "", &long, "a", &fees).is_err());
    }
}
