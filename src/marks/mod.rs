//! The programme's and its partners' marks (logos) in the foot of every page. An admin
//! uploads each (`/admin/marks`) as a PNG or WebP image, judged by its content as the
//! library judges files (SVG, which can carry scripts, is refused), with the organisation's
//! name and the image's alternative text. The images live in the upload store and are
//! served to everyone at `/marks/{id}`.

pub mod entries;
pub mod pages;
pub mod routes;
pub mod values;

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::db::Db;
pub use entries::FooterMark;

/// How long a node shows the marks it last read before reading them again: another app node's
/// change shows here within this time (this node's own changes show at once).
const FRESH_FOR: Duration = Duration::from_secs(30);

/// The footer's marks, read once and kept for a short while, so that drawing a page does
/// not cost a trip to the database.
#[derive(Default)]
pub struct FooterMarks {
    kept: RwLock<Option<(Instant, Arc<Vec<FooterMark>>)>>,
}

impl FooterMarks {
    /// The marks to show. A database that cannot be read leaves the footer without marks
    /// (and says so in the log) rather than failing the page.
    pub async fn current(&self, db: &Db) -> Arc<Vec<FooterMark>> {
        if let Some((read_at, marks)) = self.kept.read().ok().and_then(|kept| kept.clone()) {
            if read_at.elapsed() < FRESH_FOR {
                return marks;
            }
        }
        match db.run(|conn| Ok(entries::for_footer(conn)?)).await {
            Ok(marks) => {
                let marks = Arc::new(marks);
                if let Ok(mut kept) = self.kept.write() {
                    *kept = Some((Instant::now(), marks.clone()));
                }
                marks
            }
            Err(error) => {
                tracing::warn!(%error, "the footer's marks could not be read");
                Arc::default()
            }
        }
    }

    /// After a change on this node: the next page reads the marks afresh.
    pub fn forget(&self) {
        if let Ok(mut kept) = self.kept.write() {
            *kept = None;
        }
    }
}
