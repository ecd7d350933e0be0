//! The outbox worker: sends queued SMS through the clinic's gateway, at most once.
//!
//! States (`sms_outbox.state`): `queued -> sending -> sent`; a definite failure goes back to
//! `queued` with a back-off (by default 1, 5 and 30 minutes) and, after the last attempt,
//! to `failed`; an indefinite one (the provider may have sent it) goes to `unknown`, as does
//! a message found in `sending` at start-up (a crash interrupted it). Neither `failed` nor
//! `unknown` is ever sent again automatically: a person checks.
//!
//! **At most once.** A message is claimed, moved to `sending` and its attempt counted, in a
//! transaction of its own that is committed *before* the provider is called. Whatever
//! happens after that (a crash, a kill, a power cut), the row says `sending`, and the next
//! start turns it into `unknown` instead of sending it again. The claim is a guarded
//! `UPDATE ... WHERE state = queued` (`dcms_store::outbox::transition`), so two workers on one
//! database never both take a message.
//!
//! A sent message becomes an `sms` row (direction out, contact resolved from the number) in
//! the same transaction that marks it `sent`. Every state change is audited (table
//! `sms_outbox`, no user).
//!
//! The worker also runs the reminders ([`super::reminders::run`]) once per poll.

use super::audit::{AuditTrail, changes};
use super::reminders::{self, audited};
use super::sms_gateway::{GatewayError, OutgoingSms, SmsGateway};
use super::{Actor, ServiceError};
use dcms_domain::{AppointmentStatus, Direction, SmsState};
use dcms_store::Store;
use dcms_store::audit::AuditEntry;
use dcms_store::comms::{self as comms_repo, NewSms};
use dcms_store::entity::sms_outbox;
use dcms_store::outbox::{self as repo, Change};
use dcms_store::time::{DbTimestamp, from_db, now, to_db};
use std::time::Duration;
use tokio::sync::watch;

/// How the worker runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxOptions {
    /// How often it looks for due messages and reminders (default 5 s).
    pub poll: Duration,
    /// The wait before each retry after a definite failure; a message gets
    /// `backoff.len() + 1` attempts in all (default 1 min, 5 min, 30 min: four attempts).
    pub backoff: Vec<Duration>,
}

impl Default for OutboxOptions {
    fn default() -> Self {
        OutboxOptions {
            poll: Duration::from_secs(5),
            backoff: vec![
                Duration::from_secs(60),
                Duration::from_secs(5 * 60),
                Duration::from_secs(30 * 60),
            ],
        }
    }
}

impl OutboxOptions {
    /// How many times a message is tried before it is `failed`.
    pub fn max_attempts(&self) -> i32 {
        i32::try_from(self.backoff.len()).unwrap_or(i32::MAX - 1) + 1
    }

