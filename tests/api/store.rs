//! The file store: its contract, kept alike by the upload folder and by an S3 bucket (a
//! `moto_server` the test starts), and the library served from a bucket end to end.

use reqwest::StatusCode;
use spot::resources::store::{FileStore, Incoming, StoreError};

use crate::helpers::*;
use crate::on_both_engines_with_s3;
use crate::resources::{Share, PDF};

/// Bytes that do not repeat (so a part sent twice or out of order shows): xorshift, quick
/// even in a debug build.
fn varied(size: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut bytes = Vec::with_capacity(size + 8);
    while bytes.len() < size {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes.truncate(size);
    bytes
}

async fn put(store: &FileStore, content: &[u8]) -> String {
    let incoming = Incoming::new(store.incoming_dir());
    std::fs::write(incoming.path(), content).unwrap();
    let key = spot::resources::store::new_key();
    store.put(incoming, &key).await.expect("put in the store");
    key
}

async fn read(store: &FileStore, key: &str) -> Vec<u8> {
    use futures_util::StreamExt;
    let download = store.open(key).await.expect("the stored file");
    let size = download.size;
    let mut stream = Box::pin(download.into_stream());
    let mut bytes = Vec::new();
    while let Some(piece) = stream.next().await {
        bytes.extend_from_slice(&piece.expect("a piece"));
    }
    assert_eq!(bytes.len() as u64, size, "the size given is the size sent");
    bytes
}

/// What every store does: a small and a large file (several 5 MiB parts) come back byte for
/// byte, streamed and copied; the listing names them (and not uploads on their way); a
/// deleted file is gone, a missing one says so, and a key that could leave the store is
/// refused. Returns the large file's key.
async fn keeps_the_contract(store: &FileStore) -> String {
    let small = varied(10 * 1024, 1);
    let large = varied(12 * 1024 * 1024 + 123, 2);
    let small_key = put(store, &small).await;
    let large_key = put(store, &large).await;
    assert_eq!(read(store, &small_key).await, small);
    assert_eq!(read(store, &large_key).await, large);
    let mut copied = Vec::new();
    assert_eq!(
        store.copy_blocking(&large_key, &mut copied).unwrap(),
        large.len() as u64
    );
    assert!(copied == large, "copied byte for byte");
    assert_eq!(
        std::fs::read_dir(store.incoming_dir()).unwrap().count(),
        0,
        "no upload is left waiting"
    );

    // An upload on its way is not a stored file.
    let arriving = Incoming::new(store.incoming_dir());
    std::fs::write(arriving.path(), b"half").unwrap();
    let mut expected = vec![small_key.clone(), large_key.clone()];
    expected.sort();
    assert_eq!(store.keys_blocking().unwrap(), expected);
    drop(arriving);

    assert!(store.contains(&small_key).await.unwrap());
    store.delete(&small_key).await.unwrap();
    assert!(!store.contains(&small_key).await.unwrap());
    assert!(
        matches!(store.open(&small_key).await, Err(StoreError::Missing(key)) if key == small_key)
    );
    assert!(matches!(
        store.copy_blocking(&small_key, &mut Vec::new()),
        Err(StoreError::Missing(_))
    ));
    store
        .delete(&small_key)
        .await
        .expect("deleting what is gone is no error");
    for bad in ["../secret", "a/b", ""] {
        assert!(
            matches!(store.open(bad).await, Err(StoreError::BadKey(_))),
            "{bad:?}"
        );
    }
    assert_eq!(store.keys_blocking().unwrap(), vec![large_key.clone()]);
    large_key
}

#[actix_web::test]
async fn the_upload_folder_keeps_the_store_contract() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::folder(dir.path()).unwrap();
    let large = keeps_the_contract(&store).await;
    // The folder holds each file under its key, as it was sent.
    assert_eq!(
        std::fs::read(dir.path().join(&large)).unwrap().len(),
        12 * 1024 * 1024 + 123
    );
}

