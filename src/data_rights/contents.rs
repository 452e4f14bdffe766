//! What an export holds: everything in the database that belongs to one member, kind by
//! kind, as the plain records that go into its JSON documents. Lists are read a page at a
//! time (the rows after a given id), so that a long one is never in memory whole.
//!
//! What is left out, on purpose: the password hash, sign-in and email-confirmation tokens,
//! rate-limit records, and others' words (replies, others' posts that mention the member):
//! those are others' data, and the member's notifications point to them.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::{
    BookingId, CategoryId, ConversationId, CourseRunId, DbConn, MemberId, MessageId,
    NotificationId, PostId, ReportId, ResourceId, SessionId, ThreadId,
};
use crate::schema::{
    applications, attendance, audit_log, bookings, categories, category_watches, course_runs,
    course_sessions, helpful_marks, holds, members, messages, notification_settings, notifications,
    post_revisions, posts, reports, resources, tag_follows, tags, thread_reads, thread_watches,
    threads,
};

/// Rows read at once for a list.
pub const PAGE: i64 = 200;

/// A record in a list, read in pages by its id.
pub trait Keyed {
    fn key(&self) -> i64;
}

macro_rules! keyed {
    ($($record:ty),+) => {
        $(impl Keyed for $record {
            fn key(&self) -> i64 {
                self.id.0
            }
        })+
    };
}

/// How many records the export will hold: its progress counts them.
pub fn count(conn: &mut DbConn, member: MemberId) -> QueryResult<i64> {
    let counts = [
        posts::table
            .filter(posts::author_id.eq(member))
            .count()
            .get_result::<i64>(conn)?,
        threads::table
            .filter(threads::author_id.eq(member))
            .count()
            .get_result(conn)?,
        // Each resource, and each file once more.
        resources::table
            .filter(resources::owner_id.eq(member))
            .count()
            .get_result(conn)?,
        resources::table
            .filter(resources::owner_id.eq(member))
            .filter(resources::file_key.is_not_null())
            .count()
            .get_result(conn)?,
        bookings::table
            .filter(bookings::member_id.eq(member))
            .count()
            .get_result(conn)?,
        notifications::table
            .filter(notifications::member_id.eq(member))
            .count()
            .get_result(conn)?,
        reports::table
            .filter(reports::reporter_id.eq(member))
            .count()
            .get_result(conn)?,
        messages::table
            .filter(messages::author_id.eq(member))
            .count()
            .get_result(conn)?,
        audit_log::table
            .filter(about_them(member))
            .count()
            .get_result(conn)?,
    ];
    // The profile is one more.
    Ok(1 + counts.iter().sum::<i64>())
}

// ---------------------------------------------------------------------------------------
// profile.json

#[derive(Debug, Serialize)]
pub struct Profile {
    pub member_id: MemberId,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub borough: String,
    pub organisation: String,
    /// The "about" text as written (Markdown).
    pub about: String,
    pub listed_in_directory: bool,
    pub staff_level: String,
    pub joined_at: NaiveDateTime,
    pub email_confirmed_at: Option<NaiveDateTime>,
    pub approved_at: Option<NaiveDateTime>,
    pub suspended_at: Option<NaiveDateTime>,
    pub suspended_until: Option<NaiveDateTime>,
    pub suspension_reason: Option<String>,
    /// What they wrote when they applied to join, and what became of it.
    pub application: Option<Application>,
    /// Which notifications are emailed, and how often; `None`: the defaults.
    pub notification_settings: Option<NotificationSettings>,
    pub watched_threads: Vec<WatchedThread>,
    pub watched_categories: Vec<WatchedCategory>,
    pub followed_tags: Vec<String>,
    /// How far they have read each thread they opened.
    pub threads_read: Vec<ThreadRead>,
    /// Posts they marked as helpful.
    pub marked_helpful: Vec<HelpfulMark>,
    /// What the patient-data guard held back for a facilitator, and its outcome.
    pub held_for_review: Vec<Held>,
    /// "My service" on their profile, as written (Markdown), and the boroughs it covers.
    pub service: Option<ServiceRecord>,
}

/// A member's service description.
#[derive(Debug, Serialize)]
pub struct ServiceRecord {
    pub offers: String,
    pub who_it_is_for: String,
    pub how_to_refer: String,
    pub area: Vec<String>,
}

