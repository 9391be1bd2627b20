//! Service centres through the API of DESIGN's second tranche: the directory, slots and
//! bookings with exact capacity under a rush, every refusal clear and changing nothing,
//! and the queue: counters calling at once never share a ticket, lanes, transfers, holds,
//! and the SMS when a ticket is three from the front.

use crate::backend_tests;
use crate::support::TestApp;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::HashSet;

/// A spreadsheet of one centre of the tests' own, run by HUDUMA: `counters` counters all
/// serving `NRB-ID-REPLACE` (and counter 1 also `CRS-BIRTH-CERT`), open every day `hours`,
/// with `minutes` a slot and `cap` places a day.
pub fn test_centre_csv(code: &str, counters: usize, hours: &str, minutes: u32, cap: u32) -> String {
    let counters: Vec<String> = (1..=counters)
        .map(|k| {
            if k == 1 {
                "1:NRB-ID-REPLACE+CRS-BIRTH-CERT".to_string()
            } else {
                format!("{k}:NRB-ID-REPLACE")
            }
        })
        .collect();
    format!(
        "code,name,name_sw,kind,county,address,latitude,longitude,operator,hours,services,counters,priority_lanes,schedule,status\n\
         {code},Test Centre {code},Kituo cha Majaribio {code},huduma,Nairobi,1 Test Street,-1.28,36.82,HUDUMA,\"mon-sun {hours}\",\
         NRB-ID-REPLACE:{cap}:{minutes}:B; CRS-BIRTH-CERT:{cap}:{minutes}:C,{},appointment; elderly; disability,,open\n",
        counters.join("; ")
    )
}

/// Loads [`test_centre_csv`] into `app`'s database.
pub async fn test_centre(
    app: &TestApp,
    code: &str,
    counters: usize,
    hours: &str,
    minutes: u32,
    cap: u32,
) {
    let db = app.db().await;
    lango_centres::seed::load_csv(
        &db,
        test_centre_csv(code, counters, hours, minutes, cap).as_bytes(),
        "test",
    )
    .await
    .expect("test centre");
    db.close().await;
}

/// The first day from tomorrow on that has slots of `service` at `code`, with its slots.
pub async fn next_open_day(app: &TestApp, code: &str, service: &str) -> (String, Vec<Value>) {
    let today = lango_centres::calendar::today();
    for n in 1..30 {
        let day = lango_centres::calendar::add_days(&today, n);
        let v = app
            .get_json(
                &format!("/api/v1/centres/{code}/slots?service={service}&date={day}"),
                200,
            )
            .await;
        let items = v["items"].as_array().cloned().unwrap_or_default();
        if !items.is_empty() {
            return (day, items);
        }
    }
    panic!("no open day at {code}");
}

/// A booking's body.
pub fn booking(centre: &str, start: &str, id: &str) -> Value {
    json!({"centre": centre, "service": "NRB-ID-REPLACE", "start": start, "name": "Achieng Otieno", "phone": "0711000001", "id_number": id})
}

async fn centre_key(app: &TestApp) -> String {
    app.agency_key("HUDUMA", &["appointments:write", "queue:write"])
        .await
}

async fn issue(app: &TestApp, key: &str, centre: &str, body: Value) -> (u16, Value) {
    app.api(
        Method::POST,
        key,
        &format!("/api/v1/centres/{centre}/tickets"),
        Some(body),
    )
    .await
}

