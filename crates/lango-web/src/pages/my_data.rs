//! Everything Lango holds about the signed-in person, as a page and as a JSON download (the
//! right of access and portability, Data Protection Act, 2019, s. 26 and s. 38), and the form
//! that asks for a correction (`lango_identity::correction`).

use super::apply::{service_name, state_label};
use super::auth::{form_page, send};
use super::when as at;
use super::{render, render_status_page, Chrome};
use crate::forms::{Choice, Field, Form};
use crate::i18n::Lang;
use crate::visitor::SignedIn;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form as Posted, Router};
use lango_identity::correction::{self, CorrectionForm, CorrectionRequest, TOPICS};
use serde_json::{json, Value};

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account/data", get(page))
        .route("/account/data.json", get(download))
        .route(
            "/account/data/correction",
            get(correction_page).post(correction_post),
        )
        .route("/account/data/correction/{reference}", get(correction_done))
}

/// Rows a download may hold of each kind: far more than anyone has, so nothing is cut off.
const ALL: i64 = 100_000;

/// One labelled value.
struct Fact {
    label: String,
    value: String,
}

/// One section of the page: a heading and its items, each a title and its facts.
struct Section {
    id: &'static str,
    title: &'static str,
    items: Vec<(String, Vec<Fact>)>,
}

/// What is held, gathered once for the page and the download.
struct Held {
    json: Value,
    sections: Vec<Section>,
}

fn fact(label: impl Into<String>, value: impl Into<String>) -> Fact {
    Fact {
        label: label.into(),
        value: value.into(),
    }
}

