//! Markdown is cooked once, when it is saved: pulldown-cmark renders it, ammonia cleans the
//! HTML, and the result is a [`SafeHtml`], the only value the pages will print unescaped.

use std::sync::OnceLock;

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;
use maud::{PreEscaped, Render};
use pulldown_cmark::{html::push_html, Options, Parser};

/// HTML that passed ammonia. Nothing outside this module can build one from a string,
/// except by reading back what this module stored.
/// It may be written out as JSON (a preview for the page script), never read in.
#[derive(
    Debug, Clone, PartialEq, Eq, Default, diesel::AsExpression, diesel::FromSqlRow, serde::Serialize,
)]
#[diesel(sql_type = Text)]
#[serde(transparent)]
pub struct SafeHtml(String);

impl SafeHtml {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The same HTML with each `(placeholder, value)`'s placeholder replaced by the value as
    /// text (escaped), so that nothing put in can be markup: still safe. For figures that
    /// belong to the site's settings rather than to the text (the privacy notice's retention
    /// periods), which may change without the text being written again.
    pub fn filled(&self, values: &[(String, String)]) -> SafeHtml {
        let mut html = self.0.clone();
        for (placeholder, value) in values {
            if html.contains(placeholder.as_str()) {
                let text = maud::html! { (value) }.into_string();
                html = html.replace(placeholder.as_str(), &text);
            }
        }
        SafeHtml(html)
    }
}

impl Render for SafeHtml {
    fn render(&self) -> maud::Markup {
        PreEscaped(self.0.clone())
    }
}

impl<DB> ToSql<Text, DB> for SafeHtml
where
    DB: Backend,
    str: ToSql<Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        self.0.as_str().to_sql(out)
    }
}

impl<DB> FromSql<Text, DB> for SafeHtml
where
    DB: Backend,
    String: FromSql<Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        String::from_sql(bytes).map(SafeHtml)
    }
}

fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        builder
            .url_schemes(["http", "https", "mailto"].into())
            .link_rel(Some("noopener noreferrer nofollow"))
            // Task lists render as disabled checkboxes.
            .add_tags(["input"])
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            .add_tag_attribute_values("input", "type", ["checkbox"])
            .attribute_filter(|element, attribute, value| {
                // Images only from the web: no mailto: (or anything else) in an img src.
                if element == "img" && attribute == "src" {
                    let lower = value.to_ascii_lowercase();
                    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
                        return None;
                    }
                }
                Some(value.into())
            });
        builder
    })
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM
}

/// Markdown (CommonMark with tables, strikethrough, task lists, and bare web addresses
/// made into links, as GitHub does) to clean HTML.
pub fn cook(source: &str) -> SafeHtml {
    use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};
    let finder = {
        let mut finder = linkify::LinkFinder::new();
        finder.kinds(&[linkify::LinkKind::Url]);
        finder
    };
    // Text inside links, images and code stays as it is.
    let mut inside = 0usize;
    let mut events: Vec<Event<'_>> = Vec::new();
    for event in Parser::new_ext(source, options()) {
        match &event {
            Event::Start(Tag::Link { .. } | Tag::Image { .. } | Tag::CodeBlock(_)) => inside += 1,
            Event::End(TagEnd::Link | TagEnd::Image | TagEnd::CodeBlock) => {
                inside = inside.saturating_sub(1)
            }
            _ => {}
        }
        match event {
            Event::Text(text) if inside == 0 && text.contains("://") => {
                for span in finder.spans(&text) {
                    let piece = CowStr::from(span.as_str().to_owned());
                    match span.kind() {
                        Some(_) => {
                            events.push(Event::Start(Tag::Link {
                                link_type: LinkType::Autolink,
                                dest_url: piece.clone(),
                                title: CowStr::from(""),
                                id: CowStr::from(""),
                            }));
                            events.push(Event::Text(piece));
                            events.push(Event::End(TagEnd::Link));
                        }
                        None => events.push(Event::Text(piece)),
                    }
                }
            }
            other => events.push(other),
        }
    }
    let mut raw = String::with_capacity(source.len() * 3 / 2);
    push_html(&mut raw, events.into_iter());
    SafeHtml(cleaner().clean(&raw).to_string())
}

