//! The forum as members use it: categories, threads, replies, Markdown, edits, helpful
//! marks, mentions, pagination, unread markers, the patient-data guard and the admin's
//! category pages. Moderation is in `forum_moderation.rs`.

use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use reqwest::{Response, StatusCode};

use crate::helpers::*;
use crate::on_both_engines;

// ---------------------------------------------------------------------------------------
// Helpers shared with `forum_moderation.rs`.
// ---------------------------------------------------------------------------------------

/// Another browser, signed in as a new link worker in Wigan.
pub async fn member(app: &TestApp, email: &str, name: &str) -> Browser {
    let browser = app.another_browser();
    browser.join(email, name, "link_worker", "wigan").await;
    browser
}

/// Another browser, signed in as a new OT in Salford made a facilitator from the console.
pub async fn facilitator(app: &TestApp, email: &str, name: &str) -> Browser {
    let browser = app.another_browser();
    browser
        .join(email, name, "occupational_therapist", "salford")
        .await;
    app.promote(email, "facilitator");
    browser
}

/// The `Location` a response redirects to.
pub fn location(response: &Response) -> String {
    header(response, "location").to_owned()
}

/// The number after `prefix` in a redirect's `Location`.
fn id_after(response: &Response, prefix: &str) -> i64 {
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "expected a redirect to {prefix}…"
    );
    let location = location(response);
    location
        .strip_prefix(prefix)
        .and_then(|rest| rest.parse().ok())
        .unwrap_or_else(|| panic!("expected a redirect to {prefix}<id>, got {location}"))
}

/// Starts a thread; returns its id (from the redirect to `/threads/{id}`).
pub async fn start_thread(browser: &Browser, slug: &str, title: &str, body: &str) -> i64 {
    let response = browser
        .post(
            &format!("/forum/{slug}/new"),
            &[("title", title), ("body", body), ("action", "post")],
        )
        .await;
    id_after(&response, "/threads/")
}

/// Replies to a thread; returns the new post's id (from the redirect to `/posts/{id}`).
pub async fn reply(browser: &Browser, thread: i64, body: &str) -> i64 {
    let response = browser
        .post(
            &format!("/threads/{thread}/reply"),
            &[("body", body), ("action", "post")],
        )
        .await;
    id_after(&response, "/posts/")
}

/// Replies to a particular post of a thread; returns the new post's id.
pub async fn reply_to(browser: &Browser, thread: i64, to: i64, body: &str) -> i64 {
    let to = to.to_string();
    let response = browser
        .post(
            &format!("/threads/{thread}/reply"),
            &[("body", body), ("reply_to", &to), ("action", "post")],
        )
        .await;
    id_after(&response, "/posts/")
}

/// The id of the first post of a thread.
pub fn first_post(app: &TestApp, thread: i64) -> i64 {
    use spot::schema::posts;
    let mut conn = app.db.conn().expect("connection");
    posts::table
        .filter(posts::thread_id.eq(thread))
        .filter(posts::position.eq(1))
        .select(posts::id)
        .first(&mut *conn)
        .expect("the thread has a first post")
}

/// The id of a category, by its slug.
pub fn category_id(app: &TestApp, slug: &str) -> i64 {
    use spot::schema::categories;
    let mut conn = app.db.conn().expect("connection");
    categories::table
        .filter(categories::slug.eq(slug))
        .select(categories::id)
        .first(&mut *conn)
        .unwrap_or_else(|e| panic!("no category {slug}: {e}"))
}

/// How many threads the forum holds.
pub fn thread_count(app: &TestApp) -> i64 {
    use spot::schema::threads;
    let mut conn = app.db.conn().expect("connection");
    threads::table
        .count()
        .get_result(&mut *conn)
        .expect("threads counted")
}

/// How many posts a thread holds.
pub fn post_count(app: &TestApp, thread: i64) -> i64 {
    use spot::schema::posts;
    let mut conn = app.db.conn().expect("connection");
    posts::table
        .filter(posts::thread_id.eq(thread))
        .count()
        .get_result(&mut *conn)
        .expect("posts counted")
}

/// The inner HTML of the first element matching `css`.
pub fn inner_html(html: &str, css: &str) -> String {
    let document = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse(css).unwrap();
    document
        .select(&selector)
        .next()
        .map(|element| element.inner_html())
        .unwrap_or_else(|| panic!("nothing matches {css} in {html}"))
}

/// The whole text of a post as a thread page shows it (`#post-{id}`), if it is there.
pub fn post_text(html: &str, post: i64) -> Option<String> {
    text_of(html, &format!("#post-{post}"))
}

/// The thread titles of a category page, in the order shown.
pub fn thread_titles(html: &str) -> Vec<String> {
    texts_of(html, "table.threads a.thread-title")
}

