//! SMS keywords: what a text message to Lango's number asks for, and the answer's words.
//!
//! Keywords are read in any case, in English or Kiswahili, as the first word of the message:
//!
//! | English  | Kiswahili | Does                                                    |
//! |----------|-----------|---------------------------------------------------------|
//! | `STATUS` | `HALI`    | `STATUS REF`: where an application (or a bill) stands   |
//! | `PAY`    | `LIPA`    | `PAY REF`: a bill's service and balance, and an M-Pesa request |
//! | `HELP`   | `MSAADA`  | the keywords                                            |
//! | `MOBILE` | `MASHINANI` | `MOBILE [county]`: mobile centres' next stops          |
//! | `STOP`   | `SITISHA` | no more non-essential messages (`lango_notify::optout`) |
//! | `START`  | `ANZA`    | non-essential messages again                            |
//!
//! A lone score `1`–`5` answers a satisfaction survey sent to the phone. The answer comes in
//! the keyword's language; a message without a keyword is answered in the phone's language
//! (Bahasa Melayu answers name the English keywords, as Malaysia's pages do). Every answer
//! fits one or two SMS parts.

use crate::prefs::Lang;

/// Longest reference read after a keyword: anything longer is not a reference.
const MAX_REFERENCE: usize = 40;

/// What a message asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `STATUS REF`: where an application or a bill stands (empty when no reference followed).
    Status(String),
    /// `PAY REF`: pay a bill (empty when no reference followed).
    Pay(String),
    /// `HELP`: the keywords.
    Help,
    /// `MOBILE [county]`: the next stops of mobile centres (in that county).
    Mobile(String),
    /// `STOP`: opt out of non-essential messages.
    Stop,
    /// `START`: opt back in.
    Start,
    /// A score 1–5 answering a satisfaction survey.
    Score(u8),
    /// Anything else.
    Unknown,
}

impl Command {
    /// A short stable name, kept with the message (never its text, which may be personal).
    pub fn kind(&self) -> &'static str {
        match self {
            Command::Status(_) => "status",
            Command::Pay(_) => "pay",
            Command::Help => "help",
            Command::Mobile(_) => "mobile",
            Command::Stop => "stop",
            Command::Start => "start",
            Command::Score(_) => "score",
            Command::Unknown => "unknown",
        }
    }
}

/// A message read: the command and, when a keyword was used, its language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// What it asks for.
    pub command: Command,
    /// The keyword's language (`None`: no keyword, answer in the phone's language).
    pub lang: Option<Lang>,
}

/// Reads a message's text: the first word (letters only, any case) is the keyword, the rest
/// its argument. Control and invisible characters are ignored, so a stray right-to-left mark
/// or a trailing newline from a phone does not hide a keyword.
pub fn parse(text: &str) -> Parsed {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .filter(|c| !is_invisible(*c))
        .collect();
    let clean = clean.trim();
    let (word, rest) = match clean.find(char::is_whitespace) {
        Some(i) => (&clean[..i], clean[i..].trim()),
        None => (clean, ""),
    };
    // "STOP." and "Help!" are keywords too.
    let word = word.trim_end_matches(|c: char| c.is_ascii_punctuation());
    let keyword = word.to_ascii_uppercase();
    let (command, lang) = match keyword.as_str() {
        "STATUS" => (Command::Status(argument(rest)), Lang::En),
        "HALI" => (Command::Status(argument(rest)), Lang::Sw),
        "PAY" => (Command::Pay(argument(rest)), Lang::En),
        "LIPA" => (Command::Pay(argument(rest)), Lang::Sw),
        "MOBILE" => (Command::Mobile(argument(rest)), Lang::En),
        "MASHINANI" => (Command::Mobile(argument(rest)), Lang::Sw),
        "HELP" => (Command::Help, Lang::En),
        "MSAADA" => (Command::Help, Lang::Sw),
        "STOP" => (Command::Stop, Lang::En),
        "SITISHA" => (Command::Stop, Lang::Sw),
        "START" => (Command::Start, Lang::En),
        "ANZA" => (Command::Start, Lang::Sw),
        "SEMAK" => (Command::Status(argument(rest)), Lang::Ms),
        "BAYAR" => (Command::Pay(argument(rest)), Lang::Ms),
        "BERGERAK" => (Command::Mobile(argument(rest)), Lang::Ms),
        "BANTUAN" => (Command::Help, Lang::Ms),
        "BERHENTI" => (Command::Stop, Lang::Ms),
        "MULA" => (Command::Start, Lang::Ms),
        _ => return unknown(clean),
    };
    // Malay keywords are words only where the country speaks Malay.
    if lang == Lang::Ms && Lang::local() != Lang::Ms {
        return unknown(clean);
    }
    Parsed {
        command,
        lang: Some(lang),
    }
}

