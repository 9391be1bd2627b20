//! The citizen's application journey over real HTTP: start page → questions (every field
//! type, errors kept, conditions) → save and resume → check your answers → declaration →
//! confirmation → bill → M-Pesa payment → track; and the refusals around it.

use crate::backend_tests;
use crate::browser_kit::{Browser, Page};
use crate::support::{c2b_confirmation, Backend, TestApp};
use std::path::{Path, PathBuf};

pub(crate) const PASSWORD: &str = "correct horse battery";

/// A definition of a service with no demo definition, asking every kind of question.
pub(crate) const EVERY_FIELD: &str = r#"
service: MOI-GAZETTE-COPY
title: {en: "Order a copy of the Kenya Gazette", sw: "Agiza nakala ya Gazeti Rasmi"}
start: {en: "Order printed or PDF copies of any issue.", sw: "Agiza nakala za toleo lolote."}
declaration: {en: "The information I have given is true.", sw: "Taarifa nilizotoa ni za kweli."}
pages:
  - id: you
    title: {en: "About you", sw: "Kuhusu wewe"}
    fields:
      - {id: full_name, type: text, label: {en: "Full name", sw: "Jina kamili"}, required: true, prefill: full_name, max_length: 100}
      - {id: born, type: date, label: {en: "Date of birth", sw: "Tarehe ya kuzaliwa"}, required: true, max: today}
      - {id: id_no, type: national_id, label: {en: "National ID number", sw: "Nambari ya kitambulisho"}, required: true}
      - {id: mobile, type: phone, label: {en: "Mobile number", sw: "Nambari ya simu"}, required: true}
      - {id: mail, type: email, label: {en: "E-mail address", sw: "Barua pepe"}}
  - id: county
    title: {en: "Where you live", sw: "Unapoishi"}
    fields:
      - {id: home_county, type: county, label: {en: "County", sw: "Kaunti"}, required: true}
  - id: sub-county
    title: {en: "Your sub-county", sw: "Kaunti ndogo yako"}
    fields:
      - {id: home_sub_county, type: sub_county, county_field: home_county, label: {en: "Sub-county", sw: "Kaunti ndogo"}, required: true}
  - id: order
    title: {en: "Your order", sw: "Agizo lako"}
    fields:
      - id: issue
        type: choice
        label: {en: "Which issue?", sw: "Toleo lipi?"}
        required: true
        choices:
          - {value: weekly, label: {en: "A weekly issue", sw: "Toleo la wiki"}}
          - {value: special, label: {en: "A special issue", sw: "Toleo maalum"}}
      - {id: copies, type: number, label: {en: "How many copies?", sw: "Nakala ngapi?"}, required: true, min: "1", max: "20"}
      - {id: deliver, type: yes_no, label: {en: "Should we deliver it?", sw: "Tuikuletee?"}, required: true}
      - {id: address, type: text, label: {en: "Delivery address", sw: "Anwani ya kuletewa"}, required: true, when: {field: deliver, equals: "yes"}}
      - id: formats
        type: multiple_choice
        label: {en: "Formats", sw: "Aina"}
        min_items: 1
        choices:
          - {value: print, label: {en: "Printed", sw: "Iliyochapishwa"}}
          - {value: pdf, label: {en: "PDF", sw: "PDF"}}
      - {id: tip, type: money, label: {en: "Gift to the library", sw: "Zawadi kwa maktaba"}, min: "0", max: "1000"}
  - id: readers
    title: {en: "Who will read it", sw: "Watakaoisoma"}
    fields:
      - id: readers
        type: group
        label: {en: "Reader", sw: "Msomaji"}
        required: true
        min_items: 1
        max_items: 3
        fields:
          - {id: name, type: text, label: {en: "Name", sw: "Jina"}, required: true}
  - id: letter
    title: {en: "Your request letter", sw: "Barua yako ya ombi"}
    when: {field: issue, equals: special}
    fields:
      - {id: letter, type: file, label: {en: "Request letter", sw: "Barua ya ombi"}, required: true, accept: [pdf, png], max_size_kb: 100}
fees:
  currency: KES
  items:
    - {label: {en: "Copies", sw: "Nakala"}, formula: "60 * copies"}
    - {label: {en: "Delivery", sw: "Kuleta"}, when: {field: deliver, equals: "yes"}, amount: "200.00"}
workflow:
  start: awaiting_payment
  states:
    - {id: awaiting_payment, label: {en: "Waiting for payment", sw: "Inasubiri malipo"}, actor: system, paid_to: review}
    - id: review
      label: {en: "Being checked", sw: "Inakaguliwa"}
      actor: officer
      sla_days: 2
      actions:
        - {id: approve, label: {en: "Approve"}, to: done, issues: order}
        - {id: ask, label: {en: "Ask for more information"}, to: more_info, reason: required, request_info: true}
        - {id: reject, label: {en: "Reject"}, to: rejected, reason: required}
    - id: more_info
      label: {en: "More information needed", sw: "Taarifa zaidi zinahitajika"}
      actor: applicant
      actions:
        - {id: reply, label: {en: "Send"}, to: review}
    - {id: done, label: {en: "Completed", sw: "Imekamilika"}, actor: system, outcome: completed}
    - {id: rejected, label: {en: "Rejected", sw: "Imekataliwa"}, actor: system, outcome: rejected}
