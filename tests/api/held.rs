//! The patient-data hold: a post, thread, resource or profile text whose author confirms
//! it despite the guard's warning is saved but seen by nobody else — not on pages, in
//! search, notifications, the outbox, digests or counts — until a facilitator approves it,
//! takes the details out, or returns it to its author.

use diesel::{QueryDsl, RunQueryDsl, TextExpressionMethods};
use reqwest::StatusCode;

use crate::forum::{facilitator, location, member, post_text, reply, start_thread, thread_row};
use crate::helpers::*;
use crate::on_both_engines;
use crate::resources::Share;

/// Results in one section of the search page (`posts`, `resources`, `members`).
async fn found(browser: &Browser, kind: &str, text: &str) -> usize {
    let query: String = url::form_urlencoded::byte_serialize(text.as_bytes()).collect();
    let page = browser.page(&format!("/search?q={query}")).await;
    count_of(
        &page,
        &format!(r#"section[aria-labelledby="results-{kind}"] li.search-result"#),
    )
}

/// Letters that carry `words`: delivered, or waiting in the outbox table.
fn letters_with(app: &TestApp, words: &str) -> usize {
    use spot::schema::outbox;
    let mut conn = app.db.conn().expect("connection");
    let waiting: i64 = outbox::table
        .filter(outbox::text_body.like(format!("%{words}%")))
        .count()
        .get_result(&mut *conn)
        .expect("outbox counted");
    let delivered = app
        .emails()
        .iter()
        .filter(|raw| email_text(raw).contains(words))
        .count();
    waiting as usize + delivered
}

fn notification_headlines(page: &str) -> Vec<String> {
    texts_of(page, "ol.notifications li.notification > a")
}

/// The id of the held item the queue lists first, from its approve form.
fn first_held(queue: &str) -> String {
    attr_of(queue, r#"form[action$="/approve"]"#, "action")
        .and_then(|action| {
            action
                .strip_prefix("/moderation/held/")
                .and_then(|rest| rest.strip_suffix("/approve"))
                .map(str::to_owned)
        })
        .unwrap_or_else(|| panic!("nothing held in {queue}"))
}

/// A day on, when the daily digests have gone out.
fn next_morning() -> chrono::NaiveDateTime {
    spot::db::now() + chrono::Duration::days(1)
}

const HELD_REPLY: &str =
    "@Sam Jones Mrs Patel, born 12/03/1954, still waits for a zebrafinch assessment.";

on_both_engines! {
    async fn a_held_reply_reaches_nobody_until_a_facilitator_approves_it(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let ann = member(&app, "ann@nhs.net", "Ann Wood").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let thread = start_thread(&sam, "practice-questions", "Waiting times for OT", "How long are yours?").await;
        // Ann replies, so she watches the thread: its news reaches her in a daily digest.
        reply(&ann, thread, "About six weeks here.").await;
        sam.page(&format!("/threads/{thread}")).await;
        let list = sam.page("/forum/practice-questions").await;
        let row_before = thread_row(&list, thread).expect("the thread is listed");

        // The check warns; Kim confirms; the reply is saved and held.
        let response = kim.post(&format!("/threads/{thread}/reply"), &[("body", HELD_REPLY), ("action", "post")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let response = kim
            .post(&format!("/threads/{thread}/reply"), &[("body", HELD_REPLY), ("action", "post"), ("confirm_patient_data", "yes")])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let post: i64 = location(&response).trim_start_matches("/posts/").parse().unwrap();
        let page = kim.page(&format!("/threads/{thread}")).await;
        let shown = post_text(&page, post).expect("its author sees it");
        assert!(shown.contains("Waiting for a facilitator") && shown.contains("zebrafinch"), "{shown}");
        assert!(page.contains("waiting for a facilitator"), "the author is told: {page}");

        // Nobody else meets it: not the thread page, the list, search, notifications, the
        // outbox, a digest.
        for reader in [&sam, &ann] {
            let page = reader.page(&format!("/threads/{thread}")).await;
            assert!(post_text(&page, post).is_none() && !page.contains("zebrafinch"), "{page}");
            assert_eq!(reader.get(&format!("/posts/{post}")).await.status(), StatusCode::NOT_FOUND);
            assert_eq!(found(reader, "posts", "zebrafinch").await, 0);
        }
        let list = sam.page("/forum/practice-questions").await;
        assert_eq!(thread_row(&list, thread).as_deref(), Some(row_before.as_str()), "no new reply counted or marked unread");
        let notices = notification_headlines(&sam.page("/notifications").await);
        assert!(notices.iter().all(|n| !n.contains("Kim Lee")), "{notices:?}");
        app.mail_round_at(next_morning());
        assert_eq!(letters_with(&app, "zebrafinch"), 0, "no letter or digest carries it");

        // The facilitator sees it in the queue, the date marked and why.
        let queue = fay.page("/moderation/held").await;
        assert_eq!(text_of(&queue, "mark.finding").as_deref(), Some("12/03/1954"), "{queue}");
        assert!(queue.contains("date of birth"), "{queue}");
        let hold = first_held(&queue);
        // Members cannot decide on it, nor see the queue.
        assert_eq!(sam.get("/moderation/held").await.status(), StatusCode::FORBIDDEN);
        let forged = sam.post(&format!("/moderation/held/{hold}/approve"), &[]).await;
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);

        // Approved: everywhere at once.
        let response = fay.post(&format!("/moderation/held/{hold}/approve"), &[]).await;
        assert_redirects_to(&response, "/moderation/held");
        let page = sam.page(&format!("/threads/{thread}")).await;
        assert!(post_text(&page, post).is_some_and(|t| t.contains("zebrafinch") && !t.contains("Waiting for a facilitator")), "{page}");
        assert_eq!(found(&sam, "posts", "zebrafinch").await, 1);
        let list = ann.page("/forum/practice-questions").await;
        assert!(thread_row(&list, thread).is_some_and(|row| row.contains("1 new")), "unread for Ann now");
        let notices = notification_headlines(&sam.page("/notifications").await);
        assert!(notices.iter().any(|n| n.contains("Kim Lee mentioned you")), "{notices:?}");
        let notices = notification_headlines(&kim.page("/notifications").await);
        assert!(notices.iter().any(|n| n.contains("approved your post")), "{notices:?}");
        app.mail_round_at(next_morning() + chrono::Duration::days(1));
        assert!(letters_with(&app, "zebrafinch") >= 2, "Sam and Ann hear of it now");
        let audit = fay.page("/moderation/log").await;
        assert!(audit.contains("held item approved") && !audit.contains("12/03/1954"), "{audit}");
    }

    async fn a_held_thread_is_unlisted_and_comes_back_to_its_author_to_correct(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let response = kim
            .post("/forum/practice-questions/new", &[
                ("title", "Mr Okafor of M14 5RT needs a grab rail"),
                ("body", "Who fits grab rails quickly? Keyword quetzal."),
                ("action", "post"),
                ("confirm_patient_data", "yes"),
            ])
            .await;
        let thread: i64 = location(&response).trim_start_matches("/threads/").parse().unwrap();
        let forum_before = text_of(&sam.page("/forum").await, "main");

        // Only Kim knows of it.
        let list = sam.page("/forum/practice-questions").await;
        assert!(thread_row(&list, thread).is_none() && !list.contains("Okafor"), "{list}");
        assert_eq!(sam.get(&format!("/threads/{thread}")).await.status(), StatusCode::NOT_FOUND);
        assert!(!sam.page("/").await.contains("Okafor"));
        assert_eq!(text_of(&sam.page("/forum").await, "main"), forum_before, "no count moved");
        assert_eq!(found(&sam, "posts", "quetzal").await, 0);
        let list = kim.page("/forum/practice-questions").await;
        assert!(thread_row(&list, thread).is_some_and(|row| row.contains("Waiting for a facilitator")), "{list}");

        // Returned, with a reason: Kim is told, and finds title and text in the edit form.
        let hold = first_held(&fay.page("/moderation/held").await);
        let response = fay.post(&format!("/moderation/held/{hold}/return"), &[("reason", "Please take out the name and postcode.")]).await;
        assert_redirects_to(&response, "/moderation/held");
        assert!(!fay.page("/moderation/held").await.contains("Okafor"), "no longer waiting");
        let notices = kim.page("/notifications").await;
        assert!(notices.contains("returned your new thread") && notices.contains("Please take out the name"), "{notices}");
        let first = crate::forum::first_post(&app, thread);
        let edit = kim.page(&format!("/posts/{first}/edit")).await;
        assert_eq!(input_value(&edit, "title").as_deref(), Some("Mr Okafor of M14 5RT needs a grab rail"));
        assert_eq!(sam.get(&format!("/threads/{thread}")).await.status(), StatusCode::NOT_FOUND, "still unseen");

        // A clean edit publishes it.
        let response = kim
            .post(&format!("/posts/{first}/edit"), &[
                ("title", "Who fits grab rails quickly?"),
                ("body", "Who fits grab rails quickly in Manchester? Keyword quetzal."),
                ("action", "post"),
            ])
            .await;
        assert_redirects_to(&response, &format!("/posts/{first}"));
        let list = sam.page("/forum/practice-questions").await;
        assert!(thread_row(&list, thread).is_some_and(|row| row.contains("Who fits grab rails quickly?")), "{list}");
        assert_eq!(found(&sam, "posts", "quetzal").await, 1);
        assert!(!sam.page(&format!("/threads/{thread}")).await.contains("Okafor"));
    }

    async fn a_facilitator_takes_the_details_out_and_the_original_is_kept_nowhere(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let thread = start_thread(&sam, "practice-questions", "Falls clinics", "Where are they?").await;
        let post = reply(&kim, thread, "The Salford one is good.").await;
        // An edit the check holds takes a published post out of sight.
        let response = kim
            .post(&format!("/posts/{post}/edit"), &[
                ("body", "The Salford one saw my client, NHS number 943 476 5919, within a week."),
                ("action", "post"), ("confirm_patient_data", "yes"),
            ])
            .await;
        assert_redirects_to(&response, &format!("/posts/{post}"));
        let page = sam.page(&format!("/threads/{thread}")).await;
        assert!(post_text(&page, post).is_none(), "{page}");

        let queue = fay.page("/moderation/held").await;
        assert_eq!(text_of(&queue, "mark.finding").as_deref(), Some("943 476 5919"));
        let hold = first_held(&queue);
        let form = fay.page(&format!("/moderation/held/{hold}/redact")).await;
        assert!(crate::forum::textarea_text(&form, "body").is_some_and(|t| t.contains("943 476 5919")));
        // A version that still holds the number is refused by its field, the words kept.
        let response = fay
            .post(&format!("/moderation/held/{hold}/redact"), &[
                ("body", "The Salford one saw my client, 943 476 5919, within a week."),
                ("note", "Took out the NHS number"),
            ])
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(field_error(&page, "body").is_some_and(|e| e.contains("NHS number")), "{page}");
        let response = fay
            .post(&format!("/moderation/held/{hold}/redact"), &[
                ("body", "The Salford one saw my client within a week."),
                ("note", "Took out the NHS number"),
            ])
            .await;
        assert_redirects_to(&response, "/moderation/held");

        let page = sam.page(&format!("/threads/{thread}")).await;
        assert!(post_text(&page, post).is_some_and(|t| t.contains("saw my client within a week")), "{page}");
        assert!(!page.contains("943 476 5919"));
        let history = fay.page(&format!("/posts/{post}/history")).await;
        assert!(!history.contains("943 476 5919") && history.contains("The Salford one is good."), "{history}");
        assert_eq!(found(&sam, "posts", "9434765919").await + found(&sam, "posts", "943 476 5919").await, 0);
        let notices = kim.page("/notifications").await;
        assert!(notices.contains("took some details out") && notices.contains("Took out the NHS number"), "{notices}");
        let audit = fay.page("/moderation/log").await;
        assert!(audit.contains("held item redacted") && !audit.contains("943 476 5919"), "{audit}");
    }

    async fn a_held_resource_is_out_of_the_library_until_approved(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        Share::link("Falls prevention guide", "https://www.nhs.uk/conditions/falls/").tags("falls").shared_by(&fay).await;
        let response = sam.post("/resources/follow", &[("tag", "falls"), ("follow", "yes")]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);

        // Unconfirmed, it comes back with the finding by its field and the box to tick.
        let share = Share::link("Falls leaflet", "https://www.nhs.uk/falls")
            .description("Given to Mrs Patel, born 12 March 1954, keyword pangolin.")
            .tags("falls");
        let response = share.send(&kim).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(field_error(&page, "description").is_some_and(|e| e.contains("date of birth")), "{page}");
        assert_eq!(count_of(&page, r#"input[name="confirm_patient_data"]"#), 1);

        let id = share.clone().confirmed().shared_by(&kim).await;
        let mine = kim.page(&format!("/resources/{id}")).await;
        assert!(mine.contains("Waiting for a facilitator"), "{mine}");
        assert_eq!(sam.get(&format!("/resources/{id}")).await.status(), StatusCode::NOT_FOUND);
        assert!(!sam.page("/resources?tag=falls").await.contains("Falls leaflet"));
        assert_eq!(found(&sam, "resources", "pangolin").await, 0);
        assert!(notification_headlines(&sam.page("/notifications").await).is_empty());
        app.mail_round_at(next_morning());
        assert_eq!(letters_with(&app, "Falls leaflet"), 0, "no digest names it");

        let hold = first_held(&fay.page("/moderation/held").await);
        fay.post(&format!("/moderation/held/{hold}/approve"), &[]).await;
        assert!(sam.page("/resources?tag=falls").await.contains("Falls leaflet"));
        assert_eq!(found(&sam, "resources", "pangolin").await, 1);
        let notices = notification_headlines(&sam.page("/notifications").await);
        assert!(notices.iter().any(|n| n.contains("Falls leaflet")), "{notices:?}");
        app.mail_round_at(next_morning() + chrono::Duration::days(1));
        assert_eq!(letters_with(&app, "Falls leaflet"), 1, "Sam's digest names it now");
    }

    async fn a_held_profile_text_waits_while_the_earlier_one_shows(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let kim_id = app.member_id("kim@nhs.net");
        let profile = |about: &'static str, confirm: bool| {
            let mut fields = vec![("display_name", "Kim Lee"), ("organisation", "Wigan Council"),
                ("role", "link_worker"), ("borough", "wigan"), ("about", about), ("listed", "yes")];
            if confirm {
                fields.push(("confirm_patient_data", "yes"));
            }
            fields
        };
        let response = kim.save_profile(&profile("I run the Wigan walking group.", false)).await;
        assert_redirects_to(&response, "/account");
        let held = "My client Mr Okafor, DOB 01/02/1950, joined the axolotl group.";
        let response = kim.save_profile(&profile(held, false)).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(field_error(&page, "about").is_some_and(|e| e.contains("date of birth")), "{page}");
        assert_eq!(count_of(&page, r#"input[name="confirm_patient_data"]"#), 1);
        assert_eq!(crate::forum::textarea_text(&page, "about").as_deref(), Some(held));
        let response = kim.save_profile(&profile(held, true)).await;
        assert_redirects_to(&response, "/account");

        let seen = sam.page(&format!("/members/{kim_id}")).await;
        assert!(seen.contains("Wigan walking group") && !seen.contains("axolotl"), "{seen}");
        assert_eq!(found(&sam, "members", "axolotl").await, 0);
        let account = kim.page("/account").await;
        assert!(account.contains("waiting for a facilitator"), "{account}");
        assert_eq!(crate::forum::textarea_text(&account, "about").as_deref(), Some(held));

        let hold = first_held(&fay.page("/moderation/held").await);
        fay.post(&format!("/moderation/held/{hold}/approve"), &[]).await;
        let seen = sam.page(&format!("/members/{kim_id}")).await;
        assert!(seen.contains("axolotl"), "{seen}");
        assert_eq!(found(&sam, "members", "axolotl").await, 1);
    }

    async fn a_held_reply_that_would_start_a_new_page_leaves_no_empty_page(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let thread = {
            // Thirty posts straight through the forum's rules, faster than over HTTP.
            let mut conn = app.db.conn().unwrap();
            let viewer = spot::web::Viewer {
                id: spot::db::MemberId(app.member_id("sam@nhs.net")),
                display_name: "Sam Jones".into(),
                role: spot::accounts::Role::LinkWorker,
                borough: spot::accounts::Borough::Wigan,
                staff: spot::accounts::StaffLevel::Member,
            };
            let category = spot::forum::categories::by_slug(&mut conn, "practice-questions").unwrap();
            let title = spot::forum::values::ThreadTitle::parse("A long thread").unwrap();
            let body = spot::forum::values::PostBody::parse("Post number 1").unwrap();
            let publish = spot::guard::Verdict::Publish;
            let thread = conn
                .write_transaction(|conn| spot::forum::threads::start(conn, &viewer, &category, &title, &body, publish, spot::db::now()))
                .unwrap();
            for n in 2..=30 {
                let body = spot::forum::values::PostBody::parse(&format!("Post number {n}")).unwrap();
                conn.write_transaction(|conn| spot::forum::posts::reply(conn, &viewer, thread, None, &body, publish, spot::db::now()))
                    .unwrap();
            }
            thread.0
        };
        kim.post(&format!("/threads/{thread}/reply"), &[("body", HELD_REPLY), ("action", "post"), ("confirm_patient_data", "yes")]).await;

        // Kim's reply is post 31, the first of page 2: only Kim has a page 2.
        let page = sam.page(&format!("/threads/{thread}")).await;
        assert_eq!(count_of(&page, r#"nav.pagination a[rel="next"]"#), 0, "{page}");
        assert_eq!(sam.get(&format!("/threads/{thread}?page=2")).await.status(), StatusCode::NOT_FOUND);
        let page = kim.page(&format!("/threads/{thread}?page=2")).await;
        assert!(page.contains("zebrafinch"), "{page}");
    }

    async fn texts_only_facilitators_read_are_refused_with_what_to_take_out(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let thread = start_thread(&sam, "practice-questions", "Transport", "Any volunteer drivers?").await;
        let post = reply(&kim, thread, "Try the community transport line.").await;
        let response = sam.post(&format!("/posts/{post}/report"), &[("reason", "This is about my client 943 476 5919")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(field_error(&page, "reason").is_some_and(|e| e.contains("NHS number")), "{page}");
        assert!(input_value(&page, "reason").is_some_and(|v| v.contains("943 476 5919")) || page.contains("943 476 5919"), "kept: {page}");
        // An invitation's label, which facilitators read in their list, is checked too.
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let response = fay.post("/invitations", &[("label", "For Mrs Patel's carer, DOB 12/03/1954"), ("uses", "1"), ("valid_days", "14")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(field_error(&page, "label").is_some_and(|e| e.contains("date of birth")), "{page}");
    }
}
