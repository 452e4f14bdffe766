//! What the page script asks the server for, as JSON: names to @mention (members only, the
//! directory's rules, at most eight, rate-limited), a preview that saves nothing and reads
//! as the saved post will, and a count of new replies that respects what the viewer may
//! see. Also the script itself: served from `assets/`, allowed by the CSP, small.

use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use reqwest::{Response, StatusCode};
use serde_json::Value;

use crate::forum::{facilitator, first_post, member, reply, start_thread};
use crate::helpers::*;
use crate::on_both_engines;

/// The JSON of a response, after checking it is JSON with the security headers.
async fn json_of(response: Response, what: &str) -> Value {
    assert!(
        header(&response, "content-type").starts_with("application/json"),
        "{what}: {}",
        header(&response, "content-type")
    );
    assert_security_headers(&response, what);
    response.json().await.expect("a JSON body")
}

fn names(found: &Value) -> Vec<String> {
    found
        .as_array()
        .unwrap_or_else(|| panic!("a list: {found}"))
        .iter()
        .map(|person| person["name"].as_str().expect("a name").to_owned())
        .collect()
}

/// Asks how many replies came after `after` in the thread.
async fn newer(browser: &Browser, thread: i64, after: impl std::fmt::Display) -> Response {
    browser
        .get(&format!("/threads/{thread}/newer?after={after}"))
        .await
}

on_both_engines! {
    async fn mention_suggestions_follow_the_directory_and_stop_at_eight(app: TestApp) {
        use spot::schema::members;
        app.join("viv@nhs.net", "Jay Viewer", "link_worker", "wigan").await;
        app.insert_members(&[
            ("jane@nhs.net", "Jane Able", "link_worker", "bolton"),
            ("janet@nhs.net", "Janet Baker", "occupational_therapist", "bury"),
            ("elodie@nhs.net", "Élodie Janssen", "occupational_therapist", "salford"),
            ("jo@nhs.net", "Jo Smith", "link_worker", "wigan"),
            ("jan@nhs.net", "Jan Suspended", "link_worker", "wigan"),
            ("janice@nhs.net", "Janice Waiting", "link_worker", "wigan"),
            ("jango@nhs.net", "Jango Unlisted", "link_worker", "wigan"),
            ("dot@nhs.net", "Jana B. Dotted", "link_worker", "wigan"),
        ]);
        {
            // Suspended; an applicant (not approved); out of the directory.
            let mut conn = app.db.conn().unwrap();
            let of = |email: &'static str| members::table.filter(members::email.eq(email));
            diesel::update(of("jan@nhs.net"))
                .set(members::suspended_at.eq(Some(spot::db::now())))
                .execute(&mut *conn)
                .unwrap();
            diesel::update(of("janice@nhs.net"))
                .set(members::approved_at.eq(None::<chrono::NaiveDateTime>))
                .execute(&mut *conn)
                .unwrap();
            diesel::update(of("jango@nhs.net"))
                .set(members::listed.eq(false))
                .execute(&mut *conn)
                .unwrap();
        }

        let response = app.get("/members/mentions?q=jan").await;
        assert_eq!(response.status(), StatusCode::OK);
        let found = json_of(response, "mentions").await;
        // A name or a word of it starting "jan", by name, accents aside; never the suspended,
        // the applicant, the unlisted, or a name a mention cannot spell ("B." ends it).
        assert_eq!(names(&found), ["Élodie Janssen", "Jane Able", "Janet Baker"], "{found}");
        let janet = &found[2];
        assert_eq!(janet["id"].as_i64(), Some(app.member_id("janet@nhs.net")));
        assert_eq!(janet["role"], "Occupational therapist", "{janet}");
        assert_eq!(janet["borough"], "Bury", "{janet}");
        assert_eq!(janet.as_object().unwrap().len(), 4, "id, name, role, borough and no more: {janet}");
        assert!(!found.to_string().contains("@nhs.net"), "no email addresses: {found}");

        let found = json_of(app.get("/members/mentions?q=%40el").await, "accents").await;
        assert_eq!(names(&found), ["Élodie Janssen"], "typed with its @, without its accent");
        let found = json_of(app.get("/members/mentions?q=ja").await, "self").await;
        assert!(!names(&found).contains(&"Jay Viewer".to_owned()), "not yourself: {found}");
        let found = json_of(app.get("/members/mentions?q=zz").await, "none").await;
        assert_eq!(names(&found), Vec::<String>::new());

        // Many matches: the first eight by name.
        let crowd: Vec<(String, String)> = (0..12)
            .map(|i| (format!("jam{i}@nhs.net"), format!("Jamie {}", char::from(b'A' + i))))
            .collect();
        let rows: Vec<(&str, &str, &str, &str)> = crowd
            .iter()
            .map(|(email, name)| (email.as_str(), name.as_str(), "link_worker", "oldham"))
            .collect();
        app.insert_members(&rows);
        let found = json_of(app.get("/members/mentions?q=jam").await, "crowd").await;
        assert_eq!(
            names(&found),
            ["Jamie A", "Jamie B", "Jamie C", "Jamie D", "Jamie E", "Jamie F", "Jamie G", "Jamie H"]
        );

        // One letter is not enough; nothing is looked up.
        let response = app.get("/members/mentions?q=j").await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let refused = json_of(response, "one letter").await;
        assert_eq!(refused["error"], "Type at least two letters of a name", "{refused}");

        // Signed out, or not yet approved: 401, not a sign-in page.
        let visitor = app.another_browser();
        let response = visitor.get("/members/mentions?q=jan").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let refused = json_of(response, "signed out").await;
        assert!(refused["error"].as_str().unwrap().contains("Sign in"), "{refused}");
        let waiting = app.another_browser();
        waiting.login("janice@nhs.net", PASSWORD).await;
        assert_eq!(waiting.get("/members/mentions?q=jan").await.status(), StatusCode::UNAUTHORIZED);
    }

    async fn mention_look_ups_are_limited_per_member(app: TestApp) {
        app.join("viv@nhs.net", "Viv Writer", "link_worker", "wigan").await;
        let other = app.signed_in_member("kim@nhs.net", "Kim Other").await;
        let limit = spot::accounts::throttle::MENTION_LOOKUPS_PER_MINUTE;
        for i in 0..limit {
            let response = app.get("/members/mentions?q=ki").await;
            assert_eq!(response.status(), StatusCode::OK, "look-up {i}");
        }
        let response = app.get("/members/mentions?q=ki").await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        let wait: u64 = header(&response, "retry-after").parse().expect("a Retry-After in seconds");
        assert!((1..=60).contains(&wait), "{wait}");
        let refused = json_of(response, "limited").await;
        assert!(refused["error"].as_str().unwrap().starts_with("Too many requests: please wait"), "{refused}");
        // The limit is the member's own; and it is kept in the database, for every app node.
        assert_eq!(other.get("/members/mentions?q=vi").await.status(), StatusCode::OK);
        let recorded: i64 = {
            use spot::schema::throttle_events;
            let mut conn = app.db.conn().unwrap();
            throttle_events::table
                .filter(throttle_events::kind.eq("mention_member"))
                .count()
                .get_result(&mut *conn)
                .unwrap()
        };
        assert_eq!(recorded, limit + 1);
    }
}

