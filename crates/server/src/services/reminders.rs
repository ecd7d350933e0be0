//! Appointment reminders by SMS, and the replies that confirm them.
//!
//! **Queuing.** [`run`] is called by the outbox worker once per poll. When the clinic has
//! turned reminders on and its local time has reached `reminder_hour`, every reserved or
//! confirmed appointment starting tomorrow (the clinic's local date) gets one reminder queued
//! to its patient's primary phone, unless the patient opted out. The outbox's unique index
//! `(appointment_id, reminder_for_start_at)` makes that once per start time: a second run
//! finds the row and skips it, and a race with another server ends in a unique violation that
//! is taken as "already queued". A moved appointment has a new start time, so it is reminded
//! again, once, for that time. A reminder whose appointment was canceled (or marked a
//! no-show) or moved before it went out is not sent: the worker marks it `failed` with
//! `last_error` "canceled" or "moved" when it comes to send it (`services::outbox`).
//!
//! **Replies.** [`receive`] logs an incoming SMS (direction in, contact resolved) and, when
//! the clinic has turned `sms_confirm_replies` on and the text is "1" or "тийм", confirms the
//! appointment the last reminder sent to that number was about, if it is still reserved and
//! in the future, through the appointments' own status move (audited, state machine kept).

use super::appointments;
use super::audit::{AuditTrail, changes};
use super::settings::ClinicSettings;
use super::{Actor, FieldError, ServiceError};
use dcms_domain::{AppointmentStatus, ContactType, Direction, Phone};
use dcms_domain::{Piece, REMINDER_PLACEHOLDERS, parse_template, render};
use dcms_store::audit::AuditEntry;
use dcms_store::comms::{self as comms_repo, NewOutbox, NewSms};
use dcms_store::entity::{appointment, sms_outbox};
use dcms_store::outbox as repo;
use dcms_store::time::{from_db, now, to_db};
use dcms_store::{Store, settings as settings_repo};
use jiff::Timestamp;
use serde_json::json;

/// The longest incoming SMS text kept, in characters (a long concatenated message).
pub const INBOUND_TEXT_MAX: usize = 2000;

/// What a reminder says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderValues {
    /// The patient's first name.
    pub patient: String,
    /// `YYYY-MM-DD`, local.
    pub date: String,
    /// `HH:MM`, local.
    pub time: String,
    /// The doctor's last and first name.
    pub doctor: String,
    pub clinic: String,
}

/// The reminder's text: the template with its placeholders filled in (as plain text: the
/// gateway escapes it for its own body). A stored template that no longer parses is sent as
/// written rather than not at all.
pub fn render_reminder(template: &str, values: &ReminderValues) -> String {
    let pieces = parse_template(template, REMINDER_PLACEHOLDERS)
        .unwrap_or_else(|_| vec![Piece::Text(template.to_owned())]);
    render(
        &pieces,
        |name| match name {
            "patient" => values.patient.clone(),
            "date" => values.date.clone(),
            "time" => values.time.clone(),
            "doctor" => values.doctor.clone(),
            "clinic" => values.clinic.clone(),
            _ => String::new(),
        },
        str::to_owned,
    )
}

/// The idempotency key of the reminder of one appointment for one start time: the same
/// every time it is computed, so the provider sees the same key for the same reminder.
pub fn reminder_key(appointment_id: i64, start_at: Timestamp) -> String {
    format!("rem-{appointment_id}-{}", start_at.as_second())
}

fn internal(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(e.to_string())
}

