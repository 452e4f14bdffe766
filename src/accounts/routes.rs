//! Thin handlers: parse the form into domain values, call the rules, render or redirect.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::access::{self, PasswordChangeError, RegisterError, Registration, SignInError};
use super::confirmations::{self, Links, Sent};
use super::members::{self, ProfileChange};
use super::pages::AccountPage;
use super::pages::{self, ProfileForm, RegisterForm};
use super::passwords;
use super::resets::{self, ResetRequestError};
use super::sessions;
use super::values::{About, Borough, DisplayName, Email, Organisation, Password, Role};
use crate::db::{self, Db};
use crate::mail::Letter;
use crate::membership::applications::{self, AboutWork, Admission, Standing};
use crate::membership::invitations::{self, Live};
use crate::notifications::outbox;
use crate::web::context::{client_address, end_session, flash, refresh_epoch, start_session};
use crate::web::forms::FieldErrors;
use crate::web::{
    html, invalid_form, page_with_status, safe_next, see_other, AppError, CurrentMember, PageCtx,
};
use crate::Site;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/register", web::get().to(register_page))
        .route("/register", web::post().to(register))
        .route("/register/check-email", web::get().to(check_email))
        .route("/confirm/{token}", web::get().to(confirm_page))
        .route("/confirm/{token}", web::post().to(confirm))
        .route("/login", web::get().to(login_page))
        .route("/login", web::post().to(login))
        .route("/logout", web::post().to(logout))
        .route("/account", web::get().to(account_page))
        .route("/account", web::post().to(save_profile))
        .route("/account/password", web::get().to(password_page))
        .route("/account/password", web::post().to(change_password))
        .route("/password-reset", web::get().to(reset_request_page))
        .route("/password-reset", web::post().to(request_reset))
        .route("/password-reset/sent", web::get().to(reset_sent))
        .route("/password-reset/{token}", web::get().to(reset_page))
        .route("/password-reset/{token}", web::post().to(reset_password));
}

impl RegisterForm {
    fn parse(&self) -> Result<ParsedRegistration, FieldErrors> {
        let mut errors = FieldErrors::new();
        let email = errors.check("email", Email::parse(&self.email));
        let display_name = errors.check("display_name", DisplayName::parse(&self.display_name));
        let role = errors.check("role", Role::parse(&self.role));
        let borough = errors.check("borough", Borough::parse(&self.borough));
        let organisation = errors.check("organisation", Organisation::parse(&self.organisation));
        let about_work = errors.check("about_work", AboutWork::parse(&self.about_work));
        let password = errors.check("password", Password::parse(&self.password));
        match (
            email,
            display_name,
            role,
            borough,
            organisation,
            about_work,
            password,
        ) {
            (
                Some(email),
                Some(display_name),
                Some(role),
                Some(borough),
                Some(organisation),
                Some(about_work),
                Some(password),
            ) => Ok(ParsedRegistration {
                password,
                registration: Registration {
                    password_hash: String::new(),
                    email,
                    display_name,
                    role,
                    borough,
                    organisation,
                    about_work,
                    invitation: Some(self.invite.trim().to_owned()).filter(|t| !t.is_empty()),
                },
            }),
            _ => Err(errors),
        }
    }

    /// A same-site page to go on to after confirming, or none.
    fn next_page(&self) -> String {
        if self.next.is_empty() {
            String::new()
        } else {
            safe_next(Some(&self.next))
        }
    }
}

/// The page to go on to, carried through sign-in and confirmation links.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NextQuery {
    next: String,
}

/// A registration that parsed, its password still to be hashed (off the async threads).
struct ParsedRegistration {
    password: Password,
    registration: Registration,
}

/// The invitation the form carries, as the page names it: `None` without one.
async fn invitation_of(db: &Db, token: &str) -> Result<Option<Option<Live>>, AppError> {
    if token.trim().is_empty() {
        return Ok(None);
    }
    let token = token.trim().to_owned();
    let live = db
        .run(move |conn| Ok(invitations::live(conn, &token, db::now())?))
        .await?;
    Ok(Some(live))
}

