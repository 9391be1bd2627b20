//! Agency administrators keep their own catalogue: edit → preview → save over real HTTP,
//! with the public page, the service API and search following at once, history, the
//! policy, bad input and stale edits refused; and the definition upload page.

use crate::backend_tests;
use crate::browser_kit::{Browser, Page};
use crate::support::{Backend, TestApp};
use lango_identity::model::Role;

const PASSWORD: &str = "correct horse battery";
const EDIT: &str = "/admin/agencies/DIS/services/DIS-PASSPORT/edit";
const SAVE: &str = "/admin/agencies/DIS/services/DIS-PASSPORT/save";
const HISTORY: &str = "/admin/agencies/DIS/services/DIS-PASSPORT/history";
const NEW_NAME: &str = "Apply for a Kipepeo passport";

/// An app whose catalogue follower ticks once an hour, so only the save's own refresh can
/// make an edit visible within the test.
async fn spawn_still(backend: Backend) -> Option<TestApp> {
    let settings = [("LANGO_SEARCH_REFRESH_MS", "3600000".to_string())];
    TestApp::spawn_configured(backend, false, &settings).await
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The form's current answers as a browser would submit them (the page's own values).
fn answers(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for part in html.split("<textarea").skip(1) {
        let name = part
            .split("name=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let value = part
            .split_once('>')
            .unwrap()
            .1
            .split("</textarea>")
            .next()
            .unwrap();
        // As browsers do, drop the one newline right after the opening tag.
        let value = value.strip_prefix('\n').unwrap_or(value);
        out.push((name.to_string(), unescape(value)));
    }
    for part in html.split("<input").skip(1) {
        let tag = part.split('>').next().unwrap();
        let attr = |a: &str| {
            tag.split(&format!("{a}=\""))
                .nth(1)
                .map(|r| r.split('"').next().unwrap().to_string())
        };
        let (Some(name), Some(value)) = (attr("name"), attr("value")) else {
            continue;
        };
        let kind = attr("type").unwrap_or_default();
        let checked = tag.contains(" checked");
        if name == "csrf" || ((kind == "radio" || kind == "checkbox") && !checked) || kind == "file"
        {
            continue;
        }
        out.push((name, unescape(&value)));
    }
    out
}

/// `answers` with `changes` put in place of (or added to) the named fields.
fn with(mut base: Vec<(String, String)>, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    for (k, v) in changes {
        base.retain(|(name, _)| name != k);
        base.push((k.to_string(), v.to_string()));
    }
    base
}

async fn post(b: &mut Browser<'_>, path: &str, fields: &[(String, String)]) -> Page {
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    b.post(path, &refs).await
}

pub(crate) async fn signed_in_admin<'a>(
    app: &'a TestApp,
    email: &str,
    agency: &str,
) -> Browser<'a> {
    app.staff(email, PASSWORD, Role::AgencyAdmin, Some(agency))
        .await;
    let mut b = Browser::new(app);
    assert_eq!(b.sign_in(email, PASSWORD).await.status, 303);
    b
}

async fn passport_name(app: &TestApp) -> String {
    let api = app.get_json("/api/v1/services/DIS-PASSPORT", 200).await;
    api["name"].as_str().unwrap().to_string()
}

