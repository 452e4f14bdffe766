//! Rate limits kept in the database, so they hold across several app nodes. A limit
//! slows an attacker down without locking a real member out for long: every window is
//! short and sliding, so the wait ends by itself. Events are kept for
//! `SPOT_RETAIN_THROTTLE_DAYS` ([`crate::retention`]), at least a day: longer than any window.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::schema::throttle_events;

/// Contact messages one person may send within an hour.
pub const CONTACT_PER_HOUR: i64 = 5;

/// Names one member may look up to @mention within a minute.
pub const MENTION_LOOKUPS_PER_MINUTE: i64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Failed sign-ins for one email address, whether or not it is registered.
    SignInPerAccount,
    /// Failed sign-ins from one network address.
    SignInPerAddress,
    /// New accounts from one network address.
    RegistrationPerAddress,
    /// Password-reset emails for one address.
    ResetPerAccount,
    /// Password-reset requests from one network address.
    ResetPerAddress,
    /// Letters about joining (a confirmation link, or "you already have an account") to one
    /// address: registering someone else's address again and again must not flood them.
    JoiningLettersPerAccount,
    /// Messages through the contact form from one network address.
    ContactPerAddress,
    /// Messages through the contact form from one signed-in member.
    ContactPerMember,
    /// Names looked up to @mention, by one member as they type.
    MentionLookupsPerMember,
}

impl Limit {
    fn kind(self) -> &'static str {
        match self {
            Limit::SignInPerAccount => "sign_in_account",
            Limit::SignInPerAddress => "sign_in_ip",
            Limit::RegistrationPerAddress => "register_ip",
            Limit::ResetPerAccount => "reset_account",
            Limit::ResetPerAddress => "reset_ip",
            Limit::JoiningLettersPerAccount => "joining_account",
            Limit::ContactPerAddress => "contact_ip",
            Limit::ContactPerMember => "contact_member",
            Limit::MentionLookupsPerMember => "mention_member",
        }
    }

    /// (events allowed, within this window)
    fn rule(self) -> (i64, Duration) {
        match self {
            Limit::SignInPerAccount => (5, Duration::minutes(15)),
            Limit::SignInPerAddress => (30, Duration::minutes(15)),
            Limit::RegistrationPerAddress => (10, Duration::hours(1)),
            Limit::ResetPerAccount => (3, Duration::hours(1)),
            Limit::ResetPerAddress => (10, Duration::hours(1)),
            Limit::JoiningLettersPerAccount => (3, Duration::hours(1)),
            Limit::ContactPerAddress => (CONTACT_PER_HOUR, Duration::hours(1)),
            Limit::ContactPerMember => (CONTACT_PER_HOUR, Duration::hours(1)),
            // A few look-ups a name typed; a page script never needs more than one a second.
            Limit::MentionLookupsPerMember => (MENTION_LOOKUPS_PER_MINUTE, Duration::minutes(1)),
        }
    }
}

/// Seconds to wait before `subject` may try again, or `None` when it may go ahead now.
pub fn wait_needed(
    conn: &mut DbConn,
    limit: Limit,
    subject: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<u64>> {
    let (allowed, window) = limit.rule();
    let since = now - window;
    let recent = throttle_events::table
        .filter(throttle_events::kind.eq(limit.kind()))
        .filter(throttle_events::subject.eq(subject))
        .filter(throttle_events::created_at.gt(since));
    let count: i64 = recent.count().get_result(conn)?;
    if count < allowed {
        return Ok(None);
    }
    // Free again when enough of the recent events have aged out of the window.
    let oldest_that_must_expire: NaiveDateTime = recent
        .select(throttle_events::created_at)
        .order(throttle_events::created_at.asc())
        .offset(count - allowed)
        .first(conn)?;
    let free_at = oldest_that_must_expire + window;
    let seconds = (free_at - now).num_seconds().max(1);
    Ok(Some(seconds as u64))
}

/// The longest wait any of these limits asks for.
pub fn longest_wait(
    conn: &mut DbConn,
    checks: &[(Limit, &str)],
    now: NaiveDateTime,
) -> QueryResult<Option<u64>> {
    let mut longest = None;
    for (limit, subject) in checks {
        if let Some(wait) = wait_needed(conn, *limit, subject, now)? {
            longest = Some(longest.map_or(wait, |current: u64| current.max(wait)));
        }
    }
    Ok(longest)
}

/// Counts one event against a limit; returns its id, so a reserved slot can be given back.
pub fn record(
    conn: &mut DbConn,
    limit: Limit,
    subject: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(throttle_events::table)
        .values((
            throttle_events::kind.eq(limit.kind()),
            throttle_events::subject.eq(subject),
            throttle_events::created_at.eq(now),
        ))
        .returning(throttle_events::id)
        .get_result(conn)
}

/// Gives back one event recorded in advance.
pub fn forget(conn: &mut DbConn, event: i64) -> QueryResult<()> {
    diesel::delete(throttle_events::table.find(event)).execute(conn)?;
    Ok(())
}

/// Forgets an account's failures once its owner signs in.
pub fn clear(conn: &mut DbConn, limit: Limit, subject: &str) -> QueryResult<()> {
    diesel::delete(
        throttle_events::table
            .filter(throttle_events::kind.eq(limit.kind()))
            .filter(throttle_events::subject.eq(subject)),
    )
    .execute(conn)?;
    Ok(())
}
