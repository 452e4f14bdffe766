//! Search as members use it, on both engines: English stemming, phrases, exclusions, tags,
//! ranking, the index kept in step with every change (edits, hiding, deleting, renaming),
//! who may find what (hidden posts and resources, private cohort spaces, the directory),
//! safe highlighted snippets, filters, pages, and hostile input that never breaks the page.

use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use reqwest::StatusCode;

use crate::forum::{facilitator, first_post, member, reply, start_thread};
use crate::helpers::*;
use crate::on_both_engines;
use crate::resources::Share;

/// The search page for `query` (the part after `/search?`), which must answer 200.
async fn search_page(browser: &Browser, query: &str) -> String {
    browser.page(&format!("/search?{query}")).await
}

fn q(text: &str) -> String {
    format!(
        "q={}",
        url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>()
    )
}

/// The titles of one section of results (`posts`, `resources`, `members`), in order.
fn titles_in(html: &str, kind: &str) -> Vec<String> {
    texts_of(
        html,
        &format!(r#"section[aria-labelledby="results-{kind}"] li.search-result h3"#),
    )
}

/// Thread titles found by `text`.
async fn threads_found(browser: &Browser, text: &str) -> Vec<String> {
    titles_in(&search_page(browser, &q(text)).await, "posts")
}

fn sorted(mut titles: Vec<String>) -> Vec<String> {
    titles.sort();
    titles
}

/// A private cohort space for a course run, made straight in the database: its slug.
fn cohort_space(app: &TestApp) -> (i64, String) {
    use spot::schema::{categories, course_runs};
    let mut conn = app.db.conn().expect("connection");
    let now = spot::db::now();
    let run: i64 = diesel::insert_into(course_runs::table)
        .values((
            course_runs::title.eq("SPOT course: test cohort"),
            course_runs::capacity.eq(15),
            course_runs::meeting_url.eq("https://meet.example.org/x"),
            course_runs::booking_open.eq(true),
            course_runs::created_at.eq(now),
        ))
        .returning(course_runs::id)
        .get_result(&mut *conn)
        .expect("run stored");
    let slug = format!("cohort-{run}");
    diesel::insert_into(categories::table)
        .values((
            categories::slug.eq(&slug),
            categories::name.eq("Cohort: test"),
            categories::position.eq(50),
            categories::course_run_id.eq(Some(run)),
        ))
        .execute(&mut *conn)
        .expect("space stored");
    (run, slug)
}

/// A booked place on the run, straight in the database.
fn book(app: &TestApp, run: i64, email: &str) {
    use spot::schema::bookings;
    let member = app.member_id(email);
    let mut conn = app.db.conn().expect("connection");
    let now = spot::db::now();
    diesel::insert_into(bookings::table)
        .values((
            bookings::run_id.eq(run),
            bookings::member_id.eq(member),
            bookings::status.eq("booked"),
            bookings::seat.eq(Some(1)),
            bookings::manager_agreed.eq(true),
            bookings::created_at.eq(now),
            bookings::queued_at.eq(now),
            bookings::changed_at.eq(now),
        ))
        .execute(&mut *conn)
        .expect("booking stored");
}

/// Every page a ranking cut to its best `candidates` gives (`limit` a page) against the same
/// page of the full ranking: the same ids in the same order, as many as the cut kept; and a
/// first page that is full whenever the full ranking's is.
fn same_pages_as_the_full_ranking<T: PartialEq + std::fmt::Debug>(
    what: &str,
    rank: &mut dyn FnMut(spot::search::engine::Window) -> spot::search::engine::Ranked<T>,
    candidates: i64,
    limit: i64,
) -> Option<i64> {
    use spot::search::engine::Window;
    let full_first = rank(Window {
        candidates: None,
        ..Window::new(limit, 0)
    });
    assert_eq!(full_first.cut, None, "{what}: no budget, no cut");
    let mut cut = None;
    for offset in (0..=full_first.total + limit).step_by(limit as usize) {
        let full = rank(Window {
            candidates: None,
            ..Window::new(limit, offset)
        });
        let part = rank(Window {
            candidates: Some(candidates),
            ..Window::new(limit, offset)
        });
        let kept = (part.total - offset).clamp(0, limit) as usize;
        assert_eq!(
            part.ids.len(),
            kept,
            "{what}, {candidates} candidates, from {offset}: {part:?}"
        );
        assert_eq!(
            part.ids[..],
            full.ids[..kept],
            "{what}, {candidates} candidates, from {offset}"
        );
        assert!(
            part.total <= full.total,
            "{what}: {part:?} against {full:?}"
        );
        match part.cut {
            None => assert_eq!(part.total, full.total, "{what}: uncut, every match counted"),
            Some(_) => assert!(
                part.total >= limit.min(full.total),
                "{what}: a cut fills its first page"
            ),
        }
        cut = cut.or(part.cut);
    }
    cut
}

/// Every page a ranking cut to its newest `candidates` matches gives (`limit` a page)
/// against the same page of the full ranking of those matches alone (the matches from the
/// oldest kept on, `oldest_of(n)` giving when the n-th newest was written): the same ids in
/// the same order, the same count. Returns the cut, if any was made.
fn same_pages_as_the_ranking_of_the_newest<T: PartialEq + std::fmt::Debug>(
    what: &str,
    rank: &mut dyn FnMut(
        spot::search::engine::Window,
        Option<chrono::NaiveDateTime>,
    ) -> spot::search::engine::Ranked<T>,
    oldest_of: &mut dyn FnMut(i64) -> chrono::NaiveDateTime,
    candidates: i64,
    limit: i64,
) -> Option<i64> {
    use spot::search::engine::Window;
    let every = rank(
        Window {
            candidates: None,
            ..Window::new(limit, 0)
        },
        None,
    );
    let mut cut = None;
    for offset in (0..=every.total + limit).step_by(limit as usize) {
        let part = rank(
            Window {
                candidates: Some(candidates),
                ..Window::new(limit, offset)
            },
            None,
        );
        let from = part.cut.map(&mut *oldest_of);
        let expected = rank(
            Window {
                candidates: None,
                ..Window::new(limit, offset)
            },
            from,
        );
        assert_eq!(
            part.ids, expected.ids,
            "{what}, {candidates} candidates, from {offset}: {part:?}"
        );
        assert_eq!(
            part.total, expected.total,
            "{what}, {candidates} candidates"
        );
        if part.cut.is_some() && every.total >= limit {
            assert!(
                part.total >= limit.min(every.total),
                "{what}: a cut fills its first page"
            );
        }
        cut = cut.or(part.cut);
    }
    cut
}

/// Thirty things people (and robots) type that mean nothing to a search engine, or
/// something dangerous to a careless one.
const HOSTILE: [&str; 30] = [
    "\"",
    "\"\"\"",
    "*",
    "NEAR(a b)",
    "a NEAR b",
    "'; DROP TABLE posts; --",
    "-",
    "--",
    "-\"",
    "a AND",
    "OR",
    "NOT",
    "(",
    ")",
    "^",
    ":",
    "title:x",
    "\\",
    "%",
    "_",
    "&",
    "|",
    "!",
    "<->",
    "a:*",
    "pacing \"unclosed -\" OR (NOT NEAR/3 \"x\" * ^body:y) & !z | w <-> v",
    "🙂 fatigue ünïcödé 疲劳",
    "\0pacing\0",
    "the and of",
    "pacing' OR '1'='1",
];

on_both_engines! {
    async fn words_match_their_variants(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        start_thread(&app, "post-covid-rehabilitation", "Boom and bust", "We paced the week with a diary.").await;
        start_thread(&app, "practice-questions", "Which service?", "Our therapists run a group on Mondays.").await;
        start_thread(&app, "introductions", "Hello all", "Nothing about energy here.").await;

        assert_eq!(threads_found(&app, "pacing").await, ["Boom and bust"]);
        assert_eq!(threads_found(&app, "paces").await, ["Boom and bust"]);
        assert_eq!(threads_found(&app, "therapist").await, ["Which service?"]);
        assert_eq!(threads_found(&app, "THERAPISTS").await, ["Which service?"]);
        assert_eq!(threads_found(&app, "pacing therapist").await, Vec::<String>::new(), "every word must match");
    }

    async fn phrases_must_stand_together_and_minus_leaves_out(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        start_thread(&app, "post-covid-rehabilitation", "Diaries", "I give people an energy diary to fill in.").await;
        start_thread(&app, "post-covid-rehabilitation", "Sleep", "A diary of sleep helps, and energy comes back.").await;
        start_thread(&app, "post-covid-rehabilitation", "Children", "An energy diary for children works too.").await;

        assert_eq!(sorted(threads_found(&app, "energy diary").await), ["Children", "Diaries", "Sleep"]);
        assert_eq!(sorted(threads_found(&app, "\"energy diary\"").await), ["Children", "Diaries"]);
        assert_eq!(threads_found(&app, "\"energy diary\" -children").await, ["Diaries"]);
        assert_eq!(threads_found(&app, "“energy diaries” -Children").await, ["Diaries"], "curly quotes, stems");
        let page = search_page(&app, &q("-diary")).await;
        assert!(page.contains("Add a word to look for"), "{page}");
    }

    async fn titles_rank_above_bodies_and_one_hit_per_thread(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let in_body = start_thread(&app, "practice-questions", "A question about groups",
            "Does anyone know a walking group? Walking helps, walking is free, walking works.").await;
        reply(&app, in_body, "There is a walking group on Thursdays.").await;
        start_thread(&app, "local-services", "Walking groups in Bolton", "Listed below.").await;
        let found = threads_found(&app, "walking").await;
        assert_eq!(found, ["Walking groups in Bolton", "A question about groups"], "the title match first, each thread once");
    }

    async fn the_best_post_is_linked_and_marked_safely(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let thread = start_thread(&app, "practice-questions", "Referrals", "How do you refer?").await;
        let answer = reply(&app, thread, "Use the `<script>alert(1)</script>` form, then mention fatigue clearly <b>bold</b>.").await;
        let page = search_page(&app, &q("fatigue")).await;
        assert_eq!(titles_in(&page, "posts"), ["Referrals"]);
        let href = attr_of(&page, "li.search-result h3 a", "href").expect("a link");
        assert_eq!(href, format!("/threads/{thread}?page=1#post-{answer}"));
        let snippet = crate::forum::inner_html(&page, "li.search-result p.snippet");
        assert!(snippet.contains("<mark>fatigue</mark>"), "{snippet}");
        assert!(snippet.contains("&lt;script&gt;"), "{snippet}");
        assert!(!page.contains("<script>alert"), "{page}");
        assert!(!snippet.contains("<b>"), "{snippet}");
        // Title matches are marked too.
        let page = search_page(&app, &q("referral")).await;
        let title = crate::forum::inner_html(&page, "li.search-result h3 a");
        assert_eq!(title, "<mark>Referrals</mark>");
    }

    async fn edits_and_renames_reach_the_index_at_once(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Facilitator").await;
        let thread = start_thread(&app, "practice-questions", "Old title", "Ask about hydrotherapy here.").await;
        let post = first_post(&app, thread);
        assert_eq!(threads_found(&app, "hydrotherapy").await, ["Old title"]);
        let response = app.post(&format!("/posts/{post}/edit"), &[("body", "Ask about aromatherapy here."), ("action", "post")]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(threads_found(&app, "hydrotherapy").await.is_empty(), "the old word is gone");
        assert_eq!(threads_found(&app, "aromatherapy").await, ["Old title"]);

        let response = fay.post(&format!("/threads/{thread}/rename"), &[("title", "Complementary therapies")]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(threads_found(&app, "complementary").await, ["Complementary therapies"]);
        assert!(threads_found(&app, "old title").await.is_empty());
    }

    async fn hidden_and_deleted_posts_are_never_found(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Facilitator").await;
        let thread = start_thread(&sam, "practice-questions", "Quiet thread", "Nothing special.").await;
        let hidden = reply(&sam, thread, "A reply about zumba classes.").await;
        let deleted = reply(&sam, thread, "A reply about pilates classes.").await;
        let removed = reply(&sam, thread, "A reply about tai chi classes.").await;
        assert_eq!(threads_found(&sam, "zumba").await, ["Quiet thread"]);

        let response = fay.post(&format!("/posts/{hidden}/hide"), &[("reason", "Off topic")]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(threads_found(&sam, "zumba").await.is_empty(), "hidden from members");
        assert!(threads_found(&fay, "zumba").await.is_empty(), "and from facilitators' searches");
        let response = fay.post(&format!("/posts/{hidden}/unhide"), &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(threads_found(&sam, "zumba").await, ["Quiet thread"], "found again once shown");

        assert_eq!(threads_found(&sam, "pilates").await, ["Quiet thread"]);
        let response = sam.post(&format!("/posts/{deleted}/delete"), &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(threads_found(&sam, "pilates").await.is_empty(), "removed by its author");

        let response = fay.post(&format!("/posts/{removed}/remove"), &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(threads_found(&sam, "tai chi").await.is_empty(), "deleted as spam");
        let first = first_post(&app, thread);
        let response = fay.post(&format!("/posts/{first}/remove"), &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(threads_found(&sam, "zumba").await.is_empty(), "the thread went with its first post");
    }

    async fn older_posts_are_found_when_the_window_of_recent_posts_has_moved_past_them(app: TestApp) {
        use spot::schema::posts;
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let old = start_thread(&sam, "practice-questions", "Lantern walks", "Evening lantern walks in Wigan.").await;
        let edited = reply(&sam, old, "A first draft.").await;
        let response = sam.post(&format!("/posts/{edited}/edit"), &[("body", "Lantern making for the walk.")]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let hidden = reply(&sam, old, "Lantern spam.").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Facilitator").await;
        fay.post(&format!("/posts/{hidden}/hide"), &[("reason", "Spam")]).await;
        // SQLite keeps the newest posts' rows again in a window of their own: in step with
        // the main index through every write.
        // (id, body) of each row of the main index and of the window, on SQLite.
        type Rows = Vec<(i64, String)>;
        let window = |app: &TestApp| -> Option<(Rows, Rows)> {
            #[derive(diesel::QueryableByName)]
            struct IndexRow {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                id: i64,
                #[diesel(sql_type = diesel::sql_types::Text)]
                body: String,
            }
            let mut conn = app.db.conn().unwrap();
            let rows = |conn: &mut spot::db::DbConn, table: &str| -> Vec<(i64, String)> {
                let query = diesel::sql_query(format!("SELECT rowid AS id, body FROM {table} ORDER BY rowid"));
                let rows: Vec<IndexRow> = match conn {
                    spot::db::DbConn::Sqlite(c) => query.load(c).unwrap(),
                    spot::db::DbConn::Postgresql(_) => return Vec::new(),
                };
                rows.into_iter().map(|r| (r.id, r.body)).collect()
            };
            matches!(app.engine, Engine::Sqlite)
                .then(|| (rows(&mut conn, "search_posts"), rows(&mut conn, "search_posts_recent")))
        };
        if let Some((main, recent)) = window(&app) {
            assert_eq!(main.len(), 2, "the hidden post is not indexed: {main:?}");
            assert_eq!(recent, main, "the window holds what the index holds");
        }
        // A hundred thousand posts later (one post with a far higher id stands in for them),
        // the window has moved past the old thread's posts.
        let newest = {
            let mut conn = app.db.conn().unwrap();
            let (thread, author): (i64, i64) = posts::table
                .find(edited)
                .select((posts::thread_id, posts::author_id))
                .first(&mut *conn)
                .unwrap();
            let id = edited + spot::search::index::RECENT_POSTS + 10;
            diesel::insert_into(posts::table)
                .values((
                    posts::id.eq(id),
                    posts::thread_id.eq(thread),
                    posts::author_id.eq(author),
                    posts::position.eq(99),
                    posts::body_source.eq("Paper lanterns, much later."),
                    posts::body_html.eq("<p>Paper lanterns, much later.</p>"),
                    posts::created_at.eq(spot::db::now()),
                ))
                .execute(&mut *conn)
                .unwrap();
            spot::search::index::post(&mut conn, spot::db::PostId(id)).unwrap();
            id
        };
        if let Some((main, recent)) = window(&app) {
            assert_eq!(main.len(), 3);
            assert_eq!(recent.iter().map(|r| r.0).collect::<Vec<_>>(), [newest], "only the newest post is in the window");
        }
        // The window has no match for "evening": too few, and older posts may match, so the
        // search reads the whole index and finds the first post.
        let page = search_page(&sam, &q("evening")).await;
        assert_eq!(titles_in(&page, "posts"), ["Lantern walks"], "{page}");
        let href = attr_of(&page, "li.search-result h3 a", "href").expect("a link");
        assert_eq!(href, format!("/threads/{old}"), "the thread's first post");
        assert_eq!(threads_found(&sam, "lantern making").await, ["Lantern walks"], "the edit");
        assert_eq!(threads_found(&sam, "paper lanterns").await, ["Lantern walks"], "the newest");
        assert!(threads_found(&sam, "spam").await.is_empty(), "the hidden post is still not found");
    }

    async fn private_cohort_spaces_are_found_only_by_those_who_read_them(app: TestApp) {
        let fay = facilitator(&app, "fay@nhs.net", "Fay Facilitator").await;
        let ann = member(&app, "ann@nhs.net", "Ann Bury").await;
        let bob = member(&app, "bob@nhs.net", "Bob Bury").await;
        let (run, slug) = cohort_space(&app);
        // Fay facilitates the run, so its space is hers to read and write in.
        crate::courses::assign(&app, run, "fay@nhs.net");
        start_thread(&fay, &slug, "Session two homework", "Bring your kaleidoscope notes.").await;
        book(&app, run, "ann@nhs.net");

        assert_eq!(threads_found(&fay, "kaleidoscope").await, ["Session two homework"]);
        assert_eq!(threads_found(&ann, "kaleidoscope").await, ["Session two homework"]);
        assert!(threads_found(&bob, "kaleidoscope").await.is_empty(), "not booked");
        // A facilitator of another run does not read this one's space either.
        let ola = facilitator(&app, "ola@nhs.net", "Ola Stone").await;
        assert!(threads_found(&ola, "kaleidoscope").await.is_empty(), "not her run");
        assert_eq!(ola.get(&format!("/forum/{slug}")).await.status(), StatusCode::FORBIDDEN);
        assert!(threads_found(&app.another_browser(), "kaleidoscope").await.is_empty(), "visitors");
        // Naming the space does not open it.
        let response = bob.get(&format!("/search?q=kaleidoscope&category={slug}")).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(!page.contains("Session two homework"), "{page}");
        assert!(field_error(&page, "category").is_some(), "{page}");

        // A thread moved into the space leaves the others' searches at once.
        let open = start_thread(&bob, "practice-questions", "Kaleidoscope thinking", "Open to all.").await;
        assert_eq!(threads_found(&bob, "kaleidoscope").await, ["Kaleidoscope thinking"]);
        let space = crate::forum::category_id(&app, &slug).to_string();
        let response = fay.post(&format!("/threads/{open}/move"), &[("category", space.as_str())]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(threads_found(&bob, "kaleidoscope").await.is_empty());
    }

    async fn visitors_search_only_what_visitors_read(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        start_thread(&app, "practice-questions", "Members only", "Talk of gardening.").await;
        Share::link("Gardening groups", "https://example.org/garden").shared_by(&app).await;
        let visitor = app.another_browser();
        let page = search_page(&visitor, &q("gardening")).await;
        assert!(titles_in(&page, "posts").is_empty(), "{page}");
        assert!(titles_in(&page, "resources").is_empty());
        assert!(titles_in(&page, "members").is_empty());
        assert!(page.contains("to search the resource library"), "{page}");
        // A category open to visitors is searched for them.
        {
            use spot::schema::categories;
            let mut conn = app.db.conn().unwrap();
            diesel::update(categories::table.filter(categories::slug.eq("practice-questions")))
                .set(categories::public_read.eq(true))
                .execute(&mut *conn)
                .unwrap();
        }
        assert_eq!(threads_found(&visitor, "gardening").await, ["Members only"]);
    }

    async fn resources_are_found_by_words_and_tags(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "occupational_therapist", "bolton").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Facilitator").await;
        Share::link("OT referral form", "https://example.org/referral")
            .tags("referrals, forms")
            .description("What we need to know before we visit.")
            .borough("bolton")
            .shared_by(&app)
            .await;
        let leaflet = Share::link("Falls leaflet", "https://example.org/falls")
            .tags("falls prevention")
            .shared_by(&app)
            .await;
        let page = search_page(&app, &q("the OT referral form")).await;
        assert_eq!(titles_in(&page, "resources"), ["OT referral form"]);
        let page = search_page(&app, &q("prevention")).await;
        assert_eq!(titles_in(&page, "resources"), ["Falls leaflet"], "a tag's words find it");
        let page = search_page(&app, &format!("{}&tag=falls+prevention", q("leaflet"))).await;
        assert_eq!(titles_in(&page, "resources"), ["Falls leaflet"]);
        let page = search_page(&app, &format!("{}&tag=forms", q("leaflet"))).await;
        assert!(titles_in(&page, "resources").is_empty());
        assert!(titles_in(&page, "posts").is_empty() && !page.contains("results-posts"), "a tag searches resources only");

        let response = fay.post(&format!("/resources/{leaflet}/hide"), &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(titles_in(&search_page(&app, &q("falls")).await, "resources").is_empty(), "hidden");
        let response = fay.post(&format!("/resources/{leaflet}/unhide"), &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(titles_in(&search_page(&app, &q("falls")).await, "resources"), ["Falls leaflet"]);

        let response = fay.post("/resources/tags", &[("from", "falls prevention"), ("to", "balance")]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(titles_in(&search_page(&app, &q("balance")).await, "resources"), ["Falls leaflet"], "a renamed tag");

        let response = app.post(&format!("/resources/{leaflet}/delete"), &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(titles_in(&search_page(&app, &q("falls")).await, "resources").is_empty(), "deleted");
    }

    async fn members_are_found_while_they_are_in_the_directory(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        app.insert_members(&[
            ("olu@nhs.net", "Olu Bolton", "occupational_therapist", "bolton"),
            ("pat@nhs.net", "Pat Wigan", "link_worker", "wigan"),
        ]);
        let olu = app.another_browser();
        let page = search_page(&app, &q("Olu")).await;
        assert_eq!(titles_in(&page, "members"), ["Olu Bolton"]);
        let page = search_page(&app, &q("occupational therapists")).await;
        assert_eq!(titles_in(&page, "members"), ["Olu Bolton"], "by role, stemmed");
        let page = search_page(&app, &format!("{}&borough=wigan", q("link worker"))).await;
        assert_eq!(sorted(titles_in(&page, "members")), ["Pat Wigan", "Sam Jones"]);

        let response = app.save_profile(&[
            ("display_name", "Sam Jones"),
            ("organisation", "Wigan Social Prescribing"),
            ("role", "link_worker"),
            ("borough", "wigan"),
            ("about", "I run a *macramé* group."),
            ("listed", "yes"),
        ]).await;
        assert_redirects_to(&response, "/account");
        let page = search_page(&app, &q("macrame")).await;
        assert_eq!(titles_in(&page, "members"), ["Sam Jones"], "about text, accents folded or kept");
        let response = app.save_profile(&[
            ("display_name", "Sam Jones"),
            ("organisation", "Wigan Social Prescribing"),
            ("role", "link_worker"),
            ("borough", "wigan"),
            ("about", "I run a *macramé* group."),
        ]).await;
        assert_redirects_to(&response, "/account");
        assert!(titles_in(&search_page(&app, &q("Sam Jones")).await, "members").is_empty(), "left the directory");
        assert!(search_page(&olu, &q("Olu")).await.contains("Sign in"), "visitors do not search members");
    }

    async fn filters_each_narrow_the_results(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let olu = app.another_browser();
        olu.join("olu@nhs.net", "Olu Bolton", "occupational_therapist", "bolton").await;
        start_thread(&sam, "practice-questions", "Wigan hydration", "Hydration advice from a link worker.").await;
        start_thread(&olu, "local-services", "Bolton hydration", "Hydration advice from an OT.").await;
        Share::link("Hydration poster", "https://example.org/h").borough("bolton").shared_by(&olu).await;
        let all = search_page(&sam, &q("hydration")).await;
        assert_eq!(sorted(titles_in(&all, "posts")), ["Bolton hydration", "Wigan hydration"]);
        assert_eq!(titles_in(&all, "resources"), ["Hydration poster"]);

        let base = q("hydration");
        let only = |extra: &str| format!("{base}&{extra}");
        let page = search_page(&sam, &only("kind=posts")).await;
        assert_eq!(titles_in(&page, "posts").len(), 2);
        assert!(!page.contains("results-resources"));
        let page = search_page(&sam, &only("kind=resources")).await;
        assert_eq!(titles_in(&page, "resources"), ["Hydration poster"]);
        assert!(!page.contains("results-posts"));
        let page = search_page(&sam, &only("category=local-services")).await;
        assert_eq!(titles_in(&page, "posts"), ["Bolton hydration"]);
        let page = search_page(&sam, &only("role=link_worker")).await;
        assert_eq!(titles_in(&page, "posts"), ["Wigan hydration"]);
        assert!(titles_in(&page, "resources").is_empty(), "shared by an OT");
        let page = search_page(&sam, &only("borough=bolton")).await;
        assert_eq!(titles_in(&page, "posts"), ["Bolton hydration"]);
        assert_eq!(titles_in(&page, "resources"), ["Hydration poster"]);
        let today = chrono::Utc::now().date_naive();
        let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
        let page = search_page(&sam, &only(&format!("from={}", day(today + chrono::Duration::days(2))))).await;
        assert!(titles_in(&page, "posts").is_empty() && titles_in(&page, "resources").is_empty());
        let page = search_page(&sam, &only(&format!("to={}", day(today - chrono::Duration::days(2))))).await;
        assert!(titles_in(&page, "posts").is_empty());
        let range = format!("from={}&to={}", day(today - chrono::Duration::days(1)), day(today + chrono::Duration::days(1)));
        let page = search_page(&sam, &only(&range)).await;
        assert_eq!(titles_in(&page, "posts").len(), 2);
        assert!(!page.contains("results-members"), "members have no dates");
    }

    async fn bad_filters_are_explained_in_the_page(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        for (query, field) in [
            ("q=x&borough=atlantis", "borough"),
            ("q=x&role=wizard", "role"),
            ("q=x&from=2026-02-30", "from"),
            ("q=x&to=tomorrow", "to"),
            ("q=x&from=2026-03-02&to=2026-03-01", "to"),
            ("q=x&kind=everything", "kind"),
            ("q=x&category=no-such-place", "category"),
            ("q=x&category=introductions&tag=falls", "tag"),
        ] {
            let response = app.get(&format!("/search?{query}")).await;
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{query}");
            let page = response.text().await.unwrap();
            assert!(field_error(&page, field).is_some(), "{query}: {page}");
            assert!(page.contains("There is a problem"), "{query}");
        }
        let page = app.get("/search?q=x&borough=atlantis&page=2&page=3").await.text().await.unwrap();
        assert!(page.contains("There is no borough called “atlantis”"), "{page}");
        assert_eq!(attr_of(&page, "input#q", "value").as_deref(), Some("x"), "what was typed stays in the box");
    }

    async fn results_come_a_page_at_a_time(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        {
            // 23 threads straight through the forum's rules, faster than over HTTP.
            let mut conn = app.db.conn().unwrap();
            let viewer = spot::web::Viewer {
                id: spot::db::MemberId(app.member_id("sam@nhs.net")),
                display_name: "Sam Jones".into(),
                role: spot::accounts::Role::LinkWorker,
                borough: spot::accounts::Borough::Wigan,
                staff: spot::accounts::StaffLevel::Member,
            };
            let category = spot::forum::categories::by_slug(&mut conn, "practice-questions").unwrap();
            for n in 0..23 {
                let title = spot::forum::values::ThreadTitle::parse(&format!("Orchard question {n:02}")).unwrap();
                let body = spot::forum::values::PostBody::parse("About the orchard.").unwrap();
                conn.write_transaction(|conn| {
                    spot::forum::threads::start(conn, &viewer, &category, &title, &body, spot::guard::Verdict::Publish, spot::db::now())
                })
                .unwrap();
            }
        }
        let all = search_page(&app, &q("orchard")).await;
        assert_eq!(titles_in(&all, "posts").len(), 5, "a preview of each kind");
        assert!(all.contains("All 23 discussions"), "{all}");
        let href = attr_of(&all, r#"section[aria-labelledby="results-posts"] > p > a"#, "href").unwrap();
        assert_eq!(href, "/search?q=orchard&kind=posts");
        let first = search_page(&app, "q=orchard&kind=posts").await;
        let second = search_page(&app, "q=orchard&kind=posts&page=2").await;
        assert_eq!(titles_in(&first, "posts").len(), 20);
        assert_eq!(titles_in(&second, "posts").len(), 3);
        assert_eq!(titles_in(&first, "posts")[0], "Orchard question 22", "equal matches: the latest first");
        let mut seen = titles_in(&first, "posts");
        seen.extend(titles_in(&second, "posts"));
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 23, "no thread twice");
        assert!(first.contains("Page 1 of 2"));
        let beyond = search_page(&app, "q=orchard&kind=posts&page=9").await;
        assert!(beyond.contains("Back to the first page") || titles_in(&beyond, "posts").is_empty());
    }

    async fn a_search_cut_to_some_matches_gives_the_pages_of_their_full_ranking(app: TestApp) {
        use spot::search::engine::{self, MemberScope, PostScope, ResourceScope};
        let sam = member(&app, "sam@nhs.net", "Sam Lantern").await;
        app.insert_members(&[
            ("lee@nhs.net", "Lee Lantern", "link_worker", "wigan"),
            ("kim@nhs.net", "Kim Lantern Lantern", "occupational_therapist", "bolton"),
            ("ash@nhs.net", "Ash Lantern Lantern Lantern", "link_worker", "bury"),
            ("bo@nhs.net", "Bo Lantern", "link_worker", "bury"),
        ]);
        for n in 0..7 {
            let share = Share::link(&format!("Lantern guide {n}"), &format!("https://example.org/{n}"))
                .description(&"lantern ".repeat(n + 1));
            share.shared_by(&sam).await;
        }
        let viewer = spot::web::Viewer {
            id: spot::db::MemberId(app.member_id("sam@nhs.net")),
            display_name: "Sam Lantern".into(),
            role: spot::accounts::Role::LinkWorker,
            borough: spot::accounts::Borough::Wigan,
            staff: spot::accounts::StaffLevel::Member,
        };
        let mut conn = app.db.conn().unwrap();
        let post = |conn: &mut spot::db::DbConn, slug: &str, title: &str, bodies: &[String]| {
            let category = spot::forum::categories::by_slug(conn, slug).unwrap();
            let title = spot::forum::values::ThreadTitle::parse(title).unwrap();
            let first = spot::forum::values::PostBody::parse(&bodies[0]).unwrap();
            let thread = conn
                .write_transaction(|conn| spot::forum::threads::start(conn, &viewer, &category, &title, &first, spot::guard::Verdict::Publish, spot::db::now()))
                .unwrap();
            for body in &bodies[1..] {
                let body = spot::forum::values::PostBody::parse(body).unwrap();
                conn.write_transaction(|conn| spot::forum::posts::reply(conn, &viewer, thread, None, &body, spot::guard::Verdict::Publish, spot::db::now()))
                    .unwrap();
            }
            thread
        };
        // Threads matching once to fourteen times, and one long thread whose every post
        // matches best: the best few posts are all in it.
        let mut threads = Vec::new();
        for n in 0..15 {
            let slug = if n % 3 == 0 { "local-services" } else { "practice-questions" };
            let body = format!("{}about our evening walks.", "lantern ".repeat(n.min(13) + 1));
            threads.push(post(&mut conn, slug, &format!("Evening walk {n:02}"), &[body]));
        }
        let long: Vec<String> = (0..9).map(|n| format!("{}(reply {n}).", "Lantern ".repeat(20))).collect();
        post(&mut conn, "practice-questions", "Lanterns", &long);
        // The last two walks score the same; the older one's thread has the later post, so
        // it comes first, though a cut that keeps one of the two would keep the newer post.
        let thanks = spot::forum::values::PostBody::parse("Thanks, see you there.").unwrap();
        conn.write_transaction(|conn| spot::forum::posts::reply(conn, &viewer, threads[13], None, &thanks, spot::guard::Verdict::Publish, spot::db::now()))
            .unwrap();

        let query = spot::search::SearchQuery::parse("lantern");
        let readable: Vec<_> = spot::forum::categories::readable(&mut conn, Some(&viewer))
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect();
        let local = spot::forum::categories::by_slug(&mut conn, "local-services").unwrap().id;
        let everywhere = PostScope { categories: readable, ..PostScope::default() };
        let one_category = PostScope { categories: vec![local], ..PostScope::default() };
        let mut cuts = 0;
        for candidates in [1, 2, 4, 7, 10, 11, 12] {
            for limit in [2, 3, 5] {
                for (what, scope) in [("threads", &everywhere), ("one category", &one_category)] {
                    let mut rank = |window, from| {
                        let scope = PostScope { from, ..scope.clone() };
                        engine::threads(&mut app.db.conn().unwrap(), &query, &scope, window).unwrap()
                    };
                    let mut oldest_of = |n: i64| {
                        use diesel::TextExpressionMethods;
                        use spot::schema::posts;
                        posts::table
                            .filter(posts::body_source.like("%antern%"))
                            .order(posts::id.desc())
                            .offset(n - 1)
                            .select(posts::created_at)
                            .first(&mut *app.db.conn().unwrap())
                            .unwrap()
                    };
                    cuts += usize::from(
                        same_pages_as_the_ranking_of_the_newest(what, &mut rank, &mut oldest_of, candidates, limit).is_some(),
                    );
                }
                let mut rank = |window, from| {
                    let scope = ResourceScope { from, ..ResourceScope::default() };
                    engine::resources(&mut app.db.conn().unwrap(), &query, &scope, window).unwrap()
                };
                let mut oldest_of = |n: i64| {
                    use spot::schema::resources;
                    resources::table
                        .order(resources::id.desc())
                        .offset(n - 1)
                        .select(resources::created_at)
                        .first(&mut *app.db.conn().unwrap())
                        .unwrap()
                };
                cuts += usize::from(
                    same_pages_as_the_ranking_of_the_newest("resources", &mut rank, &mut oldest_of, candidates, limit).is_some(),
                );
                let scope = MemberScope { role: None, borough: None, now: spot::db::now() };
                let mut rank = |window| engine::members(&mut conn, &query, &scope, window).unwrap();
                cuts += usize::from(same_pages_as_the_full_ranking("members", &mut rank, candidates, limit).is_some());
            }
        }
        assert!(cuts >= 6, "the small budgets cut some rankings ({cuts} cut)");
        // The long thread's posts are the newest: ten candidates find that thread and one
        // other, which cannot fill a page, so the search takes ten times as many and the page
        // is full.
        let first = engine::threads(&mut conn, &query, &everywhere, engine::Window { candidates: Some(10), ..engine::Window::new(5, 0) }).unwrap();
        assert_eq!(first.ids.len(), 5, "{first:?}");
    }

    async fn the_box_is_on_every_page_and_an_empty_search_shows_the_page(app: TestApp) {
        let page = app.page("/").await;
        assert_eq!(count_of(&page, r#"form[role="search"][action="/search"] input[name="q"]"#), 1, "{page}");
        assert_eq!(attr_of(&page, r#"label[for="site-search"]"#, "class").as_deref(), Some("visually-hidden"));
        for query in ["", "q=", "q=+++", "page=2"] {
            let page = search_page(&app, query).await;
            assert_eq!(text_of(&page, "h1").as_deref(), Some("Search"), "{query}");
            assert_eq!(count_of(&page, "li.search-result"), 0);
            assert_eq!(count_of(&page, r#"label[for="q"]"#), 1, "the box has its label");
        }
    }

    async fn hostile_queries_never_break_the_page(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        start_thread(&app, "post-covid-rehabilitation", "Pacing", "Pacing and fatigue, a title: x.").await;
        let long = "pacing ".repeat(800);
        let mut queries: Vec<String> = HOSTILE.iter().map(|text| q(text)).collect();
        queries.push(q(&long[..5000]));
        queries.push("q=%00".into());
        queries.push("q=%FF%FE".into());
        queries.push("q=a&q=b&kind=posts&kind=members".into());
        for query in &queries {
            for browser in [&app.browser, &app.another_browser()] {
                let response = browser.get(&format!("/search?{query}")).await;
                assert_eq!(response.status(), StatusCode::OK, "{query}");
                let page = response.text().await.unwrap();
                assert_eq!(text_of(&page, "h1").as_deref(), Some("Search"), "{query}");
            }
        }
        assert_eq!(threads_found(&app, "pacing' OR '1'='1").await, Vec::<String>::new(), "quotes are phrases, not SQL");
        assert_eq!(threads_found(&app, "\0pacing\0").await, ["Pacing"]);
        assert_eq!(crate::forum::thread_count(&app), 1, "nothing dropped");
    }

    async fn a_rebuilt_index_finds_the_same(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Facilitator").await;
        let thread = start_thread(&sam, "practice-questions", "Rebuilding", "Words about lanterns.").await;
        let hidden = reply(&sam, thread, "Words about candles.").await;
        fay.post(&format!("/posts/{hidden}/hide"), &[("reason", "Off topic")]).await;
        Share::link("Lantern walks", "https://example.org/l").shared_by(&sam).await;
        let before = search_page(&sam, &q("lanterns")).await;
        let rebuilt = {
            let mut conn = app.db.conn().unwrap();
            conn.write_transaction(|tx| spot::search::index::rebuild(tx)).unwrap()
        };
        assert_eq!((rebuilt.posts, rebuilt.resources, rebuilt.members), (1, 1, 2));
        let after = search_page(&sam, &q("lanterns")).await;
        assert_eq!(titles_in(&before, "posts"), titles_in(&after, "posts"));
        assert_eq!(titles_in(&after, "resources"), ["Lantern walks"]);
        assert!(threads_found(&sam, "candles").await.is_empty(), "hidden stays out");
    }
}
