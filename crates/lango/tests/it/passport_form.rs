//! The passport application as a new applicant met it: it asks for the documents the
//! service page lists, and a guarantor cannot be the applicant.

use crate::backend_tests;
use crate::cases_journey::{
    between, demo_definitions, fetch, pay, post_multipart, reference_of, spawn_with_definitions,
    start, PNG,
};
use crate::support::{Backend, TestApp};

async fn demo_app(backend: Backend) -> Option<TestApp> {
    spawn_with_definitions(backend, &demo_definitions(), false).await
}

/// The `:shown` pairs a page sends for the questions it showed.
fn shown<'a>(ids: &[&'a str]) -> Vec<(&'a str, &'a str)> {
    ids.iter().map(|id| (":shown", *id)).collect()
}

backend_tests! {
    spawn = demo_app;

    async fn the_passport_form_asks_for_the_listed_documents_and_a_guarantor_who_is_not_you(app: TestApp) {
        let service = app.get("/services/DIS-PASSPORT").await.text().await.unwrap();
        for text in ["National ID card", "Birth certificate", "Recent passport photo", "Guarantor"] {
            assert!(service.contains(text), "service page lists {text}");
        }
        assert!(!service.contains("Recommender"), "the form and the service page name the same person");
        let start_page = app.get("/services/DIS-PASSPORT/apply").await.text().await.unwrap();
        for text in ["national ID card", "birth", "certificate", "passport photo", "guarantor"] {
            assert!(start_page.contains(text), "the start page names {text}");
        }
        let (mut b, first) = start(&app, "27654321", "neema@example.com", "DIS-PASSPORT").await;
        let reference = reference_of(&first);
        let at = |page: &str| format!("/applications/{reference}/pages/{page}");
        let ok = b.post(&first, &[("full_name", "Neema Wafula"), ("national_id", "27654321"), ("date_of_birth-day", "12"),
            ("date_of_birth-month", "7"), ("date_of_birth-year", "1994"), ("county_of_birth", "Nairobi City"), ("phone", "0712 345 678")]).await;
        assert_eq!((ok.status, ok.location.clone()), (303, at("passport")), "{}", between(&ok.html, "error-summary", "</div>"));

        let mut pairs = vec![("booklet", "34"), ("had_passport", "yes")];
        pairs.extend([("previous_passports.0.number", "AK0123456"), ("previous_passports.0.issued_on", "2015-03-01"), ("previous_passports.0.status", "have")]);
        let ok = b.post(&at("passport"), &pairs).await;
        assert_eq!(ok.location, at("photo"), "{}", between(&ok.html, "error-summary", "</div>"));
        let ok = post_multipart(&app, &b, &at("photo"), &shown(&["photo"]), &[("photo", "me.png", "image/png", PNG)]).await;
        assert_eq!(ok.location, at("documents"), "{}", ok.html);

        // The documents the service page lists.
        let page = b.get(&at("documents")).await;
        for (id, label) in [("id_card", "Your national ID card"), ("birth_certificate", "Your birth certificate")] {
            assert!(page.html.contains(&format!("type=\"file\" id=\"f-{id}\"")) && page.html.contains(label), "{id}");
        }
        let missing = post_multipart(&app, &b, &at("documents"), &shown(&["id_card", "birth_certificate"]), &[("id_card", "id.png", "image/png", PNG)]).await;
        assert_eq!(missing.status, 400);
        assert!(missing.html.contains("href=\"#f-birth_certificate\""));
        let ok = post_multipart(&app, &b, &at("documents"), &shown(&["id_card", "birth_certificate"]),
            &[("id_card", "id.png", "image/png", PNG), ("birth_certificate", "birth.png", "image/png", PNG)]).await;
        assert_eq!(ok.location, at("guarantor"), "{}", ok.html);

        // The guarantor cannot be the applicant: the error is at the field, in both languages.
        let guarantor = |id: &'static str| {
            let mut f = vec![("guarantor_name", "Amina Hassan"), ("guarantor_id", id), ("guarantor_phone", "0722 333 444"), ("guarantor_years", "5")];
            f.extend(shown(&["guarantor_name", "guarantor_id", "guarantor_phone", "guarantor_years", "guarantor_id_card"]));
            f
        };
        let card = [("guarantor_id_card", "card.png", "image/png", PNG)];
        let me = post_multipart(&app, &b, &at("guarantor"), &guarantor("27654321"), &card).await;
        assert_eq!(me.status, 400);
        assert!(me.html.contains("href=\"#f-guarantor_id\""), "{}", me.html);
        assert!(me.html.contains("your guarantor must be someone other than you"));
        b.cookies.insert("lang".into(), "sw".into());
        let me = post_multipart(&app, &b, &at("guarantor"), &guarantor("27654321"), &card).await;
        assert!(me.html.contains("mdhamini wako lazima awe mtu mwingine"), "{}", me.html);
        b.cookies.insert("lang".into(), "en".into());
        let ok = post_multipart(&app, &b, &at("guarantor"), &guarantor("23456789"), &card).await;
        assert_eq!(ok.location, format!("/applications/{reference}/check"), "{}", ok.html);
        let check = b.get(&ok.location).await;
        for text in ["id.png", "birth.png", "card.png", "23456789"] {
            assert!(check.html.contains(text), "check page lacks {text}");
        }

        // Once paid, the application asks for the biometrics appointment at a centre, and
        // shows it once booked.
        let sent = b.post(&format!("/applications/{reference}/submit"), &[("declaration", "yes")]).await;
        assert_eq!(sent.status, 303, "{}", sent.html);
        let track = b.get(&format!("/applications/{reference}")).await;
        assert!(!track.html.contains("fingerprints"), "not before payment");
        let bill = between(&track.html, "href=\"/pay/", "\"").to_string();
        pay(&app, &bill, "TJ4PASS0001").await;
        app.eventually("the passport is checked after payment", || async {
            fetch(&app, &b, &format!("/applications/{reference}")).await.contains("fingerprints")
        }).await;
        let track = b.get(&format!("/applications/{reference}")).await;
        assert!(track.html.contains("href=\"/centres?service=DIS-PASSPORT\""), "{}", track.html);
        let days = b.get("/centres/HC-GPO/book?service=DIS-PASSPORT").await;
        let day = between(&days.html, "name=\"day\" value=\"", "\"").to_string();
        let times = b.get(&format!("/centres/HC-GPO/book?service=DIS-PASSPORT&day={day}")).await;
        let start = between(&times.html, "name=\"start\" value=\"", "\"").to_string();
        b.post("/centres/HC-GPO/book/check", &[("service", "DIS-PASSPORT"), ("day", &day), ("start", &start)]).await;
        let booked = b.post("/centres/HC-GPO/book", &[("service", "DIS-PASSPORT"), ("start", &start)]).await;
        assert_eq!(booked.status, 303, "{}", booked.html);
        let track = b.get(&format!("/applications/{reference}")).await;
        assert!(track.html.contains("Your appointment:") && track.html.contains(&day), "{}", track.html);
    }
}
