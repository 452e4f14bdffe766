//! The email that brings a contact message to each facilitator and admin: the message in
//! full, with a Reply-To of its sender, so that replying to the email answers them.

use lettre::message::Mailbox;

use super::messages::Received;
use crate::mail::Letter;

const SIGN_OFF: &str = "SPOT: social prescribers and occupational therapists, Greater Manchester\n";

pub fn to_staff(to_name: &str, to_address: &str, message: &Received, base_url: &str) -> Letter {
    let who = match message.member_id {
        Some(id) => format!(
            "{name}, a SPOT member ({base_url}/members/{id}),",
            name = message.name
        ),
        None => format!(
            "{name}, who was not signed in (their address has not been checked),",
            name = message.name
        ),
    };
    // An address that does not parse as a mailbox gets no Reply-To; the letter names it.
    let reply_to = message
        .email
        .parse()
        .ok()
        .map(|address| Mailbox::new(Some(message.name.clone()), address).to_string());
    Letter {
        to_name: to_name.to_owned(),
        to_address: to_address.to_owned(),
        subject: format!("SPOT contact form: {}", message.subject),
        text: format!(
            "Hello {to_name},\n\n\
             {who} wrote to the SPOT team through the contact form:\n\n\
             Subject: {subject}\n\n\
             {body}\n\n\
             Reply to this email to answer them at {email}: your reply goes to them, not to\n\
             SPOT. Every message is also on the facilitators' page:\n\
             {base_url}/moderation/contact\n\n\
             {SIGN_OFF}",
            subject = message.subject,
            body = message.body,
            email = message.email,
        ),
        reply_to,
        ..Letter::default()
    }
}
