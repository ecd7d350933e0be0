//! Password hashing: Argon2id PHC strings, computed off the async runtime.

use super::{FieldError, ServiceError};
use crate::config::PasswordCost;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted (a bound on hashing work).
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// Checks the length rules; `field` names the request field in the error.
pub fn validate_new_password(password: &str, field: &str) -> Result<(), ServiceError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(ServiceError::invalid_coded(
            FieldError::coded(
                field,
                "too-short",
                format!("must be at least {MIN_PASSWORD_CHARS} characters"),
            )
            .arg("min", MIN_PASSWORD_CHARS),
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(ServiceError::invalid_coded(
            FieldError::coded(
                field,
                "too-long",
                format!("must be at most {MAX_PASSWORD_CHARS} characters"),
            )
            .arg("max", MAX_PASSWORD_CHARS),
        ));
    }
    Ok(())
}

fn argon2(cost: PasswordCost) -> Result<Argon2<'static>, ServiceError> {
    let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
        .map_err(|e| ServiceError::Internal(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password with Argon2id and a random salt.
pub async fn hash(password: String, cost: PasswordCost) -> Result<String, ServiceError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        argon2(cost)?
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ServiceError::Internal(format!("argon2: {e}")))
    })
    .await
    .map_err(|e| ServiceError::Internal(format!("hashing task: {e}")))?
}

/// Whether `password` matches the PHC string (parameters are read from the string).
pub async fn verify(password: String, phc: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&phc)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A random password of 20 characters from an unambiguous alphabet.
pub fn random_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..20)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_phc_and_verify() {
        let phc = hash("correct horse battery".into(), PasswordCost::OWASP)
            .await
            .unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify("correct horse battery".into(), phc.clone()).await);
        assert!(!verify("wrong horse battery".into(), phc).await);
        assert!(!verify("x".into(), "not a phc string".into()).await);
    }

    #[test]
    fn password_length_rules() {
        assert!(validate_new_password("123456789", "password").is_err());
        assert!(validate_new_password("1234567890", "password").is_ok());
        assert!(validate_new_password("ӨӨӨӨӨӨӨӨӨӨ", "password").is_ok());
    }

    #[test]
    fn random_passwords_are_long_enough() {
        let p = random_password();
        assert_eq!(p.chars().count(), 20);
        assert!(validate_new_password(&p, "password").is_ok());
        assert_ne!(p, random_password());
    }
}
