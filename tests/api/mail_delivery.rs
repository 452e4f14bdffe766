//! Email over real SMTP: the worker sends from the outbox table to an SMTP server started by
//! the test, retries while the server is down, and loses nothing across a restart.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};

use crate::forum::{reply, start_thread};
use crate::helpers::*;

/// A small SMTP server that accepts every message and keeps it: enough of RFC 5321 for
/// lettre (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), and STARTTLS (RFC 3207) when started
/// with a certificate.
pub struct SmtpSink {
    pub port: u16,
    bag: Arc<Mailbag>,
    stopped: Arc<AtomicBool>,
}

/// What the sink has been sent, and how it answers.
#[derive(Default)]
struct Mailbag {
    received: Mutex<Vec<Received>>,
    /// Messages whose DATA has begun, taken or not yet.
    begun: AtomicUsize,
    /// How long the sink takes over each message before saying it is taken.
    pause: Duration,
}

#[derive(Clone)]
struct Received {
    message: String,
    over_tls: bool,
}

/// What the sink says about TLS.
#[derive(Clone)]
enum SinkTls {
    /// Never mentions it.
    None,
    /// Offers STARTTLS and takes mail only after it.
    Required(Arc<rustls::ServerConfig>),
}

impl SmtpSink {
    pub fn start_on(port: u16) -> SmtpSink {
        Self::start_with(port, SinkTls::None)
    }

    /// A sink that takes `pause` over each message before answering that it is taken.
    pub fn start_slow(pause: Duration) -> SmtpSink {
        Self::start_answering(0, SinkTls::None, pause)
    }

    fn start_with(port: u16, tls: SinkTls) -> SmtpSink {
        Self::start_answering(port, tls, Duration::ZERO)
    }

