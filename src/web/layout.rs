//! The page shell every page shares: header, navigation, flash messages, footer.

use maud::{html, Markup, DOCTYPE};

use super::context::PageCtx;
use super::forms::{error_summary, FieldErrors};

/// The main menu: only sections that exist (search is the box in the header).
const NAV: [(&str, &str); 5] = [
    ("/", "Home"),
    ("/forum", "Forum"),
    ("/resources", "Resources"),
    ("/courses", "Courses"),
    ("/members", "Members"),
];

pub fn layout(ctx: &PageCtx, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en-GB" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – SPOT" }
                link rel="stylesheet" href=(super::assets::STYLESHEET_URL);
                link rel="icon" href="/assets/favicon.svg" type="image/svg+xml";
                script src=(super::assets::script_url()) defer {}
                link rel="icon" href="/assets/icon-32.png" type="image/png" sizes="32x32";
                link rel="apple-touch-icon" href="/assets/apple-touch-icon.png";
                link rel="manifest" href="/manifest.webmanifest";
                meta name="theme-color" content="#005eb8";
            }
            body {
                a.skip-link href="#main" { "Skip to main content" }
                header.site-header {
                    div.container.header-row {
                        a.brand href="/" {
                            span.brand-mark { "SPOT" }
                            span.brand-tag { "Social prescribers and occupational therapists" }
                        }
                        (menu(ctx))
                    }
                }
                div.container {
                    @for message in &ctx.flash {
                        div.flash role="status" { p { (message) } }
                    }
                    main #main tabindex="-1" {
                        (body)
                    }
                }
                (footer(ctx))
            }
        }
    }
}

/// The site's menu: search, sections and the account's links. On a phone it is one
/// "Menu" disclosure under the brand (a `details`, so it opens without JavaScript); on a
/// wider screen the stylesheet shows its contents in the header and hides the toggle.
fn menu(ctx: &PageCtx) -> Markup {
    let unread = ctx.unread + ctx.unread_messages;
    html! {
        details.site-menu.wide-open {
            summary.menu-toggle {
                "Menu"
                @if unread > 0 {
                    " " span.unread-count { (unread) } span.visually-hidden { " unread" }
                }
            }
            div.menu-panel {
                (search_box())
                nav.site-nav aria-label="Main" {
                    ul {
                        @for (href, label) in NAV {
                            @let current = is_current(&ctx.path, href);
                            li { a href=(href) aria-current=[current.then_some("page")] { (label) } }
                        }
                    }
                }
                (account_links(ctx))
            }
        }
    }
}

/// The foot of every page: what SPOT is, the published pages, and who runs the programme.
fn footer(ctx: &PageCtx) -> Markup {
    html! {
        footer.site-footer {
            div.container {
                div.footer-brand {
                    span.brand-mark { "SPOT" }
                    p {
                        "SPOT brings Greater Manchester's social-prescribing link workers and "
                        "occupational therapists together: short online courses, then a community of practice."
                    }
                }
                p { "Please never post anything that could identify a patient or service user." }
                (crate::published::pages::footer_links())
                (crate::marks::pages::footer_marks(&ctx.marks))
            }
        }
    }
}

/// One box on every page, a search landmark; results at `/search`.
fn search_box() -> Markup {
    html! {
        form.header-search role="search" aria-label="Site" method="get" action="/search" {
            label.visually-hidden for="site-search" { "Search SPOT" }
            input.input #site-search type="search" name="q" maxlength="500" autocomplete="off";
            button.button.header-search-button type="submit" { "Search" }
        }
    }
}

fn account_links(ctx: &PageCtx) -> Markup {
    html! {
        div.account-links {
            @if let Some(viewer) = &ctx.viewer {
                a href="/notifications" aria-current=[(ctx.path == "/notifications").then_some("page")] {
                    "Notifications"
                    @if ctx.unread > 0 {
                        " " span.unread-count { (ctx.unread) } span.visually-hidden { " unread" }
                    }
                }
                a href="/messages" aria-current=[(ctx.path == "/messages").then_some("page")] {
                    "Messages"
                    @if ctx.unread_messages > 0 {
                        " " span.unread-count { (ctx.unread_messages) } span.visually-hidden { " unread" }
                    }
                }
                a href="/account" { "Your account (" (viewer.display_name) ")" }
                @if viewer.staff.is_admin() {
                    a href="/admin/members" { "Admin" }
                }
                form.inline-form method="post" action="/logout" {
                    (super::forms::csrf_field(ctx))
                    button.link-button type="submit" { "Sign out" }
                }
            } @else {
                a href="/login" { "Sign in" }
                a href="/register" { "Register" }
            }
        }
    }
}

fn is_current(path: &str, href: &str) -> bool {
    if href == "/" {
        path == "/"
    } else {
        path == href || path.starts_with(&format!("{href}/"))
    }
}

/// A list's filters: on a phone they fold into a disclosure (open while any filter is
/// chosen), so the list's first item shows on the first screen; on a wider screen they
/// simply show.
pub fn folding_filters(label: &str, open: bool, form: Markup) -> Markup {
    html! {
        details.filters.wide-open open[open] {
            summary.filters-toggle { (label) }
            (form)
        }
    }
}

