//! The standard application: the definition an active end-to-end service runs when its
//! agency has written none and it is not run on the agency's own system. It is made from
//! the catalogue entry (the person's details, one upload per listed document, the fee
//! chosen from the listed fees, the details of the request), stored as a version by
//! [`BY`] like any other, and replaced the moment the agency uploads its own.

use lango_catalogue::model::Service;
use std::fmt::Write;

/// Who a standard version is stored as uploaded by: how the workbench and the agency's
/// admin page tell it from one the agency wrote.
pub const BY: &str = "standard";

/// The standard definition of `s` (provided by the agency named `agency`, in English and
/// Kiswahili), or `None` when the service should not get one: not active, not end to end,
/// or on the agency's own system. A definition bills in one currency: fees listed in
/// another than the first fee's are left to the agency, and the start page says so.
pub fn yaml_for(s: &Service, agency: (&str, &str)) -> Option<String> {
    if !s.is_online() || s.apply_url.is_some() {
        return None;
    }
    let mut s = s.clone();
    let currency = s.fees.first().map(|f| f.amount.currency());
    let before = s.fees.len();
    s.fees.retain(|f| Some(f.amount.currency()) == currency);
    let elsewhere = if s.fees.len() < before {
        let en = " Fees in other currencies are paid to the agency, not here.";
        let local = lango_core::country::in_local(
            " Ada za sarafu nyingine hulipwa kwa taasisi, si hapa.",
            " Yuran dalam mata wang lain dibayar kepada agensi, bukan di sini.",
            en,
        );
        (en, local)
    } else {
        ("", "")
    };
    let s = &s;
    let mut y = String::new();
    let name = (&s.name, sw_or(&s.name_sw, &s.name));
    let _ = writeln!(
        y,
        "# The standard application for {}, made by Lango from its catalogue entry.\n\
         # Change it and upload it on the service's definition page: it then becomes the\n\
         # service's own definition.",
        one_line(&s.name)
    );
    let _ = writeln!(y, "service: {}", q(s.code.as_str()));
    words(
        &mut y,
        0,
        "title",
        (&format!("Apply: {}", name.0), &format!("Omba: {}", name.1)),
    );
    let start = (
        format!(
            "{} You will be asked for your details, {}and the details of your request.{}{}",
            s.summary.trim(),
            if s.documents.is_empty() {
                ""
            } else {
                "a copy of each document listed, "
            },
            fee_sentence_en(s),
            elsewhere.0
        ),
        {
            // (asked for, each document, the request) in the country's own language.
            let (asked, documents, request, fee) = if malay() {
                (
                    "Anda akan diminta butiran anda, ",
                    "salinan setiap dokumen yang disenaraikan, ",
                    "dan butiran permohonan anda.",
                    fee_sentence_ms(s),
                )
            } else {
                (
                    "Utaulizwa maelezo yako, ",
                    "nakala ya kila hati iliyoorodheshwa, ",
                    "na maelezo ya ombi lako.",
                    fee_sentence_sw(s),
                )
            };
            format!(
                "{} {asked}{}{request}{fee}{}",
                sw_or(&s.summary_sw, &s.summary).trim(),
                if s.documents.is_empty() {
                    ""
                } else {
                    documents
                },
                elsewhere.1
            )
        },
    );
    words(&mut y, 0, "start", (&start.0, &start.1));
    words(
        &mut y,
        0,
        "declaration",
        (
            "I declare that the information I have given is true and complete.",
            "Natangaza kwamba taarifa nilizotoa ni za kweli na kamili.",
        ),
    );
    y.push_str("pages:\n");
    about_you(&mut y);
    if s.fees.len() > 1 {
        fee_choice(&mut y, s);
    }
    for (i, doc) in s.documents.iter().enumerate() {
        let sw = s
            .documents_sw
            .get(i)
            .map_or(doc.as_str(), |d| sw_or(d, doc));
        let _ = writeln!(y, "  - id: document-{}", i + 1);
        words(
            &mut y,
            4,
            "title",
            (&format!("Upload: {doc}"), &format!("Pakia: {sw}")),
        );
        y.push_str("    fields:\n");
        let _ = writeln!(y, "      - id: document_{}", i + 1);
        y.push_str("        type: file\n");
        words(&mut y, 8, "label", (doc, sw));
        words(
            &mut y,
            8,
            "hint",
            (
                "A PDF, or a photo (JPEG or PNG), of at most 5 MB",
                "PDF, au picha (JPEG au PNG), isiyozidi MB 5",
            ),
        );
        let _ = writeln!(y, "        required: {}", !conditional(doc));
        y.push_str("        accept: [pdf, jpeg, png]\n        max_size_kb: 5120\n");
    }
    y.push_str("  - id: your-request\n");
    words(&mut y, 4, "title", ("Your request", "Ombi lako"));
    y.push_str("    fields:\n      - id: details\n        type: text\n");
    words(
        &mut y,
        8,
        "label",
        ("Details of your request", "Maelezo ya ombi lako"),
    );
    words(
        &mut y,
        8,
        "hint",
        (
            "Say what you are asking for and anything the officer needs to know",
            "Eleza unachoomba na chochote afisa anahitaji kujua",
        ),
    );
    y.push_str("        required: true\n        min_length: 10\n        max_length: 2000\n");
    fees(&mut y, s, name);
    workflow(&mut y, s);
    letter(&mut y, agency);
    Some(y)
}

