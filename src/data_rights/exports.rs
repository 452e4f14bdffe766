//! Exports of a member's data (UK GDPR right of access and portability): asking for one,
//! the worker's claim on it and its progress, the download, and its end after 24 hours.
//! The zip itself is written by [`super::archive`]; the worker that runs these is
//! [`super::worker`].
//!
//! Who asked is who downloads: a member their own data, an admin a member's (a subject
//! access request, logged). Each asker has one export at a time per member: asking again
//! while one waits or is being made shows that one.

use std::fmt;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::letters;
use crate::accounts::members::{self, Member, Viewer};
use crate::accounts::tokens;
use crate::accounts::values::text_enum;
use crate::audit;
use crate::db::{DbConn, MemberId, WriteConn};
use crate::notifications::outbox;
use crate::rules::RuleError;
use crate::schema::exports;

crate::id_type!(
    /// A row of `exports`: one zip of one member's data, asked for by them or an admin.
    ExportId
);

text_enum!(ExportStatus, "an export's state", {
    Waiting => ("waiting", "Waiting to start"),
    Building => ("building", "Being made"),
    Ready => ("ready", "Ready to download"),
    Failed => ("failed", "Could not be made"),
});

/// How long a finished export (and its emailed link) lasts.
pub const VALID_FOR_HOURS: i64 = 24;
/// How long a worker may build without reporting progress before another may take over.
const CLAIM_MINUTES: i64 = 5;
/// Builds started (and not finished) before an export is given up as failed.
pub const MAX_ATTEMPTS: i32 = 3;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = exports)]
pub struct Export {
    pub id: ExportId,
    pub member_id: MemberId,
    pub requested_by: MemberId,
    pub status: ExportStatus,
    pub items_done: i32,
    pub items_total: i32,
    pub size_bytes: Option<i64>,
    pub created_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
    pub expires_at: Option<NaiveDateTime>,
}

impl Export {
    /// Waiting for a worker, or being built.
    pub fn in_progress(&self) -> bool {
        matches!(self.status, ExportStatus::Waiting | ExportStatus::Building)
    }

    /// Ready, and not yet expired at `now`.
    pub fn downloadable(&self, now: NaiveDateTime) -> bool {
        self.status == ExportStatus::Ready && self.expires_at.is_some_and(|at| at > now)
    }

    /// How far the build has gone, 0 to 100.
    pub fn percent(&self) -> i32 {
        if self.items_total <= 0 {
            0
        } else {
            (i64::from(self.items_done.clamp(0, self.items_total)) * 100
                / i64::from(self.items_total)) as i32
        }
    }
}

/// Whose data an export holds, as a route names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whose {
    /// The viewer's own.
    Own,
    /// A member's, for the admin viewing (a subject access request).
    Member(MemberId),
}

/// The member whose data `whose` names, if the viewer may export it: their own, or any
/// member's for an admin. An erased account has nothing left to export.
fn subject(conn: &mut DbConn, viewer: &Viewer, whose: Whose) -> Result<Member, RuleError> {
    let id = match whose {
        Whose::Own => viewer.id,
        Whose::Member(_) if !viewer.staff.is_admin() => {
            return Err(RuleError::forbidden(
                "Only admins can export a member's data.",
            ))
        }
        Whose::Member(id) => id,
    };
    let member = members::find(conn, id)?;
    if member.erased_at.is_some() {
        return Err(RuleError::Conflict(
            "This account has been erased: there is no data left to export.".into(),
        ));
    }
    Ok(member)
}

/// The member and the newest export the viewer asked for of their data, for the page.
pub fn latest(
    conn: &mut DbConn,
    viewer: &Viewer,
    whose: Whose,
) -> Result<(Member, Option<Export>), RuleError> {
    let member = subject(conn, viewer, whose)?;
    let export = exports::table
        .filter(exports::member_id.eq(member.id))
        .filter(exports::requested_by.eq(viewer.id))
        .order((exports::created_at.desc(), exports::id.desc()))
        .select(Export::as_select())
        .first(conn)
        .optional()?;
    Ok((member, export))
}

/// What asking for an export did.
#[derive(Debug, Clone)]
pub struct Requested {
    pub export: Export,
    /// `false` when one was already waiting or being made: that one is shown instead.
    pub fresh: bool,
}

