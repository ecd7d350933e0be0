//! The audit trail (`audit_log`): who did what to which row, when, as an append-only chain of
//! rows each carrying an HMAC-SHA256 over its own columns and the previous row's HMAC.
//!
//! The key lives outside the database (a key file, see [`AuditKey::load_or_create`]), so
//! someone with only database access cannot edit, delete or insert rows without [`verify`]
//! noticing:
//!
//! * an edited row no longer matches its HMAC;
//! * a deleted row leaves a gap in the ids (appends always use the chain head's
//!   `last_audit_id + 1`, never the database's auto-increment);
//! * a deleted newest row no longer matches the chain head (`audit_chain_head`).
//!
//! What the chain cannot show on its own: someone with database access who deletes the newest
//! rows *and* rewinds the head to an earlier row (truncation). Comparing the head against a
//! copy kept elsewhere (a backup, a log line of the last verify) catches that.
//!
//! Appends take the chain head with `SELECT ... FOR UPDATE` (PostgreSQL, MariaDB/MySQL); on
//! SQLite, which has no row locks, the caller's transaction must come from
//! [`Store::begin_write`], which already holds the database's write lock. Even without the
//! lock the chain cannot fork: two appenders that read the same head would insert the same
//! primary key, and the second one fails.
//!
//! This module has no function that updates or deletes audit rows, by design.

use crate::entity::{audit_chain_head, audit_log};
use crate::time::{DbTimestamp, now};
use crate::{Store, StoreError};
use chrono::SecondsFormat;
use hmac::{Hmac, KeyInit, Mac};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use sha2::Sha256;
use std::fmt;
use std::path::Path;

/// The chain head's primary key: the table has exactly one row.
const HEAD_ID: i64 = 1;
/// Rows read per query while verifying.
const VERIFY_PAGE: u64 = 1000;
/// Rows per INSERT statement (9 parameters each, well under every backend's limit). Large:
/// on PostgreSQL every multi-row statement costs some 45 ms more than the server spends on
/// it (a 5 000-patient import appends 15 000 rows), so fewer statements are faster.
const INSERT_CHUNK: usize = 1000;
/// Widest `action` the column holds.
const MAX_ACTION_LEN: usize = 32;
/// Widest `table_name` the column holds.
const MAX_TABLE_NAME_LEN: usize = 64;
/// Names the canonical encoding, so a future change of format cannot be confused with this one.
const CANONICAL_VERSION: &[u8] = b"dcms-audit-v1\n";

/// Common values of `audit_log.action`.
pub mod action {
    pub const CREATE: &str = "create";
    pub const UPDATE: &str = "update";
    pub const DELETE: &str = "delete";
    pub const READ: &str = "read";
}

/// The secret that keys the audit chain's HMACs: 32 bytes kept outside the database.
///
/// `Debug` never shows the bytes.
#[derive(Clone)]
pub struct AuditKey([u8; 32]);

impl fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuditKey(<redacted>)")
    }
}

impl AuditKey {
    /// A key from its raw bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> AuditKey {
        AuditKey(bytes)
    }

    /// A fresh random key from the operating system's generator.
    pub fn generate() -> AuditKey {
        AuditKey(crate::key_file::generate())
    }

    /// Reads the key file at `path` (64 hexadecimal digits, an optional trailing newline), or
    /// creates it with a fresh random key when it does not exist (mode 0600 on Unix).
    ///
    /// A file that exists but does not hold exactly a key is an error: it is never replaced,
    /// since a new key would make the whole existing chain fail verification.
    pub fn load_or_create(path: &Path) -> Result<AuditKey, StoreError> {
        crate::key_file::load_or_create(path, "audit").map(AuditKey)
    }

    /// HMAC-SHA256 of `message` under this key, as lower-case hex.
    fn mac_hex(&self, message: &[u8]) -> String {
        // HMAC pads a key shorter than the hash's block to the block size with zeros, so this
        // is HMAC with the 32-byte key itself; building the padded key avoids a fallible call.
        let mut block_key = hmac::digest::Key::<Hmac<Sha256>>::default();
        block_key[..self.0.len()].copy_from_slice(&self.0);
        let mut mac = <Hmac<Sha256> as KeyInit>::new(&block_key);
        mac.update(message);
        to_hex(&mac.finalize().into_bytes())
    }
}