fn about_you(y: &mut String) {
    y.push_str("  - id: about-you\n");
    words(y, 4, "title", ("About you", "Kuhusu wewe"));
    y.push_str("    fields:\n");
    for (id, kind, en, sw) in [
        ("full_name", "text", "Full name", "Jina kamili"),
        (
            "national_id",
            "national_id",
            "National ID number",
            "Nambari ya kitambulisho cha taifa",
        ),
        (
            "phone",
            "phone",
            "Mobile phone number",
            "Nambari ya simu ya mkononi",
        ),
    ] {
        let _ = writeln!(y, "      - id: {id}\n        type: {kind}");
        words(y, 8, "label", (en, sw));
        let _ = writeln!(y, "        required: true\n        prefill: {id}");
        if id == "full_name" {
            y.push_str("        min_length: 3\n        max_length: 120\n");
        }
    }
}

fn fee_choice(y: &mut String, s: &Service) {
    y.push_str("  - id: fee\n");
    words(y, 4, "title", ("What you are paying for", "Unacholipia"));
    y.push_str("    fields:\n      - id: fee\n        type: choice\n");
    words(
        y,
        8,
        "label",
        (
            "Which of the fees applies to you?",
            "Ni ada ipi inayokuhusu?",
        ),
    );
    y.push_str("        required: true\n        choices:\n");
    for (i, f) in s.fees.iter().enumerate() {
        let en = format!("{} ({})", label_or(&f.label, &s.name), f.amount.display());
        let sw = format!(
            "{} ({})",
            label_or(sw_or(&f.label_sw, &f.label), sw_or(&s.name_sw, &s.name)),
            f.amount.display()
        );
        let _ = writeln!(y, "          - value: fee_{}", i + 1);
        words(y, 12, "label", (&en, &sw));
    }
}

fn fees(y: &mut String, s: &Service, name: (&String, &str)) {
    let Some(first) = s.fees.first() else {
        return;
    };
    let _ = writeln!(
        y,
        "fees:\n  currency: {}\n  items:",
        first.amount.currency().code()
    );
    if s.fees.len() == 1 {
        y.push_str("    - label: ");
        inline_words(
            y,
            (
                label_or(&first.label, name.0),
                label_or(sw_or(&first.label_sw, &first.label), name.1),
            ),
        );
        let _ = writeln!(y, "      amount: {}", q(&first.amount.to_decimal()));
    } else {
        y.push_str("    - label: ");
        inline_words(y, (name.0, name.1));
        y.push_str("      by_choice:\n        field: fee\n        amounts:\n");
        for (i, f) in s.fees.iter().enumerate() {
            let _ = writeln!(y, "          fee_{}: {}", i + 1, q(&f.amount.to_decimal()));
        }
    }
}

