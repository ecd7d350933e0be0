//! The receipt worker: sends queued receipts to PosAPI, one at a time, oldest due first.
//!
//! **At most one receipt per payment.** A receipt is claimed (`queued -> sending`, its
//! attempt counted) in a transaction committed before PosAPI is called. A crash after that
//! leaves it `sending`; the next start puts it back to `queued` and it is sent again with the
//! same body, the same `billIdSuffix`, which PosAPI answers with the receipt it issued, not a
//! second one (docs/e-barimt.md). **Never lost**: the receipt row is written with the
//! payment, in its transaction; nothing but an answer from PosAPI ends it.
//!
//! A failure (PosAPI down, a time-out, HTTP 4xx/5xx, `status: ERROR`) goes back to `queued`
//! after a back-off (30 s, 2 min, 10 min, 30 min, 2 h by default) and, after the last attempt,
//! to `failed`: on the cashier's list until someone retries it. A return waits for the
//! receipt it returns to be issued. Once a day (local date), after the first poll that finds
//! PosAPI configured, `GET /rest/sendData` is called.

use super::client::{PosApi, PosError};
use super::config::EbarimtSettings;
use crate::services::Actor;
use crate::services::ServiceError;
use crate::services::audit::{AuditTrail, changes};
use dcms_domain::{ReceiptKind, ReceiptState};
use dcms_store::Store;
use dcms_store::audit::AuditEntry;
use dcms_store::entity::ebarimt_receipt;
use dcms_store::receipts::{self as repo, Change};
use dcms_store::sea_orm::DatabaseTransaction;
use dcms_store::time::{DbTimestamp, from_db, now, to_db};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::sync::watch;

/// How the worker runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EbarimtOptions {
    /// How often it looks for due receipts (default 5 s).
    pub poll: Duration,
    /// The waits before each retry; `backoff.len() + 1` attempts in all.
    pub backoff: Vec<Duration>,
    /// The longest wait for PosAPI's answer (default 15 s).
    pub timeout: Duration,
}

impl Default for EbarimtOptions {
    fn default() -> Self {
        EbarimtOptions {
            poll: Duration::from_secs(5),
            backoff: [30, 120, 600, 1800, 7200]
                .into_iter()
                .map(Duration::from_secs)
                .collect(),
            timeout: Duration::from_secs(15),
        }
    }
}

impl EbarimtOptions {
    /// The wait after the `attempts`-th failure, or None when it was the last.
    pub fn retry_after(&self, attempts: i32) -> Option<Duration> {
        let index = usize::try_from(attempts).ok()?.checked_sub(1)?;
        self.backoff.get(index).copied()
    }
}

fn later(at: DbTimestamp, wait: Duration) -> DbTimestamp {
    let wait = jiff::SignedDuration::try_from(wait).unwrap_or(jiff::SignedDuration::MAX);
    to_db(
        from_db(at)
            .checked_add(wait)
            .unwrap_or(jiff::Timestamp::MAX),
    )
}

fn audited(row: &ebarimt_receipt::Model) -> Value {
    json!({
        "state": ReceiptState::from_code(row.state),
        "attempts": row.attempts,
        "ebarimt_id": row.ebarimt_id,
        "lottery": row.lottery,
        "last_error": row.last_error,
    })
}

/// Moves one row and audits it, in `txn`; the row as it now is, or None when it was no
/// longer in `from`.
pub(super) async fn move_row(
    audit: &AuditTrail,
    txn: &DatabaseTransaction,
    actor: Actor,
    before: &ebarimt_receipt::Model,
    from: ReceiptState,
    to: ReceiptState,
    change: Change,
) -> Result<Option<ebarimt_receipt::Model>, ServiceError> {
    if !repo::transition(txn, before.receipt_id, from, to, change, now()).await? {
        return Ok(None);
    }
    let after = repo::find(txn, before.receipt_id)
        .await?
        .ok_or(ServiceError::NotFound("receipt"))?;
    let entry = AuditEntry::new("status", "ebarimt_receipt", Some(after.receipt_id))
        .with_changes(changes(Some(&audited(before)), Some(&audited(&after)), &[]));
    audit.record(txn, actor.stamp(entry)).await?;
    Ok(Some(after))
}

/// At start-up: receipts left in `sending` (the server stopped before PosAPI's answer was
/// recorded) are queued again, due now: resending the same `billIdSuffix` is safe.
pub async fn recover_interrupted(store: &Store, audit: &AuditTrail) -> Result<usize, ServiceError> {
    let txn = store.begin_write().await?;
    let mut count = 0;
    for row in repo::in_state(&txn, ReceiptState::Sending, 10_000).await? {
        let change = Change {
            next_attempt_at: Some(now()),
            last_error: Some(Some(
                "interrupted: the server stopped while sending; sent again".into(),
            )),
            ..Change::default()
        };
        let moved = move_row(
            audit,
            &txn,
            Actor::SYSTEM,
            &row,
            ReceiptState::Sending,
            ReceiptState::Queued,
            change,
        )
        .await?;
        count += usize::from(moved.is_some());
    }
    txn.commit().await.map_err(ServiceError::from)?;
    if count > 0 {
        tracing::warn!(
            count,
            "e-barimt receipts interrupted while sending are queued again"
        );
    }
    Ok(count)
}

