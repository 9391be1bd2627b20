//! The centre menus of the USSD channel over real HTTP: `3` books an appointment for the
//! person whose account has this phone (seen in their web account, booked once however
//! often the gateway repeats the confirmation, only free places offered) and cancels it;
//! `4` shows today's queue ticket of this phone with its place and wait; `5` rates a
//! completed application or a served ticket, once. Golden sessions are in
//! `ussd_centres/golden.rs`.

mod golden;

use crate::backend_tests;
use crate::cases_work::signed_in;
use crate::centres::test_centre;
use crate::insights_survey::{completed, kit};
use crate::support::TestApp;
use crate::ussd::{dial, PHONE};
use lango_centres::calendar;
use reqwest::Method;
use serde_json::json;

/// The tests' password.
const PASSWORD: &str = "correct horse battery";

/// The text that chooses the item whose line holds `needle` from the list `text` shows,
/// paging with `98` until it is on screen.
pub async fn choose(app: &TestApp, session: &str, text: &str, needle: &str) -> String {
    let mut at = text.to_string();
    for _ in 0..12 {
        let screen = dial(app, session, PHONE, &at).await;
        let item = screen.lines().skip(1).find(|l| {
            l.contains(needle)
                && l.split(' ')
                    .next()
                    .is_some_and(|n| n.parse::<u32>().is_ok())
        });
        if let Some(line) = item {
            return format!("{at}*{}", line.split(' ').next().unwrap());
        }
        assert!(screen.contains("98 "), "{needle} is not in {at}: {screen}");
        at.push_str("*98");
    }
    panic!("{needle} not found from {text}");
}

/// How the day lists show `day`: `Sun 07/12`.
pub fn day_label(day: &str, sw: bool) -> String {
    let en = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let sw_days = ["Jtt", "Jnn", "Jtn", "Alh", "Iju", "Jmm", "Jpl"];
    let wd = usize::from(calendar::weekday(day));
    let name = if sw { sw_days[wd] } else { en[wd] };
    format!("{name} {}/{}", &day[8..10], &day[5..7])
}

/// The text that reaches the times of `centre`'s first service tomorrow.
pub async fn to_tomorrow(app: &TestApp, session: &str, centre: &str) -> String {
    let county = choose(app, session, "3*1", "Nairobi").await;
    let centre = choose(app, session, &county, &format!("Test Centre {centre}")).await;
    let tomorrow = calendar::add_days(&calendar::today(), 1);
    choose(
        app,
        session,
        &format!("{centre}*1"),
        &day_label(&tomorrow, false),
    )
    .await
}

