//! Who hears about what. Each function is called by the rule that made the change, inside
//! its transaction, so a notification exists exactly when its event does. Nobody hears about
//! their own doing, each person hears once per event (the most personal reason wins), and
//! nobody hears about a post they cannot read.

use std::collections::HashSet;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::settings;
use super::values::{Cadence, Topic};
use super::watches;
use crate::accounts::members::{Member, Viewer};
use crate::bookings::values::BookingStatus;
use crate::db::{ConversationId, CourseRunId, DbConn, MemberId, PostId, ResourceId, ThreadId};
use crate::forum::categories::Category;
use crate::forum::values::ReportStatus;
use crate::schema::{
    bookings, members, notifications, post_mentions, posts, reports, resource_tags,
};

/// A post in its thread: what most notifications are about.
#[derive(Debug, Clone, Copy)]
pub struct PostInThread<'a> {
    pub thread: ThreadId,
    pub title: &'a str,
    pub post: PostId,
}

impl PostInThread<'_> {
    fn about(&self) -> About {
        About {
            thread: Some(self.thread),
            post: Some(self.post),
            link: format!("/posts/{}", self.post),
            ..About::default()
        }
    }
}

/// What a notification points at.
#[derive(Debug, Clone, Default)]
struct About {
    thread: Option<ThreadId>,
    post: Option<PostId>,
    resource: Option<ResourceId>,
    run: Option<CourseRunId>,
    conversation: Option<ConversationId>,
    link: String,
}

struct Notice {
    member: MemberId,
    topic: Topic,
    headline: String,
    detail: String,
}

/// Keeps the first reason each member has to hear, in the order reasons are offered.
#[derive(Default)]
struct Audience {
    seen: HashSet<MemberId>,
    notices: Vec<Notice>,
}

impl Audience {
    fn offer(&mut self, member: MemberId, topic: Topic, headline: impl Into<String>) {
        if self.seen.insert(member) {
            self.notices.push(Notice {
                member,
                topic,
                headline: headline.into(),
                detail: String::new(),
            });
        }
    }

    fn offer_all(&mut self, members: &[MemberId], topic: Topic, headline: &str) {
        for member in members {
            self.offer(*member, topic, headline);
        }
    }
}

/// Members (of these) who are not suspended and may read the category.
fn readers(
    conn: &mut DbConn,
    category: Option<&Category>,
    candidates: &[MemberId],
    now: NaiveDateTime,
) -> QueryResult<HashSet<MemberId>> {
    let mut found = HashSet::new();
    for chunk in candidates.chunks(500) {
        let people: Vec<Member> = members::table
            .filter(members::id.eq_any(chunk))
            .select(Member::as_select())
            .load(conn)?;
        let places: Vec<(MemberId, CourseRunId)> = match category.and_then(|c| c.course_run_id) {
            None => Vec::new(),
            Some(run) => {
                let mut places: Vec<(MemberId, CourseRunId)> = bookings::table
                    .filter(bookings::run_id.eq(run))
                    .filter(bookings::status.eq(BookingStatus::Booked))
                    .filter(bookings::member_id.eq_any(chunk))
                    .select((bookings::member_id, bookings::run_id))
                    .load(conn)?;
                // The run's facilitators read its space as its participants do.
                let (ot, link_worker) = crate::bookings::runs::facilitators(conn, run)?;
                places.extend([ot, link_worker].into_iter().flatten().map(|f| (f, run)));
                places
            }
        };
        for person in people {
            if person.is_suspended(now) {
                continue;
            }
            let readable = match category {
                None => true,
                Some(category) => {
                    let held: Vec<CourseRunId> = places
                        .iter()
                        .filter(|(member, _)| *member == person.id)
                        .map(|(_, run)| *run)
                        .collect();
                    category.readable_by(Some(&Viewer::from(&person)), &held)
                }
            };
            if readable {
                found.insert(person.id);
            }
        }
    }
    Ok(found)
}

