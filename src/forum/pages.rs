//! Forum pages: plain structs in, markup out.

use chrono::NaiveDateTime;
use maud::{html, Markup};

use super::categories::{Category, CategorySummary};
use super::forms::{CategoryForm, PostForm, PurgeForm, SuspendForm};
use super::moderation::QueueItem;
use super::posts::{Author, Post, PostView, Quote, ThreadView};
use super::threads::{Thread, ThreadRow};
use super::values::{Reason, ThreadTitle};
use crate::db::ThreadId;
use crate::markdown::SafeHtml;
use crate::members::pages::member_badges;
use crate::notifications::pages::watch_button;
use crate::web::forms::{
    checkbox_field, csrf_field, draft_key, select_field, text_field, textarea_field, FieldErrors,
    Input,
};
use crate::web::layout::{breadcrumbs, layout, moderation_nav, time_tag, FormPage};
use crate::web::paging::{page_links, pagination, Paged};
use crate::web::PageCtx;

fn author_line(author: &Author) -> Markup {
    html! {
        a.author href={ "/members/" (author.id) } { (author.display_name) }
        " "
        (member_badges(author.role, author.borough, author.staff))
    }
}

fn is_moderator(ctx: &PageCtx) -> bool {
    ctx.viewer.as_ref().is_some_and(|v| v.staff.can_moderate())
}

pub fn index(ctx: &PageCtx, summaries: &[CategorySummary], open_reports: Option<i64>) -> Markup {
    layout(
        ctx,
        "Forum",
        html! {
            h1 { "Forum" }
            p.lede { "Share experience and good practice, and work through local problems together." }
            @if let Some(open) = open_reports {
                p.notice {
                    a href="/moderation" { "Moderation queue" }
                    ": " (open) " reported post" (if open == 1 { "" } else { "s" }) " waiting"
                }
            }
            @if ctx.viewer.is_none() {
                p { a href="/login?next=%2Fforum" { "Sign in" } " to read and join every discussion." }
            }
            ul.card-list.categories {
                @for summary in summaries {
                    li.card {
                        h2.card-title {
                            a href={ "/forum/" (summary.category.slug) } { (summary.category.name) }
                            @if summary.category.archived { " " span.tag { "Archived" } }
                        }
                        p { (summary.category.description) }
                        p.muted {
                            (summary.threads) " thread" (if summary.threads == 1 { "" } else { "s" })
                            ", " (summary.posts) " post" (if summary.posts == 1 { "" } else { "s" })
                            @if let Some(latest) = summary.latest { " · latest " (time_tag(latest)) }
                        }
                    }
                }
            }
        },
    )
}

pub fn category(
    ctx: &PageCtx,
    category: &Category,
    rows: &Paged<ThreadRow>,
    can_start: bool,
    watching: Option<bool>,
) -> Markup {
    layout(
        ctx,
        &category.name,
        html! {
            (breadcrumbs(&[("Forum", "/forum".into())]))
            h1 { (category.name) }
            p.lede { (category.description) }
            @if category.archived {
                p.notice { "This category is archived: you can read it, but it takes no new threads or replies." }
            }
            div.actions {
                @if can_start {
                    a.button href={ "/forum/" (category.slug) "/new" } { "Start a new thread" }
                }
                @if let Some(watching) = watching {
                    (watch_button(ctx, &format!("/forum/{}/watch", category.slug), watching, "this category"))
                }
            }
            @if rows.items.is_empty() {
                p { "No threads yet." }
            } @else {
                table.table.threads {
                    caption.visually-hidden { "Threads in " (category.name) ", pinned first, then by latest post" }
                    thead { tr {
                        th scope="col" { "Thread" }
                        th scope="col" { "Replies" }
                        th scope="col" { "Latest post" }
                    } }
                    tbody {
                        @for row in &rows.items {
                            tr.unread[row.unread.is_some_and(|n| n > 0)] {
                                td {
                                    @if row.thread.pinned { span.tag { "Pinned" } " " }
                                    @if row.thread.locked { span.tag { "Locked" } " " }
                                    @if row.thread.is_held() { span.tag.tag-red { "Waiting for a facilitator" } " " }
                                    a.thread-title href={ "/threads/" (row.thread.id) } { (row.thread.title) }
                                    @if let Some(unread) = row.unread.filter(|n| *n > 0) {
                                        " "
                                        a.tag.tag-new href={ "/threads/" (row.thread.id) "/unread" } {
                                            (unread) " new" span.visually-hidden { (if unread == 1 { " post" } else { " posts" }) }
                                        }
                                    }
                                    div.muted { "Started by " (author_line(&row.author)) }
                                }
                                td { (row.thread.reply_count()) }
                                td { (row.last_poster) br; (time_tag(row.thread.last_post_at)) }
                            }
                        }
                    }
                }
            }
            (pagination(rows, |page| format!("/forum/{}?page={page}", category.slug)))
        },
    )
}

