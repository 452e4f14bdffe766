//! What facilitators do to keep threads healthy, and members' reports that bring a post to
//! their attention. Every action checks the actor here and goes to the audit log.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::notifications::events;

use super::categories;
use super::posts::{self, Author, Post};
use super::scope::{self, ModerationScope};
use super::threads::{self, Thread};
use super::values::{Reason, ReportStatus, ThreadTitle};
use crate::accounts::members::{self, Viewer};
use crate::audit::{self, Entry};
use crate::db::{CategoryId, DbConn, MemberId, PostId, ThreadId};
use crate::rules::RuleError;
use crate::schema::{
    members as members_table, posts as posts_table, reports, thread_reads, threads as threads_table,
};
use crate::search;

/// Reports from this many different members hide a post until a facilitator looks.
pub const AUTO_HIDE_REPORTS: i64 = 3;

pub const AUTO_HIDE_REASON: &str =
    "Hidden automatically after reports from three members, until a facilitator reviews it";

pub(super) fn require_facilitator(actor: &Viewer) -> Result<(), RuleError> {
    if actor.staff.can_moderate() {
        Ok(())
    } else {
        Err(RuleError::forbidden(
            "Only facilitators can moderate the forum.",
        ))
    }
}

pub(super) fn log(
    conn: &mut DbConn,
    actor: Option<MemberId>,
    action: &str,
    target: Option<MemberId>,
    subject: &str,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    audit::record(
        conn,
        &Entry {
            actor,
            action,
            target_member: target,
            subject,
            reason,
        },
        now,
    )
}

/// Refuses an actor who may not moderate where the post is.
pub(super) fn require_for_post(
    conn: &mut DbConn,
    actor: &Viewer,
    post: &Post,
) -> Result<(), RuleError> {
    let category = threads::find(conn, post.thread_id)?.category_id;
    scope::require(conn, actor, category)
}

fn thread_subject(thread: &Thread) -> String {
    format!("thread {} “{}”", thread.id, thread.title)
}

fn post_subject(post: &Post) -> String {
    format!("post {} in thread {}", post.id, post.thread_id)
}

/// A thread's two switches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Switch {
    Pinned,
    Locked,
}

fn set_switch(
    conn: &mut DbConn,
    actor: &Viewer,
    id: ThreadId,
    switch: Switch,
    on: bool,
    now: NaiveDateTime,
) -> Result<Thread, RuleError> {
    let thread = threads::find(conn, id)?;
    scope::require(conn, actor, thread.category_id)?;
    let (current, action) = match (switch, on) {
        (Switch::Pinned, true) => (thread.pinned, "thread pinned"),
        (Switch::Pinned, false) => (thread.pinned, "thread unpinned"),
        (Switch::Locked, true) => (thread.locked, "thread locked"),
        (Switch::Locked, false) => (thread.locked, "thread unlocked"),
    };
    if current != on {
        let row = threads_table::table.find(id);
        match switch {
            Switch::Pinned => diesel::update(row)
                .set(threads_table::pinned.eq(on))
                .execute(conn)?,
            Switch::Locked => diesel::update(row)
                .set(threads_table::locked.eq(on))
                .execute(conn)?,
        };
        log(
            conn,
            Some(actor.id),
            action,
            Some(thread.author_id),
            &thread_subject(&thread),
            "",
            now,
        )?;
    }
    Ok(thread)
}

pub fn set_pinned(
    conn: &mut DbConn,
    actor: &Viewer,
    id: ThreadId,
    pinned: bool,
    now: NaiveDateTime,
) -> Result<Thread, RuleError> {
    set_switch(conn, actor, id, Switch::Pinned, pinned, now)
}

pub fn set_locked(
    conn: &mut DbConn,
    actor: &Viewer,
    id: ThreadId,
    locked: bool,
    now: NaiveDateTime,
) -> Result<Thread, RuleError> {
    set_switch(conn, actor, id, Switch::Locked, locked, now)
}

pub fn move_thread(
    conn: &mut DbConn,
    actor: &Viewer,
    id: ThreadId,
    to: CategoryId,
    now: NaiveDateTime,
) -> Result<Thread, RuleError> {
    let thread = threads::find(conn, id)?;
    let moderates = ModerationScope::of(conn, actor)?;
    moderates.require(thread.category_id)?;
    let from = categories::find(conn, thread.category_id)?;
    let target = categories::find(conn, to)
        .ok()
        .filter(|target| moderates.covers(target.id))
        .ok_or_else(|| RuleError::Invalid("category", "Choose a category from the list".into()))?;
    if from.id != target.id {
        diesel::update(threads_table::table.find(id))
            .set(threads_table::category_id.eq(to))
            .execute(conn)?;
        categories::recount(conn, from.id)?;
        categories::recount(conn, target.id)?;
        let subject = format!(
            "{} from {} to {}",
            thread_subject(&thread),
            from.name,
            target.name
        );
        log(
            conn,
            Some(actor.id),
            "thread moved",
            Some(thread.author_id),
            &subject,
            "",
            now,
        )?;
    }
    Ok(thread)
}