/// What a claimed row is sent as.
enum Call {
    Issue(String),
    Return {
        id: String,
        date: Option<String>,
        target: Box<ebarimt_receipt::Model>,
    },
}

/// Claims the next due receipt (`queued -> sending`, committed). A return whose receipt is
/// not issued yet waits; one whose receipt is gone is canceled.
async fn claim(
    store: &Store,
    audit: &AuditTrail,
    options: &EbarimtOptions,
) -> Result<Option<(ebarimt_receipt::Model, Call)>, ServiceError> {
    for _ in 0..16 {
        let txn = store.begin_write().await?;
        let Some(row) = repo::next_due(&txn, now()).await? else {
            return Ok(None);
        };
        let mut call = Some(Call::Issue(row.request.clone()));
        if row.kind == ReceiptKind::Return.code() {
            let target = match row.returns_receipt_id {
                Some(id) => repo::find(&txn, id).await?,
                None => None,
            };
            let wait_or_cancel = match target.as_ref().map(|t| ReceiptState::from_code(t.state)) {
                Some(Some(ReceiptState::Done)) => None,
                Some(Some(ReceiptState::Queued | ReceiptState::Sending | ReceiptState::Failed)) => {
                    Some(ReceiptState::Queued)
                }
                _ => Some(ReceiptState::Canceled),
            };
            match (wait_or_cancel, target) {
                (None, Some(target)) => {
                    call = Some(Call::Return {
                        id: target.ebarimt_id.clone().unwrap_or_default(),
                        date: target.ebarimt_date.clone(),
                        target: Box::new(target),
                    });
                }
                (Some(to), _) => {
                    let change = Change {
                        next_attempt_at: Some(later(
                            now(),
                            options.poll.max(Duration::from_secs(1)) * 6,
                        )),
                        last_error: Some(Some(
                            "waiting: the receipt it returns is not issued yet".into(),
                        )),
                        ..Change::default()
                    };
                    if to == ReceiptState::Queued {
                        repo::transition(
                            &txn,
                            row.receipt_id,
                            ReceiptState::Queued,
                            to,
                            change,
                            now(),
                        )
                        .await?;
                    } else {
                        move_row(
                            audit,
                            &txn,
                            Actor::SYSTEM,
                            &row,
                            ReceiptState::Queued,
                            to,
                            Change::default(),
                        )
                        .await?;
                    }
                    txn.commit().await.map_err(ServiceError::from)?;
                    continue;
                }
                (None, None) => call = None,
            }
        }
        let Some(call) = call else { continue };
        let change = Change {
            count_attempt: true,
            ..Change::default()
        };
        if let Some(claimed) = move_row(
            audit,
            &txn,
            Actor::SYSTEM,
            &row,
            ReceiptState::Queued,
            ReceiptState::Sending,
            change,
        )
        .await?
        {
            txn.commit().await.map_err(ServiceError::from)?;
            return Ok(Some((claimed, call)));
        }
    }
    Ok(None)
}

/// Records PosAPI's answer for a claimed row, in one transaction.
async fn record(
    store: &Store,
    audit: &AuditTrail,
    options: &EbarimtOptions,
    row: &ebarimt_receipt::Model,
    call: &Call,
    outcome: Result<Option<super::client::Issued>, PosError>,
) -> Result<ReceiptState, ServiceError> {
    let txn = store.begin_write().await?;
    let at = now();
    let (to, change) = match outcome {
        Ok(issued) => {
            if let Call::Return { target, .. } = call {
                move_row(
                    audit,
                    &txn,
                    Actor::SYSTEM,
                    target,
                    ReceiptState::Done,
                    ReceiptState::Returned,
                    Change::default(),
                )
                .await?;
            }
            let change = Change {
                last_error: Some(None),
                issued: issued.map(|i| dcms_store::receipts::IssuedAnswer {
                    ebarimt_id: i.id,
                    lottery: i.lottery,
                    qr_data: i.qr_data,
                    date: i.date,
                }),
                issued_at: Some(at),
                ..Change::default()
            };
            (ReceiptState::Done, change)
        }
        Err(e) => match options.retry_after(row.attempts) {
            Some(wait) => (
                ReceiptState::Queued,
                Change {
                    next_attempt_at: Some(later(at, wait)),
                    last_error: Some(Some(e.to_string())),
                    ..Change::default()
                },
            ),
            None => (
                ReceiptState::Failed,
                Change {
                    last_error: Some(Some(e.to_string())),
                    ..Change::default()
                },
            ),
        },
    };
    move_row(
        audit,
        &txn,
        Actor::SYSTEM,
        row,
        ReceiptState::Sending,
        to,
        change,
    )
    .await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(to)
}

