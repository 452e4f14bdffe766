//! How long the server takes to build a 30-post thread page (its queries plus rendering)
//! on SQLite with 100,000 posts in the database: the forum issue's target is well under
//! 5 ms. Run with `cargo bench --bench thread_page`.

use std::time::{Duration, Instant};

use diesel::RunQueryDsl;
use spot::accounts::{Borough, Role, StaffLevel};
use spot::db::{Db, MemberId, ThreadId};
use spot::forum::{categories, pages, posts};
use spot::markdown;
use spot::web::{PageCtx, Viewer};

const POSTS: i64 = 100_000;
const LONG_THREAD_POSTS: i64 = 1_000;
const OTHER_THREAD_POSTS: i64 = 30;

fn fill(db: &Db) {
    let mut conn = db.conn().expect("connection");
    let body = "Has anyone found a **pacing** approach that works for people with long Covid fatigue? \
        We have tried the *boom and bust* diary with a few people in Bolton, and the OT team suggested \
        a weekly activity plan.\n\n- energy diary\n- rest before you need it\n- one change at a time\n\n\
        See [the RCOT guidance](https://www.rcot.co.uk) for more.";
    let html = markdown::cook(body);
    let other_threads = (POSTS - LONG_THREAD_POSTS) / OTHER_THREAD_POSTS;
    let statements = format!(
        "BEGIN;
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
        INSERT INTO members (email, display_name, sort_name, password_hash, role, borough, organisation,
            about_source, about_html, listed, staff, session_epoch, created_at, updated_at)
        SELECT 'member' || i || '@nhs.net', 'Member ' || i, 'member ' || i, 'x',
            CASE i % 2 WHEN 0 THEN 'link_worker' ELSE 'occupational_therapist' END,
            CASE i % 3 WHEN 0 THEN 'bolton' WHEN 1 THEN 'wigan' ELSE 'salford' END,
            'Service', '', '', 1, 'member', 0, '2026-01-01 09:00:00', '2026-01-01 09:00:00' FROM n;
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {threads})
        INSERT INTO threads (category_id, author_id, title, pinned, locked, post_count, last_position,
            last_post_at, last_poster_id, created_at)
        SELECT 3, 1 + i % 500, 'Thread ' || i,  0, 0,
            CASE i WHEN 1 THEN {long} ELSE {other} END, CASE i WHEN 1 THEN {long} ELSE {other} END,
            '2026-06-01 10:00:00', 1, '2026-06-01 10:00:00' FROM n;
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {posts})
        INSERT INTO posts (thread_id, author_id, position, reply_to_id, body_source, body_html,
            helpful_count, created_at)
        SELECT CASE WHEN i <= {long} THEN 1 ELSE 2 + (i - {long} - 1) / {other} END,
            1 + i % 500,
            CASE WHEN i <= {long} THEN i ELSE 1 + (i - {long} - 1) % {other} END,
            NULL, '{body}', '{html}', i % 3, '2026-06-01 10:00:00' FROM n;
        COMMIT;",
        threads = other_threads + 1,
        long = LONG_THREAD_POSTS,
        other = OTHER_THREAD_POSTS,
        posts = POSTS,
        body = body.replace('\'', "''"),
        html = html.as_str().replace('\'', "''"),
    );
    diesel::connection::SimpleConnection::batch_execute(&mut *conn, &statements)
        .expect("data inserted");
    // Some replies answer earlier posts, as in a real thread.
    diesel::sql_query(
        "UPDATE posts SET reply_to_id = id - 1 WHERE thread_id = 1 AND position % 5 = 0",
    )
    .execute(&mut *conn)
    .expect("replies linked");
}

fn measure(db: &Db, thread: ThreadId, page: i32, rounds: usize) -> (Duration, Duration) {
    let mut conn = db.conn().expect("connection");
    let viewer = Viewer {
        id: MemberId(1),
        display_name: "Member 1".into(),
        role: Role::OccupationalTherapist,
        borough: Borough::Wigan,
        staff: StaffLevel::Member,
    };
    let mut ctx = PageCtx::anonymous();
    ctx.viewer = Some(viewer.clone());
    let all = categories::all(&mut conn).expect("categories");
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        let view = posts::ThreadView {
            page: posts::thread_page(&mut conn, Some(&viewer), thread, page).expect("page loads"),
            moderates: false,
            categories: all.clone(),
            watching: Some(false),
        };
        let html = pages::thread(&ctx, &view, None).into_string();
        std::hint::black_box(html);
        times.push(started.elapsed());
    }
    times.sort();
    let median = times[times.len() / 2];
    let p99 = times[times.len() * 99 / 100];
    (median, p99)
}

fn main() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let url = format!("sqlite://{}", folder.path().join("bench.db").display());
    let db = Db::connect(&url).expect("database");
    let started = Instant::now();
    fill(&db);
    println!("filled {POSTS} posts in {:.1?}", started.elapsed());
    // Warm up the page cache and statement cache.
    measure(&db, ThreadId(1), 1, 50);
    for (label, thread, page) in [
        ("30-post thread, page 1", ThreadId(2), 1),
        ("1,000-post thread, page 1", ThreadId(1), 1),
        ("1,000-post thread, page 34", ThreadId(1), 34),
    ] {
        let (median, p99) = measure(&db, thread, page, 2000);
        println!("{label}: median {median:.2?}, p99 {p99:.2?} (queries + rendering, SQLite, {POSTS} posts)");
    }
}
