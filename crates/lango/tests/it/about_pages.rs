//! The footer every page carries and the pages it links (help, contact, privacy notice,
//! accessibility statement, cookies), in both languages; the frame a signed-in person sees.

use crate::backend_tests;
use crate::browser_kit::Browser;
use crate::support::{Backend, TestApp};

/// The footer's links, as every page must carry them.
const FOOTER: [&str; 7] = [
    "/help",
    "/contact",
    "/privacy",
    "/accessibility",
    "/cookies",
    "/performance",
    "/open-data",
];

/// The footer of a page.
fn footer(html: &str) -> &str {
    html.split("<footer").nth(1).expect("a footer")
}

async fn get_in(app: &TestApp, path: &str, lang: &str) -> (u16, String) {
    let res = app
        .client
        .get(format!("{}{path}", app.base))
        .header("cookie", format!("lang={lang}"))
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

backend_tests! {
    async fn every_page_footer_links_help_privacy_and_the_rest(app: TestApp) {
        for lang in ["en", "sw"] {
            for path in ["/", "/services", "/agencies/NTSA", "/signin", "/no/such/page", "/help", "/cookies", "/open-data"] {
                let (_, html) = get_in(&app, path, lang).await;
                let foot = footer(&html);
                for link in FOOTER {
                    assert!(foot.contains(&format!("href=\"{link}\"")), "{lang} {path}: footer lacks {link}");
                }
                assert!(foot.contains("<nav aria-label="), "{lang} {path}: the links are a named navigation");
            }
        }
        let (_, sw) = get_in(&app, "/", "sw").await;
        for words in ["Msaada", "Wasiliana nasi", "Taarifa ya faragha", "Taarifa ya ufikivu", "Vidakuzi", "Data huria"] {
            assert!(footer(&sw).contains(words), "Kiswahili footer lacks {words}");
        }
    }

    async fn help_contact_privacy_accessibility_and_cookies_pages_say_what_they_must(app: TestApp) {
        let pages: [(&str, &str, &str, &[&str]); 5] = [
            ("/help", "Help", "Msaada", &["222222", "Pay Bill", "Your applications", "/account/applications"]),
            ("/contact", "Contact", "Wasiliana nasi", &["/agencies", "Commission on Administrative Justice", "M-Pesa PIN"]),
            ("/privacy", "Privacy notice", "Taarifa ya faragha", &[
                "Data Protection Act, 2019", "section 26", "Data Protection Commissioner", "www.odpc.go.ke",
                "ID or passport number", "How long we keep it", "Who sees it", "/account/data",
            ]),
            ("/accessibility", "Accessibility statement", "Taarifa ya ufikivu", &["WCAG", "2.2", "AA", "What we know does not work well", "Tell us about a problem"]),
            ("/cookies", "Cookies", "Vidakuzi", &["__Host-lango_session", "__Host-lango_csrf", "lang", "30 minutes"]),
        ];
        for (path, en, sw, facts) in pages {
            let (status, html) = get_in(&app, path, "en").await;
            assert_eq!(status, 200, "{path}");
            assert!(html.contains(&format!("<h1>{en}</h1>")), "{path}: heading");
            for fact in facts {
                assert!(html.contains(fact), "{path} lacks {fact}");
            }
            let (status, html) = get_in(&app, path, "sw").await;
            assert_eq!(status, 200, "{path} sw");
            assert!(html.contains("<html lang=\"sw\">") && html.contains(&format!("<h1>{sw}</h1>")), "{path}: Kiswahili heading");
            assert!(!html.contains(">?<"), "{path}: a Kiswahili word is missing");
        }
        let (_, sw) = get_in(&app, "/privacy", "sw").await;
        assert!(sw.contains("Sheria ya Ulinzi wa Data, 2019") && sw.contains("kifungu cha 26"));
    }

    async fn a_signed_in_person_sees_sign_out_on_every_page(app: TestApp) {
        app.person("22334455", "amina@example.com", "correct horse battery").await;
        let mut b = Browser::new(&app);
        let anon = b.get("/services").await;
        assert!(!anon.html.contains("action=\"/signout\""), "nobody to sign out");
        let signed = b.sign_in("22334455", "correct horse battery").await;
        assert_eq!(signed.status, 303, "{}", signed.html);
        for path in ["/", "/services", "/services/DIS-PASSPORT", "/agencies", "/help", "/privacy", "/open-data", "/no/such/page"] {
            let page = b.get(path).await;
            let header = page.html.split("</header>").next().unwrap();
            assert!(header.contains("action=\"/signout\""), "{path}: no sign-out in the header");
            let token = header.split("name=\"csrf\" value=\"").nth(1).and_then(|t| t.split('"').next()).unwrap_or("");
            assert_eq!(token.len(), 43, "{path}: the sign-out form carries the session's token");
        }
        // A published page is kept a few seconds for everyone: made while this person
        // looked, it still carries nobody's sign-out form or token to the next visitor.
        b.get("/performance").await;
        let (status, kept) = get_in(&app, "/performance", "en").await;
        assert_eq!(status, 200);
        assert!(!kept.contains("action=\"/signout\"") && !kept.contains("name=\"csrf\""), "a kept page carries a session's form");
        // And the button works from a public page.
        b.get("/help").await;
        let out = b.post("/signout", &[]).await;
        assert_eq!(out.status, 303, "{}", out.html);
        assert!(!b.get("/help").await.html.contains("action=\"/signout\""));
    }

    async fn staff_land_at_their_own_work_after_sign_in(app: TestApp) {
        use lango_identity::model::Role;
        let pass = "correct horse battery";
        app.person("22334466", "citizen@example.com", pass).await;
        app.staff("officer@dis.example", pass, Role::Officer, Some("DIS")).await;
        app.staff("fin@treasury.example", pass, Role::FinanceOfficer, None).await;
        app.staff("admin@ntsa.example", pass, Role::AgencyAdmin, Some("NTSA")).await;
        for (who, to) in [
            ("22334466", "/account"),
            ("officer@dis.example", "/work/DIS"),
            ("fin@treasury.example", "/finance"),
            ("admin@ntsa.example", "/admin/agencies/NTSA/staff"),
        ] {
            let mut b = Browser::new(&app);
            let res = b.sign_in(who, pass).await;
            assert_eq!((res.status, res.location.as_str()), (303, to), "{who}");
            assert_eq!(b.get(to).await.status, 200, "{who} may see {to}");
        }
        // A refusal says what the person may do instead.
        let mut citizen = Browser::new(&app);
        citizen.sign_in("22334466", pass).await;
        let refused = citizen.get("/finance").await;
        assert_eq!(refused.status, 403);
        for link in ["href=\"/account\"", "href=\"/services\"", "href=\"/help\""] {
            assert!(refused.html.split("<main").nth(1).unwrap().contains(link), "403 page lacks {link}");
        }
        assert!(refused.html.contains("What you can do instead"));
        // A page asked for is still where a member of staff goes.
        let mut b = Browser::new(&app);
        b.get("/signin").await;
        let res = b.post("/signin", &[("identifier", "officer@dis.example"), ("password", pass), ("next", "/help")]).await;
        assert_eq!(res.location, "/help");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_banner_sits_inside_the_header_landmark_and_cookies_are_named_as_set() {
    let app = TestApp::spawn_with(Backend::Sqlite, true).await.unwrap();
    let html = app.get("/").await.text().await.unwrap();
    let header = html
        .split("<header")
        .nth(1)
        .unwrap()
        .split("</header>")
        .next()
        .unwrap();
    assert!(
        header.contains("class=\"banner\""),
        "the demo banner is inside the banner landmark"
    );
    let cookies = app.get("/cookies").await.text().await.unwrap();
    assert!(
        cookies.contains("<code>lango_session</code>") && !cookies.contains("__Host-"),
        "demo cookies have plain names"
    );
}
