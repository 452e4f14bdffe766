//! SPOT: the online home of Greater Manchester's community of practice between
//! social-prescribing link workers and occupational therapists.
//!
//! [`Application::build`] makes the whole site from a [`Config`]; `main` and the
//! integration tests start it the same way.

pub mod accounts;
pub mod admin;
pub mod audit;
pub mod backup;
pub mod bookings;
pub mod conduct;
pub mod config;
pub mod connect;
pub mod contact;
pub mod data_rights;
pub mod db;
pub mod demo;
pub mod evaluation;
pub mod facilitating;
pub mod forum;
pub mod guard;
pub mod holds;
pub mod home;
pub mod housekeeping;
pub mod mail;
pub mod markdown;
pub mod members;
pub mod membership;
pub mod messages;
pub mod notifications;
pub mod progress;
pub mod published;
pub mod report;
pub mod resources;
pub mod retention;
pub mod rules;
pub mod schema;
pub mod search;
pub mod web;

use std::net::TcpListener;
use std::sync::Arc;

use actix_session::config::CookieContentSecurity;
use actix_session::storage::CookieSessionStore;
use actix_session::SessionMiddleware;
use actix_web::cookie::SameSite;
use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web as aw, App, HttpServer};
use anyhow::Context;

pub use config::Config;
use db::Db;
use mail::Mailer;

/// Settings the handlers read, beside the database and the mailer.
#[derive(Debug, Clone)]
pub struct Site {
    /// Where members reach SPOT, for links in emails: `https://spot.example.org`.
    pub base_url: String,
    /// Reverse proxies in front of SPOT: see [`Config::trusted_proxies`].
    pub trusted_proxies: usize,
    pub max_upload_mb: u64,
    /// Signs the addresses of personal calendar feeds.
    pub feed_key: Vec<u8>,
    /// How long a sign-in lasts.
    pub session_lifetime: std::time::Duration,
    /// Work domains whose confirmed addresses are approved at once.
    pub member_domains: membership::domains::MemberDomains,
    /// How long each kind of record is kept: the privacy notice quotes it.
    pub retention: retention::Retention,
}

impl Site {
    /// The unguessable part of a member's calendar feed address.
    pub fn calendar_signature(&self, member: db::MemberId) -> String {
        use hmac::Mac;
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&self.feed_key)
            .expect("any key length works");
        mac.update(format!("calendar-feed:{member}").as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }

    pub fn calendar_feed_path(&self, member: db::MemberId) -> String {
        format!("/calendar/{member}-{}.ics", self.calendar_signature(member))
    }
}

pub struct Application {
    port: u16,
    server: Server,
    db: Db,
    mailer: Arc<dyn Mailer>,
    files: Arc<resources::store::FileStore>,
    site: Site,
    mail_pace: Option<notifications::worker::Pace>,
    export_every: Option<std::time::Duration>,
}

impl Application {
    /// Connects and migrates the database, binds the listener (port 0 works) and builds the
    /// server, which runs once [`Application::run_until_stopped`] is awaited.
    pub fn build(config: Config) -> anyhow::Result<Self> {
        let db = Db::connect(&config.database_url)?;
        if let Some(rebuilt) = search::index::ensure_built(&mut *db.conn()?)
            .context("could not build the search index")?
        {
            tracing::info!(?rebuilt, "search index built");
        }
        let listener = TcpListener::bind(&config.bind)
            .with_context(|| format!("could not listen on {}", config.bind))?;
        let address = listener.local_addr()?;
        let key = config.session_key()?;
        let feed_key = {
            use hmac::Mac;
            let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.signing())
                .expect("any key length works");
            mac.update(b"spot calendar feeds");
            mac.finalize().into_bytes().to_vec()
        };
        let site = Site {
            base_url: config
                .base_url
                .clone()
                .unwrap_or_else(|| format!("http://{address}")),
            trusted_proxies: config.trusted_proxies,
            max_upload_mb: config.max_upload_mb,
            feed_key,
            session_lifetime: config.session_lifetime,
            member_domains: config.member_domains.clone(),
            retention: config.retention,
        };
        let files = Arc::new(resources::store::FileStore::for_config(&config)?);
        let mailer: Arc<dyn Mailer> = match &config.smtp_url {
            Some(url) => Arc::new(mail::SmtpServer::new(url, config.smtp_ca_file.as_deref())?),
            None => Arc::new(mail::OutboxFolder::new(&config.outbox_dir())?),
        };
        let secure_cookies = config.secure_cookies;
        let mail_pace = config.mail_every.map(|every| notifications::worker::Pace {
            every,
            retry_base: config.mail_retry_base,
        });

