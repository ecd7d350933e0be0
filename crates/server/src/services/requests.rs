//! Appointment requests from the patient portal (docs/front-desk.md).
//!
//! Rules:
//! * A patient asks with 1 to [`PREFERRED_MAX`] preferred days (today or later, each with an
//!   optional `HH:MM` window, `from` before `to`) and an optional reason (at most
//!   [`REASON_MAX`] characters). At most `dcms_domain::OPEN_REQUESTS_MAX` open requests per
//!   patient: one more is 429 (counted with the patient's row locked, so parallel requests
//!   cannot pass the limit together).
//! * Reception books an open request (the booking's own rules, the patient the request's; the
//!   request links the appointment, in the booking's transaction) or declines it with a reason;
//!   an answered request is 409. Either answer queues an SMS to the patient's primary phone,
//!   when there is one, and the portal shows it.
//! * A patient sees only their own requests.

use super::appointments::{self, AfterBooking, Appointment, BookingError, NewAppointment};
use super::audit::{AuditTrail, changes};
use super::settings;
use super::{Actor, FieldError, ServiceError, fields, patients};
use dcms_domain::{OPEN_REQUESTS_MAX, RequestStatus, minute_text, parse_minute};
use dcms_store::Store;
use dcms_store::audit::AuditEntry;
use dcms_store::entity::appointment_request as request;
use dcms_store::requests as repo;
use dcms_store::sea_orm::DatabaseTransaction;
use dcms_store::time::{from_db, now};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::pin::Pin;

/// Most preferred days of a request.
pub const PREFERRED_MAX: usize = 5;
/// Most characters of a reason (the patient's or the clinic's).
pub const REASON_MAX: usize = 1000;
/// Most requests a list returns.
pub const LIST_MAX: u64 = 500;

/// A preferred day, with an optional window of local time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Preferred {
    #[schema(value_type = String, format = Date)]
    pub date: Date,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub to: Option<String>,
}

/// A preferred day as the client sent it.
#[derive(Debug, Clone, Default)]
pub struct PreferredInput {
    pub date: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// A request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AppointmentRequest {
    pub request_id: i64,
    pub patient_id: i64,
    pub preferred: Vec<Preferred>,
    pub reason: Option<String>,
    pub status: RequestStatus,
    /// The appointment booked for it.
    pub appointment_id: Option<i64>,
    /// Why it was declined.
    pub answer: Option<String>,
    pub created_at: Timestamp,
    pub answered_at: Option<Timestamp>,
}

impl AppointmentRequest {
    fn from_row(row: request::Model) -> Result<AppointmentRequest, ServiceError> {
        let internal =
            |what: &str| ServiceError::Internal(format!("request {} has {what}", row.request_id));
        Ok(AppointmentRequest {
            request_id: row.request_id,
            patient_id: row.patient_id,
            preferred: serde_json::from_str(&row.preferred)
                .map_err(|_| internal("unreadable preferred days"))?,
            reason: row.reason.clone(),
            status: RequestStatus::from_code(row.status)
                .ok_or_else(|| internal("an unknown status"))?,
            appointment_id: row.appointment_id,
            answer: row.answer.clone(),
            created_at: from_db(row.created_at),
            answered_at: row.answered_at.map(from_db),
        })
    }
}

