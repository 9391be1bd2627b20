//! Words of the apply pages: (key, English, Kiswahili).

/// This module's words.
pub const WORDS: &[(&str, &str, &str)] = &[
    // Start.
    ("apply_start_now", "Start now", "Anza sasa"),
    (
        "apply_elsewhere",
        "This service is applied for on the own system of",
        "Huduma hii huombwa kwenye mfumo wa",
    ),
    (
        "apply_elsewhere_sign_in",
        "Sign in there with your Lango account: you do not need another one.",
        "Ingia huko kwa akaunti yako ya Lango: huhitaji akaunti nyingine.",
    ),
    (
        "apply_sign_in_first",
        "You will be asked to sign in or create an account first.",
        "Utaombwa kuingia au kufungua akaunti kwanza.",
    ),
    (
        "apply_drafts_saved",
        "Your answers are saved as you go: you can stop and come back later.",
        "Majibu yako yanahifadhiwa unapoendelea: unaweza kusimama na kurudi baadaye.",
    ),
    (
        "apply_for_title",
        "Who is this application for?",
        "Ombi hili ni la nani?",
    ),
    ("apply_for_self", "yourself", "wewe mwenyewe"),
    (
        "apply_for_required",
        "Choose who the application is for",
        "Chagua ombi ni la nani",
    ),
    // Questions.
    ("apply_back", "Back", "Rudi"),
    ("apply_error_prefix", "Error:", "Kosa:"),
    (
        "apply_save_later",
        "Save and come back later",
        "Hifadhi na urudi baadaye",
    ),
    ("apply_add_another", "Add another", "Ongeza jingine"),
    ("apply_choose", "Choose…", "Chagua…"),
    ("apply_yes", "Yes", "Ndiyo"),
    ("apply_no", "No", "Hapana"),
    ("apply_day", "Day", "Siku"),
    ("apply_month", "Month", "Mwezi"),
    ("apply_year", "Year", "Mwaka"),
    (
        "apply_date_hint",
        "For example, 27 3 1990",
        "Kwa mfano, 27 3 1990",
    ),
    ("apply_file_uploaded", "Uploaded:", "Imepakiwa:"),
    (
        "apply_file_replace",
        "Choose another file only to replace it.",
        "Chagua faili jingine tu ukitaka kuibadilisha.",
    ),
    (
        "apply_file_too_large",
        "The file must be smaller than {limit}",
        "Faili lazima liwe dogo kuliko {limit}",
    ),
    (
        "apply_file_wrong_type",
        "The file must be a PDF, JPG or PNG",
        "Faili lazima liwe PDF, JPG au PNG",
    ),
    (
        "apply_file_empty",
        "The file is empty. Choose another",
        "Faili ni tupu. Chagua jingine",
    ),
    // Check, declaration, confirmation.
    (
        "apply_check_title",
        "Check your answers before sending your application",
        "Kagua majibu yako kabla ya kutuma ombi lako",
    ),
    ("apply_change", "Change", "Badilisha"),
    ("apply_not_answered", "Not answered", "Halijajibiwa"),
    ("apply_total", "Total", "Jumla"),
    (
        "apply_now_send",
        "Now send your application",
        "Sasa tuma ombi lako",
    ),
    ("apply_declaration_title", "Declaration", "Tamko"),
    (
        "apply_declaration_agree",
        "I confirm that this declaration is true",
        "Nathibitisha kwamba tamko hili ni la kweli",
    ),
    (
        "apply_declaration_required",
        "Confirm the declaration to send your application",
        "Thibitisha tamko ili kutuma ombi lako",
    ),
    ("apply_send", "Accept and send", "Kubali na utume"),
    (
        "apply_confirmation_title",
        "Application sent",
        "Ombi limetumwa",
    ),
    (
        "apply_your_reference",
        "Your reference number",
        "Nambari yako ya kumbukumbu",
    ),
    (
        "apply_pay_title",
        "Pay for your application",
        "Lipia ombi lako",
    ),
    (
        "apply_payment_number",
        "Payment number (M-Pesa account number):",
        "Nambari ya malipo (nambari ya akaunti ya M-Pesa):",
    ),
    ("apply_pay_now", "Pay now", "Lipa sasa"),
    ("apply_what_next", "What happens next", "Kinachofuata"),
    (
        "apply_now_state",
        "Your application is now:",
        "Ombi lako sasa:",
    ),
    (
        "apply_waits_for_payment",
        "It goes to the agency as soon as it is paid.",
        "Litapelekwa kwa idara mara tu likilipiwa.",
    ),
    (
        "apply_sla_lead",
        "The agency aims to deal with it within",
        "Idara inalenga kulishughulikia ndani ya",
    ),
    ("apply_due", "due by", "kufikia"),
    (
        "apply_we_will_tell_you",
        "We will send you a message when it moves on. You can follow it at any time.",
        "Tutakutumia ujumbe likisonga mbele. Unaweza kulifuatilia wakati wowote.",
    ),
    (
        "apply_track_link",
        "Follow your application",
        "Fuatilia ombi lako",
    ),
    // Track and list.
    ("apply_list_title", "Your applications", "Maombi yako"),
    (
        "apply_list_empty",
        "You have no applications yet.",
        "Bado huna maombi.",
    ),
    ("apply_service", "Service", "Huduma"),
    ("apply_reference", "Reference", "Kumbukumbu"),
    ("apply_status", "Status", "Hali"),
    ("apply_started", "Started", "Ilianzishwa"),
    (
        "apply_continue_draft",
        "continue where you left off",
        "endelea ulipoachia",
    ),
    ("apply_state_draft", "Draft: not sent", "Rasimu: haijatumwa"),
    ("apply_submitted_on", "Sent", "Ilitumwa"),
    ("apply_history", "What has happened", "Yaliyotokea"),
    ("apply_note_no_fee", "No fee to pay", "Hakuna ada ya kulipa"),
    (
        "apply_note_bill_paid",
        "Paid, payment number",
        "Imelipwa, nambari ya malipo",
    ),
    ("apply_note_assigned_to", "Given to", "Imekabidhiwa kwa"),
    (
        "apply_note_unassigned",
        "Back in the queue",
        "Imerudishwa kwenye foleni",
    ),
    ("apply_by_agency_system", "Agency system", "Mfumo wa idara"),
    ("apply_payment", "Payment", "Malipo"),
    (
        "apply_issued",
        "Your documents from the agency",
        "Hati zako kutoka kwa idara",
    ),
    ("apply_number", "Number", "Nambari"),
    ("apply_valid_until", "valid until", "halali hadi"),
    (
        "apply_your_documents",
        "Documents you sent",
        "Hati ulizotuma",
    ),
    (
        "apply_sent_with_message",
        "sent with a message",
        "ilitumwa pamoja na ujumbe",
    ),
    (
        "apply_messages",
        "Messages with the agency",
        "Ujumbe na idara",
    ),
    (
        "apply_no_messages",
        "No messages yet.",
        "Bado hakuna ujumbe.",
    ),
    (
        "apply_message_label",
        "Send a message to the agency",
        "Tuma ujumbe kwa idara",
    ),
    ("apply_message_send", "Send message", "Tuma ujumbe"),
    (
        "apply_message_required",
        "Write your message",
        "Andika ujumbe wako",
    ),
    (
        "apply_message_invalid",
        "The message could not be sent: keep it under 2,000 characters, as plain text",
        "Ujumbe haukuweza kutumwa: usizidi herufi 2,000, maandishi ya kawaida",
    ),
    (
        "apply_request_title",
        "The agency needs more information",
        "Idara inahitaji taarifa zaidi",
    ),
    (
        "apply_request_no_reason",
        "Answer the officer's request below.",
        "Jibu ombi la afisa hapa chini.",
    ),
    ("apply_response", "Your answer", "Jibu lako"),
    (
        "apply_response_file",
        "A document to send with it",
        "Hati ya kutuma pamoja nalo",
    ),
    ("apply_response_send", "Send your answer", "Tuma jibu lako"),
    (
        "apply_response_required",
        "Write your answer to the request",
        "Andika jibu lako kwa ombi",
    ),
    // Refusals.
    (
        "apply_submitted_title",
        "This application has been sent",
        "Ombi hili limeshatumwa",
    ),
    (
        "apply_submitted_body",
        "Its answers can no longer be changed. You can follow it and write to the agency.",
        "Majibu yake hayawezi kubadilishwa tena. Unaweza kulifuatilia na kuiandikia idara.",
    ),
    (
        "apply_conflict_title",
        "This application has moved on",
        "Ombi hili limesonga mbele",
    ),
    (
        "apply_conflict_body",
        "Someone changed it while you were looking. Go back to your applications and try again.",
        "Mtu alilibadilisha ulipokuwa ukiangalia. Rudi kwenye maombi yako ujaribu tena.",
    ),
    (
        "apply_invalid_title",
        "We could not read that",
        "Hatukuweza kusoma hilo",
    ),
    (
        "apply_invalid_body",
        "What was sent is not a form of this service. Go back and try again.",
        "Kilichotumwa si fomu ya huduma hii. Rudi ujaribu tena.",
    ),
];
