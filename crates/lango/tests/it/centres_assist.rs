//! Assisted applications at a centre's counter, through the pages with forms and CSRF:
//! staff find the person present (or register them), the person confirms with a code sent
//! to their phone or staff record the document they inspected, staff apply for them
//! (channel `centre`) and take the payment at the counter; the person then sees the
//! application in their own account, and staff lose access when they finish.

use crate::backend_tests;
use crate::browser_kit::Browser;
use crate::centres_cash::input;
use lango_identity::model::Role;

const PASSWORD: &str = "correct horse battery";
const DESK: &str = "/desk/HC-MSA/counters/3/assist";

/// A centre staff member of HC-MSA, signed in.
async fn desk_staff<'a>(app: &'a crate::support::TestApp, email: &str) -> Browser<'a> {
    let staff = app
        .staff(email, PASSWORD, Role::Officer, Some("NTSA"))
        .await;
    let db = app.db().await;
    lango_identity::seed::grant(&db, &staff, Role::CentreStaff, None, Some("HC-MSA"))
        .await
        .unwrap();
    db.close().await;
    let mut b = Browser::new(app);
    b.sign_in(email, PASSWORD).await;
    b
}

/// The application a page location names.
fn reference_of(location: &str) -> String {
    location
        .trim_start_matches("/applications/")
        .split('/')
        .next()
        .unwrap()
        .to_string()
}

/// An app with the one-page eTA service of the notifications journey.
async fn eta_app(backend: crate::support::Backend) -> Option<crate::support::TestApp> {
    let dir = crate::cases_journey::definitions(crate::notifications_journey::DEFINITION);
    crate::cases_journey::spawn_with_definitions(backend, dir.path(), false).await
}

