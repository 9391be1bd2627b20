//! Open data: every dataset as CSV and JSON, the dictionary, and the public dashboards.

use crate::backend_tests;
use crate::browser_kit::Browser;
use crate::support::TestApp;
use lango_identity::model::Role;

const PASSWORD: &str = "correct horse battery";
const COSTS: &str = "/admin/agencies/DIS/costs";

/// Seeds `n` applications of the demo definitions with the real `lango seed applications`
/// (which adds them to the published aggregates).
async fn seeded(app: &TestApp, n: usize) {
    let db = app.db().await;
    lango::demo::load_definitions(&db)
        .await
        .expect("demo definitions");
    db.close().await;
    let out = app.cli(&[
        "seed",
        "applications",
        "--count",
        &n.to_string(),
        "--i-know-this-is-a-test-database",
    ]);
    assert!(
        out.status.success(),
        "seed failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The body of a GET that must answer 200.
async fn page(app: &TestApp, path: &str) -> String {
    let res = app.get(path).await;
    assert_eq!(res.status().as_u16(), 200, "GET {path}");
    res.text().await.unwrap()
}

backend_tests! {
    async fn agency_admins_enter_costs_and_no_one_else_may(app: TestApp) {
        app.staff("admin@dis.example", PASSWORD, Role::AgencyAdmin, Some("DIS")).await;
        let mut admin = Browser::new(&app);
        assert_eq!(admin.sign_in("admin@dis.example", PASSWORD).await.status, 303);
        assert!(admin.get("/account").await.html.contains(COSTS), "linked from the account");
        let empty = admin.get(COSTS).await;
        assert_eq!(empty.status, 200);
        assert!(empty.html.contains("No costs entered yet"));
        let month = lango_insights::month_of(lango_core::clock::now_ms());
        let form = |month: &str, amount: &str| {
            vec![
                ("service", String::new()),
                ("month", month.to_string()),
                ("amount", amount.to_string()),
                ("currency", "KES".to_string()),
                ("note", "Staff and systems".to_string()),
            ]
        };
        for (m, amount, message) in [
            ("2026-13", "250000.00", "Enter a month like 2026-11"),
            (month.as_str(), "-5", "Enter what it cost"),
            (month.as_str(), "1e3", "Enter what it cost"),
            (month.as_str(), "", "Enter what it cost"),
        ] {
            let fields = form(m, amount);
            let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let refused = admin.post(COSTS, &refs).await;
            assert_eq!(refused.status, 400, "{m} {amount}");
            assert!(refused.html.contains("error-summary") && refused.html.contains(message), "{m} {amount}");
        }
        assert_eq!(app.count("insight_costs").await, 0, "nothing saved");
        let fields = form(&month, "250000.00");
        let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let saved = admin.post(COSTS, &refs).await;
        assert_eq!(saved.status, 303);
        assert_eq!(saved.location, format!("{COSTS}?saved=1"));
        let listed = admin.get(&saved.location).await.html;
        assert!(listed.contains("The cost was saved") && listed.contains(&month) && listed.contains("250,000.00"), "{listed}");
        assert_eq!(app.count("insight_costs").await, 1);

        // Another agency's administrator, and anyone signed out, may not.
        app.staff("admin@dci.example", PASSWORD, Role::AgencyAdmin, Some("DCI")).await;
        let mut other = Browser::new(&app);
        assert_eq!(other.sign_in("admin@dci.example", PASSWORD).await.status, 303);
        assert_eq!(other.get(COSTS).await.status, 403);
        assert_eq!(other.post(COSTS, &refs).await.status, 403);
        assert_eq!(app.get(COSTS).await.status().as_u16(), 303, "signed out: to sign in");
        assert_eq!(app.count("insight_costs").await, 1, "refusals change nothing");
    }

    async fn every_dataset_downloads_as_csv_and_json_with_its_dictionary(app: TestApp) {
        seeded(&app, 120).await;
        let dictionary = app.get_json("/api/v1/open-data", 200).await;
        let datasets = dictionary["datasets"].as_array().unwrap();
        let names: Vec<&str> = datasets.iter().map(|d| d["name"].as_str().unwrap()).collect();
        for expected in ["usage", "kpis", "satisfaction", "digitisation", "performance_scores"] {
            assert!(names.contains(&expected), "{expected} missing from {names:?}");
        }
        for d in datasets {
            let name = d["name"].as_str().unwrap();
            let columns: Vec<&str> = d["columns"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    assert!(!c["meaning"].as_str().unwrap().is_empty(), "{name}: a column without meaning");
                    c["name"].as_str().unwrap()
                })
                .collect();
            let res = app.get(&format!("/api/v1/open-data/{name}.csv")).await;
            assert_eq!(res.status().as_u16(), 200, "{name}.csv");
            assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
            let csv = res.text().await.unwrap();
            assert_eq!(csv.lines().next().unwrap(), columns.join(","), "{name}: CSV header");
            let json = app.get_json(&format!("/api/v1/open-data/{name}.json"), 200).await;
            let rows = json["rows"].as_array().unwrap();
            assert_eq!(rows.len(), csv.lines().count() - 1, "{name}: CSV and JSON rows");
            for row in rows {
                let keys: Vec<&str> = row.as_object().unwrap().keys().map(String::as_str).collect();
                assert_eq!(keys.len(), columns.len(), "{name}: {row}");
            }
        }
        // The usage rows add up to what was seeded.
        let usage = app.get_json("/api/v1/open-data/usage.json", 200).await;
        let submitted: i64 = usage["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["submitted"].as_i64().unwrap())
            .sum();
        assert_eq!(submitted, 120);
        // One agency's rows only.
        let dis = app.get_json("/api/v1/open-data/usage.json?agency=DIS", 200).await;
        assert!(dis["rows"].as_array().unwrap().iter().all(|r| r["agency"] == "DIS"));
    }

    async fn bad_open_data_requests_are_refused_clearly(app: TestApp) {
        for (path, status) in [
            ("/api/v1/open-data/nothing.csv", 404),
            ("/api/v1/open-data/usage.txt", 404),
            ("/api/v1/open-data/usage", 404),
            ("/api/v1/open-data/usage.csv?from=2026-02-30", 400),
            ("/api/v1/open-data/usage.json?to=yesterday", 400),
        ] {
            let res = app.get(path).await;
            assert_eq!(res.status().as_u16(), status, "{path}");
            let body: serde_json::Value = res.json().await.unwrap();
            assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{path}: {body}");
        }
    }

    async fn dashboards_show_every_seeded_application(app: TestApp) {
        seeded(&app, 150).await;
        let national = app.get_json("/api/v1/insights?days=365", 200).await;
        assert_eq!(national["totals"]["submitted"], 150, "{national}");
        assert_eq!(national["trend"].as_array().unwrap().len(), 365);
        let by_day: i64 = national["trend"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["submitted"].as_i64().unwrap())
            .sum();
        assert_eq!(by_day, 150, "the trend adds up to the total");
        let rate = &national["kpis"]["completion_rate"];
        assert_eq!(rate["denominator"], national["totals"]["started"], "{rate}");
        // Each agency's figures add up to the nation's.
        let agencies = page(&app, "/performance?days=365").await;
        assert!(agencies.contains("<svg class=\"chart\""), "a chart");
        let mut sum = 0;
        // The agencies of the demo's definitions, which the seed spreads applications over.
        for code in ["DIS", "DCI", "BRS", "NTSA", "CRS", "CG-NBI", "HELB", "KRA", "PPRA", "PSC", "SHA", "KPS", "NRB"] {
            let res = app.get(&format!("/api/v1/insights/agencies/{code}?days=365")).await;
            if res.status().as_u16() == 200 {
                let a: serde_json::Value = res.json().await.unwrap();
                sum += a["totals"]["submitted"].as_i64().unwrap();
            }
        }
        assert_eq!(sum, 150, "agencies add up to the nation");
        // Searches that find nothing, three times each, reach the searches page; one with a
        // phone number in it never does.
        for q in ["hovercraft yacht", "hovercraft yacht", "Hovercraft  YACHT", "call 0712345678", "call 0712345678", "call 0712345678"] {
            let encoded: String = form_urlencoded::byte_serialize(q.as_bytes()).collect();
            assert_eq!(app.get(&format!("/services?q={encoded}")).await.status().as_u16(), 200);
        }
        app.eventually("the searches page lists the query", || async {
            page(&app, "/performance/searches").await.contains("hovercraft yacht")
        })
        .await;
        assert!(!page(&app, "/performance/searches").await.contains("0712345678"));
        for path in [
            "/performance",
            "/performance?days=30",
            "/performance/agencies/DIS",
            "/performance/services/DIS-PASSPORT",
            "/performance/digitisation",
            "/performance/searches",
            "/open-data",
        ] {
            let html = page(&app, path).await;
            assert!(html.contains("<table"), "{path}: figures in a table");
        }
        assert!(page(&app, "/performance/digitisation").await.contains("Target: 80% by 2027-06-30"));
        for path in ["/performance/agencies/NOPE", "/performance/services/NOPE-1", "/api/v1/insights/agencies/NOPE"] {
            assert_eq!(app.get(path).await.status().as_u16(), 404, "{path}");
        }
        // An unknown range is the default, never an error.
        assert_eq!(app.get("/performance?days=abc").await.status().as_u16(), 200);
    }
}

/// The dashboards and the open-data page in real Chromium, each checked by axe-core.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboards_are_accessible_in_chromium() {
    use crate::browser_kit::{assert_accessible, axe_source, driver};
    let Some(d) = driver().await else { return };
    let app = TestApp::spawn(crate::support::Backend::Sqlite)
        .await
        .unwrap();
    seeded(&app, 80).await;
    let axe = axe_source();
    let c = &d.client;
    for path in [
        "/performance",
        "/performance/agencies/DIS",
        "/performance/services/DIS-PASSPORT",
        "/performance/digitisation",
        "/performance/searches",
        "/open-data",
    ] {
        c.goto(&format!("{}{path}", app.base)).await.unwrap();
        assert_accessible(c, &axe, path).await;
    }
}
