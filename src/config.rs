//! Configuration from the environment, with defaults that run SPOT on a fresh machine.

use std::path::PathBuf;

use anyhow::Context;

use crate::membership::domains::MemberDomains;
use crate::metrics::access::MetricsToken;
use crate::resources::store::StoreUrl;
use crate::retention::Retention;

#[derive(Clone)]
pub struct Config {
    /// `sqlite://path` (default `sqlite://data/spot.db`) or `postgres://…`.
    pub database_url: String,
    /// Address to listen on; port 0 picks a free port.
    pub bind: String,
    /// Where the generated secret key and the mail outbox live.
    pub data_dir: PathBuf,
    /// The upload folder (`SPOT_UPLOADS`): the store itself, or, with `store_url`, only where
    /// uploads wait while they arrive.
    pub uploads_dir: PathBuf,
    /// An S3-compatible bucket for uploads (`SPOT_STORE_URL=s3://bucket/prefix`, with the
    /// `AWS_*` variables); `None`: the upload folder.
    pub store_url: Option<StoreUrl>,
    /// Signs and encrypts session cookies; generated and kept in `data_dir` when absent.
    pub secret_key: Option<String>,
    pub max_upload_mb: u64,
    /// `smtp://host:port` (`?tls=required` for STARTTLS); unset: mail goes to the outbox.
    pub smtp_url: Option<String>,
    /// A PEM file of CA certificates to trust for the SMTP server, besides the public ones
    /// (`SPOT_SMTP_CA_FILE`): for a relay whose certificate an in-house CA signed.
    pub smtp_ca_file: Option<PathBuf>,
    /// Mark cookies `Secure` (set when SPOT is served over HTTPS).
    pub secure_cookies: bool,
    /// How many reverse proxies stand in front of SPOT, each appending the address it was
    /// reached from to `X-Forwarded-For` (`SPOT_TRUSTED_PROXIES`; 1 when only
    /// `SPOT_TRUST_PROXY=1` is set; 0: none, the connection's own address is the client's).
    pub trusted_proxies: usize,
    /// The address members reach SPOT at, for links in emails.
    pub base_url: Option<String>,
    /// HTTP worker threads; default one per core.
    pub workers: Option<usize>,
    /// How often the mail worker looks for work (`SPOT_MAIL_EVERY_SECONDS`, default 5);
    /// `None` runs no worker in this process (another node sends the mail).
    pub mail_every: Option<std::time::Duration>,
    /// The wait after an email's first failed attempt, doubling after each failure.
    pub mail_retry_base: std::time::Duration,
    /// How often the export worker looks for data exports to build and expired ones to
    /// delete (`SPOT_EXPORT_EVERY_SECONDS`, default 5); `None` runs no export worker in this
    /// process (another node builds them).
    pub export_every: Option<std::time::Duration>,
    /// How long a sign-in lasts before the member must sign in again (`SPOT_SESSION_DAYS`,
    /// default 30).
    pub session_lifetime: std::time::Duration,
    /// Work domains whose confirmed addresses are approved at once (`SPOT_MEMBER_DOMAINS`,
    /// default `nhs.net, nhs.uk, gov.uk`; `none` for no domain at all).
    pub member_domains: MemberDomains,
    /// How long each kind of record is kept (`SPOT_RETAIN_*_DAYS`; see [`crate::retention`]).
    pub retention: Retention,
    /// How long, after SIGTERM, requests under way and the mail worker's message may take
    /// before SPOT exits anyway (`SPOT_SHUTDOWN_SECONDS`, default 30).
    pub shutdown_timeout: std::time::Duration,
    /// Lets a scraper read `/metrics` from another machine (`SPOT_METRICS_TOKEN`); without
    /// it, only this machine may.
    pub metrics_token: Option<MetricsToken>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact_password(&self.database_url))
            .field("bind", &self.bind)
            .field("data_dir", &self.data_dir)
            .field("uploads_dir", &self.uploads_dir)
            .field("store_url", &self.store_url)
            .field("secret_key", &self.secret_key.as_ref().map(|_| "(set)"))
            .field("max_upload_mb", &self.max_upload_mb)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_password))
            .field("smtp_ca_file", &self.smtp_ca_file)
            .field("secure_cookies", &self.secure_cookies)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("base_url", &self.base_url)
            .field("mail_every", &self.mail_every)
            .field("mail_retry_base", &self.mail_retry_base)
            .field("export_every", &self.export_every)
            .field("session_lifetime", &self.session_lifetime)
            .field("member_domains", &self.member_domains.list())
            .field("retention", &self.retention)
            .field("shutdown_timeout", &self.shutdown_timeout)
            .field(
                "metrics_token",
                &self.metrics_token.as_ref().map(|_| "(set)"),
            )
            .finish()
    }
}

