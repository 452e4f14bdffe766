//! A course from booking to the register: the manager named on a booking confirms or
//! declines it by an emailed single-use link (a run in `confirm` mode holds the place for
//! seven days, with reminders, then gives it to the waiting list); cancelling asks first
//! and a late cancellation is flagged to the run's facilitators; the register opens when
//! its session starts, and the roster shows attendance per session and completion.

use chrono::Duration;
use reqwest::{Response, StatusCode};

use crate::courses::{
    admin, book_ok, course_form, days_ahead, emails_to, member, north_run, register_sessions,
    roster_row, roster_rows, sessions_from, sessions_held, two_pm,
};
use crate::helpers::*;
use crate::membership::smtp_letter_to;
use crate::on_both_engines;

/// A run for Manchester, Rochdale and Bury in two weeks, in `confirm` mode.
async fn confirm_run(admin: &Browser, capacity: &str) -> i64 {
    let starts = two_pm(days_ahead(14));
    let fields = course_form(
        &["manchester", "rochdale", "bury"],
        &[
            ("title", "SPOT course: north"),
            ("capacity", capacity),
            ("manager_mode", "confirm"),
        ],
        &starts,
    );
    let response = admin.post("/admin/courses/new", &fields).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{}",
        response.text().await.unwrap_or_default()
    );
    header(&response, "location")
        .trim_start_matches("/admin/courses/")
        .parse()
        .unwrap()
}

async fn book_with_manager(browser: &Browser, run: i64, name: &str, email: &str) -> Response {
    browser
        .post(
            &format!("/courses/{run}/book"),
            &[
                ("manager_agreed", "yes"),
                ("manager_name", name),
                ("manager_email", email),
            ],
        )
        .await
}

/// The manager's link in a letter (path only).
fn manager_link(text: &str) -> String {
    let start = text
        .find("/manager/")
        .unwrap_or_else(|| panic!("no manager link in {text}"));
    text[start..].split_whitespace().next().unwrap().to_owned()
}

/// The newest letter to `address` in the outbox folder, as its reader sees it.
fn letter_to(app: &TestApp, address: &str, containing: &str) -> String {
    emails_to(app, address)
        .into_iter()
        .rev()
        .find(|text| text.contains(containing))
        .unwrap_or_else(|| panic!("no letter to {address} with {containing:?}"))
}

/// The roster row of the member with this name, cell by cell.
fn roster_cells(roster: &str, name: &str) -> Vec<String> {
    roster_row(&roster_rows(roster), name).to_vec()
}