    fn start_answering(port: u16, tls: SinkTls, pause: Duration) -> SmtpSink {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("the sink's port is free");
        let port = listener.local_addr().expect("an address").port();
        let bag = Arc::new(Mailbag {
            pause,
            ..Mailbag::default()
        });
        let stopped = Arc::new(AtomicBool::new(false));
        let (kept, stop) = (bag.clone(), stopped.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (kept, tls) = (kept.clone(), tls.clone());
                std::thread::spawn(move || {
                    let _ = converse(stream, &kept, &tls);
                });
            }
        });
        SmtpSink { port, bag, stopped }
    }

    /// How many messages have begun to arrive (their DATA command sent).
    pub fn begun(&self) -> usize {
        self.bag.begun.load(Ordering::SeqCst)
    }

    pub fn messages(&self) -> Vec<String> {
        self.received()
            .into_iter()
            .map(|received| received.message)
            .collect()
    }

    fn received(&self) -> Vec<Received> {
        self.bag.received.lock().expect("sink lock").clone()
    }

    /// Waits (up to `limit`) until at least `count` messages arrived.
    pub async fn wait_for(&self, count: usize, limit: Duration) -> Vec<String> {
        let started = Instant::now();
        while self.messages().len() < count && started.elapsed() < limit {
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        self.messages()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// How a conversation on one stream ended.
enum Next {
    Closed,
    /// The client asked for TLS and was told to go ahead.
    StartTls(Arc<rustls::ServerConfig>),
}

fn converse(stream: TcpStream, kept: &Mailbag, tls: &SinkTls) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut plain = BufReader::new(stream);
    plain
        .get_mut()
        .write_all(b"220 sink.test ESMTP ready\r\n")?;
    match talk(&mut plain, kept, tls, false)? {
        Next::Closed => Ok(()),
        Next::StartTls(config) => {
            let connection =
                rustls::ServerConnection::new(config).map_err(std::io::Error::other)?;
            // The client waits for our 220 before its handshake: nothing is left buffered.
            let tcp = plain.into_inner();
            let mut secure = BufReader::new(rustls::StreamOwned::new(connection, tcp));
            talk(&mut secure, kept, &SinkTls::None, true).map(|_| ())
        }
    }
}

fn talk<S: Read + Write>(
    stream: &mut BufReader<S>,
    kept: &Mailbag,
    tls: &SinkTls,
    over_tls: bool,
) -> std::io::Result<Next> {
    let mut line = String::new();
    loop {
        line.clear();
        if stream.read_line(&mut line)? == 0 {
            return Ok(Next::Closed);
        }
        let verb = line.trim_end().to_ascii_uppercase();
        let reply: &[u8] = if verb.starts_with("EHLO") || verb.starts_with("HELO") {
            match tls {
                SinkTls::Required(_) => b"250-sink.test\r\n250-STARTTLS\r\n250 8BITMIME\r\n",
                SinkTls::None => b"250-sink.test\r\n250 8BITMIME\r\n",
            }
        } else if verb.starts_with("STARTTLS") {
            match tls {
                SinkTls::Required(config) => {
                    stream.get_mut().write_all(b"220 go ahead\r\n")?;
                    return Ok(Next::StartTls(config.clone()));
                }
                SinkTls::None => b"502 not offered\r\n",
            }
        } else if verb.starts_with("MAIL") && matches!(tls, SinkTls::Required(_)) {
            b"530 5.7.0 must issue a STARTTLS command first\r\n"
        } else if verb.starts_with("DATA") {
            kept.begun.fetch_add(1, Ordering::SeqCst);
            stream
                .get_mut()
                .write_all(b"354 end with <CRLF>.<CRLF>\r\n")?;
            let mut message = String::new();
            loop {
                line.clear();
                if stream.read_line(&mut line)? == 0 {
                    return Ok(Next::Closed);
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                message.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            std::thread::sleep(kept.pause);
            kept.received
                .lock()
                .expect("sink lock")
                .push(Received { message, over_tls });
            b"250 queued\r\n"
        } else if verb.starts_with("QUIT") {
            stream.get_mut().write_all(b"221 bye\r\n")?;
            return Ok(Next::Closed);
        } else {
            b"250 ok\r\n"
        };
        stream.get_mut().write_all(reply)?;
    }
}

/// A self-signed certificate for 127.0.0.1: the sink's TLS set-up, and the certificate as
/// a PEM file in `folder` for `SPOT_SMTP_CA_FILE`.
fn sink_certificate(folder: &std::path::Path) -> (Arc<rustls::ServerConfig>, std::path::PathBuf) {
    let certified =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).expect("a certificate");
    let pem_file = folder.join("sink-ca.pem");
    std::fs::write(&pem_file, certified.cert.pem()).expect("the certificate is written");
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(rustls::pki_types::PrivatePkcs8KeyDer::from(
        certified.key_pair.serialize_der(),
    ));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("TLS versions")
    .with_no_client_auth()
    .with_single_cert(vec![certified.cert.der().clone()], key)
    .expect("the sink's TLS set-up");
    (Arc::new(config), pem_file)
}

/// A port nothing listens on (yet).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("an address")
        .port()
}

fn outbox_rows(app: &TestApp) -> Vec<(i32, bool, Option<String>)> {
    use spot::schema::outbox;
    let mut conn = app.db.conn().expect("connection");
    outbox::table
        .order(outbox::id.asc())
        .select((
            outbox::attempts,
            outbox::sent_at.is_not_null(),
            outbox::last_error,
        ))
        .load(&mut *conn)
        .expect("outbox rows")
}

/// Two members; the second replies to the first's thread, which emails the first at once.
async fn a_reply_to_ann(app: &TestApp) {
    let ann = app.signed_in_member("ann@example.org", "Ann Author").await;
    let thread = start_thread(
        &ann,
        "practice-questions",
        "Fatigue pacing",
        "How do you pace?",
    )
    .await;
    let ben = app.signed_in_member("ben@example.org", "Ben Replier").await;
    reply(&ben, thread, "Little and often, with **rest** planned in.").await;
}

async fn delivered_over_smtp(engine: Engine) {
    let sink = SmtpSink::start_on(0);
    let url = format!("smtp://127.0.0.1:{}", sink.port);
    let app = TestApp::spawn_with(engine, |config| config.smtp_url = Some(url)).await;
    a_reply_to_ann(&app).await;
    let received = sink.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(received.len(), 1, "one email for Ann: {received:?}");
    let raw = &received[0];
    assert!(
        raw.contains("To: \"Ann Author\" <ann@example.org>")
            || raw.contains("To: Ann Author <ann@example.org>"),
        "{raw}"
    );
    assert!(
        raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
        "{raw}"
    );
    assert!(raw.contains("multipart/alternative"), "{raw}");
    assert!(email_text(raw).contains("Little and often"), "{raw}");
    // Sent once and marked so: more rounds send nothing again.
    app.mail_round_at(spot::db::now());
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.messages().len(), 1, "nothing is sent twice");
    let rows = outbox_rows(&app);
    assert_eq!(rows.len(), 1);
    assert!(rows[0].1, "the outbox row is marked sent");
    assert_eq!(
        handovers(&app),
        vec![(1, 1)],
        "handed over once, and that attempt finished"
    );
}

