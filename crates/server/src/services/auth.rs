//! Logging in and out, sessions, and who is calling.
//!
//! A session token is `<session_token_id>.<secret>`, the secret 32 random bytes in base64url.
//! Only an Argon2id hash of the secret is stored, with light parameters (a 256-bit random
//! secret needs no memory-hard cost), so refusing a flood of forged tokens stays cheap. Every
//! request reads its session row by primary key, so a revocation takes effect at once on every
//! server; the result of the hash check is cached in memory, keyed by the SHA-256 of the whole
//! token.

use super::audit::AuditTrail;
use super::throttle::{Lockout, Throttle};
use super::{FieldError, ServiceError, passwords};
use crate::config::{Config, PasswordCost};
use base64::Engine;
use dcms_domain::{Principal, Role, SessionEnd, SessionLimits, SessionType};
use dcms_store::audit::AuditEntry;
use dcms_store::entity::{session_token, user};
use dcms_store::time::{from_db, now, to_db};
use dcms_store::{Store, sessions, users};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use tokio::sync::Semaphore;

/// Argon2id cost for session secrets: m = 64 KiB, t = 1, p = 1.
pub const TOKEN_COST: PasswordCost = PasswordCost {
    memory_kib: 64,
    iterations: 1,
    parallelism: 1,
};

/// `last_seen_at` is written at most this often per session.
const TOUCH_EVERY: jiff::SignedDuration = jiff::SignedDuration::from_secs(60);
/// Verified tokens remembered (then the cache starts afresh).
const VERIFIED_CACHE_CAP: usize = 10_000;

/// The longest username an account can have (`users::create` refuses longer ones).
const USERNAME_MAX_CHARS: usize = 255;

pub use super::throttle::LoginLimits;

/// The signed-in user and session behind a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: user::Model,
    pub session: session_token::Model,
    pub role: Role,
    pub session_type: SessionType,
    pub principal: Principal,
    /// The patient record this user is linked to (a portal account), if any.
    pub patient_id: Option<i64>,
    /// The employee this user is linked to, if any.
    pub employee_id: Option<i64>,
}

impl Caller {
    /// The caller as the audit trail records them.
    pub fn actor(&self) -> super::Actor {
        super::Actor {
            user_id: Some(self.user.user_id),
            session_token_id: Some(self.session.session_token_id),
            employee_id: self.employee_id,
            principal: Some(self.principal),
        }
    }

    pub fn user_id(&self) -> i64 {
        self.user.user_id
    }

    /// Whether the caller's principal has `access` to `capability` (the role matrix of
    /// `dcms_domain::permission`), for rules inside a use case that a route's rule does not
    /// decide (a manager may finish an appointment with an unpaid balance).
    pub fn may(
        &self,
        capability: dcms_domain::permission::Capability,
        access: dcms_domain::permission::Access,
    ) -> bool {
        dcms_domain::permission::permits(self.principal, capability, access)
    }

    pub fn session_token_id(&self) -> i64 {
        self.session.session_token_id
    }
}

/// Why a request has no signed-in caller.
#[derive(Debug)]
pub enum NotSignedIn {
    /// No such session, a wrong secret, revoked, a disabled user, a role that no longer fits.
    Invalid,
    /// The session ended by itself: not used for too long, or at the end of its lifetime.
    Ended(SessionEnd),
    /// The check itself failed (the database).
    Error(ServiceError),
}

/// What a successful login gives.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub session: session_token::Model,
    pub user: user::Model,
}

/// What a login asks for.
#[derive(Debug, Clone)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    pub device_name: Option<String>,
    pub session_type: Option<SessionType>,
    pub client: Option<IpAddr>,
}

/// Sessions and logins.
pub struct Auth {
    store: Store,
    audit: AuditTrail,
    password_cost: PasswordCost,
    /// A hash to verify against when the username is unknown, so the answer takes as long.
    dummy_hash: String,
    verified: Mutex<HashMap<[u8; 32], i64>>,
    throttle: Throttle,
    login_slots: Semaphore,
}

impl Auth {
    pub async fn new(
        store: Store,
        audit: AuditTrail,
        config: &Config,
    ) -> Result<Auth, ServiceError> {
        let dummy_hash =
            passwords::hash("dummy password for timing".into(), config.password_cost).await?;
        Ok(Auth {
            store,
            audit,
            password_cost: config.password_cost,
            dummy_hash,
            verified: Mutex::new(HashMap::new()),
            throttle: Throttle::new(config.login.clone()),
            login_slots: Semaphore::new(config.login.concurrent.max(1)),
        })
    }

