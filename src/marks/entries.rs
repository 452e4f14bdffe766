//! The marks' rows: the footer's list, the admins' list, adding one and removing one. A
//! mark's image reaches the store only after its row is committed, and leaves it only after
//! its row is gone (the library's rule for files), so the footer never shows a missing image.

use std::sync::Arc;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::values::{AltText, MarkImage, MarkName, MarkRole};
use crate::accounts::members::Viewer;
use crate::audit;
use crate::db::{self, Db, DbConn, MarkId, WriteConn};
use crate::resources::store::{self, FileStore, Incoming};
use crate::rules::RuleError;
use crate::schema::site_marks;
use crate::web::AppError;

/// A mark as the footer shows it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct FooterMark {
    pub id: MarkId,
    pub name: String,
    pub alt_text: String,
    pub role: MarkRole,
}

impl FooterMark {
    /// Where everyone fetches its image.
    pub fn src(&self) -> String {
        format!("/marks/{}", self.id)
    }
}

/// A mark as the admins' list shows it.
#[derive(Debug, Clone, Queryable)]
pub struct ListedMark {
    pub mark: FooterMark,
    pub content_type: String,
    pub size: i64,
    pub added_at: NaiveDateTime,
}

/// A new mark, every part parsed.
#[derive(Debug, Clone)]
pub struct NewMark {
    pub name: MarkName,
    pub alt_text: AltText,
    pub role: MarkRole,
    pub image: MarkImage,
    pub size: u64,
}

/// A footer mark's columns.
const FOOTER_COLUMNS: (
    site_marks::id,
    site_marks::name,
    site_marks::alt_text,
    site_marks::role,
) = (
    site_marks::id,
    site_marks::name,
    site_marks::alt_text,
    site_marks::role,
);

/// The programme's first, then the partners', each in the order they were added.
pub fn for_footer(conn: &mut DbConn) -> QueryResult<Vec<FooterMark>> {
    site_marks::table
        .order((site_marks::role.desc(), site_marks::id))
        .select(FOOTER_COLUMNS)
        .load(conn)
}

/// The marks in the footer's order, with what admins need to know of each image.
pub fn listed(conn: &mut DbConn) -> QueryResult<Vec<ListedMark>> {
    site_marks::table
        .order((site_marks::role.desc(), site_marks::id))
        .select((
            FOOTER_COLUMNS,
            site_marks::content_type,
            site_marks::size,
            site_marks::added_at,
        ))
        .load(conn)
}

/// Where a mark's image is stored, and its type: for serving it.
pub fn image_of(conn: &mut DbConn, id: MarkId) -> QueryResult<(String, String)> {
    site_marks::table
        .find(id)
        .select((site_marks::file_key, site_marks::content_type))
        .first(conn)
}

fn admins_only(viewer: &Viewer) -> Result<(), RuleError> {
    if viewer.staff.is_admin() {
        Ok(())
    } else {
        Err(RuleError::forbidden(
            "Only SPOT's admins can change the programme's and partners' marks.",
        ))
    }
}

/// An admin adds a mark, its image stored under `key`.
pub fn add(
    conn: &mut WriteConn,
    admin: &Viewer,
    new: &NewMark,
    key: &str,
    now: NaiveDateTime,
) -> Result<MarkId, RuleError> {
    admins_only(admin)?;
    let conn: &mut DbConn = conn;
    let id = diesel::insert_into(site_marks::table)
        .values((
            site_marks::name.eq(new.name.as_str()),
            site_marks::alt_text.eq(new.alt_text.as_str()),
            site_marks::role.eq(new.role),
            site_marks::file_key.eq(key),
            site_marks::content_type.eq(new.image.mime()),
            site_marks::size.eq(new.size as i64),
            site_marks::added_by.eq(Some(admin.id)),
            site_marks::added_at.eq(now),
        ))
        .returning(site_marks::id)
        .get_result(conn)?;
    log(conn, admin, "mark added", new.name.as_str(), now)?;
    Ok(id)
}

/// An admin removes a mark: its row goes, and the key of its image is returned for the
/// store.
pub fn remove(
    conn: &mut WriteConn,
    admin: &Viewer,
    id: MarkId,
    now: NaiveDateTime,
) -> Result<String, RuleError> {
    admins_only(admin)?;
    let conn: &mut DbConn = conn;
    let (name, key): (String, String) = site_marks::table
        .find(id)
        .select((site_marks::name, site_marks::file_key))
        .first(conn)?;
    diesel::delete(site_marks::table.find(id)).execute(conn)?;
    log(conn, admin, "mark removed", &name, now)?;
    Ok(key)
}

fn log(
    conn: &mut DbConn,
    admin: &Viewer,
    action: &str,
    name: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    audit::record(
        conn,
        &audit::Entry {
            actor: Some(admin.id),
            action,
            target_member: None,
            subject: name,
            reason: "",
        },
        now,
    )
}

/// Adds a mark and then puts its image in the store; should the store fail, the row goes
/// again and the upload, dropped, deletes itself.
pub async fn publish(
    db: &Db,
    files: Arc<FileStore>,
    admin: Viewer,
    new: NewMark,
    upload: Incoming,
) -> Result<MarkId, AppError> {
    let key = store::new_key();
    let (stored_key, adder) = (key.clone(), admin.clone());
    let id = db
        .write(move |tx| add(tx, &adder, &new, &stored_key, db::now()))
        .await
        .map_err(AppError::from)?;
    let put = files.put(upload, &key).await;
    if put.is_ok() {
        return Ok(id);
    }
    db.write(move |tx| remove(tx, &admin, id, db::now()))
        .await
        .map_err(AppError::from)?;
    Err(AppError::Unexpected(anyhow::anyhow!(
        "the mark's image could not be moved into the store: {put:?}"
    )))
}

/// Removes a mark, then its image. An image the store cannot delete is logged, not
/// refused: its mark is gone from the footer either way.
pub async fn withdraw(
    db: &Db,
    files: Arc<FileStore>,
    admin: Viewer,
    id: MarkId,
) -> Result<(), RuleError> {
    let key = db
        .write(move |tx| remove(tx, &admin, id, db::now()))
        .await?;
    let file = key.clone();
    if let Err(error) = files.delete(&file).await {
        tracing::error!(%error, key, "a removed mark's image could not be deleted from the store");
    }
    Ok(())
}
