//! The contact form, and the facilitators' list of messages received.

use maud::{html, Markup};
use serde::Deserialize;

use super::messages::{MessageBody, NewMessage, Received, Sender, Subject};
use crate::accounts::members::Viewer;
use crate::accounts::{DisplayName, Email};
use crate::db::paging::Paged;
use crate::markdown::SafeHtml;
use crate::web::forms::{csrf_field, text_field, textarea_field, FieldErrors, Input};
use crate::web::layout::{layout, moderation_nav, time_tag, FormPage};
use crate::web::paging::pagination;
use crate::web::PageCtx;

/// The contact form as sent, and as shown again with its errors. `name` and `email` are
/// asked of visitors only: a member is answered at their account's address.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ContactForm {
    pub name: String,
    pub email: String,
    pub subject: String,
    pub body: String,
}

impl ContactForm {
    pub fn parse(&self, viewer: Option<&Viewer>) -> Result<NewMessage, FieldErrors> {
        let mut errors = FieldErrors::new();
        let sender = match viewer {
            Some(viewer) => Some(Sender::Member(viewer.id)),
            None => {
                let name = errors.check("name", DisplayName::parse(&self.name));
                let email = errors.check("email", Email::parse(&self.email));
                name.zip(email)
                    .map(|(name, email)| Sender::Visitor { name, email })
            }
        };
        let subject = errors.check("subject", Subject::parse(&self.subject));
        let body = errors.check("body", MessageBody::parse(&self.body));
        match (sender, subject, body) {
            (Some(sender), Some(subject), Some(body)) if errors.is_empty() => Ok(NewMessage {
                sender,
                subject,
                body,
            }),
            _ => Err(errors),
        }
    }
}

/// The contact page: the published words above it (`intro`), then the form.
pub fn contact(
    ctx: &PageCtx,
    intro: &SafeHtml,
    form: &ContactForm,
    errors: &FieldErrors,
) -> Markup {
    let title = "Contact the SPOT team";
    FormPage::new(ctx, title, errors)
        .narrow()
        .top(html! { h1 { (title) } })
        .render(html! {
            div.prose { (intro) }
            form method="post" action="/contact" novalidate {
                (csrf_field(ctx))
                @if let Some(viewer) = &ctx.viewer {
                    p { "You are signed in as " strong { (viewer.display_name) } ": the facilitators will reply to your account's email address." }
                } @else {
                    (text_field("name", "Your name", &form.name, errors,
                        Input::text().required().autocomplete("name").max_length(DisplayName::MAX)))
                    (text_field("email", "Your email address", &form.email, errors,
                        Input::of("email").required().autocomplete("email").max_length(254)
                            .hint("The facilitators will reply to this address.")))
                }
                (text_field("subject", "Subject", &form.subject, errors,
                    Input::text().required().max_length(Subject::MAX)))
                (textarea_field("body", "Your message", &form.body, errors,
                    Some("Please do not include anything that could identify a patient or service user."), 10))
                button.button type="submit" { "Send message" }
            }
        })
}

/// What facilitators have been sent, newest first.
pub fn received(ctx: &PageCtx, messages: &Paged<Received>) -> Markup {
    layout(
        ctx,
        "Contact messages",
        html! {
            (moderation_nav(ctx))
            h1 { "Contact messages" }
            p { "Messages sent through the contact form, newest first. Each was also emailed to every facilitator and admin: reply to that email to answer its sender." }
            @if messages.items.is_empty() {
                p { "No messages yet." }
            }
            @for message in &messages.items {
                article.card.queue-item aria-labelledby={ "message-" (message.id) } {
                    h2.card-title id={ "message-" (message.id) } { (message.subject) }
                    dl.summary-list {
                        div {
                            dt { "From" }
                            dd {
                                @match message.member_id {
                                    Some(id) => a href={ "/members/" (id) } { (message.name) },
                                    None => { (message.name) " (not signed in)" },
                                }
                            }
                        }
                        div { dt { "Email address" } dd { a href={ "mailto:" (message.email) } { (message.email) } } }
                        div { dt { "Sent" } dd { (time_tag(message.created_at)) } }
                    }
                    div.prose.message-body { (message.body) }
                }
            }
            (pagination(messages, |page| format!("/moderation/contact?page={page}")))
        },
    )
}