/// (handovers, attempts) of each letter: more handovers than attempts means a worker died
/// while the mail server had the letter.
fn handovers(app: &TestApp) -> Vec<(i32, i32)> {
    use spot::schema::outbox;
    let mut conn = app.db.conn().expect("connection");
    outbox::table
        .order(outbox::id.asc())
        .select((outbox::handovers, outbox::attempts))
        .load(&mut *conn)
        .expect("outbox rows")
}

/// A letter for Ann waiting to be composed, in a SPOT without a mail worker (rounds are run
/// by hand) whose SMTP server, on the port returned, is not up yet.
async fn a_reply_without_a_worker(engine: Engine) -> (TestApp, u16) {
    let port = free_port();
    let url = format!("smtp://127.0.0.1:{port}");
    let app = TestApp::spawn_with(engine, |config| {
        config.smtp_url = Some(url);
        config.mail_every = None;
    })
    .await;
    a_reply_to_ann(&app).await;
    (app, port)
}

async fn resent_after_a_death_mid_send(engine: Engine) {
    use spot::schema::outbox;
    // No worker of its own: the letter is composed into the outbox, and a round is run by
    // hand once the SMTP server is up.
    let (app, port) = a_reply_without_a_worker(engine).await;
    let message_id: String = {
        let mut conn = app.db.conn().expect("connection");
        spot::notifications::compose::send_immediate(&mut conn, &app.site, spot::db::now())
            .expect("letters composed");
        // As a worker leaves it when killed after handing the letter over: claimed, handed
        // over once, no attempt finished; its claim has since run out.
        diesel::update(outbox::table)
            .set((
                outbox::handovers.eq(outbox::attempts + 1),
                outbox::next_attempt_at.eq(spot::db::now() - chrono::Duration::minutes(1)),
                outbox::claimed_until.eq(Some(spot::db::now() - chrono::Duration::minutes(1))),
            ))
            .execute(&mut *conn)
            .expect("left mid-send");
        outbox::table
            .select(outbox::message_id)
            .first(&mut *conn)
            .expect("message id")
    };
    let sink = SmtpSink::start_on(port);
    app.mail_round_at(spot::db::now());
    let received = sink.wait_for(1, Duration::from_secs(15)).await;
    assert_eq!(received.len(), 1, "sent again once its claim ran out");
    assert!(
        received[0].contains(&format!("Message-ID: {message_id}")),
        "with the same Message-ID, so mail clients show it once: {}",
        received[0]
    );
    let rows = handovers(&app);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].0,
        rows[0].1 + 1,
        "the letter is on record as possibly sent twice: {rows:?}"
    );
}

#[actix_web::test]
async fn a_letter_in_flight_when_its_worker_died_goes_again_with_its_message_id_sqlite() {
    resent_after_a_death_mid_send(Engine::Sqlite).await;
}

#[actix_web::test]
#[cfg_attr(
    not(spot_postgres_tests),
    ignore = "needs PostgreSQL: set SPOT_TEST_POSTGRES_URL"
)]
async fn a_letter_in_flight_when_its_worker_died_goes_again_with_its_message_id_postgres() {
    resent_after_a_death_mid_send(Engine::Postgres).await;
}

#[actix_web::test]
async fn the_worker_delivers_through_a_real_smtp_server_sqlite() {
    delivered_over_smtp(Engine::Sqlite).await;
}

#[actix_web::test]
#[cfg_attr(
    not(spot_postgres_tests),
    ignore = "needs PostgreSQL: set SPOT_TEST_POSTGRES_URL"
)]
async fn the_worker_delivers_through_a_real_smtp_server_postgres() {
    delivered_over_smtp(Engine::Postgres).await;
}

