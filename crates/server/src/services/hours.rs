//! Doctors' hours (docs/front-desk.md): a weekly template within the clinic's opening hours,
//! exceptions by date, and a doctor's hours on a date, which bookings and free slots honour.
//!
//! Rules:
//! * A template interval has a weekday (1 Monday to 7 Sunday), `HH:MM` start and end (end
//!   after start, `24:00` allowed), lies within the clinic's opening hours of that weekday
//!   (422 `outside-opening-hours`), overlaps no other of that weekday (422 `hours-overlap`),
//!   and may name an active chair. Writing an empty template removes it: the doctor works the
//!   opening hours again.
//! * An exception has a date, a kind (`off vacation sick extra`), optional hours (both or
//!   neither; extra needs them) and a note.
//! * A doctor's hours on a date: `dcms_domain::working_hours`. A booking must lie inside them
//!   when the doctor has a template or an exception that day (a clinic that sets neither
//!   books as before); otherwise it is 409 `outside_working_hours` unless a manager or admin
//!   overrides.

use super::audit::{AuditTrail, changes};
use super::settings::ClinicSettings;
use super::{Actor, FieldError, ServiceError, fields, settings};
use dcms_domain::{
    DayException, ExceptionKind, Minute, Span, minute_of, minute_text, parse_minute, working_hours,
};
use dcms_store::Store;
use dcms_store::audit::AuditEntry;
use dcms_store::entity::{schedule_exception, working_hours as template_row};
use dcms_store::hours as repo;
use dcms_store::sea_orm::ConnectionTrait;
use dcms_store::time::{date_from_db, date_to_db, from_db, now};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;

/// Most intervals of a weekly template.
pub const INTERVALS_MAX: usize = 50;
/// Most characters of an exception's note.
pub const EXCEPTION_NOTE_MAX: usize = 500;

/// One interval of a weekly template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct WeeklyInterval {
    /// 1 Monday to 7 Sunday.
    pub weekday: u8,
    /// `HH:MM`.
    pub start: String,
    /// `HH:MM` (`24:00` for midnight).
    pub end: String,
    pub chair_id: Option<i64>,
}

impl WeeklyInterval {
    fn from_row(row: &template_row::Model) -> WeeklyInterval {
        WeeklyInterval {
            weekday: u8::try_from(row.weekday).unwrap_or(0),
            start: minute_text(to_minute(row.start_minute)),
            end: minute_text(to_minute(row.end_minute)),
            chair_id: row.chair_id,
        }
    }
}

/// An interval as the client sent it.
#[derive(Debug, Clone, Default)]
pub struct IntervalInput {
    pub weekday: Option<i64>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub chair_id: Option<i64>,
}

/// A date on which a doctor's hours differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Exception {
    pub exception_id: i64,
    pub employee_id: i64,
    #[schema(value_type = String, format = Date)]
    pub date: Date,
    pub kind: ExceptionKind,
    pub start: Option<String>,
    pub end: Option<String>,
    pub note: Option<String>,
    pub created_at: Timestamp,
}

impl Exception {
    fn from_row(row: schedule_exception::Model) -> Result<Exception, ServiceError> {
        let kind = ExceptionKind::from_code(row.kind).ok_or_else(|| {
            ServiceError::Internal(format!(
                "exception {} has an unknown kind {}",
                row.exception_id, row.kind
            ))
        })?;
        Ok(Exception {
            exception_id: row.exception_id,
            employee_id: row.employee_id,
            date: date_from_db(row.day),
            kind,
            start: row.start_minute.map(|m| minute_text(to_minute(m))),
            end: row.end_minute.map(|m| minute_text(to_minute(m))),
            note: row.note,
            created_at: from_db(row.created_at),
        })
    }

    fn day_exception(&self) -> DayException {
        let minute = |t: &Option<String>| t.as_deref().and_then(parse_minute);
        DayException {
            kind: self.kind,
            hours: minute(&self.start).zip(minute(&self.end)),
        }
    }
}

/// An exception as the client sent it.
#[derive(Debug, Clone, Default)]
pub struct ExceptionInput {
    pub date: Option<String>,
    pub kind: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub note: Option<String>,
}

fn to_minute(stored: i32) -> Minute {
    Minute::try_from(stored.clamp(0, 1440)).unwrap_or(0)
}

async fn employee_exists(db: &impl ConnectionTrait, employee_id: i64) -> Result<(), ServiceError> {
    dcms_store::staff::find(db, employee_id)
        .await?
        .map(|_| ())
        .ok_or(ServiceError::NotFound("employee"))
}

// --- the weekly template ----------------------------------------------------------------------

