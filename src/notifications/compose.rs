//! Turns notifications into email: a letter each for those wanted straight away, and one
//! digest per member and period for the rest, the weekly one with the round-up of the
//! community's news. Everything goes into the outbox in the same transaction that marks the
//! notifications emailed, so a crash can neither lose nor double a letter.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use diesel::prelude::*;
use maud::{html, Markup};

use super::outbox;
use super::recall::{self, Carried};
use super::settings;
use super::unsubscribe;
use super::values::{Cadence, Scope, Topic};
use crate::accounts::{Borough, Role};
use crate::db::{DbConn, MemberId, NotificationId, PostId, ResourceId, ThreadId};
use crate::mail::{wrap_html, Letter};
use crate::markdown::{self, SafeHtml};
use crate::schema::{
    categories, digest_runs, digests, members, notification_settings, notifications, posts,
    resources, threads,
};
use crate::Site;

/// Digests go out at seven in the morning, London time (weekly ones on Mondays).
const DIGEST_HOUR: u32 = 7;
/// A digest lists at most this many items in full; the rest are counted.
const DIGEST_ITEMS: usize = 25;
/// Members handled in one transaction.
const BATCH: i64 = 100;

struct Recipient {
    id: MemberId,
    name: String,
    email: String,
    role: Role,
    borough: Borough,
}

enum Content {
    Post { source: String, html: SafeHtml },
    Resource { html: SafeHtml },
}

struct Item {
    id: NotificationId,
    member: MemberId,
    topic: Topic,
    headline: String,
    detail: String,
    link: String,
    content: Option<Content>,
    /// The post or resource it is about was hidden or removed since: say nothing of it.
    withdrawn: bool,
    read: bool,
    thread: Option<ThreadId>,
    post: Option<PostId>,
    resource: Option<ResourceId>,
}

impl Item {
    /// What a letter with this item carries, for a purge to find it by.
    fn carried(&self) -> Carried {
        Carried {
            notification: Some(self.id),
            thread: self.thread,
            post: self.post,
            resource: self.resource,
        }
    }
}

type PendingRow = (
    NotificationId,
    MemberId,
    Topic,
    String,
    String,
    String,
    Option<ThreadId>,
    Option<PostId>,
    Option<ResourceId>,
    Option<NaiveDateTime>,
);

type PostRow = (
    PostId,
    String,
    SafeHtml,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

fn recipients(conn: &mut DbConn, ids: &[MemberId]) -> QueryResult<HashMap<MemberId, Recipient>> {
    let rows: Vec<(MemberId, String, String, Role, Borough)> = members::table
        .filter(members::id.eq_any(ids))
        .filter(members::suspended_at.is_null())
        .select((
            members::id,
            members::display_name,
            members::email,
            members::role,
            members::borough,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, email, role, borough)| {
            (
                id,
                Recipient {
                    id,
                    name,
                    email,
                    role,
                    borough,
                },
            )
        })
        .collect())
}

