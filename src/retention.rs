//! How long SPOT keeps what has served its purpose, and the pruning that holds it to that.
//!
//! Each kind of record has a period, set by an environment variable with a default (see
//! [`SETTINGS`]); the privacy notice quotes them ([`Retention::placeholders`]). Once a day
//! one app node ([`claim_day`]) removes what is older, a few hundred rows per transaction so
//! that no table is locked for long, and logs what it removed of each kind.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::{DbConn, MemberId, OutboxId, WriteConn};
use crate::holds::lapsed;
use crate::membership::applications::{ApplicationStatus, APPLY_AGAIN_AFTER_DAYS};
use crate::schema::{
    applications, audit_log, contact_messages, ended_sessions, members, notifications, outbox,
    posts, resources, retention_runs, threads, throttle_events,
};

/// Rows removed per transaction.
pub const BATCH: i64 = 500;
/// Held items removed per transaction: each may be a thread with its posts.
const HOLD_BATCH: i64 = 50;
/// How long a node may take over a day's pruning before another may take it over.
const CLAIM: Duration = Duration::hours(1);

/// Days each kind of record is kept, at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Emails sent (or given up): the outbox row that records to whom, what and when.
    pub sent_email: u32,
    /// Sessions signed out of: never less than a sign-in lasts (`SPOT_SESSION_DAYS`).
    pub ended_sessions: u32,
    /// Rate-limit events (failed sign-ins, registrations, resets, contact messages, mention look-ups).
    pub throttle_events: u32,
    /// Notifications their member has read, from when they read them.
    pub read_notifications: u32,
    /// Every notification, read or not.
    pub notifications: u32,
    pub audit_log: u32,
    /// Accounts of applicants who were declined and never let in.
    pub declined_applications: u32,
    /// Held items returned to their authors and never corrected.
    pub returned_holds: u32,
    /// Messages sent through the contact form.
    pub contact_messages: u32,
}

/// One period: its name in the privacy notice's placeholders, its environment variable, its
/// default in days, and what it covers, in words.
pub struct Setting {
    pub key: &'static str,
    pub variable: &'static str,
    pub default: u32,
    pub what: &'static str,
    get: fn(&Retention) -> u32,
    set: fn(&mut Retention, u32),
}

impl Setting {
    pub fn of(&self, retention: &Retention) -> u32 {
        (self.get)(retention)
    }
}

macro_rules! settings {
    ($($field:ident: $variable:literal, $default:expr, $what:literal;)+) => {
        /// Every period, in the order the admin guide lists them.
        pub const SETTINGS: &[Setting] = &[$(
            Setting {
                key: stringify!($field),
                variable: $variable,
                default: $default,
                what: $what,
                get: |retention| retention.$field,
                set: |retention, days| retention.$field = days,
            },
        )+];

        impl Default for Retention {
            fn default() -> Self {
                Self { $($field: $default),+ }
            }
        }
    };
}

settings! {
    sent_email: "SPOT_RETAIN_SENT_EMAIL_DAYS", 30, "the record of an email sent or given up";
    ended_sessions: "SPOT_RETAIN_ENDED_SESSIONS_DAYS", 30, "the list of sessions signed out of";
    throttle_events: "SPOT_RETAIN_THROTTLE_DAYS", 7, "rate-limit events (sign-in failures, registrations, password resets, contact messages, names looked up to mention)";
    read_notifications: "SPOT_RETAIN_READ_NOTIFICATIONS_DAYS", 180, "notifications after they are read";
    notifications: "SPOT_RETAIN_NOTIFICATIONS_DAYS", 365, "every notification, read or not";
    audit_log: "SPOT_RETAIN_AUDIT_DAYS", 2190, "the audit log of staff actions";
    declined_applications: "SPOT_RETAIN_DECLINED_APPLICATIONS_DAYS", 90, "the accounts of applicants who were declined";
    returned_holds: "SPOT_RETAIN_RETURNED_HOLDS_DAYS", 90, "held items returned to their authors and not corrected";
    contact_messages: "SPOT_RETAIN_CONTACT_MESSAGES_DAYS", 365, "messages sent through the contact form";
}

/// The longest any period may be: a hundred years.
const LONGEST: u32 = 36_500;

