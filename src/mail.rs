//! Outgoing email behind one small interface, so that callers never know whether mail goes
//! to an SMTP server or, with no server configured, to `.eml` files in the outbox folder.

use std::path::{Path, PathBuf};

use anyhow::Context;
use lettre::message::{header::ContentType, Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{FileTransport, Message, SmtpTransport, Transport};

/// A message for one member.
#[derive(Debug, Clone)]
pub struct Letter {
    pub to_name: String,
    pub to_address: String,
    pub subject: String,
    pub text: String,
    pub attachment: Option<Enclosure>,
}

/// A file sent with a letter, such as a course's calendar.
#[derive(Debug, Clone)]
pub struct Enclosure {
    pub filename: String,
    pub content_type: String,
    pub body: Vec<u8>,
}

pub trait Mailer: Send + Sync {
    fn send(&self, letter: &Letter) -> anyhow::Result<()>;
}

const FROM: &str = "SPOT <no-reply@spot.invalid>";

fn build(letter: &Letter, from: &str) -> anyhow::Result<Message> {
    let to = Mailbox::new(
        Some(letter.to_name.clone()),
        letter
            .to_address
            .parse()
            .with_context(|| format!("bad recipient address {:?}", letter.to_address))?,
    );
    let builder = Message::builder()
        .from(from.parse().context("bad sender address")?)
        .to(to)
        .subject(&letter.subject);
    match &letter.attachment {
        None => builder
            .header(ContentType::TEXT_PLAIN)
            .body(letter.text.clone()),
        Some(enclosure) => builder.multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(letter.text.clone()))
                .singlepart(
                    Attachment::new(enclosure.filename.clone()).body(
                        enclosure.body.clone(),
                        ContentType::parse(&enclosure.content_type)
                            .context("bad attachment content type")?,
                    ),
                ),
        ),
    }
    .context("could not build the email")
}

/// Writes each message as an `.eml` file: the default until an SMTP server is configured.
pub struct OutboxFolder {
    dir: PathBuf,
    transport: FileTransport,
}

impl OutboxFolder {
    pub fn new(dir: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("could not create the outbox {}", dir.display()))?;
        Ok(Self {
            dir: dir.to_owned(),
            transport: FileTransport::new(dir),
        })
    }
}

impl Mailer for OutboxFolder {
    fn send(&self, letter: &Letter) -> anyhow::Result<()> {
        let message = build(letter, FROM)?;
        let id = self
            .transport
            .send(&message)
            .context("could not write the email to the outbox")?;
        tracing::info!(
            to = %letter.to_address,
            subject = %letter.subject,
            file = %self.dir.join(format!("{id}.eml")).display(),
            "email written to the outbox"
        );
        Ok(())
    }
}

/// Real delivery: `smtp://host:port`, with `?tls=required` for STARTTLS.
pub struct SmtpServer {
    transport: SmtpTransport,
}

impl SmtpServer {
    pub fn new(url: &str) -> anyhow::Result<Self> {
        let transport = SmtpTransport::from_url(url)
            .with_context(|| "SPOT_SMTP_URL is not a valid smtp:// URL".to_string())?
            .build();
        Ok(Self { transport })
    }
}

impl Mailer for SmtpServer {
    fn send(&self, letter: &Letter) -> anyhow::Result<()> {
        let message = build(letter, FROM)?;
        self.transport
            .send(&message)
            .with_context(|| format!("SMTP delivery to {} failed", letter.to_address))?;
        tracing::info!(to = %letter.to_address, subject = %letter.subject, "email sent");
        Ok(())
    }
}
