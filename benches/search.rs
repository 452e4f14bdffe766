//! How long the server takes to answer a two-word search (its queries plus rendering) on
//! SQLite with the demo community at scale 5: about 100,000 posts and 5,000 resources. The
//! search issue's target is a first page in under 50 ms.
//!
//! `cargo bench --bench search` (the first run makes the database with `spot demo`'s
//! generator and keeps it as `target/bench-search-scale5.db` for later runs; set
//! `SPOT_BENCH_SCALE` for another size). For the million posts, point
//! `SPOT_BENCH_DATABASE` at the scale-50 file `bench/load.sh --scale 50 --data DIR` keeps
//! (`DIR/spot.db`): making it again here would take as long as there.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use diesel::{QueryDsl, RunQueryDsl};
use spot::accounts::{Borough, Role, StaffLevel};
use spot::db::{self, Db, MemberId};
use spot::search::pages::{self, SearchPage};
use spot::search::{self as search, Count, FilterForm, Filters, Kind, SearchQuery, SearchRequest};
use spot::web::forms::FieldErrors;
use spot::web::paging::PageNumber;
use spot::web::{PageCtx, Viewer};

const QUERIES: [&str; 6] = [
    "fatigue pacing",
    "referral form",
    "energy diary",
    "walking group",
    "long covid",
    "sleep hygiene",
];

fn database(scale: f64) -> Db {
    if let Some(path) = std::env::var_os("SPOT_BENCH_DATABASE") {
        let path = PathBuf::from(path);
        assert!(path.exists(), "no database at {}", path.display());
        return Db::connect(&format!("sqlite://{}", path.display())).expect("database");
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"));
    let path = target.join(format!("bench-search-scale{scale}.db"));
    let fresh = !path.exists();
    let db = Db::connect(&format!("sqlite://{}", path.display())).expect("database");
    if fresh {
        let started = Instant::now();
        let mut conn = db.conn().expect("connection");
        let summary = spot::demo::generate(&mut conn, &spot::demo::Options { scale, seed: 7 })
            .expect("demo data");
        println!(
            "made the demo community (scale {scale}) in {:.1?}: {} posts, {} resources, {} index rows",
            started.elapsed(),
            summary.posts,
            summary.resources,
            summary.indexed
        );
    }
    db
}

fn measure(
    db: &Db,
    viewer: &Viewer,
    text: &str,
    kind: Option<Kind>,
    rounds: usize,
) -> (Duration, Duration, Count) {
    let mut conn = db.conn().expect("connection");
    let mut ctx = PageCtx::anonymous();
    ctx.viewer = Some(viewer.clone());
    let query = SearchQuery::parse(text);
    let request = SearchRequest {
        query: query.clone(),
        filters: Filters {
            kind,
            ..Filters::default()
        },
        page: Some(PageNumber::FIRST),
    };
    let form = FilterForm::default();
    let errors = FieldErrors::new();
    let mut times = Vec::with_capacity(rounds);
    let mut total = Count::Exact(0);
    for _ in 0..rounds {
        let started = Instant::now();
        let categories = spot::forum::categories::readable(&mut conn, Some(viewer))
            .expect("categories")
            .into_iter()
            .map(|c| (c.slug, c.name))
            .collect::<Vec<_>>();
        let results = search::search(&mut conn, Some(viewer), &request, db::now()).expect("search");
        total = results.total();
        let page = SearchPage {
            text,
            query: &query,
            form: &form,
            filters: Some(&request.filters),
            categories: &categories,
            errors: &errors,
            results: Some(&results),
        };
        std::hint::black_box(pages::search(&page, &ctx).into_string());
        times.push(started.elapsed());
    }
    times.sort();
    (times[times.len() / 2], times[times.len() * 99 / 100], total)
}

fn main() {
    let scale: f64 = std::env::var("SPOT_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5.0);
    let db = database(scale);
    let (posts, resources): (i64, i64) = {
        use spot::schema::{posts, resources};
        let mut conn = db.conn().expect("connection");
        (
            posts::table.count().get_result(&mut *conn).expect("posts"),
            resources::table
                .count()
                .get_result(&mut *conn)
                .expect("resources"),
        )
    };
    let viewer = Viewer {
        id: MemberId(10),
        display_name: "A member".into(),
        role: Role::LinkWorker,
        borough: Borough::Bolton,
        staff: StaffLevel::Member,
    };
    println!("SQLite, {posts} posts, {resources} resources; queries + rendering, 200 rounds each");
    measure(&db, &viewer, QUERIES[0], None, 20);
    for text in QUERIES {
        let (median, p99, total) = measure(&db, &viewer, text, None, 200);
        println!(
            "{text:>16} (everything): median {median:>9.2?}, p99 {p99:>9.2?}, {total:?} results"
        );
        let (median, p99, _) = measure(&db, &viewer, text, Some(Kind::Posts), 200);
        println!("{text:>16} (discussions): median {median:>9.2?}, p99 {p99:>9.2?}");
    }
}