/// The form around a post being written: errors, the patient-data check, a preview.
pub struct Composer<'a> {
    pub action: String,
    /// The author's own words, kept through every re-show.
    pub post: &'a PostForm,
    pub errors: &'a FieldErrors,
    pub preview: Option<&'a SafeHtml>,
    /// What the patient-data guard found ([`crate::guard`]), for the author to check.
    pub concerns: &'a [String],
    pub with_title: bool,
    pub submit: &'a str,
}

fn composer(ctx: &PageCtx, form: &Composer<'_>) -> Markup {
    html! {
        @if !form.concerns.is_empty() {
            div.warning-callout role="alert" tabindex="-1" autofocus {
                h2 { "Check this could not identify anyone" }
                p { "Your post may contain details that identify a patient or service user:" }
                ul { @for concern in form.concerns { li { (concern) } } }
                p { "Edit the post to take them out. If you are sure nothing could identify anyone, tick the box below: your post is then saved, and a facilitator checks it before anyone else sees it." }
            }
        }
        @if let Some(preview) = form.preview {
            section.preview aria-labelledby="preview-heading" tabindex="-1" autofocus {
                h2 #preview-heading { "Preview" }
                div.prose { (preview) }
            }
        }
        // The page script keeps a draft, offers names after @ and previews in place.
        form.composer method="post" action=(form.action) novalidate
            data-draft=[draft_key(ctx, &form.action)] data-mentions data-preview="/preview" {
            (csrf_field(ctx))
            @if let Some(reply_to) = form.post.reply_to() {
                input type="hidden" name="reply_to" value=(reply_to);
            }
            @if form.with_title {
                (text_field("title", "Title", &form.post.title, form.errors,
                    Input::text().required().max_length(ThreadTitle::MAX)))
            }
            (textarea_field("body", "Your post", &form.post.body, form.errors,
                Some("Markdown works: *italic*, **bold**, [link text](https://…), lists, tables, > quotes. Mention someone with @ and their name. Never include anything that identifies a patient or service user."), 10))
            @if !form.concerns.is_empty() {
                (checkbox_field("confirm_patient_data", "I have checked: nothing in this post identifies a patient or service user. Send it to a facilitator to check.", false, None))
            }
            div.button-row {
                button.button type="submit" name="action" value="post" { (form.submit) }
                button.button.button-secondary type="submit" name="action" value="preview" { "Preview" }
            }
            p.hint { "Up to 50,000 characters." }
        }
    }
}

/// A writing page: its title says when the post needs attention, the error summary comes
/// after `top` (the breadcrumbs and heading), then the composer.
fn writing_page(ctx: &PageCtx, name: &str, form: &Composer<'_>, top: Markup) -> Markup {
    let title = if form.concerns.is_empty() {
        name.to_owned()
    } else {
        format!("Check your post: {name}")
    };
    FormPage::new(ctx, &title, form.errors)
        .top(top)
        .render(composer(ctx, form))
}

pub fn new_thread(ctx: &PageCtx, category: &Category, form: &Composer<'_>) -> Markup {
    writing_page(
        ctx,
        "New thread",
        form,
        html! {
            (breadcrumbs(&[("Forum", "/forum".into()), (&category.name, format!("/forum/{}", category.slug))]))
            h1 { "New thread in " (category.name) }
        },
    )
}

pub fn reply(ctx: &PageCtx, thread: &Thread, quote: Option<&Quote>, form: &Composer<'_>) -> Markup {
    writing_page(
        ctx,
        "Reply",
        form,
        html! {
            (breadcrumbs(&[("Forum", "/forum".into()), (&thread.title, format!("/threads/{}", thread.id))]))
            h1 { "Reply to “" (thread.title) "”" }
            @if let Some(quote) = quote {
                div.quote {
                    p { "Answering " a href={ "/posts/" (quote.id) } { (quote.author) } ":" }
                    @if quote.visible { blockquote { (quote.excerpt) } }
                }
            }
        },
    )
}

