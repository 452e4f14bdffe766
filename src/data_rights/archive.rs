//! Writing an export's zip, entry by entry, into a file: each JSON document is serialised
//! straight into the zip as its rows are read a page at a time, and each uploaded file is
//! copied in from the store as it is, so that neither the archive nor a long list is ever
//! whole in memory. Progress is recorded as it goes (see [`super::exports::progress`]).
//!
//! The `zip` crate writes the archive: it is the maintained, widely used Rust
//! implementation, writes to any `Write + Seek` (a file here) one entry at a time, and
//! switches to ZIP64 by itself should an entry pass 4 GiB.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use chrono::NaiveDateTime;
use serde::Serialize;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::contents::{self, Keyed};
use super::exports::{self, ExportId, Job};
use crate::db::{DbConn, MemberId};
use crate::resources::store::FileStore;

/// The zip being written.
struct Archive {
    zip: ZipWriter<BufWriter<File>>,
    /// For text: compressed.
    text: SimpleFileOptions,
    /// For uploaded files, mostly compressed already (PDF, images, Office): stored as they are.
    stored: SimpleFileOptions,
}

impl Archive {
    fn new(file: File, now: NaiveDateTime) -> Self {
        let dated = zip::DateTime::try_from(now).unwrap_or_default();
        let text = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .last_modified_time(dated)
            .unix_permissions(0o644);
        Self {
            zip: ZipWriter::new(BufWriter::new(file)).set_auto_large_file(),
            text,
            stored: text.compression_method(CompressionMethod::Stored),
        }
    }

    fn text(&mut self, name: &str, text: &str) -> anyhow::Result<()> {
        self.zip.start_file(name, self.text)?;
        self.zip.write_all(text.as_bytes())?;
        Ok(())
    }

    fn json<T: Serialize>(&mut self, name: &str, value: &T) -> anyhow::Result<()> {
        self.zip.start_file(name, self.text)?;
        serde_json::to_writer_pretty(&mut self.zip, value)?;
        self.zip.write_all(b"\n")?;
        Ok(())
    }

    /// A JSON array document, its records read a page at a time by `load(conn, after)` (the
    /// records after the last one's key) and written one by one.
    fn list<T, F>(
        &mut self,
        name: &str,
        conn: &mut DbConn,
        tally: &mut Tally,
        mut load: F,
    ) -> anyhow::Result<()>
    where
        T: Serialize + Keyed,
        F: FnMut(&mut DbConn, i64) -> diesel::QueryResult<Vec<T>>,
    {
        self.zip.start_file(name, self.text)?;
        self.zip.write_all(b"[")?;
        let (mut after, mut first) = (0, true);
        loop {
            let page = load(conn, after)?;
            let Some(last) = page.last() else { break };
            after = last.key();
            for record in &page {
                self.zip.write_all(if first { b"\n" } else { b",\n" })?;
                serde_json::to_writer_pretty(&mut self.zip, record)?;
                first = false;
            }
            tally.add(conn, page.len())?;
            if (page.len() as i64) < contents::PAGE {
                break;
            }
        }
        self.zip.write_all(b"\n]\n")?;
        Ok(())
    }

    /// Copies a stored file into the zip as it is.
    fn copy(&mut self, name: &str, store: &FileStore, key: &str) -> anyhow::Result<()> {
        self.zip.start_file(name, self.stored)?;
        store.copy_blocking(key, &mut self.zip)?;
        Ok(())
    }

    /// Writes the zip's directory and flushes it; returns the archive's size.
    fn finish(self) -> anyhow::Result<u64> {
        let file = self
            .zip
            .finish()?
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        file.sync_all()?;
        Ok(file.metadata()?.len())
    }
}

/// How far a build has got, recorded on the export's row as it goes.
struct Tally {
    export: ExportId,
    done: i64,
    total: i64,
    /// The round's time, and when the build began: the claim is kept from the time now.
    now: NaiveDateTime,
    started: Instant,
}

impl Tally {
    fn add(&mut self, conn: &mut DbConn, items: usize) -> anyhow::Result<()> {
        self.done += items as i64;
        // Rows added while the export is built can push past the count made first.
        self.total = self.total.max(self.done);
        let at = self.now
            + chrono::Duration::from_std(self.started.elapsed())
                .unwrap_or(chrono::Duration::zero());
        let narrow = |n: i64| i32::try_from(n).unwrap_or(i32::MAX);
        anyhow::ensure!(
            exports::progress(conn, self.export, narrow(self.done), narrow(self.total), at)?,
            "export {} was withdrawn or taken over while it was built",
            self.export
        );
        Ok(())
    }
}

