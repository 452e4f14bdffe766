//! Deleting an account, by the member or by an admin: afterwards nothing in any table, the
//! search index or the upload folder carries their name, email address or files, while
//! what others wrote in reply still hangs together under "Former member".

use diesel::sql_types::{Nullable, Text};
use diesel::{sql_query, QueryableByName, RunQueryDsl};
use reqwest::StatusCode;

use crate::courses::{book_ok, north_run};
use crate::forum::{facilitator, location, member, post_text, reply, start_thread};
use crate::helpers::*;
use crate::on_both_engines;
use crate::resources::Share;

const NAME: &str = "Quentin Quillfeather";
const EMAIL: &str = "quentin.quillfeather@nhs.net";
/// The bytes of the file he shares: found in the upload folder before, nowhere after.
const LEAFLET: &[u8] = b"%PDF-1.4\n% Quillfeather walking leaflet, one of a kind\n%%EOF\n";

#[derive(QueryableByName)]
struct Named {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct AsText {
    #[diesel(sql_type = Nullable<Text>)]
    row: Option<String>,
}

/// Every row of every table, as text, that carries one of `words` (in any case). SQLite's
/// full-text index keeps its words in binary segments: those are checked through an
/// `fts5vocab` table of the terms it holds instead.
fn rows_naming(app: &TestApp, words: &[&str]) -> Vec<String> {
    let mut conn = app.db.conn().expect("connection");
    let postgres = matches!(app.engine, Engine::Postgres);
    let tables: Vec<Named> = if postgres {
        sql_query(
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
        )
        .load(&mut *conn)
    } else {
        sql_query("SELECT name FROM sqlite_master WHERE type = 'table'").load(&mut *conn)
    }
    .expect("tables listed");
    let words: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let mut found = Vec::new();
    for table in tables.iter().map(|t| t.name.as_str()) {
        let binary_segments = ["_data", "_idx", "_docsize", "_config"];
        if binary_segments.iter().any(|end| table.ends_with(end)) {
            continue;
        }
        let query = if postgres {
            format!("SELECT \"{table}\"::text AS row FROM \"{table}\"")
        } else {
            let columns: Vec<Named> = sql_query(format!(
                "SELECT name || ':' || type AS name FROM pragma_table_info('{table}')"
            ))
            .load(&mut *conn)
            .expect("columns listed");
            let texts: Vec<String> = columns
                .iter()
                .map(|column| {
                    let (name, kind) = column.name.split_once(':').unwrap_or((&column.name, ""));
                    if kind.eq_ignore_ascii_case("BLOB") {
                        format!("coalesce(hex(\"{name}\"), '')")
                    } else {
                        format!("coalesce(CAST(\"{name}\" AS TEXT), '')")
                    }
                })
                .collect();
            if texts.is_empty() {
                continue;
            }
            format!(
                "SELECT {} AS row FROM \"{table}\"",
                texts.join(" || '|' || ")
            )
        };
        let rows: Vec<AsText> = sql_query(&query)
            .load(&mut *conn)
            .unwrap_or_else(|e| panic!("{query}: {e}"));
        for row in rows.into_iter().filter_map(|r| r.row) {
            let lower = row.to_lowercase();
            if words.iter().any(|w| lower.contains(w.as_str())) {
                found.push(format!("{table}: {row}"));
            }
        }
    }
    if !postgres {
        for index in [
            "search_posts",
            "search_resources",
            "search_members",
            "search_messages",
        ] {
            sql_query(format!(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab_{index} USING fts5vocab(main, {index}, 'row')"
            ))
            .execute(&mut *conn)
            .expect("vocabulary table");
            let terms: Vec<Named> =
                sql_query(format!("SELECT term AS name FROM temp.vocab_{index}"))
                    .load(&mut *conn)
                    .expect("terms listed");
            for term in terms {
                if words
                    .iter()
                    .any(|w| w.starts_with(&term.name) && term.name.len() >= 6)
                {
                    found.push(format!("{index} index term: {}", term.name));
                }
            }
        }
    }
    found
}

/// Files in the upload folder whose bytes are `content`.
fn uploads_holding(app: &TestApp, content: &[u8]) -> usize {
    fn walk(dir: &std::path::Path, content: &[u8], found: &mut usize) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, content, found);
            } else if std::fs::read(&path).is_ok_and(|bytes| bytes == content) {
                *found += 1;
            }
        }
    }
    let mut found = 0;
    walk(&app.config.uploads_dir, content, &mut found);
    found
}

/// Rows of the boroughs a member's service covers (ids and slugs only: no text names him).
fn service_area_rows(app: &TestApp, member: i64) -> i64 {
    use diesel::{ExpressionMethods, QueryDsl};
    use spot::schema::service_areas;
    let mut conn = app.db.conn().expect("connection");
    service_areas::table
        .filter(service_areas::member_id.eq(member))
        .count()
        .get_result(&mut *conn)
        .expect("rows counted")
}

