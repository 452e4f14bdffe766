//! Staff levels and suspensions: the admin pages, and the rules behind them.

use reqwest::StatusCode;
use spot::accounts::members::{self, Viewer};
use spot::accounts::StaffLevel;
use spot::admin::staff::{self, StaffError};
use spot::db::MemberId;

use crate::helpers::*;
use crate::on_both_engines;

/// This browser signs up as an admin (made from the console); returns the admin's id.
pub(crate) async fn admin(app: &TestApp) -> i64 {
    app.join(
        "ada@nhs.net",
        "Ada Admin",
        "occupational_therapist",
        "salford",
    )
    .await;
    app.promote("ada@nhs.net", "admin");
    app.member_id("ada@nhs.net")
}

/// Another browser signed in as a plain member; returns it and the member's id.
async fn member(app: &TestApp, email: &str, name: &str) -> (Browser, i64) {
    let browser = app.another_browser();
    browser.join(email, name, "link_worker", "wigan").await;
    (browser, app.member_id(email))
}

/// The "Staff level" line of an admin's member page.
fn staff_level_shown(page: &str) -> String {
    let document = scraper::Html::parse_document(page);
    let rows = scraper::Selector::parse("dl.summary-list > div").unwrap();
    let dt = scraper::Selector::parse("dt").unwrap();
    let dd = scraper::Selector::parse("dd").unwrap();
    document
        .select(&rows)
        .find(|row| {
            row.select(&dt)
                .any(|t| t.text().collect::<String>() == "Staff level")
        })
        .and_then(|row| row.select(&dd).next())
        .map(|d| d.text().collect::<String>().trim().to_owned())
        .expect("the page shows a staff level")
}