use crate::key_file::to_hex;

/// What to record: who (user and session, when known), what (action, table, row) and the
/// changed fields. The id, time and HMAC are added by [`append`].
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub user_id: Option<i64>,
    pub session_token_id: Option<i64>,
    /// `create`, `update`, `delete`, `read` (see [`action`]) or a named action; at most 32
    /// characters.
    pub action: String,
    /// The seed's table name; at most 64 characters.
    pub table_name: String,
    pub row_id: Option<i64>,
    /// `{field: [old, new]}` with secrets left out.
    pub changes: Option<serde_json::Value>,
}

impl AuditEntry {
    /// An entry without actor or changes; add them with [`AuditEntry::by`] and
    /// [`AuditEntry::with_changes`].
    pub fn new(
        action: impl Into<String>,
        table_name: impl Into<String>,
        row_id: Option<i64>,
    ) -> AuditEntry {
        AuditEntry {
            user_id: None,
            session_token_id: None,
            action: action.into(),
            table_name: table_name.into(),
            row_id,
            changes: None,
        }
    }

    /// A `read` of one row by a user in a session.
    pub fn read(
        user_id: Option<i64>,
        session_token_id: Option<i64>,
        table_name: impl Into<String>,
        row_id: i64,
    ) -> AuditEntry {
        AuditEntry::new(action::READ, table_name, Some(row_id)).by(user_id, session_token_id)
    }

    /// Sets who acted.
    pub fn by(mut self, user_id: Option<i64>, session_token_id: Option<i64>) -> AuditEntry {
        self.user_id = user_id;
        self.session_token_id = session_token_id;
        self
    }

    /// Sets the changed fields.
    pub fn with_changes(mut self, changes: Option<serde_json::Value>) -> AuditEntry {
        self.changes = changes;
        self
    }
}

/// The bytes an audit row's HMAC covers: a version tag, the previous row's HMAC (hex; empty
/// for the first row), then every column of the row but `hmac`, each written as
/// `<byte length>:<bytes>\n` so no two different rows encode alike. `at` is RFC 3339 in UTC
/// with six fractional digits; an absent value is the empty string (never a valid number or
/// JSON text, so it cannot be confused with a present one).
fn canonical_bytes(prev_hmac: &str, row: &audit_log::Model) -> Vec<u8> {
    fn opt(v: Option<i64>) -> String {
        v.map(|v| v.to_string()).unwrap_or_default()
    }
    let fields: [String; 8] = [
        row.audit_id.to_string(),
        row.at.to_rfc3339_opts(SecondsFormat::Micros, true),
        opt(row.user_id),
        opt(row.session_token_id),
        row.action.clone(),
        row.table_name.clone(),
        opt(row.row_id),
        row.changes.clone().unwrap_or_default(),
    ];
    let fields = std::iter::once(prev_hmac).chain(fields.iter().map(String::as_str));
    let mut out = CANONICAL_VERSION.to_vec();
    for field in fields {
        out.extend_from_slice(field.len().to_string().as_bytes());
        out.push(b':');
        out.extend_from_slice(field.as_bytes());
        out.push(b'\n');
    }
    out
}

/// The HMAC `row` must carry when it follows a row whose HMAC is `prev_hmac`.
fn row_hmac(key: &AuditKey, prev_hmac: &str, row: &audit_log::Model) -> String {
    key.mac_hex(&canonical_bytes(prev_hmac, row))
}

/// Reads the chain head, locked for the rest of `txn` where the database has row locks.
async fn locked_head(txn: &DatabaseTransaction) -> Result<audit_chain_head::Model, StoreError> {
    audit_chain_head::Entity::find_by_id(HEAD_ID)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or_else(missing_head)
}

fn missing_head() -> StoreError {
    StoreError::Database(DbErr::Custom(
        "the audit chain head row (audit_chain_head, head_id 1) is missing".to_owned(),
    ))
}

