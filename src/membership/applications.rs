//! Applications to join: who may read SPOT's members-only pages. A confirmed address in a
//! work domain, or a live invitation, lets a newcomer in at once; anyone else waits for a
//! facilitator, who approves or declines with a reason. The applicant hears either way,
//! and a declined applicant may apply again after [`APPLY_AGAIN_AFTER_DAYS`].

use std::fmt;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::domains::MemberDomains;
use super::invitations;
use super::letters;
use crate::accounts::members::{self, Member, Viewer};
use crate::accounts::values::text_enum;
use crate::accounts::{Borough, Email, Role};
use crate::audit;
use crate::db::paging::{PageNumber, Paged};
use crate::db::{DbConn, InvitationId, MemberId, WriteConn};
use crate::forum::values::Reason;
use crate::notifications::outbox;
use crate::rules::RuleError;
use crate::schema::{applications, invitations as invitation_rows, members as member_rows};

text_enum!(ApplicationStatus, "an application's state", {
    Waiting => ("waiting", "Waiting for a facilitator"),
    Approved => ("approved", "Approved"),
    Declined => ("declined", "Declined"),
});

pub const APPLY_AGAIN_AFTER_DAYS: i64 = 30;

/// A line or two about the applicant's work, for the facilitator who reads the queue:
/// optional, at most 300 characters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AboutWork(String);

impl AboutWork {
    pub const MAX: usize = 300;

    pub fn parse(input: &str) -> Result<Self, String> {
        let text = input.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.chars().count() > Self::MAX {
            return Err(format!(
                "About your work must be {} characters or fewer",
                Self::MAX
            ));
        }
        // No hold is needed here: an application has no reason to mention a patient, so
        // the line is refused outright and its writer takes the detail out.
        let screened = crate::guard::screen(&text);
        if let Some(finding) = screened.findings.first() {
            return Err(format!(
                "Take out {}: nothing about your work should identify a patient or service user",
                screened.described(finding)
            ));
        }
        Ok(Self(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where an account stands on its way in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// The emailed link has not been followed yet.
    Unconfirmed,
    /// Confirmed; a facilitator has still to decide.
    Waiting,
    Declined {
        reason: String,
        /// From when the same address may apply again.
        again_from: NaiveDateTime,
    },
    Approved,
}

impl Standing {
    pub fn is_approved(&self) -> bool {
        matches!(self, Standing::Approved)
    }
}

impl fmt::Display for Standing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Standing::Unconfirmed => "email address not confirmed",
            Standing::Waiting => "waiting for a facilitator",
            Standing::Declined { .. } => "declined",
            Standing::Approved => "approved",
        })
    }
}

/// Where the member stands; one small read for anyone not yet approved.
pub fn standing(conn: &mut DbConn, member: &Member) -> QueryResult<Standing> {
    if member.approved_at.is_some() && member.email_confirmed_at.is_some() {
        return Ok(Standing::Approved);
    }
    if member.email_confirmed_at.is_none() {
        return Ok(Standing::Unconfirmed);
    }
    let row: Option<(ApplicationStatus, Option<NaiveDateTime>, String)> = applications::table
        .find(member.id)
        .select((
            applications::status,
            applications::decided_at,
            applications::reason,
        ))
        .first(conn)
        .optional()?;
    Ok(match row {
        Some((ApplicationStatus::Declined, decided_at, reason)) => Standing::Declined {
            reason,
            again_from: decided_at.unwrap_or(member.created_at)
                + Duration::days(APPLY_AGAIN_AFTER_DAYS),
        },
        _ => Standing::Waiting,
    })
}

/// Whether registering this (declined) address again starts a new application now.
pub fn may_apply_again(
    conn: &mut DbConn,
    member: &Member,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    Ok(match standing(conn, member)? {
        Standing::Declined { again_from, .. } => again_from <= now,
        _ => false,
    })
}

