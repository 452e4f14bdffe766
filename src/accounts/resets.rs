//! Password reset by emailed link: single-use, valid for an hour. Only a SHA-256 of the
//! token is stored, so a leaked database does not hand out working links.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::members::{self, Member};
use super::throttle::{self, Limit};
use super::tokens::{digest, new_token};
use super::values::Email;
use crate::db::{DbConn, MemberId, WriteConn};
use crate::schema::password_resets;

pub const VALID_FOR_MINUTES: i64 = 60;

#[derive(Debug, thiserror::Error)]
pub enum ResetRequestError {
    #[error("too many reset requests")]
    Throttled(u64),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    #[error(transparent)]
    Unavailable(#[from] crate::db::DbError),
}

/// Makes a reset token when the address belongs to an active member. `Ok(None)` looks the
/// same to the visitor as `Ok(Some(..))`: the page never says whether the address exists.
pub fn request(
    conn: &mut WriteConn,
    email: &Email,
    client_address: &str,
    now: NaiveDateTime,
) -> Result<Option<(Member, String)>, ResetRequestError> {
    conn.serialize_on(&format!("reset:{}", email.as_str()))?;
    conn.serialize_on(&format!("reset-ip:{client_address}"))?;
    let checks = [
        (Limit::ResetPerAccount, email.as_str()),
        (Limit::ResetPerAddress, client_address),
    ];
    if let Some(wait) = throttle::longest_wait(conn, &checks, now)? {
        return Err(ResetRequestError::Throttled(wait));
    }
    throttle::record(conn, Limit::ResetPerAccount, email.as_str(), now)?;
    throttle::record(conn, Limit::ResetPerAddress, client_address, now)?;
    let Some(member) = members::find_by_email(conn, email)? else {
        return Ok(None);
    };
    if member.is_suspended(now) {
        return Ok(None);
    }
    let token = new_token();
    diesel::insert_into(password_resets::table)
        .values((
            password_resets::member_id.eq(member.id),
            password_resets::token_hash.eq(digest(&token)),
            password_resets::created_at.eq(now),
            password_resets::expires_at.eq(now + Duration::minutes(VALID_FOR_MINUTES)),
        ))
        .execute(&mut **conn)?;
    Ok(Some((member, token)))
}

/// The member a token resets, while it is unused and unexpired.
pub fn holder(conn: &mut DbConn, token: &str, now: NaiveDateTime) -> QueryResult<Option<MemberId>> {
    password_resets::table
        .filter(password_resets::token_hash.eq(digest(token)))
        .filter(password_resets::used_at.is_null())
        .filter(password_resets::expires_at.gt(now))
        .select(password_resets::member_id)
        .first(conn)
        .optional()
}

/// Uses the token to set a new password; every reset link of the member stops working.
/// Run inside a write transaction so the token is used once only.
pub fn complete(
    conn: &mut DbConn,
    token: &str,
    new_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<Member>> {
    let Some(member_id) = holder(conn, token, now)? else {
        return Ok(None);
    };
    diesel::update(
        password_resets::table
            .filter(password_resets::member_id.eq(member_id))
            .filter(password_resets::used_at.is_null()),
    )
    .set(password_resets::used_at.eq(now))
    .execute(conn)?;
    members::set_password_hash(conn, member_id, new_hash, now)?;
    // Following the emailed link proves the address, as a confirmation link would.
    members::confirm_email(conn, member_id, now)?;
    members::find(conn, member_id).map(Some)
}
