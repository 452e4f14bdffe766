//! Course runs as their users meet them, over HTTP: admins create and run them, members
//! book, wait and cancel, facilitators keep the roster and the register. Each scenario
//! asserts what a person notices: the pages, the status codes, the emails and the
//! calendar files.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use reqwest::StatusCode;

use crate::helpers::*;
use crate::on_both_engines;

const MEETING: &str = "https://meet.example.org/spot-cohort";
const NORTH: &[&str] = &["manchester", "rochdale", "bury"];
const WEST: &[&str] = &["trafford", "salford", "wigan", "bolton"];

/// A date `days` from today.
pub fn days_ahead(days: i64) -> NaiveDate {
    chrono::Utc::now().date_naive() + Duration::days(days)
}

/// The form's `datetime-local` value for 2 pm on that day.
pub fn two_pm(date: NaiveDate) -> String {
    format!("{}T14:00", date.format("%Y-%m-%d"))
}

/// A session line as the course pages show it: "16 Mar 2027, 2:00pm to 4:00pm".
fn shown_session(date: NaiveDate) -> String {
    format!("{}, 2:00pm to 4:00pm", date.format("%-d %b %Y"))
}

/// Next year's spring clock change in London: the last Sunday of March.
fn next_spring_clock_change() -> NaiveDate {
    let year = chrono::Utc::now().year() + 1;
    let mut day = NaiveDate::from_ymd_opt(year, 3, 31).unwrap();
    while day.weekday() != Weekday::Sun {
        day -= Duration::days(1);
    }
    day
}

/// The main browser signs up as an admin (made from the console).
pub async fn admin(app: &TestApp) {
    app.join("ada@nhs.net", "Ada Admin", "link_worker", "salford")
        .await;
    app.promote("ada@nhs.net", "admin");
}

/// Another browser, signed up as a member.
pub async fn member(app: &TestApp, email: &str, name: &str, role: &str, borough: &str) -> Browser {
    let browser = app.another_browser();
    browser.join(email, name, role, borough).await;
    browser
}

/// Another browser, signed up and made a facilitator.
/// Fay, made one of this run's two facilitators (as the admin's run form does).
pub async fn facilitating(app: &TestApp, run: i64) -> Browser {
    let fay = facilitator(app).await;
    assign(app, run, "fay@nhs.net");
    fay
}

/// Makes the member with this address the run's OT facilitator.
pub fn assign(app: &TestApp, run: i64, email: &str) {
    use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
    use spot::schema::course_runs;
    let id = app.member_id(email);
    let mut conn = app.db.conn().expect("connection");
    diesel::update(course_runs::table.find(run))
        .set(course_runs::ot_facilitator_id.eq(Some(id)))
        .execute(&mut *conn)
        .expect("assigned");
}

pub async fn facilitator(app: &TestApp) -> Browser {
    let browser = member(
        app,
        "fay@nhs.net",
        "Fay Facilitator",
        "occupational_therapist",
        "bolton",
    )
    .await;
    app.promote("fay@nhs.net", "facilitator");
    browser
}

/// The course form with sensible values, `changes` replacing or adding fields and the
/// boroughs given separately (repeated `boroughs=` fields).
pub fn course_form<'a>(
    boroughs: &[&'a str],
    changes: &[(&'a str, &'a str)],
    starts_at: &'a str,
) -> Vec<(&'a str, &'a str)> {
    let mut fields: Vec<(&str, &str)> = vec![
        ("title", "SPOT course"),
        ("description", "Three online sessions."),
        ("capacity", "15"),
        ("starts_at", starts_at),
        ("session_count", "3"),
        ("weeks_between", "1"),
        ("duration_minutes", "120"),
        ("meeting_url", MEETING),
    ];
    for (name, value) in changes {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value,
            None => fields.push((name, value)),
        }
    }
    fields.extend(boroughs.iter().map(|b| ("boroughs", *b)));
    fields
}

/// An admin's browser creates a run; returns its id.
pub async fn create_run(
    admin: &Browser,
    title: &str,
    boroughs: &[&str],
    capacity: &str,
    starts_at: &str,
) -> i64 {
    let fields = course_form(
        boroughs,
        &[("title", title), ("capacity", capacity)],
        starts_at,
    );
    let response = admin.post("/admin/courses/new", &fields).await;
    let status = response.status();
    let location = header(&response, "location").to_owned();
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "creating {title}: {}",
        response.text().await.unwrap_or_default()
    );
    location
        .strip_prefix("/admin/courses/")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("created runs redirect to their admin page, not {location}"))
}

/// A run for Manchester, Rochdale and Bury starting at 2 pm in two weeks.
pub async fn north_run(app: &TestApp, capacity: &str) -> i64 {
    create_run(
        app,
        "SPOT course: Manchester, Rochdale and Bury",
        NORTH,
        capacity,
        &two_pm(days_ahead(14)),
    )
    .await
}

async fn book(browser: &Browser, run: i64) -> reqwest::Response {
    browser
        .post(
            &format!("/courses/{run}/book"),
            &[
                ("manager_agreed", "yes"),
                ("manager_name", "Pat Lead"),
                ("manager_email", "pat.lead@nhs.net"),
            ],
        )
        .await
}

/// Books a place and checks the redirect back to the course page.
pub async fn book_ok(browser: &Browser, run: i64) {
    let response = book(browser, run).await;
    assert_redirects_to(&response, &format!("/courses/{run}"));
}

/// The emails sent to this address, as their reader sees them.
pub fn emails_to(app: &TestApp, address: &str) -> Vec<String> {
    app.emails()
        .iter()
        .filter(|raw| raw.contains(&format!("<{address}>")))
        .map(|raw| email_text(raw).replace("\r\n ", " "))
        .collect()
}

/// A calendar file with its long lines unfolded (RFC 5545 3.1).
fn unfolded(ics: &str) -> String {
    ics.replace("\r\n ", "").replace("\r\n\t", "")
}

/// The values of every `NAME:` property line of a calendar, in order.
fn properties(ics: &str, name: &str) -> Vec<String> {
    unfolded(ics)
        .lines()
        .filter_map(|line| {
            line.strip_prefix(name)
                .and_then(|rest| rest.split_once(':'))
                .filter(|(params, _)| params.is_empty() || params.starts_with(';'))
                .map(|(_, value)| value.trim_end().to_owned())
        })
        .collect()
}

async fn calendar_of(browser: &Browser, run: i64) -> String {
    let response = browser.get(&format!("/courses/{run}/calendar.ics")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        header(&response, "content-type").starts_with("text/calendar"),
        "{:?}",
        response.headers()
    );
    response.text().await.expect("body")
}

/// Moves the run's sessions into the past, a week apart, the last having begun `hours_ago`
/// hours ago: registers open when a session starts.
pub fn sessions_held(app: &TestApp, run: i64, hours_ago: i64) {
    let last = spot::db::now() - chrono::Duration::hours(hours_ago);
    sessions_from(app, run, last - chrono::Duration::weeks(2));
}

