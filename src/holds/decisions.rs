//! What facilitators do with a held item: approve it, approve it with the details taken out
//! (redact), or return it to its author to correct. Each decision is logged (naming the
//! item, never its text) and told to the author.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{Hold, HoldKind, HoldStatus};
use crate::accounts::members::Viewer;
use crate::audit;
use crate::connect::services::ServiceTexts;
use crate::connect::SERVICE_PAGE;
use crate::db::paging::{PageNumber, Paged};
use crate::db::{DbConn, HoldId, MessageId, PostId, ResourceId, ThreadId};
use crate::forum::scope::ModerationScope;
use crate::forum::values::{PostBody, Reason, ThreadTitle};
use crate::notifications::events;
use crate::rules::RuleError;
use crate::schema::{messages, posts, resources, threads};

/// A held item as the queue shows it: whose, where, and its texts by field.
#[derive(Debug, Clone)]
pub struct HeldItem {
    pub hold: Hold,
    pub author: String,
    /// Where it would appear, in words: "a reply in “Referral pathways”".
    pub place: String,
    pub link: String,
    /// (field, text as written), in the order the author wrote them.
    pub texts: Vec<(&'static str, String)>,
}

fn require_facilitator(actor: &Viewer) -> Result<(), RuleError> {
    if actor.staff.can_moderate() {
        Ok(())
    } else {
        Err(RuleError::forbidden(
            "Only facilitators can review held items.",
        ))
    }
}

/// One page of the queue, oldest first, each item with its texts; a fixed number of
/// queries whatever the page holds.
pub fn queue(
    conn: &mut DbConn,
    actor: &Viewer,
    page: PageNumber,
) -> Result<Paged<HeldItem>, RuleError> {
    require_facilitator(actor)?;
    let within = ModerationScope::of(conn, actor)?.categories();
    let holds = super::queue(conn, within.as_deref(), page)?;
    let (page, per_page, total) = (holds.page, holds.per_page, holds.total);
    Ok(Paged {
        items: described(conn, holds.items)?,
        page,
        per_page,
        total,
    })
}

/// A hold still waiting, as the queue shows it (for the redaction form).
pub fn waiting_item(conn: &mut DbConn, actor: &Viewer, id: HoldId) -> Result<HeldItem, RuleError> {
    let hold = waiting(conn, actor, id)?;
    let author = crate::accounts::members::find(conn, hold.author_id)?.display_name;
    described(conn, vec![(hold, author)])?
        .pop()
        .ok_or(RuleError::NotFound)
}

/// Held items with their texts, in a fixed number of queries however many.
fn described(conn: &mut DbConn, holds: Vec<(Hold, String)>) -> QueryResult<Vec<HeldItem>> {
    let post_ids: Vec<PostId> = holds.iter().filter_map(|(h, _)| h.post_id).collect();
    let resource_ids: Vec<ResourceId> = holds.iter().filter_map(|(h, _)| h.resource_id).collect();
    let posts: HashMap<PostId, (ThreadId, String, String, i32)> = posts::table
        .inner_join(threads::table)
        .filter(posts::id.eq_any(&post_ids))
        .select((
            posts::id,
            posts::thread_id,
            threads::title,
            posts::body_source,
            posts::position,
        ))
        .load::<(PostId, ThreadId, String, String, i32)>(conn)?
        .into_iter()
        .map(|(id, thread, title, body, position)| (id, (thread, title, body, position)))
        .collect();
    let resources: HashMap<ResourceId, (String, String)> = resources::table
        .filter(resources::id.eq_any(&resource_ids))
        .select((
            resources::id,
            resources::title,
            resources::description_source,
        ))
        .load::<(ResourceId, String, String)>(conn)?
        .into_iter()
        .map(|(id, title, description)| (id, (title, description)))
        .collect();
    let tags = crate::resources::library::tags_of(conn, &resource_ids)?;
    let message_ids: Vec<MessageId> = holds.iter().filter_map(|(h, _)| h.message_id).collect();
    let messages: HashMap<MessageId, String> = messages::table
        .filter(messages::id.eq_any(&message_ids))
        .select((messages::id, messages::body_source))
        .load::<(MessageId, String)>(conn)?
        .into_iter()
        .collect();
    Ok(holds
        .into_iter()
        .map(|(hold, author)| {
            let (place, link, texts) = match hold.kind {
                HoldKind::Thread | HoldKind::Post => {
                    let id = hold.post_id.unwrap_or(PostId(0));
                    let (thread, title, body, position) = posts.get(&id).cloned().unwrap_or((
                        ThreadId(0),
                        String::new(),
                        String::new(),
                        0,
                    ));
                    if hold.kind == HoldKind::Thread {
                        (
                            "a new thread".to_owned(),
                            format!("/threads/{thread}"),
                            vec![("title", title), ("post", body)],
                        )
                    } else {
                        let what = if hold.fresh {
                            "a reply"
                        } else {
                            "an edited post"
                        };
                        let what = if position == 1 && !hold.fresh {
                            "an edited first post"
                        } else {
                            what
                        };
                        (
                            format!("{what} in \u{201c}{title}\u{201d}"),
                            format!("/posts/{id}"),
                            vec![("post", body)],
                        )
                    }
                }
                HoldKind::Resource => {
                    let id = hold.resource_id.unwrap_or(ResourceId(0));
                    let (title, description) = resources.get(&id).cloned().unwrap_or_default();
                    let tags = tags.get(&id).map(|t| t.join(", ")).unwrap_or_default();
                    (
                        if hold.fresh {
                            "a new resource"
                        } else {
                            "an edited resource"
                        }
                        .to_owned(),
                        format!("/resources/{id}"),
                        vec![
                            ("title", title),
                            ("description", description),
                            ("tags", tags),
                        ],
                    )
                }
                HoldKind::Profile => (
                    "their profile's \u{201c}about me\u{201d}".to_owned(),
                    format!("/members/{}", hold.author_id),
                    vec![("about", hold.pending_text.clone().unwrap_or_default())],
                ),
                // Facilitators read the held message here, and no more of its conversation.
                HoldKind::Message => (
                    "a private message".to_owned(),
                    format!("/moderation/held/{}/redact", hold.id),
                    vec![(
                        "message",
                        hold.message_id
                            .and_then(|id| messages.get(&id).cloned())
                            .unwrap_or_default(),
                    )],
                ),
                HoldKind::Service => {
                    let texts = ServiceTexts::from_pending(hold.pending_text.as_deref());
                    (
                        "their profile's \u{201c}my service\u{201d}".to_owned(),
                        format!("/members/{}", hold.author_id),
                        texts
                            .fields()
                            .map(|(field, text)| (field, text.to_owned()))
                            .to_vec(),
                    )
                }
            };
            HeldItem {
                hold,
                author,
                place,
                link,
                texts,
            }
        })
        .collect())
}

/// The waiting hold, for a decision on it.
fn waiting(conn: &mut DbConn, actor: &Viewer, id: HoldId) -> Result<Hold, RuleError> {
    require_facilitator(actor)?;
    let hold = super::find(conn, id)?;
    if let Some(post) = hold.post_id {
        let thread = crate::forum::posts::find(conn, post)?.thread_id;
        let category = crate::forum::threads::find(conn, thread)?.category_id;
        ModerationScope::of(conn, actor)?.require(category)?;
    }
    if hold.status != HoldStatus::Waiting {
        return Err(RuleError::Conflict(format!(
            "This item has already been dealt with ({}).",
            hold.status.label().to_lowercase()
        )));
    }
    Ok(hold)
}

/// What the author and the log call the item: never its words, which may be the problem.
pub(super) fn subject(hold: &Hold) -> (String, String, String) {
    match hold.kind {
        HoldKind::Thread => {
            let thread = hold.thread_id.unwrap_or(ThreadId(0));
            (
                "your new thread".into(),
                format!("thread {thread}"),
                format!("/threads/{thread}"),
            )
        }
        HoldKind::Post => {
            let post = hold.post_id.unwrap_or(PostId(0));
            (
                "your post".into(),
                format!("post {post}"),
                format!("/posts/{post}"),
            )
        }
        HoldKind::Resource => {
            let resource = hold.resource_id.unwrap_or(ResourceId(0));
            (
                "your resource".into(),
                format!("resource {resource}"),
                format!("/resources/{resource}"),
            )
        }
        HoldKind::Profile => (
            "your profile text".into(),
            format!("profile of member {}", hold.author_id),
            "/account".into(),
        ),
        HoldKind::Message => {
            let message = hold.message_id.unwrap_or(MessageId(0));
            (
                "your private message".into(),
                format!("message {message}"),
                format!("/messages/at/{message}"),
            )
        }
        HoldKind::Service => (
            "your service description".into(),
            format!("service of member {}", hold.author_id),
            SERVICE_PAGE.into(),
        ),
    }
}

/// Publishes what is held, as it now reads.
fn release(conn: &mut DbConn, hold: &Hold, now: NaiveDateTime) -> Result<(), RuleError> {
    match hold.kind {
        HoldKind::Thread | HoldKind::Post => crate::forum::posts::release_held(conn, hold, now),
        HoldKind::Resource => crate::resources::library::release_held(conn, hold, now),
        HoldKind::Profile => Ok(crate::accounts::members::set_about(
            conn,
            hold.author_id,
            hold.pending_text.as_deref().unwrap_or(""),
            now,
        )?),
        HoldKind::Message => crate::messages::conversations::release_held(conn, hold, now),
        HoldKind::Service => Ok(crate::connect::services::set_texts(
            conn,
            hold.author_id,
            &ServiceTexts::from_pending(hold.pending_text.as_deref()),
            now,
        )?),
    }
}

fn log(
    conn: &mut DbConn,
    actor: &Viewer,
    hold: &Hold,
    action: &str,
    note: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let (_, subject, _) = subject(hold);
    audit::record(
        conn,
        &audit::Entry {
            actor: Some(actor.id),
            action,
            target_member: Some(hold.author_id),
            subject: &subject,
            reason: note,
        },
        now,
    )
}

/// The facilitator finds nothing that identifies anyone: it is published as written.
pub fn approve(
    conn: &mut DbConn,
    actor: &Viewer,
    id: HoldId,
    now: NaiveDateTime,
) -> Result<Hold, RuleError> {
    let hold = waiting(conn, actor, id)?;
    release(conn, &hold, now)?;
    super::close(conn, id, HoldStatus::Approved, Some(actor.id), "", now)?;
    log(conn, actor, &hold, "held item approved", "", now)?;
    let (what, _, link) = subject(&hold);
    let seen = match hold.kind {
        HoldKind::Message => "it has been delivered",
        _ => "everyone can see it now",
    };
    events::told_by_staff(
        conn,
        actor,
        hold.author_id,
        link,
        format!("A facilitator approved {what}: {seen}"),
        String::new(),
        now,
    )?;
    Ok(hold)
}

/// The facilitator's version of a held item's texts.
#[derive(Debug, Clone)]
pub enum Redaction {
    Post {
        title: Option<ThreadTitle>,
        body: PostBody,
    },
    Resource {
        title: crate::resources::values::ResourceTitle,
        description: crate::resources::values::ResourceDescription,
    },
    Profile(crate::accounts::values::About),
    Message(crate::messages::values::MessageBody),
    Service(ServiceTexts),
}

/// The facilitator takes the details out and publishes the rest. The held words are
/// replaced, not kept: no earlier version holds them, and the index only ever sees the
/// redacted text. The note (why, never what) is logged and told to the author.
pub fn redact(
    conn: &mut DbConn,
    actor: &Viewer,
    id: HoldId,
    redaction: &Redaction,
    note: &Reason,
    now: NaiveDateTime,
) -> Result<Hold, RuleError> {
    let mut hold = waiting(conn, actor, id)?;
    match (hold.kind, redaction) {
        (HoldKind::Thread | HoldKind::Post, Redaction::Post { title, body }) => {
            crate::forum::posts::redact_held(conn, &hold, title.as_ref(), body)?
        }
        (HoldKind::Resource, Redaction::Resource { title, description }) => {
            crate::resources::library::redact_held(conn, &hold, title, description, now)?
        }
        (HoldKind::Profile, Redaction::Profile(about)) => {
            hold.pending_text = Some(about.as_str().to_owned())
        }
        (HoldKind::Message, Redaction::Message(body)) => {
            crate::messages::conversations::redact_held(conn, &hold, body)?
        }
        (HoldKind::Service, Redaction::Service(texts)) => {
            hold.pending_text = Some(texts.to_pending())
        }
        _ => {
            return Err(RuleError::Invalid(
                "note",
                "This form does not fit the item".into(),
            ))
        }
    }
    release(conn, &hold, now)?;
    super::close(
        conn,
        id,
        HoldStatus::Redacted,
        Some(actor.id),
        note.as_str(),
        now,
    )?;
    log(conn, actor, &hold, "held item redacted", note.as_str(), now)?;
    let (what, _, link) = subject(&hold);
    events::told_by_staff(
        conn,
        actor,
        hold.author_id,
        link,
        match hold.kind {
            HoldKind::Message => {
                format!("A facilitator took some details out of {what} and delivered it")
            }
            _ => format!("A facilitator took some details out of {what} and published it"),
        },
        format!("Why: {}", note.as_str()),
        now,
    )?;
    Ok(hold)
}

/// The facilitator sends it back: it stays out of sight, and its author is told why and
/// can edit it (a clean edit publishes it; a confirmed one comes back to the queue). Left
/// uncorrected for `kept_days`, it is removed ([`super::lapsed`]); the author is told that too.
pub fn return_to_author(
    conn: &mut DbConn,
    actor: &Viewer,
    id: HoldId,
    reason: &Reason,
    kept_days: u32,
    now: NaiveDateTime,
) -> Result<Hold, RuleError> {
    let hold = waiting(conn, actor, id)?;
    diesel::update(crate::schema::holds::table.find(id))
        .set((
            crate::schema::holds::status.eq(HoldStatus::Returned),
            crate::schema::holds::decided_at.eq(now),
            crate::schema::holds::decided_by.eq(actor.id),
            crate::schema::holds::note.eq(reason.as_str()),
        ))
        .execute(conn)?;
    log(
        conn,
        actor,
        &hold,
        "held item returned",
        reason.as_str(),
        now,
    )?;
    let (what, _, _) = subject(&hold);
    let edit = match hold.kind {
        HoldKind::Thread | HoldKind::Post => {
            format!("/posts/{}/edit", hold.post_id.unwrap_or(PostId(0)))
        }
        HoldKind::Resource => format!(
            "/resources/{}/edit",
            hold.resource_id.unwrap_or(ResourceId(0))
        ),
        HoldKind::Profile => "/account".into(),
        HoldKind::Message => subject(&hold).2,
        HoldKind::Service => SERVICE_PAGE.into(),
    };
    events::told_by_staff(
        conn,
        actor,
        hold.author_id,
        edit,
        format!("A facilitator returned {what} for you to correct: nobody else has seen it"),
        format!(
            "Why: {} If it is not corrected within {kept_days} days, it will be removed.",
            reason.as_str().trim_end_matches('.').to_owned() + "."
        ),
        now,
    )?;
    Ok(hold)
}
