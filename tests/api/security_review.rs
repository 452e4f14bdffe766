//! The outside security review's findings (issue 13), each reproduced as the reviewer did
//! it and now refused.

use reqwest::StatusCode;

use crate::forum::{facilitator, member};
use crate::helpers::*;
use crate::on_both_engines;

/// A browser behind one proxy that appends to `X-Forwarded-For`, as nginx's
/// `$proxy_add_x_forwarded_for` and haproxy's `option forwardfor` do: the client wrote
/// `claimed`, the proxy added the address it saw, `seen`.
fn behind_appending_proxy(app: &TestApp, claimed: &str, seen: &str) -> Browser {
    app.browser_from(&format!("{claimed}, {seen}"))
}

/// Whether the member is suspended, and until when.
fn suspension_of(app: &TestApp, member: i64) -> (bool, Option<chrono::NaiveDateTime>) {
    use diesel::{QueryDsl, RunQueryDsl};
    use spot::schema::members;
    let mut conn = app.db.conn().expect("connection");
    let (at, until): (Option<chrono::NaiveDateTime>, Option<chrono::NaiveDateTime>) =
        members::table
            .find(member)
            .select((members::suspended_at, members::suspended_until))
            .first(&mut *conn)
            .expect("the member");
    (at.is_some(), until)
}

/// Whether this member's stored password is `password`.
fn password_is(app: &TestApp, email: &str, password: &str) -> bool {
    use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
    use spot::schema::members;
    let mut conn = app.db.conn().expect("connection");
    let hash: String = members::table
        .filter(members::email.eq(email))
        .select(members::password_hash)
        .first(&mut *conn)
        .expect("the member");
    spot::accounts::passwords::verify(password, &hash)
}

