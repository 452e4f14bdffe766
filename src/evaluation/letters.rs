//! What participants are told after the course.

use crate::bookings::catalogue::RunSummary;
use crate::bookings::letters::Recipient;
use crate::mail::Letter;

const SIGN_OFF: &str = "SPOT: social prescribers and occupational therapists, Greater Manchester";

/// The invitation to give feedback, with the certificate of attendance.
pub fn invitation(to: &Recipient, summary: &RunSummary, base_url: &str) -> Letter {
    let (title, id) = (&summary.run.title, summary.run.id);
    Letter {
        to_name: to.name.clone(),
        to_address: to.address.clone(),
        subject: format!("How was {title}? Tell us in five questions"),
        text: format!(
            "Hello {name},\n\nThank you for taking part in {title}. Please tell us how it went: \
             a few ratings and a couple of lines, and you can choose to answer anonymously.\n\
             {base_url}/courses/{id}/feedback\n\n\
             Your certificate of attendance, for your CPD record, is ready to print or save as a PDF:\n\
             {base_url}/courses/{id}/certificate\n\n{SIGN_OFF}\n",
            name = to.name,
        ),
        ..Letter::default()
    }
}
