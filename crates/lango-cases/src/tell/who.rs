//! Whom to tell about an event and with what values: the applicant (their confirmed
//! contacts, language and channels) for an application's events; for a bill's events the
//! payer's phone and e-mail as on the bill and, when the bill is an application's fee, that
//! applicant too, never twice to one address. Everything here reads; nothing writes.

use super::Told;
use crate::store;
use crate::Cases;
use lango_core::clock::Civil;
use lango_core::money::{Currency, Money};
use lango_core::{Error, Result};
use lango_identity::account::Account;
use lango_identity::model::{Email, Phone};
use lango_notify::{Preference, Recipient};
use sqlx::Row;
use std::collections::HashMap;

/// One message to put in the outbox: the event's template for `to`, filled with `values`.
#[derive(Debug, Clone)]
pub struct Telling {
    /// Who, how and in which language.
    pub to: Recipient,
    /// The template's event type.
    pub event: &'static str,
    /// The placeholders' values.
    pub values: Vec<(&'static str, String)>,
}

/// What one batch has looked up already (many events concern the same people and services).
#[derive(Default)]
pub(crate) struct Lookups {
    accounts: HashMap<String, Option<Account>>,
    services: HashMap<String, (String, String)>,
    agencies: HashMap<String, (String, String)>,
}

/// A bill's facts that decide whom its events reach.
struct BillFacts {
    reference: String,
    payer_name: String,
    payer_phone: String,
    payer_email: String,
    created_by: String,
    agency_reference: String,
    service_code: String,
}

/// Words for values that can be missing, in English, Kiswahili and Bahasa Melayu.
fn word(key: &str, lang: &str) -> &'static str {
    let [en, sw, ms] = match key {
        "no_date" => ["none", "hakuna", "tiada"],
        "no_reason" => [
            "the officer gave no reason",
            "afisa hakutoa sababu",
            "pegawai tidak memberikan sebab",
        ],
        "see_account" => [
            "see the message in your Lango account",
            "angalia ujumbe kwenye akaunti yako ya Lango",
            "lihat mesej dalam akaun Lango anda",
        ],
        "document" => ["document", "hati", "dokumen"],
        "card" => ["your card", "kadi yako", "kad anda"],
        "fpx" => ["your bank (FPX)", "benki yako (FPX)", "bank anda (FPX)"],
        _ => [
            "a payment to your phone",
            "malipo kwa simu yako",
            "bayaran melalui telefon anda",
        ],
    };
    match lang {
        "sw" => sw,
        "ms" => ms,
        _ => en,
    }
}

/// The country's date (`YYYY-MM-DD`) of unix ms `at`.
fn eat_date(at: i64) -> String {
    Civil::local(at).date()
}

/// A string in the event's data, empty when absent.
fn text<'a>(data: &'a serde_json::Value, key: &str) -> &'a str {
    data[key].as_str().unwrap_or_default()
}

/// An amount in the event's data (`amount` in major units, `currency`) as people read it.
fn money(data: &serde_json::Value, key: &str) -> Option<String> {
    let currency: Currency = text(data, "currency").parse().ok()?;
    Money::parse_decimal(text(data, key), currency)
        .ok()
        .map(Money::display)
}

