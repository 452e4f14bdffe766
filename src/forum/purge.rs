//! Purging a post. A member published something that identifies a patient (an NHS number,
//! a date of birth): hiding it is not enough, its text must be gone from everywhere it went.
//! A facilitator's purge empties the post and deletes its earlier versions; replies that
//! quote it show nothing of it; search forgets it; notifications about it not yet emailed
//! are forgotten, and letters not yet sent that carry it are taken back and written again
//! without it. The post keeps its place, so that replies keep their context, and the page
//! says why its text is gone. When the post opened its thread the title may be the trouble
//! too: a new title then replaces it wherever the old one was quoted. The audit log names
//! the post and the facilitator's reason, never the text.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::moderation::{close_reports, log, require_facilitator};
use super::posts::{self, Post};
use super::threads::{self, Thread};
use super::values::{Reason, ReportStatus, ThreadTitle};
use crate::accounts::members::Viewer;
use crate::audit;
use crate::db::{DbConn, PostId, ThreadId, WriteConn};
use crate::notifications::events;
use crate::notifications::recall::{self, Purged};
use crate::rules::RuleError;
use crate::schema::{post_revisions, posts as posts_table, threads as threads_table};
use crate::search;

/// What earlier audit entries say in place of a purged title.
pub(crate) const TITLE_REMOVED: &str = "“(title removed)”";

/// The post a facilitator is about to purge, with its thread, for the purge page.
pub fn target(conn: &mut DbConn, actor: &Viewer, id: PostId) -> Result<(Post, Thread), RuleError> {
    let post = posts::find(conn, id)?;
    let thread = threads::find(conn, post.thread_id)?;
    super::scope::require(conn, actor, thread.category_id)?;
    Ok((post, thread))
}

/// Purges a post's text and, when it opened its thread and `title` is given, the thread's
/// title. A post already purged may be purged again, to replace a title missed the first
/// time. Returns the thread.
pub fn purge(
    tx: &mut WriteConn,
    actor: &Viewer,
    id: PostId,
    reason: &Reason,
    title: Option<&ThreadTitle>,
    now: NaiveDateTime,
) -> Result<ThreadId, RuleError> {
    require_facilitator(actor)?;
    // The letter writers wait meanwhile, so that none writes a letter from the text as it
    // goes (they take turns on this key; on SQLite the write lock does it).
    tx.serialize_on("notification-letters")?;
    let post = posts::find(tx, id)?;
    let thread = threads::find(tx, post.thread_id)?;
    super::scope::require(tx, actor, thread.category_id)?;
    if title.is_some() && post.position != 1 {
        return Err(RuleError::Invalid(
            "title",
            "Only the post that opened the thread can take the thread's title with it".into(),
        ));
    }
    let retitled = strike(tx, &post, &thread, title, now)?;
    // Nothing is left to review: the reports were right.
    close_reports(tx, actor, id, ReportStatus::Resolved, now)?;
    let title = title.map_or(thread.title.as_str(), ThreadTitle::as_str);
    let about = events::PostInThread {
        thread: thread.id,
        title,
        post: post.id,
    };
    let told = events::Moderated::Purged(reason.as_str());
    events::post_moderated(tx, actor, post.author_id, about, told, now)?;
    let mut subject = format!("post #{} in thread #{}", post.id, thread.id);
    if retitled {
        subject.push_str(", and the thread's title");
    }
    log(
        tx,
        Some(actor.id),
        "post purged",
        Some(post.author_id),
        &subject,
        reason.as_str(),
        now,
    )?;
    Ok(thread.id)
}

/// Takes a post's text out of everything that holds it, and its thread's title too when
/// `title` differs from it; returns whether the title changed. The library calls it for the
/// opening post of a purged resource's discussion, which repeats the resource's title.
pub(crate) fn strike(
    tx: &mut WriteConn,
    post: &Post,
    thread: &Thread,
    title: Option<&ThreadTitle>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let conn: &mut DbConn = tx;
    // Letters are found by what they carry: taken back first, while that still holds.
    recall::recall(conn, Purged::Post(post.id))?;
    events::forget_post(conn, post.id)?;
    diesel::update(posts_table::table.find(post.id))
        .set((
            posts_table::body_source.eq(""),
            posts_table::body_html.eq(""),
            posts_table::purged_at.eq(now),
        ))
        .execute(conn)?;
    diesel::delete(post_revisions::table.filter(post_revisions::post_id.eq(post.id)))
        .execute(conn)?;
    search::index::post(conn, post.id)?;
    match title {
        Some(title) if title.as_str() != thread.title => {
            retitle(conn, thread, title)?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// Replaces a thread's title wherever it was kept: the thread, its posts' search rows,
/// notifications and letters about it, and earlier audit entries.
fn retitle(conn: &mut DbConn, thread: &Thread, title: &ThreadTitle) -> QueryResult<()> {
    recall::recall(conn, Purged::Title(thread.id))?;
    diesel::update(threads_table::table.find(thread.id))
        .set(threads_table::title.eq(title.as_str()))
        .execute(conn)?;
    search::index::thread(conn, thread.id)?;
    events::retitle(conn, thread.id, &thread.title, title.as_str())?;
    let old = format!("“{}”", thread.title);
    let new = format!("“{}”", title.as_str());
    recall::reword_sent(conn, Purged::Title(thread.id), &old, &new)?;
    audit::reword(conn, &format!("thread {} ", thread.id), &old, TITLE_REMOVED)
}