/// The text of the table row of a category page that links to this thread.
pub fn thread_row(html: &str, thread: i64) -> Option<String> {
    let document = scraper::Html::parse_document(html);
    let rows = scraper::Selector::parse("table.threads tbody tr").unwrap();
    let link =
        scraper::Selector::parse(&format!(r#"a.thread-title[href="/threads/{thread}"]"#)).unwrap();
    document
        .select(&rows)
        .find(|row| row.select(&link).next().is_some())
        .map(|row| row.text().collect::<Vec<_>>().join(" "))
}

/// Whether the page carries a reply form for this thread.
pub fn has_reply_form(html: &str, thread: i64) -> bool {
    count_of(
        html,
        &format!(r#"form[action="/threads/{thread}/reply"] textarea[name="body"]"#),
    ) > 0
}

/// The text of the `<textarea>` named `name`, as the form shows it.
pub fn textarea_text(html: &str, name: &str) -> Option<String> {
    text_of(html, &format!(r#"textarea[name="{name}"]"#))
}

/// The category form an admin sends, with every field.
pub fn category_fields<'a>(
    name: &'a str,
    slug: &'a str,
    description: &'a str,
    position: &'a str,
    flags: &[&'a str],
) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("name", name),
        ("slug", slug),
        ("description", description),
        ("position", position),
    ];
    for flag in flags {
        fields.push((flag, "yes"));
    }
    fields
}

// ---------------------------------------------------------------------------------------
// Scenarios.
// ---------------------------------------------------------------------------------------

on_both_engines! {
    async fn markdown_is_cooked_once_and_sanitised(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let body = "Hello <script>alert('stolen')</script> team\n\n\
                    <img src=\"https://example.org/x.png\" onerror=\"alert(1)\">\n\n\
                    [click me](javascript:alert(1)) and [NHS advice](https://www.nhs.uk/conditions/)\n\n\
                    See <https://www.gov.uk/long-covid> too.\n\n\
                    | Service | Wait |\n|---|---|\n| Fatigue clinic | 6 weeks |\n\n\
                    ~~old advice~~ and **new advice**\n\n\
                    - [x] referral sent\n- [ ] follow-up call\n\n\
                    ![pixel](ftp://example.org/p.png)";
        let thread = start_thread(&sam, "practice-questions", "Formatting a referral", body).await;
        let post = first_post(&app, thread);
        let page = sam.page(&format!("/threads/{thread}")).await;
        let cooked = inner_html(&page, &format!("#post-{post} .prose"));

        // Script, event handler and javascript: link are neutralised.
        assert!(!cooked.contains("<script"), "{cooked}");
        assert!(!cooked.contains("stolen"), "{cooked}");
        assert!(!cooked.contains("onerror"), "{cooked}");
        assert!(!cooked.to_lowercase().contains("javascript"), "{cooked}");
        assert!(cooked.contains("click me"), "the link text stays: {cooked}");
        assert!(!cooked.contains("ftp:"), "images only from http(s): {cooked}");
        assert_eq!(
            attr_of(&cooked, "img", "src").as_deref(),
            Some("https://example.org/x.png"),
            "{cooked}"
        );
        // Links carry rel="noopener noreferrer nofollow".
        let nhs = r#"a[href="https://www.nhs.uk/conditions/"]"#;
        assert_eq!(text_of(&cooked, nhs).as_deref(), Some("NHS advice"), "{cooked}");
        assert_eq!(attr_of(&cooked, nhs, "rel").as_deref(), Some("noopener noreferrer nofollow"));
        let autolink = r#"a[href="https://www.gov.uk/long-covid"]"#;
        assert_eq!(attr_of(&cooked, autolink, "rel").as_deref(), Some("noopener noreferrer nofollow"), "{cooked}");
        // Tables, strikethrough, emphasis and task lists render.
        assert_eq!(texts_of(&cooked, "table th"), ["Service", "Wait"], "{cooked}");
        assert_eq!(texts_of(&cooked, "table td"), ["Fatigue clinic", "6 weeks"], "{cooked}");
        assert_eq!(text_of(&cooked, "del").as_deref(), Some("old advice"), "{cooked}");
        assert_eq!(text_of(&cooked, "strong").as_deref(), Some("new advice"), "{cooked}");
        assert_eq!(count_of(&cooked, r#"input[type="checkbox"][disabled]"#), 2, "{cooked}");
        assert_eq!(count_of(&cooked, r#"input[type="checkbox"][checked]"#), 1, "{cooked}");

        // Cooked once, when saved: the stored HTML is what the page shows.
        use spot::schema::posts;
        let mut conn = app.db.conn().unwrap();
        let (source, stored): (String, String) = posts::table
            .find(post)
            .select((posts::body_source, posts::body_html))
            .first(&mut *conn)
            .unwrap();
        assert_eq!(source, body);
        assert!(!stored.contains("<script") && stored.contains("<table>"), "{stored}");
    }

    async fn threads_show_who_wrote_them_and_the_forum_counts_them(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = app.another_browser();
        kim.join("kim@nhs.net", "Kim Lee", "occupational_therapist", "salford").await;
        let thread = start_thread(&sam, "post-covid-rehabilitation", "Pacing after Covid", "What works for you?").await;
        reply(&kim, thread, "Energy diaries help.").await;

        // The thread page names each poster with their role and borough.
        let page = kim.page(&format!("/threads/{thread}")).await;
        assert_eq!(text_of(&page, "h1").as_deref(), Some("Pacing after Covid"));
        let authors = texts_of(&page, "article.post header.post-meta");
        assert_eq!(authors.len(), 2, "{page}");
        assert!(authors[0].contains("Sam Jones") && authors[0].contains("Link worker") && authors[0].contains("Wigan"), "{authors:?}");
        assert!(authors[1].contains("Kim Lee") && authors[1].contains("OT") && authors[1].contains("Salford"), "{authors:?}");

        // The category lists it with its author, reply count and last poster.
        let list = sam.page("/forum/post-covid-rehabilitation").await;
        assert_eq!(thread_titles(&list), ["Pacing after Covid"]);
        let row = thread_row(&list, thread).expect("the thread is listed");
        assert!(row.contains("Started by") && row.contains("Sam Jones") && row.contains("Link worker"), "{row}");
        assert_eq!(texts_of(&list, "table.threads tbody td")[1], "1", "one reply: {row}");
        assert!(row.contains("Kim Lee"), "the last poster is shown: {row}");

        // /forum counts threads and posts per category.
        let forum = sam.page("/forum").await;
        let cards = texts_of(&forum, "ul.categories li.card");
        let card = cards.iter().find(|c| c.contains("Post-Covid rehabilitation")).expect("listed");
        assert!(card.contains("1 thread, 2 posts") && card.contains("latest"), "{card}");
        let empty = cards.iter().find(|c| c.contains("Introductions")).expect("listed");
        assert!(empty.contains("0 threads, 0 posts"), "{empty}");
        let names: Vec<String> = texts_of(&forum, "ul.categories h2.card-title a");
        assert_eq!(
            names,
            [
                "Announcements",
                "Introductions",
                "Post-Covid rehabilitation",
                "Practice questions",
                "Local services & boroughs",
                "Resource discussions"
            ]
        );
    }

    async fn a_preview_shows_the_cooked_post_and_saves_nothing(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let body = "**Bold move** <script>alert(1)</script>\n\n| a | b |\n|---|---|\n| 1 | 2 |";
        let response = sam
            .post(
                "/forum/introductions/new",
                &[("title", "Hello from Wigan"), ("body", body), ("action", "preview")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let page = response.text().await.unwrap();
        let preview = inner_html(&page, "section.preview .prose");
        assert_eq!(text_of(&preview, "strong").as_deref(), Some("Bold move"), "{preview}");
        assert_eq!(count_of(&preview, "table td"), 2, "{preview}");
        assert!(!preview.contains("<script"), "{preview}");
        // The author's words stay in the form, ready to post.
        assert_eq!(input_value(&page, "title").as_deref(), Some("Hello from Wigan"));
        assert_eq!(textarea_text(&page, "body").as_deref(), Some(body));

        // Nothing was saved.
        assert_eq!(thread_count(&app), 0);
        let list = sam.page("/forum/introductions").await;
        assert!(list.contains("No threads yet."), "{list}");

        // A reply can be previewed too, without saving.
        let thread = start_thread(&sam, "introductions", "Hello from Wigan", "Hi all").await;
        let response = sam
            .post(&format!("/threads/{thread}/reply"), &[("body", "*Thanks*"), ("action", "preview")])
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let page = response.text().await.unwrap();
        assert_eq!(text_of(&inner_html(&page, "section.preview .prose"), "em").as_deref(), Some("Thanks"));
        assert_eq!(post_count(&app, thread), 1);
    }

    async fn bad_posts_are_refused_and_the_text_is_kept(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;

        // Empty body: 422, the title kept.
        let response = sam
            .post("/forum/practice-questions/new", &[("title", "Waiting lists in Bolton"), ("body", "  \n "), ("action", "post")])
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(field_error(&page, "body").is_some_and(|e| e.contains("Enter the text")), "{page}");
        assert_eq!(input_value(&page, "title").as_deref(), Some("Waiting lists in Bolton"));

        // Title over 200 characters: 422, the body kept.
        let long_title = "t".repeat(201);
        let response = sam
            .post("/forum/practice-questions/new", &[("title", &long_title), ("body", "My carefully written question"), ("action", "post")])
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(field_error(&page, "title").is_some_and(|e| e.contains("200")), "{page}");
        assert_eq!(textarea_text(&page, "body").as_deref(), Some("My carefully written question"));

        // Body over 50,000 characters: 422, the title kept.
        let long_body = "b".repeat(50_001);
        let response = sam
            .post("/forum/practice-questions/new", &[("title", "A long story"), ("body", &long_body), ("action", "post")])
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(field_error(&page, "body").is_some_and(|e| e.contains("50000")), "{page}");
        assert_eq!(input_value(&page, "title").as_deref(), Some("A long story"));

        // Exactly 50,000 is fine.
        let thread = start_thread(&sam, "practice-questions", "A long story", &"b".repeat(50_000)).await;
        assert_eq!(thread_count(&app), 1);

        // An empty reply: 422, nothing added.
        let response = sam
            .post(&format!("/threads/{thread}/reply"), &[("body", ""), ("action", "post")])
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(field_error(&page, "body").is_some(), "{page}");
        assert_eq!(post_count(&app, thread), 1);
    }

    async fn the_forum_is_for_members_unless_an_admin_opens_a_category(app: TestApp) {
        app.join("ada@nhs.net", "Ada Admin", "occupational_therapist", "salford").await;
        app.promote("ada@nhs.net", "admin");
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let thread = start_thread(&sam, "introductions", "Hello from Wigan", "I am Sam, a link worker.").await;
        let other = start_thread(&sam, "practice-questions", "A members-only question", "Members only").await;
        let post = first_post(&app, thread);

        // A visitor is asked to sign in, for a category, a thread and a post link.
        let visitor = app.another_browser();
        let response = visitor.get("/forum/introductions").await;
        assert_redirects_to(&response, "/login?next=%2Fforum%2Fintroductions");
        let response = visitor.get(&format!("/threads/{thread}")).await;
        assert_redirects_to(&response, &format!("/login?next=%2Fthreads%2F{thread}"));
        let response = visitor.get(&format!("/posts/{post}")).await;
        assert_redirects_to(&response, &format!("/login?next=%2Fposts%2F{post}"));
        let forum = visitor.page("/forum").await;
        assert!(!forum.contains("Hello from Wigan") && texts_of(&forum, "ul.categories li").is_empty(), "{forum}");

        // The admin marks Introductions readable by visitors.
        let id = category_id(&app, "introductions");
        let fields = category_fields(
            "Introductions",
            "introductions",
            "Say hello: who you are, where you work, what you would like from SPOT.",
            "2",
            &["public_read"],
        );
        let response = app.post(&format!("/admin/categories/{id}"), &fields).await;
        assert_redirects_to(&response, "/admin/categories");

        let list = visitor.page("/forum/introductions").await;
        assert_eq!(thread_titles(&list), ["Hello from Wigan"]);
        let page = visitor.page(&format!("/threads/{thread}")).await;
        assert!(post_text(&page, post).is_some_and(|t| t.contains("I am Sam, a link worker.")), "{page}");
        assert!(!has_reply_form(&page, thread), "visitors cannot reply");
        assert!(page.contains("to reply"), "{page}");
        let forum = visitor.page("/forum").await;
        assert_eq!(texts_of(&forum, "ul.categories h2.card-title a"), ["Introductions"]);

        // The other categories stay members-only.
        let response = visitor.get("/forum/practice-questions").await;
        assert_redirects_to(&response, "/login?next=%2Fforum%2Fpractice-questions");
        let response = visitor.get(&format!("/threads/{other}")).await;
        assert_redirects_to(&response, &format!("/login?next=%2Fthreads%2F{other}"));
    }

    async fn only_facilitators_start_announcements_and_everyone_replies(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;

        let list = sam.page("/forum/announcements").await;
        assert_eq!(count_of(&list, r#"a[href="/forum/announcements/new"]"#), 0, "{list}");
        let response = sam.get("/forum/announcements/new").await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let response = sam
            .post("/forum/announcements/new", &[("title", "My news"), ("body", "Hello everyone"), ("action", "post")])
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(response.text().await.unwrap().contains("Only facilitators start threads"));
        assert_eq!(thread_count(&app), 0);

        let list = fay.page("/forum/announcements").await;
        assert_eq!(count_of(&list, r#"a[href="/forum/announcements/new"]"#), 1, "{list}");
        let thread = start_thread(&fay, "announcements", "Welcome to SPOT", "The forum is open.").await;
        let answer = reply(&sam, thread, "Thank you, glad to be here.").await;
        let page = sam.page(&format!("/threads/{thread}")).await;
        assert!(post_text(&page, answer).is_some_and(|t| t.contains("glad to be here")), "{page}");
        let list = sam.page("/forum/announcements").await;
        assert_eq!(thread_titles(&list), ["Welcome to SPOT"]);
    }

    async fn a_reply_can_answer_a_particular_post(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let thread = start_thread(&sam, "post-covid-rehabilitation", "Fatigue and pacing", "Has anyone tried the three Ps with clients?").await;
        let opening = first_post(&app, thread);
        let general = reply(&kim, thread, "Welcome, Sam.").await;

        // The reply page quotes the post being answered.
        let page = kim.page(&format!("/threads/{thread}/reply?to={opening}")).await;
        assert!(text_of(&page, ".quote").is_some_and(|q| q.contains("Sam Jones") && q.contains("three Ps")), "{page}");
        assert_eq!(input_value(&page, "reply_to").as_deref(), Some(opening.to_string().as_str()));

        let answer = reply_to(&kim, thread, opening, "Yes: plan, pace, prioritise works well.").await;
        let page = sam.page(&format!("/threads/{thread}")).await;
        // The answer links back to what it answers, with a short quote.
        let quote = text_of(&page, &format!("#post-{answer} .quote")).expect("the answer quotes its post");
        assert!(quote.contains("In reply to Sam Jones"), "{quote}");
        assert!(quote.contains("Has anyone tried the three Ps"), "{quote}");
        assert_eq!(
            attr_of(&page, &format!("#post-{answer} .quote a"), "href"),
            Some(format!("/posts/{opening}"))
        );
        assert!(text_of(&page, &format!("#post-{general} .quote")).is_none(), "a plain reply quotes nothing");
        // The answered post shows "1 reply" linking to the answer.
        let replies = text_of(&page, &format!("#post-{opening} p.replies")).expect("replies listed");
        assert!(replies.contains("1 reply") && replies.contains("Kim Lee"), "{replies}");
        assert_eq!(
            attr_of(&page, &format!("#post-{opening} p.replies a"), "href"),
            Some(format!("/posts/{answer}"))
        );
        // The conversation still reads top to bottom.
        let order: Vec<String> = {
            let document = scraper::Html::parse_document(&page);
            let selector = scraper::Selector::parse("article.post").unwrap();
            document.select(&selector).filter_map(|a| a.value().attr("id").map(str::to_owned)).collect()
        };
        assert_eq!(order, [format!("post-{opening}"), format!("post-{general}"), format!("post-{answer}")]);

        // A second answer makes it "2 replies".
        reply_to(&sam, thread, opening, "Thanks Kim.").await;
        let page = sam.page(&format!("/threads/{thread}")).await;
        let replies = text_of(&page, &format!("#post-{opening} p.replies")).unwrap();
        assert!(replies.contains("2 replies"), "{replies}");

        // reply_to from another thread: 422, the text kept, nothing added.
        let elsewhere = start_thread(&kim, "practice-questions", "Another topic", "Something else").await;
        let stray = first_post(&app, elsewhere).to_string();
        let before = post_count(&app, thread);
        let response = kim
            .post(
                &format!("/threads/{thread}/reply"),
                &[("body", "My answer to the wrong post"), ("reply_to", &stray), ("action", "post")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(field_error(&page, "body").is_some_and(|e| e.contains("not in this thread")), "{page}");
        assert_eq!(textarea_text(&page, "body").as_deref(), Some("My answer to the wrong post"));
        assert_eq!(post_count(&app, thread), before);

        // A reply to a thread that does not exist: 404.
        let response = kim
            .post("/threads/999999/reply", &[("body", "Hello?"), ("action", "post")])
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let response = kim.get("/threads/999999").await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }

    async fn authors_edit_their_posts_and_facilitators_see_earlier_versions(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let thread = start_thread(&sam, "practice-questions", "Referral forms", "The first draft of my question").await;
        let post = first_post(&app, thread);

        let page = sam.page(&format!("/posts/{post}/edit")).await;
        assert_eq!(textarea_text(&page, "body").as_deref(), Some("The first draft of my question"));
        let response = sam
            .post(&format!("/posts/{post}/edit"), &[("body", "The *second* version of my question"), ("action", "post")])
            .await;
        assert_redirects_to(&response, &format!("/posts/{post}"));

        let page = kim.page(&format!("/threads/{thread}")).await;
        let text = post_text(&page, post).unwrap();
        assert!(text.contains("The second version") && !text.contains("first draft"), "{text}");
        assert_eq!(text_of(&page, &format!("#post-{post} .edited")).as_deref(), Some("edited"));

        // Facilitators see the earlier version; members cannot.
        let page = fay.page(&format!("/threads/{thread}")).await;
        assert_eq!(
            attr_of(&page, &format!(r#"#post-{post} a[href="/posts/{post}/history"]"#), "href"),
            Some(format!("/posts/{post}/history"))
        );
        let history = fay.page(&format!("/posts/{post}/history")).await;
        assert!(history.contains("The first draft of my question"), "{history}");
        assert!(history.contains("<em>second</em>"), "{history}");
        for browser in [&sam, &kim] {
            let response = browser.get(&format!("/posts/{post}/history")).await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN);
        }

        // Nobody edits someone else's post.
        let response = kim.get(&format!("/posts/{post}/edit")).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let response = kim
            .post(&format!("/posts/{post}/edit"), &[("body", "Kim was here"), ("action", "post")])
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let page = sam.page(&format!("/threads/{thread}")).await;
        assert!(!page.contains("Kim was here"));

        // An empty edit is refused with the form again.
        let response = sam
            .post(&format!("/posts/{post}/edit"), &[("body", " "), ("action", "post")])
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = sam.page(&format!("/threads/{thread}")).await;
        assert!(post_text(&page, post).unwrap().contains("The second version"));
    }

    async fn authors_remove_their_own_posts(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let thread = start_thread(&sam, "introductions", "Hello all", "Hello from Wigan").await;
        let post = reply(&kim, thread, "Something I regret writing").await;

        // Someone else cannot remove it.
        let response = sam.post(&format!("/posts/{post}/delete"), &[]).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let page = sam.page(&format!("/threads/{thread}")).await;
        assert!(post_text(&page, post).unwrap().contains("Something I regret writing"));

        let response = kim.post(&format!("/posts/{post}/delete"), &[]).await;
        assert_redirects_to(&response, &format!("/posts/{post}"));
        let page = sam.page(&format!("/threads/{thread}")).await;
        let text = post_text(&page, post).unwrap();
        assert!(text.contains("Post removed by its author."), "{text}");
        assert!(!text.contains("Something I regret writing"), "{text}");
        // Facilitators can still read it.
        let page = fay.page(&format!("/threads/{thread}")).await;
        assert!(post_text(&page, post).unwrap().contains("Something I regret writing"));
    }

    async fn members_mark_posts_helpful_once_each(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let lee = member(&app, "lee@nhs.net", "Lee Park").await;
        let thread = start_thread(&sam, "local-services", "Bolton walking groups", "Tuesdays at 10, free.").await;
        let post = first_post(&app, thread);
        let count = |page: &str| text_of(page, &format!("#post-{post} .helpful-count"));

        let response = kim.post(&format!("/posts/{post}/helpful"), &[("helpful", "yes")]).await;
        assert_redirects_to(&response, &format!("/posts/{post}"));
        let page = kim.page(&format!("/threads/{thread}")).await;
        assert_eq!(count(&page).as_deref(), Some("1 found this helpful"));
        assert!(page.contains("Undo helpful"), "{page}");

        // Once per member.
        let response = kim.post(&format!("/posts/{post}/helpful"), &[("helpful", "yes")]).await;
        assert_redirects_to(&response, &format!("/posts/{post}"));
        let page = sam.page(&format!("/threads/{thread}")).await;
        assert_eq!(count(&page).as_deref(), Some("1 found this helpful"));

        // Not on one's own post.
        let response = sam.post(&format!("/posts/{post}/helpful"), &[("helpful", "yes")]).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let page = sam.page(&format!("/threads/{thread}")).await;
        assert_eq!(count(&page).as_deref(), Some("1 found this helpful"));

        // Another member makes it two; taking one back makes it one again.
        lee.post(&format!("/posts/{post}/helpful"), &[("helpful", "yes")]).await;
        let page = sam.page(&format!("/threads/{thread}")).await;
        assert_eq!(count(&page).as_deref(), Some("2 found this helpful"));
        let response = kim.post(&format!("/posts/{post}/helpful"), &[("helpful", "no")]).await;
        assert_redirects_to(&response, &format!("/posts/{post}"));
        let page = sam.page(&format!("/threads/{thread}")).await;
        assert_eq!(count(&page).as_deref(), Some("1 found this helpful"));
    }

    async fn mentions_link_to_the_member_profile(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        app.insert_members(&[("kim@nhs.net", "Kim Lee", "occupational_therapist", "salford")]);
        let kim = app.member_id("kim@nhs.net");
        let thread = start_thread(
            &sam,
            "practice-questions",
            "Home adaptations",
            "Thanks @Kim Lee for the tip, and hello @Nobody Here. Mail sam@nhs.net.",
        )
        .await;
        let post = first_post(&app, thread);
        let page = sam.page(&format!("/threads/{thread}")).await;
        let cooked = inner_html(&page, &format!("#post-{post} .prose"));
        let link = format!(r#"a[href="/members/{kim}"]"#);
        assert_eq!(text_of(&cooked, &link).as_deref(), Some("@Kim Lee"), "{cooked}");
        assert_eq!(count_of(&cooked, "a"), 1, "only real members are linked: {cooked}");
        assert!(cooked.contains("@Nobody Here") && cooked.contains("sam@nhs.net"), "{cooked}");
        // The link goes to Kim's profile.
        let profile = sam.page(&format!("/members/{kim}")).await;
        assert!(profile.contains("Kim Lee"));
    }

    async fn long_threads_paginate_and_members_return_to_the_first_unread_post(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let thread = start_thread(&sam, "post-covid-rehabilitation", "A long conversation", "Post number 1").await;
        for n in 2..=30 {
            reply(&sam, thread, &format!("Post number {n}")).await;
        }
        // Kim has not opened it: all 30 posts are new to Kim, none to Sam.
        let list = kim.page("/forum/post-covid-rehabilitation").await;
        assert_eq!(text_of(&list, "a.tag-new").map(|t| t.trim().to_owned()).as_deref(), Some("30 new posts"));
        let list = sam.page("/forum/post-covid-rehabilitation").await;
        assert_eq!(count_of(&list, "a.tag-new"), 0, "{list}");

        // Kim reads page 1, which is the whole thread so far.
        let page = kim.page(&format!("/threads/{thread}")).await;
        assert_eq!(count_of(&page, "article.post"), 30);
        assert_eq!(count_of(&page, "nav.pagination"), 0, "one page only");
        let list = kim.page("/forum/post-covid-rehabilitation").await;
        assert_eq!(count_of(&list, "a.tag-new"), 0, "{list}");

        // Sam adds two more: the 31st post starts page 2.
        let p31 = reply(&sam, thread, "Post number 31").await;
        let p32 = reply(&sam, thread, "Post number 32").await;
        let list = kim.page("/forum/post-covid-rehabilitation").await;
        assert_eq!(text_of(&list, "a.tag-new").map(|t| t.trim().to_owned()).as_deref(), Some("2 new posts"));
        assert_eq!(attr_of(&list, "a.tag-new", "href"), Some(format!("/threads/{thread}/unread")));

        // Kim returns to the first unread post, on page 2.
        let response = kim.get(&format!("/threads/{thread}/unread")).await;
        assert_redirects_to(&response, &format!("/threads/{thread}?page=2#post-{p31}"));
        let response = kim.get(&format!("/posts/{p31}")).await;
        assert_redirects_to(&response, &format!("/threads/{thread}?page=2#post-{p31}"));

        let page = kim.page(&format!("/threads/{thread}")).await;
        assert_eq!(count_of(&page, "article.post"), 30);
        assert!(text_of(&page, "nav.pagination").is_some_and(|t| t.contains("Page 1 of 2")), "{page}");
        assert_eq!(attr_of(&page, r#"nav.pagination a[rel="next"]"#, "href"), Some(format!("/threads/{thread}?page=2")));
        assert!(post_text(&page, p31).is_none());

        let page = kim.page(&format!("/threads/{thread}?page=2")).await;
        assert_eq!(count_of(&page, "article.post"), 2);
        assert!(post_text(&page, p31).is_some_and(|t| t.contains("Post number 31")), "{page}");
        assert!(post_text(&page, p32).is_some_and(|t| t.contains("Post number 32")), "{page}");
        assert!(text_of(&page, "nav.pagination").is_some_and(|t| t.contains("Page 2 of 2")));
        assert_eq!(attr_of(&page, r#"nav.pagination a[rel="prev"]"#, "href"), Some(format!("/threads/{thread}?page=1")));
        let response = kim.get(&format!("/threads/{thread}?page=3")).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);

        // Having read page 2, nothing is new; the unread link goes to the last post.
        let list = kim.page("/forum/post-covid-rehabilitation").await;
        assert_eq!(count_of(&list, "a.tag-new"), 0, "{list}");
        let response = kim.get(&format!("/threads/{thread}/unread")).await;
        assert_redirects_to(&response, &format!("/threads/{thread}?page=2#post-{p32}"));
    }

    async fn the_patient_data_guard_warns_before_saving(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let body = "Her NHS number is 943 476 5919, can anyone advise on the referral?";
        let response = sam
            .post("/forum/practice-questions/new", &[("title", "Referral question"), ("body", body), ("action", "post")])
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        let warning = text_of(&page, ".warning-callout").expect("a warning");
        assert!(warning.contains("NHS number") && warning.contains("943 476 5919"), "{warning}");
        assert_eq!(count_of(&page, r#"input[name="confirm_patient_data"]"#), 1);
        assert_eq!(textarea_text(&page, "body").as_deref(), Some(body));
        assert_eq!(input_value(&page, "title").as_deref(), Some("Referral question"));
        assert_eq!(thread_count(&app), 0);

        // Confirmed: it is saved.
        let response = sam
            .post(
                "/forum/practice-questions/new",
                &[("title", "Referral question"), ("body", body), ("action", "post"), ("confirm_patient_data", "yes")],
            )
            .await;
        let thread = id_after(&response, "/threads/");
        let page = sam.page(&format!("/threads/{thread}")).await;
        assert!(page.contains("943 476 5919"));

        // A ten-digit number that fails the modulus-11 check is saved straight away.
        start_thread(&sam, "practice-questions", "Service phone line", "The reference is 943 476 5918 for the team.").await;
        assert_eq!(thread_count(&app), 2);

        // Replies are checked too, and a date of birth next to a name counts.
        let response = sam
            .post(&format!("/threads/{thread}/reply"), &[("body", "Mrs Patel, born 12/03/1954, also waits."), ("action", "post")])
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(text_of(&page, ".warning-callout").is_some_and(|w| w.contains("date of birth")), "{page}");
        assert_eq!(textarea_text(&page, "body").as_deref(), Some("Mrs Patel, born 12/03/1954, also waits."));
        assert_eq!(post_count(&app, thread), 1);
    }

    async fn admins_look_after_categories(app: TestApp) {
        app.join("ada@nhs.net", "Ada Admin", "occupational_therapist", "salford").await;
        app.promote("ada@nhs.net", "admin");
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;

        // Members and facilitators cannot use the category pages.
        let intro = category_id(&app, "introductions");
        for browser in [&sam, &fay] {
            for path in ["/admin/categories".to_owned(), format!("/admin/categories/{intro}")] {
                let response = browser.get(&path).await;
                assert_eq!(response.status(), StatusCode::FORBIDDEN, "GET {path}");
            }
            let fields = category_fields("Sneaky", "sneaky", "", "9", &[]);
            let response = browser.post("/admin/categories", &fields).await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN);
        }

        // The admin adds one at the top of the list.
        let fields = category_fields("Peer supervision", "peer-supervision", "Reflective practice groups", "0", &[]);
        let response = app.post("/admin/categories", &fields).await;
        assert_redirects_to(&response, "/admin/categories");
        let admin_list = app.page("/admin/categories").await;
        assert!(admin_list.contains("Peer supervision") && admin_list.contains("/forum/peer-supervision"));
        let forum = sam.page("/forum").await;
        let names = texts_of(&forum, "ul.categories h2.card-title a");
        assert_eq!(names.first().map(String::as_str), Some("Peer supervision"), "{names:?}");
        assert!(!names.contains(&"Sneaky".to_owned()));
        let thread = start_thread(&sam, "peer-supervision", "Monthly group", "Who would like to join?").await;

        // The same address twice: 422, the form kept.
        let fields = category_fields("Another group", "peer-supervision", "Kept description", "3", &[]);
        let response = app.post("/admin/categories", &fields).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(field_error(&page, "slug").is_some_and(|e| e.contains("already")), "{page}");
        assert_eq!(input_value(&page, "name").as_deref(), Some("Another group"));
        assert_eq!(textarea_text(&page, "description").as_deref(), Some("Kept description"));

        // Archived: readable, but no new threads (403) or replies.
        let id = category_id(&app, "peer-supervision");
        let fields = category_fields("Peer supervision", "peer-supervision", "Reflective practice groups", "0", &["archived"]);
        let response = app.post(&format!("/admin/categories/{id}"), &fields).await;
        assert_redirects_to(&response, "/admin/categories");
        let list = sam.page("/forum/peer-supervision").await;
        assert!(list.contains("This category is archived"), "{list}");
        assert_eq!(thread_titles(&list), ["Monthly group"]);
        assert_eq!(count_of(&list, r#"a[href="/forum/peer-supervision/new"]"#), 0);
        let response = sam.get("/forum/peer-supervision/new").await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let response = sam
            .post("/forum/peer-supervision/new", &[("title", "Too late"), ("body", "Hello?"), ("action", "post")])
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let response = sam
            .post(&format!("/threads/{thread}/reply"), &[("body", "A late reply"), ("action", "post")])
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(thread_count(&app), 1);
        assert_eq!(post_count(&app, thread), 1);
        let forum = sam.page("/forum").await;
        let card = texts_of(&forum, "ul.categories li.card").into_iter().find(|c| c.contains("Peer supervision")).unwrap();
        assert!(card.contains("Archived"), "{card}");

        // Renamed and reordered.
        let fields = category_fields("Group supervision", "peer-supervision", "Reflective practice groups", "10", &[]);
        let response = app.post(&format!("/admin/categories/{id}"), &fields).await;
        assert_redirects_to(&response, "/admin/categories");
        let forum = sam.page("/forum").await;
        let names = texts_of(&forum, "ul.categories h2.card-title a");
        assert_eq!(names.last().map(String::as_str), Some("Group supervision"), "{names:?}");
        start_thread(&sam, "peer-supervision", "Open again", "Back in business").await;
    }

    async fn an_archived_category_offers_no_reply_box(app: TestApp) {
        app.join("ada@nhs.net", "Ada Admin", "occupational_therapist", "salford").await;
        app.promote("ada@nhs.net", "admin");
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let thread = start_thread(&sam, "local-services", "Old timetable", "Buses from Wigan").await;
        let id = category_id(&app, "local-services");
        let fields = category_fields(
            "Local services & boroughs",
            "local-services",
            "What is on in each borough: groups, services, waiting times, who to contact.",
            "5",
            &["archived"],
        );
        let response = app.post(&format!("/admin/categories/{id}"), &fields).await;
        assert_redirects_to(&response, "/admin/categories");
        // Replies are refused (403), so the thread page should not offer a reply form.
        let page = sam.page(&format!("/threads/{thread}")).await;
        assert!(
            !has_reply_form(&page, thread),
            "a thread in an archived category shows a reply box whose replies are refused"
        );
    }

    async fn a_category_lists_its_threads_a_page_at_a_time(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        for n in 1..=26 {
            start_thread(&sam, "introductions", &format!("Thread number {n}"), "Hello").await;
        }
        // 25 a page, newest activity first.
        let list = sam.page("/forum/introductions").await;
        let titles = thread_titles(&list);
        assert_eq!(titles.len(), 25);
        assert_eq!(titles[0], "Thread number 26");
        assert!(text_of(&list, "nav.pagination").is_some_and(|t| t.contains("Page 1 of 2")), "{list}");
        assert_eq!(
            attr_of(&list, r#"nav.pagination a[rel="next"]"#, "href").as_deref(),
            Some("/forum/introductions?page=2")
        );
        let list = sam.page("/forum/introductions?page=2").await;
        assert_eq!(thread_titles(&list), ["Thread number 1"]);
    }

    async fn bare_web_addresses_become_links(app: TestApp) {
        // The issue asks for GitHub-flavoured autolinks: a pasted address is a link.
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let thread = start_thread(&sam, "local-services", "Useful page", "See https://www.nhs.uk/conditions/ for details.").await;
        let post = first_post(&app, thread);
        let page = sam.page(&format!("/threads/{thread}")).await;
        let cooked = inner_html(&page, &format!("#post-{post} .prose"));
        let link = r#"a[href="https://www.nhs.uk/conditions/"]"#;
        assert_eq!(
            attr_of(&cooked, link, "rel").as_deref(),
            Some("noopener noreferrer nofollow"),
            "a bare https:// address is not made a link: {cooked}"
        );
    }

    async fn mentions_inside_code_or_link_text_are_left_as_written(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        app.insert_members(&[("kim@nhs.net", "Kim Lee", "occupational_therapist", "salford")]);
        let thread = start_thread(
            &sam,
            "practice-questions",
            "Writing mentions",
            "Type `@Kim Lee` to mention Kim.\n\nOr [ask @Kim Lee](https://example.org/ask).",
        )
        .await;
        let post = first_post(&app, thread);
        let page = sam.page(&format!("/threads/{thread}")).await;
        let cooked = inner_html(&page, &format!("#post-{post} .prose"));
        assert_eq!(
            text_of(&cooked, "code").as_deref(),
            Some("@Kim Lee"),
            "code shows what was typed: {cooked}"
        );
        assert_eq!(
            attr_of(&cooked, r#"a[href="https://example.org/ask"]"#, "href").as_deref(),
            Some("https://example.org/ask"),
            "the author's own link survives a mention in its text: {cooked}"
        );
    }
}