/// A message that is no keyword: a survey score, or not understood.
fn unknown(clean: &str) -> Parsed {
    let command = match lango_notify::sms::reply_score(clean) {
        Some(score) => Command::Score(score),
        None => Command::Unknown,
    };
    Parsed {
        command,
        lang: None,
    }
}

/// Zero-width and direction marks: invisible on a phone's screen, so never meant.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// The reference after a keyword, as typed (the reference parsers forgive case, spaces and
/// hyphens), cut short past any reference's length: the parser refuses it all the same.
fn argument(rest: &str) -> String {
    rest.chars().take(MAX_REFERENCE + 1).collect()
}

/// What is awaited from the applicant, as the answer to `STATUS` says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Awaited {
    /// Nothing: the agency (or nobody, at the end) acts next.
    Nothing,
    /// Paying bill `reference`, `balance` still owed.
    Payment {
        /// The bill, as people read it (`AB3D-7KQ9`).
        reference: String,
        /// What remains to pay (`KES 1,100.00`).
        balance: String,
    },
    /// Answering the agency (more information asked for) in their Lango account.
    Answer,
    /// Booking an appointment at a service centre.
    Appointment,
}

/// Where a bill stands, as an answer says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BillState {
    /// Owed, in part or in full.
    Due,
    /// Paid in full.
    Paid,
    /// Cancelled by the agency.
    Cancelled,
    /// Past its expiry unpaid.
    Expired,
}

/// How the M-Pesa request for a `PAY` went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    /// Sent: the phone shows M-Pesa's PIN request.
    Sent,
    /// One already waits on the phone for this bill.
    Waiting,
    /// No request could be sent (not configured, M-Pesa busy, an amount it cannot take):
    /// pay by paybill `shortcode`, the bill reference as the account.
    Paybill {
        /// The paybill number.
        shortcode: String,
    },
    /// Only the state was asked for (`STATUS` of a bill).
    None,
}

/// An answer to send back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// The keywords.
    Help,
    /// The message was not understood: the keywords, shorter.
    Unknown,
    /// STOP done.
    Stopped,
    /// START done.
    Started,
    /// STATUS or PAY without a reference (`pay`: it was PAY).
    NeedReference {
        /// It was PAY.
        pay: bool,
    },
    /// The reference's check character does not match: a typo.
    Typo {
        /// It was PAY.
        pay: bool,
    },
    /// Not a reference at all (wrong length or characters).
    NotAReference {
        /// It was PAY.
        pay: bool,
    },
    /// No application or bill has that reference.
    NotFound {
        /// The reference as read.
        reference: String,
    },
    /// Someone else's application: its state only.
    State {
        /// The application.
        reference: String,
        /// Its state's label.
        state: String,
    },
    /// The applicant's own application: service, state and what is awaited from them.
    Application {
        /// The application.
        reference: String,
        /// The service's name.
        service: String,
        /// Its state's label.
        state: String,
        /// What they must do.
        awaited: Awaited,
    },
    /// A bill: its service, balance and state, and how paying went.
    Bill {
        /// As people read it (`AB3D-7KQ9`).
        reference: String,
        /// The service's name.
        service: String,
        /// What remains to pay.
        balance: String,
        /// Where it stands.
        state: BillState,
        /// The M-Pesa request.
        prompt: Prompt,
    },
    /// Mobile centres' next stops: (date, place, county, hours), soonest first, and the
    /// county asked about (empty: all).
    Stops {
        /// The stops.
        stops: Vec<(String, String, String, String)>,
        /// The county asked about.
        county: String,
    },
    /// A survey score was recorded.
    Thanks,
    /// The survey was answered already.
    AlreadyAnswered,
    /// Too many messages from this phone: the next ones are not answered for a while.
    TooMany {
        /// Minutes until it is answered again.
        minutes: i64,
    },
}

