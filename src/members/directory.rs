//! Directory queries: the page, and its total from the counts kept by role and borough.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::accounts::{Borough, Role, StaffLevel};
use crate::db::paging::{PageNumber, Paged};
use crate::db::{DbConn, MemberId, MultiBackend};
use crate::markdown::SafeHtml;
use crate::schema::{directory_counts, members, service_areas};

pub const PER_PAGE: i64 = 20;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DirectoryFilter {
    pub role: Option<Role>,
    pub borough: Option<Borough>,
    /// Members whose service covers this borough ("my service", [`crate::connect::services`]).
    pub covers: Option<Borough>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = members)]
pub struct DirectoryEntry {
    pub id: MemberId,
    pub display_name: String,
    pub role: Role,
    pub borough: Borough,
    pub organisation: String,
    pub staff: StaffLevel,
}

/// Whom the directory lists at `now`: listed, approved (so never an applicant or an erased
/// member) and not suspended. The map's counts and the counterparts page count and list the
/// same people.
#[diesel::dsl::auto_type(no_type_alias)]
pub fn is_listed(now: NaiveDateTime) -> _ {
    members::listed
        .eq(true)
        .and(members::approved_at.is_not_null())
        .and(
            members::suspended_at
                .is_null()
                .or(members::suspended_until.le(now).assume_not_null()),
        )
}

/// The members the directory lists at `now` ([`is_listed`]), as a query to narrow down.
pub fn listed(now: NaiveDateTime) -> members::BoxedQuery<'static, MultiBackend> {
    members::table.filter(is_listed(now)).into_boxed()
}

/// Listed, unsuspended members matching the filter, sorted by name.
pub fn page(
    conn: &mut DbConn,
    filter: DirectoryFilter,
    page: PageNumber,
    now: NaiveDateTime,
) -> QueryResult<Paged<DirectoryEntry>> {
    let base = || {
        let mut query = listed(now);
        if let Some(role) = filter.role {
            query = query.filter(members::role.eq(role));
        }
        if let Some(borough) = filter.borough {
            query = query.filter(members::borough.eq(borough));
        }
        if let Some(covers) = filter.covers {
            let covering = service_areas::table
                .filter(service_areas::borough.eq(covers))
                .select(service_areas::member_id);
            query = query.filter(members::id.eq_any(covering));
        }
        query
    };
    let total = match filter.covers {
        None => listed_count(conn, filter.role, filter.borough, now)?,
        Some(_) => base().count().get_result(conn)?,
    };
    let items = base()
        .select(DirectoryEntry::as_select())
        .order((members::sort_name.asc(), members::id.asc()))
        .limit(PER_PAGE)
        .offset(page.offset(PER_PAGE))
        .load(conn)?;
    Ok(Paged::new(items, page, PER_PAGE, total))
}

/// The role and borough of each listed, approved member suspended at `now`: the ones the
/// kept counts hold that the directory does not list. Read from the index of suspended
/// members alone (few), and told apart here: with the other conditions in the query,
/// SQLite takes the listing index instead and reads every member.
fn suspended_now(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Vec<(Role, Borough)>> {
    let suspended: Vec<Suspended> = members::table
        .filter(members::suspended_at.is_not_null())
        .select(Suspended::as_select())
        .load(conn)?;
    Ok(suspended
        .into_iter()
        .filter(|s| {
            s.listed && s.approved_at.is_some() && s.suspended_until.is_none_or(|until| until > now)
        })
        .map(|s| (s.role, s.borough))
        .collect())
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = members)]
struct Suspended {
    role: Role,
    borough: Borough,
    listed: bool,
    approved_at: Option<NaiveDateTime>,
    suspended_until: Option<NaiveDateTime>,
}

/// How many members the directory lists at `now` of this role and borough (each `None`
/// for any): [`listed_counts`] added up. The same as counting [`listed`], without reading
/// every member.
pub fn listed_count(
    conn: &mut DbConn,
    role: Option<Role>,
    borough: Option<Borough>,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    Ok(listed_counts(conn, now)?
        .into_iter()
        .filter(|(b, r, _)| {
            role.is_none_or(|role| role == *r) && borough.is_none_or(|borough| borough == *b)
        })
        .map(|(.., n)| n)
        .sum())
}

/// How many members the directory lists at `now`, by borough and role, as rows to add up:
/// the kept counts of listed, approved members (twenty rows at most), and each member
/// suspended now as a count of minus one.
pub fn listed_counts(
    conn: &mut DbConn,
    now: NaiveDateTime,
) -> QueryResult<Vec<(Borough, Role, i64)>> {
    let mut rows: Vec<(Borough, Role, i64)> = directory_counts::table
        .select((
            directory_counts::borough,
            directory_counts::role,
            directory_counts::listed,
        ))
        .load(conn)?;
    let suspended = suspended_now(conn, now)?;
    rows.extend(
        suspended
            .into_iter()
            .map(|(role, borough)| (borough, role, -1)),
    );
    Ok(rows)
}

/// Everything a profile page shows.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = members)]
pub struct Profile {
    pub id: MemberId,
    pub display_name: String,
    pub role: Role,
    pub borough: Borough,
    pub organisation: String,
    pub about_html: SafeHtml,
    pub staff: StaffLevel,
    pub created_at: NaiveDateTime,
}

/// An approved member's profile; an applicant has none yet.
pub fn profile(conn: &mut DbConn, id: MemberId) -> QueryResult<Profile> {
    members::table
        .find(id)
        .filter(members::approved_at.is_not_null())
        .select(Profile::as_select())
        .first(conn)
}
