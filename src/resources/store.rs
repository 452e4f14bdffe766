//! Where uploaded files (and data exports waiting to be downloaded) live: one store, a
//! folder on this machine by default, or an S3-compatible bucket when `SPOT_STORE_URL` is
//! `s3://bucket/prefix`, so that several app nodes serve the same files. Both go through the
//! `object_store` crate (Apache Arrow's, used by DataFusion, delta-rs and others), which
//! speaks S3's multipart uploads, retries and request signing.
//!
//! An upload arrives into a temporary file ([`Incoming`]) on this machine and is put in the
//! store only after its database row is committed; an `Incoming` dropped before that deletes
//! itself, so a failed upload leaves neither a file nor a row. Into a folder, the file is
//! moved into place (the waiting area is on the same file system); into a bucket, it is
//! streamed in 5 MiB parts (one request for a file smaller than that). Downloads stream
//! from the store a piece at a time: no file is ever whole in memory.
//!
//! The store runs its requests on two threads of its own: SPOT calls it both from request
//! handlers and from the workers' blocking threads (export zips, retention), and the S3
//! client needs a tokio runtime whose IO keeps being driven; either kind of caller waits for
//! the store's threads to do the work.

use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use actix_web::web::Bytes;
use futures_util::{Stream, StreamExt};
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};
use tokio::io::AsyncReadExt;

/// The size of each part of a streamed upload: S3's smallest (but for the last part).
const PART: usize = 5 * 1024 * 1024;
/// Parts of one upload on their way at once.
const PARTS_AT_ONCE: usize = 2;
/// Pieces of a download read ahead of the client.
const READ_AHEAD: usize = 4;

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store has no such file: its row outlived it (removed by hand, or a backup
    /// restored without it).
    #[error("the store has no file {0}")]
    Missing(String),
    /// Not a key SPOT makes: never looked up, so it cannot reach outside the store.
    #[error("{0:?} is not a stored file's key")]
    BadKey(String),
    #[error("the file store failed: {0}")]
    Store(#[from] object_store::Error),
    #[error("the file store failed: {0}")]
    Io(#[from] io::Error),
}

impl From<StoreError> for crate::web::AppError {
    fn from(error: StoreError) -> Self {
        crate::web::AppError::Unexpected(error.into())
    }
}

impl StoreError {
    fn of(key: &str, error: object_store::Error) -> Self {
        match error {
            object_store::Error::NotFound { .. } => StoreError::Missing(key.to_owned()),
            other => StoreError::Store(other),
        }
    }
}

/// An S3-compatible bucket and the prefix under which SPOT keeps its files, from
/// `SPOT_STORE_URL=s3://bucket/prefix`, with the `AWS_*` settings (credentials, region,
/// endpoint) read beside it.
#[derive(Clone)]
pub struct StoreUrl {
    bucket: String,
    prefix: String,
    settings: Vec<(AmazonS3ConfigKey, String)>,
}

impl std::fmt::Debug for StoreUrl {
    /// The URL alone: the settings hold the secret key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

impl std::fmt::Display for StoreUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.prefix)
    }
}