/// Gathers everything held about `s`: from each room, through its own operations.
async fn gather(state: &AppState, s: &SignedIn) -> lango_core::Result<Held> {
    let lang = s.v.lang;
    let a = &s.account;
    let db = &state.db;
    let businesses = lango_identity::business::of_account(db, &a.id).await?;
    let dependants = lango_identity::business::dependants(db, &a.id).await?;
    let sessions = lango_identity::session::list(db, &a.id).await?;
    let activity = lango_core::audit::for_subject(db, &a.id, ALL).await?;
    let messages = lango_notify::for_account(db, &a.id, ALL).await?;
    let corrections = correction::of_account(db, &a.id).await?;
    let claims = lango_identity::claim::of_account(db, &a.id).await?;
    let applications = state.cases.mine(&s.v.actor).await?;

    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut sections = vec![Section {
        id: "account",
        title: tr(lang, "data_account"),
        items: vec![(
            a.display_name(),
            vec![
                fact(tr(lang, "id_number"), opt(&a.id_number)),
                fact(tr(lang, "given_name"), &a.given_name),
                fact(tr(lang, "family_name"), &a.family_name),
                fact(tr(lang, "other_names"), &a.other_names),
                fact(tr(lang, "date_of_birth"), opt(&a.date_of_birth)),
                fact(tr(lang, "phone"), opt(&a.phone)),
                fact(tr(lang, "email"), opt(&a.email)),
                fact(tr(lang, "postal_address"), &a.postal_address),
                fact(tr(lang, "county"), &a.county),
                fact(tr(lang, "sub_county"), &a.sub_county),
                fact(tr(lang, "language"), &a.language),
                fact(
                    tr(lang, "contact_preference"),
                    tr(lang, &format!("prefer_{}", a.contact_preference)),
                ),
            ],
        )],
    }];
    sections.push(Section {
        id: "people",
        title: tr(lang, "data_people"),
        items: businesses
            .iter()
            .map(|(b, role)| {
                (
                    b.name.clone(),
                    vec![
                        fact(tr(lang, "registration_number"), &b.registration_number),
                        fact(tr(lang, "role"), tr(lang, role)),
                    ],
                )
            })
            .chain(dependants.iter().map(|d| {
                (
                    d.display_name(),
                    vec![fact(tr(lang, "date_of_birth"), opt(&d.date_of_birth))],
                )
            }))
            .chain(super::claims::rows(lang, &claims).into_iter().map(|c| {
                (
                    c.subject,
                    vec![
                        fact(tr(lang, "claim_reference"), c.reference),
                        fact(tr(lang, "claim_status"), c.status),
                        fact(tr(lang, "claim_reason"), c.reason),
                    ],
                )
            }))
            .collect(),
    });

    let mut app_items = Vec::new();
    let mut app_json = Vec::new();
    let mut bill_items = Vec::new();
    let mut bill_json = Vec::new();
    for app in &applications {
        let def = state
            .cases
            .definition(&app.service, Some(app.version))
            .await?;
        let (service, status) = match &def {
            Some(d) => (
                service_name(state, lang, d),
                state_label(lang, d, &app.state),
            ),
            None => (app.service.clone(), app.state.clone()),
        };
        let mut facts = vec![
            fact(tr(lang, "apply_reference"), &app.reference),
            fact(tr(lang, "apply_status"), &status),
            fact(tr(lang, "data_started"), at(app.created_at)),
        ];
        if let Some(d) = &def {
            let d = &d.definition;
            for p in d.pages_for(&app.answers) {
                for f in d.fields_for(p, &app.answers) {
                    if let Some(v) = app.answers.get(&f.id).filter(|v| !v.is_null()) {
                        facts.push(fact(
                            lang.pick(&f.label.en, f.label.sw.as_deref().unwrap_or("")),
                            d.display(f, v, lang.tag()),
                        ));
                    }
                }
            }
        }
        app_items.push((service.clone(), facts));
        app_json.push(json!({
            "reference": app.reference, "service": app.service, "service_name": service,
            "agency": app.agency, "status": app.state, "status_name": status,
            "channel": app.channel, "started_at": at(app.created_at),
            "submitted_at": app.submitted_at.map(at), "answers": app.answers,
            "bill": app.bill_reference,
        }));
        let Some(reference) = &app.bill_reference else {
            continue;
        };
        let Some(bill) = lango_payments::bills::get(db, reference).await? else {
            continue;
        };
        let payments = lango_payments::stk::bill_payments(db, reference).await?;
        let mut facts = vec![
            fact(tr(lang, "data_bill_for"), &app.reference),
            fact(tr(lang, "apply_total"), bill.amount().display()),
            fact(tr(lang, "data_paid"), bill.paid.display()),
            fact(
                tr(lang, "status"),
                tr(lang, &format!("bill_status_{}", bill.status)),
            ),
        ];
        for p in &payments {
            facts.push(fact(
                format!("{} {}", p.channel, at(p.at)),
                format!("{} ({})", p.amount, p.receipt),
            ));
        }
        bill_items.push((bill.reference.clone(), facts));
        bill_json.push(json!({
            "reference": bill.reference, "application": app.reference, "agency": bill.agency,
            "amount": bill.service_amount.to_decimal(), "convenience_fee": bill.fee.to_decimal(),
            "currency": bill.service_amount.currency().code(), "paid": bill.paid.to_decimal(),
            "status": bill.status,
            "payments": payments.iter().map(|p| json!({
                "channel": p.channel, "receipt": p.receipt, "amount": p.amount, "at": at(p.at),
            })).collect::<Vec<_>>(),
        }));
    }
    sections.push(Section {
        id: "applications",
        title: tr(lang, "your_applications"),
        items: app_items,
    });
    sections.push(Section {
        id: "bills",
        title: tr(lang, "data_bills"),
        items: bill_items,
    });
    // Account messages carry one-time codes: their text stays out of a file that may be
    // kept or sent on; what they were and when is still there.
    let message_text = |m: &lango_notify::Stored| {
        if m.event_type.is_some() {
            m.body.clone()
        } else {
            String::new()
        }
    };
    sections.push(Section {
        id: "messages",
        title: tr(lang, "messages"),
        items: messages
            .iter()
            .map(|m| {
                (
                    format!("{} {}", at(m.created_at), m.recipient),
                    vec![
                        fact(
                            tr(lang, "channel"),
                            tr(lang, &format!("channel_{}", m.channel)),
                        ),
                        fact(tr(lang, "status"), &m.status),
                        fact(tr(lang, "what"), message_text(m)),
                    ],
                )
            })
            .collect(),
    });
    sections.push(Section {
        id: "sessions",
        title: tr(lang, "sessions"),
        items: sessions
            .iter()
            .map(|x| {
                (
                    at(x.created_at),
                    vec![
                        fact(tr(lang, "last_active"), at(x.last_seen_at)),
                        fact(tr(lang, "browser"), &x.user_agent),
                        fact(tr(lang, "address"), &x.ip),
                    ],
                )
            })
            .collect(),
    });
    sections.push(Section {
        id: "activity",
        title: tr(lang, "activity"),
        items: activity
            .iter()
            .map(|r| {
                (
                    at(r.at),
                    vec![
                        fact(tr(lang, "who"), &r.actor),
                        fact(tr(lang, "what"), &r.action),
                    ],
                )
            })
            .collect(),
    });
    sections.push(Section {
        id: "corrections",
        title: tr(lang, "data_corrections"),
        items: corrections
            .iter()
            .map(|c| {
                let mut facts = vec![
                    fact(tr(lang, "correction_topic"), topic_name(lang, &c.topic)),
                    fact(tr(lang, "correction_details"), &c.details),
                    fact(tr(lang, "data_started"), at(c.created_at)),
                    fact(
                        tr(lang, "correction_status"),
                        tr(lang, &format!("correction_status_{}", c.status)),
                    ),
                ];
                if let Some(answer) = &c.answer {
                    facts.push(fact(tr(lang, "correction_our_answer"), answer));
                }
                (c.reference.clone(), facts)
            })
            .collect(),
    });
    sections.retain(|s| !s.items.is_empty());

    let json = json!({
        "account": {
            "id": a.id, "kind": a.kind.as_str(), "id_kind": a.id_kind.map(|k| k.as_str()),
            "id_number": a.id_number, "given_name": a.given_name, "family_name": a.family_name,
            "other_names": a.other_names, "date_of_birth": a.date_of_birth, "phone": a.phone,
            "phone_verified": a.phone_verified, "email": a.email, "email_verified": a.email_verified,
            "two_step_sign_in": a.totp_enabled, "status": a.status,
            "postal_address": a.postal_address, "county": a.county, "sub_county": a.sub_county,
            "language": a.language, "contact_preference": a.contact_preference,
        },
        "businesses": businesses.iter().map(|(b, role)| json!({
            "registration_number": b.registration_number, "name": b.name, "role": role,
        })).collect::<Vec<_>>(),
        "dependants": dependants.iter().map(|d| json!({
            "given_name": d.given_name, "family_name": d.family_name,
            "date_of_birth": d.date_of_birth, "id_number": d.id_number,
        })).collect::<Vec<_>>(),
        "claims": claims.iter().map(|c| json!({
            "reference": c.reference, "kind": c.kind.as_str(), "number": c.number,
            "name": c.name, "family_name": c.family_name, "date_of_birth": c.date_of_birth,
            "relationship": c.relationship, "status": c.status.as_str(), "reason": c.reason,
            "made_at": at(c.created_at),
        })).collect::<Vec<_>>(),
        "applications": app_json,
        "bills": bill_json,
        "messages": messages.iter().map(|m| json!({
            "at": at(m.created_at), "channel": m.channel, "to": m.recipient, "subject": m.subject,
            "text": message_text(m), "event": m.event_type, "status": m.status,
        })).collect::<Vec<_>>(),
        "sessions": sessions.iter().map(|x| json!({
            "started_at": at(x.created_at), "last_active_at": at(x.last_seen_at),
            "browser": x.user_agent, "address": x.ip,
        })).collect::<Vec<_>>(),
        "activity": activity.iter().map(|r| json!({
            "at": at(r.at), "who": r.actor, "what": r.action, "object": r.object, "detail": r.detail,
        })).collect::<Vec<_>>(),
        "correction_requests": corrections,
        "times": format!(
            "{} (UTC{})",
            super::time_zone(),
            lango_core::clock::local_offset_text()
        ),
    });
    Ok(Held { json, sections })
}

