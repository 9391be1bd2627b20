//! Signed documents (issue 20) as their users meet them: an agency's system signs a
//! document it issued (`POST /api/v1/documents`), the holder finds it in their wallet, a
//! verifier checks it at `/verify` by number, by pasted code or by uploading the PDF or a
//! photo, and a revocation reaches the wallet and every verifier at once.

use crate::backend_tests;
use crate::browser_kit::Browser;
use crate::cases_journey::post_multipart;
use crate::support::TestApp;
use serde_json::{json, Value};

const PASSWORD: &str = "correct horse battery";

async fn sign(app: &TestApp, key: &str, body: Value) -> (u16, Value) {
    app.api(reqwest::Method::POST, key, "/api/v1/documents", Some(body))
        .await
}

async fn pdf_of(app: &TestApp, key: &str, url: &str) -> (u16, Vec<u8>) {
    let res = app
        .client
        .get(format!("{}{url}", app.base))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.bytes().await.unwrap().to_vec())
}

fn licence(id_number: &str, name: &str) -> Value {
    json!({
        "type": "Fishing licence",
        "holder": {"name": name, "id_number": id_number},
        "expires": "2099-12-31",
        "fields": {"Vessel": "MV Nyanza", "Waters": "Lake Victoria"}
    })
}

backend_tests! {
    async fn an_agency_system_signs_a_document_the_holder_keeps(app: TestApp) {
        // The holder's account: its ID number and its name are the document's.
        app.person("31415926", "akinyi@example.com", PASSWORD).await;
        let key = app.agency_key("KFS", &["documents:write"]).await;
        let (status, body) = sign(&app, &key, licence("3141-5926", "Test Akinyi Person")).await;
        assert_eq!(status, 201, "{body}");
        let number = body["number"].as_str().unwrap().to_string();
        assert!(number.starts_with("LD-") && body["qr"].as_str().unwrap().starts_with("LG1:"), "{body}");
        assert_eq!(body["pdf_url"], format!("/api/v1/documents/{number}/pdf"));
        assert!(body["verify_url"].as_str().unwrap().ends_with(&format!("/verify/{number}")));
        assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1", "document.sign").await, 1);

        // The PDF, fetched again with the key, checks offline against the trust list.
        let (status, pdf) = pdf_of(&app, &key, &format!("/api/v1/documents/{number}/pdf")).await;
        assert_eq!(status, 200);
        assert!(pdf.starts_with(b"%PDF-") && pdf.len() < 100 * 1024);
        let text = crate::cases_files::pdf_text(&pdf);
        assert!(text.contains("Fishing licence") && text.contains("MV Nyanza") && text.contains("****5926"), "{text}");
        assert!(!text.contains("31415926"), "the ID number is printed masked: {text}");
        let trust: lango_documents::TrustList =
            serde_json::from_value(app.get_json("/.well-known/lango/trust-list.json", 200).await).unwrap();
        let today = lango_core::clock::Civil::from_ms(lango_core::clock::now_ms()).date();
        let lango_documents::Verdict::Valid(claims) = lango_documents::verify_file(&pdf, &trust, &today) else {
            panic!("the signed PDF checks offline");
        };
        assert_eq!((claims.agency.as_str(), claims.holder.as_str()), ("KFS", "Test Akinyi Person"));
        assert_eq!(claims.fields["Waters"], "Lake Victoria");
        // Another agency's key does not reach it, nor a key of its own agency that does not sign.
        let other = app.agency_key("NTSA", &["documents:write"]).await;
        assert_eq!(pdf_of(&app, &other, &format!("/api/v1/documents/{number}/pdf")).await.0, 404);
        let billing = app.agency_key("KFS", &["bills:read"]).await;
        assert_eq!(pdf_of(&app, &billing, &format!("/api/v1/documents/{number}/pdf")).await.0, 403);

        // The holder (by their ID number) has it in their wallet and downloads it; nobody else does.
        let mut b = Browser::new(&app);
        b.sign_in("31415926", PASSWORD).await;
        let wallet = b.get("/account/documents").await;
        assert!(wallet.html.contains("Fishing licence") && wallet.html.contains(&number), "{}", wallet.html);
        let download = format!("/account/documents/{number}");
        assert!(wallet.html.contains(&download));
        let res = app.client.get(format!("{}{download}", app.base))
            .header("cookie", crate::cases_journey::cookie_string(&b)).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(res.bytes().await.unwrap().to_vec(), pdf);
        app.person("27182818", "nosy@example.com", PASSWORD).await;
        let mut nosy = Browser::new(&app);
        nosy.sign_in("27182818", PASSWORD).await;
        assert_eq!(nosy.get(&download).await.status, 404);
        assert!(!nosy.get("/account/documents").await.html.contains(&number));
        // A document for this ID number under another name is not given to the account:
        // typing someone's ID number at registration gets nobody their documents.
        let (_, other_name) = sign(&app, &key, licence("31415926", "Someone Else")).await;
        let wallet = b.get("/account/documents").await;
        assert!(!wallet.html.contains(other_name["number"].as_str().unwrap()), "{}", wallet.html);

        // Revoked by the agency: the wallet says so at once, with the reason.
        let res = app.client.post(format!("{}/api/v1/documents/{number}/revoke", app.base))
            .bearer_auth(&key).json(&json!({"reason": "Vessel sold"})).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        let wallet = b.get("/account/documents").await;
        assert!(wallet.html.contains("Revoked") && wallet.html.contains("Vessel sold"), "{}", wallet.html);
        // And the holder is told, once, by the teller that follows the events.
        let cases = crate::cases_files::open_cases(&app).await;
        cases.tell().await.unwrap();
        cases.tell().await.unwrap();
        let db = app.db().await;
        let sent = lango_notify::to_recipient(&db, "akinyi@example.com", 50).await.unwrap();
        db.close().await;
        let revoked: Vec<_> = sent.iter().filter(|m| m.event_type.as_deref() == Some("document.revoked")).collect();
        assert_eq!(revoked.len(), 1, "{sent:?}");
        assert!(revoked[0].body.contains(&number) && revoked[0].body.contains("Vessel sold"), "{}", revoked[0].body);
    }

    async fn signing_refuses_bad_requests_and_changes_nothing(app: TestApp) {
        let key = app.agency_key("KFS", &["documents:write"]).await;
        let reader = app.agency_key("KFS", &["cases:read"]).await;
        assert_eq!(sign(&app, &reader, licence("31415926", "A")).await.0, 403, "documents:write is needed");
        let too_many: serde_json::Map<String, Value> =
            (0..7).map(|i| (format!("Field {i}"), json!("x"))).collect();
        for (bad, field) in [
            (json!({"type": " ", "holder": {"name": "A"}}), "type"),
            (json!({"type": "Licence", "holder": {"name": ""}}), "holder.name"),
            (json!({"type": "Licence", "holder": {"name": "A", "id_number": "12/34"}}), "holder.id_number"),
            (json!({"type": "Licence", "holder": {"name": "A"}, "expires": "2001-01-01"}), "expires"),
            (json!({"type": "Licence", "holder": {"name": "A"}, "expires": "2099-02-30"}), "expires"),
            (json!({"type": "Licence", "holder": {"name": "A"}, "fields": too_many}), "fields"),
            (json!({"type": "Licence", "holder": {"name": "A"}, "fields": {"K": "line\nbreak"}}), "fields"),
        ] {
            let (status, body) = sign(&app, &key, bad.clone()).await;
            assert_eq!(status, 400, "{bad}: {body}");
            assert!(body.to_string().contains(field), "{bad}: {body}");
        }
        assert_eq!(sign(&app, &key, json!({"holder": {"name": "A"}})).await.0, 400, "no type");
        assert_eq!(app.count("issued").await, 0, "nothing was signed");
    }

    async fn anyone_checks_a_document_by_number_code_or_file(app: TestApp) {
        let key = app.agency_key("KFS", &["documents:write"]).await;
        let (_, body) = sign(&app, &key, licence("", "Akinyi Odhiambo")).await;
        let number = body["number"].as_str().unwrap().to_string();
        let code = body["qr"].as_str().unwrap().to_string();
        let (_, pdf) = pdf_of(&app, &key, body["pdf_url"].as_str().unwrap()).await;

        // The form, linked from every page's footer and the home page; no sign-in.
        let home = app.get("/").await.text().await.unwrap();
        assert!(home.contains("href=\"/verify\""), "linked from the home page");
        let mut b = Browser::new(&app);
        let form = b.get("/verify").await;
        assert_eq!(form.status, 200);
        for action in ["action=\"/verify\"", "action=\"/verify/code\"", "action=\"/verify/file\""] {
            assert!(form.html.contains(action), "{action}");
        }
        // By number: to its page, however it was typed.
        let typed = b.get(&format!("/verify?number=+{}+", number.to_lowercase())).await;
        assert_eq!(typed.status, 303);
        let page = b.get(&typed.location).await;
        assert!(page.html.contains("This document is genuine") && page.html.contains("Akinyi Odhiambo"), "{}", page.html);
        assert!(page.html.contains("MV Nyanza"), "its key fields: {}", page.html);
        let empty = b.get("/verify?number=").await;
        assert_eq!(empty.status, 400);
        assert!(empty.html.contains("href=\"#f-number\""), "an error summary linked to the field");

        // By pasted code, and by the PDF: checked as offline.
        let pasted = b.post("/verify/code", &[("code", &code)]).await;
        assert!(pasted.html.contains("This document is genuine") && pasted.html.contains("Lake Victoria"), "{}", pasted.html);
        let changed = b.post("/verify/code", &[("code", &code.replacen('A', "B", 1))]).await;
        assert!(changed.html.contains("This is not a genuine document"), "{}", changed.html);
        let none = b.post("/verify/code", &[("code", "")]).await;
        assert_eq!(none.status, 400);
        let uploaded = post_multipart(&app, &b, "/verify/file", &[], &[("file", "licence.pdf", "application/pdf", &pdf)]).await;
        assert!(uploaded.html.contains("This document is genuine") && uploaded.html.contains(&number), "{}", uploaded.html);
        let photo = post_multipart(&app, &b, "/verify/file", &[], &[("file", "cat.png", "image/png", b"\x89PNG\r\n\x1a\nnot really")]).await;
        assert!(photo.html.contains("cannot be read"), "{}", photo.html);
        let nothing = post_multipart(&app, &b, "/verify/file", &[], &[("file", "", "application/octet-stream", b"")]).await;
        assert_eq!(nothing.status, 400);
        assert!(nothing.html.contains("href=\"#f-file\""));

        // Revoked: the pasted code says so at once, with the reason.
        let done = app.client.post(format!("{}/api/v1/documents/{number}/revoke", app.base))
            .bearer_auth(&key).json(&json!({"reason": "Vessel sold"})).send().await.unwrap();
        assert_eq!(done.status().as_u16(), 200, "{}", done.text().await.unwrap());
        let revoked = b.post("/verify/code", &[("code", &code)]).await;
        assert!(revoked.html.contains("This document has been revoked") && revoked.html.contains("Vessel sold"), "{}", revoked.html);
        // Kiswahili too.
        b.get("/language?to=sw&next=/verify").await;
        let sw = b.post("/verify/code", &[("code", &code)]).await;
        assert!(sw.html.contains("Hati hii imefutwa"), "{}", sw.html);
    }
}
