//! Course runs and their sessions, created by admins.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::values::{BookingStatus, Capacity, ManagerMode, MeetingUrl, RunTitle};
use crate::accounts::members::Viewer;
use crate::accounts::Borough;
use crate::audit::{self, Entry};
use crate::db::{CourseRunId, DbConn, MemberId, WriteConn};
use crate::rules::RuleError;
use crate::schema::{categories, course_run_boroughs, course_runs, course_sessions};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = course_runs)]
pub struct CourseRun {
    pub id: CourseRunId,
    pub title: String,
    pub description: String,
    pub capacity: i32,
    pub meeting_url: String,
    pub booking_open: bool,
    pub cancelled_at: Option<NaiveDateTime>,
    pub ot_facilitator_id: Option<MemberId>,
    pub link_worker_facilitator_id: Option<MemberId>,
    pub created_at: NaiveDateTime,
    /// Whether a booking waits for the manager's confirmation.
    pub manager_mode: ManagerMode,
}

/// A new run as an admin describes it, parsed.
pub struct NewRun {
    pub title: RunTitle,
    pub description: String,
    pub boroughs: Vec<Borough>,
    pub capacity: Capacity,
    pub meeting_url: MeetingUrl,
    /// UTC starts of each session.
    pub session_starts: Vec<NaiveDateTime>,
    pub duration_minutes: i32,
    pub ot_facilitator: Option<MemberId>,
    pub link_worker_facilitator: Option<MemberId>,
    pub manager_mode: ManagerMode,
}

/// Whether the viewer runs this course: one of its two facilitators, or an admin (who may
/// act on every run). Rosters, registers and booking people in are theirs alone.
pub fn facilitates(conn: &mut DbConn, viewer: &Viewer, run: CourseRunId) -> QueryResult<bool> {
    if viewer.staff.is_admin() {
        return Ok(true);
    }
    if !viewer.staff.can_moderate() {
        return Ok(false);
    }
    let (ot, link_worker) = facilitators(conn, run)?;
    Ok(ot == Some(viewer.id) || link_worker == Some(viewer.id))
}

/// The run's two facilitators, the OT's first, where they are assigned.
pub fn facilitators(
    conn: &mut DbConn,
    run: CourseRunId,
) -> QueryResult<(Option<MemberId>, Option<MemberId>)> {
    course_runs::table
        .find(run)
        .select((
            course_runs::ot_facilitator_id,
            course_runs::link_worker_facilitator_id,
        ))
        .first(conn)
}

/// The runs a member is one of the two facilitators of.
pub fn facilitated_by(conn: &mut DbConn, member: MemberId) -> QueryResult<Vec<CourseRunId>> {
    course_runs::table
        .filter(
            course_runs::ot_facilitator_id
                .eq(member)
                .or(course_runs::link_worker_facilitator_id.eq(member)),
        )
        .select(course_runs::id)
        .load(conn)
}

pub fn find(conn: &mut DbConn, id: CourseRunId) -> QueryResult<CourseRun> {
    course_runs::table
        .find(id)
        .select(CourseRun::as_select())
        .first(conn)
}

pub fn boroughs(conn: &mut DbConn, id: CourseRunId) -> QueryResult<Vec<Borough>> {
    course_run_boroughs::table
        .filter(course_run_boroughs::run_id.eq(id))
        .select(course_run_boroughs::borough)
        .load::<String>(conn)
        .map(|slugs| {
            slugs
                .iter()
                .filter_map(|slug| Borough::from_slug(slug))
                .collect()
        })
}