/// The text of a piece of HTML as a reader sees it: comments, tags and what is inside
/// `<script>` and `<style>` gone (as ammonia leaves it), the character references that spell
/// a character decoded (`&#57;` is a 9 on the page).
fn push_html_text(text: &mut String, html: &str) {
    let mut rest = html;
    while let Some(at) = rest.find(['<', '&']) {
        text.push_str(&rest[..at]);
        rest = &rest[at..];
        let lower = rest.get(..8).unwrap_or(rest).to_ascii_lowercase();
        let skipped = if let Some(comment) = rest.strip_prefix("<!--") {
            comment.find("-->").map_or(rest.len(), |end| end + 7)
        } else if let Some(hidden) = ["<script", "<style"]
            .into_iter()
            .find(|open| lower.starts_with(open))
        {
            let close = format!("</{}", &hidden[1..]);
            let end = rest.to_ascii_lowercase().find(&close).unwrap_or(rest.len());
            rest[end..].find('>').map_or(rest.len(), |gt| end + gt + 1)
        } else if rest.strip_prefix('<').is_some_and(|tag| {
            tag.trim_start_matches('/')
                .starts_with(|c: char| c.is_ascii_alphabetic())
        }) {
            rest.find('>').map_or(rest.len(), |end| end + 1)
        } else if let Some((character, length)) = character_reference(rest) {
            text.push(character);
            length
        } else {
            text.push_str(&rest[..1]);
            1
        };
        rest = &rest[skipped..];
    }
    text.push_str(rest);
}

/// `&#57;`, `&#x39;`, `&nbsp;`, `&amp;`…: the character and the length of the reference.
fn character_reference(html: &str) -> Option<(char, usize)> {
    let end = html.char_indices().take(12).find(|(_, c)| *c == ';')?.0;
    let name = &html[1..end];
    let character = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)?
        }
    };
    Some((character, end + 1))
}

