//! Sign-in through a national identity provider, against the OIDC provider simulator, on a
//! fresh SQLite database and, when `LANGO_TEST_POSTGRES_URL` is set, on PostgreSQL too.

#[path = "support/oidc_simulator.rs"]
mod oidc_simulator;

use lango_core::audit;
use lango_core::db::Db;
use lango_core::testdb::PostgresTestDatabase;
use lango_identity::account;
use lango_identity::model::IdKind;
use lango_identity::oidc::{OidcSettings, Provider, Refusal};
use lango_identity::session::{self, Client};
use oidc_simulator::{OidcSimulator, Switches, TestPerson};
use tempfile::TempDir;

const CLIENT_ID: &str = "lango-portal";
// Characters that RFC 6749 Basic credentials must carry url-encoded.
const CLIENT_SECRET: &str = "s3cret/with+odd&chars:";
const REDIRECT: &str = "https://lango.test/signin/oidc/callback";

fn amina() -> TestPerson {
    TestPerson {
        sub: "sub-amina-0001".into(),
        given_name: "Amina".into(),
        family_name: "Wanjiru".into(),
        email: Some("Amina.Wanjiru@Example.org".into()),
        email_verified: true,
        phone_number: Some("0712 345 678".into()),
        phone_number_verified: false,
        national_id: Some("23456789".into()),
    }
}

/// A database for one test; a PostgreSQL one is dropped when this is.
struct TestDb {
    db: Db,
    _dir: Option<TempDir>,
    _pg: Option<PostgresTestDatabase>,
}

async fn migrated(url: &str) -> Db {
    let db = Db::connect(url, 4).await.expect("connect");
    db.migrate(&[
        lango_core::db::migrations(),
        lango_notify::migrations(),
        lango_identity::migrations(),
    ])
    .await
    .expect("migrate");
    db
}

impl TestDb {
    async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = migrated(&format!(
            "sqlite://{}/lango.db?mode=rwc",
            dir.path().display()
        ))
        .await;
        TestDb {
            db,
            _dir: Some(dir),
            _pg: None,
        }
    }

    /// `None` when `LANGO_TEST_POSTGRES_URL` is unset.
    async fn postgres() -> Option<TestDb> {
        let pg = PostgresTestDatabase::create().await?;
        Some(TestDb {
            db: migrated(&pg.url).await,
            _dir: None,
            _pg: Some(pg),
        })
    }
}

/// A database, a provider simulator and Lango's provider client discovered from it.
struct Kit {
    db: Db,
    sim: OidcSimulator,
    provider: Provider,
    /// What this test's browser keeps from its latest `begin` (its cookie).
    browser: std::sync::Mutex<String>,
    _guard: TestDb,
}

impl Kit {
    async fn new(t: TestDb) -> Kit {
        let sim = OidcSimulator::start(CLIENT_ID, CLIENT_SECRET, REDIRECT, amina()).await;
        let provider = Provider::discover(OidcSettings {
            issuer_url: sim.issuer.clone(),
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            redirect_url: REDIRECT.into(),
        })
        .await
        .expect("discovery");
        Kit {
            db: t.db.clone(),
            sim,
            provider,
            browser: std::sync::Mutex::new(String::new()),
            _guard: t,
        }
    }

    /// Begins, approves at the provider, and returns the code and state of the callback.
    async fn approved(&self) -> (String, String) {
        let url = self.begin().await;
        self.sim.approve(&url).await
    }

    /// Begins in this test's browser, which keeps the value for its cookie; returns the URL.
    async fn begin(&self) -> String {
        let begun = self.provider.begin(&self.db).await.expect("begin");
        *self.browser.lock().unwrap() = begun.browser;
        begun.url
    }

    async fn finish(&self, code: &str, state: &str) -> Result<(String, String), Refusal> {
        let browser = self.browser.lock().unwrap().clone();
        self.finish_in(&browser, code, state).await
    }

    /// Finishes in a browser that kept `browser` from its own `begin`.
    async fn finish_in(
        &self,
        browser: &str,
        code: &str,
        state: &str,
    ) -> Result<(String, String), Refusal> {
        let client = Client {
            user_agent: "test".into(),
            ip: "127.0.0.1".into(),
        };
        self.provider
            .finish(&self.db, code, state, browser, &client)
            .await
            .expect("no internal error")
    }