pub fn edit_post(ctx: &PageCtx, thread: &Thread, form: &Composer<'_>) -> Markup {
    writing_page(
        ctx,
        "Edit your post",
        form,
        html! {
            (breadcrumbs(&[("Forum", "/forum".into()), (&thread.title, format!("/threads/{}", thread.id))]))
            h1 { "Edit your post" }
            p { "Posts you edit are marked “edited”; facilitators can see earlier versions." }
        },
    )
}

/// What a purged post says in place of its text.
pub const PURGED_NOTICE: &str =
    "This post was removed by a facilitator because it contained personal details.";

fn post_body(ctx: &PageCtx, post: &Post) -> Markup {
    let moderator = is_moderator(ctx);
    html! {
        @if post.purged_at.is_some() {
            p.removed { (PURGED_NOTICE) }
        } @else if post.deleted_at.is_some() {
            p.removed { "Post removed by its author." }
            @if moderator {
                details.staff-view { summary { "Show the removed text (facilitators only)" } div.prose { (post.body_html) } }
            }
        } @else if post.is_held() {
            div.held-notice {
                p { strong { "Waiting for a facilitator." } " The patient-data check found something in this post that could identify a patient or service user, so nobody else sees it until a facilitator has checked it." }
                @if moderator {
                    p { a href="/moderation/held" { "Review it with the other held items" } }
                }
            }
            div.prose { (post.body_html) }
        } @else if post.hidden_at.is_some() {
            @if post.hidden_by.is_none() {
                p.removed { "Hidden after reports from members, until a facilitator reviews it." }
            } @else {
                p.removed { "Hidden by a facilitator." }
            }
            @if moderator {
                div.staff-view {
                    p { strong { "Reason: " } (post.hidden_reason.as_deref().unwrap_or("")) }
                    div.prose { (post.body_html) }
                }
            }
        } @else {
            div.prose { (post.body_html) }
        }
    }
}

/// `moderates`: whether the viewer moderates in the thread's category.
fn post_actions(
    ctx: &PageCtx,
    thread: &Thread,
    open: bool,
    moderates: bool,
    view: &PostView,
) -> Markup {
    let post = &view.post;
    let own = ctx.viewer.as_ref().is_some_and(|v| v.id == post.author_id);
    let signed_in = ctx.viewer.is_some();
    html! {
        div.post-actions {
            @if post.helpful_count > 0 {
                span.helpful-count { (post.helpful_count) " found this helpful" }
            }
            @if signed_in && !own && post.is_visible() {
                form.inline-form method="post" action={ "/posts/" (post.id) "/helpful" } {
                    (csrf_field(ctx))
                    @if view.marked_helpful {
                        input type="hidden" name="helpful" value="no";
                        button.link-action type="submit" { "Undo helpful" }
                    } @else {
                        input type="hidden" name="helpful" value="yes";
                        button.link-action type="submit" { "Helpful" }
                    }
                }
            }
            @if signed_in && open && post.is_visible() {
                a href={ "/threads/" (thread.id) "/reply?to=" (post.id) } { "Reply to this" span.visually-hidden { " post by " (view.author.display_name) } }
            }
            @if own && post.deleted_at.is_none() && post.purged_at.is_none() && open {
                a href={ "/posts/" (post.id) "/edit" } { "Edit" }
                form.inline-form method="post" action={ "/posts/" (post.id) "/delete" } {
                    (csrf_field(ctx))
                    button.link-action type="submit" { "Remove" }
                }
            }
            @if signed_in && !own && post.is_visible() {
                details.report {
                    summary { "Report" }
                    form method="post" action={ "/posts/" (post.id) "/report" } {
                        (csrf_field(ctx))
                        label.label for={ "report-" (post.id) } { "What is wrong with this post?" }
                        textarea.textarea id={ "report-" (post.id) } name="reason" rows="2" maxlength=(Reason::MAX) {}
                        button.button.button-secondary type="submit" { "Send report" }
                    }
                }
            }
        }
        @if moderates {
            div.moderator-actions {
                @if post.is_held() {
                } @else if post.hidden_at.is_some() {
                    form.inline-form method="post" action={ "/posts/" (post.id) "/unhide" } {
                        (csrf_field(ctx))
                        button.link-action type="submit" { "Show again" }
                    }
                } @else {
                    details {
                        summary { "Hide" }
                        form method="post" action={ "/posts/" (post.id) "/hide" } {
                            (csrf_field(ctx))
                            label.label for={ "hide-" (post.id) } { "Reason (kept in the audit log; facilitators see it on the post)" }
                            input.input id={ "hide-" (post.id) } name="reason" maxlength=(Reason::MAX);
                            button.button.button-secondary type="submit" { "Hide post" }
                        }
                    }
                }
                form.inline-form method="post" action={ "/posts/" (post.id) "/remove" } {
                    (csrf_field(ctx))
                    button.link-action.danger type="submit" {
                        @if post.position == 1 { "Delete thread as spam" } @else { "Delete as spam" }
                    }
                }
                @if view.revisions > 0 {
                    a href={ "/posts/" (post.id) "/history" } { "Earlier versions (" (view.revisions) ")" }
                }
                // Purged again only to take the thread's title too.
                @if post.purged_at.is_none() || post.position == 1 {
                    a.link-action.danger href={ "/posts/" (post.id) "/purge" } {
                        "Purge: remove this text everywhere (personal data)"
                    }
                }
            }
        }
    }
}