impl ServiceRecord {
    fn of(service: crate::connect::services::Service) -> Option<Self> {
        (!service.is_empty()).then(|| Self {
            offers: service.texts.offers,
            who_it_is_for: service.texts.who_for,
            how_to_refer: service.texts.referral,
            area: service.area.iter().map(|b| b.slug().to_owned()).collect(),
        })
    }
}

#[derive(Debug, Queryable)]
struct MemberRow {
    id: MemberId,
    email: String,
    display_name: String,
    role: String,
    borough: String,
    organisation: String,
    about_source: String,
    listed: bool,
    staff: String,
    created_at: NaiveDateTime,
    email_confirmed_at: Option<NaiveDateTime>,
    approved_at: Option<NaiveDateTime>,
    suspended_at: Option<NaiveDateTime>,
    suspended_until: Option<NaiveDateTime>,
    suspension_reason: Option<String>,
}

#[derive(Debug, Serialize, Queryable)]
pub struct Application {
    pub about_work: String,
    pub status: String,
    pub submitted_at: NaiveDateTime,
    pub decided_at: Option<NaiveDateTime>,
    pub reason: String,
}

#[derive(Debug, Serialize, Queryable)]
pub struct NotificationSettings {
    pub replies: String,
    pub mentions: String,
    pub watching: String,
    pub tags: String,
    pub moderation: String,
    pub roundup: String,
    pub auto_watch: bool,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Serialize, Queryable)]
pub struct WatchedThread {
    pub thread_id: ThreadId,
    pub title: String,
    /// `false`: they chose not to hear about it (muted).
    pub watching: bool,
}

#[derive(Debug, Serialize, Queryable)]
pub struct WatchedCategory {
    pub category_id: CategoryId,
    pub name: String,
}

#[derive(Debug, Serialize, Queryable)]
pub struct ThreadRead {
    pub thread_id: ThreadId,
    pub title: String,
    pub last_read_position: i32,
}

#[derive(Debug, Serialize, Queryable)]
pub struct HelpfulMark {
    pub post_id: PostId,
    pub thread_id: ThreadId,
    pub marked_at: NaiveDateTime,
}

#[derive(Debug, Serialize, Queryable)]
pub struct Held {
    pub kind: String,
    pub status: String,
    pub thread_id: Option<ThreadId>,
    pub post_id: Option<PostId>,
    pub resource_id: Option<ResourceId>,
    /// A profile text waiting for review.
    pub text: Option<String>,
    pub held_at: NaiveDateTime,
    pub decided_at: Option<NaiveDateTime>,
    pub note: String,
}

pub fn profile(conn: &mut DbConn, member: MemberId) -> QueryResult<Profile> {
    let row: MemberRow = members::table
        .find(member)
        .select((
            members::id,
            members::email,
            members::display_name,
            members::role,
            members::borough,
            members::organisation,
            members::about_source,
            members::listed,
            members::staff,
            members::created_at,
            members::email_confirmed_at,
            members::approved_at,
            members::suspended_at,
            members::suspended_until,
            members::suspension_reason,
        ))
        .first(conn)?;
    let application = applications::table
        .find(member)
        .select((
            applications::about_work,
            applications::status,
            applications::submitted_at,
            applications::decided_at,
            applications::reason,
        ))
        .first(conn)
        .optional()?;
    let notification_settings = notification_settings::table
        .find(member)
        .select((
            notification_settings::replies,
            notification_settings::mentions,
            notification_settings::watching,
            notification_settings::tags,
            notification_settings::moderation,
            notification_settings::roundup,
            notification_settings::auto_watch,
            notification_settings::updated_at,
        ))
        .first(conn)
        .optional()?;
    let watched_threads = thread_watches::table
        .inner_join(threads::table)
        .filter(thread_watches::member_id.eq(member))
        .order(threads::id.asc())
        .select((threads::id, threads::title, thread_watches::watching))
        .load(conn)?;
    let watched_categories = category_watches::table
        .inner_join(categories::table)
        .filter(category_watches::member_id.eq(member))
        .order(categories::position.asc())
        .select((categories::id, categories::name))
        .load(conn)?;
    let followed_tags = tag_follows::table
        .inner_join(tags::table)
        .filter(tag_follows::member_id.eq(member))
        .order(tags::name.asc())
        .select(tags::name)
        .load(conn)?;
    let threads_read = thread_reads::table
        .inner_join(threads::table.on(threads::id.eq(thread_reads::thread_id)))
        .filter(thread_reads::member_id.eq(member))
        .order(threads::id.asc())
        .select((
            threads::id,
            threads::title,
            thread_reads::last_read_position,
        ))
        .load(conn)?;
    let marked_helpful = helpful_marks::table
        .inner_join(posts::table.on(posts::id.eq(helpful_marks::post_id)))
        .filter(helpful_marks::member_id.eq(member))
        .order(helpful_marks::created_at.asc())
        .select((posts::id, posts::thread_id, helpful_marks::created_at))
        .load(conn)?;
    let held_for_review = holds::table
        .filter(holds::author_id.eq(member))
        .order(holds::id.asc())
        .select((
            holds::kind,
            holds::status,
            holds::thread_id,
            holds::post_id,
            holds::resource_id,
            holds::pending_text,
            holds::held_at,
            holds::decided_at,
            holds::note,
        ))
        .load(conn)?;
    let service = ServiceRecord::of(crate::connect::services::of(conn, member)?);
    Ok(Profile {
        member_id: row.id,
        email: row.email,
        display_name: row.display_name,
        role: row.role,
        borough: row.borough,
        organisation: row.organisation,
        about: row.about_source,
        listed_in_directory: row.listed,
        staff_level: row.staff,
        joined_at: row.created_at,
        email_confirmed_at: row.email_confirmed_at,
        approved_at: row.approved_at,
        suspended_at: row.suspended_at,
        suspended_until: row.suspended_until,
        suspension_reason: row.suspension_reason,
        application,
        notification_settings,
        watched_threads,
        watched_categories,
        followed_tags,
        threads_read,
        marked_helpful,
        held_for_review,
        service,
    })
}