/// Moves the run's three sessions to start at `first`, a week apart.
pub fn sessions_from(app: &TestApp, run: i64, first: chrono::NaiveDateTime) {
    use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
    use spot::schema::course_sessions;
    let mut conn = app.db.conn().expect("connection");
    let sessions: Vec<(i64, i32)> = course_sessions::table
        .filter(course_sessions::run_id.eq(run))
        .select((course_sessions::id, course_sessions::number))
        .load(&mut *conn)
        .expect("sessions");
    for (id, number) in sessions {
        let start = first + chrono::Duration::weeks(i64::from(number) - 1);
        diesel::update(course_sessions::table.find(id))
            .set(course_sessions::starts_at.eq(start))
            .execute(&mut *conn)
            .expect("session moved");
    }
}

/// The attendance forms' session ids on the roster, in session order.
pub fn register_sessions(roster: &str, run: i64) -> Vec<String> {
    let document = scraper::Html::parse_document(roster);
    let forms = scraper::Selector::parse("form[action]").unwrap();
    let prefix = format!("/courses/{run}/attendance/");
    document
        .select(&forms)
        .filter_map(|form| form.value().attr("action"))
        .filter_map(|action| action.strip_prefix(&prefix).map(str::to_owned))
        .collect()
}

/// The roster's rows as (name, status cell, manager cell) texts.
pub fn roster_rows(roster: &str) -> Vec<Vec<String>> {
    let document = scraper::Html::parse_document(roster);
    let rows = scraper::Selector::parse("table tbody tr").unwrap();
    let cells = scraper::Selector::parse("td").unwrap();
    document
        .select(&rows)
        .map(|row| {
            row.select(&cells)
                .map(|cell| {
                    cell.text()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect()
        })
        .collect()
}

pub fn roster_row<'a>(rows: &'a [Vec<String>], name: &str) -> &'a [String] {
    rows.iter()
        .find(|row| row.first().is_some_and(|cell| cell.starts_with(name)))
        .unwrap_or_else(|| panic!("{name} is on the roster: {rows:?}"))
}

/// A bad course form: (fields changed, boroughs, the field with the message, the message).
type BadCourse = (
    Vec<(&'static str, &'static str)>,
    &'static [&'static str],
    &'static str,
    &'static str,
);

