//! The patient-data guard: everything a member writes (posts, titles, descriptions, profile
//! text, notes, messages) is screened for details that could identify a patient or service
//! user before it is saved, so the author can take them out. Heuristics, not a filter: a
//! finding is a reason to look again, and each says where it is and why it counts.
//!
//! What counts:
//! - an NHS number: ten digits, however spaced, that pass the NHS check-digit test
//!   (`nhs_number`);
//! - a date of birth: a full date beside "born", "DOB", an age or a titled name
//!   (`birth_dates`);
//! - a full postcode in the same sentence as a person's name (`postcodes`, `names`).
//!
//! A text is screened as its reader sees it as well as as it was typed: look-alike
//! characters made the same (full-width digits are digits), invisible ones taken out,
//! Markdown and HTML read as the page shows them, so `943<!-- -->476<!-- -->5919` is an
//! NHS number ([`crate::markdown::reader_text`]). The text as typed is screened too, for what
//! a reader would not see but the site still stores: an HTML comment, a link's address.

mod birth_dates;
mod names;
mod nhs_number;
mod postcodes;
mod reading;

use std::ops::Range;

use chrono::Datelike;

pub use nhs_number::is_nhs_number;

/// A text as the guard read it, and what it found there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screened {
    /// What a reader sees: normalised (NFKC, invisible characters out), Markdown and HTML
    /// read as the page shows them.
    pub text: String,
    /// The text as typed, normalised the same way.
    pub source: String,
    /// What a reader sees first (NHS numbers, dates of birth, postcodes), then what only the
    /// source holds.
    pub findings: Vec<Finding>,
}

/// One thing that could identify someone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: FindingKind,
    /// Byte range in [`Screened::text`], or in [`Screened::source`] when `hidden`.
    pub span: Range<usize>,
    /// What makes a date or a postcode count, in the same text: the birth word, age or name
    /// beside a date of birth; the name beside a postcode. None for an NHS number.
    pub cue: Option<Range<usize>>,
    /// Found only in a part a reader does not see (an HTML comment, a link's address): the
    /// site stores it all the same.
    pub hidden: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingKind {
    NhsNumber,
    DateOfBirth,
    PostcodeWithName,
}

impl FindingKind {
    /// What was found, in a few words: "an NHS number".
    pub fn what(self) -> &'static str {
        match self {
            FindingKind::NhsNumber => "an NHS number",
            FindingKind::DateOfBirth => "a date of birth",
            FindingKind::PostcodeWithName => "a postcode next to a name",
        }
    }
}

impl Finding {
    /// Why it counts, in plain words.
    pub fn why(&self) -> &'static str {
        match self.kind {
            FindingKind::NhsNumber => {
                "looks like an NHS number (it passes the NHS check-digit test)"
            }
            FindingKind::DateOfBirth => {
                "looks like a date of birth (a full date beside \u{201c}born\u{201d}, \
                 \u{201c}DOB\u{201d}, an age or a person's name)"
            }
            FindingKind::PostcodeWithName => {
                "a full postcode in the same sentence as a person's name can say where they live"
            }
        }
    }
}

impl Screened {
    /// Nothing found.
    pub fn is_clear(&self) -> bool {
        self.findings.is_empty()
    }

    /// The words a finding is about, as the guard read them.
    pub fn matched(&self, finding: &Finding) -> &str {
        &self.text_of(finding)[finding.span.clone()]
    }

    /// The birth word, age or name that made a finding count.
    pub fn cue(&self, finding: &Finding) -> Option<&str> {
        let cue = finding.cue.clone()?;
        Some(&self.text_of(finding)[cue])
    }

    fn text_of(&self, finding: &Finding) -> &str {
        if finding.hidden {
            &self.source
        } else {
            &self.text
        }
    }

    /// A finding for its author: "an NHS number (943 476 5919)", "a date of birth
    /// (12/03/1954, beside “born”)".
    pub fn described(&self, finding: &Finding) -> String {
        let mut words = format!("{} ({}", finding.kind.what(), self.matched(finding));
        if let Some(cue) = self.cue(finding) {
            words.push_str(&format!(", beside \u{201c}{cue}\u{201d}"));
        }
        words.push(')');
        if finding.hidden {
            words.push_str(", where readers do not see it (in a comment or a link's address)");
        }
        words
    }
}

/// Screens one text: a post, a title, a description, a note.
pub fn screen(text: &str) -> Screened {
    screen_in(text, chrono::Utc::now().year())
}