impl StoreUrl {
    /// `s3://bucket` or `s3://bucket/some/prefix`: a bucket name as S3 allows it (3 to 63
    /// lower-case letters, digits, dots and hyphens) and a prefix of plain path segments.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let wrong = |why: &str| {
            format!("SPOT_STORE_URL must look like s3://bucket/prefix ({why}), not {raw:?}")
        };
        let rest = raw
            .trim()
            .strip_prefix("s3://")
            .ok_or_else(|| wrong("only s3:// stores are supported"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let bucket_ok = (3..=63).contains(&bucket.len())
            && bucket
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
            && bucket.starts_with(|c: char| c.is_ascii_alphanumeric())
            && bucket.ends_with(|c: char| c.is_ascii_alphanumeric());
        if !bucket_ok {
            return Err(wrong(
                "a bucket's name is 3 to 63 lower-case letters, digits, dots and hyphens",
            ));
        }
        let prefix = prefix.trim_end_matches('/');
        let segment_ok = |s: &str| {
            !s.is_empty()
                && s != "."
                && s != ".."
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        };
        if !prefix.is_empty() && !prefix.split('/').all(segment_ok) {
            return Err(wrong(
                "a prefix is made of letters, digits, '-', '_' and '.' between single slashes",
            ));
        }
        Ok(Self {
            bucket: bucket.to_owned(),
            prefix: prefix.to_owned(),
            settings: Vec::new(),
        })
    }

    /// With the settings of the `AWS_*` variables object_store knows (`AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`, `AWS_ENDPOINT_URL` or
    /// `AWS_ENDPOINT`, `AWS_ALLOW_HTTP`, …), as `AmazonS3Builder::from_env` reads them.
    pub fn with_settings_from(mut self, vars: impl Iterator<Item = (String, String)>) -> Self {
        for (name, value) in vars {
            if let Some(key) = name
                .strip_prefix("AWS_")
                .and_then(|_| name.to_ascii_lowercase().parse().ok())
            {
                self.settings.push((key, value));
            }
        }
        self
    }

    /// With one setting, named as object_store names it (`aws_endpoint_url`,
    /// `aws_access_key_id`, …).
    pub fn with_setting(mut self, name: &str, value: &str) -> Result<Self, String> {
        let key = name
            .parse()
            .map_err(|_| format!("{name} is not an S3 setting"))?;
        self.settings.push((key, value.to_owned()));
        Ok(self)
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    fn build(&self) -> Result<Arc<dyn ObjectStore>, object_store::Error> {
        let mut builder = AmazonS3Builder::new();
        for (key, value) in &self.settings {
            builder = builder.with_config(*key, value);
        }
        // An endpoint written with http:// (a store on the same network, or a test's) is
        // what the operator asked for: object_store would otherwise refuse it.
        let plain_http = self.settings.iter().any(|(key, value)| {
            matches!(key, AmazonS3ConfigKey::Endpoint) && value.starts_with("http://")
        });
        let bucket = builder
            .with_bucket_name(&self.bucket)
            .with_allow_http(plain_http)
            .build()?;
        Ok(if self.prefix.is_empty() {
            Arc::new(bucket)
        } else {
            Arc::new(PrefixStore::new(bucket, self.prefix.as_str()))
        })
    }
}

/// Drops its runtime without waiting for it, which may happen on an async thread.
struct OwnRuntime(Option<tokio::runtime::Runtime>);

impl OwnRuntime {
    fn new() -> io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("spot-store")
            .enable_all()
            .build()?;
        Ok(Self(Some(runtime)))
    }

    fn handle(&self) -> &tokio::runtime::Handle {
        self.0.as_ref().expect("present until dropped").handle()
    }
}

impl Drop for OwnRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

/// A stored file on its way out: its size, and its bytes a piece at a time.
pub struct Download {
    pub size: u64,
    receiver: tokio::sync::mpsc::Receiver<Result<Bytes, io::Error>>,
}

impl Download {
    /// The file's bytes, for a streaming response.
    pub fn into_stream(self) -> impl Stream<Item = Result<Bytes, io::Error>> {
        futures_util::stream::unfold(self.receiver, |mut receiver| async move {
            receiver.recv().await.map(|piece| (piece, receiver))
        })
    }
}

/// The upload store.
pub struct FileStore {
    objects: Arc<dyn ObjectStore>,
    /// The folder, when the store is one on this machine: uploads are moved into it.
    folder: Option<PathBuf>,
    /// Where uploads are written while they arrive (on this machine, whatever the store).
    incoming: PathBuf,
    /// What the store is, for messages: the folder's path or the bucket's URL.
    location: String,
    runtime: OwnRuntime,
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FileStore({})", self.location)
    }
}

impl FileStore {
    /// The store the configuration names: the bucket of `SPOT_STORE_URL`, or else the
    /// folder `SPOT_UPLOADS`. Arriving uploads wait in `SPOT_UPLOADS/.incoming` either way.
    pub fn for_config(config: &crate::Config) -> anyhow::Result<Self> {
        use anyhow::Context;
        let uploads = &config.uploads_dir;
        match &config.store_url {
            Some(url) => Self::bucket(url, &uploads.join(".incoming")),
            None => Self::folder(uploads)
                .with_context(|| format!("could not use the upload folder {}", uploads.display())),
        }
    }

