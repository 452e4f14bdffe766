use super::*;

/// The year the tables are read in: dates of birth cannot lie ahead of it.
const YEAR: i32 = 2026;

use FindingKind::{DateOfBirth as Birth, NhsNumber as Nhs, PostcodeWithName as Postcode};

/// Phrases that must be caught: what was written, what must be found, and the words found.
const CAUGHT: &[(&str, FindingKind, &str)] = &[
    // NHS numbers, however written.
    (
        "Her NHS number is 943 476 5919, can anyone advise?",
        Nhs,
        "943 476 5919",
    ),
    ("NHS no. 943.476.5919", Nhs, "943.476.5919"),
    ("ref 943-476-5919 on the letter", Nhs, "943-476-5919"),
    ("943/476/5919", Nhs, "943/476/5919"),
    ("His number: 9434765919", Nhs, "9434765919"),
    ("943 . 476 - 5919 (mixed)", Nhs, "943 . 476 - 5919"),
    ("943<!-- -->476<!-- -->5919", Nhs, "9434765919"),
    ("９４３ ４７６ ５９１９", Nhs, "943 476 5919"),
    ("943\\-476\\-5919", Nhs, "943-476-5919"),
    ("**943** 476 *5919*", Nhs, "943 476 5919"),
    ("`943 476 5919`", Nhs, "943 476 5919"),
    ("9<em>43</em> 476 5919", Nhs, "943 476 5919"),
    ("943\u{200B}476\u{200B}5919", Nhs, "9434765919"),
    ("NHS&#32;number 943&#32;476&#32;5919", Nhs, "943 476 5919"),
    ("684 171 8615 is on the referral", Nhs, "684 171 8615"),
    ("Numbers 4313433422 and 7219015313", Nhs, "4313433422"),
    ("943 476 5919 12/03/2027 on the letter", Nhs, "943 476 5919"),
    (
        "[the letter](https://example.org/letters?nhs=9434765919)",
        Nhs,
        "9434765919",
    ),
    ("<!-- 943 476 5919 -->Checked, thanks", Nhs, "943 476 5919"),
    // Dates of birth beside a birth word, an age or a titled name.
    (
        "Mrs Patel, born 12/03/1954, also waits.",
        Birth,
        "12/03/1954",
    ),
    ("DOB 12-03-54", Birth, "12-03-54"),
    ("born 1954-03-12", Birth, "1954-03-12"),
    ("d.o.b. 12 March 1954", Birth, "12 March 1954"),
    ("Date of birth: 12th Mar 1954", Birth, "12th Mar 1954"),
    ("Her DOB is March 12, 1954.", Birth, "March 12, 1954"),
    ("born Mar 12 1954 in Bolton", Birth, "Mar 12 1954"),
    (
        "Born on 4 March 1961 and lives alone",
        Birth,
        "4 March 1961",
    ),
    ("birthday 3rd of June 1961", Birth, "3rd of June 1961"),
    ("DOB: 12 / 03 / 1954", Birth, "12 / 03 / 1954"),
    ("dob 12 03 1954", Birth, "12 03 1954"),
    ("D.O.B. 1/2/54", Birth, "1/2/54"),
    ("Date of birth ２０/０１/１９４８", Birth, "20/01/1948"),
    (
        "Mr Jones (12/03/1954) has fallen twice",
        Birth,
        "12/03/1954",
    ),
    (
        "Mrs Khan, March 12, 1954, lives alone",
        Birth,
        "March 12, 1954",
    ),
    ("mrs jones 12.03.1954 lives alone", Birth, "12.03.1954"),
    ("Master Ali, born 02/07/2019", Birth, "02/07/2019"),
    (
        "Mr Smith, 12-Mar-54, referred by his GP",
        Birth,
        "12-Mar-54",
    ),
    (
        "A man aged 72 (12.03.1954) with fatigue",
        Birth,
        "12.03.1954",
    ),
    (
        "She is 72 years old, 12 March 1954 on her letter",
        Birth,
        "12 March 1954",
    ),
    ("**DOB** _12/03/1954_", Birth, "12/03/1954"),
    ("Baby born 02/03/2026 at home", Birth, "02/03/2026"),
    // Postcodes in the same sentence as a person's name.
    ("Mrs Jones lives at M14 5RT", Postcode, "M14 5RT"),
    ("John Smith, M5 4WT", Postcode, "M5 4WT"),
    ("Mr J. Smith, 12 Oak Road, m145rt", Postcode, "m145rt"),
    (
        "Mrs Jones, who has waited since the spring for a home visit from us, lives at M14 5RT.",
        Postcode,
        "M14 5RT",
    ),
    (
        "Please visit Sarah Khan at OL16 2BG when you can",
        Postcode,
        "OL16 2BG",
    ),
    ("Dr Okafor's patient at BL1 1AA", Postcode, "BL1 1AA"),
    ("Mrs <b>Jones</b> lives at M14 5RT", Postcode, "M14 5RT"),
    ("Mr Smith\n12 Oak Road\nM14 5RT", Postcode, "M14 5RT"),
    ("Siân Davies, 3 Mill Lane, SK4 1AA", Postcode, "SK4 1AA"),
    ("Mrs Jones (M14 5RT) needs a referral", Postcode, "M14 5RT"),
    ("SK4 1AA is where Mr Ahmed lives", Postcode, "SK4 1AA"),
    ("mrs jones, m14 5rt", Postcode, "m14 5rt"),
];

