//! Appointment statuses and the moves between them.

use crate::enums::code_enum;

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

impl AppointmentStatus {
    /// The statuses this one may move to (never itself).
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
