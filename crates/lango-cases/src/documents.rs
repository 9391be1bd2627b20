//! Where documents live: an object store (local directory by default, S3-compatible by
//! configuration), each stored once under its content's SHA-256.

pub mod content;

use crate::definition::FileAnswer;
use crate::service::Refusal;
use content::{sniff, Kind, Verdict};
use lango_core::{Error, Result};
use object_store::path::Path as StorePath;
use object_store::{ObjectStore, PutPayload};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// Largest upload any field may allow, KiB.
pub const MAX_KB_CAP: u32 = 10_240;
/// A field's limit when its definition names none, KiB.
pub const DEFAULT_MAX_KB: u32 = 5_120;
/// The kinds a field accepts when its definition names none.
pub const DEFAULT_ACCEPT: [&str; 3] = ["pdf", "jpeg", "png"];

/// The document store.
#[derive(Clone)]
pub struct Documents {
    store: Arc<dyn ObjectStore>,
    /// The signing key once read (or created) in the database: see `outputs::signing_key`.
    pub(crate) key: Arc<tokio::sync::OnceCell<Vec<u8>>>,
}

/// Where a URL says documents live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A local directory.
    Directory(std::path::PathBuf),
    /// An S3-compatible bucket, with a key prefix (perhaps empty).
    S3 {
        /// The bucket.
        bucket: String,
        /// Keys start with this (no leading or trailing `/`).
        prefix: String,
    },
}

/// Reads a store URL: a path, `file:///path`, or `s3://bucket/prefix`.
pub fn parse_location(url: &str) -> Result<Location> {
    let url = url.trim();
    if let Some(rest) = url.strip_prefix("s3://") {
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let valid = !bucket.is_empty()
            && bucket
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
        if !valid {
            return Err(Error::invalid(
                "object_store_url",
                format!("{url:?}: not a valid S3 bucket name"),
            ));
        }
        return Ok(Location::S3 {
            bucket: bucket.to_string(),
            prefix: prefix.trim_matches('/').to_string(),
        });
    }
    if let Some(path) = url.strip_prefix("file://") {
        if !path.starts_with('/') {
            return Err(Error::invalid(
                "object_store_url",
                format!("{url:?}: a file URL needs an absolute path (file:///…)"),
            ));
        }
        return Ok(Location::Directory(path.into()));
    }
    if url.is_empty() || url.contains("://") {
        return Err(Error::invalid(
            "object_store_url",
            format!("{url:?}: expected a directory, file:///… or s3://bucket/prefix"),
        ));
    }
    Ok(Location::Directory(url.into()))
}

/// The key a content is stored under: `sha256/ab/abcdef…`.
pub fn key_of(sha256: &str) -> String {
    format!("sha256/{}/{sha256}", &sha256[..2.min(sha256.len())])
}

/// A file name fit to show: no directories, no control or direction-changing characters,
/// at most 100 characters (the extension kept when shortened).
pub fn display_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        .collect();
    let clean = clean.trim().trim_start_matches('.').trim().to_string();
    if clean.is_empty() {
        return "document".to_string();
    }
    let chars: Vec<char> = clean.chars().collect();
    if chars.len() <= 100 {
        return clean;
    }
    let ext: String = match clean.rfind('.') {
        Some(i) if clean.len() - i <= 10 => clean[i..].to_string(),
        _ => String::new(),
    };
    let keep = 100 - ext.chars().count();
    chars[..keep].iter().collect::<String>() + &ext
}

/// The SHA-256 of `bytes`, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn store_error(e: object_store::Error) -> Error {
    Error::Internal(format!("document store: {e}"))
}

impl Documents {
    /// Opens the store at `url`: a path or `file:///…` for a local directory, `s3://bucket/prefix` for S3.
    pub fn open(url: &str) -> Result<Documents> {
        Documents::open_with(url, &[])
    }

