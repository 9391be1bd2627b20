//! Accounts over real HTTP: register → verify → sign in → sign out, bad input, lockout,
//! password reset, two-step sign-in, profile audit, dependants.

use crate::backend_tests;
use crate::browser_kit::Browser;

const PASSWORD: &str = "correct horse battery";

async fn register<'a>(
    b: &mut Browser<'a>,
    id: &str,
    email: &str,
    password: &str,
) -> crate::browser_kit::Page {
    b.get("/register").await;
    b.post(
        "/register",
        &[
            ("kind", "citizen"),
            ("id_number", id),
            ("given_name", "Amina"),
            ("family_name", "Hassan"),
            ("date_of_birth", "1994-07-12"),
            ("phone", "0711 222 333"),
            ("email", email),
            ("password", password),
            ("password_confirm", password),
        ],
    )
    .await
}

backend_tests! {
    async fn register_verify_sign_in_and_out(app: TestApp) {
        let mut b = Browser::new(&app);
        let res = register(&mut b, "29876543", "Amina@Example.com", PASSWORD).await;
        assert_eq!((res.status, res.location.as_str()), (303, "/confirm-contacts"), "{}", res.html);
        let session = res.set_cookies.iter().find(|c| c.contains("lango_session=")).expect("session cookie").clone();
        for attr in ["__Host-lango_session=", "HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
            assert!(session.contains(attr), "{session} lacks {attr}");
        }
        // Not verified yet: the account exists but is pending.
        let page = b.get("/confirm-contacts").await;
        assert_eq!(page.status, 200);
        let wrong = b.post("/confirm-contacts", &[("phone_code", "000000"), ("email_code", "000000")]).await;
        assert_eq!(wrong.status, 400);
        assert!(wrong.html.contains("error-summary") && wrong.html.contains("href=\"#f-phone_code\""));
        let phone_code = app.last_code("+254711222333").await;
        let email_code = app.last_code("amina@example.com").await;
        let ok = b.post("/confirm-contacts", &[("phone_code", &phone_code), ("email_code", &email_code)]).await;
        assert_eq!((ok.status, ok.location.as_str()), (303, "/account"));
        let account = b.get("/account").await;
        assert!(account.html.contains("Amina Hassan") && account.html.contains("+254711222333"));
        assert!(!account.html.contains("not confirmed"));

        // Sign out: the old cookie is dead even if replayed.
        let stolen = b.cookies.clone();
        let out = b.post("/signout", &[]).await;
        assert_eq!(out.status, 303);
        assert_eq!(b.get("/account").await.status, 303);
        let mut replay = Browser::new(&app);
        replay.cookies = stolen;
        let res = replay.get("/account").await;
        assert_eq!((res.status, res.location.as_str()), (303, "/signin?next=%2Faccount"));
        // A forged cookie is nobody.
        let mut forged = Browser::new(&app);
        forged.cookies.insert("__Host-lango_session".into(), "A".repeat(43));
        assert_eq!(forged.get("/account").await.status, 303);

        // Sign in again by ID number and by e-mail (any case).
        assert_eq!(b.sign_in("29876543", PASSWORD).await.location, "/account");
        let mut other = Browser::new(&app);
        assert_eq!(other.sign_in("AMINA@example.com", PASSWORD).await.location, "/account");
        let sessions = b.get("/account/sessions").await;
        assert_eq!(sessions.html.matches("<tr><td>").count(), 2, "two live sessions");
        b.post("/account/sessions/sign-out-others", &[]).await;
        assert_eq!(other.get("/account").await.status, 303, "signed out everywhere else");
        assert_eq!(b.get("/account").await.status, 200);
    }

    async fn bad_registrations_store_nothing(app: TestApp) {
        let before = app.count("accounts").await;
        let mut b = Browser::new(&app);
        let weak = register(&mut b, "29876543", "amina@example.com", "password123").await;
        assert_eq!(weak.status, 400);
        assert!(weak.html.contains("href=\"#f-password\"") && weak.html.contains("too easy to guess"));
        let short = register(&mut b, "29876543", "amina@example.com", "short").await;
        assert!(short.html.contains("at least 10 characters"));
        b.get("/register").await;
        let empty = b.post("/register", &[]).await;
        assert_eq!(empty.status, 400);
        for field in ["f-kind-0", "f-given_name", "f-family_name", "f-date_of_birth", "f-phone", "f-email", "f-password"] {
            assert!(empty.html.contains(&format!("href=\"#{field}\"")), "summary links {field}");
        }
        let nonsense = b.post("/register", &[("kind", "citizen"), ("id_number", "X"), ("given_name", "A"), ("family_name", "B"),
            ("date_of_birth", "2999-01-01"), ("phone", "12"), ("email", "no"), ("password", PASSWORD), ("password_confirm", "other")]).await;
        assert_eq!(nonsense.status, 400);
        for text in ["as it is on the document", "must be in the past", "mobile number like", "e-mail address like"] {
            assert!(nonsense.html.contains(text), "{text}");
        }
        assert_eq!(app.count("accounts").await, before, "nothing stored");
        // The same document twice.
        app.person("29876543", "first@example.com", PASSWORD).await;
        // Answered as any registration (registration.rs), and nothing more is stored.
        let twice = register(&mut b, "2987 6543", "second@example.com", PASSWORD).await;
        assert_eq!((twice.status, twice.location.as_str()), (303, "/confirm-contacts"));
        assert_eq!(app.count("accounts").await, before + 1);
        // Kiswahili errors.
        let mut sw = Browser::new(&app);
        sw.cookies.insert("lang".into(), "sw".into());
        let res = register(&mut sw, "1", "x", "y").await;
        assert!(res.html.contains("Kuna tatizo") && res.html.contains("lang=\"sw\""));
    }

    async fn forms_without_the_right_token_are_refused(app: TestApp) {
        let id = app.person("11112222", "p@example.com", PASSWORD).await;
        let mut b = Browser::new(&app);
        // No CSRF cookie and no token: refused before the password is even looked at.
        let res = b.post_raw("/signin", "identifier=11112222&password=correct+horse+battery".into()).await;
        assert_eq!(res.status, 403);
        assert!(res.html.contains("This form has expired"));
        b.get("/signin").await;
        let res = b.post_raw("/signin", format!("csrf={}x&identifier=11112222&password=correct+horse+battery", b.csrf)).await;
        assert_eq!(res.status, 403);
        // Signed in, the session's own token is needed: the anonymous one no longer works.
        let anon = b.csrf.clone();
        assert_eq!(b.sign_in("11112222", PASSWORD).await.status, 303);
        let res = b.post_raw("/signout", format!("csrf={anon}")).await;
        assert_eq!(res.status, 403);
        assert_eq!(b.get("/account").await.status, 200, "still signed in");
        let _ = id;
    }

    async fn brute_force_locks_without_telling_who_exists(app: TestApp) {
        app.person("22223333", "q@example.com", PASSWORD).await;
        let mut b = Browser::new(&app);
        let known = b.sign_in("22223333", "wrong password 1").await;
        let unknown = b.sign_in("99990000", "wrong password 1").await;
        assert_eq!((known.status, unknown.status), (400, 400));
        assert!(known.html.contains("do not match") && unknown.html.contains("do not match"));
        for i in 2..=5 {
            b.sign_in("22223333", &format!("wrong password {i}")).await;
        }
        let locked = b.sign_in("22223333", PASSWORD).await;
        assert_eq!(locked.status, 400, "the right password is refused while locked");
        assert!(locked.html.contains("Too many attempts"));
        for i in 2..=5 {
            b.sign_in("99990000", &format!("wrong password {i}")).await;
        }
        assert!(b.sign_in("99990000", PASSWORD).await.html.contains("Too many attempts"), "unknown ids lock the same way");
        assert_eq!(b.sign_in("q@example.com", "nope nope nope").await.status, 400);
    }

    async fn password_reset_ends_every_session(app: TestApp) {
        app.person("33334444", "r@example.com", PASSWORD).await;
        let mut old = Browser::new(&app);
        assert_eq!(old.sign_in("33334444", PASSWORD).await.status, 303);
        let mut b = Browser::new(&app);
        b.get("/forgot-password").await;
        let sent = b.post("/forgot-password", &[("identifier", "33334444")]).await;
        assert_eq!(sent.status, 200);
        let same = b.post("/forgot-password", &[("identifier", "55556666")]).await;
        assert_eq!(sent.html.replace(&b.csrf, ""), same.html.replace(&b.csrf, "").replace("55556666", "33334444"), "no enumeration");
        let code = app.last_code("r@example.com").await;
        let bad = b.post("/reset-password", &[("identifier", "33334444"), ("code", "123456"), ("password", "a new long secret"), ("password_confirm", "a new long secret")]).await;
        assert_eq!(bad.status, 400);
        let ok = b.post("/reset-password", &[("identifier", "33334444"), ("code", &code), ("password", "a new long secret"), ("password_confirm", "a new long secret")]).await;
        assert_eq!(ok.status, 200, "{}", ok.html);
        assert!(ok.html.contains("Your password has been changed"));
        assert_eq!(old.get("/account").await.status, 303, "old session ended");
        let reused = b.post("/reset-password", &[("identifier", "33334444"), ("code", &code), ("password", "yet another secret"), ("password_confirm", "yet another secret")]).await;
        assert!(reused.html.contains("expired or was already used"));
        assert_eq!(b.sign_in("33334444", PASSWORD).await.status, 400);
        assert_eq!(b.sign_in("33334444", "a new long secret").await.status, 303);
    }

    async fn two_step_sign_in(app: TestApp) {
        app.person("44445555", "t@example.com", PASSWORD).await;
        let mut b = Browser::new(&app);
        b.sign_in("44445555", PASSWORD).await;
        let setup = b.get("/account/two-factor").await;
        let secret = setup.html.split("id=\"totp-secret\">").nth(1).unwrap().split('<').next().unwrap().to_string();
        assert!(setup.html.contains("data:image/svg+xml;base64,"), "QR code shown");
        let wrong = b.post("/account/two-factor", &[("secret", &secret), ("code", "000000")]).await;
        assert_eq!(wrong.status, 400);
        let code = lango_identity::totp::current_code(&secret).unwrap();
        let on = b.post("/account/two-factor", &[("secret", &secret), ("code", &code)]).await;
        assert!(on.html.contains("Two-step sign-in is on"), "{}", on.html);
        // The database holds the secret sealed, never readable (a copy of it is no second factor).
        let db = app.db().await;
        let (id, stored): (String, String) = sqlx::query_as("SELECT id, totp_secret FROM accounts WHERE email = 't@example.com'")
            .fetch_one(db.pool()).await.unwrap();
        assert!(stored.starts_with("v1:") && !stored.contains(&secret), "{stored}");
        let ring = db.keyring().await.unwrap();
        assert_eq!(ring.open(&lango_identity::totp::SEALED, &id, &stored).unwrap(), secret);
        db.close().await;
        b.post("/signout", &[]).await;

        let res = b.sign_in("44445555", PASSWORD).await;
        assert!(res.location.starts_with("/signin/two-factor"));
        assert_eq!(b.get("/account").await.status, 303, "no account until the second step");
        b.get(&res.location).await;
        // The code used to switch it on cannot be replayed.
        let replay = b.post("/signin/two-factor", &[("code", &code), ("next", "/account")]).await;
        assert_eq!(replay.status, 400);
        let db = app.db().await;
        // Move the stored step back so the next window's code is accepted in this test.
        sqlx::query("UPDATE accounts SET totp_last_step = totp_last_step - 2").execute(db.pool()).await.unwrap();
        db.close().await;
        let fresh = lango_identity::totp::current_code(&secret).unwrap();
        let ok = b.post("/signin/two-factor", &[("code", &fresh), ("next", "/account")]).await;
        assert_eq!((ok.status, ok.location.as_str()), (303, "/account"));
        assert_eq!(b.get("/account").await.status, 200);
    }

    async fn profile_changes_are_audited_and_the_chain_verifies(app: TestApp) {
        app.person("55556666", "u@example.com", PASSWORD).await;
        let mut b = Browser::new(&app);
        b.sign_in("55556666", PASSWORD).await;
        b.get("/account/profile").await;
        let fields = [("given_name", "Test"), ("family_name", "Person"), ("other_names", ""), ("date_of_birth", "1990-01-01"),
            ("phone", "+254700000001"), ("email", "u@example.com"), ("postal_address", "P.O. Box 30050-00100"),
            ("county", "Kisumu"), ("sub_county", "Kisumu Central"), ("language", "sw")];
        let saved = b.post("/account/profile", &fields).await;
        assert_eq!(saved.status, 200, "{}", saved.html);
        assert!(saved.html.contains("Taarifa zako zimehifadhiwa") || saved.html.contains("Your details have been saved"));
        let bad = b.post("/account/profile", &[("given_name", ""), ("family_name", "P"), ("date_of_birth", "1990-13-01"), ("phone", "x"), ("email", "u@example.com")]).await;
        assert_eq!(bad.status, 400);
        let page = b.get("/account").await;
        assert!(page.html.contains("Kisumu Central"), "bad edit changed nothing");
        let activity = b.get("/account/activity").await;
        let said = |en: &str, sw: &str| activity.html.contains(en) || activity.html.contains(sw);
        assert!(said("You changed your details", "Taarifa zako zilibadilishwa na wewe"), "{}", activity.html);
        assert!(said("You signed in to your account", "Kuingia kwenye akaunti yako kulifanywa na wewe"));
        assert!(!activity.html.contains("profile.update") && !activity.html.contains("account:"));

        let out = app.cli(&["audit", "verify"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
        let db = app.db().await;
        let seq: i64 = sqlx::query_scalar("SELECT seq FROM audit_log WHERE action = 'profile.update'").fetch_one(db.pool()).await.unwrap();
        sqlx::query("UPDATE audit_log SET detail = 'changed: nothing' WHERE seq = $1").bind(seq).execute(db.pool()).await.unwrap();
        db.close().await;
        let out = app.cli(&["audit", "verify"]);
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(!out.status.success() && text.contains(&format!("record {seq} was altered")), "{text}");
    }

    async fn dependants_and_businesses(app: TestApp) {
        let owner = app.person("66667777", "owner@example.com", PASSWORD).await;
        app.person("77778888", "rep@example.com", PASSWORD).await;
        let mut o = Browser::new(&app);
        o.sign_in("66667777", PASSWORD).await;
        o.get("/account/dependants/new").await;
        let bad = o.post("/account/dependants", &[("given_name", "Baraka")]).await;
        assert_eq!(bad.status, 400);
        let ok = o.post("/account/dependants", &[("given_name", "Baraka"), ("family_name", "Test"), ("date_of_birth", "2018-05-04"),
            ("birth_certificate", "123456789"), ("relationship", "parent")]).await;
        assert_eq!(ok.status, 303);

        o.get("/account/businesses/new").await;
        let created = o.post("/account/businesses", &[("registration_number", "pvt-test123"), ("name", "Test Traders Ltd")]).await;
        assert_eq!(created.status, 303);
        // Both are claims until staff have checked them (tests/it/claims.rs).
        app.approve_claims(&owner).await;
        let home = o.get("/account").await;
        assert!(home.html.contains("Baraka Test"));
        let business_id = crate::claims::business_of(&app, &owner).await;
        let biz = format!("/account/businesses/{business_id}");
        o.get(&biz).await;
        let unknown = o.post(&format!("{biz}/representatives"), &[("identifier", "00000000")]).await;
        assert_eq!(unknown.status, 400);
        assert_eq!(o.post(&format!("{biz}/representatives"), &[("identifier", "77778888")]).await.status, 303);

        let mut r = Browser::new(&app);
        r.sign_in("rep@example.com", PASSWORD).await;
        let seen = r.get(&biz).await;
        assert_eq!(seen.status, 200);
        assert!(seen.html.contains("Test Traders Ltd") && !seen.html.contains("/revoke\""), "a representative cannot revoke");
        let rep_id: String = {
            let db = app.db().await;
            let id = sqlx::query_scalar("SELECT id FROM accounts WHERE email = 'rep@example.com'").fetch_one(db.pool()).await.unwrap();
            db.close().await;
            id
        };
        // The representative cannot manage members.
        let forbidden = r.post(&format!("/account/businesses/{business_id}/representatives/{owner}/revoke"), &[]).await;
        assert_eq!(forbidden.status, 403);
        o.get(&biz).await;
        assert_eq!(o.post(&format!("/account/businesses/{business_id}/representatives/{rep_id}/revoke"), &[]).await.status, 303);
        assert_eq!(r.get(&biz).await.status, 403, "revoked: refused on the next request");
    }
}
