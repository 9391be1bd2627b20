//! Golden USSD sessions of the centre menus (3 appointments, 4 my queue ticket, 5 rate a
//! service), one per menu and language, recorded and compared by `ussd::golden::record`
//! (`crates/lango/tests/golden/ussd/MENU_LANG.txt`). Dates, references and the completed
//! application vary per run: they are placeholders. The golden centre is closed today, so
//! the days offered start tomorrow whatever the hour the tests run.
//!
//! Regenerate after changing a screen on purpose, then review the diff:
//! `LANGO_BLESS=1 cargo test -p lango --test it ussd_centres::golden`

use super::{call, choose, day_label, ticket};
use crate::backend_tests;
use crate::centres::test_centre;
use crate::insights_survey::{completed, kit};
use crate::ussd::golden::{record, Values};
use crate::ussd::{dial, PHONE};
use lango_centres::calendar;
use lango_phone::prefs::Lang;
use reqwest::Method;

/// The next 30 open days as the day lists show them in `lang`, as placeholders: `<DAYn>`
/// is the n-th day offered, so a public holiday in the coming weeks (which the lists skip)
/// does not change the recording.
fn days(lang: Lang) -> Values {
    let today = calendar::today();
    let year: i64 = today[..4].parse().unwrap();
    let holidays: Vec<String> = [year, year + 1]
        .iter()
        .flat_map(|y| calendar::public_holidays(*y))
        .map(|(day, _)| day)
        .collect();
    (1..=60)
        .map(|n| calendar::add_days(&today, n))
        .filter(|day| !holidays.contains(day))
        .take(30)
        .enumerate()
        .map(|(i, day)| {
            let key: &'static str = Box::leak(format!("<DAY{}>", i + 1).into_boxed_str());
            (key, day_label(&day, lang == Lang::Sw))
        })
        .collect()
}

backend_tests! {
    async fn golden_appointments(app: TestApp) {
        app.person("11111111", "ussd-golden@example.ke", "correct horse battery").await;
        // Two counters: the place booked before recording leaves one, so the times the
        // session is shown are those it had when it booked.
        test_centre(&app, "T-GOLD", 2, "08:00-17:00", 60, 100).await;
        crate::ussd::sql(&app, "INSERT INTO centre_closures (centre, day, reason) VALUES ('T-GOLD', $1, 'Golden')", &calendar::today()).await;
        // The numbers that lead to the golden centre's times tomorrow, found once (they
        // are the same in both languages).
        let county = choose(&app, "g-path", "3*1", "Nairobi").await;
        let centre = choose(&app, "g-path", &county, "T-GOLD").await;
        let service = format!("{centre}*1");
        let times = format!("{service}*1");
        let confirm = format!("{times}*1");
        let book = format!("{confirm}*1");
        for lang in [Lang::En, Lang::Sw] {
            // Booked first, so that its reference can be a placeholder: the recorded step
            // repeats it and answers the recorded outcome.
            let session = format!("golden-appointments-{}", lang.code());
            let booked = dial(&app, &session, PHONE, &book).await;
            assert!(booked.starts_with("END "), "{booked}");
            let db = app.db().await;
            let reference: String = sqlx::query_scalar("SELECT reference FROM appointments WHERE status = 'booked'")
                .fetch_one(db.pool()).await.unwrap();
            db.close().await;
            let mut values = days(lang);
            values.push(("<REF>", reference));
            let stray = format!("{confirm}*7");
            let steps = ["3", "3*7", "3*1", &county, &centre, &service, &times, &confirm, &stray, &book,
                         "3*2", "3*2*1", "3*2*1*1", "3*2*1*1", "3*2"];
            record(&app, "appointments", lang, &values, &steps).await;
        }
        let stranger = dial(&app, "g-x", "+254722000000", "3*1").await;
        assert!(stranger.starts_with("CON No Lango account"));
    }

    async fn golden_ticket(app: TestApp) {
        test_centre(&app, "T-GOLDQ", 2, "00:00-23:45", 15, 500).await;
        let key = app.agency_key("HUDUMA", &["queue:write"]).await;
        for other in ["+254711000001", "+254711000002", "+254711000003"] {
            ticket(&app, &key, "T-GOLDQ", "NRB-ID-REPLACE", other).await;
        }
        ticket(&app, &key, "T-GOLDQ", "NRB-ID-REPLACE", PHONE).await;
        ticket(&app, &key, "T-GOLDQ", "CRS-BIRTH-CERT", PHONE).await;
        call(&app, &key, "T-GOLDQ", "2").await;
        for lang in [Lang::En, Lang::Sw] {
            record(&app, "ticket", lang, &Vec::new(), &["4", "4*7", "4*98", "4*2", "4*1", "4*0", "4*00"]).await;
        }
    }
}

backend_tests! {
    spawn = crate::insights_survey::spawn;

    async fn golden_rate(app: TestApp) {
        let k = kit(&app).await;
        let reference = completed(&app, &k, "GOLDRATE01").await;
        test_centre(&app, "T-GOLDR", 1, "00:00-23:45", 15, 500).await;
        let key = app.agency_key("HUDUMA", &["queue:write"]).await;
        let number = ticket(&app, &key, "T-GOLDR", "NRB-ID-REPLACE", PHONE).await;
        call(&app, &key, "T-GOLDR", "1").await;
        let (status, body) = app.api(Method::POST, &key, &format!("/api/v1/centres/T-GOLDR/tickets/{number}/done"), None).await;
        assert_eq!(status, 200, "{body}");
        let values: Values = vec![("<APP>", reference)];
        // English rates the ticket, Kiswahili the application: each is rated once.
        record(&app, "rate", Lang::En, &values, &["5", "5*7", "5*1", "5*1*9", "5*1*0", "5*1*4", "5*1*4", "5*00*5"]).await;
        record(&app, "rate", Lang::Sw, &values, &["5", "5*1", "5*1*6", "5*1*3", "5*1*3", "5*00*5"]).await;
    }
}
