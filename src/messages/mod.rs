//! Private conversations: a member writes to one other member or to a small group (a course
//! cohort, a borough's link workers and OTs), from a profile, a directory card or a course
//! run's page. Messages are Markdown, cooked like posts, and pass the patient-data guard: one
//! its author confirmed after a warning is held, and delivered only when a facilitator
//! approves it. Each member says who may start a conversation with them and can block
//! anyone; a blocked member is refused exactly as if the other took no messages. A message
//! can be reported: facilitators see the reported message and its author, never the
//! conversations themselves. New messages are notified (and emailed) by the member's
//! settings, and found by search only by the conversation's own members.
//!
//! `contacts` says who may write to whom; `conversations` starts, delivers and reads them;
//! `reports` is the facilitators' side.

pub mod contacts;
pub mod conversations;
pub mod pages;
pub mod reports;
pub mod routes;
pub mod values;
