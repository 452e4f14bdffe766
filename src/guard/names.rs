//! Where a text names a person. Practice posts are full of capitalised pairs that are places
//! and services ("Wythenshawe Forum", "Salford Royal", "Age UK", "Greater Manchester"), so a
//! capitalised pair alone is not a name. A name is:
//! - a title and a name: "Mrs Jones", "Mr J. Smith", "Dr Okafor", or typed in lower case,
//!   "mrs jones";
//! - a common given name (`given-names.txt`) and a capitalised word: "John Smith".
//!
//! Either is not a person when it names a place or a service: "Dr Kershaw's Hospice",
//! "John Dalton Street", "Anna Freud Centre".

use std::collections::HashSet;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

/// A person's name, where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Name {
    pub(super) span: Range<usize>,
    /// Written with a title (Mr, Mrs, Dr…).
    pub(super) titled: bool,
}

const TITLES: [&str; 7] = ["Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Master"];

/// Words that make the capitalised words before them a place or a service: "Sarah Street",
/// "Dr Shah's Surgery", "Anna Freud Centre".
const PLACE_WORDS: [&str; 76] = [
    "Academy",
    "Arena",
    "Ave",
    "Avenue",
    "Bank",
    "Baths",
    "Bridge",
    "Building",
    "Buildings",
    "Campus",
    "Center",
    "Centre",
    "Chapel",
    "Church",
    "Class",
    "Classes",
    "Clinic",
    "Close",
    "Club",
    "College",
    "Community",
    "Court",
    "Crescent",
    "Dock",
    "Drive",
    "Estate",
    "Federation",
    "Fields",
    "Forum",
    "Foundation",
    "Gallery",
    "Gardens",
    "Group",
    "Grove",
    "Gurdwara",
    "Hall",
    "Health",
    "Hospice",
    "Hospital",
    "Hotel",
    "House",
    "Hub",
    "Infirmary",
    "Institute",
    "Lane",
    "Library",
    "Lodge",
    "Market",
    "Medical",
    "Memorial",
    "Mews",
    "Mill",
    "Mosque",
    "Museum",
    "Network",
    "Nook",
    "Parade",
    "Park",
    "Partners",
    "Partnership",
    "Place",
    "Practice",
    "Rd",
    "Road",
    "Row",
    "School",
    "Service",
    "Services",
    "Square",
    "St",
    "Station",
    "Street",
    "Surgery",
    "Team",
    "Terrace",
    "Trust",
];