    /// Files in `root` on this machine, arriving uploads in `root/.incoming`.
    pub fn folder(root: &Path) -> io::Result<Self> {
        let incoming = root.join(".incoming");
        std::fs::create_dir_all(&incoming)?;
        let objects = LocalFileSystem::new_with_prefix(root).map_err(io::Error::other)?;
        Ok(Self {
            objects: Arc::new(objects),
            folder: Some(root.to_owned()),
            incoming,
            location: root.display().to_string(),
            runtime: OwnRuntime::new()?,
        })
    }

    /// Files in an S3-compatible bucket, arriving uploads in `incoming` on this machine.
    /// Lists the bucket once, so that a wrong name, endpoint or key stops SPOT at start-up
    /// rather than failing the first upload.
    pub fn bucket(url: &StoreUrl, incoming: &Path) -> anyhow::Result<Self> {
        use anyhow::Context;
        std::fs::create_dir_all(incoming)
            .with_context(|| format!("could not create the folder {}", incoming.display()))?;
        let store = Self {
            objects: url
                .build()
                .with_context(|| format!("SPOT_STORE_URL {url} could not be used"))?,
            folder: None,
            incoming: incoming.to_owned(),
            location: url.to_string(),
            runtime: OwnRuntime::new()?,
        };
        let objects = store.objects.clone();
        store
            .wait(async move { objects.list(None).next().await.transpose() })
            .with_context(|| {
                format!(
                    "could not reach the file store {url}: check the bucket exists and the AWS_* \
                     settings (credentials, AWS_REGION, AWS_ENDPOINT_URL)"
                )
            })?;
        Ok(store)
    }

    /// The folder's path or the bucket's URL.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// The folder where uploads are written while they arrive.
    pub fn incoming_dir(&self) -> &Path {
        &self.incoming
    }

