//! The programme report, over HTTP: its figures checked against a fixture built through
//! the site (two runs, a waiting list, registers, feedback, a post), admins only, every
//! table as CSV, and each chart an accessible image beside its table.

use reqwest::StatusCode;

use crate::courses::{
    admin, book_ok, create_run, days_ahead, facilitating, member, north_run, two_pm,
};
use crate::evaluation::{answer, days_pass, register};
use crate::forum::start_thread;
use crate::helpers::*;
use crate::on_both_engines;

/// The rows of one table's CSV, as cells.
fn csv_rows(csv: &str) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv.as_bytes());
    reader
        .records()
        .map(|r| r.expect("a CSV row").iter().map(str::to_owned).collect())
        .collect()
}

fn row<'a>(rows: &'a [Vec<String>], first: &str) -> &'a [String] {
    rows.iter()
        .find(|r| r.first().is_some_and(|c| c == first))
        .unwrap_or_else(|| panic!("no row {first} in {rows:?}"))
}

async fn table(app: &TestApp, name: &str) -> Vec<Vec<String>> {
    let response = app.get(&format!("/admin/report.csv?table={name}")).await;
    assert_eq!(response.status(), StatusCode::OK, "{name}");
    assert!(header(&response, "content-type").starts_with("text/csv"));
    csv_rows(&response.text().await.unwrap())
}

const NORTH: &str = "SPOT course: Manchester, Rochdale and Bury";
const WEST: &str = "West run";

