//! The server process a benchmark measures: this binary's hidden `serve-child` command on
//! a free loopback port, with the benchmark's settings in its environment.

use std::process::{Child, Command};
use std::time::Duration;

/// A running server: its address and process, stopped with SIGTERM when dropped.
pub struct Server {
    /// `127.0.0.1:PORT`.
    pub addr: String,
    child: Child,
}

impl Server {
    /// Starts a server on `db_url` with `data_dir`, plus `env`, and waits until it listens.
    pub async fn start(
        db_url: Option<&str>,
        data_dir: &std::path::Path,
        env: &[(&str, &str)],
    ) -> anyhow::Result<Server> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let addr = format!("127.0.0.1:{port}");
        let mut command = Command::new(std::env::current_exe()?);
        command
            .arg("serve-child")
            .env("LANGO_LISTEN", &addr)
            .env("LANGO_DATA_DIR", data_dir)
            .env("LANGO_DB_MAX_CONNECTIONS", "16")
            // LANGO_BENCH_LOG shows the server's own log (`lango_payments=debug`, say).
            .env(
                "LANGO_LOG",
                std::env::var("LANGO_BENCH_LOG").unwrap_or_else(|_| "warn".into()),
            );
        if let Some(url) = db_url {
            command.env("LANGO_DATABASE_URL", url);
        }
        for (k, v) in env {
            command.env(k, v);
        }
        let child = command.spawn()?;
        let server = Server { addr, child };
        for _ in 0..600 {
            if tokio::net::TcpStream::connect(&server.addr).await.is_ok() {
                return Ok(server);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        anyhow::bail!("server did not start")
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}
