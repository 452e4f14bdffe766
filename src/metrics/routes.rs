//! The scrape: who may read is checked first, then the database's side is read and the
//! whole registry written out.

use actix_web::{web, HttpRequest, HttpResponse};

use super::access::{self, Asker};
use super::registry::{Standing, CONTENT_TYPE};
use super::Metrics;
use crate::db::{self, Db};
use crate::notifications::{compose, outbox};
use crate::web::AppError;
use crate::Site;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/metrics", web::get().to(scrape));
}

async fn scrape(
    req: HttpRequest,
    db: web::Data<Db>,
    metrics: web::Data<Metrics>,
    site: web::Data<Site>,
) -> Result<HttpResponse, AppError> {
    access::may_read(
        &Asker::of(&req, site.trusted_proxies),
        site.metrics_token.as_ref(),
    )
    .map_err(|refusal| AppError::forbidden(refusal.message()))?;
    let standing = db
        .run(|conn| {
            Ok(Standing {
                outbox: outbox::backlog(conn)?,
                last_digests: compose::last_digest_runs(conn)?,
            })
        })
        .await?;
    let text = metrics
        .render(db.pool_state(), &standing, db::now())
        .map_err(|error| anyhow::anyhow!("the metrics could not be written: {error}"))?;
    Ok(HttpResponse::Ok()
        .content_type(CONTENT_TYPE)
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(text))
}
