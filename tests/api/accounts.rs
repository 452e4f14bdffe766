use reqwest::StatusCode;

use crate::helpers::*;
use crate::on_both_engines;

on_both_engines! {
    async fn registering_signs_the_member_in(app: TestApp) {
        let response = app.register("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        assert_redirects_to(&response, "/account");
        let page = app.page("/account").await;
        assert!(page.contains("Welcome to SPOT, Sam Jones"), "{page}");
        assert!(page.contains("sam@nhs.net"));
    }

    async fn a_post_without_the_form_token_is_refused(app: TestApp) {
        let response = app
            .post_raw("/register", &[("email", "x@nhs.net"), ("display_name", "X Y"), ("password", PASSWORD),
                ("role", "link_worker"), ("borough", "wigan"), ("organisation", "Org")])
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(response.headers().get("content-security-policy").is_some());
        let body = response.text().await.unwrap();
        assert!(body.contains("This form has expired"), "{body}");
        let login = app.login("x@nhs.net", PASSWORD).await;
        assert_eq!(login.status(), StatusCode::UNPROCESSABLE_ENTITY, "no account was made");
    }
}