outputs:
  - id: order
    title: {en: "Gazette order", sw: "Agizo la Gazeti"}
    template: |
      # Gazette order
      Reference {{ reference }} for {{ applicant.name }}.
"#;

/// A folder holding `yaml` as the only definition.
pub(crate) fn definitions(yaml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("service.yaml"), yaml).unwrap();
    dir
}

/// The demo definitions shipped with Lango.
pub(crate) fn demo_definitions() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/definitions")
}

/// An app that loads the definitions in `dir` and believes M-Pesa callbacks from loopback.
pub(crate) async fn spawn_with_definitions(
    backend: Backend,
    dir: &Path,
    demo: bool,
) -> Option<TestApp> {
    let settings = [
        ("LANGO_MPESA_SOURCE_NETWORKS", "127.0.0.0/8".to_string()),
        ("LANGO_DEFINITIONS_DIR", dir.display().to_string()),
    ];
    TestApp::spawn_configured(backend, demo, &settings).await
}

async fn every_field_app(backend: Backend) -> Option<TestApp> {
    let dir = definitions(EVERY_FIELD);
    spawn_with_definitions(backend, dir.path(), false).await
}

async fn demo_app(backend: Backend) -> Option<TestApp> {
    spawn_with_definitions(backend, &demo_definitions(), false).await
}

/// The settings the app runs with (its data dir and database), for acting as the domain.
pub(crate) fn config_of(app: &TestApp) -> lango_core::config::Config {
    let env = [
        ("LANGO_DATA_DIR", app.data_dir.path().display().to_string()),
        ("LANGO_DATABASE_URL", app.db_url.clone()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    lango_core::config::Config::from_sources(None, &env).unwrap()
}

/// The part of `html` after `from` up to `to`.
pub(crate) fn between<'h>(html: &'h str, from: &str, to: &str) -> &'h str {
    let rest = html.split_once(from).map_or("", |(_, r)| r);
    rest.split_once(to).map_or(rest, |(a, _)| a)
}

/// The application reference in a page path `/applications/REF/…`.
pub(crate) fn reference_of(path: &str) -> String {
    path.trim_start_matches("/applications/")
        .split('/')
        .next()
        .unwrap()
        .to_string()
}

/// Posts a multipart form (CSRF first, as the pages put it) with files.
pub(crate) async fn post_multipart(
    app: &TestApp,
    b: &Browser<'_>,
    path: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &str, &[u8])],
) -> Page {
    let boundary = "----lango-test-boundary-7MA4YWxkTrZu0gW";
    let mut body: Vec<u8> = Vec::new();
    let mut part = |name: &str, extra: &str, ct: Option<&str>, bytes: &[u8]| {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"{extra}\r\n")
                .as_bytes(),
        );
        if let Some(ct) = ct {
            body.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    };
    part("csrf", "", None, b.csrf.as_bytes());
    for (k, v) in fields {
        part(k, "", None, v.as_bytes());
    }
    for (k, file_name, ct, bytes) in files {
        part(k, &format!("; filename=\"{file_name}\""), Some(ct), bytes);
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let cookies = cookie_string(b);
    let res = app
        .client
        .post(format!("{}{path}", app.base))
        .header("cookie", cookies)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    Page {
        status,
        location,
        html: res.text().await.unwrap_or_default(),
        set_cookies: Vec::new(),
    }
}

/// The browser's cookies as a `Cookie` header.
pub(crate) fn cookie_string(b: &Browser<'_>) -> String {
    b.cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// GETs a page as `b` without touching its state (for polling).
pub(crate) async fn fetch(app: &TestApp, b: &Browser<'_>, path: &str) -> String {
    let res = app
        .client
        .get(format!("{}{path}", app.base))
        .header("cookie", cookie_string(b))
        .send()
        .await
        .unwrap();
    res.text().await.unwrap_or_default()
}

/// A tiny real PNG (1×1).
pub(crate) const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n', 0, 0, 0, 13, b'I', b'H', b'D', b'R', 0, 0,
    0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xDE, 0, 0, 0, 12, b'I', b'D', b'A', b'T',
    0x08, 0xD7, 0x63, 0xF8, 0xCF, 0xC0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xDD, 0x8D, 0xB0,
    0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82,
];

/// Signs `id` in (a new person) and starts an application of `code`; returns the browser
/// and the first page's path.
pub(crate) async fn start<'a>(
    app: &'a TestApp,
    id: &str,
    email: &str,
    code: &str,
) -> (Browser<'a>, String) {
    app.person(id, email, PASSWORD).await;
    let mut b = Browser::new(app);
    // Signed out, "Start now" leads to sign-in and back to the start page.
    let page = b.get(&format!("/services/{code}/apply")).await;
    assert_eq!(page.status, 200, "{}", page.html);
    let res = b.post(&format!("/services/{code}/apply"), &[]).await;
    assert_eq!(res.status, 303);
    assert_eq!(
        res.location,
        format!("/signin?next=%2Fservices%2F{code}%2Fapply")
    );
    b.sign_in(id, PASSWORD).await;
    b.get(&format!("/services/{code}/apply")).await;
    let res = b.post(&format!("/services/{code}/apply"), &[]).await;
    assert_eq!(res.status, 303, "{}", res.html);
    assert!(
        res.location.starts_with("/applications/") && res.location.contains("/pages/"),
        "{}",
        res.location
    );
    (b, res.location)
}