    pub fn password_cost(&self) -> PasswordCost {
        self.password_cost
    }

    /// Checks a username and password and opens a session. Guesses are throttled
    /// ([`Throttle`]): an attempt is counted before its password is checked. Failures and
    /// lock-outs are audited (`login_failed`, `locked_out`) and logged on the `security`
    /// target.
    pub async fn login(&self, request: LoginRequest) -> Result<NewSession, ServiceError> {
        if request.username.chars().count() > USERNAME_MAX_CHARS
            || request.password.chars().count() > passwords::MAX_PASSWORD_CHARS
        {
            // No account can have such a name or password: answered as a wrong password,
            // without hashing it, remembering the name, or counting it against the address
            // (a failure this cheap must not let anyone lock a whole clinic out).
            tracing::warn!(
                target: "security",
                client = ?request.client,
                "login refused: oversized username or password"
            );
            return Err(ServiceError::Unauthenticated);
        }
        let key = dcms_domain::username_key(&request.username);
        self.refused_if_throttled(self.throttle.check(&key, request.client), &request)?;
        let _slot = tokio::time::timeout(
            self.throttle.limits().queue_wait,
            self.login_slots.acquire(),
        )
        .await
        .map_err(|_| ServiceError::Busy)?
        .map_err(|_| ServiceError::Busy)?;
        let attempt =
            self.refused_if_throttled(self.throttle.begin(&key, request.client), &request)?;

        let found = users::find_by_username(self.store.connection(), &request.username).await?;
        let hash = found
            .as_ref()
            .map(|u| u.password_hash.clone())
            .unwrap_or_else(|| self.dummy_hash.clone());
        let password_ok = passwords::verify(request.password.clone(), hash).await;
        let user = match found {
            Some(user) if password_ok && user.disabled_at.is_none() => user,
            found => {
                let lockout = attempt.failed();
                self.failed_attempt(
                    "login",
                    &request.username,
                    request.client,
                    found.map(|u| u.user_id),
                    lockout,
                );
                return Err(ServiceError::Unauthenticated);
            }
        };
        attempt.succeeded();
        let role = Role::from_code(user.roles).ok_or_else(|| {
            ServiceError::Internal(format!(
                "user {} has role code {}",
                user.user_id, user.roles
            ))
        })?;
        let session_type = match (role, request.session_type) {
            (Role::Patient, _) => SessionType::PatientWeb,
            (_, Some(SessionType::PatientWeb)) => return Err(ServiceError::Forbidden),
            (Role::Admin | Role::Manager, Some(SessionType::Hq)) => SessionType::Hq,
            (_, Some(SessionType::Hq)) => return Err(ServiceError::Forbidden),
            (_, _) => SessionType::UserPortal,
        };

        let device_name = request
            .device_name
            .map(|d| d.trim().chars().take(255).collect::<String>())
            .filter(|d| !d.is_empty());
        let secret = random_secret();
        let token_hash = passwords::hash(secret.clone(), TOKEN_COST).await?;
        let now_ts = jiff::Timestamp::now();
        let lifetime = self.session_limits().await?.of(session_type).lifetime();
        let expires = now_ts
            .checked_add(lifetime)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let session = super::retrying_busy(|| async {
            let txn = self.store.begin_write().await?;
            let session = sessions::create(
                &txn,
                sessions::NewSession {
                    user_id: user.user_id,
                    session_type: session_type.code(),
                    token_hash: token_hash.clone(),
                    device_name: device_name.clone(),
                    now: to_db(now_ts),
                    expires_at: to_db(expires),
                },
            )
            .await?;
            let actor = super::Actor {
                user_id: Some(user.user_id),
                session_token_id: Some(session.session_token_id),
                employee_id: None,
                principal: Some(Principal::of(role, session_type)),
            };
            self.audit
                .record(
                    &txn,
                    actor.stamp(AuditEntry::new(
                        "login",
                        "session_token",
                        Some(session.session_token_id),
                    )),
                )
                .await?;
            txn.commit().await.map_err(dcms_store::StoreError::from)?;
            Ok(session)
        })
        .await?;
        let token = format!("{}.{secret}", session.session_token_id);
        self.remember(&token, session.session_token_id);
        Ok(NewSession {
            token,
            session,
            user,
        })
    }

