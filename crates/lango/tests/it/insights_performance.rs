//! Performance contracting over real HTTP on both backends: the performance office saves
//! periods and contracts (bad ones refused with their place named, nothing stored), only
//! it may; agency administrators enter values with evidence; the league, score pages, API
//! and open data show the method's numbers; computed indicators follow the platform's
//! data; a period without data shows "no data", never a number.

mod chromium;

use crate::backend_tests;
use crate::browser_kit::{Browser, Page};
use crate::support::TestApp;
use lango_identity::model::Role;
use serde_json::Value;

const PASSWORD: &str = "correct horse battery";

const PERIOD: &str = "code: T2026\nname: Test year 2026/27\nstarts: 2026-07-01\nends: 2027-06-30\nscale:\n  best: 1.0\n  worst: 5.0\n  anchors:\n    - {achievement: 70, raw: 5.0}\n    - {achievement: 100, raw: 3.0}\n    - {achievement: 130, raw: 1.0}\n  grades:\n    - {name: Excellent, from: 1.00, to: 2.40}\n    - {name: Very good, from: 2.41, to: 3.00}\n    - {name: Good, from: 3.01, to: 3.60}\n    - {name: Fair, from: 3.61, to: 4.00}\n    - {name: Poor, from: 4.01, to: 5.00}\n";

/// An entered-only contract: `share` (percent, weight 60, target 80) and `days` (lower is
/// better, weight 40, target 10).
fn contract(agency: &str, category: &str) -> String {
    format!(
        "period: T2026\nagency: {agency}\ncategory: {category}\nindicators:\n  - id: share\n    name: Complaints resolved\n    weight: 60\n    entered: percent\n    target: 80\n  - id: days\n    name: Days to pay suppliers\n    weight: 40\n    entered: number\n    direction: lower_is_better\n    target: 10\n"
    )
}

fn unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

async fn signed_in<'a>(
    app: &'a TestApp,
    email: &str,
    role: Role,
    agency: Option<&str>,
) -> Browser<'a> {
    app.staff(email, PASSWORD, role, agency).await;
    let mut b = Browser::new(app);
    assert_eq!(
        b.sign_in(email, PASSWORD).await.status,
        303,
        "{email} signs in"
    );
    b.get("/account").await;
    b
}

async fn office(app: &TestApp) -> Browser<'_> {
    signed_in(
        app,
        "office@performance.example",
        Role::PerformanceOfficer,
        None,
    )
    .await
}

async fn save_period<'a>(b: &mut Browser<'a>, text: &str) -> Page {
    b.post("/admin/performance/period", &[("text", text)]).await
}

async fn save_contract<'a>(b: &mut Browser<'a>, text: &str) -> Page {
    b.post(
        "/admin/performance/periods/T2026/contract",
        &[("text", text)],
    )
    .await
}

/// The revision of the stored period (0 when there is none).
async fn period_revision(app: &TestApp) -> i64 {
    app.scalar(
        "SELECT COALESCE(MAX(revision), 0) FROM performance_periods WHERE code = $1",
        "T2026",
    )
    .await
}

/// Asserts a refused save: 400, the error summary naming `message`, nothing stored.
fn refused(page: &Page, message: &str) {
    assert_eq!(page.status, 400, "{}", page.html);
    let html = unescape(&page.html);
    assert!(html.contains("class=\"error-summary\""), "error summary");
    assert!(
        html.contains("href=\"#f-text\""),
        "summary links to the field"
    );
    assert!(html.contains(message), "{message} not in {html}");
}

