//! The seed feeding the aggregates, search gaps and digitisation progress.

use super::around_now;
use super::scenario::rooms;
use crate::support::TestApp;
use lango_cases::definition::model::{FieldType, Outcome};
use lango_insights::kpi::{Figure, Measure};
use lango_insights::open_data::{Cell, Filter};
use lango_insights::search_gaps::Gap;
use lango_insights::{day_of, month_of, Scope};
use sqlx::Row;
use std::collections::{BTreeMap, HashMap};

/// (end to end, all) active services of the catalogue, of `agency` or all.
pub async fn catalogue_stages(app: &TestApp, agency: Option<&str>) -> (i64, i64) {
    let db = app.db().await;
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT agency_code, stage FROM services WHERE status = 'active'")
            .fetch_all(db.pool())
            .await
            .unwrap();
    db.close().await;
    let mine = rows.iter().filter(|(a, _)| agency.is_none_or(|x| x == a));
    let all = mine.clone().count() as i64;
    (mine.filter(|(_, s)| s == "end_to_end").count() as i64, all)
}

type UsageKey = (String, String, String, String);

/// What the aggregates must hold for the applications in the database, computed from the
/// rows themselves (their times, states and answers, the definitions and the catalogue).
async fn expected_from_applications(
    app: &TestApp,
    cases: &lango_cases::Cases,
) -> (BTreeMap<UsageKey, [i64; 5]>, BTreeMap<UsageKey, [i64; 3]>) {
    let db = app.db().await;
    let slas: HashMap<String, Option<i64>> = sqlx::query_as("SELECT code, sla_days FROM services")
        .fetch_all(db.pool())
        .await
        .unwrap()
        .into_iter()
        .collect();
    let rows = sqlx::query(
        "SELECT service, agency, channel, state, answers, created_at, submitted_at, state_since FROM applications",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    db.close().await;
    let mut usage: BTreeMap<UsageKey, [i64; 5]> = BTreeMap::new();
    let mut county: BTreeMap<UsageKey, [i64; 3]> = BTreeMap::new();
    for row in rows {
        let service: String = row.get("service");
        let agency: String = row.get("agency");
        let channel: String = row.get("channel");
        let state: String = row.get("state");
        let answers: serde_json::Value =
            serde_json::from_str(&row.get::<String, _>("answers")).unwrap();
        let created: i64 = row.get("created_at");
        let submitted: i64 = row.get::<Option<i64>, _>("submitted_at").unwrap();
        let since: i64 = row.get("state_since");
        let definition = cases
            .definition(&service, None)
            .await
            .unwrap()
            .unwrap()
            .definition
            .clone();
        let said = definition
            .file()
            .pages
            .iter()
            .flat_map(|p| &p.fields)
            .find(|f| f.kind == FieldType::County)
            .and_then(|f| answers.get(&f.id))
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();
        let key = |at: i64| (day_of(at), agency.clone(), service.clone(), channel.clone());
        let month = |at: i64| (month_of(at), agency.clone(), service.clone(), said.clone());
        usage.entry(key(created)).or_default()[0] += 1;
        usage.entry(key(submitted)).or_default()[1] += 1;
        county.entry(month(submitted)).or_default()[0] += 1;
        let (slot, county_slot) = match definition.state(&state).and_then(|s| s.outcome) {
            Some(Outcome::Completed) => (2, 1),
            Some(Outcome::Rejected) => (3, 2),
            _ => continue,
        };
        let in_sla = match slas.get(&service).copied().flatten() {
            Some(days) => since <= lango_cases::sla::due_at(submitted, days as u32),
            None => true,
        };
        let row = usage.entry(key(since)).or_default();
        row[slot] += 1;
        row[4] += i64::from(in_sla);
        county.entry(month(since)).or_default()[county_slot] += 1;
    }
    (usage, county)
}

async fn aggregates(app: &TestApp) -> (BTreeMap<UsageKey, [i64; 5]>, BTreeMap<UsageKey, [i64; 3]>) {
    let db = app.db().await;
    let usage = sqlx::query_as::<_, (String, String, String, String, i64, i64, i64, i64, i64)>(
        "SELECT day, agency, service, channel, started, submitted, completed, rejected, decided_in_sla FROM insight_usage",
    )
    .fetch_all(db.pool())
    .await
    .unwrap()
    .into_iter()
    .map(|(d, a, s, c, n1, n2, n3, n4, n5)| ((d, a, s, c), [n1, n2, n3, n4, n5]))
    .collect();
    let county = sqlx::query_as::<_, (String, String, String, String, i64, i64, i64)>(
        "SELECT month, agency, service, county, submitted, completed, rejected FROM insight_usage_county",
    )
    .fetch_all(db.pool())
    .await
    .unwrap()
    .into_iter()
    .map(|(m, a, s, c, n1, n2, n3)| ((m, a, s, c), [n1, n2, n3]))
    .collect();
    db.close().await;
    (usage, county)
}

fn seed(app: &TestApp, count: &str, seed: &str) -> String {
    let out = app.cli(&[
        "seed",
        "applications",
        "--count",
        count,
        "--seed",
        seed,
        "--i-know-this-is-a-test-database",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "seed failed: {stderr}");
    stderr
}

crate::backend_tests! {
    async fn insights_usage_seed_feeds_the_aggregates(app: TestApp) {
        let (cases, insights) = rooms(&app).await;
        let said = seed(&app, "3000", "7");
        assert!(said.contains("3000 applications written"), "{said}");
        let (usage, county) = aggregates(&app).await;
        let (want_usage, want_county) = expected_from_applications(&app, &cases).await;
        assert_eq!(usage, want_usage);
        assert_eq!(county, want_county);
        assert!(county.keys().any(|k| !k.3.is_empty()), "some counties answered");
        assert!(usage.keys().any(|k| k.3 == "centre"), "assisted channel seeded");
        let total: i64 = usage.values().map(|n| n[1]).sum();
        assert_eq!(total, 3000);
        // The same seed again draws the same references: nothing is written or counted twice.
        let said = seed(&app, "3000", "7");
        assert!(said.contains("0 applications written"), "{said}");
        assert_eq!(aggregates(&app).await.0, usage);
        // Another seed adds exactly its own.
        seed(&app, "500", "8");
        let (usage, county) = aggregates(&app).await;
        let (want_usage, want_county) = expected_from_applications(&app, &cases).await;
        assert_eq!(usage, want_usage);
        assert_eq!(county, want_county);
        // Seeded history is what the dashboards read, including digital take-up (the
        // centre's assisted applications are not digital).
        let first = usage.keys().map(|k| k.0.clone()).min().unwrap();
        let last = usage.keys().map(|k| k.0.clone()).max().unwrap();
        let totals = insights.totals(&Scope::National, &first, &last).await.unwrap();
        assert_eq!(totals.submitted, 3500);
        let digital: i64 = usage.iter().filter(|(k, _)| k.3 != "centre").map(|(_, n)| n[2]).sum();
        let measured = insights.measure(&Measure::DigitalTakeUp, &Scope::National, &first, &last, "KES").await.unwrap();
        assert_eq!(measured, Some(Figure::Ratio { numerator: digital, denominator: totals.completed }));
    }

    async fn insights_usage_search_gaps(app: TestApp) {
        let (_, insights) = rooms(&app).await;
        for path in [
            "/services?q=Qwxz%20%20Vlorp",
            "/services?q=qwxz+vlorp",
            "/api/v1/services?q=QWXZ%20vlorp",
            "/services?q=blorfq",
            "/api/v1/services?q=blorfq",
            "/services?q=passport",
            "/services?q=cheti+1234567890",
            "/api/v1/services?q=254712345678",
        ] {
            assert_eq!(app.get(path).await.status().as_u16(), 200, "{path}");
        }
        let (from, to, _, _) = around_now();
        // The node writes what it counted every second.
        app.eventually("the searches are written", || {
            let insights = insights.clone();
            let (from, to) = (from.clone(), to.clone());
            async move { !insights.search_gaps(&from, &to, 10).await.unwrap().is_empty() }
        })
        .await;
        let gaps = insights.search_gaps(&from, &to, 10).await.unwrap();
        assert_eq!(gaps, [Gap { query: "qwxz vlorp".into(), searches: 3, results: 0 }], "searched twice: not published");
        for kept_out in ["%1234%", "%2547%", "passport"] {
            assert_eq!(
                app.scalar("SELECT COUNT(*) FROM insight_search_gaps WHERE query LIKE $1", kept_out).await,
                0,
                "{kept_out}"
            );
        }
        // A third search of the other one publishes it too; a result count is the most seen.
        insights.record_search("  BLORFQ ", 1);
        insights.flush_search_gaps().await.unwrap();
        let gaps = insights.search_gaps(&from, &to, 10).await.unwrap();
        assert!(gaps.contains(&Gap { query: "blorfq".into(), searches: 3, results: 1 }), "{gaps:?}");
        assert_eq!(insights.search_gaps(&from, &to, 1).await.unwrap().len(), 1, "limit");
        let table = insights.open_data("search_gaps", &Filter::default()).await.unwrap();
        let queries: Vec<&Cell> = table.rows.iter().map(|r| &r[1]).collect();
        assert!(queries.contains(&&Cell::Text("blorfq".into())) && queries.len() == 2, "{queries:?}");
    }

    async fn insights_usage_digitisation_against_the_target(app: TestApp) {
        let (_, insights) = rooms(&app).await;
        insights.snapshot_digitisation().await.unwrap();
        let (e2e, total) = catalogue_stages(&app, None).await;
        let national = insights.digitisation(&Scope::National).await.unwrap();
        assert_eq!((national.latest.end_to_end, national.latest.total()), (e2e, total));
        let today = day_of(lango_core::clock::now_ms());
        let (last_day, last) = national.history.last().cloned().expect("today's snapshot");
        assert!(last_day == today || last_day == around_now().1 || last_day == around_now().0, "{last_day}");
        assert_eq!(last, national.latest);
        assert_eq!(national.target.percent, 80);
        assert_eq!(national.target_services, (total * 80 + 99) / 100);
        assert_eq!(national.still_needed, (national.target_services - e2e).max(0));
        assert_eq!(national.to_move_total, total - e2e);
        assert_eq!(national.to_move.len() as i64, national.to_move_total.min(1000));
        assert!(national.to_move.iter().all(|s| s.stage != "end_to_end"));
        assert!(national.days_left > 0);
        let by_agency = insights.digitisation_by_agency().await.unwrap();
        assert_eq!(by_agency.iter().map(|(_, c)| c.total()).sum::<i64>(), total);
        assert!(matches!(
            insights.digitisation(&Scope::Service("DIS-PASSPORT".into())).await,
            Err(lango_core::Error::Invalid { .. })
        ));

        // A service moves end to end: the catalogue shows it at once, the day's snapshot
        // at its next refresh.
        let dci = Scope::Agency("DCI".into());
        let before = insights.digitisation(&dci).await.unwrap();
        assert!(before.to_move.iter().any(|s| s.code == "DCI-MV-CLEARANCE"));
        let db = app.db().await;
        sqlx::query("UPDATE services SET stage = 'end_to_end' WHERE code = 'DCI-MV-CLEARANCE'")
            .execute(db.pool())
            .await
            .unwrap();
        insights.snapshot_digitisation().await.unwrap();
        let after = insights.digitisation(&dci).await.unwrap();
        assert_eq!(after.latest.end_to_end, before.latest.end_to_end + 1);
        assert_eq!(after.history.last().unwrap().1, before.latest, "refreshed every few minutes, not every call");
        assert!(!after.to_move.iter().any(|s| s.code == "DCI-MV-CLEARANCE"));
        sqlx::query("UPDATE insight_digitisation SET taken_at = 0").execute(db.pool()).await.unwrap();
        insights.snapshot_digitisation().await.unwrap();
        let refreshed = insights.digitisation(&dci).await.unwrap();
        assert_eq!(refreshed.history.last().unwrap().1, refreshed.latest);
        // History over time, and the share end to end as of a past day.
        sqlx::query(
            "INSERT INTO insight_digitisation (day, agency, information, downloadable, partial, end_to_end, taken_at) \
             VALUES ('2020-01-15', 'DCI', 1, 1, 1, 1, 0)",
        )
        .execute(db.pool())
        .await
        .unwrap();
        db.close().await;
        let history = insights.digitisation(&dci).await.unwrap().history;
        assert_eq!(history.first().unwrap().0, "2020-01-15");
        let share = |from: &'static str, to: &'static str| {
            let insights = insights.clone();
            let dci = dci.clone();
            async move { insights.measure(&Measure::ShareEndToEnd, &dci, from, to, "KES").await.unwrap() }
        };
        assert_eq!(share("2020-01-01", "2020-12-31").await, Some(Figure::Ratio { numerator: 1, denominator: 4 }));
        assert_eq!(share("2019-01-01", "2019-12-31").await, None, "before the first count: no data");
        let table = insights.open_data("digitisation", &Filter { agency: Some("DCI".into()), ..Filter::default() }).await.unwrap();
        assert_eq!(table.rows[0][6], Cell::Decimal("25.0".into()));
        assert_eq!(table.rows.len(), 2);
    }
}
