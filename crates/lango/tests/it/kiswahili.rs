//! Kiswahili pages show no English: a person who chose Kiswahili walks the public and
//! signed-in pages (home, search, a service with documents and fees, a start page, the
//! journey, payment, tracking with its history, and the check of an issued document), and
//! any English word of the word tables that Kiswahili does not share fails the test, naming
//! the page and the word.

use crate::backend_tests;
use crate::browser_kit::Browser;
use crate::cases_journey::{definitions, pay, reference_of, spawn_with_definitions, PASSWORD};
use crate::notifications_journey::{act, DEFINITION};
use crate::support::{Backend, TestApp};
use std::collections::BTreeSet;

/// Names, codes and words both languages write alike, which are not English on a page.
const SHARED: &[&str] = &[
    "lango",
    "kenya",
    "english",
    "kiswahili",
    "pesa",
    "mpesa",
    "huduma",
    "nairobi",
    "gazette",
    "eta",
    "kes",
    "usd",
    "pdf",
    "sms",
    "ussd",
    "email",
    "online",
];

/// English words of the word tables that no Kiswahili text uses (four letters or more,
/// so short shared tokens and codes do not count).
fn english_markers() -> BTreeSet<String> {
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| !c.is_alphabetic())
            .filter(|w| w.chars().count() >= 4)
            .map(str::to_lowercase)
            .collect()
    };
    let mut sw: BTreeSet<String> = BTreeSet::new();
    let mut en: BTreeSet<String> = BTreeSet::new();
    for (_, e, s) in lango_web::words::all() {
        sw.extend(words(s));
        if e != s {
            en.extend(words(e));
        }
    }
    en.retain(|w| !sw.contains(w) && !SHARED.contains(&w.as_str()));
    en
}

/// The text a reader sees: no tags, scripts, styles or attribute values.
fn visible(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        out.push(' ');
        rest = &rest[lt..];
        let lower = rest.get(..8).unwrap_or(rest).to_ascii_lowercase();
        let close = if lower.starts_with("<script") {
            "</script>"
        } else if lower.starts_with("<style") {
            "</style>"
        } else {
            ">"
        };
        rest = match rest.find(close) {
            Some(i) => &rest[i + close.len()..],
            None => "",
        };
    }
    out.push_str(rest);
    out.replace("&#x27;", "'").replace("&amp;", "&")
}

/// The name the test kit gives every person: what a person is called is theirs, not English.
const PERSON_NAME: &str = "Test Person";

/// Fails naming the page and every English word on it.
fn assert_kiswahili(page: &str, html: &str, markers: &BTreeSet<String>) {
    let text = visible(html).replace(PERSON_NAME, " ");
    let found: BTreeSet<String> = text
        .split(|c: char| !c.is_alphabetic())
        .map(str::to_lowercase)
        .filter(|w| markers.contains(w))
        .collect();
    assert!(
        found.is_empty(),
        "{page} in Kiswahili shows English: {found:?}\n{}",
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    );
}

/// The eTA definition of the notifications tests, waiting for payment first so the
/// history has the platform's own step.
async fn app(backend: Backend) -> Option<TestApp> {
    let yaml = DEFINITION.replace(
        "  start: review\n  states:\n",
        "  start: awaiting_payment\n  states:\n    - {id: awaiting_payment, label: {en: Waiting for payment, sw: Inasubiri malipo}, actor: system, paid_to: review}\n",
    );
    assert_ne!(yaml, DEFINITION);
    let dir = definitions(&yaml);
    let app = spawn_with_definitions(backend, dir.path(), false).await;
    // The app may read the folder again while it runs: keep it.
    std::mem::forget(dir);
    app
}