/// A URL fit for a log line: any password in it replaced.
pub fn redact_password(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => raw.to_owned(),
    }
}

/// The longest drain `SPOT_SHUTDOWN_SECONDS` may ask for: an hour.
const MAX_SHUTDOWN_SECONDS: u64 = 3600;

/// How log lines are written (`SPOT_LOG_FORMAT`): `text` for people, `json` (one object a
/// line, with `timestamp`, `level`, `target`, `message` and the event's fields) for a log
/// collector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    pub fn parse(raw: &str) -> anyhow::Result<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            _ => anyhow::bail!("SPOT_LOG_FORMAT must be json or text, not {raw:?}"),
        }
    }

    /// From `SPOT_LOG_FORMAT`, `text` when unset. Read before anything else, so that every
    /// line, the first included, is written one way.
    pub fn from_env() -> anyhow::Result<Self> {
        var("SPOT_LOG_FORMAT").map_or(Ok(LogFormat::Text), |raw| Self::parse(&raw))
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
}

/// A background worker's pace from `name`, in whole seconds: 5 when unset, `None` (no
/// such worker in this process) for 0.
fn every(name: &str, worker: &str) -> anyhow::Result<Option<std::time::Duration>> {
    match var(name) {
        Some(raw) => {
            let seconds = raw.parse::<u64>().with_context(|| {
                format!("{name} must be a whole number of seconds (0 for no {worker}), not {raw:?}")
            })?;
            Ok((seconds > 0).then(|| std::time::Duration::from_secs(seconds)))
        }
        None => Ok(Some(std::time::Duration::from_secs(5))),
    }
}

fn flag(name: &str) -> bool {
    matches!(
        var(name).as_deref().map(str::to_ascii_lowercase).as_deref(),
        Some("1" | "true" | "yes" | "on")
    )
}