    /// The wait after the `attempts`-th definite failure, or None when it was the last.
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

/// Records one state change of an outbox row in `txn`.
async fn record(
    audit: &AuditTrail,
    txn: &dcms_store::sea_orm::DatabaseTransaction,
    before: &sms_outbox::Model,
    after: &sms_outbox::Model,
) -> Result<(), ServiceError> {
    let entry = AuditEntry::new("status", "sms_outbox", Some(after.sms_outbox_id))
        .with_changes(changes(Some(&audited(before)), Some(&audited(after)), &[]));
    audit.record(txn, Actor::SYSTEM.stamp(entry)).await
}

/// Moves one row from `from` to `to` and audits it, in `txn`; the row as it now is, or None
/// when it was no longer in `from`.
async fn move_row(
    audit: &AuditTrail,
    txn: &dcms_store::sea_orm::DatabaseTransaction,
    before: &sms_outbox::Model,
    from: SmsState,
    to: SmsState,
    change: Change,
) -> Result<Option<sms_outbox::Model>, ServiceError> {
    if !repo::transition(txn, before.sms_outbox_id, from, to, change, now()).await? {
        return Ok(None);
    }
    let after = repo::find(txn, before.sms_outbox_id)
        .await?
        .ok_or(ServiceError::NotFound("sms_outbox"))?;
    record(audit, txn, before, &after).await?;
    Ok(Some(after))
}

/// At start-up: every message left in `sending` (the server stopped between handing it to
/// the provider and recording the answer) becomes `unknown`; none is resent. Returns how many.
pub async fn recover_interrupted(store: &Store, audit: &AuditTrail) -> Result<usize, ServiceError> {
    let txn = store.begin_write().await?;
    let mut count = 0;
    for row in repo::in_state(&txn, SmsState::Sending).await? {
        let change = Change {
            last_error: Some(Some(
                "interrupted while sending (the server stopped before the provider answered): check with the provider before sending it again".into(),
            )),
            ..Change::default()
        };
        if move_row(
            audit,
            &txn,
            &row,
            SmsState::Sending,
            SmsState::Unknown,
            change,
        )
        .await?
        .is_some()
        {
            count += 1;
        }
    }
    txn.commit().await.map_err(ServiceError::from)?;
    if count > 0 {
        tracing::warn!(
            count,
            "SMS left in sending by a stop are now unknown: check them"
        );
    }
    Ok(count)
}

/// Why a queued reminder should no longer go out: its appointment was canceled (or is a
/// no-show, or past in any other way) or moved to another time.
fn stale_reminder(
    row: &sms_outbox::Model,
    appointment: Option<&dcms_store::entity::appointment::Model>,
) -> Option<String> {
    let appointment = appointment?;
    match AppointmentStatus::from_code(appointment.status) {
        Some(AppointmentStatus::Reserved | AppointmentStatus::Confirmed) => {}
        Some(AppointmentStatus::Canceled) => return Some("canceled".into()),
        Some(other) => return Some(format!("appointment {other}")),
        None => return Some("appointment status unknown".into()),
    }
    (row.reminder_for_start_at
        .is_some_and(|at| at != appointment.start_at))
    .then(|| "moved".to_owned())
}

/// Claims the next due message: moves it to `sending` (counting the attempt) and commits.
/// Reminders that are no longer wanted are marked `failed` on the way. None when nothing is
/// due (or another worker took what was).
pub async fn claim(
    store: &Store,
    audit: &AuditTrail,
) -> Result<Option<sms_outbox::Model>, ServiceError> {
    // A few rounds: a stale reminder, or a row another worker took first, does not end
    // the search. Each round is its own transaction, so each sees what others committed.
    for _ in 0..8 {
        let txn = store.begin_write().await?;
        let Some(row) = repo::next_due(&txn, now()).await? else {
            return Ok(None);
        };
        if let Some(appointment_id) = row.appointment_id {
            let appointment = repo::appointment(&txn, appointment_id).await?;
            if let Some(reason) = stale_reminder(&row, appointment.as_ref()) {
                let change = Change {
                    last_error: Some(Some(reason)),
                    ..Change::default()
                };
                move_row(
                    audit,
                    &txn,
                    &row,
                    SmsState::Queued,
                    SmsState::Failed,
                    change,
                )
                .await?;
                txn.commit().await.map_err(ServiceError::from)?;
                continue;
            }
        }
        let change = Change {
            count_attempt: true,
            ..Change::default()
        };
        if let Some(claimed) = move_row(
            audit,
            &txn,
            &row,
            SmsState::Queued,
            SmsState::Sending,
            change,
        )
        .await?
        {
            txn.commit().await.map_err(ServiceError::from)?;
            return Ok(Some(claimed));
        }
        // Taken by another worker: dropping `txn` rolls back; look again.
    }
    Ok(None)
}

/// Records the provider's answer for a claimed (`sending`) message, in one transaction.
async fn record_outcome(
    store: &Store,
    audit: &AuditTrail,
    options: &OutboxOptions,
    row: &sms_outbox::Model,
    outcome: &Result<(), GatewayError>,
) -> Result<SmsState, ServiceError> {
    let txn = store.begin_write().await?;
    let at = now();
    let (to, change) = match outcome {
        Ok(()) => {
            let resolution = super::comms::resolve(&txn, &row.phone_number).await?;
            let sms = comms_repo::insert_sms(
                &txn,
                NewSms {
                    phone_number: row.phone_number.clone(),
                    direction: Direction::Out.code(),
                    time: at,
                    subject: row.subject.clone(),
                    sms_text: row.sms_text.clone(),
                    contact_type: resolution.contact_type.code(),
                    contacter_id: resolution.contacter_id,
                    note: None,
                },
            )
            .await?;
            let entry = AuditEntry::new("create", "sms", Some(sms.sms_id)).with_changes(changes(
                None,
                Some(&serde_json::json!({
                    "phone_number": sms.phone_number,
                    "direction": "out",
                    "contact_type": resolution.contact_type.as_str(),
                    "contacter_id": sms.contacter_id,
                    "sms_outbox_id": row.sms_outbox_id,
                })),
                &[],
            ));
            audit.record(&txn, Actor::SYSTEM.stamp(entry)).await?;
            let change = Change {
                sms_id: Some(sms.sms_id),
                last_error: Some(None),
                ..Change::default()
            };
            (SmsState::Sent, change)
        }
        Err(GatewayError::Definite(reason)) => match options.retry_after(row.attempts) {
            Some(wait) => (
                SmsState::Queued,
                Change {
                    next_attempt_at: Some(later(at, wait)),
                    last_error: Some(Some(reason.clone())),
                    ..Change::default()
                },
            ),
            None => (
                SmsState::Failed,
                Change {
                    last_error: Some(Some(reason.clone())),
                    ..Change::default()
                },
            ),
        },
        Err(GatewayError::Indefinite(reason)) => (
            SmsState::Unknown,
            Change {
                last_error: Some(Some(reason.clone())),
                ..Change::default()
            },
        ),
    };
    if move_row(audit, &txn, row, SmsState::Sending, to, change)
        .await?
        .is_none()
    {
        // Someone else moved it meanwhile (another server's start-up made it unknown):
        // leave it as they left it, for the person who checks.
        tracing::warn!(
            sms_outbox_id = row.sms_outbox_id,
            "the message left sending while it was being sent; its outcome is not recorded"
        );
        return Ok(SmsState::Unknown);
    }
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(to)
}

/// Sends one claimed message and records the outcome. If the outcome cannot be written (the
/// database is down) it is tried again a few times; failing that, the row stays `sending`
/// and becomes `unknown` at the next start, never resent.
pub async fn deliver<G: SmsGateway>(
    store: &Store,
    audit: &AuditTrail,
    gateway: &G,
    options: &OutboxOptions,
    row: &sms_outbox::Model,
) -> Result<SmsState, ServiceError> {
    let message = OutgoingSms {
        to: row.phone_number.clone(),
        text: row.sms_text.clone(),
        idempotency_key: row.idempotency_key.clone(),
        subject: row.subject.clone(),
    };
    let outcome = gateway.send(&message).await;
    match &outcome {
        Ok(d) => {
            tracing::info!(sms_outbox_id = row.sms_outbox_id, answer = %d.provider_answer, "SMS sent")
        }
        Err(e) => tracing::warn!(sms_outbox_id = row.sms_outbox_id, error = %e, "SMS not sent"),
    }
    let outcome = outcome.map(|_| ());
    let mut tries = 0;
    loop {
        match record_outcome(store, audit, options, row, &outcome).await {
            Ok(state) => return Ok(state),
            Err(e) if tries < 3 => {
                tries += 1;
                tracing::error!(error = %e, sms_outbox_id = row.sms_outbox_id, "recording an SMS outcome failed; trying again");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// One poll: queue due reminders, then send every due message, stopping early (between
/// messages, never during one) when `stop` says so.
pub async fn poll_once<G: SmsGateway>(
    store: &Store,
    audit: &AuditTrail,
    gateway: &G,
    options: &OutboxOptions,
    stop: &watch::Receiver<bool>,
) {
    if let Err(e) = reminders::run(store, audit, jiff::Timestamp::now()).await {
        tracing::error!(error = %e, "queuing reminders failed");
    }
    while !*stop.borrow() {
        match claim(store, audit).await {
            Ok(Some(row)) => {
                if let Err(e) = deliver(store, audit, gateway, options, &row).await {
                    tracing::error!(error = %e, sms_outbox_id = row.sms_outbox_id, "recording an SMS outcome failed; it stays sending");
                }
            }
            Ok(None) => return,
            Err(e) => {
                tracing::error!(error = %e, "claiming an SMS failed");
                return;
            }
        }
    }
}

/// The background task that sends the outbox and queues reminders, started with the server.
/// Stop it with [`OutboxWorker::shutdown`]: a message being sent is finished first.
#[derive(Debug)]
pub struct OutboxWorker(super::periodic::Periodic);

impl OutboxWorker {
    /// Starts the task (inside a Tokio runtime): first [`recover_interrupted`], then a poll
    /// every `options.poll`.
    pub fn start<G: SmsGateway + 'static>(
        store: Store,
        audit: AuditTrail,
        gateway: G,
        options: OutboxOptions,
    ) -> OutboxWorker {
        let (first_store, first_audit) = (store.clone(), audit.clone());
        let first = async move {
            if let Err(e) = recover_interrupted(&first_store, &first_audit).await {
                tracing::error!(error = %e, "marking interrupted SMS unknown failed");
            }
        };
        let gateway = std::sync::Arc::new(gateway);
        let every = options.poll;
        OutboxWorker(super::periodic::Periodic::start(
            "SMS outbox",
            every,
            first,
            move |stop| {
                let (store, audit, gateway, options) = (
                    store.clone(),
                    audit.clone(),
                    gateway.clone(),
                    options.clone(),
                );
                async move { poll_once(&store, &audit, gateway.as_ref(), &options, &stop).await }
            },
        ))
    }

    /// Stops the task and waits for it to end (after the message in hand, if any).
    pub async fn shutdown(self) {
        self.0.shutdown().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_then_failed() {
        let options = OutboxOptions::default();
        assert_eq!(options.max_attempts(), 4);
        assert_eq!(options.retry_after(1), Some(Duration::from_secs(60)));
        assert_eq!(options.retry_after(2), Some(Duration::from_secs(300)));
        assert_eq!(options.retry_after(3), Some(Duration::from_secs(1800)));
        assert_eq!(options.retry_after(4), None);
        assert_eq!(options.retry_after(0), None);
    }
}
