//! The run's roster for facilitators: who is booked or waiting, their manager's agreement,
//! attendance per session, and the same as a CSV file.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::values::{BookingStatus, ManagerStatus};
use crate::accounts::members::Viewer;
use crate::accounts::{Borough, Role};
use crate::audit::{self, Entry};
use crate::db::{CourseRunId, DbConn, MemberId, SessionId};
use crate::rules::RuleError;
use crate::schema::{attendance, bookings, course_sessions, members};

/// Refuses anyone but the run's own facilitators and admins: a roster holds names,
/// employers and managers' addresses.
pub fn require_facilitator(
    conn: &mut DbConn,
    viewer: &Viewer,
    run: CourseRunId,
) -> Result<(), RuleError> {
    if super::runs::facilitates(conn, viewer, run)? {
        Ok(())
    } else {
        Err(RuleError::Forbidden(
            "Only this course's facilitators and admins can see its roster.".into(),
        ))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Booked,
    Waiting(i64),
    Cancelled,
}

impl Status {
    pub fn label(&self) -> String {
        match self {
            Status::Booked => "Booked".into(),
            Status::Waiting(position) => format!("Waiting ({position})"),
            Status::Cancelled => "Cancelled".into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct RosterRow {
    pub member: MemberId,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub borough: Borough,
    pub organisation: String,
    pub status: Status,
    pub manager_agreed: bool,
    pub manager_name: String,
    pub manager_email: String,
    pub manager_status: ManagerStatus,
    pub override_reason: Option<String>,
    pub booked_at: NaiveDateTime,
    /// Why they cancelled, if they said, and whether it was within 48 hours of the start.
    pub cancel_reason: Option<String>,
    pub cancelled_late: bool,
}

impl RosterRow {
    /// The manager's answer in words, with their name.
    pub fn manager_words(&self) -> String {
        match (self.manager_status, self.manager_name.is_empty()) {
            (ManagerStatus::NotAsked, _) if self.manager_agreed => "Agreed".to_owned(),
            (status, true) => status.label().to_owned(),
            (status, false) => format!("{} ({})", status.label(), self.manager_name),
        }
    }
}

type Row = (
    (MemberId, String, String, Role, Borough, String),
    (BookingStatus, bool, String, String, ManagerStatus),
    (Option<String>, NaiveDateTime, Option<String>, bool),
);

/// Booked first (in booking order), then the waiting list in order, then cancellations.
pub fn roster(
    conn: &mut DbConn,
    viewer: &Viewer,
    run: CourseRunId,
) -> Result<Vec<RosterRow>, RuleError> {
    require_facilitator(conn, viewer, run)?;
    let rows: Vec<Row> = bookings::table
        .inner_join(members::table.on(members::id.eq(bookings::member_id)))
        .filter(bookings::run_id.eq(run))
        .order((bookings::queued_at.asc(), bookings::id.asc()))
        .select((
            (
                members::id,
                members::display_name,
                members::email,
                members::role,
                members::borough,
                members::organisation,
            ),
            (
                bookings::status,
                bookings::manager_agreed,
                bookings::manager_name,
                bookings::manager_email,
                bookings::manager_status,
            ),
            (
                bookings::override_reason,
                bookings::created_at,
                bookings::cancel_reason,
                bookings::cancelled_late,
            ),
        ))
        .load(conn)?;
    let mut waiting = 0;
    let mut roster: Vec<RosterRow> = rows
        .into_iter()
        .map(|(person, booking, extra)| {
            let (member, name, email, role, borough, organisation) = person;
            let (status, manager_agreed, manager_name, manager_email, manager_status) = booking;
            let (override_reason, booked_at, cancel_reason, cancelled_late) = extra;
            let status = match status {
                BookingStatus::Booked => Status::Booked,
                BookingStatus::Waiting => {
                    waiting += 1;
                    Status::Waiting(waiting)
                }
                BookingStatus::Cancelled => Status::Cancelled,
            };
            RosterRow {
                member,
                name,
                email,
                role,
                borough,
                organisation,
                status,
                manager_agreed,
                manager_name,
                manager_email,
                manager_status,
                override_reason,
                booked_at,
                cancel_reason,
                cancelled_late,
            }
        })
        .collect();
    roster.sort_by_key(|row| match row.status {
        Status::Booked => 0,
        Status::Waiting(_) => 1,
        Status::Cancelled => 2,
    });
    Ok(roster)
}

/// The registers taken for a run's sessions.
#[derive(Debug, Clone, Default)]
pub struct Register {
    /// (session, member) marked present.
    pub present: HashSet<(SessionId, MemberId)>,
    /// Sessions whose register has been taken.
    pub taken: HashSet<SessionId>,
}

pub fn attendance_of(conn: &mut DbConn, run: CourseRunId) -> QueryResult<Register> {
    let sessions: Vec<SessionId> = course_sessions::table
        .filter(course_sessions::run_id.eq(run))
        .select(course_sessions::id)
        .load(conn)?;
    let marks: Vec<(SessionId, MemberId, bool)> = attendance::table
        .filter(attendance::session_id.eq_any(&sessions))
        .select((
            attendance::session_id,
            attendance::member_id,
            attendance::present,
        ))
        .load(conn)?;
    let taken = marks.iter().map(|(s, _, _)| *s).collect();
    let present = marks
        .into_iter()
        .filter(|(_, _, p)| *p)
        .map(|(s, m, _)| (s, m))
        .collect();
    Ok(Register { present, taken })
}

/// Takes the register for one session: the booked participants listed are present, the
/// other booked participants absent. The audit log names whose mark changed, since
/// attendance decides who completed the course.
pub fn record_attendance(
    conn: &mut DbConn,
    viewer: &Viewer,
    run: CourseRunId,
    session: SessionId,
    present: &[MemberId],
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    require_facilitator(conn, viewer, run)?;
    let of_run: Option<(CourseRunId, NaiveDateTime)> = course_sessions::table
        .find(session)
        .select((course_sessions::run_id, course_sessions::starts_at))
        .first(conn)
        .optional()?;
    let Some((_, starts_at)) = of_run.filter(|(of, _)| *of == run) else {
        return Err(RuleError::NotFound);
    };
    if starts_at > now {
        return Err(RuleError::Conflict(format!(
            "This session's register opens when it starts, at {} (London time).",
            crate::web::layout::london_time(starts_at)
        )));
    }
    let booked: Vec<(MemberId, String)> = bookings::table
        .inner_join(members::table.on(members::id.eq(bookings::member_id)))
        .filter(bookings::run_id.eq(run))
        .filter(bookings::status.eq(BookingStatus::Booked))
        .select((bookings::member_id, members::display_name))
        .load(conn)?;
    let before: Vec<(MemberId, bool)> = attendance::table
        .filter(attendance::session_id.eq(session))
        .select((attendance::member_id, attendance::present))
        .load(conn)?;
    diesel::delete(attendance::table.filter(attendance::session_id.eq(session))).execute(conn)?;
    let mut changed = Vec::new();
    for (member, name) in &booked {
        let is_present = present.contains(member);
        let was = before.iter().find(|(m, _)| m == member).map(|(_, p)| *p);
        if was != Some(is_present) {
            changed.push(format!(
                "{name} {}",
                if is_present { "present" } else { "absent" }
            ));
        }
        diesel::insert_into(attendance::table)
            .values((
                attendance::session_id.eq(session),
                attendance::member_id.eq(member),
                attendance::present.eq(is_present),
            ))
            .execute(conn)?;
    }
    if !changed.is_empty() {
        let title: String = super::runs::find(conn, run)?.title;
        audit::record(
            conn,
            &Entry {
                actor: Some(viewer.id),
                action: "attendance recorded",
                target_member: None,
                subject: &format!(
                    "{title}, session of {}: {}",
                    starts_at.format("%-d %B %Y"),
                    changed.join(", ")
                ),
                reason: "",
            },
            now,
        )?;
    }
    Ok(())
}

/// The roster as a CSV file, for a facilitator to download. It carries names, employers
/// and managers' addresses, so each download is in the audit log.
pub fn export(
    conn: &mut DbConn,
    viewer: &Viewer,
    run: CourseRunId,
    now: NaiveDateTime,
) -> Result<Vec<RosterRow>, RuleError> {
    let rows = roster(conn, viewer, run)?;
    let title: String = super::runs::find(conn, run)?.title;
    audit::record(
        conn,
        &Entry {
            actor: Some(viewer.id),
            action: "roster exported",
            target_member: None,
            subject: &format!("{title}: {} rows", rows.len()),
            reason: "",
        },
        now,
    )?;
    Ok(rows)
}

/// A participant at one session: present, absent, or not yet known (no register taken).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Present,
    Absent,
    NotTaken,
}

impl Mark {
    pub fn label(self) -> &'static str {
        match self {
            Mark::Present => "Present",
            Mark::Absent => "Absent",
            Mark::NotTaken => "–",
        }
    }
}

impl Register {
    pub fn mark(&self, session: SessionId, member: MemberId) -> Mark {
        if self.present.contains(&(session, member)) {
            Mark::Present
        } else if self.taken.contains(&session) {
            Mark::Absent
        } else {
            Mark::NotTaken
        }
    }

    /// Whether the member attended every session (`None` while a register is untaken and
    /// they have missed none so far).
    pub fn completed(&self, sessions: &[SessionId], member: MemberId) -> Option<bool> {
        let marks: Vec<Mark> = sessions.iter().map(|s| self.mark(*s, member)).collect();
        if marks.contains(&Mark::Absent) {
            Some(false)
        } else if marks.contains(&Mark::NotTaken) || marks.is_empty() {
            None
        } else {
            Some(true)
        }
    }
}

/// "Yes", "No" or "Not yet".
pub fn completion_words(completed: Option<bool>) -> &'static str {
    match completed {
        Some(true) => "Yes",
        Some(false) => "No",
        None => "Not yet",
    }
}

/// Attendance rate per group: (group, sessions attended, sessions possible).
#[derive(Debug, Clone, Default)]
pub struct AttendanceSummary {
    pub by_role: BTreeMap<String, (i64, i64)>,
    pub by_borough: BTreeMap<String, (i64, i64)>,
}

pub fn summary(roster: &[RosterRow], register: &Register) -> AttendanceSummary {
    let (present, taken) = (&register.present, &register.taken);
    let mut summary = AttendanceSummary::default();
    for row in roster.iter().filter(|row| row.status == Status::Booked) {
        let attended = taken
            .iter()
            .filter(|session| present.contains(&(**session, row.member)))
            .count() as i64;
        let possible = taken.len() as i64;
        let add = |map: &mut BTreeMap<String, (i64, i64)>, key: &str| {
            let entry = map.entry(key.to_owned()).or_default();
            entry.0 += attended;
            entry.1 += possible;
        };
        add(&mut summary.by_role, row.role.label());
        add(&mut summary.by_borough, row.borough.label());
    }
    summary
}

/// A cell as a spreadsheet will read it: text that starts like a formula is escaped so
/// that opening the file never runs anything.
pub fn spreadsheet_safe(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// The roster as a spreadsheet: one row a person, with the manager's answer, any
/// cancellation, attendance at each session and completion.
pub fn csv(
    roster: &[RosterRow],
    sessions: &[SessionId],
    register: &Register,
) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut head: Vec<String> = [
        "Name",
        "Email",
        "Role",
        "Borough",
        "Organisation",
        "Status",
        "Manager agreed",
        "Manager",
        "Manager email",
        "Manager's answer",
        "Booked in by facilitator because",
        "Booked at (UTC)",
        "Cancelled within 48 hours",
        "Cancellation reason",
    ]
    .map(str::to_owned)
    .to_vec();
    head.extend((1..=sessions.len()).map(|n| format!("Session {n}")));
    head.push("Completed".to_owned());
    writer.write_record(&head)?;
    for row in roster {
        let booked = row.status == Status::Booked;
        let mut cells = vec![
            row.name.clone(),
            row.email.clone(),
            row.role.label().to_owned(),
            row.borough.label().to_owned(),
            row.organisation.clone(),
            row.status.label(),
            if row.manager_agreed {
                "Yes".into()
            } else {
                "No".into()
            },
            row.manager_name.clone(),
            row.manager_email.clone(),
            row.manager_status.label().to_owned(),
            row.override_reason.clone().unwrap_or_default(),
            row.booked_at.format("%Y-%m-%d %H:%M").to_string(),
            if row.cancelled_late { "Yes" } else { "" }.to_owned(),
            row.cancel_reason.clone().unwrap_or_default(),
        ];
        for session in sessions {
            cells.push(if booked {
                register.mark(*session, row.member).label().to_owned()
            } else {
                String::new()
            });
        }
        cells.push(if booked {
            completion_words(register.completed(sessions, row.member)).to_owned()
        } else {
            String::new()
        });
        writer.write_record(cells.iter().map(|cell| spreadsheet_safe(cell)))?;
    }
    Ok(writer.into_inner()?)
}

#[cfg(test)]
mod tests {
    use super::spreadsheet_safe;

    #[test]
    fn formulas_are_escaped() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("+44 161"), "'+44 161");
        assert_eq!(spreadsheet_safe("-1"), "'-1");
        assert_eq!(spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet_safe("Sam Jones"), "Sam Jones");
    }
}