/// Appends one row to the audit trail inside the caller's transaction and returns its id.
///
/// Takes the chain head under a row lock (on SQLite: `txn` must come from
/// [`Store::begin_write`]), gives the row the id after the head's, stamps it with the current
/// time (microseconds) and its chained HMAC, and moves the head to it. The row becomes
/// visible when, and only if, the caller commits.
pub async fn append(
    txn: &DatabaseTransaction,
    key: &AuditKey,
    entry: AuditEntry,
) -> Result<i64, StoreError> {
    append_many(txn, key, vec![entry])
        .await?
        .ok_or_else(|| invalid_entry("no audit row was appended".to_owned()))
}

/// Appends `entries` in order inside the caller's transaction, like [`append`] but taking
/// the chain head once and inserting in multi-row statements; the rows share one `at`.
/// Returns the id of the last row, or None when `entries` is empty. Every entry is checked
/// before anything is written.
pub async fn append_many(
    txn: &DatabaseTransaction,
    key: &AuditKey,
    entries: Vec<AuditEntry>,
) -> Result<Option<i64>, StoreError> {
    if entries.is_empty() {
        return Ok(None);
    }
    let mut checked = Vec::with_capacity(entries.len());
    for entry in entries {
        checked.push(check_entry(entry)?);
    }

    let head = locked_head(txn).await?;
    // Taken after the lock, so times follow the ids (as far as the clock allows).
    let at = now();
    let mut prev_hmac = head.last_hmac;
    let mut audit_id = head.last_audit_id;
    let mut rows = Vec::with_capacity(checked.len());
    for (entry, changes) in checked {
        audit_id += 1;
        let mut row = audit_log::Model {
            audit_id,
            at,
            user_id: entry.user_id,
            session_token_id: entry.session_token_id,
            action: entry.action,
            table_name: entry.table_name,
            row_id: entry.row_id,
            changes,
            hmac: String::new(),
        };
        row.hmac = row_hmac(key, &prev_hmac, &row);
        prev_hmac.clone_from(&row.hmac);
        rows.push(row);
    }

    for chunk in rows.chunks(INSERT_CHUNK) {
        audit_log::Entity::insert_many(chunk.iter().map(|row| audit_log::ActiveModel {
            audit_id: Set(row.audit_id),
            at: Set(row.at),
            user_id: Set(row.user_id),
            session_token_id: Set(row.session_token_id),
            action: Set(row.action.clone()),
            table_name: Set(row.table_name.clone()),
            row_id: Set(row.row_id),
            changes: Set(row.changes.clone()),
            hmac: Set(row.hmac.clone()),
        }))
        .exec_without_returning(txn)
        .await?;
    }

    let moved = audit_chain_head::Entity::update_many()
        .col_expr(audit_chain_head::Column::LastAuditId, Expr::value(audit_id))
        .col_expr(audit_chain_head::Column::LastHmac, Expr::value(prev_hmac))
        .filter(audit_chain_head::Column::HeadId.eq(HEAD_ID))
        .filter(audit_chain_head::Column::LastAuditId.eq(head.last_audit_id))
        .exec(txn)
        .await?;
    if moved.rows_affected != 1 {
        return Err(StoreError::Database(DbErr::Custom(
            "the audit chain head moved during an append".to_owned(),
        )));
    }
    Ok(Some(audit_id))
}

/// Checks an entry fits the columns; returns it with its changes as JSON text.
fn check_entry(entry: AuditEntry) -> Result<(AuditEntry, Option<String>), StoreError> {
    if entry.action.is_empty() || entry.action.chars().count() > MAX_ACTION_LEN {
        return Err(invalid_entry(format!(
            "audit action must be 1 to {MAX_ACTION_LEN} characters, got '{}'",
            entry.action
        )));
    }
    if entry.table_name.is_empty() || entry.table_name.chars().count() > MAX_TABLE_NAME_LEN {
        return Err(invalid_entry(format!(
            "audit table name must be 1 to {MAX_TABLE_NAME_LEN} characters, got '{}'",
            entry.table_name
        )));
    }
    let changes = entry
        .changes
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| invalid_entry(format!("audit changes are not serialisable: {e}")))?;
    Ok((entry, changes))
}

fn invalid_entry(message: String) -> StoreError {
    StoreError::Database(DbErr::Custom(message))
}

