//! What a file really is, judged by its first bytes, never by its name.

/// The kinds of file the library accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Pdf,
    Word,
    Excel,
    PowerPoint,
    OpenDocumentText,
    OpenDocumentSheet,
    OpenDocumentPresentation,
    PlainText,
    Csv,
    Png,
    Jpeg,
    WebP,
}

pub const ALLOWED: &str =
    "PDF, Word, Excel, PowerPoint (or OpenDocument), plain text, CSV, PNG, JPEG or WebP";

impl FileType {
    pub fn mime(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Word => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileType::Excel => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileType::PowerPoint => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
            FileType::OpenDocumentText => "application/vnd.oasis.opendocument.text",
            FileType::OpenDocumentSheet => "application/vnd.oasis.opendocument.spreadsheet",
            FileType::OpenDocumentPresentation => "application/vnd.oasis.opendocument.presentation",
            FileType::PlainText => "text/plain; charset=utf-8",
            FileType::Csv => "text/csv; charset=utf-8",
            FileType::Png => "image/png",
            FileType::Jpeg => "image/jpeg",
            FileType::WebP => "image/webp",
        }
    }

    pub fn label(mime: &str) -> &'static str {
        match mime {
            "application/pdf" => "PDF",
            m if m.contains("wordprocessingml") || m.contains("opendocument.text") => "Document",
            m if m.contains("spreadsheetml") || m.contains("opendocument.spreadsheet") => {
                "Spreadsheet"
            }
            m if m.contains("presentationml") || m.contains("opendocument.presentation") => {
                "Slides"
            }
            m if m.starts_with("text/csv") => "CSV",
            m if m.starts_with("text/plain") => "Text",
            m if m.starts_with("image/") => "Image",
            _ => "File",
        }
    }

    /// The file name endings that belong to this type; the first is added to a download
    /// name that ends otherwise, so a saved file never opens as something that runs.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            FileType::Pdf => &["pdf"],
            FileType::Word => &["docx"],
            FileType::Excel => &["xlsx"],
            FileType::PowerPoint => &["pptx"],
            FileType::OpenDocumentText => &["odt"],
            FileType::OpenDocumentSheet => &["ods"],
            FileType::OpenDocumentPresentation => &["odp"],
            FileType::PlainText => &["txt", "text", "md"],
            FileType::Csv => &["csv"],
            FileType::Png => &["png"],
            FileType::Jpeg => &["jpg", "jpeg"],
            FileType::WebP => &["webp"],
        }
    }

    /// The name offered on download: the uploader's, with the right ending added if its
    /// own ending says something else (`fix.bat` as text becomes `fix.bat.txt`).
    pub fn download_name(self, name: &str) -> String {
        let ending = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
        match ending {
            Some(ending) if self.extensions().contains(&ending.as_str()) => name.to_owned(),
            _ => format!("{name}.{}", self.extensions()[0]),
        }
    }

    /// Shown in the browser rather than saved: PDFs and pictures only.
    pub fn shown_inline(mime: &str) -> bool {
        mime == "application/pdf" || mime.starts_with("image/")
    }
}

/// Judges a file from its first bytes (at least 8 KiB when the file has that many) and
/// its name's ending, which only tells CSV from plain text.
pub fn sniff(head: &[u8], file_name: &str) -> Option<FileType> {
    if let Some(kind) = infer::get(head) {
        return match kind.mime_type() {
            "application/pdf" => Some(FileType::Pdf),
            "image/png" => Some(FileType::Png),
            "image/jpeg" => Some(FileType::Jpeg),
            "image/webp" => Some(FileType::WebP),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => {
                Some(FileType::Word)
            }
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => {
                Some(FileType::Excel)
            }
            "application/vnd.openxmlformats-officedocument.presentationml.presentation" => {
                Some(FileType::PowerPoint)
            }
            "application/vnd.oasis.opendocument.text" => Some(FileType::OpenDocumentText),
            "application/vnd.oasis.opendocument.spreadsheet" => Some(FileType::OpenDocumentSheet),
            "application/vnd.oasis.opendocument.presentation" => {
                Some(FileType::OpenDocumentPresentation)
            }
            _ => None,
        };
    }
    if looks_like_text(head) {
        let csv = file_name.to_ascii_lowercase().ends_with(".csv");
        return Some(if csv {
            FileType::Csv
        } else {
            FileType::PlainText
        });
    }
    None
}

/// Office documents are zip archives; which kind is told by the names of the entries
/// inside, which may lie far from the start of a long document. Reads the whole file.
pub fn office_type(file: &[u8]) -> Option<FileType> {
    if !file.starts_with(b"PK\x03\x04") {
        return None;
    }
    let has = |needle: &[u8]| file.windows(needle.len()).any(|w| w == needle);
    if has(b"word/document.xml") {
        Some(FileType::Word)
    } else if has(b"xl/workbook.xml") {
        Some(FileType::Excel)
    } else if has(b"ppt/presentation.xml") {
        Some(FileType::PowerPoint)
    } else {
        None
    }
}

