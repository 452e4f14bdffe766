//! Confirming a new account's address: the registration page looks the same whether or not
//! the address already has an account, and the email tells its owner which it is. A
//! confirmation link works once, for a day; only its SHA-256 is stored.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::members::{self, Member};
use super::throttle::{self, Limit};
use super::tokens::{digest, new_token};
use crate::db::{DbConn, MemberId, WriteConn};
use crate::mail::Letter;
use crate::membership::applications::{self, Standing};
use crate::membership::letters;
use crate::notifications::outbox;
use crate::schema::email_confirmations;

pub const VALID_FOR_HOURS: i64 = 24;

/// Makes a confirmation link for the member; returns its token.
fn issue(conn: &mut DbConn, member: MemberId, now: NaiveDateTime) -> QueryResult<String> {
    let token = new_token();
    diesel::insert_into(email_confirmations::table)
        .values((
            email_confirmations::member_id.eq(member),
            email_confirmations::token_hash.eq(digest(&token)),
            email_confirmations::created_at.eq(now),
            email_confirmations::expires_at.eq(now + Duration::hours(VALID_FOR_HOURS)),
        ))
        .execute(conn)?;
    Ok(token)
}

/// Where a letter's links point, and where the new member goes once confirmed.
#[derive(Debug, Clone, Copy)]
pub struct Links<'a> {
    pub base_url: &'a str,
    /// A same-site path the member was on their way to when they registered, if any.
    pub next: &'a str,
}

/// What was sent to an address about joining.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// A link that confirms the address.
    ConfirmationLink,
    /// News of the account that exists: sign in (or reset the password), or where its
    /// application stands.
    AlreadyMember,
    /// Nothing: the address has had its share of joining letters this hour.
    Nothing,
}

/// Writes to the address about joining, in the caller's write transaction: a confirmation
/// link while the account is unconfirmed, otherwise a reminder that it exists. At most a
/// few such letters an hour go to one address, however often it is registered.
pub fn write_joining_letter(
    conn: &mut WriteConn,
    member: &Member,
    links: Links<'_>,
    now: NaiveDateTime,
) -> QueryResult<Sent> {
    conn.serialize_on(&format!("joining:{}", member.email))?;
    if throttle::wait_needed(conn, Limit::JoiningLettersPerAccount, &member.email, now)?.is_some() {
        return Ok(Sent::Nothing);
    }
    throttle::record(conn, Limit::JoiningLettersPerAccount, &member.email, now)?;
    let (letter, sent) = match applications::standing(conn, member)? {
        Standing::Unconfirmed => {
            let token = issue(conn, member.id, now)?;
            (
                confirmation_letter(member, links, &token),
                Sent::ConfirmationLink,
            )
        }
        Standing::Approved => (
            already_member_letter(member, links.base_url),
            Sent::AlreadyMember,
        ),
        Standing::Waiting => (letters::still_waiting(member), Sent::AlreadyMember),
        Standing::Declined { again_from, .. } => {
            (letters::not_yet(member, again_from), Sent::AlreadyMember)
        }
    };
    outbox::enqueue(conn, Some(member.id), &letter, now)?;
    Ok(sent)
}

/// The link's path, with the page to go on to afterwards.
pub fn confirmation_path(token: &str, next: &str) -> String {
    if next.is_empty() {
        format!("/confirm/{token}")
    } else {
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("next", next)
            .finish();
        format!("/confirm/{token}?{query}")
    }
}

fn confirmation_letter(member: &Member, links: Links<'_>, token: &str) -> Letter {
    Letter {
        to_name: member.display_name.clone(),
        to_address: member.email.clone(),
        subject: "Confirm your email address for SPOT".into(),
        text: format!(
            "Hello {name},\n\n\
             Thank you for joining SPOT. To finish, confirm that this is your email address\n\
             by opening this link within the next {VALID_FOR_HOURS} hours:\n\n\
             {base}{path}\n\n\
             If you did not ask to join SPOT, you can ignore this email: nothing happens\n\
             until the link is followed.\n\n\
             SPOT: social prescribers and occupational therapists, Greater Manchester\n",
            name = member.display_name,
            base = links.base_url,
            path = confirmation_path(token, links.next),
        ),
        ..Letter::default()
    }
}

fn already_member_letter(member: &Member, base_url: &str) -> Letter {
    Letter {
        to_name: member.display_name.clone(),
        to_address: member.email.clone(),
        subject: "You already have a SPOT account".into(),
        text: format!(
            "Hello {name},\n\n\
             Someone (we hope you) tried to join SPOT with this email address. You already\n\
             have an account, so nothing has changed.\n\n\
             Sign in: {base_url}/login\n\
             Forgotten your password? Choose a new one: {base_url}/password-reset\n\n\
             If this was not you, you can ignore this email.\n\n\
             SPOT: social prescribers and occupational therapists, Greater Manchester\n",
            name = member.display_name,
        ),
        ..Letter::default()
    }
}

/// The member a link confirms, while it is unused and unexpired.
pub fn holder(conn: &mut DbConn, token: &str, now: NaiveDateTime) -> QueryResult<Option<MemberId>> {
    email_confirmations::table
        .filter(email_confirmations::token_hash.eq(digest(token)))
        .filter(email_confirmations::used_at.is_null())
        .filter(email_confirmations::expires_at.gt(now))
        .select(email_confirmations::member_id)
        .first(conn)
        .optional()
}

/// Follows the link: the address is confirmed and every confirmation link of the member
/// stops working. Run in a write transaction, so a link is used once only.
pub fn confirm(conn: &mut DbConn, token: &str, now: NaiveDateTime) -> QueryResult<Option<Member>> {
    let Some(member) = holder(conn, token, now)? else {
        return Ok(None);
    };
    diesel::update(
        email_confirmations::table
            .filter(email_confirmations::member_id.eq(member))
            .filter(email_confirmations::used_at.is_null()),
    )
    .set(email_confirmations::used_at.eq(now))
    .execute(conn)?;
    members::confirm_email(conn, member, now)?;
    members::find(conn, member).map(Some)
}

#[cfg(test)]
mod tests {
    use super::confirmation_path;

    #[test]
    fn the_next_page_rides_along_encoded() {
        assert_eq!(confirmation_path("abc", ""), "/confirm/abc");
        assert_eq!(
            confirmation_path("abc", "/members?borough=bolton"),
            "/confirm/abc?next=%2Fmembers%3Fborough%3Dbolton"
        );
    }
}