fn post_card(
    ctx: &PageCtx,
    thread: &Thread,
    open: bool,
    moderates: bool,
    view: &PostView,
) -> Markup {
    let post = &view.post;
    html! {
        article.post id={ "post-" (post.id) } {
            h2.visually-hidden { "Post by " (view.author.display_name) }
            header.post-meta {
                (author_line(&view.author))
                " · "
                a.permalink href={ "/posts/" (post.id) } { (time_tag(post.created_at)) }
                @if post.edited_at.is_some() { " · " span.edited { "edited" } }
            }
            @if let Some(quote) = &view.quote {
                div.quote {
                    p.muted { "In reply to " a href={ "/posts/" (quote.id) } { (quote.author) } }
                    @if quote.visible {
                        blockquote { (quote.excerpt) }
                    }
                }
            }
            (post_body(ctx, post))
            @if !view.resources.is_empty() {
                ul.resource-cards aria-label="Linked resources" {
                    @for card in &view.resources {
                        li.resource-card {
                            span.tag { (card.label) } " "
                            a href={ "/resources/" (card.id) } { (card.title) }
                        }
                    }
                }
            }
            @if !view.replies.is_empty() {
                p.replies {
                    (view.replies.len()) " repl" (if view.replies.len() == 1 { "y" } else { "ies" }) ": "
                    @for (i, (reply, author)) in view.replies.iter().enumerate() {
                        @if i > 0 { ", " }
                        a href={ "/posts/" (reply) } { (author) }
                    }
                }
            }
            (post_actions(ctx, thread, open, moderates, view))
        }
    }
}

fn thread_tools(ctx: &PageCtx, thread: &Thread, categories: &[Category]) -> Markup {
    let options: Vec<(String, String)> = categories
        .iter()
        .map(|c| (c.id.to_string(), c.name.clone()))
        .collect();
    let options: Vec<(&str, &str)> = options
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let current = thread.category_id.to_string();
    html! {
        details.thread-tools {
            summary { "Moderate this thread" }
            div.tool-row {
                form.inline-form method="post" action={ "/threads/" (thread.id) (if thread.pinned { "/unpin" } else { "/pin" }) } {
                    (csrf_field(ctx))
                    button.button.button-secondary type="submit" { (if thread.pinned { "Unpin" } else { "Pin" }) }
                }
                form.inline-form method="post" action={ "/threads/" (thread.id) (if thread.locked { "/unlock" } else { "/lock" }) } {
                    (csrf_field(ctx))
                    button.button.button-secondary type="submit" { (if thread.locked { "Unlock" } else { "Lock" }) }
                }
            }
            form method="post" action={ "/threads/" (thread.id) "/move" } {
                (csrf_field(ctx))
                (select_field("category", "Move to category", &current, &options, None, &FieldErrors::new()))
                button.button.button-secondary type="submit" { "Move" }
            }
            form method="post" action={ "/threads/" (thread.id) "/rename" } {
                (csrf_field(ctx))
                (text_field("title", "Rename thread", &thread.title, &FieldErrors::new(), Input::text().max_length(ThreadTitle::MAX)))
                button.button.button-secondary type="submit" { "Rename" }
            }
        }
    }
}

