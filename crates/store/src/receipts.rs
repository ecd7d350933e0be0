//! Repository of e-barimt receipts (`ebarimt_receipt`), the outbox `services::ebarimt` works
//! through. State changes are guarded `UPDATE ... WHERE receipt_id = ? AND state = <from>`
//! (as `outbox` does for SMS): two workers never both take a receipt.

use crate::StoreError;
use crate::entity::ebarimt_receipt;
use crate::time::DbTimestamp;
use dcms_domain::ReceiptState;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

/// A receipt to queue.
#[derive(Debug, Clone)]
pub struct NewReceipt {
    pub payment_id: i64,
    pub treatment_id: i64,
    pub kind: i16,
    pub returns_receipt_id: Option<i64>,
    pub amount: i64,
    pub request: String,
    pub now: DbTimestamp,
}

/// Inserts a queued receipt, due now (its request is set by [`set_request`] once its id,
/// from which an issue's `billIdSuffix` is derived, is known).
pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewReceipt,
) -> Result<ebarimt_receipt::Model, StoreError> {
    Ok(ebarimt_receipt::ActiveModel {
        payment_id: Set(new.payment_id),
        treatment_id: Set(new.treatment_id),
        kind: Set(new.kind),
        returns_receipt_id: Set(new.returns_receipt_id),
        amount: Set(new.amount),
        bill_id_suffix: Set(None),
        state: Set(ReceiptState::Queued.code()),
        request: Set(new.request),
        attempts: Set(0),
        next_attempt_at: Set(new.now),
        created_at: Set(new.now),
        updated_at: Set(new.now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Sets a queued row's `billIdSuffix` and the request that carries it.
pub async fn set_request(
    db: &impl ConnectionTrait,
    receipt_id: i64,
    bill_id_suffix: Option<String>,
    request: String,
) -> Result<(), StoreError> {
    use ebarimt_receipt::Column as C;
    ebarimt_receipt::Entity::update_many()
        .col_expr(C::Request, Expr::value(request))
        .col_expr(C::BillIdSuffix, Expr::value(bill_id_suffix))
        .filter(C::ReceiptId.eq(receipt_id))
        .exec(db)
        .await?;
    Ok(())
}

/// What PosAPI answered for an issued receipt.
#[derive(Debug, Clone, Default)]
pub struct IssuedAnswer {
    pub ebarimt_id: String,
    pub lottery: Option<String>,
    pub qr_data: Option<String>,
    /// `YYYY-MM-DD HH:MM:SS`, needed to return it.
    pub date: Option<String>,
}

/// What a state change writes besides the state and `updated_at`.
#[derive(Debug, Clone, Default)]
pub struct Change {
    pub count_attempt: bool,
    pub reset_attempts: bool,
    pub next_attempt_at: Option<DbTimestamp>,
    /// `Some(None)` clears it.
    pub last_error: Option<Option<String>>,
    /// PosAPI's id, lottery, QR data and date of an issued receipt.
    pub issued: Option<IssuedAnswer>,
    pub issued_at: Option<DbTimestamp>,
}

/// Moves row `id` from `from` to `to`; false (nothing written) when it was not in `from`.
pub async fn transition(
    db: &impl ConnectionTrait,
    id: i64,
    from: ReceiptState,
    to: ReceiptState,
    change: Change,
    now: DbTimestamp,
) -> Result<bool, StoreError> {
    use ebarimt_receipt::Column as C;
    let mut update = ebarimt_receipt::Entity::update_many()
        .col_expr(C::State, Expr::value(to.code()))
        .col_expr(C::UpdatedAt, Expr::value(now));
    if change.count_attempt {
        update = update.col_expr(C::Attempts, Expr::col(C::Attempts).add(1));
    }
    if change.reset_attempts {
        update = update.col_expr(C::Attempts, Expr::value(0));
    }
    if let Some(at) = change.next_attempt_at {
        update = update.col_expr(C::NextAttemptAt, Expr::value(at));
    }
    if let Some(error) = change.last_error {
        update = update.col_expr(C::LastError, Expr::value(error));
    }
    if let Some(answer) = change.issued {
        update = update
            .col_expr(C::EbarimtId, Expr::value(answer.ebarimt_id))
            .col_expr(C::Lottery, Expr::value(answer.lottery))
            .col_expr(C::QrData, Expr::value(answer.qr_data))
            .col_expr(C::EbarimtDate, Expr::value(answer.date));
    }
    if let Some(at) = change.issued_at {
        update = update.col_expr(C::IssuedAt, Expr::value(at));
    }
    let result = update
        .filter(C::ReceiptId.eq(id))
        .filter(C::State.eq(from.code()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn find(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<ebarimt_receipt::Model>, StoreError> {
    Ok(ebarimt_receipt::Entity::find_by_id(id).one(db).await?)
}

/// The rows in one state, oldest first.
pub async fn in_state(
    db: &impl ConnectionTrait,
    state: ReceiptState,
    limit: u64,
) -> Result<Vec<ebarimt_receipt::Model>, StoreError> {
    Ok(ebarimt_receipt::Entity::find()
        .filter(ebarimt_receipt::Column::State.eq(state.code()))
        .order_by_asc(ebarimt_receipt::Column::ReceiptId)
        .limit(limit)
        .all(db)
        .await?)
}

/// How many rows are in `state` (by the `(state, next_attempt_at)` index).
pub async fn count_in_state(
    db: &impl ConnectionTrait,
    state: ReceiptState,
) -> Result<u64, StoreError> {
    use sea_orm::PaginatorTrait;
    Ok(ebarimt_receipt::Entity::find()
        .filter(ebarimt_receipt::Column::State.eq(state.code()))
        .count(db)
        .await?)
}

/// How many receipts wait in each state not final (queued, sending, failed), for `/metrics`.
pub async fn depth(db: &impl ConnectionTrait) -> Result<Vec<(ReceiptState, u64)>, StoreError> {
    let waiting = [
        ReceiptState::Queued,
        ReceiptState::Sending,
        ReceiptState::Failed,
    ];
    let rows: Vec<(i16, i64)> = ebarimt_receipt::Entity::find()
        .select_only()
        .column(ebarimt_receipt::Column::State)
        .column_as(ebarimt_receipt::Column::ReceiptId.count(), "n")
        .filter(ebarimt_receipt::Column::State.is_in(waiting.iter().map(|s| s.code())))
        .group_by(ebarimt_receipt::Column::State)
        .into_tuple()
        .all(db)
        .await?;
    Ok(waiting
        .iter()
        .map(|state| {
            let n = rows
                .iter()
                .find(|(code, _)| *code == state.code())
                .map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0));
            (*state, n)
        })
        .collect())
}

/// The queued row due first (`next_attempt_at <= now`), by the index `(state,
/// next_attempt_at)`.
pub async fn next_due(
    db: &impl ConnectionTrait,
    now: DbTimestamp,
) -> Result<Option<ebarimt_receipt::Model>, StoreError> {
    Ok(ebarimt_receipt::Entity::find()
        .filter(ebarimt_receipt::Column::State.eq(ReceiptState::Queued.code()))
        .filter(ebarimt_receipt::Column::NextAttemptAt.lte(now))
        .order_by_asc(ebarimt_receipt::Column::NextAttemptAt)
        .order_by_asc(ebarimt_receipt::Column::ReceiptId)
        .limit(1)
        .one(db)
        .await?)
}

/// A treatment's receipts, oldest first.
pub async fn of_treatment(
    db: &impl ConnectionTrait,
    treatment_id: i64,
) -> Result<Vec<ebarimt_receipt::Model>, StoreError> {
    Ok(ebarimt_receipt::Entity::find()
        .filter(ebarimt_receipt::Column::TreatmentId.eq(treatment_id))
        .order_by_asc(ebarimt_receipt::Column::ReceiptId)
        .all(db)
        .await?)
}

/// A payment's receipts, oldest first.
pub async fn of_payment(
    db: &impl ConnectionTrait,
    payment_id: i64,
) -> Result<Vec<ebarimt_receipt::Model>, StoreError> {
    Ok(ebarimt_receipt::Entity::find()
        .filter(ebarimt_receipt::Column::PaymentId.eq(payment_id))
        .order_by_asc(ebarimt_receipt::Column::ReceiptId)
        .all(db)
        .await?)
}
