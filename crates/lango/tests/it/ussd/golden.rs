//! Golden USSD sessions: one recorded session per menu and language, in
//! `crates/lango/tests/golden/ussd/MENU_LANG.txt`, each request's `text` then the screen it
//! got, compared exactly, so that a change to any screen shows in review. References are
//! random per run: requests are written with placeholders (`<APP1>`, `<BILL>`…) that are
//! filled in before sending and put back in the screens before comparing.
//!
//! After changing a screen on purpose, regenerate the files and review the diff:
//! `LANGO_BLESS=1 cargo test -p lango --test it ussd::golden`

use super::{applications, dial, sql, PAYER, PHONE};
use crate::stk::{bill, Env};
use crate::support::TestApp;
use lango_phone::prefs::Lang;

/// Placeholder → value, for one recording.
pub(crate) type Values = Vec<(&'static str, String)>;

/// Plays `steps` in one session in `lang` and compares with (or, with `LANGO_BLESS=1`,
/// writes) the golden file `name_LANG.txt`.
pub(crate) async fn record(app: &TestApp, name: &str, lang: Lang, values: &Values, steps: &[&str]) {
    record_on(app, PHONE, name, lang, values, steps).await
}

/// [`record`] from `phone`.
pub(crate) async fn record_on(
    app: &TestApp,
    phone: &str,
    name: &str,
    lang: Lang,
    values: &Values,
    steps: &[&str],
) {
    let db = app.db().await;
    lango_phone::prefs::set_lang(&db, phone, lang)
        .await
        .unwrap();
    db.close().await;
    let session = format!("golden-{name}-{}", lang.code());
    let mut out = format!(
        "# USSD golden session: menu {name}, {}. Each `>` line is the request's text, then the screen.\n\
         # Regenerate: LANGO_BLESS=1 cargo test -p lango --test it ussd::golden\n",
        if lang == Lang::En { "English" } else { "Kiswahili" }
    );
    for step in steps {
        let mut text = step.to_string();
        for (k, v) in values {
            text = text.replace(k, v);
        }
        let mut screen = dial(app, &session, phone, &text).await;
        // Longest values first: a bill's grouped form before its plain one.
        let mut back = values.clone();
        back.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
        for (k, v) in &back {
            screen = screen.replace(v.as_str(), k);
        }
        out.push_str(&format!("\n> {step}\n{screen}\n"));
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/ussd")
        .join(format!("{name}_{}.txt", lang.code()));
    if std::env::var("LANGO_BLESS").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &out).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{} is missing: run with LANGO_BLESS=1 to record it",
            path.display()
        )
    });
    assert_eq!(
        out,
        want,
        "{} changed: review, then LANGO_BLESS=1",
        path.display()
    );
}

/// A reference with one character changed: its check character no longer matches.
fn typo(reference: &str) -> String {
    let mut b = reference.as_bytes().to_vec();
    b[2] = if b[2] == b'2' { b'3' } else { b'2' };
    String::from_utf8(b).unwrap()
}

/// `ABCD-2345`, as screens show a bill reference.
fn grouped(reference: &str) -> String {
    format!("{}-{}", &reference[..4], &reference[4..])
}

async fn bill_in(app: &TestApp, amount: &str, status: Option<&str>) -> String {
    let r = bill(app, amount).await;
    if let Some(status) = status {
        let db = app.db().await;
        sqlx::query("UPDATE bills SET status = $1 WHERE reference = $2")
            .bind(status)
            .bind(&r)
            .execute(db.pool())
            .await
            .unwrap();
        db.close().await;
    }
    r
}

/// The bills of a pay session: (placeholder, value) for each, grouped forms included.
async fn bills(app: &TestApp) -> Values {
    let mut v: Values = Vec::new();
    for (key, shown, amount, status) in [
        ("<BILL>", "<BILL-SHOWN>", "4550.00", None),
        ("<PAID>", "<PAID-SHOWN>", "4550.00", Some("paid")),
        (
            "<CANCELLED>",
            "<CANCELLED-SHOWN>",
            "4550.00",
            Some("cancelled"),
        ),
        ("<EXPIRED>", "<EXPIRED-SHOWN>", "4550.00", Some("expired")),
        ("<CENTS>", "<CENTS-SHOWN>", "4550.50", None),
    ] {
        let r = bill_in(app, amount, status).await;
        v.push((shown, grouped(&r)));
        v.push((key, r));
    }
    let typed = v[1].1.to_lowercase();
    v.push(("<BILL-TYPED>", format!("{} {}", &typed[..4], &typed[4..])));
    v.push(("<BILL-TYPO>", typo(&v[1].1)));
    v
}

crate::stk::simulator_tests! {
    async fn golden_home(env: Env) {
        for lang in [Lang::En, Lang::Sw] {
            record(&env.app, "home", lang, &Vec::new(), &["", "9", "9*0", "1*00", "2*00"]).await;
        }
    }

    async fn golden_status(env: Env) {
        let app = &env.app;
        let (mine, other) = applications(app, 3).await;
        sql(app, "UPDATE applications SET state = 'more_info' WHERE reference = $1", &mine[2]).await;
        let values: Values = vec![
            ("<APP1>", mine[0].clone()),
            ("<APP2>", mine[1].clone()),
            ("<APP3>", mine[2].clone()),
            ("<OTHER>", other.clone()),
            ("<TYPO>", typo(&other)),
        ];
        let steps = ["1", "1*98", "1*98*98", "1*98*0", "1*<APP3>", "1*<APP1>", "1*<OTHER>", "1*<TYPO>", "1*hello", "1*hello*98"];
        for lang in [Lang::En, Lang::Sw] {
            record(app, "status", lang, &values, &steps).await;
        }
    }

    async fn golden_pay(env: Env) {
        let app = &env.app;
        for lang in [Lang::En, Lang::Sw] {
            // Each language its own bills: the English session's prompt pays its bill.
            let values = bills(app).await;
            let steps = ["2", "2*12", "2*<BILL-TYPO>", "2*<BILL-TYPED>", "2*<BILL>*5", "2*<BILL>*0", "2*<BILL>*1", "2*<BILL>*1",
                         "2*<PAID>", "2*<CANCELLED>", "2*<EXPIRED>", "2*<CENTS>"];
            record_on(app, PAYER, "pay", lang, &values, &steps).await;
            // The simulated payer answers the prompt; until then M-Pesa would call this
            // phone busy, and the next language's recording would differ.
            let paid = values[1].1.clone();
            app.eventually("the golden prompt is paid", || {
                let paid = paid.clone();
                async move {
                    app.scalar("SELECT COUNT(*) FROM bills WHERE reference = $1 AND status = 'paid'", &paid).await == 1
                }
            })
            .await;
        }
    }

    async fn golden_language(env: Env) {
        for lang in [Lang::En, Lang::Sw] {
            record(&env.app, "language", lang, &Vec::new(), &["6", "6", "6*2", "6*0", "6*0*6", "6*0*6*1"]).await;
        }
    }
}
