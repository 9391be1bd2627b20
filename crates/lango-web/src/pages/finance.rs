//! Finance pages: the revenue dashboard (`/finance`), the suspense queue and matching
//! (`suspense`), and the auditor's export (`/finance/export`). Finance officers and
//! auditors read them (the policy's finance `View`); only finance officers match money.

mod fpx_review;
mod suspense;
mod tills;

use super::chart::{self, Bar};
use super::{render, Chrome};
use crate::forms::{Field, Form};
use crate::i18n::Lang;
use crate::visitor::SignedIn;
use crate::words::{tr, tr_with};
use crate::AppState;
use askama::Template;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use fluent_bundle::FluentValue;
use lango_core::money::Money;
use lango_identity::model::Problems;
use lango_identity::policy::{check, Action, Object};
use lango_payments::finance::export::{Export, Format};
use lango_payments::finance::revenue::{self, CurrencyReport};
use lango_payments::finance::{Period, PeriodError};
use serde::Deserialize;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/finance", get(dashboard))
        .route("/finance/export", get(export))
        .route("/finance/suspense", get(suspense::queue))
        .route("/finance/tills", get(tills::closings))
        .route("/finance/fpx", get(fpx_review::list))
        .route("/finance/fpx/{id}/reviewed", post(fpx_review::reviewed))
        .route(
            "/finance/suspense/{trans_id}/match",
            get(suspense::match_form).post(suspense::check_match),
        )
        .route(
            "/finance/suspense/{trans_id}/match/confirm",
            post(suspense::confirm_match),
        )
        .route(
            "/finance/suspense/{trans_id}/matched",
            get(suspense::matched),
        )
}

/// The refusal for anyone the policy does not allow `action` on finance.
fn forbidden(state: &AppState, s: &SignedIn, action: Action) -> Option<Response> {
    check(&s.v.actor, action, Object::Finance)
        .err()
        .map(|e| crate::error::page_error(state, s.v.lang, e))
}

/// An amount as people read it (`KES 4,550.00`).
fn show(m: Money) -> String {
    m.display()
}

/// A period from the query string: the last 30 days when none is given.
#[derive(Debug, Default, Deserialize)]
struct PeriodParams {
    from: Option<String>,
    to: Option<String>,
    format: Option<String>,
}

impl PeriodParams {
    fn read(q: Result<Query<PeriodParams>, QueryRejection>) -> PeriodParams {
        q.map(|Query(p)| p).unwrap_or_default()
    }

    fn given(&self) -> bool {
        self.from.is_some() || self.to.is_some()
    }

    fn period(&self) -> Result<Period, Vec<PeriodError>> {
        if !self.given() {
            return Ok(Period::last(30));
        }
        Period::parse(
            self.from.as_deref().unwrap_or(""),
            self.to.as_deref().unwrap_or(""),
        )
    }
}

/// The from/to fields (a GET form, so no token is needed: it changes nothing).
fn period_fields(lang: Lang, from: &str, to: &str) -> Vec<Field> {
    ["from", "to"]
        .into_iter()
        .zip([from, to])
        .map(|(name, value)| {
            let mut f = Field::new(lang, name, "date")
                .label(lang, &format!("finance_{name}"))
                .value(value);
            f.hint = tr(lang, "finance_date_hint");
            f
        })
        .collect()
}

fn period_problems(errors: &[PeriodError]) -> Problems {
    let mut p = Problems::default();
    for e in errors {
        p.add(e.field(), e.code());
    }
    p
}

/// One row of a table: a name and its amounts.
struct Row {
    name: String,
    amounts: Vec<String>,
}

