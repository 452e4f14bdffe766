//! The links between the pages of a list. The page types themselves are the database
//! layer's ([`crate::db::paging`]), so that queries need nothing from the web layer.

use maud::{html, Markup};

pub use crate::db::paging::{PageNumber, Paged};

/// "Previous / Page 2 of 7 / Next" links; `href` builds the URL of a page number.
pub fn pagination<T>(paged: &Paged<T>, href: impl Fn(u32) -> String) -> Markup {
    page_links(paged.page, paged.last_page(), href)
}

pub fn page_links(page: u32, last: u32, href: impl Fn(u32) -> String) -> Markup {
    html! {
        @if last > 1 {
            nav.pagination aria-label="Pages" {
                @if page > 1 {
                    a rel="prev" href=(href(page - 1)) { "Previous" span.visually-hidden { " page" } }
                }
                span { "Page " (page) " of " (last) }
                @if page < last {
                    a rel="next" href=(href(page + 1)) { "Next" span.visually-hidden { " page" } }
                }
            }
        }
    }
}

/// `?page=N` in a list's address, for `web::Query`: a missing or odd number is the first page.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PageQuery {
    page: Option<String>,
}

impl PageQuery {
    pub fn number(&self) -> PageNumber {
        PageNumber::parse(self.page.as_deref())
    }
}
