//! Logging in and out, sessions, and who is calling.
//!
//! A session token is `<session_token_id>.<secret>`, the secret 32 random bytes in base64url.
//! Only an Argon2id hash of the secret is stored, with light parameters (a 256-bit random
//! secret needs no memory-hard cost), so refusing a flood of forged tokens stays cheap. Every
//! request reads its session row by primary key, so a revocation takes effect at once on every
//! server; the result of the hash check is cached in memory, keyed by the SHA-256 of the whole
//! token.

use super::audit::AuditTrail;
use super::{FieldError, ServiceError, passwords};
use crate::config::{Config, PasswordCost};
use base64::Engine;
use dcms_domain::{Principal, Role, SessionType};
use dcms_store::audit::AuditEntry;
use dcms_store::entity::{session_token, user};
use dcms_store::time::{from_db, now, to_db};
use dcms_store::{Store, sessions, users};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;
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
/// The throttle's key for logins with an oversized username or password.
const OVERSIZED_KEY: &str = "\u{0}oversized";

/// Limits on login attempts (domain.md, session_token).
#[derive(Debug, Clone)]
pub struct LoginLimits {
    /// Failures in a row after which a username is locked out.
    pub failures_before_lockout: u32,
    /// First lock-out period; it doubles with every further failure, up to `max_lockout`.
    pub lockout: Duration,
    pub max_lockout: Duration,
    /// Failures from one client address within `address_window` beyond which it gets 429.
    pub address_failures: usize,
    pub address_window: Duration,
    /// Logins hashed at the same time; more wait up to `queue_wait`, then get 503.
    pub concurrent: usize,
    pub queue_wait: Duration,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            failures_before_lockout: 10,
            lockout: Duration::from_secs(60),
            max_lockout: Duration::from_secs(3600),
            address_failures: 100,
            address_window: Duration::from_secs(600),
            concurrent: 4,
            queue_wait: Duration::from_secs(5),
        }
    }
}

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

#[derive(Debug, Default)]
struct UsernameFailures {
    in_a_row: u32,
    locked_until: Option<jiff::Timestamp>,
}

#[derive(Debug, Default)]
struct Throttle {
    by_username: HashMap<String, UsernameFailures>,
    by_address: HashMap<IpAddr, VecDeque<jiff::Timestamp>>,
}

/// Sessions and logins.
pub struct Auth {
    store: Store,
    audit: AuditTrail,
    password_cost: PasswordCost,
    limits: LoginLimits,
    /// A hash to verify against when the username is unknown, so the answer takes as long.
    dummy_hash: String,
    verified: Mutex<HashMap<[u8; 32], i64>>,
    throttle: Mutex<Throttle>,
    login_slots: Semaphore,
}

