//! The words of the centre menus (3 appointments, 4 my queue ticket, 5 rate a service), in
//! English, Kiswahili and Bahasa Melayu, kept apart from `words` so that each menu's screens read in one
//! place. Same rule: one `match` on the language per text, short enough for 182 characters
//! with the longest names the screens carry (clipped where they come from the catalogue).

use crate::prefs::Lang;
use crate::prefs::Lang::{En, Ms, Sw};

use super::words::pick;

// Menu 3: appointments.

/// The option's line on the home screen.
pub fn appointments(lang: Lang) -> &'static str {
    pick(lang, "Appointments", "Miadi", "Temu janji")
}

/// The appointments menu.
pub fn appointments_menu(lang: Lang) -> &'static str {
    pick(
        lang,
        "Appointments:\n1 Book an appointment\n2 My appointments",
        "Miadi:\n1 Weka miadi\n2 Miadi yangu",
        "Temu janji:\n1 Tempah temu janji\n2 Temu janji saya",
    )
}

/// No account verified this phone: booking needs one (the centre checks the person's ID).
pub fn needs_account(lang: Lang) -> &'static str {
    pick(
        lang,
        "No Lango account has this phone. Register on the Lango website or at a Huduma centre with this phone number, then dial again.",
        "Hakuna akaunti ya Lango yenye simu hii. Jisajili kwenye tovuti ya Lango au kituo cha Huduma kwa nambari hii, kisha piga tena.",
        "Tiada akaun Lango dengan telefon ini. Daftar di laman web Lango atau di pusat perkhidmatan dengan nombor telefon ini, kemudian dail semula.",
    )
}

/// The account has no ID number: one booking per ID number and day is the rule.
pub fn needs_id(lang: Lang) -> &'static str {
    pick(
        lang,
        "Add your ID number to your Lango account on the website, then dial again to book.",
        "Ongeza nambari ya kitambulisho kwenye akaunti yako ya Lango mtandaoni, kisha piga tena kuweka miadi.",
        "Tambah nombor kad pengenalan anda pada akaun Lango di laman web, kemudian dail semula untuk menempah.",
    )
}

/// Choose a county.
pub fn choose_county(lang: Lang) -> &'static str {
    pick(lang, "Choose a county:", "Chagua kaunti:", "Pilih negeri:")
}

/// Choose a centre.
pub fn choose_centre(lang: Lang) -> &'static str {
    pick(lang, "Choose a centre:", "Chagua kituo:", "Pilih pusat:")
}

/// Choose a service.
pub fn choose_service(lang: Lang) -> &'static str {
    pick(
        lang,
        "Choose a service:",
        "Chagua huduma:",
        "Pilih perkhidmatan:",
    )
}

/// Choose a day (with free places).
pub fn choose_day(lang: Lang) -> &'static str {
    pick(
        lang,
        "Choose a day (free places):",
        "Chagua siku (nafasi wazi):",
        "Pilih hari (tempat kosong):",
    )
}

/// Choose a time (with free places).
pub fn choose_time(lang: Lang) -> &'static str {
    pick(
        lang,
        "Choose a time (free places):",
        "Chagua saa (nafasi wazi):",
        "Pilih masa (tempat kosong):",
    )
}

/// Nothing to choose from at this step.
pub fn none_free(lang: Lang) -> &'static str {
    pick(
        lang,
        "No free places: go back and choose another.",
        "Hakuna nafasi wazi: rudi uchague nyingine.",
        "Tiada tempat kosong: kembali dan pilih yang lain.",
    )
}

/// The booking to confirm.
pub fn confirm_booking(lang: Lang, service: &str, centre: &str, when: &str) -> String {
    match lang {
        En => format!("Book {service}\nat {centre}\n{when}?\n1 Confirm"),
        Sw => format!("Weka miadi ya {service}\nkatika {centre}\n{when}?\n1 Thibitisha"),
        Ms => format!("Tempah {service}\ndi {centre}\n{when}?\n1 Sahkan"),
    }
}

