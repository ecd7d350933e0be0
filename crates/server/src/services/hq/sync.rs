//! Pulling a clinic's figures into HQ, day by day (domain.md "DCMS HQ"): HQ checks the
//! clinic's API revision (`GET /api/v1/version`), then reads `GET /api/v1/reports/days` with
//! its HQ session on the clinic, in ranges of [`CHUNK_DAYS`], from the day after the last
//! complete one less [`REREAD_DAYS`] (payments and statuses change after the fact), or from
//! the start of the clinic's history on the first sync, to today. Each range replaces the
//! clinic's stored days wholly, in one transaction (a re-sync is idempotent). A failure (the
//! clinic unreachable, too old, the session expired or revoked) is kept on the clinic with
//! its time; its figures stay as they were, marked stale by their `synced_through`. One
//! clinic's failure never stops another's ([`sync_all`]).

use crate::services::ServiceError;
use dcms_store::Store;
use dcms_store::hq::entity::{hq_clinic, hq_day, hq_doctor_day};
use dcms_store::time::{date_from_db, date_to_db, now};
use jiff::ToSpan;
use jiff::civil::Date;
use serde::Deserialize;
use std::time::Duration;

/// The oldest clinic API revision HQ reads (`GET /api/v1/reports/days` and `first-day`).
pub const MIN_API_REVISION: i64 = 4;
/// Days read per request.
pub const CHUNK_DAYS: i64 = 92;
/// Days before the last complete one read again by every sync.
pub const REREAD_DAYS: i64 = 7;
/// The longest wait for one answer of a clinic.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// Why a clinic's sync failed, as HQ shows it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    #[error("not connected: connect the clinic with a manager's login first")]
    NotConnected,
    #[error("unreachable: {0}")]
    Unreachable(String),
    #[error(
        "too old: the clinic's API revision is {0}, HQ needs {MIN_API_REVISION}; upgrade its DCMS"
    )]
    TooOld(i64),
    #[error("session: the clinic refused HQ's session (expired or revoked); connect it again")]
    Session,
    #[error("answer: {0}")]
    Answer(String),
}

#[derive(Debug, Deserialize)]
struct Version {
    api_revision: i64,
}

#[derive(Debug, Deserialize)]
struct FirstDay {
    first_day: Option<Date>,
}

#[derive(Debug, Deserialize, Default)]
struct ByStatus {
    reserved: i64,
    confirmed: i64,
    no_show: i64,
    came: i64,
    finished: i64,
}

impl ByStatus {
    /// Appointments that were kept on the book (canceled ones left out).
    fn booked(&self) -> i64 {
        self.reserved + self.confirmed + self.no_show + self.came + self.finished
    }
}

#[derive(Debug, Deserialize)]
struct DoctorFigures {
    doctor_id: i64,
    name: String,
    charges: i64,
    discounts: i64,
    paid: i64,
    appointments: ByStatus,
}

#[derive(Debug, Deserialize)]
struct DayFigures {
    date: Date,
    charges: i64,
    discounts: i64,
    paid: i64,
    appointments: ByStatus,
    new_patients: i64,
    doctors: Vec<DoctorFigures>,
}

/// A client for the clinics, with HQ's time-out.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .build()
        .unwrap_or_default()
}

fn unreachable(e: reqwest::Error) -> SyncError {
    SyncError::Unreachable(e.without_url().to_string())
}

async fn get<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: String,
    token: Option<&str>,
) -> Result<T, SyncError> {
    let mut request = http.get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.map_err(unreachable)?;
    match response.status().as_u16() {
        200 => {
            let text = response.text().await.map_err(unreachable)?;
            serde_json::from_str::<T>(&text).map_err(|e| SyncError::Answer(e.to_string()))
        }
        401 => Err(SyncError::Session),
        404 => Err(SyncError::TooOld(0)),
        status => Err(SyncError::Answer(format!("HTTP {status}"))),
    }
}

/// HQ writes one clinic's days at a time: replacing a range deletes and inserts on the
/// `(clinic_id, day)` index, and two such transactions at once deadlock on MariaDB's gap
/// locks (found by the test on MariaDB). The reads from the clinics still run at once.
static WRITES: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Replaces one clinic's days `from..=to` in one transaction, tried again (three times) when
/// the database says it is busy (another HQ process's lock).
async fn store_days(
    store: &Store,
    clinic_id: i64,
    (from, to): (Date, Date),
    days: Vec<hq_day::Model>,
    doctors: Vec<hq_doctor_day::Model>,
) -> Result<(), dcms_store::StoreError> {
    let _one_at_a_time = WRITES.lock().await;
    let mut tries = 0;
    loop {
        let attempt = async {
            let txn = store.begin_write().await?;
            dcms_store::hq::replace_days(
                &txn,
                clinic_id,
                (date_to_db(from), date_to_db(to)),
                days.clone(),
                doctors.clone(),
            )
            .await?;
            txn.commit().await?;
            Ok::<(), dcms_store::StoreError>(())
        };
        match attempt.await {
            Err(dcms_store::StoreError::Busy(_)) if tries < 3 => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(50 * tries)).await;
            }
            other => return other,
        }
    }
}