    /// A whole sign-in.
    async fn sign_in(&self) -> Result<(String, String), Refusal> {
        let (code, state) = self.approved().await;
        self.finish(&code, &state).await
    }

    async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(self.db.pool())
            .await
            .expect("count")
    }

    async fn linked(&self, subject: &str) -> Option<String> {
        sqlx::query_scalar("SELECT account_id FROM oidc_links WHERE issuer = $1 AND subject = $2")
            .bind(&self.sim.issuer)
            .bind(subject)
            .fetch_optional(self.db.pool())
            .await
            .expect("link")
    }

    /// An account registered the ordinary way, before the provider was used.
    async fn existing(&self, id: &str, id_kind: &str, id_number: &str, email: &str, status: &str) {
        sqlx::query(
            "INSERT INTO accounts (id, kind, id_kind, id_number, given_name, family_name, email, \
             status, language, created_at, updated_at) \
             VALUES ($1, 'citizen', $2, $3, 'Existing', 'Person', $4, $5, 'en', 1, 1)",
        )
        .bind(id)
        .bind(id_kind)
        .bind(id_number)
        .bind(email)
        .bind(status)
        .execute(self.db.pool())
        .await
        .expect("insert account");
    }

    async fn actions(&self, account_id: &str) -> Vec<(String, String)> {
        audit::for_subject(&self.db, account_id, 50)
            .await
            .expect("audit")
            .into_iter()
            .map(|r| (r.action, r.detail))
            .collect()
    }
}

/// Runs each body on SQLite, then on PostgreSQL when configured.
macro_rules! backend_tests {
    ($(async fn $name:ident($kit:ident : Kit) $body:block)*) => {
        $(
            mod $name {
                use super::*;
                async fn run($kit: Kit) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    run(Kit::new(TestDb::sqlite().await).await).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    match TestDb::postgres().await {
                        Some(t) => run(Kit::new(t).await).await,
                        None => eprintln!("LANGO_TEST_POSTGRES_URL is not set: PostgreSQL run skipped"),
                    }
                }
            }
        )*
    };
}

