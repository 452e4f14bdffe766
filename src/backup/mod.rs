//! `spot backup DIR` and `spot restore DIR`: a consistent snapshot of the database and every
//! stored file, with a manifest of checksums, and its restore into an empty database and
//! store. Safe to run while SPOT serves: the database is copied first, as it was at one
//! moment ([`database::snapshot`]); then every file its rows name, and every other file the
//! store holds, is copied a piece at a time. The manifest is written last.
//!
//! A restore reads the manifest and checks every file against it before it touches
//! anything; it refuses a database with members in it, or a store that has any of the
//! backup's files already. Files go in first, the database last.

mod database;
mod manifest;

use std::collections::BTreeSet;
use std::io::BufWriter;
use std::path::Path;

use anyhow::Context;
use diesel::prelude::*;

pub use manifest::{Entry, Manifest};

use crate::config::Config;
use crate::db::{self, DbConn, DbManager};
use crate::progress::Progress;
use crate::resources::store::{FileStore, Incoming, StoreError};
use crate::schema::{exports, resources};

/// What a backup holds.
#[derive(Debug)]
pub struct Taken {
    pub manifest: Manifest,
}

impl Taken {
    /// All the stored files' bytes.
    pub fn file_bytes(&self) -> u64 {
        self.manifest.files.iter().map(|f| f.size).sum()
    }
}

/// Backs up the database and store `config` names into `dir`, which must be empty or absent.
pub fn take(config: &Config, dir: &Path, progress: Progress) -> anyhow::Result<Taken> {
    prepare_folder(dir)?;
    let manager = DbManager::from_url(&config.database_url)?;
    let store = FileStore::for_config(config)?;
    let mut conn = database::open_existing(&manager)?;

    let mut stage = progress.stage("database", 1);
    let copy = dir.join(database::copy_name(manager.engine()));
    database::snapshot(&mut conn, &manager, &config.database_url, &copy)?;
    restrict(&copy)?;
    let copied = Entry::of(database::copy_name(manager.engine()), &copy)?;
    stage.add(1);
    stage.finish();

    let migration = conn.migration_version()?;
    let mut manifest = Manifest::new(manager.engine().name(), migration, store.location(), copied);
    let mut keys: BTreeSet<String> = referenced_keys(&mut conn)?.into_iter().collect();
    keys.extend(store.keys_blocking()?);
    let files = dir.join("files");
    std::fs::create_dir(&files)?;
    let mut stage = progress.stage("files", keys.len() as u64);
    for key in keys {
        let path = files.join(&key);
        let out = std::fs::File::create(&path)
            .with_context(|| format!("could not create {}", path.display()))?;
        let mut hashing = manifest::Hashing::new(BufWriter::new(out));
        match store.copy_blocking(&key, &mut hashing) {
            Ok(_) => {
                std::io::Write::flush(&mut hashing)?;
                hashing.inner_mut().get_ref().sync_all()?;
                manifest.files.push(hashing.entry(&key));
            }
            // Its row named it, but the store no longer has it (or it was deleted
            // since the database's copy was made).
            Err(StoreError::Missing(_)) => {
                std::fs::remove_file(&path)?;
                tracing::warn!(key, "a file the database names is missing from the store");
                manifest.missing.push(key);
            }
            Err(other) => {
                return Err(other).with_context(|| format!("could not copy the stored file {key}"))
            }
        }
        stage.add(1);
    }
    stage.finish();
    manifest.write(dir)?;
    Ok(Taken { manifest })
}

/// The backup folder: made, readable by SPOT's user only (it holds everything members
/// wrote); an existing folder must be empty, so no backup is ever mixed with another.
fn prepare_folder(dir: &Path) -> anyhow::Result<()> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => anyhow::ensure!(
            entries.next().is_none(),
            "{} is not empty: back up into a new folder (or an empty one)",
            dir.display()
        ),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("could not create {}", dir.display()))?;
        }
        Err(error) => {
            return Err(error).with_context(|| format!("could not read {}", dir.display()))
        }
    }
    restrict(dir)
}

