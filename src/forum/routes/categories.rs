//! The admin's category pages: list, add, change.

use actix_session::Session;
use actix_web::{web, HttpResponse};

use crate::db::{self, CategoryId, Db};
use crate::forum::forms::{CategoryForm, InChargeForm};
use crate::forum::pages;
use crate::forum::{categories, scope};
use crate::rules;
use crate::web::context::flash;
use crate::web::forms::{FieldErrors, HtmlForm};
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

/// An admin's page for one category: its settings, and who is in charge of it.
async fn category_page(
    ctx: &PageCtx,
    db: &Db,
    id: CategoryId,
    form: Option<&CategoryForm>,
    errors: &FieldErrors,
) -> Result<maud::Markup, AppError> {
    let (category, in_charge) = db
        .run(move |conn| {
            let category = categories::find(conn, id)?;
            let in_charge = pages::InCharge {
                candidates: scope::candidates(conn)?,
                chosen: scope::in_charge_of(conn, id)?
                    .into_iter()
                    .map(|f| f.id)
                    .collect(),
                cohort_space: category.course_run_id,
            };
            Ok((category, in_charge))
        })
        .await?;
    let form = form.map_or_else(|| CategoryForm::of(&category), |form| form.clone());
    Ok(pages::admin_category(ctx, id, &form, &in_charge, errors))
}

pub(super) async fn admin_category(
    ctx: PageCtx,
    _admin: Admin,
    db: web::Data<Db>,
    id: web::Path<CategoryId>,
) -> Result<HttpResponse, AppError> {
    let page = category_page(&ctx, &db, id.into_inner(), None, &FieldErrors::new()).await?;
    Ok(html(page))
}

pub(super) async fn put_in_charge(
    ctx: PageCtx,
    admin: Admin,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<CategoryId>,
    form: HtmlForm<InChargeForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let viewer = admin.0.clone();
    let saved = rules::submit(&db, form.0.parse(), move |tx, chosen| {
        scope::put_in_charge(tx, &viewer, id, &chosen, db::now())
    })
    .await?;
    match saved {
        Ok(()) => {
            flash(&session, "Who looks after the category has been saved.");
            Ok(see_other(&format!("/admin/categories/{id}")))
        }
        Err(errors) => Ok(invalid_form(
            category_page(&ctx, &db, id, None, &errors).await?,
        )),
    }
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
        Err(errors) => Ok(invalid_form(
            category_page(&ctx, &db, id, Some(&form), &errors).await?,
        )),
    }
}
