//! Words of separation of duties (four eyes on money moved by hand): (key, English,
//! Kiswahili).

/// This module's words.
pub const WORDS: &[(&str, &str, &str)] = &[
    // Reconciliation: posting money only a statement shows.
    ("rec_four_eyes_hint", "Money only a portal statement shows needs two finance officers: one proposes it, a different one approves it. Money Daraja's Pull Transactions also shows is posted at once.", "Fedha zinazoonyeshwa na taarifa ya akaunti pekee zinahitaji maafisa wawili wa fedha: mmoja anapendekeza, mwingine anaidhinisha. Fedha zinazoonyeshwa pia na Pull Transactions ya Daraja huwekwa mara moja."),
    ("rec_proposed_at", "Proposed by %1, %2: a second finance officer must approve it", "Imependekezwa na %1, %2: afisa mwingine wa fedha lazima aidhinishe"),
    ("rec_proposed_count", "%1 payments proposed. A second finance officer must approve them before they are posted.", "Malipo %1 yamependekezwa. Afisa mwingine wa fedha lazima ayaidhinishe kabla hayajawekwa."),
    ("rec_own_count", "%1 payments were proposed by you: a different finance officer must approve them.", "Malipo %1 yalipendekezwa na wewe: afisa mwingine wa fedha lazima ayaidhinishe."),

    // Suspense: matching money to a bill.
    ("finance_four_eyes_lead", "Money moves out of suspense only when two finance officers agree: the first to confirm a match proposes it, a different one confirms it.", "Fedha hutoka kwenye akaunti ya kusubiri tu maafisa wawili wa fedha wakikubaliana: wa kwanza kuthibitisha ulinganisho anaupendekeza, mwingine anauthibitisha."),
    ("finance_pending_title", "Proposed match", "Ulinganisho uliopendekezwa"),
    ("finance_pending_mine", "You proposed this match. A different finance officer must confirm it before the money moves.", "Wewe ulipendekeza ulinganisho huu. Afisa mwingine wa fedha lazima authibitishe kabla fedha hazijahamishwa."),
    ("finance_pending_other", "Another finance officer proposed this match. Check it and confirm it, or enter another bill to propose that instead.", "Afisa mwingine wa fedha alipendekeza ulinganisho huu. Ukague na uuthibitishe, au andika bili nyingine kuipendekeza badala yake."),
    ("finance_proposed_by", "Proposed by", "Imependekezwa na"),
    ("finance_proposed_at", "Proposed at", "Ilipendekezwa saa"),
    ("finance_match_own_title", "A different finance officer must confirm this match", "Afisa mwingine wa fedha lazima athibitishe ulinganisho huu"),
    ("finance_match_own_body", "You proposed this match, so you may not confirm it too. Money moves out of suspense only when two finance officers agree.", "Wewe ulipendekeza ulinganisho huu, kwa hiyo huwezi kuuthibitisha pia. Fedha hutoka kwenye akaunti ya kusubiri tu maafisa wawili wa fedha wakikubaliana."),

    // Accounts.
    ("two_factor_already_on", "Your second factor is already on. To use another app, turn it off first with a code from your current app", "Kithibitishi chako cha pili tayari kimewashwa. Kutumia programu nyingine, kizime kwanza kwa nambari kutoka programu yako ya sasa"),
];
