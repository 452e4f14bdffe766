//! Cohort bookings: runs of the course for clusters of boroughs, their sessions, places and
//! waiting lists, calendars, rosters and attendance.

pub mod calendar;
pub mod catalogue;
pub mod forms;
pub mod letters;
pub mod managers;
pub mod pages;
pub mod places;
pub mod reminders;
pub mod roster;
pub mod routes;
pub mod runs;
pub mod telling;
pub mod values;
