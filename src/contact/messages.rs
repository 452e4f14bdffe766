//! Contact messages: what a sender may write, sending one, and the facilitators' list.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::letters;
use crate::accounts::members::{self, Viewer};
use crate::accounts::throttle::{self, Limit};
use crate::accounts::{DisplayName, Email, StaffLevel};
use crate::db::paging::{PageNumber, Paged};
use crate::db::{ContactMessageId, DbConn, DbError, MemberId, WriteConn};
use crate::notifications::outbox;
use crate::rules::RuleError;
use crate::schema::{contact_messages, members as member_rows};

/// A message's subject: one line, at most [`Subject::MAX`] characters, nothing that
/// identifies a patient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject(String);

impl Subject {
    pub const MAX: usize = 150;

    pub fn parse(input: &str) -> Result<Self, String> {
        let subject = input.split_whitespace().collect::<Vec<_>>().join(" ");
        if subject.is_empty() {
            return Err("Enter a subject".into());
        }
        if subject.chars().count() > Self::MAX {
            return Err(format!(
                "The subject must be {} characters or fewer",
                Self::MAX
            ));
        }
        crate::guard::refuse_identifying(&subject)?;
        Ok(Self(subject))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the sender wrote: at most [`MessageBody::MAX`] characters, nothing that identifies a
/// patient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageBody(String);

impl MessageBody {
    pub const MAX: usize = 5_000;

    pub fn parse(input: &str) -> Result<Self, String> {
        let body = input.trim().replace("\r\n", "\n");
        if body.is_empty() {
            return Err("Enter your message".into());
        }
        if body.chars().count() > Self::MAX {
            return Err(format!(
                "Your message must be {} characters or fewer",
                Self::MAX
            ));
        }
        crate::guard::refuse_identifying(&body)?;
        Ok(Self(body))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who writes: a signed-in member (replies go to their account's address), or a visitor
/// who gave a name and an address.
#[derive(Debug, Clone)]
pub enum Sender {
    Member(MemberId),
    Visitor { name: DisplayName, email: Email },
}

#[derive(Debug, Clone)]
pub struct NewMessage {
    pub sender: Sender,
    pub subject: Subject,
    pub body: MessageBody,
}

/// Why a message was not sent.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// Too many messages from this address or member within the hour: seconds to wait.
    #[error("too many messages")]
    TooMany(u64),
    #[error(transparent)]
    Rule(#[from] RuleError),
}

impl From<diesel::result::Error> for Refused {
    fn from(error: diesel::result::Error) -> Self {
        Refused::Rule(error.into())
    }
}

impl From<DbError> for Refused {
    fn from(error: DbError) -> Self {
        Refused::Rule(error.into())
    }
}

/// What the form says to someone who must wait `seconds` before sending another message.
pub fn wait_message(seconds: u64) -> String {
    format!(
        "You have sent several messages in the last hour: please wait {} before sending this one. Your message is kept below.",
        crate::web::layout::wait_phrase(seconds)
    )
}

/// A message as stored, and as the facilitators read it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = contact_messages)]
pub struct Received {
    pub id: ContactMessageId,
    /// The member who wrote it, when signed in (and still a member).
    pub member_id: Option<MemberId>,
    pub name: String,
    pub email: String,
    pub subject: String,
    pub body: String,
    pub created_at: NaiveDateTime,
}

/// Sends a message: counted against the hour's limits of its network address (and its
/// member), stored, and emailed to every active facilitator and admin, in this transaction.
pub fn send(
    conn: &mut WriteConn,
    message: &NewMessage,
    client_address: &str,
    base_url: &str,
    now: NaiveDateTime,
) -> Result<Received, Refused> {
    let member = match &message.sender {
        Sender::Member(id) => Some(members::find(conn, *id)?),
        Sender::Visitor { .. } => None,
    };
    let member_key = member.as_ref().map(|m| m.id.to_string());
    conn.serialize_on(&format!("contact-ip:{client_address}"))?;
    let mut checks = vec![(Limit::ContactPerAddress, client_address)];
    if let Some(key) = &member_key {
        conn.serialize_on(&format!("contact-member:{key}"))?;
        checks.push((Limit::ContactPerMember, key.as_str()));
    }
    if let Some(wait) = throttle::longest_wait(conn, &checks, now)? {
        return Err(Refused::TooMany(wait));
    }
    for (limit, subject) in &checks {
        throttle::record(conn, *limit, subject, now)?;
    }
    let (name, email) = match (&member, &message.sender) {
        (Some(member), _) => (member.display_name.clone(), member.email.clone()),
        (None, Sender::Visitor { name, email }) => {
            (name.as_str().to_owned(), email.as_str().to_owned())
        }
        (None, Sender::Member(_)) => return Err(RuleError::NotFound.into()),
    };
    let conn: &mut DbConn = conn;
    let id: ContactMessageId = diesel::insert_into(contact_messages::table)
        .values((
            contact_messages::member_id.eq(member.as_ref().map(|m| m.id)),
            contact_messages::name.eq(&name),
            contact_messages::email.eq(&email),
            contact_messages::subject.eq(message.subject.as_str()),
            contact_messages::body.eq(message.body.as_str()),
            contact_messages::created_at.eq(now),
        ))
        .returning(contact_messages::id)
        .get_result(conn)?;
    let received: Received = contact_messages::table
        .find(id)
        .select(Received::as_select())
        .first(conn)?;
    for (id, to_name, to_address) in staff(conn, now)? {
        let letter = letters::to_staff(&to_name, &to_address, &received, base_url);
        outbox::enqueue(conn, Some(id), &letter, now)?;
    }
    Ok(received)
}

/// Everyone who reads contact messages: active facilitators and admins.
fn staff(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Vec<(MemberId, String, String)>> {
    member_rows::table
        .filter(member_rows::staff.eq_any([StaffLevel::Facilitator, StaffLevel::Admin]))
        .filter(member_rows::approved_at.is_not_null())
        .filter(
            member_rows::suspended_at
                .is_null()
                .or(member_rows::suspended_until.le(now)),
        )
        .order(member_rows::id.asc())
        .select((
            member_rows::id,
            member_rows::display_name,
            member_rows::email,
        ))
        .load(conn)
}

pub const PER_PAGE: i64 = 20;

/// The messages received, newest first: for facilitators and admins only.
pub fn received(
    conn: &mut DbConn,
    actor: &Viewer,
    page: PageNumber,
) -> Result<Paged<Received>, RuleError> {
    if !actor.staff.can_moderate() {
        return Err(RuleError::forbidden(
            "Only facilitators read contact messages.",
        ));
    }
    let total: i64 = contact_messages::table.count().get_result(conn)?;
    let items = contact_messages::table
        .order((
            contact_messages::created_at.desc(),
            contact_messages::id.desc(),
        ))
        .limit(PER_PAGE)
        .offset(page.offset(PER_PAGE))
        .select(Received::as_select())
        .load(conn)?;
    Ok(Paged::new(items, page, PER_PAGE, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_is_one_short_line() {
        assert_eq!(
            Subject::parse("  Cannot\n sign   in ").unwrap().as_str(),
            "Cannot sign in"
        );
        assert_eq!(Subject::parse(" ").unwrap_err(), "Enter a subject");
        assert!(Subject::parse(&"x".repeat(151)).is_err());
    }

    #[test]
    fn nothing_that_identifies_a_patient_reaches_the_facilitators() {
        let refused = MessageBody::parse("About my client, NHS number 943 476 5919").unwrap_err();
        assert!(refused.contains("943 476 5919"), "{refused}");
        assert!(Subject::parse("Mrs Patel, born 12/03/1954").is_err());
        assert_eq!(MessageBody::parse("\n").unwrap_err(), "Enter your message");
        assert_eq!(
            MessageBody::parse(" Hello\r\nthere ").unwrap().as_str(),
            "Hello\nthere"
        );
    }
}
