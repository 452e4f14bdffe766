//! Notifications as members meet them: the list and the header's unread count, who hears
//! about replies, mentions, watched threads and categories, followed tags, moderation and
//! bookings (and who does not, private cohort spaces included), the emails with their
//! one-click unsubscribe, digests, each member's choices, and who may see what.

use chrono::Duration;
use reqwest::{Response, StatusCode};
use spot::notifications::compose;
use spot::notifications::Cadence;

use crate::forum::{facilitator, first_post, location, member, reply, reply_to, start_thread};
use crate::helpers::*;
use crate::on_both_engines;

// ---------------------------------------------------------------------------------------
// The notifications page.
// ---------------------------------------------------------------------------------------

/// The unread count the header shows beside "Notifications" (none when all are read).
fn header_count(html: &str) -> Option<String> {
    text_of(
        html,
        r#".account-links a[href="/notifications"] .unread-count"#,
    )
    .map(|count| count.trim().to_owned())
}

/// The headlines of a notifications page, in the order shown.
pub(crate) fn headlines(html: &str) -> Vec<String> {
    texts_of(html, "ol.notifications li.notification > a")
}

/// The ids of the notifications on a page, in the order shown.
fn notification_ids(html: &str) -> Vec<i64> {
    let document = scraper::Html::parse_document(html);
    let links = scraper::Selector::parse("ol.notifications li.notification > a").unwrap();
    document
        .select(&links)
        .filter_map(|a| a.value().attr("href"))
        .map(|href| {
            href.strip_prefix("/notifications/")
                .and_then(|id| id.parse().ok())
                .unwrap_or_else(|| panic!("a notification links to /notifications/<id>: {href}"))
        })
        .collect()
}

/// The whole text of the notification whose headline is `headline`.
fn notification_text(html: &str, headline: &str) -> String {
    let document = scraper::Html::parse_document(html);
    let items = scraper::Selector::parse("ol.notifications li.notification").unwrap();
    document
        .select(&items)
        .map(|li| li.text().collect::<Vec<_>>().join(" "))
        .find(|text| text.contains(headline))
        .unwrap_or_else(|| panic!("no notification “{headline}” in {html}"))
}

/// A member's notification headlines, newest first (first page).
pub(crate) async fn heard(browser: &Browser) -> Vec<String> {
    headlines(&browser.page("/notifications").await)
}

/// The id of the newest notification with this headline.
async fn notification_id(browser: &Browser, headline: &str) -> i64 {
    let page = browser.page("/notifications").await;
    let (ids, lines) = (notification_ids(&page), headlines(&page));
    lines
        .iter()
        .position(|line| line == headline)
        .map(|at| ids[at])
        .unwrap_or_else(|| panic!("no notification “{headline}”: {lines:?}"))
}

// ---------------------------------------------------------------------------------------
// Choices.
// ---------------------------------------------------------------------------------------

/// The settings form as it comes, every choice at its default.
const DEFAULTS: [(&str, &str); 6] = [
    ("replies", "immediately"),
    ("mentions", "immediately"),
    ("watching", "daily"),
    ("tags", "daily"),
    ("moderation", "immediately"),
    ("roundup", "weekly"),
];

/// Saves the settings form: the defaults with `changes`, and the auto-watch box.
async fn choose(browser: &Browser, changes: &[(&str, &str)], auto_watch: bool) -> Response {
    let mut fields: Vec<(&str, &str)> = DEFAULTS.to_vec();
    for (name, value) in changes {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value,
            None => fields.push((name, value)),
        }
    }
    if auto_watch {
        fields.push(("auto_watch", "yes"));
    }
    browser.post("/account/notifications", &fields).await
}

/// Saves choices, asserting it worked.
async fn choose_ok(browser: &Browser, changes: &[(&str, &str)], auto_watch: bool) {
    let response = choose(browser, changes, auto_watch).await;
    assert_redirects_to(&response, "/account/notifications");
}

/// The cadence the settings page shows for each topic, in the form's order.
async fn choices(browser: &Browser) -> Vec<(String, String)> {
    let page = browser.page("/account/notifications").await;
    DEFAULTS
        .iter()
        .map(|(name, _)| {
            (
                (*name).to_owned(),
                selected_value(&page, name).unwrap_or_default(),
            )
        })
        .collect()
}