backend_tests! {
    async fn the_office_saves_periods_and_contracts_and_bad_ones_are_refused(app: TestApp) {
        let mut b = office(&app).await;
        assert_eq!(b.get("/admin/performance").await.status, 200);
        let page = save_period(&mut b, PERIOD).await;
        assert_eq!(page.status, 303, "{}", page.html);
        assert_eq!(page.location, "/admin/performance/periods/T2026?saved=period");
        assert_eq!(period_revision(&app).await, 1);
        let page = b.get("/admin/performance/periods/T2026?saved=period").await;
        assert!(page.html.contains("id=\"notice\""));

        // Each bad period: 400, the place named, and the stored one unchanged.
        let overlap = PERIOD.replace("from: 2.41", "from: 2.40");
        refused(&save_period(&mut b, &overlap).await, "scale.grades[1].from: Very good (2.40) starts at 2.40, inside Excellent");
        let gap = PERIOD.replace("from: 2.41", "from: 2.45");
        refused(&save_period(&mut b, &gap).await, "2.41 is in no band");
        let anchors = PERIOD.replace("raw: 1.0}", "raw: 4.0}");
        refused(&save_period(&mut b, &anchors).await, "scale.anchors[2].raw: 4 is worse than 3");
        let dates = PERIOD.replace("2027-06-30", "2027-02-30");
        refused(&save_period(&mut b, &dates).await, "ends: \"2027-02-30\" is not a real date");
        let backwards = PERIOD.replace("2027-06-30", "2026-06-30");
        refused(&save_period(&mut b, &backwards).await, "ends: 2026-06-30 is before the start, 2026-07-01");
        refused(&save_period(&mut b, "code: [").await, "line");
        assert_eq!(period_revision(&app).await, 1, "nothing was saved");
        assert_eq!(app.count("performance_periods").await, 1);

        let page = save_contract(&mut b, &contract("DIS", "state_department")).await;
        assert_eq!(page.status, 303, "{}", page.html);
        assert_eq!(page.location, "/admin/performance/periods/T2026?saved=DIS");
        let good = contract("CRS", "state_department");
        let weights = good.replace("weight: 40", "weight: 35");
        refused(&save_contract(&mut b, &weights).await, "indicators: the weights add up to 95 (share 60 + days 35); they must add up to exactly 100");
        let no_target = good.replace("    target: 80\n", "");
        refused(&save_contract(&mut b, &no_target).await, "indicators[0].target: is missing: every indicator needs a target");
        let unknown = good.replace("entered: percent", "measure: sla");
        refused(&save_contract(&mut b, &unknown).await, "indicators[0].measure: \"sla\" is not a measure Lango computes");
        let nowhere = good.replace("agency: CRS", "agency: NOPE");
        refused(&save_contract(&mut b, &nowhere).await, "agency: there is no agency NOPE in the catalogue");
        let other = good.replace("period: T2026", "period: T2030");
        refused(&save_contract(&mut b, &other).await, "the text is a contract for period T2030 but this is period T2026");
        assert_eq!(app.count("performance_contracts").await, 1, "only DIS's contract");

        // Editing shows the text as saved (comments kept), and saving again is a new revision.
        let commented = format!("# Revised after the mid-year review\n{}", contract("DIS", "state_department"));
        assert_eq!(save_contract(&mut b, &commented).await.status, 303);
        let page = b.get("/admin/performance/periods/T2026/contract?agency=DIS").await;
        assert!(page.html.contains("# Revised after the mid-year review"));
        assert_eq!(app.scalar("SELECT revision FROM performance_contracts WHERE agency = $1", "DIS").await, 2);
    }

    async fn only_the_performance_office_may_save(app: TestApp) {
        let mut office = office(&app).await;
        assert_eq!(save_period(&mut office, PERIOD).await.status, 303);
        let changed = PERIOD.replace("Test year", "Changed year");
        let people = [
            ("officer@dis.example", Role::Officer, Some("DIS")),
            ("admin@dis.example", Role::AgencyAdmin, Some("DIS")),
            ("root@platform.example", Role::PlatformAdmin, None),
        ];
        for (email, role, agency) in people {
            let mut b = signed_in(&app, email, role, agency).await;
            assert_eq!(b.get("/admin/performance").await.status, if role == Role::PlatformAdmin { 200 } else { 403 }, "{email} sees the list");
            assert_eq!(save_period(&mut b, &changed).await.status, 403, "{email} saves");
            let page = b.post("/admin/performance/periods/T2026/contract", &[("text", &contract("DIS", "x"))]).await;
            assert_eq!(page.status, 403, "{email} saves a contract");
        }
        app.person("30000001", "citizen@example.com", PASSWORD).await;
        let mut citizen = Browser::new(&app);
        citizen.sign_in("citizen@example.com", PASSWORD).await;
        citizen.get("/account").await;
        assert_eq!(save_period(&mut citizen, &changed).await.status, 403);
        let anonymous = app.get("/admin/performance").await;
        assert_eq!(anonymous.status().as_u16(), 303, "sent to sign in");
        assert_eq!(period_revision(&app).await, 1, "nobody else changed it");
        assert_eq!(app.count("performance_contracts").await, 0);

        // The API: no session → 401, a session without its token → 401, not the office → 403.
        let put = |cookies: String, csrf: Option<String>, body: String| {
            let mut req = app
                .client
                .put(format!("{}/api/v1/performance/periods/T2026", app.base))
                .header("cookie", cookies)
                .header("content-type", "application/yaml")
                .body(body);
            if let Some(t) = csrf {
                req = req.header("x-csrf-token", t);
            }
            req.send()
        };
        let jar = |b: &Browser| b.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let res = put(String::new(), None, changed.clone()).await.unwrap();
        assert_eq!(res.status().as_u16(), 401);
        let res = put(jar(&citizen), None, changed.clone()).await.unwrap();
        assert_eq!(res.status().as_u16(), 401, "a session without its CSRF token");
        let res = put(jar(&citizen), Some(citizen.csrf.clone()), changed.clone()).await.unwrap();
        assert_eq!(res.status().as_u16(), 403);
        let key = app.agency_key("DIS", &["cases:write", "bills:write"]).await;
        let res = app.client.put(format!("{}/api/v1/performance/periods/T2026", app.base)).bearer_auth(&key).body(changed.clone()).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 401, "agency keys cannot set targets");
        assert_eq!(period_revision(&app).await, 1);

        // The office through the API: refused with every problem, then saved.
        let bad = changed.replace("from: 2.41", "from: 2.40");
        let res = put(jar(&office), Some(office.csrf.clone()), bad).await.unwrap();
        assert_eq!(res.status().as_u16(), 400);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid_request");
        assert_eq!(body["error"]["problems"][0]["path"], "scale.grades[1].from");
        assert_eq!(body["error"]["problems"][0]["line"], 14);
        let res = put(jar(&office), Some(office.csrf.clone()), changed.clone()).await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(period_revision(&app).await, 2);
        let res = app
            .client
            .put(format!("{}/api/v1/performance/periods/T2026/contracts/CRS", app.base))
            .header("cookie", jar(&office))
            .header("x-csrf-token", office.csrf.clone())
            .body(contract("DIS", "state_department"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 400, "the text is DIS's, the address CRS's");
        let doc = app.get_json("/api/v1/openapi.json", 200).await;
        for path in ["/api/v1/performance/league", "/api/v1/performance/league/{period}/{agency}", "/api/v1/performance/periods/{period}", "/api/v1/performance/periods/{period}/contracts/{agency}"] {
            assert!(doc["paths"][path].is_object(), "{path} in OpenAPI");
        }
    }

    async fn agencies_enter_values_and_the_league_shows_the_methods_numbers(app: TestApp) {
        let mut b = office(&app).await;
        assert_eq!(save_period(&mut b, PERIOD).await.status, 303);
        for (agency, category) in [("DIS", "state_department"), ("CRS", "state_department"), ("NTSA", "state_corporation"), ("HELB", "state_corporation")] {
            assert_eq!(save_contract(&mut b, &contract(agency, category)).await.status, 303, "{agency}");
        }
        let form = "/admin/agencies/DIS/performance/T2026/share";
        let mut dis = signed_in(&app, "admin@dis.example", Role::AgencyAdmin, Some("DIS")).await;
        assert!(dis.get("/admin/agencies/DIS/performance").await.html.contains("/admin/agencies/DIS/performance/T2026"));
        assert_eq!(dis.get(form).await.status, 200);
        let page = dis.post(form, &[("value", "101"), ("evidence", "Report")]).await;
        assert_eq!(page.status, 400);
        assert!(page.html.contains("href=\"#f-value\"") && page.html.contains("Enter a percentage from 0 to 100"));
        let page = dis.post(form, &[("value", "88"), ("evidence", " ")]).await;
        assert_eq!(page.status, 400);
        assert!(page.html.contains("href=\"#f-evidence\""));
        assert_eq!(app.count("performance_entries").await, 0, "nothing saved");
        assert_eq!(dis.get("/admin/agencies/DIS/performance/T2026/nope").await.status, 404);
        assert_eq!(dis.get("/admin/agencies/CRS/performance/T2026/share").await.status, 403, "another agency's");
        let page = dis.post(form, &[("value", "88"), ("evidence", "Customer care report Q1")]).await;
        assert_eq!(page.status, 303);
        assert_eq!(dis.post("/admin/agencies/DIS/performance/T2026/days", &[("value", "8"), ("evidence", "Payments register")]).await.status, 303);
        let mut officer = signed_in(&app, "officer@dis.example", Role::Officer, Some("DIS")).await;
        assert_eq!(officer.post(form, &[("value", "10"), ("evidence", "x")]).await.status, 403);
        assert_eq!(b.post(form, &[("value", "10"), ("evidence", "x")]).await.status, 403, "the office does not enter agencies' values");
        for (agency, values) in [("CRS", ["60", "10"]), ("NTSA", ["80", "12.5"])] {
            let mut admin = signed_in(&app, &format!("admin@{}.example", agency.to_lowercase()), Role::AgencyAdmin, Some(agency)).await;
            for (id, v) in ["share", "days"].iter().zip(values) {
                let page = admin.post(&format!("/admin/agencies/{agency}/performance/T2026/{id}"), &[("value", v), ("evidence", "Annual report")]).await;
                assert_eq!(page.status, 303, "{agency} {id}");
            }
        }

        // DIS: 88/80 = 110% → 2.3333 × 60%; 10/8 = 125% → 1.3333 × 40%: 1.39998 + 0.53332.
        let league = app.get_json("/api/v1/performance/league?period=T2026", 200).await;
        let cats = league["categories"].as_array().unwrap();
        let rows = |i: usize| -> Vec<(Value, String, Value, Value)> {
            cats[i]["agencies"].as_array().unwrap().iter().map(|a| (a["rank"].clone(), a["agency"].as_str().unwrap().to_string(), a["composite"].clone(), a["grade"].clone())).collect()
        };
        assert_eq!(cats[0]["category"], "state_corporation");
        assert_eq!(rows(0), vec![
            (Value::from(1), "NTSA".into(), Value::from("3.5333"), Value::from("Good")),
            (Value::Null, "HELB".into(), Value::Null, Value::Null),
        ]);
        assert_eq!(rows(1), vec![
            (Value::from(1), "DIS".into(), Value::from("1.9333"), Value::from("Excellent")),
            (Value::from(2), "CRS".into(), Value::from("4.0000"), Value::from("Fair")),
        ]);
        assert_eq!(league["scale"]["grades"][1]["from"], "2.41");
        let latest = app.get_json("/api/v1/performance/league", 200).await;
        assert_eq!(latest["period"]["code"], "T2026", "the period that has started");

        let score = app.get_json("/api/v1/performance/league/T2026/DIS", 200).await;
        assert_eq!(score["rank"], 1);
        assert_eq!(score["ranked"], 2);
        let steps: Vec<[&str; 5]> = score["indicators"].as_array().unwrap().iter().map(|i| [i["actual"].as_str().unwrap(), i["achievement"].as_str().unwrap(), i["raw"].as_str().unwrap(), i["weighted"].as_str().unwrap(), i["basis"].as_str().unwrap()]).collect();
        assert_eq!(steps, [["88", "110.00", "2.3333", "1.39998", "Customer care report Q1"], ["8", "125.00", "1.3333", "0.53332", "Payments register"]]);

        // The pages: a table and a chart per category, the unranked last; each score explained.
        let page = app.get("/performance/league").await;
        assert_eq!(page.status().as_u16(), 303);
        assert_eq!(page.headers()["location"], "/performance/league/T2026");
        let html = app.get("/performance/league/T2026").await.text().await.unwrap();
        assert_eq!(html.matches("<svg class=\"chart\"").count(), 2, "a chart per category");
        assert!(html.contains("<tr data-agency=\"NTSA\"><td class=\"num\">1</td>"));
        assert!(html.contains("<td class=\"num\">3.5333</td><td>Good</td>"));
        assert!(html.contains("<tr data-agency=\"HELB\"><td class=\"num\">Not ranked</td>"));
        assert!(html.contains("<td class=\"num\">No data</td><td>No data</td>"));
        assert!(html.contains("<tr data-agency=\"CRS\"><td class=\"num\">2</td>"));
        assert!(html.contains("<title>NTSA: 3.5333 (Good)</title>"));
        let html = app.get("/performance/league/T2026/DIS").await.text().await.unwrap();
        for shown in ["id=\"composite\">1.9333<", "id=\"grade\">Excellent<", "id=\"rank\">1 of 2<", ">110.00%<", ">2.3333<", ">1.39998<", ">125.00%<", ">1.3333<", ">0.53332<", "id=\"sum\">1.9333<", "Customer care report Q1"] {
            assert!(html.contains(shown), "{shown} on the score page");
        }
        let html = app.get("/performance/league/T2026/HELB").await.text().await.unwrap();
        assert!(html.contains("id=\"no-data-note\"") && html.contains("id=\"composite\">No data<"));
        assert_eq!(app.get("/performance/league/T2026/KRA").await.status().as_u16(), 404);
        assert_eq!(app.get("/performance/league/NOPE").await.status().as_u16(), 404);
        let sw = app.get_sw("/performance/league/T2026").await;
        assert!(sw.contains("Jedwali la utendaji") && sw.contains("Mashirika ya serikali"));

        // Open data: the same numbers, "no data" left empty.
        let csv = app.get("/api/v1/open-data/performance_scores.csv").await.text().await.unwrap();
        assert!(csv.starts_with("period,agency,category,composite,grade,rank\r\n"), "{csv}");
        assert!(csv.contains("T2026,DIS,state_department,1.9333,Excellent,1\r\n"), "{csv}");
        assert!(csv.contains("T2026,HELB,state_corporation,,,\r\n"), "{csv}");
        let json = app.get_json("/api/v1/open-data/performance_indicators.json?agency=DIS", 200).await;
        let rows = json["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1]["weighted"], "0.53332");
        assert_eq!(rows[1]["source"], "entered:number");
    }

    async fn computed_indicators_follow_the_platforms_data(app: TestApp) {
        let mut b = office(&app).await;
        assert_eq!(save_period(&mut b, PERIOD).await.status, 303);
        let text = "period: T2026\nagency: DIS\ncategory: state_department\nindicators:\n  - {id: sla, name: Decided within the standard, weight: 50, measure: sla_compliance, target: 90}\n  - {id: revenue, name: Revenue, weight: 50, measure: revenue, currency: KES, target: 1000.00}\n";
        assert_eq!(save_contract(&mut b, text).await.status, 303);
        let score = app.get_json("/api/v1/performance/league/T2026/DIS", 200).await;
        assert_eq!(score["composite"], Value::Null, "nothing measured yet: no data");
        assert_eq!(score["indicators"][0]["actual"], Value::Null);

        // What the follower adds for decided applications and payments on a day of the period.
        let db = app.db().await;
        sqlx::query("INSERT INTO insight_usage (day, agency, service, channel, started, submitted, completed, rejected, decided_in_sla) VALUES ('2026-08-15', 'DIS', 'DIS-PASSPORT', 'online', 10, 10, 7, 3, 8)")
            .execute(db.pool()).await.unwrap();
        sqlx::query("INSERT INTO insight_revenue (day, agency, service, channel, currency, payments, bills_paid, amount) VALUES ('2026-08-15', 'DIS', 'DIS-PASSPORT', 'mpesa', 'KES', 2, 2, 115000)")
            .execute(db.pool()).await.unwrap();
        db.close().await;
        // 8 of 10 in SLA = 80% → 88.888…% of 90 → raw 3.7407; KES 1,150.00 of 1,000.00 = 115% → 2.
        let score = app.get_json("/api/v1/performance/league/T2026/DIS", 200).await;
        let i = &score["indicators"];
        assert_eq!(i[0]["basis"], "8 of 10");
        assert_eq!(i[0]["actual"], "80");
        assert_eq!(i[0]["achievement"], "88.89");
        assert_eq!(i[0]["raw"], "3.7407");
        assert_eq!(i[0]["weighted"], "1.87035");
        assert_eq!(i[1]["actual"], "1150");
        assert_eq!(i[1]["raw"], "2.0000");
        assert_eq!(score["composite"], "2.8704");
        assert_eq!(score["grade"], "Very good");
        let html = app.get("/performance/league/T2026/DIS").await.text().await.unwrap();
        assert!(html.contains("KES 1,150.00") && html.contains("8 of 10"), "{html}");
    }

    async fn a_period_without_data_shows_no_data(app: TestApp) {
        let none = app.get("/performance/league").await.text().await.unwrap();
        assert!(none.contains("id=\"no-periods\""));
        assert_eq!(app.get("/api/v1/performance/league").await.status().as_u16(), 404);
        // The documented example's bundle, loaded as `lango demo` loads its own: its computed
        // indicators have no platform data in 2025/26, so no composite is a number.
        let doc = include_str!("../../../../docs/performance-contracting.md");
        let start = doc.find("# example: bundle").unwrap();
        let bundle = &doc[start..start + doc[start..].find("\n```").unwrap()];
        let db = app.db().await;
        let saved = lango_insights::performance::load_texts(&db, &[bundle]).await.unwrap();
        assert_eq!(saved, 1 + 7 + 6, "a period, seven contracts and six values");
        assert_eq!(lango_insights::performance::load_texts(&db, &[bundle]).await.unwrap(), 0, "loading again changes nothing");
        db.close().await;
        let league = app.get_json("/api/v1/performance/league?period=FY2025-26", 200).await;
        for cat in league["categories"].as_array().unwrap() {
            for a in cat["agencies"].as_array().unwrap() {
                assert_eq!(a["composite"], Value::Null, "{a}");
                assert_eq!(a["rank"], Value::Null, "{a}");
            }
        }
        let html = app.get("/performance/league/FY2025-26").await.text().await.unwrap();
        assert!(!html.contains("<svg"), "no chart of numbers that do not exist");
        assert_eq!(html.matches("<td class=\"num\">Not ranked</td>").count(), 7);
        let score = app.get_json("/api/v1/performance/league/FY2025-26/NTSA", 200).await;
        assert_eq!(score["indicators"][2]["raw"], "1.3333", "the entered value still scores");
        assert_eq!(score["indicators"][0]["raw"], Value::Null);
    }
}

backend_tests! {
    async fn the_demo_contracts_load_and_score_from_the_catalogue(app: TestApp) {
        let bundle = include_str!("../../demo/performance/FY2026-27.yaml");
        let db = app.db().await;
        let saved = lango_insights::performance::load_texts(&db, &[bundle]).await.unwrap();
        assert_eq!(saved, 1 + 9 + 17, "the period, nine contracts, seventeen values");
        db.close().await;
        // `share_end_to_end` is measured from the catalogue's daily digitisation snapshot,
        // which the node takes on its own within a second or two.
        app.eventually("the counties are ranked", || async {
            let l = app.get_json("/api/v1/performance/league?period=FY2026-27", 200).await;
            l["categories"].as_array().unwrap().iter().any(|c| {
                c["category"] == "county" && c["agencies"].as_array().unwrap().iter().all(|a| a["rank"].is_u64())
            })
        })
        .await;
        let score = app.get_json("/api/v1/performance/league/FY2026-27/CG-NBI", 200).await;
        let online = &score["indicators"][0];
        assert_eq!(online["source"], "measure:share_end_to_end");
        assert!(online["basis"].as_str().unwrap().contains(" of "), "{online}");
        let html = app.get("/performance/league/FY2026-27").await.text().await.unwrap();
        assert!(html.contains("<svg class=\"chart\""));
    }
}
