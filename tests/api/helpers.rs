// Not every test uses every helper.
#![allow(dead_code)]

//! `TestApp`: the real server on a fresh database (SQLite in a temporary folder, or a
//! uniquely named PostgreSQL database when `SPOT_TEST_POSTGRES_URL` is set), and a
//! cookie-keeping browser with redirects off.

use std::path::PathBuf;

use diesel::{Connection, ExpressionMethods, PgConnection, QueryDsl, RunQueryDsl};
use reqwest::{redirect, Response, StatusCode};
use spot::db::Db;
use spot::{Application, Config};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Runs a scenario once per engine: `mod name { fn sqlite(); fn postgres(); }`. A build
/// without `SPOT_TEST_POSTGRES_URL` marks the PostgreSQL run ignored (see `build.rs`), so
/// the summary counts it as not run.
///
/// A scenario that needs a different configuration names it first:
/// `#[config(|config| config.trusted_proxies = 1)] async fn name(app: TestApp) { .. }`.
#[macro_export]
macro_rules! on_both_engines {
    ($($(#[config($configure:expr)])? async fn $name:ident($app:ident: TestApp) $body:block)+) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn scenario($app: $crate::helpers::TestApp) $body

                #[allow(unused_variables)]
                fn configure(config: &mut spot::Config) {
                    $(
                        let change: fn(&mut spot::Config) = $configure;
                        change(config);
                    )?
                }

                #[actix_web::test]
                async fn sqlite() {
                    let app = $crate::helpers::TestApp::spawn_with(
                        $crate::helpers::Engine::Sqlite,
                        configure,
                    )
                    .await;
                    scenario(app).await;
                }

                #[actix_web::test]
                #[cfg_attr(
                    not(spot_postgres_tests),
                    ignore = "needs PostgreSQL: set SPOT_TEST_POSTGRES_URL"
                )]
                async fn postgres() {
                    let app = $crate::helpers::TestApp::spawn_with(
                        $crate::helpers::Engine::Postgres,
                        configure,
                    )
                    .await;
                    scenario(app).await;
                }
            }
        )+
    };
}

pub const PASSWORD: &str = "kettle river jigsaw";

/// One argon2 hash of [`PASSWORD`], made once for members inserted straight into the
/// database.
fn shared_password_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        let password = spot::accounts::Password::parse(PASSWORD).expect("a valid password");
        spot::accounts::passwords::hash(&password).expect("hashed")
    })
}

/// The server's mail as its members receive it: the worker's rounds, and the outbox folder
/// the test server delivers into.
pub struct Mailroom {
    db: Db,
    mailer: std::sync::Arc<dyn spot::mail::Mailer>,
    site: spot::Site,
    folder: PathBuf,
}

impl Mailroom {
    /// Letters in the outbox table that are due and neither sent nor given up.
    pub fn letters_waiting(&self) -> i64 {
        use spot::schema::outbox;
        let mut conn = self.db.conn().expect("connection");
        outbox::table
            .filter(outbox::sent_at.is_null())
            .filter(outbox::failed_at.is_null())
            .filter(outbox::next_attempt_at.le(spot::db::now()))
            .count()
            .get_result(&mut *conn)
            .expect("outbox counted")
    }

    /// Runs one round of the mail worker now, as the background worker would: letters for
    /// new notifications, digests due at `now`, and sending what waits in the outbox.
    pub fn round_at(&self, now: chrono::NaiveDateTime) -> spot::notifications::worker::Round {
        let mut conn = self.db.conn().expect("connection");
        spot::notifications::worker::round(
            &mut conn,
            self.mailer.as_ref(),
            &self.site,
            std::time::Duration::from_millis(500),
            now,
        )
        .expect("a mail round")
    }