/// Readable and writable by SPOT's user only.
fn restrict(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if path.is_dir() { 0o700 } else { 0o600 };
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .with_context(|| format!("could not restrict {}", path.display()))?;
    }
    Ok(())
}

/// The keys of every file the database's rows name: resources' files and data exports.
fn referenced_keys(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    let mut keys: Vec<String> = resources::table
        .filter(resources::file_key.is_not_null())
        .select(resources::file_key.assume_not_null())
        .load(conn)?;
    keys.extend(
        exports::table
            .filter(exports::file_key.is_not_null())
            .select(exports::file_key.assume_not_null())
            .load::<String>(conn)?,
    );
    Ok(keys)
}

/// What a restore put back.
#[derive(Debug)]
pub struct Restored {
    pub manifest: Manifest,
    pub members: i64,
}

/// Restores the backup in `dir` into the empty database and store `config` names.
pub fn restore(config: &Config, dir: &Path, progress: Progress) -> anyhow::Result<Restored> {
    let manifest = Manifest::read(dir)?;
    let manager = DbManager::from_url(&config.database_url)?;
    let engine = manager.engine().name();
    anyhow::ensure!(
        manifest.engine == engine,
        "this backup is of a {} database, and DATABASE_URL names a {engine} one: restore it \
         into the engine it came from",
        manifest.engine
    );
    let newest = db::newest_migration(manager.engine());
    if let Some(migration) = &manifest.migration {
        anyhow::ensure!(
            *migration <= newest,
            "this backup was made by a newer SPOT (its database is at migration {migration}, \
             this SPOT knows up to {newest}): restore it with that version or later"
        );
    }

    let mut stage = progress.stage("checked", manifest.files.len() as u64 + 1);
    manifest.verify(dir, &mut stage)?;
    stage.finish();

    ensure_empty_database(&manager)?;
    let store = FileStore::for_config(config)?;
    let mut present = 0;
    for file in &manifest.files {
        present += usize::from(store.contains_blocking(&file.name)?);
    }
    anyhow::ensure!(
        present == 0,
        "the file store {} already has {present} of this backup's {} files: restore into an \
         empty store",
        store.location(),
        manifest.files.len()
    );

    let mut stage = progress.stage("files", manifest.files.len() as u64);
    for file in &manifest.files {
        let incoming = Incoming::new(store.incoming_dir());
        std::fs::copy(dir.join("files").join(&file.name), incoming.path())
            .with_context(|| format!("could not read the backup's file {}", file.name))?;
        store
            .put_blocking(incoming, &file.name)
            .with_context(|| format!("could not put {} in the store", file.name))?;
        stage.add(1);
    }
    stage.finish();

    let mut stage = progress.stage("database", 1);
    database::restore(
        &manager,
        &config.database_url,
        &dir.join(&manifest.database.name),
    )
    .context(
        "the database could not be restored (the files are in the store: remove them \
             before trying again)",
    )?;
    // Migrations newer than the backup's, and a check that what was restored opens.
    let restored = db::Db::connect(&config.database_url)?;
    let members = database::members(&mut *restored.conn()?)?;
    stage.add(1);
    stage.finish();
    Ok(Restored { manifest, members })
}

/// A restore goes into a database without members only (a new SQLite file, a new
/// PostgreSQL database, or one an unused SPOT has just migrated).
fn ensure_empty_database(manager: &DbManager) -> anyhow::Result<()> {
    if manager.sqlite_file().is_some_and(|file| !file.exists()) {
        return Ok(());
    }
    let mut conn = manager.establish()?;
    let members = database::members(&mut conn)?;
    anyhow::ensure!(
        members == 0,
        "the database DATABASE_URL names has {members} members: restore into an empty \
         database (a new SQLite file, or a new PostgreSQL database)"
    );
    Ok(())
}