backend_tests! {
    spawn = spawn_still;

    async fn an_edit_is_previewed_saved_and_live_at_once(app: TestApp) {
        let mut admin = signed_in_admin(&app, "admin@dis.example", "DIS").await;
        assert!(admin.get("/account").await.html.contains("/admin/agencies/DIS/services"));
        let list = admin.get("/admin/agencies/DIS/services").await;
        assert_eq!(list.status, 200);
        assert!(list.html.contains(EDIT) && !list.html.contains("NTSA-DL-RENEW"), "own services only");

        let form = admin.get(EDIT).await;
        assert_eq!(form.status, 200);
        let current = answers(&form.html);
        assert!(current.iter().any(|(k, v)| k == "fees" && v.contains("34 pages:4550.00 KES")));
        let edit = with(current, &[("name", NEW_NAME), ("fees", "34 pages:5000.00 KES\n50 pages:6050.00 KES\n66 pages:7550.00 KES"), ("intent", "preview")]);
        let preview = post(&mut admin, EDIT, &edit).await;
        assert_eq!(preview.status, 200, "{}", preview.html);
        let changes = preview.html.split("id=\"changes\"").nth(1).unwrap().split("</table>").next().unwrap();
        assert!(changes.contains("Apply for a passport") && changes.contains(NEW_NAME), "old → new name");
        assert!(changes.contains("34 pages:4550.00 KES") && changes.contains("34 pages:5000.00 KES"), "old → new fees");
        assert!(!changes.contains("Documents"), "only what changed is listed");
        let look = preview.html.split("id=\"preview\"").nth(1).unwrap();
        assert!(look.contains(NEW_NAME) && look.contains("5,000.00"), "the page as it will look");
        assert_eq!(passport_name(&app).await, "Apply for a passport", "a preview saves nothing");

        let confirm = preview.html.split(&format!("action=\"{SAVE}\"")).nth(1).unwrap();
        let saved = post(&mut admin, SAVE, &answers(confirm)).await;
        assert_eq!(saved.status, 303, "{}", saved.html);
        assert!(saved.location.starts_with(&format!("{HISTORY}?saved=")));
        // Live at once: the follower will not tick for an hour.
        assert!(app.get("/services/DIS-PASSPORT").await.text().await.unwrap().contains(NEW_NAME));
        let api = app.get_json("/api/v1/services/DIS-PASSPORT", 200).await;
        assert_eq!(api["name"], NEW_NAME);
        assert_eq!(api["fees"][0]["amount"], "5000.00");
        let found = app.get_json("/api/v1/services?q=kipepeo", 200).await;
        assert_eq!(found["items"][0]["code"], "DIS-PASSPORT", "{found}");

        let history = admin.get(&saved.location).await;
        assert_eq!(history.status, 200);
        assert!(history.html.contains("id=\"saved-revision\""));
        let rows = history.html.split("id=\"history\"").nth(1).unwrap();
        assert!(rows.contains("Staff Member"), "the editor is named");
        assert!(rows.contains("Apply for a passport") && rows.contains(NEW_NAME));
        let audited = app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1", "service.edit").await;
        assert_eq!(audited, 1);

        // The same preview saved again is stale: refused, answers kept, nothing changes.
        let stale = post(&mut admin, SAVE, &with(answers(confirm), &[("name", "Stale name")])).await;
        assert_eq!(stale.status, 409);
        assert!(stale.html.contains("Someone else saved changes") && stale.html.contains("Stale name"));
        assert_eq!(passport_name(&app).await, NEW_NAME);
        assert_eq!(app.count("service_history").await, 1);
    }

    async fn the_kiswahili_of_documents_and_fee_labels_is_edited_and_shown(app: TestApp) {
        let mut admin = signed_in_admin(&app, "admin@dis.example", "DIS").await;
        let form = admin.get(EDIT).await;
        assert!(form.html.contains("id=\"f-documents_sw\"") && form.html.contains("id=\"f-fees_sw\""));
        let current = answers(&form.html);
        let documents = current.iter().find(|(k, _)| k == "documents").unwrap().1.lines().count();
        let fees = current.iter().find(|(k, _)| k == "fees").unwrap().1.lines().count();
        // The first document left in English: the list starts with a blank line.
        assert!(documents >= 2);
        let docs_sw: Vec<String> = (0..documents).map(|i| if i == 0 { String::new() } else { format!("Hati ya majaribio {i}") }).collect();
        let fees_sw: Vec<String> = (0..fees).map(|i| format!("Ada ya majaribio {i}")).collect();
        let miscounted = with(current.clone(), &[("documents_sw", "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk"), ("intent", "preview")]);
        let refused = post(&mut admin, EDIT, &miscounted).await;
        assert_eq!(refused.status, 400);
        assert!(refused.html.contains("href=\"#f-documents_sw\""), "{}", refused.html);
        let edit = with(current, &[("documents_sw", &docs_sw.join("\n")), ("fees_sw", &fees_sw.join("\n")), ("intent", "preview")]);
        let preview = post(&mut admin, EDIT, &edit).await;
        assert_eq!(preview.status, 200, "{}", preview.html);
        let confirm = preview.html.split(&format!("action=\"{SAVE}\"")).nth(1).unwrap();
        let saved = post(&mut admin, SAVE, &answers(confirm)).await;
        assert_eq!(saved.status, 303, "{}", saved.html);
        let mut sw = Browser::new(&app);
        sw.cookies.insert("lang".into(), "sw".into());
        let page = sw.get("/services/DIS-PASSPORT").await;
        assert!(page.html.contains("Hati ya majaribio 1") && page.html.contains("Ada ya majaribio 0"), "{}", page.html);
        // Saved again as the browser sends the form back, the translations stay in their places.
        let again = answers(&admin.get(EDIT).await.html);
        let sw = again.iter().find(|(k, _)| k == "documents_sw").unwrap().1.clone();
        assert_eq!(sw, docs_sw.join("\n"), "shown again as saved, blank first line included");
        let renamed = with(again, &[("name", NEW_NAME), ("intent", "preview")]);
        let preview = post(&mut admin, EDIT, &renamed).await;
        assert_eq!(preview.status, 200, "{}", preview.html);
        let changes = preview.html.split("id=\"changes\"").nth(1).unwrap().split("</table>").next().unwrap();
        assert!(!changes.contains("Documents in Kiswahili"), "only the name changes: {changes}");
    }

    async fn another_agency_and_bad_input_change_nothing(app: TestApp) {
        let mut ntsa = signed_in_admin(&app, "admin@ntsa.example", "NTSA").await;
        assert_eq!(ntsa.get(EDIT).await.status, 403, "another agency's form");
        assert_eq!(ntsa.get("/admin/agencies/DIS/services").await.status, 403);
        assert_eq!(ntsa.get(HISTORY).await.status, 403);
        ntsa.get("/admin/agencies/NTSA/services").await;
        let hijack = [("name".to_string(), "Hijacked".to_string()), ("summary".into(), "x".into()),
            ("stage".into(), "information".into()), ("revision".into(), "1".into())];
        assert_eq!(post(&mut ntsa, SAVE, &hijack).await.status, 403);
        let smuggled = post(&mut ntsa, "/admin/agencies/NTSA/services/DIS-PASSPORT/save", &hijack).await;
        assert_eq!(smuggled.status, 404, "a service outside the agency is not there");
        let mut citizen = Browser::new(&app);
        app.person("12121212", "citizen@example.com", PASSWORD).await;
        citizen.sign_in("12121212", PASSWORD).await;
        assert_eq!(citizen.get(EDIT).await.status, 403);

        let mut admin = signed_in_admin(&app, "admin@dis.example", "DIS").await;
        let form = admin.get(EDIT).await;
        let bad = with(answers(&form.html), &[("name", "  "), ("fees", "34 pages:4550.00 KES\n50 pages 6050 shillings"),
            ("stage", "finished"), ("sla_days", "-1"), ("apply_url", "http://passports.example/apply"), ("intent", "preview")]);
        for path in [EDIT, SAVE] {
            let refused = post(&mut admin, path, &bad).await;
            assert_eq!(refused.status, 400, "{path}");
            let summary = refused.html.split("class=\"error-summary\"").nth(1).unwrap().split("</ul>").next().unwrap();
            for anchor in ["#f-name", "#f-fees", "#f-stage-0", "#f-sla_days", "#f-apply_url"] {
                assert!(summary.contains(anchor), "{path}: {anchor} linked in {summary}");
            }
            assert!(summary.contains("Enter the service&#39;s name in English"));
            assert!(refused.html.contains("50 pages 6050 shillings"), "answers kept");
            assert!(refused.html.contains("value=\"-1\""), "answers kept");
        }
        let unchanged = with(answers(&form.html), &[("intent", "preview")]);
        let nothing = post(&mut admin, EDIT, &unchanged).await;
        assert_eq!(nothing.status, 400);
        assert!(nothing.html.contains("You have not changed anything"));
        assert_eq!(passport_name(&app).await, "Apply for a passport");
        assert_eq!(app.count("service_history").await, 0);
    }
}

