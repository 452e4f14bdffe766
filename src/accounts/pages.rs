//! Account pages: plain structs in, markup out.

use crate::holds::pages::held_notice;
use crate::holds::Hold;
use maud::{html, Markup};

use super::members::Member;
use super::values::{Borough, DisplayName, Organisation, Role};
use crate::membership::applications::Standing;
use crate::membership::invitations::Live;
use crate::web::forms::{
    checkbox_field, confirm_patient_data_field, csrf_field, select_field, text_field,
    textarea_field, FieldErrors, Input,
};
use crate::web::layout::long_date;
use crate::web::layout::{layout, FormPage};
use crate::web::PageCtx;

/// The registration form as sent, and as shown again with its errors: the visitor's own
/// values, never the password.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct RegisterForm {
    pub email: String,
    pub display_name: String,
    #[serde(skip_serializing)]
    pub password: String,
    pub role: String,
    pub borough: String,
    pub organisation: String,
    pub about_work: String,
    /// The token of the invitation link the visitor came by.
    pub invite: String,
    pub next: String,
}

/// `invitation`: who invited the visitor, when they came by a link that still works;
/// `Some(None)` for a link that no longer does.
pub fn register(
    ctx: &PageCtx,
    form: &RegisterForm,
    invitation: Option<Option<&Live>>,
    errors: &FieldErrors,
) -> Markup {
    FormPage::new(ctx, "Join SPOT", errors)
        .narrow()
        .render(html! {
            h1 { "Join SPOT" }
            p.lede {
                "For social-prescribing link workers and occupational therapists working in "
                "Greater Manchester. It takes a minute."
            }
            @match invitation {
                Some(Some(live)) => div.notice {
                    p { "You have an invitation"
                        @if let Some(by) = &live.made_by { " from " (by) }
                        " (" (live.label) "). Once you confirm your email address you can take part straight away." }
                },
                Some(None) => div.notice {
                    p { "This invitation link no longer works: it has expired, been used up or been withdrawn. You can still apply: a facilitator will look at your application." }
                },
                None => p {
                    "With an NHS or council email address you can take part as soon as you confirm it. "
                    "With any other address (many link workers work for charities) a facilitator checks your application first, usually within two working days."
                },
            }
            form method="post" action="/register" novalidate {
                (csrf_field(ctx))
                input type="hidden" name="next" value=(form.next);
                input type="hidden" name="invite" value=(form.invite);
                (text_field("email", "Email address", &form.email, errors,
                    Input::of("email").autocomplete("email").required()
                        .hint("Your work email. Other members do not see it.")))
                (text_field("display_name", "Your name", &form.display_name, errors,
                    Input::text().autocomplete("name").required().max_length(DisplayName::MAX)
                        .hint("How other members will see you, for example Sam Jones.")))
                (select_field("role", "Your role", &form.role, &Role::options(), Some("Choose your role"), errors))
                (select_field("borough", "The borough you work in", &form.borough, &Borough::options(), Some("Choose a borough"), errors))
                (text_field("organisation", "Organisation or service", &form.organisation, errors,
                    Input::text().autocomplete("organization").required().max_length(Organisation::MAX)
                        .hint("For example Wigan Social Prescribing Service, or Salford Royal OT team.")))
                (textarea_field("about_work", "About your work (optional)", &form.about_work, errors,
                    Some("A line or two for the facilitator who checks applications, for example \"Link worker at Age UK Salford, working with two GP practices\". Please do not mention patients."), 3))
                (text_field("password", "Create a password", "", errors,
                    Input::of("password").autocomplete("new-password").required()
                        .hint("At least 12 characters. Three random words make a strong password that is easy to remember.")))
                button.button type="submit" { "Create account" }
            }
            p { "Already a member? " a href="/login" { "Sign in" } }
        })
}

pub fn login(ctx: &PageCtx, email: &str, next: &str, errors: &FieldErrors) -> Markup {
    FormPage::new(ctx, "Sign in", errors)
        .narrow()
        .render(html! {
            h1 { "Sign in" }
            form method="post" action="/login" novalidate {
                (csrf_field(ctx))
                input type="hidden" name="next" value=(next);
                (text_field("email", "Email address", email, errors,
                    Input::of("email").autocomplete("username").required()))
                (text_field("password", "Password", "", errors,
                    Input::of("password").autocomplete("current-password").required()))
                button.button type="submit" { "Sign in" }
            }
            p { a href="/password-reset" { "Forgotten your password?" } }
            p { "New to SPOT? " a href="/register" { "Create an account" } }
        })
}

/// The profile form as sent, and as shown again with its errors.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    pub display_name: String,
    pub organisation: String,
    pub role: String,
    pub borough: String,
    pub about: String,
    /// Present when the box is ticked.
    pub listed: Option<String>,
    /// Present when the author confirms an "about" text the patient-data guard flagged.
    pub confirm_patient_data: Option<String>,
}

