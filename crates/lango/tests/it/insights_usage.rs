//! Usage aggregates, the four KPIs, digitisation progress and search gaps, on both backends.
//!
//! Real applications go through the real engine (start, submit, pay by M-Pesa, approve and
//! issue, reject); the follower adds their events to the aggregates and the readers must
//! give exactly what happened: per day, service, channel and county, money received, the
//! KPIs (and "no data" where there is nothing to divide by), each event counted once
//! however many followers run.

mod scenario;
mod seed_gaps;

use crate::support::TestApp;
use lango_core::money::{Currency, Money};
use lango_core::Error;
use lango_insights::kpi::{Figure, Kpis, Measure};
use lango_insights::open_data::{Cell, Filter};
use lango_insights::usage::{Counts, Revenue};
use lango_insights::{day_of, month_of, Insights, Scope};
use scenario::{follow_all, rooms, SERVICE};
use std::collections::BTreeMap;

const DAY_MS: i64 = 86_400_000;

/// The range of days and months around now that every scenario falls in.
fn around_now() -> (String, String, String, String) {
    let now = lango_core::clock::now_ms();
    (
        day_of(now - DAY_MS),
        day_of(now + DAY_MS),
        month_of(now - DAY_MS),
        month_of(now + DAY_MS),
    )
}

fn kes(minor: i64) -> Money {
    Money::from_minor(minor, Currency::Kes)
}

/// Sums of the aggregates against the events they came from.
async fn assert_each_event_counted_once(app: &TestApp) {
    let count = |kind: &'static str| async move {
        app.scalar("SELECT COUNT(*) FROM events WHERE type = $1", kind)
            .await
    };
    let sum = |column: &'static str| async move {
        app.scalar(
            &format!("SELECT CAST(COALESCE(SUM({column}), 0) AS BIGINT) FROM insight_usage WHERE day <> $1"),
            "",
        )
        .await
    };
    assert_eq!(sum("started").await, count("application.started").await);
    assert_eq!(sum("submitted").await, count("application.received").await);
    assert_eq!(sum("completed").await, count("application.completed").await);
    assert_eq!(sum("rejected").await, count("application.rejected").await);
    let payments = app
        .scalar("SELECT CAST(COALESCE(SUM(payments), 0) AS BIGINT) FROM insight_revenue WHERE day <> $1", "")
        .await;
    assert_eq!(payments, count("payment.received").await);
}

