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

/// Runs the built `spot` on the app's database; returns (stdout, stderr), asserting success.
fn console(app: &TestApp, args: &[&str]) -> (String, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_spot"))
        .args(args)
        .env("DATABASE_URL", &app.config.database_url)
        .env("SPOT_DATA_DIR", app.data_dir.path())
        .output()
        .expect("spot runs");
    let (out, err) = (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    );
    assert!(output.status.success(), "{args:?}: {err}");
    (out, err)
}

on_both_engines! {
    async fn long_commands_say_how_far_they_have_got_when_not_on_a_terminal(app: TestApp) {
        // Not a terminal (the output is captured): plain lines, one as each stage ends.
        let (out, err) = console(&app, &["demo", "--scale", "0.01", "--seed", "3"]);
        assert!(out.contains("Made a demo community"), "{out}");
        let stages: Vec<&str> = err.lines().filter(|l| l.contains(" in ") && l.ends_with("/s)")).collect();
        assert!(stages.iter().any(|l| l.starts_with("members: ")), "{err}");
        assert!(stages.iter().any(|l| l.starts_with("posts: ")), "{err}");
        assert!(stages.iter().any(|l| l.starts_with("indexed: ")), "{err}");
        assert!(!err.contains('\u{1b}'), "no terminal escapes in a log: {err:?}");
        let posts: i64 = {
            let mut conn = app.db.conn().expect("connection");
            spot::schema::posts::table.count().get_result(&mut *conn).expect("counted")
        };
        let indexed = stages.iter().find(|l| l.starts_with("indexed: ")).unwrap();
        assert!(indexed.starts_with(&format!("indexed: {posts} in ")), "{indexed} for {posts} posts");

        let (out, err) = console(&app, &["reindex"]);
        assert!(out.contains("Rebuilt the search indexes"), "{out}");
        assert!(err.lines().any(|l| l.starts_with(&format!("indexed: {posts} in "))), "{err}");
    }
}

/// Several nodes started at once on one new PostgreSQL database: each migrates on start, and
/// none may fail because another is creating the same tables.
#[test]
#[cfg_attr(
    not(spot_postgres_tests),
    ignore = "needs PostgreSQL: set SPOT_TEST_POSTGRES_URL"
)]
fn nodes_starting_together_on_a_new_postgres_database_all_migrate() {
    use diesel::{Connection, PgConnection, RunQueryDsl};
    let admin_url = crate::helpers::without_tls(&std::env::var("SPOT_TEST_POSTGRES_URL").unwrap());
    let name = format!("spot_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::establish(&admin_url).expect("PostgreSQL reachable");
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .unwrap();
    let mut url = url::Url::parse(&admin_url).unwrap();
    url.set_path(&name);
    let data = tempfile::tempdir().unwrap();
    let nodes: Vec<_> = (0..3)
        .map(|_| {
            std::process::Command::new(env!("CARGO_BIN_EXE_spot"))
                .arg("migrate")
                .env("DATABASE_URL", url.as_str())
                .env("SPOT_DATA_DIR", data.path())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spot runs")
        })
        .collect();
    let outcomes: Vec<_> = nodes
        .into_iter()
        .map(|n| n.wait_with_output().unwrap())
        .collect();
    let mut conn = PgConnection::establish(url.as_str()).unwrap();
    let counted: Vec<(String, i64)> = diesel::sql_query(
        "SELECT version, count(*) AS n FROM __diesel_schema_migrations GROUP BY version",
    )
    .load::<MigrationRow>(&mut conn)
    .unwrap()
    .into_iter()
    .map(|row| (row.version, row.n))
    .collect();
    drop(conn);
    diesel::sql_query(format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut admin)
        .unwrap();
    for outcome in &outcomes {
        assert!(
            outcome.status.success(),
            "{}",
            String::from_utf8_lossy(&outcome.stderr)
        );
    }
    let migrations = std::fs::read_dir("migrations/postgres").unwrap().count();
    assert_eq!(
        counted.len(),
        migrations,
        "every migration applied: {counted:?}"
    );
    assert!(
        counted.iter().all(|(_, n)| *n == 1),
        "each once: {counted:?}"
    );
}

#[derive(diesel::QueryableByName)]
struct MigrationRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    version: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}