const DEFINITION: &str = "/admin/agencies/DIS/services/DIS-PASSPORT/definition";
const PASSPORT_YAML: &str = include_str!("../../demo/definitions/DIS-PASSPORT.yaml");
const LICENCE_YAML: &str = include_str!("../../demo/definitions/NTSA-DL-RENEW.yaml");

/// Posts the passport's upload form as a browser does: multipart, `csrf` first, then the
/// textarea and the file input (empty when no file is chosen).
async fn upload(
    app: &TestApp,
    b: &mut Browser<'_>,
    yaml: &str,
    file: Option<&str>,
    csrf: bool,
) -> Page {
    upload_at(app, b, DEFINITION, yaml, file, csrf).await
}

/// Posts `yaml` in the textarea of the upload form at `path`.
pub(crate) async fn upload_to(app: &TestApp, b: &mut Browser<'_>, path: &str, yaml: &str) -> Page {
    upload_at(app, b, path, yaml, None, true).await
}

async fn upload_at(
    app: &TestApp,
    b: &mut Browser<'_>,
    path: &str,
    yaml: &str,
    file: Option<&str>,
    csrf: bool,
) -> Page {
    let boundary = "----lango-services-admin-5fK2q9";
    let mut body = String::new();
    let mut part = |name: &str, extra: &str, value: &str| {
        body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"{extra}\r\n\r\n{value}\r\n"));
    };
    if csrf {
        part("csrf", "", &b.csrf);
    }
    part("yaml", "", yaml);
    part(
        "file",
        "; filename=\"definition.yaml\"\r\nContent-Type: application/yaml",
        file.unwrap_or(""),
    );
    body.push_str(&format!("--{boundary}--\r\n"));
    let cookies: Vec<String> = b.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let res = app
        .client
        .post(format!("{}{path}", app.base))
        .header("cookie", cookies.join("; "))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .expect("POST definition");
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
        html: res.text().await.unwrap(),
        set_cookies: Vec::new(),
    }
}

