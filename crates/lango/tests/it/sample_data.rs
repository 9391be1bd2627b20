//! Synthetic data only where it may be: `lango seed` refuses a database that is not marked
//! as a demo or test database (so seeded applications can never reach a real deployment's
//! published figures), and the demo's synthetic history says it is sample data and fills
//! all four KPIs.

use crate::backend_tests;
use crate::support::{Backend, TestApp};
use lango_core::sample_data::{marked, Mark};

const FLAG: &str = "--i-know-this-is-a-test-database";

async fn demo_app(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, true).await
}

fn refused(out: &std::process::Output) -> String {
    let said = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("not a demo or test database") && said.contains(FLAG),
        "{said}"
    );
    said
}

backend_tests! {
    async fn seeding_refuses_a_database_that_is_not_a_demo_or_test_database(app: TestApp) {
        let db = app.db().await;
        lango::demo::load_definitions(&db).await.expect("demo definitions");
        let services = app.count("services").await;
        refused(&app.cli(&["seed", "applications", "--count", "50"]));
        refused(&app.cli(&["seed", "catalogue", "--services", "20"]));
        // The demo's own seeding and its sample costs refuse it too: the rule is the
        // domain's, not only the command's.
        assert!(lango::demo::seed_history(&db).await.is_err());
        assert!(lango_insights::kpi::sample_costs(&db, lango_core::money::Currency::Kes).await.is_err());
        assert_eq!(app.count("applications").await, 0, "nothing seeded");
        assert_eq!(app.count("insight_usage").await, 0, "nothing counted");
        assert_eq!(app.count("insight_costs").await, 0);
        assert_eq!(app.count("services").await, services, "no synthetic services");
        assert_eq!(marked(&db).await.unwrap(), None);

        // The flag marks it, for good, as a test database.
        let out = app.cli(&["seed", "applications", "--count", "50", FLAG]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(marked(&db).await.unwrap(), Some(Mark::Test));
        assert_eq!(app.count("applications").await, 50);
        let out = app.cli(&["seed", "catalogue", "--services", "20"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(app.count("services").await, services + 20);
        db.close().await;
    }
}

backend_tests! {
    spawn = demo_app;

    async fn the_demo_history_is_labelled_sample_data_and_fills_all_four_kpis(app: TestApp) {
        let db = app.db().await;
        // What `lango demo` does to its database before its history.
        lango_core::sample_data::mark(&db, Mark::Demo).await.unwrap();
        lango::demo::load_definitions(&db).await.expect("demo definitions");
        let seeded = lango::demo::seed_history(&db).await.expect("demo history");
        assert!(seeded > 0);
        // Marking a demo database as a test one leaves it a demo database.
        lango_core::sample_data::mark(&db, Mark::Test).await.unwrap();
        assert_eq!(marked(&db).await.unwrap(), Some(Mark::Demo));
        // A demo database needs no flag.
        let out = app.cli(&["seed", "applications", "--count", "10", "--seed", "9"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        db.close().await;
        assert!(app.count("survey_responses").await > 0, "sample survey answers");
        assert!(app.count("insight_costs").await > 0, "sample monthly costs");

        let national = app.get_json("/api/v1/insights?days=365", 200).await;
        let kpis = &national["kpis"];
        for share in ["user_satisfaction", "completion_rate", "digital_take_up"] {
            let d = kpis[share]["denominator"].as_i64().unwrap_or(0);
            assert!(d > 0, "{share}: {kpis}");
        }
        // The assisted channels are in the history, so take-up is below 100%.
        assert!(kpis["digital_take_up"]["numerator"].as_i64() < kpis["digital_take_up"]["denominator"].as_i64(), "{kpis}");
        assert_eq!(kpis["cost_currency"], "KES", "{kpis}");
        assert!(kpis["cost_per_transaction"].as_str().is_some_and(|c| c != "0.00"), "{kpis}");

        // Every page showing the history says it is sample data, in both languages.
        for path in ["/performance?days=365", "/performance/agencies/DIS?days=365", "/performance/services/DIS-PASSPORT?days=365", "/open-data"] {
            let res = app.get(path).await;
            assert_eq!(res.status().as_u16(), 200, "{path}");
            let html = res.text().await.unwrap();
            assert!(html.contains("applications and every figure here are sample data"), "{path}");
        }
        let html = app.get_sw("/performance?days=365").await;
        assert!(html.contains("kila takwimu iliyo hapa ni data ya mfano"), "Kiswahili");
    }
}
