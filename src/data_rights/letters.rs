//! What the person who asked for an export is told when it is ready.

use chrono::NaiveDateTime;

use crate::accounts::members::Member;
use crate::mail::Letter;
use crate::web::layout::london_time;

const SIGN_OFF: &str = "SPOT: social prescribers and occupational therapists, Greater Manchester\n";

/// The export of `member`'s data is ready at `link` until `expires_at`: to the member
/// themselves, or to the admin (`asker`) who asked for it.
pub fn export_ready(
    asker: &Member,
    member: &Member,
    link: &str,
    expires_at: NaiveDateTime,
) -> Letter {
    let (subject, what) = if asker.id == member.id {
        (
            "Your SPOT data is ready to download".to_owned(),
            "The copy of your SPOT data that you asked for is ready: a zip file with\n\
             your profile, posts, threads, resources and their files, bookings,\n\
             notifications, reports and the audit entries about you."
                .to_owned(),
        )
    } else {
        (
            format!("The export of member {}'s data is ready", member.id),
            format!(
                "The export of the data of {name} (member {id}) that you asked for, as a\n\
                 subject access request, is ready.",
                name = member.display_name,
                id = member.id,
            ),
        )
    };
    Letter {
        to_name: asker.display_name.clone(),
        to_address: asker.email.clone(),
        subject,
        text: format!(
            "Hello {name},\n\n\
             {what}\n\n\
             Download it here (sign in first if SPOT asks you to):\n\n\
             {link}\n\n\
             The link works until {until} (London time), 24 hours from now. After that\n\
             the file is deleted, and you can ask for a new one.\n\n\
             {SIGN_OFF}",
            name = asker.display_name,
            until = london_time(expires_at),
        ),
        ..Letter::default()
    }
}