/// Creates the run, its sessions and its private cohort discussion space.
pub fn create(
    conn: &mut DbConn,
    actor: &Viewer,
    new: &NewRun,
    now: NaiveDateTime,
) -> Result<CourseRunId, RuleError> {
    if !actor.staff.is_admin() {
        return Err(RuleError::Forbidden(
            "Only admins create course runs.".into(),
        ));
    }
    check_facilitators(
        conn,
        [
            (new.ot_facilitator, "ot_facilitator"),
            (new.link_worker_facilitator, "link_worker_facilitator"),
        ],
    )?;
    if new.boroughs.is_empty() {
        return Err(RuleError::Invalid(
            "boroughs",
            "Choose the boroughs this run serves".into(),
        ));
    }
    let id: CourseRunId = diesel::insert_into(course_runs::table)
        .values((
            course_runs::title.eq(new.title.as_str()),
            course_runs::description.eq(&new.description),
            course_runs::capacity.eq(new.capacity.get()),
            course_runs::meeting_url.eq(new.meeting_url.as_str()),
            course_runs::booking_open.eq(true),
            course_runs::ot_facilitator_id.eq(new.ot_facilitator),
            course_runs::link_worker_facilitator_id.eq(new.link_worker_facilitator),
            course_runs::created_at.eq(now),
            course_runs::manager_mode.eq(new.manager_mode),
        ))
        .returning(course_runs::id)
        .get_result(conn)?;
    for borough in &new.boroughs {
        diesel::insert_into(course_run_boroughs::table)
            .values((
                course_run_boroughs::run_id.eq(id),
                course_run_boroughs::borough.eq(borough.slug()),
            ))
            .execute(conn)?;
    }
    for (n, starts_at) in new.session_starts.iter().enumerate() {
        diesel::insert_into(course_sessions::table)
            .values((
                course_sessions::run_id.eq(id),
                course_sessions::number.eq(n as i32 + 1),
                course_sessions::starts_at.eq(starts_at),
                course_sessions::duration_minutes.eq(new.duration_minutes),
            ))
            .execute(conn)?;
    }
    crate::evaluation::questions::add_defaults(conn, id)?;
    diesel::insert_into(categories::table)
        .values((
            categories::slug.eq(format!("cohort-{id}")),
            categories::name.eq(format!("Cohort: {}", new.title)),
            categories::description
                .eq("A private space for this run's participants and facilitators."),
            categories::position.eq(100),
            categories::archived.eq(false),
            categories::public_read.eq(false),
            categories::staff_threads_only.eq(false),
            categories::course_run_id.eq(Some(id)),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        &Entry {
            actor: Some(actor.id),
            action: "course run created",
            target_member: None,
            subject: new.title.as_str(),
            reason: "",
        },
        now,
    )?;
    Ok(id)
}

/// Facilitators must be SPOT facilitators or admins.
fn check_facilitators(
    conn: &mut DbConn,
    chosen: [(Option<MemberId>, &'static str); 2],
) -> Result<(), RuleError> {
    let staff: Vec<MemberId> = possible_facilitators(conn)?
        .into_iter()
        .map(|(id, _, _)| id)
        .collect();
    for (person, field) in chosen {
        if person.is_some_and(|id| !staff.contains(&id)) {
            return Err(RuleError::Invalid(
                field,
                "Choose a facilitator from the list".into(),
            ));
        }
    }
    Ok(())
}

/// When the first session starts, for the rule that bookings close then.
pub fn first_session_start(
    conn: &mut DbConn,
    id: CourseRunId,
) -> QueryResult<Option<NaiveDateTime>> {
    course_sessions::table
        .filter(course_sessions::run_id.eq(id))
        .select(diesel::dsl::min(course_sessions::starts_at))
        .first(conn)
}

fn require_admin(actor: &Viewer) -> Result<(), RuleError> {
    if actor.staff.is_admin() {
        Ok(())
    } else {
        Err(RuleError::Forbidden(
            "Only admins change course runs.".into(),
        ))
    }
}

/// What an admin may change on an existing run.
pub struct RunChange {
    pub title: RunTitle,
    pub description: String,
    pub capacity: Capacity,
    pub meeting_url: MeetingUrl,
    pub ot_facilitator: Option<MemberId>,
    pub link_worker_facilitator: Option<MemberId>,
    pub manager_mode: ManagerMode,
}

/// Saves the changes; more places take people off the waiting list, returned in order.
pub fn update(
    conn: &mut WriteConn,
    actor: &Viewer,
    id: CourseRunId,
    change: &RunChange,
    now: NaiveDateTime,
) -> Result<Vec<MemberId>, RuleError> {
    require_admin(actor)?;
    check_facilitators(
        conn,
        [
            (change.ot_facilitator, "ot_facilitator"),
            (change.link_worker_facilitator, "link_worker_facilitator"),
        ],
    )?;
    conn.serialize_on(&format!("course-run:{id}"))?;
    let run = find(conn, id)?;
    let (booked, _) = super::places::counts(conn, id)?;
    if i64::from(change.capacity.get()) < booked {
        return Err(RuleError::Invalid(
            "capacity",
            format!("{booked} people are booked: the run cannot have fewer places than that"),
        ));
    }
    diesel::update(course_runs::table.find(id))
        .set((
            course_runs::title.eq(change.title.as_str()),
            course_runs::description.eq(&change.description),
            course_runs::capacity.eq(change.capacity.get()),
            course_runs::meeting_url.eq(change.meeting_url.as_str()),
            course_runs::ot_facilitator_id.eq(change.ot_facilitator),
            course_runs::link_worker_facilitator_id.eq(change.link_worker_facilitator),
            course_runs::manager_mode.eq(change.manager_mode),
        ))
        .execute(&mut **conn)?;
    if change.manager_mode == ManagerMode::Notify {
        // Places held for a manager's answer now stand; the managers may still decline.
        super::managers::stop_holding(conn, id)?;
    }
    audit::record(
        conn,
        &Entry {
            actor: Some(actor.id),
            action: "course run changed",
            target_member: None,
            subject: change.title.as_str(),
            reason: "",
        },
        now,
    )?;
    let promoted = if run.cancelled_at.is_none() {
        super::places::fill_from_waiting_list(conn, id, now)?
    } else {
        Vec::new()
    };
    Ok(promoted)
}

pub fn set_booking_open(
    conn: &mut DbConn,
    actor: &Viewer,
    id: CourseRunId,
    open: bool,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    require_admin(actor)?;
    let run = find(conn, id)?;
    diesel::update(course_runs::table.find(id))
        .set(course_runs::booking_open.eq(open))
        .execute(conn)?;
    let action = if open {
        "course booking opened"
    } else {
        "course booking closed"
    };
    audit::record(
        conn,
        &Entry {
            actor: Some(actor.id),
            action,
            target_member: None,
            subject: &run.title,
            reason: "",
        },
        now,
    )?;
    Ok(())
}

/// Cancels a whole run: every booking and waiting place is released. Returns who held one,
/// so that they can be told.
pub fn cancel_run(
    conn: &mut WriteConn,
    actor: &Viewer,
    id: CourseRunId,
    reason: &str,
    now: NaiveDateTime,
) -> Result<Vec<MemberId>, RuleError> {
    require_admin(actor)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(RuleError::Invalid(
            "reason",
            "Give a reason: everyone booked is told it".into(),
        ));
    }
    conn.serialize_on(&format!("course-run:{id}"))?;
    let run = find(conn, id)?;
    if run.cancelled_at.is_some() {
        return Err(RuleError::Conflict("This run is already cancelled.".into()));
    }
    use crate::schema::bookings;
    let affected: Vec<MemberId> = bookings::table
        .filter(bookings::run_id.eq(id))
        .filter(bookings::status.eq_any(BookingStatus::LIVE))
        .select(bookings::member_id)
        .load(&mut **conn)?;
    diesel::update(
        bookings::table
            .filter(bookings::run_id.eq(id))
            .filter(bookings::status.eq_any(BookingStatus::LIVE)),
    )
    .set((
        bookings::status.eq(BookingStatus::Cancelled),
        bookings::seat.eq(None::<i32>),
        bookings::changed_at.eq(now),
    ))
    .execute(&mut **conn)?;
    diesel::update(course_runs::table.find(id))
        .set((
            course_runs::cancelled_at.eq(now),
            course_runs::booking_open.eq(false),
        ))
        .execute(&mut **conn)?;
    audit::record(
        conn,
        &Entry {
            actor: Some(actor.id),
            action: "course run cancelled",
            target_member: None,
            subject: &run.title,
            reason,
        },
        now,
    )?;
    Ok(affected)
}

/// Moves one session (a bank-holiday move), keeping its number and calendar identity.
pub fn move_session(
    conn: &mut DbConn,
    actor: &Viewer,
    run: CourseRunId,
    number: i32,
    starts_at: NaiveDateTime,
    duration_minutes: i32,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    require_admin(actor)?;
    let changed = diesel::update(
        course_sessions::table
            .filter(course_sessions::run_id.eq(run))
            .filter(course_sessions::number.eq(number)),
    )
    .set((
        course_sessions::starts_at.eq(starts_at),
        course_sessions::duration_minutes.eq(duration_minutes),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(RuleError::NotFound);
    }
    audit::record(
        conn,
        &Entry {
            actor: Some(actor.id),
            action: "course session moved",
            target_member: None,
            subject: &format!("run {run}, session {number}"),
            reason: "",
        },
        now,
    )?;
    Ok(())
}

/// Facilitators and admins who can co-deliver a run, by name: (id, name, role).
pub fn possible_facilitators(
    conn: &mut DbConn,
) -> QueryResult<Vec<(MemberId, String, crate::accounts::Role)>> {
    use crate::schema::members;
    members::table
        .filter(members::staff.eq_any([
            crate::accounts::StaffLevel::Facilitator,
            crate::accounts::StaffLevel::Admin,
        ]))
        .order(members::sort_name.asc())
        .limit(500)
        .select((members::id, members::display_name, members::role))
        .load(conn)
}