// ---------------------------------------------------------------------------------------
// posts.json

#[derive(Debug, Serialize)]
pub struct Post {
    pub id: PostId,
    pub thread_id: ThreadId,
    pub thread_title: String,
    /// Its place in the thread: 1 is the opening post.
    pub position: i32,
    pub reply_to_post_id: Option<PostId>,
    pub written_at: NaiveDateTime,
    pub edited_at: Option<NaiveDateTime>,
    /// As written (Markdown), in its latest version.
    pub body: String,
    /// What it said before each edit, oldest first.
    pub earlier_versions: Vec<Version>,
    pub helpful_count: i32,
    pub hidden_at: Option<NaiveDateTime>,
    pub hidden_reason: Option<String>,
    pub held_at: Option<NaiveDateTime>,
    pub deleted_at: Option<NaiveDateTime>,
    pub purged_at: Option<NaiveDateTime>,
}
keyed!(Post);

#[derive(Debug, Serialize)]
pub struct Version {
    /// When this version was written.
    pub written_at: NaiveDateTime,
    pub body: String,
}

type PostRow = (
    PostId,
    ThreadId,
    String,
    i32,
    Option<PostId>,
    NaiveDateTime,
    Option<NaiveDateTime>,
    String,
    i32,
    (
        Option<NaiveDateTime>,
        Option<String>,
        Option<NaiveDateTime>,
        Option<NaiveDateTime>,
        Option<NaiveDateTime>,
    ),
);

/// The member's posts after `after`, each with its thread's title and earlier versions.
pub fn posts(conn: &mut DbConn, member: MemberId, after: i64) -> QueryResult<Vec<Post>> {
    let rows: Vec<PostRow> = posts::table
        .inner_join(threads::table)
        .filter(posts::author_id.eq(member))
        .filter(posts::id.gt(after))
        .order(posts::id.asc())
        .limit(PAGE)
        .select((
            posts::id,
            posts::thread_id,
            threads::title,
            posts::position,
            posts::reply_to_id,
            posts::created_at,
            posts::edited_at,
            posts::body_source,
            posts::helpful_count,
            (
                posts::hidden_at,
                posts::hidden_reason,
                posts::held_at,
                posts::deleted_at,
                posts::purged_at,
            ),
        ))
        .load(conn)?;
    let ids: Vec<PostId> = rows.iter().map(|row| row.0).collect();
    let mut versions: HashMap<PostId, Vec<Version>> = HashMap::new();
    for (post, written_at, body) in post_revisions::table
        .filter(post_revisions::post_id.eq_any(&ids))
        .order(post_revisions::id.asc())
        .select((
            post_revisions::post_id,
            post_revisions::written_at,
            post_revisions::body_source,
        ))
        .load::<(PostId, NaiveDateTime, String)>(conn)?
    {
        versions
            .entry(post)
            .or_default()
            .push(Version { written_at, body });
    }
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                thread_id,
                thread_title,
                position,
                reply_to,
                written_at,
                edited_at,
                body,
                helpful,
                moderation,
            )| {
                let (hidden_at, hidden_reason, held_at, deleted_at, purged_at) = moderation;
                Post {
                    id,
                    thread_id,
                    thread_title,
                    position,
                    reply_to_post_id: reply_to,
                    written_at,
                    edited_at,
                    body,
                    earlier_versions: versions.remove(&id).unwrap_or_default(),
                    helpful_count: helpful,
                    hidden_at,
                    hidden_reason,
                    held_at,
                    deleted_at,
                    purged_at,
                }
            },
        )
        .collect())
}

