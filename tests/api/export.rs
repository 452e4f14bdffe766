//! Downloading your data (UK GDPR access and portability), and an admin's subject access
//! request: the zip holds a JSON document for every kind of the member's data and their
//! files byte for byte, nothing of anyone else's; it is built in the background, one at a
//! time, linked by email for 24 hours, and then deleted.

use std::io::Read;

use diesel::{ExpressionMethods, NullableExpressionMethods, QueryDsl, RunQueryDsl};
use reqwest::StatusCode;
use serde_json::Value;

use crate::courses::{book_ok, emails_to, north_run, register_sessions};
use crate::erasure::admin;
use crate::forum::{first_post, reply, start_thread};
use crate::helpers::*;
use crate::on_both_engines;
use crate::resources::Share;

const EMAIL: &str = "quentin.quillfeather@nhs.net";
const NAME: &str = "Quentin Quillfeather";
/// The file he shares: it must come back byte for byte.
const LEAFLET: &[u8] =
    b"%PDF-1.4\n% Quillfeather walking leaflet\n\x00\x01\x02\xff binary tail\n%%EOF\n";
/// Sam's file and words: never in Quentin's export.
const SAMS_FILE: &[u8] = b"%PDF-1.4\n% Sam's own zebrafinch timetable\n%%EOF\n";
const SAMS_WORDS: &str = "Zebrafinch clinics run on Thursdays";

/// The documents every export holds.
const DOCUMENTS: [&str; 11] = [
    "README.txt",
    "profile.json",
    "posts.json",
    "threads.json",
    "resources.json",
    "bookings.json",
    "feedback.json",
    "notifications.json",
    "reports.json",
    "audit.json",
    "messages.json",
];

/// An unzipped export: each entry's name and bytes.
pub(crate) struct Unzipped(Vec<(String, Vec<u8>)>);

impl Unzipped {
    fn of(bytes: &[u8]) -> Self {
        let mut archive =
            zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("the download is a zip");
        let mut entries = Vec::new();
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).expect("an entry");
            let mut content = Vec::new();
            entry.read_to_end(&mut content).expect("the entry reads");
            entries.push((entry.name().to_owned(), content));
        }
        Unzipped(entries)
    }

    fn names(&self) -> Vec<&str> {
        self.0.iter().map(|(name, _)| name.as_str()).collect()
    }

    fn bytes(&self, name: &str) -> &[u8] {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, bytes)| bytes.as_slice())
            .unwrap_or_else(|| panic!("no {name} in {:?}", self.names()))
    }

    pub(crate) fn json(&self, name: &str) -> Value {
        serde_json::from_slice(self.bytes(name))
            .unwrap_or_else(|e| panic!("{name} is not JSON: {e}"))
    }

    fn list(&self, name: &str) -> Vec<Value> {
        match self.json(name) {
            Value::Array(items) => items,
            other => panic!("{name} is not a list: {other}"),
        }
    }

    /// Whether any entry holds these bytes.
    pub(crate) fn holds(&self, needle: &[u8]) -> bool {
        self.0
            .iter()
            .any(|(_, bytes)| bytes.windows(needle.len()).any(|w| w == needle))
    }
}

