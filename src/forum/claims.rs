//! Who is dealing with the reports on a post: a facilitator claims them (everyone sees who
//! has them), lets them go, or passes them to the admins. While one facilitator has them,
//! another cannot close them; an admin always can.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::values::ReportStatus;
use crate::accounts::members::Viewer;
use crate::accounts::StaffLevel;
use crate::audit;
use crate::db::{DbConn, MemberId, PostId};
use crate::notifications::events;
use crate::rules::RuleError;
use crate::schema::{members, reports};

/// Who has the open reports on a post, if anyone: (id, name).
pub fn holder(conn: &mut DbConn, post: PostId) -> QueryResult<Option<(MemberId, String)>> {
    reports::table
        .inner_join(members::table.on(members::id.nullable().eq(reports::claimed_by)))
        .filter(reports::post_id.eq(post))
        .filter(reports::status.eq(ReportStatus::Open))
        .select((members::id, members::display_name))
        .first(conn)
        .optional()
}

/// Refuses a facilitator who would act on reports another facilitator has claimed.
pub fn check_free_for(conn: &mut DbConn, actor: &Viewer, post: PostId) -> Result<(), RuleError> {
    match holder(conn, post)? {
        Some((id, name)) if id != actor.id && !actor.staff.is_admin() => Err(RuleError::Conflict(
            format!("{name} is dealing with these reports: ask them, or an admin."),
        )),
        _ => Ok(()),
    }
}

/// Refuses an actor who may not moderate where the post is.
fn require_for(conn: &mut DbConn, actor: &Viewer, post: PostId) -> Result<(), RuleError> {
    let post = super::posts::find(conn, post)?;
    super::moderation::require_for_post(conn, actor, &post)
}

fn open_count(conn: &mut DbConn, post: PostId) -> Result<i64, RuleError> {
    let count: i64 = reports::table
        .filter(reports::post_id.eq(post))
        .filter(reports::status.eq(ReportStatus::Open))
        .count()
        .get_result(conn)?;
    if count == 0 {
        return Err(RuleError::Conflict(
            "There are no open reports on this post.".into(),
        ));
    }
    Ok(count)
}

/// The facilitator takes the post's open reports.
pub fn claim(
    conn: &mut DbConn,
    actor: &Viewer,
    post: PostId,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    require_for(conn, actor, post)?;
    open_count(conn, post)?;
    check_free_for(conn, actor, post)?;
    diesel::update(
        reports::table
            .filter(reports::post_id.eq(post))
            .filter(reports::status.eq(ReportStatus::Open)),
    )
    .set((
        reports::claimed_by.eq(actor.id),
        reports::claimed_at.eq(now),
    ))
    .execute(conn)?;
    Ok(())
}

/// The facilitator who has them (or an admin) lets them go back to everyone.
pub fn unclaim(conn: &mut DbConn, actor: &Viewer, post: PostId) -> Result<(), RuleError> {
    require_for(conn, actor, post)?;
    open_count(conn, post)?;
    check_free_for(conn, actor, post)?;
    diesel::update(
        reports::table
            .filter(reports::post_id.eq(post))
            .filter(reports::status.eq(ReportStatus::Open)),
    )
    .set((
        reports::claimed_by.eq(None::<MemberId>),
        reports::claimed_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(())
}

/// A facilitator passes the reports to the admins, who are told.
pub fn escalate(
    conn: &mut DbConn,
    actor: &Viewer,
    post: PostId,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    require_for(conn, actor, post)?;
    open_count(conn, post)?;
    diesel::update(
        reports::table
            .filter(reports::post_id.eq(post))
            .filter(reports::status.eq(ReportStatus::Open)),
    )
    .set(reports::escalated_at.eq(now))
    .execute(conn)?;
    let admins: Vec<MemberId> = members::table
        .filter(members::staff.eq(StaffLevel::Admin))
        .select(members::id)
        .load(conn)?;
    for admin in admins {
        events::told_by_staff(
            conn,
            actor,
            admin,
            "/moderation".into(),
            format!(
                "{} passed reports on a post to the admins",
                actor.display_name
            ),
            String::new(),
            now,
        )?;
    }
    audit::record(
        conn,
        &audit::Entry {
            actor: Some(actor.id),
            action: "reports escalated",
            target_member: None,
            subject: &format!("post {post}"),
            reason: "",
        },
        now,
    )?;
    Ok(())
}

/// Who has each post's reports, and whether they went to the admins, for the queue.
pub fn states(
    conn: &mut DbConn,
    posts: &[PostId],
) -> QueryResult<std::collections::HashMap<PostId, (Option<String>, bool)>> {
    let rows: Vec<(PostId, Option<String>, Option<NaiveDateTime>)> = reports::table
        .left_join(members::table.on(members::id.nullable().eq(reports::claimed_by)))
        .filter(reports::post_id.eq_any(posts))
        .filter(reports::status.eq(ReportStatus::Open))
        .select((
            reports::post_id,
            members::display_name.nullable(),
            reports::escalated_at,
        ))
        .load(conn)?;
    let mut found = std::collections::HashMap::new();
    for (post, holder, escalated) in rows {
        let entry = found.entry(post).or_insert((None, false));
        if entry.0.is_none() {
            entry.0 = holder;
        }
        entry.1 |= escalated.is_some();
    }
    Ok(found)
}
