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

/// The registration form as a visitor fills it in, with one field changed.
fn registration<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("email", "robin@nhs.net"),
        ("display_name", "Robin Hart"),
        ("password", "marmalade otter lantern"),
        ("role", "occupational_therapist"),
        ("borough", "bolton"),
        ("organisation", "Bolton OT Service"),
    ];
    for (name, value) in changes {
        match fields.iter_mut().find(|(field, _)| field == name) {
            Some(field) => field.1 = value,
            None => fields.push((name, value)),
        }
    }
    fields
}

on_both_engines! {
    async fn a_duplicate_email_is_refused_whatever_its_case(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;

        let visitor = app.another_browser();
        let response = visitor
            .post("/register", &registration(&[("email", "SAM@NHS.NET")]))
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        let message = field_error(&page, "email").expect("a message next to the email field");
        assert!(message.contains("already exists"), "{message}");
        // The form comes back with what was typed, except the password.
        assert_eq!(input_value(&page, "email").as_deref(), Some("SAM@NHS.NET"));
        assert_eq!(input_value(&page, "display_name").as_deref(), Some("Robin Hart"));
        assert_eq!(input_value(&page, "organisation").as_deref(), Some("Bolton OT Service"));
        assert_eq!(selected_value(&page, "role").as_deref(), Some("occupational_therapist"));
        assert_eq!(selected_value(&page, "borough").as_deref(), Some("bolton"));
        assert_eq!(input_value(&page, "password").as_deref(), Some(""));
        assert!(!page.contains("marmalade otter lantern"), "the password was echoed back");
        assert!(!visitor.is_signed_in().await);

        // The first account is untouched: its owner still signs in with their password.
        let login = app.another_browser().login("sam@nhs.net", PASSWORD).await;
        assert_redirects_to(&login, "/");
    }

    async fn a_short_password_is_refused_with_the_reason(app: TestApp) {
        let response = app
            .post("/register", &registration(&[("password", "short words")]))
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        let message = field_error(&page, "password").expect("a message next to the password");
        assert!(message.contains("at least 12 characters"), "{message}");
        assert_eq!(input_value(&page, "password").as_deref(), Some(""));
        assert!(!page.contains("short words"), "the password was echoed back");
        assert_eq!(input_value(&page, "email").as_deref(), Some("robin@nhs.net"));
        assert!(!app.is_signed_in().await);
    }

    async fn an_overlong_password_is_refused(app: TestApp) {
        let long = "word ".repeat(52);
        let response = app.post("/register", &registration(&[("password", &long)])).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        let message = field_error(&page, "password").expect("a message next to the password");
        assert!(message.contains("256 characters or fewer"), "{message}");
    }

    async fn an_unknown_role_or_borough_is_refused(app: TestApp) {
        let response = app
            .post("/register", &registration(&[("role", "surgeon"), ("borough", "liverpool")]))
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        let role = field_error(&page, "role").expect("a message next to the role");
        assert!(role.contains("Select your role"), "{role}");
        let borough = field_error(&page, "borough").expect("a message next to the borough");
        assert!(borough.contains("Select a borough"), "{borough}");
        assert_eq!(input_value(&page, "display_name").as_deref(), Some("Robin Hart"));
        assert!(!app.is_signed_in().await);
    }

    async fn missing_fields_are_each_named(app: TestApp) {
        let response = app.post("/register", &[]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        for field in ["email", "display_name", "password", "role", "borough", "organisation"] {
            assert!(field_error(&page, field).is_some(), "no message for {field}: {page}");
        }
        assert!(page.contains("There is a problem"), "an error summary heads the form");
        assert!(!app.is_signed_in().await);
    }

    async fn an_overlong_display_name_is_refused(app: TestApp) {
        let name = "Bartholomew ".repeat(6); // 72 characters
        let response = app
            .post("/register", &registration(&[("display_name", &name)]))
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        let message = field_error(&page, "display_name").expect("a message next to the name");
        assert!(message.contains("60 characters or fewer"), "{message}");
        assert_eq!(input_value(&page, "display_name").as_deref(), Some(name.as_str()));
        assert!(!app.is_signed_in().await);
    }

    async fn an_overlong_organisation_is_refused(app: TestApp) {
        let organisation = "Greater Manchester Integrated Care ".repeat(4); // 140 characters
        let response = app
            .post("/register", &registration(&[("organisation", &organisation)]))
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        let message = field_error(&page, "organisation").expect("a message next to the field");
        assert!(message.contains("120 characters or fewer"), "{message}");
        assert!(!app.is_signed_in().await);
    }

    async fn a_malformed_email_is_refused(app: TestApp) {
        let response = app.post("/register", &registration(&[("email", "robin at nhs")])).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        let message = field_error(&page, "email").expect("a message next to the email");
        assert!(message.contains("correct format"), "{message}");
        assert_eq!(input_value(&page, "email").as_deref(), Some("robin at nhs"));
    }

    async fn registering_goes_on_to_a_same_site_next_only(app: TestApp) {
        let response = app
            .post("/register", &registration(&[("next", "/members?borough=bolton")]))
            .await;
        assert_redirects_to(&response, "/members?borough=bolton");

        let response = app
            .another_browser()
            .post(
                "/register",
                &registration(&[("email", "kit@nhs.net"), ("next", "//evil.example")]),
            )
            .await;
        assert_redirects_to(&response, "/");
    }

    async fn registration_is_rate_limited_per_network_address(app: TestApp) {
        // Ten new accounts an hour from one address; the eleventh waits. SPOT is not behind
        // a proxy here, so a forged X-Forwarded-For header does not get round the limit.
        for n in 0..10 {
            let browser = app.browser_from(&format!("192.0.2.{}", n + 1));
            browser
                .join(&format!("member{n}@nhs.net"), &format!("Member {n}"), "link_worker", "bury")
                .await;
        }
        let response = app
            .browser_from("192.0.2.99")
            .register("eleventh@nhs.net", "Eleven", "link_worker", "bury")
            .await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(!header(&response, "retry-after").is_empty());
        let page = response.text().await.unwrap();
        assert!(page.contains("please wait"), "{page}");
    }
}
