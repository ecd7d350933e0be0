//! The front desk's rules (domain.md "Doctors' hours, chairs, recall, arrivals, requests from
//! the portal"): a doctor's hours on a date from the clinic's opening hours, the doctor's
//! weekly template and the date's exceptions; the free start times in those hours; the
//! states of recalls and of the portal's appointment requests.
//!
//! Times of day are whole minutes since local midnight (`0..=1440`), intervals half-open
//! `[start, end)`.

use crate::enums::code_enum;
use jiff::civil::Time;

/// Minutes since local midnight, `0..=1440`.
pub type Minute = u16;

/// An interval of local time, `[start, end)`.
pub type Span = (Minute, Minute);

/// Minutes in a day (the end of the last interval a day may have).
pub const DAY_MINUTES: Minute = 1440;

/// Free slots start at local times that are multiples of this many minutes.
pub const SLOT_STEP: Minute = 15;

/// The minute of a time of day.
pub fn minute_of(t: Time) -> Minute {
    // 0..=1439 by construction of Time.
    (t.hour() as u16) * 60 + t.minute() as u16
}

/// `HH:MM` of a minute (`24:00` for the end of the day).
pub fn minute_text(m: Minute) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// Parses `HH:MM` (`00:00` to `24:00`) to a minute.
pub fn parse_minute(s: &str) -> Option<Minute> {
    if s == "24:00" {
        return Some(DAY_MINUTES);
    }
    crate::parse_hhmm(s).map(minute_of)
}

code_enum! {
    /// Why a doctor's hours differ on a date.
    pub enum ExceptionKind("exception kind") {
        /// A day (or hours) off.
        Off = 1 => "off",
        Vacation = 2 => "vacation",
        Sick = 3 => "sick",
        /// Hours worked beyond the template (hours required).
        Extra = 4 => "extra",
    }
}

impl ExceptionKind {
    /// Whether the exception takes hours away (every kind but extra).
    pub const fn removes(self) -> bool {
        !matches!(self, Self::Extra)
    }
}

/// One exception of a date, as the hours computation needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayException {
    pub kind: ExceptionKind,
    /// None: the whole day (not for extra).
    pub hours: Option<Span>,
}