/// The path of the export link in the newest email to `address` that has one.
fn emailed_link(app: &TestApp, address: &str, prefix: &str) -> String {
    let letters = emails_to(app, address);
    let text = letters
        .iter()
        .rev()
        .find(|text| text.contains(prefix))
        .unwrap_or_else(|| panic!("no email to {address} links to {prefix}: {letters:?}"));
    let start = text.find(prefix).unwrap();
    let token: String = text[start + prefix.len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    assert_eq!(token.len(), 43, "{text}");
    format!("{prefix}{token}")
}

/// Downloads a zip, asserting it is one.
pub(crate) async fn download(browser: &Browser, path: &str) -> Unzipped {
    let response = browser.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    assert_eq!(header(&response, "content-type"), "application/zip");
    assert!(
        header(&response, "content-disposition").starts_with("attachment"),
        "{:?}",
        response.headers()
    );
    Unzipped::of(&response.bytes().await.expect("the zip"))
}

/// Refreshes the export page, as its `Refresh` header does, until the copy is ready.
pub(crate) async fn wait_until_ready(browser: &Browser, page: &str) -> String {
    for _ in 0..150 {
        let html = browser.page(page).await;
        if html.contains("The copy is ready") {
            return html;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the export at {page} was not ready in time");
}

fn exports_of(app: &TestApp, member: i64) -> i64 {
    use spot::schema::exports;
    let mut conn = app.db.conn().expect("connection");
    exports::table
        .filter(exports::member_id.eq(member))
        .count()
        .get_result(&mut *conn)
        .expect("counted")
}

fn export_keys(app: &TestApp) -> Vec<String> {
    use spot::schema::exports;
    let mut conn = app.db.conn().expect("connection");
    exports::table
        .filter(exports::file_key.is_not_null())
        .select(exports::file_key.assume_not_null())
        .load(&mut *conn)
        .expect("keys")
}

/// Quentin, active everywhere: a profile, a thread Sam answered, a reply in Sam's thread
/// edited once, a shared file, a followed tag, a report, a booking with attendance and a
/// notification. Sam writes and shares things of his own. Returns Quentin's browser, his
/// thread, his reply and his resource.
async fn an_active_member(app: &TestApp, sam: &Browser) -> (Browser, i64, i64, i64) {
    let quentin =
        crate::courses::member(app, EMAIL, NAME, "occupational_therapist", "manchester").await;
    let response = quentin
        .save_profile(&[
            ("display_name", NAME),
            ("organisation", "Quillfeather Rehab Trust"),
            ("role", "occupational_therapist"),
            ("borough", "manchester"),
            ("about", "Ask me about *walking* groups."),
            ("listed", "yes"),
        ])
        .await;
    assert_redirects_to(&response, "/account");
    let response = quentin
        .post(
            "/account/service",
            &[
                ("offers", "Quillfeather *falls* clinic."),
                ("who_for", "Adults in Manchester."),
                ("referral", "Phone the clinic."),
                ("boroughs", "manchester"),
                ("boroughs", "trafford"),
            ],
        )
        .await;
    assert_redirects_to(&response, "/account/service");
    let his_thread = start_thread(
        &quentin,
        "practice-questions",
        "Canal walks",
        "Anyone joining the canal walk?",
    )
    .await;
    reply(sam, his_thread, SAMS_WORDS).await;
    let sams_thread = start_thread(
        sam,
        "practice-questions",
        "Falls clinics",
        "Where are they?",
    )
    .await;
    let his_reply = reply(&quentin, sams_thread, "Ours is in Harpurhey, first draft").await;
    let response = quentin
        .post(
            &format!("/posts/{his_reply}/edit"),
            &[
                ("body", "Ours is in Harpurhey, on Tuesdays"),
                ("action", "post"),
            ],
        )
        .await;
    assert_redirects_to(&response, &format!("/posts/{his_reply}"));
    let sams_post = first_post(app, sams_thread);
    let response = quentin
        .post(
            &format!("/posts/{sams_post}/report"),
            &[("reason", "Names a clinic patient")],
        )
        .await;
    assert_redirects_to(&response, &format!("/posts/{sams_post}"));
    let resource = Share::file("Quillfeather walking leaflet", "quillfeather.pdf", LEAFLET)
        .tags("walking, leaflets")
        .shared_by(&quentin)
        .await;
    quentin
        .post(
            "/resources/follow",
            &[("tag", "walking"), ("follow", "yes")],
        )
        .await;
    Share::file("Zebrafinch timetable", "zebrafinch.pdf", SAMS_FILE)
        .shared_by(sam)
        .await;
    // A private message to Sam, and Sam's answer (Sam's words stay out of his export).
    let sam_id = sam_member_id(app).to_string();
    let response = quentin
        .post(
            "/messages/new",
            &[
                ("to", &sam_id),
                ("body", "Quentin here: walking group on Friday?"),
            ],
        )
        .await;
    let conversation = crate::forum::location(&response);
    sam.post(&format!("{conversation}/reply"), &[("body", SAMS_WORDS)])
        .await;
    // A course, his place on it, and the register taken for its first session.
    let run = north_run(app, "15").await;
    book_ok(&quentin, run).await;
    let fay = crate::courses::facilitating(app, run).await;
    crate::courses::sessions_held(app, run, 3);
    let roster = fay.page(&format!("/courses/{run}/roster")).await;
    let sessions = register_sessions(&roster, run);
    let quentin_id = app.member_id(EMAIL).to_string();
    let response = fay
        .post(
            &format!("/courses/{run}/attendance/{}", sessions[0]),
            &[("present", quentin_id.as_str())],
        )
        .await;
    assert_redirects_to(&response, &format!("/courses/{run}/roster"));
    (quentin, his_thread, his_reply, resource)
}

/// Sam's member id (Sam signed up with the address `sam@nhs.net`).
fn sam_member_id(app: &TestApp) -> i64 {
    app.member_id("sam@nhs.net")
}

/// The documents of an export of Quentin's data hold his things and nothing of Sam's.
fn assert_holds_quentins_data(
    zip: &Unzipped,
    app: &TestApp,
    thread: i64,
    his_reply: i64,
    resource: i64,
) {
    let names = zip.names();
    for document in DOCUMENTS {
        assert!(
            names.contains(&document),
            "{document} missing from {names:?}"
        );
    }
    let readme = String::from_utf8_lossy(zip.bytes("README.txt")).into_owned();
    assert!(
        readme.contains("posts.json") && readme.contains("messages.json"),
        "{readme}"
    );

    let profile = zip.json("profile.json");
    assert_eq!(profile["email"], EMAIL);
    assert_eq!(profile["display_name"], NAME);
    assert_eq!(profile["about"], "Ask me about *walking* groups.");
    assert_eq!(
        profile["service"],
        serde_json::json!({
            "offers": "Quillfeather *falls* clinic.",
            "who_it_is_for": "Adults in Manchester.",
            "how_to_refer": "Phone the clinic.",
            "area": ["manchester", "trafford"],
        })
    );
    assert_eq!(profile["member_id"], app.member_id(EMAIL));
    assert!(profile.get("password_hash").is_none());
    assert_eq!(profile["followed_tags"], serde_json::json!(["walking"]));
    assert!(
        profile["watched_threads"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["thread_id"] == thread),
        "{profile}"
    );

    let posts = zip.list("posts.json");
    assert_eq!(posts.len(), 2, "his opening post and his reply: {posts:?}");
    let edited = posts
        .iter()
        .find(|p| p["id"] == his_reply)
        .expect("his reply");
    assert_eq!(edited["body"], "Ours is in Harpurhey, on Tuesdays");
    assert_eq!(edited["thread_title"], "Falls clinics");
    assert_eq!(edited["position"], 2);
    assert!(edited["edited_at"].is_string(), "{edited}");
    let earlier = edited["earlier_versions"].as_array().expect("its history");
    assert_eq!(earlier.len(), 1, "{edited}");
    assert_eq!(earlier[0]["body"], "Ours is in Harpurhey, first draft");

    let threads = zip.list("threads.json");
    assert_eq!(threads.len(), 1, "{threads:?}");
    assert_eq!(threads[0]["id"], thread);
    assert_eq!(threads[0]["title"], "Canal walks");

    let resources = zip.list("resources.json");
    assert_eq!(resources.len(), 1, "only his: {resources:?}");
    assert_eq!(resources[0]["id"], resource);
    assert_eq!(
        resources[0]["tags"],
        serde_json::json!(["leaflets", "walking"])
    );
    let path = resources[0]["file"]["path_in_zip"]
        .as_str()
        .expect("a file path")
        .to_owned();
    assert_eq!(path, format!("files/{resource}-quillfeather.pdf"));
    assert_eq!(zip.bytes(&path), LEAFLET, "the file is byte-identical");
    let files: Vec<&&str> = names.iter().filter(|n| n.starts_with("files/")).collect();
    assert_eq!(files, vec![&path.as_str()], "only his file");

    let bookings = zip.list("bookings.json");
    assert_eq!(bookings.len(), 1, "{bookings:?}");
    assert_eq!(bookings[0]["status"], "booked");
    assert_eq!(bookings[0]["manager_name"], "Pat Lead");
    let sessions = bookings[0]["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 3);
    assert_eq!(sessions[0]["attended"], true);
    assert_eq!(sessions[1]["attended"], Value::Null);

    let notifications = zip.list("notifications.json");
    assert!(
        notifications
            .iter()
            .any(|n| n["thread_id"] == thread && n["kind"] == "replies"),
        "Sam's reply to his thread: {notifications:?}"
    );

    let reports = zip.list("reports.json");
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert_eq!(reports[0]["reason"], "Names a clinic patient");
    assert_eq!(reports[0]["thread_title"], "Falls clinics");

    zip.list("audit.json");

    let messages = zip.list("messages.json");
    assert_eq!(
        messages.len(),
        1,
        "his message, not Sam's answer: {messages:?}"
    );
    assert_eq!(
        messages[0]["text"],
        "Quentin here: walking group on Friday?"
    );
    assert!(messages[0]["delivered_at"].is_string(), "{messages:?}");

    // Nothing of Sam's: his file, his address, his resource.
    assert!(!zip.holds(SAMS_FILE), "Sam's file");
    assert!(!zip.holds(b"sam@nhs.net"), "Sam's address");
    assert!(!zip.holds(b"Zebrafinch timetable"), "Sam's resource");
    assert!(!zip.holds(SAMS_WORDS.as_bytes()), "Sam's post");
}

on_both_engines! {
    async fn your_export_holds_every_kind_of_your_data_and_your_files_as_they_were(app: TestApp) {
        admin(&app).await;
        let sam = crate::forum::member(&app, "sam@nhs.net", "Sam Jones").await;
        let (quentin, thread, his_reply, resource) = an_active_member(&app, &sam).await;

        let account = quentin.page("/account").await;
        assert_eq!(count_of(&account, r#"a[href="/account/export"]"#), 1, "{account}");
        let page = quentin.page("/account/export").await;
        assert!(page.contains("Download your data") && page.contains("Ask for a copy"), "{page}");

        // The background worker builds it; the page shows it ready.
        let response = quentin.post("/account/export", &[]).await;
        assert_redirects_to(&response, "/account/export");
        let page = wait_until_ready(&quentin, "/account/export").await;
        assert_eq!(count_of(&page, r#"a[href="/account/export/download"]"#), 1, "{page}");
        assert!(page.contains("It can be downloaded until"), "{page}");

        // The emailed link: only for him, signed in.
        let link = emailed_link(&app, EMAIL, "/account/export/");
        let stranger = app.another_browser();
        let response = stranger.get(&link).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "sign in first");
        assert!(header(&response, "location").starts_with("/login"), "{:?}", response.headers());
        assert_eq!(sam.get(&link).await.status(), StatusCode::NOT_FOUND, "not Sam's");
        assert_eq!(sam.get("/account/export/download").await.status(), StatusCode::NOT_FOUND, "Sam has none");

        let zip = download(&quentin, &link).await;
        assert_holds_quentins_data(&zip, &app, thread, his_reply, resource);
        let again = download(&quentin, "/account/export/download").await;
        assert_eq!(again.names(), zip.names(), "the page's link gives the same zip");
    }

    #[config(|config| config.export_every = None)]
    async fn one_export_at_a_time_built_in_the_background_and_gone_after_24_hours(app: TestApp) {
        let quentin = crate::forum::member(&app, EMAIL, NAME).await;
        let quentin_id = app.member_id(EMAIL);
        Share::file("Quillfeather walking leaflet", "quillfeather.pdf", LEAFLET)
            .shared_by(&quentin)
            .await;

        // Asking twice while it waits shows the same one.
        assert_redirects_to(&quentin.post("/account/export", &[]).await, "/account/export");
        let response = quentin.post("/account/export", &[]).await;
        assert_redirects_to(&response, "/account/export");
        assert_eq!(exports_of(&app, quentin_id), 1, "one at a time");
        let response = quentin.get("/account/export").await;
        assert_eq!(header(&response, "refresh"), "10", "the page refreshes itself");
        let page = response.text().await.unwrap();
        assert!(page.contains("A copy is being made already") && page.contains("The copy is being made"), "{page}");
        assert_eq!(count_of(&page, r#"a[href="/account/export"]"#), 1, "a refresh link: {page}");
        assert_eq!(count_of(&page, r#"a[href="/account/export/download"]"#), 0);
        assert_redirects_to(&quentin.get("/account/export/download").await, "/account/export");

        // The worker's round builds it, with progress to the end, and emails the link.
        let round = app.export_round_at(spot::db::now());
        assert_eq!((round.built, round.failed), (1, 0), "{round:?}");
        let response = quentin.get("/account/export").await;
        assert_eq!(header(&response, "refresh"), "", "ready: no more refreshing");
        assert!(response.text().await.unwrap().contains("The copy is ready"));
        let link = emailed_link(&app, EMAIL, "/account/export/");
        let zip = download(&quentin, &link).await;
        assert!(zip.names().contains(&"posts.json"));
        assert_eq!(export_keys(&app).len(), 1);

        // The rule refuses it once its 24 hours are over, before the worker has swept it.
        let later = spot::db::now() + chrono::Duration::hours(25);
        let token = link.trim_start_matches("/account/export/").to_owned();
        let mut conn = app.db.conn().expect("connection");
        let member = spot::accounts::members::find(&mut conn, spot::db::MemberId(quentin_id)).unwrap();
        let viewer = spot::accounts::members::Viewer::from(&member);
        let fetched = conn
            .write_transaction(|tx| {
                spot::data_rights::exports::download(tx, &viewer, spot::data_rights::exports::Whose::Own, Some(&token), later)
            })
            .expect("the rule runs");
        assert_eq!(fetched.err(), Some(spot::data_rights::exports::Unavailable::Expired));
        drop(conn);

        // A new copy replaces the ready one: its link stops working at once.
        assert_redirects_to(&quentin.post("/account/export", &[]).await, "/account/export");
        let response = quentin.get(&link).await;
        assert_eq!(response.status(), StatusCode::GONE);
        assert!(response.text().await.unwrap().contains("That link no longer works"));
        let round = app.export_round_at(spot::db::now());
        assert_eq!((round.built, round.swept), (1, 1), "the replaced copy is deleted: {round:?}");
        let newer = emailed_link(&app, EMAIL, "/account/export/");
        assert_ne!(newer, link);
        let keys = export_keys(&app);
        assert_eq!(keys.len(), 1);
        assert!(app.files.contains(&keys[0]).await.unwrap());

        // A day later the worker deletes it, file and row; the link is dead.
        let round = app.export_round_at(later);
        assert_eq!(round.swept, 1, "{round:?}");
        assert!(!app.files.contains(&keys[0]).await.unwrap(), "the zip left the store");
        assert_eq!(exports_of(&app, quentin_id), 0);
        let response = quentin.get(&newer).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert!(response.text().await.unwrap().contains("That link no longer works"));
        assert!(quentin.page("/account/export").await.contains("Ask for a copy"));
    }

    async fn an_admin_exports_a_members_data_for_a_subject_access_request(app: TestApp) {
        admin(&app).await;
        let sam = crate::forum::member(&app, "sam@nhs.net", "Sam Jones").await;
        let (quentin, thread, his_reply, resource) = an_active_member(&app, &sam).await;
        let fay = app.another_browser();
        assert_redirects_to(&fay.login("fay@nhs.net", PASSWORD).await, "/");
        let id = app.member_id(EMAIL);
        let page_path = format!("/admin/members/{id}/export");

        let member_page = app.page(&format!("/admin/members/{id}")).await;
        assert!(member_page.contains("Subject access request"), "{member_page}");
        assert_eq!(count_of(&member_page, &format!(r#"form[action="{page_path}"] button"#)), 1, "{member_page}");

        // Nobody else may ask, nor see; a forged request (no form token) is refused too.
        for (who, browser) in [("a member", &sam), ("the member", &quentin), ("a facilitator", &fay)] {
            assert_eq!(browser.get(&page_path).await.status(), StatusCode::FORBIDDEN, "{who}");
            assert_eq!(browser.post(&page_path, &[]).await.status(), StatusCode::FORBIDDEN, "{who}");
        }
        assert_eq!(app.post_raw(&page_path, &[]).await.status(), StatusCode::FORBIDDEN, "forged");
        assert_eq!(exports_of(&app, id), 0);
        assert!(!app.page("/admin/audit").await.contains("data export requested"));

        // The admin asks: logged, built, and the link goes to the admin alone.
        assert_redirects_to(&app.post(&page_path, &[]).await, &page_path);
        let page = wait_until_ready(&app, &page_path).await;
        assert!(page.contains(NAME), "{page}");
        let audit = app.page("/admin/audit").await;
        assert!(audit.contains("data export requested") && audit.contains("subject access request"), "{audit}");
        let link = emailed_link(&app, "ada@nhs.net", &format!("{page_path}/"));
        assert!(
            emails_to(&app, EMAIL).iter().all(|text| !text.contains("/export")),
            "the member is not sent the link"
        );
        assert_eq!(quentin.get(&link).await.status(), StatusCode::FORBIDDEN);
        assert!(quentin.page("/account/export").await.contains("Ask for a copy"), "not his own copy");

        let zip = download(&app, &link).await;
        assert_holds_quentins_data(&zip, &app, thread, his_reply, resource);
        let audit = zip.list("audit.json");
        assert!(
            audit.iter().any(|entry| entry["action"] == "data export requested" && entry["target_member_id"] == id),
            "{audit:?}"
        );
        assert!(app.page("/admin/audit").await.contains("data export downloaded"));
        download(&app, &format!("{page_path}/download")).await;

        // Erasing him takes the copy with him, file and row.
        let keys = export_keys(&app);
        assert_eq!(keys.len(), 1);
        let response = app
            .post(&format!("/admin/members/{id}/erase"), &[("posts", "keep"), ("confirm", "delete"), ("erase_reason", "Left the service")])
            .await;
        assert_redirects_to(&response, "/admin/members");
        assert_eq!(exports_of(&app, id), 0);
        assert!(!app.files.contains(&keys[0]).await.unwrap(), "the zip left the store");
        assert_eq!(app.get(&page_path).await.status(), StatusCode::CONFLICT, "nothing left to export");
    }

    #[config(|config| config.export_every = None)]
    async fn two_workers_never_build_the_same_export_and_a_dead_workers_one_is_taken_up(app: TestApp) {
        use spot::data_rights::exports;
        let quentin = crate::forum::member(&app, EMAIL, NAME).await;
        let quentin_id = app.member_id(EMAIL);
        assert_redirects_to(&quentin.post("/account/export", &[]).await, "/account/export");
        let now = spot::db::now();

        // Two nodes' workers reach for it at once: one gets it.
        let claims: Vec<Option<exports::Job>> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..2)
                .map(|_| {
                    scope.spawn(|| {
                        let mut conn = app.db.conn().expect("connection");
                        exports::claim(&mut conn, now).expect("a claim")
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().expect("worker")).collect()
        });
        assert_eq!(claims.iter().flatten().count(), 1, "{claims:?}");
        let page = quentin.page("/account/export").await;
        assert!(page.contains("The copy is being made") && page.contains("0 of 0 items"), "{page}");

        // Its worker dies: once the claim has lapsed, another takes it up and builds it.
        let mut conn = app.db.conn().expect("connection");
        assert_eq!(exports::claim(&mut conn, now + chrono::Duration::minutes(1)).unwrap(), None, "still claimed");
        drop(conn);
        let round = app.export_round_at(now + chrono::Duration::minutes(6));
        assert_eq!((round.built, round.failed), (1, 0), "{round:?}");
        assert!(quentin.page("/account/export").await.contains("The copy is ready"));

        // An export whose every build dies is given up, and the page says so.
        assert_redirects_to(&quentin.post("/account/export", &[]).await, "/account/export");
        let mut conn = app.db.conn().expect("connection");
        for attempt in 0..3 {
            let at = now + chrono::Duration::minutes(10 * attempt);
            assert!(exports::claim(&mut conn, at).unwrap().is_some(), "attempt {attempt}");
        }
        assert_eq!(exports::claim(&mut conn, now + chrono::Duration::minutes(40)).unwrap(), None);
        drop(conn);
        let page = quentin.page("/account/export").await;
        assert!(page.contains("The copy could not be made") && page.contains("Try again"), "{page}");
        assert_eq!(exports_of(&app, quentin_id), 2, "the failed one stays a day, to say so");
    }
}