/// Booked: the reference to show at the centre.
pub fn booked(lang: Lang, reference: &str, centre: &str, when: &str) -> String {
    match lang {
        En => format!("Booked: {reference}\n{centre}\n{when}\nBring your ID. An SMS confirms it."),
        Sw => format!(
            "Miadi imewekwa: {reference}\n{centre}\n{when}\nLeta kitambulisho. SMS itathibitisha."
        ),
        Ms => format!(
            "Ditempah: {reference}\n{centre}\n{when}\nBawa kad pengenalan. SMS akan mengesahkannya."
        ),
    }
}

/// The person already holds a booking for this service that day.
pub fn already_booked(lang: Lang) -> &'static str {
    pick(
        lang,
        "You already have an appointment for this service that day. See 2 My appointments.",
        "Tayari una miadi ya huduma hii siku hiyo. Angalia 2 Miadi yangu.",
        "Anda sudah mempunyai temu janji untuk perkhidmatan ini pada hari itu. Lihat 2 Temu janji saya.",
    )
}

/// The place went to someone else meanwhile.
pub fn place_gone(lang: Lang) -> &'static str {
    pick(
        lang,
        "Sorry, that time was just taken. Please dial again and choose another.",
        "Samahani, saa hiyo imechukuliwa sasa hivi. Tafadhali piga tena uchague nyingine.",
        "Maaf, masa itu baru sahaja diambil. Sila dail semula dan pilih masa lain.",
    )
}

/// The head of the person's coming appointments.
pub fn mine_head(lang: Lang) -> &'static str {
    pick(
        lang,
        "Your appointments:",
        "Miadi yako:",
        "Temu janji anda:",
    )
}

/// No coming appointment.
pub fn mine_none(lang: Lang) -> &'static str {
    pick(
        lang,
        "You have no coming appointments.",
        "Huna miadi inayokuja.",
        "Anda tiada temu janji yang akan datang.",
    )
}

/// One appointment, with `1` to cancel it.
pub fn appointment(lang: Lang, reference: &str, service: &str, centre: &str, when: &str) -> String {
    match lang {
        En => format!("{reference}\n{service}\n{centre}\n{when}\n1 Cancel it"),
        Sw => format!("{reference}\n{service}\n{centre}\n{when}\n1 Ifute"),
        Ms => format!("{reference}\n{service}\n{centre}\n{when}\n1 Batalkan"),
    }
}

/// Cancelled.
pub fn cancelled(lang: Lang, reference: &str) -> String {
    match lang {
        En => format!("Appointment {reference} is cancelled. Its place is free for others."),
        Sw => format!("Miadi {reference} imefutwa. Nafasi yake iko wazi kwa wengine."),
        Ms => format!(
            "Temu janji {reference} telah dibatalkan. Tempatnya kini terbuka kepada orang lain."
        ),
    }
}

/// It can no longer be cancelled (checked in, or the day is over).
pub fn not_cancellable(lang: Lang, reference: &str) -> String {
    match lang {
        En => format!("Appointment {reference} can no longer be cancelled."),
        Sw => format!("Miadi {reference} haiwezi kufutwa tena."),
        Ms => format!("Temu janji {reference} tidak boleh dibatalkan lagi."),
    }
}

/// `Mon 07 Dec` style day names.
pub fn weekday(lang: Lang, i: usize) -> &'static str {
    const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const SW: [&str; 7] = ["Jtt", "Jnn", "Jtn", "Alh", "Iju", "Jmm", "Jpl"];
    const MS: [&str; 7] = ["Isn", "Sel", "Rab", "Kha", "Jum", "Sab", "Ahd"];
    match lang {
        En => EN[i % 7],
        Sw => SW[i % 7],
        Ms => MS[i % 7],
    }
}

/// `(12 free)` after a day.
pub fn free(lang: Lang, n: u32) -> String {
    match lang {
        En => format!("({n} free)"),
        Sw => format!("(nafasi {n})"),
        Ms => format!("({n} kosong)"),
    }
}

// Menu 4: my queue ticket.

/// The option's line on the home screen.
pub fn ticket(lang: Lang) -> &'static str {
    pick(
        lang,
        "My queue ticket",
        "Tiketi yangu ya foleni",
        "Tiket giliran saya",
    )
}