impl ProfileForm {
    /// The form filled in with the member's profile as it is.
    pub fn of(member: &Member) -> Self {
        Self {
            display_name: member.display_name.clone(),
            organisation: member.organisation.clone(),
            role: member.role.slug().into(),
            borough: member.borough.slug().into(),
            about: member.about_source.clone(),
            listed: member.listed.then(|| "yes".into()),
            confirm_patient_data: None,
        }
    }

    /// The form as the member left it: their profile, with the "about" text still held.
    pub fn with_held(member: &Member, hold: Option<&Hold>) -> Self {
        let mut form = Self::of(member);
        if let Some(text) = hold.and_then(|h| h.pending_text.as_ref()) {
            form.about = text.clone();
        }
        form
    }
}

/// The account page: the profile form, and the "about" text that waits for a facilitator.
pub struct AccountPage<'a> {
    pub email: &'a str,
    pub form: &'a ProfileForm,
    pub errors: &'a FieldErrors,
    pub hold: Option<&'a Hold>,
}

pub fn account(ctx: &PageCtx, page: &AccountPage<'_>) -> Markup {
    let (email, values, errors) = (page.email, page.form, page.errors);
    FormPage::new(ctx, "Your account", errors)
        .narrow()
        .render(html! {
            h1 { "Your account" }
            @if let Some(hold) = page.hold {
                (held_notice(hold, "your new \u{201c}about\u{201d} text"))
            }
            p { "You sign in as " strong { (email) } ". " a href="/account/password" { "Change your password" } }
            p { a href=(crate::connect::SERVICE_PAGE) { "Describe your service" } ": what it offers, who it is for, how to refer to it and where it works." }
            p { a href="/account/notifications" { "Choose which notifications and emails you get" } }
            p { a href="/account/export" { "Download your data" } }
            p { a href="/account/delete" { "Delete your account" } }
            @if let Some(viewer) = &ctx.viewer {
                p { a href={ "/members/" (viewer.id) } { "See your profile as others see it" } }
            }
            h2 { "Your profile" }
            form method="post" action="/account" novalidate {
                (csrf_field(ctx))
                (text_field("display_name", "Your name", &values.display_name, errors,
                    Input::text().autocomplete("name").required().max_length(DisplayName::MAX)))
                (text_field("organisation", "Organisation or service", &values.organisation, errors,
                    Input::text().autocomplete("organization").required().max_length(Organisation::MAX)))
                (select_field("role", "Your role", &values.role, &Role::options(), None, errors))
                (select_field("borough", "The borough you work in", &values.borough, &Borough::options(), None, errors))
                (textarea_field("about", "About you and what you can offer", &values.about, errors,
                    Some("Optional. What your service does, what you know about, what you would like to learn. You can use Markdown: *italic*, **bold**, [links](https://www.nhs.uk) and lists."), 8))
                (confirm_patient_data_field(errors))
                (checkbox_field("listed", "Show me in the member directory", values.listed.is_some(),
                    Some("Members find their counterparts here. Your profile stays reachable from your posts either way.")))
                button.button type="submit" { "Save profile" }
            }
        })
}

pub fn change_password(ctx: &PageCtx, errors: &FieldErrors) -> Markup {
    FormPage::new(ctx, "Change your password", errors)
        .narrow()
        .render(html! {
            h1 { "Change your password" }
            p { "Changing your password signs you out everywhere else." }
            form method="post" action="/account/password" novalidate {
                (csrf_field(ctx))
                (text_field("current_password", "Current password", "", errors,
                    Input::of("password").autocomplete("current-password").required()))
                (text_field("new_password", "New password", "", errors,
                    Input::of("password").autocomplete("new-password").required()
                        .hint("At least 12 characters. Three random words make a strong password.")))
                button.button type="submit" { "Change password" }
            }
            p { a href="/account" { "Back to your account" } }
        })
}

pub fn reset_request(ctx: &PageCtx, email: &str, errors: &FieldErrors) -> Markup {
    FormPage::new(ctx, "Reset your password", errors)
        .narrow()
        .render(html! {
            h1 { "Reset your password" }
            p { "Enter the email address you registered with. We will send you a link to choose a new password." }
            form method="post" action="/password-reset" novalidate {
                (csrf_field(ctx))
                (text_field("email", "Email address", email, errors,
                    Input::of("email").autocomplete("email").required()))
                button.button type="submit" { "Send the link" }
            }
        })
}

pub fn reset_sent(ctx: &PageCtx) -> Markup {
    layout(
        ctx,
        "Check your email",
        html! {
            div.narrow {
                h1 { "Check your email" }
                p { "If that address belongs to a SPOT account, we have sent it a link to reset the password. The link works once, for an hour." }
                p { "Nothing arrived? Check your junk folder, or " a href="/password-reset" { "ask for another link" } "." }
            }
        },
    )
}