    /// As [`Documents::open`], with S3 options (object_store's names, e.g. `aws_endpoint`)
    /// over those the AWS_* environment gives.
    pub fn open_with(url: &str, s3_options: &[(String, String)]) -> Result<Documents> {
        let store: Arc<dyn ObjectStore> = match parse_location(url)? {
            Location::Directory(dir) => {
                std::fs::create_dir_all(&dir).map_err(|e| {
                    Error::Internal(format!("cannot create {}: {e}", dir.display()))
                })?;
                Arc::new(
                    object_store::local::LocalFileSystem::new_with_prefix(&dir)
                        .map_err(store_error)?,
                )
            }
            Location::S3 { bucket, prefix } => {
                // Credentials, region and endpoint (MinIO, Ceph…) from the usual AWS_* variables.
                let mut s3 = object_store::aws::AmazonS3Builder::from_env();
                for (key, value) in s3_options {
                    let key = key.parse().map_err(|_| {
                        Error::invalid("object_store_url", format!("unknown S3 option {key:?}"))
                    })?;
                    s3 = s3.with_config(key, value);
                }
                let s3 = s3.with_bucket_name(bucket).build().map_err(store_error)?;
                if prefix.is_empty() {
                    Arc::new(s3)
                } else {
                    Arc::new(object_store::prefix::PrefixStore::new(s3, prefix.as_str()))
                }
            }
        };
        Ok(Documents {
            store,
            key: Arc::new(tokio::sync::OnceCell::new()),
        })
    }

    /// Checks `bytes` on their content (type among `accept`: `pdf`, `jpeg`, `png`; at most
    /// `max_kb` KiB; not empty) and stores them by hash. Does not record who may read it:
    /// the caller links the returned answer to an application.
    pub async fn put(
        &self,
        name: &str,
        bytes: Vec<u8>,
        accept: &[String],
        max_kb: u32,
    ) -> Result<std::result::Result<FileAnswer, Refusal>> {
        let kind = match check(&bytes, accept, max_kb) {
            Ok(kind) => kind,
            Err(refusal) => return Ok(Err(refusal)),
        };
        Ok(Ok(self
            .put_checked(name, bytes, kind.content_type())
            .await?))
    }

    /// Stores content Lango made itself (an issued document), whose type it knows.
    pub(crate) async fn put_checked(
        &self,
        name: &str,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<FileAnswer> {
        let sha256 = sha256_hex(&bytes);
        let size = bytes.len() as u64;
        let key = StorePath::from(key_of(&sha256));
        // Content-addressed: what is there under this key is this content already.
        match self.store.head(&key).await {
            Ok(_) => {}
            Err(object_store::Error::NotFound { .. }) => {
                self.store
                    .put(&key, PutPayload::from(bytes))
                    .await
                    .map_err(store_error)?;
            }
            Err(e) => return Err(store_error(e)),
        }
        Ok(FileAnswer {
            id: uuid::Uuid::now_v7().to_string(),
            name: display_name(name),
            content_type: content_type.to_string(),
            size,
            sha256,
        })
    }

    /// The content stored under `sha256`.
    pub async fn get(&self, sha256: &str) -> Result<Vec<u8>> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::NotFound("document".into()));
        }
        let key = StorePath::from(key_of(sha256));
        let got = match self.store.get(&key).await {
            Ok(g) => g,
            Err(object_store::Error::NotFound { .. }) => {
                return Err(Error::NotFound("document".into()))
            }
            Err(e) => return Err(store_error(e)),
        };
        let bytes = got.bytes().await.map_err(store_error)?;
        Ok(bytes.to_vec())
    }

    /// True when content with this hash is stored.
    pub async fn has(&self, sha256: &str) -> Result<bool> {
        match self.store.head(&StorePath::from(key_of(sha256))).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(store_error(e)),
        }
    }
}

/// The content checks of an upload, in the order the applicant can act on them: nothing
/// sent, too large, then not an allowed kind (judged by content; active PDFs never are).
pub fn check(bytes: &[u8], accept: &[String], max_kb: u32) -> std::result::Result<Kind, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    let limit_kb = if max_kb == 0 {
        DEFAULT_MAX_KB
    } else {
        max_kb.min(MAX_KB_CAP)
    };
    if bytes.len() as u64 > u64::from(limit_kb) * 1024 {
        return Err(Refusal::TooLarge { limit_kb });
    }
    let kind = match sniff(bytes) {
        Verdict::Is(kind) => kind,
        Verdict::ActivePdf | Verdict::Unknown => return Err(Refusal::WrongType),
    };
    let allowed = if accept.is_empty() {
        DEFAULT_ACCEPT.contains(&kind.accept_name())
    } else {
        accept
            .iter()
            .any(|a| a == kind.accept_name() || (kind == Kind::Jpeg && a == "jpg"))
    };
    if allowed {
        Ok(kind)
    } else {
        Err(Refusal::WrongType)
    }
}

