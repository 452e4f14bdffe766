//! Queries on the `members` table.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::guard::Verdict;
use crate::holds::{self, Held, Hold, HoldStatus, NewHold};

use super::values::{About, Borough, DisplayName, Email, Organisation, Role, StaffLevel};
use crate::db::{DbConn, MemberId};
use crate::markdown::{self, SafeHtml};
use crate::schema::members;

/// A member as the application sees them (never their password hash).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = members)]
pub struct Member {
    pub id: MemberId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub borough: Borough,
    pub organisation: String,
    pub about_source: String,
    pub about_html: SafeHtml,
    pub listed: bool,
    pub staff: StaffLevel,
    pub suspended_at: Option<NaiveDateTime>,
    pub suspended_until: Option<NaiveDateTime>,
    pub suspension_reason: Option<String>,
    pub session_epoch: i32,
    pub created_at: NaiveDateTime,
    /// When the member followed the link emailed at registration; `None` until then, and
    /// an unconfirmed account cannot sign in.
    pub email_confirmed_at: Option<NaiveDateTime>,
    /// When the member was let in (a work address, an invitation or a facilitator); `None`
    /// while they wait, and nothing members-only is theirs to read until then.
    pub approved_at: Option<NaiveDateTime>,
    /// When the account was erased: a tombstone named "Former member" from then on.
    pub erased_at: Option<NaiveDateTime>,
}

impl Member {
    /// Suspended now: suspended with no end date, or with an end still to come.
    pub fn is_suspended(&self, now: NaiveDateTime) -> bool {
        self.suspended_at.is_some() && self.suspended_until.is_none_or(|until| until > now)
    }
}

/// The signed-in member, as every page and every permission check needs them.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub id: MemberId,
    pub display_name: String,
    pub role: Role,
    pub borough: Borough,
    pub staff: StaffLevel,
}

impl From<&Member> for Viewer {
    fn from(member: &Member) -> Self {
        Self {
            id: member.id,
            display_name: member.display_name.clone(),
            role: member.role,
            borough: member.borough,
            staff: member.staff,
        }
    }
}

/// What registration stores.
pub struct NewMember<'a> {
    pub email: &'a Email,
    pub display_name: &'a DisplayName,
    pub password_hash: &'a str,
    pub role: Role,
    pub borough: Borough,
    pub organisation: &'a Organisation,
    /// `None` for a registration, which confirms its address by an emailed link.
    pub email_confirmed_at: Option<NaiveDateTime>,
    /// `None` for a registration: approval follows confirmation.
    pub approved_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConn, new: &NewMember<'_>, now: NaiveDateTime) -> QueryResult<Member> {
    diesel::insert_into(members::table)
        .values((
            members::email.eq(new.email.as_str()),
            members::display_name.eq(new.display_name.as_str()),
            members::sort_name.eq(new.display_name.sort_key()),
            members::password_hash.eq(new.password_hash),
            members::role.eq(new.role),
            members::borough.eq(new.borough),
            members::organisation.eq(new.organisation.as_str()),
            members::listed.eq(true),
            members::staff.eq(StaffLevel::Member),
            members::session_epoch.eq(0),
            members::created_at.eq(now),
            members::updated_at.eq(now),
            members::email_confirmed_at.eq(new.email_confirmed_at),
            members::approved_at.eq(new.approved_at),
        ))
        // `returning` a whole `Selectable` does not cross diesel's multi-backend
        // connection; the id does.
        .returning(members::id)
        .get_result(conn)
        .and_then(|id| {
            crate::search::index::member(conn, id)?;
            find(conn, id)
        })
}

pub fn find(conn: &mut DbConn, id: MemberId) -> QueryResult<Member> {
    members::table
        .find(id)
        .select(Member::as_select())
        .first(conn)
}

pub fn find_by_email(conn: &mut DbConn, email: &Email) -> QueryResult<Option<Member>> {
    members::table
        .filter(members::email.eq(email.as_str()))
        .select(Member::as_select())
        .first(conn)
        .optional()
}

/// The stored hash for an address, for sign-in.
pub fn password_hash_for(
    conn: &mut DbConn,
    email: &Email,
) -> QueryResult<Option<(MemberId, String)>> {
    members::table
        .filter(members::email.eq(email.as_str()))
        .select((members::id, members::password_hash))
        .first(conn)
        .optional()
}

pub fn password_hash_of(conn: &mut DbConn, id: MemberId) -> QueryResult<String> {
    members::table
        .find(id)
        .select(members::password_hash)
        .first(conn)
}

pub fn email_taken(conn: &mut DbConn, email: &Email) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        members::table.filter(members::email.eq(email.as_str())),
    ))
    .get_result(conn)
}

/// What a member can change about themselves on their profile page.
pub struct ProfileChange {
    pub display_name: DisplayName,
    pub organisation: Organisation,
    pub role: Role,
    pub borough: Borough,
    pub about: About,
    pub listed: bool,
    /// Whether the patient-data guard holds the "about" text for a facilitator.
    pub verdict: Verdict,
}

