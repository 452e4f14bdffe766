//! A member's record as staff keep it: notes only staff read, warnings the member is told of
//! (in SPOT and by email), and the moderation history in one place.

use reqwest::StatusCode;

use crate::courses::emails_to;
use crate::forum::{facilitator, member, reply, start_thread};
use crate::helpers::*;
use crate::on_both_engines;

on_both_engines! {
    async fn facilitators_keep_notes_warn_and_see_a_members_history(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let sam_id = app.member_id("sam@nhs.net");
        let thread = start_thread(&kim, "practice-questions", "Transport", "Any volunteer drivers?").await;
        let post = reply(&sam, thread, "Buy my miracle cure instead.").await;
        kim.post(&format!("/posts/{post}/report"), &[("reason", "Advertising")]).await;
        fay.post(&format!("/posts/{post}/hide"), &[("reason", "Advertising a product")]).await;

        // Members can neither read the record nor write to it.
        assert_eq!(kim.get(&format!("/members/{sam_id}/history")).await.status(), StatusCode::FORBIDDEN);
        let forged = kim.post(&format!("/members/{sam_id}/warn"), &[("warning", "I do not like you")]).await;
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        let forged = kim.post(&format!("/members/{sam_id}/notes"), &[("note", "Gossip")]).await;
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);

        // A note: an empty one comes back; a good one is dated and signed, and Sam is not told.
        let response = fay.post(&format!("/members/{sam_id}/notes"), &[("note", "")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let response = fay.post(&format!("/members/{sam_id}/notes"), &[("note", "Spoke to Sam by phone about adverts.")]).await;
        assert_redirects_to(&response, &format!("/members/{sam_id}/history"));
        // A warning that names a patient is refused, the words kept.
        let response = fay.post(&format!("/members/{sam_id}/warn"), &[("warning", "You posted NHS number 943 476 5919")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(field_error(&page, "warning").is_some_and(|e| e.contains("NHS number")), "{page}");
        let response = fay.post(&format!("/members/{sam_id}/warn"), &[("warning", "Please do not advertise products in the forum.")]).await;
        assert_redirects_to(&response, &format!("/members/{sam_id}/history"));

        // Sam is told in SPOT and by email.
        let notices = sam.page("/notifications").await;
        assert!(notices.contains("given you a warning") && notices.contains("Please do not advertise"), "{notices}");
        let letters = emails_to(&app, "sam@nhs.net");
        assert!(letters.iter().any(|l| l.contains("A warning from the SPOT facilitators") && l.contains("Please do not advertise")), "{letters:?}");
        assert!(letters.iter().all(|l| !l.contains("Spoke to Sam by phone")), "notes are not sent");

        // A suspension joins the record; the history shows everything in one place.
        fay.post(&format!("/members/{sam_id}/suspend"), &[("days", "3"), ("reason", "Adverts again")]).await;
        let record = fay.page(&format!("/members/{sam_id}/history")).await;
        assert!(record.contains("1 warning on record"), "{record}");
        for seen in ["Spoke to Sam by phone", "Please do not advertise", "Advertising", "Advertising a product", "Adverts again", "Fay Green"] {
            assert!(record.contains(seen), "{seen} missing: {record}");
        }
        let profile = fay.page(&format!("/members/{sam_id}")).await;
        assert!(profile.contains(&format!("/members/{sam_id}/history")));
        let audit = fay.page("/moderation/log").await;
        assert!(audit.contains("member warned"), "{audit}");
    }

    async fn a_facilitator_claims_reports_so_that_two_do_not_handle_the_same(app: TestApp) {
        app.join("ada@nhs.net", "Ada Admin", "occupational_therapist", "salford").await;
        app.promote("ada@nhs.net", "admin");
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let ola = facilitator(&app, "ola@nhs.net", "Ola Stone").await;
        let thread = start_thread(&kim, "practice-questions", "Transport", "Any volunteer drivers?").await;
        let post = reply(&sam, thread, "Buy my miracle cure instead.").await;
        kim.post(&format!("/posts/{post}/report"), &[("reason", "Advertising")]).await;

        // Members cannot claim.
        let forged = kim.post(&format!("/moderation/posts/{post}/claim"), &[]).await;
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        // Fay claims: everyone sees she has them; Ola can neither claim nor close them.
        assert_redirects_to(&fay.post(&format!("/moderation/posts/{post}/claim"), &[]).await, "/moderation");
        let queue = ola.page("/moderation").await;
        assert!(text_of(&queue, "p.claim").is_some_and(|t| t.contains("Fay Green is dealing with these reports")), "{queue}");
        assert_eq!(ola.post(&format!("/moderation/posts/{post}/claim"), &[]).await.status(), StatusCode::CONFLICT);
        let response = ola.post(&format!("/moderation/posts/{post}/dismiss"), &[]).await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert!(response.text().await.unwrap().contains("Fay Green is dealing with these reports"));

        // Fay passes them to the admins, who are told; then lets them go, and Ola takes over.
        assert_redirects_to(&fay.post(&format!("/moderation/posts/{post}/escalate"), &[]).await, "/moderation");
        let notices = app.page("/notifications").await;
        assert!(notices.contains("Fay Green passed reports on a post to the admins"), "{notices}");
        assert!(ola.page("/moderation").await.contains("Passed to the admins"));
        assert_redirects_to(&fay.post(&format!("/moderation/posts/{post}/unclaim"), &[]).await, "/moderation");
        assert_redirects_to(&ola.post(&format!("/moderation/posts/{post}/claim"), &[]).await, "/moderation");
        let response = ola.post(&format!("/moderation/posts/{post}/resolve"), &[("reason", "Advertising a product")]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let queue = ola.page("/moderation").await;
        assert!(queue.contains("Nothing is waiting"), "{queue}");
    }

    async fn admins_see_reports_per_month_and_category_with_the_wait_for_action(app: TestApp) {
        app.join("ada@nhs.net", "Ada Admin", "occupational_therapist", "salford").await;
        app.promote("ada@nhs.net", "admin");
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let thread = start_thread(&kim, "practice-questions", "Transport", "Any volunteer drivers?").await;
        let first = reply(&sam, thread, "Buy my miracle cure instead.").await;
        let second = reply(&sam, thread, "Cheap pills here.").await;
        kim.post(&format!("/posts/{first}/report"), &[("reason", "Advertising")]).await;
        kim.post(&format!("/posts/{second}/report"), &[("reason", "Spam")]).await;
        fay.post(&format!("/moderation/posts/{first}/claim"), &[]).await;

        assert_eq!(fay.get("/admin/moderation").await.status(), StatusCode::FORBIDDEN);
        let page = app.page("/admin/moderation").await;
        let month = spot::db::now().format("%Y-%m").to_string();
        let rows = texts_of(&page, "table tbody tr");
        assert!(rows.iter().any(|r| r.contains(&month) && r.contains('2') && r.contains('1')), "{rows:?}");
        assert!(rows.iter().any(|r| r.contains("Practice questions") && r.contains('2')), "{rows:?}");
        assert!(page.contains("2 in all, 1 not yet acted on"), "{page}");
    }
}