crate::backend_tests! {
    spawn = TestApp::spawn_mpesa;

    async fn insights_usage_counts_a_service_its_payment_completes(app: TestApp) {
        let (cases, insights) = rooms(&app).await;
        let instant = scenario::instant_definition();
        lango_cases::registry::load_texts(cases.db(), &[("instant.yaml".into(), instant)])
            .await
            .expect("load");
        let id = app.person("16180339", "instant@example.ke", scenario::PASSWORD).await;
        let citizen = scenario::actor(&app, &id).await;
        let draft = cases
            .start(&citizen, SERVICE, None, &lango_cases::definition::Profile::default())
            .await
            .unwrap();
        cases.answer(&citizen, &draft.reference, "about", &scenario::answers()).await.unwrap().unwrap();
        let sent = cases.submit(&citizen, &draft.reference).await.unwrap().unwrap();
        let bill = sent.bill_reference.clone().expect("a bill");
        crate::support::c2b_confirmation(&app.client, &app.base, "SKU1INSTANT", "1100.00", &bill, "20261122101500").await;
        let db = app.db().await;
        app.eventually("paying completes it", || {
            let (cases, db, reference) = (cases.clone(), db.clone(), sent.reference.clone());
            async move {
                cases.advance_paid().await.unwrap();
                let n: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM events WHERE type = 'application.completed' AND order_key = $1",
                )
                .bind(reference)
                .fetch_one(db.pool())
                .await
                .unwrap();
                n == 1
            }
        })
        .await;
        db.close().await;
        follow_all(&insights).await;
        let (from, to, _, _) = around_now();
        let totals = insights.totals(&Scope::Service(SERVICE.into()), &from, &to).await.unwrap();
        assert_eq!((totals.started, totals.submitted, totals.completed, totals.rejected), (1, 1, 1, 0));
        let county = insights.by_county(&Scope::Service(SERVICE.into()), &month_of(lango_core::clock::now_ms()), &month_of(lango_core::clock::now_ms())).await.unwrap();
        assert_eq!(county.iter().map(|(c, n)| (c.as_str(), n.completed)).collect::<Vec<_>>(), [("Kisumu", 1)]);
    }

    async fn insights_usage_counts_every_application_once(app: TestApp) {
        let (cases, insights) = rooms(&app).await;
        let s = scenario::run(&app, &cases).await;
        // Two more followers over pools of their own (two more nodes), at once, besides
        // the node's own: each event is counted once.
        let (_, other) = rooms(&app).await;
        tokio::join!(follow_all(&insights), follow_all(&other));
        assert_each_event_counted_once(&app).await;
        let (from, to, from_month, to_month) = around_now();
        let all = Counts { started: 4, submitted: 3, completed: 1, rejected: 1, decided_in_sla: 2 };
        assert_eq!(insights.totals(&Scope::National, &from, &to).await.unwrap(), all);
        assert_eq!(insights.totals(&Scope::Agency("DCI".into()), &from, &to).await.unwrap(), all);
        assert_eq!(insights.totals(&Scope::Service(SERVICE.into()), &from, &to).await.unwrap(), all);
        assert_eq!(insights.totals(&Scope::Agency("DIS".into()), &from, &to).await.unwrap(), Counts::default());
        assert_eq!(insights.by_channel(&Scope::National, &from, &to).await.unwrap(), [("online".to_string(), all)]);
        assert_eq!(insights.by_agency(&from, &to).await.unwrap(), [("DCI".to_string(), all)]);
        assert_eq!(insights.by_service(&Scope::Agency("DCI".into()), &from, &to).await.unwrap(), [(SERVICE.to_string(), all)]);
        // Per day, from the applications' own times, with every day of the range present.
        let mut expected: BTreeMap<String, Counts> = BTreeMap::new();
        for d in &s.drafts {
            expected.entry(day_of(d.created_at)).or_default().started += 1;
        }
        for a in &s.submitted {
            expected.entry(day_of(a.submitted_at.unwrap())).or_default().submitted += 1;
        }
        let done = expected.entry(day_of(s.completed.state_since)).or_default();
        done.completed += 1;
        done.decided_in_sla += 1;
        let no = expected.entry(day_of(s.rejected.state_since)).or_default();
        no.rejected += 1;
        no.decided_in_sla += 1;
        let trend = insights.trend(&Scope::National, &from, &to).await.unwrap();
        assert_eq!(trend.len(), 3, "every day of the range");
        for (day, counts) in &trend {
            assert_eq!(counts, &expected.get(day).copied().unwrap_or_default(), "{day}");
        }
        // Counties are what the applicants answered, by month.
        let county = insights.by_county(&Scope::National, &from_month, &to_month).await.unwrap();
        assert_eq!(
            county,
            [("Kisumu".to_string(), Counts { submitted: 3, completed: 1, rejected: 1, ..Counts::default() })]
        );
        // Money: four payments, three bills paid (one in two parts), KSh 3,300.00 gross.
        let revenue = insights.revenue(&Scope::Agency("DCI".into()), &from, &to).await.unwrap();
        assert_eq!(
            revenue,
            [Revenue { currency: "KES".into(), payments: 4, bills_paid: 3, amount: kes(330_000) }]
        );
        let daily = insights.revenue_trend(&Scope::Service(SERVICE.into()), &from, &to, "KES").await.unwrap();
        assert_eq!(daily.len(), 3);
        assert_eq!(daily.iter().map(|(_, m)| m).sum::<i64>(), 330_000);
        assert!(insights.revenue_trend(&Scope::National, &from, &to, "USD").await.unwrap().iter().all(|(_, m)| *m == 0));
        // Counted again from the start by three followers at once (the node's and two
        // more): still each event once.
        let mut tx = insights.db().pool().begin().await.unwrap();
        sqlx::query("UPDATE event_cursors SET seq = 0 WHERE name = 'insights'")
            .execute(&mut *tx)
            .await
            .unwrap();
        for table in ["insight_usage", "insight_usage_county", "insight_revenue"] {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        tokio::join!(follow_all(&insights), follow_all(&other));
        assert_each_event_counted_once(&app).await;
        assert_eq!(
            insights.totals(&Scope::National, &from, &to).await.unwrap(),
            all
        );
        // Following again adds nothing.
        assert_eq!(insights.follow_once().await.unwrap(), 0);
        assert_eq!(other.follow_once().await.unwrap(), 0);
        assert_eq!(insights.totals(&Scope::National, &from, &to).await.unwrap(), all);
        // The events carry what usage counts by.
        let data: String = sqlx::query_scalar("SELECT data FROM events WHERE type = 'application.rejected'")
            .fetch_one(insights.db().pool())
            .await
            .unwrap();
        let data: serde_json::Value = serde_json::from_str(&data).unwrap();
        assert_eq!(data["channel"], "online");
        assert_eq!(data["county"], "Kisumu");
        assert_eq!(data["submitted_at"], s.rejected.submitted_at.unwrap());
        // Bad ranges are refused with the field named.
        for (a, b) in [("2026-11-31", "2026-12-01"), ("2026-12-02", "2026-12-01"), ("yesterday", "2026-12-01")] {
            let e = insights.totals(&Scope::National, a, b).await.unwrap_err();
            assert!(matches!(e, Error::Invalid { ref field, .. } if field == "from" || field == "to"), "{e:?}");
        }
        // The open data carries the same figures.
        let filter = Filter { agency: Some("DCI".into()), ..Filter::default() };
        let usage = insights.open_data("usage", &filter).await.unwrap();
        let submitted: i64 = usage.rows.iter().map(|r| match r[5] { Cell::Int(n) => n, _ => panic!("{r:?}") }).sum();
        assert_eq!(submitted, 3);
        let money = insights.open_data("revenue", &filter).await.unwrap();
        let amounts: Vec<&Cell> = money.rows.iter().map(|r| &r[7]).collect();
        assert!(amounts.iter().all(|c| matches!(c, Cell::Decimal(_))), "{amounts:?}");
        if money.rows.len() == 1 {
            assert_eq!(money.rows[0][7], Cell::Decimal("3300.00".into()));
            assert_eq!(money.rows[0][2], Cell::Text(SERVICE.into()));
        }
        let by_county = insights.open_data("usage_by_county", &Filter::default()).await.unwrap();
        assert!(by_county.rows.iter().all(|r| r[3] == Cell::Text("Kisumu".into())));
    }

    async fn insights_usage_kpis_costs_and_measures(app: TestApp) {
        let (cases, insights) = rooms(&app).await;
        let s = scenario::run(&app, &cases).await;
        follow_all(&insights).await;
        let (from, to, from_month, to_month) = around_now();
        let service = Scope::Service(SERVICE.into());
        let dci = Scope::Agency("DCI".into());
        // Before any cost or survey: those two KPIs are "no data", never zero.
        let k = insights.kpis(&service, &from_month, &to_month).await.unwrap();
        assert_eq!(k.completion_rate, Some((1, 4)));
        assert_eq!(k.digital_take_up, Some((1, 1)));
        assert_eq!(k.satisfaction, None);
        assert_eq!((k.cost, k.cost_per_transaction), (None, None));
        assert_eq!((k.started, k.completed, k.digital_completed), (4, 1, 1));
        // Nothing at all: every KPI is no data.
        assert_eq!(insights.kpis(&Scope::Agency("KRA".into()), &from_month, &to_month).await.unwrap(), Kpis::default());

        // Costs: only the agency's administrators enter them, for their own services.
        let month = month_of(s.completed.state_since);
        let e = insights.set_cost(&s.officer, "DCI", Some(SERVICE), &month, kes(150_000), "").await.unwrap_err();
        assert!(matches!(e, Error::Forbidden(_)), "{e:?}");
        let other = app.staff("usage-admin@dis.example", scenario::PASSWORD, lango_identity::model::Role::AgencyAdmin, Some("DIS")).await;
        let other = scenario::actor(&app, &other).await;
        let e = insights.set_cost(&other, "DCI", Some(SERVICE), &month, kes(150_000), "").await.unwrap_err();
        assert!(matches!(e, Error::Forbidden(_)), "{e:?}");
        for (service, month, amount, field) in [
            (Some(SERVICE), "2026-13", kes(150_000), "month"),
            (Some(SERVICE), month.as_str(), kes(0), "amount"),
            (Some("DIS-PASSPORT"), month.as_str(), kes(150_000), "service"),
        ] {
            let e = insights.set_cost(&s.admin, "DCI", service, month, amount, "").await.unwrap_err();
            assert!(matches!(e, Error::Invalid { field: ref f, .. } if f == field), "{field}: {e:?}");
        }
        assert_eq!(app.count("insight_costs").await, 0, "nothing stored by a refusal");
        insights.set_cost(&s.admin, "DCI", Some(SERVICE), &month, kes(150_000), "Staff and rent").await.unwrap();
        // Replacing it keeps one entry.
        insights.set_cost(&s.admin, "DCI", Some(SERVICE), &month, kes(150_000), "Staff, rent and power").await.unwrap();
        let k = insights.kpis(&service, &from_month, &to_month).await.unwrap();
        assert_eq!(k.cost, Some(kes(150_000)));
        assert_eq!(k.costed_completed, 1);
        assert_eq!(k.cost_per_transaction, Some(kes(150_000)));
        // A cost for the agency as a whole is the agency's (and the nation's) cost that month;
        // the service keeps its own.
        insights.set_cost(&s.admin, "DCI", None, &month, kes(300_000), "All of DCI").await.unwrap();
        let k = insights.kpis(&dci, &from_month, &to_month).await.unwrap();
        assert_eq!((k.cost, k.cost_per_transaction), (Some(kes(300_000)), Some(kes(300_000))));
        let k = insights.kpis(&Scope::National, &from_month, &to_month).await.unwrap();
        assert_eq!(k.cost_per_transaction, Some(kes(300_000)));
        assert_eq!(insights.kpis(&service, &from_month, &to_month).await.unwrap().cost, Some(kes(150_000)));
        // One currency for all costs.
        let e = insights
            .set_cost(&s.admin, "DCI", Some(SERVICE), &month, Money::from_minor(100, Currency::Usd), "")
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Invalid { ref field, .. } if field == "amount"), "{e:?}");
        let costs = insights.costs("DCI").await.unwrap();
        assert_eq!(costs.len(), 2);
        assert_eq!(costs.iter().find(|c| c.service.is_some()).unwrap().note, "Staff, rent and power");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1", "insights.cost").await, 3);
        // Per month: the months without anything are no data.
        let by_month = insights.kpis_by_month(&service, &from_month, &to_month).await.unwrap();
        assert_eq!(by_month.iter().map(|(_, k)| k.started).sum::<i64>(), 4);
        for (m, k) in &by_month {
            if k.started == 0 {
                assert_eq!(k.completion_rate, None, "{m}");
            }
        }

        // The measures performance contracts compute.
        let ratio = |numerator, denominator| Some(Figure::Ratio { numerator, denominator });
        let m = |measure: Measure, scope: Scope, currency: &'static str| {
            let insights = insights.clone();
            let (from, to) = (from.clone(), to.clone());
            async move { insights.measure(&measure, &scope, &from, &to, currency).await }
        };
        assert_eq!(m(Measure::SlaCompliance, dci.clone(), "KES").await.unwrap(), ratio(2, 2));
        assert_eq!(m(Measure::CompletionRate, service.clone(), "KES").await.unwrap(), ratio(1, 4));
        assert_eq!(m(Measure::DigitalTakeUp, Scope::National, "KES").await.unwrap(), ratio(1, 1));
        assert_eq!(m(Measure::Satisfaction, dci.clone(), "KES").await.unwrap(), None);
        assert_eq!(m(Measure::Revenue, dci.clone(), "KES").await.unwrap(), Some(Figure::Amount(kes(330_000))));
        assert_eq!(m(Measure::Revenue, dci.clone(), "USD").await.unwrap(), None);
        assert!(matches!(m(Measure::Revenue, dci.clone(), "XXX").await, Err(Error::Invalid { .. })));
        assert_eq!(m(Measure::SlaCompliance, Scope::Agency("KRA".into()), "KES").await.unwrap(), None);
        assert_eq!(m(Measure::ShareEndToEnd, service.clone(), "KES").await.unwrap(), None);
        insights.snapshot_digitisation().await.unwrap();
        let (e2e, total) = seed_gaps::catalogue_stages(&app, Some("DCI")).await;
        assert_eq!(m(Measure::ShareEndToEnd, dci.clone(), "KES").await.unwrap(), ratio(e2e, total));

        // The KPIs dataset: the service's row and the agency-wide one.
        let table = insights.open_data("kpis", &Filter { agency: Some("DCI".into()), ..Filter::default() }).await.unwrap();
        let row = |service: &str| {
            table
                .rows
                .iter()
                .find(|r| r[0] == Cell::Text(month.clone()) && r[2] == Cell::Text(service.into()))
                .unwrap_or_else(|| panic!("no row for {service:?}: {:?}", table.rows))
                .clone()
        };
        let own = row(SERVICE);
        assert_eq!(own[3], Cell::Decimal("1500.00".into()));
        assert_eq!(own[5], Cell::Decimal("1500.00".into()));
        assert_eq!(own[12], Cell::Missing, "no survey answers: no data");
        let whole = row("");
        assert_eq!(whole[3], Cell::Decimal("3000.00".into()));
        assert_eq!(whole[4], Cell::Int(1));
        if by_month.len() == 1 {
            assert_eq!(own[7], Cell::Decimal("25.0".into()));
            assert_eq!(own[9], Cell::Decimal("100.0".into()));
        }
        // An insights room over another pool sees the same.
        let (_, again) = rooms(&app).await;
        let _: &Insights = &again;
        assert_eq!(again.kpis(&service, &from_month, &to_month).await.unwrap().cost, Some(kes(150_000)));
    }
}
