//! Documents of applications, driven through the engine: uploads checked on their content
//! and stored once by hash, downloads only for those allowed, issued outputs escaped,
//! signed and verifiable, and outputs attached by an agency's system.

use crate::s3_server::S3Server;
use crate::support::TestApp;
use lango_cases::definition::{FileAnswer, PageInput, Profile};
use lango_cases::service::{Refusal, Settings};
use lango_cases::{Application, Cases};
use lango_core::Error;
use lango_identity::model::Role;
use lango_identity::policy::Actor;

const SERVICE: &str = "MOI-FIREARM-CERT";

/// A small definition: one page with a name and two file questions, an officer's review
/// whose action issues a certificate.
const DEFINITION: &str = r#"
service: MOI-FIREARM-CERT
title:
  en: Apply for a firearm certificate
declaration:
  en: I declare that the information I have given is true.
pages:
  - id: about
    title:
      en: About you
    fields:
      - id: full_name
        type: text
        label:
          en: Full name
        required: true
      - id: id_copy
        type: file
        label:
          en: A copy of your national ID
        required: true
        accept: [pdf]
        max_size_kb: 64
      - id: photo
        type: file
        label:
          en: A passport photo
        accept: [jpeg, png]
workflow:
  start: review
  states:
    - id: review
      label:
        en: Being checked
      actor: officer
      sla_days: 5
      actions:
        - id: issue
          label:
            en: Issue the certificate
          to: issued
          issues: certificate
    - id: issued
      label:
        en: Issued
      actor: system
      outcome: completed
outputs:
  - id: certificate
    title:
      en: Firearm certificate
    valid_days: 365
    template: |
      # Firearm certificate

      Issued to {{ answers.full_name }} for {{ service }}, application {{ reference }}.

      Valid until {{ valid_until }}.
"#;

fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

fn pdf_with_script() -> Vec<u8> {
    b"%PDF-1.7\n1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert('hi')) >> >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

fn png() -> Vec<u8> {
    let mut v = vec![
        0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n', 0, 0, 0, 13,
    ];
    v.extend(b"IHDR");
    v.extend([
        0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xDE,
    ]);
    v.extend([0, 0, 0, 12]);
    v.extend(b"IDAT");
    v.extend([
        0x08, 0xD7, 0x63, 0xF8, 0xCF, 0xC0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00,
    ]);
    v.extend([0x18, 0xDD, 0x8D, 0xB0, 0, 0, 0, 0]);
    v.extend(b"IEND");
    v.extend([0xAE, 0x42, 0x60, 0x82]);
    v
}

fn exe() -> Vec<u8> {
    let mut v = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff".to_vec();
    v.extend(b"This program cannot be run in DOS mode.");
    v
}

pub(crate) async fn open_cases(app: &TestApp) -> Cases {
    let dir = app.data_dir.path().join("files-documents");
    open_cases_with(app, Settings::new(dir.display().to_string(), Vec::new())).await
}

async fn open_cases_with(app: &TestApp, mut settings: Settings) -> Cases {
    settings.public_url = app.base.clone();
    let cases = Cases::open(app.db().await, settings)
        .await
        .expect("cases open");
    let stored =
        lango_cases::registry::load_texts(cases.db(), &[("t.yaml".into(), DEFINITION.into())])
            .await
            .expect("load");
    assert_eq!(stored, 1, "the test definition is accepted");
    cases
}

/// Files in the document store.
fn objects(app: &TestApp) -> usize {
    fn walk(dir: &std::path::Path) -> usize {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return 0;
        };
        entries
            .flatten()
            .map(|e| {
                if e.path().is_dir() {
                    walk(&e.path())
                } else {
                    1
                }
            })
            .sum()
    }
    walk(&app.data_dir.path().join("files-documents"))
}

async fn actor(app: &TestApp, account: &str) -> Actor {
    let db = app.db().await;
    let person = lango_identity::account::actor(&db, account)
        .await
        .expect("actor");
    db.close().await;
    Actor::Person(person)
}

