//! The authorisation matrix over real HTTP, and agency API keys.

use crate::backend_tests;
use crate::browser_kit::Browser;
use crate::support::TestApp;
use lango_identity::model::Role;

const PASSWORD: &str = "correct horse battery";

backend_tests! {
    async fn staff_pages_follow_the_policy(app: TestApp) {
        app.person("12121212", "citizen@example.com", PASSWORD).await;
        app.staff("admin@dis.example", PASSWORD, Role::AgencyAdmin, Some("DIS")).await;
        app.staff("officer@dis.example", PASSWORD, Role::Officer, Some("DIS")).await;
        app.staff("auditor@example.com", PASSWORD, Role::Auditor, None).await;

        let mut citizen = Browser::new(&app);
        citizen.sign_in("12121212", PASSWORD).await;
        assert_eq!(citizen.get("/admin/agencies/DIS/staff").await.status, 403);

        let mut admin = Browser::new(&app);
        admin.sign_in("admin@dis.example", PASSWORD).await;
        assert!(admin.get("/account").await.html.contains("/admin/agencies/DIS/staff"));
        let page = admin.get("/admin/agencies/DIS/staff").await;
        assert_eq!(page.status, 200);
        assert!(page.html.contains("officer@dis.example"));
        assert_eq!(admin.get("/admin/agencies/NTSA/staff").await.status, 403, "another agency");
        let bad = admin.post("/admin/agencies/DIS/staff", &[("email", "x"), ("role", "auditor")]).await;
        assert_eq!(bad.status, 400, "only agency roles, valid e-mail");
        let added = admin.post("/admin/agencies/DIS/staff", &[("email", "new@dis.example"), ("given_name", "New"),
            ("family_name", "Officer"), ("role", "officer")]).await;
        assert_eq!(added.status, 303);
        // The invitation carries a code to choose a password.
        let code = app.last_code("new@dis.example").await;
        let mut newcomer = Browser::new(&app);
        newcomer.get("/reset-password").await;
        let set = newcomer.post("/reset-password", &[("identifier", "new@dis.example"), ("code", &code),
            ("password", "my own officer secret"), ("password_confirm", "my own officer secret")]).await;
        assert_eq!(set.status, 200);
        assert_eq!(newcomer.sign_in("new@dis.example", "my own officer secret").await.status, 303);

        let mut officer = Browser::new(&app);
        officer.sign_in("officer@dis.example", PASSWORD).await;
        assert_eq!(officer.get("/admin/agencies/DIS/staff").await.status, 200, "staff may see their colleagues");
        officer.get("/admin/agencies/DIS/staff").await;
        let refused = officer.post("/admin/agencies/DIS/staff", &[("email", "y@dis.example"), ("given_name", "Y"),
            ("family_name", "Z"), ("role", "agency_admin")]).await;
        assert_eq!(refused.status, 403, "an officer cannot add staff");

        let mut auditor = Browser::new(&app);
        auditor.sign_in("auditor@example.com", PASSWORD).await;
        assert_eq!(auditor.get("/admin/agencies/NTSA/staff").await.status, 200, "auditors read everything");
        auditor.get("/admin/agencies/DIS/api-keys").await;
        let write = auditor.post("/admin/agencies/DIS/api-keys", &[("name", "Sneaky"), ("permissions", "cases:read")]).await;
        assert_eq!(write.status, 403, "and write nothing");
        assert_eq!(app.count("api_keys").await, 0);
    }

    async fn api_keys_are_shown_once_scoped_and_revocable(app: TestApp) {
        app.staff("admin@dis.example", PASSWORD, Role::AgencyAdmin, Some("DIS")).await;
        let mut admin = Browser::new(&app);
        admin.sign_in("admin@dis.example", PASSWORD).await;
        let form = admin.get("/admin/agencies/DIS/api-keys").await;
        assert!(form.html.contains("Read applications") && !form.html.contains(">?<"), "permissions in words");
        let none = admin.post("/admin/agencies/DIS/api-keys", &[("name", "Case system")]).await;
        assert_eq!(none.status, 400, "at least one permission");
        let created = admin.post("/admin/agencies/DIS/api-keys", &[("name", "Case system"), ("permissions", "cases:read"), ("permissions", "bills:write")]).await;
        assert_eq!(created.status, 200);
        let key = shown_key(&created.html);
        assert!(key.starts_with("lango_"));
        let listing = admin.get("/admin/agencies/DIS/api-keys").await;
        assert!(!listing.html.contains(&key), "shown once");
        assert!(listing.html.contains("Never"));

        let me = app.client.get(format!("{}/api/v1/me", app.base)).bearer_auth(&key).send().await.unwrap();
        assert_eq!(me.status().as_u16(), 200);
        let body: serde_json::Value = me.json().await.unwrap();
        assert_eq!(body["agency"], "DIS");
        assert_eq!(body["permissions"], serde_json::json!(["cases:read", "bills:write"]));
        assert!(!admin.get("/admin/agencies/DIS/api-keys").await.html.contains("Never"), "last use recorded");

        // The key is believed now: a wrong secret with its id is still refused.
        let last = if key.ends_with('A') { "B" } else { "A" };
        let wrong_secret = format!("{}{last}", &key[..key.len() - 1]);
        for bad in ["", "lango_", "lango_0000000000000000_", &key.replace("lango_", "lango_x"), &format!("{key}x"), &wrong_secret] {
            let res = app.client.get(format!("{}/api/v1/me", app.base)).bearer_auth(bad).send().await.unwrap();
            assert_eq!(res.status().as_u16(), 401, "{bad}");
            let body: serde_json::Value = res.json().await.unwrap();
            assert_eq!(body["error"]["code"], "unauthorized");
        }
        let id = key.split('_').nth(1).unwrap().to_string();
        admin.get("/admin/agencies/DIS/api-keys").await;
        assert_eq!(admin.post(&format!("/admin/agencies/DIS/api-keys/{id}/revoke"), &[]).await.status, 303);
        let res = app.client.get(format!("{}/api/v1/me", app.base)).bearer_auth(&key).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 401, "revoked");
        let doc = app.get_json("/api/v1/openapi.json", 200).await;
        assert!(doc["paths"]["/api/v1/me"].is_object());
        assert!(doc["components"]["securitySchemes"]["api_key"].is_object());
    }

    async fn sign_in_forms_are_rate_limited_per_address(app: TestApp) {
        let mut b = Browser::new(&app);
        b.get("/signin").await;
        let mut limited = false;
        for i in 0..40 {
            let res = b.post("/signin", &[("identifier", &format!("nobody{i}@example.com")), ("password", "x")]).await;
            if res.status == 429 {
                assert!(res.html.contains("Too many requests"));
                limited = true;
                break;
            }
        }
        assert!(limited, "the address was never limited");
    }
}

