//! Reading a text as its reader would: characters that look alike made the same, invisible
//! ones taken out, and where its sentences end.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// `raw` with look-alike characters made the same (NFKC: full-width "９４３" is "943", a
/// no-break space a space, "ﬁ" "fi") and invisible ones taken out (zero-width spaces and
/// joiners, soft hyphens, direction marks), which would otherwise split a number in two
/// without the reader seeing anything.
pub(super) fn normalised(raw: &str) -> String {
    // Most texts are plain ASCII or already normal, and NFKC costs far more than the check.
    let normal = raw.is_ascii()
        || (is_nfkc_quick(raw.chars()) == IsNormalized::Yes && !raw.contains(is_invisible));
    if normal {
        raw.to_owned()
    } else {
        raw.nfkc().filter(|c| !is_invisible(*c)).collect()
    }
}

fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}')
}

/// Where the sentences of a text end: a blank line, or a full stop, question or exclamation
/// mark followed by a capital (so "d.o.b. 12/03/1954" and "Mrs. Jones" stay one sentence).
pub(super) struct Sentences {
    /// Byte offsets where one sentence ends and the next begins, in order.
    ends: Vec<usize>,
}

static STOP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"[.!?…]+["'’”)\]]*\s+|\n[ \t]*\n"#).expect("pattern compiles"));

/// Words that end in a full stop without ending a sentence.
const ABBREVIATIONS: [&str; 9] = ["Mr", "Mrs", "Ms", "Mx", "Dr", "St", "No", "Nos", "vs"];

impl Sentences {
    pub(super) fn of(text: &str) -> Self {
        let ends = STOP
            .find_iter(text)
            .filter(|stop| {
                if stop.as_str().matches('\n').count() >= 2 {
                    return true;
                }
                let word_before = text[..stop.start()]
                    .rsplit(|c: char| !c.is_alphanumeric())
                    .next()
                    .unwrap_or("");
                let abbreviated = stop.as_str().starts_with('.')
                    && (word_before.chars().count() == 1 || ABBREVIATIONS.contains(&word_before));
                let capital_next = text[stop.end()..]
                    .chars()
                    .next()
                    .is_none_or(char::is_uppercase);
                !abbreviated && capital_next
            })
            .map(|stop| stop.start())
            .collect();
        Self { ends }
    }

    /// Whether one sentence holds both spans.
    pub(super) fn together(&self, a: &Range<usize>, b: &Range<usize>) -> bool {
        let (from, to) = (a.start.min(b.start), a.end.max(b.end));
        let next_end = self.ends.partition_point(|&end| end <= from);
        self.ends.get(next_end).is_none_or(|&end| end >= to)
    }
}

/// Whether two spans lie in one sentence with at most `most` characters between them.
pub(super) fn close_in_a_sentence(
    text: &str,
    sentences: &Sentences,
    a: &Range<usize>,
    b: &Range<usize>,
    most: usize,
) -> bool {
    let between = if a.end <= b.start {
        a.end..b.start
    } else if b.end <= a.start {
        b.end..a.start
    } else {
        return true;
    };
    // A character is at most four bytes: a wide gap is far without counting.
    between.len() <= most * 4 && sentences.together(a, b) && text[between].chars().count() <= most
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn look_alikes_are_made_the_same_and_invisibles_go() {
        assert_eq!(normalised("９４３ ４７６ ５９１９"), "943 476 5919");
        assert_eq!(normalised("943\u{200B}476\u{00AD}5919"), "9434765919");
        assert_eq!(normalised("M14\u{00A0}5RT"), "M14 5RT");
    }

    #[test]
    fn sentences_end_at_a_stop_before_a_capital_or_a_blank_line() {
        let text = "Mrs. Jones, d.o.b. 12/03/1954, came. She lives at M14 5RT.\n\nNew one";
        let sentences = Sentences::of(text);
        let at = |word: &str| {
            let start = text.find(word).unwrap();
            start..start + word.len()
        };
        assert!(sentences.together(&at("Mrs. Jones"), &at("12/03/1954")));
        assert!(sentences.together(&at("d.o.b."), &at("came")));
        assert!(!sentences.together(&at("Mrs. Jones"), &at("M14 5RT")));
        assert!(!sentences.together(&at("M14 5RT"), &at("New one")));
        assert!(sentences.together(&at("She"), &at("M14 5RT")));
        let close =
            |a: &str, b: &str, most| close_in_a_sentence(text, &sentences, &at(a), &at(b), most);
        assert!(close("Mrs. Jones", "d.o.b.", 2));
        assert!(!close("Mrs. Jones", "d.o.b.", 1));
        assert!(!close("Mrs. Jones", "M14 5RT", 100));
    }
}