/// Pays the bill of the application at `reference` in full by C2B and waits until the
/// track page shows the state after payment.
pub(crate) async fn pay(app: &TestApp, bill: &str, trans_id: &str) {
    let db = app.db().await;
    let due = lango_payments::bills::get(&db, bill)
        .await
        .unwrap()
        .expect("bill")
        .amount();
    db.close().await;
    c2b_confirmation(
        &app.client,
        &app.base,
        trans_id,
        &due.to_decimal(),
        bill,
        "20260101120000",
    )
    .await;
}

backend_tests! {
    spawn = every_field_app;

    async fn every_kind_of_question_and_the_whole_journey(app: TestApp) {
        let (mut b, first) = start(&app, "23456789", "wanjiku@example.com", "MOI-GAZETTE-COPY").await;
        let reference = reference_of(&first);
        assert_eq!(first, format!("/applications/{reference}/pages/you"));
        let page = b.get(&first).await;
        assert_eq!(page.status, 200);
        for text in ["Full name", "value=\"Test Person\"", "autocomplete=\"name\"", "name=\"born-day\"", "autocomplete=\"tel\"",
                     "type=\"email\"", "E-mail address (optional)", "Save and come back later", "inputmode=\"numeric\""] {
            assert!(page.html.contains(text), "about-you page lacks {text}");
        }
        // Bad answers: the page comes back with the summary linked to each field and what was typed.
        let bad = b.post(&first, &[("full_name", "Wanjiku Kamau"), ("born-day", "31"), ("born-month", "2"), ("born-year", "1990"),
            ("id_no", "12"), ("mobile", "0712 345 678"), ("mail", "not-an-address")]).await;
        assert_eq!(bad.status, 400, "{}", bad.html);
        for anchor in ["#f-born", "#f-id_no", "#f-mail"] {
            assert!(bad.html.contains(&format!("href=\"{anchor}\"")), "summary links {anchor}: {}", between(&bad.html, "error-summary", "</div>"));
            assert!(bad.html.contains(&format!("id=\"{}\"", &anchor[1..])), "{anchor} exists");
        }
        assert!(!bad.html.contains("href=\"#f-full_name\"") && !bad.html.contains("href=\"#f-mobile\""));
        for kept in ["value=\"Wanjiku Kamau\"", "value=\"31\"", "value=\"0712 345 678\"", "value=\"not-an-address\"", "value=\"12\""] {
            assert!(bad.html.contains(kept), "kept {kept}");
        }
        let draft = b.get(&first).await;
        assert!(draft.html.contains("value=\"Test Person\""), "a refused page changes nothing");
        let ok = b.post(&first, &[("full_name", "Wanjiku Kamau"), ("born-day", "7"), ("born-month", "3"), ("born-year", "1990"),
            ("id_no", "23456789"), ("mobile", "0712 345 678"), ("mail", "")]).await;
        assert_eq!((ok.status, ok.location.as_str()), (303, format!("/applications/{reference}/pages/county").as_str()), "{}", ok.html);
        let back = b.get(&first).await;
        assert!(back.html.contains("value=\"07\"") || back.html.contains("value=\"7\""), "date boxes filled from the answer");

        // County, then the sub-counties of that county on the next page.
        let county = b.get(&ok.location).await;
        assert!(county.html.contains("<select") && county.html.contains(">Kisumu</option>") && county.html.contains("autocomplete=\"address-level1\""));
        let ok = b.post(&format!("/applications/{reference}/pages/county"), &[("home_county", "Kisumu")]).await;
        assert_eq!(ok.status, 303, "{}", ok.html);
        let sub = b.get(&ok.location).await;
        assert!(sub.html.contains(">Kisumu Central</option>") && !sub.html.contains(">Kilifi North</option>"), "only Kisumu's sub-counties");
        let wrong = b.post(&format!("/applications/{reference}/pages/sub-county"), &[("home_sub_county", "Kilifi North")]).await;
        assert_eq!(wrong.status, 400);
        assert!(wrong.html.contains("href=\"#f-home_sub_county\""));
        let ok = b.post(&format!("/applications/{reference}/pages/sub-county"), &[("home_sub_county", "Kisumu Central")]).await;
        assert_eq!(ok.location, format!("/applications/{reference}/pages/order"));

        // Choices, numbers, yes/no with a question it reveals, checkboxes, money.
        let order = b.get(&ok.location).await;
        assert!(order.html.contains("type=\"radio\"") && order.html.contains("type=\"checkbox\"") && order.html.contains("id=\"f-issue\""));
        let missing = b.post(&ok.location, &[("issue", "special"), ("copies", "2"), ("deliver", "yes"), ("formats", "print"), ("formats", "pdf")]).await;
        assert_eq!(missing.status, 400, "the revealed address is required");
        assert!(missing.html.contains("href=\"#f-address\"") && missing.html.contains("id=\"f-address\""), "{}", between(&missing.html, "<main", "</form>"));
        assert!(missing.html.contains("value=\"pdf\" checked"), "ticked boxes kept");
        // Sent from the page as shown (the address hidden), the revealed question is asked with
        // no error yet; nothing is saved until it is answered.
        assert!(order.html.contains("name=\":shown\" value=\"deliver\"") && !order.html.contains("name=\":shown\" value=\"address\""));
        let as_seen = [("issue", "special"), ("copies", "2"), ("deliver", "yes"), ("formats", "print"),
            (":shown", "issue"), (":shown", "copies"), (":shown", "deliver"), (":shown", "formats"), (":shown", "tip")];
        let revealed = b.post(&ok.location, &as_seen).await;
        assert_eq!(revealed.status, 200, "{}", between(&revealed.html, "<main", "</form>"));
        assert!(revealed.html.contains("id=\"f-address\"") && !revealed.html.contains("error-summary") && !revealed.html.contains("error-message"));
        assert!(revealed.html.contains("name=\":shown\" value=\"address\""));
        let mut unanswered = as_seen.to_vec();
        unanswered.push((":shown", "address"));
        let unanswered = b.post(&ok.location, &unanswered).await;
        assert_eq!(unanswered.status, 400, "once seen, an unanswered question has its error");
        assert!(unanswered.html.contains("href=\"#f-address\""));
        let ok = b.post(&format!("/applications/{reference}/pages/order"), &[("issue", "special"), ("copies", "2"), ("deliver", "yes"),
            ("address", "P.O. Box 1, Kisumu"), ("formats", "print"), ("formats", "pdf"), ("tip", "")]).await;
        assert_eq!(ok.location, format!("/applications/{reference}/pages/readers"), "{}", ok.html);

        // A repeating group: add two readers, remove the first.
        let readers = format!("/applications/{reference}/pages/readers");
        let page = b.get(&readers).await;
        assert!(page.html.contains("name=\"readers.0.name\"") && !page.html.contains("name=\"readers.1.name\""));
        let none = b.post(&readers, &[("readers.0.name", "")]).await;
        assert_eq!(none.status, 400, "at least one reader");
        let added = b.post(&readers, &[("readers.0.name", "Amani"), (":op", "add:readers")]).await;
        assert_eq!((added.status, added.location.as_str()), (303, format!("{readers}#f-readers").as_str()), "{}", added.html);
        let page = b.get(&readers).await;
        assert!(page.html.contains("value=\"Amani\"") && page.html.contains("name=\"readers.1.name\""), "a blank row to add another");
        b.post(&readers, &[("readers.0.name", "Amani"), ("readers.1.name", "Baraka"), (":op", "add:readers")]).await;
        let removed = b.post(&readers, &[("readers.0.name", "Amani"), ("readers.1.name", "Baraka"), ("readers.2.name", ""), (":op", "remove:readers.0")]).await;
        assert_eq!(removed.status, 303);
        let page = b.get(&readers).await;
        assert!(page.html.contains("value=\"Baraka\"") && !page.html.contains("value=\"Amani\""), "Amani removed");

        // Save and come back later: the list shows the draft, which resumes where it was left.
        let saved = b.post(&readers, &[("readers.0.name", "Baraka"), ("readers.1.name", ""), (":op", "save")]).await;
        assert_eq!((saved.status, saved.location.as_str()), (303, "/account/applications"));
        let list = b.get("/account/applications").await;
        assert!(list.html.contains(&reference) && list.html.contains("Draft"), "{}", list.html);
        let resume = format!("/applications/{reference}/pages/letter");
        assert!(list.html.contains(&format!("href=\"{resume}\"")), "resumes at the first unanswered page: {}", list.html);

        // A file: the wrong type is refused on its content, a real PNG is kept and shown.
        let page = b.get(&resume).await;
        assert!(page.html.contains("enctype=\"multipart/form-data\"") && page.html.contains("type=\"file\""));
        let wrong = post_multipart(&app, &b, &resume, &[], &[("letter", "letter.png", "image/png", b"MZ not an image at all")]).await;
        assert_eq!(wrong.status, 400, "{}", wrong.html);
        assert!(wrong.html.contains("href=\"#f-letter\""));
        let ok = post_multipart(&app, &b, &resume, &[(":op", "continue")], &[("letter", "letter.png", "image/png", PNG)]).await;
        assert_eq!((ok.status, ok.location.as_str()), (303, format!("/applications/{reference}/check").as_str()), "{}", ok.html);
        let page = b.get(&resume).await;
        assert!(page.html.contains("letter.png") && page.html.contains("name=\":keep:letter\""), "the upload is shown");
        // Continuing without choosing again keeps it.
        let kept = post_multipart(&app, &b, &resume, &[(":keep:letter", between(&page.html, "name=\":keep:letter\" value=\"", "\""))], &[]).await;
        assert_eq!(kept.status, 303, "{}", kept.html);

        // Check your answers: every page, change links that come back, the fee.
        let check = b.get(&format!("/applications/{reference}/check")).await;
        assert_eq!(check.status, 200);
        for text in ["Wanjiku Kamau", "Kisumu Central", "P.O. Box 1, Kisumu", "Baraka", "letter.png", "Convenience fee", "<strong>KES 335.00</strong>",
                     &format!("/applications/{reference}/pages/order?return=check")] {
            assert!(check.html.contains(text), "check page lacks {text}");
        }
        let change = b.get(&format!("/applications/{reference}/pages/order?return=check")).await;
        assert!(change.html.contains("name=\":return\" value=\"check\""));
        let changed = b.post(&format!("/applications/{reference}/pages/order"), &[("issue", "special"), ("copies", "3"), ("deliver", "yes"),
            ("address", "P.O. Box 1, Kisumu"), ("formats", "print"), (":return", "check")]).await;
        assert_eq!(changed.location, format!("/applications/{reference}/check"));
        let rechecked = b.get(&changed.location).await.html;
        assert!(rechecked.contains("<strong>KES 395.00</strong>"), "the fee follows the answers, and the total is what the bill will ask: {rechecked}");

        // Declaration: unticked is refused and nothing is sent.
        let decl = b.get(&format!("/applications/{reference}/declaration")).await;
        assert!(decl.html.contains("The information I have given is true.") && decl.html.contains(&format!("action=\"/applications/{reference}/submit\"")));
        let unticked = b.post(&format!("/applications/{reference}/submit"), &[]).await;
        assert_eq!(unticked.status, 400);
        assert!(unticked.html.contains("href=\"#f-declaration\""));
        assert!(b.get("/account/applications").await.html.contains("Draft"), "still a draft");
        let sent = b.post(&format!("/applications/{reference}/submit"), &[("declaration", "yes")]).await;
        assert_eq!((sent.status, sent.location.as_str()), (303, format!("/applications/{reference}/confirmation").as_str()), "{}", sent.html);

        // Confirmation: the reference, the fee and the bill to pay.
        let conf = b.get(&sent.location).await;
        assert!(conf.html.contains(&reference) && conf.html.contains("Application sent") && conf.html.contains("KES 395.00"));
        let bill = between(&conf.html, "href=\"/pay/", "\"").to_string();
        assert!(!bill.is_empty(), "a pay link: {}", conf.html);
        let db = app.db().await;
        let raised = lango_payments::bills::get(&db, &bill).await.unwrap().expect("bill raised");
        db.close().await;
        assert_eq!(raised.service_amount.to_decimal(), "380.00");
        // The total seen before sending is the whole the bill asks for, convenience fee included.
        let whole = raised.amount().display();
        assert_eq!(whole, "KES 395.00");
        assert!(conf.html.contains("Convenience fee") && conf.html.contains(&format!("<strong>{whole}</strong>")), "{}", conf.html);
        let track = b.get(&format!("/applications/{reference}")).await;
        assert!(track.html.contains("Waiting for payment") && track.html.contains(&format!("href=\"/pay/{bill}\"")));

        // Paid by M-Pesa: the application moves on by itself.
        pay(&app, &bill, "TJ4ABC1234").await;
        app.eventually("the application leaves awaiting payment", || async {
            fetch(&app, &b, &format!("/applications/{reference}")).await.contains("Being checked")
        }).await;
        let track = b.get(&format!("/applications/{reference}")).await;
        assert!(!track.html.contains(&format!("href=\"/pay/{bill}\"")), "nothing left to pay");
        assert!(track.html.contains("letter.png"), "uploaded documents listed");
        let doc = between(&track.html, "href=\"/applications/", "\"").to_string();
        let res = app.client.get(format!("{}/applications/{doc}", app.base)).header("cookie", cookie_string(&b)).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200, "{doc}");
        assert_eq!(res.headers()["content-type"], "image/png");
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
        assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);

        // A message to the agency.
        let empty = b.post(&format!("/applications/{reference}/messages"), &[("message", "  ")]).await;
        assert_eq!(empty.status, 400);
        let sent = b.post(&format!("/applications/{reference}/messages"), &[("message", "When will it be ready?")]).await;
        assert_eq!(sent.status, 303, "{}", sent.html);
        assert!(b.get(&format!("/applications/{reference}")).await.html.contains("When will it be ready?"));

        // The page of a submitted application cannot be changed.
        let before = b.get(&format!("/applications/{reference}")).await.html;
        let late = b.post(&format!("/applications/{reference}/pages/order"), &[("issue", "weekly"), ("copies", "1"), ("deliver", "no"), ("formats", "pdf")]).await;
        assert_eq!(late.status, 409, "{}", late.html);
        assert!(late.html.contains("This application has been sent"));
        let again = b.post(&format!("/applications/{reference}/submit"), &[("declaration", "yes")]).await;
        assert_eq!(again.status, 409);
        assert_eq!(b.get(&format!("/applications/{reference}")).await.html, before, "nothing changed");
    }

    async fn refusals_never_fail_the_server(app: TestApp) {
        let (mut b, first) = start(&app, "34567890", "owner@example.com", "MOI-GAZETTE-COPY").await;
        let reference = reference_of(&first);
        // Another citizen cannot see or change it, nor learn it exists.
        app.person("45678901", "other@example.com", PASSWORD).await;
        let mut other = Browser::new(&app);
        other.sign_in("45678901", PASSWORD).await;
        for path in ["", "/pages/you", "/check", "/declaration", "/confirmation"] {
            let res = other.get(&format!("/applications/{reference}{path}")).await;
            assert_eq!(res.status, 404, "{path}");
        }
        other.get("/account").await;
        let res = other.post(&format!("/applications/{reference}/pages/you"), &[("full_name", "Intruder")]).await;
        assert_eq!(res.status, 404);
        let res = other.post(&format!("/applications/{reference}/submit"), &[("declaration", "yes")]).await;
        assert_eq!(res.status, 404);
        assert!(!other.get("/account/applications").await.html.contains(&reference));
        assert!(b.get(&first).await.html.contains("value=\"Test Person\""), "unchanged");
        // Signed out: sign in first.
        let mut anon = Browser::new(&app);
        let res = anon.get(&format!("/applications/{reference}")).await;
        assert_eq!(res.status, 303);
        assert!(res.location.starts_with("/signin?next="));

        // Garbage: unknown pages, references, documents, forms and encodings.
        for path in [
            format!("/applications/{reference}/pages/nope"),
            format!("/applications/{reference}/pages/%FF%FE"),
            "/applications/LA-NOPE-NOPE".to_string(),
            "/applications/LA-NOPE-NOPE/check".to_string(),
            format!("/applications/{}", "X".repeat(500)),
            format!("/applications/{reference}/documents/nope"),
            format!("/applications/{reference}/documents/{}", "%00".repeat(50)),
            "/services/NOPE-NOPE/apply".to_string(),
        ] {
            let res = b.get(&path).await;
            assert!(res.status < 500, "{path}: {}", res.status);
            assert!(res.status == 404 || res.status == 400, "{path}: {}", res.status);
        }
        let garbage: &[&[(&str, &str)]] = &[
            &[("born-day", "\u{0}"), ("born-month", "99999999999999999999"), ("born-year", "-1")],
            &[("full_name", &"x".repeat(100_000))],
            &[("full_name", "Wanjiku\u{0}Kamau"), ("readers.0.name", "A\u{0}"), ("address", "\u{0}")],
            &[("readers.99999999999999999999.name", "x"), ("readers.-1.name", "y"), ("readers..name", "z")],
            &[(":op", "remove:readers.x"), (":op", "add:"), (":keep:letter", "../../etc/passwd")],
            &[("id_no", "１２３４５６７"), ("mobile", "+254 7\u{202e}12"), ("copies", "1e9"), ("tip", "NaN")],
        ];
        for pairs in garbage {
            for page in ["you", "order", "readers", "letter", "county", "sub-county", "nope"] {
                let res = b.post(&format!("/applications/{reference}/pages/{page}"), pairs).await;
                assert!(res.status < 500, "{page} {pairs:?}: {}", res.status);
            }
        }
        let res = post_multipart(&app, &b, &format!("/applications/{reference}/pages/letter"), &[], &[("letter", "x.pdf", "application/pdf", &vec![b'%'; 200 * 1024])]).await;
        assert!(res.status == 400 || res.status == 303, "oversized or mistyped file: {}", res.status);
        let res = b.post_raw(&format!("/applications/{reference}/pages/you"), "csrf=%ZZ&&&=".into()).await;
        assert!(res.status < 500);
        let res = app.client.post(format!("{}/applications/{reference}/pages/letter", app.base))
            .header("cookie", cookie_string(&b))
            .header("content-type", "multipart/form-data; boundary=nope")
            .body(format!("--nope\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n--nope\r\nbroken", b.csrf))
            .send().await.unwrap();
        assert!(res.status().as_u16() < 500, "broken multipart: {}", res.status());
        let res = b.post("/services/MOI-GAZETTE-COPY/apply", &[("for", "someone-else's-business")]).await;
        assert!(res.status < 500);
        // Submitting an incomplete draft goes back to check the answers.
        let res = b.post(&format!("/applications/{reference}/submit"), &[("declaration", "yes")]).await;
        assert_eq!(res.status, 400, "{}", res.html);
        assert!(res.html.contains("error-summary") && res.html.contains(&format!("/applications/{reference}/pages/")));
    }
}

