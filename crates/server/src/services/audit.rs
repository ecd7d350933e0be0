//! The audit trail as the use cases see it: writes are recorded inside the use case's own
//! transaction ([`AuditTrail::record`]); reads of a patient's record are queued
//! ([`AuditTrail::record_read`]) and written in batches within a second by a background task,
//! so reading stays fast. `dcms_store::audit` holds the chain itself.

use super::ServiceError;
use dcms_store::Store;
use dcms_store::audit::{self as store_audit, AuditEntry, AuditFilter, AuditKey, VerifyReport};
use dcms_store::entity::audit_log;
use dcms_store::sea_orm::DatabaseTransaction;
use serde::Serialize;
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// Queued reads are written at most this long after the first of a batch was queued.
pub const FLUSH_AFTER: Duration = Duration::from_secs(1);
/// A batch is written at once when it holds this many reads.
pub const MAX_BATCH: usize = 500;
/// Reads the queue holds before [`AuditTrail::record_read`] has to wait for room.
const QUEUE_CAPACITY: usize = 10_000;
/// How long a read waits for room in a full queue before it is given up (and logged).
const FULL_QUEUE_WAIT: Duration = Duration::from_secs(5);
/// Attempts at writing one batch before its reads are given up (and logged).
const WRITE_ATTEMPTS: u32 = 5;

/// What the writer task receives.
enum Message {
    /// A read and when it was queued.
    Read(AuditEntry, Instant),
    /// Write everything queued before this, then answer.
    Flush(oneshot::Sender<()>),
    /// Write everything queued, then stop.
    Shutdown,
}

