//! Every listed end-to-end service usable (issue 21, parts 2 and 3), over real HTTP on both
//! backends: the standard application made from a catalogue entry answers for every demo
//! service without a definition of its own, a sample is applied for, paid, worked and
//! issued like any service, the agency downloads it, changes it and uploads it as its own;
//! a service on the agency's own system (`apply_url`, from a clerk's spreadsheet) sends
//! people there instead.

use crate::backend_tests;
use crate::cases_journey::{config_of, demo_definitions, PASSWORD};
use crate::seed_systems::{demo_app, journey, page, pdf, Answers, Service};
use crate::services_admin::{signed_in_admin, upload_to};
use crate::support::TestApp;
use lango_cases::Cases;
use lango_catalogue::model::Service as Entry;
use lango_identity::model::Role;

/// The demo catalogue as shipped.
fn demo_catalogue() -> Vec<Entry> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/services.csv");
    let parsed = lango_catalogue::csv::read_services(std::fs::File::open(path).unwrap()).unwrap();
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    parsed.rows.into_iter().map(|(_, s)| s).collect()
}

fn demo_entry(code: &str) -> Entry {
    demo_catalogue()
        .into_iter()
        .find(|s| s.code.as_str() == code)
        .unwrap_or_else(|| panic!("{code} in the demo catalogue"))
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// The journey through the standard application of a demo entry: the person's details,
/// the first fee when there are several, a PDF for each listed document, the request.
fn standard_journey(e: &Entry, id_number: &'static str) -> Service {
    let mut pages: Vec<Answers> = vec![page(
        "about-you",
        &[
            ("full_name", "Wanjiru Kamau"),
            ("national_id", id_number),
            ("phone", "0712 345 678"),
        ],
        vec![],
    )];
    if e.fees.len() > 1 {
        pages.push(page("fee", &[("fee", "fee_1")], vec![]));
    }
    for i in 1..=e.documents.len() {
        let field = leak(format!("document_{i}"));
        pages.push((leak(format!("document-{i}")), vec![], vec![pdf(field)]));
    }
    pages.push(page(
        "your-request",
        &[(
            "details",
            "Please publish the notice in the next issue of the Gazette.",
        )],
        vec![],
    ));
    Service {
        code: leak(e.code.to_string()),
        agency: leak(e.agency_code.to_string()),
        id_number,
        pages,
        fee: e
            .fees
            .first()
            .map(|f| (leak(f.amount.to_decimal()), "Submitted, waiting for review")),
        steps: &[("start_review", Role::Officer), ("approve", Role::Officer)],
        end: ("approved", "Approved"),
        document: "Approval letter",
    }
}

fn shipped_definitions() -> Vec<String> {
    std::fs::read_dir(demo_definitions())
        .unwrap()
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .to_str()?
                .strip_suffix(".yaml")
                .map(String::from)
        })
        .collect()
}

