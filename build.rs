//! Marks a test build made with `SPOT_TEST_POSTGRES_URL` set, so that the PostgreSQL half of
//! each integration scenario is compiled as a test to run, and otherwise as an ignored one:
//! `cargo test` then says how many did not run, instead of counting them as passed. In the
//! same way `SPOT_TEST_S3=1` runs the tests of the S3 file store (against a `moto_server`
//! they start), which are otherwise ignored.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(spot_postgres_tests)");
    println!("cargo::rustc-check-cfg=cfg(spot_s3_tests)");
    println!("cargo::rerun-if-env-changed=SPOT_TEST_POSTGRES_URL");
    println!("cargo::rerun-if-env-changed=SPOT_TEST_S3");
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var_os("SPOT_TEST_POSTGRES_URL").is_some_and(|url| !url.is_empty()) {
        println!("cargo::rustc-cfg=spot_postgres_tests");
    }
    if std::env::var_os("SPOT_TEST_S3").is_some_and(|flag| !flag.is_empty() && flag != "0") {
        println!("cargo::rustc-cfg=spot_s3_tests");
    }
}
