//! What a member is told by email about their account by the people who run SPOT.

use chrono::NaiveDateTime;

use super::members::Member;
use crate::mail::Letter;
use crate::web::layout::long_date;

const SIGN_OFF: &str = "SPOT: social prescribers and occupational therapists, Greater Manchester\n";

/// A suspension: why, until when, and how to ask for it to be looked at again.
pub fn suspended(
    member: &Member,
    until: Option<NaiveDateTime>,
    reason: &str,
    base_url: &str,
) -> Letter {
    let until = match until {
        Some(until) => format!(
            "until {} (it ends on its own then; you can sign in again from that moment)",
            long_date(until)
        ),
        None => "until an admin lifts it".to_owned(),
    };
    Letter {
        to_name: member.display_name.clone(),
        to_address: member.email.clone(),
        subject: "Your SPOT account is suspended".into(),
        text: format!(
            "Hello {name},\n\n\
             Your SPOT account has been suspended {until}. While it is suspended you\n\
             cannot sign in; your posts and resources stay.\n\n\
             The reason given:\n\n\
             {reason}\n\n\
             If you think this is a mistake, or want to ask for it to be looked at again,\n\
             write to the SPOT team through the contact page (no sign-in needed):\n\n\
             {base_url}/contact\n\n\
             {SIGN_OFF}",
            name = member.display_name,
        ),
        ..Letter::default()
    }
}

/// A facilitator's warning: what about, and that it is on record.
pub fn warned(member: &Member, reason: &str, base_url: &str) -> Letter {
    Letter {
        to_name: member.display_name.clone(),
        to_address: member.email.clone(),
        subject: "A warning from the SPOT facilitators".into(),
        text: format!(
            "Hello {name},\n\n\
             A SPOT facilitator has given you a warning, for this reason:\n\n\
             {reason}\n\n\
             Please read the community guidelines: {base_url}/guidelines\n\n\
             Warnings are kept on your record for the facilitators. If you think this is a\n\
             mistake, write to the SPOT team: {base_url}/contact\n\n\
             {SIGN_OFF}",
            name = member.display_name,
        ),
        ..Letter::default()
    }
}
