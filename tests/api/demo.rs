//! `spot demo`: a tiny demo community on a fresh database, seen as its members would see it.

use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use reqwest::StatusCode;
use spot::demo::{self, Options, Summary};

use crate::helpers::*;
use crate::on_both_engines;

fn make_demo(app: &TestApp) -> anyhow::Result<Summary> {
    let mut conn = app.db.conn().expect("connection");
    demo::generate(
        &mut conn,
        &Options {
            scale: 0.01,
            seed: 7,
        },
    )
}

on_both_engines! {
    async fn a_tiny_demo_community_can_be_signed_into_and_read(app: TestApp) {
        let summary = make_demo(&app).expect("the demo community is made");
        assert!(summary.members >= 10, "{summary:?}");
        assert!(summary.posts >= 100, "{summary:?}");
        assert_eq!(summary.runs.len(), 3);

        // A second run refuses, and changes nothing.
        let refused = make_demo(&app).expect_err("a database with members is refused");
        assert!(refused.to_string().contains("only fills an empty database"), "{refused}");

        let health = app.get("/healthz").await;
        assert_eq!(health.status(), StatusCode::OK);
        assert!(health.text().await.unwrap().contains("\"ok\""));

        // An ordinary member signs in with the demo password.
        assert_redirects_to(&app.login(&summary.member_email, demo::PASSWORD).await, "/");
        assert!(app.is_signed_in().await);

        let forum = app.page("/forum").await;
        for name in ["Announcements", "Introductions", "Post-Covid rehabilitation", "Practice questions"] {
            assert!(forum.contains(name), "/forum does not list {name}");
        }
        let announcements = app.page("/forum/announcements").await;
        assert_eq!(
            thread_titles(&announcements).first().map(String::as_str),
            Some("Welcome to SPOT: start here"),
            "the pinned welcome comes first"
        );
        let mut listed = 0;
        for slug in ["introductions", "post-covid-rehabilitation", "practice-questions", "local-services"] {
            listed += thread_titles(&app.page(&format!("/forum/{slug}")).await).len();
        }
        assert!(listed >= 10, "only {listed} threads listed");

        // The busiest thread shows its posts, a page at a time.
        let (thread, title, posts): (i64, String, i32) = {
            use spot::schema::{categories, threads};
            let mut conn = app.db.conn().expect("connection");
            let open_to_all = categories::table
                .filter(categories::course_run_id.is_null())
                .select(categories::id);
            threads::table
                .filter(threads::category_id.eq_any(open_to_all))
                .order(threads::post_count.desc())
                .select((threads::id, threads::title, threads::post_count))
                .first(&mut *conn)
                .expect("a thread")
        };
        assert!(posts > 1);
        let page = app.page(&format!("/threads/{thread}")).await;
        assert_eq!(text_of(&page, "h1").map(|h| h.trim().to_owned()), Some(title));
        assert_eq!(count_of(&page, "article.post"), posts.min(30) as usize);

        // The three runs are open for booking, and the admin and facilitators can sign in too.
        let courses = app.page("/courses").await;
        for run in &summary.runs {
            assert!(courses.contains(&run.title), "/courses does not show {}", run.title);
        }
        for email in std::iter::once(&summary.admin_email)
            .chain(summary.facilitators.iter().map(|(_, email, _)| email))
        {
            let browser = app.another_browser();
            assert_redirects_to(&browser.login(email, demo::PASSWORD).await, "/");
        }
    }
}

/// The thread titles of a category page.
fn thread_titles(html: &str) -> Vec<String> {
    texts_of(html, "a.thread-title")
}
