//! What a resource form may carry, parsed: the form as typed ([`ResourceForm`], which the
//! page shows again with its errors), and the values it becomes.

use std::fmt;

use serde::Deserialize;

use super::library::Listed;
use crate::accounts::{Borough, Role};
use crate::web::forms::FieldErrors;

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

/// A resource's title: 3 to 200 characters of one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceTitle(String);

impl ResourceTitle {
    pub fn parse(input: &str) -> Result<Self, String> {
        let title = input.split_whitespace().collect::<Vec<_>>().join(" ");
        match title.chars().count() {
            0 => Err("Enter a title".into()),
            1..=2 => Err("Title must be at least 3 characters".into()),
            3..=200 => Ok(Self(title)),
            n => Err(format!(
                "Title must be 200 characters or fewer (it has {n})"
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A resource's Markdown description, up to 10,000 characters (empty is allowed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceDescription(String);

impl ResourceDescription {
    pub fn parse(input: &str) -> Result<Self, String> {
        let text = input.replace("\r\n", "\n").trim().to_owned();
        if text.chars().count() > 10_000 {
            return Err("Description must be 10,000 characters or fewer".into());
        }
        Ok(Self(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// At most this many tags on one resource.
pub const MAX_TAGS: usize = 10;

/// A tag as the library spells it: spaces squeezed, lower case, at most 40 characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tag(String);

impl Tag {
    /// One tag; `None` when the input is blank.
    fn parse_one(raw: &str) -> Result<Option<Self>, String> {
        let tag = raw
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        if tag.is_empty() {
            return Ok(None);
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
        Ok(Some(Self(tag)))
    }

    /// "Fatigue, Long Covid ,fatigue" → [fatigue, long covid]: once each, at most
    /// [`MAX_TAGS`].
    pub fn parse_list(input: &str) -> Result<Vec<Self>, String> {
        let mut tags: Vec<Self> = Vec::new();
        for raw in input.split(',') {
            if let Some(tag) = Self::parse_one(raw)? {
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
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

    /// The first tag of a list, for the forms that name one tag; `None` when none is named.
    pub fn parse_first(input: &str) -> Result<Option<Self>, String> {
        Ok(Self::parse_list(input)?.into_iter().next())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// So that a list of tags joins into one text (`tags.join(", ")`).
impl std::borrow::Borrow<str> for Tag {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// A link to somewhere else: http or https only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceUrl(String);

impl ResourceUrl {
    pub fn parse(input: &str) -> Result<Self, String> {
        let input = input.trim();
        let url = url::Url::parse(input)
            .map_err(|_| "Enter the link as a full web address, starting https://".to_string())?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err("Links must start with https:// or http://".into());
        }
        Ok(Self(url.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The uploader's file name, made safe to show and to offer back on download: no folders,
/// no control characters, not empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName(String);

impl FileName {
    pub fn parse(input: &str) -> Result<Self, String> {
        let last = input.rsplit(['/', '\\']).next().unwrap_or("");
        // Direction overrides (U+202E and kin) can make "evil[RLO]fdp.exe" display as "evilexe.pdf".
        let bidi = |c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}');
        if input.contains("..") || input.chars().any(|c| c.is_control() || bidi(c)) {
            return Err(
                "The file name has characters SPOT cannot accept; rename the file and try again"
                    .into(),
            );
        }
        let name = last.trim().trim_start_matches('.').to_owned();
        if name.is_empty() {
            return Err("The file has no name; rename it and try again".into());
        }
        Ok(Self(name.chars().take(200).collect()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The parts every resource form shares, parsed.
pub struct Described {
    pub title: ResourceTitle,
    pub description: ResourceDescription,
    pub tags: Vec<Tag>,
    pub audience: Audience,
    pub borough: Option<Borough>,
    /// Published, or held for a facilitator by the patient-data guard.
    pub verdict: crate::guard::Verdict,
}

/// Either a stored file's details or a link.
pub enum Content {
    File {
        key: String,
        original_name: String,
        content_type: String,
        size: i64,
        sha256: String,
    },
    Link(ResourceUrl),
}

pub struct NewResource {
    pub described: Described,
    pub content: Content,
}

pub struct Change {
    pub described: Described,
    /// A new address, for a link.
    pub url: Option<ResourceUrl>,
}

/// The resource form as typed: the edit form's body, or the text fields of an upload. It is
/// shown again with its errors (a chosen file cannot be kept by a browser, so the page says
/// to choose it again).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ResourceForm {
    pub title: String,
    pub description: String,
    pub tags: String,
    pub audience: String,
    pub borough: String,
    pub url: String,
    /// Not empty when the author confirms what the patient-data guard flagged (a plain
    /// string: the upload's fields are read as text).
    pub confirm_patient_data: String,
}

impl ResourceForm {
    /// The form for sharing something new: for everyone.
    pub fn blank() -> Self {
        Self {
            audience: Audience::Both.slug().into(),
            ..Self::default()
        }
    }

    /// The form for changing a resource, filled in with it as it is.
    pub fn of(listed: &Listed) -> Self {
        let r = &listed.resource;
        Self {
            title: r.title.clone(),
            description: r.description_source.clone(),
            tags: listed.tags.join(", "),
            audience: r.audience.clone(),
            borough: r.borough.clone().unwrap_or_default(),
            url: r.url.clone().unwrap_or_default(),
            confirm_patient_data: String::new(),
        }
    }

    fn describe(&self, errors: &mut FieldErrors) -> Option<Described> {
        let title = errors.check("title", ResourceTitle::parse(&self.title));
        let description =
            errors.check("description", ResourceDescription::parse(&self.description));
        let tags = errors.check("tags", Tag::parse_list(&self.tags));
        let audience = errors.check("audience", Audience::parse(&self.audience));
        let borough = match self.borough.trim() {
            "" => Some(None),
            raw => errors.check("borough", Borough::parse(raw).map(Some)),
        };
        let written = [
            ("title", self.title.as_str()),
            ("description", self.description.as_str()),
            ("tags", self.tags.as_str()),
        ];
        let verdict = errors.screen(&written, !self.confirm_patient_data.is_empty());
        Some(Described {
            title: title?,
            description: description?,
            tags: tags?,
            audience: audience?,
            borough: borough?,
            verdict,
        })
    }

    /// A new resource with what its upload brought: a file or a link, or the field at
    /// fault and why.
    pub fn parse_new(
        &self,
        content: Result<Content, (&'static str, String)>,
    ) -> Result<NewResource, FieldErrors> {
        let mut errors = FieldErrors::new();
        let described = self.describe(&mut errors);
        let content = content
            .map_err(|(field, message)| errors.add(field, message))
            .ok();
        match (described, content) {
            (Some(described), Some(content)) if errors.is_empty() => {
                Ok(NewResource { described, content })
            }
            _ => Err(errors),
        }
    }

    /// A change to a resource; its link too, unless it is a file.
    pub fn parse_change(&self, is_file: bool) -> Result<Change, FieldErrors> {
        let mut errors = FieldErrors::new();
        let described = self.describe(&mut errors);
        let url = if is_file {
            None
        } else {
            errors.check("url", ResourceUrl::parse(&self.url))
        };
        match described {
            Some(described) if errors.is_empty() => Ok(Change { described, url }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_normalised_and_deduplicated() {
        let tags = Tag::parse_list(" Fatigue, Long  Covid ,fatigue,, ").unwrap();
        assert_eq!(tags.join(","), "fatigue,long covid");
        assert!(Tag::parse_list(
            &(0..100)
                .map(|n| format!("t{n}"))
                .collect::<Vec<_>>()
                .join(",")
        )
        .is_err());
        assert!(Tag::parse_list("").unwrap().is_empty());
    }

    #[test]
    fn only_web_links() {
        assert!(ResourceUrl::parse("https://www.nhs.uk/conditions/").is_ok());
        assert!(ResourceUrl::parse("javascript:alert(1)").is_err());
        assert!(ResourceUrl::parse("data:text/html,<script>").is_err());
        assert!(ResourceUrl::parse("ftp://x.org/f").is_err());
    }

    #[test]
    fn file_names_lose_folders_and_dangerous_characters() {
        assert_eq!(
            FileName::parse("C:\\\\Users\\\\sam\\\\leaflet.pdf")
                .unwrap()
                .as_str(),
            "leaflet.pdf"
        );
        assert!(FileName::parse("../../etc/passwd").is_err());
        assert!(FileName::parse("bad\u{0007}name.pdf").is_err());
        assert!(FileName::parse("").is_err());
    }

    fn typed(title: &str, url: &str) -> ResourceForm {
        ResourceForm {
            title: title.into(),
            tags: "Fatigue, fatigue".into(),
            url: url.into(),
            ..ResourceForm::blank()
        }
    }

    #[test]
    fn a_form_names_each_field_at_fault_in_order() {
        let form = ResourceForm {
            borough: "atlantis".into(),
            ..typed("ab", "")
        };
        let errors = form
            .parse_new(Err(("file", "Choose a file".into())))
            .err()
            .unwrap();
        let fields: Vec<&str> = errors.iter().map(|(field, _)| field).collect();
        assert_eq!(fields, ["title", "borough", "file"]);
    }

    #[test]
    fn a_link_is_checked_only_where_a_resource_has_one() {
        let change = typed("Leaflet", "").parse_change(true).ok().unwrap();
        assert_eq!(change.described.tags.join(","), "fatigue");
        assert!(change.url.is_none());
        let errors = typed("Leaflet", "javascript:x").parse_change(false).err();
        assert!(errors.unwrap().get("url").is_some());
        let link = ResourceUrl::parse("https://nhs.uk/").unwrap();
        let new = typed("Leaflet", "").parse_new(Ok(Content::Link(link)));
        assert_eq!(new.ok().unwrap().described.audience, Audience::Both);
    }
}
