use actix_web::{web, HttpResponse};

use super::filters::SearchParams;
use super::pages::{self, SearchPage};
use super::query::SearchQuery;
use super::results::{self, SearchRequest};
use crate::db::{self, Db};
use crate::web::forms::HtmlQuery;
use crate::web::{html, invalid_form, AppError, MaybeMember, PageCtx};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/search", web::get().to(search));
}

/// `GET /search?q=…&kind=…&category=…&tag=…&role=…&borough=…&from=…&to=…&page=…`: any
/// address at all gives the page; filters it cannot use are shown as errors (422).
async fn search(
    ctx: PageCtx,
    viewer: MaybeMember,
    db: web::Data<Db>,
    address: HtmlQuery<SearchParams>,
) -> Result<HttpResponse, AppError> {
    let SearchParams { text, form, page } = address.0;
    let query = SearchQuery::parse(&text);
    let filters = form.parse();
    let request = filters.clone().map(|filters| SearchRequest {
        query: query.clone(),
        filters,
        page: Some(page),
    });
    let shown = db
        .run(move |conn| {
            results::for_page(conn, viewer.0.as_ref(), request, db::now()).map_err(AppError::from)
        })
        .await?;
    let markup = pages::search(
        &SearchPage {
            text: &text,
            query: &query,
            form: &form,
            filters: filters.as_ref().ok(),
            categories: &shown.categories,
            errors: &shown.errors,
            results: shown.results.as_ref(),
        },
        &ctx,
    );
    Ok(match shown.errors.is_empty() {
        true => html(markup),
        false => invalid_form(markup),
    })
}
