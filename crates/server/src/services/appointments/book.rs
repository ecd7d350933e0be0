//! A day's or a week's appointments with the names of their patients, doctors and services,
//! for the appointment book.

use super::Appointment;
use crate::services::ServiceError;
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
