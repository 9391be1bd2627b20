//! The JSON API's fixed contracts, search quality and bad input.

use crate::backend_tests;
use rand::{Rng, SeedableRng};
use serde_json::Value;

fn codes(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_string())
        .collect()
}

backend_tests! {
    async fn service_list_has_the_contract_shape(app: TestApp) {
        let body = app.get_json("/api/v1/services?q=passport&per_page=5", 200).await;
        assert_eq!(body["page"], 1);
        assert_eq!(body["per_page"], 5);
        assert!(body["total"].as_u64().unwrap() >= 3, "{body}");
        let first = &body["items"][0];
        for key in ["code", "name", "summary", "stage", "url"] {
            assert!(first[key].is_string(), "{key} in {first}");
        }
        assert!(first["agency"]["code"].is_string() && first["agency"]["name"].is_string());
        let passport = app.get_json("/api/v1/services/DIS-PASSPORT", 200).await;
        assert_eq!(passport["fees"][0]["amount"], "4550.00");
        assert_eq!(passport["fees"][0]["currency"], "KES");
        assert_eq!(passport["stage"], "end_to_end");
        assert_eq!(passport["agency"]["code"], "DIS");
        assert!(passport["url"].as_str().unwrap().ends_with("/services/DIS-PASSPORT"));
        // Codes are case-insensitive in the path.
        app.get_json("/api/v1/services/dis-passport", 200).await;
    }

    async fn search_forgives_typos_prefixes_and_speaks_kiswahili(app: TestApp) {
        for q in ["passport", "pasport", "passprot", "passp", "pasipoti", "apply%20for%20a%20pasport"] {
            let body = app.get_json(&format!("/api/v1/services?q={q}&per_page=10"), 200).await;
            assert!(codes(&body).contains(&"DIS-PASSPORT".to_string()), "q={q}: {:?}", codes(&body));
        }
        let body = app.get_json("/api/v1/services?q=leseni%20ya%20udereva&per_page=10", 200).await;
        assert!(codes(&body).iter().any(|c| c.starts_with("NTSA-")), "{:?}", codes(&body));
        let body = app.get_json("/api/v1/services?q=good%20conduct", 200).await;
        assert!(codes(&body)[..3].contains(&"DCI-GOOD-CONDUCT".to_string()), "{:?}", codes(&body));
        // An agency's name finds its services.
        let body = app.get_json("/api/v1/services?q=higher%20education%20loans", 200).await;
        assert!(codes(&body).contains(&"HELB-LOAN".to_string()), "{:?}", codes(&body));
    }

    async fn filters_and_pagination_hold(app: TestApp) {
        let body = app.get_json("/api/v1/services?agency=ntsa&per_page=100", 200).await;
        let total = body["total"].as_u64().unwrap();
        assert!(total >= 10);
        assert!(body["items"].as_array().unwrap().iter().all(|i| i["agency"]["code"] == "NTSA"));
        let body = app.get_json("/api/v1/services?q=licence&stage=end_to_end&channel=online", 200).await;
        assert!(body["items"].as_array().unwrap().iter().all(|i| i["stage"] == "end_to_end"));
        // Pages partition the results without overlap.
        let p1 = codes(&app.get_json("/api/v1/services?per_page=7&page=1", 200).await);
        let p2 = codes(&app.get_json("/api/v1/services?per_page=7&page=2", 200).await);
        assert_eq!(p1.len(), 7);
        assert!(p1.iter().all(|c| !p2.contains(c)));
        let beyond = app.get_json("/api/v1/services?agency=NTSA&page=500", 200).await;
        assert!(beyond["items"].as_array().unwrap().is_empty());
        assert_eq!(beyond["total"].as_u64().unwrap(), total);
        // Retired services are not offered in search.
        let all = app.get_json("/api/v1/services?per_page=100&page=1", 200).await;
        assert!(all["total"].as_u64().unwrap() >= 400);
    }

    async fn agencies_are_listed(app: TestApp) {
        let body = app.get_json("/api/v1/agencies", 200).await;
        let items = body["items"].as_array().unwrap();
        assert!(items.len() >= 45, "{}", items.len());
        assert!(items.iter().any(|a| a["level"] == "regional"));
        let ntsa = app.get_json("/api/v1/agencies/NTSA", 200).await;
        assert!(ntsa["services"].as_u64().unwrap() >= 10);
        let missing = app.get_json("/api/v1/agencies/NOPE", 404).await;
        assert_eq!(missing["error"]["code"], "not_found");
    }

    async fn bad_requests_get_json_errors_never_500(app: TestApp) {
        for (path, status) in [
            ("/api/v1/services?page=0", 400),
            ("/api/v1/services?page=-1", 400),
            ("/api/v1/services?per_page=1000", 400),
            ("/api/v1/services?per_page=", 400),
            ("/api/v1/services?page=", 400),
            ("/api/v1/services?page=9999&per_page=100", 400),
            ("/api/v1/services?stage=online", 400),
            ("/api/v1/services?channel=fax", 400),
            ("/api/v1/services?agency=%00%01", 400),
            ("/api/v1/services?page=1&page=2", 400),
            ("/api/v1/services/NO-SUCH-SERVICE", 404),
            ("/api/v1/services/%F0%9F%92%A9", 404),
            ("/api/v1/nothing-here", 404),
        ] {
            let body = app.get_json(path, status).await;
            assert!(body["error"]["code"].is_string() && body["error"]["message"].is_string(), "{path}: {body}");
        }
        let long = "a".repeat(201);
        app.get_json(&format!("/api/v1/services?q={long}"), 400).await;
        let res = app.client.post(format!("{}/api/v1/services", app.base)).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 405);
        // Random bytes in every parameter: a 200 or a 4xx, never a 5xx.
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..150 {
            let len = rng.gen_range(0..60);
            let raw: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
            let value: String = raw.iter().map(|b| format!("%{b:02X}")).collect();
            let key = ["q", "agency", "stage", "category", "channel", "life_event", "page", "per_page"][rng.gen_range(0..8)];
            let res = app.get(&format!("/api/v1/services?{key}={value}")).await;
            let status = res.status().as_u16();
            assert!(status == 200 || (400..500).contains(&status), "{key}={value} gave {status}");
            let body: Value = res.json().await.unwrap();
            assert!(status == 200 || body["error"]["code"].is_string());
        }
    }

    async fn operations_endpoints_answer(app: TestApp) {
        assert_eq!(app.get_json("/healthz", 200).await["status"], "live");
        assert_eq!(app.get_json("/readyz", 200).await["status"], "ready");
        app.get("/api/v1/services?q=passport").await;
        let metrics = app.get("/metrics").await.text().await.unwrap();
        assert!(metrics.contains("http_requests_total"), "{metrics}");
        assert!(metrics.contains("lango_catalogue_services"));
        let doc = app.get_json("/api/v1/openapi.json", 200).await;
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
        for path in ["/api/v1/services", "/api/v1/services/{code}", "/api/v1/agencies", "/api/v1/agencies/{code}"] {
            assert!(doc["paths"][path]["get"].is_object(), "{path} missing from the OpenAPI document");
        }
        let res = app.get("/healthz").await;
        assert!(res.headers().get("x-request-id").is_some());
    }
}
