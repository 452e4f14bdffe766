//! What an admin gives for a mark, parsed at the edge: the organisation's name, the image's
//! alternative text, whose mark it is, and the image itself (PNG or WebP by its content).

use std::fmt;

use crate::accounts::values::text_enum;
use crate::resources::sniff::{self, FileType};

text_enum!(MarkRole, "whose mark it is", {
    Programme => ("programme", "The programme's own (who runs it)"),
    Partner => ("partner", "A partner's (a funder or a partner organisation)"),
});

/// An organisation's name as the footer shows it under its mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkName(String);

/// What a screen reader says for the image: the words in the mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AltText(String);

fn one_line(input: &str, what: &str, max: usize) -> Result<String, String> {
    let text = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return Err(format!("Enter {what}"));
    }
    if text.chars().count() > max {
        return Err(format!(
            "{} must be {max} characters or fewer",
            capitalised(what)
        ));
    }
    Ok(text)
}

fn capitalised(what: &str) -> String {
    let mut chars = what.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

impl MarkName {
    pub const MAX: usize = 120;

    pub fn parse(input: &str) -> Result<Self, String> {
        one_line(input, "the organisation's name", Self::MAX).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AltText {
    pub const MAX: usize = 250;

    pub fn parse(input: &str) -> Result<Self, String> {
        one_line(input, "the image's alternative text", Self::MAX).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The largest mark SPOT takes: a logo for a footer needs far less.
pub const MAX_BYTES: u64 = 1024 * 1024;

/// The kinds of image a mark may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkImage {
    Png,
    WebP,
}

impl MarkImage {
    /// Judges an upload by its first bytes, never by its name: PNG and WebP only.
    pub fn judge(head: &[u8], name: &str, size: u64) -> Result<Self, String> {
        if size == 0 {
            return Err("The file is empty".into());
        }
        if size > MAX_BYTES {
            return Err(format!(
                "That image is {} KB; a mark must be {} KB or smaller. Save it smaller (a few hundred pixels wide is plenty) and upload it again.",
                size.div_ceil(1024),
                MAX_BYTES / 1024
            ));
        }
        match sniff::sniff(head, name) {
            Some(FileType::Png) => Ok(MarkImage::Png),
            Some(FileType::WebP) => Ok(MarkImage::WebP),
            _ if is_svg(head) => Err(
                "SPOT does not take SVG images: they can carry scripts. Upload the mark as a PNG or WebP image."
                    .into(),
            ),
            _ => Err("That file is not a PNG or WebP image. Upload the mark as a PNG or WebP image.".into()),
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            MarkImage::Png => "image/png",
            MarkImage::WebP => "image/webp",
        }
    }

    /// The type a stored mark is served with, if it is one SPOT serves inline.
    pub fn from_mime(mime: &str) -> Option<Self> {
        match mime {
            "image/png" => Some(MarkImage::Png),
            "image/webp" => Some(MarkImage::WebP),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            MarkImage::Png => "png",
            MarkImage::WebP => "webp",
        }
    }
}

/// An SVG file, however it starts (an XML declaration, a comment, a byte-order mark).
fn is_svg(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&head[..head.len().min(2048)]).to_ascii_lowercase();
    text.contains("<svg")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13];

    #[test]
    fn png_and_webp_are_marks_and_nothing_else_is() {
        assert_eq!(MarkImage::judge(PNG, "logo.svg", 12), Ok(MarkImage::Png));
        let webp = b"RIFF\x24\0\0\0WEBPVP8 ";
        assert_eq!(MarkImage::judge(webp, "logo", 16), Ok(MarkImage::WebP));
        let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>"#;
        assert!(MarkImage::judge(svg, "logo.png", 60)
            .unwrap_err()
            .contains("SVG"));
        let jpeg = [0xff, 0xd8, 0xff, 0xe0, 0, 0x10, b'J', b'F', b'I', b'F'];
        assert!(MarkImage::judge(&jpeg, "logo.jpg", 10)
            .unwrap_err()
            .contains("not a PNG or WebP"));
        assert!(MarkImage::judge(PNG, "big.png", MAX_BYTES + 1)
            .unwrap_err()
            .contains("1024 KB or smaller"));
    }

    #[test]
    fn names_and_alt_texts_are_one_trimmed_line() {
        assert_eq!(
            MarkName::parse("  University of\n Salford ")
                .unwrap()
                .as_str(),
            "University of Salford"
        );
        assert_eq!(
            AltText::parse(" ").unwrap_err(),
            "Enter the image's alternative text"
        );
        assert!(MarkName::parse(&"x".repeat(121))
            .unwrap_err()
            .starts_with("The organisation's name must be"));
    }
}
