//! The embedded words, and what start-up refuses of a translator's file.

use super::table::Table;
use super::*;

#[test]
fn every_key_once_and_every_template_key_known() {
    let mut seen = std::collections::HashSet::new();
    for (k, en, sw) in all() {
        assert!(seen.insert(k), "{k} twice");
        assert!(!en.is_empty() && !sw.is_empty(), "{k} empty");
    }
    assert!(seen.len() > 2000, "{} keys", seen.len());
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for call in ["tr(\"", "tr_one(\""] {
            for part in text.split(call).skip(1) {
                let key = part.split('"').next().unwrap();
                assert!(has(key), "template key {key} has no words");
            }
        }
    }
}

#[test]
fn every_language_has_every_word_and_no_other_values() {
    // What start-up checks, on the files as embedded.
    Table::read(None).unwrap();
}

#[test]
fn values_are_filled_and_numbers_choose_the_plural() {
    let held = |lang, n: u32| tr_with(lang, "finance_held_count", [n.into()]);
    assert_eq!(held(Lang::En, 1), "One payment held");
    assert_eq!(held(Lang::En, 12), "12 payments held");
    assert_eq!(held(Lang::En, 12500), "12,500 payments held");
    assert_eq!(held(Lang::Sw, 12500), "Malipo 12,500 yanashikiliwa");
    assert_eq!(
        tr_with(Lang::En, "counter_title", ["4".into()]),
        tr(Lang::En, "counter_title").replace("{$v1}", "4")
    );
    // A dotted key is an attribute of its message.
    assert_eq!(tr(Lang::En, "event_bill.raised"), "Bill raised");
    assert_eq!(tr(Lang::Sw, "no_such_key"), "?");
}

#[test]
fn a_translator_may_write_a_number_without_grouping() {
    let text = kiswahili_edited(|s| {
        s.replace(
            "finance_held_count = Malipo { $v1 } yanashikiliwa",
            "finance_held_count = Malipo { NUMBER($v1, useGrouping: \"false\") } yanashikiliwa",
        )
    });
    let dir = folder_with_kiswahili(&text);
    let t = Table::read(Some(dir.path())).unwrap();
    let held = t.format(Lang::Sw, "finance_held_count", [12500.into()]);
    assert_eq!(held.as_deref(), Some("Malipo 12500 yanashikiliwa"));
}

#[test]
fn every_application_channel_has_words() {
    for c in lango_cases::Channel::ALL {
        for lang in Lang::ALL {
            assert_ne!(tr(lang, &format!("ins_channel_{c}")), "?", "{c}");
        }
    }
}

/// A folder holding `sw.ftl` with `text` (English stays embedded).
fn folder_with_kiswahili(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sw.ftl"), text).unwrap();
    dir
}

/// The embedded Kiswahili file with `edit` applied.
fn kiswahili_edited(edit: impl Fn(&str) -> String) -> String {
    edit(super::table::EMBEDDED[Lang::Sw as usize])
}

#[test]
fn a_translators_file_replaces_the_embedded_one() {
    let text = kiswahili_edited(|s| s.replace("site_tagline = ", "site_tagline = Karibu: "));
    let dir = folder_with_kiswahili(&text);
    let t = Table::read(Some(dir.path())).unwrap();
    assert!(t
        .text(Lang::Sw, "site_tagline")
        .unwrap()
        .starts_with("Karibu: "));
    assert_eq!(
        t.text(Lang::En, "site_tagline"),
        table().text(Lang::En, "site_tagline")
    );
}

#[test]
fn a_missing_word_is_refused_naming_the_key_and_the_language() {
    let text = kiswahili_edited(|s| {
        s.lines()
            .filter(|l| !l.starts_with("pay_title ="))
            .collect::<Vec<_>>()
            .join("\n")
    });
    let dir = folder_with_kiswahili(&text);
    let e = Table::read(Some(dir.path()))
        .err()
        .expect("refused")
        .to_string();
    assert!(e.contains("pay_title") && e.contains("sw"), "{e}");
}

#[test]
fn a_value_no_page_gives_is_refused() {
    let text =
        kiswahili_edited(|s| s.replace("pay_title = Lipa bili", "pay_title = Lipa { $amount }"));
    let dir = folder_with_kiswahili(&text);
    let e = Table::read(Some(dir.path()))
        .err()
        .expect("refused")
        .to_string();
    assert!(e.contains("pay_title") && e.contains("$amount"), "{e}");
}

#[test]
fn a_file_that_does_not_parse_is_refused_with_its_line() {
    let text = kiswahili_edited(|s| s.replace("pay_title = Lipa bili", "pay_title = Lipa { bili"));
    let dir = folder_with_kiswahili(&text);
    let e = Table::read(Some(dir.path()))
        .err()
        .expect("refused")
        .to_string();
    let line = text
        .lines()
        .position(|l| l.starts_with("pay_title"))
        .unwrap()
        + 1;
    assert!(
        e.contains("sw.ftl") && e.contains(&format!("line {line}")),
        "{e}"
    );
}
