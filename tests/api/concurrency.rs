//! Bursts of writes: SQLite must queue them, never answer "database is locked".

use futures_util::future::join_all;
use reqwest::StatusCode;

use spot::accounts::access::{self, RegisterError, Registration};
use spot::accounts::confirmations::Links;
use spot::accounts::members::{self, Viewer};
use spot::accounts::{Borough, DisplayName, Email, Organisation, Role, StaffLevel};
use spot::admin::staff;
use spot::db::MemberId;

use crate::helpers::*;
use crate::on_both_engines;

/// Where the joining letters of a rule called directly point.
fn links() -> Links<'static> {
    Links {
        base_url: "http://spot.test",
        next: "",
    }
}

on_both_engines! {
    // Twenty people from twenty places (the limit on new accounts is per network address,
    // so they come through a trusted proxy that says where each is from).
    #[config(|config| config.trusted_proxies = 1)]
    async fn twenty_registrations_at_once_all_succeed(app: TestApp) {
        let browsers: Vec<Browser> = (0..20)
            .map(|n| app.browser_from(&format!("203.0.113.{}", n + 1)))
            .collect();
        // Each browser fetches its form first, so the burst is the registrations themselves.
        let tokens = join_all(browsers.iter().map(|b| b.csrf_token())).await;
        let emails: Vec<String> = (0..20).map(|n| format!("person{n:02}@nhs.net")).collect();
        let names: Vec<String> = (0..20).map(|n| format!("Person {n:02}")).collect();
        let (emails, names) = (&emails, &names);
        let attempts = browsers.iter().zip(&tokens).enumerate().map(|(n, (browser, token))| async move {
            let role = if n % 2 == 0 { "link_worker" } else { "occupational_therapist" };
            browser
                .post_raw(
                    "/register",
                    &[
                        ("csrf_token", token.as_str()),
                        ("email", emails[n].as_str()),
                        ("display_name", names[n].as_str()),
                        ("password", PASSWORD),
                        ("role", role),
                        ("borough", "oldham"),
                        ("organisation", "Oldham Together"),
                    ],
                )
                .await
        });
        let responses = join_all(attempts).await;
        let mut failures = Vec::new();
        let responses_locations: Vec<String> = responses.iter().map(|r| header(r, "location").to_owned()).collect();
        for (n, response) in responses.into_iter().enumerate() {
            if response.status() != StatusCode::SEE_OTHER {
                let status = response.status();
                let body = response.text().await.unwrap_or_default();
                failures.push(format!("{}: {status} {body}", emails[n]));
            }
        }
        assert!(failures.is_empty(), "{} of 20 failed:\n{}", failures.len(), failures.join("\n---\n"));

        for (n, browser) in browsers.iter().enumerate() {
            assert_eq!(location_of(&responses_locations[n]), "/register/check-email");
            let response = browser.confirm_email(&emails[n]).await;
            assert_redirects_to(&response, "/account");
            let account = browser.page("/account").await;
            assert!(account.contains(&emails[n]), "{} is signed in as themselves", emails[n]);
        }
        let directory = browsers[0].page("/members?borough=oldham").await;
        assert!(directory.contains("20 members in Oldham"), "{directory}");
    }

    #[config(|config| config.trusted_proxies = 1)]
    async fn one_email_registered_twice_at_once_makes_one_account(app: TestApp) {
        let browsers: Vec<Browser> = (0..8)
            .map(|n| app.browser_from(&format!("198.51.100.{}", n + 1)))
            .collect();
        let tokens = join_all(browsers.iter().map(|b| b.csrf_token())).await;
        let responses = join_all(browsers.iter().zip(&tokens).map(|(browser, token)| async move {
            browser
                .post_raw(
                    "/register",
                    &[
                        ("csrf_token", token.as_str()),
                        ("email", "same@nhs.net"),
                        ("display_name", "Same Person"),
                        ("password", PASSWORD),
                        ("role", "link_worker"),
                        ("borough", "bury"),
                        ("organisation", "Bury Wellbeing"),
                    ],
                )
                .await
        }))
        .await;
        // Every visitor is answered alike; one account is made, and its address is not
        // flooded with letters.
        for response in &responses {
            assert_redirects_to(response, "/register/check-email");
        }
        use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
        let mut conn = app.db.conn().unwrap();
        let accounts: i64 = spot::schema::members::table
            .filter(spot::schema::members::email.eq("same@nhs.net"))
            .count()
            .get_result(&mut *conn)
            .unwrap();
        assert_eq!(accounts, 1);
        let letters = app.emails().iter().filter(|e| e.contains("<same@nhs.net>")).count();
        assert!((1..=3).contains(&letters), "{letters} letters to one address");
    }

    async fn two_admins_stepping_down_together_leave_one(app: TestApp) {
        app.insert_members(&[
            ("ada@nhs.net", "Ada Admin", "link_worker", "bury"),
            ("bo@nhs.net", "Bo Admin", "occupational_therapist", "bury"),
        ]);
        app.promote("ada@nhs.net", "admin");
        app.promote("bo@nhs.net", "admin");
        let viewer = |email: &str| {
            let mut conn = app.db.conn().unwrap();
            Viewer::from(&members::find(&mut conn, MemberId(app.member_id(email))).unwrap())
        };
        let (ada, bo) = (viewer("ada@nhs.net"), viewer("bo@nhs.net"));
        let now = spot::db::now();
        let (first, second) = overlapping(
            &app.db,
            |conn| staff::set_level(conn, &ada, ada.id, StaffLevel::Member, now),
            |conn| staff::set_level(conn, &bo, bo.id, StaffLevel::Member, now),
        );
        let mut conn = app.db.conn().unwrap();
        let admins = members::count_admins(&mut conn).unwrap();
        assert_eq!(admins, 1, "admins left: {admins} (Ada: {first:?}, Bo: {second:?})");
    }

    async fn registrations_racing_past_the_limit_are_still_counted(app: TestApp) {
        // Nine accounts made from one address this hour: one more is allowed, not two.
        let registration = |n: usize| Registration {
            email: Email::parse(&format!("member{n}@nhs.net")).unwrap(),
            display_name: DisplayName::parse(&format!("Member {n}")).unwrap(),
            password_hash: "not a usable hash".into(),
            role: Role::LinkWorker,
            borough: Borough::Bury,
            organisation: Organisation::parse("Bury Wellbeing").unwrap(),
            about_work: Default::default(),
            invitation: None,
        };
        let now = spot::db::now();
        {
            let mut conn = app.db.conn().unwrap();
            for n in 1..=9 {
                conn.write_transaction(|conn| access::register(conn, &registration(n), "192.0.2.7", links(), now))
                    .expect("within the limit");
            }
        }
        let (tenth, eleventh) = (registration(10), registration(11));
        let (first, second) = overlapping(
            &app.db,
            |conn| access::register(conn, &tenth, "192.0.2.7", links(), now).map(|_| ()),
            |conn| access::register(conn, &eleventh, "192.0.2.7", links(), now).map(|_| ()),
        );
        assert!(first.is_ok(), "{first:?}");
        assert!(
            matches!(second, Err(RegisterError::Throttled(_))),
            "an eleventh account from one address in an hour: {second:?}"
        );
    }

    async fn a_burst_of_guesses_gets_no_more_than_five_tries(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let browsers: Vec<Browser> = (0..20).map(|_| app.another_browser()).collect();
        let tokens = join_all(browsers.iter().map(|b| b.csrf_token())).await;
        let statuses = join_all(browsers.iter().zip(&tokens).map(|(browser, token)| async move {
            browser
                .post_raw(
                    "/login",
                    &[
                        ("csrf_token", token.as_str()),
                        ("email", "sam@nhs.net"),
                        ("password", "guessing the password"),
                    ],
                )
                .await
                .status()
        }))
        .await;
        let checked = statuses.iter().filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY).count();
        let waiting = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
        assert_eq!(checked + waiting, 20, "{statuses:?}");
        assert!(checked <= 5, "{checked} of 20 simultaneous guesses were checked: {statuses:?}");
    }
}

fn location_of(location: &str) -> &str {
    location
}