/// The items with what they are about, in two queries whatever their number.
fn items(conn: &mut DbConn, rows: Vec<PendingRow>) -> QueryResult<Vec<Item>> {
    let post_ids: Vec<PostId> = rows.iter().filter_map(|r| r.7).collect();
    let resource_ids: Vec<ResourceId> = rows.iter().filter_map(|r| r.8).collect();
    let mut post_content: HashMap<PostId, (String, SafeHtml, bool)> = HashMap::new();
    for chunk in post_ids.chunks(500) {
        let found: Vec<PostRow> = posts::table
            .filter(posts::id.eq_any(chunk))
            .select((
                posts::id,
                posts::body_source,
                posts::body_html,
                posts::hidden_at,
                posts::deleted_at,
                posts::purged_at,
            ))
            .load(conn)?;
        for (id, source, html, hidden, deleted, purged) in found {
            let shown = hidden.is_none() && deleted.is_none() && purged.is_none();
            post_content.insert(id, (source, html, shown));
        }
    }
    let mut resource_content: HashMap<ResourceId, (SafeHtml, bool)> = HashMap::new();
    for chunk in resource_ids.chunks(500) {
        let found: Vec<(ResourceId, SafeHtml, Option<NaiveDateTime>)> = resources::table
            .filter(resources::id.eq_any(chunk))
            .select((
                resources::id,
                resources::description_html,
                resources::hidden_at,
            ))
            .load(conn)?;
        for (id, html, hidden) in found {
            resource_content.insert(id, (html, hidden.is_none()));
        }
    }
    Ok(rows
        .into_iter()
        .map(
            |(id, member, topic, headline, detail, link, thread, post, resource, read_at)| {
                let (content, withdrawn) = match (post, resource) {
                    (Some(post), _) => match post_content.get(&post).cloned() {
                        // Moderation news is about the hidden post itself: its author reads
                        // the reason, not the post.
                        Some(_) if topic == Topic::Moderation => (None, false),
                        Some((source, html, true)) => (Some(Content::Post { source, html }), false),
                        _ => (None, true),
                    },
                    (None, Some(resource)) => match resource_content.get(&resource).cloned() {
                        Some((html, true)) => (Some(Content::Resource { html }), false),
                        _ => (None, true),
                    },
                    (None, None) => (None, false),
                };
                Item {
                    id,
                    member,
                    topic,
                    headline,
                    detail,
                    link,
                    content,
                    withdrawn,
                    read: read_at.is_some(),
                    thread,
                    post,
                    resource,
                }
            },
        )
        .collect())
}

fn mark_emailed(conn: &mut DbConn, ids: &[NotificationId], now: NaiveDateTime) -> QueryResult<()> {
    for chunk in ids.chunks(500) {
        diesel::update(notifications::table.filter(notifications::id.eq_any(chunk)))
            .set(notifications::emailed_at.eq(now))
            .execute(conn)?;
    }
    Ok(())
}

/// One letter for each notification wanted straight away. Ones the member already read in
/// the app, or whose post has gone, are not sent. Returns the letters queued.
pub fn send_immediate(conn: &mut DbConn, site: &Site, now: NaiveDateTime) -> QueryResult<usize> {
    conn.write_transaction(|tx| {
        tx.serialize_on("notification-letters")?;
        let conn: &mut DbConn = tx;
        let rows: Vec<PendingRow> = notifications::table
            .filter(notifications::email.eq(Cadence::Immediately.slug()))
            .filter(notifications::emailed_at.is_null())
            .order(notifications::id.asc())
            .limit(BATCH)
            .select(pending_columns())
            .load(conn)?;
        if rows.is_empty() {
            return Ok(0);
        }
        let ids: Vec<NotificationId> = rows.iter().map(|r| r.0).collect();
        let mut people: Vec<MemberId> = rows.iter().map(|r| r.1).collect();
        people.sort();
        people.dedup();
        let who = recipients(conn, &people)?;
        let mut queued = 0;
        for item in items(conn, rows)? {
            let Some(to) = who.get(&item.member) else {
                continue;
            };
            if item.read || item.withdrawn {
                continue;
            }
            let letter = outbox::enqueue(conn, Some(to.id), &single_letter(site, to, &item), now)?;
            recall::record(conn, letter, &[item.carried()])?;
            queued += 1;
        }
        mark_emailed(conn, &ids, now)?;
        Ok(queued)
    })
}

#[allow(clippy::type_complexity)]
fn pending_columns() -> (
    notifications::id,
    notifications::member_id,
    notifications::kind,
    notifications::headline,
    notifications::detail,
    notifications::link,
    notifications::thread_id,
    notifications::post_id,
    notifications::resource_id,
    notifications::read_at,
) {
    (
        notifications::id,
        notifications::member_id,
        notifications::kind,
        notifications::headline,
        notifications::detail,
        notifications::link,
        notifications::thread_id,
        notifications::post_id,
        notifications::resource_id,
        notifications::read_at,
    )
}

