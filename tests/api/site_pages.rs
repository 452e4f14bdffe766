//! What SPOT publishes and keeps: the privacy notice, terms of use, community guidelines,
//! accessibility statement and contact page, linked from every page and rewritten by admins;
//! the contact form that reaches the facilitators; and the daily pruning that holds SPOT to
//! the retention periods its privacy notice quotes.

use chrono::{Duration, NaiveDateTime};
use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use reqwest::StatusCode;

use crate::forum::{facilitator, location, member, post_text, reply, start_thread};
use crate::helpers::*;
use crate::on_both_engines;
use crate::resources::{Share, PDF};

const PAGES: [(&str, &str); 5] = [
    ("/privacy", "Privacy notice"),
    ("/terms", "Terms of use"),
    ("/guidelines", "Community guidelines"),
    ("/accessibility", "Accessibility statement"),
    ("/contact", "Contact the SPOT team"),
];

/// An admin, signed in in a browser of their own.
async fn admin(app: &TestApp, email: &str, name: &str) -> Browser {
    let browser = member(app, email, name).await;
    app.promote(email, "admin");
    browser
}

/// A visitor's contact message with these fields (name and email filled in).
async fn contact(browser: &Browser, subject: &str, body: &str) -> reqwest::Response {
    browser
        .post(
            "/contact",
            &[
                ("name", "Jo Bloggs"),
                ("email", "jo@example.org"),
                ("subject", subject),
                ("body", body),
            ],
        )
        .await
}

/// The emails whose subject names this contact message.
fn contact_letters(app: &TestApp, subject: &str) -> Vec<String> {
    app.emails()
        .into_iter()
        .filter(|raw| raw.contains(&format!("Subject: SPOT contact form: {subject}")))
        .collect()
}

fn contact_messages_stored(app: &TestApp) -> i64 {
    use spot::schema::contact_messages;
    let mut conn = app.db.conn().expect("connection");
    contact_messages::table
        .count()
        .get_result(&mut *conn)
        .expect("counted")
}

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
    let mut conn = app.db.conn().expect("connection");
    spot::housekeeping::sweep(&mut conn, &app.files, &app.config.retention, now).expect("pruned")
}