struct CurrencyView {
    code: &'static str,
    moved: bool,
    totals: Vec<(&'static str, String)>,
    chart: String,
    days: Vec<Row>,
    agencies: Vec<Row>,
    channels: Vec<Row>,
}

#[derive(Template)]
#[template(path = "finance.html")]
struct DashboardPage {
    c: Chrome,
    form: Form,
    currencies: Vec<CurrencyView>,
    nothing: bool,
    held: String,
    /// FPX is configured: its review list is linked.
    fpx: bool,
}

fn currency_view(state: &AppState, lang: Lang, r: &CurrencyReport) -> CurrencyView {
    let money = |m: i64| show(r.money(m));
    let code = r.currency.code();
    let peak = r.days.iter().map(|d| d.flow.revenue).max().unwrap_or(0);
    let bars: Vec<Bar> = r
        .days
        .iter()
        .map(|d| {
            let date = d.day.date();
            Bar {
                label: date[8..].to_string(),
                title: format!("{date}: {}", money(d.flow.revenue)),
                value: d.flow.revenue,
            }
        })
        .collect();
    let name = format!("{} ({code})", tr(lang, "finance_chart"));
    let snap = state.catalogue.snapshot();
    let agency_name = |code: &str| {
        lango_catalogue::model::AgencyCode::parse(code)
            .ok()
            .and_then(|c| snap.agency(&c).cloned())
            .map_or_else(
                || code.to_string(),
                |a| format!("{code} – {}", lang.pick(&a.name, &a.name_sw)),
            )
    };
    let channel_name = |ch: &str| match ch {
        "mpesa" | "card" | "fpx" | "cash" => tr(lang, &format!("finance_channel_{ch}")).to_string(),
        other => other.to_string(),
    };
    CurrencyView {
        code,
        moved: r.total != revenue::Flow::default(),
        totals: vec![
            ("finance_collected", money(r.total.collected)),
            ("finance_revenue", money(r.total.revenue)),
            ("finance_fees", money(r.total.fees)),
            ("finance_in_suspense", money(r.suspense)),
        ],
        chart: chart::bars(&name, &money(peak), &bars),
        days: r
            .days
            .iter()
            .map(|d| Row {
                name: d.day.date(),
                amounts: vec![
                    money(d.flow.collected),
                    money(d.flow.revenue),
                    money(d.flow.fees),
                ],
            })
            .collect(),
        agencies: r
            .agencies
            .iter()
            .map(|(a, v)| Row {
                name: agency_name(a),
                amounts: vec![money(*v)],
            })
            .collect(),
        channels: r
            .channels
            .iter()
            .map(|(ch, v)| Row {
                name: channel_name(ch),
                amounts: vec![money(*v)],
            })
            .collect(),
    }
}

/// `GET /finance?from=&to=`: revenue by day, agency, channel and currency.
async fn dashboard(
    State(state): State<AppState>,
    s: SignedIn,
    q: Result<Query<PeriodParams>, QueryRejection>,
) -> Response {
    if let Some(r) = forbidden(&state, &s, Action::View) {
        return r;
    }
    let lang = s.v.lang;
    let params = PeriodParams::read(q);
    let here = "/finance";
    let held = match lango_payments::finance::suspense::queue(&state.db, 0).await {
        Ok(q) => tr_with(lang, "finance_held_count", [FluentValue::from(q.count)]),
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let (form, currencies) = match params.period() {
        Ok(period) => match revenue::report(&state.db, period).await {
            Ok(report) => (
                Form::new(
                    here,
                    &s.v.csrf,
                    tr(lang, "finance_show"),
                    period_fields(lang, &period.from.date(), &period.to.date()),
                ),
                report
                    .currencies
                    .iter()
                    .map(|r| currency_view(&state, lang, r))
                    .collect(),
            ),
            Err(e) => return crate::error::page_error(&state, lang, e),
        },
        Err(errors) => (
            Form::new(
                here,
                &s.v.csrf,
                tr(lang, "finance_show"),
                period_fields(
                    lang,
                    params.from.as_deref().unwrap_or(""),
                    params.to.as_deref().unwrap_or(""),
                ),
            )
            .problems(lang, &period_problems(&errors)),
            Vec::new(),
        ),
    };
    let nothing = form.errors.is_empty() && !currencies.iter().any(|c: &CurrencyView| c.moved);
    render(
        form.status(),
        &DashboardPage {
            c: Chrome::for_visitor(&s.v, state.config.demo, here),
            form,
            currencies,
            nothing,
            held,
            fpx: state.config.fpx.is_some(),
        },
    )
}

#[derive(Template)]
#[template(path = "finance_export.html")]
struct ExportPage {
    c: Chrome,
    form: Form,
}

fn export_form(lang: Lang, csrf: &str, from: &str, to: &str, format: &str) -> Form {
    let mut fields = period_fields(lang, from, to);
    let mut f = Field::new(lang, "format", "radios").label(lang, "finance_format");
    f.choices = ["csv", "json"]
        .into_iter()
        .map(|v| crate::forms::Choice {
            value: v.to_string(),
            label: tr(lang, &format!("finance_format_{v}")).to_string(),
            checked: v == format,
        })
        .collect();
    fields.push(f);
    Form::new(
        "/finance/export",
        csrf,
        tr(lang, "finance_download"),
        fields,
    )
}

/// `GET /finance/export`: the form, or with `from`, `to` and `format` the file itself.
async fn export(
    State(state): State<AppState>,
    s: SignedIn,
    q: Result<Query<PeriodParams>, QueryRejection>,
) -> Response {
    if let Some(r) = forbidden(&state, &s, Action::View) {
        return r;
    }
    let lang = s.v.lang;
    let params = PeriodParams::read(q);
    let chosen = params.format.as_deref().unwrap_or("");
    let page = |form: Form| {
        render(
            form.status(),
            &ExportPage {
                c: Chrome::for_visitor(&s.v, state.config.demo, "/finance/export"),
                form,
            },
        )
    };
    if !params.given() && params.format.is_none() {
        let last = Period::last(30);
        return page(export_form(
            lang,
            &s.v.csrf,
            &last.from.date(),
            &last.to.date(),
            "csv",
        ));
    }
    let period = params.period();
    let format = Format::parse(chosen);
    let (Ok(period), Some(format)) = (&period, format) else {
        let mut problems = period
            .err()
            .map_or_else(Problems::default, |e| period_problems(&e));
        if format.is_none() {
            problems.add("format", "finance_format_required");
        }
        let form = export_form(
            lang,
            &s.v.csrf,
            params.from.as_deref().unwrap_or(""),
            params.to.as_deref().unwrap_or(""),
            chosen,
        )
        .problems(lang, &problems);
        return page(form);
    };
    download(&state, &s, *period, format).await
}

/// Streams the export: each chunk is read from the database as the client takes the last.
async fn download(state: &AppState, s: &SignedIn, period: Period, format: Format) -> Response {
    let actor = lango_identity::account::actor_label(&s.v.actor);
    let detail = format!(
        "{} to {}, {}",
        period.from.date(),
        period.to.date(),
        format.extension()
    );
    let recorded = lango_core::audit::record(
        &state.db,
        lango_core::audit::Entry {
            actor: &actor,
            action: "finance.export",
            object: "receipts",
            subject: "",
            detail: &detail,
        },
    )
    .await;
    let export = match recorded {
        Ok(_) => Export::start(&state.db, period, format).await,
        Err(e) => Err(e),
    };
    let export = match export {
        Ok(e) => e,
        Err(e) => return crate::error::page_error(state, s.v.lang, e),
    };
    let name = export.file_name();
    let stream = futures_util::stream::unfold(Some(export), |state| async move {
        let mut export = state?;
        match export.next_chunk().await {
            Ok(Some(bytes)) => Some((Ok(bytes), Some(export))),
            Ok(None) => None,
            Err(e) => {
                // Headers are gone already: cut the body short so the file is visibly broken.
                tracing::error!(error = %e, "export failed part way");
                Some((Err(std::io::Error::other(e.to_string())), None))
            }
        }
    });
    crate::download::file(Body::from_stream(stream), format.content_type(), &name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_period_means_the_last_thirty_days() {
        let p = PeriodParams::default();
        assert_eq!(p.period().unwrap().days().count(), 30);
        let bad = PeriodParams {
            from: Some("2026-11-31".into()),
            to: None,
            format: None,
        };
        let problems = period_problems(&bad.period().unwrap_err());
        let fields: Vec<&str> = problems.0.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["from", "to"]);
    }
}