impl Reply {
    /// The answer's text in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let sw = lang == Lang::Sw;
        let ms = lang == Lang::Ms;
        let kw = |en: &str, s: &str, m: &str| match lang {
            Lang::En => en.to_string(),
            Lang::Sw => s.to_string(),
            Lang::Ms => m.to_string(),
        };
        match self {
            Reply::Help if ms => "Lango: hantar SEMAK dan rujukan permohonan untuk menyemak statusnya; BAYAR dan rujukan bil untuk membayar; BERGERAK dan negeri untuk persinggahan pusat bergerak; BERHENTI untuk berhenti menerima mesej tidak penting; MULA untuk menerimanya semula.".into(),
            Reply::Help if sw => "Lango: tuma HALI na nambari ya ombi kujua hali yake; LIPA na nambari ya bili kulipa kwa M-Pesa; MASHINANI na kaunti kwa vituo vinavyohama; SITISHA kuacha ujumbe usio wa lazima; ANZA kuurudisha.".into(),
            Reply::Help => "Lango: send STATUS and an application reference to see where it stands; PAY and a bill reference to pay by M-Pesa; MOBILE and a county for mobile centres' stops; STOP for no more non-essential messages; START to have them again.".into(),
            Reply::Unknown if ms => "Lango: maaf, kami tidak faham. Hantar SEMAK dan rujukan, BAYAR dan rujukan bil, atau BANTUAN.".into(),
            Reply::Unknown if sw => "Lango: hatukuelewa. Tuma HALI na nambari ya ombi, LIPA na nambari ya bili, au MSAADA.".into(),
            Reply::Unknown => "Lango: sorry, we did not understand. Send STATUS and a reference, PAY and a bill reference, or HELP.".into(),
            Reply::Stopped if ms => "Lango: anda tidak akan lagi menerima mesej yang tidak penting. Kod, resit dan keputusan permohonan anda tetap akan dihantar. Hantar MULA untuk menerimanya semula.".into(),
            Reply::Stopped if sw => "Lango: hutapokea tena ujumbe usio wa lazima. Nambari za siri, risiti na maamuzi ya maombi yako bado yatakufikia. Tuma ANZA kuurudisha.".into(),
            Reply::Stopped => "Lango: you will no longer get non-essential messages. Codes, receipts and decisions on your applications still reach you. Send START to have them again.".into(),
            Reply::Started if ms => "Lango: anda akan menerima semua mesej semula, termasuk tinjauan dan peringatan. Hantar BERHENTI untuk menghentikannya.".into(),
            Reply::Started if sw => "Lango: utapokea tena ujumbe wote, pamoja na tafiti na vikumbusho. Tuma SITISHA kuuacha.".into(),
            Reply::Started => "Lango: you will get all messages again, surveys and reminders included. Send STOP to end them.".into(),
            Reply::NeedReference { pay } => {
                let (k_en, k_sw, k_ms, ex) = keyword_of(*pay);
                if ms {
                    format!("Lango: hantar {k_ms} diikuti rujukan, contohnya {k_ms} {ex}.")
                } else if sw {
                    format!("Lango: tuma {k_sw} ikifuatwa na nambari ya kumbukumbu, mfano {k_sw} {ex}.")
                } else {
                    format!("Lango: send {k_en} followed by the reference, e.g. {k_en} {ex}.")
                }
            }
            Reply::Typo { pay } => {
                let (k_en, k_sw, k_ms, _) = keyword_of(*pay);
                if ms {
                    format!("Lango: rujukan itu tersilap taip (aksara semakan terakhirnya tidak sepadan). Semak dengan dokumen anda dan hantar {k_ms} semula.")
                } else if sw {
                    format!("Lango: nambari hiyo ina kosa (herufi yake ya mwisho ya ukaguzi hailingani). Iangalie tena kwenye karatasi na utume {k_sw} tena.")
                } else {
                    format!("Lango: that reference has a typo (its last, check character does not match). Check it against your papers and send {k_en} again.")
                }
            }
            Reply::NotAReference { pay } => {
                let what = if *pay {
                    kw(
                        "A bill reference has 8 characters",
                        "Nambari ya bili ina herufi 8",
                        "Rujukan bil mempunyai 8 aksara",
                    )
                } else {
                    kw(
                        "An application reference starts with A and has 9 characters; a bill's has 8",
                        "Nambari ya ombi huanza na A na ina herufi 9; ya bili ina 8",
                        "Rujukan permohonan bermula dengan A dan mempunyai 9 aksara; rujukan bil 8",
                    )
                };
                if ms {
                    format!("Lango: itu bukan rujukan. {what}.")
                } else if sw {
                    format!("Lango: hiyo si nambari ya kumbukumbu. {what}.")
                } else {
                    format!("Lango: that is not a reference. {what}.")
                }
            }
            Reply::NotFound { reference } if ms => {
                format!("Lango: tiada permohonan atau bil dengan rujukan {reference}. Sila semak semula.")
            }
            Reply::NotFound { reference } if sw => {
                format!("Lango: hakuna ombi wala bili yenye nambari {reference}. Iangalie tena.")
            }
            Reply::NotFound { reference } => {
                format!("Lango: no application or bill has the reference {reference}. Please check it.")
            }
            Reply::State { reference, state } if ms => format!("Lango: permohonan {reference}: {state}."),
            Reply::State { reference, state } if sw => format!("Lango: ombi {reference}: {state}."),
            Reply::State { reference, state } => format!("Lango: application {reference}: {state}."),
            Reply::Application {
                reference,
                service,
                state,
                awaited,
            } => {
                let next = awaited_text(awaited, lang);
                if ms {
                    format!("Lango: permohonan {service} anda ({reference}): {state}. {next}")
                } else if sw {
                    format!("Lango: ombi lako la {service} ({reference}): {state}. {next}")
                } else {
                    format!("Lango: your {service} application ({reference}): {state}. {next}")
                }
            }
            Reply::Bill {
                reference,
                service,
                balance,
                state,
                prompt,
            } => bill_text(reference, service, balance, *state, prompt, lang),
            Reply::Stops { stops, county } => stops_text(stops, county, lang),
            Reply::Thanks if ms => "Lango: terima kasih atas jawapan anda.".into(),
            Reply::Thanks if sw => "Lango: asante kwa maoni yako.".into(),
            Reply::Thanks => "Lango: thank you for your answer.".into(),
            Reply::AlreadyAnswered if ms => "Lango: anda telah pun menjawab tinjauan ini. Terima kasih.".into(),
            Reply::AlreadyAnswered if sw => "Lango: umeshajibu utafiti huu. Asante.".into(),
            Reply::AlreadyAnswered => "Lango: you have already answered this survey. Thank you.".into(),
            Reply::TooMany { minutes } if ms => format!(
                "Lango: terlalu banyak mesej daripada nombor ini. Kami tidak akan menjawab lagi selama {minutes} minit."
            ),
            Reply::TooMany { minutes } if sw => format!(
                "Lango: ujumbe mwingi mno kutoka nambari hii. Hatutajibu tena kwa dakika {minutes}."
            ),
            Reply::TooMany { minutes } => format!(
                "Lango: too many messages from this number. We will not answer again for {minutes} minutes."
            ),
        }
    }
}

