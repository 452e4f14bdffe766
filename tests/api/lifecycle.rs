//! The built `spot` in its own process, as an operator runs it: stopped with SIGTERM it
//! finishes what is under way (within `SPOT_SHUTDOWN_SECONDS`) and exits 0; the email being
//! sent is finished and sent once; `SPOT_LOG_FORMAT=json` makes every line a JSON object.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use reqwest::StatusCode;

use crate::helpers::*;
use crate::mail_delivery::SmtpSink;
use crate::on_both_engines;
use crate::resources::{pdf_of_size, Share};

/// `spot` serving the test app's database, files and key in a process of its own.
struct Served {
    child: Child,
    port: u16,
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<Vec<String>>>,
    terminated: Option<Instant>,
}

/// Keeps every line a stream writes.
fn collect(stream: impl std::io::Read + Send + 'static) -> Arc<Mutex<Vec<String>>> {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let kept = lines.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            kept.lock().unwrap().push(line);
        }
    });
    lines
}

/// The port in a line that says where SPOT listens, in either log format.
fn port_in(line: &str) -> Option<u16> {
    if let Some(rest) = line.strip_prefix("SPOT is running at http://127.0.0.1:") {
        return rest.trim().parse().ok();
    }
    let json: serde_json::Value = serde_json::from_str(line).ok()?;
    (json["message"] == "SPOT is listening").then_some(())?;
    json["address"].as_str()?.rsplit(':').next()?.parse().ok()
}