pub fn rename_thread(
    conn: &mut DbConn,
    actor: &Viewer,
    id: ThreadId,
    title: &ThreadTitle,
    now: NaiveDateTime,
) -> Result<Thread, RuleError> {
    let thread = threads::find(conn, id)?;
    scope::require(conn, actor, thread.category_id)?;
    if thread.title != title.as_str() {
        diesel::update(threads_table::table.find(id))
            .set(threads_table::title.eq(title.as_str()))
            .execute(conn)?;
        search::index::thread(conn, id)?;
        let subject = format!(
            "thread {} “{}” → “{}”",
            thread.id,
            thread.title,
            title.as_str()
        );
        log(
            conn,
            Some(actor.id),
            "thread renamed",
            Some(thread.author_id),
            &subject,
            "",
            now,
        )?;
    }
    Ok(thread)
}

/// The post's author hears what a facilitator did to it.
fn tell_author(
    conn: &mut DbConn,
    actor: &Viewer,
    post: &Post,
    what: events::Moderated<'_>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let thread = threads::find(conn, post.thread_id)?;
    let about = events::PostInThread {
        thread: thread.id,
        title: &thread.title,
        post: post.id,
    };
    events::post_moderated(conn, actor, post.author_id, about, what, now)
}

pub fn hide(
    conn: &mut DbConn,
    actor: &Viewer,
    id: PostId,
    reason: &Reason,
    now: NaiveDateTime,
) -> Result<Post, RuleError> {
    let post = posts::find(conn, id)?;
    require_for_post(conn, actor, &post)?;
    diesel::update(posts_table::table.find(id))
        .set((
            posts_table::hidden_at.eq(now),
            posts_table::hidden_by.eq(actor.id),
            posts_table::hidden_reason.eq(reason.as_str()),
        ))
        .execute(conn)?;
    tell_author(
        conn,
        actor,
        &post,
        events::Moderated::Hidden(reason.as_str()),
        now,
    )?;
    search::index::post(conn, id)?;
    log(
        conn,
        Some(actor.id),
        "post hidden",
        Some(post.author_id),
        &post_subject(&post),
        reason.as_str(),
        now,
    )?;
    Ok(post)
}

pub fn unhide(
    conn: &mut DbConn,
    actor: &Viewer,
    id: PostId,
    now: NaiveDateTime,
) -> Result<Post, RuleError> {
    let post = posts::find(conn, id)?;
    require_for_post(conn, actor, &post)?;
    if post.is_held() {
        return Err(RuleError::Conflict(
            "This post is held by the patient-data check: approve it from the held items instead."
                .into(),
        ));
    }
    if post.hidden_at.is_some() {
        diesel::update(posts_table::table.find(id))
            .set((
                posts_table::hidden_at.eq(None::<NaiveDateTime>),
                posts_table::hidden_by.eq(None::<MemberId>),
                posts_table::hidden_reason.eq(None::<String>),
            ))
            .execute(conn)?;
        tell_author(conn, actor, &post, events::Moderated::ShownAgain, now)?;
        search::index::post(conn, id)?;
        log(
            conn,
            Some(actor.id),
            "post shown again",
            Some(post.author_id),
            &post_subject(&post),
            "",
            now,
        )?;
    }
    Ok(post)
}

