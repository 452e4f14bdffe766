//! The published pages as everyone reads them, and the admins' pages that change them.

use maud::{html, Markup};
use serde::Deserialize;

use super::texts::{PageMarkdown, PageText};
use super::Published;
use crate::admin::pages::admin_nav;
use crate::markdown::SafeHtml;
use crate::web::forms::{csrf_field, textarea_field, FieldErrors};
use crate::web::layout::{layout, long_date, FormPage};
use crate::web::PageCtx;

/// "Last changed 7 December 2026", or nothing for SPOT's own text.
fn last_changed(text: &PageText) -> Markup {
    html! {
        @if let Some(changed) = &text.changed {
            p.muted { "Last updated " (long_date(changed.at)) "." }
        }
    }
}

/// A published page: its title, then its text with the site's figures filled in.
pub fn published(ctx: &PageCtx, text: &PageText, html: &SafeHtml) -> Markup {
    layout(
        ctx,
        text.page.label(),
        html! {
            div.narrow {
                h1 { (text.page.label()) }
                div.prose { (html) }
                (last_changed(text))
            }
        },
    )
}

/// The links to every published page, for the footer of every page.
pub fn footer_links() -> Markup {
    html! {
        nav aria-label="About SPOT" {
            ul.footer-links {
                @for page in Published::ALL {
                    li { a href=(page.path()) { (page.link_text()) } }
                }
            }
        }
    }
}

/// The admins' list of published pages.
pub fn list(ctx: &PageCtx, texts: &[PageText]) -> Markup {
    layout(
        ctx,
        "Published pages – admin",
        html! {
            (admin_nav(ctx))
            h1 { "Published pages" }
            p { "The pages every visitor can read, linked from the foot of every page. Each starts with a text written for SPOT; change any of them here, in Markdown." }
            div.table-scroll tabindex="0" role="region" aria-label="Published pages" { table.table {
                caption.visually-hidden { "Published pages" }
                thead { tr { th scope="col" { "Page" } th scope="col" { "Text" } th scope="col" { "Needs" } } }
                tbody {
                    @for text in texts {
                        tr {
                            td { a href={ "/admin/pages/" (text.page.slug()) } { (text.page.label()) } }
                            td {
                                @match &text.changed {
                                    Some(changed) => {
                                        "Changed " (long_date(changed.at))
                                        @if let Some(by) = &changed.by { " by " (by) }
                                    }
                                    None => "SPOT's own text",
                                }
                            }
                            td {
                                @if text.to_fill_in() { strong.tag.tag-red { "Parts to fill in" } }
                            }
                        }
                    }
                }
            } }
        },
    )
}

/// The edit form as sent, and as shown again with its errors.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PageForm {
    pub body: String,
}

impl PageForm {
    pub fn of(text: &PageText) -> Self {
        Self {
            body: text.source.clone(),
        }
    }

    pub fn parse(&self) -> Result<PageMarkdown, FieldErrors> {
        PageMarkdown::parse(&self.body).map_err(|message| FieldErrors::one("body", message))
    }
}

/// An admin changes a page's text. `figures`: what each placeholder reads as now.
pub fn edit(
    ctx: &PageCtx,
    text: &PageText,
    form: &PageForm,
    errors: &FieldErrors,
    figures: &[(String, String)],
) -> Markup {
    let page = text.page;
    let title = format!("Change the {}", page.label().to_lowercase());
    let action = format!("/admin/pages/{}", page.slug());
    FormPage::new(ctx, &title, errors)
        .top(admin_nav(ctx))
        .render(html! {
            h1 { (title) }
            p { "Everyone reads it at " a href=(page.path()) { (page.path()) } ", linked from the foot of every page. The page's title stays \u{201c}" (page.label()) "\u{201d}: start the text with its first paragraph, and use ## for headings." }
            @if text.to_fill_in() {
                div.warning-callout {
                    h2 { "Parts to fill in" }
                    p { "This text still has parts in square brackets starting \u{201c}To fill in\u{201d}. Replace them with your organisation's details before SPOT goes live." }
                }
            }
            form method="post" action=(action) novalidate {
                (csrf_field(ctx))
                (textarea_field("body", "The page's text (Markdown)", &form.body, errors,
                    Some("Markdown: blank lines between paragraphs, ## for a heading, - for a list, [words](https://address) for a link. HTML is removed."), 30))
                button.button type="submit" { "Save and publish" }
            }
            h2 { "Figures from SPOT's settings" }
            p { "Write one of these anywhere in the text and readers see the setting as it is now, even after it changes:" }
            div.table-scroll tabindex="0" role="region" aria-label="Figures from SPOT's settings" { table.table {
                caption.visually-hidden { "Placeholders and what they read as now" }
                thead { tr { th scope="col" { "Write" } th scope="col" { "Readers see" } } }
                tbody {
                    @for (placeholder, value) in figures {
                        tr { td { code { (placeholder) } } td { (value) } }
                    }
                }
            } }
            @if text.changed.is_some() {
                h2 { "SPOT's own text" }
                form method="post" action={ (action) "/restore" } {
                    (csrf_field(ctx))
                    p { "Go back to the text SPOT came with, written for SPOT. Your version is not kept." }
                    button.button.button-secondary type="submit" { "Go back to SPOT's own text" }
                }
            }
        })
}