backend_tests! {
    spawn = demo_app;

    async fn every_active_end_to_end_service_has_a_definition_and_a_sample_is_applied_for(app: TestApp) {
        // DESIGN's "Usable services": every active end-to-end entry answers its definition.
        let own = shipped_definitions();
        let mut standard = 0i64;
        for e in demo_catalogue() {
            let live = e.is_online();
            let code = e.code.as_str();
            let res = app.get(&format!("/api/v1/services/{code}/definition")).await;
            if !live {
                if !own.iter().any(|o| o == code) {
                    assert_eq!(res.status().as_u16(), 404, "{code} is not applied for online");
                }
                continue;
            }
            assert_eq!(res.status().as_u16(), 200, "{code} answers its definition");
            let body: serde_json::Value = res.json().await.unwrap();
            let is_own = own.iter().any(|o| o == code);
            assert_eq!(body["standard"], !is_own, "{code}");
            assert_eq!(body["service"], code);
            if !is_own {
                standard += 1;
                assert_eq!(body["version"], 1, "{code}: stored once");
                assert!(body["yaml"].as_str().unwrap().contains("id: approval"));
            }
        }
        assert!(standard >= 200, "most demo services run the standard application: {standard}");
        // Asked again: the same version, nothing stored twice.
        let again = app.get_json("/api/v1/services/MOI-GAZETTE-NOTICE/definition", 200).await;
        assert_eq!(again["version"], 1);
        let versions = app
            .scalar("SELECT COUNT(*) FROM service_definitions WHERE uploaded_by = $1", "standard")
            .await;
        assert_eq!(versions, standard);

        // A sample, whole: two fees (chosen), three documents (one only if married); one fee
        // and no documents; free.
        let db = app.db().await;
        let cases = Cases::open(db.clone(), lango::cases_settings(&config_of(&app)).unwrap()).await.unwrap();
        for (n, (code, id)) in [
            ("MOI-GAZETTE-NOTICE", "32000001"),
            ("MOI-GAZETTE-COPY", "32000002"),
            ("NPS-COMPLAINT", "32000003"),
        ]
        .into_iter()
        .enumerate()
        {
            let s = standard_journey(&demo_entry(code), id);
            journey(&app, &cases, &s, 100 + n).await;
        }
        db.close().await;

        // The officer sees the application was made on the standard form.
        let officer = "officer@moi.example";
        app.staff(officer, PASSWORD, Role::Officer, Some("MOI")).await;
        let mut b = crate::browser_kit::Browser::new(&app);
        b.sign_in(officer, PASSWORD).await;
        let db = app.db().await;
        let reference: String = sqlx::query_scalar("SELECT reference FROM applications WHERE service = $1")
            .bind("MOI-GAZETTE-COPY")
            .fetch_one(db.pool())
            .await
            .unwrap();
        db.close().await;
        let page = b.get(&format!("/work/MOI/applications/{reference}")).await;
        assert_eq!(page.status, 200);
        assert!(page.html.contains("id=\"standard-tag\""), "marked as standard in the workbench");

    }

    async fn the_agency_downloads_the_standard_application_and_uploads_its_own(app: TestApp) {
        const PAGE: &str = "/admin/agencies/MOI/services/MOI-GAZETTE-COPY/definition";
        let mut admin = signed_in_admin(&app, "admin@moi.example", "MOI").await;
        let row = |html: &str| {
            let from = html.split("href=\"/services/MOI-GAZETTE-COPY\"").nth(1).unwrap_or_default();
            from.split("</tr>").next().unwrap_or_default().to_string()
        };
        let list = admin.get("/admin/agencies/MOI/services").await;
        assert!(row(&list.html).contains("<td>Standard application</td>"), "the agency's list tells: {}", row(&list.html));
        let page = admin.get(PAGE).await;
        assert_eq!(page.status, 200, "{}", page.html);
        assert!(page.html.contains("id=\"standard-notice\""), "marked as standard");
        assert!(page.html.contains("Lango (the standard application)"), "who made it");
        let mut other = signed_in_admin(&app, "admin@ntsa.example", "NTSA").await;
        assert_eq!(other.get(&format!("{PAGE}.yaml")).await.status, 403, "another agency's");

        let file = app
            .client
            .get(format!("{}{PAGE}.yaml", app.base))
            .header("cookie", crate::cases_journey::cookie_string(&admin))
            .send()
            .await
            .unwrap();
        assert_eq!(file.status().as_u16(), 200);
        assert!(file.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("MOI-GAZETTE-COPY.yaml"));
        let yaml = file.text().await.unwrap();
        assert!(yaml.starts_with("# The standard application"), "{yaml}");
        assert!(lango_cases::Definition::parse(&yaml).is_ok());

        // Changed and uploaded: the agency's own from now on.
        let changed = yaml.replacen("\"Apply: ", "\"Order now: ", 1);
        assert_ne!(changed, yaml);
        let live = upload_to(&app, &mut admin, PAGE, &changed).await;
        assert_eq!((live.status, live.location.as_str()), (303, format!("{PAGE}?live=2").as_str()), "{}", live.html);
        let shown = admin.get(PAGE).await;
        assert!(!shown.html.contains("id=\"standard-notice\""), "no longer standard");
        let list = admin.get("/admin/agencies/MOI/services").await;
        assert!(row(&list.html).contains("<td>Your own</td>"), "{}", row(&list.html));
        let api = app.get_json("/api/v1/services/MOI-GAZETTE-COPY/definition", 200).await;
        assert_eq!((api["version"].as_i64(), api["standard"].as_bool()), (Some(2), Some(false)));
        let start = app.get("/services/MOI-GAZETTE-COPY/apply").await.text().await.unwrap();
        assert!(start.contains("Order now: "), "the start page follows the upload");

        // The catalogue entry changing later leaves the agency's own alone.
        let mut entry = demo_entry("MOI-GAZETTE-COPY");
        entry.fees[0].amount = lango_core::money::Money::from_minor(8_000, entry.fees[0].amount.currency());
        import(&app, &[entry], "").await;
        app.eventually("the new fee is served", || async {
            app.get_json("/api/v1/services/MOI-GAZETTE-COPY", 200).await["fees"][0]["amount"] == "80.00"
        })
        .await;
        let api = app.get_json("/api/v1/services/MOI-GAZETTE-COPY/definition", 200).await;
        assert_eq!(api["version"], 2, "the agency's own stays");
    }

    async fn the_standard_application_follows_its_catalogue_entry(app: TestApp) {
        let first = app.get_json("/api/v1/services/MOI-GAZETTE-COPY/definition", 200).await;
        assert_eq!(first["version"], 1);
        assert!(first["yaml"].as_str().unwrap().contains("amount: \"60.00\""));
        let mut entry = demo_entry("MOI-GAZETTE-COPY");
        entry.fees[0].amount = lango_core::money::Money::from_minor(8_000, entry.fees[0].amount.currency());
        import(&app, &[entry], "").await;
        app.eventually("a new standard version with the new fee", || async {
            let d = app.get_json("/api/v1/services/MOI-GAZETTE-COPY/definition", 200).await;
            d["version"] == 2 && d["yaml"].as_str().unwrap().contains("amount: \"80.00\"")
        })
        .await;
    }

    async fn a_service_on_its_agencys_own_system_is_started_there(app: TestApp) {
        // A clerk's spreadsheet: one service moved to the agency's system, one with a bad address.
        let mut moved = demo_entry("NPS-COMPLAINT");
        moved.apply_url = Some("https://complaints.police.example/start?from=lango".into());
        let out = import(&app, &[moved], "NPS-COMPLAINT-2").await;
        assert!(out.contains("line 3 (NPS-COMPLAINT-2)") && out.contains("apply_url"), "{out}");
        assert_eq!(app.get("/api/v1/services/NPS-COMPLAINT-2").await.status().as_u16(), 404, "refused row");

        app.eventually("the address is served", || async {
            app.get_json("/api/v1/services/NPS-COMPLAINT", 200).await["apply_url"]
                == "https://complaints.police.example/start?from=lango"
        })
        .await;
        let none = app.get("/api/v1/services/NPS-COMPLAINT/definition").await;
        assert_eq!(none.status().as_u16(), 404, "applied for on the agency's system, not here");
        let plain = app.get_json("/api/v1/services/MOI-GAZETTE-COPY", 200).await;
        assert!(plain.get("apply_url").is_none(), "absent for a service on Lango");

        let service_page = app.get("/services/NPS-COMPLAINT").await.text().await.unwrap();
        assert!(service_page.contains("href=\"/services/NPS-COMPLAINT/apply\""));
        let start = app.get("/services/NPS-COMPLAINT/apply").await.text().await.unwrap();
        assert!(
            start.contains("class=\"button start\" href=\"https://complaints.police.example/start?from=lango\""),
            "{start}"
        );
        assert!(start.contains("Sign in there with your Lango account"));
        let sw = app.get_sw("/services/NPS-COMPLAINT/apply").await;
        assert!(sw.contains("Anza sasa"), "in Kiswahili too");
    }
}

/// Imports `entries` with `lango import services` as a clerk's file (the export's columns),
/// plus a row `bad_code` (a copy of the first) whose `apply_url` is plain http; returns the
/// command's report.
async fn import(app: &TestApp, entries: &[Entry], bad_code: &str) -> String {
    let mut file = Vec::new();
    lango_catalogue::csv::write_services(&mut file, entries).unwrap();
    let mut text = String::from_utf8(file).unwrap();
    if !bad_code.is_empty() {
        let first = text.lines().nth(1).unwrap().to_string();
        let code = entries[0].code.as_str();
        let row = first.replacen(code, bad_code, 1);
        let row = match row.strip_suffix("https://complaints.police.example/start?from=lango") {
            Some(head) => format!("{head}http://complaints.police.example/start"),
            None => format!("{row}http://complaints.police.example/start"),
        };
        text.push_str(&row);
        text.push('\n');
    }
    let path = app.data_dir.path().join("services-import.csv");
    std::fs::write(&path, text).unwrap();
    let out = app.cli(&["import", "services", &path.display().to_string()]);
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
