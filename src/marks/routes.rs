//! The admins' marks page, and every mark's image for everyone.

use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::entries::{self, NewMark};
use super::pages;
use super::values::{AltText, MarkImage, MarkName, MarkRole};
use super::FooterMarks;
use crate::db::{Db, MarkId};
use crate::resources::files;
use crate::resources::store::FileStore;
use crate::resources::upload::{self, Received};
use crate::web::context::flash;
use crate::web::forms::FieldErrors;
use crate::web::{html, invalid_form, see_other, Admin, AppError, PageCtx};
use crate::Site;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/marks", web::get().to(list))
        .route("/admin/marks", web::post().to(add))
        .route("/admin/marks/{id}/remove", web::post().to(remove))
        .route("/marks/{id}", web::get().to(image));
}

/// The form for a new mark, redisplayed with its errors; the image comes beside it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MarkForm {
    pub name: String,
    pub alt_text: String,
    pub role: String,
}

impl MarkForm {
    fn parse(&self, file: Option<&Received>) -> Result<NewMark, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.check("name", MarkName::parse(&self.name));
        let alt_text = errors.check("alt_text", AltText::parse(&self.alt_text));
        let role = errors.check("role", MarkRole::parse(&self.role));
        let image = errors.check(
            "file",
            match file {
                Some(file) => MarkImage::judge(file.head(), file.name(), file.size()),
                None => Err("Choose the mark's image: a PNG or WebP file".to_owned()),
            },
        );
        match (name, alt_text, role, image, file) {
            (Some(name), Some(alt_text), Some(role), Some(image), Some(file)) => Ok(NewMark {
                name,
                alt_text,
                role,
                image,
                size: file.size(),
            }),
            _ => Err(errors),
        }
    }
}

async fn show(
    ctx: &PageCtx,
    db: &Db,
    form: &MarkForm,
    errors: &FieldErrors,
) -> Result<maud::Markup, AppError> {
    let marks = db.run(|conn| Ok(entries::listed(conn)?)).await?;
    Ok(pages::admin(ctx, &marks, form, errors))
}

async fn list(ctx: PageCtx, _admin: Admin, db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    let page = show(&ctx, &db, &MarkForm::default(), &FieldErrors::new()).await?;
    Ok(html(page))
}

#[allow(clippy::too_many_arguments)]
async fn add(
    ctx: PageCtx,
    admin: Admin,
    db: web::Data<Db>,
    site: web::Data<Site>,
    files: web::Data<FileStore>,
    shown: web::Data<FooterMarks>,
    session: Session,
    form: Multipart,
) -> Result<HttpResponse, AppError> {
    let (typed, file): (MarkForm, Option<Received>) =
        upload::receive(form, files.incoming_dir(), site.max_upload_mb).await?;
    let new = match typed.parse(file.as_ref()) {
        Ok(new) => new,
        Err(errors) => return Ok(invalid_form(show(&ctx, &db, &typed, &errors).await?)),
    };
    let upload = file
        .map(|received| received.incoming)
        .ok_or(AppError::NotFound)?;
    let name = new.name.as_str().to_owned();
    entries::publish(&db, files.into_inner(), admin.0, new, upload).await?;
    shown.forget();
    flash(&session, format!("{name}'s mark is in the footer."));
    Ok(see_other("/admin/marks"))
}

async fn remove(
    admin: Admin,
    db: web::Data<Db>,
    files: web::Data<FileStore>,
    shown: web::Data<FooterMarks>,
    session: Session,
    id: web::Path<MarkId>,
) -> Result<HttpResponse, AppError> {
    entries::withdraw(&db, files.into_inner(), admin.0, id.into_inner()).await?;
    shown.forget();
    flash(&session, "The mark is removed from the footer.");
    Ok(see_other("/admin/marks"))
}

/// A mark's image, for every page's footer: shown in the browser as the image it is and
/// nothing else, sent as the library sends its files.
async fn image(
    db: web::Data<Db>,
    files: web::Data<FileStore>,
    id: web::Path<MarkId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (key, mime) = db.run(move |conn| Ok(entries::image_of(conn, id)?)).await?;
    let kind = MarkImage::from_mime(&mime);
    let disposition = ContentDisposition {
        // Only the image types a mark may be are shown inline; anything else is saved.
        disposition: if kind.is_some() {
            DispositionType::Inline
        } else {
            DispositionType::Attachment
        },
        parameters: vec![DispositionParam::Filename(format!(
            "mark-{id}.{}",
            kind.map_or("bin", MarkImage::extension)
        ))],
    };
    let mime = kind.map_or("application/octet-stream", MarkImage::mime);
    // A mark never changes: a new image is a new mark, at a new address.
    let Some(file) = files.find(&key).await? else {
        return Err(AppError::NotFound);
    };
    Ok(files::send(
        file,
        mime,
        disposition,
        "public, max-age=86400",
    ))
}