/// An employee's weekly template (empty: none; they work the opening hours).
pub async fn weekly(store: &Store, employee_id: i64) -> Result<Vec<WeeklyInterval>, ServiceError> {
    employee_exists(store.connection(), employee_id).await?;
    Ok(repo::weekly_of(store.connection(), &[employee_id])
        .await?
        .iter()
        .map(WeeklyInterval::from_row)
        .collect())
}

/// Replaces an employee's weekly template (see the module's rules); audited.
pub async fn set_weekly(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    employee_id: i64,
    input: Vec<IntervalInput>,
) -> Result<Vec<WeeklyInterval>, ServiceError> {
    if input.len() > INTERVALS_MAX {
        return Err(ServiceError::invalid_coded(
            FieldError::coded(
                "weekly",
                "intervals-max",
                format!("at most {INTERVALS_MAX} intervals"),
            )
            .arg("max", INTERVALS_MAX),
        ));
    }
    let clinic = settings::get(store).await?;
    let mut errors = Vec::new();
    let mut valid: Vec<repo::NewInterval> = Vec::with_capacity(input.len());
    for (i, interval) in input.iter().enumerate() {
        let field = |name: &str| format!("weekly[{i}].{name}");
        let weekday = match interval.weekday {
            Some(d @ 1..=7) => Some(d as i32),
            Some(_) => {
                errors.push(FieldError::coded(
                    field("weekday"),
                    "weekday",
                    "must be 1 (Monday) to 7 (Sunday)",
                ));
                None
            }
            None => {
                errors.push(fields::required(&field("weekday")));
                None
            }
        };
        let start = time_field(&mut errors, &field("start"), interval.start.as_deref());
        let end = time_field(&mut errors, &field("end"), interval.end.as_deref());
        let (Some(weekday), Some(start), Some(end)) = (weekday, start, end) else {
            continue;
        };
        if end <= start {
            errors.push(FieldError::coded(
                field("end"),
                "end-not-after-start",
                "must be after start",
            ));
            continue;
        }
        let opening = opening_spans(&clinic, weekday_of(weekday));
        if !dcms_domain::fits(&opening, start, end - start) {
            errors.push(
                FieldError::coded(
                    field("start"),
                    "outside-opening-hours",
                    format!(
                        "{}-{} is outside the clinic's opening hours of that day",
                        minute_text(start),
                        minute_text(end)
                    ),
                )
                .arg(
                    "hours",
                    format!("{}-{}", minute_text(start), minute_text(end)),
                ),
            );
            continue;
        }
        if let Some(other) = valid.iter().find(|v| {
            v.weekday == weekday
                && i32::from(start) < v.end_minute
                && v.start_minute < i32::from(end)
        }) {
            errors.push(
                FieldError::coded(
                    field("start"),
                    "hours-overlap",
                    format!(
                        "overlaps {}-{} of the same day",
                        minute_text(to_minute(other.start_minute)),
                        minute_text(to_minute(other.end_minute))
                    ),
                )
                .arg(
                    "hours",
                    format!(
                        "{}-{}",
                        minute_text(to_minute(other.start_minute)),
                        minute_text(to_minute(other.end_minute))
                    ),
                ),
            );
            continue;
        }
        if let Some(chair_id) = interval.chair_id
            && let Err(e) =
                super::chairs::check_active(store.connection(), chair_id, &field("chair_id")).await
        {
            match e {
                ServiceError::Invalid(more) => errors.extend(more),
                other => return Err(other),
            }
            continue;
        }
        valid.push(repo::NewInterval {
            weekday,
            start_minute: i32::from(start),
            end_minute: i32::from(end),
            chair_id: interval.chair_id,
        });
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    valid.sort_by_key(|v| (v.weekday, v.start_minute));
    let txn = store.begin_write().await?;
    if dcms_store::staff::find_for_update(&txn, employee_id)
        .await?
        .is_none()
    {
        return Err(ServiceError::NotFound("employee"));
    }
    let before: Vec<WeeklyInterval> = repo::weekly_of(&txn, &[employee_id])
        .await?
        .iter()
        .map(WeeklyInterval::from_row)
        .collect();
    repo::replace_weekly(&txn, employee_id, &valid).await?;
    let after: Vec<WeeklyInterval> = repo::weekly_of(&txn, &[employee_id])
        .await?
        .iter()
        .map(WeeklyInterval::from_row)
        .collect();
    if let Some(diff) = changes(
        Some(&json!({ "weekly": before })),
        Some(&json!({ "weekly": after })),
        &[],
    ) {
        let entry =
            AuditEntry::new("update", "working_hours", Some(employee_id)).with_changes(Some(diff));
        audit.record(&txn, actor.stamp(entry)).await?;
    }
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(after)
}

fn time_field(errors: &mut Vec<FieldError>, field: &str, value: Option<&str>) -> Option<Minute> {
    let Some(text) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        errors.push(fields::required(field));
        return None;
    };
    let parsed = parse_minute(text);
    if parsed.is_none() {
        errors.push(FieldError::coded(
            field,
            "time",
            "must be a time of day written HH:MM",
        ));
    }
    parsed
}