/// The latest digest time at or before `now`, and the name of its period: `2026-11-25` for a
/// daily digest, `2026-W48` for a weekly one.
pub fn period(cadence: Cadence, now: NaiveDateTime) -> (NaiveDateTime, String) {
    let london = chrono_tz::Europe::London.from_utc_datetime(&now);
    let seven = NaiveTime::from_hms_opt(DIGEST_HOUR, 0, 0).expect("a valid time");
    let mut day: NaiveDate = london.date_naive();
    if london.time() < seven {
        day = day.pred_opt().expect("a day before");
    }
    let (day, name) = match cadence {
        Cadence::Weekly => {
            let monday =
                day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday()));
            let week = monday.iso_week();
            (monday, format!("{}-W{:02}", week.year(), week.week()))
        }
        _ => (day, day.to_string()),
    };
    let start = chrono_tz::Europe::London
        .from_local_datetime(&day.and_time(seven))
        .earliest()
        .map(|at| at.naive_utc())
        .unwrap_or_else(|| day.and_time(seven));
    (start, name)
}

/// Where one period's digests stood after [`send_digests`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestRun {
    pub cadence: Cadence,
    /// The period's name: `2026-12-07`, or `2026-W50` for a week.
    pub period: String,
    /// Letters this call queued.
    pub letters: usize,
    pub finished: Finished,
}

/// Who recorded a period's digests as done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finished {
    /// This call did.
    Here,
    /// They were done already when this call looked, or another worker finished them while
    /// this one was helping.
    Elsewhere,
}

/// Sends the digests due for this cadence: everything wanted daily (or weekly) that happened
/// before the latest digest time, one letter per member; the weekly one also brings the
/// round-up to those who want it. Returns the letters queued, and who finished the period.
pub fn send_digests(
    conn: &mut DbConn,
    site: &Site,
    cadence: Cadence,
    now: NaiveDateTime,
) -> QueryResult<DigestRun> {
    let (start, name) = period(cadence, now);
    let mut run = DigestRun {
        cadence,
        letters: 0,
        finished: Finished::Elsewhere,
        period: name,
    };
    if digests_recorded(conn, cadence, &run.period)? {
        return Ok(run);
    }
    let mut news_cache: HashMap<(Borough, Role), Roundup> = HashMap::new();
    loop {
        let (letters, handled) = conn.write_transaction(|tx| {
            tx.serialize_on("notification-letters")?;
            let conn: &mut DbConn = tx;
            let done = digest_batch(
                conn,
                site,
                cadence,
                start,
                &run.period,
                now,
                &mut news_cache,
            )?;
            // Notifications made from now on are after the period's start: they wait for
            // the next period, so this one is finished.
            if done.1 == 0 && !digests_recorded(conn, cadence, &run.period)? {
                diesel::insert_into(digest_runs::table)
                    .values((
                        digest_runs::cadence.eq(cadence.slug()),
                        digest_runs::period.eq(&run.period),
                        digest_runs::finished_at.eq(now),
                    ))
                    .execute(conn)?;
                run.finished = Finished::Here;
            }
            Ok::<_, diesel::result::Error>(done)
        })?;
        run.letters += letters;
        if handled == 0 {
            return Ok(run);
        }
    }
}

/// Whether a period's digests are recorded as done.
fn digests_recorded(conn: &mut DbConn, cadence: Cadence, period: &str) -> QueryResult<bool> {
    let recorded: Option<String> = digest_runs::table
        .find((cadence.slug(), period))
        .select(digest_runs::period)
        .first(conn)
        .optional()?;
    Ok(recorded.is_some())
}

/// When each cadence's digests were last finished, by any node: `(cadence, finished at)`.
pub fn last_digest_runs(conn: &mut DbConn) -> QueryResult<Vec<(String, NaiveDateTime)>> {
    use diesel::dsl::max;
    let rows: Vec<(String, Option<NaiveDateTime>)> = digest_runs::table
        .group_by(digest_runs::cadence)
        .select((digest_runs::cadence, max(digest_runs::finished_at)))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(cadence, at)| Some((cadence, at?)))
        .collect())
}