impl Cases {
    /// The messages `event` asks for (none when there is nobody to tell).
    pub(crate) async fn tellings(
        &self,
        conn: &mut sqlx::AnyConnection,
        lookups: &mut Lookups,
        event: &Told,
    ) -> Result<Vec<Telling>> {
        let data = &event.data;
        let reference = match text(data, "reference") {
            "" => event.order_key.as_str(),
            r => r,
        };
        match event.kind.as_str() {
            "bill.raised" => {
                let bill = BillFacts {
                    reference: reference.to_string(),
                    payer_name: text(&data["payer"], "name").to_string(),
                    payer_phone: text(&data["payer"], "phone").to_string(),
                    payer_email: text(&data["payer"], "email").to_string(),
                    created_by: text(data, "created_by").to_string(),
                    agency_reference: text(data, "agency_reference").to_string(),
                    service_code: text(data, "service_code").to_string(),
                };
                let amount = money(data, "amount").unwrap_or_default();
                let due = data["expires_at"].as_i64();
                self.tell_payer(conn, lookups, &bill, "bill.raised", |lang, service| {
                    let about = if bill.agency_reference.is_empty() {
                        bill.reference.clone()
                    } else {
                        bill.agency_reference.clone()
                    };
                    vec![
                        ("amount", amount.clone()),
                        ("payment_number", bill.reference.clone()),
                        ("service", service.to_string()),
                        ("reference", about),
                        (
                            "due_date",
                            // The end of the last day: the day is the one before it.
                            due.map_or_else(|| word("no_date", lang).into(), |d| eat_date(d - 1)),
                        ),
                    ]
                })
                .await
            }
            "payment.received" | "refund.issued" => {
                let Some(bill) = bill_facts(conn, reference).await? else {
                    return Ok(Vec::new());
                };
                let amount = money(data, "amount").unwrap_or_default();
                if event.kind == "payment.received" {
                    let receipt = text(data, "receipt").to_string();
                    self.tell_payer(conn, lookups, &bill, "payment.received", |_, _| {
                        vec![
                            ("amount", amount.clone()),
                            ("payment_number", bill.reference.clone()),
                            ("receipt", receipt.clone()),
                        ]
                    })
                    .await
                } else {
                    let method = text(data, "method").to_string();
                    self.tell_payer(conn, lookups, &bill, "refund.issued", |lang, _| {
                        vec![
                            ("amount", amount.clone()),
                            ("reference", bill.reference.clone()),
                            ("method", word(&method, lang).to_string()),
                        ]
                    })
                    .await
                }
            }
            // The holder, whether the document came from an application or an agency's system.
            "document.revoked" => {
                let holder: Option<Option<String>> = sqlx::query_scalar(
                    "SELECT COALESCE(i.holder_account, a.applicant) FROM issued i \
                     LEFT JOIN applications a ON a.id = i.application_id WHERE i.number = $1",
                )
                .bind(text(data, "number"))
                .fetch_optional(&mut *conn)
                .await?;
                let Some(holder) = holder.flatten() else {
                    return Ok(Vec::new());
                };
                let Some(account) = self.account(lookups, &holder).await? else {
                    return Ok(Vec::new());
                };
                Ok(vec![Telling {
                    to: lango_identity::messages::recipient(&account),
                    event: "document.revoked",
                    values: vec![
                        ("number", text(data, "number").to_string()),
                        ("document", text(data, "title").to_string()),
                        ("reason", text(data, "reason").to_string()),
                    ],
                }])
            }
            kind => {
                self.tell_applicant(conn, lookups, kind, reference, data)
                    .await
            }
        }
    }

    /// The message of an application's event to its applicant.
    async fn tell_applicant(
        &self,
        conn: &mut sqlx::AnyConnection,
        lookups: &mut Lookups,
        kind: &str,
        reference: &str,
        data: &serde_json::Value,
    ) -> Result<Vec<Telling>> {
        let Some(event) = super::TOLD.into_iter().find(|t| *t == kind) else {
            return Ok(Vec::new());
        };
        let Some(app) = store::by_reference(conn, reference).await? else {
            tracing::warn!(reference, kind, "application not found: nobody told");
            return Ok(Vec::new());
        };
        let Some(account) = self.account(lookups, &app.applicant).await? else {
            return Ok(Vec::new());
        };
        let to = lango_identity::messages::recipient(&account);
        let lang = to.language.clone();
        let mut values = vec![
            ("reference", app.reference.clone()),
            (
                "service",
                service_name(conn, lookups, &app.service, &lang).await?,
            ),
        ];
        let or = |key: &str, fallback: &str| match text(data, key).trim() {
            "" => word(fallback, &lang).to_string(),
            v => v.to_string(),
        };
        match event {
            "application.received" => {
                values.push((
                    "agency",
                    agency_name(conn, lookups, &app.agency, &lang).await?,
                ));
            }
            "application.information_requested" => {
                values.push(("information", or("reason", "see_account")));
                let due = data["due_at"].as_i64();
                values.push((
                    "due_date",
                    due.map_or_else(|| word("no_date", &lang).into(), eat_date),
                ));
            }
            "application.rejected" => values.push(("reason", or("reason", "no_reason"))),
            "document.issued" => {
                let title = self
                    .definition(&app.service, Some(app.version))
                    .await?
                    .and_then(|v| {
                        let output = v.definition.output(text(data, "output"))?;
                        let t = &output.title;
                        // The second title is the country's own language's.
                        Some(match (lang.as_str(), &t.sw) {
                            (l, Some(local)) if l != "en" && !local.is_empty() => local.clone(),
                            _ => t.en.clone(),
                        })
                    });
                values.push((
                    "document",
                    title.unwrap_or_else(|| word("document", &lang).into()),
                ));
            }
            _ => {}
        }
        Ok(vec![Telling { to, event, values }])
    }