/// Records what a newcomer said when they registered; a new application replaces an old one.
pub fn open(
    conn: &mut DbConn,
    member: MemberId,
    about: &AboutWork,
    invitation: Option<InvitationId>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(applications::table.find(member)).execute(conn)?;
    diesel::insert_into(applications::table)
        .values((
            applications::member_id.eq(member),
            applications::about_work.eq(about.as_str()),
            applications::invitation_id.eq(invitation),
            applications::status.eq(ApplicationStatus::Waiting),
            applications::submitted_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// How a newcomer was let in, or that they wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    WorkAddress,
    Invitation,
    /// Approved before (by a facilitator, or from the console).
    AlreadyApproved,
    Waiting,
}

/// Follows a confirmation link and decides at once what can be decided: a work address
/// or a live invitation is approved; anyone else joins the facilitators' queue. `None`
/// when the link is unknown, used or expired.
pub fn confirm(
    conn: &mut WriteConn,
    token: &str,
    domains: &MemberDomains,
    now: NaiveDateTime,
) -> QueryResult<Option<(Member, Admission)>> {
    let Some(member) = crate::accounts::confirmations::confirm(conn, token, now)? else {
        return Ok(None);
    };
    let admission = admit(conn, &member, domains, now)?;
    let member = members::find(conn, member.id)?;
    Ok(Some((member, admission)))
}

/// Completes a password reset. Following the emailed link proves the address, so a
/// newcomer is admitted just as a confirmation link would admit them.
pub fn complete_reset(
    conn: &mut WriteConn,
    token: &str,
    new_hash: &str,
    domains: &MemberDomains,
    now: NaiveDateTime,
) -> Result<Option<(Member, Standing)>, RuleError> {
    let Some(member) = crate::accounts::resets::complete(conn, token, new_hash, now)? else {
        return Ok(None);
    };
    admit(conn, &member, domains, now)?;
    let member = members::find(conn, member.id)?;
    let standing = standing(conn, &member)?;
    Ok(Some((member, standing)))
}

fn admit(
    conn: &mut WriteConn,
    member: &Member,
    domains: &MemberDomains,
    now: NaiveDateTime,
) -> QueryResult<Admission> {
    if member.approved_at.is_some() {
        return Ok(Admission::AlreadyApproved);
    }
    let application: Option<(ApplicationStatus, Option<InvitationId>)> = applications::table
        .find(member.id)
        .select((applications::status, applications::invitation_id))
        .first(&mut **conn)
        .optional()?;
    let invitation = match application {
        // A decision stands until the applicant applies again.
        Some((ApplicationStatus::Declined, _)) => return Ok(Admission::Waiting),
        Some((_, invitation)) => invitation,
        None => None,
    };
    let email = Email::parse(&member.email).ok();
    let admission = if email.is_some_and(|email| domains.admits(&email)) {
        Admission::WorkAddress
    } else {
        match invitation {
            Some(id) if invitations::take_use(conn, id, now)? => Admission::Invitation,
            _ => return Ok(Admission::Waiting),
        }
    };
    members::approve(conn, member.id, now)?;
    decide(conn, member.id, ApplicationStatus::Approved, None, "", now)?;
    Ok(admission)
}

fn decide(
    conn: &mut DbConn,
    member: MemberId,
    status: ApplicationStatus,
    by: Option<MemberId>,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(applications::table.find(member))
        .set((
            applications::status.eq(status),
            applications::decided_at.eq(now),
            applications::decided_by.eq(by),
            applications::reason.eq(reason),
        ))
        .execute(conn)?;
    Ok(())
}

/// A confirmed applicant still waiting, as the queue shows them.
#[derive(Debug, Clone, Queryable)]
pub struct Applicant {
    pub id: MemberId,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub borough: Borough,
    pub organisation: String,
    pub about_work: String,
    pub submitted_at: NaiveDateTime,
    /// The invitation they came through, if it had run out by the time they confirmed.
    pub invitation: Option<String>,
}

pub const PER_PAGE: i64 = 25;

/// The queue, oldest first: confirmed applicants a facilitator has still to decide on.
pub fn waiting(conn: &mut DbConn, page: PageNumber) -> QueryResult<Paged<Applicant>> {
    let base = || {
        applications::table
            .inner_join(member_rows::table)
            .filter(applications::status.eq(ApplicationStatus::Waiting))
            .filter(member_rows::email_confirmed_at.is_not_null())
            .filter(member_rows::approved_at.is_null())
    };
    let total: i64 = base().count().get_result(conn)?;
    let items = base()
        .left_join(
            invitation_rows::table.on(invitation_rows::id
                .nullable()
                .eq(applications::invitation_id)),
        )
        .select((
            member_rows::id,
            member_rows::display_name,
            member_rows::email,
            member_rows::role,
            member_rows::borough,
            member_rows::organisation,
            applications::about_work,
            applications::submitted_at,
            invitation_rows::label.nullable(),
        ))
        .order((applications::submitted_at.asc(), member_rows::id.asc()))
        .limit(PER_PAGE)
        .offset(page.offset(PER_PAGE))
        .load(conn)?;
    Ok(Paged::new(items, page, PER_PAGE, total))
}

/// How many wait, for the moderation menu.
pub fn waiting_count(conn: &mut DbConn) -> QueryResult<i64> {
    applications::table
        .inner_join(member_rows::table)
        .filter(applications::status.eq(ApplicationStatus::Waiting))
        .filter(member_rows::email_confirmed_at.is_not_null())
        .filter(member_rows::approved_at.is_null())
        .count()
        .get_result(conn)
}

/// The applicant, if a facilitator may still decide on them.
fn undecided(conn: &mut DbConn, member: MemberId) -> Result<Member, RuleError> {
    let applicant = members::find(conn, member)?;
    if applicant.approved_at.is_some() {
        return Err(RuleError::Conflict(format!(
            "{} has been approved already.",
            applicant.display_name
        )));
    }
    let status: Option<ApplicationStatus> = applications::table
        .find(member)
        .select(applications::status)
        .first(conn)
        .optional()?;
    match status {
        Some(ApplicationStatus::Waiting) if applicant.email_confirmed_at.is_some() => Ok(applicant),
        Some(ApplicationStatus::Declined) => Err(RuleError::Conflict(format!(
            "{}'s application has been declined already.",
            applicant.display_name
        ))),
        _ => Err(RuleError::Conflict(format!(
            "{} has not confirmed their email address yet.",
            applicant.display_name
        ))),
    }
}

fn require_facilitator(actor: &Viewer) -> Result<(), RuleError> {
    if actor.staff.can_moderate() {
        Ok(())
    } else {
        Err(RuleError::forbidden(
            "Only facilitators and admins decide on applications",
        ))
    }
}

/// A facilitator lets an applicant in; the applicant is emailed (in this transaction).
pub fn approve(
    conn: &mut WriteConn,
    actor: &Viewer,
    member: MemberId,
    base_url: &str,
    now: NaiveDateTime,
) -> Result<Member, RuleError> {
    require_facilitator(actor)?;
    let applicant = undecided(conn, member)?;
    let approved = let_in(conn, &applicant, Some(actor.id), base_url, now)?;
    Ok(approved)
}

fn let_in(
    conn: &mut WriteConn,
    applicant: &Member,
    by: Option<MemberId>,
    base_url: &str,
    now: NaiveDateTime,
) -> QueryResult<Member> {
    members::approve(conn, applicant.id, now)?;
    decide(conn, applicant.id, ApplicationStatus::Approved, by, "", now)?;
    audit::record(
        conn,
        &audit::Entry {
            actor: by,
            action: "application approved",
            target_member: Some(applicant.id),
            subject: "membership",
            reason: "",
        },
        now,
    )?;
    let letter = letters::approved(applicant, base_url);
    outbox::enqueue(conn, Some(applicant.id), &letter, now)?;
    members::find(conn, applicant.id)
}

/// Approves an account from the server's console (`spot user approve EMAIL`), whatever its
/// application says; an unconfirmed address still has to be confirmed.
pub fn approve_from_console(
    conn: &mut WriteConn,
    email: &Email,
    base_url: &str,
    now: NaiveDateTime,
) -> Result<Member, RuleError> {
    let Some(applicant) = members::find_by_email(conn, email)? else {
        return Err(RuleError::NotFound);
    };
    if applicant.approved_at.is_some() {
        return Err(RuleError::Conflict(format!("{email} is approved already")));
    }
    let exists = diesel::select(diesel::dsl::exists(applications::table.find(applicant.id)))
        .get_result::<bool>(&mut **conn)?;
    if !exists {
        open(conn, applicant.id, &AboutWork::default(), None, now)?;
    }
    Ok(let_in(conn, &applicant, None, base_url, now)?)
}

/// A facilitator declines, saying why; the applicant is emailed the reason and when they
/// may apply again.
pub fn decline(
    conn: &mut WriteConn,
    actor: &Viewer,
    member: MemberId,
    reason: &Reason,
    base_url: &str,
    now: NaiveDateTime,
) -> Result<Member, RuleError> {
    require_facilitator(actor)?;
    let applicant = undecided(conn, member)?;
    decide(
        conn,
        member,
        ApplicationStatus::Declined,
        Some(actor.id),
        reason.as_str(),
        now,
    )?;
    audit::record(
        conn,
        &audit::Entry {
            actor: Some(actor.id),
            action: "application declined",
            target_member: Some(member),
            subject: "membership",
            reason: reason.as_str(),
        },
        now,
    )?;
    let again_from = now + Duration::days(APPLY_AGAIN_AFTER_DAYS);
    let letter = letters::declined(&applicant, reason.as_str(), again_from, base_url);
    outbox::enqueue(conn, Some(member), &letter, now)?;
    Ok(applicant)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn about_work_is_one_short_line_and_may_be_left_out() {
        assert_eq!(AboutWork::parse("").unwrap().as_str(), "");
        assert_eq!(
            AboutWork::parse(" Link worker,\n Age UK Salford ")
                .unwrap()
                .as_str(),
            "Link worker, Age UK Salford"
        );
        assert!(AboutWork::parse(&"x".repeat(301)).is_err());
        let refused = AboutWork::parse("I helped Mrs Patel, NHS number 943 476 5919").unwrap_err();
        assert!(refused.contains("943 476 5919"), "{refused}");
    }
}
