//! Friendly error pages and the health check.

use reqwest::StatusCode;

use crate::helpers::*;
use crate::on_both_engines;

on_both_engines! {
    async fn an_unknown_page_is_a_friendly_404(app: TestApp) {
        let response = app.get("/no/such/page").await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert!(header(&response, "content-type").starts_with("text/html"));
        let page = response.text().await.unwrap();
        assert_eq!(text_of(&page, "h1").as_deref(), Some("Page not found"));
        assert!(page.contains("check it is correct"), "{page}");
        assert_eq!(count_of(&page, r#"main a[href="/"]"#), 1, "a way back home: {page}");
        assert_eq!(count_of(&page, "nav.site-nav"), 1, "in the site's layout");
    }

    async fn a_member_address_that_is_not_a_number_is_a_404(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        for path in ["/members/abc", "/members/999999", "/members/-1", "/members/99999999999999999999"] {
            let response = app.get(path).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
            let page = response.text().await.unwrap();
            assert_eq!(text_of(&page, "h1").as_deref(), Some("Page not found"), "{path}");
        }
    }

    async fn error_pages_keep_the_signed_in_members_header(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        for (path, status) in [
            ("/members/999999", StatusCode::NOT_FOUND),
            ("/no-such-page", StatusCode::NOT_FOUND),
            ("/admin/members", StatusCode::FORBIDDEN),
            ("/members?borough=liverpool", StatusCode::BAD_REQUEST),
        ] {
            let response = app.get(path).await;
            assert_eq!(response.status(), status, "{path}");
            let page = response.text().await.unwrap();
            let header = text_of(&page, ".account-links").unwrap_or_default();
            assert!(
                header.contains("Sam Jones") && header.contains("Sign out"),
                "{path}: the header shows a signed-out visitor: {header:?}"
            );
        }
    }

    async fn a_malformed_form_is_a_400_not_a_crash(app: TestApp) {
        let response = app
            .post("/login", &[("email", "a@nhs.net"), ("email", "b@nhs.net"), ("password", PASSWORD)])
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let page = response.text().await.unwrap();
        assert_eq!(
            text_of(&page, "h1").as_deref(),
            Some("Something in that request was not right"),
            "{page}"
        );
    }

    async fn the_home_page_says_what_spot_is(app: TestApp) {
        let page = app.page("/").await;
        assert!(page.contains("link workers"), "{page}");
        assert!(page.contains("occupational therapists"), "{page}");
        for link in ["/register", "/login"] {
            assert!(count_of(&page, &format!(r#"a[href="{link}"]"#)) >= 1, "{link}");
        }
    }

    async fn the_health_check_reports_the_database(app: TestApp) {
        let response = app.get("/healthz").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(header(&response, "content-type").starts_with("application/json"));
        let health: serde_json::Value = response.json().await.unwrap();
        assert_eq!(health["status"], "ok", "{health}");
        assert_eq!(health["database"]["status"], "ok", "{health}");
        let engine = match app.engine {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgresql",
        };
        assert_eq!(health["database"]["engine"], engine, "{health}");
    }
}
