//! What an applicant is told, by email: approved, declined, or (when they register again)
//! where their application stands.

use chrono::NaiveDateTime;

use crate::accounts::members::Member;
use crate::mail::Letter;
use crate::web::layout::long_date;

const SIGN_OFF: &str = "SPOT: social prescribers and occupational therapists, Greater Manchester\n";

fn to(member: &Member, subject: &str, text: String) -> Letter {
    Letter {
        to_name: member.display_name.clone(),
        to_address: member.email.clone(),
        subject: subject.into(),
        text,
        ..Letter::default()
    }
}

pub fn approved(member: &Member, base_url: &str) -> Letter {
    to(
        member,
        "Welcome to SPOT: your membership is approved",
        format!(
            "Hello {name},\n\n\
             A facilitator has approved your membership of SPOT. You can now sign in and\n\
             join the discussions, the resource library, the member directory and the\n\
             courses:\n\n\
             {base_url}/login\n\n\
             {SIGN_OFF}",
            name = member.display_name,
        ),
    )
}

pub fn declined(
    member: &Member,
    reason: &str,
    again_from: NaiveDateTime,
    base_url: &str,
) -> Letter {
    to(
        member,
        "Your application to join SPOT",
        format!(
            "Hello {name},\n\n\
             Thank you for applying to join SPOT. A facilitator has not been able to\n\
             approve your membership, for this reason:\n\n\
             {reason}\n\n\
             If something has changed (for example you have a work email address from the\n\
             NHS or a council, or an invitation from a course facilitator), you can apply\n\
             again from {again}: {base_url}/register\n\n\
             {SIGN_OFF}",
            name = member.display_name,
            again = long_date(again_from),
        ),
    )
}

/// To an applicant who registers again while a facilitator has still to decide.
pub fn still_waiting(member: &Member) -> Letter {
    to(
        member,
        "Your application to join SPOT is waiting",
        format!(
            "Hello {name},\n\n\
             Someone (we hope you) tried to join SPOT with this email address. You have\n\
             applied already, and a facilitator will look at your application soon; we\n\
             will email you as soon as they have. There is nothing more to do.\n\n\
             {SIGN_OFF}",
            name = member.display_name,
        ),
    )
}

/// To a declined applicant who registers again before they may.
pub fn not_yet(member: &Member, again_from: NaiveDateTime) -> Letter {
    to(
        member,
        "Your application to join SPOT",
        format!(
            "Hello {name},\n\n\
             Someone (we hope you) tried to join SPOT with this email address. Your\n\
             earlier application was declined, and you can apply again from {again}.\n\n\
             {SIGN_OFF}",
            name = member.display_name,
            again = long_date(again_from),
        ),
    )
}
