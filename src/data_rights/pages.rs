//! The pages of erasure: what deleting an account does, asked before it is done.

use maud::{html, Markup};

use crate::forum::values::Reason;
use crate::web::forms::{csrf_field, select_field, text_field, FieldErrors, Input};
use crate::web::layout::FormPage;
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