/// Saves a member's profile. An "about" text the guard holds waits for a facilitator while
/// the profile keeps showing the text approved before; a clean one replaces any that waits.
pub fn update_profile(
    conn: &mut DbConn,
    id: MemberId,
    change: &ProfileChange,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(members::table.find(id))
        .set((
            members::display_name.eq(change.display_name.as_str()),
            members::sort_name.eq(change.display_name.sort_key()),
            members::organisation.eq(change.organisation.as_str()),
            members::role.eq(change.role),
            members::borough.eq(change.borough),
            members::listed.eq(change.listed),
            members::updated_at.eq(now),
        ))
        .execute(conn)?;
    let open = holds::open_on(conn, Held::Profile, id)?;
    if change.verdict.holds() {
        let hold = NewHold {
            held: Held::Profile,
            author: id,
            fresh: false,
            hid: false,
            pending_text: Some(change.about.as_str()),
        };
        holds::hold(conn, &hold, now)?;
        return crate::search::index::member(conn, id);
    }
    if let Some(open) = open {
        holds::close(conn, open.id, HoldStatus::Corrected, Some(id), "", now)?;
    }
    set_about(conn, id, change.about.as_str(), now)
}

/// A member with the "about" text of theirs that the guard holds, if any.
pub fn with_held_about(conn: &mut DbConn, id: MemberId) -> QueryResult<(Member, Option<Hold>)> {
    let member = find(conn, id)?;
    let hold = holds::open_on(conn, Held::Profile, id)?;
    Ok((member, hold))
}

/// Empties an erased member's row of everything that was theirs: it stays only so that
/// their posts and bookings still have an author, named "Former member". Nobody can sign in
/// to it: no password, no confirmed address, and every session of theirs has ended.
pub fn erase(conn: &mut DbConn, id: MemberId, now: NaiveDateTime) -> QueryResult<()> {
    let former = crate::data_rights::erasure::FORMER_MEMBER;
    diesel::update(members::table.find(id))
        .set((
            members::email.eq(format!("erased-{id}@erased.invalid")),
            members::display_name.eq(former),
            members::sort_name.eq(former.to_lowercase()),
            members::password_hash.eq(""),
            members::organisation.eq(""),
            members::about_source.eq(""),
            members::about_html.eq(""),
            members::listed.eq(false),
            members::staff.eq(StaffLevel::Member),
            members::suspended_at.eq(None::<NaiveDateTime>),
            members::suspended_until.eq(None::<NaiveDateTime>),
            members::suspension_reason.eq(None::<String>),
            members::session_epoch.eq(members::session_epoch + 1),
            members::email_confirmed_at.eq(None::<NaiveDateTime>),
            members::approved_at.eq(None::<NaiveDateTime>),
            members::erased_at.eq(now),
            members::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Publishes a member's "about me" text (a facilitator approved what the guard held).
pub fn set_about(
    conn: &mut DbConn,
    id: MemberId,
    about: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(members::table.find(id))
        .set((
            members::about_source.eq(about),
            members::about_html.eq(markdown::cook(about)),
            members::updated_at.eq(now),
        ))
        .execute(conn)?;
    crate::search::index::member(conn, id)
}

/// Marks the member's address confirmed (once: a later call keeps the first time).
pub fn confirm_email(conn: &mut DbConn, id: MemberId, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        members::table
            .find(id)
            .filter(members::email_confirmed_at.is_null()),
    )
    .set(members::email_confirmed_at.eq(now))
    .execute(conn)
}

/// A declined applicant applies again: their details and password are replaced, their
/// address must be confirmed afresh, and any session of theirs ends.
pub fn start_over(
    conn: &mut DbConn,
    id: MemberId,
    new: &NewMember<'_>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(members::table.find(id))
        .set((
            members::display_name.eq(new.display_name.as_str()),
            members::sort_name.eq(new.display_name.sort_key()),
            members::password_hash.eq(new.password_hash),
            members::role.eq(new.role),
            members::borough.eq(new.borough),
            members::organisation.eq(new.organisation.as_str()),
            members::email_confirmed_at.eq(None::<NaiveDateTime>),
            members::approved_at.eq(None::<NaiveDateTime>),
            members::session_epoch.eq(members::session_epoch + 1),
            members::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Lets the member in (once: a later call keeps the first time); they join the directory
/// and search.
pub fn approve(conn: &mut DbConn, id: MemberId, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(
        members::table
            .find(id)
            .filter(members::approved_at.is_null()),
    )
    .set(members::approved_at.eq(now))
    .execute(conn)?;
    crate::search::index::member(conn, id)
}

/// Stores a new hash and moves the session epoch on, which signs out every other session.
pub fn set_password_hash(
    conn: &mut DbConn,
    id: MemberId,
    hash: &str,
    now: NaiveDateTime,
) -> QueryResult<i32> {
    diesel::update(members::table.find(id))
        .set((
            members::password_hash.eq(hash),
            members::session_epoch.eq(members::session_epoch + 1),
            members::updated_at.eq(now),
        ))
        .returning(members::session_epoch)
        .get_result(conn)
}

pub fn set_staff(
    conn: &mut DbConn,
    id: MemberId,
    level: StaffLevel,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(members::table.find(id))
        .set((members::staff.eq(level), members::updated_at.eq(now)))
        .execute(conn)
}

pub fn set_suspension(
    conn: &mut DbConn,
    id: MemberId,
    suspension: Option<(NaiveDateTime, Option<NaiveDateTime>, &str)>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let (at, until, reason) = match suspension {
        Some((at, until, reason)) => (Some(at), until, Some(reason)),
        None => (None, None, None),
    };
    // A suspension ends every session for good: lifting it later does not revive them.
    let epoch_step = i32::from(at.is_some());
    diesel::update(members::table.find(id))
        .set((
            members::suspended_at.eq(at),
            members::suspended_until.eq(until),
            members::suspension_reason.eq(reason),
            members::session_epoch.eq(members::session_epoch + epoch_step),
            members::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn count_admins(conn: &mut DbConn) -> QueryResult<i64> {
    members::table
        .filter(members::staff.eq(StaffLevel::Admin))
        .count()
        .get_result(conn)
}
