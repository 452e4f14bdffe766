//! Private conversations as members use them: starting one with one member or a group,
//! replying, unread counts, leaving and muting; who may write to whom and blocking, enforced
//! in the rule layer (forged POSTs refused); new members' daily allowance; reporting a
//! message to the facilitators, who see that message and nothing else; the patient-data
//! guard holding a message until a facilitator approves it; search finding only your own
//! conversations; and the email for a new message, by the member's settings.

use reqwest::{Response, StatusCode};

use crate::courses::{book_ok, north_run};
use crate::forum::{facilitator, location, member, textarea_text};
use crate::helpers::*;
use crate::notifications::{mail_to, one_click};
use crate::on_both_engines;

const HEADER_COUNT: &str = r#".account-links a[href="/messages"] .unread-count"#;
const NHS_NUMBER_TEXT: &str = "Her NHS number is 943 476 5919, can you see her this week?";

/// The conversation a response redirects to.
pub(crate) fn conversation_of(response: &Response) -> i64 {
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "expected a redirect to a conversation"
    );
    let location = location(response);
    location
        .strip_prefix("/messages/")
        .and_then(|rest| rest.parse().ok())
        .unwrap_or_else(|| panic!("expected /messages/<id>, got {location}"))
}

/// Sends a new message to these members.
pub(crate) async fn send(from: &Browser, to: &[i64], body: &str) -> Response {
    let ids: Vec<String> = to.iter().map(i64::to_string).collect();
    let mut fields: Vec<(&str, &str)> = ids.iter().map(|id| ("to", id.as_str())).collect();
    fields.push(("body", body));
    from.post("/messages/new", &fields).await
}

/// Starts a conversation; returns its id.
pub(crate) async fn start(from: &Browser, to: &[i64], body: &str) -> i64 {
    conversation_of(&send(from, to, body).await)
}

async fn reply(from: &Browser, conversation: i64, body: &str) -> Response {
    from.post(
        &format!("/messages/{conversation}/reply"),
        &[("body", body)],
    )
    .await
}

/// The unread count in the header (0 when it shows none).
async fn header_count(browser: &Browser) -> i64 {
    let page = browser.page("/messages").await;
    text_of(&page, HEADER_COUNT).map_or(0, |n| n.trim().parse().expect("a number"))
}

/// How many conversations exist, whoever is in them.
fn conversation_count(app: &TestApp) -> i64 {
    use diesel::{QueryDsl, RunQueryDsl};
    let mut conn = app.db.conn().expect("connection");
    spot::schema::conversations::table
        .count()
        .get_result(&mut *conn)
        .expect("counted")
}

/// The newest message's id in a conversation.
fn last_message(app: &TestApp, conversation: i64) -> i64 {
    use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
    use spot::schema::messages;
    let mut conn = app.db.conn().expect("connection");
    messages::table
        .filter(messages::conversation_id.eq(conversation))
        .select(diesel::dsl::max(messages::id))
        .first::<Option<i64>>(&mut *conn)
        .expect("read")
        .expect("a message")
}