    /// A throttle's refusal, logged on the `security` target.
    fn refused_if_throttled<T>(
        &self,
        outcome: Result<T, ServiceError>,
        request: &LoginRequest,
    ) -> Result<T, ServiceError> {
        if let Err(ServiceError::TooManyAttempts { retry_after }) = &outcome {
            tracing::warn!(
                target: "security",
                username = %excerpt(&request.username),
                client = ?request.client,
                retry_after,
                "login refused: too many failed attempts"
            );
        }
        outcome
    }

    /// Records a wrong password (at a login, or the current one at a password change) in
    /// the audit trail and the `security` log, with the lock-out it began if any. The
    /// username is kept as typed (at most 255 characters), never the password.
    fn failed_attempt(
        &self,
        via: &'static str,
        username: &str,
        client: Option<IpAddr>,
        user_id: Option<i64>,
        lockout: Option<Lockout>,
    ) {
        let username = excerpt(username);
        let client_text = client.map(|c| c.to_string());
        tracing::warn!(
            target: "security",
            %username,
            client = ?client,
            via,
            "failed password attempt"
        );
        self.audit.record_soon(
            AuditEntry::new("login_failed", "user", user_id).with_changes(Some(json!({
                "username": username,
                "client": client_text,
                "via": via,
            }))),
        );
        if let Some(lockout) = lockout {
            tracing::warn!(
                target: "security",
                %username,
                client = ?client,
                scope = lockout.scope.as_str(),
                seconds = lockout.seconds,
                "locked out after repeated failures"
            );
            self.audit
                .record_soon(
                    AuditEntry::new("locked_out", "user", user_id).with_changes(Some(json!({
                        "username": username,
                        "client": client_text,
                        "scope": lockout.scope.as_str(),
                        "seconds": lockout.seconds,
                    }))),
                );
        }
    }

    fn remember(&self, token: &str, session_token_id: i64) {
        let mut cache = self.verified.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= VERIFIED_CACHE_CAP {
            cache.clear();
        }
        cache.insert(token_digest(token), session_token_id);
    }

    fn is_remembered(&self, token: &str, session_token_id: i64) -> bool {
        let cache = self.verified.lock().unwrap_or_else(|e| e.into_inner());
        cache.get(&token_digest(token)) == Some(&session_token_id)
    }

    /// The caller behind a token, or `Unauthenticated` (no such session, wrong secret,
    /// revoked, expired, idle too long, disabled user, a role the session no longer fits).
    pub async fn authenticate(&self, token: &str) -> Result<Caller, ServiceError> {
        self.check_token(token)
            .await
            .map_err(|refusal| match refusal {
                NotSignedIn::Error(e) => e,
                NotSignedIn::Invalid | NotSignedIn::Ended(_) => ServiceError::Unauthenticated,
            })
    }

    /// Like [`Auth::authenticate`], telling a session that ended by itself (idle or
    /// expired: the login page says so) from any other refusal. A session is said to have
    /// ended only to the holder of its real secret.
    pub async fn check_token(&self, token: &str) -> Result<Caller, NotSignedIn> {
        let (id, secret) = token.split_once('.').ok_or(NotSignedIn::Invalid)?;
        let id: i64 = id.parse().map_err(|_| NotSignedIn::Invalid)?;
        if secret.is_empty() || secret.len() > 128 {
            return Err(NotSignedIn::Invalid);
        }
        let sessions::SignedIn {
            session,
            user,
            patient_id,
            employee_id,
        } = sessions::find_with_user(self.store.connection(), id)
            .await
            .map_err(|e| NotSignedIn::Error(e.into()))?
            .ok_or(NotSignedIn::Invalid)?;
        let now_ts = jiff::Timestamp::now();
        let session_type =
            SessionType::from_code(session.session_type).ok_or(NotSignedIn::Invalid)?;
        let role = Role::from_code(user.roles).ok_or(NotSignedIn::Invalid)?;
        if session.revoked_at.is_some() || user.disabled_at.is_some() || !session_type.fits(role) {
            return Err(NotSignedIn::Invalid);
        }
        if !self.is_remembered(token, id) {
            let ok = passwords::verify(secret.to_owned(), session.session_token_hash.clone()).await;
            if !ok {
                return Err(NotSignedIn::Invalid);
            }
            self.remember(token, id);
        }
        let limits = self.session_limits().await.map_err(NotSignedIn::Error)?;
        let last_seen = from_db(session.last_seen_at);
        if let Some(end) = limits.ended(
            session_type,
            from_db(session.created_at),
            last_seen,
            from_db(session.expires_at),
            now_ts,
        ) {
            return Err(NotSignedIn::Ended(end));
        }
        if now_ts.duration_since(last_seen) >= TOUCH_EVERY {
            // Noting the use is not the request's purpose: a busy database (a lock wait, a
            // deadlock with a revocation) leaves it for the next request instead of failing
            // this one.
            if let Err(e) = sessions::touch(self.store.connection(), id, now()).await {
                match ServiceError::from(e) {
                    ServiceError::Busy => {}
                    other => return Err(NotSignedIn::Error(other)),
                }
            }
        }
        Ok(Caller {
            principal: Principal::of(role, session_type),
            role,
            session_type,
            user,
            session,
            patient_id,
            employee_id,
        })
    }