impl Served {
    fn start(app: &TestApp, settings: &[(&str, &str)]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_spot"))
            .env("DATABASE_URL", &app.config.database_url)
            .env("SPOT_DATA_DIR", app.data_dir.path())
            .env("SPOT_UPLOADS", &app.config.uploads_dir)
            .env("SPOT_SECRET_KEY", app.config.secret_key.as_deref().unwrap())
            .env("SPOT_BIND", "127.0.0.1:0")
            .env("SPOT_WORKERS", "2")
            .env_remove("RUST_LOG")
            .envs(settings.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spot starts");
        let stdout = collect(child.stdout.take().unwrap());
        let stderr = collect(child.stderr.take().unwrap());
        let started = Instant::now();
        let port = loop {
            if let Some(port) = stdout.lock().unwrap().iter().find_map(|line| port_in(line)) {
                break port;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("spot stopped ({status}): {:?}", stderr.lock().unwrap());
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "spot did not say where it listens"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        Served {
            child,
            port,
            stdout,
            stderr,
            terminated: None,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn terminate(&mut self) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("a pid");
        // SAFETY: kill only sends a signal to the child this test started.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0, "SIGTERM sent");
        self.terminated = Some(Instant::now());
    }

    /// Waits up to `limit` for the process to end; its status and how long after SIGTERM.
    async fn exit_within(&mut self, limit: Duration) -> (ExitStatus, Duration) {
        let since = self.terminated.expect("SIGTERM was sent");
        loop {
            if let Some(status) = self.child.try_wait().expect("the child's state") {
                return (status, since.elapsed());
            }
            assert!(
                since.elapsed() < limit,
                "spot still runs {limit:?} after SIGTERM: {:?}",
                self.output()
            );
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Every line written so far, standard output then standard error.
    fn output(&self) -> Vec<String> {
        let mut lines = self.stdout.lock().unwrap().clone();
        lines.extend(self.stderr.lock().unwrap().iter().cloned());
        lines
    }

    /// Whether a new connection is refused, within a second.
    async fn refuses_connections(&self) -> bool {
        for _ in 0..50 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
                return true;
            }
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
        false
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A 40 MB resource shared on the test app, far more than the sockets' buffers hold, being
/// downloaded from `spot` started with `SPOT_SHUTDOWN_SECONDS` (the member's session cookie
/// goes to any port of 127.0.0.1): the server, the response with its first megabyte read,
/// and the file as shared.
async fn download_under_way(
    app: &TestApp,
    shutdown_seconds: &str,
) -> (Served, reqwest::Response, Vec<u8>, Vec<u8>) {
    let member = app.signed_in_member("ann@example.org", "Ann Author").await;
    let content = pdf_of_size(40 * 1024 * 1024);
    let id = Share::file("The big guide", "guide.pdf", &content)
        .shared_by(&member)
        .await;
    let served = Served::start(app, &[("SPOT_SHUTDOWN_SECONDS", shutdown_seconds)]);
    let mut response = member
        .client
        .get(served.url(&format!("/resources/{id}/download")))
        .send()
        .await
        .expect("the download starts");
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = Vec::new();
    while body.len() < 1024 * 1024 {
        body.extend_from_slice(&response.chunk().await.unwrap().expect("more of the file"));
    }
    (served, response, body, content)
}

on_both_engines! {
    #[config(|config| config.max_upload_mb = 64)]
    async fn sigterm_lets_a_download_under_way_finish_and_exits_0(app: TestApp) {
        let (mut served, mut response, mut body, content) = download_under_way(&app, "20").await;

        served.terminate();
        assert!(served.refuses_connections().await, "new connections are refused after SIGTERM");
        // The rest comes, read at a reader's pace (about 10 MB/s: four seconds or so).
        let reading = Instant::now();
        while let Some(chunk) = response.chunk().await.expect("the download is not cut") {
            body.extend_from_slice(&chunk);
            let due = Duration::from_secs_f64(body.len() as f64 / 10e6);
            if let Some(wait) = due.checked_sub(reading.elapsed()) {
                actix_web::rt::time::sleep(wait).await;
            }
        }
        assert_eq!(body.len(), content.len(), "the whole file");
        assert!(body == content, "the file as it was shared");

        let (status, took) = served.exit_within(Duration::from_secs(25)).await;
        assert!(status.success(), "exit status {status}: {:?}", served.output());
        assert!(took >= Duration::from_secs(2), "it waited for the download: {took:?}");
        let output = served.output().join("\n");
        assert!(output.contains("SIGTERM"), "{output}");
        assert!(output.contains("SPOT has stopped"), "{output}");
    }
}

on_both_engines! {
    #[config(|config| config.max_upload_mb = 64)]
    async fn a_request_longer_than_the_drain_is_cut_and_spot_still_exits_0(app: TestApp) {
        let (mut served, mut response, mut body, content) = download_under_way(&app, "1").await;

        // The reader stalls: the download cannot finish within the second allowed.
        served.terminate();
        let (status, took) = served.exit_within(Duration::from_secs(6)).await;
        assert!(status.success(), "exit status {status}: {:?}", served.output());
        assert!(took >= Duration::from_millis(900), "it gave the download its second: {took:?}");

        // What the sockets held still arrives; then the download ends short.
        while let Ok(Some(chunk)) = response.chunk().await {
            body.extend_from_slice(&chunk);
        }
        assert!(body.len() < content.len(), "the download was cut at {} bytes", body.len());
    }
}

/// Two letters waiting in the outbox, the first written a minute before the second.
fn two_letters(app: &TestApp) {
    let mut conn = app.db.conn().expect("connection");
    let now = spot::db::now();
    for (to, written) in [
        ("first@example.org", now - chrono::Duration::minutes(1)),
        ("second@example.org", now),
    ] {
        let letter = spot::mail::Letter {
            to_name: "Reader".into(),
            to_address: to.into(),
            subject: format!("For {to}"),
            text: "Hello".into(),
            ..Default::default()
        };
        spot::notifications::outbox::enqueue(&mut conn, None, &letter, written).expect("queued");
    }
}

/// `(to, attempts, sent, still claimed)` of every outbox row, oldest first.
fn outbox_state(app: &TestApp) -> Vec<(String, i32, bool, bool)> {
    use spot::schema::outbox;
    let mut conn = app.db.conn().expect("connection");
    outbox::table
        .order(outbox::id.asc())
        .select((
            outbox::to_address,
            outbox::attempts,
            outbox::sent_at.is_not_null(),
            outbox::claimed_until.is_not_null(),
        ))
        .load(&mut *conn)
        .expect("outbox rows")
}

on_both_engines! {
    #[config(|config| config.mail_every = None)]
    async fn the_email_being_sent_at_sigterm_is_finished_and_sent_once(app: TestApp) {
        two_letters(&app);
        // A mail server that takes two seconds over each message.
        let sink = SmtpSink::start_slow(Duration::from_secs(2));
        let smtp = format!("smtp://127.0.0.1:{}", sink.port);
        let settings = [
            ("SPOT_SMTP_URL", smtp.as_str()),
            ("SPOT_MAIL_EVERY_SECONDS", "1"),
            ("SPOT_SHUTDOWN_SECONDS", "10"),
        ];
        let mut served = Served::start(&app, &settings);
        let started = Instant::now();
        while sink.begun() == 0 {
            assert!(started.elapsed() < Duration::from_secs(15), "no email was begun");
            actix_web::rt::time::sleep(Duration::from_millis(10)).await;
        }
        // SIGTERM while the first email is being sent.
        served.terminate();
        let (status, took) = served.exit_within(Duration::from_secs(12)).await;
        assert!(status.success(), "exit status {status}: {:?}", served.output());
        assert!(took >= Duration::from_millis(1500), "it waited for the mail server: {took:?}");
        let received = sink.messages();
        assert_eq!(received.len(), 1, "the first email was finished, no other begun");
        assert!(received[0].contains("first@example.org"));
        assert_eq!(
            outbox_state(&app),
            vec![
                ("first@example.org".to_owned(), 1, true, false),
                // Left for the next start, unclaimed: not held back for the claim's two minutes.
                ("second@example.org".to_owned(), 0, false, false),
            ]
        );

        // The next start sends the second, and the first not again.
        let mut again = Served::start(&app, &settings);
        let received = sink.wait_for(2, Duration::from_secs(15)).await;
        assert_eq!(received.len(), 2);
        assert!(received[1].contains("second@example.org"));
        actix_web::rt::time::sleep(Duration::from_millis(2500)).await;
        assert_eq!(sink.messages().len(), 2, "nothing is sent twice");
        again.terminate();
        let (status, _) = again.exit_within(Duration::from_secs(12)).await;
        assert!(status.success());
        assert!(outbox_state(&app).iter().all(|(_, attempts, sent, _)| *sent && *attempts == 1));
    }
}

on_both_engines! {
    async fn json_logs_are_one_object_a_line_without_secrets(app: TestApp) {
        // Secrets an operator sets; PostgreSQL here trusts local connections, so a password
        // in the URL is ignored by it but must not reach the log either.
        let database_url = match app.engine {
            Engine::Postgres => app.config.database_url.replacen("postgres@", "postgres:db-pass-5521@", 1),
            Engine::Sqlite => app.config.database_url.clone(),
        };
        let token = "metrics-token-9c1e7a3b5d2f4e6a8b0c";
        let settings = [
            ("SPOT_LOG_FORMAT", "json"),
            ("DATABASE_URL", database_url.as_str()),
            ("SPOT_SMTP_URL", "smtp://spot:smtp-pass-7319@127.0.0.1:2525"),
            ("SPOT_METRICS_TOKEN", token),
        ];
        let mut served = Served::start(&app, &settings);
        let client = reqwest::Client::new();
        assert_eq!(client.get(served.url("/healthz")).send().await.unwrap().status(), StatusCode::OK);
        let metrics = client.get(served.url("/metrics")).bearer_auth(token).send().await.unwrap();
        assert_eq!(metrics.status(), StatusCode::OK);
        client.get(served.url("/password-reset/a-token-nobody-has-4417")).send().await.unwrap();
        served.terminate();
        let (status, _) = served.exit_within(Duration::from_secs(10)).await;
        assert!(status.success(), "{:?}", served.output());

        let lines = served.output();
        assert!(lines.len() >= 5, "{lines:?}");
        let mut requests = Vec::new();
        for line in &lines {
            let object: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            for field in ["timestamp", "level", "target", "message"] {
                assert!(object[field].is_string(), "no {field} in {line}");
            }
            if object["target"] == "spot::access" {
                requests.push((object["route"].as_str().unwrap_or("").to_owned(), object["status"].as_u64()));
            }
        }
        assert!(requests.contains(&("/healthz".to_owned(), Some(200))), "{requests:?}");
        // An unknown token: 404, logged by its pattern.
        assert!(requests.contains(&("/password-reset/{token}".to_owned(), Some(404))), "{requests:?}");
        let all = lines.join("\n");
        for secret in [
            "a-token-nobody-has-4417",
            token,
            "smtp-pass-7319",
            "db-pass-5521",
            app.config.secret_key.as_deref().unwrap(),
        ] {
            assert!(!all.contains(secret), "{secret} is in the log");
        }
    }
}

/// Runs `spot migrate` with one setting; it must fail at once, saying what is wrong.
fn refused(name: &str, value: &str) -> String {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let output = Command::new(env!("CARGO_BIN_EXE_spot"))
        .arg("migrate")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/spot.db", folder.path().display()),
        )
        .env("SPOT_DATA_DIR", folder.path())
        .env(name, value)
        .output()
        .expect("spot runs");
    assert!(!output.status.success(), "{name}={value} was taken");
    assert!(
        !folder.path().join("spot.db").exists(),
        "nothing was started"
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_bad_setting_stops_spot_at_start_with_its_name() {
    assert!(refused("SPOT_LOG_FORMAT", "xml")
        .contains("SPOT_LOG_FORMAT must be json or text, not \"xml\""));
    assert!(refused("SPOT_SHUTDOWN_SECONDS", "soon")
        .contains("SPOT_SHUTDOWN_SECONDS must be a whole number of seconds"));
    assert!(refused("SPOT_SHUTDOWN_SECONDS", "86400").contains("from 0 to 3600"));
    assert!(refused("SPOT_METRICS_TOKEN", "short")
        .contains("SPOT_METRICS_TOKEN: the token must be at least 24 characters"));
}
