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

/// UTF-8 text with no NUL bytes, and not markup a browser would run.
fn looks_like_text(head: &[u8]) -> bool {
    if head.is_empty() || head.contains(&0) {
        return false;
    }
    // A multi-byte character may be cut at the end of the sample.
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        Err(error) if error.error_len().is_none() => {
            std::str::from_utf8(&head[..error.valid_up_to()]).unwrap_or("")
        }
        Err(_) => return false,
    };
    let start = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .to_ascii_lowercase();
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
