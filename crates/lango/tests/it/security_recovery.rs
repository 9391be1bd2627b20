//! Second-factor recovery codes and guarded contact changes: a person who lost their phone
//! signs in with a single-use code (audited, and they are told), and a stolen session cannot
//! move the phone or e-mail where resets go without the password, while the old ones hear.

use crate::backend_tests;
use crate::browser_kit::{Browser, Page};
use crate::support::TestApp;

const PASSWORD: &str = "correct horse battery";

/// The recovery codes shown on a page, in order.
fn codes_on(page: &Page) -> Vec<String> {
    let Some(list) = page.html.split("id=\"recovery-codes\">").nth(1) else {
        return Vec::new();
    };
    let list = list.split("</ul>").next().unwrap();
    list.split("<code>")
        .skip(1)
        .map(|c| c.split('<').next().unwrap().to_string())
        .collect()
}

/// How many codes the page says are left.
fn left_on(page: &Page) -> i64 {
    let n = page
        .html
        .split("id=\"recovery-codes-left\">")
        .nth(1)
        .expect("count shown");
    n.split('<').next().unwrap().parse().unwrap()
}

/// Signs in as `id` and turns on the second factor; returns its secret and the codes shown.
async fn with_second_factor(app: &TestApp, b: &mut Browser<'_>, id: &str) -> (String, Vec<String>) {
    b.sign_in(id, PASSWORD).await;
    let setup = b.get("/account/two-factor").await;
    assert!(codes_on(&setup).is_empty(), "no codes before it is on");
    let secret = setup
        .html
        .split("id=\"totp-secret\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    let code = lango_identity::totp::current_code(&secret).unwrap();
    let on = b
        .post(
            "/account/two-factor",
            &[("secret", &secret), ("code", &code)],
        )
        .await;
    assert_eq!(on.status, 200, "{}", on.html);
    let codes = codes_on(&on);
    assert_eq!(codes.len(), 10, "{}", on.html);
    assert_eq!(left_on(&on), 10);
    // Shown once: the next look has none.
    assert!(codes_on(&b.get("/account/two-factor").await).is_empty());
    let _ = app;
    (secret, codes)
}

/// Moves the app's last used time step back, so the code of this window is accepted again.
async fn rewind(app: &TestApp) {
    let db = app.db().await;
    sqlx::query("UPDATE accounts SET totp_last_step = totp_last_step - 2")
        .execute(db.pool())
        .await
        .unwrap();
    db.close().await;
}

backend_tests! {
    async fn a_recovery_code_signs_in_once_and_is_told(app: TestApp) {
        let id = app.person("51516262", "rc@example.com", PASSWORD).await;
        let mut b = Browser::new(&app);
        let (secret, codes) = with_second_factor(&app, &mut b, "51516262").await;

        // Stored only as digests.
        let db = app.db().await;
        let stored: Vec<String> = sqlx::query_scalar("SELECT code_hash FROM recovery_codes WHERE account_id = $1")
            .bind(&id).fetch_all(db.pool()).await.unwrap();
        db.close().await;
        assert_eq!(stored.len(), 10);
        for c in &codes {
            let plain = c.replace('-', "");
            assert!(stored.iter().all(|h| !h.contains(c.as_str()) && !h.contains(&plain)), "{c} stored plainly");
        }

        b.post("/signout", &[]).await;
        let res = b.sign_in("51516262", PASSWORD).await;
        let step = b.get(&res.location).await;
        assert!(step.html.contains("recovery=1"), "the second step offers a recovery code: {}", step.html);
        let ask = b.get("/signin/two-factor?recovery=1&next=%2Faccount").await;
        assert!(ask.html.contains("name=\"recovery_code\""), "{}", ask.html);
        // Typed loosely: upper case, without the dash.
        let typed = codes[0].replace('-', " ").to_uppercase();
        let ok = b.post("/signin/two-factor", &[("recovery_code", &typed), ("next", "/account")]).await;
        assert_eq!((ok.status, ok.location.as_str()), (303, "/account/two-factor?recovered=1"), "{}", ok.html);
        let page = b.get(&ok.location).await;
        assert!(page.html.contains("You signed in with a recovery code"), "{}", page.html);
        assert_eq!(left_on(&page), 9);
        assert_eq!(b.get("/account").await.status, 200);
        let audited = app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'second_factor.recovery_code' AND subject = $1", &id).await;
        assert_eq!(audited, 1);
        let told = app.scalar("SELECT COUNT(*) FROM notifications WHERE event_type = 'account.recovery_code_used' AND account_id = $1", &id).await;
        assert!(told >= 1, "the person is told");
        assert!(b.get("/account/activity").await.html.contains("You signed in with a recovery code"));

        // Spent: the same code does not work again.
        b.post("/signout", &[]).await;
        let res = b.sign_in("51516262", PASSWORD).await;
        b.get(&res.location).await;
        let again = b.post("/signin/two-factor", &[("recovery_code", &codes[0]), ("next", "/account")]).await;
        assert_eq!(again.status, 400, "{}", again.html);
        assert!(again.html.contains("href=\"#f-recovery_code\""), "{}", again.html);
        assert!(again.html.contains("already been used") || again.html.contains("used already"), "{}", again.html);
        assert_eq!(b.get("/account").await.status, 303, "still not signed in");
        let ok = b.post("/signin/two-factor", &[("recovery_code", &codes[1]), ("next", "/account")]).await;
        assert_eq!(ok.status, 303);

        // A new set needs the app's current code; the old codes stop working.
        let wrong = b.post("/account/two-factor/recovery-codes", &[("current_code", "000000")]).await;
        assert_eq!(wrong.status, 400, "{}", wrong.html);
        assert!(wrong.html.contains("href=\"#f-current_code\""), "{}", wrong.html);
        assert!(codes_on(&wrong).is_empty());
        assert_eq!(left_on(&wrong), 8);
        rewind(&app).await;
        let now = lango_identity::totp::current_code(&secret).unwrap();
        let renewed = b.post("/account/two-factor/recovery-codes", &[("current_code", &now)]).await;
        assert_eq!(renewed.status, 200, "{}", renewed.html);
        let fresh = codes_on(&renewed);
        assert_eq!((fresh.len(), left_on(&renewed)), (10, 10));
        assert!(fresh.iter().all(|c| !codes.contains(c)));
        b.post("/signout", &[]).await;
        let res = b.sign_in("51516262", PASSWORD).await;
        b.get(&res.location).await;
        let old = b.post("/signin/two-factor", &[("recovery_code", &codes[2]), ("next", "/account")]).await;
        assert_eq!(old.status, 400, "an old set's code is void");
        let new = b.post("/signin/two-factor", &[("recovery_code", &fresh[0]), ("next", "/account")]).await;
        assert_eq!(new.status, 303);
    }

    async fn recovery_codes_share_the_second_step_lockout(app: TestApp) {
        app.person("51517373", "rl@example.com", PASSWORD).await;
        let mut b = Browser::new(&app);
        let (_, codes) = with_second_factor(&app, &mut b, "51517373").await;
        b.post("/signout", &[]).await;
        let res = b.sign_in("51517373", PASSWORD).await;
        b.get(&res.location).await;
        for _ in 0..5 {
            let wrong = b.post("/signin/two-factor", &[("recovery_code", "aaaaa-bbbbb"), ("next", "/account")]).await;
            assert_eq!(wrong.status, 400);
        }
        let locked = b.post("/signin/two-factor", &[("recovery_code", &codes[0]), ("next", "/account")]).await;
        assert_eq!(locked.status, 400);
        assert!(locked.html.contains("Too many attempts"), "{}", locked.html);
        assert_eq!(b.get("/account").await.status, 303);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM recovery_codes WHERE used_at IS NULL AND code_hash <> $1", "").await, 10, "none spent");
    }

    async fn turning_the_second_factor_off_removes_its_codes(app: TestApp) {
        app.person("51518484", "ro@example.com", PASSWORD).await;
        let mut b = Browser::new(&app);
        let (secret, _) = with_second_factor(&app, &mut b, "51518484").await;
        rewind(&app).await;
        let code = lango_identity::totp::current_code(&secret).unwrap();
        let off = b.post("/account/two-factor/disable", &[("code", &code)]).await;
        assert!(off.html.contains("Two-step sign-in is off"), "{}", off.html);
        assert_eq!(app.count("recovery_codes").await, 0);
    }

    async fn a_person_who_lost_their_phone_turns_the_second_factor_off_with_a_recovery_code(app: TestApp) {
        app.person("53537474", "lost@example.com", PASSWORD).await;
        let mut b = Browser::new(&app);
        let (_, codes) = with_second_factor(&app, &mut b, "53537474").await;
        let page = b.get("/account/two-factor").await;
        assert!(page.html.contains("a recovery code if you have lost your phone"), "{}", page.html);
        let wrong = b.post("/account/two-factor/disable", &[("code", "aaaaa-bbbbb")]).await;
        assert!(!wrong.html.contains("Two-step sign-in is off"), "{}", wrong.html);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM accounts WHERE totp_secret IS NOT NULL AND id_number <> $1", "").await, 1);
        let off = b.post("/account/two-factor/disable", &[("code", &codes[0].to_uppercase())]).await;
        assert!(off.html.contains("Two-step sign-in is off"), "{}", off.html);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM accounts WHERE totp_secret IS NOT NULL AND id_number <> $1", "").await, 0);
        assert_eq!(app.count("recovery_codes").await, 0);
    }

    async fn changing_phone_or_email_needs_the_password_and_tells_the_old_one(app: TestApp) {
        let id = app.person("52526363", "old@example.com", PASSWORD).await;
        let mut b = Browser::new(&app);
        b.sign_in("52526363", PASSWORD).await;
        let form = b.get("/account/profile").await;
        assert!(form.html.contains("name=\"current_password\""), "{}", form.html);
        let fields = |phone: &'static str, email: &'static str, password: &'static str| {
            vec![("given_name", "Test"), ("family_name", "Person"), ("other_names", ""), ("date_of_birth", "1990-01-01"),
                ("phone", phone), ("email", email), ("postal_address", ""), ("county", "Nairobi"), ("sub_county", ""),
                ("language", "en"), ("current_password", password)]
        };
        let notices = || app.scalar("SELECT COUNT(*) FROM notifications WHERE event_type = 'account.contact_changed' AND account_id = $1", &id);
        // A wrong or missing password: summary linked to the field, nothing changes, no one told.
        for password in ["", "not my password"] {
            let refused = b.post("/account/profile", &fields("+254711999888", "new@example.com", password)).await;
            assert_eq!(refused.status, 400, "{}", refused.html);
            assert!(refused.html.contains("href=\"#f-current_password\""), "{}", refused.html);
            assert!(refused.html.contains("enter your current password"), "{}", refused.html);
        }
        let a = lango_identity::account::get(&app.db().await, &id).await.unwrap();
        assert_eq!((a.phone.as_deref(), a.email.as_deref()), (Some("+254700000001"), Some("old@example.com")));
        assert!(a.phone_verified && a.email_verified);
        assert_eq!(notices().await, 0);
        // Other details still change without it.
        let plain = b.post("/account/profile", &fields("+254700000001", "old@example.com", "")).await;
        assert_eq!(plain.status, 200, "{}", plain.html);

        // With the password: changed, and the old phone and old address are told.
        let moved = b.post("/account/profile", &fields("+254711999888", "new@example.com", PASSWORD)).await;
        assert_eq!((moved.status, moved.location.as_str()), (303, "/confirm-contacts"), "{}", moved.html);
        let db = app.db().await;
        let told: Vec<(String, String)> = sqlx::query_as(
            "SELECT channel, recipient FROM notifications WHERE event_type = 'account.contact_changed' AND account_id = $1 ORDER BY channel",
        ).bind(&id).fetch_all(db.pool()).await.unwrap();
        db.close().await;
        assert_eq!(told, vec![("email".to_string(), "old@example.com".to_string()), ("sms".to_string(), "+254700000001".to_string())]);
        let a = lango_identity::account::get(&app.db().await, &id).await.unwrap();
        assert_eq!((a.phone.as_deref(), a.email.as_deref()), (Some("+254711999888"), Some("new@example.com")));
    }
}