    /// The message of a bill's event to its payer (and the applicant whose fee it is), with
    /// the values `values` gives for a language and the service's name in it.
    async fn tell_payer(
        &self,
        conn: &mut sqlx::AnyConnection,
        lookups: &mut Lookups,
        bill: &BillFacts,
        event: &'static str,
        values: impl Fn(&str, &str) -> Vec<(&'static str, String)>,
    ) -> Result<Vec<Telling>> {
        let mut tellings = Vec::new();
        // Their own contacts reach an applicant by their own rules (confirmed, chosen): the
        // bill's copy of them is not a second address.
        let mut own: Vec<String> = Vec::new();
        let mut lang = "en".to_string();
        if let Some(account) = self.applicant_of(conn, lookups, bill).await? {
            let to = lango_identity::messages::recipient(&account);
            own.extend(account.phone.iter().filter_map(|p| phone(p)));
            own.extend(account.email.iter().filter_map(|e| email(e)));
            lang = to.language.clone();
            let service = service_name(conn, lookups, &bill.service_code, &lang).await?;
            tellings.push(Telling {
                values: values(&lang, &service),
                to,
                event,
            });
        }
        let payer = Recipient {
            account_id: None,
            name: bill.payer_name.clone(),
            phone: phone(&bill.payer_phone).filter(|p| !own.contains(p)),
            email: email(&bill.payer_email).filter(|e| !own.contains(e)),
            language: lang.clone(),
            preference: Preference::Both,
        };
        if payer.phone.is_some() || payer.email.is_some() {
            let service = service_name(conn, lookups, &bill.service_code, &lang).await?;
            tellings.push(Telling {
                values: values(&lang, &service),
                to: payer,
                event,
            });
        }
        Ok(tellings)
    }

    /// The applicant whose fee `bill` is, if it is one.
    async fn applicant_of(
        &self,
        conn: &mut sqlx::AnyConnection,
        lookups: &mut Lookups,
        bill: &BillFacts,
    ) -> Result<Option<Account>> {
        if bill.created_by != "application" || bill.agency_reference.is_empty() {
            return Ok(None);
        }
        match store::by_reference(conn, &bill.agency_reference).await? {
            Some(app) if app.bill_reference.as_deref() == Some(bill.reference.as_str()) => {
                self.account(lookups, &app.applicant).await
            }
            _ => Ok(None),
        }
    }

    /// An account, `None` when it is gone.
    async fn account(&self, lookups: &mut Lookups, id: &str) -> Result<Option<Account>> {
        if let Some(a) = lookups.accounts.get(id) {
            return Ok(a.clone());
        }
        let account = match lango_identity::account::get(&self.db, id).await {
            Ok(a) => Some(a),
            Err(Error::NotFound(_)) => None,
            Err(e) => return Err(e),
        };
        lookups.accounts.insert(id.to_string(), account.clone());
        Ok(account)
    }
}

/// A phone as an SMS gateway takes it (E.164), `None` when it is not a phone number.
fn phone(raw: &str) -> Option<String> {
    Phone::parse(raw).ok().map(|p| p.as_str().to_string())
}

/// An e-mail address, `None` when it is not one.
fn email(raw: &str) -> Option<String> {
    Email::parse(raw).ok().map(|e| e.as_str().to_string())
}

/// The bill `reference`'s payer and origin, `None` when there is no such bill.
async fn bill_facts(conn: &mut sqlx::AnyConnection, reference: &str) -> Result<Option<BillFacts>> {
    let row = sqlx::query(
        "SELECT payer_name, payer_phone, payer_email, created_by, agency_reference, service_code \
         FROM bills WHERE reference = $1",
    )
    .bind(reference)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(BillFacts {
            reference: reference.to_string(),
            payer_name: r.try_get("payer_name")?,
            payer_phone: r.try_get("payer_phone")?,
            payer_email: r.try_get("payer_email")?,
            created_by: r.try_get("created_by")?,
            agency_reference: r.try_get("agency_reference")?,
            service_code: r.try_get("service_code")?,
        })
    })
    .transpose()
}

/// Picks the second name (the country's own language) when asked for and there is one.
fn in_lang((en, sw): &(String, String), lang: &str) -> String {
    if lang != "en" && !sw.is_empty() {
        sw.clone()
    } else {
        en.clone()
    }
}

/// The catalogue's name of service `code` in `lang` (its code when it has none).
async fn service_name(
    conn: &mut sqlx::AnyConnection,
    lookups: &mut Lookups,
    code: &str,
    lang: &str,
) -> Result<String> {
    if !lookups.services.contains_key(code) {
        let names = names(
            conn,
            "SELECT name, name_sw FROM services WHERE code = $1",
            code,
        )
        .await?;
        lookups.services.insert(code.to_string(), names);
    }
    Ok(in_lang(&lookups.services[code], lang))
}

/// The catalogue's name of agency `code` in `lang`.
async fn agency_name(
    conn: &mut sqlx::AnyConnection,
    lookups: &mut Lookups,
    code: &str,
    lang: &str,
) -> Result<String> {
    if !lookups.agencies.contains_key(code) {
        let names = names(
            conn,
            "SELECT name, name_sw FROM agencies WHERE code = $1",
            code,
        )
        .await?;
        lookups.agencies.insert(code.to_string(), names);
    }
    Ok(in_lang(&lookups.agencies[code], lang))
}

/// English and Kiswahili names `sql` reads for `code`; the code itself when none.
async fn names(conn: &mut sqlx::AnyConnection, sql: &str, code: &str) -> Result<(String, String)> {
    let row = sqlx::query(sql)
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(r) => (r.try_get("name")?, r.try_get("name_sw")?),
        None => (code.to_string(), String::new()),
    })
}