backend_tests! {
    async fn new_person_gets_an_account_link_and_session(kit: Kit) {
        let url = kit.begin().await;
        let parsed = reqwest::Url::parse(&url).expect("url");
        let scope = parsed.query_pairs().find(|(k, _)| k == "scope").expect("scope").1.into_owned();
        for s in ["openid", "profile", "email", "phone"] {
            assert!(scope.split(' ').any(|x| x == s), "scope {s} asked for: {scope}");
        }
        let (code, state) = kit.sim.approve(&url).await;
        let (id, token) = kit.finish(&code, &state).await.expect("signed in");

        let session = session::lookup(&kit.db, &token).await.expect("lookup").expect("live session");
        assert_eq!(session.account_id, id);
        assert!(!session.mfa_pending);

        let a = account::get(&kit.db, &id).await.expect("account");
        assert_eq!(a.kind.as_str(), "citizen");
        assert_eq!(a.status, "active");
        assert_eq!((a.given_name.as_str(), a.family_name.as_str()), ("Amina", "Wanjiru"));
        assert_eq!(a.email.as_deref(), Some("amina.wanjiru@example.org"));
        assert!(a.email_verified, "provider vouched for the e-mail");
        assert_eq!(a.phone.as_deref(), Some("+254712345678"));
        assert!(!a.phone_verified, "provider did not vouch for the phone");
        assert_eq!(a.id_kind, Some(IdKind::NationalId));
        assert_eq!(a.id_number.as_deref(), Some("23456789"));

        assert_eq!(kit.linked("sub-amina-0001").await, Some(id.clone()));
        assert_eq!(kit.count("oidc_pending").await, 0, "state spent");
        let actions = kit.actions(&id).await;
        let detail = format!("oidc {}", kit.sim.issuer);
        assert!(actions.contains(&("session.start".into(), detail.clone())), "{actions:?}");
        assert!(actions.contains(&("account.register".into(), detail)), "{actions:?}");
    }

    async fn same_person_again_gets_the_same_account(kit: Kit) {
        let (first, t1) = kit.sign_in().await.expect("first sign-in");
        let (second, t2) = kit.sign_in().await.expect("second sign-in");
        assert_eq!(first, second);
        assert_ne!(t1, t2);
        assert_eq!(kit.count("accounts").await, 1);
        assert_eq!(kit.count("oidc_links").await, 1);
        assert_eq!(session::list(&kit.db, &first).await.expect("sessions").len(), 2);
        let starts = kit.actions(&first).await.iter().filter(|(a, _)| a == "session.start").count();
        assert_eq!(starts, 2);
    }

    async fn existing_citizen_with_the_national_id_is_linked_not_duplicated(kit: Kit) {
        kit.existing("acc-existing", "national_id", "23456789", "old@example.org", "active").await;
        let (id, token) = kit.sign_in().await.expect("signed in");
        assert_eq!(id, "acc-existing");
        assert_eq!(kit.count("accounts").await, 1);
        assert_eq!(kit.linked("sub-amina-0001").await.as_deref(), Some("acc-existing"));
        let a = account::get(&kit.db, &id).await.expect("account");
        assert_eq!(a.email.as_deref(), Some("old@example.org"), "existing details kept");
        assert_eq!(a.given_name, "Existing");
        assert!(session::lookup(&kit.db, &token).await.expect("lookup").is_some());
        let actions = kit.actions(&id).await;
        assert!(actions.iter().any(|(a, _)| a == "account.link"), "{actions:?}");
        // The link, once made, is what finds the account next time.
        assert_eq!(kit.sign_in().await.expect("again").0, "acc-existing");
    }

    async fn another_document_kind_with_the_same_number_is_not_linked(kit: Kit) {
        kit.existing("acc-alien", "alien_id", "23456789", "alien@example.org", "active").await;
        // One number, one identity: the alien ID account is neither linked by the number
        // alone nor doubled; its owner signs in with its password.
        assert_eq!(kit.sign_in().await, Err(Refusal::HeldByAnotherAccount));
        assert_eq!(kit.count("accounts").await, 1);
        assert_eq!(kit.count("oidc_links").await, 0);
    }

    async fn an_email_held_by_another_account_is_left_off(kit: Kit) {
        kit.existing("acc-other", "passport", "AB123456", "amina.wanjiru@example.org", "active").await;
        let (id, _) = kit.sign_in().await.expect("signed in");
        assert_ne!(id, "acc-other");
        let a = account::get(&kit.db, &id).await.expect("account");
        assert_eq!(a.email, None);
        assert!(!a.email_verified);
        assert_eq!(a.phone.as_deref(), Some("+254712345678"));
    }

    async fn a_person_with_few_claims_gets_a_plain_account(kit: Kit) {
        kit.sim.set_person(TestPerson {
            sub: "sub-bare".into(),
            given_name: "Baraka".into(),
            family_name: "Otieno".into(),
            email: None,
            email_verified: false,
            phone_number: Some("+254700000001".into()),
            phone_number_verified: true,
            national_id: Some("not-a-number".into()),
        });
        let (id, _) = kit.sign_in().await.expect("signed in");
        let a = account::get(&kit.db, &id).await.expect("account");
        assert_eq!((a.email.as_deref(), a.id_kind, a.id_number.as_deref()), (None, None, None));
        assert_eq!(a.phone.as_deref(), Some("+254700000001"));
        assert!(a.phone_verified);
    }

    async fn a_state_begun_in_another_browser_is_refused(kit: Kit) {
        // The attacker begins in their browser and approves as themselves, then sends the
        // victim the callback link; the victim's browser began its own sign-in (or none).
        let (code, state) = kit.approved().await;
        let attacker = kit.browser.lock().unwrap().clone();
        kit.begin().await;
        let victim = kit.browser.lock().unwrap().clone();
        assert_ne!(attacker, victim);
        assert!(!attacker.contains(&state), "the cookie holds a digest, not the state");
        assert_eq!(kit.finish_in(&victim, &code, &state).await, Err(Refusal::OtherBrowser));
        assert_eq!(kit.finish_in("", &code, &state).await, Err(Refusal::UnknownState), "spent");
        assert_eq!(kit.count("sessions").await, 0);
        assert_eq!(kit.count("accounts").await, 0);
        // A browser without the cookie is refused too; the right browser finishes.
        let (code, state) = kit.approved().await;
        let mine = kit.browser.lock().unwrap().clone();
        let (code2, state2) = kit.approved().await;
        assert_eq!(kit.finish_in("", &code2, &state2).await, Err(Refusal::OtherBrowser));
        kit.finish_in(&mine, &code, &state).await.expect("the browser that began it signs in");
        assert_eq!(kit.count("sessions").await, 1);
    }

    async fn a_reused_state_is_refused(kit: Kit) {
        let (code, state) = kit.approved().await;
        kit.finish(&code, &state).await.expect("first use");
        assert_eq!(kit.finish(&code, &state).await, Err(Refusal::UnknownState));
        assert_eq!(kit.count("sessions").await, 1);
    }

    async fn an_unknown_or_expired_state_is_refused(kit: Kit) {
        let (code, state) = kit.approved().await;
        assert_eq!(kit.finish(&code, "made-up-state").await, Err(Refusal::UnknownState));
        assert_eq!(kit.count("sessions").await, 0);
        // Someone else's guess does not spend the real state.
        kit.finish(&code, &state).await.expect("real state still works");

        let (code, state) = kit.approved().await;
        sqlx::query("UPDATE oidc_pending SET created_at = created_at - $1")
            .bind(11 * 60 * 1000_i64)
            .execute(kit.db.pool())
            .await
            .expect("age the state");
        assert_eq!(kit.finish(&code, &state).await, Err(Refusal::UnknownState));
        assert_eq!(kit.count("oidc_pending").await, 0);
    }

    async fn a_code_the_provider_does_not_know_is_refused(kit: Kit) {
        let (_, state) = kit.approved().await;
        assert_eq!(kit.finish("code-forged", &state).await, Err(Refusal::CodeRefused));
        assert_eq!(kit.count("accounts").await, 0);
    }

    async fn a_wrong_nonce_is_refused(kit: Kit) {
        kit.sim.set_switches(Switches { wrong_nonce: true, ..Switches::default() });
        assert_eq!(kit.sign_in().await, Err(Refusal::TokenInvalid));
        assert_eq!(kit.count("accounts").await, 0);
        assert_eq!(kit.count("oidc_links").await, 0);
        assert_eq!(kit.count("sessions").await, 0);
        assert_eq!(kit.count("oidc_pending").await, 0, "a refused state is spent too");
    }

    async fn a_token_signed_by_another_key_is_refused(kit: Kit) {
        kit.sim.set_switches(Switches { foreign_key: true, ..Switches::default() });
        assert_eq!(kit.sign_in().await, Err(Refusal::TokenInvalid));
        assert_eq!(kit.count("accounts").await, 0);
        assert_eq!(kit.count("sessions").await, 0);
        // The same flow with the real key succeeds, so the refusal was the signature.
        kit.sim.set_switches(Switches::default());
        assert!(kit.sign_in().await.is_ok());
    }

    async fn an_expired_token_is_refused(kit: Kit) {
        kit.sim.set_switches(Switches { expired: true, ..Switches::default() });
        assert_eq!(kit.sign_in().await, Err(Refusal::TokenInvalid));
        assert_eq!(kit.count("sessions").await, 0);
    }

    async fn a_disabled_account_is_refused_and_not_linked(kit: Kit) {
        kit.existing("acc-disabled", "national_id", "23456789", "d@example.org", "disabled").await;
        assert_eq!(kit.sign_in().await, Err(Refusal::Disabled));
        assert_eq!(kit.count("oidc_links").await, 0);
        assert_eq!(kit.count("sessions").await, 0);
    }
}

#[test]
fn settings_debug_hides_the_secret() {
    let s = OidcSettings {
        issuer_url: "https://id.example".into(),
        client_id: "lango".into(),
        client_secret: "very-secret-value".into(),
        redirect_url: REDIRECT.into(),
    };
    let shown = format!("{s:?}");
    assert!(!shown.contains("very-secret-value"), "{shown}");
    assert!(shown.contains("lango"));
}
