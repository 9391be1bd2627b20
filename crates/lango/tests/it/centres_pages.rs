//! Centres as people meet them, through the pages with forms and CSRF: the directory linked
//! from the home page and a service's page, booking an appointment (one question a page,
//! check, confirmation with a reference, the SMS), cancelling it, and the centre's desk:
//! reception issues a ticket, a counter calls and finishes it, the board shows the call.

use crate::backend_tests;
use crate::browser_kit::Browser;
use lango_identity::model::Role;

const PASSWORD: &str = "correct horse battery";

/// The value of the first radio named `name` on a page.
fn first_radio(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    html.split(&marker)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_else(|| panic!("no {name} choice in {html}"))
        .to_string()
}

backend_tests! {
    async fn a_person_finds_a_centre_books_and_cancels_an_appointment(app: TestApp) {
        app.person("33330001", "booker@example.com", PASSWORD).await;
        let mut b = Browser::new(&app);
        let home = b.get("/").await;
        assert!(home.html.contains("href=\"/centres\""), "the home page links the centres");
        let list = b.get("/centres?county=Nairobi").await;
        assert_eq!(list.status, 200);
        assert!(list.html.contains("Huduma Centre GPO") && !list.html.contains("Huduma Centre Mombasa"));
        let service = b.get("/services/DIS-PASSPORT").await;
        assert!(service.html.contains("/centres/HC-GPO/book?service=DIS-PASSPORT"), "a service page lists where to go in person");
        let centre = b.get("/centres/HC-GPO").await;
        assert!(centre.html.contains("07:30–18:00"));
        // Booking asks to sign in first, then comes back.
        let first = b.get("/centres/HC-GPO/book?service=DIS-PASSPORT").await;
        assert_eq!(first.status, 303);
        assert!(first.location.starts_with("/signin?next="));
        b.sign_in("33330001", PASSWORD).await;
        let days = b.get("/centres/HC-GPO/book?service=DIS-PASSPORT").await;
        assert_eq!(days.status, 200, "{}", days.html);
        let nothing = b.get("/centres/HC-GPO/book?service=DIS-PASSPORT&asked=day").await;
        assert_eq!(nothing.status, 400, "no day chosen: asked again with the error");
        assert!(nothing.html.contains("href=\"#f-day-0\""));
        let day = first_radio(&days.html, "day");
        let times = b.get(&format!("/centres/HC-GPO/book?service=DIS-PASSPORT&day={day}")).await;
        let start = first_radio(&times.html, "start");
        let unchosen = b.post("/centres/HC-GPO/book/check", &[("service", "DIS-PASSPORT"), ("day", &day)]).await;
        assert_eq!(unchosen.status, 400);
        assert!(unchosen.html.contains("error-summary") && unchosen.html.contains("href=\"#f-start-0\""));
        let check = b.post("/centres/HC-GPO/book/check", &[("service", "DIS-PASSPORT"), ("day", &day), ("start", &start)]).await;
        assert_eq!(check.status, 200);
        assert!(check.html.contains("33330001") && check.html.contains(&day));
        let booked = b.post("/centres/HC-GPO/book", &[("service", "DIS-PASSPORT"), ("start", &start)]).await;
        assert_eq!(booked.status, 303, "{}", booked.html);
        let confirmation = b.get(&booked.location).await;
        assert!(confirmation.html.contains("class=\"reference\""));
        let reference = booked.location.trim_start_matches("/account/appointments/").split('?').next().unwrap().to_string();
        assert!(confirmation.html.contains(&reference));
        let again = b.post("/centres/HC-GPO/book", &[("service", "DIS-PASSPORT"), ("start", &start)]).await;
        assert_eq!(again.status, 400, "the same person, service and day twice");
        let db = app.db().await;
        let sms = lango_notify::to_recipient(&db, "+254700000001", 10).await.unwrap();
        db.close().await;
        assert!(sms.iter().any(|m| m.event_type.as_deref() == Some("appointment.booked") && m.body.contains(&reference)));
        let mine = b.get("/account/appointments").await;
        assert!(mine.html.contains(&reference));
        let cancelled = b.post(&format!("/account/appointments/{reference}/cancel"), &[]).await;
        assert_eq!(cancelled.status, 303);
        let page = b.get(&cancelled.location).await;
        assert!(page.html.contains("Cancelled"));
        // Someone else's appointment is not found.
        app.person("33330002", "other@example.com", PASSWORD).await;
        let mut other = Browser::new(&app);
        other.sign_in("33330002", PASSWORD).await;
        assert_eq!(other.get(&format!("/account/appointments/{reference}")).await.status, 404);
    }

    async fn the_desk_issues_calls_and_finishes_and_the_board_shows_the_call(app: TestApp) {
        let staff = app.staff("desk@huduma.example", PASSWORD, Role::Officer, Some("DIS")).await;
        let db = app.db().await;
        lango_identity::seed::grant(&db, &staff, Role::CentreStaff, None, Some("HC-MSA")).await.unwrap();
        db.close().await;
        let mut b = Browser::new(&app);
        b.sign_in("desk@huduma.example", PASSWORD).await;
        assert_eq!(b.get("/desk/HC-GPO").await.status, 403, "staff of another centre");
        let desk = b.get("/desk/HC-MSA").await;
        assert_eq!(desk.status, 200);
        let issued = b.post("/desk/HC-MSA/tickets", &[("service", "NRB-ID-REPLACE"), ("lane", "walk_in"), ("phone", "")]).await;
        assert_eq!(issued.status, 303);
        assert!(issued.location.contains("issued=B001"), "{}", issued.location);
        let bad = b.post("/desk/HC-MSA/tickets", &[("service", "NOPE-NOPE"), ("lane", "walk_in")]).await;
        assert_eq!(bad.status, 400);
        assert!(bad.html.contains("error-summary"));
        b.get("/desk/HC-MSA/counters/3").await;
        let called = b.post("/desk/HC-MSA/counters/3/call", &[]).await;
        assert_eq!(called.status, 303);
        let counter = b.get(&called.location).await;
        assert!(counter.html.contains("B001"), "the counter shows what it serves");
        let board = app.get("/centres/HC-MSA/board").await.text().await.unwrap();
        assert!(board.contains("B001") && board.contains("counter 3") && board.contains("dirisha 3"), "{board}");
        let done = b.post("/desk/HC-MSA/counters/3/tickets/B001", &[("act", "done")]).await;
        assert_eq!(done.status, 303);
        let live = b.get("/desk/HC-MSA/live").await;
        assert_eq!(live.status, 200);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM tickets WHERE centre = $1 AND status = 'served'", "HC-MSA").await, 1);
        // Reception books for a person at the desk: channel centre, told by SMS.
        let (day, slots) = crate::centres::next_open_day(&app, "HC-MSA", "NRB-ID-REPLACE").await;
        let time = slots[0]["start"].as_str().unwrap()[11..16].to_string();
        b.get("/desk/HC-MSA").await;
        let booked = b.post("/desk/HC-MSA/appointments", &[("service", "NRB-ID-REPLACE"), ("day", &day), ("time", &time), ("name", "Juma Bakari"), ("phone", "0733000001"), ("id_number", "55550001")]).await;
        assert_eq!(booked.status, 303, "{}", booked.html);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM appointments WHERE channel = $1", "centre").await, 1);
        let late = b.post("/desk/HC-MSA/appointments", &[("service", "NRB-ID-REPLACE"), ("day", &day), ("time", "23:00"), ("name", "Juma Bakari"), ("phone", "0733000001"), ("id_number", "55550002")]).await;
        assert_eq!(late.status, 400, "no slot then: the desk says so");
        assert!(late.html.contains("error-summary"));
        let none = b.post("/desk/HC-MSA/counters/3/call", &[]).await;
        assert!(b.get(&none.location).await.html.contains("Nobody is waiting"));
    }

    async fn the_desk_words_the_centres_refusals_in_kiswahili(app: TestApp) {
        let staff = app.staff("sw-desk@huduma.example", PASSWORD, Role::Officer, Some("DIS")).await;
        let db = app.db().await;
        lango_identity::seed::grant(&db, &staff, Role::CentreStaff, None, Some("HC-MSA")).await.unwrap();
        db.close().await;
        let mut b = Browser::new(&app);
        b.sign_in("sw-desk@huduma.example", PASSWORD).await;
        b.get("/language?to=sw&next=%2Fdesk%2FHC-MSA").await;
        b.get("/desk/HC-MSA").await;
        let bad = b.post("/desk/HC-MSA/tickets", &[("service", "NOPE-NOPE"), ("lane", "walk_in")]).await;
        assert_eq!(bad.status, 400);
        assert!(bad.html.contains("HC-MSA hakitoi huduma ya NOPE-NOPE"), "{}", bad.html);
        assert!(!bad.html.contains("does not offer"), "no English in a Kiswahili page");
        b.get("/desk/HC-MSA/counters/3").await;
        let gone = b.post("/desk/HC-MSA/counters/3/tickets/Z999", &[("act", "done")]).await;
        assert_eq!(gone.status, 303);
        let told = b.get(&gone.location).await;
        assert!(told.html.contains("Hakuna tiketi Z999"), "{}", told.html);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM tickets WHERE centre = $1", "HC-MSA").await, 0, "a refusal changes nothing");
    }
}
