//! Throttling of password guesses: at logins and at password changes (docs/operations.md,
//! "Limits that protect the server"). An attempt is *counted before its password is checked*: [`Throttle::begin`]
//! refuses (429) or reserves the attempt as a failure at once, under one lock, so however many
//! requests arrive at the same moment, at most the limit are ever evaluated in a window. A
//! success gives its reservation back ([`Attempt::succeeded`]).
//!
//! - A username: after `failures_before_lockout` failures in a row it is locked for `lockout`,
//!   doubling with every further failure up to `max_lockout`; a success resets the count.
//! - A client address: at most `address_failures` failures within `address_window` (a whole
//!   clinic shares one address, so this limit is high); successes do not count.

use super::ServiceError;
use jiff::{SignedDuration, Timestamp};
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

/// Limits on password attempts.
#[derive(Debug, Clone)]
pub struct LoginLimits {
    /// Failures in a row after which a username is locked out.
    pub failures_before_lockout: u32,
    /// First lock-out period; it doubles with every further failure, up to `max_lockout`.
    pub lockout: Duration,
    pub max_lockout: Duration,
    /// Failures from one client address within `address_window` after which it gets 429.
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

/// What a lock-out that an attempt started applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockedScope {
    Username,
    Address,
}

impl LockedScope {
    pub fn as_str(self) -> &'static str {
        match self {
            LockedScope::Username => "username",
            LockedScope::Address => "address",
        }
    }
}

/// A lock-out that began with a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lockout {
    pub scope: LockedScope,
    /// Seconds until attempts are taken again.
    pub seconds: u64,
}

#[derive(Debug, Default)]
struct UsernameFailures {
    in_a_row: u32,
    locked_until: Option<Timestamp>,
}

#[derive(Debug, Default)]
struct State {
    by_username: HashMap<String, UsernameFailures>,
    by_address: HashMap<IpAddr, VecDeque<Timestamp>>,
}

/// Counts of failed password attempts, in memory (a restart forgets them).
#[derive(Debug)]
pub struct Throttle {
    limits: LoginLimits,
    state: Mutex<State>,
}

/// An attempt counted as a failure until it is known to have succeeded.
#[must_use = "an attempt is settled with `succeeded` or `failed`"]
#[derive(Debug)]
pub struct Attempt<'a> {
    throttle: &'a Throttle,
    key: String,
    client: Option<IpAddr>,
    at: Timestamp,
    /// The lock-outs this attempt's reservation began (reported if it fails).
    began: Option<Lockout>,
}

fn seconds(d: SignedDuration) -> u64 {
    d.as_secs().max(1) as u64
}

fn signed(d: Duration) -> SignedDuration {
    SignedDuration::try_from(d).unwrap_or(SignedDuration::from_hours(1))
}

impl Throttle {
    pub fn new(limits: LoginLimits) -> Throttle {
        Throttle {
            limits,
            state: Mutex::new(State::default()),
        }
    }

    pub fn limits(&self) -> &LoginLimits {
        &self.limits
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Refuses (429 with the seconds to wait) when the username or the address is locked
    /// out, without counting anything: the cheap check before waiting for a hashing slot.
    pub fn check(&self, key: &str, client: Option<IpAddr>) -> Result<(), ServiceError> {
        let now = Timestamp::now();
        let mut state = self.lock();
        self.refusal(&mut state, key, client, now)
    }

    fn refusal(
        &self,
        state: &mut State,
        key: &str,
        client: Option<IpAddr>,
        now: Timestamp,
    ) -> Result<(), ServiceError> {
        if let Some(until) = state.by_username.get(key).and_then(|f| f.locked_until)
            && until > now
        {
            return Err(ServiceError::TooManyAttempts {
                retry_after: seconds(until.duration_since(now)),
            });
        }
        if let Some(ip) = client
            && let Some(times) = state.by_address.get_mut(&ip)
        {
            let window = signed(self.limits.address_window);
            while times
                .front()
                .is_some_and(|first| now.duration_since(*first) >= window)
            {
                times.pop_front();
            }
            if times.len() >= self.limits.address_failures
                && let Some(first) = times.front()
            {
                return Err(ServiceError::TooManyAttempts {
                    retry_after: seconds(window - now.duration_since(*first)),
                });
            }
        }
        Ok(())
    }

    /// Refuses (429) like [`Throttle::check`], or counts the attempt as a failure now and
    /// lets its password be checked.
    pub fn begin(&self, key: &str, client: Option<IpAddr>) -> Result<Attempt<'_>, ServiceError> {
        let now = Timestamp::now();
        let mut state = self.lock();
        self.refusal(&mut state, key, client, now)?;
        let mut began = None;
        if state.by_username.len() > 100_000 {
            state
                .by_username
                .retain(|_, f| f.locked_until.is_some_and(|until| until > now));
        }
        let failures = state.by_username.entry(key.to_owned()).or_default();
        failures.in_a_row = failures.in_a_row.saturating_add(1);
        if failures.in_a_row >= self.limits.failures_before_lockout {
            let doublings = (failures.in_a_row - self.limits.failures_before_lockout).min(16);
            let lock = self
                .limits
                .lockout
                .saturating_mul(1u32 << doublings)
                .min(self.limits.max_lockout);
            let lock = signed(lock);
            failures.locked_until = now.checked_add(lock).ok();
            began = Some(Lockout {
                scope: LockedScope::Username,
                seconds: seconds(lock),
            });
        }
        if let Some(ip) = client {
            if state.by_address.len() > 100_000 {
                state.by_address.clear();
            }
            let times = state.by_address.entry(ip).or_default();
            times.push_back(now);
            if times.len() >= self.limits.address_failures && began.is_none() {
                began = Some(Lockout {
                    scope: LockedScope::Address,
                    seconds: seconds(signed(self.limits.address_window)),
                });
            }
        }
        Ok(Attempt {
            throttle: self,
            key: key.to_owned(),
            client,
            at: now,
            began,
        })
    }
}

