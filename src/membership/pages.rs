//! The facilitators' pages: the queue of applicants, and invitation links.

use chrono::NaiveDateTime;
use maud::{html, Markup};

use super::applications::Applicant;
use super::invitations::{Label, Listed, Uses, ValidDays};
use crate::db::paging::Paged;
use crate::forum::values::Reason;
use crate::web::forms::{csrf_field, text_field, FieldErrors, Input};
use crate::web::layout::{moderation_nav, time_tag, FormPage};
use crate::web::paging::pagination;
use crate::web::PageCtx;

pub fn applications(ctx: &PageCtx, waiting: &Paged<Applicant>) -> Markup {
    FormPage::new(ctx, "Applications to join", &FieldErrors::new())
        .top(moderation_nav(ctx))
        .render(html! {
            h1 { "Applications to join" }
            p { "People whose email address is not in a recognised NHS or council domain, and who did not come by an invitation, wait here after confirming their address. Approve those who work as link workers or occupational therapists in Greater Manchester; decline with a reason otherwise. The applicant is emailed either way." }
            @if waiting.items.is_empty() {
                p { "Nobody is waiting. Thank you." }
            }
            @for applicant in &waiting.items {
                article.card.queue-item aria-labelledby={ "applicant-" (applicant.id) } {
                    h2.card-title id={ "applicant-" (applicant.id) } { (applicant.display_name) }
                    dl.summary-list {
                        dt { "Email address" } dd { (applicant.email) }
                        dt { "Role" } dd { (applicant.role.label()) }
                        dt { "Borough" } dd { (applicant.borough.label()) }
                        dt { "Organisation" } dd { (applicant.organisation) }
                        dt { "About their work" }
                        dd { @if applicant.about_work.is_empty() { span.muted { "(not given)" } } @else { (applicant.about_work) } }
                        dt { "Applied" } dd { (time_tag(applicant.submitted_at)) }
                        @if let Some(label) = &applicant.invitation {
                            dt { "Invitation" } dd { (label) " (it had run out when they confirmed)" }
                        }
                    }
                    div.tool-row {
                        form method="post" action={ "/moderation/applications/" (applicant.id) "/approve" } {
                            (csrf_field(ctx))
                            button.button type="submit" { "Approve " (applicant.display_name) }
                        }
                        form method="post" action={ "/moderation/applications/" (applicant.id) "/decline" } {
                            (csrf_field(ctx))
                            label.label for={ "decline-" (applicant.id) } { "Reason for declining (sent to the applicant)" }
                            input.input id={ "decline-" (applicant.id) } name="reason" maxlength=(Reason::MAX) required;
                            button.button.button-warning type="submit" { "Decline" }
                        }
                    }
                }
            }
            (pagination(waiting, |page| format!("/moderation/applications?page={page}")))
        })
}

/// The invitation form as sent, and as shown again with its errors.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(default)]
pub struct InvitationForm {
    pub label: String,
    pub uses: String,
    pub valid_days: String,
}

impl Default for InvitationForm {
    fn default() -> Self {
        Self {
            label: String::new(),
            uses: "1".into(),
            valid_days: "14".into(),
        }
    }
}

pub fn invitations(
    ctx: &PageCtx,
    form: &InvitationForm,
    errors: &FieldErrors,
    listed: &Paged<Listed>,
    now: NaiveDateTime,
) -> Markup {
    let viewer = ctx.viewer.as_ref();
    let may_revoke = |invitation: &Listed| {
        viewer.is_some_and(|v| v.staff.is_admin() || invitation.created_by == Some(v.id))
    };
    FormPage::new(ctx, "Invitations", errors)
        .top(moderation_nav(ctx))
        .render(html! {
            h1 { "Invitations" }
            p { "An invitation link lets people join without waiting for approval, whatever their email address: they are let in as soon as they confirm it. Make one for a person, or one for a course cohort with as many uses as there are places. The link is shown once, when you make it." }
            h2 { "Make an invitation" }
            form method="post" action="/invitations" novalidate {
                (csrf_field(ctx))
                (text_field("label", "Who it is for", &form.label, errors,
                    Input::text().required().max_length(Label::MAX)
                        .hint("For example \"Bolton cohort, March\" or \"Sam Jones, Age UK Wigan\". Members do not see this.")))
                (text_field("uses", "How many people may use it", &form.uses, errors,
                    Input::of("number").required().hint(&format!("1 for one person, up to {}.", Uses::MAX))))
                (text_field("valid_days", "Days it works for", &form.valid_days, errors,
                    Input::of("number").required().hint(&format!("From 1 to {} days.", ValidDays::MAX))))
                button.button type="submit" { "Make invitation link" }
            }
            h2 { "Invitations made" }
            @if listed.items.is_empty() {
                p { "None yet." }
            } @else {
                div.table-scroll {
                    table.table {
                        caption.visually-hidden { "Invitations, newest first" }
                        thead { tr { th scope="col" { "For" } th scope="col" { "Made by" } th scope="col" { "Used" } th scope="col" { "Works until" } th scope="col" { "State" } th scope="col" { span.visually-hidden { "Actions" } } } }
                        tbody {
                            @for invitation in &listed.items {
                                tr {
                                    td { (invitation.label) }
                                    td { (invitation.made_by.as_deref().unwrap_or("(former member)")) " · " (time_tag(invitation.created_at)) }
                                    td { (invitation.uses) " of " (invitation.max_uses) }
                                    td { (time_tag(invitation.expires_at)) }
                                    td {
                                        @if invitation.revoked_at.is_some() { strong.tag.tag-red { "Revoked" } }
                                        @else if invitation.works(now) { strong.tag { "Works" } }
                                        @else { strong.tag { "Ended" } }
                                    }
                                    td {
                                        @if invitation.revoked_at.is_none() && invitation.works(now) && may_revoke(invitation) {
                                            form.inline-form method="post" action={ "/invitations/" (invitation.id) "/revoke" } {
                                                (csrf_field(ctx))
                                                button.link-action type="submit" { "Revoke" span.visually-hidden { " the invitation for " (invitation.label) } }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            (pagination(listed, |page| format!("/invitations?page={page}")))
        })
}
