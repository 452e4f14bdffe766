//! `GET /metrics` as Prometheus and an operator meet it: the text format, the requests
//! counted by route pattern, the pool, the outbox and the digests; read from this machine or
//! with the token, refused otherwise; never carrying a secret.

use chrono::Duration;
use reqwest::StatusCode;

use crate::forum::start_thread;
use crate::helpers::*;
use crate::on_both_engines;

const TOKEN: &str = "scrape-token-7f3a9c2e5b8d1f4a6c0e";

fn token() -> spot::metrics::access::MetricsToken {
    spot::metrics::access::MetricsToken::parse(TOKEN).expect("a good token")
}

/// The metrics as a scraper on this machine reads them: asserts 200 and the text format.
async fn scrape(browser: &Browser) -> String {
    let response = browser.get("/metrics").await;
    assert_eq!(response.status(), StatusCode::OK, "GET /metrics");
    assert_eq!(
        header(&response, "content-type"),
        "text/plain; version=0.0.4; charset=utf-8"
    );
    response.text().await.expect("the metrics")
}

/// The value of one series, written exactly as Prometheus writes it (`name{labels}`).
fn sample(metrics: &str, series: &str) -> Option<f64> {
    metrics.lines().find_map(|line| {
        let value = line.strip_prefix(series)?.strip_prefix(' ')?;
        Some(value.trim().parse().expect("a number"))
    })
}

fn letter(to: &str) -> spot::mail::Letter {
    spot::mail::Letter {
        to_name: "Pat Reader".into(),
        to_address: to.into(),
        subject: "A letter that waits".into(),
        text: "Hello".into(),
        ..Default::default()
    }
}

