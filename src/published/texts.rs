//! Each published page's text: an admin's version when there is one, SPOT's own otherwise.
//! Markdown is cooked once, when it is saved (SPOT's own text, once per process).

use std::sync::OnceLock;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::Published;
use crate::accounts::members::Viewer;
use crate::audit;
use crate::db::{DbConn, MemberId, WriteConn};
use crate::markdown::{self, SafeHtml};
use crate::rules::RuleError;
use crate::schema::{members, site_pages};
use crate::Site;

/// A page's text as it stands.
#[derive(Debug, Clone)]
pub struct PageText {
    pub page: Published,
    pub source: String,
    pub html: SafeHtml,
    /// When an admin last changed it, and who (`None`: SPOT's own text).
    pub changed: Option<Changed>,
}

#[derive(Debug, Clone)]
pub struct Changed {
    pub at: NaiveDateTime,
    /// `None` when that admin's account has gone.
    pub by: Option<String>,
}

impl PageText {
    /// Whether the text still has a part marked for the site's owners to fill in.
    pub fn to_fill_in(&self) -> bool {
        self.source.contains("[To fill in")
    }

    /// The text as readers see it, with the site's figures in place of their placeholders
    /// ([`figures`]).
    pub fn for_readers(&self, site: &Site) -> SafeHtml {
        self.html.filled(&figures(site))
    }
}

/// What a page's text may quote from the site's settings: `{retention.<kind>}` for each
/// retention period, and `{session.lifetime}`.
///
/// Placeholders are filled in when a page is shown, not when it is saved: the periods are
/// settings, which an operator changes in the environment without anyone editing the page,
/// and the notice must never quote an old one. Keeping them placeholders (rather than
/// appending a generated section) lets an admin word the notice around them. They are
/// filled into the cooked HTML as escaped text, so the page is still only what ammonia let
/// through.
pub fn figures(site: &Site) -> Vec<(String, String)> {
    let mut figures = site.retention.placeholders();
    let days = (site.session_lifetime.as_secs() / (24 * 60 * 60)).max(1);
    figures.push((
        "{session.lifetime}".into(),
        crate::retention::in_words(u32::try_from(days).unwrap_or(u32::MAX)),
    ));
    figures
}

/// SPOT's own text for a page, cooked the first time it is asked for.
fn shipped(page: Published) -> PageText {
    static COOKED: OnceLock<Vec<SafeHtml>> = OnceLock::new();
    let cooked = COOKED.get_or_init(|| {
        Published::ALL
            .iter()
            .map(|page| markdown::cook(page.default_source()))
            .collect()
    });
    let index = Published::ALL.iter().position(|p| *p == page).unwrap_or(0);
    PageText {
        page,
        source: page.default_source().to_owned(),
        html: cooked[index].clone(),
        changed: None,
    }
}

type Row = (
    Published,
    String,
    SafeHtml,
    NaiveDateTime,
    Option<MemberId>,
    Option<String>,
);

fn stored(conn: &mut DbConn, only: Option<Published>) -> QueryResult<Vec<PageText>> {
    let mut query = site_pages::table
        .left_join(members::table.on(members::id.nullable().eq(site_pages::updated_by)))
        .select((
            site_pages::slug,
            site_pages::body_source,
            site_pages::body_html,
            site_pages::updated_at,
            site_pages::updated_by,
            members::display_name.nullable(),
        ))
        .into_boxed();
    if let Some(page) = only {
        query = query.filter(site_pages::slug.eq(page));
    }
    let rows: Vec<Row> = query.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(page, source, html, at, _, by)| PageText {
            page,
            source,
            html,
            changed: Some(Changed { at, by }),
        })
        .collect())
}

/// The page's text as readers see it now.
pub fn current(conn: &mut DbConn, page: Published) -> QueryResult<PageText> {
    Ok(stored(conn, Some(page))?
        .pop()
        .unwrap_or_else(|| shipped(page)))
}

/// Every page's text, in the footer's order: for the admins' list.
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<PageText>> {
    let mut stored = stored(conn, None)?;
    Ok(Published::ALL
        .iter()
        .map(
            |page| match stored.iter().position(|text| text.page == *page) {
                Some(at) => stored.swap_remove(at),
                None => shipped(*page),
            },
        )
        .collect())
}

/// A page's Markdown as an admin wrote it: not empty, at most [`PageMarkdown::MAX`]
/// characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageMarkdown(String);

impl PageMarkdown {
    pub const MAX: usize = 50_000;

    pub fn parse(input: &str) -> Result<Self, String> {
        let text = input.trim();
        if text.is_empty() {
            return Err("Enter the page's text".into());
        }
        if text.chars().count() > Self::MAX {
            return Err(format!(
                "The page's text must be {} characters or fewer",
                Self::MAX
            ));
        }
        Ok(Self(text.replace("\r\n", "\n")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn require_admin(actor: &Viewer) -> Result<(), RuleError> {
    if actor.staff.is_admin() {
        Ok(())
    } else {
        Err(RuleError::forbidden(
            "Only SPOT's admins change the published pages.",
        ))
    }
}

/// An admin rewrites a page: cooked now, shown to everyone at once, and logged.
pub fn save(
    conn: &mut WriteConn,
    actor: &Viewer,
    page: Published,
    text: &PageMarkdown,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    require_admin(actor)?;
    let conn: &mut DbConn = conn;
    diesel::delete(site_pages::table.find(page)).execute(conn)?;
    diesel::insert_into(site_pages::table)
        .values((
            site_pages::slug.eq(page),
            site_pages::body_source.eq(text.as_str()),
            site_pages::body_html.eq(markdown::cook(text.as_str())),
            site_pages::updated_at.eq(now),
            site_pages::updated_by.eq(actor.id),
        ))
        .execute(conn)?;
    log(conn, actor, page, "published page changed", now)?;
    Ok(())
}

/// An admin goes back to SPOT's own text for a page.
pub fn restore(
    conn: &mut WriteConn,
    actor: &Viewer,
    page: Published,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    require_admin(actor)?;
    let conn: &mut DbConn = conn;
    if diesel::delete(site_pages::table.find(page)).execute(conn)? > 0 {
        log(
            conn,
            actor,
            page,
            "published page restored to SPOT's text",
            now,
        )?;
    }
    Ok(())
}

fn log(
    conn: &mut DbConn,
    actor: &Viewer,
    page: Published,
    action: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    audit::record(
        conn,
        &audit::Entry {
            actor: Some(actor.id),
            action,
            target_member: None,
            subject: &page.label().to_lowercase(),
            reason: "",
        },
        now,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_text_is_not_empty_nor_endless() {
        assert!(PageMarkdown::parse("  \n ").is_err());
        assert!(PageMarkdown::parse(&"x".repeat(PageMarkdown::MAX + 1)).is_err());
        assert_eq!(
            PageMarkdown::parse(" ## Hello\r\nthere ").unwrap().as_str(),
            "## Hello\nthere"
        );
    }

    #[test]
    fn shipped_texts_are_cooked_and_marked_where_they_need_filling_in() {
        let privacy = shipped(Published::Privacy);
        assert!(privacy.html.as_str().contains("<table>"));
        assert!(privacy.to_fill_in());
        assert!(!shipped(Published::Guidelines).to_fill_in());
    }
}