/// Stores the notices for those who may read what they are about, each marked with how its
/// recipient wants it emailed.
fn deliver(
    conn: &mut DbConn,
    actor: Option<MemberId>,
    category: Option<&Category>,
    about: &About,
    audience: Audience,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let notices: Vec<Notice> = audience
        .notices
        .into_iter()
        .filter(|notice| Some(notice.member) != actor)
        .collect();
    if notices.is_empty() {
        return Ok(0);
    }
    let ids: Vec<MemberId> = notices.iter().map(|n| n.member).collect();
    let allowed = readers(conn, category, &ids, now)?;
    let chosen = settings::of_many(conn, &ids)?;
    let mut stored = 0;
    for notice in notices {
        if !allowed.contains(&notice.member) {
            continue;
        }
        let cadence = chosen
            .get(&notice.member)
            .copied()
            .unwrap_or_default()
            .cadence(notice.topic);
        insert(conn, actor, &notice, about, cadence, None, now)?;
        stored += 1;
    }
    Ok(stored)
}

fn insert(
    conn: &mut DbConn,
    actor: Option<MemberId>,
    notice: &Notice,
    about: &About,
    cadence: Cadence,
    emailed_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(notifications::table)
        .values((
            notifications::member_id.eq(notice.member),
            notifications::kind.eq(notice.topic.slug()),
            notifications::actor_id.eq(actor),
            notifications::headline.eq(&notice.headline),
            notifications::detail.eq(&notice.detail),
            notifications::link.eq(&about.link),
            notifications::thread_id.eq(about.thread),
            notifications::post_id.eq(about.post),
            notifications::resource_id.eq(about.resource),
            notifications::run_id.eq(about.run),
            notifications::conversation_id.eq(about.conversation),
            notifications::created_at.eq(now),
            notifications::email.eq(cadence.slug()),
            notifications::emailed_at.eq(emailed_at),
        ))
        .execute(conn)
        .map(|_| ())
}

fn mentioned_in(conn: &mut DbConn, post: PostId) -> QueryResult<Vec<MemberId>> {
    post_mentions::table
        .filter(post_mentions::post_id.eq(post))
        .select(post_mentions::member_id)
        .load(conn)
}

/// A thread with its first post: mentions, then those watching the category.
pub fn thread_started(
    conn: &mut DbConn,
    actor: &Viewer,
    category: &Category,
    start: PostInThread<'_>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let PostInThread {
        thread,
        title,
        post,
    } = start;
    watches::join_thread(conn, actor.id, thread)?;
    let mut audience = Audience::default();
    audience.offer_all(
        &mentioned_in(conn, post)?,
        Topic::Mentions,
        &format!("{} mentioned you in “{title}”", actor.display_name),
    );
    audience.offer_all(
        &watches::category_watchers(conn, category.id)?,
        Topic::Watching,
        &format!(
            "{} started “{title}” in {}",
            actor.display_name, category.name
        ),
    );
    let about = start.about();
    deliver(conn, Some(actor.id), Some(category), &about, audience, now).map(|_| ())
}

/// A reply: mentions, the author of the post answered, the thread's author, then watchers.
pub fn reply_added(
    conn: &mut DbConn,
    actor: &Viewer,
    category: &Category,
    thread_author: MemberId,
    reply: PostInThread<'_>,
    reply_to: Option<PostId>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let PostInThread {
        thread,
        title,
        post,
    } = reply;
    watches::join_thread(conn, actor.id, thread)?;
    let name = &actor.display_name;
    let mut audience = Audience::default();
    audience.offer_all(
        &mentioned_in(conn, post)?,
        Topic::Mentions,
        &format!("{name} mentioned you in “{title}”"),
    );
    if let Some(answered) = reply_to {
        let author: Option<MemberId> = posts::table
            .find(answered)
            .select(posts::author_id)
            .first(conn)
            .optional()?;
        if let Some(author) = author {
            audience.offer(
                author,
                Topic::Replies,
                format!("{name} replied to your post in “{title}”"),
            );
        }
    }
    // A thread's author who stopped watching it has said they want no more of its replies
    // (answers to their own posts and mentions still reach them).
    if watches::decided_on_thread(conn, thread_author, thread)? != Some(false) {
        audience.offer(
            thread_author,
            Topic::Replies,
            format!("{name} replied to your thread “{title}”"),
        );
    }
    audience.offer_all(
        &watches::thread_watchers(conn, thread)?,
        Topic::Watching,
        &format!("{name} replied in “{title}”"),
    );
    let about = reply.about();
    deliver(conn, Some(actor.id), Some(category), &about, audience, now).map(|_| ())
}

