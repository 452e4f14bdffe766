//! The notifications page, the settings page and the unsubscribe pages.

use maud::{html, Markup};

use super::inbox::Notification;
use super::settings::Settings;
use super::values::{Cadence, Scope, Topic};
use super::watches::{Watched, THREADS_LISTED};
use crate::web::context::PageCtx;
use crate::web::forms::{checkbox_field, csrf_field, select_field, FieldErrors};
use crate::web::layout::{layout, time_tag, FormPage};
use crate::web::paging::{pagination, Paged};

pub fn inbox(ctx: &PageCtx, list: &Paged<Notification>, unread: i64) -> Markup {
    layout(
        ctx,
        "Notifications",
        html! {
            h1 { "Notifications" }
            p {
                @if list.total > 0 {
                    @if unread == 0 { "You have read them all. " }
                    @else if unread == 1 { "1 unread. " }
                    @else { (unread) " unread. " }
                }
                a href="/account/notifications" { "Choose what you hear about and how" }
            }
            @if unread > 0 {
                div.actions {
                    form.inline-form method="post" action="/notifications/read" {
                        (csrf_field(ctx))
                        button.button.button-secondary type="submit" { "Mark all as read" }
                    }
                }
            }
            @if list.items.is_empty() {
                p { "Nothing yet. You will hear here when someone replies to you, mentions you, or posts where you watch." }
            } @else {
                ol.notifications {
                    @for item in &list.items {
                        li.notification.unread[!item.read] {
                            @if !item.read { strong.tag { "New" } " " }
                            a href={ "/notifications/" (item.id) } { (item.headline) }
                            @if !item.detail.is_empty() { p.detail { (item.detail) } }
                            p.meta {
                                (item.topic.label()) " · " (time_tag(item.created_at))
                            }
                            @if !item.read {
                                form.inline-form method="post" action={ "/notifications/" (item.id) "/read" } {
                                    (csrf_field(ctx))
                                    button.link-button type="submit" {
                                        "Mark as read" span.visually-hidden { ": " (item.headline) }
                                    }
                                }
                            }
                        }
                    }
                }
                (pagination(list, |page| format!("/notifications?page={page}")))
            }
        },
    )
}

fn cadence_options(topic: Option<Topic>) -> Vec<(&'static str, &'static str)> {
    match topic {
        Some(topic) if !topic.digestible() => vec![
            (Cadence::Immediately.slug(), "Before each session"),
            (Cadence::Never.slug(), "Never"),
        ],
        Some(_) => Cadence::options(),
        None => vec![
            (Cadence::Weekly.slug(), "Every Monday"),
            (Cadence::Never.slug(), "Never"),
        ],
    }
}