/// Queues the reminders that are due at `now` (see the module documentation); returns how
/// many were queued.
pub async fn run(
    store: &Store,
    audit: &AuditTrail,
    now_at: Timestamp,
) -> Result<usize, ServiceError> {
    let clinic = ClinicSettings::from_row(&settings_repo::load(store.connection()).await?)?;
    if !clinic.reminder_enabled {
        return Ok(0);
    }
    let tz = clinic.time_zone();
    let local = now_at.to_zoned(tz.clone());
    if local.hour() < clinic.reminder_hour {
        return Ok(0);
    }
    let tomorrow = local.date().tomorrow().map_err(internal)?;
    let from = tomorrow.to_zoned(tz.clone()).map_err(internal)?.timestamp();
    let to = tomorrow
        .tomorrow()
        .and_then(|d| d.to_zoned(tz.clone()))
        .map_err(internal)?
        .timestamp();
    let statuses = [
        AppointmentStatus::Reserved.code(),
        AppointmentStatus::Confirmed.code(),
    ];
    let due =
        repo::appointments_starting(store.connection(), to_db(from), to_db(to), &statuses).await?;
    let mut queued = 0;
    for appointment in due {
        if repo::reminder_exists(
            store.connection(),
            appointment.appointment_id,
            appointment.start_at,
        )
        .await?
        {
            continue;
        }
        let Some((patient, phone, doctor)) = repo::reminder_parties(
            store.connection(),
            appointment.patient_id,
            appointment.doctor_id,
        )
        .await?
        else {
            continue;
        };
        if patient.sms_reminder_opt_out {
            continue;
        }
        let Some(phone) = phone else {
            tracing::warn!(
                patient_id = patient.patient_id,
                "no primary phone: no reminder"
            );
            continue;
        };
        let start = from_db(appointment.start_at).to_zoned(tz.clone());
        let values = ReminderValues {
            patient: patient.first_name.clone(),
            date: start.strftime("%Y-%m-%d").to_string(),
            time: start.strftime("%H:%M").to_string(),
            doctor: doctor
                .map(|d| format!("{} {}", d.last_name, d.first_name))
                .unwrap_or_default(),
            clinic: clinic.clinic_name.clone(),
        };
        let text = render_reminder(&clinic.reminder_template, &values);
        if queue_reminder(store, audit, &appointment, phone, text).await? {
            queued += 1;
        }
    }
    if queued > 0 {
        tracing::info!(queued, "appointment reminders queued");
    }
    Ok(queued)
}

/// The audited fields of an outbox row.
pub(crate) fn audited(row: &sms_outbox::Model) -> serde_json::Value {
    json!({
        "phone_number": row.phone_number,
        "state": dcms_domain::SmsState::from_code(row.state).map(|s| s.as_str()),
        "attempts": row.attempts,
        "appointment_id": row.appointment_id,
        "idempotency_key": row.idempotency_key,
        "last_error": row.last_error,
        "sms_id": row.sms_id,
    })
}

/// Inserts one reminder in its own transaction, with its audit entry; false when it is
/// already there (found, or inserted by another server at the same moment).
async fn queue_reminder(
    store: &Store,
    audit: &AuditTrail,
    appointment: &appointment::Model,
    phone: String,
    text: String,
) -> Result<bool, ServiceError> {
    let at = now();
    let txn = store.begin_write().await?;
    if repo::reminder_exists(&txn, appointment.appointment_id, appointment.start_at).await? {
        return Ok(false);
    }
    let inserted = comms_repo::insert_outbox(
        &txn,
        NewOutbox {
            phone_number: phone,
            subject: None,
            sms_text: text,
            idempotency_key: reminder_key(
                appointment.appointment_id,
                from_db(appointment.start_at),
            ),
            appointment_id: Some(appointment.appointment_id),
            reminder_for_start_at: Some(appointment.start_at),
            next_attempt_at: at,
            now: at,
        },
    )
    .await;
    let row = match inserted {
        Ok(row) => row,
        // A unique violation: another server queued it first. Dropping `txn` rolls back.
        Err(dcms_store::StoreError::Conflict(_)) => return Ok(false),
        Err(e) => return Err(e.into()),
    };
    let entry = AuditEntry::new("create", "sms_outbox", Some(row.sms_outbox_id))
        .with_changes(changes(None, Some(&audited(&row)), &[]));
    audit.record(&txn, Actor::SYSTEM.stamp(entry)).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(true)
}

// --- inbound --------------------------------------------------------------------------------

/// An SMS the provider received for the clinic.
#[derive(Debug, Clone, Default)]
pub struct InboundSms {
    /// The sender's number, as the provider writes it (normalised here).
    pub from: String,
    pub text: String,
    /// RFC 3339; now when absent.
    pub received_at: Option<String>,
}

/// What became of an incoming SMS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub sms_id: i64,
    /// The appointment the reply confirmed, if it confirmed one.
    pub confirmed_appointment_id: Option<i64>,
}

/// Whether a reply says yes: "1" or "тийм", trimmed, in any case.
pub fn is_confirmation(text: &str) -> bool {
    let text = text.trim().to_lowercase();
    text == "1" || text == "тийм"
}