async fn over_smtp(engine: Engine) {
    let sink = crate::mail_delivery::SmtpSink::start_on(0);
    let url = format!("smtp://127.0.0.1:{}", sink.port);
    let app = TestApp::spawn_with(engine, |config| config.smtp_url = Some(url)).await;
    app.insert_members(&[("ada@nhs.net", "Ada Admin", "link_worker", "salford")]);
    app.promote("ada@nhs.net", "admin");
    assert_redirects_to(&app.login("ada@nhs.net", PASSWORD).await, "/");
    let run = confirm_run(&app, "2").await;
    app.insert_members(&[
        ("ann@nhs.net", "Ann Bury", "link_worker", "bury"),
        ("bob@nhs.net", "Bob Bury", "occupational_therapist", "bury"),
        ("cal@nhs.net", "Cal Bury", "occupational_therapist", "bury"),
    ]);
    let ann = app.another_browser();
    ann.login("ann@nhs.net", PASSWORD).await;
    let bob = app.another_browser();
    bob.login("bob@nhs.net", PASSWORD).await;
    let cal = app.another_browser();
    cal.login("cal@nhs.net", PASSWORD).await;

    // Ann books: her manager is emailed the dates, the time it takes and what SPOT is.
    assert_redirects_to(
        &book_with_manager(&ann, run, "Pat Lead", "pat.lead@nhs.net").await,
        &format!("/courses/{run}"),
    );
    let page = ann.page(&format!("/courses/{run}")).await;
    assert!(
        page.contains("Waiting for your manager.") && page.contains("Your place is held until"),
        "{page}"
    );
    let letter = smtp_letter_to(&sink, "pat.lead@nhs.net", "/manager/").await;
    assert!(
        letter.contains("Ann Bury has booked a place on SPOT course: north"),
        "{letter}"
    );
    assert!(
        letter.contains("3 online sessions of 2 hours (6 hours in all)"),
        "{letter}"
    );
    assert!(
        letter.contains("Elizabeth Casson Trust") && letter.contains("held until"),
        "{letter}"
    );
    let link = manager_link(&letter);
    // Bob takes the other place (his manager will decline it); Cal waits.
    assert_redirects_to(
        &book_with_manager(&bob, run, "Kim Head", "kim.head@nhs.net").await,
        &format!("/courses/{run}"),
    );
    let bobs_link = manager_link(&smtp_letter_to(&sink, "kim.head@nhs.net", "/manager/").await);
    assert_redirects_to(
        &book_with_manager(&cal, run, "Kim Head", "kim.head@nhs.net").await,
        &format!("/courses/{run}"),
    );
    assert!(cal
        .page(&format!("/courses/{run}"))
        .await
        .contains("You are number 1 on the waiting list"));

    // The manager needs no account: the page shows whose booking, and takes one answer.
    let manager = app.another_browser();
    let page = manager.page(&link).await;
    assert!(
        page.contains("Ann Bury") && page.contains("Session 3"),
        "{page}"
    );
    let response = manager.post(&link, &[("answer", "")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&response.text().await.unwrap(), "answer").is_some());
    let response = manager.post(&link, &[("answer", "confirm")]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("You have confirmed the place"));
    let told = smtp_letter_to(&sink, "ann@nhs.net", "Your manager has confirmed").await;
    assert!(told.contains("the place is yours"), "{told}");
    assert!(ann
        .page(&format!("/courses/{run}"))
        .await
        .contains("Your manager has confirmed your booking."));
    // Single use: the link now says where the booking stands, and takes no other answer.
    let page = manager.page(&link).await;
    assert!(
        page.contains("You have confirmed this booking.")
            && page.contains("no longer takes an answer"),
        "{page}"
    );
    assert_eq!(count_of(&page, r#"input[name="answer"]"#), 0, "{page}");
    assert_eq!(
        manager.post(&link, &[("answer", "decline")]).await.status(),
        StatusCode::CONFLICT
    );
    assert!(ann
        .page(&format!("/courses/{run}"))
        .await
        .contains("You are booked on this run."));

    // Bob's manager declines: his place goes to Cal, and both hear by email.
    let response = manager.post(&bobs_link, &[("answer", "decline")]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let told = smtp_letter_to(&sink, "bob@nhs.net", "declined").await;
    assert!(
        told.contains("Your manager has declined your booking"),
        "{told}"
    );
    assert!(!bob
        .page(&format!("/courses/{run}"))
        .await
        .contains("You are booked on this run."));
    smtp_letter_to(&sink, "cal@nhs.net", "A place came up and it is yours").await;
    assert!(cal
        .page(&format!("/courses/{run}"))
        .await
        .contains("You are booked on this run."));
    let roster = app.page(&format!("/courses/{run}/roster")).await;
    assert_eq!(
        roster_cells(&roster, "Ann Bury")[5],
        "Confirmed by the manager (Pat Lead)"
    );
    assert_eq!(
        roster_cells(&roster, "Bob Bury")[5],
        "Declined by the manager (Kim Head)"
    );
    let log = app.page("/admin/audit").await;
    assert!(
        log.contains("booking confirmed by manager") && log.contains("booking declined by manager"),
        "{log}"
    );
}

#[actix_web::test]
async fn a_manager_confirms_or_declines_by_an_emailed_link_over_smtp_sqlite() {
    over_smtp(Engine::Sqlite).await;
}

#[actix_web::test]
#[cfg_attr(
    not(spot_postgres_tests),
    ignore = "needs PostgreSQL: set SPOT_TEST_POSTGRES_URL"
)]
async fn a_manager_confirms_or_declines_by_an_emailed_link_over_smtp_postgres() {
    over_smtp(Engine::Postgres).await;
}

on_both_engines! {
    async fn the_managers_name_and_work_email_are_required(app: TestApp) {
        admin(&app).await;
        let run = north_run(&app, "15").await;
        let ann = member(&app, "ann@nhs.net", "Ann Bury", "link_worker", "bury").await;
        let response = ann.post(&format!("/courses/{run}/book"), &[("manager_agreed", "yes"), ("manager_name", "Pat Lead")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(field_error(&html, "manager_email").is_some_and(|e| e.contains("work email")), "{html}");
        assert_eq!(input_value(&html, "manager_name").as_deref(), Some("Pat Lead"), "kept");
        let response = ann.post(&format!("/courses/{run}/book"), &[("manager_agreed", "yes"), ("manager_email", "pat@nhs.net")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(field_error(&html, "manager_name").is_some(), "{html}");
        assert!(ann.page(&format!("/courses/{run}")).await.contains("15 of 15 places left"));

        // A run in notify mode: the booking stands, and the manager is told so.
        assert_redirects_to(&book_with_manager(&ann, run, "Pat Lead", "pat@nhs.net").await, &format!("/courses/{run}"));
        let page = ann.page(&format!("/courses/{run}")).await;
        assert!(page.contains("You are booked on this run.") && page.contains("We have emailed your manager"), "{page}");
        let letter = letter_to(&app, "pat@nhs.net", "/manager/");
        assert!(letter.contains("The booking stands unless you decline it."), "{letter}");
        let mine = letter_to(&app, "ann@nhs.net", "Your place on");
        assert!(mine.contains("We have emailed your manager, Pat Lead"), "{mine}");
    }

    async fn an_unconfirmed_place_goes_to_the_waiting_list_after_seven_days_with_reminders(app: TestApp) {
        admin(&app).await;
        let run = confirm_run(&app, "2").await;
        let ann = member(&app, "ann@nhs.net", "Ann Bury", "link_worker", "bury").await;
        let bob = member(&app, "bob@nhs.net", "Bob Bury", "link_worker", "bury").await;
        let dee = member(&app, "dee@nhs.net", "Dee Bury", "link_worker", "bury").await;
        book_with_manager(&dee, run, "Lee Boss", "lee@nhs.net").await;
        book_with_manager(&ann, run, "Pat Lead", "pat@nhs.net").await;
        book_with_manager(&bob, run, "Kim Head", "kim@nhs.net").await;
        let first_link = manager_link(&letter_to(&app, "pat@nhs.net", "/manager/"));
        let page = bob.page(&format!("/courses/{run}")).await;
        assert!(page.contains("number 1 on the waiting list"), "{page}");

        // Three days on: nothing yet. Three and a half: the first reminder, with a new link.
        let now = spot::db::now();
        app.mail_round_at(now + Duration::days(2));
        assert_eq!(emails_to(&app, "pat@nhs.net").iter().filter(|t| t.contains("Reminder")).count(), 0);
        app.mail_round_at(now + Duration::days(3) + Duration::hours(12));
        let reminder = letter_to(&app, "pat@nhs.net", "Reminder");
        assert!(reminder.contains("no longer works"), "{reminder}");
        let second_link = manager_link(&reminder);
        assert_ne!(first_link, second_link);
        assert_eq!(app.another_browser().get(&first_link).await.status(), StatusCode::NOT_FOUND, "the old link is dead");
        // The same round again sends nothing new; the last day brings the second reminder.
        app.mail_round_at(now + Duration::days(3) + Duration::hours(13));
        assert_eq!(emails_to(&app, "pat@nhs.net").iter().filter(|t| t.contains("Reminder")).count(), 1);
        app.mail_round_at(now + Duration::days(6) + Duration::hours(12));
        assert_eq!(emails_to(&app, "pat@nhs.net").iter().filter(|t| t.contains("Reminder")).count(), 2);
        let last_link = manager_link(&letter_to(&app, "pat@nhs.net", "Reminder"));

        // Seven days without an answer: Ann's place goes to Bob, and both are told.
        app.mail_round_at(now + Duration::days(7) + Duration::minutes(5));
        let told = letter_to(&app, "ann@nhs.net", "released");
        assert!(told.contains("did not confirm your booking"), "{told}");
        assert!(letter_to(&app, "bob@nhs.net", "A place has come up").contains("it is yours"));
        let page = ann.page(&format!("/courses/{run}")).await;
        assert!(!page.contains("You are booked on this run.") && !page.contains("Waiting for your manager."), "{page}");
        assert!(bob.page(&format!("/courses/{run}")).await.contains("You are booked on this run."));
        let page = app.another_browser().page(&last_link).await;
        assert!(page.contains("not confirmed within 7 days") && page.contains("no longer takes an answer"), "{page}");
        let late = app.another_browser().post(&last_link, &[("answer", "confirm")]).await;
        assert_eq!(late.status(), StatusCode::CONFLICT);
        let roster = app.page(&format!("/courses/{run}/roster")).await;
        assert_eq!(roster_cells(&roster, "Ann Bury")[4], "Cancelled");
        assert_eq!(roster_cells(&roster, "Ann Bury")[5], "Not confirmed in time (Pat Lead)");
        assert_eq!(roster_cells(&roster, "Bob Bury")[5], "Waiting for the manager (Kim Head)");
    }

    async fn cancelling_asks_first_and_a_late_cancellation_is_flagged_to_the_facilitators(app: TestApp) {
        admin(&app).await;
        let run = north_run(&app, "15").await;
        let fay = crate::courses::facilitating(&app, run).await;
        let ann = member(&app, "ann@nhs.net", "Ann Bury", "link_worker", "bury").await;
        let bob = member(&app, "bob@nhs.net", "Bob Bury", "link_worker", "bury").await;
        book_ok(&ann, run).await;
        book_ok(&bob, run).await;

        // The course page asks on a page of its own, with a box for why.
        let page = ann.page(&format!("/courses/{run}")).await;
        assert_eq!(attr_of(&page, "a.button-warning", "href"), Some(format!("/courses/{run}/cancel")));
        let confirm = ann.page(&format!("/courses/{run}/cancel")).await;
        assert!(confirm.contains("Cancel your place?") && confirm.contains("Keep my booking"), "{confirm}");
        assert!(!confirm.contains("48 hours"), "not late yet: {confirm}");
        // A reason that identifies a patient is refused, the text kept.
        let reason = "Covering for Mrs Patel, born 12/03/1954";
        let response = ann.post(&format!("/courses/{run}/cancel"), &[("reason", reason)]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(field_error(&html, "reason").is_some(), "{html}");
        assert!(html.contains("Covering for Mrs Patel"), "kept: {html}");
        assert!(ann.page(&format!("/courses/{run}")).await.contains("You are booked on this run."));
        // Two weeks ahead: cancelled, not flagged.
        let response = ann.post(&format!("/courses/{run}/cancel"), &[("reason", "Clinic moved to Tuesdays")]).await;
        assert_redirects_to(&response, &format!("/courses/{run}"));
        assert_eq!(emails_to(&app, "fay@nhs.net").iter().filter(|t| t.contains("Late cancellation")).count(), 0);

        // A day before the start, Bob cancels: Fay hears, and the roster says so.
        sessions_from(&app, run, spot::db::now() + Duration::hours(24));
        let confirm = bob.page(&format!("/courses/{run}/cancel")).await;
        assert!(confirm.contains("less than 48 hours away"), "{confirm}");
        let response = bob.post(&format!("/courses/{run}/cancel"), &[("reason", "Off sick")]).await;
        assert_redirects_to(&response, &format!("/courses/{run}"));
        let told = letter_to(&app, "fay@nhs.net", "Late cancellation");
        assert!(told.contains("Bob Bury has cancelled") && told.contains("Their reason: Off sick"), "{told}");
        let roster = fay.page(&format!("/courses/{run}/roster")).await;
        let bob_row = roster_cells(&roster, "Bob Bury");
        assert!(bob_row[4].contains("Within 48 hours of the start") && bob_row[4].contains("Reason: Off sick"), "{bob_row:?}");
        let ann_row = roster_cells(&roster, "Ann Bury");
        assert!(!ann_row[4].contains("48 hours") && ann_row[4].contains("Clinic moved to Tuesdays"), "{ann_row:?}");
        let csv = fay.page(&format!("/courses/{run}/roster.csv")).await;
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let headers: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
        let late = headers.iter().position(|h| h == "Cancelled within 48 hours").expect("a late column");
        let why = headers.iter().position(|h| h == "Cancellation reason").expect("a reason column");
        let rows: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
        let bob_csv = rows.iter().find(|r| r[0] == "Bob Bury").unwrap();
        assert_eq!((bob_csv[late].as_str(), bob_csv[why].as_str()), ("Yes", "Off sick"));
    }

    async fn the_register_opens_at_the_session_and_the_roster_shows_completion(app: TestApp) {
        admin(&app).await;
        let run = north_run(&app, "15").await;
        let fay = crate::courses::facilitating(&app, run).await;
        let ann = member(&app, "ann@nhs.net", "Ann Bury", "link_worker", "bury").await;
        let bob = member(&app, "bob@nhs.net", "Bob Bury", "occupational_therapist", "bury").await;
        book_ok(&ann, run).await;
        book_ok(&bob, run).await;
        let ann_id = app.member_id("ann@nhs.net").to_string();
        let bob_id = app.member_id("bob@nhs.net").to_string();

        // Before it starts, a forged register is refused and nothing is kept.
        let session_ids: Vec<i64> = {
            use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
            use spot::schema::course_sessions;
            let mut conn = app.db.conn().unwrap();
            course_sessions::table
                .filter(course_sessions::run_id.eq(run))
                .order(course_sessions::number.asc())
                .select(course_sessions::id)
                .load(&mut *conn)
                .unwrap()
        };
        let early = fay.post(&format!("/courses/{run}/attendance/{}", session_ids[0]), &[("present", ann_id.as_str())]).await;
        assert_eq!(early.status(), StatusCode::CONFLICT);
        assert!(early.text().await.unwrap().contains("opens when it starts"));

        // The first two sessions have been held; the third starts in a week.
        sessions_from(&app, run, spot::db::now() - Duration::weeks(1) - Duration::hours(3));
        let roster = fay.page(&format!("/courses/{run}/roster")).await;
        let open = register_sessions(&roster, run);
        assert_eq!(open.len(), 2, "{roster}");
        for session in &open {
            fay.post(&format!("/courses/{run}/attendance/{session}"), &[("present", ann_id.as_str()), ("present", bob_id.as_str())]).await;
        }
        let refused = fay.post(&format!("/courses/{run}/attendance/{}", session_ids[2]), &[("present", ann_id.as_str())]).await;
        assert_eq!(refused.status(), StatusCode::CONFLICT);
        let roster = fay.page(&format!("/courses/{run}/roster")).await;
        assert_eq!(roster_cells(&roster, "Ann Bury")[6..], ["Present", "Present", "–", "Not yet"]);

        // The course over: Ann came every time, Bob missed the last session.
        sessions_held(&app, run, 3);
        let roster = fay.page(&format!("/courses/{run}/roster")).await;
        let third = &register_sessions(&roster, run)[2];
        fay.post(&format!("/courses/{run}/attendance/{third}"), &[("present", ann_id.as_str())]).await;
        let roster = fay.page(&format!("/courses/{run}/roster")).await;
        assert_eq!(roster_cells(&roster, "Ann Bury")[6..], ["Present", "Present", "Present", "Yes"]);
        assert_eq!(roster_cells(&roster, "Bob Bury")[6..], ["Present", "Present", "Absent", "No"]);
        let csv = fay.page(&format!("/courses/{run}/roster.csv")).await;
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let headers: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
        assert_eq!(headers[headers.len() - 4..], ["Session 1", "Session 2", "Session 3", "Completed"]);
        let rows: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
        let bob_csv = rows.iter().find(|r| r[0] == "Bob Bury").unwrap();
        assert_eq!(bob_csv[bob_csv.len() - 4..], ["Present", "Present", "Absent", "No"]);
    }

    async fn participants_are_reminded_two_days_and_an_hour_before_each_session(app: TestApp) {
        admin(&app).await;
        let run = north_run(&app, "15").await;
        let ann = member(&app, "ann@nhs.net", "Ann Bury", "link_worker", "bury").await;
        let bob = member(&app, "bob@nhs.net", "Bob Bury", "link_worker", "bury").await;
        book_ok(&ann, run).await;
        book_ok(&bob, run).await;
        // Bob wants none; the settings offer only "before each session" or "never".
        let settings = bob.page("/account/notifications").await;
        assert_eq!(count_of(&settings, r#"select[name="reminders"] option"#), 2, "{settings}");
        let mut choices = vec![("replies", "immediately"), ("mentions", "immediately"), ("messages", "immediately"),
            ("watching", "daily"), ("tags", "daily"), ("moderation", "immediately"), ("roundup", "weekly"), ("reminders", "daily")];
        let response = bob.post("/account/notifications", &choices).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(field_error(&response.text().await.unwrap(), "reminders").is_some());
        choices.last_mut().unwrap().1 = "never";
        assert_redirects_to(&bob.post("/account/notifications", &choices).await, "/account/notifications");

        // The first session is a day and a half away: the two-day reminder goes now, once.
        let now = spot::db::now();
        sessions_from(&app, run, now + Duration::hours(36));
        app.mail_round_at(now);
        app.mail_round_at(now + Duration::minutes(5));
        let reminders = |who: &str| emails_to(&app, who).into_iter().filter(|t| t.contains("Subject: Reminder: session")).collect::<Vec<_>>();
        let anns = reminders("ann@nhs.net");
        assert_eq!(anns.len(), 1, "{anns:?}");
        assert!(anns[0].contains("Session 1 of SPOT course: Manchester, Rochdale and Bury starts"), "{}", anns[0]);
        assert!(anns[0].contains("https://meet.example.org/spot-cohort") && anns[0].contains("Content-Type: text/calendar"), "{}", anns[0]);
        assert!(anns[0].contains("List-Unsubscribe"), "{}", anns[0]);
        assert!(reminders("bob@nhs.net").is_empty(), "Bob chose never");
        // An hour before: the second.
        app.mail_round_at(now + Duration::hours(35) + Duration::minutes(10));
        app.mail_round_at(now + Duration::hours(35) + Duration::minutes(20));
        assert_eq!(reminders("ann@nhs.net").len(), 2);
        assert!(reminders("bob@nhs.net").is_empty());
        // After it started, nothing more for session 1.
        app.mail_round_at(now + Duration::hours(37));
        assert_eq!(reminders("ann@nhs.net").len(), 2);
    }
}
