//! The pages of a member's data rights: what deleting an account does, asked before it is
//! done; and a copy of their data, asked for, watched while it is made, and downloaded.

use chrono::NaiveDateTime;
use maud::{html, Markup};

use super::exports::{Export, ExportStatus};
use crate::accounts::members::Member;
use crate::forum::values::Reason;
use crate::resources::pages::size_text;
use crate::web::forms::{csrf_field, select_field, text_field, FieldErrors, Input};
use crate::web::layout::{layout, time_tag, FormPage};
use crate::web::PageCtx;

/// The deletion form as sent: `confirm=delete` (the button), what becomes of the posts, and
/// (for an admin) why.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct DeleteForm {
    pub confirm: String,
    pub posts: String,
    /// Named apart from the suspension form's `reason` on the same admin page.
    #[serde(rename = "erase_reason")]
    pub reason: String,
}

const POST_CHOICES: [(&str, &str); 2] = [
    ("keep", "Keep them, shown as written by “Former member”"),
    (
        "remove",
        "Remove their text too (threads others replied to stay)",
    ),
];

/// What deleting does, in plain words, for the member or for the admin acting for them.
fn consequences(whose: &str) -> Markup {
    html! {
        ul {
            li { "The account, " (whose) " profile and " (whose) " entry in the member directory are deleted. Nobody can sign in to it again." }
            li { "Posts stay in their threads under the name “Former member”, unless you choose below to remove their text too. Threads that nobody else replied to are then deleted." }
            li { "Resources shared in the library are deleted, and their files removed from the store." }
            li { "A place on a course that has not started is given up (the next person on the waiting list gets it). Bookings on courses that have run stay in their rosters without a name or the manager's details." }
            li { "Notifications, email settings, emails waiting to be sent, and links sent by email are deleted. Others' notifications and the audit log keep what happened, without the name or email address." }
        }
        p { "This cannot be undone." }
    }
}

pub fn delete_account(ctx: &PageCtx, form: &DeleteForm, errors: &FieldErrors) -> Markup {
    FormPage::new(ctx, "Delete your account", errors)
        .narrow()
        .render(html! {
            h1 { "Delete your account" }
            p { "If you delete your account:" }
            (consequences("your"))
            p { "If you only want to stop appearing in the member directory, " a href="/account" { "untick “Show me in the member directory”" } " instead." }
            form method="post" action="/account/delete" novalidate {
                (csrf_field(ctx))
                (select_field("posts", "What happens to your posts", if form.posts.is_empty() { "keep" } else { &form.posts }, &POST_CHOICES, None, errors))
                @if let Some(message) = errors.get("confirm") {
                    p.error-message id="confirm-error" { span.visually-hidden { "Error: " } (message) }
                }
                button.button.button-warning type="submit" name="confirm" value="delete" { "Delete my account" }
            }
            p { a href="/account" { "Keep my account" } }
        })
}

/// The admin's form on a member's page: erase them, with a reason for the log.
pub fn erase_form(
    ctx: &PageCtx,
    member: crate::db::MemberId,
    form: &DeleteForm,
    errors: &FieldErrors,
) -> Markup {
    html! {
        h2 { "Erase this member" }
        p { "For a leaver, or when they ask and cannot do it themselves. Erasing:" }
        (consequences("their"))
        form method="post" action={ "/admin/members/" (member) "/erase" } novalidate {
            (csrf_field(ctx))
            (select_field("posts", "What happens to their posts", if form.posts.is_empty() { "keep" } else { &form.posts }, &POST_CHOICES, None, errors))
            (text_field("erase_reason", "Why (kept in the audit log; do not name the member)", &form.reason, errors,
                Input::text().required().max_length(Reason::MAX)))
            button.button.button-warning type="submit" name="confirm" value="delete" { "Erase this member" }
        }
    }
}

/// The admin's erase form alone, shown again when it needs attention.
pub fn erase_page(
    ctx: &PageCtx,
    member: crate::db::MemberId,
    form: &DeleteForm,
    errors: &FieldErrors,
) -> Markup {
    FormPage::new(ctx, "Erase a member", errors)
        .narrow()
        .render(html! {
            h1 { "Erase a member" }
            p { a href={ "/admin/members/" (member) } { "Back to the member's page" } }
            (erase_form(ctx, member, form, errors))
        })
}

/// What an export holds, in a list both export pages show.
fn what_is_in_it() -> Markup {
    html! {
        ul {
            li { "the account and profile (with the service described on it), email and notification settings, and the threads, categories and tags watched or followed" }
            li { "every post, with its thread, dates and earlier versions from before each edit" }
            li { "the threads started, and the resources shared with their tags and their files as they were uploaded" }
            li { "course bookings and attendance, notifications, reports made, and the audit log's entries about the account" }
        }
        p { "Each kind is a JSON document (readable by people, and by other services); a README file in the zip says what each one is." }
    }
}

/// One export page: the export asked for, or none yet; `action` asks for one (and shows the
/// page again), `download` is where a ready one downloads from.
struct ExportView<'a> {
    export: Option<&'a Export>,
    action: &'a str,
    download: &'a str,
    now: NaiveDateTime,
}

