//! Staff levels and suspensions. Each rule checks the actor itself: the admin pages being
//! admin-only is a convenience, not the boundary.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Deserialize;

use crate::accounts::members::{self, Member, Viewer};
use crate::accounts::{Email, StaffLevel};
use crate::audit::{self, Entry};
use crate::db::paging::{PageNumber, Paged};
use crate::db::{DbConn, DbError, MemberId, WriteConn};
use crate::schema::members as members_table;
use crate::web::forms::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error("Only admins can change staff levels and suspensions.")]
    NotAllowed,
    #[error("SPOT must keep at least one admin: make someone else an admin first.")]
    LastAdmin,
    #[error("You cannot suspend yourself.")]
    SelfSuspension,
    #[error("Admins cannot be suspended: make them a member first.")]
    AdminSuspension,
    #[error("Give a reason for the suspension.")]
    ReasonMissing,
    #[error("No member has that email address.")]
    UnknownEmail,
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    #[error(transparent)]
    Unavailable(#[from] DbError),
}

fn require_admin(actor: &Viewer) -> Result<(), StaffError> {
    if actor.staff.is_admin() {
        Ok(())
    } else {
        Err(StaffError::NotAllowed)
    }
}

fn change_level(
    conn: &mut WriteConn,
    actor: Option<MemberId>,
    target: &Member,
    level: StaffLevel,
    now: NaiveDateTime,
) -> Result<(), StaffError> {
    if target.staff == level {
        return Ok(());
    }
    // Two admins stepping down at once must not both see "another admin remains".
    conn.serialize_on("staff-levels")?;
    let target = members::find(conn, target.id)?;
    if target.staff.is_admin() && members::count_admins(conn)? <= 1 {
        return Err(StaffError::LastAdmin);
    }
    members::set_staff(conn, target.id, level, now)?;
    audit::record(
        conn,
        &Entry {
            actor,
            action: "staff level changed",
            target_member: Some(target.id),
            subject: &format!("{} → {}", target.staff.label(), level.label()),
            reason: "",
        },
        now,
    )?;
    Ok(())
}

/// An admin makes a member a facilitator or admin, or back to a member.
pub fn set_level(
    conn: &mut WriteConn,
    actor: &Viewer,
    target: MemberId,
    level: StaffLevel,
    now: NaiveDateTime,
) -> Result<(), StaffError> {
    require_admin(actor)?;
    let target = members::find(conn, target)?;
    change_level(conn, Some(actor.id), &target, level, now)
}

/// `spot user promote`: how the first admin is made, by whoever runs the server.
pub fn set_level_from_console(
    conn: &mut WriteConn,
    email: &Email,
    level: StaffLevel,
    now: NaiveDateTime,
) -> Result<Member, StaffError> {
    let target = members::find_by_email(conn, email)?.ok_or(StaffError::UnknownEmail)?;
    change_level(conn, None, &target, level, now)?;
    Ok(members::find(conn, target.id)?)
}

/// The suspension form as typed, shown again with its errors.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct SuspendForm {
    pub reason: String,
    pub until: String,
}

impl SuspendForm {
    /// When the suspension ends (`None`: when it is lifted), once a reason is given.
    pub fn parse(&self, now: NaiveDateTime) -> Result<Option<NaiveDateTime>, FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.reason.trim().is_empty() {
            errors.add("reason", StaffError::ReasonMissing.to_string());
        }
        match errors.check("until", parse_until(&self.until, now)) {
            Some(until) if errors.is_empty() => Ok(until),
            _ => Err(errors),
        }
    }
}

/// An optional end date: the suspension ends at the start of that day (UTC).
fn parse_until(raw: &str, now: NaiveDateTime) -> Result<Option<NaiveDateTime>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| "Enter the end date as a real date, for example 2027-01-31".to_string())?;
    let until = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    if until <= now {
        return Err("The end date must be in the future".into());
    }
    Ok(Some(until))
}

/// Suspends a member (until a date, or until lifted): they cannot sign in, and any session
/// they have ends at its next request. Their posts stay.
pub fn suspend(
    conn: &mut WriteConn,
    actor: &Viewer,
    target: MemberId,
    until: Option<NaiveDateTime>,
    reason: &str,
    base_url: &str,
    now: NaiveDateTime,
) -> Result<(), StaffError> {
    require_admin(actor)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StaffError::ReasonMissing);
    }
    if actor.id == target {
        return Err(StaffError::SelfSuspension);
    }
    let target = members::find(conn, target)?;
    if target.staff.is_admin() {
        return Err(StaffError::AdminSuspension);
    }
    members::set_suspension(conn, target.id, Some((now, until, reason)), now)?;
    let letter = crate::accounts::letters::suspended(&target, until, reason, base_url);
    crate::notifications::outbox::enqueue(conn, Some(target.id), &letter, now)?;
    let subject = match until {
        Some(until) => format!("until {}", until.format("%-d %B %Y %H:%M UTC")),
        None => "until lifted".to_owned(),
    };
    audit::record(
        conn,
        &Entry {
            actor: Some(actor.id),
            action: "member suspended",
            target_member: Some(target.id),
            subject: &subject,
            reason,
        },
        now,
    )?;
    Ok(())
}

pub fn lift_suspension(
    conn: &mut WriteConn,
    actor: &Viewer,
    target: MemberId,
    now: NaiveDateTime,
) -> Result<(), StaffError> {
    require_admin(actor)?;
    let target = members::find(conn, target)?;
    members::set_suspension(conn, target.id, None, now)?;
    audit::record(
        conn,
        &Entry {
            actor: Some(actor.id),
            action: "suspension lifted",
            target_member: Some(target.id),
            subject: "",
            reason: "",
        },
        now,
    )?;
    Ok(())
}

/// A row of the admin's member list.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = members_table)]
pub struct MemberRecord {
    pub id: MemberId,
    pub email: String,
    pub display_name: String,
    pub role: crate::accounts::Role,
    pub borough: crate::accounts::Borough,
    pub staff: StaffLevel,
    pub suspended_at: Option<NaiveDateTime>,
    pub suspended_until: Option<NaiveDateTime>,
    pub suspension_reason: Option<String>,
    pub created_at: NaiveDateTime,
}

impl MemberRecord {
    pub fn is_suspended(&self, now: NaiveDateTime) -> bool {
        self.suspended_at.is_some() && self.suspended_until.is_none_or(|until| until > now)
    }
}

pub const PER_PAGE: i64 = 50;

/// All members (listed or not), by name; `search` matches name or email.
pub fn member_records(
    conn: &mut DbConn,
    search: Option<&str>,
    page: PageNumber,
) -> QueryResult<Paged<MemberRecord>> {
    let pattern = search.map(|text| format!("%{}%", escape_like(&text.to_lowercase())));
    let base = || {
        let mut query = members_table::table.into_boxed();
        if let Some(pattern) = &pattern {
            query = query.filter(
                members_table::sort_name
                    .like(pattern.clone())
                    .escape('\\')
                    .or(members_table::email.like(pattern.clone()).escape('\\')),
            );
        }
        query
    };
    let total = base().count().get_result(conn)?;
    let items = base()
        .select(MemberRecord::as_select())
        .order((members_table::sort_name.asc(), members_table::id.asc()))
        .limit(PER_PAGE)
        .offset(page.offset(PER_PAGE))
        .load(conn)?;
    Ok(Paged::new(items, page, PER_PAGE, total))
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

pub fn member_record(conn: &mut DbConn, id: MemberId) -> QueryResult<MemberRecord> {
    members_table::table
        .find(id)
        .select(MemberRecord::as_select())
        .first(conn)
}