/// Deletes spam outright. The first post takes its whole thread with it. Returns the
/// thread when it still exists.
pub fn remove(
    conn: &mut DbConn,
    actor: &Viewer,
    id: PostId,
    now: NaiveDateTime,
) -> Result<Option<ThreadId>, RuleError> {
    let post = posts::find(conn, id)?;
    require_for_post(conn, actor, &post)?;
    let thread = threads::find(conn, post.thread_id)?;
    if post.position == 1 {
        diesel::delete(threads_table::table.find(thread.id)).execute(conn)?;
        log(
            conn,
            Some(actor.id),
            "thread deleted",
            Some(post.author_id),
            &thread_subject(&thread),
            "spam",
            now,
        )?;
        categories::recount(conn, thread.category_id)?;
        return Ok(None);
    }
    // A new post still held was never counted.
    let counted = !post.is_held()
        || !crate::holds::open_on(conn, crate::holds::Held::Post(id), post.author_id)?
            .is_some_and(|hold| hold.fresh);
    diesel::delete(posts_table::table.find(id)).execute(conn)?;
    // The thread's last post may have gone: take the figures from what remains, and pull
    // read marks back with it, so nobody is shown a "new" post that no longer exists and
    // nobody misses the reply that takes its place.
    // Held posts keep their places (positions are never reused) but are not the thread's
    // latest activity.
    let last_position: i32 = posts_table::table
        .filter(posts_table::thread_id.eq(thread.id))
        .select(diesel::dsl::max(posts_table::position))
        .first::<Option<i32>>(conn)?
        .unwrap_or(1);
    let (last_at, last_poster): (NaiveDateTime, MemberId) = posts_table::table
        .filter(posts_table::thread_id.eq(thread.id))
        .filter(posts_table::held_at.is_null())
        .order(posts_table::position.desc())
        .select((posts_table::created_at, posts_table::author_id))
        .first(conn)?;
    diesel::update(threads_table::table.find(thread.id))
        .set((
            threads_table::post_count.eq(threads_table::post_count - i32::from(counted)),
            threads_table::last_position.eq(last_position),
            threads_table::last_post_at.eq(last_at),
            threads_table::last_poster_id.eq(last_poster),
        ))
        .execute(conn)?;
    diesel::update(
        thread_reads::table
            .filter(thread_reads::thread_id.eq(thread.id))
            .filter(thread_reads::last_read_position.gt(last_position)),
    )
    .set(thread_reads::last_read_position.eq(last_position))
    .execute(conn)?;
    log(
        conn,
        Some(actor.id),
        "post deleted",
        Some(post.author_id),
        &post_subject(&post),
        "spam",
        now,
    )?;
    categories::recount(conn, thread.category_id)?;
    Ok(Some(thread.id))
}

#[derive(Debug, PartialEq, Eq)]
pub enum ReportOutcome {
    Reported,
    /// This report was the one that hid the post.
    Hidden,
}