on_both_engines! {
    #[config(|config| config.mail_every = None)]
    async fn this_machine_reads_requests_latency_pool_and_outbox(app: TestApp) {
        let ann = app.signed_in_member("ann@example.org", "Ann Author").await;
        let thread = start_thread(&ann, "practice-questions", "Pacing", "How do you pace?").await;
        ann.page(&format!("/threads/{thread}")).await;
        // Two letters wait (no mail worker runs here), the older written ten minutes ago.
        {
            let mut conn = app.db.conn().expect("connection");
            let now = spot::db::now();
            spot::notifications::outbox::enqueue(&mut conn, None, &letter("a@example.org"), now - Duration::minutes(10))
                .expect("queued");
            spot::notifications::outbox::enqueue(&mut conn, None, &letter("b@example.org"), now)
                .expect("queued");
        }

        let metrics = scrape(&app).await;
        assert_eq!(
            sample(&metrics, r#"spot_http_requests_total{route="/threads/{id}",method="GET",status="200"}"#),
            Some(1.0),
            "{metrics}"
        );
        assert!(metrics.contains("# TYPE spot_http_requests_total counter"), "{metrics}");
        assert!(
            metrics.contains("# TYPE spot_http_request_duration_seconds histogram"),
            "{metrics}"
        );
        assert_eq!(
            sample(&metrics, r#"spot_http_request_duration_seconds_count{route="/threads/{id}",method="GET"}"#),
            Some(1.0)
        );
        assert_eq!(
            sample(&metrics, r#"spot_http_request_duration_seconds_bucket{route="/threads/{id}",method="GET",le="+Inf"}"#),
            Some(1.0)
        );
        let took = sample(&metrics, r#"spot_http_request_duration_seconds_sum{route="/threads/{id}",method="GET"}"#)
            .expect("the time taken");
        assert!(took > 0.0 && took < 10.0, "{took}");
        // The thread's start was a POST answered with a redirect.
        assert_eq!(
            sample(&metrics, r#"spot_http_requests_total{route="/forum/{slug}/new",method="POST",status="303"}"#),
            Some(1.0),
            "{metrics}"
        );
        // Every request waited for database connections.
        let waits = sample(&metrics, "spot_db_pool_wait_seconds_count").expect("pool waits");
        assert!(waits >= 3.0, "{waits}");
        assert!(sample(&metrics, r#"spot_db_pool_wait_seconds_bucket{le="+Inf"}"#) == Some(waits));
        let max = sample(&metrics, "spot_db_pool_max_connections").expect("the pool's size");
        let open = sample(&metrics, "spot_db_pool_connections").expect("connections");
        assert!(open >= 1.0 && open <= max, "{open} of {max}");
        assert!(sample(&metrics, "spot_db_pool_idle_connections").is_some());

        assert_eq!(app.letters_waiting(), 2);
        assert_eq!(sample(&metrics, "spot_outbox_depth"), Some(2.0), "{metrics}");
        let age = sample(&metrics, "spot_outbox_oldest_age_seconds").expect("the oldest's age");
        assert!((600.0..660.0).contains(&age), "{age}");
        assert_eq!(sample(&metrics, "spot_outbox_given_up"), Some(0.0));

        // The scrape itself is counted by the next one, and a path that matches no route is
        // counted under one label, whatever it was.
        app.get("/no/such/page/4f1d").await;
        let again = scrape(&app).await;
        assert_eq!(
            sample(&again, r#"spot_http_requests_total{route="/metrics",method="GET",status="200"}"#),
            Some(1.0)
        );
        assert_eq!(
            sample(&again, r#"spot_http_requests_total{route="(no route)",method="GET",status="404"}"#),
            Some(1.0),
            "{again}"
        );
        assert!(!again.contains("4f1d"));
    }
}

on_both_engines! {
    async fn digest_runs_say_whether_this_node_ran_them(app: TestApp) {
        // The mail worker's first round finishes today's daily digests (nobody is owed one).
        let metrics = wait_for_series(&app, r#"spot_digest_runs_total{cadence="daily",outcome="ran"}"#).await;
        assert_eq!(
            sample(&metrics, r#"spot_digest_runs_total{cadence="weekly",outcome="ran"}"#),
            Some(1.0),
            "{metrics}"
        );
        let finished = sample(&metrics, r#"spot_digest_last_finished_timestamp_seconds{cadence="daily"}"#)
            .expect("when the daily digests last finished");
        let now = chrono::Utc::now().timestamp() as f64;
        assert!((now - 120.0..=now + 1.0).contains(&finished), "{finished} vs {now}");

        // A second node on the same database finds them done, and says so once.
        let second = spot::Application::build(app.config.clone()).expect("a second node starts");
        let address = format!("http://127.0.0.1:{}", second.port());
        actix_web::rt::spawn(second.run_until_stopped());
        let browser = app.another_browser();
        let mut seen = String::new();
        for _ in 0..100 {
            seen = browser.client.get(format!("{address}/metrics")).send().await.unwrap().text().await.unwrap();
            if seen.contains(r#"outcome="found_done""#) {
                break;
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        // Several rounds later, still one.
        actix_web::rt::time::sleep(std::time::Duration::from_millis(600)).await;
        let seen = browser.client.get(format!("{address}/metrics")).send().await.unwrap().text().await.unwrap_or(seen);
        assert_eq!(
            sample(&seen, r#"spot_digest_runs_total{cadence="daily",outcome="found_done"}"#),
            Some(1.0),
            "{seen}"
        );
        assert_eq!(sample(&seen, r#"spot_digest_runs_total{cadence="daily",outcome="ran"}"#), None);
        // The first node ran them once however many rounds went by.
        let first = scrape(&app).await;
        assert_eq!(sample(&first, r#"spot_digest_runs_total{cadence="daily",outcome="ran"}"#), Some(1.0));
    }
}

/// Scrapes until `series` shows (the mail worker runs every 200 ms in tests).
async fn wait_for_series(app: &TestApp, series: &str) -> String {
    let mut metrics = String::new();
    for _ in 0..100 {
        metrics = scrape(app).await;
        if sample(&metrics, series).is_some() {
            return metrics;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{series} never showed: {metrics}");
}

on_both_engines! {
    #[config(|config| {
        config.trusted_proxies = 1;
        config.metrics_token = Some(token());
    })]
    async fn elsewhere_the_metrics_need_the_token(app: TestApp) {
        // This machine, straight to SPOT: no token needed.
        scrape(&app).await;

        // A client elsewhere, through the proxy on this machine: refused without the token.
        let outside = app.browser_from("203.0.113.9");
        let refused = outside.get("/metrics").await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let page = refused.text().await.unwrap();
        assert!(page.contains("SPOT_METRICS_TOKEN"), "{page}");
        assert!(!page.contains("spot_http_requests_total"));

        // Claiming to be this machine in a header it wrote itself changes nothing.
        let forged = app.browser_from("127.0.0.1, 203.0.113.9");
        assert_eq!(forged.get("/metrics").await.status(), StatusCode::FORBIDDEN);

        // With the token, from anywhere.
        let with_token = outside.client.get(outside.url("/metrics")).bearer_auth(TOKEN).send().await.unwrap();
        assert_eq!(with_token.status(), StatusCode::OK);
        assert!(with_token.text().await.unwrap().contains("spot_outbox_depth"));

        // A wrong token, or another scheme, is refused, here too.
        for (browser, authorization) in [
            (&outside, "Bearer scrape-token-7f3a9c2e5b8d1f4a6c0X".to_owned()),
            (&outside, format!("Basic {TOKEN}")),
            (&app.browser, "Bearer guess".to_owned()),
        ] {
            let response = browser
                .client
                .get(browser.url("/metrics"))
                .header("authorization", authorization.as_str())
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{authorization}");
            assert!(response.text().await.unwrap().contains("not the token"));
        }
        assert!(!captured_log().contains(TOKEN), "the token never reaches the log");
    }

    async fn behind_a_proxy_spot_was_not_told_about_loopback_is_not_enough(app: TestApp) {
        // No proxies are trusted, yet this request came through one on this machine: its
        // client could be anywhere.
        let proxied = app.browser_from("203.0.113.9");
        let response = proxied.get("/metrics").await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        // No token is set: none opens it.
        let response = proxied.client.get(proxied.url("/metrics")).bearer_auth(TOKEN).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        scrape(&app).await;
    }
}

on_both_engines! {
    async fn no_secret_reaches_the_metrics_or_the_log(app: TestApp) {
        // A confirmation link followed, a password reset link opened, a session cookie.
        app.register("sam@nhs.net", "Sam Jones", "link_worker", "bolton").await;
        let confirm = app.mailroom.take_confirmation_link("sam@nhs.net").expect("a confirmation link");
        let confirm_token = confirm.trim_start_matches("/confirm/").split('?').next().unwrap().to_owned();
        assert!(confirm_token.len() >= 16, "{confirm}");
        app.page(&confirm).await;
        let signed_in = app.post(&confirm, &[]).await;
        assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
        let cookie = signed_in
            .cookies()
            .find(|cookie| cookie.name() == "spot_session")
            .map(|cookie| cookie.value().to_owned())
            .expect("a session cookie");

        let visitor = app.another_browser();
        visitor.request_reset("sam@nhs.net").await;
        let reset = app
            .emails()
            .iter()
            .rev()
            .find_map(|email| reset_link_in(email))
            .expect("a reset link");
        let reset_token = reset.trim_start_matches("/password-reset/").to_owned();
        assert_eq!(visitor.get(&reset).await.status(), StatusCode::OK);

        let metrics = scrape(&app).await;
        assert!(metrics.contains(r#"route="/confirm/{token}""#), "{metrics}");
        assert!(metrics.contains(r#"route="/password-reset/{token}""#), "{metrics}");
        let log = captured_log();
        assert!(log.contains(r#"route=/password-reset/{token}"#), "the log names the pattern");
        for (what, secret) in [
            ("confirmation token", confirm_token.as_str()),
            ("reset token", reset_token.as_str()),
            ("session cookie", cookie.as_str()),
        ] {
            assert!(!metrics.contains(secret), "the {what} is in the metrics");
            assert!(!log.contains(secret), "the {what} is in the log");
        }
    }
}
