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
pub mod marks;
pub mod members;
pub mod membership;
pub mod messages;
pub mod metrics;
pub mod notifications;
pub mod progress;
pub mod published;
pub mod report;
pub mod resources;
pub mod retention;
pub mod rules;
pub mod schema;
pub mod search;
pub mod shutdown;
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
    /// Lets a scraper elsewhere read `/metrics`.
    pub metrics_token: Option<metrics::access::MetricsToken>,
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
    shutdown_timeout: std::time::Duration,
    db: Db,
    metrics: Arc<metrics::Metrics>,
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
            metrics_token: config.metrics_token.clone(),
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

        let metrics = Arc::new(metrics::Metrics::new(&db));
        let server_metrics = metrics.clone();
        let server_db = db.clone();
        let server_site = site.clone();
        let server_mailer = mailer.clone();
        let server_files = files.clone();
        let footer_marks = aw::Data::new(marks::FooterMarks::default());
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
                .app_data(aw::Data::from(server_metrics.clone()))
                .app_data(aw::Data::from(server_mailer.clone()))
                .app_data(aw::Data::from(server_files.clone()))
                .app_data(aw::Data::new(server_site.clone()))
                .app_data(footer_marks.clone())
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
        // SIGTERM is heard by run_until_stopped, which stops the workers beside the server.
        .disable_signals()
        .shutdown_timeout(config.shutdown_timeout.as_secs())
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
            shutdown_timeout: config.shutdown_timeout,
            db,
            metrics,
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

    /// Serves, with the mail and export workers and housekeeping alongside, until SIGTERM or
    /// Ctrl-C; then stops as [`Application::run_until`] says.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(async {
            let signal = shutdown::signalled().await;
            tracing::info!(
                signal,
                "stopping: no new connections; finishing what is under way"
            );
        })
        .await
    }

    /// Serves until `stop` resolves; then accepts no more connections, gives the requests
    /// under way and the background workers (the mail worker finishes the email it is
    /// sending) up to the shutdown timeout, and closes the database pool.
    pub async fn run_until(
        self,
        stop: impl std::future::Future<Output = ()>,
    ) -> std::io::Result<()> {
        let (trigger, stopping) = shutdown::channel();
        let mut workers = vec![(
            "housekeeping",
            housekeeping::spawn(
                self.db.clone(),
                self.files.clone(),
                self.site.retention,
                stopping.clone(),
            ),
        )];
        if let Some(pace) = self.mail_pace {
            let mail = notifications::worker::spawn(
                self.db.clone(),
                self.mailer.clone(),
                self.site.clone(),
                pace,
                self.metrics.clone(),
                stopping.clone(),
            );
            workers.push(("mail worker", mail));
        }
        if let Some(every) = self.export_every {
            let exports = data_rights::worker::spawn(
                self.db.clone(),
                self.files.clone(),
                self.site.clone(),
                every,
                stopping,
            );
            workers.push(("export worker", exports));
        }
        let server = self.server;
        tokio::pin!(server);
        let mut stopped_at = None;
        let served = tokio::select! {
            served = &mut server => served,
            () = stop => {
                stopped_at = Some(tokio::time::Instant::now());
                trigger.stop();
                // Sent at once; the server, awaited, carries it out.
                drop(server.handle().stop(true));
                server.await
            }
        };
        // Also when the server ended by itself.
        trigger.stop();
        let deadline = stopped_at.unwrap_or_else(tokio::time::Instant::now) + self.shutdown_timeout;
        for (name, worker) in workers {
            match tokio::time::timeout_at(deadline, worker).await {
                Ok(_) => {}
                Err(_) => tracing::warn!(
                    worker = name,
                    "still working at the shutdown timeout: left unfinished"
                ),
            }
        }
        drop(self.db);
        tracing::info!("SPOT has stopped");
        served
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
    marks::routes::routes(cfg);
    search::routes::routes(cfg);
    published::routes::routes(cfg);
    contact::routes::routes(cfg);
    connect::routes::routes(cfg);
    metrics::routes::routes(cfg);
}
