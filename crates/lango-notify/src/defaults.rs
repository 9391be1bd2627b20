//! The message texts Lango ships with, for every event type in English and Kiswahili.
//! Administrators may change each one; a template nobody changed is read from here, so a
//! better default reaches every installation with the next release.

/// One event's texts in one language: the SMS, the e-mail subject and the e-mail body.
pub(crate) struct Texts {
    pub event: &'static str,
    pub lang: &'static str,
    pub sms: &'static str,
    pub email_subject: &'static str,
    pub email_body: &'static str,
}

const fn t(
    event: &'static str,
    lang: &'static str,
    sms: &'static str,
    email_subject: &'static str,
    email_body: &'static str,
) -> Texts {
    Texts {
        event,
        lang,
        sms,
        email_subject,
        email_body,
    }
}

// SMS texts stay within one or two 160-character parts once filled in: every part costs.
#[rustfmt::skip]
pub(crate) const DEFAULTS: &[Texts] = &[
    t("application.received", "en",
        "Lango: we received your application for {service}. Your reference is {reference}. We will tell you when it moves on.",
        "We received your application {reference}",
        "Dear {name},\n\nWe received your application for {service}. Your reference is {reference}; use it whenever you contact {agency} about it.\n\nWe will write again when it moves on. You can follow it in your Lango account.\n\nLango"),
    t("application.received", "sw",
        "Lango: tumepokea ombi lako la {service}. Nambari ya kumbukumbu ni {reference}. Tutakujulisha likisonga mbele.",
        "Tumepokea ombi lako {reference}",
        "Mpendwa {name},\n\nTumepokea ombi lako la {service}. Nambari ya kumbukumbu ni {reference}; itumie kila unapowasiliana na {agency} kuhusu ombi hili.\n\nTutakuandikia tena likisonga mbele. Unaweza kulifuatilia kwenye akaunti yako ya Lango.\n\nLango"),
    t("application.information_requested", "en",
        "Lango: your {service} application {reference} needs more information: {information}. Please add it in your Lango account. Last day: {due_date}.",
        "More information needed for {reference}",
        "Dear {name},\n\nTo go on with your application for {service} (reference {reference}) we need more information:\n\n{information}\n\nPlease add it in your Lango account. Last day: {due_date}.\n\nLango"),
    t("application.information_requested", "sw",
        "Lango: ombi lako la {service} {reference} linahitaji taarifa zaidi: {information}. Tafadhali ziongeze kwenye akaunti yako ya Lango. Siku ya mwisho: {due_date}.",
        "Taarifa zaidi zinahitajika kwa {reference}",
        "Mpendwa {name},\n\nIli kuendelea na ombi lako la {service} (kumbukumbu {reference}) tunahitaji taarifa zaidi:\n\n{information}\n\nTafadhali ziongeze kwenye akaunti yako ya Lango. Siku ya mwisho: {due_date}.\n\nLango"),
    t("application.approved", "en",
        "Lango: good news. Your application for {service} ({reference}) has been approved.",
        "Your application {reference} is approved",
        "Dear {name},\n\nYour application for {service} (reference {reference}) has been approved. Your Lango account says what happens next.\n\nLango"),
    t("application.approved", "sw",
        "Lango: habari njema. Ombi lako la {service} ({reference}) limekubaliwa.",
        "Ombi lako {reference} limekubaliwa",
        "Mpendwa {name},\n\nOmbi lako la {service} (kumbukumbu {reference}) limekubaliwa. Akaunti yako ya Lango inaeleza hatua inayofuata.\n\nLango"),
    t("application.rejected", "en",
        "Lango: your application for {service} ({reference}) was not approved. Reason: {reason}. Your Lango account says how to ask for a review.",
        "Your application {reference} was not approved",
        "Dear {name},\n\nYour application for {service} (reference {reference}) was not approved.\n\nReason: {reason}\n\nYour Lango account explains how to ask for the decision to be reviewed.\n\nLango"),
    t("application.rejected", "sw",
        "Lango: ombi lako la {service} ({reference}) halikukubaliwa. Sababu: {reason}. Akaunti yako ya Lango inaeleza jinsi ya kuomba lipitiwe upya.",
        "Ombi lako {reference} halikukubaliwa",
        "Mpendwa {name},\n\nOmbi lako la {service} (kumbukumbu {reference}) halikukubaliwa.\n\nSababu: {reason}\n\nAkaunti yako ya Lango inaeleza jinsi ya kuomba uamuzi upitiwe upya.\n\nLango"),
    t("document.issued", "en",
        "Lango: your {document} ({reference}) has been issued. Download it from your Lango account.",
        "Your {document} is ready",
        "Dear {name},\n\nYour {document} for {service} (reference {reference}) has been issued. You can download it from your Lango account.\n\nLango"),
    t("document.issued", "sw",
        "Lango: {document} yako ({reference}) imetolewa. Ipakue kutoka akaunti yako ya Lango.",
        "{document} yako iko tayari",
        "Mpendwa {name},\n\n{document} yako ya {service} (kumbukumbu {reference}) imetolewa. Unaweza kuipakua kutoka akaunti yako ya Lango.\n\nLango"),
    t("bill.raised", "en",
        "Lango: please pay {amount} for {service}. Payment number {payment_number}. Last day to pay: {due_date}.",
        "Please pay {amount} ({payment_number})",
        "Dear {name},\n\nA bill of {amount} has been raised for {service} (reference {reference}).\n\nPay with payment number {payment_number}. Last day to pay: {due_date}. Use the payment number exactly as written so that the payment finds your application.\n\nLango"),
    t("bill.raised", "sw",
        "Lango: tafadhali lipa {amount} kwa {service}. Nambari ya malipo {payment_number}. Siku ya mwisho ya kulipa: {due_date}.",
        "Tafadhali lipa {amount} ({payment_number})",
        "Mpendwa {name},\n\nAnkara ya {amount} imetolewa kwa {service} (kumbukumbu {reference}).\n\nLipa kwa nambari ya malipo {payment_number}. Siku ya mwisho ya kulipa: {due_date}. Tumia nambari ya malipo kama ilivyoandikwa ili malipo yafike kwenye ombi lako.\n\nLango"),
    t("payment.received", "en",
        "Lango: we received your payment of {amount} for {payment_number}. Receipt {receipt}. Thank you.",
        "We received your payment of {amount}",
        "Dear {name},\n\nWe received your payment of {amount} for payment number {payment_number}. Your receipt number is {receipt}.\n\nThank you.\n\nLango"),
    t("payment.received", "sw",
        "Lango: tumepokea malipo yako ya {amount} kwa {payment_number}. Risiti {receipt}. Asante.",
        "Tumepokea malipo yako ya {amount}",
        "Mpendwa {name},\n\nTumepokea malipo yako ya {amount} kwa nambari ya malipo {payment_number}. Nambari ya risiti ni {receipt}.\n\nAsante.\n\nLango"),
    t("refund.issued", "en",
        "Lango: a refund of {amount} for {reference} is on its way to you by {method}.",
        "A refund of {amount} is on its way",
        "Dear {name},\n\nWe have issued a refund of {amount} for {reference}. It will reach you by {method}.\n\nLango"),
    t("refund.issued", "sw",
        "Lango: marejesho ya {amount} kwa {reference} yanakujia kupitia {method}.",
        "Marejesho ya {amount} yanakujia",
        "Mpendwa {name},\n\nTumetoa marejesho ya {amount} kwa {reference}. Yatakufikia kupitia {method}.\n\nLango"),
    t("appointment.reminder", "en",
        "Lango: reminder, your appointment for {service} is on {date} at {time} at {centre}. Bring your ID.",
        "Reminder: your appointment on {date}",
        "Dear {name},\n\nThis is a reminder of your appointment for {service} (reference {reference}) on {date} at {time} at {centre}.\n\nPlease bring your ID card or passport. If you cannot come, change the appointment in your Lango account.\n\nLango"),
    t("appointment.reminder", "sw",
        "Lango: kumbusho, miadi yako ya {service} ni tarehe {date} saa {time} katika {centre}. Leta kitambulisho chako.",
        "Kumbusho: miadi yako tarehe {date}",
        "Mpendwa {name},\n\nHuu ni ukumbusho wa miadi yako ya {service} (kumbukumbu {reference}) tarehe {date} saa {time} katika {centre}.\n\nTafadhali leta kitambulisho au pasipoti yako. Ukishindwa kufika, badilisha miadi kwenye akaunti yako ya Lango.\n\nLango"),
    t("survey.invitation", "en",
        "Lango: how satisfied were you with {service} ({reference})? Reply 1 (very dissatisfied) to 5 (very satisfied).",
        "How was {service}? ({reference})",
        "Dear {name},\n\nYour application for {service} (reference {reference}) is complete. How satisfied were you with the service?\n\nTell us in a minute: open the application in your Lango account and choose \"Tell us what you thought\". Your answers help every agency improve its services.\n\nLango"),
    t("survey.invitation", "sw",
        "Lango: uliridhika kiasi gani na {service} ({reference})? Jibu 1 (sikuridhika kabisa) hadi 5 (niliridhika sana).",
        "Huduma ya {service} ilikuwaje? ({reference})",
        "Mpendwa {name},\n\nOmbi lako la {service} (kumbukumbu {reference}) limekamilika. Uliridhika kiasi gani na huduma?\n\nTueleze kwa dakika moja: fungua ombi kwenye akaunti yako ya Lango na uchague \"Tueleze maoni yako\". Majibu yako yanasaidia kila taasisi kuboresha huduma zake.\n\nLango"),
];

/// The shipped texts of `event` in `lang`.
pub(crate) fn texts(event: &str, lang: &str) -> Option<&'static Texts> {
    DEFAULTS.iter().find(|d| d.event == event && d.lang == lang)
}
