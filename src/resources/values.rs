//! What a resource form may carry, parsed.

use crate::accounts::Role;

/// Who a resource is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Both,
    Only(Role),
}

impl Audience {
    pub fn slug(self) -> &'static str {
        match self {
            Audience::Both => "both",
            Audience::Only(role) => role.slug(),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Audience::Both => "Link workers and OTs",
            Audience::Only(Role::LinkWorker) => "Link workers",
            Audience::Only(Role::OccupationalTherapist) => "Occupational therapists",
        }
    }

    pub fn parse(input: &str) -> Result<Self, String> {
        match input.trim() {
            "" | "both" => Ok(Audience::Both),
            other => Role::from_slug(other)
                .map(Audience::Only)
                .ok_or_else(|| "Choose who the resource is for from the list".to_string()),
        }
    }

    pub fn options() -> [(&'static str, &'static str); 3] {
        [
            ("both", "Link workers and OTs"),
            ("link_worker", "Link workers"),
            ("occupational_therapist", "Occupational therapists"),
        ]
    }
}

pub fn parse_title(input: &str) -> Result<String, String> {
    let title = input.split_whitespace().collect::<Vec<_>>().join(" ");
    match title.chars().count() {
        0 => Err("Enter a title".into()),
        1..=2 => Err("Title must be at least 3 characters".into()),
        3..=200 => Ok(title),
        n => Err(format!(
            "Title must be 200 characters or fewer (it has {n})"
        )),
    }
}

pub fn parse_description(input: &str) -> Result<String, String> {
    let text = input.replace("\r\n", "\n").trim().to_owned();
    if text.chars().count() > 10_000 {
        return Err("Description must be 10,000 characters or fewer".into());
    }
    Ok(text)
}

/// At most this many tags on one resource.
pub const MAX_TAGS: usize = 10;

/// "Fatigue, Long Covid ,fatigue" → ["fatigue", "long covid"]: trimmed, lower case, once each.
pub fn parse_tags(input: &str) -> Result<Vec<String>, String> {
    let mut tags: Vec<String> = Vec::new();
    for raw in input.split(',') {
        let tag = raw
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        if tag.is_empty() {
            continue;
        }
        if tag.chars().count() > 40 {
            return Err(format!(
                "Tags must be 40 characters or fewer: “{}…”",
                tag.chars().take(20).collect::<String>()
            ));
        }
        if tag.chars().any(char::is_control) {
            return Err("Tags must not contain control characters".into());
        }
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(format!(
            "Use at most {MAX_TAGS} tags (there are {})",
            tags.len()
        ));
    }
    Ok(tags)
}

/// A link to somewhere else: http or https only.
pub fn parse_link(input: &str) -> Result<String, String> {
    let input = input.trim();
    let url = url::Url::parse(input)
        .map_err(|_| "Enter the link as a full web address, starting https://".to_string())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err("Links must start with https:// or http://".into());
    }
    Ok(url.to_string())
}

/// The uploader's file name, made safe to show and to offer back on download: no folders,
/// no control characters, not empty.
pub fn clean_file_name(input: &str) -> Result<String, String> {
    let last = input.rsplit(['/', '\\']).next().unwrap_or("");
    // Direction overrides (U+202E and kin) can make "evil[RLO]fdp.exe" display as "evilexe.pdf".
    let bidi = |c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}');
    if input.contains("..") || input.chars().any(|c| c.is_control() || bidi(c)) {
        return Err(
            "The file name has characters SPOT cannot accept; rename the file and try again".into(),
        );
    }
    let name = last.trim().trim_start_matches('.').to_owned();
    if name.is_empty() {
        return Err("The file has no name; rename it and try again".into());
    }
    Ok(name.chars().take(200).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_normalised_and_deduplicated() {
        assert_eq!(
            parse_tags(" Fatigue, Long  Covid ,fatigue,, ").unwrap(),
            ["fatigue", "long covid"]
        );
        assert!(parse_tags(
            &(0..100)
                .map(|n| format!("t{n}"))
                .collect::<Vec<_>>()
                .join(",")
        )
        .is_err());
        assert!(parse_tags("").unwrap().is_empty());
    }

    #[test]
    fn only_web_links() {
        assert!(parse_link("https://www.nhs.uk/conditions/").is_ok());
        assert!(parse_link("javascript:alert(1)").is_err());
        assert!(parse_link("data:text/html,<script>").is_err());
        assert!(parse_link("ftp://x.org/f").is_err());
    }

    #[test]
    fn file_names_lose_folders_and_dangerous_characters() {
        assert_eq!(
            clean_file_name("C:\\\\Users\\\\sam\\\\leaflet.pdf").unwrap(),
            "leaflet.pdf"
        );
        assert!(clean_file_name("../../etc/passwd").is_err());
        assert!(clean_file_name("bad\u{0007}name.pdf").is_err());
        assert!(clean_file_name("").is_err());
    }
}
