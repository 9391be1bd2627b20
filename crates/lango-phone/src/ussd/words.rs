//! Every word a USSD screen says, in English, Kiswahili and Bahasa Melayu. Each text is one
//! `match` on the language, so a screen cannot exist in one language only. Kept short: a screen is
//! 182 characters, and a feature phone shows a few lines at a time.

use crate::prefs::Lang;
use crate::prefs::Lang::{En, Ms, Sw};

/// Picks the English, the Kiswahili or the Bahasa Melayu text.
pub fn pick(lang: Lang, en: &'static str, sw: &'static str, ms: &'static str) -> &'static str {
    match lang {
        En => en,
        Sw => sw,
        Ms => ms,
    }
}

/// The first line of the home screen.
pub fn home_title(lang: Lang) -> &'static str {
    pick(
        lang,
        "Lango: government services",
        "Lango: huduma za serikali",
        "Lango: perkhidmatan kerajaan",
    )
}

/// The `0` line.
pub fn back(lang: Lang) -> &'static str {
    pick(lang, "0 Back", "0 Rudi", "0 Kembali")
}

/// The `98` line.
pub fn more(lang: Lang) -> &'static str {
    pick(lang, "98 More", "98 Zaidi", "98 Lagi")
}

/// An option that is not on the screen was chosen.
pub fn choose_listed(lang: Lang) -> &'static str {
    pick(
        lang,
        "Choose a number from the list.",
        "Chagua nambari kwenye orodha.",
        "Pilih nombor daripada senarai.",
    )
}

/// The request could not be read (a field missing, a phone number that is not one).
pub fn unreadable(lang: Lang) -> &'static str {
    pick(
        lang,
        "Sorry, this request could not be read. Please dial again.",
        "Samahani, ombi hili halikusomeka. Tafadhali piga tena.",
        "Maaf, permintaan ini tidak dapat dibaca. Sila dail semula.",
    )
}

/// More input than any session needs.
pub fn too_long(lang: Lang) -> &'static str {
    pick(
        lang,
        "Too many steps in one session. Please dial again.",
        "Hatua ni nyingi mno kwa kipindi kimoja. Tafadhali piga tena.",
        "Terlalu banyak langkah dalam satu sesi. Sila dail semula.",
    )
}

/// Something failed on our side.
pub fn failed(lang: Lang) -> &'static str {
    pick(
        lang,
        "Sorry, something went wrong. Please try again later.",
        "Samahani, hitilafu imetokea. Tafadhali jaribu tena baadaye.",
        "Maaf, berlaku ralat. Sila cuba lagi kemudian.",
    )
}

/// The first line after the language changed.
pub fn language_now(lang: Lang) -> &'static str {
    pick(
        lang,
        "Language: English",
        "Lugha: Kiswahili",
        "Bahasa: Bahasa Melayu",
    )
}

/// The list moved since the phone showed it: nothing was done.
pub fn list_changed(lang: Lang) -> &'static str {
    pick(
        lang,
        "The list has changed: choose again.",
        "Orodha imebadilika: chagua tena.",
        "Senarai telah berubah: pilih semula.",
    )
}

// Menu 1: application status.

/// The head of the list of this phone's applications.
pub fn apps_head(lang: Lang) -> &'static str {
    pick(
        lang,
        "Your applications:",
        "Maombi yako:",
        "Permohonan anda:",
    )
}

/// No application is linked to this phone.
pub fn apps_none(lang: Lang) -> &'static str {
    pick(
        lang,
        "No applications are linked to this phone.",
        "Hakuna maombi yaliyounganishwa na simu hii.",
        "Tiada permohonan yang dipautkan dengan telefon ini.",
    )
}

/// The invitation to type a reference, under the list.
pub fn type_app_ref(lang: Lang) -> &'static str {
    pick(
        lang,
        "Or type an application reference",
        "Au andika nambari ya ombi",
        "Atau taip rujukan permohonan",
    )
}