    /// Every email delivered so far, as `(file, raw RFC 5322 text)`, oldest first: what
    /// waits in the outbox table is sent first.
    fn delivered(&self) -> Vec<(PathBuf, String)> {
        self.round_at(spot::db::now());
        // The background worker may be sending a batch it claimed: wait for it.
        for _ in 0..100 {
            if self.letters_waiting() == 0 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
            self.round_at(spot::db::now());
        }
        let Ok(entries) = std::fs::read_dir(&self.folder) else {
            return Vec::new();
        };
        let mut files: Vec<_> = entries
            .filter_map(Result::ok)
            .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "eml"))
            .map(|entry| {
                let modified = entry.metadata().and_then(|m| m.modified()).ok();
                (modified, entry.path())
            })
            .collect();
        files.sort();
        files
            .into_iter()
            .filter_map(|(_, path)| {
                let text = std::fs::read_to_string(&path).ok()?;
                Some((path, text))
            })
            .collect()
    }

    pub fn emails(&self) -> Vec<String> {
        self.delivered().into_iter().map(|(_, text)| text).collect()
    }

    /// The confirmation link (path and query) of the newest joining letter to `email`; the
    /// letter is taken out of the mailbox, as its reader would delete it, so that tests
    /// counting the other emails are not thrown by it.
    pub fn take_confirmation_link(&self, email: &str) -> Option<String> {
        let to = format!("<{}>", email.to_lowercase());
        let (path, raw) = self.delivered().into_iter().rev().find(|(_, raw)| {
            raw.to_lowercase().contains(&to) && email_text(raw).contains("/confirm/")
        })?;
        let _ = std::fs::remove_file(path);
        confirmation_link_in(&raw)
    }
}

/// The path (and query) of the confirmation link in an email: `/confirm/<token>[?next=…]`.
pub fn confirmation_link_in(raw_email: &str) -> Option<String> {
    let text = email_text(raw_email);
    let start = text.find("/confirm/")?;
    let link: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    (link.len() > "/confirm/".len()).then_some(link)
}

/// A browser: its own cookie jar, no automatic redirects.
pub struct Browser {
    pub address: String,
    pub client: reqwest::Client,
    /// The server's mail, for following the links it sends.
    pub mailroom: std::sync::Arc<Mailroom>,
}

impl Browser {
    fn new(address: &str, mailroom: std::sync::Arc<Mailroom>) -> Self {
        Self::with_headers(address, mailroom, reqwest::header::HeaderMap::new())
    }

    fn with_headers(
        address: &str,
        mailroom: std::sync::Arc<Mailroom>,
        headers: reqwest::header::HeaderMap,
    ) -> Self {
        Self {
            address: address.to_owned(),
            client: reqwest::Client::builder()
                .redirect(redirect::Policy::none())
                .cookie_store(true)
                .default_headers(headers)
                .build()
                .expect("client builds"),
            mailroom,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("GET sent")
    }

    /// GETs a page that must answer 200 and returns its HTML.
    pub async fn page(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.text().await.expect("body")
    }

    /// The session's form token, as a page's form carries it.
    pub async fn csrf_token(&self) -> String {
        let html = self.page("/login").await;
        form_token(&html).expect("the sign-in form carries a csrf_token")
    }

    /// POSTs a form with the session's token added, as a browser would send it.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.csrf_token().await;
        let mut body: Vec<(&str, &str)> = fields.to_vec();
        body.push(("csrf_token", &token));
        self.post_raw(path, &body).await
    }

