//! Outgoing email behind one small interface, so that callers never know whether mail goes
//! to an SMTP server or, with no server configured, to `.eml` files in the outbox folder.

use std::path::{Path, PathBuf};

use anyhow::Context;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{FileTransport, Message, SmtpTransport, Transport};

/// A message for one member.
#[derive(Debug, Clone, Default)]
pub struct Letter {
    pub to_name: String,
    pub to_address: String,
    pub subject: String,
    pub text: String,
    /// The same message as HTML, sent beside the text as `multipart/alternative`. Built only
    /// from escaped text and cooked (ammonia-cleaned) Markdown.
    pub html: Option<String>,
    /// Where one POST stops this kind of email (RFC 8058 one-click unsubscribe).
    pub unsubscribe_url: Option<String>,
    /// Kept with the message in the outbox, so that a message sent again after a crash
    /// carries the same id and mail clients show it once.
    pub message_id: Option<String>,
    pub attachment: Option<Enclosure>,
    /// Where a reply goes instead of SPOT's own address, as a mailbox (`"Sam Jones"
    /// <sam@nhs.net>`): the sender of a contact message.
    pub reply_to: Option<String>,
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
    let mut builder = Message::builder()
        .from(from.parse().context("bad sender address")?)
        .to(to)
        .subject(&letter.subject)
        .message_id(letter.message_id.clone());
    if let Some(reply_to) = &letter.reply_to {
        builder = builder.reply_to(
            reply_to
                .parse()
                .with_context(|| format!("bad reply-to address {reply_to:?}"))?,
        );
    }
    if let Some(url) = &letter.unsubscribe_url {
        builder = builder
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{url}>"),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_owned(),
            ));
    }
    let text = SinglePart::plain(letter.text.clone());
    let body = letter.html.as_ref().map(|html| {
        MultiPart::alternative()
            .singlepart(text.clone())
            .singlepart(SinglePart::html(html.clone()))
    });
    match (&letter.attachment, body) {
        (None, None) => builder.singlepart(text),
        (None, Some(alternative)) => builder.multipart(alternative),
        (Some(enclosure), body) => {
            let attachment = Attachment::new(enclosure.filename.clone()).body(
                enclosure.body.clone(),
                ContentType::parse(&enclosure.content_type)
                    .context("bad attachment content type")?,
            );
            let mixed = match body {
                None => MultiPart::mixed().singlepart(text),
                Some(alternative) => MultiPart::mixed().multipart(alternative),
            };
            builder.multipart(mixed.singlepart(attachment))
        }
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
        // The folder is a mailbox: its letters hold reset links. Only SPOT's own user
        // may read it.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .with_context(|| format!("could not make the outbox {} private", dir.display()))?;
        }
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
        let file = self.dir.join(format!("{id}.eml"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))
                .context("could not make the email private")?;
        }
        tracing::info!(
            to = %letter.to_address,
            subject = %letter.subject,
            file = %file.display(),
            "email written to the outbox"
        );
        Ok(())
    }
}

/// Real delivery: `smtp://host:port`, with `?tls=required` for STARTTLS (never falling back
/// to plain text) or `smtps://` for TLS from the first byte.
pub struct SmtpServer {
    transport: SmtpTransport,
}

impl SmtpServer {
    /// `ca_file`: CA certificates (PEM) to trust as well as the public roots.
    pub fn new(url: &str, ca_file: Option<&Path>) -> anyhow::Result<Self> {
        let mut builder = SmtpTransport::from_url(url)
            .with_context(|| "SPOT_SMTP_URL is not a valid smtp:// or smtps:// URL".to_string())?;
        if let Some(ca_file) = ca_file {
            builder = builder.tls(tls_trusting(url, ca_file)?);
        }
        Ok(Self {
            transport: builder.build(),
        })
    }
}