async fn retried_while_down(engine: Engine) {
    let port = free_port();
    let url = format!("smtp://127.0.0.1:{port}");
    let app = TestApp::spawn_with(engine, |config| config.smtp_url = Some(url)).await;
    a_reply_to_ann(&app).await;
    // The server is down: the worker fails, records why, and keeps the message.
    let rows = after_first_attempt(&app).await;
    assert_eq!(rows.len(), 1, "the letter waits in the outbox");
    assert!(rows[0].0 >= 1, "at least one attempt was made");
    assert!(!rows[0].1, "not sent while the server is down");
    assert!(rows[0].2.is_some(), "the failure is recorded");
    // The server comes up on the same port: the next attempt delivers it, once.
    let sink = SmtpSink::start_on(port);
    let received = sink.wait_for(1, Duration::from_secs(15)).await;
    assert_eq!(received.len(), 1, "delivered after the server came back");
    assert!(email_text(&received[0]).contains("Little and often"));
    actix_web::rt::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(sink.messages().len(), 1, "delivered once");
    let rows = outbox_rows(&app);
    assert!(rows[0].1, "marked sent");
    assert!(rows[0].0 >= 2, "sent on a later attempt");
    assert_eq!(rows[0].2, None, "the old error is cleared");
}

#[actix_web::test]
async fn the_worker_retries_while_the_smtp_server_is_down_sqlite() {
    retried_while_down(Engine::Sqlite).await;
}

#[actix_web::test]
#[cfg_attr(
    not(spot_postgres_tests),
    ignore = "needs PostgreSQL: set SPOT_TEST_POSTGRES_URL"
)]
async fn the_worker_retries_while_the_smtp_server_is_down_postgres() {
    retried_while_down(Engine::Postgres).await;
}

async fn survives_a_restart(engine: Engine) {
    // The first process has no mail worker: it stops with the letter still in the outbox.
    let app = TestApp::spawn_with(engine, |config| config.mail_every = None).await;
    a_reply_to_ann(&app).await;
    // Composed into the outbox (as a worker round would) but not sent: SMTP is not reachable.
    {
        let mut conn = app.db.conn().expect("connection");
        spot::notifications::compose::send_immediate(&mut conn, &app.site, spot::db::now())
            .expect("letters composed");
    }
    assert_eq!(
        app.letters_waiting(),
        1,
        "the letter waits in the outbox table"
    );
    // A new process on the same database, with SMTP and a worker, sends it.
    let sink = SmtpSink::start_on(0);
    let mut config = app.config.clone();
    config.smtp_url = Some(format!("smtp://127.0.0.1:{}", sink.port));
    config.mail_every = Some(Duration::from_millis(100));
    let restarted = spot::Application::build(config).expect("SPOT starts again");
    actix_web::rt::spawn(restarted.run_until_stopped());
    let received = sink.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(received.len(), 1, "the letter left after the restart");
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.messages().len(), 1, "and only once");
    assert_eq!(app.letters_waiting(), 0);
}

#[actix_web::test]
async fn letters_waiting_at_a_restart_are_sent_after_it_sqlite() {
    survives_a_restart(Engine::Sqlite).await;
}

#[actix_web::test]
#[cfg_attr(
    not(spot_postgres_tests),
    ignore = "needs PostgreSQL: set SPOT_TEST_POSTGRES_URL"
)]
async fn letters_waiting_at_a_restart_are_sent_after_it_postgres() {
    survives_a_restart(Engine::Postgres).await;
}

async fn given_up_after_many_failures(engine: Engine) {
    let (app, port) = a_reply_without_a_worker(engine).await;
    // Rounds far apart in time, so that every backoff has passed: the last attempt gives up.
    let mut at = spot::db::now();
    for _ in 0..spot::notifications::outbox::MAX_ATTEMPTS {
        app.mail_round_at(at);
        at += chrono::Duration::days(1);
    }
    use spot::schema::outbox;
    // (Later rounds also wrote the weekly round-ups, which are still being tried.)
    let failed: Vec<bool> = {
        let mut conn = app.db.conn().expect("connection");
        outbox::table
            .order(outbox::id.asc())
            .select(outbox::failed_at.is_not_null())
            .load(&mut *conn)
            .expect("outbox rows")
    };
    assert_eq!(
        failed.first(),
        Some(&true),
        "given up after the last attempt"
    );
    // The admin sees it and sends it again once the server is back.
    let admin = app.signed_in_member("admin@example.org", "Ada Admin").await;
    app.promote("admin@example.org", "admin");
    let page = admin.page("/admin/outbox").await;
    assert!(page.contains("ann@example.org"), "{page}");
    assert!(
        page.contains("Connection refused") || page.contains("connection"),
        "the error is shown: {page}"
    );
    let retry = attr_of(&page, "form[action$='/retry']", "action").expect("a retry button");
    let sink = SmtpSink::start_on(port);
    let response = admin.post(&retry, &[]).await;
    assert_eq!(response.status(), reqwest::StatusCode::SEE_OTHER);
    app.mail_round_at(spot::db::now());
    let received = sink.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(received.len(), 1, "only the retried letter is due now");
    assert!(email_text(&received[0]).contains("Little and often"));
}