    /// POSTs exactly these fields (no token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .expect("POST sent")
    }

    pub async fn register(&self, email: &str, name: &str, role: &str, borough: &str) -> Response {
        self.post(
            "/register",
            &[
                ("email", email),
                ("display_name", name),
                ("password", PASSWORD),
                ("role", role),
                ("borough", borough),
                ("organisation", "Test Service"),
            ],
        )
        .await
    }

    /// Registers a member and follows the link in the confirmation email, which signs
    /// them in; asserts each step worked.
    pub async fn join(&self, email: &str, name: &str, role: &str, borough: &str) {
        let response = self.register(email, name, role, borough).await;
        assert_redirects_to(&response, "/register/check-email");
        let response = self.confirm_email(email).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "confirming {email}"
        );
    }

    /// Follows the confirmation link last emailed to `email`: opens it, then presses the
    /// button, as a person would. Returns the button's response.
    pub async fn confirm_email(&self, email: &str) -> Response {
        let link = self
            .mailroom
            .take_confirmation_link(email)
            .unwrap_or_else(|| panic!("no confirmation link was emailed to {email}"));
        let page = self.page(&link).await;
        assert!(page.contains("Confirm your email address"), "{page}");
        self.post(&link, &[]).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post("/login", &[("email", email), ("password", password)])
            .await
    }

    pub async fn logout(&self) -> Response {
        self.post("/logout", &[]).await
    }

    /// Whether this browser is signed in: `/account` answers rather than redirecting.
    pub async fn is_signed_in(&self) -> bool {
        let response = self.get("/account").await;
        match response.status() {
            StatusCode::OK => true,
            StatusCode::SEE_OTHER => false,
            other => panic!("GET /account answered {other}"),
        }
    }

    /// Saves the profile form of `/account` with these fields (and nothing else).
    pub async fn save_profile(&self, fields: &[(&str, &str)]) -> Response {
        self.post("/account", fields).await
    }

    pub async fn change_password(&self, current: &str, new: &str) -> Response {
        self.post(
            "/account/password",
            &[("current_password", current), ("new_password", new)],
        )
        .await
    }

    pub async fn request_reset(&self, email: &str) -> Response {
        self.post("/password-reset", &[("email", email)]).await
    }

    pub async fn set_staff(&self, member: i64, level: &str) -> Response {
        self.post(
            &format!("/admin/members/{member}/staff"),
            &[("staff", level)],
        )
        .await
    }

    pub async fn suspend(&self, member: i64, reason: &str, until: &str) -> Response {
        self.post(
            &format!("/admin/members/{member}/suspend"),
            &[("reason", reason), ("until", until)],
        )
        .await
    }

    pub async fn unsuspend(&self, member: i64) -> Response {
        self.post(&format!("/admin/members/{member}/unsuspend"), &[])
            .await
    }

    /// The names listed on a directory page.
    pub async fn directory(&self, query: &str) -> Vec<String> {
        let html = self.page(&format!("/members{query}")).await;
        directory_names(&html)
    }
}

/// The names on a directory page, in the order shown.
pub fn directory_names(html: &str) -> Vec<String> {
    texts_of(html, "ul.directory li h3")
}