/// The clinic's audit trail: cheap to clone (everything is shared), lives in the app state.
#[derive(Debug, Clone)]
pub struct AuditTrail {
    store: Store,
    key: Arc<AuditKey>,
    queue: mpsc::Sender<Message>,
    writer: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl AuditTrail {
    /// Starts the background writer of buffered reads. Must be called inside a Tokio runtime;
    /// call [`AuditTrail::shutdown`] before the runtime ends so no queued read is lost.
    pub fn start(store: Store, key: AuditKey) -> AuditTrail {
        let key = Arc::new(key);
        let (queue, receiver) = mpsc::channel(QUEUE_CAPACITY);
        let writer = tokio::spawn(write_reads(store.clone(), key.clone(), receiver));
        AuditTrail {
            store,
            key,
            queue,
            writer: Arc::new(Mutex::new(Some(writer))),
        }
    }

    /// Records a write inside the use case's transaction `txn` (which on SQLite must come
    /// from `Store::begin_write`): the audit row commits or rolls back with the change.
    pub async fn record(
        &self,
        txn: &DatabaseTransaction,
        entry: AuditEntry,
    ) -> Result<(), ServiceError> {
        store_audit::append(txn, &self.key, entry).await?;
        Ok(())
    }

    /// Records many writes in order inside `txn`, like [`AuditTrail::record`] but in
    /// multi-row statements (an import's thousands of rows).
    pub async fn record_many(
        &self,
        txn: &DatabaseTransaction,
        entries: Vec<AuditEntry>,
    ) -> Result<(), ServiceError> {
        store_audit::append_many(txn, &self.key, entries).await?;
        Ok(())
    }

    /// Queues a `read` of one row (a patient's record) by a user in a session; it is written
    /// within [`FLUSH_AFTER`]. Never blocks and never fails the request.
    ///
    /// When the queue is full (the database is slow or down), the read is not dropped at once:
    /// a task waits up to five seconds for room, because a lost read is a gap in the record
    /// of who saw a patient's data, while a short wait costs nothing the caller sees. Only
    /// when that wait, or the writer itself, gives up is the read lost, and then it is logged
    /// at error level with who read what, so it survives in the server log. Outside a Tokio
    /// runtime, or after [`AuditTrail::shutdown`], a read that cannot be queued is logged
    /// the same way.
    pub fn record_read(
        &self,
        user_id: Option<i64>,
        session_token_id: Option<i64>,
        table_name: &'static str,
        row_id: i64,
    ) {
        self.record_soon(AuditEntry::read(
            user_id,
            session_token_id,
            table_name,
            row_id,
        ));
    }

    /// Queues an entry that belongs to no transaction of its own (a read, a failed login)
    /// to be written within [`FLUSH_AFTER`], as [`AuditTrail::record_read`] describes.
    pub fn record_soon(&self, entry: AuditEntry) {
        match self.queue.try_send(Message::Read(entry, Instant::now())) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(message)) => {
                tracing::warn!("the audit read queue is full; waiting for room");
                let queue = self.queue.clone();
                let Ok(runtime) = tokio::runtime::Handle::try_current() else {
                    if let Message::Read(entry, _) = message {
                        log_lost(
                            &[entry],
                            "the audit read queue is full and there is no runtime to wait in",
                        );
                    }
                    return;
                };
                runtime.spawn(async move {
                    if let Err(e) = queue.send_timeout(message, FULL_QUEUE_WAIT).await {
                        let message = match e {
                            mpsc::error::SendTimeoutError::Timeout(m)
                            | mpsc::error::SendTimeoutError::Closed(m) => m,
                        };
                        if let Message::Read(entry, _) = message {
                            log_lost(&[entry], "the audit read queue stayed full");
                        }
                    }
                });
            }
            Err(mpsc::error::TrySendError::Closed(message)) => {
                if let Message::Read(entry, _) = message {
                    log_lost(&[entry], "the audit trail has been shut down");
                }
            }
        }
    }

    /// Writes every read queued so far and waits until they are committed (or given up).
    /// Returns at once after [`AuditTrail::shutdown`].
    pub async fn flush(&self) {
        let (done, written) = oneshot::channel();
        if self.queue.send(Message::Flush(done)).await.is_ok() {
            let _ = written.await;
        }
    }

    /// Writes every queued read and stops the background writer, waiting for it to finish.
    /// Later reads are logged instead of written. Calling it again (from any clone) waits for
    /// the first call to finish and then returns.
    pub async fn shutdown(&self) {
        let mut writer = self.writer.lock().await;
        let Some(handle) = writer.take() else {
            return;
        };
        // Fails only if the writer is already gone.
        let _ = self.queue.send(Message::Shutdown).await;
        if let Err(e) = handle.await {
            tracing::error!(error = %e, "the audit read writer failed");
        }
    }

    /// Checks the whole chain (see `dcms_store::audit::verify`).
    pub async fn verify(&self) -> Result<VerifyReport, ServiceError> {
        Ok(store_audit::verify(self.store.connection(), &self.key).await?)
    }

    /// Audit rows matching `filter`, newest first.
    pub async fn list(&self, filter: &AuditFilter) -> Result<Vec<audit_log::Model>, ServiceError> {
        Ok(store_audit::list(self.store.connection(), filter).await?)
    }
}