on_both_engines! {
    async fn every_published_page_answers_visitors_and_every_page_links_to_them(app: TestApp) {
        for (path, heading) in PAGES {
            let page = app.page(path).await;
            assert_eq!(text_of(&page, "h1").as_deref(), Some(heading), "{path}");
            assert!(!page.contains("{retention."), "{path}: every placeholder is filled");
        }
        let guidelines = text_of(&app.page("/guidelines").await, "main").unwrap();
        assert!(guidelines.contains("never post anything that could identify a patient"), "{guidelines}");
        let accessibility = app.page("/accessibility").await;
        assert!(accessibility.contains("axe-core") && accessibility.contains("Nu Html Checker"), "{accessibility}");
        assert!(accessibility.contains("Equality Advisory and Support Service"), "{accessibility}");

        // The footer of every page, error pages too, signed in or not, links to all five.
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        for path in ["/", "/forum", "/privacy", "/no-such-page"] {
            let page = app.get(path).await.text().await.unwrap();
            for (link, _) in PAGES {
                assert_eq!(count_of(&page, &format!(r#"footer a[href="{link}"]"#)), 1, "{path} links to {link}");
            }
        }
    }

    #[config(|config| {
        config.retention.audit_log = 400;
        config.retention.sent_email = 14;
        config.retention.returned_holds = 45;
        config.session_lifetime = std::time::Duration::from_secs(7 * 24 * 60 * 60);
    })]
    async fn the_privacy_notice_quotes_the_retention_periods_in_force(app: TestApp) {
        let page = app.page("/privacy").await;
        let notice = text_of(&page, "main").unwrap();
        let row = |what: &str| {
            texts_of(&page, "main table tr")
                .into_iter()
                .find(|row| row.contains(what))
                .unwrap_or_else(|| panic!("no row for {what}: {notice}"))
        };
        assert!(row("audit log").contains("400 days"), "{notice}");
        assert!(row("email sent to you").contains("14 days"), "{notice}");
        assert!(row("left uncorrected").contains("45 days"), "{notice}");
        assert!(row("Notifications").contains("180 days") && row("Notifications").contains("1 year"), "{notice}");
        assert!(!notice.contains("{retention") && !notice.contains("{session"), "{notice}");
        // Only the session cookie, and why no banner.
        assert!(notice.contains("spot_session") && notice.contains("7 days"), "{notice}");
        assert!(notice.contains("strictly necessary") && notice.contains("no cookie banner"), "{notice}");
        // The controller is for the site's owners to fill in, and marked so.
        assert!(notice.contains("[To fill in:"), "{notice}");
    }

    async fn an_admin_rewrites_a_page_and_visitors_read_it_cleaned(app: TestApp) {
        let ada = admin(&app, "ada@nhs.net", "Ada Admin").await;
        let list = ada.page("/admin/pages").await;
        for (path, _) in PAGES.iter().take(4) {
            assert_eq!(count_of(&list, &format!(r#"a[href="/admin/pages{path}"]"#)), 1, "{list}");
        }
        let form = ada.page("/admin/pages/terms").await;
        assert!(crate::forum::textarea_text(&form, "body").is_some_and(|t| t.contains("Who SPOT is for")), "{form}");

        // An empty text is refused by its field; the page is unchanged.
        let response = ada.post("/admin/pages/terms", &[("body", "  ")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert_eq!(field_error(&page, "body").as_deref(), Some("Error: Enter the page's text"));

        let text = "## House rules\n\nBe <script>alert('owned')</script>kind. We keep the audit log for {retention.audit_log}.";
        let response = ada.post("/admin/pages/terms", &[("body", text)]).await;
        assert_redirects_to(&response, "/terms");
        let visitor = app.another_browser();
        let page = visitor.page("/terms").await;
        assert_eq!(text_of(&page, "h1").as_deref(), Some("Terms of use"));
        assert_eq!(text_of(&page, "main h2").as_deref(), Some("House rules"));
        let main = text_of(&page, "main").unwrap();
        assert!(main.contains("Be kind.") && main.contains("for 6 years."), "{main}");
        assert!(!page.contains("<script>alert") && !page.contains("owned"), "{page}");
        assert!(!main.contains("Who SPOT is for"), "{main}");
        let audit = ada.page("/admin/audit").await;
        assert!(audit.contains("published page changed") && audit.contains("terms of use"), "{audit}");
        assert!(ada.page("/admin/pages").await.contains("Changed"));

        // Back to SPOT's own text.
        let response = ada.post("/admin/pages/terms/restore", &[]).await;
        assert_redirects_to(&response, "/terms");
        let page = visitor.page("/terms").await;
        assert!(page.contains("Who SPOT is for") && !page.contains("House rules"), "{page}");
        assert_eq!(ada.get("/admin/pages/no-such-page").await.status(), StatusCode::NOT_FOUND);
    }

    async fn only_admins_change_the_published_pages(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        for browser in [&sam, &fay] {
            assert_eq!(browser.get("/admin/pages").await.status(), StatusCode::FORBIDDEN);
            assert_eq!(browser.get("/admin/pages/privacy").await.status(), StatusCode::FORBIDDEN);
            let forged = browser.post("/admin/pages/privacy", &[("body", "## Nothing is private")]).await;
            assert_eq!(forged.status(), StatusCode::FORBIDDEN);
            let forged = browser.post("/admin/pages/privacy/restore", &[]).await;
            assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        }
        let visitor = app.another_browser();
        let forged = visitor.post("/admin/pages/privacy", &[("body", "## Nothing is private")]).await;
        assert_eq!(forged.status(), StatusCode::SEE_OTHER, "sent to sign in");
        assert!(!visitor.page("/privacy").await.contains("Nothing is private"));
    }

    async fn the_contact_form_keeps_what_was_written_when_something_is_missing(app: TestApp) {
        let page = app.page("/contact").await;
        for field in ["name", "email", "subject"] {
            assert_eq!(count_of(&page, &format!(r#"label[for="{field}"]"#)), 1, "{field}");
        }
        let response = contact(&app, "Cannot sign in", "   ").await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(text_of(&page, "title").is_some_and(|t| t.starts_with("Error:")), "{page}");
        assert_eq!(field_error(&page, "body").as_deref(), Some("Error: Enter your message"));
        assert_eq!(attr_of(&page, ".error-summary a", "href").as_deref(), Some("#body"));
        assert_eq!(input_value(&page, "subject").as_deref(), Some("Cannot sign in"));
        assert_eq!(input_value(&page, "name").as_deref(), Some("Jo Bloggs"));
        assert_eq!(input_value(&page, "email").as_deref(), Some("jo@example.org"));

        let response = app
            .post("/contact", &[("name", ""), ("email", "not an address"), ("subject", ""), ("body", "Hello")])
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        for field in ["name", "email", "subject"] {
            assert!(field_error(&page, field).is_some(), "{field}: {page}");
        }
        assert_eq!(crate::forum::textarea_text(&page, "body").as_deref(), Some("Hello"));
        assert_eq!(contact_messages_stored(&app), 0);
    }

    async fn a_contact_message_that_could_identify_a_patient_is_refused_by_its_field(app: TestApp) {
        facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let body = "Can someone check the referral for my client, NHS number 943 476 5919?";
        let response = contact(&app, "A referral", body).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        let message = field_error(&page, "body").expect("the message field says what to take out");
        assert!(message.contains("943 476 5919") && message.contains("Take out"), "{message}");
        assert_eq!(count_of(&page, r#"input[name="confirm_patient_data"]"#), 0, "nothing is held: it is refused");
        assert_eq!(crate::forum::textarea_text(&page, "body").as_deref(), Some(body));
        assert_eq!(contact_messages_stored(&app), 0);
        assert!(contact_letters(&app, "A referral").is_empty());
    }

    async fn a_contact_message_reaches_every_facilitator_by_email_and_on_their_page(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let ada = admin(&app, "ada@nhs.net", "Ada Admin").await;

        // A visitor (a suspended member, say) writes.
        let visitor = app.another_browser();
        let response = contact(&visitor, "Cannot sign in", "My account says it is suspended.\nCan you help?").await;
        assert_redirects_to(&response, "/contact");
        let page = visitor.page("/contact").await;
        assert!(page.contains("your message has reached the facilitators") && page.contains("jo@example.org"), "{page}");

        let letters = contact_letters(&app, "Cannot sign in");
        assert_eq!(letters.len(), 2, "one each to the facilitator and the admin");
        for to in ["fay@nhs.net", "ada@nhs.net"] {
            let letter = letters
                .iter()
                .find(|raw| raw.contains(&format!("<{to}>")))
                .unwrap_or_else(|| panic!("nothing to {to}"));
            assert!(letter.contains("Reply-To: \"Jo Bloggs\" <jo@example.org>"), "{letter}");
            assert!(email_text(letter).contains("My account says it is suspended."), "{letter}");
        }
        assert!(!letters.iter().any(|raw| raw.contains("<sam@nhs.net>")));

        // A member writes: answered at their account's address.
        let response = sam.post("/contact", &[("subject", "A new category"), ("body", "Could we have one for housing?")]).await;
        assert_redirects_to(&response, "/contact");
        let letters = contact_letters(&app, "A new category");
        assert_eq!(letters.len(), 2);
        assert!(letters.iter().all(|raw| raw.contains("Reply-To: \"Sam Jones\" <sam@nhs.net>")), "{letters:?}");

        // Both on the facilitators' page, newest first, with who sent them.
        for staff in [&fay, &ada] {
            let page = staff.page("/moderation/contact").await;
            let subjects = texts_of(&page, "article h2");
            assert_eq!(subjects, ["A new category", "Cannot sign in"], "{page}");
            assert!(page.contains("Jo Bloggs") && page.contains("mailto:jo@example.org"), "{page}");
            let sam_id = app.member_id("sam@nhs.net");
            assert_eq!(count_of(&page, &format!(r#"article a[href="/members/{sam_id}"]"#)), 1, "{page}");
            assert_eq!(count_of(&page, r#"nav a[href="/moderation/contact"][aria-current="page"]"#), 1);
        }
        assert_eq!(sam.get("/moderation/contact").await.status(), StatusCode::FORBIDDEN);
        assert_eq!(visitor.get("/moderation/contact").await.status(), StatusCode::SEE_OTHER);
    }

    async fn the_contact_form_turns_away_a_flood_with_a_clear_message(app: TestApp) {
        let limit = spot::accounts::throttle::CONTACT_PER_HOUR;
        for n in 0..limit {
            let response = contact(&app, &format!("Question {n}"), "Is there a course in Wigan?").await;
            assert_redirects_to(&response, "/contact");
        }
        let response = contact(&app, "One more", "Is there a course in Bolton?").await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        let wait: u64 = header(&response, "retry-after").parse().unwrap();
        assert!(wait > 0 && wait <= 3600, "{wait}");
        let page = response.text().await.unwrap();
        let message = field_error(&page, "body").expect("a message on the page");
        assert!(message.contains("please wait") && message.contains("minute"), "{message}");
        assert_eq!(input_value(&page, "subject").as_deref(), Some("One more"));
        assert_eq!(crate::forum::textarea_text(&page, "body").as_deref(), Some("Is there a course in Bolton?"));
        assert_eq!(contact_messages_stored(&app), limit);
    }

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
