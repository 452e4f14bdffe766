//! Reporting a private message to the facilitators, and what they do about it. A member of
//! the conversation reports a message they can see; facilitators then see that message and
//! its author (nothing else of the conversation) and dismiss the report or hide the message.
//! Each decision is in the audit log, naming the message, never its words.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::conversations::{self, Message};
use super::values::ReportStatus;
use crate::accounts::members::Viewer;
use crate::audit;
use crate::db::paging::{PageNumber, Paged};
use crate::db::{DbConn, MemberId, MessageId, MessageReportId, WriteConn};
use crate::forum::values::Reason;
use crate::notifications::events;
use crate::rules::RuleError;
use crate::schema::{members, message_reports, messages};

/// Reports a message the viewer received. A second report by the same member while the
/// first is open changes nothing.
pub fn report(
    tx: &mut WriteConn,
    viewer: &Viewer,
    message: MessageId,
    reason: &Reason,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    let conn: &mut DbConn = tx;
    let found = conversations::find(conn, message)?;
    conversations::conversation_of(conn, viewer, message)?;
    if found.author_id == viewer.id || found.delivered_at.is_none() {
        return Err(RuleError::forbidden(
            "You can report messages others sent you.",
        ));
    }
    let open: i64 = message_reports::table
        .filter(message_reports::message_id.eq(message))
        .filter(message_reports::reporter_id.eq(viewer.id))
        .filter(message_reports::status.eq(ReportStatus::Open))
        .count()
        .get_result(conn)?;
    if open == 0 {
        diesel::insert_into(message_reports::table)
            .values((
                message_reports::message_id.eq(message),
                message_reports::reporter_id.eq(viewer.id),
                message_reports::reason.eq(reason.as_str()),
                message_reports::status.eq(ReportStatus::Open),
                message_reports::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A reported message as the facilitators see it: the message, its author, and why.
#[derive(Debug, Clone)]
pub struct Reported {
    pub report: MessageReportId,
    pub message: Message,
    pub author: String,
    pub reporter: String,
    pub reason: String,
    pub reported_at: NaiveDateTime,
}

fn require_facilitator(actor: &Viewer) -> Result<(), RuleError> {
    if actor.staff.can_moderate() {
        Ok(())
    } else {
        Err(RuleError::forbidden(
            "Only facilitators handle reported messages.",
        ))
    }
}

pub const PER_PAGE: i64 = 20;

/// The open reports, oldest first, each with its message and author: two queries a page.
pub fn queue(
    conn: &mut DbConn,
    actor: &Viewer,
    page: PageNumber,
) -> Result<Paged<Reported>, RuleError> {
    require_facilitator(actor)?;
    let open = message_reports::table.filter(message_reports::status.eq(ReportStatus::Open));
    let total: i64 = open.count().get_result(conn)?;
    let (authors, reporters) = diesel::alias!(members as authors, members as reporters);
    let rows: Vec<(
        MessageReportId,
        String,
        NaiveDateTime,
        Message,
        String,
        String,
    )> = open
        .inner_join(messages::table)
        .inner_join(authors.on(authors.field(members::id).eq(messages::author_id)))
        .inner_join(
            reporters.on(reporters
                .field(members::id)
                .eq(message_reports::reporter_id)),
        )
        .order((message_reports::created_at.asc(), message_reports::id.asc()))
        .limit(PER_PAGE)
        .offset(page.offset(PER_PAGE))
        .select((
            message_reports::id,
            message_reports::reason,
            message_reports::created_at,
            Message::as_select(),
            authors.field(members::display_name),
            reporters.field(members::display_name),
        ))
        .load(conn)?;
    let items = rows
        .into_iter()
        .map(
            |(report, reason, reported_at, message, author, reporter)| Reported {
                report,
                message,
                author,
                reporter,
                reason,
                reported_at,
            },
        )
        .collect();
    Ok(Paged::new(items, page, PER_PAGE, total))
}

/// The open report, for a decision on it: its message and author.
fn open_report(
    conn: &mut DbConn,
    actor: &Viewer,
    id: MessageReportId,
) -> Result<(MessageId, MemberId), RuleError> {
    require_facilitator(actor)?;
    let (message, status, author): (MessageId, ReportStatus, MemberId) = message_reports::table
        .inner_join(messages::table)
        .filter(message_reports::id.eq(id))
        .select((
            message_reports::message_id,
            message_reports::status,
            messages::author_id,
        ))
        .first(conn)?;
    if status != ReportStatus::Open {
        return Err(RuleError::Conflict(
            "This report has already been dealt with.".into(),
        ));
    }
    Ok((message, author))
}

/// Closes every open report on the message, as `status`, and logs it.
fn close(
    conn: &mut DbConn,
    actor: &Viewer,
    (message, author): (MessageId, MemberId),
    status: ReportStatus,
    action: &str,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(
        message_reports::table
            .filter(message_reports::message_id.eq(message))
            .filter(message_reports::status.eq(ReportStatus::Open)),
    )
    .set((
        message_reports::status.eq(status),
        message_reports::decided_at.eq(now),
        message_reports::decided_by.eq(actor.id),
    ))
    .execute(conn)?;
    audit::record(
        conn,
        &audit::Entry {
            actor: Some(actor.id),
            action,
            target_member: Some(author),
            subject: &format!("message {message}"),
            reason,
        },
        now,
    )
}

/// The message is within the guidelines: the reports on it close, and it stays.
pub fn dismiss(
    tx: &mut WriteConn,
    actor: &Viewer,
    id: MessageReportId,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    let conn: &mut DbConn = tx;
    let reported = open_report(conn, actor, id)?;
    close(
        conn,
        actor,
        reported,
        ReportStatus::Dismissed,
        "message report dismissed",
        "",
        now,
    )?;
    Ok(())
}

/// The message is hidden from its conversation (and search); its author is told why.
pub fn hide(
    tx: &mut WriteConn,
    actor: &Viewer,
    id: MessageReportId,
    reason: &Reason,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    let conn: &mut DbConn = tx;
    let (message, author) = open_report(conn, actor, id)?;
    diesel::update(messages::table.find(message))
        .set(messages::hidden_at.eq(now))
        .execute(conn)?;
    crate::search::index::message(conn, message)?;
    close(
        conn,
        actor,
        (message, author),
        ReportStatus::Hidden,
        "message hidden",
        reason.as_str(),
        now,
    )?;
    events::told_by_staff(
        conn,
        actor,
        author,
        "/messages".into(),
        "A facilitator hid a private message you sent, after it was reported".into(),
        format!("Reason: {}", reason.as_str()),
        now,
    )?;
    Ok(())
}
