//! `spot demo`: fills an empty database with a realistic demo community, the same for the
//! same seed, at any size from a handful of members to the benchmark sizes (scale 1 ≈ 1,000
//! members and 20,000 posts).
//!
//! Members, threads and posts are written in batches (`bulk`), with their ids chosen here
//! so that a reply can point at an earlier post before either is stored; the counts the
//! features keep are taken once at the end. The course runs and bookings go through the
//! bookings rules, as an admin and members would.
//!
//! - `members`: the community: the staff, and members across the ten boroughs;
//! - `runs`: the three course runs, and the members who book them;
//! - `forum`: categories, threads and posts; `writing`: what people write in them;
//! - `library`: shared resources and their tags;
//! - `corpus`: the words, kept as text files in `corpus/`.
//!
//! Contents are deterministic for a seed; dates are counted back from the start of today
//! (UTC), and the course runs start on the coming Tuesdays.

mod bulk;
mod corpus;
mod forum;
mod library;
mod members;
mod runs;
#[cfg(test)]
mod screened;
mod services;
mod writing;

use anyhow::{bail, Context};
use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::SeedableRng;

use crate::accounts::{passwords, Password, StaffLevel};
use crate::db::{CourseRunId, DbConn};
use crate::progress::Progress;
use crate::schema::members as members_table;

/// Every demo account's password.
pub const PASSWORD: &str = "demo password please change";
pub const ADMIN_EMAIL: &str = "admin@spot.example";

/// How big, and which community.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// 1 ≈ 1,000 members and 20,000 posts; fractions allowed.
    pub scale: f64,
    pub seed: u64,
}

impl Options {
    /// Refuses a scale that makes no sense, before anything is touched.
    pub fn check(&self) -> anyhow::Result<()> {
        let scale = self.scale;
        if !scale.is_finite() || scale <= 0.0 || scale > 1000.0 {
            bail!("--scale must be a number above 0 and at most 1000, like 0.05 or 1");
        }
        Ok(())
    }
}

impl Default for Options {
    fn default() -> Self {
        Self {
            scale: 0.05,
            seed: 1,
        }
    }
}

/// What was made, for the console.
#[derive(Debug, Clone)]
pub struct Summary {
    pub members: usize,
    pub threads: usize,
    pub posts: usize,
    pub helpful_marks: usize,
    pub resources: usize,
    /// Rows written to the search index.
    pub indexed: usize,
    pub runs: Vec<RunSummary>,
    pub admin_email: String,
    /// (name, email, what they are)
    pub facilitators: Vec<(String, String, String)>,
    /// An ordinary member who can sign in too.
    pub member_email: String,
    pub password: String,
}

#[derive(Debug, Clone)]
pub struct RunSummary {
    pub id: CourseRunId,
    pub title: String,
    pub starts: NaiveDateTime,
    pub booked: usize,
    pub waiting: usize,
}

/// Fills the database behind `conn`, which must have no members yet.
pub fn generate(conn: &mut DbConn, options: &Options) -> anyhow::Result<Summary> {
    generate_showing(conn, options, Progress::Silent)
}

/// [`generate`], showing its progress (the console's `spot demo`).
pub fn generate_showing(
    conn: &mut DbConn,
    options: &Options,
    progress: Progress,
) -> anyhow::Result<Summary> {
    options.check()?;
    let existing: i64 = members_table::table.count().get_result(conn)?;
    if existing > 0 {
        bail!(
            "This database already has {existing} member{}: `spot demo` only fills an empty \
             database. Point DATABASE_URL at a new database (e.g. sqlite://data/demo.db) and \
             run it again.",
            if existing == 1 { "" } else { "s" }
        );
    }

    let dialect = conn.dialect();
    let load = dialect.begin_bulk_load(conn)?;
    let outcome = fill(conn, options, progress);
    dialect.end_bulk_load(conn, load)?;
    outcome
}

fn fill(conn: &mut DbConn, options: &Options, progress: Progress) -> anyhow::Result<Summary> {
    let dialect = conn.dialect();
    let scale = options.scale;
    let mut rng = StdRng::seed_from_u64(options.seed);
    let today = Utc::now().date_naive();
    let anchor = today.and_hms_opt(0, 0, 0).expect("midnight exists");
    let member_target = ((1000.0 * scale).round() as usize).max(15);
    let post_target = ((20_000.0 * scale).round() as usize).max(40);

    let password = Password::parse(PASSWORD).map_err(|e| anyhow::anyhow!(e))?;
    let password_hash = passwords::hash(&password)?;

    // Members.
    let first_member_id = bulk::next_id(conn, bulk::Table::Members)?;
    let mut stage = progress.stage("members", member_target as u64);
    let community = members::make(&mut rng, member_target, first_member_id, anchor);
    members::insert(conn, &community.rows, &password_hash)?;
    dialect.continue_ids(conn, "members")?;
    stage.set(community.rows.len() as u64);
    stage.finish();

    // Course runs, as the admin creates them, and bookings, as members make them.
    let admin = community.viewer(0);
    let (runs, cohorts) = runs::make(conn, &mut rng, &community, &admin, anchor, today)?;

    // The forum.
    let categories = forum::Categories::load(conn)?;
    let mut forum = forum::Forum::new(conn, &community, anchor)?;
    let mut stage = progress.stage("posts", post_target as u64);
    forum.write_all(
        conn,
        &mut rng,
        &categories,
        &cohorts,
        (post_target, scale),
        &mut stage,
    )?;
    stage.set(forum.posts_written as u64);
    stage.finish();
    dialect.continue_ids(conn, "threads")?;
    dialect.continue_ids(conn, "posts")?;
    // Rows went in in bulk: the forum index's counts are taken once at the end.
    crate::forum::categories::recount_all(conn)?;
    members::without_roundups(conn)?;

    // The resource library: links, tagged, with their own stream of chances so that the
    // forum stays the same for a seed.
    let resource_target = ((1000.0 * scale).round() as usize).max(10);
    let mut library_rng = StdRng::seed_from_u64(options.seed.wrapping_add(1));
    let resources_written =
        library::write(conn, &mut library_rng, &community, anchor, resource_target)?;
    crate::resources::library::recount_all_tags(conn)?;

    // Members' services, with their own stream of chances too.
    let mut services_rng = StdRng::seed_from_u64(options.seed.wrapping_add(2));
    services::write(conn, &mut services_rng, &community, anchor)?;

    // And the search index, built once over everything.
    let indexed = conn
        .write_transaction(|tx| crate::search::index::rebuild_showing(tx, progress))
        .context("could not build the search index")?;
    dialect.settle(conn)?;

    let member_email = community
        .rows
        .iter()
        .find(|m| m.staff == StaffLevel::Member)
        .map(|m| m.email.clone())
        .unwrap_or_default();
    Ok(Summary {
        members: community.rows.len(),
        threads: forum.threads_written,
        posts: forum.posts_written,
        helpful_marks: forum.marks_written,
        resources: resources_written,
        indexed: indexed.posts + indexed.resources + indexed.members,
        runs,
        admin_email: ADMIN_EMAIL.into(),
        facilitators: community.rows[1..community.staff]
            .iter()
            .map(|m| {
                (
                    m.display_name.clone(),
                    m.email.clone(),
                    format!("{} facilitator, {}", m.role.badge(), m.borough.label()),
                )
            })
            .collect(),
        member_email,
        password: PASSWORD.into(),
    })
}
