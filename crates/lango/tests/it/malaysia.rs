//! Malaysia from the same binary (`LANGO_COUNTRY=my`): a clerk imports the Malaysian
//! catalogue's spreadsheets (Malay in `*_ms` columns) with `lango import`, and the portal
//! speaks Bahasa Melayu first, finds services in Malay, prices them in ringgit, names states
//! and Malaysia's time, and takes MyKad numbers and +60 phones; its pages pass axe in
//! Chromium. Kenya's suite is unchanged: these are what differs.

use crate::browser_kit::{
    assert_accessible, axe_source, click, driver, fill, heading_is, submit, wait_for,
};
use crate::support::{serve_process, this_lango, until_readyz, Running};
use fantoccini::Locator;
use std::path::{Path, PathBuf};

/// A file of the Malaysian pack.
fn pack_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../packs/my")
        .join(rel)
}

/// `lango ARGS` serving Malaysia on the SQLite database in `data`: (success, what it said).
fn lango_my(data: &Path, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(this_lango())
        .args(args)
        .env("LANGO_COUNTRY", "my")
        .env("LANGO_DATA_DIR", data)
        .env("LANGO_LOG", "error")
        .env_remove("LANGO_DATABASE_URL")
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

/// The demo's spreadsheets, as a clerk imports them: (what, file).
const SHEETS: [(&str, &str); 3] = [
    ("agencies", "demo/agencies.csv"),
    ("services", "demo/services.csv"),
    ("centres", "demo/centres.csv"),
];

/// A clerk imports `sheets` with `lango import`; every row is taken.
fn clerk_imports(data: &Path, sheets: &[(&str, &str)]) {
    for (what, file) in sheets {
        let path = pack_file(file);
        let (ok, said) = lango_my(data, &["import", what, path.to_str().unwrap()]);
        assert!(ok && !said.contains(" 0 created"), "{what}: {said}");
        assert!(said.contains(" 0 rejected") || *what == "centres", "{said}");
    }
}

/// A Malaysian node whose catalogue and centres a clerk imported from the demo's
/// spreadsheets, with the demo's definitions; returns it and its address.
async fn malaysian_node(data: &Path) -> (Running, String) {
    clerk_imports(data, &SHEETS);
    let listen = format!("127.0.0.1:{}", crate::mpesa_crash::free_port());
    let definitions = pack_file("demo/definitions");
    let node = serve_process(
        this_lango(),
        data,
        None,
        &listen,
        &[
            ("LANGO_COUNTRY", "my"),
            ("LANGO_DEFINITIONS_DIR", definitions.to_str().unwrap()),
        ],
    );
    let base = format!("http://{listen}");
    until_readyz(&base, 200).await;
    (node, base)
}

/// A page's HTML, asked for with `headers`.
async fn page(url: &str, headers: &[(&str, &str)]) -> String {
    let mut req = reqwest::Client::new().get(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), 200, "{url}");
    res.text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malaysian_node_speaks_malay_first_and_serves_its_catalogue_in_ringgit() {
    let data = tempfile::tempdir().unwrap();
    let (_node, base) = malaysian_node(data.path()).await;

    // The clerk's catalogue: every agency and service of the demo's spreadsheets.
    let (ok, services) = lango_my(data.path(), &["export", "services"]);
    assert!(ok, "{services}");
    let header = services.lines().next().unwrap_or_default();
    assert!(
        header.contains("name_ms") && !header.contains("name_sw"),
        "{header}"
    );
    let (_, agencies) = lango_my(data.path(), &["export", "agencies"]);
    assert!(agencies.lines().count() > 30, "{agencies}");
    let api: serde_json::Value = reqwest::get(format!("{base}/api/v1/services?per_page=1"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(api["total"].as_u64().unwrap_or(0) >= 300, "{api}");

    // Bahasa Melayu first; English on request; Kiswahili is not Malaysia's.
    let home = page(&format!("{base}/"), &[]).await;
    assert!(home.contains("<html lang=\"ms\""), "{home}");
    assert!(home.contains("Perkhidmatan"), "{home}");
    assert!(
        home.contains("hreflang=\"en\""),
        "the switch offers English"
    );
    let english = page(&format!("{base}/"), &[("accept-language", "en-GB,en")]).await;
    assert!(english.contains("<html lang=\"en\""));
    for asked in [
        &[("accept-language", "sw")][..],
        &[("cookie", "lang=sw")][..],
    ] {
        let home = page(&format!("{base}/"), asked).await;
        assert!(home.contains("<html lang=\"ms\""), "{asked:?}");
    }

    // Malay searches find Malaysian services, priced in ringgit.
    for (q, code) in [
        ("pasport", "JIM-PASSPORT-RENEW"),
        ("cukai taksiran", "DBKL-ASSESSMENT-TAX"),
        ("MyKad hilang", "JPN-MYKAD-REPLACE"),
        // Malay words by their roots: "pembaharuan" (renewal) finds "pembaharuan" and
        // "baharu" alike, and "mendaftar" (to register) finds "pendaftaran" (registration).
        ("membaharui pasport", "JIM-PASSPORT-RENEW"),
        ("mendaftar perniagaan", "SSM-BUSINESS-REG"),
    ] {
        let found = page(&format!("{base}/services?q={}", q.replace(' ', "+")), &[]).await;
        assert!(found.contains(code), "{q} finds {code}");
    }
    let passport = page(&format!("{base}/services/JIM-PASSPORT-RENEW"), &[]).await;
    assert!(passport.contains("MYR 200.00"), "{passport}");
    assert!(!passport.contains("KES"), "no shillings in Malaysia");

    // The five end-to-end services' definitions load, their fees in ringgit.
    for code in [
        "JIM-PASSPORT-RENEW",
        "JPJ-LICENCE-RENEW",
        "SSM-BUSINESS-REG",
        "DBKL-ASSESSMENT-TAX",
        "JPN-MYKAD-REPLACE",
    ] {
        let res = reqwest::get(format!("{base}/api/v1/services/{code}/definition"))
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{code}");
        let body = res.text().await.unwrap();
        assert!(!body.contains("KES"), "{code}: {body}");
    }

    // The pack's own words: Urban Transformation Centres, not Huduma centres; Malaysian
    // phone numbers in the help; no M-Pesa Paybill where people pay by card and at counters.
    let centres = page(&format!("{base}/centres"), &[]).await;
    assert!(centres.contains("Pusat Transformasi Bandar"), "{centres}");
    assert!(!centres.contains("Huduma"), "{centres}");
    let help = page(&format!("{base}/help"), &[]).await;
    assert!(
        !help.contains("M-Pesa") && !help.contains("222222"),
        "{help}"
    );

    // The level between federal and local government is the state (Negeri).
    let agencies = page(&format!("{base}/agencies"), &[]).await;
    assert!(agencies.contains("Negeri"), "{agencies}");

    // A feature phone: the USSD menus in Bahasa Melayu first, English as the other choice.
    let ussd = |session: &'static str, text: &'static str| {
        let base = base.clone();
        async move {
            reqwest::Client::new()
                .post(format!("{base}/channels/ussd"))
                .form(&[
                    ("sessionId", session),
                    ("serviceCode", "*384*222#"),
                    ("phoneNumber", "+60123456789"),
                    ("text", text),
                ])
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let home = ussd("my-1", "").await;
    assert!(
        home.starts_with("CON Lango: perkhidmatan kerajaan"),
        "{home}"
    );
    assert!(
        home.contains("English") && !home.contains("Kiswahili"),
        "{home}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malaysian_pages_pass_axe_and_registration_checks_mykad_numbers() {
    let Some(d) = driver().await else { return };
    let data = tempfile::tempdir().unwrap();
    let (_node, base) = malaysian_node(data.path()).await;
    let axe = axe_source();
    let c = &d.client;
    // Chromium asks for English (Accept-Language) and gets it; the switch chooses Malay.
    c.goto(&format!("{base}/")).await.unwrap();
    let lang = c
        .execute("return document.documentElement.lang;", vec![])
        .await
        .unwrap();
    assert_eq!(lang, "en");
    c.find(Locator::Css("#language-switch"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for path in [
        "/",
        "/services?q=lesen+memandu",
        "/services/JPJ-LICENCE-RENEW",
        "/agencies",
        "/centres",
        "/signin",
        "/help",
    ] {
        c.goto(&format!("{base}{path}")).await.unwrap();
        let lang = c
            .execute("return document.documentElement.lang;", vec![])
            .await
            .unwrap();
        assert_eq!(lang, "ms", "{path}");
        assert_accessible(c, &axe, path).await;
    }

    // A MyKad with an impossible birth date is refused, saying why, in Malay.
    c.goto(&format!("{base}/register")).await.unwrap();
    let register = |id: &'static str| async move {
        c.find(Locator::Css("label[for=f-kind-0]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        fill(c, "f-id_number", id).await;
        fill(c, "f-given_name", "Nurul").await;
        fill(c, "f-family_name", "Aisyah").await;
        fill(c, "f-date_of_birth", "28").await;
        fill(c, "f-date_of_birth-month", "2").await;
        fill(c, "f-date_of_birth-year", "1990").await;
        fill(c, "f-phone", "012-345 6789").await;
        fill(c, "f-email", "nurul@example.my").await;
        fill(c, "f-password", "correct horse battery").await;
        fill(c, "f-password_confirm", "correct horse battery").await;
        submit(c).await;
    };
    register("900230-14-5678").await;
    // The click starts a navigation: the summary is on the page that comes back.
    wait_for(c, ".error-summary").await;
    let summary = c
        .find(Locator::Css(".error-summary"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(summary.contains("tarikh lahir"), "{summary}");
    assert_accessible(c, &axe, "register, refused").await;
    // A real one, with a Malaysian mobile number as people write it, makes the account.
    c.goto(&format!("{base}/register")).await.unwrap();
    register("900228-14-5678").await;
    heading_is(c, "Sahkan telefon dan e-mel anda").await;
}

/// A Malaysian node paying by FPX through the gateway simulator: its settings name the
/// gateway and the key files, as an operator's would.
async fn node_with_fpx(data: &Path) -> (Running, String, lango_simulators::fpx::FpxSimulator) {
    let sim =
        lango_simulators::fpx::start(lango_simulators::fpx::Settings::new("http://127.0.0.1:9"))
            .await
            .unwrap();
    let seller_key = data.join("fpx-seller.pem");
    let gateway_key = data.join("fpx-gateway.pem");
    std::fs::write(&seller_key, sim.seller_key_pem()).unwrap();
    std::fs::write(&gateway_key, sim.gateway_key_pem()).unwrap();
    let config = sim.config();
    clerk_imports(data, &SHEETS[..2]);
    let listen = format!("127.0.0.1:{}", crate::mpesa_crash::free_port());
    let base = format!("http://{listen}");
    let node = serve_process(
        this_lango(),
        data,
        None,
        &listen,
        &[
            ("LANGO_COUNTRY", "my"),
            ("LANGO_PUBLIC_URL", &base),
            ("LANGO_FPX_GATEWAY_URL", &config.gateway_url),
            ("LANGO_FPX_EXCHANGE_ID", &config.exchange_id),
            ("LANGO_FPX_SELLER_ID", &config.seller_id),
            ("LANGO_FPX_SELLER_KEY_FILE", seller_key.to_str().unwrap()),
            ("LANGO_FPX_GATEWAY_KEY_FILE", gateway_key.to_str().unwrap()),
        ],
    );
    until_readyz(&base, 200).await;
    sim.set_seller(&base);
    (node, base, sim)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malaysian_pays_a_bill_by_fpx_in_chromium() {
    let Some(d) = driver().await else { return };
    let data = tempfile::tempdir().unwrap();
    let (_node, base, sim) = node_with_fpx(data.path()).await;
    // JPJ raises a ringgit bill through the API.
    let db = lango_core::db::Db::connect(
        &format!("sqlite://{}/lango.db?mode=rwc", data.path().display()),
        2,
    )
    .await
    .unwrap();
    let key = crate::support::agency_key_in(&db, "JPJ", &["bills:write"]).await;
    db.close().await;
    let res = reqwest::Client::new()
        .post(format!("{base}/api/v1/bills"))
        .bearer_auth(&key)
        .json(&serde_json::json!({"service_code": "JPJ-LICENCE-RENEW", "amount": "60.00", "currency": "MYR"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let bill: serde_json::Value = res.json().await.unwrap();
    let reference = bill["reference"].as_str().unwrap().to_string();
    // A KES bill has no place here.
    let kes = reqwest::Client::new()
        .post(format!("{base}/api/v1/bills"))
        .bearer_auth(&key)
        .json(&serde_json::json!({"service_code": "JPJ-LICENCE-RENEW", "amount": "60.00", "currency": "KES"}))
        .send()
        .await
        .unwrap();
    assert_eq!(kes.status(), 400);
    assert!(kes
        .text()
        .await
        .unwrap()
        .contains("bills here are in MYR; KES is not one of them"));

    let axe = axe_source();
    let c = &d.client;
    c.goto(&format!("{base}/")).await.unwrap();
    click(c, "#language-switch").await;
    c.goto(&format!("{base}/pay/{reference}")).await.unwrap();
    assert_accessible(c, &axe, "pay, with FPX").await;
    let pay = c.source().await.unwrap();
    assert!(
        pay.contains("perbankan dalam talian (FPX)") && !pay.contains("M-Pesa"),
        "{pay}"
    );
    click(c, "#fpx + p + p a").await;
    heading_is(c, "Dari bank manakah anda akan membayar?").await;
    assert_accessible(c, &axe, "FPX bank").await;
    // Continuing without a bank is refused with the summary linked to the choice.
    submit(c).await;
    wait_for(c, ".error-summary").await;
    assert_accessible(c, &axe, "FPX bank, refused").await;
    click(c, "label[for=f-fpx_bank-0]").await;
    let chosen = c
        .find(Locator::Css("label[for=f-fpx_bank-0]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    submit(c).await;
    heading_is(c, "Teruskan ke bank anda").await;
    assert_accessible(c, &axe, "FPX continue").await;
    // Past the page's form-action policy to the gateway, and the bank approves.
    submit(c).await;
    wait_for(c, "button[value='00']").await;
    assert!(
        c.source().await.unwrap().contains(&chosen),
        "the bank chosen"
    );
    click(c, "button[value='00']").await;
    wait_for(c, "form[action$='/channels/fpx/indirect'] button").await;
    click(c, "form[action$='/channels/fpx/indirect'] button").await;
    heading_is(c, "Bayaran diterima").await;
    assert_accessible(c, &axe, "FPX paid").await;
    let receipt = c.source().await.unwrap();
    assert!(
        receipt.contains("MYR 60.00") && receipt.contains(&reference),
        "{receipt}"
    );
    assert!(
        sim.deliveries().iter().any(|d| d.code == "00"),
        "the direct confirmation too"
    );
}