/// Mobile centres' next stops in one or two SMS parts.
fn stops_text(stops: &[(String, String, String, String)], county: &str, lang: Lang) -> String {
    let place = match (county.is_empty(), lang) {
        (true, _) => String::new(),
        (false, Lang::Sw) => format!(" katika {county}"),
        (false, Lang::Ms) => format!(" di {county}"),
        (false, Lang::En) => format!(" in {county}"),
    };
    if stops.is_empty() {
        return match lang {
            Lang::Sw => format!("Lango: hakuna kituo kinachohama{place} katika siku 14 zijazo. Tembelea kituo cha Huduma au tuma MASHINANI bila kaunti."),
            Lang::Ms => format!("Lango: tiada persinggahan pusat bergerak{place} dalam 14 hari akan datang. Kunjungi pusat perkhidmatan, atau hantar MOBILE sahaja untuk semua negeri."),
            Lang::En => format!("Lango: no mobile centre stops{place} in the next 14 days. Visit a Huduma centre, or send MOBILE alone for every county."),
        };
    }
    let list: Vec<String> = stops
        .iter()
        .map(|(date, at, county, hours)| format!("{date} {at}, {county} {hours}"))
        .collect();
    match lang {
        Lang::Sw => format!(
            "Lango: vituo vinavyohama{place}: {}. Leta kitambulisho.",
            list.join("; ")
        ),
        Lang::Ms => format!(
            "Lango: pusat bergerak{place}: {}. Bawa kad pengenalan anda.",
            list.join("; ")
        ),
        Lang::En => format!(
            "Lango: mobile centres{place}: {}. Bring your ID.",
            list.join("; ")
        ),
    }
}