pub fn thread(ctx: &PageCtx, view: &ThreadView, reply_form: Option<&Composer<'_>>) -> Markup {
    let page = &view.page;
    let thread = &page.thread;
    // Replies, edits and reply links only while the thread takes replies.
    let open = !thread.locked && !page.category.archived;
    let links = || {
        page_links(page.page as u32, page.last_page as u32, |n| {
            format!("/threads/{}?page={n}", thread.id)
        })
    };
    html! {
        (layout(ctx, &thread.title, html! {
            (breadcrumbs(&[("Forum", "/forum".into()), (&page.category.name, format!("/forum/{}", page.category.slug))]))
            h1 { (thread.title) }
            p.muted {
                @if thread.pinned { span.tag { "Pinned" } " " }
                @if thread.locked { span.tag { "Locked" } " " }
                @if thread.is_held() { span.tag.tag-red { "Waiting for a facilitator" } " " }
                (thread.post_count) " post" (if thread.post_count == 1 { "" } else { "s" })
            }
            @if let Some(watching) = view.watching {
                (watch_button(ctx, &format!("/threads/{}/watch", thread.id), watching, "this thread"))
            }
            @if view.moderates { (thread_tools(ctx, thread, &view.categories)) }
            (links())
            div.posts {
                @for post in &page.posts { (post_card(ctx, thread, open, view.moderates, post)) }
            }
            // On the last page, the page script says here when others reply meanwhile.
            @if let Some(last) = page.posts.last().filter(|_| page.page == page.last_page) {
                div.new-replies aria-live="polite"
                    data-newer={ "/threads/" (thread.id) "/newer?after=" (last.post.id) } {}
            }
            (links())
            @if thread.locked {
                p.notice { "This thread is locked: it takes no more replies." }
            } @else if page.category.archived {
                p.notice { "This category is archived: its threads take no more replies." }
            } @else if let Some(form) = reply_form {
                section.reply-box aria-labelledby="reply-heading" {
                    h2 #reply-heading { "Reply" }
                    (composer(ctx, form))
                }
            } @else if ctx.viewer.is_none() {
                p { a href={ "/login?next=%2Fthreads%2F" (thread.id) } { "Sign in" } " to reply." }
            }
        }))
    }
}

pub fn history(
    ctx: &PageCtx,
    thread_id: ThreadId,
    post: &Post,
    earlier: &[(NaiveDateTime, SafeHtml)],
) -> Markup {
    layout(
        ctx,
        "Earlier versions",
        html! {
            (breadcrumbs(&[("Forum", "/forum".into()), ("Thread", format!("/threads/{thread_id}"))]))
            h1 { "Earlier versions of a post" }
            h2 { "Now" }
            @if post.purged_at.is_some() {
                p.removed { (PURGED_NOTICE) " Its earlier versions went with it." }
            } @else {
                div.prose { (post.body_html) }
            }
            @for (i, (written, html)) in earlier.iter().enumerate().rev() {
                h2 { "Version " (i + 1) ", from " (time_tag(*written)) }
                div.prose { (html) }
            }
        },
    )
}

/// The purge of a post: what will happen, the text that will go, why (for the audit log),
/// and for the post that opened its thread, a new title if the old one must go too.
pub fn purge_post(
    ctx: &PageCtx,
    thread: &Thread,
    post: &Post,
    form: &PurgeForm,
    errors: &FieldErrors,
) -> Markup {
    let opening = post.position == 1;
    let action = format!("/posts/{}/purge", post.id);
    FormPage::new(ctx, "Purge a post", errors)
        .narrow()
        .top(breadcrumbs(&[("Forum", "/forum".into()), (&thread.title, format!("/threads/{}", thread.id))]))
        .render(html! {
            h1 { "Purge a post: remove its text everywhere" }
            p { "Purge a post that contains personal details, such as a patient's name, NHS number or date of birth. Hiding it is not enough: hidden text is kept, and may already be in emails and search." }
            h2 { "What will happen" }
            ul {
                li { "The post's text is deleted, with every earlier version of it. The post keeps its place in the thread and says: “" (PURGED_NOTICE) "”" }
                li { "Replies that quote it show nothing of it, and search no longer finds it." }
                li { "Notifications about it that have not been emailed are deleted. Emails and digests waiting to be sent that carry it are taken back and written again without it." }
                li { "Its author is told, with your reason. Open reports on it are closed." }
                li { "The audit log records that you purged post #" (post.id) " in thread #" (thread.id) ", with your reason, never the text. So do not repeat the personal details in your reason." }
                li { strong { "This cannot be undone." } }
            }
            @if post.purged_at.is_some() {
                p.notice { "This post's text has already been purged. Purge it again to replace the thread's title." }
            } @else {
                details.staff-view {
                    summary { "The text that will be removed" }
                    div.prose { (post.body_html) }
                }
            }
            form method="post" action=(action) novalidate {
                (csrf_field(ctx))
                (textarea_field("reason", "Reason (kept in the audit log)", &form.reason, errors,
                    Some("For example: named a patient and gave their date of birth."), 3))
                // A title sent for a later post is refused by the field, so it shows there.
                @if opening || !form.title.is_empty() {
                    (text_field("title", "New title for the thread (optional)", &form.title, errors,
                        Input::text().max_length(ThreadTitle::MAX).hint(
                            "This post opened the thread. If the title also identifies someone, give a new one: it replaces the old title on the thread, in notifications, in emails waiting to be sent and in the audit log. Leave it empty to keep the title.")))
                }
                button.button.button-warning type="submit" { "Purge the text" }
            }
            p { a href={ "/posts/" (post.id) } { "Back to the post" } }
        })
}

