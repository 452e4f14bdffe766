//! The facilitators' pages for held items: the queue, with what the guard found marked in
//! each text and why it counts, and the form that takes the details out.

use maud::{html, Markup};

use super::decisions::HeldItem;
use super::{Hold, HoldKind, HoldStatus};
use crate::forum::values::Reason;
use crate::guard::{self, Screened};
use crate::web::forms::{csrf_field, text_field, textarea_field, FieldErrors, Input};
use crate::web::layout::{moderation_nav, time_tag, FormPage};
use crate::web::paging::{pagination, Paged};
use crate::web::PageCtx;

/// A text as the guard read it, each finding marked, each hidden finding listed after it.
fn marked(screened: &Screened) -> Markup {
    let mut shown: Vec<&guard::Finding> = screened.findings.iter().filter(|f| !f.hidden).collect();
    shown.sort_by_key(|f| f.span.start);
    let mut pieces: Vec<(bool, &str)> = Vec::new();
    let mut at = 0;
    for finding in shown {
        if finding.span.start < at {
            continue;
        }
        pieces.push((false, &screened.text[at..finding.span.start]));
        pieces.push((true, &screened.text[finding.span.clone()]));
        at = finding.span.end;
    }
    pieces.push((false, &screened.text[at..]));
    html! {
        div.held-text {
            @for (found, piece) in pieces {
                @if found { mark.finding { (piece) } } @else { (piece) }
            }
        }
    }
}

/// Why each finding counts, in plain words.
fn reasons(screened: &Screened) -> Markup {
    html! {
        @if !screened.findings.is_empty() {
            ul.findings {
                @for finding in &screened.findings {
                    li { strong { (screened.described(finding)) } ": " (finding.why()) }
                }
            }
        }
    }
}

/// What the author of a held text reads above its form: that it waits for a facilitator, or
/// that a facilitator returned it and why. `what` names it: "your \u{201c}about\u{201d} text".
pub fn held_notice(hold: &Hold, what: &str) -> Markup {
    html! {
        div.held-notice {
            @if hold.status == HoldStatus::Returned {
                p { strong { "A facilitator returned " (what) " for you to correct." } " Why: " (hold.note) }
                p { "Others still see your earlier text. Edit it below and save." }
            } @else {
                p { strong { (capitalised(what)) " is waiting for a facilitator." } " The patient-data check found something in it that could identify a patient or service user. Others see your earlier text until a facilitator has checked it." }
            }
        }
    }
}

pub fn queue(ctx: &PageCtx, items: &Paged<HeldItem>) -> Markup {
    FormPage::new(ctx, "Held items", &FieldErrors::new())
        .top(moderation_nav(ctx))
        .render(html! {
            h1 { "Held items" }
            p { "The patient-data check holds anything a member confirmed after it warned them that it may identify a patient or service user. Nobody but its author sees a held item. For each, look at what is marked: " }
            ul {
                li { strong { "Approve" } " when nothing identifies anyone (a service's postcode, a made-up example)." }
                li { strong { "Take the details out" } " to publish it without them: the original words are not kept anywhere." }
                li { strong { "Return" } " to ask its author to correct it: they are told why and can edit it." }
            }
            @if items.items.is_empty() {
                p { "Nothing is waiting. Thank you." }
            }
            @for item in &items.items {
                (held_item(ctx, item))
            }
            (pagination(items, |page| format!("/moderation/held?page={page}")))
        })
}

