//! After the course, over HTTP: only those the register shows at a session answer the
//! feedback form, once; an anonymous answer stays anonymous in every output (the results
//! page, its CSV, the member's export, the audit log, the database); the invitation goes
//! once, after the last session; the certificate is for attendees only.

use chrono::Duration;
use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use reqwest::StatusCode;

use crate::courses::{
    admin, book_ok, emails_to, facilitating, member, north_run, register_sessions,
};
use crate::export::{download, wait_until_ready};
use crate::helpers::*;
use crate::on_both_engines;

/// Moves every session of the run `days` earlier, as if that time had passed.
pub fn days_pass(app: &TestApp, run: i64, days: i64) {
    use spot::schema::course_sessions;
    let mut conn = app.db.conn().expect("connection");
    let sessions: Vec<(i64, chrono::NaiveDateTime)> = course_sessions::table
        .filter(course_sessions::run_id.eq(run))
        .select((course_sessions::id, course_sessions::starts_at))
        .load(&mut *conn)
        .expect("sessions");
    for (id, starts_at) in sessions {
        diesel::update(course_sessions::table.find(id))
            .set(course_sessions::starts_at.eq(starts_at - Duration::days(days)))
            .execute(&mut *conn)
            .expect("moved");
    }
}

/// Takes the register of session `number` (from 1) on the roster page: `present` came.
pub async fn register(by: &Browser, run: i64, number: usize, present: &[i64]) {
    let roster = by.page(&format!("/courses/{run}/roster")).await;
    let sessions = register_sessions(&roster, run);
    let ids: Vec<String> = present.iter().map(i64::to_string).collect();
    let fields: Vec<(&str, &str)> = ids.iter().map(|id| ("present", id.as_str())).collect();
    let response = by
        .post(
            &format!("/courses/{run}/attendance/{}", sessions[number - 1]),
            &fields,
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "register of session {number}"
    );
}