/// Ordinary practice phrases that must raise nothing.
const CLEAR: &[&str] = &[
    "The hub at Wythenshawe Forum, M22 5RX, is open on Tuesdays.",
    "Salford Royal, Stott Lane, Salford M6 8HD",
    "Manchester Royal Infirmary, Oxford Road, M13 9WL",
    "Age UK Bolton, Bolton BL1 1AA",
    "Our office moved to Greater Manchester House, M1 2AB.",
    "Stepping Hill Hospital, Poplar Grove, Stockport SK2 7JE",
    "Trafford General, Moorside Road, Urmston M41 5SL",
    "Wigan Social Prescribing Service, WN1 1AA",
    "Meet at Victoria Park, M14 5RT, at 10.",
    "Dr Kershaw's Hospice, Turf Lane, Royton OL2 6ES",
    "John Dalton Street, Manchester M2 6FW",
    "Anna Freud Centre, 4-8 Rodney Street, London N1 9JH",
    "Hazel Grove Medical Centre, SK7 5BS",
    "Grace Road Surgery, M15 4AB",
    "Sarah Street Surgery, M4 1AB",
    "Dr Shah & Partners, Church Street, M30 0LH",
    "The St Mary's Centre, Oxford Road, M13 0JH",
    "Contact the team at 123 Deansgate, M3 2BW.",
    "Ward 4B at the Royal Bolton, BL4 0JR",
    "Our team of 12 OTs covers M14 and M20.",
    "See NICE guideline NG188 on long Covid.",
    "Call us on 0161 555 0123.",
    "Text 07700 900123 to book.",
    "Ring +44 161 555 0123 from abroad.",
    "The freephone line is 0800 123 456.",
    "Email admin@spot.example or call 0161 496 0000.",
    "The reference 943 476 5918 fails the check.",
    "Reference number 1234567890",
    "Covid-19 in 2020 changed everything.",
    "In 2019, 1,234 people were referred.",
    "Rates rose 5.5% in 2023-24.",
    "The group meets on 12/03/2027 at the library.",
    "The meeting on Monday 12 March 2026 was recorded.",
    "Version 2.3.1 of the toolkit came out on 01/02/2026.",
    "Course dates: 3 March, 10 March and 17 March 2027.",
    "Sessions run 10.30-11.45 on Thursdays.",
    "The drop-in on the first Thursday of the month, 12:30 to 1:15.",
    "I was born and raised in Salford.",
    "I was born in 1954 and trained in Bolton.",
    "Funding for aged care is changing.",
    "Open to people aged 18 and over; the next course starts on 12 March 2026.",
    "Her birthday party is on 12 March 2027.",
    "She works on ward 12 at Royal Oldham.",
    "Mr Motivator made exercise fun.",
    "Mrs Jones came to the group.",
    "Dr Shah runs the clinic every Tuesday.",
    "We saw 41 responses in the first cohort.",
    "WEMWBS at baseline and after 3 months, score 45/70.",
    "Our caseloads are around forty active people each.",
    "Mrs Jones. M14 5RT is the hub's postcode, and it has nothing to do with her.",
];

