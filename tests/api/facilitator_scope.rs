//! Facilitators moderate where they are put: an admin puts facilitators in charge of a
//! category (nobody in charge: every facilitator looks after it); a run's cohort space is
//! its own facilitators'. Out of scope, every moderation route refuses a forged request,
//! and the queues leave out what is not theirs.

use reqwest::{Response, StatusCode};

use crate::courses::{admin, assign, book_ok, north_run};
use crate::forum::{
    category_id, facilitator, location, member, post_text, reply, start_thread, thread_row,
};
use crate::helpers::*;
use crate::on_both_engines;

/// The main browser (an admin) puts these facilitators in charge of the category.
async fn put_in_charge(app: &TestApp, slug: &str, emails: &[&str]) -> Response {
    let ids: Vec<String> = emails
        .iter()
        .map(|email| app.member_id(email).to_string())
        .collect();
    let fields: Vec<(&str, &str)> = ids.iter().map(|id| ("facilitators", id.as_str())).collect();
    app.post(
        &format!("/admin/categories/{}/facilitators", category_id(app, slug)),
        &fields,
    )
    .await
}

/// Every moderation route for a thread and one of its posts, as forged POSTs.
fn moderation_posts(
    thread: i64,
    post: i64,
    elsewhere: i64,
) -> Vec<(String, Vec<(&'static str, String)>)> {
    let reason = || vec![("reason", "Off topic".to_owned())];
    vec![
        (format!("/threads/{thread}/pin"), vec![]),
        (format!("/threads/{thread}/lock"), vec![]),
        (
            format!("/threads/{thread}/move"),
            vec![("category", elsewhere.to_string())],
        ),
        (
            format!("/threads/{thread}/rename"),
            vec![("title", "A new title".to_owned())],
        ),
        (format!("/posts/{post}/hide"), reason()),
        (format!("/posts/{post}/unhide"), vec![]),
        (format!("/posts/{post}/remove"), vec![]),
        (format!("/posts/{post}/purge"), reason()),
        (format!("/moderation/posts/{post}/claim"), vec![]),
        (format!("/moderation/posts/{post}/unclaim"), vec![]),
        (format!("/moderation/posts/{post}/escalate"), vec![]),
        (format!("/moderation/posts/{post}/resolve"), reason()),
        (format!("/moderation/posts/{post}/dismiss"), vec![]),
    ]
}

async fn refused_everywhere(browser: &Browser, thread: i64, post: i64, elsewhere: i64) {
    for (path, fields) in moderation_posts(thread, post, elsewhere) {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let response = browser.post(&path, &fields).await;
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "{path} must be refused out of scope"
        );
    }
}

const HELD_REPLY: &str = "Mrs Patel, born 12/03/1954, still waits for a kingfisher assessment.";