/// No ticket today carries this phone.
pub fn tickets_none(lang: Lang) -> &'static str {
    pick(
        lang,
        "No queue ticket today has this phone. Give your phone number when you take a ticket at a centre.",
        "Hakuna tiketi ya foleni leo yenye simu hii. Toa nambari ya simu unapochukua tiketi kituoni.",
        "Tiada tiket giliran hari ini dengan telefon ini. Berikan nombor telefon anda semasa mengambil tiket di pusat.",
    )
}

/// The head of the list of today's tickets.
pub fn tickets_head(lang: Lang) -> &'static str {
    pick(
        lang,
        "Your tickets today:",
        "Tiketi zako leo:",
        "Tiket anda hari ini:",
    )
}

/// Where a waiting ticket stands (at the front: next, no wait to give).
pub fn waiting(lang: Lang, position: i64, minutes: i64) -> String {
    match lang {
        En if position <= 1 => "Place in queue: 1\nYou are next: stay near the counters.".into(),
        Sw if position <= 1 => {
            "Nafasi foleni: 1\nWewe ni wa kwanza: kaa karibu na madirisha.".into()
        }
        Ms if position <= 1 => {
            "Kedudukan giliran: 1\nGiliran anda seterusnya: tunggu berhampiran kaunter.".into()
        }
        En => format!("Place in queue: {position}\nWait: about {minutes} min"),
        Sw => format!("Nafasi foleni: {position}\nKusubiri: takriban dakika {minutes}"),
        Ms => format!("Kedudukan giliran: {position}\nMenunggu: kira-kira {minutes} min"),
    }
}

/// Called to a counter.
pub fn called(lang: Lang, counter: &str) -> String {
    match lang {
        En => format!("Called: go to counter {counter} now."),
        Sw => format!("Umeitwa: nenda dirisha {counter} sasa."),
        Ms => format!("Dipanggil: pergi ke kaunter {counter} sekarang."),
    }
}

/// Put aside (a missing document).
pub fn held(lang: Lang) -> &'static str {
    pick(
        lang,
        "On hold: see the staff when you are ready.",
        "Imesimamishwa: ona wahudumu ukiwa tayari.",
        "Ditangguhkan: jumpa kakitangan apabila anda bersedia.",
    )
}

/// Served.
pub fn served(lang: Lang) -> &'static str {
    pick(
        lang,
        "Served. Thank you.",
        "Umehudumiwa. Asante.",
        "Telah dilayan. Terima kasih.",
    )
}

/// Called and never came.
pub fn missed(lang: Lang) -> &'static str {
    pick(
        lang,
        "Missed: you were called and did not come. Take a new ticket.",
        "Umekosa: uliitwa hukuja. Chukua tiketi mpya.",
        "Terlepas: anda dipanggil tetapi tidak hadir. Ambil tiket baharu.",
    )
}

/// `Ticket B004` before the centre.
pub fn ticket_word(lang: Lang) -> &'static str {
    pick(lang, "Ticket", "Tiketi", "Tiket")
}

// Menu 5: rate a service.

/// The option's line on the home screen.
pub fn rating(lang: Lang) -> &'static str {
    pick(
        lang,
        "Rate a service",
        "Tathmini huduma",
        "Nilai perkhidmatan",
    )
}

/// Nothing to rate.
pub fn rate_none(lang: Lang) -> &'static str {
    pick(
        lang,
        "Nothing to rate: a service can be rated once it is completed, or when you are served at a centre.",
        "Hakuna cha kutathmini: huduma hutathminiwa ikikamilika, au ukihudumiwa kituoni.",
        "Tiada apa-apa untuk dinilai: perkhidmatan boleh dinilai setelah selesai, atau setelah anda dilayan di pusat.",
    )
}

/// The head of what can be rated.
pub fn rate_head(lang: Lang) -> &'static str {
    pick(
        lang,
        "Choose what to rate:",
        "Chagua cha kutathmini:",
        "Pilih yang hendak dinilai:",
    )
}