#[test]
fn phrases_that_identify_someone_are_caught() {
    assert!(CAUGHT.len() >= 40);
    for &(phrase, kind, words) in CAUGHT {
        let screened = screen_in(phrase, YEAR);
        assert!(
            screened
                .findings
                .iter()
                .any(|f| f.kind == kind && screened.matched(f) == words),
            "{phrase:?} should show {kind:?} {words:?}: {:?}",
            described(&screened)
        );
    }
}

#[test]
fn ordinary_practice_phrases_are_clear() {
    assert!(CLEAR.len() >= 40);
    for phrase in CLEAR {
        let screened = screen_in(phrase, YEAR);
        assert!(
            screened.is_clear(),
            "{phrase:?}: {:?}",
            described(&screened)
        );
    }
}

fn described(screened: &Screened) -> Vec<String> {
    screened
        .findings
        .iter()
        .map(|f| screened.described(f))
        .collect()
}

#[test]
fn a_postcode_sixty_characters_from_a_titled_name_in_one_sentence() {
    let phrase = CAUGHT
        .iter()
        .map(|(phrase, _, _)| *phrase)
        .find(|phrase| phrase.starts_with("Mrs Jones, who has waited"))
        .expect("in the table");
    let gap = phrase.find("M14").unwrap() - "Mrs Jones".len();
    assert!(gap >= 60, "{gap}");
}

#[test]
fn findings_say_where_and_why() {
    let screened = screen_in("Mrs Patel, born 12/03/1954, lives at M14 5RT.", YEAR);
    let [birth, postcode] = &screened.findings[..] else {
        panic!("{:?}", described(&screened));
    };
    assert_eq!(birth.kind, FindingKind::DateOfBirth);
    assert_eq!(screened.cue(birth), Some("born"));
    assert_eq!(
        screened.described(birth),
        "a date of birth (12/03/1954, beside \u{201c}born\u{201d})"
    );
    assert_eq!(screened.cue(postcode), Some("Mrs Patel"));
    assert!(postcode.why().contains("postcode"));
    assert!(!birth.hidden && !postcode.hidden);

    let screened = screen_in("943<!-- -->476<!-- -->5919", YEAR);
    assert_eq!(screened.text, "9434765919");
    assert_eq!(screened.findings[0].span, 0..10);
    assert_eq!(
        screened.findings[0].why(),
        "looks like an NHS number (it passes the NHS check-digit test)"
    );
}

#[test]
fn what_only_the_source_holds_is_found_and_marked_hidden() {
    let screened = screen_in("See [the letter](https://example.org/?n=9434765919)", YEAR);
    let [finding] = &screened.findings[..] else {
        panic!("{:?}", described(&screened));
    };
    assert!(finding.hidden);
    assert_eq!(screened.matched(finding), "9434765919");
    assert!(screened.described(finding).contains("readers do not see"));

    // Seen by readers and in the source: one finding, not two.
    let screened = screen_in("NHS **943 476 5919**", YEAR);
    assert_eq!(screened.findings.len(), 1);
    assert!(!screened.findings[0].hidden);
}

#[test]
fn fields_are_screened_each_by_itself() {
    let flagged = screen_fields(&[
        ("title", "Mrs Jones"),
        ("post", "lives at M14 5RT"),
        ("tags", "943 476 5919"),
    ]);
    assert_eq!(
        flagged.len(),
        1,
        "a name in one field and a postcode in another"
    );
    assert_eq!(flagged[0].field, "tags");
    assert_eq!(
        flagged[0].descriptions().collect::<Vec<_>>(),
        ["an NHS number (943 476 5919) in the tags"]
    );
    assert!(screen_fields(&[("title", "Pacing"), ("post", "")]).is_empty());
}

#[test]
fn a_long_post_is_screened_quickly() {
    let paragraph = "Mrs Jones from Wythenshawe Forum, M22 5RX, asked about pacing on 12/03/2027 \
                     and called 0161 555 0123; **NG188** says 943 476 5918 *is* fine. ";
    let post = paragraph.repeat(20_000 / paragraph.len() + 1);
    screen_in(&post, YEAR);
    let started = std::time::Instant::now();
    let screened = screen_in(&post, YEAR);
    let took = started.elapsed();
    assert!(screened.findings.len() < 300);
    // Debug builds are many times slower than release (where this takes well under a
    // millisecond); the bound only catches a pattern gone quadratic.
    assert!(took < std::time::Duration::from_millis(500), "{took:?}");
}
