//! The signed-in person's pages: their details (entered once), sessions, two-step sign-in,
//! businesses and representatives, dependants, and who has seen or changed their data.

use super::auth::{form_page, send};
pub use super::when;
use super::{render, Chrome};
use crate::forms::{Field, Form};
use crate::i18n::Lang;
use crate::visitor::SignedIn;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form as Posted;
use base64::Engine;
use lango_identity::account::{self, Account, ProfileForm};
use lango_identity::business::{self, Business, Member};
use lango_identity::model::{Problems, Role};
use lango_identity::session::{self, Session};
use lango_identity::{recovery, signin, totp};
use serde::Deserialize;

/// A place where a staff member works, linked from their account page.
pub struct StaffLink {
    /// Where.
    pub href: String,
    /// What.
    pub label: String,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    c: Chrome,
    a: Account,
    notice: &'static str,
    businesses: Vec<(Business, String)>,
    dependants: Vec<Account>,
    claims: Vec<super::claims::ClaimRow>,
    staff: Vec<StaffLink>,
}

/// The places `actor` works, as their account page and a refusal page list them.
pub fn staff_links(lang: Lang, actor: &lango_identity::policy::Actor) -> Vec<StaffLink> {
    let lango_identity::policy::Actor::Person(p) = actor else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for g in &p.grants {
        if let (Role::AgencyAdmin, Some(agency)) = (g.role, &g.agency) {
            out.push(StaffLink {
                href: format!("/admin/agencies/{agency}/staff"),
                label: format!("{} – {agency}", tr(lang, "staff_title")),
            });
            out.push(StaffLink {
                href: format!("/admin/agencies/{agency}/api-keys"),
                label: format!("{} – {agency}", tr(lang, "api_keys")),
            });
            out.push(StaffLink {
                href: format!("/admin/agencies/{agency}/sign-in"),
                label: format!("{} – {agency}", tr(lang, "oidc_clients_link")),
            });
            out.push(StaffLink {
                href: format!("/admin/agencies/{agency}/webhooks"),
                label: format!("{} – {agency}", tr(lang, "webhooks")),
            });
            out.push(StaffLink {
                href: format!("/admin/agencies/{agency}/statement"),
                label: format!("{} – {agency}", tr(lang, "settle_statement_title")),
            });
            out.push(StaffLink {
                href: format!("/admin/agencies/{agency}/services"),
                label: format!("{} – {agency}", tr(lang, "agency_services_link")),
            });
            out.push(StaffLink {
                href: format!("/admin/agencies/{agency}/costs"),
                label: format!("{} – {agency}", tr(lang, "cost_title")),
            });
            out.push(StaffLink {
                href: format!("/admin/agencies/{agency}/performance"),
                label: format!("{} – {agency}", tr(lang, "perf_agency_title")),
            });
        }
    }
    let mut worked: Vec<&str> = p
        .grants
        .iter()
        .filter(|g| matches!(g.role, Role::Officer | Role::Supervisor))
        .filter_map(|g| g.agency.as_deref())
        .collect();
    worked.sort_unstable();
    worked.dedup();
    for agency in worked {
        out.push(StaffLink {
            href: format!("/work/{agency}"),
            label: format!("{} – {agency}", tr(lang, "workbench_link")),
        });
    }
    let mut centres: Vec<&str> = p
        .grants
        .iter()
        .filter(|g| g.role.is_centre_role())
        .filter_map(|g| g.centre.as_deref())
        .collect();
    centres.sort_unstable();
    centres.dedup();
    for centre in centres {
        out.push(StaffLink {
            href: format!("/desk/{centre}"),
            label: format!("{} – {centre}", tr(lang, "desk_title")),
        });
    }
    use lango_identity::policy::{may, Action, Object};
    if may(actor, Action::View, Object::Finance) {
        out.push(StaffLink {
            href: "/finance".into(),
            label: tr(lang, "finance_area").to_string(),
        });
    }
    if may(actor, Action::View, Object::Performance(None)) {
        out.push(StaffLink {
            href: "/admin/performance".into(),
            label: tr(lang, "perf_manage_title").to_string(),
        });
    }
    if may(actor, Action::Edit, Object::Platform) {
        out.push(StaffLink {
            href: "/admin/templates".into(),
            label: tr(lang, "templates_title").to_string(),
        });
        out.push(StaffLink {
            href: "/admin/corrections".into(),
            label: tr(lang, "corrections_admin_title").to_string(),
        });
        out.push(StaffLink {
            href: "/admin/claims".into(),
            label: tr(lang, "claims_admin_title").to_string(),
        });
        out.push(StaffLink {
            href: "/admin/document-keys".into(),
            label: tr(lang, "doc_keys_title").to_string(),
        });
    }
    if may(actor, Action::View, Object::Platform) || may(actor, Action::View, Object::Finance) {
        out.push(StaffLink {
            href: "/admin/agents".into(),
            label: tr(lang, "agents_admin_title").to_string(),
        });
    }
    for agent in &p.agents {
        out.push(StaffLink {
            href: format!("/agent/{agent}"),
            label: format!("{} – {agent}", tr(lang, "agent_desk_link")),
        });
    }
    if may(actor, Action::Edit, Object::Platform)
        || p.grants.iter().any(|g| g.role == Role::CentreManager)
    {
        out.push(StaffLink {
            href: "/admin/centres".into(),
            label: tr(lang, "cadm_link").to_string(),
        });
    }
    out
}

