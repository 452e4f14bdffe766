//! A backup's `manifest.json`: what SPOT made it from and, for the database's copy and every
//! stored file, its size and SHA-256, so that a restore checks every byte before it
//! touches anything. Written last: a folder without one is not a finished backup.

use std::io::{self, Write};
use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::progress::Stage;
use crate::resources::store;

pub const NAME: &str = "manifest.json";
/// What this build writes and reads.
const FORMAT: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// The SPOT that made it.
    pub spot_version: String,
    /// `sqlite` or `postgresql`: a backup restores into the same engine.
    pub engine: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// The newest migration the database had (`20261207000024`).
    pub migration: Option<String>,
    /// Where the files came from: the upload folder or the bucket's URL.
    pub store: String,
    /// The database's copy, beside the manifest.
    pub database: Entry,
    /// Every stored file, in `files/` under its key.
    pub files: Vec<Entry>,
    /// Keys the database names that the store did not have when the backup was made.
    pub missing: Vec<String>,
}

/// One file of the backup: its name (the database's file, or a stored file's key), size and
/// SHA-256 in hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub name: String,
    pub size: u64,
    pub sha256: String,
}

impl Manifest {
    pub fn new(engine: &str, migration: Option<String>, store: &str, database: Entry) -> Self {
        Self {
            format: FORMAT,
            spot_version: env!("CARGO_PKG_VERSION").to_owned(),
            engine: engine.to_owned(),
            created_at: chrono::Utc::now(),
            migration,
            store: store.to_owned(),
            database,
            files: Vec::new(),
            missing: Vec::new(),
        }
    }

    pub fn write(&self, dir: &Path) -> anyhow::Result<()> {
        let path = dir.join(NAME);
        let mut file = std::fs::File::create(&path)
            .with_context(|| format!("could not create {}", path.display()))?;
        serde_json::to_writer_pretty(&mut file, self)?;
        file.write_all(b"\n")?;
        file.sync_all()?;
        Ok(())
    }

    /// The manifest of the backup in `dir`, its names checked: a name that is not the
    /// database's file or a stored file's key could reach outside the backup.
    pub fn read(dir: &Path) -> anyhow::Result<Self> {
        let path = dir.join(NAME);
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "{} has no readable {NAME}: is it a folder `spot backup` made, and did it finish?",
                dir.display()
            )
        })?;
        let manifest: Self = serde_json::from_str(&text)
            .with_context(|| format!("{} is damaged: it is not a SPOT manifest", path.display()))?;
        anyhow::ensure!(
            manifest.format == FORMAT,
            "{} is of format {}, which this SPOT (format {FORMAT}) cannot restore",
            path.display(),
            manifest.format
        );
        anyhow::ensure!(
            super::database::is_copy_name(&manifest.database.name),
            "{} names the database's copy {:?}, which no backup does",
            path.display(),
            manifest.database.name
        );
        if let Some(bad) = manifest
            .files
            .iter()
            .map(|f| f.name.as_str())
            .chain(manifest.missing.iter().map(String::as_str))
            .find(|key| !store::is_key(key))
        {
            anyhow::bail!(
                "{} lists {bad:?}, which is not a stored file's key",
                path.display()
            );
        }
        Ok(manifest)
    }

    /// Every file the manifest lists has its size and checksum; the first that has not is
    /// named in the error.
    pub fn verify(&self, dir: &Path, stage: &mut Stage) -> anyhow::Result<()> {
        let database = std::iter::once((dir.join(&self.database.name), &self.database));
        let files = self
            .files
            .iter()
            .map(|entry| (dir.join("files").join(&entry.name), entry));
        for (path, entry) in database.chain(files) {
            let found = Entry::of(&entry.name, &path)?;
            anyhow::ensure!(
                found.size == entry.size && found.sha256 == entry.sha256,
                "{} does not match the manifest ({}): the backup is damaged or was changed, \
                 so nothing was restored",
                path.display(),
                if found.size != entry.size {
                    format!(
                        "{} bytes where the manifest says {}",
                        found.size, entry.size
                    )
                } else {
                    "its SHA-256 differs".to_owned()
                }
            );
            stage.add(1);
        }
        Ok(())
    }
}

impl Entry {
    /// The size and checksum of the file at `path`, read a piece at a time.
    pub fn of(name: &str, path: &Path) -> anyhow::Result<Self> {
        let mut file = std::fs::File::open(path)
            .with_context(|| format!("could not read {}", path.display()))?;
        let mut hashing = Hashing::new(io::sink());
        io::copy(&mut file, &mut hashing)
            .with_context(|| format!("could not read {}", path.display()))?;
        Ok(hashing.entry(name))
    }
}

/// A writer that hashes and counts what passes through it.
pub struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    size: u64,
}

impl<W: Write> Hashing<W> {
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
            size: 0,
        }
    }

    pub fn entry(self, name: &str) -> Entry {
        Entry {
            name: name.to_owned(),
            size: self.size,
            sha256: hex::encode(self.hasher.finalize()),
        }
    }

    pub fn inner_mut(&mut self) -> &mut W {
        &mut self.inner
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(bytes)?;
        self.hasher.update(&bytes[..written]);
        self.size += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_the_size_and_sha256_of_the_bytes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x"), b"abc").unwrap();
        let entry = Entry::of("x", &dir.path().join("x")).unwrap();
        assert_eq!(entry.size, 3);
        assert_eq!(
            entry.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn names_that_could_leave_the_backup_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let entry = Entry {
            name: "spot.db".into(),
            size: 0,
            sha256: String::new(),
        };
        let mut manifest = Manifest::new("sqlite", None, "uploads", entry);
        manifest.write(dir.path()).unwrap();
        assert!(Manifest::read(dir.path()).is_ok());
        manifest.files.push(Entry {
            name: "../../etc/passwd".into(),
            size: 0,
            sha256: String::new(),
        });
        manifest.write(dir.path()).unwrap();
        let refused = Manifest::read(dir.path()).unwrap_err().to_string();
        assert!(refused.contains("not a stored file's key"), "{refused}");
        manifest.files.clear();
        manifest.database.name = "/etc/passwd".into();
        manifest.write(dir.path()).unwrap();
        assert!(Manifest::read(dir.path()).is_err());
    }
}