#[allow(clippy::too_many_arguments)]
fn digest_batch(
    conn: &mut DbConn,
    site: &Site,
    cadence: Cadence,
    start: NaiveDateTime,
    name: &str,
    now: NaiveDateTime,
    news_cache: &mut HashMap<(Borough, Role), Roundup>,
) -> QueryResult<(usize, usize)> {
    let mut people: Vec<MemberId> = notifications::table
        .filter(notifications::email.eq(cadence.slug()))
        .filter(notifications::emailed_at.is_null())
        .filter(notifications::created_at.lt(start))
        .select(notifications::member_id)
        .distinct()
        .limit(BATCH)
        .load(conn)?;
    if cadence == Cadence::Weekly && (people.len() as i64) < BATCH {
        // Members who want the round-up and have not had this week's letter.
        let wanting: Vec<MemberId> = members::table
            .left_join(
                notification_settings::table.on(notification_settings::member_id.eq(members::id)),
            )
            .left_join(
                digests::table.on(digests::member_id
                    .eq(members::id)
                    .and(digests::cadence.eq(Cadence::Weekly.slug()))
                    .and(digests::period.eq(name))),
            )
            .filter(digests::member_id.is_null())
            .filter(
                notification_settings::roundup
                    .eq(Cadence::Weekly.slug())
                    .or(notification_settings::member_id.is_null()),
            )
            .filter(members::suspended_at.is_null())
            .filter(members::approved_at.is_not_null())
            .filter(members::created_at.lt(start))
            .order(members::id.asc())
            .limit(BATCH - people.len() as i64)
            .select(members::id)
            .load(conn)?;
        people.extend(wanting);
        people.sort();
        people.dedup();
    }
    if people.is_empty() {
        return Ok((0, 0));
    }
    let rows: Vec<PendingRow> = notifications::table
        .filter(notifications::member_id.eq_any(&people))
        .filter(notifications::email.eq(cadence.slug()))
        .filter(notifications::emailed_at.is_null())
        .filter(notifications::created_at.lt(start))
        .order(notifications::id.asc())
        .select(pending_columns())
        .load(conn)?;
    let ids: Vec<NotificationId> = rows.iter().map(|r| r.0).collect();
    let mut by_member: HashMap<MemberId, Vec<Item>> = HashMap::new();
    for item in items(conn, rows)? {
        by_member.entry(item.member).or_default().push(item);
    }
    let who = recipients(conn, &people)?;
    let chosen = settings::of_many(conn, &people)?;
    // Who already had this period's letter (a second batch of pending notifications).
    let had: std::collections::HashSet<MemberId> = digests::table
        .filter(digests::member_id.eq_any(&people))
        .filter(digests::cadence.eq(cadence.slug()))
        .filter(digests::period.eq(name))
        .select(digests::member_id)
        .load::<MemberId>(conn)?
        .into_iter()
        .collect();
    let mut queued = 0;
    for member in &people {
        let already = had.contains(member).then_some(*member);
        if already.is_none() {
            diesel::insert_into(digests::table)
                .values((
                    digests::member_id.eq(*member),
                    digests::cadence.eq(cadence.slug()),
                    digests::period.eq(name),
                    digests::created_at.eq(now),
                ))
                .execute(conn)?;
        }
        let Some(to) = who.get(member) else {
            continue;
        };
        let items: Vec<Item> = by_member
            .remove(member)
            .unwrap_or_default()
            .into_iter()
            .filter(|item| !item.withdrawn)
            .collect();
        let wants_news = cadence == Cadence::Weekly
            && already.is_none()
            && chosen.get(member).copied().unwrap_or_default().roundup == Cadence::Weekly;
        let news = if wants_news {
            let key = (to.borough, to.role);
            if let std::collections::hash_map::Entry::Vacant(slot) = news_cache.entry(key) {
                slot.insert(roundup(conn, to.borough, to.role, start)?);
            }
            news_cache.get(&key).filter(|news| !news.is_empty())
        } else {
            None
        };
        if items.is_empty() && news.is_none() {
            continue;
        }
        let letter = digest_letter(site, to, cadence, &items, news);
        let letter = outbox::enqueue(conn, Some(to.id), &letter, now)?;
        recall::record(conn, letter, &digest_carries(&items, news))?;
        diesel::update(digests::table.find((*member, cadence.slug(), name)))
            .set(digests::outbox_id.eq(letter))
            .execute(conn)?;
        queued += 1;
    }
    mark_emailed(conn, &ids, now)?;
    Ok((queued, people.len()))
}

