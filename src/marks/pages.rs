//! The marks in every page's footer, and the admins' page that adds and removes them.

use maud::{html, Markup};

use super::entries::{FooterMark, ListedMark};
use super::routes::MarkForm;
use super::values::{AltText, MarkName, MarkRole, MAX_BYTES};
use crate::admin::pages::admin_nav;
use crate::web::forms::{csrf_field, file_field, select_field, text_field, FieldErrors, Input};
use crate::web::layout::{long_date, FormPage};
use crate::web::PageCtx;

/// Who runs the programme and who stands with it, each a mark with its name under it.
pub fn footer_marks(marks: &[FooterMark]) -> Markup {
    let group = |role: MarkRole| marks.iter().filter(move |mark| mark.role == role);
    html! {
        @if !marks.is_empty() {
            section.footer-marks aria-labelledby="footer-marks-heading" {
                h2.visually-hidden #footer-marks-heading { "The programme and its partners" }
                @for (role, heading) in [(MarkRole::Programme, "Run by"), (MarkRole::Partner, "With")] {
                    @if group(role).next().is_some() {
                        div.mark-group {
                            p.mark-group-heading { (heading) }
                            ul.marks {
                                @for mark in group(role) {
                                    li.mark {
                                        img src=(mark.src()) alt=(mark.alt_text) loading="lazy" decoding="async";
                                        span.mark-name { (mark.name) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The admins' list of marks and the form for a new one.
pub fn admin(ctx: &PageCtx, marks: &[ListedMark], form: &MarkForm, errors: &FieldErrors) -> Markup {
    let roles: Vec<(&str, &str)> = MarkRole::ALL
        .iter()
        .map(|r| (r.slug(), r.label()))
        .collect();
    FormPage::new(ctx, "Programme and partner marks", errors)
        .top(admin_nav(ctx))
        .render(html! {
            h1 { "Programme and partner marks" }
            p { "The logos in the foot of every page, public pages too: the programme's own first, then its partners', each with the organisation's name under it." }
            @if marks.is_empty() {
                p { "No marks yet: the footer shows SPOT's own words and links only." }
            } @else {
                ul.plain-list.mark-admin-list {
                    @for listed in marks {
                        li {
                            img.mark-preview src=(listed.mark.src()) alt=(listed.mark.alt_text);
                            div {
                                p { strong { (listed.mark.name) } " – " (if listed.mark.role == MarkRole::Programme { "the programme's" } else { "a partner's" }) }
                                p.muted { "Alternative text: “" (listed.mark.alt_text) "”. " (image_kind(&listed.content_type)) ", " ((listed.size + 1023) / 1024) " KB, added " (long_date(listed.added_at)) "." }
                                form method="post" action={ "/admin/marks/" (listed.mark.id) "/remove" } {
                                    (csrf_field(ctx))
                                    button.button.button-warning type="submit" { "Remove" span.visually-hidden { " " (listed.mark.name) "'s mark" } }
                                }
                            }
                        }
                    }
                }
            }
            h2 { "Add a mark" }
            // The token comes first: the upload guard reads it before the file.
            form method="post" action="/admin/marks" enctype="multipart/form-data" novalidate {
                (csrf_field(ctx))
                (text_field("name", "Organisation's name", &form.name, errors,
                    Input::text().required().max_length(MarkName::MAX).hint("Shown under the mark, for example: University of Salford")))
                (text_field("alt_text", "Alternative text", &form.alt_text, errors,
                    Input::text().required().max_length(AltText::MAX).hint("What a screen reader says for the image: usually the words in the logo, for example: University of Salford logo")))
                (select_field("role", "Whose mark is it?", &form.role, &roles, Some("Choose one"), errors))
                (file_field("file", "Image", &format!("A PNG or WebP image, up to {} KB. SVG is not accepted: it can carry scripts.", MAX_BYTES / 1024), Some("image/png,image/webp"), errors))
                button.button type="submit" { "Add the mark" }
            }
        })
}

fn image_kind(mime: &str) -> &'static str {
    match mime {
        "image/webp" => "WebP",
        _ => "PNG",
    }
}
