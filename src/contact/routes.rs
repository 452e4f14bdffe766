//! Thin handlers for the contact form and the facilitators' list of messages.

use actix_session::Session;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};

use super::messages::{self, Refused};
use super::pages::{self, ContactForm};
use crate::db::{self, Db};
use crate::published::{texts, Published};
use crate::web::context::{client_address, flash};
use crate::web::forms::FieldErrors;
use crate::web::paging::PageQuery;
use crate::web::{
    html, invalid_form, page_with_status, see_other, AppError, Facilitator, MaybeMember, PageCtx,
};
use crate::Site;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/contact", web::get().to(contact_page))
        .route("/contact", web::post().to(send))
        .route("/moderation/contact", web::get().to(received));
}

/// The contact page with this form and these errors.
async fn page(
    ctx: &PageCtx,
    db: &Db,
    site: &Site,
    form: &ContactForm,
    errors: &FieldErrors,
) -> Result<maud::Markup, AppError> {
    let intro = db
        .run(|conn| Ok(texts::current(conn, Published::Contact)?))
        .await?;
    Ok(pages::contact(ctx, &intro.for_readers(site), form, errors))
}

async fn contact_page(
    ctx: PageCtx,
    db: web::Data<Db>,
    site: web::Data<Site>,
) -> Result<HttpResponse, AppError> {
    let blank = ContactForm::default();
    Ok(html(
        page(&ctx, &db, &site, &blank, &FieldErrors::new()).await?,
    ))
}

/// The form again, with 429 and when to try again.
fn too_many(page: maud::Markup, wait: u64) -> HttpResponse {
    let mut response = page_with_status(StatusCode::TOO_MANY_REQUESTS, page);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from(wait));
    response
}

async fn send(
    ctx: PageCtx,
    me: MaybeMember,
    db: web::Data<Db>,
    site: web::Data<Site>,
    session: Session,
    req: HttpRequest,
    form: web::Form<ContactForm>,
) -> Result<HttpResponse, AppError> {
    let message = match form.parse(me.0.as_ref()) {
        Ok(message) => message,
        Err(errors) => return Ok(invalid_form(page(&ctx, &db, &site, &form, &errors).await?)),
    };
    let address = client_address(&req, site.trusted_proxies);
    let base_url = site.base_url.clone();
    let sent = db
        .write(move |tx| messages::send(tx, &message, &address, &base_url, db::now()))
        .await;
    match sent {
        Ok(received) => {
            flash(
                &session,
                format!(
                    "Thank you: your message has reached the facilitators. They will reply to {}.",
                    received.email
                ),
            );
            Ok(see_other("/contact"))
        }
        Err(Refused::TooMany(wait)) => {
            let errors = FieldErrors::one("body", messages::wait_message(wait));
            let page = page(&ctx, &db, &site, &form, &errors).await?;
            Ok(too_many(page, wait))
        }
        Err(Refused::Rule(error)) => Err(error.into()),
    }
}

async fn received(
    ctx: PageCtx,
    me: Facilitator,
    db: web::Data<Db>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let page = query.number();
    let messages = db
        .run(move |conn| Ok(messages::received(conn, &me, page)?))
        .await?;
    Ok(html(pages::received(&ctx, &messages)))
}
