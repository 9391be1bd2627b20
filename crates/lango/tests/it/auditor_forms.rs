//! The auditor reads everything and changes nothing, so no page they can open offers them a
//! form that would answer 403: walking every workbench, finance and admin page an auditor
//! reaches and sending each form it shows, none is refused. A refusal page says what they may
//! do instead, in both languages.

use crate::backend_tests;
use crate::browser_kit::Browser;
use crate::cases_work::{actor, define, engine, submitted, PASSWORD};
use lango_identity::model::Role;
use std::collections::{BTreeSet, VecDeque};

/// The value of `attr="…"` in a tag.
fn attr(tag: &str, attr: &str) -> Option<String> {
    let key = format!(" {attr}=\"");
    let rest = tag.split(&key).nth(1)?;
    Some(rest.split('"').next()?.replace("&amp;", "&"))
}

/// Every POST form on a page: its action and its hidden fields.
fn post_forms(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out = Vec::new();
    for part in html.split("<form").skip(1) {
        let (tag, body) = part.split_once('>').unwrap_or((part, ""));
        if attr(tag, "method").as_deref() != Some("post") {
            continue;
        }
        let body = body.split("</form>").next().unwrap_or("");
        let hidden = body
            .split("<input")
            .skip(1)
            .filter_map(|i| {
                let i = i.split('>').next()?;
                (attr(i, "type").as_deref() == Some("hidden")).then_some(())?;
                Some((attr(i, "name")?, attr(i, "value").unwrap_or_default()))
            })
            .filter(|(n, _)| n != "csrf")
            .collect();
        out.push((attr(tag, "action").unwrap_or_default(), hidden));
    }
    out
}

/// Same-site links into the staff areas.
fn staff_links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|r| r.split('"').next())
        .map(|h| h.replace("&amp;", "&"))
        .filter(|h| {
            ["/work", "/finance", "/admin"]
                .iter()
                .any(|p| h.starts_with(p))
        })
        .filter(|h| !h.contains(".csv") && !h.contains("/export") && !h.contains("/download"))
        .collect()
}

backend_tests! {
    async fn the_auditor_is_offered_no_form_that_would_be_refused(app: TestApp) {
        let cases = engine(&app).await;
        define(&cases).await;
        let citizen_id = app.person("35792468", "mwangi@example.com", PASSWORD).await;
        let citizen = actor(&app, &citizen_id).await;
        let reference = submitted(&cases, &citizen, "Mwangi Njoroge").await;
        app.staff("auditor@oag.example", PASSWORD, Role::Auditor, None).await;
        let mut b = Browser::new(&app);
        assert_eq!(b.sign_in("auditor@oag.example", PASSWORD).await.status, 303);

        let mut queue: VecDeque<String> = [
            "/account".to_string(),
            "/work/DIS".into(),
            format!("/work/DIS/{reference}"),
            "/finance".into(),
            "/admin/performance".into(),
            "/admin/templates".into(),
            "/admin/corrections".into(),
            "/admin/services".into(),
        ]
        .into_iter()
        .chain(["staff", "api-keys", "webhooks", "statement", "services", "costs", "performance"]
            .map(|p| format!("/admin/agencies/DIS/{p}")))
        .collect();
        let mut seen = BTreeSet::new();
        let mut refused = Vec::new();
        let mut forms_sent = 0;
        while let Some(path) = queue.pop_front() {
            if !seen.insert(path.clone()) || seen.len() > 150 {
                continue;
            }
            let page = b.get(&path).await;
            if page.status != 200 {
                continue;
            }
            for link in staff_links(&page.html) {
                queue.push_back(link);
            }
            for (action, hidden) in post_forms(&page.html) {
                if action.is_empty() || action == "/signout" || action.starts_with("/language") {
                    continue;
                }
                let fields: Vec<(&str, &str)> = hidden.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
                let sent = b.post(&action, &fields).await;
                forms_sent += 1;
                if sent.status == 403 {
                    refused.push(format!("{path}: form to {action}"));
                }
                // Back to the page, for its token.
                b.get(&path).await;
            }
        }
        assert!(seen.len() > 10, "walked {seen:?}");
        assert!(refused.is_empty(), "forms the auditor was shown but refused ({forms_sent} sent): {refused:#?}");
    }

    async fn a_refusal_says_what_the_person_may_do_instead(app: TestApp) {
        app.staff("auditor2@oag.example", PASSWORD, Role::Auditor, None).await;
        let mut b = Browser::new(&app);
        b.sign_in("auditor2@oag.example", PASSWORD).await;
        b.get("/finance").await;
        let refused = b.post("/finance/reconciliation", &[]).await;
        assert_eq!(refused.status, 403, "{}", refused.html);
        assert!(refused.html.contains("href=\"/account\"") && refused.html.contains("href=\"/finance\""), "{}", refused.html);
        assert!(refused.html.contains("Your work"), "{}", refused.html);
        b.get("/language?to=sw&next=%2Ffinance").await;
        let sw = b.post("/finance/reconciliation", &[]).await;
        assert!(sw.status == 403 && sw.html.contains("Kazi yako"), "{}", sw.html);
    }
}
