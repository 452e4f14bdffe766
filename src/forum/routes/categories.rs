//! The admin's category pages: list, add, change.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::db::{self, CategoryId, Db};
use crate::forum::categories::{self, CategoryChange};
use crate::forum::pages::{self, CategoryValues};
use crate::forum::values::CategorySlug;
use crate::rules::RuleError;
use crate::web::context::flash;
use crate::web::forms::FieldErrors;
use crate::web::{html, invalid_form, see_other, Admin, AppError, PageCtx};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct CategoryForm {
    name: String,
    slug: String,
    description: String,
    position: String,
    public_read: Option<String>,
    staff_threads_only: Option<String>,
    archived: Option<String>,
}

impl CategoryForm {
    fn values(&self) -> CategoryValues {
        CategoryValues {
            name: self.name.clone(),
            slug: self.slug.clone(),
            description: self.description.clone(),
            position: self.position.clone(),
            public_read: self.public_read.is_some(),
            staff_threads_only: self.staff_threads_only.is_some(),
            archived: self.archived.is_some(),
        }
    }

    fn parse(&self) -> Result<CategoryChange, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = self.name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.chars().count() < 2 || name.chars().count() > 80 {
            errors.add("name", "Enter a name of 2 to 80 characters");
        }
        let slug = if self.slug.trim().is_empty() {
            errors.check("slug", CategorySlug::from_name(&name))
        } else {
            errors.check("slug", CategorySlug::parse(&self.slug))
        };
        let description = self.description.trim().to_owned();
        if description.chars().count() > 500 {
            errors.add("description", "Description must be 500 characters or fewer");
        }
        let position = match self.position.trim() {
            "" => Some(0),
            raw => errors.check(
                "position",
                raw.parse::<i32>()
                    .map_err(|_| "Order must be a whole number"),
            ),
        };
        match (slug, position) {
            (Some(slug), Some(position)) if errors.is_empty() => Ok(CategoryChange {
                name,
                slug,
                description,
                position,
                public_read: self.public_read.is_some(),
                staff_threads_only: self.staff_threads_only.is_some(),
                archived: self.archived.is_some(),
            }),
            _ => Err(errors),
        }
    }
}

async fn category_list_page(
    ctx: &PageCtx,
    db: &Db,
    values: &CategoryValues,
    errors: &FieldErrors,
) -> Result<maud::Markup, AppError> {
    let all = db.run(|conn| Ok(categories::all(conn)?)).await?;
    Ok(pages::admin_categories(ctx, &all, values, errors))
}

pub(super) async fn admin_categories(
    ctx: PageCtx,
    _admin: Admin,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    Ok(html(
        category_list_page(&ctx, &db, &CategoryValues::default(), &FieldErrors::new()).await?,
    ))
}

pub(super) async fn create_category(
    ctx: PageCtx,
    admin: Admin,
    db: web::Data<Db>,
    session: Session,
    form: web::Form<CategoryForm>,
) -> Result<HttpResponse, AppError> {
    let change = match form.parse() {
        Ok(change) => change,
        Err(errors) => {
            return Ok(invalid_form(
                category_list_page(&ctx, &db, &form.values(), &errors).await?,
            ))
        }
    };
    let viewer = admin.0.clone();
    let outcome = db
        .write(move |tx| categories::create(tx, &viewer, &change, db::now()))
        .await;
    match outcome {
        Ok(_) => {
            flash(&session, "The category has been added.");
            Ok(see_other("/admin/categories"))
        }
        Err(RuleError::Invalid(field, message)) => {
            let mut errors = FieldErrors::new();
            errors.add(field, message);
            Ok(invalid_form(
                category_list_page(&ctx, &db, &form.values(), &errors).await?,
            ))
        }
        Err(error) => Err(error.into()),
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
    let values = CategoryValues {
        name: category.name,
        slug: category.slug,
        description: category.description,
        position: category.position.to_string(),
        public_read: category.public_read,
        staff_threads_only: category.staff_threads_only,
        archived: category.archived,
    };
    Ok(html(pages::admin_category(
        &ctx,
        id,
        &values,
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
    let change = match form.parse() {
        Ok(change) => change,
        Err(errors) => {
            return Ok(invalid_form(pages::admin_category(
                &ctx,
                id,
                &form.values(),
                &errors,
            )))
        }
    };
    let viewer = admin.0.clone();
    let outcome = db
        .write(move |tx| categories::update(tx, &viewer, id, &change, db::now()))
        .await;
    match outcome {
        Ok(()) => {
            flash(&session, "The category has been saved.");
            Ok(see_other("/admin/categories"))
        }
        Err(RuleError::Invalid(field, message)) => {
            let mut errors = FieldErrors::new();
            errors.add(field, message);
            Ok(invalid_form(pages::admin_category(
                &ctx,
                id,
                &form.values(),
                &errors,
            )))
        }
        Err(error) => Err(error.into()),
    }
}
