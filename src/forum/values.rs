//! What a forum form may carry, parsed, and where a report stands.

use std::fmt;

use crate::accounts::values::text_enum;

text_enum!(ReportStatus, "a report status", {
    Open => ("open", "Open"),
    Resolved => ("resolved", "Resolved"),
    Dismissed => ("dismissed", "Dismissed"),
});

/// A thread's title: 3 to 200 characters of one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadTitle(String);

impl ThreadTitle {
    pub const MAX: usize = 200;

    pub fn parse(input: &str) -> Result<Self, String> {
        let title = input.split_whitespace().collect::<Vec<_>>().join(" ");
        let length = title.chars().count();
        if length == 0 {
            return Err("Enter a title".into());
        }
        if length < 3 {
            return Err("Title must be at least 3 characters".into());
        }
        if length > Self::MAX {
            return Err(format!(
                "Title must be {} characters or fewer (it has {length})",
                Self::MAX
            ));
        }
        if title.chars().any(char::is_control) {
            return Err("Title must not contain control characters".into());
        }
        Ok(Self(title))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A post's Markdown source, up to 50,000 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostBody(String);

impl PostBody {
    pub const MAX: usize = 50_000;
    /// Each mention can notify and email someone: a post may not page a crowd.
    pub const MAX_MENTIONS: usize = 20;

    pub fn parse(input: &str) -> Result<Self, String> {
        // Browsers send CRLF; store plain newlines so edits compare cleanly.
        let body = input.replace("\r\n", "\n");
        let body = body.trim_end();
        let body = body.trim_start_matches(['\n', '\r']);
        if body.trim().is_empty() {
            return Err("Enter the text of your post".into());
        }
        let length = body.chars().count();
        if length > Self::MAX {
            return Err(format!(
                "Post must be {} characters or fewer (it has {length})",
                Self::MAX
            ));
        }
        if body
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\t'))
        {
            return Err("Post must not contain control characters".into());
        }
        let mentions = super::mentions::count(body);
        if mentions > Self::MAX_MENTIONS {
            return Err(format!(
                "A post can mention at most {} people (this one mentions {mentions}). To reach a whole group, post in their category or share the thread's link",
                Self::MAX_MENTIONS
            ));
        }
        Ok(Self(body.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why something was reported, hidden or a member suspended: 3 to 500 characters, with
/// nothing that identifies a patient (facilitators read it, and it is emailed and logged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason(String);

impl Reason {
    pub const MAX: usize = 500;

    pub fn parse(input: &str) -> Result<Self, String> {
        let reason = input.trim();
        let length = reason.chars().count();
        if length == 0 {
            return Err("Give a reason".into());
        }
        if length < 3 {
            return Err("Reason must be at least 3 characters".into());
        }
        if length > Self::MAX {
            return Err(format!("Reason must be {} characters or fewer", Self::MAX));
        }
        crate::guard::refuse_identifying(reason)?;
        Ok(Self(reason.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A category's address: lower-case letters, digits and hyphens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategorySlug(String);

impl CategorySlug {
    pub fn parse(input: &str) -> Result<Self, String> {
        let slug = input.trim();
        if slug.is_empty() {
            return Err("Enter a web address for the category".into());
        }
        if slug.len() > 60 {
            return Err("Web address must be 60 characters or fewer".into());
        }
        if !slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            || slug.starts_with('-')
            || slug.ends_with('-')
        {
            return Err(
                "Web address can only use lower-case letters, digits and hyphens, like practice-questions"
                    .into(),
            );
        }
        Ok(Self(slug.to_owned()))
    }

    /// A slug made from a name: "Local services & boroughs" → "local-services-boroughs".
    pub fn from_name(name: &str) -> Result<Self, String> {
        let mut slug = String::new();
        for c in name.to_lowercase().chars() {
            if c.is_ascii_alphanumeric() {
                slug.push(c);
            } else if !slug.ends_with('-') && !slug.is_empty() {
                slug.push('-');
            }
        }
        Self::parse(slug.trim_end_matches('-'))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::values::stored;
    use proptest::prelude::*;

    #[test]
    fn report_statuses_are_stored_as_the_same_words_as_ever() {
        use ReportStatus::*;
        stored::assert_stored_as(
            ReportStatus::ALL,
            &[
                (Open, "open"),
                (Resolved, "resolved"),
                (Dismissed, "dismissed"),
            ],
            &["Open", "closed", ""],
        );
    }

    #[test]
    fn titles_are_one_line_and_bounded() {
        assert_eq!(
            ThreadTitle::parse("  Fatigue \n pacing  ")
                .unwrap()
                .as_str(),
            "Fatigue pacing"
        );
        assert!(ThreadTitle::parse("").is_err());
        assert!(ThreadTitle::parse(&"a".repeat(201)).is_err());
        assert!(ThreadTitle::parse(&"a".repeat(200)).is_ok());
    }

    #[test]
    fn bodies_must_have_text_and_fit() {
        assert!(PostBody::parse("   \n ").is_err());
        assert!(PostBody::parse(&"a".repeat(50_001)).is_err());
        assert!(PostBody::parse(&"a".repeat(50_000)).is_ok());
        assert_eq!(PostBody::parse("a\r\nb\r\n").unwrap().as_str(), "a\nb");
    }

    #[test]
    fn slugs_from_names() {
        assert_eq!(
            CategorySlug::from_name("Local services & boroughs")
                .unwrap()
                .as_str(),
            "local-services-boroughs"
        );
        assert!(CategorySlug::parse("Bad Slug").is_err());
        assert!(CategorySlug::parse("-x").is_err());
    }

    proptest! {
        #[test]
        fn a_parsed_title_is_trimmed_single_line(input in "\\PC{0,250}") {
            if let Ok(title) = ThreadTitle::parse(&input) {
                prop_assert!(!title.as_str().contains('\n'));
                prop_assert_eq!(title.as_str().trim(), title.as_str());
                prop_assert!(title.as_str().chars().count() <= ThreadTitle::MAX);
            }
        }
    }
}