/// The new key a page shows once.
fn shown_key(html: &str) -> String {
    let after = html
        .split("id=\"new-key\">")
        .nth(1)
        .expect("a new key shown");
    after.split('<').next().unwrap().to_string()
}

/// Calls `/api/v1/me` on `node` with `key`; its status.
async fn me_on(node: &TestApp, key: &str) -> u16 {
    let url = format!("{}/api/v1/me", node.base);
    node.client
        .get(url)
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Waits until `node` believes `key` without reading it: the key revoked behind Lango's back
/// (straight in the database, which tells no node) still works there.
async fn believed_on(node: &TestApp, db: &lango_core::db::Db, key: &str) {
    let id = key.split('_').nth(1).unwrap();
    let mark = |revoked: Option<i64>| async move {
        sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2")
            .bind(revoked)
            .bind(id)
            .execute(db.pool())
            .await
            .unwrap();
    };
    node.eventually("the node believes the key", || async {
        assert_eq!(me_on(node, key).await, 200);
        mark(Some(1)).await;
        let believed = me_on(node, key).await == 200;
        mark(None).await;
        believed
    })
    .await;
}

/// Two nodes share one PostgreSQL: a key one node believes stops working there when an
/// administrator revokes it on the other, and when the node loses its ear for revocations
/// (it may have missed one meanwhile).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_revoked_on_one_node_stops_working_on_the_other_postgres() {
    let Some(one) = TestApp::spawn(crate::support::Backend::Postgres).await else {
        return lango_core::testdb::skip_postgres();
    };
    let two = one.second_node().await;
    let db = one.db().await;
    one.staff(
        "admin@dis.example",
        PASSWORD,
        Role::AgencyAdmin,
        Some("DIS"),
    )
    .await;
    let mut admin = Browser::new(&one);
    admin.sign_in("admin@dis.example", PASSWORD).await;
    let mut create = async || {
        admin.get("/admin/agencies/DIS/api-keys").await;
        let created = admin
            .post(
                "/admin/agencies/DIS/api-keys",
                &[("name", "Case system"), ("permissions", "cases:read")],
            )
            .await;
        shown_key(&created.html)
    };
    let key = create().await;
    let other = create().await;

    believed_on(&one, &db, &key).await;
    believed_on(&two, &db, &key).await;
    let id = key.split('_').nth(1).unwrap();
    admin.get("/admin/agencies/DIS/api-keys").await;
    assert_eq!(
        admin
            .post(&format!("/admin/agencies/DIS/api-keys/{id}/revoke"), &[])
            .await
            .status,
        303
    );
    assert_eq!(
        me_on(&one, &key).await,
        401,
        "refused at once where it was revoked"
    );
    two.eventually("the other node hears of it", || async {
        me_on(&two, &key).await == 401
    })
    .await;

    believed_on(&two, &db, &other).await;
    let other_id = other.split('_').nth(1).unwrap();
    sqlx::query("UPDATE api_keys SET revoked_at = 1 WHERE id = $1")
        .bind(other_id)
        .execute(db.pool())
        .await
        .unwrap();
    sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'")
        .execute(db.pool())
        .await
        .unwrap();
    two.eventually(
        "the node that lost its listener forgets what it believed",
        || async { me_on(&two, &other).await == 401 },
    )
    .await;
    db.close().await;
}