impl Retention {
    /// The periods from the environment (`lookup` reads a variable), each a whole number of
    /// days. Refused: a period that would break something else — ended sessions forgotten
    /// while their cookies still work, all notifications kept for less than read ones, a
    /// declined applicant forgotten before they may apply again.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
        session_days: u32,
    ) -> Result<Self, String> {
        let mut retention = Retention {
            ended_sessions: session_days.max(30),
            ..Retention::default()
        };
        for setting in SETTINGS {
            if let Some(raw) = lookup(setting.variable) {
                let days = raw
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|days| (1..=LONGEST).contains(days))
                    .ok_or_else(|| {
                        format!(
                            "{} must be a whole number of days from 1 to {LONGEST}, not {raw:?}",
                            setting.variable
                        )
                    })?;
                (setting.set)(&mut retention, days);
            }
        }
        if retention.ended_sessions < session_days {
            return Err(format!(
                "SPOT_RETAIN_ENDED_SESSIONS_DAYS ({}) must be at least SPOT_SESSION_DAYS ({session_days}): \
                 a signed-out session's cookie must stay refused for as long as it could be used",
                retention.ended_sessions
            ));
        }
        if retention.notifications < retention.read_notifications {
            return Err(format!(
                "SPOT_RETAIN_NOTIFICATIONS_DAYS ({}) must be at least SPOT_RETAIN_READ_NOTIFICATIONS_DAYS ({})",
                retention.notifications, retention.read_notifications
            ));
        }
        if i64::from(retention.declined_applications) < APPLY_AGAIN_AFTER_DAYS {
            return Err(format!(
                "SPOT_RETAIN_DECLINED_APPLICATIONS_DAYS ({}) must be at least {APPLY_AGAIN_AFTER_DAYS}: \
                 a declined applicant is told they may apply again after that many days",
                retention.declined_applications
            ));
        }
        Ok(retention)
    }

    /// `{retention.<key>}` and how the notice reads it ("30 days", "6 years"), for every
    /// period.
    pub fn placeholders(&self) -> Vec<(String, String)> {
        SETTINGS
            .iter()
            .map(|setting| {
                (
                    format!("{{retention.{}}}", setting.key),
                    in_words(setting.of(self)),
                )
            })
            .collect()
    }
}

/// A period as people read it: "1 day", "90 days", "6 years".
pub fn in_words(days: u32) -> String {
    match days {
        1 => "1 day".into(),
        days if days % 365 == 0 && days >= 730 => format!("{} years", days / 365),
        365 => "1 year".into(),
        days => format!("{days} days"),
    }
}

/// What one pruning removed, by kind.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pruned {
    pub sent_email: usize,
    pub ended_sessions: usize,
    pub throttle_events: usize,
    pub read_notifications: usize,
    pub notifications: usize,
    pub audit_log: usize,
    pub declined_applications: usize,
    pub returned_holds: usize,
    pub contact_messages: usize,
    /// Stored files of the resources removed, to delete now that their rows are gone.
    pub files: Vec<String>,
}

impl Pruned {
    pub fn total(&self) -> usize {
        self.sent_email
            + self.ended_sessions
            + self.throttle_events
            + self.read_notifications
            + self.notifications
            + self.audit_log
            + self.declined_applications
            + self.returned_holds
            + self.contact_messages
    }
}

fn cutoff(now: NaiveDateTime, days: u32) -> NaiveDateTime {
    now - Duration::days(i64::from(days))
}

/// Runs `batch` in write transactions of its own until it removes fewer than `size`: a
/// large backlog is removed a few hundred rows at a time, never in one long lock.
fn in_batches(
    conn: &mut DbConn,
    size: i64,
    mut batch: impl FnMut(&mut WriteConn) -> QueryResult<usize>,
) -> QueryResult<usize> {
    let mut removed = 0;
    loop {
        let done = conn.write_transaction(&mut batch)?;
        removed += done;
        if done < size as usize {
            return Ok(removed);
        }
    }
}

/// Deletes, a batch at a time, the rows of `$table` that `$old` picks, by their key `$key`
/// (of Rust type `$type`); the number removed.
macro_rules! delete_old {
    ($conn:expr, $table:ident, $key:ident: $type:ty, $old:expr) => {
        in_batches($conn, BATCH, |tx| {
            let keys: Vec<$type> = $table::table
                .filter($old)
                .select($table::$key)
                .limit(BATCH)
                .load(&mut **tx)?;
            diesel::delete($table::table.filter($table::$key.eq_any(keys))).execute(&mut **tx)
        })
    };
}

