use reqwest::StatusCode;

use crate::helpers::*;
use crate::on_both_engines;

on_both_engines! {
    async fn registering_emails_a_link_that_confirms_and_signs_the_member_in(app: TestApp) {
        let response = app.register("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        assert_redirects_to(&response, "/register/check-email");
        let page = app.page("/register/check-email").await;
        assert!(page.contains("Check your email"), "{page}");
        assert!(!app.is_signed_in().await, "not signed in before the address is confirmed");
        // Signing in before confirming says what to do (and sends a fresh link).
        let response = app.login("sam@nhs.net", PASSWORD).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let page = response.text().await.unwrap();
        assert!(page.contains("Confirm your email address first"), "{page}");
        assert!(!app.is_signed_in().await);

        let email = app.emails().into_iter().rev().find(|e| e.contains("<sam@nhs.net>")).expect("a letter to Sam");
        assert!(email.contains("Subject: Confirm your email address for SPOT"), "{email}");
        let link = confirmation_link_in(&email).expect("a /confirm/ link");
        assert!(email_text(&email).contains(&format!("{}{link}", app.address)), "the link is absolute");
        // Opening the link (as a mail scanner would) does not use it up; the button does.
        let page = app.another_browser().page(&link).await;
        assert!(page.contains("Confirm my email address"), "{page}");
        let response = app.post(&link, &[]).await;
        assert_redirects_to(&response, "/account");
        let page = app.page("/account").await;
        assert!(page.contains("Welcome to SPOT, Sam Jones"), "{page}");
        assert!(page.contains("sam@nhs.net"));
        // The link works once.
        let response = app.another_browser().get(&link).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert!(response.text().await.unwrap().contains("no longer works"));
        // And now the password signs in.
        let other = app.another_browser();
        assert_redirects_to(&other.login("sam@nhs.net", PASSWORD).await, "/");
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
    async fn registering_a_taken_address_looks_the_same_and_tells_its_owner(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;

        // Whatever its case, a registered address gets the same answer as a new one.
        let visitor = app.another_browser();
        let taken = visitor
            .post("/register", &registration(&[("email", "SAM@NHS.NET")]))
            .await;
        let fresh = app
            .another_browser()
            .post("/register", &registration(&[("email", "new.person@nhs.net")]))
            .await;
        assert_redirects_to(&taken, "/register/check-email");
        assert_redirects_to(&fresh, "/register/check-email");
        assert!(!visitor.is_signed_in().await);

        // Sam is told, and the account is unchanged.
        let to_sam: Vec<String> = app.emails().into_iter().filter(|e| e.contains("<sam@nhs.net>")).collect();
        assert_eq!(to_sam.len(), 1, "{to_sam:?}");
        assert!(to_sam[0].contains("Subject: You already have a SPOT account"), "{}", to_sam[0]);
        let text = email_text(&to_sam[0]);
        assert!(text.contains("/login") && text.contains("/password-reset"), "{text}");
        assert!(confirmation_link_in(&to_sam[0]).is_none());
        assert_redirects_to(&app.another_browser().login("sam@nhs.net", PASSWORD).await, "/");

        // Registering the address again and again does not flood its owner.
        for _ in 0..5 {
            app.another_browser().post("/register", &registration(&[("email", "sam@nhs.net")])).await;
        }
        // Three joining letters an hour at most: the confirmation Sam followed (and
        // deleted) when joining, the first reminder, and one more.
        let to_sam = app.emails().into_iter().filter(|e| e.contains("<sam@nhs.net>")).count();
        assert_eq!(to_sam, 2, "three joining letters an hour at most");
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

    async fn confirming_goes_on_to_a_same_site_next_only(app: TestApp) {
        let response = app
            .post("/register", &registration(&[("next", "/members?borough=bolton")]))
            .await;
        assert_redirects_to(&response, "/register/check-email");
        assert_redirects_to(&app.confirm_email("robin@nhs.net").await, "/members?borough=bolton");

        let kit = app.another_browser();
        kit.post(
            "/register",
            &registration(&[("email", "kit@nhs.net"), ("next", "//evil.example")]),
        )
        .await;
        assert_redirects_to(&kit.confirm_email("kit@nhs.net").await, "/");
        // A next added to the link by hand is held to the same rule.
        let lee = app.another_browser();
        lee.post("/register", &registration(&[("email", "lee@nhs.net")])).await;
        let link = lee.mailroom.take_confirmation_link("lee@nhs.net").unwrap();
        let response = lee.post(&format!("{link}?next=https://evil.example/"), &[]).await;
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