backend_tests! {
    spawn = eta_app;

    async fn staff_apply_for_a_person_who_confirms_with_a_code(app: TestApp) {
        let person = app.person("33340001", "present@example.com", PASSWORD).await;
        let mut b = desk_staff(&app, "assist@huduma.example").await;
        let counter = b.get("/desk/HC-MSA/counters/3").await;
        assert!(counter.html.contains(&format!("href=\"{DESK}\"")), "the counter links assistance");
        assert_eq!(b.get(DESK).await.status, 200);
        let empty = b.post(&format!("{DESK}/find"), &[("id_number", "")]).await;
        assert_eq!(empty.status, 400);
        assert!(empty.html.contains("error-summary") && empty.html.contains("href=\"#f-id_number\""));
        let found = b.post(&format!("{DESK}/find"), &[("id_number", "3334 0001")]).await;
        assert_eq!(found.status, 303, "{}", found.html);
        assert_eq!(found.location, format!("{DESK}/confirm?person={person}"));
        let confirm = b.get(&found.location).await;
        assert!(confirm.html.contains("Test Person") && confirm.html.contains("…001"));
        // Nothing to show for it: asked again.
        let nothing = b.post(&format!("{DESK}/begin"), &[("person", &person)]).await;
        assert_eq!(nothing.status, 400);
        let sent = b.post(&format!("{DESK}/code"), &[("person", &person)]).await;
        assert_eq!(sent.status, 303);
        let code = app.last_code("+254700000001").await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let refused = b.post(&format!("{DESK}/begin"), &[("person", person.as_str()), ("code", wrong)]).await;
        assert_eq!(refused.status, 400);
        assert!(refused.html.contains("href=\"#f-code\""));
        assert_eq!(app.scalar("SELECT COUNT(*) FROM assists WHERE person_id = $1", &person).await, 0, "a wrong code starts nothing");
        let begun = b.post(&format!("{DESK}/begin"), &[("person", &person), ("code", &code)]).await;
        assert_eq!((begun.status, begun.location.as_str()), (303, DESK), "{}", begun.html);
        let helping = b.get(DESK).await;
        assert!(helping.html.contains("You are helping") && helping.html.contains("Test Person"));
        assert!(helping.html.contains("class=\"banner assisting\""), "every page says whom staff act for");
        // Starts an application for them: channel centre, theirs.
        let started = b.post(&format!("{DESK}/apply"), &[("service", "DIS-ETA")]).await;
        assert_eq!(started.status, 303, "{}", started.html);
        let reference = reference_of(&started.location);
        let page = b.post(&started.location, &[("full_name", "Test Person")]).await;
        assert_eq!(page.location, format!("/applications/{reference}/check"), "{}", page.html);
        let submitted = b.post(&format!("/applications/{reference}/submit"), &[("declaration", "yes")]).await;
        assert_eq!(submitted.location, format!("/applications/{reference}/confirmation"), "{}", submitted.html);
        let confirmation = b.get(&submitted.location).await;
        let bill: String = {
            let db = app.db().await;
            let row: (String, String, String) = sqlx::query_as("SELECT applicant, channel, bill_reference FROM applications WHERE reference = $1")
                .bind(&reference).fetch_one(db.pool()).await.unwrap();
            db.close().await;
            assert_eq!((row.0.as_str(), row.1.as_str()), (person.as_str(), "centre"));
            row.2
        };
        assert!(confirmation.html.contains(&format!("/desk/HC-MSA/counters/3/pay?bill={bill}")), "payment is taken at the counter");
        // The counter takes it in cash: the bill is paid, through the ledger.
        let pay = b.get(&format!("/desk/HC-MSA/counters/3/pay?bill={bill}")).await;
        assert_eq!(pay.status, 200, "{}", pay.html);
        let paid = b.post("/desk/HC-MSA/counters/3/pay", &[("method", "cash"), ("bill", &bill), ("amount", "6100.00"),
            ("key", &input(&pay.html, "key")), ("session", &input(&pay.html, "session"))]).await;
        assert_eq!(paid.status, 303, "{}", paid.html);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM bills WHERE reference = $1 AND status = 'paid'", &bill).await, 1);
        let list = b.get(DESK).await;
        assert!(list.html.contains(&reference), "their applications are listed for staff");
        // The person sees it in their own account.
        let mut own = Browser::new(&app);
        own.sign_in("33340001", PASSWORD).await;
        assert!(own.get("/account/applications").await.html.contains(&reference));
        // Staff finish: the application is the person's alone again.
        let ended = b.post(&format!("{DESK}/end"), &[]).await;
        assert_eq!(ended.status, 303);
        assert_eq!(b.get(&format!("/applications/{reference}")).await.status, 404);
        let after = b.post(&format!("{DESK}/apply"), &[("service", "DIS-ETA")]).await;
        assert_eq!(after.location, DESK, "nobody to apply for");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM applications WHERE applicant = $1", &person).await, 1);
        for action in ["assist.begin", "assist.end"] {
            assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1", action).await, 1, "{action}");
        }
    }

    async fn staff_register_a_person_and_record_the_document_they_inspected(app: TestApp) {
        let mut b = desk_staff(&app, "register@huduma.example").await;
        b.get(DESK).await;
        let unknown = b.post(&format!("{DESK}/find"), &[("id_number", "33349999")]).await;
        assert_eq!(unknown.status, 200, "no account: the registration form");
        assert!(unknown.html.contains("value=\"33349999\""));
        let missing = b.post(&format!("{DESK}/register"), &[("id_number", "33349999"), ("given_name", "Amina")]).await;
        assert_eq!(missing.status, 400);
        assert!(missing.html.contains("href=\"#f-family_name\"") && missing.html.contains("href=\"#f-phone\""));
        let form = [("id_number", "33349999"), ("given_name", "Amina"), ("family_name", "Odhiambo"),
            ("date_of_birth-day", "4"), ("date_of_birth-month", "5"), ("date_of_birth-year", "1990"), ("phone", "0722 000 111")];
        let registered = b.post(&format!("{DESK}/register"), &form).await;
        assert_eq!(registered.status, 303, "{}", registered.html);
        let person = registered.location.split("person=").nth(1).unwrap().to_string();
        let twice = b.post(&format!("{DESK}/register"), &form).await;
        assert_eq!(twice.status, 400, "one number, one account");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM accounts WHERE id_number = $1", "33349999").await, 1);
        let mismatch = b.post(&format!("{DESK}/begin"), &[("person", &person), ("document_kind", "national_id"), ("document_number", "33349998")]).await;
        assert_eq!(mismatch.status, 400);
        assert!(mismatch.html.contains("href=\"#f-document_number\""));
        let begun = b.post(&format!("{DESK}/begin"), &[("person", &person), ("document_kind", "national_id"), ("document_number", "33349999")]).await;
        assert_eq!(begun.status, 303, "{}", begun.html);
        let started = b.post(&format!("{DESK}/apply"), &[("service", "NOPE-NOPE")]).await;
        assert_eq!(started.status, 400, "an unknown service is refused on the page");
        assert!(started.html.contains("error-summary"));
        let detail: String = {
            let db = app.db().await;
            let d = sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'assist.begin'").fetch_one(db.pool()).await.unwrap();
            db.close().await;
            d
        };
        assert!(detail.contains("national_id 33349999") && detail.contains("inspected"), "{detail}");
        // Staff of another centre cannot use this counter.
        let mut other = Browser::new(&app);
        let s = app.staff("other@huduma.example", PASSWORD, Role::Officer, Some("NTSA")).await;
        let db = app.db().await;
        lango_identity::seed::grant(&db, &s, Role::CentreStaff, None, Some("HC-GPO")).await.unwrap();
        db.close().await;
        other.sign_in("other@huduma.example", PASSWORD).await;
        assert_eq!(other.get(DESK).await.status, 403);
    }

    async fn signing_out_of_other_sessions_ends_an_assistance_held_in_one(app: TestApp) {
        let person = app.person("33340002", "elsewhere@example.com", PASSWORD).await;
        let mut b = desk_staff(&app, "revoke@huduma.example").await;
        b.get(DESK).await;
        let begun = b.post(&format!("{DESK}/begin"), &[("person", &person), ("document_kind", "national_id"), ("document_number", "33340002")]).await;
        assert_eq!((begun.status, begun.location.as_str()), (303, DESK), "{}", begun.html);
        let open = "SELECT COUNT(*) FROM assists WHERE person_id = $1 AND ended_at IS NULL";
        assert_eq!(app.scalar(open, &person).await, 1);
        // The same staff member, signed in elsewhere, ends every other session.
        let mut elsewhere = Browser::new(&app);
        elsewhere.sign_in("revoke@huduma.example", PASSWORD).await;
        elsewhere.get("/account/sessions").await;
        let out = elsewhere.post("/account/sessions/sign-out-others", &[]).await;
        assert_eq!(out.status, 200, "{}", out.html);
        assert_eq!(app.scalar(open, &person).await, 0, "the revoked session's assistance ends with it");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1", "assist.end").await, 1, "and is audited as at sign-out");
        assert_ne!(b.get(DESK).await.status, 200, "the revoked session is signed out");
    }
}
