//! Erasing an account. The member's row stays as a tombstone, so that what others wrote in
//! reply still hangs together, but nothing in it (or anywhere else) names them: their posts
//! show "Former member", or go too if they choose; their files leave the store; their
//! bookings lose their manager's details and, on a course still ahead, their place; what was
//! kept only for them (notifications, settings, tokens, letters, exports) is deleted; and what others
//! hold that names them (notifications, letters, the audit log) has the name taken out.

use chrono::NaiveDateTime;
use diesel::dsl::{exists, not};
use diesel::prelude::*;

use crate::accounts::members::{self, Member, Viewer};
use crate::audit;
use crate::db::{replace, CategoryId, DbConn, MemberId, PostId, ThreadId, WriteConn};
use crate::forum::categories;
use crate::forum::values::Reason;
use crate::rules::RuleError;
use crate::schema::{
    applications, audit_log, category_watches, contact_messages, digests, email_confirmations,
    helpful_marks, holds, member_notes, members as member_rows, notification_settings,
    notifications, outbox, password_resets, post_mentions, post_revisions, posts, reports,
    tag_follows, thread_reads, thread_watches, threads, throttle_events,
};

/// What an erased member is called wherever their words stay.
pub const FORMER_MEMBER: &str = "Former member";

/// What becomes of the member's posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TheirPosts {
    /// They stay, under "Former member".
    Keep,
    /// Their text goes; a thread they started stays where others replied.
    Remove,
}

impl TheirPosts {
    pub fn parse(input: &str) -> Result<Self, String> {
        match input.trim() {
            "" | "keep" => Ok(TheirPosts::Keep),
            "remove" => Ok(TheirPosts::Remove),
            _ => Err("Choose whether your posts stay or go".into()),
        }
    }
}

/// What is left to do once the erasure has committed: the stored files to delete (their
/// resources' and their exports').
#[derive(Debug, Default)]
pub struct Erased {
    pub file_keys: Vec<String>,
}

/// A member erases their own account.
pub fn erase_own(
    tx: &mut WriteConn,
    viewer: &Viewer,
    posts: TheirPosts,
    base_url: &str,
    now: NaiveDateTime,
) -> Result<Erased, RuleError> {
    let member = members::find(tx, viewer.id)?;
    if member.staff.is_admin() && members::count_admins(tx)? <= 1 {
        return Err(RuleError::Conflict(
            "You are the only admin: make someone else an admin before you delete your account."
                .into(),
        ));
    }
    erase(
        tx,
        &member,
        posts,
        viewer.id,
        "at their own request",
        base_url,
        now,
    )
}

/// An admin erases a member (a leaver, or at their request), with a reason for the log.
pub fn erase_member(
    tx: &mut WriteConn,
    admin: &Viewer,
    id: MemberId,
    posts: TheirPosts,
    reason: &Reason,
    base_url: &str,
    now: NaiveDateTime,
) -> Result<Erased, RuleError> {
    if !admin.staff.is_admin() {
        return Err(RuleError::forbidden("Only admins can erase a member."));
    }
    let member = members::find(tx, id)?;
    if member.erased_at.is_some() {
        return Err(RuleError::Conflict(
            "This account has already been erased.".into(),
        ));
    }
    if member.staff.is_admin() && members::count_admins(tx)? <= 1 {
        return Err(RuleError::Conflict(
            "This is the only admin: make someone else an admin first.".into(),
        ));
    }
    erase(tx, &member, posts, admin.id, reason.as_str(), base_url, now)
}

