//! Words of the centres' refusals: the keys of `lango_centres::Refusal::code` (%1, %2, %3:
//! what it carries, filled by `pages::centres_refusal::worded`), and ticket statuses.

/// This module's words.
pub const WORDS: &[(&str, &str, &str)] = &[
    (
        "centres_date_invalid",
        "Give the date as YYYY-MM-DD",
        "Andika tarehe kama YYYY-MM-DD",
    ),
    (
        "centres_day_invalid",
        "Enter the day as YYYY-MM-DD",
        "Andika siku kama YYYY-MM-DD",
    ),
    (
        "centres_service_code_invalid",
        "%1 is not a service code",
        "%1 si msimbo wa huduma",
    ),
    (
        "centres_service_not_offered",
        "%1 does not offer %2",
        "%1 hakitoi huduma ya %2",
    ),
    ("centres_name_required", "Enter the name", "Andika jina"),
    (
        "centres_name_too_long",
        "The name is one line of at most %1 characters",
        "Jina ni mstari mmoja usiozidi herufi %1",
    ),
    (
        "centres_reason_required",
        "Enter the reason",
        "Andika sababu",
    ),
    (
        "centres_reason_too_long",
        "The reason is one line of at most %1 characters",
        "Sababu ni mstari mmoja usiozidi herufi %1",
    ),
    (
        "centres_phone_invalid",
        "Enter a mobile number, such as 0712 345 678",
        "Andika nambari ya simu, kama 0712 345 678",
    ),
    (
        "centres_id_number_invalid",
        "Enter an ID or passport number (5 to 20 letters and digits)",
        "Andika nambari ya kitambulisho au pasipoti (herufi na tarakimu 5 hadi 20)",
    ),
    (
        "centres_start_past",
        "That time has passed: choose a later one",
        "Saa hiyo imepita: chagua ya baadaye",
    ),
    (
        "centres_start_too_far",
        "Appointments open %1 days ahead",
        "Miadi huwekwa hadi siku %1 mbele",
    ),
    (
        "centres_day_closed",
        "%1 is closed on %2: %3",
        "%1 kimefungwa tarehe %2: %3",
    ),
    (
        "centres_no_slot",
        "%1 has no %2 slot at %3: choose one of the day's times",
        "%1 hakina nafasi ya %2 saa %3: chagua moja ya saa za siku hiyo",
    ),
    (
        "centres_slot_full",
        "That time is full: choose another time",
        "Saa hiyo imejaa: chagua saa nyingine",
    ),
    (
        "centres_day_taken",
        "Every place for %1 on %2 is taken: choose another day",
        "Nafasi zote za %1 tarehe %2 zimechukuliwa: chagua siku nyingine",
    ),
    (
        "centres_already_booked",
        "This ID number already has an appointment for this service on %1",
        "Nambari hii ya kitambulisho tayari ina miadi ya huduma hii tarehe %1",
    ),
    (
        "centres_day_full",
        "Today's places for %1 are taken: book an appointment for another day",
        "Nafasi za leo za %1 zimechukuliwa: weka miadi ya siku nyingine",
    ),
    (
        "centres_appointment_unknown",
        "There is no appointment %1",
        "Hakuna miadi %1",
    ),
    (
        "centres_not_cancellable",
        "Appointment %1 is %2 and can no longer be cancelled",
        "Miadi %1 iko katika hali ya %2 na haiwezi kufutwa tena",
    ),
    (
        "centres_appointment_status",
        "Appointment %1 is %2",
        "Miadi %1 iko katika hali ya %2",
    ),
    (
        "centres_no_longer_booked",
        "Appointment %1 is no longer booked",
        "Miadi %1 haijawekwa tena",
    ),
    (
        "centres_appointment_reference_invalid",
        "That is not an appointment reference",
        "Hiyo si kumbukumbu ya miadi",
    ),
    (
        "centres_appointment_not_here",
        "There is no appointment %1 at %2",
        "Hakuna miadi %1 katika %2",
    ),
    (
        "centres_appointment_not_today",
        "Appointment %1 is for %2, not today",
        "Miadi %1 ni ya tarehe %2, si leo",
    ),
    (
        "centres_lane_unknown",
        "%1 has no %2 lane",
        "%1 hakina foleni ya %2",
    ),
    ("centres_centre_closed", "%1 is closed", "%1 kimefungwa"),
    (
        "centres_counter_unknown",
        "There is no counter %1",
        "Hakuna dirisha %1",
    ),
    (
        "centres_ticket_unknown",
        "There is no ticket %1",
        "Hakuna tiketi %1",
    ),
    (
        "centres_ticket_elsewhere",
        "Ticket %1 is at counter %2",
        "Tiketi %1 iko kwenye dirisha %2",
    ),
    (
        "centres_ticket_status",
        "Ticket %1 is %2",
        "Tiketi %1 iko katika hali ya %2",
    ),
    (
        "centres_ticket_changed",
        "Ticket %1 changed meanwhile: look again",
        "Tiketi %1 imebadilika wakati huo huo: angalia tena",
    ),
    (
        "centres_transfer_counter_unknown",
        "%1 has no counter %2",
        "%1 hakina dirisha %2",
    ),
    (
        "centres_transfer_nowhere",
        "Transfer to a service or a counter",
        "Hamishia kwenye huduma au dirisha",
    ),
    (
        "centres_ticket_taken",
        "Another counter took that ticket: call again",
        "Dirisha jingine limechukua tiketi hiyo: ita tena",
    ),
    (
        "centres_queue_busy",
        "The queue is busy: call again",
        "Foleni ina shughuli nyingi: ita tena",
    ),
    (
        "centres_closure_unknown",
        "There is no closure on %1",
        "Hakuna kufungwa tarehe %1",
    ),
    // The desk's booking form, before the domain sees it.
    (
        "desk_book_start_invalid",
        "Enter the day as YYYY-MM-DD and the time as HH:MM (East Africa Time)",
        "Andika siku kama YYYY-MM-DD na saa kama HH:MM (saa za Afrika Mashariki)",
    ),
    // Ticket statuses, for the refusals that name one.
    ("centres_ticket_status_waiting", "waiting", "inasubiri"),
    ("centres_ticket_status_called", "called", "imeitwa"),
    ("centres_ticket_status_held", "on hold", "imewekwa kando"),
    ("centres_ticket_status_served", "served", "imehudumiwa"),
    ("centres_ticket_status_no_show", "a no-show", "haikufika"),
];