on_both_engines! {
    async fn a_preview_reads_as_the_saved_post_and_saves_nothing(app: TestApp) {
        use spot::schema::{post_mentions, posts};
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        member(&app, "kim@nhs.net", "Kim Lee").await;
        let source = "**Pacing** works, ask @Kim Lee.\n\n<script>alert('x')</script>\n\n- one\n- two";
        let count = |app: &TestApp| -> (i64, i64) {
            let mut conn = app.db.conn().unwrap();
            (
                posts::table.count().get_result(&mut *conn).unwrap(),
                post_mentions::table.count().get_result(&mut *conn).unwrap(),
            )
        };
        let before = count(&app);
        let response = sam.post("/preview", &[("body", source)]).await;
        assert_eq!(response.status(), StatusCode::OK);
        let preview = json_of(response, "preview").await;
        let html = preview["html"].as_str().expect("html");
        assert!(html.contains("<strong>Pacing</strong>"), "{html}");
        assert!(html.contains("<li>one</li>"), "{html}");
        assert!(!html.contains("<script") && !html.contains("alert("), "{html}");
        let kim = app.member_id("kim@nhs.net");
        assert!(html.contains(&format!(r#"href="/members/{kim}""#)), "the mention linked: {html}");
        assert_eq!(preview["concerns"], serde_json::json!([]));
        assert_eq!(count(&app), before, "nothing saved, nobody told");

        // The same text, posted, is stored as exactly that HTML.
        let thread = start_thread(&sam, "introductions", "Pacing", source).await;
        let saved: String = {
            let mut conn = app.db.conn().unwrap();
            posts::table
                .find(first_post(&app, thread))
                .select(posts::body_html)
                .first(&mut *conn)
                .unwrap()
        };
        assert_eq!(saved, html);

        // What the patient-data guard would ask about is shown with it.
        let response = sam.post("/preview", &[("body", "Mrs Patel, born 12/03/1954, waits.")]).await;
        let preview = json_of(response, "concerns").await;
        assert!(!preview["concerns"].as_array().unwrap().is_empty(), "{preview}");

        // Nothing to preview; no form token; signed out.
        let response = sam.post("/preview", &[("body", "  \n ")]).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(json_of(response, "empty").await["error"], "Enter the text of your post");
        let response = sam.post_raw("/preview", &[("body", "Hello")]).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "the form token is needed");
        let visitor = app.another_browser();
        let response = visitor.post("/preview", &[("body", "Hello")]).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
}

on_both_engines! {
    async fn new_replies_are_counted_as_the_viewer_may_see_them(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let thread = start_thread(&sam, "introductions", "Hello", "Hi all").await;
        let opened = first_post(&app, thread);
        let response = newer(&sam, thread, opened).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(json_of(response, "nothing new").await, serde_json::json!({"count": 0, "link": null}));

        let first = reply(&kim, thread, "Welcome!").await;
        reply(&kim, thread, "Also: the pacing thread is good.").await;
        reply(&sam, thread, "Thanks Kim").await;
        let hidden = reply(&kim, thread, "Buy my product").await;
        fay.post(&format!("/posts/{hidden}/hide"), &[("reason", "Advertising")]).await;
        let response = kim
            .post(
                &format!("/threads/{thread}/reply"),
                &[("body", "Mrs Patel, born 12/03/1954, still waits."), ("action", "post"), ("confirm_patient_data", "yes")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "held for a facilitator");

        // Sam sees Kim's two visible replies: not his own, not the hidden or the held one.
        let counted = json_of(newer(&sam, thread, opened).await, "sam").await;
        assert_eq!(counted, serde_json::json!({"count": 2, "link": format!("/posts/{first}")}));
        let counted = json_of(newer(&sam, thread, first).await, "after the first").await;
        assert_eq!(counted["count"], 1);

        // A post of another thread, or no post at all, is not a place in this one.
        let other = start_thread(&sam, "introductions", "Another", "Hi again").await;
        let elsewhere = first_post(&app, other);
        assert_eq!(newer(&sam, thread, elsewhere).await.status(), StatusCode::NOT_FOUND);
        let response = newer(&sam, thread, "latest").await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert!(json_of(response, "bad after").await["error"].as_str().unwrap().contains("number of a post"));
    }

    async fn new_replies_in_a_cohort_space_are_for_its_cohort(app: TestApp) {
        crate::courses::admin(&app).await;
        let run = crate::courses::north_run(&app, "15").await;
        let thread = start_thread(&app, &format!("cohort-{run}"), "Week one", "Welcome, everyone").await;
        let opened = first_post(&app, thread);
        let path = format!("/threads/{thread}/newer?after={opened}");
        assert_eq!(app.get(&path).await.status(), StatusCode::OK, "the admin reads it");
        let outsider = member(&app, "sam@nhs.net", "Sam Jones").await;
        let response = outsider.get(&path).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let refused = json_of(response, "outsider").await;
        assert!(refused["error"].as_str().unwrap().contains("private space"), "{refused}");
        let response = app.another_browser().get(&path).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "nor a visitor");
    }
}

on_both_engines! {
    async fn the_page_script_is_served_small_cached_and_allowed_by_the_policy(app: TestApp) {
        let page = app.page("/").await;
        let src = attr_of(&page, "head script[src]", "src").expect("the page names its script");
        assert!(src.starts_with("/assets/spot.js?v="), "{src}");
        assert!(attr_of(&page, "head script[src]", "defer").is_some(), "deferred: it never holds up the page");
        assert_eq!(count_of(&page, "script:not([src])"), 0, "no inline script");
        let response = app.get(&src).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(header(&response, "content-type").starts_with("application/javascript"));
        assert!(header(&response, "cache-control").contains("max-age=31536000"));
        assert_security_headers(&response, "spot.js");
        let csp = header(&response, "content-security-policy").to_owned();
        assert!(csp.contains("script-src 'self'") && csp.contains("default-src 'self'"), "{csp}");
        let script = response.bytes().await.unwrap();
        assert!(script.len() < 20 * 1024, "spot.js is {} bytes", script.len());
        assert_eq!(&script[..], spot::web::assets::SCRIPT.as_bytes());
    }
}
