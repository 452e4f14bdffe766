//! The certificate of attendance, for a participant's CPD record: who, which course, the
//! sessions they attended with their dates and hours, signed off by the run's facilitators.
//! Only those the register shows at one session or more have one.

use chrono::NaiveDateTime;
use hmac::Mac;

use super::attendance;
use crate::accounts::members::{self, Viewer};
use crate::accounts::Role;
use crate::bookings::catalogue::{self, RunSummary, Session};
use crate::db::{CourseRunId, DbConn, MemberId};
use crate::rules::RuleError;

#[derive(Debug, Clone)]
pub struct Certificate {
    /// Quoted to check a certificate with SPOT's admins: the same for the same person and
    /// run, and not guessable from them.
    pub number: String,
    pub name: String,
    pub role: Role,
    pub organisation: String,
    pub summary: RunSummary,
    pub attended: Vec<Session>,
    pub minutes: i64,
    /// The facilitators who sign it off: (name, role).
    pub signed_by: Vec<(String, Role)>,
    /// The end of the last session attended.
    pub issued_on: NaiveDateTime,
}

impl Certificate {
    pub fn completed(&self) -> bool {
        self.attended.len() == self.summary.sessions.len()
    }
}

/// The certificate's number: the run, then a keyed hash of run and member.
pub fn number(key: &[u8], run: CourseRunId, member: MemberId) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).expect("any key length works");
    mac.update(format!("certificate:{run}:{member}").as_bytes());
    let code = hex::encode_upper(&mac.finalize().into_bytes()[..5]);
    format!("SPOT-{run}-{}-{}", &code[..5], &code[5..])
}

/// The signed-in member's certificate for the run.
pub fn certificate(
    conn: &mut DbConn,
    viewer: &Viewer,
    run: CourseRunId,
    key: &[u8],
) -> Result<Certificate, RuleError> {
    let summary = catalogue::one(conn, run)?;
    let attended = attendance::sessions_attended(conn, run, viewer.id)?;
    let Some(last) = attended.iter().map(Session::ends_at).max() else {
        return Err(RuleError::forbidden(
            "A certificate of attendance is for people who attended this course, and the \
             register does not show you at any of its sessions. If that is wrong, ask the \
             course's facilitators to correct the register.",
        ));
    };
    let member = members::find(conn, viewer.id)?;
    let mut signed_by = Vec::new();
    for id in [
        summary.run.ot_facilitator_id,
        summary.run.link_worker_facilitator_id,
    ]
    .into_iter()
    .flatten()
    {
        let facilitator = members::find(conn, id)?;
        signed_by.push((facilitator.display_name, facilitator.role));
    }
    Ok(Certificate {
        number: number(key, run, viewer.id),
        name: member.display_name,
        role: member.role,
        organisation: member.organisation,
        minutes: attendance::minutes(&attended),
        attended,
        signed_by,
        issued_on: last,
        summary,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_stable_and_differ_by_person() {
        let key = b"a key";
        let one = number(key, CourseRunId(3), MemberId(7));
        assert_eq!(one, number(key, CourseRunId(3), MemberId(7)));
        assert_ne!(one, number(key, CourseRunId(3), MemberId(8)));
        assert!(one.starts_with("SPOT-3-"), "{one}");
        assert_eq!(one.len(), "SPOT-3-".len() + 11);
    }
}
