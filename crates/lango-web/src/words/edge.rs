//! Words of the web edge's refusals: (key, English, Kiswahili).

/// This module's words.
pub const WORDS: &[(&str, &str, &str)] = &[
    (
        "url_not_https",
        "Enter an https:// address: events are only sent encrypted",
        "Andika anwani ya https://: matukio hutumwa kwa usimbaji fiche tu",
    ),
    (
        "url_not_public",
        "Enter an address on the public internet, not a private, local or internal one",
        "Andika anwani iliyo kwenye mtandao wa umma, si ya faragha, ya ndani au ya kompyuta hii",
    ),
    (
        "url_unresolvable",
        "This address's name could not be found: check it and try again",
        "Jina la anwani hii halikupatikana: likague kisha ujaribu tena",
    ),
];
