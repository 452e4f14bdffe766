//! Thin handlers for the published pages and the admins' changes to them. The contact
//! page's form is the contact feature's (`crate::contact`).

use actix_session::Session;
use actix_web::{web, HttpResponse};

use super::pages::{self, PageForm};
use super::texts;
use super::Published;
use crate::db::{self, Db};
use crate::rules;
use crate::web::context::flash;
use crate::web::forms::FieldErrors;
use crate::web::{html, invalid_form, see_other, Admin, AppError, PageCtx};
use crate::Site;

pub fn routes(cfg: &mut web::ServiceConfig) {
    for page in [
        Published::Privacy,
        Published::Terms,
        Published::Guidelines,
        Published::Accessibility,
    ] {
        cfg.route(
            page.path(),
            web::get().to(
                move |ctx: PageCtx, db: web::Data<Db>, site: web::Data<Site>| {
                    show(ctx, db, site, page)
                },
            ),
        );
    }
    cfg.route("/admin/pages", web::get().to(list))
        .route("/admin/pages/{page}", web::get().to(edit_page))
        .route("/admin/pages/{page}", web::post().to(save))
        .route("/admin/pages/{page}/restore", web::post().to(restore));
}

async fn show(
    ctx: PageCtx,
    db: web::Data<Db>,
    site: web::Data<Site>,
    page: Published,
) -> Result<HttpResponse, AppError> {
    let text = db.run(move |conn| Ok(texts::current(conn, page)?)).await?;
    Ok(html(pages::published(
        &ctx,
        &text,
        &text.for_readers(&site),
    )))
}

fn page_named(slug: &str) -> Result<Published, AppError> {
    Published::from_slug(slug).ok_or(AppError::NotFound)
}

async fn list(ctx: PageCtx, _admin: Admin, db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    let all = db.run(|conn| Ok(texts::all(conn)?)).await?;
    Ok(html(pages::list(&ctx, &all)))
}

async fn edit_page(
    ctx: PageCtx,
    _admin: Admin,
    db: web::Data<Db>,
    site: web::Data<Site>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let page = page_named(&slug)?;
    let text = db.run(move |conn| Ok(texts::current(conn, page)?)).await?;
    let form = PageForm::of(&text);
    let figures = texts::figures(&site);
    Ok(html(pages::edit(
        &ctx,
        &text,
        &form,
        &FieldErrors::new(),
        &figures,
    )))
}

async fn save(
    ctx: PageCtx,
    admin: Admin,
    db: web::Data<Db>,
    site: web::Data<Site>,
    session: Session,
    slug: web::Path<String>,
    form: web::Form<PageForm>,
) -> Result<HttpResponse, AppError> {
    let page = page_named(&slug)?;
    let saved = rules::submit(&db, form.parse(), move |tx, text| {
        texts::save(tx, &admin, page, &text, db::now())
    })
    .await?;
    if let Err(errors) = saved {
        let text = db.run(move |conn| Ok(texts::current(conn, page)?)).await?;
        let figures = texts::figures(&site);
        return Ok(invalid_form(pages::edit(
            &ctx, &text, &form, &errors, &figures,
        )));
    }
    flash(
        &session,
        format!(
            "The {} is saved and published.",
            page.label().to_lowercase()
        ),
    );
    Ok(see_other(page.path()))
}

async fn restore(
    admin: Admin,
    db: web::Data<Db>,
    session: Session,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let page = page_named(&slug)?;
    db.write(move |tx| texts::restore(tx, &admin, page, db::now()))
        .await?;
    flash(
        &session,
        format!(
            "The {} is back to SPOT's own text.",
            page.label().to_lowercase()
        ),
    );
    Ok(see_other(page.path()))
}