// ---------------------------------------------------------------------------------------
// threads.json

#[derive(Debug, Serialize, Queryable)]
pub struct Thread {
    pub id: ThreadId,
    pub category: String,
    pub title: String,
    pub started_at: NaiveDateTime,
    pub post_count: i32,
    pub pinned: bool,
    pub locked: bool,
    pub held_at: Option<NaiveDateTime>,
}
keyed!(Thread);

/// The threads the member started, after `after`.
pub fn threads(conn: &mut DbConn, member: MemberId, after: i64) -> QueryResult<Vec<Thread>> {
    threads::table
        .inner_join(categories::table)
        .filter(threads::author_id.eq(member))
        .filter(threads::id.gt(after))
        .order(threads::id.asc())
        .limit(PAGE)
        .select((
            threads::id,
            categories::name,
            threads::title,
            threads::created_at,
            threads::post_count,
            threads::pinned,
            threads::locked,
            threads::held_at,
        ))
        .load(conn)
}

// ---------------------------------------------------------------------------------------
// resources.json, and the files

#[derive(Debug, Serialize)]
pub struct Resource {
    pub id: ResourceId,
    pub title: String,
    /// As written (Markdown).
    pub description: String,
    /// `file` or `link`.
    pub kind: String,
    pub url: Option<String>,
    /// The file shared, as it was uploaded; `None` for a link.
    pub file: Option<SharedFile>,
    pub tags: Vec<String>,
    pub audience: String,
    pub borough: Option<String>,
    pub shared_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub download_count: i64,
    pub discussion_thread_id: Option<ThreadId>,
    pub hidden_at: Option<NaiveDateTime>,
    pub held_at: Option<NaiveDateTime>,
}
keyed!(Resource);

#[derive(Debug, Serialize)]
pub struct SharedFile {
    /// Where the file is inside the zip.
    pub path_in_zip: String,
    pub original_name: String,
    pub content_type: Option<String>,
    pub size_bytes: Option<i64>,
    pub sha256: Option<String>,
}

type ResourceRow = (
    (ResourceId, String, String, String, Option<String>),
    (Option<String>, Option<String>, Option<i64>, Option<String>),
    (String, Option<String>, NaiveDateTime, NaiveDateTime, i64),
    (
        Option<ThreadId>,
        Option<NaiveDateTime>,
        Option<NaiveDateTime>,
    ),
);

/// Where a resource's file goes in the zip: `files/<id>-<name as uploaded>`, the name kept
/// to one safe path segment.
pub fn path_in_zip(id: ResourceId, original_name: &str) -> String {
    let name: String = original_name
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c == ':' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let name = name.trim().trim_start_matches('.');
    let name = if name.is_empty() { "file" } else { name };
    format!("files/{id}-{name}")
}

