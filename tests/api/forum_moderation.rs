//! Forum moderation: locking, pinning, moving and renaming threads, hiding and deleting
//! posts, the report queue, suspensions and the audit log behind them all.

use reqwest::StatusCode;

use crate::forum::*;
use crate::helpers::*;
use crate::on_both_engines;

/// The rows of the moderation log, as text, newest first.
fn log_rows(html: &str) -> Vec<String> {
    table_rows(html, "table tbody tr", "td")
        .into_iter()
        .map(|row| row.join(" | "))
        .collect()
}

/// The log row for this action (the newest), which must be there.
fn log_row(html: &str, action: &str) -> String {
    log_rows(html)
        .into_iter()
        .find(|row| row.contains(action))
        .unwrap_or_else(|| panic!("no “{action}” in the log: {html}"))
}

on_both_engines! {
    async fn a_locked_thread_takes_no_replies_until_unlocked(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let thread = start_thread(&sam, "practice-questions", "Heated debate", "Let us discuss.").await;

        let response = fay.post(&format!("/threads/{thread}/lock"), &[]).await;
        assert_redirects_to(&response, &format!("/threads/{thread}"));

        let page = sam.page(&format!("/threads/{thread}")).await;
        assert!(page.contains("This thread is locked: it takes no more replies."), "{page}");
        assert!(!has_reply_form(&page, thread), "{page}");
        let list = sam.page("/forum/practice-questions").await;
        assert!(thread_row(&list, thread).is_some_and(|row| row.contains("Locked")));

        let response = sam
            .post(&format!("/threads/{thread}/reply"), &[("body", "One more thing"), ("action", "post")])
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(response.text().await.unwrap().contains("locked"));
        let response = sam.get(&format!("/threads/{thread}/reply")).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(post_count(&app, thread), 1);

        let response = fay.post(&format!("/threads/{thread}/unlock"), &[]).await;
        assert_redirects_to(&response, &format!("/threads/{thread}"));
        let page = sam.page(&format!("/threads/{thread}")).await;
        assert!(has_reply_form(&page, thread) && !page.contains("This thread is locked"));
        reply(&sam, thread, "One more thing").await;
        assert_eq!(post_count(&app, thread), 2);

        let log = fay.page("/moderation/log").await;
        assert!(log_row(&log, "thread locked").contains("Fay Green"));
        assert!(log_row(&log, "thread unlocked").contains("Fay Green"));
    }

    async fn a_pinned_thread_comes_first(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let older = start_thread(&sam, "introductions", "House rules", "Be kind.").await;
        start_thread(&sam, "introductions", "Hello from Bury", "Hi!").await;
        let list = sam.page("/forum/introductions").await;
        assert_eq!(thread_titles(&list), ["Hello from Bury", "House rules"]);

        let response = fay.post(&format!("/threads/{older}/pin"), &[]).await;
        assert_redirects_to(&response, &format!("/threads/{older}"));
        let list = sam.page("/forum/introductions").await;
        assert_eq!(thread_titles(&list), ["House rules", "Hello from Bury"]);
        assert!(thread_row(&list, older).is_some_and(|row| row.contains("Pinned")));

        // Newer activity elsewhere does not push it down.
        start_thread(&sam, "introductions", "Hello from Oldham", "Hi again!").await;
        let list = sam.page("/forum/introductions").await;
        assert_eq!(thread_titles(&list)[0], "House rules");

        let response = fay.post(&format!("/threads/{older}/unpin"), &[]).await;
        assert_redirects_to(&response, &format!("/threads/{older}"));
        let list = sam.page("/forum/introductions").await;
        assert_eq!(thread_titles(&list), ["Hello from Oldham", "Hello from Bury", "House rules"]);
    }

    async fn facilitators_move_and_rename_threads(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let thread = start_thread(&sam, "practice-questions", "Bolton groups", "Which groups run in Bolton?").await;

        let to = category_id(&app, "local-services").to_string();
        let response = fay.post(&format!("/threads/{thread}/move"), &[("category", &to)]).await;
        assert_redirects_to(&response, &format!("/threads/{thread}"));
        let list = sam.page("/forum/practice-questions").await;
        assert!(thread_titles(&list).is_empty(), "{list}");
        let list = sam.page("/forum/local-services").await;
        assert_eq!(thread_titles(&list), ["Bolton groups"]);
        // The forum index's counts follow the thread.
        let index = sam.page("/forum").await;
        let cards = texts_of(&index, "ul.categories li.card");
        let card = |name: &str| cards.iter().find(|c| c.contains(name)).cloned().unwrap_or_default();
        assert!(card("Practice questions").contains("0 threads, 0 posts"), "{cards:?}");
        assert!(card("Local services").contains("1 thread, 1 post"), "{cards:?}");

        let response = fay
            .post(&format!("/threads/{thread}/rename"), &[("title", "Groups running in Bolton")])
            .await;
        assert_redirects_to(&response, &format!("/threads/{thread}"));
        let list = sam.page("/forum/local-services").await;
        assert_eq!(thread_titles(&list), ["Groups running in Bolton"]);
        let page = sam.page(&format!("/threads/{thread}")).await;
        assert_eq!(text_of(&page, "h1").as_deref(), Some("Groups running in Bolton"));

        let log = fay.page("/moderation/log").await;
        let moved = log_row(&log, "thread moved");
        assert!(moved.contains("Fay Green") && moved.contains("Practice questions") && moved.contains("Local services"), "{moved}");
        let renamed = log_row(&log, "thread renamed");
        assert!(renamed.contains("Bolton groups") && renamed.contains("Groups running in Bolton"), "{renamed}");
    }

    async fn renaming_a_thread_to_an_over_long_title_is_refused_with_422(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let thread = start_thread(&sam, "practice-questions", "Bolton groups", "Which groups run in Bolton?").await;
        let long_title = "t".repeat(201);
        let response = fay
            .post(&format!("/threads/{thread}/rename"), &[("title", &long_title)])
            .await;
        let status = response.status();
        let page = sam.page(&format!("/threads/{thread}")).await;
        assert_eq!(text_of(&page, "h1").as_deref(), Some("Bolton groups"), "nothing changes");
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "an over-long title is a 422, as for a new thread");
    }

    async fn members_cannot_moderate(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let thread = start_thread(&kim, "practice-questions", "Kim's question", "A fair question").await;
        let post = first_post(&app, thread);
        let answer = reply(&kim, thread, "And a follow-up").await;
        let to = category_id(&app, "local-services").to_string();
        let kim_id = app.member_id("kim@nhs.net");

        let page = sam.page(&format!("/threads/{thread}")).await;
        assert!(!page.contains("Moderate this thread"), "{page}");
        assert_eq!(count_of(&page, &format!(r#"form[action="/posts/{post}/hide"]"#)), 0);

        let attempts: Vec<(String, Vec<(&str, &str)>)> = vec![
            (format!("/threads/{thread}/pin"), vec![]),
            (format!("/threads/{thread}/lock"), vec![]),
            (format!("/threads/{thread}/move"), vec![("category", to.as_str())]),
            (format!("/threads/{thread}/rename"), vec![("title", "Sam's title now")]),
            (format!("/posts/{post}/hide"), vec![("reason", "I disagree")]),
            (format!("/posts/{answer}/remove"), vec![]),
            (format!("/posts/{post}/remove"), vec![]),
            (format!("/moderation/posts/{post}/resolve"), vec![("reason", "I disagree")]),
            (format!("/moderation/posts/{post}/dismiss"), vec![]),
            (format!("/members/{kim_id}/suspend"), vec![("days", "7"), ("reason", "I disagree")]),
        ];
        for (path, fields) in &attempts {
            let response = sam.post(path, fields).await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "POST {path}");
        }
        for path in ["/moderation".to_owned(), "/moderation/log".to_owned(), format!("/members/{kim_id}/suspend")] {
            let response = sam.get(&path).await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "GET {path}");
        }

        // Nothing changed.
        let list = sam.page("/forum/practice-questions").await;
        assert_eq!(thread_titles(&list), ["Kim's question"]);
        let row = thread_row(&list, thread).unwrap();
        assert!(!row.contains("Pinned") && !row.contains("Locked"), "{row}");
        let page = sam.page(&format!("/threads/{thread}")).await;
        assert!(has_reply_form(&page, thread));
        assert!(post_text(&page, post).unwrap().contains("A fair question"));
        assert!(post_text(&page, answer).unwrap().contains("And a follow-up"));
        assert!(kim.is_signed_in().await);
        assert_eq!(post_count(&app, thread), 2);
    }

    async fn hidden_posts_are_hidden_from_members_but_not_facilitators(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let thread = start_thread(&sam, "practice-questions", "Handover notes", "How do you write yours?").await;
        let post = reply(&kim, thread, "A rude and personal remark").await;

        // A reason is needed: 422 with the form.
        let response = fay.post(&format!("/posts/{post}/hide"), &[("reason", "")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(field_error(&response.text().await.unwrap(), "reason").is_some());

        let response = fay.post(&format!("/posts/{post}/hide"), &[("reason", "Personal attack")]).await;
        assert_redirects_to(&response, &format!("/posts/{post}"));

        for browser in [&sam, &kim] {
            let page = browser.page(&format!("/threads/{thread}")).await;
            let text = post_text(&page, post).unwrap();
            assert!(text.contains("Hidden by a facilitator."), "{text}");
            assert!(!text.contains("rude and personal"), "{text}");
        }
        let page = fay.page(&format!("/threads/{thread}")).await;
        let text = post_text(&page, post).unwrap();
        assert!(text.contains("A rude and personal remark") && text.contains("Personal attack"), "{text}");

        let log = fay.page("/moderation/log").await;
        let row = log_row(&log, "post hidden");
        assert!(row.contains("Fay Green") && row.contains("Kim Lee") && row.contains("Personal attack"), "{row}");

        let response = fay.post(&format!("/posts/{post}/unhide"), &[]).await;
        assert_redirects_to(&response, &format!("/posts/{post}"));
        let page = sam.page(&format!("/threads/{thread}")).await;
        let text = post_text(&page, post).unwrap();
        assert!(text.contains("A rude and personal remark") && !text.contains("Hidden"), "{text}");
        let log = fay.page("/moderation/log").await;
        assert!(log_row(&log, "post shown again").contains("Fay Green"));
    }

    async fn reports_reach_the_queue_and_facilitators_resolve_them(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let lee = member(&app, "lee@nhs.net", "Lee Park").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let thread = start_thread(&sam, "practice-questions", "Discharge letters", "What do you include?").await;
        let post = reply(&kim, thread, "Here is an example letter with details").await;

        let queue = fay.page("/moderation").await;
        assert!(queue.contains("Nothing is waiting"), "{queue}");

        // A reason is needed.
        let response = lee.post(&format!("/posts/{post}/report"), &[("reason", " ")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        // Not one's own post.
        let response = kim.post(&format!("/posts/{post}/report"), &[("reason", "Oops, mine")]).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);

        let response = lee
            .post(&format!("/posts/{post}/report"), &[("reason", "It may identify a client")])
            .await;
        assert_redirects_to(&response, &format!("/posts/{post}"));
        // Twice is once too many.
        let response = lee.post(&format!("/posts/{post}/report"), &[("reason", "Again")]).await;
        assert_eq!(response.status(), StatusCode::CONFLICT);

        // One report does not hide it.
        let page = sam.page(&format!("/threads/{thread}")).await;
        assert!(post_text(&page, post).unwrap().contains("Here is an example letter"));

        // The queue shows the post, who reported it and why, with links to act.
        let queue = fay.page("/moderation").await;
        let item = text_of(&queue, "article.queue-item").expect("one item");
        assert!(item.contains("Discharge letters") && item.contains("Kim Lee"), "{item}");
        assert!(item.contains("Here is an example letter"), "{item}");
        assert!(item.contains("1 report") && item.contains("Lee Park") && item.contains("It may identify a client"), "{item}");
        assert_eq!(attr_of(&queue, "article.queue-item h2 a", "href"), Some(format!("/posts/{post}")));
        assert_eq!(count_of(&queue, &format!(r#"form[action="/moderation/posts/{post}/resolve"]"#)), 1);
        assert_eq!(count_of(&queue, &format!(r#"form[action="/moderation/posts/{post}/dismiss"]"#)), 1);
        let forum = fay.page("/forum").await;
        assert!(forum.contains("1 reported post waiting"), "{forum}");

        // Resolving needs a reason, then hides the post and empties the queue.
        let response = fay.post(&format!("/moderation/posts/{post}/resolve"), &[("reason", "")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let response = fay
            .post(&format!("/moderation/posts/{post}/resolve"), &[("reason", "Could identify a client")])
            .await;
        assert_redirects_to(&response, "/moderation");
        let queue = fay.page("/moderation").await;
        assert!(queue.contains("Nothing is waiting") && count_of(&queue, "article.queue-item") == 0, "{queue}");
        let page = sam.page(&format!("/threads/{thread}")).await;
        let text = post_text(&page, post).unwrap();
        assert!(text.contains("Hidden by a facilitator.") && !text.contains("example letter"), "{text}");

        let log = fay.page("/moderation/log").await;
        let row = log_row(&log, "reports resolved");
        assert!(row.contains("Fay Green") && row.contains("Could identify a client"), "{row}");
    }

    async fn three_reports_hide_a_post_until_a_facilitator_looks(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let thread = start_thread(&sam, "local-services", "A new service", "Buy cheap supplements here!").await;
        let post = first_post(&app, thread);
        let reporters = [
            member(&app, "kim@nhs.net", "Kim Lee").await,
            member(&app, "lee@nhs.net", "Lee Park").await,
            member(&app, "max@nhs.net", "Max Hill").await,
        ];
        for (n, reporter) in reporters.iter().enumerate() {
            let response = reporter.post(&format!("/posts/{post}/report"), &[("reason", "Looks like spam")]).await;
            assert_redirects_to(&response, &format!("/posts/{post}"));
            let page = reporters[0].page(&format!("/threads/{thread}")).await;
            let text = post_text(&page, post).unwrap();
            if n < 2 {
                assert!(text.contains("Buy cheap supplements"), "visible after {} reports: {text}", n + 1);
            } else {
                assert!(!text.contains("Buy cheap supplements"), "hidden after three reports: {text}");
                assert!(text.contains("Hidden after reports from members"), "{text}");
            }
        }
        // Facilitators still see it, and it waits in the queue with three reports.
        let page = fay.page(&format!("/threads/{thread}")).await;
        assert!(post_text(&page, post).unwrap().contains("Buy cheap supplements"));
        let queue = fay.page("/moderation").await;
        let item = text_of(&queue, "article.queue-item").unwrap();
        assert!(item.contains("3 reports") && item.contains("Hidden"), "{item}");
        for name in ["Kim Lee", "Lee Park", "Max Hill"] {
            assert!(item.contains(name), "{item}");
        }
        let log = fay.page("/moderation/log").await;
        assert!(log_row(&log, "post hidden automatically").contains("Sam Jones"));

        // Dismissing the reports shows it again and empties the queue.
        let response = fay.post(&format!("/moderation/posts/{post}/dismiss"), &[]).await;
        assert_redirects_to(&response, "/moderation");
        let page = sam.page(&format!("/threads/{thread}")).await;
        let text = post_text(&page, post).unwrap();
        assert!(text.contains("Buy cheap supplements") && !text.contains("Hidden"), "{text}");
        let queue = fay.page("/moderation").await;
        assert_eq!(count_of(&queue, "article.queue-item"), 0, "{queue}");
        let log = fay.page("/moderation/log").await;
        assert!(log_row(&log, "reports dismissed").contains("Fay Green"));
    }

    async fn spam_is_deleted_outright(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let spammer = member(&app, "spam@nhs.net", "Spam Bot").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let thread = start_thread(&sam, "practice-questions", "Falls prevention", "Any good resources?").await;
        let spam = reply(&spammer, thread, "Cheap pills at example.com").await;
        let answer = reply_to(&kim, thread, spam, "This looks like spam").await;
        assert_eq!(post_count(&app, thread), 3);

        let response = fay.post(&format!("/posts/{spam}/remove"), &[]).await;
        assert_redirects_to(&response, &format!("/threads/{thread}"));
        let page = sam.page(&format!("/threads/{thread}")).await;
        assert!(post_text(&page, spam).is_none() && !page.contains("Cheap pills"), "{page}");
        assert!(post_text(&page, answer).is_some_and(|t| t.contains("This looks like spam")), "{page}");
        assert!(text_of(&page, "p.muted").is_some_and(|t| t.contains("2 posts")), "{page}");
        let response = sam.get(&format!("/posts/{spam}")).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let list = sam.page("/forum/practice-questions").await;
        assert_eq!(texts_of(&list, "table.threads tbody td")[1], "1", "one reply left");
        assert_eq!(post_count(&app, thread), 2);

        // The first post takes the whole thread with it.
        let opening = first_post(&app, thread);
        let response = fay.post(&format!("/posts/{opening}/remove"), &[]).await;
        assert_redirects_to(&response, "/forum");
        let response = sam.get(&format!("/threads/{thread}")).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let response = sam.get(&format!("/posts/{answer}")).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let list = sam.page("/forum/practice-questions").await;
        assert!(list.contains("No threads yet."), "{list}");
        assert_eq!(thread_count(&app), 0);

        let log = fay.page("/moderation/log").await;
        let row = log_row(&log, "post deleted");
        assert!(row.contains("Fay Green") && row.contains("Spam Bot") && row.contains("spam"), "{row}");
        let row = log_row(&log, "thread deleted");
        assert!(row.contains("Falls prevention") && row.contains("Sam Jones"), "{row}");
    }

    async fn deleted_spam_leaves_no_phantom_unread_marker(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let spammer = member(&app, "spam@nhs.net", "Spam Bot").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let thread = start_thread(&sam, "practice-questions", "Falls prevention", "Any good resources?").await;
        let spam = reply(&spammer, thread, "Cheap pills at example.com").await;
        let response = fay.post(&format!("/posts/{spam}/remove"), &[]).await;
        assert_redirects_to(&response, &format!("/threads/{thread}"));

        // Sam has read every post that is left: nothing is new, even after opening it.
        sam.page(&format!("/threads/{thread}")).await;
        let list = sam.page("/forum/practice-questions").await;
        assert_eq!(
            count_of(&list, "a.tag-new"),
            0,
            "the author sees “new” posts that no longer exist: {:?}",
            text_of(&list, "a.tag-new")
        );
    }

    async fn spam_deleted_from_the_middle_is_not_counted_as_new(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let spammer = member(&app, "spam@nhs.net", "Spam Bot").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let thread = start_thread(&sam, "practice-questions", "Falls prevention", "Any good resources?").await;
        // Kim has read the opening post; then a reply, spam, and another reply arrive.
        kim.page(&format!("/threads/{thread}")).await;
        reply(&sam, thread, "The FallSafe bundle is a good start.").await;
        let spam = reply(&spammer, thread, "Cheap pills at example.com").await;
        reply(&sam, thread, "And the Otago exercises.").await;
        let list = kim.page("/forum/practice-questions").await;
        assert_eq!(text_of(&list, "a.tag-new").map(|t| t.trim().to_owned()).as_deref(), Some("3 new posts"));

        let response = fay.post(&format!("/posts/{spam}/remove"), &[]).await;
        assert_redirects_to(&response, &format!("/threads/{thread}"));
        let list = kim.page("/forum/practice-questions").await;
        assert_eq!(
            text_of(&list, "a.tag-new").map(|t| t.trim().to_owned()).as_deref(),
            Some("2 new posts"),
            "two real replies are new, the deleted spam is not"
        );
        // A member who never opened the thread has every remaining post to read.
        let ola = member(&app, "ola@nhs.net", "Ola Stone").await;
        let list = ola.page("/forum/practice-questions").await;
        assert_eq!(text_of(&list, "a.tag-new").map(|t| t.trim().to_owned()).as_deref(), Some("3 new posts"));
    }

    async fn a_facilitator_suspends_a_member_with_a_reason(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let other = facilitator(&app, "ola@nhs.net", "Ola Stone").await;
        let sam_id = app.member_id("sam@nhs.net");
        let ola_id = app.member_id("ola@nhs.net");

        let form = fay.page(&format!("/members/{sam_id}/suspend")).await;
        assert!(form.contains("Suspend Sam Jones"), "{form}");

        // No reason: 422, the days kept, nothing done.
        let response = fay.post(&format!("/members/{sam_id}/suspend"), &[("days", "7"), ("reason", "")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(field_error(&page, "reason").is_some(), "{page}");
        assert_eq!(input_value(&page, "days").as_deref(), Some("7"));
        // Days out of range: 422, the reason kept.
        let response = fay.post(&format!("/members/{sam_id}/suspend"), &[("days", "0"), ("reason", "Repeated spam")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(field_error(&page, "days").is_some(), "{page}");
        assert_eq!(textarea_text(&page, "reason").as_deref(), Some("Repeated spam"));
        assert!(sam.is_signed_in().await);

        // Longer than a month is an admin's decision.
        let response = fay.post(&format!("/members/{sam_id}/suspend"), &[("days", "31"), ("reason", "Repeated spam")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(field_error(&page, "days").is_some_and(|e| e.contains("30 days")), "{page}");

        // Another facilitator cannot be suspended this way.
        let response = fay.post(&format!("/members/{ola_id}/suspend"), &[("days", "7"), ("reason", "Disagreement")]).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(other.is_signed_in().await);

        let response = fay
            .post(&format!("/members/{sam_id}/suspend"), &[("days", "7"), ("reason", "Shared a client's NHS number")])
            .await;
        assert_redirects_to(&response, &format!("/members/{sam_id}"));

        // Sam is signed out at the next request and cannot sign in.
        assert!(!sam.is_signed_in().await);
        let until = spot::web::layout::long_date(spot::db::now() + chrono::Duration::days(7));
        let response = sam.login("sam@nhs.net", PASSWORD).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let refused = response.text().await.unwrap();
        assert!(refused.contains("suspended") && refused.contains(&until) && refused.contains(r#"href="/contact""#), "{refused}");
        assert!(!sam.is_signed_in().await);

        // Sam is emailed why, until when, and where to appeal.
        let letters = crate::courses::emails_to(&app, "sam@nhs.net");
        let letter = letters.iter().find(|l| l.contains("Your SPOT account is suspended")).expect("a suspension letter");
        assert!(letter.contains("Shared a client's NHS number") && letter.contains(&until) && letter.contains("/contact"), "{letter}");

        let log = fay.page("/moderation/log").await;
        let row = log_row(&log, "member suspended");
        assert!(row.contains("Fay Green") && row.contains("Sam Jones") && row.contains("7 days"), "{row}");
        assert!(row.contains("Shared a client's NHS number"), "{row}");
    }

    async fn the_moderation_log_says_who_did_what_and_why(app: TestApp) {
        app.join("ada@nhs.net", "Ada Admin", "occupational_therapist", "salford").await;
        app.promote("ada@nhs.net", "admin");
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let thread = start_thread(&sam, "introductions", "Hello from Wigan", "Hi all").await;
        let post = first_post(&app, thread);
        fay.post(&format!("/threads/{thread}/pin"), &[]).await;
        fay.post(&format!("/posts/{post}/hide"), &[("reason", "Testing the log")]).await;
        // The admin moderates too.
        let response = app.post(&format!("/posts/{post}/unhide"), &[]).await;
        assert_redirects_to(&response, &format!("/posts/{post}"));

        for browser in [&fay, &app.browser] {
            let log = browser.page("/moderation/log").await;
            let rows = log_rows(&log);
            // Newest first.
            assert!(rows[0].contains("post shown again") && rows[0].contains("Ada Admin"), "{rows:?}");
            let hidden = log_row(&log, "post hidden");
            assert!(hidden.contains("Fay Green") && hidden.contains("Sam Jones") && hidden.contains("Testing the log"), "{hidden}");
            assert!(hidden.contains(&format!("post {post}")), "{hidden}");
            let pinned = log_row(&log, "thread pinned");
            assert!(pinned.contains("Fay Green") && pinned.contains("Hello from Wigan"), "{pinned}");
        }
    }

    async fn a_facilitator_can_page_through_the_moderation_log(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let thread = start_thread(&sam, "introductions", "Hello from Wigan", "Hi all").await;
        // More than a page of entries (50 a page).
        for _ in 0..26 {
            fay.post(&format!("/threads/{thread}/pin"), &[]).await;
            fay.post(&format!("/threads/{thread}/unpin"), &[]).await;
        }
        let log = fay.page("/moderation/log").await;
        let next = attr_of(&log, r#"nav.pagination a[rel="next"]"#, "href").expect("a link to the next page");
        let response = fay.get(&next).await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "the log's “Next” link ({next}) should open for the facilitator who follows it"
        );
    }

    async fn a_hidden_or_removed_post_cannot_be_read_through_the_reply_page(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let thread = start_thread(&sam, "practice-questions", "Handover notes", "How do you write yours?").await;
        let hidden = reply(&kim, thread, "Secret words the facilitator hid").await;
        let removed = reply(&kim, thread, "Words the author took back").await;
        let response = fay.post(&format!("/posts/{hidden}/hide"), &[("reason", "Personal details")]).await;
        assert_redirects_to(&response, &format!("/posts/{hidden}"));
        let response = kim.post(&format!("/posts/{removed}/delete"), &[]).await;
        assert_redirects_to(&response, &format!("/posts/{removed}"));

        // The thread page keeps them from members, and so must the reply page's quote.
        let page = sam.page(&format!("/threads/{thread}")).await;
        assert!(!page.contains("Secret words") && !page.contains("Words the author took back"));
        let mut leaks = Vec::new();
        for (post, words) in [(hidden, "Secret words"), (removed, "Words the author took back")] {
            let response = sam.get(&format!("/threads/{thread}/reply?to={post}")).await;
            let status = response.status();
            let page = response.text().await.unwrap();
            if page.contains(words) {
                leaks.push(format!("GET /threads/{thread}/reply?to={post} ({status}) shows {:?}", text_of(&page, ".quote")));
            }
        }
        assert!(leaks.is_empty(), "the reply page quotes posts members may not read: {leaks:#?}");
    }

    async fn a_reply_refused_by_a_lock_keeps_its_text(app: TestApp) {
        // The issue: replying to a locked thread gets a clear message and 403, and the
        // user's text is kept in the form.
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let thread = start_thread(&sam, "practice-questions", "Heated debate", "Let us discuss.").await;
        // Sam opens the thread and starts writing; meanwhile Fay locks it.
        let page = sam.page(&format!("/threads/{thread}")).await;
        assert!(has_reply_form(&page, thread));
        fay.post(&format!("/threads/{thread}/lock"), &[]).await;
        let words = "A long and careful answer that took ten minutes to write";
        let response = sam
            .post(&format!("/threads/{thread}/reply"), &[("body", words), ("action", "post")])
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let page = response.text().await.unwrap();
        assert!(page.contains("locked"), "{page}");
        assert_eq!(post_count(&app, thread), 1);
        assert_eq!(
            textarea_text(&page, "body").as_deref(),
            Some(words),
            "the refused reply's text is lost: the 403 page has no form holding it"
        );
    }
}
