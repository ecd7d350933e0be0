//! Free time on a day, across every doctor or for one, for the requested duration.

use super::MAX_MINUTES;
use crate::services::{FieldError, ServiceError, chairs, hours, settings, staff};
use dcms_domain::slot_starts;
use dcms_store::Store;
use dcms_store::schedule as repo;
use dcms_store::time::{from_db, to_db};
use jiff::civil::{Date, Time};
use jiff::{Timestamp, ToSpan, Zoned};

/// What free time is asked for.
#[derive(Debug, Clone)]
pub struct SlotQuery {
    pub date: Date,
    pub duration_minutes: i64,
    /// One doctor (None: every doctor).
    pub doctor_id: Option<i64>,
    /// One chair (None: any active chair, the doctor's usual one first).
    pub chair_id: Option<i64>,
}

/// A start time at which a doctor (and a chair, when the clinic has chairs) is free.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreeSlot {
    /// In the clinic's time zone.
    pub start_at: Zoned,
    pub doctor_id: i64,
    pub chair_id: Option<i64>,
}

/// The free slots of `query.date` (docs/front-desk.md, "Free time"): for each doctor, the
/// start times every 15 minutes of local time within the doctor's hours on that date
/// (`hours::day_plans`: the weekly template or the opening hours, the exceptions) at which
/// the whole duration fits inside one interval, overlapping none of the doctor's blocking
/// appointments, not in the past, and, when the clinic has active chairs (or one is asked
/// for), with a chair free for the whole duration: the one the doctor's template names for
/// that time if it is free, else the first free one in the chairs' order. Ordered by start,
/// then by the doctors' order. On a day with a DST change the duration is real time: it
/// must end by the interval's end instant; a local time the clock skips is no start, and one
/// it shows twice is offered once (the first).
///
/// A duration outside 1 to 1440 minutes is 422; an unknown doctor 404, one who may not be a
/// doctor 422 on `doctor_id`; a chair that does not exist or is inactive 422 on `chair_id`.
pub async fn free_slots(store: &Store, query: &SlotQuery) -> Result<Vec<FreeSlot>, ServiceError> {
    let duration = u16::try_from(query.duration_minutes)
        .ok()
        .filter(|d| (1..=MAX_MINUTES).contains(&i64::from(*d)))
        .ok_or_else(|| {
            ServiceError::invalid_coded(
                FieldError::coded(
                    "duration_minutes",
                    "duration",
                    format!("must be from 1 to {MAX_MINUTES} minutes"),
                )
                .arg("max", MAX_MINUTES),
            )
        })?;
    let db = store.connection();
    let doctor_ids: Vec<i64> = match query.doctor_id {
        Some(doctor_id) => {
            if dcms_store::staff::find(db, doctor_id).await?.is_none() {
                return Err(ServiceError::NotFound("doctor"));
            }
            staff::check_doctor(db, doctor_id, "doctor_id").await?;
            vec![doctor_id]
        }
        None => staff::doctors(store, None, super::DOCTORS_MAX)
            .await?
            .into_iter()
            .map(|d| d.employee_id)
            .collect(),
    };
    let chairs: Vec<i64> = match query.chair_id {
        Some(chair_id) => {
            chairs::check_active(db, chair_id, "chair_id").await?;
            vec![chair_id]
        }
        None => chairs::list(store, true)
            .await?
            .into_iter()
            .map(|c| c.chair_id)
            .collect(),
    };
    let clinic = settings::get(store).await?;
    let tz = clinic.time_zone();
    let plans = hours::day_plans(db, &clinic, &doctor_ids, query.date).await?;
    let local = |minute: u16| -> Result<Zoned, ServiceError> {
        let time = Time::new((minute / 60) as i8, (minute % 60) as i8, 0, 0)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        query
            .date
            .to_datetime(time)
            .to_zoned(tz.clone())
            .map_err(|e| ServiceError::Internal(format!("{}: {e}", query.date)))
    };
    let day_start = local(0)?;
    let day_end = day_start
        .checked_add(1.day())
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let busy: Vec<(i64, Option<i64>, Timestamp, Timestamp)> = repo::blocking_between(
        db,
        None,
        to_db(day_start.timestamp()),
        to_db(day_end.timestamp()),
    )
    .await?
    .into_iter()
    .map(|a| {
        (
            a.doctor_id,
            a.chair_id,
            from_db(a.start_at),
            from_db(a.end_at),
        )
    })
    .collect();
    let overlaps = |s: Timestamp, e: Timestamp, taken: &dyn Fn(i64, Option<i64>) -> bool| {
        busy.iter()
            .any(|&(d, c, bs, be)| taken(d, c) && bs < e && s < be)
    };
    let current = Timestamp::now();
    let mut slots = Vec::new();
    for (order, &doctor_id) in doctor_ids.iter().enumerate() {
        let Some(plan) = plans.get(&doctor_id) else {
            continue;
        };
        for minute in slot_starts(&plan.hours, duration) {
            let start = local(minute)?;
            // A time the clock skips (a DST gap) is no start; a time it shows twice is
            // offered once, the first.
            if dcms_domain::minute_of(start.time()) != minute {
                continue;
            }
            let close = match plan.hours.iter().find(|&&(a, b)| a <= minute && minute < b) {
                Some(&(_, b)) if b < dcms_domain::DAY_MINUTES => local(b)?.timestamp(),
                _ => day_end.timestamp(),
            };
            let (s, e) = (
                start.timestamp(),
                start
                    .timestamp()
                    .checked_add(i64::from(duration).minutes())
                    .map_err(|e| ServiceError::Internal(e.to_string()))?,
            );
            if e > close {
                continue;
            }
            if s < current || overlaps(s, e, &|d, _| d == doctor_id) {
                continue;
            }
            let chair_id = if chairs.is_empty() {
                None
            } else {
                let usual = plan.usual_chair(minute).filter(|c| chairs.contains(c));
                let free = usual
                    .into_iter()
                    .chain(chairs.iter().copied())
                    .find(|&chair| !overlaps(s, e, &|_, c| c == Some(chair)));
                match free {
                    Some(chair) => Some(chair),
                    None => continue,
                }
            };
            slots.push((
                order,
                FreeSlot {
                    start_at: start,
                    doctor_id,
                    chair_id,
                },
            ));
        }
    }
    slots.sort_by(|(oa, a), (ob, b)| {
        (a.start_at.timestamp(), *oa).cmp(&(b.start_at.timestamp(), *ob))
    });
    Ok(slots.into_iter().map(|(_, slot)| slot).collect())
}

/// One doctor's free start times on a day (`/api/v1/doctors/{id}/free-slots`): [`free_slots`]
/// of that doctor.
pub async fn free_slots_of_doctor(
    store: &Store,
    doctor_id: i64,
    date: Date,
    duration_minutes: i64,
) -> Result<Vec<Zoned>, ServiceError> {
    let query = SlotQuery {
        date,
        duration_minutes,
        doctor_id: Some(doctor_id),
        chair_id: None,
    };
    Ok(free_slots(store, &query)
        .await?
        .into_iter()
        .map(|slot| slot.start_at)
        .collect())
}
