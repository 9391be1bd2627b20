//! Centre administration over real HTTP: the spreadsheet round trip (export, change a
//! cell, import) and a refused file that changes nothing; the centre's form with its error
//! summary; who may change which centre; closures emptying a day's slots; and the public
//! centre figures (page and open data) counting a ticket issued through the queue API.

use crate::backend_tests;
use crate::browser_kit::{Browser, Page};
use crate::cases_journey::post_multipart;
use crate::support::TestApp;
use lango_centres::calendar::{add_days, public_holidays, today, weekday};
use lango_identity::model::Role;
use reqwest::Method;

const PASSWORD: &str = "correct horse battery";
const ADMIN: &str = "admin@platform.example";
const MANAGER: &str = "manager@gpo.example";
const GPO_NAME: &str = "Huduma Centre GPO";

async fn signed_in_admin(app: &TestApp) -> Browser<'_> {
    app.staff(ADMIN, PASSWORD, Role::PlatformAdmin, None).await;
    let mut b = Browser::new(app);
    assert_eq!(b.sign_in(ADMIN, PASSWORD).await.status, 303);
    b
}

/// The manager of HC-GPO, signed in.
async fn signed_in_manager(app: &TestApp) -> Browser<'_> {
    let db = app.db().await;
    let id = lango_identity::seed::person(
        &db,
        &lango_identity::seed::PersonSeed {
            kind: lango_identity::model::AccountKind::Staff,
            id_number: None,
            given_name: "Centre",
            family_name: "Manager",
            email: MANAGER,
            phone: None,
            password: PASSWORD,
            county: "",
        },
    )
    .await
    .expect("seed manager");
    lango_identity::seed::grant(&db, &id, Role::CentreManager, None, Some("HC-GPO"))
        .await
        .expect("grant");
    db.close().await;
    let mut b = Browser::new(app);
    assert_eq!(b.sign_in(MANAGER, PASSWORD).await.status, 303);
    b
}

/// The centre's spreadsheet as the list page's link downloads it.
async fn export(app: &TestApp, b: &Browser<'_>) -> String {
    let res = app
        .client
        .get(format!("{}/admin/centres.csv", app.base))
        .header("cookie", crate::cases_journey::cookie_string(b))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let disposition = res.headers()["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment;") && disposition.contains(".csv"),
        "{disposition}"
    );
    res.text().await.unwrap()
}

/// Uploads `csv` on the list page (fetched first, for its form token).
async fn import(app: &TestApp, b: &mut Browser<'_>, csv: &str) -> Page {
    assert_eq!(b.get("/admin/centres").await.status, 200);
    post_multipart(
        app,
        b,
        "/admin/centres",
        &[],
        &[("file", "centres.csv", "text/csv", csv.as_bytes())],
    )
    .await
}

/// `csv` with `from` replaced by `to` in the row of centre `code` only.
fn change_row(csv: &str, code: &str, from: &str, to: &str) -> String {
    let mut hit = false;
    let lines: Vec<String> = csv
        .lines()
        .map(|l| {
            if l.starts_with(&format!("{code},")) {
                assert!(l.contains(from), "{from:?} not in {l}");
                hit = true;
                l.replacen(from, to, 1)
            } else {
                l.to_string()
            }
        })
        .collect();
    assert!(hit, "no row for {code}");
    lines.join("\n") + "\n"
}

/// The spreadsheet row number (header is row 1) of centre `code`.
fn row_of(csv: &str, code: &str) -> usize {
    csv.lines()
        .position(|l| l.starts_with(&format!("{code},")))
        .unwrap()
        + 1
}

async fn centre(app: &TestApp, code: &str) -> serde_json::Value {
    app.get_json(&format!("/api/v1/centres/{code}"), 200).await
}

fn unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The centre form's answers as a browser would send them (its inputs, textareas and
/// checked radios; not the closure form below it).
fn answers(html: &str, action: &str) -> Vec<(String, String)> {
    let form = html
        .split(&format!("action=\"{action}\""))
        .nth(1)
        .unwrap()
        .split("</form>")
        .next()
        .unwrap();
    let mut out = Vec::new();
    for part in form.split("<textarea").skip(1) {
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
        out.push((
            name.to_string(),
            unescape(value.strip_prefix('\n').unwrap_or(value)),
        ));
    }
    for part in form.split("<input").skip(1) {
        let tag = part.split('>').next().unwrap();
        let attr = |a: &str| {
            tag.split(&format!(" {a}=\""))
                .nth(1)
                .map(|r| r.split('"').next().unwrap().to_string())
        };
        let (Some(name), Some(value)) = (attr("name"), attr("value")) else {
            continue;
        };
        let kind = attr("type").unwrap_or_default();
        if name == "csrf" || (kind == "radio" && !tag.contains(" checked")) {
            continue;
        }
        out.push((name, unescape(&value)));
    }
    out
}

