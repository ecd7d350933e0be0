//! HQ's clinics: adding one (name, code, base URL) and connecting it with a clinic manager's
//! login typed once: HQ opens a `session_type: hq` session on the clinic and keeps only the
//! token, sealed with HQ's key file (XChaCha20-Poly1305), never the password. The clinic sees
//! that session in its sessions list and may end it; HQ then says so at its next sync.

use crate::services::{FieldError, ServiceError};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use dcms_domain::ClinicCode;
use dcms_store::Store;
use dcms_store::hq::entity::hq_clinic;
use dcms_store::key_file::{from_hex, to_hex};
use dcms_store::time::now;
use serde::Deserialize;
use std::path::Path;

/// HQ's key for the clinics' session tokens (the file `--hq-key-file`).
#[derive(Clone)]
pub struct HqKey([u8; 32]);

impl std::fmt::Debug for HqKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HqKey(<redacted>)")
    }
}

impl HqKey {
    /// Reads the key file, or creates it (mode 0600); an unreadable one is never replaced.
    pub fn load_or_create(path: &Path) -> Result<HqKey, ServiceError> {
        Ok(HqKey(dcms_store::key_file::load_or_create(path, "HQ")?))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.0.into())
    }

    /// `secret` sealed: a random 24-byte nonce and the ciphertext with its tag, in hex.
    pub fn seal(&self, secret: &str) -> Result<String, ServiceError> {
        let nonce_bytes: [u8; 24] = {
            use rand::RngCore;
            let mut n = [0u8; 24];
            rand::rngs::OsRng.fill_bytes(&mut n);
            n
        };
        let sealed = self
            .cipher()
            .encrypt(XNonce::from_slice(&nonce_bytes), secret.as_bytes())
            .map_err(|_| ServiceError::Internal("sealing a token failed".into()))?;
        Ok(format!("{}{}", to_hex(&nonce_bytes), to_hex(&sealed)))
    }

    /// What [`HqKey::seal`] sealed; an error when it was sealed with another key or altered.
    pub fn open(&self, sealed: &str) -> Result<String, ServiceError> {
        let bad = || {
            ServiceError::Internal(
                "a stored clinic token cannot be opened with this HQ key file (was the key file replaced?)"
                    .into(),
            )
        };
        let bytes = from_hex(sealed).ok_or_else(bad)?;
        if bytes.len() < 24 + 16 {
            return Err(bad());
        }
        let (nonce, body) = bytes.split_at(24);
        let plain = self
            .cipher()
            .decrypt(XNonce::from_slice(nonce), body)
            .map_err(|_| bad())?;
        String::from_utf8(plain).map_err(|_| bad())
    }
}

/// A clinic as the head office types it.
#[derive(Debug, Clone, Default)]
pub struct NewClinicInput {
    pub name: Option<String>,
    pub code: Option<String>,
    pub base_url: Option<String>,
}

/// A clinic's base URL: `http://` or `https://` with a host, no trailing slash kept.
fn base_url(errors: &mut Vec<FieldError>, value: Option<&str>) -> Option<String> {
    let value = value.map(str::trim).unwrap_or_default();
    let ok = reqwest::Url::parse(value)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if !ok || value.len() > 300 {
        errors.push(FieldError::coded(
            "base_url",
            "url",
            "must be the clinic's http:// or https:// address",
        ));
        return None;
    }
    Some(value.trim_end_matches('/').to_owned())
}

