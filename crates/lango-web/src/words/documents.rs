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
    ("doc_keys_title", "Document signing keys", "Funguo za kutia saini hati"),
    ("doc_keys_lead", "Each agency signs its documents with its own key; the root key signs the trust list that verifiers download. Rotating a key retires it (what it signed still verifies) and makes a new one. Private keys never leave the server and are stored sealed.", "Kila taasisi hutia saini hati zake kwa ufunguo wake; ufunguo mkuu hutia saini orodha ya uaminifu ambayo wakaguzi hupakua. Kubadilisha ufunguo huustaafisha (ulichotia saini bado hukaguliwa) na kutengeneza mpya. Funguo za siri haziondoki kwenye seva na huhifadhiwa zikiwa zimefungwa."),
    ("doc_keys_trust_list", "The published trust list", "Orodha ya uaminifu iliyochapishwa"),
    ("doc_keys_none", "No keys yet: each agency's key is made when it issues its first document.", "Bado hakuna funguo: ufunguo wa kila taasisi hutengenezwa inapotoa hati yake ya kwanza."),
    ("doc_keys_agency", "Agency", "Taasisi"),
    ("doc_keys_kid", "Key id", "Kitambulisho cha ufunguo"),
    ("doc_keys_from", "Signs from", "Hutia saini kuanzia"),
    ("doc_keys_until", "Signs until", "Hutia saini hadi"),
    ("doc_keys_action", "Action", "Kitendo"),
    ("doc_keys_root", "Lango (root key of the trust list)", "Lango (ufunguo mkuu wa orodha ya uaminifu)"),
    ("doc_keys_retired", "Retired", "Umestaafishwa"),
    ("doc_keys_rotate", "Rotate", "Badilisha"),
    ("doc_keys_rotated", "A new key was made and the old one retired for", "Ufunguo mpya umetengenezwa na wa zamani kustaafishwa kwa"),
    ("wallet_qr_label", "Signed QR code of document", "Msimbo wa QR uliotiwa saini wa hati"),
];
