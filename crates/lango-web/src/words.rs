//! The words of the account, sign-in and administration pages, in English and Kiswahili,
//! and the wording of every form problem code the domain crates return.

mod about;
mod accounts;
mod activity;
mod agents;
mod apply;
mod assist;
mod cards;
mod cash;
mod centres;
mod centres_admin;
mod centres_refusals;
mod claims;
mod documents;
mod duties;
mod edge;
mod finance;
mod insights;
mod pay;
mod performance;
mod services_admin;
mod settlement;
mod sign_in_with_lango;
mod survey;
mod work;

use crate::i18n::Lang;
use std::collections::HashMap;
use std::sync::OnceLock;

/// (key, English, Kiswahili).
const WORDS: &[(&str, &str, &str)] = &[
    // Frame and common actions.
    ("your_account", "Your account", "Akaunti yako"),
    ("sign_in", "Sign in", "Ingia"),
    ("sign_out", "Sign out", "Toka"),
    ("register", "Create an account", "Fungua akaunti"),
    ("continue", "Continue", "Endelea"),
    ("save", "Save changes", "Hifadhi mabadiliko"),
    ("there_is_a_problem", "There is a problem", "Kuna tatizo"),
    ("optional", "(optional)", "(si lazima)"),
    ("never", "Never", "Kamwe"),
    ("remove", "Remove", "Ondoa"),
    ("revoke", "Revoke", "Batilisha"),
    ("your_applications", "Your applications", "Maombi yako"),
    ("your_applications_link", "Applications you have started, submitted or finished", "Maombi uliyoanza, uliyowasilisha au yaliyokamilika"),
    ("workbench_link", "Applications to work on", "Maombi ya kushughulikia"),
    ("agency_services_link", "Services and their application forms", "Huduma na fomu zake za maombi"),
    ("finance_area", "Finance: revenue, suspense, refunds, reconciliation and settlement", "Fedha: mapato, fedha zisizolingana, marejesho, ulinganisho na malipo"),
    // Problems.
    ("required", "Enter this information", "Jaza taarifa hii"),
    ("choose_one", "Choose one of the options", "Chagua mojawapo ya chaguo"),
    ("name_invalid", "Enter a name of up to 100 letters", "Andika jina lisilozidi herufi 100"),
    ("too_long", "This is too long", "Hii ni ndefu mno"),
    ("date_invalid", "Enter a real date, for example 27 3 1990", "Andika tarehe halisi, kwa mfano 27 3 1990"),
    ("date_in_future", "The date must be in the past", "Tarehe lazima iwe iliyopita"),
    ("phone_invalid", "Enter a mobile number like 0712 345 678 or +254 712 345 678", "Andika nambari ya simu kama 0712 345 678 au +254 712 345 678"),
    ("email_invalid", "Enter an e-mail address like name@example.com", "Andika barua pepe kama jina@mfano.com"),
    ("id_number_invalid", "Enter the number exactly as it is on the document", "Andika nambari kama ilivyo kwenye hati"),
    ("id_number_taken", "An account already exists for this document. Sign in, or reset your password", "Akaunti ya hati hii tayari ipo. Ingia, au badilisha nenosiri"),
    ("email_taken", "This e-mail address is already used by another account", "Barua pepe hii tayari inatumiwa na akaunti nyingine"),
    ("password_too_short", "Your password must be at least 10 characters", "Nenosiri lako lazima liwe na angalau herufi 10"),
    ("password_too_long", "Your password must be 128 characters or fewer", "Nenosiri lako lisizidi herufi 128"),
    ("password_common", "This password is too easy to guess. Choose another", "Nenosiri hili ni rahisi kukisia. Chagua jingine"),
    ("password_mismatch", "The passwords do not match", "Manenosiri hayalingani"),
    ("code_wrong", "The code is not right. Check it and try again", "Nambari si sahihi. Ikague ujaribu tena"),
    ("code_expired", "The code has expired or was already used. Ask for a new one", "Nambari imepitwa na muda au imeshatumika. Omba mpya"),
    ("code_too_many", "Too many wrong codes. Ask for a new one", "Nambari nyingi zisizo sahihi. Omba mpya"),
    ("locked", "Too many attempts. Wait 15 minutes and try again", "Majaribio mengi mno. Subiri dakika 15 ujaribu tena"),
    ("account_not_found", "There is no active account with that ID number or e-mail address", "Hakuna akaunti hai yenye nambari au barua pepe hiyo"),
    ("already_member", "This person already acts for the business", "Mtu huyu tayari anawakilisha biashara"),
    ("registration_number_invalid", "Enter the registration number as it is on the certificate", "Andika nambari ya usajili kama ilivyo kwenye cheti"),
    ("registration_number_taken", "This business is already on Lango: ask its owner to add you as a representative", "Biashara hii tayari iko kwenye Lango: muombe mmiliki wake akuongeze kama mwakilishi"),
    ("secret_invalid", "Start the set-up again", "Anza upya"),
    ("signin_refused", "The ID number or e-mail address and password do not match", "Nambari ya kitambulisho au barua pepe na nenosiri havilingani"),
    ("totp_wrong", "The code is not right. Enter the code your app shows now", "Nambari si sahihi. Andika nambari inayoonyeshwa na programu yako sasa"),
    // Message pages: titles and bodies.
    ("csrf_title", "This form has expired", "Fomu hii imepitwa na muda"),
    ("csrf_body", "For your security we could not accept it. Go back, reload the page and try again.", "Kwa usalama wako hatukuweza kuipokea. Rudi nyuma, pakia upya ukurasa ujaribu tena."),
    ("too_large_title", "That was too large", "Hiyo ni kubwa mno"),
    ("too_large_body", "What you sent is larger than we accept.", "Ulichotuma ni kikubwa kuliko tunachokubali."),
    ("server_error_title", "Sorry, there is a problem with the service", "Samahani, kuna tatizo na huduma"),
    ("server_error_body", "Try again later. Nothing you entered has been lost.", "Jaribu tena baadaye. Hakuna ulichoandika kilichopotea."),
    ("rate_limited_title", "Too many requests", "Maombi mengi mno"),
    ("rate_limited_body", "Wait a minute and try again.", "Subiri dakika moja ujaribu tena."),
    ("forbidden_title", "You cannot see this page", "Huwezi kuona ukurasa huu"),
    ("forbidden_body", "Your account is not allowed to do this. If you think it should be, ask your administrator.", "Akaunti yako hairuhusiwi kufanya hivi. Ukiona inapaswa, muulize msimamizi wako."),
    // Registration and sign-in.
    ("register_lead", "One account for every government service. You need a mobile phone and an e-mail address.", "Akaunti moja kwa kila huduma ya serikali. Unahitaji simu na barua pepe."),
    ("kind", "Who are you?", "Wewe ni nani?"),
    ("citizen", "Kenyan citizen (national ID card)", "Raia wa Kenya (kitambulisho cha taifa)"),
    ("resident", "Resident foreigner (alien ID card)", "Mgeni mkazi (kitambulisho cha mgeni)"),
    ("foreigner", "Visitor (passport)", "Mgeni (pasipoti)"),
    ("id_number", "ID card or passport number", "Nambari ya kitambulisho au pasipoti"),
    ("given_name", "First name", "Jina la kwanza"),
    ("family_name", "Last name", "Jina la mwisho"),
    ("other_names", "Other names", "Majina mengine"),
    ("date_of_birth", "Date of birth", "Tarehe ya kuzaliwa"),
    ("date_of_birth_hint", "For example, 27 3 1990", "Kwa mfano, 27 3 1990"),
    ("phone", "Mobile phone number", "Nambari ya simu"),
    ("phone_hint", "We will send a code to this number", "Tutatuma nambari ya uthibitisho kwa simu hii"),
    ("email", "E-mail address", "Barua pepe"),
    ("email_hint", "We will send a code to this address", "Tutatuma nambari ya uthibitisho kwa anwani hii"),
    ("password", "Password", "Nenosiri"),
    ("password_hint", "At least 10 characters. A few words you will remember are best", "Angalau herufi 10. Maneno machache utakayokumbuka ni bora"),
    ("password_confirm", "Enter the password again", "Andika nenosiri tena"),
    ("have_account", "Already have an account? Sign in", "Una akaunti tayari? Ingia"),
    ("verify_title", "Confirm your phone and e-mail", "Thibitisha simu na barua pepe yako"),
    ("verify_lead", "We sent a 6-digit code by SMS and another by e-mail. They work for 10 minutes.", "Tumetuma nambari ya tarakimu 6 kwa SMS na nyingine kwa barua pepe. Zinatumika kwa dakika 10."),
    ("phone_code", "Code sent to your phone", "Nambari iliyotumwa kwa simu yako"),
    ("email_code", "Code sent to your e-mail", "Nambari iliyotumwa kwa barua pepe yako"),
    ("resend", "Send new codes", "Tuma nambari mpya"),
    ("codes_sent", "We have sent new codes.", "Tumetuma nambari mpya."),
    ("identifier", "ID number or e-mail address", "Nambari ya kitambulisho au barua pepe"),
    ("forgot", "Forgotten your password?", "Umesahau nenosiri?"),
    ("no_account", "No account yet? Create one", "Huna akaunti? Fungua moja"),
    ("national_id_signin", "Sign in with your national digital ID", "Ingia kwa kitambulisho chako cha kidijitali"),
    ("national_id_held", "An account already uses this ID number. Sign in with its password", "Akaunti nyingine tayari inatumia nambari hii ya kitambulisho. Ingia kwa nenosiri lake"),
    ("national_id_failed", "Signing in with your national digital ID did not work. Try again, or use your password", "Kuingia kwa kitambulisho cha kidijitali hakukufaulu. Jaribu tena, au tumia nenosiri"),
    ("two_factor_title", "Enter the code from your authenticator app", "Andika nambari kutoka programu yako ya uthibitisho"),
    ("code", "Code", "Nambari"),
    ("code_hint", "6 digits", "Tarakimu 6"),
    ("forgot_title", "Reset your password", "Badilisha nenosiri lako"),
    ("forgot_lead", "Enter your ID number or e-mail address. If there is an account, we will send a code to its phone and e-mail.", "Andika nambari ya kitambulisho au barua pepe. Ikiwa kuna akaunti, tutatuma nambari kwa simu na barua pepe yake."),
    ("reset_title", "Choose a new password", "Chagua nenosiri jipya"),
    ("reset_lead", "If there is an account, we have sent a code to its phone and e-mail. Setting a new password signs you out everywhere.", "Ikiwa kuna akaunti, tumetuma nambari kwa simu na barua pepe yake. Nenosiri jipya litakutoa kila mahali."),
    ("reset_done", "Your password has been changed. Sign in with it now.", "Nenosiri lako limebadilishwa. Ingia nalo sasa."),
    ("signed_out", "You have signed out.", "Umetoka."),
    // Account.
    ("account_lead", "Your details are entered once and used to fill in every application.", "Taarifa zako zinaandikwa mara moja na kutumika kujaza kila ombi."),
    ("profile", "Your details", "Taarifa zako"),
    ("edit_profile", "Change your details", "Badilisha taarifa zako"),
    ("profile_saved", "Your details have been saved.", "Taarifa zako zimehifadhiwa."),
    ("postal_address", "Postal address", "Anwani ya posta"),
    ("county", "County", "Kaunti"),
    ("sub_county", "Sub-county", "Kaunti ndogo"),
    ("language", "Language for messages", "Lugha ya ujumbe"),
    ("en", "English", "English"),
    ("sw", "Kiswahili", "Kiswahili"),
    ("contact_preference", "How should we tell you about your applications?", "Tukujulishe vipi kuhusu maombi yako?"),
    ("contact_preference_hint", "We use the phone and e-mail you confirmed. Confirmation codes still go to the contact they confirm.", "Tunatumia simu na barua pepe ulizothibitisha. Nambari za uthibitisho bado hutumwa kwa mawasiliano zinayothibitisha."),
    ("prefer_sms", "Text message (SMS)", "Ujumbe mfupi (SMS)"),
    ("prefer_email", "E-mail", "Barua pepe"),
    ("prefer_both", "Both", "Zote mbili"),
    ("not_verified", "not confirmed", "haijathibitishwa"),
    ("confirm_now", "Confirm now", "Thibitisha sasa"),
    ("sessions", "Where you are signed in", "Mahali ulipoingia"),
    ("sessions_lead", "If you do not recognise a session, sign out of the others and change your password.", "Ukiona kikao usichokijua, toka kwenye vingine na ubadilishe nenosiri."),
    ("this_session", "This session", "Kikao hiki"),
    ("started", "Started", "Kilianza"),
    ("last_active", "Last active", "Mara ya mwisho"),
    ("browser", "Browser", "Kivinjari"),
    ("address", "Address", "Anwani"),
    ("sign_out_others", "Sign out of every other session", "Toka kwenye vikao vingine vyote"),
    ("others_signed_out", "You have been signed out everywhere else.", "Umetolewa kwenye vikao vingine vyote."),
    ("two_factor", "Two-step sign-in", "Kuingia kwa hatua mbili"),
    ("two_factor_on", "On: you enter a code from your app after your password.", "Imewashwa: unaandika nambari kutoka programu baada ya nenosiri."),
    ("two_factor_off", "Off. Turn it on to protect your account even if your password is stolen.", "Imezimwa. Iwashe kulinda akaunti hata nenosiri likiibiwa."),
    ("two_factor_setup", "Set up two-step sign-in", "Weka kuingia kwa hatua mbili"),
    ("two_factor_setup_lead", "Scan the code with an authenticator app, or type the key into it. Then enter the 6-digit code it shows.", "Changanua msimbo kwa programu ya uthibitisho, au andika ufunguo. Kisha andika nambari ya tarakimu 6 inayoonyeshwa."),
    ("setup_key", "Key", "Ufunguo"),
    ("turn_on", "Turn on", "Washa"),
    ("turn_off", "Turn off two-step sign-in", "Zima kuingia kwa hatua mbili"),
    ("two_factor_enabled", "Two-step sign-in is on.", "Kuingia kwa hatua mbili kumewashwa."),
    ("two_factor_disabled", "Two-step sign-in is off.", "Kuingia kwa hatua mbili kumezimwa."),
    ("businesses", "Businesses you act for", "Biashara unazowakilisha"),
    ("businesses_lead", "Register your business to apply and pay for it, and name the people who may act for it. We check the business registry before you can act for it.", "Sajili biashara yako kuiombea na kuilipia, na taja watu wanaoweza kuiwakilisha. Tunakagua sajili ya biashara kabla hujaanza kuishughulikia."),
    ("no_businesses", "You do not act for any business yet.", "Bado huwakilishi biashara yoyote."),
    ("add_business", "Add a business you own", "Ongeza biashara unayomiliki"),
    ("registration_number", "Registration number", "Nambari ya usajili"),
    ("registration_number_hint", "As on the certificate, for example PVT-AB12CD3", "Kama kwenye cheti, kwa mfano PVT-AB12CD3"),
    ("name", "Name", "Jina"),
    ("role", "Role", "Wadhifa"),
    ("owner", "Owner", "Mmiliki"),
    ("representative", "Representative", "Mwakilishi"),
    ("people", "People who act for it", "Watu wanaoiwakilisha"),
    ("add_representative", "Add a representative", "Ongeza mwakilishi"),
    ("representative_hint", "Their ID number or e-mail address. They need a Lango account.", "Nambari ya kitambulisho au barua pepe yao. Wanahitaji akaunti ya Lango."),
    ("dependants", "People you act for", "Watu unaowawakilisha"),
    ("dependants_lead", "Add your children or others in your care to apply for them. We check the birth certificate before you can act for them.", "Ongeza watoto wako au wengine unaowatunza ili uwaombee. Tunakagua cheti cha kuzaliwa kabla hujaanza kuwashughulikia."),
    ("no_dependants", "You do not act for anyone yet.", "Bado humwakilishi mtu yeyote."),
    ("add_dependant", "Add a child or dependant", "Ongeza mtoto au mtegemezi"),
    ("birth_certificate", "Birth certificate number", "Nambari ya cheti cha kuzaliwa"),
    ("relationship", "You are their", "Wewe ni wao"),
    ("parent", "Parent", "Mzazi"),
    ("guardian", "Guardian", "Mlezi"),
    ("activity", "Who has seen or changed your details", "Nani ameona au kubadilisha taarifa zako"),
    ("activity_lead", "Every look at your details by an officer and every change is recorded and cannot be altered.", "Kila mara afisa anapoangalia taarifa zako na kila badiliko vinarekodiwa na haviwezi kubadilishwa."),
    ("when", "When", "Lini"),
    ("who", "Who", "Nani"),
    ("what", "What", "Nini"),
    ("messages", "Messages we sent you", "Ujumbe tuliokutumia"),
    ("staff_area", "Staff", "Wafanyakazi"),
    // Administration.
    ("staff_title", "Staff", "Wafanyakazi"),
    ("staff_lead", "People who work this agency's applications on Lango.", "Watu wanaoshughulikia maombi ya shirika hili kwenye Lango."),
    ("add_staff", "Add a member of staff", "Ongeza mfanyakazi"),
    ("add_staff_hint", "New staff receive an e-mail with a code to choose their password.", "Wafanyakazi wapya hupokea barua pepe yenye nambari ya kuchagua nenosiri."),
    ("officer", "Officer", "Afisa"),
    ("supervisor", "Supervisor", "Msimamizi"),
    ("agency_admin", "Agency administrator", "Msimamizi wa shirika"),
    ("centre_staff", "Centre staff", "Mfanyakazi wa kituo"),
    ("kiosk_agent", "Kiosk agent", "Wakala wa kibanda"),
    ("centre_manager", "Centre manager", "Meneja wa kituo"),
    ("finance_officer", "Finance officer", "Afisa wa fedha"),
    ("auditor", "Auditor", "Mkaguzi"),
    ("platform_admin", "Platform administrator", "Msimamizi wa jukwaa"),
    ("api_keys", "API keys", "Funguo za API"),
    ("api_keys_lead", "Keys let this agency's own systems use the Lango API. A key is shown once; store it in your system's secret store.", "Funguo huruhusu mifumo ya shirika kutumia API ya Lango. Ufunguo unaonyeshwa mara moja; uhifadhi mahali salama."),
    ("create_key", "Create a key", "Tengeneza ufunguo"),
    ("key_name_hint", "What the key is for, for example 'Case system'", "Ufunguo ni wa nini, kwa mfano 'Mfumo wa kesi'"),
    ("permissions", "What it may do", "Inaweza kufanya nini"),
    ("key_created", "Your new API key", "Ufunguo wako mpya wa API"),
    ("key_created_lead", "Copy it now. It will not be shown again.", "Inakili sasa. Haitaonyeshwa tena."),
    ("created", "Created", "Iliundwa"),
    ("last_used", "Last used", "Ilitumika mwisho"),
    ("status", "Status", "Hali"),
    ("active", "Active", "Hai"),
    ("revoked", "Revoked", "Imebatilishwa"),
    ("cases:read", "Read applications", "Kusoma maombi"),
    ("cases:write", "Update applications", "Kusasisha maombi"),
    ("bills:read", "Read bills", "Kusoma ankara"),
    ("bills:write", "Raise and cancel bills", "Kutoa na kufuta ankara"),
    ("webhooks", "Webhooks", "Webhooks"),
    ("webhooks_lead", "Lango sends your systems a signed CloudEvent for every event you subscribe to, and retries until they answer.", "Lango hutuma mifumo yako CloudEvent iliyotiwa sahihi kwa kila tukio ulilojiandikisha, na hujaribu tena hadi ijibu."),
    ("add_webhook", "Subscribe a system", "Sajili mfumo"),
    ("url", "Address of your system (URL)", "Anwani ya mfumo wako (URL)"),
    ("url_hint", "For example https://systems.agency.go.ke/lango-events", "Kwa mfano https://systems.agency.go.ke/lango-events"),
    ("event_types", "Events", "Matukio"),
    ("event_types_hint", "Choose none to receive every event.", "Usichague lolote kupokea kila tukio."),
    ("all_events", "All events", "Matukio yote"),
    ("webhook_secret", "Your signing secret", "Siri yako ya kutia sahihi"),
    ("stop", "Stop", "Simamisha"),
    ("send_ping", "Send a test event", "Tuma tukio la majaribio"),
    ("deliveries", "Deliveries", "Uwasilishaji"),
    ("event", "Event", "Tukio"),
    ("attempts", "Attempts", "Majaribio"),
    ("answer", "Answer", "Jibu"),
    ("redeliver", "Send again", "Tuma tena"),
    ("url_invalid", "Enter an http:// or https:// address of at most 500 characters", "Andika anwani ya http:// au https:// isiyozidi herufi 500"),
    ("event_type_unknown", "Choose events from the list", "Chagua matukio kutoka kwenye orodha"),
    ("webhooks:manage", "Manage webhooks", "Kusimamia webhooks"),
    ("documents:write", "Sign and revoke documents", "Kutia saini na kufuta hati"),
    ("appointments:write", "Book and cancel appointments at the agency's centres", "Kuweka na kufuta miadi katika vituo vya taasisi"),
    ("queue:write", "Issue, call and finish queue tickets at the agency's centres", "Kutoa, kuita na kumaliza tiketi za foleni katika vituo vya taasisi"),
    ("dev_messages", "Messages (demo)", "Ujumbe (maonyesho)"),
    ("dev_messages_lead", "In the demo no SMS or e-mail leaves this computer. Here is what would have been sent.", "Katika maonyesho hakuna SMS wala barua pepe inayotoka kwenye kompyuta hii. Hiki ndicho kingetumwa."),
    ("phone_title", "A phone (demo)", "Simu (maonyesho)"),
    ("phone_lead", "Try Lango on a phone with no browser: dial the USSD code, answer each screen with the number of your choice, send an SMS keyword, and read the SMS this number receives. It goes through the same menus a gateway reaches.", "Jaribu Lango kwenye simu isiyo na kivinjari: piga msimbo wa USSD, jibu kila skrini kwa nambari ya chaguo lako, tuma neno la SMS, na usome SMS zinazofika kwa nambari hii. Inapitia menyu zilezile ambazo lango la mtandao hufikia."),
    ("phone_number", "Phone number", "Nambari ya simu"),
    ("phone_use", "Use this number", "Tumia nambari hii"),
    ("phone_screen", "The phone's screen", "Skrini ya simu"),
    ("phone_idle", "Dial", "Piga"),
    ("phone_dial", "Dial", "Piga"),
    ("phone_answer", "Your answer", "Jibu lako"),
    ("phone_send", "Send", "Tuma"),
    ("phone_hang_up", "Hang up", "Kata simu"),
    ("phone_sms_title", "Send an SMS", "Tuma SMS"),
    ("phone_sms_label", "Message", "Ujumbe"),
    ("phone_sms_hint", "For example STATUS and an application's reference, PAY and a bill's reference, HELP, STOP or START (HALI, LIPA, MSAADA, SITISHA, ANZA in Kiswahili).", "Kwa mfano HALI na nambari ya ombi, LIPA na nambari ya bili, MSAADA, SITISHA au ANZA (STATUS, PAY, HELP, STOP, START kwa Kiingereza)."),
    ("phone_sms_send", "Send SMS", "Tuma SMS"),
    ("phone_sms_empty", "Type a message to send", "Andika ujumbe wa kutuma"),
    ("phone_sms_sent", "Sent. The answer arrives below as an SMS.", "Imetumwa. Jibu linafika hapa chini kama SMS."),
    ("phone_inbox", "SMS received by this number", "SMS zilizopokelewa na nambari hii"),
    ("phone_inbox_empty", "None yet.", "Bado hakuna."),
    ("pfig_link", "Phone menus: where people give up", "Menyu za simu: mahali watu wanapoacha"),
    ("pfig_title", "Phone menus: where people give up", "Menyu za simu: mahali watu wanapoacha"),
    ("pfig_lead", "Every USSD session's last screen over the last 30 days: where it ended, and how often the person left a screen that asked for more without answering. A screen that loses many people is a screen to make simpler.", "Skrini ya mwisho ya kila kikao cha USSD katika siku 30 zilizopita: kilipoishia, na mara ngapi mtu aliacha skrini iliyoomba zaidi bila kujibu. Skrini inayopoteza watu wengi ni skrini ya kurahisishwa."),
    ("pfig_sessions", "Sessions", "Vikao"),
    ("pfig_none", "No USSD sessions in this period.", "Hakuna vikao vya USSD katika kipindi hiki."),
    ("pfig_table", "Where USSD sessions ended, by screen", "Mahali vikao vya USSD vilipoishia, kwa skrini"),
    ("pfig_screen", "Screen", "Skrini"),
    ("pfig_ended", "Sessions that ended here", "Vikao vilivyoishia hapa"),
    ("pfig_given_up", "Given up here", "Waliacha hapa"),
    ("pfig_share", "Given up here, share of all sessions", "Waliacha hapa, sehemu ya vikao vyote"),
    ("pfig_notes", "A session counts as given up when its last screen waited for an answer for three minutes (gateways close a session by then). No phone number is kept for these figures.", "Kikao kinahesabiwa kuwa kimeachwa skrini yake ya mwisho iliposubiri jibu kwa dakika tatu (malango hufunga kikao kufikia hapo). Hakuna nambari ya simu inayohifadhiwa kwa takwimu hizi."),
    ("pfig_chart", "Sessions given up, by screen", "Vikao vilivyoachwa, kwa skrini"),
    // Notifications: message history and templates.
    ("channel", "How", "Kwa njia gani"),
    ("channel_sms", "SMS", "SMS"),
    ("channel_email", "E-mail", "Barua pepe"),
    ("msg_created", "Waiting to be sent", "Inasubiri kutumwa"),
    ("msg_sending", "Sent, not yet delivered", "Imetumwa, bado haijafika"),
    ("msg_delivered", "Delivered", "Imefika"),
    ("msg_temporary-failure", "Not delivered yet: trying again", "Bado haijafika: tunajaribu tena"),
    ("msg_permanent-failure", "Could not be delivered", "Haikuweza kufika"),
    ("msg_technical-failure", "Not sent: a problem on our side", "Haikutumwa: tatizo upande wetu"),
    ("msg_other", "Account message", "Ujumbe wa akaunti"),
    ("event_application.received", "Application received", "Ombi limepokelewa"),
    ("event_application.information_requested", "More information requested", "Taarifa zaidi zimeombwa"),
    ("event_application.approved", "Application approved", "Ombi limekubaliwa"),
    ("event_application.rejected", "Application not approved", "Ombi halikukubaliwa"),
    ("event_document.issued", "Document issued", "Hati imetolewa"),
    ("event_bill.raised", "Bill raised", "Ankara imetolewa"),
    ("event_payment.received", "Payment received", "Malipo yamepokelewa"),
    ("event_refund.issued", "Refund issued", "Marejesho yametolewa"),
    ("event_appointment.reminder", "Appointment reminder", "Kumbusho la miadi"),
    ("event_appointment.booked", "Appointment booked", "Miadi imewekwa"),
    ("event_appointment.moved", "Appointment moved", "Miadi imehamishwa"),
    ("event_appointment.cancelled", "Appointment cancelled", "Miadi imefutwa"),
    ("event_ticket.near", "Queue ticket: nearly your turn", "Tiketi ya foleni: zamu yako inakaribia"),
    ("event_ticket.survey", "Queue ticket: how satisfied were you?", "Tiketi ya foleni: uliridhika kiasi gani?"),
    ("templates_title", "Message templates", "Violezo vya ujumbe"),
    ("templates_lead", "What Lango tells people when something happens to their application, bill or appointment. Words in braces, like {reference}, are filled in for each person.", "Lango inachowaambia watu jambo linapotokea kwa ombi, ankara au miadi yao. Maneno kwenye mabano, kama {reference}, hujazwa kwa kila mtu."),
    ("template_default", "Default text", "Maandishi ya awali"),
    ("template_changed", "Changed", "Yamebadilishwa"),
    ("edit", "Edit", "Hariri"),
    ("template_subject", "Subject", "Kichwa cha barua"),
    ("template_body", "Text", "Maandishi"),
    ("template_placeholders", "Placeholders this message offers", "Vishika-nafasi vya ujumbe huu"),
    ("template_required", "must be used", "lazima kitumike"),
    ("template_optional", "may be used", "kinaweza kutumika"),
    ("example", "Example", "Mfano"),
    ("preview", "Preview", "Onyesho"),
    ("preview_lead", "The text as a person would receive it, with example values.", "Maandishi kama mtu atakavyoyapokea, kwa thamani za mfano."),
    ("show_preview", "Show a preview", "Onyesha"),
    ("template_saved", "The template has been saved. Messages from now on use it.", "Kiolezo kimehifadhiwa. Ujumbe kuanzia sasa utakitumia."),
    ("template_reset", "Go back to the default text", "Rudisha maandishi ya awali"),
    ("template_reset_done", "The default text is in force again.", "Maandishi ya awali yanatumika tena."),
    ("template_unknown", "%1 is not a placeholder of this message. Use one of those listed", "%1 si kishika-nafasi cha ujumbe huu. Tumia mojawapo ya vilivyoorodheshwa"),
    ("template_missing", "The text must use %1", "Maandishi lazima yatumie %1"),
    ("template_malformed", "The brace at character %1 (“%2”) does not make a placeholder. Placeholders look like {reference}", "Bano kwenye herufi ya %1 (“%2”) haliundi kishika-nafasi. Vishika-nafasi huandikwa kama {reference}"),
    ("template_empty", "Enter the text", "Andika maandishi"),
    ("template_too_long", "The text must be %1 characters or fewer", "Maandishi yasizidi herufi %1"),
    ("template_event", "Message", "Ujumbe"),
    ("template_placeholder", "Placeholder", "Kishika-nafasi"),
    ("template_use", "Use", "Matumizi"),
    ("sms_length", "With the example values: %1 characters, %2 SMS part(s)", "Kwa thamani za mfano: herufi %1, sehemu %2 za SMS"),
];