on_both_engines! {
    async fn a_category_with_facilitators_in_charge_is_moderated_by_them_alone(app: TestApp) {
        admin(&app).await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let gil = facilitator(&app, "gil@nhs.net", "Gil Hart").await;
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let lee = member(&app, "lee@nhs.net", "Lee Park").await;
        let thread = start_thread(&sam, "practice-questions", "Discharge letters", "What do you include?").await;
        let post = reply(&kim, thread, "A long letter with everything in it").await;
        let intro = start_thread(&sam, "introductions", "Hello from Wigan", "Hi all").await;
        let report = lee.post(&format!("/posts/{post}/report"), &[("reason", "Rude about a colleague")]).await;
        assert_redirects_to(&report, &format!("/posts/{post}"));

        // Before anyone is in charge, every facilitator sees the report.
        assert_eq!(count_of(&gil.page("/moderation").await, "article.queue-item"), 1);

        // The admin puts Fay in charge: the form shows every facilitator, Fay ticked.
        assert_redirects_to(
            &put_in_charge(&app, "practice-questions", &["fay@nhs.net"]).await,
            &format!("/admin/categories/{}", category_id(&app, "practice-questions")),
        );
        let form = app.page(&format!("/admin/categories/{}", category_id(&app, "practice-questions"))).await;
        let fay_id = app.member_id("fay@nhs.net");
        let gil_id = app.member_id("gil@nhs.net");
        assert_eq!(count_of(&form, &format!(r#"input[name="facilitators"][value="{fay_id}"][checked]"#)), 1, "{form}");
        assert_eq!(count_of(&form, &format!(r#"input[name="facilitators"][value="{gil_id}"]:not([checked])"#)), 1, "{form}");

        // Gil: every route refused, nothing changed, no tools shown, no report listed.
        let elsewhere = category_id(&app, "local-services");
        refused_everywhere(&gil, thread, post, elsewhere).await;
        assert_eq!(gil.get(&format!("/posts/{post}/purge")).await.status(), StatusCode::FORBIDDEN);
        let list = sam.page("/forum/practice-questions").await;
        let row = thread_row(&list, thread).expect("still in its category");
        assert!(!row.contains("Pinned") && !row.contains("Locked") && row.contains("Discharge letters"), "{row}");
        let page = sam.page(&format!("/threads/{thread}")).await;
        assert!(post_text(&page, post).is_some_and(|t| t.contains("A long letter")), "{page}");
        let page = gil.page(&format!("/threads/{thread}")).await;
        assert!(!page.contains("Moderate this thread"), "{page}");
        assert_eq!(count_of(&page, r#"form[action$="/hide"]"#), 0, "{page}");
        let queue = gil.page("/moderation").await;
        assert_eq!(count_of(&queue, "article.queue-item"), 0, "{queue}");
        assert!(!gil.page("/forum").await.contains("reported post waiting"));

        // Nor may Gil move a thread he looks after into Fay's category.
        let target = category_id(&app, "practice-questions").to_string();
        let response = gil.post(&format!("/threads/{intro}/move"), &[("category", &target)]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(thread_row(&sam.page("/forum/introductions").await, intro).is_some());
        let page = gil.page(&format!("/threads/{intro}")).await;
        assert!(page.contains("Moderate this thread"), "shared categories stay his: {page}");
        assert_eq!(count_of(&page, &format!(r#"select[name="category"] option[value="{target}"]"#)), 0, "{page}");
        // In a category nobody is in charge of, he still moderates.
        assert_redirects_to(&gil.post(&format!("/threads/{intro}/pin"), &[]).await, &format!("/threads/{intro}"));

        // A held reply in Fay's category waits in her queue only.
        let response = kim
            .post(&format!("/threads/{thread}/reply"), &[("body", HELD_REPLY), ("action", "post"), ("confirm_patient_data", "yes")])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let held_post: i64 = location(&response).trim_start_matches("/posts/").parse().unwrap();
        let gil_held = gil.page("/moderation/held").await;
        assert!(!gil_held.contains("kingfisher"), "{gil_held}");
        let fay_held = fay.page("/moderation/held").await;
        assert!(fay_held.contains("kingfisher"), "{fay_held}");
        let approve = attr_of(&fay_held, r#"form[action$="/approve"]"#, "action").expect("an approve form");
        assert_eq!(gil.post(&approve, &[]).await.status(), StatusCode::FORBIDDEN);
        assert!(post_text(&sam.page(&format!("/threads/{thread}")).await, held_post).is_none());

        // Fay does all of it.
        let queue = fay.page("/moderation").await;
        assert_eq!(count_of(&queue, "article.queue-item"), 1, "{queue}");
        assert_redirects_to(&fay.post(&format!("/moderation/posts/{post}/claim"), &[]).await, "/moderation");
        assert_redirects_to(&fay.post(&format!("/threads/{thread}/pin"), &[]).await, &format!("/threads/{thread}"));
        assert_redirects_to(&fay.post(&approve, &[]).await, "/moderation/held");
        let page = sam.page(&format!("/threads/{thread}")).await;
        assert!(post_text(&page, held_post).is_some_and(|t| t.contains("kingfisher")), "{page}");

        // Each sees their own desk.
        let desk = fay.page("/facilitating").await;
        let line = texts_of(&desk, "li").into_iter().find(|l| l.contains("Practice questions")).unwrap_or_default();
        assert!(line.contains("You are in charge"), "{desk}");
        let desk = gil.page("/facilitating").await;
        assert!(!desk.contains("Practice questions"), "{desk}");
        assert!(texts_of(&desk, "li").iter().any(|l| l.contains("Introductions") && l.contains("Shared")), "{desk}");
        assert_eq!(sam.get("/facilitating").await.status(), StatusCode::FORBIDDEN);

        // The change is in the audit log, naming whom.
        let log = app.page("/moderation/log").await;
        assert!(log.contains("put in charge of a category") && log.contains("Fay Green"), "{log}");
    }

    async fn only_admins_put_facilitators_in_charge_and_only_facilitators_can_be(app: TestApp) {
        admin(&app).await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let gil = facilitator(&app, "gil@nhs.net", "Gil Hart").await;
        member(&app, "sam@nhs.net", "Sam Jones").await;
        let path = format!("/admin/categories/{}/facilitators", category_id(&app, "introductions"));
        let fay_id = app.member_id("fay@nhs.net").to_string();
        let forged = fay.post(&path, &[("facilitators", fay_id.as_str())]).await;
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);

        let response = put_in_charge(&app, "introductions", &["sam@nhs.net"]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(field_error(&page, "facilitators").is_some_and(|e| e.contains("not a facilitator")), "{page}");
        let response = app.post(&path, &[("facilitators", "seven")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // In charge, then handed back to everyone.
        put_in_charge(&app, "introductions", &["fay@nhs.net"]).await;
        let thread = start_thread(&fay, "introductions", "House rules", "Be kind").await;
        assert_eq!(gil.post(&format!("/threads/{thread}/lock"), &[]).await.status(), StatusCode::FORBIDDEN);
        assert_redirects_to(&put_in_charge(&app, "introductions", &[]).await, &path.replace("/facilitators", ""));
        assert_redirects_to(&gil.post(&format!("/threads/{thread}/lock"), &[]).await, &format!("/threads/{thread}"));
        let log = app.page("/moderation/log").await;
        assert!(log.contains("no longer in charge of a category"), "{log}");
    }

    async fn a_cohort_space_is_moderated_by_its_runs_facilitators_alone(app: TestApp) {
        admin(&app).await;
        let run = north_run(&app, "15").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        assign(&app, run, "fay@nhs.net");
        let gil = facilitator(&app, "gil@nhs.net", "Gil Hart").await;
        let ann = crate::courses::member(&app, "ann@nhs.net", "Ann Bury", "link_worker", "bury").await;
        let bob = crate::courses::member(&app, "bob@nhs.net", "Bob Bury", "link_worker", "bury").await;
        book_ok(&ann, run).await;
        book_ok(&bob, run).await;
        let space = format!("cohort-{run}");
        let thread = start_thread(&ann, &space, "Our homework", "Who has the slides?").await;
        let post = reply(&bob, thread, "Not me, sorry").await;
        let report = ann.post(&format!("/posts/{post}/report"), &[("reason", "Unkind")]).await;
        assert_redirects_to(&report, &format!("/posts/{post}"));

        // Gil runs none of it: every route refused, and the report is not his to see.
        refused_everywhere(&gil, thread, post, category_id(&app, "introductions")).await;
        assert_eq!(count_of(&gil.page("/moderation").await, "article.queue-item"), 0);
        assert!(!gil.page("/facilitating").await.contains("SPOT course"));
        // Nor can an admin put him in charge of it: the run's facilitators are.
        let response = put_in_charge(&app, &space, &["gil@nhs.net"]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // Fay facilitates the run: her desk links its roster and space; she moderates there.
        let desk = fay.page("/facilitating").await;
        assert_eq!(count_of(&desk, &format!(r#"a[href="/courses/{run}/roster"]"#)), 1, "{desk}");
        assert_eq!(count_of(&desk, &format!(r#"a[href="/forum/{space}"]"#)), 2, "the run's and the category's links: {desk}");
        assert!(texts_of(&desk, "li").iter().any(|l| l.contains("Cohort space of your run")), "{desk}");
        assert_eq!(count_of(&fay.page("/moderation").await, "article.queue-item"), 1);
        let response = fay.post(&format!("/posts/{post}/hide"), &[("reason", "Unkind to a colleague")]).await;
        assert_redirects_to(&response, &format!("/posts/{post}"));
        let page = ann.page(&format!("/threads/{thread}")).await;
        assert!(post_text(&page, post).is_some_and(|t| t.contains("Hidden by a facilitator")), "{page}");
        // And admins everywhere.
        assert_redirects_to(&app.post(&format!("/threads/{thread}/pin"), &[]).await, &format!("/threads/{thread}"));
    }
}