/// Removes everything older than its period, kind by kind, and logs what went.
pub fn prune(conn: &mut DbConn, retention: &Retention, now: NaiveDateTime) -> QueryResult<Pruned> {
    let before = |days: u32| cutoff(now, days);
    let sent = before(retention.sent_email);
    let read = before(retention.read_notifications);
    let mut pruned = Pruned {
        sent_email: delete_old!(conn, outbox, id: OutboxId,
            outbox::sent_at.lt(sent).or(outbox::failed_at.lt(sent)))?,
        ended_sessions: delete_old!(conn, ended_sessions, session_id: String,
            ended_sessions::ended_at.lt(before(retention.ended_sessions)))?,
        throttle_events: delete_old!(conn, throttle_events, id: i64,
            throttle_events::created_at.lt(before(retention.throttle_events)))?,
        // Read before the cutoff means made before it too: the index on created_at serves.
        read_notifications: delete_old!(conn, notifications, id: i64,
            notifications::created_at.lt(read).and(notifications::read_at.lt(read)))?,
        notifications: delete_old!(conn, notifications, id: i64,
            notifications::created_at.lt(before(retention.notifications)))?,
        audit_log: delete_old!(conn, audit_log, id: i64,
            audit_log::created_at.lt(before(retention.audit_log)))?,
        contact_messages: delete_old!(conn, contact_messages, id: i64,
            contact_messages::created_at.lt(before(retention.contact_messages)))?,
        ..Pruned::default()
    };
    let declined = before(retention.declined_applications);
    pruned.declined_applications = in_batches(conn, BATCH, |tx| declined_applicants(tx, declined))?;
    let returned = before(retention.returned_holds);
    let mut files = Vec::new();
    pruned.returned_holds = in_batches(conn, HOLD_BATCH, |tx| {
        let holds = lapsed::returned_before(tx, returned, HOLD_BATCH)?;
        for hold in &holds {
            files.extend(lapsed::discard(tx, hold, retention.returned_holds, now)?);
        }
        Ok(holds.len())
    })?;
    pruned.files = files;
    log(&pruned, retention);
    Ok(pruned)
}

/// Deletes a batch of accounts whose application was declined before `cutoff` and that
/// were never let in (nothing they wrote can exist), with what cascades from them.
fn declined_applicants(tx: &mut WriteConn, cutoff: NaiveDateTime) -> QueryResult<usize> {
    let conn: &mut DbConn = tx;
    let ids: Vec<MemberId> = applications::table
        .inner_join(members::table)
        .filter(applications::status.eq(ApplicationStatus::Declined))
        .filter(applications::decided_at.lt(cutoff))
        .filter(members::approved_at.is_null())
        .filter(diesel::dsl::not(diesel::dsl::exists(
            threads::table.filter(threads::author_id.eq(members::id)),
        )))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            posts::table.filter(posts::author_id.eq(members::id)),
        )))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            resources::table.filter(resources::owner_id.eq(members::id)),
        )))
        .select(members::id)
        .limit(BATCH)
        .load(conn)?;
    let removed = diesel::delete(members::table.filter(members::id.eq_any(&ids))).execute(conn)?;
    for id in ids {
        crate::search::index::member(conn, id)?;
    }
    Ok(removed)
}

fn log(pruned: &Pruned, retention: &Retention) {
    let kinds = [
        ("sent emails", pruned.sent_email, retention.sent_email),
        (
            "ended sessions",
            pruned.ended_sessions,
            retention.ended_sessions,
        ),
        (
            "rate-limit events",
            pruned.throttle_events,
            retention.throttle_events,
        ),
        (
            "read notifications",
            pruned.read_notifications,
            retention.read_notifications,
        ),
        (
            "notifications",
            pruned.notifications,
            retention.notifications,
        ),
        ("audit log entries", pruned.audit_log, retention.audit_log),
        (
            "declined applicants",
            pruned.declined_applications,
            retention.declined_applications,
        ),
        (
            "returned held items",
            pruned.returned_holds,
            retention.returned_holds,
        ),
        (
            "contact messages",
            pruned.contact_messages,
            retention.contact_messages,
        ),
    ];
    for (kind, removed, days) in kinds {
        if removed > 0 {
            tracing::info!(
                kind,
                removed,
                older_than_days = days,
                "retention: removed old records"
            );
        }
    }
}