async fn citizen(app: &TestApp, id: &str) -> Actor {
    let account = app
        .person(id, &format!("c{id}@example.ke"), "correct horse battery")
        .await;
    actor(app, &account).await
}

async fn officer(app: &TestApp, agency: &str) -> Actor {
    let account = app
        .staff(
            &format!("officer-{}@{agency}.example", uuid::Uuid::new_v4().simple()),
            "correct horse battery",
            Role::Officer,
            Some(agency),
        )
        .await;
    actor(app, &account).await
}

async fn draft(cases: &Cases, who: &Actor) -> Application {
    cases
        .start(who, SERVICE, None, &Profile::default())
        .await
        .expect("start")
}

async fn upload(
    cases: &Cases,
    who: &Actor,
    reference: &str,
    field: &str,
    name: &str,
    bytes: Vec<u8>,
) -> Result<FileAnswer, Refusal> {
    cases
        .upload(who, reference, field, name, bytes)
        .await
        .expect("upload answered")
}

/// A submitted application whose name is `name`, with an ID copy uploaded.
async fn submitted(cases: &Cases, who: &Actor, name: &str) -> Application {
    let d = draft(cases, who).await;
    let id_copy = upload(cases, who, &d.reference, "id_copy", "id.pdf", pdf())
        .await
        .expect("pdf accepted");
    let input = PageInput {
        values: vec![("full_name".into(), name.into())],
        files: vec![("id_copy".into(), id_copy)],
    };
    cases
        .answer(who, &d.reference, "about", &input)
        .await
        .expect("answer")
        .expect("valid answers");
    cases
        .submit(who, &d.reference)
        .await
        .expect("submit")
        .expect("complete")
}

fn forbidden_or_hidden<T: std::fmt::Debug>(result: Result<T, Error>, what: &str) {
    match result {
        Err(Error::Forbidden(_)) | Err(Error::NotFound(_)) => {}
        other => panic!("{what}: expected forbidden or not found, got {other:?}"),
    }
}

