//! The search page's filters, parsed from its address: which kind of result, and what
//! narrows them (category, tag, role, borough, dates). A value that cannot be understood is
//! a message for its field, never a failure.

use chrono::{Duration, NaiveDate, NaiveDateTime, TimeZone};
use serde::Deserialize;

use super::query::MAX_INPUT_CHARS;
use crate::accounts::{Borough, Role};
use crate::db::paging::PageNumber;
use crate::web::forms::{first, FieldErrors};

/// The kinds of result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Posts,
    Resources,
    Members,
    /// The searcher's own private conversations.
    Messages,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Posts, Kind::Resources, Kind::Members, Kind::Messages];

    pub fn slug(self) -> &'static str {
        match self {
            Kind::Posts => "posts",
            Kind::Resources => "resources",
            Kind::Members => "members",
            Kind::Messages => "messages",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Posts => "Discussions",
            Kind::Resources => "Resources",
            Kind::Members => "Members",
            Kind::Messages => "Your messages",
        }
    }

    fn parse(input: &str) -> Result<Self, String> {
        match input.to_ascii_lowercase().as_str() {
            "posts" | "threads" | "discussions" => Ok(Kind::Posts),
            "resources" => Ok(Kind::Resources),
            "members" => Ok(Kind::Members),
            "messages" => Ok(Kind::Messages),
            _ => Err("Choose discussions, resources, members or your messages".into()),
        }
    }
}

/// The search page's address. Every field is a string (the first of a repeated one), so
/// no address, however odd, refuses the page.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "SearchAddress")]
pub struct SearchParams {
    /// What was typed, cut to what is read.
    pub text: String,
    pub form: FilterForm,
    pub page: PageNumber,
}

/// The address as sent.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SearchAddress {
    #[serde(deserialize_with = "first")]
    q: String,
    #[serde(flatten)]
    form: FilterForm,
    #[serde(deserialize_with = "first")]
    page: String,
}

impl From<SearchAddress> for SearchParams {
    fn from(address: SearchAddress) -> Self {
        Self {
            text: address.q.chars().take(MAX_INPUT_CHARS).collect(),
            form: address.form,
            page: PageNumber::parse(Some(&address.page)),
        }
    }
}

/// What the search form sent, as typed: every field a string, none required.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct FilterForm {
    #[serde(deserialize_with = "first")]
    pub kind: String,
    #[serde(deserialize_with = "first")]
    pub category: String,
    #[serde(deserialize_with = "first")]
    pub tag: String,
    #[serde(deserialize_with = "first")]
    pub role: String,
    #[serde(deserialize_with = "first")]
    pub borough: String,
    #[serde(deserialize_with = "first")]
    pub from: String,
    #[serde(deserialize_with = "first")]
    pub to: String,
}

/// Filters understood.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub kind: Option<Kind>,
    /// A category's slug; whether the viewer may read it is checked when searching.
    pub category: Option<String>,
    /// A tag's name, normalised as tags are stored.
    pub tag: Option<String>,
    pub role: Option<Role>,
    pub borough: Option<Borough>,
    pub from: Option<NaiveDate>,
    /// The last day included.
    pub to: Option<NaiveDate>,
}

fn chosen(raw: &str) -> Option<&str> {
    Some(raw.trim()).filter(|s| !s.is_empty())
}

/// `which` is "start" or "end": both dates' messages can be in the error summary at once.
fn parse_date(raw: &str, which: &str, like: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|d| (1900..=9999).contains(&chrono::Datelike::year(d)))
        .ok_or_else(|| format!("Enter a real {which} date, like {like}"))
}

/// Midnight at the start of a day in London, in UTC as the database keeps times.
fn london_midnight(date: NaiveDate) -> NaiveDateTime {
    let local = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    chrono_tz::Europe::London
        .from_local_datetime(&local)
        .earliest()
        .map(|at| at.naive_utc())
        .unwrap_or(local)
}