    /// How long sessions last: the clinic's settings (read at most once a second).
    async fn session_limits(&self) -> Result<SessionLimits, ServiceError> {
        super::settings::sessions(&self.store).await
    }

    /// Ends the caller's session.
    pub async fn logout(&self, caller: &Caller) -> Result<(), ServiceError> {
        super::retrying_busy(|| async {
            let txn = self.store.begin_write().await?;
            sessions::revoke(&txn, caller.session_token_id(), now()).await?;
            self.audit
                .record(
                    &txn,
                    caller.actor().stamp(AuditEntry::new(
                        "logout",
                        "session_token",
                        Some(caller.session_token_id()),
                    )),
                )
                .await?;
            txn.commit().await.map_err(dcms_store::StoreError::from)?;
            Ok(())
        })
        .await
    }

    /// Changes the caller's password after checking the current one; revokes their other
    /// sessions. Wrong current passwords are throttled, audited and logged like failed
    /// logins of the same username (a stolen session must not guess without limit): past the
    /// limit, 429.
    pub async fn change_password(
        &self,
        caller: &Caller,
        current: String,
        new_password: String,
        client: Option<IpAddr>,
    ) -> Result<(), ServiceError> {
        passwords::validate_new_password(&new_password, "new_password")?;
        let wrong = || {
            ServiceError::invalid_coded(FieldError::coded(
                "current_password",
                "wrong-current-password",
                "is not your current password",
            ))
        };
        if current.chars().count() > passwords::MAX_PASSWORD_CHARS {
            return Err(wrong());
        }
        let key = dcms_domain::username_key(&caller.user.username);
        let request = LoginRequest {
            username: caller.user.username.clone(),
            password: String::new(),
            device_name: None,
            session_type: None,
            client,
        };
        let attempt = self.refused_if_throttled(self.throttle.begin(&key, client), &request)?;
        if !passwords::verify(current, caller.user.password_hash.clone()).await {
            let lockout = attempt.failed();
            self.failed_attempt(
                "password_change",
                &caller.user.username,
                client,
                Some(caller.user_id()),
                lockout,
            );
            return Err(wrong());
        }
        attempt.succeeded();
        let hash = passwords::hash(new_password, self.password_cost).await?;
        super::retrying_busy(|| async {
            let txn = self.store.begin_write().await?;
            let mut user = users::find(&txn, caller.user_id())
                .await?
                .ok_or(ServiceError::NotFound("user"))?;
            user.password_hash = hash.clone();
            users::save(&txn, user).await?;
            sessions::revoke_others(&txn, caller.user_id(), caller.session_token_id(), now())
                .await?;
            self.audit
                .record(
                    &txn,
                    caller.actor().stamp(AuditEntry::new(
                        "password",
                        "user",
                        Some(caller.user_id()),
                    )),
                )
                .await?;
            txn.commit().await.map_err(dcms_store::StoreError::from)?;
            Ok(())
        })
        .await
    }
}

/// A username as typed, cut to the longest an account can have, for the log and the audit.
fn excerpt(username: &str) -> String {
    username.chars().take(USERNAME_MAX_CHARS).collect()
}

/// 32 random bytes, base64url without padding.
pub fn random_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn token_digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_256_bit_base64url() {
        let s = random_secret();
        assert_eq!(s.len(), 43);
        assert!(
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_ne!(s, random_secret());
    }

    #[tokio::test]
    async fn token_hashes_use_the_light_parameters() {
        let phc = passwords::hash(random_secret(), TOKEN_COST).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{phc}");
    }
}