pub fn settings(
    ctx: &PageCtx,
    chosen: &Settings,
    watched: &Watched,
    errors: &FieldErrors,
) -> Markup {
    FormPage::new(ctx, "Notifications and email", errors)
        .narrow()
        .render(html! {
            h1 { "Notifications and email" }
            p { "Everything shows on your " a href="/notifications" { "notifications page" } ". Choose which of it is also emailed to you, and when. Digests arrive at 7am; the weekly one on Mondays. Messages about your course bookings are always emailed." }
            form method="post" action="/account/notifications" novalidate {
                (csrf_field(ctx))
                fieldset.fieldset {
                    legend { "Email me about" }
                    @for topic in Topic::CHOSEN {
                        (select_field(topic.slug(), topic.label(), chosen.cadence(topic).slug(), &cadence_options(Some(topic)), None, errors))
                    }
                    (select_field("roundup", "The week's busiest discussions and new resources for your role and boroughs", chosen.roundup.slug(), &cadence_options(None), None, errors))
                }
                (checkbox_field("auto_watch", "Watch threads I start or reply to", chosen.auto_watch,
                    Some("You then hear about new replies in them. You can stop watching any thread from the thread itself.")))
                button.button type="submit" { "Save choices" }
            }
            h2 { "What you watch and follow" }
            h3 { "Categories" }
            @if watched.categories.is_empty() {
                p { "None. Open a category in the " a href="/forum" { "forum" } " and choose “Watch this category” to hear of every new thread." }
            } @else {
                ul.plain-list.watch-list {
                    @for (slug, name) in &watched.categories {
                        li {
                            a href={ "/forum/" (slug) } { (name) } " "
                            form.inline-form method="post" action={ "/forum/" (slug) "/watch" } {
                                (csrf_field(ctx))
                                input type="hidden" name="watch" value="no";
                                button.link-button type="submit" { "Stop watching" span.visually-hidden { " " (name) } }
                            }
                        }
                    }
                }
            }
            h3 { "Resource tags" }
            @if watched.tags.is_empty() {
                p { "None. Choose a tag in the " a href="/resources" { "resource library" } " and follow it to hear of new resources with it." }
            } @else {
                ul.plain-list.watch-list {
                    @for tag in &watched.tags {
                        li {
                            a href={ "/resources?tag=" (urlencode(tag)) } { (tag) } " "
                            form.inline-form method="post" action="/resources/follow" {
                                (csrf_field(ctx))
                                input type="hidden" name="tag" value=(tag);
                                input type="hidden" name="follow" value="no";
                                button.link-button type="submit" { "Stop following" span.visually-hidden { " " (tag) } }
                            }
                        }
                    }
                }
            }
            h3 { "Threads" }
            @if watched.threads.is_empty() {
                p { "None." }
            } @else {
                @if watched.threads.len() as i64 == THREADS_LISTED {
                    p { "The " (THREADS_LISTED) " with the latest replies:" }
                }
                ul.plain-list.watch-list {
                    @for (id, title) in &watched.threads {
                        li {
                            a href={ "/threads/" (id) } { (title) } " "
                            form.inline-form method="post" action={ "/threads/" (id) "/watch" } {
                                (csrf_field(ctx))
                                input type="hidden" name="watch" value="no";
                                button.link-button type="submit" { "Stop watching" span.visually-hidden { " " (title) } }
                            }
                        }
                    }
                }
            }
        })
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The page an unsubscribe link opens: one button, so that a mail scanner following links
/// does not unsubscribe anyone.
pub fn unsubscribe(ctx: &PageCtx, action: &str, scope: Scope) -> Markup {
    layout(
        ctx,
        "Unsubscribe",
        html! {
            div.narrow {
                h1 { "Unsubscribe" }
                p { "Stop " (scope) "? You will still see notifications on SPOT, and you can turn emails back on from your account at any time." }
                form method="post" action=(action) {
                    input type="hidden" name="List-Unsubscribe" value="One-Click";
                    button.button type="submit" { "Stop " (scope) }
                }
            }
        },
    )
}

pub fn unsubscribed(ctx: &PageCtx, scope: Scope) -> Markup {
    layout(
        ctx,
        "Unsubscribed",
        html! {
            div.narrow {
                h1 { "You are unsubscribed" }
                p { "We will no longer send you " (scope) "." }
                p { "To choose again, sign in and open " a href="/account/notifications" { "Notifications and email" } "." }
            }
        },
    )
}

/// The watch button of a thread or a category: `what` is "this thread", "this category".
pub fn watch_button(ctx: &PageCtx, action: &str, watching: bool, what: &str) -> Markup {
    html! {
        form.inline-form.watch-form method="post" action=(action) {
            (csrf_field(ctx))
            input type="hidden" name="watch" value=(if watching { "no" } else { "yes" });
            button.button.button-secondary type="submit" {
                @if watching { "Stop watching " (what) } @else { "Watch " (what) }
            }
        }
    }
}

pub fn outbox(ctx: &PageCtx, standing: &super::outbox::Standing) -> Markup {
    layout(
        ctx,
        "Outgoing email – admin",
        html! {
            (crate::admin::pages::admin_nav(ctx))
            h1 { "Outgoing email" }
            p { (standing.waiting) " waiting to be sent; " (standing.sent_last_day) " sent in the last 24 hours." }
            h2 { "Given up" }
            @if standing.given_up.is_empty() {
                p { "None: every email was delivered or is still being tried." }
            } @else {
                p { "These failed " (super::outbox::MAX_ATTEMPTS) " times. Once the mail server is fixed, send them again." }
                div.table-scroll tabindex="0" role="region" aria-label="Emails given up" { table.table {
                    caption.visually-hidden { "Emails given up" }
                    thead { tr { th scope="col" { "To" } th scope="col" { "Subject" } th scope="col" { "Last error" } th scope="col" { "Given up" } th scope="col" { span.visually-hidden { "Action" } } } }
                    tbody {
                        @for letter in &standing.given_up {
                            tr {
                                td { (letter.to_address) }
                                td { (letter.subject) }
                                td { (letter.last_error) }
                                td { (time_tag(letter.failed_at)) }
                                td {
                                    form.inline-form method="post" action={ "/admin/outbox/" (letter.id) "/retry" } {
                                        (csrf_field(ctx))
                                        button.link-button type="submit" { "Send again" span.visually-hidden { ": " (letter.subject) } }
                                    }
                                }
                            }
                        }
                    }
                } }
            }
        },
    )
}
