//! The member directory: for members only, filtered by role and borough, sorted, paginated.

use reqwest::StatusCode;

use crate::helpers::*;
use crate::on_both_engines;

/// A viewer (a link worker in Wigan) and five more members, all registered through the site.
async fn community(app: &TestApp) {
    app.join("viewer@nhs.net", "Vic Viewer", "link_worker", "wigan")
        .await;
    for (email, name, role, borough) in [
        (
            "olu@nhs.net",
            "Olu Adeyemi",
            "occupational_therapist",
            "wigan",
        ),
        (
            "priya@nhs.net",
            "Priya Shah",
            "occupational_therapist",
            "bolton",
        ),
        ("kim@nhs.net", "Kim Lee", "link_worker", "bolton"),
        ("alex@nhs.net", "Alex Moss", "link_worker", "wigan"),
        (
            "jo@nhs.net",
            "Jo Hart",
            "occupational_therapist",
            "manchester",
        ),
    ] {
        app.another_browser().join(email, name, role, borough).await;
    }
}

on_both_engines! {
    async fn the_directory_is_for_members_only(app: TestApp) {
        let response = app.get("/members").await;
        assert_redirects_to(&response, "/login?next=%2Fmembers");
        let response = app.get("/members?role=occupational_therapist&borough=wigan").await;
        assert_redirects_to(
            &response,
            "/login?next=%2Fmembers%3Frole%3Doccupational_therapist%26borough%3Dwigan",
        );
        app.another_browser().join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let id = app.member_id("sam@nhs.net");
        let response = app.get(&format!("/members/{id}")).await;
        assert_redirects_to(&response, &format!("/login?next=%2Fmembers%2F{id}"));
    }

    async fn the_directory_filters_by_role_and_borough(app: TestApp) {
        community(&app).await;
        assert_eq!(
            app.directory("").await,
            ["Alex Moss", "Jo Hart", "Kim Lee", "Olu Adeyemi", "Priya Shah", "Vic Viewer"]
        );
        assert_eq!(
            app.directory("?role=occupational_therapist").await,
            ["Jo Hart", "Olu Adeyemi", "Priya Shah"]
        );
        assert_eq!(
            app.directory("?borough=wigan").await,
            ["Alex Moss", "Olu Adeyemi", "Vic Viewer"]
        );
        assert_eq!(
            app.directory("?role=occupational_therapist&borough=wigan").await,
            ["Olu Adeyemi"]
        );
        assert_eq!(
            app.directory("?role=link_worker&borough=bolton").await,
            ["Kim Lee"]
        );
        assert_eq!(app.directory("?role=&borough=").await.len(), 6, "empty filters mean all");
        assert!(app.directory("?role=link_worker&borough=trafford").await.is_empty());

        let page = app.page("/members?role=occupational_therapist&borough=wigan").await;
        assert!(page.contains("1 occupational therapist in Wigan"), "{page}");
        assert_eq!(selected_value(&page, "role").as_deref(), Some("occupational_therapist"));
        assert_eq!(selected_value(&page, "borough").as_deref(), Some("wigan"));
        let empty = app.page("/members?borough=trafford").await;
        assert!(empty.contains("No members match"), "{empty}");
    }

    async fn the_directory_is_sorted_by_name_whatever_the_case(app: TestApp) {
        app.join("dee@nhs.net", "dee Viewer", "link_worker", "wigan").await;
        app.insert_members(&[
            ("b@nhs.net", "beth Cole", "link_worker", "bury"),
            ("c@nhs.net", "Carl Dunn", "occupational_therapist", "bury"),
            ("a1@nhs.net", "alice Brown", "link_worker", "oldham"),
            ("a2@nhs.net", "Adam Ash", "occupational_therapist", "salford"),
            ("e@nhs.net", "Ed Ellis", "link_worker", "stockport"),
        ]);
        assert_eq!(
            app.directory("").await,
            ["Adam Ash", "alice Brown", "beth Cole", "Carl Dunn", "dee Viewer", "Ed Ellis"]
        );
    }

    async fn accented_names_sort_among_the_rest(app: TestApp) {
        app.join("dan@nhs.net", "Dan Ede", "link_worker", "wigan").await;
        app.insert_members(&[
            ("f@nhs.net", "Fatima Khan", "link_worker", "bury"),
            ("e1@nhs.net", "Élodie Martin", "occupational_therapist", "bury"),
            ("e2@nhs.net", "Emma Stone", "link_worker", "oldham"),
            ("o@nhs.net", "Öykü Demir", "occupational_therapist", "oldham"),
            ("z@nhs.net", "Zara Ali", "link_worker", "oldham"),
        ]);
        assert_eq!(
            app.directory("").await,
            ["Dan Ede", "Élodie Martin", "Emma Stone", "Fatima Khan", "Öykü Demir", "Zara Ali"]
        );
    }

    async fn the_directory_shows_twenty_a_page(app: TestApp) {
        app.join("viewer@nhs.net", "Aaron Viewer", "link_worker", "wigan").await;
        let people: Vec<(String, String)> = (1..=24)
            .map(|n| (format!("member{n:02}@nhs.net"), format!("Member {n:02}")))
            .collect();
        let rows: Vec<(&str, &str, &str, &str)> = people
            .iter()
            .map(|(email, name)| (email.as_str(), name.as_str(), "occupational_therapist", "rochdale"))
            .collect();
        app.insert_members(&rows);

        let first = app.page("/members").await;
        let names = directory_names(&first);
        assert_eq!(names.len(), 20);
        assert_eq!(names[0], "Aaron Viewer");
        assert_eq!(names[19], "Member 19");
        assert!(first.contains("25 members"), "{first}");
        assert!(first.contains("Page 1 of 2"), "{first}");
        let next = attr_of(&first, r#"a[rel="next"]"#, "href").expect("a Next link on page 1");
        assert_eq!(next, "/members?page=2");
        assert!(text_of(&first, r#"a[rel="next"]"#).unwrap().contains("Next"));

        let second = app.page(&next).await;
        assert_eq!(
            directory_names(&second),
            ["Member 20", "Member 21", "Member 22", "Member 23", "Member 24"]
        );
        assert_eq!(count_of(&second, r#"a[rel="next"]"#), 0, "no Next on the last page");
        assert_eq!(count_of(&second, r#"a[rel="prev"]"#), 1);

        // Filters are kept from page to page.
        let filtered = app.page("/members?role=occupational_therapist").await;
        assert_eq!(directory_names(&filtered).len(), 20);
        assert_eq!(
            attr_of(&filtered, r#"a[rel="next"]"#, "href").as_deref(),
            Some("/members?role=occupational_therapist&page=2")
        );
        assert_eq!(app.directory("?role=occupational_therapist&page=2").await.len(), 4);
        // Past the end: an empty page, not an error.
        assert!(app.directory("?page=9").await.is_empty());
    }

    async fn the_directory_totals_follow_every_change_to_who_is_listed(app: TestApp) {
        use diesel::prelude::*;
        use spot::accounts::{Borough, Role};
        use spot::members::directory::{listed, listed_count};
        use spot::schema::members;
        community(&app).await;
        app.insert_members(&[
            ("ann@nhs.net", "Ann Bury", "occupational_therapist", "bury"),
            ("bea@nhs.net", "Bea Bury", "occupational_therapist", "bury"),
        ]);
        let now = spot::db::now();
        // Every filter's kept total against counting the members the directory lists.
        let agree = |when: chrono::NaiveDateTime, what: &str| {
            let mut conn = app.db.conn().unwrap();
            let roles = [None, Some(Role::LinkWorker), Some(Role::OccupationalTherapist)];
            let boroughs = std::iter::once(None).chain(Borough::ALL.iter().copied().map(Some));
            for borough in boroughs {
                for role in roles {
                    let mut counted = listed(when);
                    if let Some(role) = role {
                        counted = counted.filter(members::role.eq(role));
                    }
                    if let Some(borough) = borough {
                        counted = counted.filter(members::borough.eq(borough));
                    }
                    let counted: i64 = counted.count().get_result(&mut *conn).unwrap();
                    let kept = listed_count(&mut conn, role, borough, when).unwrap();
                    assert_eq!(kept, counted, "{what}: {role:?} in {borough:?}");
                }
            }
        };
        agree(now, "joined");
        let page = app.page("/members").await;
        assert!(page.contains("8 members"), "{page}");

        let change = |email: &str, set: &dyn Fn(&mut spot::db::DbConn, i64)| {
            let id = app.member_id(email);
            let mut conn = app.db.conn().unwrap();
            set(&mut conn, id);
        };
        // Suspended for a week: off the directory now, back when the week is out.
        change("olu@nhs.net", &|conn, id| {
            diesel::update(members::table.find(id))
                .set((members::suspended_at.eq(now), members::suspended_until.eq(now + chrono::Duration::days(7))))
                .execute(conn).unwrap();
        });
        // Suspended until further notice.
        change("kim@nhs.net", &|conn, id| {
            diesel::update(members::table.find(id)).set(members::suspended_at.eq(now)).execute(conn).unwrap();
        });
        agree(now, "two suspended");
        agree(now + chrono::Duration::days(8), "a week on");
        assert!(app.page("/members").await.contains("6 members"));
        assert!(app.page("/members?role=link_worker&borough=bolton").await.contains("No members"));

        // Unlisted, moved borough and role, an applicant not yet approved, one erased.
        change("priya@nhs.net", &|conn, id| {
            diesel::update(members::table.find(id)).set(members::listed.eq(false)).execute(conn).unwrap();
        });
        change("alex@nhs.net", &|conn, id| {
            diesel::update(members::table.find(id))
                .set((members::borough.eq(Borough::Salford), members::role.eq(Role::OccupationalTherapist)))
                .execute(conn).unwrap();
        });
        app.another_browser().register("new@nhs.net", "Nia New", "link_worker", "wigan").await;
        change("ann@nhs.net", &|conn, id| {
            diesel::update(members::table.find(id)).set(members::approved_at.eq(None::<chrono::NaiveDateTime>)).execute(conn).unwrap();
        });
        agree(now, "unlisted, moved, applied, erased");
        // Listed again, and one leaves for good.
        change("priya@nhs.net", &|conn, id| {
            diesel::update(members::table.find(id)).set(members::listed.eq(true)).execute(conn).unwrap();
        });
        change("bea@nhs.net", &|conn, id| {
            diesel::delete(members::table.find(id)).execute(conn).unwrap();
        });
        agree(now, "listed again, one deleted");
        let page = app.page("/members").await;
        assert!(page.contains("4 members"), "{page}");
    }

    async fn an_unknown_filter_in_the_address_is_a_bad_request(app: TestApp) {
        app.join("viewer@nhs.net", "Vic Viewer", "link_worker", "wigan").await;
        let response = app.get("/members?borough=liverpool").await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_security_headers(&response, "400");
        let page = response.text().await.unwrap();
        assert!(page.contains("liverpool"), "{page}");
        let response = app.get("/members?role=surgeon").await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }

    async fn a_profile_page_shows_who_someone_is(app: TestApp) {
        community(&app).await;
        let id = app.member_id("olu@nhs.net");
        let page = app.page(&format!("/members/{id}")).await;
        assert_eq!(text_of(&page, "h1").as_deref(), Some("Olu Adeyemi"));
        assert!(page.contains("Occupational therapist"));
        assert!(page.contains("Wigan"));
        assert!(page.contains("Test Service"));
        assert!(!page.contains("olu@nhs.net"), "the email address is private");
        let directory = app.page("/members").await;
        assert!(!directory.contains("@nhs.net"), "the directory shows no email addresses");
    }
}
