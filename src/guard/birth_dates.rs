//! Dates of birth: a real date, written in one of the usual ways, in the same sentence as
//! something that makes it someone's birth date and close to it:
//! - a birth word: "born", "DOB", "d.o.b.", "date of birth", "birthday";
//! - an age: "aged 72", "72 years old", "72yo";
//! - a titled name: "Mrs Patel, 12/03/1954".
//!
//! A date alone (a meeting, "the group meets on 12/03/2027") is no one's birth date, and a
//! birth date cannot lie ahead. Beside an age or a name, a date from this year or last is more
//! likely an appointment than a birth, so only older dates count there.

use std::ops::Range;
use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::{Captures, Regex};

use super::names::Name;
use super::reading::{close_in_a_sentence, Sentences};
use super::Beside;

/// How many characters may lie between a date and what makes it a birth date.
const NEAR: usize = 60;

/// The oldest year of birth worth a warning.
const OLDEST: i32 = 1900;

/// Every date of birth in `text`, beside the word, age or name that shows it is one. `names`
/// are the names in it, `this_year` the year now.
pub(super) fn birth_dates(
    text: &str,
    names: &[Name],
    sentences: &Sentences,
    this_year: i32,
) -> Vec<Beside> {
    let mut cues: Vec<(Range<usize>, Cue)> = CUE
        .captures_iter(text)
        .map(|cue| {
            let kind = match cue.name("age") {
                Some(_) => Cue::Age,
                None => Cue::BirthWord,
            };
            (cue.get(0).expect("the match").range(), kind)
        })
        .collect();
    cues.extend(
        names
            .iter()
            .filter(|name| name.titled)
            .map(|name| (name.span.clone(), Cue::TitledName)),
    );
    dates_near(text, &cues, this_year)
        .into_iter()
        .filter(|(_, year)| *year >= OLDEST)
        .filter_map(|(span, year)| {
            let (cue, _) = cues.iter().find(|(cue, kind)| {
                year <= this_year - kind.years_back()
                    && close_in_a_sentence(text, sentences, &span, cue, NEAR)
            })?;
            Some(Beside {
                span,
                cue: cue.clone(),
            })
        })
        .collect()
}

#[derive(Clone, Copy)]
enum Cue {
    BirthWord,
    Age,
    TitledName,
}

impl Cue {
    /// How many years back a date must be, at least, to be a birth date beside this cue.
    fn years_back(self) -> i32 {
        match self {
            Cue::BirthWord => 0,
            Cue::Age | Cue::TitledName => 2,
        }
    }
}

/// A birth word ("born", "DOB", "d.o.b.", "date of birth"), or an age (`age`: "aged 72",
/// "72 years old", "72yo").
static CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:born|date[ \t]+of[ \t]+birth|birth[ \t]?date|birthday|d\.?[ \t]?o\.?[ \t]?b\b\.?)|(?P<age>\baged?[ \t]+[0-9]{1,3}\b|\b[0-9]{1,3}[ \t-]?(?:years?|yrs?)[ \t-]?old\b|\b[0-9]{1,3}[ \t]?y/?o\b)",
    )
    .expect("pattern compiles")
});

const MONTH: &str = "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?";

/// A way of writing a date, and how to read its day, month and year from the match.
struct Form {
    pattern: Regex,
    /// The groups that hold the day, the month and the year.
    day: usize,
    month: usize,
    year: usize,
}

static FORMS: LazyLock<Vec<Form>> = LazyLock::new(|| {
    let form = |pattern: &str, day, month, year| Form {
        pattern: Regex::new(&pattern.replace("MONTH", MONTH)).expect("pattern compiles"),
        day,
        month,
        year,
    };
    // 12/03/1954, 12-03-54, 12.03.1954, 12 / 03 / 1954: one separator throughout, so that
    // "10.30-11.45" is a time and not a date.
    let mut forms: Vec<Form> = ["/", r"\.", "-"]
        .into_iter()
        .map(|separator| {
            let pattern = r"\b([0-9]{1,2}) ?SEP ?([0-9]{1,2}) ?SEP ?([0-9]{4}|[0-9]{2})\b";
            form(&pattern.replace("SEP", separator), 1, 2, 3)
        })
        .collect();
    forms.extend([
        // 12 03 1954
        form(r"\b([0-9]{1,2}) ([0-9]{1,2}) ([0-9]{4})\b", 1, 2, 3),
        // 1954-03-12
        form(r"\b([0-9]{4})[/.\-]([0-9]{1,2})[/.\-]([0-9]{1,2})\b", 3, 2, 1),
        // 12 March 1954, 12th Mar 1954, 12th of March, 1954, 12-Mar-54
        form(
            r"(?i)\b([0-9]{1,2})(?:st|nd|rd|th)?(?:[ \t]+of)?[ \t./\-]*(MONTH)\.?,?[ \t./\-]+([0-9]{4}|'?[0-9]{2})\b",
            1,
            2,
            3,
        ),
        // March 12, 1954, Mar 12 1954, March 12th 1954
        form(
            r"(?i)\b(MONTH)\.?[ \t]+([0-9]{1,2})(?:st|nd|rd|th)?,?[ \t]+([0-9]{4})\b",
            2,
            1,
            3,
        ),
    ]);
    forms
});