/// How a text file's characters are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    Utf8,
    /// What Excel's "CSV (Comma delimited)" and Notepad write on a UK Windows PC: one byte a
    /// character, £ and ’ and é above 127.
    Windows1252,
}

/// The type a text file is served with, naming its character set, so that a browser or
/// spreadsheet opening the download reads "Siân" and "£5" as they were written.
pub fn content_type(kind: FileType, head: &[u8]) -> String {
    match (kind, text_charset(head)) {
        (FileType::Csv, Some(Charset::Windows1252)) => "text/csv; charset=windows-1252".into(),
        (FileType::PlainText, Some(Charset::Windows1252)) => {
            "text/plain; charset=windows-1252".into()
        }
        _ => kind.mime().into(),
    }
}

/// The character set of a text sample with no NUL bytes: UTF-8 when it reads as UTF-8,
/// else Windows-1252 unless it holds one of the five bytes that encoding leaves unused.
fn text_charset(head: &[u8]) -> Option<Charset> {
    if head.is_empty() || head.contains(&0) {
        return None;
    }
    match std::str::from_utf8(head) {
        Ok(_) => Some(Charset::Utf8),
        // A multi-byte character may be cut at the end of the sample.
        Err(error) if error.error_len().is_none() => Some(Charset::Utf8),
        Err(_)
            if head
                .iter()
                .any(|b| matches!(b, 0x81 | 0x8d | 0x8f | 0x90 | 0x9d)) =>
        {
            None
        }
        Err(_) => Some(Charset::Windows1252),
    }
}

/// Text (UTF-8 or Windows-1252) that is not markup a browser would run.
fn looks_like_text(head: &[u8]) -> bool {
    if text_charset(head).is_none() {
        return false;
    }
    // Markup is told by ASCII alone: other bytes stand aside, whatever the charset.
    let text: String = head
        .iter()
        .map(|&b| if b.is_ascii() { b as char } else { ' ' })
        .collect();
    let start = text.trim_start().to_ascii_lowercase();
    let markup = [
        "<!doctype",
        "<html",
        "<script",
        "<svg",
        "<?xml",
        "<body",
        "<head",
        "<iframe",
    ];
    !markup.iter().any(|tag| start.starts_with(tag))
        && !text.to_ascii_lowercase().contains("<script")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_known_by_their_content() {
        assert_eq!(sniff(b"%PDF-1.7\n...", "x.bin"), Some(FileType::Pdf));
        assert_eq!(
            sniff(
                &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0],
                "photo.pdf"
            ),
            Some(FileType::Png)
        );
        assert_eq!(
            sniff(b"name,borough\nSam,Wigan\n", "list.csv"),
            Some(FileType::Csv)
        );
        assert_eq!(
            sniff(b"Just some notes", "notes.txt"),
            Some(FileType::PlainText)
        );
    }

    #[test]
    fn text_saved_by_windows_is_text_with_its_charset() {
        // "Siân,£5" as Excel writes it on a UK PC.
        let windows = b"name,fee\nSi\xe2n,\xa35\n";
        assert_eq!(sniff(windows, "list.csv"), Some(FileType::Csv));
        assert_eq!(
            content_type(FileType::Csv, windows),
            "text/csv; charset=windows-1252"
        );
        let utf8 = "name,fee\nSiân,£5\n".as_bytes();
        assert_eq!(content_type(FileType::Csv, utf8), "text/csv; charset=utf-8");
        // A byte Windows-1252 never uses: not text.
        assert_eq!(sniff(b"name\n\x81\x8d", "list.csv"), None);
        // Markup stays refused whatever bytes surround it.
        assert_eq!(sniff(b"\xa3<script>alert(1)</script>", "notes.txt"), None);
    }

    #[test]
    fn download_names_end_as_their_type() {
        assert_eq!(
            FileType::PlainText.download_name("fix-printer.bat"),
            "fix-printer.bat.txt"
        );
        assert_eq!(
            FileType::Pdf.download_name("leaflet.pdf.html"),
            "leaflet.pdf.html.pdf"
        );
        assert_eq!(FileType::Pdf.download_name("Leaflet.PDF"), "Leaflet.PDF");
        assert_eq!(FileType::Jpeg.download_name("photo"), "photo.jpg");
    }

    #[test]
    fn office_documents_are_known_by_their_entries() {
        let mut docx = b"PK\x03\x04".to_vec();
        docx.extend(vec![b'x'; 20_000]);
        docx.extend(b"word/document.xml");
        assert_eq!(office_type(&docx), Some(FileType::Word));
        assert_eq!(office_type(b"PK\x03\x04plain zip"), None);
    }

    #[test]
    fn html_named_pdf_is_refused() {
        assert_eq!(
            sniff(b"<html><script>alert(1)</script></html>", "leaflet.pdf"),
            None
        );
        assert_eq!(sniff(b"<!DOCTYPE html><p>hi", "x.pdf"), None);
        assert_eq!(sniff(b"\x7fELF\x02\x01\x01\0", "tool.pdf"), None);
    }
}