impl Config {
    pub fn from_env() -> anyhow::Result<Self> {
        let max_upload_mb = match var("SPOT_MAX_UPLOAD_MB") {
            Some(raw) => raw
                .parse::<u64>()
                .ok()
                .filter(|mb| *mb > 0)
                .with_context(|| {
                    format!("SPOT_MAX_UPLOAD_MB must be a whole number of megabytes, not {raw:?}")
                })?,
            None => 20,
        };
        let workers =
            match var("SPOT_WORKERS") {
                Some(raw) => Some(raw.parse::<usize>().ok().filter(|n| *n > 0).with_context(
                    || format!("SPOT_WORKERS must be a positive number, not {raw:?}"),
                )?),
                None => None,
            };
        let mail_every = every("SPOT_MAIL_EVERY_SECONDS", "mail worker")?;
        let export_every = every("SPOT_EXPORT_EVERY_SECONDS", "export worker")?;
        let session_days = match var("SPOT_SESSION_DAYS") {
            Some(raw) => raw
                .parse::<u64>()
                .ok()
                .filter(|days| *days > 0)
                .with_context(|| {
                    format!("SPOT_SESSION_DAYS must be a whole number of days, not {raw:?}")
                })?,
            None => 30,
        };
        let trusted_proxies = match var("SPOT_TRUSTED_PROXIES") {
            Some(raw) => raw.parse::<usize>().ok().filter(|n| *n <= 10).with_context(|| {
                format!("SPOT_TRUSTED_PROXIES must be the number of proxies in front of SPOT (0 to 10), not {raw:?}")
            })?,
            None => usize::from(flag("SPOT_TRUST_PROXY")),
        };
        let member_domains = match var("SPOT_MEMBER_DOMAINS").as_deref().map(str::trim) {
            None => MemberDomains::default(),
            Some("none") => MemberDomains::parse("").expect("an empty list parses"),
            Some(list) => MemberDomains::parse(list)
                .map_err(|why| anyhow::anyhow!("SPOT_MEMBER_DOMAINS: {why}"))?,
        };
        let store_url = match var("SPOT_STORE_URL") {
            Some(raw) => Some(
                StoreUrl::parse(&raw)
                    .map_err(|why| anyhow::anyhow!(why))?
                    .with_settings_from(std::env::vars()),
            ),
            None => None,
        };
        let retention = Retention::from_lookup(var, session_days.min(u64::from(u32::MAX)) as u32)
            .map_err(|why| anyhow::anyhow!(why))?;
        let shutdown_seconds = match var("SPOT_SHUTDOWN_SECONDS") {
            Some(raw) => raw.parse::<u64>().ok().filter(|s| *s <= MAX_SHUTDOWN_SECONDS).with_context(|| {
                format!("SPOT_SHUTDOWN_SECONDS must be a whole number of seconds from 0 to {MAX_SHUTDOWN_SECONDS}, not {raw:?}")
            })?,
            None => 30,
        };
        let metrics_token = var("SPOT_METRICS_TOKEN")
            .map(|raw| MetricsToken::parse(&raw))
            .transpose()
            .map_err(|why| anyhow::anyhow!("SPOT_METRICS_TOKEN: {why}"))?;
        Ok(Self {
            database_url: var("DATABASE_URL").unwrap_or_else(|| "sqlite://data/spot.db".into()),
            bind: var("SPOT_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            data_dir: var("SPOT_DATA_DIR").unwrap_or_else(|| "data".into()).into(),
            uploads_dir: var("SPOT_UPLOADS")
                .unwrap_or_else(|| "uploads".into())
                .into(),
            store_url,
            secret_key: var("SPOT_SECRET_KEY"),
            max_upload_mb,
            smtp_url: var("SPOT_SMTP_URL"),
            smtp_ca_file: var("SPOT_SMTP_CA_FILE").map(PathBuf::from),
            secure_cookies: flag("SPOT_SECURE_COOKIES"),
            trusted_proxies,
            base_url: var("SPOT_BASE_URL").map(|url| url.trim_end_matches('/').to_owned()),
            workers,
            mail_every,
            mail_retry_base: std::time::Duration::from_secs(60),
            export_every,
            session_lifetime: std::time::Duration::from_secs(session_days * 24 * 60 * 60),
            member_domains,
            retention,
            shutdown_timeout: std::time::Duration::from_secs(shutdown_seconds),
            metrics_token,
        })
    }

    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }

    /// The cookie key: from `SPOT_SECRET_KEY`, or made once and kept in the data folder so
    /// sessions survive a restart.
    pub fn session_key(&self) -> anyhow::Result<actix_web::cookie::Key> {
        use actix_web::cookie::Key;
        let material = match &self.secret_key {
            Some(secret) => secret.clone(),
            None => {
                let path = self.data_dir.join("secret.key");
                match std::fs::read_to_string(&path) {
                    Ok(existing) => existing.trim().to_owned(),
                    Err(_) => {
                        std::fs::create_dir_all(&self.data_dir).with_context(|| {
                            format!(
                                "could not create the data folder {}",
                                self.data_dir.display()
                            )
                        })?;
                        let mut bytes = [0u8; 64];
                        rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut bytes);
                        let generated = hex::encode(bytes);
                        write_private(&path, &generated)?;
                        tracing::info!(file = %path.display(), "generated a new secret key");
                        generated
                    }
                }
            }
        };
        anyhow::ensure!(
            material.len() >= 32,
            "SPOT_SECRET_KEY must be at least 32 characters (64 random hex characters is good)"
        );
        Ok(Key::derive_from(material.as_bytes()))
    }
}

fn write_private(path: &std::path::Path, contents: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("could not create {}", path.display()))?;
    file.write_all(contents.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_formats_are_json_or_text() {
        assert_eq!(LogFormat::parse("json").unwrap(), LogFormat::Json);
        assert_eq!(LogFormat::parse(" JSON ").unwrap(), LogFormat::Json);
        assert_eq!(LogFormat::parse("text").unwrap(), LogFormat::Text);
        let refused = LogFormat::parse("xml").unwrap_err().to_string();
        assert_eq!(refused, "SPOT_LOG_FORMAT must be json or text, not \"xml\"");
    }

    #[test]
    fn passwords_in_urls_are_redacted() {
        assert_eq!(
            redact_password("postgres://spot:hunter2@db/spot"),
            "postgres://spot:***@db/spot"
        );
        assert_eq!(
            redact_password("sqlite://data/spot.db"),
            "sqlite://data/spot.db"
        );
    }
}
