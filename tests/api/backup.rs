//! `spot backup DIR` and `spot restore DIR`, run through the built binary as an operator runs
//! them, while the server serves: a demo community with uploaded files is backed up, the
//! backup restored into a fresh database and store, and the restored site serves the same
//! members, posts, resources, bookings and files. Damaged backups and full targets are
//! refused before anything is touched.

use std::path::{Path, PathBuf};

use diesel::{ExpressionMethods, NullableExpressionMethods, QueryDsl, RunQueryDsl};
use reqwest::StatusCode;
use spot::db::{Db, Engine as DbEngine};

use crate::helpers::*;
use crate::resources::{Share, PDF};
use crate::{on_both_engines, on_both_engines_with_s3};

/// Runs the built `spot` with `args` and this environment (and no store settings of the test
/// process's own); returns (success, stdout, stderr).
fn spot(args: &[&str], env: &[(&str, String)]) -> (bool, String, String) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_spot"));
    command.args(args).env_remove("SPOT_STORE_URL");
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("spot runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Where a backup is restored to: a database that does not exist yet (a SQLite file, a new
/// PostgreSQL database) and an empty upload folder or bucket.
struct Target {
    dir: tempfile::TempDir,
    database_url: String,
    postgres: Option<(String, String)>,
    /// The bucket's settings, for a bucket store: for `spot` and for a server.
    store: Vec<(&'static str, String)>,
    store_url: Option<spot::resources::store::StoreUrl>,
}

impl Target {
    fn new(engine: Engine) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (database_url, postgres) =
            new_database(engine, &dir.path().join("restored"), "spot_restore");
        Self {
            dir,
            database_url,
            postgres,
            store: Vec::new(),
            store_url: None,
        }
    }

    fn uploads(&self) -> PathBuf {
        self.dir.path().join("uploads")
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        let mut env = vec![
            ("DATABASE_URL", self.database_url.clone()),
            ("SPOT_UPLOADS", self.uploads().display().to_string()),
            ("SPOT_DATA_DIR", self.dir.path().display().to_string()),
        ];
        env.extend(self.store.iter().cloned());
        env
    }

    /// Members in the target database (none when it has no tables yet).
    fn members(&self) -> i64 {
        let manager = spot::db::DbManager::from_url(&self.database_url).unwrap();
        if manager.sqlite_file().is_some_and(|file| !file.exists()) {
            return 0;
        }
        let mut conn = manager.establish().unwrap();
        let tables: i64 = match manager.engine() {
            DbEngine::Sqlite => diesel::dsl::sql::<diesel::sql_types::BigInt>(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'members'",
            )
            .get_result(&mut conn)
            .unwrap(),
            DbEngine::Postgres => diesel::dsl::sql::<diesel::sql_types::BigInt>(
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'members'",
            )
            .get_result(&mut conn)
            .unwrap(),
        };
        if tables == 0 {
            return 0;
        }
        spot::schema::members::table
            .count()
            .get_result(&mut conn)
            .unwrap()
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        if let Some(database) = self.postgres.take() {
            drop_postgres_database(database);
        }
    }
}

/// Members, posts, resources and bookings.
fn counts(db: &Db) -> [i64; 4] {
    use spot::schema::{bookings, members, posts, resources};
    let mut conn = db.conn().unwrap();
    [
        members::table.count().get_result(&mut *conn).unwrap(),
        posts::table.count().get_result(&mut *conn).unwrap(),
        resources::table.count().get_result(&mut *conn).unwrap(),
        bookings::table.count().get_result(&mut *conn).unwrap(),
    ]
}

/// The resources with a file: (id, key).
fn files_of(db: &Db) -> Vec<(i64, String)> {
    use spot::schema::resources;
    let mut conn = db.conn().unwrap();
    resources::table
        .filter(resources::file_key.is_not_null())
        .order(resources::id)
        .select((resources::id, resources::file_key.assume_not_null()))
        .load(&mut *conn)
        .unwrap()
}

/// A demo community, and a member who shares two files through the form.
async fn community(app: &TestApp) -> Vec<(i64, Vec<u8>)> {
    {
        let mut conn = app.db.conn().unwrap();
        spot::demo::generate(
            &mut conn,
            &spot::demo::Options {
                scale: 0.01,
                seed: 5,
            },
        )
        .expect("a demo community");
    }
    app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan")
        .await;
    let mut longer = PDF.to_vec();
    longer.extend((0..1_500_000u32).map(|i| (i % 251) as u8));
    let mut shared = Vec::new();
    for (title, name, content) in [
        ("Fatigue leaflet", "fatigue.pdf", PDF.to_vec()),
        ("Pacing guide", "pacing.pdf", longer),
    ] {
        let id = Share::file(title, name, &content)
            .tags("fatigue")
            .shared_by(app)
            .await;
        shared.push((id, content));
    }
    shared
}

/// Copies a backup folder, to damage the copy.
fn copy_of(backup: &Path, to: &Path) {
    std::fs::create_dir_all(to.join("files")).unwrap();
    for entry in walk(backup) {
        let relative = entry.strip_prefix(backup).unwrap();
        std::fs::copy(&entry, to.join(relative)).unwrap();
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        if entry.path().is_dir() {
            found.extend(walk(&entry.path()));
        } else {
            found.push(entry.path());
        }
    }
    found
}

/// Backs up `app` (its store's settings in `source`), checks what damaged backups and full
/// databases meet, restores into `target`, and compares the restored community with the
/// original, through a server started on it.
async fn round_trip(app: &TestApp, source: Vec<(&'static str, String)>, target: Target) {
    let shared = community(app).await;
    let work = tempfile::tempdir().unwrap();
    let backup = work.path().join("backup");
    let backup_arg = backup.display().to_string();
    let mut env = vec![
        ("DATABASE_URL", app.config.database_url.clone()),
        ("SPOT_UPLOADS", app.config.uploads_dir.display().to_string()),
        ("SPOT_DATA_DIR", app.data_dir.path().display().to_string()),
    ];
    env.extend(source);

    // While the server serves.
    let (ok, out, err) = spot(&["backup", &backup_arg], &env);
    assert!(ok, "backup failed: {err}");
    let engine = app.db.engine().name();
    assert!(
        out.contains(&format!("Backed up the {engine} database")),
        "{out}"
    );
    assert!(out.contains("and 2 files"), "{out}");
    // Not a terminal: plain lines, one per stage.
    assert!(err.lines().any(|l| l.starts_with("files: 2 in ")), "{err}");
    assert!(!err.contains('\u{1b}'), "no terminal escapes in a log");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(backup.join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["engine"], engine);
    assert_eq!(manifest["files"].as_array().unwrap().len(), 2);
    assert_eq!(
        manifest["migration"],
        spot::db::newest_migration(app.db.engine())
    );

    // A folder that is not empty is refused.
    let (ok, _, err) = spot(&["backup", &backup_arg], &env);
    assert!(!ok && err.contains("is not empty"), "{err}");
    // So is a restore into a database with members.
    let (ok, _, err) = spot(&["restore", &backup_arg], &env);
    assert!(
        !ok && err.contains("members: restore into an empty database"),
        "{err}"
    );

    // A damaged file, or a changed manifest: refused, and nothing restored.
    let damaged = work.path().join("damaged");
    copy_of(&backup, &damaged);
    let key = manifest["files"][1]["name"].as_str().unwrap();
    let mut bytes = std::fs::read(damaged.join("files").join(key)).unwrap();
    bytes[100] ^= 1;
    std::fs::write(damaged.join("files").join(key), bytes).unwrap();
    let (ok, _, err) = spot(&["restore", &damaged.display().to_string()], &target.env());
    assert!(
        !ok && err.contains("does not match the manifest (its SHA-256 differs)"),
        "{err}"
    );
    let changed = work.path().join("changed");
    copy_of(&backup, &changed);
    let text = std::fs::read_to_string(changed.join("manifest.json")).unwrap();
    let size = manifest["database"]["size"].as_u64().unwrap();
    std::fs::write(
        changed.join("manifest.json"),
        text.replace(
            &format!("\"size\": {size}"),
            &format!("\"size\": {}", size + 1),
        ),
    )
    .unwrap();
    let (ok, _, err) = spot(&["restore", &changed.display().to_string()], &target.env());
    assert!(!ok && err.contains("does not match the manifest"), "{err}");
    assert_eq!(target.members(), 0, "nothing was restored");
    assert!(
        !target.uploads().exists() || walk(&target.uploads()).is_empty(),
        "no file was restored"
    );

    let (ok, out, err) = spot(&["restore", &backup_arg], &target.env());
    assert!(ok, "restore failed: {err}");
    assert!(out.contains("members, 2 files)"), "{out}");
    assert!(
        err.lines().any(|l| l.starts_with("checked: 3 in ")),
        "{err}"
    );
    // Once restored, the target is no longer empty.
    let (ok, _, err) = spot(&["restore", &backup_arg], &target.env());
    assert!(!ok && err.contains("members"), "{err}");

    // The restored site, served: the same community and the same files.
    let database_url = target.database_url.clone();
    let uploads = target.uploads();
    let store_url = target.store_url.clone();
    let restored = TestApp::spawn_with(app.engine, move |config| {
        config.database_url = database_url;
        config.uploads_dir = uploads;
        config.store_url = store_url;
    })
    .await;
    assert_eq!(counts(&restored.db), counts(&app.db));
    assert_eq!(files_of(&restored.db), files_of(&app.db));
    assert_redirects_to(&restored.login("sam@nhs.net", PASSWORD).await, "/");
    for (id, content) in &shared {
        let response = restored.get(&format!("/resources/{id}/download")).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response.bytes().await.unwrap() == content.as_slice(),
            "resource {id} byte for byte"
        );
    }
    drop(target);
}

on_both_engines! {
    async fn a_backup_taken_while_serving_restores_the_whole_community(app: TestApp) {
        let target = Target::new(app.engine);
        round_trip(&app, Vec::new(), target).await;
    }
}

on_both_engines_with_s3! {
    async fn a_backup_of_a_bucket_restores_into_another_bucket(app: TestApp, s3: S3, bucket: String) {
        let mut target = Target::new(app.engine);
        let restored_bucket = s3.new_bucket().await;
        target.store = s3.env(&restored_bucket);
        target.store_url = Some(s3.store_url(&restored_bucket));
        round_trip(&app, s3.env(&bucket), target).await;
        assert_eq!(s3.keys(&restored_bucket).await, s3.keys(&bucket).await);
    }
}