fn erase(
    tx: &mut WriteConn,
    member: &Member,
    posts: TheirPosts,
    actor: MemberId,
    reason: &str,
    base_url: &str,
    now: NaiveDateTime,
) -> Result<Erased, RuleError> {
    let id = member.id;
    crate::bookings::telling::member_erased(tx, &Viewer::from(member), base_url, now)?;
    let conn: &mut DbConn = tx;
    let mut file_keys = crate::resources::library::remove_all_of(conn, id)?;
    // Copies of their data, and copies they asked for of others' (nobody may download those
    // now), go with their files.
    file_keys.extend(super::exports::forget(conn, id)?);
    if posts == TheirPosts::Remove {
        remove_posts(conn, id, now)?;
    }
    // Their private messages go whatever they chose for their posts: only the people in a
    // conversation ever read it, and they keep their own words.
    crate::messages::conversations::erase_member(conn, id, now)?;
    forget_what_was_theirs(conn, member)?;
    crate::evaluation::feedback::forget_member(conn, id)?;
    crate::evaluation::invitations::forget_member(conn, id)?;
    take_their_name_out(conn, member)?;
    members::erase(conn, id, now)?;
    crate::search::index::member(conn, id)?;
    audit::record(
        conn,
        &audit::Entry {
            actor: Some(actor),
            action: "member erased",
            target_member: Some(id),
            subject: &format!("member {id}"),
            reason,
        },
        now,
    )?;
    Ok(Erased { file_keys })
}

/// Their threads that nobody answered go; the text of every other post of theirs goes,
/// leaving its place (and its earlier versions go too).
fn remove_posts(conn: &mut DbConn, id: MemberId, now: NaiveDateTime) -> QueryResult<()> {
    let answered_by_others = posts::table
        .filter(posts::thread_id.eq(threads::id))
        .filter(posts::author_id.ne(id));
    let alone = threads::table
        .filter(threads::author_id.eq(id))
        .filter(not(exists(answered_by_others)));
    let emptied: Vec<(ThreadId, CategoryId)> = alone
        .select((threads::id, threads::category_id))
        .load(conn)?;
    diesel::delete(threads::table.filter(threads::id.eq_any(emptied.iter().map(|(t, _)| *t))))
        .execute(conn)?;
    let mut touched: Vec<CategoryId> = emptied.iter().map(|(_, c)| *c).collect();
    touched.sort();
    touched.dedup();
    for category in touched {
        categories::recount(conn, category)?;
    }
    let theirs: Vec<PostId> = posts::table
        .filter(posts::author_id.eq(id))
        .select(posts::id)
        .load(conn)?;
    diesel::delete(post_revisions::table.filter(post_revisions::post_id.eq_any(&theirs)))
        .execute(conn)?;
    diesel::update(posts::table.filter(posts::author_id.eq(id)))
        .set((
            posts::body_source.eq(""),
            posts::body_html.eq(""),
            posts::deleted_at.eq(now),
        ))
        .execute(conn)?;
    crate::search::index::posts(conn, &theirs)
}

/// What was kept only for them.
fn forget_what_was_theirs(conn: &mut DbConn, member: &Member) -> QueryResult<()> {
    let id = member.id;
    diesel::delete(email_confirmations::table.filter(email_confirmations::member_id.eq(id)))
        .execute(conn)?;
    diesel::delete(password_resets::table.filter(password_resets::member_id.eq(id)))
        .execute(conn)?;
    diesel::delete(applications::table.filter(applications::member_id.eq(id))).execute(conn)?;
    diesel::delete(notification_settings::table.filter(notification_settings::member_id.eq(id)))
        .execute(conn)?;
    diesel::delete(notifications::table.filter(notifications::member_id.eq(id))).execute(conn)?;
    diesel::delete(thread_watches::table.filter(thread_watches::member_id.eq(id))).execute(conn)?;
    diesel::delete(category_watches::table.filter(category_watches::member_id.eq(id)))
        .execute(conn)?;
    diesel::delete(tag_follows::table.filter(tag_follows::member_id.eq(id))).execute(conn)?;
    diesel::delete(thread_reads::table.filter(thread_reads::member_id.eq(id))).execute(conn)?;
    diesel::delete(post_mentions::table.filter(post_mentions::member_id.eq(id))).execute(conn)?;
    diesel::delete(digests::table.filter(digests::member_id.eq(id))).execute(conn)?;
    diesel::delete(holds::table.filter(holds::author_id.eq(id))).execute(conn)?;
    diesel::delete(member_notes::table.filter(member_notes::member_id.eq(id))).execute(conn)?;
    crate::connect::services::erase(conn, id)?;
    // What they wrote to the facilitators through the contact form, and the replies'
    // address on the letters that carried it.
    diesel::delete(
        contact_messages::table.filter(
            contact_messages::member_id
                .eq(id)
                .or(contact_messages::email.eq(&member.email)),
        ),
    )
    .execute(conn)?;
    diesel::update(outbox::table.filter(outbox::reply_to.eq(&member.email)))
        .set(outbox::reply_to.eq(None::<String>))
        .execute(conn)?;
    diesel::delete(
        outbox::table.filter(
            outbox::member_id
                .eq(id)
                .or(outbox::to_address.eq(&member.email)),
        ),
    )
    .execute(conn)?;
    diesel::delete(throttle_events::table.filter(throttle_events::subject.eq(&member.email)))
        .execute(conn)?;
    // Their "helpful" marks go, and the counts they added to.
    let marked: Vec<PostId> = helpful_marks::table
        .filter(helpful_marks::member_id.eq(id))
        .select(helpful_marks::post_id)
        .load(conn)?;
    diesel::delete(helpful_marks::table.filter(helpful_marks::member_id.eq(id))).execute(conn)?;
    for post in marked {
        let count: i64 = helpful_marks::table
            .filter(helpful_marks::post_id.eq(post))
            .count()
            .get_result(conn)?;
        diesel::update(posts::table.find(post))
            .set(posts::helpful_count.eq(count as i32))
            .execute(conn)?;
    }
    Ok(())
}

