//! Booking rules, called as the booking pages will call them (the pages come next).

use chrono::Duration;
use spot::accounts::members::{self, Viewer};
use spot::bookings::places::{self, ManagerAgreement, Place};
use spot::bookings::runs::{self, NewRun};
use spot::bookings::values::{Capacity, Manager, ManagerMode, MeetingUrl, RunTitle};
use spot::db::{CourseRunId, MemberId};
use spot::rules::RuleError;

use crate::helpers::*;
use crate::on_both_engines;

fn viewer(app: &TestApp, email: &str) -> Viewer {
    let mut conn = app.db.conn().unwrap();
    Viewer::from(&members::find(&mut conn, MemberId(app.member_id(email))).unwrap())
}

fn agreed() -> ManagerAgreement {
    ManagerAgreement {
        agreed: true,
        manager: Some(Manager::parse("Pat Lead", "pat.lead@nhs.net").unwrap()),
    }
}

/// A run for Manchester, Rochdale and Bury starting in a week, made by an admin.
fn north_run(app: &TestApp, capacity: &str) -> CourseRunId {
    app.insert_members(&[("admin@nhs.net", "Ada Admin", "link_worker", "salford")]);
    app.promote("admin@nhs.net", "admin");
    let admin = viewer(app, "admin@nhs.net");
    let first = spot::db::now() + Duration::days(7);
    let new = NewRun {
        title: RunTitle::parse("SPOT course: Manchester, Rochdale and Bury").unwrap(),
        description: String::new(),
        boroughs: vec![
            spot::accounts::Borough::Manchester,
            spot::accounts::Borough::Rochdale,
            spot::accounts::Borough::Bury,
        ],
        capacity: Capacity::parse(capacity).unwrap(),
        meeting_url: MeetingUrl::parse("https://meet.example.org/spot").unwrap(),
        session_starts: vec![
            first,
            first + Duration::weeks(1),
            first + Duration::weeks(2),
        ],
        duration_minutes: 120,
        ot_facilitator: None,
        link_worker_facilitator: None,
        manager_mode: ManagerMode::Notify,
    };
    let mut conn = app.db.conn().unwrap();
    conn.write_transaction(|conn| runs::create(conn, &admin, &new, spot::db::now()))
        .unwrap()
}

fn book(app: &TestApp, email: &str, run: CourseRunId) -> Result<Place, RuleError> {
    let member = viewer(app, email);
    let mut conn = app.db.conn().unwrap();
    conn.write_transaction(|conn| {
        places::book(
            conn,
            &member,
            member.id,
            run,
            &agreed(),
            None,
            spot::db::now(),
        )
        .map(|(place, _)| place)
    })
}

on_both_engines! {
    async fn twenty_people_booking_fifteen_places_at_once_leaves_five_waiting(app: TestApp) {
        let run = north_run(&app, "15");
        let people: Vec<(String, String)> = (1..=20).map(|n| (format!("p{n}@nhs.net"), format!("Person {n}"))).collect();
        let rows: Vec<(&str, &str, &str, &str)> = people.iter().map(|(e, n)| (e.as_str(), n.as_str(), "link_worker", "bury")).collect();
        app.insert_members(&rows);
        let viewers: Vec<Viewer> = people.iter().map(|(e, _)| viewer(&app, e)).collect();
        let outcomes: Vec<Result<Place, RuleError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = viewers
                .iter()
                .map(|member| {
                    let db = app.db.clone();
                    scope.spawn(move || {
                        let mut conn = db.conn().unwrap();
                        conn.write_transaction(|conn| places::book(conn, member, member.id, run, &agreed(), None, spot::db::now()).map(|(place, _)| place))
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let booked = outcomes.iter().filter(|o| matches!(o, Ok(Place::Booked))).count();
        let waiting = outcomes.iter().filter(|o| matches!(o, Ok(Place::Waiting(_)))).count();
        assert_eq!((booked, waiting), (15, 5), "{outcomes:?}");
        let mut conn = app.db.conn().unwrap();
        assert_eq!(places::counts(&mut conn, run).unwrap(), (15, 5));
    }

    async fn the_sixteenth_booking_joins_the_waiting_list_and_a_cancellation_promotes_the_first(app: TestApp) {
        let run = north_run(&app, "2");
        app.insert_members(&[
            ("a@nhs.net", "Ann A", "link_worker", "bury"),
            ("b@nhs.net", "Ben B", "occupational_therapist", "manchester"),
            ("c@nhs.net", "Cat C", "link_worker", "rochdale"),
            ("d@nhs.net", "Dev D", "link_worker", "rochdale"),
        ]);
        assert_eq!(book(&app, "a@nhs.net", run).unwrap(), Place::Booked);
        assert_eq!(book(&app, "b@nhs.net", run).unwrap(), Place::Booked);
        assert_eq!(book(&app, "c@nhs.net", run).unwrap(), Place::Waiting(1));
        assert_eq!(book(&app, "d@nhs.net", run).unwrap(), Place::Waiting(2));

        let ann = viewer(&app, "a@nhs.net");
        let mut conn = app.db.conn().unwrap();
        let cancelled = conn.write_transaction(|conn| places::cancel(conn, &ann, run, None, spot::db::now())).unwrap();
        assert_eq!(cancelled.promoted, Some(MemberId(app.member_id("c@nhs.net"))));
        assert_eq!(places::counts(&mut conn, run).unwrap(), (2, 1));
    }

    async fn one_course_only_and_the_run_must_serve_your_borough(app: TestApp) {
        let run = north_run(&app, "15");
        app.insert_members(&[
            ("a@nhs.net", "Ann A", "link_worker", "bury"),
            ("w@nhs.net", "Wyn W", "occupational_therapist", "wigan"),
        ]);
        assert_eq!(book(&app, "a@nhs.net", run).unwrap(), Place::Booked);
        assert!(matches!(book(&app, "a@nhs.net", run), Err(RuleError::Conflict(_))));
        let refused = book(&app, "w@nhs.net", run);
        assert!(matches!(&refused, Err(RuleError::Forbidden(why)) if why.contains("Wigan")), "{refused:?}");
    }

    async fn booking_needs_the_managers_agreement(app: TestApp) {
        let run = north_run(&app, "15");
        app.insert_members(&[("a@nhs.net", "Ann A", "link_worker", "bury")]);
        let ann = viewer(&app, "a@nhs.net");
        let mut conn = app.db.conn().unwrap();
        let refused = conn.write_transaction(|conn| {
            places::book(conn, &ann, ann.id, run, &ManagerAgreement::default(), None, spot::db::now())
        });
        assert!(matches!(refused, Err(RuleError::Invalid("manager_agreed", _))), "{refused:?}");
        assert_eq!(places::counts(&mut conn, run).unwrap(), (0, 0));
    }
}

on_both_engines! {
    async fn a_runs_cohort_space_is_not_open_to_every_member(app: TestApp) {
        north_run(&app, "15");
        app.join("m@nhs.net", "Mo Member", "link_worker", "wigan").await;
        let forum = app.page("/forum").await;
        assert!(!forum.contains("Cohort:"), "{forum}");
        let response = app.get("/forum/cohort-1").await;
        assert_eq!(response.status(), reqwest::StatusCode::FORBIDDEN);
    }
}