fn weekday_of(number: i32) -> jiff::civil::Weekday {
    jiff::civil::Weekday::from_monday_one_offset(number as i8)
        .unwrap_or(jiff::civil::Weekday::Monday)
}

/// The clinic's opening hours of a weekday, in minutes.
fn opening_spans(clinic: &ClinicSettings, day: jiff::civil::Weekday) -> Vec<Span> {
    clinic
        .opening_hours
        .intervals(day)
        .iter()
        .map(|&(s, e)| (minute_of(s), minute_of(e)))
        .collect()
}

// --- exceptions ---------------------------------------------------------------------------------

/// An employee's exceptions from `from` to `to` inclusive (each optional), by date.
pub async fn exceptions(
    store: &Store,
    employee_id: i64,
    from: Option<Date>,
    to: Option<Date>,
) -> Result<Vec<Exception>, ServiceError> {
    employee_exists(store.connection(), employee_id).await?;
    let from = from.unwrap_or(jiff::civil::date(1900, 1, 1));
    let to = to.unwrap_or(jiff::civil::date(2100, 12, 31));
    repo::exceptions_between(
        store.connection(),
        Some(&[employee_id]),
        date_to_db(from),
        date_to_db(to),
    )
    .await?
    .into_iter()
    .map(Exception::from_row)
    .collect()
}

/// Adds an exception (see the module's rules); audited.
pub async fn add_exception(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    employee_id: i64,
    input: ExceptionInput,
) -> Result<Exception, ServiceError> {
    let mut errors = Vec::new();
    let e = &mut errors;
    let date = match input.date.as_deref() {
        None => {
            e.push(fields::required("date"));
            None
        }
        Some(text) => fields::date(e, "date", text),
    };
    let kind = fields::required_choice::<ExceptionKind>(e, "kind", input.kind.as_deref());
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .is_some()
    };
    let hours = match (given(&input.start), given(&input.end)) {
        (false, false) => Some(None),
        _ => {
            let start = time_field(e, "start", input.start.as_deref());
            let end = time_field(e, "end", input.end.as_deref());
            match (start, end) {
                (Some(s), Some(t)) if t > s => Some(Some((s, t))),
                (Some(_), Some(_)) => {
                    e.push(FieldError::coded(
                        "end",
                        "end-not-after-start",
                        "must be after start",
                    ));
                    None
                }
                _ => None,
            }
        }
    };
    if kind == Some(ExceptionKind::Extra) && hours == Some(None) {
        e.push(FieldError::coded(
            "start",
            "extra-needs-hours",
            "extra hours need a start and an end",
        ));
    }
    let note = fields::multi_line(e, "note", input.note.as_deref(), EXCEPTION_NOTE_MAX);
    let (Some(date), Some(kind), Some(hours), Some(note), true) =
        (date, kind, hours, note, errors.is_empty())
    else {
        return Err(ServiceError::Invalid(errors));
    };
    let txn = store.begin_write().await?;
    if dcms_store::staff::find_for_update(&txn, employee_id)
        .await?
        .is_none()
    {
        return Err(ServiceError::NotFound("employee"));
    }
    let row = repo::insert_exception(
        &txn,
        repo::NewException {
            employee_id,
            day: date_to_db(date),
            kind: kind.code(),
            start_minute: hours.map(|(s, _)| i32::from(s)),
            end_minute: hours.map(|(_, e)| i32::from(e)),
            note,
            created_by: actor.user_id,
            now: now(),
        },
    )
    .await?;
    let exception = Exception::from_row(row)?;
    let entry =
        AuditEntry::new("create", "schedule_exception", Some(exception.exception_id)).with_changes(
            changes(None, Some(&exception), &["exception_id", "created_at"]),
        );
    audit.record(&txn, actor.stamp(entry)).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(exception)
}

/// Removes an exception of an employee (404 when that employee has no such exception).
pub async fn remove_exception(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    employee_id: i64,
    exception_id: i64,
) -> Result<(), ServiceError> {
    let txn = store.begin_write().await?;
    let row = repo::find_exception(&txn, exception_id)
        .await?
        .filter(|x| x.employee_id == employee_id)
        .ok_or(ServiceError::NotFound("exception"))?;
    let before = Exception::from_row(row)?;
    repo::delete_exception(&txn, exception_id).await?;
    let entry = AuditEntry::new("delete", "schedule_exception", Some(exception_id)).with_changes(
        changes(Some(&before), None, &["exception_id", "created_at"]),
    );
    audit.record(&txn, actor.stamp(entry)).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(())
}

// --- a doctor's day -------------------------------------------------------------------------------

