// Not every test uses every helper.
#![allow(dead_code)]

//! `TestApp`: the real server on a fresh database (SQLite in a temporary folder, or a
//! uniquely named PostgreSQL database when `SPOT_TEST_POSTGRES_URL` is set), and a
//! cookie-keeping browser with redirects off.

use std::path::PathBuf;

use diesel::{Connection, PgConnection, RunQueryDsl};
use reqwest::{redirect, Response, StatusCode};
use spot::db::Db;
use spot::{Application, Config};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Runs a scenario once per engine: `mod name { fn sqlite(); fn postgres(); }`. Without
/// `SPOT_TEST_POSTGRES_URL` the PostgreSQL run says it was skipped and passes.
#[macro_export]
macro_rules! on_both_engines {
    ($(async fn $name:ident($app:ident: TestApp) $body:block)+) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn scenario($app: $crate::helpers::TestApp) $body

                #[actix_web::test]
                async fn sqlite() {
                    let app = $crate::helpers::TestApp::spawn($crate::helpers::Engine::Sqlite)
                        .await
                        .expect("SQLite is always available");
                    scenario(app).await;
                }

                #[actix_web::test]
                async fn postgres() {
                    match $crate::helpers::TestApp::spawn($crate::helpers::Engine::Postgres).await {
                        Some(app) => scenario(app).await,
                        None => eprintln!("skipped: SPOT_TEST_POSTGRES_URL is not set"),
                    }
                }
            }
        )+
    };
}

pub const PASSWORD: &str = "kettle river jigsaw";

/// A browser: its own cookie jar, no automatic redirects.
pub struct Browser {
    pub address: String,
    pub client: reqwest::Client,
}

impl Browser {
    fn new(address: &str) -> Self {
        Self {
            address: address.to_owned(),
            client: reqwest::Client::builder()
                .redirect(redirect::Policy::none())
                .cookie_store(true)
                .build()
                .expect("client builds"),
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

    /// Registers (and so signs in) a member, asserting it worked.
    pub async fn join(&self, email: &str, name: &str, role: &str, borough: &str) {
        let response = self.register(email, name, role, borough).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "registering {email}"
        );
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post("/login", &[("email", email), ("password", password)])
            .await
    }

    pub async fn logout(&self) -> Response {
        self.post("/logout", &[]).await
    }
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

pub struct TestApp {
    pub browser: Browser,
    pub engine: Engine,
    pub db: Db,
    pub data_dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

impl std::ops::Deref for TestApp {
    type Target = Browser;
    fn deref(&self) -> &Browser {
        &self.browser
    }
}

impl TestApp {
    pub async fn spawn(engine: Engine) -> Option<TestApp> {
        let data_dir = tempfile::tempdir().expect("temporary folder");
        let (database_url, postgres) = match engine {
            Engine::Sqlite => (
                format!("sqlite://{}", data_dir.path().join("spot.db").display()),
                None,
            ),
            Engine::Postgres => {
                let admin_url = std::env::var("SPOT_TEST_POSTGRES_URL").ok()?;
                let name = format!("spot_test_{}", uuid::Uuid::new_v4().simple());
                let mut admin = PgConnection::establish(&admin_url)
                    .expect("SPOT_TEST_POSTGRES_URL names a reachable PostgreSQL server");
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .expect("test database created");
                let mut url = url::Url::parse(&admin_url).expect("SPOT_TEST_POSTGRES_URL is a URL");
                url.set_path(&name);
                (url.to_string(), Some((admin_url, name)))
            }
        };
        let config = Config {
            database_url,
            bind: "127.0.0.1:0".into(),
            data_dir: data_dir.path().to_owned(),
            uploads_dir: data_dir.path().join("uploads"),
            secret_key: Some("test secret key that is long enough for the cookie key".into()),
            max_upload_mb: 2,
            smtp_url: None,
            secure_cookies: false,
            trust_proxy: false,
            base_url: None,
            workers: Some(1),
        };
        let application = Application::build(config).expect("SPOT starts");
        let port = application.port();
        let db = application.db().clone();
        actix_web::rt::spawn(application.run_until_stopped());
        let address = format!("http://127.0.0.1:{port}");
        Some(TestApp {
            browser: Browser::new(&address),
            engine,
            db,
            data_dir,
            postgres,
        })
    }

    /// A second browser on the same server, with its own session.
    pub fn another_browser(&self) -> Browser {
        Browser::new(&self.browser.address)
    }

    pub fn outbox(&self) -> PathBuf {
        self.data_dir.path().join("outbox")
    }

    /// Every email written to the outbox, as raw RFC 5322 text, oldest first.
    pub fn emails(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.outbox()) else {
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
            .map(|(_, path)| std::fs::read_to_string(path).expect("readable email"))
            .collect()
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
        if let Some((admin_url, name)) = self.postgres.take() {
            if let Ok(mut admin) = PgConnection::establish(&admin_url) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin);
            }
        }
    }
}