async fn post_answers(
    b: &mut Browser<'_>,
    path: &str,
    fields: &[(String, String)],
    changes: &[(&str, &str)],
) -> Page {
    let mut all: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    all.extend_from_slice(changes);
    b.post(path, &all).await
}

/// A working day of HC-GPO (Monday to Friday, no public holiday) a week or more ahead.
fn working_day() -> String {
    let mut day = add_days(&today(), 7);
    loop {
        let year: i64 = day[..4].parse().unwrap();
        if weekday(&day) < 5 && !public_holidays(year).iter().any(|(d, _)| *d == day) {
            return day;
        }
        day = add_days(&day, 1);
    }
}

async fn slots(app: &TestApp, day: &str) -> usize {
    let path = format!("/api/v1/centres/HC-GPO/slots?service=DIS-PASSPORT&date={day}");
    app.get_json(&path, 200).await["items"]
        .as_array()
        .unwrap()
        .len()
}

/// The English words of these pages' own word tables that no Kiswahili text uses (as
/// `kiswahili.rs` finds them) which `html` shows. Data keeps its language: service codes,
/// lanes as typed, the names of public holidays.
fn english_on(html: &str) -> std::collections::BTreeSet<String> {
    let words = |t: &str| -> Vec<String> {
        t.split(|c: char| !c.is_alphabetic())
            .filter(|w| w.chars().count() >= 4)
            .map(str::to_lowercase)
            .collect()
    };
    let mut sw = std::collections::BTreeSet::new();
    let mut en = std::collections::BTreeSet::new();
    for (k, e, s) in lango_web::words::all() {
        sw.extend(words(s));
        if e != s && (k.starts_with("cadm_") || k.starts_with("cfig_")) {
            en.extend(words(e));
        }
    }
    // Notation and data are no language: the spreadsheet's column names (code), what the
    // centre's fields hold (textareas) and the closures' reasons as typed (their rows).
    let mut prose = html.to_string();
    for (open, close) in [
        ("<code>", "</code>"),
        ("<textarea", "</textarea>"),
        ("<tr id=\"closure-", "</tr>"),
    ] {
        let mut kept = String::new();
        let mut rest = prose.as_str();
        while let Some((before, after)) = rest.split_once(open) {
            kept.push_str(before);
            rest = after.split_once(close).map_or("", |(_, r)| r);
        }
        kept.push_str(rest);
        prose = kept;
    }
    let mut text = String::new();
    let mut rest = prose.as_str();
    while let Some(lt) = rest.find('<') {
        text.push_str(&rest[..lt]);
        text.push(' ');
        rest = rest[lt..].split_once('>').map_or("", |(_, r)| r);
    }
    text.push_str(rest);
    words(&text)
        .into_iter()
        .filter(|w| {
            en.contains(w)
                && !sw.contains(w)
                && !["huduma", "nairobi", "kenya", "lango"].contains(&w.as_str())
        })
        .collect()
}