/// The `value` of the input named `name`, as the form shows it.
pub fn input_value(html: &str, name: &str) -> Option<String> {
    let document = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse(&format!(r#"input[name="{name}"]"#)).unwrap();
    document
        .select(&selector)
        .next()
        .map(|input| input.value().attr("value").unwrap_or("").to_owned())
}

/// The value of the selected option of the `<select>` named `name`.
pub fn selected_value(html: &str, name: &str) -> Option<String> {
    let document = scraper::Html::parse_document(html);
    let selector =
        scraper::Selector::parse(&format!(r#"select[name="{name}"] option[selected]"#)).unwrap();
    document
        .select(&selector)
        .next()
        .map(|option| option.value().attr("value").unwrap_or("").to_owned())
}

/// The message shown next to a form field (`#<field>-error`), if any.
pub fn field_error(html: &str, field: &str) -> Option<String> {
    text_of(html, &format!("#{field}-error")).map(|text| text.trim().to_owned())
}

/// The attribute `name` of the first element matching `css`.
pub fn attr_of(html: &str, css: &str, name: &str) -> Option<String> {
    let document = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse(css).unwrap();
    document
        .select(&selector)
        .next()
        .and_then(|element| element.value().attr(name))
        .map(str::to_owned)
}

/// Any script element but the page shell's own (`assets/spot.js`): what no page may carry.
pub const OTHER_SCRIPTS: &str = "script:not([src^='/assets/spot.js?v='])";

/// How many elements match `css`.
pub fn count_of(html: &str, css: &str) -> usize {
    let document = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse(css).unwrap();
    document.select(&selector).count()
}

pub fn header<'a>(response: &'a Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
}

/// The headers every response must carry: a strict CSP (no inline script, no framing),
/// nosniff and a referrer policy.
pub fn assert_security_headers(response: &Response, what: &str) {
    let csp = header(response, "content-security-policy");
    assert!(!csp.is_empty(), "{what}: no Content-Security-Policy");
    let directive = |name: &str| {
        csp.split(';')
            .map(str::trim)
            .find(|d| d.split_whitespace().next() == Some(name))
            .map(str::to_owned)
    };
    let scripts = directive("script-src")
        .or_else(|| directive("default-src"))
        .unwrap_or_else(|| panic!("{what}: the CSP does not restrict scripts: {csp}"));
    assert!(
        !scripts.contains("'unsafe-inline'") && !scripts.contains("'unsafe-eval'"),
        "{what}: scripts may run inline: {csp}"
    );
    assert_eq!(
        directive("frame-ancestors").as_deref(),
        Some("frame-ancestors 'none'"),
        "{what}: {csp}"
    );
    assert_eq!(
        header(response, "x-content-type-options"),
        "nosniff",
        "{what}"
    );
    assert!(
        !header(response, "referrer-policy").is_empty(),
        "{what}: no Referrer-Policy"
    );
}

/// An email as its reader sees it: quoted-printable encoding undone.
pub fn email_text(raw: &str) -> String {
    let unfolded = raw.replace("=\r\n", "").replace("=\n", "");
    let bytes = unfolded.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'=' && i + 2 < bytes.len())
            .then(|| std::str::from_utf8(&bytes[i + 1..i + 3]).ok())
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                decoded.push(byte);
                i += 3;
            }
            None => {
                decoded.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// The path of the password-reset link in an email: `/password-reset/<token>`.
pub fn reset_link_in(raw_email: &str) -> Option<String> {
    let text = email_text(raw_email);
    let start = text.find("/password-reset/")?;
    let token: String = text[start + "/password-reset/".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (!token.is_empty()).then(|| format!("/password-reset/{token}"))
}

pub fn form_token(html: &str) -> Option<String> {
    let document = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse(r#"input[name="csrf_token"]"#).unwrap();
    document
        .select(&selector)
        .next()
        .and_then(|input| input.value().attr("value"))
        .map(str::to_owned)
}

/// The text content of the first element matching `css`.
pub fn text_of(html: &str, css: &str) -> Option<String> {
    let document = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse(css).unwrap();
    document
        .select(&selector)
        .next()
        .map(|element| element.text().collect::<String>())
}

/// The text of every element matching `css`.
pub fn texts_of(html: &str, css: &str) -> Vec<String> {
    let document = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse(css).unwrap();
    document
        .select(&selector)
        .map(|element| element.text().collect::<String>().trim().to_owned())
        .collect()
}

/// The text of each cell (`cells`) in each row (`rows`), trimmed.
pub fn table_rows(html: &str, rows: &str, cells: &str) -> Vec<Vec<String>> {
    let document = scraper::Html::parse_document(html);
    let rows = scraper::Selector::parse(rows).unwrap();
    let cells = scraper::Selector::parse(cells).unwrap();
    document
        .select(&rows)
        .map(|row| {
            row.select(&cells)
                .map(|cell| cell.text().collect::<String>().trim().to_owned())
                .collect()
        })
        .collect()
}

pub fn assert_redirects_to(response: &Response, expected: &str) {
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "expected a 303 to {expected}"
    );
    let location = response
        .headers()
        .get("location")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    assert_eq!(location, expected);
}

/// Runs two write transactions (as the handlers run them, through `write_transaction`) so
/// that they overlap as far as the database allows: the first does its work and stays open
/// until the second has done its work too, then both commit. Where the database (or a lock
/// the rules take) makes the second wait for the first, the first gives up waiting after a
/// second and commits, and the second then goes ahead: so a correct rule passes, never
/// slower than that, and a rule that reads-then-writes without a lock fails every time.
pub fn overlapping<A, B, TA, TB, E>(db: &Db, first: A, second: B) -> (Result<TA, E>, Result<TB, E>)
where
    A: FnOnce(&mut spot::db::WriteConn) -> Result<TA, E> + Send,
    B: FnOnce(&mut spot::db::WriteConn) -> Result<TB, E> + Send,
    TA: Send,
    TB: Send,
    E: From<diesel::result::Error> + Send,
{
    use std::sync::mpsc;
    use std::time::Duration;
    let (first_done, first_has_done) = mpsc::channel::<()>();
    let (second_done, second_has_done) = mpsc::channel::<()>();
    std::thread::scope(|scope| {
        let one = scope.spawn(move || {
            let mut conn = db.conn().expect("connection");
            conn.write_transaction(|conn| {
                let outcome = first(conn);
                let _ = first_done.send(());
                let _ = second_has_done.recv_timeout(Duration::from_secs(1));
                outcome
            })
        });
        let two = scope.spawn(move || {
            let mut conn = db.conn().expect("connection");
            first_has_done.recv().expect("the first transaction ran");
            conn.write_transaction(|conn| {
                let outcome = second(conn);
                let _ = second_done.send(());
                outcome
            })
        });
        (
            one.join().expect("first thread"),
            two.join().expect("second thread"),
        )
    })
}

pub struct TestApp {
    pub browser: Browser,
    pub engine: Engine,
    pub db: Db,
    pub data_dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
    pub mailer: std::sync::Arc<dyn spot::mail::Mailer>,
    pub site: spot::Site,
    /// The server's upload store (data exports are kept there too).
    pub files: std::sync::Arc<spot::resources::store::FileStore>,
    /// What this server was started with: a second node can share its database.
    pub config: Config,
}

impl std::ops::Deref for TestApp {
    type Target = Browser;
    fn deref(&self) -> &Browser {
        &self.browser
    }
}

/// The test server's URL with `sslmode=disable` unless it names a mode itself. libpq speaks
/// TLS through OpenSSL, whose exit handler frees its state while the servers of the last
/// tests are still closing their connections on their own threads: a test binary that
/// passed every test then died of a double free on the way out. Tests talk to a database
/// on loopback, where TLS protects nothing.
pub fn without_tls(admin_url: &str) -> String {
    let mut url = url::Url::parse(admin_url).expect("SPOT_TEST_POSTGRES_URL is a URL");
    if !url.query_pairs().any(|(key, _)| key == "sslmode") {
        url.query_pairs_mut().append_pair("sslmode", "disable");
    }
    url.to_string()
}

/// Everything the servers of this test binary have logged, as the operator's log would
/// show it: a test can check that a secret never reaches it.
static LOG: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());

struct LogCapture;

impl std::io::Write for LogCapture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        LOG.lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_log() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = tracing_subscriber::fmt()
            .with_env_filter("info,actix_server=warn")
            .with_ansi(false)
            .with_writer(|| LogCapture)
            .try_init();
    });
}

