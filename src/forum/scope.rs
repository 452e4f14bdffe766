//! Where each facilitator moderates. Admins put facilitators in charge of categories; a
//! category nobody is in charge of is looked after by every facilitator (so a new site works
//! from its first day); a course run's cohort space by that run's facilitators alone; admins
//! moderate everywhere. Every moderation rule asks here before acting.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::accounts::members::Viewer;
use crate::accounts::StaffLevel;
use crate::audit::{self, Entry};
use crate::db::{CategoryId, CourseRunId, DbConn, MemberId};
use crate::rules::RuleError;
use crate::schema::{categories, category_facilitators, members};

/// The categories a member may moderate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModerationScope {
    /// An admin.
    Everywhere,
    /// A facilitator: the categories they are in charge of, those nobody is in charge of,
    /// and their runs' cohort spaces.
    Categories(HashSet<CategoryId>),
    /// A member who is not staff.
    Nowhere,
}

impl ModerationScope {
    /// Three small queries: categories are tens, not thousands.
    pub fn of(conn: &mut DbConn, viewer: &Viewer) -> QueryResult<Self> {
        if viewer.staff.is_admin() {
            return Ok(Self::Everywhere);
        }
        if !viewer.staff.can_moderate() {
            return Ok(Self::Nowhere);
        }
        let all: Vec<(CategoryId, Option<CourseRunId>)> = categories::table
            .select((categories::id, categories::course_run_id))
            .load(conn)?;
        let mut in_charge: HashMap<CategoryId, Vec<MemberId>> = HashMap::new();
        for (category, member) in category_facilitators::table
            .select((
                category_facilitators::category_id,
                category_facilitators::member_id,
            ))
            .load::<(CategoryId, MemberId)>(conn)?
        {
            in_charge.entry(category).or_default().push(member);
        }
        let runs = crate::bookings::runs::facilitated_by(conn, viewer.id)?;
        Ok(Self::Categories(
            all.into_iter()
                .filter(|(category, run)| match (run, in_charge.get(category)) {
                    (Some(run), _) => runs.contains(run),
                    (None, None) => true,
                    (None, Some(facilitators)) => facilitators.contains(&viewer.id),
                })
                .map(|(category, _)| category)
                .collect(),
        ))
    }

    pub fn covers(&self, category: CategoryId) -> bool {
        match self {
            Self::Everywhere => true,
            Self::Categories(categories) => categories.contains(&category),
            Self::Nowhere => false,
        }
    }

    /// The categories to filter a list by; `None` for all of them.
    pub fn categories(&self) -> Option<Vec<CategoryId>> {
        match self {
            Self::Everywhere => None,
            Self::Categories(categories) => Some(categories.iter().copied().collect()),
            Self::Nowhere => Some(Vec::new()),
        }
    }

    pub fn require(&self, category: CategoryId) -> Result<(), RuleError> {
        match self {
            _ if self.covers(category) => Ok(()),
            Self::Nowhere => Err(RuleError::forbidden(
                "Only facilitators can moderate the forum.",
            )),
            _ => Err(RuleError::forbidden(
                "Other facilitators look after this category: report the post, or ask an admin.",
            )),
        }
    }
}

/// Refuses an actor who may not moderate in the category.
pub fn require(conn: &mut DbConn, actor: &Viewer, category: CategoryId) -> Result<(), RuleError> {
    ModerationScope::of(conn, actor)?.require(category)
}

/// A facilitator as the category's page for admins lists them.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Facilitator {
    pub id: MemberId,
    pub name: String,
}

/// The facilitators in charge of a category.
pub fn in_charge_of(conn: &mut DbConn, category: CategoryId) -> QueryResult<Vec<Facilitator>> {
    category_facilitators::table
        .inner_join(members::table.on(members::id.eq(category_facilitators::member_id)))
        .filter(category_facilitators::category_id.eq(category))
        .order(members::display_name.asc())
        .select((members::id, members::display_name))
        .load(conn)
}

/// Every facilitator and admin an admin could put in charge, by name.
pub fn candidates(conn: &mut DbConn) -> QueryResult<Vec<Facilitator>> {
    members::table
        .filter(members::staff.eq_any([StaffLevel::Facilitator, StaffLevel::Admin]))
        .filter(members::erased_at.is_null())
        .order(members::display_name.asc())
        .select((members::id, members::display_name))
        .load(conn)
}

/// The categories a facilitator has been put in charge of, by name.
pub fn categories_of(
    conn: &mut DbConn,
    member: MemberId,
) -> QueryResult<Vec<(CategoryId, String)>> {
    category_facilitators::table
        .inner_join(categories::table)
        .filter(category_facilitators::member_id.eq(member))
        .order((categories::position.asc(), categories::id.asc()))
        .select((categories::id, categories::name))
        .load(conn)
}

/// An admin sets who is in charge of a category (an empty list hands it back to every
/// facilitator). Only staff can be put in charge; the change is audit-logged.
pub fn put_in_charge(
    conn: &mut DbConn,
    actor: &Viewer,
    category: CategoryId,
    chosen: &[MemberId],
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    if !actor.staff.is_admin() {
        return Err(RuleError::forbidden(
            "Only admins decide who looks after a category.",
        ));
    }
    let category = super::categories::find(conn, category)?;
    if category.course_run_id.is_some() {
        return Err(RuleError::Invalid(
            "facilitators",
            "A cohort space is looked after by its course run's facilitators: change them on the run".into(),
        ));
    }
    let staff: HashSet<MemberId> = candidates(conn)?.into_iter().map(|f| f.id).collect();
    if let Some(other) = chosen.iter().find(|id| !staff.contains(id)) {
        return Err(RuleError::Invalid(
            "facilitators",
            format!("Member {other} is not a facilitator: make them one first"),
        ));
    }
    let before: HashSet<MemberId> = in_charge_of(conn, category.id)?
        .into_iter()
        .map(|f| f.id)
        .collect();
    let after: HashSet<MemberId> = chosen.iter().copied().collect();
    if before == after {
        return Ok(());
    }
    diesel::delete(
        category_facilitators::table.filter(category_facilitators::category_id.eq(category.id)),
    )
    .execute(conn)?;
    // One row at a time: batch inserts do not go through the two-engine connection.
    for member in &after {
        diesel::insert_into(category_facilitators::table)
            .values((
                category_facilitators::category_id.eq(category.id),
                category_facilitators::member_id.eq(*member),
                category_facilitators::assigned_at.eq(now),
            ))
            .execute(conn)?;
    }
    for (action, members) in [
        ("put in charge of a category", after.difference(&before)),
        (
            "no longer in charge of a category",
            before.difference(&after),
        ),
    ] {
        for member in members {
            audit::record(
                conn,
                &Entry {
                    actor: Some(actor.id),
                    action,
                    target_member: Some(*member),
                    subject: &category.name,
                    reason: "",
                },
                now,
            )?;
        }
    }
    Ok(())
}