/// Appends `entries` in order in one write transaction of their own (the buffered reads).
/// Returns the id of the last row appended, or None when `entries` is empty.
pub async fn append_batch(
    store: &Store,
    key: &AuditKey,
    entries: Vec<AuditEntry>,
) -> Result<Option<i64>, StoreError> {
    if entries.is_empty() {
        return Ok(None);
    }
    let txn = store.begin_write().await?;
    let last = append_many(&txn, key, entries).await?;
    txn.commit().await?;
    Ok(last)
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Rows whose HMAC was checked and found good (all of them when the chain is intact).
    pub rows_checked: u64,
    /// The first row that fails: an edited row; the first missing id of a gap; when the head
    /// names rows the log lacks (deleted newest rows), the first of them (the head's
    /// `last_audit_id` when one row is gone); the first row past the head when the log runs
    /// beyond it; the newest row when only the head's HMAC disagrees. None when the chain is
    /// intact, and when the head row itself is missing.
    pub first_bad_row: Option<i64>,
    /// What failed, in one line; None when the chain is intact.
    pub problem: Option<String>,
}

impl VerifyReport {
    /// Whether the chain is intact.
    pub fn is_ok(&self) -> bool {
        self.problem.is_none()
    }
}

/// Where a walk along the chain has got to.
struct Walk {
    /// The id of the last row read (None before the first).
    last_id: Option<i64>,
    /// The HMAC of the last row read (empty before the first).
    prev_hmac: String,
    rows_checked: u64,
}

impl Walk {
    fn expected_next(&self) -> i64 {
        self.last_id.map_or(1, |id| id + 1)
    }

    fn fail(&self, row: i64, problem: String) -> VerifyReport {
        VerifyReport {
            rows_checked: self.rows_checked,
            first_bad_row: Some(row),
            problem: Some(problem),
        }
    }

    /// Checks every row after the last one read; a report when one fails.
    async fn advance(
        &mut self,
        db: &impl ConnectionTrait,
        key: &AuditKey,
    ) -> Result<Option<VerifyReport>, StoreError> {
        loop {
            let mut query = audit_log::Entity::find();
            if let Some(last) = self.last_id {
                query = query.filter(audit_log::Column::AuditId.gt(last));
            }
            let page = query
                .order_by_asc(audit_log::Column::AuditId)
                .limit(VERIFY_PAGE)
                .all(db)
                .await?;
            let full = page.len() as u64 == VERIFY_PAGE;
            for row in page {
                let expected = self.expected_next();
                if row.audit_id > expected {
                    let problem = if row.audit_id == expected + 1 {
                        format!(
                            "audit row {expected} is missing (the next row is {})",
                            row.audit_id
                        )
                    } else {
                        format!(
                            "audit rows {expected} to {} are missing (the next row is {})",
                            row.audit_id - 1,
                            row.audit_id
                        )
                    };
                    return Ok(Some(self.fail(expected, problem)));
                }
                if row.audit_id < expected {
                    return Ok(Some(self.fail(
                        row.audit_id,
                        format!(
                            "audit row {} is out of sequence (expected row {expected})",
                            row.audit_id
                        ),
                    )));
                }
                if row_hmac(key, &self.prev_hmac, &row) != row.hmac {
                    return Ok(Some(self.fail(
                        row.audit_id,
                        format!(
                            "audit row {} does not match its HMAC (the row was altered, or the \
                             key is not the one that wrote it)",
                            row.audit_id
                        ),
                    )));
                }
                self.last_id = Some(row.audit_id);
                self.prev_hmac = row.hmac;
                self.rows_checked += 1;
            }
            if !full {
                return Ok(None);
            }
        }
    }
}

