//! Appointment statuses and the moves between them, and the rules of time on them: came,
//! finished and no-show are for appointments that have started; a booking in the past is
//! for a manager or an admin (docs/appointments.md, "Moves and statuses" and "Booking").

use crate::enums::code_enum;
use jiff::{SignedDuration, Timestamp};

/// How long before its start an appointment may be marked came (the patient arrived early
/// and waits) and then finished (they were seen early).
pub const EARLY_ARRIVAL: SignedDuration = SignedDuration::from_mins(30);

/// How long after an instant a booking starting then is not yet "in the past": the current
/// quarter hour of the book, so a walk-in booked for "now" (10:00 at 10:07) needs no manager.
pub const BOOKING_GRACE: SignedDuration = SignedDuration::from_mins(15);

/// Whether an appointment starting at `start_at`, booked or moved there at `now`, is booked
/// in the past: it started more than [`BOOKING_GRACE`] ago. Only a manager or an admin
/// books the past (a visit recorded afterwards).
pub fn is_past_booking(start_at: Timestamp, now: Timestamp) -> bool {
    start_at.duration_until(now) > BOOKING_GRACE
}

code_enum! {
    /// The status of an appointment.
    pub enum AppointmentStatus("appointment status") {
        /// Booked.
        Reserved = 0 => "reserved",
        /// Canceled (by the patient or the clinic).
        Canceled = 1 => "canceled",
        /// Confirmed by the patient.
        Confirmed = 2 => "confirmed",
        /// The patient did not come.
        NoShow = 3 => "no_show",
        /// The patient arrived.
        Came = 4 => "came",
        /// Treated and paid.
        Finished = 5 => "finished",
    }
}

/// A status move that the appointment state machine does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot move an appointment from {from} to {to}")]
pub struct StatusMoveError {
    /// The current status.
    pub from: AppointmentStatus,
    /// The requested status.
    pub to: AppointmentStatus,
}

/// Why a status move is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoveRefused {
    /// The state machine has no such move.
    #[error(transparent)]
    Machine(#[from] StatusMoveError),
    /// The move is for an appointment that has started, and this one has not yet.
    #[error("the appointment has not started: it can be marked {to} from {from_at} on")]
    NotStarted {
        /// The requested status.
        to: AppointmentStatus,
        /// The first instant the move is allowed.
        from_at: Timestamp,
    },
}

impl AppointmentStatus {
    /// The first instant an appointment starting at `start_at` may move to this status; None
    /// when the time does not matter. No-show is for an appointment whose start has passed;
    /// came and finished also allow for a patient who arrives up to [`EARLY_ARRIVAL`] early.
    pub fn earliest_at(self, start_at: Timestamp) -> Option<Timestamp> {
        match self {
            Self::NoShow => Some(start_at),
            Self::Came | Self::Finished => {
                Some(start_at.saturating_sub(EARLY_ARRIVAL).unwrap_or(start_at))
            }
            Self::Reserved | Self::Canceled | Self::Confirmed => None,
        }
    }

    /// The statuses an appointment in this one, starting at `start_at`, may move to at
    /// `now`: [`AppointmentStatus::allowed_moves`] less those it is too early for
    /// ([`AppointmentStatus::earliest_at`]). What the pages offer as buttons.
    pub fn allowed_moves_at(self, start_at: Timestamp, now: Timestamp) -> Vec<AppointmentStatus> {
        self.allowed_moves()
            .iter()
            .copied()
            .filter(|next| next.earliest_at(start_at).is_none_or(|from| from <= now))
            .collect()
    }

    /// `next` if an appointment in this status, starting at `start_at`, may move to it at
    /// `now`; otherwise why not (the machine first, then the time).
    pub fn move_at(
        self,
        next: AppointmentStatus,
        start_at: Timestamp,
        now: Timestamp,
    ) -> Result<AppointmentStatus, MoveRefused> {
        self.move_to(next)?;
        match next.earliest_at(start_at) {
            Some(from_at) if now < from_at => Err(MoveRefused::NotStarted { to: next, from_at }),
            _ => Ok(next),
        }
    }