/// Sorts intervals and merges those that overlap or touch; empty ones are dropped.
pub fn merge(mut spans: Vec<Span>) -> Vec<Span> {
    spans.retain(|(s, e)| s < e);
    spans.sort_unstable();
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

/// The parts of `spans` (merged) outside `cut`.
pub fn subtract(spans: &[Span], cut: Span) -> Vec<Span> {
    let mut out = Vec::with_capacity(spans.len() + 1);
    for &(s, e) in spans {
        if cut.1 <= s || e <= cut.0 {
            out.push((s, e));
            continue;
        }
        if s < cut.0 {
            out.push((s, cut.0));
        }
        if cut.1 < e {
            out.push((cut.1, e));
        }
    }
    out
}

/// The parts of `spans` inside `within` (both merged).
pub fn intersect(spans: &[Span], within: &[Span]) -> Vec<Span> {
    let mut out = Vec::new();
    for &(s, e) in spans {
        for &(ws, we) in within {
            let (a, b) = (s.max(ws), e.min(we));
            if a < b {
                out.push((a, b));
            }
        }
    }
    merge(out)
}

/// A doctor's working hours on one date: the weekly template's intervals of that weekday
/// within the clinic's opening hours (`template: None`, a doctor without a template, works
/// the opening hours), less every off, vacation or sick exception (the whole day, or the hours
/// it gives), plus every extra exception's hours (which may lie outside the opening hours: a
/// doctor may come in on a closed day). Sorted and merged.
pub fn working_hours(
    opening: &[Span],
    template: Option<&[Span]>,
    exceptions: &[DayException],
) -> Vec<Span> {
    let opening = merge(opening.to_vec());
    let mut hours = match template {
        None => opening,
        Some(template) => intersect(&merge(template.to_vec()), &opening),
    };
    for exception in exceptions.iter().filter(|x| x.kind.removes()) {
        hours = match exception.hours {
            None => Vec::new(),
            Some(cut) => subtract(&hours, cut),
        };
    }
    for exception in exceptions.iter().filter(|x| !x.kind.removes()) {
        if let Some(extra) = exception.hours {
            hours.push(extra);
        }
    }
    merge(hours)
}

/// Whether `[start, start + minutes)` lies inside one of `hours` (merged).
pub fn fits(hours: &[Span], start: Minute, minutes: u16) -> bool {
    let end = u32::from(start) + u32::from(minutes);
    hours
        .iter()
        .any(|&(s, e)| s <= start && end <= u32::from(e))
}

/// The start minutes, multiples of [`SLOT_STEP`], at which `minutes` fit inside `hours`.
pub fn slot_starts(hours: &[Span], minutes: u16) -> Vec<Minute> {
    let mut starts = Vec::new();
    for &(s, e) in hours {
        let mut m = s.div_ceil(SLOT_STEP) * SLOT_STEP;
        while u32::from(m) + u32::from(minutes) <= u32::from(e) {
            starts.push(m);
            m += SLOT_STEP;
        }
    }
    starts
}

code_enum! {
    /// Where a recall stands.
    pub enum RecallState("recall state") {
        /// Waiting to be booked (overdue once its date has passed).
        Due = 1 => "due",
        /// An appointment was booked for it.
        Booked = 2 => "booked",
        /// The patient or the clinic stopped it.
        Stopped = 3 => "stopped",
    }
}

code_enum! {
    /// How the clinic contacted a patient about a recall.
    pub enum ContactChannel("contact channel") {
        Sms = 1 => "sms",
        Call = 2 => "call",
    }
}

code_enum! {
    /// Where a patient's appointment request stands.
    pub enum RequestStatus("request status") {
        /// Waiting for reception.
        Open = 1 => "open",
        /// Reception booked an appointment for it.
        Booked = 2 => "booked",
        /// Reception declined it, with a reason.
        Declined = 3 => "declined",
    }
}

/// Most open appointment requests a patient may have at once (more is 429).
pub const OPEN_REQUESTS_MAX: usize = 3;

/// Most recall months a service may carry.
pub const RECALL_MONTHS_MAX: i32 = 60;

#[cfg(test)]
mod tests {
    use super::*;

    const OFF_DAY: DayException = DayException {
        kind: ExceptionKind::Vacation,
        hours: None,
    };

    #[test]
    fn no_template_works_the_opening_hours() {
        assert_eq!(
            working_hours(&[(540, 780), (840, 1080)], None, &[]),
            vec![(540, 780), (840, 1080)]
        );
    }

    #[test]
    fn a_template_is_held_within_the_opening_hours() {
        assert_eq!(
            working_hours(&[(540, 1080)], Some(&[(480, 600), (900, 1200)]), &[]),
            vec![(540, 600), (900, 1080)]
        );
        assert!(working_hours(&[(540, 1080)], Some(&[]), &[]).is_empty());
    }

    #[test]
    fn exceptions_take_away_then_add() {
        let hours = [(540, 1080)];
        assert!(working_hours(&hours, None, &[OFF_DAY]).is_empty());
        let afternoon_off = DayException {
            kind: ExceptionKind::Off,
            hours: Some((780, 1080)),
        };
        assert_eq!(
            working_hours(&hours, None, &[afternoon_off]),
            vec![(540, 780)]
        );
        let extra = DayException {
            kind: ExceptionKind::Extra,
            hours: Some((1080, 1200)),
        };
        assert_eq!(
            working_hours(&hours, None, &[extra, OFF_DAY]),
            vec![(1080, 1200)]
        );
        assert_eq!(
            working_hours(&hours, None, &[extra]),
            vec![(540, 1200)],
            "touching hours merge"
        );
    }

    #[test]
    fn slots_start_on_the_step_and_fit() {
        assert_eq!(slot_starts(&[(545, 620)], 30), vec![555, 570, 585]);
        assert!(fits(&[(540, 600)], 570, 30));
        assert!(!fits(&[(540, 600)], 585, 30));
        assert!(slot_starts(&[(540, 560)], 30).is_empty());
    }

    #[test]
    fn minutes_read_and_write() {
        assert_eq!(parse_minute("09:30"), Some(570));
        assert_eq!(parse_minute("24:00"), Some(1440));
        assert_eq!(parse_minute("24:01"), None);
        assert_eq!(minute_text(1440), "24:00");
    }
}
