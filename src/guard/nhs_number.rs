//! NHS numbers: ten digits whose last is the modulus-11 check digit of the first nine,
//! however they are spaced: "943 476 5919", "943.476.5919", "943-476/5919", "9434765919".
//!
//! Digits are read in runs joined by short separators, so a run of eleven digits (a phone
//! number: "0161 555 0123", "07700 900123") is not read as an NHS number with a digit to
//! spare. A run of more digits can begin or end with a number in the usual 3-3-4 groups
//! ("943 476 5919 12/03/1954"), unless the run follows a "+" (a phone number in
//! international form, "+44 161 555 0123"). An NHS number never starts with 0, and every
//! UK phone number does.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

/// Digits joined by up to three separator characters: spaces, dots, dashes of any kind,
/// slashes, backslashes (a Markdown escape), underscores, middle dots.
static DIGIT_RUN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[0-9]+(?:[ \t./\\_\-‐‑‒–—−·•]{1,3}[0-9]+)*").expect("pattern compiles")
});

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

/// Where `text` holds an NHS number.
pub(super) fn nhs_numbers(text: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    for run in DIGIT_RUN.find_iter(text) {
        let groups = digit_groups(run.as_str(), run.start());
        let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
        let phone = text[..run.start()].trim_end().ends_with('+');
        let mut candidates = Vec::new();
        if lengths.iter().sum::<usize>() == 10 {
            candidates.push(0..groups.len());
        } else if !phone {
            for usual in [&[3, 3, 4][..], &[10]] {
                if lengths.starts_with(usual) {
                    candidates.push(0..usual.len());
                }
                if lengths.ends_with(usual) {
                    candidates.push(groups.len() - usual.len()..groups.len());
                }
            }
        }
        for candidate in candidates {
            let span = groups[candidate.start].start..groups[candidate.end - 1].end;
            let number = &text[span.clone()];
            if !number.starts_with('0') && is_nhs_number(number) {
                found.push(span);
            }
        }
    }
    found
}

/// Where the digits of a run are, `offset` added: "943 476" → [0..3, 4..7].
fn digit_groups(run: &str, offset: usize) -> Vec<Range<usize>> {
    let mut groups: Vec<Range<usize>> = Vec::new();
    for (at, byte) in run.bytes().enumerate() {
        if byte.is_ascii_digit() {
            match groups.last_mut() {
                Some(last) if last.end == offset + at => last.end += 1,
                _ => groups.push(offset + at..offset + at + 1),
            }
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn found(text: &str) -> Vec<&str> {
        nhs_numbers(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn the_check_digit_decides() {
        assert!(is_nhs_number("9434765919"));
        assert!(!is_nhs_number("9434765918"));
        assert!(!is_nhs_number("943476591"));
    }

    #[test]
    fn any_separators_between_the_digits() {
        for text in [
            "943 476 5919",
            "943.476.5919",
            "943-476-5919",
            "943/476/5919",
            "943 - 476 - 5919",
            "943.476-5919",
            "943\\-476\\-5919",
            "9 4 3 4 7 6 5 9 1 9",
            "9434765919",
        ] {
            assert_eq!(found(text).len(), 1, "{text}");
        }
    }

    #[test]
    fn a_number_at_either_end_of_a_longer_run() {
        assert_eq!(
            found("943 476 5919 12/03/1954"),
            ["943 476 5919"],
            "a date after it"
        );
        assert_eq!(found("12/03/1954 943 476 5919"), ["943 476 5919"]);
    }

    #[test]
    fn phone_numbers_are_not_nhs_numbers() {
        for text in [
            "0161 555 0123",
            "07700 900123",
            "0800 123 456",
            "+44 161 555 0123",
            "+44 943 476 5919",
            "01619434765919",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
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
