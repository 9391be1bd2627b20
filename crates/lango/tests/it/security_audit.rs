//! The audit chain against someone with database access: an old record rewritten together
//! with every hash after it passes the chain check, and is caught by the signed hourly
//! checkpoint of the chain's head; a checkpoint rewritten to match is caught by its
//! signature.

use crate::backend_tests;
use lango_core::audit::{self, Entry};
use sha2::{Digest, Sha256};
use sqlx::Row;

/// The chain's hash of a record, as `lango_core::audit` computes it (the attacker knows it).
fn chain_hash(prev: &str, seq: i64, at: i64, fields: &[String]) -> String {
    let mut h = Sha256::new();
    let field = |h: &mut Sha256, s: &str| {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s.as_bytes());
    };
    field(&mut h, prev);
    h.update(seq.to_be_bytes());
    h.update(at.to_be_bytes());
    for f in fields {
        field(&mut h, f);
    }
    hex::encode(h.finalize())
}

/// Rewrites record `seq`'s detail and re-hashes it and every record after it, consistently.
async fn rewrite(db: &lango_core::db::Db, seq: i64, detail: &str) {
    let rows = sqlx::query(
        "SELECT seq, at, actor, action, object, subject, detail, prev_hash FROM audit_log \
         WHERE seq >= $1 ORDER BY seq",
    )
    .bind(seq)
    .fetch_all(db.pool())
    .await
    .unwrap();
    let mut prev: String = rows[0].try_get("prev_hash").unwrap();
    for r in &rows {
        let s: i64 = r.try_get("seq").unwrap();
        let mut fields: Vec<String> = ["actor", "action", "object", "subject", "detail"]
            .iter()
            .map(|c| r.try_get::<String, _>(*c).unwrap())
            .collect();
        if s == seq {
            fields[4] = detail.to_string();
        }
        let hash = chain_hash(&prev, s, r.try_get("at").unwrap(), &fields);
        sqlx::query("UPDATE audit_log SET detail = $1, prev_hash = $2, hash = $3 WHERE seq = $4")
            .bind(&fields[4])
            .bind(&prev)
            .bind(&hash)
            .bind(s)
            .execute(db.pool())
            .await
            .unwrap();
        prev = hash;
    }
}

backend_tests! {
    async fn a_rewritten_audit_log_fails_on_its_signed_checkpoint(app: TestApp) {
        // The node signs the head when it starts (then every hour).
        app.eventually("the node records a checkpoint", || async {
            app.count("audit_checkpoints").await >= 1
        })
        .await;
        let db = app.db().await;
        for i in 0..3 {
            let detail = format!("later record {i}");
            let e = Entry { actor: "cli", action: "test.later", object: "test:x", subject: "", detail: &detail };
            audit::record(&db, e).await.unwrap();
        }
        let clean = app.cli(&["audit", "verify"]);
        let out = String::from_utf8_lossy(&clean.stdout).to_string();
        assert!(clean.status.success(), "{out}");
        assert!(out.contains("audit checkpoints: 1 checked, 0 faults"), "{out}");

        // Record 1 rewritten with every hash after it: the chain alone sees nothing wrong.
        rewrite(&db, 1, "nothing happened here").await;
        let (_, chain_faults) = audit::verify(&db, audit::AUDIT, &mut |_, _| {}).await.unwrap();
        assert!(chain_faults.is_empty(), "a consistent rewrite passes the chain: {chain_faults:?}");
        let caught = app.cli(&["audit", "verify"]);
        let out = String::from_utf8_lossy(&caught.stdout).to_string();
        assert!(!caught.status.success(), "{out}");
        assert!(out.contains("no longer has the hash its signed checkpoint holds"), "{out}");

        // The checkpoint rewritten to match: its signature is not the platform key's.
        let seq: i64 = sqlx::query_scalar("SELECT seq FROM audit_checkpoints").fetch_one(db.pool()).await.unwrap();
        sqlx::query("UPDATE audit_checkpoints SET hash = (SELECT hash FROM audit_log WHERE seq = $1) WHERE seq = $1")
            .bind(seq)
            .execute(db.pool())
            .await
            .unwrap();
        db.close().await;
        let forged = app.cli(&["audit", "verify"]);
        let out = String::from_utf8_lossy(&forged.stdout).to_string();
        assert!(!forged.status.success(), "{out}");
        assert!(out.contains("is not signed by the platform key"), "{out}");
    }
}
