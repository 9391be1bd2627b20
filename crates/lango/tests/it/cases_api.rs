//! The applications API for agency systems over real HTTP with real API keys: list, read
//! with documents and history, claim, act (approve, issue), a stale revision refused (409), a
//! key without `cases:write` refused (403), another agency's key seeing nothing (404),
//! attaching the agency's own PDF as the output; and the public definition endpoints (the
//! JSON Schema of the format, a service's current definition) in the OpenAPI document.

use crate::backend_tests;
use crate::cases_work::{actor, define, engine, submitted, DEFINITION, PASSWORD, SERVICE};
use crate::support::TestApp;
use serde_json::{json, Value};

/// A minimal well-formed PDF.
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n";

async fn call(
    app: &TestApp,
    method: reqwest::Method,
    key: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    app.api(method, key, path, body).await
}

async fn get(app: &TestApp, key: &str, path: &str) -> (u16, Value) {
    call(app, reqwest::Method::GET, key, path, None).await
}

async fn post(app: &TestApp, key: &str, path: &str, body: Value) -> (u16, Value) {
    call(app, reqwest::Method::POST, key, path, Some(body)).await
}

fn is_error(v: &Value, code: &str) -> bool {
    v["error"]["code"] == code && v["error"]["message"].is_string()
}

backend_tests! {
    async fn agency_systems_list_read_claim_and_move_applications(app: TestApp) {
        let cases = engine(&app).await;
        define(&cases).await;
        let citizen_id = app.person("23456782", "njoki@example.com", PASSWORD).await;
        let citizen = actor(&app, &citizen_id).await;
        let reference = submitted(&cases, &citizen, "Njoki Wambui").await;
        let other = submitted(&cases, &citizen, "Njoki Again").await;
        let key = app.agency_key("DIS", &["cases:read", "cases:write"]).await;
        let reader = app.agency_key("DIS", &["cases:read"]).await;
        let stranger = app.agency_key("NTSA", &["cases:read", "cases:write"]).await;
        let base = format!("/api/v1/applications/{reference}");

        // No key, a wrong key: 401.
        let anon = app.get("/api/v1/applications").await;
        assert_eq!(anon.status().as_u16(), 401);
        let (status, body) = get(&app, "lango_nope_nope", "/api/v1/applications").await;
        assert_eq!(status, 401);
        assert!(is_error(&body, "unauthorized"));

        // The list, in keyset pages.
        let (status, list) = get(&app, &key, "/api/v1/applications?limit=1").await;
        assert_eq!(status, 200, "{list}");
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
        let next = list["next"].as_str().expect("a next page").to_string();
        let (_, page2) = get(&app, &key, &format!("/api/v1/applications?limit=1&after={}", urlencode(&next))).await;
        let mut seen: Vec<String> = [&list, &page2].iter()
            .map(|p| p["items"][0]["reference"].as_str().unwrap().to_string()).collect();
        seen.sort();
        let mut both = vec![reference.clone(), other.clone()];
        both.sort();
        assert_eq!(seen, both);
        let (_, all) = get(&app, &key, "/api/v1/applications?state=review&unassigned=true").await;
        assert_eq!(all["items"].as_array().unwrap().len(), 2);
        assert!(all["next"].is_null());
        let (_, none) = get(&app, &key, "/api/v1/applications?state=approved").await;
        assert!(none["items"].as_array().unwrap().is_empty());
        for bad in ["?limit=0", "?limit=9999", "?limit=x", "?sla=soon", "?after=garbage", "?unassigned=maybe", "?state=%00"] {
            let (status, body) = get(&app, &key, &format!("/api/v1/applications{bad}")).await;
            assert_eq!(status, 400, "{bad}: {body}");
            assert!(is_error(&body, "invalid_request"), "{bad}: {body}");
        }
        // Another agency's key sees none of DIS's.
        let (_, theirs) = get(&app, &stranger, "/api/v1/applications").await;
        assert!(theirs["items"].as_array().unwrap().is_empty(), "{theirs}");

        // One, in full.
        let (status, one) = get(&app, &key, &base).await;
        assert_eq!(status, 200, "{one}");
        assert_eq!(one["service"], SERVICE);
        assert_eq!(one["state"], "review");
        assert_eq!(one["state_label"], "Being checked");
        assert_eq!(one["answers"]["full_name"], "Njoki Wambui");
        assert_eq!(one["history"][0]["action"], "submit");
        let actions: Vec<&str> = one["actions"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
        assert_eq!(actions, ["approve", "request_info", "reject"]);
        assert_eq!(one["actions"][1]["reason"], "required");
        let revision = one["revision"].as_i64().unwrap();
        let (status, body) = get(&app, &stranger, &base).await;
        assert_eq!(status, 404, "another agency's key: {body}");
        assert!(is_error(&body, "not_found"));
        for missing in ["/api/v1/applications/NOPE", "/api/v1/applications/%00", "/api/v1/applications/a%20b"] {
            assert_eq!(get(&app, &key, missing).await.0, 404, "{missing}");
        }

        // Claim: a stale revision is refused, a key that may only read is refused, nothing changes.
        let (status, body) = post(&app, &key, &format!("{base}/claim"), json!({"revision": revision + 7})).await;
        assert_eq!(status, 409, "{body}");
        assert!(is_error(&body, "conflict"));
        let (status, body) = post(&app, &reader, &format!("{base}/claim"), json!({"revision": revision})).await;
        assert_eq!(status, 403, "{body}");
        assert!(is_error(&body, "forbidden"));
        let (status, _) = post(&app, &stranger, &format!("{base}/claim"), json!({"revision": revision})).await;
        assert_eq!(status, 404);
        for bad in [json!({}), json!({"revision": "one"}), json!("x")] {
            let (status, body) = post(&app, &key, &format!("{base}/claim"), bad.clone()).await;
            assert!(status == 400 || status == 422, "{bad}: {status} {body}");
        }
        assert_eq!(get(&app, &key, &base).await.1["revision"].as_i64(), Some(revision));
        let (status, claimed) = post(&app, &key, &format!("{base}/claim"), json!({"revision": revision})).await;
        assert_eq!(status, 200, "{claimed}");
        assert!(claimed["assigned_to"].as_str().is_some_and(|a| !a.is_empty()));
        assert_eq!(claimed["history"].as_array().unwrap().last().unwrap()["action"], "claim");
        let revision = claimed["revision"].as_i64().unwrap();

        // Act: bad action, missing reason, stale revision, a reader's key: each refused, nothing changes.
        let acts = format!("{base}/actions");
        let (status, body) = post(&app, &key, &acts, json!({"action": "teleport", "revision": revision})).await;
        assert!(status == 400 || status == 422, "{status} {body}");
        let (status, body) = post(&app, &key, &acts, json!({"action": "reject", "reason": " ", "revision": revision})).await;
        assert_eq!(status, 400, "{body}");
        let (status, _) = post(&app, &key, &acts, json!({"action": "approve", "revision": revision - 1})).await;
        assert_eq!(status, 409);
        let (status, _) = post(&app, &reader, &acts, json!({"action": "approve", "revision": revision})).await;
        assert_eq!(status, 403);
        let (status, _) = post(&app, &stranger, &acts, json!({"action": "approve", "revision": revision})).await;
        assert_eq!(status, 404);
        let (status, body) = post(&app, &key, &acts, json!({"action": "approve"})).await;
        assert!(status == 400 || status == 422, "{status} {body}");
        let now = get(&app, &key, &base).await.1;
        assert_eq!((now["state"].as_str(), now["revision"].as_i64()), (Some("review"), Some(revision)));

        let (status, approved) = post(&app, &key, &acts, json!({"action": "approve", "reason": "All in order", "revision": revision})).await;
        assert_eq!(status, 200, "{approved}");
        assert_eq!(approved["state"], "approved");
        assert_eq!(approved["history"].as_array().unwrap().last().unwrap()["reason"], "All in order");
        // Replaying the same request is refused.
        let (status, _) = post(&app, &key, &acts, json!({"action": "approve", "reason": "All in order", "revision": revision})).await;
        assert_eq!(status, 409);

        // Attach the agency's own PDF as the output, then issue: the attached document is the output.
        let out = format!("{base}/outputs/eta?name=eta-{reference}.pdf");
        let send = |k: &str, ct: &str, bytes: &'static [u8], path: &str| {
            app.client.post(format!("{}{path}", app.base)).bearer_auth(k.to_string())
                .header("content-type", ct.to_string()).body(bytes).send()
        };
        let res = send(&key, "text/plain", PDF, &out).await.unwrap();
        assert_eq!(res.status().as_u16(), 415);
        let res = send(&key, "application/pdf", b"not a pdf at all", &out).await.unwrap();
        assert_eq!(res.status().as_u16(), 415);
        let res = send(&key, "application/pdf", b"", &out).await.unwrap();
        assert_eq!(res.status().as_u16(), 400);
        let res = send(&reader, "application/pdf", PDF, &out).await.unwrap();
        assert_eq!(res.status().as_u16(), 403);
        let res = send(&key, "application/pdf", PDF, &format!("{base}/outputs/nope?name=x.pdf")).await.unwrap();
        assert!(matches!(res.status().as_u16(), 400 | 404 | 409), "{}", res.status());
        let res = send(&key, "application/pdf", PDF, &format!("{base}/outputs/eta")).await.unwrap();
        assert_eq!(res.status().as_u16(), 400, "name is required");
        let res = send(&key, "application/pdf", PDF, &out).await.unwrap();
        assert_eq!(res.status().as_u16(), 201);
        let attached: Value = res.json().await.unwrap();
        assert_eq!(attached["output"], "eta");
        assert!(attached["number"].as_str().unwrap().starts_with("LD-"));

        let revision = get(&app, &key, &base).await.1["revision"].as_i64().unwrap();
        let (status, issued) = post(&app, &key, &acts, json!({"action": "issue", "revision": revision})).await;
        assert_eq!(status, 200, "{issued}");
        assert_eq!(issued["state"], "issued");
        assert_eq!(issued["issued"].as_array().unwrap().len(), 1);
        assert_eq!(issued["issued"][0]["number"], attached["number"]);
        let doc_url = issued["issued"][0]["document"]["url"].as_str().unwrap().to_string();
        assert!(issued["documents"].as_array().unwrap().iter().any(|d| d["url"] == doc_url.as_str()));
        let res = app.client.get(format!("{}{doc_url}", app.base)).bearer_auth(&key).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(res.headers()["content-type"], "application/pdf");
        assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);
        let res = app.client.get(format!("{}{doc_url}", app.base)).bearer_auth(&stranger).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 404);
        let (status, _) = get(&app, &key, &format!("{base}/documents/nope")).await;
        assert_eq!(status, 404);
        // The issued application has left the open list.
        let (_, open) = get(&app, &key, "/api/v1/applications").await;
        let refs: Vec<&str> = open["items"].as_array().unwrap().iter().map(|i| i["reference"].as_str().unwrap()).collect();
        assert_eq!(refs, [other.as_str()]);
    }

    async fn definitions_are_published_with_their_schema(app: TestApp) {
        let cases = engine(&app).await;
        define(&cases).await;
        let schema = app.get_json("/api/v1/schemas/service-definition.json", 200).await;
        assert!(schema["title"].as_str().is_some_and(|t| t.contains("DefinitionFile") || t.to_lowercase().contains("definition")), "{}", schema["title"]);
        for p in ["service", "title", "declaration", "pages", "workflow", "fees", "outputs", "rules"] {
            assert!(schema["properties"][p].is_object(), "the schema describes {p}");
        }
        let required: Vec<&str> = schema["required"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        for r in ["service", "pages", "workflow"] {
            assert!(required.contains(&r), "{r} is required");
        }

        let def = app.get_json(&format!("/api/v1/services/{SERVICE}/definition"), 200).await;
        assert_eq!(def["service"], SERVICE);
        assert_eq!(def["version"], 1);
        assert_eq!(def["yaml"], DEFINITION);
        assert_eq!(def["definition"]["workflow"]["start"], "review");
        assert_eq!(def["definition"]["pages"][0]["fields"][1]["choices"][0]["value"], "tourism");
        // A new version becomes the current one.
        let dir = tempfile::tempdir().unwrap();
        let v2 = DEFINITION.replace("sla_days: 3", "sla_days: 5");
        std::fs::write(dir.path().join("v2.yaml"), &v2).unwrap();
        assert_eq!(cases.load_definitions(dir.path()).await.unwrap(), 1);
        let def = app.get_json(&format!("/api/v1/services/{SERVICE}/definition"), 200).await;
        assert_eq!(def["version"], 2);
        assert_eq!(def["definition"]["workflow"]["states"][0]["sla_days"], 5);

        for missing in ["DIS-VISA-EXEMPT", "NO-SUCH-SERVICE", "%00", "x%20y"] {
            let body = app.get_json(&format!("/api/v1/services/{missing}/definition"), 404).await;
            assert!(is_error(&body, "not_found"), "{missing}: {body}");
        }

        // The OpenAPI document lists every new path.
        let doc = app.get_json("/api/v1/openapi.json", 200).await;
        for path in ["/api/v1/applications", "/api/v1/applications/{reference}",
            "/api/v1/applications/{reference}/documents/{id}", "/api/v1/applications/{reference}/claim",
            "/api/v1/applications/{reference}/actions", "/api/v1/applications/{reference}/outputs/{output}",
            "/api/v1/schemas/service-definition.json", "/api/v1/services/{code}/definition"] {
            assert!(doc["paths"][path].is_object(), "{path} is in the OpenAPI document");
        }
        assert!(doc["paths"]["/api/v1/applications/{reference}/actions"]["post"]["responses"]["409"].is_object());
    }
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
