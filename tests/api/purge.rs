//! Purging, as a facilitator and the people around them meet it: a post or resource that
//! identifies a patient leaves everywhere it went (the thread, earlier versions, quotes,
//! search, notifications, letters waiting in the outbox and digests not yet sent), while
//! replies keep their place and the audit log names the item and the reason, never the text.
//!
//! These servers run no mail worker: letters are written into the outbox by the worker's
//! own steps, called here, and stay there unsent until a test sends them.

use chrono::{Duration, NaiveDateTime};
use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use reqwest::{Response, StatusCode};
use spot::notifications::{compose, Cadence};

use crate::forum::location;
use crate::helpers::*;
use crate::on_both_engines;
use crate::resources::{Share, PDF};

/// The surname that identifies the patient in every scenario.
const PATIENT: &str = "Quixotely";

/// What a purged post says in place of its text.
const NOTICE: &str =
    "This post was removed by a facilitator because it contained personal details.";

// ---------------------------------------------------------------------------------------
// People and posts.
// ---------------------------------------------------------------------------------------

/// A facilitator, signed in.
async fn facilitator(app: &TestApp, email: &str, name: &str) -> Browser {
    let browser = app.signed_in_member(email, name).await;
    app.promote(email, "facilitator");
    browser
}

/// A facilitator approves everything the patient-data check holds: these scenarios are
/// about text that was published all the same, which purging takes back.
async fn approve_everything_held(facilitator: &Browser) {
    let queue = facilitator.page("/moderation/held").await;
    for action in texts_of_attr(&queue, r#"form[action$="/approve"]"#, "action") {
        let response = facilitator.post(&action, &[]).await;
        assert_redirects_to(&response, "/moderation/held");
    }
}