/// Byte ranges of the source that are plain prose: not code, not inside a link or image.
/// Mentions are looked for only there.
pub fn prose_ranges(source: &str) -> Vec<std::ops::Range<usize>> {
    use pulldown_cmark::{Event, Tag, TagEnd};
    let mut inside = 0usize;
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
    for (event, range) in Parser::new_ext(source, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Link { .. } | Tag::Image { .. } | Tag::CodeBlock(_)) => inside += 1,
            Event::End(TagEnd::Link | TagEnd::Image | TagEnd::CodeBlock) => {
                inside = inside.saturating_sub(1)
            }
            Event::Text(_) if inside == 0 => match ranges.last_mut() {
                Some(last) if last.end == range.start => last.end = range.end,
                _ => ranges.push(range),
            },
            _ => {}
        }
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_as_text() {
        let html = cook("Kept for {retention.audit_log}; **{retention.audit_log}** and {unknown}.");
        let filled = html.filled(&[
            ("{retention.audit_log}".into(), "6 years".into()),
            ("{other}".into(), "<b>x</b>".into()),
        ]);
        assert_eq!(
            filled.as_str(),
            "<p>Kept for 6 years; <strong>6 years</strong> and {unknown}.</p>\n"
        );
        let markup = cook("{x}").filled(&[("{x}".into(), "<script>alert(1)</script>".into())]);
        assert!(
            markup.as_str().contains("&lt;script&gt;"),
            "{}",
            markup.as_str()
        );
    }

    #[test]
    fn script_tags_are_removed() {
        let html = cook("Hello <script>alert(1)</script> there");
        assert!(!html.as_str().contains("<script"), "{}", html.as_str());
        assert!(html.as_str().contains("Hello"));
    }

    #[test]
    fn event_handlers_are_removed() {
        let html = cook(r#"<img src="https://example.org/x.png" onerror="alert(1)">"#);
        assert!(!html.as_str().contains("onerror"), "{}", html.as_str());
    }

    #[test]
    fn javascript_links_lose_their_target() {
        let html = cook("[click](javascript:alert(1))");
        assert!(!html.as_str().contains("javascript:"), "{}", html.as_str());
    }

    #[test]
    fn links_get_rel_attributes() {
        let html = cook("[NHS](https://www.nhs.uk)");
        assert!(
            html.as_str()
                .contains(r#"rel="noopener noreferrer nofollow""#),
            "{}",
            html.as_str()
        );
    }

    #[test]
    fn tables_and_strikethrough_render() {
        let html = cook("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~");
        assert!(html.as_str().contains("<table>"));
        assert!(html.as_str().contains("<del>old</del>"));
    }

    #[test]
    fn task_lists_render_as_disabled_checkboxes() {
        let html = cook("- [x] done\n- [ ] to do");
        assert!(
            html.as_str().contains(r#"type="checkbox""#),
            "{}",
            html.as_str()
        );
        assert!(html.as_str().contains("disabled"));
    }

    #[test]
    fn bare_web_addresses_become_links_but_not_inside_code() {
        let html = cook("See https://www.nhs.uk/conditions for more. `https://example.org/code`");
        assert!(
            html.as_str()
                .contains(r#"<a href="https://www.nhs.uk/conditions""#),
            "{}",
            html.as_str()
        );
        assert!(
            !html.as_str().contains(r#"href="https://example.org/code""#),
            "{}",
            html.as_str()
        );
    }

    #[test]
    fn prose_ranges_skip_code_and_links() {
        let source = "hi @Kim and `@Code` and [@Link](https://x.org)";
        let ranges = prose_ranges(source);
        let at_kim = source.find("@Kim").unwrap();
        let at_code = source.find("@Code").unwrap();
        let at_link = source.find("@Link").unwrap();
        assert!(ranges.iter().any(|r| r.contains(&at_kim)));
        assert!(!ranges.iter().any(|r| r.contains(&at_code)));
        assert!(!ranges.iter().any(|r| r.contains(&at_link)));
    }

    #[test]
    fn images_only_from_the_web() {
        let html = cook("![x](mailto:a@b.c) ![y](https://example.org/y.png)");
        assert!(!html.as_str().contains("mailto"), "{}", html.as_str());
        assert!(html.as_str().contains("https://example.org/y.png"));
    }
}

/// Marks the start of a search highlight in text on its way to [`highlighted`]: a private-use
/// character, taken out of every text that is indexed, so it never comes from a member.
pub const MARK_OPEN: char = '\u{E000}';
/// Marks the end of a search highlight.
pub const MARK_CLOSE: char = '\u{E001}';

/// What a reader sees of `source` once cooked, as plain text: the words without the Markdown
/// and without HTML tags and comments (ammonia drops those), a line break for each line break
/// and a blank line between blocks, table cells apart by a tab. Link addresses are left out:
/// a reader sees a link's words. For checking what members wrote (`crate::guard`), never for
/// display.
pub fn reader_text(source: &str) -> String {
    visible_text(source, usize::MAX)
}

/// [`reader_text`], stopping early once it holds more than `enough` bytes.
fn visible_text(source: &str, enough: usize) -> String {
    use pulldown_cmark::{Event, TagEnd};
    let mut text = String::new();
    for event in Parser::new_ext(source, options()) {
        match event {
            Event::Text(words) | Event::Code(words) => text.push_str(&words),
            Event::Html(html) | Event::InlineHtml(html) => push_html_text(&mut text, &html),
            Event::FootnoteReference(label) => text.push_str(&label),
            Event::SoftBreak | Event::HardBreak => text.push('\n'),
            Event::End(TagEnd::TableCell) => text.push('\t'),
            Event::End(TagEnd::Item | TagEnd::TableHead | TagEnd::TableRow) => text.push('\n'),
            Event::Rule
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock
                | TagEnd::HtmlBlock
                | TagEnd::List(_)
                | TagEnd::Table,
            ) => text.push_str("\n\n"),
            _ => {}
        }
        if text.len() > enough {
            break;
        }
    }
    text
}

/// What a reader sees of some Markdown, as one line, without highlight markers; stops early
/// once it holds more than `enough` characters.
fn reading_text(source: &str, enough: usize) -> String {
    visible_text(source, enough)
        .split(|c: char| c.is_whitespace() || c == MARK_OPEN || c == MARK_CLOSE)
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The plain text of some Markdown, whole: what the search index holds.
pub fn plain_text(source: &str) -> String {
    reading_text(source, usize::MAX)
}

/// The plain text of some Markdown, cut at a word boundary: for quotes and snippets.
pub fn excerpt(source: &str, max_chars: usize) -> String {
    let text = reading_text(source, max_chars.saturating_mul(8));
    if text.chars().count() <= max_chars {
        return text;
    }
    let cut: String = text.chars().take(max_chars).collect();
    let cut = match cut.rfind(' ') {
        Some(space) if space > max_chars / 2 => &cut[..space],
        _ => cut.as_str(),
    };
    format!("{cut}…")
}

/// Plain text with search highlights ([`MARK_OPEN`] … [`MARK_CLOSE`]) as HTML: the text
/// escaped, each highlight a `<mark>`, every `<mark>` closed.
pub fn highlighted(text: &str) -> SafeHtml {
    let mut html = String::with_capacity(text.len() + 32);
    let mut open = false;
    for c in text.chars() {
        match c {
            MARK_OPEN if !open => {
                html.push_str("<mark>");
                open = true;
            }
            MARK_CLOSE if open => {
                html.push_str("</mark>");
                open = false;
            }
            MARK_OPEN | MARK_CLOSE => {}
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            c if c.is_control() => html.push(' '),
            c => html.push(c),
        }
    }
    if open {
        html.push_str("</mark>");
    }
    SafeHtml(html)
}

#[cfg(test)]
mod excerpt_tests {
    use super::{excerpt, highlighted, plain_text};

    #[test]
    fn excerpts_are_plain_and_short() {
        assert_eq!(
            excerpt("**Bold** and [a link](https://x.org)", 100),
            "Bold and a link"
        );
        let long = "word ".repeat(100);
        let cut = excerpt(&long, 20);
        assert!(cut.ends_with('…'));
        assert!(cut.chars().count() <= 21);
    }

    #[test]
    fn plain_text_drops_markup_html_and_markers() {
        let source =
            "# Pacing\n\n**Rest** <b>before</b> [the diary](https://x.org)\u{E000}.\n\n`<script>`";
        assert_eq!(
            plain_text(source),
            "Pacing Rest before the diary . <script>"
        );
    }

    #[test]
    fn reader_text_is_what_the_page_shows() {
        use super::reader_text;
        assert_eq!(reader_text("943<!-- -->476<!-- -->5919"), "9434765919\n\n");
        assert_eq!(reader_text("943\\-476 **5919**"), "943-476 5919\n\n");
        assert_eq!(
            reader_text("<div>\nMr <b>Smith</b> &#57;<script>x()</script>\n</div>"),
            "\nMr Smith 9\n\n\n"
        );
        assert_eq!(
            reader_text("# Title\nline one\nline two\n\n[words](https://x.org/123)"),
            "Title\n\nline one\nline two\n\nwords\n\n"
        );
        assert_eq!(
            reader_text("| a | b |\n|---|---|\n| 1 | 2 |"),
            "a\tb\t\n1\t2\t\n\n\n"
        );
    }

    #[test]
    fn highlights_are_escaped_and_balanced() {
        let html = highlighted("a <script>\u{E000}pacing\u{E001} & \u{E001}\u{E000}\"more");
        assert_eq!(
            html.as_str(),
            "a &lt;script&gt;<mark>pacing</mark> &amp; <mark>&quot;more</mark>"
        );
    }
}