/// The log so far, of every server in this test binary.
pub fn captured_log() -> String {
    String::from_utf8_lossy(&LOG.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
}

impl TestApp {
    pub async fn spawn(engine: Engine) -> TestApp {
        Self::spawn_with(engine, |_| {}).await
    }

    /// Like [`TestApp::spawn`], after `configure` has changed the test configuration.
    pub async fn spawn_with(engine: Engine, configure: impl FnOnce(&mut Config)) -> TestApp {
        capture_log();
        let data_dir = tempfile::tempdir().expect("temporary folder");
        let (database_url, postgres) = new_database(engine, data_dir.path(), "spot_test");
        let mut config = Config {
            database_url,
            bind: "127.0.0.1:0".into(),
            data_dir: data_dir.path().to_owned(),
            uploads_dir: data_dir.path().join("uploads"),
            store_url: None,
            secret_key: Some("test secret key that is long enough for the cookie key".into()),
            max_upload_mb: 2,
            smtp_url: None,
            smtp_ca_file: None,
            secure_cookies: false,
            trusted_proxies: 0,
            base_url: None,
            workers: Some(1),
            mail_every: Some(std::time::Duration::from_millis(200)),
            mail_retry_base: std::time::Duration::from_millis(500),
            export_every: Some(std::time::Duration::from_millis(200)),
            session_lifetime: std::time::Duration::from_secs(30 * 24 * 60 * 60),
            member_domains: Default::default(),
            retention: Default::default(),
            shutdown_timeout: std::time::Duration::from_secs(5),
            metrics_token: None,
        };
        configure(&mut config);
        let application = Application::build(config.clone()).expect("SPOT starts");
        let port = application.port();
        let db = application.db().clone();
        let mailer = application.mailer();
        let site = application.site().clone();
        let files = application.files();
        actix_web::rt::spawn(application.run_until_stopped());
        let address = format!("http://127.0.0.1:{port}");
        let mailroom = std::sync::Arc::new(Mailroom {
            db: db.clone(),
            mailer: mailer.clone(),
            site: site.clone(),
            folder: data_dir.path().join("outbox"),
        });
        TestApp {
            browser: Browser::new(&address, mailroom),
            engine,
            db,
            data_dir,
            postgres,
            mailer,
            site,
            files,
            config,
        }
    }

    /// A second browser on the same server, with its own session.
    pub fn another_browser(&self) -> Browser {
        Browser::new(&self.browser.address, self.browser.mailroom.clone())
    }

    /// A browser that a trusted proxy reports as coming from `client_address` (for rate
    /// limits per network address; needs `trusted_proxies` in the configuration).
    pub fn browser_from(&self, client_address: &str) -> Browser {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            client_address.parse().expect("a header value"),
        );
        Browser::with_headers(
            &self.browser.address,
            self.browser.mailroom.clone(),
            headers,
        )
    }

    /// Another browser, signed in as a member added straight to the database: for servers
    /// whose mail goes where a test cannot follow a confirmation link.
    pub async fn signed_in_member(&self, email: &str, name: &str) -> Browser {
        self.insert_members(&[(email, name, "link_worker", "wigan")]);
        let browser = self.another_browser();
        assert_redirects_to(&browser.login(email, PASSWORD).await, "/");
        browser
    }

    /// The id of the member with this email address.
    pub fn member_id(&self, email: &str) -> i64 {
        use spot::schema::members;
        let mut conn = self.db.conn().expect("connection");
        members::table
            .filter(members::email.eq(email.to_lowercase()))
            .select(members::id)
            .first(&mut *conn)
            .unwrap_or_else(|e| panic!("no member {email}: {e}"))
    }

    /// Adds listed members straight to the database, confirmed, without the cost of hashing
    /// a password for each (all share one hash of [`PASSWORD`]): `(email, name, role,
    /// borough)`.
    pub fn insert_members(&self, people: &[(&str, &str, &str, &str)]) {
        use spot::accounts::members::{insert, NewMember};
        use spot::accounts::{Borough, DisplayName, Email, Organisation, Role};
        let mut conn = self.db.conn().expect("connection");
        let organisation = Organisation::parse("Test Service").unwrap();
        for (email, name, role, borough) in people {
            let email = Email::parse(email).expect("valid email");
            let name = DisplayName::parse(name).expect("valid name");
            let new = NewMember {
                email: &email,
                display_name: &name,
                password_hash: shared_password_hash(),
                role: Role::parse(role).expect("valid role"),
                borough: Borough::parse(borough).expect("valid borough"),
                organisation: &organisation,
                email_confirmed_at: Some(spot::db::now()),
                approved_at: Some(spot::db::now()),
            };
            insert(&mut conn, &new, spot::db::now()).expect("member inserted");
        }
    }

    pub fn outbox(&self) -> PathBuf {
        self.data_dir.path().join("outbox")
    }

    /// Letters in the outbox table that are due and neither sent nor given up.
    pub fn letters_waiting(&self) -> i64 {
        self.mailroom.letters_waiting()
    }

    /// Runs one round of the mail worker now, as the background worker would: letters for
    /// new notifications, digests due at `now`, and sending what waits in the outbox.
    pub fn mail_round_at(&self, now: chrono::NaiveDateTime) -> spot::notifications::worker::Round {
        self.mailroom.round_at(now)
    }

    /// Every email written to the outbox folder, as raw RFC 5322 text, oldest first: what
    /// waits in the outbox table is sent first.
    pub fn emails(&self) -> Vec<String> {
        self.mailroom.emails()
    }

    /// Runs one round of the export worker now, as the background worker would: expired
    /// exports deleted at `now`, waiting ones built.
    pub fn export_round_at(&self, now: chrono::NaiveDateTime) -> spot::data_rights::worker::Round {
        let mut conn = self.db.conn().expect("connection");
        spot::data_rights::worker::round(&mut conn, self.files.as_ref(), &self.site, now)
            .expect("an export round")
    }

    /// Runs `spot user promote` as the console would.
    pub fn promote(&self, email: &str, level: &str) {
        let mut conn = self.db.conn().expect("connection");
        let email = spot::accounts::Email::parse(email).expect("valid email");
        let level = spot::accounts::StaffLevel::parse(level).expect("valid level");
        conn.write_transaction(|conn| {
            spot::admin::staff::set_level_from_console(conn, &email, level, spot::db::now())
        })
        .expect("promoted");
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(database) = self.postgres.take() {
            drop_postgres_database(database);
        }
    }
}

