//! The USSD channel over real HTTP, as Africa's Talking's gateway calls it: the home screen
//! and its fixed numbers, application status (own applications, another person's reference
//! showing its state only), paying a bill with one M-Pesa Express request per confirmation
//! (against the Daraja simulator), the language switch remembered per phone, back / home /
//! more, bad input that never gives a 5xx or a screen over 182 characters, and a gateway
//! outside `ussd_source_networks` refused. Golden sessions are in `ussd/golden.rs`.

pub(crate) mod golden;

use crate::cases_work::{actor, define, engine, submitted};
use crate::stk::{bill, Env};
use crate::support::{Backend, TestApp};
use std::sync::atomic::Ordering;

/// The phone `TestApp::person` gives every person it seeds.
pub const PHONE: &str = "+254700000001";
/// A phone whose M-Pesa pays (the Daraja simulator's `254700000001`, [`PHONE`], has too little money).
pub const PAYER: &str = "+254712345678";

/// One gateway request; checks what every answer must be (200, text/plain, `CON`/`END`,
/// at most 182 characters) and returns the body.
pub async fn dial(app: &TestApp, session: &str, phone: &str, text: &str) -> String {
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("sessionId", session)
        .append_pair("serviceCode", "*384*222#")
        .append_pair("phoneNumber", phone)
        .append_pair("networkCode", "63902")
        .append_pair("text", text)
        .finish();
    send(app, body).await
}

