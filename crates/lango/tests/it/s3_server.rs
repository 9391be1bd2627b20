//! A real S3-compatible server for the document-store tests: moto's server (from PyPI,
//! `python3 -m pip install 'moto[server]'`) on a free loopback port.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running moto server, stopped when dropped.
pub struct S3Server {
    /// `http://127.0.0.1:PORT`
    pub endpoint: String,
    child: Child,
}

impl S3Server {
    /// True when Python has moto's server. When it has not, says how to install it and
    /// answers false (the test is skipped), or fails when `LANGO_REQUIRE_S3` is set, as CI
    /// does, so that a missing server never passes silently there.
    pub fn available() -> bool {
        crate::smtp_server::python_has(
            "moto.server, flask",
            "LANGO_REQUIRE_S3",
            "python3 -m pip install 'moto[server]'",
        )
    }

    /// Starts moto's server and waits until it answers.
    pub async fn start() -> S3Server {
        // A free port: bind, read it, let go (the server takes it a moment later).
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let child = Command::new("python3")
            .args(["-m", "moto.server", "-H", "127.0.0.1", "-p"])
            .arg(port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 with moto (pip install 'moto[server]')");
        let server = S3Server {
            endpoint: format!("http://127.0.0.1:{port}"),
            child,
        };
        let client = reqwest::Client::new();
        for _ in 0..150 {
            if client.get(&server.endpoint).send().await.is_ok() {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("moto did not start on port {port}");
    }

    /// Creates `bucket` (moto's server takes unsigned requests).
    pub async fn create_bucket(&self, bucket: &str) {
        let res = reqwest::Client::new()
            .put(format!("{}/{bucket}", self.endpoint))
            .send()
            .await
            .expect("create bucket");
        assert!(res.status().is_success(), "create bucket: {}", res.status());
    }

    /// The object at `key` in `bucket`, when there is one, read straight from the server.
    pub async fn object(&self, bucket: &str, key: &str) -> Option<Vec<u8>> {
        // moto refuses anonymous reads of private objects but does not check signatures.
        let res = reqwest::Client::new()
            .get(format!("{}/{bucket}/{key}", self.endpoint))
            .header(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=lango-test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0",
            )
            .send()
            .await
            .expect("get object");
        if res.status().as_u16() == 404 {
            return None;
        }
        assert!(res.status().is_success(), "get object: {}", res.status());
        Some(res.bytes().await.expect("object body").to_vec())
    }

    /// The options that point the document store at this server.
    pub fn options(&self) -> Vec<(String, String)> {
        [
            ("aws_endpoint", self.endpoint.as_str()),
            ("aws_allow_http", "true"),
            ("aws_access_key_id", "lango-test"),
            ("aws_secret_access_key", "lango-test-secret"),
            ("aws_region", "us-east-1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