on_both_engines! {
    async fn the_console_makes_the_first_admin(app: TestApp) {
        let id = admin(&app).await;
        let home = app.page("/").await;
        assert_eq!(attr_of(&home, r#"a[href="/admin/members"]"#, "href").as_deref(), Some("/admin/members"));
        let list = app.page("/admin/members").await;
        assert!(list.contains("Ada Admin") && list.contains("ada@nhs.net"), "{list}");
        let page = app.page(&format!("/admin/members/{id}")).await;
        assert_eq!(staff_level_shown(&page), "Admin");
        let audit = app.page("/admin/audit").await;
        assert!(audit.contains("staff level changed: Member → Admin"), "{audit}");
        assert!(audit.contains("console"), "the console is named as the actor: {audit}");
    }

    async fn a_member_cannot_use_the_admin_pages(app: TestApp) {
        let (sam, sam_id) = member(&app, "sam@nhs.net", "Sam Jones").await;
        let (_, kim_id) = member(&app, "kim@nhs.net", "Kim Lee").await;
        for path in [
            "/admin/members".to_owned(),
            format!("/admin/members/{kim_id}"),
            "/admin/audit".to_owned(),
        ] {
            let response = sam.get(&path).await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "GET {path}");
            assert!(response.text().await.unwrap().contains("Only SPOT's admins"));
        }
        let home = sam.page("/").await;
        assert_eq!(count_of(&home, r#"a[href="/admin/members"]"#), 0, "no Admin link for members");

        let response = sam.set_staff(sam_id, "admin").await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let response = sam.set_staff(kim_id, "facilitator").await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let response = sam.suspend(kim_id, "I do not like them", "").await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(sam.is_signed_in().await);

        // Nothing changed.
        let mut conn = app.db.conn().unwrap();
        for id in [sam_id, kim_id] {
            let record = members::find(&mut conn, MemberId(id)).unwrap();
            assert_eq!(record.staff, StaffLevel::Member);
            assert!(record.suspended_at.is_none());
        }
        drop(conn);

        // A visitor is asked to sign in.
        let visitor = app.another_browser();
        let response = visitor.get("/admin/members").await;
        assert_redirects_to(&response, "/login?next=%2Fadmin%2Fmembers");
    }

    async fn the_rules_refuse_a_non_admin_whatever_the_route(app: TestApp) {
        let (_, sam_id) = member(&app, "sam@nhs.net", "Sam Jones").await;
        let (_, kim_id) = member(&app, "kim@nhs.net", "Kim Lee").await;
        app.promote("kim@nhs.net", "facilitator");
        let mut conn = app.db.conn().unwrap();
        let now = spot::db::now();
        for actor_id in [sam_id, kim_id] {
            let actor = Viewer::from(&members::find(&mut conn, MemberId(actor_id)).unwrap());
            let outcome = conn.write_transaction(|conn| {
                staff::set_level(conn, &actor, MemberId(sam_id), StaffLevel::Admin, now)
            });
            assert!(matches!(outcome, Err(StaffError::NotAllowed)), "{outcome:?}");
            let outcome = conn.write_transaction(|conn| {
                staff::suspend(conn, &actor, MemberId(sam_id), None, "because", "http://localhost", now)
            });
            assert!(matches!(outcome, Err(StaffError::NotAllowed)), "{outcome:?}");
            let outcome = conn.write_transaction(|conn| {
                staff::lift_suspension(conn, &actor, MemberId(sam_id), now)
            });
            assert!(matches!(outcome, Err(StaffError::NotAllowed)), "{outcome:?}");
        }
        let sam = members::find(&mut conn, MemberId(sam_id)).unwrap();
        assert_eq!(sam.staff, StaffLevel::Member);
    }

    async fn an_admin_makes_a_member_a_facilitator(app: TestApp) {
        admin(&app).await;
        let (sam, sam_id) = member(&app, "sam@nhs.net", "Sam Jones").await;

        let response = app.set_staff(sam_id, "facilitator").await;
        assert_redirects_to(&response, &format!("/admin/members/{sam_id}"));
        let page = app.page(&format!("/admin/members/{sam_id}")).await;
        assert!(page.contains("Staff level set to Facilitator"), "{page}");
        assert_eq!(staff_level_shown(&page), "Facilitator");
        assert_eq!(selected_value(&page, "staff").as_deref(), Some("facilitator"));

        let list = app.page("/admin/members").await;
        let row = texts_of(&list, "table tbody tr")
            .into_iter()
            .find(|row| row.contains("Sam Jones"))
            .expect("Sam is listed");
        assert!(row.contains("Facilitator"), "{row}");

        let audit = app.page("/admin/audit").await;
        let entry = texts_of(&audit, "table tbody tr")
            .into_iter()
            .find(|row| row.contains("Member → Facilitator"))
            .expect("the change is in the audit log");
        assert!(entry.contains("Ada Admin") && entry.contains("Sam Jones"), "{entry}");

        // Everyone sees the badge; Sam's own session carries the new level at once.
        let profile = sam.page(&format!("/members/{sam_id}")).await;
        assert!(text_of(&profile, ".badge-staff").unwrap_or_default().contains("Facilitator"), "{profile}");
        assert_eq!(sam.get("/admin/members").await.status(), StatusCode::FORBIDDEN);
    }

    async fn an_unknown_staff_level_is_refused(app: TestApp) {
        admin(&app).await;
        let (_, sam_id) = member(&app, "sam@nhs.net", "Sam Jones").await;
        let response = app.set_staff(sam_id, "overlord").await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(field_error(&page, "staff").is_some(), "{page}");
        assert_eq!(staff_level_shown(&page), "Member");
        assert_eq!(app.get("/admin/members/999999").await.status(), StatusCode::NOT_FOUND);
        assert_eq!(app.set_staff(999_999, "facilitator").await.status(), StatusCode::NOT_FOUND);
    }

    async fn the_last_admin_cannot_step_down(app: TestApp) {
        let ada = admin(&app).await;
        let response = app.set_staff(ada, "member").await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        let page = response.text().await.unwrap();
        assert!(page.contains("at least one admin"), "{page}");
        assert!(app.get("/admin/members").await.status().is_success(), "still an admin");

        // With a second admin, the first may step down.
        let (bo, bo_id) = member(&app, "bo@nhs.net", "Bo Admin").await;
        assert_redirects_to(&app.set_staff(bo_id, "admin").await, &format!("/admin/members/{bo_id}"));
        assert_redirects_to(&app.set_staff(ada, "member").await, &format!("/admin/members/{ada}"));
        assert_eq!(app.get("/admin/members").await.status(), StatusCode::FORBIDDEN);
        // Bo is now the last one.
        let response = bo.set_staff(bo_id, "facilitator").await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
    }

    async fn a_suspended_member_is_signed_out_and_kept_out(app: TestApp) {
        admin(&app).await;
        let (sam, sam_id) = member(&app, "sam@nhs.net", "Sam Jones").await;
        assert!(sam.is_signed_in().await);

        let response = app.suspend(sam_id, "Posted a patient's details", "").await;
        assert_redirects_to(&response, &format!("/admin/members/{sam_id}"));
        let page = app.page(&format!("/admin/members/{sam_id}")).await;
        assert!(page.contains("The member is suspended"), "{page}");
        assert!(page.contains("Suspended") && page.contains("Posted a patient's details"), "{page}");

        // Sam's open session ends at the next request.
        let response = sam.get("/account").await;
        assert_redirects_to(&response, "/login?next=%2Faccount");
        let response = sam.login("sam@nhs.net", PASSWORD).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let refused = response.text().await.unwrap();
        assert!(refused.contains("suspended"), "{refused}");
        assert!(!sam.is_signed_in().await);

        // The account and profile stay; the directory no longer lists Sam.
        let profile = app.page(&format!("/members/{sam_id}")).await;
        assert_eq!(text_of(&profile, "h1").as_deref(), Some("Sam Jones"));
        assert_eq!(app.directory("").await, ["Ada Admin"]);

        let audit = app.page("/admin/audit").await;
        let entry = texts_of(&audit, "table tbody tr")
            .into_iter()
            .find(|row| row.contains("member suspended"))
            .expect("the suspension is in the audit log");
        assert!(entry.contains("Posted a patient's details") && entry.contains("Sam Jones"), "{entry}");

        // Sam was emailed the reason, and that it lasts until an admin lifts it.
        let letters: Vec<String> = app.emails().iter().map(|raw| email_text(raw)).collect();
        assert_eq!(letters.len(), 1, "{letters:?}");
        assert!(letters[0].contains("Posted a patient's details") && letters[0].contains("until an admin lifts it"), "{letters:?}");

        // A suspended member gets no reset link either.
        let response = sam.request_reset("sam@nhs.net").await;
        assert_redirects_to(&response, "/password-reset/sent");
        assert_eq!(app.emails().len(), 1, "no reset letter");
    }

    async fn a_suspension_needs_a_reason(app: TestApp) {
        admin(&app).await;
        let (sam, sam_id) = member(&app, "sam@nhs.net", "Sam Jones").await;
        let response = app.suspend(sam_id, "   ", "2099-01-31").await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(page.contains("<title>Error: Sam Jones"), "the title says the form needs attention");
        let message = field_error(&page, "reason").expect("a message by the reason");
        assert!(message.contains("reason"), "{message}");
        assert_eq!(input_value(&page, "until").as_deref(), Some("2099-01-31"));
        assert!(sam.is_signed_in().await, "nothing happened to Sam");

        // A date in the past, or not a date, is refused too, keeping the reason.
        let response = app.suspend(sam_id, "Spam", "2001-01-01").await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(field_error(&page, "until").is_some(), "{page}");
        assert_eq!(text_of(&page, "textarea[name=reason]").as_deref(), Some("Spam"));
        let response = app.suspend(sam_id, "Spam", "31/01/2099").await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(sam.is_signed_in().await);
    }

    async fn a_suspension_until_a_date_keeps_them_out_until_then(app: TestApp) {
        admin(&app).await;
        let (sam, sam_id) = member(&app, "sam@nhs.net", "Sam Jones").await;
        let response = app.suspend(sam_id, "Cooling off", "2099-01-31").await;
        assert_redirects_to(&response, &format!("/admin/members/{sam_id}"));
        let page = app.page(&format!("/admin/members/{sam_id}")).await;
        assert!(page.contains("until 31 January 2099"), "{page}");
        assert!(!sam.is_signed_in().await);
        assert_eq!(sam.login("sam@nhs.net", PASSWORD).await.status(), StatusCode::FORBIDDEN);
    }

    async fn lifting_a_suspension_lets_them_back_in(app: TestApp) {
        admin(&app).await;
        let (sam, sam_id) = member(&app, "sam@nhs.net", "Sam Jones").await;
        app.suspend(sam_id, "Spam", "").await;
        assert_eq!(sam.login("sam@nhs.net", PASSWORD).await.status(), StatusCode::FORBIDDEN);

        let response = app.unsuspend(sam_id).await;
        assert_redirects_to(&response, &format!("/admin/members/{sam_id}"));
        let page = app.page(&format!("/admin/members/{sam_id}")).await;
        assert!(page.contains("The suspension has been lifted"), "{page}");
        assert!(page.contains("Active"), "{page}");

        assert_redirects_to(&sam.login("sam@nhs.net", PASSWORD).await, "/");
        assert!(sam.is_signed_in().await);
        assert_eq!(app.directory("").await, ["Ada Admin", "Sam Jones"]);
        let audit = app.page("/admin/audit").await;
        assert!(audit.contains("suspension lifted"), "{audit}");
    }

    async fn a_suspension_ends_even_an_idle_session_for_good(app: TestApp) {
        admin(&app).await;
        let (_, sam_id) = member(&app, "sam@nhs.net", "Sam Jones").await;
        // A laptop left signed in, that makes no request while Sam is suspended.
        let laptop = app.another_browser();
        assert_redirects_to(&laptop.login("sam@nhs.net", PASSWORD).await, "/");
        assert!(laptop.is_signed_in().await);

        assert_redirects_to(
            &app.suspend(sam_id, "Account shared with a colleague", "").await,
            &format!("/admin/members/{sam_id}"),
        );
        assert_redirects_to(&app.unsuspend(sam_id).await, &format!("/admin/members/{sam_id}"));

        // Sam may sign in again, but the session from before the suspension is over.
        assert!(
            !laptop.is_signed_in().await,
            "a session from before the suspension came back when it was lifted"
        );
    }

    async fn an_admin_cannot_suspend_themselves(app: TestApp) {
        let ada = admin(&app).await;
        let response = app.suspend(ada, "Testing", "").await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        let page = response.text().await.unwrap();
        assert!(page.contains("cannot suspend yourself"), "{page}");
        assert!(app.is_signed_in().await);
        assert!(app.get("/admin/members").await.status().is_success());

        // Nor another admin, until they are made a member.
        let (_, bo) = member(&app, "bo@nhs.net", "Bo Admin").await;
        app.promote("bo@nhs.net", "admin");
        let response = app.suspend(bo, "Testing", "").await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
    }
}
