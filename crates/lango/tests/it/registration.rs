//! What a new user tripped over when registering: the date of birth in three boxes like
//! every other date, errors that name their field and link to the right box, "send new
//! codes" on the code step, and an ID number that already has an account not given away.

use crate::backend_tests;
use crate::browser_kit::Browser;

const PASSWORD: &str = "correct horse battery";

/// A registration posted with the date of birth in its three boxes.
async fn register(
    b: &mut Browser<'_>,
    id: &str,
    email: &str,
    phone: &str,
    dob: [&str; 3],
) -> crate::browser_kit::Page {
    b.get("/register").await;
    b.post(
        "/register",
        &[
            ("kind", "citizen"),
            ("id_number", id),
            ("given_name", "Amina"),
            ("family_name", "Hassan"),
            ("date_of_birth-day", dob[0]),
            ("date_of_birth-month", dob[1]),
            ("date_of_birth-year", dob[2]),
            ("phone", phone),
            ("email", email),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ],
    )
    .await
}

backend_tests! {
    async fn the_date_of_birth_is_three_boxes_and_each_error_names_its_field(app: TestApp) {
        let before = app.count("accounts").await;
        let mut b = Browser::new(&app);
        let page = b.get("/register").await;
        for name in ["date_of_birth-day", "date_of_birth-month", "date_of_birth-year"] {
            assert!(page.html.contains(&format!("name=\"{name}\"")), "{name}");
        }
        assert!(page.html.contains("For example, 27 3 1990"), "the example is typed as the boxes ask");
        assert!(!page.html.contains("1990-03-27"));

        let empty = b.post("/register", &[]).await;
        assert_eq!(empty.status, 400);
        for (anchor, message) in [
            ("f-given_name", "First name: enter this information"),
            ("f-date_of_birth", "Date of birth: enter this information"),
            ("f-phone", "Mobile phone number: enter a mobile number"),
        ] {
            assert!(empty.html.contains(&format!("<a href=\"#{anchor}\">{message}")), "{anchor}: {}", empty.html);
        }
        // A wrong month links to the month box, a short year to the year box.
        let month = register(&mut b, "29876543", "amina@example.com", "0711 222 333", ["12", "13", "1994"]).await;
        assert_eq!(month.status, 400);
        assert!(month.html.contains("<a href=\"#f-date_of_birth-month\">Date of birth: enter a real date, for example 27 3 1990"), "{}", month.html);
        assert!(month.html.contains("value=\"13\""), "what was typed is shown again");
        let year = register(&mut b, "29876543", "amina@example.com", "0711 222 333", ["12", "7", "94"]).await;
        assert!(year.html.contains("href=\"#f-date_of_birth-year\""), "{}", year.html);
        assert_eq!(app.count("accounts").await, before);

        let ok = register(&mut b, "29876543", "amina@example.com", "0711 222 333", ["12", "7", "1994"]).await;
        assert_eq!((ok.status, ok.location.as_str()), (303, "/confirm-contacts"), "{}", ok.html);
        let db = app.db().await;
        let dob: Option<String> = sqlx::query_scalar("SELECT date_of_birth FROM accounts WHERE id_number = $1")
            .bind("29876543").fetch_one(db.pool()).await.unwrap();
        db.close().await;
        assert_eq!(dob.as_deref(), Some("1994-07-12"));

        // Kiswahili names the field too.
        let mut sw = Browser::new(&app);
        sw.cookies.insert("lang".into(), "sw".into());
        sw.get("/register").await;
        let res = sw.post("/register", &[]).await;
        assert!(res.html.contains("Tarehe ya kuzaliwa: jaza taarifa hii"), "{}", res.html);
    }

    async fn the_code_step_offers_new_codes_a_few_times(app: TestApp) {
        let mut b = Browser::new(&app);
        let ok = register(&mut b, "29876543", "amina@example.com", "0711 222 333", ["12", "7", "1994"]).await;
        assert_eq!(ok.status, 303);
        let page = b.get("/confirm-contacts").await;
        assert!(page.html.contains("action=\"/confirm-contacts/resend\"") && page.html.contains("Send new codes"), "{}", page.html);
        let first = app.last_code("+254711222333").await;
        let mut sent = 0;
        for _ in 0..8 {
            let res = b.post("/confirm-contacts/resend", &[]).await;
            if res.html.contains("We have sent new codes") {
                sent += 1;
            } else {
                assert!(res.html.contains("Too many attempts"), "{}", res.html);
            }
        }
        assert_eq!(sent, 5, "five new codes in fifteen minutes, then locked");
        let latest = app.last_code("+254711222333").await;
        let email = app.last_code("amina@example.com").await;
        let done = b.post("/confirm-contacts", &[("phone_code", &latest), ("email_code", &email)]).await;
        assert_eq!((done.status, done.location.as_str()), (303, "/account"), "the newest code works (first was {first})");
    }

    async fn an_id_number_with_an_account_is_not_given_away(app: TestApp) {
        let owner = app.person("27654321", "owner@example.com", PASSWORD).await;
        let accounts = app.count("accounts").await;
        // Someone new and someone using the owner's number are answered alike.
        let mut fresh = Browser::new(&app);
        let new = register(&mut fresh, "29876543", "new@example.com", "0711 222 333", ["12", "7", "1994"]).await;
        let mut other = Browser::new(&app);
        let held = register(&mut other, "2765 4321", "other@example.com", "0722 333 444", ["12", "7", "1994"]).await;
        assert_eq!((held.status, held.location.as_str()), (new.status, new.location.as_str()), "{}", held.html);
        let name = |p: &crate::browser_kit::Page| p.set_cookies.iter().map(|c| c.split('=').next().unwrap_or("").to_string()).collect::<Vec<_>>();
        assert_eq!(name(&held), name(&new), "the same cookies");
        let new_page = fresh.get("/confirm-contacts").await;
        let held_page = other.get("/confirm-contacts").await;
        assert_eq!((held_page.status, new_page.status), (200, 200));
        let strip = |h: &str| h.split("name=\"csrf\" value=\"").map(|s| s.get(43..).unwrap_or(s)).collect::<String>();
        assert_eq!(strip(&held_page.html), strip(&new_page.html), "the same code page");
        // No second account; no code to the registrant; the owner is told.
        assert_eq!(app.count("accounts").await, accounts + 1, "only the fresh registration made one");
        let db = app.db().await;
        let to_registrant = lango_notify::to_recipient(&db, "+254722333444", 5).await.unwrap();
        let to_owner = lango_notify::to_recipient(&db, "+254700000001", 5).await.unwrap();
        let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'account.register_attempt' AND subject = $1")
            .bind(&owner).fetch_one(db.pool()).await.unwrap();
        db.close().await;
        assert!(to_registrant.is_empty(), "{to_registrant:?}");
        assert!(to_owner.iter().any(|m| m.body.contains("someone tried to create a new account with your ID number")), "{to_owner:?}");
        assert_eq!(audited, 1);
        // Its code step takes no code, offers new codes, and locks like any other.
        let wrong = other.post("/confirm-contacts", &[("phone_code", "123456"), ("email_code", "123456")]).await;
        assert_eq!(wrong.status, 400);
        assert!(wrong.html.contains("href=\"#f-phone_code\"") && wrong.html.contains("Code sent to your phone: the code is not right"), "{}", wrong.html);
        let again = other.post("/confirm-contacts/resend", &[]).await;
        assert!(again.html.contains("We have sent new codes"));
        assert_eq!(other.get("/account").await.status, 303, "never signed in");
    }
}
