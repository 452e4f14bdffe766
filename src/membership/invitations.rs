//! Invitation links: a facilitator or admin makes one for a person, or for a course cohort
//! (up to N uses), with an expiry. Registering through a live one approves the newcomer as
//! soon as their address is confirmed. Only a SHA-256 of the token is stored, so the link
//! is shown once, when it is made.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::accounts::members::Viewer;
use crate::accounts::tokens::{digest, new_token};
use crate::audit;
use crate::db::paging::{PageNumber, Paged};
use crate::db::{DbConn, InvitationId, MemberId, WriteConn};
use crate::rules::RuleError;
use crate::schema::{invitations, members};

/// What the people it is for are called ("Bolton cohort, March"), 3 to 100 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label(String);

impl Label {
    pub const MAX: usize = 100;

    pub fn parse(input: &str) -> Result<Self, String> {
        let label = input.split_whitespace().collect::<Vec<_>>().join(" ");
        match label.chars().count() {
            0 => Err("Say who the invitation is for, like \"Bolton cohort, March\"".into()),
            1..=2 => Err("Who it is for must be at least 3 characters".into()),
            n if n > Self::MAX => Err(format!(
                "Who it is for must be {} characters or fewer",
                Self::MAX
            )),
            // Facilitators read it in the list of invitations: no patient belongs there.
            _ => crate::guard::refuse_identifying(&label).map(|()| Self(label)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How many people may join through one link: 1 to 50 (a cohort is at most 15).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Uses(i32);

impl Uses {
    pub const MAX: i32 = 50;

    pub fn parse(input: &str) -> Result<Self, String> {
        match input.trim().parse::<i32>() {
            Ok(n) if (1..=Self::MAX).contains(&n) => Ok(Self(n)),
            _ => Err(format!(
                "Enter how many people may use the link, from 1 to {}",
                Self::MAX
            )),
        }
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

/// How long the link works: 1 to 90 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValidDays(i64);

impl ValidDays {
    pub const MAX: i64 = 90;

    pub fn parse(input: &str) -> Result<Self, String> {
        match input.trim().parse::<i64>() {
            Ok(n) if (1..=Self::MAX).contains(&n) => Ok(Self(n)),
            _ => Err(format!(
                "Enter how many days the link works, from 1 to {}",
                Self::MAX
            )),
        }
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

pub struct NewInvitation {
    pub label: Label,
    pub uses: Uses,
    pub valid_days: ValidDays,
}

/// Makes an invitation; returns the token for the link (`/register?invite=TOKEN`), which
/// is not kept.
pub fn make(
    conn: &mut WriteConn,
    actor: &Viewer,
    new: &NewInvitation,
    now: NaiveDateTime,
) -> Result<String, RuleError> {
    if !actor.staff.can_moderate() {
        return Err(RuleError::forbidden(
            "Only facilitators and admins make invitations",
        ));
    }
    let token = new_token();
    let id: InvitationId = diesel::insert_into(invitations::table)
        .values((
            invitations::token_hash.eq(digest(&token)),
            invitations::label.eq(new.label.as_str()),
            invitations::max_uses.eq(new.uses.get()),
            invitations::uses.eq(0),
            invitations::created_by.eq(actor.id),
            invitations::created_at.eq(now),
            invitations::expires_at.eq(now + Duration::days(new.valid_days.get())),
        ))
        .returning(invitations::id)
        .get_result(&mut **conn)?;
    audit::record(
        conn,
        &audit::Entry {
            actor: Some(actor.id),
            action: "invitation made",
            target_member: None,
            subject: &format!(
                "invitation {id}: {} ({} uses)",
                new.label.as_str(),
                new.uses.get()
            ),
            reason: "",
        },
        now,
    )?;
    Ok(token)
}

/// Withdraws a link: admins any, facilitators their own.
pub fn revoke(
    conn: &mut WriteConn,
    actor: &Viewer,
    id: InvitationId,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    let (label, made_by): (String, Option<MemberId>) = invitations::table
        .find(id)
        .select((invitations::label, invitations::created_by))
        .first(&mut **conn)?;
    let allowed =
        actor.staff.is_admin() || (actor.staff.can_moderate() && made_by == Some(actor.id));
    if !allowed {
        return Err(RuleError::forbidden(
            "Only an admin, or the facilitator who made it, can revoke an invitation",
        ));
    }
    diesel::update(
        invitations::table
            .find(id)
            .filter(invitations::revoked_at.is_null()),
    )
    .set((
        invitations::revoked_at.eq(now),
        invitations::revoked_by.eq(actor.id),
    ))
    .execute(&mut **conn)?;
    audit::record(
        conn,
        &audit::Entry {
            actor: Some(actor.id),
            action: "invitation revoked",
            target_member: None,
            subject: &format!("invitation {id}: {label}"),
            reason: "",
        },
        now,
    )?;
    Ok(())
}

/// A link that still works, as the registration page names it.
#[derive(Debug, Clone)]
pub struct Live {
    pub id: InvitationId,
    pub label: String,
    pub made_by: Option<String>,
}

/// The invitation behind a token, while it is unrevoked, unexpired and has uses left.
pub fn live(conn: &mut DbConn, token: &str, now: NaiveDateTime) -> QueryResult<Option<Live>> {
    let found: Option<(InvitationId, String, Option<String>)> = invitations::table
        .left_join(members::table.on(members::id.nullable().eq(invitations::created_by)))
        .filter(invitations::token_hash.eq(digest(token)))
        .filter(invitations::revoked_at.is_null())
        .filter(invitations::expires_at.gt(now))
        .filter(invitations::uses.lt(invitations::max_uses))
        .select((
            invitations::id,
            invitations::label,
            members::display_name.nullable(),
        ))
        .first(conn)
        .optional()?;
    Ok(found.map(|(id, label, made_by)| Live { id, label, made_by }))
}

/// Counts one use, if the invitation still works; whether it did. Uses are counted when a
/// newcomer confirms their address, so a registration that is never confirmed takes none.
pub fn take_use(conn: &mut DbConn, id: InvitationId, now: NaiveDateTime) -> QueryResult<bool> {
    let taken = diesel::update(
        invitations::table
            .find(id)
            .filter(invitations::revoked_at.is_null())
            .filter(invitations::expires_at.gt(now))
            .filter(invitations::uses.lt(invitations::max_uses)),
    )
    .set(invitations::uses.eq(invitations::uses + 1))
    .execute(conn)?;
    Ok(taken == 1)
}

/// An invitation as the list shows it.
#[derive(Debug, Clone, Queryable)]
pub struct Listed {
    pub id: InvitationId,
    pub label: String,
    pub max_uses: i32,
    pub uses: i32,
    pub created_by: Option<MemberId>,
    pub made_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

impl Listed {
    pub fn works(&self, now: NaiveDateTime) -> bool {
        self.revoked_at.is_none() && self.expires_at > now && self.uses < self.max_uses
    }
}

pub const PER_PAGE: i64 = 25;

/// Newest first.
pub fn recent(conn: &mut DbConn, page: PageNumber) -> QueryResult<Paged<Listed>> {
    let total: i64 = invitations::table.count().get_result(conn)?;
    let items = invitations::table
        .left_join(members::table.on(members::id.nullable().eq(invitations::created_by)))
        .select((
            invitations::id,
            invitations::label,
            invitations::max_uses,
            invitations::uses,
            invitations::created_by,
            members::display_name.nullable(),
            invitations::created_at,
            invitations::expires_at,
            invitations::revoked_at,
        ))
        .order((invitations::created_at.desc(), invitations::id.desc()))
        .limit(PER_PAGE)
        .offset(page.offset(PER_PAGE))
        .load(conn)?;
    Ok(Paged::new(items, page, PER_PAGE, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_is_for_someone_a_few_people_for_a_while() {
        assert_eq!(
            Label::parse("  Bolton   cohort ").unwrap().as_str(),
            "Bolton cohort"
        );
        assert!(Label::parse("ab").is_err());
        assert!(Uses::parse("15").is_ok());
        assert!(Uses::parse("0").is_err());
        assert!(Uses::parse("51").is_err());
        assert!(Uses::parse("many").is_err());
        assert!(ValidDays::parse("14").is_ok());
        assert!(ValidDays::parse("91").is_err());
    }
}
