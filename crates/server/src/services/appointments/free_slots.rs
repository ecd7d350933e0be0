//! A doctor's free start times on a day, for the requested duration.

use super::{MAX_MINUTES, SLOT_STEP_MINUTES};
use crate::services::{FieldError, ServiceError, settings, staff};
use dcms_store::Store;
use dcms_store::schedule as repo;
use dcms_store::time::{from_db, to_db};
use jiff::{Timestamp, ToSpan, Zoned};

// --- free slots ----------------------------------------------------------------------------

/// The start times, in the clinic's time zone, at which the doctor could see someone for
/// `duration_minutes` on `date`: every [`SLOT_STEP_MINUTES`] minutes of local time from
/// the start of each opening interval of that weekday (rounded up to a multiple of the
/// step), such that the whole duration fits in that one interval, overlaps none of the
/// doctor's blocking appointments, and does not start in the past. Times are stepped as
/// instants (`Zoned` arithmetic), so a day with a DST change gets the slots it really has.
/// An unknown employee is 404; one who may not be a doctor is 422 on `doctor_id`.
pub async fn free_slots(
    store: &Store,
    doctor_id: i64,
    date: jiff::civil::Date,
    duration_minutes: i64,
) -> Result<Vec<Zoned>, ServiceError> {
    if !(1..=MAX_MINUTES).contains(&duration_minutes) {
        return Err(ServiceError::invalid_coded(
            FieldError::coded(
                "duration_minutes",
                "duration",
                format!("must be from 1 to {MAX_MINUTES} minutes"),
            )
            .arg("max", MAX_MINUTES),
        ));
    }
    if dcms_store::staff::find(store.connection(), doctor_id)
        .await?
        .is_none()
    {
        return Err(ServiceError::NotFound("doctor"));
    }
    staff::check_doctor(store.connection(), doctor_id, "doctor_id").await?;
    let clinic = settings::get(store).await?;
    let tz = clinic.time_zone();
    let intervals = clinic.opening_hours.intervals(date.weekday());
    let local = |time: jiff::civil::Time| -> Result<Zoned, ServiceError> {
        date.to_datetime(time)
            .to_zoned(tz.clone())
            .map_err(|e| ServiceError::Internal(format!("opening hours on {date}: {e}")))
    };
    let mut windows = Vec::with_capacity(intervals.len());
    for &(open, close) in intervals {
        let minute = i64::from(open.hour()) * 60 + i64::from(open.minute());
        let late = (SLOT_STEP_MINUTES - minute % SLOT_STEP_MINUTES) % SLOT_STEP_MINUTES;
        let first = local(open)?
            .checked_add(late.minutes())
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        windows.push((first, local(close)?));
    }
    let (Some(day_from), Some(day_to)) = (
        windows.first().map(|w| w.0.timestamp()),
        windows.last().map(|w| w.1.timestamp()),
    ) else {
        return Ok(Vec::new());
    };
    let busy: Vec<(Timestamp, Timestamp)> = repo::blocking_of_doctor(
        store.connection(),
        doctor_id,
        to_db(day_from),
        to_db(day_to),
    )
    .await?
    .into_iter()
    .map(|a| (from_db(a.start_at), from_db(a.end_at)))
    .collect();
    let current = Timestamp::now();
    let duration = duration_minutes.minutes();
    let step = SLOT_STEP_MINUTES.minutes();
    let mut slots = Vec::new();
    for (first, close) in windows {
        let mut start = first;
        loop {
            let Ok(end) = start.checked_add(duration) else {
                break;
            };
            if end.timestamp() > close.timestamp() {
                break;
            }
            let (s, e) = (start.timestamp(), end.timestamp());
            let taken = busy.iter().any(|&(bs, be)| bs < e && s < be);
            if s >= current && !taken {
                slots.push(start.clone());
            }
            match start.checked_add(step) {
                Ok(next) => start = next,
                Err(_) => break,
            }
        }
    }
    Ok(slots)
}
