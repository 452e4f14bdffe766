//! Where uploaded files live. A small trait, so an S3-compatible store can serve several
//! app nodes later; the local folder is the implementation for now.
//!
//! An upload arrives into a temporary file ([`Incoming`]) and is moved into the store
//! only after its database row is committed; an `Incoming` dropped before that deletes
//! itself, so a failed upload leaves neither a file nor a row.

use std::io;
use std::path::{Path, PathBuf};

pub trait FileStore: Send + Sync {
    /// The folder where uploads are written while they arrive.
    fn incoming_dir(&self) -> &Path;
    /// Moves a complete upload into the store under `key`.
    fn put(&self, incoming: Incoming, key: &str) -> io::Result<()>;
    /// The stored file, for reading.
    fn open(&self, key: &str) -> io::Result<std::fs::File>;
    fn delete(&self, key: &str) -> io::Result<()>;
}

/// A file being uploaded, deleted when dropped unless it was put in the store.
#[derive(Debug)]
pub struct Incoming {
    path: Option<PathBuf>,
}

impl Incoming {
    pub fn new(dir: &Path) -> Self {
        Self {
            path: Some(dir.join(format!("{}.part", uuid::Uuid::new_v4().simple()))),
        }
    }

    pub fn path(&self) -> &Path {
        self.path.as_deref().expect("present until taken")
    }

    fn take(mut self) -> PathBuf {
        self.path.take().expect("present until taken")
    }
}

impl Drop for Incoming {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Files in a folder on this machine, named by generated keys (never the uploader's name).
pub struct LocalFolder {
    root: PathBuf,
    incoming: PathBuf,
}

impl LocalFolder {
    pub fn new(root: &Path) -> io::Result<Self> {
        let incoming = root.join(".incoming");
        std::fs::create_dir_all(&incoming)?;
        Ok(Self {
            root: root.to_owned(),
            incoming,
        })
    }

    fn path_of(&self, key: &str) -> io::Result<PathBuf> {
        // Keys are ours (uuids), but a key must never walk out of the folder.
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "bad file key"));
        }
        Ok(self.root.join(key))
    }
}

impl FileStore for LocalFolder {
    fn incoming_dir(&self) -> &Path {
        &self.incoming
    }

    fn put(&self, incoming: Incoming, key: &str) -> io::Result<()> {
        let target = self.path_of(key)?;
        let source = incoming.take();
        std::fs::rename(&source, &target).inspect_err(|_| {
            let _ = std::fs::remove_file(&source);
        })
    }

    fn open(&self, key: &str) -> io::Result<std::fs::File> {
        std::fs::File::open(self.path_of(key)?)
    }

    fn delete(&self, key: &str) -> io::Result<()> {
        match std::fs::remove_file(self.path_of(key)?) {
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }
}

/// A new key for a stored file.
pub fn new_key() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// A stored file, read in pieces as the response is sent.
pub fn stream(
    file: std::fs::File,
) -> impl futures_util::Stream<Item = Result<actix_web::web::Bytes, std::io::Error>> {
    futures_util::stream::unfold(tokio::fs::File::from_std(file), |mut file| async move {
        use tokio::io::AsyncReadExt;
        let mut buffer = vec![0u8; 64 * 1024];
        match file.read(&mut buffer).await {
            Ok(0) => None,
            Ok(n) => {
                buffer.truncate(n);
                Some((Ok(actix_web::web::Bytes::from(buffer)), file))
            }
            Err(error) => Some((Err(error), file)),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upload_not_put_in_the_store_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalFolder::new(dir.path()).unwrap();
        let incoming = Incoming::new(store.incoming_dir());
        std::fs::write(incoming.path(), b"data").unwrap();
        let path = incoming.path().to_owned();
        drop(incoming);
        assert!(!path.exists());
    }

    #[test]
    fn put_open_delete_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalFolder::new(dir.path()).unwrap();
        let incoming = Incoming::new(store.incoming_dir());
        std::fs::write(incoming.path(), b"hello").unwrap();
        let key = new_key();
        store.put(incoming, &key).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut store.open(&key).unwrap(), &mut text).unwrap();
        assert_eq!(text, "hello");
        store.delete(&key).unwrap();
        assert!(store.open(&key).is_err());
        assert!(store.open("../secret").is_err());
    }
}
