//! A citizen applies and pays in real Chromium (an M-Pesa prompt answered by the Daraja
//! simulator), and hears about it: the SMS gateway simulator and a real SMTP server receive
//! "application received", "please pay" and "payment received", each once, in their language.
//!
//! Runs when /usr/bin/chromium and /usr/bin/chromedriver exist (see browser_kit.rs).

use crate::browser_kit::{click, driver, fill, heading_is};
use crate::cases_journey::definitions;
use crate::notifications_journey::{DEFINITION, PASSWORD, SERVICE_EN};
use crate::sms_simulator::SmsSimulator;
use crate::smtp_server::SmtpServer;
use crate::support::Backend;
use fantoccini::{Client, Locator};

const PHONE: &str = "+254700000066";
const EMAIL: &str = "zawadi@example.com";

async fn text_of(c: &Client, css: &str) -> String {
    c.wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_applies_and_pays_in_chromium_and_hears_each_step_once() {
    let Some(d) = driver().await else { return };
    let dir = definitions(DEFINITION);
    let sms = SmsSimulator::start().await;
    let smtp = SmtpServer::start().await;
    let mut extra: Vec<(&str, String)> = sms.settings();
    extra.extend(smtp.settings());
    extra.push(("LANGO_DEFINITIONS_DIR", dir.path().display().to_string()));
    let env = crate::stk::env_with(Backend::Sqlite, crate::stk::fast(), &extra)
        .await
        .unwrap();
    let app = &env.app;
    sms.set_callback(&app.base);
    let id = app.person("29875555", EMAIL, PASSWORD).await;
    let db = app.db().await;
    sqlx::query("UPDATE accounts SET phone = $1 WHERE id = $2")
        .bind(PHONE)
        .bind(&id)
        .execute(db.pool())
        .await
        .unwrap();
    db.close().await;

    let c = &d.client;
    let title = "Apply for an electronic travel authorisation";
    c.goto(&format!("{}/services/DIS-ETA/apply", app.base))
        .await
        .unwrap();
    heading_is(c, title).await;
    click(c, "main form button.start").await;
    heading_is(c, "Sign in").await;
    fill(c, "f-identifier", "29875555").await;
    fill(c, "f-password", PASSWORD).await;
    click(c, "main form button[type=submit]").await;
    heading_is(c, title).await;
    click(c, "main form button.start").await;
    heading_is(c, "The traveller").await;
    fill(c, "f-full_name", "Zawadi Achieng").await;
    click(c, "main form .actions button[value=continue]").await;
    heading_is(c, "Check your answers before sending your application").await;
    click(c, "main a.button").await;
    heading_is(c, "Declaration").await;
    click(c, "label[for=f-declaration]").await;
    click(c, "main form button[type=submit]").await;
    heading_is(c, "Application sent").await;
    let reference = text_of(c, ".reference").await;

    // Pay: the bill's page, an M-Pesa prompt to the phone, answered by the simulator.
    click(c, "main a[href^='/pay/']").await;
    let status = text_of(c, "#bill-status").await;
    assert_eq!(status, "Not paid");
    let bill = c
        .current_url()
        .await
        .unwrap()
        .path()
        .trim_start_matches("/pay/")
        .to_string();
    fill(c, "f-mpesa_phone", "0700 000 066").await;
    click(c, "main form button[type=submit]").await;
    let mut receipt = String::new();
    // Looked up as a person would, well under the 60 bill look-ups a minute a client may
    // make (a slow machine would otherwise meet the limit before the payment lands).
    let mut last = String::new();
    for _ in 0..60 {
        c.goto(&format!("{}/pay/{bill}", app.base)).await.unwrap();
        match c.find(Locator::Css("#bill-status")).await {
            Ok(status) if status.text().await.unwrap() == "Paid" => {
                receipt = text_of(c, "#payments tbody td").await;
                break;
            }
            Ok(_) => {}
            // Not the bill's page: kept to say what it was if it never comes.
            Err(_) => last = c.source().await.unwrap_or_default(),
        }
        tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    }
    assert!(
        !receipt.is_empty(),
        "the prompt was never paid; last other page: {last}"
    );

    // Each step heard once by SMS and once by e-mail.
    let expected = [
        ("we received your application for", reference.as_str()),
        ("please pay KES 6,100.00", bill.as_str()),
        ("we received your payment of KES 6,100.00", receipt.as_str()),
    ];
    app.eventually("three SMS and three e-mails", || async {
        sms.messages().iter().filter(|m| m.to == PHONE).count() >= 3
            && smtp
                .received()
                .iter()
                .filter(|m| m.rcpt_tos.iter().any(|r| r == EMAIL))
                .count()
                >= 3
    })
    .await;
    let texts: Vec<String> = sms
        .messages()
        .into_iter()
        .filter(|m| m.to == PHONE)
        .map(|m| m.message)
        .collect();
    assert_eq!(texts.len(), 3, "{texts:#?}");
    for (what, detail) in expected {
        let one: Vec<&String> = texts
            .iter()
            .filter(|t| t.contains(what) && t.contains(detail))
            .collect();
        assert_eq!(one.len(), 1, "{what} {detail}: {texts:#?}");
    }
    assert!(texts.iter().any(|t| t.contains(SERVICE_EN)));
    smtp.wait_for(EMAIL, &format!("Your reference is {reference}"))
        .await;
    smtp.wait_for(
        EMAIL,
        &format!("A bill of KES 6,100.00 has been raised for {SERVICE_EN} (reference {reference})"),
    )
    .await;
    smtp.wait_for(EMAIL, &format!("Your receipt number is {receipt}"))
        .await;
    let mails = smtp.received();
    assert_eq!(
        mails
            .iter()
            .filter(|m| m.rcpt_tos.iter().any(|r| r == EMAIL))
            .count(),
        3,
        "{mails:#?}"
    );
    d.client.clone().close().await.unwrap();
}