/// One field of a form with something in it, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flagged<'f> {
    /// The field as the author knows it: "title", "post", "description".
    pub field: &'f str,
    pub screened: Screened,
}

impl Flagged<'_> {
    /// Each finding for its author: "an NHS number (943 476 5919) in the title".
    pub fn descriptions(&self) -> impl Iterator<Item = String> + '_ {
        self.screened
            .findings
            .iter()
            .map(|finding| format!("{} in the {}", self.screened.described(finding), self.field))
    }
}

/// Screens the fields of one form, each by itself: `(field, text)` pairs in, the fields
/// with something in them out (none: all clear).
pub fn screen_fields<'f>(fields: &[(&'f str, &str)]) -> Vec<Flagged<'f>> {
    let this_year = chrono::Utc::now().year();
    fields
        .iter()
        .map(|(field, text)| Flagged {
            field,
            screened: screen_in(text, this_year),
        })
        .filter(|flagged| !flagged.screened.is_clear())
        .collect()
}

/// What becomes of a text the guard has read: published, or held for a facilitator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing found, or a facilitator has already passed it: everyone may read it.
    Publish,
    /// Something found and the author confirmed it all the same: it is saved, and only its
    /// author and the facilitators see it until a facilitator approves it.
    Hold,
}

impl Verdict {
    pub fn holds(self) -> bool {
        self == Verdict::Hold
    }
}

/// What the author is asked to look at again before anything is saved: each finding, in
/// plain words with its field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Concerns(pub Vec<String>);

/// The one check every form that publishes member text makes: screen its fields; when
/// something is found, ask the author first (`Err`), and hold it once they have confirmed.
pub fn verdict(fields: &[(&str, &str)], confirmed: bool) -> Result<Verdict, Concerns> {
    let flagged = screen_fields(fields);
    if flagged.is_empty() {
        Ok(Verdict::Publish)
    } else if confirmed {
        Ok(Verdict::Hold)
    } else {
        Err(Concerns(
            flagged.iter().flat_map(|f| f.descriptions()).collect(),
        ))
    }
}

/// The check for a text only facilitators read (a report's reason, a note): nothing is
/// published, so nothing is held; a finding is refused with what to take out.
pub fn refuse_identifying(text: &str) -> Result<(), String> {
    let screened = screen(text);
    match screened.findings.first() {
        None => Ok(()),
        Some(finding) => Err(format!(
            "Take out {}: describe it without details that identify a patient or service user",
            screened.described(finding)
        )),
    }
}

/// [`screen`] in a given year: a date of birth cannot lie ahead of it.
fn screen_in(text: &str, this_year: i32) -> Screened {
    let source = reading::normalised(text);
    let mut reader_text = crate::markdown::reader_text(&source);
    reader_text.truncate(reader_text.trim_end().len());
    let mut findings = findings_in(&reader_text, this_year);
    let seen: Vec<(FindingKind, String)> = findings
        .iter()
        .map(|f| (f.kind, same_words(&reader_text[f.span.clone()])))
        .collect();
    findings.extend(
        findings_in(&source, this_year)
            .into_iter()
            .filter(|f| !seen.contains(&(f.kind, same_words(&source[f.span.clone()]))))
            .map(|f| Finding { hidden: true, ..f }),
    );
    Screened {
        text: reader_text,
        source,
        findings,
    }
}

/// What stays of some words however they are spaced or cased: "M14 5RT" and "m145rt" are
/// the same postcode.
fn same_words(words: &str) -> String {
    words
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Something found, and what beside it makes it count: a date and the birth word, age or
/// name; a postcode and the name.
struct Beside {
    span: Range<usize>,
    cue: Range<usize>,
}

fn findings_in(text: &str, this_year: i32) -> Vec<Finding> {
    let mut findings: Vec<Finding> = nhs_number::nhs_numbers(text)
        .into_iter()
        .map(|span| Finding {
            kind: FindingKind::NhsNumber,
            span,
            cue: None,
            hidden: false,
        })
        .collect();
    let names = names::names(text);
    let sentences = reading::Sentences::of(text);
    let besides = [
        (
            FindingKind::DateOfBirth,
            birth_dates::birth_dates(text, &names, &sentences, this_year),
        ),
        (
            FindingKind::PostcodeWithName,
            postcodes::postcodes_with_names(text, &names, &sentences),
        ),
    ];
    for (kind, found) in besides {
        findings.extend(found.into_iter().map(|beside| Finding {
            kind,
            span: beside.span,
            cue: Some(beside.cue),
            hidden: false,
        }));
    }
    findings
}

#[cfg(test)]
mod tests;
