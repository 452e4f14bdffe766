//! Full UK postcodes next to a person's name: "Mrs Jones lives at M14 5RT", "John Smith,
//! M5 4WT". A postcode alone, or in a service's address ("The hub at Wythenshawe Forum,
//! M22 5RX"), names no one.

use std::sync::LazyLock;

use regex::Regex;

use super::names::Name;
use super::reading::{close_in_a_sentence, Sentences};
use super::Beside;

/// How many characters may lie between a postcode and a name in the same sentence: an address
/// line or two.
const NEAR: usize = 150;

/// A full postcode, with or without its space, in any case: the outward code (M14, SW1A,
/// BL1) and the inward code (5RT), whose letters are never C, I, K, M, O or V.
static POSTCODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b[A-PR-UWYZ](?:[0-9][0-9A-HJKPSTUW]?|[A-HK-Y][0-9][0-9ABEHMNPRV-Y]?)[ \t]{0,2}[0-9][ABD-HJLNP-UW-Z]{2}\b",
    )
    .expect("pattern compiles")
});

/// Every postcode beside a name, and the name.
pub(super) fn postcodes_with_names(
    text: &str,
    names: &[Name],
    sentences: &Sentences,
) -> Vec<Beside> {
    if names.is_empty() {
        return Vec::new();
    }
    POSTCODE
        .find_iter(text)
        .filter_map(|postcode| {
            let span = postcode.range();
            let name = names
                .iter()
                .find(|name| close_in_a_sentence(text, sentences, &span, &name.span, NEAR))?;
            Some(Beside {
                span,
                cue: name.span.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_postcodes_with_or_without_the_space() {
        for text in [
            "M14 5RT", "m14 5rt", "M145RT", "SW1A 1AA", "BL1 1AA", "OL16 2BG", "WN1  2NN",
        ] {
            assert_eq!(
                POSTCODE.find(text).map(|m| m.as_str()),
                Some(text),
                "{text}"
            );
        }
    }

    #[test]
    fn other_codes_are_not_postcodes() {
        for text in [
            "NG188",
            "M60",
            "Covid-19",
            "B12",
            "0161 555 0123",
            "M14 5CK",
            "Ward 4B",
        ] {
            assert!(POSTCODE.find(text).is_none(), "{text}");
        }
    }
}