async fn register_page(
    ctx: PageCtx,
    db: web::Data<Db>,
    query: web::Query<RegisterForm>,
) -> Result<HttpResponse, AppError> {
    let form = RegisterForm {
        next: query.next.clone(),
        invite: query.invite.clone(),
        ..RegisterForm::default()
    };
    let invitation = invitation_of(&db, &form.invite).await?;
    let invitation = invitation.as_ref().map(Option::as_ref);
    Ok(html(pages::register(
        &ctx,
        &form,
        invitation,
        &FieldErrors::new(),
    )))
}

async fn register(
    ctx: PageCtx,
    db: web::Data<Db>,
    site: web::Data<Site>,
    req: HttpRequest,
    form: web::Form<RegisterForm>,
) -> Result<HttpResponse, AppError> {
    let ParsedRegistration {
        password,
        mut registration,
    } = match form.parse() {
        Ok(parsed) => parsed,
        Err(errors) => {
            let invitation = invitation_of(&db, &form.invite).await?;
            let invitation = invitation.as_ref().map(Option::as_ref);
            return Ok(invalid_form(pages::register(
                &ctx, &form, invitation, &errors,
            )));
        }
    };
    registration.password_hash = passwords::hash_off_thread(password).await?;
    let address = client_address(&req, site.trusted_proxies);
    let (next, base_url) = (form.next_page(), site.base_url.clone());
    let outcome = db
        .write(move |tx| {
            let links = Links {
                base_url: &base_url,
                next: &next,
            };
            access::register(tx, &registration, &address, links, db::now())
        })
        .await;
    match outcome {
        // The same answer whether the address was new, already a member's, or lost a race.
        Ok(_) | Err(RegisterError::EmailTaken) => Ok(see_other("/register/check-email")),
        Err(error) => Err(error.into()),
    }
}

async fn check_email(ctx: PageCtx) -> HttpResponse {
    html(pages::check_email(&ctx))
}

/// The link from the email shows a button rather than confirming at once: mail scanners
/// open links before their reader does, and must not use a single-use link up.
async fn confirm_page(
    ctx: PageCtx,
    db: web::Data<Db>,
    token: web::Path<String>,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let shown = token.clone();
    let valid = db
        .run(move |conn| Ok(confirmations::holder(conn, &token, db::now())?.is_some()))
        .await?;
    if !valid {
        return Ok(page_with_status(
            StatusCode::NOT_FOUND,
            pages::confirmation_link_dead(&ctx),
        ));
    }
    Ok(html(pages::confirm(&ctx, &shown, &query.next)))
}

async fn confirm(
    ctx: PageCtx,
    db: web::Data<Db>,
    site: web::Data<Site>,
    session: Session,
    token: web::Path<String>,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let domains = site.member_domains.clone();
    let confirmed = db
        .write(move |tx| {
            applications::confirm(tx, &token, &domains, db::now()).map_err(AppError::from)
        })
        .await?;
    match confirmed {
        None => Ok(page_with_status(
            StatusCode::NOT_FOUND,
            pages::confirmation_link_dead(&ctx),
        )),
        Some((_, Admission::Waiting)) => Ok(html(pages::not_approved(&ctx, &Standing::Waiting))),
        Some((member, _)) => {
            start_session(&session, &member)?;
            let welcome = format!(
                "Welcome to SPOT, {}. Your email address is confirmed and you are signed in.",
                member.display_name
            );
            flash(&session, welcome);
            let next = match query.next.as_str() {
                "" => "/account".to_owned(),
                next => safe_next(Some(next)),
            };
            Ok(see_other(&next))
        }
    }
}