/// An edit that mentions someone new tells them; those mentioned before are not told again.
pub fn mentions_added(
    conn: &mut DbConn,
    actor: &Viewer,
    category: &Category,
    edited: PostInThread<'_>,
    before: &[MemberId],
    now: NaiveDateTime,
) -> QueryResult<()> {
    let PostInThread { title, post, .. } = edited;
    let mut audience = Audience::default();
    let fresh: Vec<MemberId> = mentioned_in(conn, post)?
        .into_iter()
        .filter(|member| !before.contains(member))
        .collect();
    audience.offer_all(
        &fresh,
        Topic::Mentions,
        &format!("{} mentioned you in “{title}”", actor.display_name),
    );
    let about = edited.about();
    deliver(conn, Some(actor.id), Some(category), &about, audience, now).map(|_| ())
}

pub fn mentions_of(conn: &mut DbConn, post: PostId) -> QueryResult<Vec<MemberId>> {
    mentioned_in(conn, post)
}

/// A new resource: everyone following one of its tags.
pub fn resource_added(
    conn: &mut DbConn,
    actor: &Viewer,
    resource: ResourceId,
    title: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let tag_ids: Vec<i64> = resource_tags::table
        .filter(resource_tags::resource_id.eq(resource))
        .select(resource_tags::tag_id)
        .load(conn)?;
    if tag_ids.is_empty() {
        return Ok(());
    }
    let mut audience = Audience::default();
    for (member, tag) in watches::tag_followers(conn, &tag_ids)? {
        audience.offer(
            member,
            Topic::Tags,
            format!("{} shared “{title}”, tagged “{tag}”", actor.display_name),
        );
    }
    let about = About {
        resource: Some(resource),
        link: format!("/resources/{resource}"),
        ..About::default()
    };
    deliver(conn, Some(actor.id), None, &about, audience, now).map(|_| ())
}

