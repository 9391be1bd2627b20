//! A mobile centre's schedule changing under people who booked, on both backends: a stop
//! dropped cancels its appointments (places given back) and tells each person by SMS to
//! book again; a stop moved keeps them and tells each where it now is; stops nobody booked
//! change silently; each notice is sent once, with the centre's change.

use crate::backend_tests;
use crate::centres::{booking, next_open_day};
use crate::support::TestApp;
use lango_identity::model::Role;
use lango_identity::policy::Actor;
use reqwest::Method;

/// Books the first slot of `day` at HM-RIFT for ID `id`; returns the reference.
async fn book(app: &TestApp, key: &str, day_slots: &[serde_json::Value], id: &str) -> String {
    let start = day_slots[0]["start"].as_str().unwrap();
    let (status, body) = app
        .api(
            Method::POST,
            key,
            "/api/v1/appointments",
            Some(booking("HM-RIFT", start, id)),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["reference"].as_str().unwrap().to_string()
}

/// Saves HM-RIFT with its schedule changed by `change`, as the platform's administrator.
async fn change_schedule(app: &TestApp, change: impl Fn(&mut Vec<lango_centres::model::Visit>)) {
    let admin = app
        .staff(
            "stops@platform.example",
            "correct horse battery",
            Role::PlatformAdmin,
            None,
        )
        .await;
    let db = app.db().await;
    let actor = Actor::Person(lango_identity::account::actor(&db, &admin).await.unwrap());
    let centres = lango_centres::Centres::new(db.clone());
    let mut c = centres.get("HM-RIFT").await.unwrap();
    change(&mut c.schedule);
    let input = lango_centres::CentreInput::of(&c);
    centres
        .save(&actor, &input)
        .await
        .map_err(|_| "refused")
        .unwrap();
    db.close().await;
}

backend_tests! {
    async fn a_mobile_centre_tells_those_booked_when_its_stops_change(app: TestApp) {
        let key = app.agency_key("HUDUMA", &["appointments:write"]).await;
        let (first, first_slots) = next_open_day(&app, "HM-RIFT", "NRB-ID-REPLACE").await;
        let dropped = book(&app, &key, &first_slots, "31110001").await;
        let next = lango_centres::calendar::add_days(&first, 1);
        let (second, second_slots) = {
            let mut day = next;
            loop {
                let v = app.get_json(&format!("/api/v1/centres/HM-RIFT/slots?service=NRB-ID-REPLACE&date={day}"), 200).await;
                let items = v["items"].as_array().cloned().unwrap_or_default();
                if !items.is_empty() { break (day, items); }
                day = lango_centres::calendar::add_days(&day, 1);
            }
        };
        let moved = book(&app, &key, &second_slots, "31110002").await;
        let free_before = second_slots[0]["available"].as_i64().unwrap();
        change_schedule(&app, |s| {
            s.retain(|v| v.date != first);
            if let Some(v) = s.iter_mut().find(|v| v.date == second) {
                v.place = "Namanga Border Market".into();
            }
        }).await;
        let status = |r: &str| {
            let r = r.to_string();
            let app = &app;
            async move { app.scalar("SELECT CASE status WHEN 'cancelled' THEN 0 ELSE 1 END FROM appointments WHERE reference = $1", &r).await }
        };
        assert_eq!(status(&dropped).await, 0, "the dropped stop's appointment is cancelled");
        assert_eq!(status(&moved).await, 1, "the moved stop's appointment stands");
        let sms = |text: &str| {
            let text = format!("%{text}%");
            let app = &app;
            async move { app.scalar("SELECT COUNT(*) FROM notifications WHERE recipient = '+254711000001' AND body LIKE $1", &text).await }
        };
        assert_eq!(sms("no longer stops on").await, 1, "told to book again");
        assert_eq!(sms("is now at Namanga Border Market").await, 1, "told where it now is");
        // Another node's directory (the server's here) follows within its few seconds.
        app.eventually("no stop, no slots", || async {
            let after = app.get_json(&format!("/api/v1/centres/HM-RIFT/slots?service=NRB-ID-REPLACE&date={first}"), 200).await;
            after["items"].as_array().unwrap().is_empty()
        }).await;
        let again = app.get_json(&format!("/api/v1/centres/HM-RIFT/slots?service=NRB-ID-REPLACE&date={second}"), 200).await;
        assert_eq!(again["items"][0]["available"].as_i64().unwrap(), free_before - 1, "the kept booking still holds its place");
        // A stop in the past is refused, and nothing changes.
        let before = app.get_json("/api/v1/centres/HM-RIFT", 200).await;
        let refused = {
            let admin = app.staff("past@platform.example", "correct horse battery", Role::PlatformAdmin, None).await;
            let db = app.db().await;
            let actor = Actor::Person(lango_identity::account::actor(&db, &admin).await.unwrap());
            let centres = lango_centres::Centres::new(db.clone());
            let mut c = centres.get("HM-RIFT").await.unwrap();
            let yesterday = lango_centres::calendar::add_days(&lango_centres::calendar::today(), -1);
            c.schedule.insert(0, lango_centres::model::Visit {
                date: yesterday, place: "Back Then Market".into(), county: "Kajiado".into(), opens: 540, closes: 960,
            });
            let out = centres.save(&actor, &lango_centres::CentreInput::of(&c)).await;
            db.close().await;
            out
        };
        match refused {
            Err(lango_centres::SaveError::Problems(p)) => assert!(p.0.iter().any(|(f, m)| f == "schedule" && m.contains("in the past")), "{:?}", p.0),
            _ => panic!("a stop in the past was saved"),
        }
        app.eventually("the schedule unchanged", || async {
            app.get_json("/api/v1/centres/HM-RIFT", 200).await["schedule"] == before["schedule"]
        }).await;
        // Saved again unchanged: nobody is told twice.
        change_schedule(&app, |_| {}).await;
        assert_eq!(sms("no longer stops on").await + sms("is now at").await, 2);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1", "centre.update").await, 2);
    }

    async fn a_mobile_centre_publishes_its_figures_stop_by_stop(app: TestApp) {
        let today = lango_centres::calendar::today();
        let at = today.clone();
        change_schedule(&app, move |s| {
            s.retain(|v| v.date != at);
            s.push(lango_centres::model::Visit {
                date: at.clone(),
                place: "Ilbissil Market".into(),
                county: "Kajiado".into(),
                opens: 0,
                closes: 23 * 60 + 59,
            });
            s.sort_by(|a, b| a.date.cmp(&b.date));
        }).await;
        let key = app.agency_key("HUDUMA", &["queue:write"]).await;
        app.eventually("the stop is open today", || async {
            let (status, _) = app.api(Method::POST, &key, "/api/v1/centres/HM-RIFT/tickets", Some(serde_json::json!({"service": "NRB-ID-REPLACE"}))).await;
            status == 201
        }).await;
        // On any phone: USSD menu 7 lists the stops, soonest first; one chosen says where and when.
        let list = crate::ussd::dial(&app, "stops-1", "+254711000777", "7").await;
        assert!(list.starts_with("CON Mobile centres' next stops:") && list.contains("Ilbissil Market"), "{list}");
        let n = list.lines().find(|l| l.contains("Ilbissil Market")).unwrap().split(' ').next().unwrap().to_string();
        let stop = crate::ussd::dial(&app, "stops-1", "+254711000777", &format!("7*{n}")).await;
        assert!(stop.starts_with("END Huduma Mashinani Rift Valley") && stop.contains(&format!("{today} 00:00-23:59")), "{stop}");
        assert!(stop.contains("Ilbissil Market, Kajiado"), "{stop}");
        let page = app.get("/performance/centres").await.text().await.unwrap();
        let row = format!("<th scope=\"row\">{today}</th><td>Huduma Mashinani Rift Valley (mobile)</td><td>Ilbissil Market, Kajiado</td><td class=\"num\">1</td>");
        assert!(page.contains("id=\"stop-figures\"") && page.contains(&row), "{page}");
        // The same figures as open data, listed with the other datasets.
        let open = app.get_json("/api/v1/open-data/mobile-stops.json?agency=HUDUMA", 200).await;
        let stop = open["rows"].as_array().unwrap().iter().find(|r| r["date"] == today.as_str()).cloned();
        let stop = stop.unwrap_or_else(|| panic!("today's stop in {open}"));
        assert_eq!((stop["centre"].as_str(), stop["place"].as_str(), stop["tickets"].as_i64()), (Some("HM-RIFT"), Some("Ilbissil Market"), Some(1)));
        let csv = app.get("/api/v1/open-data/mobile-stops.csv?agency=NONE").await.text().await.unwrap();
        assert_eq!(csv.lines().count(), 1, "another operator's: the header only");
        assert!(app.get("/open-data").await.text().await.unwrap().contains("/api/v1/open-data/mobile-stops.csv"));
    }
}