    /// Runs `work` on the store's threads; an async caller awaits it.
    async fn run<T: Send + 'static>(
        &self,
        work: impl Future<Output = Result<T, StoreError>> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.runtime
            .handle()
            .spawn(work)
            .await
            .map_err(|e| StoreError::Io(io::Error::other(e)))?
    }

    /// Runs `work` on the store's threads, this (blocking) thread waiting for it.
    fn wait<T: Send + 'static>(&self, work: impl Future<Output = T> + Send + 'static) -> T {
        let (sender, receiver) = std::sync::mpsc::sync_channel(1);
        self.runtime.handle().spawn(async move {
            let _ = sender.send(work.await);
        });
        receiver
            .recv()
            .expect("the store's runtime runs while the store exists")
    }

    /// Puts a complete upload in the store under `key`.
    pub async fn put(&self, incoming: Incoming, key: &str) -> Result<(), StoreError> {
        let work = self.putting(incoming, key)?;
        self.run(work).await
    }

    /// [`FileStore::put`] from a blocking thread.
    pub fn put_blocking(&self, incoming: Incoming, key: &str) -> Result<(), StoreError> {
        let work = self.putting(incoming, key)?;
        self.wait(work)
    }

    fn putting(
        &self,
        incoming: Incoming,
        key: &str,
    ) -> Result<impl Future<Output = Result<(), StoreError>> + Send + 'static, StoreError> {
        let path = object_path(key)?;
        let (objects, folder) = (self.objects.clone(), self.folder.clone());
        Ok(async move {
            match folder {
                // Same file system: moved into place at once, never copied.
                Some(folder) => {
                    let target = folder.join(path.as_ref());
                    let source = incoming.take();
                    tokio::fs::rename(&source, &target).await.map_err(|error| {
                        let _ = std::fs::remove_file(&source);
                        StoreError::Io(error)
                    })
                }
                None => upload(objects.as_ref(), &path, incoming.path()).await,
            }
        })
    }

    /// The stored file `key`, to stream out; [`StoreError::Missing`] when the store does not
    /// have it.
    pub async fn open(&self, key: &str) -> Result<Download, StoreError> {
        let path = object_path(key)?;
        let (objects, key) = (self.objects.clone(), key.to_owned());
        let (sender, receiver) = tokio::sync::mpsc::channel(READ_AHEAD);
        self.run(async move {
            let found = objects
                .get(&path)
                .await
                .map_err(|e| StoreError::of(&key, e))?;
            let size = found.meta.size;
            let mut pieces = found.into_stream();
            tokio::spawn(async move {
                while let Some(piece) = pieces.next().await {
                    let piece = piece.map_err(io::Error::other);
                    // The client went away: stop reading.
                    if sender.send(piece).await.is_err() {
                        break;
                    }
                }
            });
            Ok(size)
        })
        .await
        .map(|size| Download { size, receiver })
    }

    /// [`FileStore::open`], with a file the store has lost logged (naming its key) and
    /// given as `None`, for a page that says so.
    pub async fn find(&self, key: &str) -> Result<Option<Download>, StoreError> {
        match self.open(key).await {
            Ok(found) => Ok(Some(found)),
            Err(StoreError::Missing(key)) => {
                tracing::error!(
                    key,
                    store = self.location,
                    "a stored file is missing from the store: its row is still in the database"
                );
                Ok(None)
            }
            Err(other) => Err(other),
        }
    }

    /// Writes the stored file `key` into `out` from a blocking thread, a piece at a time;
    /// returns its size.
    pub fn copy_blocking(&self, key: &str, out: &mut dyn io::Write) -> Result<u64, StoreError> {
        let path = object_path(key)?;
        let (objects, owned) = (self.objects.clone(), key.to_owned());
        let (sender, receiver) = std::sync::mpsc::sync_channel(READ_AHEAD);
        let handle = self.runtime.handle().clone();
        self.runtime.handle().spawn_blocking(move || {
            let mut pieces = match handle.block_on(objects.get(&path)) {
                Ok(found) => found.into_stream(),
                Err(error) => {
                    let _ = sender.send(Err(StoreError::of(&owned, error)));
                    return;
                }
            };
            while let Some(piece) = handle.block_on(pieces.next()) {
                if sender.send(piece.map_err(StoreError::Store)).is_err() {
                    break;
                }
            }
        });
        let mut size = 0;
        for piece in receiver {
            let piece = piece?;
            out.write_all(&piece)?;
            size += piece.len() as u64;
        }
        Ok(size)
    }

    /// Whether the store has `key` (a key SPOT could not have made it has not).
    pub async fn contains(&self, key: &str) -> Result<bool, StoreError> {
        let work = self.containing(key);
        self.run(work).await
    }

    /// [`FileStore::contains`] from a blocking thread.
    pub fn contains_blocking(&self, key: &str) -> Result<bool, StoreError> {
        let work = self.containing(key);
        self.wait(work)
    }

    fn containing(
        &self,
        key: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send + 'static {
        let (objects, path) = (self.objects.clone(), object_path(key));
        async move {
            let Ok(path) = path else { return Ok(false) };
            match objects.head(&path).await {
                Ok(_) => Ok(true),
                Err(object_store::Error::NotFound { .. }) => Ok(false),
                Err(other) => Err(StoreError::Store(other)),
            }
        }
    }

    /// Deletes `key`; a file already gone is no error.
    pub async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let work = self.deleting(key)?;
        self.run(work).await
    }

    /// [`FileStore::delete`] from a blocking thread.
    pub fn delete_blocking(&self, key: &str) -> Result<(), StoreError> {
        let work = self.deleting(key)?;
        self.wait(work)
    }

    fn deleting(
        &self,
        key: &str,
    ) -> Result<impl Future<Output = Result<(), StoreError>> + Send + 'static, StoreError> {
        let (objects, path) = (self.objects.clone(), object_path(key)?);
        Ok(async move {
            match objects.delete(&path).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(other) => Err(StoreError::Store(other)),
            }
        })
    }

    /// Every key in the store (files under other names, such as arriving uploads, are
    /// not SPOT's stored files and are left out), from a blocking thread.
    pub fn keys_blocking(&self) -> Result<Vec<String>, StoreError> {
        let objects = self.objects.clone();
        let listed = self.wait(async move { objects.list_with_delimiter(None).await })?;
        let mut keys: Vec<String> = listed
            .objects
            .into_iter()
            .map(|meta| meta.location.to_string())
            .filter(|key| is_key(key))
            .collect();
        keys.sort();
        Ok(keys)
    }
}

