//! The course: one run for each cluster of boroughs, made by the admin, and the members of
//! the cluster who book a place, as they would through the site (one run over-subscribed
//! with a waiting list, one with places left). Each run's cohort gets its own space.

use std::sync::LazyLock;

use anyhow::Context;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Utc, Weekday};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;

use super::corpus::{corpus, fill};
use super::members::{a_name, ascii_slug, Community};
use super::RunSummary;
use crate::accounts::members::Viewer;
use crate::accounts::Borough;
use crate::bookings::places::{self, ManagerAgreement, Place};
use crate::bookings::runs::{self, NewRun};
use crate::bookings::values::{
    session_starts, Capacity, Manager, ManagerMode, MeetingUrl, RunTitle,
};
use crate::db::{DbConn, MemberId};
use crate::schema::categories;

/// A run's cohort space and who may post in it.
pub(super) struct Cohort {
    pub(super) category: i64,
    pub(super) title: String,
    /// Member indexes: the two facilitators, then the booked participants.
    pub(super) people: Vec<usize>,
}

struct RunPlan {
    boroughs: &'static [Borough],
    /// Facilitators: indexes into the staff (`corpus/staff.txt`).
    ot: usize,
    link_worker: usize,
    /// How many ask for a place beyond the 15 (joining the waiting list); `None`: fewer
    /// than 15 ask.
    over: Option<usize>,
    under: usize,
}

const RUNS: [RunPlan; 3] = [
    RunPlan {
        boroughs: &[Borough::Manchester, Borough::Rochdale, Borough::Bury],
        ot: 1,
        link_worker: 3,
        over: Some(4),
        under: 0,
    },
    RunPlan {
        boroughs: &[Borough::Stockport, Borough::Tameside, Borough::Oldham],
        ot: 2,
        link_worker: 3,
        over: None,
        under: 4,
    },
    RunPlan {
        boroughs: &[
            Borough::Trafford,
            Borough::Salford,
            Borough::Wigan,
            Borough::Bolton,
        ],
        ot: 1,
        link_worker: 4,
        over: Some(2),
        under: 0,
    },
];

const CAPACITY: usize = 15;

/// A run's title and description, with `{boroughs}` to fill.
struct Words {
    title: String,
    description: String,
}

static WORDS: LazyLock<Words> = LazyLock::new(|| {
    let courses = corpus!("courses.txt");
    Words {
        title: courses.text("title"),
        description: courses.text("description"),
    }
});

fn next_tuesday(today: NaiveDate) -> NaiveDate {
    let ahead =
        (7 + Weekday::Tue.num_days_from_monday() - today.weekday().num_days_from_monday()) % 7;
    today + Duration::days(if ahead == 0 { 7 } else { i64::from(ahead) })
}

