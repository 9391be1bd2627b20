//! `/work/{agency}`: the agency's open applications, oldest due first, with the filters
//! officers need (service, stage, deadline, assignee) as a GET form and keyset pages. It
//! must stay fast with a million applications: one indexed page of the queue, the staff
//! names, and filter choices reused for a minute.

use super::{
    agency_name, assignee, day, enc, pick, service_name, staff_names, state_label, Definitions,
    PAGE_SIZE,
};
use crate::i18n::Lang;
use crate::pages::{render, render_status_page, Chrome};
use crate::visitor::SignedIn;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lango_cases::application::{Application, QueueFilter, SlaFilter};
use lango_cases::service::Versioned;
use lango_identity::policy::{may, Action, Object};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;

/// The queue's filters as the GET form sends them.
#[derive(Debug, Default, Deserialize)]
pub struct QueueParams {
    state: Option<String>,
    sla: Option<String>,
    assigned: Option<String>,
    service: Option<String>,
    after: Option<String>,
    /// A reference typed in the "find an application" box.
    reference: Option<String>,
}

/// A value from the query string worth passing on: not empty, not absurdly long, no
/// control characters (PostgreSQL refuses NUL in text; nothing legitimate has one).
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 100 && !v.chars().any(char::is_control))
}

impl QueueParams {
    fn filter(&self, me: &str) -> QueueFilter {
        QueueFilter {
            state: given(&self.state).map(str::to_string),
            sla: match given(&self.sla) {
                Some("breached") => Some(SlaFilter::Breached),
                Some("at_risk") => Some(SlaFilter::AtRisk),
                _ => None,
            },
            assigned_to: (given(&self.assigned) == Some("me")).then(|| me.to_string()),
            unassigned: given(&self.assigned) == Some("unassigned"),
            service: given(&self.service).map(str::to_string),
        }
    }

    /// The query string of these filters (without `after`), for the next page's link.
    fn query(&self) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("service", &self.service),
            ("state", &self.state),
            ("sla", &self.sla),
            ("assigned", &self.assigned),
        ] {
            let known = match k {
                "sla" => matches!(given(v), Some("breached" | "at_risk")),
                "assigned" => matches!(given(v), Some("me" | "unassigned")),
                _ => true,
            };
            if let Some(v) = given(v).filter(|_| known) {
                q.append_pair(k, v);
            }
        }
        q.finish()
    }
}

/// One option of a filter's select.
struct Opt {
    value: String,
    label: String,
    selected: bool,
}

/// One select of the filter form.
struct Select {
    name: &'static str,
    label: &'static str,
    options: Vec<Opt>,
}

fn select(
    lang: Lang,
    name: &'static str,
    chosen: Option<&str>,
    options: Vec<(String, String)>,
) -> Select {
    Select {
        name,
        label: tr(lang, &format!("work_filter_{name}")),
        options: options
            .into_iter()
            .map(|(value, label)| Opt {
                selected: chosen == Some(value.as_str()),
                value,
                label,
            })
            .collect(),
    }
}

/// One row of the queue.
struct QueueRow {
    reference: String,
    href: String,
    applicant: String,
    service: String,
    state: String,
    submitted: String,
    due: String,
    overdue: bool,
    assignee: String,
}

#[derive(Template)]
#[template(path = "work_queue.html")]
struct QueuePage {
    c: Chrome,
    agency: String,
    agency_code: String,
    filters: Vec<Select>,
    rows: Vec<QueueRow>,
    next: Option<String>,
    first: Option<String>,
    supervisor: bool,
    /// What was typed in the find box, when it is not a reference (shown with the error).
    find_error: Option<String>,
}

/// The services of `agency` that take applications online, by name.
fn online_services(state: &AppState, lang: Lang, agency: &str) -> Vec<(String, String)> {
    let snap = state.catalogue.snapshot();
    snap.by_name()
        .iter()
        .filter(|e| {
            e.service.agency_code.as_str() == agency
                && e.service.stage == lango_catalogue::model::Stage::EndToEnd
        })
        .map(|e| {
            (
                e.service.code.as_str().to_string(),
                lang.pick(&e.service.name, &e.service.name_sw).to_string(),
            )
        })
        .collect()
}