backend_tests! {
    async fn the_directory_lists_centres_by_county_and_service_with_counters_and_schedules(app: TestApp) {
        let all = app.get_json("/api/v1/centres", 200).await;
        let items = all["items"].as_array().unwrap();
        assert_eq!(all["total"].as_u64().unwrap() as usize, items.len());
        assert!(items.len() >= 10, "the demo has at least ten centres");
        let counties: HashSet<&str> = items.iter().map(|c| c["county"].as_str().unwrap()).collect();
        assert!(counties.len() >= 5, "{counties:?}");
        assert!(items.iter().any(|c| c["kind"] == "mobile"));
        let gpo = items.iter().find(|c| c["code"] == "HC-GPO").unwrap();
        assert_eq!(gpo["hours"][0], json!({"day": "mon", "opens": "07:30", "closes": "18:00"}));
        assert!(gpo["services"].as_array().unwrap().contains(&json!("DIS-PASSPORT")));
        let mombasa = app.get_json("/api/v1/centres?county=Mombasa", 200).await;
        assert!(mombasa["items"].as_array().unwrap().iter().all(|c| c["county"] == "Mombasa"));
        let passports = app.get_json("/api/v1/centres?service=DIS-PASSPORT", 200).await;
        assert!(passports["items"].as_array().unwrap().iter().all(|c| c["services"].as_array().unwrap().contains(&json!("DIS-PASSPORT"))));
        let one = app.get_json("/api/v1/centres/HC-GPO", 200).await;
        assert_eq!(one["counters"].as_array().unwrap().len(), 8);
        assert!(one.get("schedule").is_none(), "only a mobile centre has a schedule");
        let mobile = app.get_json("/api/v1/centres/HM-RIFT", 200).await;
        let stop = &mobile["schedule"][0];
        assert!(stop["date"].is_string() && stop["place"].is_string() && stop["county"].is_string() && stop["opens"] == "09:00");
        let missing = app.get_json("/api/v1/centres/NO-SUCH", 404).await;
        assert_eq!(missing["error"]["code"], "not_found");
    }

    async fn a_rush_of_300_for_10_places_books_exactly_10(app: TestApp) {
        // Ten counters and one fifteen-minute slot a day: ten places in each slot.
        test_centre(&app, "T-RUSH", 10, "09:00-09:15", 15, 500).await;
        let key = centre_key(&app).await;
        let (day, slots) = next_open_day(&app, "T-RUSH", "NRB-ID-REPLACE").await;
        assert_eq!(slots.len(), 1);
        assert_eq!(slots[0]["available"], 10);
        let start = slots[0]["start"].as_str().unwrap().to_string();
        let mut rush = Vec::new();
        for n in 0..300 {
            let (app_base, client, key, start) = (app.base.clone(), app.client.clone(), key.clone(), start.clone());
            rush.push(tokio::spawn(async move {
                let res = client
                    .post(format!("{app_base}/api/v1/appointments"))
                    .bearer_auth(&key)
                    .json(&booking("T-RUSH", &start, &format!("9{n:07}")))
                    .send()
                    .await
                    .unwrap();
                let status = res.status().as_u16();
                let body: Value = res.json().await.unwrap();
                (status, body)
            }));
        }
        let mut booked = 0;
        for r in rush {
            let (status, body) = r.await.unwrap();
            match status {
                201 => {
                    booked += 1;
                    assert_eq!(body["status"], "booked");
                    assert_eq!(body["start"], start);
                }
                409 => assert_eq!(body["error"]["code"], "slot_full", "{body}"),
                other => panic!("unexpected {other}: {body}"),
            }
        }
        assert_eq!(booked, 10, "exactly the ten places");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM appointments WHERE centre = $1 AND status = 'booked'", "T-RUSH").await, 10);
        assert_eq!(app.scalar("SELECT CAST(SUM(booked) AS BIGINT) FROM appointment_slots WHERE centre = $1", "T-RUSH").await, 10);
        let after = app.get_json(&format!("/api/v1/centres/T-RUSH/slots?service=NRB-ID-REPLACE&date={day}"), 200).await;
        assert_eq!(after["items"][0]["available"], 0);
    }

    async fn bookings_refuse_bad_input_clearly_and_change_nothing(app: TestApp) {
        test_centre(&app, "T-BOOK", 2, "08:00-12:00", 30, 3).await;
        let key = centre_key(&app).await;
        let (day, slots) = next_open_day(&app, "T-BOOK", "NRB-ID-REPLACE").await;
        let first = slots[0]["start"].as_str().unwrap().to_string();
        assert_eq!(first, format!("{day}T08:00:00+03:00"), "slots are shown in East Africa Time");
        let book = |body: Value| app.api(Method::POST, &key, "/api/v1/appointments", Some(body));
        // The same slot written in UTC is the same slot.
        let utc = format!("{day}T05:00:00Z");
        let (status, a) = book(booking("T-BOOK", &utc, "11110001")).await;
        assert_eq!(status, 201, "{a}");
        assert_eq!(a["start"], first);
        let reference = a["reference"].as_str().unwrap().to_string();
        let (status, e) = book(booking("T-BOOK", &format!("{day}T09:00:00+03:00"), "11110001")).await;
        assert_eq!((status, e["error"]["code"].as_str()), (409, Some("already_booked")), "{e}");
        let held = app.count("appointments").await;
        let refused = [
            (booking("T-BOOK", "2020-01-06T08:00:00+03:00", "11110002"), "a past slot"),
            (booking("T-BOOK", &format!("{day}T08:10:00+03:00"), "11110002"), "not a slot's start"),
            (booking("T-BOOK", &format!("{day}T13:00:00+03:00"), "11110002"), "after closing"),
            (booking("T-BOOK", &format!("{day}T08:00:00"), "11110002"), "no time zone"),
            (booking("NO-SUCH", &first, "11110002"), "an unknown centre"),
            (json!({"centre": "T-BOOK", "service": "KRA-NOPE", "start": first, "name": "A", "phone": "0711000001", "id_number": "11110002"}), "a service it does not offer"),
            (json!({"centre": "T-BOOK", "service": "NRB-ID-REPLACE", "start": first, "name": "A", "phone": "12", "id_number": "11110002"}), "a bad phone"),
            (json!({"centre": "T-BOOK"}), "missing fields"),
        ];
        for (body, what) in refused {
            let (status, e) = book(body).await;
            assert_eq!(status, 400, "{what}: {e}");
            assert!(e["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{what}");
        }
        // A closed day: its slots disappear and bookings are refused.
        let db = app.db().await;
        sqlx::query("INSERT INTO centre_closures (centre, day, reason) VALUES ('T-BOOK', $1, 'Staff training')")
            .bind(&day).execute(db.pool()).await.unwrap();
        db.close().await;
        let (status, e) = book(booking("T-BOOK", slots[1]["start"].as_str().unwrap(), "11110003")).await;
        assert_eq!(status, 400, "a closed day: {e}");
        assert!(e["error"]["message"].as_str().unwrap().contains("Staff training"));
        assert_eq!(app.count("appointments").await, held, "refusals stored nothing");
        // Keys: the permission, and the centre's operator.
        let reader = app.agency_key("HUDUMA", &["queue:write"]).await;
        let (status, _) = app.api(Method::POST, &reader, "/api/v1/appointments", Some(booking("T-BOOK", &first, "11110004"))).await;
        assert_eq!(status, 403, "appointments:write is needed");
        let other = app.agency_key("DIS", &["appointments:write"]).await;
        let (status, _) = app.api(Method::POST, &other, "/api/v1/appointments", Some(booking("T-BOOK", &first, "11110004"))).await;
        assert_eq!(status, 403, "another agency's key acts at its own centres only");
        // Cancelling gives the place back; again answers the same.
        let path = format!("/api/v1/appointments/{reference}/cancel");
        let (status, c) = app.api(Method::POST, &key, &path, None).await;
        assert_eq!((status, c["status"].as_str()), (200, Some("cancelled")));
        let (status, c) = app.api(Method::POST, &key, &path, None).await;
        assert_eq!((status, c["status"].as_str()), (200, Some("cancelled")));
        let (status, _) = app.api(Method::POST, &key, "/api/v1/appointments/MZZZZZZZ/cancel", None).await;
        assert_eq!(status, 404);
        let db = app.db().await;
        let booked: i64 = sqlx::query_scalar("SELECT booked FROM appointment_slots WHERE centre = 'T-BOOK'")
            .fetch_one(db.pool()).await.unwrap();
        db.close().await;
        assert_eq!(booked, 0, "the cancelled place is free again");
        // The person was told of the booking and the cancellation by SMS.
        let db = app.db().await;
        let sent = lango_notify::to_recipient(&db, "+254711000001", 10).await.unwrap();
        db.close().await;
        let events: Vec<_> = sent.iter().filter_map(|m| m.event_type.clone()).collect();
        assert!(events.contains(&"appointment.booked".to_string()) && events.contains(&"appointment.cancelled".to_string()), "{events:?}");
    }

    async fn counters_calling_at_once_never_get_the_same_ticket(app: TestApp) {
        test_centre(&app, "T-CALL", 8, "00:00-23:59", 5, 10_000).await;
        let key = centre_key(&app).await;
        for _ in 0..60 {
            let (status, t) = issue(&app, &key, "T-CALL", json!({"service": "NRB-ID-REPLACE"})).await;
            assert_eq!(status, 201, "{t}");
        }
        let mut counters = Vec::new();
        for k in 1..=8 {
            let (base, client, key) = (app.base.clone(), app.client.clone(), key.clone());
            counters.push(tokio::spawn(async move {
                let mut got = Vec::new();
                loop {
                    let res = client.post(format!("{base}/api/v1/centres/T-CALL/counters/{k}/call")).bearer_auth(&key).send().await.unwrap();
                    match res.status().as_u16() {
                        200 => got.push(res.json::<Value>().await.unwrap()["number"].as_str().unwrap().to_string()),
                        204 => return got,
                        other => panic!("call answered {other}"),
                    }
                }
            }));
        }
        let mut all = Vec::new();
        for c in counters {
            all.extend(c.await.unwrap());
        }
        let distinct: HashSet<&String> = all.iter().collect();
        assert_eq!(all.len(), 60, "every ticket called once");
        assert_eq!(distinct.len(), 60, "no ticket called twice");
        // A counter's "call next" that finds nobody still finishes what it served.
        assert_eq!(app.scalar("SELECT COUNT(*) FROM tickets WHERE centre = $1 AND status = 'served'", "T-CALL").await, 60);
        // A counter of another centre, and a ticket done twice.
        let (status, _) = app.api(Method::POST, &key, "/api/v1/centres/T-CALL/counters/99/call", None).await;
        assert_eq!(status, 404);
        let (status, _) = app.api(Method::POST, &key, "/api/v1/centres/HC-GPO/counters/1/call", None).await;
        assert_eq!(status, 204, "HC-GPO's counter 1 has nobody waiting: T-CALL's tickets are not its");
        issue(&app, &key, "T-CALL", json!({"service": "NRB-ID-REPLACE"})).await;
        let (status, last) = app.api(Method::POST, &key, "/api/v1/centres/T-CALL/counters/1/call", None).await;
        assert_eq!(status, 200);
        let done = format!("/api/v1/centres/T-CALL/tickets/{}/done", last["number"].as_str().unwrap());
        let (status, t) = app.api(Method::POST, &key, &done, None).await;
        assert_eq!((status, t["status"].as_str()), (200, Some("served")));
        let (status, e) = app.api(Method::POST, &key, &done, None).await;
        assert_eq!(status, 409, "{e}");
        let timed = app.scalar("SELECT COUNT(*) FROM tickets WHERE centre = $1 AND called_at >= issued_at AND (finished_at IS NULL OR finished_at >= called_at)", "T-CALL").await;
        assert_eq!(timed, 61, "every step is timed in order");
        // Every queue call is in the exchange log exactly once, whether it changed something
        // (its line committed with the change), found nobody or was refused: 61 issues, 68
        // calls in the rush, two refused or empty, one call and two "done".
        let logged = app.scalar("SELECT COUNT(*) FROM exchange_log WHERE action = 'api.call' AND object LIKE $1", "POST /api/v1/centres/%").await;
        assert_eq!(logged, 61 + 68 + 2 + 1 + 2);
        let db = app.db().await;
        let (_, faults) = lango_core::audit::verify(&db, lango_core::audit::EXCHANGE, &mut |_, _| {}).await.unwrap();
        assert!(faults.is_empty(), "the exchange log's chain is whole: {faults:?}");
        db.close().await;
    }

    async fn lanes_transfers_holds_and_the_sms_three_from_the_front(app: TestApp) {
        test_centre(&app, "T-LANE", 2, "00:00-23:59", 5, 10_000).await;
        let key = centre_key(&app).await;
        let mut numbers = Vec::new();
        for n in 1..=5 {
            let (status, t) = issue(&app, &key, "T-LANE", json!({"service": "NRB-ID-REPLACE", "phone": format!("07110000{n:02}")})).await;
            assert_eq!(status, 201);
            assert_eq!(t["position"], n);
            numbers.push(t["number"].as_str().unwrap().to_string());
        }
        assert_eq!(numbers[0], "B001");
        let (status, elderly) = issue(&app, &key, "T-LANE", json!({"service": "NRB-ID-REPLACE", "lane": "elderly"})).await;
        assert_eq!((status, elderly["position"].as_i64()), (201, Some(1)), "the elderly lane goes first");
        let (status, e) = issue(&app, &key, "T-LANE", json!({"service": "NRB-ID-REPLACE", "lane": "pregnancy"})).await;
        assert_eq!(status, 400, "a lane the centre does not run: {e}");
        let (status, e) = issue(&app, &key, "T-LANE", json!({"service": "KRA-NOPE"})).await;
        assert_eq!(status, 400, "{e}");
        let paths: Vec<String> = (0..=2).map(|k| format!("/api/v1/centres/T-LANE/counters/{k}/call")).collect();
        let call = |k: usize| app.api(Method::POST, &key, &paths[k], None);
        let (_, t) = call(2).await;
        assert_eq!(t["number"], elderly["number"]);
        let (_, t) = call(2).await;
        assert_eq!(t["number"], "B001");
        // B002, B003, B004 wait: B004 is three from the front and is told, once.
        let db = app.db().await;
        let near = |phone: &'static str| {
            let db = db.clone();
            async move {
                lango_notify::to_recipient(&db, phone, 10).await.unwrap().into_iter().filter(|m| m.event_type.as_deref() == Some("ticket.near")).count()
            }
        };
        assert_eq!(near("+254711000004").await, 1, "three from the front");
        assert_eq!(near("+254711000002").await, 0, "never told: already near when issued");
        // Hold and back; transfer to another service and to a counter.
        let b001 = "/api/v1/centres/T-LANE/tickets/B001/done";
        let (status, _) = app.api(Method::POST, &key, b001, None).await;
        assert_eq!(status, 200);
        let (_, t) = call(1).await;
        assert_eq!(t["number"], "B002");
        let c = lango_centres::Centres::new(db.clone());
        let centre = c.get("T-LANE").await.unwrap();
        let staff = lango_identity::policy::Actor::ApiClient(lango_identity::policy::ApiClient {
            key_id: "test".into(), agency: "HUDUMA".into(), permissions: vec![lango_identity::model::Permission::QueueWrite],
        });
        use lango_centres::queue::Act;
        let held = c.act(&staff, &centre, "B002", Act::Hold, Some("1")).await.unwrap();
        assert_eq!(held.status.as_str(), "held");
        let back = c.act(&staff, &centre, "B002", Act::Resume, None).await.unwrap();
        assert_eq!(back.status.as_str(), "waiting");
        let moved = c.act(&staff, &centre, "B002", Act::Transfer { service: Some("CRS-BIRTH-CERT".into()), counter: None }, None).await.unwrap();
        assert_eq!((moved.service.as_str(), moved.status.as_str()), ("CRS-BIRTH-CERT", "waiting"));
        let (_, t) = call(2).await;
        assert_ne!(t["number"], "B002", "counter 2 does not serve birth certificates");
        let (_, t) = call(1).await;
        assert_eq!(t["number"], "B002", "counter 1 does, and B002 kept its place");
        let wrong = c.act(&staff, &centre, "B002", Act::Done, Some("2")).await;
        assert!(matches!(wrong.map_err(lango_core::Error::plain), Err(lango_core::Error::Conflict(_))), "a counter finishes only its own ticket");
        let no_show = c.act(&staff, &centre, "B002", Act::NoShow, Some("1")).await.unwrap();
        assert_eq!(no_show.status.as_str(), "no_show");
        db.close().await;
        // The board and the figures see the day.
        let board = app.get("/centres/T-LANE/board").await;
        assert_eq!(board.headers()["refresh"], "5", "refreshes itself without JavaScript");
        let board = board.text().await.unwrap();
        assert!(board.contains("?still=1"), "and can be stopped");
        assert!(board.contains("counter") && board.contains("dirisha"), "both languages");
    }

    async fn a_walk_in_past_the_days_cap_is_refused_and_takes_nothing(app: TestApp) {
        test_centre(&app, "T-CAP", 1, "00:00-23:59", 5, 2).await;
        let key = centre_key(&app).await;
        let walk_in = json!({"service": "NRB-ID-REPLACE"});
        for (want, position) in [("B001", 1), ("B002", 2)] {
            let (status, t) = issue(&app, &key, "T-CAP", walk_in.clone()).await;
            assert_eq!((status, t["number"].as_str(), t["position"].as_i64()), (201, Some(want), Some(position)), "{t}");
        }
        let (status, e) = issue(&app, &key, "T-CAP", walk_in.clone()).await;
        assert_eq!((status, e["error"]["code"].as_str()), (409, Some("day_full")), "{e}");
        // Nothing of the refused walk-in was written: no ticket, no number, no place.
        let db = app.db().await;
        let count = |sql: &'static str| {
            let db = db.clone();
            async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(db.pool()).await.unwrap() }
        };
        assert_eq!(count("SELECT COUNT(*) FROM tickets WHERE centre = 'T-CAP'").await, 2);
        assert_eq!(count("SELECT MAX(value) FROM counters WHERE name LIKE 'ticket:T-CAP:%:B'").await, 2, "no number taken");
        assert_eq!(count("SELECT MAX(used) FROM centre_days WHERE centre = 'T-CAP'").await, 2);
        // Another service's day is its own, numbered with its own letter.
        let (status, t) = issue(&app, &key, "T-CAP", json!({"service": "CRS-BIRTH-CERT"})).await;
        assert_eq!((status, t["number"].as_str(), t["position"].as_i64()), (201, Some("C001"), Some(1)), "{t}");
        db.close().await;
    }

    async fn an_appointment_checks_in_to_the_front_and_reminders_and_no_shows_follow_the_days(app: TestApp) {
        test_centre(&app, "T-DAY", 1, "00:00-23:59", 1, 10_000).await;
        let key = centre_key(&app).await;
        // A slot later today.
        let today = lango_centres::calendar::today();
        let v = app.get_json(&format!("/api/v1/centres/T-DAY/slots?service=NRB-ID-REPLACE&date={today}"), 200).await;
        let Some(slot) = v["items"].as_array().unwrap().get(2).cloned() else {
            return; // The last minutes of the day: nothing left to book today.
        };
        let (status, a) = app.api(Method::POST, &key, "/api/v1/appointments", Some(booking("T-DAY", slot["start"].as_str().unwrap(), "22220001"))).await;
        assert_eq!(status, 201, "{a}");
        let (_, walk_in) = issue(&app, &key, "T-DAY", json!({"service": "NRB-ID-REPLACE"})).await;
        let (status, t) = issue(&app, &key, "T-DAY", json!({"appointment": a["reference"]})).await;
        assert_eq!((status, t["position"].as_i64()), (201, Some(1)), "appointments go before walk-ins: {t}");
        assert_ne!(t["number"], walk_in["number"]);
        let (status, e) = issue(&app, &key, "T-DAY", json!({"appointment": a["reference"]})).await;
        assert_eq!(status, 409, "checked in once: {e}");
        // Tomorrow's booking is reminded once; a booking of a past day becomes a no-show.
        let (_, slots) = next_open_day(&app, "T-DAY", "NRB-ID-REPLACE").await;
        let (status, b) = app.api(Method::POST, &key, "/api/v1/appointments", Some(booking("T-DAY", slots[0]["start"].as_str().unwrap(), "22220002"))).await;
        assert_eq!(status, 201);
        let db = app.db().await;
        let centres = lango_centres::Centres::new(db.clone());
        let tomorrow = lango_centres::calendar::add_days(&today, 1);
        // The node's own chores may send it first: either way, once.
        centres.send_reminders().await.unwrap();
        assert_eq!(centres.send_reminders().await.unwrap(), 0, "once");
        let reminders = lango_notify::to_recipient(&db, "+254711000001", 20).await.unwrap()
            .into_iter().filter(|m| m.event_type.as_deref() == Some("appointment.reminder")).count();
        assert_eq!(reminders, usize::from(slots[0]["start"].as_str().unwrap().starts_with(&tomorrow)));
        sqlx::query("UPDATE appointments SET day = '2020-01-01' WHERE reference = $1")
            .bind(b["reference"].as_str().unwrap()).execute(db.pool()).await.unwrap();
        centres.close_days().await.unwrap();
        let status: String = sqlx::query_scalar("SELECT status FROM appointments WHERE reference = $1")
            .bind(b["reference"].as_str().unwrap()).fetch_one(db.pool()).await.unwrap();
        assert_eq!(status, "no_show");
        db.close().await;
    }
}
