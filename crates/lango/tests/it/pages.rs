//! Portal pages over HTTP: status codes, languages, security headers, the 404 page.

use crate::backend_tests;

backend_tests! {
    async fn pages_render_in_both_languages(app: TestApp) {
        let home = app.get("/").await;
        assert_eq!(home.status().as_u16(), 200);
        let csp = home.headers()["content-security-policy"].to_str().unwrap().to_string();
        assert!(csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(home.headers()["x-content-type-options"], "nosniff");
        assert_eq!(home.headers()["x-frame-options"], "DENY");
        let html = home.text().await.unwrap();
        assert!(html.contains("<html lang=\"en\">") && html.contains("Apply for a passport"));

        let res = app.get("/language?to=sw&next=%2Fservices%2FDIS-PASSPORT").await;
        assert_eq!(res.status().as_u16(), 303);
        assert_eq!(res.headers()["location"], "/services/DIS-PASSPORT");
        let cookie = res.headers()["set-cookie"].to_str().unwrap();
        assert!(cookie.starts_with("lang=sw") && cookie.contains("HttpOnly"));
        let sw = app.client.get(format!("{}/services/DIS-PASSPORT", app.base)).header("cookie", "lang=sw").send().await.unwrap();
        let html = sw.text().await.unwrap();
        assert!(html.contains("<html lang=\"sw\">") && html.contains("Omba pasipoti"), "Kiswahili page");
        let by_header = app.client.get(format!("{}/", app.base)).header("accept-language", "sw-KE,sw;q=0.9").send().await.unwrap();
        assert!(by_header.text().await.unwrap().contains("Tafuta huduma"));
        // Never an open redirect.
        for next in ["%2F%2Fevil.example", "https%3A%2F%2Fevil.example", "%2F%5Cevil.example"] {
            let res = app.get(&format!("/language?to=sw&next={next}")).await;
            assert_eq!(res.headers()["location"], "/", "{next}");
        }
    }

    async fn service_results_and_agency_pages(app: TestApp) {
        let html = app.get("/services/DIS-PASSPORT").await.text().await.unwrap();
        for text in ["KES 4,550.00", "34 pages", "Directorate of Immigration Services", "Apply online", "working days"] {
            assert!(html.contains(text), "service page lacks {text}");
        }
        let res = app.get("/services?q=pasport").await;
        assert_eq!(res.status().as_u16(), 200);
        assert!(res.text().await.unwrap().contains("/services/DIS-PASSPORT\""));
        let res = app.get("/services?page=0").await;
        assert_eq!(res.status().as_u16(), 400);
        let html = res.text().await.unwrap();
        assert!(html.contains("error-summary") && html.contains("There is a problem"));
        let html = app.get("/agencies").await.text().await.unwrap();
        assert!(html.contains("County") && html.contains("National Transport and Safety Authority"));
        let ntsa = app.get("/agencies/NTSA?page=2").await;
        assert_eq!(ntsa.status().as_u16(), 200);
        let start = app.get("/services/DIS-PASSPORT/apply").await;
        assert_eq!(start.status().as_u16(), 200);
        assert!(start.text().await.unwrap().contains("Before you start"));
        let css = app.get("/assets/lango.css").await;
        assert!(css.headers()["cache-control"].to_str().unwrap().contains("immutable"));
    }

    async fn unknown_pages_get_the_helpful_404(app: TestApp) {
        for path in ["/no/such/page", "/services/NOPE-NOPE", "/agencies/ZZZZ", "/services/%FF%FE"] {
            let res = app.get(path).await;
            assert_eq!(res.status().as_u16(), 404, "{path}");
            let html = res.text().await.unwrap();
            assert!(html.contains("Page not found") && html.contains("name=\"q\""), "{path}");
        }
    }

    async fn first_visit_fits_the_page_budget(app: TestApp) {
        // Home page plus stylesheet, compressed as a browser would ask for them: under 60 KB.
        let mut total = 0;
        for path in ["/", "/assets/lango.css"] {
            let res = app.client.get(format!("{}{path}", app.base)).header("accept-encoding", "gzip").send().await.unwrap();
            total += res.bytes().await.unwrap().len();
        }
        assert!(total < 60 * 1024, "first visit is {total} bytes");
    }
}
