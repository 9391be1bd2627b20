//! Sign in with Lango over the real HTTP stack on both backends: an agency's system built
//! on a standard OpenID Connect library signs a person in (the `id_token` verified by that
//! library, not by Lango), then every refusal the issue lists: unregistered and near-miss
//! redirect addresses (never redirected to), missing or wrong PKCE, reused and expired
//! codes, reused refresh tokens, suspended agencies, `prompt` and `max_age`, sign-out
//! addresses, consent withdrawn.

use crate::sign_in_kit::*;
use crate::support::TestApp;
use lango_simulators::agency_system;

/// The cookies a response sets, as `name=value` pairs (a `Cookie` header).
pub(crate) fn cookies_of(res: &reqwest::Response) -> String {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_string))
        .collect::<Vec<_>>()
        .join("; ")
}

crate::backend_tests! {
    async fn an_agency_system_signs_a_person_in_with_a_standard_library(app: TestApp) {
        let admin = platform_admin(&app, "pa@lango.test").await;
        let port = agency_system::bind(([127, 0, 0, 1], 0).into()).await.unwrap();
        let base = agency_system::base_of(&port).unwrap();
        let rp = client(&app, &admin, "NTSA licensing", &format!("{base}/callback"), false).await;
        let _system = agency_system::start(port, agency_system::Settings {
            issuer: app.base.clone(),
            client_id: rp.id.clone(),
            client_secret: rp.secret.clone(),
            title: "NTSA licensing".into(),
            scopes: vec!["profile".into(), "phone".into()],
        }).unwrap();
        let (mut b, account) = person(&app, "31313131").await;
        let http = &app.client;
        for round in 0..2 {
            let login = http.get(format!("{base}/login")).send().await.unwrap();
            assert_eq!(login.status(), 303);
            let jar = cookies_of(&login);
            let to = login.headers()["location"].to_str().unwrap().to_string();
            let path = to.strip_prefix(&app.base).expect("to Lango").to_string();
            let mut page = b.get(&path).await;
            if round == 0 {
                assert_eq!(page.status, 200, "consent asked the first time");
                assert!(page.html.contains("NTSA licensing") && page.html.contains("Your name"));
                assert!(!page.html.contains("national ID number"), "not asked for");
                page = allow(&mut b, &page, "").await;
            }
            assert_eq!(page.status, 303, "round {round}: {}", page.html);
            assert!(page.location.starts_with(&format!("{base}/callback?code=")), "{}", page.location);
            assert_eq!(param(&page.location, "iss"), app.base);
            let back = http.get(&page.location).header("cookie", &jar).send().await.unwrap();
            assert_eq!(back.status(), 303, "the library accepted the id_token");
            let jar = format!("{jar}; {}", cookies_of(&back));
            let home = http.get(format!("{base}/")).header("cookie", &jar).send().await.unwrap();
            let html = home.text().await.unwrap();
            assert!(html.contains("Signed in with Lango as <strong>Test Person</strong>"), "{html}");
            assert!(html.contains("+254700000001") && !html.contains("31313131"), "phone, no ID number");
        }
        let db = app.db().await;
        let issued: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'oidc.sign_in' AND subject = $1 AND actor = $2",
        )
        .bind(&account)
        .bind(format!("oidc:{}", rp.id))
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(issued, 2, "every token issue is audited");
        let activity = b.get("/account/activity").await.html;
        assert!(
            activity.contains("computer system of the National Transport and Safety Authority signed you in"),
            "{activity}"
        );
        let connected = b.get("/account/connected").await.html;
        assert!(connected.contains("NTSA licensing") && connected.contains("Your mobile phone number"));
    }

    async fn codes_and_refresh_tokens_work_once(app: TestApp) {
        let admin = platform_admin(&app, "pa@lango.test").await;
        let rp = client(&app, &admin, "NTSA", "https://ntsa.example/cb", false).await;
        let (mut b, _) = person(&app, "32323232").await;
        let (verifier, challenge) = pkce("a");
        let path = authorize_path(&rp, "openid profile", &challenge, &[]);
        let code = code(&mut b, &path).await;
        let (status, body) = exchange(&app, &rp, &code, &pkce("b").0).await;
        assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "wrong verifier");
        let (status, body) = exchange(&app, &rp, &code, "").await;
        assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request")), "no verifier");
        let (status, tokens) = exchange(&app, &rp, &code, &verifier).await;
        assert_eq!(status, 200, "{tokens}");
        let id = claims_of(tokens["id_token"].as_str().unwrap());
        assert_eq!((id["aud"].as_str(), id["nonce"].as_str()), (Some(rp.id.as_str()), Some("n-456")));
        let access = tokens["access_token"].as_str().unwrap().to_string();
        let (status, info) = userinfo(&app, &access).await;
        assert_eq!((status, info["sub"].clone(), info["name"].as_str()), (200, id["sub"].clone(), Some("Test Person")));
        assert!(info.get("phone_number").is_none(), "phone not asked for");
        assert_eq!(userinfo(&app, tokens["id_token"].as_str().unwrap()).await.0, 401, "an id_token is no access token");
        // The code again: refused, and what it gave is revoked.
        let (status, body) = exchange(&app, &rp, &code, &verifier).await;
        assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
        assert_eq!(userinfo(&app, &access).await.0, 401, "access revoked with the reused code");
        let old_refresh = tokens["refresh_token"].as_str().unwrap();
        assert_eq!(refresh(&app, &rp, old_refresh).await.0, 400, "refresh revoked too");
        // A second sign-in: the refresh token rotates, and a used one revokes the family.
        let (verifier, challenge) = pkce("c");
        let code = crate::sign_in_kit::code(&mut b, &authorize_path(&rp, "openid", &challenge, &[])).await;
        let (_, first) = exchange(&app, &rp, &code, &verifier).await;
        let r1 = first["refresh_token"].as_str().unwrap();
        let (status, second) = refresh(&app, &rp, r1).await;
        assert_eq!(status, 200, "{second}");
        let r2 = second["refresh_token"].as_str().unwrap();
        assert_ne!(r1, r2, "rotated");
        assert!(claims_of(second["id_token"].as_str().unwrap()).get("nonce").is_none());
        assert_eq!(userinfo(&app, second["access_token"].as_str().unwrap()).await.0, 200);
        let (status, body) = refresh(&app, &rp, r1).await;
        assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "reuse");
        assert_eq!(refresh(&app, &rp, r2).await.0, 400, "the whole grant is revoked");
        assert_eq!(userinfo(&app, second["access_token"].as_str().unwrap()).await.0, 401);
        // An expired code.
        let (verifier, challenge) = pkce("d");
        let code = crate::sign_in_kit::code(&mut b, &authorize_path(&rp, "openid", &challenge, &[])).await;
        let issuer = lango_identity::provider::Issuer::open(app.db().await, &app.base).await.unwrap();
        let mut sealed = issuer.open_code(&code).expect("Lango's own code");
        assert_eq!(sealed.client, rp.id);
        sealed.expires = 0;
        let expired = issuer.seal_code(&sealed);
        let (status, body) = exchange(&app, &rp, &expired, &verifier).await;
        assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "expired");
        let mut tampered = code.clone().into_bytes();
        tampered[40] = if tampered[40] == b'A' { b'B' } else { b'A' };
        let (status, body) = exchange(&app, &rp, &String::from_utf8(tampered).unwrap(), &verifier).await;
        assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "changed");
        assert_eq!(exchange(&app, &rp, &code, &verifier).await.0, 200, "the real one still works");
        // Client authentication and the grant types.
        let form = [("grant_type", "authorization_code"), ("code", "x"), ("code_verifier", "y")];
        let (status, body) = token(&app, &rp, "wrong-secret-wrong-secret-wrong-secret-wrong", &form).await;
        assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")));
        let (status, body) = token(&app, &rp, &rp.secret, &[("grant_type", "password")]).await;
        assert_eq!((status, body["error"].as_str()), (400, Some("unsupported_grant_type")));
        let res = app.client.post(format!("{}/oidc/token", app.base)).body("%%%&&&=").send().await.unwrap();
        assert!(res.status().is_client_error(), "garbage is the client's error");
        assert_eq!(userinfo(&app, "not.a.jwt").await.0, 401);
    }

    async fn bad_requests_never_redirect_anywhere_unregistered(app: TestApp) {
        let admin = platform_admin(&app, "pa@lango.test").await;
        let rp = client(&app, &admin, "NTSA", "https://ntsa.example/cb", false).await;
        let (mut b, _) = person(&app, "33333333").await;
        let (_, challenge) = pkce("e");
        for near_miss in [
            "https://ntsa.example/cb/",
            "https://ntsa.example/cb?x=1",
            "https://ntsa.example:444/cb",
            "https://evil.example/cb",
            "http://ntsa.example/cb",
            "",
        ] {
            let mut other = Rp { id: rp.id.clone(), secret: String::new(), redirect: near_miss.into() };
            let page = b.get(&authorize_path(&other, "openid", &challenge, &[])).await;
            assert_eq!((page.status, page.location.as_str()), (400, ""), "{near_miss}");
            assert!(page.html.contains("This sign-in link is not right"));
            other.id = "nobody".into();
            assert_eq!(b.get(&authorize_path(&other, "openid", &challenge, &[])).await.status, 400);
        }
        let nul = Rp { id: "ntsa\0x".into(), secret: String::new(), redirect: rp.redirect.clone() };
        assert_eq!(b.get(&authorize_path(&nul, "openid", &challenge, &[])).await.status, 400, "NUL: no 5xx");
        let with_nul = b.get(&authorize_path(&rp, "openid", &challenge, &[("nonce", "a\0b")])).await;
        assert_eq!(with_nul.status, 400);
        assert_eq!(token(&app, &nul, "x", &[("grant_type", "refresh_token"), ("refresh_token", "r")]).await.0, 401);
        let unknown = Rp { id: "nobody".into(), secret: String::new(), redirect: rp.redirect.clone() };
        let page = b.get(&authorize_path(&unknown, "openid", &challenge, &[])).await;
        assert_eq!((page.status, page.location.as_str()), (400, ""), "unknown client");
        // Errors the registered address may hear, with the state echoed.
        let cases: [(String, &str); 6] = [
            (authorize_path(&rp, "openid", "", &[]), "invalid_request"),
            (authorize_path(&rp, "openid", &challenge, &[]).replace("S256", "plain"), "invalid_request"),
            (authorize_path(&rp, "profile", &challenge, &[]), "invalid_scope"),
            (authorize_path(&rp, "openid national_id", &challenge, &[]), "invalid_scope"),
            (authorize_path(&rp, "openid", &challenge, &[]).replace("response_type=code", "response_type=token"), "unsupported_response_type"),
            (authorize_path(&rp, "openid", &challenge, &[("prompt", "select")]), "invalid_request"),
        ];
        for (path, error) in cases {
            let page = b.get(&path).await;
            assert_eq!(page.status, 303, "{path}");
            assert!(page.location.starts_with("https://ntsa.example/cb?"), "{}", page.location);
            assert_eq!((param(&page.location, "error"), param(&page.location, "state")), (error.to_string(), "st-123".to_string()), "{path}");
        }
        // prompt=none: signed out it cannot ask.
        let mut stranger = crate::browser_kit::Browser::new(&app);
        let page = stranger.get(&authorize_path(&rp, "openid", &challenge, &[("prompt", "none")])).await;
        assert_eq!(param(&page.location, "error"), "login_required");
        let page = b.get(&authorize_path(&rp, "openid", &challenge, &[("prompt", "none")])).await;
        assert_eq!(param(&page.location, "error"), "consent_required", "never agreed");
        // A suspended agency's systems stop at Lango, and their secrets stop working.
        let (verifier, challenge) = pkce("f");
        let code = crate::sign_in_kit::code(&mut b, &authorize_path(&rp, "openid", &challenge, &[])).await;
        let db = app.db().await;
        lango_identity::provider::clients::suspend(&db, &admin, "NTSA", Some("audit")).await.unwrap();
        let page = b.get(&authorize_path(&rp, "openid", &challenge, &[])).await;
        assert_eq!((page.status, page.location.as_str()), (400, ""));
        assert!(page.html.contains("suspended"));
        assert_eq!(exchange(&app, &rp, &code, &verifier).await.0, 401);
        lango_identity::provider::clients::suspend(&db, &admin, "NTSA", None).await.unwrap();
        assert_eq!(exchange(&app, &rp, &code, &verifier).await.0, 200, "restored");
    }

    async fn prompt_max_age_consent_and_pairwise_subjects(app: TestApp) {
        let admin = platform_admin(&app, "pa@lango.test").await;
        let a = client(&app, &admin, "NTSA A", "https://a.example/cb", true).await;
        let other = client(&app, &admin, "NTSA B", "https://b.example/cb", false).await;
        let (mut b, account) = person(&app, "34343434").await;
        let (verifier, challenge) = pkce("g");
        let code = crate::sign_in_kit::code(&mut b, &authorize_path(&a, "openid national_id", &challenge, &[])).await;
        let (_, tokens) = exchange(&app, &a, &code, &verifier).await;
        let sub_a = claims_of(tokens["id_token"].as_str().unwrap())["sub"].clone();
        assert_eq!(claims_of(tokens["id_token"].as_str().unwrap())["national_id"], "34343434");
        let code = crate::sign_in_kit::code(&mut b, &authorize_path(&other, "openid", &challenge, &[])).await;
        let (_, tokens_b) = exchange(&app, &other, &code, &verifier).await;
        let sub_b = claims_of(tokens_b["id_token"].as_str().unwrap())["sub"].clone();
        assert_ne!(sub_a, sub_b, "pairwise");
        // prompt=login sends a signed-in person to sign in again, then on.
        let page = b.get(&authorize_path(&a, "openid", &challenge, &[("prompt", "login")])).await;
        assert!(page.location.starts_with("/signin?next=%2Foidc%2Fauthorize") && page.location.ends_with("&again=1"), "{}", page.location);
        let next = param(&page.location, "next");
        assert!(b.get(&page.location).await.html.contains("name=\"password\""), "the form, though signed in");
        let signed = b.post("/signin", &[("identifier", "34343434"), ("password", PASSWORD), ("next", &next)]).await;
        assert_eq!(signed.location, next);
        let back = b.get(&next).await;
        assert_eq!(back.status, 303);
        assert!(back.location.starts_with("https://a.example/cb?code="), "{}", back.location);
        let forged = b.get(&authorize_path(&a, "openid", &challenge, &[("prompt", "login"), ("signed_in_after", "0")])).await;
        assert!(forged.location.starts_with("/signin?"), "a forged stamp skips nothing");
        let page = b.get(&authorize_path(&a, "openid", &challenge, &[("max_age", "0")])).await;
        assert!(page.location.starts_with("/signin?"), "max_age=0 asks again");
        let page = b.get(&authorize_path(&a, "openid", &challenge, &[("max_age", "3600")])).await;
        assert!(page.location.starts_with("https://a.example/cb?code="), "recent enough");
        // Acting for a business, when the person chooses to.
        let db = app.db().await;
        lango_identity::seed::business(&db, &account, "PVT-ACT1", "Kamau Traders").await.unwrap();
        let page = b.get(&authorize_path(&a, "openid", &challenge, &[])).await;
        assert_eq!(page.status, 200, "a choice to make");
        assert!(page.html.contains("Kamau Traders"));
        let key = page.html.split("value=\"business:").nth(1).unwrap().split('"').next().unwrap().to_string();
        let answer = allow(&mut b, &page, &format!("business:{key}")).await;
        let (_, t) = exchange(&app, &a, &param(&answer.location, "code"), &verifier).await;
        let acting = claims_of(t["id_token"].as_str().unwrap())["acting_for"].clone();
        assert_eq!((acting["type"].as_str(), acting["name"].as_str()), (Some("business"), Some("Kamau Traders")));
        let access = t["access_token"].as_str().unwrap();
        assert_eq!(userinfo(&app, access).await.1["acting_for"]["name"], "Kamau Traders");
        sqlx::query("UPDATE business_members SET revoked_at = 1 WHERE account_id = $1").bind(&account).execute(db.pool()).await.unwrap();
        assert!(userinfo(&app, access).await.1.get("acting_for").is_none(), "no longer theirs to claim");
        sqlx::query("UPDATE business_members SET revoked_at = NULL WHERE account_id = $1").bind(&account).execute(db.pool()).await.unwrap();
        let page = b.get(&authorize_path(&a, "openid", &challenge, &[])).await;
        let forged = allow(&mut b, &page, "business:someone-elses").await;
        let (_, t) = exchange(&app, &a, &param(&forged.location, "code"), &verifier).await;
        assert!(claims_of(t["id_token"].as_str().unwrap()).get("acting_for").is_none(), "only for whom they may");
        // Withdrawing consent signs the system out and makes it ask again.
        let list = b.get("/account/connected").await;
        assert!(list.html.contains("NTSA A") && list.html.contains("NTSA B"));
        let gone = b.post(&format!("/account/connected/{}/withdraw", a.id), &[]).await;
        assert!(gone.html.contains("can no longer sign you in"));
        assert_eq!(refresh(&app, &a, tokens["refresh_token"].as_str().unwrap()).await.0, 400);
        assert_eq!(userinfo(&app, tokens["access_token"].as_str().unwrap()).await.0, 401);
        assert_eq!(userinfo(&app, tokens_b["access_token"].as_str().unwrap()).await.0, 200, "the other stays");
        let page = b.get(&authorize_path(&a, "openid", &challenge, &[("prompt", "none")])).await;
        assert_eq!(param(&page.location, "error"), "consent_required");
    }

    async fn sign_out_goes_back_only_to_a_registered_address(app: TestApp) {
        let admin = platform_admin(&app, "pa@lango.test").await;
        let rp = client(&app, &admin, "NTSA", "https://ntsa.example/cb", false).await;
        let (mut b, _) = person(&app, "35353535").await;
        let (verifier, challenge) = pkce("h");
        let code = crate::sign_in_kit::code(&mut b, &authorize_path(&rp, "openid", &challenge, &[])).await;
        let (_, tokens) = exchange(&app, &rp, &code, &verifier).await;
        let hint = tokens["id_token"].as_str().unwrap();
        let q = |to: &str| {
            form_urlencoded::Serializer::new(String::new())
                .append_pair("id_token_hint", hint)
                .append_pair("post_logout_redirect_uri", to)
                .append_pair("state", "bye-1")
                .finish()
        };
        let evil = b.get(&format!("/oidc/logout?{}", q("https://evil.example/"))).await;
        assert_eq!((evil.status, evil.location.as_str()), (200, ""), "asks, never redirects");
        let out = post_form(&mut b, &evil, "/oidc/logout").await;
        assert_eq!((out.status, out.location.as_str()), (200, ""), "signed out, stays at Lango");
        assert!(out.html.contains("You have signed out"));
        assert_eq!(b.get("/account").await.status, 303, "the session ended");
        let (mut b, _) = person(&app, "36363636").await;
        let ask = b.get(&format!("/oidc/logout?{}", q("https://ntsa.example/cb/bye"))).await;
        assert!(ask.html.contains("NTSA has signed you out"), "{}", ask.html);
        let out = post_form(&mut b, &ask, "/oidc/logout").await;
        assert_eq!((out.status, out.location.as_str()), (303, "https://ntsa.example/cb/bye?state=bye-1"));
    }

    async fn agency_administrators_register_systems(app: TestApp) {
        app.staff("ntsa-admin@lango.test", PASSWORD, lango_identity::model::Role::AgencyAdmin, Some("NTSA")).await;
        let mut b = crate::browser_kit::Browser::new(&app);
        b.sign_in("ntsa-admin@lango.test", PASSWORD).await;
        let page = b.get("/admin/agencies/NTSA/sign-in").await;
        assert_eq!(page.status, 200);
        assert!(!page.html.contains("name=\"national_id\""), "only the platform allows ID numbers");
        let bad = b.post("/admin/agencies/NTSA/sign-in", &[("name", "Licensing"), ("redirect_uris", "http://ntsa.example/cb")]).await;
        assert_eq!(bad.status, 400);
        assert!(bad.html.contains("href=\"#f-redirect_uris\""), "error summary links the field");
        let forged = b.post("/admin/agencies/NTSA/sign-in", &[("name", "Licensing"), ("redirect_uris", "https://ntsa.example/cb"), ("national_id", "yes")]).await;
        assert_eq!(forged.status, 400, "a forged national_id is refused");
        let good = b.post("/admin/agencies/NTSA/sign-in", &[("name", "Licensing"), ("redirect_uris", "https://ntsa.example/cb\r\nhttps://ntsa.example/cb2")]).await;
        assert_eq!(good.status, 200);
        let secret = good.html.split("id=\"new-secret\">").nth(1).unwrap().split('<').next().unwrap().to_string();
        assert_eq!(secret.len(), 43);
        let again = b.get("/admin/agencies/NTSA/sign-in").await;
        assert!(again.html.contains("Licensing") && !again.html.contains(&secret), "shown once");
        let db = app.db().await;
        let stored: String = sqlx::query_scalar("SELECT secret_hash FROM oidc_clients").fetch_one(db.pool()).await.unwrap();
        assert!(!stored.contains(&secret), "kept as a digest");
        assert_eq!(b.get("/admin/agencies/KRA/sign-in").await.status, 403, "another agency's");
    }
}