/// A refused moderation change: what was wrong, and the way back to the thread.
pub fn refused(ctx: &PageCtx, heading: &str, back: &str, errors: &FieldErrors) -> Markup {
    layout(
        ctx,
        &format!("Error: {heading}"),
        html! {
            div.narrow {
                h1 { (heading) }
                div.error-summary role="alert" tabindex="-1" autofocus {
                    @for (_, message) in errors.iter() { p { (message) } }
                }
                p { a href=(back) { "Back to the thread" } }
            }
        },
    )
}

pub fn rename_form(ctx: &PageCtx, thread: ThreadId, title: &str, errors: &FieldErrors) -> Markup {
    FormPage::new(ctx, "Rename a thread", errors)
        .narrow()
        .render(html! {
            h1 { "Rename a thread" }
            form method="post" action={ "/threads/" (thread) "/rename" } novalidate {
                (csrf_field(ctx))
                (text_field("title", "New title", title, errors, Input::text().required()))
                button.button type="submit" { "Rename" }
            }
            p { a href={ "/threads/" (thread) } { "Back to the thread" } }
        })
}

/// A small form page for when an inline moderation or report form needs its error shown.
pub fn reason_form(
    ctx: &PageCtx,
    heading: &str,
    action: &str,
    reason: &str,
    errors: &FieldErrors,
) -> Markup {
    FormPage::new(ctx, heading, errors).narrow().render(html! {
        h1 { (heading) }
        form method="post" action=(action) novalidate {
            (csrf_field(ctx))
            (textarea_field("reason", "Reason", reason, errors, None, 3))
            button.button type="submit" { "Send" }
        }
    })
}

pub fn queue(ctx: &PageCtx, items: &[QueueItem], held: i64) -> Markup {
    layout(
        ctx,
        "Moderation queue",
        html! {
            (moderation_nav(ctx))
            h1 { "Reported posts" }
            @if held > 0 {
                p.notice {
                    a href="/moderation/held" { (held) (if held == 1 { " item is" } else { " items are" }) " held by the patient-data check" }
                    " and waiting for a facilitator."
                }
            }
            @if items.is_empty() {
                p { "Nothing is waiting. Thank you." }
            }
            @for item in items {
                article.card.queue-item {
                    h2.card-title { a href={ "/posts/" (item.post.id) } { (item.thread_title) } }
                    p { "Post by " (author_line(&item.author)) " · " (time_tag(item.post.created_at))
                        @if item.post.hidden_at.is_some() { " · " strong.tag.tag-red { "Hidden" } } }
                    div.prose { (item.post.body_html) }
                    p.claim {
                        @match &item.claimed_by {
                            Some(name) => { strong { (name) } " is dealing with these reports." }
                            None => { "Nobody has claimed these reports yet." }
                        }
                        @if item.escalated { " " strong.tag.tag-red { "Passed to the admins" } }
                    }
                    div.tool-row {
                        @if item.claimed_by.is_none() {
                            form method="post" action={ "/moderation/posts/" (item.post.id) "/claim" } {
                                (csrf_field(ctx))
                                button.button.button-secondary type="submit" { "Claim" span.visually-hidden { " the reports on this post" } }
                            }
                        } @else {
                            form method="post" action={ "/moderation/posts/" (item.post.id) "/unclaim" } {
                                (csrf_field(ctx))
                                button.button.button-secondary type="submit" { "Let go" span.visually-hidden { " of the reports on this post" } }
                            }
                        }
                        @if !item.escalated {
                            form method="post" action={ "/moderation/posts/" (item.post.id) "/escalate" } {
                                (csrf_field(ctx))
                                button.button.button-secondary type="submit" { "Pass to the admins" }
                            }
                        }
                    }
                    h3 { (item.reports.len()) " report" (if item.reports.len() == 1 { "" } else { "s" }) }
                    ul {
                        @for (reporter, reason, at) in &item.reports {
                            li { strong { (reporter) } " (" (time_tag(*at)) "): " (reason) }
                        }
                    }
                    div.tool-row {
                        form method="post" action={ "/moderation/posts/" (item.post.id) "/resolve" } {
                            (csrf_field(ctx))
                            label.label for={ "resolve-" (item.post.id) } { "Reason for hiding (kept in the audit log)" }
                            input.input id={ "resolve-" (item.post.id) } name="reason" maxlength=(Reason::MAX);
                            button.button.button-warning type="submit" { "Hide post and close reports" }
                        }
                        form method="post" action={ "/moderation/posts/" (item.post.id) "/dismiss" } {
                            (csrf_field(ctx))
                            button.button.button-secondary type="submit" { "Nothing wrong: dismiss reports" }
                        }
                    }
                }
            }
        },
    )
}