        let server_db = db.clone();
        let server_site = site.clone();
        let server_mailer = mailer.clone();
        let server_files = files.clone();
        let mut server = HttpServer::new(move || {
            let sessions = SessionMiddleware::builder(CookieSessionStore::default(), key.clone())
                .cookie_name("spot_session".into())
                .cookie_content_security(CookieContentSecurity::Private)
                .cookie_http_only(true)
                .cookie_same_site(SameSite::Lax)
                .cookie_secure(secure_cookies)
                .build();
            App::new()
                .wrap(from_fn(web::csrf::guard))
                .wrap(from_fn(web::body_limit::guard))
                .wrap(from_fn(web::redraw_for_viewer))
                .wrap(from_fn(web::private_pages))
                .wrap(sessions)
                .wrap(web::security_headers(secure_cookies))
                .wrap(Compress::default())
                .wrap(from_fn(web::access_log::record))
                .app_data(aw::Data::new(server_db.clone()))
                .app_data(aw::Data::from(server_mailer.clone()))
                .app_data(aw::Data::from(server_files.clone()))
                .app_data(aw::Data::new(server_site.clone()))
                .app_data(
                    aw::FormConfig::default()
                        .limit(web::body_limit::FORM_LIMIT as usize)
                        .error_handler(|error, _| {
                            web::AppError::BadRequest(format!(
                                "The form could not be read: {error}"
                            ))
                            .into()
                        }),
                )
                .app_data(aw::QueryConfig::default().error_handler(|error, _| {
                    web::AppError::BadRequest(format!("The address has a mistake in it: {error}"))
                        .into()
                }))
                .app_data(
                    aw::PathConfig::default().error_handler(|_, _| web::AppError::NotFound.into()),
                )
                .configure(routes)
                .default_service(aw::to(web::not_found))
        })
        .listen(listener)?;
        if let Some(workers) = config.workers {
            server = server.workers(workers);
        }
        let server = server.run();
        tracing::info!(
            %address,
            engine = db.engine().name(),
            store = files.location(),
            "SPOT is listening"
        );
        Ok(Self {
            port: address.port(),
            server,
            db,
            mailer,
            files,
            site,
            mail_pace,
            export_every: config.export_every,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn mailer(&self) -> Arc<dyn Mailer> {
        self.mailer.clone()
    }

    pub fn site(&self) -> &Site {
        &self.site
    }

    /// The upload store (which also keeps data exports while they can be downloaded).
    pub fn files(&self) -> Arc<resources::store::FileStore> {
        self.files.clone()
    }

    /// Serves until stopped, with the mail and export workers and housekeeping alongside.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        housekeeping::spawn(self.db.clone(), self.files.clone(), self.site.retention);
        if let Some(pace) = self.mail_pace {
            notifications::worker::spawn(
                self.db.clone(),
                self.mailer.clone(),
                self.site.clone(),
                pace,
            );
        }
        if let Some(every) = self.export_every {
            data_rights::worker::spawn(
                self.db.clone(),
                self.files.clone(),
                self.site.clone(),
                every,
            );
        }
        self.server.await
    }
}

/// Every feature's routes.
pub fn routes(cfg: &mut aw::ServiceConfig) {
    web::assets::routes(cfg);
    // Before the features' own: `/resources/follow` must not be taken for a resource's id.
    notifications::routes::routes(cfg);
    home::routes(cfg);
    accounts::routes::routes(cfg);
    members::routes::routes(cfg);
    messages::routes::routes(cfg);
    forum::routes::routes(cfg);
    membership::routes::routes(cfg);
    holds::routes::routes(cfg);
    data_rights::routes::routes(cfg);
    conduct::routes::routes(cfg);
    facilitating::routes::routes(cfg);
    bookings::routes::routes(cfg);
    evaluation::routes::routes(cfg);
    report::routes::routes(cfg);
    resources::routes::routes(cfg);
    admin::routes::routes(cfg);
    search::routes::routes(cfg);
    published::routes::routes(cfg);
    contact::routes::routes(cfg);
    connect::routes::routes(cfg);
}
