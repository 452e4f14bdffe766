//! A gentle guard: text that looks like it could identify a patient is flagged before it is
//! saved, so the author can edit it or confirm that it is fine. Heuristics, not a filter:
//! it warns, it never blocks.

use std::sync::OnceLock;

use regex::Regex;

/// Something in a post that looks identifying, described for the author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Concern(pub String);

fn regex(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("pattern compiles"))
}

fn nhs_number_pattern() -> &'static Regex {
    static CELL: OnceLock<Regex> = OnceLock::new();
    regex(&CELL, r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b")
}

fn date_pattern() -> &'static Regex {
    static CELL: OnceLock<Regex> = OnceLock::new();
    regex(
        &CELL,
        r"(?i)\b(\d{1,2}[/.-]\d{1,2}[/.-](\d{4}|\d{2})|\d{1,2}(st|nd|rd|th)?\s+(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?)\s+\d{4})\b",
    )
}

fn postcode_pattern() -> &'static Regex {
    static CELL: OnceLock<Regex> = OnceLock::new();
    regex(&CELL, r"(?i)\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b")
}

/// A person's name as people write them in notes: a title and a surname, or two
/// capitalised words.
fn name_pattern() -> &'static Regex {
    static CELL: OnceLock<Regex> = OnceLock::new();
    regex(
        &CELL,
        r"\b((Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+[A-Z][a-z'-]+|[A-Z][a-z'-]+\s+[A-Z][a-z'-]+)\b",
    )
}

fn birth_keyword_pattern() -> &'static Regex {
    static CELL: OnceLock<Regex> = OnceLock::new();
    regex(&CELL, r"(?i)\b(d\.?o\.?b\.?|date of birth|born)\b")
}

/// An NHS number passes the modulus 11 check on its tenth digit.
pub fn is_nhs_number(digits: &str) -> bool {
    let digits: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != 10 {
        return false;
    }
    let sum: u32 = digits[..9]
        .iter()
        .enumerate()
        .map(|(i, d)| d * (10 - i as u32))
        .sum();
    let check = match 11 - (sum % 11) {
        11 => 0,
        10 => return false,
        n => n,
    };
    check == digits[9]
}

/// How near (in characters) a name must be to a date or postcode to count as "next to".
const NEAR: usize = 40;

fn near_any(start: usize, end: usize, others: &[(usize, usize)]) -> bool {
    others
        .iter()
        .any(|&(s, e)| s <= end + NEAR && start <= e + NEAR)
}

pub fn concerns(text: &str) -> Vec<Concern> {
    let mut found = Vec::new();
    for candidate in nhs_number_pattern().find_iter(text) {
        if is_nhs_number(candidate.as_str()) {
            found.push(Concern(format!("an NHS number ({})", candidate.as_str())));
        }
    }
    let names: Vec<(usize, usize)> = name_pattern()
        .find_iter(text)
        .map(|m| (m.start(), m.end()))
        .collect();
    let birth_words: Vec<(usize, usize)> = birth_keyword_pattern()
        .find_iter(text)
        .map(|m| (m.start(), m.end()))
        .collect();
    for date in date_pattern().find_iter(text) {
        if near_any(date.start(), date.end(), &names)
            || near_any(date.start(), date.end(), &birth_words)
        {
            found.push(Concern(format!(
                "a date of birth next to a name ({})",
                date.as_str()
            )));
        }
    }
    for postcode in postcode_pattern().find_iter(text) {
        if near_any(postcode.start(), postcode.end(), &names) {
            found.push(Concern(format!(
                "a postcode next to a name ({})",
                postcode.as_str()
            )));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_valid_nhs_number_is_flagged() {
        assert!(is_nhs_number("9434765919"));
        let found = concerns("Her number is 943 476 5919, can anyone help?");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].0.contains("NHS number"));
    }

    #[test]
    fn a_ten_digit_number_failing_the_check_is_not() {
        assert!(!is_nhs_number("9434765918"));
        assert!(concerns("Call 0161 555 0123 or ref 9434765918").is_empty());
    }

    #[test]
    fn a_date_of_birth_beside_a_name_is_flagged() {
        let found = concerns("Mrs Patel, 12/03/1954, is struggling with stairs");
        assert!(
            found.iter().any(|c| c.0.contains("date of birth")),
            "{found:?}"
        );
        let found = concerns("DOB 4 March 1961");
        assert!(
            found.iter().any(|c| c.0.contains("date of birth")),
            "{found:?}"
        );
    }

    #[test]
    fn a_meeting_date_alone_is_not() {
        assert!(concerns("the group meets on 12/03/2027 at the library").is_empty());
    }

    #[test]
    fn a_postcode_beside_a_name_is_flagged() {
        let found = concerns("John Smith at M5 4WT needs a referral");
        assert!(found.iter().any(|c| c.0.contains("postcode")), "{found:?}");
        assert!(concerns("the hub is near m5 4wt").is_empty());
    }

    proptest! {
        #[test]
        fn changing_the_check_digit_breaks_a_valid_number(first in proptest::collection::vec(0u32..10, 9)) {
            let sum: u32 = first.iter().enumerate().map(|(i, d)| d * (10 - i as u32)).sum();
            let check = match 11 - (sum % 11) { 11 => 0, 10 => return Ok(()), n => n };
            let number: String = first.iter().map(|d| char::from_digit(*d, 10).unwrap()).collect();
            let valid = format!("{}{}", number, check);
            prop_assert!(is_nhs_number(&valid));
            let wrong = (check + 1) % 10;
            let invalid = format!("{}{}", number, wrong);
            prop_assert!(!is_nhs_number(&invalid));
        }
    }
}
