//! A simulator of FPX, Malaysia's online banking gateway, speaking its message format:
//! `application/x-www-form-urlencoded` name–value pairs, each message signed in
//! `fpx_checkSum` (RSA PKCS#1 v1.5 over SHA-256, upper-case hex, over the other fields'
//! values in order of their names, joined by `|`).
//!
//! - `POST /FPXMain/RetrieveBankList` (`BE`, signed by the seller) answers the bank list
//!   (`fpx_bankList=ABB0233~A,…`; `A` online, `B` offline), signed.
//! - `POST /FPXMain/seller2DReceiver.jsp` (`AR`, the payer's browser posts the seller's
//!   signed request) shows the bank's page: approve, approve later (pending), insufficient
//!   funds, or cancel. A request with a bad signature, another seller's id, an amount outside
//!   RM 1.00–30,000.00 or an offline bank is refused on the page.
//! - On the payer's decision the gateway sends the signed confirmation (`AC`) *direct* to
//!   the seller (retried with doubling delays until the seller answers `OK`), and shows the
//!   payer a button that posts the same confirmation *indirect* to the seller through their
//!   browser.
//! - `POST /FPXMain/sellerNVPTxnStatus.jsp` (`AE`) answers a transaction's confirmation
//!   (`09` while the payer is still at the bank, `76` for one the gateway never saw).
//! - `GET /FPXMain/settlement/{YYYYMMDD}` is that day's settlement report (CSV).
//!
//! Each simulator makes its own key pair and one for its seller, as FPX issues a seller's
//! certificate; [`FpxSimulator::config`] is Lango's configuration to use it.

mod pages;

use lango_core::config::FpxConfig;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::sha2::Sha256;
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::{RsaPrivateKey, RsaPublicKey};
use secrecy::SecretString;
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

/// The banks the simulator lists (FPX's B2C codes).
pub const BANKS: &[(&str, &str)] = &[
    ("ABB0233", "Affin Bank"),
    ("AMBB0209", "AmBank"),
    ("BIMB0340", "Bank Islam"),
    ("BKRM0602", "Bank Rakyat"),
    ("BSN0601", "BSN"),
    ("BCBB0235", "CIMB Clicks"),
    ("HLB0224", "Hong Leong Bank"),
    ("MB2U0227", "Maybank2U"),
    ("PBB0233", "Public Bank"),
    ("RHB0218", "RHB Bank"),
];

/// How the simulator starts.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The seller's exchange id.
    pub exchange_id: String,
    /// The seller's id.
    pub seller_id: String,
    /// Where direct confirmations go (the seller's `/channels/fpx/direct`).
    pub direct_url: String,
    /// Where the payer's browser takes the indirect confirmation (`/channels/fpx/indirect`).
    pub indirect_url: String,
    /// Where to listen; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Banks listed offline (`B`).
    pub offline: Vec<String>,
    /// The first retry delay of a direct confirmation; it doubles on each failure (capped at 5 s).
    pub backoff: Duration,
    /// The most attempts at one direct confirmation.
    pub max_attempts: u32,
}

impl Settings {
    /// Settings for a seller whose base URL is `seller`, on a free loopback port.
    pub fn new(seller: &str) -> Settings {
        let seller = seller.trim_end_matches('/');
        Settings {
            exchange_id: "EX00012345".into(),
            seller_id: "SE00054321".into(),
            direct_url: format!("{seller}/channels/fpx/direct"),
            indirect_url: format!("{seller}/channels/fpx/indirect"),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            offline: vec!["BSN0601".into()],
            backoff: Duration::from_millis(200),
            max_attempts: 20,
        }
    }
}

/// One transaction at the gateway.
#[derive(Debug, Clone)]
pub(crate) struct Txn {
    /// `fpx_fpxTxnId`.
    pub id: String,
    /// The seller's request, as posted.
    pub request: BTreeMap<String, String>,
    /// The debit authorisation code once the payer decided (`09` while pending).
    pub code: Option<String>,
    /// `fpx_fpxTxnTime`.
    pub time: String,
}

/// One direct confirmation and how its delivery went.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The transaction.
    pub fpx_txn_id: String,
    /// The debit code it carried.
    pub code: String,
    /// Attempts so far.
    pub attempts: u32,
    /// The seller answered `OK`.
    pub delivered: bool,
}

pub(crate) struct Shared {
    pub base_url: String,
    pub settings: RwLock<Settings>,
    pub key: RsaPrivateKey,
    pub seller_key: RsaPrivateKey,
    pub txns: Mutex<HashMap<String, Txn>>,
    pub deliveries: Mutex<Vec<Delivery>>,
    pub counter: Mutex<u64>,
    pub http: reqwest::Client,
}