/// The resources the member shared, after `after`, with their tags.
pub fn resources(conn: &mut DbConn, member: MemberId, after: i64) -> QueryResult<Vec<Resource>> {
    let rows: Vec<ResourceRow> = resources::table
        .filter(resources::owner_id.eq(member))
        .filter(resources::id.gt(after))
        .order(resources::id.asc())
        .limit(PAGE)
        .select((
            (
                resources::id,
                resources::title,
                resources::description_source,
                resources::kind,
                resources::url,
            ),
            (
                resources::original_name,
                resources::content_type,
                resources::size_bytes,
                resources::sha256,
            ),
            (
                resources::audience,
                resources::borough,
                resources::created_at,
                resources::updated_at,
                resources::download_count,
            ),
            (
                resources::thread_id,
                resources::hidden_at,
                resources::held_at,
            ),
        ))
        .load(conn)?;
    let ids: Vec<ResourceId> = rows.iter().map(|row| row.0 .0).collect();
    let mut tags = crate::resources::library::tags_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|(head, file, place, rest)| {
            let (id, title, description, kind, url) = head;
            let (original_name, content_type, size_bytes, sha256) = file;
            let (audience, borough, shared_at, updated_at, download_count) = place;
            let (discussion_thread_id, hidden_at, held_at) = rest;
            Resource {
                id,
                title,
                description,
                file: original_name
                    .filter(|_| kind == "file")
                    .map(|original_name| SharedFile {
                        path_in_zip: path_in_zip(id, &original_name),
                        original_name,
                        content_type,
                        size_bytes,
                        sha256,
                    }),
                kind,
                url,
                tags: tags.remove(&id).unwrap_or_default(),
                audience,
                borough,
                shared_at,
                updated_at,
                download_count,
                discussion_thread_id,
                hidden_at,
                held_at,
            }
        })
        .collect())
}

/// A file to copy into the zip.
#[derive(Debug, Queryable)]
pub struct StoredFile {
    pub id: ResourceId,
    /// Where it is in the upload store.
    pub key: String,
    pub original_name: Option<String>,
}
keyed!(StoredFile);

/// The files of the member's resources, after `after`.
pub fn files(conn: &mut DbConn, member: MemberId, after: i64) -> QueryResult<Vec<StoredFile>> {
    resources::table
        .filter(resources::owner_id.eq(member))
        .filter(resources::id.gt(after))
        .filter(resources::file_key.is_not_null())
        .order(resources::id.asc())
        .limit(PAGE)
        .select((
            resources::id,
            resources::file_key.assume_not_null(),
            resources::original_name,
        ))
        .load(conn)
}

// ---------------------------------------------------------------------------------------
// bookings.json

#[derive(Debug, Serialize)]
pub struct Booking {
    pub id: BookingId,
    pub course_run_id: CourseRunId,
    pub course_title: String,
    /// `booked`, `waiting` or `cancelled`.
    pub status: String,
    pub seat: Option<i32>,
    pub manager_agreed: bool,
    pub manager_name: String,
    pub manager_email: String,
    /// Where the manager's answer stands: `none`, `informed`, `awaiting`, `confirmed`,
    /// `declined` or `lapsed`.
    pub manager_answer: String,
    /// Why a facilitator booked them outside their borough's cluster.
    pub override_reason: Option<String>,
    /// Why they cancelled, if they said.
    pub cancel_reason: Option<String>,
    /// Who made the booking, when not the member themselves.
    pub booked_by: Option<MemberId>,
    pub booked_at: NaiveDateTime,
    pub changed_at: NaiveDateTime,
    /// The course's sessions, and whether they attended each (`None`: not recorded).
    pub sessions: Vec<Session>,
}
keyed!(Booking);

#[derive(Debug, Serialize)]
pub struct Session {
    pub number: i32,
    pub starts_at: NaiveDateTime,
    pub duration_minutes: i32,
    pub attended: Option<bool>,
}

type BookingRow = (
    (BookingId, CourseRunId, String, String, Option<i32>),
    (bool, String, String, String, Option<String>, Option<String>),
    (Option<MemberId>, NaiveDateTime, NaiveDateTime),
);

