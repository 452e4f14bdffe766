//! The pages of private conversations: the inbox, a new message, a conversation, the
//! member's choices (who may write to them, whom they blocked), and the facilitators' queue
//! of reported messages. Each form carries its token, labels its fields and keeps what was
//! typed when it comes back with errors.

use maud::{html, Markup};
use serde::Deserialize;

use super::conversations::{Conversation, InboxRow, Shown, Standing};
use super::reports::Reported;
use super::values::{Accepts, MessageBody, Recipients};
use crate::db::paging::Paged;
use crate::db::MemberId;
use crate::forum::values::Reason;
use crate::guard::Verdict;
use crate::web::forms::{
    confirm_patient_data_field, csrf_field, draft_key, first, select_field, textarea_field,
    FieldErrors,
};
use crate::web::layout::{breadcrumbs, layout, moderation_nav, sub_nav, time_tag, FormPage};
use crate::web::paging::pagination;
use crate::web::PageCtx;

/// What the author is told when the guard holds their message.
pub const HELD_NOTICE: &str = "Your message is saved and waiting for a facilitator: it may \
     identify a patient or service user, so it is delivered only once a facilitator has \
     checked it. You will be told when they have.";

/// A message's text and the guard's box, as a form sends them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MessageForm {
    /// The members a new conversation is with (repeated); empty for a reply.
    pub to: Vec<String>,
    #[serde(deserialize_with = "first")]
    pub body: String,
    #[serde(deserialize_with = "first")]
    pub confirm_patient_data: String,
}

impl MessageForm {
    /// The text, and whether the guard holds it; a finding the author has not confirmed is
    /// a message by the field, with the box to confirm it.
    pub fn parse_body(&self, errors: &mut FieldErrors) -> Option<(MessageBody, Verdict)> {
        let body = errors.check("body", MessageBody::parse(&self.body))?;
        let confirmed = !self.confirm_patient_data.trim().is_empty();
        let verdict = errors.screen(&[("body", body.as_str())], confirmed);
        errors.is_empty().then_some((body, verdict))
    }

    /// A new conversation: whom, what, and the guard's verdict.
    pub fn parse_new(
        &self,
        sender: MemberId,
    ) -> Result<(Recipients, MessageBody, Verdict), FieldErrors> {
        let mut errors = FieldErrors::new();
        let to = errors.check("to", Recipients::parse(&self.to, sender));
        let body = self.parse_body(&mut errors);
        match (to, body) {
            (Some(to), Some((body, verdict))) if errors.is_empty() => Ok((to, body, verdict)),
            _ => Err(errors),
        }
    }

    /// A reply: what, and the guard's verdict.
    pub fn parse_reply(&self) -> Result<(MessageBody, Verdict), FieldErrors> {
        let mut errors = FieldErrors::new();
        self.parse_body(&mut errors).ok_or(errors)
    }

    /// The ids in `to` that read as ids, for showing the form again.
    pub fn to_ids(&self) -> Vec<MemberId> {
        self.to
            .iter()
            .filter_map(|v| v.trim().parse().ok())
            .collect()
    }
}

/// The section's own menu.
fn messages_nav(ctx: &PageCtx) -> Markup {
    sub_nav(
        ctx,
        "Messages",
        &[
            ("/messages", "Inbox"),
            ("/messages/settings", "Who can message you"),
        ],
    )
}

pub fn inbox(ctx: &PageCtx, rows: &Paged<InboxRow>) -> Markup {
    layout(
        ctx,
        "Messages",
        html! {
            h1 { "Messages" }
            (messages_nav(ctx))
            p { "Private conversations with other members, newest activity first. To start one, choose "
                strong { "Send a message" } " on a member's profile or card in the "
                a href="/members" { "directory" } ", or "
                strong { "Message the cohort" } " on your course's page." }
            @if rows.items.is_empty() {
                p { "You have no conversations yet." }
            } @else {
                ul.card-list.conversation-list {
                    @for row in &rows.items {
                        (inbox_row(row))
                    }
                }
            }
            (pagination(rows, |page| format!("/messages?page={page}")))
        },
    )
}