/// A doctor's hours on one date.
#[derive(Debug, Clone, Default)]
pub struct DayPlan {
    /// Sorted, merged, in local minutes.
    pub hours: Vec<Span>,
    /// Whether the doctor has a template or an exception that day (bookings are held to the
    /// hours only then).
    pub configured: bool,
    /// The template's chairs, by interval (the chair the doctor usually works in).
    pub chairs: Vec<(Span, i64)>,
    /// The exceptions of that date.
    pub exceptions: Vec<Exception>,
}

impl DayPlan {
    /// The chair the template names for the minute `m`, if any.
    pub fn usual_chair(&self, m: Minute) -> Option<i64> {
        self.chairs
            .iter()
            .find(|((s, e), _)| *s <= m && m < *e)
            .map(|(_, c)| *c)
    }
}

/// The hours of each of `doctor_ids` on `date`: two queries whatever their number.
pub async fn day_plans(
    db: &impl ConnectionTrait,
    clinic: &ClinicSettings,
    doctor_ids: &[i64],
    date: Date,
) -> Result<HashMap<i64, DayPlan>, ServiceError> {
    let weekday = date.weekday();
    let number = i32::from(weekday.to_monday_one_offset());
    let opening = opening_spans(clinic, weekday);
    let templates = repo::weekly_of(db, doctor_ids).await?;
    let exceptions =
        repo::exceptions_between(db, Some(doctor_ids), date_to_db(date), date_to_db(date)).await?;
    let mut plans = HashMap::with_capacity(doctor_ids.len());
    for &doctor_id in doctor_ids {
        let mine: Vec<&template_row::Model> = templates
            .iter()
            .filter(|t| t.employee_id == doctor_id)
            .collect();
        let today: Vec<Span> = mine
            .iter()
            .filter(|t| t.weekday == number)
            .map(|t| (to_minute(t.start_minute), to_minute(t.end_minute)))
            .collect();
        let chairs = mine
            .iter()
            .filter(|t| t.weekday == number)
            .filter_map(|t| {
                t.chair_id
                    .map(|c| ((to_minute(t.start_minute), to_minute(t.end_minute)), c))
            })
            .collect();
        let day_exceptions: Vec<Exception> = exceptions
            .iter()
            .filter(|x| x.employee_id == doctor_id)
            .cloned()
            .map(Exception::from_row)
            .collect::<Result<_, _>>()?;
        let applied: Vec<DayException> = day_exceptions
            .iter()
            .map(Exception::day_exception)
            .collect();
        let has_template = !mine.is_empty();
        plans.insert(
            doctor_id,
            DayPlan {
                hours: working_hours(&opening, has_template.then_some(today.as_slice()), &applied),
                configured: has_template || !day_exceptions.is_empty(),
                chairs,
                exceptions: day_exceptions,
            },
        );
    }
    Ok(plans)
}

/// The local date and minute span of `[start, end)`; None when it does not lie within one
/// local day (ending at midnight is within it).
pub fn local_span(
    clinic: &ClinicSettings,
    start: Timestamp,
    end: Timestamp,
) -> Option<(Date, Minute, u16)> {
    let tz = clinic.time_zone();
    let local = start.to_zoned(tz).datetime();
    let minutes = (end.as_second() - start.as_second()) / 60;
    let first = minute_of(local.time());
    let minutes = u16::try_from(minutes).ok()?;
    (u32::from(first) + u32::from(minutes) <= 1440).then_some((local.date(), first, minutes))
}

/// Whether `[start, end)` lies within the doctor's hours, where they apply (see the module's
/// rules): Ok(None) when it does, Ok(Some(why)) when it does not.
pub async fn outside_hours(
    db: &impl ConnectionTrait,
    clinic: &ClinicSettings,
    doctor_id: i64,
    start: Timestamp,
    end: Timestamp,
) -> Result<Option<String>, ServiceError> {
    let date = start.to_zoned(clinic.time_zone()).date();
    let plans = day_plans(db, clinic, &[doctor_id], date).await?;
    let Some(plan) = plans.get(&doctor_id).filter(|p| p.configured) else {
        return Ok(None);
    };
    let inside = local_span(clinic, start, end)
        .is_some_and(|(_, first, minutes)| dcms_domain::fits(&plan.hours, first, minutes));
    if inside {
        return Ok(None);
    }
    let hours: Vec<String> = plan
        .hours
        .iter()
        .map(|&(s, e)| format!("{}-{}", minute_text(s), minute_text(e)))
        .collect();
    Ok(Some(if hours.is_empty() {
        format!("doctor {doctor_id} does not work on {date}")
    } else {
        format!(
            "doctor {doctor_id} works {} on {date}: the appointment is outside those hours",
            hours.join(", ")
        )
    }))
}
