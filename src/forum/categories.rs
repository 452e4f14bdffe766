//! Categories: their listing with counts, who may read and start threads, and their upkeep
//! by admins.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::values::CategorySlug;
use crate::accounts::members::Viewer;
use crate::audit::{self, Entry};
use crate::bookings::values::BookingStatus;
use crate::db::{CategoryId, DbConn};
use crate::rules::RuleError;
use crate::schema::{categories, threads};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = categories)]
pub struct Category {
    pub id: CategoryId,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub position: i32,
    pub archived: bool,
    pub public_read: bool,
    pub staff_threads_only: bool,
    /// Set for a course run's private cohort space.
    pub course_run_id: Option<crate::db::CourseRunId>,
}

impl Category {
    /// Who may read, given the runs the viewer holds a place on: members read every open
    /// category, visitors those marked readable by visitors; a run's cohort space is for
    /// its booked participants, facilitators and admins.
    pub fn readable_by(&self, viewer: Option<&Viewer>, places: &[crate::db::CourseRunId]) -> bool {
        match (self.course_run_id, viewer) {
            (Some(run), Some(viewer)) => viewer.staff.is_admin() || places.contains(&run),
            (Some(_), None) => false,
            (None, viewer) => viewer.is_some() || self.public_read,
        }
    }

    pub fn can_start_thread(&self, viewer: &Viewer) -> Result<(), RuleError> {
        if self.archived {
            return Err(RuleError::forbidden(
                "This category is archived: it can be read, but takes no new threads.",
            ));
        }
        if self.staff_threads_only && !viewer.staff.can_moderate() {
            return Err(RuleError::forbidden(format!(
                "Only facilitators start threads in {}; you can reply to any of them.",
                self.name
            )));
        }
        Ok(())
    }
}

/// The runs whose cohort spaces the viewer reads: those they hold a booked place on (kept
/// after the course, so its participants go on talking), and those they facilitate.
pub fn places_of(
    conn: &mut DbConn,
    viewer: Option<&Viewer>,
) -> QueryResult<Vec<crate::db::CourseRunId>> {
    use crate::schema::bookings;
    let Some(viewer) = viewer else {
        return Ok(Vec::new());
    };
    let mut runs: Vec<crate::db::CourseRunId> = bookings::table
        .filter(bookings::member_id.eq(viewer.id))
        .filter(bookings::status.eq(BookingStatus::Booked))
        .select(bookings::run_id)
        .load(conn)?;
    if viewer.staff.can_moderate() {
        runs.extend(crate::bookings::runs::facilitated_by(conn, viewer.id)?);
    }
    Ok(runs)
}

/// Whether the viewer may read this category.
pub fn can_read(
    conn: &mut DbConn,
    category: &Category,
    viewer: Option<&Viewer>,
) -> QueryResult<bool> {
    let places = if category.course_run_id.is_some() {
        places_of(conn, viewer)?
    } else {
        Vec::new()
    };
    Ok(category.readable_by(viewer, &places))
}

/// Every category the viewer may read, in display order.
pub fn readable(conn: &mut DbConn, viewer: Option<&Viewer>) -> QueryResult<Vec<Category>> {
    let places = places_of(conn, viewer)?;
    Ok(all(conn)?
        .into_iter()
        .filter(|category| category.readable_by(viewer, &places))
        .collect())
}

pub fn by_slug(conn: &mut DbConn, slug: &str) -> QueryResult<Category> {
    categories::table
        .filter(categories::slug.eq(slug))
        .select(Category::as_select())
        .first(conn)
}

pub fn find(conn: &mut DbConn, id: CategoryId) -> QueryResult<Category> {
    categories::table
        .find(id)
        .select(Category::as_select())
        .first(conn)
}

/// Every category in display order (archived ones last).
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<Category>> {
    categories::table
        .select(Category::as_select())
        .order((
            categories::archived.asc(),
            categories::position.asc(),
            categories::id.asc(),
        ))
        .load(conn)
}

#[derive(Debug, Clone)]
pub struct CategorySummary {
    pub category: Category,
    pub threads: i64,
    pub posts: i64,
    pub latest: Option<NaiveDateTime>,
}