/// The keyword in English, Kiswahili and Bahasa Melayu, and an example reference.
fn keyword_of(pay: bool) -> (&'static str, &'static str, &'static str, &'static str) {
    if pay {
        ("PAY", "LIPA", "BAYAR", "AB3D7KQ9")
    } else {
        ("STATUS", "HALI", "SEMAK", "A7K3M9QX2")
    }
}

fn awaited_text(awaited: &Awaited, lang: Lang) -> String {
    let sw = lang == Lang::Sw;
    let ms = lang == Lang::Ms;
    match awaited {
        Awaited::Nothing if ms => "Tiada tindakan diperlukan daripada anda sekarang.".into(),
        Awaited::Nothing if sw => "Hakuna unachohitajika kufanya sasa.".into(),
        Awaited::Nothing => "Nothing is needed from you now.".into(),
        Awaited::Payment { reference, balance } if ms => {
            format!("Sila bayar {balance} bagi bil {reference}: hantar PAY {reference}.")
        }
        Awaited::Payment { reference, balance } if sw => {
            format!("Lipa {balance} kwa bili {reference}: tuma LIPA {reference}.")
        }
        Awaited::Payment { reference, balance } => {
            format!("Please pay {balance} on bill {reference}: send PAY {reference}.")
        }
        Awaited::Answer if ms => {
            "Agensi memerlukan maklumat lanjut: log masuk ke akaun Lango anda untuk menjawab."
                .into()
        }
        Awaited::Answer if sw => {
            "Taasisi inahitaji taarifa zaidi: ingia kwenye akaunti yako ya Lango kujibu.".into()
        }
        Awaited::Answer => {
            "The agency needs more from you: sign in to your Lango account to answer.".into()
        }
        Awaited::Appointment if ms => {
            "Sila tempah temu janji di pusat perkhidmatan (Lango atau *384*222#).".into()
        }
        Awaited::Appointment if sw => {
            "Weka miadi kwenye kituo cha huduma (Lango au *384*222#).".into()
        }
        Awaited::Appointment => {
            "Please book an appointment at a service centre (Lango or *384*222#).".into()
        }
    }
}