/// One action of the standard workflow: id, words, the state it leads to, and the lines
/// after `to` (reason, request for information, output issued).
type Step = (
    &'static str,
    (&'static str, &'static str),
    &'static str,
    &'static str,
);

fn workflow(y: &mut String, s: &Service) {
    let start = if s.fees.is_empty() {
        "submitted"
    } else {
        "awaiting_payment"
    };
    let _ = writeln!(y, "workflow:\n  start: {start}\n  states:");
    if !s.fees.is_empty() {
        let paid = "      paid_to: submitted\n";
        state(
            y,
            "awaiting_payment",
            ("Waiting for payment", "Inasubiri malipo"),
            "system",
            None,
            paid,
            &[],
        );
    }
    let submitted = (
        "Submitted, waiting for review",
        "Imewasilishwa, inasubiri kukaguliwa",
    );
    let review: &[Step] = &[(
        "start_review",
        ("Start the review", "Anza kukagua"),
        "in_review",
        "",
    )];
    state(y, "submitted", submitted, "officer", Some(2), "", review);
    let decide: &[Step] = &[
        (
            "approve",
            ("Approve and issue the letter", "Idhinisha na utoe barua"),
            "approved",
            "issues: approval",
        ),
        (
            "request_info",
            ("Ask for more information", "Omba maelezo zaidi"),
            "information_requested",
            "reason: required\n          request_info: true",
        ),
        (
            "reject",
            ("Reject", "Kataa"),
            "rejected",
            "reason: required",
        ),
    ];
    // The catalogue's promise is the review's; a promise of 0 days still gives a day.
    let sla = s.sla_days.map(|d| d.max(1));
    state(
        y,
        "in_review",
        ("In review", "Inakaguliwa"),
        "officer",
        sla,
        "",
        decide,
    );
    let asked = ("Information requested from you", "Unaombwa maelezo zaidi");
    let reply: &[Step] = &[(
        "respond",
        ("Send my reply", "Tuma jibu langu"),
        "in_review",
        "reason: required",
    )];
    state(
        y,
        "information_requested",
        asked,
        "applicant",
        Some(14),
        "",
        reply,
    );
    let done = "      outcome: completed\n";
    state(
        y,
        "approved",
        ("Approved", "Imeidhinishwa"),
        "system",
        None,
        done,
        &[],
    );
    let refused = "      outcome: rejected\n";
    state(
        y,
        "rejected",
        ("Rejected", "Imekataliwa"),
        "system",
        None,
        refused,
        &[],
    );
}

/// One workflow state with its actions; `extra` is its own lines (`paid_to`, `outcome`).
fn state(
    y: &mut String,
    id: &str,
    label: (&str, &str),
    actor: &str,
    sla_days: Option<u32>,
    extra: &str,
    actions: &[Step],
) {
    let _ = writeln!(y, "    - id: {id}");
    words(y, 6, "label", label);
    let _ = writeln!(y, "      actor: {actor}");
    if let Some(d) = sla_days {
        let _ = writeln!(y, "      sla_days: {d}");
    }
    y.push_str(extra);
    if !actions.is_empty() {
        y.push_str("      actions:\n");
    }
    for (id, label, to, then) in actions {
        let _ = writeln!(y, "        - id: {id}");
        words(y, 10, "label", *label);
        let _ = writeln!(y, "          to: {to}");
        if !then.is_empty() {
            let _ = writeln!(y, "          {then}");
        }
    }
}