/// Every (key, English, Kiswahili) of the word tables: the general one and each room's
/// own (also for checks that a page in one language shows none of the other's words).
pub fn all() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    WORDS
        .iter()
        .chain(pay::WORDS)
        .chain(cards::WORDS)
        .chain(cash::WORDS)
        .chain(claims::WORDS)
        .chain(centres::WORDS)
        .chain(centres_admin::WORDS)
        .chain(centres_refusals::WORDS)
        .chain(documents::WORDS)
        .chain(finance::WORDS)
        .chain(settlement::WORDS)
        .chain(duties::WORDS)
        .chain(apply::WORDS)
        .chain(assist::WORDS)
        .chain(work::WORDS)
        .chain(services_admin::WORDS)
        .chain(insights::WORDS)
        .chain(performance::WORDS)
        .chain(survey::WORDS)
        .chain(about::WORDS)
        .chain(edge::WORDS)
        .chain(accounts::WORDS)
        .chain(activity::WORDS)
        .chain(sign_in_with_lango::WORDS)
        .chain(agents::WORDS)
}

fn table() -> &'static HashMap<&'static str, (&'static str, &'static str)> {
    static T: OnceLock<HashMap<&'static str, (&'static str, &'static str)>> = OnceLock::new();
    T.get_or_init(|| all().map(|(k, en, sw)| (*k, (*en, *sw))).collect())
}

/// The words for `key` in `lang`; an unknown key shows itself, so a gap is visible, not blank.
pub fn tr(lang: Lang, key: &str) -> &'static str {
    match table().get(key) {
        Some((en, sw)) => match lang {
            Lang::En => en,
            Lang::Sw => sw,
        },
        None => {
            tracing::warn!(key, "no words for key");
            "?"
        }
    }
}

/// True when `key` has words (for the hint of an optional field).
pub fn has(key: &str) -> bool {
    table().contains_key(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_once_and_every_template_key_known() {
        let mut seen = std::collections::HashSet::new();
        for (k, en, sw) in all() {
            assert!(seen.insert(*k), "{k} twice");
            assert!(!en.is_empty() && !sw.is_empty(), "{k} empty");
        }
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for part in text.split("tr(\"").skip(1) {
                let key = part.split('"').next().unwrap();
                assert!(has(key), "template key {key} has no words");
            }
        }
    }
}
