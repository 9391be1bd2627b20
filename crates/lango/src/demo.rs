//! The demo country: a realistic Kenyan catalogue and the credentials file.

use anyhow::Context;
use lango_catalogue::service::{import_agencies, import_services};
use lango_core::db::Db;
use std::path::Path;

/// Demo agencies (embedded).
pub const AGENCIES_CSV: &str = include_str!("../demo/agencies.csv");
/// Demo services (embedded).
pub const SERVICES_CSV: &str = include_str!("../demo/services.csv");
/// The demo paybill (`BusinessShortCode`).
pub const PAYBILL: &str = "222222";

/// Services featured on the demo home page.
pub fn popular() -> Vec<String> {
    [
        "DIS-PASSPORT",
        "DCI-GOOD-CONDUCT",
        "BRS-BUSINESS-NAME",
        "NTSA-DL-RENEW",
        "CRS-BIRTH-CERT-COPY",
        "CG-NBI-SBP",
        "CG-NBI-LAND-RATES",
        "HELB-LOAN",
    ]
    .map(String::from)
    .to_vec()
}

/// Loads (or refreshes) the demo catalogue; running it twice changes nothing.
pub async fn load(db: &Db) -> anyhow::Result<(usize, usize)> {
    let agencies = import_agencies(db, AGENCIES_CSV.as_bytes()).await?;
    let services = import_services(db, SERVICES_CSV.as_bytes(), &mut |_, _| {}).await?;
    if let Some(r) = agencies.rejected.first().or(services.rejected.first()) {
        anyhow::bail!("demo data refused at line {}: {}", r.line, r.reason);
    }
    Ok((
        agencies.created + agencies.updated,
        services.created + services.updated,
    ))
}

/// Writes `demo-credentials.json` so that a newcomer or a test can act at once.
pub fn write_credentials(data_dir: &Path, portal: &str) -> anyhow::Result<()> {
    let body = serde_json::json!({
        "portal": portal,
        "paybill": PAYBILL,
        "accounts": [],
        "api_keys": [],
        "note": "Demo accounts and agency API keys are listed here once sign-in is part of Lango."
    });
    let path = data_dir.join("demo-credentials.json");
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    std::fs::write(&path, serde_json::to_string_pretty(&body)?)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