/// Answers every page of the every-field service for a weekly issue, not delivered.
async fn answer_every_page(b: &mut Browser<'_>, reference: &str) {
    let steps: [(&str, &[(&str, &str)]); 5] = [
        (
            "you",
            &[
                ("full_name", "Otieno Ouma"),
                ("born-day", "1"),
                ("born-month", "2"),
                ("born-year", "1980"),
                ("id_no", "12345678"),
                ("mobile", "0733 000 111"),
            ],
        ),
        ("county", &[("home_county", "Mombasa")]),
        ("sub-county", &[("home_sub_county", "Nyali")]),
        (
            "order",
            &[
                ("issue", "weekly"),
                ("copies", "1"),
                ("deliver", "no"),
                ("formats", "pdf"),
            ],
        ),
        ("readers", &[("readers.0.name", "Otieno")]),
    ];
    for (page, answers) in steps {
        let res = b
            .post(&format!("/applications/{reference}/pages/{page}"), answers)
            .await;
        assert_eq!(
            res.status,
            303,
            "{page}: {}",
            between(&res.html, "error-summary", "</div>")
        );
    }
}

/// The domain's view of a person, to act as them.
async fn actor_of(app: &TestApp, account: &str) -> lango_identity::policy::Actor {
    let db = app.db().await;
    let person = lango_identity::account::actor(&db, account).await.unwrap();
    db.close().await;
    lango_identity::policy::Actor::Person(person)
}