/// Reads and stores one clinic's days `from..=to`; Ok with the days read.
async fn pull(
    store: &Store,
    http: &reqwest::Client,
    clinic: &hq_clinic::Model,
    token: &str,
    (from, to): (Date, Date),
) -> Result<usize, SyncError> {
    let base = clinic.base_url.trim_end_matches('/');
    let mut start = from;
    let mut read = 0;
    while start <= to {
        let end = start
            .checked_add((CHUNK_DAYS - 1).days())
            .map_or(to, |e| e.min(to));
        let days: Vec<DayFigures> = get(
            http,
            format!("{base}/api/v1/reports/days?from={start}&to={end}"),
            Some(token),
        )
        .await?;
        let mut day_rows = Vec::with_capacity(days.len());
        let mut doctor_rows = Vec::new();
        for d in &days {
            day_rows.push(hq_day::Model {
                hq_day_id: 0,
                clinic_id: clinic.clinic_id,
                day: date_to_db(d.date),
                charges: d.charges,
                discounts: d.discounts,
                paid: d.paid,
                appointments: d.appointments.booked(),
                no_shows: d.appointments.no_show,
                came: d.appointments.came + d.appointments.finished,
                new_patients: d.new_patients,
            });
            for r in &d.doctors {
                doctor_rows.push(hq_doctor_day::Model {
                    hq_doctor_day_id: 0,
                    clinic_id: clinic.clinic_id,
                    day: date_to_db(d.date),
                    doctor_id: r.doctor_id,
                    doctor_name: r.name.clone(),
                    charges: r.charges,
                    discounts: r.discounts,
                    paid: r.paid,
                    appointments: r.appointments.booked(),
                    no_shows: r.appointments.no_show,
                    came: r.appointments.came + r.appointments.finished,
                });
            }
        }
        read += day_rows.len();
        store_days(store, clinic.clinic_id, (start, end), day_rows, doctor_rows)
            .await
            .map_err(|e| SyncError::Answer(format!("storing the figures: {e}")))?;
        start = end
            .checked_add(1.day())
            .map_err(|e| SyncError::Answer(e.to_string()))?;
    }
    Ok(read)
}

/// Syncs one clinic up to `today`; the first sync reads from `history_from` when given, else
/// from the clinic's first day (`GET /api/v1/reports/first-day`). The outcome is kept on the
/// clinic's row (last success or last error) and returned: the days read.
pub async fn sync_clinic(
    store: &Store,
    http: &reqwest::Client,
    key: &super::clinics::HqKey,
    clinic_id: i64,
    today: Date,
    history_from: Option<Date>,
) -> Result<Result<usize, SyncError>, ServiceError> {
    let mut clinic = dcms_store::hq::clinic(store.connection(), clinic_id)
        .await?
        .ok_or(ServiceError::NotFound("clinic"))?;
    let outcome = async {
        let sealed = clinic
            .session_token
            .clone()
            .ok_or(SyncError::NotConnected)?;
        let token = key
            .open(&sealed)
            .map_err(|e| SyncError::Answer(e.to_string()))?;
        let base = clinic.base_url.trim_end_matches('/').to_owned();
        let version: Version = get(http, format!("{base}/api/v1/version"), None).await?;
        clinic.api_revision = i32::try_from(version.api_revision).ok();
        if version.api_revision < MIN_API_REVISION {
            return Err(SyncError::TooOld(version.api_revision));
        }
        let from = match (clinic.synced_through, history_from) {
            (Some(done), _) => date_from_db(done)
                .checked_sub(REREAD_DAYS.days())
                .unwrap_or(today),
            (None, Some(from)) => from,
            (None, None) => {
                let first: FirstDay = get(
                    http,
                    format!("{base}/api/v1/reports/first-day"),
                    Some(&token),
                )
                .await?;
                first.first_day.unwrap_or(today).min(today)
            }
        };
        pull(store, http, &clinic, &token, (from, today)).await
    }
    .await;
    let at = now();
    match &outcome {
        Ok(_) => {
            clinic.synced_through = today.yesterday().ok().map(date_to_db);
            clinic.last_success_at = Some(at);
            clinic.last_error = None;
            clinic.last_error_at = None;
        }
        Err(SyncError::TooOld(0)) => {
            clinic.last_error = Some(SyncError::TooOld(0).to_string());
            clinic.last_error_at = Some(at);
        }
        Err(e) => {
            clinic.last_error = Some(e.to_string());
            clinic.last_error_at = Some(at);
        }
    }
    dcms_store::hq::save_clinic(store.connection(), clinic).await?;
    Ok(outcome)
}

/// Syncs every clinic, each on its own: one clinic's failure or slowness never stops the
/// others (they run at once, each with its time-out).
pub async fn sync_all(
    store: &Store,
    http: &reqwest::Client,
    key: &super::clinics::HqKey,
    today: Date,
    history_from: Option<Date>,
) -> Result<Vec<(i64, Result<usize, SyncError>)>, ServiceError> {
    let clinics = dcms_store::hq::clinics(store.connection()).await?;
    let mut runs = tokio::task::JoinSet::new();
    for c in clinics {
        let (store, http, key) = (store.clone(), http.clone(), key.clone());
        runs.spawn(async move {
            let outcome = sync_clinic(&store, &http, &key, c.clinic_id, today, history_from).await;
            (c.clinic_id, outcome)
        });
    }
    let mut done = Vec::new();
    while let Some(joined) = runs.join_next().await {
        let (id, outcome) =
            joined.map_err(|e| ServiceError::Internal(format!("a clinic's sync failed: {e}")))?;
        done.push((id, outcome?));
    }
    done.sort_by_key(|(id, _)| *id);
    Ok(done)
}
