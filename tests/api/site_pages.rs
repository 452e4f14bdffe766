//! What SPOT keeps, and for how long: the daily pruning that holds SPOT to the retention
//! periods its privacy notice quotes.

use chrono::{Duration, NaiveDateTime};
use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use reqwest::StatusCode;

use crate::forum::{facilitator, location, member, post_text, reply, start_thread};
use crate::helpers::*;
use crate::on_both_engines;
use crate::resources::{Share, PDF};

/// The upload folder's stored files (not the ones still arriving).
fn stored_files(app: &TestApp) -> usize {
    std::fs::read_dir(app.data_dir.path().join("uploads"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|entry| entry.path().is_file())
                .count()
        })
        .unwrap_or(0)
}

/// Today's pruning, as the housekeeping job runs it (`None`: done already today).
fn sweep(app: &TestApp, now: NaiveDateTime) -> Option<spot::retention::Pruned> {
    let store = spot::resources::store::LocalFolder::new(&app.data_dir.path().join("uploads"))
        .expect("the upload folder");
    let mut conn = app.db.conn().expect("connection");
    spot::housekeeping::sweep(&mut conn, &store, &app.config.retention, now).expect("pruned")
}

on_both_engines! {
    async fn pruning_removes_exactly_the_rows_older_than_their_period(app: TestApp) {
        use spot::schema::{applications, audit_log, contact_messages, ended_sessions, members, notifications, outbox, throttle_events};
        app.insert_members(&[
            ("sam@nhs.net", "Sam Jones", "link_worker", "wigan"),
            ("old@example.org", "Old Applicant", "link_worker", "bolton"),
            ("new@example.org", "New Applicant", "link_worker", "bolton"),
            ("wait@example.org", "Waiting Applicant", "link_worker", "bolton"),
        ]);
        // The day of the pruning: not today, which the server's own housekeeping may have
        // taken as it started (every row meant to go is a day past its period, so that
        // pruning, two days earlier, leaves them all).
        let now = spot::db::now() + Duration::days(2);
        let ago = |days: i64| now - Duration::days(days);
        let sam = app.member_id("sam@nhs.net");
        let mut conn = app.db.conn().unwrap();
        let conn = &mut *conn;

        // Emails: sent or given up 31 days ago go; sent 29 days ago, or still waiting, stay.
        for (subject, sent, failed) in [
            ("old sent", Some(ago(31)), None),
            ("old given up", None, Some(ago(31))),
            ("recent sent", Some(ago(29)), None),
            ("waiting", None, None),
        ] {
            diesel::insert_into(outbox::table)
                .values((
                    outbox::to_name.eq("Sam"), outbox::to_address.eq("sam@nhs.net"),
                    outbox::subject.eq(subject), outbox::text_body.eq(""),
                    outbox::message_id.eq(format!("<{subject}@spot>")),
                    outbox::created_at.eq(ago(60)), outbox::next_attempt_at.eq(ago(60) + Duration::days(365)),
                    outbox::sent_at.eq(sent), outbox::failed_at.eq(failed),
                ))
                .execute(conn).unwrap();
        }
        for (id, days) in [("old-session", 31), ("recent-session", 29)] {
            diesel::insert_into(ended_sessions::table)
                .values((ended_sessions::session_id.eq(id), ended_sessions::ended_at.eq(ago(days))))
                .execute(conn).unwrap();
        }
        // More rate-limit events than one batch holds.
        conn.write_transaction(|tx| {
            for n in 0..1_100 {
                diesel::insert_into(throttle_events::table)
                    .values((
                        throttle_events::kind.eq("sign_in_ip"),
                        throttle_events::subject.eq(format!("10.0.{}.{}", n / 200, n % 200)),
                        throttle_events::created_at.eq(ago(8)),
                    ))
                    .execute(&mut **tx)?;
            }
            Ok::<_, diesel::result::Error>(())
        })
        .unwrap();
        diesel::insert_into(throttle_events::table)
            .values((throttle_events::kind.eq("sign_in_ip"), throttle_events::subject.eq("recent"), throttle_events::created_at.eq(ago(6))))
            .execute(conn).unwrap();
        // Notifications: read over 180 days ago, or made over 365 days ago, go.
        for (headline, made, read) in [
            ("read long ago", ago(200), Some(ago(181))),
            ("read lately", ago(200), Some(ago(10))),
            ("unread, 200 days", ago(200), None),
            ("unread, 366 days", ago(366), None),
        ] {
            diesel::insert_into(notifications::table)
                .values((
                    notifications::member_id.eq(sam), notifications::kind.eq("reply"),
                    notifications::headline.eq(headline), notifications::link.eq("/"),
                    notifications::created_at.eq(made), notifications::read_at.eq(read),
                    notifications::email.eq("never"),
                ))
                .execute(conn).unwrap();
        }
        for (action, days) in [("ancient action", 2191), ("recent action", 2189)] {
            diesel::insert_into(audit_log::table)
                .values((audit_log::action.eq(action), audit_log::created_at.eq(ago(days))))
                .execute(conn).unwrap();
        }
        // Applicants: declined 91 days ago goes, with the account; declined 89 days ago, and
        // waiting a long time, stay.
        for (email, status, decided) in [
            ("old@example.org", "declined", Some(ago(91))),
            ("new@example.org", "declined", Some(ago(89))),
            ("wait@example.org", "waiting", None),
        ] {
            let id = app.member_id(email);
            diesel::update(members::table.find(id)).set(members::approved_at.eq(None::<NaiveDateTime>)).execute(conn).unwrap();
            diesel::insert_into(applications::table)
                .values((
                    applications::member_id.eq(id), applications::status.eq(status),
                    applications::submitted_at.eq(ago(120)), applications::decided_at.eq(decided),
                ))
                .execute(conn).unwrap();
        }
        for (subject, days) in [("old message", 366), ("recent message", 364)] {
            diesel::insert_into(contact_messages::table)
                .values((
                    contact_messages::name.eq("Jo"), contact_messages::email.eq("jo@example.org"),
                    contact_messages::subject.eq(subject), contact_messages::body.eq("Hello"),
                    contact_messages::created_at.eq(ago(days)),
                ))
                .execute(conn).unwrap();
        }

        let pruned = sweep(&app, now).expect("today's pruning runs");
        assert_eq!(
            (pruned.sent_email, pruned.ended_sessions, pruned.throttle_events, pruned.read_notifications,
             pruned.notifications, pruned.audit_log, pruned.declined_applications, pruned.contact_messages,
             pruned.returned_holds),
            (2, 1, 1_100, 1, 1, 1, 1, 1, 0)
        );
        let mut conn = app.db.conn().unwrap();
        let conn = &mut *conn;
        let mut left: Vec<String> = outbox::table.select(outbox::subject).load(conn).unwrap();
        left.sort();
        assert_eq!(left, ["recent sent", "waiting"]);
        let left: Vec<String> = ended_sessions::table.select(ended_sessions::session_id).load(conn).unwrap();
        assert_eq!(left, ["recent-session"]);
        let left: Vec<String> = throttle_events::table.select(throttle_events::subject).load(conn).unwrap();
        assert_eq!(left, ["recent"]);
        let mut left: Vec<String> = notifications::table.select(notifications::headline).load(conn).unwrap();
        left.sort();
        assert_eq!(left, ["read lately", "unread, 200 days"]);
        let left: Vec<String> = audit_log::table.select(audit_log::action).load(conn).unwrap();
        assert_eq!(left, ["recent action"]);
        let mut left: Vec<String> = members::table.select(members::email).load(conn).unwrap();
        left.sort();
        assert_eq!(left, ["new@example.org", "sam@nhs.net", "wait@example.org"]);
        let left: Vec<String> = contact_messages::table.select(contact_messages::subject).load(conn).unwrap();
        assert_eq!(left, ["recent message"]);

        // Once a day, whichever node asks first: a second look the same day does nothing, and
        // a look the next day runs again.
        assert_eq!(sweep(&app, now + Duration::minutes(5)), None);
        let tomorrow = (now + Duration::days(1)).date().and_hms_opt(0, 30, 0).unwrap();
        assert!(sweep(&app, tomorrow).is_some());
    }

    async fn held_items_returned_and_never_corrected_lose_their_held_words(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let held = |text: &str| format!("{text} Mrs Patel, born 12/03/1954, keyword {text}.");

        let thread = start_thread(&sam, "practice-questions", "Falls clinics", "Where are they?").await;
        // A held reply.
        let body = held("wombat");
        let response = kim
            .post(&format!("/threads/{thread}/reply"), &[("body", body.as_str()), ("action", "post"), ("confirm_patient_data", "yes")])
            .await;
        let held_reply: i64 = location(&response).trim_start_matches("/posts/").parse().unwrap();
        // A held edit of a published post.
        let edited = reply(&kim, thread, "The Salford clinic is good.").await;
        let body = held("numbat");
        let response = kim
            .post(&format!("/posts/{edited}/edit"), &[("body", body.as_str()), ("action", "post"), ("confirm_patient_data", "yes")])
            .await;
        assert_redirects_to(&response, &format!("/posts/{edited}"));
        // A held new thread.
        let body = held("quokka");
        let response = kim
            .post("/forum/practice-questions/new", &[("title", "Grab rails"), ("body", body.as_str()), ("action", "post"), ("confirm_patient_data", "yes")])
            .await;
        let held_thread: i64 = location(&response).trim_start_matches("/threads/").parse().unwrap();
        // A held file.
        let files_before = stored_files(&app);
        let resource = Share::file("Falls leaflet", "falls.pdf", PDF).description(&held("dugong")).confirmed().shared_by(&kim).await;
        assert_eq!(stored_files(&app), files_before + 1);
        // A held profile text.
        let about = held("kiwi");
        let response = kim
            .save_profile(&[("display_name", "Kim Lee"), ("organisation", "Wigan Council"), ("role", "link_worker"),
                ("borough", "wigan"), ("about", about.as_str()), ("listed", "yes"), ("confirm_patient_data", "yes")])
            .await;
        assert_redirects_to(&response, "/account");

        // The facilitator returns all five; the author is told how long they have.
        loop {
            let queue = fay.page("/moderation/held").await;
            let Some(action) = attr_of(&queue, r#"form[action$="/return"]"#, "action") else { break };
            let response = fay.post(&action, &[("reason", "Please take out the name and date of birth")]).await;
            assert_redirects_to(&response, "/moderation/held");
        }
        let notices = kim.page("/notifications").await;
        assert!(notices.contains("not corrected within 90 days, it will be removed"), "{notices}");

        // Returned 89 days before a day's pruning, nothing goes; 91 days before, the held
        // words do. (Days to come: the server's own housekeeping may have taken today.)
        let returned = |days: i64, before: NaiveDateTime| {
            use spot::schema::holds;
            let mut conn = app.db.conn().unwrap();
            diesel::update(holds::table.filter(holds::status.eq("returned")))
                .set(holds::decided_at.eq(before - Duration::days(days)))
                .execute(&mut *conn)
                .unwrap()
        };
        let (one_day, next_day) = (spot::db::now() + Duration::days(2), spot::db::now() + Duration::days(3));
        assert_eq!(returned(89, one_day), 5);
        assert_eq!(sweep(&app, one_day).map(|p| p.returned_holds), Some(0));
        assert_eq!(returned(91, next_day), 5);
        let pruned = sweep(&app, next_day).expect("the next day's pruning");
        assert_eq!(pruned.returned_holds, 5);

        // The reply is emptied: its author sees it removed, nobody sees its words.
        let page = kim.page(&format!("/threads/{thread}")).await;
        assert!(!page.contains("wombat"), "{page}");
        {
            use spot::schema::posts;
            let mut conn = app.db.conn().unwrap();
            let (body, deleted): (String, Option<NaiveDateTime>) = posts::table.find(held_reply)
                .select((posts::body_source, posts::deleted_at)).first(&mut *conn).unwrap();
            assert!(body.is_empty() && deleted.is_some());
        }
        // The edit is undone: the post reads as before, to everyone.
        let page = sam.page(&format!("/threads/{thread}")).await;
        assert!(post_text(&page, edited).is_some_and(|t| t.contains("The Salford clinic is good.")), "{page}");
        assert!(!page.contains("numbat"));
        // The thread, the resource and its file are gone; the profile keeps no held text.
        assert_eq!(kim.get(&format!("/threads/{held_thread}")).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(kim.get(&format!("/resources/{resource}")).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(stored_files(&app), files_before);
        let account = kim.page("/account").await;
        assert!(!account.contains("kiwi"), "{account}");
        let audit = fay.page("/moderation/log").await;
        assert!(audit.contains("held item removed") && !audit.contains("Patel"), "{audit}");
    }
}
