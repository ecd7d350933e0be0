//! The stored `status` column of every patient, refreshed at start-up and daily so that plain
//! SQL agrees with what the API computes when a patient is read.

use super::REFRESH_BATCH;
use crate::services::ServiceError;
use crate::services::settings;
use dcms_domain::PatientStatus;
use dcms_store::Store;
use dcms_store::patients as repo;
use dcms_store::time::to_db;
use jiff::civil::Date;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The first instant of `date` in `zone`.
fn start_of(date: Date, zone: &jiff::tz::TimeZone) -> Result<jiff::Timestamp, ServiceError> {
    date.to_zoned(zone.clone())
        .and_then(|z| z.start_of_day())
        .map(|z| z.timestamp())
        .map_err(|e| ServiceError::Internal(format!("the start of {date}: {e}")))
}

/// Recomputes the stored `status` of every patient for `today` in the clinic's time zone,
/// from the last visit (`last_seen_at`, or `created_at` when there was none), exactly as
/// [`PatientStatus::from_last_visit`] does when a patient is read: so plain SQL on the
/// column agrees with the API. Works through the patients by id, [`REFRESH_BATCH`] at a time,
/// one short transaction per batch, each status set by one `UPDATE` comparing the last visit
/// with the first instant of the period's first day. Not audited: the column is derived, no
/// fact changes. Returns how many rows changed.
pub async fn refresh_statuses(store: &Store, today: Date) -> Result<u64, ServiceError> {
    let zone = settings::get(store).await?.time_zone();
    // Each status holds from the first instant of its period's first day (the domain's
    // periods) up to the next newer one's.
    let mut periods = Vec::new();
    let mut until = None;
    for (status, first_day) in PatientStatus::period_starts(today) {
        let since = to_db(start_of(first_day, &zone)?);
        periods.push((Some(since), until, status));
        until = Some(since);
    }
    periods.push((None, until, PatientStatus::Older));
    let Some(max_id) = repo::max_id(store.connection()).await? else {
        return Ok(0);
    };
    let mut changed = 0;
    let mut from = 0;
    while from <= max_id {
        let to = from.saturating_add(REFRESH_BATCH);
        let txn = store.begin_write().await?;
        for &(since, until, status) in &periods {
            changed +=
                repo::set_status_where_last_visit(&txn, (from, to), since, until, status.code())
                    .await?;
        }
        txn.commit().await.map_err(ServiceError::from)?;
        from = to;
    }
    Ok(changed)
}

/// Refreshes the stored statuses for today in the clinic's time zone.
async fn refresh_now(store: &Store) -> Result<u64, ServiceError> {
    let today = settings::get(store).await?.now_local().date();
    refresh_statuses(store, today).await
}

/// The background task that refreshes the stored statuses at start-up and then every
/// [`REFRESH_PERIOD`]. Stop it with [`StatusRefresher::shutdown`] (dropping it stops it too).
#[derive(Debug)]
pub struct StatusRefresher {
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl StatusRefresher {
    /// Starts the task (inside a Tokio runtime).
    pub fn start(store: Store, period: Duration) -> StatusRefresher {
        let (stop, mut stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(period);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = &mut stopped => return,
                    _ = ticks.tick() => {}
                }
                // A refresh cut short by shutdown loses nothing: each batch is its own
                // transaction, and an unfinished one rolls back.
                tokio::select! {
                    _ = &mut stopped => return,
                    result = refresh_now(&store) => match result {
                        Ok(changed) => tracing::info!(changed, "patient statuses refreshed"),
                        Err(e) => tracing::error!(error = %e, "refreshing patient statuses failed"),
                    },
                }
            }
        });
        StatusRefresher {
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stops the task and waits for it to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take()
            && let Err(e) = task.await
        {
            tracing::error!(error = %e, "the patient status task failed");
        }
    }
}