fn ask_button(ctx: &PageCtx, action: &str, label: &str, secondary: bool) -> Markup {
    html! {
        form method="post" action=(action) {
            (csrf_field(ctx))
            @if secondary {
                button.button.button-secondary type="submit" { (label) }
            } @else {
                button.button type="submit" { (label) }
            }
        }
    }
}

fn export_state(ctx: &PageCtx, view: &ExportView<'_>) -> Markup {
    let action = view.action;
    html! {
        @match view.export {
            None => {
                p { "No copy has been asked for yet. It takes a minute or so to make; you can leave the page meanwhile, and an email brings the link." }
                (ask_button(ctx, action, "Ask for a copy", false))
            }
            Some(export) if export.in_progress() => {
                div.notice.export-progress role="status" {
                    h2 { "The copy is being made" }
                    @if export.status == ExportStatus::Waiting {
                        p { "It is waiting for its turn, which usually comes within a minute." }
                    } @else {
                        label for="export-progress" { "Progress" }
                        progress #export-progress max=(export.items_total) value=(export.items_done) { (export.percent()) "%" }
                        p { (export.items_done) " of " (export.items_total) " items (" (export.percent()) "%)." }
                    }
                    p { "This page refreshes itself every " (REFRESH_SECONDS) " seconds. An email brings the link when it is ready, so you can leave this page." }
                    p { a href=(action) { "Refresh this page" } }
                }
            }
            Some(export) if export.downloadable(view.now) => {
                h2 { "The copy is ready" }
                p {
                    a.button href=(view.download) download {
                        "Download the zip"
                        @if let Some(size) = export.size_bytes { " (" (size_text(size)) ")" }
                    }
                }
                @if let Some(expires) = export.expires_at {
                    p { "It can be downloaded until " (time_tag(expires)) " (London time). Then it is deleted." }
                }
                p { "A new copy replaces this one." }
                (ask_button(ctx, action, "Make a new copy", true))
            }
            Some(export) if export.status == ExportStatus::Failed => {
                div.warning-callout {
                    h2 { "The copy could not be made" }
                    p { "Something went wrong while it was being made. Please try again; if it goes wrong again, contact SPOT's admins." }
                }
                (ask_button(ctx, action, "Try again", false))
            }
            Some(_) => {
                p { "The last copy has expired and been deleted." }
                (ask_button(ctx, action, "Ask for a new copy", false))
            }
        }
    }
}

/// How often a page showing an export being made asks for itself again.
pub const REFRESH_SECONDS: u32 = 10;

/// `/account/export`: a copy of the member's own data.
pub fn own_export(ctx: &PageCtx, export: Option<&Export>, now: NaiveDateTime) -> Markup {
    let view = ExportView {
        export,
        action: "/account/export",
        download: "/account/export/download",
        now,
    };
    layout(
        ctx,
        "Download your data",
        html! {
            div.narrow {
                h1 { "Download your data" }
                p.lede { "You can have a copy of everything SPOT holds about you, as a zip file. It holds:" }
                (what_is_in_it())
                (export_state(ctx, &view))
                p { a href="/account" { "Back to your account" } }
            }
        },
    )
}

/// `/admin/members/{id}/export`: an admin's copy of a member's data.
pub fn member_export(
    ctx: &PageCtx,
    member: &Member,
    export: Option<&Export>,
    now: NaiveDateTime,
) -> Markup {
    let action = format!("/admin/members/{}/export", member.id);
    let download = format!("{action}/download");
    let view = ExportView {
        export,
        action: &action,
        download: &download,
        now,
    };
    let title = format!("Export of {}'s data", member.display_name);
    layout(
        ctx,
        &title,
        html! {
            (crate::admin::pages::admin_nav(ctx))
            div.narrow {
                h1 { (title) }
                p.lede { "For a subject access request: a copy of everything SPOT holds about this member, as a zip file. It holds:" }
                (what_is_in_it())
                p { "Asking for it and downloading it are recorded in the audit log. The link comes to you, not to the member: send them the zip in a safe way, then delete your copy." }
                (export_state(ctx, &view))
                p { a href={ "/admin/members/" (member.id) } { "Back to the member's page" } }
            }
        },
    )
}

/// The part of an admin's member page that makes a copy of the member's data for a subject
/// access request (the request is logged).
pub fn export_section(ctx: &PageCtx, member: crate::db::MemberId) -> Markup {
    let action = format!("/admin/members/{member}/export");
    html! {
        h2 { "Subject access request" }
        p { "When the member asks for the data SPOT holds about them, make a copy here (the request is recorded in the audit log), download it and send it to them. " a href=(action) { "See the copy you asked for" } }
        (ask_button(ctx, &action, "Export this member's data", true))
    }
}

/// An emailed link whose export has expired or been replaced.
pub fn export_link_dead(ctx: &PageCtx, action: &str) -> Markup {
    layout(
        ctx,
        "That link no longer works",
        html! {
            div.narrow {
                h1 { "That link no longer works" }
                p { "A copy of SPOT data can be downloaded for 24 hours, and a newer copy replaces it. After that it is deleted." }
                p { a href=(action) { "Ask for a new copy" } }
            }
        },
    )
}
