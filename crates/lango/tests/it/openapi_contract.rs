//! The OpenAPI document holds: every secured operation documents its 401 and 403 with the
//! error body, and real responses (a KPI answer with null shares among them) validate
//! against the schemas the document gives them.

use crate::support::TestApp;
use serde_json::{json, Value};

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// The schema `doc` gives the JSON answer of `method path` with `status`, made standalone:
/// its `$ref`s resolve in the document's own components.
fn response_schema(doc: &Value, path: &str, method: &str, status: u16) -> Value {
    let schema = &doc["paths"][path][method]["responses"][status.to_string()]["content"]
        ["application/json"]["schema"];
    assert!(
        schema.is_object(),
        "{method} {path} documents no JSON body for {status}"
    );
    let mut root = schema.clone();
    root["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
    root["components"] = doc["components"].clone();
    root
}

/// Asserts that `body`, answered by `method path` with `status`, is what the document says.
fn conforms(doc: &Value, path: &str, method: &str, status: u16, body: &Value) {
    let schema = response_schema(doc, path, method, status);
    let validator = jsonschema::draft202012::new(&schema)
        .unwrap_or_else(|e| panic!("{method} {path} {status}: the schema does not compile: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {path} {status}: the answer does not match its schema: {errors:?}\n{body}"
    );
}

/// Calls `path` (with `key` when given) and checks the answer against the document.
async fn check(
    app: &TestApp,
    doc: &Value,
    template: &str,
    path: &str,
    key: Option<&str>,
    status: u16,
) -> Value {
    let mut req = app.client.get(format!("{}{path}", app.base));
    if let Some(key) = key {
        req = req.bearer_auth(key);
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status().as_u16(), status, "GET {path}");
    let body: Value = res.json().await.unwrap();
    conforms(doc, template, "get", status, &body);
    body
}

crate::backend_tests! {
    async fn openapi_secured_operations_document_their_refusals(app: TestApp) {
        let doc = app.get_json("/api/v1/openapi.json", 200).await;
        let mut secured = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in METHODS {
                let op = &item[method];
                let has_security = op["security"].as_array().is_some_and(|s| !s.is_empty());
                if !has_security {
                    continue;
                }
                secured += 1;
                for status in ["401", "403"] {
                    let schema = &op["responses"][status]["content"]["application/json"]["schema"];
                    assert_eq!(
                        schema["$ref"], "#/components/schemas/ErrorBody",
                        "{method} {path} documents {status} with the error body"
                    );
                }
            }
        }
        assert!(secured >= 15, "only {secured} secured operations");
        // The document's own uploads are raw bytes, described as such.
        let attach = &doc["paths"]["/api/v1/applications/{reference}/outputs/{output}"]["post"]["requestBody"]["content"]["application/pdf"]["schema"];
        assert_eq!(attach["type"], "string", "{attach}");
        assert_eq!(attach["format"], "binary", "{attach}");
        // Bounds the handlers enforce are in the document, so generated requests respect them.
        let params = doc["paths"]["/api/v1/applications"]["get"]["parameters"].as_array().unwrap();
        let limit = params.iter().find(|p| p["name"] == "limit").expect("limit");
        assert_eq!((limit["schema"]["minimum"].as_i64(), limit["schema"]["maximum"].as_i64()), (Some(1), Some(200)));
        let params = doc["paths"]["/api/v1/services"]["get"]["parameters"].as_array().unwrap();
        let per_page = params.iter().find(|p| p["name"] == "per_page").expect("per_page");
        assert_eq!(per_page["schema"]["maximum"].as_i64(), Some(100), "{per_page}");
    }

    async fn openapi_real_answers_validate_against_their_schemas(app: TestApp) {
        let doc = app.get_json("/api/v1/openapi.json", 200).await;

        // A platform with no applications yet: every share is null, as the schema allows.
        let kpis = check(&app, &doc, "/api/v1/insights", "/api/v1/insights", None, 200).await;
        assert!(kpis["kpis"]["digital_take_up"].is_null(), "{kpis}");
        assert!(kpis["kpis"]["completion_rate"].is_null(), "{kpis}");
        check(&app, &doc, "/api/v1/insights/agencies/{code}", "/api/v1/insights/agencies/DIS", None, 200).await;
        check(&app, &doc, "/api/v1/insights/agencies/{code}", "/api/v1/insights/agencies/NOPE", None, 404).await;
        check(&app, &doc, "/api/v1/insights/digitisation", "/api/v1/insights/digitisation", None, 200).await;
        check(&app, &doc, "/api/v1/services", "/api/v1/services?per_page=5", None, 200).await;
        check(&app, &doc, "/api/v1/services", "/api/v1/services?page=x", None, 400).await;
        check(&app, &doc, "/api/v1/agencies", "/api/v1/agencies", None, 200).await;
        check(&app, &doc, "/api/v1/performance/periods", "/api/v1/performance/periods", None, 200).await;

        // The refusals of a secured route: no key, and a key without the permission.
        check(&app, &doc, "/api/v1/applications", "/api/v1/applications", None, 401).await;
        check(&app, &doc, "/api/v1/webhooks", "/api/v1/webhooks", Some("lango_0000_nope"), 401).await;
        let key = app.agency_key("DIS", &["bills:write"]).await;
        check(&app, &doc, "/api/v1/me", "/api/v1/me", Some(&key), 200).await;
        check(&app, &doc, "/api/v1/applications", "/api/v1/applications", Some(&key), 403).await;
        check(&app, &doc, "/api/v1/webhooks", "/api/v1/webhooks", Some(&key), 403).await;
        check(&app, &doc, "/api/v1/settlements", "/api/v1/settlements?from=2026-01-01&to=2026-01-31", Some(&key), 200).await;

        // A KPI with data: the share is the insights' ratio, not another schema of that name.
        let mut kpis = kpis;
        kpis["kpis"]["digital_take_up"] = json!({"numerator": 3, "denominator": 4, "percent": "75.0"});
        conforms(&doc, "/api/v1/insights", "get", 200, &kpis);
    }
}