/// The TLS that `url` asks for, with the certificates in `ca_file` trusted too.
fn tls_trusting(url: &str, ca_file: &Path) -> anyhow::Result<Tls> {
    let parsed = url::Url::parse(url).context("SPOT_SMTP_URL is not a URL")?;
    let asked = parsed
        .query_pairs()
        .find(|(key, _)| key == "tls")
        .map(|(_, value)| value.into_owned());
    let mode: fn(TlsParameters) -> Tls = match (parsed.scheme(), asked.as_deref()) {
        ("smtps", _) => Tls::Wrapper,
        ("smtp", Some("required")) => Tls::Required,
        ("smtp", Some("opportunistic")) => Tls::Opportunistic,
        _ => anyhow::bail!(
            "SPOT_SMTP_CA_FILE is set but SPOT_SMTP_URL asks for no TLS: add ?tls=required, or use smtps://"
        ),
    };
    let host = parsed
        .host_str()
        .context("SPOT_SMTP_URL names no host")?
        .to_owned();
    let pem = std::fs::read(ca_file)
        .with_context(|| format!("could not read SPOT_SMTP_CA_FILE {}", ca_file.display()))?;
    // lettre takes a file without any certificate in it as an empty list.
    let certificate = Some(&pem)
        .filter(|pem| pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----"))
        .and_then(|pem| Certificate::from_pem(pem).ok())
        .with_context(|| {
            format!(
                "SPOT_SMTP_CA_FILE {} holds no PEM certificate",
                ca_file.display()
            )
        })?;
    let parameters = TlsParameters::builder(host)
        .add_root_certificate(certificate)
        .build()
        .context("could not set up TLS for SPOT_SMTP_URL")?;
    Ok(mode(parameters))
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

/// The HTML part of a letter written as plain text: the text escaped, its paragraphs kept and
/// its web addresses made links, so that every email has both parts.
pub fn html_from_text(text: &str) -> String {
    use maud::{html, PreEscaped};
    let mut finder = linkify::LinkFinder::new();
    finder.kinds(&[linkify::LinkKind::Url]);
    let paragraphs: Vec<&str> = text
        .split("\n\n")
        .map(str::trim_end)
        .filter(|p| !p.trim().is_empty())
        .collect();
    let body = html! {
        @for paragraph in &paragraphs {
            p {
                @for (number, line) in paragraph.lines().enumerate() {
                    @if number > 0 { br; }
                    @for span in finder.spans(line) {
                        @match span.kind() {
                            Some(_) => a href=(span.as_str()) { (span.as_str()) },
                            None => (span.as_str()),
                        }
                    }
                }
            }
        }
    };
    wrap_html(PreEscaped(body.into_string()))
}

/// SPOT's colours, as the site's stylesheet has them (NHS blue, text, secondary text, the
/// grey page).
const BLUE: &str = "#005eb8";
const TEXT: &str = "#212b32";
const SECONDARY: &str = "#4c6272";
const PAGE: &str = "#f0f4f5";
const FONT: &str = "font-family: Arial, Helvetica, sans-serif;";

/// The page every HTML email sits in, looking like the site: SPOT's wordmark on a blue band,
/// the message in one white column at most 600 pixels wide (the whole width of a phone), the
/// site's colours. Tables and inline styles, because mail programs honour little else; no
/// images, no scripts.
pub fn wrap_html(body: maud::PreEscaped<String>) -> String {
    use maud::{html, DOCTYPE};
    html! {
        (DOCTYPE)
        html lang="en-GB" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light";
                title { "SPOT" }
                style { "a { color: " (BLUE) "; } .message p { margin: 0 0 16px; }" }
            }
            body style={ "margin: 0; padding: 0; background: " (PAGE) ";" } {
                table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"
                    style={ "border-collapse: collapse; background: " (PAGE) ";" } {
                    tr { td align="center" style="padding: 0;" {
                        table.letter role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"
                            style="border-collapse: collapse; max-width: 600px;" {
                            tr { td style={ "background: " (BLUE) "; padding: 16px 20px;" } {
                                span.wordmark style={ (FONT) " display: inline-block; border: 3px solid #ffffff; padding: 0 8px; color: #ffffff; font-size: 24px; line-height: 1.3; font-weight: 700; letter-spacing: 0.05em;" } { "SPOT" }
                                span style={ (FONT) " display: inline-block; color: #ffffff; font-size: 14px; padding: 4px 0 0 12px;" } { "Social prescribers and occupational therapists" }
                            } }
                            tr { td.message style={ (FONT) " background: #ffffff; padding: 20px; font-size: 16px; line-height: 1.5; color: " (TEXT) "; word-wrap: break-word; overflow-wrap: anywhere;" } {
                                (body)
                            } }
                            tr { td style={ (FONT) " padding: 16px 20px 24px; border-top: 4px solid " (BLUE) "; font-size: 14px; line-height: 1.5; color: " (SECONDARY) ";" } {
                                "SPOT brings Greater Manchester's social-prescribing link workers and occupational therapists together. Please never post anything that could identify a patient or service user."
                            } }
                        }
                    } }
                }
            }
        }
    }
    .into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ca_file_is_refused_at_start_unless_it_can_be_used() {
        let folder = tempfile::tempdir().unwrap();
        let not_pem = folder.path().join("ca.pem");
        std::fs::write(&not_pem, "not a certificate").unwrap();
        let refusal = |url: &str, ca_file: &Path| match SmtpServer::new(url, Some(ca_file)) {
            Ok(_) => panic!("{url} with {} was accepted", ca_file.display()),
            Err(error) => format!("{error:#}"),
        };
        assert!(refusal("smtp://relay.example.org:25", &not_pem).contains("asks for no TLS"));
        assert!(refusal("smtp://relay.example.org?tls=required", &not_pem)
            .contains("holds no PEM certificate"));
        let missing = folder.path().join("missing.pem");
        assert!(refusal("smtps://relay.example.org", &missing).contains("could not read"));
    }

    #[test]
    fn plain_letters_get_an_escaped_html_part_with_links() {
        let html =
            html_from_text("Hello <b>you</b>,\n\nSee https://spot.example.org/courses/1 now.\nBye");
        assert!(html.contains("Hello &lt;b&gt;you&lt;/b&gt;,"));
        assert!(html.contains(r#"<a href="https://spot.example.org/courses/1">"#));
        assert!(html.contains("now.<br>Bye"));
        assert!(html.contains(r#"<span class="wordmark""#), "{html}");
        assert!(
            html.contains("max-width: 600px"),
            "one phone-wide column: {html}"
        );
    }

    #[test]
    fn html_letters_are_multipart_alternative_with_one_click_unsubscribe() {
        let letter = Letter {
            to_name: "Sam".into(),
            to_address: "sam@example.org".into(),
            subject: "A reply".into(),
            text: "text part".into(),
            html: Some("<p>html part</p>".into()),
            unsubscribe_url: Some("https://spot.example.org/unsubscribe/abc".into()),
            message_id: Some("<1@spot>".into()),
            attachment: None,
            reply_to: Some(
                Mailbox::new(Some("Sam Jones".into()), "sam@nhs.net".parse().unwrap()).to_string(),
            ),
        };
        let raw = String::from_utf8(build(&letter, FROM).unwrap().formatted()).unwrap();
        assert!(raw.contains("multipart/alternative"));
        assert!(raw.contains("List-Unsubscribe: <https://spot.example.org/unsubscribe/abc>"));
        assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
        assert!(raw.contains("Message-ID: <1@spot>"));
        assert!(
            raw.contains("Reply-To: \"Sam Jones\" <sam@nhs.net>"),
            "{raw}"
        );
    }
}
