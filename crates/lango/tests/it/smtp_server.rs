//! A real SMTP server for the e-mail tests: Python's aiosmtpd on a free loopback port, with
//! the handler in `smtp_sink.py` writing every message it receives to a file as JSON.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// One e-mail as the server received it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Received {
    /// The envelope's recipients.
    pub rcpt_tos: Vec<String>,
    /// The From header.
    pub from: String,
    /// The Subject header, decoded.
    pub subject: String,
    /// The plain-text body, decoded.
    pub body: String,
}

/// A running aiosmtpd, stopped when dropped.
pub struct SmtpServer {
    /// Its port on 127.0.0.1.
    pub port: u16,
    child: Child,
    out: PathBuf,
    _dir: tempfile::TempDir,
}

impl SmtpServer {
    /// True when Python has aiosmtpd. When it has not, says how to install it and answers
    /// false (the e-mail test is skipped), or fails when `LANGO_REQUIRE_SMTP` is set, as CI
    /// does, so that a missing server never passes silently there.
    pub fn available() -> bool {
        python_has(
            "aiosmtpd",
            "LANGO_REQUIRE_SMTP",
            "python3 -m pip install aiosmtpd",
        )
    }

    /// Starts aiosmtpd (`pip install aiosmtpd`) and waits until it accepts connections.
    pub async fn start() -> SmtpServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("mail.jsonl");
        // A free port: bind, read it, let go (the server takes it a moment later).
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let here = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it");
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "smtp_sink.Sink"])
            .arg(&out)
            .env("PYTHONPATH", here)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 with aiosmtpd (pip install aiosmtpd)");
        let server = SmtpServer {
            port,
            child,
            out,
            _dir: dir,
        };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("aiosmtpd did not start on port {port}");
    }

    /// The settings that point Lango at this server.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("LANGO_SMTP_URL", format!("smtp://127.0.0.1:{}", self.port)),
            (
                "LANGO_EMAIL_FROM",
                "Lango <no-reply@lango.test>".to_string(),
            ),
        ]
    }

    /// Every e-mail received so far.
    pub fn received(&self) -> Vec<Received> {
        std::fs::read_to_string(&self.out)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("sink writes JSON lines"))
            .collect()
    }

    /// Waits (ten seconds at most) for an e-mail to `to` whose body contains `text`.
    pub async fn wait_for(&self, to: &str, text: &str) -> Received {
        for _ in 0..100 {
            if let Some(m) = self
                .received()
                .into_iter()
                .find(|m| m.rcpt_tos.iter().any(|r| r == to) && m.body.contains(text))
            {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "no e-mail to {to} containing {text:?}: {:?}",
            self.received()
        );
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// True when python3 can import `modules` (a real server the tests start). When it cannot,
/// says which command installs them and answers false (the test is skipped), or fails when
/// `require` is set in the environment, as CI does, so a missing part never passes silently.
pub fn python_has(modules: &str, require: &str, install: &str) -> bool {
    let present = Command::new("python3")
        .args(["-c", &format!("import {modules}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !present {
        assert!(
            std::env::var_os(require).is_none(),
            "{require} is set but python3 has no {modules} ({install})"
        );
        eprintln!("{modules} missing: test skipped (install it with `{install}`)");
    }
    present
}
