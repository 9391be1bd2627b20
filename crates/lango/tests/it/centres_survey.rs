//! Exit satisfaction at service centres (issue 18, part 5): a finished ticket with a phone
//! is asked by SMS and a reply 1–5 scores it once; the counter's tablet page rates a ticket
//! served today once; the centre figures and the open data show the satisfaction.

use crate::backend_tests;
use crate::browser_kit::Browser;
use crate::centres::test_centre;
use crate::support::{Backend, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const CENTRE: &str = "T-SURV";
const PHONE: &str = "+254711000051";

/// An app that believes the SMS gateway's incoming messages from loopback.
async fn spawn(backend: Backend) -> Option<TestApp> {
    let gateway = [("LANGO_SMS_REPORT_NETWORKS", "127.0.0.0/8,::1".to_string())];
    TestApp::spawn_configured(backend, false, &gateway).await
}

/// Posts an incoming SMS as Africa's Talking does; returns the status.
async fn incoming(app: &TestApp, from: &str, text: &str) -> u16 {
    let form = [
        ("from", from),
        ("to", "22384"),
        ("text", text),
        ("date", "2026-11-23 10:15:00"),
        ("id", "ATXid_incoming_9"),
        ("linkId", "SampleLinkId123"),
        ("networkCode", "63902"),
    ];
    app.client
        .post(format!("{}/channels/sms/incoming", app.base))
        .form(&form)
        .send()
        .await
        .expect("POST incoming")
        .status()
        .as_u16()
}

/// The survey row of ticket `number` at [`CENTRE`]: (score, channel).
async fn survey(app: &TestApp, number: &str) -> Option<(Option<i64>, Option<String>)> {
    let db = app.db().await;
    let row: Option<(Option<i64>, Option<String>)> = sqlx::query_as(
        "SELECT s.score, s.channel FROM ticket_surveys s JOIN tickets t ON t.id = s.ticket_id WHERE t.centre = $1 AND t.number = $2",
    )
    .bind(CENTRE)
    .bind(number)
    .fetch_optional(db.pool())
    .await
    .unwrap();
    db.close().await;
    row
}

async fn survey_sms(app: &TestApp, phone: &str) -> Vec<String> {
    let db = app.db().await;
    let sent: Vec<String> = lango_notify::to_recipient(&db, phone, 10)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.event_type.as_deref() == Some("ticket.survey"))
        .map(|m| m.body)
        .collect();
    db.close().await;
    sent
}

fn decimal(v: &Value) -> f64 {
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or_else(|| panic!("not a decimal: {v}"))
}