/// Not an application reference at all.
pub fn app_not_ref(lang: Lang) -> &'static str {
    pick(
        lang,
        "That is not an application reference (like A7K3M9QX2).",
        "Hiyo si nambari ya ombi (kama A7K3M9QX2).",
        "Itu bukan rujukan permohonan (seperti A7K3M9QX2).",
    )
}

/// A reference whose check character does not match.
pub fn typo(lang: Lang) -> &'static str {
    pick(
        lang,
        "That reference has a typo: check it and try again.",
        "Nambari hiyo ina kosa: iangalie ujaribu tena.",
        "Rujukan itu tersilap taip: semak dan cuba lagi.",
    )
}

/// No application has this reference (or it is someone's unsent draft).
pub fn app_unknown(lang: Lang, reference: &str) -> String {
    match lang {
        En => format!("No application has the reference {reference}."),
        Sw => format!("Hakuna ombi lenye nambari {reference}."),
        Ms => format!("Tiada permohonan dengan rujukan {reference}."),
    }
}

/// `Status:` before an application's state.
pub fn status_word(lang: Lang) -> &'static str {
    pick(lang, "Status", "Hali", "Status")
}

/// What an application waits for from the person who made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Awaited {
    /// Nothing: the agency is working on it.
    Nothing,
    /// Its bill, by reference, is to be paid.
    Pay(String),
    /// The agency asked for more information.
    Reply,
    /// An appointment at a centre is to be booked.
    Book,
    /// Not yet submitted.
    Finish,
    /// It is closed: nothing more will happen.
    Closed,
}

/// What is awaited, in words (empty when it is closed).
pub fn awaited(lang: Lang, a: &Awaited) -> String {
    match (a, lang) {
        (Awaited::Nothing, En) => "Nothing to do".into(),
        (Awaited::Nothing, Sw) => "Hakuna la kufanya".into(),
        (Awaited::Nothing, Ms) => "Tiada tindakan diperlukan".into(),
        (Awaited::Pay(bill), En) => format!("You: pay bill {bill}"),
        (Awaited::Pay(bill), Sw) => format!("Wewe: lipa bili {bill}"),
        (Awaited::Pay(bill), Ms) => format!("Anda: bayar bil {bill}"),
        (Awaited::Reply, En) => "You: reply online".into(),
        (Awaited::Reply, Sw) => "Wewe: jibu mtandaoni".into(),
        (Awaited::Reply, Ms) => "Anda: jawab dalam talian".into(),
        (Awaited::Book, En) => "You: book an appointment".into(),
        (Awaited::Book, Sw) => "Wewe: weka miadi".into(),
        (Awaited::Book, Ms) => "Anda: tempah temu janji".into(),
        (Awaited::Finish, En) => "You: finish it online".into(),
        (Awaited::Finish, Sw) => "Wewe: likamilishe mtandaoni".into(),
        (Awaited::Finish, Ms) => "Anda: lengkapkan dalam talian".into(),
        (Awaited::Closed, _) => String::new(),
    }
}

// Menu 2: pay a bill.

/// Asks for a bill reference.
pub fn ask_bill(lang: Lang) -> &'static str {
    pick(
        lang,
        "Enter the bill reference (like ABCD-2345):",
        "Andika nambari ya bili (kama ABCD-2345):",
        "Masukkan rujukan bil (seperti ABCD-2345):",
    )
}

/// Not a bill reference at all.
pub fn bill_not_ref(lang: Lang) -> &'static str {
    pick(
        lang,
        "A bill reference has 8 letters and digits.",
        "Nambari ya bili ina herufi na tarakimu 8.",
        "Rujukan bil mempunyai 8 huruf dan digit.",
    )
}

/// No bill has this reference.
pub fn bill_unknown(lang: Lang, reference: &str) -> String {
    match lang {
        En => format!("No bill has the reference {reference}."),
        Sw => format!("Hakuna bili yenye nambari {reference}."),
        Ms => format!("Tiada bil dengan rujukan {reference}."),
    }
}