#[actix_web::test]
async fn a_letter_is_given_up_after_many_failures_and_an_admin_can_retry_it_sqlite() {
    given_up_after_many_failures(Engine::Sqlite).await;
}

#[actix_web::test]
#[cfg_attr(
    not(spot_postgres_tests),
    ignore = "needs PostgreSQL: set SPOT_TEST_POSTGRES_URL"
)]
async fn a_letter_is_given_up_after_many_failures_and_an_admin_can_retry_it_postgres() {
    given_up_after_many_failures(Engine::Postgres).await;
}

async fn delivered_over_starttls(engine: Engine) {
    let folder = tempfile::tempdir().expect("a folder");
    let (tls, ca_file) = sink_certificate(folder.path());
    let sink = SmtpSink::start_with(0, SinkTls::Required(tls));
    let url = format!("smtp://127.0.0.1:{}?tls=required", sink.port);
    let app = TestApp::spawn_with(engine, |config| {
        config.smtp_url = Some(url);
        config.smtp_ca_file = Some(ca_file);
    })
    .await;
    a_reply_to_ann(&app).await;
    sink.wait_for(1, Duration::from_secs(10)).await;
    let received = sink.received();
    assert_eq!(received.len(), 1, "one email for Ann");
    assert!(received[0].over_tls, "sent after STARTTLS, encrypted");
    assert!(email_text(&received[0].message).contains("Little and often"));
    // The worker marks the row just after the server has taken the message.
    let started = Instant::now();
    while !outbox_rows(&app)[0].1 && started.elapsed() < Duration::from_secs(5) {
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(outbox_rows(&app)[0].1, "the outbox row is marked sent");
}

#[actix_web::test]
async fn the_worker_sends_over_starttls_to_a_server_it_trusts_sqlite() {
    delivered_over_starttls(Engine::Sqlite).await;
}

#[actix_web::test]
#[cfg_attr(
    not(spot_postgres_tests),
    ignore = "needs PostgreSQL: set SPOT_TEST_POSTGRES_URL"
)]
async fn the_worker_sends_over_starttls_to_a_server_it_trusts_postgres() {
    delivered_over_starttls(Engine::Postgres).await;
}

/// Waits until the first outbox row has had an attempt, and returns the rows.
async fn after_first_attempt(app: &TestApp) -> Vec<(i32, bool, Option<String>)> {
    let started = Instant::now();
    while outbox_rows(app).first().is_none_or(|row| row.0 == 0)
        && started.elapsed() < Duration::from_secs(10)
    {
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    outbox_rows(app)
}

async fn never_in_plain_text_when_tls_is_required(engine: Engine) {
    // One server offers no STARTTLS; the other offers it with a certificate SPOT was not
    // told to trust. Neither gets the letter, and the outbox says why.
    let folder = tempfile::tempdir().expect("a folder");
    let (tls, _) = sink_certificate(folder.path());
    for sink in [
        SmtpSink::start_on(0),
        SmtpSink::start_with(0, SinkTls::Required(tls)),
    ] {
        let url = format!("smtp://127.0.0.1:{}?tls=required", sink.port);
        let app = TestApp::spawn_with(engine, |config| config.smtp_url = Some(url)).await;
        a_reply_to_ann(&app).await;
        let rows = after_first_attempt(&app).await;
        assert!(rows[0].0 >= 1, "an attempt was made");
        assert!(!rows[0].1, "not marked sent");
        assert!(rows[0].2.is_some(), "the failure is recorded: {rows:?}");
        assert!(sink.messages().is_empty(), "nothing reached the server");
    }
}

#[actix_web::test]
async fn nothing_is_sent_without_trusted_tls_when_tls_is_required_sqlite() {
    never_in_plain_text_when_tls_is_required(Engine::Sqlite).await;
}

#[actix_web::test]
#[cfg_attr(
    not(spot_postgres_tests),
    ignore = "needs PostgreSQL: set SPOT_TEST_POSTGRES_URL"
)]
async fn nothing_is_sent_without_trusted_tls_when_tls_is_required_postgres() {
    never_in_plain_text_when_tls_is_required(Engine::Postgres).await;
}
