//! How long sessions last: per session type, how long one may stay unused (idle) and how
//! long it may live at most, however often it is used. Clinic settings with safe defaults:
//! a staff session (a browser at the front desk, often shared) idles out after an hour and
//! ends after a working day; DCMS HQ and the patient portal, used from afar and now and
//! then, idle out after a day and end after 30 days.

use crate::enums::SessionType;
use jiff::SignedDuration;

/// Idle minutes and lifetime hours allowed in the settings.
pub const IDLE_MINUTES_RANGE: std::ops::RangeInclusive<i64> = 5..=7 * 24 * 60;
pub const MAX_HOURS_RANGE: std::ops::RangeInclusive<i64> = 1..=90 * 24;

/// The two limits of one session type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimit {
    /// Minutes a session may stay unused.
    pub idle_minutes: i64,
    /// Hours a session may live at most.
    pub max_hours: i64,
}

impl SessionLimit {
    /// Checks both limits: idle within [`IDLE_MINUTES_RANGE`], lifetime within
    /// [`MAX_HOURS_RANGE`], and the idle time no longer than the lifetime. The error names
    /// the limit (`idle_minutes` or `max_hours`) and says why.
    pub fn new(idle_minutes: i64, max_hours: i64) -> Result<SessionLimit, (&'static str, String)> {
        if !IDLE_MINUTES_RANGE.contains(&idle_minutes) {
            return Err((
                "idle_minutes",
                format!(
                    "must be {} to {} minutes",
                    IDLE_MINUTES_RANGE.start(),
                    IDLE_MINUTES_RANGE.end()
                ),
            ));
        }
        if !MAX_HOURS_RANGE.contains(&max_hours) {
            return Err((
                "max_hours",
                format!(
                    "must be {} to {} hours",
                    MAX_HOURS_RANGE.start(),
                    MAX_HOURS_RANGE.end()
                ),
            ));
        }
        if idle_minutes > max_hours * 60 {
            return Err((
                "idle_minutes",
                "must not be longer than the session's whole lifetime".to_owned(),
            ));
        }
        Ok(SessionLimit {
            idle_minutes,
            max_hours,
        })
    }

    pub fn idle(self) -> SignedDuration {
        SignedDuration::from_mins(self.idle_minutes)
    }

    pub fn lifetime(self) -> SignedDuration {
        SignedDuration::from_hours(self.max_hours)
    }
}

/// The limits of every session type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    pub staff: SessionLimit,
    pub hq: SessionLimit,
    pub patient: SessionLimit,
}

impl Default for SessionLimits {
    fn default() -> Self {
        SessionLimits {
            staff: SessionLimit {
                idle_minutes: 60,
                max_hours: 12,
            },
            hq: SessionLimit {
                idle_minutes: 24 * 60,
                max_hours: 30 * 24,
            },
            patient: SessionLimit {
                idle_minutes: 24 * 60,
                max_hours: 30 * 24,
            },
        }
    }
}

impl SessionLimits {
    /// The limits of one session type.
    pub fn of(&self, session_type: SessionType) -> SessionLimit {
        match session_type {
            SessionType::UserPortal => self.staff,
            SessionType::Hq => self.hq,
            SessionType::PatientWeb => self.patient,
        }
    }

    /// Why a session created at `created_at`, last used at `last_seen_at` and stored to
    /// expire at `expires_at` has ended by `now`, if it has: the lifetime is judged against
    /// both the expiry written at login and today's setting (so a shorter lifetime applies
    /// at once to sessions already open).
    pub fn ended(
        &self,
        session_type: SessionType,
        created_at: jiff::Timestamp,
        last_seen_at: jiff::Timestamp,
        expires_at: jiff::Timestamp,
        now: jiff::Timestamp,
    ) -> Option<SessionEnd> {
        let limit = self.of(session_type);
        let lived_out = expires_at <= now
            || created_at
                .checked_add(limit.lifetime())
                .is_ok_and(|end| end <= now);
        if lived_out {
            Some(SessionEnd::Expired)
        } else if now.duration_since(last_seen_at) > limit.idle() {
            Some(SessionEnd::Idle)
        } else {
            None
        }
    }
}

/// Why a session ended by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// It reached its whole lifetime.
    Expired,
    /// It was not used for longer than its idle limit.
    Idle,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> jiff::Timestamp {
        jiff::Timestamp::from_second(1_800_000_000 + minutes * 60).unwrap()
    }

    #[test]
    fn defaults_are_the_safer_ones() {
        let d = SessionLimits::default();
        assert_eq!(
            d.of(SessionType::UserPortal).idle(),
            SignedDuration::from_mins(60)
        );
        assert_eq!(
            d.of(SessionType::UserPortal).lifetime(),
            SignedDuration::from_hours(12)
        );
        for t in [SessionType::Hq, SessionType::PatientWeb] {
            assert_eq!(d.of(t).idle(), SignedDuration::from_hours(24));
            assert_eq!(d.of(t).lifetime(), SignedDuration::from_hours(720));
        }
    }

    #[test]
    fn idle_and_lifetime_end_a_session() {
        let d = SessionLimits::default();
        let staff = SessionType::UserPortal;
        let far = at(100_000);
        assert_eq!(d.ended(staff, at(0), at(0), far, at(60)), None);
        assert_eq!(
            d.ended(staff, at(0), at(0), far, at(61)),
            Some(SessionEnd::Idle)
        );
        // Used all along, it still ends after 12 hours, whatever the stored expiry says.
        assert_eq!(
            d.ended(staff, at(0), at(12 * 60 - 1), far, at(12 * 60)),
            Some(SessionEnd::Expired)
        );
        assert_eq!(
            d.ended(staff, at(0), at(10), at(20), at(20)),
            Some(SessionEnd::Expired)
        );
    }

    #[test]
    fn limits_are_checked() {
        assert!(SessionLimit::new(60, 12).is_ok());
        assert_eq!(SessionLimit::new(4, 12).unwrap_err().0, "idle_minutes");
        assert_eq!(SessionLimit::new(60, 0).unwrap_err().0, "max_hours");
        assert_eq!(SessionLimit::new(60, 2161).unwrap_err().0, "max_hours");
        assert_eq!(SessionLimit::new(121, 2).unwrap_err().0, "idle_minutes");
    }
}