fn inbox_row(row: &InboxRow) -> Markup {
    let names: Vec<String> = row.others.iter().map(|p| p.name.clone()).collect();
    let title = super::conversations::with_names(&names);
    html! {
        li.card.conversation-card.unread[row.unread > 0] {
            h2.card-title {
                a href={ "/messages/" (row.id) } { (title) }
                @if row.unread > 0 {
                    " " span.unread-count { (row.unread) } span.visually-hidden { " unread" }
                }
            }
            @if let Some((author, excerpt, waiting)) = &row.latest {
                p { span.muted { (author) ": " } (excerpt)
                    @if *waiting { " " span.tag.tag-red { "Waiting for a facilitator" } } }
            }
            p.muted.small {
                "Latest " (time_tag(row.last_activity_at))
                @if row.others.len() > 1 { " · " (row.others.len() + 1) " people" }
                @if row.muted { " · " span.tag { "Muted" } }
            }
        }
    }
}

/// The form that starts a conversation: each recipient a ticked box (untick to leave them
/// out), the message, and the guard's box when it found something.
pub fn new_message(
    ctx: &PageCtx,
    form: &MessageForm,
    recipients: &[(MemberId, String)],
    errors: &FieldErrors,
) -> Markup {
    let title = "New message";
    let chosen = form.to_ids();
    let to_error = errors.get("to");
    // A draft to these people is theirs alone.
    let mut to: Vec<i64> = recipients.iter().map(|(id, _)| id.0).collect();
    to.sort_unstable();
    let to: Vec<String> = to.iter().map(i64::to_string).collect();
    let draft = draft_key(ctx, &format!("/messages/new?to={}", to.join(",")));
    FormPage::new(ctx, title, errors)
        .narrow()
        .top(breadcrumbs(&[("Messages", "/messages".into())]))
        .render(html! {
            h1 { (title) }
            form method="post" action="/messages/new" novalidate data-draft=[draft] {
                (csrf_field(ctx))
                div.form-group.form-group-error[to_error.is_some()] {
                    fieldset.fieldset id="to" aria-describedby=[to_error.map(|_| "to-error")] {
                        legend { "To" }
                        @if let Some(message) = to_error {
                            p.error-message id="to-error" { span.visually-hidden { "Error: " } (message) }
                        }
                        @if recipients.is_empty() {
                            p { "Nobody chosen yet. Find the member in the " a href="/members" { "directory" } " and choose " strong { "Send a message" } "." }
                        }
                        @for (id, name) in recipients {
                            div.checkbox {
                                input type="checkbox" name="to" value=(id) id={ "to-" (id) }
                                    checked[chosen.is_empty() || chosen.contains(id)];
                                label for={ "to-" (id) } { (name) }
                            }
                        }
                        p.hint { "Up to " (Recipients::MAX) " people besides you. Untick anyone to leave them out." }
                    }
                }
                (textarea_field("body", "Message", &form.body, errors,
                    Some("You can use Markdown. Please do not include anything that could identify a patient or service user."), 8))
                (confirm_patient_data_field(errors))
                button.button type="submit" { "Send message" }
            }
        })
}

/// One conversation: who is in it, one page of its messages, and the reply form.
pub fn conversation(
    ctx: &PageCtx,
    conversation: &Conversation,
    form: &MessageForm,
    errors: &FieldErrors,
) -> Markup {
    let viewer = ctx.viewer.as_ref().map_or(MemberId(0), |v| v.id);
    let title = format!("Conversation with {}", conversation.title(viewer));
    let id = conversation.id;
    FormPage::new(ctx, &title, errors)
        .top(breadcrumbs(&[("Messages", "/messages".into())]))
        .render(html! {
            h1 { (title) }
            p.muted {
                "In this conversation: "
                @for (i, person) in conversation.participants.iter().enumerate() {
                    @if i > 0 { ", " }
                    @if person.id == viewer { "you" } @else {
                        a href={ "/members/" (person.id) } { (person.name) }
                        @if person.left { " (left)" }
                    }
                }
                @if conversation.muted { " · " span.tag { "Muted" } }
            }
            (pagination(&conversation.messages, |page| format!("/messages/{id}?page={page}")))
            @if conversation.messages.items.is_empty() {
                p { "No messages yet." }
            }
            ol.message-list {
                @for shown in &conversation.messages.items {
                    li { (message_card(ctx, shown)) }
                }
            }
            (pagination(&conversation.messages, |page| format!("/messages/{id}?page={page}")))
            h2 { "Reply" }
            form method="post" action={ "/messages/" (id) "/reply" } novalidate
                data-draft=[draft_key(ctx, &format!("/messages/{id}/reply"))] {
                (csrf_field(ctx))
                (textarea_field("body", "Your reply", &form.body, errors,
                    Some("You can use Markdown. Please do not include anything that could identify a patient or service user."), 6))
                (confirm_patient_data_field(errors))
                button.button type="submit" { "Send reply" }
            }
            h2 { "This conversation" }
            div.tool-row {
                form method="post" action={ "/messages/" (id) "/mute" } {
                    (csrf_field(ctx))
                    input type="hidden" name="muted" value=(if conversation.muted { "no" } else { "yes" });
                    button.button.button-secondary type="submit" {
                        (if conversation.muted { "Unmute" } else { "Mute" })
                    }
                }
                form method="post" action={ "/messages/" (id) "/leave" } {
                    (csrf_field(ctx))
                    button.button.button-warning type="submit" { "Leave conversation" }
                }
            }
            p.hint { "Muted: no notifications or emails, and it leaves the count in the header. Leaving takes it out of your inbox for good, and nothing more reaches you from it." }
            @let others: Vec<_> = conversation.participants.iter().filter(|p| p.id != viewer).collect();
            @if !others.is_empty() {
                details {
                    summary { "Block someone" }
                    p { "A member you block cannot start a conversation with you, and you no longer see what they write here. They are not told." }
                    @for person in others {
                        form.inline-form method="post" action="/messages/blocks" {
                            (csrf_field(ctx))
                            input type="hidden" name="member" value=(person.id);
                            input type="hidden" name="block" value="yes";
                            input type="hidden" name="back" value={ "/messages/" (id) };
                            button.button.button-secondary type="submit" { "Block " (person.name) }
                        }
                    }
                }
            }
        })
}