/// Issues a ticket of `service` at `centre` with `phone`; returns its number.
pub async fn ticket(app: &TestApp, key: &str, centre: &str, service: &str, phone: &str) -> String {
    let (status, body) = app
        .api(
            Method::POST,
            key,
            &format!("/api/v1/centres/{centre}/tickets"),
            Some(json!({"service": service, "phone": phone})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["number"].as_str().unwrap().to_string()
}

/// Counter 1 of `centre` calls ticket `number` and finishes it.
pub async fn serve(app: &TestApp, key: &str, centre: &str, number: &str) {
    call(app, key, centre, "1").await;
    let path = format!("/api/v1/centres/{centre}/tickets/{number}/done");
    let (status, body) = app.api(Method::POST, key, &path, None).await;
    assert_eq!(status, 200, "{body}");
}

/// Counter `counter` of `centre` calls its next ticket.
pub async fn call(app: &TestApp, key: &str, centre: &str, counter: &str) {
    let path = format!("/api/v1/centres/{centre}/counters/{counter}/call");
    let (status, body) = app.api(Method::POST, key, &path, None).await;
    assert_eq!(status, 200, "{body}");
}

backend_tests! {
    async fn booking_by_phone_is_the_persons_own_once_and_cancels(app: TestApp) {
        let me = app.person("11111111", "ussd-book@example.ke", PASSWORD).await;
        test_centre(&app, "T-USSD", 1, "08:00-17:00", 60, 100).await;
        assert_eq!(dial(&app, "a1", PHONE, "3").await, "CON Appointments:\n1 Book an appointment\n2 My appointments\n0 Back");
        assert!(dial(&app, "a1", PHONE, "3*1").await.starts_with("CON Choose a county:\n1 "));
        let times = to_tomorrow(&app, "a1", "T-USSD").await;
        let list = dial(&app, "a1", PHONE, &times).await;
        assert!(list.starts_with("CON Choose a time (free places):\n1 08:00 (1 free)\n2 09:00 (1 free)"), "{list}");
        let confirm = format!("{times}*1");
        let check = dial(&app, "a1", PHONE, &confirm).await;
        assert!(check.starts_with("CON Book ") && check.contains("at Test Centre T-USSD\n") && check.ends_with(" 08:00?\n1 Confirm\n0 Back"), "{check}");
        assert!(dial(&app, "a1", PHONE, &format!("{confirm}*7")).await.starts_with("CON Choose a number from the list.\nBook "));
        assert_eq!(app.count("appointments").await, 0, "nothing booked before 1");
        // Confirmed, and the gateway repeats it, twice at once: one booking, the same screen.
        let book = format!("{confirm}*1");
        let (a, b) = tokio::join!(dial(&app, "a1", PHONE, &book), dial(&app, "a1", PHONE, &book));
        assert_eq!(a, b);
        assert!(a.starts_with("END Booked: M") && a.contains("\nTest Centre T-USSD\n") && a.ends_with("Bring your ID. An SMS confirms it."), "{a}");
        assert_eq!(dial(&app, "a1", PHONE, &book).await, a);
        let reference = a.lines().next().unwrap().trim_start_matches("END Booked: ").to_string();
        assert_eq!(app.count("appointments").await, 1);
        let db = app.db().await;
        let (account, phone, channel, status): (Option<String>, String, String, String) =
            sqlx::query_as("SELECT account_id, phone, channel, status FROM appointments WHERE reference = $1")
                .bind(&reference).fetch_one(db.pool()).await.unwrap();
        db.close().await;
        assert_eq!((account.as_deref(), phone.as_str(), channel.as_str(), status.as_str()), (Some(me.as_str()), PHONE, "ussd", "booked"), "the person's own booking, counted as made by phone");
        // The person's web account shows it.
        let mut web = signed_in(&app, "ussd-book@example.ke").await;
        assert!(web.get("/account/appointments").await.html.contains(&reference));
        // The place is gone from the times; a second booking that day is refused.
        let again = to_tomorrow(&app, "a2", "T-USSD").await;
        let list = dial(&app, "a2", PHONE, &again).await;
        assert!(list.starts_with("CON Choose a time (free places):\n1 09:00 (1 free)"), "{list}");
        let twice = dial(&app, "a2", PHONE, &format!("{again}*1*1")).await;
        assert!(twice.starts_with("END You already have an appointment"), "{twice}");
        assert_eq!(app.count("appointments").await, 1);
        // Listed, then cancelled once.
        let mine = dial(&app, "a3", PHONE, "3*2").await;
        assert!(mine.starts_with("CON Your appointments:\n1 ") && mine.contains(&reference), "{mine}");
        let one = dial(&app, "a3", PHONE, "3*2*1").await;
        assert!(one.starts_with(&format!("CON {reference}\n")) && one.ends_with("1 Cancel it\n0 Back"), "{one}");
        let cancel = dial(&app, "a3", PHONE, "3*2*1*1").await;
        assert_eq!(cancel, format!("END Appointment {reference} is cancelled. Its place is free for others."));
        assert_eq!(dial(&app, "a3", PHONE, "3*2*1*1").await, cancel);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM appointments WHERE status = 'cancelled' AND reference = $1", &reference).await, 1);
        assert!(dial(&app, "a4", PHONE, "3*2").await.starts_with("CON You have no coming appointments.\n0 Back"));
        assert!(web.get("/account/appointments").await.html.contains("Cancelled"));
        // A phone with no account is told how to register; Kiswahili.
        let stranger = dial(&app, "a5", "+254722000000", "3*1").await;
        assert!(stranger.starts_with("CON No Lango account has this phone. Register"), "{stranger}");
        assert!(dial(&app, "a6", PHONE, "6*3*1").await.starts_with("CON Chagua kaunti:\n1 "));
    }

    async fn the_queue_ticket_shows_its_place_and_wait(app: TestApp) {
        test_centre(&app, "T-USSQ", 2, "00:00-23:45", 15, 500).await;
        let key = app.agency_key("HUDUMA", &["queue:write"]).await;
        let none = dial(&app, "t0", PHONE, "4").await;
        assert!(none.starts_with("END No queue ticket today has this phone."), "{none}");
        for other in ["+254711000001", "+254711000002", "+254711000003"] {
            ticket(&app, &key, "T-USSQ", "NRB-ID-REPLACE", other).await;
        }
        let mine = ticket(&app, &key, "T-USSQ", "NRB-ID-REPLACE", "0700000001").await;
        assert_eq!(mine, "B004");
        // Three ahead, fifteen minutes each, two counters: about 23 minutes.
        let shown = dial(&app, "t1", PHONE, "4").await;
        assert!(shown.starts_with("END Ticket B004\nTest Centre T-USSQ\n") && shown.ends_with("\nPlace in queue: 4\nWait: about 23 min"), "{shown}");
        call(&app, &key, "T-USSQ", "1").await;
        let moved = dial(&app, "t2", PHONE, "4").await;
        assert!(moved.ends_with("\nPlace in queue: 3\nWait: about 15 min"), "{moved}");
        // Two tickets: listed, newest first, one chosen.
        ticket(&app, &key, "T-USSQ", "CRS-BIRTH-CERT", PHONE).await;
        let list = dial(&app, "t4", PHONE, "4").await;
        assert_eq!(list, "CON Your tickets today:\n1 C001 Test Centre T-USSQ\n2 B004 Test Centre T-USSQ\n0 Back");
        assert!(dial(&app, "t4", PHONE, "4*7").await.starts_with("CON Choose a number from the list.\nYour tickets today:"));
        assert!(dial(&app, "t4", PHONE, "4*2").await.starts_with("END Ticket B004\n"));
        // Counter 2 serves B only: B002, B003, then B004.
        for _ in 0..3 {
            call(&app, &key, "T-USSQ", "2").await;
        }
        assert!(dial(&app, "t5", PHONE, "4*2").await.ends_with("\nCalled: go to counter 2 now."));
        // Another phone sees nothing of this one's.
        assert!(dial(&app, "t6", "+254722000000", "4").await.starts_with("END No queue ticket"));
        // In Kiswahili (the phone keeps the language: last).
        assert!(dial(&app, "t7", PHONE, "6*4*2")
            .await
            .ends_with("\nUmeitwa: nenda dirisha 2 sasa."));
    }
}

backend_tests! {
    spawn = crate::insights_survey::spawn;

    async fn rating_answers_a_survey_once(app: TestApp) {
        let k = kit(&app).await;
        let nothing = dial(&app, "r0", PHONE, "5").await;
        assert!(nothing.starts_with("END Nothing to rate"), "{nothing}");
        let reference = completed(&app, &k, "USSDRATE01").await;
        test_centre(&app, "T-USSR", 1, "00:00-23:45", 15, 500).await;
        let key = app.agency_key("HUDUMA", &["queue:write"]).await;
        let number = ticket(&app, &key, "T-USSR", "NRB-ID-REPLACE", PHONE).await;
        call(&app, &key, "T-USSR", "1").await;
        let (status, body) = app.api(Method::POST, &key, &format!("/api/v1/centres/T-USSR/tickets/{number}/done"), None).await;
        assert_eq!(status, 200, "{body}");
        let list = dial(&app, "r1", PHONE, "5").await;
        assert!(list.starts_with(&format!("CON Choose what to rate:\n1 Ticket {number} Test Centre T-USSR\n2 {reference} ")), "{list}");
        let question = dial(&app, "r1", PHONE, "5*2").await;
        assert!(question.starts_with(&format!("CON {reference} ")) && question.contains("\nHow satisfied were you?\n1 Very dissatisfied") && question.ends_with("5 Very satisfied\n0 Back"), "{question}");
        assert!(dial(&app, "r1", PHONE, "5*2*9").await.starts_with("CON Choose 1 to 5.\n"));
        let (a, b) = tokio::join!(dial(&app, "r1", PHONE, "5*2*4"), dial(&app, "r1", PHONE, "5*2*4"));
        assert_eq!(a, "END Thank you: your rating helps improve government services.");
        assert_eq!(b, a);
        assert_eq!(dial(&app, "r1", PHONE, "5*2*4").await, a);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM survey_responses WHERE reference = $1 AND overall = 4 AND channel = 'ussd'", &reference).await, 1, "counted as answered by phone");
        // Rated: no longer offered; the ticket is rated next, once.
        let rest = dial(&app, "r2", PHONE, "5").await;
        assert!(!rest.contains(&reference) && rest.contains(&format!("1 Ticket {number}")), "{rest}");
        assert_eq!(dial(&app, "r2", PHONE, "5*1*5").await, a);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM ticket_surveys WHERE score = 5 AND phone = $1 AND channel = 'ussd'", PHONE).await, 1);
        assert!(dial(&app, "r3", PHONE, "5").await.starts_with("END Nothing to rate"));
        assert!(dial(&app, "r4", PHONE, "6*5").await.starts_with("END Hakuna cha kutathmini"));

        // A score confirms only what its screen showed: another visit served meanwhile goes
        // to the top of the list, and "1" now names it; the score rates nothing.
        assert!(dial(&app, "r4", PHONE, "6*0*6").await.starts_with("CON Language: English"), "back to English");
        let first = ticket(&app, &key, "T-USSR", "NRB-ID-REPLACE", PHONE).await;
        serve(&app, &key, "T-USSR", &first).await;
        let question = dial(&app, "r5", PHONE, "5*1").await;
        assert!(question.starts_with(&format!("CON Ticket {first} ")), "{question}");
        let second = ticket(&app, &key, "T-USSR", "NRB-ID-REPLACE", PHONE).await;
        serve(&app, &key, "T-USSR", &second).await;
        let changed = dial(&app, "r5", PHONE, "5*1*5").await;
        assert!(changed.starts_with(&format!("CON The list has changed: choose again.\nChoose what to rate:\n1 Ticket {second} ")), "{changed}");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM ticket_surveys WHERE score IS NOT NULL AND ticket_id IN (SELECT id FROM tickets WHERE number = $1)", &first).await, 0, "nothing rated");
        assert!(dial(&app, "r7", PHONE, "5*1").await.starts_with(&format!("CON Ticket {second} ")));
    }
}