/// A database of `engine` that nothing has used: `spot.db` in `dir`, or a new PostgreSQL
/// database (see [`new_postgres_database`]). Its URL, and the PostgreSQL database to drop.
pub fn new_database(
    engine: Engine,
    dir: &std::path::Path,
    prefix: &str,
) -> (String, Option<(String, String)>) {
    match engine {
        Engine::Sqlite => (format!("sqlite://{}", dir.join("spot.db").display()), None),
        Engine::Postgres => {
            let (url, database) = new_postgres_database(prefix);
            (url, Some(database))
        }
    }
}

/// A new database on the server of `SPOT_TEST_POSTGRES_URL`, named `prefix_<uuid>`: its URL,
/// and what [`drop_postgres_database`] takes to remove it.
pub fn new_postgres_database(prefix: &str) -> (String, (String, String)) {
    let admin_url = without_tls(
        &std::env::var("SPOT_TEST_POSTGRES_URL")
            .expect("SPOT_TEST_POSTGRES_URL was set when the tests were built: set it to run them"),
    );
    let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::establish(&admin_url)
        .expect("SPOT_TEST_POSTGRES_URL names a reachable PostgreSQL server");
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .expect("test database created");
    let mut url = url::Url::parse(&admin_url).expect("SPOT_TEST_POSTGRES_URL is a URL");
    url.set_path(&name);
    (url.to_string(), (admin_url, name))
}