/// Logs an incoming SMS and, when the clinic confirms by reply, confirms the appointment of
/// the last reminder to that number (see the module documentation). Invalid fields are 422.
pub async fn receive(
    store: &Store,
    audit: &AuditTrail,
    inbound: InboundSms,
) -> Result<Received, ServiceError> {
    let mut errors = Vec::new();
    let phone = match Phone::parse(&inbound.from) {
        Ok(p) => Some(p),
        Err(e) => {
            errors.push(FieldError::coded("from", "phone", e));
            None
        }
    };
    if inbound.text.chars().count() > INBOUND_TEXT_MAX {
        errors.push(
            FieldError::coded(
                "text",
                "too-long",
                format!("must be at most {INBOUND_TEXT_MAX} characters"),
            )
            .arg("max", INBOUND_TEXT_MAX),
        );
    }
    let received_at = match inbound.received_at.as_deref().map(str::trim) {
        None | Some("") => Some(Timestamp::now()),
        Some(value) => {
            let parsed = super::fields::parse_instant(value);
            if parsed.is_none() {
                errors.push(FieldError::coded(
                    "received_at",
                    "timestamp",
                    "must be a date and time with its offset (RFC 3339)",
                ));
            }
            parsed
        }
    };
    let (Some(phone), Some(received_at), true) = (phone, received_at, errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };
    let number = phone.as_str().to_owned();

    let txn = store.begin_write().await?;
    let resolution = super::comms::resolve(&txn, &number).await?;
    let sms = comms_repo::insert_sms(
        &txn,
        NewSms {
            phone_number: number.clone(),
            direction: Direction::In.code(),
            time: to_db(received_at),
            subject: None,
            sms_text: inbound.text.clone(),
            contact_type: resolution.contact_type.code(),
            contacter_id: resolution.contacter_id,
            note: None,
        },
    )
    .await?;
    let entry = AuditEntry::new("create", "sms", Some(sms.sms_id)).with_changes(changes(
        None,
        Some(&json!({
            "phone_number": sms.phone_number,
            "direction": "in",
            "contact_type": ContactType::from_code(sms.contact_type).map(|c| c.as_str()),
            "contacter_id": sms.contacter_id,
        })),
        &[],
    ));
    audit.record(&txn, Actor::SYSTEM.stamp(entry)).await?;
    txn.commit().await.map_err(ServiceError::from)?;

    let mut confirmed = None;
    let clinic = ClinicSettings::from_row(&settings_repo::load(store.connection()).await?)?;
    if clinic.sms_confirm_replies && is_confirmation(&inbound.text) {
        confirmed = confirm_last_reminded(store, audit, &number).await;
    }
    Ok(Received {
        sms_id: sms.sms_id,
        confirmed_appointment_id: confirmed,
    })
}

/// Confirms the appointment of the last reminder sent to `number` if it is still reserved
/// and in the future; the SMS is logged whatever happens here, so a failure is logged, not
/// returned.
async fn confirm_last_reminded(store: &Store, audit: &AuditTrail, number: &str) -> Option<i64> {
    let reminder = match repo::last_sent_reminder_to(store.connection(), number).await {
        Ok(r) => r?,
        Err(e) => {
            tracing::error!(error = %e, "finding the reminder a reply answers failed");
            return None;
        }
    };
    let appointment_id = reminder.appointment_id?;
    let appointment = match appointments::get(store, appointment_id).await {
        Ok(a) => a,
        Err(e) => {
            tracing::warn!(appointment_id, error = %e, "the reminded appointment is gone");
            return None;
        }
    };
    if appointment.status != AppointmentStatus::Reserved || appointment.start_at <= Timestamp::now()
    {
        return None;
    }
    match appointments::set_status(
        store,
        audit,
        Actor::SYSTEM,
        false,
        appointment_id,
        AppointmentStatus::Confirmed.as_str(),
        None,
    )
    .await
    {
        Ok(_) => {
            tracing::info!(appointment_id, "appointment confirmed by an SMS reply");
            Some(appointment_id)
        }
        Err(e) => {
            tracing::warn!(appointment_id, error = %e, "confirming by an SMS reply failed");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reminders_render_every_placeholder() {
        let values = ReminderValues {
            patient: "Болд".into(),
            date: "2030-01-08".into(),
            time: "09:30".into(),
            doctor: "Бат Сараа".into(),
            clinic: "Гэгээн шүд".into(),
        };
        assert_eq!(
            render_reminder(
                "{patient}: {date} {time}, {doctor}, {clinic} {patient}",
                &values
            ),
            "Болд: 2030-01-08 09:30, Бат Сараа, Гэгээн шүд Болд"
        );
        assert_eq!(
            reminder_key(7, Timestamp::from_second(100).unwrap()),
            "rem-7-100"
        );
    }

    #[test]
    fn confirmations() {
        for yes in ["1", " 1 ", "тийм", "ТИЙМ", "Тийм\n"] {
            assert!(is_confirmation(yes), "{yes:?}");
        }
        for no in ["2", "үгүй", "тийм биш", ""] {
            assert!(!is_confirmation(no), "{no:?}");
        }
    }
}
