//! The texts of identity's messages in English and Kiswahili.

use crate::account::Account;
use crate::otp::Purpose;
use lango_notify::{Channel, Message, Preference, Recipient};

/// How [`lango_notify::notify()`] reaches `a`: only contacts they confirmed with a code (an
/// unconfirmed number may be someone else's), in their language and on their channels.
pub fn recipient(a: &Account) -> Recipient {
    Recipient {
        account_id: Some(a.id.clone()),
        name: a.given_name.clone(),
        phone: a.phone.clone().filter(|_| a.phone_verified),
        email: a.email.clone().filter(|_| a.email_verified),
        language: a.language.clone(),
        preference: Preference::parse(&a.contact_preference).unwrap_or_default(),
    }
}

/// A one-time code message for `purpose`, in `lang` (`en`, `sw` or `ms`).
pub fn code_message(
    account_id: &str,
    channel: Channel,
    recipient: &str,
    purpose: Purpose,
    code: &str,
    lang: &str,
) -> Message {
    let verify = matches!(purpose, Purpose::VerifyPhone | Purpose::VerifyEmail);
    let (subject, what) = match (purpose, lang) {
        (_, "sw") if verify => (
            "Nambari yako ya uthibitisho ya Lango",
            "kuthibitisha mawasiliano yako",
        ),
        (_, "ms") if verify => (
            "Kod pengesahan Lango anda",
            "untuk mengesahkan butiran hubungan anda",
        ),
        _ if verify => (
            "Your Lango verification code",
            "to confirm your contact details",
        ),
        (Purpose::ResetPassword, "sw") => {
            ("Badilisha nenosiri lako la Lango", "kuweka nenosiri jipya")
        }
        (Purpose::ResetPassword, "ms") => (
            "Tetapkan semula kata laluan Lango anda",
            "untuk menetapkan kata laluan baharu",
        ),
        (Purpose::ResetPassword, _) => ("Reset your Lango password", "to set a new password"),
        (_, "sw") => (
            "Nambari yako ya Lango",
            "kuruhusu wafanyakazi wa kituo kukuombea",
        ),
        (_, "ms") => (
            "Kod Lango anda",
            "untuk membenarkan kakitangan pusat memohon bagi pihak anda",
        ),
        _ => ("Your Lango code", "to let centre staff apply for you"),
    };
    let body = match lang {
        "sw" => format!(
            "Lango: nambari yako ni {code} {what}. Inatumika kwa dakika 10. Usimpe mtu yeyote."
        ),
        "ms" => format!(
            "Lango: kod anda ialah {code} {what}. Sah selama 10 minit. Jangan kongsi dengan sesiapa."
        ),
        _ => format!(
            "Lango: your code is {code} {what}. It works for 10 minutes. Do not share it with anyone."
        ),
    };
    Message {
        account_id: Some(account_id.to_string()),
        channel,
        recipient: recipient.to_string(),
        subject: subject.to_string(),
        body,
    }
}

/// The code a person present at a centre gives its staff so they may apply for them, in
/// `lang` (`en`, `sw` or `ms`): it names the centre, so a code asked for elsewhere is not given.
pub fn assist_code(account_id: &str, phone: &str, centre: &str, code: &str, lang: &str) -> Message {
    let body = if lang == "sw" {
        format!(
            "Lango: nambari yako ni {code}. Mpe mfanyakazi anayekuhudumia katika {centre} tu, \
             ili akuombee huduma. Inatumika kwa dakika 10."
        )
    } else if lang == "ms" {
        format!(
            "Lango: kod anda ialah {code}. Berikan hanya kepada kakitangan yang melayan anda di \
             {centre}, supaya mereka boleh memohon bagi pihak anda. Sah selama 10 minit."
        )
    } else {
        format!(
            "Lango: your code is {code}. Give it only to the staff serving you at {centre}, \
             so they can apply for you. It works for 10 minutes."
        )
    };
    Message {
        account_id: Some(account_id.to_string()),
        channel: Channel::Sms,
        recipient: phone.to_string(),
        subject: "Lango".to_string(),
        body,
    }
}

/// The code a person gives a registered agent so it may apply for them, in `lang`: it
/// names the agent and says that the person may refuse.
pub fn agent_code(account_id: &str, phone: &str, agent: &str, code: &str, lang: &str) -> Message {
    let body = if lang == "sw" {
        format!(
            "Lango: nambari yako ni {code}. Ukiitoa, wakala {agent} ataweza kukuombea huduma \
             kwa jina lako kwa saa moja. Usiitoe ikiwa hukuomba. Inatumika kwa dakika 10."
        )
    } else if lang == "ms" {
        format!(
            "Lango: kod anda ialah {code}. Dengan kod ini, ejen {agent} boleh memohon bagi pihak \
             anda selama satu jam. Jangan berikan jika anda tidak memintanya. Sah selama 10 minit."
        )
    } else {
        format!(
            "Lango: your code is {code}. Giving it lets the agent {agent} apply for you in \
             your name for one hour. Do not give it if you did not ask. It works for 10 minutes."
        )
    };
    Message {
        account_id: Some(account_id.to_string()),
        channel: Channel::Sms,
        recipient: phone.to_string(),
        subject: "Lango".to_string(),
        body,
    }
}

/// The invitation a new staff member receives, with a code to set their password.
pub fn staff_invitation(account_id: &str, email: &str, agency: &str, code: &str) -> Message {
    Message {
        account_id: Some(account_id.to_string()),
        channel: Channel::Email,
        recipient: email.to_string(),
        subject: "You have been added to Lango".to_string(),
        body: format!(
            "You now have a staff account for {agency} on Lango. Go to /reset-password, enter \
             this e-mail address and the code {code} to choose your password. The code works \
             for 10 minutes; after that use 'Forgotten your password?'."
        ),
    }
}

/// Tells an account's owner that someone tried to register a new account with their ID
/// number (no account was made), in `lang` (`en`, `sw` or `ms`).
pub fn registration_attempt(
    account_id: &str,
    channel: Channel,
    recipient: &str,
    lang: &str,
) -> Message {
    let (subject, body) = if lang == "ms" {
        (
            "Seseorang cuba mendaftar dengan nombor pengenalan anda",
            "Lango: seseorang cuba membuka akaun baharu dengan nombor pengenalan anda. Tiada akaun \
             dibuka. Jika itu anda, log masuk ke akaun anda atau tetapkan semula kata laluan. Jika \
             bukan anda, anda tidak perlu berbuat apa-apa.",
        )
    } else if lang == "sw" {
        (
            "Jaribio la kusajili kwa kitambulisho chako",
            "Lango: mtu amejaribu kufungua akaunti mpya kwa nambari ya kitambulisho chako. \
             Hakuna akaunti iliyofunguliwa. Kama ni wewe, ingia kwa akaunti yako au badilisha \
             nenosiri. Kama si wewe, huhitaji kufanya lolote.",
        )
    } else {
        (
            "Someone tried to register with your ID number",
            "Lango: someone tried to create a new account with your ID number. No account was \
             made. If it was you, sign in to your account or reset your password. If it was not \
             you, you need do nothing.",
        )
    };
    Message {
        account_id: Some(account_id.to_string()),
        channel,
        recipient: recipient.to_string(),
        subject: subject.to_string(),
        body: body.to_string(),
    }
}
