//! Purging a resource. A resource whose title, description or file identifies a patient is
//! deleted outright, from everywhere it went: its row and page, its tags (their counts taken
//! again; a tag that no other resource carries goes too, since its name may be the trouble),
//! its search row, every notification about it, and the letters not yet sent that name it,
//! which are taken back and written again without it. Its file leaves the store once the
//! deletion has committed ([`super::files::purge`]). A discussion of the resource repeats its
//! title in the thread's title and opening post: those are purged as well. The audit log
//! names the resource by number, with the facilitator's reason, never its title.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::library;
use crate::accounts::members::Viewer;
use crate::audit::{self, Entry};
use crate::db::{DbConn, ResourceId, TagId, ThreadId, WriteConn};
use crate::forum::posts::Post;
use crate::forum::purge::{strike, TITLE_REMOVED};
use crate::forum::threads;
use crate::forum::values::{Reason, ThreadTitle};
use crate::notifications::events;
use crate::notifications::recall::{self, Purged};
use crate::rules::RuleError;
use crate::schema::{posts, resource_tags, resources, tags};
use crate::search;

/// The title a purged resource's discussion takes.
const DISCUSSION_TITLE: &str = "About a resource that was removed";

/// What letters already sent say, in their subjects, in place of a purged resource's title.
const SENT_TITLE: &str = "“a resource since removed”";

/// Actions whose audit entries named a resource by its title alone, before they named it by
/// number too.
const TITLED_ACTIONS: [&str; 4] = [
    "resource edited",
    "resource deleted",
    "resource hidden",
    "resource shown again",
];

fn require_facilitator(actor: &Viewer) -> Result<(), RuleError> {
    if actor.staff.can_moderate() {
        Ok(())
    } else {
        Err(RuleError::forbidden(
            "Only facilitators can purge a resource.",
        ))
    }
}

/// The resource a facilitator is about to purge, for the purge page.
pub fn target(
    conn: &mut DbConn,
    actor: &Viewer,
    id: ResourceId,
) -> Result<library::Listed, RuleError> {
    require_facilitator(actor)?;
    library::one(conn, actor, id)
}

/// Purges a resource; returns its stored file's key, for the caller to delete the file once
/// the transaction has committed.
pub fn purge(
    tx: &mut WriteConn,
    actor: &Viewer,
    id: ResourceId,
    reason: &Reason,
    now: NaiveDateTime,
) -> Result<Option<String>, RuleError> {
    require_facilitator(actor)?;
    // The letter writers wait meanwhile, so that none names the resource as it goes.
    tx.serialize_on("notification-letters")?;
    let resource = library::find(tx, id)?;
    forget_title(tx, &resource)?;
    let carried = library::tag_ids_of(tx, id)?;
    // Its tags, notifications and search row go with the row (foreign keys, and SQLite's
    // trigger for the search row).
    diesel::delete(resources::table.find(id)).execute(&mut **tx)?;
    library::recount_tags(tx, &carried)?;
    drop_unused_tags(tx, &carried)?;
    search::index::resource(tx, id)?;
    let discussion = match resource.thread_id {
        Some(thread) => purge_discussion(tx, thread, now)?,
        None => None,
    };
    events::resource_purged(tx, actor, resource.owner_id, reason.as_str(), now)?;
    let mut subject = format!("resource #{id}");
    if let Some(thread) = discussion {
        subject.push_str(&format!(
            ", and the title and opening post of its discussion, thread #{thread}"
        ));
    }
    let entry = Entry {
        actor: Some(actor.id),
        action: "resource purged",
        target_member: Some(resource.owner_id),
        subject: &subject,
        reason: reason.as_str(),
    };
    audit::record(tx, &entry, now)?;
    Ok(resource.file_key)
}

/// Takes the resource's title out of letters (unsent ones taken back, sent ones' subjects
/// reworded) and earlier audit entries: all found by what they carry, while the row exists.
fn forget_title(conn: &mut DbConn, resource: &library::Resource) -> QueryResult<()> {
    recall::recall(conn, Purged::Resource(resource.id))?;
    let title = format!("“{}”", resource.title);
    recall::reword_sent(conn, Purged::Resource(resource.id), &title, SENT_TITLE)?;
    audit::reword(
        conn,
        &format!("resource {} ", resource.id),
        &title,
        TITLE_REMOVED,
    )?;
    audit::replace_subject(conn, &TITLED_ACTIONS, &resource.title, TITLE_REMOVED)
}

/// Deletes those of these tags that no resource carries any more.
fn drop_unused_tags(conn: &mut DbConn, ids: &[TagId]) -> QueryResult<()> {
    let carried: Vec<TagId> = resource_tags::table
        .filter(resource_tags::tag_id.eq_any(ids))
        .select(resource_tags::tag_id)
        .distinct()
        .load(conn)?;
    let unused: Vec<TagId> = ids
        .iter()
        .copied()
        .filter(|id| !carried.contains(id))
        .collect();
    diesel::delete(tags::table.filter(tags::id.eq_any(&unused))).execute(conn)?;
    Ok(())
}

/// Purges the opening post of the resource's discussion, and retitles the thread; returns
/// the thread, unless it has gone.
fn purge_discussion(
    tx: &mut WriteConn,
    id: ThreadId,
    now: NaiveDateTime,
) -> QueryResult<Option<ThreadId>> {
    let Some(thread) = threads::find(tx, id).optional()? else {
        return Ok(None);
    };
    let opening: Option<Post> = posts::table
        .filter(posts::thread_id.eq(id))
        .filter(posts::position.eq(1))
        .select(Post::as_select())
        .first(&mut **tx)
        .optional()?;
    let Some(opening) = opening else {
        return Ok(None);
    };
    let title = ThreadTitle::parse(DISCUSSION_TITLE).expect("a valid title");
    strike(tx, &opening, &thread, Some(&title), now)?;
    Ok(Some(thread.id))
}