/// The open states of the current definitions of `services`, once each, for the state filter.
async fn open_states(
    state: &AppState,
    lang: Lang,
    services: &[(String, String)],
) -> lango_core::Result<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (code, _) in services {
        if let Some(d) = state.cases.definition(code, None).await? {
            for st in &d.definition.file().workflow.states {
                if st.outcome.is_none() && !out.iter().any(|(id, _)| *id == st.id) {
                    out.push((st.id.clone(), pick(lang, &st.label)));
                }
            }
        }
    }
    Ok(out)
}

/// The service and state choices of an agency's filter form, in one language.
type FilterOptions = (Vec<(String, String)>, Vec<(String, String)>);

/// How long the filter choices are reused: the queue page must stay fast however many
/// services an agency has, and a new definition's states may take this long to appear.
const FILTER_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// The filter choices of `agency`, worked out at most once a minute per node.
async fn filter_options(
    state: &AppState,
    lang: Lang,
    agency: &str,
) -> lango_core::Result<FilterOptions> {
    type Cache =
        std::sync::Mutex<HashMap<(String, &'static str), (std::time::Instant, Arc<FilterOptions>)>>;
    static CACHE: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (agency.to_string(), lang.tag());
    if let Some((at, o)) = cache.lock().expect("filter cache").get(&key) {
        if at.elapsed() < FILTER_TTL {
            return Ok((o.0.clone(), o.1.clone()));
        }
    }
    let services = online_services(state, lang, agency);
    let states = open_states(state, lang, &services).await?;
    let options = Arc::new((services, states));
    let mut map = cache.lock().expect("filter cache");
    // Agencies are few; a node never holds more than a few hundred entries.
    if map.len() > 1000 {
        map.clear();
    }
    map.insert(key, (std::time::Instant::now(), options.clone()));
    Ok((options.0.clone(), options.1.clone()))
}

/// `GET /work/{agency}?service=&state=&sla=&assigned=&after=`: the open applications, oldest due first.
pub async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Path(agency): Path<String>,
    q: Result<Query<QueueParams>, QueryRejection>,
) -> Response {
    let lang = s.v.lang;
    if !super::plausible(&agency) {
        return render_status_page(StatusCode::NOT_FOUND, lang, state.config.demo);
    }
    let mut params = q.map(|Query(p)| p).unwrap_or_default();
    // Found by its reference (case, spaces and hyphens forgiven): straight to the
    // application, whose page checks that this officer may see it.
    let find_error = match given(&params.reference) {
        Some(typed) => match lango_cases::reference::parse(typed) {
            Some(r) => {
                return axum::response::Redirect::to(&format!(
                    "/work/{}/applications/{r}",
                    enc(&agency)
                ))
                .into_response()
            }
            None => Some(typed.to_string()),
        },
        None => None,
    };
    let me = s.account.id.clone();
    let filter = params.filter(&me);
    let mut found = state
        .cases
        .queue(
            &s.v.actor,
            &agency,
            &filter,
            given(&params.after),
            PAGE_SIZE,
        )
        .await;
    if let (Err(lango_core::Error::Invalid { .. }), Some(_)) = (&found, given(&params.after)) {
        // A mangled "next page" link starts again from the first page.
        params.after = None;
        found = state
            .cases
            .queue(&s.v.actor, &agency, &filter, None, PAGE_SIZE)
            .await;
    }
    let page = match found {
        Ok(p) => p,
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let staff = match staff_names(&state, &s, &agency).await {
        Ok(list) => list,
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let (services, states) = match filter_options(&state, lang, &agency).await {
        Ok(o) => o,
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let mut defs = Definitions::default();
    let now = lango_core::clock::now_ms();
    let mut rows = Vec::with_capacity(page.items.len());
    for a in &page.items {
        let def = match defs.get(&state, &a.service, a.version).await {
            Ok(d) => d,
            Err(e) => return crate::error::page_error(&state, lang, e),
        };
        rows.push(queue_row(
            &state,
            lang,
            &agency,
            a,
            def.as_deref(),
            &staff,
            now,
        ));
    }
    let query = params.query();
    let base = format!("/work/{}", enc(&agency));
    let with = |extra: &str| {
        let joined = [query.as_str(), extra]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("&");
        if joined.is_empty() {
            base.clone()
        } else {
            format!("{base}?{joined}")
        }
    };
    let next = page
        .next
        .as_ref()
        .map(|n| with(&format!("after={}", enc(n))));
    let first = given(&params.after).map(|_| with(""));
    let sla_options = ["breached", "at_risk"]
        .iter()
        .map(|v| {
            (
                v.to_string(),
                tr(lang, &format!("work_sla_{v}")).to_string(),
            )
        })
        .collect();
    let assigned_options = ["me", "unassigned"]
        .iter()
        .map(|v| {
            (
                v.to_string(),
                tr(lang, &format!("work_assigned_{v}")).to_string(),
            )
        })
        .collect();
    let filters = vec![
        select(lang, "service", given(&params.service), services),
        select(lang, "state", given(&params.state), states),
        select(lang, "sla", given(&params.sla), sla_options),
        select(lang, "assigned", given(&params.assigned), assigned_options),
    ];
    let here = with(
        &params
            .after
            .as_deref()
            .map(|a| format!("after={}", enc(a)))
            .unwrap_or_default(),
    );
    render(
        StatusCode::OK,
        &QueuePage {
            c: Chrome::for_visitor(&s.v, state.config.demo, &here),
            agency: agency_name(&state, lang, &agency),
            agency_code: enc(&agency),
            filters,
            rows,
            next,
            first,
            supervisor: may(&s.v.actor, Action::Supervise, Object::Agency(&agency)),
            find_error,
        },
    )
}

fn queue_row(
    state: &AppState,
    lang: Lang,
    agency: &str,
    a: &Application,
    def: Option<&Versioned>,
    staff: &[lango_identity::staff::StaffMember],
    now: i64,
) -> QueueRow {
    QueueRow {
        href: format!("/work/{}/applications/{}", enc(agency), enc(&a.reference)),
        reference: a.reference.clone(),
        applicant: a.applicant_name.clone(),
        service: service_name(state, lang, &a.service),
        state: state_label(lang, def, &a.state),
        submitted: a.submitted_at.map(day).unwrap_or_default(),
        due: a.due_at.map(day).unwrap_or_default(),
        overdue: a.due_at.is_some_and(|d| d < now),
        assignee: assignee(lang, staff, a.assigned_to.as_deref()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> QueueParams {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        };
        QueueParams {
            state: get("state"),
            sla: get("sla"),
            assigned: get("assigned"),
            service: get("service"),
            after: get("after"),
            reference: get("reference"),
        }
    }

    #[test]
    fn filters_read_from_the_query_and_garbage_is_ignored() {
        let p = params(&[("state", "review"), ("sla", "breached"), ("assigned", "me")]);
        let f = p.filter("ME");
        assert_eq!(f.state.as_deref(), Some("review"));
        assert_eq!(f.sla, Some(SlaFilter::Breached));
        assert_eq!(f.assigned_to.as_deref(), Some("ME"));
        assert!(!f.unassigned);
        assert_eq!(p.query(), "state=review&sla=breached&assigned=me");

        let p = params(&[
            ("state", "a\0b"),
            ("sla", "soon"),
            ("assigned", "unassigned"),
            ("service", " "),
        ]);
        let f = p.filter("ME");
        assert_eq!((f.state, f.sla, f.service), (None, None, None));
        assert!(f.unassigned && f.assigned_to.is_none());
        assert_eq!(p.query(), "assigned=unassigned");
        assert_eq!(given(&Some("x".repeat(101))), None);
    }
}
