//! Registration, signing in and changing a password: the rules, free of HTTP.

use chrono::NaiveDateTime;
use diesel::result::{DatabaseErrorKind, Error as DbError};

use super::members::{self, Member, NewMember};
use super::passwords;
use super::throttle::{self, Limit};
use super::values::{Borough, DisplayName, Email, Organisation, Role};
use crate::db::{DbConn, MemberId};

/// A registration form that parsed, its password already hashed.
pub struct Registration {
    pub email: Email,
    pub display_name: DisplayName,
    pub password_hash: String,
    pub role: Role,
    pub borough: Borough,
    pub organisation: Organisation,
}

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("an account with this email address already exists")]
    EmailTaken,
    #[error("too many registrations from this network address")]
    Throttled(u64),
    #[error(transparent)]
    Database(#[from] DbError),
}

pub fn register(
    conn: &mut DbConn,
    registration: &Registration,
    client_address: &str,
    now: NaiveDateTime,
) -> Result<Member, RegisterError> {
    conn.serialize_on(&format!("register:{client_address}"))?;
    if let Some(wait) =
        throttle::wait_needed(conn, Limit::RegistrationPerAddress, client_address, now)?
    {
        return Err(RegisterError::Throttled(wait));
    }
    if members::email_taken(conn, &registration.email)? {
        return Err(RegisterError::EmailTaken);
    }
    let new = NewMember {
        email: &registration.email,
        display_name: &registration.display_name,
        password_hash: &registration.password_hash,
        role: registration.role,
        borough: registration.borough,
        organisation: &registration.organisation,
    };
    // Two registrations racing for one address: the unique index decides.
    let member = members::insert(conn, &new, now).map_err(|error| match error {
        DbError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => RegisterError::EmailTaken,
        other => RegisterError::Database(other),
    })?;
    throttle::record(conn, Limit::RegistrationPerAddress, client_address, now)?;
    Ok(member)
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("email address or password is not right")]
    WrongCredentials,
    #[error("too many attempts")]
    Throttled(u64),
    #[error("account suspended")]
    Suspended,
    #[error(transparent)]
    Database(#[from] DbError),
}

/// The throttle key for what was typed in the email box, registered or not.
fn account_key(typed_email: &str) -> String {
    typed_email.trim().to_lowercase()
}

/// Takes one password attempt's slot under the sign-in limits, for the account and for
/// the network address (in the caller's write transaction); returns the address's slot,
/// or how long to wait.
fn reserve_attempt(
    conn: &mut DbConn,
    account: &str,
    client_address: &str,
    now: NaiveDateTime,
) -> Result<Result<i64, u64>, DbError> {
    conn.serialize_on(&format!("sign-in:{account}"))?;
    conn.serialize_on(&format!("sign-in-ip:{client_address}"))?;
    let checks = [
        (Limit::SignInPerAccount, account),
        (Limit::SignInPerAddress, client_address),
    ];
    if let Some(wait) = throttle::longest_wait(conn, &checks, now)? {
        return Ok(Err(wait));
    }
    throttle::record(conn, Limit::SignInPerAccount, account, now)?;
    Ok(Ok(throttle::record(
        conn,
        Limit::SignInPerAddress,
        client_address,
        now,
    )?))
}

/// The right password: the account's failures are forgotten and the address's slot given
/// back.
fn release_attempt(conn: &mut DbConn, account: &str, address_slot: i64) -> Result<(), DbError> {
    throttle::clear(conn, Limit::SignInPerAccount, account)?;
    throttle::forget(conn, address_slot)
}

/// Checks the password (argon2: call from the blocking pool). Each attempt first takes a
/// slot under the limits (a failure recorded in advance, in one short transaction), so a
/// burst of simultaneous guesses gets no more tries than a slow one; a success gives its
/// slots back and clears the address's failures.
pub fn sign_in(
    conn: &mut DbConn,
    typed_email: &str,
    typed_password: &str,
    client_address: &str,
    now: NaiveDateTime,
) -> Result<Member, SignInError> {
    let account = account_key(typed_email);
    let (stored, address_slot) = conn.write_transaction(|conn| {
        let address_slot = reserve_attempt(conn, &account, client_address, now)?
            .map_err(SignInError::Throttled)?;
        let stored = match Email::parse(typed_email) {
            Ok(email) => members::password_hash_for(conn, &email)?,
            Err(_) => None,
        };
        Ok::<_, SignInError>((stored, address_slot))
    })?;
    let verified = match &stored {
        Some((id, hash)) => passwords::verify(typed_password, hash).then_some(*id),
        None => {
            passwords::verify_against_dummy(typed_password);
            None
        }
    };
    let Some(id) = verified else {
        return Err(SignInError::WrongCredentials);
    };
    conn.write_transaction(|conn| release_attempt(conn, &account, address_slot))?;
    let member = members::find(conn, id)?;
    if member.is_suspended(now) {
        return Err(SignInError::Suspended);
    }
    Ok(member)
}

#[derive(Debug, thiserror::Error)]
pub enum PasswordChangeError {
    #[error("Your current password is not right")]
    WrongCurrentPassword,
    #[error("too many attempts")]
    Throttled(u64),
    #[error(transparent)]
    Database(#[from] DbError),
}

/// Replaces a member's password after checking the current one; returns the new session
/// epoch (every other session of theirs is signed out). A guess at the current password
/// counts against the sign-in limits, so a borrowed session cannot be used to find it out.
pub fn change_password(
    conn: &mut DbConn,
    member: MemberId,
    current_password: &str,
    new_hash: &str,
    client_address: &str,
    now: NaiveDateTime,
) -> Result<i32, PasswordChangeError> {
    let (account, stored, address_slot) = conn.write_transaction(|conn| {
        let holder = members::find(conn, member)?;
        let account = account_key(&holder.email);
        let address_slot = reserve_attempt(conn, &account, client_address, now)?
            .map_err(PasswordChangeError::Throttled)?;
        let stored = members::password_hash_of(conn, member)?;
        Ok::<_, PasswordChangeError>((account, stored, address_slot))
    })?;
    if !passwords::verify(current_password, &stored) {
        return Err(PasswordChangeError::WrongCurrentPassword);
    }
    Ok(conn.write_transaction(|conn| {
        release_attempt(conn, &account, address_slot)?;
        members::set_password_hash(conn, member, new_hash, now)
    })?)
}