/// Checks the whole audit chain: every row's HMAC recomputed from the previous row's, ids
/// consecutive from 1, and the chain head naming the newest row with its HMAC.
///
/// Safe to run while the server appends: rows appended during the walk are walked too before
/// the head is compared. Stops at the first failure.
pub async fn verify(db: &impl ConnectionTrait, key: &AuditKey) -> Result<VerifyReport, StoreError> {
    let mut walk = Walk {
        last_id: None,
        prev_hmac: String::new(),
        rows_checked: 0,
    };
    if let Some(report) = walk.advance(db, key).await? {
        return Ok(report);
    }
    loop {
        // Read after the walk: every row up to the head's id was committed together with the
        // head, so it is visible now unless it was deleted.
        let Some(head) = audit_chain_head::Entity::find_by_id(HEAD_ID)
            .one(db)
            .await?
        else {
            return Ok(VerifyReport {
                rows_checked: walk.rows_checked,
                first_bad_row: None,
                problem: Some("the audit chain head row is missing".to_owned()),
            });
        };
        let last = walk.last_id.unwrap_or(0);
        if head.last_audit_id == last {
            if head.last_hmac != walk.prev_hmac {
                return Ok(walk.fail(
                    last,
                    format!("the chain head's HMAC does not match audit row {last}"),
                ));
            }
            return Ok(VerifyReport {
                rows_checked: walk.rows_checked,
                first_bad_row: None,
                problem: None,
            });
        }
        if head.last_audit_id < last {
            return Ok(walk.fail(
                head.last_audit_id + 1,
                format!(
                    "audit rows after {} are not covered by the chain head (the newest row is \
                     {last})",
                    head.last_audit_id
                ),
            ));
        }
        // The head is ahead of the rows walked: rows appended since the walk, or deleted
        // newest rows. Walk on; if nothing new turns up, they are missing.
        let before = walk.rows_checked;
        if let Some(report) = walk.advance(db, key).await? {
            return Ok(report);
        }
        if walk.rows_checked == before {
            let missing = last + 1;
            let problem = if head.last_audit_id == missing {
                format!(
                    "audit row {missing} is missing (the chain head names it as the newest row)"
                )
            } else {
                format!(
                    "audit rows {missing} to {} are missing (the chain head names row {})",
                    head.last_audit_id, head.last_audit_id
                )
            };
            return Ok(walk.fail(missing, problem));
        }
    }
}

/// Which audit rows [`list`] returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub table_name: Option<String>,
    pub action: Option<String>,
    pub row_id: Option<i64>,
    pub user_id: Option<i64>,
    /// Rows at or after this instant.
    pub from: Option<DbTimestamp>,
    /// Rows before this instant (exclusive).
    pub to: Option<DbTimestamp>,
    /// Keyset cursor: rows with a smaller id than this (the last id of the previous page).
    pub before_id: Option<i64>,
    /// Most rows to return (the caller bounds it).
    pub limit: u64,
}

/// Audit rows matching `filter`, newest first (by id, descending).
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &AuditFilter,
) -> Result<Vec<audit_log::Model>, StoreError> {
    let mut query = audit_log::Entity::find();
    if let Some(table) = &filter.table_name {
        query = query.filter(audit_log::Column::TableName.eq(table.as_str()));
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_log::Column::Action.eq(action.as_str()));
    }
    if let Some(row_id) = filter.row_id {
        query = query.filter(audit_log::Column::RowId.eq(row_id));
    }
    if let Some(user_id) = filter.user_id {
        query = query.filter(audit_log::Column::UserId.eq(user_id));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_log::Column::At.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_log::Column::At.lt(to));
    }
    if let Some(before) = filter.before_id {
        query = query.filter(audit_log::Column::AuditId.lt(before));
    }
    Ok(query
        .order_by_desc(audit_log::Column::AuditId)
        .limit(filter.limit)
        .all(db)
        .await?)
}