/// The member's bookings after `after`, with their course's sessions and attendance.
pub fn bookings(conn: &mut DbConn, member: MemberId, after: i64) -> QueryResult<Vec<Booking>> {
    let rows: Vec<BookingRow> = bookings::table
        .inner_join(course_runs::table.on(course_runs::id.eq(bookings::run_id)))
        .filter(bookings::member_id.eq(member))
        .filter(bookings::id.gt(after))
        .order(bookings::id.asc())
        .limit(PAGE)
        .select((
            (
                bookings::id,
                bookings::run_id,
                course_runs::title,
                bookings::status,
                bookings::seat,
            ),
            (
                bookings::manager_agreed,
                bookings::manager_name,
                bookings::manager_email,
                bookings::manager_status,
                bookings::override_reason,
                bookings::cancel_reason,
            ),
            (
                bookings::booked_by,
                bookings::created_at,
                bookings::changed_at,
            ),
        ))
        .load(conn)?;
    let runs: Vec<CourseRunId> = rows.iter().map(|row| row.0 .1).collect();
    let sessions: Vec<(SessionId, CourseRunId, i32, NaiveDateTime, i32)> = course_sessions::table
        .filter(course_sessions::run_id.eq_any(&runs))
        .order((course_sessions::run_id.asc(), course_sessions::number.asc()))
        .select((
            course_sessions::id,
            course_sessions::run_id,
            course_sessions::number,
            course_sessions::starts_at,
            course_sessions::duration_minutes,
        ))
        .load(conn)?;
    let attended: HashMap<SessionId, bool> = attendance::table
        .filter(attendance::member_id.eq(member))
        .filter(attendance::session_id.eq_any(sessions.iter().map(|s| s.0)))
        .select((attendance::session_id, attendance::present))
        .load::<(SessionId, bool)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|(head, manager, when)| {
            let (id, course_run_id, course_title, status, seat) = head;
            let (
                manager_agreed,
                manager_name,
                manager_email,
                manager_answer,
                override_reason,
                cancel_reason,
            ) = manager;
            let (booked_by, booked_at, changed_at) = when;
            Booking {
                id,
                course_run_id,
                course_title,
                status,
                seat,
                manager_agreed,
                manager_name,
                manager_email,
                manager_answer,
                override_reason,
                cancel_reason,
                booked_by: booked_by.filter(|by| *by != member),
                booked_at,
                changed_at,
                sessions: sessions
                    .iter()
                    .filter(|s| s.1 == course_run_id)
                    .map(
                        |&(session, _, number, starts_at, duration_minutes)| Session {
                            number,
                            starts_at,
                            duration_minutes,
                            attended: attended.get(&session).copied(),
                        },
                    )
                    .collect(),
            }
        })
        .collect())
}

// ---------------------------------------------------------------------------------------
// feedback.json

/// One answer the member gave, by name, on a course's feedback form. Answers given
/// anonymously are linked to nobody, so they are in nobody's export.
#[derive(Debug, Serialize)]
pub struct FeedbackAnswer {
    pub course_run_id: CourseRunId,
    pub course_title: String,
    pub question: String,
    pub rating: Option<i32>,
    pub answer: Option<String>,
}

pub fn feedback(conn: &mut DbConn, member: MemberId) -> QueryResult<Vec<FeedbackAnswer>> {
    Ok(
        crate::evaluation::feedback::own_named_answers(conn, member)?
            .into_iter()
            .map(
                |(course_run_id, course_title, question, rating, answer)| FeedbackAnswer {
                    course_run_id,
                    course_title,
                    question,
                    rating,
                    answer,
                },
            )
            .collect(),
    )
}

// ---------------------------------------------------------------------------------------
// notifications.json

#[derive(Debug, Serialize, Queryable)]
pub struct Notification {
    pub id: NotificationId,
    pub kind: String,
    pub headline: String,
    pub detail: String,
    /// The page it points to, on SPOT.
    pub link: String,
    pub thread_id: Option<ThreadId>,
    pub post_id: Option<PostId>,
    pub resource_id: Option<ResourceId>,
    pub course_run_id: Option<CourseRunId>,
    pub created_at: NaiveDateTime,
    pub read_at: Option<NaiveDateTime>,
    /// How it was to be emailed: `immediately`, `daily`, `weekly` or `never`.
    pub email: String,
    pub emailed_at: Option<NaiveDateTime>,
}
keyed!(Notification);

pub fn notifications(
    conn: &mut DbConn,
    member: MemberId,
    after: i64,
) -> QueryResult<Vec<Notification>> {
    notifications::table
        .filter(notifications::member_id.eq(member))
        .filter(notifications::id.gt(after))
        .order(notifications::id.asc())
        .limit(PAGE)
        .select((
            notifications::id,
            notifications::kind,
            notifications::headline,
            notifications::detail,
            notifications::link,
            notifications::thread_id,
            notifications::post_id,
            notifications::resource_id,
            notifications::run_id,
            notifications::created_at,
            notifications::read_at,
            notifications::email,
            notifications::emailed_at,
        ))
        .load(conn)
}

// ---------------------------------------------------------------------------------------
// reports.json