impl FilterForm {
    pub fn parse(&self) -> Result<Filters, FieldErrors> {
        let mut errors = FieldErrors::new();
        let kind = chosen(&self.kind).and_then(|raw| errors.check("kind", Kind::parse(raw)));
        let role = chosen(&self.role).and_then(|raw| {
            errors.check(
                "role",
                Role::from_slug(&raw.to_ascii_lowercase())
                    .ok_or_else(|| format!("There is no role called “{}”", clip(raw))),
            )
        });
        let borough = chosen(&self.borough).and_then(|raw| {
            errors.check(
                "borough",
                Borough::from_slug(&raw.to_ascii_lowercase())
                    .ok_or_else(|| format!("There is no borough called “{}”", clip(raw))),
            )
        });
        let from = chosen(&self.from)
            .and_then(|raw| errors.check("from", parse_date(raw, "start", "2026-03-01")));
        let to = chosen(&self.to)
            .and_then(|raw| errors.check("to", parse_date(raw, "end", "2026-03-31")));
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                errors.add(
                    "to",
                    "The end date must be the same as or after the start date",
                );
            }
        }
        let category = chosen(&self.category).map(|raw| raw.to_ascii_lowercase());
        let tag = chosen(&self.tag).map(|raw| {
            raw.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        });
        if tag.as_ref().is_some_and(|t| t.chars().count() > 40) {
            errors.add("tag", "Tags are 40 characters or fewer");
        }
        let filters = Filters {
            kind,
            category,
            tag,
            role,
            borough,
            from,
            to,
        };
        filters.check_together(&mut errors);
        if errors.is_empty() {
            Ok(filters)
        } else {
            Err(errors)
        }
    }
}

/// A value as it may be quoted back in a message: short.
fn clip(raw: &str) -> String {
    let mut clipped: String = raw.chars().take(40).collect();
    if raw.chars().count() > 40 {
        clipped.push('…');
    }
    clipped
}

impl Filters {
    /// Filters that cannot hold of the same result.
    fn check_together(&self, errors: &mut FieldErrors) {
        if self.category.is_some() && self.tag.is_some() {
            errors.add(
                "tag",
                "Choose a category or a tag, not both: categories hold discussions, and tags \
                 label resources",
            );
            return;
        }
        match self.kind {
            Some(Kind::Posts) if self.tag.is_some() => {
                errors.add("tag", "Tags label resources: search resources to use a tag")
            }
            Some(Kind::Resources) if self.category.is_some() => errors.add(
                "category",
                "Categories hold discussions: search discussions to use a category",
            ),
            Some(Kind::Members) if self.category.is_some() || self.tag.is_some() => errors.add(
                "kind",
                "Members have no category or tag: clear them to search members",
            ),
            Some(Kind::Messages)
                if self.category.is_some()
                    || self.tag.is_some()
                    || self.role.is_some()
                    || self.borough.is_some() =>
            {
                errors.add(
                    "kind",
                    "Your messages have no category, tag, role or borough: clear them to search your messages",
                )
            }
            Some(Kind::Members) if self.from.is_some() || self.to.is_some() => errors.add(
                "kind",
                "Dates apply to discussions and resources: clear them to search members",
            ),
            _ => {}
        }
    }

    /// Whether results of this kind can match these filters: a category holds only
    /// discussions, a tag only resources, and members have no dates.
    pub fn admit(&self, kind: Kind) -> bool {
        if self.kind.is_some_and(|k| k != kind) {
            return false;
        }
        match kind {
            Kind::Posts => self.tag.is_none(),
            Kind::Resources => self.category.is_none(),
            Kind::Members => {
                self.category.is_none()
                    && self.tag.is_none()
                    && self.from.is_none()
                    && self.to.is_none()
            }
            Kind::Messages => {
                self.category.is_none()
                    && self.tag.is_none()
                    && self.role.is_none()
                    && self.borough.is_none()
            }
        }
    }

    /// The first moment included (UTC), from the first day's London midnight.
    pub fn from_time(&self) -> Option<NaiveDateTime> {
        self.from.map(london_midnight)
    }

    /// The first moment no longer included: the London midnight after the last day.
    pub fn until_time(&self) -> Option<NaiveDateTime> {
        self.to.map(|to| london_midnight(to + Duration::days(1)))
    }

    /// Any filter besides the kind.
    pub fn narrowed(&self) -> bool {
        self.category.is_some()
            || self.tag.is_some()
            || self.role.is_some()
            || self.borough.is_some()
            || self.from.is_some()
            || self.to.is_some()
    }

