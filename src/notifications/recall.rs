//! What each letter in the outbox carries, and taking back the letters not yet sent when
//! something they carry is purged.
//!
//! [`compose`](super::compose) records, beside each letter it queues, the notifications it
//! was made from and the threads, posts and resources it quotes or names. A purge finds here
//! every unsent letter that would carry the purged text and recalls it: the letter is
//! deleted, the other notifications it carried wait to be emailed again, and a digest is
//! forgotten with its period, so that the worker's next round writes the member's digest
//! again without the purged item. A letter that a worker has already claimed may be on its
//! way to the mail server; that one cannot be stopped.

use std::collections::HashSet;

use diesel::prelude::*;

use crate::db::dialect::bulk_insert;
use crate::db::{self, DbConn, MemberId, NotificationId, OutboxId, PostId, ResourceId, ThreadId};
use crate::schema::{digest_runs, digests, notifications, outbox, outbox_items};

/// One thing a letter carries: a notification and what it is about, or a thread or resource
/// that a round-up names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Carried {
    pub notification: Option<NotificationId>,
    pub thread: Option<ThreadId>,
    pub post: Option<PostId>,
    pub resource: Option<ResourceId>,
}

/// Remembers what a letter just queued carries (in the transaction that queued it).
pub fn record(conn: &mut DbConn, letter: OutboxId, carried: &[Carried]) -> QueryResult<()> {
    bulk_insert!(conn, outbox_items::table, carried, |item| (
        outbox_items::outbox_id.eq(letter),
        outbox_items::notification_id.eq(item.notification),
        outbox_items::thread_id.eq(item.thread),
        outbox_items::post_id.eq(item.post),
        outbox_items::resource_id.eq(item.resource),
    ))
}

/// What a purge removed, which letters must no longer carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purged {
    /// A post's text.
    Post(PostId),
    /// A thread's title: every letter about the thread repeats it.
    Title(ThreadId),
    Resource(ResourceId),
}

/// Letters that carry what was purged: unsent ones, or those already sent.
fn carrying(conn: &mut DbConn, purged: Purged, sent: bool) -> QueryResult<Vec<OutboxId>> {
    let mut query = outbox_items::table
        .inner_join(outbox::table)
        .select(outbox_items::outbox_id)
        .distinct()
        .into_boxed();
    query = match purged {
        Purged::Post(id) => query.filter(outbox_items::post_id.eq(id)),
        Purged::Title(id) => query.filter(outbox_items::thread_id.eq(id)),
        Purged::Resource(id) => query.filter(outbox_items::resource_id.eq(id)),
    };
    query = if sent {
        query.filter(outbox::sent_at.is_not_null())
    } else {
        query.filter(outbox::sent_at.is_null())
    };
    query.load(conn)
}

/// Recalls every letter not yet sent that carries what was purged; returns how many. The
/// notifications they carried wait to be emailed again (the caller deletes those about the
/// purged item itself), and their digests are forgotten, period and all, so the next round
/// writes them again. Run in the purge's transaction, taking turns with the letter writers
/// (`notification-letters`), so no letter is being written from the text meanwhile.
pub fn recall(conn: &mut DbConn, purged: Purged) -> QueryResult<usize> {
    let letters = carrying(conn, purged, false)?;
    if letters.is_empty() {
        return Ok(0);
    }
    for chunk in letters.chunks(500) {
        let carried: Vec<Option<NotificationId>> = outbox_items::table
            .filter(outbox_items::outbox_id.eq_any(chunk))
            .select(outbox_items::notification_id)
            .load(conn)?;
        let carried: Vec<NotificationId> = carried.into_iter().flatten().collect();
        for notifications_chunk in carried.chunks(500) {
            diesel::update(
                notifications::table.filter(notifications::id.eq_any(notifications_chunk)),
            )
            .set(notifications::emailed_at.eq(None::<chrono::NaiveDateTime>))
            .execute(conn)?;
        }
        forget_digests(conn, chunk)?;
        diesel::delete(outbox::table.filter(outbox::id.eq_any(chunk))).execute(conn)?;
    }
    Ok(letters.len())
}

/// Forgets the digests these letters were, and that their periods were finished: the next
/// round sees those members' digests as not yet written.
fn forget_digests(conn: &mut DbConn, letters: &[OutboxId]) -> QueryResult<()> {
    let written: Vec<(MemberId, String, String)> = digests::table
        .filter(digests::outbox_id.eq_any(letters))
        .select((digests::member_id, digests::cadence, digests::period))
        .load(conn)?;
    let mut periods: HashSet<(String, String)> = HashSet::new();
    for (member, cadence, period) in written {
        diesel::delete(digests::table.find((member, &cadence, &period))).execute(conn)?;
        periods.insert((cadence, period));
    }
    for (cadence, period) in periods {
        diesel::delete(digest_runs::table.find((&cadence, &period))).execute(conn)?;
    }
    Ok(())
}

/// A letter already sent keeps its subject (its body is gone): where the subject repeats
/// purged words (`old`, as it was quoted), they become `new`.
pub fn reword_sent(conn: &mut DbConn, purged: Purged, old: &str, new: &str) -> QueryResult<()> {
    let letters = carrying(conn, purged, true)?;
    for chunk in letters.chunks(500) {
        diesel::update(outbox::table.filter(outbox::id.eq_any(chunk)))
            .set(outbox::subject.eq(db::replace(outbox::subject, old, new)))
            .execute(conn)?;
    }
    Ok(())
}
