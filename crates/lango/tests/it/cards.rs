//! Card payments through the hosted payment page provider simulator, over real HTTP: the
//! payer is sent to the provider's page, fills it in, comes back; the provider's signed
//! webhook arrives too. A success is posted exactly once whatever arrives first and however
//! often; declined, expired and cancelled payments change nothing; forged webhooks are refused.

use crate::browser_kit::Browser;
use crate::support::{Backend, TestApp};
use lango_simulators::card::{self, CardSimulator};

pub const KEY: &str = "test-card-api-key";
pub const SECRET: &str = "test-card-webhook-secret-0123456789";

/// Runs each body on SQLite and PostgreSQL with an app whose card provider is a simulator.
#[macro_export]
macro_rules! card_tests {
    ($(async fn $name:ident($app:ident, $sim:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                async fn run($app: $crate::support::TestApp, $sim: lango_simulators::card::CardSimulator) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let (app, sim) = $crate::cards::spawn($crate::support::Backend::Sqlite).await.unwrap();
                    run(app, sim).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    match $crate::cards::spawn($crate::support::Backend::Postgres).await {
                        Some((app, sim)) => run(app, sim).await,
                        None => eprintln!("LANGO_TEST_POSTGRES_URL is not set: PostgreSQL run skipped"),
                    }
                }
            }
        )*
    };
}

/// An app configured with a fresh card simulator whose webhooks come back to the app.
pub async fn spawn(backend: Backend) -> Option<(TestApp, CardSimulator)> {
    let sim = card::start(card::Settings::new(KEY, SECRET, "http://127.0.0.1:9/"))
        .await
        .expect("card simulator");
    let app = TestApp::spawn_configured(
        backend,
        false,
        &[
            ("LANGO_CARD_PROVIDER_URL", sim.base_url().to_string()),
            ("LANGO_CARD_API_KEY", KEY.to_string()),
            ("LANGO_CARD_WEBHOOK_SECRET", SECRET.to_string()),
            // Refund tests also pay by M-Pesa, whose callbacks come from loopback here.
            ("LANGO_MPESA_SOURCE_NETWORKS", "127.0.0.1/32".to_string()),
        ],
    )
    .await?;
    sim.set_webhook_url(&format!("{}/channels/card/webhook", app.base));
    Some((app, sim))
}

/// Raises a DIS bill of `amount` in `currency`; returns its reference.
pub async fn bill(app: &TestApp, amount: &str, currency: &str) -> String {
    let key = app.agency_key("DIS", &["bills:write"]).await;
    let body =
        serde_json::json!({"service_code": "DIS-PASSPORT", "amount": amount, "currency": currency});
    app.raise_bill(&key, body).await
}

/// A bill as the agency reads it.
pub async fn bill_state(app: &TestApp, reference: &str) -> serde_json::Value {
    let key = app.agency_key("DIS", &["bills:read"]).await;
    let res = app
        .client
        .get(format!("{}/api/v1/bills/{reference}", app.base))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    res.json().await.unwrap()
}

/// Starts paying `reference` by card as a browser would; returns the hosted page's URL.
pub async fn start(b: &mut Browser<'_>, sim: &CardSimulator, reference: &str) -> String {
    // The payment page offers the card (its form carries the CSRF token).
    let page = b.get(&format!("/pay/{reference}")).await;
    assert!(
        page.html
            .contains(&format!("action=\"/pay/{reference}/card\"")),
        "{}",
        page.html
    );
    let started = b.post(&format!("/pay/{reference}/card"), &[]).await;
    assert_eq!(started.status, 303, "{}", started.html);
    assert!(
        started.location.starts_with(sim.base_url()),
        "{}",
        started.location
    );
    started.location
}