    /// The filters as (name, value) pairs for an address, without the kind.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(category) = &self.category {
            pairs.push(("category", category.clone()));
        }
        if let Some(tag) = &self.tag {
            pairs.push(("tag", tag.clone()));
        }
        if let Some(role) = self.role {
            pairs.push(("role", role.slug().to_owned()));
        }
        if let Some(borough) = self.borough {
            pairs.push(("borough", borough.slug().to_owned()));
        }
        if let Some(from) = self.from {
            pairs.push(("from", from.format("%Y-%m-%d").to_string()));
        }
        if let Some(to) = self.to {
            pairs.push(("to", to.format("%Y-%m-%d").to_string()));
        }
        pairs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> FilterForm {
        let mut form = FilterForm::default();
        for (name, value) in pairs {
            let value = (*value).to_owned();
            match *name {
                "kind" => form.kind = value,
                "category" => form.category = value,
                "tag" => form.tag = value,
                "role" => form.role = value,
                "borough" => form.borough = value,
                "from" => form.from = value,
                "to" => form.to = value,
                _ => unreachable!(),
            }
        }
        form
    }

    fn address(query: &str) -> SearchParams {
        serde_html_form::from_str(query).unwrap()
    }

    #[test]
    fn the_address_is_read_whatever_it_holds() {
        let params = address("q=a%00b&q=second&borough=&page=x&kind=members&kind=posts");
        assert_eq!(params.text, "a\0b");
        assert_eq!(params.form.kind, "members");
        assert_eq!(params.page, PageNumber::FIRST);
        assert_eq!(address("page=3&page=4").page.get(), 3);
        let long = format!("q={}", "x".repeat(5000));
        assert_eq!(address(&long).text.len(), MAX_INPUT_CHARS);
        assert_eq!(address("%FF=%FF&&=").text, "");
        assert_eq!(address("").form, FilterForm::default());
    }

    #[test]
    fn nothing_chosen_is_no_filter() {
        assert_eq!(form(&[]).parse().unwrap(), Filters::default());
        assert_eq!(
            form(&[("borough", "  ")]).parse().unwrap(),
            Filters::default()
        );
    }

    #[test]
    fn values_are_understood() {
        let filters = form(&[
            ("kind", "Resources"),
            ("tag", "  Referral   Form "),
            ("role", "occupational_therapist"),
            ("borough", "Bolton"),
            ("from", "2026-03-01"),
            ("to", "2026-03-31"),
        ])
        .parse()
        .unwrap();
        assert_eq!(filters.kind, Some(Kind::Resources));
        assert_eq!(filters.tag.as_deref(), Some("referral form"));
        assert_eq!(filters.role, Some(Role::OccupationalTherapist));
        assert_eq!(filters.borough, Some(Borough::Bolton));
        assert!(filters.admit(Kind::Resources));
        assert!(!filters.admit(Kind::Posts));
    }

    #[test]
    fn bad_values_are_messages_for_their_fields() {
        let errors = form(&[
            ("borough", "atlantis"),
            ("role", "wizard"),
            ("from", "2026-02-30"),
            ("to", "yesterday"),
            ("kind", "everything"),
        ])
        .parse()
        .unwrap_err();
        assert_eq!(
            errors.get("borough"),
            Some("There is no borough called “atlantis”")
        );
        assert!(errors.get("role").is_some());
        assert_eq!(
            errors.get("from"),
            Some("Enter a real start date, like 2026-03-01")
        );
        assert!(errors.get("to").is_some());
        assert!(errors.get("kind").is_some());
    }

    #[test]
    fn the_end_comes_after_the_start() {
        let errors = form(&[("from", "2026-03-02"), ("to", "2026-03-01")])
            .parse()
            .unwrap_err();
        assert!(errors.get("to").is_some());
    }

    #[test]
    fn dates_are_london_days() {
        let filters = form(&[("from", "2026-07-01"), ("to", "2026-07-01")])
            .parse()
            .unwrap();
        // British Summer Time: London's midnight is 23:00 UTC the day before.
        assert_eq!(
            filters.from_time().unwrap().to_string(),
            "2026-06-30 23:00:00"
        );
        assert_eq!(
            filters.until_time().unwrap().to_string(),
            "2026-07-01 23:00:00"
        );
    }

    #[test]
    fn filters_that_cannot_hold_together_are_refused() {
        assert!(form(&[("category", "introductions"), ("tag", "falls")])
            .parse()
            .is_err());
        assert!(form(&[("kind", "posts"), ("tag", "falls")])
            .parse()
            .is_err());
        assert!(form(&[("kind", "members"), ("from", "2026-01-01")])
            .parse()
            .is_err());
        let filters = form(&[("category", "introductions")]).parse().unwrap();
        assert!(filters.admit(Kind::Posts));
        assert!(!filters.admit(Kind::Resources));
        assert!(!filters.admit(Kind::Members));
    }
}