impl Attempt<'_> {
    /// The password was right: the username's count starts afresh and this attempt no
    /// longer counts against the address.
    pub fn succeeded(self) {
        let mut state = self.throttle.lock();
        state.by_username.remove(&self.key);
        if let Some(ip) = self.client
            && let Some(times) = state.by_address.get_mut(&ip)
            && let Some(i) = times.iter().rposition(|t| *t == self.at)
        {
            times.remove(i);
        }
    }

    /// The password was wrong: the attempt stays counted. Returns the lock-out it began, if
    /// any.
    pub fn failed(self) -> Option<Lockout> {
        self.began
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle(failures: u32, address_failures: usize) -> Throttle {
        Throttle::new(LoginLimits {
            failures_before_lockout: failures,
            address_failures,
            ..LoginLimits::default()
        })
    }

    fn ip(last: u8) -> Option<IpAddr> {
        Some(IpAddr::from([10, 0, 0, last]))
    }

    #[test]
    fn attempts_in_flight_count_before_they_are_checked() {
        let t = throttle(10, 1000);
        // Twenty at once: each reserved before any is settled.
        let mut taken = Vec::new();
        let mut refused = 0;
        for _ in 0..20 {
            match t.begin("bat", ip(1)) {
                Ok(a) => taken.push(a),
                Err(ServiceError::TooManyAttempts { retry_after }) => {
                    assert!((1..=60).contains(&retry_after));
                    refused += 1;
                }
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(taken.len(), 10);
        assert_eq!(refused, 10);
        let lockouts: Vec<_> = taken.into_iter().filter_map(Attempt::failed).collect();
        assert_eq!(
            lockouts,
            [Lockout {
                scope: LockedScope::Username,
                seconds: 60
            }]
        );
        assert!(t.check("bat", None).is_err());
        assert!(t.check("other", ip(1)).is_ok());
    }

    #[test]
    fn a_success_resets_the_username_and_gives_the_address_back() {
        let t = throttle(3, 3);
        t.begin("a", ip(1)).unwrap().failed();
        t.begin("a", ip(1)).unwrap().failed();
        t.begin("a", ip(1)).unwrap().succeeded();
        // The username starts afresh; the address holds two failures.
        t.begin("a", ip(2)).unwrap().failed();
        t.begin("a", ip(2)).unwrap().failed();
        assert!(t.check("a", None).is_ok());
        // The third failure from address 1 fills it.
        let last = t.begin("b", ip(1)).unwrap().failed();
        assert_eq!(last.map(|l| l.scope), Some(LockedScope::Address));
        assert!(matches!(
            t.begin("c", ip(1)),
            Err(ServiceError::TooManyAttempts { .. })
        ));
        assert!(t.begin("c", ip(3)).is_ok());
    }

    #[test]
    fn lockouts_double_after_the_limit() {
        let t = Throttle::new(LoginLimits {
            failures_before_lockout: 1,
            lockout: Duration::from_secs(60),
            max_lockout: Duration::from_secs(200),
            ..LoginLimits::default()
        });
        let first = t.begin("x", None).unwrap().failed().unwrap();
        assert_eq!(first.seconds, 60);
        // Let the lock pass, then fail again: twice as long, capped.
        t.lock().by_username.get_mut("x").unwrap().locked_until = None;
        assert_eq!(t.begin("x", None).unwrap().failed().unwrap().seconds, 120);
        t.lock().by_username.get_mut("x").unwrap().locked_until = None;
        assert_eq!(t.begin("x", None).unwrap().failed().unwrap().seconds, 200);
    }
}