backend_tests! {
    spawn = every_field_app;

    async fn for_a_business_with_a_request_for_more_information(app: TestApp) {
        let owner = app.person("56789012", "trader@example.com", PASSWORD).await;
        let mut b = Browser::new(&app);
        b.sign_in("56789012", PASSWORD).await;
        b.get("/account/businesses/new").await;
        b.post("/account/businesses", &[("registration_number", "pvt-test123"), ("name", "Test Traders Ltd")]).await;
        app.approve_claims(&owner).await;
        let business = crate::claims::business_of(&app, &owner).await;
        b.get("/services/MOI-GAZETTE-COPY/apply").await;
        let ask = b.post("/services/MOI-GAZETTE-COPY/apply", &[]).await;
        assert_eq!(ask.status, 200, "a representative is asked who it is for");
        assert!(ask.html.contains("Who is this application for?") && ask.html.contains("Test Traders Ltd"), "{}", ask.html);
        let wrong = b.post("/services/MOI-GAZETTE-COPY/apply", &[("for", "not-my-business")]).await;
        assert_eq!(wrong.status, 400);
        assert!(wrong.html.contains("href=\"#f-for\""));
        let started = b.post("/services/MOI-GAZETTE-COPY/apply", &[("for", &business)]).await;
        assert_eq!(started.status, 303, "{}", started.html);
        let reference = reference_of(&started.location);
        let me = actor_of(&app, &owner).await;
        let db = app.db().await;
        let cases = lango_cases::Cases::open(db.clone(), lango::cases_settings(&config_of(&app)).unwrap()).await.unwrap();
        assert_eq!(cases.get(&me, &reference).await.unwrap().business.as_deref(), Some(business.as_str()));
        answer_every_page(&mut b, &reference).await;
        let sent = b.post(&format!("/applications/{reference}/submit"), &[("declaration", "yes")]).await;
        assert_eq!(sent.status, 303, "{}", sent.html);
        let bill = between(&b.get(&sent.location).await.html, "href=\"/pay/", "\"").to_string();
        pay(&app, &bill, "TJ4GHI9012").await;
        app.eventually("paid", || async { fetch(&app, &b, &format!("/applications/{reference}")).await.contains("Being checked") }).await;

        // The officer asks for more: the applicant sees the request and answers with a document.
        let officer = app.staff("officer@moi.example", PASSWORD, lango_identity::model::Role::Officer, Some("MOI")).await;
        let officer = actor_of(&app, &officer).await;
        let revision = cases.get(&officer, &reference).await.unwrap().revision;
        cases.act(&officer, &reference, "ask", Some("Send a copy of the company's certificate"), revision).await.unwrap();
        let track = b.get(&format!("/applications/{reference}")).await;
        let asked = between(&track.html, "The agency needs more information", "</form>");
        assert!(asked.contains("Send a copy of the company&#39;s certificate") || asked.contains("Send a copy of the company's certificate"),
            "{}", between(&track.html, "<main", "</main>"));
        assert!(track.html.contains("enctype=\"multipart/form-data\""));
        let empty = post_multipart(&app, &b, &format!("/applications/{reference}/respond"), &[("response", " ")], &[]).await;
        assert_eq!(empty.status, 400);
        assert!(empty.html.contains("href=\"#f-response\""));
        let mistyped = post_multipart(&app, &b, &format!("/applications/{reference}/respond"), &[("response", "Here it is")],
            &[("file", "cert.pdf", "application/pdf", b"<html><script>alert(1)</script></html>")]).await;
        assert_eq!(mistyped.status, 400, "a mistyped file is refused");
        assert!(fetch(&app, &b, &format!("/applications/{reference}")).await.contains("More information needed"), "nothing changed");
        let answered = post_multipart(&app, &b, &format!("/applications/{reference}/respond"), &[("response", "Here it is")],
            &[("file", "certificate.png", "image/png", PNG)]).await;
        assert_eq!(answered.status, 303, "{}", answered.html);
        let track = b.get(&format!("/applications/{reference}")).await;
        assert!(track.html.contains("Being checked") && track.html.contains("Here it is") && track.html.contains("certificate.png"));
        assert!(!track.html.contains("/respond\""), "no request open any more");
        let late = post_multipart(&app, &b, &format!("/applications/{reference}/respond"), &[("response", "Again")], &[]).await;
        assert_eq!(late.status, 409);

        // Approved: the issued document is there to download, shown with a strict policy.
        let revision = cases.get(&officer, &reference).await.unwrap().revision;
        cases.act(&officer, &reference, "approve", None, revision).await.unwrap();
        let track = b.get(&format!("/applications/{reference}")).await;
        assert!(track.html.contains("Completed") && track.html.contains("Gazette order"), "{}", between(&track.html, "<main", "</main>"));
        let issued = between(between(&track.html, "Your documents from the agency", "</ul>"), "href=\"", "\"").to_string();
        let res = app.client.get(format!("{}{issued}", app.base)).header("cookie", cookie_string(&b)).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200, "{issued}");
        assert_eq!(res.headers()["content-type"], "application/pdf");
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
        assert!(csp.contains("sandbox") && csp.contains("default-src 'none'") && !csp.contains("script-src"), "{csp}");
        assert!(crate::cases_files::pdf_text(&res.bytes().await.unwrap()).contains(&reference));
        // Nobody else downloads it.
        app.person("67890123", "nosy@example.com", PASSWORD).await;
        let mut nosy = Browser::new(&app);
        nosy.sign_in("67890123", PASSWORD).await;
        assert_eq!(nosy.get(&issued).await.status, 404);
        db.close().await;
    }
}