/// Others keep what they were told and what staff did, without the member's name or address.
fn take_their_name_out(conn: &mut DbConn, member: &Member) -> QueryResult<()> {
    for (words, instead) in [
        (member.display_name.as_str(), FORMER_MEMBER),
        (member.email.as_str(), "a former member's address"),
    ] {
        let like = format!("%{}%", escape_like(words));
        diesel::update(
            notifications::table.filter(notifications::headline.like(&like).escape('\\')),
        )
        .set(notifications::headline.eq(replace(notifications::headline, words, instead)))
        .execute(conn)?;
        diesel::update(notifications::table.filter(notifications::detail.like(&like).escape('\\')))
            .set(notifications::detail.eq(replace(notifications::detail, words, instead)))
            .execute(conn)?;
        diesel::update(outbox::table.filter(outbox::subject.like(&like).escape('\\')))
            .set(outbox::subject.eq(replace(outbox::subject, words, instead)))
            .execute(conn)?;
        diesel::update(outbox::table.filter(outbox::text_body.like(&like).escape('\\')))
            .set(outbox::text_body.eq(replace(outbox::text_body, words, instead)))
            .execute(conn)?;
        diesel::update(
            outbox::table.filter(outbox::html_body.assume_not_null().like(&like).escape('\\')),
        )
        .set(
            outbox::html_body
                .eq(replace(outbox::html_body.assume_not_null(), words, instead).nullable()),
        )
        .execute(conn)?;
        diesel::update(audit_log::table.filter(audit_log::subject.like(&like).escape('\\')))
            .set(audit_log::subject.eq(replace(audit_log::subject, words, instead)))
            .execute(conn)?;
        diesel::update(audit_log::table.filter(audit_log::reason.like(&like).escape('\\')))
            .set(audit_log::reason.eq(replace(audit_log::reason, words, instead)))
            .execute(conn)?;
        diesel::update(reports::table.filter(reports::reason.like(&like).escape('\\')))
            .set(reports::reason.eq(replace(reports::reason, words, instead)))
            .execute(conn)?;
        diesel::update(
            posts::table.filter(
                posts::hidden_reason
                    .assume_not_null()
                    .like(&like)
                    .escape('\\'),
            ),
        )
        .set(
            posts::hidden_reason.eq(replace(
                posts::hidden_reason.assume_not_null(),
                words,
                instead,
            )
            .nullable()),
        )
        .execute(conn)?;
    }
    Ok(())
}

/// `words` matched literally by LIKE.
fn escape_like(words: &str) -> String {
    words
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Whether an account has been erased (its profile is gone).
pub fn is_erased(conn: &mut DbConn, id: MemberId) -> QueryResult<bool> {
    member_rows::table
        .find(id)
        .select(member_rows::erased_at.is_not_null())
        .first(conn)
}
