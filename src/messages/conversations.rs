//! Conversations and their messages: starting one, replying, delivering (now, or when a
//! facilitator approves a held message), reading, the inbox with its unread counts, leaving
//! and muting. Every rule checks that the viewer is one of the conversation's current
//! members: a URL is not a boundary, and facilitators read no conversation of others.
//!
//! A message is delivered to the conversation's current members except those who blocked
//! its author: it moves the conversation up their inbox, counts as unread, is indexed for
//! search and notified (unless they muted the conversation). A held message is none of
//! these until it is approved; its author sees it marked as waiting.

use std::collections::{HashMap, HashSet};

use chrono::{Duration, NaiveDateTime};
use diesel::dsl::{count_star, exists, max};
use diesel::prelude::*;

use super::contacts;
use super::values::{MessageBody, Recipients};
use crate::accounts::members::{Member, Viewer};
use crate::bookings::values::BookingStatus;
use crate::db::paging::{PageNumber, Paged};
use crate::db::{ConversationId, CourseRunId, DbConn, MemberId, MessageId, WriteConn};
use crate::guard::Verdict;
use crate::holds::{self, Held, HoldStatus, NewHold};
use crate::markdown::{self, SafeHtml};
use crate::notifications::events;
use crate::rules::RuleError;
use crate::schema::{
    bookings, conversation_members as cm, conversations, holds as hold_rows, members, messages,
    notifications,
};

/// Conversations a page of the inbox.
pub const PER_PAGE: i64 = 20;
/// Messages a page of a conversation.
pub const MESSAGES_PER_PAGE: i64 = 30;
/// Members approved this recently are new: they start few conversations a day.
pub const NEW_MEMBER_DAYS: i64 = 7;
/// How many conversations a new member may start in a day.
pub const NEW_MEMBER_DAILY: i64 = 5;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = messages)]
pub struct Message {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    pub author_id: MemberId,
    pub body_source: String,
    pub body_html: SafeHtml,
    pub created_at: NaiveDateTime,
    pub held_at: Option<NaiveDateTime>,
    pub delivered_at: Option<NaiveDateTime>,
    pub hidden_at: Option<NaiveDateTime>,
    pub removed_at: Option<NaiveDateTime>,
}

/// What became of a message just written.
#[derive(Debug, Clone, Copy)]
pub struct Sent {
    pub conversation: ConversationId,
    pub message: MessageId,
    /// The guard held it: nobody else sees it until a facilitator approves it.
    pub held: bool,
}

/// Whether a member can receive messages at all: approved, not erased, not suspended.
fn reachable(member: &Member, now: NaiveDateTime) -> bool {
    member.approved_at.is_some() && member.erased_at.is_none() && !member.is_suspended(now)
}