fn message_card(ctx: &PageCtx, shown: &Shown) -> Markup {
    let message = &shown.message;
    html! {
        article.post.message.message-mine[shown.mine] id={ "message-" (message.id) } {
            h2.visually-hidden { "Message from " (shown.author) }
            header.post-meta {
                strong { (if shown.mine { "You" } else { shown.author.as_str() }) }
                " · " (time_tag(message.created_at))
                @match &shown.standing {
                    Standing::Waiting => { " " span.tag.tag-red { "Waiting for a facilitator" } }
                    Standing::Returned(_) => { " " span.tag.tag-red { "Returned: not delivered" } }
                    _ => {}
                }
            }
            @match &shown.standing {
                Standing::Removed => { p.muted { "This message was removed." } }
                Standing::Hidden => { p.muted { "This message was hidden by a facilitator." } }
                Standing::Returned(note) => {
                    div.prose { (message.body_html) }
                    p.muted { "A facilitator returned this message: nobody else has seen it. Why: " (note) " Write it again without those details to send it." }
                }
                Standing::Waiting => {
                    div.prose { (message.body_html) }
                    p.muted { "Only you can see this until a facilitator has checked it." }
                }
                Standing::Delivered => { div.prose { (message.body_html) } }
            }
            @if !shown.mine && shown.standing == Standing::Delivered {
                details.report {
                    summary { "Report this message" }
                    form method="post" action={ "/messages/at/" (message.id) "/report" } {
                        (csrf_field(ctx))
                        label.label for={ "reason-" (message.id) } { "Why it should be looked at (only facilitators read this)" }
                        input.input id={ "reason-" (message.id) } name="reason" maxlength=(Reason::MAX) required;
                        button.button.button-secondary type="submit" { "Report to the facilitators" }
                    }
                }
            }
        }
    }
}

/// The member's choices: who may start a conversation with them, and whom they blocked.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    #[serde(deserialize_with = "first")]
    pub accepts: String,
}

pub fn settings(
    ctx: &PageCtx,
    accepts: &str,
    blocked: &[(MemberId, String)],
    errors: &FieldErrors,
) -> Markup {
    let title = "Who can message you";
    FormPage::new(ctx, title, errors)
        .narrow()
        .top(html! { h1 { "Messages" } (messages_nav(ctx)) })
        .render(html! {
            h2 { (title) }
            form method="post" action="/messages/settings" novalidate {
                (csrf_field(ctx))
                (select_field("accepts", "Who can start a conversation with you", accepts, &Accepts::options(), None, errors))
                p.hint { "Your cluster is the boroughs that share a course: Manchester, Rochdale and Bury; Stockport, Tameside and Oldham; Trafford, Salford, Wigan and Bolton. People already in a conversation with you can still reply in it." }
                button.button type="submit" { "Save" }
            }
            h2 { "Members you blocked" }
            @if blocked.is_empty() {
                p { "Nobody. You can block someone from a conversation with them or from their profile." }
            } @else {
                ul.plain-list {
                    @for (id, name) in blocked {
                        li {
                            a href={ "/members/" (id) } { (name) } " "
                            form.inline-form method="post" action="/messages/blocks" {
                                (csrf_field(ctx))
                                input type="hidden" name="member" value=(id);
                                input type="hidden" name="block" value="no";
                                input type="hidden" name="back" value="/messages/settings";
                                button.link-button type="submit" { "Unblock" span.visually-hidden { " " (name) } }
                            }
                        }
                    }
                }
            }
        })
}

