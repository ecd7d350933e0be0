//! A day's or a week's appointments with the names of their patients, doctors and services,
//! for the appointment book.

use super::Appointment;
use crate::services::{Actor, FieldError, ServiceError};
use dcms_store::Store;

// --- with names, for the appointment book ---------------------------------------------------

/// An appointment with the names the appointment book shows beside it.
#[derive(Debug, Clone)]
pub struct BookEntry {
    pub appointment: Appointment,
    /// `last_name first_name`.
    pub patient_name: String,
    pub patient_register_number: String,
    /// The patient's primary phone, as stored.
    pub patient_phone: Option<String>,
    /// `last_name first_name` of the doctor.
    pub doctor_name: String,
    /// The planned service's name for doctors.
    pub service_name: Option<String>,
}

/// `appointments` with the names of their patients, doctors and planned services, in the
/// same order: four queries whatever their number.
pub async fn with_names(
    store: &Store,
    appointments: Vec<Appointment>,
) -> Result<Vec<BookEntry>, ServiceError> {
    use std::collections::HashMap;
    let db = store.connection();
    let ids = |f: fn(&Appointment) -> Option<i64>| {
        let mut ids: Vec<i64> = appointments.iter().filter_map(f).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let patient_ids = ids(|a| Some(a.patient_id));
    let patients: HashMap<i64, _> = dcms_store::patients::find_many(db, &patient_ids)
        .await?
        .into_iter()
        .map(|p| (p.patient_id, p))
        .collect();
    let phones: HashMap<i64, String> = dcms_store::patients::phones_of_many(db, &patient_ids)
        .await?
        .into_iter()
        .filter(|ph| ph.is_primary)
        .map(|ph| (ph.patient_id, ph.phone_number_val))
        .collect();
    let doctors: HashMap<i64, String> =
        dcms_store::staff::find_many(db, &ids(|a| Some(a.doctor_id)))
            .await?
            .into_iter()
            .map(|e| (e.employee_id, format!("{} {}", e.last_name, e.first_name)))
            .collect();
    let services: HashMap<i64, String> =
        dcms_store::catalog::find_many(db, &ids(|a| a.planned_service_id))
            .await?
            .into_iter()
            .map(|s| (s.service_id, s.doctor_display_name))
            .collect();
    appointments
        .into_iter()
        .map(|appointment| {
            let patient = patients.get(&appointment.patient_id).ok_or_else(|| {
                ServiceError::Internal(format!(
                    "appointment {} names patient {}, who does not exist",
                    appointment.appointment_id, appointment.patient_id
                ))
            })?;
            Ok(BookEntry {
                patient_name: format!("{} {}", patient.last_name, patient.first_name),
                patient_register_number: patient.register_number.clone(),
                patient_phone: phones.get(&appointment.patient_id).cloned(),
                doctor_name: doctors
                    .get(&appointment.doctor_id)
                    .cloned()
                    .unwrap_or_else(|| appointment.doctor_id.to_string()),
                service_name: appointment
                    .planned_service_id
                    .and_then(|id| services.get(&id).cloned()),
                appointment,
            })
        })
        .collect()
}

// --- what the book marks on a block ----------------------------------------------------------

/// What the book marks on the appointments of a day besides their status.
#[derive(Debug, Default)]
pub struct BookMarks {
    /// Appointments with a balance still due on their treatments.
    pub unpaid: std::collections::HashSet<i64>,
    /// Appointments the patient confirmed by replying to the reminder SMS (the server moved
    /// them to confirmed: a status change with no user in the audit trail).
    pub confirmed_by_sms: std::collections::HashSet<i64>,
    /// The medical alerts of the appointments' patients, by patient (those with any).
    pub alerts: std::collections::HashMap<i64, Vec<dcms_domain::Alert>>,
    /// Appointments whose reminder SMS went out.
    pub reminded: std::collections::HashSet<i64>,
}

/// The marks of `appointment_ids` and the alerts of their `patient_ids`: four index probes
/// whatever their number.
pub async fn marks(
    store: &Store,
    appointment_ids: &[i64],
    patient_ids: &[i64],
) -> Result<BookMarks, ServiceError> {
    let unpaid = crate::services::treatments::unpaid_appointments(store, appointment_ids).await?;
    let confirmed_by_sms = dcms_store::audit::rows_touched_by_system(
        store.connection(),
        super::TABLE,
        "status",
        appointment_ids,
    )
    .await?
    .into_iter()
    .collect();
    let alerts = crate::services::medical::alerts_of(store.connection(), patient_ids).await?;
    let reminded = dcms_store::outbox::reminded(store.connection(), appointment_ids)
        .await?
        .into_iter()
        .collect();
    Ok(BookMarks {
        unpaid,
        confirmed_by_sms,
        alerts,
        reminded,
    })
}

// --- the doctors a user's book shows ----------------------------------------------------------

/// The doctors (employee ids, in the order chosen) the user's book shows; None: every
/// doctor.
pub async fn chosen_doctors(store: &Store, user_id: i64) -> Result<Option<Vec<i64>>, ServiceError> {
    Ok(dcms_store::users::book_doctors(store.connection(), user_id).await?)
}

/// Remembers the doctors the user's book shows. Each must be a doctor now (422 on
/// `doctor_id` otherwise); none, or every doctor, is remembered as "every doctor", so a
/// doctor hired later appears.
pub async fn choose_doctors(
    store: &Store,
    actor: Actor,
    doctor_ids: &[i64],
) -> Result<(), ServiceError> {
    let Some(user_id) = actor.user_id else {
        return Err(ServiceError::invalid(
            "user",
            "only a signed-in user has a book of their own",
        ));
    };
    let doctors = crate::services::staff::doctors(store, None, super::DOCTORS_MAX).await?;
    let mut chosen: Vec<i64> = Vec::with_capacity(doctor_ids.len());
    for &id in doctor_ids {
        if !doctors.iter().any(|d| d.employee_id == id) {
            return Err(ServiceError::Invalid(vec![
                FieldError::coded("doctor_id", "choose", "choose one of the doctors").arg("id", id),
            ]));
        }
        if !chosen.contains(&id) {
            chosen.push(id);
        }
    }
    let every = chosen.is_empty() || chosen.len() == doctors.len();
    dcms_store::users::set_book_doctors(
        store.connection(),
        user_id,
        (!every).then_some(chosen.as_slice()),
    )
    .await?;
    Ok(())
}