async fn login_page(ctx: PageCtx, query: web::Query<NextQuery>) -> HttpResponse {
    let next = query.next.clone();
    html(pages::login(&ctx, "", &next, &FieldErrors::new()))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LoginForm {
    email: String,
    password: String,
    next: String,
}

impl LoginForm {
    /// What was left empty.
    fn missing(&self) -> FieldErrors {
        let mut errors = FieldErrors::new();
        if self.email.trim().is_empty() {
            errors.add("email", "Enter your email address");
        }
        if self.password.is_empty() {
            errors.add("password", "Enter your password");
        }
        errors
    }
}

async fn login(
    ctx: PageCtx,
    db: web::Data<Db>,
    site: web::Data<Site>,
    req: HttpRequest,
    session: Session,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let errors = form.missing();
    if !errors.is_empty() {
        return Ok(invalid_form(pages::login(
            &ctx,
            &form.email,
            &form.next,
            &errors,
        )));
    }
    let address = client_address(&req, site.trusted_proxies);
    let (email, password) = (form.email.clone(), form.password.clone());
    let outcome = db
        .run(move |conn| {
            Ok(access::sign_in(
                conn,
                &email,
                &password,
                &address,
                db::now(),
            ))
        })
        .await?;
    match outcome {
        Ok(member) => {
            start_session(&session, &member)?;
            let welcome = format!("You are signed in as {}.", member.display_name);
            flash(&session, welcome);
            Ok(see_other(&safe_next(Some(&form.next))))
        }
        Err(refusal) => sign_in_refused(&ctx, &db, &site, &form, refusal).await,
    }
}

/// What a refused sign-in shows: the form again, or a page saying what to do next.
async fn sign_in_refused(
    ctx: &PageCtx,
    db: &Db,
    site: &Site,
    form: &LoginForm,
    refusal: SignInError,
) -> Result<HttpResponse, AppError> {
    let forbidden = |page| Ok(page_with_status(StatusCode::FORBIDDEN, page));
    match refusal {
        SignInError::WrongCredentials => {
            // The same words whether or not the address is registered.
            let mut errors = FieldErrors::new();
            errors.add("email", "The email address or password is not right");
            Ok(invalid_form(pages::login(
                ctx,
                &form.email,
                &form.next,
                &errors,
            )))
        }
        SignInError::Suspended(until) => forbidden(pages::suspended(ctx, until)),
        SignInError::NotApproved(standing) => forbidden(pages::not_approved(ctx, &standing)),
        SignInError::Unconfirmed(member) => {
            let base_url = site.base_url.clone();
            let sent = db
                .write(move |tx| {
                    let links = Links {
                        base_url: &base_url,
                        next: "",
                    };
                    confirmations::write_joining_letter(tx, &member, links, db::now())
                        .map_err(AppError::from)
                })
                .await?;
            forbidden(pages::unconfirmed(ctx, sent == Sent::ConfirmationLink))
        }
        other => Err(other.into()),
    }
}

async fn logout(session: Session, db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    if let Some(ended) = end_session(&session) {
        db.run(move |conn| Ok(sessions::end(conn, &ended, db::now())?))
            .await?;
    }
    flash(&session, "You have signed out.");
    Ok(see_other("/"))
}

async fn account_page(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let id = me.id;
    let (member, hold) = db
        .run(move |conn| Ok(members::with_held_about(conn, id)?))
        .await?;
    let form = ProfileForm::with_held(&member, hold.as_ref());
    Ok(html(pages::account(
        &ctx,
        &AccountPage {
            email: &member.email,
            form: &form,
            errors: &FieldErrors::new(),
            hold: hold.as_ref(),
        },
    )))
}

impl ProfileForm {
    fn parse(&self) -> Result<ProfileChange, FieldErrors> {
        let mut errors = FieldErrors::new();
        let display_name = errors.check("display_name", DisplayName::parse(&self.display_name));
        let organisation = errors.check("organisation", Organisation::parse(&self.organisation));
        let role = errors.check("role", Role::parse(&self.role));
        let borough = errors.check("borough", Borough::parse(&self.borough));
        let about = errors.check("about", About::parse(&self.about));
        let verdict = errors.screen(
            &[("about", self.about.as_str())],
            self.confirm_patient_data.is_some(),
        );
        match (display_name, organisation, role, borough, about) {
            (Some(display_name), Some(organisation), Some(role), Some(borough), Some(about))
                if errors.is_empty() =>
            {
                Ok(ProfileChange {
                    display_name,
                    organisation,
                    role,
                    borough,
                    about,
                    listed: self.listed.is_some(),
                    verdict,
                })
            }
            _ => Err(errors),
        }
    }
}

async fn save_profile(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    session: Session,
    form: web::Form<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    let id = me.id;
    let errors = match form.parse() {
        Ok(change) => {
            let held = change.verdict.holds();
            db.write(move |tx| {
                members::update_profile(tx, id, &change, db::now()).map_err(AppError::from)
            })
            .await?;
            flash(
                &session,
                if held {
                    HELD_ABOUT
                } else {
                    "Your profile has been saved."
                },
            );
            return Ok(see_other("/account"));
        }
        Err(errors) => errors,
    };
    let (member, hold) = db
        .run(move |conn| Ok(members::with_held_about(conn, id)?))
        .await?;
    let page = AccountPage {
        email: &member.email,
        form: &form,
        errors: &errors,
        hold: hold.as_ref(),
    };
    Ok(invalid_form(pages::account(&ctx, &page)))
}

const HELD_ABOUT: &str = "Your profile has been saved. Your new \u{201c}about\u{201d} text waits \
     for a facilitator: it may identify a patient or service user, so others see your earlier \
     text until a facilitator has checked it.";

async fn password_page(ctx: PageCtx, _me: CurrentMember) -> HttpResponse {
    html(pages::change_password(&ctx, &FieldErrors::new()))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PasswordForm {
    current_password: String,
    new_password: String,
}

impl PasswordForm {
    fn parse(&self) -> Result<Password, FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.current_password.is_empty() {
            errors.add("current_password", "Enter your current password");
        }
        let new_password = errors.check("new_password", Password::parse(&self.new_password));
        new_password.filter(|_| errors.is_empty()).ok_or(errors)
    }
}

async fn change_password(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    site: web::Data<Site>,
    req: HttpRequest,
    session: Session,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let new_password = match form.parse() {
        Ok(password) => password,
        Err(errors) => return Ok(invalid_form(pages::change_password(&ctx, &errors))),
    };
    let new_hash = passwords::hash_off_thread(new_password).await?;
    let (id, current) = (me.id, form.current_password.clone());
    let address = client_address(&req, site.trusted_proxies);
    let outcome = db
        .blocking(move |conn| {
            access::change_password(conn, id, &current, &new_hash, &address, db::now())
        })
        .await;
    match outcome {
        Ok(epoch) => {
            refresh_epoch(&session, epoch)?;
            flash(
                &session,
                "Your password has been changed. Other devices have been signed out.",
            );
            Ok(see_other("/account"))
        }
        Err(PasswordChangeError::WrongCurrentPassword) => {
            let errors = FieldErrors::one("current_password", "Your current password is not right");
            Ok(invalid_form(pages::change_password(&ctx, &errors)))
        }
        Err(error) => Err(error.into()),
    }
}

async fn reset_request_page(ctx: PageCtx) -> HttpResponse {
    html(pages::reset_request(&ctx, "", &FieldErrors::new()))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ResetRequestForm {
    email: String,
}

async fn request_reset(
    ctx: PageCtx,
    db: web::Data<Db>,
    site: web::Data<Site>,
    req: HttpRequest,
    form: web::Form<ResetRequestForm>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    let Some(email) = errors.check("email", Email::parse(&form.email)) else {
        return Ok(invalid_form(pages::reset_request(
            &ctx,
            &form.email,
            &errors,
        )));
    };
    let address = client_address(&req, site.trusted_proxies);
    let base_url = site.base_url.clone();
    // The letter joins the outbox in the same transaction as the reset it carries.
    let outcome = db
        .write(move |tx| {
            let requested = resets::request(tx, &email, &address, db::now())?;
            if let Some((member, token)) = &requested {
                let letter = reset_letter(member, &base_url, token);
                outbox::enqueue(tx, Some(member.id), &letter, db::now())?;
            }
            Ok::<_, ResetRequestError>(requested)
        })
        .await;
    match outcome {
        Ok(_) => {}
        Err(ResetRequestError::Throttled(wait)) => {
            return Err(AppError::TooManyRequests {
                retry_after_secs: wait,
            })
        }
        Err(ResetRequestError::Database(error)) => return Err(error.into()),
        Err(ResetRequestError::Unavailable(error)) => return Err(error.into()),
    }
    Ok(see_other("/password-reset/sent"))
}

fn reset_letter(member: &members::Member, base_url: &str, token: &str) -> Letter {
    Letter {
        to_name: member.display_name.clone(),
        to_address: member.email.clone(),
        subject: "Reset your SPOT password".into(),
        text: format!(
            "Hello {name},\n\n\
             Someone (we hope you) asked to reset the password of your SPOT account.\n\
             To choose a new password, open this link within the next hour:\n\n\
             {base_url}/password-reset/{token}\n\n\
             The link works once. If you did not ask for this, you can ignore this email:\n\
             your password has not changed.\n\n\
             SPOT: social prescribers and occupational therapists, Greater Manchester\n",
            name = member.display_name,
        ),
        ..Letter::default()
    }
}

async fn reset_sent(ctx: PageCtx) -> HttpResponse {
    html(pages::reset_sent(&ctx))
}

async fn reset_page(
    ctx: PageCtx,
    db: web::Data<Db>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let shown = token.clone();
    let valid = db
        .run(move |conn| Ok(resets::holder(conn, &token, db::now())?.is_some()))
        .await?;
    if valid {
        Ok(html(pages::reset_form(&ctx, &shown, &FieldErrors::new())))
    } else {
        Ok(page_with_status(
            StatusCode::NOT_FOUND,
            pages::reset_link_dead(&ctx),
        ))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ResetForm {
    password: String,
}

async fn reset_password(
    ctx: PageCtx,
    db: web::Data<Db>,
    site: web::Data<Site>,
    session: Session,
    token: web::Path<String>,
    form: web::Form<ResetForm>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let mut errors = FieldErrors::new();
    let Some(password) = errors.check("password", Password::parse(&form.password)) else {
        return Ok(invalid_form(pages::reset_form(&ctx, &token, &errors)));
    };
    let new_hash = passwords::hash_off_thread(password).await?;
    let domains = site.member_domains.clone();
    let reset = db
        .write(move |tx| applications::complete_reset(tx, &token, &new_hash, &domains, db::now()));
    match reset.await? {
        None => Ok(page_with_status(
            StatusCode::NOT_FOUND,
            pages::reset_link_dead(&ctx),
        )),
        Some((member, Standing::Approved)) => {
            start_session(&session, &member)?;
            flash(
                &session,
                "Your password has been changed and you are signed in.",
            );
            Ok(see_other("/account"))
        }
        Some((_, standing)) => {
            flash(&session, "Your password has been changed.");
            let page = pages::not_approved(&ctx, &standing);
            Ok(page_with_status(StatusCode::FORBIDDEN, page))
        }
    }
}

impl From<RegisterError> for AppError {
    fn from(error: RegisterError) -> Self {
        match error {
            RegisterError::EmailTaken => AppError::Conflict(error.to_string()),
            RegisterError::Throttled(wait) => AppError::TooManyRequests {
                retry_after_secs: wait,
            },
            RegisterError::Database(error) => error.into(),
            RegisterError::Unavailable(error) => error.into(),
        }
    }
}

impl From<SignInError> for AppError {
    fn from(error: SignInError) -> Self {
        match error {
            SignInError::Throttled(wait) => AppError::TooManyRequests {
                retry_after_secs: wait,
            },
            SignInError::Database(error) => error.into(),
            other => AppError::Forbidden(other.to_string()),
        }
    }
}

impl From<PasswordChangeError> for AppError {
    fn from(error: PasswordChangeError) -> Self {
        match error {
            PasswordChangeError::Throttled(wait) => AppError::TooManyRequests {
                retry_after_secs: wait,
            },
            PasswordChangeError::Database(error) => error.into(),
            PasswordChangeError::Unavailable(error) => error.into(),
            other => AppError::Forbidden(other.to_string()),
        }
    }
}
