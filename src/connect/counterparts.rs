//! "Your counterparts": the members of the other profession in your borough, then in the rest
//! of your cluster, then the people from your course run. Each section is one query, capped at
//! [`SHOWN`] people, and lists only whom the directory lists.
//!
//! The course section shows both professions: a run is co-delivered to both, and the people a
//! member trained with are the ones they know, whatever their role. The other profession comes
//! first there too.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::accounts::members::Viewer;
use crate::accounts::{Borough, Role};
use crate::bookings::values::BookingStatus;
use std::collections::HashSet;

use crate::db::{DbConn, MemberId};
use crate::members::directory::{self, DirectoryEntry};
use crate::schema::{bookings, members};

/// How many people a section shows; the directory has the rest.
pub const SHOWN: usize = 12;

/// Some of the people in one section, and whether there are more.
#[derive(Debug, Clone, Default)]
pub struct Section {
    pub people: Vec<DirectoryEntry>,
    pub more: bool,
}

impl Section {
    fn of(mut people: Vec<DirectoryEntry>) -> Self {
        let more = people.len() > SHOWN;
        people.truncate(SHOWN);
        Self { people, more }
    }
}

/// The three sections of the page.
#[derive(Debug, Clone)]
pub struct Counterparts {
    /// The profession the member looks for.
    pub other: Role,
    pub borough: Borough,
    /// The rest of the member's cluster, in order.
    pub cluster: Vec<Borough>,
    pub in_borough: Section,
    pub in_cluster: Section,
    pub from_course: Section,
    /// Those shown who take a new conversation from the member (their setting, no block).
    pub contactable: HashSet<MemberId>,
}

/// The other of the two professions.
pub fn other_role(role: Role) -> Role {
    match role {
        Role::LinkWorker => Role::OccupationalTherapist,
        Role::OccupationalTherapist => Role::LinkWorker,
    }
}

/// The member's counterparts at `now`: three queries, and three for whom they may write to.
pub fn of(conn: &mut DbConn, me: &Viewer, now: NaiveDateTime) -> QueryResult<Counterparts> {
    let other = other_role(me.role);
    let cluster: Vec<Borough> = me
        .borough
        .cluster()
        .iter()
        .copied()
        .filter(|b| *b != me.borough)
        .collect();
    let shown = SHOWN as i64 + 1;
    let in_borough = directory::listed(now)
        .filter(members::role.eq(other))
        .filter(members::borough.eq(me.borough))
        .filter(members::id.ne(me.id))
        .order((members::sort_name.asc(), members::id.asc()))
        .limit(shown)
        .select(DirectoryEntry::as_select())
        .load(conn)?;
    let in_cluster = directory::listed(now)
        .filter(members::role.eq(other))
        .filter(members::borough.eq_any(cluster.clone()))
        .order((
            members::borough.asc(),
            members::sort_name.asc(),
            members::id.asc(),
        ))
        .limit(shown)
        .select(DirectoryEntry::as_select())
        .load(conn)?;
    let mine = diesel::alias!(bookings as mine);
    let my_runs = mine
        .filter(mine.field(bookings::member_id).eq(me.id))
        .filter(mine.field(bookings::status).eq(BookingStatus::Booked))
        .select(mine.field(bookings::run_id));
    let course_mates = bookings::table
        .filter(bookings::run_id.eq_any(my_runs))
        .filter(bookings::status.eq(BookingStatus::Booked))
        .select(bookings::member_id);
    let mut from_course = directory::listed(now)
        .filter(members::id.eq_any(course_mates))
        .filter(members::id.ne(me.id));
    // The other profession first: its role sorts before the member's own, or after it.
    from_course = if other < me.role {
        from_course.order((
            members::role.asc(),
            members::sort_name.asc(),
            members::id.asc(),
        ))
    } else {
        from_course.order((
            members::role.desc(),
            members::sort_name.asc(),
            members::id.asc(),
        ))
    };
    let from_course = from_course
        .limit(shown)
        .select(DirectoryEntry::as_select())
        .load(conn)?;
    let (in_borough, in_cluster, from_course) = (
        Section::of(in_borough),
        Section::of(in_cluster),
        Section::of(from_course),
    );
    let shown: Vec<MemberId> = [&in_borough, &in_cluster, &from_course]
        .iter()
        .flat_map(|section| section.people.iter().map(|entry| entry.id))
        .collect();
    Ok(Counterparts {
        other,
        borough: me.borough,
        cluster,
        in_borough,
        in_cluster,
        from_course,
        contactable: crate::messages::contacts::open_to(conn, me, &shown)?,
    })
}