/// The values of one attribute of every element matching `css`.
fn texts_of_attr(html: &str, css: &str, name: &str) -> Vec<String> {
    let document = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse(css).unwrap();
    document
        .select(&selector)
        .filter_map(|element| element.value().attr(name).map(str::to_owned))
        .collect()
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

/// Writes past the patient-data check, as an author who ticks "I have checked" does: the
/// check is a prompt, and a purge is for what got through it.
async fn write(browser: &Browser, path: &str, fields: &[(&str, &str)]) -> Response {
    let mut fields = fields.to_vec();
    fields.extend([("action", "post"), ("confirm_patient_data", "yes")]);
    browser.post(path, &fields).await
}

async fn start(browser: &Browser, title: &str, body: &str) -> i64 {
    let response = write(
        browser,
        "/forum/practice-questions/new",
        &[("title", title), ("body", body)],
    )
    .await;
    id_after(&response, "/threads/")
}

async fn answer(browser: &Browser, thread: i64, to: Option<i64>, body: &str) -> i64 {
    let to = to.map(|to| to.to_string()).unwrap_or_default();
    let path = format!("/threads/{thread}/reply");
    id_after(
        &write(browser, &path, &[("body", body), ("reply_to", &to)]).await,
        "/posts/",
    )
}

async fn edit(browser: &Browser, post: i64, body: &str) {
    let response = write(browser, &format!("/posts/{post}/edit"), &[("body", body)]).await;
    assert_redirects_to(&response, &format!("/posts/{post}"));
}

fn first_post(app: &TestApp, thread: i64) -> i64 {
    crate::forum::first_post(app, thread)
}

// ---------------------------------------------------------------------------------------
// The mail, the log and search.
// ---------------------------------------------------------------------------------------

/// Each letter waiting in the outbox table (neither sent nor given up), subject and bodies
/// together.
fn unsent_letters(app: &TestApp) -> Vec<String> {
    use spot::schema::outbox;
    let mut conn = app.db.conn().expect("connection");
    outbox::table
        .filter(outbox::sent_at.is_null())
        .select((outbox::subject, outbox::text_body, outbox::html_body))
        .load::<(String, String, Option<String>)>(&mut *conn)
        .expect("outbox read")
        .into_iter()
        .map(|(subject, text, html)| format!("{subject}\n{text}\n{}", html.unwrap_or_default()))
        .collect()
}

fn unsent_carrying(app: &TestApp, words: &str) -> Vec<String> {
    unsent_letters(app)
        .into_iter()
        .filter(|letter| letter.contains(words))
        .collect()
}

/// The worker's first steps at `at`, without its last: letters and digests are written into
/// the outbox and wait there.
fn write_letters(app: &TestApp, at: NaiveDateTime) {
    let mut conn = app.db.conn().expect("connection");
    compose::send_immediate(&mut conn, &app.site, at).expect("letters written");
    compose::send_digests(&mut conn, &app.site, Cadence::Daily, at).expect("digests written");
}

/// A minute past the next daily digest time (07:00 London) after now.
fn after_next_daily_digest() -> NaiveDateTime {
    let now = spot::db::now();
    let (start, _) = compose::period(Cadence::Daily, now + Duration::hours(26));
    assert!(start > now, "{start} follows {now}");
    start + Duration::minutes(1)
}

/// The emails sent to `address` so far (after a worker round at `at`), as read.
fn delivered_to(app: &TestApp, address: &str, at: NaiveDateTime) -> Vec<String> {
    app.mail_round_at(at);
    app.emails()
        .into_iter()
        .filter(|raw| raw.contains(&format!("<{address}>")))
        .map(|raw| email_text(&raw))
        .collect()
}

/// The rows of the moderation log, as text.
async fn audit_log(facilitator: &Browser) -> Vec<String> {
    texts_of(&facilitator.page("/moderation/log").await, "table tbody tr")
}

/// The results a search for `words` lists, as text.
async fn search(browser: &Browser, words: &str) -> Vec<String> {
    let query: String = url::form_urlencoded::byte_serialize(words.as_bytes()).collect();
    texts_of(
        &browser.page(&format!("/search?q={query}")).await,
        "li.search-result",
    )
}

// ---------------------------------------------------------------------------------------
// Scenarios.
// ---------------------------------------------------------------------------------------

on_both_engines! {
    #[config(|config| config.mail_every = None)]
    async fn a_purged_post_keeps_its_place_and_its_text_is_gone_everywhere(app: TestApp) {
        let sam = app.signed_in_member("sam@nhs.net", "Sam Jones").await;
        let ann = app.signed_in_member("ann@nhs.net", "Ann Patel").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let thread = start(&sam, "Falls clinic referrals", "Who takes referrals for the falls clinic?").await;
        let careless = answer(&ann, thread, None,
            &format!("Mrs {PATIENT} (NHS 943 476 5919) fell again, ask her daughter.")).await;
        // The patient-data check held it; a facilitator let it through by mistake.
        approve_everything_held(&fay).await;
        // An edit keeps the first version for facilitators: the text is in two places.
        edit(&ann, careless, &format!("Mrs {PATIENT}, born 12/03/1941, fell again on Tuesday.")).await;
        approve_everything_held(&fay).await;
        let answering = answer(&sam, thread, Some(careless), "Thanks, I will ask the falls team.").await;

        // Before: the text is on the page, in its history, in search, and in a letter to Sam.
        let page = sam.page(&format!("/threads/{thread}")).await;
        assert!(page.contains(PATIENT), "{page}");
        assert!(fay.page(&format!("/posts/{careless}/history")).await.contains("943 476 5919"));
        assert!(!search(&fay, PATIENT).await.is_empty(), "found before the purge");
        assert!(!search(&sam, "Tuesday").await.is_empty(), "found before the purge");
        write_letters(&app, spot::db::now());
        assert!(!unsent_carrying(&app, PATIENT).is_empty(), "a letter to Sam quotes the post");

        // A member who is not a facilitator cannot purge, even with a forged form.
        let forged = sam.post(&format!("/posts/{careless}/purge"), &[("reason", "Names a patient")]).await;
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        assert_eq!(sam.get(&format!("/posts/{careless}/purge")).await.status(), StatusCode::FORBIDDEN);
        assert!(sam.page(&format!("/threads/{thread}")).await.contains(PATIENT), "nothing changed");

        // The facilitator sees the control by the post, and a page that says what will happen.
        let page = fay.page(&format!("/threads/{thread}")).await;
        let purge = format!("/posts/{careless}/purge");
        assert_eq!(count_of(&page, &format!(r#"#post-{careless} a[href="{purge}"]"#)), 1, "{page}");
        let form = fay.page(&purge).await;
        assert!(form.contains("cannot be undone"), "{form}");
        assert_eq!(count_of(&form, r#"input[name="title"]"#), 0, "a reply cannot rename the thread");
        // A reason is required; a title is refused on a reply.
        let response = fay.post(&purge, &[("reason", "")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let response = fay.post(&purge, &[("reason", "Names a patient"), ("title", "Another title")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(field_error(&response.text().await.unwrap(), "title").is_some());

        let response = fay
            .post(&purge, &[("reason", "Named a patient with her NHS number and date of birth")])
            .await;
        assert_redirects_to(&response, &format!("/posts/{careless}"));

        // The thread: the post keeps its place with the notice; the reply keeps its context
        // but quotes nothing.
        for reader in [&sam, &fay] {
            let page = reader.page(&format!("/threads/{thread}")).await;
            assert!(!page.contains(PATIENT) && !page.contains("943 476 5919"), "{page}");
            let purged = crate::forum::post_text(&page, careless).expect("the post keeps its place");
            assert!(purged.contains(NOTICE) && purged.contains("Ann Patel"), "{purged}");
            let reply = crate::forum::post_text(&page, answering).expect("the reply stays");
            assert!(reply.contains("In reply to") && reply.contains("I will ask the falls team"), "{reply}");
        }
        let history = fay.page(&format!("/posts/{careless}/history")).await;
        assert!(!history.contains(PATIENT) && !history.contains("1941"), "{history}");
        assert!(!history.contains("Version 1"), "no earlier version is kept: {history}");
        assert!(search(&fay, PATIENT).await.is_empty(), "search forgets it");
        assert!(search(&sam, "Tuesday").await.is_empty(), "search forgets it");
        assert_eq!(unsent_carrying(&app, PATIENT), Vec::<String>::new(), "no letter carries it");

        // Its author is told and cannot put the text back.
        let told = ann.page("/notifications").await;
        assert!(told.contains("A facilitator removed the text of your post"), "{told}");
        assert_eq!(ann.get(&format!("/posts/{careless}/edit")).await.status(), StatusCode::FORBIDDEN);
        let response = write(&ann, &format!("/posts/{careless}/edit"), &[("body", "Put it back")]).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);

        // The audit log names the post and the reason, never the text.
        let log = audit_log(&fay).await;
        let entry = log.iter().find(|row| row.contains("post purged")).expect("the purge is logged");
        assert!(entry.contains(&format!("post #{careless} in thread #{thread}")), "{entry}");
        assert!(entry.contains("Named a patient with her NHS number") && entry.contains("Fay Green"), "{entry}");
        assert!(log.iter().all(|row| !row.contains(PATIENT)), "{log:?}");

        // Sam's letters went out without it.
        let letters = delivered_to(&app, "sam@nhs.net", spot::db::now());
        assert!(letters.iter().all(|letter| !letter.contains(PATIENT)), "{letters:?}");
    }

    #[config(|config| config.mail_every = None)]
    async fn a_digest_written_after_a_purge_leaves_the_post_out_and_keeps_the_rest(app: TestApp) {
        let sam = app.signed_in_member("sam@nhs.net", "Sam Jones").await;
        let ann = app.signed_in_member("ann@nhs.net", "Ann Patel").await;
        let ben = app.signed_in_member("ben@nhs.net", "Ben Wigan").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        // Ben replied in two threads, so he watches both: replies there reach him in his
        // daily digest (the default).
        let falls = start(&sam, "Falls clinic referrals", "Who takes referrals?").await;
        let walks = start(&sam, "Walking groups in Wigan", "Which ones are good?").await;
        answer(&ben, falls, None, "Following this.").await;
        answer(&ben, walks, None, "Me too.").await;
        let careless = answer(&ann, falls, None, &format!("Mr {PATIENT} at 4 Mill Lane is on their list.")).await;
        answer(&ann, walks, None, "The Tuesday walking group meets at the library.").await;

        // The digest is written and waits in the outbox with both replies.
        let at = after_next_daily_digest();
        write_letters(&app, at);
        let waiting = unsent_carrying(&app, "Your daily SPOT digest");
        assert_eq!(waiting.len(), 1, "Ben's digest: {waiting:?}");
        assert!(waiting[0].contains(PATIENT) && waiting[0].contains("Tuesday walking group"));

        let response = fay.post(&format!("/posts/{careless}/purge"), &[("reason", "Named a patient and his address")]).await;
        assert_redirects_to(&response, &format!("/posts/{careless}"));
        assert_eq!(unsent_carrying(&app, PATIENT), Vec::<String>::new(), "the digest is taken back");

        // The next round writes Ben's digest again, without the post and with the rest.
        let letters = delivered_to(&app, "ben@nhs.net", at);
        let digests: Vec<&String> = letters.iter().filter(|l| l.contains("Your daily SPOT digest")).collect();
        assert_eq!(digests.len(), 1, "one digest for Ben: {letters:?}");
        assert!(digests[0].contains("Tuesday walking group"), "{}", digests[0]);
        assert!(digests[0].contains("Walking groups in Wigan"), "{}", digests[0]);
        assert!(!digests[0].contains(PATIENT) && !digests[0].contains("Mill Lane"), "{}", digests[0]);
        assert!(letters.iter().all(|letter| !letter.contains(PATIENT)), "{letters:?}");
        // And only once.
        assert_eq!(delivered_to(&app, "ben@nhs.net", at).len(), letters.len());
    }

    #[config(|config| config.mail_every = None)]
    async fn purging_the_opening_post_can_replace_the_thread_title_everywhere(app: TestApp) {
        let sam = app.signed_in_member("sam@nhs.net", "Sam Jones").await;
        let ann = app.signed_in_member("ann@nhs.net", "Ann Patel").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let title = format!("Mrs {PATIENT} keeps falling");
        let thread = start(&sam, &title, "She fell at home on Tuesday. Any ideas?").await;
        answer(&ann, thread, None, "Try the falls clinic in Leigh.").await;
        let pinned = fay.post(&format!("/threads/{thread}/pin"), &[]).await;
        assert_redirects_to(&pinned, &format!("/threads/{thread}"));
        write_letters(&app, spot::db::now());
        assert!(!unsent_carrying(&app, PATIENT).is_empty(), "the letter to Sam names the thread");
        assert!(audit_log(&fay).await.iter().any(|row| row.contains(PATIENT)), "the pin names it");

        let opening = first_post(&app, thread);
        let form = fay.page(&format!("/posts/{opening}/purge")).await;
        assert_eq!(count_of(&form, r#"input[name="title"]"#), 1, "the opening post offers a new title");
        let response = fay
            .post(&format!("/posts/{opening}/purge"), &[("reason", "Named a patient"), ("title", "Falls at home")])
            .await;
        assert_redirects_to(&response, &format!("/posts/{opening}"));

        let page = ann.page(&format!("/threads/{thread}")).await;
        assert_eq!(text_of(&page, "h1").as_deref(), Some("Falls at home"));
        assert!(!page.contains(PATIENT) && page.contains(NOTICE), "{page}");
        assert!(page.contains("Try the falls clinic in Leigh"), "replies stay");
        assert!(search(&fay, PATIENT).await.is_empty());
        let found = search(&fay, "Leigh").await;
        assert!(found.len() == 1 && found[0].contains("Falls at home"), "{found:?}");
        assert_eq!(unsent_carrying(&app, PATIENT), Vec::<String>::new());
        let heard = sam.page("/notifications").await;
        assert!(!heard.contains(PATIENT) && heard.contains("Falls at home"), "{heard}");
        let log = audit_log(&fay).await;
        assert!(log.iter().all(|row| !row.contains(PATIENT)), "{log:?}");
        assert!(log.iter().any(|row| row.contains("post purged") && row.contains("the thread's title")), "{log:?}");

        // Sam's letter is written again under the new title.
        let letters = delivered_to(&app, "sam@nhs.net", spot::db::now());
        assert!(letters.iter().any(|l| l.contains("Falls at home")), "{letters:?}");
        assert!(letters.iter().all(|l| !l.contains(PATIENT)), "{letters:?}");
    }

    #[config(|config| config.mail_every = None)]
    async fn a_purged_resource_is_gone_with_its_file_tags_discussion_and_letters(app: TestApp) {
        let sam = app.signed_in_member("sam@nhs.net", "Sam Jones").await;
        let ben = app.signed_in_member("ben@nhs.net", "Ben Wigan").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let mut leaflet_pdf = PDF.to_vec();
        leaflet_pdf.extend_from_slice(b"% leaflet\n");
        Share::file("Falls prevention leaflet", "leaflet.pdf", &leaflet_pdf)
            .tags("falls")
            .shared_by(&sam)
            .await;
        // Ben follows "falls": new resources with it reach him in his daily digest.
        let follow = ben.post("/resources/follow", &[("tag", "falls"), ("follow", "yes")]).await;
        assert_redirects_to(&follow, "/resources?tag=falls");
        let title = format!("Care plan for Mr {PATIENT}");
        let careless = Share::file(&title, "care-plan.pdf", PDF)
            .tags(&format!("falls, {} family", PATIENT.to_lowercase()))
            .description("His home visit notes.")
            .shared_by(&sam)
            .await;
        Share::link("Falls exercise video", "https://www.nhs.uk/")
            .tags("falls")
            .shared_by(&sam)
            .await;
        let discussed = sam.post(&format!("/resources/{careless}/discuss"), &[]).await;
        let discussion = id_after(&discussed, "/threads/");
        let uploads = app.data_dir.path().join("uploads");
        let stored = || -> Vec<String> {
            std::fs::read_dir(&uploads).unwrap().filter_map(Result::ok)
                .filter(|e| e.path().is_file())
                .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
                .collect()
        };
        assert_eq!(stored().len(), 2);
        let at = after_next_daily_digest();
        write_letters(&app, at);
        let waiting = unsent_carrying(&app, PATIENT);
        assert!(waiting.len() == 1 && waiting[0].contains("Falls exercise video"), "Ben's digest: {waiting:?}");
        let hidden = fay.post(&format!("/resources/{careless}/hide"), &[]).await;
        assert_eq!(hidden.status(), StatusCode::SEE_OTHER);

        // Even the member who shared it cannot purge it.
        let forged = sam.post(&format!("/resources/{careless}/purge"), &[("reason", "Names a patient")]).await;
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        assert!(sam.page(&format!("/resources/{careless}")).await.contains(PATIENT));

        let page = fay.page(&format!("/resources/{careless}")).await;
        let purge = format!("/resources/{careless}/purge");
        assert_eq!(count_of(&page, &format!(r#"a[href="{purge}"]"#)), 1, "{page}");
        assert!(fay.page(&purge).await.contains("cannot be undone"));
        let response = fay.post(&purge, &[("reason", "")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let response = fay.post(&purge, &[("reason", "A patient's care plan with his name")]).await;
        assert_redirects_to(&response, "/resources");

        for reader in [&sam, &fay] {
            let response = reader.get(&format!("/resources/{careless}")).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND);
            let listed = reader.page("/resources?tag=falls").await;
            assert!(!listed.contains(PATIENT) && listed.contains("Falls prevention leaflet"), "{listed}");
            assert!(!reader.page("/resources").await.contains(PATIENT));
            assert!(search(reader, PATIENT).await.is_empty());
        }
        assert!(texts_of(&fay.page("/resources").await, "ul.cloud a.tag").contains(&"falls (2)".to_owned()));
        let family = fay.page(&format!("/resources?tag={}+family", PATIENT.to_lowercase())).await;
        assert!(family.contains("<h2>0 resources</h2>"), "{family}");
        assert!(!fay.page("/resources/new").await.contains(&PATIENT.to_lowercase()), "the tag is gone");
        assert_eq!(stored(), vec![String::from_utf8(leaflet_pdf).unwrap()], "its file is gone");

        // Its discussion repeated its title: renamed, its opening post purged, replies kept.
        let page = fay.page(&format!("/threads/{discussion}")).await;
        assert_eq!(text_of(&page, "h1").as_deref(), Some("About a resource that was removed"));
        assert!(!page.contains(PATIENT) && page.contains(NOTICE), "{page}");

        // Letters: none waiting names it; Ben's digest comes again with the video alone.
        assert_eq!(unsent_carrying(&app, PATIENT), Vec::<String>::new());
        let letters = delivered_to(&app, "ben@nhs.net", at);
        let digest = letters.iter().find(|l| l.contains("Your daily SPOT digest: 1 update"));
        assert!(digest.is_some_and(|l| l.contains("Falls exercise video")), "{letters:?}");
        assert!(letters.iter().all(|l| !l.contains(PATIENT)), "{letters:?}");
        assert!(sam.page("/notifications").await.contains("A facilitator removed a resource you shared"));

        // The audit log names the resource by number; the hiding before it no longer
        // quotes the title.
        let log = audit_log(&fay).await;
        let entry = log.iter().find(|row| row.contains("resource purged")).expect("logged");
        assert!(entry.contains(&format!("resource #{careless}")) && entry.contains("care plan with his name"), "{entry}");
        assert!(log.iter().any(|row| row.contains("resource hidden")), "{log:?}");
        assert!(log.iter().all(|row| !row.contains(PATIENT)), "{log:?}");
    }
}
