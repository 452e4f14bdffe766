//! The facilitator's desk.

use actix_web::{web, HttpResponse};

use crate::db::Db;
use crate::web::{html, AppError, Facilitator, PageCtx};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/facilitating", web::get().to(desk));
}

async fn desk(ctx: PageCtx, me: Facilitator, db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    let desk = db.run(move |conn| Ok(super::desk(conn, &me)?)).await?;
    Ok(html(super::pages::desk(&ctx, &desk)))
}