backend_tests! {
    async fn an_exported_spreadsheet_changed_and_imported_back_changes_the_centre(app: TestApp) {
        let mut admin = signed_in_admin(&app).await;
        assert!(admin.get("/account").await.html.contains("href=\"/admin/centres\""), "linked from the account page");
        let list = admin.get("/admin/centres").await;
        assert_eq!(list.status, 200);
        for code in ["HC-GPO", "HC-MSA"] {
            assert!(list.html.contains(&format!("href=\"/admin/centres/{code}\"")), "{code} listed");
        }
        assert!(list.html.contains("href=\"/admin/centres/new\"") && list.html.contains("href=\"/admin/centres.csv\""));
        assert!(list.html.contains("enctype=\"multipart/form-data\""));

        let csv = export(&app, &admin).await;
        assert!(csv.starts_with("code,name,name_sw,kind,county,address,latitude,longitude,operator,hours,services,counters,priority_lanes,schedule,status"));
        let centres = csv.lines().count() - 1;
        let changed = change_row(&csv, "HC-GPO", &format!(",{GPO_NAME},"), ",Huduma Centre Teleposta,");
        let done = import(&app, &mut admin, &changed).await;
        assert_eq!(done.status, 303, "{}", done.html);
        assert_eq!(done.location, format!("/admin/centres?imported={centres}"));
        assert!(admin.get(&done.location).await.html.contains(&format!("Centres saved from the spreadsheet: {centres}.")));
        assert_eq!(centre(&app, "HC-GPO").await["name"], "Huduma Centre Teleposta");
        assert_eq!(centre(&app, "HC-MSA").await["name"], "Huduma Centre Mombasa", "unchanged rows stay as they were");
        // The import took back exactly what the export gave, but for the one cell.
        let sorted = |csv: &str| {
            let mut lines: Vec<String> = csv.lines().map(String::from).collect();
            lines.sort();
            lines
        };
        assert_eq!(sorted(&export(&app, &admin).await), sorted(&changed));
    }

    async fn a_spreadsheet_with_a_bad_row_changes_nothing_and_lists_the_row(app: TestApp) {
        let mut admin = signed_in_admin(&app).await;
        let csv = export(&app, &admin).await;
        let renamed = change_row(&csv, "HC-GPO", &format!(",{GPO_NAME},"), ",Huduma Centre Teleposta,");
        let bad = change_row(&renamed, "HC-MSA", "mon 08:00-17:00", "mon 25:00-17:00");
        let bad = change_row(&bad, "HC-KIBRA", "-1.313240", "south");
        let refused = import(&app, &mut admin, &bad).await;
        assert_eq!(refused.status, 400);
        assert!(refused.html.contains("class=\"error-summary\"") && refused.html.contains("Nothing was changed"));
        assert!(refused.html.contains(&format!("row {} (hours)", row_of(&bad, "HC-MSA"))), "{}", refused.html);
        assert!(refused.html.contains("href=\"#f-file\""));
        assert!(refused.html.contains(&format!("row {} (latitude)", row_of(&bad, "HC-KIBRA"))), "every row's problem: {}", refused.html);
        assert_eq!(centre(&app, "HC-GPO").await["name"], GPO_NAME, "all or nothing");
        assert_eq!(export(&app, &admin).await, csv);

        // Not a spreadsheet of centres at all, and no file.
        let other = import(&app, &mut admin, "name,colour\nx,red\n").await;
        assert_eq!(other.status, 400);
        assert!(other.html.contains("unknown column"), "{}", other.html);
        assert_eq!(admin.get("/admin/centres").await.status, 200);
        let none = post_multipart(&app, &admin, "/admin/centres", &[], &[]).await;
        assert_eq!(none.status, 400);
        assert!(none.html.contains("Choose a CSV file to import"));
    }

    async fn the_form_shows_every_problem_and_saves_nothing_until_right(app: TestApp) {
        let mut admin = signed_in_admin(&app).await;
        let form = admin.get("/admin/centres/HC-GPO").await;
        assert_eq!(form.status, 200);
        let current = answers(&form.html, "/admin/centres/HC-GPO");
        assert!(current.iter().any(|(k, v)| k == "hours" && v.contains("mon 07:30-18:00")), "{current:?}");
        assert!(current.iter().any(|(k, v)| k == "kind" && v == "huduma"));

        let bad = post_answers(&mut admin, "/admin/centres/HC-GPO", &current, &[("hours", "mon-fri 8-17"), ("latitude", "north"), ("name", "Huduma GPO renamed")]).await;
        assert_eq!(bad.status, 400);
        assert!(bad.html.contains("<title>Error: "));
        let summary = bad.html.split("class=\"error-summary\"").nth(1).unwrap().split("</div>").next().unwrap();
        assert!(summary.contains("href=\"#f-hours\"") && summary.contains("Opening hours: "), "{summary}");
        assert!(summary.contains("href=\"#f-latitude\""), "every problem: {summary}");
        assert!(bad.html.contains("aria-invalid=\"true\""));
        assert!(bad.html.contains("Huduma GPO renamed"), "the answers are kept");
        assert_eq!(centre(&app, "HC-GPO").await["name"], GPO_NAME, "nothing saved");

        let good = post_answers(&mut admin, "/admin/centres/HC-GPO", &current, &[("hours", "mon-fri 08:00-17:00\nsat 09:00-12:00"), ("name", "Huduma GPO renamed")]).await;
        assert_eq!(good.status, 303, "{}", good.html);
        assert_eq!(good.location, "/admin/centres/HC-GPO?saved=1");
        assert!(admin.get(&good.location).await.html.contains("The centre is saved."));
        let api = centre(&app, "HC-GPO").await;
        assert_eq!(api["name"], "Huduma GPO renamed");
        assert_eq!(api["hours"].as_array().unwrap().len(), 6);
        assert_eq!(api["hours"][5], serde_json::json!({"day": "sat", "opens": "09:00", "closes": "12:00"}));

        // A new centre: its code may not be one in use.
        let new = admin.get("/admin/centres/new").await;
        assert_eq!(new.status, 200);
        let fields = answers(&new.html, "/admin/centres/new");
        let taken = post_answers(&mut admin, "/admin/centres/new", &current, &[("centre", "HC-MSA"), ("name", "Not Mombasa")]).await;
        assert_eq!(taken.status, 400);
        assert!(taken.html.contains("href=\"#f-centre\"") && taken.html.contains("already a centre"), "{}", taken.html);
        assert_eq!(centre(&app, "HC-MSA").await["name"], "Huduma Centre Mombasa");
        assert!(fields.iter().any(|(k, v)| k == "status" && v == "open"), "open unless said otherwise");
        let made = post_answers(&mut admin, "/admin/centres/new", &current, &[("centre", "hc-thika"), ("name", "Huduma Centre Thika"), ("name_sw", "Kituo cha Huduma Thika"), ("county", "Kiambu")]).await;
        assert_eq!(made.status, 303, "{}", made.html);
        assert_eq!(made.location, "/admin/centres/HC-THIKA?saved=1");
        assert_eq!(centre(&app, "HC-THIKA").await["county"], "Kiambu");
    }

    async fn a_centre_manager_changes_their_own_centre_and_no_other(app: TestApp) {
        let mut manager = signed_in_manager(&app).await;
        assert!(manager.get("/account").await.html.contains("href=\"/admin/centres\""));
        let list = manager.get("/admin/centres").await;
        assert_eq!(list.status, 200);
        assert!(list.html.contains("href=\"/admin/centres/HC-GPO\""));
        assert!(!list.html.contains("HC-MSA") && !list.html.contains("href=\"/admin/centres/new\""), "their own centre only");
        let csv = export(&app, &manager).await;
        assert_eq!(csv.lines().count(), 2, "{csv}");

        let form = manager.get("/admin/centres/HC-GPO").await;
        assert_eq!(form.status, 200);
        let current = answers(&form.html, "/admin/centres/HC-GPO");
        let saved = post_answers(&mut manager, "/admin/centres/HC-GPO", &current, &[("address", "Teleposta Towers, Ground Floor")]).await;
        assert_eq!(saved.status, 303, "{}", saved.html);
        assert_eq!(centre(&app, "HC-GPO").await["address"], "Teleposta Towers, Ground Floor");

        assert_eq!(manager.get("/admin/centres/HC-MSA").await.status, 403);
        let msa = post_answers(&mut manager, "/admin/centres/HC-MSA", &current, &[("name", "Taken over")]).await;
        assert_eq!(msa.status, 403);
        assert_eq!(manager.post("/admin/centres/HC-MSA/closures", &[("day", "2031-01-06"), ("reason", "No")]).await.status, 403);
        assert_eq!(manager.get("/admin/centres/new").await.status, 403);
        assert_eq!(centre(&app, "HC-MSA").await["name"], "Huduma Centre Mombasa");
        // A spreadsheet that touches another centre is refused whole.
        manager.get("/admin/centres").await;
        let all = export(&app, &signed_in_admin(&app).await).await;
        let refused = import(&app, &mut manager, &change_row(&all, "HC-MSA", "Huduma Centre Mombasa", "Taken over")).await;
        assert_eq!(refused.status, 400);
        assert!(refused.html.contains("a centre you do not manage"));
        assert_eq!(centre(&app, "HC-MSA").await["name"], "Huduma Centre Mombasa");
    }

    async fn a_citizen_and_a_visitor_are_refused(app: TestApp) {
        app.person("30303030", "citizen@example.com", PASSWORD).await;
        let mut citizen = Browser::new(&app);
        assert_eq!(citizen.sign_in("citizen@example.com", PASSWORD).await.status, 303);
        for path in ["/admin/centres", "/admin/centres/HC-GPO", "/admin/centres/new", "/admin/centres.csv"] {
            assert_eq!(citizen.get(path).await.status, 403, "{path}");
        }
        assert_eq!(citizen.post("/admin/centres/HC-GPO", &[("name", "Mine")]).await.status, 403);
        assert_eq!(citizen.post("/admin/centres/new", &[("centre", "HC-MINE")]).await.status, 403);
        assert_eq!(citizen.post("/admin/centres/HC-GPO/closures", &[("day", "2031-01-06"), ("reason", "Mine")]).await.status, 403);
        assert_eq!(post_multipart(&app, &citizen, "/admin/centres", &[], &[("file", "c.csv", "text/csv", b"code\n")]).await.status, 403);
        assert_eq!(centre(&app, "HC-GPO").await["name"], GPO_NAME);
        let signed_out = app.get("/admin/centres").await;
        assert_eq!(signed_out.status().as_u16(), 303, "to sign in");
    }

    async fn closing_a_day_leaves_no_slots_and_removing_it_brings_them_back(app: TestApp) {
        let day = working_day();
        assert!(slots(&app, &day).await > 0, "{day} has slots");
        let mut admin = signed_in_admin(&app).await;
        admin.get("/admin/centres/HC-GPO").await;
        let bad = admin.post("/admin/centres/HC-GPO/closures", &[("day", "2031-02-30"), ("reason", "Staff training")]).await;
        assert_eq!(bad.status, 400);
        assert!(bad.html.contains("href=\"#f-day\""), "{}", bad.html);
        let closed = admin.post("/admin/centres/HC-GPO/closures", &[("day", &day), ("reason", "Staff training")]).await;
        assert_eq!(closed.status, 303, "{}", closed.html);
        assert!(closed.location.starts_with(&format!("/admin/centres/HC-GPO?closed={day}")));
        assert_eq!(slots(&app, &day).await, 0, "closed");
        let page = admin.get(&closed.location).await;
        let row = page.html.split(&format!("id=\"closure-{day}\"")).nth(1).unwrap().split("</tr>").next().unwrap();
        assert!(row.contains("Staff training") && row.contains("/closures/"), "{row}");

        // A public holiday: every centre's, removable by platform administrators only.
        let holiday = add_days(&day, 1);
        let made = admin.post("/admin/centres/HC-GPO/closures", &[("day", &holiday), ("reason", "Idd ul-Fitr"), ("everywhere", "1")]).await;
        assert_eq!(made.status, 303, "{}", made.html);
        let msa = app.get_json(&format!("/api/v1/centres/HC-MSA/slots?service=DIS-PASSPORT&date={holiday}"), 200).await;
        assert!(msa["items"].as_array().unwrap().is_empty(), "every centre closes");
        let mut manager = signed_in_manager(&app).await;
        let seen = manager.get("/admin/centres/HC-GPO").await;
        assert!(seen.html.contains(&format!("id=\"closure-{holiday}-all\"")));
        assert!(!seen.html.contains(&format!("/holidays/{holiday}/remove")), "no button for a manager");
        assert_eq!(manager.post(&format!("/admin/centres/HC-GPO/holidays/{holiday}/remove"), &[]).await.status, 403);
        let shown = admin.get("/admin/centres/HC-GPO").await;
        assert!(shown.html.contains(&format!("/admin/centres/HC-GPO/holidays/{holiday}/remove")));

        let removed = manager.post(&format!("/admin/centres/HC-GPO/closures/{day}/remove"), &[]).await;
        assert_eq!(removed.status, 303, "{}", removed.html);
        assert!(slots(&app, &day).await > 0, "open again");
        let removed = admin.post(&format!("/admin/centres/HC-GPO/holidays/{holiday}/remove"), &[]).await;
        assert_eq!(removed.status, 303);
        assert_eq!(admin.post(&format!("/admin/centres/HC-GPO/closures/{day}/remove"), &[]).await.status, 404, "gone already");
    }

    async fn the_centre_figures_count_a_ticket_issued_called_and_done(app: TestApp) {
        let key = app.agency_key("HUDUMA", &["queue:write"]).await;
        let (status, ticket) = app.api(Method::POST, &key, "/api/v1/centres/HC-GPO/tickets", Some(serde_json::json!({"service": "NRB-ID-REPLACE"}))).await;
        assert_eq!(status, 201, "{ticket}");
        let number = ticket["number"].as_str().unwrap().to_string();
        let (status, called) = app.api(Method::POST, &key, "/api/v1/centres/HC-GPO/counters/3/call", None).await;
        assert_eq!(status, 200, "{called}");
        assert_eq!(called["number"], number.as_str());
        let (status, done) = app.api(Method::POST, &key, &format!("/api/v1/centres/HC-GPO/tickets/{number}/done"), None).await;
        assert_eq!(status, 200, "{done}");

        let res = app.get("/performance/centres").await;
        assert_eq!(res.status().as_u16(), 200);
        let html = res.text().await.unwrap();
        let row = html.split("id=\"fig-HC-GPO\"").nth(1).unwrap().split("</tr>").next().unwrap();
        assert!(row.contains("<td class=\"num\">1</td><td class=\"num\">1.0</td>"), "{row}");
        assert!(html.contains("id=\"fig-HC-GPO-NRB-ID-REPLACE\""), "by service");
        let msa = html.split("id=\"fig-HC-MSA\"").nth(1).unwrap().split("</tr>").next().unwrap();
        assert!(msa.contains("<td class=\"num\">0</td>") && msa.contains("No data"), "{msa}");
        assert!(html.contains("<svg class=\"chart\""));
        assert!(app.get("/performance").await.text().await.unwrap().contains("href=\"/performance/centres\""));

        let csv = app.get("/api/v1/open-data/centres.csv").await.text().await.unwrap();
        assert!(csv.starts_with("from,to,centre,centre_name,county,operator,service,tickets,"), "{csv}");
        assert!(csv.contains(&format!(",HC-GPO,{GPO_NAME},Nairobi,HUDUMA,,1,1.0,")), "{csv}");
        assert!(csv.contains(",HC-GPO,") && csv.contains(",NRB-ID-REPLACE,1,"), "{csv}");
        let huduma = app.get_json("/api/v1/open-data/centres.json?agency=HUDUMA&service=NRB-ID-REPLACE", 200).await;
        assert_eq!(huduma["rows"].as_array().unwrap().len(), 1, "{huduma}");
        assert_eq!(huduma["rows"][0]["tickets"], 1);
        assert_eq!(app.get("/api/v1/open-data/centres.csv?from=2026-02-30").await.status().as_u16(), 400);
        assert!(app.get("/open-data").await.text().await.unwrap().contains("/api/v1/open-data/centres.csv"));
    }

    async fn the_pages_speak_kiswahili(app: TestApp) {
        let mut admin = signed_in_admin(&app).await;
        admin.cookies.insert("lang".into(), "sw".into());
        for path in ["/admin/centres", "/admin/centres/HC-GPO", "/admin/centres/new", "/performance/centres"] {
            let page = admin.get(path).await;
            assert_eq!(page.status, 200, "{path}");
            assert!(page.html.contains("lang=\"sw\""), "{path}");
            assert!(english_on(&page.html).is_empty(), "{path} shows English: {:?}", english_on(&page.html));
        }
        let refused = admin.post("/admin/centres/HC-GPO/closures", &[("day", "someday"), ("reason", "")]).await;
        assert_eq!(refused.status, 400);
        assert!(refused.html.contains("Siku: "), "the field's label in Kiswahili");
        // A centre's fields refused: what each must hold is said in Kiswahili first.
        let edit = admin.get("/admin/centres/HC-GPO").await;
        assert_eq!(edit.status, 200);
        let bad = admin.post("/admin/centres/HC-GPO", &[("hours", "mon-fri 8-5"), ("latitude", "north")]).await;
        assert_eq!(bad.status, 400);
        let summary = bad.html.split("class=\"error-summary\"").nth(1).unwrap().split("</ul>").next().unwrap();
        assert!(summary.contains("Saa za kufungua: Andika kila siku na saa zake"), "{summary}");
        assert!(summary.contains("Latitudo: Andika nyuzi"), "{summary}");
        admin.cookies.insert("lang".into(), "en".into());
        let english = admin.post("/admin/centres/HC-GPO", &[("hours", "mon-fri 8-5")]).await;
        assert!(!english.html.contains("Write each day with its hours"), "English readers get the detail alone");
    }
}