    /// The statuses this one may move to (never itself), whenever the appointment is; see
    /// [`AppointmentStatus::allowed_moves_at`] for the moves at a given moment.
    pub const fn allowed_moves(self) -> &'static [AppointmentStatus] {
        use AppointmentStatus::*;
        match self {
            Reserved => &[Confirmed, Canceled, NoShow, Came],
            Confirmed => &[Canceled, NoShow, Came],
            Came => &[Finished],
            Canceled | NoShow | Finished => &[],
        }
    }

    /// Whether an appointment in this status may move to `next`.
    pub fn can_move_to(self, next: AppointmentStatus) -> bool {
        self.allowed_moves().contains(&next)
    }

    /// `next` if the move is allowed, otherwise an error naming both statuses.
    pub fn move_to(self, next: AppointmentStatus) -> Result<AppointmentStatus, StatusMoveError> {
        if self.can_move_to(next) {
            Ok(next)
        } else {
            Err(StatusMoveError {
                from: self,
                to: next,
            })
        }
    }

    /// Whether an appointment in this status occupies its doctor's and patient's time
    /// (reserved, confirmed, came): two such appointments may not overlap.
    pub const fn blocks_slot(self) -> bool {
        matches!(self, Self::Reserved | Self::Confirmed | Self::Came)
    }

    /// Whether no move leads out of this status (canceled, no-show, finished).
    pub const fn is_final(self) -> bool {
        self.allowed_moves().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::AppointmentStatus::*;
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes_and_names() {
        let all: Vec<_> = AppointmentStatus::ALL
            .iter()
            .map(|s| (s.code(), s.as_str()))
            .collect();
        assert_eq!(
            all,
            [
                (0, "reserved"),
                (1, "canceled"),
                (2, "confirmed"),
                (3, "no_show"),
                (4, "came"),
                (5, "finished")
            ]
        );
        assert_eq!(AppointmentStatus::from_code(6), None);
        assert_eq!("no_show".parse(), Ok(NoShow));
        assert_eq!(serde_json::to_string(&NoShow).unwrap(), "\"no_show\"");
        assert!("no-show".parse::<AppointmentStatus>().is_err());
    }

    #[test]
    fn the_state_machine() {
        let allowed = [
            (Reserved, Confirmed),
            (Reserved, Canceled),
            (Reserved, NoShow),
            (Reserved, Came),
            (Confirmed, Canceled),
            (Confirmed, NoShow),
            (Confirmed, Came),
            (Came, Finished),
        ];
        for &from in AppointmentStatus::ALL {
            for &to in AppointmentStatus::ALL {
                let expected = allowed.contains(&(from, to));
                assert_eq!(from.can_move_to(to), expected, "{from} -> {to}");
                assert_eq!(from.move_to(to).is_ok(), expected, "{from} -> {to}");
            }
        }
        assert_eq!(Reserved.move_to(Came), Ok(Came));
        assert!(Canceled.is_final() && NoShow.is_final() && Finished.is_final());
        assert!(!Came.is_final());
    }

    #[test]
    fn error_names_both_statuses() {
        let err = Reserved.move_to(Finished).unwrap_err();
        assert_eq!(err.from, Reserved);
        assert_eq!(err.to, Finished);
        assert_eq!(
            err.to_string(),
            "cannot move an appointment from reserved to finished"
        );
        assert_eq!(
            Came.move_to(Came).unwrap_err().to_string(),
            "cannot move an appointment from came to came"
        );
    }

    #[test]
    fn blocking_statuses() {
        let blocking: Vec<_> = AppointmentStatus::ALL
            .iter()
            .copied()
            .filter(|s| s.blocks_slot())
            .collect();
        assert_eq!(blocking, [Reserved, Confirmed, Came]);
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn moves_that_need_the_appointment_to_have_started() {
        let start = at("2030-01-07T02:00:00Z");
        let tomorrow = at("2030-01-06T02:00:00Z");
        let early = at("2030-01-07T01:40:00Z");
        let too_early = at("2030-01-07T01:29:59Z");
        let after = at("2030-01-07T02:00:00Z");
        assert_eq!(
            Reserved.allowed_moves_at(start, tomorrow),
            [Confirmed, Canceled]
        );
        assert_eq!(Confirmed.allowed_moves_at(start, too_early), [Canceled]);
        assert_eq!(
            Reserved.allowed_moves_at(start, early),
            [Confirmed, Canceled, Came]
        );
        assert_eq!(
            Reserved.allowed_moves_at(start, after),
            [Confirmed, Canceled, NoShow, Came]
        );
        assert_eq!(Came.allowed_moves_at(start, early), [Finished]);
        assert_eq!(
            Came.allowed_moves_at(start, tomorrow),
            [] as [AppointmentStatus; 0]
        );
        for &from in AppointmentStatus::ALL {
            for now in [tomorrow, too_early, early, after] {
                let moves = from.allowed_moves_at(start, now);
                assert!(moves.iter().all(|m| from.can_move_to(*m)));
                for &to in AppointmentStatus::ALL {
                    assert_eq!(
                        from.move_at(to, start, now).is_ok(),
                        moves.contains(&to),
                        "{from} -> {to} at {now}"
                    );
                }
            }
        }
        assert_eq!(
            Reserved.move_at(NoShow, start, early),
            Err(MoveRefused::NotStarted {
                to: NoShow,
                from_at: start
            })
        );
        assert_eq!(
            Reserved
                .move_at(Came, start, tomorrow)
                .unwrap_err()
                .to_string(),
            "the appointment has not started: it can be marked came from 2030-01-07T01:30:00Z on"
        );
        // The machine speaks first: finished is never a move from reserved.
        assert_eq!(
            Reserved.move_at(Finished, start, tomorrow),
            Err(MoveRefused::Machine(StatusMoveError {
                from: Reserved,
                to: Finished
            }))
        );
        assert_eq!(Reserved.move_at(Canceled, start, tomorrow), Ok(Canceled));
    }

    #[test]
    fn booking_the_past() {
        let now = at("2030-01-07T02:07:00Z");
        assert!(!is_past_booking(at("2030-01-08T02:00:00Z"), now));
        assert!(!is_past_booking(now, now));
        assert!(!is_past_booking(at("2030-01-07T02:00:00Z"), now));
        assert!(!is_past_booking(at("2030-01-07T01:52:00Z"), now));
        assert!(is_past_booking(at("2030-01-07T01:51:59Z"), now));
        assert!(is_past_booking(at("2029-12-31T02:00:00Z"), now));
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in ".*") {
            let _ = s.parse::<AppointmentStatus>();
        }

        #[test]
        fn display_parse_round_trip(i in 0..AppointmentStatus::ALL.len()) {
            let status = AppointmentStatus::ALL[i];
            prop_assert_eq!(status.to_string().parse::<AppointmentStatus>(), Ok(status));
            prop_assert_eq!(AppointmentStatus::from_code(status.code()), Some(status));
        }
    }
}