/// Everything a digest names: its items (those only counted too, since they were marked
/// emailed with it), and the threads and resources of its round-up.
fn digest_carries(items: &[Item], news: Option<&Roundup>) -> Vec<Carried> {
    let mut carried: Vec<Carried> = items.iter().map(Item::carried).collect();
    if let Some(news) = news {
        carried.extend(news.threads.iter().map(|(thread, ..)| Carried {
            thread: Some(*thread),
            ..Carried::default()
        }));
        carried.extend(news.resources.iter().map(|(resource, _)| Carried {
            resource: Some(*resource),
            ..Carried::default()
        }));
    }
    carried
}

/// The week's news for one cluster of boroughs and one role.
#[derive(Debug, Clone, Default)]
struct Roundup {
    threads: Vec<(ThreadId, String, i64)>,
    resources: Vec<(ResourceId, String)>,
}

impl Roundup {
    fn is_empty(&self) -> bool {
        self.threads.is_empty() && self.resources.is_empty()
    }
}

const ROUNDUP_ITEMS: usize = 5;

/// The busiest threads of the week ending at `end` (most posts from the member's cluster of
/// boroughs first, then from anyone), in open categories, and the resources added that week
/// for the member's role and cluster.
fn roundup(
    conn: &mut DbConn,
    borough: Borough,
    role: Role,
    end: NaiveDateTime,
) -> QueryResult<Roundup> {
    let start = end - chrono::Duration::days(7);
    let cluster: Vec<&str> = borough.cluster().iter().map(|b| b.slug()).collect();
    let busiest =
        |conn: &mut DbConn, cluster_only: bool| -> QueryResult<Vec<(ThreadId, String, i64)>> {
            let mut query = posts::table
                .inner_join(threads::table.inner_join(categories::table))
                .inner_join(members::table.on(members::id.eq(posts::author_id)))
                .filter(posts::created_at.ge(start))
                .filter(posts::created_at.lt(end))
                .filter(posts::hidden_at.is_null())
                .filter(posts::deleted_at.is_null())
                .filter(posts::purged_at.is_null())
                .filter(categories::course_run_id.is_null())
                .group_by((threads::id, threads::title))
                .select((threads::id, threads::title, diesel::dsl::count_star()))
                .order((diesel::dsl::count_star().desc(), threads::id.desc()))
                .limit(ROUNDUP_ITEMS as i64)
                .into_boxed();
            if cluster_only {
                query = query.filter(members::borough.eq_any(cluster.clone()));
            }
            query.load(conn)
        };
    let mut threads_found = busiest(conn, true)?;
    if threads_found.len() < ROUNDUP_ITEMS {
        for row in busiest(conn, false)? {
            if threads_found.len() < ROUNDUP_ITEMS && !threads_found.iter().any(|t| t.0 == row.0) {
                threads_found.push(row);
            }
        }
    }
    let resources_found: Vec<(ResourceId, String)> = resources::table
        .filter(resources::created_at.ge(start))
        .filter(resources::created_at.lt(end))
        .filter(resources::hidden_at.is_null())
        .filter(resources::audience.eq_any(["both", role.slug()]))
        .filter(
            resources::borough
                .is_null()
                .or(resources::borough.eq_any(cluster.clone())),
        )
        .order((resources::download_count.desc(), resources::id.desc()))
        .limit(ROUNDUP_ITEMS as i64)
        .select((resources::id, resources::title))
        .load(conn)?;
    Ok(Roundup {
        threads: threads_found,
        resources: resources_found,
    })
}

