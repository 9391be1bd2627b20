//! `lango import` and `lango export` as an operator runs them, and the index following
//! changes made by another process.

use crate::backend_tests;
use crate::support::TestApp;

const HEADER: &str = "code,name,name_sw,summary,summary_sw,agency_code,category,life_events,channels,stage,fees,sla_days,documents,keywords,status";

fn row(code: &str, agency: &str, fees: &str, extra: &str) -> String {
    format!("{code},\"Inspect a fishing boat {extra}\",Kagua boti,Book a boat inspection.,Panga ukaguzi.,{agency},agriculture,,online;centre,end_to_end,{fees},7,National ID card,boat;boti,active")
}

fn write(app: &TestApp, name: &str, bytes: &[u8]) -> String {
    let path = app.data_dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

backend_tests! {
    async fn bad_rows_are_reported_and_change_nothing(app: TestApp) {
        let long = "x".repeat(300);
        let mut file = b"\xEF\xBB\xBF".to_vec();
        file.extend_from_slice(HEADER.as_bytes());
        file.push(b'\n');
        let rows = [
            row("KEPHIS-BOAT-1", "KEPHIS", ":500.00 KES", "one"),               // 2 ok
            row("NTSA-BOAT-OK", "NTSA", ":500.00 KES", "with, comma"),       // 3 ok
            row("NTSA-BOAT-NEG", "NTSA", ":-5.00 KES", "neg"),                   // 4 negative fee
            row("NTSA-BOAT-NAN", "NTSA", ":abc KES", "nan"),                     // 5 non-numeric fee
            row("NTSA-BOAT-OK", "NTSA", ":600.00 KES", "again"),                 // 6 duplicate code
            row("NTSA-BOAT-LONG", "NTSA", ":1.00 KES", &long),                   // 7 over-long name
            row("NTSA-BOAT-AGENCY", "NOSUCH", ":1.00 KES", "agency"),            // 8 unknown agency
            row("DIS-PASSPORT", "DIS", ":-1.00 KES", "clobber"),                 // 9 would change a real service
            "NTSA-SHORT,only,three".to_string(),                                  // 10 wrong field count
        ];
        for r in &rows {
            file.extend_from_slice(r.as_bytes());
            file.push(b'\n');
        }
        // 11: invalid UTF-8 inside a field.
        let start = file.len();
        file.extend_from_slice(row("NTSA-BOAT-UTF", "NTSA", ":1.00 KES", "BAD").as_bytes());
        let at = start + file[start..].windows(3).position(|w| w == b"BAD").unwrap();
        file[at] = 0xFF;
        file.push(b'\n');
        let path = write(&app, "services.csv", &file);
        let out = app.cli(&["import", "services", &path]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(2), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        for expected in [
            "line 4 (NTSA-BOAT-NEG)", "line 5 (NTSA-BOAT-NAN)", "line 6 (NTSA-BOAT-OK): code already appears on line 3",
            "line 7 (NTSA-BOAT-LONG)", "at most 200", "line 8 (NTSA-BOAT-AGENCY): unknown agency_code", "line 9 (DIS-PASSPORT)",
            "line 10", "has 3 fields", "line 11", "not valid UTF-8",
        ] {
            assert!(stdout.contains(expected), "report lacks {expected:?}:\n{stdout}");
        }
        app.eventually("imported row is served", || async {
            app.get("/api/v1/services/NTSA-BOAT-OK").await.status().as_u16() == 200
        }).await;
        let ok = app.get_json("/api/v1/services/NTSA-BOAT-OK", 200).await;
        assert_eq!(ok["name"], "Inspect a fishing boat with, comma");
        assert_eq!(ok["fees"][0]["amount"], "500.00");
        let passport = app.get_json("/api/v1/services/DIS-PASSPORT", 200).await;
        assert_eq!(passport["fees"][0]["amount"], "4550.00", "a rejected row changed a stored service");
        for code in ["NTSA-BOAT-NEG", "NTSA-BOAT-NAN", "NTSA-BOAT-LONG", "NTSA-BOAT-AGENCY", "NTSA-BOAT-UTF"] {
            app.get_json(&format!("/api/v1/services/{code}"), 404).await;
        }
    }

    async fn a_spreadsheet_export_imports_as_a_clerk_wrote_it(app: TestApp) {
        // "CSV UTF-8" from a spreadsheet: a byte-order mark, CRLF line ends, topics in
        // words, and cells with line breaks in them (a record over several lines).
        let line = |code: &str, category: &str, events: &str, summary: &str| {
            format!("{code},Inspect a fishing boat,Kagua boti,\"{summary}\",Panga ukaguzi.,KEPHIS,{category},{events},online,end_to_end,:500.00 KES,7,,boat,active")
        };
        let records = [
            line("KEPHIS-CLERK-1", "Agriculture", "Starting a business; HAVING  a baby", "One line."),   // 2
            line("KEPHIS-CLERK-2", " agriculture ", "", "First line.\r\nSecond line."),                // 3-4
            line("KEPHIS-CLERK-3", "Fishing", "", "One line."),                                         // 5: unknown category
            line("KEPHIS-CLERK-4", "Kilimo", "Having twins", "A\r\nB\r\nC"),                             // 6-8: unknown life event
            line("KEPHIS-CLERK-5", "Business and trade", "starting-a-business", "One line."),           // 9
            "KEPHIS-CLERK-6,too,few".to_string(),                                                        // 10
        ];
        let mut file = b"\xEF\xBB\xBF".to_vec();
        file.extend_from_slice(HEADER.as_bytes());
        for r in &records {
            file.extend_from_slice(b"\r\n");
            file.extend_from_slice(r.as_bytes());
        }
        file.extend_from_slice(b"\r\n");
        let path = write(&app, "from-a-spreadsheet.csv", &file);
        let out = app.cli(&["import", "services", &path]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(2), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout.contains(": 3 created, 0 updated, 3 rejected"), "{stdout}");
        for expected in [
            "line 5 (KEPHIS-CLERK-3): category \"Fishing\" is not one Lango knows; use one of: Travel and immigration, ",
            "line 6 (KEPHIS-CLERK-4): life event \"Having twins\" is not one Lango knows; use one of: Having a baby, Starting a business, ",
            "line 10 (KEPHIS-CLERK-6)",
        ] {
            assert!(stdout.contains(expected), "report lacks {expected:?}:\n{stdout}");
        }
        assert!(stdout.contains("Agriculture, "), "the known categories are named: {stdout}");
        for (code, category, events) in [
            ("KEPHIS-CLERK-1", "agriculture", vec!["starting-a-business", "having-a-baby"]),
            ("KEPHIS-CLERK-2", "agriculture", vec![]),
            ("KEPHIS-CLERK-5", "business-and-trade", vec!["starting-a-business"]),
        ] {
            app.eventually("the imported service is served", || async {
                app.get(&format!("/api/v1/services/{code}")).await.status().as_u16() == 200
            }).await;
            let s = app.get_json(&format!("/api/v1/services/{code}"), 200).await;
            assert_eq!(s["category"], category, "{s}");
            assert_eq!(s["life_events"], serde_json::json!(events), "{s}");
        }
        let two = app.get_json("/api/v1/services/KEPHIS-CLERK-2", 200).await;
        let summary = two["summary"].as_str().unwrap();
        assert!(summary.starts_with("First line.") && summary.ends_with("\nSecond line."), "{summary}");
        for code in ["KEPHIS-CLERK-3", "KEPHIS-CLERK-4", "KEPHIS-CLERK-6"] {
            app.get_json(&format!("/api/v1/services/{code}"), 404).await;
        }
    }

    async fn a_bad_header_refuses_the_file(app: TestApp) {
        let path = write(&app, "bad.csv", format!("{HEADER},colour\n").as_bytes());
        let out = app.cli(&["import", "services", &path]);
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains("unknown column \"colour\""));
        let path = write(&app, "missing.csv", b"code,name\nX,Y\n");
        let out = app.cli(&["import", "services", &path]);
        assert!(String::from_utf8_lossy(&out.stderr).contains("missing column"));
    }

    async fn export_and_import_round_trip(app: TestApp) {
        let first = app.data_dir.path().join("export1.csv");
        let out = app.cli(&["export", "services", "--output", first.to_str().unwrap()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let out = app.cli(&["import", "services", first.to_str().unwrap()]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout}");
        assert!(stdout.contains(": 0 created,") && stdout.contains(", 0 rejected"), "{stdout}");
        let second = app.data_dir.path().join("export2.csv");
        app.cli(&["export", "services", "--output", second.to_str().unwrap()]);
        assert_eq!(std::fs::read(&first).unwrap(), std::fs::read(&second).unwrap());
        // The Kiswahili documents and fee labels go out and come back with the rest.
        let text = std::fs::read_to_string(&first).unwrap();
        assert!(text.lines().next().unwrap().ends_with(",documents_sw,fees_sw,apply_url"), "export header");
        assert!(text.contains("Kitambulisho cha taifa;Maandishi ya tangazo yaliyotiwa saini"), "documents_sw exported");
        let notice = app.get_json("/api/v1/services/MOI-GAZETTE-NOTICE", 200).await;
        assert_eq!(notice["documents"][0], "National ID card");
        assert_eq!(notice["documents_sw"][0], "Kitambulisho cha taifa");
        assert_eq!(notice["fees"][0]["label"], "Ordinary notice");
        assert_eq!(notice["fees"][0]["label_sw"], "Tangazo la kawaida");
        // A Kiswahili list that does not match the English one item for item is refused.
        let bad = format!("{HEADER},documents_sw,fees_sw\n{},Kitambulisho;Ziada,\n{},,Moja;Mbili\n",
            row("NTSA-BOAT-SW1", "NTSA", ":500.00 KES", "sw1"), row("NTSA-BOAT-SW2", "NTSA", ":500.00 KES", "sw2"));
        let out = app.cli(&["import", "services", &write(&app, "bad-sw.csv", bad.as_bytes())]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("line 2 (NTSA-BOAT-SW1)") && stdout.contains("documents_sw has 2 items"), "{stdout}");
        assert!(stdout.contains("line 3 (NTSA-BOAT-SW2)") && stdout.contains("fees_sw has 2 labels"), "{stdout}");

        let agencies = app.data_dir.path().join("agencies.csv");
        app.cli(&["export", "agencies", "--output", agencies.to_str().unwrap()]);
        let out = app.cli(&["import", "agencies", agencies.to_str().unwrap()]);
        assert!(String::from_utf8_lossy(&out.stdout).contains(", 0 rejected"));
    }

    async fn the_index_follows_changes_from_another_process(app: TestApp) {
        let csv = format!("{HEADER}\n{}\n", row("NTSA-ZEBRA-CROSS", "NTSA", ":100.00 KES", "zebrafish"));
        let path = write(&app, "new.csv", csv.as_bytes());
        assert!(app.cli(&["import", "services", &path]).status.success());
        app.eventually("search finds the new service", || async {
            let body: serde_json::Value = app.get("/api/v1/services?q=zebrafish").await.json().await.unwrap();
            body["items"].as_array().is_some_and(|i| i.iter().any(|s| s["code"] == "NTSA-ZEBRA-CROSS"))
        }).await;
        // Renaming an agency elsewhere re-indexes its services.
        let agencies = "code,name,name_sw,level,parent_code,website\nKEPHIS,Plant Health Quokka Service,Huduma ya Afya ya Mimea,national,,https://kephis.go.ke\n";
        let path = write(&app, "agency.csv", agencies.as_bytes());
        let out = app.cli(&["import", "agencies", &path]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
        app.eventually("search finds services by the new agency name", || async {
            let body: serde_json::Value = app.get("/api/v1/services?q=quokka").await.json().await.unwrap();
            body["total"].as_u64().unwrap_or(0) > 0
        }).await;
    }

    async fn seed_creates_synthetic_services(app: TestApp) {
        let out = app.cli(&["seed", "catalogue", "--services", "500", "--i-know-this-is-a-test-database"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        app.eventually("synthetic services are searchable", || async {
            app.get("/api/v1/services/SYN-000499").await.status().as_u16() == 200
        }).await;
    }
}
