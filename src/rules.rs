//! Why a rule did not do what was asked: the error type of the rule layer that the forum,
//! bookings and library share.
//!
//! The layers (see `crate::web::errors`): queries return `QueryResult`, rules return a
//! [`RuleError`], handlers turn it into an `AppError`. It is named for the layer, not for a
//! feature, because every rule refuses in the same few ways — the thing is missing, the actor
//! may not, the state has moved on, or a value is wrong — or fails to reach the database. A
//! handler matches the refusals it can answer with a form (`Invalid`, `Conflict`) and lets the
//! rest become pages through `From<RuleError> for AppError`. Errors with their own vocabulary
//! (staff changes, accounts) keep their own types.

use crate::db::{Db, DbError, WriteConn};
use crate::web::forms::FieldErrors;
use crate::web::AppError;

/// Why a rule refused, or could not run.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    /// The thing asked for does not exist, or the actor may not know it does: 404.
    #[error("not found")]
    NotFound,
    /// The actor may not do this; the message says why: 403.
    #[error("{0}")]
    Forbidden(String),
    /// The state has moved on (full, closed, already done); the message says how: 409.
    #[error("{0}")]
    Conflict(String),
    /// A value is wrong: the form field it belongs to, and the message for it. A handler
    /// that redisplays the form puts the message by the field; otherwise 400.
    #[error("{1}")]
    Invalid(&'static str, String),
    #[error(transparent)]
    Database(diesel::result::Error),
    #[error(transparent)]
    Unavailable(#[from] DbError),
}

impl RuleError {
    pub fn forbidden(message: impl Into<String>) -> Self {
        RuleError::Forbidden(message.into())
    }

    /// A conflict that a form shows by `field` (a member already booked, by their address).
    pub fn conflict_on(self, field: &'static str) -> Self {
        match self {
            RuleError::Conflict(message) => RuleError::Invalid(field, message),
            other => other,
        }
    }
}

impl From<diesel::result::Error> for RuleError {
    fn from(error: diesel::result::Error) -> Self {
        match error {
            diesel::result::Error::NotFound => RuleError::NotFound,
            other => RuleError::Database(other),
        }
    }
}

impl From<RuleError> for AppError {
    fn from(error: RuleError) -> Self {
        match error {
            RuleError::NotFound => AppError::NotFound,
            RuleError::Forbidden(why) => AppError::Forbidden(why),
            RuleError::Conflict(why) => AppError::Conflict(why),
            RuleError::Invalid(_, why) => AppError::BadRequest(why),
            RuleError::Database(e) => e.into(),
            RuleError::Unavailable(e) => e.into(),
        }
    }
}

/// A form's one write: when the form parsed, `rule` runs with what it parsed in its own
/// write transaction ([`Db::write`]). The answer is what the rule did, or the errors to show
/// the form again with — the form's own, or the rule's refusal of a value (`Invalid`, by its
/// field); any other refusal becomes its page.
pub async fn submit<P, T, F>(
    db: &Db,
    parsed: Result<P, FieldErrors>,
    rule: F,
) -> Result<Result<T, FieldErrors>, AppError>
where
    P: Send + 'static,
    T: Send + 'static,
    F: FnOnce(&mut WriteConn, P) -> Result<T, RuleError> + Send + 'static,
{
    let parsed = match parsed {
        Ok(parsed) => parsed,
        Err(errors) => return Ok(Err(errors)),
    };
    match db.write(move |tx| rule(tx, parsed)).await {
        Ok(done) => Ok(Ok(done)),
        Err(RuleError::Invalid(field, message)) => Ok(Err(FieldErrors::one(field, message))),
        Err(refused) => Err(refused.into()),
    }
}
