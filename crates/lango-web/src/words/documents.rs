//! Words of the holder's wallet of issued documents.

/// This module's words.
pub const WORDS: &[(&str, &str, &str)] = &[
    ("wallet_title", "Your documents", "Hati zako"),
    ("wallet_lead", "Every document issued to you, your children and your businesses. Show the QR code to anyone who needs to check a document: their phone checks it without a network.", "Kila hati uliyopewa wewe, watoto wako na biashara zako. Onyesha msimbo wa QR kwa yeyote anayehitaji kukagua hati: simu yake huikagua bila mtandao."),
    ("wallet_none", "No documents have been issued to you yet.", "Bado hujapewa hati yoyote."),
    ("wallet_number", "Document number", "Nambari ya hati"),
    ("wallet_holder", "Issued to", "Imetolewa kwa"),
    ("wallet_issued", "Issued", "Ilitolewa"),
    ("wallet_valid_until", "Valid until", "Halali hadi"),
    ("wallet_download", "Download it again", "Ipakue tena"),
    ("wallet_verify", "Check it online", "Ikague mtandaoni"),
    ("wallet_qr_label", "Signed QR code of document", "Msimbo wa QR uliotiwa saini wa hati"),
];