/// Fills in the provider's card form with `number`; returns where the payer is sent back to
/// (a path on the app).
pub async fn pay_on_hosted_page(app: &TestApp, hosted: &str, number: &str) -> String {
    let page = app.client.get(hosted).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Enter card details") && html.contains("Cancel payment"));
    let res = app
        .client
        .post(hosted)
        .form(&[
            ("card_number", number),
            ("expiry_month", "12"),
            ("expiry_year", "39"),
            ("cvc", "123"),
            ("cardholder_name", "Wanjiku Kamau"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let back = res.headers()["location"].to_str().unwrap().to_string();
    back.strip_prefix(&app.base)
        .expect("back to the app")
        .to_string()
}

/// Pays `reference` in full with the good test card and waits for the webhook; returns the
/// provider's payment id.
pub async fn pay(app: &TestApp, sim: &CardSimulator, reference: &str) -> String {
    let mut b = Browser::new(app);
    let hosted = start(&mut b, sim, reference).await;
    let back = pay_on_hosted_page(app, &hosted, "4444333322221111").await;
    assert_eq!(b.get(&back).await.status, 200);
    app.eventually("card webhook delivered", || async {
        sim.webhooks().iter().any(|w| w.delivered)
    })
    .await;
    hosted.rsplit('/').next().unwrap().to_string()
}

pub fn ledger_is_clean(app: &TestApp) {
    let out = app.cli(&["ledger", "verify"]);
    assert!(
        out.status.success(),
        "ledger verify: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

card_tests! {
    async fn a_card_payment_is_posted_once_by_return_page_and_webhooks(app, sim) {
        let reference = bill(&app, "4550.00", "KES").await;
        let mut b = Browser::new(&app);
        let hosted = start(&mut b, &sim, &reference).await;
        let payment_id = hosted.rsplit('/').next().unwrap().to_string();
        // The provider's first webhook may find no one and is then retried.
        let webhook_url = format!("{}/channels/card/webhook", app.base);
        sim.set_webhook_url("http://127.0.0.1:9/");
        let back = pay_on_hosted_page(&app, &hosted, "4444333322221111").await;
        assert!(back.starts_with(&format!("/pay/{reference}/card/")));
        sim.set_webhook_url(&webhook_url);
        // The payer's return (three times) races two copies of the webhook, and the
        // provider's own delivery (retried if its first try found no one) arrives too.
        let raced = race(&app, &sim, &back).await;
        assert!(raced.iter().all(|s| *s == 200), "{raced:?}");
        app.eventually("the provider's webhook delivered", || async {
            sim.webhooks().first().is_some_and(|w| w.delivered)
        })
        .await;
        assert_eq!(sim.webhooks()[0].event_type, "card_payment_succeeded");
        let page = b.get(&back).await;
        assert_eq!(page.status, 200);
        assert!(page.html.contains("Payment received") && page.html.contains(&payment_id));
        assert!(page.html.contains("KES 4,600.00") && page.html.contains("Paid in full"));
        let state = bill_state(&app, &reference).await;
        assert_eq!((state["status"].as_str(), state["amount_paid"].as_str()), (Some("paid"), Some("4600.00")));
        let memo = format!("card {payment_id} bill {reference}");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM ledger_transactions WHERE memo = $1", &memo).await, 1);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM events WHERE type = 'payment.received' AND order_key = $1", &reference).await, 1);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM card_payments WHERE posted = 1 AND bill_reference = $1", &reference).await, 1);
        assert_eq!(app.balance("collection:card:KES").await, 460_000);
        assert_eq!(app.balance("revenue:DIS:KES").await, -455_000);
        assert_eq!(app.balance("platform_fees:KES").await, -5_000);
        // A paid bill takes no second card payment.
        let refused = b.post(&format!("/pay/{reference}/card"), &[]).await;
        assert_eq!(refused.status, 409);
        assert!(refused.html.contains("cannot be paid now"));
        // A USD bill keeps its currency on the card.
        let usd = bill(&app, "25.00", "USD").await;
        pay(&app, &sim, &usd).await;
        assert_eq!(bill_state(&app, &usd).await["status"], "paid");
        assert_eq!(app.balance("collection:card:USD").await, 2_600);
        ledger_is_clean(&app);
    }

    async fn declined_expired_and_cancelled_payments_change_nothing(app, sim) {
        let reference = bill(&app, "1000.00", "KES").await;
        let mut b = Browser::new(&app);
        let hosted = start(&mut b, &sim, &reference).await;
        // A mistake on the provider's form is shown there and ends nothing.
        let wrong = app.client.post(&hosted)
            .form(&[("card_number", "4444333322221111"), ("expiry_month", "01"), ("expiry_year", "20"), ("cvc", "12"), ("cardholder_name", "W")])
            .send().await.unwrap();
        assert_eq!(wrong.status().as_u16(), 200);
        assert!(wrong.text().await.unwrap().contains("There is a problem"));
        let back = pay_on_hosted_page(&app, &hosted, "4000000000000002").await;
        let declined = b.get(&back).await;
        assert_eq!(declined.status, 200);
        assert!(declined.html.contains("Your card was declined") && declined.html.contains("Nothing was taken"));
        assert!(declined.html.contains(&format!("action=\"/pay/{reference}/card\"")), "try again");
        // Try again from that page: expired card.
        let hosted = start(&mut b, &sim, &reference).await;
        let back = pay_on_hosted_page(&app, &hosted, "4000000000000069").await;
        assert!(b.get(&back).await.html.contains("The payment has expired"));
        // And once more: the payer cancels on the provider's page.
        let hosted = start(&mut b, &sim, &reference).await;
        let cancelled = app.client.post(format!("{hosted}/cancel")).send().await.unwrap();
        assert_eq!(cancelled.status().as_u16(), 303);
        let back = cancelled.headers()["location"].to_str().unwrap().strip_prefix(&app.base).unwrap().to_string();
        let page = b.get(&back).await;
        assert!(page.html.contains("You cancelled the payment"), "{}", page.html);
        app.eventually("three webhooks delivered", || async {
            let w = sim.webhooks();
            w.len() == 3 && w.iter().all(|w| w.delivered)
        }).await;
        let kinds: Vec<String> = sim.webhooks().iter().map(|w| w.event_type.clone()).collect();
        assert_eq!(kinds, ["card_payment_failed", "card_payment_failed", "card_payment_cancelled"]);
        let statuses = app.scalar("SELECT COUNT(*) FROM card_payments WHERE bill_reference = $1 AND posted = 0 AND status IN ('failed', 'cancelled')", &reference).await;
        assert_eq!(statuses, 3);
        let state = bill_state(&app, &reference).await;
        assert_eq!((state["status"].as_str(), state["amount_paid"].as_str()), (Some("open"), Some("0.00")));
        assert_eq!(app.count("ledger_transactions").await, 0);
        // An attempt that is not this bill's is not found.
        let other = bill(&app, "10.00", "KES").await;
        let id = back.rsplit('/').next().unwrap();
        assert_eq!(b.get(&format!("/pay/{other}/card/{id}")).await.status, 404);
        ledger_is_clean(&app);
    }

    async fn forged_or_missing_signatures_are_refused_and_post_nothing(app, sim) {
        let reference = bill(&app, "4550.00", "KES").await;
        // The genuine webhook goes nowhere for now; the payer never comes back.
        sim.set_webhook_url("http://127.0.0.1:9/");
        let mut b = Browser::new(&app);
        let hosted = start(&mut b, &sim, &reference).await;
        pay_on_hosted_page(&app, &hosted, "4444333322221111").await;
        let body = sim.webhooks()[0].body.clone();
        let url = format!("{}/channels/card/webhook", app.base);
        let send = |signature: Option<String>, body: String| {
            let mut req = app.client.post(&url).header("content-type", "application/json").body(body);
            if let Some(s) = signature {
                req = req.header("Pay-Signature", s);
            }
            req.send()
        };
        assert_eq!(send(None, body.clone()).await.unwrap().status().as_u16(), 401);
        let wrong = lango_payments::cards::sign(b"not the secret", body.as_bytes());
        assert_eq!(send(Some(wrong), body.clone()).await.unwrap().status().as_u16(), 401);
        assert_eq!(send(Some("zz".into()), body.clone()).await.unwrap().status().as_u16(), 401);
        // A signature of another body does not carry over to this one.
        let other = body.replace("4600", "4601");
        let signed_other = lango_payments::cards::sign(SECRET.as_bytes(), b"{}");
        assert_eq!(send(Some(signed_other), other).await.unwrap().status().as_u16(), 401);
        assert_eq!(bill_state(&app, &reference).await["status"], "open");
        assert_eq!(app.count("ledger_transactions").await, 0);
        assert_eq!(app.count("card_webhooks").await, 0, "nothing of an unsigned body is kept");
        // Signed but not a webhook: refused without a 5xx.
        let junk = "{\"hello\":1}".to_string();
        let signed = lango_payments::cards::sign(SECRET.as_bytes(), junk.as_bytes());
        assert_eq!(send(Some(signed), junk).await.unwrap().status().as_u16(), 400);
        // The genuine one, resent by the provider, posts the payment.
        sim.set_webhook_url(&url);
        assert_eq!(sim.resend(0).await.unwrap(), 200);
        assert_eq!(bill_state(&app, &reference).await["status"], "paid");
        assert_eq!(app.count("ledger_transactions").await, 1);
        ledger_is_clean(&app);
    }
}

/// Three return-page visits and two copies of the webhook, all at once; their statuses.
async fn race(app: &TestApp, sim: &CardSimulator, back: &str) -> Vec<u16> {
    let url = format!("{}{back}", app.base);
    let page = || async { app.client.get(&url).send().await.unwrap().status().as_u16() };
    let hook = || async { sim.resend(0).await.unwrap() };
    let (a, b, c, d, e) = tokio::join!(page(), hook(), page(), hook(), page());
    vec![a, b, c, d, e]
}

/// In real Chromium: the pay page's card button leads to the provider's page (past the
/// pay page's `form-action` policy, which Chromium applies to where a form's answer
/// redirects), and the payer comes back to their receipt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_payment_in_chromium() {
    use crate::browser_kit::{assert_accessible, axe_source, click, driver, fill, heading_is};
    let Some(d) = driver().await else { return };
    let (app, sim) = spawn(Backend::Sqlite).await.unwrap();
    let reference = bill(&app, "4550.00", "KES").await;
    let c = &d.client;
    let axe = axe_source();
    c.goto(&format!("{}/pay/{reference}", app.base))
        .await
        .unwrap();
    click(c, "#card + p + form button").await;
    heading_is(c, "Enter card details").await;
    fill(c, "card_number", "4444333322221111").await;
    fill(c, "expiry_month", "12").await;
    fill(c, "expiry_year", "39").await;
    fill(c, "cardholder_name", "Wanjiku Kamau").await;
    fill(c, "cvc", "123").await;
    click(c, "main form button[type=submit]").await;
    heading_is(c, "Payment received").await;
    assert_accessible(c, &axe, "card receipt").await;
    assert_eq!(bill_state(&app, &reference).await["status"], "paid");
    drop(sim);
}