/// A page around a form. While the form has errors its title reads "Error: <title>" and the
/// error summary opens the page's content, below only what `top` puts above it:
/// `FormPage::new(ctx, "Sign in", errors).narrow().render(html! { h1 { "Sign in" } … })`.
pub struct FormPage<'a> {
    ctx: &'a PageCtx,
    title: &'a str,
    errors: &'a FieldErrors,
    top: Option<Markup>,
    narrow: bool,
}

impl<'a> FormPage<'a> {
    pub fn new(ctx: &'a PageCtx, title: &'a str, errors: &'a FieldErrors) -> Self {
        Self {
            ctx,
            title,
            errors,
            top: None,
            narrow: false,
        }
    }

    /// What comes above the error summary: breadcrumbs, a section menu, or a heading.
    pub fn top(mut self, top: Markup) -> Self {
        self.top = Some(top);
        self
    }

    /// The content in the narrow reading column (`div.narrow`), the summary inside it.
    pub fn narrow(mut self) -> Self {
        self.narrow = true;
        self
    }

    pub fn render(self, body: Markup) -> Markup {
        let title = if self.errors.is_empty() {
            self.title.to_owned()
        } else {
            format!("Error: {}", self.title)
        };
        let content = html! {
            @if let Some(top) = self.top { (top) }
            (error_summary(self.errors))
            (body)
        };
        let content = if self.narrow {
            html! { div.narrow { (content) } }
        } else {
            content
        };
        layout(self.ctx, &title, content)
    }
}

/// A page for an error, drawn for the member who met it.
pub fn error_page(ctx: &PageCtx, title: &str, message: &str) -> Markup {
    layout(
        ctx,
        title,
        html! {
            h1 { (title) }
            p { (message) }
            p { a href="/" { "Go to the SPOT home page" } }
        },
    )
}

/// "3 minutes", "1 minute", "40 seconds".
pub fn wait_phrase(seconds: u64) -> String {
    if seconds >= 60 {
        let minutes = seconds.div_ceil(60);
        format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" })
    } else {
        format!("{seconds} second{}", if seconds == 1 { "" } else { "s" })
    }
}

/// A date as members read it: "25 November 2026".
pub fn long_date(at: chrono::NaiveDateTime) -> String {
    at.format("%-d %B %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_phrase_rounds_up_to_minutes() {
        assert_eq!(wait_phrase(1), "1 second");
        assert_eq!(wait_phrase(59), "59 seconds");
        assert_eq!(wait_phrase(60), "1 minute");
        assert_eq!(wait_phrase(61), "2 minutes");
    }

    #[test]
    fn nav_marks_the_section_not_its_prefix_lookalikes() {
        assert!(is_current("/members/4", "/members"));
        assert!(!is_current("/membership", "/members"));
        assert!(is_current("/", "/"));
        assert!(!is_current("/forum", "/"));
    }
}

/// A moment in London time, as members read it: "25 Nov 2026, 2:05pm".
pub fn london_time(at: chrono::NaiveDateTime) -> String {
    use chrono::TimeZone;
    let local = chrono_tz::Europe::London.from_utc_datetime(&at);
    local.format("%-d %b %Y, %-I:%M%P").to_string()
}

/// A `<time>` element: machine-readable UTC, London time for people.
pub fn time_tag(at: chrono::NaiveDateTime) -> maud::Markup {
    html! {
        time datetime={ (at.format("%Y-%m-%dT%H:%M:%SZ")) } { (london_time(at)) }
    }
}

#[cfg(test)]
mod time_tests {
    use super::london_time;
    use chrono::NaiveDate;

    #[test]
    fn london_time_follows_the_clocks() {
        let winter = NaiveDate::from_ymd_opt(2026, 1, 15)
            .unwrap()
            .and_hms_opt(14, 5, 0)
            .unwrap();
        assert_eq!(london_time(winter), "15 Jan 2026, 2:05pm");
        let summer = NaiveDate::from_ymd_opt(2026, 7, 15)
            .unwrap()
            .and_hms_opt(13, 0, 0)
            .unwrap();
        assert_eq!(london_time(summer), "15 Jul 2026, 2:00pm");
    }
}

/// The way back up: (label, address) pairs, the top of the site first.
pub fn breadcrumbs(trail: &[(&str, String)]) -> Markup {
    html! {
        nav.breadcrumbs aria-label="Breadcrumb" {
            ol {
                @for (label, href) in trail {
                    li { a href=(href) { (label) } }
                }
            }
        }
    }
}

/// A row of links within a section, the current page marked for people and screen readers.
/// The facilitators' menu, on every moderation page.
pub fn moderation_nav(ctx: &PageCtx) -> Markup {
    sub_nav(
        ctx,
        "Moderation",
        &[
            ("/facilitating", "What you look after"),
            ("/moderation", "Reported posts"),
            ("/moderation/held", "Held items"),
            ("/moderation/messages", "Reported messages"),
            ("/moderation/applications", "Applications"),
            ("/moderation/contact", "Contact messages"),
            ("/invitations", "Invitations"),
            ("/moderation/log", "Audit log"),
        ],
    )
}

pub fn sub_nav(ctx: &PageCtx, label: &str, links: &[(&str, &str)]) -> Markup {
    html! {
        nav.sub-nav aria-label=(label) {
            @for (href, text) in links {
                a href=(href) aria-current=[(ctx.path == *href).then_some("page")] { (text) }
            }
        }
    }
}