/// Streams the file at `from` into the store: in one request when it is smaller than a
/// part, else as a multipart upload, a part read from the file only when one of the
/// [`PARTS_AT_ONCE`] on their way has arrived. A failed upload is aborted, so the store
/// keeps none of its parts.
async fn upload(
    objects: &dyn ObjectStore,
    path: &ObjectPath,
    from: &Path,
) -> Result<(), StoreError> {
    let mut file = tokio::fs::File::open(from).await?;
    let size = file.metadata().await?.len();
    if size <= PART as u64 {
        let mut bytes = Vec::with_capacity(size as usize);
        file.read_to_end(&mut bytes).await?;
        objects.put(path, PutPayload::from(bytes)).await?;
        return Ok(());
    }
    let mut parts = WriteMultipart::new_with_chunk_size(objects.put_multipart(path).await?, PART);
    let sent = async {
        loop {
            parts.wait_for_capacity(PARTS_AT_ONCE).await?;
            let mut piece = Vec::with_capacity(PART);
            let read = (&mut file)
                .take(PART as u64)
                .read_to_end(&mut piece)
                .await?;
            if read == 0 {
                return Ok::<_, StoreError>(());
            }
            parts.put(Bytes::from(piece));
        }
    }
    .await;
    match sent {
        Ok(()) => {
            parts.finish().await?;
            Ok(())
        }
        Err(error) => {
            let _ = parts.abort().await;
            Err(error)
        }
    }
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

/// A new key for a stored file.
pub fn new_key() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Keys are ours (uuids), but a key must never walk out of the store.
pub fn is_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= 64 && key.chars().all(|c| c.is_ascii_alphanumeric())
}

fn object_path(key: &str) -> Result<ObjectPath, StoreError> {
    if is_key(key) {
        Ok(ObjectPath::from(key))
    } else {
        Err(StoreError::BadKey(key.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upload_not_put_in_the_store_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::folder(dir.path()).unwrap();
        let incoming = Incoming::new(store.incoming_dir());
        std::fs::write(incoming.path(), b"data").unwrap();
        let path = incoming.path().to_owned();
        drop(incoming);
        assert!(!path.exists());
    }

    #[test]
    fn keys_that_could_leave_the_store_are_refused() {
        for key in [
            "",
            "../secret",
            "a/b",
            ".incoming",
            "%2E%2E",
            &"a".repeat(65),
        ] {
            assert!(
                matches!(object_path(key), Err(StoreError::BadKey(_))),
                "{key}"
            );
        }
        assert!(object_path(&new_key()).is_ok());
    }

    #[test]
    fn store_urls_are_parsed_at_the_edge() {
        let url = StoreUrl::parse("s3://spot-files/live/uploads/").unwrap();
        assert_eq!(
            (url.bucket(), url.prefix.as_str()),
            ("spot-files", "live/uploads")
        );
        assert_eq!(url.to_string(), "s3://spot-files/live/uploads");
        assert_eq!(StoreUrl::parse("s3://spot-files").unwrap().prefix, "");
        for bad in [
            "spot-files",
            "https://spot-files/x",
            "s3://",
            "s3://UPPER/x",
            "s3://ab",
            "s3://spot-files/../x",
            "s3://spot-files/a//b",
        ] {
            let why = StoreUrl::parse(bad).unwrap_err();
            assert!(
                why.starts_with("SPOT_STORE_URL must look like s3://bucket/prefix"),
                "{bad}: {why}"
            );
        }
    }

    #[test]
    fn settings_come_from_aws_variables_and_stay_out_of_logs() {
        let vars = [
            ("AWS_SECRET_ACCESS_KEY", "hunter2"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9000"),
            ("AWS_NOT_A_SETTING", "x"),
            ("HOME", "/root"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()));
        let url = StoreUrl::parse("s3://spot-files/p")
            .unwrap()
            .with_settings_from(vars.into_iter());
        assert_eq!(url.settings.len(), 2);
        assert!(!format!("{url:?}").contains("hunter2"));
    }
}
