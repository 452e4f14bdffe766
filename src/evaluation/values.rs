//! The words of feedback forms, parsed at the edge: a question's kind, its place in a
//! before/after pair, its prompt and end labels, and the answers a member gives.

use std::fmt;

use crate::accounts::values::text_enum;

text_enum!(QuestionKind, "a kind of question", {
    Rating => ("rating", "Rating from 1 to 5"),
    Text => ("text", "Free text"),
});

text_enum!(Measure, "whether it measures before or after", {
    Neither => ("", "Neither"),
    Before => ("before", "Before the course"),
    After => ("after", "After the course"),
});

impl Measure {
    /// What the question form sent: nothing means neither.
    pub fn from_form(input: &str) -> Result<Self, String> {
        if input.trim().is_empty() {
            Ok(Measure::Neither)
        } else {
            Self::parse(input)
        }
    }
}

/// Text of bounded length, trimmed and not empty (unless `optional`).
fn bounded_text(input: &str, what: &str, max: usize, optional: bool) -> Result<String, String> {
    let text = input.trim();
    if text.is_empty() && !optional {
        return Err(format!("Enter {what}"));
    }
    if text.chars().count() > max {
        return Err(format!(
            "{} must be {max} characters or fewer",
            capitalised(what)
        ));
    }
    Ok(text.to_owned())
}

fn capitalised(what: &str) -> String {
    let mut chars = what.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A question as the admin words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt(String);

impl Prompt {
    /// Every attendee reads it: nothing that identifies a patient is taken.
    pub fn parse(input: &str) -> Result<Self, String> {
        let text = bounded_text(input, "the question", 300, false)?;
        crate::guard::refuse_identifying(&text)?;
        Ok(Self(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The words at one end of a rating scale ("Not at all", "Very well").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndLabel(String);

impl EndLabel {
    pub fn parse(input: &str, what: &str) -> Result<Self, String> {
        bounded_text(input, what, 40, false).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A rating from 1 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rating(i32);

impl Rating {
    pub const SCALE: std::ops::RangeInclusive<i32> = 1..=5;

    pub fn parse(input: &str) -> Result<Option<Self>, String> {
        let input = input.trim();
        if input.is_empty() {
            return Ok(None);
        }
        match input.parse::<i32>() {
            Ok(n) if Self::SCALE.contains(&n) => Ok(Some(Self(n))),
            _ => Err("Choose a number from 1 to 5".into()),
        }
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A free-text answer: optional, at most 2,000 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreeText(String);

impl FreeText {
    pub const MAX: usize = 2000;

    /// Facilitators and admins read it: nothing that identifies a patient is taken.
    pub fn parse(input: &str) -> Result<Option<Self>, String> {
        let text = bounded_text(input, "your answer", Self::MAX, true)?;
        crate::guard::refuse_identifying(&text)?;
        Ok((!text.is_empty()).then_some(Self(text)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_that_identifies_a_patient_is_refused_with_the_reason() {
        let refused = FreeText::parse("Mrs Patel, born 12/03/1954, was discussed").unwrap_err();
        assert!(refused.contains("12/03/1954"), "{refused}");
        assert!(FreeText::parse("More time for questions")
            .unwrap()
            .is_some());
        assert!(Prompt::parse("Was Mr Jones, NHS number 943 476 5919, helped?").is_err());
    }

    #[test]
    fn ratings_are_one_to_five_or_nothing() {
        assert_eq!(Rating::parse(" 3 "), Ok(Some(Rating(3))));
        assert_eq!(Rating::parse(""), Ok(None));
        assert!(Rating::parse("0").is_err());
        assert!(Rating::parse("6").is_err());
        assert!(Rating::parse("three").is_err());
    }

    #[test]
    fn free_text_is_optional_and_bounded() {
        assert_eq!(FreeText::parse("   "), Ok(None));
        assert_eq!(
            FreeText::parse(" Meet monthly ").map(|t| t.map(|t| t.0)),
            Ok(Some("Meet monthly".into()))
        );
        assert!(FreeText::parse(&"x".repeat(FreeText::MAX + 1)).is_err());
    }

    #[test]
    fn measures_read_from_the_form() {
        assert_eq!(Measure::from_form(""), Ok(Measure::Neither));
        assert_eq!(Measure::from_form("after"), Ok(Measure::After));
        assert!(Measure::from_form("during").is_err());
        assert!(Prompt::parse(" ").is_err());
        assert!(EndLabel::parse(&"x".repeat(41), "the low end").is_err());
    }

    #[test]
    fn kinds_and_measures_are_stored_as_their_words() {
        use crate::accounts::values::stored::assert_stored_as;
        assert_stored_as(
            QuestionKind::ALL,
            &[
                (QuestionKind::Rating, "rating"),
                (QuestionKind::Text, "text"),
            ],
            &["scale"],
        );
        assert_stored_as(
            Measure::ALL,
            &[
                (Measure::Neither, ""),
                (Measure::Before, "before"),
                (Measure::After, "after"),
            ],
            &["during"],
        );
    }
}