/// The forum index: categories the viewer can read, with their kept counts: two queries
/// whatever the size of the forum.
pub fn overview(conn: &mut DbConn, viewer: Option<&Viewer>) -> QueryResult<Vec<CategorySummary>> {
    let places = places_of(conn, viewer)?;
    let rows: Vec<(Category, i64, i64, Option<NaiveDateTime>)> = categories::table
        .select((
            Category::as_select(),
            categories::thread_count,
            categories::post_count,
            categories::last_post_at,
        ))
        .order((
            categories::archived.asc(),
            categories::position.asc(),
            categories::id.asc(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(category, _, _, _)| category.readable_by(viewer, &places))
        .map(|(category, threads, posts, latest)| CategorySummary {
            category,
            threads,
            posts,
            latest,
        })
        .collect())
}

/// A new thread (with its first post) in the category.
pub fn count_new_thread(conn: &mut DbConn, id: CategoryId, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(categories::table.find(id))
        .set((
            categories::thread_count.eq(categories::thread_count + 1),
            categories::post_count.eq(categories::post_count + 1),
            categories::last_post_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// A new reply in one of the category's threads.
pub fn count_new_reply(conn: &mut DbConn, id: CategoryId, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(categories::table.find(id))
        .set((
            categories::post_count.eq(categories::post_count + 1),
            categories::last_post_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Counts a category again from its threads, after a thread or post leaves it (rare:
/// moderation), or after a bulk load.
pub fn recount(conn: &mut DbConn, id: CategoryId) -> QueryResult<()> {
    let (count, posts, latest): (i64, Option<i64>, Option<NaiveDateTime>) = threads::table
        .filter(threads::category_id.eq(id))
        .filter(threads::held_at.is_null())
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::sum(threads::post_count),
            diesel::dsl::max(threads::last_post_at),
        ))
        .first(conn)?;
    diesel::update(categories::table.find(id))
        .set((
            categories::thread_count.eq(count),
            categories::post_count.eq(posts.unwrap_or(0)),
            categories::last_post_at.eq(latest),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Every category counted again.
pub fn recount_all(conn: &mut DbConn) -> QueryResult<()> {
    let ids: Vec<CategoryId> = categories::table.select(categories::id).load(conn)?;
    for id in ids {
        recount(conn, id)?;
    }
    Ok(())
}

/// What an admin sets on a category.
pub struct CategoryChange {
    pub name: String,
    pub slug: CategorySlug,
    pub description: String,
    pub position: i32,
    pub public_read: bool,
    pub staff_threads_only: bool,
    pub archived: bool,
}

fn require_admin(actor: &Viewer) -> Result<(), RuleError> {
    if actor.staff.is_admin() {
        Ok(())
    } else {
        Err(RuleError::forbidden("Only admins can change categories."))
    }
}

fn slug_taken(
    conn: &mut DbConn,
    slug: &CategorySlug,
    except: Option<CategoryId>,
) -> QueryResult<bool> {
    let others: i64 = categories::table
        .filter(categories::slug.eq(slug.as_str()))
        .filter(categories::id.ne(except.unwrap_or(CategoryId(-1))))
        .count()
        .get_result(conn)?;
    Ok(others > 0)
}

pub fn create(
    conn: &mut DbConn,
    actor: &Viewer,
    change: &CategoryChange,
    now: NaiveDateTime,
) -> Result<CategoryId, RuleError> {
    require_admin(actor)?;
    if slug_taken(conn, &change.slug, None)? {
        return Err(RuleError::Invalid(
            "slug",
            "Another category already uses this web address".into(),
        ));
    }
    let id = diesel::insert_into(categories::table)
        .values((
            categories::slug.eq(change.slug.as_str()),
            categories::name.eq(&change.name),
            categories::description.eq(&change.description),
            categories::position.eq(change.position),
            categories::archived.eq(change.archived),
            categories::public_read.eq(change.public_read),
            categories::staff_threads_only.eq(change.staff_threads_only),
        ))
        .returning(categories::id)
        .get_result(conn)?;
    audit::record(
        conn,
        &Entry {
            actor: Some(actor.id),
            action: "category created",
            target_member: None,
            subject: &change.name,
            reason: "",
        },
        now,
    )?;
    Ok(id)
}

pub fn update(
    conn: &mut DbConn,
    actor: &Viewer,
    id: CategoryId,
    change: &CategoryChange,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    require_admin(actor)?;
    let before = find(conn, id)?;
    if slug_taken(conn, &change.slug, Some(id))? {
        return Err(RuleError::Invalid(
            "slug",
            "Another category already uses this web address".into(),
        ));
    }
    diesel::update(categories::table.find(id))
        .set((
            categories::slug.eq(change.slug.as_str()),
            categories::name.eq(&change.name),
            categories::description.eq(&change.description),
            categories::position.eq(change.position),
            categories::archived.eq(change.archived),
            categories::public_read.eq(change.public_read),
            categories::staff_threads_only.eq(change.staff_threads_only),
        ))
        .execute(conn)?;
    let action = match (before.archived, change.archived) {
        (false, true) => "category archived",
        (true, false) => "category restored",
        _ => "category changed",
    };
    audit::record(
        conn,
        &Entry {
            actor: Some(actor.id),
            action,
            target_member: None,
            subject: &change.name,
            reason: "",
        },
        now,
    )?;
    Ok(())
}
