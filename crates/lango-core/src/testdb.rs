//! Test support (feature `test-support`): a PostgreSQL database of a test's own, created on
//! the server named by `LANGO_TEST_POSTGRES_URL` and dropped when the guard is dropped.

/// A fresh PostgreSQL database, dropped (`WITH (FORCE)`) on drop.
pub struct PostgresTestDatabase {
    /// The URL to connect to it.
    pub url: String,
    admin: String,
    name: String,
}

/// True when `LANGO_REQUIRE_POSTGRES` is set (to anything but `0` or empty), as CI sets it:
/// a PostgreSQL run that cannot happen then fails instead of being skipped.
pub fn postgres_required() -> bool {
    std::env::var("LANGO_REQUIRE_POSTGRES").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// The server tests create their databases on (`LANGO_TEST_POSTGRES_URL`); `None` when it
/// is not set. Panics when it is not set and [`postgres_required`].
pub fn postgres_url() -> Option<String> {
    url_or_skip(
        std::env::var("LANGO_TEST_POSTGRES_URL").ok(),
        postgres_required(),
    )
}

/// The named server, or `None` (a failure instead when `required`).
fn url_or_skip(url: Option<String>, required: bool) -> Option<String> {
    match url {
        Some(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                !required,
                "LANGO_REQUIRE_POSTGRES is set but LANGO_TEST_POSTGRES_URL is not: \
                 the PostgreSQL run cannot happen"
            );
            None
        }
    }
}

/// Says a PostgreSQL run was skipped, or fails the test when [`postgres_required`].
pub fn skip_postgres() {
    skip(postgres_required())
}

fn skip(required: bool) {
    assert!(
        !required,
        "LANGO_REQUIRE_POSTGRES is set but no PostgreSQL test database could be made"
    );
    eprintln!("LANGO_TEST_POSTGRES_URL is not set: PostgreSQL run skipped");
}

impl PostgresTestDatabase {
    /// Creates one; `None` when `LANGO_TEST_POSTGRES_URL` is not set (a failure instead when
    /// `LANGO_REQUIRE_POSTGRES` is set). A server that does not answer is always a failure.
    pub async fn create() -> Option<PostgresTestDatabase> {
        Self::create_on(postgres_url()?).await
    }

    /// Creates one on the server `admin` names; panics when it does not answer.
    async fn create_on(admin: String) -> Option<PostgresTestDatabase> {
        let name = format!("lango_t_{}", uuid::Uuid::new_v4().simple());
        sqlx::any::install_default_drivers();
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "cannot connect to LANGO_TEST_POSTGRES_URL (no PostgreSQL for the test): {e}"
                )
            });
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create a test database");
        Some(PostgresTestDatabase {
            url: with_database(&admin, &name),
            admin,
            name,
        })
    }
}

/// `url` with its database name replaced by `name` (query parameters kept).
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let slash = base
        .rfind('/')
        .filter(|i| *i > "postgres://".len())
        .unwrap_or(base.len());
    let mut out = format!("{}/{name}", &base[..slash]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

impl Drop for PostgresTestDatabase {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        // Drop runs inside the test's runtime: do the async clean-up on a thread of its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                if let Ok(mut conn) =
                    <sqlx::AnyConnection as sqlx::Connection>::connect(&admin).await
                {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                }
            });
        })
        .join();
    }
}

#[cfg(test)]
mod tests {
    /// Read from the environment by the public functions; tested here without changing it
    /// (other tests of this binary read it at the same time).
    #[test]
    fn a_required_postgres_run_fails_instead_of_skipping() {
        use super::{skip, url_or_skip};
        assert_eq!(url_or_skip(None, false), None, "skipped when not required");
        assert_eq!(url_or_skip(Some(String::new()), false), None);
        skip(false);
        let missing = std::panic::catch_unwind(|| url_or_skip(None, true)).unwrap_err();
        let message = missing
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| missing.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        assert!(message.contains("LANGO_REQUIRE_POSTGRES"), "{message}");
        assert!(std::panic::catch_unwind(|| skip(true)).is_err());
        assert_eq!(
            url_or_skip(Some("postgres://x".into()), true).as_deref(),
            Some("postgres://x")
        );
        // A server named but not answering fails the test.
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let unreachable = std::thread::spawn(move || {
            rt.block_on(super::PostgresTestDatabase::create_on(
                "postgres://nobody@127.0.0.1:1/postgres".into(),
            ))
            .is_some()
        })
        .join();
        assert!(unreachable.is_err(), "an unreachable server fails");
    }

    #[test]
    fn database_names_are_replaced() {
        use super::with_database;
        assert_eq!(
            with_database("postgres://u@h:5432/postgres", "t"),
            "postgres://u@h:5432/t"
        );
        assert_eq!(
            with_database("postgres://u@h/postgres?sslmode=disable", "t"),
            "postgres://u@h/t?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h", "t"), "postgres://u@h/t");
    }
}