fn bill_text(
    reference: &str,
    service: &str,
    balance: &str,
    state: BillState,
    prompt: &Prompt,
    lang: Lang,
) -> String {
    match (state, lang) {
        (BillState::Paid, Lang::En) => format!("Lango: bill {reference} ({service}) is paid in full. Nothing to pay."),
        (BillState::Paid, Lang::Sw) => format!("Lango: bili {reference} ({service}) imelipwa yote. Hakuna cha kulipa."),
        (BillState::Paid, Lang::Ms) => format!("Lango: bil {reference} ({service}) telah dibayar sepenuhnya. Tiada apa-apa perlu dibayar."),
        (BillState::Cancelled, Lang::En) => format!("Lango: bill {reference} ({service}) was cancelled and cannot be paid. Ask the agency for a new bill."),
        (BillState::Cancelled, Lang::Sw) => format!("Lango: bili {reference} ({service}) imefutwa na haiwezi kulipwa. Omba bili mpya kutoka kwa taasisi."),
        (BillState::Cancelled, Lang::Ms) => format!("Lango: bil {reference} ({service}) telah dibatalkan dan tidak boleh dibayar. Minta bil baharu daripada agensi."),
        (BillState::Expired, Lang::En) => format!("Lango: bill {reference} ({service}) has expired and cannot be paid. Ask the agency for a new bill."),
        (BillState::Expired, Lang::Sw) => format!("Lango: muda wa bili {reference} ({service}) umeisha na haiwezi kulipwa. Omba bili mpya kutoka kwa taasisi."),
        (BillState::Expired, Lang::Ms) => format!("Lango: bil {reference} ({service}) telah tamat tempoh dan tidak boleh dibayar. Minta bil baharu daripada agensi."),
        (BillState::Due, _) => {
            let head = match lang {
                Lang::En => format!("Lango: {service}, bill {reference}: {balance} to pay."),
                Lang::Sw => format!("Lango: {service}, bili {reference}: unadaiwa {balance}."),
                Lang::Ms => format!("Lango: {service}, bil {reference}: {balance} perlu dibayar."),
            };
            let plain = reference.replace('-', "");
            let tail = match (prompt, lang) {
                (Prompt::Sent, Lang::En) => "We sent an M-Pesa request to this phone: enter your PIN to pay.".to_string(),
                (Prompt::Sent, Lang::Sw) => "Tumetuma ombi la M-Pesa kwa simu hii: weka PIN yako kulipa.".to_string(),
                (Prompt::Sent, Lang::Ms) => "Kami telah menghantar permintaan M-Pesa ke telefon ini: masukkan PIN anda untuk membayar.".to_string(),
                (Prompt::Waiting, Lang::En) => "An M-Pesa request is already waiting on this phone: enter your PIN to pay.".to_string(),
                (Prompt::Waiting, Lang::Sw) => "Ombi la M-Pesa tayari linasubiri kwenye simu hii: weka PIN yako kulipa.".to_string(),
                (Prompt::Waiting, Lang::Ms) => "Permintaan M-Pesa sudah menunggu di telefon ini: masukkan PIN anda untuk membayar.".to_string(),
                (Prompt::Paybill { shortcode }, Lang::En) => format!("Pay by M-Pesa: Paybill {shortcode}, account {plain}."),
                (Prompt::Paybill { shortcode }, Lang::Sw) => format!("Lipa kwa M-Pesa: Paybill {shortcode}, akaunti {plain}."),
                (Prompt::Paybill { shortcode }, Lang::Ms) => format!("Bayar melalui M-Pesa: Paybill {shortcode}, akaun {plain}."),
                (Prompt::None, Lang::En) => format!("Send PAY {plain} to pay by M-Pesa."),
                (Prompt::None, Lang::Sw) => format!("Tuma LIPA {plain} kulipa kwa M-Pesa."),
                (Prompt::None, Lang::Ms) => format!("Hantar PAY {plain} untuk membayar melalui M-Pesa."),
            };
            format!("{head} {tail}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_read_in_any_case_and_either_language() {
        let p = parse("  status a7k3-m9qx2\n");
        assert_eq!(p.command, Command::Status("a7k3-m9qx2".into()));
        assert_eq!(p.lang, Some(Lang::En));
        let p = parse("Hali A7K3M9QX2");
        assert_eq!(p.command, Command::Status("A7K3M9QX2".into()));
        assert_eq!(p.lang, Some(Lang::Sw));
        assert_eq!(
            parse("lipa ab3d 7kq9").command,
            Command::Pay("ab3d 7kq9".into())
        );
        assert_eq!(parse("PAY").command, Command::Pay(String::new()));
        assert_eq!(parse("Stop.").command, Command::Stop);
        assert_eq!(parse("\u{200F}SITISHA").command, Command::Stop);
        assert_eq!(parse("anza").command, Command::Start);
        assert_eq!(parse("START").lang, Some(Lang::En));
        assert_eq!(parse("msaada").command, Command::Help);
        assert_eq!(parse("help!").command, Command::Help);
    }

    #[test]
    fn scores_and_anything_else_have_no_language() {
        assert_eq!(parse("4").command, Command::Score(4));
        assert_eq!(parse(" 5 asante").command, Command::Score(5));
        for text in [
            "",
            "45",
            "hello",
            "STATUSX",
            "\u{0}\u{7}",
            "مرحبا",
            &"x".repeat(2000),
        ] {
            let p = parse(text);
            assert_eq!(p.command, Command::Unknown, "{text:?}");
            assert_eq!(p.lang, None);
        }
        assert_eq!(
            parse(&format!("PAY {}", "A".repeat(500))).command,
            Command::Pay("A".repeat(41))
        );
    }

    #[test]
    fn every_answer_fits_two_sms_parts_in_both_languages() {
        let long = "Pata cheti cha ukaguzi wa gari la biashara";
        let replies = [
            Reply::Help,
            Reply::Unknown,
            Reply::Stopped,
            Reply::Started,
            Reply::NeedReference { pay: true },
            Reply::Typo { pay: false },
            Reply::NotAReference { pay: false },
            Reply::NotFound {
                reference: "AB3D7KQ9".into(),
            },
            Reply::Application {
                reference: "A7K3M9QX2".into(),
                service: long.into(),
                state: "Waiting for payment".into(),
                awaited: Awaited::Payment {
                    reference: "AB3D-7KQ9".into(),
                    balance: "KES 1,100.00".into(),
                },
            },
            Reply::Bill {
                reference: "AB3D-7KQ9".into(),
                service: long.into(),
                balance: "KES 1,100.00".into(),
                state: BillState::Due,
                prompt: Prompt::Paybill {
                    shortcode: "222222".into(),
                },
            },
            Reply::TooMany { minutes: 10 },
        ];
        for r in &replies {
            for lang in [Lang::En, Lang::Sw, Lang::Ms] {
                let t = r.text(lang);
                assert!(t.chars().count() <= 306, "{} chars: {t}", t.chars().count());
                assert!(t.starts_with("Lango: "), "{t}");
            }
        }
        assert!(Reply::Help.text(Lang::Sw).contains("HALI"));
        assert!(Reply::Help.text(Lang::En).contains("STATUS"));
        assert!(Reply::Help.text(Lang::Ms).contains("SEMAK"));
        // Malay keywords are words only where the country speaks Malay (not in Kenya).
        assert_eq!(parse("semak A7K3M9QX2").lang, None);
        assert_eq!(parse("Bantuan").command, Command::Unknown);
    }
}
