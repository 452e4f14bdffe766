//! A member's conduct as staff see it: notes only staff read, warnings the member is told
//! of, and the member's moderation history in one place (reports about their posts, posts
//! hidden, warnings, suspensions).

pub mod pages;
pub mod routes;

use std::fmt;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::accounts::members::{self, Viewer};
use crate::accounts::values::text_enum;
use crate::audit;
use crate::db::{DbConn, MemberId, PostId, ThreadId};
use crate::notifications::{events, outbox};
use crate::rules::RuleError;
use crate::schema::{audit_log, member_notes, members as member_rows, posts, reports, threads};

text_enum!(NoteKind, "a kind of note", {
    Note => ("note", "Note"),
    Warning => ("warning", "Warning"),
});

/// What staff write about a member: 3 to 2,000 characters, nothing that identifies a patient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteText(String);

impl NoteText {
    pub const MAX: usize = 2000;

    pub fn parse(input: &str) -> Result<Self, String> {
        let text = input.trim();
        match text.chars().count() {
            0 => return Err("Write the note".into()),
            1..=2 => return Err("A note must be at least 3 characters".into()),
            n if n > Self::MAX => {
                return Err(format!("A note must be {} characters or fewer", Self::MAX))
            }
            _ => {}
        }
        crate::guard::refuse_identifying(text)?;
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn require_staff(actor: &Viewer) -> Result<(), RuleError> {
    if actor.staff.can_moderate() {
        Ok(())
    } else {
        Err(RuleError::forbidden(
            "Only facilitators and admins can see or write this.",
        ))
    }
}

fn insert(
    conn: &mut DbConn,
    actor: &Viewer,
    member: MemberId,
    kind: NoteKind,
    body: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(member_notes::table)
        .values((
            member_notes::member_id.eq(member),
            member_notes::author_id.eq(actor.id),
            member_notes::kind.eq(kind),
            member_notes::body.eq(body),
            member_notes::created_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// A note only staff read, dated and signed.
pub fn add_note(
    conn: &mut DbConn,
    actor: &Viewer,
    member: MemberId,
    note: &NoteText,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    require_staff(actor)?;
    members::find(conn, member)?;
    insert(conn, actor, member, NoteKind::Note, note.as_str(), now)?;
    Ok(())
}

/// A warning: on the member's record, told to them in the app and by email, and logged.
pub fn warn(
    conn: &mut DbConn,
    actor: &Viewer,
    member: MemberId,
    reason: &NoteText,
    base_url: &str,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    require_staff(actor)?;
    let warned = members::find(conn, member)?;
    if warned.staff.can_moderate() {
        return Err(RuleError::forbidden(
            "Facilitators and admins are not warned here; speak to an admin.",
        ));
    }
    if actor.id == member {
        return Err(RuleError::forbidden("You cannot warn yourself."));
    }
    insert(conn, actor, member, NoteKind::Warning, reason.as_str(), now)?;
    events::told_by_staff(
        conn,
        actor,
        member,
        "/guidelines".into(),
        "A facilitator has given you a warning".into(),
        format!("Why: {}", reason.as_str()),
        now,
    )?;
    let letter = crate::accounts::letters::warned(&warned, reason.as_str(), base_url);
    outbox::enqueue(conn, Some(member), &letter, now)?;
    audit::record(
        conn,
        &audit::Entry {
            actor: Some(actor.id),
            action: "member warned",
            target_member: Some(member),
            subject: "",
            reason: reason.as_str(),
        },
        now,
    )?;
    Ok(())
}

/// A note or warning as the history shows it.
#[derive(Debug, Clone)]
pub struct Noted {
    pub kind: NoteKind,
    pub body: String,
    pub by: Option<String>,
    pub at: NaiveDateTime,
}

/// A report on one of the member's posts.
#[derive(Debug, Clone)]
pub struct ReportAbout {
    pub post: PostId,
    pub thread_title: String,
    pub reason: String,
    pub status: String,
    pub at: NaiveDateTime,
}

/// One of their posts a facilitator (or members' reports) hid.
#[derive(Debug, Clone)]
pub struct HiddenPost {
    pub post: PostId,
    pub thread: ThreadId,
    pub thread_title: String,
    pub reason: Option<String>,
    pub at: NaiveDateTime,
}

/// A suspension given or lifted.
#[derive(Debug, Clone)]
pub struct Suspension {
    pub action: String,
    pub detail: String,
    pub reason: String,
    pub by: Option<String>,
    pub at: NaiveDateTime,
}

/// A member's record, newest first in each part (the latest [`SHOWN`] of each).
#[derive(Debug, Clone)]
pub struct History {
    pub member: MemberId,
    pub name: String,
    pub notes: Vec<Noted>,
    pub warnings: i64,
    pub reports: Vec<ReportAbout>,
    pub hidden: Vec<HiddenPost>,
    pub suspensions: Vec<Suspension>,
}

pub const SHOWN: i64 = 50;

pub fn history(conn: &mut DbConn, actor: &Viewer, member: MemberId) -> Result<History, RuleError> {
    require_staff(actor)?;
    let name = members::find(conn, member)?.display_name;
    let notes = member_notes::table
        .left_join(member_rows::table.on(member_rows::id.nullable().eq(member_notes::author_id)))
        .filter(member_notes::member_id.eq(member))
        .order((member_notes::created_at.desc(), member_notes::id.desc()))
        .limit(SHOWN)
        .select((
            member_notes::kind,
            member_notes::body,
            member_rows::display_name.nullable(),
            member_notes::created_at,
        ))
        .load::<(NoteKind, String, Option<String>, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(kind, body, by, at)| Noted { kind, body, by, at })
        .collect();
    let warnings = member_notes::table
        .filter(member_notes::member_id.eq(member))
        .filter(member_notes::kind.eq(NoteKind::Warning))
        .count()
        .get_result(conn)?;
    let reports = reports::table
        .inner_join(posts::table.on(posts::id.eq(reports::post_id)))
        .inner_join(threads::table.on(threads::id.eq(posts::thread_id)))
        .filter(posts::author_id.eq(member))
        .order((reports::created_at.desc(), reports::id.desc()))
        .limit(SHOWN)
        .select((
            posts::id,
            threads::title,
            reports::reason,
            reports::status,
            reports::created_at,
        ))
        .load::<(PostId, String, String, String, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(post, thread_title, reason, status, at)| ReportAbout {
            post,
            thread_title,
            reason,
            status,
            at,
        })
        .collect();
    let hidden = posts::table
        .inner_join(threads::table)
        .filter(posts::author_id.eq(member))
        .filter(posts::hidden_at.is_not_null())
        .filter(posts::held_at.is_null())
        .order((posts::hidden_at.desc(), posts::id.desc()))
        .limit(SHOWN)
        .select((
            posts::id,
            threads::id,
            threads::title,
            posts::hidden_reason,
            posts::hidden_at.assume_not_null(),
        ))
        .load::<(PostId, ThreadId, String, Option<String>, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(post, thread, thread_title, reason, at)| HiddenPost {
            post,
            thread,
            thread_title,
            reason,
            at,
        })
        .collect();
    let suspensions = audit_log::table
        .left_join(member_rows::table.on(member_rows::id.nullable().eq(audit_log::actor_id)))
        .filter(audit_log::target_member_id.eq(member))
        .filter(audit_log::action.eq_any(["member suspended", "suspension lifted"]))
        .order((audit_log::created_at.desc(), audit_log::id.desc()))
        .limit(SHOWN)
        .select((
            audit_log::action,
            audit_log::subject,
            audit_log::reason,
            member_rows::display_name.nullable(),
            audit_log::created_at,
        ))
        .load::<(String, String, String, Option<String>, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(action, detail, reason, by, at)| Suspension {
            action,
            detail,
            reason,
            by,
            at,
        })
        .collect();
    Ok(History {
        member,
        name,
        notes,
        warnings,
        reports,
        hidden,
        suspensions,
    })
}