backend_tests! {
    spawn = spawn;
    async fn finished_tickets_are_asked_once_by_sms_or_on_the_tablet_and_the_figures_show_it(app: TestApp) {
        test_centre(&app, CENTRE, 2, "00:00-23:59", 5, 10_000).await;
        let key = app.agency_key("HUDUMA", &["queue:write"]).await;
        let tickets = format!("/api/v1/centres/{CENTRE}/tickets");
        for body in [
            json!({"service": "NRB-ID-REPLACE", "phone": "0711000051"}),
            json!({"service": "NRB-ID-REPLACE"}),
            json!({"service": "NRB-ID-REPLACE"}),
        ] {
            let (status, t) = app.api(Method::POST, &key, &tickets, Some(body)).await;
            assert_eq!(status, 201, "{t}");
        }
        let call = format!("/api/v1/centres/{CENTRE}/counters/1/call");
        let (_, t) = app.api(Method::POST, &key, &call, None).await;
        assert_eq!(t["number"], "B001");
        assert!(survey_sms(&app, PHONE).await.is_empty(), "asked only once finished");
        let (status, done) = app.api(Method::POST, &key, &format!("/api/v1/centres/{CENTRE}/tickets/B001/done"), None).await;
        assert_eq!(status, 200, "{done}");
        let sent = survey_sms(&app, PHONE).await;
        assert_eq!(sent.len(), 1, "one survey SMS: {sent:?}");
        assert!(sent[0].contains("B001") && sent[0].contains("1") && sent[0].contains("5"), "{}", sent[0]);
        assert_eq!(survey(&app, "B001").await, Some((None, None)));

        // The reply scores it; a second reply changes nothing.
        assert_eq!(incoming(&app, PHONE, "4").await, 200);
        assert_eq!(survey(&app, "B001").await, Some((Some(4), Some("sms".into()))));
        assert_eq!(incoming(&app, PHONE, "1").await, 200);
        assert_eq!(survey(&app, "B001").await, Some((Some(4), Some("sms".into()))), "answered once");
        // A reply from a number never asked is answered, and changes nothing.
        assert_eq!(incoming(&app, "+254711000052", "5").await, 200);

        // "Call next" finishes B002 (no phone: no SMS, still rateable on the tablet).
        let (_, t) = app.api(Method::POST, &key, &call, None).await;
        assert_eq!(t["number"], "B002");
        let (_, t) = app.api(Method::POST, &key, &call, None).await;
        assert_eq!(t["number"], "B003");
        assert_eq!(survey(&app, "B002").await, Some((None, None)), "call next finished B002");
        {
            let db = app.db().await;
            let c = lango_centres::Centres::new(db.clone());
            let centre = c.get(CENTRE).await.unwrap();
            assert_eq!(c.last_unrated(&centre, "1").await.unwrap().as_deref(), Some("B002"), "the counter links to it");
            db.close().await;
        }

        // The tablet page: the question, an error summary without an answer, thanks.
        let mut b = Browser::new(&app);
        let rate = format!("/centres/{CENTRE}/rate/B002");
        let page = b.get(&rate).await;
        assert_eq!(page.status, 200, "{}", page.html);
        assert!(page.html.contains("Very dissatisfied") && page.html.contains("Very satisfied"), "{}", page.html);
        assert!(page.html.contains("name=\"csrf\""));
        let none = b.post(&rate, &[]).await;
        assert_eq!(none.status, 400);
        assert!(none.html.contains("error-summary") && none.html.contains("href=\"#f-score\""), "{}", none.html);
        assert_eq!(survey(&app, "B002").await, Some((None, None)));
        let forged = b.post_raw(&rate, "csrf=wrong&score=5".into()).await;
        assert_eq!(forged.status, 403, "CSRF as every form");
        let thanks = b.post(&rate, &[("score", "2")]).await;
        assert_eq!(thanks.status, 200, "{}", thanks.html);
        assert!(thanks.html.contains("Thank you"), "{}", thanks.html);
        assert_eq!(survey(&app, "B002").await, Some((Some(2), Some("page".into()))));
        // A second rating is refused and changes nothing.
        let again = b.get(&rate).await;
        assert_eq!(again.status, 409);
        assert!(again.html.contains("already been rated"), "{}", again.html);
        b.get(&format!("/centres/{CENTRE}/rate/B001")).await;
        let again = b.post(&rate, &[("score", "5")]).await;
        assert_eq!(again.status, 409);
        assert_eq!(survey(&app, "B002").await, Some((Some(2), Some("page".into()))));
        let sms_rated = b.post(&format!("/centres/{CENTRE}/rate/B001"), &[("score", "1")]).await;
        assert_eq!(sms_rated.status, 409, "rated by SMS already");
        assert_eq!(survey(&app, "B001").await, Some((Some(4), Some("sms".into()))));
        // B003 is being served, not served: it cannot be rated.
        let not_served = b.get(&format!("/centres/{CENTRE}/rate/B003")).await;
        assert_eq!(not_served.status, 404);
        assert!(not_served.html.contains("cannot be rated"), "{}", not_served.html);
        let not_served = b.post(&format!("/centres/{CENTRE}/rate/B003"), &[("score", "5")]).await;
        assert_eq!(not_served.status, 404);
        assert_eq!(survey(&app, "B003").await, None);
        assert_eq!(b.get("/centres/NO-SUCH/rate/B001").await.status, 404);

        // The figures: two answers, one of them satisfied.
        let html = app.get("/performance/centres").await.text().await.unwrap();
        assert!(html.contains("Satisfaction answers"), "a column");
        let row = html.split(&format!("id=\"fig-{CENTRE}\"")).nth(1).unwrap().split("</tr>").next().unwrap();
        assert!(row.contains("<td class=\"num\">2</td><td class=\"num\">50.0%</td>"), "{row}");
        let data = app.get_json("/api/v1/open-data/centres.json?agency=HUDUMA&service=NRB-ID-REPLACE", 200).await;
        let rows = data["rows"].as_array().unwrap();
        let ours = rows.iter().find(|r| r["centre"] == CENTRE).unwrap_or_else(|| panic!("{data}"));
        assert_eq!(ours["satisfaction_responses"], 2, "{ours}");
        assert_eq!(decimal(&ours["satisfied_share"]), 0.5, "{ours}");
        let csv = app.get("/api/v1/open-data/centres.csv").await.text().await.unwrap();
        assert!(csv.lines().next().unwrap().ends_with(",satisfaction_responses,satisfied_share"), "{csv}");
    }
}