/// The feedback form's question fields, in order.
fn question_fields(form: &str) -> Vec<String> {
    let document = scraper::Html::parse_document(form);
    let fields = scraper::Selector::parse(r#"input[type="radio"], textarea"#).unwrap();
    let mut names: Vec<String> = Vec::new();
    for field in document.select(&fields) {
        let name = field.value().attr("name").unwrap_or_default().to_owned();
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// Answers the default form: before, after, contacts, plans, what to change ("" skips).
pub async fn answer(
    browser: &Browser,
    run: i64,
    values: [&str; 5],
    anonymous: bool,
) -> reqwest::Response {
    let form = browser.page(&format!("/courses/{run}/feedback")).await;
    let names = question_fields(&form);
    assert_eq!(names.len(), 5, "the default set: {form}");
    let mut fields: Vec<(&str, &str)> = names
        .iter()
        .zip(values)
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| (name.as_str(), value))
        .collect();
    if anonymous {
        fields.push(("anonymous", "yes"));
    }
    browser
        .post(&format!("/courses/{run}/feedback"), &fields)
        .await
}

const ANN: &str = "Annika Quietwater";
const BOB: &str = "Bobby Namedsworth";

on_both_engines! {
    async fn only_attendees_answer_once_and_anonymous_answers_stay_anonymous(app: TestApp) {
        admin(&app).await;
        let run = north_run(&app, "15").await;
        let fay = facilitating(&app, run).await;
        let ann = member(&app, "ann@nhs.net", ANN, "link_worker", "manchester").await;
        let bob = member(&app, "bob@nhs.net", BOB, "occupational_therapist", "rochdale").await;
        let cat = member(&app, "cat@nhs.net", "Cat Absent", "link_worker", "bury").await;
        for who in [&ann, &bob, &cat] {
            book_ok(who, run).await;
        }
        let (ann_id, bob_id) = (app.member_id("ann@nhs.net"), app.member_id("bob@nhs.net"));
        // Before the course, nobody has a form or a certificate.
        assert_eq!(ann.get(&format!("/courses/{run}/feedback")).await.status(), StatusCode::FORBIDDEN);

        days_pass(&app, run, 35);
        register(&fay, run, 1, &[ann_id, bob_id]).await;
        register(&fay, run, 2, &[ann_id]).await;
        register(&fay, run, 3, &[ann_id, bob_id]).await;

        // Cat was booked but never came: no form, no certificate, and a forged answer is refused.
        let response = cat.get(&format!("/courses/{run}/feedback")).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(response.text().await.unwrap().contains("attended this course"));
        let forged = cat.post(&format!("/courses/{run}/feedback"), &[("q-1", "5"), ("anonymous", "yes")]).await;
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        let response = cat.get(&format!("/courses/{run}/certificate")).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(response.text().await.unwrap().contains("register does not show you"));

        // The course page leads attendees to the form and the certificate.
        let page = ann.page(&format!("/courses/{run}")).await;
        assert!(page.contains("After the course"), "{page}");
        assert_eq!(count_of(&page, &format!(r#"a[href="/courses/{run}/feedback"]"#)), 1, "{page}");
        assert_eq!(count_of(&page, &format!(r#"a[href="/courses/{run}/certificate"]"#)), 1);

        // A rating outside 1 to 5 comes back with its message by the field.
        let form = ann.page(&format!("/courses/{run}/feedback")).await;
        let first = question_fields(&form).remove(0);
        let response = ann.post(&format!("/courses/{run}/feedback"), &[(first.as_str(), "9")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(field_error(&response.text().await.unwrap(), &first).is_some());

        // Ann answers anonymously, Bob by name; a second answer is refused.
        let response = answer(&ann, run, ["2", "5", "4", "ANONPLAN walk and talk group", "ANONCHANGE longer breaks"], true).await;
        assert_redirects_to(&response, &format!("/courses/{run}"));
        assert!(ann.page(&format!("/courses/{run}/feedback")).await.contains("you have given your feedback"));
        let forged = ann.post(&format!("/courses/{run}/feedback"), &[(first.as_str(), "1")]).await;
        assert_eq!(forged.status(), StatusCode::CONFLICT);
        let response = answer(&bob, run, ["3", "4", "", "NAMEDPLAN joint clinic", ""], false).await;
        assert_redirects_to(&response, &format!("/courses/{run}"));
        assert!(ann.page(&format!("/courses/{run}")).await.contains("Thank you for your feedback"));

        // The database holds the anonymous response with no member, and one marker each.
        {
            use spot::schema::{feedback_respondents, feedback_responses};
            let mut conn = app.db.conn().expect("connection");
            let authors: Vec<Option<i64>> = feedback_responses::table
                .select(feedback_responses::member_id)
                .order(feedback_responses::member_id.asc())
                .load(&mut *conn)
                .unwrap();
            assert_eq!(authors.iter().filter(|a| a.is_none()).count(), 1, "{authors:?}");
            assert!(authors.contains(&Some(bob_id)) && !authors.contains(&Some(ann_id)));
            let answered: i64 = feedback_respondents::table.count().get_result(&mut *conn).unwrap();
            assert_eq!(answered, 2);
        }

        // Results: for the run's facilitator without names, for the admin with Bob's only.
        let results = fay.page(&format!("/courses/{run}/feedback/results")).await;
        assert!(results.contains("ANONPLAN") && results.contains("NAMEDPLAN"), "{results}");
        assert!(!results.contains(ANN) && !results.contains(BOB), "{results}");
        assert!(results.contains("2 responses, 1 of them anonymous"), "{results}");
        assert!(results.contains("+2.0"), "before 2.5, after 4.5: {results}");
        assert!(results.contains(r#"role="img""#));
        let results = app.page(&format!("/courses/{run}/feedback/results")).await;
        assert!(results.contains(BOB) && !results.contains(ANN), "{results}");
        let written = texts_of(&results, ".written-answers li");
        let anon = written.iter().find(|t| t.contains("ANONPLAN")).expect("listed");
        assert!(anon.contains("Unnamed"), "{anon}");
        assert!(written.iter().any(|t| t.contains("NAMEDPLAN") && t.contains(BOB)), "{written:?}");
        let csv = app.page(&format!("/courses/{run}/feedback/results.csv")).await;
        assert!(!csv.contains(ANN) && csv.contains(BOB), "{csv}");
        let anon_line = csv.lines().find(|l| l.contains("ANONPLAN")).expect("in the CSV");
        assert!(anon_line.ends_with(','), "no name on the anonymous row: {anon_line}");
        assert!(!fay.page(&format!("/courses/{run}/feedback/results.csv")).await.contains(BOB));
        // Members see no results; the admin's audit log says nothing of who answered what.
        assert_eq!(cat.get(&format!("/courses/{run}/feedback/results")).await.status(), StatusCode::FORBIDDEN);
        assert_eq!(ann.get(&format!("/courses/{run}/feedback/results.csv")).await.status(), StatusCode::FORBIDDEN);
        let audit = app.page("/admin/audit").await;
        assert!(!audit.contains("ANONPLAN") && !audit.contains("NAMEDPLAN") && !audit.contains("feedback given"), "{audit}");

        // Exports: Bob's named answer is in his; nothing of Ann's anonymous one is in hers.
        for (who, holds, lacks) in [(&bob, "NAMEDPLAN", "ANONPLAN"), (&ann, "", "ANONPLAN")] {
            let response = who.post("/account/export", &[]).await;
            assert_redirects_to(&response, "/account/export");
            wait_until_ready(who, "/account/export").await;
            let zip = download(who, "/account/export/download").await;
            assert!(!zip.holds(lacks.as_bytes()) && !zip.holds(b"ANONCHANGE"));
            let feedback = zip.json("feedback.json");
            if holds.is_empty() {
                assert_eq!(feedback, serde_json::json!([]), "nothing is Ann's");
            } else {
                assert!(feedback.to_string().contains(holds), "{feedback}");
            }
        }

        // Certificates: Ann came to all three sessions, Bob to two; signed by Fay.
        let certificate = ann.page(&format!("/courses/{run}/certificate")).await;
        for expected in [ANN, "Link worker", "SPOT course: Manchester, Rochdale and Bury", "3 of 3", "6 hours", "Fay Facilitator", &format!("SPOT-{run}-"), "Completed"] {
            assert!(certificate.contains(expected), "{expected} in {certificate}");
        }
        let certificate = bob.page(&format!("/courses/{run}/certificate")).await;
        assert!(certificate.contains("2 of 3") && certificate.contains("4 hours") && !certificate.contains("Completed:"), "{certificate}");
        let css = app.page(&attr_of(&certificate, r#"link[rel="stylesheet"]"#, "href").expect("a stylesheet")).await;
        assert!(css.contains("@media print"), "a print stylesheet");

        // Erasing Bob takes his named answer with him; Ann's anonymous one stays.
        let response = bob.post("/account/delete", &[("posts", "keep"), ("confirm", "delete")]).await;
        assert_redirects_to(&response, "/");
        let results = app.page(&format!("/courses/{run}/feedback/results")).await;
        assert!(!results.contains("NAMEDPLAN") && results.contains("ANONPLAN"), "{results}");
    }

    async fn the_invitation_goes_once_after_the_last_session_to_those_who_came(app: TestApp) {
        admin(&app).await;
        let run = north_run(&app, "15").await;
        let fay = facilitating(&app, run).await;
        let ann = member(&app, "ann@nhs.net", ANN, "link_worker", "manchester").await;
        let cat = member(&app, "cat@nhs.net", "Cat Absent", "link_worker", "bury").await;
        book_ok(&ann, run).await;
        book_ok(&cat, run).await;
        // Sessions 1 and 2 are over; the last is four days ahead.
        days_pass(&app, run, 24);
        register(&fay, run, 1, &[app.member_id("ann@nhs.net")]).await;

        let now = spot::db::now();
        assert_eq!(app.mail_round_at(now).invitations, 0, "not before the last session");
        let page = ann.page(&format!("/courses/{run}")).await;
        assert!(page.contains("The feedback form opens when the last session starts"), "{page}");
        assert_eq!(ann.get(&format!("/courses/{run}/certificate")).await.status(), StatusCode::OK);

        let later = now + Duration::days(5);
        assert_eq!(app.mail_round_at(later).invitations, 1, "Ann's, not Cat's");
        assert_eq!(app.mail_round_at(later).invitations, 0, "once");
        assert_eq!(app.mail_round_at(later + Duration::days(1)).invitations, 0, "once");
        let letters: Vec<String> = emails_to(&app, "ann@nhs.net")
            .into_iter()
            .filter(|text| text.contains("How was"))
            .collect();
        assert_eq!(letters.len(), 1, "{letters:?}");
        assert!(letters[0].contains(&format!("/courses/{run}/feedback")) && letters[0].contains(&format!("/courses/{run}/certificate")), "{}", letters[0]);
        assert!(emails_to(&app, "cat@nhs.net").iter().all(|text| !text.contains("How was")));
        let notifications = ann.page("/notifications").await;
        assert!(notifications.contains("How was SPOT course"), "{notifications}");
    }

    async fn admins_set_each_runs_questions_until_the_first_answer(app: TestApp) {
        admin(&app).await;
        let run = north_run(&app, "15").await;
        let fay = facilitating(&app, run).await;
        let path = format!("/admin/courses/{run}/feedback");
        let page = app.page(&path).await;
        assert!(page.contains("Before the course, how well did you understand the other profession"), "{page}");
        assert_eq!(count_of(&page, "ol.question-list > li"), 5, "the default set");
        // Only admins.
        assert_eq!(fay.get(&path).await.status(), StatusCode::FORBIDDEN);
        let forged = fay.post(&format!("{path}/questions"), &[("kind", "text"), ("prompt", "Sneaky?")]).await;
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);

        // A rating needs its end labels; a second "after" rating is refused by its field.
        let response = app.post(&format!("{path}/questions"), &[("kind", "rating"), ("prompt", "How useful were the sessions?")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = response.text().await.unwrap();
        assert!(field_error(&body, "low_label").is_some() && field_error(&body, "high_label").is_some(), "{body}");
        let response = app.post(&format!("{path}/questions"), &[("kind", "rating"), ("prompt", "Again?"), ("low_label", "No"), ("high_label", "Yes"), ("measure", "after")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(field_error(&response.text().await.unwrap(), "measure").is_some());
        let response = app.post(&format!("{path}/questions"), &[("kind", "rating"), ("prompt", "How useful were the sessions?"), ("low_label", "Not useful"), ("high_label", "Very useful")]).await;
        assert_redirects_to(&response, &path);

        // Reorder and remove, by the forms on the page.
        let page = app.page(&path).await;
        let actions: Vec<String> = {
            let document = scraper::Html::parse_document(&page);
            let forms = scraper::Selector::parse("ol.question-list form").unwrap();
            document.select(&forms).filter_map(|f| f.value().attr("action").map(str::to_owned)).collect()
        };
        let up = actions.iter().rev().find(|a| a.ends_with("/up")).expect("the new one moves up").clone();
        assert_redirects_to(&app.post(&up, &[]).await, &path);
        let remove = actions.iter().find(|a| a.ends_with("/remove")).expect("a remove button").clone();
        assert_redirects_to(&app.post(&remove, &[]).await, &path);
        let page = app.page(&path).await;
        let prompts = texts_of(&page, "ol.question-list > li strong");
        assert_eq!(prompts.len(), 5, "{prompts:?}");
        assert!(prompts[0].starts_with("After the course"), "the first was removed: {prompts:?}");
        assert_eq!(prompts[3], "How useful were the sessions?", "{prompts:?}");

        // Once someone has answered, the questions stay as they were answered.
        let ann = member(&app, "ann@nhs.net", ANN, "link_worker", "manchester").await;
        book_ok(&ann, run).await;
        days_pass(&app, run, 35);
        register(&fay, run, 1, &[app.member_id("ann@nhs.net")]).await;
        let form = ann.page(&format!("/courses/{run}/feedback")).await;
        let first = question_fields(&form).remove(0);
        assert_redirects_to(&ann.post(&format!("/courses/{run}/feedback"), &[(first.as_str(), "4")]).await, &format!("/courses/{run}"));
        let page = app.page(&path).await;
        assert!(page.contains("can no longer change") && count_of(&page, "ol.question-list form") == 0, "{page}");
        let late = app.post(&format!("{path}/questions"), &[("kind", "text"), ("prompt", "Late?")]).await;
        assert_eq!(late.status(), StatusCode::CONFLICT);
    }
}