/// The question, 1–5.
pub fn rate_question(lang: Lang, what: &str) -> String {
    match lang {
        En => format!("{what}\nHow satisfied were you?\n1 Very dissatisfied\n2 Dissatisfied\n3 Neutral\n4 Satisfied\n5 Very satisfied"),
        Sw => format!("{what}\nUliridhika kiasi gani?\n1 Sikuridhika kabisa\n2 Sikuridhika\n3 Wastani\n4 Niliridhika\n5 Niliridhika sana"),
        Ms => format!("{what}\nTahap kepuasan anda?\n1 Sangat tidak puas hati\n2 Tidak puas hati\n3 Neutral\n4 Puas hati\n5 Sangat puas hati"),
    }
}

/// Only 1 to 5 answer.
pub fn rate_choose(lang: Lang) -> &'static str {
    pick(
        lang,
        "Choose 1 to 5.",
        "Chagua 1 hadi 5.",
        "Pilih 1 hingga 5.",
    )
}

/// The rating was stored.
pub fn rated(lang: Lang) -> &'static str {
    pick(
        lang,
        "Thank you: your rating helps improve government services.",
        "Asante: tathmini yako inasaidia kuboresha huduma za serikali.",
        "Terima kasih: penilaian anda membantu menambah baik perkhidmatan kerajaan.",
    )
}

/// It had its rating already.
pub fn rated_before(lang: Lang) -> &'static str {
    pick(
        lang,
        "This was rated already. Thank you.",
        "Hii imeshatathminiwa. Asante.",
        "Ini telah pun dinilai. Terima kasih.",
    )
}

/// Too many attempts for one application in an hour.
pub fn rate_later(lang: Lang) -> &'static str {
    pick(
        lang,
        "Too many tries. Please try again in an hour.",
        "Majaribio mengi mno. Tafadhali jaribu tena baada ya saa moja.",
        "Terlalu banyak cubaan. Sila cuba lagi dalam masa sejam.",
    )
}

/// Every screen of the centre menus, in every language, with the longest values they
/// carry (names clipped as the menus clip them), fits without the safety net cutting it.
#[cfg(test)]
mod fits {
    use super::super::screen::{clip, MAX_TEXT};
    use super::super::words;
    use super::*;

    #[test]
    fn every_centre_screen_fits_in_both_languages() {
        let long = "A very long name of a service or of a centre ".repeat(4);
        let (name, label) = (clip(&long, 40), clip(&long, 44));
        let (reference, when) = ("M7K3M9QX", "Wed 30/12 17:45");
        for lang in [En, Sw, Ms] {
            let word = words::choose_listed(lang);
            let back = words::back(lang);
            let mut screens = vec![
                format!("{word}\n{}\n{back}", appointments_menu(lang)),
                format!("{}\n{back}", needs_account(lang)),
                format!("{}\n{back}", needs_id(lang)),
                format!("{word}\n{}\n{back}", none_free(lang)),
                format!("{word}\n{}\n{back}", mine_none(lang)),
                format!(
                    "{word}\n{}\n{back}",
                    confirm_booking(lang, &name, &name, when)
                ),
                booked(lang, reference, &name, when),
                already_booked(lang).into(),
                place_gone(lang).into(),
                format!(
                    "{word}\n{}\n{back}",
                    appointment(lang, reference, &name, &name, when)
                ),
                cancelled(lang, reference),
                not_cancellable(lang, reference),
                tickets_none(lang).into(),
                rate_none(lang).into(),
                format!(
                    "{}\n{}\n{back}",
                    rate_choose(lang),
                    rate_question(lang, &label)
                ),
                rated(lang).into(),
                rated_before(lang).into(),
                rate_later(lang).into(),
            ];
            for stands in [
                waiting(lang, 999, 9999),
                waiting(lang, 1, 0),
                called(lang, "12"),
                held(lang).into(),
                served(lang).into(),
                missed(lang).into(),
            ] {
                screens.push(format!(
                    "{} B004\n{name}\n{name}\n{stands}",
                    ticket_word(lang)
                ));
            }
            for s in screens {
                assert!(
                    s.chars().count() <= MAX_TEXT,
                    "{lang:?}: {} characters: {s}",
                    s.chars().count()
                );
            }
        }
    }
}