fn letter(y: &mut String, (agency, agency_sw): (&str, &str)) {
    // Placeholders are the template's own: an agency name never opens one.
    let plain = |a: &str| one_line(a).replace(['{', '}'], "");
    let (agency, agency_sw) = (plain(agency), plain(sw_or(agency_sw, agency)));
    y.push_str("outputs:\n  - id: approval\n");
    words(y, 4, "title", ("Approval letter", "Barua ya idhini"));
    y.push_str("    fields:\n");
    // Lango adds the service itself to a document's key fields.
    for (en, sw, value) in [
        ("Applicant", "Mwombaji", "{{ answers.full_name }}"),
        (
            "National ID number",
            "Nambari ya kitambulisho cha taifa",
            "{{ answers.national_id }}",
        ),
    ] {
        y.push_str("      - label: ");
        inline_words(y, (en, sw));
        let _ = writeln!(y, "        value: {}", q(value));
    }
    let en = format!(
        "# {agency}\nApproval {{{{ reference }}}}.\n\n\
         On {{{{ issued_on }}}} {agency} approved the application of {{{{ answers.full_name }}}}, \
         national ID number {{{{ answers.national_id }}}}, for {{{{ service }}}}.\n\n\
         The request: {{{{ answers.details }}}}\n\nFor {agency}\n"
    );
    let sw = if malay() {
        format!(
            "# {agency_sw}\nKelulusan {{{{ reference }}}}.\n\n\
             Pada {{{{ issued_on }}}} {agency_sw} telah meluluskan permohonan \
             {{{{ answers.full_name }}}}, nombor kad pengenalan {{{{ answers.national_id }}}}, \
             bagi {{{{ service }}}}.\n\n\
             Permohonan: {{{{ answers.details }}}}\n\nBagi pihak {agency_sw}\n"
        )
    } else {
        format!(
            "# {agency_sw}\nIdhini {{{{ reference }}}}.\n\n\
             Tarehe {{{{ issued_on }}}} {agency_sw} iliidhinisha ombi la {{{{ answers.full_name }}}}, \
             kitambulisho cha taifa nambari {{{{ answers.national_id }}}}, la {{{{ service }}}}.\n\n\
             Ombi: {{{{ answers.details }}}}\n\nKwa niaba ya {agency_sw}\n"
        )
    };
    let _ = writeln!(y, "    template: {}", q(&en));
    let _ = writeln!(y, "    template_sw: {}", q(&sw));
}

/// `key: { en: …, sw: … }` at `indent` spaces.
fn words(y: &mut String, indent: usize, key: &str, (en, sw): (&str, &str)) {
    let _ = write!(y, "{:indent$}{key}: ", "");
    inline_words(y, (en, sw));
}

fn inline_words(y: &mut String, (en, sw): (&str, &str)) {
    let local = in_local_language(sw);
    let _ = writeln!(
        y,
        "{{ en: {}, sw: {} }}",
        q(one_line(en).as_str()),
        q(one_line(&local).as_str())
    );
}

/// The fixed Kiswahili words of the standard application in Bahasa Melayu: (Kiswahili,
/// Malay); a prefix ends with a space and is followed by the service's own words.
const MALAY: [(&str, &str); 27] = [
    ("Omba: ", "Mohon: "),
    ("Pakia: ", "Muat naik: "),
    ("Kuhusu wewe", "Mengenai anda"),
    ("Jina kamili", "Nama penuh"),
    ("Nambari ya kitambulisho cha taifa", "Nombor kad pengenalan"),
    ("Nambari ya simu ya mkononi", "Nombor telefon bimbit"),
    (
        "Natangaza kwamba taarifa nilizotoa ni za kweli na kamili.",
        "Saya mengaku bahawa maklumat yang saya berikan adalah benar dan lengkap.",
    ),
    (
        "PDF, au picha (JPEG au PNG), isiyozidi MB 5",
        "PDF, atau gambar (JPEG atau PNG), tidak melebihi 5 MB",
    ),
    ("Ombi lako", "Permohonan anda"),
    ("Maelezo ya ombi lako", "Butiran permohonan anda"),
    (
        "Eleza unachoomba na chochote afisa anahitaji kujua",
        "Nyatakan apa yang anda mohon dan apa-apa yang perlu diketahui oleh pegawai",
    ),
    ("Unacholipia", "Apa yang anda bayar"),
    (
        "Ni ada ipi inayokuhusu?",
        "Yuran manakah yang berkaitan dengan anda?",
    ),
    ("Inasubiri malipo", "Menunggu bayaran"),
    (
        "Imewasilishwa, inasubiri kukaguliwa",
        "Telah dihantar, menunggu semakan",
    ),
    ("Anza kukagua", "Mulakan semakan"),
    ("Idhinisha na utoe barua", "Luluskan dan keluarkan surat"),
    ("Omba maelezo zaidi", "Minta maklumat lanjut"),
    ("Kataa", "Tolak"),
    ("Inakaguliwa", "Dalam semakan"),
    (
        "Unaombwa maelezo zaidi",
        "Maklumat lanjut diminta daripada anda",
    ),
    ("Tuma jibu langu", "Hantar jawapan saya"),
    ("Imeidhinishwa", "Diluluskan"),
    ("Imekataliwa", "Ditolak"),
    ("Barua ya idhini", "Surat kelulusan"),
    ("Mwombaji", "Pemohon"),
    ("Hakuna ada.", "Tiada yuran."),
];