/// Sends one claimed row and records the answer (retrying the recording briefly: the
/// receipt is issued, its answer must be kept).
async fn send(
    store: &Store,
    audit: &AuditTrail,
    api: &PosApi,
    options: &EbarimtOptions,
    base: &str,
    row: &ebarimt_receipt::Model,
    call: &Call,
) -> Result<ReceiptState, ServiceError> {
    let outcome = match call {
        Call::Issue(body) => api.issue(base, body).await.map(Some),
        Call::Return { id, date, .. } => api
            .return_receipt(base, id, date.as_deref())
            .await
            .map(|()| None),
    };
    match &outcome {
        Ok(_) => tracing::info!(receipt_id = row.receipt_id, "e-barimt receipt done"),
        Err(e) => {
            tracing::warn!(receipt_id = row.receipt_id, error = %e, "e-barimt receipt not done")
        }
    }
    let mut tries = 0;
    loop {
        match record(store, audit, options, row, call, outcome.clone()).await {
            Ok(state) => return Ok(state),
            Err(e) if tries < 3 => {
                tries += 1;
                tracing::error!(error = %e, receipt_id = row.receipt_id, "recording a receipt failed; trying again");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Calls `GET /rest/sendData` once per local day.
async fn send_data_daily(store: &Store, api: &PosApi, base: &str) -> Result<(), ServiceError> {
    let clinic = crate::services::settings::get(store).await?;
    let today = jiff::Timestamp::now()
        .to_zoned(clinic.time_zone())
        .date()
        .to_string();
    let row = dcms_store::settings::load(store.connection()).await?;
    if row.ebarimt_data_sent_on.as_deref() == Some(today.as_str()) {
        return Ok(());
    }
    match api.send_data(base).await {
        Ok(()) => {
            let txn = store.begin_write().await?;
            let mut row = dcms_store::settings::load_for_update(&txn).await?;
            row.ebarimt_data_sent_on = Some(today);
            dcms_store::settings::save(&txn, row).await?;
            txn.commit().await.map_err(ServiceError::from)?;
            dcms_store::settings::forget_cached(store);
            tracing::info!("e-barimt: PosAPI sent the day's data");
        }
        Err(e) => tracing::warn!(error = %e, "e-barimt: sendData failed; tried again next poll"),
    }
    Ok(())
}

/// One poll: when the clinic receipts through PosAPI, send every due receipt (stopping
/// between receipts when `stop` says so), then the daily sendData.
pub async fn poll_once(
    store: &Store,
    audit: &AuditTrail,
    api: &PosApi,
    options: &EbarimtOptions,
    stop: &watch::Receiver<bool>,
) {
    let settings = match dcms_store::settings::load_cached(store).await {
        Ok(row) => EbarimtSettings::from_row(&row),
        Err(e) => {
            tracing::error!(error = %e, "e-barimt: reading the settings failed");
            return;
        }
    };
    let (true, Some(base)) = (settings.enabled, settings.url.as_deref()) else {
        return;
    };
    while !*stop.borrow() {
        match claim(store, audit, options).await {
            Ok(Some((row, call))) => {
                if let Err(e) = send(store, audit, api, options, base, &row, &call).await {
                    tracing::error!(error = %e, receipt_id = row.receipt_id, "recording a receipt failed; it is sent again after a restart");
                }
            }
            Ok(None) => break,
            Err(e) => {
                tracing::error!(error = %e, "claiming a receipt failed");
                return;
            }
        }
    }
    if let Err(e) = send_data_daily(store, api, base).await {
        tracing::error!(error = %e, "e-barimt: the daily sendData failed");
    }
}

/// The background task that sends receipts, started with the server.
#[derive(Debug)]
pub struct EbarimtWorker(crate::services::periodic::Periodic);

impl EbarimtWorker {
    /// Starts the task: first [`recover_interrupted`], then a poll every `options.poll`.
    pub fn start(store: Store, audit: AuditTrail, options: EbarimtOptions) -> EbarimtWorker {
        let api = PosApi::new(options.timeout);
        let (first_store, first_audit) = (store.clone(), audit.clone());
        let first = async move {
            if let Err(e) = recover_interrupted(&first_store, &first_audit).await {
                tracing::error!(error = %e, "queuing interrupted receipts again failed");
            }
        };
        let every = options.poll;
        EbarimtWorker(crate::services::periodic::Periodic::start(
            "e-barimt",
            every,
            first,
            move |stop| {
                let (store, audit, api, options) =
                    (store.clone(), audit.clone(), api.clone(), options.clone());
                async move { poll_once(&store, &audit, &api, &options, &stop).await }
            },
        ))
    }

    /// Stops the task and waits for it (after the receipt in hand, if any).
    pub async fn shutdown(self) {
        self.0.shutdown().await;
    }
}
