//! A node serves the country its pack names: `LANGO_COUNTRY` for `serve`, `--country` for
//! the demo; a country without a pack stops it at once, naming the packs there are.

use crate::support::this_lango;

/// Runs `lango ARGS` with `env` and an empty data dir: (exit code, standard error).
fn lango(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let data = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(this_lango())
        .args(args)
        .env("LANGO_DATA_DIR", data.path())
        .env("LANGO_LISTEN", "127.0.0.1:1")
        .env_remove("LANGO_DATABASE_URL")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    // Refused before anything was written.
    assert_eq!(std::fs::read_dir(data.path()).unwrap().count(), 0);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn a_country_without_a_pack_is_refused_before_anything_starts() {
    let (code, said) = lango(&["serve"], &[("LANGO_COUNTRY", "zz")]);
    assert_eq!(code, Some(78), "{said}");
    assert!(
        said.contains("LANGO_COUNTRY") && said.contains("packs: ke"),
        "{said}"
    );
    let (code, said) = lango(&["demo", "--country", "zz"], &[]);
    assert_eq!(code, Some(78), "{said}");
    assert!(
        said.contains("\"zz\"") && said.contains("packs: ke"),
        "{said}"
    );
}

#[test]
fn a_database_serves_the_country_that_first_opened_it() {
    let data = tempfile::tempdir().unwrap();
    let run = |country: &str| {
        std::process::Command::new(this_lango())
            .args(["export", "agencies"])
            .env("LANGO_DATA_DIR", data.path())
            .env("LANGO_COUNTRY", country)
            .env_remove("LANGO_DATABASE_URL")
            .output()
            .unwrap()
    };
    assert!(run("my").status.success(), "Malaysia's first");
    assert!(run("my").status.success(), "and again");
    // Kenya's node would read ringgit bills, MyKad numbers and Malaysian days as its own.
    let kenya = run("ke");
    let said = String::from_utf8_lossy(&kenya.stderr);
    assert!(!kenya.status.success(), "{said}");
    assert!(
        said.contains("serves the country \"my\", not \"ke\""),
        "{said}"
    );
}