on_both_engines! {
    async fn starting_replying_and_unread_counts(app: TestApp) {
        let ann = member(&app, "ann@nhs.net", "Ann Archer").await;
        let bo = member(&app, "bo@nhs.net", "Bo Baker").await;
        let cy = member(&app, "cy@nhs.net", "Cy Cole").await;
        let bo_id = app.member_id("bo@nhs.net");

        // From Bo's card: the form names him, ticked.
        let form = ann.page(&format!("/messages/new?to={bo_id}")).await;
        assert!(form.contains("Bo Baker"), "{form}");
        assert_eq!(attr_of(&form, &format!("#to-{bo_id}"), "checked").as_deref(), Some(""));
        assert!(form_token(&form).is_some(), "the form carries its token");

        // An empty message comes back with its recipient kept and the error by the field.
        let response = send(&ann, &[bo_id], "  ").await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert_eq!(field_error(&page, "body").as_deref(), Some("Error: Enter your message"));
        assert!(page.contains("Bo Baker"), "{page}");
        // Without the form token nothing is sent.
        let forged = ann.post_raw("/messages/new", &[("to", &bo_id.to_string()), ("body", "Hi")]).await;
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        assert_eq!(conversation_count(&app), 0);

        let id = start(&ann, &[bo_id], "Hello Bo, **can we talk** about referrals? <script>alert(1)</script>").await;
        assert_eq!(header_count(&bo).await, 1);
        assert_eq!(header_count(&ann).await, 0, "your own message is not unread");
        let inbox = bo.page("/messages").await;
        assert!(inbox.contains("Ann Archer") && inbox.contains(&format!("/messages/{id}")), "{inbox}");
        assert_eq!(text_of(&inbox, ".conversation-card .unread-count").as_deref(), Some("1"));

        // Markdown, sanitised; reading it clears the count.
        let page = bo.page(&format!("/messages/{id}")).await;
        assert!(page.contains("<strong>can we talk</strong>"), "{page}");
        assert!(!page.contains("<script>alert"), "{page}");
        assert_eq!(header_count(&bo).await, 0);

        // Bo replies; Ann has one unread.
        assert_eq!(conversation_of(&reply(&bo, id, "Yes, Thursday works.").await), id);
        assert_eq!(header_count(&ann).await, 1);
        let page = ann.page(&format!("/messages/{id}")).await;
        assert!(page.contains("Thursday works"), "{page}");
        // An empty reply keeps the page and says why.
        let response = reply(&ann, id, "").await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // Cy is not in it: he can neither read nor write there.
        assert_eq!(cy.get(&format!("/messages/{id}")).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(reply(&cy, id, "Let me in").await.status(), StatusCode::NOT_FOUND);
        let message = last_message(&app, id);
        assert_eq!(cy.get(&format!("/messages/at/{message}")).await.status(), StatusCode::NOT_FOUND);
        assert!(!cy.page("/messages").await.contains("Ann Archer"));
        assert!(!ann.page(&format!("/messages/{id}")).await.contains("Let me in"));

        // Newest activity first: a second conversation, then a reply in the first.
        let cy_id = app.member_id("cy@nhs.net");
        let second = start(&ann, &[cy_id], "Hi Cy").await;
        let inbox = ann.page("/messages").await;
        let links: Vec<String> = texts_of(&inbox, ".conversation-card h2 a");
        assert_eq!(links, ["Cy Cole", "Bo Baker"], "{inbox}");
        reply(&bo, id, "Also Friday").await;
        let inbox = ann.page("/messages").await;
        assert_eq!(texts_of(&inbox, ".conversation-card h2 a"), ["Bo Baker", "Cy Cole"]);
        assert!(second > id);
    }

    async fn group_conversations_leaving_muting_and_the_cohort(app: TestApp) {
        crate::erasure::admin(&app).await;
        let ann = member(&app, "ann@nhs.net", "Ann Archer").await;
        let bo = member(&app, "bo@nhs.net", "Bo Baker").await;
        let cy = member(&app, "cy@nhs.net", "Cy Cole").await;
        let di = member(&app, "di@nhs.net", "Di Dunn").await;
        let ids: Vec<i64> = ["bo@nhs.net", "cy@nhs.net", "di@nhs.net"].iter().map(|e| app.member_id(e)).collect();

        let group = start(&ann, &ids, "Wigan link workers and OTs: shall we meet monthly?").await;
        for browser in [&bo, &cy, &di] {
            let page = browser.page(&format!("/messages/{group}")).await;
            assert!(page.contains("shall we meet monthly"), "{page}");
            assert!(page.contains("Ann Archer") && page.contains("Cy Cole") && page.contains("Di Dunn"), "{page}");
        }
        // Everyone hears a reply but its author.
        reply(&cy, group, "Yes please").await;
        assert_eq!(header_count(&ann).await, 1);
        assert_eq!(header_count(&bo).await, 1);
        assert_eq!(header_count(&cy).await, 0);

        // Bo mutes it: out of his header count, still in his inbox with its own count.
        let response = bo.post(&format!("/messages/{group}/mute"), &[("muted", "yes")]).await;
        assert_redirects_to(&response, &format!("/messages/{group}"));
        reply(&ann, group, "First Tuesday of the month?").await;
        assert_eq!(header_count(&bo).await, 0);
        let inbox = bo.page("/messages").await;
        assert_eq!(text_of(&inbox, ".conversation-card .unread-count").as_deref(), Some("2"), "{inbox}");

        // Di leaves: gone from her inbox, closed to her, marked for the others.
        let response = di.post(&format!("/messages/{group}/leave"), &[]).await;
        assert_redirects_to(&response, "/messages");
        assert!(!di.page("/messages").await.contains(&format!("/messages/{group}")));
        assert_eq!(di.get(&format!("/messages/{group}")).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(reply(&di, group, "One more thing").await.status(), StatusCode::NOT_FOUND);
        reply(&ann, group, "Di has left").await;
        assert_eq!(header_count(&di).await, 0);
        assert!(ann.page(&format!("/messages/{group}")).await.contains("Di Dunn</a> (left)"));

        // At most sixteen people: a forged form with seventeen is refused.
        let crowd: Vec<(String, String, &str, &str)> = (0..16)
            .map(|n| (format!("p{n}@nhs.net"), format!("Person {n}"), "link_worker", "wigan"))
            .collect();
        let rows: Vec<(&str, &str, &str, &str)> = crowd.iter().map(|(e, n, r, b)| (e.as_str(), n.as_str(), *r, *b)).collect();
        app.insert_members(&rows);
        let everyone: Vec<i64> = crowd.iter().map(|(e, ..)| app.member_id(e)).collect();
        let before = conversation_count(&app);
        let response = send(&ann, &everyone, "Hello all").await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(field_error(&page, "to").is_some_and(|e| e.contains("at most 16")), "{page}");
        assert_eq!(conversation_count(&app), before);
        // Fifteen others is a full group.
        assert_eq!(send(&ann, &everyone[..15], "Hello all fifteen").await.status(), StatusCode::SEE_OTHER);

        // "Message the cohort": the people booked on a run and its facilitators.
        let run = north_run(&app, "15").await;
        let (ed, flo) = (
            crate::courses::member(&app, "ed@nhs.net", "Ed Evans", "link_worker", "manchester").await,
            crate::courses::member(&app, "flo@nhs.net", "Flo Ford", "occupational_therapist", "bury").await,
        );
        book_ok(&ed, run).await;
        book_ok(&flo, run).await;
        let course = ed.page(&format!("/courses/{run}")).await;
        assert!(course.contains(&format!("/messages/new?run={run}")), "{course}");
        let form = ed.page(&format!("/messages/new?run={run}")).await;
        assert!(form.contains("Flo Ford") && !form.contains("Ed Evans</label>"), "{form}");
        let flo_id = app.member_id("flo@nhs.net");
        assert_eq!(attr_of(&form, &format!("#to-{flo_id}"), "checked").as_deref(), Some(""));
        // Someone not on the run cannot gather its cohort.
        assert_eq!(ann.get(&format!("/messages/new?run={run}")).await.status(), StatusCode::FORBIDDEN);
    }

    async fn who_may_write_and_blocking_are_enforced_in_the_rule_layer(app: TestApp) {
        let ann = member(&app, "ann@nhs.net", "Ann Archer").await; // Wigan
        let bo = member(&app, "bo@nhs.net", "Bo Baker").await; // Wigan
        let cy = crate::courses::member(&app, "cy@nhs.net", "Cy Cole", "link_worker", "bury").await;
        let bo_id = app.member_id("bo@nhs.net");

        // Nobody: every new conversation is refused, with the form kept.
        let response = bo.post("/messages/settings", &[("accepts", "nobody")]).await;
        assert_redirects_to(&response, "/messages/settings");
        let response = send(&ann, &[bo_id], "Can I ask about your service?").await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        let refused = field_error(&page, "to").expect("a refusal by the recipients");
        assert!(refused.contains("Bo Baker does not take new messages from you"), "{refused}");
        assert_eq!(textarea_text(&page, "body").as_deref(), Some("Can I ask about your service?"));
        // Through the address as well as the form.
        let forged = ann.post(&format!("/messages/new?to={bo_id}"), &[("body", "Hello?")]).await;
        assert_eq!(forged.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(conversation_count(&app), 0);

        // Their cluster: Ann in Wigan may, Cy in Bury may not.
        bo.post("/messages/settings", &[("accepts", "cluster")]).await;
        let refused_cy = send(&cy, &[bo_id], "Hello from Bury").await;
        assert_eq!(refused_cy.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let id = start(&ann, &[bo_id], "Hello from Wigan").await;
        assert!(bo.page("/messages").await.contains("Ann Archer"));

        // Bo blocks Ann: she gets the same refusal as for "nobody", word for word.
        bo.post("/messages/settings", &[("accepts", "anyone")]).await;
        let ann_id = app.member_id("ann@nhs.net");
        let response = bo.post("/messages/blocks", &[("member", &ann_id.to_string()), ("block", "yes")]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(bo.page("/messages/settings").await.contains("Ann Archer"));
        let response = send(&ann, &[bo_id], "Can I ask about your service?").await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert_eq!(field_error(&page, "to").as_deref(), Some(refused.as_str()));
        // In the conversation they share, her reply goes nowhere, and she is not told.
        let before = header_count(&bo).await;
        let response = reply(&ann, id, "Did you get my last message?").await;
        assert_eq!(conversation_of(&response), id);
        assert_eq!(header_count(&bo).await, before);
        assert!(!bo.page(&format!("/messages/{id}")).await.contains("Did you get my last message"));
        assert!(ann.page(&format!("/messages/{id}")).await.contains("Did you get my last message"));

        // Unblocked, she can write again.
        bo.post("/messages/blocks", &[("member", &ann_id.to_string()), ("block", "no")]).await;
        assert_eq!(send(&ann, &[bo_id], "Hello again").await.status(), StatusCode::SEE_OTHER);
        // Nobody blocks themselves; an unknown member is not found.
        let me = bo.post("/messages/blocks", &[("member", &bo_id.to_string()), ("block", "yes")]).await;
        assert_eq!(me.status(), StatusCode::BAD_REQUEST);
        let nobody = bo.post("/messages/blocks", &[("member", "999999"), ("block", "yes")]).await;
        assert_eq!(nobody.status(), StatusCode::NOT_FOUND);
    }

    async fn new_members_start_a_few_conversations_a_day(app: TestApp) {
        let ann = member(&app, "ann@nhs.net", "Ann Archer").await;
        let people: Vec<(String, String)> = (0..6).map(|n| (format!("p{n}@nhs.net"), format!("Person {n}"))).collect();
        let rows: Vec<(&str, &str, &str, &str)> = people.iter().map(|(e, n)| (e.as_str(), n.as_str(), "occupational_therapist", "wigan")).collect();
        app.insert_members(&rows);
        let ids: Vec<i64> = people.iter().map(|(e, _)| app.member_id(e)).collect();
        let mut first = 0;
        for id in &ids[..5] {
            first = start(&ann, &[*id], "Hello, I am new here").await;
        }
        let response = send(&ann, &[ids[5]], "One more hello").await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        let error = field_error(&page, "to").expect("the allowance by the field");
        assert!(error.contains("first 7 days") && error.contains("5 new conversations a day"), "{error}");
        assert_eq!(textarea_text(&page, "body").as_deref(), Some("One more hello"));
        // Replying is not starting.
        assert_eq!(conversation_of(&reply(&ann, first, "And a follow-up").await), first);
    }

    async fn a_reported_message_is_all_the_facilitators_see(app: TestApp) {
        let ann = member(&app, "ann@nhs.net", "Ann Archer").await;
        let bo = member(&app, "bo@nhs.net", "Bo Baker").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let bo_id = app.member_id("bo@nhs.net");
        let id = start(&ann, &[bo_id], "You are hopeless at your job").await;
        let rude = last_message(&app, id);
        reply(&ann, id, "Private aside about the Tuesday rota").await;
        let aside = last_message(&app, id);

        // Only the messages others sent you can be reported.
        let own = ann.post(&format!("/messages/at/{rude}/report"), &[("reason", "Testing")]).await;
        assert_eq!(own.status(), StatusCode::FORBIDDEN);
        let response = bo.post(&format!("/messages/at/{rude}/report"), &[("reason", "Insulting")]).await;
        assert_eq!(location(&response), format!("/messages/at/{rude}"));
        let back = bo.get(&format!("/messages/at/{rude}")).await;
        assert_eq!(location(&back), format!("/messages/{id}?page=1#message-{rude}"));

        // Fay sees the reported message and its author, nothing else; not the conversation.
        let queue = fay.page("/moderation/messages").await;
        assert!(queue.contains("You are hopeless at your job") && queue.contains("Ann Archer") && queue.contains("Insulting"), "{queue}");
        assert!(!queue.contains("Tuesday rota"), "{queue}");
        assert_eq!(fay.get(&format!("/messages/{id}")).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(fay.get(&format!("/messages/at/{aside}")).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(bo.get("/moderation/messages").await.status(), StatusCode::FORBIDDEN);
        let report = attr_of(&queue, "form[action$=\"/hide\"]", "action").expect("a hide form");

        // A member cannot decide reports by forging the form.
        assert_eq!(bo.post(&report, &[("reason", "Forged")]).await.status(), StatusCode::FORBIDDEN);
        let response = fay.post(&report, &[("reason", "Personal attack on a member")]).await;
        assert_redirects_to(&response, "/moderation/messages");
        let page = bo.page(&format!("/messages/{id}")).await;
        assert!(page.contains("hidden by a facilitator") && !page.contains("hopeless"), "{page}");
        assert!(page.contains("Tuesday rota"));
        assert!(!fay.page("/moderation/messages").await.contains("hopeless"));
        let notices = ann.page("/notifications").await;
        assert!(notices.contains("A facilitator hid a private message you sent"), "{notices}");

        // A second report, dismissed: the message stays.
        bo.post(&format!("/messages/at/{aside}/report"), &[("reason", "Not sure about this")]).await;
        let queue = fay.page("/moderation/messages").await;
        let dismiss = attr_of(&queue, "form[action$=\"/dismiss\"]", "action").expect("a dismiss form");
        assert_redirects_to(&fay.post(&dismiss, &[]).await, "/moderation/messages");
        assert!(bo.page(&format!("/messages/{id}")).await.contains("Tuesday rota"));
        assert_eq!(fay.post(&dismiss, &[]).await.status(), StatusCode::CONFLICT);

        crate::erasure::admin(&app).await;
        let audit = app.page("/admin/audit").await;
        assert!(audit.contains("message hidden") && audit.contains("message report dismissed"), "{audit}");
        assert!(!audit.contains("hopeless"), "the log names the message, never its words");
    }

    async fn the_guard_holds_a_message_until_a_facilitator_approves_it(app: TestApp) {
        let ann = member(&app, "ann@nhs.net", "Ann Archer").await;
        let bo = member(&app, "bo@nhs.net", "Bo Baker").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let bo_id = app.member_id("bo@nhs.net");

        // Asked first, with the words kept and the box to confirm.
        let response = send(&ann, &[bo_id], NHS_NUMBER_TEXT).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(field_error(&page, "body").is_some_and(|e| e.contains("943 476 5919")), "{page}");
        assert_eq!(count_of(&page, "input#confirm_patient_data"), 1);
        assert_eq!(textarea_text(&page, "body").as_deref(), Some(NHS_NUMBER_TEXT));

        // Confirmed: held, and only Ann sees it, marked.
        let bo_str = bo_id.to_string();
        let response = ann
            .post("/messages/new", &[("to", &bo_str), ("body", NHS_NUMBER_TEXT), ("confirm_patient_data", "yes")])
            .await;
        let id = conversation_of(&response);
        let page = ann.page(&format!("/messages/{id}")).await;
        assert!(page.contains("waiting for a facilitator") && page.contains("Waiting for a facilitator"), "{page}");
        assert_eq!(header_count(&bo).await, 0);
        assert!(!bo.page("/messages").await.contains("Ann Archer"), "nothing reaches Bo yet");
        assert!(!bo.page(&format!("/messages/{id}")).await.contains("943 476 5919"));
        app.mail_round_at(spot::db::now());
        assert!(mail_to(&app, "bo@nhs.net").is_empty(), "no email before approval");

        // Fay approves it from the held queue: delivered, told, emailed without its text.
        let queue = fay.page("/moderation/held").await;
        assert!(queue.contains("A private message by Ann Archer"), "{queue}");
        let approve = attr_of(&queue, "form[action$=\"/approve\"]", "action").expect("approve");
        assert_redirects_to(&fay.post(&approve, &[]).await, "/moderation/held");
        assert_eq!(header_count(&bo).await, 1);
        let notices = ann.page("/notifications").await;
        assert!(notices.contains("A facilitator approved your private message: it has been delivered"), "{notices}");
        app.mail_round_at(spot::db::now());
        let mail = mail_to(&app, "bo@nhs.net");
        assert_eq!(mail.len(), 1, "{mail:?}");
        assert!(!mail[0].text.contains("943") && !mail[0].html.contains("943"), "{:?}", mail[0]);
        assert!(bo.page(&format!("/messages/{id}")).await.contains("943 476 5919"));

        // A second held message, returned: never delivered, and its author told why.
        let id_str = id.to_string();
        ann.post(&format!("/messages/{id_str}/reply"), &[("body", NHS_NUMBER_TEXT), ("confirm_patient_data", "yes")]).await;
        let queue = fay.page("/moderation/held").await;
        let back = attr_of(&queue, "form[action$=\"/return\"]", "action").expect("return");
        assert_redirects_to(&fay.post(&back, &[("reason", "Take the NHS number out")]).await, "/moderation/held");
        let page = ann.page(&format!("/messages/{id}")).await;
        assert!(page.contains("Returned: not delivered") && page.contains("Take the NHS number out"), "{page}");
        assert_eq!(header_count(&bo).await, 0);
        let count_onbo = count_of(&bo.page(&format!("/messages/{id}")).await, "article.message");
        assert_eq!(count_onbo, 1, "only the approved one");
    }

    async fn search_finds_your_own_conversations_only(app: TestApp) {
        let ann = member(&app, "ann@nhs.net", "Ann Archer").await;
        let bo = member(&app, "bo@nhs.net", "Bo Baker").await;
        let cy = member(&app, "cy@nhs.net", "Cy Cole").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let bo_id = app.member_id("bo@nhs.net");
        let id = start(&ann, &[bo_id], "The zebrafinch pacing group meets on Fridays").await;
        let hits = r#"section[aria-labelledby="results-messages"] li.search-result"#;

        for (who, browser) in [("Ann", &ann), ("Bo", &bo)] {
            let page = browser.page("/search?q=zebrafinch").await;
            assert_eq!(count_of(&page, hits), 1, "{who}: {page}");
            assert!(page.contains(&format!("/messages/at/{}", last_message(&app, id))), "{page}");
        }
        for (who, browser) in [("Cy", &cy), ("Fay, a facilitator", &fay)] {
            let page = browser.page("/search?q=zebrafinch&kind=messages").await;
            assert_eq!(count_of(&page, hits), 0, "{who} finds nothing: {page}");
            assert!(!page.contains("pacing group"), "{page}");
        }
        let visitor = app.another_browser();
        let page = visitor.page("/search?q=zebrafinch").await;
        assert_eq!(count_of(&page, hits), 0);
        assert!(!page.contains("pacing group"));

        // Bo leaves: it is no longer his to find.
        bo.post(&format!("/messages/{id}/leave"), &[]).await;
        assert_eq!(count_of(&bo.page("/search?q=zebrafinch").await, hits), 0);
        assert_eq!(count_of(&ann.page("/search?q=zebrafinch").await, hits), 1);
    }

    async fn a_new_message_is_emailed_by_the_members_settings(app: TestApp) {
        let ann = member(&app, "ann@nhs.net", "Ann Archer").await;
        let bo = member(&app, "bo@nhs.net", "Bo Baker").await;
        let bo_id = app.member_id("bo@nhs.net");
        let id = start(&ann, &[bo_id], "Private words about the falls clinic").await;
        reply(&ann, id, "And a second message before Bo reads the first").await;
        app.mail_round_at(spot::db::now());
        let mail = mail_to(&app, "bo@nhs.net");
        assert_eq!(mail.len(), 1, "one email until Bo opens the conversation: {mail:?}");
        let letter = &mail[0];
        assert_eq!(letter.subject, "Ann Archer sent you a private message");
        assert!(letter.text.contains(&format!("/messages/{id}")), "{}", letter.text);
        assert!(!letter.text.contains("falls clinic") && !letter.html.contains("falls clinic"), "the email carries no message text");
        assert_eq!(letter.unsubscribe_post.as_deref(), Some("List-Unsubscribe=One-Click"));

        // One click stops message emails, and only those.
        let url = letter.unsubscribe.clone().expect("a List-Unsubscribe header");
        let response = one_click(&url).await;
        assert!(response.status().is_success(), "{}", response.status());
        let id2 = start(&ann, &[bo_id], "Another conversation").await;
        app.mail_round_at(spot::db::now());
        assert_eq!(mail_to(&app, "bo@nhs.net").len(), 1, "no more message emails");
        let notices = bo.page("/notifications").await;
        let told = texts_of(&notices, r#"a[href^="/notifications/"]"#)
            .into_iter()
            .filter(|t| t.contains("Ann Archer sent you a private message"))
            .count();
        assert_eq!(told, 2, "still told in the app: {notices}");
        assert!(id2 > id);
        let settings = bo.page("/account/notifications").await;
        assert_eq!(selected_value(&settings, "messages").as_deref(), Some("never"));

        // A daily digest, when chosen, names the message but not its words.
        let response = bo
            .post("/account/notifications", &[("replies", "immediately"), ("mentions", "immediately"),
                ("messages", "daily"), ("watching", "daily"), ("tags", "daily"), ("moderation", "immediately"),
                ("roundup", "never"), ("auto_watch", "yes")])
            .await;
        assert_redirects_to(&response, "/account/notifications");
        bo.page(&format!("/messages/{id}")).await;
        reply(&ann, id, "Words for the digest only").await;
        // Muted conversations are not notified at all.
        bo.post(&format!("/messages/{id2}/mute"), &[("muted", "yes")]).await;
        reply(&ann, id2, "Muted words").await;
        app.mail_round_at(spot::db::now() + chrono::Duration::days(1));
        let mail = mail_to(&app, "bo@nhs.net");
        let digest = mail.last().expect("a digest");
        assert!(digest.subject.contains("digest"), "{digest:?}");
        assert!(digest.text.contains("Ann Archer sent you a private message"), "{}", digest.text);
        assert!(!digest.text.contains("Words for the digest") && !digest.text.contains("Muted words"), "{}", digest.text);
    }
}