/// Takes today's pruning for this node, unless another node has done it or is doing it
/// (its claim not yet lapsed). `true`: go ahead, then [`finish_day`].
pub fn claim_day(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<bool> {
    let day = now.date().to_string();
    conn.write_transaction(|tx| {
        tx.serialize_on("retention-runs")?;
        let conn: &mut DbConn = tx;
        let run: Option<(NaiveDateTime, Option<NaiveDateTime>)> = retention_runs::table
            .find(&day)
            .select((retention_runs::claimed_until, retention_runs::finished_at))
            .first(conn)
            .optional()?;
        match run {
            None => {
                diesel::insert_into(retention_runs::table)
                    .values((
                        retention_runs::day.eq(&day),
                        retention_runs::claimed_until.eq(now + CLAIM),
                    ))
                    .execute(conn)?;
                Ok(true)
            }
            Some((claimed_until, None)) if claimed_until < now => {
                diesel::update(retention_runs::table.find(&day))
                    .set(retention_runs::claimed_until.eq(now + CLAIM))
                    .execute(conn)?;
                Ok(true)
            }
            Some(_) => Ok(false),
        }
    })
}

/// Marks today's pruning done, and forgets the record of days long past.
pub fn finish_day(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<()> {
    let day = now.date().to_string();
    let long_ago = (now - Duration::days(30)).date().to_string();
    conn.write_transaction(|tx| {
        diesel::update(retention_runs::table.find(&day))
            .set(retention_runs::finished_at.eq(now))
            .execute(&mut **tx)?;
        diesel::delete(retention_runs::table.filter(retention_runs::day.lt(long_ago)))
            .execute(&mut **tx)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(pairs: &[(&str, &str)], session_days: u32) -> Result<Retention, String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Retention::from_lookup(
            |name| {
                pairs
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
            },
            session_days,
        )
    }

    #[test]
    fn defaults_stand_until_a_variable_changes_one() {
        let retention = from(&[], 30).unwrap();
        assert_eq!(retention, Retention::default());
        assert_eq!(retention.audit_log, 2190);
        let changed = from(&[("SPOT_RETAIN_AUDIT_DAYS", " 400 ")], 30).unwrap();
        assert_eq!(changed.audit_log, 400);
        assert_eq!(changed.sent_email, 30);
    }

    #[test]
    fn nonsense_and_unsafe_periods_are_refused_with_the_variable_named() {
        for bad in ["0", "-3", "ten", "99999999"] {
            let refused = from(&[("SPOT_RETAIN_THROTTLE_DAYS", bad)], 30).unwrap_err();
            assert!(refused.contains("SPOT_RETAIN_THROTTLE_DAYS"), "{refused}");
        }
        let refused = from(&[("SPOT_RETAIN_ENDED_SESSIONS_DAYS", "10")], 30).unwrap_err();
        assert!(refused.contains("SPOT_SESSION_DAYS"), "{refused}");
        let refused = from(&[("SPOT_RETAIN_NOTIFICATIONS_DAYS", "100")], 30).unwrap_err();
        assert!(refused.contains("READ_NOTIFICATIONS"), "{refused}");
        let refused = from(&[("SPOT_RETAIN_DECLINED_APPLICATIONS_DAYS", "7")], 30).unwrap_err();
        assert!(refused.contains("apply again"), "{refused}");
    }

    #[test]
    fn ended_sessions_outlast_a_longer_sign_in_by_default() {
        assert_eq!(from(&[], 60).unwrap().ended_sessions, 60);
        assert_eq!(from(&[], 7).unwrap().ended_sessions, 30);
    }

    #[test]
    fn periods_read_as_people_say_them() {
        assert_eq!(in_words(1), "1 day");
        assert_eq!(in_words(30), "30 days");
        assert_eq!(in_words(365), "1 year");
        assert_eq!(in_words(2190), "6 years");
        assert_eq!(in_words(400), "400 days");
        let placeholders = Retention::default().placeholders();
        assert!(placeholders.contains(&("{retention.audit_log}".into(), "6 years".into())));
        assert_eq!(placeholders.len(), SETTINGS.len());
    }
}
