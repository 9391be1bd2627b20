//! Account security, each exploited as it could be before the rule: one ID number made into
//! two accounts by registering it as another kind of document, and a stolen session
//! swapping in the thief's own second factor without the current code.

use crate::backend_tests;
use crate::browser_kit::Browser;

const PASSWORD: &str = "correct horse battery";

/// Registers a person of `kind` with document number `id`.
async fn register(
    b: &mut Browser<'_>,
    kind: &str,
    id: &str,
    email: &str,
) -> crate::browser_kit::Page {
    b.get("/register").await;
    b.post(
        "/register",
        &[
            ("kind", kind),
            ("id_number", id),
            ("given_name", "Amina"),
            ("family_name", "Hassan"),
            ("date_of_birth", "1994-07-12"),
            ("phone", "0711 222 333"),
            ("email", email),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ],
    )
    .await
}

backend_tests! {
    async fn one_id_number_is_one_identity_whatever_its_document(app: TestApp) {
        let mut b = Browser::new(&app);
        let first = register(&mut b, "citizen", "27654321", "first@example.com").await;
        assert_eq!(first.status, 303, "{}", first.html);
        let accounts = app.count("accounts").await;
        // The same number again, as an alien ID and as a passport: refused, nothing stored.
        for kind in ["resident", "foreigner"] {
            let mut other = Browser::new(&app);
            let again = register(&mut other, kind, "2765 4321", &format!("{kind}@example.com")).await;
            // Answered as any registration, so the form does not tell who has an account.
            assert_eq!((again.status, again.location.as_str()), (303, "/confirm-contacts"), "{kind}: {}", again.html);
        }
        assert_eq!(app.count("accounts").await, accounts);
        // And the database itself holds the rule, whatever path writes an account.
        let db = app.db().await;
        let raw = sqlx::query(
            "INSERT INTO accounts (id, kind, id_kind, id_number, given_name, family_name, status, created_at, updated_at) \
             VALUES ('x-dup', 'foreigner', 'passport', '27654321', 'A', 'B', 'active', 0, 0)",
        )
        .execute(db.pool())
        .await;
        db.close().await;
        let refused = matches!(&raw, Err(sqlx::Error::Database(d)) if d.is_unique_violation());
        assert!(refused, "a second account for one number is refused by the database: {raw:?}");
    }

    async fn a_second_factor_on_is_not_replaced_without_its_code(app: TestApp) {
        app.person("44446666", "v@example.com", PASSWORD).await;
        let mut b = Browser::new(&app);
        b.sign_in("44446666", PASSWORD).await;
        let setup = b.get("/account/two-factor").await;
        let secret = setup.html.split("id=\"totp-secret\">").nth(1).unwrap().split('<').next().unwrap().to_string();
        let code = lango_identity::totp::current_code(&secret).unwrap();
        let on = b.post("/account/two-factor", &[("secret", &secret), ("code", &code)]).await;
        assert!(on.html.contains("Two-step sign-in is on"), "{}", on.html);

        // Whoever holds the session sets up their own app: refused, the first one stays.
        let theirs = lango_identity::totp::new_secret();
        let their_code = lango_identity::totp::current_code(&theirs).unwrap();
        let swap = b.post("/account/two-factor", &[("secret", &theirs), ("code", &their_code)]).await;
        assert_eq!(swap.status, 400, "{}", swap.html);
        assert!(swap.html.contains("Your second factor is already on"), "{}", swap.html);
        let db = app.db().await;
        let (id, stored): (String, String) = sqlx::query_as("SELECT id, totp_secret FROM accounts WHERE email = $1")
            .bind("v@example.com")
            .fetch_one(db.pool())
            .await
            .unwrap();
        let opened = db.keyring().await.unwrap().open(&lango_identity::totp::SEALED, &id, &stored).unwrap();
        db.close().await;
        assert_eq!(opened, secret, "the second factor is unchanged");
    }
}