/// Admin: the categories, with a form to add one.
pub fn admin_categories(
    ctx: &PageCtx,
    all: &[Category],
    form: &CategoryForm,
    errors: &FieldErrors,
) -> Markup {
    FormPage::new(ctx, "Categories – admin", errors)
        .top(crate::admin::pages::admin_nav(ctx))
        .render(html! {
            h1 { "Forum categories" }
            div.table-scroll tabindex="0" role="region" aria-label="Categories" { table.table {
                caption.visually-hidden { "Categories in display order" }
                thead { tr { th scope="col" { "Order" } th scope="col" { "Name" } th scope="col" { "Address" } th scope="col" { "Who can read" } th scope="col" { "Status" } } }
                tbody {
                    @for category in all {
                        tr {
                            td { (category.position) }
                            td { a href={ "/admin/categories/" (category.id) } { (category.name) } }
                            td { "/forum/" (category.slug) }
                            td { (if category.public_read { "Everyone" } else { "Members" }) }
                            td { (if category.archived { "Archived" } else { "Open" }) }
                        }
                    }
                }
            } }
            h2 { "Add a category" }
            (category_form(ctx, "/admin/categories", form, errors, "Add category"))
        })
}

fn category_form(
    ctx: &PageCtx,
    action: &str,
    form: &CategoryForm,
    errors: &FieldErrors,
    submit: &str,
) -> Markup {
    html! {
        form method="post" action=(action) novalidate {
            (csrf_field(ctx))
            (text_field("name", "Name", &form.name, errors, Input::text().required().max_length(80)))
            (text_field("slug", "Web address", &form.slug, errors, Input::text().max_length(60)
                .hint("Lower-case letters, digits and hyphens. Leave empty to make one from the name.")))
            (textarea_field("description", "Description", &form.description, errors, None, 3))
            (text_field("position", "Order", &form.position, errors, Input::of("number").hint("Smaller numbers come first.")))
            (checkbox_field("public_read", "Visitors who are not signed in can read it", form.public_read.is_some(), None))
            (checkbox_field("staff_threads_only", "Only facilitators start threads (everyone can reply)", form.staff_threads_only.is_some(), None))
            (checkbox_field("archived", "Archived: readable, but no new threads or replies", form.archived.is_some(), None))
            button.button type="submit" { (submit) }
        }
    }
}

/// Who may be put in charge of a category, and who is.
pub struct InCharge {
    pub candidates: Vec<super::scope::Facilitator>,
    pub chosen: Vec<crate::db::MemberId>,
    /// A run's cohort space: its run's facilitators look after it.
    pub cohort_space: Option<crate::db::CourseRunId>,
}

pub fn admin_category(
    ctx: &PageCtx,
    id: crate::db::CategoryId,
    form: &CategoryForm,
    in_charge: &InCharge,
    errors: &FieldErrors,
) -> Markup {
    FormPage::new(ctx, "Edit category – admin", errors)
        .top(breadcrumbs(&[("Categories", "/admin/categories".into())]))
        .render(html! {
            h1 { "Edit category" }
            (category_form(ctx, &format!("/admin/categories/{id}"), form, errors, "Save category"))
            h2 { "Facilitators in charge" }
            @if let Some(run) = in_charge.cohort_space {
                p { "This is a course run's cohort space: the run's two facilitators look after it. "
                    a href={ "/admin/courses/" (run) } { "Change them on the run" } "." }
            } @else {
                (in_charge_form(ctx, id, in_charge, errors))
            }
        })
}