#[cfg(test)]
mod tests {
    use super::content::samples;
    use super::*;

    #[test]
    fn store_urls_are_parsed() {
        assert_eq!(
            parse_location("s3://lango-docs/kenya/prod/").unwrap(),
            Location::S3 {
                bucket: "lango-docs".into(),
                prefix: "kenya/prod".into()
            }
        );
        assert_eq!(
            parse_location("s3://bucket").unwrap(),
            Location::S3 {
                bucket: "bucket".into(),
                prefix: String::new()
            }
        );
        assert_eq!(
            parse_location("file:///var/lango/documents").unwrap(),
            Location::Directory("/var/lango/documents".into())
        );
        assert_eq!(
            parse_location("./lango-data/documents").unwrap(),
            Location::Directory("./lango-data/documents".into())
        );
        for bad in [
            "s3://",
            "s3://Bad_Bucket/x",
            "gs://bucket",
            "file://relative",
            "",
        ] {
            assert!(parse_location(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_are_made_safe_to_show() {
        assert_eq!(display_name("../../etc/passwd"), "passwd");
        assert_eq!(display_name("C:\\Users\\me\\id.pdf"), "id.pdf");
        assert_eq!(display_name("a\u{0}b\u{202E}fdp.exe"), "abfdp.exe");
        assert_eq!(display_name(""), "document");
        assert_eq!(display_name("..."), "document");
        let long = format!("{}.pdf", "x".repeat(300));
        let shown = display_name(&long);
        assert_eq!(shown.chars().count(), 100);
        assert!(shown.ends_with(".pdf"));
    }

    #[test]
    fn checks_come_from_the_content() {
        let all: Vec<String> = vec![];
        let pdf_only = vec!["pdf".to_string()];
        assert!(matches!(check(&[], &all, 0), Err(Refusal::Empty)));
        assert!(matches!(
            check(&samples::png(), &pdf_only, 0),
            Err(Refusal::WrongType)
        ));
        assert!(matches!(
            check(b"MZ\x90\0\x03", &all, 0),
            Err(Refusal::WrongType)
        ));
        assert!(matches!(
            check(&samples::pdf(), &pdf_only, 0),
            Ok(Kind::Pdf)
        ));
        let big = vec![0u8; 2 * 1024 + 1];
        assert!(matches!(
            check(&big, &all, 2),
            Err(Refusal::TooLarge { limit_kb: 2 })
        ));
        let huge = vec![0u8; 10_240 * 1024 + 1];
        assert!(matches!(
            check(&huge, &all, 50_000),
            Err(Refusal::TooLarge { limit_kb: 10_240 })
        ));
    }

    #[tokio::test]
    async fn the_same_content_is_stored_once() {
        let dir = tempfile::tempdir().unwrap();
        let docs = Documents::open(&dir.path().display().to_string()).unwrap();
        let a = docs
            .put("a.png", samples::png(), &[], 0)
            .await
            .unwrap()
            .unwrap();
        let b = docs
            .put("b.png", samples::png(), &[], 0)
            .await
            .unwrap()
            .unwrap();
        assert_ne!(a.id, b.id);
        assert_eq!(a.sha256, b.sha256);
        assert_eq!(a.content_type, "image/png");
        assert_eq!(docs.get(&a.sha256).await.unwrap(), samples::png());
        let files = walk(dir.path());
        assert_eq!(files, 1, "one object for two uploads of the same content");
        assert!(docs
            .put("x.pdf", samples::png(), &["pdf".into()], 0)
            .await
            .unwrap()
            .is_err());
        assert_eq!(walk(dir.path()), 1, "a refused upload stores nothing");
        assert!(matches!(
            docs.get(&"0".repeat(64)).await,
            Err(Error::NotFound(_))
        ));
        assert!(matches!(
            docs.get("../../etc/passwd").await,
            Err(Error::NotFound(_))
        ));
    }

    fn walk(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                if e.file_type().unwrap().is_dir() {
                    walk(&e.path())
                } else {
                    1
                }
            })
            .sum()
    }
}