/// Which of `row_ids` of `table` the system itself (no user: the server acting on an SMS
/// reply, a scheduled job) has recorded `action` on, in one probe of the
/// `audit_log(table_name, row_id)` index.
pub async fn rows_touched_by_system(
    db: &impl ConnectionTrait,
    table: &str,
    action: &str,
    row_ids: &[i64],
) -> Result<Vec<i64>, StoreError> {
    if row_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    for chunk in row_ids.chunks(500) {
        let rows: Vec<Option<i64>> = audit_log::Entity::find()
            .select_only()
            .column(audit_log::Column::RowId)
            .filter(audit_log::Column::TableName.eq(table))
            .filter(audit_log::Column::RowId.is_in(chunk.iter().copied()))
            .filter(audit_log::Column::Action.eq(action))
            .filter(audit_log::Column::UserId.is_null())
            .into_tuple()
            .all(db)
            .await?;
        found.extend(rows.into_iter().flatten());
    }
    found.sort_unstable();
    found.dedup();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key_file::from_hex;

    #[test]
    fn hex_round_trips() {
        let bytes: Vec<u8> = (0..=255).collect();
        let hex = to_hex(&bytes);
        assert_eq!(&hex[..8], "00010203");
        assert_eq!(from_hex(&hex).unwrap(), bytes);
        assert_eq!(from_hex("ABff").unwrap(), vec![0xab, 0xff]);
        assert!(from_hex("abc").is_none());
        assert!(from_hex("zz").is_none());
        assert!(from_hex("+1").is_none());
    }

    #[test]
    fn hmac_matches_rfc_4231_case_1() {
        // Key 0x0b x 20: a 32-byte key is zero-padded by HMAC exactly as the 20-byte one.
        let mut bytes = [0u8; 32];
        bytes[..20].fill(0x0b);
        let key = AuditKey::from_bytes(bytes);
        assert_eq!(
            key.mac_hex(b"Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
    }

    #[test]
    fn debug_hides_the_key() {
        let key = AuditKey::from_bytes([0xab; 32]);
        let shown = format!("{key:?}");
        assert!(!shown.contains("ab"), "{shown}");
        assert!(!shown.contains("171"), "{shown}");
    }

    fn row() -> audit_log::Model {
        audit_log::Model {
            audit_id: 7,
            at: chrono::DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap(),
            user_id: Some(3),
            session_token_id: None,
            action: "update".into(),
            table_name: "patient".into(),
            row_id: Some(12),
            changes: Some(r#"{"a":[1,2]}"#.into()),
            hmac: String::new(),
        }
    }

    #[test]
    fn canonical_encoding_is_length_prefixed() {
        let text = String::from_utf8(canonical_bytes("ff", &row())).unwrap();
        assert_eq!(
            text,
            "dcms-audit-v1\n2:ff\n1:7\n27:2023-11-14T22:13:20.123456Z\n1:3\n0:\n6:update\n\
             7:patient\n2:12\n11:{\"a\":[1,2]}\n"
        );
    }

    #[test]
    fn every_column_and_the_previous_hmac_change_the_hmac() {
        let key = AuditKey::from_bytes([7; 32]);
        let base = row_hmac(&key, "", &row());
        let variants: Vec<(String, audit_log::Model)> = vec![
            ("x".into(), row()),
            (
                String::new(),
                audit_log::Model {
                    audit_id: 8,
                    ..row()
                },
            ),
            (
                String::new(),
                audit_log::Model {
                    user_id: None,
                    ..row()
                },
            ),
            (
                String::new(),
                audit_log::Model {
                    session_token_id: Some(1),
                    ..row()
                },
            ),
            (
                String::new(),
                audit_log::Model {
                    action: "delete".into(),
                    ..row()
                },
            ),
            (
                String::new(),
                audit_log::Model {
                    table_name: "user".into(),
                    ..row()
                },
            ),
            (
                String::new(),
                audit_log::Model {
                    row_id: None,
                    ..row()
                },
            ),
            (
                String::new(),
                audit_log::Model {
                    changes: None,
                    ..row()
                },
            ),
            (
                String::new(),
                audit_log::Model {
                    at: row().at + chrono::Duration::microseconds(1),
                    ..row()
                },
            ),
        ];
        for (prev, variant) in variants {
            assert_ne!(row_hmac(&key, &prev, &variant), base, "{variant:?}");
        }
        assert_eq!(base.len(), 64);
        assert!(
            base.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
    }

    #[test]
    fn key_file_is_created_once_and_reused() {
        let dir = std::env::temp_dir().join(format!("dcms-audit-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("audit.key");
        let _ = std::fs::remove_file(&path);
        let created = AuditKey::load_or_create(&path).unwrap();
        let loaded = AuditKey::load_or_create(&path).unwrap();
        assert_eq!(created.0, loaded.0);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.trim_end().len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }

        std::fs::write(&path, "not a key\n").unwrap();
        let err = AuditKey::load_or_create(&path).unwrap_err();
        assert!(err.to_string().contains("64 hexadecimal digits"), "{err}");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "not a key\n",
            "never replaced"
        );

        std::fs::write(&path, "ab".repeat(31)).unwrap();
        assert!(AuditKey::load_or_create(&path).is_err(), "too short");
        std::fs::write(&path, "AB".repeat(32)).unwrap();
        assert_eq!(AuditKey::load_or_create(&path).unwrap().0, [0xab; 32]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