fn defaults_with(changes: &[(&str, &str)]) -> Vec<(String, String)> {
    DEFAULTS
        .iter()
        .map(|(name, value)| {
            let value = changes
                .iter()
                .find(|(n, _)| n == name)
                .map_or(*value, |(_, v)| *v);
            ((*name).to_owned(), value.to_owned())
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Emails.
// ---------------------------------------------------------------------------------------

/// An email as its reader's mail program shows it.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    /// The decoded `text/plain` part.
    pub text: String,
    /// The decoded `text/html` part.
    pub html: String,
    /// Every part's media type, the outer one first: `multipart/alternative`, ...
    pub types: Vec<String>,
    /// The URL between the angle brackets of `List-Unsubscribe`.
    pub unsubscribe: Option<String>,
    pub unsubscribe_post: Option<String>,
}

pub fn parse_mail(raw: &str) -> Mail {
    use mail_parser::MimeHeaders;
    let message = mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .unwrap_or_else(|| panic!("an email: {raw}"));
    let media_type = |part: &mail_parser::MessagePart| {
        part.content_type()
            .map(|kind| match kind.subtype() {
                Some(sub) => format!("{}/{}", kind.ctype(), sub).to_lowercase(),
                None => kind.ctype().to_lowercase(),
            })
            .unwrap_or_default()
    };
    let body_of = |wanted: &str| {
        message
            .parts
            .iter()
            .filter(|part| media_type(part) == wanted)
            .filter_map(|part| part.text_contents())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let raw_header = |name: &str| {
        message
            .headers_raw()
            .find(|(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.split_whitespace().collect::<String>())
    };
    Mail {
        to: message
            .to()
            .and_then(|to| to.first())
            .and_then(|addr| addr.address())
            .unwrap_or_default()
            .to_owned(),
        subject: message.subject().unwrap_or_default().to_owned(),
        text: body_of("text/plain"),
        html: body_of("text/html"),
        types: message.parts.iter().map(media_type).collect(),
        unsubscribe: raw_header("List-Unsubscribe").map(|value| {
            value
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_owned()
        }),
        unsubscribe_post: raw_header("List-Unsubscribe-Post"),
    }
}

/// Every email sent so far (the worker flushed first), parsed.
pub fn all_mail(app: &TestApp) -> Vec<Mail> {
    app.emails().iter().map(|raw| parse_mail(raw)).collect()
}

/// The emails sent so far to this address.
pub fn mail_to(app: &TestApp, address: &str) -> Vec<Mail> {
    all_mail(app)
        .into_iter()
        .filter(|mail| mail.to == address)
        .collect()
}

/// The path (and token) of an absolute unsubscribe URL.
fn path_of(url: &str) -> String {
    let start = url
        .find("/unsubscribe/")
        .unwrap_or_else(|| panic!("an unsubscribe link: {url}"));
    url[start..].to_owned()
}

/// POSTs as a mail program does for RFC 8058: no cookies, no form token.
pub async fn one_click(url: &str) -> Response {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("POST sent")
}

// ---------------------------------------------------------------------------------------
// People, resources and courses.
// ---------------------------------------------------------------------------------------

/// Another browser, signed in as a new member of this role and borough.
async fn person(app: &TestApp, email: &str, name: &str, role: &str, borough: &str) -> Browser {
    let browser = app.another_browser();
    browser.join(email, name, role, borough).await;
    browser
}

/// Shares a link in the library, as the upload form sends it; returns the resource's id.
async fn share_link(browser: &Browser, title: &str, tags: &str, url: &str) -> i64 {
    crate::resources::Share::link(title, url)
        .tags(tags)
        .description("Worth a look.")
        .shared_by(browser)
        .await
}

/// The main browser signs up as an admin and creates a run for Manchester, Rochdale and
/// Bury at 2 pm in two weeks; returns its id.
async fn north_run(app: &TestApp, capacity: &str) -> i64 {
    app.join("ada@nhs.net", "Ada Admin", "link_worker", "salford")
        .await;
    app.promote("ada@nhs.net", "admin");
    let day = chrono::Utc::now().date_naive() + Duration::days(14);
    let starts_at = format!("{}T14:00", day.format("%Y-%m-%d"));
    let fields = [
        ("title", "SPOT course North"),
        ("description", "Three online sessions."),
        ("capacity", capacity),
        ("starts_at", starts_at.as_str()),
        ("session_count", "3"),
        ("weeks_between", "1"),
        ("duration_minutes", "120"),
        ("meeting_url", "https://meet.example.org/spot-north"),
        ("boroughs", "manchester"),
        ("boroughs", "rochdale"),
        ("boroughs", "bury"),
    ];
    let response = app.post("/admin/courses/new", &fields).await;
    let location = location(&response);
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "the run is created"
    );
    location
        .strip_prefix("/admin/courses/")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("created runs redirect to their admin page, not {location}"))
}

async fn book(browser: &Browser, run: i64) {
    let response = browser
        .post(
            &format!("/courses/{run}/book"),
            &[
                ("manager_agreed", "yes"),
                ("manager_name", "Pat Lead"),
                ("manager_email", "pat.lead@nhs.net"),
            ],
        )
        .await;
    assert_redirects_to(&response, &format!("/courses/{run}"));
}

/// Edits a post, asserting it worked.
pub(crate) async fn edit_post(browser: &Browser, post: i64, body: &str) {
    let response = browser
        .post(
            &format!("/posts/{post}/edit"),
            &[("body", body), ("action", "post")],
        )
        .await;
    assert_redirects_to(&response, &format!("/posts/{post}"));
}

async fn watch_thread(browser: &Browser, thread: i64, watch: &str) {
    let response = browser
        .post(&format!("/threads/{thread}/watch"), &[("watch", watch)])
        .await;
    assert_redirects_to(&response, &format!("/threads/{thread}"));
}

/// The next daily digest time (07:00 London) after `at`, and a minute past it.
fn after_next_daily_digest(at: chrono::NaiveDateTime) -> chrono::NaiveDateTime {
    // Digest times are at most 25 hours apart, so the latest one at or before `at + 26h`
    // comes after `at`.
    let (start, _) = compose::period(Cadence::Daily, at + Duration::hours(26));
    assert!(start > at, "{start} follows {at}");
    start + Duration::minutes(1)
}

// ---------------------------------------------------------------------------------------
// Scenarios.
// ---------------------------------------------------------------------------------------

on_both_engines! {
    async fn a_reply_tells_the_thread_author_who_opens_it_at_the_post(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let thread = start_thread(&sam, "practice-questions", "Falls clinics", "Where are the falls clinics?").await;
        let page = sam.page("/notifications").await;
        assert_eq!(header_count(&page), None, "nothing unread yet");
        assert!(headlines(&page).is_empty());
        assert!(page.contains("Nothing yet."), "{page}");

        let post = reply(&kim, thread, "There is one in Leigh on Tuesdays.").await;

        // The count shows on every page's header.
        assert_eq!(header_count(&sam.page("/forum").await).as_deref(), Some("1"));
        let page = sam.page("/notifications").await;
        assert_eq!(header_count(&page).as_deref(), Some("1"));
        assert_eq!(headlines(&page), ["Kim Lee replied to your thread “Falls clinics”"]);
        assert_eq!(count_of(&page, "li.notification.unread"), 1);
        assert!(page.contains("1 unread."), "{page}");
        // The replier hears nothing of their own reply.
        assert!(heard(&kim).await.is_empty());
        assert_eq!(header_count(&kim.page("/forum").await), None);

        let id = notification_ids(&page)[0];
        let response = sam.get(&format!("/notifications/{id}")).await;
        assert_redirects_to(&response, &format!("/posts/{post}"));
        let page = sam.page("/notifications").await;
        assert_eq!(header_count(&page), None, "opening it read it");
        assert_eq!(count_of(&page, "li.notification.unread"), 0);
        assert!(page.contains("You have read them all."), "{page}");
        // Still listed, and opening it again still leads to the post.
        assert_eq!(headlines(&page).len(), 1);
        assert_redirects_to(&sam.get(&format!("/notifications/{id}")).await, &format!("/posts/{post}"));
        // The post's link reaches the thread.
        let response = sam.get(&format!("/posts/{post}")).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(location(&response).starts_with(&format!("/threads/{thread}")), "{}", location(&response));
    }

    async fn notifications_are_marked_read_one_at_a_time_or_all_at_once(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let thread = start_thread(&sam, "practice-questions", "Falls clinics", "Where are the falls clinics?").await;
        for text in ["One in Leigh.", "One in Hindley.", "One in Standish."] {
            reply(&kim, thread, text).await;
        }
        let page = sam.page("/notifications").await;
        assert_eq!(header_count(&page).as_deref(), Some("3"));
        assert!(page.contains("3 unread."), "{page}");
        let ids = notification_ids(&page);
        assert_eq!(ids.len(), 3);

        let response = sam.post(&format!("/notifications/{}/read", ids[1]), &[]).await;
        assert_redirects_to(&response, "/notifications");
        let page = sam.page("/notifications").await;
        assert_eq!(header_count(&page).as_deref(), Some("2"));
        assert_eq!(count_of(&page, "li.notification.unread"), 2);
        assert_eq!(count_of(&page, &format!(r#"form[action="/notifications/{}/read"]"#, ids[1])), 0, "{page}");

        let response = sam.post("/notifications/read", &[]).await;
        assert_redirects_to(&response, "/notifications");
        let page = sam.page("/notifications").await;
        assert!(page.contains("2 notifications marked as read."), "{page}");
        assert_eq!(header_count(&page), None);
        assert_eq!(count_of(&page, "li.notification.unread"), 0);
        assert_eq!(headlines(&page).len(), 3, "read ones stay listed");
    }

    async fn replying_to_a_post_tells_its_author_and_each_member_hears_once(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let lee = member(&app, "lee@nhs.net", "Lee Park").await;
        let thread = start_thread(&sam, "practice-questions", "Transport", "How do clients get to groups?").await;
        let kims = reply(&kim, thread, "Community transport works well.").await;
        reply_to(&lee, thread, kims, "Which scheme do you use?").await;

        // Kim is the answered post's author and also watches the thread: told once, as the
        // author.
        assert_eq!(heard(&kim).await, ["Lee Park replied to your post in “Transport”"]);
        assert_eq!(
            heard(&sam).await,
            [
                "Lee Park replied to your thread “Transport”",
                "Kim Lee replied to your thread “Transport”",
            ]
        );

        // Answering the thread's author in their own thread: "your post" wins.
        let first = first_post(&app, thread);
        reply_to(&kim, thread, first, "Sam, the council has a list.").await;
        assert_eq!(heard(&sam).await[0], "Kim Lee replied to your post in “Transport”");
        assert_eq!(heard(&sam).await.len(), 3);

        // Mentioned and the thread's author: told once, of the mention.
        reply(&lee, thread, "@Sam Jones have you tried the dial-a-ride?").await;
        let sams = heard(&sam).await;
        assert_eq!(sams.len(), 4, "{sams:?}");
        assert_eq!(sams[0], "Lee Park mentioned you in “Transport”");
        // Kim watches the thread (she replied): told of Lee's reply as a watcher.
        let kims = heard(&kim).await;
        assert_eq!(kims[0], "Lee Park replied in “Transport”", "{kims:?}");
        assert_eq!(kims.len(), 2, "{kims:?}");
        assert!(heard(&lee).await.iter().all(|h| !h.starts_with("Lee Park")), "nobody hears of their own doing");
    }

    async fn a_mention_tells_the_member_and_an_edit_tells_only_the_newly_mentioned(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let lee = member(&app, "lee@nhs.net", "Lee Park").await;
        let thread = start_thread(&sam, "practice-questions", "Home adaptations", "Thanks @Kim Lee for the tip.").await;
        assert_eq!(heard(&kim).await, ["Sam Jones mentioned you in “Home adaptations”"]);
        assert!(heard(&lee).await.is_empty());
        let id = notification_id(&kim, "Sam Jones mentioned you in “Home adaptations”").await;
        let post = first_post(&app, thread);
        assert_redirects_to(&kim.get(&format!("/notifications/{id}")).await, &format!("/posts/{post}"));

        edit_post(&sam, post, "Thanks @Kim Lee for the tip, and @Lee Park for the contacts.").await;
        assert_eq!(heard(&lee).await, ["Sam Jones mentioned you in “Home adaptations”"]);
        assert_eq!(heard(&kim).await.len(), 1, "Kim was mentioned before: not told again");

        // An edit that mentions nobody new tells nobody.
        edit_post(&sam, post, "Thanks @Kim Lee and @Lee Park, both of you.").await;
        assert_eq!(heard(&kim).await.len(), 1);
        assert_eq!(heard(&lee).await.len(), 1);
        // Neither is a mention of an address or of nobody.
        start_thread(&sam, "introductions", "Hello", "Write to kim@nhs.net or ask @Nobody Here.").await;
        assert_eq!(heard(&kim).await.len(), 1);
    }

    async fn a_member_who_replied_hears_of_later_replies_until_they_stop_watching(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let lee = member(&app, "lee@nhs.net", "Lee Park").await;
        let thread = start_thread(&sam, "practice-questions", "Sleep groups", "Any sleep groups in Wigan?").await;
        reply(&kim, thread, "Following this one.").await;
        let page = kim.page(&format!("/threads/{thread}")).await;
        assert!(page.contains("Stop watching this thread"), "replying watches: {page}");
        let listed = kim.page("/account/notifications").await;
        assert_eq!(count_of(&listed, &format!(r#"a[href="/threads/{thread}"]"#)), 1, "{listed}");

        reply(&lee, thread, "There is one in Ince.").await;
        assert_eq!(heard(&kim).await, ["Lee Park replied in “Sleep groups”"]);

        watch_thread(&kim, thread, "no").await;
        let page = kim.page(&format!("/threads/{thread}")).await;
        assert!(page.contains("You have stopped watching this thread."), "{page}");
        assert!(page.contains("Watch this thread"), "{page}");
        reply(&lee, thread, "And another in Pemberton.").await;
        assert_eq!(heard(&kim).await.len(), 1, "no longer watching");
        // Replying again does not start watching again what she chose to stop watching.
        reply(&kim, thread, "Thanks both.").await;
        reply(&lee, thread, "You are welcome.").await;
        assert_eq!(heard(&kim).await.len(), 1);

        watch_thread(&kim, thread, "yes").await;
        reply(&lee, thread, "One more for the list.").await;
        let kims = heard(&kim).await;
        assert_eq!(kims.len(), 2, "{kims:?}");
        assert_eq!(kims[0], "Lee Park replied in “Sleep groups”");

        let response = kim.post(&format!("/threads/{thread}/watch"), &[("watch", "maybe")]).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }

    async fn with_auto_watch_off_replying_does_not_watch(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let lee = member(&app, "lee@nhs.net", "Lee Park").await;
        let page = kim.page("/account/notifications").await;
        assert_eq!(count_of(&page, r#"input[name="auto_watch"][checked]"#), 1, "on by default");
        choose_ok(&kim, &[], false).await;
        let page = kim.page("/account/notifications").await;
        assert!(page.contains("Your choices are saved."), "{page}");
        assert_eq!(count_of(&page, r#"input[name="auto_watch"][checked]"#), 0, "{page}");

        let thread = start_thread(&sam, "practice-questions", "Sleep groups", "Any sleep groups in Wigan?").await;
        reply(&kim, thread, "I would like to know too.").await;
        let page = kim.page(&format!("/threads/{thread}")).await;
        assert!(page.contains("Watch this thread") && !page.contains("Stop watching this thread"), "{page}");
        reply(&lee, thread, "There is one in Ince.").await;
        assert!(heard(&kim).await.is_empty());
        // Her own threads are not watched either, but their replies still reach her.
        let own = start_thread(&kim, "practice-questions", "Pain clinics", "Which pain clinics take referrals?").await;
        reply(&lee, own, "Wrightington does.").await;
        assert_eq!(heard(&kim).await, ["Lee Park replied to your thread “Pain clinics”"]);
    }

    async fn watching_a_category_tells_of_new_threads_in_it(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let response = kim.post("/forum/local-services/watch", &[("watch", "yes")]).await;
        assert_redirects_to(&response, "/forum/local-services");
        let page = kim.page("/forum/local-services").await;
        assert!(page.contains("Stop watching this category"), "{page}");
        let listed = kim.page("/account/notifications").await;
        assert_eq!(count_of(&listed, r#"a[href="/forum/local-services"]"#), 1, "{listed}");

        let thread = start_thread(&sam, "local-services", "Wigan food bank", "Opening times changed.").await;
        start_thread(&sam, "practice-questions", "Elsewhere", "Not in a watched category.").await;
        let kims = heard(&kim).await;
        assert_eq!(kims, ["Sam Jones started “Wigan food bank” in Local services & boroughs"]);
        let id = notification_id(&kim, &kims[0]).await;
        let first = first_post(&app, thread);
        assert_redirects_to(&kim.get(&format!("/notifications/{id}")).await, &format!("/posts/{first}"));
        // Watching a category is not watching its threads' replies.
        let lee = member(&app, "lee@nhs.net", "Lee Park").await;
        reply(&lee, thread, "Thanks for the update.").await;
        assert_eq!(heard(&kim).await.len(), 1);

        let response = kim.post("/forum/local-services/watch", &[("watch", "no")]).await;
        assert_redirects_to(&response, "/forum/local-services");
        start_thread(&sam, "local-services", "Bolton lunch club", "New on Fridays.").await;
        assert_eq!(heard(&kim).await.len(), 1);
    }

    async fn nobody_hears_of_a_cohort_space_they_cannot_read(app: TestApp) {
        let run = north_run(&app, "15").await;
        let fay = person(&app, "fay@nhs.net", "Fay Facilitator", "occupational_therapist", "bolton").await;
        app.promote("fay@nhs.net", "facilitator");
        crate::courses::assign(&app, run, "fay@nhs.net");
        let ann = person(&app, "ann@nhs.net", "Ann Bury", "link_worker", "bury").await;
        let bob = person(&app, "bob@nhs.net", "Bob Bury", "link_worker", "bury").await;
        let cat = person(&app, "cat@nhs.net", "Cat Manchester", "occupational_therapist", "manchester").await;
        book(&ann, run).await;
        book(&cat, run).await;
        let space = format!("cohort-{run}");

        // Bob, not on the run, can watch neither the space nor its threads.
        let response = bob.post(&format!("/forum/{space}/watch"), &[("watch", "yes")]).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let response = fay.post(&format!("/forum/{space}/watch"), &[("watch", "yes")]).await;
        assert_redirects_to(&response, &format!("/forum/{space}"));

        let thread = start_thread(&ann, &space, "Before session one", "Hello @Bob Bury and @Fay Facilitator, see you soon.").await;
        assert!(heard(&bob).await.is_empty(), "Bob cannot read the cohort space");
        assert_eq!(heard(&fay).await, ["Ann Bury mentioned you in “Before session one”"], "the mention wins over watching");
        let response = bob.post(&format!("/threads/{thread}/watch"), &[("watch", "yes")]).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        reply(&cat, thread, "Looking forward to it, @Bob Bury.").await;
        assert!(heard(&bob).await.is_empty());
        let about_the_thread = |heard: Vec<String>| -> Vec<String> {
            heard.into_iter().filter(|h| h.contains("“Before session one”")).collect()
        };
        assert_eq!(about_the_thread(heard(&ann).await), ["Cat Manchester replied to your thread “Before session one”"]);

        // Ann leaves the run: she no longer reads the space, so she hears nothing of it, as
        // its author, as a watcher or when mentioned.
        let response = ann.post(&format!("/courses/{run}/cancel"), &[]).await;
        assert_redirects_to(&response, &format!("/courses/{run}"));
        reply(&cat, thread, "Shame you cannot come, @Ann Bury.").await;
        assert_eq!(about_the_thread(heard(&ann).await).len(), 1, "nothing more once she left");
        // Fay (a facilitator) watches the space, not the thread: a new thread reaches her.
        start_thread(&cat, &space, "Session two notes", "Notes from today.").await;
        assert_eq!(heard(&fay).await[0], "Cat Manchester started “Session two notes” in Cohort: SPOT course North");
        assert!(heard(&bob).await.is_empty());
    }

    async fn following_a_tag_tells_of_new_resources_with_it(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let lee = member(&app, "lee@nhs.net", "Lee Park").await;
        share_link(&sam, "Falls prevention guide", "Falls, Housing", "https://example.org/falls-guide").await;

        let response = kim.post("/resources/follow", &[("tag", "falls"), ("follow", "yes")]).await;
        assert_redirects_to(&response, "/resources?tag=falls");
        let page = kim.page("/resources?tag=falls").await;
        assert!(page.contains("You follow “falls”"), "{page}");
        // Typed by hand, in any case: the library's spelling of the tag is followed.
        let response = lee.post("/resources/follow", &[("tag", "  Falls "), ("follow", "yes")]).await;
        assert_redirects_to(&response, "/resources?tag=falls");
        let response = kim.post("/resources/follow", &[("tag", "no such tag"), ("follow", "yes")]).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);

        let leaflet = share_link(&lee, "Falls leaflet", "falls, leaflets", "https://example.org/falls-leaflet").await;
        share_link(&lee, "Housing grants", "housing", "https://example.org/grants").await;
        assert_eq!(heard(&kim).await, ["Lee Park shared “Falls leaflet”, tagged “falls”"]);
        assert!(heard(&lee).await.is_empty(), "the sharer is not told of their own resource");
        assert!(heard(&sam).await.is_empty(), "Sam follows nothing");
        let id = notification_id(&kim, "Lee Park shared “Falls leaflet”, tagged “falls”").await;
        assert_redirects_to(&kim.get(&format!("/notifications/{id}")).await, &format!("/resources/{leaflet}"));
        let listed = kim.page("/account/notifications").await;
        assert_eq!(count_of(&listed, r#"a[href="/resources?tag=falls"]"#), 1, "{listed}");

        let response = kim.post("/resources/follow", &[("tag", "falls"), ("follow", "no")]).await;
        assert_redirects_to(&response, "/resources?tag=falls");
        share_link(&sam, "Falls and footwear", "falls", "https://example.org/footwear").await;
        assert_eq!(heard(&kim).await.len(), 1);
        assert_eq!(heard(&lee).await, ["Sam Jones shared “Falls and footwear”, tagged “falls”"]);
    }

    async fn moderation_tells_the_author_why_and_each_reporter_how_it_ended(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let lee = member(&app, "lee@nhs.net", "Lee Park").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let thread = start_thread(&sam, "practice-questions", "Heated debate", "Let us discuss.").await;

        let rude = reply(&kim, thread, "That is a silly question.").await;
        let response = fay.post(&format!("/posts/{rude}/hide"), &[("reason", "Personal attack")]).await;
        assert_redirects_to(&response, &format!("/posts/{rude}"));
        let page = kim.page("/notifications").await;
        assert_eq!(headlines(&page), ["A facilitator hid your post in “Heated debate”"]);
        assert!(notification_text(&page, "hid your post").contains("Reason: Personal attack"), "{page}");

        let risky = reply(&kim, thread, "I saw a client at the big Tesco today.").await;
        for reporter in [&sam, &lee] {
            let response = reporter.post(&format!("/posts/{risky}/report"), &[("reason", "It may identify a client")]).await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER);
        }
        let response = fay.post(&format!("/moderation/posts/{risky}/resolve"), &[("reason", "Could identify a client")]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        for reporter in [&sam, &lee] {
            let page = reporter.page("/notifications").await;
            let upheld = "Your report was upheld: a facilitator hid the post in “Heated debate”";
            assert_eq!(headlines(&page)[0], upheld, "{page}");
            assert!(notification_text(&page, upheld).contains("Reason: Could identify a client"));
            assert_eq!(headlines(&page).iter().filter(|h| h.starts_with("Your report")).count(), 1);
        }
        let page = kim.page("/notifications").await;
        assert_eq!(headlines(&page).len(), 2);
        assert_eq!(headlines(&page)[0], "A facilitator hid your post in “Heated debate”");

        let fine = reply(&kim, thread, "Sorry, I meant to ask about referrals.").await;
        let response = lee.post(&format!("/posts/{fine}/report"), &[("reason", "Off topic")]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let response = fay.post(&format!("/moderation/posts/{fine}/dismiss"), &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let page = lee.page("/notifications").await;
        let stays = "Your report was reviewed: the post in “Heated debate” stays up";
        assert_eq!(headlines(&page)[0], stays, "{page}");
        assert!(notification_text(&page, stays).contains("within the community's guidelines"));
        assert_eq!(heard(&sam).await.iter().filter(|h| h.starts_with("Your report")).count(), 1, "Sam did not report it");
        assert!(heard(&fay).await.is_empty(), "the facilitator hears nothing of her own doing");
        // Kim is emailed each time (moderation is emailed at once), with the reason.
        let mail = mail_to(&app, "kim@nhs.net");
        let hidden: Vec<&Mail> = mail.iter().filter(|m| m.subject == "A facilitator hid your post in “Heated debate”").collect();
        assert_eq!(hidden.len(), 2, "{mail:?}");
        assert!(hidden.iter().any(|m| m.text.contains("Reason: Personal attack")), "{hidden:?}");
        assert!(hidden.iter().any(|m| m.text.contains("Reason: Could identify a client")), "{hidden:?}");
        // Each reporter is emailed how their report ended.
        for address in ["sam@nhs.net", "lee@nhs.net"] {
            let mail = mail_to(&app, address);
            assert!(mail.iter().any(|m| m.subject.starts_with("Your report was upheld")), "{address}: {mail:?}");
        }
        assert!(heard(&fay).await.is_empty(), "the facilitator hears nothing of her own doing");
    }

    async fn the_author_of_a_hidden_post_is_emailed_the_reason_not_the_post(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let thread = start_thread(&sam, "practice-questions", "Heated debate", "Let us discuss.").await;
        let rude = reply(&kim, thread, "That is a silly question.").await;
        assert_eq!(mail_to(&app, "sam@nhs.net").len(), 1, "the reply's letter leaves first");
        let response = fay.post(&format!("/posts/{rude}/hide"), &[("reason", "Personal attack")]).await;
        assert_redirects_to(&response, &format!("/posts/{rude}"));
        let mail = mail_to(&app, "kim@nhs.net");
        assert_eq!(mail.len(), 1, "{mail:?}");
        assert_eq!(mail[0].subject, "A facilitator hid your post in “Heated debate”");
        assert!(mail[0].text.contains("Reason: Personal attack"), "{}", mail[0].text);
        assert!(mail[0].html.contains("Reason: Personal attack"), "{}", mail[0].html);
        assert!(!mail[0].text.contains("silly question"), "{}", mail[0].text);
        assert!(mail[0].unsubscribe.as_deref().is_some_and(|u| u.contains(".moderation.")), "{mail:?}");
        assert!(mail_to(&app, "fay@nhs.net").is_empty());
    }

    async fn a_booking_and_a_place_coming_up_are_notified_and_emailed(app: TestApp) {
        let run = north_run(&app, "2").await;
        let ann = person(&app, "ann@nhs.net", "Ann Bury", "link_worker", "bury").await;
        let ben = person(&app, "ben@nhs.net", "Ben Rochdale", "occupational_therapist", "rochdale").await;
        let cat = person(&app, "cat@nhs.net", "Cat Manchester", "link_worker", "manchester").await;
        book(&cat, run).await;
        book(&ann, run).await;
        let booked = "Your place on SPOT course North";
        assert_eq!(heard(&ann).await, [booked]);
        assert_eq!(header_count(&ann.page("/courses").await).as_deref(), Some("1"));
        let id = notification_id(&ann, booked).await;
        assert_redirects_to(&ann.get(&format!("/notifications/{id}")).await, &format!("/courses/{run}"));
        let mail = mail_to(&app, "ann@nhs.net");
        assert_eq!(mail.iter().filter(|m| m.subject == booked).count(), 1, "one email, not two: {mail:?}");

        book(&ben, run).await;
        assert_eq!(heard(&ben).await, ["You are on the waiting list for SPOT course North"]);

        let response = ann.post(&format!("/courses/{run}/cancel"), &[]).await;
        assert_redirects_to(&response, &format!("/courses/{run}"));
        let promoted = "A place has come up: you are booked on SPOT course North";
        let bens = heard(&ben).await;
        assert_eq!(bens[0], promoted, "{bens:?}");
        assert_eq!(header_count(&ben.page("/courses").await).as_deref(), Some("2"));
        assert_eq!(heard(&ann).await[0], "Booking cancelled: SPOT course North");

        let mail = mail_to(&app, "ben@nhs.net");
        let news: Vec<&Mail> = mail.iter().filter(|m| m.subject == promoted).collect();
        assert_eq!(news.len(), 1, "{mail:?}");
        assert!(news[0].text.contains("A place came up and it is yours."), "{}", news[0].text);
        // A second round sends nothing more.
        assert_eq!(mail_to(&app, "ben@nhs.net").len(), mail.len());
    }

    async fn a_reply_is_emailed_to_the_thread_author_with_a_one_click_unsubscribe(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let thread = start_thread(&sam, "practice-questions", "Ramps & <rails>", "Who fits ramps?").await;
        let post = reply(
            &kim,
            thread,
            "The **council** does, through the adaptations team.\n\n<script>alert('boo')</script>",
        )
        .await;

        let mail = all_mail(&app);
        let to_sam: Vec<&Mail> = mail.iter().filter(|m| m.to == "sam@nhs.net").collect();
        assert_eq!(to_sam.len(), 1, "{mail:?}");
        assert!(mail.iter().all(|m| m.to != "kim@nhs.net"), "the replier gets no email: {mail:?}");
        let letter = to_sam[0];
        assert_eq!(letter.subject, "Kim Lee replied to your thread “Ramps & <rails>”");
        assert_eq!(&letter.types[..3], ["multipart/alternative", "text/plain", "text/html"], "{:?}", letter.types);
        assert!(letter.text.contains("The **council** does, through the adaptations team."), "{}", letter.text);
        assert!(letter.text.contains(&format!("/posts/{post}")), "{}", letter.text);
        assert!(letter.html.contains("<strong>council</strong>"), "{}", letter.html);
        assert!(letter.html.contains(&format!("/posts/{post}\"")), "{}", letter.html);
        assert!(!letter.html.to_lowercase().contains("<script"), "{}", letter.html);
        assert!(letter.html.contains("Ramps &amp; &lt;rails&gt;"), "the title is escaped: {}", letter.html);
        assert!(!letter.html.contains("<rails>"), "{}", letter.html);

        let unsubscribe = letter.unsubscribe.clone().expect("a List-Unsubscribe header");
        assert!(unsubscribe.starts_with(&format!("{}/unsubscribe/", app.address)), "{unsubscribe}");
        assert_eq!(letter.unsubscribe_post.as_deref(), Some("List-Unsubscribe=One-Click"));
        assert!(letter.text.contains(&unsubscribe), "the footer carries the link too: {}", letter.text);
        assert!(letter.html.contains(&unsubscribe), "{}", letter.html);

        // Nothing more on later rounds.
        assert_eq!(mail_to(&app, "sam@nhs.net").len(), 1);
    }

    async fn replies_set_to_never_are_shown_but_not_emailed(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        choose_ok(&sam, &[("replies", "never")], true).await;
        assert_eq!(choices(&sam).await, defaults_with(&[("replies", "never")]));
        let thread = start_thread(&sam, "practice-questions", "Quiet please", "Do not email me.").await;
        reply(&kim, thread, "Understood.").await;
        assert_eq!(heard(&sam).await, ["Kim Lee replied to your thread “Quiet please”"]);
        assert!(mail_to(&app, "sam@nhs.net").is_empty());
        // Mentions are another topic: still emailed at once.
        reply(&kim, thread, "But @Sam Jones, one thing.").await;
        let mail = mail_to(&app, "sam@nhs.net");
        assert_eq!(mail.len(), 1, "{mail:?}");
        assert_eq!(mail[0].subject, "Kim Lee mentioned you in “Quiet please”");
    }

    async fn replies_set_to_daily_come_in_one_digest_after_seven(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        choose_ok(&sam, &[("replies", "daily"), ("roundup", "never")], true).await;
        let thread = start_thread(&sam, "practice-questions", "Digest me", "Tell me tomorrow.").await;
        let replied_at = spot::db::now();
        reply(&kim, thread, "Here is the answer you wanted.").await;
        assert_eq!(heard(&sam).await, ["Kim Lee replied to your thread “Digest me”"]);
        assert!(mail_to(&app, "sam@nhs.net").is_empty(), "no email straight away");

        let next_morning = after_next_daily_digest(replied_at);
        app.mail_round_at(next_morning);
        let mail = mail_to(&app, "sam@nhs.net");
        assert_eq!(mail.len(), 1, "one digest: {mail:?}");
        let digest = &mail[0];
        assert_eq!(digest.subject, "Your daily SPOT digest: 1 update");
        assert!(digest.text.contains("Kim Lee replied to your thread “Digest me”"), "{}", digest.text);
        assert!(digest.text.contains("Here is the answer you wanted."), "{}", digest.text);
        assert!(digest.html.contains("Kim Lee replied to your thread “Digest me”"), "{}", digest.html);
        let unsubscribe = digest.unsubscribe.clone().expect("a List-Unsubscribe header");
        assert!(unsubscribe.contains(".daily-digest."), "{unsubscribe}");

        // The same round again sends nothing more.
        let again = app.mail_round_at(next_morning);
        assert_eq!((again.letters, again.digests), (0, 0), "{again:?}");
        assert_eq!(mail_to(&app, "sam@nhs.net").len(), 1);

        // The digest's own link stops everything sent in the daily digest, and only that.
        assert_eq!(one_click(&unsubscribe).await.status(), StatusCode::OK);
        assert_eq!(
            choices(&sam).await,
            defaults_with(&[("replies", "never"), ("watching", "never"), ("tags", "never"), ("roundup", "never")])
        );
    }

    async fn a_bad_choice_is_shown_again_with_a_message_and_the_other_choices_kept(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let response = choose(
            &sam,
            &[("replies", "sometimes"), ("mentions", "daily"), ("watching", "weekly"), ("tags", "never"), ("moderation", "daily"), ("roundup", "never")],
            false,
        )
        .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(page.contains("<title>Error:"), "{page}");
        let message = field_error(&page, "replies").unwrap_or_default();
        assert!(message.contains("how often to email"), "{message:?}: {page}");
        assert_eq!(selected_value(&page, "mentions").as_deref(), Some("daily"));
        assert_eq!(selected_value(&page, "watching").as_deref(), Some("weekly"));
        assert_eq!(selected_value(&page, "tags").as_deref(), Some("never"));
        assert_eq!(selected_value(&page, "moderation").as_deref(), Some("daily"));
        assert_eq!(selected_value(&page, "roundup").as_deref(), Some("never"));
        assert_eq!(count_of(&page, r#"input[name="auto_watch"][checked]"#), 0);
        // Nothing was saved.
        assert_eq!(choices(&sam).await, defaults_with(&[]));

        let response = choose(&sam, &[("roundup", "daily")], true).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(field_error(&page, "roundup").is_some_and(|m| !m.is_empty()), "{page}");
        assert_eq!(choices(&sam).await, defaults_with(&[]));
    }

    async fn the_unsubscribe_link_stops_that_email_without_signing_in(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let thread = start_thread(&sam, "practice-questions", "Stop the emails", "Testing.").await;
        reply(&kim, thread, "First reply.").await;
        let mail = mail_to(&app, "sam@nhs.net");
        assert_eq!(mail.len(), 1, "{mail:?}");
        let link = mail[0].unsubscribe.clone().expect("a List-Unsubscribe header");

        let response = one_click(&link).await;
        assert_eq!(response.status(), StatusCode::OK);
        let page = response.text().await.unwrap();
        assert!(page.contains("You are unsubscribed"), "{page}");
        assert_eq!(choices(&sam).await, defaults_with(&[("replies", "never")]), "only replies stop");

        reply(&kim, thread, "Second reply.").await;
        assert_eq!(heard(&sam).await.len(), 2, "still shown in the app");
        assert_eq!(mail_to(&app, "sam@nhs.net").len(), 1, "no new email");
        // Clicking it twice is harmless.
        assert_eq!(one_click(&link).await.status(), StatusCode::OK);
        assert_eq!(choices(&sam).await, defaults_with(&[("replies", "never")]));
    }

    async fn a_forged_unsubscribe_link_is_refused_and_opening_a_real_one_only_asks(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let thread = start_thread(&sam, "practice-questions", "Forgery", "Testing.").await;
        reply(&kim, thread, "A reply.").await;
        let link = mail_to(&app, "sam@nhs.net")[0].unsubscribe.clone().expect("a List-Unsubscribe header");
        let path = path_of(&link);
        let token = path.trim_start_matches("/unsubscribe/");
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3, "{token}");
        assert_eq!(parts[0], app.member_id("sam@nhs.net").to_string());

        let kims_id = app.member_id("kim@nhs.net").to_string();
        let mut signature = parts[2].to_owned();
        let last = signature.pop().unwrap();
        signature.push(if last == '0' { '1' } else { '0' });
        let forgeries = [
            format!("{kims_id}.{}.{}", parts[1], parts[2]),
            format!("{}.{}.{signature}", parts[0], parts[1]),
            format!("{}.mentions.{}", parts[0], parts[2]),
            format!("{}.bookings.{}", parts[0], parts[2]),
            format!("{}.{}", parts[0], parts[1]),
            "nonsense".to_owned(),
        ];
        for forged in &forgeries {
            let url = format!("{}/unsubscribe/{forged}", app.address);
            assert_eq!(one_click(&url).await.status(), StatusCode::NOT_FOUND, "{forged}");
            assert_eq!(app.another_browser().get(&format!("/unsubscribe/{forged}")).await.status(), StatusCode::NOT_FOUND, "{forged}");
        }
        assert_eq!(choices(&sam).await, defaults_with(&[]));
        assert_eq!(choices(&kim).await, defaults_with(&[]));

        // Opening the real link (as a mail scanner would) asks, and changes nothing.
        let visitor = app.another_browser();
        let page = visitor.page(&path).await;
        assert!(page.contains("Unsubscribe"), "{page}");
        assert_eq!(count_of(&page, &format!(r#"form[method="post"][action="{path}"]"#)), 1, "{page}");
        assert_eq!(count_of(&page, r#"input[name="List-Unsubscribe"][value="One-Click"]"#), 1, "{page}");
        assert_eq!(choices(&sam).await, defaults_with(&[]));
        reply(&kim, thread, "Another reply.").await;
        assert_eq!(mail_to(&app, "sam@nhs.net").len(), 2, "still emailed");

        // Its button works from that page, without signing in or a form token.
        let response = visitor.post_raw(&path, &[("List-Unsubscribe", "One-Click")]).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(choices(&sam).await, defaults_with(&[("replies", "never")]));
    }

    async fn notifications_are_for_their_member_only(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let thread = start_thread(&sam, "practice-questions", "Private", "Mine.").await;
        reply(&kim, thread, "A reply.").await;
        let id = notification_id(&sam, "Kim Lee replied to your thread “Private”").await;

        assert_eq!(kim.get(&format!("/notifications/{id}")).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(kim.post(&format!("/notifications/{id}/read"), &[]).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(kim.get("/notifications/999999").await.status(), StatusCode::NOT_FOUND);
        let response = kim.post("/notifications/read", &[]).await;
        assert_redirects_to(&response, "/notifications");
        assert_eq!(header_count(&sam.page("/notifications").await).as_deref(), Some("1"), "still unread for Sam");

        let visitor = app.another_browser();
        assert_redirects_to(&visitor.get("/notifications").await, "/login?next=%2Fnotifications");
        let response = visitor.get(&format!("/notifications/{id}")).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(location(&response).starts_with("/login"), "{}", location(&response));
        let response = visitor.get("/account/notifications").await;
        assert!(location(&response).starts_with("/login"), "{}", location(&response));

        assert_eq!(kim.get("/admin/outbox").await.status(), StatusCode::FORBIDDEN);
        let response = visitor.get("/admin/outbox").await;
        assert!(location(&response).starts_with("/login"), "{}", location(&response));
        app.join("ada@nhs.net", "Ada Admin", "link_worker", "salford").await;
        app.promote("ada@nhs.net", "admin");
        let page = app.page("/admin/outbox").await;
        assert!(page.contains("Outgoing email"), "{page}");
    }

    async fn watching_following_and_choices_need_the_form_token(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let lee = member(&app, "lee@nhs.net", "Lee Park").await;
        share_link(&sam, "Falls prevention guide", "falls", "https://example.org/falls-guide").await;
        let thread = start_thread(&sam, "practice-questions", "Tokens", "Testing.").await;
        reply(&kim, thread, "Watching by replying.").await;
        let id = notification_id(&sam, "Kim Lee replied to your thread “Tokens”").await;

        let refused: Vec<(String, Vec<(&str, &str)>)> = vec![
            (format!("/threads/{thread}/watch"), vec![("watch", "no")]),
            ("/forum/local-services/watch".to_owned(), vec![("watch", "yes")]),
            ("/resources/follow".to_owned(), vec![("tag", "falls"), ("follow", "yes")]),
            ("/account/notifications".to_owned(), vec![("replies", "never"), ("mentions", "never"), ("watching", "never"), ("tags", "never"), ("moderation", "never"), ("roundup", "never")]),
        ];
        for (path, fields) in &refused {
            let response = kim.post_raw(path, fields).await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
            let response = kim.post_raw(path, &[fields.as_slice(), &[("csrf_token", "not-the-token")]].concat()).await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path} with a wrong token");
        }
        for path in [format!("/notifications/{id}/read"), "/notifications/read".to_owned()] {
            assert_eq!(sam.post_raw(&path, &[]).await.status(), StatusCode::FORBIDDEN, "{path}");
        }
        assert_eq!(header_count(&sam.page("/notifications").await).as_deref(), Some("1"));
        assert_eq!(choices(&kim).await, defaults_with(&[]));
        let listed = kim.page("/account/notifications").await;
        assert_eq!(count_of(&listed, &format!(r#"a[href="/threads/{thread}"]"#)), 1, "still watching: {listed}");
        assert_eq!(count_of(&listed, r#"a[href="/forum/local-services"]"#), 0, "{listed}");
        assert_eq!(count_of(&listed, r#"a[href="/resources?tag=falls"]"#), 0, "{listed}");
        reply(&lee, thread, "Kim still hears of this.").await;
        assert_eq!(heard(&kim).await, ["Lee Park replied in “Tokens”"]);
    }

    async fn the_notifications_list_pages_by_thirty_newest_first(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let thread = start_thread(&sam, "practice-questions", "A busy thread", "Reply away.").await;
        let token = kim.csrf_token().await;
        let mut posts = Vec::new();
        for n in 1..=32 {
            let body = format!("Reply number {n}");
            let response = kim
                .post_raw(&format!("/threads/{thread}/reply"), &[("body", &body), ("action", "post"), ("csrf_token", &token)])
                .await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER);
            let post: i64 = location(&response).trim_start_matches("/posts/").parse().expect("a post id");
            posts.push(post);
        }

        let first = sam.page("/notifications").await;
        assert_eq!(header_count(&first).as_deref(), Some("32"));
        assert!(first.contains("32 unread."), "{first}");
        let ids = notification_ids(&first);
        assert_eq!(ids.len(), 30);
        assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
        assert_eq!(attr_of(&first, "nav.pagination a[rel=next]", "href").as_deref(), Some("/notifications?page=2"));
        assert!(text_of(&first, "nav.pagination").is_some_and(|t| t.contains("Page 1 of 2")));
        // The newest leads to the last reply.
        assert_redirects_to(&sam.get(&format!("/notifications/{}", ids[0])).await, &format!("/posts/{}", posts[31]));

        let second = sam.page("/notifications?page=2").await;
        let older = notification_ids(&second);
        assert_eq!(older.len(), 2);
        assert!(older[0] < ids[29] && older[0] > older[1], "{older:?} after {ids:?}");
        assert_eq!(attr_of(&second, "nav.pagination a[rel=prev]", "href").as_deref(), Some("/notifications?page=1"));
        assert_redirects_to(&sam.get(&format!("/notifications/{}", older[1])).await, &format!("/posts/{}", posts[0]));
        assert_eq!(header_count(&second).as_deref(), Some("31"));
        // A page past the end is empty, not an error.
        let beyond = sam.page("/notifications?page=9").await;
        assert!(notification_ids(&beyond).is_empty());
    }

    async fn a_reply_that_mentions_someone_emails_them_and_the_thread_author(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        member(&app, "lee@nhs.net", "Lee Park").await;
        let thread = start_thread(&sam, "practice-questions", "Transport", "How do clients get to groups?").await;
        // One reply, two people told straight away (Sam of a reply, Lee of a mention), in
        // the same transaction and so in the same round of the mail worker.
        reply(&kim, thread, "@Lee Park knows the community transport schemes.").await;
        let mail = all_mail(&app);
        let to: Vec<&str> = mail.iter().map(|m| m.to.as_str()).collect();
        assert!(to.contains(&"sam@nhs.net"), "Sam is emailed: {to:?}");
        assert!(to.contains(&"lee@nhs.net"), "Lee is emailed: {to:?}");
        assert_eq!(mail.len(), 2, "{mail:?}");
    }

    async fn two_members_watching_a_thread_each_get_their_daily_digest(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let lee = member(&app, "lee@nhs.net", "Lee Park").await;
        let ray = member(&app, "ray@nhs.net", "Ray Cole").await;
        for browser in [&kim, &lee] {
            choose_ok(browser, &[("roundup", "never")], true).await;
        }
        let thread = start_thread(&sam, "practice-questions", "Watched", "Watch this.").await;
        watch_thread(&kim, thread, "yes").await;
        watch_thread(&lee, thread, "yes").await;
        let replied_at = spot::db::now();
        reply(&ray, thread, "News for both watchers.").await;
        assert_eq!(heard(&kim).await, ["Ray Cole replied in “Watched”"]);
        assert_eq!(heard(&lee).await, ["Ray Cole replied in “Watched”"]);

        app.mail_round_at(after_next_daily_digest(replied_at));
        for address in ["kim@nhs.net", "lee@nhs.net"] {
            let digests: Vec<Mail> = mail_to(&app, address)
                .into_iter()
                .filter(|m| m.subject.starts_with("Your daily SPOT digest"))
                .collect();
            assert_eq!(digests.len(), 1, "{address}: {digests:?}");
            assert!(digests[0].text.contains("News for both watchers."), "{}", digests[0].text);
        }
    }

    async fn a_thread_author_who_stops_watching_hears_only_of_answers_to_their_own_posts(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let thread = start_thread(&sam, "practice-questions", "Quiet please", "First post.").await;
        reply(&kim, thread, "A first answer.").await;
        assert_eq!(heard(&sam).await, ["Kim Lee replied to your thread “Quiet please”"]);
        watch_thread(&sam, thread, "no").await;
        reply(&kim, thread, "A second answer.").await;
        assert_eq!(heard(&sam).await.len(), 1, "no news of replies once Sam stopped watching");
        // An answer to Sam's own post still reaches Sam.
        let first = crate::forum::first_post(&app, thread);
        crate::forum::reply_to(&kim, thread, first, "Answering you directly.").await;
        assert_eq!(heard(&sam).await[0], "Kim Lee replied to your post in “Quiet please”");
    }

    async fn people_on_a_run_hear_when_a_session_moves_and_those_booked_when_its_link_changes(app: TestApp) {
        let run = north_run(&app, "2").await;
        let ann = person(&app, "ann@nhs.net", "Ann Able", "link_worker", "bury").await;
        let ben = person(&app, "ben@nhs.net", "Ben Best", "occupational_therapist", "rochdale").await;
        let cat = person(&app, "cat@nhs.net", "Cat Cole", "link_worker", "manchester").await;
        for browser in [&ann, &ben, &cat] {
            book(browser, run).await;
        }
        let before = all_mail(&app).len();

        let day = chrono::Utc::now().date_naive() + Duration::days(22);
        let moved_at = format!("{}T10:00", day.format("%Y-%m-%d"));
        let response = app
            .post(
                &format!("/admin/courses/{run}/sessions/2"),
                &[("session-2", moved_at.as_str()), ("length-2", "120")],
            )
            .await;
        assert_redirects_to(&response, &format!("/admin/courses/{run}"));
        let moved = "Session 2 of SPOT course North has moved";
        for browser in [&ann, &ben, &cat] {
            assert_eq!(heard(browser).await[0], moved, "booked and waiting are told");
        }
        let letters: Vec<Mail> = all_mail(&app).into_iter().skip(before).collect();
        assert_eq!(letters.len(), 3, "{letters:?}");
        assert!(letters.iter().all(|m| m.subject == moved && m.text.contains("10:00am")), "{letters:?}");

        let response = app
            .post(
                &format!("/admin/courses/{run}"),
                &[
                    ("title", "SPOT course North"),
                    ("description", "Three online sessions."),
                    ("capacity", "2"),
                    ("meeting_url", "https://meet.example.org/new-room"),
                ],
            )
            .await;
        assert_redirects_to(&response, &format!("/admin/courses/{run}"));
        for browser in [&ann, &ben] {
            assert_eq!(heard(browser).await[0], "Changed: SPOT course North");
        }
        assert_eq!(heard(&cat).await[0], moved, "the meeting link is for those with a place");
        let changed = mail_to(&app, "ann@nhs.net");
        assert!(changed.last().unwrap().text.contains("https://meet.example.org/new-room"));
    }
}