fn seconds(d: jiff::SignedDuration) -> u64 {
    d.as_secs().max(1) as u64
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
            limits: config.login.clone(),
            dummy_hash,
            verified: Mutex::new(HashMap::new()),
            throttle: Mutex::new(Throttle::default()),
            login_slots: Semaphore::new(config.login.concurrent.max(1)),
        })
    }

    pub fn password_cost(&self) -> PasswordCost {
        self.password_cost
    }

    /// Refuses with 429 when the username or the client address is throttled.
    fn check_throttle(&self, key: &str, client: Option<IpAddr>) -> Result<(), ServiceError> {
        let now = jiff::Timestamp::now();
        let mut t = self.throttle.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(f) = t.by_username.get(key)
            && let Some(until) = f.locked_until
            && until > now
        {
            return Err(ServiceError::TooManyAttempts {
                retry_after: seconds(until.duration_since(now)),
            });
        }
        if let Some(ip) = client
            && let Some(times) = t.by_address.get_mut(&ip)
        {
            let window = jiff::SignedDuration::try_from(self.limits.address_window)
                .unwrap_or(jiff::SignedDuration::from_secs(600));
            while times
                .front()
                .is_some_and(|first| now.duration_since(*first) > window)
            {
                times.pop_front();
            }
            if times.len() > self.limits.address_failures
                && let Some(first) = times.front()
            {
                let retry = window - now.duration_since(*first);
                return Err(ServiceError::TooManyAttempts {
                    retry_after: seconds(retry),
                });
            }
        }
        Ok(())
    }

    fn record_failure(&self, key: &str, client: Option<IpAddr>) {
        let now = jiff::Timestamp::now();
        let mut t = self.throttle.lock().unwrap_or_else(|e| e.into_inner());
        if t.by_username.len() > 100_000 {
            t.by_username
                .retain(|_, f| f.locked_until.is_some_and(|until| until > now));
        }
        let f = t.by_username.entry(key.to_owned()).or_default();
        f.in_a_row = f.in_a_row.saturating_add(1);
        if f.in_a_row >= self.limits.failures_before_lockout {
            let doublings = (f.in_a_row - self.limits.failures_before_lockout).min(16);
            let lock = self
                .limits
                .lockout
                .saturating_mul(1u32 << doublings)
                .min(self.limits.max_lockout);
            f.locked_until = jiff::SignedDuration::try_from(lock)
                .ok()
                .and_then(|d| now.checked_add(d).ok());
        }
        if let Some(ip) = client {
            if t.by_address.len() > 100_000 {
                t.by_address.clear();
            }
            let times = t.by_address.entry(ip).or_default();
            times.push_back(now);
            if times.len() > self.limits.address_failures * 2 {
                times.pop_front();
            }
        }
    }

    fn record_success(&self, key: &str) {
        let mut t = self.throttle.lock().unwrap_or_else(|e| e.into_inner());
        t.by_username.remove(key);
    }

    /// Checks a username and password and opens a session.
    pub async fn login(&self, request: LoginRequest) -> Result<NewSession, ServiceError> {
        if request.username.chars().count() > USERNAME_MAX_CHARS
            || request.password.chars().count() > passwords::MAX_PASSWORD_CHARS
        {
            // No account can have such a name or password: answered as a wrong password,
            // without hashing it or keeping the oversized name in the throttle's memory.
            self.check_throttle(OVERSIZED_KEY, request.client)?;
            self.record_failure(OVERSIZED_KEY, request.client);
            return Err(ServiceError::Unauthenticated);
        }
        let key = dcms_domain::username_key(&request.username);
        self.check_throttle(&key, request.client)?;
        let _slot = tokio::time::timeout(self.limits.queue_wait, self.login_slots.acquire())
            .await
            .map_err(|_| ServiceError::Busy)?
            .map_err(|_| ServiceError::Busy)?;

        let found = users::find_by_username(self.store.connection(), &request.username).await?;
        let hash = found
            .as_ref()
            .map(|u| u.password_hash.clone())
            .unwrap_or_else(|| self.dummy_hash.clone());
        let password_ok = passwords::verify(request.password, hash).await;
        let user = match found {
            Some(user) if password_ok && user.disabled_at.is_none() => user,
            _ => {
                self.record_failure(&key, request.client);
                return Err(ServiceError::Unauthenticated);
            }
        };
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
        self.record_success(&key);

        let device_name = request
            .device_name
            .map(|d| d.trim().chars().take(255).collect::<String>())
            .filter(|d| !d.is_empty());
        let secret = random_secret();
        let token_hash = passwords::hash(secret.clone(), TOKEN_COST).await?;
        let now_ts = jiff::Timestamp::now();
        let expires = now_ts
            .checked_add(session_type.max_lifetime())
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let txn = self.store.begin_write().await?;
        let session = sessions::create(
            &txn,
            sessions::NewSession {
                user_id: user.user_id,
                session_type: session_type.code(),
                token_hash,
                device_name,
                now: to_db(now_ts),
                expires_at: to_db(expires),
            },
        )
        .await?;
        let actor = super::Actor {
            user_id: Some(user.user_id),
            session_token_id: Some(session.session_token_id),
            employee_id: None,
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
        let token = format!("{}.{secret}", session.session_token_id);
        self.remember(&token, session.session_token_id);
        Ok(NewSession {
            token,
            session,
            user,
        })
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
    /// revoked, expired, idle too long, disabled user).
    pub async fn authenticate(&self, token: &str) -> Result<Caller, ServiceError> {
        let (id, secret) = token.split_once('.').ok_or(ServiceError::Unauthenticated)?;
        let id: i64 = id.parse().map_err(|_| ServiceError::Unauthenticated)?;
        if secret.is_empty() || secret.len() > 128 {
            return Err(ServiceError::Unauthenticated);
        }
        let sessions::SignedIn {
            session,
            user,
            patient_id,
            employee_id,
        } = sessions::find_with_user(self.store.connection(), id)
            .await?
            .ok_or(ServiceError::Unauthenticated)?;
        let now_ts = jiff::Timestamp::now();
        let session_type =
            SessionType::from_code(session.session_type).ok_or(ServiceError::Unauthenticated)?;
        let role = Role::from_code(user.roles).ok_or(ServiceError::Unauthenticated)?;
        let last_seen = from_db(session.last_seen_at);
        let idle = now_ts.duration_since(last_seen);
        if session.revoked_at.is_some()
            || user.disabled_at.is_some()
            || from_db(session.expires_at) <= now_ts
            || idle > session_type.idle_timeout()
        {
            return Err(ServiceError::Unauthenticated);
        }
        if !self.is_remembered(token, id) {
            let ok = passwords::verify(secret.to_owned(), session.session_token_hash.clone()).await;
            if !ok {
                return Err(ServiceError::Unauthenticated);
            }
            self.remember(token, id);
        }
        if idle >= TOUCH_EVERY {
            sessions::touch(self.store.connection(), id, now()).await?;
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

    /// Ends the caller's session.
    pub async fn logout(&self, caller: &Caller) -> Result<(), ServiceError> {
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
    }

    /// Changes the caller's password after checking the current one; revokes their other
    /// sessions.
    pub async fn change_password(
        &self,
        caller: &Caller,
        current: String,
        new_password: String,
    ) -> Result<(), ServiceError> {
        passwords::validate_new_password(&new_password, "new_password")?;
        if !passwords::verify(current, caller.user.password_hash.clone()).await {
            return Err(ServiceError::invalid_coded(FieldError::coded(
                "current_password",
                "wrong-current-password",
                "is not your current password",
            )));
        }
        let hash = passwords::hash(new_password, self.password_cost).await?;
        let txn = self.store.begin_write().await?;
        let mut user = users::find(&txn, caller.user_id())
            .await?
            .ok_or(ServiceError::NotFound("user"))?;
        user.password_hash = hash;
        users::save(&txn, user).await?;
        sessions::revoke_others(&txn, caller.user_id(), caller.session_token_id(), now()).await?;
        self.audit
            .record(
                &txn,
                caller
                    .actor()
                    .stamp(AuditEntry::new("password", "user", Some(caller.user_id()))),
            )
            .await?;
        txn.commit().await.map_err(dcms_store::StoreError::from)?;
        Ok(())
    }
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