/// The real dates written near enough to a cue to count, each with its year: only the
/// stretches of text around the cues are read, which keeps a long post quick.
fn dates_near(
    text: &str,
    cues: &[(Range<usize>, Cue)],
    this_year: i32,
) -> Vec<(Range<usize>, i32)> {
    // Bytes each side of a cue: NEAR characters of up to four bytes, and a long date. A date
    // cut at the edge of a stretch is too far from every cue to count.
    const REACH: usize = NEAR * 4 + 40;
    let mut around: Vec<Range<usize>> = cues
        .iter()
        .map(|(cue, _)| {
            let from = floor_char_boundary(text, cue.start.saturating_sub(REACH));
            from..floor_char_boundary(text, (cue.end + REACH).min(text.len()))
        })
        .collect();
    around.sort_unstable_by_key(|stretch| stretch.start);
    let mut stretches: Vec<Range<usize>> = Vec::new();
    for stretch in around {
        match stretches.last_mut() {
            Some(last) if stretch.start <= last.end => last.end = last.end.max(stretch.end),
            _ => stretches.push(stretch),
        }
    }
    stretches
        .into_iter()
        .flat_map(|stretch| {
            dates(&text[stretch.clone()], this_year)
                .into_iter()
                .map(move |(span, year)| {
                    (stretch.start + span.start..stretch.start + span.end, year)
                })
        })
        .collect()
}

/// The last character boundary at or before `at`.
fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The real dates written in `text`, each with its year, in order and not overlapping.
fn dates(text: &str, this_year: i32) -> Vec<(Range<usize>, i32)> {
    let mut found: Vec<(Range<usize>, i32)> = Vec::new();
    for form in FORMS.iter() {
        for captures in form.pattern.captures_iter(text) {
            if let Some(year) = form.read(&captures, this_year) {
                found.push((captures.get(0).expect("the match").range(), year));
            }
        }
    }
    found.sort_by_key(|(span, _)| (span.start, usize::MAX - span.end));
    let mut kept: Vec<(Range<usize>, i32)> = Vec::with_capacity(found.len());
    for (span, year) in found {
        if kept.last().is_none_or(|(last, _)| last.end <= span.start) {
            kept.push((span, year));
        }
    }
    kept
}

impl Form {
    /// The year of the date matched, when it is a real date (day first, or month first as
    /// in the US).
    fn read(&self, captures: &Captures<'_>, this_year: i32) -> Option<i32> {
        let group = |i: usize| captures.get(i).map_or("", |m| m.as_str());
        let year = full_year(group(self.year), this_year)?;
        let day: u32 = group(self.day).parse().ok()?;
        let month_text = group(self.month);
        let real = |day: u32, month: u32| NaiveDate::from_ymd_opt(year, month, day).is_some();
        let is_real = match month_text.parse::<u32>() {
            Ok(month) => real(day, month) || real(month, day),
            Err(_) => real(day, month_number(month_text)?),
        };
        is_real.then_some(year)
    }
}

/// "1954" → 1954; "54" or "'54" → the latest year ending so, not after this year.
fn full_year(written: &str, this_year: i32) -> Option<i32> {
    let written = written.trim_start_matches('\'');
    let year: i32 = written.parse().ok()?;
    if written.len() == 4 {
        return Some(year);
    }
    let candidate = this_year - this_year.rem_euclid(100) + year;
    Some(if candidate > this_year {
        candidate - 100
    } else {
        candidate
    })
}

fn month_number(name: &str) -> Option<u32> {
    let three = name.get(..3)?.to_ascii_lowercase();
    let months = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    months
        .iter()
        .position(|m| *m == three)
        .map(|i| i as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(text: &str) -> Vec<(&str, i32)> {
        dates(text, 2026)
            .into_iter()
            .map(|(span, year)| (&text[span], year))
            .collect()
    }

    #[test]
    fn dates_in_their_usual_forms() {
        for (text, year) in [
            ("12/03/1954", 1954),
            ("12-03-54", 1954),
            ("12.03.1954", 1954),
            ("3/12/1954", 1954),
            ("1954-03-12", 1954),
            ("12 March 1954", 1954),
            ("12th Mar 1954", 1954),
            ("12th of March, 1954", 1954),
            ("12-Mar-54", 1954),
            ("March 12, 1954", 1954),
            ("Mar 12 1954", 1954),
            ("march 12th 1954", 1954),
            ("12 03 1954", 1954),
            ("1/2/26", 2026),
        ] {
            assert_eq!(written(text), [(text, year)], "{text}");
        }
    }

    #[test]
    fn numbers_that_are_not_dates() {
        for text in [
            "31/02/1954",
            "13/13/1954",
            "0161 555 0123",
            "NG188",
            "in 2020",
            "12 Marathon 1954",
            "version 1.2",
            "10.30-11.45",
        ] {
            assert!(written(text).is_empty(), "{text}: {:?}", written(text));
        }
    }

    #[test]
    fn a_two_digit_year_is_the_latest_not_ahead() {
        assert_eq!(full_year("54", 2026), Some(1954));
        assert_eq!(full_year("26", 2026), Some(2026));
        assert_eq!(full_year("'27", 2026), Some(1927));
    }
}