#[derive(Template)]
#[template(path = "my_data.html")]
struct DataPage {
    c: Chrome,
    sections: Vec<Section>,
}

/// `GET /account/data`: what Lango holds about the person, readable.
async fn page(State(state): State<AppState>, s: SignedIn) -> Response {
    match gather(&state, &s).await {
        Ok(held) => render(
            StatusCode::OK,
            &DataPage {
                c: Chrome::for_visitor(&s.v, state.config.demo, "/account/data"),
                sections: held.sections,
            },
        ),
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

/// `GET /account/data.json`: the same, as a file a computer can read.
async fn download(State(state): State<AppState>, s: SignedIn) -> Response {
    match gather(&state, &s).await {
        Ok(held) => (
            [
                (header::CONTENT_TYPE, "application/json"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"lango-my-data.json\"",
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            serde_json::to_string_pretty(&held.json).unwrap_or_default(),
        )
            .into_response(),
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

/// The words of a topic.
pub(super) fn topic_name(lang: Lang, topic: &str) -> &'static str {
    tr(lang, &format!("correction_topic_{topic}"))
}

fn correction_form(lang: Lang, csrf: &str, f: &CorrectionForm) -> Form {
    let mut topic = Field::new(lang, "topic", "radios").label(lang, "correction_topic");
    topic.choices = TOPICS
        .iter()
        .map(|t| Choice {
            value: t.to_string(),
            label: topic_name(lang, t).to_string(),
            checked: *t == f.topic,
        })
        .collect();
    let mut details = Field::new(lang, "details", "textarea")
        .label(lang, "correction_details")
        .value(&f.details);
    details.hint = tr(lang, "correction_details_hint");
    Form::new(
        "/account/data/correction",
        csrf,
        tr(lang, "correction_send"),
        vec![topic, details],
    )
}

/// `GET /account/data/correction`
async fn correction_page(State(state): State<AppState>, s: SignedIn) -> Response {
    let form = correction_form(s.v.lang, &s.v.csrf, &CorrectionForm::default());
    send(form_page(
        &state,
        &s.v,
        "/account/data/correction",
        "correction_title",
        "correction_lead",
        form,
    ))
}

/// `POST /account/data/correction`: records the request, or shows what to put right.
async fn correction_post(
    State(state): State<AppState>,
    s: SignedIn,
    Posted(f): Posted<CorrectionForm>,
) -> Response {
    match correction::request(&state.db, &s.v.actor, &s.account.id, &f).await {
        Ok(Ok(req)) => {
            Redirect::to(&format!("/account/data/correction/{}", req.reference)).into_response()
        }
        Ok(Err(p)) => {
            let form = correction_form(s.v.lang, &s.v.csrf, &f).problems(s.v.lang, &p);
            send(form_page(
                &state,
                &s.v,
                "/account/data/correction",
                "correction_title",
                "correction_lead",
                form,
            ))
        }
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

#[derive(Template)]
#[template(path = "correction_done.html")]
struct DonePage {
    c: Chrome,
    r: CorrectionRequest,
    topic: &'static str,
}

/// `GET /account/data/correction/{reference}`: the confirmation, with the reference.
async fn correction_done(
    State(state): State<AppState>,
    s: SignedIn,
    Path(reference): Path<String>,
) -> Response {
    match correction::get(&state.db, &s.account.id, &reference).await {
        Ok(Some(r)) => render(
            StatusCode::OK,
            &DonePage {
                c: Chrome::for_visitor(&s.v, state.config.demo, "/account/data"),
                topic: topic_name(s.v.lang, &r.topic),
                r,
            },
        ),
        Ok(None) => render_status_page(StatusCode::NOT_FOUND, s.v.lang, state.config.demo),
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}