/// Asks for an export: the viewer's own data, or (an admin) a member's, which the audit log
/// records. While one is waiting or being made, asking again gives that one. A copy still
/// ready from before ends now, replaced by the new one.
pub fn request(
    tx: &mut WriteConn,
    viewer: &Viewer,
    whose: Whose,
    now: NaiveDateTime,
) -> Result<Requested, RuleError> {
    let member = subject(tx, viewer, whose)?;
    tx.serialize_on(&format!("export:{}:{}", member.id, viewer.id))?;
    let conn: &mut DbConn = tx;
    let mine = exports::member_id
        .eq(member.id)
        .and(exports::requested_by.eq(viewer.id));
    let under_way = exports::table
        .filter(mine)
        .filter(exports::status.eq_any([ExportStatus::Waiting, ExportStatus::Building]))
        .select(Export::as_select())
        .first(conn)
        .optional()?;
    if let Some(export) = under_way {
        return Ok(Requested {
            export,
            fresh: false,
        });
    }
    diesel::update(
        exports::table
            .filter(mine)
            .filter(exports::status.eq(ExportStatus::Ready)),
    )
    .set(exports::expires_at.eq(now))
    .execute(conn)?;
    let id: ExportId = diesel::insert_into(exports::table)
        .values((
            exports::member_id.eq(member.id),
            exports::requested_by.eq(viewer.id),
            exports::status.eq(ExportStatus::Waiting),
            exports::created_at.eq(now),
        ))
        .returning(exports::id)
        .get_result(conn)?;
    if member.id != viewer.id {
        audit::record(
            conn,
            &audit::Entry {
                actor: Some(viewer.id),
                action: "data export requested",
                target_member: Some(member.id),
                subject: &format!("member {}", member.id),
                reason: "subject access request",
            },
            now,
        )?;
    }
    Ok(Requested {
        export: find(conn, id)?,
        fresh: true,
    })
}

pub fn find(conn: &mut DbConn, id: ExportId) -> QueryResult<Export> {
    exports::table
        .find(id)
        .select(Export::as_select())
        .first(conn)
}

/// A finished export the viewer may download now.
#[derive(Debug, Clone)]
pub struct Download {
    /// Where the zip is in the upload store.
    pub file_key: String,
    /// What the browser saves it as.
    pub file_name: String,
}

/// Why an export cannot be downloaded, beyond not existing (`RuleError::NotFound`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    /// Its 24 hours are over (or a newer copy replaced it).
    Expired,
    /// Still waiting or being made, or it failed: there is no file.
    NotReady,
}

/// The viewer's export of `whose` data, for download: the newest one, or the one whose
/// emailed link carries `token`. An admin's download of a member's data is logged.
pub fn download(
    tx: &mut WriteConn,
    viewer: &Viewer,
    whose: Whose,
    token: Option<&str>,
    now: NaiveDateTime,
) -> Result<Result<Download, Unavailable>, RuleError> {
    let member = subject(tx, viewer, whose)?;
    let conn: &mut DbConn = tx;
    let mut query = exports::table
        .filter(exports::member_id.eq(member.id))
        .filter(exports::requested_by.eq(viewer.id))
        .into_boxed();
    if let Some(token) = token {
        query = query.filter(exports::token_hash.eq(tokens::digest(token)));
    }
    let (export, file_key): (Export, Option<String>) = query
        .order((exports::created_at.desc(), exports::id.desc()))
        .select((Export::as_select(), exports::file_key))
        .first(conn)?;
    if export.status != ExportStatus::Ready {
        return Ok(Err(Unavailable::NotReady));
    }
    let Some(file_key) = file_key.filter(|_| export.downloadable(now)) else {
        return Ok(Err(Unavailable::Expired));
    };
    if member.id != viewer.id {
        audit::record(
            conn,
            &audit::Entry {
                actor: Some(viewer.id),
                action: "data export downloaded",
                target_member: Some(member.id),
                subject: &format!("member {}", member.id),
                reason: "subject access request",
            },
            now,
        )?;
    }
    let day = export.finished_at.unwrap_or(export.created_at).date();
    Ok(Ok(Download {
        file_key,
        file_name: format!("spot-data-member-{}-{day}.zip", member.id),
    }))
}

