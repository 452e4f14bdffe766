//! A facilitator's own desk: the course runs they facilitate, the categories they look
//! after, and the reports and held items waiting in them. Everything here comes from the
//! same scope the moderation rules enforce ([`crate::forum::scope`]).

pub mod pages;
pub mod routes;

use crate::accounts::members::Viewer;
use crate::bookings::catalogue::{self, RunSummary};
use crate::db::{CourseRunId, DbConn};
use crate::forum::categories::{self, Category};
use crate::forum::scope::{self, ModerationScope};
use crate::rules::RuleError;

/// Why a facilitator looks after a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charge {
    /// An admin put them in charge of it.
    InCharge,
    /// Nobody is in charge: every facilitator looks after it.
    Shared,
    /// The cohort space of a run they facilitate.
    CohortSpace,
    /// Admins look after every category.
    AsAdmin,
}

pub struct Desk {
    pub runs: Vec<RunSummary>,
    pub categories: Vec<(Category, Charge)>,
    /// The cohort space of each run, to link to.
    pub spaces: Vec<(CourseRunId, String)>,
    pub open_reports: i64,
    pub held: i64,
    pub admin: bool,
}

pub fn desk(conn: &mut DbConn, me: &Viewer) -> Result<Desk, RuleError> {
    let scope = ModerationScope::of(conn, me)?;
    if scope == ModerationScope::Nowhere {
        return Err(RuleError::forbidden(
            "Only facilitators have runs and categories to look after.",
        ));
    }
    let in_charge: Vec<_> = scope::categories_of(conn, me.id)?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let everything = categories::all(conn)?;
    let spaces = everything
        .iter()
        .filter_map(|c| c.course_run_id.map(|run| (run, c.slug.clone())))
        .collect();
    let admin = scope == ModerationScope::Everywhere;
    let categories = everything
        .into_iter()
        .filter(|category| scope.covers(category.id))
        .map(|category| {
            let charge = if admin {
                Charge::AsAdmin
            } else if category.course_run_id.is_some() {
                Charge::CohortSpace
            } else if in_charge.contains(&category.id) {
                Charge::InCharge
            } else {
                Charge::Shared
            };
            (category, charge)
        })
        .collect();
    let within = scope.categories();
    Ok(Desk {
        runs: catalogue::facilitated_by(conn, me.id)?,
        categories,
        spaces,
        open_reports: crate::forum::moderation::open_report_count(conn, me)?,
        held: crate::holds::waiting_count(conn, within.as_deref())?,
        admin,
    })
}