fn in_charge_form(
    ctx: &PageCtx,
    id: crate::db::CategoryId,
    in_charge: &InCharge,
    errors: &FieldErrors,
) -> Markup {
    let error = errors.get("facilitators");
    html! {
        form method="post" action={ "/admin/categories/" (id) "/facilitators" } {
            (csrf_field(ctx))
            div.form-group.form-group-error[error.is_some()] {
                fieldset.fieldset aria-describedby={ "facilitators-hint" @if error.is_some() { " facilitators-error" } } {
                    legend.label { "Who moderates this category" }
                    p.hint id="facilitators-hint" { "Those ticked pin, lock, move and hide here and see its reports and held posts; admins always can. With nobody ticked, every facilitator looks after it." }
                    @if let Some(message) = error {
                        p.error-message id="facilitators-error" { span.visually-hidden { "Error: " } (message) }
                    }
                    @if in_charge.candidates.is_empty() {
                        p { "There are no facilitators yet: make a member one from their admin page." }
                    }
                    @for (i, person) in in_charge.candidates.iter().enumerate() {
                        // The first box answers to #facilitators, so the error summary's link lands on it.
                        @let field = if i == 0 { "facilitators".to_owned() } else { format!("facilitator-{}", person.id) };
                        div.checkbox {
                            input id=(field) type="checkbox" name="facilitators" value=(person.id)
                                checked[in_charge.chosen.contains(&person.id)];
                            label for=(field) { (person.name) }
                        }
                    }
                }
            }
            button.button type="submit" { "Save who moderates" }
        }
    }
}

pub fn suspend_member(
    ctx: &PageCtx,
    member: &crate::members::directory::Profile,
    form: &SuspendForm,
    errors: &FieldErrors,
) -> Markup {
    FormPage::new(ctx, "Suspend a member", errors)
        .narrow()
        .render(html! {
            h1 { "Suspend " (member.display_name) }
            p { "A suspended member cannot sign in until the suspension ends. Their posts stay. The suspension and its reason go to the audit log." }
            form method="post" action={ "/members/" (member.id) "/suspend" } novalidate {
                (csrf_field(ctx))
                (text_field("days", "Number of days", &form.days, errors, Input::of("number").required()
                    .hint("Facilitators suspend for up to 30 days; an admin can suspend for longer. The member is emailed the reason, the end date and how to appeal.")))
                (textarea_field("reason", "Reason", &form.reason, errors, None, 3))
                button.button.button-warning type="submit" { "Suspend" }
            }
        })
}

/// A wait in words: "45 min", "3 h 20 min", "2 days 4 h".
fn wait_words(wait: Option<chrono::Duration>) -> String {
    let Some(wait) = wait else {
        return "–".into();
    };
    let minutes = wait.num_minutes().max(0);
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (days, hours) {
        (0, 0) => format!("{mins} min"),
        (0, _) => format!("{hours} h {mins} min"),
        _ => format!("{days} day{} {hours} h", if days == 1 { "" } else { "s" }),
    }
}

fn tally_table(
    caption: &str,
    first: &str,
    rows: &[(String, crate::forum::statistics::Tally)],
) -> Markup {
    html! {
        div.table-scroll tabindex="0" role="region" aria-label=(caption) { table.table {
            caption { (caption) }
            thead { tr {
                th scope="col" { (first) }
                th scope="col" { "Reports" }
                th scope="col" { "Not yet acted on" }
                th scope="col" { "Median wait for a first action" }
            } }
            tbody {
                @for (name, tally) in rows {
                    tr {
                        th scope="row" { (name) }
                        td { (tally.reports) }
                        td { (tally.open) }
                        td { (wait_words(tally.median_wait)) }
                    }
                }
            }
        } }
    }
}

pub fn moderation_statistics(
    ctx: &PageCtx,
    stats: &crate::forum::statistics::Statistics,
) -> Markup {
    layout(
        ctx,
        "Moderation statistics",
        html! {
            (crate::admin::pages::admin_nav(ctx))
            h1 { "Moderation statistics" }
            p { "Reports made in the last " (crate::forum::statistics::MONTHS) " months: "
                (stats.all.reports) " in all, " (stats.all.open) " not yet acted on; the median wait for a first action (a facilitator claiming or closing them) was "
                (wait_words(stats.all.median_wait)) "." }
            @if stats.months.is_empty() {
                p { "No reports in that time." }
            } @else {
                (tally_table("Reports by month, newest first", "Month", &stats.months))
                (tally_table("Reports by category, most first", "Category", &stats.categories))
            }
        },
    )
}