/// Starts a conversation with `to` and its first message. Refused, by the `to` field, when
/// one of them does not take new conversations from the sender (their choice, a block, or
/// an account that cannot receive messages: the same words for each), or when a new member
/// has started their day's allowance.
pub fn start(
    tx: &mut WriteConn,
    sender: &Viewer,
    to: &Recipients,
    body: &MessageBody,
    verdict: Verdict,
    now: NaiveDateTime,
) -> Result<Sent, RuleError> {
    tx.serialize_on(&format!("conversation-start:{}", sender.id))?;
    let conn: &mut DbConn = tx;
    let me = crate::accounts::members::find(conn, sender.id)?;
    let found: Vec<Member> = members::table
        .filter(members::id.eq_any(to.ids()))
        .select(Member::as_select())
        .load(conn)?;
    let mut people = Vec::new();
    let mut unreachable = Vec::new();
    for id in to.ids() {
        match found.iter().find(|m| m.id == *id) {
            Some(member) if reachable(member, now) => people.push(member.clone()),
            Some(member) => unreachable.push(member.display_name.clone()),
            None => {
                return Err(RuleError::Invalid(
                    "to",
                    "There is no member with that number: choose from the directory".into(),
                ))
            }
        }
    }
    let mut refusing = unreachable;
    refusing.extend(contacts::refusing(conn, &me, &people)?);
    if !refusing.is_empty() {
        return Err(RuleError::Invalid("to", contacts::does_not_take(&refusing)));
    }
    if let Some(wait) = over_new_member_allowance(conn, &me, now)? {
        return Err(RuleError::Invalid("to", wait));
    }
    let conversation: ConversationId = diesel::insert_into(conversations::table)
        .values((
            conversations::started_by.eq(me.id),
            conversations::created_at.eq(now),
        ))
        .returning(conversations::id)
        .get_result(conn)?;
    // Nobody has read anything yet: the first message is delivered after this.
    let before = now - Duration::seconds(1);
    for member in std::iter::once(me.id).chain(people.iter().map(|m| m.id)) {
        diesel::insert_into(cm::table)
            .values((
                cm::conversation_id.eq(conversation),
                cm::member_id.eq(member),
                cm::joined_at.eq(now),
                cm::last_read_at.eq(before),
                cm::last_activity_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(write(conn, conversation, me.id, body, verdict, now)?)
}

/// The words for a new member who has started their allowance of conversations today.
fn over_new_member_allowance(
    conn: &mut DbConn,
    me: &Member,
    now: NaiveDateTime,
) -> QueryResult<Option<String>> {
    let new = me
        .approved_at
        .is_some_and(|at| at > now - Duration::days(NEW_MEMBER_DAYS));
    if !new || me.staff.can_moderate() {
        return Ok(None);
    }
    let started: i64 = conversations::table
        .filter(conversations::started_by.eq(me.id))
        .filter(conversations::created_at.gt(now - Duration::days(1)))
        .count()
        .get_result(conn)?;
    Ok((started >= NEW_MEMBER_DAILY).then(|| {
        format!(
            "In their first {NEW_MEMBER_DAYS} days members can start {NEW_MEMBER_DAILY} new conversations a day, and you have started {started} in the last 24 hours. You can still reply in the conversations you have; your message is kept below to send later."
        )
    }))
}

/// A reply in a conversation the viewer is a current member of.
pub fn reply(
    tx: &mut WriteConn,
    viewer: &Viewer,
    conversation: ConversationId,
    body: &MessageBody,
    verdict: Verdict,
    now: NaiveDateTime,
) -> Result<Sent, RuleError> {
    let conn: &mut DbConn = tx;
    membership(conn, viewer.id, conversation)?;
    Ok(write(conn, conversation, viewer.id, body, verdict, now)?)
}

/// Stores a message, then delivers it or holds it for a facilitator.
fn write(
    conn: &mut DbConn,
    conversation: ConversationId,
    author: MemberId,
    body: &MessageBody,
    verdict: Verdict,
    now: NaiveDateTime,
) -> QueryResult<Sent> {
    let held = verdict.holds();
    let message: MessageId = diesel::insert_into(messages::table)
        .values((
            messages::conversation_id.eq(conversation),
            messages::author_id.eq(author),
            messages::body_source.eq(body.as_str()),
            messages::body_html.eq(markdown::cook(body.as_str())),
            messages::created_at.eq(now),
            messages::held_at.eq(held.then_some(now)),
        ))
        .returning(messages::id)
        .get_result(conn)?;
    if held {
        let hold = NewHold {
            held: Held::Message(message),
            author,
            fresh: true,
            hid: false,
            pending_text: None,
        };
        holds::hold(conn, &hold, now)?;
    } else {
        deliver(conn, message, now)?;
    }
    Ok(Sent {
        conversation,
        message,
        held,
    })
}

/// Delivers a message: to every current member of its conversation but those who blocked
/// its author; notified to those who did not mute it; found by search from now on.
fn deliver(conn: &mut DbConn, id: MessageId, now: NaiveDateTime) -> QueryResult<()> {
    let message = find(conn, id)?;
    let conversation = message.conversation_id;
    diesel::update(messages::table.find(id))
        .set(messages::delivered_at.eq(now))
        .execute(conn)?;
    diesel::update(cm::table.find((conversation, message.author_id)))
        .set((cm::last_activity_at.eq(now), cm::last_read_at.eq(now)))
        .execute(conn)?;
    let others: Vec<(MemberId, bool)> = cm::table
        .filter(cm::conversation_id.eq(conversation))
        .filter(cm::member_id.ne(message.author_id))
        .filter(cm::left_at.is_null())
        .select((cm::member_id, cm::muted))
        .load(conn)?;
    let ids: Vec<MemberId> = others.iter().map(|(id, _)| *id).collect();
    let blockers = contacts::who_blocked(conn, message.author_id, &ids)?;
    let reached: Vec<MemberId> = ids
        .iter()
        .copied()
        .filter(|id| !blockers.contains(id))
        .collect();
    diesel::update(
        cm::table
            .filter(cm::conversation_id.eq(conversation))
            .filter(cm::member_id.eq_any(&reached)),
    )
    .set(cm::last_activity_at.eq(now))
    .execute(conn)?;
    crate::search::index::message(conn, id)?;
    let told: Vec<MemberId> = others
        .iter()
        .filter(|(id, muted)| !muted && reached.contains(id))
        .map(|(id, _)| *id)
        .collect();
    let author = crate::accounts::members::find(conn, message.author_id)?;
    let group = others.len() > 1;
    events::message_received(conn, &author, conversation, group, &told, now)
}

pub fn find(conn: &mut DbConn, id: MessageId) -> QueryResult<Message> {
    messages::table
        .find(id)
        .select(Message::as_select())
        .first(conn)
}

/// The held message approved: delivered now, as it now reads.
pub fn release_held(
    conn: &mut DbConn,
    hold: &holds::Hold,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    let id = hold.message_id.ok_or(RuleError::NotFound)?;
    Ok(deliver(conn, id, now)?)
}

/// The facilitator's version of a held message replaces its words.
pub fn redact_held(conn: &mut DbConn, hold: &holds::Hold, body: &MessageBody) -> QueryResult<()> {
    let Some(id) = hold.message_id else {
        return Ok(());
    };
    diesel::update(messages::table.find(id))
        .set((
            messages::body_source.eq(body.as_str()),
            messages::body_html.eq(markdown::cook(body.as_str())),
        ))
        .execute(conn)
        .map(|_| ())
}

/// A returned message never corrected: its words go (nobody else ever saw them).
pub fn discard_held(conn: &mut DbConn, hold: &holds::Hold, now: NaiveDateTime) -> QueryResult<()> {
    match hold.message_id {
        Some(id) => remove(conn, &[id], now),
        None => Ok(()),
    }
}

/// Takes the words out of these messages, leaving a mark where each was.
pub fn remove(conn: &mut DbConn, ids: &[MessageId], now: NaiveDateTime) -> QueryResult<()> {
    for chunk in ids.chunks(500) {
        diesel::update(messages::table.filter(messages::id.eq_any(chunk)))
            .set((
                messages::body_source.eq(""),
                messages::body_html.eq(SafeHtml::default()),
                messages::removed_at.eq(now),
            ))
            .execute(conn)?;
    }
    crate::search::index::messages(conn, ids)
}

/// An erased member's part in conversations: their messages' words go (the others' stay,
/// and read on under "Former member"), with their places, blocks and choices.
pub fn erase_member(conn: &mut DbConn, member: MemberId, now: NaiveDateTime) -> QueryResult<()> {
    let theirs: Vec<MessageId> = messages::table
        .filter(messages::author_id.eq(member))
        .select(messages::id)
        .load(conn)?;
    remove(conn, &theirs, now)?;
    use crate::schema::{member_blocks, message_reports, message_settings};
    diesel::delete(
        member_blocks::table.filter(
            member_blocks::blocker_id
                .eq(member)
                .or(member_blocks::blocked_id.eq(member)),
        ),
    )
    .execute(conn)?;
    diesel::delete(message_settings::table.find(member)).execute(conn)?;
    diesel::delete(message_reports::table.filter(message_reports::reporter_id.eq(member)))
        .execute(conn)?;
    diesel::update(cm::table.filter(cm::member_id.eq(member)))
        .set(cm::left_at.eq(now))
        .filter(cm::left_at.is_null())
        .execute(conn)?;
    Ok(())
}

/// The viewer's place in a conversation they have not left; anyone else learns nothing.
fn membership(
    conn: &mut DbConn,
    member: MemberId,
    conversation: ConversationId,
) -> Result<(NaiveDateTime, bool), RuleError> {
    let place: Option<(NaiveDateTime, bool, Option<NaiveDateTime>)> = cm::table
        .find((conversation, member))
        .select((cm::last_read_at, cm::muted, cm::left_at))
        .first(conn)
        .optional()?;
    match place {
        Some((read, muted, None)) => Ok((read, muted)),
        _ => Err(RuleError::NotFound),
    }
}

/// Someone in a conversation, as its page names them.
#[derive(Debug, Clone)]
pub struct Participant {
    pub id: MemberId,
    pub name: String,
    pub left: bool,
}

/// How a message stands for the one reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    Delivered,
    /// The reader's own, held for a facilitator.
    Waiting,
    /// The reader's own, returned by a facilitator with this note: not delivered.
    Returned(String),
    /// Hidden by a facilitator after a report.
    Hidden,
    /// Its words were taken out.
    Removed,
}

/// A message as its conversation's page shows it.
#[derive(Debug, Clone)]
pub struct Shown {
    pub message: Message,
    pub author: String,
    pub mine: bool,
    pub standing: Standing,
}

/// A conversation as its page shows it.
#[derive(Debug, Clone)]
pub struct Conversation {
    pub id: ConversationId,
    pub participants: Vec<Participant>,
    pub muted: bool,
    pub messages: Paged<Shown>,
}

impl Conversation {
    /// The others' names, for the title: "Ann Smith and Bo Green".
    pub fn title(&self, viewer: MemberId) -> String {
        let names: Vec<String> = self
            .participants
            .iter()
            .filter(|p| p.id != viewer)
            .map(|p| p.name.clone())
            .collect();
        with_names(&names)
    }
}

/// "Ann", "Ann and Bo", "Ann, Bo and Cy".
pub fn with_names(names: &[String]) -> String {
    match names {
        [] => "Only you".to_owned(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The messages of a conversation this reader sees: delivered ones and their own, none by
/// a member they blocked.
macro_rules! seen_by {
    ($reader:expr, $blocked:expr) => {
        messages::delivered_at
            .is_not_null()
            .or(messages::author_id.eq($reader))
            .and(
                messages::author_id
                    .eq($reader)
                    .or(messages::author_id.ne_all($blocked)),
            )
    };
}

/// Opens a conversation: one page of its messages (the last page unless another is asked
/// for), its members, and everything in it marked read.
pub fn open(
    tx: &mut WriteConn,
    viewer: &Viewer,
    id: ConversationId,
    page: Option<PageNumber>,
    now: NaiveDateTime,
) -> Result<Conversation, RuleError> {
    let conn: &mut DbConn = tx;
    let (_, muted) = membership(conn, viewer.id, id)?;
    let blocked = contacts::blocked_by(conn, viewer.id)?;
    let seen = || {
        messages::table
            .filter(messages::conversation_id.eq(id))
            .filter(seen_by!(viewer.id, blocked.clone()))
    };
    let total: i64 = seen().count().get_result(conn)?;
    let last = PageNumber::parse(Some(
        &((total + MESSAGES_PER_PAGE - 1) / MESSAGES_PER_PAGE)
            .max(1)
            .to_string(),
    ));
    let page = page.unwrap_or(last);
    let rows: Vec<(Message, String)> = seen()
        .inner_join(members::table.on(members::id.eq(messages::author_id)))
        .order(messages::id.asc())
        .limit(MESSAGES_PER_PAGE)
        .offset(page.offset(MESSAGES_PER_PAGE))
        .select((Message::as_select(), members::display_name))
        .load(conn)?;
    let waiting: Vec<MessageId> = rows
        .iter()
        .filter(|(m, _)| m.delivered_at.is_none())
        .map(|(m, _)| m.id)
        .collect();
    let hold_states: HashMap<MessageId, (HoldStatus, String)> = hold_rows::table
        .filter(hold_rows::message_id.eq_any(&waiting))
        .order(hold_rows::id.asc())
        .select((hold_rows::message_id, hold_rows::status, hold_rows::note))
        .load::<(Option<MessageId>, HoldStatus, String)>(conn)?
        .into_iter()
        .filter_map(|(id, status, note)| Some((id?, (status, note))))
        .collect();
    let shown = rows
        .into_iter()
        .map(|(message, author)| {
            let standing = if message.removed_at.is_some() {
                Standing::Removed
            } else if message.hidden_at.is_some() {
                Standing::Hidden
            } else if message.delivered_at.is_some() {
                Standing::Delivered
            } else {
                match hold_states.get(&message.id) {
                    Some((HoldStatus::Returned, note)) => Standing::Returned(note.clone()),
                    _ => Standing::Waiting,
                }
            };
            Shown {
                mine: message.author_id == viewer.id,
                message,
                author,
                standing,
            }
        })
        .collect();
    let participants = participants(conn, &[id])?.remove(&id).unwrap_or_default();
    mark_read(conn, viewer.id, id, now)?;
    Ok(Conversation {
        id,
        participants,
        muted,
        messages: Paged::new(shown, page, MESSAGES_PER_PAGE, total),
    })
}

/// Everything in the conversation read by this member, and its notifications with it.
fn mark_read(
    conn: &mut DbConn,
    member: MemberId,
    id: ConversationId,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(cm::table.find((id, member)))
        .set(cm::last_read_at.eq(now))
        .execute(conn)?;
    diesel::update(
        notifications::table
            .filter(notifications::conversation_id.eq(id))
            .filter(notifications::member_id.eq(member))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(now))
    .execute(conn)?;
    Ok(())
}

/// The members of these conversations, by name, in one query.
fn participants(
    conn: &mut DbConn,
    ids: &[ConversationId],
) -> QueryResult<HashMap<ConversationId, Vec<Participant>>> {
    let rows: Vec<(ConversationId, MemberId, String, Option<NaiveDateTime>)> = cm::table
        .inner_join(members::table.on(members::id.eq(cm::member_id)))
        .filter(cm::conversation_id.eq_any(ids))
        .order((cm::conversation_id.asc(), members::sort_name.asc()))
        .select((
            cm::conversation_id,
            members::id,
            members::display_name,
            cm::left_at,
        ))
        .load(conn)?;
    let mut found: HashMap<ConversationId, Vec<Participant>> = HashMap::new();
    for (conversation, id, name, left) in rows {
        found.entry(conversation).or_default().push(Participant {
            id,
            name,
            left: left.is_some(),
        });
    }
    Ok(found)
}

/// The others in each of these conversations, in words ("Ann Smith and Bo Green").
pub fn others_named(
    conn: &mut DbConn,
    viewer: MemberId,
    ids: &[ConversationId],
) -> QueryResult<HashMap<ConversationId, String>> {
    Ok(participants(conn, ids)?
        .into_iter()
        .map(|(id, people)| {
            let names: Vec<String> = people
                .into_iter()
                .filter(|p| p.id != viewer)
                .map(|p| p.name)
                .collect();
            (id, with_names(&names))
        })
        .collect())
}

/// A conversation as the inbox lists it.
#[derive(Debug, Clone)]
pub struct InboxRow {
    pub id: ConversationId,
    /// The others in it (those who left too, marked).
    pub others: Vec<Participant>,
    pub unread: i64,
    pub muted: bool,
    pub last_activity_at: NaiveDateTime,
    /// The newest message the member sees: its author, a short excerpt, and whether it
    /// waits for a facilitator.
    pub latest: Option<(String, String, bool)>,
}

/// One page of the member's conversations, newest activity first, in a fixed number of
/// queries whatever the page holds.
pub fn inbox(conn: &mut DbConn, viewer: &Viewer, page: PageNumber) -> QueryResult<Paged<InboxRow>> {
    let blocked = contacts::blocked_by(conn, viewer.id)?;
    // A conversation whose only message waits for a facilitator is not yet anyone else's.
    let mine = || {
        cm::table
            .filter(cm::member_id.eq(viewer.id))
            .filter(cm::left_at.is_null())
            .filter(exists(
                messages::table
                    .filter(messages::conversation_id.eq(cm::conversation_id))
                    .filter(seen_by!(viewer.id, blocked.clone())),
            ))
    };
    let total: i64 = mine().count().get_result(conn)?;
    let rows: Vec<(ConversationId, bool, NaiveDateTime)> = mine()
        .order((cm::last_activity_at.desc(), cm::conversation_id.desc()))
        .limit(PER_PAGE)
        .offset(page.offset(PER_PAGE))
        .select((cm::conversation_id, cm::muted, cm::last_activity_at))
        .load(conn)?;
    let ids: Vec<ConversationId> = rows.iter().map(|r| r.0).collect();
    let mut people = participants(conn, &ids)?;
    let unread = unread_by_conversation(conn, viewer.id, &ids, &blocked)?;
    let latest_ids: Vec<Option<MessageId>> = messages::table
        .filter(messages::conversation_id.eq_any(&ids))
        .filter(seen_by!(viewer.id, blocked.clone()))
        .group_by(messages::conversation_id)
        .select(max(messages::id))
        .load(conn)?;
    let latest: HashMap<ConversationId, (String, String, bool)> = messages::table
        .inner_join(members::table.on(members::id.eq(messages::author_id)))
        .filter(messages::id.eq_any(latest_ids.into_iter().flatten().collect::<Vec<_>>()))
        .select((Message::as_select(), members::display_name))
        .load::<(Message, String)>(conn)?
        .into_iter()
        .map(|(message, author)| {
            let excerpt = if message.removed_at.is_some() {
                "Message removed".to_owned()
            } else if message.hidden_at.is_some() {
                "Message hidden by a facilitator".to_owned()
            } else {
                markdown::excerpt(&message.body_source, 120)
            };
            let waiting = message.delivered_at.is_none();
            (message.conversation_id, (author, excerpt, waiting))
        })
        .collect();
    let items = rows
        .into_iter()
        .map(|(id, muted, last_activity_at)| InboxRow {
            id,
            others: people
                .remove(&id)
                .unwrap_or_default()
                .into_iter()
                .filter(|p| p.id != viewer.id)
                .collect(),
            unread: unread.get(&id).copied().unwrap_or(0),
            muted,
            last_activity_at,
            latest: latest.get(&id).cloned(),
        })
        .collect();
    Ok(Paged::new(items, page, PER_PAGE, total))
}

/// Unread messages in each of these conversations of the member.
fn unread_by_conversation(
    conn: &mut DbConn,
    member: MemberId,
    ids: &[ConversationId],
    blocked: &[MemberId],
) -> QueryResult<HashMap<ConversationId, i64>> {
    Ok(messages::table
        .inner_join(
            cm::table.on(cm::conversation_id
                .eq(messages::conversation_id)
                .and(cm::member_id.eq(member))),
        )
        .filter(messages::conversation_id.eq_any(ids))
        .filter(messages::delivered_at.gt(cm::last_read_at.nullable()))
        .filter(messages::author_id.ne(member))
        .filter(messages::author_id.ne_all(blocked))
        .filter(messages::hidden_at.is_null())
        .filter(messages::removed_at.is_null())
        .group_by(messages::conversation_id)
        .select((messages::conversation_id, count_star()))
        .load::<(ConversationId, i64)>(conn)?
        .into_iter()
        .collect())
}

/// Unread messages in the member's conversations that are not muted: the header's count.
pub fn unread_count(conn: &mut DbConn, member: MemberId) -> QueryResult<i64> {
    // Those the member blocked, in the same statement: this count is on every page.
    let blocked = crate::schema::member_blocks::table
        .filter(crate::schema::member_blocks::blocker_id.eq(member))
        .select(crate::schema::member_blocks::blocked_id);
    messages::table
        .inner_join(
            cm::table.on(cm::conversation_id
                .eq(messages::conversation_id)
                .and(cm::member_id.eq(member))),
        )
        .filter(cm::left_at.is_null())
        .filter(cm::muted.eq(false))
        .filter(messages::delivered_at.gt(cm::last_read_at.nullable()))
        .filter(messages::author_id.ne(member))
        .filter(messages::author_id.ne_all(blocked))
        .filter(messages::hidden_at.is_null())
        .filter(messages::removed_at.is_null())
        .count()
        .get_result(conn)
}

/// The member leaves: the conversation leaves their inbox and search, and nothing more
/// reaches them. The others see that they left.
pub fn leave(
    tx: &mut WriteConn,
    viewer: &Viewer,
    id: ConversationId,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    let conn: &mut DbConn = tx;
    membership(conn, viewer.id, id)?;
    mark_read(conn, viewer.id, id, now)?;
    diesel::update(cm::table.find((id, viewer.id)))
        .set(cm::left_at.eq(now))
        .execute(conn)?;
    Ok(())
}

/// Mutes (or unmutes) a conversation for the member: it stays in the inbox, without
/// notifications or emails, and out of the header's count.
pub fn set_muted(
    tx: &mut WriteConn,
    viewer: &Viewer,
    id: ConversationId,
    muted: bool,
) -> Result<(), RuleError> {
    let conn: &mut DbConn = tx;
    membership(conn, viewer.id, id)?;
    diesel::update(cm::table.find((id, viewer.id)))
        .set(cm::muted.eq(muted))
        .execute(conn)?;
    Ok(())
}

/// The conversation of a message the viewer is in.
pub fn conversation_of(
    conn: &mut DbConn,
    viewer: &Viewer,
    message: MessageId,
) -> Result<ConversationId, RuleError> {
    let message = find(conn, message)?;
    membership(conn, viewer.id, message.conversation_id)?;
    Ok(message.conversation_id)
}

/// Where a message the viewer sees is: its conversation's page that holds it.
pub fn locate(conn: &mut DbConn, viewer: &Viewer, id: MessageId) -> Result<String, RuleError> {
    let conversation = conversation_of(conn, viewer, id)?;
    let blocked = contacts::blocked_by(conn, viewer.id)?;
    let before: i64 = messages::table
        .filter(messages::conversation_id.eq(conversation))
        .filter(seen_by!(viewer.id, blocked))
        .filter(messages::id.le(id))
        .count()
        .get_result(conn)?;
    if before == 0 {
        return Err(RuleError::NotFound);
    }
    let page = (before + MESSAGES_PER_PAGE - 1) / MESSAGES_PER_PAGE;
    Ok(format!("/messages/{conversation}?page={page}#message-{id}"))
}

/// Members a new message may be addressed to, by name, in the order asked: approved, not
/// erased. (Whether each takes messages from the sender is decided when it is sent.)
pub fn named(conn: &mut DbConn, ids: &[MemberId]) -> QueryResult<Vec<(MemberId, String)>> {
    let found: Vec<(MemberId, String)> = members::table
        .filter(members::id.eq_any(ids))
        .filter(members::approved_at.is_not_null())
        .filter(members::erased_at.is_null())
        .select((members::id, members::display_name))
        .load(conn)?;
    Ok(ids
        .iter()
        .filter_map(|id| found.iter().find(|(m, _)| m == id).cloned())
        .collect())
}

/// Everyone on a course run, for "Message the cohort": its booked participants and its two
/// facilitators. Only they (and admins) may write to the cohort.
pub fn cohort(
    conn: &mut DbConn,
    viewer: &Viewer,
    run: CourseRunId,
) -> Result<Vec<MemberId>, RuleError> {
    let (ot, link_worker) = crate::bookings::runs::facilitators(conn, run)?;
    let booked: Vec<MemberId> = bookings::table
        .filter(bookings::run_id.eq(run))
        .filter(bookings::status.eq(BookingStatus::Booked))
        .order(bookings::id.asc())
        .select(bookings::member_id)
        .load(conn)?;
    let mut everyone: Vec<MemberId> = [ot, link_worker].into_iter().flatten().collect();
    everyone.extend(booked);
    let mut seen = HashSet::new();
    everyone.retain(|id| seen.insert(*id));
    if !everyone.contains(&viewer.id) && !viewer.staff.is_admin() {
        return Err(RuleError::forbidden(
            "Only the people on this course run can message its cohort.",
        ));
    }
    everyone.retain(|id| *id != viewer.id);
    Ok(everyone)
}