#[actix_web::test]
#[cfg_attr(not(spot_s3_tests), ignore = "needs moto_server: set SPOT_TEST_S3=1")]
async fn an_s3_bucket_keeps_the_store_contract() {
    let s3 = S3::start().await;
    let bucket = s3.new_bucket().await;
    let incoming = tempfile::tempdir().unwrap();
    let store = FileStore::bucket(&s3.store_url(&bucket), incoming.path()).unwrap();
    let large = keeps_the_contract(&store).await;
    assert_eq!(
        s3.keys(&bucket).await,
        vec![large.clone()],
        "under the URL's prefix"
    );
    // 12 MiB went up as three parts of at most 5 MiB.
    assert!(
        s3.etag(&bucket, &large).await.ends_with("-3"),
        "a multipart upload"
    );
}

#[test]
fn a_bucket_spot_cannot_reach_stops_it_at_start_up() {
    // Nothing listens on port 9 of loopback.
    let url = spot::resources::store::StoreUrl::parse("s3://spot-files/x")
        .and_then(|url| url.with_setting("aws_endpoint_url", "http://127.0.0.1:9"))
        .and_then(|url| url.with_setting("aws_access_key_id", "k"))
        .and_then(|url| url.with_setting("aws_secret_access_key", "s"))
        .and_then(|url| url.with_setting("aws_region", "us-east-1"))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let refused = FileStore::bucket(&url, dir.path()).unwrap_err();
    let message = format!("{refused:#}");
    assert!(
        message.starts_with("could not reach the file store s3://spot-files/x"),
        "{message}"
    );
}

on_both_engines_with_s3! {
    async fn the_library_keeps_its_files_in_a_bucket(app: TestApp, s3: S3, bucket: String) {
        // Larger than one part: it goes up in pieces, and comes back whole.
        let mut large = PDF.to_vec();
        large.extend(varied(6 * 1024 * 1024, 3));
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let leaflet = Share::file("Fatigue leaflet", "fatigue.pdf", PDF).tags("fatigue").shared_by(&app).await;
        let guide = Share::file("Pacing guide", "pacing.pdf", &large).tags("fatigue").shared_by(&app).await;
        let keys = s3.keys(&bucket).await;
        assert_eq!(keys.len(), 2, "both files are in the bucket: {keys:?}");
        assert!(
            std::fs::read_dir(app.data_dir.path().join("uploads/.incoming")).unwrap().next().is_none(),
            "nothing is left waiting on this machine"
        );
        for (id, content) in [(leaflet, PDF), (guide, large.as_slice())] {
            let response = app.get(&format!("/resources/{id}/download")).await;
            assert_eq!(response.status(), StatusCode::OK);
            assert!(response.bytes().await.unwrap() == content, "resource {id} byte for byte");
        }

        // Deleting a resource deletes its object.
        assert_redirects_to(&app.post(&format!("/resources/{leaflet}/delete"), &[]).await, "/resources");
        let left = s3.keys(&bucket).await;
        assert_eq!(left.len(), 1, "{left:?}");

        // An object removed behind SPOT's back: a page that says so, with 404, and a log line.
        s3.delete(&bucket, &left[0]).await;
        let response = app.get(&format!("/resources/{guide}/download")).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let page = response.text().await.unwrap();
        assert!(page.contains("This file is missing"), "{page}");
        assert!(page.contains("Pacing guide"), "the page names the resource");
        let logged = captured_log();
        assert!(
            logged.lines().any(|line| line.contains("a stored file is missing from the store")
                && line.contains(&left[0])
                && line.contains(&format!("s3://{bucket}/spot"))),
            "the log names the missing key and the store"
        );
    }

    async fn a_failed_upload_to_the_bucket_leaves_no_row(app: TestApp, s3: S3, bucket: String) {
        app.join("sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        // The bucket goes away after SPOT started.
        s3.request(reqwest::Method::DELETE, &bucket).await;
        let response = Share::file("Fatigue leaflet", "fatigue.pdf", PDF).tags("fatigue").send(&app).await;
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let page = app.page("/resources").await;
        assert!(page.contains("<h2>0 resources</h2>"), "no row is left");
        assert!(
            std::fs::read_dir(app.data_dir.path().join("uploads/.incoming")).unwrap().next().is_none(),
            "the arrived upload is cleaned up"
        );
    }
}