crate::backend_tests! {
    async fn files_uploads_are_checked_on_content_and_stored_once(app: TestApp) {
        let cases = open_cases(&app).await;
        let wanjiku = citizen(&app, "21110001").await;
        let d = draft(&cases, &wanjiku).await;

        let first = upload(&cases, &wanjiku, &d.reference, "id_copy", "../../etc/my id.pdf", pdf()).await.expect("accepted");
        assert_eq!(first.content_type, "application/pdf");
        assert_eq!(first.name, "my id.pdf", "the path is dropped from the name");
        assert_eq!(first.size, pdf().len() as u64);
        let again = upload(&cases, &wanjiku, &d.reference, "id_copy", "copy.pdf", pdf()).await.expect("accepted");
        assert_eq!(again.sha256, first.sha256);
        assert_ne!(again.id, first.id);
        assert_eq!(objects(&app), 1, "the same content is stored once");
        let photo = upload(&cases, &wanjiku, &d.reference, "photo", "me.png", png()).await.expect("png accepted");
        assert_eq!(photo.content_type, "image/png");
        assert_eq!(objects(&app), 2);
        let rows = app.count("documents").await;
        assert_eq!(rows, 3);

        // Refused: each stores nothing.
        let big = { let mut v = pdf(); v.extend(vec![b' '; 70 * 1024]); v };
        let refusals: Vec<(&str, &str, Vec<u8>, &str)> = vec![
            ("id_copy", "big.pdf", big, "oversized"),
            ("id_copy", "scan.pdf", png(), "a PNG named .pdf"),
            ("photo", "photo.jpg", exe(), "an EXE named .jpg"),
            ("id_copy", "empty.pdf", Vec::new(), "empty"),
            ("id_copy", "form.pdf", pdf_with_script(), "a PDF with JavaScript"),
        ];
        for (field, name, bytes, what) in refusals {
            let refusal = upload(&cases, &wanjiku, &d.reference, field, name, bytes).await.expect_err(what);
            match (what, &refusal) {
                ("oversized", Refusal::TooLarge { limit_kb: 64 }) | ("empty", Refusal::Empty) => {}
                (_, Refusal::WrongType) if what != "oversized" && what != "empty" => {}
                _ => panic!("{what}: refused as {refusal:?}"),
            }
            assert_eq!(app.count("documents").await, rows, "{what}: no row");
            assert_eq!(objects(&app), 2, "{what}: no object");
        }

        // Not a file question, someone else's draft, a submitted application.
        let err = cases.upload(&wanjiku, &d.reference, "full_name", "x.pdf", pdf()).await.unwrap_err();
        assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
        let other = citizen(&app, "21110002").await;
        forbidden_or_hidden(cases.upload(&other, &d.reference, "id_copy", "x.pdf", pdf()).await, "another citizen uploads");
        let sent = submitted(&cases, &wanjiku, "Wanjiku Kamau").await;
        let err = cases.upload(&wanjiku, &sent.reference, "id_copy", "late.pdf", pdf()).await.unwrap_err();
        assert!(matches!(err, Error::Conflict(_)), "{err:?}");
        // A message attachment on an open application is fine.
        let note = upload(&cases, &wanjiku, &sent.reference, "message", "letter.png", png()).await.expect("message attachment");
        assert_eq!(note.content_type, "image/png");
    }

    async fn files_downloads_only_for_those_allowed(app: TestApp) {
        let cases = open_cases(&app).await;
        let wanjiku = citizen(&app, "21120001").await;
        let sent = submitted(&cases, &wanjiku, "Wanjiku Kamau").await;
        let file: FileAnswer = serde_json::from_value(sent.answers["id_copy"].clone()).expect("file answer");

        let (meta, bytes) = cases.document(&wanjiku, &sent.reference, &file.id).await.expect("the applicant downloads");
        assert_eq!(bytes, pdf());
        assert_eq!(meta.content_type, "application/pdf");

        let audited = app.count("audit_log").await;
        let moi = officer(&app, "MOI").await;
        let (_, bytes) = cases.document(&moi, &sent.reference, &file.id).await.expect("the agency's officer downloads");
        assert_eq!(bytes, pdf());
        assert!(app.count("audit_log").await > audited, "the officer's look is audited");

        let other = citizen(&app, "21120002").await;
        forbidden_or_hidden(cases.document(&other, &sent.reference, &file.id).await, "another citizen");
        let dis = officer(&app, "DIS").await;
        forbidden_or_hidden(cases.document(&dis, &sent.reference, &file.id).await, "another agency's officer");
        forbidden_or_hidden(cases.document(&Actor::Anonymous, &sent.reference, &file.id).await, "nobody");

        // A document of another application is not reachable through this one.
        let second = submitted(&cases, &other, "Otieno Odhiambo").await;
        let theirs: FileAnswer = serde_json::from_value(second.answers["id_copy"].clone()).unwrap();
        forbidden_or_hidden(cases.document(&wanjiku, &sent.reference, &theirs.id).await, "a document of another application");
    }

    async fn files_issued_output_is_a_pdf_and_verifies(app: TestApp) {
        let cases = open_cases(&app).await;
        let wanjiku = citizen(&app, "21130001").await;
        let sent = submitted(&cases, &wanjiku, "<script>alert('x')</script> Wanjiku").await;
        let moi = officer(&app, "MOI").await;
        let done = cases.act(&moi, &sent.reference, "issue", None, sent.revision).await.expect("issued");
        assert_eq!(done.state, "issued");

        let issued = cases.issued(&wanjiku, &sent.reference).await.expect("issued list");
        assert_eq!(issued.len(), 1);
        let doc = &issued[0];
        assert_eq!(doc.output, "certificate");
        assert!(doc.number.starts_with("LD-") && doc.number.len() == 12, "{}", doc.number);
        assert!(doc.valid_until.is_some());
        assert_eq!(doc.file.content_type, "application/pdf");
        assert!(doc.file.name.ends_with(&format!("-{}.pdf", doc.number)), "{}", doc.file.name);
        let (_, bytes) = cases.document(&wanjiku, &sent.reference, &doc.file.id).await.expect("download");
        assert!(bytes.starts_with(b"%PDF-") && bytes.len() < 100 * 1024, "a small PDF: {} bytes", bytes.len());
        let text = pdf_text(&bytes);
        // In a PDF an answer is only ever text: printed as typed.
        assert!(text.contains("<script>alert('x')</script> Wanjiku"), "{text}");
        assert!(text.contains(&sent.reference) && text.contains(&doc.number), "{text}");
        assert!(text.contains(&format!("{}/verify/{}", app.base, doc.number)), "{text}");
        assert!(text.contains("Nambari ya hati"), "labels in both languages: {text}");
        signed_offline(&app, &bytes, &doc.number).await;
        let verified = cases.verify(&doc.number.to_lowercase()).await.unwrap().expect("found");
        assert!(verified.signature_valid);
        assert!(!verified.expired);
        assert_eq!(verified.title, "Firearm certificate");
        assert!(!verified.holder.contains("Wanjiku"), "initials only: {}", verified.holder);
        assert!(cases.verify("LD-2222-2222").await.unwrap().is_none());
        // The key that signed is kept sealed: its raw row is not the key.
        let db = app.db().await;
        let stored: String = sqlx::query_scalar("SELECT secret FROM core_keys WHERE name = 'issued'")
            .fetch_one(db.pool()).await.unwrap();
        let key = db.keyring().await.unwrap().open(&lango_core::keys::SEALED, "issued", &stored).unwrap();
        db.close().await;
        assert_eq!(key.len(), 64, "a 32-byte key, hex");
        assert!(stored.starts_with("v1:") && !stored.contains(&key), "{stored}");
        assert!(cases.verify("not a number").await.unwrap().is_none());

        // A tampered signature no longer checks.
        let db = app.db().await;
        sqlx::query("UPDATE issued SET signature = $1 WHERE number = $2")
            .bind("00".repeat(32))
            .bind(&doc.number)
            .execute(db.pool())
            .await
            .unwrap();
        db.close().await;
        let verified = cases.verify(&doc.number).await.unwrap().expect("found");
        assert!(!verified.signature_valid);
    }

    async fn files_agency_system_attaches_its_own_output(app: TestApp) {
        let cases = open_cases(&app).await;
        let wanjiku = citizen(&app, "21140001").await;
        let sent = submitted(&cases, &wanjiku, "Wanjiku Kamau").await;
        let key = app.agency_key("MOI", &["cases:read", "cases:write"]).await;
        let db = app.db().await;
        let client = lango_identity::apikey::authenticate(&db, &key).await.unwrap().expect("key");
        db.close().await;
        let system = Actor::ApiClient(client);

        // Refused: not a PDF, an output the service does not issue, a read-only key.
        let refusal = cases.attach_output(&system, &sent.reference, "certificate", "c.png", png()).await.unwrap().unwrap_err();
        assert!(matches!(refusal, Refusal::WrongType));
        let err = cases.attach_output(&system, &sent.reference, "licence", "c.pdf", pdf()).await.unwrap_err();
        assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
        let reader_key = app.agency_key("MOI", &["cases:read"]).await;
        let db = app.db().await;
        let reader = Actor::ApiClient(lango_identity::apikey::authenticate(&db, &reader_key).await.unwrap().unwrap());
        db.close().await;
        forbidden_or_hidden(cases.attach_output(&reader, &sent.reference, "certificate", "c.pdf", pdf()).await, "a read-only key");
        assert_eq!(app.count("issued").await, 0);

        let attached = cases
            .attach_output(&system, &sent.reference, "certificate", "certificate.pdf", pdf())
            .await
            .unwrap()
            .expect("attached");
        assert_eq!(attached.file.content_type, "application/pdf");
        let again = cases.attach_output(&system, &sent.reference, "certificate", "c.pdf", pdf()).await.unwrap_err();
        assert!(matches!(again, Error::Conflict(_)), "{again:?}");
        let still = cases.get(&wanjiku, &sent.reference).await.unwrap();
        assert_eq!(still.state, "review", "attaching does not move the state");
        assert!(cases.verify(&attached.number).await.unwrap().unwrap().signature_valid);

        // The issuing action then issues the attached document, not a rendered one.
        let done = cases.act(&system, &sent.reference, "issue", None, still.revision).await.expect("issue");
        assert_eq!(done.state, "issued");
        let issued = cases.issued(&wanjiku, &sent.reference).await.unwrap();
        assert_eq!(issued.len(), 1);
        assert_eq!(issued[0].number, attached.number);
        let (_, bytes) = cases.document(&wanjiku, &sent.reference, &attached.file.id).await.unwrap();
        assert_eq!(bytes, pdf());
        // Once issued there is no issuing action left.
        let late = cases.attach_output(&system, &sent.reference, "certificate", "c.pdf", pdf()).await.unwrap_err();
        assert!(matches!(late, Error::Conflict(_)), "{late:?}");
    }

    async fn files_are_stored_in_the_configured_s3_bucket(app: TestApp) {
        if !S3Server::available() {
            return;
        }
        let s3 = S3Server::start().await;
        s3.create_bucket("lango-docs").await;
        let mut settings = Settings::new("s3://lango-docs/kenya/test", Vec::new());
        settings.s3_options = s3.options();
        let cases = open_cases_with(&app, settings).await;
        let wanjiku = citizen(&app, "21150001").await;
        let sent = submitted(&cases, &wanjiku, "Wanjiku Kamau").await;
        let file: FileAnswer = serde_json::from_value(sent.answers["id_copy"].clone()).expect("file answer");

        // In the bucket, under the configured prefix, by its hash; nothing on the local disk.
        let key = format!("kenya/test/{}", lango_cases::documents::key_of(&file.sha256));
        assert_eq!(s3.object("lango-docs", &key).await.expect("the upload is in the bucket"), pdf());
        assert_eq!(objects(&app), 0, "nothing stored locally");
        let (meta, bytes) = cases.document(&wanjiku, &sent.reference, &file.id).await.expect("read back");
        assert_eq!(bytes, pdf());
        assert_eq!(meta.content_type, "application/pdf");

        // A photo goes the same way; a refused upload leaves the bucket as it was.
        let d = draft(&cases, &wanjiku).await;
        let photo = upload(&cases, &wanjiku, &d.reference, "photo", "me.png", png()).await.expect("png accepted");
        let photo_key = format!("kenya/test/{}", lango_cases::documents::key_of(&photo.sha256));
        assert_eq!(s3.object("lango-docs", &photo_key).await.expect("photo stored"), png());
        upload(&cases, &wanjiku, &d.reference, "photo", "x.jpg", exe()).await.expect_err("an EXE is refused");
        let exe_key = format!("kenya/test/{}", lango_cases::documents::key_of(&lango_cases::documents::sha256_hex(&exe())));
        assert!(s3.object("lango-docs", &exe_key).await.is_none(), "the refused file is not stored");
    }
}