async fn account_page(state: &AppState, s: &SignedIn, notice: &'static str) -> Response {
    let businesses = business::of_account(&state.db, &s.account.id).await;
    let dependants = business::dependants(&state.db, &s.account.id).await;
    let claims = lango_identity::claim::of_account(&state.db, &s.account.id).await;
    // An agent not (or no longer) approved is not among the staff links, yet its owner
    // follows its application or suspension on its desk.
    let waiting = match &businesses {
        Ok(b) => {
            let ids: Vec<String> = b.iter().map(|(b, _)| b.id.clone()).collect();
            lango_agents::registry::of_businesses(&state.db, &ids).await
        }
        Err(_) => Ok(Vec::new()),
    };
    let mut staff = staff_links(s.v.lang, &s.v.actor);
    match waiting {
        Ok(agents) => staff.extend(
            agents
                .into_iter()
                .filter(|a| a.status != lango_agents::model::Status::Approved)
                .map(|a| StaffLink {
                    label: format!(
                        "{} – {} ({})",
                        tr(s.v.lang, "agent_desk_link"),
                        a.code,
                        tr(s.v.lang, &format!("agent_status_{}", a.status.as_str()))
                    ),
                    href: format!("/agent/{}", a.code),
                }),
        ),
        Err(e) => return crate::error::page_error(state, s.v.lang, e),
    }
    match (businesses, dependants, claims) {
        (Ok(businesses), Ok(dependants), Ok(claims)) => render(
            StatusCode::OK,
            &AccountPage {
                c: Chrome::for_visitor(&s.v, state.config.demo, "/account"),
                a: s.account.clone(),
                notice,
                businesses,
                dependants,
                claims: super::claims::rows(s.v.lang, &claims),
                staff,
            },
        ),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
            crate::error::page_error(state, s.v.lang, e)
        }
    }
}

/// `GET /account`
pub async fn home(State(state): State<AppState>, s: SignedIn) -> Response {
    account_page(&state, &s, "").await
}

fn profile_form(lang: Lang, csrf: &str, f: &ProfileForm) -> Form {
    Form::new(
        "/account/profile",
        csrf,
        tr(lang, "save"),
        vec![
            Field::new(lang, "given_name", "text")
                .value(&f.given_name)
                .auto("given-name"),
            Field::new(lang, "family_name", "text")
                .value(&f.family_name)
                .auto("family-name"),
            Field::new(lang, "other_names", "text")
                .value(&f.other_names)
                .auto("additional-name"),
            Field::date(lang, "date_of_birth", &f.dob, &f.date_of_birth).auto("bday"),
            Field::new(lang, "phone", "tel").value(&f.phone).auto("tel"),
            Field::new(lang, "email", "email")
                .value(&f.email)
                .auto("email"),
            Field::new(lang, "postal_address", "text")
                .value(&f.postal_address)
                .auto("street-address"),
            Field::new(lang, "county", "text")
                .value(&f.county)
                .auto("address-level1"),
            Field::new(lang, "sub_county", "text")
                .value(&f.sub_county)
                .auto("address-level2"),
            Field::new(lang, "language", "radios").choices(
                lang,
                &Lang::served().iter().map(|l| l.tag()).collect::<Vec<_>>(),
                &[f.language.as_str()],
            ),
            contact_preference_field(lang, &f.contact_preference),
            Field::new(lang, "current_password", "password").auto("current-password"),
        ],
    )
    .naming()
}

