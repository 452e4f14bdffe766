//! Directory queries: one count and one page query, whatever the filters.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::accounts::{Borough, Role, StaffLevel};
use crate::db::paging::{PageNumber, Paged};
use crate::db::{DbConn, MemberId};
use crate::markdown::SafeHtml;
use crate::schema::members;

pub const PER_PAGE: i64 = 20;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DirectoryFilter {
    pub role: Option<Role>,
    pub borough: Option<Borough>,
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

/// Listed, unsuspended members matching the filter, sorted by name.
pub fn page(
    conn: &mut DbConn,
    filter: DirectoryFilter,
    page: PageNumber,
    now: NaiveDateTime,
) -> QueryResult<Paged<DirectoryEntry>> {
    let base = || {
        let mut query = members::table
            .filter(members::listed.eq(true))
            .filter(members::approved_at.is_not_null())
            .filter(
                members::suspended_at
                    .is_null()
                    .or(members::suspended_until.le(now).assume_not_null()),
            )
            .into_boxed();
        if let Some(role) = filter.role {
            query = query.filter(members::role.eq(role));
        }
        if let Some(borough) = filter.borough {
            query = query.filter(members::borough.eq(borough));
        }
        query
    };
    let total: i64 = base().count().get_result(conn)?;
    let items = base()
        .select(DirectoryEntry::as_select())
        .order((members::sort_name.asc(), members::id.asc()))
        .limit(PER_PAGE)
        .offset(page.offset(PER_PAGE))
        .load(conn)?;
    Ok(Paged::new(items, page, PER_PAGE, total))
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