fn footer_text(site: &Site, unsubscribe: &str, what: &str) -> String {
    format!(
        "\n--\nYou get this email because of your SPOT notification settings.\n\
         Choose which emails you get: {base}/account/notifications\n\
         Stop {what}: {unsubscribe}\n",
        base = site.base_url
    )
}

fn footer_html(site: &Site, unsubscribe: &str, what: &str) -> Markup {
    html! {
        hr;
        p style="font-size: 14px; color: #4c6272;" {
            "You get this email because of your SPOT notification settings. "
            a href=(format!("{}/account/notifications", site.base_url)) { "Choose which emails you get" }
            ", or "
            a href=(unsubscribe) { "stop " (what) }
            "."
        }
    }
}

fn single_letter(site: &Site, to: &Recipient, item: &Item) -> Letter {
    let scope = Scope::Topic(item.topic);
    let unsubscribe = unsubscribe::url(site, to.id, scope);
    let what = scope.to_string();
    let link = format!("{}{}", site.base_url, item.link);
    let mut text = format!("Hello {},\n\n{}\n", to.name, item.headline);
    if !item.detail.is_empty() {
        text.push_str(&format!("\n{}\n", item.detail));
    }
    match &item.content {
        Some(Content::Post { source, .. }) => {
            text.push('\n');
            for line in source.lines() {
                text.push_str(&format!("> {line}\n"));
            }
        }
        Some(Content::Resource { .. }) | None => {}
    }
    text.push_str(&format!("\nOpen it on SPOT: {link}\n"));
    text.push_str(&footer_text(site, &unsubscribe, &what));
    let body = html! {
        p { "Hello " (to.name) "," }
        p { strong { (item.headline) } }
        @if !item.detail.is_empty() { p { (item.detail) } }
        (content_html(&item.content))
        p { a href=(link) { "Open it on SPOT" } }
        (footer_html(site, &unsubscribe, &what))
    };
    Letter {
        to_name: to.name.clone(),
        to_address: to.email.clone(),
        subject: item.headline.clone(),
        text,
        html: Some(wrap_html(body)),
        unsubscribe_url: Some(unsubscribe),
        message_id: None,
        attachment: None,
        reply_to: None,
    }
}

fn content_html(content: &Option<Content>) -> Markup {
    html! {
        @match content {
            Some(Content::Post { html, .. }) | Some(Content::Resource { html }) => {
                blockquote style="margin: 0 0 16px; padding: 0 16px; border-left: 4px solid #005eb8;" { (html) }
            }
            None => {}
        }
    }
}