pub(super) fn make(
    conn: &mut DbConn,
    rng: &mut StdRng,
    community: &Community,
    admin: &Viewer,
    anchor: NaiveDateTime,
    today: NaiveDate,
) -> anyhow::Result<(Vec<RunSummary>, Vec<Cohort>)> {
    // Today as it is in London, where the course runs (never behind the UTC date).
    let today_london = Utc::now()
        .with_timezone(&chrono_tz::Europe::London)
        .date_naive()
        .max(today);
    let first_tuesday = next_tuesday(today_london);
    let created = anchor - Duration::days(14);
    let mut summaries = Vec::new();
    let mut cohorts = Vec::new();
    for (n, plan) in RUNS.iter().enumerate() {
        let first_london = (first_tuesday + Duration::weeks(3 * n as i64))
            .and_hms_opt(14, 0, 0)
            .expect("2 pm exists");
        let starts = session_starts(first_london, 3, 1).map_err(|e| anyhow::anyhow!(e))?;
        let clusters = plan.boroughs.iter().map(|b| b.label()).collect::<Vec<_>>();
        let boroughs = join_words(&clusters);
        let title = fill(&WORDS.title, &[("boroughs", &boroughs)]);
        let new = NewRun {
            title: RunTitle::parse(&title).map_err(|e| anyhow::anyhow!(e))?,
            description: fill(&WORDS.description, &[("boroughs", &boroughs)]),
            boroughs: plan.boroughs.to_vec(),
            capacity: Capacity::parse(&CAPACITY.to_string()).map_err(|e| anyhow::anyhow!(e))?,
            meeting_url: MeetingUrl::parse(&format!("https://meet.example.org/spot-{}", n + 1))
                .map_err(|e| anyhow::anyhow!(e))?,
            session_starts: starts.clone(),
            duration_minutes: 120,
            ot_facilitator: Some(MemberId(community.rows[plan.ot].id)),
            link_worker_facilitator: Some(MemberId(community.rows[plan.link_worker].id)),
            manager_mode: ManagerMode::Notify,
        };
        let run_id = conn
            .write_transaction(|conn| {
                runs::create(conn, admin, &new, created + Duration::hours(n as i64))
            })
            .map_err(|e| anyhow::anyhow!("could not create the run {title:?}: {e}"))?;

        // Members of the cluster who had joined by the time bookings opened.
        let booking_opens = created + Duration::days(1);
        let mut candidates: Vec<usize> = (community.staff..community.rows.len())
            .filter(|&i| {
                let m = &community.rows[i];
                plan.boroughs.contains(&m.borough) && m.created_at < booking_opens
            })
            .collect();
        candidates.shuffle(rng);
        let wanted = match plan.over {
            Some(extra) => CAPACITY + extra,
            None => CAPACITY - plan.under,
        };
        let mut booked = Vec::new();
        let mut waiting = 0;
        for (k, &i) in candidates.iter().take(wanted).enumerate() {
            let viewer = community.viewer(i);
            let (first, last) = a_name(rng);
            let manager = format!("{first} {last}");
            let address = format!(
                "{}@{}.spot.example",
                ascii_slug(&manager),
                viewer.borough.slug()
            );
            let agreement =
                ManagerAgreement {
                    agreed: true,
                    manager: Some(Manager::parse(&manager, &address).map_err(|faults| {
                        anyhow::anyhow!("a demo manager is refused: {faults:?}")
                    })?),
                };
            let at = booking_opens + Duration::minutes(37 * k as i64 + rng.gen_range(0..30));
            let place = conn
                .write_transaction(|conn| {
                    places::book(conn, &viewer, viewer.id, run_id, &agreement, None, at)
                        .map(|(place, _)| place)
                })
                .map_err(|e| anyhow::anyhow!("could not book a demo place: {e}"))?;
            match place {
                Place::Booked => booked.push(i),
                Place::Waiting(_) => waiting += 1,
            }
        }
        let category: i64 = categories::table
            .filter(categories::course_run_id.eq(run_id))
            .select(categories::id)
            .first(conn)
            .context("the run's cohort space is missing")?;
        let mut people = vec![plan.ot, plan.link_worker];
        people.extend(booked.iter().copied());
        summaries.push(RunSummary {
            id: run_id,
            title: title.clone(),
            starts: starts[0],
            booked: booked.len(),
            waiting,
        });
        cohorts.push(Cohort {
            category,
            title,
            people,
        });
    }
    Ok((summaries, cohorts))
}

fn join_words(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tuesdays_are_strictly_upcoming() {
        let wednesday = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert_eq!(
            next_tuesday(wednesday),
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
        );
        let tuesday = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(
            next_tuesday(tuesday),
            NaiveDate::from_ymd_opt(2026, 12, 8).unwrap()
        );
        let monday = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(
            next_tuesday(monday),
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
        );
    }

    #[test]
    fn a_run_is_named_for_its_cluster() {
        let title = fill(&WORDS.title, &[("boroughs", &join_words(&["A", "B", "C"]))]);
        assert_eq!(title, "SPOT course: A, B and C");
    }
}
