//! The authorisation matrix over real HTTP, and agency API keys.

use crate::backend_tests;
use crate::browser_kit::Browser;
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
        let key = created.html.split("id=\"new-key\">").nth(1).unwrap().split('<').next().unwrap().to_string();
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

        for bad in ["", "lango_", "lango_0000000000000000_", &key.replace("lango_", "lango_x"), &format!("{key}x")] {
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
