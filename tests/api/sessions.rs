//! Signing in and out, where sign-in leads, and the limits on guessing passwords.

use reqwest::StatusCode;

use crate::helpers::*;
use crate::on_both_engines;

on_both_engines! {
    async fn signing_in_with_the_right_password_works_in_any_case(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let other = app.another_browser();
        let response = other.login("  SAM@nhs.NET ", PASSWORD).await;
        assert_redirects_to(&response, "/");
        let home = other.page("/").await;
        assert!(home.contains("You are signed in as Sam Jones"), "{home}");
        assert!(other.page("/account").await.contains("sam@nhs.net"));
    }

    async fn a_wrong_password_and_an_unknown_email_look_the_same(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let visitor = app.another_browser();

        let wrong_password = visitor.login("sam@nhs.net", "not the password at all").await;
        assert_eq!(wrong_password.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let wrong_password = wrong_password.text().await.unwrap();

        let unknown = visitor.login("nobody@nhs.net", "not the password at all").await;
        assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let unknown = unknown.text().await.unwrap();

        let said = |page: &str| {
            (
                field_error(page, "email"),
                field_error(page, "password"),
                text_of(page, ".error-summary").map(|s| s.trim().to_owned()),
            )
        };
        assert!(said(&wrong_password).0.is_some(), "{wrong_password}");
        assert_eq!(said(&wrong_password), said(&unknown));
        for page in [&wrong_password, &unknown] {
            assert!(!page.contains("not the password at all"), "the password was echoed");
            assert!(!page.to_lowercase().contains("no account"), "{page}");
        }
        assert_eq!(input_value(&unknown, "email").as_deref(), Some("nobody@nhs.net"));
        assert!(!visitor.is_signed_in().await);
    }

    async fn signing_out_ends_the_session(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        assert!(app.is_signed_in().await);

        let response = app.logout().await;
        assert_redirects_to(&response, "/");
        let home = app.page("/").await;
        assert!(home.contains("You have signed out"), "{home}");
        assert!(!home.contains("Sam Jones"), "the header still names the member");

        let response = app.get("/account").await;
        assert_redirects_to(&response, "/login?next=%2Faccount");
    }

    async fn a_copied_cookie_is_refused_once_its_owner_signs_out(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        // Sam signs in on a shared ward PC; someone copies the cookie it was given.
        let ward_pc = app.another_browser();
        let response = ward_pc.login("sam@nhs.net", PASSWORD).await;
        assert_redirects_to(&response, "/");
        let copy = copy_of_session(&response);
        assert_eq!(account_status(&app, &copy).await, StatusCode::OK, "the copy works while Sam is signed in");

        let response = ward_pc.logout().await;
        assert_redirects_to(&response, "/");
        assert_eq!(account_status(&app, &copy).await, StatusCode::SEE_OTHER, "the copy is signed out with the PC");
        assert!(!ward_pc.is_signed_in().await);
        // Sam's own browser (another session) stays signed in.
        assert!(app.is_signed_in().await);
        // Signing in again on the PC works, and is a new session.
        let response = ward_pc.login("sam@nhs.net", PASSWORD).await;
        assert_redirects_to(&response, "/");
        assert!(ward_pc.is_signed_in().await);
    }

    #[config(|config| config.session_lifetime = std::time::Duration::from_secs(1))]
    async fn a_sign_in_lasts_as_long_as_the_site_allows(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        assert!(app.is_signed_in().await);
        // Ages are whole seconds: after two, a one-second sign-in is over.
        actix_web::rt::time::sleep(std::time::Duration::from_millis(2100)).await;
        let response = app.get("/account").await;
        assert_redirects_to(&response, "/login?next=%2Faccount");
        let response = app.login("sam@nhs.net", PASSWORD).await;
        assert_redirects_to(&response, "/");
        assert!(app.is_signed_in().await);
    }

    async fn signing_in_returns_to_the_page_asked_for(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let visitor = app.another_browser();

        let response = visitor.get("/members?role=occupational_therapist&borough=wigan").await;
        assert_redirects_to(
            &response,
            "/login?next=%2Fmembers%3Frole%3Doccupational_therapist%26borough%3Dwigan",
        );
        let form = visitor
            .page("/login?next=%2Fmembers%3Frole%3Doccupational_therapist%26borough%3Dwigan")
            .await;
        let next = input_value(&form, "next").expect("the sign-in form carries next");
        assert_eq!(next, "/members?role=occupational_therapist&borough=wigan");

        // A mistake on the way keeps where the member was going.
        let response = visitor
            .post("/login", &[("email", "sam@nhs.net"), ("password", "wrong password!"), ("next", &next)])
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let again = response.text().await.unwrap();
        assert_eq!(input_value(&again, "next").as_deref(), Some(next.as_str()));

        let response = visitor
            .post("/login", &[("email", "sam@nhs.net"), ("password", PASSWORD), ("next", &next)])
            .await;
        assert_redirects_to(&response, "/members?role=occupational_therapist&borough=wigan");
        visitor.page(&next).await;
    }

    async fn sign_in_never_sends_anyone_off_site(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        for target in [
            "//evil.example",
            "https://evil.example/",
            "/\\evil.example",
            "evil.example",
            "javascript:alert(1)",
        ] {
            let browser = app.another_browser();
            let response = browser
                .post("/login", &[("email", "sam@nhs.net"), ("password", PASSWORD), ("next", target)])
                .await;
            assert_redirects_to(&response, "/");
        }
    }

    async fn repeated_wrong_passwords_make_the_account_wait(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        app.another_browser().join("kim@nhs.net", "Kim Lee", "occupational_therapist", "wigan").await;
        let attacker = app.another_browser();
        for attempt in 1..=5 {
            let response = attacker.login("sam@nhs.net", "guessing the password").await;
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "attempt {attempt}");
        }
        // Even the right password waits now.
        let owner = app.another_browser();
        let response = owner.login("sam@nhs.net", PASSWORD).await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        let wait: u64 = header(&response, "retry-after")
            .parse()
            .expect("Retry-After gives seconds");
        assert!((1..=15 * 60).contains(&wait), "a short wait, not a lock-out: {wait}");
        assert_security_headers(&response, "429");
        let page = response.text().await.unwrap();
        assert!(page.contains("please wait"), "{page}");
        assert!(!owner.is_signed_in().await);

        // Another member signing in from the same place is not held up.
        let response = app.another_browser().login("kim@nhs.net", PASSWORD).await;
        assert_redirects_to(&response, "/");
    }

    async fn guessing_at_an_unregistered_address_is_limited_the_same_way(app: TestApp) {
        for _ in 0..5 {
            let response = app.login("nobody@nhs.net", "guessing the password").await;
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        }
        let response = app.login("nobody@nhs.net", "guessing the password").await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(!header(&response, "retry-after").is_empty());
    }
}

/// The session cookie a response set, as `name=value`, for a client that replays it.
fn copy_of_session(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("spot_session="))
        .and_then(|value| value.split(';').next())
        .expect("the response sets the session cookie")
        .to_owned()
}

/// What `/account` answers a client that sends only this copied cookie.
async fn account_status(app: &TestApp, cookie: &str) -> StatusCode {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client builds")
        .get(app.url("/account"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("GET sent")
        .status()
}
