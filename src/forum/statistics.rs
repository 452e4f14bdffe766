//! How moderation is going, for admins: reports per month, how long a report waits for its
//! first action (a claim, or being closed), and which categories they come from.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::accounts::members::Viewer;
use crate::db::DbConn;
use crate::rules::RuleError;
use crate::schema::{categories, posts, reports, threads};

/// One month, or one category: how many reports, how many still open, and the median wait
/// for a first action among those acted on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub reports: usize,
    /// Not yet claimed or closed.
    pub open: usize,
    pub median_wait: Option<Duration>,
}

#[derive(Debug, Clone, Default)]
pub struct Statistics {
    /// ("2026-11", tally), newest month first.
    pub months: Vec<(String, Tally)>,
    /// (category name, tally), most reports first.
    pub categories: Vec<(String, Tally)>,
    pub all: Tally,
}

/// The months looked back over.
pub const MONTHS: i64 = 12;

fn tally(waits: &[Option<Duration>]) -> Tally {
    let mut acted: Vec<Duration> = waits.iter().flatten().copied().collect();
    acted.sort();
    Tally {
        reports: waits.len(),
        open: waits.iter().filter(|w| w.is_none()).count(),
        median_wait: acted
            .get(acted.len().saturating_sub(1) / 2)
            .copied()
            .filter(|_| !acted.is_empty()),
    }
}

/// The last [`MONTHS`] months of reports. Admins only.
pub fn statistics(
    conn: &mut DbConn,
    actor: &Viewer,
    now: NaiveDateTime,
) -> Result<Statistics, RuleError> {
    if !actor.staff.is_admin() {
        return Err(RuleError::forbidden(
            "Only admins see moderation statistics.",
        ));
    }
    let since = now - Duration::days(MONTHS * 31);
    let rows: Vec<(
        NaiveDateTime,
        Option<NaiveDateTime>,
        Option<NaiveDateTime>,
        String,
    )> = reports::table
        .inner_join(posts::table.on(posts::id.eq(reports::post_id)))
        .inner_join(threads::table.on(threads::id.eq(posts::thread_id)))
        .inner_join(categories::table.on(categories::id.eq(threads::category_id)))
        .filter(reports::created_at.ge(since))
        .select((
            reports::created_at,
            reports::claimed_at,
            reports::closed_at,
            categories::name,
        ))
        .load(conn)?;
    let mut months: BTreeMap<String, Vec<Option<Duration>>> = BTreeMap::new();
    let mut by_category: BTreeMap<String, Vec<Option<Duration>>> = BTreeMap::new();
    let mut all = Vec::new();
    for (created, claimed, closed, category) in rows {
        let first_action = [claimed, closed].into_iter().flatten().min();
        let wait = first_action.map(|at| at - created);
        months
            .entry(format!("{}-{:02}", created.year(), created.month()))
            .or_default()
            .push(wait);
        by_category.entry(category).or_default().push(wait);
        all.push(wait);
    }
    let mut categories: Vec<(String, Tally)> = by_category
        .into_iter()
        .map(|(name, waits)| (name, tally(&waits)))
        .collect();
    categories.sort_by(|a, b| b.1.reports.cmp(&a.1.reports).then(a.0.cmp(&b.0)));
    Ok(Statistics {
        months: months
            .into_iter()
            .rev()
            .map(|(month, waits)| (month, tally(&waits)))
            .collect(),
        categories,
        all: tally(&all),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_wait_counts_only_reports_acted_on() {
        let hours = |h| Some(Duration::hours(h));
        let counted = tally(&[hours(1), None, hours(5), hours(3)]);
        assert_eq!(counted.reports, 4);
        assert_eq!(counted.open, 1);
        assert_eq!(counted.median_wait, hours(3));
        assert_eq!(tally(&[None]).median_wait, None);
        assert_eq!(tally(&[hours(2), hours(4)]).median_wait, hours(2));
    }
}
