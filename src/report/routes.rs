//! The programme report's handlers: the page and its CSV downloads.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::{figures, pages, tables};
use crate::db::{self, Db};
use crate::evaluation::routes::csv_download;
use crate::web::{html, Admin, AppError, PageCtx};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/report", web::get().to(report_page))
        .route("/admin/report.csv", web::get().to(report_csv));
}

async fn report_page(
    ctx: PageCtx,
    admin: Admin,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let now = db::now();
    let report = db
        .run(move |conn| Ok(figures::report(conn, &admin, now)?))
        .await?;
    let tables = tables::all(&report);
    Ok(html(pages::report(&ctx, &report, &tables, now)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Which {
    table: Option<String>,
}

async fn report_csv(
    admin: Admin,
    db: web::Data<Db>,
    which: web::Query<Which>,
) -> Result<HttpResponse, AppError> {
    let wanted = match which.into_inner().table.filter(|t| !t.is_empty()) {
        Some(name) => Some(
            tables::NAMES
                .into_iter()
                .find(|n| *n == name)
                .ok_or(AppError::NotFound)?,
        ),
        None => None,
    };
    let now = db::now();
    let report = db
        .run(move |conn| Ok(figures::report(conn, &admin, now)?))
        .await?;
    let chosen: Vec<tables::Table> = tables::all(&report)
        .into_iter()
        .filter(|t| wanted.is_none_or(|name| t.name == name))
        .collect();
    let filename = format!("spot-report-{}.csv", wanted.unwrap_or("all"));
    Ok(csv_download(tables::csv(&chosen)?, &filename))
}
