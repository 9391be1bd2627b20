//! Words of account security: recovery codes, contact changes and national-ID sign-in.

/// This module's words: (key, English, Kiswahili).
pub const WORDS: &[(&str, &str, &str)] = &[
    ("recovery_codes", "Recovery codes", "Nambari za dharura"),
    ("recovery_codes_new", "Your recovery codes", "Nambari zako za dharura"),
    ("recovery_codes_keep", "If you lose your phone, you can sign in with one of these codes instead of a code from your app. Each works once. Write them down or print them and keep them somewhere safe: they will not be shown again.", "Ukipoteza simu yako, unaweza kuingia kwa mojawapo ya nambari hizi badala ya nambari kutoka programu yako. Kila moja hufanya kazi mara moja. Ziandike au uzichapishe na uziweke mahali salama: hazitaonyeshwa tena."),
    ("recovery_codes_left", "Recovery codes left", "Nambari za dharura zilizobaki"),
    ("recovery_codes_renew_lead", "Making a new set stops the old codes working. Enter the code your app shows now.", "Kutengeneza seti mpya kunasimamisha nambari za zamani. Andika nambari inayoonyeshwa na programu yako sasa."),
    ("two_factor_off_code", "Code from your app, or a recovery code if you have lost your phone", "Nambari kutoka programu yako, au nambari ya dharura ikiwa umepoteza simu yako"),
    ("recovery_codes_renew", "Make new recovery codes", "Tengeneza nambari mpya za dharura"),
    ("recovery_codes_renewed", "You have new recovery codes. The old ones no longer work.", "Una nambari mpya za dharura. Za zamani hazifanyi kazi tena."),
    ("current_code", "Code from your app", "Nambari kutoka programu yako"),
    ("current_code_hint", "6 digits", "Tarakimu 6"),
    ("recovery_code", "Recovery code", "Nambari ya dharura"),
    ("recovery_code_hint", "One of the codes you were given when you turned on two-step sign-in, for example abcde-fgh23", "Mojawapo ya nambari ulizopewa ulipowasha kuingia kwa hatua mbili, kwa mfano abcde-fgh23"),
    ("recovery_code_wrong", "The recovery code is not right, or it has been used already", "Nambari ya dharura si sahihi, au imeshatumika"),
    ("recovery_code_instead", "Lost your phone? Use a recovery code", "Umepoteza simu yako? Tumia nambari ya dharura"),
    ("recovery_code_title", "Enter a recovery code", "Andika nambari ya dharura"),
    ("recovery_code_used", "You signed in with a recovery code. We have told you by SMS or e-mail. Recovery codes left:", "Umeingia kwa nambari ya dharura. Tumekuarifu kwa SMS au barua pepe. Nambari za dharura zilizobaki:"),
    ("current_password", "Your current password", "Nenosiri lako la sasa"),
    ("current_password_hint", "Needed to change your phone number or e-mail address", "Linahitajika kubadilisha nambari yako ya simu au barua pepe"),
    ("current_password_wrong", "Enter your current password to change your phone number or e-mail address", "Andika nenosiri lako la sasa kubadilisha nambari yako ya simu au barua pepe"),
    ("current_password_not_set", "Your account has no password yet: set one with 'Forgotten your password?' before changing your phone number or e-mail address", "Akaunti yako bado haina nenosiri: weka moja kwa 'Umesahau nenosiri?' kabla ya kubadilisha nambari yako ya simu au barua pepe"),
    ("event_account.recovery_code_used", "A recovery code was used to sign in", "Nambari ya dharura imetumika kuingia"),
    ("event_account.contact_changed", "The phone or e-mail on an account was changed (sent to the old one)", "Simu au barua pepe ya akaunti imebadilishwa (hutumwa kwa ya zamani)"),
    ("national_id_other_browser", "This sign-in was started in another browser. Start again here.", "Kuingia huku kulianzishwa kwenye kivinjari kingine. Anza tena hapa."),
];