pub fn report(
    conn: &mut DbConn,
    reporter: &Viewer,
    id: PostId,
    reason: &Reason,
    now: NaiveDateTime,
) -> Result<ReportOutcome, RuleError> {
    let post = posts::find(conn, id)?;
    posts::readable_thread(conn, Some(reporter), post.thread_id)?;
    if post.author_id == reporter.id {
        return Err(RuleError::forbidden(
            "You cannot report your own post; edit or remove it instead.",
        ));
    }
    // Checked before writing: on PostgreSQL a failed insert would spoil the transaction.
    let earlier: Option<ReportStatus> = reports::table
        .filter(reports::post_id.eq(id))
        .filter(reports::reporter_id.eq(reporter.id))
        .select(reports::status)
        .first(conn)
        .optional()?;
    match earlier {
        Some(ReportStatus::Open) => {
            return Err(RuleError::Conflict(
                "You have already reported this post. The facilitators will look at it.".into(),
            ));
        }
        // A report closed earlier may be raised again.
        Some(_) => {
            diesel::update(
                reports::table
                    .filter(reports::post_id.eq(id))
                    .filter(reports::reporter_id.eq(reporter.id)),
            )
            .set((
                reports::status.eq(ReportStatus::Open),
                reports::reason.eq(reason.as_str()),
                reports::created_at.eq(now),
                reports::closed_by.eq(None::<MemberId>),
                reports::closed_at.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
        }
        None => {
            diesel::insert_into(reports::table)
                .values((
                    reports::post_id.eq(id),
                    reports::reporter_id.eq(reporter.id),
                    reports::reason.eq(reason.as_str()),
                    reports::status.eq(ReportStatus::Open),
                    reports::created_at.eq(now),
                ))
                .execute(conn)?;
        }
    }
    let open: i64 = reports::table
        .filter(reports::post_id.eq(id))
        .filter(reports::status.eq(ReportStatus::Open))
        .count()
        .get_result(conn)?;
    if open >= AUTO_HIDE_REPORTS && post.hidden_at.is_none() {
        diesel::update(posts_table::table.find(id))
            .set((
                posts_table::hidden_at.eq(now),
                posts_table::hidden_by.eq(None::<MemberId>),
                posts_table::hidden_reason.eq(AUTO_HIDE_REASON),
            ))
            .execute(conn)?;
        search::index::post(conn, id)?;
        log(
            conn,
            None,
            "post hidden automatically",
            Some(post.author_id),
            &post_subject(&post),
            AUTO_HIDE_REASON,
            now,
        )?;
        return Ok(ReportOutcome::Hidden);
    }
    Ok(ReportOutcome::Reported)
}

/// A reported post awaiting a facilitator, with every open report on it.
#[derive(Debug, Clone)]
pub struct QueueItem {
    pub post: Post,
    pub author: Author,
    pub thread_title: String,
    pub reports: Vec<(String, String, NaiveDateTime)>,
    /// Who is dealing with them, if anyone.
    pub claimed_by: Option<String>,
    /// Passed to the admins.
    pub escalated: bool,
}

/// Open reports in the actor's categories, grouped by post, oldest first. A fixed number
/// of queries.
pub fn queue(conn: &mut DbConn, actor: &Viewer) -> Result<Vec<QueueItem>, RuleError> {
    require_facilitator(actor)?;
    let mut query = reports::table
        .inner_join(members_table::table.on(members_table::id.eq(reports::reporter_id)))
        .inner_join(posts_table::table.on(posts_table::id.eq(reports::post_id)))
        .inner_join(threads_table::table.on(threads_table::id.eq(posts_table::thread_id)))
        .filter(reports::status.eq(ReportStatus::Open))
        .into_boxed();
    if let Some(categories) = ModerationScope::of(conn, actor)?.categories() {
        query = query.filter(threads_table::category_id.eq_any(categories));
    }
    let open: Vec<(PostId, String, String, NaiveDateTime)> = query
        .order((reports::created_at.asc(), reports::id.asc()))
        .limit(500)
        .select((
            reports::post_id,
            members_table::display_name,
            reports::reason,
            reports::created_at,
        ))
        .load(conn)?;
    let mut order: Vec<PostId> = Vec::new();
    let mut by_post: HashMap<PostId, Vec<(String, String, NaiveDateTime)>> = HashMap::new();
    for (post, reporter, reason, at) in open {
        if !by_post.contains_key(&post) {
            order.push(post);
        }
        by_post
            .entry(post)
            .or_default()
            .push((reporter, reason, at));
    }
    let mut found: HashMap<PostId, (Post, Author, String)> = posts_table::table
        .inner_join(members_table::table.on(members_table::id.eq(posts_table::author_id)))
        .inner_join(threads_table::table.on(threads_table::id.eq(posts_table::thread_id)))
        .filter(posts_table::id.eq_any(&order))
        .select((Post::as_select(), Author::as_select(), threads_table::title))
        .load::<(Post, Author, String)>(conn)?
        .into_iter()
        .map(|(post, author, title)| (post.id, (post, author, title)))
        .collect();
    let mut claims = super::claims::states(conn, &order)?;
    Ok(order
        .into_iter()
        .filter_map(|id| {
            let (post, author, thread_title) = found.remove(&id)?;
            let (claimed_by, escalated) = claims.remove(&id).unwrap_or_default();
            Some(QueueItem {
                post,
                author,
                thread_title,
                reports: by_post.remove(&id).unwrap_or_default(),
                claimed_by,
                escalated,
            })
        })
        .collect())
}

/// How many posts in the actor's categories have open reports.
pub fn open_report_count(conn: &mut DbConn, actor: &Viewer) -> QueryResult<i64> {
    let mut query = reports::table
        .inner_join(posts_table::table.on(posts_table::id.eq(reports::post_id)))
        .inner_join(threads_table::table.on(threads_table::id.eq(posts_table::thread_id)))
        .filter(reports::status.eq(ReportStatus::Open))
        .into_boxed();
    if let Some(categories) = ModerationScope::of(conn, actor)?.categories() {
        query = query.filter(threads_table::category_id.eq_any(categories));
    }
    query
        .select(diesel::dsl::count(reports::post_id).aggregate_distinct())
        .get_result(conn)
}

pub(super) fn close_reports(
    conn: &mut DbConn,
    actor: &Viewer,
    id: PostId,
    status: ReportStatus,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        reports::table
            .filter(reports::post_id.eq(id))
            .filter(reports::status.eq(ReportStatus::Open)),
    )
    .set((
        reports::status.eq(status),
        reports::closed_by.eq(actor.id),
        reports::closed_at.eq(now),
    ))
    .execute(conn)
}

/// Closes the post's open reports, upheld (with the reason) or dismissed, and tells each
/// reporter how it ended.
fn close_reports_and_tell(
    conn: &mut DbConn,
    actor: &Viewer,
    post: &Post,
    upheld: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let reporters = events::open_reporters(conn, post.id)?;
    let status = if upheld.is_some() {
        ReportStatus::Resolved
    } else {
        ReportStatus::Dismissed
    };
    close_reports(conn, actor, post.id, status, now)?;
    let thread = threads::find(conn, post.thread_id)?;
    let about = events::PostInThread {
        thread: thread.id,
        title: &thread.title,
        post: post.id,
    };
    events::reports_closed(conn, actor, &reporters, about, upheld, now)
}

/// The reports were right: the post stays hidden (or is hidden now) with the reason given.
pub fn resolve(
    conn: &mut DbConn,
    actor: &Viewer,
    id: PostId,
    reason: &Reason,
    now: NaiveDateTime,
) -> Result<Post, RuleError> {
    let post = posts::find(conn, id)?;
    require_for_post(conn, actor, &post)?;
    super::claims::check_free_for(conn, actor, id)?;
    let post = hide(conn, actor, id, reason, now)?;
    close_reports_and_tell(conn, actor, &post, Some(reason.as_str()), now)?;
    log(
        conn,
        Some(actor.id),
        "reports resolved",
        Some(post.author_id),
        &post_subject(&post),
        reason.as_str(),
        now,
    )?;
    Ok(post)
}

/// The post is fine: reports closed, and a post hidden only by the reports is shown again.
pub fn dismiss(
    conn: &mut DbConn,
    actor: &Viewer,
    id: PostId,
    now: NaiveDateTime,
) -> Result<Post, RuleError> {
    let post = posts::find(conn, id)?;
    require_for_post(conn, actor, &post)?;
    super::claims::check_free_for(conn, actor, id)?;
    close_reports_and_tell(conn, actor, &post, None, now)?;
    if post.hidden_at.is_some() && post.hidden_by.is_none() && !post.is_held() {
        diesel::update(posts_table::table.find(id))
            .set((
                posts_table::hidden_at.eq(None::<NaiveDateTime>),
                posts_table::hidden_reason.eq(None::<String>),
            ))
            .execute(conn)?;
        search::index::post(conn, id)?;
    }
    log(
        conn,
        Some(actor.id),
        "reports dismissed",
        Some(post.author_id),
        &post_subject(&post),
        "",
        now,
    )?;
    Ok(post)
}

/// The longest suspension a facilitator may give; admins can give longer ones.
pub const FACILITATOR_SUSPENSION_DAYS: i64 = 30;

/// A facilitator suspends a member for a number of days (admins can also suspend without an
/// end). Staff cannot be suspended this way.
pub fn suspend_for(
    conn: &mut DbConn,
    actor: &Viewer,
    target: MemberId,
    days: i64,
    reason: &Reason,
    base_url: &str,
    now: NaiveDateTime,
) -> Result<NaiveDateTime, RuleError> {
    require_facilitator(actor)?;
    // Longer than a month is an admin's decision (from the member's admin page).
    let longest = if actor.staff.is_admin() {
        365
    } else {
        FACILITATOR_SUSPENSION_DAYS
    };
    if !(1..=longest).contains(&days) {
        return Err(RuleError::Invalid(
            "days",
            if actor.staff.is_admin() {
                "Suspend for between 1 and 365 days".into()
            } else {
                format!("Suspend for between 1 and {longest} days; an admin can suspend for longer")
            },
        ));
    }
    if actor.id == target {
        return Err(RuleError::forbidden("You cannot suspend yourself."));
    }
    let member = members::find(conn, target)?;
    if member.staff.can_moderate() {
        return Err(RuleError::forbidden(
            "Facilitators and admins cannot be suspended here; ask an admin.",
        ));
    }
    let until = now + Duration::days(days);
    // A second suspension may only lengthen the one in force: otherwise a facilitator could
    // shorten (or, with one day, all but lift) an admin's open-ended suspension. Lifting
    // is an admin's act.
    if member.is_suspended(now) {
        let shortens = match member.suspended_until {
            None => true,
            Some(current) => current >= until,
        };
        if shortens {
            let current = member.suspended_until.map_or_else(
                || "until an admin lifts it".to_owned(),
                |current| format!("until {}", current.format("%-d %B %Y %H:%M UTC")),
            );
            return Err(RuleError::Invalid(
                "days",
                format!(
                    "This member is already suspended {current}. A new suspension can only make it longer; only an admin can shorten or lift it."
                ),
            ));
        }
    }
    members::set_suspension(conn, target, Some((now, Some(until), reason.as_str())), now)?;
    let letter =
        crate::accounts::letters::suspended(&member, Some(until), reason.as_str(), base_url);
    crate::notifications::outbox::enqueue(conn, Some(target), &letter, now)?;
    let subject = format!("for {days} day{}", if days == 1 { "" } else { "s" });
    log(
        conn,
        Some(actor.id),
        "member suspended",
        Some(target),
        &subject,
        reason.as_str(),
        now,
    )?;
    Ok(until)
}
