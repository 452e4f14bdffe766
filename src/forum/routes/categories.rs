//! The admin's category pages: list, add, change.

use actix_session::Session;
use actix_web::{web, HttpResponse};

use crate::db::{self, CategoryId, Db};
use crate::forum::categories;
use crate::forum::forms::CategoryForm;
use crate::forum::pages;
use crate::rules;
use crate::web::context::flash;
use crate::web::forms::FieldErrors;
use crate::web::{html, invalid_form, see_other, Admin, AppError, PageCtx};

async fn category_list_page(
    ctx: &PageCtx,
    db: &Db,
    form: &CategoryForm,
    errors: &FieldErrors,
) -> Result<maud::Markup, AppError> {
    let all = db.run(|conn| Ok(categories::all(conn)?)).await?;
    Ok(pages::admin_categories(ctx, &all, form, errors))
}

pub(super) async fn admin_categories(
    ctx: PageCtx,
    _admin: Admin,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    Ok(html(
        category_list_page(&ctx, &db, &CategoryForm::default(), &FieldErrors::new()).await?,
    ))
}

pub(super) async fn create_category(
    ctx: PageCtx,
    admin: Admin,
    db: web::Data<Db>,
    session: Session,
    form: web::Form<CategoryForm>,
) -> Result<HttpResponse, AppError> {
    let viewer = admin.0.clone();
    let created = rules::submit(&db, form.parse(), move |tx, change| {
        categories::create(tx, &viewer, &change, db::now())
    })
    .await?;
    match created {
        Ok(_) => {
            flash(&session, "The category has been added.");
            Ok(see_other("/admin/categories"))
        }
        Err(errors) => Ok(invalid_form(
            category_list_page(&ctx, &db, &form, &errors).await?,
        )),
    }
}

pub(super) async fn admin_category(
    ctx: PageCtx,
    _admin: Admin,
    db: web::Data<Db>,
    id: web::Path<CategoryId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let category = db.run(move |conn| Ok(categories::find(conn, id)?)).await?;
    Ok(html(pages::admin_category(
        &ctx,
        id,
        &CategoryForm::of(&category),
        &FieldErrors::new(),
    )))
}

pub(super) async fn update_category(
    ctx: PageCtx,
    admin: Admin,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<CategoryId>,
    form: web::Form<CategoryForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let viewer = admin.0.clone();
    let saved = rules::submit(&db, form.parse(), move |tx, change| {
        categories::update(tx, &viewer, id, &change, db::now())
    })
    .await?;
    match saved {
        Ok(()) => {
            flash(&session, "The category has been saved.");
            Ok(see_other("/admin/categories"))
        }
        Err(errors) => Ok(invalid_form(pages::admin_category(
            &ctx, id, &form, &errors,
        ))),
    }
}