/// Quentin joins, writes, shares, books, marks, follows and is written about; returns his
/// browser, his lone thread, the thread he started that Sam answered, and Sam's thread with
/// his reply in it.
async fn an_active_member(app: &TestApp, sam: &Browser) -> (Browser, i64, i64, (i64, i64)) {
    let quentin = app.another_browser();
    quentin
        .join(EMAIL, NAME, "occupational_therapist", "manchester")
        .await;
    let response = quentin
        .save_profile(&[
            ("display_name", NAME),
            ("organisation", "Quillfeather Rehab Trust"),
            ("role", "occupational_therapist"),
            ("borough", "manchester"),
            ("about", "Ask me about Quillfeather walks."),
            ("listed", "yes"),
        ])
        .await;
    assert_redirects_to(&response, "/account");
    let response = quentin
        .post(
            "/account/service",
            &[
                ("offers", "The Quillfeather falls clinic."),
                ("referral", "Email quentin.quillfeather@nhs.net."),
                ("boroughs", "manchester"),
            ],
        )
        .await;
    assert_redirects_to(&response, "/account/service");
    let lone = start_thread(
        &quentin,
        "practice-questions",
        "Canal walks",
        "Anyone joining the canal walk?",
    )
    .await;
    let answered = start_thread(
        &quentin,
        "practice-questions",
        "Pacing diaries",
        "Which diary do you use?",
    )
    .await;
    reply(sam, answered, "The Manchester one, thanks for asking.").await;
    let sams = start_thread(
        sam,
        "practice-questions",
        "Falls clinics",
        "Where are they?",
    )
    .await;
    let his_reply = reply(
        &quentin,
        sams,
        "Ours is in Harpurhey, ask for the walking leaflet.",
    )
    .await;
    let post = crate::forum::first_post(app, sams);
    quentin
        .post(&format!("/posts/{post}/helpful"), &[("helpful", "yes")])
        .await;
    Share::file("Quillfeather walking leaflet", "quillfeather.pdf", LEAFLET)
        .tags("walking")
        .shared_by(&quentin)
        .await;
    quentin
        .post(
            "/resources/follow",
            &[("tag", "walking"), ("follow", "yes")],
        )
        .await;
    let response = quentin
        .post(
            "/contact",
            &[
                ("subject", "Course dates"),
                (
                    "body",
                    "Please can you tell Quentin Quillfeather the course dates?",
                ),
            ],
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{}",
        response.text().await.unwrap_or_default()
    );
    // A private conversation with Sam, his words and hers; Sam blocks nobody, he blocks Sam.
    let sam_id = app.member_id("sam@nhs.net").to_string();
    let response = quentin
        .post(
            "/messages/new",
            &[
                ("to", &sam_id),
                ("body", "Quillfeather walks start on Friday, Sam"),
            ],
        )
        .await;
    let conversation = crate::forum::location(&response);
    assert!(conversation.starts_with("/messages/"), "{conversation}");
    sam.post(
        &format!("{conversation}/reply"),
        &[("body", "Lovely, see you there")],
    )
    .await;
    quentin
        .post("/messages/settings", &[("accepts", "cluster")])
        .await;
    quentin
        .post("/messages/blocks", &[("member", &sam_id), ("block", "yes")])
        .await;
    quentin
        .post("/messages/blocks", &[("member", &sam_id), ("block", "no")])
        .await;
    let run = north_run(app, "15").await;
    book_ok(&quentin, run).await;
    // Letters about him wait for, or have reached, Sam.
    app.mail_round_at(spot::db::now());
    assert_eq!(uploads_holding(app, LEAFLET), 1, "his file is in the store");
    assert!(
        !rows_naming(app, &["quillfeather"]).is_empty(),
        "he is all over the database"
    );
    (quentin, lone, answered, (sams, his_reply))
}

/// The main browser joins and is made an admin from the console.
pub async fn admin(app: &TestApp) {
    app.join(
        "ada@nhs.net",
        "Ada Admin",
        "occupational_therapist",
        "salford",
    )
    .await;
    app.promote("ada@nhs.net", "admin");
}