/// A running simulator; stops when dropped.
pub struct FpxSimulator {
    shared: Arc<Shared>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// Starts the simulator on `settings.listen`.
pub async fn start(settings: Settings) -> anyhow::Result<FpxSimulator> {
    let listener = tokio::net::TcpListener::bind(settings.listen).await?;
    let base_url = format!("http://{}", listener.local_addr()?);
    let (key, seller_key) = tokio::task::spawn_blocking(|| {
        let mut rng = rand::thread_rng();
        (
            RsaPrivateKey::new(&mut rng, 2048),
            RsaPrivateKey::new(&mut rng, 2048),
        )
    })
    .await?;
    let shared = Arc::new(Shared {
        base_url,
        settings: RwLock::new(settings),
        key: key?,
        seller_key: seller_key?,
        txns: Mutex::new(HashMap::new()),
        deliveries: Mutex::new(Vec::new()),
        counter: Mutex::new(0),
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()?,
    });
    let app = pages::router().with_state(shared.clone());
    let stop = crate::serve_until_dropped(listener, app, "fpx");
    Ok(FpxSimulator {
        shared,
        _stop: stop,
    })
}

/// The fields each message type signs, in FPX's order (its specification lists them
/// alphabetically). Written out here again on purpose, not taken from lango-payments: the
/// simulator holds Lango to the specification, and a list shared with Lango would agree with
/// any mistake in it.
pub(crate) fn signed_fields(msg_type: &str) -> &'static [&'static str] {
    match msg_type {
        "AR" | "AE" => &[
            "fpx_buyerAccNo",
            "fpx_buyerBankBranch",
            "fpx_buyerBankId",
            "fpx_buyerEmail",
            "fpx_buyerIban",
            "fpx_buyerId",
            "fpx_buyerName",
            "fpx_makerName",
            "fpx_msgToken",
            "fpx_msgType",
            "fpx_productDesc",
            "fpx_sellerBankCode",
            "fpx_sellerExId",
            "fpx_sellerExOrderNo",
            "fpx_sellerId",
            "fpx_sellerOrderNo",
            "fpx_sellerTxnTime",
            "fpx_txnAmount",
            "fpx_txnCurrency",
            "fpx_version",
        ],
        "AC" => &[
            "fpx_buyerBankBranch",
            "fpx_buyerBankId",
            "fpx_buyerIban",
            "fpx_buyerId",
            "fpx_buyerName",
            "fpx_creditAuthCode",
            "fpx_creditAuthNo",
            "fpx_debitAuthCode",
            "fpx_debitAuthNo",
            "fpx_fpxTxnId",
            "fpx_fpxTxnTime",
            "fpx_makerName",
            "fpx_msgToken",
            "fpx_msgType",
            "fpx_sellerExId",
            "fpx_sellerExOrderNo",
            "fpx_sellerId",
            "fpx_sellerOrderNo",
            "fpx_sellerTxnTime",
            "fpx_txnAmount",
            "fpx_txnCurrency",
        ],
        "BE" => &[
            "fpx_msgToken",
            "fpx_msgType",
            "fpx_sellerExId",
            "fpx_version",
        ],
        "BC" => &[
            "fpx_bankList",
            "fpx_msgToken",
            "fpx_msgType",
            "fpx_sellerExId",
        ],
        _ => &[],
    }
}

/// The signed text of `fields`: the values of its type's fields in FPX's order, joined by `|`.
pub fn signed_text(fields: &BTreeMap<String, String>) -> String {
    let msg_type = fields.get("fpx_msgType").map(String::as_str).unwrap_or("");
    signed_fields(msg_type)
        .iter()
        .map(|f| fields.get(*f).map(String::as_str).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("|")
}

/// Signs `fields` with `key` (sets `fpx_checkSum`).
pub fn sign(fields: &mut BTreeMap<String, String>, key: &RsaPrivateKey) {
    let signature = SigningKey::<Sha256>::new(key.clone()).sign(signed_text(fields).as_bytes());
    fields.insert(
        "fpx_checkSum".into(),
        hex::encode_upper(signature.to_bytes()),
    );
}

/// True when `fields` are their type's and carry `key`'s signature.
pub(crate) fn verify(fields: &BTreeMap<String, String>, key: &RsaPublicKey) -> bool {
    let msg_type = fields.get("fpx_msgType").map(String::as_str).unwrap_or("");
    let listed = signed_fields(msg_type);
    if listed.is_empty()
        || fields
            .iter()
            .any(|(k, v)| k != "fpx_checkSum" && (!listed.contains(&k.as_str()) || v.contains('|')))
    {
        return false;
    }
    let Some(bytes) = fields.get("fpx_checkSum").and_then(|s| hex::decode(s).ok()) else {
        return false;
    };
    let Ok(signature) = Signature::try_from(bytes.as_slice()) else {
        return false;
    };
    VerifyingKey::<Sha256>::new(key.clone())
        .verify(signed_text(fields).as_bytes(), &signature)
        .is_ok()
}

/// A form body of `fields`.
pub fn to_form(fields: &BTreeMap<String, String>) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        out.append_pair(k, v);
    }
    out.finish()
}