/// The signing key rotates: a new key signs, the old one stays published so tokens it
/// signed still verify.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_keys_rotate_and_old_tokens_still_verify() {
    use lango_identity::provider::{keys::ROTATE_MS, Issuer};
    let app = TestApp::spawn(crate::support::Backend::Sqlite)
        .await
        .unwrap();
    let db = app.db().await;
    let issuer = Issuer::open(db.clone(), &app.base).await.unwrap();
    let token = issuer
        .sign(
            &serde_json::json!({"iss": app.base, "sub": "x", "exp": 4_000_000_000i64}),
            "JWT",
        )
        .await
        .unwrap();
    let first = issuer.keys().await.unwrap().kid.clone();
    sqlx::query("UPDATE oidc_keys SET created_at = created_at - $1")
        .bind(ROTATE_MS)
        .execute(db.pool())
        .await
        .unwrap();
    issuer.reload();
    let keys = issuer.keys().await.unwrap();
    assert_ne!(keys.kid, first, "a new key signs");
    let published: Vec<&str> = keys.jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert!(
        published.contains(&first.as_str()) && published.contains(&keys.kid.as_str()),
        "{published:?}"
    );
    let claims: Option<serde_json::Value> =
        issuer.verify(&token, "JWT", None, false).await.unwrap();
    assert_eq!(claims.unwrap()["sub"], "x", "the old key still verifies");
    let stored: String = sqlx::query_scalar("SELECT private_key FROM oidc_keys LIMIT 1")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert!(
        !stored.contains("MIG"),
        "the private key is sealed, not PKCS#8 in the clear"
    );
}

/// `lango rotate-sign-in-key --retire-old`: a key thought exposed is replaced at once and
/// what it signed stops verifying.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_thought_exposed_is_replaced_from_the_shell() {
    use lango_identity::provider::{Issuer, ID_TOKEN};
    let app = TestApp::spawn(crate::support::Backend::Sqlite)
        .await
        .unwrap();
    let issuer = Issuer::open(app.db().await, &app.base).await.unwrap();
    let claims = serde_json::json!({"iss": app.base, "sub": "x", "exp": 4_000_000_000i64});
    let token = issuer.sign(&claims, ID_TOKEN).await.unwrap();
    let old = issuer.keys().await.unwrap().kid.clone();
    let out = app.cli(&["rotate-sign-in-key", "--retire-old"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let new = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert_ne!(new, old);
    issuer.reload();
    let keys = issuer.keys().await.unwrap();
    assert_eq!(keys.kid, new, "the new key signs");
    assert!(
        !keys.verifying.contains_key(&old),
        "the old key is gone from the JWKS"
    );
    let verified: Option<serde_json::Value> =
        issuer.verify(&token, ID_TOKEN, None, false).await.unwrap();
    assert!(verified.is_none(), "what it signed no longer verifies");
}