on_both_engines! {
    #[config(|config| config.trusted_proxies = 1)]
    async fn a_forged_forwarded_address_does_not_get_round_the_registration_limit(app: TestApp) {
        // Ten accounts an hour from one address. Each attempt claims a new address in the
        // header it writes itself; the proxy's own entry is what counts.
        for n in 0..10 {
            let browser = behind_appending_proxy(&app, &format!("10.9.8.{n}"), "192.0.2.50");
            let response = browser
                .register(&format!("member{n}@nhs.net"), &format!("Member {n}"), "link_worker", "bury")
                .await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "registration {n}");
        }
        let response = behind_appending_proxy(&app, "10.9.8.99", "192.0.2.50")
            .register("eleventh@nhs.net", "Eleven", "link_worker", "bury")
            .await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);

        // Someone else behind the same proxy is not held up.
        let response = behind_appending_proxy(&app, "10.9.8.99", "192.0.2.51")
            .register("elsewhere@nhs.net", "Elsewhere", "link_worker", "bury")
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }

    #[config(|config| config.trusted_proxies = 1)]
    async fn a_forged_forwarded_address_does_not_get_round_the_sign_in_limit(app: TestApp) {
        app.insert_members(&[("sam@nhs.net", "Sam Jones", "link_worker", "wigan")]);
        // Thirty failed sign-ins from one address in a quarter of an hour, whatever the
        // accounts tried and whatever the client claims.
        for n in 0..30 {
            let browser = behind_appending_proxy(&app, &format!("10.1.1.{n}"), "198.51.100.7");
            let response = browser.login(&format!("nobody{n}@nhs.net"), "wrong password here").await;
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "attempt {n}");
        }
        let response = behind_appending_proxy(&app, "10.1.1.200", "198.51.100.7")
            .login("someone@nhs.net", "wrong password here")
            .await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    }

    async fn a_facilitator_cannot_shorten_an_admins_suspension(app: TestApp) {
        app.join("ada@nhs.net", "Ada Admin", "occupational_therapist", "salford").await;
        app.promote("ada@nhs.net", "admin");
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let sam_id = app.member_id("sam@nhs.net");
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;

        // The admin suspends Sam until lifted.
        let response = app.suspend(sam_id, "Shared a client's records", "").await;
        assert_redirects_to(&response, &format!("/admin/members/{sam_id}"));

        // A facilitator "suspends" Sam for a day: refused, with the reason on the form.
        let response = fay
            .post(&format!("/members/{sam_id}/suspend"), &[("days", "1"), ("reason", "Time served")])
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        let message = field_error(&page, "days").expect("a message by the days field");
        assert!(message.contains("only make it longer"), "{message}");
        assert_eq!(suspension_of(&app, sam_id), (true, None), "still suspended until lifted");

        // Lifting is an admin's act: the facilitator's route cannot do it either way, and
        // Sam still cannot sign in.
        let response = fay.unsuspend(sam_id).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let response = sam.login("sam@nhs.net", PASSWORD).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);

        // A facilitator's own suspension can be lengthened, not shortened.
        app.unsuspend(sam_id).await;
        let response = fay
            .post(&format!("/members/{sam_id}/suspend"), &[("days", "14"), ("reason", "Spam")])
            .await;
        assert_redirects_to(&response, &format!("/members/{sam_id}"));
        let response = fay
            .post(&format!("/members/{sam_id}/suspend"), &[("days", "2"), ("reason", "Spam")])
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let response = fay
            .post(&format!("/members/{sam_id}/suspend"), &[("days", "30"), ("reason", "Spam again")])
            .await;
        assert_redirects_to(&response, &format!("/members/{sam_id}"));

        let audit = app.page("/admin/audit").await;
        let rows = texts_of(&audit, "table tbody tr");
        assert_eq!(rows.iter().filter(|r| r.contains("member suspended")).count(), 3, "{rows:?}");
        assert_eq!(rows.iter().filter(|r| r.contains("suspension lifted")).count(), 1, "{rows:?}");
    }

    async fn guessing_the_current_password_meets_the_sign_in_limit(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        // Someone at Sam's unlocked screen guesses the current password.
        for n in 0..5 {
            let response = app.change_password(&format!("guess number {n}"), "brand new password here").await;
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "guess {n}");
        }
        let response = app.change_password("guess number six", "brand new password here").await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(!header(&response, "retry-after").is_empty());
        // Even the right password waits now, and nothing changed.
        let response = app.change_password(PASSWORD, "brand new password here").await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        // The guesses count against the account: the sign-in form is no way round.
        let other = app.another_browser();
        let response = other.login("sam@nhs.net", "guess number seven").await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(password_is(&app, "sam@nhs.net", PASSWORD), "the password did not change");
    }

    async fn roster_downloads_book_ins_and_attendance_are_in_the_audit_log(app: TestApp) {
        use crate::courses::{admin, book_ok, facilitating, member, north_run, register_sessions};
        admin(&app).await;
        let run = north_run(&app, "15").await;
        let fay = facilitating(&app, run).await;
        let ann = member(&app, "ann@nhs.net", "Ann Bury", "link_worker", "bury").await;
        member(&app, "wes@nhs.net", "Wes Wigan", "link_worker", "wigan").await;
        book_ok(&ann, run).await;

        // A book-in from outside the cluster, with its reason.
        let response = fay
            .post(&format!("/courses/{run}/book-in"), &[("email", "wes@nhs.net"), ("reason", "Moving to Bury in May"), ("manager_agreed", "yes")])
            .await;
        assert_redirects_to(&response, &format!("/courses/{run}/roster"));
        // The register for the first session: Ann present, Wes absent.
        crate::courses::sessions_held(&app, run, 3);
        let roster = fay.page(&format!("/courses/{run}/roster")).await;
        let sessions = register_sessions(&roster, run);
        let ann_id = app.member_id("ann@nhs.net").to_string();
        let response = fay
            .post(&format!("/courses/{run}/attendance/{}", sessions[0]), &[("present", ann_id.as_str())])
            .await;
        assert_redirects_to(&response, &format!("/courses/{run}/roster"));
        // The roster as a spreadsheet.
        let response = fay.get(&format!("/courses/{run}/roster.csv")).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.text().await.unwrap().contains("wes@nhs.net"));

        let audit = app.page("/admin/audit").await;
        let rows = texts_of(&audit, "table tbody tr");
        let row = |action: &str| {
            rows.iter()
                .find(|r| r.contains(action))
                .unwrap_or_else(|| panic!("{action} is in the audit log: {rows:?}"))
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        let booked_in = row("booked in by a facilitator");
        assert!(booked_in.contains("Fay Facilitator") && booked_in.contains("Wes Wigan"), "{booked_in}");
        assert!(booked_in.contains("Moving to Bury in May"), "{booked_in}");
        let attendance = row("attendance recorded");
        assert!(attendance.contains("Ann Bury present") && attendance.contains("Wes Wigan absent"), "{attendance}");
        let exported = row("roster exported");
        assert!(exported.contains("Fay Facilitator") && exported.contains("2 rows"), "{exported}");

        // Saving the same register again changes nothing, so logs nothing more.
        fay.post(&format!("/courses/{run}/attendance/{}", sessions[0]), &[("present", ann_id.as_str())]).await;
        let audit = app.page("/admin/audit").await;
        let rows = texts_of(&audit, "table tbody tr");
        assert_eq!(rows.iter().filter(|r| r.contains("attendance recorded")).count(), 1, "{rows:?}");
    }

    async fn old_rate_limit_events_are_pruned(app: TestApp) {
        use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
        use spot::schema::throttle_events;
        // A day's pruning two days on (the server's own may have taken today): the old
        // events are still within their week now, so it leaves them to that one.
        let now = spot::db::now() + chrono::Duration::days(2);
        {
            let mut conn = app.db.conn().unwrap();
            // Kept a week by default (SPOT_RETAIN_THROTTLE_DAYS): far longer than any window.
            for (subject, age) in [("old-a", 8 * 24), ("old-b", 7 * 24 + 12), ("fresh", 6 * 24)] {
                diesel::insert_into(throttle_events::table)
                    .values((
                        throttle_events::kind.eq("sign_in_ip"),
                        throttle_events::subject.eq(subject),
                        throttle_events::created_at.eq(now - chrono::Duration::hours(age)),
                    ))
                    .execute(&mut *conn)
                    .unwrap();
            }
        }
        let swept = {
            let mut conn = app.db.conn().unwrap();
            spot::housekeeping::sweep(&mut conn, &app.files, &app.config.retention, now)
                .unwrap()
                .expect("the day's pruning")
        };
        assert_eq!(swept.throttle_events, 2);
        let mut conn = app.db.conn().unwrap();
        let left: Vec<String> = throttle_events::table
            .select(throttle_events::subject)
            .load(&mut *conn)
            .unwrap();
        assert_eq!(left, ["fresh"]);
    }

    async fn a_duplicate_of_a_hidden_resource_does_not_name_it(app: TestApp) {
        use crate::resources::{Share, PDF};
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let hidden = Share::file("Withdrawn guidance for Ward 7", "ward7.pdf", PDF).shared_by(&app).await;
        fay.post(&format!("/resources/{hidden}/hide"), &[]).await;

        let response = Share::file("My leaflet", "leaflet.pdf", PDF).send(&kim).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        let message = field_error(&page, "file").expect("the file field says why");
        assert!(message.contains("already in the library"), "{message}");
        assert!(!page.contains("Withdrawn guidance") && !page.contains(&format!("/resources/{hidden}")), "{message}");

        // Its owner and facilitators may see it, so they are told which it is.
        let response = Share::file("Again", "again.pdf", PDF).send(&fay).await;
        let message = field_error(&response.text().await.unwrap(), "file").unwrap();
        assert!(message.contains("“Withdrawn guidance for Ward 7”"), "{message}");
    }

    async fn visitors_see_no_members_only_resource_in_a_public_thread(app: TestApp) {
        use crate::forum::{category_fields, category_id, reply, start_thread};
        use crate::resources::{Share, PDF};
        app.join("ada@nhs.net", "Ada Admin", "link_worker", "wigan").await;
        app.promote("ada@nhs.net", "admin");
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let leaflet = Share::file("Sleep hygiene for shift workers", "sleep.pdf", PDF).shared_by(&kim).await;
        let id = category_id(&app, "introductions");
        let fields = category_fields("Introductions", "introductions", "Say hello.", "2", &["public_read"]);
        assert_redirects_to(&app.post(&format!("/admin/categories/{id}"), &fields).await, "/admin/categories");
        let thread = start_thread(&kim, "introductions", "Hello from Wigan", "I am Kim.").await;
        let post = reply(&kim, thread, &format!("My favourite: [the leaflet](/resources/{leaflet})")).await;

        // A member sees the card.
        let page = kim.page(&format!("/threads/{thread}")).await;
        assert_eq!(texts_of(&page, &format!("#post-{post} li.resource-card a")), ["Sleep hygiene for shift workers"]);
        // A visitor reads the public thread, without the library's title.
        let visitor = app.another_browser();
        let page = visitor.page(&format!("/threads/{thread}")).await;
        assert!(post_text_has(&page, post, "My favourite"), "{page}");
        assert_eq!(count_of(&page, "li.resource-card"), 0, "{page}");
        assert!(!page.contains("Sleep hygiene"), "{page}");
    }

    async fn a_mention_edited_out_and_back_in_tells_the_member_once(app: TestApp) {
        use crate::forum::{first_post, start_thread, textarea_text};
        use crate::notifications::{edit_post, heard};
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let thread = start_thread(&sam, "practice-questions", "Home adaptations", "Thanks @Kim Lee for the tip.").await;
        let post = first_post(&app, thread);
        for _ in 0..5 {
            edit_post(&sam, post, "Thanks for the tip.").await;
            edit_post(&sam, post, "Thanks @Kim Lee for the tip.").await;
        }
        assert_eq!(heard(&kim).await, ["Sam Jones mentioned you in “Home adaptations”"]);
        let to_kim = app.emails().iter().filter(|raw| raw.contains("<kim@nhs.net>")).count();
        assert_eq!(to_kim, 1, "one email for one mention");

        // Twenty-one people in one post is a crowd: refused, with the text kept.
        let names: Vec<String> = (1..=21).map(|n| format!("@Person{n}")).collect();
        let body = format!("Calling {}", names.join(" "));
        let response = sam
            .post(&format!("/threads/{thread}/reply"), &[("body", body.as_str()), ("action", "post")])
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        let message = field_error(&page, "body").expect("a message by the post");
        assert!(message.contains("at most 20 people"), "{message}");
        assert_eq!(textarea_text(&page, "body").as_deref(), Some(body.as_str()));
    }


    async fn an_upload_of_thousands_of_fields_is_refused_early(app: TestApp) {
        use crate::resources::{assert_healthy, assert_nothing_stored, multipart_body, BOUNDARY};
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let token = app.csrf_token().await;
        let filler = vec![b'x'; 60 * 1024];
        let content_type = format!("multipart/form-data; boundary={BOUNDARY}");

        // Many fields, each under the per-field limit, with a declared length over the cap
        // (the test server takes 2 MB files): refused before it is read.
        let names: Vec<String> = (0..60).map(|n| format!("field{n}")).collect();
        let mut parts: Vec<(&str, Option<&str>, &[u8])> = vec![("csrf_token", None, token.as_bytes())];
        parts.extend(names.iter().map(|name| (name.as_str(), None, filler.as_slice())));
        let body = multipart_body(&parts);
        let response = app.client.post(app.url("/resources/new")).header("content-type", &content_type).body(body).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let page = response.text().await.unwrap();
        assert!(page.contains("larger than 2 MB"), "{page}");

        // Sixteen thousand small fields streamed without a length, as a hostile client
        // would: cut off once the fields outnumber what the form sends.
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> = std::iter::once(multipart_body(&parts[..1]))
            .map(|first| first[..first.len() - BOUNDARY.len() - 6].to_vec())
            .chain((0..16_000).map(|n| {
                let mut part = format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"f{n}\"\r\n\r\n").into_bytes();
                part.extend_from_slice(&filler[..1024]);
                part.extend_from_slice(b"\r\n");
                part
            }))
            .chain(std::iter::once(format!("--{BOUNDARY}--\r\n").into_bytes()))
            .map(Ok)
            .collect();
        let stream = futures_util::stream::iter(chunks);
        let response = app
            .client
            .post(app.url("/resources/new"))
            .header("content-type", &content_type)
            .body(reqwest::Body::wrap_stream(stream))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let page = response.text().await.unwrap();
        assert!(page.contains("more than 16 fields"), "{page}");

        // A streamed file over the cap is cut off too.
        let token = app.csrf_token().await;
        let head = multipart_body(&[("csrf_token", None, token.as_bytes()), ("title", None, b"Slides")]);
        let head = head[..head.len() - BOUNDARY.len() - 6].to_vec();
        let opening = format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n").into_bytes();
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> = [head, opening]
            .into_iter()
            .chain((0..48).map(|_| vec![b'0'; 64 * 1024]))
            .map(Ok)
            .collect();
        let response = app
            .client
            .post(app.url("/resources/new"))
            .header("content-type", &content_type)
            .body(reqwest::Body::wrap_stream(futures_util::stream::iter(chunks)))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);

        // A long urlencoded form is refused the same way.
        let thread = crate::forum::start_thread(&app, "introductions", "Hello", "Hi all").await;
        let long = "a".repeat(3 * 1024 * 1024);
        let response = app.post(&format!("/threads/{thread}/reply"), &[("body", long.as_str())]).await;
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);

        assert_nothing_stored(&app, &app, "hostile uploads").await;
        assert_healthy(&app, "hostile uploads").await;
        assert!(app.is_signed_in().await);
    }


    async fn reset_links_reach_neither_the_log_nor_the_kept_outbox(app: TestApp) {
        use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
        use spot::schema::outbox;
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        app.request_reset("sam@nhs.net").await;
        let email = app.emails().into_iter().find(|e| e.contains("Reset your SPOT password")).expect("a reset email");
        let link = reset_link_in(&email).expect("a reset link");
        let token = link.trim_start_matches("/password-reset/").to_owned();
        assert!(app.page(&link).await.contains("Choose a new password"));
        assert_redirects_to(&app.post(&link, &[("password", "a brand new password")]).await, "/account");

        // A personal calendar feed's address is a secret too.
        let feed = app.site.calendar_feed_path(spot::db::MemberId(app.member_id("sam@nhs.net")));
        let signature = feed.rsplit('-').next().unwrap().trim_end_matches(".ics").to_owned();
        assert_eq!(app.get(&feed).await.status(), StatusCode::OK);

        let log = captured_log();
        assert!(log.contains("/password-reset/{token}"), "requests are logged by route");
        assert!(!log.contains(&token), "the reset token is in the log");
        assert!(!log.contains(&signature), "the feed's signature is in the log");

        // The sent letter is kept as a record, without its body.
        let mut conn = app.db.conn().unwrap();
        let kept: Vec<(String, String, Option<String>, bool)> = outbox::table
            .filter(outbox::subject.eq("Reset your SPOT password"))
            .select((outbox::to_address, outbox::text_body, outbox::html_body, outbox::sent_at.is_not_null()))
            .load(&mut *conn)
            .unwrap();
        assert_eq!(kept.len(), 1);
        let (to, text, html, sent) = &kept[0];
        assert_eq!(to, "sam@nhs.net");
        assert!(sent);
        assert!(!text.contains(&token) && !html.as_deref().unwrap_or("").contains(&token), "{text}");

        // The outbox folder, a stand-in mailbox, is readable by SPOT's user alone.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(app.outbox()).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "the outbox folder is private: {mode:o}");
        }
    }


    async fn signed_in_pages_are_not_kept_and_form_tokens_are_masked(app: TestApp) {
        let visitor = app.another_browser();
        let response = visitor.get("/").await;
        assert_ne!(header(&response, "cache-control"), "no-store", "public pages may be cached");
        assert!(header(&response, "strict-transport-security").is_empty(), "no HSTS over plain HTTP");

        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        for path in ["/", "/account", "/members", "/forum", "/resources", "/notifications"] {
            let response = app.get(path).await;
            assert_eq!(header(&response, "cache-control"), "no-store", "{path}");
        }

        // The same session's token looks different on every page, and each copy works.
        let first = app.csrf_token().await;
        let second = app.csrf_token().await;
        assert_ne!(first, second, "a page's token is masked afresh");
        let response = app
            .post_raw("/account", &[("csrf_token", first.as_str()), ("display_name", "Sam Jones"), ("organisation", "Wigan Council"), ("role", "link_worker"), ("borough", "wigan")])
            .await;
        assert_redirects_to(&response, "/account");
        // A token of the right shape that is not this session's is still refused.
        let stranger = app.another_browser().csrf_token().await;
        let response = app.post_raw("/logout", &[("csrf_token", stranger.as_str())]).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let response = app.post_raw("/logout", &[("csrf_token", second.as_str())]).await;
        assert_redirects_to(&response, "/");
    }

    #[config(|config| config.secure_cookies = true)]
    async fn https_deployments_send_hsts(app: TestApp) {
        let response = app.get("/").await;
        assert_eq!(header(&response, "strict-transport-security"), "max-age=31536000");
        let response = app.get("/no-such-page").await;
        assert_eq!(header(&response, "strict-transport-security"), "max-age=31536000");
    }

}

fn post_text_has(html: &str, post: i64, words: &str) -> bool {
    crate::forum::post_text(html, post).is_some_and(|text| text.contains(words))
}