on_both_engines! {
    async fn deleting_your_account_leaves_nothing_that_names_you(app: TestApp) {
        admin(&app).await;
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let (quentin, lone, answered, (sams, his_reply)) = an_active_member(&app, &sam).await;
        let quentin_id = app.member_id(EMAIL);

        // The page says what will happen; a stray POST without the button does nothing.
        let page = quentin.page("/account/delete").await;
        assert!(page.contains("Former member") && page.contains("cannot be undone"), "{page}");
        let response = quentin.post("/account/delete", &[("posts", "keep")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(quentin.is_signed_in().await);

        let response = quentin.post("/account/delete", &[("posts", "keep"), ("confirm", "delete")]).await;
        assert_redirects_to(&response, "/");
        assert!(!quentin.is_signed_in().await, "signed out");

        // His posts stay under "Former member"; Sam's reply still has its thread.
        let page = sam.page(&format!("/threads/{answered}")).await;
        assert!(page.contains("Former member") && page.contains("The Manchester one"), "{page}");
        assert!(sam.page(&format!("/threads/{lone}")).await.contains("Former member"));
        let page = sam.page(&format!("/threads/{sams}")).await;
        assert!(post_text(&page, his_reply).is_some_and(|t| t.contains("Former member") && t.contains("Harpurhey")), "{page}");
        // Their conversation reads on for Sam: her words, his removed, under "Former member".
        let inbox = sam.page("/messages").await;
        let conversation = attr_of(&inbox, ".conversation-card h2 a", "href").expect("the conversation stays Sam's");
        let page = sam.page(&conversation).await;
        assert!(page.contains("Lovely, see you there") && page.contains("This message was removed."), "{page}");
        assert!(page.contains("Former member"), "{page}");

        // Nothing names him: no table, no index, no file.
        assert_eq!(rows_naming(&app, &["quillfeather", EMAIL]), Vec::<String>::new());
        assert_eq!(uploads_holding(&app, LEAFLET), 0, "his file left the store");
        assert_eq!(service_area_rows(&app, quentin_id), 0, "his service's area went too");
        assert_eq!(sam.get(&format!("/members/{quentin_id}")).await.status(), StatusCode::NOT_FOUND);
        let response = app.another_browser().login(EMAIL, PASSWORD).await;
        assert_ne!(location(&response), "/account", "nobody can sign in to it");
        let found = sam.page("/search?q=Quentin").await;
        assert_eq!(count_of(&found, r#"section[aria-labelledby="results-members"] li.search-result"#), 0);
        let roster = app.page(&format!("/courses/{}/roster.csv", north_run_id(&app))).await;
        let his = roster.lines().find(|line| line.starts_with("Former member")).expect("his row");
        assert!(his.contains("Cancelled") && !his.contains("Pat Lead"), "his place on a course still ahead was given up: {roster}");
        let audit = app.page("/admin/audit").await;
        assert!(audit.contains("member erased"), "{audit}");
    }

    async fn an_admin_erases_a_member_and_their_posts_with_a_reason(app: TestApp) {
        admin(&app).await;
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let (_quentin, lone, answered, (sams, his_reply)) = an_active_member(&app, &sam).await;
        let quentin_id = app.member_id(EMAIL);

        // Only admins: a facilitator's forged request is refused, and nothing happens.
        let forged = fay.post(&format!("/admin/members/{quentin_id}/erase"),
            &[("posts", "remove"), ("confirm", "delete"), ("erase_reason", "Left the service")]).await;
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        // The reason is needed, and kept when the form comes back.
        let response = app.post(&format!("/admin/members/{quentin_id}/erase"),
            &[("posts", "remove"), ("confirm", "delete"), ("erase_reason", "")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(field_error(&page, "erase_reason").is_some(), "{page}");

        let response = app.post(&format!("/admin/members/{quentin_id}/erase"),
            &[("posts", "remove"), ("confirm", "delete"), ("erase_reason", "Left the service in November")]).await;
        assert_redirects_to(&response, "/admin/members");

        // The thread nobody answered is gone; the one Sam answered stays without his words.
        assert_eq!(sam.get(&format!("/threads/{lone}")).await.status(), StatusCode::NOT_FOUND);
        let page = sam.page(&format!("/threads/{answered}")).await;
        assert!(!page.contains("Which diary do you use?") && page.contains("The Manchester one"), "{page}");
        let page = sam.page(&format!("/threads/{sams}")).await;
        assert!(post_text(&page, his_reply).is_some_and(|t| !t.contains("Harpurhey")), "{page}");
        assert_eq!(rows_naming(&app, &["quillfeather", EMAIL, "Harpurhey", "Which diary do you use"]), Vec::<String>::new());
        let audit = app.page("/admin/audit").await;
        assert!(audit.contains("member erased") && audit.contains("Left the service in November"), "{audit}");

        // The only admin cannot delete their own account.
        let response = app.post("/account/delete", &[("posts", "keep"), ("confirm", "delete")]).await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert!(app.is_signed_in().await);
    }
}

/// The course run the scenario created (the only one).
fn north_run_id(app: &TestApp) -> i64 {
    use diesel::QueryDsl;
    use spot::schema::course_runs;
    let mut conn = app.db.conn().expect("connection");
    course_runs::table
        .select(course_runs::id)
        .first(&mut *conn)
        .expect("a run")
}