pub fn reset_form(ctx: &PageCtx, token: &str, errors: &FieldErrors) -> Markup {
    FormPage::new(ctx, "Choose a new password", errors)
        .narrow()
        .render(html! {
            h1 { "Choose a new password" }
            form method="post" action={ "/password-reset/" (token) } novalidate {
                (csrf_field(ctx))
                (text_field("password", "New password", "", errors,
                    Input::of("password").autocomplete("new-password").required()
                        .hint("At least 12 characters. Three random words make a strong password.")))
                button.button type="submit" { "Save password and sign in" }
            }
        })
}

pub fn reset_link_dead(ctx: &PageCtx) -> Markup {
    layout(
        ctx,
        "That link no longer works",
        html! {
            div.narrow {
                h1 { "That link no longer works" }
                p { "Password reset links work once, for an hour. " a href="/password-reset" { "Ask for a new link" } "." }
            }
        },
    )
}

pub fn suspended(ctx: &PageCtx, until: Option<chrono::NaiveDateTime>) -> Markup {
    layout(
        ctx,
        "Your account is suspended",
        html! {
            div.narrow {
                h1 { "Your account is suspended" }
                @match until {
                    Some(until) => p { "Your suspension ends on its own on " strong { (long_date(until)) } "; you can sign in again from then." },
                    None => p { "Your suspension lasts until an admin lifts it." },
                }
                p { "You cannot sign in while your account is suspended. If you think this is a mistake, " a href="/contact" { "contact the SPOT facilitators" } "." }
            }
        },
    )
}

pub fn check_email(ctx: &PageCtx) -> Markup {
    layout(
        ctx,
        "Check your email",
        html! {
            div.narrow {
                h1 { "Check your email" }
                p.lede { "We have sent an email to the address you gave. Open the link in it to finish joining SPOT." }
                p { "The link works for a day. If you already have an account, the email says so and how to sign in." }
                p { "Nothing arrived after a few minutes? Check your junk folder, then " a href="/login" { "sign in" } " with the password you chose: we will send a new link." }
            }
        },
    )
}

pub fn confirm(ctx: &PageCtx, token: &str, next: &str) -> Markup {
    let action = super::confirmations::confirmation_path(token, next);
    layout(
        ctx,
        "Confirm your email address",
        html! {
            div.narrow {
                h1 { "Confirm your email address" }
                p { "One step left: confirm that this address is yours." }
                form method="post" action=(action) {
                    (csrf_field(ctx))
                    button.button type="submit" { "Confirm my email address" }
                }
            }
        },
    )
}

pub fn confirmation_link_dead(ctx: &PageCtx) -> Markup {
    layout(
        ctx,
        "That link no longer works",
        html! {
            div.narrow {
                h1 { "That link no longer works" }
                p { "Confirmation links work once, for a day. If your address is confirmed already, " a href="/login" { "sign in" } ". If not, sign in with the password you chose and we will send a new link." }
            }
        },
    )
}

pub fn unconfirmed(ctx: &PageCtx, sent_now: bool) -> Markup {
    layout(
        ctx,
        "Confirm your email address first",
        html! {
            div.narrow {
                h1 { "Confirm your email address first" }
                @if sent_now {
                    p { "Your account is waiting for you to confirm your email address. We have just sent a new link to it: open it to finish joining." }
                } @else {
                    p { "Your account is waiting for you to confirm your email address. We sent you a link recently: look for an email from SPOT, and check your junk folder." }
                }
            }
        },
    )
}

/// Where an applicant who is not yet let in stands: after confirming their address, or
/// when they try to sign in.
pub fn not_approved(ctx: &PageCtx, standing: &Standing) -> Markup {
    let title = match standing {
        Standing::Declined { .. } => "Your application was not approved",
        _ => "Your application is waiting for a facilitator",
    };
    layout(
        ctx,
        title,
        html! {
            div.narrow {
                h1 { (title) }
                @match standing {
                    Standing::Declined { reason, again_from } => {
                        p { "A facilitator was not able to approve your membership of SPOT. They said:" }
                        blockquote { p { (reason) } }
                        p { "You can apply again from " strong { (long_date(*again_from)) } ", by " a href="/register" { "registering" } " with the same email address." }
                    }
                    _ => {
                        p.lede { "Thank you: your email address is confirmed." }
                        p { "SPOT is a closed community for people who work with patients and service users, so a facilitator checks each application from an email address that is not an NHS or council one. This usually takes up to two working days." }
                        p { "We will email you as soon as they have decided. Until then you can read SPOT's public pages and see the " a href="/courses" { "courses" } "." }
                    }
                }
            }
        },
    )
}