/// Adds a clinic: 422 for an invalid field, 409 for a code already listed.
pub async fn add(store: &Store, input: NewClinicInput) -> Result<hq_clinic::Model, ServiceError> {
    let mut errors = Vec::new();
    let name = crate::services::fields::required_text(
        &mut errors,
        "name",
        input.name.as_deref().unwrap_or_default(),
        255,
    );
    let code = match ClinicCode::parse(input.code.as_deref().unwrap_or_default()) {
        Ok(c) if !c.as_str().is_empty() => Some(c.as_str().to_owned()),
        Ok(_) => {
            errors.push(FieldError::coded("code", "required", "is required"));
            None
        }
        Err(e) => {
            errors.push(FieldError::new("code", e));
            None
        }
    };
    let url = base_url(&mut errors, input.base_url.as_deref());
    let (Some(name), Some(code), Some(base_url), true) = (name, code, url, errors.is_empty())
    else {
        return Err(ServiceError::Invalid(errors));
    };
    Ok(dcms_store::hq::insert_clinic(
        store.connection(),
        dcms_store::hq::NewClinic {
            name,
            code,
            base_url,
            now: now(),
        },
    )
    .await?)
}

#[derive(Debug, Deserialize)]
struct LoginAnswer {
    token: String,
    expires_at: jiff::Timestamp,
}

/// Connects a clinic: logs in to it with a manager's (or admin's) username and password as
/// an HQ session and keeps the token sealed, with when it expires. The password is used for
/// this one request. 422 on `password` when the clinic refuses the login, on `username` when
/// the account may not open an HQ session, on `base_url` when the clinic cannot be reached.
pub async fn connect(
    store: &Store,
    http: &reqwest::Client,
    key: &HqKey,
    clinic_id: i64,
    username: &str,
    password: &str,
) -> Result<hq_clinic::Model, ServiceError> {
    let mut clinic = dcms_store::hq::clinic(store.connection(), clinic_id)
        .await?
        .ok_or(ServiceError::NotFound("clinic"))?;
    let answer = http
        .post(format!("{}/api/v1/auth/login", clinic.base_url))
        .header("content-type", "application/json")
        .body(
            serde_json::json!({
                "username": username, "password": password,
                "session_type": "hq", "device_name": "DCMS HQ",
            })
            .to_string(),
        )
        .send()
        .await
        .map_err(|e| {
            ServiceError::invalid_coded(FieldError::coded(
                "base_url",
                "clinic-unreachable",
                format!("the clinic cannot be reached: {}", e.without_url()),
            ))
        })?;
    let login: LoginAnswer = match answer.status().as_u16() {
        201 => {
            let text = answer.text().await.unwrap_or_default();
            serde_json::from_str(&text)
                .map_err(|e| ServiceError::Internal(format!("the clinic's login answer: {e}")))?
        }
        401 | 429 => {
            return Err(ServiceError::invalid_coded(FieldError::coded(
                "password",
                "clinic-login-refused",
                "the clinic refused this username and password",
            )));
        }
        403 => {
            return Err(ServiceError::invalid_coded(FieldError::coded(
                "username",
                "clinic-login-not-hq",
                "this account may not open an HQ session: use a manager's or an admin's",
            )));
        }
        status => {
            return Err(ServiceError::invalid_coded(FieldError::coded(
                "base_url",
                "clinic-unreachable",
                format!("the clinic answered HTTP {status}"),
            )));
        }
    };
    clinic.session_token = Some(key.seal(&login.token)?);
    clinic.session_expires_at = Some(dcms_store::time::to_db(login.expires_at));
    clinic.last_error = None;
    clinic.last_error_at = None;
    Ok(dcms_store::hq::save_clinic(store.connection(), clinic).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_token_opens_with_its_key_only() {
        let key = HqKey([7; 32]);
        let sealed = key.seal("secret-token").unwrap();
        assert!(!sealed.contains("secret"));
        assert_ne!(
            sealed,
            key.seal("secret-token").unwrap(),
            "a fresh nonce each time"
        );
        assert_eq!(key.open(&sealed).unwrap(), "secret-token");
        assert!(HqKey([8; 32]).open(&sealed).is_err());
        let mut altered = sealed.clone();
        altered.replace_range(60..62, if &sealed[60..62] == "00" { "11" } else { "00" });
        assert!(key.open(&altered).is_err());
        assert!(key.open("zz").is_err());
    }
}
