//! Security headers on every kind of response, the session cookie, and form tokens.

use reqwest::StatusCode;

use crate::helpers::*;
use crate::on_both_engines;

on_both_engines! {
    async fn every_kind_of_response_carries_the_security_headers(app: TestApp) {
        let visitor = app.another_browser();
        let response = visitor.get("/").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_security_headers(&response, "home page");
        let response = visitor.get("/login").await;
        assert_security_headers(&response, "sign-in page");
        let response = visitor.get("/no-such-page").await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_security_headers(&response, "404 page");
        let response = visitor.get("/members").await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_security_headers(&response, "redirect to sign in");
        let response = visitor.post_raw("/login", &[("csrf_token", "wrong")]).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_security_headers(&response, "CSRF refusal");
        let response = visitor.login("nobody@nhs.net", "wrong password here").await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_security_headers(&response, "422 form");
        let response = visitor.get("/healthz").await;
        assert_security_headers(&response, "health check");
        let response = visitor.get("/assets/spot.css").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_security_headers(&response, "stylesheet");

        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let response = app.get("/members?borough=liverpool").await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_security_headers(&response, "400 page");
        let response = app.get("/admin/members").await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_security_headers(&response, "403 page");
        let response = app.get("/members/abc").await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_security_headers(&response, "404 for a bad id");
    }

    async fn names_are_shown_as_text_everywhere(app: TestApp) {
        let name = r#"Jo <img src=x onerror=alert(1)> "Hart""#;
        let organisation = "<script>alert(2)</script> Service";
        let response = app
            .post(
                "/register",
                &[
                    ("email", "jo@nhs.net"),
                    ("display_name", name),
                    ("password", PASSWORD),
                    ("role", "link_worker"),
                    ("borough", "wigan"),
                    ("organisation", organisation),
                ],
            )
            .await;
        assert_redirects_to(&response, "/register/check-email");
        assert_redirects_to(&app.confirm_email("jo@nhs.net").await, "/account");
        app.promote("jo@nhs.net", "admin");
        let id = app.member_id("jo@nhs.net");
        for path in [
            "/account".to_owned(),
            "/members".to_owned(),
            format!("/members/{id}"),
            "/admin/members".to_owned(),
            format!("/admin/members/{id}"),
            "/admin/audit".to_owned(),
        ] {
            let html = app.page(&path).await;
            assert_eq!(count_of(&html, "[onerror]"), 0, "{path}: {html}");
            assert_eq!(count_of(&html, OTHER_SCRIPTS), 0, "{path}: {html}");
            assert!(html.contains("Jo &lt;img src=x onerror=alert(1)&gt;"), "{path} shows the name as text");
        }
    }

    async fn pages_have_no_inline_script(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        for path in ["/", "/account", "/members", "/account/password", "/no-such-page"] {
            let html = app.get(path).await.text().await.unwrap();
            assert_eq!(count_of(&html, "script:not([src])"), 0, "inline script on {path}");
            assert_eq!(count_of(&html, "[onclick], [onload], [onsubmit]"), 0, "handler on {path}");
        }
    }

    async fn the_session_cookie_is_http_only_and_same_site(app: TestApp) {
        let response = app.get("/login").await;
        let cookies: Vec<String> = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        let session = cookies
            .iter()
            .find(|c| c.starts_with("spot_session="))
            .unwrap_or_else(|| panic!("a session cookie is set: {cookies:?}"));
        let attributes: Vec<String> = session.split(';').map(|a| a.trim().to_lowercase()).collect();
        assert!(attributes.iter().any(|a| a == "httponly"), "{session}");
        assert!(attributes.iter().any(|a| a == "samesite=lax"), "{session}");
        assert!(attributes.iter().any(|a| a == "path=/"), "{session}");

        // Signing in sets it again, with the same protections, and never in clear.
        app.register("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let response = app.confirm_email("sam@nhs.net").await;
        let session = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("spot_session="))
            .expect("sign-in sets the session cookie")
            .to_owned();
        let lower = session.to_lowercase();
        assert!(lower.contains("httponly") && lower.contains("samesite=lax"), "{session}");
        assert!(!session.contains("member") && !session.contains("sam@nhs.net"), "{session}");
    }

    async fn reading_pages_does_not_send_the_session_again(app: TestApp) {
        fn sets_session(response: &reqwest::Response) -> bool {
            response
                .headers()
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .any(|c| c.starts_with("spot_session="))
        }
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        // The first page makes the form token, if signing in had not; after that, pages only
        // read the session, and re-encrypting and re-sending it would cost every page view.
        app.get("/forum").await;
        for path in ["/forum", "/members", "/resources", "/account", "/forum"] {
            let response = app.get(path).await;
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            assert!(!sets_session(&response), "{path} sent the session cookie again");
        }
    }

    #[config(|config| config.secure_cookies = true)]
    async fn the_session_cookie_is_secure_when_asked(app: TestApp) {
        let response = app.get("/login").await;
        let session = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("spot_session="))
            .expect("a session cookie is set")
            .to_lowercase();
        assert!(session.split(';').any(|a| a.trim() == "secure"), "{session}");
        assert!(session.contains("httponly") && session.contains("samesite=lax"), "{session}");
    }

    async fn a_post_with_a_wrong_token_is_refused(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let response = app
            .post_raw(
                "/account",
                &[
                    ("csrf_token", "not-the-token"),
                    ("display_name", "Hijacked Name"),
                    ("organisation", "Evil Org"),
                    ("role", "link_worker"),
                    ("borough", "wigan"),
                    ("listed", "yes"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let page = response.text().await.unwrap();
        assert!(page.contains("This form has expired"), "{page}");
        assert!(page.contains("reload the page and try again"), "{page}");

        // Nothing changed, and the member is still signed in.
        let account = app.page("/account").await;
        assert_eq!(input_value(&account, "display_name").as_deref(), Some("Sam Jones"));

        // Sign-out needs the token too, so another site cannot sign a member out.
        let response = app.post_raw("/logout", &[]).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(app.is_signed_in().await);
    }

    async fn a_token_from_another_session_is_refused(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let attacker = app.another_browser();
        let attackers_token = attacker.csrf_token().await;
        assert_ne!(attackers_token, app.csrf_token().await);
        let response = app
            .post_raw("/logout", &[("csrf_token", attackers_token.as_str())])
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(app.is_signed_in().await);

        // Nor does a token work in a browser that has no session at all.
        let victims_token = app.csrf_token().await;
        let stranger = app.another_browser();
        let response = stranger
            .post_raw(
                "/login",
                &[
                    ("csrf_token", victims_token.as_str()),
                    ("email", "sam@nhs.net"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
    }

    async fn signing_in_gives_a_new_session_and_token(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        app.logout().await;
        let before = app.csrf_token().await;
        assert_redirects_to(&app.login("sam@nhs.net", PASSWORD).await, "/");
        let after = app.csrf_token().await;
        assert_ne!(before, after, "the form token survives signing in");
        let response = app.post_raw("/logout", &[("csrf_token", before.as_str())]).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(app.is_signed_in().await);
    }

    async fn a_json_post_is_refused(app: TestApp) {
        app.csrf_token().await;
        let response = app
            .client
            .post(app.url("/login"))
            .json(&serde_json::json!({"email": "sam@nhs.net", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
    }
}
