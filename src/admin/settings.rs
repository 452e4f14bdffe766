//! Site-wide switches an admin sets. Each has a default that holds until an admin changes it;
//! a change is logged.

use std::fmt;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::accounts::members::Viewer;
use crate::accounts::values::text_enum;
use crate::audit;
use crate::db::{DbConn, WriteConn};
use crate::rules::RuleError;
use crate::schema::site_settings;

text_enum!(Setting, "a setting", {
    MapOnHome => ("map_on_home", "Show the map's counts on the home page"),
});

impl Setting {
    /// What holds until an admin says otherwise.
    pub fn default_value(self) -> bool {
        match self {
            Setting::MapOnHome => false,
        }
    }

    /// What the switch does, for the admin who sets it.
    pub fn hint(self) -> &'static str {
        match self {
            Setting::MapOnHome => {
                "Everyone who opens the home page, signed in or not, sees how many link workers and occupational therapists each borough has (not who they are). Members always see the map."
            }
        }
    }
}

/// Whether a switch is on.
pub fn enabled(conn: &mut DbConn, setting: Setting) -> QueryResult<bool> {
    let value: Option<String> = site_settings::table
        .find(setting.slug())
        .select(site_settings::value)
        .first(conn)
        .optional()?;
    Ok(value.map_or(setting.default_value(), |v| v == "on"))
}

/// Every switch and whether it is on.
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<(Setting, bool)>> {
    Setting::ALL
        .iter()
        .map(|&setting| Ok((setting, enabled(conn, setting)?)))
        .collect()
}

/// An admin turns a switch on or off.
pub fn set(
    conn: &mut WriteConn,
    admin: &Viewer,
    setting: Setting,
    on: bool,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    if !admin.staff.is_admin() {
        return Err(RuleError::forbidden(
            "Only admins can change the site's settings.",
        ));
    }
    let conn: &mut DbConn = conn;
    let value = if on { "on" } else { "off" };
    let changed = (
        site_settings::value.eq(value),
        site_settings::updated_at.eq(now),
        site_settings::updated_by.eq(Some(admin.id)),
    );
    let updated = diesel::update(site_settings::table.find(setting.slug()))
        .set(changed)
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(site_settings::table)
            .values((site_settings::name.eq(setting.slug()), changed))
            .execute(conn)?;
    }
    audit::record(
        conn,
        &audit::Entry {
            actor: Some(admin.id),
            action: "site setting changed",
            target_member: None,
            subject: &format!("{}: {value}", setting.label()),
            reason: "",
        },
        now,
    )?;
    Ok(())
}