/// The channel choice; its values are stored names, so the labels have words of their own.
fn contact_preference_field(lang: Lang, chosen: &str) -> Field {
    Field::new(lang, "contact_preference", "radios").worded_choices(
        lang,
        "prefer_",
        &["sms", "email", "both"],
        chosen,
    )
}

/// `GET /account/profile`
pub async fn profile_page(State(state): State<AppState>, s: SignedIn) -> Response {
    let form = profile_form(s.v.lang, &s.v.csrf, &ProfileForm::from_account(&s.account));
    send(form_page(
        &state,
        &s.v,
        "/account/profile",
        "edit_profile",
        "account_lead",
        form,
    ))
}

/// `POST /account/profile`
pub async fn profile(
    State(state): State<AppState>,
    s: SignedIn,
    Posted(f): Posted<ProfileForm>,
) -> Response {
    match account::update_profile(&state.db, &s.v.actor, &s.account.id, &f).await {
        Ok(Ok(changed)) => {
            let s = match account::get(&state.db, &s.account.id).await {
                Ok(a) => SignedIn { account: a, ..s },
                Err(e) => return crate::error::page_error(&state, s.v.lang, e),
            };
            if changed.contains(&"phone") || changed.contains(&"email") {
                return Redirect::to("/confirm-contacts").into_response();
            }
            account_page(&state, &s, tr(s.v.lang, "profile_saved")).await
        }
        Ok(Err(p)) => {
            let form = profile_form(s.v.lang, &s.v.csrf, &f).problems(s.v.lang, &p);
            send(form_page(
                &state,
                &s.v,
                "/account/profile",
                "edit_profile",
                "account_lead",
                form,
            ))
        }
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

/// A session as the sessions page lists it.
pub struct SessionRow {
    started: String,
    last_active: String,
    browser: String,
    ip: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "sessions.html")]
struct SessionsPage {
    c: Chrome,
    rows: Vec<SessionRow>,
    notice: &'static str,
}

fn session_rows(list: Vec<Session>, current: &str) -> Vec<SessionRow> {
    list.into_iter()
        .map(|x| SessionRow {
            started: when(x.created_at),
            last_active: when(x.last_seen_at),
            browser: x.user_agent.chars().take(80).collect(),
            ip: x.ip,
            current: x.id == current,
        })
        .collect()
}

async fn sessions_page(state: &AppState, s: &SignedIn, notice: &'static str) -> Response {
    match session::list(&state.db, &s.account.id).await {
        Ok(list) => render(
            StatusCode::OK,
            &SessionsPage {
                c: Chrome::for_visitor(&s.v, state.config.demo, "/account/sessions"),
                rows: session_rows(list, &s.session.id),
                notice,
            },
        ),
        Err(e) => crate::error::page_error(state, s.v.lang, e),
    }
}

/// `GET /account/sessions`
pub async fn sessions(State(state): State<AppState>, s: SignedIn) -> Response {
    sessions_page(&state, &s, "").await
}

/// `POST /account/sessions/sign-out-others`
pub async fn sign_out_others(State(state): State<AppState>, s: SignedIn) -> Response {
    match signin::sign_out_others(&state.db, &s.session).await {
        Ok(_) => sessions_page(&state, &s, tr(s.v.lang, "others_signed_out")).await,
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

#[derive(Template)]
#[template(path = "two_factor.html")]
struct TwoFactorPage {
    c: Chrome,
    enabled: bool,
    secret: String,
    qr: String,
    form: Form,
    notice: &'static str,
    /// Recovery codes just made, shown this once.
    codes: Vec<String>,
    /// Unused recovery codes.
    remaining: i64,
    /// Making a new set of recovery codes (only while on).
    renew: Form,
}

/// The two-step form as typed.
#[derive(Deserialize, Default)]
pub struct TwoFactorForm {
    #[serde(default)]
    secret: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    current_code: String,
}

/// What the two-step page shows besides its state.
#[derive(Default)]
struct TwoFactorView {
    secret: String,
    problems: Option<Problems>,
    renew_problems: Option<Problems>,
    notice: &'static str,
    codes: Vec<String>,
}

async fn two_factor_page(
    state: &AppState,
    s: &SignedIn,
    enabled: bool,
    view: TwoFactorView,
) -> Response {
    let lang = s.v.lang;
    let secret = if enabled {
        String::new()
    } else if view.secret.is_empty() {
        totp::new_secret()
    } else {
        view.secret
    };
    let label = s
        .account
        .email
        .clone()
        .unwrap_or_else(|| s.account.display_name());
    let qr = totp::setup_url(&secret, &label)
        .map(|u| base64::engine::general_purpose::STANDARD.encode(totp::qr_svg(&u)))
        .unwrap_or_default();
    let (action, submit) = if enabled {
        ("/account/two-factor/disable", tr(lang, "turn_off"))
    } else {
        ("/account/two-factor", tr(lang, "turn_on"))
    };
    let code = Field::new(lang, "code", "text").auto("one-time-code");
    let mut form = Form::new(
        action,
        &s.v.csrf,
        submit,
        vec![
            if enabled {
                code.label(lang, "two_factor_off_code")
            } else {
                code
            },
            Field::new(lang, "secret", "hidden").value(&secret),
        ],
    );
    if let Some(p) = &view.problems {
        form = form.problems(lang, p);
    }
    let mut renew = Form::new(
        "/account/two-factor/recovery-codes",
        &s.v.csrf,
        tr(lang, "recovery_codes_renew"),
        vec![Field::new(lang, "current_code", "text").auto("one-time-code")],
    );
    if let Some(p) = &view.renew_problems {
        renew = renew.problems(lang, p);
    }
    let remaining = if enabled {
        match recovery::remaining(&state.db, &s.account.id).await {
            Ok(n) => n,
            Err(e) => return crate::error::page_error(state, lang, e),
        }
    } else {
        0
    };
    let status = if form.errors.is_empty() {
        renew.status()
    } else {
        form.status()
    };
    render(
        status,
        &TwoFactorPage {
            c: Chrome::for_visitor(&s.v, state.config.demo, "/account/two-factor"),
            enabled,
            secret: if enabled { String::new() } else { secret },
            qr: if enabled { String::new() } else { qr },
            form,
            notice: view.notice,
            codes: view.codes,
            remaining,
            renew,
        },
    )
}

/// `?recovered=1` after signing in with a recovery code.
#[derive(Deserialize, Default)]
pub struct TwoFactorQuery {
    recovered: Option<String>,
}

/// `GET /account/two-factor`
pub async fn two_factor(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<TwoFactorQuery>,
) -> Response {
    let enabled = s.account.totp_enabled;
    let notice = if q.recovered.is_some() && enabled {
        tr(s.v.lang, "recovery_code_used")
    } else {
        ""
    };
    let view = TwoFactorView {
        notice,
        ..Default::default()
    };
    two_factor_page(&state, &s, enabled, view).await
}

/// `POST /account/two-factor`: turns it on when the code matches the new secret.
pub async fn two_factor_enable(
    State(state): State<AppState>,
    s: SignedIn,
    Posted(f): Posted<TwoFactorForm>,
) -> Response {
    let lang = s.v.lang;
    let (enabled, view) =
        match totp::enable(&state.db, &s.v.actor, &s.account.id, &f.secret, &f.code).await {
            Ok(Some(codes)) => (
                true,
                TwoFactorView {
                    notice: tr(lang, "two_factor_enabled"),
                    codes,
                    ..Default::default()
                },
            ),
            Ok(None) => (
                false,
                TwoFactorView {
                    secret: f.secret,
                    problems: Some(Problems::one("code", "totp_wrong")),
                    ..Default::default()
                },
            ),
            Err(lango_core::Error::Invalid { .. }) => (
                false,
                TwoFactorView {
                    problems: Some(Problems::one("code", "secret_invalid")),
                    ..Default::default()
                },
            ),
            // One is on already: replacing it needs its current code (turn it off first).
            Err(lango_core::Error::Conflict(_)) => (
                true,
                TwoFactorView {
                    problems: Some(Problems::one("code", "two_factor_already_on")),
                    ..Default::default()
                },
            ),
            Err(e) => return crate::error::page_error(&state, lang, e),
        };
    two_factor_page(&state, &s, enabled, view).await
}

/// `POST /account/two-factor/disable`
pub async fn two_factor_disable(
    State(state): State<AppState>,
    s: SignedIn,
    Posted(f): Posted<TwoFactorForm>,
) -> Response {
    let (enabled, view) = match totp::disable(&state.db, &s.v.actor, &s.account.id, &f.code).await {
        Ok(true) => (
            false,
            TwoFactorView {
                notice: tr(s.v.lang, "two_factor_disabled"),
                ..Default::default()
            },
        ),
        Ok(false) => (
            true,
            TwoFactorView {
                problems: Some(Problems::one("code", "totp_wrong")),
                ..Default::default()
            },
        ),
        Err(e) => return crate::error::page_error(&state, s.v.lang, e),
    };
    two_factor_page(&state, &s, enabled, view).await
}

/// `POST /account/two-factor/recovery-codes`: a new set, for the app's current code.
pub async fn recovery_codes_renew(
    State(state): State<AppState>,
    s: SignedIn,
    Posted(f): Posted<TwoFactorForm>,
) -> Response {
    let enabled = s.account.totp_enabled;
    let view = match recovery::renew(&state.db, &s.v.actor, &s.account.id, &f.current_code).await {
        Ok(Some(codes)) => TwoFactorView {
            notice: tr(s.v.lang, "recovery_codes_renewed"),
            codes,
            ..Default::default()
        },
        Ok(None) => TwoFactorView {
            renew_problems: Some(Problems::one("current_code", "totp_wrong")),
            ..Default::default()
        },
        Err(e) => return crate::error::page_error(&state, s.v.lang, e),
    };
    two_factor_page(&state, &s, enabled, view).await
}

#[derive(Template)]
#[template(path = "business.html")]
struct BusinessPage {
    c: Chrome,
    b: Business,
    members: Vec<Member>,
    owner: bool,
    form: Form,
}

fn representative_form(lang: Lang, csrf: &str, id: &str, identifier: &str) -> Form {
    Form::new(
        format!("/account/businesses/{id}/representatives"),
        csrf,
        tr(lang, "add_representative"),
        vec![Field::new(lang, "identifier", "text")
            .value(identifier)
            .label(lang, "identifier")],
    )
}

async fn business_page(state: &AppState, s: &SignedIn, id: &str, form: Option<Form>) -> Response {
    match business::get(&state.db, &s.v.actor, id).await {
        Ok((b, members)) => {
            let owner = s.v.person().is_some_and(|p| p.owns.iter().any(|o| o == id));
            let form = form.unwrap_or_else(|| representative_form(s.v.lang, &s.v.csrf, id, ""));
            let status = form.status();
            render(
                status,
                &BusinessPage {
                    c: Chrome::for_visitor(
                        &s.v,
                        state.config.demo,
                        &format!("/account/businesses/{id}"),
                    ),
                    b,
                    members,
                    owner,
                    form,
                },
            )
        }
        Err(e) => crate::error::page_error(state, s.v.lang, e),
    }
}

/// `GET /account/businesses/{id}`
pub async fn business_show(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
) -> Response {
    business_page(&state, &s, &id, None).await
}

/// The representative form as typed.
#[derive(Deserialize, Default)]
pub struct RepresentativeForm {
    #[serde(default)]
    identifier: String,
}

/// `POST /account/businesses/{id}/representatives`
pub async fn representative_add(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
    Posted(f): Posted<RepresentativeForm>,
) -> Response {
    match business::grant_representative(&state.db, &s.v.actor, &id, &f.identifier).await {
        Ok(Ok(_)) => Redirect::to(&format!("/account/businesses/{id}")).into_response(),
        Ok(Err(p)) => {
            let form =
                representative_form(s.v.lang, &s.v.csrf, &id, &f.identifier).problems(s.v.lang, &p);
            business_page(&state, &s, &id, Some(form)).await
        }
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

/// `POST /account/businesses/{id}/representatives/{account}/revoke`
pub async fn representative_revoke(
    State(state): State<AppState>,
    s: SignedIn,
    Path((id, account_id)): Path<(String, String)>,
) -> Response {
    match business::revoke_representative(&state.db, &s.v.actor, &id, &account_id).await {
        Ok(()) => Redirect::to(&format!("/account/businesses/{id}")).into_response(),
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_are_east_africa_time() {
        assert_eq!(super::when(0), "1970-01-01 03:00 EAT");
        assert_eq!(super::when(21 * 3_600_000), "1970-01-02 00:00 EAT");
    }
}