on_both_engines! {
    async fn an_admin_creates_a_run_and_members_see_it_with_their_area_first(app: TestApp) {
        admin(&app).await;
        facilitator(&app).await;
        member(&app, "lin@nhs.net", "Lin Worker", "link_worker", "oldham").await;
        app.promote("lin@nhs.net", "facilitator");
        let ot = app.member_id("fay@nhs.net").to_string();
        let lw = app.member_id("lin@nhs.net").to_string();
        let first = days_ahead(14);
        let starts_at = two_pm(first);
        let fields = course_form(
            NORTH,
            &[
                ("title", "SPOT course: Manchester, Rochdale and Bury"),
                ("ot_facilitator", &ot),
                ("link_worker_facilitator", &lw),
            ],
            &starts_at,
        );
        let response = app.post("/admin/courses/new", &fields).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let north: i64 = header(&response, "location")
            .strip_prefix("/admin/courses/")
            .and_then(|id| id.parse().ok())
            .expect("the admin page of the new run");
        let manage = app.page(&format!("/admin/courses/{north}")).await;
        assert!(manage.contains("The run is created and open for booking."), "{manage}");
        assert_eq!(count_of(&manage, ".warning-callout"), 0, "one OT and one link worker: {manage}");
        assert_eq!(selected_value(&manage, "ot_facilitator").as_deref(), Some(ot.as_str()));
        assert_eq!(selected_value(&manage, "link_worker_facilitator").as_deref(), Some(lw.as_str()));
        let west = create_run(
            &app,
            "SPOT course: Trafford, Salford, Wigan and Bolton",
            WEST,
            "15",
            &two_pm(days_ahead(21)),
        )
        .await;

        let manage = app.page(&format!("/admin/courses/{west}")).await;
        assert!(
            text_of(&manage, ".warning-callout").unwrap_or_default().contains("one occupational therapist and one link worker"),
            "no facilitators chosen yet: {manage}"
        );

        let list = app.another_browser().page("/courses").await;
        let cards = texts_of(&list, "li.card");
        assert_eq!(cards.len(), 2, "{list}");
        let card = cards.iter().find(|c| c.contains("Manchester, Rochdale and Bury")).unwrap();
        assert!(card.contains("For people working in Bury, Manchester and Rochdale"), "{card}");
        for week in 0..3 {
            let session = shown_session(first + Duration::weeks(week));
            assert!(card.contains(&format!("Session {}: {session}", week + 1)), "{session} in {card}");
        }
        assert!(card.contains("Facilitated by Fay Facilitator and Lin Worker"), "{card}");
        assert!(card.contains("15 of 15 places left"), "{card}");
        assert!(!list.contains(MEETING), "the list never shows the meeting link");

        let wigan = member(&app, "wyn@nhs.net", "Wyn Wigan", "link_worker", "wigan").await;
        let list = wigan.page("/courses").await;
        assert_eq!(
            texts_of(&list, "main h2, li.card h3"),
            vec![
                "For your area".to_owned(),
                "SPOT course: Trafford, Salford, Wigan and Bolton".to_owned(),
                "Other areas".to_owned(),
                "SPOT course: Manchester, Rochdale and Bury".to_owned(),
            ],
            "{list}"
        );
        let manchester = member(&app, "mo@nhs.net", "Mo Manc", "link_worker", "manchester").await;
        let list = manchester.page("/courses").await;
        assert_eq!(
            texts_of(&list, "li.card h3").first().map(String::as_str),
            Some("SPOT course: Manchester, Rochdale and Bury"),
        );
        let admin_list = app.page("/admin/courses").await;
        assert!(admin_list.contains("0 of 15"), "{admin_list}");
        assert!(admin_list.contains(&format!("/admin/courses/{west}")), "{admin_list}");
    }

    async fn a_bad_course_form_is_shown_again_with_messages_and_what_was_typed(app: TestApp) {
        admin(&app).await;
        let start = two_pm(days_ahead(14));
        let cases: Vec<BadCourse> = vec![
            (vec![("starts_at", "next tuesday")], NORTH, "starts_at", "Enter the first session as a date and time"),
            (vec![("starts_at", "2027-02-30T14:00")], NORTH, "starts_at", "Enter the first session as a date and time"),
            (vec![("starts_at", "2020-03-03T14:00")], NORTH, "starts_at", "The first session must be in the future"),
            (vec![("capacity", "0")], NORTH, "capacity", "A run has between 2 and 100 places"),
            (vec![("capacity", "1000")], NORTH, "capacity", "A run has between 2 and 100 places"),
            (vec![("meeting_url", "http://meet.example.org/spot")], NORTH, "meeting_url", "The meeting link must start with https://"),
            (vec![], &[], "boroughs", "Choose the boroughs this run serves"),
        ];
        for (changes, boroughs, field, message) in cases {
            let mut changes = changes;
            changes.push(("title", "Typed title"));
            let fields = course_form(boroughs, &changes, &start);
            let response = app.post("/admin/courses/new", &fields).await;
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{changes:?}");
            let html = response.text().await.unwrap();
            let shown = field_error(&html, field).unwrap_or_default();
            assert!(shown.contains(message), "{changes:?}: {field} says {shown:?}");
            assert!(text_of(&html, ".error-summary").unwrap_or_default().contains(message), "{changes:?}");
            assert_eq!(input_value(&html, "title").as_deref(), Some("Typed title"));
            for (name, value) in &changes {
                assert_eq!(input_value(&html, name).as_deref(), Some(*value), "{name} kept");
            }
            let checked: Vec<String> = {
                let document = scraper::Html::parse_document(&html);
                let selector = scraper::Selector::parse(r#"input[name="boroughs"][checked]"#).unwrap();
                document.select(&selector).filter_map(|i| i.value().attr("value").map(str::to_owned)).collect()
            };
            let mut expected: Vec<String> = boroughs.iter().map(|b| b.to_string()).collect();
            expected.sort();
            let mut checked = checked;
            checked.sort();
            assert_eq!(checked, expected, "boroughs kept");
        }
        let runs = app.page("/admin/courses").await;
        assert!(runs.contains("No runs yet."), "nothing was created: {runs}");
        assert!(app.another_browser().page("/courses").await.contains("No courses are scheduled"));

        let plain = member(&app, "mo@nhs.net", "Mo Member", "link_worker", "bury").await;
        for path in ["/courses/999", "/courses/abc", "/courses/999/calendar.ics"] {
            assert_eq!(plain.get(path).await.status(), StatusCode::NOT_FOUND, "{path}");
        }
        assert_eq!(book(&plain, 999).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(app.get("/courses/999/roster").await.status(), StatusCode::NOT_FOUND);
        assert_eq!(plain.get("/admin/courses/new").await.status(), StatusCode::FORBIDDEN);
        assert_eq!(plain.get("/admin/courses").await.status(), StatusCode::FORBIDDEN);
        let response = plain.post("/admin/courses/new", &course_form(NORTH, &[], &start)).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(app.page("/admin/courses").await.contains("No runs yet."));
    }

    async fn booking_needs_the_managers_agreement_and_only_the_booked_see_the_link(app: TestApp) {
        admin(&app).await;
        let run = north_run(&app, "15").await;
        let ann = member(&app, "ann@nhs.net", "Ann Bury", "link_worker", "bury").await;

        let response = ann
            .post(&format!("/courses/{run}/book"), &[("manager_name", "Pat Lead")])
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert_eq!(
            field_error(&html, "manager_agreed").as_deref(),
            Some("Error: Confirm you have agreed the time for all the sessions with your manager")
        );
        assert_eq!(input_value(&html, "manager_name").as_deref(), Some("Pat Lead"));
        let page = ann.page(&format!("/courses/{run}")).await;
        assert!(page.contains("15 of 15 places left"), "nothing booked: {page}");
        assert!(!page.contains("You are booked"), "{page}");
        assert!(app.emails().iter().all(|e| !e.contains("<ann@nhs.net>")), "no email yet");

        book_ok(&ann, run).await;
        let page = ann.page(&format!("/courses/{run}")).await;
        assert!(page.contains("You are booked. We have emailed you the details and a calendar file."), "{page}");
        assert!(page.contains("You are booked on this run."), "{page}");
        assert!(page.contains("14 of 15 places left"), "{page}");
        assert_eq!(attr_of(&page, &format!(r#"a[href="{MEETING}"]"#), "href").as_deref(), Some(MEETING));
        assert!(unfolded(&calendar_of(&ann, run).await).contains(MEETING));

        let mail = emails_to(&app, "ann@nhs.net");
        assert_eq!(mail.len(), 1, "{mail:?}");
        let confirmation = &mail[0];
        assert!(confirmation.contains("Subject: Your place on SPOT course: Manchester, Rochdale and Bury"), "{confirmation}");
        assert!(confirmation.contains(&format!("Join online: {MEETING}")), "{confirmation}");
        assert!(confirmation.contains("Content-Type: text/calendar"), "{confirmation}");
        assert!(confirmation.contains("spot-course.ics"), "{confirmation}");

        // Someone not booked, and a visitor, never see the link.
        let bob = member(&app, "bob@nhs.net", "Bob Bury", "occupational_therapist", "bury").await;
        let page = bob.page(&format!("/courses/{run}")).await;
        assert!(!page.contains(MEETING), "{page}");
        assert!(page.contains("Book my place"), "{page}");
        assert!(!unfolded(&calendar_of(&bob, run).await).contains(MEETING));
        let visitor = app.another_browser();
        assert!(!visitor.page(&format!("/courses/{run}")).await.contains(MEETING));
        assert!(!unfolded(&calendar_of(&visitor, run).await).contains(MEETING));
    }

    async fn a_full_run_has_a_waiting_list_and_a_cancellation_promotes_the_first(app: TestApp) {
        admin(&app).await;
        let run = north_run(&app, "2").await;
        let ann = member(&app, "ann@nhs.net", "Ann A", "link_worker", "bury").await;
        let ben = member(&app, "ben@nhs.net", "Ben B", "occupational_therapist", "manchester").await;
        let cat = member(&app, "cat@nhs.net", "Cat C", "link_worker", "rochdale").await;
        let dev = member(&app, "dev@nhs.net", "Dev D", "link_worker", "rochdale").await;
        book_ok(&ann, run).await;
        book_ok(&ben, run).await;
        let page = cat.page(&format!("/courses/{run}")).await;
        assert!(page.contains("Full: waiting list 0"), "{page}");
        assert!(page.contains("Join the waiting list"), "{page}");
        book_ok(&cat, run).await;
        book_ok(&dev, run).await;
        let page = cat.page(&format!("/courses/{run}")).await;
        assert!(page.contains("The run is full: you are number 1 on the waiting list."), "{page}");
        assert!(page.contains("You are number 1 on the waiting list."), "{page}");
        assert!(!page.contains(MEETING), "the waiting do not see the link: {page}");
        let page = dev.page(&format!("/courses/{run}")).await;
        assert!(page.contains("You are number 2 on the waiting list."), "{page}");
        let list = app.page("/courses").await;
        assert!(list.contains("Full: waiting list 2"), "{list}");
        let waiting_mail = emails_to(&app, "cat@nhs.net");
        assert_eq!(waiting_mail.len(), 1);
        assert!(waiting_mail[0].contains("you are number 1 on its waiting list"), "{}", waiting_mail[0]);

        let response = ann.post(&format!("/courses/{run}/cancel"), &[]).await;
        assert_redirects_to(&response, &format!("/courses/{run}"));
        let page = ann.page(&format!("/courses/{run}")).await;
        assert!(page.contains("Your booking is cancelled."), "{page}");
        assert!(!page.contains(MEETING), "{page}");
        let page = cat.page(&format!("/courses/{run}")).await;
        assert!(page.contains("You are booked on this run."), "{page}");
        assert!(page.contains(MEETING), "{page}");
        let page = dev.page(&format!("/courses/{run}")).await;
        assert!(page.contains("You are number 1 on the waiting list."), "{page}");

        let mail = emails_to(&app, "cat@nhs.net");
        assert_eq!(mail.len(), 2, "{mail:?}");
        let promoted = mail
            .iter()
            .find(|m| m.contains("Subject: A place has come up"))
            .unwrap_or_else(|| panic!("a promotion email: {mail:?}"));
        assert!(promoted.contains("A place came up and it is yours."), "{promoted}");
        assert!(promoted.contains("Content-Type: text/calendar"), "{promoted}");
        assert!(emails_to(&app, "ann@nhs.net").iter().any(|m| m.contains("Subject: Booking cancelled")));
        assert_eq!(emails_to(&app, "dev@nhs.net").len(), 1, "Dev only heard they were waiting");
    }

    async fn one_course_only_the_cluster_rule_and_closed_or_cancelled_runs(app: TestApp) {
        admin(&app).await;
        let north = north_run(&app, "15").await;
        let west = create_run(&app, "SPOT course: west", WEST, "15", &two_pm(days_ahead(21))).await;
        let other_north = create_run(&app, "SPOT course: north again", NORTH, "15", &two_pm(days_ahead(28))).await;
        let ann = member(&app, "ann@nhs.net", "Ann Bury", "link_worker", "bury").await;
        book_ok(&ann, north).await;

        // Booking twice.
        let response = book(&ann, north).await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert!(response.text().await.unwrap().contains("You already have a place on this run."));
        // One course only.
        let page = ann.page(&format!("/courses/{other_north}")).await;
        assert!(page.contains("You already have a booking on another run"), "{page}");
        assert!(!page.contains("Book my place"), "{page}");
        let response = book(&ann, other_north).await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert!(response.text().await.unwrap().contains("Participants attend one course only"));
        let page = ann.page(&format!("/courses/{other_north}")).await;
        assert!(page.contains("15 of 15 places left"), "{page}");

        // The cluster rule.
        let wyn = member(&app, "wyn@nhs.net", "Wyn Wigan", "link_worker", "wigan").await;
        let page = wyn.page(&format!("/courses/{north}")).await;
        assert!(page.contains("This run is for people working in Bury, Manchester and Rochdale."), "{page}");
        assert!(page.contains("Find the run for your area"), "{page}");
        assert!(!page.contains("Book my place"), "{page}");
        let response = book(&wyn, north).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let refusal = response.text().await.unwrap();
        assert!(refusal.contains("This run is for people working in"), "{refusal}");
        assert!(refusal.contains("Book the run for Wigan"), "{refusal}");
        assert!(wyn.page(&format!("/courses/{north}")).await.contains("14 of 15 places left"));
        book_ok(&wyn, west).await;

        // A closed run.
        let bob = member(&app, "bob@nhs.net", "Bob Bury", "link_worker", "bury").await;
        let response = app.post(&format!("/admin/courses/{other_north}/close"), &[]).await;
        assert_redirects_to(&response, &format!("/admin/courses/{other_north}"));
        let page = bob.page(&format!("/courses/{other_north}")).await;
        assert!(page.contains("This run is not taking bookings."), "{page}");
        let response = book(&bob, other_north).await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert!(response.text().await.unwrap().contains("Booking for this run is closed."));
        let response = app.post(&format!("/admin/courses/{other_north}/open"), &[]).await;
        assert_redirects_to(&response, &format!("/admin/courses/{other_north}"));
        assert!(bob.page(&format!("/courses/{other_north}")).await.contains("Book my place"));

        // A cancelled run.
        let response = app
            .post(&format!("/admin/courses/{other_north}/cancel"), &[("reason", "No facilitator")])
            .await;
        assert_redirects_to(&response, &format!("/admin/courses/{other_north}"));
        let response = book(&bob, other_north).await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert!(response.text().await.unwrap().contains("This run has been cancelled."));
        let response = app.post(&format!("/admin/courses/{other_north}/open"), &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let response = book(&bob, other_north).await;
        assert_eq!(response.status(), StatusCode::CONFLICT, "reopening does not undo a cancellation");

        // Cancelling frees the member for another run.
        let response = ann.post(&format!("/courses/{north}/cancel"), &[]).await;
        assert_redirects_to(&response, &format!("/courses/{north}"));
        let response = ann.post(&format!("/courses/{north}/cancel"), &[]).await;
        assert_eq!(response.status(), StatusCode::CONFLICT, "nothing left to cancel");
        book_ok(&bob, north).await;
        assert!(bob.page(&format!("/courses/{north}")).await.contains("You are booked on this run."));
    }

    async fn an_admin_cancels_a_run_and_everyone_on_it_is_told_why(app: TestApp) {
        admin(&app).await;
        let run = north_run(&app, "2").await;
        let ann = member(&app, "ann@nhs.net", "Ann A", "link_worker", "bury").await;
        let ben = member(&app, "ben@nhs.net", "Ben B", "link_worker", "bury").await;
        let cat = member(&app, "cat@nhs.net", "Cat C", "link_worker", "bury").await;
        let _dan = member(&app, "dan@nhs.net", "Dan D", "link_worker", "bury").await;
        for browser in [&ann, &ben, &cat] {
            book_ok(browser, run).await;
        }

        let response = app.post(&format!("/admin/courses/{run}/cancel"), &[("reason", "  ")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "a reason is needed");
        assert!(response.text().await.unwrap().contains("Give a reason"));
        assert!(!ann.page(&format!("/courses/{run}")).await.contains("cancelled"));

        let response = app
            .post(&format!("/admin/courses/{run}/cancel"), &[("reason", "Both facilitators are unwell")])
            .await;
        assert_redirects_to(&response, &format!("/admin/courses/{run}"));
        let manage = app.page(&format!("/admin/courses/{run}")).await;
        assert!(manage.contains("The run is cancelled; 3 people have been told."), "{manage}");
        for address in ["ann@nhs.net", "ben@nhs.net", "cat@nhs.net"] {
            let told: Vec<String> = emails_to(&app, address)
                .into_iter()
                .filter(|m| m.contains("Subject: Cancelled: SPOT course"))
                .collect();
            assert_eq!(told.len(), 1, "{address}");
            assert!(told[0].contains("Reason: Both facilitators are unwell"), "{}", told[0]);
        }
        assert!(emails_to(&app, "dan@nhs.net").is_empty(), "Dan never booked");

        for browser in [&ann, &cat] {
            let page = browser.page(&format!("/courses/{run}")).await;
            assert!(page.contains("This run has been cancelled."), "{page}");
            assert!(!page.contains("You are booked") && !page.contains("You are number"), "{page}");
            assert!(!page.contains(MEETING), "{page}");
        }
        let list = app.another_browser().page("/courses").await;
        assert!(list.contains("Cancelled"), "{list}");
        let admin_list = app.page("/admin/courses").await;
        assert!(admin_list.contains("Cancelled"), "{admin_list}");
        let calendar = unfolded(&calendar_of(&app, run).await);
        assert_eq!(properties(&calendar, "STATUS"), vec!["CANCELLED"; 3], "{calendar}");
        let response = app
            .post(&format!("/admin/courses/{run}/cancel"), &[("reason", "Again")])
            .await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
    }

    async fn the_calendar_has_one_event_per_session_in_utc_with_stable_uids(app: TestApp) {
        admin(&app).await;
        let change = next_spring_clock_change();
        let first = change - Duration::days(12);
        let run = create_run(&app, "SPOT course: spring", NORTH, "15", &two_pm(first)).await;
        let page = app.page(&format!("/courses/{run}")).await;
        for week in 0..3 {
            assert!(page.contains(&shown_session(first + Duration::weeks(week))), "{page}");
        }

        let ics = calendar_of(&app, run).await;
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"), "{ics}");
        assert!(ics.trim_end().ends_with("END:VCALENDAR"), "{ics}");
        assert!(ics.contains("\r\nVERSION:2.0\r\n") && ics.contains("\r\nPRODID:"), "{ics}");
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 3, "{ics}");
        assert_eq!(ics.matches("END:VEVENT").count(), 3, "{ics}");
        let day = |d: NaiveDate| d.format("%Y%m%d").to_string();
        assert_eq!(
            properties(&ics, "DTSTART"),
            vec![
                format!("{}T140000Z", day(first)),
                format!("{}T140000Z", day(first + Duration::weeks(1))),
                format!("{}T130000Z", day(first + Duration::weeks(2))),
            ],
            "2 pm London is 14:00 UTC before the clocks change and 13:00 UTC after: {ics}"
        );
        assert_eq!(
            properties(&ics, "DTEND"),
            vec![
                format!("{}T160000Z", day(first)),
                format!("{}T160000Z", day(first + Duration::weeks(1))),
                format!("{}T150000Z", day(first + Duration::weeks(2))),
            ]
        );
        let uids = properties(&ics, "UID");
        assert_eq!(uids.len(), 3);
        let mut distinct = uids.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 3, "{uids:?}");
        assert!(properties(&ics, "SUMMARY").iter().all(|s| s.contains("SPOT course: spring")));
        assert_eq!(properties(&ics, "DTSTAMP").len(), 3, "RFC 5545 needs a DTSTAMP per event");
        let unstamped = |ics: &str| {
            ics.lines().filter(|line| !line.starts_with("DTSTAMP:")).collect::<Vec<_>>().join("\n")
        };
        assert_eq!(
            unstamped(&ics),
            unstamped(&calendar_of(&app, run).await),
            "the same calendar every time (apart from its stamps)"
        );

        // A bank-holiday move: the event keeps its UID and shows the new time.
        let moved = first + Duration::days(8);
        let moved_at = two_pm(moved);
        let response = app
            .post(
                &format!("/admin/courses/{run}/sessions/2"),
                &[("session-2", moved_at.as_str()), ("length-2", "90")],
            )
            .await;
        assert_redirects_to(&response, &format!("/admin/courses/{run}"));
        let after = calendar_of(&app, run).await;
        assert_eq!(properties(&after, "UID"), uids, "{after}");
        assert_eq!(properties(&after, "DTSTART")[1], format!("{}T140000Z", day(moved)));
        assert_eq!(properties(&after, "DTEND")[1], format!("{}T153000Z", day(moved)));
        assert_eq!(properties(&after, "DTSTART")[2], format!("{}T130000Z", day(first + Duration::weeks(2))));
        let page = app.page(&format!("/courses/{run}")).await;
        assert!(page.contains(&format!("{}, 2:00pm to 3:30pm", moved.format("%-d %b %Y"))), "{page}");
    }

    async fn the_roster_is_for_facilitators_and_its_csv_is_safe_in_a_spreadsheet(app: TestApp) {
        admin(&app).await;
        let run = north_run(&app, "2").await;
        let fay = facilitating(&app, run).await;
        let ann = member(&app, "ann@nhs.net", "Ann Bury", "link_worker", "bury").await;
        book_ok(&ann, run).await;
        // Registers with an organisation a spreadsheet would read as a formula.
        let eve = app.another_browser();
        let response = eve
            .post(
                "/register",
                &[
                    ("email", "eve@nhs.net"),
                    ("display_name", "Eve Excel"),
                    ("password", PASSWORD),
                    ("role", "occupational_therapist"),
                    ("borough", "rochdale"),
                    ("organisation", "=HYPERLINK(\"https://evil.example\",\"Team\")"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_redirects_to(&eve.confirm_email("eve@nhs.net").await, "/account");
        book_ok(&eve, run).await;
        // Names a spreadsheet would read as formulas, booked in by the facilitator.
        app.insert_members(&[
            ("plus@nhs.net", "+Pat Plus", "link_worker", "manchester"),
            ("at@nhs.net", "@Alex At", "link_worker", "manchester"),
            ("dash@nhs.net", "-Dee Dash", "link_worker", "manchester"),
        ]);
        for email in ["plus@nhs.net", "at@nhs.net", "dash@nhs.net"] {
            let response = fay
                .post(
                    &format!("/courses/{run}/book-in"),
                    &[("email", email), ("reason", "Asked by phone"), ("manager_agreed", "yes")],
                )
                .await;
            assert_redirects_to(&response, &format!("/courses/{run}/roster"));
        }

        for path in [format!("/courses/{run}/roster"), format!("/courses/{run}/roster.csv")] {
            assert_eq!(ann.get(&path).await.status(), StatusCode::FORBIDDEN, "{path}");
            let visitor = app.another_browser().get(&path).await;
            assert_eq!(visitor.status(), StatusCode::SEE_OTHER, "{path}: visitors sign in first");
        }
        assert!(!ann.page(&format!("/courses/{run}")).await.contains("Roster and attendance"));

        let roster = fay.page(&format!("/courses/{run}/roster")).await;
        assert!(roster.contains("2 booked of 2, 3 waiting."), "{roster}");
        let rows = roster_rows(&roster);
        assert_eq!(rows.len(), 5, "{rows:?}");
        let ann_row = roster_row(&rows, "Ann Bury");
        assert_eq!(ann_row[1..], ["Link worker", "Bury", "Test Service", "Booked", "Manager informed (Pat Lead)", "–", "–", "–", "Not yet"]);
        assert_eq!(roster_row(&rows, "Eve Excel")[4], "Booked");
        assert_eq!(roster_row(&rows, "+Pat Plus")[4], "Waiting (1)");
        assert_eq!(roster_row(&rows, "@Alex At")[4], "Waiting (2)");
        assert_eq!(roster_row(&rows, "-Dee Dash")[4], "Waiting (3)");
        assert_eq!(roster_row(&rows, "-Dee Dash")[5], "Agreed", "booked in: agreement taken as read");
        // The course page links facilitators to it.
        assert!(fay.page(&format!("/courses/{run}")).await.contains("Roster and attendance"));
        assert!(app.page(&format!("/courses/{run}/roster")).await.contains("Ann Bury"), "admins too");

        let response = fay.get(&format!("/courses/{run}/roster.csv")).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(header(&response, "content-type").starts_with("text/csv"));
        assert!(header(&response, "content-disposition").contains("attachment"));
        let body = response.text().await.unwrap();
        let mut reader = csv::Reader::from_reader(body.as_bytes());
        let headers: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
        assert_eq!(&headers[..7], ["Name", "Email", "Role", "Borough", "Organisation", "Status", "Manager agreed"]);
        let records: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        assert_eq!(records.len(), 5, "{body}");
        let record = |email: &str| {
            records
                .iter()
                .find(|r| r[1] == email)
                .unwrap_or_else(|| panic!("{email} in {body}"))
                .clone()
        };
        assert_eq!(record("eve@nhs.net")[4], "'=HYPERLINK(\"https://evil.example\",\"Team\")");
        assert_eq!(record("plus@nhs.net")[0], "'+Pat Plus");
        assert_eq!(record("at@nhs.net")[0], "'@Alex At");
        assert_eq!(record("dash@nhs.net")[0], "'-Dee Dash");
        assert_eq!(record("ann@nhs.net")[..7], ["Ann Bury", "ann@nhs.net", "Link worker", "Bury", "Test Service", "Booked", "Yes"]);
        assert_eq!(record("dash@nhs.net")[5], "Waiting (3)");
        for row in &records {
            for cell in row {
                assert!(!cell.starts_with(['=', '+', '-', '@']), "{cell:?} is not escaped");
            }
        }
    }

    async fn a_facilitator_takes_the_register_and_sees_the_attendance_rate(app: TestApp) {
        admin(&app).await;
        let run = north_run(&app, "15").await;
        let fay = facilitating(&app, run).await;
        let ann = member(&app, "ann@nhs.net", "Ann Bury", "link_worker", "bury").await;
        let ben = member(&app, "ben@nhs.net", "Ben Bury", "link_worker", "bury").await;
        book_ok(&ann, run).await;
        book_ok(&ben, run).await;
        let roster = fay.page(&format!("/courses/{run}/roster")).await;
        assert!(register_sessions(&roster, run).is_empty(), "no register before a session starts: {roster}");
        assert_eq!(roster.matches("The register opens when the session starts.").count(), 3, "{roster}");
        sessions_held(&app, run, 3);
        let roster = fay.page(&format!("/courses/{run}/roster")).await;
        let sessions = register_sessions(&roster, run);
        assert_eq!(sessions.len(), 3, "{roster}");
        assert!(!roster.contains("(register taken)"), "{roster}");
        assert!(!roster.contains("Attendance by role and borough"), "{roster}");

        let ann_id = app.member_id("ann@nhs.net").to_string();
        let path = format!("/courses/{run}/attendance/{}", sessions[0]);
        let refused = ann.post(&path, &[("present", ann_id.as_str())]).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "members do not take the register");
        let response = fay.post(&path, &[("present", ann_id.as_str())]).await;
        assert_redirects_to(&response, &format!("/courses/{run}/roster"));

        let roster = fay.page(&format!("/courses/{run}/roster")).await;
        assert!(roster.contains("Attendance saved."), "{roster}");
        let legends = texts_of(&roster, "fieldset legend");
        assert!(legends[0].starts_with("Session 1") && legends[0].ends_with("(register taken)"), "{legends:?}");
        assert!(!legends[1].contains("register taken") && !legends[2].contains("register taken"), "{legends:?}");
        let ann_box = format!("#present-{}-{}", sessions[0], ann_id);
        let ben_box = format!("#present-{}-{}", sessions[0], app.member_id("ben@nhs.net"));
        assert_eq!(count_of(&roster, &format!("{ann_box}[checked]")), 1, "Ann was there");
        assert_eq!(count_of(&roster, &format!("{ben_box}[checked]")), 0, "Ben was not");
        assert!(roster.contains("Attendance by role and borough"), "{roster}");
        let rates = roster_rows(&roster)
            .into_iter()
            .map(|cells| cells.join(" "))
            .collect::<Vec<_>>();
        assert!(rates.contains(&"Link worker 1 of 2 50%".to_owned()), "{rates:?}");
        assert!(rates.contains(&"Bury 1 of 2 50%".to_owned()), "{rates:?}");

        // A run Fay does not facilitate is not hers: its roster and register are refused.
        let other = north_run(&app, "15").await;
        assert_eq!(fay.get(&format!("/courses/{other}/roster")).await.status(), StatusCode::FORBIDDEN);
        let forged = fay
            .post(&format!("/courses/{other}/attendance/{}", sessions[0]), &[("present", ann_id.as_str())])
            .await;
        assert_eq!(forged.status(), StatusCode::FORBIDDEN, "not her run");
        let forged = fay
            .post(&format!("/courses/{other}/book-in"), &[("email", "ann@nhs.net"), ("reason", "Moving to Bury"), ("manager_agreed", "yes")])
            .await;
        assert_eq!(forged.status(), StatusCode::FORBIDDEN, "not her run");
        // The admin runs every course, but a session still belongs to its own run.
        let other_roster = app.page(&format!("/courses/{other}/roster")).await;
        assert!(other_roster.contains("Nobody is booked yet."), "{other_roster}");
        let response = app
            .post(&format!("/courses/{other}/attendance/{}", sessions[0]), &[("present", ann_id.as_str())])
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "a session of another run");
    }

    async fn a_facilitator_books_someone_in_from_outside_the_cluster_with_a_reason(app: TestApp) {
        admin(&app).await;
        let run = north_run(&app, "15").await;
        let fay = facilitating(&app, run).await;
        let wyn = member(&app, "wyn@nhs.net", "Wyn Wigan", "link_worker", "wigan").await;

        let path = format!("/courses/{run}/book-in");
        let response = fay
            .post(&path, &[("email", "wyn@nhs.net"), ("reason", "Works across Wigan and Manchester")])
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "manager agreement needed");
        let html = response.text().await.unwrap();
        assert_eq!(input_value(&html, "email").as_deref(), Some("wyn@nhs.net"));
        assert!(html.contains("Their manager must agree the time"), "{html}");
        let response = fay
            .post(&path, &[("email", "nobody@nhs.net"), ("reason", "Because"), ("manager_agreed", "yes")])
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(response.text().await.unwrap().contains("No member has that email address"));
        let response = wyn
            .post(&path, &[("email", "wyn@nhs.net"), ("reason", "Let me in"), ("manager_agreed", "yes")])
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "members do not book themselves in");

        let response = fay
            .post(
                &path,
                &[("email", "wyn@nhs.net"), ("reason", "Works across Wigan and Manchester"), ("manager_agreed", "yes")],
            )
            .await;
        assert_redirects_to(&response, &format!("/courses/{run}/roster"));
        let roster = fay.page(&format!("/courses/{run}/roster")).await;
        assert!(roster.contains("Wyn Wigan is booked in."), "{roster}");
        let rows = roster_rows(&roster);
        let row = roster_row(&rows, "Wyn Wigan");
        assert_eq!(row[2], "Wigan");
        assert_eq!(row[4], "Booked Booked in: Works across Wigan and Manchester");
        let page = wyn.page(&format!("/courses/{run}")).await;
        assert!(page.contains("You are booked on this run."), "{page}");
        assert!(page.contains(MEETING), "{page}");
        let mail = emails_to(&app, "wyn@nhs.net");
        assert!(mail.iter().any(|m| m.contains("Subject: Your place on") && m.contains("Content-Type: text/calendar")), "{mail:?}");
        let csv = fay.page(&format!("/courses/{run}/roster.csv")).await;
        assert!(csv.contains("Works across Wigan and Manchester"), "{csv}");
    }

    async fn a_runs_cohort_space_is_for_its_participants_and_facilitators(app: TestApp) {
        admin(&app).await;
        let run = north_run(&app, "15").await;
        let fay = facilitating(&app, run).await;
        let ann = member(&app, "ann@nhs.net", "Ann Bury", "link_worker", "bury").await;
        let bob = member(&app, "bob@nhs.net", "Bob Bury", "link_worker", "bury").await;
        let space = format!("/forum/cohort-{run}");
        assert_eq!(ann.get(&space).await.status(), StatusCode::FORBIDDEN);
        book_ok(&ann, run).await;
        let page = ann.page(&space).await;
        assert!(page.contains("Cohort: SPOT course: Manchester, Rochdale and Bury"), "{page}");
        assert!(ann.page("/forum").await.contains("Cohort: SPOT course"), "listed for the booked");
        assert_eq!(bob.get(&space).await.status(), StatusCode::FORBIDDEN);
        assert!(!bob.page("/forum").await.contains("Cohort: SPOT course"));
        fay.page(&space).await;
        app.page(&space).await;
        let visitor = app.another_browser().get(&space).await;
        assert_ne!(visitor.status(), StatusCode::OK, "visitors never read it");

        let response = ann.post(&format!("/courses/{run}/cancel"), &[]).await;
        assert_redirects_to(&response, &format!("/courses/{run}"));
        assert_eq!(ann.get(&space).await.status(), StatusCode::FORBIDDEN, "cancelling leaves the space");
    }

    async fn the_personal_calendar_feed_works_without_signing_in(app: TestApp) {
        admin(&app).await;
        let run = north_run(&app, "15").await;
        let ann = member(&app, "ann@nhs.net", "Ann Bury", "link_worker", "bury").await;
        let page = ann.page(&format!("/courses/{run}")).await;
        assert_eq!(count_of(&page, r#"a[href*="/calendar/"]"#), 0, "only once booked");
        book_ok(&ann, run).await;
        let page = ann.page(&format!("/courses/{run}")).await;
        let feed = attr_of(&page, r#"a[href*="/calendar/"]"#, "href").expect("a feed link");
        let ann_id = app.member_id("ann@nhs.net");
        assert!(feed.starts_with(&format!("{}/calendar/{ann_id}-", app.address)), "{feed}");
        assert!(feed.ends_with(".ics"), "{feed}");

        let fresh = reqwest::Client::new();
        let response = fresh.get(&feed).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(header(&response, "content-type").starts_with("text/calendar"));
        let ics = response.text().await.unwrap();
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 3, "{ics}");
        assert!(unfolded(&ics).contains(MEETING), "{ics}");
        assert_eq!(properties(&ics, "UID"), properties(&calendar_of(&app, run).await, "UID"));

        let (stem, signature) = feed.trim_end_matches(".ics").rsplit_once('-').unwrap();
        let last = signature.chars().last().unwrap();
        let swapped = if last == '0' { '1' } else { '0' };
        let tampered = format!("{stem}-{}{swapped}.ics", &signature[..signature.len() - 1]);
        assert_eq!(fresh.get(&tampered).send().await.unwrap().status(), StatusCode::NOT_FOUND, "{tampered}");
        let other_member = feed.replace(&format!("/calendar/{ann_id}-"), &format!("/calendar/{}-", ann_id + 1));
        assert_eq!(fresh.get(&other_member).send().await.unwrap().status(), StatusCode::NOT_FOUND);
        let unsigned = format!("{}/calendar/{ann_id}.ics", app.address);
        assert_eq!(fresh.get(&unsigned).send().await.unwrap().status(), StatusCode::NOT_FOUND);

        // Cancelling empties the feed.
        let response = ann.post(&format!("/courses/{run}/cancel"), &[]).await;
        assert_redirects_to(&response, &format!("/courses/{run}"));
        let ics = fresh.get(&feed).send().await.unwrap().text().await.unwrap();
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 0, "{ics}");
    }
}

on_both_engines! {
    async fn an_admin_edits_a_run_and_more_places_go_to_the_waiting_list(app: TestApp) {
        admin(&app).await;
        let run = north_run(&app, "3").await;
        let ann = member(&app, "ann@nhs.net", "Ann A", "link_worker", "bury").await;
        let ben = member(&app, "ben@nhs.net", "Ben B", "link_worker", "bury").await;
        let cat = member(&app, "cat@nhs.net", "Cat C", "link_worker", "bury").await;
        let dan = member(&app, "dan@nhs.net", "Dan D", "link_worker", "bury").await;
        for browser in [&ann, &ben, &cat, &dan] {
            book_ok(browser, run).await;
        }
        let manage = app.page(&format!("/admin/courses/{run}")).await;
        assert_eq!(input_value(&manage, "capacity").as_deref(), Some("3"));
        assert_eq!(input_value(&manage, "meeting_url").as_deref(), Some(MEETING));
        let path = format!("/admin/courses/{run}");
        let edit = |capacity: &'static str, meeting: &'static str| {
            vec![
                ("title", "SPOT course: north"),
                ("description", "Changed."),
                ("capacity", capacity),
                ("meeting_url", meeting),
            ]
        };

        let response = app.post(&path, &edit("2", MEETING)).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert_eq!(
            field_error(&html, "capacity").as_deref(),
            Some("Error: 3 people are booked: the run cannot have fewer places than that")
        );
        assert_eq!(input_value(&html, "capacity").as_deref(), Some("2"));
        assert_eq!(input_value(&html, "title").as_deref(), Some("SPOT course: north"));
        let response = app.post(&path, &edit("1000", "http://meet.example.org/x")).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(field_error(&html, "capacity").unwrap_or_default().contains("between 2 and 100"));
        assert!(field_error(&html, "meeting_url").unwrap_or_default().contains("https://"));
        assert!(ann.page(&format!("/courses/{run}")).await.contains("SPOT course: Manchester, Rochdale and Bury"));

        let moved = "https://meet.example.org/moved-room";
        let response = app.post(&path, &edit("4", moved)).await;
        assert_redirects_to(&response, &path);
        let page = dan.page(&format!("/courses/{run}")).await;
        assert!(page.contains("You are booked on this run."), "{page}");
        assert!(page.contains(moved) && !page.contains(MEETING), "{page}");
        assert!(page.contains("SPOT course: north") && page.contains("Changed."), "{page}");
        let mail = emails_to(&app, "dan@nhs.net");
        assert!(mail.iter().any(|m| m.contains("A place came up and it is yours.")), "{mail:?}");
    }

    async fn a_run_chooses_facilitators_from_the_list(app: TestApp) {
        admin(&app).await;
        member(&app, "mo@nhs.net", "Mo Member", "link_worker", "bury").await;
        let plain = app.member_id("mo@nhs.net").to_string();
        let start = two_pm(days_ahead(14));
        for (field, id) in [("ot_facilitator", "999999"), ("link_worker_facilitator", plain.as_str())] {
            let fields = course_form(NORTH, &[(field, id)], &start);
            let response = app.post("/admin/courses/new", &fields).await;
            assert_eq!(
                response.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "{field}={id}: refused with a message, not a server error"
            );
            let html = response.text().await.unwrap();
            assert_eq!(
                field_error(&html, field).as_deref(),
                Some("Error: Choose a facilitator from the list"),
                "{html}"
            );
            assert_eq!(input_value(&html, "starts_at").as_deref(), Some(start.as_str()));
        }
        assert!(app.page("/admin/courses").await.contains("No runs yet."));
    }

    async fn a_run_that_has_started_takes_no_bookings_or_cancellations(app: TestApp) {
        admin(&app).await;
        let run = north_run(&app, "15").await;
        let ann = member(&app, "ann@nhs.net", "Ann A", "link_worker", "bury").await;
        let bob = member(&app, "bob@nhs.net", "Bob B", "link_worker", "bury").await;
        book_ok(&ann, run).await;
        // The first session moves to yesterday: the run has started.
        let yesterday = two_pm(days_ahead(-1));
        let response = app
            .post(
                &format!("/admin/courses/{run}/sessions/1"),
                &[("session-1", yesterday.as_str()), ("length-1", "120")],
            )
            .await;
        assert_redirects_to(&response, &format!("/admin/courses/{run}"));
        let page = bob.page(&format!("/courses/{run}")).await;
        assert!(page.contains("This run is not taking bookings."), "{page}");
        let response = book(&bob, run).await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert!(response.text().await.unwrap().contains("This run has already started."));
        let page = ann.page(&format!("/courses/{run}")).await;
        assert!(page.contains("You are booked on this run."), "{page}");
        assert!(!page.contains("Cancel my place"), "{page}");
        let response = ann.post(&format!("/courses/{run}/cancel"), &[]).await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert!(response.text().await.unwrap().contains("The course has started"));
        assert!(ann.page(&format!("/courses/{run}")).await.contains("You are booked on this run."));

        // A move to a time the clocks skip is refused with a message.
        let skipped = format!("{}T01:30", next_spring_clock_change().format("%Y-%m-%d"));
        let response = app
            .post(
                &format!("/admin/courses/{run}/sessions/2"),
                &[("session-2", skipped.as_str()), ("length-2", "120")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(field_error(&html, "session-2").unwrap_or_default().contains("does not exist in London"), "{html}");
    }

    async fn a_managers_email_must_be_an_email_address(app: TestApp) {
        admin(&app).await;
        let run = north_run(&app, "15").await;
        let ann = member(&app, "ann@nhs.net", "Ann A", "link_worker", "bury").await;
        let response = ann
            .post(
                &format!("/courses/{run}/book"),
                &[("manager_agreed", "yes"), ("manager_email", "not an address")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(field_error(&html, "manager_email").is_some(), "{html}");
        assert_eq!(input_value(&html, "manager_email").as_deref(), Some("not an address"));
        assert!(ann.page(&format!("/courses/{run}")).await.contains("15 of 15 places left"));
    }

    async fn eight_people_booking_five_places_at_once_over_http(app: TestApp) {
        admin(&app).await;
        let run = north_run(&app, "5").await;
        let mut browsers = Vec::new();
        for n in 1..=8 {
            browsers.push(member(&app, &format!("p{n}@nhs.net"), &format!("Person {n}"), "link_worker", "rochdale").await);
        }
        let responses = futures_util::future::join_all(browsers.iter().map(|b| book(b, run))).await;
        assert!(responses.iter().all(|r| r.status() == StatusCode::SEE_OTHER));
        let mut booked = 0;
        let mut positions = Vec::new();
        for browser in &browsers {
            let page = browser.page(&format!("/courses/{run}")).await;
            if page.contains("You are booked on this run.") {
                booked += 1;
            } else {
                let text = text_of(&page, "main").unwrap_or_default();
                let position = text
                    .split("You are number ")
                    .nth(1)
                    .and_then(|rest| rest.split(' ').next())
                    .and_then(|n| n.parse::<u32>().ok())
                    .unwrap_or_else(|| panic!("booked or waiting: {page}"));
                positions.push(position);
            }
        }
        positions.sort();
        assert_eq!((booked, positions), (5, vec![1, 2, 3]));
        assert!(app.page("/courses").await.contains("Full: waiting list 3"));
    }

    async fn a_booking_and_its_letter_commit_together(app: TestApp) {
        use diesel::RunQueryDsl;
        admin(&app).await;
        let run = north_run(&app, "15").await;
        let ann = member(&app, "ann@nhs.net", "Ann Bury", "link_worker", "bury").await;
        // The outbox refuses every letter, as a full disk or a broken table would.
        let (create, drop): (Vec<&str>, &str) = match app.engine {
            Engine::Sqlite => (
                vec!["CREATE TRIGGER refuse_letters BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"],
                "DROP TRIGGER refuse_letters",
            ),
            Engine::Postgres => (
                vec![
                    "CREATE FUNCTION refuse_letters() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$",
                    "CREATE TRIGGER refuse_letters BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION refuse_letters()",
                ],
                "DROP TRIGGER refuse_letters ON outbox",
            ),
        };
        for sql in create {
            diesel::sql_query(sql).execute(&mut *app.db.conn().unwrap()).unwrap();
        }
        // No letter, no booking: Ann is not left booked without knowing it.
        let response = book(&ann, run).await;
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let page = ann.page(&format!("/courses/{run}")).await;
        assert!(!page.contains("You are booked on this run."), "{page}");
        assert!(!app.page(&format!("/courses/{run}/roster")).await.contains("Ann Bury"));

        // Once letters can be written, the booking goes through with its letter.
        diesel::sql_query(drop).execute(&mut *app.db.conn().unwrap()).unwrap();
        book_ok(&ann, run).await;
        assert!(ann.page(&format!("/courses/{run}")).await.contains("You are booked on this run."));
        let letters = emails_to(&app, "ann@nhs.net");
        assert_eq!(letters.len(), 1, "{letters:?}");
        assert!(app.page(&format!("/courses/{run}/roster")).await.contains("Ann Bury"));
    }
}