backend_tests! {
    spawn = app;

    async fn kiswahili_pages_show_no_english(app: TestApp) {
        let markers = english_markers();
        for word in ["documents", "what", "need", "history", "valid"] {
            assert!(markers.contains(word), "the marker list has {word}");
        }
        let mut b = Browser::new(&app);
        let switched = b.get("/language?to=sw&next=/").await;
        assert_eq!(switched.status, 303);
        let check = |page: &str, html: &str| assert_kiswahili(page, html, &markers);

        // Public pages: a service with several documents and labelled fees.
        for path in ["/", "/services?q=gazeti", "/services/MOI-GAZETTE-NOTICE", "/services/DIS-ETA/apply"] {
            let page = b.get(path).await;
            assert_eq!(page.status, 200, "{path}");
            check(path, &page.html);
        }
        let service = b.get("/services/MOI-GAZETTE-NOTICE").await.html;
        for text in ["Kitambulisho cha taifa", "Maandishi ya tangazo yaliyotiwa saini", "Tangazo la kawaida"] {
            assert!(service.contains(text), "the service page says {text}");
        }

        // Signed in: apply, pay, be approved and issued, then track and verify.
        let id = app.person("22226666", "zawadi@example.com", PASSWORD).await;
        let db = app.db().await;
        sqlx::query("UPDATE accounts SET language = 'sw' WHERE id = $1").bind(&id).execute(db.pool()).await.unwrap();
        b.sign_in("22226666", PASSWORD).await;
        b.get("/services/DIS-ETA/apply").await;
        let started = b.post("/services/DIS-ETA/apply", &[]).await;
        assert_eq!(started.status, 303, "{}", started.html);
        let reference = reference_of(&started.location);
        let question = b.get(&started.location).await;
        check("a question page", &question.html);
        let answered = b.post(&started.location, &[("full_name", "Zawadi Achieng")]).await;
        let check_page = b.get(&answered.location).await;
        check("check your answers", &check_page.html);
        let sent = b.post(&format!("/applications/{reference}/submit"), &[("declaration", "yes")]).await;
        let confirmation = b.get(&sent.location).await;
        check("the confirmation", &confirmation.html);
        let bill: String = sqlx::query_scalar("SELECT bill_reference FROM applications WHERE reference = $1")
            .bind(&reference).fetch_one(db.pool()).await.unwrap();
        let pay_page = b.get(&format!("/pay/{bill}")).await;
        assert_eq!(pay_page.status, 200);
        check("the pay page", &pay_page.html);
        pay(&app, &bill, "TKS1234567").await;
        let (pool, r) = (db.pool(), reference.as_str());
        app.eventually("paid and being checked", || async move {
            let state: String = sqlx::query_scalar("SELECT state FROM applications WHERE reference = $1")
                .bind(r).fetch_one(pool).await.unwrap();
            state == "review"
        }).await;
        let key = app.agency_key("DIS", &["cases:read", "cases:write"]).await;
        act(&app, &key, &reference, "approve", "Yote yako sawa").await;
        act(&app, &key, &reference, "issue", "Imetolewa").await;
        let track = b.get(&format!("/applications/{reference}")).await;
        assert_eq!(track.status, 200);
        assert!(track.html.contains("Imelipwa, nambari ya malipo"), "the history says the bill was paid");
        assert!(track.html.contains("Mfumo wa idara"), "the history names the agency's system");
        check("the track page", &track.html);
        let number: String = sqlx::query_scalar("SELECT number FROM issued").fetch_one(db.pool()).await.unwrap();
        db.close().await;
        let verify = b.get(&format!("/verify/{number}")).await;
        assert_eq!(verify.status, 200);
        assert!(verify.html.contains("Idhini ya kielektroniki ya kusafiri"), "the document's Kiswahili title");
        check("the verify page", &verify.html);
        let list = b.get("/account/applications").await;
        check("my applications", &list.html);
        // The holder's wallet: the document with its signed QR code, in Kiswahili.
        let wallet = b.get("/account/documents").await;
        assert_eq!(wallet.status, 200);
        assert!(wallet.html.contains(&number) && wallet.html.contains("<svg") && wallet.html.contains("Hati zako"), "{}", wallet.html);
        assert!(wallet.html.contains("Idhini ya kielektroniki ya kusafiri"), "the document's Kiswahili title");
        check("the wallet", &wallet.html);
    }
}