fn held_item(ctx: &PageCtx, item: &HeldItem) -> Markup {
    let id = item.hold.id;
    html! {
        article.card.queue-item aria-labelledby={ "held-" (id) } {
            h2.card-title id={ "held-" (id) } {
                (capitalised(&item.place)) " by " (item.author)
            }
            p.muted { "Held " (time_tag(item.hold.held_at)) " · " a href=(item.link) { "Open it" } }
            @for (field, text) in &item.texts {
                @let screened = guard::screen(text);
                @if !text.is_empty() {
                    h3 { (capitalised(field)) }
                    (marked(&screened))
                    (reasons(&screened))
                }
            }
            div.tool-row {
                form method="post" action={ "/moderation/held/" (id) "/approve" } {
                    (csrf_field(ctx))
                    button.button type="submit" { "Approve" span.visually-hidden { " " (item.place) " by " (item.author) } }
                }
                a.button.button-secondary href={ "/moderation/held/" (id) "/redact" } { "Take the details out" span.visually-hidden { " of " (item.place) " by " (item.author) } }
                form method="post" action={ "/moderation/held/" (id) "/return" } {
                    (csrf_field(ctx))
                    label.label for={ "return-" (id) } { "Why it goes back (sent to the author)" }
                    input.input id={ "return-" (id) } name="reason" maxlength=(Reason::MAX) required;
                    button.button.button-warning type="submit" { "Return to author" }
                }
            }
        }
    }
}

fn capitalised(words: &str) -> String {
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The redaction form as sent, and shown again with its errors.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct RedactForm {
    pub title: String,
    pub body: String,
    pub description: String,
    pub about: String,
    pub offers: String,
    pub who_for: String,
    pub referral: String,
    pub note: String,
}

impl RedactForm {
    /// The form filled in with the held texts.
    pub fn of(item: &HeldItem) -> Self {
        let text = |name: &str| {
            item.texts
                .iter()
                .find(|(field, _)| *field == name)
                .map(|(_, text)| text.clone())
                .unwrap_or_default()
        };
        Self {
            title: text("title"),
            body: text("post") + &text("message"),
            description: text("description"),
            about: text("about"),
            offers: text("offers"),
            who_for: text("who_for"),
            referral: text("referral"),
            note: String::new(),
        }
    }
}

pub fn redact(ctx: &PageCtx, item: &HeldItem, form: &RedactForm, errors: &FieldErrors) -> Markup {
    let id = item.hold.id;
    let title = format!("Take the details out of {}", item.place);
    FormPage::new(ctx, &title, errors)
        .top(moderation_nav(ctx))
        .render(html! {
            h1 { (title) }
            p { "By " (item.author) ". Edit the text below to take out what could identify someone, and say why in the note. Saving publishes it; its original words are not kept in its history or the search index. The author is told, with your note." }
            @for (field, text) in &item.texts {
                @let screened = guard::screen(text);
                @if !screened.findings.is_empty() {
                    h2 { "What the check found in the " (field) }
                    (marked(&screened))
                    (reasons(&screened))
                }
            }
            form method="post" action={ "/moderation/held/" (id) "/redact" } novalidate {
                (csrf_field(ctx))
                @match item.hold.kind {
                    HoldKind::Thread => {
                        (text_field("title", "Title", &form.title, errors, Input::text().required()))
                        (textarea_field("body", "Post", &form.body, errors, None, 10))
                    }
                    HoldKind::Post => {
                        (textarea_field("body", "Post", &form.body, errors, None, 10))
                    }
                    HoldKind::Resource => {
                        (text_field("title", "Title", &form.title, errors, Input::text().required()))
                        (textarea_field("description", "Description", &form.description, errors, None, 8))
                    }
                    HoldKind::Profile => {
                        (textarea_field("about", "About them", &form.about, errors, None, 8))
                    }
                    HoldKind::Message => {
                        (textarea_field("body", "Message", &form.body, errors, None, 8))
                    }
                    HoldKind::Service => {
                        (textarea_field("offers", "What their service offers", &form.offers, errors, None, 5))
                        (textarea_field("who_for", "Who it is for", &form.who_for, errors, None, 4))
                        (textarea_field("referral", "How to refer to it", &form.referral, errors, None, 4))
                    }
                }
                (text_field("note", "Note: what you took out and why (logged, and sent to the author; do not repeat the details)", &form.note, errors,
                    Input::text().required().max_length(Reason::MAX)))
                button.button type="submit" { "Publish without the details" }
            }
        })
}