fn preferred(
    errors: &mut Vec<FieldError>,
    input: &[PreferredInput],
    today: Date,
) -> Option<Vec<Preferred>> {
    if input.is_empty() || input.len() > PREFERRED_MAX {
        errors.push(
            FieldError::coded(
                "preferred",
                "preferred-count",
                format!("give 1 to {PREFERRED_MAX} preferred days"),
            )
            .arg("max", PREFERRED_MAX),
        );
        return None;
    }
    let before = errors.len();
    let mut days = Vec::with_capacity(input.len());
    for (i, day) in input.iter().enumerate() {
        let field = |name: &str| format!("preferred[{i}].{name}");
        let date = match day.date.as_deref() {
            None => {
                errors.push(fields::required(&field("date")));
                None
            }
            Some(text) => fields::date(errors, &field("date"), text),
        };
        if date.is_some_and(|d| d < today) {
            errors.push(FieldError::coded(
                field("date"),
                "date-past",
                "must be today or later",
            ));
        }
        let mut time = |name: &str, value: &Option<String>| match value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            None => Some(None),
            Some(text) => match parse_minute(text) {
                Some(m) => Some(Some(m)),
                None => {
                    errors.push(FieldError::coded(
                        field(name),
                        "time",
                        "must be a time of day written HH:MM",
                    ));
                    None
                }
            },
        };
        let (from, to) = (time("from", &day.from), time("to", &day.to));
        if let (Some(Some(f)), Some(Some(t))) = (from, to)
            && t <= f
        {
            errors.push(FieldError::coded(
                field("to"),
                "end-not-after-start",
                "must be after from",
            ));
        }
        if let (Some(date), Some(from), Some(to)) = (date, from, to) {
            days.push(Preferred {
                date,
                from: from.map(minute_text),
                to: to.map(minute_text),
            });
        }
    }
    (errors.len() == before).then_some(days)
}

/// Asks for an appointment as the patient linked to the portal account `actor` (404 when
/// none is); see the module's rules.
pub async fn ask(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    input: &[PreferredInput],
    reason: Option<&str>,
) -> Result<AppointmentRequest, ServiceError> {
    let user_id = actor.user_id.ok_or(ServiceError::Unauthenticated)?;
    let patient_id = patients::own_patient_id(store, user_id).await?;
    let clinic = settings::get(store).await?;
    let today = Timestamp::now().to_zoned(clinic.time_zone()).date();
    let mut errors = Vec::new();
    let days = preferred(&mut errors, input, today);
    let reason = fields::multi_line(&mut errors, "reason", reason, REASON_MAX);
    let (Some(days), Some(reason), true) = (days, reason, errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };
    let txn = store.begin_write().await?;
    dcms_store::patients::lock(&txn, patient_id)
        .await?
        .ok_or(ServiceError::NotFound("patient"))?;
    if repo::open_count(&txn, patient_id).await? >= OPEN_REQUESTS_MAX as u64 {
        return Err(ServiceError::TooMany(format!(
            "you already have {OPEN_REQUESTS_MAX} open requests: wait for the clinic's answer"
        )));
    }
    let row = repo::insert(
        &txn,
        repo::NewRequest {
            patient_id,
            preferred: serde_json::to_string(&days)
                .map_err(|e| ServiceError::Internal(e.to_string()))?,
            reason,
            created_by: Some(user_id),
            now: now(),
        },
    )
    .await?;
    let asked = AppointmentRequest::from_row(row)?;
    let entry = AuditEntry::new("create", "appointment_request", Some(asked.request_id))
        .with_changes(changes(None, Some(&asked), &["request_id", "created_at"]));
    audit.record(&txn, actor.stamp(entry)).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(asked)
}

/// The requests of the patient linked to the portal account, oldest first.
pub async fn mine(store: &Store, user_id: i64) -> Result<Vec<AppointmentRequest>, ServiceError> {
    let patient_id = patients::own_patient_id(store, user_id).await?;
    repo::list(store.connection(), None, Some(patient_id), LIST_MAX)
        .await?
        .into_iter()
        .map(AppointmentRequest::from_row)
        .collect()
}

/// Requests in a status (`open`, `booked`, `declined`; None: all), oldest first.
pub async fn list(
    store: &Store,
    status: Option<&str>,
) -> Result<Vec<AppointmentRequest>, ServiceError> {
    let mut errors = Vec::new();
    let status = fields::optional_choice::<RequestStatus>(&mut errors, "status", status)
        .ok_or(ServiceError::Invalid(errors))?;
    repo::list(store.connection(), status, None, LIST_MAX)
        .await?
        .into_iter()
        .map(AppointmentRequest::from_row)
        .collect()
}

/// Locks an open request (404 when there is none, 409 when it was answered).
async fn lock_open(
    txn: &DatabaseTransaction,
    request_id: i64,
) -> Result<request::Model, ServiceError> {
    let row = repo::lock(txn, request_id)
        .await?
        .ok_or(ServiceError::NotFound("request"))?;
    if row.status != RequestStatus::Open.code() {
        return Err(ServiceError::Conflict(format!(
            "request {request_id} has been answered already"
        )));
    }
    Ok(row)
}