impl FpxSimulator {
    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// Lango's configuration for this gateway (the seller key FPX issued, its own public key).
    pub fn config(&self) -> FpxConfig {
        let s = self.settings();
        FpxConfig {
            gateway_url: self.shared.base_url.clone(),
            exchange_id: s.exchange_id,
            seller_id: s.seller_id,
            seller_key: SecretString::from(self.seller_key_pem()),
            gateway_key: self.gateway_key_pem(),
        }
    }

    /// The seller's private key (PKCS#8 PEM), as FPX issued it.
    pub fn seller_key_pem(&self) -> String {
        self.shared
            .seller_key
            .to_pkcs8_pem(LineEnding::LF)
            .map(|p| p.to_string())
            .unwrap_or_default()
    }

    /// The gateway's public key (SPKI PEM).
    pub fn gateway_key_pem(&self) -> String {
        self.shared
            .key
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap_or_default()
    }

    fn settings(&self) -> Settings {
        self.shared
            .settings
            .read()
            .map(|s| s.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    /// Points direct and indirect confirmations at seller `base`.
    pub fn set_seller(&self, base: &str) {
        let fresh = Settings::new(base);
        if let Ok(mut s) = self.shared.settings.write() {
            s.direct_url = fresh.direct_url;
            s.indirect_url = fresh.indirect_url;
        }
    }

    /// Every direct confirmation so far and how its delivery went.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.shared
            .deliveries
            .lock()
            .map(|d| d.clone())
            .unwrap_or_default()
    }

    /// The transaction of seller order `order` (Lango's attempt id), if the gateway has it.
    pub fn txn_of(&self, order: &str) -> Option<String> {
        self.shared.txns.lock().ok().and_then(|t| {
            t.values()
                .find(|x| x.request.get("fpx_sellerExOrderNo").map(String::as_str) == Some(order))
                .map(|x| x.id.clone())
        })
    }

    /// The bank's late answer on a pending transaction: records `code` and sends the direct
    /// confirmation.
    pub fn decide(&self, fpx_txn_id: &str, code: &str) {
        pages::decide(&self.shared, fpx_txn_id, code);
    }

    /// Sends transaction `fpx_txn_id`'s confirmation direct once more (a gateway's resend).
    pub fn resend(&self, fpx_txn_id: &str) {
        if let Some(fields) = pages::confirmation(&self.shared, fpx_txn_id) {
            pages::deliver(self.shared.clone(), fields);
        }
    }

    /// A confirmation signed by the gateway for `fields` on top of an approved one for a
    /// transaction it never had (tests forge unknown or altered notifications with it).
    pub fn signed(&self, overrides: &[(&str, &str)]) -> BTreeMap<String, String> {
        let s = self.settings();
        let mut fields: BTreeMap<String, String> = [
            ("fpx_msgType", "AC"),
            ("fpx_msgToken", "01"),
            ("fpx_sellerExId", s.exchange_id.as_str()),
            ("fpx_sellerId", s.seller_id.as_str()),
            ("fpx_sellerExOrderNo", "unknown-order"),
            ("fpx_sellerOrderNo", "UNKNOWN"),
            ("fpx_sellerTxnTime", "20261205120000"),
            ("fpx_fpxTxnId", "2612051200009999"),
            ("fpx_fpxTxnTime", "20261205120030"),
            ("fpx_txnCurrency", "MYR"),
            ("fpx_txnAmount", "150.00"),
            ("fpx_buyerBankId", "MB2U0227"),
            ("fpx_buyerBankBranch", "Maybank2U"),
            ("fpx_buyerName", "SIMULATED BUYER"),
            ("fpx_buyerIban", ""),
            ("fpx_buyerId", ""),
            ("fpx_makerName", ""),
            ("fpx_debitAuthCode", "00"),
            ("fpx_debitAuthNo", "12345678"),
            ("fpx_creditAuthCode", "00"),
            ("fpx_creditAuthNo", "87654321"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        for (k, v) in overrides {
            fields.insert(k.to_string(), v.to_string());
        }
        sign(&mut fields, &self.shared.key);
        fields
    }

    /// The settlement report of local day `yyyymmdd` (every transaction decided that day).
    pub fn settlement_report(&self, yyyymmdd: &str) -> String {
        pages::report(&self.shared, yyyymmdd)
    }
}