/// Posts a raw form body to the gateway endpoint, checking the answer's shape.
pub async fn send(app: &TestApp, body: String) -> String {
    let res = app
        .client
        .post(format!("{}/channels/ussd", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.clone())
        .send()
        .await
        .expect("USSD request");
    assert_eq!(res.status().as_u16(), 200, "{body}");
    assert_eq!(res.headers()["content-type"], "text/plain; charset=utf-8");
    let screen = res.text().await.unwrap();
    assert!(
        screen.starts_with("CON ") || screen.starts_with("END "),
        "{body} → {screen}"
    );
    assert!(
        screen.chars().count() <= 182,
        "{body} → {} characters: {screen}",
        screen.chars().count()
    );
    assert!(
        !screen.ends_with('…'),
        "a screen was cut: {body} → {screen}"
    );
    screen
}

/// A person on [`PHONE`] with `n` submitted applications (newest last), and another person
/// on another phone with one: (own references, the other's reference).
pub async fn applications(app: &TestApp, n: usize) -> (Vec<String>, String) {
    let cases = engine(app).await;
    define(&cases).await;
    let me = app
        .person("11111111", "ussd-me@example.ke", "correct horse battery")
        .await;
    let me = actor(app, &me).await;
    let mut mine = Vec::new();
    for i in 0..n {
        mine.push(submitted(&cases, &me, &format!("Wanjiku {i}")).await);
        // Distinct creation times: the list is newest first.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let other = app
        .person("22222222", "ussd-other@example.ke", "correct horse battery")
        .await;
    sql(
        app,
        "UPDATE accounts SET phone = '+254711111111' WHERE id = $1",
        &other,
    )
    .await;
    let other = submitted(&cases, &actor(app, &other).await, "Otieno Secret").await;
    (mine, other)
}

/// Runs one statement with `$1` bound to `arg`.
pub async fn sql(app: &TestApp, statement: &str, arg: &str) {
    let db = app.db().await;
    sqlx::query(statement)
        .bind(arg)
        .execute(db.pool())
        .await
        .unwrap();
    db.close().await;
}

crate::stk::simulator_tests! {
    async fn home_numbers_placeholders_and_navigation(env: Env) {
        let app = &env.app;
        let home = dial(app, "s1", PHONE, "").await;
        assert_eq!(home, "CON Lango: government services\n1 Application status\n2 Pay a bill\n3 Appointments\n4 My queue ticket\n5 Rate a service\n6 Kiswahili\n7 Mobile centres");
        // The centre menus answer (their own tests are `ussd_centres`).
        assert!(dial(app, "s1", PHONE, "3").await.starts_with("CON Appointments:\n1 Book"));
        assert!(dial(app, "s1", PHONE, "4").await.starts_with("END No queue ticket today"));
        assert!(dial(app, "s1", PHONE, "5").await.starts_with("END Nothing to rate"));
        // Not an option: home again, saying so; the next input is read from home.
        let stray = dial(app, "s1", PHONE, "9").await;
        assert!(stray.starts_with("CON Choose a number from the list.\n1 Application status"), "{stray}");
        assert_eq!(dial(app, "s1", PHONE, "9*2").await, dial(app, "s1", PHONE, "2").await);
        // Back and home.
        assert_eq!(dial(app, "s1", PHONE, "2*0").await, home);
        assert_eq!(dial(app, "s1", PHONE, "0").await, home);
        assert_eq!(dial(app, "s1", PHONE, "1*98*00").await, home);
        assert_eq!(dial(app, "s1", PHONE, "2*ABCD*0").await, dial(app, "s1", PHONE, "2").await);
        assert_eq!(dial(app, "s1", PHONE, "1*00*2").await, dial(app, "s1", PHONE, "2").await);
    }

    async fn the_language_switches_once_per_step_and_is_remembered(env: Env) {
        let app = &env.app;
        let sw = dial(app, "lang-1", PHONE, "6").await;
        assert_eq!(sw, "CON Lugha: Kiswahili\n1 Hali ya ombi\n2 Lipa bili\n3 Miadi\n4 Tiketi yangu ya foleni\n5 Tathmini huduma\n6 English\n7 Vituo vinavyohama");
        // The gateway repeats the request: the same screen, not a switch back.
        assert_eq!(dial(app, "lang-1", PHONE, "6").await, sw);
        // Going on after the switch, in Kiswahili; a later session starts in Kiswahili.
        assert!(dial(app, "lang-1", PHONE, "6*2").await.starts_with("CON Andika nambari ya bili"));
        assert!(dial(app, "lang-2", PHONE, "").await.starts_with("CON Lango: huduma za serikali"));
        assert!(dial(app, "lang-2", "+254799999999", "").await.starts_with("CON Lango: government services"), "per phone");
        // Back past the switch and switching again is a second step: English.
        let en = dial(app, "lang-1", PHONE, "6*0*6").await;
        assert!(en.starts_with("CON Language: English\n1 Application status"), "{en}");
        assert!(dial(app, "lang-3", PHONE, "").await.starts_with("CON Lango: government services"));
        assert_eq!(app.count("ussd_actions").await, 2);
    }

    async fn application_status_lists_this_phones_applications(env: Env) {
        let app = &env.app;
        let (mine, other) = applications(app, 6).await;
        // One waits for the applicant's reply, one for its bill.
        sql(app, "UPDATE applications SET state = 'more_info' WHERE reference = $1", &mine[5]).await;
        let bill_ref = bill(app, "100.00").await;
        let db = app.db().await;
        sqlx::query("UPDATE applications SET awaiting_payment = 1, bill_reference = $1 WHERE reference = $2")
            .bind(&bill_ref).bind(&mine[4]).execute(db.pool()).await.unwrap();
        db.close().await;
        let first = dial(app, "st", PHONE, "1").await;
        assert!(first.starts_with("CON Your applications:\n"), "{first}");
        let newest = first.lines().nth(1).unwrap();
        assert_eq!(newest, format!("{} Waiting for the applicant. You: reply online", mine[5]));
        let shown_bill = format!("{}-{}", &bill_ref[..4], &bill_ref[4..]);
        assert!(first.contains(&format!("{} Being checked. You: pay bill {shown_bill}", mine[4])), "{first}");
        assert!(first.ends_with("98 More\nOr type an application reference\n0 Back"), "{first}");
        assert!(!first.contains(&other), "another phone's application is not listed");
        // Every page, newest first, each application once; 98 past the end stays put.
        let mut seen: Vec<String> = Vec::new();
        let mut text = "1".to_string();
        for _ in 0..6 {
            let page = dial(app, "st", PHONE, &text).await;
            for r in mine.iter().rev() {
                if page.contains(r.as_str()) && !seen.contains(r) {
                    seen.push(r.clone());
                }
            }
            text.push_str("*98");
        }
        assert_eq!(seen, mine.iter().rev().cloned().collect::<Vec<_>>());
        let last = dial(app, "st", PHONE, &text).await;
        assert!(!last.contains("98 More") && last.contains(&mine[0]), "{last}");
        assert!(dial(app, "st", PHONE, "1*98*0").await == first, "0 goes back a page");
        // One's own, typed in any case with hyphens: in full.
        let typed = format!("{}-{}", &mine[0][..4], mine[0][4..].to_lowercase());
        let own = dial(app, "st", PHONE, &format!("1*{typed}")).await;
        assert!(own.starts_with(&format!("END {}\n", mine[0])) && own.contains("Status: Being checked\nNothing to do"), "{own}");
        assert!(own.lines().nth(1).unwrap().to_lowercase().contains("travel"), "the service: {own}");
        // Someone else's: the state only, never whose or what.
        let theirs = dial(app, "st", PHONE, &format!("1*{other}")).await;
        assert_eq!(theirs, format!("END {other}\nStatus: Being checked"));
        // A typo, not a reference, an unknown one: said, and the list stays.
        let mut typo = other.clone().into_bytes();
        typo[3] = if typo[3] == b'2' { b'3' } else { b'2' };
        let typo = String::from_utf8(typo).unwrap();
        assert!(dial(app, "st", PHONE, &format!("1*{typo}")).await.starts_with("CON That reference has a typo"));
        assert!(dial(app, "st", PHONE, "1*hello").await.starts_with("CON That is not an application reference"));
        // A phone with no account: nothing linked, a reference still answers its state.
        let none = dial(app, "st2", "+254722000000", "1").await;
        assert!(none.starts_with("CON No applications are linked to this phone.\nOr type"), "{none}");
        assert_eq!(dial(app, "st2", "+254722000000", &format!("1*{}", mine[0])).await, format!("END {}\nStatus: Being checked", mine[0]));
        // In Kiswahili.
        let sw = dial(app, "st3", PHONE, "6*1").await;
        assert!(sw.starts_with("CON Maombi yako:\n") && sw.contains("Inasubiri mwombaji. Wewe: jibu mtandaoni"), "{sw}");
    }

    async fn paying_a_bill_sends_one_prompt_per_confirmation(env: Env) {
        let Env { app, sim } = &env;
        let reference = bill(app, "4550.00").await;
        let shown = format!("{}-{}", &reference[..4], &reference[4..]);
        assert_eq!(dial(app, "p1", PAYER, "2").await, "CON Enter the bill reference (like ABCD-2345):\n0 Back");
        let loose = format!("{} {}", reference[..4].to_lowercase(), &reference[4..]);
        let screen = dial(app, "p1", PAYER, &format!("2*{loose}")).await;
        assert_eq!(screen, format!("CON Bill {shown}\nApply for a passport\nTo pay: KES 4,600.00\n1 Pay with M-Pesa\n0 Back"));
        let mut typo = reference.clone().into_bytes();
        typo[0] = if typo[0] == b'2' { b'3' } else { b'2' };
        let typo = String::from_utf8(typo).unwrap();
        assert!(dial(app, "p1", PAYER, &format!("2*{typo}")).await.starts_with("CON That reference has a typo"));
        assert!(dial(app, "p1", PAYER, "2*12").await.starts_with("CON A bill reference has 8 letters and digits."));
        assert!(dial(app, "p1", PAYER, &format!("2*{reference}*5")).await.starts_with("CON Choose 1 to pay"));
        assert_eq!(app.count("stk_requests").await, 0, "nothing sent before 1");
        // Confirmed: the session ends and one prompt goes to this phone, for the balance.
        let confirm = format!("2*{loose}*1");
        let sent = dial(app, "p1", PAYER, &confirm).await;
        assert_eq!(sent, "END An M-Pesa request for KES 4,600.00 is on its way to this phone. Enter your M-Pesa PIN to pay.");
        // The gateway repeats it, twice at once: the same screen, no second prompt.
        let plain = format!("2*{reference}*1");
        let (a, b) = tokio::join!(dial(app, "p1", PAYER, &confirm), dial(app, "p1", PAYER, &plain));
        assert_eq!((a.as_str(), b.as_str()), (sent.as_str(), sent.as_str()));
        assert_eq!(sim.counters().stk_pushes.load(Ordering::SeqCst), 1);
        assert_eq!(app.count("stk_requests").await, 1);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM stk_requests WHERE phone = $1", "254712345678").await, 1);
        // The simulator's payer pays; the bill then says so (the old session still answers the same).
        app.eventually("the prompt is paid", || async {
            dial(app, "p2", PAYER, &format!("2*{reference}")).await.contains("is paid")
        }).await;
        assert_eq!(dial(app, "p1", PAYER, &confirm).await, sent);
        assert_eq!(dial(app, "p3", PAYER, &format!("2*{reference}")).await, format!("END Bill {shown} is paid. Thank you."));
        assert_eq!(sim.counters().stk_pushes.load(Ordering::SeqCst), 1);
        // Cancelled, expired, cents.
        for (status, word) in [("cancelled", "was cancelled and cannot be paid"), ("expired", "has expired and cannot be paid")] {
            let r = bill(app, "100.00").await;
            let db = app.db().await;
            sqlx::query("UPDATE bills SET status = $1 WHERE reference = $2").bind(status).bind(&r).execute(db.pool()).await.unwrap();
            db.close().await;
            let end = dial(app, "p4", PAYER, &format!("2*{r}")).await;
            assert!(end.starts_with("END Bill ") && end.contains(word), "{end}");
            assert!(dial(app, "p4", PAYER, &format!("2*{r}*1")).await.contains(word));
        }
        let cents = bill(app, "4550.50").await;
        let end = dial(app, "p5", PAYER, &format!("2*{cents}")).await;
        assert!(end.starts_with("END Bill") && end.ends_with(&format!("Pay KES 4,600.50 by M-Pesa Paybill 222222, account {cents}.")), "{end}");
        assert_eq!(sim.counters().stk_pushes.load(Ordering::SeqCst), 1);
    }

    async fn bad_input_gets_a_screen_never_an_error(env: Env) {
        let app = &env.app;
        let home = dial(app, "b1", PHONE, "").await;
        for text in ["abc", "\u{7}", "\u{202e}1", "1*\u{200f}A7K3", "2*\u{0}", "***", " 1 "] {
            let screen = dial(app, "b1", PHONE, text).await;
            assert!(screen.starts_with("CON "), "{text:?} → {screen}");
        }
        assert_eq!(dial(app, "b1", PHONE, " 1 ").await, dial(app, "b1", PHONE, "1").await, "spaces around an input are forgiven");
        let huge = "1".repeat(2_000);
        assert!(dial(app, "b1", PHONE, &huge).await.starts_with("END Too many steps"));
        let many = vec!["98"; 300].join("*");
        assert!(dial(app, "b1", PHONE, &format!("1*{many}")).await.starts_with("END Too many steps"));
        let rtl = "\u{202e}".repeat(2_000);
        assert!(dial(app, "b1", PHONE, &rtl).await.starts_with("END "));
        // Missing fields: no text is the first screen; no session or phone cannot be read.
        assert_eq!(send(app, "sessionId=b2&phoneNumber=%2B254700000001&serviceCode=x".to_string()).await, home);
        for body in ["phoneNumber=%2B254700000001&text=1", "sessionId=b3&text=1", "", "sessionId=b4&phoneNumber=hello&text=", "%%%&&="] {
            assert_eq!(send(app, body.to_string()).await, "END Sorry, this request could not be read. Please dial again.", "{body}");
        }
        assert_eq!(app.count("ussd_actions").await, 0);
    }

    async fn every_screen_fits_in_both_languages(env: Env) {
        let app = &env.app;
        let (mine, other) = applications(app, 4).await;
        let reference = bill(app, "4550.00").await;
        let steps = ["1", "2", "3", "5", "6", "98", "0", "00", "x", mine[0].as_str(), other.as_str(), reference.as_str()];
        let mut n = 0;
        for lang in [lango_phone::prefs::Lang::En, lango_phone::prefs::Lang::Sw] {
            let db = app.db().await;
            lango_phone::prefs::set_lang(&db, PHONE, lang).await.unwrap();
            db.close().await;
            for a in steps {
                for b in steps {
                    for c in ["", "1", "98", "x", reference.as_str()] {
                        let text = [a, b, c].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join("*");
                        // `dial` checks the length (and that nothing was cut); a new session
                        // each, so a switch of language in one does not leak into the next.
                        dial(app, &format!("fit-{n}"), PHONE, &text).await;
                        n += 1;
                    }
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_outside_the_networks_is_refused() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let outside = [("LANGO_USSD_SOURCE_NETWORKS", "10.0.0.0/8".to_string())];
        let Some(app) = TestApp::spawn_configured(backend, false, &outside).await else {
            continue;
        };
        let res = app
            .client
            .post(format!("{}/channels/ussd", app.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("sessionId=x&phoneNumber=%2B254700000001&text=")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 403);
        assert_eq!(app.count("phone_prefs").await, 0);
    }
}