pub fn drop_postgres_database((admin_url, name): (String, String)) {
    if let Ok(mut admin) = PgConnection::establish(&admin_url) {
        let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin);
    }
}

/// An S3-compatible server for one test: `moto_server` (PyPI `moto[server]`) on a free
/// loopback port, stopped when this is dropped. Tests that need it are ignored unless the
/// build had `SPOT_TEST_S3=1` (see `build.rs`); with it, a machine without `moto_server`
/// fails them, saying what to install.
pub struct S3 {
    server: std::process::Child,
    pub endpoint: String,
}

pub const S3_KEY_ID: &str = "testing";
pub const S3_SECRET: &str = "testing-secret";

impl S3 {
    pub async fn start() -> S3 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let server = std::process::Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|error| {
                panic!(
                    "could not start moto_server ({error}): the S3 tests need it on PATH; \
                     install it with `pip install 'moto[server]'`, or build the tests \
                     without SPOT_TEST_S3 to skip them"
                )
            });
        let s3 = S3 {
            server,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::Client::new();
        for _ in 0..200 {
            if client.get(&s3.endpoint).send().await.is_ok() {
                return s3;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("moto_server did not answer on {} within 20 s", s3.endpoint);
    }

    /// A plain (unsigned) request to moto, which must succeed.
    pub async fn request(&self, method: reqwest::Method, path: &str) -> Response {
        let response = reqwest::Client::new()
            .request(method.clone(), format!("{}/{path}", self.endpoint))
            .send()
            .await
            .expect("moto answers");
        assert!(
            response.status().is_success(),
            "{method} {path}: {response:?}"
        );
        response
    }

    /// A new, empty bucket; returns its name.
    pub async fn new_bucket(&self) -> String {
        let name = format!("spot-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        self.request(reqwest::Method::PUT, &name).await;
        name
    }

    /// The store URL of `bucket`, under the prefix `spot`, with moto's endpoint and
    /// credentials.
    pub fn store_url(&self, bucket: &str) -> spot::resources::store::StoreUrl {
        spot::resources::store::StoreUrl::parse(&format!("s3://{bucket}/spot"))
            .and_then(|url| url.with_setting("aws_endpoint_url", &self.endpoint))
            .and_then(|url| url.with_setting("aws_access_key_id", S3_KEY_ID))
            .and_then(|url| url.with_setting("aws_secret_access_key", S3_SECRET))
            .and_then(|url| url.with_setting("aws_region", "us-east-1"))
            .expect("a store URL")
    }

    /// The environment `spot` reads the same store from.
    pub fn env(&self, bucket: &str) -> Vec<(&'static str, String)> {
        vec![
            ("SPOT_STORE_URL", format!("s3://{bucket}/spot")),
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_ACCESS_KEY_ID", S3_KEY_ID.to_owned()),
            ("AWS_SECRET_ACCESS_KEY", S3_SECRET.to_owned()),
            ("AWS_REGION", "us-east-1".to_owned()),
        ]
    }

    /// The keys under the bucket's `spot/` prefix, as S3 lists them.
    pub async fn keys(&self, bucket: &str) -> Vec<String> {
        let listing = self
            .request(
                reqwest::Method::GET,
                &format!("{bucket}?list-type=2&prefix=spot/"),
            )
            .await
            .text()
            .await
            .expect("a listing");
        let mut keys: Vec<String> = listing
            .split("<Key>")
            .skip(1)
            .filter_map(|rest| rest.split("</Key>").next())
            .map(|key| key.trim_start_matches("spot/").to_owned())
            .collect();
        keys.sort();
        keys
    }

    /// Deletes an object behind SPOT's back.
    pub async fn delete(&self, bucket: &str, key: &str) {
        self.request(reqwest::Method::DELETE, &format!("{bucket}/spot/{key}"))
            .await;
    }

    /// The object's ETag as S3 gives it: a multipart upload's ends in `-<parts>`.
    pub async fn etag(&self, bucket: &str, key: &str) -> String {
        let response = self
            .request(reqwest::Method::HEAD, &format!("{bucket}/spot/{key}"))
            .await;
        response.headers()["etag"]
            .to_str()
            .unwrap()
            .trim_matches('"')
            .to_owned()
    }
}

impl Drop for S3 {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// Runs a scenario with an S3 file store, once per engine: `async fn name(app: TestApp,
/// s3: S3, bucket: String) { .. }`. Ignored unless the build had `SPOT_TEST_S3=1` (and, for
/// PostgreSQL, `SPOT_TEST_POSTGRES_URL`).
#[macro_export]
macro_rules! on_both_engines_with_s3 {
    ($(async fn $name:ident($app:ident: TestApp, $s3:ident: S3, $bucket:ident: String) $body:block)+) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn scenario($app: $crate::helpers::TestApp, $s3: $crate::helpers::S3, $bucket: String) $body

                async fn run(engine: $crate::helpers::Engine) {
                    let s3 = $crate::helpers::S3::start().await;
                    let bucket = s3.new_bucket().await;
                    let url = s3.store_url(&bucket);
                    let app = $crate::helpers::TestApp::spawn_with(engine, |config| {
                        config.store_url = Some(url);
                        // A file larger than one 5 MiB part can go through the form.
                        config.max_upload_mb = 12;
                    })
                    .await;
                    scenario(app, s3, bucket).await;
                }

                #[actix_web::test]
                #[cfg_attr(not(spot_s3_tests), ignore = "needs moto_server: set SPOT_TEST_S3=1")]
                async fn sqlite() {
                    run($crate::helpers::Engine::Sqlite).await;
                }

                #[actix_web::test]
                #[cfg_attr(
                    not(all(spot_s3_tests, spot_postgres_tests)),
                    ignore = "needs moto_server and PostgreSQL: set SPOT_TEST_S3=1 and SPOT_TEST_POSTGRES_URL"
                )]
                async fn postgres() {
                    run($crate::helpers::Engine::Postgres).await;
                }
            }
        )+
    };
}