/// "Send a message" (when they take a new conversation from the viewer) and "Block" for a
/// member's profile.
pub fn profile_actions(ctx: &PageCtx, member: MemberId, takes_messages: bool) -> Markup {
    html! {
        @if ctx.viewer.as_ref().is_some_and(|v| v.id != member) {
            div.tool-row.message-actions {
                @if takes_messages {
                    a.button.button-secondary href={ "/messages/new?to=" (member) } { "Send a message" }
                } @else {
                    p.muted { "Does not take new messages from you." }
                }
                form method="post" action="/messages/blocks" {
                    (csrf_field(ctx))
                    input type="hidden" name="member" value=(member);
                    input type="hidden" name="block" value="yes";
                    input type="hidden" name="back" value={ "/members/" (member) };
                    button.link-button type="submit" { "Block this member" }
                }
            }
        }
    }
}

/// The facilitators' queue: each reported message and its author, nothing else.
pub fn reported(ctx: &PageCtx, reports: &Paged<Reported>) -> Markup {
    layout(
        ctx,
        "Reported messages",
        html! {
            (moderation_nav(ctx))
            h1 { "Reported messages" }
            p { "Private messages that members reported, oldest first. You see the reported message and its author: the rest of the conversation stays private. Dismiss a report when the message is within the guidelines; hide the message when it is not (its author is told why)." }
            @if reports.items.is_empty() {
                p { "Nothing is waiting. Thank you." }
            }
            @for item in &reports.items {
                article.card.queue-item aria-labelledby={ "report-" (item.report) } {
                    h2.card-title id={ "report-" (item.report) } { "A message from " a href={ "/members/" (item.message.author_id) } { (item.author) } }
                    dl.summary-list {
                        div { dt { "Sent" } dd { (time_tag(item.message.created_at)) } }
                        div { dt { "Reported by" } dd { (item.reporter) ", " (time_tag(item.reported_at)) } }
                        div { dt { "Reason" } dd { (item.reason) } }
                    }
                    @if item.message.hidden_at.is_some() || item.message.removed_at.is_some() {
                        p.muted { "This message is no longer shown." }
                    } @else {
                        div.prose.message-body { (item.message.body_html) }
                    }
                    div.tool-row {
                        form method="post" action={ "/moderation/messages/" (item.report) "/dismiss" } {
                            (csrf_field(ctx))
                            button.button.button-secondary type="submit" { "Dismiss report" span.visually-hidden { " on the message from " (item.author) } }
                        }
                        form method="post" action={ "/moderation/messages/" (item.report) "/hide" } {
                            (csrf_field(ctx))
                            label.label for={ "hide-" (item.report) } { "Why it is hidden (sent to its author)" }
                            input.input id={ "hide-" (item.report) } name="reason" maxlength=(Reason::MAX) required;
                            button.button.button-warning type="submit" { "Hide message" }
                        }
                    }
                }
            }
            (pagination(reports, |page| format!("/moderation/messages?page={page}")))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::forms::CONFIRM_PATIENT_DATA;

    #[test]
    fn a_new_message_reads_its_recipients_and_text() {
        let form: MessageForm =
            serde_html_form::from_str("to=2&to=3&body=Hello+there&body=ignored").unwrap();
        let (to, body, verdict) = form.parse_new(MemberId(1)).unwrap();
        assert_eq!(to.ids(), [MemberId(2), MemberId(3)]);
        assert_eq!(body.as_str(), "Hello there");
        assert_eq!(verdict, Verdict::Publish);
    }

    #[test]
    fn the_guard_asks_first_and_holds_once_confirmed() {
        let form: MessageForm =
            serde_html_form::from_str("to=2&body=NHS+number+943+476+5919").unwrap();
        let errors = form.parse_new(MemberId(1)).unwrap_err();
        assert!(errors.get("body").is_some());
        assert!(errors.get(CONFIRM_PATIENT_DATA).is_some());
        let form: MessageForm =
            serde_html_form::from_str("to=2&body=NHS+number+943+476+5919&confirm_patient_data=yes")
                .unwrap();
        assert_eq!(form.parse_new(MemberId(1)).unwrap().2, Verdict::Hold);
    }
}
