//! A member's moderation history, with the forms for a note and a warning.

use maud::{html, Markup};

use super::{History, NoteText};
use crate::forum::values::ReportStatus;
use crate::web::forms::{csrf_field, textarea_field, FieldErrors};
use crate::web::layout::{breadcrumbs, time_tag, FormPage};
use crate::web::PageCtx;

/// The note and warning forms as sent, and shown again with their errors.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct NoteForm {
    pub note: String,
    pub warning: String,
}

pub fn history(ctx: &PageCtx, record: &History, form: &NoteForm, errors: &FieldErrors) -> Markup {
    let title = format!("Moderation history: {}", record.name);
    let profile = format!("/members/{}", record.member);
    FormPage::new(ctx, &title, errors)
        .top(breadcrumbs(&[("Members", "/members".into()), (&record.name, profile.clone())]))
        .render(html! {
            h1 { (title) }
            p { "Only facilitators and admins see this page. "
                (record.warnings) (if record.warnings == 1 { " warning" } else { " warnings" }) " on record." }

            h2 { "Notes and warnings" }
            @if record.notes.is_empty() { p { "None yet." } }
            @else {
                ol.history {
                    @for noted in &record.notes {
                        li {
                            strong { (noted.kind.label()) } " · " (time_tag(noted.at)) " · "
                            (noted.by.as_deref().unwrap_or("a former member of staff"))
                            p { (noted.body) }
                        }
                    }
                }
            }
            form method="post" action={ "/members/" (record.member) "/notes" } novalidate {
                (csrf_field(ctx))
                (textarea_field("note", "Add a note (staff only)", &form.note, errors,
                    Some("Dated and signed with your name. The member does not see it."), 3))
                button.button.button-secondary type="submit" { "Add note" }
            }
            form method="post" action={ "/members/" (record.member) "/warn" } novalidate {
                (csrf_field(ctx))
                (textarea_field("warning", "Give a warning", &form.warning, errors,
                    Some("The member is told in SPOT and by email, with this reason and a link to the community guidelines."), 3))
                button.button.button-warning type="submit" { "Warn " (record.name) }
            }

            h2 { "Reports about their posts" }
            @if record.reports.is_empty() { p { "None." } }
            @else {
                ul {
                    @for report in &record.reports {
                        li {
                            a href={ "/posts/" (report.post) } { (report.thread_title) } " · " (time_tag(report.at)) " · "
                            (ReportStatus::from_slug(&report.status).map_or(report.status.as_str(), |s| s.label()))
                            p { (report.reason) }
                        }
                    }
                }
            }

            h2 { "Hidden posts" }
            @if record.hidden.is_empty() { p { "None." } }
            @else {
                ul {
                    @for hidden in &record.hidden {
                        li {
                            a href={ "/posts/" (hidden.post) } { (hidden.thread_title) } " · " (time_tag(hidden.at))
                            @if let Some(reason) = &hidden.reason { p { (reason) } }
                        }
                    }
                }
            }

            h2 { "Suspensions" }
            @if record.suspensions.is_empty() { p { "None." } }
            @else {
                ul {
                    @for suspension in &record.suspensions {
                        li {
                            (suspension.action) " " (suspension.detail) " · " (time_tag(suspension.at))
                            " · " (suspension.by.as_deref().unwrap_or("the console"))
                            @if !suspension.reason.is_empty() { p { (suspension.reason) } }
                        }
                    }
                }
            }
            p { a href=(profile) { "Back to the profile" } }
        })
}

impl NoteForm {
    pub fn note(&self) -> Result<NoteText, FieldErrors> {
        NoteText::parse(&self.note).map_err(|message| FieldErrors::one("note", message))
    }

    pub fn warning(&self) -> Result<NoteText, FieldErrors> {
        NoteText::parse(&self.warning).map_err(|message| FieldErrors::one("warning", message))
    }
}
