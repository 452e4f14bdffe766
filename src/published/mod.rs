//! The pages SPOT publishes for everyone, as a public-sector service does: the privacy
//! notice, the terms of use, the community guidelines, the accessibility statement, and the
//! words above the contact form. Each ships with a text written for SPOT (`defaults/`); an
//! admin may rewrite any of them in Markdown (`/admin/pages/{page}`), or go back to SPOT's
//! own. The footer of every page links to all five.

pub mod pages;
pub mod routes;
pub mod texts;

use std::fmt;

use crate::accounts::values::text_enum;

text_enum!(Published, "a page", {
    Privacy => ("privacy", "Privacy notice"),
    Terms => ("terms", "Terms of use"),
    Guidelines => ("guidelines", "Community guidelines"),
    Accessibility => ("accessibility", "Accessibility statement"),
    Contact => ("contact", "Contact the SPOT team"),
});

impl Published {
    /// Where everyone reads it.
    pub fn path(self) -> &'static str {
        match self {
            Published::Privacy => "/privacy",
            Published::Terms => "/terms",
            Published::Guidelines => "/guidelines",
            Published::Accessibility => "/accessibility",
            Published::Contact => "/contact",
        }
    }

    /// Its link in the footer.
    pub fn link_text(self) -> &'static str {
        match self {
            Published::Privacy => "Privacy",
            Published::Terms => "Terms of use",
            Published::Guidelines => "Community guidelines",
            Published::Accessibility => "Accessibility",
            Published::Contact => "Contact us",
        }
    }

    /// The text SPOT ships with, until an admin writes their own.
    pub fn default_source(self) -> &'static str {
        match self {
            Published::Privacy => include_str!("defaults/privacy.md"),
            Published::Terms => include_str!("defaults/terms.md"),
            Published::Guidelines => include_str!("defaults/guidelines.md"),
            Published::Accessibility => include_str!("defaults/accessibility.md"),
            Published::Contact => include_str!("defaults/contact.md"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_has_its_own_text_and_address() {
        for page in Published::ALL {
            assert!(page.default_source().len() > 200, "{page:?}");
            assert_eq!(page.path(), format!("/{}", page.slug()));
        }
        assert!(Published::Guidelines
            .default_source()
            .contains("never post anything that could identify a patient"));
    }

    #[test]
    fn the_privacy_notice_quotes_every_retention_period() {
        let source = Published::Privacy.default_source();
        for setting in crate::retention::SETTINGS {
            let placeholder = format!("{{retention.{}}}", setting.key);
            assert!(source.contains(&placeholder), "{placeholder}");
        }
    }

    #[test]
    fn pages_are_stored_as_their_slugs() {
        crate::accounts::values::stored::assert_stored_as(
            Published::ALL,
            &[
                (Published::Privacy, "privacy"),
                (Published::Terms, "terms"),
                (Published::Guidelines, "guidelines"),
                (Published::Accessibility, "accessibility"),
                (Published::Contact, "contact"),
            ],
            &["about", ""],
        );
    }
}
