//! The figures the map shows: how many link workers and occupational therapists the directory
//! lists in each borough, from the directory's kept counts.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::accounts::{Borough, Role};
use crate::db::DbConn;
use crate::members::directory;

/// One borough's members, by role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoroughCount {
    pub borough: Borough,
    pub link_workers: i64,
    pub occupational_therapists: i64,
}

impl BoroughCount {
    pub fn total(&self) -> i64 {
        self.link_workers + self.occupational_therapists
    }

    /// "Salford: 12 link workers, 9 occupational therapists": the borough's link on the map.
    pub fn described(&self) -> String {
        format!(
            "{}: {}, {}",
            self.borough.label(),
            people(self.link_workers, "link worker", "link workers"),
            people(
                self.occupational_therapists,
                "occupational therapist",
                "occupational therapists"
            )
        )
    }
}

/// "1 link worker", "no link workers", "12 link workers".
pub fn people(count: i64, one: &str, many: &str) -> String {
    match count {
        0 => format!("no {many}"),
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

/// The ten boroughs' figures, in the order of [`Borough::ALL`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberCounts(pub Vec<BoroughCount>);

impl MemberCounts {
    /// Figures from (borough, role, count) rows; a borough without rows has none.
    pub fn from_rows(rows: &[(Borough, Role, i64)]) -> Self {
        Self(
            Borough::ALL
                .iter()
                .map(|&borough| {
                    let of = |role| {
                        rows.iter()
                            .filter(|(b, r, _)| *b == borough && *r == role)
                            .map(|(_, _, n)| n)
                            .sum()
                    };
                    BoroughCount {
                        borough,
                        link_workers: of(Role::LinkWorker),
                        occupational_therapists: of(Role::OccupationalTherapist),
                    }
                })
                .collect(),
        )
    }

    pub fn get(&self, borough: Borough) -> BoroughCount {
        self.0
            .iter()
            .find(|count| count.borough == borough)
            .copied()
            .unwrap_or(BoroughCount {
                borough,
                link_workers: 0,
                occupational_therapists: 0,
            })
    }

    /// The totals over all ten boroughs.
    pub fn all(&self) -> (i64, i64) {
        self.0.iter().fold((0, 0), |(lw, ot), count| {
            (lw + count.link_workers, ot + count.occupational_therapists)
        })
    }

    /// The most members any one borough has (the top of the shading's scale).
    pub fn most(&self) -> i64 {
        self.0.iter().map(BoroughCount::total).max().unwrap_or(0)
    }
}

/// How many members the directory lists at `now`, by borough and role: from the kept
/// counts, without reading every member.
pub fn counts(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<MemberCounts> {
    let rows = directory::listed_counts(conn, now)?;
    Ok(MemberCounts::from_rows(&rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_borough_has_figures_even_without_members() {
        let counts = MemberCounts::from_rows(&[
            (Borough::Salford, Role::LinkWorker, 12),
            (Borough::Salford, Role::OccupationalTherapist, 9),
            (Borough::Wigan, Role::OccupationalTherapist, 1),
        ]);
        assert_eq!(counts.0.len(), 10);
        assert_eq!(
            counts.get(Borough::Salford).described(),
            "Salford: 12 link workers, 9 occupational therapists"
        );
        assert_eq!(
            counts.get(Borough::Wigan).described(),
            "Wigan: no link workers, 1 occupational therapist"
        );
        assert_eq!(counts.all(), (12, 10));
        assert_eq!(counts.most(), 21);
    }
}
