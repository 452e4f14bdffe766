//! argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane). Hashing takes tens of
//! milliseconds of CPU, so callers run it on the blocking pool, never on an async thread.

use std::sync::OnceLock;

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordVerifier, Version};

use super::values::Password;

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("OWASP argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash(password: &Password) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.expose().as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| anyhow::anyhow!("password hashing failed: {e}"))
}

/// Checks a typed password against a stored hash. The parameters come from the stored hash,
/// so hashes made with older parameters still verify.
pub fn verify(candidate: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => hasher()
            .verify_password(candidate.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Verifies against a fixed hash so that an unknown address takes as long as a known one.
pub fn verify_against_dummy(candidate: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| {
        hash(&Password::parse("no account has this password").expect("valid"))
            .expect("hashing works")
    });
    let _ = verify(candidate, dummy);
}

/// Hashes on the blocking pool.
pub async fn hash_off_thread(password: Password) -> Result<String, crate::web::AppError> {
    actix_web::web::block(move || hash(&password))
        .await
        .map_err(|e| anyhow::anyhow!("blocking task failed: {e}"))?
        .map_err(crate::web::AppError::Unexpected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let password = Password::parse("kettle river jigsaw").unwrap();
        let stored = hash(&password).unwrap();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(!stored.contains("kettle"));
        assert!(verify("kettle river jigsaw", &stored));
        assert!(!verify("kettle river jigsaws", &stored));
        assert!(!verify("kettle river jigsaw", "not a hash"));
    }
}