/// The issued document carries a QR code signed by its agency's key (issue 20): `lango
/// verify`, with the published trust list and no database, finds it valid, and revoked once
/// the agency revokes it; a changed code is invalid.
async fn signed_offline(app: &TestApp, pdf: &[u8], number: &str) {
    // The code as a verifier's phone reads it: from the QR image on the PDF.
    let code = lango_documents::scan::find(pdf)
        .expect("the signed code is on the document")
        .text;
    let trust_path = app.data_dir.path().join("downloaded-trust-list.json");
    let list = fetch_trust_list(app, &trust_path).await;
    assert!(
        list["keys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["agency"] == "MOI" && k["alg"] == "EdDSA"),
        "{list}"
    );
    assert!(list["signature"].is_string() && list["root"]["jwk"]["crv"] == "Ed25519");
    let root = list["root"]["jwk"]["x"].as_str().unwrap().to_string();
    let trust = trust_path.to_str().unwrap();
    // `--root=KEY`: a base64url key may begin with `-`.
    let root = format!("--root={root}");
    let run = |args: &[&str]| {
        let out = app.cli(args);
        let said = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        (out.status.code(), said)
    };
    let (status, said) = run(&["verify", "--trust-list", trust, &root, &code]);
    assert_eq!(status, Some(0), "{said}");
    assert!(
        said.contains("VALID") && said.contains(number) && said.contains("MOI"),
        "{said}"
    );
    assert!(said.contains("****0001"), "the ID number masked: {said}");
    // The PDF itself is read too: its QR image decoded, its text checked against the code.
    let file = app.data_dir.path().join("issued-document.pdf");
    std::fs::write(&file, pdf).unwrap();
    assert_eq!(
        run(&["verify", "--trust-list", trust, file.to_str().unwrap()]).0,
        Some(0)
    );
    let changed = code.replacen('A', "B", 1);
    assert_eq!(
        run(&["verify", "--trust-list", trust, &changed]).0,
        Some(1),
        "a changed code"
    );

    // Rotated by a platform administrator: the old key stays listed, and what it signed
    // still verifies; other staff may not rotate.
    app.staff(
        "keys@lango.test",
        "correct horse battery",
        Role::PlatformAdmin,
        None,
    )
    .await;
    app.staff(
        "officer-keys@moi.example",
        "correct horse battery",
        Role::Officer,
        Some("MOI"),
    )
    .await;
    let mut officer = crate::browser_kit::Browser::new(app);
    officer
        .sign_in("officer-keys@moi.example", "correct horse battery")
        .await;
    assert_eq!(officer.get("/admin/document-keys").await.status, 403);
    let mut admin = crate::browser_kit::Browser::new(app);
    admin
        .sign_in("keys@lango.test", "correct horse battery")
        .await;
    let page = admin.get("/admin/document-keys").await;
    assert!(
        page.html.contains("/admin/document-keys/MOI/rotate"),
        "{}",
        page.html
    );
    assert_eq!(
        officer
            .post("/admin/document-keys/MOI/rotate", &[])
            .await
            .status,
        403
    );
    let typo = admin.post("/admin/document-keys/NOPE/rotate", &[]).await;
    assert_eq!(typo.status, 404, "no key is made for a typo");
    let rotated = admin.post("/admin/document-keys/MOI/rotate", &[]).await;
    assert_eq!(rotated.status, 303, "{}", rotated.html);
    let list = fetch_trust_list(app, &trust_path).await;
    let moi = list["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["agency"] == "MOI")
        .count();
    assert_eq!(moi, 2, "the retired key stays listed");
    assert_eq!(
        run(&["verify", "--trust-list", trust, &code]).0,
        Some(0),
        "still verifies"
    );
    let db = app.db().await;
    lango_documents::keys::revoke(&db, "MOI", number, "Issued in error", "account:test")
        .await
        .unwrap();
    db.close().await;
    fetch_trust_list(app, &trust_path).await;
    let (status, said) = run(&["verify", "--trust-list", trust, &root, &code]);
    assert_eq!(status, Some(2), "{said}");
    assert!(
        said.contains("REVOKED") && said.contains("Issued in error"),
        "{said}"
    );
}

/// Downloads the trust list into `path`, as a verifier would once.
async fn fetch_trust_list(app: &TestApp, path: &std::path::Path) -> serde_json::Value {
    let res = app.get("/.well-known/lango/trust-list.json").await;
    assert_eq!(res.status().as_u16(), 200);
    let body = res.text().await.unwrap();
    std::fs::write(path, &body).unwrap();
    serde_json::from_str(&body).unwrap()
}

/// The text of a PDF, page by page, as a reader copies it.
pub(crate) fn pdf_text(bytes: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(bytes).expect("a PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages).expect("its text")
}
