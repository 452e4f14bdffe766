//! Changing a password, and resetting a forgotten one by emailed link.

use chrono::Duration;
use diesel::prelude::*;
use reqwest::StatusCode;
use spot::schema::password_resets;

use crate::helpers::*;
use crate::on_both_engines;

const NEW_PASSWORD: &str = "lighthouse biscuit meadow";

on_both_engines! {
    async fn changing_a_password_needs_the_current_one(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let response = app.change_password("not my password", NEW_PASSWORD).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        let message = field_error(&page, "current_password").expect("a message by the field");
        assert!(message.contains("not right"), "{message}");
        assert!(!page.contains(NEW_PASSWORD) && !page.contains("not my password"));

        let response = app.change_password(PASSWORD, "too short").await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        let message = field_error(&page, "new_password").expect("a message by the field");
        assert!(message.contains("at least 12 characters"), "{message}");

        // Nothing changed: the old password still works.
        assert!(app.is_signed_in().await);
        let response = app.another_browser().login("sam@nhs.net", PASSWORD).await;
        assert_redirects_to(&response, "/");
    }

    async fn a_new_password_signs_out_the_other_browsers_only(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let laptop = app.another_browser();
        assert_redirects_to(&laptop.login("sam@nhs.net", PASSWORD).await, "/");
        assert!(laptop.is_signed_in().await);

        let response = app.change_password(PASSWORD, NEW_PASSWORD).await;
        assert_redirects_to(&response, "/account");
        let account = app.page("/account").await;
        assert!(account.contains("Your password has been changed"), "{account}");

        assert!(!laptop.is_signed_in().await, "the other browser is still signed in");
        assert!(app.is_signed_in().await, "this browser was signed out too");

        let old = app.another_browser().login("sam@nhs.net", PASSWORD).await;
        assert_eq!(old.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let new = app.another_browser().login("sam@nhs.net", NEW_PASSWORD).await;
        assert_redirects_to(&new, "/");
    }

    async fn a_forgotten_password_is_reset_by_the_emailed_link(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        app.logout().await;
        let phone = app.another_browser();
        assert_redirects_to(&phone.login("sam@nhs.net", PASSWORD).await, "/");

        let response = app.request_reset("Sam@NHS.net").await;
        assert_redirects_to(&response, "/password-reset/sent");
        let sent = app.page("/password-reset/sent").await;
        assert!(sent.contains("Check your email"), "{sent}");

        let emails = app.emails();
        assert_eq!(emails.len(), 1, "one email in the outbox");
        let email = &emails[0];
        assert!(email.contains("To: \"Sam Jones\" <sam@nhs.net>"), "{email}");
        assert!(email.contains("Subject: Reset your SPOT password"), "{email}");
        let link = reset_link_in(email).expect("the email holds a /password-reset/<token> link");
        let text = email_text(email);
        assert!(text.contains(&format!("{}{link}\r\n", app.address)), "the link is absolute: {text}");

        let form = app.page(&link).await;
        assert!(form.contains("Choose a new password"), "{form}");
        let response = app.post(&link, &[("password", NEW_PASSWORD)]).await;
        assert_redirects_to(&response, "/account");
        let account = app.page("/account").await;
        assert!(account.contains("sam@nhs.net"), "signed in after the reset");

        let old = app.another_browser().login("sam@nhs.net", PASSWORD).await;
        assert_eq!(old.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let new = app.another_browser().login("sam@nhs.net", NEW_PASSWORD).await;
        assert_redirects_to(&new, "/");
        assert!(!phone.is_signed_in().await, "a reset signs out the other sessions");
    }

    async fn a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(app: TestApp) {
        let response = app.request_reset("nobody@nhs.net").await;
        assert_redirects_to(&response, "/password-reset/sent");
        assert!(app.emails().is_empty(), "an email was written for an unknown address");
    }

    async fn a_reset_link_works_once(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        app.request_reset("sam@nhs.net").await;
        let link = reset_link_in(&app.emails()[0]).expect("a reset link");

        let first = app.another_browser();
        assert_redirects_to(&first.post(&link, &[("password", NEW_PASSWORD)]).await, "/account");

        let second = app.another_browser();
        let response = second.get(&link).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let page = response.text().await.unwrap();
        assert!(page.contains("no longer works"), "{page}");

        let response = second.post(&link, &[("password", "someone else's choice")]).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert!(response.text().await.unwrap().contains("no longer works"));
        assert!(!second.is_signed_in().await);
        let still = app.another_browser().login("sam@nhs.net", NEW_PASSWORD).await;
        assert_redirects_to(&still, "/");
    }

    async fn using_one_reset_link_cancels_the_others(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        app.request_reset("sam@nhs.net").await;
        app.request_reset("sam@nhs.net").await;
        let emails = app.emails();
        assert_eq!(emails.len(), 2);
        let links: Vec<String> = emails.iter().map(|e| reset_link_in(e).unwrap()).collect();
        assert_ne!(links[0], links[1]);
        let browser = app.another_browser();
        assert_redirects_to(&browser.post(&links[1], &[("password", NEW_PASSWORD)]).await, "/account");
        assert_eq!(app.another_browser().get(&links[0]).await.status(), StatusCode::NOT_FOUND);
    }

    async fn reset_requests_are_limited_without_revealing_the_address(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        for email in ["sam@nhs.net", "nobody@nhs.net"] {
            for _ in 0..3 {
                assert_redirects_to(&app.request_reset(email).await, "/password-reset/sent");
            }
            let response = app.request_reset(email).await;
            assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS, "{email}");
            assert!(!header(&response, "retry-after").is_empty());
        }
        assert_eq!(app.emails().len(), 3, "three links for Sam, none for the unknown address");
    }

    async fn an_expired_reset_link_fails(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        app.request_reset("sam@nhs.net").await;
        let link = reset_link_in(&app.emails()[0]).expect("a reset link");
        {
            let mut conn = app.db.conn().unwrap();
            diesel::update(password_resets::table)
                .set(password_resets::expires_at.eq(spot::db::now() - Duration::minutes(1)))
                .execute(&mut *conn)
                .unwrap();
        }

        let browser = app.another_browser();
        let response = browser.get(&link).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert!(response.text().await.unwrap().contains("no longer works"));
        let response = browser.post(&link, &[("password", NEW_PASSWORD)]).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert!(!browser.is_signed_in().await);
        let old = app.another_browser().login("sam@nhs.net", PASSWORD).await;
        assert_redirects_to(&old, "/");
    }

    async fn a_made_up_reset_link_fails(app: TestApp) {
        let response = app.get("/password-reset/not-a-real-token").await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert!(response.text().await.unwrap().contains("no longer works"));
    }

    async fn a_reset_needs_a_good_new_password(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        app.request_reset("sam@nhs.net").await;
        let link = reset_link_in(&app.emails()[0]).expect("a reset link");
        let browser = app.another_browser();
        let response = browser.post(&link, &[("password", "short")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(field_error(&page, "password").unwrap_or_default().contains("at least 12"), "{page}");
        // The link still works after a refused attempt.
        assert_redirects_to(&browser.post(&link, &[("password", NEW_PASSWORD)]).await, "/account");
    }
}