#[derive(Debug, Serialize, Queryable)]
pub struct Report {
    pub id: ReportId,
    pub post_id: PostId,
    pub thread_id: ThreadId,
    pub thread_title: String,
    pub reason: String,
    /// `open`, `resolved` or `dismissed`.
    pub status: String,
    pub made_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
}
keyed!(Report);

/// The reports the member made, after `after`.
pub fn reports(conn: &mut DbConn, member: MemberId, after: i64) -> QueryResult<Vec<Report>> {
    reports::table
        .inner_join(posts::table.on(posts::id.eq(reports::post_id)))
        .inner_join(threads::table.on(threads::id.eq(posts::thread_id)))
        .filter(reports::reporter_id.eq(member))
        .filter(reports::id.gt(after))
        .order(reports::id.asc())
        .limit(PAGE)
        .select((
            reports::id,
            reports::post_id,
            threads::id,
            threads::title,
            reports::reason,
            reports::status,
            reports::created_at,
            reports::closed_at,
        ))
        .load(conn)
}

// ---------------------------------------------------------------------------------------
// messages.json

#[derive(Debug, Serialize, Queryable)]
pub struct Message {
    pub id: MessageId,
    /// /messages/<conversation_id> on SPOT shows the conversation (while you are in it).
    pub conversation_id: ConversationId,
    pub text: String,
    pub written_at: NaiveDateTime,
    /// Empty while the patient-data check held it for a facilitator.
    pub delivered_at: Option<NaiveDateTime>,
    pub held_at: Option<NaiveDateTime>,
    /// Hidden by a facilitator after a report.
    pub hidden_at: Option<NaiveDateTime>,
}
keyed!(Message);

/// The private messages the member wrote, after `after`.
pub fn messages(conn: &mut DbConn, member: MemberId, after: i64) -> QueryResult<Vec<Message>> {
    messages::table
        .filter(messages::author_id.eq(member))
        .filter(messages::id.gt(after))
        .order(messages::id.asc())
        .limit(PAGE)
        .select((
            messages::id,
            messages::conversation_id,
            messages::body_source,
            messages::created_at,
            messages::delivered_at,
            messages::held_at,
            messages::hidden_at,
        ))
        .load(conn)
}

// ---------------------------------------------------------------------------------------
// audit.json

#[derive(Debug, Serialize, Queryable)]
pub struct AuditEntry {
    pub id: AuditId,
    pub at: NaiveDateTime,
    pub action: String,
    /// Who did it (a member's number); `None`: SPOT itself, or the server console.
    pub actor_member_id: Option<MemberId>,
    /// Whom it was about.
    pub target_member_id: Option<MemberId>,
    pub subject: String,
    pub reason: String,
}
keyed!(AuditEntry);

crate::id_type!(
    /// A row of `audit_log`.
    AuditId
);

type AboutThem = diesel::dsl::Or<
    diesel::dsl::Eq<audit_log::actor_id, Option<MemberId>>,
    diesel::dsl::Eq<audit_log::target_member_id, Option<MemberId>>,
>;

/// Entries where the member acted, or was acted on.
fn about_them(member: MemberId) -> AboutThem {
    audit_log::actor_id
        .eq(Some(member))
        .or(audit_log::target_member_id.eq(Some(member)))
}

pub fn audit(conn: &mut DbConn, member: MemberId, after: i64) -> QueryResult<Vec<AuditEntry>> {
    audit_log::table
        .filter(about_them(member))
        .filter(audit_log::id.gt(after))
        .order(audit_log::id.asc())
        .limit(PAGE)
        .select((
            audit_log::id,
            audit_log::created_at,
            audit_log::action,
            audit_log::actor_id,
            audit_log::target_member_id,
            audit_log::subject,
            audit_log::reason,
        ))
        .load(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_keeps_its_name_in_one_safe_folder() {
        let id = ResourceId(7);
        assert_eq!(path_in_zip(id, "leaflet.pdf"), "files/7-leaflet.pdf");
        assert_eq!(
            path_in_zip(id, "../../etc/passwd"),
            "files/7-_.._etc_passwd"
        );
        assert_eq!(path_in_zip(id, "a\\b:c\u{7}.txt"), "files/7-a_b_c_.txt");
        assert_eq!(path_in_zip(id, "  "), "files/7-file");
        assert_eq!(
            path_in_zip(id, "Leaflet für Ärzte.pdf"),
            "files/7-Leaflet für Ärzte.pdf"
        );
    }
}