/// What a facilitator did to a post, told to its author with the reason given.
pub enum Moderated<'a> {
    Hidden(&'a str),
    ShownAgain,
    /// Its text removed everywhere, for holding personal details.
    Purged(&'a str),
}

pub fn post_moderated(
    conn: &mut DbConn,
    actor: &Viewer,
    author: MemberId,
    moderated: PostInThread<'_>,
    what: Moderated<'_>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let title = moderated.title;
    let (headline, detail) = match what {
        Moderated::Hidden(reason) => (
            format!("A facilitator hid your post in “{title}”"),
            format!("Reason: {reason}"),
        ),
        Moderated::ShownAgain => (
            format!("A facilitator made your post in “{title}” visible again"),
            String::new(),
        ),
        Moderated::Purged(reason) => (
            format!("A facilitator removed the text of your post in “{title}”"),
            format!("It contained personal details. Reason: {reason}"),
        ),
    };
    let notice = Notice {
        member: author,
        topic: Topic::Moderation,
        headline,
        detail,
    };
    let about = moderated.about();
    let audience = Audience {
        seen: HashSet::from([author]),
        notices: vec![notice],
    };
    deliver(conn, Some(actor.id), None, &about, audience, now).map(|_| ())
}

/// A facilitator purged a resource: its owner hears why. The notice names no title (the
/// title may be what had to go) and points at the library, since the resource is gone.
pub fn resource_purged(
    conn: &mut DbConn,
    actor: &Viewer,
    owner: MemberId,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let notice = Notice {
        member: owner,
        topic: Topic::Moderation,
        headline: "A facilitator removed a resource you shared".to_owned(),
        detail: format!("It contained personal details. Reason: {reason}"),
    };
    let about = About {
        link: "/resources".to_owned(),
        ..About::default()
    };
    let audience = Audience {
        seen: HashSet::from([owner]),
        notices: vec![notice],
    };
    deliver(conn, Some(actor.id), None, &about, audience, now).map(|_| ())
}

/// Forgets the notifications about a purged post that have not been emailed: the letters
/// they would become would carry its text.
pub fn forget_post(conn: &mut DbConn, post: PostId) -> QueryResult<usize> {
    diesel::delete(
        notifications::table
            .filter(notifications::post_id.eq(post))
            .filter(notifications::emailed_at.is_null()),
    )
    .execute(conn)
}

/// A thread's title was purged: notifications about the thread quote it (“…”) in their
/// headlines, and now quote the new one.
pub fn retitle(conn: &mut DbConn, thread: ThreadId, old: &str, new: &str) -> QueryResult<()> {
    diesel::update(notifications::table.filter(notifications::thread_id.eq(thread)))
        .set(notifications::headline.eq(crate::db::replace(
            notifications::headline,
            format!("“{old}”"),
            format!("“{new}”"),
        )))
        .execute(conn)
        .map(|_| ())
}

/// Members with an open report on the post: read before the reports are closed.
pub fn open_reporters(conn: &mut DbConn, post: PostId) -> QueryResult<Vec<MemberId>> {
    reports::table
        .filter(reports::post_id.eq(post))
        .filter(reports::status.eq(ReportStatus::Open))
        .select(reports::reporter_id)
        .distinct()
        .load(conn)
}

/// A facilitator closed the reports on a post: each reporter hears how.
pub fn reports_closed(
    conn: &mut DbConn,
    actor: &Viewer,
    reporters: &[MemberId],
    reported: PostInThread<'_>,
    upheld: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let title = reported.title;
    let (headline, detail) = match upheld {
        Some(reason) => (
            format!("Your report was upheld: a facilitator hid the post in “{title}”"),
            format!("Reason: {reason}"),
        ),
        None => (
            format!("Your report was reviewed: the post in “{title}” stays up"),
            "A facilitator read it and found it within the community's guidelines.".to_owned(),
        ),
    };
    let mut audience = Audience::default();
    for reporter in reporters {
        audience.seen.insert(*reporter);
        audience.notices.push(Notice {
            member: *reporter,
            topic: Topic::Moderation,
            headline: headline.clone(),
            detail: detail.clone(),
        });
    }
    let about = reported.about();
    deliver(conn, Some(actor.id), None, &about, audience, now).map(|_| ())
}

/// News of a booking, in the app; its letter goes out through the outbox separately (booking
/// messages are always emailed, whatever the member's choices).
pub fn booking_news(
    conn: &mut DbConn,
    member: MemberId,
    run: CourseRunId,
    headline: &str,
    detail: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let notice = Notice {
        member,
        topic: Topic::Bookings,
        headline: headline.to_owned(),
        detail: detail.to_owned(),
    };
    let about = About {
        run: Some(run),
        link: format!("/courses/{run}"),
        ..About::default()
    };
    insert(
        conn,
        None,
        &notice,
        &about,
        Cadence::Immediately,
        Some(now),
        now,
    )
}

/// Staff tell one member something about their own doing (a held item decided, a warning):
/// what, and why. Nothing of the member's text goes in the notice.
pub fn told_by_staff(
    conn: &mut DbConn,
    actor: &Viewer,
    author: MemberId,
    link: String,
    headline: String,
    detail: String,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let notice = Notice {
        member: author,
        topic: Topic::Moderation,
        headline,
        detail,
    };
    let about = About {
        link,
        ..About::default()
    };
    let audience = Audience {
        seen: HashSet::from([author]),
        notices: vec![notice],
    };
    deliver(conn, Some(actor.id), None, &about, audience, now).map(|_| ())
}

/// A private message delivered: each of `members` hears of it, unless they have not yet
/// opened the conversation since they were last told (one unread notice a conversation).
/// The notice, and so its email, names the sender, never the message's words.
pub fn message_received(
    conn: &mut DbConn,
    author: &Member,
    conversation: ConversationId,
    group: bool,
    members: &[MemberId],
    now: NaiveDateTime,
) -> QueryResult<()> {
    if members.is_empty() {
        return Ok(());
    }
    let waiting: HashSet<MemberId> = notifications::table
        .filter(notifications::conversation_id.eq(conversation))
        .filter(notifications::member_id.eq_any(members))
        .filter(notifications::read_at.is_null())
        .select(notifications::member_id)
        .load::<MemberId>(conn)?
        .into_iter()
        .collect();
    let headline = if group {
        format!("{} wrote in a group conversation", author.display_name)
    } else {
        format!("{} sent you a private message", author.display_name)
    };
    let mut audience = Audience::default();
    for member in members.iter().filter(|m| !waiting.contains(m)) {
        audience.offer(*member, Topic::Messages, headline.clone());
    }
    let about = About {
        conversation: Some(conversation),
        link: format!("/messages/{conversation}"),
        ..About::default()
    };
    deliver(conn, Some(author.id), None, &about, audience, now).map(|_| ())
}
