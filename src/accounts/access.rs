//! Registration, signing in and changing a password: the rules, free of HTTP.

use chrono::NaiveDateTime;
use diesel::result::{DatabaseErrorKind, Error as DbError};

use super::confirmations::{self, Links, Sent};
use super::members::{self, Member, NewMember};
use super::passwords;
use super::throttle::{self, Limit};
use super::values::{Borough, DisplayName, Email, Organisation, Role};
use crate::db::{DbConn, MemberId, WriteConn};
use crate::membership::applications::{self, AboutWork, Standing};
use crate::membership::invitations;

/// A registration form that parsed, its password already hashed.
pub struct Registration {
    pub email: Email,
    pub display_name: DisplayName,
    pub password_hash: String,
    pub role: Role,
    pub borough: Borough,
    pub organisation: Organisation,
    /// What the applicant says of their work, for a facilitator to read.
    pub about_work: AboutWork,
    /// The token of the invitation link they came by, if any.
    pub invitation: Option<String>,
}

impl Registration {
    fn new_member(&self) -> NewMember<'_> {
        NewMember {
            email: &self.email,
            display_name: &self.display_name,
            password_hash: &self.password_hash,
            role: self.role,
            borough: self.borough,
            organisation: &self.organisation,
            email_confirmed_at: None,
            approved_at: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// Two registrations of one new address raced and the other won: its owner has the
    /// other's letter.
    #[error("an account with this email address was made at the same moment")]
    EmailTaken,
    #[error("too many registrations from this network address")]
    Throttled(u64),
    #[error(transparent)]
    Database(#[from] DbError),
    #[error(transparent)]
    Unavailable(#[from] crate::db::DbError),
}

/// Registers an address, or writes to the owner of one that is registered already: the
/// visitor is answered alike either way, so registration does not tell anyone which
/// addresses have accounts. A new account cannot sign in until its address is confirmed
/// by the link in the letter (queued in this transaction).
pub fn register(
    conn: &mut WriteConn,
    registration: &Registration,
    client_address: &str,
    links: Links<'_>,
    now: NaiveDateTime,
) -> Result<Sent, RegisterError> {
    conn.serialize_on(&format!("register:{client_address}"))?;
    if let Some(wait) =
        throttle::wait_needed(conn, Limit::RegistrationPerAddress, client_address, now)?
    {
        return Err(RegisterError::Throttled(wait));
    }
    throttle::record(conn, Limit::RegistrationPerAddress, client_address, now)?;
    conn.serialize_on(&format!("register-email:{}", registration.email.as_str()))?;
    let invitation = match &registration.invitation {
        Some(token) => invitations::live(conn, token, now)?.map(|live| live.id),
        None => None,
    };
    let member = match members::find_by_email(conn, &registration.email)? {
        // A declined applicant's time is up: they apply afresh, from an unconfirmed address.
        Some(existing) if applications::may_apply_again(conn, &existing, now)? => {
            members::start_over(conn, existing.id, &registration.new_member(), now)?;
            applications::open(conn, existing.id, &registration.about_work, invitation, now)?;
            members::find(conn, existing.id)?
        }
        Some(existing) => existing,
        None => {
            // Two registrations racing for one address: the unique index decides.
            let member = members::insert(conn, &registration.new_member(), now).map_err(
                |error| match error {
                    DbError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                        RegisterError::EmailTaken
                    }
                    other => RegisterError::Database(other),
                },
            )?;
            applications::open(conn, member.id, &registration.about_work, invitation, now)?;
            member
        }
    };
    Ok(confirmations::write_joining_letter(
        conn, &member, links, now,
    )?)
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("email address or password is not right")]
    WrongCredentials,
    #[error("too many attempts")]
    Throttled(u64),
    #[error("account suspended")]
    /// Suspended: until this moment, or until an admin lifts it.
    Suspended(Option<NaiveDateTime>),
    /// The right password, for an account whose address is not yet confirmed.
    #[error("email address not confirmed")]
    Unconfirmed(Box<Member>),
    /// The right password, for an applicant a facilitator has not let in.
    #[error("membership {0}")]
    NotApproved(Standing),
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
    conn: &mut WriteConn,
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
        return Err(SignInError::Suspended(member.suspended_until));
    }
    match applications::standing(conn, &member)? {
        Standing::Approved => Ok(member),
        Standing::Unconfirmed => Err(SignInError::Unconfirmed(Box::new(member))),
        other => Err(SignInError::NotApproved(other)),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PasswordChangeError {
    #[error("Your current password is not right")]
    WrongCurrentPassword,
    #[error("too many attempts")]
    Throttled(u64),
    #[error(transparent)]
    Database(#[from] DbError),
    #[error(transparent)]
    Unavailable(#[from] crate::db::DbError),
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
