//! The portal's words as a translator meets them: a corrected Fluent file in `words_dir` is
//! what the pages say, and a file missing a word stops the node at start-up, naming it.

use crate::mpesa_crash::free_port;
use crate::support::{serve_process, this_lango, until_readyz};
use std::time::{Duration, Instant};

/// The embedded Kiswahili file with `edit` applied, written as `sw.ftl` in a new folder.
fn kiswahili_folder(edit: impl Fn(&str) -> String) -> tempfile::TempDir {
    let embedded = include_str!("../../../lango-web/words/sw.ftl");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sw.ftl"), edit(embedded)).unwrap();
    dir
}

#[tokio::test]
async fn a_translators_correction_is_what_the_pages_say() {
    let words = kiswahili_folder(|s| {
        s.replace(
            "site_tagline = Huduma za serikali mahali pamoja",
            "site_tagline = Huduma zote za serikali, mahali pamoja",
        )
    });
    let data = tempfile::tempdir().unwrap();
    let listen = format!("127.0.0.1:{}", free_port());
    let dir = words.path().display().to_string();
    let _node = serve_process(
        this_lango(),
        data.path(),
        None,
        &listen,
        &[("LANGO_WORDS_DIR", &dir)],
    );
    let base = format!("http://{listen}");
    until_readyz(&base, 200).await;
    let page = |lang: &'static str| {
        let base = base.clone();
        async move {
            let res = reqwest::Client::new()
                .get(format!("{base}/"))
                .header("cookie", format!("lang={lang}"))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            res.text().await.unwrap()
        }
    };
    let sw = page("sw").await;
    assert!(
        sw.contains("Huduma zote za serikali, mahali pamoja"),
        "{sw}"
    );
    // English was not in the folder: the embedded file serves it.
    assert!(page("en")
        .await
        .contains("Government services in one place"));
}

#[test]
fn a_words_file_missing_a_word_stops_the_node_naming_it() {
    let words = kiswahili_folder(|s| {
        s.lines()
            .filter(|l| !l.starts_with("pay_title ="))
            .collect::<Vec<_>>()
            .join("\n")
    });
    let data = tempfile::tempdir().unwrap();
    let mut node = std::process::Command::new(this_lango())
        .arg("serve")
        .env("LANGO_DATA_DIR", data.path())
        .env("LANGO_LISTEN", format!("127.0.0.1:{}", free_port()))
        .env("LANGO_WORDS_DIR", words.path())
        .env("LANGO_LOG", "error")
        .env_remove("LANGO_DATABASE_URL")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = node.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(60) {
            node.kill().unwrap();
            panic!("a node with a word missing kept running");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut said = String::new();
    std::io::Read::read_to_string(&mut node.stderr.take().unwrap(), &mut said).unwrap();
    assert!(!status.success(), "{said}");
    assert!(
        said.contains("pay_title") && said.contains("in sw"),
        "{said}"
    );
    // Nothing was set up: the node stopped before opening a database.
    assert!(!data.path().join("lango.db").exists());
}

#[test]
fn a_translator_checks_a_folder_before_it_reaches_a_node() {
    let check = |dir: &std::path::Path| {
        std::process::Command::new(this_lango())
            .args(["words", "check"])
            .arg(dir)
            .env_remove("LANGO_DATABASE_URL")
            .output()
            .unwrap()
    };
    let good = kiswahili_folder(|s| s.replace("pay_title = Lipa bili", "pay_title = Lipa ankara"));
    let out = check(good.path());
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{said}");
    assert!(said.contains("every one in every language"), "{said}");
    let bad =
        kiswahili_folder(|s| s.replace("pay_title = Lipa bili", "pay_title = Lipa { $amount }"));
    let out = check(bad.path());
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("pay_title") && said.contains("$amount"),
        "{said}"
    );
}