fn current_version(html: &str) -> &str {
    html.split("id=\"current-version\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
}

backend_tests! {
    async fn definitions_are_uploaded_checked_and_versioned(app: TestApp) {
        let mut ntsa = signed_in_admin(&app, "admin@ntsa.example", "NTSA").await;
        assert_eq!(ntsa.get(DEFINITION).await.status, 403, "another agency's definition");
        let mut admin = signed_in_admin(&app, "admin@dis.example", "DIS").await;
        let page = admin.get(DEFINITION).await;
        assert_eq!(page.status, 200, "{}", page.html);
        assert_eq!(current_version(&page.html), "1");
        assert!(page.html.contains("service: DIS-PASSPORT"), "the YAML in use is shown");
        assert!(page.html.contains("/api/v1/schemas/service-definition.json"));
        let form = page.html.split("enctype=\"multipart/form-data\"").nth(1).unwrap();
        assert!(form.trim_start_matches(" novalidate>").trim_start().starts_with("<input type=\"hidden\" name=\"csrf\""), "csrf first");

        // A field of an unknown type: refused with its line and place, the text kept.
        let line = PASSPORT_YAML.lines().position(|l| l.trim() == "type: text").unwrap() + 1;
        let broken = PASSPORT_YAML.replacen("type: text\n", "type: textt\n", 1);
        let refused = upload(&app, &mut admin, &broken, None, true).await;
        assert_eq!(refused.status, 400, "{}", refused.html);
        let summary = refused.html.split("class=\"error-summary\"").nth(1).unwrap().split("</ul>").next().unwrap();
        assert!(summary.contains(&format!("Line {line}, pages[0].fields[0]")), "line and path named: {summary}");
        assert!(refused.html.contains("type: textt"), "the text is kept");
        assert_eq!(current_version(&refused.html), "1", "the running version stays");
        let garbage = upload(&app, &mut admin, "service: DIS-PASSPORT\npages: [\n", None, true).await;
        assert_eq!(garbage.status, 400);
        assert!(garbage.html.contains("Line "), "a syntax error names its line");
        let empty = upload(&app, &mut admin, "  ", None, true).await;
        assert!(empty.status == 400 && empty.html.contains("Paste the definition or choose its file"));
        let elsewhere = upload(&app, &mut admin, LICENCE_YAML, None, true).await;
        assert!(elsewhere.status == 400 && elsewhere.html.contains("for another service"), "{}", elsewhere.html);
        let forged = upload(&app, &mut admin, PASSPORT_YAML, None, false).await;
        assert_eq!(forged.status, 403, "no CSRF token, no upload");
        assert_eq!(current_version(&admin.get(DEFINITION).await.html), "1");

        // A good one from the textarea becomes version 2, and the start page uses it.
        let renamed = PASSPORT_YAML.replacen("en: Apply for a passport\n", "en: Apply for a passport with form two\n", 1);
        assert_ne!(renamed, PASSPORT_YAML);
        let live = upload(&app, &mut admin, &renamed, None, true).await;
        assert_eq!(live.status, 303, "{}", live.html);
        assert_eq!(live.location, format!("{DEFINITION}?live=2"));
        let shown = admin.get(&live.location).await;
        assert!(shown.html.contains("Version 2 is now live"));
        assert_eq!(current_version(&shown.html), "2");
        assert!(shown.html.contains("<dd>Staff Member</dd>"), "the uploader is named");
        let start = app.get("/services/DIS-PASSPORT/apply").await.text().await.unwrap();
        assert!(start.contains("Apply for a passport with form two"), "the start page uses version 2");
        // A chosen file wins over the textarea.
        let third = PASSPORT_YAML.replacen("en: Apply for a passport\n", "en: Apply for a passport with form three\n", 1);
        let from_file = upload(&app, &mut admin, "ignored", Some(&third), true).await;
        assert_eq!(from_file.location, format!("{DEFINITION}?live=3"), "{}", from_file.html);
        let versions = admin.get(DEFINITION).await.html;
        assert_eq!(current_version(&versions), "3");
        assert_eq!(versions.matches("<tr><td>").count(), 3, "every version listed");
    }
}

/// The list, the edit form with its errors, the preview and the history in real Chromium,
/// each checked by axe-core.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_editing_pages_are_accessible_in_chromium() {
    use crate::browser_kit::{assert_accessible, axe_source, driver, fill, heading_is};
    use fantoccini::Locator;
    let Some(d) = driver().await else { return };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    app.staff(
        "admin@dis.example",
        PASSWORD,
        Role::AgencyAdmin,
        Some("DIS"),
    )
    .await;
    let axe = axe_source();
    let c = &d.client;
    let click = |css: &'static str| async move {
        c.find(Locator::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    };
    c.goto(&format!("{}/signin", app.base)).await.unwrap();
    fill(c, "f-identifier", "admin@dis.example").await;
    fill(c, "f-password", PASSWORD).await;
    click("main form button[type=submit]").await;
    // An agency administrator lands on their agency's administration.
    heading_is(c, "Staff").await;
    assert_eq!(
        c.current_url().await.unwrap().path(),
        "/admin/agencies/DIS/staff"
    );
    c.goto(&format!("{}/admin/agencies/DIS/services", app.base))
        .await
        .unwrap();
    heading_is(c, "Your agency's services").await;
    assert_accessible(c, &axe, "services list").await;
    c.goto(&format!("{}{EDIT}", app.base)).await.unwrap();
    heading_is(c, "Edit the catalogue entry").await;
    assert_accessible(c, &axe, "edit form").await;
    fill(c, "f-name", " ").await;
    fill(c, "f-fees", "34 pages 4550").await;
    fill(c, "f-sla_days", "-1").await;
    click("main form button[type=submit]").await;
    c.wait()
        .for_element(Locator::Css(".error-summary"))
        .await
        .unwrap();
    assert_accessible(c, &axe, "edit form with errors").await;
    fill(c, "f-name", NEW_NAME).await;
    fill(c, "f-fees", "34 pages:5000.00 KES").await;
    // One fee now: its Kiswahili label, one line a fee.
    fill(c, "f-fees_sw", "Kurasa 34").await;
    fill(c, "f-sla_days", "12").await;
    click("main form button[type=submit]").await;
    heading_is(c, "Check your changes").await;
    assert_accessible(c, &axe, "preview").await;
    click("main form[action$='/save'] button[type=submit]").await;
    heading_is(c, "History of changes").await;
    assert_accessible(c, &axe, "history").await;
    // The multi-line answers went through the preview's hidden fields unchanged.
    let changed = c
        .find(Locator::Id("history"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        changed.contains("Fees") && changed.contains("Name in English"),
        "{changed}"
    );
    assert!(
        !changed.contains("Documents") && !changed.contains("Description"),
        "{changed}"
    );
    c.goto(&format!("{}{DEFINITION}", app.base)).await.unwrap();
    heading_is(c, "Application form and workflow").await;
    assert_accessible(c, &axe, "definition").await;
    fill(c, "f-yaml", "service: DIS-PASSPORT\npages: [\n").await;
    click("main form button[type=submit]").await;
    c.wait()
        .for_element(Locator::Css(".error-summary"))
        .await
        .unwrap();
    assert_accessible(c, &axe, "definition refused").await;
    // A service with no definition of its own runs the standard application: marked on its
    // definition page, and its start page is an ordinary one.
    c.goto(&format!(
        "{}/admin/agencies/DIS/services/DIS-PASSPORT-RENEW/definition",
        app.base
    ))
    .await
    .unwrap();
    heading_is(c, "Application form and workflow").await;
    assert!(c.source().await.unwrap().contains("id=\"standard-notice\""));
    assert_accessible(c, &axe, "standard definition").await;
    c.goto(&format!("{}/services/DIS-PASSPORT-RENEW/apply", app.base))
        .await
        .unwrap();
    assert!(c.source().await.unwrap().contains("Start now"));
    assert_accessible(c, &axe, "standard start page").await;
    c.goto(&format!("{}/services/DIS-PASSPORT", app.base))
        .await
        .unwrap();
    heading_is(c, NEW_NAME).await;
}