/// Queues the answer's SMS to the patient's primary phone, if they have one.
async fn tell_patient(
    txn: &DatabaseTransaction,
    patient_id: i64,
    request_id: i64,
    text: String,
) -> Result<(), ServiceError> {
    let key = format!("request-{request_id}");
    super::comms::queue_to_patient(txn, patient_id, text, key).await?;
    Ok(())
}

/// Books an open request: an appointment for its patient (every rule of a booking; `booking`
/// without `patient_id`), linked to the request, and an SMS to the patient.
pub async fn book(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    request_id: i64,
    mut booking: NewAppointment,
) -> Result<Appointment, BookingError> {
    let row = repo::find(store.connection(), request_id)
        .await?
        .ok_or(ServiceError::NotFound("request"))?;
    booking.patient_id = Some(row.patient_id);
    let clinic = settings::get(store).await?;
    let link = LinkRequest {
        request_id,
        actor,
        clinic_name: clinic.clinic_name.clone(),
        time_zone: clinic.time_zone(),
    };
    appointments::create_then(store, audit, actor, booking, Some(&link)).await
}

/// Links a request to the appointment booked for it, in the booking's transaction.
struct LinkRequest {
    request_id: i64,
    actor: Actor,
    clinic_name: String,
    time_zone: jiff::tz::TimeZone,
}

impl AfterBooking for LinkRequest {
    fn after<'t>(
        &'t self,
        txn: &'t DatabaseTransaction,
        audit: &'t AuditTrail,
        appointment: &'t Appointment,
    ) -> Pin<Box<dyn Future<Output = Result<(), ServiceError>> + Send + 't>> {
        Box::pin(async move {
            let request_id = self.request_id;
            let row = lock_open(txn, request_id).await?;
            let at = appointment.start_at.to_zoned(self.time_zone.clone());
            let text = format!(
                "{}: таны хүссэн цагийг {} {}-д захиаллаа.",
                self.clinic_name,
                at.date(),
                at.strftime("%H:%M")
            );
            let answered = repo::answer(
                txn,
                row,
                RequestStatus::Booked,
                Some(appointment.appointment_id),
                None,
                self.actor.user_id,
                now(),
            )
            .await?;
            let answered = AppointmentRequest::from_row(answered)?;
            let entry = AuditEntry::new("book", "appointment_request", Some(request_id))
                .with_changes(changes(
                    None,
                    Some(&serde_json::json!({
                        "status": answered.status,
                        "appointment_id": answered.appointment_id,
                    })),
                    &[],
                ));
            audit.record(txn, self.actor.stamp(entry)).await?;
            tell_patient(txn, answered.patient_id, request_id, text).await
        })
    }
}

/// Declines an open request with a reason (required), and tells the patient by SMS.
pub async fn decline(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    request_id: i64,
    reason: Option<&str>,
) -> Result<AppointmentRequest, ServiceError> {
    let mut errors = Vec::new();
    let reason = fields::multi_line(&mut errors, "reason", reason, REASON_MAX);
    let reason = match reason {
        Some(Some(r)) => r,
        Some(None) => {
            return Err(ServiceError::invalid_coded(fields::required("reason")));
        }
        None => return Err(ServiceError::Invalid(errors)),
    };
    let clinic = settings::get(store).await?;
    let txn = store.begin_write().await?;
    let row = lock_open(&txn, request_id).await?;
    let answered = repo::answer(
        &txn,
        row,
        RequestStatus::Declined,
        None,
        Some(reason.clone()),
        actor.user_id,
        now(),
    )
    .await?;
    let answered = AppointmentRequest::from_row(answered)?;
    let entry =
        AuditEntry::new("decline", "appointment_request", Some(request_id)).with_changes(changes(
            None,
            Some(&serde_json::json!({ "status": answered.status, "answer": reason })),
            &[],
        ));
    audit.record(&txn, actor.stamp(entry)).await?;
    let text = format!(
        "{}: уучлаарай, таны цагийн хүсэлтийг биелүүлэх боломжгүй: {reason}",
        clinic.clinic_name
    );
    tell_patient(&txn, answered.patient_id, request_id, text).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(answered)
}
