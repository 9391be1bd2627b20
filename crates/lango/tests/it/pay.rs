//! The public payment page: what a bill is for and what is due (never who pays), how to pay
//! by paybill, the prompt form with its error summary, card, paid/cancelled/cents bills, and
//! Kiswahili; plus a paybill payment made through the simulator's `/simulator/pay`.

use crate::browser_kit::Browser;
use crate::stk::{ask, bill, Env};
use crate::support::{Backend, TestApp};
use std::sync::atomic::Ordering;

async fn set_status(app: &TestApp, reference: &str, status: &str) {
    let db = app.db().await;
    sqlx::query("UPDATE bills SET status = $1 WHERE reference = $2")
        .bind(status)
        .bind(reference)
        .execute(db.pool())
        .await
        .unwrap();
    db.close().await;
}

crate::stk::simulator_tests! {
    async fn the_page_says_what_is_due_and_how_to_pay(env: Env) {
        let Env { app, .. } = &env;
        let reference = bill(app, "4550.00").await;
        let grouped = format!("{} {}", &reference[..4], &reference[4..]);
        let mut b = Browser::new(app);
        let page = b.get(&format!("/pay/{reference}")).await;
        assert_eq!(page.status, 200);
        let html = &page.html;
        for want in [
            "Apply for a passport", "Directorate of Immigration", "KES 4,600.00", "KES 0.00",
            "Not paid", "Pay with M-Pesa Paybill",
            "id=\"business-number\">222222<", &format!("id=\"account-number\">{grouped}<"),
            "Get a payment request on your phone", "name=\"mpesa_phone\"",
            &format!("action=\"/pay/{reference}/mpesa\""), "name=\"csrf\"",
            // The reference never breaks across lines.
            &format!("<span class=\"nowrap\">{grouped}</span>"), &format!("<dd class=\"nowrap\">{grouped}</dd>"),
            &format!("class=\"secret nowrap\" id=\"account-number\">{grouped}<"),
        ] {
            assert!(html.contains(want), "{want} missing: {html}");
        }
        // Anyone with the reference sees this page: nothing about the payer.
        for secret in ["Wanjiku", "712345678", "wanjiku@example.com"] {
            assert!(!html.contains(secret), "{secret} shown");
        }
        assert!(!html.contains("/card\""), "no card without a card provider");
        // The reference as typed on a phone leads to the one address; a typo to nothing.
        let typed = app.get(&format!("/pay/{}", reference.to_lowercase())).await;
        assert_eq!(typed.status().as_u16(), 303);
        assert_eq!(typed.headers()["location"], format!("/pay/{reference}").as_str());
        let mut typo = reference.clone().into_bytes();
        typo[0] = if typo[0] == b'2' { b'3' } else { b'2' };
        for path in [format!("/pay/{}", String::from_utf8(typo).unwrap()), "/pay/ABCD".into(), "/pay/ABCD2345/mpesa/ws_CO_1".into()] {
            let res = app.get(&path).await;
            assert_eq!(res.status().as_u16(), 404, "{path}");
            assert!(res.text().await.unwrap().contains("Page not found"), "{path}");
        }
        // A prompt of another bill is not shown under this one.
        let sent = ask(&mut b, &reference, "0712345678").await;
        let other = bill(app, "100.00").await;
        let checkout = sent.location.rsplit('/').next().unwrap();
        assert_eq!(app.get(&format!("/pay/{other}/mpesa/{checkout}")).await.status().as_u16(), 404);
    }

    async fn a_bad_phone_is_named_in_the_error_summary(env: Env) {
        let Env { app, sim } = &env;
        let reference = bill(app, "4550.00").await;
        let mut b = Browser::new(app);
        for phone in ["", "12345", "0812 345 678", "+255 712 345 678"] {
            let page = ask(&mut b, &reference, phone).await;
            assert_eq!(page.status, 400, "{phone:?}");
            assert!(page.html.contains("class=\"error-summary\""), "{}", page.html);
            assert!(page.html.contains("<a href=\"#f-mpesa_phone\">Enter an M-Pesa phone number, like 0712 345 678</a>"), "{}", page.html);
            assert!(page.html.contains("aria-invalid=\"true\""));
            assert!(page.html.contains(&format!("value=\"{phone}\"")), "what was typed is kept");
        }
        assert_eq!(app.count("stk_requests").await, 0);
        assert_eq!(sim.counters().stk_pushes.load(Ordering::SeqCst), 0);
        // A form without its CSRF token is refused before anything happens.
        let forged = b.post_raw(&format!("/pay/{reference}/mpesa"), "mpesa_phone=0712345678".into()).await;
        assert_eq!(forged.status, 403);
        assert_eq!(app.count("stk_requests").await, 0);
    }

    async fn the_page_in_kiswahili(env: Env) {
        let Env { app, .. } = &env;
        let reference = bill(app, "4550.00").await;
        let mut b = Browser::new(app);
        b.cookies.insert("lang".into(), "sw".into());
        let page = b.get(&format!("/pay/{reference}")).await;
        for want in ["lang=\"sw\"", "Lipa bili", "Omba pasipoti", "Haijalipwa", "Lipa kwa M-Pesa Paybill",
                     "Nambari ya biashara", "Nambari ya akaunti", "Pata ombi la malipo kwenye simu yako"] {
            assert!(page.html.contains(want), "{want} missing: {}", page.html);
        }
        let wrong = ask(&mut b, &reference, "123").await;
        assert!(wrong.html.contains("Andika nambari ya simu ya M-Pesa"), "{}", wrong.html);
    }

    async fn paid_by_paybill_cancelled_and_cents(env: Env) {
        let Env { app, sim } = &env;
        // A customer pays by paybill, typing the reference loosely: M-Pesa (the simulator)
        // validates, completes and confirms; the page then shows the bill paid.
        let reference = bill(app, "4550.00").await;
        let typed = format!("{} {}", reference[..4].to_lowercase(), &reference[4..]);
        let paid: serde_json::Value = app.client.post(format!("{}/simulator/pay", sim.base_url()))
            .json(&serde_json::json!({"bill_ref": typed, "amount": "4600.00", "msisdn": "254712345678", "name": "Wanjiku Kamau"}))
            .send().await.unwrap().json().await.unwrap();
        assert_eq!(paid["Completed"], true, "{paid}");
        let receipt = paid["TransID"].as_str().unwrap().to_string();
        let mut b = Browser::new(app);
        let path = format!("/pay/{reference}");
        let mut html = String::new();
        // Well under the 60 bill look-ups a minute a client may make.
        for _ in 0..50 {
            html = b.get(&path).await.html;
            if html.contains("This bill is paid") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
        }
        assert!(html.contains("This bill is paid") && html.contains(&receipt) && html.contains("KES 4,600.00"), "{html}");
        assert!(!html.contains("mpesa_phone") && !html.contains("Pay with M-Pesa Paybill"), "nothing more to pay");
        assert!(sim.transactions().iter().any(|t| t.trans_id == receipt && t.delivered));
        // A paybill payment to a reference with a typo is refused at validation: no money moves.
        let refused: serde_json::Value = app.client.post(format!("{}/simulator/pay", sim.base_url()))
            .json(&serde_json::json!({"bill_ref": "ABCD2345", "amount": "10"}))
            .send().await.unwrap().json().await.unwrap();
        assert_eq!((refused["Completed"].as_bool(), refused["ResultCode"].as_str()), (Some(false), Some("C2B00012")));
        assert_eq!(sim.transactions().len(), 1);

        let cancelled = bill(app, "4550.00").await;
        set_status(app, &cancelled, "cancelled").await;
        let page = b.get(&format!("/pay/{cancelled}")).await;
        assert!(page.html.contains("This bill was cancelled and cannot be paid") && page.html.contains("Cancelled"), "{}", page.html);
        assert!(!page.html.contains("mpesa_phone") && !page.html.contains("Pay with M-Pesa Paybill"));
        let expired = bill(app, "4550.00").await;
        // The form is read while the bill is open (its CSRF token comes with it), sent after it closed.
        let open = b.get(&format!("/pay/{expired}")).await;
        assert!(open.html.contains("name=\"mpesa_phone\""), "{}", open.html);
        set_status(app, &expired, "expired").await;
        let page = b.get(&format!("/pay/{expired}")).await;
        assert!(page.html.contains("This bill has expired and cannot be paid"), "{}", page.html);
        // A form sent before the bill closed: back to its page, which says why.
        let sent = b.post(&format!("/pay/{expired}/mpesa"), &[("mpesa_phone", "0712345678")]).await;
        assert_eq!((sent.status, sent.location.as_str()), (303, format!("/pay/{expired}").as_str()));

        // Cents: the paybill takes them, a prompt cannot.
        let cents = bill(app, "4550.50").await;
        let page = b.get(&format!("/pay/{cents}")).await;
        assert!(page.html.contains("KES 4,600.50") && page.html.contains("only be for whole shillings"), "{}", page.html);
        assert!(!page.html.contains("name=\"mpesa_phone\""));
        let sent = b.post(&format!("/pay/{cents}/mpesa"), &[("mpesa_phone", "0712345678")]).await;
        assert_eq!((sent.status, sent.location.as_str()), (303, format!("/pay/{cents}").as_str()));
        assert_eq!(app.count("stk_requests").await, 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_card_button_when_a_card_provider_is_configured() {
    let card = [
        ("LANGO_CARD_PROVIDER_URL", "http://127.0.0.1:9".to_string()),
        ("LANGO_CARD_API_KEY", "test-card-key".to_string()),
        (
            "LANGO_CARD_WEBHOOK_SECRET",
            "test-card-webhook-secret-0123456789".to_string(),
        ),
    ];
    let env = crate::stk::env_with(Backend::Sqlite, crate::stk::fast(), &card)
        .await
        .unwrap();
    let reference = bill(&env.app, "4550.00").await;
    let mut b = Browser::new(&env.app);
    let page = b.get(&format!("/pay/{reference}")).await;
    let form = page
        .html
        .split(&format!("action=\"/pay/{reference}/card\""))
        .nth(1)
        .expect("card form");
    let form = form.split("</form>").next().unwrap();
    assert!(
        form.contains(&format!("name=\"csrf\" value=\"{}\"", b.csrf))
            && form.contains("Pay by card"),
        "{form}"
    );
}

/// Chromium over WebDriver with axe-core, as `browser.rs` runs it, for the pay pages.
mod in_chromium {
    use super::*;
    use crate::browser_kit::{assert_accessible, axe_source, driver, fill, heading_is, submit};
    use fantoccini::Locator;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn paying_a_bill_from_its_page() {
        let Some(d) = driver().await else { return };
        let env = crate::stk::env_with(Backend::Sqlite, crate::stk::fast(), &[])
            .await
            .unwrap();
        let reference = bill(&env.app, "4550.00").await;
        let grouped = format!("{} {}", &reference[..4], &reference[4..]);
        let axe = axe_source();
        let c = &d.client;
        c.goto(&format!("{}/pay/{reference}", env.app.base))
            .await
            .unwrap();
        heading_is(c, &format!("Pay bill {grouped}")).await;
        assert_accessible(c, &axe, "pay page").await;
        // A wrong number: the error summary, linked to the field.
        fill(c, "f-mpesa_phone", "12345").await;
        submit(c).await;
        c.wait()
            .for_element(Locator::Css(".error-summary a[href='#f-mpesa_phone']"))
            .await
            .unwrap();
        assert_accessible(c, &axe, "pay page with errors").await;
        fill(c, "f-mpesa_phone", "0712 345 678").await;
        submit(c).await;
        heading_is(c, "Check your phone").await;
        assert_accessible(c, &axe, "waiting for the payer").await;
        // The page reloads itself (Refresh header) until M-Pesa has answered.
        heading_is(c, "Payment received").await;
        assert_accessible(c, &axe, "payment received").await;
        c.find(Locator::Css("main a[href^='/pay/']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::Css("#payments"))
            .await
            .unwrap();
        assert_accessible(c, &axe, "paid bill").await;
        // A failed prompt, in Kiswahili.
        let failing = bill(&env.app, "4550.00").await;
        c.goto(&format!(
            "{}/language?to=sw&next=/pay/{failing}",
            env.app.base
        ))
        .await
        .unwrap();
        fill(c, "f-mpesa_phone", "0700 001 032").await;
        submit(c).await;
        heading_is(c, "Malipo hayakufanikiwa").await;
        assert_accessible(c, &axe, "failed prompt").await;
        d.client.clone().close().await.unwrap();
    }
}
