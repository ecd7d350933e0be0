//! The waiting room: who came today and is not finished, and for how long they have waited.

use super::{Appointment, with_names};
use crate::services::{ServiceError, settings};
use dcms_store::Store;
use dcms_store::schedule as repo;
use dcms_store::time::to_db;
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};

/// A patient in the waiting room.
#[derive(Debug, Clone)]
pub struct Arrival {
    pub appointment: Appointment,
    /// `last_name first_name`.
    pub patient_name: String,
    pub doctor_name: String,
    /// When they came (the status move to came; the appointment's last change for one that
    /// came before arrival times were kept).
    pub arrived_at: Timestamp,
    /// Whole minutes since they came.
    pub minutes_waiting: i64,
}

/// The appointments of `date` (the clinic's calendar) in status came, by arrival.
pub async fn arrivals(store: &Store, date: Date) -> Result<Vec<Arrival>, ServiceError> {
    let clinic = settings::get(store).await?;
    let start = date
        .to_zoned(clinic.time_zone())
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let end = start
        .checked_add(1.day())
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let rows = repo::arrived(
        store.connection(),
        to_db(start.timestamp()),
        to_db(end.timestamp()),
    )
    .await?;
    let appointments = rows
        .into_iter()
        .map(Appointment::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let now = Timestamp::now();
    Ok(with_names(store, appointments)
        .await?
        .into_iter()
        .map(|entry| {
            let arrived_at = entry
                .appointment
                .arrived_at
                .unwrap_or(entry.appointment.updated_at);
            Arrival {
                minutes_waiting: ((now.as_second() - arrived_at.as_second()) / 60).max(0),
                arrived_at,
                patient_name: entry.patient_name,
                doctor_name: entry.doctor_name,
                appointment: entry.appointment,
            }
        })
        .collect())
}
