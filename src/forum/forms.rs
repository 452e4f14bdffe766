//! The forum's forms as sent: each is read by serde, shown again as typed with its errors,
//! and parsed into the values its rule takes.

use maud::Markup;
use serde::Deserialize;

use super::categories::{Category, CategoryChange};
use super::pages;
use super::values::{CategorySlug, Reason, ThreadTitle};
use crate::db::{MemberId, PostId};
use crate::web::forms::FieldErrors;
use crate::web::PageCtx;

/// The fields of every post-writing form: a new thread, a reply, an edit.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PostForm {
    pub title: String,
    pub body: String,
    pub reply_to: String,
    pub action: String,
    pub confirm_patient_data: Option<String>,
}

impl PostForm {
    /// An empty reply to a post.
    pub fn answering(to: Option<PostId>) -> Self {
        Self {
            reply_to: to.map(|to| to.to_string()).unwrap_or_default(),
            ..Self::default()
        }
    }

    /// An edit of a post, starting from its text (and its thread's title, shown when the
    /// title can change too).
    pub fn editing(title: &str, body: &str) -> Self {
        Self {
            title: title.to_owned(),
            body: body.to_owned(),
            ..Self::default()
        }
    }

    /// The post answered, when the field names one.
    pub fn reply_to(&self) -> Option<PostId> {
        self.reply_to.trim().parse().ok()
    }
}

/// A category as the admin's form sends it; the boxes are present when ticked.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct CategoryForm {
    pub name: String,
    pub slug: String,
    pub description: String,
    pub position: String,
    pub public_read: Option<String>,
    pub staff_threads_only: Option<String>,
    pub archived: Option<String>,
}

/// Who an admin puts in charge of a category: the ticked facilitators.
#[derive(Debug, Default, Deserialize)]
pub struct InChargeForm {
    #[serde(default)]
    pub facilitators: Vec<String>,
}

impl InChargeForm {
    pub fn parse(&self) -> Result<Vec<MemberId>, FieldErrors> {
        self.facilitators
            .iter()
            .map(|raw| raw.trim().parse::<MemberId>())
            .collect::<Result<_, _>>()
            .map_err(|_| {
                let mut errors = FieldErrors::new();
                errors.add("facilitators", "Choose facilitators from the list");
                errors
            })
    }
}

fn ticked(on: bool) -> Option<String> {
    on.then(|| "yes".to_owned())
}

impl CategoryForm {
    /// The form filled in with a category as it is.
    pub fn of(category: &Category) -> Self {
        Self {
            name: category.name.clone(),
            slug: category.slug.clone(),
            description: category.description.clone(),
            position: category.position.to_string(),
            public_read: ticked(category.public_read),
            staff_threads_only: ticked(category.staff_threads_only),
            archived: ticked(category.archived),
        }
    }

    pub fn parse(&self) -> Result<CategoryChange, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = self.name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.chars().count() < 2 || name.chars().count() > 80 {
            errors.add("name", "Enter a name of 2 to 80 characters");
        }
        let slug = if self.slug.trim().is_empty() {
            errors.check("slug", CategorySlug::from_name(&name))
        } else {
            errors.check("slug", CategorySlug::parse(&self.slug))
        };
        let description = self.description.trim().to_owned();
        if description.chars().count() > 500 {
            errors.add("description", "Description must be 500 characters or fewer");
        }
        let position = match self.position.trim() {
            "" => Some(0),
            raw => errors.check(
                "position",
                raw.parse::<i32>()
                    .map_err(|_| "Order must be a whole number"),
            ),
        };
        match (slug, position) {
            (Some(slug), Some(position)) if errors.is_empty() => Ok(CategoryChange {
                name,
                slug,
                description,
                position,
                public_read: self.public_read.is_some(),
                staff_threads_only: self.staff_threads_only.is_some(),
                archived: self.archived.is_some(),
            }),
            _ => Err(errors),
        }
    }
}

/// A facilitator's suspension of a member: for how many days, and why.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SuspendForm {
    pub reason: String,
    pub days: String,
}

impl SuspendForm {
    /// The form as it first shows: a week.
    pub fn first() -> Self {
        Self {
            reason: String::new(),
            days: "7".into(),
        }
    }

    /// The number of days (the rule checks the range) and the reason.
    pub fn parse(&self) -> Result<(i64, Reason), FieldErrors> {
        let mut errors = FieldErrors::new();
        let days = errors.check(
            "days",
            self.days
                .trim()
                .parse::<i64>()
                .map_err(|_| "Enter the number of days, like 7"),
        );
        let reason = errors.check("reason", Reason::parse(&self.reason));
        match (days, reason) {
            (Some(days), Some(reason)) => Ok((days, reason)),
            _ => Err(errors),
        }
    }
}

/// A form that carries only a reason: hiding, reporting, declining an application.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReasonForm {
    pub reason: String,
}

impl ReasonForm {
    /// The reason, or the small form page again under `heading`, posting to `action`, with
    /// the text kept and the message by the field (for `invalid_form`).
    pub fn reason(&self, ctx: &PageCtx, heading: &str, action: &str) -> Result<Reason, Markup> {
        Reason::parse(&self.reason).map_err(|message| {
            let errors = FieldErrors::one("reason", message);
            pages::reason_form(ctx, heading, action, &self.reason, &errors)
        })
    }
}

/// A facilitator's purge of a post: why, and for the post that opened its thread, a new
/// title when the old one must go too (blank keeps it).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PurgeForm {
    pub reason: String,
    pub title: String,
}

impl PurgeForm {
    pub fn parse(&self) -> Result<(Reason, Option<ThreadTitle>), FieldErrors> {
        let mut errors = FieldErrors::new();
        let reason = errors.check("reason", Reason::parse(&self.reason));
        let title = match self.title.trim() {
            "" => Some(None),
            title => errors.check("title", ThreadTitle::parse(title)).map(Some),
        };
        match (reason, title) {
            (Some(reason), Some(title)) => Ok((reason, title)),
            _ => Err(errors),
        }
    }
}