/// True when the served country's own language is Bahasa Melayu.
fn malay() -> bool {
    lango_core::country::current().local_language() == Some("ms")
}

/// `sw`, the standard application's Kiswahili words, in the country's own language: as
/// written in Kiswahili, in Bahasa Melayu from [`MALAY`] (prefixes too).
fn in_local_language(sw: &str) -> String {
    if !malay() {
        return sw.to_string();
    }
    MALAY
        .iter()
        .find_map(|(k, m)| {
            if k.ends_with(' ') {
                sw.strip_prefix(k).map(|rest| format!("{m}{rest}"))
            } else {
                (sw == *k).then(|| m.to_string())
            }
        })
        .unwrap_or_else(|| sw.to_string())
}

/// A YAML double-quoted scalar: a JSON string is one, with every character escaped that
/// needs to be.
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// A listed document that only some people have ("Affidavit (if previously married)"):
/// its upload is optional rather than asked of everyone.
fn conditional(doc: &str) -> bool {
    let d = doc.to_lowercase();
    ["(if ", " if ", "optional", "where applicable", "if any"]
        .iter()
        .any(|w| d.contains(w))
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn sw_or<'a>(sw: &'a str, en: &'a str) -> &'a str {
    if sw.trim().is_empty() {
        en
    } else {
        sw
    }
}

fn label_or<'a>(label: &'a str, name: &'a str) -> &'a str {
    if label.trim().is_empty() {
        name
    } else {
        label
    }
}

fn fee_sentence_en(s: &Service) -> String {
    match s.fees.as_slice() {
        [] => " There is no fee.".into(),
        [f] => format!(" The fee is {}, paid after you submit.", f.amount.display()),
        _ => " You choose the fee that applies to you and pay it after you submit.".into(),
    }
}

fn fee_sentence_ms(s: &Service) -> String {
    match s.fees.as_slice() {
        [] => " Tiada yuran.".into(),
        [f] => format!(
            " Yurannya ialah {}, dibayar selepas permohonan dihantar.",
            f.amount.display()
        ),
        _ => " Anda akan memilih yuran yang berkaitan dan membayarnya selepas permohonan dihantar."
            .into(),
    }
}

fn fee_sentence_sw(s: &Service) -> String {
    match s.fees.as_slice() {
        [] => " Hakuna ada.".into(),
        [f] => format!(
            " Ada ni {}, inayolipwa baada ya kuwasilisha.",
            f.amount.display()
        ),
        _ => " Utachagua ada inayokuhusu na kuilipa baada ya kuwasilisha.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Definition;
    use lango_catalogue::model::{AgencyCode, Fee, ServiceCode, Stage, Status};
    use lango_core::money::{Currency, Money};

    fn service(fees: &[(&str, i64)], documents: &[&str]) -> Service {
        Service {
            code: ServiceCode::parse("TEST-PERMIT").unwrap(),
            name: "A \"quoted\" permit: {{ not a placeholder }}".into(),
            name_sw: String::new(),
            summary: "Get a permit\nover two lines.".into(),
            summary_sw: "Pata kibali.".into(),
            description: String::new(),
            description_sw: String::new(),
            eligibility: String::new(),
            eligibility_sw: String::new(),
            agency_code: AgencyCode::parse("TEST").unwrap(),
            category: "business".into(),
            life_events: Vec::new(),
            channels: Vec::new(),
            stage: Stage::EndToEnd,
            fees: fees
                .iter()
                .map(|(label, minor)| Fee {
                    label: label.to_string(),
                    label_sw: String::new(),
                    amount: Money::from_minor(*minor, Currency::Kes),
                })
                .collect(),
            sla_days: Some(10),
            documents: documents.iter().map(|d| d.to_string()).collect(),
            documents_sw: Vec::new(),
            keywords: Vec::new(),
            status: Status::Active,
            apply_url: None,
        }
    }

    fn checked(s: &Service) -> Definition {
        let yaml = yaml_for(s, ("Agency {{ of }} Tests", "")).expect("a standard definition");
        Definition::parse(&yaml).unwrap_or_else(|e| panic!("{e:?}\n{yaml}"))
    }

    #[test]
    fn every_shape_of_entry_makes_a_definition_that_checks() {
        for (fees, documents) in [
            (&[][..], &[][..]),
            (&[("", 105_000)][..], &["National ID card"][..]),
            (
                &[
                    ("Small business", 500_000),
                    ("Large business: \"over 50\"", 2_500_000),
                ][..],
                &[
                    "Lease agreement",
                    "KRA PIN certificate",
                    "Photo: passport size",
                ][..],
            ),
        ] {
            let d = checked(&service(fees, documents));
            let file = d.file();
            assert_eq!(file.service, "TEST-PERMIT");
            let uploads = file
                .pages
                .iter()
                .flat_map(|p| &p.fields)
                .filter(|f| f.id.starts_with("document_"));
            assert_eq!(uploads.count(), documents.len());
            assert_eq!(file.fees.is_some(), !fees.is_empty());
            assert_eq!(
                file.workflow.start,
                if fees.is_empty() {
                    "submitted"
                } else {
                    "awaiting_payment"
                }
            );
            assert!(file.outputs.iter().any(|o| o.id == "approval"));
        }
    }

    #[test]
    fn documents_only_some_people_have_are_optional() {
        assert!(conditional(
            "Affidavit of marital status (if previously married)"
        ));
        assert!(conditional("Letter of consent, if any"));
        assert!(!conditional("National ID card"));
        assert!(!conditional("Certificate of good conduct"));
    }

    #[test]
    fn only_active_end_to_end_services_on_the_platform_get_one_in_one_currency() {
        let mut s = service(&[("", 100)], &[]);
        assert!(yaml_for(&s, ("A", "A")).is_some());
        s.apply_url = Some("https://agency.example/apply".into());
        assert!(yaml_for(&s, ("A", "A")).is_none());
        s.apply_url = None;
        s.stage = Stage::Partial;
        assert!(yaml_for(&s, ("A", "A")).is_none());
        s.stage = Stage::EndToEnd;
        s.status = Status::Retired;
        assert!(yaml_for(&s, ("A", "A")).is_none());
        s.status = Status::Active;
        s.fees.push(Fee {
            label: "In dollars".into(),
            label_sw: String::new(),
            amount: Money::from_minor(100, Currency::Usd),
        });
        let yaml = yaml_for(&s, ("A", "A")).expect("the first currency's fees");
        let d = Definition::parse(&yaml).unwrap();
        assert_eq!(d.file().fees.as_ref().unwrap().items.len(), 1);
        assert!(yaml.contains("Fees in other currencies are paid to the agency"));
    }
}