static GIVEN_NAMES: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("given-names.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

/// A word that starts with a capital: a candidate title, name or place word.
static CAPITALISED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b\p{Lu}[\p{L}'’-]*").expect("pattern compiles"));

/// "mrs jones", "Mr smith": names typed in lower case after a Mr or Mrs.
static LOWER_CASE_TITLED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:[Mm]rs?)\.?[ \t]+(\p{Ll}[\p{Ll}'’-]+)").expect("pattern compiles")
});

/// Words after a lower-case "mr"/"mrs" that show it is not a title.
const NOT_NAMES: [&str; 12] = [
    "and", "or", "the", "a", "an", "to", "of", "in", "on", "at", "is", "was",
];

/// Every person's name in `text`, in order.
pub(super) fn names(text: &str) -> Vec<Name> {
    let words: Vec<Range<usize>> = CAPITALISED.find_iter(text).map(|m| m.range()).collect();
    let word = |i: usize| words.get(i).map(|r| &text[r.clone()]);
    // The text between word i and word i + 1.
    let gap = |i: usize| words.get(i + 1).map(|next| &text[words[i].end..next.start]);
    let tight = |i: usize| gap(i).is_some_and(|g| !g.is_empty() && g.len() <= 2 && g.trim() == "");
    let after_title = |i: usize| {
        gap(i).is_some_and(|g| {
            let g = g.strip_prefix('.').unwrap_or(g);
            !g.is_empty() && g.len() <= 2 && g.trim() == ""
        })
    };
    let mut found = Vec::new();
    let mut i = 0;
    while i + 1 < words.len() {
        let first = word(i).expect("in range");
        let mut last = None;
        let mut titled = false;
        if TITLES.contains(&first) && after_title(i) {
            let next = word(i + 1).expect("in range");
            if is_initial(next) {
                // "Mr J Smith", "Mrs J. Smith", or "Mr J" alone.
                let with_surname = after_title(i + 1) && word(i + 2).is_some_and(looks_like_name);
                last = Some(if with_surname { i + 2 } else { i + 1 });
            } else if looks_like_name(next) {
                last = Some(i + 1);
            }
            titled = true;
        } else if GIVEN_NAMES.contains(first)
            && tight(i)
            && word(i + 1).is_some_and(|next| looks_like_name(next) && !TITLES.contains(&next))
        {
            last = Some(i + 1);
        }
        match last {
            Some(last) if !names_a_place(text, &words, last) => {
                found.push(Name {
                    span: words[i].start..words[last].end,
                    titled,
                });
                i = last + 1;
            }
            _ => i += 1,
        }
    }
    for lower in LOWER_CASE_TITLED.captures_iter(text) {
        let name = lower.get(1).expect("a group");
        if !NOT_NAMES.contains(&name.as_str()) {
            let whole = lower.get(0).expect("the match");
            found.push(Name {
                span: whole.start()..name.end(),
                titled: true,
            });
        }
    }
    found.sort_by_key(|name| name.span.start);
    found
}

/// Whether the name ending with word `last` is part of a place's or a service's name: its own
/// last word is a place word, or the next word is ("Dr Shah's Surgery", "Sarah Street",
/// "Dr Shah & Partners").
fn names_a_place(text: &str, words: &[Range<usize>], last: usize) -> bool {
    let own = without_possessive(&text[words[last].clone()]);
    if PLACE_WORDS.contains(&own) {
        return true;
    }
    let Some(next) = words.get(last + 1) else {
        return false;
    };
    let between = text[words[last].end..next.start].trim();
    matches!(between, "" | "&" | "and")
        && next.start - words[last].end <= 7
        && PLACE_WORDS.contains(&without_possessive(&text[next.clone()]))
}

/// "Jones's" → "Jones".
fn without_possessive(word: &str) -> &str {
    word.strip_suffix("'s")
        .or_else(|| word.strip_suffix("’s"))
        .unwrap_or(word)
}

/// A capitalised name as people write one: "Jones", "O'Brien", "McDonald", "Smith-Jones",
/// "Siân"; not "NHS", "OTs" or a single letter.
fn looks_like_name(word: &str) -> bool {
    let word = without_possessive(word);
    let mut chars = word.chars();
    let second = chars.nth(1);
    word.chars().count() >= 2
        && second.is_some_and(|c| c.is_lowercase() || c == '\'' || c == '’')
        && word.chars().any(char::is_lowercase)
        && !PLACE_WORDS.contains(&word)
}

/// "J" in "Mr J Smith".
fn is_initial(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(char::is_uppercase) && chars.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        names(text).into_iter().map(|n| &text[n.span]).collect()
    }

    #[test]
    fn titled_names_in_their_usual_forms() {
        assert_eq!(found("Mrs Jones came"), ["Mrs Jones"]);
        assert_eq!(
            found("Mr. J. Smith and Dr Okafor"),
            ["Mr. J. Smith", "Dr Okafor"]
        );
        assert_eq!(found("seen by Mr J today"), ["Mr J"]);
        assert_eq!(found("Mrs O'Brien-Hughes's son"), ["Mrs O'Brien-Hughes's"]);
        assert_eq!(found("then mrs jones rang"), ["mrs jones"]);
        assert!(names("mrs jones").iter().all(|n| n.titled));
    }

    #[test]
    fn given_name_and_surname() {
        assert_eq!(found("Ask John Smith"), ["John Smith"]);
        assert_eq!(found("Meet Siân Davies"), ["Siân Davies"]);
        let untitled = names("John Smith");
        assert!(!untitled[0].titled);
    }

    #[test]
    fn places_and_services_are_not_people() {
        for text in [
            "Wythenshawe Forum",
            "Salford Royal",
            "Manchester Royal Infirmary",
            "Greater Manchester",
            "Age UK Bolton",
            "John Dalton Street",
            "Sarah Street",
            "Dr Kershaw's Hospice",
            "Dr Shah & Partners",
            "Anna Freud Centre",
            "Hazel Grove",
            "Tuesday March",
            "The NHS and OTs",
            "mr and mrs",
        ] {
            assert!(names(text).is_empty(), "{text}: {:?}", found(text));
        }
    }
}