/// Writes the export `job` asks for into a new file at `path`; returns its size.
pub fn build(
    conn: &mut DbConn,
    store: &FileStore,
    job: &Job,
    path: &Path,
    now: NaiveDateTime,
) -> anyhow::Result<u64> {
    let member = job.member_id;
    let mut tally = Tally {
        export: job.id,
        done: 0,
        total: contents::count(conn, member)?,
        now,
        started: Instant::now(),
    };
    tally.add(conn, 0)?;
    let file =
        File::create(path).with_context(|| format!("could not create {}", path.display()))?;
    let mut zip = Archive::new(file, now);
    zip.text("README.txt", &readme(member, now))?;
    zip.json("profile.json", &contents::profile(conn, member)?)?;
    tally.add(conn, 1)?;
    zip.list("posts.json", conn, &mut tally, |c, after| {
        contents::posts(c, member, after)
    })?;
    zip.list("threads.json", conn, &mut tally, |c, after| {
        contents::threads(c, member, after)
    })?;
    zip.list("resources.json", conn, &mut tally, |c, after| {
        contents::resources(c, member, after)
    })?;
    copy_files(&mut zip, conn, store, member, &mut tally)?;
    zip.list("bookings.json", conn, &mut tally, |c, after| {
        contents::bookings(c, member, after)
    })?;
    zip.json("feedback.json", &contents::feedback(conn, member)?)?;
    zip.list("notifications.json", conn, &mut tally, |c, after| {
        contents::notifications(c, member, after)
    })?;
    zip.list("reports.json", conn, &mut tally, |c, after| {
        contents::reports(c, member, after)
    })?;
    zip.list("audit.json", conn, &mut tally, |c, after| {
        contents::audit(c, member, after)
    })?;
    zip.list("messages.json", conn, &mut tally, |c, after| {
        contents::messages(c, member, after)
    })?;
    zip.finish()
}

/// Each resource's file, under the path `resources.json` gives it. A file the store no
/// longer has is named in a note in its place, so the rest of the export still arrives.
fn copy_files(
    zip: &mut Archive,
    conn: &mut DbConn,
    store: &FileStore,
    member: MemberId,
    tally: &mut Tally,
) -> anyhow::Result<()> {
    let mut after = 0;
    loop {
        let page = contents::files(conn, member, after)?;
        let Some(last) = page.last() else { break };
        after = last.key();
        for file in &page {
            let name =
                contents::path_in_zip(file.id, file.original_name.as_deref().unwrap_or("file"));
            if store.contains_blocking(&file.key)? {
                zip.copy(&name, store, &file.key)?;
            } else {
                tracing::warn!(resource = %file.id, key = file.key, "a file for an export is missing from the store");
                zip.text(
                    &format!("{name}.missing.txt"),
                    "SPOT could not find this file in its store when the export was made.\n",
                )?;
            }
            tally.add(conn, 1)?;
        }
        if (page.len() as i64) < contents::PAGE {
            break;
        }
    }
    Ok(())
}

/// What each file in the zip is.
fn readme(member: MemberId, now: NaiveDateTime) -> String {
    format!(
        "Your data from SPOT\n\
         ===================\n\
         \n\
         The data SPOT holds about member {member}, as it was on {at} (UTC).\n\
         Every time in these files is in UTC, written YYYY-MM-DDTHH:MM:SS. Text you wrote is\n\
         as you wrote it (Markdown). Numbers such as thread_id and post_id are SPOT's own:\n\
         /threads/<thread_id> on SPOT shows that thread.\n\
         \n\
         profile.json        your account and profile, with the service you describe on it;\n\
         \x20                   your application to join; your email\n\
         \x20                   and notification settings; the threads and categories you\n\
         \x20                   watch and the tags you follow; how far you have read each\n\
         \x20                   thread; the posts you marked helpful; and anything the\n\
         \x20                   patient-data check held back for a facilitator\n\
         posts.json          every post you wrote, with its thread's title, its place in\n\
         \x20                   the thread, its dates, its text as you wrote it, and each\n\
         \x20                   earlier version from before an edit\n\
         threads.json        the threads you started\n\
         resources.json      the resources you shared, with their tags; for a file,\n\
         \x20                   path_in_zip says where it is in this zip\n\
         files/              the files you shared, as you uploaded them\n\
         bookings.json       your course bookings, with each course's sessions and whether\n\
         \x20                   you attended them\n\
         feedback.json       the answers you gave by name on courses' feedback forms\n\
         \x20                   (answers given anonymously are linked to nobody, so not here)\n\
         notifications.json  your notifications\n\
         reports.json        the posts you reported to the facilitators, and what became of\n\
         \x20                   each report\n\
         audit.json          entries in SPOT's audit log of staff actions where you acted or\n\
         \x20                   were acted on\n\
         messages.json       the private messages you wrote, each with its conversation's\n\
         \x20                   number and when it was delivered\n\
         \n\
         Not included: your password (SPOT keeps only a one-way hash of it), the links\n\
         SPOT emails for signing in and confirming addresses, and what other members wrote\n\
         (your notifications point to their posts and messages).\n",
        at = now.format("%Y-%m-%d %H:%M"),
    )
}