/// A bill that can be prompted for, with `1` to pay.
pub fn bill(lang: Lang, reference: &str, service: &str, balance: &str) -> String {
    match lang {
        En => format!("Bill {reference}\n{service}\nTo pay: {balance}\n1 Pay with M-Pesa"),
        Sw => format!("Bili {reference}\n{service}\nKiasi: {balance}\n1 Lipa kwa M-Pesa"),
        Ms => {
            format!("Bil {reference}\n{service}\nAmaun: {balance}\n1 Bayar dengan M-Pesa")
        }
    }
}

/// Only `1` is offered on the bill's screen.
pub fn choose_pay(lang: Lang) -> &'static str {
    pick(
        lang,
        "Choose 1 to pay, or 0 to go back.",
        "Chagua 1 kulipa, au 0 kurudi.",
        "Pilih 1 untuk bayar, atau 0 untuk kembali.",
    )
}

/// A bill M-Pesa Express cannot take (cents, too large, M-Pesa not set up): the paybill can.
pub fn paybill(lang: Lang, reference: &str, balance: &str, shortcode: &str) -> String {
    match lang {
        En => format!("Pay {balance} by M-Pesa Paybill {shortcode}, account {reference}."),
        Sw => format!("Lipa {balance} kwa M-Pesa Paybill {shortcode}, akaunti {reference}."),
        Ms => format!("Bayar {balance} melalui M-Pesa Paybill {shortcode}, akaun {reference}."),
    }
}

/// A bill that is no longer open.
pub fn bill_closed(lang: Lang, reference: &str, status: &str) -> String {
    match (status, lang) {
        ("paid", En) => format!("Bill {reference} is paid. Thank you."),
        ("paid", Sw) => format!("Bili {reference} imelipwa. Asante."),
        ("paid", Ms) => format!("Bil {reference} telah dibayar. Terima kasih."),
        ("cancelled", En) => format!("Bill {reference} was cancelled and cannot be paid."),
        ("cancelled", Sw) => format!("Bili {reference} ilifutwa na haiwezi kulipwa."),
        ("cancelled", Ms) => format!("Bil {reference} telah dibatalkan dan tidak boleh dibayar."),
        ("expired", En) => format!("Bill {reference} has expired and cannot be paid."),
        ("expired", Sw) => format!("Muda wa bili {reference} umeisha na haiwezi kulipwa."),
        ("expired", Ms) => format!("Bil {reference} telah tamat tempoh dan tidak boleh dibayar."),
        (_, En) => format!("Bill {reference} cannot be paid."),
        (_, Sw) => format!("Bili {reference} haiwezi kulipwa."),
        (_, Ms) => format!("Bil {reference} tidak boleh dibayar."),
    }
}

/// The prompt was sent.
pub fn prompt_sent(lang: Lang, amount: &str) -> String {
    match lang {
        En => format!("An M-Pesa request for {amount} is on its way to this phone. Enter your M-Pesa PIN to pay."),
        Sw => format!("Ombi la M-Pesa la {amount} linakuja kwenye simu hii. Weka PIN yako ya M-Pesa kulipa."),
        Ms => format!("Permintaan M-Pesa sebanyak {amount} sedang dihantar ke telefon ini. Masukkan PIN M-Pesa anda untuk membayar."),
    }
}

/// A prompt for this bill already waits on a phone.
pub fn prompt_pending(lang: Lang) -> &'static str {
    pick(
        lang,
        "A payment request for this bill is already waiting. Check your phone.",
        "Ombi la malipo ya bili hii tayari linasubiri. Angalia simu yako.",
        "Permintaan bayaran bagi bil ini sudah menunggu. Semak telefon anda.",
    )
}

/// Too many prompts for this bill in a minute, or M-Pesa busy with this phone.
pub fn prompt_later(lang: Lang) -> &'static str {
    pick(
        lang,
        "M-Pesa cannot take another request now. Please try again in a minute.",
        "M-Pesa haiwezi kupokea ombi jingine sasa. Tafadhali jaribu tena baada ya dakika moja.",
        "M-Pesa tidak dapat menerima permintaan lain sekarang. Sila cuba lagi dalam seminit.",
    )
}