fn digest_letter(
    site: &Site,
    to: &Recipient,
    cadence: Cadence,
    items: &[Item],
    news: Option<&Roundup>,
) -> Letter {
    let scope = Scope::Digest(cadence);
    let unsubscribe = unsubscribe::url(site, to.id, scope);
    let what = scope.to_string();
    let (shown, more) = items.split_at(items.len().min(DIGEST_ITEMS));
    let subject = match (cadence, items.len()) {
        (Cadence::Weekly, 0) => "This week on SPOT".to_owned(),
        (Cadence::Weekly, n) => format!("This week on SPOT: {n} update{}", plural(n)),
        (_, n) => format!("Your daily SPOT digest: {n} update{}", plural(n)),
    };
    let mut text = format!("Hello {},\n\n", to.name);
    if !shown.is_empty() {
        text.push_str("For you:\n\n");
        for item in shown {
            text.push_str(&format!(
                "* {}\n  {}{}\n",
                item.headline, site.base_url, item.link
            ));
            if let Some(Content::Post { source, .. }) = &item.content {
                text.push_str(&format!("  {}\n", markdown::excerpt(source, 200)));
            }
            if !item.detail.is_empty() {
                text.push_str(&format!("  {}\n", item.detail));
            }
            text.push('\n');
        }
        if !more.is_empty() {
            text.push_str(&format!(
                "And {} more: {}/notifications\n\n",
                more.len(),
                site.base_url
            ));
        }
    }
    if let Some(news) = news {
        if !news.threads.is_empty() {
            text.push_str("Busiest discussions this week:\n\n");
            for (id, title, count) in &news.threads {
                text.push_str(&format!(
                    "* {title} ({count} post{})\n  {}/threads/{id}\n",
                    plural(*count as usize),
                    site.base_url
                ));
            }
            text.push('\n');
        }
        if !news.resources.is_empty() {
            text.push_str("New in the resource library for you:\n\n");
            for (id, title) in &news.resources {
                text.push_str(&format!("* {title}\n  {}/resources/{id}\n", site.base_url));
            }
            text.push('\n');
        }
    }
    text.push_str(&footer_text(site, &unsubscribe, &what));
    let body = html! {
        p { "Hello " (to.name) "," }
        @if !shown.is_empty() {
            h2 style="font-size: 20px;" { "For you" }
            @for item in shown {
                h3 style="font-size: 17px; margin-bottom: 4px;" {
                    a href=(format!("{}{}", site.base_url, item.link)) { (item.headline) }
                }
                @if !item.detail.is_empty() { p { (item.detail) } }
                (content_html(&item.content))
            }
            @if !more.is_empty() {
                p { a href=(format!("{}/notifications", site.base_url)) { "And " (more.len()) " more on your notifications page" } }
            }
        }
        @if let Some(news) = news {
            @if !news.threads.is_empty() {
                h2 style="font-size: 20px;" { "Busiest discussions this week" }
                ul {
                    @for (id, title, count) in &news.threads {
                        li { a href=(format!("{}/threads/{id}", site.base_url)) { (title) } " (" (count) " post" (plural(*count as usize)) ")" }
                    }
                }
            }
            @if !news.resources.is_empty() {
                h2 style="font-size: 20px;" { "New in the resource library for you" }
                ul {
                    @for (id, title) in &news.resources {
                        li { a href=(format!("{}/resources/{id}", site.base_url)) { (title) } }
                    }
                }
            }
        }
        (footer_html(site, &unsubscribe, &what))
    };
    Letter {
        to_name: to.name.clone(),
        to_address: to.email.clone(),
        subject,
        text,
        html: Some(wrap_html(body)),
        unsubscribe_url: Some(unsubscribe),
        message_id: None,
        attachment: None,
        reply_to: None,
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn the_daily_digest_turns_at_seven_london_time() {
        // 25 November: London is on GMT.
        assert_eq!(
            period(Cadence::Daily, at("2026-11-25 06:59")),
            (at("2026-11-24 07:00"), "2026-11-24".to_owned())
        );
        assert_eq!(
            period(Cadence::Daily, at("2026-11-25 07:00")),
            (at("2026-11-25 07:00"), "2026-11-25".to_owned())
        );
        // In summer seven in London is six in UTC.
        assert_eq!(
            period(Cadence::Daily, at("2026-07-01 06:30")).0,
            at("2026-07-01 06:00")
        );
    }

    #[test]
    fn the_weekly_digest_turns_on_monday_morning() {
        // 25 November 2026 is a Wednesday; its week began on Monday the 23rd.
        assert_eq!(
            period(Cadence::Weekly, at("2026-11-25 12:00")),
            (at("2026-11-23 07:00"), "2026-W48".to_owned())
        );
        assert_eq!(
            period(Cadence::Weekly, at("2026-11-23 06:00")),
            (at("2026-11-16 07:00"), "2026-W47".to_owned())
        );
    }
}