on_both_engines! {
    async fn the_report_adds_up_a_fixture_built_through_the_site(app: TestApp) {
        // Admin (Salford link worker), Fay (Bolton OT) facilitating the north run of two
        // places; Ann and Bob get them, Cat waits; Dan has the west run to himself.
        admin(&app).await;
        let north = north_run(&app, "2").await;
        let west = create_run(&app, WEST, &["trafford", "salford", "wigan", "bolton"], "15", &two_pm(days_ahead(14))).await;
        let fay = facilitating(&app, north).await;
        let ann = member(&app, "ann@nhs.net", "Ann Worker", "link_worker", "manchester").await;
        let bob = member(&app, "bob@nhs.net", "Bob Therapist", "occupational_therapist", "rochdale").await;
        let cat = member(&app, "cat@nhs.net", "Cat Waiting", "link_worker", "bury").await;
        let dan = member(&app, "dan@nhs.net", "Dan Therapist", "occupational_therapist", "salford").await;
        for (who, run) in [(&ann, north), (&bob, north), (&cat, north), (&dan, west)] {
            book_ok(who, run).await;
        }
        let id = |email: &str| app.member_id(email);
        days_pass(&app, north, 35);
        days_pass(&app, west, 35);
        register(&fay, north, 1, &[id("ann@nhs.net"), id("bob@nhs.net")]).await;
        register(&fay, north, 2, &[id("ann@nhs.net")]).await;
        register(&fay, north, 3, &[id("ann@nhs.net"), id("bob@nhs.net")]).await;
        register(&app, west, 1, &[id("dan@nhs.net")]).await;
        assert_redirects_to(&answer(&ann, north, ["2", "5", "4", "", "More time"], true).await, &format!("/courses/{north}"));
        assert_redirects_to(&answer(&bob, north, ["3", "4", "2", "", ""], false).await, &format!("/courses/{north}"));
        assert_redirects_to(&answer(&dan, west, ["1", "3", "", "Joint visits", ""], true).await, &format!("/courses/{west}"));
        let thread = start_thread(&ann, "introductions", "Hello from Harpurhey", "Glad to be here.").await;
        // Ann writes to Bob: a conversation this month, hers (Manchester, link worker).
        crate::messages::start(&ann, &[id("bob@nhs.net")], "Shall we plan a joint visit?").await;
        // Her post was written forty days ago: a day that has ended, counted once and kept.
        // (Start-up housekeeping counted the ended days already: they are counted afresh.)
        let forty_days_ago = chrono::Utc::now().naive_utc() - chrono::Duration::days(40);
        {
            use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
            use spot::schema::{activity_counted, activity_days, posts};
            let mut conn = app.db.conn().expect("connection");
            diesel::update(posts::table.filter(posts::thread_id.eq(thread)))
                .set(posts::created_at.eq(forty_days_ago))
                .execute(&mut *conn)
                .expect("backdated");
            diesel::delete(activity_days::table).execute(&mut *conn).expect("forgotten");
            diesel::delete(activity_counted::table).execute(&mut *conn).expect("forgotten");
        }

        // Admins only.
        assert_eq!(fay.get("/admin/report").await.status(), StatusCode::FORBIDDEN);
        assert_eq!(ann.get("/admin/report").await.status(), StatusCode::FORBIDDEN);
        assert_eq!(fay.get("/admin/report.csv").await.status(), StatusCode::FORBIDDEN);
        assert_eq!(app.get("/admin/report.csv?table=nonsense").await.status(), StatusCode::NOT_FOUND);

        let runs = table(&app, "runs").await;
        // Run, places, booked, waiting, attended, completed, completion rate, responses.
        assert_eq!(row(&runs, NORTH)[1..], ["2", "2", "1", "2", "1", "50%", "2"]);
        assert_eq!(row(&runs, WEST)[1..], ["15", "1", "0", "1", "0", "0%", "1"]);
        assert_eq!(row(&runs, "All runs")[1..], ["17", "3", "1", "3", "1", "33%", "3"]);

        let attendance = table(&app, "attendance").await;
        let sessions: Vec<(&str, &str, &str)> = attendance[1..]
            .iter()
            .map(|r| (r[1].as_str(), r[4].as_str(), r[5].as_str()))
            .collect();
        assert_eq!(sessions, [
            ("1", "2", "100%"), ("2", "1", "50%"), ("3", "2", "100%"),
            ("1", "1", "100%"), ("2", "register not taken", "–"), ("3", "register not taken", "–"),
        ]);

        let participants = table(&app, "participants").await;
        assert_eq!(row(&participants, "Manchester")[1..], ["1", "0", "1"]);
        assert_eq!(row(&participants, "Rochdale")[1..], ["0", "1", "1"]);
        assert_eq!(row(&participants, "Bury")[1..], ["0", "0", "0"], "Cat is waiting, not a participant");
        assert_eq!(row(&participants, "Salford")[1..], ["0", "1", "1"]);
        assert_eq!(row(&participants, "All boroughs")[1..], ["1", "2", "3"]);

        let feedback = table(&app, "feedback").await;
        let score = |run: &str, start: &str| -> Vec<String> {
            feedback.iter().find(|r| r[0] == run && r[1].starts_with(start))
                .unwrap_or_else(|| panic!("{run} {start} in {feedback:?}"))[2..].to_vec()
        };
        assert_eq!(score(NORTH, "Before"), ["2", "2.5"]);
        assert_eq!(score(NORTH, "How many useful new contacts"), ["2", "3.0"]);
        assert_eq!(score(WEST, "How many useful new contacts"), ["0", "–"]);
        assert_eq!(score("All runs", "Before"), ["3", "2.0"]);
        assert_eq!(score("All runs", "After"), ["3", "4.0"]);

        let shift = table(&app, "shift").await;
        assert_eq!(row(&shift, NORTH)[1..], ["2", "2.5", "4.5", "+2.0"]);
        assert_eq!(row(&shift, WEST)[1..], ["1", "1.0", "3.0", "+2.0"]);
        assert_eq!(row(&shift, "All runs")[1..], ["3", "2.0", "4.0", "+2.0"]);

        // This month six people joined (counted live); Ann's post is in its own month (from
        // the counts of ended days); no resources; Ann's conversation with Bob.
        let month = chrono::Utc::now().format("%Y-%m").to_string();
        let activity = table(&app, "activity").await;
        assert_eq!(activity.len(), 13, "twelve months and the headers");
        assert_eq!(row(&activity, &month)[1..], ["6", "0", "0", "1"]);
        assert_eq!(row(&activity, &forty_days_ago.format("%Y-%m").to_string())[1..], ["0", "1", "0", "0"]);
        assert_eq!(table(&app, "activity").await, activity, "the same when read again");
        let by_borough = table(&app, "activity_by_borough").await;
        assert_eq!(row(&by_borough, "Manchester")[1..], ["1", "1", "0", "1"]);
        assert_eq!(row(&by_borough, "Salford")[1..], ["2", "0", "0", "0"], "the admin and Dan");
        assert_eq!(row(&by_borough, "Bolton")[1..], ["1", "0", "0", "0"], "Fay");
        let by_profession = table(&app, "activity_by_profession").await;
        assert_eq!(row(&by_profession, "Link worker")[1..], ["3", "1", "0", "1"]);
        assert_eq!(row(&by_profession, "Occupational therapist")[1..], ["3", "0", "0", "0"]);

        // One file with every table, each row led by its table's name.
        let all = csv_rows(&app.page("/admin/report.csv").await);
        for name in ["runs", "attendance", "participants", "feedback", "shift", "activity", "activity_by_borough", "activity_by_profession"] {
            assert!(all.iter().any(|r| r[0] == name), "{name} in the combined CSV");
        }
        assert!(!all.iter().flatten().any(|cell| cell.contains("Ann Worker")), "no names in the report");

        // The page: a chart for each table, each an image with a title, beside its table.
        let page = app.page("/admin/report").await;
        assert_eq!(count_of(&page, r#"svg[role="img"]"#), 8, "{page}");
        assert_eq!(count_of(&page, "svg title"), 8);
        assert_eq!(count_of(&page, ".chart-pair table"), 8);
        assert_eq!(count_of(&page, r#"a[href^="/admin/report.csv?table="]"#), 8);
        assert!(page.contains("completed") && page.contains("every session"), "the definitions are said");
    }
}
