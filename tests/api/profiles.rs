//! A member's own profile: editing it, Markdown in "about", and being listed or not.

use reqwest::StatusCode;

use crate::helpers::*;
use crate::on_both_engines;

fn profile<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("display_name", "Sam Jones"),
        ("organisation", "Wigan Social Prescribing"),
        ("role", "link_worker"),
        ("borough", "wigan"),
        ("about", ""),
        ("listed", "yes"),
    ];
    for (name, value) in changes {
        match fields.iter_mut().find(|(field, _)| field == name) {
            Some(field) => field.1 = value,
            None => fields.push((name, value)),
        }
    }
    fields.retain(|(_, value)| *value != "<absent>");
    fields
}

on_both_engines! {
    async fn profile_changes_show_on_the_profile_page(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let id = app.member_id("sam@nhs.net");
        let response = app
            .save_profile(&profile(&[
                ("display_name", "Samira Jones"),
                ("organisation", "Tameside OT Team"),
                ("role", "occupational_therapist"),
                ("borough", "tameside"),
                ("about", "I run a **fatigue** group on Tuesdays."),
            ]))
            .await;
        assert_redirects_to(&response, "/account");
        let account = app.page("/account").await;
        assert!(account.contains("Your profile has been saved"), "{account}");
        assert!(account.contains("Your account (Samira Jones)"), "the header uses the new name");

        let viewer = app.another_browser();
        viewer.join("kim@nhs.net", "Kim Lee", "link_worker", "bolton").await;
        let page = viewer.page(&format!("/members/{id}")).await;
        assert_eq!(text_of(&page, "h1").as_deref(), Some("Samira Jones"));
        assert!(page.contains("Tameside OT Team"));
        assert!(page.contains("Occupational therapist"));
        assert!(page.contains("Tameside"));
        assert!(page.contains("<strong>fatigue</strong>"), "{page}");
        assert!(!page.contains("Wigan Social Prescribing"));

        // The directory files them under their new role and borough.
        assert_eq!(viewer.directory("?borough=tameside").await, ["Samira Jones"]);
        assert!(viewer.directory("?borough=wigan").await.is_empty());
        assert_eq!(viewer.directory("?role=link_worker").await, ["Kim Lee"]);
    }

    async fn markdown_in_about_is_rendered_and_made_safe(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let id = app.member_id("sam@nhs.net");
        let about = "## What I offer\n\n\
            *Pacing* advice and a [service guide](https://www.nhs.uk/).\n\n\
            <script>alert('boo')</script>\n\n\
            <img src=\"https://example.org/x.png\" onerror=\"alert(2)\">\n\n\
            [click me](javascript:alert(3))\n\n\
            <a href=\"javascript:alert(4)\">or me</a>";
        let response = app.save_profile(&profile(&[("about", about)])).await;
        assert_redirects_to(&response, "/account");

        let page = app.page(&format!("/members/{id}")).await;
        let prose = text_of(&page, ".prose").expect("the about text is shown");
        assert!(prose.contains("What I offer"), "{prose}");
        assert!(page.contains("<em>Pacing</em>"), "{page}");
        assert_eq!(count_of(&page, r#".prose a[href="https://www.nhs.uk/"]"#), 1, "{page}");
        assert_eq!(count_of(&page, OTHER_SCRIPTS), 0, "a script survived: {page}");
        assert_eq!(count_of(&page, "[onerror]"), 0, "an event handler survived: {page}");
        assert_eq!(count_of(&page, r#"[href^="javascript"]"#), 0, "a javascript: link survived");
        assert!(!page.to_lowercase().contains("javascript:"), "{page}");
        assert!(!page.contains("<script>"), "{page}");

        // The member gets their source back to edit, as typed.
        let account = app.page("/account").await;
        let textarea = text_of(&account, "textarea[name=about]").unwrap();
        assert!(textarea.contains("<script>alert('boo')</script>"), "{textarea}");
    }

    async fn an_unlisted_member_leaves_the_directory_but_keeps_a_profile(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let id = app.member_id("sam@nhs.net");
        let viewer = app.another_browser();
        viewer.join("kim@nhs.net", "Kim Lee", "link_worker", "bolton").await;
        assert_eq!(viewer.directory("").await, ["Kim Lee", "Sam Jones"]);

        // Unticking the box: the browser sends no `listed` field at all.
        let response = app.save_profile(&profile(&[("listed", "<absent>")])).await;
        assert_redirects_to(&response, "/account");
        let account = app.page("/account").await;
        assert_eq!(count_of(&account, "input[name=listed][checked]"), 0);

        assert_eq!(viewer.directory("").await, ["Kim Lee"]);
        assert_eq!(viewer.directory("?borough=wigan").await, Vec::<String>::new());
        let page = viewer.page(&format!("/members/{id}")).await;
        assert_eq!(text_of(&page, "h1").as_deref(), Some("Sam Jones"));

        // And back again.
        assert_redirects_to(&app.save_profile(&profile(&[])).await, "/account");
        assert_eq!(viewer.directory("").await, ["Kim Lee", "Sam Jones"]);
    }

    async fn a_refused_profile_keeps_what_was_typed(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let about = "Long Covid peer group, every second Thursday.";
        let response = app
            .save_profile(&profile(&[
                ("display_name", ""),
                ("organisation", "Trafford Wellbeing"),
                ("borough", "atlantis"),
                ("about", about),
            ]))
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(field_error(&page, "display_name").is_some(), "{page}");
        assert!(field_error(&page, "borough").is_some(), "{page}");
        assert_eq!(input_value(&page, "organisation").as_deref(), Some("Trafford Wellbeing"));
        assert_eq!(text_of(&page, "textarea[name=about]").as_deref(), Some(about));
        assert_eq!(count_of(&page, "input[name=listed][checked]"), 1);

        // Nothing was saved.
        let account = app.page("/account").await;
        assert_eq!(input_value(&account, "display_name").as_deref(), Some("Sam Jones"));
        assert_eq!(input_value(&account, "organisation").as_deref(), Some("Test Service"));
    }

    async fn an_overlong_about_is_refused(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let about = "a".repeat(4001);
        let response = app.save_profile(&profile(&[("about", &about)])).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(field_error(&page, "about").unwrap_or_default().contains("4000"), "{page}");
    }

    async fn the_account_pages_are_for_members_only(app: TestApp) {
        assert_redirects_to(&app.get("/account").await, "/login?next=%2Faccount");
        assert_redirects_to(
            &app.get("/account/password").await,
            "/login?next=%2Faccount%2Fpassword",
        );
        let response = app.save_profile(&profile(&[])).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(header(&response, "location").starts_with("/login"));
    }
}