backend_tests! {
    spawn = demo_app;

    async fn certificate_of_good_conduct_from_start_to_paid(app: TestApp) {
        let start_page = app.get("/services/DCI-GOOD-CONDUCT/apply").await.text().await.unwrap();
        for text in ["Apply for a certificate of good conduct", "Start now", "KES 1,050.00", "working days", "fingerprints taken"] {
            assert!(start_page.contains(text), "start page lacks {text}");
        }
        let (mut b, first) = start(&app, "27654321", "neema@example.com", "DCI-GOOD-CONDUCT").await;
        let reference = reference_of(&first);
        let at = |page: &str| format!("/applications/{reference}/pages/{page}");
        assert_eq!(first, at("about-you"));
        let page = b.get(&first).await;
        assert!(page.html.contains("value=\"27654321\"") && page.html.contains("value=\"Test Person\""), "prefilled from the profile");
        // Too young, a short ID: errors linked to their fields, answers kept.
        let bad = b.post(&first, &[("full_name", "Neema Wafula"), ("national_id", "123"), ("date_of_birth-day", "1"),
            ("date_of_birth-month", "1"), ("date_of_birth-year", "2020"), ("phone", "0712 345 678")]).await;
        assert_eq!(bad.status, 400);
        for anchor in ["#f-national_id", "#f-date_of_birth"] {
            assert!(bad.html.contains(&format!("href=\"{anchor}\"")), "summary links {anchor}");
        }
        assert!(bad.html.contains("value=\"Neema Wafula\"") && bad.html.contains("value=\"2020\"") && bad.html.contains("value=\"123\""));
        let ok = b.post(&first, &[("full_name", "Neema Wafula"), ("national_id", "27654321"), ("date_of_birth-day", "12"),
            ("date_of_birth-month", "7"), ("date_of_birth-year", "1994"), ("phone", "0712 345 678")]).await;
        assert_eq!((ok.status, ok.location.clone()), (303, at("purpose")), "{}", between(&ok.html, "error-summary", "</div>"));
        let ok = b.post(&at("purpose"), &[("purpose", "employment"), ("convicted", "no")]).await;
        assert_eq!(ok.location, at("fingerprints"), "the conviction page is skipped");
        // Save and come back later, then resume from the list.
        let saved = b.post(&at("fingerprints"), &[("centre", "huduma-gpo"), (":op", "save")]).await;
        assert_eq!(saved.status, 400, "a photo is required even to save this page");
        let saved = b.post(&at("fingerprints"), &[(":op", "save")]).await;
        assert_eq!(saved.location, "/account/applications", "a blank page is left as it was");
        let list = b.get("/account/applications").await;
        assert!(list.html.contains(&format!("href=\"{}\"", at("fingerprints"))), "resume at the photo: {}", list.html);
        assert_eq!(b.get(&format!("/applications/{reference}")).await.location, at("fingerprints"));
        let ok = post_multipart(&app, &b, &at("fingerprints"), &[("centre", "huduma-gpo")], &[("photo", "me.png", "image/png", PNG)]).await;
        assert_eq!(ok.location, format!("/applications/{reference}/check"), "{}", ok.html);
        let check = b.get(&ok.location).await;
        for text in ["Neema Wafula", "Employment", "Huduma Centre GPO, Nairobi", "me.png", "KES 1,050.00"] {
            assert!(check.html.contains(text), "check page lacks {text}");
        }
        let unticked = b.post(&format!("/applications/{reference}/submit"), &[("declaration", "no")]).await;
        assert_eq!(unticked.status, 400);
        let sent = b.post(&format!("/applications/{reference}/submit"), &[("declaration", "yes")]).await;
        assert_eq!(sent.location, format!("/applications/{reference}/confirmation"), "{}", sent.html);
        let conf = b.get(&sent.location).await;
        assert!(conf.html.contains(&reference) && conf.html.contains("Waiting for payment"));
        let bill = between(&conf.html, "href=\"/pay/", "\"").to_string();
        let db = app.db().await;
        let raised = lango_payments::bills::get(&db, &bill).await.unwrap().expect("bill raised");
        db.close().await;
        assert_eq!(raised.service_amount.to_decimal(), "1050.00");
        assert_eq!(raised.status, lango_payments::BillStatus::Open);
        pay(&app, &bill, "TJ4DEF5678").await;
        app.eventually("paid and with the DCI", || async {
            fetch(&app, &b, &format!("/applications/{reference}")).await.contains("Fingerprints and records check")
        }).await;
        let track = b.get(&format!("/applications/{reference}")).await;
        assert!(!track.html.contains(&format!("href=\"/pay/{bill}\"")) && track.html.contains("Waiting for payment"), "the timeline keeps the steps");
        // Another citizen is refused; a late change is refused and changes nothing.
        app.person("38765432", "other@example.com", PASSWORD).await;
        let mut other = Browser::new(&app);
        other.sign_in("38765432", PASSWORD).await;
        assert_eq!(other.get(&format!("/applications/{reference}")).await.status, 404);
        let late = b.post(&at("purpose"), &[("purpose", "travel"), ("convicted", "no")]).await;
        assert_eq!(late.status, 409);
        assert!(b.get(&format!("/applications/{reference}/confirmation")).await.html.contains(&reference));
        let db = app.db().await;
        let cases = lango_cases::Cases::open(db.clone(), lango::cases_settings(&config_of(&app)).unwrap()).await.unwrap();
        let person = lango_identity::account::actor(&db, &lango_identity::account::find_by_identifier(&db, "27654321").await.unwrap().unwrap().0.id).await.unwrap();
        let stored = cases.get(&lango_identity::policy::Actor::Person(person), &reference).await.unwrap();
        assert_eq!(stored.answers["purpose"], "employment", "unchanged");
        db.close().await;
    }
}