/// The background writer: collects queued reads and writes them in one transaction when the
/// oldest has waited [`FLUSH_AFTER`] since it was queued, when [`MAX_BATCH`] are waiting, or
/// when asked to.
async fn write_reads(store: Store, key: Arc<AuditKey>, mut queue: mpsc::Receiver<Message>) {
    let mut batch: Vec<AuditEntry> = Vec::new();
    let mut deadline: Option<Instant> = None;
    loop {
        let message = match deadline {
            Some(at) => match tokio::time::timeout_at(at, queue.recv()).await {
                Ok(message) => message,
                Err(_elapsed) => {
                    write_batch(&store, &key, std::mem::take(&mut batch)).await;
                    deadline = None;
                    continue;
                }
            },
            None => queue.recv().await,
        };
        match message {
            Some(Message::Read(entry, queued_at)) => {
                if batch.is_empty() {
                    deadline = Some(queued_at + FLUSH_AFTER);
                }
                batch.push(entry);
                if batch.len() >= MAX_BATCH {
                    write_batch(&store, &key, std::mem::take(&mut batch)).await;
                    deadline = None;
                }
            }
            Some(Message::Flush(done)) => {
                write_batch(&store, &key, std::mem::take(&mut batch)).await;
                deadline = None;
                let _ = done.send(());
            }
            Some(Message::Shutdown) | None => {
                // Refuse new reads, then write what is already queued.
                queue.close();
                while let Some(message) = queue.recv().await {
                    match message {
                        Message::Read(entry, _) => batch.push(entry),
                        Message::Flush(done) => {
                            write_batch(&store, &key, std::mem::take(&mut batch)).await;
                            let _ = done.send(());
                        }
                        Message::Shutdown => {}
                    }
                    if batch.len() >= MAX_BATCH {
                        write_batch(&store, &key, std::mem::take(&mut batch)).await;
                    }
                }
                write_batch(&store, &key, batch).await;
                return;
            }
        }
    }
}

/// Writes one batch, retrying with a growing pause when the database fails; reads that
/// cannot be written are logged.
async fn write_batch(store: &Store, key: &AuditKey, batch: Vec<AuditEntry>) {
    if batch.is_empty() {
        return;
    }
    let mut pause = Duration::from_millis(100);
    for attempt in 1..=WRITE_ATTEMPTS {
        match store_audit::append_batch(store, key, batch.clone()).await {
            Ok(_) => return,
            Err(e) if attempt < WRITE_ATTEMPTS => {
                tracing::warn!(error = %e, attempt, reads = batch.len(), "writing audited reads failed; retrying");
                tokio::time::sleep(pause).await;
                pause *= 2;
            }
            Err(e) => {
                log_lost(&batch, &format!("writing them failed: {e}"));
                return;
            }
        }
    }
}

/// Logs reads that could not be written to the audit trail, so the server log keeps them.
fn log_lost(entries: &[AuditEntry], why: &str) {
    for entry in entries {
        tracing::error!(
            user_id = entry.user_id,
            session_token_id = entry.session_token_id,
            table = %entry.table_name,
            row_id = entry.row_id,
            action = %entry.action,
            "audit entry lost: {why}"
        );
    }
}

/// The changed fields of a row as `{field: [old, new]}`, comparing the JSON objects `before`
/// and `after` serialise to: a create has no `before` (old values are null), a delete no
/// `after` (new values are null). Fields named in `secret_fields` (`password_hash`,
/// `session_token_hash`) are left out; a field whose value did not change is left out too.
/// None when nothing is left.
///
/// A value that does not serialise to an object is compared as a whole, as the field `value`.
pub fn changes<T: Serialize>(
    before: Option<&T>,
    after: Option<&T>,
    secret_fields: &[&str],
) -> Option<Value> {
    let before = before.map(to_object).unwrap_or_default();
    let after = after.map(to_object).unwrap_or_default();
    let mut diff = Map::new();
    let fields = before
        .keys()
        .chain(after.keys().filter(|k| !before.contains_key(*k)));
    for field in fields {
        if secret_fields.contains(&field.as_str()) {
            continue;
        }
        let old = before.get(field).unwrap_or(&Value::Null);
        let new = after.get(field).unwrap_or(&Value::Null);
        if old != new {
            diff.insert(field.clone(), Value::Array(vec![old.clone(), new.clone()]));
        }
    }
    (!diff.is_empty()).then_some(Value::Object(diff))
}

/// The JSON object a value serialises to (see [`changes`]).
fn to_object<T: Serialize>(value: &T) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map,
        Ok(other) => Map::from_iter([("value".to_owned(), other)]),
        Err(e) => {
            tracing::error!(error = %e, "a value to audit does not serialise");
            Map::from_iter([(
                "value".to_owned(),
                Value::String(format!("<not serialisable: {e}>")),
            )])
        }
    }
}