/// An export a worker has claimed, to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable)]
pub struct Job {
    pub id: ExportId,
    pub member_id: MemberId,
    pub requested_by: MemberId,
}

fn later(now: NaiveDateTime, minutes: i64) -> NaiveDateTime {
    now + Duration::minutes(minutes)
}

/// Takes the oldest waiting export for this worker (or one whose builder stopped reporting):
/// in one transaction, so that two nodes never build the same one. An export whose builds
/// kept dying is given up as failed.
pub fn claim(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Option<Job>> {
    let abandoned = exports::status
        .eq(ExportStatus::Building)
        .and(exports::claimed_until.lt(now));
    let claimable = exports::status.eq(ExportStatus::Waiting).or(abandoned);
    // Most rounds find nothing: they look without taking the write lock.
    let any: bool =
        diesel::select(diesel::dsl::exists(exports::table.filter(claimable))).get_result(conn)?;
    if !any {
        return Ok(None);
    }
    conn.write_transaction(|tx| {
        tx.serialize_on("exports")?;
        let conn: &mut DbConn = tx;
        diesel::update(
            exports::table
                .filter(abandoned)
                .filter(exports::attempts.ge(MAX_ATTEMPTS)),
        )
        .set(failed(now))
        .execute(conn)?;
        let Some(job) = exports::table
            .filter(claimable)
            .order((exports::created_at.asc(), exports::id.asc()))
            .select((exports::id, exports::member_id, exports::requested_by))
            .first::<Job>(conn)
            .optional()?
        else {
            return Ok(None);
        };
        let claimed = diesel::update(exports::table.find(job.id).filter(claimable))
            .set((
                exports::status.eq(ExportStatus::Building),
                exports::claimed_until.eq(later(now, CLAIM_MINUTES)),
                exports::attempts.eq(exports::attempts + 1),
                exports::items_done.eq(0),
            ))
            .execute(conn)?;
        Ok((claimed == 1).then_some(job))
    })
}

/// Records how far the build has got and keeps the claim; `false` when the export has gone
/// (the account was erased meanwhile) or another worker has taken it over.
pub fn progress(
    conn: &mut DbConn,
    id: ExportId,
    done: i32,
    total: i32,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    conn.write_transaction(|tx| {
        let updated = diesel::update(building(id))
            .set((
                exports::items_done.eq(done),
                exports::items_total.eq(total),
                exports::claimed_until.eq(later(now, CLAIM_MINUTES)),
            ))
            .execute(&mut **tx)?;
        Ok(updated == 1)
    })
}

type Building = diesel::dsl::Filter<
    diesel::dsl::Find<exports::table, ExportId>,
    diesel::dsl::Eq<exports::status, ExportStatus>,
>;

/// The export `id`, while it is being built.
fn building(id: ExportId) -> Building {
    exports::table
        .find(id)
        .filter(exports::status.eq(ExportStatus::Building))
}

/// The zip is in the store under `file_key`: the export is ready for 24 hours, and whoever
/// asked is emailed its link (in the same transaction). `false` when the export has gone
/// meanwhile: the caller removes the file again.
pub fn finish(
    tx: &mut WriteConn,
    job: &Job,
    file_key: &str,
    size_bytes: i64,
    base_url: &str,
    now: NaiveDateTime,
) -> Result<bool, RuleError> {
    let token = tokens::new_token();
    let expires_at = now + Duration::hours(VALID_FOR_HOURS);
    let updated = diesel::update(building(job.id))
        .set((
            exports::status.eq(ExportStatus::Ready),
            exports::items_done.eq(exports::items_total),
            exports::token_hash.eq(tokens::digest(&token)),
            exports::file_key.eq(file_key),
            exports::size_bytes.eq(size_bytes),
            exports::finished_at.eq(now),
            exports::expires_at.eq(expires_at),
            exports::claimed_until.eq(None::<NaiveDateTime>),
        ))
        .execute(&mut **tx)?;
    if updated == 0 {
        return Ok(false);
    }
    let member = members::find(tx, job.member_id)?;
    let asker = members::find(tx, job.requested_by)?;
    let path = if member.id == asker.id {
        format!("/account/export/{token}")
    } else {
        format!("/admin/members/{}/export/{token}", member.id)
    };
    let letter = letters::export_ready(&asker, &member, &format!("{base_url}{path}"), expires_at);
    outbox::enqueue(tx, Some(asker.id), &letter, now)?;
    Ok(true)
}

type Failed = (
    diesel::dsl::Eq<exports::status, ExportStatus>,
    diesel::dsl::Eq<exports::finished_at, NaiveDateTime>,
    diesel::dsl::Eq<exports::expires_at, NaiveDateTime>,
    diesel::dsl::Eq<exports::claimed_until, Option<NaiveDateTime>>,
);

/// What a failed export's row says: failed now, kept a day so the page can say so.
fn failed(now: NaiveDateTime) -> Failed {
    (
        exports::status.eq(ExportStatus::Failed),
        exports::finished_at.eq(now),
        exports::expires_at.eq(now + Duration::hours(VALID_FOR_HOURS)),
        exports::claimed_until.eq(None),
    )
}

/// The build went wrong: the page says so, and asking again starts a new one.
pub fn fail(conn: &mut DbConn, id: ExportId, now: NaiveDateTime) -> QueryResult<()> {
    conn.write_transaction(|tx| {
        diesel::update(building(id))
            .set(failed(now))
            .execute(&mut **tx)?;
        Ok(())
    })
}

/// Deletes the exports whose time is over; returns their files' keys, for the store to
/// delete once the rows are gone.
pub fn sweep(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Vec<String>> {
    let over = exports::table.filter(exports::expires_at.le(now));
    // Most rounds find nothing: they look without taking the write lock.
    if !diesel::select(diesel::dsl::exists(over)).get_result::<bool>(conn)? {
        return Ok(Vec::new());
    }
    conn.write_transaction(|tx| {
        let gone: Vec<(ExportId, Option<String>)> = over
            .select((exports::id, exports::file_key))
            .load(&mut **tx)?;
        diesel::delete(exports::table.filter(exports::id.eq_any(gone.iter().map(|(id, _)| *id))))
            .execute(&mut **tx)?;
        Ok(gone.into_iter().filter_map(|(_, key)| key).collect())
    })
}

/// Forgets every export of a member's data and every one they asked for (their account is
/// being erased); returns the files' keys, for the store to delete after commit.
pub fn forget(conn: &mut DbConn, member: MemberId) -> QueryResult<Vec<String>> {
    let theirs = exports::member_id
        .eq(member)
        .or(exports::requested_by.eq(member));
    let keys: Vec<Option<String>> = exports::table
        .filter(theirs)
        .select(exports::file_key)
        .load(conn)?;
    diesel::delete(exports::table.filter(theirs)).execute(conn)?;
    Ok(keys.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_stored_as_words() {
        crate::accounts::values::stored::assert_stored_as(
            ExportStatus::ALL,
            &[
                (ExportStatus::Waiting, "waiting"),
                (ExportStatus::Building, "building"),
                (ExportStatus::Ready, "ready"),
                (ExportStatus::Failed, "failed"),
            ],
            &["done", "Ready", ""],
        );
    }

    fn export(done: i32, total: i32) -> Export {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 7)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap();
        Export {
            id: ExportId(1),
            member_id: MemberId(2),
            requested_by: MemberId(2),
            status: ExportStatus::Building,
            items_done: done,
            items_total: total,
            size_bytes: None,
            created_at: at,
            finished_at: None,
            expires_at: None,
        }
    }

    #[test]
    fn progress_is_a_whole_percentage_that_never_overshoots() {
        assert_eq!(export(0, 0).percent(), 0);
        assert_eq!(export(1, 3).percent(), 33);
        assert_eq!(export(3, 3).percent(), 100);
        assert_eq!(export(5, 3).percent(), 100);
    }

    #[test]
    fn a_ready_export_downloads_until_it_expires() {
        let mut ready = export(3, 3);
        let now = ready.created_at;
        assert!(!ready.downloadable(now), "still building");
        ready.status = ExportStatus::Ready;
        ready.expires_at = Some(now + Duration::hours(VALID_FOR_HOURS));
        assert!(ready.downloadable(now + Duration::hours(23)));
        assert!(!ready.downloadable(now + Duration::hours(24)));
    }
}
